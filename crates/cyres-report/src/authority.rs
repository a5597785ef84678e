//! The authority side of a notification: what the coordinator CSIRT decides, and what ENISA
//! sees (CRA Art. 16(2), Delegated Regulation (EU) 2026/881).
//!
//! - **Forward** (Art. 16(2), first subparagraph): the coordinator CSIRT disseminates the
//!   notification without delay to the CSIRTs of the other member states the manufacturer listed
//!   as places where the product is made available.
//! - **Delay**: in exceptional circumstances (a request of the manufacturer, the sensitivity it
//!   indicated, coordinated vulnerability disclosure) the coordinator may delay dissemination
//!   for the strictly necessary time, on cybersecurity-related grounds. ENISA is told at once,
//!   with the reasons and the planned release date. The grounds are those of DR (EU) 2026/881
//!   as summarised in docs/cra.md §9 (tagged there as secondary sources): risks of sharing
//!   outweigh the benefits (its Art. 3), a receiving CSIRT is compromised or inadequate (Art. 4),
//!   the single reporting platform is compromised (Art. 5). The delegated act's finer conditions
//!   were not available; the model takes one ground per decision plus a free-text reason.
//! - **Limited fields for ENISA** (Art. 16(2), second subparagraph): when the manufacturer's
//!   72-hour vulnerability notification raises one of the particularly exceptional security
//!   grounds and the coordinator applies them, ENISA at first receives only that a notification
//!   exists, general information on the product, the general nature of the exploit and that
//!   security-related grounds were raised ([`LimitedView`]). If ENISA then sees a systemic risk it
//!   recommends full dissemination ([`crate::systemic`]).

use crate::ReportError;
use crate::case::{IntermediateRequest, Sensitivity};
use crate::report::{Report, ReportContent};
use cyres_cra::{CaseKind, MemberState, StageKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use time::OffsetDateTime;

/// The circumstances Art. 16(2) names for a delay.
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

/// The cybersecurity-related grounds of DR (EU) 2026/881 (docs/cra.md §9, secondary sources).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DelayGround {
    /// The risks of sharing outweigh its benefits (DR 2026/881 Art. 3).
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
                "risks of sharing outweigh the benefits (DR (EU) 2026/881 Art. 3)"
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
    /// Apply the Art. 16(2) second-subparagraph regime (ENISA sees limited fields).
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
    /// Whether ENISA sees only the limited fields.
    pub enisa_limited: bool,
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
    if request.restrict_enisa {
        if !raises_security_grounds(report) {
            return Err(fail("limited fields for ENISA need a vulnerability notification that raises an Art. 16(2) second-subparagraph ground".into()));
        }
        if !matches!(request.dissemination, Dissemination::Delay(_)) {
            return Err(fail(
                "limited fields for ENISA apply only while dissemination is delayed".into(),
            ));
        }
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
        enisa_limited: request.restrict_enisa,
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

fn raises_security_grounds(report: &Report) -> bool {
    matches!(&report.content, ReportContent::VulnerabilityNotification(n) if !n.security_grounds.is_empty())
}

/// What ENISA sees first in the particularly exceptional case of Art. 16(2), second
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

/// The limited view of a report, if it is a vulnerability notification raising Art. 16(2)
/// grounds.
pub fn limited_view(report: &Report) -> Option<LimitedView> {
    let ReportContent::VulnerabilityNotification(n) = &report.content else {
        return None;
    };
    if n.security_grounds.is_empty() {
        return None;
    }
    Some(LimitedView {
        case_id: report.case_id.clone(),
        kind: report.kind(),
        stage: report.stage(),
        coordinator: report.header.coordinator,
        manufacturer: report.header.manufacturer.clone(),
        product_name: report.header.product_name.clone(),
        product_information: n.product_information.clone(),
        exploit_nature: n.exploit_nature.clone(),
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

/// ENISA's view of a report: limited while the coordinator applies the second-subparagraph
/// regime and the planned release has not come, full otherwise.
pub fn enisa_view(report: &Report, decision: Option<&Decision>, now: OffsetDateTime) -> EnisaView {
    if let Some(d) = decision
        && d.enisa_limited
        && !d.release_due(now)
        && let Some(view) = limited_view(report)
    {
        return EnisaView::Limited(view);
    }
    EnisaView::Full(Box::new(report.clone()))
}

/// Whether the manufacturer's indicated sensitivity alone suggests the coordinator consider a
/// delay (TLP:AMBER+STRICT or TLP:RED). A hint for the inbox, not a rule.
pub fn sensitivity_suggests_delay(report: &Report) -> bool {
    let s = match &report.content {
        ReportContent::VulnerabilityNotification(n) => Some(n.sensitivity),
        ReportContent::IncidentNotification(n) => Some(n.sensitivity),
        _ => None,
    };
    s.is_some_and(|s| s >= Sensitivity::AmberStrict)
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
