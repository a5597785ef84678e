//! Findings: listing with filters, one finding, VEX triage with its history.

use crate::{Actor, FindingFilter, FindingRow, Store, StoreError, TriageEntry, VexStatus};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeSet;

pub(crate) const COLS: &str = "id, org_id, product_id, release_id, component_name, component_version, \
     component_purl, advisory_id, aliases, summary, severity, score, severity_source, match_kind, fixed_versions, \
     exploited, status, justification, first_seen, updated_at, provenance, impact_statement, \
     action_statement, responses, decision_release_id, decided_at";

/// A VEX status column (a finding's, a triage entry's); a word no release knows is a corrupt
/// row, never "under investigation".
pub(crate) fn vex_status(r: &AnyRow, column: &'static str) -> Result<VexStatus, StoreError> {
    let status: String = r.try_get(column)?;
    VexStatus::parse(&status).ok_or_else(|| StoreError::Corrupt {
        what: "finding status",
        message: format!("{status:?} is not a VEX status"),
    })
}

pub(crate) fn finding_from(r: &AnyRow) -> Result<FindingRow, StoreError> {
    Ok(FindingRow {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        product_id: r.try_get("product_id")?,
        release_id: r.try_get("release_id")?,
        component_name: r.try_get("component_name")?,
        component_version: r.try_get("component_version")?,
        component_purl: r.try_get("component_purl")?,
        advisory_id: r.try_get("advisory_id")?,
        aliases: crate::text::json_column(r, "aliases")?,
        summary: r.try_get("summary")?,
        severity: r.try_get("severity")?,
        score: r.try_get("score")?,
        severity_source: r.try_get("severity_source")?,
        match_kind: r.try_get("match_kind")?,
        fixed_versions: crate::text::json_column(r, "fixed_versions")?,
        exploited: r.try_get::<i64, _>("exploited")? != 0,
        status: vex_status(r, "status")?,
        justification: r.try_get("justification")?,
        first_seen: r.try_get("first_seen")?,
        updated_at: r.try_get("updated_at")?,
        provenance: r.try_get("provenance")?,
        vex: crate::FindingVex {
            impact_statement: r.try_get("impact_statement")?,
            action_statement: r.try_get("action_statement")?,
            responses: crate::text::json_column(r, "responses")?,
            decision_release_id: r.try_get("decision_release_id")?,
            decided_at: r.try_get("decided_at")?,
        },
    })
}

/// Severity words in the order findings are listed (worst first).
pub const SEVERITIES: [&str; 6] = ["critical", "high", "medium", "low", "none", "unknown"];

/// Raises the findings generation of each organisation in `orgs`, inside the caller's
/// transaction, so that a reader sees the new value exactly when it can see the changed findings.
pub(crate) async fn bump_findings_generation(
    conn: &mut AnyConnection,
    orgs: impl IntoIterator<Item = i64>,
) -> Result<(), StoreError> {
    let orgs: BTreeSet<i64> = orgs.into_iter().collect();
    let orgs: Vec<i64> = orgs.into_iter().collect();
    for chunk in orgs.chunks(crate::CHUNK_ROWS) {
        let sql = format!(
            "UPDATE organisation SET findings_gen = findings_gen + 1 WHERE id IN ({})",
            crate::placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(*id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Raises the advisory data generation, inside the caller's transaction: advisory and
/// exploitation changes can change what a findings page shows without changing a finding row
/// (the related-to-an-actively-exploited-vulnerability flag).
pub(crate) async fn bump_advisory_generation(conn: &mut AnyConnection) -> Result<(), StoreError> {
    sqlx::query("UPDATE advisory_data SET generation = generation + 1")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Store {
    /// The organisation's findings generation and the advisory data generation, read together:
    /// a cached findings page that shows what advisory data says about its rows (the related
    /// flag) is valid while both hold.
    pub async fn findings_page_generation(&self, org_id: i64) -> Result<(i64, i64), StoreError> {
        let row = sqlx::query(
            "SELECT findings_gen, (SELECT generation FROM advisory_data) AS advisory_gen \
             FROM organisation WHERE id = $1",
        )
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => Ok((r.try_get("findings_gen")?, r.try_get("advisory_gen")?)),
            None => Err(StoreError::not_found("organisation", org_id)),
        }
    }

    /// The organisation's findings generation: it changes, in the same transaction, with every
    /// change to the organisation's findings (new, exploited, triaged). Caches of findings
    /// pages key on it.
    pub async fn findings_generation(&self, org_id: i64) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT findings_gen FROM organisation WHERE id = $1")
            .bind(org_id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => Ok(r.try_get("findings_gen")?),
            None => Err(StoreError::not_found("organisation", org_id)),
        }
    }

    /// The organisation's findings matching `filter`, by id (keyset pages from
    /// `filter.after_id`); the lifecycle rules of the open lists apply
    /// ([`Store::findings_by_id`], which the list's search, the CSV export and bulk triage share).
    pub async fn findings(
        &self,
        org_id: i64,
        filter: &FindingFilter,
    ) -> Result<Vec<FindingRow>, StoreError> {
        let search = crate::FindingSearch {
            filter: filter.clone(),
            ..Default::default()
        };
        self.findings_by_id(org_id, &search).await
    }

    /// Counts of open findings per (severity, exploited) for the organisation.
    pub async fn open_finding_counts(
        &self,
        org_id: i64,
    ) -> Result<Vec<(String, bool, i64)>, StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT severity, exploited, COUNT(*) AS n FROM finding WHERE org_id = $1 \
             AND status IN ('under_investigation', 'affected'){} GROUP BY severity, exploited",
            crate::lifecycle::OPEN_LISTS
        )))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("severity")?,
                r.try_get::<i64, _>("exploited")? != 0,
                r.try_get("n")?,
            ))
        })
        .collect()
    }

    /// One finding of this organisation.
    pub async fn finding(&self, org_id: i64, id: i64) -> Result<FindingRow, StoreError> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM finding WHERE id = $1 AND org_id = $2"
        )))
        .bind(id)
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("finding", id))?;
        finding_from(&r)
    }

    /// Records a triage decision on one finding (see [`Store::triage_findings`]: history,
    /// carry-over to the same component version in other releases, audit, one transaction).
    /// `not_affected` needs one of the VEX justifications; the others must not carry one
    /// (`Decision::status` makes a bare status decision).
    pub async fn triage(
        &self,
        org_id: i64,
        finding_id: i64,
        decision: &crate::Decision,
        actor: &Actor,
        now: i64,
    ) -> Result<FindingRow, StoreError> {
        self.triage_findings(
            org_id,
            &crate::TriageTarget::Ids(vec![finding_id]),
            decision,
            "manual",
            actor,
            now,
        )
        .await?;
        self.finding(org_id, finding_id).await
    }

    /// A finding's triage history, oldest first.
    pub async fn triage_history(
        &self,
        org_id: i64,
        finding_id: i64,
    ) -> Result<Vec<TriageEntry>, StoreError> {
        self.finding(org_id, finding_id).await?;
        sqlx::query(
            "SELECT id, status, justification, comment, actor, at FROM triage \
             WHERE finding_id = $1 AND org_id = $2 ORDER BY id",
        )
        .bind(finding_id)
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(TriageEntry {
                id: r.try_get("id")?,
                status: vex_status(r, "status")?,
                justification: r.try_get("justification")?,
                comment: r.try_get("comment")?,
                actor: r.try_get("actor")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
    }
}
