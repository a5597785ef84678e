//! The Article 14 case: what the manufacturer knows about one actively exploited vulnerability
//! or one severe incident, and what it has already reported.
//!
//! A case is the single source every report stage, the user notice and the clocks are drawn
//! from (issue #6, "Cases"). It holds facts, not rules: the deadlines come from
//! [`cyres_cra::deadlines()`] through [`Case::times`], the coordinator CSIRT from
//! [`cyres_cra::coordinator`] through [`Case::coordinator`].
//!
//! - **Awareness** starts every clock (CRA Art. 14(2)(a), 14(4)(a)); the Regulation does not
//!   define it further (docs/cra.md §8), so the case records the time a person confirmed it.
//! - **Evidence ledger**: "actively exploited" needs *reliable evidence* that a malicious actor
//!   exploited the vulnerability without the owner's permission (Art. 3(42)); each entry says
//!   where the evidence came from, when, and who recorded it.
//! - **Member states where the product is available** feed the early warning (Art. 14(2)(a),
//!   14(4)(a)) and the coordinator's forwarding (Art. 16(2)).
//! - **Sensitivity** and **security grounds** are what the manufacturer indicates in the 72-hour
//!   notification (Art. 14(2)(b), Art. 16(2) third subparagraph).
//!
//! All times are stored in UTC.

use crate::ReportError;
use cyres_cra::{
    CaseKind, CaseTimes, Category, CoordinatorCsirt, Deadlines, EnterpriseSize, Establishment,
    MemberState, StageKind,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use time::OffsetDateTime;

/// Where a piece of evidence came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceSource {
    /// CISA's Known Exploited Vulnerabilities catalogue.
    Kev,
    /// ENISA's European Vulnerability Database (`exploitedSince`, NIS2 Art. 12(2)); a triage
    /// signal rather than proof (docs/cra.md, "EUVD sync").
    Euvd,
    /// The manufacturer's own telemetry, logs or monitoring.
    OwnTelemetry,
    /// A security researcher or other third party (including an Art. 15 voluntary report).
    Researcher,
    /// A CSIRT or other authority.
    Csirt,
    /// Anything else (customer report, threat-intelligence vendor); say what in the reference.
    Other,
}

impl EvidenceSource {
    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceSource::Kev => "kev",
            EvidenceSource::Euvd => "euvd",
            EvidenceSource::OwnTelemetry => "own-telemetry",
            EvidenceSource::Researcher => "researcher",
            EvidenceSource::Csirt => "csirt",
            EvidenceSource::Other => "other",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            EvidenceSource::Kev => "CISA KEV catalogue",
            EvidenceSource::Euvd => "EUVD (ENISA)",
            EvidenceSource::OwnTelemetry => "own telemetry",
            EvidenceSource::Researcher => "researcher",
            EvidenceSource::Csirt => "CSIRT",
            EvidenceSource::Other => "other",
        }
    }
}

/// One entry of a case's evidence ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// Where it came from.
    pub source: EvidenceSource,
    /// When the evidence was observed or received.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// A reference: KEV entry, EUVD id, ticket, log query, e-mail message id.
    pub reference: String,
    /// Who recorded it (a user name).
    pub recorded_by: String,
    /// Free text.
    #[serde(default)]
    pub note: Option<String>,
}

/// Severity scale used in reports, notices and the systemic-risk assessment. Ordered from least
/// to most severe. The bands follow CVSS qualitative ratings so a CVSS score maps onto them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SeverityLevel {
    /// CVSS 0.1–3.9.
    Low,
    /// CVSS 4.0–6.9.
    Medium,
    /// CVSS 7.0–8.9.
    High,
    /// CVSS 9.0–10.0.
    Critical,
}

impl SeverityLevel {
    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            SeverityLevel::Low => "low",
            SeverityLevel::Medium => "medium",
            SeverityLevel::High => "high",
            SeverityLevel::Critical => "critical",
        }
    }

    /// The qualitative band of a CVSS base score (v3.x and v4.0 use the same bands). `None` for
    /// 0.0 ("none") and for values outside 0–10.
    pub fn from_cvss(score: f64) -> Option<SeverityLevel> {
        match score {
            s if !(0.0..=10.0).contains(&s) || s == 0.0 => None,
            s if s < 4.0 => Some(SeverityLevel::Low),
            s if s < 7.0 => Some(SeverityLevel::Medium),
            s if s < 9.0 => Some(SeverityLevel::High),
            _ => Some(SeverityLevel::Critical),
        }
    }
}

impl fmt::Display for SeverityLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A severity assessment: the band, and the CVSS score and vector when there is one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Severity {
    /// Qualitative band.
    pub level: SeverityLevel,
    /// CVSS base score, if scored.
    #[serde(default)]
    pub cvss_score: Option<f64>,
    /// CVSS vector string, if scored.
    #[serde(default)]
    pub cvss_vector: Option<String>,
}

impl Severity {
    /// One line for reports ("critical (CVSS 9.8, CVSS:3.1/AV:N/…)").
    pub fn describe(&self) -> String {
        match (&self.cvss_score, &self.cvss_vector) {
            (Some(s), Some(v)) => format!("{} (CVSS {s:.1}, {v})", self.level),
            (Some(s), None) => format!("{} (CVSS {s:.1})", self.level),
            _ => self.level.to_string(),
        }
    }
}

/// How sensitive the manufacturer considers the notified information to be (CRA Art. 14(2)(b),
/// 14(4)(b)). The Regulation fixes no scale and the SRP's own field is not public (docs/cra.md
/// §11), so cyres uses the Traffic Light Protocol 2.0 that CSIRTs already share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Sensitivity {
    /// TLP:CLEAR, no limit on disclosure.
    #[serde(rename = "tlp:clear")]
    Clear,
    /// TLP:GREEN, the community.
    #[serde(rename = "tlp:green")]
    Green,
    /// TLP:AMBER, need-to-know within recipient organisations and their clients.
    #[serde(rename = "tlp:amber")]
    Amber,
    /// TLP:AMBER+STRICT, need-to-know within recipient organisations only.
    #[serde(rename = "tlp:amber+strict")]
    AmberStrict,
    /// TLP:RED, named recipients only.
    #[serde(rename = "tlp:red")]
    Red,
}

impl Sensitivity {
    /// The TLP label (`TLP:AMBER+STRICT`).
    pub fn label(self) -> &'static str {
        match self {
            Sensitivity::Clear => "TLP:CLEAR",
            Sensitivity::Green => "TLP:GREEN",
            Sensitivity::Amber => "TLP:AMBER",
            Sensitivity::AmberStrict => "TLP:AMBER+STRICT",
            Sensitivity::Red => "TLP:RED",
        }
    }
}

/// The "particularly exceptional" security grounds a manufacturer may indicate in the 72-hour
/// vulnerability notification (CRA Art. 16(2), third subparagraph, points (a)–(c)). While they
/// hold, ENISA first receives only the limited fields ([`crate::authority::LimitedView`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecurityGround {
    /// (a) exploited, as far as known, only in the member state of the coordinator CSIRT.
    ExploitedOnlyInCoordinatorState,
    /// (b) further dissemination would disclose information contrary to that member state's
    /// essential (national security) interests.
    EssentialSecurityInterests,
    /// (c) further dissemination poses an imminent high cybersecurity risk.
    ImminentHighRisk,
}

impl SecurityGround {
    /// A label for people, with its legal basis.
    pub fn label(self) -> &'static str {
        match self {
            SecurityGround::ExploitedOnlyInCoordinatorState => {
                "exploited only in the coordinator's member state (Art. 16(2), third subparagraph, point (a))"
            }
            SecurityGround::EssentialSecurityInterests => {
                "dissemination contrary to essential security interests (Art. 16(2), third subparagraph, point (b))"
            }
            SecurityGround::ImminentHighRisk => {
                "dissemination poses an imminent high cybersecurity risk (Art. 16(2), third subparagraph, point (c))"
            }
        }
    }
}

/// Why an incident is severe (CRA Art. 14(5)); at least one must hold for Art. 14(3) to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SevereGround {
    /// (a) it harms, or could harm, the product's protection of the availability, authenticity,
    /// integrity or confidentiality of sensitive or important data or functions.
    SensitiveDataOrFunctions,
    /// (b) it led, or could lead, to malicious code in the product or in users' systems.
    MaliciousCode,
}

/// The manufacturer and the facts Art. 14(7) routes on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manufacturer {
    /// Legal name.
    pub name: String,
    /// Contact for the CSIRT (e-mail or URL), if known.
    #[serde(default)]
    pub contact: Option<String>,
    /// Establishment facts for the coordinator CSIRT (Art. 14(7)).
    #[serde(default)]
    pub establishment: Establishment,
    /// Enterprise size, for the Art. 64(10)(a) note on the early warning.
    #[serde(default)]
    pub enterprise_size: Option<EnterpriseSize>,
}

/// The product concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// Stable id of the product in the platform.
    pub id: String,
    /// Name as sold.
    pub name: String,
    /// Short description ("home Wi-Fi router", "baby monitor with camera and app").
    #[serde(default)]
    pub description: Option<String>,
    /// CRA category (Art. 7, 8), from `cyres-cra` classification.
    pub category: Category,
    /// Identifiers: purl, CPE, model number.
    #[serde(default)]
    pub identifiers: Vec<String>,
    /// Member states where the manufacturer knows the product is made available.
    #[serde(default)]
    pub member_states: BTreeSet<MemberState>,
    /// Estimated number of users in the Union, if known.
    #[serde(default)]
    pub estimated_users: Option<u64>,
}

/// A corrective or mitigating measure that became available (starts the vulnerability
/// final-report clock, Art. 14(2)(c)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// When it became available to users.
    #[serde(with = "time::serde::rfc3339")]
    pub available_at: OffsetDateTime,
    /// What it is ("firmware 2.4.1 removes the debug endpoint").
    pub description: String,
    /// Releases that carry it.
    #[serde(default)]
    pub releases: Vec<String>,
}

/// A coordinator CSIRT's request for an intermediate report (Art. 14(6)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntermediateRequest {
    /// When it was asked for.
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
    /// The authority's reference, if any.
    #[serde(default)]
    pub reference: Option<String>,
    /// What the CSIRT asked about.
    #[serde(default)]
    pub note: Option<String>,
}

/// A report the manufacturer has submitted (or recorded by hand after using the SRP portal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    /// Which stage.
    pub stage: StageKind,
    /// Revision of that stage (1 for the first submission, higher for corrections).
    pub revision: u32,
    /// When it was submitted.
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    /// The authority's or SRP's reference, if known.
    #[serde(default)]
    pub reference: Option<String>,
}

/// One Art. 14 case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// Stable case id.
    pub id: String,
    /// Vulnerability or severe incident.
    pub kind: CaseKind,
    /// A short title ("Authentication bypass in R7 router web UI").
    pub title: String,
    /// Who reports.
    pub manufacturer: Manufacturer,
    /// What is affected.
    pub product: Product,
    /// Affected releases of the product.
    #[serde(default)]
    pub affected_releases: Vec<String>,
    /// Components at fault (purls), for the cross-report view of ENISA.
    #[serde(default)]
    pub components: Vec<String>,
    /// When the manufacturer became aware; every clock starts here.
    #[serde(with = "time::serde::rfc3339")]
    pub aware_at: OffsetDateTime,
    /// Evidence ledger, oldest first.
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    /// CVE ids.
    #[serde(default)]
    pub cve_ids: Vec<String>,
    /// Advisory ids (own advisories, GHSA, EUVD).
    #[serde(default)]
    pub advisory_ids: Vec<String>,
    /// Severity, once assessed.
    #[serde(default)]
    pub severity: Option<Severity>,
    /// Description of the vulnerability or incident.
    #[serde(default)]
    pub description: Option<String>,
    /// General nature of the exploit (vulnerabilities) or of the incident.
    #[serde(default)]
    pub nature: Option<String>,
    /// Initial assessment (incidents, Art. 14(4)(b)).
    #[serde(default)]
    pub initial_assessment: Option<String>,
    /// Impact.
    #[serde(default)]
    pub impact: Option<String>,
    /// Why the incident is severe (Art. 14(5)); empty for vulnerabilities.
    #[serde(default)]
    pub severe_grounds: BTreeSet<SevereGround>,
    /// Whether unlawful or malicious acts are suspected (incidents, Art. 14(4)(a)).
    #[serde(default)]
    pub malicious_suspected: Option<bool>,
    /// What is known about the malicious actor (Art. 14(2)(c)(ii)).
    #[serde(default)]
    pub malicious_actor: Option<String>,
    /// Type of threat or root cause (incidents, Art. 14(4)(c)(ii)).
    #[serde(default)]
    pub root_cause: Option<String>,
    /// Corrective or mitigating measures the manufacturer has taken.
    #[serde(default)]
    pub measures_taken: Vec<String>,
    /// Corrective or mitigating measures users can take.
    #[serde(default)]
    pub user_measures: Vec<String>,
    /// Mitigations still ongoing (incidents, Art. 14(4)(c)(iii)).
    #[serde(default)]
    pub ongoing_measures: Vec<String>,
    /// The fix or mitigation, once available.
    #[serde(default)]
    pub fix: Option<Fix>,
    /// Releases that fix it (may be set before the fix is out).
    #[serde(default)]
    pub fixed_releases: Vec<String>,
    /// Sensitivity of the notified information, as the manufacturer considers it.
    #[serde(default)]
    pub sensitivity: Option<Sensitivity>,
    /// Art. 16(2) third-subparagraph grounds the manufacturer raises.
    #[serde(default)]
    pub security_grounds: BTreeSet<SecurityGround>,
    /// The manufacturer asks the coordinator to delay dissemination (Art. 16(2)).
    #[serde(default)]
    pub delay_requested: bool,
    /// Status updates, newest last (for intermediate reports).
    #[serde(default)]
    pub status_updates: Vec<String>,
    /// Intermediate-report requests (Art. 14(6)), oldest first.
    #[serde(default)]
    pub intermediate_requests: Vec<IntermediateRequest>,
    /// Submissions, oldest first.
    #[serde(default)]
    pub submissions: Vec<Submission>,
    /// The early warning already carried the notification's content (Art. 14(2)(b) "unless").
    #[serde(default)]
    pub early_warning_covers_notification: bool,
    /// The notification already carried the final report's content (Art. 14(2)(c) "unless").
    #[serde(default)]
    pub notification_covers_final: bool,
    /// Whether and when users were informed (Art. 14(8)); `None` while they have not been.
    #[serde(default)]
    pub users_informed: Option<UsersInformed>,
}

/// Who informed the users (Art. 14(8)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InformedBy {
    /// The manufacturer (Art. 14(8), first subparagraph).
    Manufacturer,
    /// The coordinator CSIRT, where the manufacturer failed to inform them in a timely manner
    /// (Art. 14(8), second subparagraph, after consulting the manufacturer, "may").
    Csirt,
}

/// The record that users were informed of the vulnerability or incident (Art. 14(8)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersInformed {
    /// When the first notice reached users (publication time).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// By whom.
    pub by: InformedBy,
    /// The notice id, when cyres published it.
    #[serde(default)]
    pub notice_id: Option<String>,
    /// Whether the notice already named risk mitigation or corrective measures (Art. 14(8):
    /// "where necessary"; a notice without them is allowed and needed).
    pub measures_included: bool,
}

impl Case {
    /// A new case with only the facts known at confirmation; everything else empty.
    pub fn new(
        id: impl Into<String>,
        kind: CaseKind,
        title: impl Into<String>,
        manufacturer: Manufacturer,
        product: Product,
        aware_at: OffsetDateTime,
    ) -> Case {
        Case {
            id: id.into(),
            kind,
            title: title.into(),
            manufacturer,
            product,
            affected_releases: Vec::new(),
            components: Vec::new(),
            aware_at: aware_at.to_offset(time::UtcOffset::UTC),
            evidence: Vec::new(),
            cve_ids: Vec::new(),
            advisory_ids: Vec::new(),
            severity: None,
            description: None,
            nature: None,
            initial_assessment: None,
            impact: None,
            severe_grounds: BTreeSet::new(),
            malicious_suspected: None,
            malicious_actor: None,
            root_cause: None,
            measures_taken: Vec::new(),
            user_measures: Vec::new(),
            ongoing_measures: Vec::new(),
            fix: None,
            fixed_releases: Vec::new(),
            sensitivity: None,
            security_grounds: BTreeSet::new(),
            delay_requested: false,
            status_updates: Vec::new(),
            intermediate_requests: Vec::new(),
            submissions: Vec::new(),
            early_warning_covers_notification: false,
            notification_covers_final: false,
            users_informed: None,
        }
    }

    /// The first submission of a stage, if any (the one the clock judges).
    pub fn first_submission(&self, stage: StageKind) -> Option<&Submission> {
        self.submissions
            .iter()
            .filter(|s| s.stage == stage)
            .min_by_key(|s| s.submitted_at)
    }

    /// The revision the next report of `stage` carries: 1 + the highest submitted revision.
    pub fn next_revision(&self, stage: StageKind) -> u32 {
        self.submissions
            .iter()
            .filter(|s| s.stage == stage)
            .map(|s| s.revision)
            .max()
            .map_or(1, |r| r.saturating_add(1))
    }

    /// Whether the evidence ledger holds anything besides triage signals (EUVD alone is a
    /// signal, not proof, docs/cra.md "EUVD sync").
    pub fn has_reliable_evidence(&self) -> bool {
        self.evidence
            .iter()
            .any(|e| e.source != EvidenceSource::Euvd)
    }

    /// The case as `cyres-cra` clock input. Intermediate report: the latest request, and the
    /// first intermediate submission at or after it.
    pub fn times(&self) -> CaseTimes {
        let at = |stage| self.first_submission(stage).map(|s| s.submitted_at);
        let request = self
            .intermediate_requests
            .iter()
            .map(|r| r.requested_at)
            .max();
        let intermediate_submitted_at = request.and_then(|req| {
            self.submissions
                .iter()
                .filter(|s| s.stage == StageKind::IntermediateReport && s.submitted_at >= req)
                .map(|s| s.submitted_at)
                .min()
        });
        CaseTimes {
            kind: self.kind,
            aware_at: self.aware_at,
            fix_available_at: self.fix.as_ref().map(|f| f.available_at),
            early_warning_submitted_at: at(StageKind::EarlyWarning),
            notification_submitted_at: at(StageKind::Notification),
            intermediate_requested_at: request,
            intermediate_submitted_at,
            final_submitted_at: at(StageKind::FinalReport),
            early_warning_covers_notification: self.early_warning_covers_notification,
            notification_covers_final: self.notification_covers_final,
            enterprise_size: self.manufacturer.enterprise_size,
        }
    }

    /// The Art. 14 stages at `now`, computed by `cyres-cra` from the stored times only (so they
    /// never depend on a server having been up).
    pub fn deadlines(&self, now: OffsetDateTime) -> Result<Deadlines, ReportError> {
        cyres_cra::deadlines(&self.times(), now).map_err(|source| ReportError::Cra {
            case_id: self.id.clone(),
            source,
        })
    }

    /// The coordinator CSIRT (Art. 14(7)), from the manufacturer's establishment facts.
    pub fn coordinator(&self) -> Result<CoordinatorCsirt, ReportError> {
        cyres_cra::coordinator(&self.manufacturer.establishment).map_err(|source| {
            ReportError::Cra {
                case_id: self.id.clone(),
                source,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn case() -> Case {
        Case::new(
            "c",
            CaseKind::Vulnerability,
            "t",
            Manufacturer {
                name: "m".into(),
                contact: None,
                establishment: Establishment::default(),
                enterprise_size: Some(EnterpriseSize::Micro),
            },
            Product {
                id: "p".into(),
                name: "p".into(),
                description: None,
                category: Category::Default,
                identifiers: vec![],
                member_states: BTreeSet::new(),
                estimated_users: None,
            },
            datetime!(2026-10-05 11:30 +02:00),
        )
    }

    #[test]
    fn cvss_bands() {
        for (score, band) in [
            (0.0, None),
            (0.1, Some(SeverityLevel::Low)),
            (3.9, Some(SeverityLevel::Low)),
            (4.0, Some(SeverityLevel::Medium)),
            (6.9, Some(SeverityLevel::Medium)),
            (7.0, Some(SeverityLevel::High)),
            (8.9, Some(SeverityLevel::High)),
            (9.0, Some(SeverityLevel::Critical)),
            (10.0, Some(SeverityLevel::Critical)),
            (10.1, None),
            (-1.0, None),
            (f64::NAN, None),
        ] {
            assert_eq!(SeverityLevel::from_cvss(score), band, "{score}");
        }
    }

    #[test]
    fn awareness_is_stored_in_utc() {
        assert_eq!(case().aware_at, datetime!(2026-10-05 09:30 UTC));
        assert_eq!(case().aware_at.offset(), time::UtcOffset::UTC);
    }

    #[test]
    fn times_take_first_submissions_and_the_latest_request() {
        let mut c = case();
        let sub = |stage, revision, at| Submission {
            stage,
            revision,
            submitted_at: at,
            reference: None,
        };
        c.submissions = vec![
            sub(StageKind::EarlyWarning, 2, datetime!(2026-10-05 20:00 UTC)),
            sub(StageKind::EarlyWarning, 1, datetime!(2026-10-05 12:00 UTC)),
            sub(
                StageKind::IntermediateReport,
                1,
                datetime!(2026-10-09 08:00 UTC),
            ),
            sub(
                StageKind::IntermediateReport,
                2,
                datetime!(2026-10-12 08:00 UTC),
            ),
        ];
        c.intermediate_requests = vec![
            IntermediateRequest {
                requested_at: datetime!(2026-10-08 08:00 UTC),
                reference: None,
                note: None,
            },
            IntermediateRequest {
                requested_at: datetime!(2026-10-10 08:00 UTC),
                reference: None,
                note: None,
            },
        ];
        let t = c.times();
        assert_eq!(
            t.early_warning_submitted_at,
            Some(datetime!(2026-10-05 12:00 UTC))
        );
        assert_eq!(
            t.intermediate_requested_at,
            Some(datetime!(2026-10-10 08:00 UTC))
        );
        // The report of 9 October answered the first request, not the second.
        assert_eq!(
            t.intermediate_submitted_at,
            Some(datetime!(2026-10-12 08:00 UTC))
        );
        assert_eq!(t.enterprise_size, Some(EnterpriseSize::Micro));
        assert_eq!(c.next_revision(StageKind::EarlyWarning), 3);
        assert_eq!(c.next_revision(StageKind::FinalReport), 1);
        // The Art. 64(10)(a) note reaches the early warning through cyres-cra.
        let d = c.deadlines(datetime!(2026-10-13 00:00 UTC)).unwrap();
        assert!(
            d.stages[0]
                .notes
                .iter()
                .any(|n| n.contains("Art. 64(10)(a)"))
        );
    }

    #[test]
    fn euvd_alone_is_not_reliable_evidence() {
        let mut c = case();
        assert!(!c.has_reliable_evidence());
        let entry = |source| Evidence {
            source,
            at: datetime!(2026-10-05 08:00 UTC),
            reference: "r".into(),
            recorded_by: "u".into(),
            note: None,
        };
        c.evidence.push(entry(EvidenceSource::Euvd));
        assert!(!c.has_reliable_evidence());
        c.evidence.push(entry(EvidenceSource::OwnTelemetry));
        assert!(c.has_reliable_evidence());
        let json = serde_json::to_string(&c.evidence).unwrap();
        assert!(json.contains("\"euvd\"") && json.contains("\"own-telemetry\""));
    }

    #[test]
    fn coordinator_error_names_the_case() {
        let err = case().coordinator().unwrap_err();
        assert!(err.to_string().starts_with("case c: routing:"), "{err}");
    }
}
