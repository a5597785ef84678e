//! Invitations over the API. The invited person lists, accepts and declines their own
//! (`/api/v1/invitations`, a logged-in session, even one of an account in no organisation
//! yet); an administrator lists and withdraws the organisation's pending ones
//! (`/api/v1/members/invitations`). Inviting itself is `POST /api/v1/members`.

use crate::auth::{Caller, Person};
use crate::{ApiError, App};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// `GET /api/v1/invitations`: the invitations waiting for the logged-in person.
pub(super) async fn mine(State(app): State<App>, person: Person) -> Result<Response, ApiError> {
    Ok(Json(app.store.invitations_for(&person.account.email).await?).into_response())
}

/// `POST /api/v1/invitations/{id}/accept`: become a member with the offered role. A session
/// that acted for no organisation now acts for this one.
pub(super) async fn accept(
    State(app): State<App>,
    person: Person,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let inv = person.accept(&app, id).await?;
    let org = app.store.org(inv.org_id).await?;
    Ok(Json(serde_json::json!({"org": org, "role": inv.role})).into_response())
}

/// `POST /api/v1/invitations/{id}/decline`.
pub(super) async fn decline(
    State(app): State<App>,
    person: Person,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    crate::service::accounts::decline_invitation(&app, person.account.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/members/invitations` (admin): the organisation's pending invitations.
pub(super) async fn pending(State(app): State<App>, caller: Caller) -> Result<Response, ApiError> {
    Ok(Json(crate::service::admin::pending_invitations(&app, &caller).await?).into_response())
}

/// `DELETE /api/v1/members/invitations/{id}` (admin).
pub(super) async fn withdraw(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    crate::service::admin::withdraw_invitation(&app, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
