//! Members' accounts over HTTP: removing a member and password-reset links. The rules live in
//! `service::accounts`.

use super::json_body;
use crate::auth::Caller;
use crate::service::accounts;
use crate::{ApiError, App};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// `DELETE /api/v1/members/{account_id}` (admin): never the last administrator.
pub(super) async fn remove_member(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    accounts::remove_member(&app, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/members/{account_id}/password-reset` (admin): a one-time link, shown once.
pub(super) async fn issue_reset(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let issued = accounts::issue_reset(&app, &caller, id).await?;
    Ok((StatusCode::CREATED, Json(issued)).into_response())
}

/// The body of `POST /api/v1/password-reset`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Redeem {
    token: String,
    password: String,
}

/// `POST /api/v1/password-reset` (public; the link's token is the credential): sets the new
/// password and ends every session of the account.
pub(super) async fn redeem(State(app): State<App>, body: Bytes) -> Result<StatusCode, ApiError> {
    let b: Redeem = json_body(&body)?;
    accounts::redeem_reset(&app, &b.token, &b.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
