//! Findings: the filtered list, and one finding with its triage form and history.
//!
//! Triage records a VEX status (CISA VEX minimum requirements: under investigation, affected,
//! not affected with a justification, fixed) and a comment; the store keeps every decision.

use super::dashboard::deadline_lines;
use super::session::UiSession;
use super::view::{Chrome, FindingLine, Form, Names, Nav, UiError, ok, render, status_label, when};
use crate::{ApiError, App};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cyres_store::{JUSTIFICATIONS, Role, SEVERITIES, VexStatus};

/// A choice in a select.
pub(super) struct Choice {
    /// Value.
    pub value: String,
    /// Label.
    pub label: String,
}

fn choices(values: &[&str], label: impl Fn(&str) -> String) -> Vec<Choice> {
    values
        .iter()
        .map(|v| Choice {
            value: v.to_string(),
            label: label(v),
        })
        .collect()
}

const STATUSES: [&str; 4] = ["under_investigation", "affected", "not_affected", "fixed"];

#[derive(Template)]
#[template(path = "findings.html")]
struct ListPage {
    chrome: Chrome,
    filter: Form,
    severities: Vec<Choice>,
    statuses: Vec<Choice>,
    products: Vec<Choice>,
    findings: Vec<FindingLine>,
    sorts: Vec<Choice>,
    headers: Vec<SortHeader>,
    /// The list's query without order and page (the CSV link, the sort links).
    query: String,
    next: Option<String>,
}

/// The orders the list offers (after "actively exploited first").
const SORTS: [(&str, &str); 9] = [
    ("", "triage (severity, score)"),
    ("-first_seen", "newest first"),
    ("first_seen", "oldest first"),
    ("-score", "score, highest first"),
    ("advisory", "advisory"),
    ("component", "component"),
    ("product", "product and release"),
    ("status", "status"),
    ("severity", "severity"),
];

/// A column heading of the findings list that sorts by its column.
pub(super) struct SortHeader {
    /// The heading.
    pub label: &'static str,
    /// The list sorted by this column (reversed when it already is).
    pub href: String,
    /// `ascending`, `descending` or `none` (WAI-ARIA `aria-sort`).
    pub aria_sort: &'static str,
}

/// The list's columns and the sort word of each.
const COLUMNS: [(&str, &str); 6] = [
    ("Severity", "severity"),
    ("Advisory", "advisory"),
    ("Component", "component"),
    ("Product · release", "product"),
    ("Status", "status"),
    ("First seen", "first_seen"),
];

/// The filter fields kept in the list's links (the order and the page aside).
const FILTER_KEYS: [&str; 5] = ["q", "severity", "exploited", "status", "product"];

/// The column headings: a click sorts by the column, a second click reverses it.
fn sort_headers(query: &str, sort: &str) -> Vec<SortHeader> {
    COLUMNS
        .iter()
        .map(|(label, word)| {
            let (aria_sort, next) = if sort == *word {
                ("ascending", format!("-{word}"))
            } else if sort.strip_prefix('-') == Some(word) {
                ("descending", word.to_string())
            } else {
                ("none", word.to_string())
            };
            let sep = if query.is_empty() { "" } else { "&" };
            SortHeader {
                label,
                href: format!("/findings?{query}{sep}sort={next}"),
                aria_sort,
            }
        })
        .collect()
}

/// `GET /findings?q=&severity=&exploited=&status=&product=&sort=&offset=`: `status=open` means
/// under investigation or affected; `q` searches ids, aliases, components and summaries.
pub(super) async fn list(
    State(app): State<App>,
    sess: UiSession,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut filter = Form::new(q);
    // The one reading of a findings query (the API, the CSV export and bulk triage share it).
    let parsed = crate::service::finding_search::from_query(|k| {
        FILTER_KEYS
            .iter()
            .chain(&["sort", "offset"])
            .any(|f| *f == k)
            .then(|| filter.get(k))
    });
    let search = match parsed {
        Ok(s) => Some(s),
        Err(e) => {
            filter.fail(e.field.as_deref().unwrap_or("q"), e.message);
            None
        }
    };
    let names = Names::load(&app, sess.org_id).await?;
    let products = app.store.products(sess.org_id).await?;
    let page_size = 200i64;
    let query = FILTER_KEYS
        .iter()
        .filter(|k| !filter.get(k).is_empty())
        .map(|k| format!("{k}={}", super::view::query_escape(filter.get(k))))
        .collect::<Vec<_>>()
        .join("&");
    // One search for every filter: actively exploited first across the whole result, then the
    // chosen order, pages by offset (issue 17, point 2).
    let (rows, next) = match search {
        None => (Vec::new(), None),
        Some(mut search) => {
            search.filter.limit = Some(page_size);
            let page =
                crate::service::finding_search::search(&app, &sess.principal(), &search).await?;
            let next = page.next_offset.map(|offset| {
                let sort = filter.get("sort");
                let mut q = query.clone();
                for (k, v) in [("sort", sort.to_string()), ("offset", offset.to_string())] {
                    if !v.is_empty() {
                        if !q.is_empty() {
                            q.push('&');
                        }
                        q.push_str(&format!("{k}={}", super::view::query_escape(&v)));
                    }
                }
                format!("/findings?{q}")
            });
            (page.findings, next)
        }
    };
    let related = app
        .store
        .related_exploited_many(&rows, &mut cyres_store::RelatedCache::default())
        .await?;
    let mut statuses = choices(&["open"], |_| {
        "open (under investigation or affected)".into()
    });
    statuses.extend(choices(&STATUSES, |s| status_label(s).into()));
    ok(&ListPage {
        chrome: sess.chrome("Findings", Nav::Findings),
        severities: choices(&SEVERITIES, str::to_string),
        statuses,
        products: products
            .iter()
            .map(|p| Choice {
                value: p.id.to_string(),
                label: p.name.clone(),
            })
            .collect(),
        findings: rows
            .iter()
            .zip(related)
            .map(|(f, related)| FindingLine {
                related_exploited: related,
                ..names.line(f)
            })
            .collect(),
        sorts: SORTS
            .iter()
            .map(|(value, label)| Choice {
                value: value.to_string(),
                label: label.to_string(),
            })
            .collect(),
        headers: sort_headers(&query, filter.get("sort")),
        query,
        filter,
        next,
    })
}

/// One triage decision for people.
pub(super) struct HistoryLine {
    /// When.
    pub at: String,
    /// Status.
    pub status: &'static str,
    /// Justification.
    pub justification: String,
    /// Comment.
    pub comment: String,
    /// Who.
    pub actor: String,
}

#[derive(Template)]
#[template(path = "finding.html")]
struct FindingPage {
    chrome: Chrome,
    f: FindingLine,
    aliases: Vec<String>,
    more_aliases: usize,
    purl: String,
    match_kind: String,
    /// For an analyst decision: "<vendor:product>, decided by <who>, <when>".
    decided_cpe: String,
    /// The "resolve this CPE" link's query (the component's identity; empty: no link).
    resolve_subject: String,
    fixed: String,
    justification: String,
    updated: String,
    deadlines: Vec<super::dashboard::DeadlineLine>,
    history: Vec<HistoryLine>,
    form: Form,
    statuses: Vec<Choice>,
    justifications: Vec<Choice>,
    notice: bool,
    carried: super::vex::Carried,
    pulled_in_by: Option<super::components::PulledInBy>,
    release_id: i64,
    related_exploited: Vec<String>,
}

const ALIASES_SHOWN: usize = 6;

/// The other ids of the flaw worth showing first: CVE, then GHSA, then the rest (some
/// advisories carry dozens of distribution aliases).
fn shown_aliases(primary: &str, aliases: &[String]) -> Vec<String> {
    let rank = |a: &str| {
        if a.starts_with("CVE-") {
            0
        } else if a.starts_with("GHSA-") {
            1
        } else {
            2
        }
    };
    let mut v: Vec<String> = aliases.iter().filter(|a| *a != primary).cloned().collect();
    v.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.cmp(b)));
    v.truncate(ALIASES_SHOWN);
    v
}

async fn render_finding(
    app: &App,
    sess: &UiSession,
    id: i64,
    form: Option<Form>,
    notice: bool,
) -> Result<Response, UiError> {
    let f = app.store.finding(sess.org_id, id).await?;
    let names = Names::load(app, sess.org_id).await?;
    let history = app
        .store
        .triage_history(sess.org_id, id)
        .await?
        .into_iter()
        .rev()
        .map(|e| HistoryLine {
            at: when(e.at),
            status: status_label(e.status.as_str()),
            justification: e.justification.unwrap_or_default().replace('_', " "),
            comment: e.comment,
            actor: e.actor,
        })
        .collect();
    let deadlines = if f.exploited && f.status.is_open() {
        let (same, cases) = crate::art14_clock::inputs_for(app, sess.org_id, &f).await?;
        deadline_lines(&same, &cases, &names, app.now())
            .into_iter()
            .filter(|d| d.advisory_id == f.advisory_id)
            .collect()
    } else {
        Vec::new()
    };
    let status = if form.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let form = form.unwrap_or_else(|| {
        Form::new(vec![
            ("status".into(), f.status.as_str().into()),
            (
                "justification".into(),
                f.justification.clone().unwrap_or_default(),
            ),
        ])
    });
    // Issue 20, 3(c): who decided the CPE name a finding was matched under, and the way to
    // resolve a component's name for the whole portfolio.
    let decided_cpe = crate::service::cpe_resolution::of_finding(app, &sess.principal(), f.id)
        .await?
        .map(|d| {
            format!(
                "{}:{}, decided by {}, {}",
                d.vendor,
                d.product,
                d.decided_by,
                when(d.decided_at)
            )
        })
        .unwrap_or_default();
    // Offered on CPE findings (a purl finding's name is not in question).
    let resolve_subject = if matches!(
        f.match_kind.as_str(),
        "cpe" | "cpe_alias" | "analyst_decision"
    ) {
        crate::service::cpe_resolution::subject_of_finding(app, &sess.principal(), f.id)
            .await?
            .unwrap_or_default()
    } else {
        String::new()
    };
    let line = names.line(&f);
    let pulled_in_by = super::components::pulled_in_by(app, sess, f.id).await?;
    let page = FindingPage {
        chrome: sess.chrome(
            format!("{} in {}", f.advisory_id, line.component),
            Nav::Findings,
        ),
        aliases: shown_aliases(&f.advisory_id, &f.aliases),
        more_aliases: f
            .aliases
            .iter()
            .filter(|a| **a != f.advisory_id)
            .count()
            .saturating_sub(ALIASES_SHOWN),
        purl: f.component_purl.clone().unwrap_or_default(),
        match_kind: match_kind_label(&f.match_kind).into(),
        decided_cpe,
        resolve_subject,
        fixed: f.fixed_versions.join(", "),
        justification: f
            .justification
            .clone()
            .unwrap_or_default()
            .replace('_', " "),
        updated: when(f.updated_at),
        f: line,
        deadlines,
        history,
        form,
        statuses: choices(&STATUSES, |s| status_label(s).into()),
        justifications: choices(&JUSTIFICATIONS, |s| s.replace('_', " ")),
        notice,
        carried: super::vex::carried(app, sess, &f).await?,
        pulled_in_by,
        release_id: f.release_id,
        related_exploited: app.store.related_exploited(&f).await?,
    };
    render(status, &page)
}

/// The words a finding's match kind is shown with.
fn match_kind_label(kind: &str) -> &str {
    match kind {
        "cpe" => "exact CPE",
        "cpe_alias" => "resolved alias (CPE alias table)",
        "analyst_decision" => "analyst decision",
        other => other,
    }
}

/// `GET /findings/{id}`.
pub(super) async fn page(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let notice = q.iter().any(|(k, v)| k == "triaged" && v == "1");
    render_finding(&app, &sess, id, None, notice).await
}

/// `POST /findings/{id}`: a triage decision (editors).
pub(super) async fn triage(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(Role::Editor)?;
    let Some(status) = VexStatus::parse(form.get("status")) else {
        form.fail("status", "choose a status");
        return render_finding(&app, &sess, id, Some(form), false).await;
    };
    let justification = Some(form.get("justification")).filter(|j| !j.is_empty());
    let result = app
        .store
        .triage(
            sess.org_id,
            id,
            &cyres_store::Decision::status(status, justification, form.get("comment")),
            &sess.actor(),
            app.now(),
        )
        .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/findings/{id}?triaged=1")).into_response()),
        Err(e) => {
            let e = ApiError::from(e);
            if e.status == StatusCode::UNPROCESSABLE_ENTITY {
                form.fail_api(&e);
                render_finding(&app, &sess, id, Some(form), false).await
            } else {
                Err(e.into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn column_headings_sort_and_reverse() {
        let h = super::sort_headers("q=openssl", "component");
        let c = h.iter().find(|h| h.label == "Component").unwrap();
        assert_eq!(
            (c.href.as_str(), c.aria_sort),
            ("/findings?q=openssl&sort=-component", "ascending")
        );
        let s = h.iter().find(|h| h.label == "Severity").unwrap();
        assert_eq!(
            (s.href.as_str(), s.aria_sort),
            ("/findings?q=openssl&sort=severity", "none")
        );
        let h = super::sort_headers("", "-first_seen");
        let f = h.iter().find(|h| h.label == "First seen").unwrap();
        assert_eq!(
            (f.href.as_str(), f.aria_sort),
            ("/findings?sort=first_seen", "descending")
        );
    }

    #[test]
    fn cve_aliases_come_first() {
        let a: Vec<String> = ["BIT-x-1", "GHSA-a", "CVE-2023-44487", "ID"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            super::shown_aliases("ID", &a),
            vec!["CVE-2023-44487", "GHSA-a", "BIT-x-1"]
        );
    }
}
