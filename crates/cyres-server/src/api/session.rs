//! Logging in and out, switching organisation, and the one-time setup.

use crate::auth::{
    Caller, LoginRefused, Person, SESSION_SECS, Via, check_login, open_session,
    session_cookie_header,
};
use crate::{ApiError, App};
use axum::Json;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use cyres_store::OrgKind;
use serde::Deserialize;
use std::collections::HashMap;
use std::net::SocketAddr;

/// Login body.
#[derive(Deserialize)]
pub(super) struct Login {
    email: String,
    password: String,
    #[serde(default)]
    org_id: Option<i64>,
}

/// `POST /api/v1/session`: checks the password (argon2id), rate-limited per e-mail and address.
pub(super) async fn login(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Json(body): Json<Login>,
) -> Result<Response, ApiError> {
    let now = app.now();
    let ip = peer.ip().to_string();
    let account = match check_login(&app, &body.email, &body.password, &ip, now).await? {
        Ok(account) => account,
        Err(LoginRefused::Throttled(wait)) => {
            let mut e = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many failed logins; try again in {wait} s"),
            );
            e.retry_after = Some(wait);
            return Err(e);
        }
        Err(LoginRefused::Wrong) => return Err(ApiError::unauthorized("wrong e-mail or password")),
    };
    let memberships = app.store.memberships(account.id).await?;
    // An account that belongs to no organisation yet still logs in: its session acts for
    // none and can only answer invitations (`/api/v1/invitations`).
    let chosen = match body.org_id {
        Some(id) => Some(
            memberships
                .iter()
                .find(|m| m.org.id == id)
                .ok_or_else(|| ApiError::not_found("organisation"))?,
        ),
        None => memberships.first(),
    };
    let invitations = app.store.invitations_for(&account.email).await?;
    let (secret, csrf) = open_session(&app, account.id, chosen.map(|m| m.org.id), now).await?;
    tracing::info!(account = account.id, org = ?chosen.map(|m| m.org.id), "login");
    let mut resp = Json(serde_json::json!({
        "account": account,
        "org": chosen.map(|m| &m.org),
        "role": chosen.map(|m| m.role),
        "orgs": memberships,
        "invitations": invitations,
        "csrf_token": csrf,
        "expires_at": now + SESSION_SECS,
    }))
    .into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie_header(&app, &secret, SESSION_SECS),
    );
    Ok(resp)
}

/// `DELETE /api/v1/session`: ends the session, also one that acts for no organisation yet
/// (an API token has none to end: 204 all the same).
pub(super) async fn logout(
    State(app): State<App>,
    person: Result<Person, ApiError>,
    caller: Result<Caller, ApiError>,
) -> Result<Response, ApiError> {
    match person {
        Ok(p) => crate::service::accounts::end_session(&app, &p.cookie_hash).await?,
        Err(_) => {
            caller?;
        }
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, session_cookie_header(&app, "", 0));
    Ok(resp)
}

/// `GET /api/v1/session`: who am I.
pub(super) async fn me(
    State(app): State<App>,
    caller: Caller,
) -> Result<Json<serde_json::Value>, ApiError> {
    let org = app.store.org(caller.org_id).await?;
    let orgs = match caller.account_id {
        Some(a) => app.store.memberships(a).await?,
        None => Vec::new(),
    };
    let csrf = match &caller.via {
        Via::Session { csrf, .. } => Some(csrf.clone()),
        Via::Token { .. } => None,
    };
    Ok(Json(serde_json::json!({
        "actor": caller.actor, "org": org, "role": caller.role, "orgs": orgs, "csrf_token": csrf,
    })))
}

/// Switch body.
#[derive(Deserialize)]
pub(super) struct Switch {
    org_id: i64,
}

/// `POST /api/v1/session/org`: act for another organisation the account belongs to.
pub(super) async fn switch_org(
    State(app): State<App>,
    caller: Caller,
    Json(body): Json<Switch>,
) -> Result<StatusCode, ApiError> {
    let Via::Session { cookie_hash, .. } = &caller.via else {
        return Err(ApiError::bad_request(
            "API tokens belong to one organisation; use a token of the other organisation",
        ));
    };
    crate::service::accounts::switch_org(&app, cookie_hash, body.org_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Setup body (JSON or form).
#[derive(Deserialize)]
pub(super) struct Setup {
    token: String,
    email: String,
    password: String,
    org_name: String,
    #[serde(default)]
    org_kind: Option<OrgKind>,
    #[serde(default)]
    member_state: Option<String>,
}

/// `GET /setup?token=…`: a plain form for the first administrator.
pub(super) async fn setup_page(Query(q): Query<HashMap<String, String>>) -> Html<String> {
    let token = q
        .get("token")
        .map(|t| cyres_feeds::atom::escape(t))
        .unwrap_or_default();
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>cyres setup</title></head><body>\
         <main><h1>Create the first administrator</h1>\
         <form method=\"post\" action=\"/setup\">\
         <input type=\"hidden\" name=\"token\" value=\"{token}\">\
         <p><label for=\"org_name\">Organisation</label> <input id=\"org_name\" name=\"org_name\" required></p>\
         <p><label for=\"email\">E-mail</label> <input id=\"email\" name=\"email\" type=\"email\" required></p>\
         <p><label for=\"password\">Password (12 characters or more)</label> <input id=\"password\" name=\"password\" type=\"password\" minlength=\"12\" required></p>\
         <p><button type=\"submit\">Create</button></p></form></main></body></html>"
    ))
}

/// `POST /setup`: consumes the one-time token and creates the first administrator.
pub(super) async fn setup(
    State(app): State<App>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    let setup: Setup = if is_form {
        serde_urlencoded_like(&body)?
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request(format!("setup body: {e}")))?
    };
    crate::auth::check_password(&setup.password, &setup.email, "")?;
    crate::service::accounts::redeem_setup_link(&app, &setup.token).await?;
    let id = crate::setup::create_first_admin(
        &app,
        &setup.email,
        &setup.password,
        &setup.org_name,
        setup.org_kind.unwrap_or(OrgKind::Manufacturer),
        setup.member_state,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"account_id": id})),
    )
        .into_response())
}

/// Decodes an `application/x-www-form-urlencoded` body into a struct through JSON.
pub(crate) fn serde_urlencoded_like<T: serde::de::DeserializeOwned>(
    body: &[u8],
) -> Result<T, ApiError> {
    let text =
        std::str::from_utf8(body).map_err(|_| ApiError::bad_request("form body is not UTF-8"))?;
    let mut map = serde_json::Map::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        map.insert(form_decode(k)?, serde_json::Value::String(form_decode(v)?));
    }
    serde_json::from_value(serde_json::Value::Object(map))
        .map_err(|e| ApiError::bad_request(format!("form: {e}")))
}

fn form_decode(s: &str) -> Result<String, ApiError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => return Err(ApiError::bad_request("form: broken percent escape")),
                }
            }
            b'%' => return Err(ApiError::bad_request("form: broken percent escape")),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| ApiError::bad_request("form: not UTF-8"))
}
