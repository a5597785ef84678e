//! Access: password hashing (argon2id), random secrets, sessions and API tokens, the caller
//! extractor with its CSRF rule, and the login rate limiter.
//!
//! Secrets are 32 random bytes from aws-lc-rs, base64url-encoded. The store only ever sees
//! their SHA-256 (high-entropy secrets need no slow hash); passwords get argon2id with the
//! crate's default parameters (OWASP's minimum: 19 MiB, 2 passes), hashed off the async
//! executor. A session-authenticated request that changes state must echo the session's CSRF
//! token in `X-CSRF-Token`: the synchroniser-token pattern, on top of `SameSite=Lax` cookies.

use crate::{ApiError, App};
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use base64::Engine;
use cyres_store::{Actor, Role};
use std::collections::HashMap;
use std::sync::Mutex;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "cyres_session";
/// Session lifetime.
pub const SESSION_SECS: i64 = 12 * 3600;
/// Prefix of API tokens (lets secret scanners recognise them).
pub const TOKEN_PREFIX: &str = "cyres_";

/// 32 random bytes, base64url without padding.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).expect("system randomness");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 of a secret, hex.
pub fn secret_hash(secret: &str) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, secret.as_bytes());
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Hashes a password with argon2id (blocking; call through `spawn_blocking`).
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ApiError::internal(format!("argon2: {e}")))
}

/// Checks a password against a stored PHC string (blocking).
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// The password rule: 12 to 1024 characters.
pub fn check_password(password: &str) -> Result<(), ApiError> {
    let n = password.chars().count();
    if n < 12 {
        return Err(ApiError::invalid(
            "password",
            "password: at least 12 characters",
        ));
    }
    if n > 1024 {
        return Err(ApiError::invalid(
            "password",
            "password: at most 1024 characters",
        ));
    }
    Ok(())
}

/// How the caller authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Via {
    /// Browser session (cookie hash, CSRF token).
    Session {
        /// SHA-256 of the cookie value.
        cookie_hash: String,
        /// The session's CSRF token.
        csrf: String,
    },
    /// API token.
    Token {
        /// Token id.
        id: i64,
    },
}

/// The authenticated caller of a request: one organisation, one role.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The organisation acted for.
    pub org_id: i64,
    /// Role there.
    pub role: Role,
    /// For the audit trail.
    pub actor: Actor,
    /// The person, for sessions.
    pub account_id: Option<i64>,
    /// Session or token.
    pub via: Via,
}

impl Caller {
    /// Fails with 403 unless the caller has at least `role`.
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.role >= role {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "this needs the {} role; you have {}",
                role.as_str(),
                self.role.as_str()
            )))
        }
    }
}

/// Compares two secrets in time independent of where they differ.
pub(crate) fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The session cookie's value, if the request carries one.
pub fn session_cookie(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_string())
}

/// The bearer token, from `Authorization: Bearer …` (or `?token=` for feed readers, which
/// cannot send headers; only honoured on GET).
fn bearer(parts: &Parts) -> Option<String> {
    if let Some(v) = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        return v.strip_prefix("Bearer ").map(|t| t.trim().to_string());
    }
    if parts.method == Method::GET {
        return parts
            .uri
            .query()
            .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("token=")))
            .map(str::to_string);
    }
    None
}

/// Whether a request method changes state.
pub fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequestParts<App> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let now = app.now();
        if let Some(token) = bearer(parts) {
            let hash = secret_hash(&token);
            let t = app
                .store
                .authenticate_token(&hash, now)
                .await?
                .ok_or_else(|| ApiError::unauthorized("invalid or revoked API token"))?;
            return Ok(Caller {
                org_id: t.org_id,
                role: t.role,
                actor: Actor {
                    id: format!("token:{}", t.id),
                    label: t.name.clone(),
                },
                account_id: None,
                via: Via::Token { id: t.id },
            });
        }
        let Some(cookie) = session_cookie(parts) else {
            return Err(ApiError::unauthorized(
                "log in or send an API token (Authorization: Bearer …)",
            ));
        };
        let cookie_hash = secret_hash(&cookie);
        let (session, role) = app
            .store
            .session(&cookie_hash, now)
            .await?
            .ok_or_else(|| ApiError::unauthorized("session expired; log in again"))?;
        let account = app.store.account(session.account_id).await?;
        let caller = Caller {
            org_id: session.org_id,
            role,
            actor: Actor {
                id: format!("user:{}", account.id),
                label: account.email,
            },
            account_id: Some(session.account_id),
            via: Via::Session {
                cookie_hash,
                csrf: session.csrf_token.clone(),
            },
        };
        // A cookie-authenticated request that changes state must carry the CSRF header.
        if is_unsafe(&parts.method) {
            let header_ok = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| constant_eq(v, &session.csrf_token));
            if !header_ok {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf",
                    "missing or wrong X-CSRF-Token header for a cookie-authenticated request",
                ));
            }
        }
        Ok(caller)
    }
}

/// The `Set-Cookie` value for the session cookie (`HttpOnly; SameSite=Lax`, `Secure` behind
/// TLS); an empty value with `max_age` 0 deletes it.
pub(crate) fn session_cookie_header(
    app: &App,
    value: &str,
    max_age: i64,
) -> axum::http::HeaderValue {
    let secure = if app.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    axum::http::HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .expect("cookie is ASCII")
}

/// A valid argon2id hash of a random string: unknown e-mails are checked against it so the
/// answer takes as long as for a known one (timing does not tell which accounts exist).
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$QmX0pWQ4H6mZK3fS3x3Q0o0mF2K8mQ6b7dYt2n7o1bY";

/// Why a login was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoginRefused {
    /// Too many failures: seconds to wait.
    Throttled(u64),
    /// Unknown e-mail or wrong password (indistinguishable on purpose).
    Wrong,
}

/// Checks e-mail and password under the login throttle (shared by the API and the web form).
pub(crate) async fn check_login(
    app: &App,
    email: &str,
    password: &str,
    ip: &str,
    now: i64,
) -> Result<Result<cyres_store::Account, LoginRefused>, ApiError> {
    if let Some(wait) = app.limiter.blocked(email, ip, now) {
        return Ok(Err(LoginRefused::Throttled(wait)));
    }
    let account = app.store.account_by_email(email).await?;
    let phc = account
        .as_ref()
        .map(|a| a.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.to_string());
    let pw = password.to_string();
    let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &phc))
        .await
        .unwrap_or(false);
    match (account, ok) {
        (Some(account), true) => {
            app.limiter.succeeded(email);
            Ok(Ok(account))
        }
        _ => {
            app.limiter.failed(email, ip, now);
            Ok(Err(LoginRefused::Wrong))
        }
    }
}

/// Opens a browser session for an account acting for `org_id`; returns the cookie secret (for
/// `Set-Cookie`, never stored) and the session's CSRF token.
pub(crate) async fn open_session(
    app: &App,
    account_id: i64,
    org_id: i64,
    now: i64,
) -> Result<(String, String), ApiError> {
    let secret = random_secret();
    let csrf = random_secret();
    app.store
        .create_session(
            &secret_hash(&secret),
            &cyres_store::WebSession {
                account_id,
                org_id,
                csrf_token: csrf.clone(),
                expires_at: now + SESSION_SECS,
            },
            now,
        )
        .await?;
    Ok((secret, csrf))
}

/// Login throttling: after 5 failures for one e-mail, or 20 from one address, within 15
/// minutes, further attempts are refused until the window passes.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Vec<i64>>>,
}

const WINDOW: i64 = 15 * 60;

impl LoginLimiter {
    /// Seconds to wait before another attempt is allowed, if any.
    pub fn blocked(&self, email: &str, ip: &str, now: i64) -> Option<u64> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = None;
        for (key, max) in [
            (format!("e:{}", email.to_lowercase()), 5usize),
            (format!("i:{ip}"), 20),
        ] {
            if let Some(v) = map.get_mut(&key) {
                v.retain(|t| now - t < WINDOW);
                if v.len() >= max {
                    let oldest = v[0];
                    wait = Some(wait.unwrap_or(0).max((oldest + WINDOW - now).max(1) as u64));
                }
            }
        }
        wait
    }

    /// Records a failed attempt.
    pub fn failed(&self, email: &str, ip: &str, now: i64) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, v| v.iter().any(|t| now - t < WINDOW));
        }
        map.entry(format!("e:{}", email.to_lowercase()))
            .or_default()
            .push(now);
        map.entry(format!("i:{ip}")).or_default().push(now);
    }

    /// Forgets an e-mail's failures after a successful login.
    pub fn succeeded(&self, email: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&format!("e:{}", email.to_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_blocks_after_five_failures_and_recovers() {
        let l = LoginLimiter::default();
        for i in 0..5 {
            assert_eq!(l.blocked("a@x", "1.1.1.1", 100 + i), None);
            l.failed("a@x", "1.1.1.1", 100 + i);
        }
        assert_eq!(l.blocked("A@X", "2.2.2.2", 110), Some(15 * 60 - 10));
        assert_eq!(
            l.blocked("b@x", "1.1.1.1", 110),
            None,
            "per-address limit is 20"
        );
        assert_eq!(l.blocked("a@x", "1.1.1.1", 100 + WINDOW + 5), None);
    }

    #[test]
    fn secrets_are_random_and_hashes_stable() {
        let (a, b) = (random_secret(), random_secret());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(
            secret_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(!verify_password("x", "not a phc string"));
        assert!(check_password("short").is_err());
    }
}
