//! The Conformity page of a product (issue 16): the Annex I record with its gaps and
//! completeness, the risk assessment's version, the evidence documents, the issued
//! declarations (issue one, download HTML/PDF/JSON, out-of-date marking naming the changed
//! fact) and the technical documentation ZIP. Everything shown is `service::conformity`'s, the
//! same `GET /api/v1/products/{id}/requirements` answers; the downloads are the API's routes
//! (a session cookie reads them like a token).

use super::forms::rfc3339;
use super::session::UiSession;
use super::view::{Chrome, Nav, UiError, ok};
use crate::App;
use crate::service::conformity as conf;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use cyres_conformity::record::applicability_name;
use cyres_store::Role;

/// One Annex I item as shown.
pub struct ItemRow {
    /// `CRA Annex I Part I (2)(a)`.
    pub reference: &'static str,
    /// The requirement's text.
    pub text: &'static str,
    /// `applies`, `does-not-apply` or `not assessed`.
    pub state: &'static str,
    /// How it is met.
    pub how_met: String,
    /// Evidence labels.
    pub evidence: Vec<String>,
    /// Gaps, described.
    pub gaps: Vec<String>,
}

/// One issued declaration as shown.
pub struct DeclarationRow {
    /// Version.
    pub version: u32,
    /// Issue time.
    pub issued_at: String,
    /// Who issued it.
    pub issued_by: String,
    /// Whether it still matches the facts.
    pub current: bool,
    /// Each changed fact with its Annex V point, or why the facts no longer form a declaration.
    pub changes: Vec<String>,
}

/// One document version as shown.
pub struct DocumentRow {
    /// Id.
    pub id: String,
    /// Version.
    pub version: i64,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: String,
    /// SHA-256.
    pub sha256: String,
    /// Bytes.
    pub size: i64,
}

#[derive(Template)]
#[template(path = "conformity.html")]
struct ConformityPage {
    chrome: Chrome,
    product_id: i64,
    editor: bool,
    notice: String,
    release: String,
    completeness: u8,
    complete_items: usize,
    total_items: usize,
    risk: String,
    unaddressed: String,
    items: Vec<ItemRow>,
    documents: Vec<DocumentRow>,
    declarations: Vec<DeclarationRow>,
    declaration_problem: String,
    retention: String,
}

/// `GET /products/{id}/conformity` (members).
pub async fn page(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let v = conf::view(&app, &sess.principal(), id).await?;
    let notice = q
        .iter()
        .find(|(k, _)| k == "issued")
        .map(|(_, v)| format!("Declaration version {v} issued."))
        .unwrap_or_default();
    let risk = match (&v.facts.risk_assessment, &v.risk_version) {
        (Some(r), Some(s)) => format!(
            "Version {} of {} (saved as version {} by {})",
            r.version,
            cyres_cra::calendar::iso_date::format(r.date),
            s.version,
            s.author
        ),
        _ => "Missing (CRA Art. 13(2)-(3))".to_string(),
    };
    let a = &v.assessment;
    ok(&ConformityPage {
        chrome: sess.chrome(format!("Conformity of {}", v.product), Nav::Products),
        product_id: id,
        editor: sess.role >= Role::Editor,
        notice,
        release: a.release.clone(),
        completeness: a.completeness_percent,
        complete_items: a.complete_items,
        total_items: a.total_items,
        risk,
        unaddressed: v.unaddressed_threats.join(", "),
        items: a
            .items
            .iter()
            .map(|i| ItemRow {
                reference: i.reference,
                text: i.text,
                state: i.applicability.map_or("not assessed", applicability_name),
                how_met: i.how_met.clone().unwrap_or_default(),
                evidence: i.evidence.iter().map(|e| e.label()).collect(),
                gaps: i.gaps.iter().map(|g| g.describe()).collect(),
            })
            .collect(),
        documents: v
            .documents
            .iter()
            .map(|d| DocumentRow {
                id: d.doc_key.clone(),
                version: d.version,
                title: d.title.clone(),
                kind: d.kind.clone(),
                sha256: d.sha256.clone(),
                size: d.size,
            })
            .collect(),
        declarations: v
            .declarations
            .iter()
            .rev()
            .map(|d| DeclarationRow {
                version: d.version,
                issued_at: rfc3339(d.issued_at),
                issued_by: d.issued_by.clone(),
                current: d.up_to_date(),
                changes: d
                    .currency
                    .changed
                    .iter()
                    .map(|c| format!("{} changed ({})", c.fact, c.reference))
                    .chain(d.current_problem.clone())
                    .collect(),
            })
            .collect(),
        declaration_problem: v.declaration_problem.unwrap_or_default(),
        retention: match &v.retention_until {
            Some(d) => format!("Kept until {d}: {}", v.retention_rule),
            None => v.retention_rule.clone(),
        },
    })
}

/// `POST /products/{id}/conformity/declarations` (editors): issues the next declaration.
pub async fn issue(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    sess.check(&super::view::Form::new(pairs))?;
    sess.require(Role::Editor)?;
    let line = conf::issue(&app, &sess.principal(), id).await?;
    Ok(Redirect::to(&format!(
        "/products/{id}/conformity?issued={}",
        line.version
    ))
    .into_response())
}
