//! Report drafts: [`draft`] prefills a stage from the case, a person edits it, [`validate`]
//! turns it into a [`Report`] or names every missing required field.
//!
//! A draft has the same shape as the report with every field optional, so the server can store
//! and edit half-finished drafts as JSON; the machine path of a field (`content.sensitivity`) is
//! the same in the draft, the report and the [`MissingField`] list (issue #6, "Report drafts …
//! validation names every missing required field").

use crate::case::{Case, SecurityGround, Sensitivity, Severity};
use crate::field::{self, FieldSpec, MissingField};
use crate::report::{
    IncidentEarlyWarning, IncidentFinalReport, IncidentNotification, IntermediateReport, Report,
    ReportContent, ReportHeader, VulnerabilityEarlyWarning, VulnerabilityFinalReport,
    VulnerabilityNotification,
};
use cyres_cra::{CaseKind, MemberState, StageKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use time::OffsetDateTime;

/// Identification fields of a draft.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HeaderDraft {
    /// Manufacturer's legal name.
    pub manufacturer: Option<String>,
    /// Contact for the CSIRT.
    pub manufacturer_contact: Option<String>,
    /// Coordinator CSIRT's member state.
    pub coordinator: Option<MemberState>,
    /// Product name.
    pub product_name: Option<String>,
    /// Product identifiers.
    pub product_identifiers: Vec<String>,
    /// Affected releases.
    pub affected_releases: Vec<String>,
    /// Awareness time.
    #[serde(with = "time::serde::rfc3339::option")]
    pub aware_at: Option<OffsetDateTime>,
    /// CVE ids.
    pub cve_ids: Vec<String>,
    /// Advisory ids.
    pub advisory_ids: Vec<String>,
    /// The manufacturer's Art. 16(2) third-subparagraph indication, carried by the case's
    /// reports after the early warning so that ENISA receives only the limited fields from
    /// intake, the final report included.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub security_grounds: BTreeSet<SecurityGround>,
}

/// Draft of [`VulnerabilityEarlyWarning`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VulnerabilityEarlyWarningDraft {
    /// Member states.
    pub member_states: BTreeSet<MemberState>,
}

/// Draft of [`VulnerabilityNotification`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VulnerabilityNotificationDraft {
    /// General information about the product.
    pub product_information: Option<String>,
    /// General nature of the exploit.
    pub exploit_nature: Option<String>,
    /// General nature of the vulnerability.
    pub vulnerability_nature: Option<String>,
    /// Measures taken.
    pub measures_taken: Vec<String>,
    /// Measures users can take.
    pub user_measures: Vec<String>,
    /// Sensitivity.
    pub sensitivity: Option<Sensitivity>,
    /// Art. 16(2) grounds.
    pub security_grounds: BTreeSet<SecurityGround>,
    /// Delay requested.
    pub delay_requested: bool,
}

/// Draft of [`VulnerabilityFinalReport`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VulnerabilityFinalReportDraft {
    /// Description.
    pub vulnerability_description: Option<String>,
    /// Severity.
    pub severity: Option<Severity>,
    /// Impact.
    pub impact: Option<String>,
    /// Malicious actor.
    pub malicious_actor: Option<String>,
    /// Update or corrective measures.
    pub corrective_measures: Option<String>,
    /// Releases with the update.
    pub update_releases: Vec<String>,
    /// Fix availability.
    #[serde(with = "time::serde::rfc3339::option")]
    pub fix_available_at: Option<OffsetDateTime>,
}

/// Draft of [`IncidentEarlyWarning`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IncidentEarlyWarningDraft {
    /// Unlawful or malicious acts suspected.
    pub malicious_suspected: Option<bool>,
    /// Member states.
    pub member_states: BTreeSet<MemberState>,
}

/// Draft of [`IncidentNotification`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IncidentNotificationDraft {
    /// Nature of the incident.
    pub incident_nature: Option<String>,
    /// Initial assessment.
    pub initial_assessment: Option<String>,
    /// Measures taken.
    pub measures_taken: Vec<String>,
    /// Measures users can take.
    pub user_measures: Vec<String>,
    /// Sensitivity.
    pub sensitivity: Option<Sensitivity>,
    /// Delay requested.
    pub delay_requested: bool,
}

/// Draft of [`IncidentFinalReport`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IncidentFinalReportDraft {
    /// Detailed description.
    pub incident_description: Option<String>,
    /// Severity.
    pub severity: Option<Severity>,
    /// Impact.
    pub impact: Option<String>,
    /// Threat or root cause.
    pub threat_or_root_cause: Option<String>,
    /// Applied mitigations.
    pub mitigations_applied: Vec<String>,
    /// Ongoing mitigations.
    pub mitigations_ongoing: Vec<String>,
}

/// Draft of [`IntermediateReport`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IntermediateReportDraft {
    /// Status updates.
    pub status_update: Option<String>,
    /// Request time.
    #[serde(with = "time::serde::rfc3339::option")]
    pub requested_at: Option<OffsetDateTime>,
    /// Request reference.
    pub request_reference: Option<String>,
}

/// Stage content of a draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ContentDraft {
    /// Art. 14(2)(a).
    VulnerabilityEarlyWarning(VulnerabilityEarlyWarningDraft),
    /// Art. 14(2)(b).
    VulnerabilityNotification(VulnerabilityNotificationDraft),
    /// Art. 14(2)(c).
    VulnerabilityFinalReport(VulnerabilityFinalReportDraft),
    /// Art. 14(4)(a).
    IncidentEarlyWarning(IncidentEarlyWarningDraft),
    /// Art. 14(4)(b).
    IncidentNotification(IncidentNotificationDraft),
    /// Art. 14(4)(c).
    IncidentFinalReport(IncidentFinalReportDraft),
    /// Art. 14(6).
    IntermediateReport(IntermediateReportDraft),
}

impl ContentDraft {
    /// An empty draft of a stage.
    pub fn empty(kind: CaseKind, stage: StageKind) -> ContentDraft {
        match (kind, stage) {
            (CaseKind::Vulnerability, StageKind::EarlyWarning) => {
                ContentDraft::VulnerabilityEarlyWarning(Default::default())
            }
            (CaseKind::Vulnerability, StageKind::Notification) => {
                ContentDraft::VulnerabilityNotification(Default::default())
            }
            (CaseKind::Vulnerability, StageKind::FinalReport) => {
                ContentDraft::VulnerabilityFinalReport(Default::default())
            }
            (CaseKind::Incident, StageKind::EarlyWarning) => {
                ContentDraft::IncidentEarlyWarning(Default::default())
            }
            (CaseKind::Incident, StageKind::Notification) => {
                ContentDraft::IncidentNotification(Default::default())
            }
            (CaseKind::Incident, StageKind::FinalReport) => {
                ContentDraft::IncidentFinalReport(Default::default())
            }
            (_, StageKind::IntermediateReport) => {
                ContentDraft::IntermediateReport(Default::default())
            }
        }
    }

    /// The stage.
    pub fn stage(&self) -> StageKind {
        match self {
            ContentDraft::VulnerabilityEarlyWarning(_) | ContentDraft::IncidentEarlyWarning(_) => {
                StageKind::EarlyWarning
            }
            ContentDraft::VulnerabilityNotification(_) | ContentDraft::IncidentNotification(_) => {
                StageKind::Notification
            }
            ContentDraft::VulnerabilityFinalReport(_) | ContentDraft::IncidentFinalReport(_) => {
                StageKind::FinalReport
            }
            ContentDraft::IntermediateReport(_) => StageKind::IntermediateReport,
        }
    }

    fn track(&self) -> Option<CaseKind> {
        match self {
            ContentDraft::VulnerabilityEarlyWarning(_)
            | ContentDraft::VulnerabilityNotification(_)
            | ContentDraft::VulnerabilityFinalReport(_) => Some(CaseKind::Vulnerability),
            ContentDraft::IncidentEarlyWarning(_)
            | ContentDraft::IncidentNotification(_)
            | ContentDraft::IncidentFinalReport(_) => Some(CaseKind::Incident),
            ContentDraft::IntermediateReport(_) => None,
        }
    }
}

/// A report being prepared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// The case.
    pub case_id: String,
    /// Vulnerability or incident.
    pub kind: CaseKind,
    /// Revision of the stage this draft will be.
    pub revision: u32,
    /// Identification.
    pub header: HeaderDraft,
    /// Stage content.
    pub content: ContentDraft,
    /// Hints for the person completing it (not part of the report).
    #[serde(default)]
    pub notes: Vec<String>,
}

impl Draft {
    /// The stage.
    pub fn stage(&self) -> StageKind {
        self.content.stage()
    }
}

fn clean(t: &Option<String>) -> Option<String> {
    t.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

fn clean_list(items: &[String]) -> Vec<String> {
    items
        .iter()
        .map(|i| i.trim())
        .filter(|i| !i.is_empty())
        .map(str::to_string)
        .collect()
}

/// The fix description, plus the release list, for the final report's item (iii).
fn corrective_text(case: &Case) -> Option<String> {
    let fix = case.fix.as_ref()?;
    let description = fix.description.trim();
    (!description.is_empty()).then(|| description.to_string())
}

/// Prefills the draft of `stage` from the case. Fields the case does not know stay empty; the
/// notes say what to do about them. The coordinator comes from Art. 14(7) routing; when the
/// facts do not decide it, the field stays empty and a note says why.
pub fn draft(case: &Case, stage: StageKind) -> Draft {
    let mut notes = Vec::new();
    let coordinator = match case.coordinator() {
        Ok(c) => {
            if !c.tied_with.is_empty() {
                notes.push(format!(
                    "coordinator CSIRT: {} is tied with {:?} under {}; confirm the choice",
                    c.member_state,
                    c.tied_with.iter().map(|m| m.code()).collect::<Vec<_>>(),
                    c.basis
                ));
            }
            Some(c.member_state)
        }
        Err(e) => {
            notes.push(format!("coordinator CSIRT not determined: {e}"));
            None
        }
    };
    if case.kind == CaseKind::Vulnerability && !case.has_reliable_evidence() {
        notes.push("the evidence ledger holds no reliable evidence of exploitation (an EUVD entry alone is a signal); record it before submitting (Art. 3(42))".into());
    }
    if case.kind == CaseKind::Incident && case.severe_grounds.is_empty() {
        notes.push("no Art. 14(5) ground is recorded: say why the incident is severe (sensitive or important data or functions, or malicious code)".into());
    }
    let header = HeaderDraft {
        manufacturer: clean(&Some(case.manufacturer.name.clone())),
        manufacturer_contact: clean(&case.manufacturer.contact),
        coordinator,
        product_name: clean(&Some(case.product.name.clone())),
        product_identifiers: clean_list(&case.product.identifiers),
        affected_releases: clean_list(&case.affected_releases),
        aware_at: Some(case.aware_at.to_offset(time::UtcOffset::UTC)),
        cve_ids: clean_list(&case.cve_ids),
        advisory_ids: clean_list(&case.advisory_ids),
        // Art. 16(2), third subparagraph: the indication applies to the notification and to every
        // later report of a vulnerability case.
        security_grounds: if case.kind == CaseKind::Vulnerability
            && stage != StageKind::EarlyWarning
        {
            case.security_grounds.clone()
        } else {
            BTreeSet::new()
        },
    };
    let product_information = {
        let mut parts = vec![case.product.name.trim().to_string()];
        if let Some(d) = clean(&case.product.description) {
            parts.push(d);
        }
        parts.push(format!("CRA category: {}", case.product.category));
        if !case.affected_releases.is_empty() {
            parts.push(format!(
                "affected releases: {}",
                clean_list(&case.affected_releases).join(", ")
            ));
        }
        Some(parts.join("; "))
    };
    let content = match (case.kind, stage) {
        (CaseKind::Vulnerability, StageKind::EarlyWarning) => {
            ContentDraft::VulnerabilityEarlyWarning(VulnerabilityEarlyWarningDraft {
                member_states: case.product.member_states.clone(),
            })
        }
        (CaseKind::Vulnerability, StageKind::Notification) => {
            ContentDraft::VulnerabilityNotification(VulnerabilityNotificationDraft {
                product_information,
                exploit_nature: clean(&case.nature),
                vulnerability_nature: clean(&case.description),
                measures_taken: clean_list(&case.measures_taken),
                user_measures: clean_list(&case.user_measures),
                sensitivity: case.sensitivity,
                security_grounds: case.security_grounds.clone(),
                delay_requested: case.delay_requested,
            })
        }
        (CaseKind::Vulnerability, StageKind::FinalReport) => {
            if case.fix.is_none() {
                notes.push("no corrective or mitigating measure is recorded yet: the final report is due 14 days after one is available (Art. 14(2)(c))".into());
            }
            let mut releases = clean_list(&case.fixed_releases);
            if let Some(fix) = &case.fix {
                for r in clean_list(&fix.releases) {
                    if !releases.contains(&r) {
                        releases.push(r);
                    }
                }
            }
            ContentDraft::VulnerabilityFinalReport(VulnerabilityFinalReportDraft {
                vulnerability_description: clean(&case.description),
                severity: case.severity.clone(),
                impact: clean(&case.impact),
                malicious_actor: clean(&case.malicious_actor),
                corrective_measures: corrective_text(case),
                update_releases: releases,
                fix_available_at: case.fix.as_ref().map(|f| f.available_at),
            })
        }
        (CaseKind::Incident, StageKind::EarlyWarning) => {
            ContentDraft::IncidentEarlyWarning(IncidentEarlyWarningDraft {
                malicious_suspected: case.malicious_suspected,
                member_states: case.product.member_states.clone(),
            })
        }
        (CaseKind::Incident, StageKind::Notification) => {
            ContentDraft::IncidentNotification(IncidentNotificationDraft {
                incident_nature: clean(&case.nature),
                initial_assessment: clean(&case.initial_assessment),
                measures_taken: clean_list(&case.measures_taken),
                user_measures: clean_list(&case.user_measures),
                sensitivity: case.sensitivity,
                delay_requested: case.delay_requested,
            })
        }
        (CaseKind::Incident, StageKind::FinalReport) => {
            ContentDraft::IncidentFinalReport(IncidentFinalReportDraft {
                incident_description: clean(&case.description),
                severity: case.severity.clone(),
                impact: clean(&case.impact),
                threat_or_root_cause: clean(&case.root_cause),
                mitigations_applied: clean_list(&case.measures_taken),
                mitigations_ongoing: clean_list(&case.ongoing_measures),
            })
        }
        (_, StageKind::IntermediateReport) => {
            let request = case
                .intermediate_requests
                .iter()
                .max_by_key(|r| r.requested_at);
            if request.is_none() {
                notes.push("no intermediate report was requested; the coordinator CSIRT asks for one when needed (Art. 14(6))".into());
            }
            ContentDraft::IntermediateReport(IntermediateReportDraft {
                status_update: {
                    let updates = clean_list(&case.status_updates);
                    (!updates.is_empty()).then(|| updates.join("\n"))
                },
                requested_at: request.map(|r| r.requested_at),
                request_reference: request.and_then(|r| clean(&r.reference)),
            })
        }
    };
    Draft {
        case_id: case.id.clone(),
        kind: case.kind,
        revision: case.next_revision(stage),
        header,
        content,
        notes,
    }
}

/// Collects missing fields while reading a draft.
struct Check {
    missing: Vec<MissingField>,
}

impl Check {
    fn text(&mut self, spec: &FieldSpec, value: &Option<String>) -> Option<String> {
        let v = clean(value);
        if v.is_none() {
            self.missing.push(MissingField::new(spec, "required"));
        }
        v
    }

    fn list(&mut self, spec: &FieldSpec, value: &[String]) -> Option<Vec<String>> {
        let v = clean_list(value);
        if v.is_empty() {
            self.missing
                .push(MissingField::new(spec, "at least one entry is required"));
            return None;
        }
        Some(v)
    }

    fn value<T: Clone>(&mut self, spec: &FieldSpec, value: &Option<T>) -> Option<T> {
        if value.is_none() {
            self.missing.push(MissingField::new(spec, "required"));
        }
        value.clone()
    }

    fn states(
        &mut self,
        spec: &FieldSpec,
        value: &BTreeSet<MemberState>,
    ) -> Option<BTreeSet<MemberState>> {
        if value.is_empty() {
            self.missing.push(MissingField::new(
                spec,
                "at least one member state is required",
            ));
            return None;
        }
        Some(value.clone())
    }
}

/// Checks a draft. Every missing required field is named, in form order, with its label and
/// machine path; a draft whose content belongs to the other track (an incident early warning on
/// a vulnerability case) is refused on `header.kind`.
pub fn validate(d: &Draft) -> Result<Report, Vec<MissingField>> {
    let mut c = Check {
        missing: Vec::new(),
    };
    if d.content.track().is_some_and(|t| t != d.kind) {
        c.missing.push(MissingField::new(
            &field::KIND,
            "the report content belongs to the other track",
        ));
    }
    let h = &d.header;
    let manufacturer = c.text(&field::MANUFACTURER, &h.manufacturer);
    let coordinator = c.value(&field::COORDINATOR, &h.coordinator);
    let product_name = c.text(&field::PRODUCT, &h.product_name);
    let aware_at = c.value(&field::AWARE_AT, &h.aware_at);

    let content = match &d.content {
        ContentDraft::VulnerabilityEarlyWarning(x) => c
            .states(&field::V_MEMBER_STATES, &x.member_states)
            .map(|member_states| {
                ReportContent::VulnerabilityEarlyWarning(VulnerabilityEarlyWarning {
                    member_states,
                })
            }),
        ContentDraft::VulnerabilityNotification(x) => {
            let product_information = c.text(&field::V_PRODUCT_INFO, &x.product_information);
            let exploit_nature = c.text(&field::V_EXPLOIT, &x.exploit_nature);
            let vulnerability_nature = c.text(&field::V_VULN, &x.vulnerability_nature);
            let measures_taken = c.list(&field::V_MEASURES, &x.measures_taken);
            let user_measures = c.list(&field::V_USER_MEASURES, &x.user_measures);
            let sensitivity = c.value(&field::V_SENSITIVITY, &x.sensitivity);
            match (
                product_information,
                exploit_nature,
                vulnerability_nature,
                measures_taken,
                user_measures,
                sensitivity,
            ) {
                (Some(p), Some(e), Some(v), Some(m), Some(u), Some(s)) => Some(
                    ReportContent::VulnerabilityNotification(VulnerabilityNotification {
                        product_information: p,
                        exploit_nature: e,
                        vulnerability_nature: v,
                        measures_taken: m,
                        user_measures: u,
                        sensitivity: s,
                        security_grounds: x.security_grounds.clone(),
                        delay_requested: x.delay_requested,
                    }),
                ),
                _ => None,
            }
        }
        ContentDraft::VulnerabilityFinalReport(x) => {
            let description = c.text(&field::V_DESCRIPTION, &x.vulnerability_description);
            let severity = c.value(&field::V_SEVERITY, &x.severity);
            let impact = c.text(&field::V_IMPACT, &x.impact);
            let corrective = c.text(&field::V_UPDATE, &x.corrective_measures);
            match (description, severity, impact, corrective) {
                (Some(d), Some(s), Some(i), Some(m)) => Some(
                    ReportContent::VulnerabilityFinalReport(VulnerabilityFinalReport {
                        vulnerability_description: d,
                        severity: s,
                        impact: i,
                        malicious_actor: clean(&x.malicious_actor),
                        corrective_measures: m,
                        update_releases: clean_list(&x.update_releases),
                        fix_available_at: x.fix_available_at,
                    }),
                ),
                _ => None,
            }
        }
        ContentDraft::IncidentEarlyWarning(x) => {
            let suspected = c.value(&field::I_SUSPECTED, &x.malicious_suspected);
            let states = c.states(&field::I_MEMBER_STATES, &x.member_states);
            match (suspected, states) {
                (Some(s), Some(m)) => {
                    Some(ReportContent::IncidentEarlyWarning(IncidentEarlyWarning {
                        malicious_suspected: s,
                        member_states: m,
                    }))
                }
                _ => None,
            }
        }
        ContentDraft::IncidentNotification(x) => {
            let nature = c.text(&field::I_NATURE, &x.incident_nature);
            let assessment = c.text(&field::I_ASSESSMENT, &x.initial_assessment);
            let measures = c.list(&field::I_MEASURES, &x.measures_taken);
            let user = c.list(&field::I_USER_MEASURES, &x.user_measures);
            let sensitivity = c.value(&field::I_SENSITIVITY, &x.sensitivity);
            match (nature, assessment, measures, user, sensitivity) {
                (Some(n), Some(a), Some(m), Some(u), Some(s)) => {
                    Some(ReportContent::IncidentNotification(IncidentNotification {
                        incident_nature: n,
                        initial_assessment: a,
                        measures_taken: m,
                        user_measures: u,
                        sensitivity: s,
                        delay_requested: x.delay_requested,
                    }))
                }
                _ => None,
            }
        }
        ContentDraft::IncidentFinalReport(x) => {
            let description = c.text(&field::I_DESCRIPTION, &x.incident_description);
            let severity = c.value(&field::I_SEVERITY, &x.severity);
            let impact = c.text(&field::I_IMPACT, &x.impact);
            let cause = c.text(&field::I_ROOT_CAUSE, &x.threat_or_root_cause);
            let applied = c.list(&field::I_APPLIED, &x.mitigations_applied);
            match (description, severity, impact, cause, applied) {
                (Some(d), Some(s), Some(i), Some(r), Some(a)) => {
                    Some(ReportContent::IncidentFinalReport(IncidentFinalReport {
                        incident_description: d,
                        severity: s,
                        impact: i,
                        threat_or_root_cause: r,
                        mitigations_applied: a,
                        mitigations_ongoing: clean_list(&x.mitigations_ongoing),
                    }))
                }
                _ => None,
            }
        }
        ContentDraft::IntermediateReport(x) => {
            c.text(&field::R_STATUS, &x.status_update)
                .map(|status_update| {
                    ReportContent::IntermediateReport(IntermediateReport {
                        status_update,
                        requested_at: x.requested_at,
                        request_reference: clean(&x.request_reference),
                    })
                })
        }
    };
    if !c.missing.is_empty() {
        return Err(c.missing);
    }
    match (manufacturer, coordinator, product_name, aware_at, content) {
        (
            Some(manufacturer),
            Some(coordinator),
            Some(product_name),
            Some(aware_at),
            Some(content),
        ) => Ok(Report {
            case_id: d.case_id.clone(),
            revision: d.revision.max(1),
            header: ReportHeader {
                kind: d.kind,
                manufacturer,
                manufacturer_contact: clean(&h.manufacturer_contact),
                coordinator,
                product_name,
                product_identifiers: clean_list(&h.product_identifiers),
                affected_releases: clean_list(&h.affected_releases),
                aware_at: aware_at.to_offset(time::UtcOffset::UTC),
                cve_ids: clean_list(&h.cve_ids),
                advisory_ids: clean_list(&h.advisory_ids),
                security_grounds: if d.kind == CaseKind::Vulnerability {
                    h.security_grounds.clone()
                } else {
                    BTreeSet::new()
                },
            },
            content,
        }),
        // Unreachable while every `None` above records a missing field; kept total so a future
        // field cannot panic.
        _ => Err(vec![MissingField::new(&field::KIND, "incomplete draft")]),
    }
}
