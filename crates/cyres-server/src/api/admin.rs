//! Organisation administration: organisations, members, API tokens, webhooks and their
//! delivery log, the audit trail, advisory sources, alerts and the Atom feed.

use super::json_body;
use crate::auth::Caller;
use crate::service::admin::{self, Added, NewMember};
use crate::{ApiError, App};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cyres_store::{NewOrg, Role};
use serde::Deserialize;

/// `GET /api/v1/orgs`: the organisations the caller can act for.
pub(crate) async fn my_orgs(State(app): State<App>, caller: Caller) -> Result<Response, ApiError> {
    Ok(match caller.account_id {
        Some(a) => Json(app.store.memberships(a).await?).into_response(),
        None => Json(vec![app.store.org(caller.org_id).await?]).into_response(),
    })
}

/// `POST /api/v1/orgs`: a person creates another organisation and becomes its admin
/// ([`admin::create_org`] decides who may and which kinds).
pub(crate) async fn create_org(
    State(app): State<App>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let new: NewOrg = json_body(&body)?;
    let org = admin::create_org(&app, &caller, &new).await?;
    Ok((StatusCode::CREATED, Json(org)).into_response())
}

/// `GET /api/v1/members`.
pub(crate) async fn members(State(app): State<App>, caller: Caller) -> Result<Response, ApiError> {
    Ok(Json(app.store.members(caller.org_id).await?).into_response())
}

/// Member body: an e-mail to invite with a role; with a password, an account is created for an
/// address that has none (an existing account's password is never touched).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MemberBody {
    email: String,
    role: Role,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
}

/// `POST /api/v1/members` (admin): invites the address (202). An account is created with the
/// given password when the address has none; either way the person becomes a member only by
/// accepting the invitation after logging in. An existing member gets the new role at once.
pub(crate) async fn add_member(
    State(app): State<App>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Admin)?;
    let b: MemberBody = json_body(&body)?;
    let added = admin::add_member(
        &app,
        &caller,
        NewMember {
            email: &b.email,
            role: b.role,
            password: b.password,
            display_name: b.display_name.as_deref(),
        },
    )
    .await?;
    let email = cyres_store::normalize_email(&b.email);
    let (status, state, invitation) = match added {
        Added::Invited(inv) => (StatusCode::ACCEPTED, "invited", Some(inv)),
        Added::RoleChanged => (StatusCode::OK, "role_changed", None),
    };
    Ok((
        status,
        Json(serde_json::json!({
            "status": state,
            "email": email,
            "role": b.role,
            "invitation": invitation,
        })),
    )
        .into_response())
}

/// `GET /api/v1/tokens` (admin).
pub(crate) async fn tokens(State(app): State<App>, caller: Caller) -> Result<Response, ApiError> {
    Ok(Json(admin::tokens(&app, &caller).await?).into_response())
}

/// Token body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TokenBody {
    name: String,
    role: Role,
}

/// `POST /api/v1/tokens` (admin): the secret is in this answer and nowhere else, ever.
pub(crate) async fn create_token(
    State(app): State<App>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Admin)?;
    let b: TokenBody = json_body(&body)?;
    let (t, secret) = admin::create_token(&app, &caller, &b.name, b.role).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"token": t, "secret": secret, "note": "shown once; store it now"})),
    )
        .into_response())
}

/// `DELETE /api/v1/tokens/{id}` (admin).
pub(crate) async fn revoke_token(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    crate::service::admin::revoke_token(&app, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/webhooks` (admin).
pub(crate) async fn webhooks(State(app): State<App>, caller: Caller) -> Result<Response, ApiError> {
    Ok(Json(admin::webhooks(&app, &caller).await?).into_response())
}

/// Webhook body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WebhookBody {
    url: String,
}

/// `POST /api/v1/webhooks` (admin): the signing secret is shown once.
pub(crate) async fn create_webhook(
    State(app): State<App>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Admin)?;
    let b: WebhookBody = json_body(&body)?;
    let (hook, secret) = admin::create_webhook(&app, &caller, &b.url).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({"webhook": hook, "secret": secret, "signature": admin::SIGNATURE_HELP}))).into_response())
}

/// `DELETE /api/v1/webhooks/{id}` (admin).
pub(crate) async fn delete_webhook(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    crate::service::admin::delete_webhook(&app, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/deliveries` (admin): the delivery log.
pub(crate) async fn deliveries(
    State(app): State<App>,
    caller: Caller,
) -> Result<Response, ApiError> {
    Ok(Json(admin::deliveries(&app, &caller, 200).await?).into_response())
}

/// `GET /api/v1/audit` (admin). There is no route that changes or deletes audit events.
pub(crate) async fn audit(State(app): State<App>, caller: Caller) -> Result<Response, ApiError> {
    Ok(Json(admin::audit_events(&app, &caller, 500).await?).into_response())
}

/// `GET /api/v1/sources`: configured advisory sources with last sync and counts (those of the
/// running sync while one runs) and whether one runs.
pub(crate) async fn sources(State(app): State<App>, _caller: Caller) -> Result<Response, ApiError> {
    Ok(Json(crate::service::advisories::sources(&app).await?).into_response())
}

/// `POST /api/v1/sources/{id}/sync` (operator admin): sync now, then re-match; answers the
/// counts (409 while a sync of the source runs).
pub(crate) async fn sync_source(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let report = crate::service::advisories::sync_now(&app, &caller, &id).await?;
    Ok(Json(report).into_response())
}

/// `GET /api/v1/alerts`.
pub(crate) async fn alerts(State(app): State<App>, caller: Caller) -> Result<Response, ApiError> {
    Ok(Json(app.store.alerts(caller.org_id, 200).await?).into_response())
}

/// `GET /api/v1/alerts.atom`: the alerts as an Atom feed; feed readers pass the API token as
/// `?token=`.
pub(crate) async fn alerts_atom(
    State(app): State<App>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let org = app.store.org(caller.org_id).await?;
    let rows = app.store.alerts(caller.org_id, 100).await?;
    let alerts = crate::service::alerts::feed_alerts(&app, &org, &rows).await?;
    let base = app.config.public_url.trim_end_matches('/');
    let id = format!("{base}/api/v1/alerts.atom#org-{}", org.id);
    let title = format!("cyres alerts for {}", org.name);
    let self_url = format!("{base}/api/v1/alerts.atom");
    let meta = cyres_feeds::atom::FeedMeta {
        id: &id,
        title: &title,
        self_url: Some(&self_url),
        updated_when_empty: app.now_at(),
    };
    let xml = cyres_feeds::atom::render(&meta, &alerts);
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        xml,
    )
        .into_response())
}
