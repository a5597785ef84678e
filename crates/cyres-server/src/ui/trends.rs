//! Trends (issue 17, point 8): open findings over time by severity band with the exploited
//! ones marked, exposure, and time to triage and to fix, for the portfolio or one product,
//! drawn on the server; the numbers behind each chart in a table and as CSV. Every number is
//! `service::metrics`'s, the same the dashboard and `GET /api/v1/metrics` give.

use super::chart;
use super::session::UiSession;
use super::view::{Chrome, Nav, UiError, ok};
use crate::App;
use crate::service::ServiceError;
use crate::service::metrics::{self, BANDS, Duration};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use std::collections::HashMap;

/// The windows offered.
const WINDOWS: [i64; 3] = [30, 90, 365];

/// One row of the daily table.
pub(super) struct DayRow {
    /// Date.
    pub date: String,
    /// Per band, in [`BANDS`] order.
    pub open: [i64; 5],
    /// All bands.
    pub total: i64,
    /// Actively exploited.
    pub exploited: i64,
    /// Weighted.
    pub exposure: i64,
}

/// One row of a duration table.
pub(super) struct DurationRow {
    /// Band or `all`.
    pub band: &'static str,
    /// Decisions counted.
    pub count: usize,
    /// Mean, days, or a dash.
    pub mean: String,
    /// Median, days, or a dash.
    pub median: String,
}

fn duration_rows(rows: &[Duration]) -> Vec<DurationRow> {
    let show = |v: Option<f64>| v.map_or("–".to_string(), |d| format!("{d}"));
    rows.iter()
        .map(|r| DurationRow {
            band: r.band,
            count: r.count,
            mean: show(r.mean_days),
            median: show(r.median_days),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "trends.html")]
struct TrendsPage {
    chrome: Chrome,
    products: Vec<(i64, String)>,
    product_id: Option<i64>,
    windows: Vec<i64>,
    days: i64,
    bands: Vec<&'static str>,
    open_now: i64,
    exploited_now: i64,
    exposure_now: i64,
    undecided: i64,
    oldest_undecided_days: Option<i64>,
    by_band: String,
    exposure: String,
    triage: String,
    fix: String,
    triage_rows: Vec<DurationRow>,
    fix_rows: Vec<DurationRow>,
    table: Vec<DayRow>,
    csv: String,
}

/// `GET /trends?product=&days=`.
pub(super) async fn page(
    State(app): State<App>,
    sess: UiSession,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, UiError> {
    let number = |name: &str| -> Result<Option<i64>, ServiceError> {
        match q.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => s
                .parse()
                .map(Some)
                .map_err(|_| ServiceError::invalid(name, format!("{name}: {s:?} is not a number"))),
        }
    };
    let product_id = number("product")?;
    let days = number("days")?.unwrap_or(90);
    let m = metrics::metrics(&app, &sess.principal(), product_id, days, app.now()).await?;
    let products: Vec<(i64, String)> = app
        .store
        .products(sess.org_id)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let scope = product_id
        .and_then(|id| products.iter().find(|p| p.0 == id))
        .map_or("the portfolio".to_string(), |p| p.1.clone());
    let now = m.series.last();
    let mut csv = format!("/api/v1/metrics.csv?days={}", m.days);
    if let Some(p) = product_id {
        csv.push_str(&format!("&product={p}"));
    }
    ok(&TrendsPage {
        chrome: sess.chrome(format!("Trends for {scope}"), Nav::Dashboard),
        products,
        product_id,
        windows: WINDOWS.to_vec(),
        days: m.days,
        bands: BANDS.to_vec(),
        open_now: now.map_or(0, |p| p.total()),
        exploited_now: now.map_or(0, |p| p.exploited),
        exposure_now: now.map_or(0, |p| p.exposure),
        undecided: m.undecided,
        oldest_undecided_days: m.oldest_undecided_days,
        by_band: chart::by_band(&m.series),
        exposure: chart::exposure(&m.series),
        triage: chart::durations("ttt", "Mean time to triage, days", &m.time_to_triage),
        fix: chart::durations("ttf", "Mean time to fix, days", &m.time_to_fix),
        triage_rows: duration_rows(&m.time_to_triage),
        fix_rows: duration_rows(&m.time_to_fix),
        table: m
            .series
            .iter()
            .rev()
            .map(|p| DayRow {
                date: super::view::day(p.at),
                open: p.open,
                total: p.total(),
                exploited: p.exploited,
                exposure: p.exposure,
            })
            .collect(),
        csv,
    })
}
