//! The compliance file over HTTP (issue 16): the Annex I record with its gaps, evidence
//! uploads, issued EU declarations of conformity in HTML, PDF and JSON, and the technical
//! documentation ZIP. The rules live in `service::conformity`.

use super::json_body;
use crate::auth::Caller;
use crate::service::conformity::{self as conf, DocFormat, UploadMeta};
use crate::upload::receive;
use crate::{ApiError, App};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

fn lang(q: &HashMap<String, String>) -> &str {
    q.get("lang").map_or("en", String::as_str)
}

/// `GET /api/v1/products/{id}/requirements` (viewers): the record, its assessment (gaps per
/// item, completeness), documents, declarations with their currency, and retention.
pub(super) async fn get_requirements(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(conf::view(&app, &caller, id).await?).into_response())
}

/// `PUT /api/v1/products/{id}/requirements` (editors): the `[conformity]` table of
/// docs/conformity.md as JSON; every save is a new version.
pub(super) async fn put_requirements(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let facts = json_body(&bytes)?;
    Ok(Json(conf::save(&app, &caller, id, facts).await?).into_response())
}

/// `PUT /api/v1/products/{id}/placing` (editors): `{"first": "YYYY-MM-DD", "last":
/// "YYYY-MM-DD"|null}`, when the first and last units were placed on the market; the
/// Art. 13(13) retention counts from the last (none while units are still being placed).
pub(super) async fn put_placing(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let placing = json_body(&bytes)?;
    Ok(Json(conf::set_placing(&app, &caller, id, placing).await?).into_response())
}

/// `POST /api/v1/products/{id}/documents?document=&title=&kind=&filename=` (editors): the body is the
/// file, bounded by `max_upload_bytes`; answers the stored version with its SHA-256.
pub(super) async fn upload_document(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
    body: Body,
) -> Result<Response, ApiError> {
    caller.require(cyres_store::Role::Editor)?;
    // A foreign product answers 404 before the body is read.
    app.store.product(caller.org_id, id).await?;
    let received = receive(body, app.config.max_upload_bytes).await?;
    let param = |k: &str| q.get(k).cloned().unwrap_or_default();
    let meta = UploadMeta {
        id: param("document"),
        title: param("title"),
        kind: q.get("kind").cloned().unwrap_or_else(|| "other".into()),
        file_name: q
            .get("filename")
            .cloned()
            .unwrap_or_else(|| param("document")),
    };
    let stored = conf::upload(&app, &caller, id, &meta, &received.bytes).await?;
    Ok((StatusCode::CREATED, Json(stored)).into_response())
}

/// `POST /api/v1/products/{id}/declarations` (editors): issues the next version from the
/// current facts.
pub(super) async fn issue_declaration(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let line = conf::issue(&app, &caller, id).await?;
    Ok((StatusCode::CREATED, Json(line)).into_response())
}

/// `GET /api/v1/products/{id}/declarations/{version}.{html|pdf|json}?lang=` (viewers). The
/// `Cyres-Declaration-Status` header says `current` or `out-of-date; changed=fact,…`.
pub(super) async fn get_declaration(
    State(app): State<App>,
    caller: Caller,
    Path((id, file)): Path<(i64, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let parsed = file
        .split_once('.')
        .and_then(|(v, ext)| Some((v.parse::<i64>().ok()?, DocFormat::from_ext(ext)?)));
    let Some((version, format)) = parsed else {
        return Err(ApiError::not_found("declaration"));
    };
    let simplified = q.get("simplified").is_some_and(|v| v == "true" || v == "1");
    let f =
        conf::declaration_file(&app, &caller, id, version, (format, simplified), lang(&q)).await?;
    let status = if f.line.up_to_date() {
        "current".to_string()
    } else {
        let changed: Vec<&str> = f
            .line
            .currency
            .changed
            .iter()
            .map(|c| c.fact.as_str())
            .collect();
        format!("out-of-date; changed={}", changed.join(","))
    };
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (
                header::HeaderName::from_static("cyres-declaration-status"),
                status,
            ),
        ],
        f.bytes,
    )
        .into_response())
}

/// `GET /api/v1/products/{id}/techdoc.zip?lang=` (viewers): the Annex VII dossier.
pub(super) async fn techdoc_zip(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let bytes = conf::techdoc_zip(&app, &caller, id, lang(&q)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"techdoc-product-{id}.zip\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
