//! Bulk triage and a decision's origin (issue 17 point 3): `POST /api/v1/findings/triage`,
//! `GET /api/v1/findings/{id}/origin`.

use super::json_body;
use crate::auth::Caller;
use crate::service::triage;
use crate::{ApiError, App};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use cyres_store::{Decision, TriageTarget, VexStatus};
use serde::Deserialize;
use std::collections::HashMap;

/// Bulk triage body: `ids` or `filter` (the findings list's query parameters as an object,
/// e.g. `{"release": "12", "q": "openssl", "status": "open"}`: exactly the findings the list
/// and the CSV export give for that query, every page), and one decision.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BulkBody {
    #[serde(default)]
    ids: Option<Vec<i64>>,
    #[serde(default)]
    filter: Option<HashMap<String, String>>,
    /// With an empty filter: yes, every finding of the organisation.
    #[serde(default)]
    all: bool,
    status: VexStatus,
    #[serde(default)]
    justification: Option<String>,
    #[serde(default)]
    impact_statement: Option<String>,
    #[serde(default)]
    action_statement: Option<String>,
    #[serde(default)]
    responses: Vec<String>,
    #[serde(default)]
    comment: String,
}

/// `POST /api/v1/findings/triage`: one decision on many findings, in one transaction.
pub(super) async fn bulk(
    State(app): State<App>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let b: BulkBody = json_body(&body)?;
    let target = match (b.ids, b.filter) {
        (Some(ids), None) => TriageTarget::Ids(ids),
        (None, Some(q)) => {
            let search = super::findings::search_from(&q)?;
            triage::check_filter(&search, b.all)?;
            TriageTarget::Filter(search)
        }
        _ => {
            return Err(ApiError::invalid(
                "ids",
                "ids: give either ids or filter, not both or neither",
            ));
        }
    };
    let decision = Decision {
        status: b.status,
        justification: b.justification,
        impact_statement: b.impact_statement,
        action_statement: b.action_statement,
        responses: b.responses,
        comment: b.comment,
    };
    let s = triage::bulk_triage(&app, &caller, &target, &decision).await?;
    Ok(Json(s).into_response())
}

/// `GET /api/v1/findings/{id}/origin`: `inherited_from` (release id and version) and, for an
/// undecided finding, the `suggestion` from another component version.
pub(super) async fn origin(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(triage::origin(&app, &caller, id).await?).into_response())
}

/// Dismissal body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DismissBody {
    reason: String,
}

/// `POST /api/v1/cases/{id}/dismiss`: a proposal dismissed with a reason (204).
pub(super) async fn dismiss(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let b: DismissBody = json_body(&body)?;
    triage::dismiss_proposal(&app, &caller, id, &b.reason).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}
