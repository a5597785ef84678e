//! The one internal model every format is read into and written from.
//!
//! A [`VexDocument`] speaks about one product release; each [`Statement`] is one decision on one
//! vulnerability in one component of it, with the fields the VEX minimum requirements name
//! (CISA, "Minimum Requirements for VEX", 2023: status, justification, impact and action
//! statements, timestamps, author) plus CycloneDX's `response`. Times are Unix seconds, as the
//! store keeps them.
//!
//! Not every format holds every field; [`Format::project`] is the model as seen through one
//! format, and the readers and writers are tested to satisfy
//! `read(write(x)) == x.project(format)` (the property tests in `tests/`).

use serde::{Deserialize, Serialize};

use crate::Format;

/// The decision's status (the four VEX statuses, CISA minimum requirements §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not yet decided.
    UnderInvestigation,
    /// The component's vulnerability affects the product.
    Affected,
    /// It does not; a justification or an impact statement says why.
    NotAffected,
    /// Fixed in this release.
    Fixed,
}

impl Status {
    /// Every status, in the model's order.
    pub const ALL: [Status; 4] = [
        Status::UnderInvestigation,
        Status::Affected,
        Status::NotAffected,
        Status::Fixed,
    ];

    /// The word OpenVEX, CSAF and cyres's store use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnderInvestigation => "under_investigation",
            Self::Affected => "affected",
            Self::NotAffected => "not_affected",
            Self::Fixed => "fixed",
        }
    }

    /// Parses [`Status::as_str`]'s word.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Why a component is not affected: the five VEX justifications (CISA minimum requirements
/// §4; OpenVEX 0.2 "Status Justifications"; CSAF 2.0 section 3.2.3.5.2 flag labels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Justification {
    /// The vulnerable component is not in the product.
    ComponentNotPresent,
    /// The component is present, the vulnerable code is not.
    VulnerableCodeNotPresent,
    /// The vulnerable code is present but never executed.
    VulnerableCodeNotInExecutePath,
    /// An attacker cannot reach the vulnerable code with controlled input.
    VulnerableCodeCannotBeControlledByAdversary,
    /// Built-in protections prevent exploitation.
    InlineMitigationsAlreadyExist,
}

impl Justification {
    /// Every justification.
    pub const ALL: [Justification; 5] = [
        Justification::ComponentNotPresent,
        Justification::VulnerableCodeNotPresent,
        Justification::VulnerableCodeNotInExecutePath,
        Justification::VulnerableCodeCannotBeControlledByAdversary,
        Justification::InlineMitigationsAlreadyExist,
    ];

    /// The label as OpenVEX, CSAF and the store write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ComponentNotPresent => "component_not_present",
            Self::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            Self::VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
            Self::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            Self::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
        }
    }

    /// Parses [`Justification::as_str`]'s label.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// What the manufacturer does about it (CycloneDX 1.5 `analysis.response`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    /// No fix is possible.
    CanNotFix,
    /// A fix is possible but will not be made.
    WillNotFix,
    /// Update to a fixed version.
    Update,
    /// Go back to an unaffected version.
    Rollback,
    /// A workaround exists.
    WorkaroundAvailable,
}

impl Response {
    /// Every response.
    pub const ALL: [Response; 5] = [
        Response::CanNotFix,
        Response::WillNotFix,
        Response::Update,
        Response::Rollback,
        Response::WorkaroundAvailable,
    ];

    /// CycloneDX's word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CanNotFix => "can_not_fix",
            Self::WillNotFix => "will_not_fix",
            Self::Update => "update",
            Self::Rollback => "rollback",
            Self::WorkaroundAvailable => "workaround_available",
        }
    }

    /// Parses [`Response::as_str`]'s word.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A product release or a component: name, version and, when known, its package URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Subject {
    /// The name as the SBOM gives it.
    pub name: String,
    /// The version; [`UNVERSIONED`] when the SBOM gives none.
    pub version: String,
    /// Package URL.
    #[serde(default)]
    pub purl: Option<String>,
}

impl Subject {
    /// A subject a document did not name (read from a file that has no product).
    pub fn unnamed() -> Self {
        Self {
            name: String::new(),
            version: UNVERSIONED.into(),
            purl: None,
        }
    }
}

/// The version written for a component whose SBOM entry has none: every format wants one.
pub const UNVERSIONED: &str = "unspecified";

/// The action statement written when a format needs one (OpenVEX 0.2 for `affected`, CSAF
/// test 6.1.27.10 for `known_affected`) and the decision has none.
pub const DEFAULT_ACTION: &str = "No action has been decided yet; follow the manufacturer's \
     advisories for this vulnerability.";

/// One decision on one vulnerability in one component of the release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// The vulnerability's id (CVE, GHSA, OSV, …).
    pub vulnerability: String,
    /// The component.
    pub component: Subject,
    /// The status.
    pub status: Status,
    /// Why not affected (only with [`Status::NotAffected`]).
    #[serde(default)]
    pub justification: Option<Justification>,
    /// Why not affected, in words (only with [`Status::NotAffected`]).
    #[serde(default)]
    pub impact_statement: Option<String>,
    /// What users should do.
    #[serde(default)]
    pub action_statement: Option<String>,
    /// What the manufacturer does, sorted and without repeats.
    #[serde(default)]
    pub responses: Vec<Response>,
    /// When the decision was first made (Unix seconds).
    #[serde(default)]
    pub first_issued: Option<i64>,
    /// When it last changed (Unix seconds).
    #[serde(default)]
    pub last_updated: Option<i64>,
    /// Who made it.
    #[serde(default)]
    pub author: Option<String>,
}

/// A VEX document about one product release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VexDocument {
    /// The document's author (the manufacturer).
    pub author: String,
    /// When the document was made (Unix seconds).
    pub timestamp: i64,
    /// The product release.
    pub product: Subject,
    /// The decisions.
    pub statements: Vec<Statement>,
}

/// A statement the model refuses, with the rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The statement's position.
    pub index: usize,
    /// What is wrong.
    pub problem: String,
}

impl Statement {
    /// The rules every format shares (CISA minimum requirements §4, OpenVEX 0.2 "Status
    /// Justifications", CSAF test 6.1.27.9): a `not_affected` decision says why (a
    /// justification or an impact statement); justification and impact statement belong to
    /// `not_affected` only.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if self.vulnerability.trim().is_empty() {
            p.push("the vulnerability id is empty".to_string());
        }
        if self.component.name.trim().is_empty() {
            p.push("the component name is empty".to_string());
        }
        if self.status == Status::NotAffected
            && self.justification.is_none()
            && self.impact_statement.is_none()
        {
            p.push("not_affected needs a justification or an impact statement".to_string());
        }
        if self.status != Status::NotAffected
            && (self.justification.is_some() || self.impact_statement.is_some())
        {
            p.push(format!(
                "a justification or impact statement belongs to not_affected, not {}",
                self.status.as_str()
            ));
        }
        p
    }

    /// Sorts and deduplicates the responses (the model holds them as a set).
    pub fn normalise(&mut self) {
        self.responses.sort();
        self.responses.dedup();
    }

    /// The identity an import matches findings by: (vulnerability, component).
    pub fn key(&self) -> (String, String) {
        (
            self.vulnerability.clone(),
            self.component
                .purl
                .clone()
                .unwrap_or_else(|| format!("{}@{}", self.component.name, self.component.version)),
        )
    }
}

impl VexDocument {
    /// Every statement that breaks a rule of [`Statement::problems`], and every statement that
    /// repeats the vulnerability and component of an earlier one (a document says one thing
    /// about each). Problems of the document itself (empty author or product name) have the
    /// index `usize::MAX`.
    pub fn problems(&self) -> Vec<Invalid> {
        let mut out: Vec<Invalid> = self
            .statements
            .iter()
            .enumerate()
            .flat_map(|(index, s)| {
                s.problems()
                    .into_iter()
                    .map(move |problem| Invalid { index, problem })
            })
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        for (index, s) in self.statements.iter().enumerate() {
            if !seen.insert((&s.vulnerability, &s.component)) {
                out.push(Invalid {
                    index,
                    problem: "repeats the vulnerability and component of an earlier statement"
                        .into(),
                });
            }
        }
        if self.author.trim().is_empty() {
            out.push(Invalid {
                index: usize::MAX,
                problem: "the author is empty".into(),
            });
        }
        if self.product.name.trim().is_empty() {
            out.push(Invalid {
                index: usize::MAX,
                problem: "the product name is empty".into(),
            });
        }
        out
    }

    /// The statements in a canonical order (vulnerability, then component), responses
    /// normalised: two documents that say the same things compare equal.
    pub fn canonical(&self) -> VexDocument {
        let mut out = self.clone();
        for s in &mut out.statements {
            s.normalise();
        }
        out.statements.sort_by(|a, b| {
            (&a.vulnerability, &a.component).cmp(&(&b.vulnerability, &b.component))
        });
        out
    }
}

impl Format {
    /// The document as this format holds it: what a write followed by a read gives back.
    ///
    /// - CycloneDX holds every field (the author of each statement and the exact
    ///   justification travel as `cyres:` properties, CycloneDX's extension point).
    /// - OpenVEX 0.2 has no `response` and no per-statement author; an `affected` statement
    ///   needs an action statement ([`DEFAULT_ACTION`] when there is none).
    /// - CSAF 2.0 has no per-statement timestamps or author; remediation categories hold the
    ///   responses except `rollback`; a `known_affected` product, or a response, needs a
    ///   remediation with details ([`DEFAULT_ACTION`]).
    pub fn project(self, doc: &VexDocument) -> VexDocument {
        let mut out = doc.clone();
        for s in &mut out.statements {
            s.normalise();
            match self {
                Format::CycloneDx15 | Format::CycloneDx16 => {}
                Format::OpenVex => {
                    s.responses.clear();
                    s.author = None;
                    if s.status == Status::Affected && s.action_statement.is_none() {
                        s.action_statement = Some(DEFAULT_ACTION.into());
                    }
                }
                Format::Csaf => {
                    s.first_issued = None;
                    s.last_updated = None;
                    s.author = None;
                    s.responses.retain(|r| *r != Response::Rollback);
                    if s.action_statement.is_none()
                        && (s.status == Status::Affected || !s.responses.is_empty())
                    {
                        s.action_statement = Some(DEFAULT_ACTION.into());
                    }
                }
            }
        }
        out
    }
}
