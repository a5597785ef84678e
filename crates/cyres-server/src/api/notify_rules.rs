//! Notification rule routes (issue 17, point 7). Operations in
//! `crate::service::notify_rules`.

use super::json_body;
use crate::auth::Caller;
use crate::service::notify_rules::{self, RuleInput};
use crate::{ApiError, App};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// `GET /api/v1/notification-rules` (admin).
pub(super) async fn list(State(app): State<App>, caller: Caller) -> Result<Response, ApiError> {
    Ok(Json(notify_rules::list(&app, &caller).await?).into_response())
}

/// `POST /api/v1/notification-rules` (admin): a webhook rule's signing secret is in the
/// answer only.
pub(super) async fn create(
    State(app): State<App>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let input: RuleInput = json_body(&body)?;
    let (rule, secret) = notify_rules::create(&app, &caller, &input).await?;
    Ok((StatusCode::CREATED, rule_answer(&rule, secret)).into_response())
}

/// A rule, with its new signing secret (shown once) when it got one.
fn rule_answer(rule: &cyres_store::NotifyRule, secret: Option<String>) -> Json<serde_json::Value> {
    let mut out = serde_json::json!({"rule": rule});
    if let Some(s) = secret {
        out["secret"] = s.into();
        out["signature"] = crate::service::admin::SIGNATURE_HELP.into();
    }
    Json(out)
}

/// `PUT /api/v1/notification-rules/{id}` (admin): the rule as it now stands; a rule that
/// became a webhook has its new signing secret in the answer only.
pub(super) async fn update(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let input: RuleInput = json_body(&body)?;
    let (rule, secret) = notify_rules::update(&app, &caller, id, &input).await?;
    Ok(rule_answer(&rule, secret).into_response())
}

/// `POST /api/v1/notification-rules/{id}/enable` (admin).
pub(super) async fn enable(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(notify_rules::set_active(&app, &caller, id, true).await?).into_response())
}

/// `POST /api/v1/notification-rules/{id}/disable` (admin): the rule delivers nothing until
/// enabled again.
pub(super) async fn disable(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(notify_rules::set_active(&app, &caller, id, false).await?).into_response())
}

/// `DELETE /api/v1/notification-rules/{id}` (admin).
pub(super) async fn delete(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    notify_rules::delete(&app, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/v1/notification-rules/{id}/feed.atom`: the alerts the rule matches, as Atom.
pub(super) async fn feed(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (rule, rows) = notify_rules::feed(&app, &caller, id).await?;
    let org = app.store.org(caller.org_id).await?;
    let alerts = crate::service::alerts::feed_alerts(&app, &org, &rows).await?;
    let base = app.config.public_url.trim_end_matches('/');
    let self_url = format!("{base}/api/v1/notification-rules/{id}/feed.atom");
    let title = format!("cyres alerts for {}: {}", org.name, rule.name);
    let meta = cyres_feeds::atom::FeedMeta {
        id: &self_url,
        title: &title,
        self_url: Some(&self_url),
        updated_when_empty: app.now_at(),
    };
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        cyres_feeds::atom::render(&meta, &alerts),
    )
        .into_response())
}
