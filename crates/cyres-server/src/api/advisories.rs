//! Advisories: search, one advisory with the caller's affected releases, and file import.

use crate::auth::Caller;
use crate::upload::receive;
use crate::{ApiError, App};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use cyres_store::{Exploitation, FindingFilter, Role};
use std::collections::HashMap;

/// `GET /api/v1/advisories?q=`: by id or alias prefix, or package name.
pub async fn search(
    State(app): State<App>,
    _caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let text = q.get("q").map(String::as_str).unwrap_or("");
    Ok(Json(app.store.search_advisories(text, 100).await?).into_response())
}

/// `GET /api/v1/advisories/{id}`: the advisory (by id or alias) and, for the caller's
/// organisation, the findings it caused.
pub async fn get_one(
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

/// Whether the caller administers the operator organisation (the first one created), the only
/// tenant allowed to change platform-wide advisory data.
pub(crate) async fn require_operator(app: &App, caller: &Caller) -> Result<(), ApiError> {
    caller.require(Role::Admin)?;
    let first = app.store.orgs().await?.first().map(|o| o.id);
    if first != Some(caller.org_id) {
        return Err(ApiError::forbidden(
            "advisory data is shared by every tenant; only administrators of the operator organisation may change it",
        ));
    }
    Ok(())
}

/// `POST /api/v1/advisories/import?filename=…`: an OSV record (JSON/YAML), an archive of
/// them (zip, tar, tar.gz, tar.zst), a CISA KEV catalogue, an NVD CVE file (its CPE
/// configurations stored for firmware matching) or NVD overrides. The portfolio is re-matched
/// before the answer.
pub async fn import(
    State(app): State<App>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
    body: Body,
) -> Result<Response, ApiError> {
    require_operator(&app, &caller).await?;
    let file_name = q
        .get("filename")
        .cloned()
        .unwrap_or_else(|| "upload.json".into());
    if file_name.contains(['/', '\\', '\0']) || file_name.starts_with('.') || file_name.len() > 255
    {
        return Err(ApiError::invalid(
            "filename",
            "filename: a plain file name (the extension tells the format)",
        ));
    }
    let received = receive(body, app.config.max_upload_bytes).await?;
    let limits = app.config.unpack_limits;
    // Loaded from memory under the caller's file name: reports and errors name the upload,
    // never a server path; archives unpack within the configured budgets (zip bombs: 422).
    let corpus = tokio::task::spawn_blocking(move || -> Result<cyres_vuln::Corpus, ApiError> {
        let mut corpus = cyres_vuln::Corpus::with_limits(limits);
        corpus
            .load_bytes(&file_name, &received.bytes, &mut |_| {})
            .map_err(|e| {
                ApiError::new(
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_advisories",
                    e.to_string(),
                )
            })?;
        Ok(corpus)
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))??;
    if corpus.advisories.is_empty() && corpus.kev.is_empty() && corpus.configurations.is_empty() {
        let why = corpus
            .report
            .errors
            .first()
            .map(|e| format!("{}: {}", e.source, e.message))
            .unwrap_or_else(|| "no advisory records or KEV entries found".into());
        return Err(ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_advisories",
            why,
        ));
    }
    let now = app.now();
    let imp = app
        .store
        .upsert_advisories(&corpus.advisories, "upload", now)
        .await?;
    let cpe = app
        .store
        .upsert_cpe_configurations(&corpus.configurations, now)
        .await?;
    let facts: Vec<Exploitation> = corpus
        .kev
        .iter()
        .map(|k| Exploitation {
            cve_id: k.cve_id.clone(),
            source: "kev".into(),
            date_added: Some(k.date_added.clone()),
            due_date: Some(k.due_date.clone()),
            ransomware: k.ransomware,
            reference: None,
        })
        .collect();
    let exp = app.store.upsert_exploitation(&facts, now).await?;
    let matched = crate::worker::run_due_jobs(&app).await?;
    app.wake_worker();
    Ok(Json(serde_json::json!({
        "records": corpus.report.records_read,
        "malformed": corpus.report.errors.len(),
        "inserted": imp.inserted,
        "updated": imp.updated,
        "unchanged": imp.unchanged,
        "cpe_configurations": {"inserted": cpe.inserted, "updated": cpe.updated, "unchanged": cpe.unchanged},
        "kev_entries": corpus.kev.len(),
        "newly_exploited": exp.newly_exploited.len(),
        "matching": matched,
    }))
    .into_response())
}
