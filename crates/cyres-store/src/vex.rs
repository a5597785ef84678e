//! VEX import onto a release (issue 17 point 4): each statement of a `cyres_vex` document is
//! matched to the release's findings and decided by the rules of `cyres_vex::merge` (invalid,
//! ambiguous, unmatched, unchanged, applied, kept, replaced), all writes in one transaction with
//! one audit event, and every statement reported with its outcome.

use crate::audit::{Event, record};
use crate::triage::Decision;
use crate::{Actor, FindingFilter, FindingRow, Store, StoreError, VexStatus};
use cyres_vex::merge::{self, Outcome, Policy, Recorded};
use cyres_vex::{Response, Statement, UNVERSIONED, VexDocument};
use serde::Serialize;

/// What happened to one imported statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatementReport {
    /// The statement's position in the document (from 0).
    pub index: usize,
    /// The vulnerability it names.
    pub vulnerability: String,
    /// The component, as `name@version`.
    pub component: String,
    /// The findings it met.
    pub finding_ids: Vec<i64>,
    /// The rule that decided it.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// Whether the statement speaks about the finding: the vulnerability is its advisory id or one
/// of its aliases (case-insensitive), and the component has the finding's package URL, or, when
/// either has none, its name and version.
fn meets(s: &Statement, f: &FindingRow) -> bool {
    let v = &s.vulnerability;
    let vuln = f.advisory_id.eq_ignore_ascii_case(v)
        || f.aliases.iter().any(|a| a.eq_ignore_ascii_case(v));
    if !vuln {
        return false;
    }
    match (&s.component.purl, &f.component_purl) {
        (Some(a), Some(b)) => a == b,
        _ => {
            s.component.name == f.component_name
                && s.component.version
                    == f.component_version
                        .clone()
                        .unwrap_or_else(|| UNVERSIONED.into())
        }
    }
}

/// A finding's decision as a VEX statement about its vulnerability in its component (the
/// export writes these; the import compares with them).
pub fn vex_statement(f: &FindingRow) -> Statement {
    Statement {
        vulnerability: f.advisory_id.clone(),
        component: cyres_vex::Subject {
            name: f.component_name.clone(),
            version: f
                .component_version
                .clone()
                .unwrap_or_else(|| UNVERSIONED.into()),
            purl: f.component_purl.clone(),
        },
        status: match f.status {
            VexStatus::UnderInvestigation => cyres_vex::Status::UnderInvestigation,
            VexStatus::Affected => cyres_vex::Status::Affected,
            VexStatus::NotAffected => cyres_vex::Status::NotAffected,
            VexStatus::Fixed => cyres_vex::Status::Fixed,
        },
        justification: f
            .justification
            .as_deref()
            .and_then(cyres_vex::Justification::parse),
        impact_statement: f.vex.impact_statement.clone(),
        action_statement: f.vex.action_statement.clone(),
        responses: f
            .vex
            .responses
            .iter()
            .filter_map(|r| Response::parse(r))
            .collect(),
        first_issued: None,
        last_updated: f.vex.decided_at,
        author: None,
    }
}

fn recorded(f: &FindingRow) -> Recorded {
    let s = vex_statement(f);
    Recorded {
        status: s.status,
        justification: s.justification,
        impact_statement: s.impact_statement,
        action_statement: s.action_statement,
        responses: s.responses,
        decided_at: f
            .vex
            .decision_release_id
            .map(|_| f.vex.decided_at.unwrap_or(0)),
    }
}

fn decision(s: &Statement, author: &str) -> Decision {
    Decision {
        status: match s.status {
            cyres_vex::Status::UnderInvestigation => VexStatus::UnderInvestigation,
            cyres_vex::Status::Affected => VexStatus::Affected,
            cyres_vex::Status::NotAffected => VexStatus::NotAffected,
            cyres_vex::Status::Fixed => VexStatus::Fixed,
        },
        justification: s.justification.map(|j| j.as_str().to_string()),
        impact_statement: s.impact_statement.clone(),
        action_statement: s.action_statement.clone(),
        responses: s.responses.iter().map(|r| r.as_str().to_string()).collect(),
        comment: format!("VEX import ({})", s.author.as_deref().unwrap_or(author)),
    }
}

impl Store {
    /// Every finding of a release, by id.
    pub async fn release_findings(
        &self,
        org_id: i64,
        release_id: i64,
    ) -> Result<Vec<FindingRow>, StoreError> {
        self.release(org_id, release_id).await?;
        let mut f = FindingFilter {
            release_id: Some(release_id),
            limit: Some(1000),
            ..Default::default()
        };
        let mut out = Vec::new();
        loop {
            let page = self.findings(org_id, &f).await?;
            let Some(last) = page.last() else { break };
            f.after_id = Some(last.id);
            out.extend(page);
        }
        Ok(out)
    }

    /// Imports a VEX document onto a release by the rules of `cyres_vex::merge` under
    /// `policy`; returns one report per statement. All decisions are written in one
    /// transaction with one audit event.
    pub async fn import_vex(
        &self,
        org_id: i64,
        release_id: i64,
        doc: &VexDocument,
        policy: Policy,
        actor: &Actor,
        now: i64,
    ) -> Result<Vec<StatementReport>, StoreError> {
        let findings = self.release_findings(org_id, release_id).await?;
        let refused = merge::refused(doc);
        let mut reports = Vec::new();
        let mut writes: Vec<(Vec<i64>, Decision)> = Vec::new();
        for (index, s) in doc.statements.iter().enumerate() {
            let met: Vec<&FindingRow> = findings.iter().filter(|f| meets(s, f)).collect();
            let outcome = if let Some(o) = refused.get(&index) {
                o.clone()
            } else if met.is_empty() {
                Outcome::Unmatched
            } else {
                let d = decision(s, &doc.author);
                match d.validated() {
                    Err(e) => Outcome::Invalid {
                        problems: vec![e.to_string()],
                    },
                    Ok(d) => {
                        // Every finding the statement meets is decided alike; the first that
                        // would keep its decision keeps the statement from all (reported).
                        let outcomes: Vec<Outcome> = met
                            .iter()
                            .map(|f| merge::decide(&recorded(f), s, doc.timestamp, policy))
                            .collect();
                        let o = outcomes
                            .iter()
                            .find(|o| !o.writes() && **o != Outcome::Unchanged)
                            .or_else(|| outcomes.iter().find(|o| o.writes()))
                            .unwrap_or(&outcomes[0])
                            .clone();
                        if o.writes() {
                            writes.push((met.iter().map(|f| f.id).collect(), d));
                        }
                        o
                    }
                }
            };
            reports.push(StatementReport {
                index,
                vulnerability: s.vulnerability.clone(),
                component: format!("{}@{}", s.component.name, s.component.version),
                finding_ids: met.iter().map(|f| f.id).collect(),
                outcome,
            });
        }
        let mut tx = self.begin().await?;
        for (ids, d) in &writes {
            let decided = crate::triage::Decided {
                org_id,
                ids,
                decision: d,
                source: "import",
            };
            self.decide_in(&mut tx, &decided, actor, now).await?;
        }
        let count = |f: fn(&Outcome) -> bool| reports.iter().filter(|r| f(&r.outcome)).count();
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "release.vex_import",
                target_kind: "release",
                target_id: &release_id.to_string(),
                details: serde_json::json!({
                    "statements": reports.len(),
                    "written": count(Outcome::writes),
                    "kept": count(|o| matches!(o, Outcome::Kept { .. })),
                    "unmatched": count(|o| matches!(o, Outcome::Unmatched)),
                    "refused": count(|o| matches!(o, Outcome::Invalid { .. } | Outcome::Ambiguous)),
                    "policy": policy,
                }),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(reports)
    }
}
