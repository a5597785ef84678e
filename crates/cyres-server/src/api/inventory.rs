//! Products, releases, SBOM upload and components.

use super::json_body;
use crate::auth::Caller;
use crate::service::inventory::{self, ProductFields, SbomFile};
use crate::upload::receive;
use crate::{ApiError, App};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cyres_store::{Product, ProductInput, Release, Role};
use serde::Deserialize;
use std::collections::HashMap;

/// Product fields as the API takes them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ProductBody {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    catalogue_entries: Vec<String>,
    #[serde(default)]
    member_states: Vec<String>,
    #[serde(default)]
    estimated_users: Option<i64>,
    #[serde(default)]
    support_end: Option<String>,
}

/// Checks a product body ([`inventory::check_product`]); the first problem is the answer.
fn product_input(body: ProductBody) -> Result<ProductInput, ApiError> {
    inventory::check_product(ProductFields {
        name: body.name,
        description: body.description,
        catalogue_entries: body.catalogue_entries,
        member_states: body.member_states,
        estimated_users: body.estimated_users,
        support_end: body.support_end,
    })
    .map_err(|mut errors| ApiError::from(errors.remove(0)))
}

/// `GET /api/v1/products`.
pub(super) async fn list_products(
    State(app): State<App>,
    caller: Caller,
) -> Result<Json<Vec<Product>>, ApiError> {
    Ok(Json(app.store.products(caller.org_id).await?))
}

/// `POST /api/v1/products`.
pub(super) async fn create_product(
    State(app): State<App>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let input = product_input(json_body(&body)?)?;
    let p = inventory::create_product(&app, &caller, &input).await?;
    Ok((StatusCode::CREATED, Json(p)).into_response())
}

/// `GET /api/v1/products/{id}`.
pub(super) async fn get_product(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Product>, ApiError> {
    Ok(Json(app.store.product(caller.org_id, id).await?))
}

/// `PUT /api/v1/products/{id}`.
pub(super) async fn update_product(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Json<Product>, ApiError> {
    caller.require(Role::Editor)?;
    let input = product_input(json_body(&body)?)?;
    Ok(Json(
        inventory::update_product(&app, &caller, id, &input).await?,
    ))
}

/// Release body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ReleaseBody {
    version: String,
    #[serde(default)]
    released_on: Option<String>,
}

/// `GET /api/v1/products/{id}/releases`.
pub(super) async fn list_releases(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<Release>>, ApiError> {
    app.store.product(caller.org_id, id).await?;
    Ok(Json(app.store.releases(caller.org_id, id).await?))
}

/// `POST /api/v1/products/{id}/releases`.
pub(super) async fn create_release(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: ReleaseBody = json_body(&body)?;
    let r =
        inventory::create_release(&app, &caller, id, &b.version, b.released_on.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

/// `GET /api/v1/releases/{id}`.
pub(super) async fn get_release(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Release>, ApiError> {
    Ok(Json(app.store.release(caller.org_id, id).await?))
}

/// An SBOM upload received: the body streamed under the configured limit, named by the one
/// rule ([`inventory::upload_file_name`]). Checks the release first, so a foreign id answers
/// 404 without reading the body.
pub(crate) async fn read_upload(
    app: &App,
    caller: &Caller,
    id: i64,
    q: &HashMap<String, String>,
    body: Body,
) -> Result<SbomFile, ApiError> {
    app.store.release(caller.org_id, id).await?;
    let received = receive(body, app.config.max_upload_bytes).await?;
    Ok(SbomFile {
        name: inventory::upload_file_name(q.get("filename").map(String::as_str)),
        bytes: received.bytes,
        sha256: received.sha256,
    })
}

/// `POST|PUT /api/v1/releases/{id}/sbom?filename=…`: the body is the SBOM file itself, in any
/// format the engine reads (detected from the content). Streamed under the configured limit;
/// parsed off the async executor; stored with its components and findings in one transaction.
pub(super) async fn upload_sbom(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
    body: Body,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let file = read_upload(&app, &caller, id, &q, body).await?;
    let (outcome, sbom, sha256) = inventory::ingest_sbom(&app, &caller, id, file).await?;
    Ok(ingest_answer(&outcome, &sbom, &sha256))
}

/// The answer to an SBOM upload or replacement.
pub(crate) fn ingest_answer(
    outcome: &cyres_store::IngestOutcome,
    sbom: &cyres_sbom::Sbom,
    sha256: &str,
) -> Response {
    (
        StatusCode::CREATED,
        Json(serde_json::json!({
            "sbom_id": outcome.sbom_id,
            "format": format!("{:?}", sbom.format),
            "spec_version": sbom.spec_version,
            "components": outcome.components,
            "findings": outcome.findings,
            "exploited": outcome.exploited,
            "alerts": outcome.alerts,
            "decisions_carried": outcome.decisions_carried,
            "diagnostics": sbom.diagnostics,
            "sha256": sha256,
        })),
    )
        .into_response()
}

/// `GET /api/v1/releases/{id}/sbom`: metadata and quality diagnostics.
pub(super) async fn get_sbom(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let r = app.store.release(caller.org_id, id).await?;
    let sbom_id = r.sbom_id.ok_or_else(|| ApiError::not_found("sbom"))?;
    Ok(Json(app.store.sbom_meta(caller.org_id, sbom_id).await?).into_response())
}

/// `GET /api/v1/releases/{id}/sbom/original`: the bytes as uploaded.
pub(super) async fn get_sbom_original(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let r = app.store.release(caller.org_id, id).await?;
    let sbom_id = r.sbom_id.ok_or_else(|| ApiError::not_found("sbom"))?;
    let bytes = app.store.sbom_original(caller.org_id, sbom_id).await?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
}
