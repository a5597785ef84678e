//! Article 14 cases on the manufacturer side: proposals from actively exploited findings,
//! confirmation with awareness time and evidence, hand-opened incident cases, the clocks, report
//! drafts with validation, submission through the durable outbox, report packs for the ENISA
//! portal, and recording the portal reference.

use super::json_body;
use crate::auth::Caller;
use crate::{ApiError, App};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cyres_cra::{CaseKind, Category, MemberState, StageKind};
use cyres_report::{Case, Evidence, EvidenceSource, ReportPack};
use cyres_store::{CaseRow, Role};
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub(super) use crate::clock::at as ts;

fn parse_time(field: &str, s: &str) -> Result<OffsetDateTime, ApiError> {
    OffsetDateTime::parse(s, &Rfc3339)
        .map_err(|_| ApiError::invalid(field, format!("{field}: {s:?} is not an RFC 3339 time")))
}

pub(crate) fn stage_from(word: &str) -> Result<StageKind, ApiError> {
    Ok(match word {
        "early-warning" => StageKind::EarlyWarning,
        "notification" => StageKind::Notification,
        "intermediate-report" => StageKind::IntermediateReport,
        "final-report" => StageKind::FinalReport,
        other => {
            return Err(ApiError::invalid(
                "stage",
                format!(
                    "stage: {other:?} is not early-warning, notification, intermediate-report or final-report"
                ),
            ));
        }
    })
}

fn parse_case(row: &CaseRow) -> Result<Option<Case>, ApiError> {
    // A proposal holds no case yet (or, for voluntary reports, the proposal itself).
    if row.state == "proposed" {
        return Ok(None);
    }
    row.body
        .as_ref()
        .map(|b| {
            serde_json::from_value::<Case>(b.clone())
                .map_err(|e| ApiError::internal(format!("stored case {}: {e}", row.id)))
        })
        .transpose()
}

/// The case skeleton from stored organisation and product data.
async fn new_case(
    app: &App,
    caller: &Caller,
    id: String,
    kind: CaseKind,
    title: &str,
    product_id: i64,
    aware_at: OffsetDateTime,
) -> Result<Case, ApiError> {
    let org = app.store.org(caller.org_id).await?;
    let product = app.store.product(caller.org_id, product_id).await?;
    let manufacturer = cyres_report::Manufacturer {
        name: org.name.clone(),
        contact: None,
        establishment: cyres_cra::routing::Establishment {
            main_establishment: org.member_state.as_deref().and_then(MemberState::from_code),
            ..Default::default()
        },
        enterprise_size: org
            .size
            .as_deref()
            .and_then(|s| serde_json::from_value(serde_json::Value::String(s.to_string())).ok()),
    };
    let category =
        serde_json::from_value::<Category>(serde_json::Value::String(product.category.clone()))
            .unwrap_or(Category::Default);
    let product = cyres_report::Product {
        id: product.id.to_string(),
        name: product.name.clone(),
        description: (!product.description.is_empty()).then(|| product.description.clone()),
        category,
        identifiers: Vec::new(),
        member_states: product
            .member_states
            .iter()
            .filter_map(|c| MemberState::from_code(c))
            .collect(),
        estimated_users: product.estimated_users.and_then(|u| u64::try_from(u).ok()),
    };
    Ok(Case::new(id, kind, title, manufacturer, product, aware_at))
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
    Ok(serde_json::json!({
        "case": row,
        "deadlines": deadlines,
        "coordinator": coordinator.map(|c| serde_json::json!({"member_state": c.member_state.code(), "name": c.member_state_name, "basis": c.basis})),
        "submissions": submissions,
    }))
}

/// Stores the case body.
async fn save(
    app: &App,
    caller: &Caller,
    id: i64,
    case: &Case,
    aware_at: i64,
    now: i64,
) -> Result<CaseRow, ApiError> {
    Ok(app
        .store
        .save_case(
            caller.org_id,
            id,
            &serde_json::to_value(case).unwrap_or_default(),
            aware_at,
            &caller.actor,
            now,
        )
        .await?)
}

/// The confirmed case of a row, or 409 for a proposal.
pub(super) fn confirmed(row: &CaseRow) -> Result<Case, ApiError> {
    parse_case(row)?
        .ok_or_else(|| ApiError::new(StatusCode::CONFLICT, "conflict", "confirm the case first"))
}

/// 422 listing every missing field, pointing at the first.
pub(super) fn missing_error(
    code: &'static str,
    what: &str,
    missing: &[cyres_report::MissingField],
) -> ApiError {
    let names: Vec<String> = missing
        .iter()
        .map(|m| format!("{} ({})", m.label, m.path))
        .collect();
    let mut e = ApiError::invalid(
        missing.first().map(|m| m.path).unwrap_or("case"),
        format!("{what}: {}", names.join("; ")),
    );
    e.code = code;
    e
}

/// `GET /api/v1/cases`.
pub async fn list(State(app): State<App>, caller: Caller) -> Result<Response, ApiError> {
    let mut out = Vec::new();
    for row in app.store.cases(caller.org_id).await? {
        out.push(view(&app, &caller, row).await?);
    }
    Ok(Json(out).into_response())
}

/// `GET /api/v1/cases/{id}`.
pub async fn get_one(
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
pub struct EvidenceBody {
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

fn evidence(caller: &Caller, e: EvidenceBody, now: i64) -> Result<Evidence, ApiError> {
    if e.reference.trim().is_empty() {
        return Err(ApiError::invalid(
            "reference",
            "reference: say where the evidence comes from",
        ));
    }
    Ok(Evidence {
        source: e.source,
        at: match &e.at {
            Some(s) => parse_time("at", s)?,
            None => ts(now),
        },
        reference: e.reference,
        recorded_by: caller.actor.display(),
        note: e.note,
    })
}

/// Opening a case by hand.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    /// Vulnerability or severe incident.
    pub kind: CaseKind,
    /// Short title.
    pub title: String,
    /// The product concerned.
    pub product_id: i64,
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
pub async fn create(
    State(app): State<App>,
    caller: Caller,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: NewCase = json_body(&bytes)?;
    let row = open_case(&app, &caller, b).await?;
    Ok((StatusCode::CREATED, Json(view(&app, &caller, row).await?)).into_response())
}

/// Opens a confirmed case by hand (see [`create`]): a title is required and awareness cannot
/// be in the future (the clocks run from it, as for a confirmed proposal).
pub(crate) async fn open_case(app: &App, caller: &Caller, b: NewCase) -> Result<CaseRow, ApiError> {
    caller.require(Role::Editor)?;
    if b.title.trim().is_empty() {
        return Err(ApiError::invalid("title", "title: required"));
    }
    let aware_at = parse_time("aware_at", &b.aware_at)?;
    let now = app.now();
    if aware_at.unix_timestamp() > now {
        return Err(ApiError::invalid(
            "aware_at",
            "aware_at: cannot be in the future",
        ));
    }
    let mut case = new_case(
        app,
        caller,
        "pending".into(),
        b.kind,
        b.title.trim(),
        b.product_id,
        aware_at,
    )
    .await?;
    case.description = b.description;
    for e in b.evidence {
        case.evidence.push(evidence(caller, e, now)?);
    }
    let kind = if b.kind == CaseKind::Incident {
        "incident"
    } else {
        "vulnerability"
    };
    let row = app
        .store
        .create_case(
            caller.org_id,
            kind,
            b.title.trim(),
            &serde_json::to_value(&case).unwrap_or_default(),
            aware_at.unix_timestamp(),
            &caller.actor,
            now,
        )
        .await?;
    // The case id inside the body is the stored id (stable for idempotency keys).
    case.id = format!("case-{}-{}", caller.org_id, row.id);
    save(app, caller, row.id, &case, aware_at.unix_timestamp(), now).await
}

/// Confirming a proposal.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Confirm {
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
pub async fn confirm(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: Confirm = json_body(&bytes)?;
    let row = confirm_case(&app, &caller, id, b).await?;
    Ok(Json(view(&app, &caller, row).await?).into_response())
}

/// Confirms proposal `id` (see [`confirm`]); answers the stored case.
pub(crate) async fn confirm_case(
    app: &App,
    caller: &Caller,
    id: i64,
    b: Confirm,
) -> Result<CaseRow, ApiError> {
    caller.require(Role::Editor)?;
    let aware_at = parse_time("aware_at", &b.aware_at)?;
    let now = app.now();
    if aware_at.unix_timestamp() > now {
        return Err(ApiError::invalid(
            "aware_at",
            "aware_at: cannot be in the future",
        ));
    }
    let row = app.store.case(caller.org_id, id).await?;
    if row.state != "proposed" {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            "only a proposed case can be confirmed",
        ));
    }
    if let Some(proposal) = row.body.as_ref().and_then(|b| b.get("voluntary")) {
        let proposal: cyres_report::CaseProposal = serde_json::from_value(proposal.clone())
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let product_id = b.product_id.ok_or_else(|| {
            ApiError::invalid(
                "product_id",
                "product_id: which of your products the voluntary report is about",
            )
        })?;
        let skeleton = new_case(
            app,
            caller,
            format!("case-{}-{}", caller.org_id, id),
            CaseKind::Vulnerability,
            &row.title,
            product_id,
            aware_at,
        )
        .await?;
        let mut case = proposal
            .into_case(
                skeleton.id.clone(),
                skeleton.manufacturer,
                skeleton.product,
                aware_at,
                &caller.actor.display(),
            )
            .map_err(|e| ApiError::invalid("proposal", e.to_string()))?;
        for e in b.evidence {
            case.evidence.push(evidence(caller, e, now)?);
        }
        return save(app, caller, id, &case, aware_at.unix_timestamp(), now).await;
    }
    let mut findings = Vec::new();
    for fid in &row.finding_ids {
        if let Ok(f) = app.store.finding(caller.org_id, *fid).await {
            findings.push(f);
        }
    }
    let first = findings.first().ok_or_else(|| {
        ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            "the proposal has no findings left",
        )
    })?;
    let mut case = new_case(
        app,
        caller,
        format!("case-{}-{}", caller.org_id, id),
        CaseKind::Vulnerability,
        &row.title,
        first.product_id,
        aware_at,
    )
    .await?;
    let mut releases = BTreeSet::new();
    let mut components = BTreeSet::new();
    let mut ids = BTreeSet::new();
    for f in &findings {
        if let Ok(r) = app.store.release(caller.org_id, f.release_id).await {
            releases.insert(r.version);
        }
        components.insert(
            f.component_purl
                .clone()
                .unwrap_or_else(|| f.component_name.clone()),
        );
        ids.insert(f.advisory_id.clone());
        ids.extend(f.aliases.iter().cloned());
    }
    case.affected_releases = releases.into_iter().collect();
    case.components = components.into_iter().collect();
    case.cve_ids = ids
        .iter()
        .filter(|i| i.starts_with("CVE-"))
        .cloned()
        .collect();
    case.advisory_ids = ids.into_iter().filter(|i| !i.starts_with("CVE-")).collect();
    case.description = first.summary.clone();
    for e in b.evidence {
        case.evidence.push(evidence(caller, e, now)?);
    }
    save(app, caller, id, &case, aware_at.unix_timestamp(), now).await
}

/// `PATCH /api/v1/cases/{id}`: sets case fields (a JSON object of `cyres-report` case fields,
/// e.g. `severity`, `measures_taken`, `fix`, `sensitivity`). Identity fields cannot change.
pub async fn update(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let patch: serde_json::Map<String, serde_json::Value> = json_body(&bytes)?;
    let row = update_case(&app, &caller, id, patch).await?;
    Ok(Json(view(&app, &caller, row).await?).into_response())
}

/// Sets case fields of case `id` (see [`update`]); answers the stored case.
pub(crate) async fn update_case(
    app: &App,
    caller: &Caller,
    id: i64,
    patch: serde_json::Map<String, serde_json::Value>,
) -> Result<CaseRow, ApiError> {
    caller.require(Role::Editor)?;
    let row = app.store.case(caller.org_id, id).await?;
    let mut current = row
        .body
        .clone()
        .ok_or_else(|| ApiError::new(StatusCode::CONFLICT, "conflict", "confirm the case first"))?;
    for (k, v) in patch {
        if matches!(
            k.as_str(),
            "id" | "kind" | "aware_at" | "manufacturer" | "submissions"
        ) {
            return Err(ApiError::invalid(&k, format!("{k}: cannot be changed")));
        }
        if current.get(&k).is_none() {
            return Err(ApiError::invalid(&k, format!("{k}: not a case field")));
        }
        current[&k] = v;
    }
    let case: Case = serde_json::from_value(current.clone())
        .map_err(|e| ApiError::invalid("case", format!("case: {e}")))?;
    save(app, caller, id, &case, row.aware_at.unwrap_or(0), app.now()).await
}

/// `POST /api/v1/cases/{id}/evidence`: adds to the evidence ledger.
pub async fn add_evidence(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: EvidenceBody = json_body(&bytes)?;
    let row = add_case_evidence(&app, &caller, id, b).await?;
    Ok(Json(view(&app, &caller, row).await?).into_response())
}

/// Adds an entry to the evidence ledger of confirmed case `id`; answers the stored case.
pub(crate) async fn add_case_evidence(
    app: &App,
    caller: &Caller,
    id: i64,
    b: EvidenceBody,
) -> Result<CaseRow, ApiError> {
    caller.require(Role::Editor)?;
    let row = app.store.case(caller.org_id, id).await?;
    let mut case = confirmed(&row)?;
    case.evidence.push(evidence(caller, b, app.now())?);
    save(app, caller, id, &case, row.aware_at.unwrap_or(0), app.now()).await
}

/// `GET /api/v1/cases/{id}/draft?stage=…`: the prefilled draft and every missing required field.
pub async fn draft(
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
    let row = app.store.case(caller.org_id, id).await?;
    let case = confirmed(&row)?;
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
pub struct Submit {
    stage: String,
}

/// `POST /api/v1/cases/{id}/reports`: validates the stage's report and queues it in the
/// outbox (delivered to the configured reporting endpoint exactly once), or keeps it for
/// manual entry in the ENISA portal when no endpoint is configured.
pub async fn submit(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: Submit = json_body(&bytes)?;
    let sub = submit_stage(&app, &caller, id, &b.stage).await?;
    Ok((StatusCode::CREATED, Json(sub)).into_response())
}

/// Validates the report of `stage` for case `id` and queues it (see [`submit`]).
pub(crate) async fn submit_stage(
    app: &App,
    caller: &Caller,
    id: i64,
    stage: &str,
) -> Result<cyres_store::SubmissionRow, ApiError> {
    caller.require(Role::Editor)?;
    let stage = stage_from(stage)?;
    let row = app.store.case(caller.org_id, id).await?;
    let case = confirmed(&row)?;
    let mut d = cyres_report::draft(&case, stage);
    let revision = app
        .store
        .submissions(caller.org_id, id)
        .await?
        .iter()
        .filter(|s| s.stage == stage.as_str())
        .count() as u32
        + 1;
    d.revision = revision;
    let report = cyres_report::validate(&d).map_err(|missing| {
        missing_error("incomplete_report", "missing required fields", &missing)
    })?;
    let now = app.now();
    let pack = ReportPack::new(&report, ts(now));
    let value: serde_json::Value =
        serde_json::from_str(&pack.to_json()).map_err(|e| ApiError::internal(e.to_string()))?;
    let sub = app
        .store
        .queue_submission(
            caller.org_id,
            id,
            stage.as_str(),
            i64::from(revision),
            &pack.idempotency_key,
            &value,
            app.config.reporting.is_some(),
            &caller.actor,
            now,
        )
        .await?;
    app.wake_worker();
    Ok(sub)
}

/// `GET /api/v1/submissions/{id}/pack.json` and `/pack.html`: the report pack for the portal.
pub async fn pack(
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
pub struct Portal {
    reference: String,
    submitted_at: String,
}

/// `POST /api/v1/submissions/{id}/portal`: records the ENISA portal's reference and the time
/// the report was entered there; the case's clock counts the stage as submitted then.
pub async fn portal(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: Portal = json_body(&bytes)?;
    let sub = record_portal(&app, &caller, id, &b.reference, &b.submitted_at).await?;
    Ok(Json(sub).into_response())
}

/// Records the ENISA portal reference and submission time of submission `id` (see [`portal`]).
pub(crate) async fn record_portal(
    app: &App,
    caller: &Caller,
    id: i64,
    reference: &str,
    submitted_at: &str,
) -> Result<cyres_store::SubmissionRow, ApiError> {
    caller.require(Role::Editor)?;
    let b = Portal {
        reference: reference.to_string(),
        submitted_at: submitted_at.to_string(),
    };
    let at = parse_time("submitted_at", &b.submitted_at)?;
    if b.reference.trim().is_empty() {
        return Err(ApiError::invalid("reference", "reference: required"));
    }
    let now = app.now();
    let sub = app
        .store
        .record_portal_reference(
            caller.org_id,
            id,
            b.reference.trim(),
            at.unix_timestamp(),
            &caller.actor,
            now,
        )
        .await?;
    crate::worker::mark_case_submitted(
        app,
        sub.org_id,
        sub.case_id,
        &sub.stage,
        sub.revision,
        at.unix_timestamp(),
        b.reference.trim(),
    )
    .await?;
    Ok(sub)
}

/// `GET /api/v1/cases/{id}/notice.json|notice.html`: the notice to impacted users (Art. 14(8)),
/// or the fields still missing for it.
pub async fn notice(
    State(app): State<App>,
    caller: Caller,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, ApiError> {
    let row = app.store.case(caller.org_id, id).await?;
    let case = confirmed(&row)?;
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

/// Per-address limit of the public intake: 10 reports an hour.
#[derive(Debug, Default)]
pub struct IntakeLimiter(std::sync::Mutex<HashMap<String, Vec<i64>>>);

impl IntakeLimiter {
    fn allow(&self, ip: &str, now: i64) -> bool {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if m.len() > 100_000 {
            m.retain(|_, v| v.iter().any(|t| now - t < 3600));
        }
        let v = m.entry(ip.to_string()).or_default();
        v.retain(|t| now - t < 3600);
        if v.len() >= 10 {
            return false;
        }
        v.push(now);
        true
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
) -> Result<(Option<i64>, cyres_report::VoluntarySubmission), ApiError> {
    let b: PublicReportBody = json_body(bytes)?;
    Ok((b.organisation_id, b.submission))
}

/// `POST /api/v1/public/vulnerability-reports` (no login, rate-limited; the former path
/// `/api/v1/public/voluntary-reports` is an alias): the coordinated vulnerability disclosure
/// intake of a manufacturer (CRA Annex I, Part II, points (5)-(6)), routed by the explicit
/// `organisation_id` of a manufacturer or steward on this platform (404 for any other id), as a
/// case proposal. The reporter's contact stays with the manufacturer. Not an Art. 15 report:
/// those go to a CSIRT or ENISA (`/api/v1/public/voluntary-notifications`).
pub async fn voluntary(
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
pub async fn voluntary_notification(
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
    let reference = voluntary_intake(&app, &peer.ip().to_string(), bytes.len(), channel, || {
        public_report(&bytes)
    })
    .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({"received": true, "reference": reference, "channel": channel, "basis": channel.basis()})),
    )
        .into_response())
}

/// Whether `kind` receives reports on `channel`: manufacturers and stewards their coordinated
/// vulnerability disclosure reports, CSIRTs and ENISA Art. 15 notifications (Art. 15(1)-(2)).
pub(crate) fn receives(channel: cyres_report::IntakeChannel, kind: cyres_store::OrgKind) -> bool {
    use cyres_store::OrgKind;
    match channel {
        cyres_report::IntakeChannel::CoordinatedDisclosure => {
            matches!(kind, OrgKind::Manufacturer | OrgKind::Steward)
        }
        cyres_report::IntakeChannel::Art15Voluntary => {
            matches!(kind, OrgKind::Csirt | OrgKind::Enisa)
        }
    }
}

/// The organisation `id` if it receives reports on `channel`; 404 otherwise (an unknown id and
/// an organisation of another kind look the same).
pub(crate) async fn receiving_org(
    app: &App,
    channel: cyres_report::IntakeChannel,
    id: i64,
) -> Result<cyres_store::Org, ApiError> {
    let what = match channel {
        cyres_report::IntakeChannel::CoordinatedDisclosure => "manufacturer (organisation_id)",
        cyres_report::IntakeChannel::Art15Voluntary => "CSIRT or ENISA (organisation_id)",
    };
    match app.store.org(id).await {
        Ok(org) if receives(channel, org.kind) => Ok(org),
        Ok(_) | Err(cyres_store::StoreError::NotFound { .. }) => Err(ApiError::not_found(what)),
        Err(e) => Err(e.into()),
    }
}

/// The public intake shared by the API and the web forms: the per-address limit, the size limit
/// (`size`: bytes of the request body), then `parse` (the organisation id and the report),
/// the receiving organisation by that explicit id (never by name), `cyres_report::intake`'s
/// checks (every problem named at once), and a proposal with an alert for that organisation.
/// Answers the reference (`VR-…`).
pub(crate) async fn voluntary_intake(
    app: &App,
    ip: &str,
    size: usize,
    channel: cyres_report::IntakeChannel,
    parse: impl FnOnce() -> Result<(Option<i64>, cyres_report::VoluntarySubmission), ApiError>,
) -> Result<String, ApiError> {
    let now = app.now();
    if !app.intake_limiter.allow(ip, now) {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many reports from this address; try again later",
        );
        e.retry_after = Some(3600);
        return Err(e);
    }
    let limits = cyres_report::IntakeLimits::default();
    if size > limits.total_bytes {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("a report is at most {} bytes", limits.total_bytes),
        ));
    }
    let (org_id, mut sub) = parse()?;
    let org_id = org_id.ok_or_else(|| {
        ApiError::invalid(
            "organisation_id",
            "organisation_id: choose the organisation the report is for",
        )
    })?;
    let org = receiving_org(app, channel, org_id).await?;
    if channel == cyres_report::IntakeChannel::CoordinatedDisclosure {
        // The manufacturer is the organisation chosen by id; a name typed differently does
        // not reroute the report.
        sub.manufacturer = org.name.clone();
    }
    let proposal = cyres_report::intake(&sub, &limits, ts(now)).map_err(|problems| {
        let names: Vec<String> = problems
            .iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect();
        let mut e = ApiError::invalid(
            problems
                .first()
                .map(|p| p.path.as_str())
                .unwrap_or("report"),
            names.join("; "),
        );
        e.code = "invalid_report";
        e
    })?;
    let kind = match proposal.suggested_case {
        Some(CaseKind::Incident) => "incident",
        _ => "vulnerability",
    };
    let (title, alert_kind, alert) = match channel {
        cyres_report::IntakeChannel::CoordinatedDisclosure => (
            format!("Vulnerability report (CVD): {}", proposal.title),
            "voluntary_report",
            format!(
                "New vulnerability report (coordinated disclosure): {}",
                proposal.title
            ),
        ),
        cyres_report::IntakeChannel::Art15Voluntary => (
            format!("Voluntary notification (Art. 15): {}", proposal.title),
            "voluntary_notification",
            if proposal.notify_manufacturer {
                format!(
                    "New Art. 15 notification: {} (inform the manufacturer without undue delay, Art. 15(4))",
                    proposal.title
                )
            } else {
                format!("New Art. 15 notification: {}", proposal.title)
            },
        ),
    };
    let row = app
        .store
        .create_proposal(
            org.id,
            kind,
            &title,
            &serde_json::json!({"voluntary": proposal, "channel": channel}),
            now,
        )
        .await?;
    app.store
        .create_alert(
            org.id,
            alert_kind,
            false,
            &alert,
            &serde_json::json!({"case_id": row.id}),
            now,
        )
        .await?;
    app.wake_worker();
    Ok(format!("VR-{}", row.id))
}
