//! The authority side of Article 14 (an instance run for a CSIRT and ENISA): the intake API that
//! manufacturers' instances deliver report packs to, and the inbox.
//!
//! A report is stored once per idempotency key, so an outbox that retries after a crash or a
//! lost answer never creates a duplicate; the answer to a repeat carries the first receipt.
//! Each report is visible, from the moment it is stored, to the coordinator CSIRT (member state
//! in the report header: main establishment or the Art. 14(7) fallback) and to ENISA.

use super::json_body;
use crate::auth::Caller;
use crate::{ApiError, App};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use cyres_report::ReportPack;
use cyres_store::{OrgKind, Role};
use std::collections::HashMap;

/// Largest accepted report pack (also the route's body budget in `guard`).
const MAX_PACK: usize = crate::guard::MAX_REPORT_PACK as usize;

/// `POST /api/v1/authority/reports` with `Idempotency-Key`: stores a report pack.
pub async fn intake(
    State(app): State<App>,
    caller: Caller,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let org = app.store.org(caller.org_id).await?;
    if !matches!(org.kind, OrgKind::Manufacturer | OrgKind::Steward) {
        return Err(ApiError::forbidden(
            "only manufacturers and stewards submit reports",
        ));
    }
    if bytes.len() > MAX_PACK {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("a report pack is at most {MAX_PACK} bytes"),
        ));
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .ok_or_else(|| ApiError::bad_request("the Idempotency-Key header is required"))?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| ApiError::bad_request("report pack is not UTF-8"))?;
    let mut value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| ApiError::bad_request(format!("report pack: {e}")))?;
    // Either a bare pack, or an envelope {"pack": …, "context": …} whose context carries what
    // the assessment needs beyond Art. 14 content (category, estimated users, components).
    if value.get("pack").is_none() {
        value = serde_json::json!({"pack": value, "context": null});
    }
    let pack = ReportPack::from_json(&value["pack"].to_string()).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_pack",
            e.to_string(),
        )
    })?;
    if pack.idempotency_key != key {
        return Err(ApiError::invalid(
            "idempotency_key",
            "idempotency_key: header and pack disagree",
        ));
    }
    // Art. 16(2), third subparagraph: the manufacturer's indication limits what ENISA sees from
    // intake; the flag is cleared in the assessment once the full notification is disseminated.
    let intake_limited = cyres_report::authority::raises_security_grounds(&pack.report);
    let facts = facts_of(&pack, &value["context"], intake_limited);
    let facts = serde_json::to_value(&facts).ok();
    let coordinator = pack.report.header.coordinator.code();
    let (row, new) = app
        .store
        .receive_report(
            &key,
            org.id,
            &org.name,
            Some(coordinator),
            pack.stage.as_str(),
            &value,
            facts.as_ref(),
            app.now(),
        )
        .await?;
    if new {
        tracing::info!(reference = row.id, coordinator, stage = %row.stage, "report received");
    }
    let at = time::OffsetDateTime::from_unix_timestamp(row.received_at)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        });
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(serde_json::json!({"reference": format!("AUTH-{}", row.id), "received_at": at, "duplicate": !new}))).into_response())
}

/// The reports an authority organisation sees in its inbox, newest first: a CSIRT those it
/// coordinates; ENISA all. 403 for other organisations and for a CSIRT without member state.
pub(crate) async fn inbox_rows(
    app: &App,
    caller: &Caller,
    limit: i64,
) -> Result<Vec<cyres_store::ReceivedReport>, ApiError> {
    let org = app.store.org(caller.org_id).await?;
    if !org.is_authority() {
        return Err(ApiError::forbidden("only CSIRTs and ENISA have an inbox"));
    }
    match org.kind {
        OrgKind::Enisa => Ok(app.store.received_reports(None, limit).await?),
        OrgKind::Csirt => {
            let ms = org
                .member_state
                .clone()
                .ok_or_else(|| ApiError::forbidden("this CSIRT has no member state"))?;
            let mut rows = app
                .store
                .received_reports(Some(&ms.to_ascii_uppercase()), limit)
                .await?;
            // And what another coordinator forwarded (or, on accepting ENISA's recommendation,
            // disseminated) to this CSIRT: the same rule as opening the report.
            if let Some(me) = cyres_cra::MemberState::from_code(&ms) {
                let mut seen: std::collections::BTreeSet<i64> = rows.iter().map(|r| r.id).collect();
                let decided: std::collections::BTreeSet<i64> = app
                    .store
                    .actions_of_kind("decision")
                    .await?
                    .into_iter()
                    .map(|a| a.report_id)
                    .collect();
                for id in decided.into_iter().rev() {
                    if !seen.insert(id) {
                        continue;
                    }
                    let row = app.store.received_report(id).await?;
                    let (pack, _) = parse(&row)?;
                    let d = decision(app, id).await?;
                    if cyres_report::authority::visible_to_csirt(
                        &pack.report,
                        d.as_ref(),
                        me,
                        app.now_at(),
                    ) {
                        rows.push(row);
                    }
                }
            }
            rows.sort_by_key(|r| std::cmp::Reverse(r.id));
            rows.truncate(usize::try_from(limit).unwrap_or(0));
            Ok(rows)
        }
        _ => Err(ApiError::forbidden("only CSIRTs and ENISA have an inbox")),
    }
}

/// The member states the sender's envelope context lists (every stage since senders add them).
fn context_states(ctx: &serde_json::Value) -> std::collections::BTreeSet<cyres_cra::MemberState> {
    ctx["member_states"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().and_then(cyres_cra::MemberState::from_code))
        .collect()
}

/// The member states the manufacturer listed for a report's case (Art. 14(2)(a), 14(4)(a)):
/// the report's own list (early warnings), else the sender's context (every stage since the
/// sender adds it), else the list of the same case's early warning from the same sender; so a
/// notification or final report forwards to the same CSIRTs as its early warning.
async fn listed_states(
    app: &App,
    row: &cyres_store::ReceivedReport,
    pack: &ReportPack,
    ctx: &serde_json::Value,
) -> Result<std::collections::BTreeSet<cyres_cra::MemberState>, ApiError> {
    if let Some(l) = cyres_report::authority::listed_member_states(&pack.report) {
        return Ok(l.clone());
    }
    let from_ctx = context_states(ctx);
    if !from_ctx.is_empty() {
        return Ok(from_ctx);
    }
    let earlier = app
        .store
        .received_reports(Some(pack.report.header.coordinator.code()), 10_000)
        .await?;
    for other in earlier
        .iter()
        .filter(|r| r.sender_org_id == row.sender_org_id && r.id != row.id)
    {
        let Ok((p, _)) = parse(other) else { continue };
        if p.case_id == pack.case_id
            && let Some(l) = cyres_report::authority::listed_member_states(&p.report)
        {
            return Ok(l.clone());
        }
    }
    Ok(Default::default())
}

/// `GET /api/v1/authority/inbox`: a CSIRT sees the reports it coordinates; ENISA sees all.
pub async fn inbox(State(app): State<App>, caller: Caller) -> Result<Response, ApiError> {
    Ok(Json(inbox_rows(&app, &caller, 1000).await?).into_response())
}

/// The pack and context of a stored report.
fn parse(row: &cyres_store::ReceivedReport) -> Result<(ReportPack, serde_json::Value), ApiError> {
    let pack = ReportPack::from_json(&row.pack["pack"].to_string())
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok((pack, row.pack["context"].clone()))
}

/// The latest coordinator decision on a report, if any, with the coordinator's latest answer to
/// ENISA's recommendation given since (Art. 16(2), third subparagraph).
async fn decision(app: &App, id: i64) -> Result<Option<cyres_report::Decision>, ApiError> {
    Ok(latest_decision(&app.store.authority_actions(id).await?))
}

/// [`decision`] over a report's actions, oldest first.
fn latest_decision(actions: &[cyres_store::AuthorityAction]) -> Option<cyres_report::Decision> {
    let mut current: Option<cyres_report::Decision> = None;
    for a in actions {
        match a.kind.as_str() {
            "decision" => {
                if let Ok(d) = serde_json::from_value(a.body.clone()) {
                    current = Some(d);
                }
            }
            RECOMMENDATION_ANSWER => {
                if let (Some(d), Ok(r)) = (current.as_mut(), serde_json::from_value(a.body.clone()))
                {
                    d.recommendation = Some(r);
                }
            }
            _ => {}
        }
    }
    current
}

/// The report pack of `id` for its coordinator CSIRT: 403 unless the caller is a CSIRT (`what`
/// names the act), 404 when the caller's CSIRT does not coordinate the report.
async fn coordinated_report(
    app: &App,
    caller: &Caller,
    id: i64,
    what: &'static str,
) -> Result<(ReportPack, cyres_cra::MemberState), ApiError> {
    let Viewer::Csirt(ms) = viewer(app, caller).await? else {
        return Err(ApiError::forbidden(what));
    };
    let row = app.store.received_report(id).await?;
    let (pack, _) = parse(&row)?;
    if pack.report.header.coordinator != ms {
        return Err(ApiError::not_found("report"));
    }
    Ok((pack, ms))
}

/// Stores (and audits) an authority action on report `id`.
async fn record_action(
    app: &App,
    caller: &Caller,
    id: i64,
    kind: &str,
    body: &impl serde::Serialize,
) -> Result<cyres_store::AuthorityAction, ApiError> {
    Ok(app
        .store
        .add_authority_action(
            id,
            kind,
            &serde_json::to_value(body).unwrap_or_default(),
            caller.org_id,
            &caller.actor,
            app.now(),
        )
        .await?)
}

/// The action kind of the coordinator's answer to ENISA's recommendation.
const RECOMMENDATION_ANSWER: &str = "recommendation_answer";

/// Whether ENISA has recommended full dissemination of report `id` (an analyst review whose
/// actions hold the recommendation).
pub(crate) fn recommended(actions: &[cyres_store::AuthorityAction]) -> bool {
    actions
        .iter()
        .rev()
        .find(|a| a.kind == "review")
        .is_some_and(|a| {
            a.body["actions"].as_array().is_some_and(|l| {
                l.iter()
                    .any(|x| x["action"] == "recommend-full-dissemination")
            })
        })
}

/// Who is asking, on the authority side.
enum Viewer {
    Enisa,
    Csirt(cyres_cra::MemberState),
}

/// The authority kind is read from the stored organisation, and counts only when the operator
/// provisioned it ([`cyres_store::Org::is_authority`]).
async fn viewer(app: &App, caller: &Caller) -> Result<Viewer, ApiError> {
    let org = app.store.org(caller.org_id).await?;
    if !org.is_authority() {
        return Err(ApiError::forbidden(
            "only CSIRTs and ENISA see received reports",
        ));
    }
    match org.kind {
        OrgKind::Enisa => Ok(Viewer::Enisa),
        OrgKind::Csirt => org
            .member_state
            .as_deref()
            .and_then(cyres_cra::MemberState::from_code)
            .map(Viewer::Csirt)
            .ok_or_else(|| ApiError::forbidden("this CSIRT has no member state")),
        _ => Err(ApiError::forbidden(
            "only CSIRTs and ENISA see received reports",
        )),
    }
}

/// A received report as one authority organisation may see it.
pub(crate) enum ReportDetail {
    /// ENISA: the full report, or the limited fields under Art. 16(2), third subparagraph.
    Enisa {
        /// The stored row.
        row: cyres_store::ReceivedReport,
        /// What ENISA sees.
        view: cyres_report::EnisaView,
        /// The report pack, only when ENISA sees the full report.
        pack: Option<Box<ReportPack>>,
        /// The coordinator's latest decision.
        decision: Option<cyres_report::Decision>,
        /// Actions on the report (decisions, reviews, requests), oldest first.
        actions: Vec<cyres_store::AuthorityAction>,
    },
    /// A CSIRT: the coordinator, or one the report was forwarded or disseminated to.
    Csirt {
        /// The stored row.
        row: cyres_store::ReceivedReport,
        /// The report pack.
        pack: Box<ReportPack>,
        /// The sender's context (category, users, components).
        context: serde_json::Value,
        /// The coordinator's latest decision.
        decision: Option<cyres_report::Decision>,
        /// Whether the caller is the coordinator (only it sees the actions and may act).
        coordinator: bool,
        /// Actions on the report, for the coordinator; empty for others.
        actions: Vec<cyres_store::AuthorityAction>,
    },
}

/// The report `id` as the caller's organisation may see it: the coordinator CSIRT sees it all;
/// CSIRTs it was forwarded to see it once forwarded (or once the coordinator accepted ENISA's
/// recommendation of full dissemination); ENISA sees it in full, or only the limited fields
/// while the manufacturer's Art. 16(2) third-subparagraph indication holds. Anyone else: 404
/// (403 for organisations that are not authorities).
pub(crate) async fn report_detail(
    app: &App,
    caller: &Caller,
    id: i64,
) -> Result<ReportDetail, ApiError> {
    let who = viewer(app, caller).await?;
    let row = app.store.received_report(id).await?;
    let (pack, context) = parse(&row)?;
    let actions = app.store.authority_actions(id).await?;
    let decision = latest_decision(&actions);
    match who {
        Viewer::Enisa => {
            let view = cyres_report::enisa_view(&pack.report, decision.as_ref(), app.now_at());
            let full = matches!(view, cyres_report::EnisaView::Full(_));
            Ok(ReportDetail::Enisa {
                row,
                view,
                pack: full.then(|| Box::new(pack)),
                decision,
                actions,
            })
        }
        Viewer::Csirt(ms) => {
            let coordinator = pack.report.header.coordinator == ms;
            // ENISA only recommends (Art. 16(2), third subparagraph); the full notification
            // reaches the other CSIRTs when the coordinator forwards or accepts.
            if !cyres_report::authority::visible_to_csirt(
                &pack.report,
                decision.as_ref(),
                ms,
                app.now_at(),
            ) {
                return Err(ApiError::not_found("report"));
            }
            Ok(ReportDetail::Csirt {
                row,
                pack: Box::new(pack),
                context,
                decision,
                coordinator,
                actions: if coordinator { actions } else { Vec::new() },
            })
        }
    }
}

/// `GET /api/v1/authority/reports/{id}`: [`report_detail`] as JSON.
pub async fn get_report(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let body = match report_detail(&app, &caller, id).await? {
        ReportDetail::Enisa {
            row,
            view,
            decision,
            ..
        } => {
            serde_json::json!({"id": row.id, "reference": format!("AUTH-{}", row.id), "received_at": row.received_at, "view": view, "decision": decision})
        }
        ReportDetail::Csirt {
            row,
            pack,
            context,
            decision,
            coordinator,
            actions,
        } => {
            serde_json::json!({"id": row.id, "reference": format!("AUTH-{}", row.id), "received_at": row.received_at, "sender": row.sender,
                "pack": pack, "context": context, "decision": decision,
                "actions": if coordinator { serde_json::to_value(&actions).unwrap_or_default() } else { serde_json::Value::Null }})
        }
    };
    Ok(Json(body).into_response())
}

/// Decision body: forward, or delay with a ground, reason and planned release.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// Forward, or delay with its ground.
    pub dissemination: cyres_report::Dissemination,
    /// Kept for compatibility: ENISA's limited view follows the manufacturer's Art. 16(2)
    /// third-subparagraph indication from intake; `true` on a report without one is refused.
    #[serde(default)]
    pub restrict_enisa: bool,
}

/// The coordinator CSIRT's decision on report `id`: checked by `cyres_report::decide`, stored
/// (and audited) as an authority action; ENISA sees it at once.
pub(crate) async fn decide_report(
    app: &App,
    caller: &Caller,
    id: i64,
    b: DecisionBody,
) -> Result<cyres_report::Decision, ApiError> {
    caller.require(Role::Editor)?;
    let (pack, _) = coordinated_report(
        app,
        caller,
        id,
        "only the coordinator CSIRT decides on dissemination",
    )
    .await?;
    let row = app.store.received_report(id).await?;
    let (_, ctx) = parse(&row)?;
    let listed = listed_states(app, &row, &pack, &ctx).await?;
    let request = cyres_report::DecisionRequest {
        dissemination: b.dissemination,
        restrict_enisa: b.restrict_enisa,
        decided_by: caller.actor.display(),
        decided_at: app.now_at(),
    };
    let d = cyres_report::decide(&pack.report, &listed, request)
        .map_err(|e| ApiError::invalid("dissemination", e.to_string()))?;
    record_action(app, caller, id, "decision", &d).await?;
    Ok(d)
}

/// `POST /api/v1/authority/reports/{id}/decision` (coordinator CSIRT): forward to the CSIRTs
/// of the other member states the manufacturer listed, or delay (Art. 16(2), DR 2026/881);
/// ENISA sees the decision at once.
pub async fn decide(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: DecisionBody = json_body(&bytes)?;
    Ok(Json(decide_report(&app, &caller, id, b).await?).into_response())
}

/// Facts for the assessment from a report pack and the sender's context.
fn facts_of(
    pack: &ReportPack,
    ctx: &serde_json::Value,
    limited: bool,
) -> cyres_report::NotificationFacts {
    let h = &pack.report.header;
    // The report's own list (early warnings), else the sender's context (every stage).
    let listed = cyres_report::authority::listed_member_states(&pack.report)
        .cloned()
        .unwrap_or_else(|| context_states(ctx));
    cyres_report::NotificationFacts {
        id: pack.case_id.clone(),
        manufacturer: h.manufacturer.clone(),
        product: format!("{}/{}", h.manufacturer, h.product_name),
        coordinator: h.coordinator,
        member_states: listed,
        estimated_users: ctx["estimated_users"].as_u64(),
        category: serde_json::from_value(ctx["category"].clone())
            .unwrap_or(cyres_cra::Category::Default),
        actively_exploited: h.kind == cyres_cra::CaseKind::Vulnerability,
        severity: serde_json::from_value(ctx["severity"].clone()).ok(),
        cve_ids: h.cve_ids.clone(),
        components: serde_json::from_value(ctx["components"].clone()).unwrap_or_default(),
        limited,
    }
}

/// Facts of a stored report under its current decision: limited while ENISA's view is.
fn facts(
    row: &cyres_store::ReceivedReport,
    decision: Option<&cyres_report::Decision>,
    now: time::OffsetDateTime,
) -> Option<cyres_report::NotificationFacts> {
    let (pack, ctx) = parse(row).ok()?;
    let limited = matches!(
        cyres_report::enisa_view(&pack.report, decision, now),
        cyres_report::EnisaView::Limited(_)
    );
    Some(facts_of(&pack, &ctx, limited))
}

/// ENISA's cross-report assessment, highest scores first.
pub(crate) struct AssessmentSummary {
    /// Notifications assessed (one per case).
    pub notifications: usize,
    /// How many of them score as systemic.
    pub systemic: usize,
    /// The configuration applied.
    pub config: cyres_report::SystemicConfig,
    /// The highest `limit` per-notification assessments.
    pub per_notification: Vec<cyres_report::Assessment>,
    /// The highest `limit` per-CVE or per-component assessments.
    pub per_subject: Vec<cyres_report::systemic::VulnerabilityAssessment>,
    /// The stored report each notification's facts come from (its latest).
    pub report_of: HashMap<String, i64>,
    /// The limit applied.
    pub limit: usize,
}

/// The explainable systemic-risk score per notification (one per case: its latest report)
/// and per CVE or component across them; ENISA only.
pub(crate) async fn assessment_summary(
    app: &App,
    caller: &Caller,
    limit: usize,
) -> Result<AssessmentSummary, ApiError> {
    let Viewer::Enisa = viewer(app, caller).await? else {
        return Err(ApiError::forbidden(
            "the systemic-risk assessment is ENISA's",
        ));
    };
    // Reports whose full notification is disseminated: their latest decision lifted ENISA's
    // limited view (a forward, the planned release, or an accepted recommendation).
    let now = app.now_at();
    let mut latest: HashMap<i64, cyres_report::Decision> = HashMap::new();
    for a in app.store.actions_of_kind("decision").await? {
        if let Ok(d) = serde_json::from_value(a.body) {
            latest.insert(a.report_id, d);
        }
    }
    for a in app.store.actions_of_kind(RECOMMENDATION_ANSWER).await? {
        if let (Some(d), Ok(r)) = (latest.get_mut(&a.report_id), serde_json::from_value(a.body)) {
            d.recommendation = Some(r);
        }
    }
    let disseminated: std::collections::HashSet<i64> = latest
        .into_iter()
        .filter(|(_, d)| {
            !d.enisa_limited
                || d.release_due(now)
                || d.recommendation
                    .as_ref()
                    .is_some_and(|r| r.answer == cyres_report::RecommendationAnswer::Accepted)
        })
        .map(|(id, _)| id)
        .collect();
    // One notification per case: the latest stored report's facts (see `facts_cache`).
    let config = app.config.systemic.clone();
    let (notifications, set, report_ids) = app
        .facts_cache
        .with_facts(&app.store, &disseminated, |ids, all| {
            // `assess_all` answers in input order, so each assessment's report is `ids[i]`.
            (
                all.len(),
                cyres_report::assess_all(all, &[], &config),
                ids.to_vec(),
            )
        })
        .await?;
    let systemic = set.per_notification.iter().filter(|a| a.systemic).count();
    let mut ranked: Vec<(i64, cyres_report::Assessment)> =
        report_ids.into_iter().zip(set.per_notification).collect();
    ranked.sort_by(|(_, a), (_, b)| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.notification_id.cmp(&b.notification_id))
    });
    ranked.truncate(limit);
    let report_of = ranked
        .iter()
        .map(|(id, a)| (a.notification_id.clone(), *id))
        .collect();
    let per_notification = ranked.into_iter().map(|(_, a)| a).collect();
    // Already highest score first (`AssessmentSet::per_subject`).
    let mut per_subject = set.per_subject;
    per_subject.truncate(limit);
    Ok(AssessmentSummary {
        notifications,
        systemic,
        config,
        per_notification,
        per_subject,
        report_of,
        limit,
    })
}

/// `GET /api/v1/authority/assessment` (ENISA): [`assessment_summary`] as JSON.
pub async fn assessment(
    State(app): State<App>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let limit = crate::api::int_param("limit", q.get("limit"))?
        .unwrap_or(100)
        .clamp(1, 10_000) as usize;
    let s = assessment_summary(&app, &caller, limit).await?;
    Ok(Json(serde_json::json!({
        "notifications": s.notifications,
        "systemic": s.systemic,
        "config": s.config,
        "per_notification": s.per_notification,
        "per_subject": s.per_subject,
        "note": format!("highest {} scores; ?limit= for more", s.limit),
    }))
    .into_response())
}

/// Review body.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// Confirm, or override with the analyst's verdict.
    pub verdict: cyres_report::Verdict,
    /// Why (required for an override).
    pub reason: String,
}

/// The computed systemic-risk assessment of report `id` alone, under its current decision:
/// what an analyst review confirms or overrides.
pub(crate) async fn report_assessment(
    app: &App,
    id: i64,
) -> Result<(cyres_report::NotificationFacts, cyres_report::Assessment), ApiError> {
    let row = app.store.received_report(id).await?;
    let d = decision(app, id).await?;
    let f = facts(&row, d.as_ref(), app.now_at())
        .ok_or_else(|| ApiError::internal("stored report unreadable"))?;
    let a = cyres_report::assess_one(&f, &app.config.systemic);
    Ok((f, a))
}

/// ENISA's analyst review of report `id`: checked by `cyres_report::review`, stored and
/// audited as an authority action.
pub(crate) async fn review_report(
    app: &App,
    caller: &Caller,
    id: i64,
    b: ReviewBody,
) -> Result<cyres_report::systemic::ReviewedAssessment, ApiError> {
    caller.require(Role::Editor)?;
    let Viewer::Enisa = viewer(app, caller).await? else {
        return Err(ApiError::forbidden("reviews are ENISA's"));
    };
    let (f, a) = report_assessment(app, id).await?;
    let analyst = cyres_report::AnalystReview {
        analyst: caller.actor.display(),
        at: app.now_at(),
        verdict: b.verdict,
        reason: b.reason,
    };
    let reviewed = cyres_report::review(&a, &f, analyst)
        .map_err(|e| ApiError::invalid("reason", e.to_string()))?;
    record_action(app, caller, id, "review", &reviewed).await?;
    Ok(reviewed)
}

/// `POST /api/v1/authority/reports/{id}/review` (ENISA): an analyst confirms or overrides the
/// assessment with a reason; stored and audited; a systemic verdict carries ENISA's
/// recommendation of full dissemination to the coordinator, which it accepts or declines.
pub async fn review(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: ReviewBody = json_body(&bytes)?;
    Ok(Json(review_report(&app, &caller, id, b).await?).into_response())
}

/// The coordinator's answer to ENISA's recommendation.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecommendationBody {
    /// `accepted` or `declined`.
    pub answer: cyres_report::RecommendationAnswer,
    /// Why (required when declining).
    #[serde(default)]
    pub reason: Option<String>,
}

/// The coordinator CSIRT's answer to ENISA's recommendation of full dissemination of report
/// `id` (Art. 16(2), third subparagraph): checked by `cyres_report::answer_recommendation`,
/// stored and audited; on acceptance the CSIRTs of every other member state see the report.
pub(crate) async fn answer_recommendation(
    app: &App,
    caller: &Caller,
    id: i64,
    b: RecommendationBody,
) -> Result<cyres_report::RecommendationResponse, ApiError> {
    caller.require(Role::Editor)?;
    let (pack, ms) = coordinated_report(
        app,
        caller,
        id,
        "only the coordinator CSIRT answers ENISA's recommendation",
    )
    .await?;
    if !recommended(&app.store.authority_actions(id).await?) {
        return Err(ApiError::invalid(
            "answer",
            "ENISA has not recommended full dissemination of this report",
        ));
    }
    let r = cyres_report::answer_recommendation(
        &pack.report,
        ms,
        b.answer,
        &caller.actor.display(),
        app.now_at(),
        b.reason,
    )
    .map_err(|e| ApiError::invalid("answer", e.to_string()))?;
    record_action(app, caller, id, RECOMMENDATION_ANSWER, &r).await?;
    Ok(r)
}

/// `POST /api/v1/authority/reports/{id}/recommendation` (coordinator CSIRT): accept or decline
/// ENISA's recommendation of full dissemination; recorded.
pub async fn recommendation(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: RecommendationBody = json_body(&bytes)?;
    Ok(Json(answer_recommendation(&app, &caller, id, b).await?).into_response())
}

/// The coordinator's record that it informed users itself (Art. 14(8), second subparagraph).
#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct UsersInformedBody {
    /// Whether the information named risk mitigation or corrective measures.
    #[serde(default)]
    pub measures_included: bool,
}

/// Records that the coordinator CSIRT informed the users of report `id`'s product itself,
/// where the manufacturer did not in time (CRA Art. 14(8), second subparagraph: the CSIRT "may",
/// after consulting the manufacturer); stored and audited as an authority action.
pub(crate) async fn record_users_informed(
    app: &App,
    caller: &Caller,
    id: i64,
    b: UsersInformedBody,
) -> Result<cyres_report::UsersInformed, ApiError> {
    caller.require(Role::Editor)?;
    coordinated_report(
        app,
        caller,
        id,
        "only the coordinator CSIRT records that it informed users",
    )
    .await?;
    let r = cyres_report::UsersInformed {
        at: app.now_at(),
        by: cyres_report::InformedBy::Csirt,
        notice_id: None,
        measures_included: b.measures_included,
    };
    record_action(app, caller, id, "users_informed", &r).await?;
    Ok(r)
}

/// `POST /api/v1/authority/reports/{id}/users-informed` (coordinator CSIRT): record that the
/// CSIRT informed the users itself (Art. 14(8), second subparagraph).
pub async fn users_informed(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: UsersInformedBody = if bytes.is_empty() {
        UsersInformedBody::default()
    } else {
        json_body(&bytes)?
    };
    Ok((
        StatusCode::CREATED,
        Json(record_users_informed(&app, &caller, id, b).await?),
    )
        .into_response())
}

/// Intermediate-report request body.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestBody {
    #[serde(default)]
    note: Option<String>,
}

/// The coordinator CSIRT's request for an intermediate report on report `id` (Art. 14(6)),
/// stored (and audited) as an authority action the manufacturer's instance polls.
pub(crate) async fn request_intermediate_report(
    app: &App,
    caller: &Caller,
    id: i64,
    note: Option<String>,
) -> Result<cyres_store::AuthorityAction, ApiError> {
    caller.require(Role::Editor)?;
    let (pack, ms) = coordinated_report(
        app,
        caller,
        id,
        "only the coordinator CSIRT requests intermediate reports",
    )
    .await?;
    let req = cyres_report::request_intermediate(
        &pack.report,
        ms,
        app.now_at(),
        Some(format!("AUTH-{id}")),
        note,
    )
    .map_err(|e| ApiError::invalid("request", e.to_string()))?;
    record_action(app, caller, id, "intermediate_request", &req).await
}

/// `POST /api/v1/authority/reports/{id}/intermediate-request` (coordinator CSIRT, Art.
/// 14(6)): the manufacturer's instance picks it up, alerts and adds the stage to the case.
pub async fn request_intermediate(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: RequestBody = if bytes.is_empty() {
        RequestBody { note: None }
    } else {
        json_body(&bytes)?
    };
    let a = request_intermediate_report(&app, &caller, id, b.note).await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

/// `GET /api/v1/authority/requests?after=N` (the manufacturer's token): intermediate-report
/// requests on its reports, with the idempotency key of the report they concern.
pub async fn requests(
    State(app): State<App>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let after = crate::api::int_param("after", q.get("after"))?.unwrap_or(0);
    let rows = app
        .store
        .actions_for_sender(caller.org_id, "intermediate_request", after)
        .await?;
    let out: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|(a, key)| serde_json::json!({"id": a.id, "idempotency_key": key, "request": a.body}))
        .collect();
    Ok(Json(out).into_response())
}
