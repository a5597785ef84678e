//! The authority's page for one received report (organisations of kind `csirt` and `enisa`),
//! linked from the inbox on `/cases`.
//!
//! What each organisation sees is the API's rule (`api::authority::report_detail`): the
//! coordinator CSIRT sees everything and acts; a CSIRT the report was forwarded to reads it;
//! ENISA sees it in full, or only the limited fields of Art. 16(2), third subparagraph (from
//! intake, when the manufacturer raised a ground); the coordinator answers ENISA's recommendation
//! of full dissemination (accept or decline, recorded).
//! The forms post to handlers that call the same functions as the API:
//! - the coordinator's decision (Art. 16(2)): forward to the CSIRTs of the other member states
//!   the manufacturer listed, or delay on one ground of Delegated Regulation (EU) 2026/881 with
//!   the Art. 16(2) circumstances, a reason and a planned release date;
//! - the coordinator's request for an intermediate report (Art. 14(6));
//! - ENISA's analyst review of the systemic-risk assessment: confirm, or override with a
//!   reason; the page shows each factor's contribution as the API computes it.
//!
//! ENISA also has the cross-report view (`/authority/assessment`): every notification's score
//! with its factors, and the score per CVE or component across manufacturers and products.

use super::forms::{Choice, time_field, to_form, word_choices};
use super::session::UiSession;
use super::view::{Chrome, Form, Nav, UiError, render, when};
use crate::App;
use crate::service::authority::{
    DecisionBody, RecommendationBody, ReportDetail, ReviewBody, UsersInformedBody,
    answer_recommendation, assessment_summary, decide_report, recommended, record_users_informed,
    report_assessment, report_detail, request_intermediate_report, review_report,
};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cyres_cra::MemberState;
use cyres_report::{
    Art3Condition, Decision, DelayCircumstance, DelayGround, Dissemination, EnisaView,
    RecommendationAnswer, ReportPack, Verdict,
};
use cyres_store::AuthorityActionKind;
use std::collections::BTreeSet;

/// The DR (EU) 2026/881 grounds offered, in the order `cyres-report` defines them.
const GROUNDS: [DelayGround; 3] = [
    DelayGround::RisksOutweighBenefits,
    DelayGround::RecipientCompromised,
    DelayGround::PlatformCompromised,
];

/// The DR (EU) 2026/881 Art. 3 conditions offered.
const ART3_CONDITIONS: [(Art3Condition, &str); 3] = [
    (
        Art3Condition::MitigationExpected,
        "the manufacturer informed us that an effective mitigation (security update, user guidance) is expected",
    ),
    (
        Art3Condition::CoordinatedDisclosure,
        "an ongoing coordinated vulnerability disclosure (name the Art. 3 point below)",
    ),
    (
        Art3Condition::OtherListed,
        "another condition listed in Art. 3 (name its point and wording below)",
    ),
];

/// The Art. 16(2) circumstances offered.
const CIRCUMSTANCES: [(DelayCircumstance, &str); 3] = [
    (
        DelayCircumstance::ManufacturerRequest,
        "the manufacturer asked for a delay",
    ),
    (
        DelayCircumstance::IndicatedSensitivity,
        "the sensitivity the manufacturer indicated",
    ),
    (
        DelayCircumstance::CoordinatedDisclosure,
        "a coordinated vulnerability disclosure is under way",
    ),
];

fn from_word<T: serde::de::DeserializeOwned>(w: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(w.to_string())).ok()
}

fn states(list: &[MemberState]) -> String {
    if list.is_empty() {
        "none".into()
    } else {
        list.iter()
            .map(|m| format!("{} ({})", m.name(), m.code()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The coordinator's current decision, for people.
pub(super) struct DecisionView {
    action: String,
    forward_now: String,
    withheld: String,
    ground: String,
    reason: String,
    planned_release: String,
    enisa_limited: bool,
    art3: String,
    recommendation: String,
    by: String,
    at: String,
}

impl DecisionView {
    fn of(d: &Decision) -> Self {
        Self {
            action: if d.delay.is_some() {
                "delayed".into()
            } else {
                "forwarded".into()
            },
            forward_now: states(&d.forward_now),
            withheld: states(&d.withheld),
            ground: d
                .delay
                .as_ref()
                .map(|x| x.ground.label().to_string())
                .unwrap_or_default(),
            reason: d
                .delay
                .as_ref()
                .map(|x| x.reason.clone())
                .unwrap_or_default(),
            planned_release: d
                .delay
                .as_ref()
                .map(|x| when(x.planned_release.unix_timestamp()))
                .unwrap_or_default(),
            enisa_limited: d.enisa_limited,
            art3: d
                .delay
                .as_ref()
                .and_then(|x| {
                    x.art3_condition.map(|c| {
                        let label = ART3_CONDITIONS
                            .iter()
                            .find(|(k, _)| *k == c)
                            .map_or("", |(_, l)| *l);
                        match &x.art3_condition_text {
                            Some(t) => format!("{label}: {t}; TLP/PAP found insufficient"),
                            None => format!("{label}; TLP/PAP found insufficient"),
                        }
                    })
                })
                .unwrap_or_default(),
            recommendation: d
                .recommendation
                .as_ref()
                .map(|r| {
                    format!(
                        "{} by {} on {}{}",
                        match r.answer {
                            RecommendationAnswer::Accepted => "accepted",
                            RecommendationAnswer::Declined => "declined",
                        },
                        r.answered_by,
                        when(r.answered_at.unix_timestamp()),
                        r.reason
                            .as_deref()
                            .map(|x| format!(": {x}"))
                            .unwrap_or_default()
                    )
                })
                .unwrap_or_default(),
            by: d.decided_by.clone(),
            at: when(d.decided_at.unix_timestamp()),
        }
    }
}

/// One factor row of the assessment table.
pub(super) struct FactorLine {
    label: &'static str,
    raw: String,
    normalised: String,
    weight: String,
    points: String,
}

/// The computed assessment.
pub(super) struct AssessmentView {
    score: String,
    threshold: String,
    systemic: bool,
    factors: Vec<FactorLine>,
}

/// One stored action (decision, review, request) on the report.
pub(super) struct ActionLine {
    kind: String,
    at: String,
    actor: String,
    summary: String,
}

fn summary(kind: AuthorityActionKind, body: &serde_json::Value) -> String {
    match kind {
        AuthorityActionKind::Review => {
            let verdict = if body["systemic"] == true {
                "systemic"
            } else {
                "not systemic"
            };
            let how = if body["overridden"] == true {
                "overridden to"
            } else {
                "confirmed as"
            };
            let reason = body["review"]["reason"].as_str().unwrap_or("");
            if reason.is_empty() {
                format!("{how} {verdict}")
            } else {
                format!("{how} {verdict}: {reason}")
            }
        }
        AuthorityActionKind::UsersInformed => {
            if body["measures_included"] == true {
                "the CSIRT informed the users, with measures (Art. 14(8))".into()
            } else {
                "the CSIRT informed the users (Art. 14(8))".into()
            }
        }
        AuthorityActionKind::RecommendationAnswer => {
            let answer = body["answer"].as_str().unwrap_or("answered");
            match body["reason"].as_str() {
                Some(r) => format!("ENISA's recommendation {answer}: {r}"),
                None => format!("ENISA's recommendation {answer}"),
            }
        }
        AuthorityActionKind::IntermediateRequest => body["note"]
            .as_str()
            .map(|n| format!("intermediate report requested: {n}"))
            .unwrap_or_else(|| "intermediate report requested".into()),
        AuthorityActionKind::Decision => match serde_json::from_value::<Decision>(body.clone()) {
            Ok(d) => {
                let v = DecisionView::of(&d);
                if d.delay.is_some() {
                    format!(
                        "delayed ({}) until {}: {}",
                        v.ground, v.planned_release, v.reason
                    )
                } else {
                    format!("forwarded to {}", v.forward_now)
                }
            }
            Err(e) => format!("a decision this release cannot read ({e})"),
        },
    }
}

#[derive(Template)]
#[template(path = "authority_report.html")]
struct ReportPage {
    chrome: Chrome,
    id: i64,
    sender: String,
    stage: String,
    received: String,
    coordinator_label: String,
    fields: Vec<(String, String)>,
    limited: bool,
    coordinator: bool,
    notice: Option<&'static str>,
    decision: Option<DecisionView>,
    actions: Vec<ActionLine>,
    targets: Vec<Choice>,
    grounds: Vec<Choice>,
    art3_conditions: Vec<Choice>,
    circumstances: Vec<Choice>,
    /// ENISA recommended full dissemination and the caller is the coordinator.
    recommendation_open: bool,
    dform: Form,
    mform: Form,
    rform: Form,
    assessment: Option<AssessmentView>,
    vform: Form,
}

/// Which form failed, with what was typed.
enum Failed {
    None,
    Decision(Form),
    Request(Form),
    Review(Form),
    Recommendation(Form),
}

async fn render_report(
    app: &App,
    sess: &UiSession,
    id: i64,
    failed: Failed,
    notice: Option<&'static str>,
) -> Result<Response, UiError> {
    let caller = sess.principal();
    let detail = report_detail(app, &caller, id).await?;
    let (row, decision, actions, pack, limited_view, enisa, coordinator) = match detail {
        ReportDetail::Enisa {
            row,
            view,
            pack,
            decision,
            actions,
        } => {
            let limited = match view {
                EnisaView::Limited(l) => Some(l),
                EnisaView::Full(_) => None,
            };
            (row, decision, actions, pack, limited, true, false)
        }
        ReportDetail::Csirt {
            row,
            pack,
            decision,
            coordinator,
            actions,
            ..
        } => (row, decision, actions, Some(pack), None, false, coordinator),
    };
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut coordinator_label = row.coordinator.clone().unwrap_or_default();
    let mut targets = Vec::new();
    if let Some(p) = &pack {
        fields = p
            .fields
            .iter()
            .map(|f| (f.label.clone(), f.value.clone()))
            .collect();
        let co = p.report.header.coordinator;
        coordinator_label = format!("{} ({})", co.name(), co.code());
        targets = listed_targets(p)
            .into_iter()
            .map(|m| Choice::new(m.code(), format!("{} ({})", m.name(), m.code())))
            .collect();
    }
    if let Some(l) = &limited_view {
        fields = vec![
            ("Notification".into(), l.case_id.clone()),
            ("Manufacturer".into(), l.manufacturer.clone()),
            ("Product".into(), l.product_name.clone()),
            (
                "General product information".into(),
                l.product_information.clone(),
            ),
            (
                "General nature of the exploit".into(),
                l.exploit_nature.clone(),
            ),
            (
                "Security-related grounds raised (Art. 16(2))".into(),
                if l.security_grounds_raised {
                    "yes".into()
                } else {
                    "no".into()
                },
            ),
        ];
        coordinator_label = format!("{} ({})", l.coordinator.name(), l.coordinator.code());
    }
    let assessment = if enisa {
        let (_, a) = report_assessment(app, id).await?;
        Some(AssessmentView {
            score: format!("{:.1}", a.score),
            threshold: format!("{:.1}", a.threshold),
            systemic: a.systemic,
            factors: a
                .factors
                .iter()
                .map(|f| FactorLine {
                    label: f.factor.label(),
                    raw: if f.raw.fract() == 0.0 {
                        format!("{}", f.raw as i64)
                    } else {
                        format!("{:.2}", f.raw)
                    },
                    normalised: format!("{:.2}", f.normalised),
                    weight: format!("{}", f.weight),
                    points: format!("{:.1}", f.points),
                })
                .collect(),
        })
    } else {
        None
    };
    let recommendation_open = coordinator && recommended(&actions);
    let actions = actions
        .iter()
        .filter(|a| !enisa || a.kind != AuthorityActionKind::IntermediateRequest)
        .map(|a| ActionLine {
            kind: a.kind.as_str().replace('_', " "),
            at: when(a.at),
            actor: a.actor.clone(),
            summary: summary(a.kind, &a.body),
        })
        .collect();
    let mut mform = Form::default();
    let (status, dform, rform, vform) = match failed {
        Failed::None => (
            StatusCode::OK,
            Form::new(vec![("action".into(), "forward".into())]),
            Form::default(),
            Form::new(vec![("verdict".into(), "confirm".into())]),
        ),
        Failed::Decision(f) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            f,
            Form::default(),
            Form::default(),
        ),
        Failed::Request(f) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Form::new(vec![("action".into(), "forward".into())]),
            f,
            Form::default(),
        ),
        Failed::Review(f) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Form::default(),
            Form::default(),
            f,
        ),
        Failed::Recommendation(f) => {
            mform = f;
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Form::new(vec![("action".into(), "forward".into())]),
                Form::default(),
                Form::default(),
            )
        }
    };
    let page = ReportPage {
        chrome: sess.chrome(format!("Report AUTH-{}", row.id), Nav::Cases),
        id: row.id,
        sender: row.sender.clone(),
        stage: row.stage.to_string(),
        received: when(row.received_at),
        coordinator_label,
        fields,
        limited: limited_view.is_some(),
        coordinator,
        notice,
        decision: decision.as_ref().map(DecisionView::of),
        actions,
        targets,
        grounds: word_choices("delay ground", GROUNDS.iter().map(|g| (g, g.label())))?,
        art3_conditions: word_choices(
            "Art. 3 condition",
            ART3_CONDITIONS.iter().map(|(c, label)| (c, *label)),
        )?,
        recommendation_open,
        mform,
        circumstances: word_choices(
            "delay circumstance",
            CIRCUMSTANCES.iter().map(|(c, label)| (c, *label)),
        )?,
        dform,
        rform,
        assessment,
        vform,
    };
    render(status, &page)
}

/// One notification line of the cross-report assessment.
pub(super) struct NotificationLine {
    notification: String,
    report: Option<i64>,
    score: String,
    systemic: bool,
    /// Points per factor, in table order.
    points: Vec<String>,
}

/// One CVE or component line of the cross-report assessment.
pub(super) struct SubjectLine {
    subject: String,
    notifications: u32,
    manufacturers: u32,
    products: u32,
    member_states: usize,
    score: String,
    systemic: bool,
}

#[derive(Template)]
#[template(path = "authority_assessment.html")]
struct AssessmentPage {
    chrome: Chrome,
    notifications: usize,
    systemic: usize,
    threshold: String,
    limit: usize,
    factor_labels: Vec<&'static str>,
    per_notification: Vec<NotificationLine>,
    per_subject: Vec<SubjectLine>,
}

/// `GET /authority/assessment` (ENISA): the API's cross-report assessment as tables.
pub(super) async fn assessment(
    State(app): State<App>,
    sess: UiSession,
) -> Result<Response, UiError> {
    let s = assessment_summary(&app, &sess.principal(), 100).await?;
    let factor_labels = s
        .per_notification
        .first()
        .map(|a| a.factors.iter().map(|f| f.factor.label()).collect())
        .unwrap_or_default();
    let per_notification = s
        .per_notification
        .iter()
        .map(|a| NotificationLine {
            report: s.report_of.get(&a.notification_id).copied(),
            notification: a.notification_id.clone(),
            score: format!("{:.1}", a.score),
            systemic: a.systemic,
            points: a
                .factors
                .iter()
                .map(|f| format!("{:.1}", f.points))
                .collect(),
        })
        .collect();
    let per_subject = s
        .per_subject
        .iter()
        .map(|v| SubjectLine {
            subject: match &v.subject {
                cyres_report::systemic::Subject::Cve(c) => c.clone(),
                cyres_report::systemic::Subject::Component(c) => c.clone(),
            },
            notifications: v.notifications,
            manufacturers: v.manufacturers,
            products: v.products,
            member_states: v.member_states.len(),
            score: format!("{:.1}", v.score),
            systemic: v.systemic,
        })
        .collect();
    render(
        StatusCode::OK,
        &AssessmentPage {
            chrome: sess.chrome("Systemic-risk assessment", Nav::Cases),
            notifications: s.notifications,
            systemic: s.systemic,
            threshold: format!("{:.1}", s.config.threshold),
            limit: s.limit,
            factor_labels,
            per_notification,
            per_subject,
        },
    )
}

/// The CSIRTs a forward reaches: the member states the report lists, other than the
/// coordinator's own (`cyres_report::forward_targets`).
fn listed_targets(p: &ReportPack) -> Vec<MemberState> {
    let listed = cyres_report::authority::listed_member_states(&p.report)
        .cloned()
        .unwrap_or_default();
    cyres_report::authority::forward_targets(p.report.header.coordinator, &listed)
}

/// `GET /authority/reports/{id}`.
pub(super) async fn page(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let notice = q
        .iter()
        .find(|(k, _)| k == "saved")
        .and_then(|(_, v)| match v.as_str() {
            "decision" => Some("Decision recorded; ENISA sees it now."),
            "review" => Some("Review recorded."),
            "recommendation" => Some("Your answer to ENISA's recommendation is recorded."),
            "informed" => Some("Recorded: the CSIRT informed the users (Art. 14(8))."),
            "request" => Some("Intermediate report requested; the manufacturer is told."),
            _ => None,
        });
    render_report(&app, &sess, id, Failed::None, notice).await
}

fn done(id: i64, what: &str) -> Response {
    Redirect::to(&format!("/authority/reports/{id}?saved={what}")).into_response()
}

/// Reads the decision form into the API's body; field problems are recorded on the form.
fn decision_body(form: &mut Form) -> Option<DecisionBody> {
    let restrict_enisa = form.get("restrict_enisa") == "on";
    // DR (EU) 2026/881 Art. 3: TLP/PAP considered, and which listed condition holds.
    let tlp_pap_considered = form.get("tlp_pap_considered") == "on";
    let art3_condition = from_word::<Art3Condition>(form.get("art3_condition"));
    let art3_condition_text =
        Some(form.get("art3_condition_text").trim().to_string()).filter(|t| !t.is_empty());
    let dissemination = match form.get("action") {
        "forward" => Dissemination::Forward,
        "delay" => {
            let ground = from_word::<DelayGround>(form.get("ground"));
            if ground.is_none() {
                form.fail(
                    "ground",
                    "choose the ground of Delegated Regulation (EU) 2026/881",
                );
            }
            let circumstances: BTreeSet<DelayCircumstance> = form
                .all("circumstance")
                .iter()
                .filter_map(|c| from_word(c))
                .collect();
            let withheld_from: BTreeSet<MemberState> = form
                .all("withheld_from")
                .iter()
                .filter_map(|c| MemberState::from_code(c))
                .collect();
            let planned = time_field(form, "planned_release");
            if planned.is_none() && form.error("planned_release").is_none() {
                form.fail("planned_release", "enter the planned release date");
            }
            let (Some(ground), Some(planned_release)) = (ground, planned) else {
                return None;
            };
            Dissemination::Delay(cyres_report::Delay {
                circumstances,
                ground,
                tlp_pap_considered: tlp_pap_considered
                    && ground == DelayGround::RisksOutweighBenefits,
                art3_condition: art3_condition
                    .filter(|_| ground == DelayGround::RisksOutweighBenefits),
                art3_condition_text: art3_condition_text
                    .filter(|_| ground == DelayGround::RisksOutweighBenefits),
                withheld_from,
                reason: form.get("reason").to_string(),
                planned_release,
            })
        }
        _ => {
            form.fail("action", "choose forward or delay");
            return None;
        }
    };
    Some(DecisionBody {
        dissemination,
        restrict_enisa,
    })
}

/// `POST /authority/reports/{id}/decision` (coordinator CSIRT, editors).
pub(super) async fn decide(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(cyres_store::Role::Editor)?;
    if let Some(body) = decision_body(&mut form) {
        match decide_report(&app, &sess.principal(), id, body).await {
            Ok(_) => return Ok(done(id, "decision")),
            Err(e) => to_form(&mut form, e)?,
        }
    }
    render_report(&app, &sess, id, Failed::Decision(form), None).await
}

/// `POST /authority/reports/{id}/recommendation` (coordinator CSIRT, editors): accept or
/// decline ENISA's recommendation of full dissemination (Art. 16(2), third subparagraph).
pub(super) async fn recommendation(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(cyres_store::Role::Editor)?;
    match from_word::<RecommendationAnswer>(form.get("answer")) {
        None => form.fail("answer", "choose accept or decline"),
        Some(answer) => {
            let body = RecommendationBody {
                answer,
                reason: Some(form.get("reason").to_string()),
            };
            match answer_recommendation(&app, &sess.principal(), id, body).await {
                Ok(_) => return Ok(done(id, "recommendation")),
                Err(e) => to_form(&mut form, e)?,
            }
        }
    }
    render_report(&app, &sess, id, Failed::Recommendation(form), None).await
}

/// `POST /authority/reports/{id}/users-informed` (coordinator CSIRT, editors).
pub(super) async fn users_informed(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(cyres_store::Role::Editor)?;
    let body = UsersInformedBody {
        measures_included: form.get("measures_included") == "on",
    };
    match record_users_informed(&app, &sess.principal(), id, body).await {
        Ok(_) => Ok(done(id, "informed")),
        Err(e) => {
            to_form(&mut form, e)?;
            render_report(&app, &sess, id, Failed::Request(form), None).await
        }
    }
}

/// `POST /authority/reports/{id}/intermediate-request` (coordinator CSIRT, editors).
pub(super) async fn request_intermediate(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(cyres_store::Role::Editor)?;
    let note = Some(form.get("note").to_string()).filter(|n| !n.is_empty());
    match request_intermediate_report(&app, &sess.principal(), id, note).await {
        Ok(_) => Ok(done(id, "request")),
        Err(e) => {
            to_form(&mut form, e)?;
            render_report(&app, &sess, id, Failed::Request(form), None).await
        }
    }
}

/// `POST /authority/reports/{id}/review` (ENISA, editors).
pub(super) async fn review(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(cyres_store::Role::Editor)?;
    let verdict = match form.get("verdict") {
        "confirm" => Some(Verdict::Confirm),
        "systemic" => Some(Verdict::Override { systemic: true }),
        "not-systemic" => Some(Verdict::Override { systemic: false }),
        _ => {
            form.fail("verdict", "choose confirm or an override");
            None
        }
    };
    if let Some(verdict) = verdict {
        let body = ReviewBody {
            verdict,
            reason: form.get("reason").to_string(),
        };
        match review_report(&app, &sess.principal(), id, body).await {
            Ok(_) => return Ok(done(id, "review")),
            Err(e) => to_form(&mut form, e)?,
        }
    }
    render_report(&app, &sess, id, Failed::Review(form), None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails to compile when `cyres-report` adds a ground or circumstance, so the lists
    /// above are revisited.
    #[test]
    fn lists_name_every_variant() {
        for g in GROUNDS {
            match g {
                DelayGround::RisksOutweighBenefits
                | DelayGround::RecipientCompromised
                | DelayGround::PlatformCompromised => {}
            }
        }
        for (c, _) in CIRCUMSTANCES {
            match c {
                DelayCircumstance::ManufacturerRequest
                | DelayCircumstance::IndicatedSensitivity
                | DelayCircumstance::CoordinatedDisclosure => {}
            }
        }
        let distinct: BTreeSet<DelayGround> = GROUNDS.into_iter().collect();
        assert_eq!(distinct.len(), 3);
    }

    #[test]
    fn form_words_are_the_api_words() {
        assert_eq!(
            crate::service::serde_word("ground", &DelayGround::RisksOutweighBenefits).unwrap(),
            "risks-outweigh-benefits"
        );
        assert_eq!(
            from_word::<DelayCircumstance>("coordinated-disclosure"),
            Some(DelayCircumstance::CoordinatedDisclosure)
        );
        let mut f = Form::new(vec![
            ("action".into(), "delay".into()),
            ("ground".into(), "nonsense".into()),
        ]);
        assert!(decision_body(&mut f).is_none());
        assert!(f.error("ground").is_some() && f.error("planned_release").is_some());
    }
}
