//! The authority side of Article 14 over HTTP: the intake API that manufacturers' instances
//! deliver report packs to, the inbox, report views and the coordinator's and ENISA's actions.
//! The rules live in `crate::service::authority`; these handlers read the request and answer
//! JSON.

use super::json_body;
use crate::auth::Caller;
use crate::service::authority::{self as service, *};
use crate::{ApiError, App};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use cyres_store::Role;
use std::collections::HashMap;

/// Largest accepted report pack (also the route's body budget in `guard`).
const MAX_PACK: usize = crate::guard::MAX_REPORT_PACK as usize;

/// Intermediate-report request body.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RequestBody {
    #[serde(default)]
    note: Option<String>,
}

/// `POST /api/v1/authority/reports` with `Idempotency-Key`: stores a report pack
/// ([`service::receive_report`]); 201 for a new report, 200 with the first receipt for a repeat.
pub(crate) async fn intake(
    State(app): State<App>,
    caller: Caller,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    if bytes.len() > MAX_PACK {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("a report pack is at most {MAX_PACK} bytes"),
        ));
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .ok_or_else(|| ApiError::bad_request("the Idempotency-Key header is required"))?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| ApiError::bad_request("report pack is not UTF-8"))?;
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| ApiError::bad_request(format!("report pack: {e}")))?;
    let (row, new) = service::receive_report(&app, &caller, &key, value).await?;
    let at = time::OffsetDateTime::from_unix_timestamp(row.received_at)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        });
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(serde_json::json!({"reference": format!("AUTH-{}", row.id), "received_at": at, "duplicate": !new}))).into_response())
}

/// `GET /api/v1/authority/inbox`: a CSIRT sees the reports it coordinates; ENISA sees all.
pub(crate) async fn inbox(State(app): State<App>, caller: Caller) -> Result<Response, ApiError> {
    Ok(Json(inbox_rows(&app, &caller, 1000).await?).into_response())
}

/// `GET /api/v1/authority/reports/{id}`: [`report_detail`] as JSON.
pub(crate) async fn get_report(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let body = match report_detail(&app, &caller, id).await? {
        ReportDetail::Enisa {
            row,
            view,
            decision,
            ..
        } => {
            serde_json::json!({"id": row.id, "reference": format!("AUTH-{}", row.id), "received_at": row.received_at, "view": view, "decision": decision})
        }
        ReportDetail::Csirt {
            row,
            pack,
            context,
            decision,
            coordinator,
            actions,
        } => {
            serde_json::json!({"id": row.id, "reference": format!("AUTH-{}", row.id), "received_at": row.received_at, "sender": row.sender,
                "pack": pack, "context": context, "decision": decision,
                "actions": if coordinator { crate::service::to_json("actions", &actions)? } else { serde_json::Value::Null }})
        }
    };
    Ok(Json(body).into_response())
}

/// `POST /api/v1/authority/reports/{id}/decision` (coordinator CSIRT): forward to the CSIRTs
/// of the other member states the manufacturer listed, or delay (Art. 16(2), DR 2026/881);
/// ENISA sees the decision at once.
pub(crate) async fn decide(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: DecisionBody = json_body(&bytes)?;
    Ok(Json(decide_report(&app, &caller, id, b).await?).into_response())
}

/// `GET /api/v1/authority/assessment` (ENISA): [`assessment_summary`] as JSON.
pub(crate) async fn assessment(
    State(app): State<App>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let limit = crate::api::int_param("limit", q.get("limit"))?
        .unwrap_or(100)
        .clamp(1, 10_000) as usize;
    let s = assessment_summary(&app, &caller, limit).await?;
    Ok(Json(serde_json::json!({
        "notifications": s.notifications,
        "systemic": s.systemic,
        "config": s.config,
        "per_notification": s.per_notification,
        "per_subject": s.per_subject,
        "note": format!("highest {} scores; ?limit= for more", s.limit),
    }))
    .into_response())
}

/// `POST /api/v1/authority/reports/{id}/review` (ENISA): an analyst confirms or overrides the
/// assessment with a reason; stored and audited; a systemic verdict carries ENISA's
/// recommendation of full dissemination to the coordinator, which it accepts or declines.
pub(crate) async fn review(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: ReviewBody = json_body(&bytes)?;
    Ok(Json(review_report(&app, &caller, id, b).await?).into_response())
}

/// `POST /api/v1/authority/reports/{id}/recommendation` (coordinator CSIRT): accept or decline
/// ENISA's recommendation of full dissemination; recorded.
pub(crate) async fn recommendation(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: RecommendationBody = json_body(&bytes)?;
    Ok(Json(answer_recommendation(&app, &caller, id, b).await?).into_response())
}

/// `POST /api/v1/authority/reports/{id}/users-informed` (coordinator CSIRT): record that the
/// CSIRT informed the users itself (Art. 14(8), second subparagraph).
pub(crate) async fn users_informed(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: UsersInformedBody = if bytes.is_empty() {
        UsersInformedBody::default()
    } else {
        json_body(&bytes)?
    };
    Ok((
        StatusCode::CREATED,
        Json(record_users_informed(&app, &caller, id, b).await?),
    )
        .into_response())
}

/// `POST /api/v1/authority/reports/{id}/intermediate-request` (coordinator CSIRT, Art.
/// 14(6)): the manufacturer's instance picks it up, alerts and adds the stage to the case.
pub(crate) async fn request_intermediate(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: RequestBody = if bytes.is_empty() {
        RequestBody { note: None }
    } else {
        json_body(&bytes)?
    };
    let a = request_intermediate_report(&app, &caller, id, b.note).await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

/// `GET /api/v1/authority/requests?after=N` (the manufacturer's token): intermediate-report
/// requests on its reports, with the idempotency key of the report they concern.
pub(crate) async fn requests(
    State(app): State<App>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let after = crate::api::int_param("after", q.get("after"))?.unwrap_or(0);
    let rows = app
        .store
        .actions_for_sender(
            caller.org_id,
            cyres_store::AuthorityActionKind::IntermediateRequest,
            after,
        )
        .await?;
    let out: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|(a, key)| serde_json::json!({"id": a.id, "idempotency_key": key, "request": a.body}))
        .collect();
    Ok(Json(out).into_response())
}
