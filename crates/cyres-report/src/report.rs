//! A validated Article 14 report: identification plus exactly the content its stage requires.
//!
//! A [`Report`] only comes out of [`crate::validate`], so every required field is present and
//! non-empty (the "make invalid states unrepresentable" rule of the house style). Each stage of
//! each track is its own struct, named after the Regulation:
//!
//! | stage | vulnerability (Art. 14(2)) | severe incident (Art. 14(4)) |
//! |---|---|---|
//! | early warning, 24 h | [`VulnerabilityEarlyWarning`]: member states (a) | [`IncidentEarlyWarning`]: unlawful or malicious acts suspected, member states (a) |
//! | notification, 72 h | [`VulnerabilityNotification`]: product, exploit, vulnerability, measures taken and for users, sensitivity (b) | [`IncidentNotification`]: nature, initial assessment, measures taken and for users, sensitivity (b) |
//! | intermediate, on request | [`IntermediateReport`]: status updates (Art. 14(6)) | same |
//! | final | [`VulnerabilityFinalReport`]: description, severity, impact (i); malicious actor where available (ii); update or corrective measures (iii) (c) | [`IncidentFinalReport`]: detailed description, severity, impact (i); threat or root cause (ii); applied and ongoing mitigations (iii) (c) |

use crate::case::{SecurityGround, Sensitivity, Severity};
use crate::field::{self, FieldRow, FieldValue};
use cyres_cra::{CaseKind, MemberState, StageKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use time::OffsetDateTime;

/// RFC 3339 in UTC.
pub(crate) fn rfc3339(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.to_string())
}

/// Who reports what to whom; the same for every stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportHeader {
    /// Vulnerability or severe incident.
    pub kind: CaseKind,
    /// Manufacturer's legal name.
    pub manufacturer: String,
    /// Contact for the CSIRT.
    #[serde(default)]
    pub manufacturer_contact: Option<String>,
    /// Member state of the coordinator CSIRT (Art. 14(7)).
    pub coordinator: MemberState,
    /// Product name.
    pub product_name: String,
    /// purl, CPE, model numbers.
    #[serde(default)]
    pub product_identifiers: Vec<String>,
    /// Affected releases.
    #[serde(default)]
    pub affected_releases: Vec<String>,
    /// Awareness time, UTC.
    #[serde(with = "time::serde::rfc3339")]
    pub aware_at: OffsetDateTime,
    /// CVE ids.
    #[serde(default)]
    pub cve_ids: Vec<String>,
    /// Advisory ids.
    #[serde(default)]
    pub advisory_ids: Vec<String>,
    /// The manufacturer's Art. 16(2) third-subparagraph grounds, carried from the notification
    /// into the case's later reports (ENISA then sees the limited fields of those too).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub security_grounds: BTreeSet<SecurityGround>,
}

/// Art. 14(2)(a): early warning of an actively exploited vulnerability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VulnerabilityEarlyWarning {
    /// Member states where the manufacturer knows the product is made available.
    pub member_states: BTreeSet<MemberState>,
}

/// Art. 14(2)(b): vulnerability notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VulnerabilityNotification {
    /// General information about the product concerned.
    pub product_information: String,
    /// General nature of the exploit.
    pub exploit_nature: String,
    /// General nature of the vulnerability.
    pub vulnerability_nature: String,
    /// Corrective or mitigating measures taken.
    pub measures_taken: Vec<String>,
    /// Corrective or mitigating measures users can take.
    pub user_measures: Vec<String>,
    /// How sensitive the manufacturer considers the information.
    pub sensitivity: Sensitivity,
    /// Art. 16(2) third-subparagraph grounds, if raised.
    #[serde(default)]
    pub security_grounds: BTreeSet<SecurityGround>,
    /// The manufacturer asks the coordinator to delay dissemination (Art. 16(2)).
    #[serde(default)]
    pub delay_requested: bool,
}

/// Art. 14(2)(c): final report on a vulnerability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VulnerabilityFinalReport {
    /// (i) description of the vulnerability.
    pub vulnerability_description: String,
    /// (i) severity.
    pub severity: Severity,
    /// (i) impact.
    pub impact: String,
    /// (ii) the malicious actor, where available.
    #[serde(default)]
    pub malicious_actor: Option<String>,
    /// (iii) the security update or other corrective measures made available.
    pub corrective_measures: String,
    /// (iii) releases carrying the update.
    #[serde(default)]
    pub update_releases: Vec<String>,
    /// When the measure became available (starts the 14 days).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub fix_available_at: Option<OffsetDateTime>,
}

/// Art. 14(4)(a): early warning of a severe incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentEarlyWarning {
    /// Whether the incident is suspected of being caused by unlawful or malicious acts.
    pub malicious_suspected: bool,
    /// Member states where the manufacturer knows the product is made available.
    pub member_states: BTreeSet<MemberState>,
}

/// Art. 14(4)(b): incident notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentNotification {
    /// General nature of the incident.
    pub incident_nature: String,
    /// Initial assessment.
    pub initial_assessment: String,
    /// Corrective or mitigating measures taken.
    pub measures_taken: Vec<String>,
    /// Corrective or mitigating measures users can take.
    pub user_measures: Vec<String>,
    /// How sensitive the manufacturer considers the information.
    pub sensitivity: Sensitivity,
    /// The manufacturer asks the coordinator to delay dissemination (Art. 16(2)).
    #[serde(default)]
    pub delay_requested: bool,
}

/// Art. 14(4)(c): final report on a severe incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentFinalReport {
    /// (i) detailed description.
    pub incident_description: String,
    /// (i) severity.
    pub severity: Severity,
    /// (i) impact.
    pub impact: String,
    /// (ii) type of threat or root cause likely to have triggered it.
    pub threat_or_root_cause: String,
    /// (iii) mitigation measures applied.
    pub mitigations_applied: Vec<String>,
    /// (iii) mitigation measures ongoing.
    #[serde(default)]
    pub mitigations_ongoing: Vec<String>,
}

/// Art. 14(6): intermediate report on relevant status updates, at the coordinator's request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntermediateReport {
    /// The status updates.
    pub status_update: String,
    /// When the CSIRT asked.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub requested_at: Option<OffsetDateTime>,
    /// The CSIRT's reference of the request.
    #[serde(default)]
    pub request_reference: Option<String>,
}

/// The stage-specific content of a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ReportContent {
    /// Art. 14(2)(a).
    VulnerabilityEarlyWarning(VulnerabilityEarlyWarning),
    /// Art. 14(2)(b).
    VulnerabilityNotification(VulnerabilityNotification),
    /// Art. 14(2)(c).
    VulnerabilityFinalReport(VulnerabilityFinalReport),
    /// Art. 14(4)(a).
    IncidentEarlyWarning(IncidentEarlyWarning),
    /// Art. 14(4)(b).
    IncidentNotification(IncidentNotification),
    /// Art. 14(4)(c).
    IncidentFinalReport(IncidentFinalReport),
    /// Art. 14(6), either track.
    IntermediateReport(IntermediateReport),
}

impl ReportContent {
    /// The stage.
    pub fn stage(&self) -> StageKind {
        match self {
            ReportContent::VulnerabilityEarlyWarning(_)
            | ReportContent::IncidentEarlyWarning(_) => StageKind::EarlyWarning,
            ReportContent::VulnerabilityNotification(_)
            | ReportContent::IncidentNotification(_) => StageKind::Notification,
            ReportContent::VulnerabilityFinalReport(_) | ReportContent::IncidentFinalReport(_) => {
                StageKind::FinalReport
            }
            ReportContent::IntermediateReport(_) => StageKind::IntermediateReport,
        }
    }

    /// The track, `None` for the intermediate report (which serves both).
    pub fn track(&self) -> Option<CaseKind> {
        match self {
            ReportContent::VulnerabilityEarlyWarning(_)
            | ReportContent::VulnerabilityNotification(_)
            | ReportContent::VulnerabilityFinalReport(_) => Some(CaseKind::Vulnerability),
            ReportContent::IncidentEarlyWarning(_)
            | ReportContent::IncidentNotification(_)
            | ReportContent::IncidentFinalReport(_) => Some(CaseKind::Incident),
            ReportContent::IntermediateReport(_) => None,
        }
    }
}

/// A complete, validated report of one stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The case it belongs to.
    pub case_id: String,
    /// Revision of this stage (1, then corrections).
    pub revision: u32,
    /// Identification.
    pub header: ReportHeader,
    /// Stage content.
    pub content: ReportContent,
}

fn text(t: &str) -> FieldValue {
    FieldValue::Text(t.to_string())
}

fn list(items: &[String]) -> FieldValue {
    FieldValue::List(items.to_vec())
}

fn opt_text(t: &Option<String>) -> FieldValue {
    t.as_deref().map_or(FieldValue::Empty, text)
}

fn opt_time(t: &Option<OffsetDateTime>) -> FieldValue {
    t.map_or(FieldValue::Empty, |t| FieldValue::Text(rfc3339(t)))
}

fn states(set: &BTreeSet<MemberState>) -> FieldValue {
    FieldValue::List(
        set.iter()
            .map(|m| format!("{} ({})", m.code(), m.name()))
            .collect(),
    )
}

/// "vulnerability" / "severe incident".
pub fn kind_label(kind: CaseKind) -> &'static str {
    match kind {
        CaseKind::Vulnerability => "actively exploited vulnerability",
        CaseKind::Incident => "severe incident having an impact on the security of the product",
    }
}

/// "early warning" and so on, for people.
pub fn stage_label(stage: StageKind) -> &'static str {
    match stage {
        StageKind::EarlyWarning => "early warning (24 h)",
        StageKind::Notification => "notification (72 h)",
        StageKind::IntermediateReport => "intermediate report (on request)",
        StageKind::FinalReport => "final report",
    }
}

impl Report {
    /// The stage.
    pub fn stage(&self) -> StageKind {
        self.content.stage()
    }

    /// The track.
    pub fn kind(&self) -> CaseKind {
        self.header.kind
    }

    /// Every field with its value, in the assumed SRP form order (see [`crate::field`]).
    pub fn fields(&self) -> Vec<FieldRow> {
        use crate::field::*;
        let h = &self.header;
        let mut rows = vec![
            FieldRow::new(&KIND, text(kind_label(h.kind))),
            FieldRow::new(&MANUFACTURER, text(&h.manufacturer)),
            FieldRow::new(&CONTACT, opt_text(&h.manufacturer_contact)),
            FieldRow::new(
                &COORDINATOR,
                FieldValue::Text(format!(
                    "{} ({})",
                    h.coordinator.code(),
                    h.coordinator.name()
                )),
            ),
            FieldRow::new(&PRODUCT, text(&h.product_name)),
            FieldRow::new(&PRODUCT_IDS, list(&h.product_identifiers)),
            FieldRow::new(&RELEASES, list(&h.affected_releases)),
            FieldRow::new(&AWARE_AT, FieldValue::Text(rfc3339(h.aware_at))),
            FieldRow::new(&CVE_IDS, list(&h.cve_ids)),
            FieldRow::new(&ADVISORY_IDS, list(&h.advisory_ids)),
        ];
        let grounds = |g: &BTreeSet<SecurityGround>| {
            FieldValue::List(g.iter().map(|g| g.label().to_string()).collect())
        };
        match &self.content {
            ReportContent::VulnerabilityEarlyWarning(c) => {
                rows.push(FieldRow::new(&V_MEMBER_STATES, states(&c.member_states)));
            }
            ReportContent::VulnerabilityNotification(c) => rows.extend([
                FieldRow::new(&V_PRODUCT_INFO, text(&c.product_information)),
                FieldRow::new(&V_EXPLOIT, text(&c.exploit_nature)),
                FieldRow::new(&V_VULN, text(&c.vulnerability_nature)),
                FieldRow::new(&V_MEASURES, list(&c.measures_taken)),
                FieldRow::new(&V_USER_MEASURES, list(&c.user_measures)),
                FieldRow::new(&V_SENSITIVITY, text(c.sensitivity.label())),
                FieldRow::new(&V_GROUNDS, grounds(&c.security_grounds)),
                FieldRow::new(&V_DELAY, FieldValue::Flag(c.delay_requested)),
            ]),
            ReportContent::VulnerabilityFinalReport(c) => rows.extend([
                FieldRow::new(&V_DESCRIPTION, text(&c.vulnerability_description)),
                FieldRow::new(&V_SEVERITY, FieldValue::Text(c.severity.describe())),
                FieldRow::new(&V_IMPACT, text(&c.impact)),
                FieldRow::new(&V_ACTOR, opt_text(&c.malicious_actor)),
                FieldRow::new(&V_UPDATE, text(&c.corrective_measures)),
                FieldRow::new(&V_UPDATE_RELEASES, list(&c.update_releases)),
                FieldRow::new(&V_FIX_AT, opt_time(&c.fix_available_at)),
            ]),
            ReportContent::IncidentEarlyWarning(c) => rows.extend([
                FieldRow::new(&I_SUSPECTED, FieldValue::Flag(c.malicious_suspected)),
                FieldRow::new(&I_MEMBER_STATES, states(&c.member_states)),
            ]),
            ReportContent::IncidentNotification(c) => rows.extend([
                FieldRow::new(&I_NATURE, text(&c.incident_nature)),
                FieldRow::new(&I_ASSESSMENT, text(&c.initial_assessment)),
                FieldRow::new(&I_MEASURES, list(&c.measures_taken)),
                FieldRow::new(&I_USER_MEASURES, list(&c.user_measures)),
                FieldRow::new(&I_SENSITIVITY, text(c.sensitivity.label())),
                FieldRow::new(&V_DELAY, FieldValue::Flag(c.delay_requested)),
            ]),
            ReportContent::IncidentFinalReport(c) => rows.extend([
                FieldRow::new(&I_DESCRIPTION, text(&c.incident_description)),
                FieldRow::new(&I_SEVERITY, FieldValue::Text(c.severity.describe())),
                FieldRow::new(&I_IMPACT, text(&c.impact)),
                FieldRow::new(&I_ROOT_CAUSE, text(&c.threat_or_root_cause)),
                FieldRow::new(&I_APPLIED, list(&c.mitigations_applied)),
                FieldRow::new(&I_ONGOING, list(&c.mitigations_ongoing)),
            ]),
            ReportContent::IntermediateReport(c) => rows.extend([
                FieldRow::new(&R_STATUS, text(&c.status_update)),
                FieldRow::new(&R_REQUESTED_AT, opt_time(&c.requested_at)),
                FieldRow::new(&R_REFERENCE, opt_text(&c.request_reference)),
            ]),
        }
        debug_assert_eq!(
            rows.len(),
            field::HEADER.len() + field::content_fields(self.kind(), self.stage()).len()
        );
        rows
    }
}
