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
pub async fn list(State(app): State<App>, caller: Caller) -> Result<Response, ApiError> {
    Ok(Json(notify_rules::list(&app, &caller).await?).into_response())
}

/// `POST /api/v1/notification-rules` (admin): a webhook rule's signing secret is in the
/// answer only.
pub async fn create(
    State(app): State<App>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let input: RuleInput = json_body(&body)?;
    let (rule, secret) = notify_rules::create(&app, &caller, &input).await?;
    let mut out = serde_json::json!({"rule": rule});
    if let Some(s) = secret {
        out["secret"] = s.into();
        out["signature"] = crate::service::admin::SIGNATURE_HELP.into();
    }
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// `DELETE /api/v1/notification-rules/{id}` (admin).
pub async fn delete(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    notify_rules::delete(&app, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/v1/notification-rules/{id}/feed.atom`: the alerts the rule matches, as Atom.
pub async fn feed(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (rule, rows) = notify_rules::feed(&app, &caller, id).await?;
    let org = app.store.org(caller.org_id).await?;
    let mut alerts = Vec::with_capacity(rows.len());
    for row in &rows {
        alerts.push(crate::worker::feed_alert(&app, &org, row).await?);
    }
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
