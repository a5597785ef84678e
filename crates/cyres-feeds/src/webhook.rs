//! Webhook delivery: a signed JSON POST, a pure retry schedule, and a result for the delivery
//! log (issue #4, point 6).
//!
//! The receiver checks `X-Cyres-Signature: sha256=<hex>`, the HMAC-SHA256 (RFC 2104, FIPS 198-1)
//! of the exact body bytes under the shared secret, and may reject old `X-Cyres-Timestamp`s
//! (Unix seconds) to narrow replays. The scheme mirrors what GitHub and others do, so receivers
//! have code for it already.
//!
//! Retries are the caller's loop (the server keeps attempts in its queue so that they survive a
//! restart): [`backoff`] says how long to wait before the next attempt, from the attempts made
//! so far and a jitter value the caller draws, which keeps the schedule pure and testable.

use std::time::{Duration, Instant};

use aws_lc_rs::hmac;
use reqwest::header::{CONTENT_TYPE, USER_AGENT};
use time::OffsetDateTime;

use crate::outbound::failure_class;

/// The signature header.
pub const SIGNATURE_HEADER: &str = "X-Cyres-Signature";

/// How a receiver checks a delivery, as said next to a signing secret when it is shown.
pub const SIGNATURE_HELP: &str = "X-Cyres-Signature: sha256=<hex HMAC-SHA256 of the body>";
/// The timestamp header (Unix seconds at sending).
pub const TIMESTAMP_HEADER: &str = "X-Cyres-Timestamp";
/// How long one delivery attempt may take.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(15);

/// The HTTP client for webhook delivery, with the outbound policy it enforces: rustls, a
/// connect timeout, no proxy from the environment, names resolved and checked through
/// [`crate::outbound::PolicyResolver`] at connect time, literal addresses checked before each
/// attempt, and **no redirects** (a receiver that redirects could steer signed alerts, and the
/// POST, to another host; a 3xx is logged as a failed attempt instead).
#[derive(Clone, Debug)]
pub struct WebhookClient {
    http: reqwest::Client,
    outbound: crate::outbound::Outbound,
}

/// Builds the [`WebhookClient`] for `outbound`.
pub fn webhook_client(
    outbound: &crate::outbound::Outbound,
) -> Result<WebhookClient, crate::FeedError> {
    let http = reqwest::Client::builder()
        .user_agent(crate::USER_AGENT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(outbound.resolver())
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| crate::FeedError::Config(format!("cannot build the HTTP client: {e}")))?;
    Ok(WebhookClient {
        http,
        outbound: outbound.clone(),
    })
}

/// `sha256=<lower-case hex HMAC-SHA256 of body>`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let tag = hmac::sign(&key, body);
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256=");
    for byte in tag.as_ref() {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// Checks a signature header in constant time (for receivers and tests).
pub fn verify(secret: &[u8], body: &[u8], header: &str) -> bool {
    let Some(hex) = header.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Some(tag) = decode_hex(hex) else {
        return false;
    };
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    hmac::verify(&key, body, &tag).is_ok()
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// The retry schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The delay after the first failed attempt (before jitter).
    pub base: Duration,
    /// No delay is longer than this.
    pub cap: Duration,
    /// Attempts in total, the first included.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    /// 30 s, 1 min, 2 min, … capped at 1 h; 8 attempts (about 2 h of trying).
    fn default() -> Self {
        Self {
            base: Duration::from_secs(30),
            cap: Duration::from_secs(3600),
            max_attempts: 8,
        }
    }
}

/// How long to wait before the next attempt, after `attempts_made` attempts failed; `None` when
/// the policy allows no more attempts. Exponential (`base · 2^(n-1)`, capped) with "equal
/// jitter": half the delay is fixed and half is scaled by `jitter`, a value in `[0, 1]` the
/// caller draws at random (out-of-range values are clamped), so receivers that failed together
/// are not retried in lockstep.
pub fn backoff(policy: &RetryPolicy, attempts_made: u32, jitter: f64) -> Option<Duration> {
    if attempts_made == 0 {
        return Some(Duration::ZERO);
    }
    if attempts_made >= policy.max_attempts {
        return None;
    }
    let doublings = (attempts_made - 1).min(32);
    let full = policy
        .base
        .checked_mul(1u32 << doublings.min(31))
        .unwrap_or(policy.cap)
        .min(policy.cap);
    let jitter = if jitter.is_nan() {
        0.0
    } else {
        jitter.clamp(0.0, 1.0)
    };
    let half = full / 2;
    Some(half + half.mul_f64(jitter))
}

/// One attempt, as the delivery log records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryResult {
    /// The HTTP status, if the receiver answered.
    pub status: Option<u16>,
    /// How long the attempt took.
    pub duration: Duration,
    /// Why it failed, if it did: the failure class only ("refused by policy", "connection
    /// failed", "timed out", "HTTP 500"), never the URL, a path or the remote port's state.
    pub error: Option<String>,
}

impl DeliveryResult {
    /// The receiver accepted the alert (2xx).
    pub fn is_success(&self) -> bool {
        self.error.is_none() && self.status.is_some_and(|s| (200..300).contains(&s))
    }

    /// Whether another attempt may help: no answer, 408, 429 or 5xx. Other 4xx answers mean
    /// the receiver refuses this request, and repeating it would not change that.
    pub fn should_retry(&self) -> bool {
        match self.status {
            None => true,
            Some(s) => s == 408 || s == 429 || (500..600).contains(&s),
        }
    }
}

/// POSTs `body` (JSON, e.g. [`crate::Alert::webhook_body`]) to `url`, signed with `secret`.
/// Never fails: every outcome is a [`DeliveryResult`] for the log.
pub async fn deliver(
    client: &WebhookClient,
    url: &str,
    secret: &[u8],
    body: &[u8],
) -> DeliveryResult {
    post(client, url, Some(secret), body).await
}

/// POSTs `body` unsigned to an incoming webhook of a chat service (Slack, Mattermost: the URL
/// itself is the secret), through the same outbound policy as [`deliver`].
pub async fn deliver_unsigned(client: &WebhookClient, url: &str, body: &[u8]) -> DeliveryResult {
    post(client, url, None, body).await
}

async fn post(
    client: &WebhookClient,
    url: &str,
    secret: Option<&[u8]>,
    body: &[u8],
) -> DeliveryResult {
    let started = Instant::now();
    let done = |status: Option<u16>, error: Option<String>| DeliveryResult {
        status,
        duration: started.elapsed(),
        error,
    };
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return done(None, Some("the webhook URL is not a valid URL".to_string()));
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        return done(None, Some("the webhook URL is not http(s)".to_string()));
    }
    // Literal addresses never reach the resolver, so they are checked here, on every attempt
    // (the allowlist may have changed since the target was registered).
    if client.outbound.policy().check_url(url).is_err() {
        return done(None, Some(crate::outbound::REFUSED_BY_POLICY.to_string()));
    }
    let mut request = client
        .http
        .post(parsed)
        .header(CONTENT_TYPE, "application/json")
        .header(USER_AGENT, crate::USER_AGENT);
    if let Some(secret) = secret {
        request = request.header(SIGNATURE_HEADER, sign(secret, body)).header(
            TIMESTAMP_HEADER,
            OffsetDateTime::now_utc().unix_timestamp().to_string(),
        );
    }
    let response = request
        .timeout(DELIVERY_TIMEOUT)
        .body(body.to_vec())
        .send()
        .await;
    match response {
        Ok(response) => {
            let status = response.status();
            let error = (!status.is_success()).then(|| format!("HTTP {}", status.as_u16()));
            done(Some(status.as_u16()), error)
        }
        Err(e) => done(None, Some(failure_class(&e).to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_rfc4231_case_2() {
        // RFC 4231 §4.3: key "Jefe", data "what do ya want for nothing?".
        let sig = sign(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            sig,
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(verify(b"Jefe", b"what do ya want for nothing?", &sig));
        assert!(!verify(b"Jefe", b"what do ya want for nothing!", &sig));
        assert!(!verify(b"jefe", b"what do ya want for nothing?", &sig));
        assert!(!verify(b"Jefe", b"x", "sha1=00"));
        assert!(!verify(b"Jefe", b"x", "sha256=zz"));
    }

    #[test]
    fn backoff_doubles_caps_and_stops() {
        let policy = RetryPolicy {
            base: Duration::from_secs(10),
            cap: Duration::from_secs(60),
            max_attempts: 6,
        };
        let full: Vec<_> = (0..7).map(|n| backoff(&policy, n, 1.0)).collect();
        let secs = |s| Some(Duration::from_secs(s));
        assert_eq!(
            full,
            [
                secs(0),
                secs(10),
                secs(20),
                secs(40),
                secs(60),
                secs(60),
                None
            ]
        );
        assert_eq!(backoff(&policy, 3, 0.0), secs(20));
        assert_eq!(backoff(&policy, 3, 0.5), secs(30));
        assert_eq!(backoff(&policy, 3, 7.0), secs(40));
        assert_eq!(backoff(&policy, 3, f64::NAN), secs(20));
        // Huge attempt counts neither overflow nor exceed the cap.
        let long = RetryPolicy {
            max_attempts: u32::MAX,
            ..policy
        };
        assert_eq!(backoff(&long, 200, 1.0), secs(60));
    }

    #[test]
    fn retry_decisions_follow_the_status() {
        let r = |status| DeliveryResult {
            status,
            duration: Duration::ZERO,
            error: None,
        };
        assert!(r(Some(204)).is_success());
        assert!(r(None).should_retry());
        assert!(r(Some(503)).should_retry() && r(Some(429)).should_retry());
        assert!(!r(Some(404)).should_retry() && !r(Some(401)).should_retry());
    }
}
