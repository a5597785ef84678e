//! Triage that carries over and VEX in the web UI (issue 17 points 3 and 4): where a finding's
//! decision comes from (inherited, or a suggestion from another component version), the bulk
//! triage form of the findings list (`POST /findings/triage`) and the VEX import of a release
//! (`POST /releases/{id}/vex`) with its per-statement report. Downloads (VEX, CSV, the original
//! SBOM) are links to the API, which a session may read.

use super::session::UiSession;
use super::view::{Chrome, Form, Nav, UiError, ok, status_label};
use crate::App;
use crate::service::{ServiceError, triage, vex};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use cyres_store::{Decision, FindingRow, Role, StatementReport, TriageTarget, VexStatus};

/// A suggestion from another component version, for people.
pub(super) struct SuggestionView {
    /// The release that decided, its version.
    pub release: String,
    /// The component version it decided for.
    pub component_version: String,
    /// The status word.
    pub status: String,
    /// Its label.
    pub status_label: &'static str,
    /// The justification word (empty when none).
    pub justification: String,
}

/// The finding page's carried-over facts.
#[derive(Default)]
pub(super) struct Carried {
    /// "inherited from VERSION" when the decision is another release's.
    pub inherited_from: Option<String>,
    /// An earlier version's decision, offered.
    pub suggestion: Option<SuggestionView>,
    /// The decision's impact statement.
    pub impact_statement: String,
    /// Its action statement.
    pub action_statement: String,
    /// Its responses, readable.
    pub responses: String,
}

/// Where the finding's decision comes from.
pub(super) async fn carried(
    app: &App,
    sess: &UiSession,
    f: &FindingRow,
) -> Result<Carried, UiError> {
    let o = triage::origin(app, &sess.principal(), f.id).await?;
    Ok(Carried {
        inherited_from: o.inherited_from.map(|(_, v)| v),
        suggestion: o.suggestion.map(|s| SuggestionView {
            release: s.release_version,
            component_version: s.component_version.unwrap_or_default(),
            status: s.status.as_str().to_string(),
            status_label: status_label(s.status.as_str()),
            justification: s.justification.unwrap_or_default(),
        }),
        impact_statement: f.vex.impact_statement.clone().unwrap_or_default(),
        action_statement: f.vex.action_statement.clone().unwrap_or_default(),
        responses: f.vex.responses.join(", ").replace('_', " "),
    })
}

/// The filter fields the findings list and its bulk form share.
const FILTER_FIELDS: [&str; 5] = ["q", "product", "severity", "exploited", "status"];

/// `POST /findings/triage`: one decision on every finding the list's query shows (all pages;
/// the same findings as the list and its CSV export), in one transaction (editors).
pub(super) async fn bulk(
    State(app): State<App>,
    sess: UiSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(Role::Editor)?;
    let who = sess.principal();
    let bad = |f: &str, m: String| UiError::from(crate::service::ServiceError::invalid(f, m));
    let search = crate::service::finding_search::from_query(|k| {
        FILTER_FIELDS.contains(&k).then(|| form.get(k))
    })?;
    triage::check_filter(&search, form.get("all") == "yes")?;
    let target = TriageTarget::Filter(search);
    let status = VexStatus::parse(form.get("decision"))
        .ok_or_else(|| bad("decision", "decision: choose a status".into()))?;
    let text = |k: &str| Some(form.get(k).to_string()).filter(|s| !s.trim().is_empty());
    let decision = Decision {
        status,
        justification: text("justification"),
        impact_statement: text("impact_statement"),
        action_statement: text("action_statement"),
        responses: Vec::new(),
        comment: form.get("comment").to_string(),
    };
    let s = triage::bulk_triage(&app, &who, &target, &decision).await?;
    let mut q: Vec<String> = FILTER_FIELDS
        .iter()
        .filter(|k| !form.get(k).is_empty())
        .map(|k| format!("{k}={}", super::view::query_escape(form.get(k))))
        .collect();
    q.push(format!("bulk={}", s.decided));
    q.push(format!("carried={}", s.carried));
    Ok(Redirect::to(&format!("/findings?{}", q.join("&"))).into_response())
}

/// One statement's outcome, for people.
pub(super) struct OutcomeLine {
    /// Statement number (from 1).
    pub n: usize,
    /// Vulnerability.
    pub vulnerability: String,
    /// Component.
    pub component: String,
    /// Outcome word.
    pub outcome: String,
    /// Why.
    pub reason: String,
    /// The findings it met.
    pub findings: Vec<i64>,
}

#[derive(Template)]
#[template(path = "vex_import.html")]
struct ImportPage {
    chrome: Chrome,
    release_id: i64,
    product_id: i64,
    format: &'static str,
    policy: String,
    lines: Vec<OutcomeLine>,
    notes: Vec<String>,
}

fn line(r: &StatementReport) -> Result<OutcomeLine, ServiceError> {
    let v = crate::service::to_json("VEX import outcome", &r.outcome)?;
    let reason = v["reason"]
        .as_str()
        .map(str::to_string)
        .or_else(|| {
            v["problems"].as_array().map(|p| {
                p.iter()
                    .filter_map(|x| x.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            })
        })
        .unwrap_or_default();
    Ok(OutcomeLine {
        n: r.index + 1,
        vulnerability: r.vulnerability.clone(),
        component: r.component.clone(),
        outcome: v["outcome"].as_str().unwrap_or_default().to_string(),
        reason,
        findings: r.finding_ids.clone(),
    })
}

/// `POST /releases/{id}/vex`: a VEX file (multipart `file`, `policy`, `csrf`) imported onto
/// the release; the page reports every statement (editors).
pub(super) async fn import(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> Result<Response, UiError> {
    let limit = app.config.max_upload_bytes as usize;
    let mut fields = Vec::new();
    let mut file = Vec::new();
    let err = |e: axum::extract::multipart::MultipartError| {
        UiError::from(crate::service::ServiceError::bad_request(format!(
            "upload: {e}"
        )))
    };
    while let Some(mut field) = multipart.next_field().await.map_err(err)? {
        match field.name() {
            Some("file") => {
                while let Some(chunk) = field.chunk().await.map_err(err)? {
                    if file.len() + chunk.len() > limit {
                        return Err(UiError::from(crate::service::ServiceError::new(
                            crate::service::ErrorKind::TooLarge,
                            "too_large",
                            format!("the file is over the limit of {limit} bytes"),
                        )));
                    }
                    file.extend_from_slice(&chunk);
                }
            }
            Some(name) => {
                let name = name.to_string();
                fields.push((name, field.text().await.map_err(err)?));
            }
            None => {}
        }
    }
    let form = Form::new(fields);
    sess.check(&form)?;
    sess.require(Role::Editor)?;
    let policy = vex::policy(Some(form.get("policy")))?;
    let release = app.store.release(sess.org_id, id).await?;
    let r = vex::import(&app, &sess.principal(), id, &file, None, policy).await?;
    ok(&ImportPage {
        chrome: sess.chrome("VEX import", Nav::Products),
        release_id: id,
        product_id: release.product_id,
        format: r.format,
        policy: form.get("policy").replace('_', " "),
        lines: r.statements.iter().map(line).collect::<Result<_, _>>()?,
        notes: r
            .notes
            .iter()
            .map(|(i, n)| format!("statement {}: {n}", i + 1))
            .collect(),
    })
}

/// The fields of a voluntary report (CVD intake, Art. 15 notification) as received, for the
/// case page: (label, text), in the order of the public form.
pub(super) fn report_content(body: Option<&serde_json::Value>) -> Vec<(String, String)> {
    let Some(v) = body.and_then(|b| b.get("voluntary")) else {
        return Vec::new();
    };
    let text = |x: &serde_json::Value| match x {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => a
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| i.to_string())
            })
            .collect::<Vec<_>>()
            .join(", "),
        serde_json::Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    [
        ("/reported_kind", "Kind"),
        ("/title", "Title"),
        ("/manufacturer", "Manufacturer"),
        ("/product", "Product"),
        ("/versions", "Versions"),
        ("/description", "Description"),
        ("/cve_ids", "CVE ids"),
        ("/references", "References"),
        ("/member_states", "Member states"),
        ("/reporter/name", "Reporter"),
        ("/reporter/contact", "Reporter's contact"),
        ("/received_at", "Received"),
    ]
    .iter()
    .filter_map(|(k, label)| {
        let mut t = text(v.pointer(k)?);
        if *k == "/reported_kind" {
            t = t.replace('_', " ");
        }
        (!t.is_empty()).then(|| (label.to_string(), t))
    })
    .collect()
}

/// `POST /cases/{id}/dismiss`: a proposal dismissed with a reason (editors).
pub(super) async fn dismiss(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let form = Form::new(pairs);
    sess.check(&form)?;
    triage::dismiss_proposal(&app, &sess.principal(), id, form.get("reason")).await?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}
