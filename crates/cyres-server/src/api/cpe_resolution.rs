//! CPE decisions and derived candidates (issue 20, point 3(c)): `/api/v1/cpe-decisions` and
//! `/api/v1/cpe-candidates`. Operations in `crate::service::cpe_resolution`.

use super::json_body;
use crate::auth::Caller;
use crate::service::cpe_resolution::{self as resolution, DecisionInput};
use crate::{ApiError, App};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionBody {
    subject: String,
    cpe: String,
    #[serde(default)]
    note: Option<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NoteBody {
    #[serde(default)]
    note: Option<String>,
}

/// `GET /api/v1/cpe-decisions?withdrawn=true`: the organisation's decisions.
pub(super) async fn list_decisions(
    State(app): State<App>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let all = q.get("withdrawn").is_some_and(|v| v == "true");
    Ok(Json(resolution::decisions(&app, &caller, all).await?).into_response())
}

/// `POST /api/v1/cpe-decisions` (editor): `{"subject", "cpe", "note"?}`; answers the decision
/// and the re-match it caused.
pub(super) async fn record_decision(
    State(app): State<App>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let b: DecisionBody = json_body(&body)?;
    let input = DecisionInput {
        subject: b.subject,
        cpe: b.cpe,
        note: b.note,
    };
    let decided = resolution::record(&app, &caller, &input).await?;
    Ok((StatusCode::CREATED, Json(decided)).into_response())
}

/// `DELETE /api/v1/cpe-decisions/{id}` (editor): withdraws the decision (kept, marked).
pub(super) async fn withdraw_decision(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(resolution::withdraw(&app, &caller, id).await?).into_response())
}

/// `GET /api/v1/cpe-candidates?state=proposed|confirmed|rejected|all`.
pub(super) async fn list_candidates(
    State(app): State<App>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let state =
        resolution::candidate_state(q.get("state").map(String::as_str).or(Some("proposed")))?;
    Ok(Json(resolution::candidates(&app, &caller, state).await?).into_response())
}

/// `POST /api/v1/cpe-candidates/derive` (editor): derives candidates again.
pub(super) async fn derive(State(app): State<App>, caller: Caller) -> Result<Response, ApiError> {
    let proposed = resolution::derive(&app, &caller).await?;
    Ok(Json(serde_json::json!({ "proposed": proposed })).into_response())
}

/// `GET /api/v1/cpe-candidates/{id}`: the candidate and the findings it would give.
pub(super) async fn get_candidate(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(resolution::candidate(&app, &caller, id).await?).into_response())
}

/// `POST /api/v1/cpe-candidates/{id}/confirm` (editor), optional `{"note"}`.
pub(super) async fn confirm(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let b: NoteBody = if body.is_empty() {
        NoteBody::default()
    } else {
        json_body(&body)?
    };
    Ok(Json(resolution::confirm(&app, &caller, id, b.note).await?).into_response())
}

/// `POST /api/v1/cpe-candidates/{id}/reject` (editor).
pub(super) async fn reject(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(resolution::reject(&app, &caller, id).await?).into_response())
}
