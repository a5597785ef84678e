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
use cyres_store::{FindingFilter, FindingSearch, JUSTIFICATIONS, Role, SEVERITIES, VexStatus};

/// A choice in a select.
pub struct Choice {
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

/// `GET /findings?q=&severity=&exploited=&status=&product=&sort=&offset=`: `status=open` means
/// under investigation or affected; `q` searches ids, aliases, components and summaries.
pub async fn list(
    State(app): State<App>,
    sess: UiSession,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut filter = Form::new(q);
    let severity = Some(filter.get("severity").to_ascii_lowercase()).filter(|s| !s.is_empty());
    if let Some(s) = &severity
        && !SEVERITIES.contains(&s.as_str())
    {
        filter.fail("severity", format!("{s:?} is not a severity"));
    }
    let exploited = match filter.get("exploited") {
        "" => None,
        "true" => Some(true),
        "false" => Some(false),
        _ => {
            filter.fail("exploited", "choose yes or no");
            None
        }
    };
    let status_word = filter.get("status").to_string();
    let status = match status_word.as_str() {
        "" | "open" => None,
        s => {
            let st = VexStatus::parse(s);
            if st.is_none() {
                filter.fail("status", format!("{s:?} is not a status"));
            }
            st
        }
    };
    let product_id = match filter.get("product") {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                filter.fail("product", "choose a product");
                None
            }
        },
    };
    let (sort, descending) = match crate::service::finding_search::sort(Some(filter.get("sort"))) {
        Ok(s) => s,
        Err(e) => {
            filter.fail("sort", e.message);
            Default::default()
        }
    };
    let names = Names::load(&app, sess.org_id).await?;
    let products = app.store.products(sess.org_id).await?;
    let page_size = 200i64;
    // One search for every filter: actively exploited first across the whole result, then the
    // chosen order, pages by offset (issue 17, point 2).
    let (rows, next) = if filter.failed() {
        (Vec::new(), None)
    } else {
        let search = FindingSearch {
            filter: FindingFilter {
                product_id,
                severity: severity.clone(),
                exploited,
                status,
                limit: Some(page_size),
                ..Default::default()
            },
            open_only: status_word == "open",
            q: Some(filter.get("q").to_string()).filter(|q| !q.trim().is_empty()),
            sort,
            descending,
            offset: filter.get("offset").parse().unwrap_or(0),
        };
        let page = crate::service::finding_search::search(&app, &sess.principal(), &search).await?;
        let next = page.next_offset.map(|offset| {
            let mut q: Vec<String> = ["q", "severity", "exploited", "status", "product", "sort"]
                .iter()
                .filter(|k| !filter.get(k).is_empty())
                .map(|k| format!("{k}={}", super::view::query_escape(filter.get(k))))
                .collect();
            q.push(format!("offset={offset}"));
            format!("/findings?{}", q.join("&"))
        });
        (page.findings, next)
    };
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
        findings: rows.iter().map(|f| names.line(f)).collect(),
        sorts: SORTS
            .iter()
            .map(|(value, label)| Choice {
                value: value.to_string(),
                label: label.to_string(),
            })
            .collect(),
        filter,
        next,
    })
}

/// One triage decision for people.
pub struct HistoryLine {
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
        match_kind: f.match_kind.clone(),
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

/// `GET /findings/{id}`.
pub async fn page(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let notice = q.iter().any(|(k, v)| k == "triaged" && v == "1");
    render_finding(&app, &sess, id, None, notice).await
}

/// `POST /findings/{id}`: a triage decision (editors).
pub async fn triage(
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
            status,
            justification,
            form.get("comment"),
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
