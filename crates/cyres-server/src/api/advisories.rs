//! Advisories: search, one advisory with the caller's affected releases, and file import.

use crate::auth::Caller;
use crate::upload::receive;
use crate::{ApiError, App};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use cyres_store::FindingFilter;
use std::collections::HashMap;

/// `GET /api/v1/advisories?q=`: by id or alias prefix, or package name.
pub(super) async fn search(
    State(app): State<App>,
    _caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let text = q.get("q").map(String::as_str).unwrap_or("");
    Ok(Json(app.store.search_advisories(text, 100).await?).into_response())
}

/// `GET /api/v1/advisories/{id}`: the advisory (by id or alias) and, for the caller's
/// organisation, the findings it caused.
pub(super) async fn get_one(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (row, adv) = app.store.advisory(&id).await?;
    let mut findings = Vec::new();
    for aid in &row.aliases {
        findings.extend(
            app.store
                .findings(
                    caller.org_id,
                    &FindingFilter {
                        advisory_id: Some(aid.clone()),
                        limit: Some(1000),
                        ..Default::default()
                    },
                )
                .await?,
        );
    }
    Ok(
        Json(serde_json::json!({"advisory": row, "osv": adv, "findings": findings}))
            .into_response(),
    )
}

/// `POST /api/v1/advisories/import?filename=…` (operator admin): an OSV record (JSON/YAML),
/// an archive of them (zip, tar, tar.gz, tar.zst), a CISA KEV catalogue, an NVD CVE file (its
/// CPE configurations stored for firmware matching) or NVD overrides, received under the
/// upload budget. The portfolio is re-matched before the answer (`service::advisories`).
pub(super) async fn import(
    State(app): State<App>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
    body: Body,
) -> Result<Response, ApiError> {
    crate::service::advisories::require_operator(&app, &caller).await?;
    let file_name = q
        .get("filename")
        .cloned()
        .unwrap_or_else(|| "upload.json".into());
    let received = receive(body, app.config.max_upload_bytes).await?;
    let summary =
        crate::service::advisories::import(&app, &caller, &file_name, received.bytes).await?;
    Ok(Json(summary).into_response())
}
