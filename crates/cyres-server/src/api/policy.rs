//! Policy routes (issue 17, point 6): the organisation's and a product's policy, and a
//! release's gate for CI (`GET /releases/{id}/gate`). Operations in `crate::service::policy`.
//!
//! A policy body is JSON (`application/json`), or the TOML file `cyres scan --policy` reads
//! when sent as `application/toml` (the same format, `cyres_vuln::policy`).

use crate::auth::Caller;
use crate::service::policy;
use crate::{ApiError, App};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cyres_store::PolicyScope;

fn body_policy(headers: &HeaderMap, body: &[u8]) -> Result<cyres_vuln::policy::Policy, ApiError> {
    let toml = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/toml") || t.starts_with("text/toml"));
    Ok(policy::parse(body, toml)?)
}

/// `GET /api/v1/policies`: the organisation's policies.
pub(super) async fn list(State(app): State<App>, caller: Caller) -> Result<Response, ApiError> {
    Ok(Json(policy::policies(&app, &caller).await?).into_response())
}

/// `PUT /api/v1/policies/organisation` (admin).
pub(super) async fn put_org(
    State(app): State<App>,
    caller: Caller,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let p = body_policy(&headers, &body)?;
    policy::set(&app, &caller, PolicyScope::Organisation, Some(p)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE /api/v1/policies/organisation` (admin).
pub(super) async fn delete_org(
    State(app): State<App>,
    caller: Caller,
) -> Result<Response, ApiError> {
    policy::set(&app, &caller, PolicyScope::Organisation, None).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/v1/products/{id}/policy`: the policy that applies (its own or the
/// organisation's), `null` when none.
pub(super) async fn get_product(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(policy::effective(&app, &caller, id).await?).into_response())
}

/// `PUT /api/v1/products/{id}/policy` (admin): the product's own policy.
pub(super) async fn put_product(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let p = body_policy(&headers, &body)?;
    policy::set(&app, &caller, PolicyScope::Product(id), Some(p)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE /api/v1/products/{id}/policy` (admin): back to the organisation's policy.
pub(super) async fn delete_product(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    policy::set(&app, &caller, PolicyScope::Product(id), None).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/v1/releases/{id}/gate`: `pass` or `fail` with the violating findings and
/// components. Always 200: the answer is in the body (`result`), so CI reads one shape.
pub(super) async fn gate(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(policy::gate(&app, &caller, id).await?).into_response())
}
