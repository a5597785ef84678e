//! The fields of an Article 14 report: a stable machine path, a label for people and the legal
//! basis, declared once and used by validation ([`crate::validate`]), the report pack's ordered
//! field list and the HTML page.
//!
//! Two kinds of field:
//! - **content** (`content.*`): exactly what CRA Art. 14(2)(a)–(c), 14(4)(a)–(c) and 14(6) ask
//!   each stage to contain. A field the Regulation qualifies with "where available" or "where
//!   applicable" *for information that may not exist* (the malicious actor, Art. 14(2)(c)(ii))
//!   is optional; the rest is required. "As available"/"where applicable" on general
//!   information (member states, sensitivity) is read as required: the manufacturer always
//!   knows where it sells and can always say how sensitive it considers the report (cyres'
//!   interpretation; it can state "not sensitive", TLP:CLEAR);
//! - **identification** (`header.*`): who reports what to whom (manufacturer, product,
//!   coordinator member state, awareness time). The Regulation takes these for granted (Art.
//!   14(1), (7)); a report without them cannot be routed, so they are required for every stage.
//!
//! # Assumed order of the ENISA single reporting platform form
//! ENISA publishes no schema or API for the SRP (docs/cra.md §11), so the order of
//! [`crate::Report::fields`] is an assumption: identification first (manufacturer, coordinator,
//! product, awareness, identifiers), then the stage's content in the order the Article lists it,
//! then the Art. 16(2) flags. Change it here when the real form is known; every output follows.

use serde::Serialize;

/// One field of a report stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FieldSpec {
    /// Stable machine path, as in the draft's JSON (`content.exploit_nature`).
    pub path: &'static str,
    /// Label for people.
    pub label: &'static str,
    /// Legal basis, or `cyres` for identification fields.
    pub basis: &'static str,
    /// Whether validation refuses a report without it.
    pub required: bool,
}

/// A required field that is empty in a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingField {
    /// Stable machine path.
    pub path: &'static str,
    /// Label for people.
    pub label: &'static str,
    /// Legal basis.
    pub basis: &'static str,
    /// What is wrong ("required", "at least one entry", "does not match the case kind").
    pub problem: &'static str,
}

impl MissingField {
    pub(crate) fn new(spec: &FieldSpec, problem: &'static str) -> MissingField {
        MissingField {
            path: spec.path,
            label: spec.label,
            basis: spec.basis,
            problem,
        }
    }
}

/// A field's value for display and export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum FieldValue {
    /// Text (times are RFC 3339 in UTC).
    Text(String),
    /// A list.
    List(Vec<String>),
    /// Yes or no.
    Flag(bool),
    /// Not given (optional fields only).
    Empty,
}

impl FieldValue {
    /// The value as one line of text for people.
    pub fn display(&self) -> String {
        match self {
            FieldValue::Text(t) => t.clone(),
            FieldValue::List(items) if items.is_empty() => "(none)".into(),
            FieldValue::List(items) => items.join("; "),
            FieldValue::Flag(true) => "yes".into(),
            FieldValue::Flag(false) => "no".into(),
            FieldValue::Empty => "(not given)".into(),
        }
    }
}

/// A field with its value, in form order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldRow {
    /// Stable machine path.
    pub path: &'static str,
    /// Label for people.
    pub label: &'static str,
    /// Legal basis.
    pub basis: &'static str,
    /// Whether the field is required.
    pub required: bool,
    /// The value.
    pub value: FieldValue,
}

impl FieldRow {
    pub(crate) fn new(spec: &FieldSpec, value: FieldValue) -> FieldRow {
        FieldRow {
            path: spec.path,
            label: spec.label,
            basis: spec.basis,
            required: spec.required,
            value,
        }
    }
}

const fn req(path: &'static str, label: &'static str, basis: &'static str) -> FieldSpec {
    FieldSpec {
        path,
        label,
        basis,
        required: true,
    }
}

const fn opt(path: &'static str, label: &'static str, basis: &'static str) -> FieldSpec {
    FieldSpec {
        path,
        label,
        basis,
        required: false,
    }
}

// Identification, every stage.
pub(crate) const KIND: FieldSpec = req(
    "header.kind",
    "Type of report (vulnerability or severe incident)",
    "CRA Art. 14(1), 14(3)",
);
pub(crate) const MANUFACTURER: FieldSpec = req(
    "header.manufacturer",
    "Manufacturer (legal name)",
    "CRA Art. 14(1), 14(3) (cyres: identification)",
);
pub(crate) const CONTACT: FieldSpec = opt(
    "header.manufacturer_contact",
    "Manufacturer contact for the CSIRT",
    "cyres",
);
pub(crate) const COORDINATOR: FieldSpec = req(
    "header.coordinator",
    "Coordinator CSIRT (member state)",
    "CRA Art. 14(7)",
);
pub(crate) const PRODUCT: FieldSpec = req(
    "header.product_name",
    "Product with digital elements concerned",
    "CRA Art. 14(1), 14(3) (cyres: identification)",
);
pub(crate) const PRODUCT_IDS: FieldSpec = opt(
    "header.product_identifiers",
    "Product identifiers (purl, CPE, model)",
    "cyres",
);
pub(crate) const RELEASES: FieldSpec =
    opt("header.affected_releases", "Affected releases", "cyres");
pub(crate) const AWARE_AT: FieldSpec = req(
    "header.aware_at",
    "Time the manufacturer became aware (UTC)",
    "CRA Art. 14(2)(a), 14(4)(a)",
);
pub(crate) const CVE_IDS: FieldSpec = opt("header.cve_ids", "CVE identifiers", "cyres");
pub(crate) const ADVISORY_IDS: FieldSpec =
    opt("header.advisory_ids", "Advisory identifiers", "cyres");

/// Identification fields, in form order.
pub const HEADER: [FieldSpec; 10] = [
    KIND,
    MANUFACTURER,
    CONTACT,
    COORDINATOR,
    PRODUCT,
    PRODUCT_IDS,
    RELEASES,
    AWARE_AT,
    CVE_IDS,
    ADVISORY_IDS,
];

// Vulnerability track, Art. 14(2).
pub(crate) const V_MEMBER_STATES: FieldSpec = req(
    "content.member_states",
    "Member states where the product is made available",
    "CRA Art. 14(2)(a)",
);
pub(crate) const V_PRODUCT_INFO: FieldSpec = req(
    "content.product_information",
    "General information about the product concerned",
    "CRA Art. 14(2)(b)",
);
pub(crate) const V_EXPLOIT: FieldSpec = req(
    "content.exploit_nature",
    "General nature of the exploit",
    "CRA Art. 14(2)(b)",
);
pub(crate) const V_VULN: FieldSpec = req(
    "content.vulnerability_nature",
    "General nature of the vulnerability",
    "CRA Art. 14(2)(b)",
);
pub(crate) const V_MEASURES: FieldSpec = req(
    "content.measures_taken",
    "Corrective or mitigating measures taken",
    "CRA Art. 14(2)(b)",
);
pub(crate) const V_USER_MEASURES: FieldSpec = req(
    "content.user_measures",
    "Corrective or mitigating measures users can take",
    "CRA Art. 14(2)(b)",
);
pub(crate) const V_SENSITIVITY: FieldSpec = req(
    "content.sensitivity",
    "How sensitive the manufacturer considers the information",
    "CRA Art. 14(2)(b)",
);
pub(crate) const V_GROUNDS: FieldSpec = opt(
    "content.security_grounds",
    "Security grounds raised (particularly exceptional cases)",
    "CRA Art. 16(2), third subparagraph",
);
pub(crate) const V_DELAY: FieldSpec = opt(
    "content.delay_requested",
    "Manufacturer asks to delay dissemination",
    "CRA Art. 16(2)",
);
pub(crate) const V_DESCRIPTION: FieldSpec = req(
    "content.vulnerability_description",
    "Description of the vulnerability",
    "CRA Art. 14(2)(c)(i)",
);
pub(crate) const V_SEVERITY: FieldSpec = req(
    "content.severity",
    "Severity of the vulnerability",
    "CRA Art. 14(2)(c)(i)",
);
pub(crate) const V_IMPACT: FieldSpec = req(
    "content.impact",
    "Impact of the vulnerability",
    "CRA Art. 14(2)(c)(i)",
);
pub(crate) const V_ACTOR: FieldSpec = opt(
    "content.malicious_actor",
    "Malicious actor that exploited or exploits it (where available)",
    "CRA Art. 14(2)(c)(ii)",
);
pub(crate) const V_UPDATE: FieldSpec = req(
    "content.corrective_measures",
    "Security update or other corrective measures made available",
    "CRA Art. 14(2)(c)(iii)",
);
pub(crate) const V_UPDATE_RELEASES: FieldSpec = opt(
    "content.update_releases",
    "Releases carrying the update",
    "CRA Art. 14(2)(c)(iii)",
);
pub(crate) const V_FIX_AT: FieldSpec = opt(
    "content.fix_available_at",
    "Time the corrective or mitigating measure became available (UTC)",
    "CRA Art. 14(2)(c)",
);

// Incident track, Art. 14(4).
pub(crate) const I_SUSPECTED: FieldSpec = req(
    "content.malicious_suspected",
    "Suspected to be caused by unlawful or malicious acts",
    "CRA Art. 14(4)(a)",
);
pub(crate) const I_MEMBER_STATES: FieldSpec = req(
    "content.member_states",
    "Member states where the product is made available",
    "CRA Art. 14(4)(a)",
);
pub(crate) const I_NATURE: FieldSpec = req(
    "content.incident_nature",
    "General nature of the incident",
    "CRA Art. 14(4)(b)",
);
pub(crate) const I_ASSESSMENT: FieldSpec = req(
    "content.initial_assessment",
    "Initial assessment of the incident",
    "CRA Art. 14(4)(b)",
);
pub(crate) const I_MEASURES: FieldSpec = req(
    "content.measures_taken",
    "Corrective or mitigating measures taken",
    "CRA Art. 14(4)(b)",
);
pub(crate) const I_USER_MEASURES: FieldSpec = req(
    "content.user_measures",
    "Corrective or mitigating measures users can take",
    "CRA Art. 14(4)(b)",
);
pub(crate) const I_SENSITIVITY: FieldSpec = req(
    "content.sensitivity",
    "How sensitive the manufacturer considers the information",
    "CRA Art. 14(4)(b)",
);
pub(crate) const I_DESCRIPTION: FieldSpec = req(
    "content.incident_description",
    "Detailed description of the incident",
    "CRA Art. 14(4)(c)(i)",
);
pub(crate) const I_SEVERITY: FieldSpec = req(
    "content.severity",
    "Severity of the incident",
    "CRA Art. 14(4)(c)(i)",
);
pub(crate) const I_IMPACT: FieldSpec = req(
    "content.impact",
    "Impact of the incident",
    "CRA Art. 14(4)(c)(i)",
);
pub(crate) const I_ROOT_CAUSE: FieldSpec = req(
    "content.threat_or_root_cause",
    "Type of threat or root cause likely to have triggered it",
    "CRA Art. 14(4)(c)(ii)",
);
pub(crate) const I_APPLIED: FieldSpec = req(
    "content.mitigations_applied",
    "Mitigation measures applied",
    "CRA Art. 14(4)(c)(iii)",
);
pub(crate) const I_ONGOING: FieldSpec = opt(
    "content.mitigations_ongoing",
    "Mitigation measures ongoing",
    "CRA Art. 14(4)(c)(iii)",
);

// Intermediate report, Art. 14(6).
pub(crate) const R_STATUS: FieldSpec = req(
    "content.status_update",
    "Relevant status updates",
    "CRA Art. 14(6)",
);
pub(crate) const R_REQUESTED_AT: FieldSpec = opt(
    "content.requested_at",
    "Time the CSIRT asked for this report (UTC)",
    "CRA Art. 14(6)",
);
pub(crate) const R_REFERENCE: FieldSpec = opt(
    "content.request_reference",
    "CSIRT reference of the request",
    "CRA Art. 14(6)",
);

/// The content fields of one stage, in form order (identification fields are [`HEADER`]).
pub fn content_fields(
    kind: cyres_cra::CaseKind,
    stage: cyres_cra::StageKind,
) -> &'static [FieldSpec] {
    use cyres_cra::{CaseKind as K, StageKind as S};
    match (kind, stage) {
        (K::Vulnerability, S::EarlyWarning) => &[V_MEMBER_STATES],
        (K::Vulnerability, S::Notification) => &[
            V_PRODUCT_INFO,
            V_EXPLOIT,
            V_VULN,
            V_MEASURES,
            V_USER_MEASURES,
            V_SENSITIVITY,
            V_GROUNDS,
            V_DELAY,
        ],
        (K::Vulnerability, S::FinalReport) => &[
            V_DESCRIPTION,
            V_SEVERITY,
            V_IMPACT,
            V_ACTOR,
            V_UPDATE,
            V_UPDATE_RELEASES,
            V_FIX_AT,
        ],
        (K::Incident, S::EarlyWarning) => &[I_SUSPECTED, I_MEMBER_STATES],
        (K::Incident, S::Notification) => &[
            I_NATURE,
            I_ASSESSMENT,
            I_MEASURES,
            I_USER_MEASURES,
            I_SENSITIVITY,
            V_DELAY,
        ],
        (K::Incident, S::FinalReport) => &[
            I_DESCRIPTION,
            I_SEVERITY,
            I_IMPACT,
            I_ROOT_CAUSE,
            I_APPLIED,
            I_ONGOING,
        ],
        (_, S::IntermediateReport) => &[R_STATUS, R_REQUESTED_AT, R_REFERENCE],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cyres_cra::{CaseKind, StageKind};

    #[test]
    fn paths_are_unique_and_namespaced() {
        for kind in [CaseKind::Vulnerability, CaseKind::Incident] {
            for stage in [
                StageKind::EarlyWarning,
                StageKind::Notification,
                StageKind::IntermediateReport,
                StageKind::FinalReport,
            ] {
                let content = content_fields(kind, stage);
                assert!(!content.is_empty());
                assert!(content.iter().any(|f| f.required), "{kind:?} {stage:?}");
                let mut paths: Vec<_> = HEADER.iter().chain(content).map(|f| f.path).collect();
                let n = paths.len();
                paths.sort_unstable();
                paths.dedup();
                assert_eq!(paths.len(), n, "{kind:?} {stage:?}");
                for f in content {
                    assert!(f.path.starts_with("content."), "{}", f.path);
                    assert!(f.basis.starts_with("CRA Art. 1"), "{}", f.basis);
                }
            }
        }
        assert!(HEADER.iter().all(|f| f.path.starts_with("header.")));
    }

    /// The Regulation's required items per stage, counted from Art. 14(2), 14(4) and 14(6).
    #[test]
    fn required_content_matches_the_regulation() {
        let count = |k, s| content_fields(k, s).iter().filter(|f| f.required).count();
        use CaseKind::{Incident as I, Vulnerability as V};
        use StageKind::*;
        // (a) member states; (b) product, exploit, vulnerability, measures, user measures,
        // sensitivity; (c) description, severity, impact, update.
        assert_eq!(count(V, EarlyWarning), 1);
        assert_eq!(count(V, Notification), 6);
        assert_eq!(count(V, FinalReport), 4);
        // (a) suspected, member states; (b) nature, assessment, measures, user measures,
        // sensitivity; (c) description, severity, impact, root cause, applied mitigations.
        assert_eq!(count(I, EarlyWarning), 2);
        assert_eq!(count(I, Notification), 5);
        assert_eq!(count(I, FinalReport), 5);
        assert_eq!(count(V, IntermediateReport), 1);
        assert_eq!(count(I, IntermediateReport), 1);
    }

    #[test]
    fn values_display_for_people() {
        assert_eq!(FieldValue::Flag(true).display(), "yes");
        assert_eq!(FieldValue::List(vec![]).display(), "(none)");
        assert_eq!(
            FieldValue::List(vec!["a".into(), "b".into()]).display(),
            "a; b"
        );
        assert_eq!(FieldValue::Empty.display(), "(not given)");
        assert_eq!(serde_json::to_string(&FieldValue::Empty).unwrap(), "null");
    }
}
