//! Findings: listing with filters, one finding, VEX triage with its history.

use crate::audit::record;
use crate::{
    Actor, FindingFilter, FindingRow, JUSTIFICATIONS, Store, StoreError, TriageEntry, VexStatus,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeSet;

const COLS: &str = "id, org_id, product_id, release_id, component_name, component_version, \
     component_purl, advisory_id, aliases, summary, severity, score, match_kind, fixed_versions, \
     exploited, status, justification, first_seen, updated_at, provenance";

fn finding_from(r: &AnyRow) -> Result<FindingRow, StoreError> {
    let status: String = r.try_get("status")?;
    Ok(FindingRow {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        product_id: r.try_get("product_id")?,
        release_id: r.try_get("release_id")?,
        component_name: r.try_get("component_name")?,
        component_version: r.try_get("component_version")?,
        component_purl: r.try_get("component_purl")?,
        advisory_id: r.try_get("advisory_id")?,
        aliases: serde_json::from_str(&r.try_get::<String, _>("aliases")?).unwrap_or_default(),
        summary: r.try_get("summary")?,
        severity: r.try_get("severity")?,
        score: r.try_get("score")?,
        match_kind: r.try_get("match_kind")?,
        fixed_versions: serde_json::from_str(&r.try_get::<String, _>("fixed_versions")?)
            .unwrap_or_default(),
        exploited: r.try_get::<i64, _>("exploited")? != 0,
        status: VexStatus::parse(&status).ok_or(StoreError::Corrupt {
            what: "finding status",
            message: status.clone(),
        })?,
        justification: r.try_get("justification")?,
        first_seen: r.try_get("first_seen")?,
        updated_at: r.try_get("updated_at")?,
        provenance: r.try_get("provenance")?,
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

impl Store {
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

    /// The organisation's findings matching `filter`, exploited first, then by id. Filter values
    /// are bound parameters, never spliced into SQL.
    pub async fn findings(
        &self,
        org_id: i64,
        filter: &FindingFilter,
    ) -> Result<Vec<FindingRow>, StoreError> {
        let mut sql = format!("SELECT {COLS} FROM finding WHERE org_id = $1");
        let mut n = 1;
        let mut next = |sql: &mut String, cond: &str| {
            n += 1;
            sql.push_str(&format!(" AND {cond} ${n}"));
        };
        if filter.product_id.is_some() {
            next(&mut sql, "product_id =");
        }
        if filter.release_id.is_some() {
            next(&mut sql, "release_id =");
        }
        if filter.severity.is_some() {
            next(&mut sql, "severity =");
        }
        if filter.exploited.is_some() {
            next(&mut sql, "exploited =");
        }
        if filter.status.is_some() {
            next(&mut sql, "status =");
        }
        if filter.advisory_id.is_some() {
            next(&mut sql, "advisory_id =");
        }
        if filter.after_id.is_some() {
            next(&mut sql, "id >");
        }
        n += 1;
        sql.push_str(&format!(" ORDER BY id LIMIT ${n}"));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(org_id);
        if let Some(v) = filter.product_id {
            q = q.bind(v);
        }
        if let Some(v) = filter.release_id {
            q = q.bind(v);
        }
        if let Some(v) = &filter.severity {
            q = q.bind(v.clone());
        }
        if let Some(v) = filter.exploited {
            q = q.bind(i64::from(v));
        }
        if let Some(v) = filter.status {
            q = q.bind(v.as_str());
        }
        if let Some(v) = &filter.advisory_id {
            q = q.bind(v.clone());
        }
        if let Some(v) = filter.after_id {
            q = q.bind(v);
        }
        q = q.bind(filter.limit.unwrap_or(100).clamp(1, 1000));
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(finding_from)
            .collect()
    }

    /// Counts of open findings per (severity, exploited) for the organisation.
    pub async fn open_finding_counts(
        &self,
        org_id: i64,
    ) -> Result<Vec<(String, bool, i64)>, StoreError> {
        sqlx::query(
            "SELECT severity, exploited, COUNT(*) AS n FROM finding WHERE org_id = $1 \
             AND status IN ('under_investigation', 'affected') GROUP BY severity, exploited",
        )
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

    /// Records a triage decision: the finding's status changes and the decision joins its
    /// history, in one transaction with the audit event. `not_affected` needs one of the VEX
    /// justifications; the others must not carry one.
    #[allow(clippy::too_many_arguments)]
    pub async fn triage(
        &self,
        org_id: i64,
        finding_id: i64,
        status: VexStatus,
        justification: Option<&str>,
        comment: &str,
        actor: &Actor,
        now: i64,
    ) -> Result<FindingRow, StoreError> {
        let justification = justification.map(str::trim).filter(|j| !j.is_empty());
        match (status, justification) {
            (VexStatus::NotAffected, None) => {
                return Err(StoreError::Invalid(format!(
                    "justification: required for not_affected (one of {})",
                    JUSTIFICATIONS.join(", ")
                )));
            }
            (VexStatus::NotAffected, Some(j)) if !JUSTIFICATIONS.contains(&j) => {
                return Err(StoreError::Invalid(format!(
                    "justification: {j:?} is not one of {}",
                    JUSTIFICATIONS.join(", ")
                )));
            }
            (s, Some(_)) if s != VexStatus::NotAffected => {
                return Err(StoreError::Invalid(
                    "justification: only allowed with not_affected".into(),
                ));
            }
            _ => {}
        }
        if comment.len() > 10_000 {
            return Err(StoreError::Invalid(
                "comment: at most 10,000 characters".into(),
            ));
        }
        let mut tx = self.begin().await?;
        let n = sqlx::query(
            "UPDATE finding SET status = $1, justification = $2, updated_at = $3 WHERE id = $4 AND org_id = $5",
        )
        .bind(status.as_str())
        .bind(justification)
        .bind(now)
        .bind(finding_id)
        .bind(org_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::not_found("finding", finding_id));
        }
        bump_findings_generation(&mut tx, [org_id]).await?;
        sqlx::query(
            "INSERT INTO triage (org_id, finding_id, status, justification, comment, actor, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(org_id)
        .bind(finding_id)
        .bind(status.as_str())
        .bind(justification)
        .bind(comment)
        .bind(actor.display())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            Some(org_id),
            actor,
            "finding.triage",
            "finding",
            &finding_id.to_string(),
            serde_json::json!({"status": status, "justification": justification}),
            now,
        )
        .await?;
        tx.commit().await?;
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
            let s: String = r.try_get("status")?;
            Ok(TriageEntry {
                id: r.try_get("id")?,
                status: VexStatus::parse(&s).unwrap_or(VexStatus::UnderInvestigation),
                justification: r.try_get("justification")?,
                comment: r.try_get("comment")?,
                actor: r.try_get("actor")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
    }
}
