//! The authority side of a notification: what the coordinator CSIRT decides, and what ENISA
//! sees (CRA Art. 16(2), Delegated Regulation (EU) 2026/881 of 11 December 2025, OJ L,
//! 2026/881, 20.4.2026).
//!
//! - **Forward** (Art. 16(2), first subparagraph): the coordinator CSIRT disseminates the
//!   notification without delay to the CSIRTs of the other member states the manufacturer listed
//!   as places where the product is made available.
//! - **Delay** (Art. 16(2), second subparagraph): in exceptional circumstances (a request of the
//!   manufacturer, the sensitivity it indicated) the coordinator may delay dissemination for the
//!   strictly necessary time, on justified cybersecurity-related grounds. ENISA is told at once,
//!   with the reasons and the planned release date. The grounds are those of DR (EU) 2026/881:
//!   its Art. 3 (the nature of the reported information), Art. 4 (a specific receiving CSIRT
//!   compromised or inadequate), Art. 5 (the single reporting platform compromised).
//!   An Art. 3 delay needs both that the risks of dissemination outweigh its benefits **and
//!   cannot be mitigated by handling restrictions such as TLP or PAP**, and at least one of the
//!   conditions its Art. 3 lists: the decision records that TLP/PAP was considered and which
//!   condition holds ([`Art3Condition`]). The sources read gave the first listed condition
//!   verbatim (an effective mitigation, such as a security update or user guidance, expected to
//!   be available) and recital 70 CRA the example of an ongoing coordinated disclosure; any other
//!   listed condition is recorded by its point and wording. A high TLP label alone (even
//!   TLP:RED) is therefore never a reason to delay: TLP is exactly the handling restriction that
//!   has to be found insufficient first.
//! - **Limited fields for ENISA** (Art. 16(2), **third** subparagraph): when the manufacturer
//!   indicates in its 72-hour vulnerability notification one of the particularly exceptional
//!   grounds (a)–(c), only the listed fields are made available to ENISA *simultaneously* —
//!   that a notification exists, general information on the product, the general nature of the
//!   exploit, and that security-related grounds were raised ([`LimitedView`]) — "until the full
//!   notification is disseminated". cyres applies the manufacturer's indication at intake
//!   ([`enisa_view`] with no decision yet is already limited) and to every later report of the
//!   case (the final report carries the indication in its header), not only once a CSIRT acts.
//! - **ENISA's recommendation**: if ENISA considers there is a systemic risk it may *recommend*
//!   to the coordinating CSIRT that it disseminate the full notification (Art. 16(2), third
//!   subparagraph, last sentence). ENISA does not disseminate on its own; the coordinator
//!   accepts or declines, and the answer is recorded ([`RecommendationResponse`]).

use crate::ReportError;
use crate::case::{IntermediateRequest, Sensitivity};
use crate::report::{Report, ReportContent};
use cyres_cra::{CaseKind, MemberState, StageKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use time::OffsetDateTime;

/// The circumstances Art. 16(2), second subparagraph, names for a delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DelayCircumstance {
    /// The manufacturer asked for it.
    ManufacturerRequest,
    /// The sensitivity the manufacturer indicated (Art. 14(2)(b), 14(4)(b)).
    IndicatedSensitivity,
    /// A coordinated vulnerability disclosure is under way (Art. 16(6) consent of the parties).
    CoordinatedDisclosure,
}

/// Which condition of DR (EU) 2026/881 Art. 3 holds (at least one must, besides TLP/PAP being
/// insufficient).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Art3Condition {
    /// The manufacturer informed the CSIRT that an effective risk mitigation measure, such as a
    /// security update or user guidance, is expected to be made available (DR 2026/881 Art. 3,
    /// first listed condition).
    MitigationExpected,
    /// An ongoing coordinated vulnerability disclosure procedure (the example of CRA recital 70;
    /// record the DR 2026/881 Art. 3 point it falls under in `art3_condition_text`).
    CoordinatedDisclosure,
    /// Another condition listed in DR 2026/881 Art. 3, named by point and wording in
    /// `art3_condition_text`.
    OtherListed,
}

/// The cybersecurity-related grounds of DR (EU) 2026/881.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DelayGround {
    /// The risks of sharing outweigh its benefits and cannot be mitigated by TLP or PAP, and an
    /// Art. 3 condition holds (DR 2026/881 Art. 3).
    RisksOutweighBenefits,
    /// A receiving CSIRT is compromised or cannot protect the information (DR 2026/881 Art. 4);
    /// applies to named recipients only.
    RecipientCompromised,
    /// The single reporting platform is compromised (DR 2026/881 Art. 5).
    PlatformCompromised,
}

impl DelayGround {
    /// Label with its legal basis.
    pub fn label(self) -> &'static str {
        match self {
            DelayGround::RisksOutweighBenefits => {
                "risks of sharing outweigh the benefits and TLP/PAP cannot mitigate them (DR (EU) 2026/881 Art. 3)"
            }
            DelayGround::RecipientCompromised => {
                "receiving CSIRT compromised or inadequate (DR (EU) 2026/881 Art. 4)"
            }
            DelayGround::PlatformCompromised => {
                "single reporting platform compromised (DR (EU) 2026/881 Art. 5)"
            }
        }
    }
}

/// A delay the coordinator chooses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delay {
    /// Which Art. 16(2) circumstances apply (at least one).
    pub circumstances: BTreeSet<DelayCircumstance>,
    /// The DR 2026/881 ground.
    pub ground: DelayGround,
    /// For [`DelayGround::RisksOutweighBenefits`]: the coordinator considered handling
    /// restrictions (TLP, PAP) and found they cannot mitigate the risks (DR 2026/881 Art. 3).
    #[serde(default)]
    pub tlp_pap_considered: bool,
    /// For [`DelayGround::RisksOutweighBenefits`]: which DR 2026/881 Art. 3 condition holds.
    #[serde(default)]
    pub art3_condition: Option<Art3Condition>,
    /// The point and wording of the condition, required for `other-listed` and
    /// `coordinated-disclosure`.
    #[serde(default)]
    pub art3_condition_text: Option<String>,
    /// For [`DelayGround::RecipientCompromised`]: the member states whose CSIRTs are withheld
    /// from. Empty for the other grounds (everyone is withheld from).
    #[serde(default)]
    pub withheld_from: BTreeSet<MemberState>,
    /// The reason, in words (sent to ENISA).
    pub reason: String,
    /// When the coordinator plans to disseminate.
    #[serde(with = "time::serde::rfc3339")]
    pub planned_release: OffsetDateTime,
}

/// What the coordinator does with a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Dissemination {
    /// Forward to every listed member state's CSIRT now.
    Forward,
    /// Delay (for everyone, or for named recipients).
    Delay(Delay),
}

/// A coordinator's decision request, as entered by a CSIRT user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRequest {
    /// Forward or delay.
    pub dissemination: Dissemination,
    /// Kept for compatibility: the Art. 16(2) third-subparagraph regime follows the
    /// manufacturer's indication in the notification, not this flag. Asking for it on a
    /// notification that raised no ground is refused.
    #[serde(default)]
    pub restrict_enisa: bool,
    /// Who decides (user name).
    pub decided_by: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
}

/// What ENISA is told at once about a delay (Art. 16(2)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnisaDelayNotice {
    /// The notification.
    pub case_id: String,
    /// Coordinator.
    pub coordinator: MemberState,
    /// Ground.
    pub ground: DelayGround,
    /// Circumstances.
    pub circumstances: BTreeSet<DelayCircumstance>,
    /// Reason.
    pub reason: String,
    /// Planned release.
    #[serde(with = "time::serde::rfc3339")]
    pub planned_release: OffsetDateTime,
    /// Sent at (= decision time: "immediately").
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
}

/// The coordinator's decision with its consequences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The notification's case.
    pub case_id: String,
    /// Coordinator member state.
    pub coordinator: MemberState,
    /// Who decided.
    pub decided_by: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
    /// CSIRTs that receive the notification now.
    pub forward_now: Vec<MemberState>,
    /// CSIRTs withheld from until the planned release.
    pub withheld: Vec<MemberState>,
    /// The delay, if any.
    pub delay: Option<Delay>,
    /// The notice ENISA gets at once about a delay.
    pub enisa_notice: Option<EnisaDelayNotice>,
    /// Whether ENISA sees only the limited fields (the manufacturer raised an Art. 16(2)
    /// third-subparagraph ground and the full notification is not yet disseminated).
    pub enisa_limited: bool,
    /// The coordinator's answer to ENISA's recommendation to disseminate the full notification,
    /// once given.
    #[serde(default)]
    pub recommendation: Option<RecommendationResponse>,
}

/// The coordinator's answer to ENISA's recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecommendationAnswer {
    /// The coordinator disseminates the full notification to the CSIRTs of the other member
    /// states.
    Accepted,
    /// The coordinator keeps its decision; the reason is recorded.
    Declined,
}

/// The coordinator's recorded answer to ENISA's recommendation of full dissemination (CRA
/// Art. 16(2), third subparagraph: ENISA "may recommend" it; the coordinator decides).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecommendationResponse {
    /// The notification's case.
    pub case_id: String,
    /// Accepted or declined.
    pub answer: RecommendationAnswer,
    /// Who answered.
    pub answered_by: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub answered_at: OffsetDateTime,
    /// Why (required when declining).
    #[serde(default)]
    pub reason: Option<String>,
    /// The CSIRTs that receive the full notification on acceptance (all member states other
    /// than the coordinator's); empty when declined.
    #[serde(default)]
    pub disseminate_to: Vec<MemberState>,
}

/// Records the coordinator's answer to ENISA's recommendation. Refused: an answer by anyone
/// but the coordinator CSIRT, a decline without a reason, an answer without a person.
pub fn answer_recommendation(
    report: &Report,
    answered_by_state: MemberState,
    answer: RecommendationAnswer,
    answered_by: &str,
    answered_at: OffsetDateTime,
    reason: Option<String>,
) -> Result<RecommendationResponse, ReportError> {
    let fail = |problem: String| ReportError::Decision {
        case_id: report.case_id.clone(),
        problem,
    };
    let coordinator = report.header.coordinator;
    if answered_by_state != coordinator {
        return Err(fail(format!(
            "only the coordinator CSIRT ({coordinator}) answers ENISA's recommendation, not {answered_by_state}"
        )));
    }
    if answered_by.trim().is_empty() {
        return Err(fail("the answering person is required".into()));
    }
    let reason = reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    if answer == RecommendationAnswer::Declined && reason.is_none() {
        return Err(fail(
            "declining ENISA's recommendation needs a reason (it is recorded)".into(),
        ));
    }
    Ok(RecommendationResponse {
        case_id: report.case_id.clone(),
        answer,
        answered_by: answered_by.trim().to_string(),
        answered_at: answered_at.to_offset(time::UtcOffset::UTC),
        reason,
        disseminate_to: match answer {
            RecommendationAnswer::Accepted => {
                MemberState::all().filter(|m| *m != coordinator).collect()
            }
            RecommendationAnswer::Declined => Vec::new(),
        },
    })
}

/// The CSIRTs to forward to: the listed member states other than the coordinator's own.
pub fn forward_targets(
    coordinator: MemberState,
    listed: &BTreeSet<MemberState>,
) -> Vec<MemberState> {
    listed
        .iter()
        .copied()
        .filter(|m| *m != coordinator)
        .collect()
}

/// Whether the CSIRT of `ms` may open a received report (Art. 14(1), 16(1)–(2)): the
/// coordinator always; another CSIRT once the coordinator forwarded to it, once a delay
/// withholding it has run out, or once the coordinator accepted ENISA's recommendation to
/// disseminate to it. The one rule the report page, the API and the inbox all ask.
pub fn visible_to_csirt(
    report: &Report,
    decision: Option<&Decision>,
    ms: MemberState,
    now: OffsetDateTime,
) -> bool {
    if report.header.coordinator == ms {
        return true;
    }
    decision.is_some_and(|d| {
        d.forward_now.contains(&ms)
            || (d.withheld.contains(&ms) && d.release_due(now))
            || d.recommendation.as_ref().is_some_and(|r| {
                r.answer == RecommendationAnswer::Accepted && r.disseminate_to.contains(&ms)
            })
    })
}

/// The member states a report lists (the early warnings carry them; later stages inherit them
/// from the case, which the caller passes).
pub fn listed_member_states(report: &Report) -> Option<&BTreeSet<MemberState>> {
    match &report.content {
        ReportContent::VulnerabilityEarlyWarning(c) => Some(&c.member_states),
        ReportContent::IncidentEarlyWarning(c) => Some(&c.member_states),
        _ => None,
    }
}

/// Checks and applies a coordinator's decision on a notification. `listed` are the member
/// states the manufacturer listed (from the early warning).
///
/// Refused: a delay without circumstance, reason or a planned release after the decision; a
/// recipient-compromised delay that names no recipient or one not listed; the limited-ENISA
/// regime for a report that raised no Art. 16(2) security ground or without a delay (the limit
/// lasts only "until the full notification is disseminated").
pub fn decide(
    report: &Report,
    listed: &BTreeSet<MemberState>,
    request: DecisionRequest,
) -> Result<Decision, ReportError> {
    let fail = |problem: String| ReportError::Decision {
        case_id: report.case_id.clone(),
        problem,
    };
    let coordinator = report.header.coordinator;
    let targets = forward_targets(coordinator, listed);
    if request.decided_by.trim().is_empty() {
        return Err(fail("the deciding person is required".into()));
    }
    let decided_at = request.decided_at.to_offset(time::UtcOffset::UTC);
    let grounds = raises_security_grounds(report);
    if request.restrict_enisa && !grounds {
        return Err(fail("limited fields for ENISA need a vulnerability notification in which the manufacturer raised an Art. 16(2) third-subparagraph ground".into()));
    }
    let (forward_now, withheld, delay) = match request.dissemination {
        Dissemination::Forward => (targets, Vec::new(), None),
        Dissemination::Delay(mut d) => {
            d.reason = d.reason.trim().to_string();
            d.planned_release = d.planned_release.to_offset(time::UtcOffset::UTC);
            if d.circumstances.is_empty() {
                return Err(fail(
                    "a delay needs at least one Art. 16(2) circumstance".into(),
                ));
            }
            if d.reason.is_empty() {
                return Err(fail("a delay needs a reason (sent to ENISA)".into()));
            }
            if d.planned_release <= decided_at {
                return Err(fail(
                    "the planned release date must be after the decision".into(),
                ));
            }
            d.art3_condition_text = d
                .art3_condition_text
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty());
            if d.ground == DelayGround::RisksOutweighBenefits {
                // DR 2026/881 Art. 3: only where TLP/PAP cannot mitigate the risks and at least
                // one listed condition holds.
                if !d.tlp_pap_considered {
                    return Err(fail("an Art. 3 delay (DR (EU) 2026/881) needs the finding that handling restrictions such as TLP or PAP cannot mitigate the risks; a high TLP label is itself such a restriction, not a reason to delay".into()));
                }
                match d.art3_condition {
                    None => {
                        return Err(fail(
                            "an Art. 3 delay (DR (EU) 2026/881) names the listed condition that holds"
                                .into(),
                        ));
                    }
                    Some(Art3Condition::OtherListed | Art3Condition::CoordinatedDisclosure)
                        if d.art3_condition_text.is_none() =>
                    {
                        return Err(fail("name the DR (EU) 2026/881 Art. 3 point and its wording for this condition".into()));
                    }
                    Some(_) => {}
                }
            } else if d.art3_condition.is_some() {
                return Err(fail(format!(
                    "a DR (EU) 2026/881 Art. 3 condition does not apply to the ground {}",
                    d.ground.label()
                )));
            }
            let (now, held): (Vec<_>, Vec<_>) = match d.ground {
                DelayGround::RecipientCompromised => {
                    if d.withheld_from.is_empty() {
                        return Err(fail(
                            "a recipient-compromised delay names the withheld CSIRTs".into(),
                        ));
                    }
                    if let Some(m) = d.withheld_from.iter().find(|m| !targets.contains(m)) {
                        return Err(fail(format!("{m} is not a recipient of this notification")));
                    }
                    targets.iter().partition(|m| !d.withheld_from.contains(m))
                }
                _ => {
                    if !d.withheld_from.is_empty() {
                        return Err(fail(format!(
                            "withholding from named CSIRTs is for the recipient-compromised ground, not {}",
                            d.ground.label()
                        )));
                    }
                    (Vec::new(), targets.clone())
                }
            };
            (now, held, Some(d))
        }
    };
    let enisa_limited = grounds && delay.is_some();
    let enisa_notice = delay.as_ref().map(|d| EnisaDelayNotice {
        case_id: report.case_id.clone(),
        coordinator,
        ground: d.ground,
        circumstances: d.circumstances.clone(),
        reason: d.reason.clone(),
        planned_release: d.planned_release,
        sent_at: decided_at,
    });
    Ok(Decision {
        case_id: report.case_id.clone(),
        coordinator,
        decided_by: request.decided_by.trim().to_string(),
        decided_at,
        forward_now,
        withheld,
        delay,
        enisa_notice,
        // Art. 16(2) third subparagraph: limited "until the full notification is disseminated";
        // a forward disseminates it at once.
        enisa_limited,
        recommendation: None,
    })
}

impl Decision {
    /// Whether the planned release has come (the server then disseminates to `withheld`).
    pub fn release_due(&self, now: OffsetDateTime) -> bool {
        self.delay
            .as_ref()
            .is_some_and(|d| now >= d.planned_release)
    }
}

/// Whether the manufacturer raised an Art. 16(2) third-subparagraph ground for this report: in
/// the 72-hour vulnerability notification itself, or carried in the header of the case's later
/// reports.
pub fn raises_security_grounds(report: &Report) -> bool {
    !report.header.security_grounds.is_empty()
        || matches!(&report.content, ReportContent::VulnerabilityNotification(n) if !n.security_grounds.is_empty())
}

/// What ENISA sees first in the particularly exceptional case of Art. 16(2), third
/// subparagraph: that a notification exists, general product information, the general nature of
/// the exploit, and that security-related grounds were raised. Nothing else: not the
/// vulnerability, the measures, the CVE ids, the sensitivity or *which* ground.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitedView {
    /// The notification's case id (a notification exists).
    pub case_id: String,
    /// Track (always vulnerability).
    pub kind: CaseKind,
    /// Stage (always notification).
    pub stage: StageKind,
    /// Coordinator member state.
    pub coordinator: MemberState,
    /// Manufacturer (part of the general product information).
    pub manufacturer: String,
    /// Product name.
    pub product_name: String,
    /// General information about the product.
    pub product_information: String,
    /// General nature of the exploit.
    pub exploit_nature: String,
    /// Always true: security-related grounds were raised.
    pub security_grounds_raised: bool,
}

/// The limited view of a report whose case raised Art. 16(2) third-subparagraph grounds: the
/// notification itself, or a later report of the case (intermediate, final) whose header carries
/// the manufacturer's indication. Later reports give the product's identification as its general
/// information and no exploit details.
pub fn limited_view(report: &Report) -> Option<LimitedView> {
    if !raises_security_grounds(report) || report.kind() != CaseKind::Vulnerability {
        return None;
    }
    let (product_information, exploit_nature) = match &report.content {
        ReportContent::VulnerabilityNotification(n) => {
            (n.product_information.clone(), n.exploit_nature.clone())
        }
        _ => (
            report.header.product_name.clone(),
            "given in the notification (limited regime of Art. 16(2), third subparagraph)".into(),
        ),
    };
    Some(LimitedView {
        case_id: report.case_id.clone(),
        kind: report.kind(),
        stage: report.stage(),
        coordinator: report.header.coordinator,
        manufacturer: report.header.manufacturer.clone(),
        product_name: report.header.product_name.clone(),
        product_information,
        exploit_nature,
        security_grounds_raised: true,
    })
}

/// What ENISA may see of a report under a decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "view", rename_all = "kebab-case")]
pub enum EnisaView {
    /// The whole report (Art. 14(1), (3): simultaneously available to ENISA).
    Full(Box<Report>),
    /// Only the limited fields.
    Limited(LimitedView),
}

/// ENISA's view of a report under Art. 16(2), third subparagraph: when the manufacturer raised a
/// ground, limited from intake (no decision yet) and while a delay lasts; full once the full
/// notification is disseminated (a forward, the planned release, or the coordinator accepting
/// ENISA's recommendation). Full otherwise.
pub fn enisa_view(report: &Report, decision: Option<&Decision>, now: OffsetDateTime) -> EnisaView {
    let disseminated = decision.is_some_and(|d| {
        !d.enisa_limited
            || d.release_due(now)
            || d.recommendation
                .as_ref()
                .is_some_and(|r| r.answer == RecommendationAnswer::Accepted)
    });
    if !disseminated && let Some(view) = limited_view(report) {
        return EnisaView::Limited(view);
    }
    EnisaView::Full(Box::new(report.clone()))
}

/// Whether the inbox should prompt the coordinator to consider a delay: the manufacturer asked
/// for one, or raised an Art. 16(2) third-subparagraph ground. The indicated sensitivity alone
/// never does, not even TLP:RED: DR (EU) 2026/881 Art. 3 allows a delay only where handling
/// restrictions such as TLP or PAP cannot mitigate the risks, so a TLP label is met by handling
/// the notification under that label, not by withholding it. A hint, not a rule.
pub fn sensitivity_suggests_delay(report: &Report) -> bool {
    let requested = match &report.content {
        ReportContent::VulnerabilityNotification(n) => n.delay_requested,
        ReportContent::IncidentNotification(n) => n.delay_requested,
        _ => false,
    };
    requested || raises_security_grounds(report)
}

/// The handling restriction the manufacturer's indicated sensitivity asks for, to apply when
/// disseminating (the TLP label, with its meaning); `None` for stages without one.
pub fn handling_restriction(report: &Report) -> Option<&'static str> {
    let s = match &report.content {
        ReportContent::VulnerabilityNotification(n) => n.sensitivity,
        ReportContent::IncidentNotification(n) => n.sensitivity,
        _ => return None,
    };
    Some(match s {
        Sensitivity::Clear => "TLP:CLEAR: no limit on disclosure",
        Sensitivity::Green => "TLP:GREEN: share within the community",
        Sensitivity::Amber => {
            "TLP:AMBER: need-to-know within the recipient organisations and their clients"
        }
        Sensitivity::AmberStrict => {
            "TLP:AMBER+STRICT: need-to-know within the recipient organisations only"
        }
        Sensitivity::Red => "TLP:RED: named recipients only",
    })
}

/// A coordinator CSIRT's request for an intermediate report on relevant status updates (Art.
/// 14(6)): "where necessary", so only the coordinator that received the notification may ask.
/// The server delivers it to the manufacturer's instance, which adds it to the case (a new
/// stage in `cyres-cra`'s clocks with status `requested`).
pub fn request_intermediate(
    report: &Report,
    requested_by: MemberState,
    requested_at: OffsetDateTime,
    reference: Option<String>,
    note: Option<String>,
) -> Result<IntermediateRequest, ReportError> {
    if requested_by != report.header.coordinator {
        return Err(ReportError::Decision {
            case_id: report.case_id.clone(),
            problem: format!(
                "only the coordinator CSIRT ({}) may request an intermediate report, not {requested_by}",
                report.header.coordinator
            ),
        });
    }
    if requested_at < report.header.aware_at {
        return Err(ReportError::Decision {
            case_id: report.case_id.clone(),
            problem: "an intermediate report cannot be requested before awareness".into(),
        });
    }
    let clean = |t: Option<String>| t.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    Ok(IntermediateRequest {
        requested_at: requested_at.to_offset(time::UtcOffset::UTC),
        reference: clean(reference),
        note: clean(note),
    })
}
