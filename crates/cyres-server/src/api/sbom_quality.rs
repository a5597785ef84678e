//! `GET /api/v1/releases/{id}/sbom/quality?profile=bsi|ntia`: the release's SBOM scored against
//! BSI TR-03183-2 v2.0 (default) or the NTIA minimum elements (issue 20, point 6).

use crate::auth::Caller;
use crate::service::sbom_quality::{profile_of, release_quality};
use crate::{ApiError, App};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

/// The quality report, as `cyres sbom check --format json` prints it.
pub(super) async fn get_quality(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let profile = profile_of(q.get("profile").map(String::as_str))?;
    let report = release_quality(&app, &caller, id, profile).await?;
    Ok(Json(report).into_response())
}
