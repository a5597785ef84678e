//! Public intake of vulnerability reports, on two channels ([`IntakeChannel`]):
//!
//! - **Art. 15 voluntary notifications** go "to a CSIRT designated as coordinator or ENISA"
//!   (Art. 15(1)–(2)), never to the manufacturer directly: anyone may notify vulnerabilities,
//!   cyber threats, incidents and near misses. The CSIRT informs the manufacturer without undue
//!   delay of third-party notifications of actively exploited vulnerabilities and severe
//!   incidents (Art. 15(4)); notifiers stay confidential and take on no obligations they would
//!   not have had without notifying (Art. 15(5), 17(4)). This is the authority side's public
//!   intake (a CSIRT or ENISA instance).
//! - **Coordinated vulnerability disclosure** at the manufacturer: the reporting contact and CVD
//!   policy of Annex I Part II points (5)–(6) (and Annex II point 2). Reports there are not
//!   Art. 15 notifications, whatever they contain.
//!
//! The validation below is the same for both (docs/cra.md §8). The intake form and API are public, so [`intake`] treats every byte as
//! hostile: required fields, size limits on every field and list ([`IntakeLimits`]), no control
//! characters, identifiers in their expected shape. It names every problem at once and never
//! panics. A valid submission becomes a [`CaseProposal`] for a person at the manufacturer to
//! confirm; the reporter's contact stays in the proposal's confidential part.

use crate::ReportError;
use crate::case::{Case, Evidence, EvidenceSource, Manufacturer, Product};
use cyres_cra::{CaseKind, MemberState};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use time::OffsetDateTime;

/// Where a public report was submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IntakeChannel {
    /// A voluntary notification to a CSIRT designated as coordinator or ENISA (Art. 15(1)–(2)).
    Art15Voluntary,
    /// The manufacturer's coordinated vulnerability disclosure intake (Annex I Part II (5)–(6)).
    CoordinatedDisclosure,
}

impl IntakeChannel {
    /// The provision the channel rests on.
    pub fn basis(self) -> &'static str {
        match self {
            IntakeChannel::Art15Voluntary => "CRA Art. 15(1)-(2)",
            IntakeChannel::CoordinatedDisclosure => "CRA Annex I, Part II, points (5)-(6)",
        }
    }

    /// The form's title.
    pub fn title(self) -> &'static str {
        match self {
            IntakeChannel::Art15Voluntary => {
                "Voluntary notification to the CSIRT (Cyber Resilience Act, Article 15)"
            }
            IntakeChannel::CoordinatedDisclosure => {
                "Report a vulnerability to the manufacturer (coordinated vulnerability disclosure)"
            }
        }
    }

    /// What the reporter is promised, with the provision.
    pub fn protections(self) -> &'static str {
        match self {
            IntakeChannel::Art15Voluntary => {
                "Your identity is kept confidential, and notifying imposes no obligation on you that you would not have had otherwise (CRA Art. 15(5), 17(4)). If you report an actively exploited vulnerability or a severe incident, the CSIRT informs the manufacturer without undue delay (Art. 15(4))."
            }
            IntakeChannel::CoordinatedDisclosure => {
                "Your report goes to the manufacturer's vulnerability handling team under its coordinated vulnerability disclosure policy (CRA Annex I, Part II, points (5)-(6)); your contact details are seen only by its case handlers. To notify a CSIRT instead, use the Article 15 voluntary notification of a CSIRT designated as coordinator or ENISA."
            }
        }
    }
}

/// What is reported (Art. 15(1)–(2)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VoluntaryKind {
    /// A vulnerability.
    Vulnerability,
    /// A cyber threat.
    CyberThreat,
    /// An incident.
    Incident,
    /// A near miss.
    NearMiss,
}

/// A public submission, as received (untrusted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VoluntarySubmission {
    /// What is reported.
    pub kind: Option<VoluntaryKind>,
    /// Manufacturer concerned.
    pub manufacturer: String,
    /// Product concerned.
    pub product: String,
    /// Product version(s), if known.
    pub versions: Vec<String>,
    /// One-line summary.
    pub title: String,
    /// Full description.
    pub description: String,
    /// Whether the reporter has seen it exploited.
    pub exploited: Option<bool>,
    /// CVE ids, if any.
    pub cve_ids: Vec<String>,
    /// References (URLs, ids).
    pub references: Vec<String>,
    /// Member states where the reporter saw it.
    pub member_states: Vec<String>,
    /// Reporter's name (optional: anonymous reports are allowed).
    pub reporter_name: Option<String>,
    /// Reporter's contact (e-mail or URL), optional.
    pub reporter_contact: Option<String>,
}

/// Size limits of the public intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IntakeLimits {
    /// Manufacturer, product, reporter name: characters.
    pub name_chars: usize,
    /// Title: characters.
    pub title_chars: usize,
    /// Description: characters.
    pub description_chars: usize,
    /// Minimum description length, so "it is broken" is not a report.
    pub description_min_chars: usize,
    /// Each list (versions, CVE ids, references, member states): entries.
    pub list_entries: usize,
    /// Each list entry: characters.
    pub entry_chars: usize,
    /// Whole submission, serialised: bytes (the server checks the body size before parsing).
    pub total_bytes: usize,
}

impl Default for IntakeLimits {
    fn default() -> IntakeLimits {
        IntakeLimits {
            name_chars: 200,
            title_chars: 200,
            description_chars: 20_000,
            description_min_chars: 20,
            list_entries: 50,
            entry_chars: 500,
            total_bytes: 64 * 1024,
        }
    }
}

/// A problem with a submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IntakeProblem {
    /// Machine path (`description`, `cve_ids[2]`).
    pub path: String,
    /// What is wrong, for people.
    pub message: String,
}

/// The confidential part: only the manufacturer's case handlers see it (Art. 15: reporters
/// stay confidential).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reporter {
    /// Name, if given.
    pub name: Option<String>,
    /// Contact, if given.
    pub contact: Option<String>,
}

/// A case proposal for the manufacturer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseProposal {
    /// What was reported.
    pub reported_kind: VoluntaryKind,
    /// The Art. 14 track it may lead to: a vulnerability reported as exploited, or an incident.
    /// `None` for threats, near misses and unexploited vulnerabilities (still handled under
    /// Annex I Part II, but no Art. 14 clock).
    pub suggested_case: Option<CaseKind>,
    /// Whether the manufacturer must be told: a third-party notification of an actively
    /// exploited vulnerability or a (severe) incident (Art. 15(4)); on the CVD channel the
    /// manufacturer receives every report anyway.
    pub notify_manufacturer: bool,
    /// Manufacturer named.
    pub manufacturer: String,
    /// Product named.
    pub product: String,
    /// Versions.
    pub versions: Vec<String>,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// CVE ids, upper case.
    pub cve_ids: Vec<String>,
    /// References.
    pub references: Vec<String>,
    /// Member states.
    pub member_states: BTreeSet<MemberState>,
    /// The evidence ledger entry this submission becomes once the case is confirmed.
    pub evidence: Evidence,
    /// Confidential reporter details.
    pub reporter: Reporter,
    /// When received.
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
}

fn is_cve(id: &str) -> bool {
    let mut parts = id.splitn(3, '-');
    let (Some(p), Some(y), Some(n)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    p.eq_ignore_ascii_case("CVE")
        && y.len() == 4
        && y.bytes().all(|b| b.is_ascii_digit())
        && n.len() >= 4
        && n.len() <= 19
        && n.bytes().all(|b| b.is_ascii_digit())
}

struct Checker<'l> {
    limits: &'l IntakeLimits,
    problems: Vec<IntakeProblem>,
}

impl Checker<'_> {
    fn problem(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(IntakeProblem {
            path: path.into(),
            message: message.into(),
        });
    }

    /// Trims, checks length and characters; `multiline` allows newlines and tabs.
    fn text(&mut self, path: &str, value: &str, max: usize, multiline: bool) -> String {
        let t = value.trim();
        let chars = t.chars().count();
        if chars > max {
            self.problem(path, format!("at most {max} characters ({chars} given)"));
        }
        if t.chars()
            .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t' || c == '\r')))
        {
            self.problem(path, "contains control characters");
        }
        t.to_string()
    }

    fn required(&mut self, path: &str, value: &str, max: usize, multiline: bool) -> String {
        let t = self.text(path, value, max, multiline);
        if t.is_empty() {
            self.problem(path, "required");
        }
        t
    }

    fn list(&mut self, path: &str, items: &[String]) -> Vec<String> {
        if items.len() > self.limits.list_entries {
            self.problem(
                path,
                format!(
                    "at most {} entries ({} given)",
                    self.limits.list_entries,
                    items.len()
                ),
            );
        }
        let max = self.limits.entry_chars;
        items
            .iter()
            .take(self.limits.list_entries)
            .enumerate()
            .map(|(i, v)| self.text(&format!("{path}[{i}]"), v, max, false))
            .filter(|v| !v.is_empty())
            .collect()
    }
}

/// Validates a public submission received at `received_at` and turns it into a case proposal.
pub fn intake(
    submission: &VoluntarySubmission,
    limits: &IntakeLimits,
    received_at: OffsetDateTime,
) -> Result<CaseProposal, Vec<IntakeProblem>> {
    let mut c = Checker {
        limits,
        problems: Vec::new(),
    };
    let total = serde_json::to_vec(submission).map_or(usize::MAX, |v| v.len());
    if total > limits.total_bytes {
        c.problem(
            "",
            format!(
                "the submission is {total} bytes; at most {} are accepted",
                limits.total_bytes
            ),
        );
        // Do not spend more work on an oversized body.
        return Err(c.problems);
    }
    let kind = submission.kind;
    if kind.is_none() {
        c.problem(
            "kind",
            "required: vulnerability, cyber-threat, incident or near-miss",
        );
    }
    let manufacturer = c.required(
        "manufacturer",
        &submission.manufacturer,
        limits.name_chars,
        false,
    );
    let product = c.required("product", &submission.product, limits.name_chars, false);
    let title = c.required("title", &submission.title, limits.title_chars, false);
    let description = c.required(
        "description",
        &submission.description,
        limits.description_chars,
        true,
    );
    if !description.is_empty() && description.chars().count() < limits.description_min_chars {
        c.problem(
            "description",
            format!("at least {} characters", limits.description_min_chars),
        );
    }
    let versions = c.list("versions", &submission.versions);
    let mut cve_ids = Vec::new();
    for (i, id) in c
        .list("cve_ids", &submission.cve_ids)
        .into_iter()
        .enumerate()
    {
        if is_cve(&id) {
            let id = id.to_ascii_uppercase();
            if !cve_ids.contains(&id) {
                cve_ids.push(id);
            }
        } else {
            c.problem(
                format!("cve_ids[{i}]"),
                format!("{id:?} is not a CVE id (CVE-YYYY-NNNN)"),
            );
        }
    }
    let references = c.list("references", &submission.references);
    let mut member_states = BTreeSet::new();
    for (i, code) in c
        .list("member_states", &submission.member_states)
        .into_iter()
        .enumerate()
    {
        match MemberState::from_code(&code) {
            Some(m) => {
                member_states.insert(m);
            }
            None => c.problem(
                format!("member_states[{i}]"),
                format!("{code:?} is not an EU member state code"),
            ),
        }
    }
    let name = submission
        .reporter_name
        .as_deref()
        .map(|n| c.text("reporter_name", n, limits.name_chars, false))
        .filter(|n| !n.is_empty());
    let contact = submission
        .reporter_contact
        .as_deref()
        .map(|n| c.text("reporter_contact", n, limits.entry_chars, false))
        .filter(|n| !n.is_empty());
    if let Some(contact) = &contact
        && !(contact.contains('@') || contact.starts_with("https://"))
    {
        c.problem("reporter_contact", "an e-mail address or an https:// URL");
    }
    let Some(kind) = kind else {
        return Err(c.problems);
    };
    if !c.problems.is_empty() {
        return Err(c.problems);
    }
    let exploited = submission.exploited == Some(true);
    let suggested_case = match kind {
        VoluntaryKind::Vulnerability if exploited => Some(CaseKind::Vulnerability),
        VoluntaryKind::Incident => Some(CaseKind::Incident),
        _ => None,
    };
    let received_at = received_at.to_offset(time::UtcOffset::UTC);
    let evidence = Evidence {
        source: EvidenceSource::Researcher,
        at: received_at,
        reference: if references.is_empty() {
            format!("voluntary report: {title}")
        } else {
            format!("voluntary report: {title} ({})", references.join(", "))
        },
        recorded_by: "voluntary-intake".into(),
        note: Some(if exploited {
            "the reporter states it is exploited; confirm before treating as reliable evidence (Art. 3(42))".into()
        } else {
            "the reporter does not state exploitation".into()
        }),
    };
    Ok(CaseProposal {
        reported_kind: kind,
        suggested_case,
        notify_manufacturer: suggested_case.is_some(),
        manufacturer,
        product,
        versions,
        title,
        description,
        cve_ids,
        references,
        member_states,
        evidence,
        reporter: Reporter { name, contact },
        received_at,
    })
}

impl CaseProposal {
    /// Turns a confirmed proposal into a case. A person at the manufacturer confirms it and
    /// records when the manufacturer became aware (the clocks start there, not at receipt); the
    /// proposal's evidence goes into the ledger with the confirmer's name. Refused for reports
    /// that lead to no Art. 14 case (threats, near misses, unexploited vulnerabilities) and for
    /// an awareness time before receipt.
    pub fn into_case(
        self,
        id: impl Into<String>,
        manufacturer: Manufacturer,
        mut product: Product,
        aware_at: OffsetDateTime,
        confirmed_by: &str,
    ) -> Result<Case, ReportError> {
        let id = id.into();
        let fail = |problem: &str| ReportError::Proposal {
            case_id: id.clone(),
            problem: problem.into(),
        };
        let Some(kind) = self.suggested_case else {
            return Err(fail(
                "this voluntary report leads to no Art. 14 case; handle it under Annex I Part II",
            ));
        };
        if confirmed_by.trim().is_empty() {
            return Err(fail("the confirming person is required"));
        }
        if aware_at < self.received_at {
            return Err(fail(
                "awareness cannot be before the voluntary report was received",
            ));
        }
        product
            .member_states
            .extend(self.member_states.iter().copied());
        let mut case = Case::new(
            id.clone(),
            kind,
            self.title,
            manufacturer,
            product,
            aware_at,
        );
        case.affected_releases = self.versions;
        case.cve_ids = self.cve_ids;
        case.description = Some(self.description);
        let mut evidence = self.evidence;
        evidence.recorded_by = confirmed_by.trim().to_string();
        case.evidence.push(evidence);
        Ok(case)
    }
}
