//! The Conformity page of a product (issue 16): the Annex I record with its gaps and
//! completeness, the risk assessment's version, the evidence documents, the issued
//! declarations (issue one, download HTML/PDF/JSON, out-of-date marking naming the changed
//! fact) and the technical documentation ZIP. Everything shown is `service::conformity`'s, the
//! same `GET /api/v1/products/{id}/requirements` answers; the downloads are the API's routes
//! (a session cookie reads them like a token).

use super::compliance as comp_view;
use super::forms::rfc3339;
use super::session::UiSession;
use super::view::{Chrome, Nav, UiError, ok};
use crate::App;
use crate::service::compliance as comp;
use crate::service::conformity as conf;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use cyres_conformity::record::applicability_name;
use cyres_store::Role;

/// One Annex I item as shown.
pub(super) struct ItemRow {
    /// Item id (`part1-2a`), the form fields' suffix.
    pub id: &'static str,
    /// `applies`, `does-not-apply` or empty.
    pub applicability: &'static str,
    /// Justification as recorded.
    pub justification: String,
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
pub(super) struct DeclarationRow {
    /// Version.
    pub version: u32,
    /// Issue time.
    pub issued_at: String,
    /// Who issued it.
    pub issued_by: String,
    /// Whether it still matches the facts.
    pub current: bool,
    /// Whether this version is the one served publicly.
    pub published: bool,
    /// Each changed fact with its Annex V point, or why the facts no longer form a declaration.
    pub changes: Vec<String>,
}

/// One document version as shown.
pub(super) struct DocumentRow {
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
    admin: bool,
    notice: String,
    error: String,
    release: String,
    completeness: u8,
    complete_items: usize,
    total_items: usize,
    risk: String,
    risk_json: String,
    unaddressed: String,
    items: Vec<ItemRow>,
    documents: Vec<DocumentRow>,
    declarations: Vec<DeclarationRow>,
    declaration_problem: String,
    public_url: String,
    simplified: String,
    retention: String,
    placed_first: String,
    placed_last: String,
    placing_saved: String,
    operators: Vec<OperatorRow>,
    supplies: Vec<comp_view::SupplyRow>,
    member_states: Vec<&'static str>,
    upstream: Vec<comp_view::UpstreamRow>,
    requests: Vec<comp_view::RequestRow>,
}

/// One economic operator as shown.
pub(super) struct OperatorRow {
    /// Id.
    pub id: i64,
    /// Member state code.
    pub member_state: String,
    /// Role word.
    pub role: String,
    /// Name, address and contact.
    pub who: String,
    /// Latest check, described.
    pub check: String,
    /// Whether the latest check passed.
    pub passed: bool,
    /// Importers and distributors check; representatives do not.
    pub checks: bool,
}

/// `GET /products/{id}/conformity` (members).
pub(super) async fn page(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let notice = q
        .iter()
        .find(|(k, _)| k == "issued" || k == "done")
        .map(|(k, v)| {
            if k == "issued" {
                format!("Declaration version {v} issued.")
            } else {
                comp_view::done_message(v).to_string()
            }
        })
        .unwrap_or_default();
    render_page(&app, &sess, id, notice, String::new()).await
}

/// The Conformity page with `notice` (after a change) or `error` (a refused change, the page
/// as stored otherwise).
pub(super) async fn render_page(
    app: &App,
    sess: &UiSession,
    id: i64,
    notice: String,
    error: String,
) -> Result<Response, UiError> {
    let who = sess.principal();
    let v = conf::view(app, &who, id).await?;
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
    let risk_json = match &v.facts.risk_assessment {
        Some(r) => serde_json::to_string_pretty(r)
            .map_err(|e| crate::service::ServiceError::internal(format!("risk assessment: {e}")))?,
        None => comp_view::RISK_SKELETON.to_string(),
    };
    let (public_url, published) = comp::publication(app, &who, id).await?;
    let published_version = published.map(|(v, _)| v);
    let simplified = match v.declarations.last() {
        Some(d) => comp::simplified_text(app, &who, id, i64::from(d.version))
            .await
            .unwrap_or_else(|e| e.message),
        None => String::new(),
    };
    let ops = comp::operators_view(app, &who, id).await?;
    let product = app.store.product(who.org_id, id).await?;
    let member_states: Vec<&'static str> = if product.member_states.is_empty() {
        cyres_cra::MemberState::all().map(|m| m.code()).collect()
    } else {
        product
            .member_states
            .iter()
            .filter_map(|c| cyres_cra::MemberState::from_code(c))
            .map(|m| m.code())
            .collect()
    };
    let a = &v.assessment;
    ok(&ConformityPage {
        chrome: sess.chrome(format!("Conformity of {}", v.product), Nav::Products),
        product_id: id,
        editor: sess.role >= Role::Editor,
        admin: sess.role >= Role::Admin,
        notice,
        error,
        release: a.release.clone(),
        completeness: a.completeness_percent,
        complete_items: a.complete_items,
        total_items: a.total_items,
        risk,
        risk_json,
        unaddressed: v.unaddressed_threats.join(", "),
        items: a
            .items
            .iter()
            .map(|i| ItemRow {
                id: i.item.id(),
                applicability: i.applicability.map_or("", applicability_name),
                justification: i.justification.clone().unwrap_or_default(),
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
                published: published_version == Some(i64::from(d.version)),
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
        public_url: if published_version.is_some() {
            public_url
        } else {
            String::new()
        },
        simplified,
        retention: match &v.retention_until {
            Some(d) => format!("Kept until {d}: {}.", v.retention_rule),
            None => format!("No end yet: {}.", v.retention_rule),
        },
        placed_first: v
            .placing
            .placing
            .first
            .map(cyres_cra::calendar::iso_date::format)
            .unwrap_or_default(),
        placed_last: v
            .placing
            .placing
            .last
            .map(cyres_cra::calendar::iso_date::format)
            .unwrap_or_default(),
        placing_saved: match (&v.placing.updated_by, v.placing.updated_at) {
            (Some(by), Some(at)) => format!("set by {by}, {}", rfc3339(crate::clock::at(at))),
            _ => "not recorded yet".to_string(),
        },
        operators: ops
            .member_states
            .values()
            .flatten()
            .map(|l| OperatorRow {
                id: l.operator.id,
                member_state: l.operator.member_state.clone(),
                role: l.operator.role.clone(),
                who: format!(
                    "{}, {} ({})",
                    l.operator.name, l.operator.address, l.operator.contact
                ),
                check: comp_view::check_line(l.latest_check.as_ref()),
                passed: l.latest_check.as_ref().is_some_and(|c| c.passed),
                checks: l.operator.role != "authorised-representative",
            })
            .collect(),
        supplies: ops
            .supply_records
            .iter()
            .map(comp_view::supply_row)
            .collect(),
        member_states,
        upstream: comp::reports(app, &who, Some(id), None)
            .await?
            .iter()
            .map(comp_view::upstream_row)
            .collect::<Result<_, _>>()?,
        requests: comp::requests(app, &who, id)
            .await?
            .iter()
            .map(comp_view::request_row)
            .collect(),
    })
}

/// `POST /products/{id}/conformity/declarations` (editors): issues the next declaration.
pub(super) async fn issue(
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

/// `GET /public/{slug}/products/{id}/declaration?format=html|pdf|json&lang=` (public): the
/// published EU declaration of conformity, at the exact address the simplified declaration
/// carries (CRA Annex VI); not found until the manufacturer publishes a version.
pub(super) async fn public_declaration(
    State(app): State<App>,
    Path((slug, id)): Path<(String, i64)>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let format = conf::DocFormat::from_ext(get("format").unwrap_or("html"))
        .ok_or_else(|| crate::service::ServiceError::not_found("declaration format"))?;
    let bytes =
        comp::public_declaration(&app, &slug, id, format, get("lang").unwrap_or("en")).await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, format.content_type())],
        bytes,
    )
        .into_response())
}
