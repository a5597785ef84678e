//! The authority side of Article 14 (an instance run for a CSIRT and ENISA): receiving report
//! packs, the inbox, what each authority organisation may see of a report, the coordinator's
//! decision (Art. 16(1)-(2)), ENISA's assessment and review (Art. 14(1), 16-17), the answer to
//! ENISA's recommendation, users informed and intermediate-report requests (Art. 14(6)).
//!
//! A report is stored once per idempotency key, so an outbox that retries after a crash or a
//! lost answer never creates a duplicate; the answer to a repeat carries the first receipt.
//! Each report is visible, from the moment it is stored, to the coordinator CSIRT (member state
//! in the report header: main establishment or the Art. 14(7) fallback) and to ENISA. The
//! authority kind is always read from the stored organisation ([`cyres_store::Org::is_authority`]).

use super::{ErrorKind, Principal, ServiceError, to_json};
use crate::App;
use cyres_report::ReportPack;
use cyres_store::{AuthorityActionKind, OrgKind, Role};
use std::collections::HashMap;

/// Stores a report pack (a bare pack, or an envelope `{"pack": …, "context": …}` whose
/// context carries what the assessment needs beyond Art. 14 content: category, estimated
/// users, components, member states) received from manufacturer or steward `who` under the
/// idempotency key `key`. Answers the stored row and whether it is new (a repeat answers the
/// first receipt). Editors of manufacturers and stewards.
pub(crate) async fn receive_report(
    app: &App,
    who: &Principal,
    key: &str,
    mut value: serde_json::Value,
) -> Result<(cyres_store::ReceivedReport, bool), ServiceError> {
    who.require(Role::Editor)?;
    let org = app.store.org(who.org_id).await?;
    if !matches!(org.kind, OrgKind::Manufacturer | OrgKind::Steward) {
        return Err(ServiceError::forbidden(
            "only manufacturers and stewards submit reports",
        ));
    }
    if value.get("pack").is_none() {
        value = serde_json::json!({"pack": value, "context": null});
    }
    let pack = ReportPack::from_json(&value["pack"].to_string())
        .map_err(|e| ServiceError::new(ErrorKind::Invalid, "invalid_pack", e.to_string()))?;
    if pack.idempotency_key != key {
        return Err(ServiceError::invalid(
            "idempotency_key",
            "idempotency_key: header and pack disagree",
        ));
    }
    // Art. 16(2), third subparagraph: the manufacturer's indication limits what ENISA sees from
    // intake; the flag is cleared in the assessment once the full notification is disseminated.
    let intake_limited = cyres_report::authority::raises_security_grounds(&pack.report);
    let facts = to_json(
        "assessment facts",
        &facts_of(&pack, &value["context"], intake_limited),
    )?;
    let coordinator = pack.report.header.coordinator.code();
    let (row, new) = app
        .store
        .receive_report(
            &cyres_store::IncomingReport {
                key,
                sender_org_id: org.id,
                sender: &org.name,
                coordinator: Some(coordinator),
                stage: pack.stage,
                pack: &value,
                facts: Some(&facts),
            },
            app.now(),
        )
        .await?;
    if new {
        tracing::info!(reference = row.id, coordinator, stage = %row.stage, "report received");
    }
    Ok((row, new))
}

/// The reports an authority organisation sees in its inbox, newest first: a CSIRT those it
/// coordinates; ENISA all. 403 for other organisations and for a CSIRT without member state.
pub(crate) async fn inbox_rows(
    app: &App,
    who: &Principal,
    limit: i64,
) -> Result<Vec<cyres_store::ReceivedReport>, ServiceError> {
    let org = app.store.org(who.org_id).await?;
    if !org.is_authority() {
        return Err(ServiceError::forbidden(
            "only CSIRTs and ENISA have an inbox",
        ));
    }
    match org.kind {
        OrgKind::Enisa => Ok(app.store.received_reports(None, limit).await?),
        OrgKind::Csirt => {
            let ms = org
                .member_state
                .clone()
                .ok_or_else(|| ServiceError::forbidden("this CSIRT has no member state"))?;
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
                    .actions_of_kind(AuthorityActionKind::Decision)
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
        _ => Err(ServiceError::forbidden(
            "only CSIRTs and ENISA have an inbox",
        )),
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
) -> Result<std::collections::BTreeSet<cyres_cra::MemberState>, ServiceError> {
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

/// The pack and context of a stored report.
fn parse(
    row: &cyres_store::ReceivedReport,
) -> Result<(ReportPack, serde_json::Value), ServiceError> {
    let pack = ReportPack::from_json(&row.pack["pack"].to_string())
        .map_err(|e| ServiceError::internal(e.to_string()))?;
    Ok((pack, row.pack["context"].clone()))
}

/// The latest coordinator decision on a report, if any, with the coordinator's latest answer to
/// ENISA's recommendation given since (Art. 16(2), third subparagraph).
async fn decision(app: &App, id: i64) -> Result<Option<cyres_report::Decision>, ServiceError> {
    latest_decision(&app.store.authority_actions(id).await?)
}

/// A stored authority action's body read as `T`; one that does not read is an error naming
/// the action (a decision silently skipped would change who may see the report).
fn action_body<T: serde::de::DeserializeOwned>(
    a: &cyres_store::AuthorityAction,
) -> Result<T, ServiceError> {
    serde_json::from_value(a.body.clone()).map_err(|e| {
        ServiceError::internal(format!(
            "authority action {} ({}) of report {} does not read: {e}",
            a.id, a.kind, a.report_id
        ))
    })
}

/// [`decision`] over a report's actions, oldest first.
fn latest_decision(
    actions: &[cyres_store::AuthorityAction],
) -> Result<Option<cyres_report::Decision>, ServiceError> {
    let mut current: Option<cyres_report::Decision> = None;
    for a in actions {
        match a.kind {
            AuthorityActionKind::Decision => current = Some(action_body(a)?),
            AuthorityActionKind::RecommendationAnswer => {
                if let Some(d) = current.as_mut() {
                    d.recommendation = Some(action_body(a)?);
                }
            }
            _ => {}
        }
    }
    Ok(current)
}

/// The report pack of `id` for its coordinator CSIRT: 403 unless the who is a CSIRT (`what`
/// names the act), 404 when the who's CSIRT does not coordinate the report.
async fn coordinated_report(
    app: &App,
    who: &Principal,
    id: i64,
    what: &'static str,
) -> Result<(ReportPack, cyres_cra::MemberState), ServiceError> {
    let Viewer::Csirt(ms) = viewer(app, who).await? else {
        return Err(ServiceError::forbidden(what));
    };
    let row = app.store.received_report(id).await?;
    let (pack, _) = parse(&row)?;
    if pack.report.header.coordinator != ms {
        return Err(ServiceError::not_found("report"));
    }
    Ok((pack, ms))
}

/// Stores (and audits) an authority action on report `id`.
async fn record_action(
    app: &App,
    who: &Principal,
    id: i64,
    kind: AuthorityActionKind,
    body: &impl serde::Serialize,
) -> Result<cyres_store::AuthorityAction, ServiceError> {
    Ok(app
        .store
        .add_authority_action(
            id,
            kind,
            &to_json("authority action", body)?,
            who.org_id,
            &who.actor,
            app.now(),
        )
        .await?)
}

/// Whether ENISA has recommended full dissemination of report `id` (an analyst review whose
/// actions hold the recommendation).
pub(crate) fn recommended(actions: &[cyres_store::AuthorityAction]) -> bool {
    actions
        .iter()
        .rev()
        .find(|a| a.kind == AuthorityActionKind::Review)
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
async fn viewer(app: &App, who: &Principal) -> Result<Viewer, ServiceError> {
    let org = app.store.org(who.org_id).await?;
    if !org.is_authority() {
        return Err(ServiceError::forbidden(
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
            .ok_or_else(|| ServiceError::forbidden("this CSIRT has no member state")),
        _ => Err(ServiceError::forbidden(
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
        /// Whether the who is the coordinator (only it sees the actions and may act).
        coordinator: bool,
        /// Actions on the report, for the coordinator; empty for others.
        actions: Vec<cyres_store::AuthorityAction>,
    },
}

/// The report `id` as the who's organisation may see it: the coordinator CSIRT sees it all;
/// CSIRTs it was forwarded to see it once forwarded (or once the coordinator accepted ENISA's
/// recommendation of full dissemination); ENISA sees it in full, or only the limited fields
/// while the manufacturer's Art. 16(2) third-subparagraph indication holds. Anyone else: 404
/// (403 for organisations that are not authorities).
pub(crate) async fn report_detail(
    app: &App,
    who: &Principal,
    id: i64,
) -> Result<ReportDetail, ServiceError> {
    let who = viewer(app, who).await?;
    let row = app.store.received_report(id).await?;
    let (pack, context) = parse(&row)?;
    let actions = app.store.authority_actions(id).await?;
    let decision = latest_decision(&actions)?;
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
                return Err(ServiceError::not_found("report"));
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

/// Decision body: forward, or delay with a ground, reason and planned release.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DecisionBody {
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
    who: &Principal,
    id: i64,
    b: DecisionBody,
) -> Result<cyres_report::Decision, ServiceError> {
    who.require(Role::Editor)?;
    let (pack, _) = coordinated_report(
        app,
        who,
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
        decided_by: who.actor.display(),
        decided_at: app.now_at(),
    };
    let d = cyres_report::decide(&pack.report, &listed, request)
        .map_err(|e| ServiceError::invalid("dissemination", e.to_string()))?;
    record_action(app, who, id, AuthorityActionKind::Decision, &d).await?;
    Ok(d)
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
    who: &Principal,
    limit: usize,
) -> Result<AssessmentSummary, ServiceError> {
    let Viewer::Enisa = viewer(app, who).await? else {
        return Err(ServiceError::forbidden(
            "the systemic-risk assessment is ENISA's",
        ));
    };
    // Reports whose full notification is disseminated: their latest decision lifted ENISA's
    // limited view (a forward, the planned release, or an accepted recommendation).
    let now = app.now_at();
    let mut latest: HashMap<i64, cyres_report::Decision> = HashMap::new();
    for a in app
        .store
        .actions_of_kind(AuthorityActionKind::Decision)
        .await?
    {
        latest.insert(a.report_id, action_body(&a)?);
    }
    for a in app
        .store
        .actions_of_kind(AuthorityActionKind::RecommendationAnswer)
        .await?
    {
        if let Some(d) = latest.get_mut(&a.report_id) {
            d.recommendation = Some(action_body(&a)?);
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

/// Review body.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReviewBody {
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
) -> Result<(cyres_report::NotificationFacts, cyres_report::Assessment), ServiceError> {
    let row = app.store.received_report(id).await?;
    let d = decision(app, id).await?;
    let f = facts(&row, d.as_ref(), app.now_at())
        .ok_or_else(|| ServiceError::internal("stored report unreadable"))?;
    let a = cyres_report::assess_one(&f, &app.config.systemic);
    Ok((f, a))
}

/// ENISA's analyst review of report `id`: checked by `cyres_report::review`, stored and
/// audited as an authority action.
pub(crate) async fn review_report(
    app: &App,
    who: &Principal,
    id: i64,
    b: ReviewBody,
) -> Result<cyres_report::systemic::ReviewedAssessment, ServiceError> {
    who.require(Role::Editor)?;
    let Viewer::Enisa = viewer(app, who).await? else {
        return Err(ServiceError::forbidden("reviews are ENISA's"));
    };
    let (f, a) = report_assessment(app, id).await?;
    let analyst = cyres_report::AnalystReview {
        analyst: who.actor.display(),
        at: app.now_at(),
        verdict: b.verdict,
        reason: b.reason,
    };
    let reviewed = cyres_report::review(&a, &f, analyst)
        .map_err(|e| ServiceError::invalid("reason", e.to_string()))?;
    record_action(app, who, id, AuthorityActionKind::Review, &reviewed).await?;
    Ok(reviewed)
}

/// The coordinator's answer to ENISA's recommendation.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecommendationBody {
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
    who: &Principal,
    id: i64,
    b: RecommendationBody,
) -> Result<cyres_report::RecommendationResponse, ServiceError> {
    who.require(Role::Editor)?;
    let (pack, ms) = coordinated_report(
        app,
        who,
        id,
        "only the coordinator CSIRT answers ENISA's recommendation",
    )
    .await?;
    if !recommended(&app.store.authority_actions(id).await?) {
        return Err(ServiceError::invalid(
            "answer",
            "ENISA has not recommended full dissemination of this report",
        ));
    }
    let r = cyres_report::answer_recommendation(
        &pack.report,
        ms,
        b.answer,
        &who.actor.display(),
        app.now_at(),
        b.reason,
    )
    .map_err(|e| ServiceError::invalid("answer", e.to_string()))?;
    record_action(app, who, id, AuthorityActionKind::RecommendationAnswer, &r).await?;
    Ok(r)
}

/// The coordinator's record that it informed users itself (Art. 14(8), second subparagraph).
#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct UsersInformedBody {
    /// Whether the information named risk mitigation or corrective measures.
    #[serde(default)]
    pub measures_included: bool,
}

/// Records that the coordinator CSIRT informed the users of report `id`'s product itself,
/// where the manufacturer did not in time (CRA Art. 14(8), second subparagraph: the CSIRT "may",
/// after consulting the manufacturer); stored and audited as an authority action.
pub(crate) async fn record_users_informed(
    app: &App,
    who: &Principal,
    id: i64,
    b: UsersInformedBody,
) -> Result<cyres_report::UsersInformed, ServiceError> {
    who.require(Role::Editor)?;
    coordinated_report(
        app,
        who,
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
    record_action(app, who, id, AuthorityActionKind::UsersInformed, &r).await?;
    Ok(r)
}

/// The coordinator CSIRT's request for an intermediate report on report `id` (Art. 14(6)),
/// stored (and audited) as an authority action the manufacturer's instance polls.
pub(crate) async fn request_intermediate_report(
    app: &App,
    who: &Principal,
    id: i64,
    note: Option<String>,
) -> Result<cyres_store::AuthorityAction, ServiceError> {
    who.require(Role::Editor)?;
    let (pack, ms) = coordinated_report(
        app,
        who,
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
    .map_err(|e| ServiceError::invalid("request", e.to_string()))?;
    record_action(app, who, id, AuthorityActionKind::IntermediateRequest, &req).await
}
