//! Lifecycle routes (issue 17, point 5): archive (`DELETE /products/{id}`) and restore a
//! product, retire and reinstate a release, replace its SBOM as a new version
//! (`PUT /releases/{id}/sbom`) and see what changed. Operations in `crate::service::lifecycle`.

use super::inventory::{ingest_answer, read_upload};
use super::{int_param, json_body};
use crate::auth::Caller;
use crate::service::lifecycle;
use crate::{ApiError, App};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use cyres_store::{Retirement, Role};
use std::collections::HashMap;

/// `DELETE /api/v1/products/{id}` (editor): archives the product (never deletes it); the
/// answer names the Art. 14 cases in progress that continue.
pub(super) async fn archive(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(lifecycle::archive_product(&app, &caller, id).await?).into_response())
}

/// `POST /api/v1/products/{id}/restore` (admin).
pub(super) async fn restore(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(lifecycle::restore_product(&app, &caller, id).await?).into_response())
}

/// `GET /api/v1/products/archived`.
pub(super) async fn archived(State(app): State<App>, caller: Caller) -> Result<Response, ApiError> {
    let list = lifecycle::archived_products(&app, &caller).await?;
    Ok(Json(
        list.into_iter()
            .map(|(p, at)| serde_json::json!({"product": p, "archived_at": at}))
            .collect::<Vec<_>>(),
    )
    .into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RetireBody {
    kind: Retirement,
}

/// `POST /api/v1/releases/{id}/retire` (editor): `{"kind": "retired" | "end_of_support"}`.
pub(super) async fn retire(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: RetireBody = json_body(&body)?;
    Ok(Json(lifecycle::set_retirement(&app, &caller, id, Some(b.kind)).await?).into_response())
}

/// `POST /api/v1/releases/{id}/reinstate` (editor).
pub(super) async fn reinstate(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(lifecycle::set_retirement(&app, &caller, id, None).await?).into_response())
}

/// `GET /api/v1/releases/{id}/lifecycle`: retirement and SBOM versions.
pub(super) async fn state(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(lifecycle::release_state(&app, &caller, id).await?).into_response())
}

/// `GET /api/v1/releases/{id}/sbom/diff?from=&to=` (SBOM ids; by default the previous version
/// and the current one).
pub(super) async fn diff(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let from = int_param("from", q.get("from"))?;
    let to = int_param("to", q.get("to"))?;
    Ok(Json(lifecycle::sbom_diff(&app, &caller, id, from, to).await?).into_response())
}

/// `PUT /api/v1/releases/{id}/sbom?filename=…` (editor): the SBOM as the release's next
/// version (its first when it has none).
pub(super) async fn replace_sbom(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
    body: Body,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let file = read_upload(&app, &caller, id, &q, body).await?;
    let (file, sbom) = crate::service::inventory::parse_sbom(&app, file).await?;
    let outcome = lifecycle::replace_sbom(
        &app,
        &caller,
        id,
        &cyres_store::SbomUpload {
            file_name: &file.name,
            original: &file.bytes,
            sha256: &file.sha256,
            sbom: &sbom,
        },
    )
    .await?;
    Ok(ingest_answer(&outcome, &sbom, &file.sha256))
}
