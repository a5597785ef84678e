//! Findings: list with filters, one finding, triage and its history.

use super::int_param;
use super::json_body;
use crate::auth::Caller;
use crate::{ApiError, App};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use cyres_store::{FindingFilter, Role, SEVERITIES, VexStatus};
use serde::Deserialize;
use std::collections::HashMap;

/// The findings filter of a query string (the CSV export and bulk triage share it). `status=open`
/// is refused here: only the list's search understands it, and read as "no status" it would
/// widen an export or a bulk decision to every finding.
pub(crate) fn filter_from(q: &HashMap<String, String>) -> Result<FindingFilter, ApiError> {
    if q.get("status").is_some_and(|s| s == "open") {
        return Err(ApiError::invalid(
            "status",
            "status: open is for the findings list; give under_investigation or affected here",
        ));
    }
    list_filter(q)
}

/// The list's filter: `status=open` is left to the search (`open_only`).
fn list_filter(q: &HashMap<String, String>) -> Result<FindingFilter, ApiError> {
    let severity = match q.get("severity").map(|s| s.trim().to_ascii_lowercase()) {
        Some(s) if !SEVERITIES.contains(&s.as_str()) => {
            return Err(ApiError::invalid(
                "severity",
                format!("severity: {s:?} is not one of {}", SEVERITIES.join(", ")),
            ));
        }
        other => other,
    };
    let exploited = match q.get("exploited").map(String::as_str) {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => {
            return Err(ApiError::invalid(
                "exploited",
                format!("exploited: {other:?} is not true or false"),
            ));
        }
    };
    let status = match q.get("status") {
        // `open` (under investigation or affected) is the search's (`open_only`).
        None => None,
        Some(s) if s == "open" => None,
        Some(s) => Some(VexStatus::parse(s).ok_or_else(|| {
            ApiError::invalid(
                "status",
                format!(
                    "status: {s:?} is not under_investigation, affected, not_affected or fixed"
                ),
            )
        })?),
    };
    Ok(FindingFilter {
        product_id: int_param("product", q.get("product"))?,
        release_id: int_param("release", q.get("release"))?,
        severity,
        exploited,
        status,
        advisory_id: q.get("advisory").cloned(),
        limit: int_param("limit", q.get("limit"))?,
        after_id: int_param("after", q.get("after"))?,
    })
}

/// `GET /api/v1/findings?product=&release=&severity=&exploited=&status=&advisory=&after=&limit=`;
/// with `q=`, `sort=`, `offset=` or `status=open` the search (`super::components::finding_search`).
pub async fn list(
    State(app): State<App>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let filter = list_filter(&q)?;
    if let Some(found) = super::components::finding_search(&app, &caller, &q, &filter).await? {
        return Ok(found);
    }
    // The generation is read before the findings (see `page_cache`).
    let key = format!("{filter:?}");
    let generation = app.store.findings_generation(caller.org_id).await?;
    let body = match app.findings_cache.get(caller.org_id, &key, generation) {
        Some(body) => body,
        None => {
            let rows = app.store.findings(caller.org_id, &filter).await?;
            let body = Bytes::from(
                serde_json::to_vec(&rows).map_err(|e| ApiError::internal(e.to_string()))?,
            );
            app.findings_cache
                .put(caller.org_id, key, generation, body.clone());
            body
        }
    };
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// `GET /api/v1/findings/{id}`: the finding and, when it is open and actively exploited, the
/// Article 14 clock of its vulnerability in its product (`art14`: basis and stages), the same
/// one every page shows; `related_exploited`: actively exploited CVEs its records name only
/// under OSV `related` (issue 17, point 2).
pub async fn get_one(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let f = app.store.finding(caller.org_id, id).await?;
    let clock = if f.exploited && f.status.is_open() {
        let (same, cases) = crate::art14_clock::inputs_for(&app, caller.org_id, &f).await?;
        crate::art14_clock::clocks(&same, &cases, app.now_at())
            .into_iter()
            .find(|c| c.advisory_id == f.advisory_id)
    } else {
        None
    };
    let mut v = serde_json::to_value(&f).map_err(|e| ApiError::internal(e.to_string()))?;
    v["art14"] = serde_json::to_value(&clock).map_err(|e| ApiError::internal(e.to_string()))?;
    // KEV CVEs the records name only as related: for the analyst, not an Art. 14 trigger.
    v["related_exploited"] = serde_json::json!(app.store.related_exploited(&f).await?);
    Ok(Json(v).into_response())
}

/// Triage body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriageBody {
    status: VexStatus,
    #[serde(default)]
    justification: Option<String>,
    #[serde(default)]
    comment: String,
}

/// `POST /api/v1/findings/{id}/triage`.
pub async fn triage(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: TriageBody = json_body(&body)?;
    let f = app
        .store
        .triage(
            caller.org_id,
            id,
            b.status,
            b.justification.as_deref(),
            &b.comment,
            &caller.actor,
            app.now(),
        )
        .await?;
    Ok(Json(f).into_response())
}

/// `GET /api/v1/findings/{id}/history`.
pub async fn history(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(app.store.triage_history(caller.org_id, id).await?).into_response())
}
