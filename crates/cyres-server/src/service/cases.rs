//! Article 14 cases on the manufacturer side: opening an incident case by hand, confirming a
//! proposal (awareness time and evidence), changing case fields, the evidence ledger,
//! submitting a stage through the durable outbox, recording the ENISA portal reference, and the
//! public intakes (coordinated vulnerability disclosure and Art. 15 voluntary notifications).

use super::{ErrorKind, Principal, ServiceError, to_json};
use crate::App;
use crate::clock::at as ts;
use cyres_cra::{CaseKind, Category, MemberState, StageKind};
use cyres_report::{Case, Evidence, EvidenceSource, ReportPack};
use cyres_store::{CaseRow, Role};
use std::collections::{BTreeSet, HashMap};
use time::OffsetDateTime;

/// Reads a stage's machine name (`early-warning`, …), naming the field when it is not one.
pub(crate) fn stage_from(word: &str) -> Result<StageKind, ServiceError> {
    word.parse::<StageKind>()
        .map_err(|e| ServiceError::invalid("stage", format!("stage: {e}")))
}

/// The parsed case of a row; `None` for a proposal (which holds no case yet, or for voluntary
/// reports the proposal itself).
pub(crate) fn parse_case(row: &CaseRow) -> Result<Option<Case>, ServiceError> {
    if !row.state.is_confirmed() {
        return Ok(None);
    }
    row.body
        .as_ref()
        .map(|b| {
            serde_json::from_value::<Case>(b.clone())
                .map_err(|e| ServiceError::internal(format!("stored case {}: {e}", row.id)))
        })
        .transpose()
}

/// The case skeleton from stored organisation and product data.
async fn new_case(
    app: &App,
    who: &Principal,
    id: String,
    kind: CaseKind,
    title: &str,
    product_id: i64,
    aware_at: OffsetDateTime,
) -> Result<Case, ServiceError> {
    let org = app.store.org(who.org_id).await?;
    let product = app.store.product(who.org_id, product_id).await?;
    let manufacturer = cyres_report::Manufacturer {
        name: org.name.clone(),
        contact: org_contact(app, who.org_id).await?,
        establishment: cyres_cra::routing::Establishment {
            main_establishment: org.member_state.as_deref().and_then(MemberState::from_code),
            ..Default::default()
        },
        enterprise_size: org
            .size
            .as_deref()
            .map(|s| {
                cyres_cra::EnterpriseSize::parse(s).ok_or_else(|| {
                    ServiceError::internal(format!(
                        "stored organisation size {s:?} is not one this release knows"
                    ))
                })
            })
            .transpose()?,
    };
    // An unknown stored category is an error, never the least strict one (CRA Art. 7, 8).
    let category: Category = stored_word("product category", &product.category)?;
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

/// Stores the case body.
async fn save(
    app: &App,
    who: &Principal,
    id: i64,
    case: &Case,
    aware_at: i64,
    now: i64,
) -> Result<CaseRow, ServiceError> {
    Ok(app
        .store
        .save_case(
            who.org_id,
            id,
            &to_json("case", case)?,
            aware_at,
            &who.actor,
            now,
        )
        .await?)
}

/// The confirmed case of a row; a conflict for a proposal.
pub(crate) fn confirmed(row: &CaseRow) -> Result<Case, ServiceError> {
    parse_case(row)?.ok_or_else(|| ServiceError::conflict("confirm the case first"))
}

/// The organisation's security contact as its cases state it to users (Art. 14(8) notices)
/// and to the CSIRT (Art. 14(2) reports): the mailbox of its public face, else its contact
/// page (Annex II (1)-(2); RFC 9116 `Contact`). One place, so a notice never says "not given"
/// while the organisation has a contact.
pub(crate) async fn org_contact(app: &App, org_id: i64) -> Result<Option<String>, ServiceError> {
    let face = app.store.public_face(org_id).await?;
    Ok([face.contact_email, face.contact_url]
        .into_iter()
        .map(|c| c.trim().to_string())
        .find(|c| !c.is_empty()))
}

/// A case with the organisation's contact filled in when the case has none (cases opened
/// before the organisation gave one).
pub(crate) async fn with_contact(
    app: &App,
    org_id: i64,
    mut case: Case,
) -> Result<Case, ServiceError> {
    if case
        .manufacturer
        .contact
        .as_deref()
        .is_none_or(|c| c.trim().is_empty())
    {
        case.manufacturer.contact = org_contact(app, org_id).await?;
    }
    Ok(case)
}

/// Case `id` of the organisation, confirmed, with its contact filled in; a conflict for a
/// proposal.
pub(crate) async fn confirmed_case(
    app: &App,
    org_id: i64,
    id: i64,
) -> Result<(CaseRow, Case), ServiceError> {
    let row = app.store.case(org_id, id).await?;
    let case = with_contact(app, org_id, confirmed(&row)?).await?;
    Ok((row, case))
}

/// Invalid input listing every missing field, pointing at the first.
pub(crate) fn missing_error(
    code: &'static str,
    what: &str,
    missing: &[cyres_report::MissingField],
) -> ServiceError {
    let names: Vec<String> = missing
        .iter()
        .map(|m| format!("{} ({})", m.label, m.path))
        .collect();
    ServiceError::invalid(
        missing.first().map(|m| m.path).unwrap_or("case"),
        format!("{what}: {}", names.join("; ")),
    )
    .with_code(code)
}

/// An entry for the evidence ledger.
#[derive(Clone, Debug)]
pub(crate) struct NewEvidence {
    /// Where it came from.
    pub source: EvidenceSource,
    /// KEV entry, EUVD id, ticket, log query, message id.
    pub reference: String,
    /// When observed or received; now when absent.
    pub at: Option<OffsetDateTime>,
    /// Free text.
    pub note: Option<String>,
}

fn evidence(who: &Principal, e: NewEvidence, now: i64) -> Result<Evidence, ServiceError> {
    if e.reference.trim().is_empty() {
        return Err(ServiceError::invalid(
            "reference",
            "reference: say where the evidence comes from",
        ));
    }
    Ok(Evidence {
        source: e.source,
        at: e.at.unwrap_or_else(|| ts(now)),
        reference: e.reference,
        recorded_by: who.actor.display(),
        note: e.note,
    })
}

/// Awareness cannot be in the future: the Art. 14 clocks run from it.
fn not_future(field: &str, at: OffsetDateTime, now: i64) -> Result<(), ServiceError> {
    if at.unix_timestamp() > now {
        return Err(ServiceError::invalid(
            field,
            format!("{field}: cannot be in the future"),
        ));
    }
    Ok(())
}

/// Opening a case by hand.
#[derive(Clone, Debug)]
pub(crate) struct NewCase {
    /// Vulnerability or severe incident.
    pub kind: CaseKind,
    /// Short title.
    pub title: String,
    /// The product concerned.
    pub product_id: i64,
    /// For a vulnerability: the id it goes by (CVE, GHSA, EUVD, ...), when known. The case then
    /// covers the organisation's findings of it, and maintainers already informed of it are
    /// recorded on the case (Art. 13(6)).
    pub advisory_id: Option<String>,
    /// Time of awareness.
    pub aware_at: OffsetDateTime,
    /// Description.
    pub description: Option<String>,
    /// Evidence for the ledger.
    pub evidence: Vec<NewEvidence>,
}

/// Opens a confirmed case by hand (a severe incident, or a vulnerability cyres did not find
/// itself): a title is required and awareness cannot be in the future (the clocks run from it,
/// as for a confirmed proposal). Editors.
pub(crate) async fn open_case(
    app: &App,
    who: &Principal,
    b: NewCase,
) -> Result<CaseRow, ServiceError> {
    who.require(Role::Editor)?;
    if b.title.trim().is_empty() {
        return Err(ServiceError::invalid("title", "title: required"));
    }
    let now = app.now();
    not_future("aware_at", b.aware_at, now)?;
    let mut case = new_case(
        app,
        who,
        "pending".into(),
        b.kind,
        b.title.trim(),
        b.product_id,
        b.aware_at,
    )
    .await?;
    case.description = b.description;
    for e in b.evidence {
        case.evidence.push(evidence(who, e, now)?);
    }
    let advisory_id = b
        .advisory_id
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    if let Some(a) = advisory_id {
        // The reports name the vulnerability by the id given (Art. 14(2)(b), (d)).
        if a.starts_with("CVE-") {
            case.cve_ids.push(a.to_string());
        } else {
            case.advisory_ids.push(a.to_string());
        }
    }
    let row = app
        .store
        .create_case(
            who.org_id,
            &cyres_store::ManualCase {
                kind: b.kind,
                title: b.title.trim(),
                advisory_id,
                body: &to_json("case", &case)?,
                aware_at: b.aware_at.unix_timestamp(),
            },
            &who.actor,
            now,
        )
        .await?;
    // The case id inside the body is the stored id (stable for idempotency keys).
    case.id = format!("case-{}-{}", who.org_id, row.id);
    save(app, who, row.id, &case, b.aware_at.unix_timestamp(), now).await
}

/// Confirming a proposal.
#[derive(Clone, Debug)]
pub(crate) struct Confirm {
    /// Time of awareness.
    pub aware_at: OffsetDateTime,
    /// For voluntary-report proposals: the product concerned.
    pub product_id: Option<i64>,
    /// Evidence for the ledger.
    pub evidence: Vec<NewEvidence>,
}

/// A person confirms proposal `id`, recording the time of awareness and the evidence; the
/// clocks start from that time. Answers the stored case. Editors.
pub(crate) async fn confirm_case(
    app: &App,
    who: &Principal,
    id: i64,
    b: Confirm,
) -> Result<CaseRow, ServiceError> {
    who.require(Role::Editor)?;
    let aware_at = b.aware_at;
    let now = app.now();
    not_future("aware_at", aware_at, now)?;
    let row = app.store.case(who.org_id, id).await?;
    if row.state != cyres_store::CaseState::Proposed {
        return Err(ServiceError::conflict(
            "only a proposed case can be confirmed",
        ));
    }
    if let Some(proposal) = row.body.as_ref().and_then(|b| b.get("voluntary")) {
        let proposal: cyres_report::CaseProposal = serde_json::from_value(proposal.clone())
            .map_err(|e| ServiceError::internal(e.to_string()))?;
        let product_id = b.product_id.ok_or_else(|| {
            ServiceError::invalid(
                "product_id",
                "product_id: which of your products the voluntary report is about",
            )
        })?;
        let skeleton = new_case(
            app,
            who,
            format!("case-{}-{}", who.org_id, id),
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
                &who.actor.display(),
            )
            .map_err(|e| ServiceError::invalid("proposal", e.to_string()))?;
        for e in b.evidence {
            case.evidence.push(evidence(who, e, now)?);
        }
        return save(app, who, id, &case, aware_at.unix_timestamp(), now).await;
    }
    let mut findings = Vec::new();
    for fid in &row.finding_ids {
        if let Ok(f) = app.store.finding(who.org_id, *fid).await {
            findings.push(f);
        }
    }
    let first = findings
        .first()
        .ok_or_else(|| ServiceError::conflict("the proposal has no findings left"))?;
    let mut case = new_case(
        app,
        who,
        format!("case-{}-{}", who.org_id, id),
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
        if let Ok(r) = app.store.release(who.org_id, f.release_id).await {
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
    // Only identifiers a reader can look up go into reports and notices: CVE, GHSA, EUVD and
    // the component's own ecosystem's database, never another distribution's vendor aliases.
    let purl_type = first
        .component_purl
        .as_deref()
        .and_then(|p| cyres_version::purl::Purl::parse(p).ok())
        .map(|p| p.ty);
    let shown: Vec<&str> = ids
        .iter()
        .map(String::as_str)
        .filter(|i| cyres_vuln::ids::recognised(i, purl_type.as_deref()))
        .collect();
    case.cve_ids = shown
        .iter()
        .filter(|i| i.starts_with("CVE-"))
        .map(|i| i.to_string())
        .collect();
    case.advisory_ids = shown
        .iter()
        .filter(|i| !i.starts_with("CVE-"))
        .map(|i| i.to_string())
        .collect();
    // A human title: the id people search for and the component, then what the flaw does.
    if let Some(id) = cyres_vuln::ids::preferred(&shown, purl_type.as_deref()) {
        let what = first
            .summary
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| match s.char_indices().nth(120) {
                Some((at, _)) => format!(": {}…", &s[..at]),
                None => format!(": {s}"),
            })
            .unwrap_or_default();
        let version = first
            .component_version
            .as_deref()
            .map(|v| format!(" {v}"))
            .unwrap_or_default();
        case.title = format!("{id} in {}{version}{what}", first.component_name);
    }
    case.description = first.summary.clone();
    for e in b.evidence {
        case.evidence.push(evidence(who, e, now)?);
    }
    save(app, who, id, &case, aware_at.unix_timestamp(), now).await
}

/// Changes to a confirmed case: `cyres-report` case fields by their serialised names
/// (`severity`, `measures_taken`, `fix`, `sensitivity`, …) and their new values. The service
/// checks each name (identity fields cannot change, unknown names are refused) and the result
/// against the typed [`Case`], so a value of the wrong type is refused naming the field.
#[derive(Clone, Debug, Default)]
pub(crate) struct CasePatch(pub serde_json::Map<String, serde_json::Value>);

/// Fields fixed once a case exists: its identity, the clocks' start and the submissions log.
const FIXED_FIELDS: [&str; 5] = ["id", "kind", "aware_at", "manufacturer", "submissions"];

/// Applies `patch` to confirmed case `id`; answers the stored case. Editors.
pub(crate) async fn update_case(
    app: &App,
    who: &Principal,
    id: i64,
    patch: CasePatch,
) -> Result<CaseRow, ServiceError> {
    who.require(Role::Editor)?;
    let row = app.store.case(who.org_id, id).await?;
    let mut current = row
        .body
        .clone()
        .ok_or_else(|| ServiceError::conflict("confirm the case first"))?;
    for (k, v) in patch.0 {
        if FIXED_FIELDS.contains(&k.as_str()) {
            return Err(ServiceError::invalid(&k, format!("{k}: cannot be changed")));
        }
        if current.get(&k).is_none() {
            return Err(ServiceError::invalid(&k, format!("{k}: not a case field")));
        }
        current[&k] = v;
    }
    let case: Case = serde_json::from_value(current.clone())
        .map_err(|e| ServiceError::invalid("case", format!("case: {e}")))?;
    save(app, who, id, &case, row.aware_at.unwrap_or(0), app.now()).await
}

/// Adds an entry to the evidence ledger of confirmed case `id`; answers the stored case.
/// Editors.
pub(crate) async fn add_case_evidence(
    app: &App,
    who: &Principal,
    id: i64,
    b: NewEvidence,
) -> Result<CaseRow, ServiceError> {
    who.require(Role::Editor)?;
    let (row, mut case) = confirmed_case(app, who.org_id, id).await?;
    case.evidence.push(evidence(who, b, app.now())?);
    save(app, who, id, &case, row.aware_at.unwrap_or(0), app.now()).await
}

/// Validates the report of `stage` for case `id` and queues it in the outbox (delivered to the
/// configured reporting endpoint exactly once), or keeps it for manual entry in the ENISA
/// portal when no endpoint is configured. Editors.
pub(crate) async fn submit_stage(
    app: &App,
    who: &Principal,
    id: i64,
    stage: StageKind,
) -> Result<cyres_store::SubmissionRow, ServiceError> {
    who.require(Role::Editor)?;
    let (_, case) = confirmed_case(app, who.org_id, id).await?;
    let mut d = cyres_report::draft(&case, stage);
    let revision = app
        .store
        .submissions(who.org_id, id)
        .await?
        .iter()
        .filter(|s| s.stage == stage)
        .count() as u32
        + 1;
    d.revision = revision;
    let report = cyres_report::validate(&d).map_err(|missing| {
        missing_error("incomplete_report", "missing required fields", &missing)
    })?;
    let now = app.now();
    let mut pack = ReportPack::new(&report, ts(now));
    // Art. 13(6): for a vulnerability, the maintainers of integrated components informed
    // (kept on the case apart from the evidence ledger) belong with the measures taken.
    if pack.kind == CaseKind::Vulnerability {
        let notices = app.store.case_maintainer_notices(who.org_id, id).await?;
        if !notices.is_empty() {
            pack.fields.push(cyres_report::pack::PackField {
                path: "maintainers_informed".into(),
                label: "Maintainers of integrated components informed".into(),
                basis: "CRA Art. 13(6)".into(),
                required: false,
                value: notices
                    .iter()
                    .map(|n| {
                        format!(
                            "{} via {} on {} (upstream report {})",
                            n.maintainer,
                            n.channel,
                            ts(n.informed_at)
                                .format(&time::format_description::well_known::Rfc3339)
                                .unwrap_or_default(),
                            n.upstream_report_id
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            });
        }
    }
    let value: serde_json::Value =
        serde_json::from_str(&pack.to_json()).map_err(|e| ServiceError::internal(e.to_string()))?;
    let sub = app
        .store
        .queue_submission(
            who.org_id,
            &cyres_store::NewSubmission {
                case_id: id,
                stage,
                revision: i64::from(revision),
                key: &pack.idempotency_key,
                pack: &value,
                deliver: app.reporting_for(who.org_id).await?.is_some(),
            },
            &who.actor,
            now,
        )
        .await?;
    app.wake_worker();
    Ok(sub)
}

/// Records the ENISA portal's reference and the time the report of submission `id` was entered
/// there; the case's clock counts the stage as submitted then. Editors.
pub(crate) async fn record_portal(
    app: &App,
    who: &Principal,
    id: i64,
    reference: &str,
    submitted_at: OffsetDateTime,
) -> Result<cyres_store::SubmissionRow, ServiceError> {
    who.require(Role::Editor)?;
    let reference = reference.trim();
    if reference.is_empty() {
        return Err(ServiceError::invalid("reference", "reference: required"));
    }
    let at = submitted_at.unix_timestamp();
    let now = app.now();
    let sub = app
        .store
        .record_portal_reference(who.org_id, id, reference, at, &who.actor, now)
        .await?;
    mark_case_submitted(app, &sub, at, reference).await?;
    Ok(sub)
}

/// Records in the case body that submission `sub` was submitted at `at` (by the delivery worker
/// or the portal reference), so the case's clocks count its stage as submitted; once per stage
/// and revision, in one atomic edit of the stored body.
pub(crate) async fn mark_case_submitted(
    app: &App,
    sub: &cyres_store::SubmissionRow,
    at: i64,
    reference: &str,
) -> Result<(), ServiceError> {
    let (org_id, case_id) = (sub.org_id, sub.case_id);
    let stage = sub.stage;
    let revision = u32::try_from(sub.revision)
        .map_err(|_| ServiceError::internal(format!("submission revision {}", sub.revision)))?;
    let mut unreadable = None;
    app.store
        .edit_case_body(
            org_id,
            case_id,
            &cyres_store::Actor::system(),
            app.now(),
            |body| {
                let mut case: Case = match serde_json::from_value(body.clone()) {
                    Ok(c) => c,
                    Err(e) => {
                        unreadable = Some(e.to_string());
                        return None;
                    }
                };
                if case
                    .submissions
                    .iter()
                    .any(|s| s.stage == stage && s.revision == revision)
                {
                    return None;
                }
                case.submissions.push(cyres_report::Submission {
                    stage,
                    revision,
                    submitted_at: ts(at),
                    reference: Some(reference.to_string()),
                });
                match serde_json::to_value(&case) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        unreadable = Some(e.to_string());
                        None
                    }
                }
            },
        )
        .await?;
    match unreadable {
        Some(e) => Err(ServiceError::internal(format!("case {case_id}: {e}"))),
        None => Ok(()),
    }
}

/// Per-address limit of the public intake: 10 reports an hour.
#[derive(Debug, Default)]
pub(crate) struct IntakeLimiter(std::sync::Mutex<HashMap<String, Vec<i64>>>);

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

/// The organisation `id` if it receives reports on `channel`; not found otherwise (an unknown
/// id and an organisation of another kind look the same).
pub(crate) async fn receiving_org(
    app: &App,
    channel: cyres_report::IntakeChannel,
    id: i64,
) -> Result<cyres_store::Org, ServiceError> {
    let what = match channel {
        cyres_report::IntakeChannel::CoordinatedDisclosure => "manufacturer (organisation_id)",
        cyres_report::IntakeChannel::Art15Voluntary => "CSIRT or ENISA (organisation_id)",
    };
    match app.store.org(id).await {
        Ok(org) if receives(channel, org.kind) => Ok(org),
        Ok(_) | Err(cyres_store::StoreError::NotFound { .. }) => Err(ServiceError::not_found(what)),
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
    parse: impl FnOnce() -> Result<(Option<i64>, cyres_report::VoluntarySubmission), ServiceError>,
) -> Result<String, ServiceError> {
    let now = app.now();
    if !app.intake_limiter.allow(ip, now) {
        let mut e = ServiceError::new(
            ErrorKind::RateLimited,
            "rate_limited",
            "too many reports from this address; try again later",
        );
        e.retry_after = Some(3600);
        return Err(e);
    }
    let limits = cyres_report::IntakeLimits::default();
    if size > limits.total_bytes {
        return Err(ServiceError::new(
            ErrorKind::TooLarge,
            "too_large",
            format!("a report is at most {} bytes", limits.total_bytes),
        ));
    }
    let (org_id, mut sub) = parse()?;
    let org_id = org_id.ok_or_else(|| {
        ServiceError::invalid(
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
        ServiceError::invalid(
            problems
                .first()
                .map(|p| p.path.as_str())
                .unwrap_or("report"),
            names.join("; "),
        )
        .with_code("invalid_report")
    })?;
    let kind = proposal.suggested_case.unwrap_or(CaseKind::Vulnerability);
    let (title, alert_kind, alert) = match channel {
        cyres_report::IntakeChannel::CoordinatedDisclosure => (
            format!("Vulnerability report (CVD): {}", proposal.title),
            cyres_store::AlertKind::VoluntaryReport,
            format!(
                "New vulnerability report (coordinated disclosure): {}",
                proposal.title
            ),
        ),
        cyres_report::IntakeChannel::Art15Voluntary => (
            format!("Voluntary notification (Art. 15): {}", proposal.title),
            cyres_store::AlertKind::VoluntaryNotification,
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

/// A stored closed-set word (a product's `category`) read as its enum; a word this release does
/// not know is an error naming it, never a default.
fn stored_word<T: serde::de::DeserializeOwned>(what: &str, word: &str) -> Result<T, ServiceError> {
    serde_json::from_value(serde_json::Value::String(word.to_string())).map_err(|_| {
        ServiceError::internal(format!(
            "stored {what} {word:?} is not one this release knows"
        ))
    })
}
