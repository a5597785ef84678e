//! Trends over HTTP: `GET /api/v1/metrics` (JSON) and `GET /api/v1/metrics.csv` (the daily
//! series). The numbers are `service::metrics`'s, the same the dashboard and the Trends page
//! draw.

use super::int_param;
use crate::auth::Caller;
use crate::service::metrics;
use crate::{ApiError, App};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

/// Days shown when the caller does not say.
pub(crate) const DEFAULT_DAYS: i64 = 90;

async fn load(
    app: &App,
    caller: &Caller,
    q: &HashMap<String, String>,
) -> Result<metrics::Metrics, ApiError> {
    let product = int_param("product", q.get("product"))?;
    let days = int_param("days", q.get("days"))?.unwrap_or(DEFAULT_DAYS);
    Ok(metrics::metrics(app, caller, product, days, app.now()).await?)
}

/// `GET /api/v1/metrics?product=&days=`: open findings per day by severity band, exploited,
/// exposure, time to triage and to fix.
pub(super) async fn get(
    State(app): State<App>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    Ok(Json(load(&app, &caller, &q).await?).into_response())
}

/// `GET /api/v1/metrics.csv?product=&days=`: the daily series as CSV.
pub(super) async fn csv(
    State(app): State<App>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let m = load(&app, &caller, &q).await?;
    let name = match m.product_id {
        Some(p) => format!("cyres-trends-product-{p}.csv"),
        None => "cyres-trends.csv".to_string(),
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        metrics::csv(&m),
    )
        .into_response())
}
