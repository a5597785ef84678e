//! Findings that stop matching (issue 20): when a re-match after an advisory change (an NVD
//! record that no longer names the component's version, a rejected CVE, a withdrawn OSV
//! record) no longer gives a finding it gave before, the finding is kept for the record and
//! closed, never left open and never deleted: `withdrawn_at` and `withdrawn_reason` say when
//! and why (migration 0018), an open status (`under_investigation`, `affected`) becomes
//! `not_affected` with the VEX justification `vulnerable_code_not_present` (the current data
//! no longer puts the component in the affected set; CISA's "VEX Status Justifications"), and
//! the triage history gets an entry by `system` with the reason, so the analyst sees who closed
//! it and why. A status an analyst already decided (`not_affected`, `fixed`) is left as it is.
//! A finding that matches again later is reopened (`under_investigation`, marks cleared, one
//! more history entry).

use crate::audit::{Event, record};
use crate::{Actor, Store, StoreError, placeholders};
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet};

/// The VEX justification a withdrawal records.
pub const WITHDRAWN_JUSTIFICATION: &str = "vulnerable_code_not_present";

/// A stored finding as a re-match compares it: (id, org, sbom, component ord, advisory id,
/// aliases, withdrawn).
#[derive(Clone, Debug)]
pub(crate) struct Existing {
    pub id: i64,
    pub org_id: i64,
    pub sbom_id: i64,
    pub ord: i64,
    pub advisory_id: String,
    pub aliases: Vec<String>,
    pub withdrawn: bool,
    /// The stored match kind and CPE decision (a re-match brings them up to date).
    pub match_kind: String,
    pub decision: Option<i64>,
}

/// When and why a finding was withdrawn.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Withdrawal {
    /// Unix seconds.
    pub at: i64,
    /// Why, in words.
    pub reason: String,
}

const EXISTING_COLS: &str = "id, org_id, sbom_id, component_ord, advisory_id, aliases, withdrawn_at, match_kind, \
     cpe_decision_id FROM finding";

fn existing_from(r: &sqlx::any::AnyRow) -> Result<Existing, StoreError> {
    Ok(Existing {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        sbom_id: r.try_get("sbom_id")?,
        ord: r.try_get("component_ord")?,
        advisory_id: r.try_get("advisory_id")?,
        aliases: crate::text::json_column(r, "aliases")?,
        withdrawn: r.try_get::<Option<i64>, _>("withdrawn_at")?.is_some(),
        match_kind: r.try_get("match_kind")?,
        decision: r.try_get("cpe_decision_id")?,
    })
}

impl Store {
    /// The stored findings of these advisories (by id or through an advisory alias).
    pub(crate) async fn findings_of_advisories(
        &self,
        ids: &[String],
    ) -> Result<Vec<Existing>, StoreError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(crate::CHUNK_ROWS / 2) {
            let n = chunk.len();
            let sql = format!(
                "SELECT {EXISTING_COLS} WHERE advisory_id IN ({}) OR advisory_id IN \
                 (SELECT advisory_id FROM advisory_alias WHERE alias IN ({}))",
                placeholders(1, n),
                placeholders(1 + n, n)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for id in chunk.iter().chain(chunk) {
                q = q.bind(id.as_str());
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push(existing_from(&r)?);
            }
        }
        Ok(out)
    }

    /// The stored findings of these SBOMs.
    pub(crate) async fn findings_of_sboms(
        &self,
        sbom_ids: &[i64],
    ) -> Result<Vec<Existing>, StoreError> {
        let mut out = Vec::new();
        for chunk in sbom_ids.chunks(crate::CHUNK_ROWS) {
            let sql = format!(
                "SELECT {EXISTING_COLS} WHERE sbom_id IN ({})",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push(existing_from(&r)?);
            }
        }
        Ok(out)
    }

    /// When and why a finding of this organisation was withdrawn; `None` while it matches.
    pub async fn finding_withdrawal(
        &self,
        org_id: i64,
        finding_id: i64,
    ) -> Result<Option<Withdrawal>, StoreError> {
        let row = sqlx::query(
            "SELECT withdrawn_at, withdrawn_reason FROM finding WHERE id = $1 AND org_id = $2",
        )
        .bind(finding_id)
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("finding", finding_id))?;
        let at: Option<i64> = row.try_get("withdrawn_at")?;
        Ok(at.map(|at| Withdrawal {
            at,
            reason: row
                .try_get::<Option<String>, _>("withdrawn_reason")
                .ok()
                .flatten()
                .unwrap_or_default(),
        }))
    }
}

/// Withdraws findings (each with its reason) inside the caller's transaction; returns how many
/// changed. Set-based: per reason and chunk of ids one `UPDATE … RETURNING` and one history
/// `INSERT … SELECT`, so a change that withdraws thousands of findings costs a few statements,
/// not two round trips per finding (issue 20, "Speed").
pub(crate) async fn withdraw(
    conn: &mut AnyConnection,
    items: &[(&Existing, String)],
    now: i64,
) -> Result<usize, StoreError> {
    let mut by_reason: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (f, reason) in items {
        by_reason.entry(reason.as_str()).or_default().push(f.id);
    }
    let mut changed = BTreeSet::new();
    for (reason, ids) in by_reason {
        for chunk in ids.chunks(crate::CHUNK_ROWS) {
            let sql = format!(
                "UPDATE finding SET withdrawn_at = $1, withdrawn_reason = $2, updated_at = $1, \
                 status = CASE WHEN status IN ('under_investigation', 'affected') THEN 'not_affected' ELSE status END, \
                 justification = CASE WHEN status IN ('under_investigation', 'affected') THEN $3 ELSE justification END \
                 WHERE withdrawn_at IS NULL AND id IN ({}) RETURNING id",
                placeholders(4, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(now)
                .bind(reason)
                .bind(WITHDRAWN_JUSTIFICATION);
            for id in chunk {
                q = q.bind(*id);
            }
            let ids = returned_ids(q.fetch_all(&mut *conn).await?)?;
            // The entry copies the status and justification the finding now has.
            history(conn, &ids, reason, now).await?;
            changed.extend(ids);
        }
    }
    finish(
        conn,
        "finding.withdraw",
        per_org(items.iter().map(|(f, _)| *f), &changed),
        now,
    )
    .await
}

/// Reopens withdrawn findings that match again; returns how many changed. Set-based like
/// [`withdraw`].
pub(crate) async fn reopen(
    conn: &mut AnyConnection,
    items: &[&Existing],
    now: i64,
) -> Result<usize, StoreError> {
    let mut changed = BTreeSet::new();
    let ids: Vec<i64> = items.iter().map(|f| f.id).collect();
    for chunk in ids.chunks(crate::CHUNK_ROWS) {
        let sql = format!(
            "UPDATE finding SET withdrawn_at = NULL, withdrawn_reason = NULL, updated_at = $1, \
             status = 'under_investigation', justification = NULL \
             WHERE withdrawn_at IS NOT NULL AND id IN ({}) RETURNING id",
            placeholders(2, chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now);
        for id in chunk {
            q = q.bind(*id);
        }
        let ids = returned_ids(q.fetch_all(&mut *conn).await?)?;
        let why = "matched again after a change to its advisory data; reopened";
        history(conn, &ids, why, now).await?;
        changed.extend(ids);
    }
    finish(
        conn,
        "finding.reopen",
        per_org(items.iter().copied(), &changed),
        now,
    )
    .await
}

fn returned_ids(rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<i64>, StoreError> {
    Ok(rows
        .iter()
        .map(|r| r.try_get::<i64, _>("id"))
        .collect::<Result<_, _>>()?)
}

/// The changed findings by organisation, in the order the caller gave them.
fn per_org<'a>(
    items: impl Iterator<Item = &'a Existing>,
    changed: &BTreeSet<i64>,
) -> BTreeMap<i64, Vec<i64>> {
    let mut out: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for f in items.filter(|f| changed.contains(&f.id)) {
        out.entry(f.org_id).or_default().push(f.id);
    }
    out
}

/// One history entry by `system` per finding, copying the status and justification the finding
/// now has.
async fn history(
    conn: &mut AnyConnection,
    ids: &[i64],
    comment: &str,
    now: i64,
) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO triage (org_id, finding_id, status, justification, comment, actor, at) \
         SELECT org_id, id, status, justification, $1, $2, $3 FROM finding WHERE id IN ({}) \
         ORDER BY id",
        placeholders(4, ids.len())
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(comment)
        .bind(Actor::system().display())
        .bind(now);
    for id in ids {
        q = q.bind(*id);
    }
    q.execute(&mut *conn).await?;
    Ok(())
}

/// One audit event per organisation, and the findings generation raised.
async fn finish(
    conn: &mut AnyConnection,
    action: &str,
    per_org: BTreeMap<i64, Vec<i64>>,
    now: i64,
) -> Result<usize, StoreError> {
    let changed = per_org.values().map(Vec::len).sum();
    crate::findings::bump_findings_generation(conn, per_org.keys().copied()).await?;
    for (org_id, ids) in per_org {
        record(
            conn,
            Event {
                org_id: Some(org_id),
                actor: &Actor::system(),
                action,
                target_kind: "finding",
                target_id: &ids.first().copied().unwrap_or_default().to_string(),
                details: serde_json::json!({"finding_ids": ids}),
                at: now,
            },
        )
        .await?;
    }
    Ok(changed)
}
