//! Policies and gates: the rules a release must meet, evaluated once for `cyres scan --policy`
//! (offline) and for the platform's gate (`GET /api/v1/releases/{id}/gate`, violations on the
//! product page).
//!
//! Pure: no I/O and no clock. The caller hands over the findings and components as
//! [`FindingSubject`] / [`ComponentSubject`] and the current time as Unix seconds; the answer is
//! a [`Verdict`] naming each violation by the index of its subject, so each caller maps it back
//! to its own ids.
//!
//! # The policy file (version 1)
//!
//! TOML (`*.toml`, or any other name) or JSON (`*.json`), the same fields either way:
//!
//! ```toml
//! version = 1
//!
//! [rules]
//! # A finding rated at or above this fails (critical, high, medium, low, none).
//! severity_at_least = "high"
//! # Any actively exploited finding fails (CISA KEV / EUVD).
//! exploited = true
//! # A finding still without a decision (under investigation) this many days after it was
//! # first seen fails. Offline there is no decision history, so `cyres scan` cannot evaluate
//! # it and says so (`Verdict::not_evaluated`).
//! undecided_after_days = 30
//! # A component under one of these licences fails (SPDX identifiers, case-insensitive; every
//! # identifier of a licence expression is checked; a trailing `*` matches a prefix).
//! deny_licenses = ["AGPL-3.0-only", "GPL-3.0*"]
//! # A component with neither a package URL nor a CPE fails (it cannot be matched, so its
//! # vulnerabilities stay unknown; BSI TR-03183-2 §5.2.2 asks for one of them).
//! require_identifier = true
//! ```
//!
//! Every rule is optional; a policy without rules passes everything. Unknown fields are
//! refused, so a misspelt rule is an error and never a silently passing gate.
//!
//! Which findings count: a finding decided `not_affected` or `fixed` (CSAF/VEX status) never
//! violates a finding rule, since the manufacturer has assessed it (CRA Annex I Part II (2):
//! vulnerabilities are addressed and remediated; a justified "not affected" is an assessment).
//! `affected` and `under_investigation` findings do.

use crate::severity::Rating;
use serde::{Deserialize, Serialize};

/// The only policy file version this code reads.
pub const POLICY_VERSION: u32 = 1;

/// A policy: the rules a release must meet.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// File format version (1).
    pub version: u32,
    /// The rules.
    #[serde(default)]
    pub rules: Rules,
}

/// The rules of a [`Policy`]; each is off when absent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Findings rated at or above this fail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_at_least: Option<Rating>,
    /// Actively exploited findings fail.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exploited: bool,
    /// Findings without a decision this many days after first seen fail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undecided_after_days: Option<u32>,
    /// Components under one of these licences fail.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deny_licenses: Vec<String>,
    /// Components without a purl or CPE fail.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub require_identifier: bool,
}

/// Why a policy could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// Not valid TOML/JSON, or a field is unknown or of the wrong type.
    #[error("policy: {0}")]
    Syntax(String),
    /// A version this code does not read.
    #[error("policy: version {0} is not supported (this version reads version 1)")]
    Version(u32),
    /// A rule's value is out of range.
    #[error("policy: {0}")]
    Invalid(String),
}

impl Policy {
    /// Reads a TOML policy.
    pub fn from_toml(text: &str) -> Result<Self, PolicyError> {
        let p: Policy = toml::from_str(text).map_err(|e| PolicyError::Syntax(e.to_string()))?;
        p.checked()
    }

    /// Reads a JSON policy.
    pub fn from_json(text: &str) -> Result<Self, PolicyError> {
        let p: Policy =
            serde_json::from_str(text).map_err(|e| PolicyError::Syntax(e.to_string()))?;
        p.checked()
    }

    /// Reads a policy file by its name: `*.json` is JSON, anything else TOML.
    pub fn from_file_text(file_name: &str, text: &str) -> Result<Self, PolicyError> {
        if file_name.to_ascii_lowercase().ends_with(".json") {
            Self::from_json(text)
        } else {
            Self::from_toml(text)
        }
    }

    /// The policy as TOML (the documented file format).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// Checks the values serde cannot.
    pub fn checked(self) -> Result<Self, PolicyError> {
        if self.version != POLICY_VERSION {
            return Err(PolicyError::Version(self.version));
        }
        let r = &self.rules;
        if r.severity_at_least == Some(Rating::Unknown) {
            return Err(PolicyError::Invalid(
                "rules.severity_at_least: \"unknown\" is not a threshold (use none, low, medium, high or critical)".into(),
            ));
        }
        if let Some(d) = r.undecided_after_days
            && d > 36_500
        {
            return Err(PolicyError::Invalid(format!(
                "rules.undecided_after_days: {d} is more than 100 years"
            )));
        }
        if r.deny_licenses.len() > 1000 {
            return Err(PolicyError::Invalid(
                "rules.deny_licenses: at most 1,000 entries".into(),
            ));
        }
        for l in &r.deny_licenses {
            let l = l.trim();
            if l.is_empty() || l.len() > 200 || l.contains(char::is_whitespace) {
                return Err(PolicyError::Invalid(format!(
                    "rules.deny_licenses: {l:?} is not an SPDX licence identifier"
                )));
            }
        }
        Ok(self)
    }

    /// True when the policy has no rule at all.
    pub fn is_empty(&self) -> bool {
        self.rules == Rules::default()
    }
}

/// What the manufacturer decided about a finding (the VEX status).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// No decision yet (`under_investigation`).
    Open,
    /// Affected: still to fix.
    Affected,
    /// Assessed as not affected.
    NotAffected,
    /// Fixed.
    Fixed,
}

impl Decision {
    /// From the VEX status word (`under_investigation`, `affected`, `not_affected`, `fixed`);
    /// anything else is [`Decision::Open`].
    pub fn from_status(word: &str) -> Self {
        match word {
            "affected" => Self::Affected,
            "not_affected" => Self::NotAffected,
            "fixed" => Self::Fixed,
            _ => Self::Open,
        }
    }

    fn counts(self) -> bool {
        matches!(self, Self::Open | Self::Affected)
    }
}

/// A finding as a policy sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct FindingSubject {
    /// The advisory id (for messages).
    pub advisory_id: String,
    /// Component name (for messages).
    pub component: String,
    /// Rating.
    pub severity: Rating,
    /// Actively exploited.
    pub exploited: bool,
    /// The decision so far.
    pub decision: Decision,
    /// When the finding was first seen (Unix seconds); `None` offline.
    pub first_seen: Option<i64>,
}

/// A component as a policy sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComponentSubject {
    /// Name.
    pub name: String,
    /// Version.
    pub version: Option<String>,
    /// Has a package URL.
    pub has_purl: bool,
    /// Has a CPE.
    pub has_cpe: bool,
    /// Licences as written (identifiers or expressions).
    pub licenses: Vec<String>,
}

/// Which rule a violation breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// `severity_at_least`.
    SeverityAtLeast,
    /// `exploited`.
    Exploited,
    /// `undecided_after_days`.
    UndecidedAfterDays,
    /// `deny_licenses`.
    DenyLicenses,
    /// `require_identifier`.
    RequireIdentifier,
}

impl RuleKind {
    /// The rule's name in the policy file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SeverityAtLeast => "severity_at_least",
            Self::Exploited => "exploited",
            Self::UndecidedAfterDays => "undecided_after_days",
            Self::DenyLicenses => "deny_licenses",
            Self::RequireIdentifier => "require_identifier",
        }
    }
}

/// One broken rule: about a finding or a component (by index into the slices given to
/// [`evaluate`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The rule.
    pub rule: RuleKind,
    /// Index of the finding, for finding rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finding: Option<usize>,
    /// Index of the component, for component rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<usize>,
    /// What is wrong, for people.
    pub message: String,
}

/// The answer of a gate.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// True when no rule is broken.
    pub pass: bool,
    /// Every broken rule, findings first (in input order), then components.
    pub violations: Vec<Violation>,
    /// Rules that could not be evaluated on this input (offline: `undecided_after_days`).
    pub not_evaluated: Vec<RuleKind>,
}

const DAY: i64 = 86_400;

/// True when licence text `written` (an identifier or an SPDX expression) names an identifier
/// in `deny` (case-insensitive; a deny entry ending in `*` matches by prefix).
fn denied<'d>(written: &str, deny: &'d [String]) -> Option<&'d str> {
    // SPDX 2.3 Annex D: identifiers joined by AND, OR, WITH and parentheses.
    let ids = written
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',')
        .filter(|t| !t.is_empty())
        .filter(|t| !matches!(t.to_ascii_uppercase().as_str(), "AND" | "OR" | "WITH"));
    for id in ids {
        let id = id.to_ascii_lowercase();
        for d in deny {
            let d_low = d.trim().to_ascii_lowercase();
            let hit = match d_low.strip_suffix('*') {
                Some(prefix) => id.starts_with(prefix),
                None => id == d_low,
            };
            if hit {
                return Some(d.as_str());
            }
        }
    }
    None
}

/// Evaluates `policy` over a release's findings and components at `now` (Unix seconds).
pub fn evaluate(
    policy: &Policy,
    findings: &[FindingSubject],
    components: &[ComponentSubject],
    now: i64,
) -> Verdict {
    let r = &policy.rules;
    let mut violations = Vec::new();
    let mut not_evaluated = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        if !f.decision.counts() {
            continue;
        }
        let mut push = |rule, message| {
            violations.push(Violation {
                rule,
                finding: Some(i),
                component: None,
                message,
            })
        };
        if let Some(min) = r.severity_at_least
            && f.severity != Rating::Unknown
            && f.severity >= min
        {
            push(
                RuleKind::SeverityAtLeast,
                format!(
                    "{} in {} is rated {} (policy: {} or above fails)",
                    f.advisory_id,
                    f.component,
                    f.severity.as_str(),
                    min.as_str()
                ),
            );
        }
        if r.exploited && f.exploited {
            push(
                RuleKind::Exploited,
                format!("{} in {} is actively exploited", f.advisory_id, f.component),
            );
        }
        if let Some(days) = r.undecided_after_days
            && f.decision == Decision::Open
        {
            match f.first_seen {
                Some(seen) if now - seen > i64::from(days) * DAY => push(
                    RuleKind::UndecidedAfterDays,
                    format!(
                        "{} in {} has had no decision for {} days (policy: {days})",
                        f.advisory_id,
                        f.component,
                        (now - seen) / DAY
                    ),
                ),
                Some(_) => {}
                None => {
                    if !not_evaluated.contains(&RuleKind::UndecidedAfterDays) {
                        not_evaluated.push(RuleKind::UndecidedAfterDays);
                    }
                }
            }
        }
    }
    for (i, c) in components.iter().enumerate() {
        let label = match &c.version {
            Some(v) => format!("{}@{v}", c.name),
            None => c.name.clone(),
        };
        if !r.deny_licenses.is_empty()
            && let Some((lic, d)) = c
                .licenses
                .iter()
                .find_map(|l| denied(l, &r.deny_licenses).map(|d| (l, d)))
        {
            violations.push(Violation {
                rule: RuleKind::DenyLicenses,
                finding: None,
                component: Some(i),
                message: format!("{label} is licensed {lic} (denied: {d})"),
            });
        }
        if r.require_identifier && !c.has_purl && !c.has_cpe {
            violations.push(Violation {
                rule: RuleKind::RequireIdentifier,
                finding: None,
                component: Some(i),
                message: format!("{label} has neither a package URL nor a CPE"),
            });
        }
    }
    Verdict {
        pass: violations.is_empty(),
        violations,
        not_evaluated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(
        sev: Rating,
        exploited: bool,
        decision: Decision,
        seen: Option<i64>,
    ) -> FindingSubject {
        FindingSubject {
            advisory_id: "CVE-2024-0001".into(),
            component: "openssl".into(),
            severity: sev,
            exploited,
            decision,
            first_seen: seen,
        }
    }

    fn component(purl: bool, licenses: &[&str]) -> ComponentSubject {
        ComponentSubject {
            name: "lib".into(),
            version: Some("1.0".into()),
            has_purl: purl,
            has_cpe: false,
            licenses: licenses.iter().map(|s| s.to_string()).collect(),
        }
    }

    const FULL: &str = r#"
version = 1
[rules]
severity_at_least = "high"
exploited = true
undecided_after_days = 30
deny_licenses = ["AGPL-3.0-only", "GPL-3.0*"]
require_identifier = true
"#;

    #[test]
    fn toml_and_json_read_the_same_policy() {
        let t = Policy::from_toml(FULL).unwrap();
        let j = Policy::from_json(&serde_json::to_string(&t).unwrap()).unwrap();
        assert_eq!(t, j);
        assert_eq!(Policy::from_toml(&t.to_toml()).unwrap(), t);
        assert_eq!(t.rules.severity_at_least, Some(Rating::High));
        assert_eq!(
            Policy::from_file_text("p.JSON", r#"{"version":1}"#).unwrap(),
            Policy {
                version: 1,
                rules: Rules::default()
            }
        );
    }

    #[test]
    fn bad_policies_name_the_problem() {
        let e =
            Policy::from_toml("version = 1\n[rules]\nseverity_at_leest = \"high\"\n").unwrap_err();
        assert!(e.to_string().contains("severity_at_leest"), "{e}");
        assert_eq!(
            Policy::from_toml("version = 2").unwrap_err(),
            PolicyError::Version(2)
        );
        let e = Policy::from_toml("version = 1\n[rules]\nseverity_at_least = \"unknown\"\n")
            .unwrap_err();
        assert!(e.to_string().contains("severity_at_least"), "{e}");
        let e =
            Policy::from_toml("version = 1\n[rules]\ndeny_licenses = [\"GPL 3\"]\n").unwrap_err();
        assert!(e.to_string().contains("deny_licenses"), "{e}");
    }

    #[test]
    fn each_finding_rule_fires_and_decided_findings_do_not() {
        let p = Policy::from_toml(FULL).unwrap();
        let now = 100 * DAY;
        let fs = [
            finding(Rating::Critical, false, Decision::Affected, Some(now)),
            finding(Rating::Medium, true, Decision::Affected, Some(now)),
            finding(Rating::Low, false, Decision::Open, Some(now - 31 * DAY)),
            finding(Rating::Low, false, Decision::Open, Some(now - 29 * DAY)),
            finding(Rating::Critical, true, Decision::NotAffected, Some(0)),
            finding(Rating::Critical, true, Decision::Fixed, Some(0)),
            finding(Rating::Unknown, false, Decision::Affected, Some(now)),
        ];
        let v = evaluate(&p, &fs, &[], now);
        assert!(!v.pass);
        let got: Vec<(RuleKind, Option<usize>)> =
            v.violations.iter().map(|v| (v.rule, v.finding)).collect();
        assert_eq!(
            got,
            vec![
                (RuleKind::SeverityAtLeast, Some(0)),
                (RuleKind::Exploited, Some(1)),
                (RuleKind::UndecidedAfterDays, Some(2)),
            ]
        );
        assert!(v.violations[2].message.contains("31 days"));
        assert!(v.not_evaluated.is_empty());
    }

    #[test]
    fn offline_findings_leave_the_age_rule_not_evaluated() {
        let p = Policy::from_toml(FULL).unwrap();
        let v = evaluate(
            &p,
            &[finding(Rating::Low, false, Decision::Open, None)],
            &[],
            0,
        );
        assert!(v.pass);
        assert_eq!(v.not_evaluated, vec![RuleKind::UndecidedAfterDays]);
    }

    #[test]
    fn component_rules() {
        let p = Policy::from_toml(FULL).unwrap();
        let cs = [
            component(true, &["MIT"]),
            component(true, &["(MIT OR agpl-3.0-only)"]),
            component(true, &["GPL-3.0-or-later WITH Classpath-exception-2.0"]),
            component(false, &["Apache-2.0"]),
            component(true, &["LGPL-3.0-only"]),
        ];
        let v = evaluate(&p, &[], &cs, 0);
        let got: Vec<(RuleKind, Option<usize>)> =
            v.violations.iter().map(|v| (v.rule, v.component)).collect();
        assert_eq!(
            got,
            vec![
                (RuleKind::DenyLicenses, Some(1)),
                (RuleKind::DenyLicenses, Some(2)),
                (RuleKind::RequireIdentifier, Some(3)),
            ]
        );
        assert!(v.violations[0].message.contains("denied: AGPL-3.0-only"));
    }

    #[test]
    fn an_empty_policy_passes_everything() {
        let p = Policy::from_toml("version = 1").unwrap();
        assert!(p.is_empty());
        let v = evaluate(
            &p,
            &[finding(Rating::Critical, true, Decision::Open, Some(0))],
            &[component(false, &["AGPL-3.0-only"])],
            10 * 365 * DAY,
        );
        assert!(v.pass && v.violations.is_empty());
    }
}
