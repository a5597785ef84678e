//! The Conformity section's forms (issue 16, points 3-5): the Annex I record and the risk
//! assessment edited in place, evidence uploads, deletions refused before the retention date
//! (CRA Art. 13(13)), publication of a declaration (Annex VI), economic operators and their
//! checks (Arts 18-20), market surveillance authorities' requests and hand-overs, reports to
//! component maintainers (Art. 13(6)) and the page of reports an organisation received
//! (Art. 24). Every rule is `service::{conformity, compliance}`'s; a refused change re-renders
//! the Conformity page with the reason, a done one redirects back to its section.

use super::conformity::render_page;
use super::session::UiSession;
use super::view::{Chrome, Form, Nav, UiError, ok};
use crate::App;
use crate::service::compliance::{self as comp, OperatorInput, RequestInput, SupplyInput};
use crate::service::conformity::{self as conf, ItemEdit, UploadMeta};
use crate::service::{ErrorKind, ServiceError};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use cyres_conformity::upstream::Fix;
use cyres_conformity::{Applicability, Placing, Requirement};
use cyres_store::{AuthorityRequest, OperatorCheck, Role, SupplyRecord, UpstreamReport};

/// A risk assessment to start from when none is saved (the shape of
/// `cyres_conformity::RiskAssessment`).
pub(super) const RISK_SKELETON: &str = r#"{
  "version": 1,
  "date": "2026-01-01",
  "intended_purpose": "",
  "foreseeable_use": "",
  "conditions_of_use": "",
  "assets": [],
  "threats": [],
  "measures": []
}"#;

/// The notice for `?done=`.
pub(super) fn done_message(key: &str) -> &'static str {
    match key {
        "record" => "Annex I record saved as a new version.",
        "risk" => "Risk assessment saved as a new version.",
        "document" => "Document uploaded.",
        "published" => "Declaration published at its public address.",
        "operator" => "Economic operator added.",
        "check" => "Check recorded.",
        "request" => "Authority request recorded.",
        "handover" => "Hand-over recorded.",
        "report" => "Report to the component's maintainer drafted.",
        "informed" => "Recorded that the maintainer was informed.",
        "fix" => "Fix added to the report; the message, OSV and CSAF documents were redrafted.",
        "supply" => "Supply record added.",
        "supply-deleted" => "Supply record deleted.",
        "placing" => "Placing on the market saved.",
        _ => "",
    }
}

fn when(unix: i64) -> String {
    super::forms::rfc3339(crate::clock::at(unix))
}

/// The latest check, described.
pub(super) fn check_line(c: Option<&OperatorCheck>) -> String {
    let Some(c) = c else {
        return "not checked".into();
    };
    let failed: Vec<String> = c.result["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["ok"] == false)
        .map(|i| {
            format!(
                "{} ({})",
                i["item"].as_str().unwrap_or_default(),
                i["reference"].as_str().unwrap_or_default()
            )
        })
        .collect();
    if c.passed {
        format!("passed {} by {}", when(c.checked_at), c.author)
    } else {
        format!(
            "refused {} by {}: {}",
            when(c.checked_at),
            c.author,
            failed.join("; ")
        )
    }
}

/// One supply record as shown.
pub(super) struct SupplyRow {
    /// Id.
    pub id: i64,
    /// `supplied-by` or `supplied-to`.
    pub direction: String,
    /// The other party.
    pub party: String,
    /// The day.
    pub on: String,
    /// Kept until.
    pub keep_until: String,
}

/// A supply record as shown.
pub(super) fn supply_row(s: &SupplyRecord) -> SupplyRow {
    SupplyRow {
        id: s.id,
        direction: s.direction.clone(),
        party: format!("{}, {}", s.party, s.party_address),
        on: s.supplied_on.clone(),
        keep_until: s.keep_until.clone(),
    }
}

/// One report to a component's maintainer as shown.
pub(super) struct UpstreamRow {
    /// Id.
    pub id: i64,
    /// The finding.
    pub finding_id: i64,
    /// Component and advisory.
    pub subject: String,
    /// Affected versions.
    pub versions: String,
    /// Contacts found.
    pub contacts: Vec<String>,
    /// The fix, if any.
    pub fix: String,
    /// When and how the maintainer was informed, empty until then.
    pub informed: String,
    /// The CSAF form is offered: the maintainer reads CSAF.
    pub csaf: bool,
}

/// A report as shown.
pub(super) fn upstream_row(r: &UpstreamReport) -> Result<UpstreamRow, ServiceError> {
    Ok(UpstreamRow {
        id: r.id,
        finding_id: r.finding_id,
        subject: r.body["subject"].as_str().unwrap_or_default().to_string(),
        versions: r.affected_versions.join(", "),
        contacts: r
            .contacts
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                format!(
                    "{} ({})",
                    c["value"].as_str().unwrap_or_default(),
                    c["note"].as_str().unwrap_or_default()
                )
            })
            .collect(),
        fix: r.fix.as_ref().map_or(String::new(), |f| {
            [f["fixed_version"].as_str(), f["url"].as_str()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ")
        }),
        informed: match (r.informed_at, &r.informed_via) {
            (Some(t), Some(via)) => format!("{} ({via})", when(t)),
            _ => String::new(),
        },
        csaf: comp::maintainer_reads_csaf(r)?,
    })
}

/// One authority request as shown.
pub(super) struct RequestRow {
    /// Id.
    pub id: i64,
    /// Authority, member state, reference.
    pub from: String,
    /// Received.
    pub received: String,
    /// Reasons.
    pub reason: String,
    /// Each item handed over with its SHA-256, empty until then.
    pub handed: Vec<String>,
    /// When it was handed over.
    pub handed_at: String,
}

/// A request as shown.
pub(super) fn request_row(r: &AuthorityRequest) -> RequestRow {
    RequestRow {
        id: r.id,
        from: format!(
            "{} ({}), reference {}",
            r.authority, r.member_state, r.reference
        ),
        received: when(r.received_at),
        reason: r.reason.clone(),
        handed: r
            .handed_over
            .as_ref()
            .and_then(|h| h.as_array())
            .into_iter()
            .flatten()
            .map(|i| {
                format!(
                    "{}: sha256 {}",
                    i["what"].as_str().unwrap_or_default(),
                    i["sha256"].as_str().unwrap_or_default()
                )
            })
            .collect(),
        handed_at: r.handed_over_at.map(when).unwrap_or_default(),
    }
}

/// Redirects to the section after a change, or re-renders the page with the refusal.
async fn finish<T>(
    app: &App,
    sess: &UiSession,
    id: i64,
    result: Result<T, ServiceError>,
    done: &str,
    section: &str,
) -> Result<Response, UiError> {
    match result {
        Ok(_) => Ok(
            Redirect::to(&format!("/products/{id}/conformity?done={done}#{section}"))
                .into_response(),
        ),
        Err(e)
            if matches!(
                e.kind,
                ErrorKind::Conflict | ErrorKind::Invalid | ErrorKind::BadRequest
            ) =>
        {
            render_page(app, sess, id, String::new(), e.message).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn form_of(sess: &UiSession, pairs: Vec<(String, String)>) -> Result<Form, UiError> {
    let form = Form::new(pairs);
    sess.check(&form)?;
    Ok(form)
}

/// `POST /products/{id}/conformity/record` (editors): every item's applicability,
/// justification and how it is met (`app-ID`, `just-ID`, `how-ID`).
pub(super) async fn save_record(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let form = form_of(&sess, pairs).await?;
    sess.require(Role::Editor)?;
    let edits: Vec<ItemEdit> = Requirement::ALL
        .iter()
        .filter(|r| form.present(&format!("app-{}", r.id())))
        .map(|r| ItemEdit {
            item: *r,
            applicability: match form.get(&format!("app-{}", r.id())) {
                "applies" => Some(Applicability::Applies),
                "does-not-apply" => Some(Applicability::DoesNotApply),
                _ => None,
            },
            justification: form.raw(&format!("just-{}", r.id())).to_string(),
            how_met: form.raw(&format!("how-{}", r.id())).to_string(),
        })
        .collect();
    let result = conf::save_items(&app, &sess.principal(), id, &edits).await;
    finish(&app, &sess, id, result, "record", "record").await
}

/// `POST /products/{id}/conformity/risk` (editors): the risk assessment as JSON.
pub(super) async fn save_risk(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let form = form_of(&sess, pairs).await?;
    sess.require(Role::Editor)?;
    let result = conf::save_risk(&app, &sess.principal(), id, form.raw("risk")).await;
    finish(&app, &sess, id, result, "risk", "risk-form").await
}

/// `POST /products/{id}/conformity/documents` (editors): multipart `csrf`, `document`,
/// `title`, `kind`, `file`, bounded by `max_upload_bytes`.
pub(super) async fn upload(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> Result<Response, UiError> {
    app.store.product(sess.org_id, id).await?;
    let limit = app.config.max_upload_bytes;
    let mut fields = Vec::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    let bad = |e: axum::extract::multipart::MultipartError| {
        UiError::from(ServiceError::bad_request(format!("upload: {e}")))
    };
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("document").to_string();
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(bad)? {
                if bytes.len() as u64 + chunk.len() as u64 > limit {
                    return Err(ServiceError::new(
                        ErrorKind::TooLarge,
                        "too_large",
                        format!("the document is larger than {limit} bytes"),
                    )
                    .into());
                }
                bytes.extend_from_slice(&chunk);
            }
            file = Some((file_name, bytes));
        } else {
            fields.push((name, field.text().await.map_err(bad)?));
        }
    }
    let form = form_of(&sess, fields).await?;
    sess.require(Role::Editor)?;
    let (file_name, bytes) = file.unwrap_or_default();
    let meta = UploadMeta {
        id: form.get("document").to_string(),
        title: form.get("title").to_string(),
        kind: form.get("kind").to_string(),
        file_name,
    };
    let result = conf::upload(&app, &sess.principal(), id, &meta, &bytes).await;
    finish(&app, &sess, id, result, "document", "documents").await
}

/// `POST /products/{id}/conformity/documents/{doc}/{version}/delete` (administrators):
/// refused on or before the retention date (Art. 13(13)).
pub(super) async fn delete_document(
    State(app): State<App>,
    sess: UiSession,
    Path((id, doc, version)): Path<(i64, String, i64)>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    form_of(&sess, pairs).await?;
    let result = conf::delete_document(&app, &sess.principal(), id, &doc, version).await;
    finish(&app, &sess, id, result, "deleted", "documents").await
}

/// `POST /products/{id}/conformity/declarations/{version}/delete` (administrators): refused
/// on or before the retention date (Art. 13(13)).
pub(super) async fn delete_declaration(
    State(app): State<App>,
    sess: UiSession,
    Path((id, version)): Path<(i64, i64)>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    form_of(&sess, pairs).await?;
    let result = conf::delete_declaration(&app, &sess.principal(), id, version).await;
    finish(&app, &sess, id, result, "deleted", "declarations").await
}

/// `POST /products/{id}/conformity/declarations/{version}/publish` (editors).
pub(super) async fn publish(
    State(app): State<App>,
    sess: UiSession,
    Path((id, version)): Path<(i64, i64)>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    form_of(&sess, pairs).await?;
    sess.require(Role::Editor)?;
    let result = comp::publish_declaration(&app, &sess.principal(), id, version).await;
    finish(&app, &sess, id, result, "published", "declarations").await
}

/// `POST /products/{id}/conformity/operators` (editors).
pub(super) async fn add_operator(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let form = form_of(&sess, pairs).await?;
    sess.require(Role::Editor)?;
    let input = OperatorInput {
        role: form.get("role").to_string(),
        name: form.get("name").to_string(),
        address: form.get("address").to_string(),
        contact: form.get("contact").to_string(),
        member_state: form.get("member_state").to_string(),
        organisation: Some(form.get("organisation").to_string()).filter(|s| !s.trim().is_empty()),
    };
    let result = comp::add_operator(&app, &sess.principal(), id, &input).await;
    finish(&app, &sess, id, result, "operator", "operators").await
}

/// `POST /products/{id}/conformity/operators/{op}/check` (editors): `ce` when the operator
/// saw the CE marking.
pub(super) async fn check(
    State(app): State<App>,
    sess: UiSession,
    Path((id, op)): Path<(i64, i64)>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let form = form_of(&sess, pairs).await?;
    sess.require(Role::Editor)?;
    let result = comp::run_check(&app, &sess.principal(), id, op, form.present("ce")).await;
    finish(&app, &sess, id, result, "check", "operators").await
}

/// `POST /products/{id}/conformity/requests` (editors).
pub(super) async fn add_request(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let form = form_of(&sess, pairs).await?;
    sess.require(Role::Editor)?;
    let input = RequestInput {
        authority: form.get("authority").to_string(),
        member_state: form.get("member_state").to_string(),
        reference: form.get("reference").to_string(),
        reason: form.raw("reason").to_string(),
        received_at: None,
    };
    let result = comp::record_request(&app, &sess.principal(), id, &input).await;
    finish(&app, &sess, id, result, "request", "requests").await
}

/// `POST /products/{id}/conformity/requests/{rid}/handover` (editors): `items`, comma
/// separated.
pub(super) async fn handover(
    State(app): State<App>,
    sess: UiSession,
    Path((id, rid)): Path<(i64, i64)>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let form = form_of(&sess, pairs).await?;
    sess.require(Role::Editor)?;
    let items: Vec<String> = form
        .get("items")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let result = comp::record_handover(&app, &sess.principal(), id, rid, &items).await;
    finish(&app, &sess, id, result, "handover", "requests").await
}

/// `POST /findings/{id}/upstream-report` (editors): drafts the report to the component's
/// maintainer and shows it in the product's Conformity section.
pub(super) async fn draft_report(
    State(app): State<App>,
    sess: UiSession,
    Path(fid): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    form_of(&sess, pairs).await?;
    sess.require(Role::Editor)?;
    let r = comp::draft_report(&app, &sess.principal(), fid, None).await?;
    Ok(Redirect::to(&format!(
        "/products/{}/conformity?done=report#upstream",
        r.product_id
    ))
    .into_response())
}

/// `POST /products/{id}/conformity/upstream/{rid}/informed` (editors): `via`.
pub(super) async fn informed(
    State(app): State<App>,
    sess: UiSession,
    Path((id, rid)): Path<(i64, i64)>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let form = form_of(&sess, pairs).await?;
    sess.require(Role::Editor)?;
    let result = comp::mark_informed(
        &app,
        &sess.principal(),
        rid,
        (Some(form.get("maintainer")), form.get("via")),
        None,
    )
    .await;
    finish(&app, &sess, id, result, "informed", "upstream").await
}

/// A date field of a form: empty is `None`, otherwise `YYYY-MM-DD` or the refusal naming it.
fn date_field(form: &Form, name: &str, label: &str) -> Result<Option<time::Date>, ServiceError> {
    let v = form.get(name).trim();
    if v.is_empty() {
        return Ok(None);
    }
    cyres_cra::calendar::iso_date::parse(v)
        .map(Some)
        .map_err(|_| ServiceError::invalid(name, format!("{label}: give a date as YYYY-MM-DD")))
}

/// `POST /products/{id}/conformity/placing` (editors): `first` and `last`, the days the first
/// and last units were placed on the market (`last` empty while units are still being placed).
pub(super) async fn save_placing(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let form = form_of(&sess, pairs).await?;
    sess.require(Role::Editor)?;
    let placing = date_field(&form, "first", "first unit placed").and_then(|first| {
        Ok(Placing {
            first,
            last: date_field(&form, "last", "last unit placed")?,
        })
    });
    let result = match placing {
        Ok(p) => conf::set_placing(&app, &sess.principal(), id, p).await,
        Err(e) => Err(e),
    };
    finish(&app, &sess, id, result, "placing", "techdoc").await
}

/// `POST /products/{id}/conformity/operators/{op}/supplies` (editors): `direction`, `party`,
/// `party_address`, `supplied_on`, `quantity` (optional), an Art. 23 supply record.
pub(super) async fn add_supply(
    State(app): State<App>,
    sess: UiSession,
    Path((id, op)): Path<(i64, i64)>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let form = form_of(&sess, pairs).await?;
    sess.require(Role::Editor)?;
    let quantity = match form.get("quantity").trim() {
        "" => Ok(None),
        q => q.parse::<i64>().map(Some).map_err(|_| {
            ServiceError::invalid("quantity", "quantity: give a whole number of units")
        }),
    };
    let result = match quantity {
        Ok(quantity) => {
            let input = SupplyInput {
                direction: form.get("direction").to_string(),
                party: form.get("party").to_string(),
                party_address: form.get("party_address").to_string(),
                supplied_on: form.get("supplied_on").to_string(),
                quantity,
            };
            comp::add_supply(&app, &sess.principal(), id, op, &input).await
        }
        Err(e) => Err(e),
    };
    finish(&app, &sess, id, result, "supply", "operators").await
}

/// `POST /products/{id}/conformity/supplies/{sid}/delete` (administrators): refused on or
/// before the record's Art. 23(2) date.
pub(super) async fn delete_supply(
    State(app): State<App>,
    sess: UiSession,
    Path((id, sid)): Path<(i64, i64)>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    form_of(&sess, pairs).await?;
    let result = comp::delete_supply(&app, &sess.principal(), id, sid).await;
    finish(&app, &sess, id, result, "supply-deleted", "operators").await
}

/// `POST /products/{id}/conformity/upstream/{rid}/fix` (editors): `fixed_version`, `url`,
/// `patch` (any of them), the manufacturer's fix (Art. 13(6) second sentence).
pub(super) async fn set_fix(
    State(app): State<App>,
    sess: UiSession,
    Path((id, rid)): Path<(i64, i64)>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let form = form_of(&sess, pairs).await?;
    sess.require(Role::Editor)?;
    // The report must be one of this product's: another product's id is not found here.
    let report = app.store.upstream_report(sess.org_id, rid).await?;
    if report.product_id != id {
        return Err(ServiceError::not_found("upstream report").into());
    }
    let some = |k: &str| Some(form.raw(k).trim().to_string()).filter(|v| !v.is_empty());
    let fix = Fix {
        fixed_version: some("fixed_version"),
        url: some("url"),
        patch: some("patch"),
    };
    let result = comp::set_fix(&app, &sess.principal(), rid, fix).await;
    finish(&app, &sess, id, result, "fix", "upstream").await
}

#[derive(Template)]
#[template(path = "upstream_received.html")]
struct ReceivedPage {
    chrome: Chrome,
    reports: Vec<comp::ReceivedReport>,
}

impl ReceivedPage {
    fn when(&self, t: &Option<i64>) -> String {
        t.map(when).unwrap_or_default()
    }
}

/// `GET /upstream-reports/received` (members): reports manufacturers sent this organisation
/// (a steward's view, CRA Art. 24).
pub(super) async fn received(State(app): State<App>, sess: UiSession) -> Result<Response, UiError> {
    let reports = comp::received(&app, &sess.principal()).await?;
    ok(&ReceivedPage {
        chrome: sess.chrome("Vulnerability reports received", Nav::Received),
        reports,
    })
}
