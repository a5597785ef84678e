//! The lifecycle of products, releases and SBOMs (issue 17, point 5).
//!
//! - A product is **archived**, never deleted: it leaves the product list, its findings leave
//!   the open lists and dashboards, everything stays (with the audit trail) and an
//!   administrator can restore it.
//! - A release is **retired**, or reaches the **end of its support period** (CRA Art. 13(8)):
//!   its findings leave the open lists and dashboards and stay on the release for the record.
//! - A release's SBOM is **replaced** by a new version of it: the release points to the new
//!   SBOM, the old one is marked superseded with its components and findings kept, decisions
//!   on the very same component and vulnerability carry over, and [`SbomDiff`] says what
//!   changed.
//!
//! Nothing hides an actively exploited finding that is still open: CRA Art. 14(1) makes the
//! manufacturer notify every actively exploited vulnerability it becomes aware of, with no
//! exception for products it stopped selling or supporting, and the clocks of Art. 14(2) run
//! from awareness. Such findings stay in the open lists and on the dashboard (where the one
//! Art. 14 clock is shown) until someone records a decision, and cases are never filtered by a
//! product's state, so a case in progress never vanishes.
//!
//! How findings are hidden: by the query, not by a copied flag. [`OPEN_LISTS`] is a condition
//! for lists across releases, [`CURRENT_SBOM`] for one release's list; both read the
//! lifecycle columns, so new findings of a retired release (re-matching continues, for the
//! record) are hidden the moment they are written.

use crate::audit::{Event, record};
use crate::findings::bump_findings_generation;
use crate::inventory::{PRODUCT_COLS, product_from};
use crate::{Actor, Product, Store, StoreError};
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet};

/// SQL condition (on `finding`, with the organisation bound as `$1`) for the open lists and
/// dashboards: findings of the current SBOM of a live release of a live product, and every
/// actively exploited finding still without a closing decision (see the module docs).
pub(crate) const OPEN_LISTS: &str = " AND sbom_id NOT IN (SELECT id FROM sbom WHERE org_id = $1 \
     AND superseded_at IS NOT NULL) AND ((exploited = 1 AND status IN ('under_investigation', \
     'affected')) OR release_id NOT IN (SELECT r.id FROM product_release r JOIN product p ON \
     p.id = r.product_id WHERE r.org_id = $1 AND (r.retired_at IS NOT NULL OR p.archived_at IS \
     NOT NULL)))";

/// SQL condition (on `finding`, organisation as `$1`) for one release's list: the findings of
/// its current SBOM, retired or not.
pub(crate) const CURRENT_SBOM: &str =
    " AND sbom_id NOT IN (SELECT id FROM sbom WHERE org_id = $1 AND superseded_at IS NOT NULL)";

/// Why a release left the open lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Retirement {
    /// Withdrawn by the manufacturer (no longer made available).
    Retired,
    /// Its support period ended (CRA Art. 13(8)).
    EndOfSupport,
}

impl Retirement {
    /// `retired` or `end_of_support`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Retired => "retired",
            Self::EndOfSupport => "end_of_support",
        }
    }

    /// From the word.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "retired" => Some(Self::Retired),
            "end_of_support" => Some(Self::EndOfSupport),
            _ => None,
        }
    }
}

/// A release's lifecycle state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReleaseState {
    /// Release.
    pub release_id: i64,
    /// When it was retired (Unix seconds).
    pub retired_at: Option<i64>,
    /// Why.
    pub retired_kind: Option<Retirement>,
    /// The SBOM versions, oldest first.
    pub sbom_versions: Vec<SbomVersion>,
}

/// One SBOM version of a release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SbomVersion {
    /// SBOM id.
    pub sbom_id: i64,
    /// 1, 2, … in upload order.
    pub version: i64,
    /// Uploaded file name.
    pub file_name: String,
    /// SHA-256 of the original.
    pub sha256: String,
    /// Components.
    pub component_count: i64,
    /// Unix seconds.
    pub created_at: i64,
    /// When a newer version replaced it.
    pub superseded_at: Option<i64>,
}

/// A component as the difference between two SBOM versions sees it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DiffComponent {
    /// Name.
    pub name: String,
    /// Version.
    pub version: Option<String>,
    /// Package URL without its version, when it has one.
    pub purl: Option<String>,
}

/// A component whose version changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VersionChange {
    /// Name.
    pub name: String,
    /// Before.
    pub from: Option<String>,
    /// After.
    pub to: Option<String>,
}

/// A finding as the difference sees it: the vulnerability in a component version.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DiffFinding {
    /// Advisory id.
    pub advisory_id: String,
    /// Component name.
    pub component: String,
    /// Component version.
    pub version: Option<String>,
    /// Severity word.
    pub severity: String,
    /// Actively exploited.
    pub exploited: bool,
}

/// What changed from one SBOM version of a release to another.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SbomDiff {
    /// The older SBOM.
    pub from_sbom: i64,
    /// The newer SBOM.
    pub to_sbom: i64,
    /// Components only in the newer one (not version changes).
    pub components_added: Vec<DiffComponent>,
    /// Components only in the older one.
    pub components_removed: Vec<DiffComponent>,
    /// Same component, other version.
    pub components_changed: Vec<VersionChange>,
    /// Components unchanged.
    pub components_unchanged: usize,
    /// Findings only in the newer one.
    pub findings_new: Vec<DiffFinding>,
    /// Findings only in the older one (fixed by the change).
    pub findings_resolved: Vec<DiffFinding>,
    /// Findings in both.
    pub findings_unchanged: usize,
}

/// The identity of a component across versions: its purl without version, else its name.
fn identity(c: &DiffComponent) -> String {
    c.purl.clone().unwrap_or_else(|| c.name.to_lowercase())
}

/// `pkg:npm/lodash@4.17.21?x=y` → `pkg:npm/lodash`.
fn purl_base(purl: &str) -> String {
    let end = purl.find(['@', '?', '#']).unwrap_or(purl.len());
    purl[..end].to_string()
}

/// The difference between two component and finding lists (pure).
pub(crate) fn diff(
    (from_sbom, from_c, from_f): (i64, &[DiffComponent], &[DiffFinding]),
    (to_sbom, to_c, to_f): (i64, &[DiffComponent], &[DiffFinding]),
) -> SbomDiff {
    let old: BTreeMap<String, BTreeSet<&DiffComponent>> =
        from_c.iter().fold(BTreeMap::new(), |mut m, c| {
            m.entry(identity(c)).or_default().insert(c);
            m
        });
    let new: BTreeMap<String, BTreeSet<&DiffComponent>> =
        to_c.iter().fold(BTreeMap::new(), |mut m, c| {
            m.entry(identity(c)).or_default().insert(c);
            m
        });
    let mut out = SbomDiff {
        from_sbom,
        to_sbom,
        ..Default::default()
    };
    for (id, olds) in &old {
        match new.get(id) {
            None => out
                .components_removed
                .extend(olds.iter().map(|c| (*c).clone())),
            Some(news) => {
                let gone: Vec<&&DiffComponent> = olds.difference(news).collect();
                let came: Vec<&&DiffComponent> = news.difference(olds).collect();
                out.components_unchanged += olds.intersection(news).count();
                // One version each side is a version change; anything else is added/removed.
                if gone.len() == 1 && came.len() == 1 {
                    out.components_changed.push(VersionChange {
                        name: came[0].name.clone(),
                        from: gone[0].version.clone(),
                        to: came[0].version.clone(),
                    });
                } else {
                    out.components_removed
                        .extend(gone.iter().map(|c| (**c).clone()));
                    out.components_added
                        .extend(came.iter().map(|c| (**c).clone()));
                }
            }
        }
    }
    for (id, news) in &new {
        if !old.contains_key(id) {
            out.components_added
                .extend(news.iter().map(|c| (*c).clone()));
        }
    }
    let key = |f: &DiffFinding| {
        (
            f.advisory_id.clone(),
            f.component.clone(),
            f.version.clone(),
        )
    };
    let old_f: BTreeMap<_, &DiffFinding> = from_f.iter().map(|f| (key(f), f)).collect();
    let new_f: BTreeMap<_, &DiffFinding> = to_f.iter().map(|f| (key(f), f)).collect();
    for (k, f) in &new_f {
        if old_f.contains_key(k) {
            out.findings_unchanged += 1;
        } else {
            out.findings_new.push((*f).clone());
        }
    }
    out.findings_resolved = old_f
        .iter()
        .filter(|(k, _)| !new_f.contains_key(*k))
        .map(|(_, f)| (*f).clone())
        .collect();
    out.components_added.sort();
    out.components_removed.sort();
    out
}

/// Marks `old` superseded by `new` for a release and numbers `new`, on the caller's
/// transaction. The decisions on the same component (name, version, purl) and vulnerability
/// reached the new findings when they were inserted, with their history entries, through the
/// one carry-over of `triage.rs`.
pub(crate) async fn supersede(
    conn: &mut AnyConnection,
    org_id: i64,
    release_id: i64,
    old: i64,
    new: i64,
    now: i64,
) -> Result<(), StoreError> {
    let n = sqlx::query(
        "UPDATE sbom SET superseded_at = $1 WHERE id = $2 AND org_id = $3 AND release_id = $4 \
         AND superseded_at IS NULL",
    )
    .bind(now)
    .bind(old)
    .bind(org_id)
    .bind(release_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::conflict(
            "sbom",
            "the release's SBOM was replaced meanwhile; reload and try again",
        ));
    }
    sqlx::query(
        "UPDATE sbom SET version = (SELECT MAX(version) FROM sbom WHERE release_id = $1) + 1 \
         WHERE id = $2",
    )
    .bind(release_id)
    .bind(new)
    .execute(&mut *conn)
    .await?;
    bump_findings_generation(conn, [org_id]).await?;
    Ok(())
}

/// The advisories with a finding in SBOM `sbom_id`, on the caller's transaction.
pub(crate) async fn advisories_of(
    conn: &mut AnyConnection,
    org_id: i64,
    sbom_id: i64,
) -> Result<BTreeSet<String>, StoreError> {
    sqlx::query("SELECT DISTINCT advisory_id FROM finding WHERE sbom_id = $1 AND org_id = $2")
        .bind(sbom_id)
        .bind(org_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok(r.try_get("advisory_id")?))
        .collect()
}

impl Store {
    /// Replaces the SBOM of a release by a new version of it: the new SBOM is stored and
    /// matched as by [`Store::ingest_sbom`], the old one is marked superseded (kept, with its
    /// findings), decisions on the same component and vulnerability carry over, and only
    /// vulnerabilities the old SBOM did not have raise alerts; one transaction. A release
    /// without an SBOM simply gets its first.
    pub async fn replace_sbom(
        &self,
        org_id: i64,
        release_id: i64,
        upload: &crate::SbomUpload<'_>,
        actor: &Actor,
        now: i64,
    ) -> Result<crate::IngestOutcome, StoreError> {
        self.ingest(org_id, release_id, upload, true, actor, now)
            .await
    }

    /// Archives a product: it leaves the product list and its findings the open lists (see
    /// the module docs for what stays). A product already archived is a conflict.
    pub async fn archive_product(
        &self,
        org_id: i64,
        id: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<Product, StoreError> {
        self.set_archived(org_id, id, Some(now), actor, now).await
    }

    /// Restores an archived product.
    pub async fn restore_product(
        &self,
        org_id: i64,
        id: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<Product, StoreError> {
        self.set_archived(org_id, id, None, actor, now).await
    }

    async fn set_archived(
        &self,
        org_id: i64,
        id: i64,
        archived_at: Option<i64>,
        actor: &Actor,
        now: i64,
    ) -> Result<Product, StoreError> {
        let mut tx = self.begin().await?;
        let state = if archived_at.is_some() {
            "archived_at IS NULL"
        } else {
            "archived_at IS NOT NULL"
        };
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE product SET archived_at = $1 WHERE id = $2 AND org_id = $3 AND {state} \
             RETURNING {PRODUCT_COLS}"
        )))
        .bind(archived_at)
        .bind(id)
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            drop(tx);
            self.product(org_id, id).await?;
            return Err(StoreError::conflict(
                "product",
                if archived_at.is_some() {
                    "already archived"
                } else {
                    "not archived"
                },
            ));
        };
        let product = product_from(&row)?;
        bump_findings_generation(&mut tx, [org_id]).await?;
        let action = if archived_at.is_some() {
            "product.archive"
        } else {
            "product.restore"
        };
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action,
                target_kind: "product",
                target_id: &id.to_string(),
                details: serde_json::json!({"name": product.name}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(product)
    }

    /// The organisation's archived products with the time each was archived, newest first.
    pub async fn archived_products(&self, org_id: i64) -> Result<Vec<(Product, i64)>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PRODUCT_COLS}, archived_at FROM product WHERE org_id = $1 \
             AND archived_at IS NOT NULL ORDER BY archived_at DESC, id DESC"
        )))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((product_from(r)?, r.try_get("archived_at")?)))
            .collect()
    }

    /// When the product was archived, if it is.
    pub async fn product_archived_at(
        &self,
        org_id: i64,
        id: i64,
    ) -> Result<Option<i64>, StoreError> {
        sqlx::query("SELECT archived_at FROM product WHERE id = $1 AND org_id = $2")
            .bind(id)
            .bind(org_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("product", id))?
            .try_get::<Option<i64>, _>("archived_at")
            .map_err(Into::into)
    }

    /// Retires a release (`Some`) or brings it back (`None`); its findings leave or rejoin the
    /// open lists. Retiring a retired release is a conflict, as is reinstating a live one.
    pub async fn set_release_retirement(
        &self,
        org_id: i64,
        release_id: i64,
        kind: Option<Retirement>,
        actor: &Actor,
        now: i64,
    ) -> Result<ReleaseState, StoreError> {
        let mut tx = self.begin().await?;
        let state = if kind.is_some() {
            "retired_at IS NULL"
        } else {
            "retired_at IS NOT NULL"
        };
        let n = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE product_release SET retired_at = $1, retired_kind = $2 \
             WHERE id = $3 AND org_id = $4 AND {state}"
        )))
        .bind(kind.map(|_| now))
        .bind(kind.map(Retirement::as_str))
        .bind(release_id)
        .bind(org_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            drop(tx);
            self.release(org_id, release_id).await?;
            return Err(StoreError::conflict(
                "release",
                if kind.is_some() {
                    "already retired"
                } else {
                    "not retired"
                },
            ));
        }
        bump_findings_generation(&mut tx, [org_id]).await?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: if kind.is_some() {
                    "release.retire"
                } else {
                    "release.reinstate"
                },
                target_kind: "release",
                target_id: &release_id.to_string(),
                details: serde_json::json!({"kind": kind.map(Retirement::as_str)}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        self.release_state(org_id, release_id).await
    }

    /// A release's lifecycle state and SBOM versions.
    pub async fn release_state(
        &self,
        org_id: i64,
        release_id: i64,
    ) -> Result<ReleaseState, StoreError> {
        let r = sqlx::query(
            "SELECT retired_at, retired_kind FROM product_release WHERE id = $1 AND org_id = $2",
        )
        .bind(release_id)
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("release", release_id))?;
        let kind: Option<String> = r.try_get("retired_kind")?;
        let versions = sqlx::query(
            "SELECT id, version, file_name, sha256, component_count, created_at, superseded_at \
             FROM sbom WHERE release_id = $1 AND org_id = $2 ORDER BY version, id",
        )
        .bind(release_id)
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|v| {
            Ok(SbomVersion {
                sbom_id: v.try_get("id")?,
                version: v.try_get("version")?,
                file_name: v.try_get("file_name")?,
                sha256: v.try_get("sha256")?,
                component_count: v.try_get("component_count")?,
                created_at: v.try_get("created_at")?,
                superseded_at: v.try_get("superseded_at")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(ReleaseState {
            release_id,
            retired_at: r.try_get("retired_at")?,
            retired_kind: kind.as_deref().and_then(Retirement::parse),
            sbom_versions: versions,
        })
    }

    /// The lifecycle states of a product's releases, by release id.
    pub async fn retired_releases(
        &self,
        org_id: i64,
        product_id: i64,
    ) -> Result<BTreeMap<i64, Retirement>, StoreError> {
        sqlx::query(
            "SELECT id, retired_kind FROM product_release WHERE product_id = $1 AND org_id = $2 \
             AND retired_at IS NOT NULL",
        )
        .bind(product_id)
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let kind: Option<String> = r.try_get("retired_kind")?;
            Ok((
                r.try_get("id")?,
                kind.as_deref()
                    .and_then(Retirement::parse)
                    .unwrap_or(Retirement::Retired),
            ))
        })
        .collect()
    }

    /// What changed between two SBOM versions of a release (`from` older, `to` newer); both
    /// must belong to the release.
    pub async fn sbom_diff(
        &self,
        org_id: i64,
        release_id: i64,
        from: i64,
        to: i64,
    ) -> Result<SbomDiff, StoreError> {
        let mut sides = Vec::new();
        for sbom_id in [from, to] {
            let owned = sqlx::query(
                "SELECT id FROM sbom WHERE id = $1 AND org_id = $2 AND release_id = $3",
            )
            .bind(sbom_id)
            .bind(org_id)
            .bind(release_id)
            .fetch_optional(&self.pool)
            .await?;
            if owned.is_none() {
                return Err(StoreError::not_found("sbom", sbom_id));
            }
            let comps = sqlx::query(
                "SELECT name, version, purl FROM component WHERE sbom_id = $1 AND org_id = $2",
            )
            .bind(sbom_id)
            .bind(org_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(DiffComponent {
                    name: r.try_get("name")?,
                    version: r.try_get("version")?,
                    purl: r
                        .try_get::<Option<String>, _>("purl")?
                        .map(|p| purl_base(&p)),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
            let finds = sqlx::query(
                "SELECT advisory_id, component_name, component_version, severity, exploited \
                 FROM finding WHERE sbom_id = $1 AND org_id = $2",
            )
            .bind(sbom_id)
            .bind(org_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(DiffFinding {
                    advisory_id: r.try_get("advisory_id")?,
                    component: r.try_get("component_name")?,
                    version: r.try_get("component_version")?,
                    severity: r.try_get("severity")?,
                    exploited: r.try_get::<i64, _>("exploited")? != 0,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
            sides.push((sbom_id, comps, finds));
        }
        let (a, b) = (&sides[0], &sides[1]);
        Ok(diff((a.0, &a.1, &a.2), (b.0, &b.1, &b.2)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(name: &str, version: &str, purl: Option<&str>) -> DiffComponent {
        DiffComponent {
            name: name.into(),
            version: Some(version.into()),
            purl: purl.map(purl_base),
        }
    }

    fn f(id: &str, comp: &str, version: &str) -> DiffFinding {
        DiffFinding {
            advisory_id: id.into(),
            component: comp.into(),
            version: Some(version.into()),
            severity: "high".into(),
            exploited: false,
        }
    }

    #[test]
    fn diff_names_added_removed_changed_and_resolved() {
        let old = [
            c("openssl", "1.1.1k", Some("pkg:generic/openssl@1.1.1k")),
            c("zlib", "1.2.11", None),
            c("busybox", "1.30", None),
        ];
        let new = [
            c("openssl", "3.0.13", Some("pkg:generic/openssl@3.0.13")),
            c("zlib", "1.2.11", None),
            c("curl", "8.5.0", None),
        ];
        let old_f = [
            f("CVE-1", "openssl", "1.1.1k"),
            f("CVE-2", "zlib", "1.2.11"),
        ];
        let new_f = [f("CVE-2", "zlib", "1.2.11"), f("CVE-3", "curl", "8.5.0")];
        let d = diff((1, &old, &old_f), (2, &new, &new_f));
        assert_eq!(d.components_added, vec![c("curl", "8.5.0", None)]);
        assert_eq!(d.components_removed, vec![c("busybox", "1.30", None)]);
        assert_eq!(
            d.components_changed,
            vec![VersionChange {
                name: "openssl".into(),
                from: Some("1.1.1k".into()),
                to: Some("3.0.13".into())
            }]
        );
        assert_eq!(d.components_unchanged, 1);
        assert_eq!(d.findings_new, vec![f("CVE-3", "curl", "8.5.0")]);
        assert_eq!(d.findings_resolved, vec![f("CVE-1", "openssl", "1.1.1k")]);
        assert_eq!(d.findings_unchanged, 1);
    }

    #[test]
    fn purl_base_drops_version_qualifiers_and_subpath() {
        assert_eq!(purl_base("pkg:npm/lodash@4.17.21?x=y#a"), "pkg:npm/lodash");
        assert_eq!(purl_base("pkg:npm/lodash"), "pkg:npm/lodash");
    }
}
