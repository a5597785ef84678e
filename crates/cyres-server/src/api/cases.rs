//! Article 14 cases on the manufacturer side: proposals from actively exploited findings,
//! confirmation with awareness time and evidence, hand-opened incident cases, the clocks, report
//! drafts with validation, submission through the durable outbox, report packs for the ENISA
//! portal, and recording the portal reference.

use super::json_body;
use crate::auth::Caller;
use crate::service::cases::{
    self as service, CasePatch, NewEvidence, confirmed_case, missing_error, parse_case, stage_from,
};
use crate::{ApiError, App};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cyres_cra::CaseKind;
use cyres_report::{EvidenceSource, ReportPack};
use cyres_store::{CaseRow, Role};
use serde::Deserialize;
use std::collections::HashMap;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub(super) use crate::clock::at as ts;

/// Reads an RFC 3339 time from the wire, naming the field when it is not one.
fn parse_time(field: &str, s: &str) -> Result<OffsetDateTime, ApiError> {
    OffsetDateTime::parse(s, &Rfc3339)
        .map_err(|_| ApiError::invalid(field, format!("{field}: {s:?} is not an RFC 3339 time")))
}

/// A case as answered: the row, the parsed case, its clocks and submissions.
async fn view(app: &App, caller: &Caller, row: CaseRow) -> Result<serde_json::Value, ApiError> {
    let case = parse_case(&row)?;
    let deadlines = match &case {
        Some(c) => Some(
            c.deadlines(ts(app.now()))
                .map_err(|e| ApiError::internal(e.to_string()))?,
        ),
        None => None,
    };
    let coordinator = case.as_ref().and_then(|c| c.coordinator().ok());
    let submissions = app.store.submissions(caller.org_id, row.id).await?;
    // Art. 13(6): the maintainers of integrated components informed, apart from the evidence.
    let maintainers = app
        .store
        .case_maintainer_notices(caller.org_id, row.id)
        .await?;
    Ok(serde_json::json!({
        "case": row,
        "maintainers_informed": maintainers,
        "deadlines": deadlines,
        "coordinator": coordinator.map(|c| serde_json::json!({"member_state": c.member_state.code(), "name": c.member_state_name, "basis": c.basis})),
        "submissions": submissions,
    }))
}

/// `GET /api/v1/cases`.
pub(crate) async fn list(State(app): State<App>, caller: Caller) -> Result<Response, ApiError> {
    let mut out = Vec::new();
    for row in app.store.cases(caller.org_id).await? {
        out.push(view(&app, &caller, row).await?);
    }
    Ok(Json(out).into_response())
}

/// `GET /api/v1/cases/{id}`.
pub(crate) async fn get_one(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let row = app.store.case(caller.org_id, id).await?;
    Ok(Json(view(&app, &caller, row).await?).into_response())
}

/// Evidence as the API takes it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EvidenceBody {
    /// Where it came from.
    pub source: EvidenceSource,
    /// KEV entry, EUVD id, ticket, log query, message id.
    pub reference: String,
    /// When observed or received (RFC 3339); now when absent.
    #[serde(default)]
    pub at: Option<String>,
    /// Free text.
    #[serde(default)]
    pub note: Option<String>,
}

impl EvidenceBody {
    fn typed(self) -> Result<NewEvidence, ApiError> {
        Ok(NewEvidence {
            source: self.source,
            at: self
                .at
                .as_deref()
                .map(|s| parse_time("at", s))
                .transpose()?,
            reference: self.reference,
            note: self.note,
        })
    }
}

fn typed_evidence(list: Vec<EvidenceBody>) -> Result<Vec<NewEvidence>, ApiError> {
    list.into_iter().map(EvidenceBody::typed).collect()
}

/// Opening a case by hand.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewCase {
    /// Vulnerability or severe incident.
    pub kind: CaseKind,
    /// Short title.
    pub title: String,
    /// The product concerned.
    pub product_id: i64,
    /// For a vulnerability: the id it goes by (CVE, GHSA, EUVD, ...), when known.
    #[serde(default)]
    pub advisory_id: Option<String>,
    /// Time of awareness (RFC 3339).
    pub aware_at: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Evidence for the ledger.
    #[serde(default)]
    pub evidence: Vec<EvidenceBody>,
}

/// `POST /api/v1/cases`: a severe incident (or a vulnerability cyres did not find itself).
pub(crate) async fn create(
    State(app): State<App>,
    caller: Caller,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: NewCase = json_body(&bytes)?;
    let input = service::NewCase {
        kind: b.kind,
        aware_at: parse_time("aware_at", &b.aware_at)?,
        title: b.title,
        product_id: b.product_id,
        advisory_id: b.advisory_id,
        description: b.description,
        evidence: typed_evidence(b.evidence)?,
    };
    let row = service::open_case(&app, &caller, input).await?;
    Ok((StatusCode::CREATED, Json(view(&app, &caller, row).await?)).into_response())
}

/// Confirming a proposal.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Confirm {
    /// Time of awareness (RFC 3339).
    pub aware_at: String,
    /// For voluntary-report proposals: the product concerned.
    #[serde(default)]
    pub product_id: Option<i64>,
    /// Evidence for the ledger.
    #[serde(default)]
    pub evidence: Vec<EvidenceBody>,
}

/// `POST /api/v1/cases/{id}/confirm`: a person confirms a proposed case, recording the time of
/// awareness and the evidence; the clocks start from that time.
pub(crate) async fn confirm(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: Confirm = json_body(&bytes)?;
    let input = service::Confirm {
        aware_at: parse_time("aware_at", &b.aware_at)?,
        product_id: b.product_id,
        evidence: typed_evidence(b.evidence)?,
    };
    let row = service::confirm_case(&app, &caller, id, input).await?;
    Ok(Json(view(&app, &caller, row).await?).into_response())
}

/// `PATCH /api/v1/cases/{id}`: sets case fields (a JSON object of `cyres-report` case fields,
/// e.g. `severity`, `measures_taken`, `fix`, `sensitivity`). Identity fields cannot change.
pub(crate) async fn update(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let patch: serde_json::Map<String, serde_json::Value> = json_body(&bytes)?;
    let row = service::update_case(&app, &caller, id, CasePatch(patch)).await?;
    Ok(Json(view(&app, &caller, row).await?).into_response())
}

/// `POST /api/v1/cases/{id}/evidence`: adds to the evidence ledger.
pub(crate) async fn add_evidence(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: EvidenceBody = json_body(&bytes)?;
    let row = service::add_case_evidence(&app, &caller, id, b.typed()?).await?;
    Ok(Json(view(&app, &caller, row).await?).into_response())
}

/// `GET /api/v1/cases/{id}/draft?stage=…`: the prefilled draft and every missing required field.
pub(crate) async fn draft(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let stage = stage_from(
        q.get("stage")
            .map(String::as_str)
            .unwrap_or("early-warning"),
    )?;
    let (_, case) = confirmed_case(&app, caller.org_id, id).await?;
    let d = cyres_report::draft(&case, stage);
    let missing = match cyres_report::validate(&d) {
        Ok(_) => Vec::new(),
        Err(m) => m,
    };
    Ok(
        Json(serde_json::json!({"draft": d, "missing": missing, "complete": missing.is_empty()}))
            .into_response(),
    )
}

/// Submitting a stage.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Submit {
    stage: String,
}

/// `POST /api/v1/cases/{id}/reports`: validates the stage's report and queues it in the
/// outbox (delivered to the configured reporting endpoint exactly once), or keeps it for
/// manual entry in the ENISA portal when no endpoint is configured.
pub(crate) async fn submit(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: Submit = json_body(&bytes)?;
    let sub = service::submit_stage(&app, &caller, id, stage_from(&b.stage)?).await?;
    Ok((StatusCode::CREATED, Json(sub)).into_response())
}

/// `GET /api/v1/submissions/{id}/pack.json` and `/pack.html`: the report pack for the portal.
pub(crate) async fn pack(
    State(app): State<App>,
    caller: Caller,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, ApiError> {
    let sub = app.store.submission(caller.org_id, id).await?;
    let pack = ReportPack::from_json(&sub.pack.to_string())
        .map_err(|e| ApiError::internal(e.to_string()))?;
    match file.as_str() {
        "pack.json" => {
            Ok(([(header::CONTENT_TYPE, "application/json")], pack.to_json()).into_response())
        }
        "pack.html" => Ok((
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            pack.to_html(),
        )
            .into_response()),
        _ => Err(ApiError::not_found("file")),
    }
}

/// Portal reference body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Portal {
    reference: String,
    submitted_at: String,
}

/// `POST /api/v1/submissions/{id}/portal`: records the ENISA portal's reference and the time
/// the report was entered there; the case's clock counts the stage as submitted then.
pub(crate) async fn portal(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: Portal = json_body(&bytes)?;
    let at = parse_time("submitted_at", &b.submitted_at)?;
    let sub = service::record_portal(&app, &caller, id, &b.reference, at).await?;
    Ok(Json(sub).into_response())
}

/// `GET /api/v1/cases/{id}/notice.json|notice.html`: the notice to impacted users (Art. 14(8)),
/// or the fields still missing for it.
pub(crate) async fn notice(
    State(app): State<App>,
    caller: Caller,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, ApiError> {
    let (_, case) = confirmed_case(&app, caller.org_id, id).await?;
    let notice = cyres_report::user_notice(&case, cyres_report::Audience::Impacted, ts(app.now()))
        .map_err(|missing| {
            missing_error("incomplete_notice", "missing for the user notice", &missing)
        })?;
    match file.as_str() {
        "notice.json" => Ok((
            [(header::CONTENT_TYPE, "application/json")],
            notice.to_json(),
        )
            .into_response()),
        "notice.html" => Ok((
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            notice.to_html(),
        )
            .into_response()),
        _ => Err(ApiError::not_found("file")),
    }
}

/// A public report as posted to the API: the organisation it is for, by id, and the report.
#[derive(serde::Deserialize)]
struct PublicReportBody {
    /// The receiving organisation: a manufacturer (coordinated vulnerability disclosure) or a
    /// CSIRT or ENISA (Art. 15).
    organisation_id: Option<i64>,
    #[serde(flatten)]
    submission: cyres_report::VoluntarySubmission,
}

fn public_report(
    bytes: &[u8],
) -> Result<(Option<i64>, cyres_report::VoluntarySubmission), crate::service::ServiceError> {
    let b: PublicReportBody = serde_json::from_slice(bytes)
        .map_err(|e| crate::service::ServiceError::bad_request(format!("request body: {e}")))?;
    Ok((b.organisation_id, b.submission))
}

/// `POST /api/v1/public/vulnerability-reports` (no login, rate-limited; the former path
/// `/api/v1/public/voluntary-reports` is an alias): the coordinated vulnerability disclosure
/// intake of a manufacturer (CRA Annex I, Part II, points (5)-(6)), routed by the explicit
/// `organisation_id` of a manufacturer or steward on this platform (404 for any other id), as a
/// case proposal. The reporter's contact stays with the manufacturer. Not an Art. 15 report:
/// those go to a CSIRT or ENISA (`/api/v1/public/voluntary-notifications`).
pub(crate) async fn voluntary(
    State(app): State<App>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    public_intake(
        app,
        peer,
        bytes,
        cyres_report::IntakeChannel::CoordinatedDisclosure,
    )
    .await
}

/// `POST /api/v1/public/voluntary-notifications` (no login, rate-limited): an Art. 15
/// voluntary notification to a CSIRT designated as coordinator or ENISA (Art. 15(1)-(2)),
/// routed by the explicit `organisation_id` of that CSIRT or ENISA (404 for any other id).
pub(crate) async fn voluntary_notification(
    State(app): State<App>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    public_intake(
        app,
        peer,
        bytes,
        cyres_report::IntakeChannel::Art15Voluntary,
    )
    .await
}

async fn public_intake(
    app: App,
    peer: std::net::SocketAddr,
    bytes: axum::body::Bytes,
    channel: cyres_report::IntakeChannel,
) -> Result<Response, ApiError> {
    let reference =
        service::voluntary_intake(&app, &peer.ip().to_string(), bytes.len(), channel, || {
            public_report(&bytes)
        })
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({"received": true, "reference": reference, "channel": channel, "basis": channel.basis()})),
    )
        .into_response())
}
