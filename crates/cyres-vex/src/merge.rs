//! The rules an import onto a release follows, one [`Outcome`] per statement.
//!
//! An imported statement meets at most one finding (same vulnerability, or one of its aliases,
//! in the same component). What happens is decided by these rules, in this order, and every
//! statement is reported with the rule that decided it; nothing is overwritten because it came
//! later:
//!
//! 1. **Invalid**: the statement breaks a rule of the model ([`crate::Statement::problems`]).
//! 2. **Ambiguous**: the file says two different things about the same vulnerability in the
//!    same component; neither is applied.
//! 3. **Unmatched**: no finding of the release has that vulnerability in that component
//!    (decided by the caller, which knows the findings).
//! 4. **Unchanged**: the finding already holds exactly this decision.
//! 5. **Applied (undecided)**: nobody has decided on the finding yet.
//! 6. With a recorded decision, the [`Policy`] chooses:
//!    - [`Policy::Newer`] (the default): the statement applies only when its own time
//!      (`last_updated`, else `first_issued`, else the document's timestamp, as OpenVEX's
//!      inheritance rule says) is later than the recorded decision; otherwise the recorded
//!      decision is **kept** and the statement reported as a conflict.
//!    - [`Policy::KeepRecorded`]: recorded decisions are always kept (conflicts reported).
//!    - [`Policy::Replace`]: the file's decisions replace recorded ones (reported as replaced).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Justification, Response, Statement, Status, VexDocument};

/// How a statement meets a decision already recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// The later of the two wins, by the statement's own time.
    #[default]
    Newer,
    /// Recorded decisions stay.
    KeepRecorded,
    /// The file wins.
    Replace,
}

impl Policy {
    /// Parses `newer`, `keep_recorded` or `replace`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "newer" => Some(Self::Newer),
            "keep_recorded" => Some(Self::KeepRecorded),
            "replace" => Some(Self::Replace),
            _ => None,
        }
    }
}

/// The decision a finding holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// Its status.
    pub status: Status,
    /// Its justification.
    pub justification: Option<Justification>,
    /// Its impact statement.
    pub impact_statement: Option<String>,
    /// Its action statement.
    pub action_statement: Option<String>,
    /// Its responses.
    pub responses: Vec<Response>,
    /// When a person (or an earlier import) decided it; `None` when nobody has.
    pub decided_at: Option<i64>,
}

/// What happened to one statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    /// Rule 1.
    Invalid {
        /// The problems.
        problems: Vec<String>,
    },
    /// Rule 2.
    Ambiguous,
    /// Rule 3.
    Unmatched,
    /// Rule 4.
    Unchanged,
    /// Rule 5, or rule 6 when the statement is newer.
    Applied {
        /// Why.
        reason: String,
    },
    /// Rule 6: the recorded decision stays.
    Kept {
        /// Why.
        reason: String,
    },
    /// Rule 6 with [`Policy::Replace`].
    Replaced,
}

impl Outcome {
    /// Whether the statement is written onto the finding.
    pub fn writes(&self) -> bool {
        matches!(self, Self::Applied { .. } | Self::Replaced)
    }
}

/// Rule 1 and 2 for a whole document: the outcome of the statements refused before any finding
/// is looked at, by index.
pub fn refused(doc: &VexDocument) -> BTreeMap<usize, Outcome> {
    let mut out = BTreeMap::new();
    let mut seen: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, s) in doc.statements.iter().enumerate() {
        let p = s.problems();
        if !p.is_empty() {
            out.insert(i, Outcome::Invalid { problems: p });
            continue;
        }
        seen.entry(s.key()).or_default().push(i);
    }
    for list in seen.values() {
        let first = &doc.statements[list[0]];
        if list.iter().any(|i| !same(&doc.statements[*i], first)) {
            for i in list {
                out.insert(*i, Outcome::Ambiguous);
            }
        }
    }
    out
}

fn same(a: &Statement, b: &Statement) -> bool {
    a.status == b.status
        && a.justification == b.justification
        && a.impact_statement == b.impact_statement
        && a.action_statement == b.action_statement
        && normalised(&a.responses) == normalised(&b.responses)
}

fn normalised(r: &[Response]) -> Vec<Response> {
    let mut r = r.to_vec();
    r.sort();
    r.dedup();
    r
}

/// Rules 4 to 6 for a statement that met a finding; `document_time` is the document's
/// timestamp (the statement's time when it has none).
pub fn decide(recorded: &Recorded, s: &Statement, document_time: i64, policy: Policy) -> Outcome {
    let equal = recorded.status == s.status
        && recorded.justification == s.justification
        && recorded.impact_statement == s.impact_statement
        && recorded.action_statement == s.action_statement
        && normalised(&recorded.responses) == normalised(&s.responses);
    if equal {
        return Outcome::Unchanged;
    }
    let Some(at) = recorded.decided_at else {
        return Outcome::Applied {
            reason: "no decision was recorded".into(),
        };
    };
    match policy {
        Policy::Replace => Outcome::Replaced,
        Policy::KeepRecorded => Outcome::Kept {
            reason: "the recorded decision is kept (policy keep_recorded)".into(),
        },
        Policy::Newer => {
            let t = s.last_updated.or(s.first_issued).unwrap_or(document_time);
            if t > at {
                Outcome::Applied {
                    reason: format!(
                        "the statement ({t}) is newer than the recorded decision ({at})"
                    ),
                }
            } else {
                Outcome::Kept {
                    reason: format!(
                        "the recorded decision ({at}) is not older than the statement ({t})"
                    ),
                }
            }
        }
    }
}
