//! Access: sessions and API tokens, the caller extractor with its CSRF rule, and the login rate
//! limiter. Password hashing and random secrets are `crate::service::credentials`.
//!
//! Secrets are 32 random bytes from aws-lc-rs, base64url-encoded. The store only ever sees
//! their SHA-256 (high-entropy secrets need no slow hash); passwords get argon2id with the
//! crate's default parameters (OWASP's minimum: 19 MiB, 2 passes), hashed off the async
//! executor. A session-authenticated request that changes state must echo the session's CSRF
//! token in `X-CSRF-Token`: the synchroniser-token pattern, on top of `SameSite=Lax` cookies.
//!
//! Identities are compared in one spelling: every e-mail (lookup, throttle, creation,
//! invitation) goes through [`cyres_store::normalize_email`], so `Alice@Example.com` and
//! `ａｌｉｃｅ@example.com` are one account and one throttle bucket. An API token in the query
//! string (`?token=`) is accepted only on the Atom feed, which feed readers fetch without
//! headers ([`QUERY_TOKEN_PATHS`]); anywhere else a secret in a URL would end up in logs and
//! `Referer` headers.

use crate::service::Principal;
pub use crate::service::credentials::{check_password, hash_password};
pub(crate) use crate::service::credentials::{random_secret, secret_hash, verify_password};
use crate::{ApiError, App};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use cyres_store::{Actor, normalize_email};
use std::collections::HashMap;
use std::sync::Mutex;

/// Name of the session cookie.
pub(crate) const SESSION_COOKIE: &str = "cyres_session";
/// Session lifetime.
pub(crate) const SESSION_SECS: i64 = 12 * 3600;

/// How the caller authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Via {
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

/// The authenticated caller of an API request: the [`Principal`] the service layer takes (one
/// organisation, one role; reached through `Deref`) and how it authenticated.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    /// Who acts.
    pub principal: Principal,
    /// Session or token.
    pub via: Via,
}

impl std::ops::Deref for Caller {
    type Target = Principal;

    fn deref(&self) -> &Principal {
        &self.principal
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

/// The value of cookie `name`, if the request carries one.
pub(crate) fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The session cookie's value, if the request carries one.
pub(crate) fn session_cookie(parts: &Parts) -> Option<String> {
    cookie(&parts.headers, SESSION_COOKIE)
}

/// Whether an unsafe request carries `token` in `X-CSRF-Token` (safe methods need not).
fn csrf_header_ok(parts: &Parts, token: &str) -> bool {
    !is_unsafe(&parts.method)
        || parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| constant_eq(v, token))
}

/// The only routes that take an API token as `?token=`: feeds, which feed readers fetch
/// without headers. Full paths as the client sent them (before `nest` strips `/api/v1`).
pub(crate) const QUERY_TOKEN_PATHS: &[&str] = &["/api/v1/alerts.atom"];

/// The `?token=` value of a request, if any.
fn query_token(parts: &Parts) -> Option<&str> {
    parts
        .uri
        .query()?
        .split('&')
        .find_map(|kv| kv.strip_prefix("token="))
}

/// The path the client asked for (nested routers see it without their prefix).
fn full_path(parts: &Parts) -> &str {
    parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map(|u| u.0.path())
        .unwrap_or(parts.uri.path())
}

/// The bearer token, from `Authorization: Bearer …`, or from `?token=` on a GET of a
/// [`QUERY_TOKEN_PATHS`] route.
fn bearer(parts: &Parts) -> Option<String> {
    if let Some(v) = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        return v.strip_prefix("Bearer ").map(|t| t.trim().to_string());
    }
    if parts.method == Method::GET && QUERY_TOKEN_PATHS.contains(&full_path(parts)) {
        return query_token(parts).map(str::to_string);
    }
    None
}

/// Whether a request method changes state.
pub(crate) fn is_unsafe(method: &Method) -> bool {
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
                principal: Principal {
                    org_id: t.org_id,
                    role: t.role,
                    actor: Actor {
                        id: format!("token:{}", t.id),
                        label: t.name.clone(),
                    },
                    account_id: None,
                },
                via: Via::Token { id: t.id },
            });
        }
        let Some(cookie) = session_cookie(parts) else {
            if query_token(parts).is_some() {
                return Err(ApiError::unauthorized(
                    "?token= authenticates only the Atom feed (/api/v1/alerts.atom); send Authorization: Bearer …",
                ));
            }
            return Err(ApiError::unauthorized(
                "log in or send an API token (Authorization: Bearer …)",
            ));
        };
        let cookie_hash = secret_hash(&cookie);
        let Some((session, role)) = app.store.session(&cookie_hash, now).await? else {
            if app.store.person_session(&cookie_hash, now).await?.is_some() {
                return Err(ApiError::forbidden(
                    "this account belongs to no organisation yet: accept an invitation (GET /api/v1/invitations)",
                ));
            }
            return Err(ApiError::unauthorized("session expired; log in again"));
        };
        let account = app.store.account(session.account_id).await?;
        let caller = Caller {
            principal: Principal {
                org_id: session.org_id,
                role,
                actor: Actor {
                    id: format!("user:{}", account.id),
                    label: account.email,
                },
                account_id: Some(session.account_id),
            },
            via: Via::Session {
                cookie_hash,
                csrf: session.csrf_token.clone(),
            },
        };
        // A cookie-authenticated request that changes state must carry the CSRF header.
        if !csrf_header_ok(parts, &session.csrf_token) {
            return Err(csrf_refused());
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
    // One spelling for the throttle and the lookup: a variant spelling of a throttled address
    // is the same bucket, and reaches the same account.
    let email = &normalize_email(email);
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

/// Opens a browser session for an account acting for `org_id` (none while the account
/// belongs to no organisation: it can then only answer invitations); returns the cookie
/// secret (for `Set-Cookie`, never stored) and the session's CSRF token.
pub(crate) async fn open_session(
    app: &App,
    account_id: i64,
    org_id: Option<i64>,
    now: i64,
) -> Result<(String, String), ApiError> {
    let secret = random_secret();
    let csrf = random_secret();
    let hash = secret_hash(&secret);
    match org_id {
        Some(org_id) => {
            app.store
                .create_session(
                    &hash,
                    &cyres_store::WebSession {
                        account_id,
                        org_id,
                        csrf_token: csrf.clone(),
                        expires_at: now + SESSION_SECS,
                    },
                    now,
                )
                .await?
        }
        None => {
            app.store
                .create_session_without_org(&hash, account_id, &csrf, now + SESSION_SECS, now)
                .await?
        }
    }
    Ok((secret, csrf))
}

/// A logged-in person, whether or not the session acts for an organisation: what answering
/// invitations needs. API tokens are refused (invitations are answered by people). A request
/// that changes state must carry the session's CSRF token (header, or the UI's form field,
/// checked by the UI handler).
#[derive(Clone, Debug)]
pub(crate) struct Person {
    /// The account.
    pub account: cyres_store::Account,
    /// The organisation the session acts for, if any.
    pub org_id: Option<i64>,
    /// SHA-256 of the cookie.
    pub cookie_hash: String,
    /// The session's CSRF token.
    pub csrf: String,
}

impl Person {
    /// The person from the session cookie, if it is live.
    pub(crate) async fn from_cookie(app: &App, parts: &Parts) -> Result<Option<Self>, ApiError> {
        let Some(cookie) = session_cookie(parts) else {
            return Ok(None);
        };
        let cookie_hash = secret_hash(&cookie);
        let Some(s) = app.store.person_session(&cookie_hash, app.now()).await? else {
            return Ok(None);
        };
        Ok(Some(Person {
            account: app.store.account(s.account_id).await?,
            org_id: s.org_id,
            cookie_hash,
            csrf: s.csrf_token,
        }))
    }
}

impl Person {
    /// Accepts an invitation addressed to this person; a session that acted for no
    /// organisation now acts for the one joined.
    pub(crate) async fn accept(
        &self,
        app: &App,
        invitation_id: i64,
    ) -> Result<cyres_store::Invitation, ApiError> {
        let inv = app
            .store
            .accept_invitation(self.account.id, invitation_id, app.now())
            .await?;
        if self.org_id.is_none() {
            app.store
                .switch_session_org(&self.cookie_hash, inv.org_id)
                .await?;
        }
        Ok(inv)
    }
}

impl FromRequestParts<App> for Person {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            return Err(ApiError::forbidden(
                "invitations are answered by people: log in instead of using an API token",
            ));
        }
        let person = Person::from_cookie(app, parts)
            .await?
            .ok_or_else(|| ApiError::unauthorized("log in to answer invitations"))?;
        if !csrf_header_ok(parts, &person.csrf) {
            return Err(csrf_refused());
        }
        Ok(person)
    }
}

fn csrf_refused() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "csrf",
        "missing or wrong X-CSRF-Token header for a cookie-authenticated request",
    )
}

/// Login throttling: after 5 failures for one e-mail, or 20 from one address, within 15
/// minutes, further attempts are refused until the window passes. E-mails are keyed by
/// [`normalize_email`], the spelling the account lookup uses, so no variant spelling of an
/// address escapes its bucket.
#[derive(Debug, Default)]
pub(crate) struct LoginLimiter {
    failures: Mutex<HashMap<String, Vec<i64>>>,
}

const WINDOW: i64 = 15 * 60;

impl LoginLimiter {
    /// Seconds to wait before another attempt is allowed, if any.
    pub(crate) fn blocked(&self, email: &str, ip: &str, now: i64) -> Option<u64> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = None;
        for (key, max) in [
            (format!("e:{}", normalize_email(email)), 5usize),
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
    pub(crate) fn failed(&self, email: &str, ip: &str, now: i64) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, v| v.iter().any(|t| now - t < WINDOW));
        }
        map.entry(format!("e:{}", normalize_email(email)))
            .or_default()
            .push(now);
        map.entry(format!("i:{ip}")).or_default().push(now);
    }

    /// Forgets an e-mail's failures after a successful login.
    pub(crate) fn succeeded(&self, email: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&format!("e:{}", normalize_email(email)));
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
        assert_eq!(l.blocked(" ａ@Ｘ ", "2.2.2.2", 110), Some(15 * 60 - 10));
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
        assert!(check_password("short", "a@x.example", "A").is_err());
    }

    #[test]
    fn password_rule_refuses_common_and_personal_passwords() {
        let refused = |pw: &str, email: &str, name: &str| {
            check_password(pw, email, name)
                .expect_err(pw)
                .message
                .to_string()
        };
        assert!(refused("password1234", "a@x.example", "A").contains("too easy to guess"));
        assert!(refused("Password1234!", "a@x.example", "A").contains("too easy to guess"));
        assert!(refused("qwertyuiopasdf", "a@x.example", "A").contains("too easy to guess"));
        assert!(refused("aaaaaaaaaaaaaaaa", "a@x.example", "A").contains("too easy to guess"));
        assert!(refused("JaneDoe-JaneDoe-77", "jane.doe@x.example", "J").contains("name part"));
        assert!(refused("xx jane.doe xx 4719!", "Jane.Doe@x.example", "J").contains("name part"));
        assert!(
            refused("grimsdottir#2291k", "g@x.example", "Eva Grimsdottir").contains("display name")
        );
        assert!(refused("short", "a@x.example", "A").contains("at least 12"));
        // Long input costs the estimator no more than its first 40 characters.
        let adversarial: String = (0..1024)
            .map(|i| char::from(b'!' + (i * 7 % 90) as u8))
            .collect();
        assert!(check_password(&adversarial, "a@x.example", "A").is_ok());
        assert!(refused(&"password".repeat(100), "a@x.example", "A").contains("too easy"));
        for ok in [
            "correct horse battery staple",
            "cyres demo password",
            "velvet-otter-carburetor-31",
        ] {
            assert!(
                check_password(ok, "jane.doe@x.example", "Jane Doe").is_ok(),
                "{ok}"
            );
        }
    }
}
