//! Findings: list with filters, one finding, triage and its history.

use super::json_body;
use crate::auth::Caller;
use crate::{ApiError, App};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use cyres_store::{FindingRow, FindingSearch, RelatedCache, Role, VexStatus};
use serde::Deserialize;
use std::collections::HashMap;

/// The findings query of a query string: one reading for the list, the CSV export and bulk
/// triage (`service::finding_search::from_query`).
pub(crate) fn search_from(q: &HashMap<String, String>) -> Result<FindingSearch, ApiError> {
    Ok(crate::service::finding_search::from_query(|k| {
        q.get(k).map(String::as_str)
    })?)
}

/// The findings as the list's JSON: each row with `related_exploited`, the actively exploited
/// CVEs its records name only as related (issue 17, point 2).
pub(crate) async fn rows_json(app: &App, rows: &[FindingRow]) -> Result<Bytes, ApiError> {
    let related = app
        .store
        .related_exploited_many(rows, &mut RelatedCache::default())
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (f, related) in rows.iter().zip(related) {
        let mut v = serde_json::to_value(f).map_err(|e| ApiError::internal(e.to_string()))?;
        v["related_exploited"] = serde_json::json!(related);
        out.push(v);
    }
    Ok(Bytes::from(
        serde_json::to_vec(&out).map_err(|e| ApiError::internal(e.to_string()))?,
    ))
}

/// `GET /api/v1/findings?product=&release=&severity=&exploited=&status=&advisory=&after=&limit=`;
/// with `q=`, `sort=`, `offset=` or `status=open` the search (`super::components::finding_search`).
pub(super) async fn list(
    State(app): State<App>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let search = search_from(&q)?;
    if search.q.is_some() || search.open_only || q.contains_key("sort") || q.contains_key("offset")
    {
        return super::components::finding_search(&app, &caller, &search).await;
    }
    let filter = search.filter;
    // The generation is read before the findings (see `page_cache`).
    // The rows carry the related flag, which advisory data decides: its generation is part of
    // the key (an entry of an older one is never asked for again).
    let (generation, advisory_gen) = app.store.findings_page_generation(caller.org_id).await?;
    let key = format!("{filter:?}@{advisory_gen}");
    let body = match app.findings_cache.get(caller.org_id, &key, generation) {
        Some(body) => body,
        None => {
            let rows = app.store.findings(caller.org_id, &filter).await?;
            let body = rows_json(&app, &rows).await?;
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
pub(super) async fn get_one(
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
    // Match kind `analyst_decision`: who decided the CPE name, and when (issue 20, 3(c)).
    v["cpe_decision"] =
        serde_json::json!(crate::service::cpe_resolution::of_finding(&app, &caller, id).await?);
    Ok(Json(v).into_response())
}

/// Triage body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TriageBody {
    status: VexStatus,
    #[serde(default)]
    justification: Option<String>,
    #[serde(default)]
    comment: String,
}

/// `POST /api/v1/findings/{id}/triage`.
pub(super) async fn triage(
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
            &cyres_store::Decision::status(b.status, b.justification.as_deref(), &b.comment),
            &caller.actor,
            app.now(),
        )
        .await?;
    Ok(Json(f).into_response())
}

/// `GET /api/v1/findings/{id}/history`.
pub(super) async fn history(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(app.store.triage_history(caller.org_id, id).await?).into_response())
}
