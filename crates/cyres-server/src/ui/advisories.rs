//! Advisories: search by id, alias or package name, and one advisory with the products and
//! releases of the caller's organisation it affects. Advisory data is shared by every tenant;
//! the findings shown are only the caller's.

use super::session::UiSession;
use super::view::{Chrome, FindingLine, Form, Names, Nav, UiError, ok, triage_order};
use crate::App;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use cyres_store::{AdvisoryRow, FindingFilter};

#[derive(Template)]
#[template(path = "advisories.html")]
struct SearchPage {
    chrome: Chrome,
    q: Form,
    results: Vec<AdvisoryRow>,
    searched: bool,
}

/// `GET /advisories?q=`.
pub(super) async fn search(
    State(app): State<App>,
    sess: UiSession,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let q = Form::new(q);
    let text = q.get("q").to_string();
    let results = app.store.search_advisories(&text, 100).await?;
    ok(&SearchPage {
        chrome: sess.chrome("Advisories", Nav::Advisories),
        searched: !text.is_empty(),
        q,
        results,
    })
}

/// An affected package range as published.
pub(super) struct AffectedView {
    /// Ecosystem.
    pub ecosystem: String,
    /// Package name.
    pub name: String,
    /// Ranges and versions, summarised.
    pub ranges: String,
}

#[derive(Template)]
#[template(path = "advisory.html")]
struct AdvisoryPage {
    chrome: Chrome,
    row: AdvisoryRow,
    details: String,
    severity: Vec<String>,
    affected: Vec<AffectedView>,
    /// (url, whether it may be a link: http or https only, never `javascript:`).
    references: Vec<(String, bool)>,
    findings: Vec<FindingLine>,
    /// (product id, product, releases).
    products: Vec<(i64, String, String)>,
}

/// `GET /advisories/{id}`: by id or alias.
pub(super) async fn page(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let (row, adv) = app.store.advisory(&id).await?;
    let names = Names::load(&app, sess.org_id).await?;
    let mut rows = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for aid in std::iter::once(&row.id).chain(row.aliases.iter()) {
        if !seen.insert(aid.clone()) {
            continue;
        }
        rows.extend(
            app.store
                .findings(
                    sess.org_id,
                    &FindingFilter {
                        advisory_id: Some(aid.clone()),
                        limit: Some(1000),
                        ..Default::default()
                    },
                )
                .await?,
        );
    }
    rows.sort_by_key(|f| f.id);
    rows.dedup_by_key(|f| f.id);
    triage_order(&mut rows);
    let findings: Vec<FindingLine> = rows.iter().map(|f| names.line(f)).collect();
    let mut products: Vec<(i64, String, String)> = Vec::new();
    for f in &findings {
        match products.iter_mut().find(|p| p.0 == f.product_id) {
            Some(p) => {
                if !p.2.split(", ").any(|r| r == f.release) {
                    p.2.push_str(", ");
                    p.2.push_str(&f.release);
                }
            }
            None => products.push((f.product_id, f.product.clone(), f.release.clone())),
        }
    }
    let affected = adv
        .affected
        .iter()
        .map(|a| {
            let mut parts = Vec::new();
            for r in &a.ranges {
                let text = range_text(&crate::service::to_json("OSV range", r)?);
                if !text.is_empty() {
                    parts.push(text);
                }
            }
            if !a.versions.is_empty() {
                let shown: Vec<&str> = a.versions.iter().take(8).map(String::as_str).collect();
                parts.push(format!(
                    "versions {}{}",
                    shown.join(", "),
                    if a.versions.len() > 8 { ", …" } else { "" }
                ));
            }
            Ok(AffectedView {
                ecosystem: a.package.ecosystem.clone(),
                name: a.package.name.clone(),
                ranges: parts.join("; "),
            })
        })
        .collect::<Result<_, crate::service::ServiceError>>()?;
    ok(&AdvisoryPage {
        chrome: sess.chrome(row.id.clone(), Nav::Advisories),
        details: adv.details.clone().unwrap_or_default(),
        severity: adv
            .severity
            .iter()
            .map(|s| format!("{} {}", s.kind, s.score))
            .collect(),
        affected,
        references: adv
            .references
            .iter()
            .take(20)
            .map(|r| {
                let linkable = r.starts_with("https://") || r.starts_with("http://");
                (r.clone(), linkable)
            })
            .collect(),
        row,
        findings,
        products,
    })
}

/// "introduced 1.0, fixed 1.2.3" from an OSV range (as JSON, so the range type stays the
/// vulnerability crate's business).
fn range_text(v: &serde_json::Value) -> String {
    let Some(events) = v.get("events").and_then(|e| e.as_array()) else {
        return String::new();
    };
    events
        .iter()
        .filter_map(|e| e.as_object())
        .flat_map(|o| o.iter())
        .filter_map(|(k, v)| v.as_str().map(|v| format!("{k} {v}")))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn ranges_read_as_text() {
        let v = serde_json::json!({"type": "SEMVER", "events": [{"introduced": "0", "fixed": null}, {"fixed": "1.2.3"}]});
        assert_eq!(super::range_text(&v), "introduced 0, fixed 1.2.3");
        assert_eq!(super::range_text(&serde_json::json!({})), "");
    }
}
