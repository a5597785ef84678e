//! What every page shares: the page frame ([`Chrome`]: who is logged in, for which
//! organisation, the navigation and the CSRF token), rendering a template into a response,
//! the HTML error page, form fields with their per-field errors, and formatting of times,
//! severities and durations for people.

use crate::ApiError;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use cyres_store::{FindingRow, StoreError};
use std::collections::BTreeMap;

/// Which navigation entry is current (`aria-current="page"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Nav {
    /// `/`.
    Dashboard,
    /// `/products`.
    Products,
    /// `/findings`.
    Findings,
    /// `/advisories`.
    Advisories,
    /// `/settings`.
    Settings,
    /// `/cases`.
    Cases,
    /// `/fleet`.
    Fleet,
    /// `/upstream-reports/received` (stewards, CRA Art. 24).
    Received,
}

/// One organisation in the switcher.
#[derive(Clone, Debug)]
pub(crate) struct OrgChoice {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// The caller's role there.
    pub role: String,
    /// The one acted for now.
    pub current: bool,
}

/// The frame around every logged-in page.
#[derive(Clone, Debug)]
pub(crate) struct Chrome {
    /// `<title>` and `<h1>`.
    pub title: String,
    /// Current navigation entry.
    pub nav: Nav,
    /// The person.
    pub email: String,
    /// The organisation acted for.
    pub org_name: String,
    /// Role there (`viewer`, `editor`, `admin`).
    pub role: String,
    /// The session's CSRF token, for hidden form fields.
    pub csrf: String,
    /// Every organisation the person belongs to (the switcher shows when there are several).
    pub orgs: Vec<OrgChoice>,
    /// May change inventory and triage.
    pub can_edit: bool,
    /// May manage members, tokens and webhooks.
    pub is_admin: bool,
    /// Invitations waiting for the person's answer (a link shows when there are any).
    pub invitations: usize,
    /// The organisation receives vulnerability reports from manufacturers (an open-source
    /// steward, CRA Art. 24): the navigation links the reports received.
    pub receives_reports: bool,
}

impl Chrome {
    /// `aria-current` for a navigation link.
    pub(crate) fn current(&self, nav: &str) -> &'static str {
        let now = match self.nav {
            Nav::Dashboard => "dashboard",
            Nav::Products => "products",
            Nav::Findings => "findings",
            Nav::Advisories => "advisories",
            Nav::Settings => "settings",
            Nav::Cases => "cases",
            Nav::Fleet => "fleet",
            Nav::Received => "received",
        };
        if now == nav { "page" } else { "false" }
    }
}

/// An error shown as an HTML page.
#[derive(Debug)]
pub(crate) struct UiError(pub ApiError);

impl From<ApiError> for UiError {
    fn from(e: ApiError) -> Self {
        Self(e)
    }
}

impl From<crate::service::ServiceError> for UiError {
    fn from(e: crate::service::ServiceError) -> Self {
        Self(e.into())
    }
}

impl From<StoreError> for UiError {
    fn from(e: StoreError) -> Self {
        Self(e.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    reason: &'a str,
    message: &'a str,
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        let status = self.0.status;
        let page = ErrorPage {
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("Error"),
            message: &self.0.message,
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, self.0.message).into_response(),
        }
    }
}

/// Renders a template with a status.
pub(crate) fn render<T: Template>(status: StatusCode, t: &T) -> Result<Response, UiError> {
    let html = t
        .render()
        .map_err(|e| ApiError::internal(format!("template: {e}")))?;
    Ok((status, SECURITY_HEADERS, Html(html)).into_response())
}

/// Pages load nothing from elsewhere, run no script, cannot be framed, post forms only here,
/// and are not kept in caches (they carry CSRF tokens and tenant data).
const SECURITY_HEADERS: [(axum::http::HeaderName, &str); 4] = [
    (
        axum::http::header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    (axum::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (axum::http::header::REFERRER_POLICY, "same-origin"),
    (axum::http::header::CACHE_CONTROL, "no-store"),
];

/// Renders a template with 200.
pub(crate) fn ok<T: Template>(t: &T) -> Result<Response, UiError> {
    render(StatusCode::OK, t)
}

/// A submitted form: its values in order (repeated names kept, for multi-selects) and the
/// errors found, keyed by field name.
#[derive(Clone, Debug, Default)]
pub(crate) struct Form {
    values: Vec<(String, String)>,
    errors: BTreeMap<String, String>,
}

impl Form {
    /// From decoded pairs.
    pub(crate) fn new(values: Vec<(String, String)>) -> Self {
        Self {
            values,
            errors: BTreeMap::new(),
        }
    }

    /// The first value of a field, trimmed; empty when absent.
    pub(crate) fn get(&self, name: &str) -> &str {
        self.raw(name).trim()
    }

    /// The first value of a field exactly as sent (untrimmed); empty when absent. For values
    /// that must be refused rather than repaired, like a redirect target.
    pub(crate) fn raw(&self, name: &str) -> &str {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Every value of a field.
    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.values
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// Whether the field was sent at all (even empty).
    pub(crate) fn present(&self, name: &str) -> bool {
        self.values.iter().any(|(k, _)| k == name)
    }

    /// Whether a multi-select value was chosen.
    pub(crate) fn has(&self, name: &str, value: &str) -> bool {
        self.values.iter().any(|(k, v)| k == name && v == value)
    }

    /// Whether `value` is the chosen value of a single select.
    pub(crate) fn selected(&self, name: &str, value: &str) -> bool {
        self.get(name) == value
    }

    /// Records an error for a field.
    pub(crate) fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.errors
            .entry(field.to_string())
            .or_insert_with(|| message.into());
    }

    /// Records an API error next to its field (or under `_form` when it names none).
    pub(crate) fn fail_api(&mut self, e: &ApiError) {
        let field = e.field.clone().unwrap_or_else(|| "_form".into());
        self.fail(&field, e.message.clone());
    }

    /// Records a service error next to its field (or under `_form` when it names none).
    pub(crate) fn fail_service(&mut self, e: &crate::service::ServiceError) {
        let field = e.field.clone().unwrap_or_else(|| "_form".into());
        self.fail(&field, e.message.clone());
    }

    /// The error of a field, if any.
    pub(crate) fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }

    /// Whether any error was recorded.
    pub(crate) fn failed(&self) -> bool {
        !self.errors.is_empty()
    }

    /// `aria-invalid` value for a field.
    pub(crate) fn invalid(&self, field: &str) -> &'static str {
        if self.errors.contains_key(field) {
            "true"
        } else {
            "false"
        }
    }
}

pub(crate) use crate::clock::{day, when};

/// Sort rank of a severity word: critical first, unknown last.
pub(crate) fn severity_rank(s: &str) -> u8 {
    match s {
        "critical" => 0,
        "high" => 1,
        "medium" => 2,
        "low" => 3,
        "none" => 4,
        _ => 5,
    }
}

/// Actively exploited first, then by severity, then by score, then newest.
pub(crate) fn triage_order(findings: &mut [FindingRow]) {
    findings.sort_by(|a, b| {
        b.exploited
            .cmp(&a.exploited)
            .then(severity_rank(&a.severity).cmp(&severity_rank(&b.severity)))
            .then(
                b.score
                    .unwrap_or(-1.0)
                    .partial_cmp(&a.score.unwrap_or(-1.0))
                    .unwrap_or(std::cmp::Ordering::Equal),
            )
            .then(b.id.cmp(&a.id))
    });
}

/// A finding as listed in tables.
#[derive(Clone, Debug)]
pub(crate) struct FindingLine {
    /// Id.
    pub id: i64,
    /// Advisory id.
    pub advisory_id: String,
    /// Summary or the advisory id.
    pub summary: String,
    /// `name@version`.
    pub component: String,
    /// Product name.
    pub product: String,
    /// Product id.
    pub product_id: i64,
    /// Release version.
    pub release: String,
    /// Severity word.
    pub severity: String,
    /// CVSS score, formatted.
    pub score: String,
    /// The record the severity was borrowed from (empty: the finding's own).
    pub severity_source: String,
    /// Actively exploited.
    pub exploited: bool,
    /// Actively exploited CVEs the records name only as related (filled by the findings list).
    pub related_exploited: Vec<String>,
    /// VEX status for people.
    pub status_text: &'static str,
    /// First seen, formatted.
    pub first_seen: String,
}

/// Names for products and releases, to label findings.
#[derive(Debug, Default)]
pub(crate) struct Names {
    products: BTreeMap<i64, String>,
    releases: BTreeMap<i64, String>,
}

impl Names {
    /// Loads the organisation's product and release names.
    pub(crate) async fn load(app: &crate::App, org_id: i64) -> Result<Self, UiError> {
        let mut names = Names::default();
        for p in app.store.products(org_id).await? {
            for r in app.store.releases(org_id, p.id).await? {
                names.releases.insert(r.id, r.version);
            }
            names.products.insert(p.id, p.name);
        }
        Ok(names)
    }

    /// A table line for a finding.
    pub(crate) fn line(&self, f: &FindingRow) -> FindingLine {
        FindingLine {
            id: f.id,
            advisory_id: f.advisory_id.clone(),
            summary: f.summary.clone().unwrap_or_else(|| f.advisory_id.clone()),
            component: match &f.component_version {
                Some(v) => format!("{}@{v}", f.component_name),
                None => f.component_name.clone(),
            },
            product: self
                .products
                .get(&f.product_id)
                .cloned()
                .unwrap_or_else(|| format!("product {}", f.product_id)),
            product_id: f.product_id,
            release: self
                .releases
                .get(&f.release_id)
                .cloned()
                .unwrap_or_else(|| format!("release {}", f.release_id)),
            severity: f.severity.clone(),
            score: f.score.map(|s| format!("{s:.1}")).unwrap_or_default(),
            severity_source: f.severity_source.clone().unwrap_or_default(),
            exploited: f.exploited,
            related_exploited: Vec::new(),
            status_text: status_label(f.status.as_str()),
            first_seen: when(f.first_seen),
        }
    }
}

/// Human word for a VEX status.
pub(crate) fn status_label(s: &str) -> &'static str {
    match s {
        "under_investigation" => "under investigation",
        "affected" => "affected",
        "not_affected" => "not affected",
        "fixed" => "fixed",
        _ => "unknown",
    }
}

/// Percent-encodes a query value.
pub(crate) fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_escapes_for_people() {
        assert_eq!(when(1_790_000_000), "2026-09-21 14:13 UTC");
        assert_eq!(day(1_790_000_000), "2026-09-21");
        assert_eq!(query_escape("a b/ü"), "a%20b%2F%C3%BC");
        assert!(severity_rank("critical") < severity_rank("low"));
    }

    #[test]
    fn forms_keep_values_and_errors() {
        let mut f = Form::new(vec![
            ("name".into(), "  Router ".into()),
            ("e".into(), "a".into()),
            ("e".into(), "b".into()),
        ]);
        assert_eq!(f.get("name"), "Router");
        assert_eq!(f.all("e"), vec!["a", "b"]);
        assert!(f.has("e", "b") && !f.has("e", "c"));
        f.fail("name", "taken");
        f.fail("name", "second message is ignored");
        assert_eq!(f.error("name"), Some("taken"));
        assert_eq!(f.invalid("name"), "true");
        assert!(f.failed());
    }
}
