//! NVD CPE configurations: what the platform matches firmware components (CPE names, no purl)
//! against, stored whole per CVE and source (migration 0013).
//!
//! A CVE's configurations are kept as NVD wrote them ([`CveConfigurations`]: AND/OR nodes,
//! negation, running-on criteria, every bound) with their source (`nvd`, or `override` for a
//! layer such as Anchore's overrides), and filed under the `cpe/<vendor>:<product>` keys of
//! their vulnerable criteria. Matching reads them back through the engine's own flattening and
//! layering ([`cyres_vuln::nvd`]), so the platform and `cyres scan` give one answer. A changed
//! configuration queues a re-match of exactly the components under its old and new keys, limited
//! to that CVE's findings, in the same transaction (like advisories in `advisories.rs`).

use crate::advisories::AdvisoryImport;
use crate::{Store, StoreError, placeholders};
use cyres_vuln::advisory::Advisory;
use cyres_vuln::nvd::{ConfigSource, CveConfigurations};
use cyres_vuln::platform::SbomCpes;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::{BTreeSet, HashMap};

fn digest(body: &str) -> String {
    Sha256::digest(body.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Store {
    /// Stores CPE configurations in one transaction: new and changed (CVE, source) rows are
    /// written with their keys, unchanged ones (same digest) are counted and left alone, and a
    /// re-match of the touched keys (old and new) is queued for the changed CVEs.
    pub async fn upsert_cpe_configurations(
        &self,
        batch: &[CveConfigurations],
        now: i64,
    ) -> Result<AdvisoryImport, StoreError> {
        let mut out = AdvisoryImport::default();
        let mut tx = self.begin().await?;
        for c in batch {
            let cve = c.cve_id.trim().to_ascii_uppercase();
            if cve.is_empty() {
                continue;
            }
            let source = c.source.as_str();
            let body = crate::text::json_text("configurations", &c.configurations)?;
            let sum = digest(&body);
            let old: Option<String> = sqlx::query(
                "SELECT digest FROM cpe_configuration WHERE advisory_id = $1 AND source = $2",
            )
            .bind(&cve)
            .bind(source)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get("digest"))
            .transpose()?;
            match old {
                Some(d) if d == sum => {
                    out.unchanged += 1;
                    continue;
                }
                Some(_) => {
                    out.updated += 1;
                    let keys = sqlx::query(
                        "SELECT match_key FROM cpe_configuration_key WHERE advisory_id = $1 AND source = $2",
                    )
                    .bind(&cve)
                    .bind(source)
                    .fetch_all(&mut *tx)
                    .await?;
                    for r in keys {
                        out.changed_keys.insert(r.try_get("match_key")?);
                    }
                    for table in ["cpe_configuration_key", "cpe_configuration"] {
                        sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DELETE FROM {table} WHERE advisory_id = $1 AND source = $2"
                        )))
                        .bind(&cve)
                        .bind(source)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                None => out.inserted += 1,
            }
            sqlx::query(
                "INSERT INTO cpe_configuration (advisory_id, source, body, digest, imported_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&cve)
            .bind(source)
            .bind(&body)
            .bind(&sum)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            for key in c.keys() {
                sqlx::query(
                    "INSERT INTO cpe_configuration_key (match_key, advisory_id, source) VALUES ($1, $2, $3)",
                )
                .bind(&key)
                .bind(&cve)
                .bind(source)
                .execute(&mut *tx)
                .await?;
                out.changed_keys.insert(key);
            }
            out.changed_ids.insert(cve);
        }
        out.queue_rematch(&mut tx, now).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Every stored configuration filed under any of `keys` (both sources), parsed.
    pub async fn cpe_configurations_for_keys(
        &self,
        keys: &[String],
    ) -> Result<Vec<CveConfigurations>, StoreError> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for chunk in keys.chunks(crate::CHUNK_ROWS) {
            let sql = format!(
                "SELECT DISTINCT c.advisory_id, c.source, c.body FROM cpe_configuration_key k \
                 JOIN cpe_configuration c ON c.advisory_id = k.advisory_id AND c.source = k.source \
                 WHERE k.match_key IN ({})",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for k in chunk {
                q = q.bind(k.as_str());
            }
            for r in q.fetch_all(&self.pool).await? {
                let cve_id: String = r.try_get("advisory_id")?;
                let source: String = r.try_get("source")?;
                if !seen.insert((cve_id.clone(), source.clone())) {
                    continue;
                }
                let corrupt = |message: String| StoreError::Corrupt {
                    what: "cpe configuration",
                    message,
                };
                let source = ConfigSource::parse(&source)
                    .ok_or_else(|| corrupt(format!("unknown source {source:?}")))?;
                let configurations = serde_json::from_str(&r.try_get::<String, _>("body")?)
                    .map_err(|e| corrupt(e.to_string()))?;
                out.push(CveConfigurations {
                    cve_id,
                    source,
                    configurations,
                });
            }
        }
        Ok(out)
    }

    /// The CPEs of these SBOMs (their components' and their product's), for the running-on
    /// platforms of NVD AND configurations.
    pub(crate) async fn sbom_cpes(
        &self,
        sbom_ids: &BTreeSet<i64>,
    ) -> Result<HashMap<i64, SbomCpes>, StoreError> {
        let ids: Vec<i64> = sbom_ids.iter().copied().collect();
        let mut out: HashMap<i64, SbomCpes> = HashMap::new();
        for chunk in ids.chunks(crate::CHUNK_ROWS) {
            let list = placeholders(1, chunk.len());
            let sql = format!(
                "SELECT sbom_id, cpe, purl FROM component WHERE cpe IS NOT NULL AND sbom_id IN ({list})"
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.pool).await? {
                let cpe: String = r.try_get("cpe")?;
                let purl: Option<String> = r.try_get("purl")?;
                let openwrt = purl.is_some_and(|p| p.starts_with("pkg:openwrt/"));
                out.entry(r.try_get("sbom_id")?)
                    .or_default()
                    .add(&cpe, openwrt);
            }
            let sql = format!(
                "SELECT id, product_cpe FROM sbom WHERE product_cpe IS NOT NULL AND id IN ({list})"
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.pool).await? {
                let cpe: String = r.try_get("product_cpe")?;
                out.entry(r.try_get("id")?).or_default().add(&cpe, false);
            }
        }
        Ok(out)
    }

    /// The live (not withdrawn) advisories with these ids or aliases (upper case), parsed, so
    /// that a CPE finding groups with an OSV record of the same flaw as it does in
    /// `cyres scan`; unknown ids are left out.
    pub(crate) async fn advisories_by_ids(
        &self,
        ids: &BTreeSet<String>,
    ) -> Result<Vec<Advisory>, StoreError> {
        let ids: Vec<String> = ids.iter().cloned().collect();
        self.advisories_where_in(
            "SELECT DISTINCT a.id, a.body FROM advisory_alias x JOIN advisory a ON a.id = x.advisory_id \
             WHERE a.withdrawn IS NULL AND x.alias IN ({})",
            &ids,
        )
        .await
    }
}
