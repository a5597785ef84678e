//! Components over HTTP (issue 17, point 1): the portfolio search
//! (`GET /api/v1/components?q=&purl=&version=&licence=&limit=&offset=`), a release's components
//! with their findings (`GET /api/v1/releases/{id}/components`) and the dependency path of a
//! finding's component (`GET /api/v1/findings/{id}/path`); and the findings search of issue 17
//! point 2 (`GET /api/v1/findings?q=&sort=&offset=`). The rules live in `service::components`
//! and `service::finding_search`.

use super::int_param;
use crate::auth::Caller;
use crate::service::components as comp;
use crate::service::finding_search as search;
use crate::{ApiError, App};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use cyres_store::{ComponentQuery, FindingSearch};
use std::collections::HashMap;

/// `GET /api/v1/components?q=&purl=&version=&licence=&limit=&offset=`: every component of the
/// organisation's releases matching the search.
pub(super) async fn search(
    State(app): State<App>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let query = ComponentQuery {
        q: q.get("q").cloned(),
        purl: q.get("purl").cloned(),
        version: q.get("version").cloned(),
        licence: q.get("licence").or_else(|| q.get("license")).cloned(),
        limit: int_param("limit", q.get("limit"))?,
        offset: int_param("offset", q.get("offset"))?,
    };
    Ok(Json(comp::search(&app, &caller, &query).await?).into_response())
}

/// `GET /api/v1/releases/{id}/components?after=&limit=&findings=only`: the release's
/// components in SBOM order, each with its findings and direct flag.
pub(super) async fn release_components(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let after = int_param("after", q.get("after"))?.unwrap_or(-1);
    let limit = int_param("limit", q.get("limit"))?.unwrap_or(500);
    let only = match q.get("findings").map(String::as_str) {
        None | Some("all") => false,
        Some("only") => true,
        Some(other) => {
            return Err(ApiError::invalid(
                "findings",
                format!("findings: {other:?} is not all or only"),
            ));
        }
    };
    let page = comp::release_components(&app, &caller, id, after, limit, only).await?;
    Ok(Json(page.components).into_response())
}

/// `GET /api/v1/findings/{id}/path`: how the finding's component came into the release.
pub(super) async fn finding_path(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(comp::finding_path(&app, &caller, id).await?).into_response())
}

/// `GET /api/v1/findings?q=&sort=&offset=` (with the list's filters): the findings search,
/// actively exploited first across the whole result; the body is the list's array and the
/// `x-next-offset` header gives the next page.
pub(crate) async fn finding_search(
    app: &App,
    caller: &Caller,
    search: &FindingSearch,
) -> Result<Response, ApiError> {
    let page = search::search(app, caller, search).await?;
    let mut response = (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        super::findings::rows_json(app, &page.findings).await?,
    )
        .into_response();
    if let Some(next) = page.next_offset {
        response.headers_mut().insert(
            "x-next-offset",
            HeaderValue::from_str(&next.to_string())
                .map_err(|e| ApiError::internal(e.to_string()))?,
        );
    }
    Ok(response)
}
