//! Triage that carries over (issue 17 point 3): VEX decisions recorded on many findings in one
//! transaction, carried to the same component version in the product's other releases, and
//! offered (never applied) where the version changed.
//!
//! A finding's decision is *own* when `decision_release_id = release_id`, *inherited* when it
//! names another release of the product: the latest own decision on the same vulnerability in
//! the same component identity (name, version and package URL). There is one carry-over, `carry`:
//! a new finding (SBOM upload, SBOM replacement, re-match) takes the carried decision in the
//! transaction that inserts it; recording a decision carries it to every finding of that
//! identity that has no own decision; each carried finding gets a history entry naming where
//! the decision came from (source `carried`), so nothing is applied silently. Editing an
//! inherited decision makes it the finding's own. Another component version only ever gets a
//! suggestion ([`Store::triage_origin`]).

use crate::audit::{Event, record};
use crate::findings::bump_findings_generation;
use crate::{Actor, FindingSearch, JUSTIFICATIONS, Store, StoreError, VexStatus};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

/// Largest number of findings one triage call decides (a filter's whole result included).
pub const MAX_TRIAGE: usize = 100_000;

/// What a person (or an import) decides, with the VEX fields besides the status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// The status.
    pub status: VexStatus,
    /// One of [`JUSTIFICATIONS`], only with `not_affected`.
    pub justification: Option<String>,
    /// Why not affected, in words (only with `not_affected`).
    pub impact_statement: Option<String>,
    /// What users should do.
    pub action_statement: Option<String>,
    /// CycloneDX `analysis.response` words.
    pub responses: Vec<String>,
    /// The analyst's note (kept in the history, not exported).
    pub comment: String,
}

/// A decision to write on findings already checked to be the organisation's
/// ([`Store::triage_findings`], a VEX import).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Decided<'a> {
    /// The organisation.
    pub org_id: i64,
    /// The findings it decides.
    pub ids: &'a [i64],
    /// The decision, validated.
    pub decision: &'a Decision,
    /// Who decided: `manual`, `bulk` or `import`.
    pub source: &'a str,
}

/// Response words a decision may carry (CycloneDX 1.5 `analysis.response`).
pub const RESPONSES: [&str; 5] = [
    "can_not_fix",
    "will_not_fix",
    "update",
    "rollback",
    "workaround_available",
];

fn trimmed(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl Decision {
    /// A bare status decision (no statements, no responses).
    pub fn status(status: VexStatus, justification: Option<&str>, comment: &str) -> Self {
        Self {
            status,
            justification: justification.map(str::to_string),
            impact_statement: None,
            action_statement: None,
            responses: Vec::new(),
            comment: comment.to_string(),
        }
    }

    /// Trims the texts and checks the VEX rules (CISA minimum requirements §4; OpenVEX 0.2
    /// "Status Justifications"): `not_affected` says why, with one of the five justifications
    /// or an impact statement; the justification and impact statement belong to `not_affected`.
    pub fn validated(&self) -> Result<Decision, StoreError> {
        let mut d = self.clone();
        d.justification = trimmed(&d.justification);
        d.impact_statement = trimmed(&d.impact_statement);
        d.action_statement = trimmed(&d.action_statement);
        match (d.status, &d.justification) {
            (VexStatus::NotAffected, None) if d.impact_statement.is_none() => {
                return Err(StoreError::invalid(
                    "justification",
                    format!(
                        "required for not_affected (one of {}), or an impact statement",
                        JUSTIFICATIONS.join(", ")
                    ),
                ));
            }
            (VexStatus::NotAffected, Some(j)) if !JUSTIFICATIONS.contains(&j.as_str()) => {
                return Err(StoreError::invalid(
                    "justification",
                    format!("{j:?} is not one of {}", JUSTIFICATIONS.join(", ")),
                ));
            }
            (s, Some(_)) if s != VexStatus::NotAffected => {
                return Err(StoreError::invalid(
                    "justification",
                    "only allowed with not_affected",
                ));
            }
            _ => {}
        }
        if d.status != VexStatus::NotAffected && d.impact_statement.is_some() {
            return Err(StoreError::invalid(
                "impact_statement",
                "only allowed with not_affected",
            ));
        }
        for r in &d.responses {
            if !RESPONSES.contains(&r.as_str()) {
                return Err(StoreError::invalid(
                    "responses",
                    format!("{r:?} is not one of {}", RESPONSES.join(", ")),
                ));
            }
        }
        d.responses.sort();
        d.responses.dedup();
        if d.comment.len() > 10_000 {
            return Err(StoreError::invalid("comment", "at most 10,000 characters"));
        }
        for (field, v) in [
            ("impact_statement", &d.impact_statement),
            ("action_statement", &d.action_statement),
        ] {
            if v.as_ref().is_some_and(|v| v.len() > 10_000) {
                return Err(StoreError::invalid(
                    field,
                    "at most 10,000 characters".to_string(),
                ));
            }
        }
        Ok(d)
    }
}

/// Which findings a triage decides.
#[derive(Clone, Debug)]
pub enum TriageTarget {
    /// These findings (every id must be the organisation's).
    Ids(Vec<i64>),
    /// Every finding the list's search selects, all pages (its order, `offset`, `limit` and
    /// `after_id` are ignored): the same findings the list and the CSV export give for it.
    Filter(FindingSearch),
}

/// What a triage did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TriageSummary {
    /// Findings decided.
    pub decided: usize,
    /// Findings of other releases that took the decision over (same component version).
    pub carried: u64,
}

/// Where a finding's decision comes from, and what an earlier version's decision suggests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TriageOrigin {
    /// The release whose decision the finding inherited: (release id, its version).
    pub inherited_from: Option<(i64, String)>,
    /// An own decision on the same vulnerability in the same component at another version, for
    /// a finding with no decision yet: offered, never applied.
    pub suggestion: Option<Suggestion>,
}

/// A decision made on another version of the component.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// The finding that holds it.
    pub finding_id: i64,
    /// Its release id and version.
    pub release_id: i64,
    /// The release's version.
    pub release_version: String,
    /// The component version it was made for.
    pub component_version: Option<String>,
    /// The decision.
    pub status: VexStatus,
    /// Its justification.
    pub justification: Option<String>,
    /// Its impact statement.
    pub impact_statement: Option<String>,
    /// Its action statement.
    pub action_statement: Option<String>,
    /// When it was made.
    pub decided_at: Option<i64>,
}

/// The same component identity and vulnerability as finding `x` (an alias in a subquery).
const SAME_IDENTITY: &str = "s.org_id = finding.org_id AND s.product_id = finding.product_id \
     AND s.advisory_id = finding.advisory_id AND s.component_name = finding.component_name \
     AND COALESCE(s.component_version, '') = COALESCE(finding.component_version, '') \
     AND COALESCE(s.component_purl, '') = COALESCE(finding.component_purl, '')";

/// Who a carried-over history entry names.
const CARRIER: &str = "cyres";

/// The one carry-over (issue 17 point 3): gives each finding that has no own decision and
/// matches `target` (a SQL condition on `finding` whose parameters start at `$2`, bound from
/// `binds`) the latest own decision of its identity elsewhere in the product, and writes the
/// history entry saying where it came from (never a silent change). Used by SBOM upload, SBOM
/// replacement, re-match and every decision. Returns how many findings changed.
async fn carry(
    conn: &mut AnyConnection,
    target: &str,
    binds: &[i64],
    now: i64,
) -> Result<u64, StoreError> {
    let source = format!(
        "SELECT {{cols}} FROM finding s WHERE {SAME_IDENTITY} AND s.id <> finding.id \
         AND s.decision_release_id = s.release_id"
    );
    let pick = source.replace(
        "{cols}",
        "s.status, s.justification, s.impact_statement, s.action_statement, s.responses, \
         s.release_id, s.decided_at",
    ) + " ORDER BY s.decided_at DESC, s.id DESC LIMIT 1";
    let exists = source.replace("{cols}", "1");
    let sql = format!(
        "UPDATE finding SET (status, justification, impact_statement, action_statement, \
         responses, decision_release_id, decided_at) = ({pick}), updated_at = $1 \
         WHERE {target} AND (decision_release_id IS NULL OR decision_release_id <> release_id) \
         AND EXISTS ({exists}) RETURNING id"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now);
    for b in binds {
        q = q.bind(*b);
    }
    let changed: Vec<i64> = q
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;
    for chunk in changed.chunks(crate::CHUNK_ROWS) {
        // The entry copies the decision as it now stands on the finding and names its origin:
        // the replaced SBOM of the same release, or the other release by its version.
        let sql = format!(
            "INSERT INTO triage (org_id, finding_id, status, justification, impact_statement, \
             action_statement, responses, comment, actor, at, source) \
             SELECT f.org_id, f.id, f.status, f.justification, f.impact_statement, \
             f.action_statement, f.responses, CASE WHEN f.decision_release_id = f.release_id \
             THEN 'carried over from the replaced SBOM of this release (same component and vulnerability)' \
             ELSE 'carried over from release ' || r.version || ' (same component version)' END, \
             $1, $2, 'carried' FROM finding f JOIN product_release r ON r.id = f.decision_release_id \
             WHERE f.id IN ({})",
            crate::placeholders(3, chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(CARRIER)
            .bind(now);
        for id in chunk {
            q = q.bind(*id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(changed.len() as u64)
}

/// Carries decisions onto findings just inserted (SBOM upload, SBOM replacement, re-match),
/// inside the inserting transaction; answers how many took a decision.
pub(crate) async fn carry_to_new(
    conn: &mut AnyConnection,
    ids: &[i64],
    now: i64,
) -> Result<u64, StoreError> {
    let mut n = 0;
    for chunk in ids.chunks(crate::CHUNK_ROWS) {
        let target = format!("id IN ({})", crate::placeholders(2, chunk.len()));
        n += carry(conn, &target, chunk, now).await?;
    }
    Ok(n)
}

/// Carries the decisions of `decided` (findings that just got an own decision) to the other
/// findings of their identities. The findings to carry to are found from the decided ones
/// through `finding_identity` (an indexed join per chunk, never a scan of the organisation's
/// findings: `CROSS JOIN` keeps SQLite from putting the organisation's findings outside and
/// probing the chunk for each; PostgreSQL plans it as any inner join), then take the decision
/// as new findings do.
async fn carry_from(
    conn: &mut AnyConnection,
    org_id: i64,
    decided: &[i64],
    now: i64,
) -> Result<u64, StoreError> {
    let mut targets = Vec::new();
    for chunk in decided.chunks(crate::CHUNK_ROWS) {
        let sql = format!(
            "SELECT DISTINCT finding.id FROM finding s CROSS JOIN finding WHERE {SAME_IDENTITY} \
             AND s.org_id = $1 AND s.id IN ({}) \
             AND (finding.decision_release_id IS NULL OR finding.decision_release_id <> finding.release_id)",
            crate::placeholders(2, chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org_id);
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(&mut *conn).await? {
            targets.push(r.try_get::<i64, _>("id")?);
        }
    }
    targets.sort_unstable();
    targets.dedup();
    carry_to_new(conn, &targets, now).await
}

impl Store {
    /// The ids a target names, checked to be the organisation's (a foreign id is a missing one).
    async fn target_ids(&self, org_id: i64, target: &TriageTarget) -> Result<Vec<i64>, StoreError> {
        let mut ids = match target {
            TriageTarget::Ids(ids) => {
                let mut ids = ids.clone();
                ids.sort_unstable();
                ids.dedup();
                if ids.len() > MAX_TRIAGE {
                    return Err(StoreError::invalid(
                        "ids",
                        format!("at most {MAX_TRIAGE} findings at once"),
                    ));
                }
                let mut found = Vec::with_capacity(ids.len());
                for chunk in ids.chunks(crate::CHUNK_ROWS) {
                    let sql = format!(
                        "SELECT id FROM finding WHERE org_id = $1 AND id IN ({})",
                        crate::placeholders(2, chunk.len())
                    );
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org_id);
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    for r in q.fetch_all(&self.pool).await? {
                        found.push(r.try_get::<i64, _>("id")?);
                    }
                }
                found.sort_unstable();
                if let Some(missing) = ids.iter().find(|i| found.binary_search(i).is_err()) {
                    return Err(StoreError::not_found("finding", *missing));
                }
                found
            }
            TriageTarget::Filter(search) => {
                // Every page of the search, by id.
                let mut s = search.clone();
                s.filter.limit = Some(1000);
                s.filter.after_id = None;
                let mut ids = Vec::new();
                loop {
                    let page = self.findings_by_id(org_id, &s).await?;
                    let Some(last) = page.last() else { break };
                    s.filter.after_id = Some(last.id);
                    ids.extend(page.iter().map(|r| r.id));
                    if ids.len() > MAX_TRIAGE {
                        return Err(StoreError::invalid(
                            "filter",
                            format!("more than {MAX_TRIAGE} findings; narrow it"),
                        ));
                    }
                }
                ids
            }
        };
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }

    /// Records one decision on every finding `target` names, in one transaction: the findings'
    /// status and VEX fields, a history entry each, the decision carried to the same component
    /// version in the product's other releases (where no own decision exists), the findings
    /// generation and one audit event. `source` says who decided: `manual`, `bulk` or `import`.
    pub async fn triage_findings(
        &self,
        org_id: i64,
        target: &TriageTarget,
        decision: &Decision,
        source: &str,
        actor: &Actor,
        now: i64,
    ) -> Result<TriageSummary, StoreError> {
        let d = decision.validated()?;
        let ids = self.target_ids(org_id, target).await?;
        if ids.is_empty() {
            return Ok(TriageSummary {
                decided: 0,
                carried: 0,
            });
        }
        let mut tx = self.begin().await?;
        let decided = Decided {
            org_id,
            ids: &ids,
            decision: &d,
            source,
        };
        let carried = self.decide_in(&mut tx, &decided, actor, now).await?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: if ids.len() == 1 {
                    "finding.triage"
                } else {
                    "finding.triage_bulk"
                },
                target_kind: "finding",
                target_id: &ids[0].to_string(),
                details: serde_json::json!({
                    "status": d.status, "justification": d.justification, "source": source,
                    "findings": ids.len(), "ids": ids, "carried": carried,
                }),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(TriageSummary {
            decided: ids.len(),
            carried,
        })
    }

    /// The writes of a decision on findings already known to be the organisation's, inside
    /// `conn`'s transaction; returns how many other findings took it over.
    pub(crate) async fn decide_in(
        &self,
        conn: &mut AnyConnection,
        decided: &Decided<'_>,
        actor: &Actor,
        now: i64,
    ) -> Result<u64, StoreError> {
        let Decided {
            org_id,
            ids,
            decision: d,
            source,
        } = *decided;
        let responses = crate::text::json_text("responses", &d.responses)?;
        for chunk in ids.chunks(crate::CHUNK_ROWS) {
            let sql = format!(
                "UPDATE finding SET status = $1, justification = $2, impact_statement = $3, \
                 action_statement = $4, responses = $5, decision_release_id = release_id, \
                 decided_at = $6, updated_at = $7 WHERE org_id = $8 AND id IN ({})",
                crate::placeholders(9, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(d.status.as_str())
                .bind(d.justification.clone())
                .bind(d.impact_statement.clone())
                .bind(d.action_statement.clone())
                .bind(responses.clone())
                .bind(now)
                .bind(now)
                .bind(org_id);
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(&mut *conn).await?;
        }
        // One history entry per finding, copying the decision it now has.
        for chunk in ids.chunks(crate::CHUNK_ROWS) {
            let sql = format!(
                "INSERT INTO triage (org_id, finding_id, status, justification, impact_statement, \
                 action_statement, responses, comment, actor, at, source) \
                 SELECT org_id, id, status, justification, impact_statement, action_statement, \
                 responses, $1, $2, $3, $4 FROM finding WHERE org_id = $5 AND id IN ({}) ORDER BY id",
                crate::placeholders(6, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(d.comment.clone())
                .bind(actor.display())
                .bind(now)
                .bind(source)
                .bind(org_id);
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(&mut *conn).await?;
        }
        let carried = carry_from(conn, org_id, ids, now).await?;
        bump_findings_generation(conn, [org_id]).await?;
        Ok(carried)
    }

    /// Where the finding's decision comes from, and a suggestion from another component version
    /// when it has none.
    pub async fn triage_origin(
        &self,
        org_id: i64,
        finding_id: i64,
    ) -> Result<TriageOrigin, StoreError> {
        let f = self.finding(org_id, finding_id).await?;
        let inherited_from = match f.vex.decision_release_id {
            Some(r) if r != f.release_id => {
                let row = sqlx::query(
                    "SELECT id, version FROM product_release WHERE id = $1 AND org_id = $2",
                )
                .bind(r)
                .bind(org_id)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|row| Ok::<_, StoreError>((row.try_get("id")?, row.try_get("version")?)))
                    .transpose()?
            }
            _ => None,
        };
        let suggestion = if f.vex.decision_release_id.is_none() {
            sqlx::query(
                "SELECT s.id, s.release_id, r.version AS release_version, s.component_version, \
                 s.status, s.justification, s.impact_statement, s.action_statement, s.decided_at \
                 FROM finding s JOIN product_release r ON r.id = s.release_id \
                 WHERE s.org_id = $1 AND s.product_id = $2 AND s.advisory_id = $3 \
                 AND s.component_name = $4 AND s.decision_release_id = s.release_id \
                 AND COALESCE(s.component_version, '') <> $5 \
                 ORDER BY s.decided_at DESC, s.id DESC LIMIT 1",
            )
            .bind(org_id)
            .bind(f.product_id)
            .bind(f.advisory_id.clone())
            .bind(f.component_name.clone())
            .bind(f.component_version.clone().unwrap_or_default())
            .fetch_optional(&self.pool)
            .await?
            .map(|r| {
                Ok::<_, StoreError>(Suggestion {
                    finding_id: r.try_get("id")?,
                    release_id: r.try_get("release_id")?,
                    release_version: r.try_get("release_version")?,
                    component_version: r.try_get("component_version")?,
                    status: crate::findings::vex_status(&r, "status")?,
                    justification: r.try_get("justification")?,
                    impact_statement: r.try_get("impact_statement")?,
                    action_statement: r.try_get("action_statement")?,
                    decided_at: r.try_get("decided_at")?,
                })
            })
            .transpose()?
        } else {
            None
        };
        Ok(TriageOrigin {
            inherited_from,
            suggestion,
        })
    }
}

impl Store {
    /// Dismisses a proposal (a case proposal or a voluntary intake) with a reason: its state
    /// becomes `dismissed`, the reason is kept, one transaction with the audit event. Only a
    /// `proposed` case can be dismissed.
    pub async fn dismiss_proposal(
        &self,
        org_id: i64,
        case_id: i64,
        reason: &str,
        actor: &Actor,
        now: i64,
    ) -> Result<(), StoreError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::invalid(
                "reason",
                "say why the proposal is dismissed",
            ));
        }
        crate::text::bounded("reason", reason, crate::text::LONG_TEXT)?;
        let mut tx = self.begin().await?;
        let n = sqlx::query(
            "UPDATE report_case SET state = 'dismissed', dismissed_reason = $1, updated_at = $2 \
             WHERE id = $3 AND org_id = $4 AND state = 'proposed'",
        )
        .bind(reason)
        .bind(now)
        .bind(case_id)
        .bind(org_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            let exists = sqlx::query("SELECT state FROM report_case WHERE id = $1 AND org_id = $2")
                .bind(case_id)
                .bind(org_id)
                .fetch_optional(&mut *tx)
                .await?;
            return Err(match exists {
                None => StoreError::not_found("case", case_id),
                Some(_) => StoreError::conflict_general("only a proposal can be dismissed"),
            });
        }
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "case.dismiss",
                target_kind: "case",
                target_id: &case_id.to_string(),
                details: serde_json::json!({"reason": reason}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
