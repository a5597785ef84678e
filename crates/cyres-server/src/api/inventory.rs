//! Products, releases, SBOM upload and components.

use super::json_body;
use crate::auth::Caller;
use crate::upload::receive;
use crate::{ApiError, App};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cyres_cra::{Catalogue, Category, MemberState};
use cyres_store::{Product, ProductInput, Release, Role};
use serde::Deserialize;
use std::collections::HashMap;

/// Product fields as the API takes them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductBody {
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

/// Checks a product body against the CRA catalogue and computes its category: the highest
/// category among the catalogue entries named as its core functionality (Art. 7(1), 8(1)),
/// `default` when none is named.
fn product_input(body: ProductBody) -> Result<ProductInput, ApiError> {
    let catalogue = Catalogue::builtin();
    let mut category = Category::Default;
    for id in &body.catalogue_entries {
        let entry = catalogue.get(id).ok_or_else(|| {
            ApiError::invalid(
                "catalogue_entries",
                format!("catalogue_entries: unknown entry {id:?}"),
            )
        })?;
        category = category.max(entry.category);
    }
    let mut states = Vec::new();
    for code in &body.member_states {
        let ms = MemberState::from_code(code).ok_or_else(|| {
            ApiError::invalid(
                "member_states",
                format!("member_states: {code:?} is not an EU member state code"),
            )
        })?;
        states.push(ms.code().to_string());
    }
    states.sort();
    states.dedup();
    if let Some(d) = &body.support_end
        && time::Date::parse(d, &time::format_description::well_known::Iso8601::DATE).is_err()
    {
        return Err(ApiError::invalid(
            "support_end",
            format!("support_end: {d:?} is not a date (YYYY-MM-DD)"),
        ));
    }
    Ok(ProductInput {
        name: body.name,
        description: body.description,
        catalogue_entries: body.catalogue_entries,
        category: category.as_str().to_string(),
        member_states: states,
        estimated_users: body.estimated_users,
        support_end: body.support_end,
    })
}

/// `GET /api/v1/products`.
pub async fn list_products(
    State(app): State<App>,
    caller: Caller,
) -> Result<Json<Vec<Product>>, ApiError> {
    Ok(Json(app.store.products(caller.org_id).await?))
}

/// `POST /api/v1/products`.
pub async fn create_product(
    State(app): State<App>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let input = product_input(json_body(&body)?)?;
    let p = app
        .store
        .create_product(caller.org_id, &input, &caller.actor, app.now())
        .await?;
    Ok((StatusCode::CREATED, Json(p)).into_response())
}

/// `GET /api/v1/products/{id}`.
pub async fn get_product(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Product>, ApiError> {
    Ok(Json(app.store.product(caller.org_id, id).await?))
}

/// `PUT /api/v1/products/{id}`.
pub async fn update_product(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Json<Product>, ApiError> {
    caller.require(Role::Editor)?;
    let input = product_input(json_body(&body)?)?;
    Ok(Json(
        app.store
            .update_product(caller.org_id, id, &input, &caller.actor, app.now())
            .await?,
    ))
}

/// Release body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseBody {
    version: String,
    #[serde(default)]
    released_on: Option<String>,
}

/// `GET /api/v1/products/{id}/releases`.
pub async fn list_releases(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<Release>>, ApiError> {
    app.store.product(caller.org_id, id).await?;
    Ok(Json(app.store.releases(caller.org_id, id).await?))
}

/// `POST /api/v1/products/{id}/releases`.
pub async fn create_release(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: ReleaseBody = json_body(&body)?;
    let r = app
        .store
        .create_release(
            caller.org_id,
            id,
            &b.version,
            b.released_on.as_deref(),
            &caller.actor,
            app.now(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

/// `GET /api/v1/releases/{id}`.
pub async fn get_release(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Release>, ApiError> {
    Ok(Json(app.store.release(caller.org_id, id).await?))
}

/// An SBOM upload read and parsed: the bytes received (with their SHA-256), the SBOM and the
/// file name. Checks the release first, so a foreign id answers 404 without reading the body.
pub(crate) async fn read_upload(
    app: &App,
    caller: &Caller,
    id: i64,
    q: &HashMap<String, String>,
    body: Body,
) -> Result<(crate::upload::Received, cyres_sbom::Sbom, String), ApiError> {
    app.store.release(caller.org_id, id).await?;
    let limit = app.config.max_upload_bytes;
    let received = receive(body, limit).await?;
    let file_name = q.get("filename").cloned().unwrap_or_else(|| "sbom".into());
    if file_name.len() > 255 || file_name.contains(['/', '\\', '\0']) {
        return Err(ApiError::invalid(
            "filename",
            "filename: a plain file name of at most 255 characters",
        ));
    }
    let name = file_name.clone();
    let (bytes, sbom) = tokio::task::spawn_blocking(move || {
        let limits = cyres_sbom::Limits { max_bytes: limit };
        let sbom = cyres_sbom::read(&received.bytes, &name, &limits);
        (received, sbom)
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?;
    let sbom = sbom.map_err(|e| {
        let status = match e {
            cyres_sbom::SbomError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        ApiError::new(status, "invalid_sbom", e.to_string())
    })?;
    Ok((bytes, sbom, file_name))
}

/// `POST|PUT /api/v1/releases/{id}/sbom?filename=…`: the body is the SBOM file itself, in any
/// format the engine reads (detected from the content). Streamed under the configured limit;
/// parsed off the async executor; stored with its components and findings in one transaction.
pub async fn upload_sbom(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
    body: Body,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let (bytes, sbom, file_name) = read_upload(&app, &caller, id, &q, body).await?;
    let outcome = app
        .store
        .ingest_sbom(
            caller.org_id,
            id,
            &cyres_store::SbomUpload {
                file_name: &file_name,
                original: &bytes.bytes,
                sha256: &bytes.sha256,
                sbom: &sbom,
            },
            &caller.actor,
            app.now(),
        )
        .await?;
    if outcome.alerts > 0 {
        app.wake_worker();
    }
    tracing::info!(
        org = caller.org_id,
        release = id,
        components = outcome.components,
        findings = outcome.findings,
        "sbom ingested"
    );
    crate::service::policy::announce_violations(&app, caller.org_id, id).await;
    Ok(ingest_answer(&outcome, &sbom, &bytes.sha256))
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
            "diagnostics": sbom.diagnostics,
            "sha256": sha256,
        })),
    )
        .into_response()
}

/// `GET /api/v1/releases/{id}/sbom`: metadata and quality diagnostics.
pub async fn get_sbom(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let r = app.store.release(caller.org_id, id).await?;
    let sbom_id = r.sbom_id.ok_or_else(|| ApiError::not_found("sbom"))?;
    Ok(Json(app.store.sbom_meta(caller.org_id, sbom_id).await?).into_response())
}

/// `GET /api/v1/releases/{id}/sbom/original`: the bytes as uploaded.
pub async fn get_sbom_original(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let r = app.store.release(caller.org_id, id).await?;
    let sbom_id = r.sbom_id.ok_or_else(|| ApiError::not_found("sbom"))?;
    let bytes = app.store.sbom_original(caller.org_id, sbom_id).await?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
}
