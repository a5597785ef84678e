//! The authority's CSAF lister over HTTP (issue 18, point 6): the providers it lists, their
//! pulls, the documents accepted and the refusals, and the public `aggregator.json`. The rules
//! live in `service::csaf_lister`.

use super::json_body;
use super::public_face::host;
use crate::auth::Caller;
use crate::service::csaf_lister as lister;
use crate::{ApiError, App};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// The body of `POST /api/v1/csaf/providers`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewProvider {
    /// The provider's `provider-metadata.json`, or its domain.
    url: String,
}

/// `GET /api/v1/csaf/providers` (authority members): the providers listed, with the last pull.
pub(super) async fn list(State(app): State<App>, caller: Caller) -> Result<Response, ApiError> {
    Ok(Json(lister::sources(&app, &caller).await?).into_response())
}

/// `POST /api/v1/csaf/providers` (authority editors): lists a provider and pulls it once.
pub(super) async fn add(
    State(app): State<App>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let input: NewProvider = json_body(&body)?;
    let source = lister::add(&app, &caller, &input.url).await?;
    Ok((StatusCode::CREATED, Json(source)).into_response())
}

/// `GET /api/v1/csaf/providers/{id}` (authority members): the provider, the documents held
/// and what its last pull refused.
pub(super) async fn get_one(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (source, documents, refused) = lister::detail(&app, &caller, id).await?;
    Ok(Json(serde_json::json!({
        "provider": source,
        "documents": documents,
        "refused": refused,
    }))
    .into_response())
}

/// `DELETE /api/v1/csaf/providers/{id}` (authority editors).
pub(super) async fn remove(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    lister::remove(&app, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /api/v1/csaf/providers/{id}/pull` (authority editors): pulls now.
pub(super) async fn pull(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(lister::pull(&app, &caller, id).await?).into_response())
}

/// `GET /api/v1/csaf/held/{id}` (authority members): a held document, as it was read.
pub(super) async fn document(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let body = lister::document(&app, &caller, id).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// `GET /.well-known/csaf-aggregator/aggregator.json` (public; requirement 21): the lister's
/// list; 404 while no provider has been read.
pub(super) async fn aggregator_json(
    State(app): State<App>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    match lister::aggregator_json(&app, host(&headers)).await? {
        Some(list) => Ok((
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            ],
            serde_json::to_string_pretty(&list).map_err(|e| ApiError::internal(e.to_string()))?,
        )
            .into_response()),
        None => Err(ApiError::not_found("aggregator.json")),
    }
}
