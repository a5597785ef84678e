//! The dashboard: a security lead's Monday morning on one page. Products by CRA category, open
//! findings by severity, the actively exploited ones first, the nearest CRA Art. 14 deadlines
//! with a countdown, and a chart of open findings over the last 30 days.

use super::chart;
use super::session::UiSession;
use super::view::{Chrome, FindingLine, Names, Nav, UiError, ok, severity_rank, triage_order};
use crate::App;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use cyres_cra::StageKind;
use cyres_store::{FindingFilter, FindingRow};
use std::collections::BTreeMap;

/// Products in one category.
pub(super) struct CategoryRow {
    /// Machine word.
    pub category: String,
    /// For people.
    pub label: &'static str,
    /// Products (id, name).
    pub products: Vec<(i64, String)>,
}

/// Open findings of one severity.
pub(super) struct SeverityRow {
    /// Severity word.
    pub severity: String,
    /// Open.
    pub open: i64,
    /// Of which actively exploited.
    pub exploited: i64,
}

/// One Art. 14 report due for an actively exploited vulnerability in a product.
pub(super) struct DeadlineLine {
    /// A finding of the case, to link to.
    pub finding_id: i64,
    /// Advisory id.
    pub advisory_id: String,
    /// Product name.
    pub product: String,
    /// Stage for people.
    pub stage: &'static str,
    /// Legal basis.
    pub basis: &'static str,
    /// Due time, formatted.
    pub due: String,
    /// "due in 3 h 10 min" / "overdue by 1 d".
    pub countdown: String,
    /// Past due.
    pub overdue: bool,
    seconds_left: i64,
    /// Where the clock counts from (confirmed awareness, or provisional first evidence).
    pub clock: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    categories: Vec<CategoryRow>,
    product_count: usize,
    severities: Vec<SeverityRow>,
    open_total: i64,
    exploited_total: i64,
    findings: Vec<FindingLine>,
    deadlines: Vec<DeadlineLine>,
    chart: String,
    /// Listings naming this organisation as an economic operator (Arts 18-20).
    supplied: usize,
}

/// Human label of a category word.
pub(super) fn category_label(c: &str) -> &'static str {
    match c {
        "critical" => "Critical (Annex IV)",
        "important-class-2" => "Important, class II (Annex III)",
        "important-class-1" => "Important, class I (Annex III)",
        "default" => "Default",
        _ => "Unclassified",
    }
}

/// Every open finding of the organisation (under investigation or affected), actively
/// exploited first.
pub(super) async fn open_findings(
    app: &App,
    org_id: i64,
    product_id: Option<i64>,
) -> Result<Vec<FindingRow>, UiError> {
    let mut out = Vec::new();
    for status in [
        cyres_store::VexStatus::UnderInvestigation,
        cyres_store::VexStatus::Affected,
    ] {
        out.extend(
            app.store
                .findings(
                    org_id,
                    &FindingFilter {
                        product_id,
                        status: Some(status),
                        limit: Some(1000),
                        ..Default::default()
                    },
                )
                .await?,
        );
    }
    triage_order(&mut out);
    Ok(out)
}

/// The Art. 14(2)(a)–(b) reports due for each actively exploited vulnerability still open in a
/// product, from the one clock of [`crate::art14_clock`]; overdue first, then the nearest.
pub(super) fn deadline_lines(
    open: &[FindingRow],
    cases: &[cyres_store::CaseRow],
    names: &Names,
    now: i64,
) -> Vec<DeadlineLine> {
    let mut lines = Vec::new();
    for clock in crate::art14_clock::clocks(open, cases, crate::clock::at(now)) {
        let Some(f) = open.iter().find(|f| f.id == clock.finding_id) else {
            continue;
        };
        let note = clock.basis.explain();
        for stage in clock.deadlines.stages {
            let label = match stage.stage {
                StageKind::EarlyWarning => "Early warning (24 h)",
                StageKind::Notification => "Vulnerability notification (72 h)",
                _ => continue,
            };
            let Some(due) = stage.due else {
                continue;
            };
            let left = stage.seconds_left;
            lines.push(DeadlineLine {
                finding_id: f.id,
                advisory_id: f.advisory_id.clone(),
                product: names.line(f).product,
                stage: label,
                basis: stage.basis,
                due: super::view::when(due.unix_timestamp()),
                countdown: stage.status_text.clone(),
                overdue: left.is_some_and(|l| l < 0),
                seconds_left: left.unwrap_or(i64::MAX),
                clock: note.clone(),
            });
        }
    }
    lines.sort_by_key(|l| l.seconds_left);
    lines
}

/// `GET /`.
pub(super) async fn page(State(app): State<App>, sess: UiSession) -> Result<Response, UiError> {
    let now = app.now();
    let products = app.store.products(sess.org_id).await?;
    let mut categories: Vec<CategoryRow> = [
        "critical",
        "important-class-2",
        "important-class-1",
        "default",
    ]
    .iter()
    .map(|c| CategoryRow {
        category: c.to_string(),
        label: category_label(c),
        products: Vec::new(),
    })
    .collect();
    for p in &products {
        let i = categories
            .iter()
            .position(|c| c.category == p.category)
            .unwrap_or(categories.len() - 1);
        categories[i].products.push((p.id, p.name.clone()));
    }
    let mut by_sev: BTreeMap<(u8, String), (i64, i64)> = BTreeMap::new();
    for (sev, exploited, n) in app.store.open_finding_counts(sess.org_id).await? {
        let e = by_sev
            .entry((severity_rank(&sev), sev.clone()))
            .or_default();
        e.0 += n;
        if exploited {
            e.1 += n;
        }
    }
    let severities: Vec<SeverityRow> = by_sev
        .into_iter()
        .map(|((_, severity), (open, exploited))| SeverityRow {
            severity,
            open,
            exploited,
        })
        .collect();
    let names = Names::load(&app, sess.org_id).await?;
    let open = open_findings(&app, sess.org_id, None).await?;
    let cases = app.store.cases(sess.org_id).await?;
    let deadlines = deadline_lines(&open, &cases, &names, now);
    let top = open.iter().take(10).map(|f| names.line(f)).collect();
    // The same numbers as the Trends page and `GET /api/v1/metrics`.
    let trend = crate::service::metrics::metrics(&app, &sess.principal(), None, 30, now).await?;
    let chart = chart::open_total(&trend.series);
    ok(&DashboardPage {
        chrome: sess.chrome("Dashboard", Nav::Dashboard),
        product_count: products.len(),
        categories,
        open_total: severities.iter().map(|s| s.open).sum(),
        exploited_total: severities.iter().map(|s| s.exploited).sum(),
        severities,
        findings: top,
        deadlines: deadlines.into_iter().take(10).collect(),
        chart,
        supplied: crate::service::compliance::supplied_count(&app, &sess.principal()).await?,
    })
}
