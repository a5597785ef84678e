//! Advisories, their match keys and aliases, exploitation facts (KEV, EUVD) and the sync state
//! of advisory sources.
//!
//! An advisory is stored as its OSV JSON plus two lookup tables: `advisory_key` (the
//! `<family>/<name>` match keys of [`cyres_vuln::keys`]) and `advisory_alias` (every id of the
//! flaw, the advisory's own id included). Re-importing a record whose `modified` did not change
//! is a no-op; a changed record replaces the old one and reports the union of its old and new
//! keys, which is exactly the set of portfolio keys that need re-matching.

use crate::{AdvisoryRow, Exploitation, SourceRow, Store, StoreError, placeholders};
use cyres_vuln::advisory::Advisory;
use cyres_vuln::keys::advisory_keys;
use sqlx::Row;
use std::collections::{BTreeSet, HashMap};

/// Result of [`Store::upsert_advisories`].
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct AdvisoryImport {
    /// New records.
    pub inserted: usize,
    /// Records whose `modified` changed.
    pub updated: usize,
    /// Records already stored with the same `modified`.
    pub unchanged: usize,
    /// Match keys touched by inserted or updated records (old and new keys).
    pub changed_keys: BTreeSet<String>,
    /// Ids (upper case) of the inserted or updated records and their aliases.
    pub changed_ids: BTreeSet<String>,
}

impl AdvisoryImport {
    /// Queues the re-match of what changed, in the import's transaction, so a crash after the
    /// commit cannot lose it (the worker picks the job up on the next start). Nothing when
    /// nothing changed.
    pub(crate) async fn queue_rematch(
        &self,
        conn: &mut sqlx::AnyConnection,
        now: i64,
    ) -> Result<(), StoreError> {
        if self.changed_keys.is_empty() {
            return Ok(());
        }
        let job = crate::Job::Rematch {
            keys: self.changed_keys.clone(),
            ids: Some(self.changed_ids.clone()),
        };
        crate::jobs::enqueue(conn, &job, now).await
    }
}

/// Result of [`Store::upsert_exploitation`].
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ExploitationImport {
    /// Facts not seen before.
    pub inserted: usize,
    /// Facts already stored.
    pub unchanged: usize,
    /// CVE ids that were not exploited before this import (by any source).
    pub newly_exploited: Vec<String>,
}

/// The OSV JSON of an advisory, with `references` written back as OSV objects.
pub(crate) fn advisory_body(a: &Advisory) -> Result<String, StoreError> {
    let mut v = serde_json::to_value(a).map_err(|e| StoreError::Corrupt {
        what: "advisory",
        message: e.to_string(),
    })?;
    if let Some(refs) = v.get_mut("references")
        && let Some(list) = refs.as_array()
    {
        *refs = serde_json::Value::Array(
            list.iter()
                .map(|u| serde_json::json!({"type": "WEB", "url": u}))
                .collect(),
        );
    }
    Ok(v.to_string())
}

pub(crate) fn parse_body(body: &str) -> Result<Advisory, StoreError> {
    Advisory::from_json(body.as_bytes()).map_err(|message| StoreError::Corrupt {
        what: "advisory",
        message,
    })
}

impl Store {
    /// Stores a batch of advisories in one transaction.
    pub async fn upsert_advisories(
        &self,
        batch: &[Advisory],
        source: &str,
        now: i64,
    ) -> Result<AdvisoryImport, StoreError> {
        let mut out = AdvisoryImport::default();
        let mut tx = self.begin().await?;
        for chunk in batch.chunks(crate::CHUNK_ROWS) {
            let ids: Vec<&str> = chunk.iter().map(|a| a.id.as_str()).collect();
            let sql = format!(
                "SELECT id, modified FROM advisory WHERE id IN ({})",
                placeholders(1, ids.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for id in &ids {
                q = q.bind(*id);
            }
            let existing: HashMap<String, String> = q
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| Ok((r.try_get("id")?, r.try_get("modified")?)))
                .collect::<Result<_, StoreError>>()?;
            for a in chunk {
                if a.id.trim().is_empty() {
                    continue;
                }
                let modified = a.modified.clone().unwrap_or_default();
                match existing.get(&a.id) {
                    Some(m) if *m == modified => {
                        out.unchanged += 1;
                        continue;
                    }
                    Some(_) => {
                        out.updated += 1;
                        let old = sqlx::query(
                            "SELECT match_key FROM advisory_key WHERE advisory_id = $1",
                        )
                        .bind(&a.id)
                        .fetch_all(&mut *tx)
                        .await?;
                        for r in old {
                            out.changed_keys.insert(r.try_get("match_key")?);
                        }
                        for table in ["advisory_key", "advisory_alias"] {
                            sqlx::query(sqlx::AssertSqlSafe(format!(
                                "DELETE FROM {table} WHERE advisory_id = $1"
                            )))
                            .bind(&a.id)
                            .execute(&mut *tx)
                            .await?;
                        }
                        sqlx::query("DELETE FROM advisory WHERE id = $1")
                            .bind(&a.id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    None => out.inserted += 1,
                }
                sqlx::query(
                    "INSERT INTO advisory (id, modified, published, withdrawn, summary, source, body, imported_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&a.id)
                .bind(&modified)
                .bind(a.published.as_deref())
                .bind(a.withdrawn.as_deref())
                .bind(a.summary.as_deref())
                .bind(source)
                .bind(advisory_body(a)?)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                out.changed_ids.insert(a.id.trim().to_ascii_uppercase());
                out.changed_ids
                    .extend(a.aliases.iter().map(|x| x.trim().to_ascii_uppercase()));
                for key in advisory_keys(a) {
                    sqlx::query(
                        "INSERT INTO advisory_key (match_key, advisory_id) VALUES ($1, $2)",
                    )
                    .bind(&key)
                    .bind(&a.id)
                    .execute(&mut *tx)
                    .await?;
                    out.changed_keys.insert(key);
                }
                let mut ids: BTreeSet<String> = a
                    .aliases
                    .iter()
                    .map(|s| s.trim().to_ascii_uppercase())
                    .collect();
                ids.insert(a.id.trim().to_ascii_uppercase());
                ids.retain(|s| !s.is_empty());
                for alias in ids {
                    sqlx::query("INSERT INTO advisory_alias (alias, advisory_id) VALUES ($1, $2)")
                        .bind(alias)
                        .bind(&a.id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        out.queue_rematch(&mut tx, now).await?;
        if !out.changed_ids.is_empty() {
            // The findings of the changed flaws may borrow (or stop borrowing) a severity.
            let records = crate::alias_severity::records_naming(&mut tx, &out.changed_ids).await?;
            crate::alias_severity::rescore(&mut tx, &records, now).await?;
            crate::findings::bump_advisory_generation(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Every live (not withdrawn) advisory indexed under any of `keys`, parsed.
    pub async fn advisories_for_keys(&self, keys: &[String]) -> Result<Vec<Advisory>, StoreError> {
        self.advisories_where_in(
            "SELECT DISTINCT a.id, a.body FROM advisory_key k JOIN advisory a ON a.id = k.advisory_id \
             WHERE a.withdrawn IS NULL AND k.match_key IN ({})",
            keys,
        )
        .await
    }

    /// The advisories a chunked `IN` list selects: `sql` selects `a.id, a.body` and holds one
    /// `{}` for the placeholders. Each advisory once, parsed.
    pub(crate) async fn advisories_where_in(
        &self,
        sql: &str,
        values: &[String],
    ) -> Result<Vec<Advisory>, StoreError> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for chunk in values.chunks(crate::CHUNK_ROWS) {
            let sql = sql.replace("{}", &placeholders(1, chunk.len()));
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for k in chunk {
                q = q.bind(k.as_str());
            }
            for r in q.fetch_all(&self.pool).await? {
                let id: String = r.try_get("id")?;
                if seen.insert(id) {
                    out.push(parse_body(&r.try_get::<String, _>("body")?)?);
                }
            }
        }
        Ok(out)
    }

    /// One advisory by id or alias (case-insensitive), with its aliases and exploitation.
    pub async fn advisory(&self, id_or_alias: &str) -> Result<(AdvisoryRow, Advisory), StoreError> {
        let key = id_or_alias.trim().to_ascii_uppercase();
        let row = sqlx::query(
            "SELECT a.id, a.modified, a.published, a.withdrawn, a.summary, a.source, a.body \
             FROM advisory_alias x JOIN advisory a ON a.id = x.advisory_id \
             WHERE x.alias = $1 ORDER BY a.id LIMIT 1",
        )
        .bind(&key)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("advisory", id_or_alias))?;
        let body: String = row.try_get("body")?;
        let adv = parse_body(&body)?;
        let mut aliases: Vec<String> = adv.ids().map(str::to_string).collect();
        aliases.sort();
        aliases.dedup();
        let exploited_by = self.exploitation_sources(&aliases).await?;
        Ok((
            AdvisoryRow {
                id: row.try_get("id")?,
                aliases,
                modified: row.try_get("modified")?,
                published: row.try_get("published")?,
                withdrawn: row.try_get("withdrawn")?,
                summary: row.try_get("summary")?,
                source: row.try_get("source")?,
                exploited_by,
            },
            adv,
        ))
    }

    /// Searches advisories by id or alias prefix, or by package name inside a match key.
    pub async fn search_advisories(
        &self,
        text: &str,
        limit: i64,
    ) -> Result<Vec<AdvisoryRow>, StoreError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let escaped = text
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        // By id or alias prefix; by package name as findings show it: the match key's name
        // part (`npm/lodash`), also after a Maven group (`Maven/org.apache.tomcat.embed:
        // tomcat-embed-core` for `tomcat-embed-core`); by summary words, each somewhere
        // (issue 17, point 2).
        let words: Vec<String> = escaped
            .to_lowercase()
            .split_whitespace()
            .take(8)
            .map(|w| format!("%{w}%"))
            .collect();
        let summary: Vec<String> = (0..words.len())
            .map(|i| format!("LOWER(COALESCE(summary, '')) LIKE ${} ESCAPE '\\'", i + 5))
            .collect();
        let sql = format!(
            "SELECT id, modified, published, withdrawn, summary, source FROM advisory WHERE id IN ( \
               SELECT advisory_id FROM advisory_alias WHERE alias LIKE $1 ESCAPE '\\' \
               UNION SELECT advisory_id FROM advisory_key WHERE LOWER(match_key) LIKE $2 ESCAPE '\\' \
                 OR LOWER(match_key) LIKE $3 ESCAPE '\\' \
               UNION SELECT id FROM advisory WHERE {}) \
             ORDER BY id LIMIT $4",
            summary.join(" AND ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(format!("{}%", escaped.to_ascii_uppercase()))
            .bind(format!("%/{}%", escaped.to_lowercase()))
            .bind(format!("%:{}%", escaped.to_lowercase()))
            .bind(limit.clamp(1, 500));
        for w in &words {
            q = q.bind(w.as_str());
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id: String = r.try_get("id")?;
            let aliases: Vec<String> = sqlx::query(
                "SELECT alias FROM advisory_alias WHERE advisory_id = $1 ORDER BY alias",
            )
            .bind(&id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get("alias"))
            .collect::<Result<_, _>>()?;
            let exploited_by = self.exploitation_sources(&aliases).await?;
            out.push(AdvisoryRow {
                id,
                aliases,
                modified: r.try_get("modified")?,
                published: r.try_get("published")?,
                withdrawn: r.try_get("withdrawn")?,
                summary: r.try_get("summary")?,
                source: r.try_get("source")?,
                exploited_by,
            });
        }
        Ok(out)
    }

    /// Number of stored advisories.
    pub async fn advisory_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM advisory")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }

    async fn exploitation_sources(&self, ids: &[String]) -> Result<Vec<String>, StoreError> {
        let cves: Vec<String> = ids
            .iter()
            .map(|s| s.to_ascii_uppercase())
            .filter(|s| s.starts_with("CVE-"))
            .collect();
        if cves.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT DISTINCT source FROM exploitation WHERE cve_id IN ({}) ORDER BY source",
            placeholders(1, cves.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
        for c in &cves {
            q = q.bind(c.as_str());
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok(r.try_get("source")?))
            .collect()
    }

    /// Stores exploitation facts (KEV entries, EUVD flags) in one transaction.
    pub async fn upsert_exploitation(
        &self,
        facts: &[Exploitation],
        now: i64,
    ) -> Result<ExploitationImport, StoreError> {
        let mut out = ExploitationImport::default();
        let mut tx = self.begin().await?;
        let known: BTreeSet<(String, String)> =
            sqlx::query("SELECT cve_id, source FROM exploitation")
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| Ok((r.try_get("cve_id")?, r.try_get("source")?)))
                .collect::<Result<_, StoreError>>()?;
        let exploited: BTreeSet<&str> = known.iter().map(|(c, _)| c.as_str()).collect();
        let mut newly = BTreeSet::new();
        for f in facts {
            let cve = f.cve_id.trim().to_ascii_uppercase();
            if cve.is_empty() {
                continue;
            }
            if known.contains(&(cve.clone(), f.source.clone())) {
                out.unchanged += 1;
                continue;
            }
            sqlx::query(
                "INSERT INTO exploitation (cve_id, source, date_added, due_date, ransomware, reference, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&cve)
            .bind(&f.source)
            .bind(f.date_added.as_deref())
            .bind(f.due_date.as_deref())
            .bind(i64::from(f.ransomware))
            .bind(f.reference.as_deref())
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::from(e).conflict_on_unique(format!("duplicate fact for {cve}")))?;
            out.inserted += 1;
            if !exploited.contains(cve.as_str()) {
                newly.insert(cve);
            }
        }
        if !newly.is_empty() {
            let job = crate::Job::Exploited {
                cves: newly.iter().cloned().collect(),
            };
            crate::jobs::enqueue(&mut tx, &job, now).await?;
        }
        if !newly.is_empty() {
            crate::findings::bump_advisory_generation(&mut tx).await?;
        }
        tx.commit().await?;
        out.newly_exploited = newly.into_iter().collect();
        Ok(out)
    }

    /// Every exploited CVE id (all sources), upper case.
    pub async fn exploited_cves(&self) -> Result<BTreeSet<String>, StoreError> {
        sqlx::query("SELECT DISTINCT cve_id FROM exploitation")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok(r.try_get("cve_id")?))
            .collect()
    }

    /// Exploitation facts for some CVE ids.
    pub async fn exploitation_for(&self, cves: &[String]) -> Result<Vec<Exploitation>, StoreError> {
        let mut out = Vec::new();
        for chunk in cves.chunks(crate::CHUNK_ROWS) {
            let sql = format!(
                "SELECT cve_id, source, date_added, due_date, ransomware, reference FROM exploitation \
                 WHERE cve_id IN ({}) ORDER BY cve_id, source",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for c in chunk {
                q = q.bind(c.to_ascii_uppercase());
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push(Exploitation {
                    cve_id: r.try_get("cve_id")?,
                    source: r.try_get("source")?,
                    date_added: r.try_get("date_added")?,
                    due_date: r.try_get("due_date")?,
                    ransomware: r.try_get::<i64, _>("ransomware")? != 0,
                    reference: r.try_get("reference")?,
                });
            }
        }
        Ok(out)
    }

    /// Registers a configured source (kept if it exists, URL and kind updated).
    pub async fn ensure_source(
        &self,
        id: &str,
        kind: &str,
        url: &str,
    ) -> Result<SourceRow, StoreError> {
        let n = sqlx::query("UPDATE advisory_source SET kind = $1, url = $2 WHERE id = $3")
            .bind(kind)
            .bind(url)
            .bind(id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        if n == 0 {
            sqlx::query(
                "INSERT INTO advisory_source (id, kind, url, state) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(kind)
            .bind(url)
            .bind("{}")
            .execute(&self.pool)
            .await?;
        }
        self.source(id).await
    }

    /// One source's sync bookkeeping.
    pub async fn source(&self, id: &str) -> Result<SourceRow, StoreError> {
        let r = sqlx::query(
            "SELECT id, kind, url, state, last_sync_at, last_result FROM advisory_source WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("source", id))?;
        source_from(&r)
    }

    /// Every source.
    pub async fn sources(&self) -> Result<Vec<SourceRow>, StoreError> {
        sqlx::query("SELECT id, kind, url, state, last_sync_at, last_result FROM advisory_source ORDER BY id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(source_from)
            .collect()
    }

    /// Saves a source's state after (part of) a sync. `finished` stamps the sync time.
    pub async fn save_source_state(
        &self,
        id: &str,
        state: &serde_json::Value,
        result: Option<&serde_json::Value>,
        finished: Option<i64>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE advisory_source SET state = $1, last_result = COALESCE($2, last_result), \
             last_sync_at = COALESCE($3, last_sync_at) WHERE id = $4",
        )
        .bind(state.to_string())
        .bind(result.map(|r| r.to_string()))
        .bind(finished)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

fn source_from(r: &sqlx::any::AnyRow) -> Result<SourceRow, StoreError> {
    Ok(SourceRow {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        url: r.try_get("url")?,
        state: crate::text::json_column(r, "state")?,
        last_sync_at: r.try_get("last_sync_at")?,
        last_result: r
            .try_get::<Option<String>, _>("last_result")?
            .and_then(|s| serde_json::from_str(&s).ok()),
    })
}
