//! Severity from an alias (issue 17, point 2): a finding whose own records carry no severity
//! (Go's `GO-…` and PyPA's `PYSEC-…` records usually have no CVSS vector) takes the severity of
//! another record of the same flaw that the store holds (the GHSA record, NVD's CVE record),
//! with that record's id kept in `finding.severity_source` so every surface can say where it
//! comes from ("9.8 from GHSA-…").
//!
//! This is the one place the rule runs. It writes the finding's `severity` and `score`
//! columns, so everything that reads them (the findings list and its sort, the API, the CSV,
//! the finding page, policies and the release gate, notification rules' severity threshold,
//! the metrics' severity bands) sees the same value without knowing the rule. Which alias
//! wins when several carry one is [`cyres_vuln::severity::borrow`]: the highest, because it
//! is the reading that protects users.
//!
//! When it runs, always inside the transaction that changes the inputs:
//! - findings inserted (ingest, re-match): before their alerts are raised, so a notification
//!   rule's severity threshold sees the borrowed severity;
//! - advisories inserted or updated: the findings of every record of the changed flaws;
//! - once for the findings stored before migration 0022 ([`Store::backfill_alias_severity`],
//!   at the worker's start).
//!
//! A finding whose records gain a severity of their own keeps it: only findings whose own
//! severity is unknown, or already borrowed, are rescored ([`BORROWS`]).

use crate::findings::bump_findings_generation;
use crate::{Store, StoreError, placeholders};
use cyres_vuln::severity::{Severity, borrow};
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Findings whose severity may come from an alias: their records carry none, or it already
/// does (a condition on `finding`).
const BORROWS: &str = "(severity_source IS NOT NULL OR (severity = 'unknown' AND score IS NULL))";

/// Re-decides the borrowed severity of the findings whose primary advisory id is in
/// `advisory_ids`, inside the caller's transaction; raises the findings generation of every
/// organisation whose findings changed. Returns how many findings changed.
pub(crate) async fn rescore(
    conn: &mut AnyConnection,
    advisory_ids: &BTreeSet<String>,
    now: i64,
) -> Result<u64, StoreError> {
    // Every id of each flaw, as its findings name them (primary id and aliases).
    let ids: Vec<&String> = advisory_ids.iter().collect();
    let mut flaws: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for chunk in ids.chunks(crate::CHUNK_ROWS) {
        let sql = format!(
            "SELECT DISTINCT advisory_id, aliases FROM finding WHERE advisory_id IN ({}) AND {BORROWS}",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(id.as_str());
        }
        for r in q.fetch_all(&mut *conn).await? {
            let id: String = r.try_get("advisory_id")?;
            let aliases: Vec<String> = crate::text::json_column(&r, "aliases")?;
            let set = flaws.entry(id.clone()).or_default();
            set.insert(id.to_ascii_uppercase());
            set.extend(aliases.iter().map(|a| a.trim().to_ascii_uppercase()));
        }
    }
    let mut scored: HashMap<String, Option<Severity>> = HashMap::new();
    let mut changed = 0;
    let mut orgs = BTreeSet::new();
    for (primary, names) in flaws {
        // The records the store holds under any of these ids (`advisory_alias` lists each
        // record's own id too), scored once per call.
        let names: Vec<&String> = names.iter().take(crate::CHUNK_ROWS).collect();
        let sql = format!(
            "SELECT DISTINCT a.id, a.body FROM advisory_alias x JOIN advisory a ON a.id = x.advisory_id \
             WHERE x.alias IN ({}) AND a.withdrawn IS NULL",
            placeholders(1, names.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for n in &names {
            q = q.bind(n.as_str());
        }
        let mut records: Vec<String> = Vec::new();
        for r in q.fetch_all(&mut *conn).await? {
            let id: String = r.try_get("id")?;
            if !scored.contains_key(&id) {
                let body: String = r.try_get("body")?;
                let severity = crate::advisories::parse_body(&body)
                    .ok()
                    .map(|a| Severity::of_advisory(&a));
                scored.insert(id.clone(), severity);
            }
            records.push(id);
        }
        let lent = borrow(
            records
                .iter()
                .filter(|id| **id != primary)
                .filter_map(|id| {
                    scored
                        .get(id)
                        .and_then(Option::as_ref)
                        .map(|s| (id.as_str(), s))
                }),
        );
        let (rating, score, source) = match &lent {
            Some(b) => (
                b.severity.rating.as_str(),
                b.severity.score,
                Some(b.source.as_str()),
            ),
            None => ("unknown", None, None),
        };
        // Not cached: a NULL f64 breaks cached statements on PostgreSQL (sqlx#4284, see
        // `portfolio::insert_findings`); the score is compared through a cast for the same reason.
        let sql = format!(
            "UPDATE finding SET severity = $1, score = CAST($2 AS DOUBLE PRECISION), \
             severity_source = $3, updated_at = $4 WHERE advisory_id = $5 AND {BORROWS} \
             AND NOT (severity = $1 AND COALESCE(severity_source, '') = COALESCE($3, '') \
             AND COALESCE(score, -1) = COALESCE(CAST($2 AS DOUBLE PRECISION), -1)) \
             RETURNING org_id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .persistent(false)
            .bind(rating)
            .bind(score)
            .bind(source)
            .bind(now)
            .bind(primary.as_str())
            .fetch_all(&mut *conn)
            .await?;
        changed += rows.len() as u64;
        for r in rows {
            orgs.insert(r.try_get::<i64, _>("org_id")?);
        }
    }
    bump_findings_generation(conn, orgs).await?;
    Ok(changed)
}

/// The stored records of every flaw that names one of `ids` (upper-case ids, as
/// `advisory_alias` keeps them): the primary ids findings may carry.
pub(crate) async fn records_naming(
    conn: &mut AnyConnection,
    ids: &BTreeSet<String>,
) -> Result<BTreeSet<String>, StoreError> {
    let ids: Vec<&String> = ids.iter().collect();
    let mut out = BTreeSet::new();
    for chunk in ids.chunks(crate::CHUNK_ROWS) {
        let sql = format!(
            "SELECT DISTINCT advisory_id FROM advisory_alias WHERE alias IN ({})",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(id.as_str());
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.insert(r.try_get::<String, _>("advisory_id")?);
        }
    }
    Ok(out)
}

impl Store {
    /// The one pass over the findings stored before migration 0022: [`Store::rescore_all`]
    /// while the migration's marker says it is pending, then the marker is cleared. `None`
    /// when there was nothing to do. Several replicas running it at once do the same writes.
    pub async fn backfill_alias_severity(&self, now: i64) -> Result<Option<u64>, StoreError> {
        let pending = sqlx::query("SELECT pending FROM alias_severity_backfill")
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.try_get::<i64, _>("pending"))
            .transpose()?
            .unwrap_or(0);
        if pending == 0 {
            return Ok(None);
        }
        let changed = self.rescore_all(now).await?;
        sqlx::query("UPDATE alias_severity_backfill SET pending = 0")
            .execute(&self.pool)
            .await?;
        Ok(Some(changed))
    }

    /// Re-decides the borrowed severity of every finding that may borrow one. Returns how many
    /// findings changed.
    pub async fn rescore_all(&self, now: i64) -> Result<u64, StoreError> {
        let ids: BTreeSet<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT DISTINCT advisory_id FROM finding WHERE {BORROWS}"
        )))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.try_get("advisory_id"))
        .collect::<Result<_, _>>()?;
        let mut changed = 0;
        let ids: Vec<String> = ids.into_iter().collect();
        for chunk in ids.chunks(crate::CHUNK_ROWS) {
            let mut tx = self.begin().await?;
            changed += rescore(&mut tx, &chunk.iter().cloned().collect(), now).await?;
            tx.commit().await?;
        }
        Ok(changed)
    }
}
