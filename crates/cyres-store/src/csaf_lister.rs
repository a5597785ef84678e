//! CSAF providers an authority lists and pulls (issue 18, point 6; migration 0027): the
//! sources, the documents accepted from each, and what its latest pull refused and why.
//!
//! A pull is recorded in one transaction: the source's metadata and counts, the accepted
//! documents (one row per document URL, replaced by a newer accepted revision), the refusals
//! of this pull (those of the previous pull are dropped) and one audit entry.

use crate::audit::{Event, record};
use crate::{Actor, Store, StoreError};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

/// A listed provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CsafSource {
    /// Id.
    pub id: i64,
    /// The listing authority.
    pub org_id: i64,
    /// The provider's `provider-metadata.json`.
    pub url: String,
    /// Its publisher's name, from the last pull that read the metadata.
    pub publisher_name: Option<String>,
    /// Its publisher's namespace.
    pub publisher_namespace: Option<String>,
    /// Its publisher's category.
    pub publisher_category: Option<String>,
    /// The role it claims (`csaf_trusted_provider`, …).
    pub role: Option<String>,
    /// The provider's own `last_updated`.
    pub provider_last_updated: Option<String>,
    /// The `csaf_providers` entry for `aggregator.json` (JSON), from the last read metadata.
    #[serde(skip)]
    pub listed_metadata: Option<String>,
    /// Fingerprints of the keys its metadata publishes (and that were read).
    pub key_fingerprints: Vec<String>,
    /// Who added it.
    pub added_by: String,
    /// When.
    pub added_at: i64,
    /// When it was last pulled.
    pub last_pull_at: Option<i64>,
    /// Why the last pull failed as a whole (`None`: it ran; refusals are per document).
    pub last_error: Option<String>,
    /// Documents held from it.
    pub accepted: i64,
    /// Documents its last pull refused.
    pub refused: i64,
}

/// A document accepted from a source (without its body).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CsafMirror {
    /// Id.
    pub id: i64,
    /// The source.
    pub source_id: i64,
    /// Where it was read.
    pub url: String,
    /// `/document/tracking/id`.
    pub tracking_id: String,
    /// `/document/tracking/version`.
    pub version: String,
    /// `/document/title`.
    pub title: String,
    /// `/document/category`.
    pub category: String,
    /// TLP label.
    pub tlp: Option<String>,
    /// `/document/tracking/current_release_date`.
    pub current_release_date: String,
    /// SHA-256 of the bytes held.
    pub sha256: String,
    /// Which hash file matched (`sha512`, `sha256`).
    pub hash_checked: String,
    /// Fingerprint of the key whose signature verified.
    pub signed_by: String,
    /// When it was read.
    pub fetched_at: i64,
}

/// A document to hold.
#[derive(Clone, Debug)]
pub struct NewCsafMirror {
    /// Where it was read.
    pub url: String,
    /// Tracking id.
    pub tracking_id: String,
    /// Version.
    pub version: String,
    /// Title.
    pub title: String,
    /// Category.
    pub category: String,
    /// TLP label.
    pub tlp: Option<String>,
    /// Current release date.
    pub current_release_date: String,
    /// SHA-256 of the bytes.
    pub sha256: String,
    /// The hash file that matched.
    pub hash_checked: String,
    /// The signing key's fingerprint.
    pub signed_by: String,
    /// The document, as read.
    pub body: String,
}

/// Something a pull refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CsafRefusal {
    /// The URL refused.
    pub url: String,
    /// The rule that refused it.
    pub reason: String,
    /// When.
    pub at: i64,
}

/// What one pull of a source found.
#[derive(Clone, Debug, Default)]
pub struct CsafPull {
    /// Publisher name, namespace and category, from the metadata.
    pub publisher: Option<(String, String, String)>,
    /// The role the metadata claims.
    pub role: Option<String>,
    /// The metadata's `last_updated`.
    pub provider_last_updated: Option<String>,
    /// The `aggregator.json` entry (JSON).
    pub listed_metadata: Option<String>,
    /// Fingerprints of the keys read.
    pub key_fingerprints: Vec<String>,
    /// New or changed documents accepted.
    pub accepted: Vec<NewCsafMirror>,
    /// Documents refused.
    pub refused: Vec<(String, String)>,
    /// Why the pull failed as a whole (metadata unreadable, no key, …).
    pub error: Option<String>,
}

const SOURCE_COLS: &str = "id, org_id, url, publisher_name, publisher_namespace, \
    publisher_category, role, provider_last_updated, listed_metadata, key_fingerprints, \
    added_by, added_at, last_pull_at, last_error, accepted, refused";

const MIRROR_COLS: &str = "id, source_id, url, tracking_id, version, title, category, tlp, \
    current_release_date, sha256, hash_checked, signed_by, fetched_at";

fn source_from(r: &AnyRow) -> Result<CsafSource, StoreError> {
    let fps: String = r.try_get("key_fingerprints")?;
    Ok(CsafSource {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        url: r.try_get("url")?,
        publisher_name: r.try_get("publisher_name")?,
        publisher_namespace: r.try_get("publisher_namespace")?,
        publisher_category: r.try_get("publisher_category")?,
        role: r.try_get("role")?,
        provider_last_updated: r.try_get("provider_last_updated")?,
        listed_metadata: r.try_get("listed_metadata")?,
        key_fingerprints: serde_json::from_str(&fps).map_err(|e| StoreError::Corrupt {
            what: "csaf_source.key_fingerprints",
            message: e.to_string(),
        })?,
        added_by: r.try_get("added_by")?,
        added_at: r.try_get("added_at")?,
        last_pull_at: r.try_get("last_pull_at")?,
        last_error: r.try_get("last_error")?,
        accepted: r.try_get("accepted")?,
        refused: r.try_get("refused")?,
    })
}

fn mirror_from(r: &AnyRow) -> Result<CsafMirror, StoreError> {
    Ok(CsafMirror {
        id: r.try_get("id")?,
        source_id: r.try_get("source_id")?,
        url: r.try_get("url")?,
        tracking_id: r.try_get("tracking_id")?,
        version: r.try_get("version")?,
        title: r.try_get("title")?,
        category: r.try_get("category")?,
        tlp: r.try_get("tlp")?,
        current_release_date: r.try_get("current_release_date")?,
        sha256: r.try_get("sha256")?,
        hash_checked: r.try_get("hash_checked")?,
        signed_by: r.try_get("signed_by")?,
        fetched_at: r.try_get("fetched_at")?,
    })
}

impl Store {
    /// Lists a provider for `org_id`, audited. The same URL twice is a conflict.
    pub async fn add_csaf_source(
        &self,
        org_id: i64,
        url: &str,
        actor: &Actor,
        now: i64,
    ) -> Result<CsafSource, StoreError> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO csaf_source (org_id, url, added_by, added_at) VALUES ($1, $2, $3, $4) \
             RETURNING {SOURCE_COLS}"
        )))
        .bind(org_id)
        .bind(url)
        .bind(&actor.label)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::from(e).conflict_on_unique("this provider is already listed"))?;
        let source = source_from(&row)?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "csaf_source.add",
                target_kind: "csaf_source",
                target_id: &source.id.to_string(),
                details: serde_json::json!({ "url": url }),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(source)
    }

    /// The providers `org_id` lists, by publisher name then URL.
    pub async fn csaf_sources(&self, org_id: i64) -> Result<Vec<CsafSource>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SOURCE_COLS} FROM csaf_source WHERE org_id = $1 \
             ORDER BY COALESCE(publisher_name, url), url"
        )))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(source_from).collect()
    }

    /// Every listed provider whose last pull is older than `before` (one never pulled counts
    /// from when it was added: adding pulls at once), over all organisations: the worker's
    /// schedule.
    pub async fn csaf_sources_due(&self, before: i64) -> Result<Vec<CsafSource>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SOURCE_COLS} FROM csaf_source \
             WHERE COALESCE(last_pull_at, added_at) <= $1 ORDER BY id"
        )))
        .bind(before)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(source_from).collect()
    }

    /// One of `org_id`'s providers; another organisation's is not found.
    pub async fn csaf_source(&self, org_id: i64, id: i64) -> Result<CsafSource, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SOURCE_COLS} FROM csaf_source WHERE org_id = $1 AND id = $2"
        )))
        .bind(org_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref()
            .map(source_from)
            .transpose()?
            .ok_or(StoreError::NotFound {
                kind: "CSAF provider",
                id: id.to_string(),
            })
    }

    /// Stops listing a provider: its documents and refusals go with it, audited.
    pub async fn remove_csaf_source(
        &self,
        org_id: i64,
        id: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<(), StoreError> {
        let source = self.csaf_source(org_id, id).await?;
        let mut tx = self.begin().await?;
        for table in ["csaf_refusal", "csaf_mirror"] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE source_id = $1"
            )))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM csaf_source WHERE id = $1 AND org_id = $2")
            .bind(id)
            .bind(org_id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "csaf_source.remove",
                target_kind: "csaf_source",
                target_id: &id.to_string(),
                details: serde_json::json!({ "url": source.url, "documents": source.accepted }),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The SHA-256 of each document held from a source, by URL: a pull skips what it holds.
    pub async fn csaf_mirror_hashes(
        &self,
        source_id: i64,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT url, sha256, current_release_date FROM csaf_mirror WHERE source_id = $1",
        )
        .bind(source_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("url")?,
                    r.try_get("sha256")?,
                    r.try_get("current_release_date")?,
                ))
            })
            .collect()
    }

    /// Records one pull, in one transaction (see the module documentation).
    pub async fn record_csaf_pull(
        &self,
        source: &CsafSource,
        pull: &CsafPull,
        actor: &Actor,
        now: i64,
    ) -> Result<CsafSource, StoreError> {
        let mut tx = self.begin().await?;
        for d in &pull.accepted {
            // A newer accepted revision replaces the held one (two pulls at once write the same).
            sqlx::query(
                "INSERT INTO csaf_mirror (source_id, org_id, url, tracking_id, version, title, \
                 category, tlp, current_release_date, sha256, hash_checked, signed_by, body, \
                 fetched_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
                 ON CONFLICT (source_id, url) DO UPDATE SET tracking_id = excluded.tracking_id, \
                 version = excluded.version, title = excluded.title, \
                 category = excluded.category, tlp = excluded.tlp, \
                 current_release_date = excluded.current_release_date, \
                 sha256 = excluded.sha256, hash_checked = excluded.hash_checked, \
                 signed_by = excluded.signed_by, body = excluded.body, \
                 fetched_at = excluded.fetched_at",
            )
            .bind(source.id)
            .bind(source.org_id)
            .bind(&d.url)
            .bind(&d.tracking_id)
            .bind(&d.version)
            .bind(&d.title)
            .bind(&d.category)
            .bind(d.tlp.as_deref())
            .bind(&d.current_release_date)
            .bind(&d.sha256)
            .bind(&d.hash_checked)
            .bind(&d.signed_by)
            .bind(&d.body)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        // A pull that failed as a whole read no document list: the earlier refusals stand.
        if pull.error.is_none() {
            sqlx::query("DELETE FROM csaf_refusal WHERE source_id = $1")
                .bind(source.id)
                .execute(&mut *tx)
                .await?;
            for (url, reason) in &pull.refused {
                sqlx::query(
                    "INSERT INTO csaf_refusal (source_id, org_id, url, reason, at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(source.id)
                .bind(source.org_id)
                .bind(url)
                .bind(reason)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
        let held: i64 = sqlx::query("SELECT COUNT(*) AS n FROM csaf_mirror WHERE source_id = $1")
            .bind(source.id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        let refused: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM csaf_refusal WHERE source_id = $1")
                .bind(source.id)
                .fetch_one(&mut *tx)
                .await?
                .try_get("n")?;
        let (name, namespace, category) = match &pull.publisher {
            Some((n, ns, c)) => (Some(n.as_str()), Some(ns.as_str()), Some(c.as_str())),
            None => (None, None, None),
        };
        let fps = serde_json::to_string(&pull.key_fingerprints).map_err(|e| {
            StoreError::invalid_general(format!("key fingerprints cannot be stored: {e}"))
        })?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE csaf_source SET \
             publisher_name = COALESCE($1, publisher_name), \
             publisher_namespace = COALESCE($2, publisher_namespace), \
             publisher_category = COALESCE($3, publisher_category), \
             role = COALESCE($4, role), \
             provider_last_updated = COALESCE($5, provider_last_updated), \
             listed_metadata = COALESCE($6, listed_metadata), \
             key_fingerprints = CASE WHEN $7 = '[]' THEN key_fingerprints ELSE $7 END, \
             last_pull_at = $8, last_error = $9, accepted = $10, refused = $11 \
             WHERE id = $12 RETURNING {SOURCE_COLS}"
        )))
        .bind(name)
        .bind(namespace)
        .bind(category)
        .bind(pull.role.as_deref())
        .bind(pull.provider_last_updated.as_deref())
        .bind(pull.listed_metadata.as_deref())
        .bind(&fps)
        .bind(now)
        .bind(pull.error.as_deref())
        .bind(held)
        .bind(refused)
        .bind(source.id)
        .fetch_one(&mut *tx)
        .await?;
        let updated = source_from(&row)?;
        record(
            &mut tx,
            Event {
                org_id: Some(source.org_id),
                actor,
                action: "csaf_source.pull",
                target_kind: "csaf_source",
                target_id: &source.id.to_string(),
                details: serde_json::json!({
                    "url": source.url,
                    "accepted": pull.accepted.iter().map(|d| &d.url).collect::<Vec<_>>(),
                    "refused": pull.refused.len(),
                    "error": pull.error,
                }),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// The documents held from one of `org_id`'s sources, newest release first.
    pub async fn csaf_mirrors(
        &self,
        org_id: i64,
        source_id: i64,
    ) -> Result<Vec<CsafMirror>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {MIRROR_COLS} FROM csaf_mirror WHERE org_id = $1 AND source_id = $2 \
             ORDER BY current_release_date DESC, url"
        )))
        .bind(org_id)
        .bind(source_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(mirror_from).collect()
    }

    /// One held document with its bytes; another organisation's is not found.
    pub async fn csaf_mirror(
        &self,
        org_id: i64,
        id: i64,
    ) -> Result<(CsafMirror, String), StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {MIRROR_COLS}, body FROM csaf_mirror WHERE org_id = $1 AND id = $2"
        )))
        .bind(org_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound {
            kind: "CSAF document",
            id: id.to_string(),
        })?;
        Ok((mirror_from(&row)?, row.try_get("body")?))
    }

    /// What the latest pull of one of `org_id`'s sources refused.
    pub async fn csaf_refusals(
        &self,
        org_id: i64,
        source_id: i64,
    ) -> Result<Vec<CsafRefusal>, StoreError> {
        let rows = sqlx::query(
            "SELECT url, reason, at FROM csaf_refusal WHERE org_id = $1 AND source_id = $2 \
             ORDER BY url",
        )
        .bind(org_id)
        .bind(source_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CsafRefusal {
                    url: r.try_get("url")?,
                    reason: r.try_get("reason")?,
                    at: r.try_get("at")?,
                })
            })
            .collect()
    }
}
