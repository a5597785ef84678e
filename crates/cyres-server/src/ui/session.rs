//! Logging in and out of the web UI, switching organisation, and the session extractor the
//! page handlers use.
//!
//! The session is the API's: the same cookie, the same store row, the same 12-hour lifetime,
//! the same throttling of failed logins (5 per e-mail, 20 per address, per 15 minutes). What
//! differs is how CSRF is proved: a hidden `csrf` form field instead of a header, compared in
//! constant time.
//!
//! The login form itself carries a token too (login CSRF: a foreign page must not log the
//! browser into another account). Before login there is no session to hold it, so it is a
//! double-submit token: `GET /login` sets it in a `SameSite=Strict`, `HttpOnly` cookie scoped
//! to `/login` and in the form's hidden `csrf` field; `POST /login` proceeds only when both
//! are present and equal. A cross-site form can send neither the cookie (Strict) nor know the
//! value.
//!
//! `next=` after login is followed only when it is a local path ([`local_path`]); anything
//! else goes to the dashboard, and the redirect never fails (no header injection, no 500).

use super::view::{Chrome, Form, Nav, OrgChoice, UiError, render};
use crate::auth::{
    LoginRefused, SESSION_SECS, check_login, constant_eq, open_session, random_secret, secret_hash,
    session_cookie, session_cookie_header,
};
use crate::{ApiError, App};
use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cyres_store::{Membership, Role};
use std::collections::HashMap;
use std::net::SocketAddr;

/// The logged-in person behind a UI request.
#[derive(Clone, Debug)]
pub(super) struct UiSession {
    /// Account id.
    pub account_id: i64,
    /// E-mail.
    pub email: String,
    /// Organisation acted for.
    pub org_id: i64,
    /// Role there.
    pub role: Role,
    /// CSRF token of the session.
    pub csrf: String,
    /// SHA-256 of the cookie (the session's key in the store).
    pub cookie_hash: String,
    /// Every membership of the account.
    pub memberships: Vec<Membership>,
    /// Invitations waiting for the account's answer.
    pub invitations: usize,
}

impl UiSession {
    /// Fails with 403 unless the form's `csrf` field equals the session's token.
    pub(super) fn check(&self, form: &Form) -> Result<(), UiError> {
        check_form_csrf(form, &self.csrf)
    }

    /// Fails with 403 unless the role is at least `role`.
    pub(super) fn require(&self, role: Role) -> Result<(), UiError> {
        if self.role >= role {
            Ok(())
        } else {
            Err(UiError(ApiError::forbidden(format!(
                "this needs the {} role; you have {}",
                role.as_str(),
                self.role.as_str()
            ))))
        }
    }

    /// The audit actor.
    pub(super) fn actor(&self) -> cyres_store::Actor {
        cyres_store::Actor {
            id: format!("user:{}", self.account_id),
            label: self.email.clone(),
        }
    }

    /// Who acts, as the service layer takes it (the form's CSRF field is checked by
    /// [`UiSession::check`]).
    pub(super) fn principal(&self) -> crate::service::Principal {
        crate::service::Principal {
            org_id: self.org_id,
            role: self.role,
            actor: self.actor(),
            account_id: Some(self.account_id),
        }
    }

    /// The page frame.
    pub(super) fn chrome(&self, title: impl Into<String>, nav: Nav) -> Chrome {
        let org_name = self
            .memberships
            .iter()
            .find(|m| m.org.id == self.org_id)
            .map(|m| m.org.name.clone())
            .unwrap_or_default();
        Chrome {
            title: title.into(),
            nav,
            email: self.email.clone(),
            org_name,
            role: self.role.as_str().to_string(),
            csrf: self.csrf.clone(),
            orgs: self
                .memberships
                .iter()
                .map(|m| OrgChoice {
                    id: m.org.id,
                    name: m.org.name.clone(),
                    role: m.role.as_str().to_string(),
                    current: m.org.id == self.org_id,
                })
                .collect(),
            can_edit: self.role >= Role::Editor,
            is_admin: self.role >= Role::Admin,
            invitations: self.invitations,
            receives_reports: self
                .memberships
                .iter()
                .any(|m| m.org.id == self.org_id && m.org.kind == cyres_store::OrgKind::Steward),
        }
    }
}

/// Fails with 403 unless the form's `csrf` field equals `token` (constant time).
pub(crate) fn check_form_csrf(form: &Form, token: &str) -> Result<(), UiError> {
    if constant_eq(form.get("csrf"), token) {
        Ok(())
    } else {
        Err(UiError(ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "this form is out of date or was not sent by this site; reload the page and try again",
        )))
    }
}

/// Only local paths may be redirect targets (no open redirect, no header injection): one
/// leading `/`, no `//` anywhere (a browser reads `//host` as another site), no `\` (read as
/// `/` by browsers), only visible ASCII (no white space, control characters such as a decoded
/// `%0d%0a`, or anything a `Location` header cannot carry), at most 2,048 bytes. A scheme
/// cannot appear since the first character is `/`.
pub(crate) fn local_path(next: &str) -> Option<&str> {
    (next.starts_with('/')
        && next.len() <= 2048
        && !next.contains("//")
        && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\'))
    .then_some(next)
}

/// A `303 See Other` to a local path (the dashboard if `to` is not one): never fails.
pub(crate) fn redirect_local(to: &str) -> Response {
    let to = local_path(to).unwrap_or("/");
    Redirect::to(to).into_response()
}

/// Name of the login form's double-submit CSRF cookie.
const LOGIN_CSRF_COOKIE: &str = "cyres_login_csrf";

/// Sets the login CSRF cookie on a response (`SameSite=Strict`, only sent to `/login`).
fn set_login_csrf(app: &App, resp: &mut Response, token: &str) {
    let secure = if app.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!(
        "{LOGIN_CSRF_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600{secure}"
    )) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

impl FromRequestParts<App> for UiSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Response> {
        let to_login = || {
            let here = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let target = if parts.method == axum::http::Method::GET && here != "/" {
                format!("/login?next={}", super::view::query_escape(here))
            } else {
                "/login".to_string()
            };
            Redirect::to(&target).into_response()
        };
        let Some(cookie) = session_cookie(parts) else {
            return Err(to_login());
        };
        let cookie_hash = secret_hash(&cookie);
        let found = app
            .store
            .session(&cookie_hash, app.now())
            .await
            .map_err(|e| UiError::from(e).into_response())?;
        let Some((session, role)) = found else {
            // A live session acting for no organisation can only answer invitations.
            let person = app
                .store
                .person_session(&cookie_hash, app.now())
                .await
                .map_err(|e| UiError::from(e).into_response())?;
            if person.is_some() {
                return Err(Redirect::to("/invitations").into_response());
            }
            return Err(to_login());
        };
        let account = app
            .store
            .account(session.account_id)
            .await
            .map_err(|e| UiError::from(e).into_response())?;
        let memberships = app
            .store
            .memberships(account.id)
            .await
            .map_err(|e| UiError::from(e).into_response())?;
        let invitations = app
            .store
            .invitations_for(&account.email)
            .await
            .map_err(|e| UiError::from(e).into_response())?
            .len();
        Ok(UiSession {
            invitations,
            account_id: account.id,
            email: account.email,
            org_id: session.org_id,
            role,
            csrf: session.csrf_token,
            cookie_hash,
            memberships,
        })
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    form: Form,
    next: String,
    csrf: String,
}

/// `GET /login`: the form, with a fresh login CSRF token in the cookie and the form.
pub(super) async fn login_page(
    State(app): State<App>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, UiError> {
    let next = q
        .get("next")
        .and_then(|n| local_path(n))
        .unwrap_or("/")
        .to_string();
    let csrf = random_secret();
    let mut resp = render(
        StatusCode::OK,
        &LoginPage {
            form: Form::default(),
            next,
            csrf: csrf.clone(),
        },
    )?;
    set_login_csrf(&app, &mut resp, &csrf);
    Ok(resp)
}

/// `POST /login`: checks the password (argon2id) under the API's throttling, opens a session
/// and goes to `next`.
pub(super) async fn login(
    State(app): State<App>,
    peer: Option<axum::extract::Extension<ConnectInfo<SocketAddr>>>,
    headers: axum::http::HeaderMap,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    let next = local_path(form.raw("next")).unwrap_or("/").to_string();
    // Login CSRF (double submit): the form's token must equal the cookie's.
    let cookie_token = crate::auth::cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if cookie_token.is_empty() || !constant_eq(form.get("csrf"), &cookie_token) {
        let csrf = random_secret();
        let mut refused = Form::new(vec![("email".into(), form.get("email").to_string())]);
        refused.fail(
            "_form",
            "this login form is out of date or was not sent by this site; log in again",
        );
        let mut resp = render(
            StatusCode::FORBIDDEN,
            &LoginPage {
                form: refused,
                next,
                csrf: csrf.clone(),
            },
        )?;
        set_login_csrf(&app, &mut resp, &csrf);
        return Ok(resp);
    }
    let csrf = cookie_token;
    let email = form.get("email").to_string();
    let password = form.all("password").into_iter().next().unwrap_or_default();
    let ip = peer
        .map(|p| p.0.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    let now = app.now();
    // Never send the password back into the page.
    let retype = |mut form: Form| {
        form = Form::new(vec![("email".into(), email.clone())]).with_errors(form);
        form
    };
    if email.is_empty() {
        form.fail("email", "enter your e-mail address");
    }
    if password.is_empty() {
        form.fail("password", "enter your password");
    }
    if form.failed() {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &LoginPage {
                form: retype(form),
                next,
                csrf,
            },
        );
    }
    let account = match check_login(&app, &email, &password, &ip, now).await? {
        Ok(account) => account,
        Err(LoginRefused::Throttled(wait)) => {
            form.fail(
                "_form",
                format!(
                    "too many failed logins; try again in {} minutes",
                    wait.div_ceil(60)
                ),
            );
            let mut resp = render(
                StatusCode::TOO_MANY_REQUESTS,
                &LoginPage {
                    form: retype(form),
                    next,
                    csrf,
                },
            )?;
            if let Ok(v) = wait.to_string().parse() {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return Ok(resp);
        }
        Err(LoginRefused::Wrong) => {
            form.fail("_form", "wrong e-mail or password");
            return render(
                StatusCode::UNAUTHORIZED,
                &LoginPage {
                    form: retype(form),
                    next,
                    csrf,
                },
            );
        }
    };
    let memberships = app.store.memberships(account.id).await?;
    let first = memberships.first().map(|m| m.org.id);
    let (secret, _csrf) = open_session(&app, account.id, first, now).await?;
    tracing::info!(account = account.id, org = ?first, "ui login");
    // Pending invitations are the first thing the person sees (and the only thing while the
    // account belongs to no organisation).
    let pending = !app.store.invitations_for(&account.email).await?.is_empty();
    let mut resp = if first.is_none() || pending {
        Redirect::to(&format!(
            "/invitations?next={}",
            super::view::query_escape(&next)
        ))
        .into_response()
    } else {
        redirect_local(&next)
    };
    resp.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie_header(&app, &secret, SESSION_SECS),
    );
    Ok(resp)
}

impl Form {
    /// These values with the errors of `other`.
    fn with_errors(mut self, other: Form) -> Form {
        for field in ["_form", "email", "password"] {
            if let Some(e) = other.error(field) {
                self.fail(field, e);
            }
        }
        self
    }
}

/// `POST /logout`.
pub(super) async fn logout(
    State(app): State<App>,
    person: super::invitations::UiPerson,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    person.check(&Form::new(pairs))?;
    crate::service::accounts::end_session(&app, &person.0.cookie_hash).await?;
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, session_cookie_header(&app, "", 0));
    Ok(resp)
}

/// `POST /org`: act for another organisation the account belongs to.
pub(super) async fn switch_org(
    State(app): State<App>,
    sess: UiSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let form = Form::new(pairs);
    sess.check(&form)?;
    let org_id: i64 = form
        .get("org_id")
        .parse()
        .map_err(|_| ApiError::invalid("org_id", "org_id: choose an organisation"))?;
    crate::service::accounts::switch_org(&app, &sess.cookie_hash, org_id).await?;
    Ok(Redirect::to("/").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_redirects() {
        assert_eq!(local_path("/findings?x=1"), Some("/findings?x=1"));
        assert_eq!(local_path("//evil.example/"), None);
        assert_eq!(local_path("https://evil.example/"), None);
        assert_eq!(local_path("/\\evil"), None);
        for hostile in [
            "/a\r\nSet-Cookie: x=1",
            "/a b",
            "/\tevil",
            "/x/..//evil.example",
            "/caf\u{e9}",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(local_path(hostile), None, "{hostile:?}");
        }
        assert_eq!(
            redirect_local("/a\r\nX: y").headers()[header::LOCATION],
            "/"
        );
        assert!(constant_eq("abc", "abc") && !constant_eq("abc", "abd") && !constant_eq("a", "ab"));
    }
}
