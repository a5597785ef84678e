//! The manufacturer's public face (migration 0014): the organisation's public contact and
//! disclosure-policy settings (security.txt, RFC 9116; the CVD policy, CRA Annex I Part II
//! (5)-(6)) and each product's Annex II user information, as an editable draft and an
//! immutable published page with a version number.
//!
//! Both are kept as JSON bodies of typed structs, every string bounded by [`crate::text`]
//! before it is written. Reads and writes by members are scoped by organisation; the public
//! read of a product page ([`Store::published_annex_ii`]) is scoped by the organisation the
//! public URL names, and answers only what was published.

use crate::audit::{Event, record};
use crate::text::bounded_json;
use crate::{Actor, Store, StoreError};
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// What an organisation shows the public: its contact, its disclosure policy and the
/// Annex II (1)-(2) facts shared by all its products. Empty strings are "not given".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PublicFace {
    /// Security contact mailbox (RFC 9116 `Contact: mailto:`; Annex II (1)-(2)).
    pub contact_email: String,
    /// Security contact web page (RFC 9116 `Contact: https:`).
    pub contact_url: String,
    /// Postal address (Annex II (1)).
    pub postal_address: String,
    /// Website (Annex II (1), "where available").
    pub website: String,
    /// Languages reports may be written in, comma-separated tags (RFC 9116
    /// `Preferred-Languages`); `en` when empty.
    pub preferred_languages: String,
    /// Where the key to encrypt reports with is (RFC 9116 `Encryption`).
    pub encryption_url: String,
    /// CVD policy: what it covers.
    pub policy_scope: String,
    /// CVD policy: how to report.
    pub policy_how_to_report: String,
    /// CVD policy: what the reporter can expect, and when.
    pub policy_expectations: String,
    /// CVD policy: safe harbour for good-faith research.
    pub policy_safe_harbour: String,
}

/// The editable Annex II fields of a product that the inventory does not already hold (the
/// name and the end of the support period live on the product). Empty strings are "not
/// given".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnnexIiFields {
    /// Product type (Annex II (3)).
    pub product_type: String,
    /// Unique identification: model, article number, purl or CPE (Annex II (3)).
    pub identification: String,
    /// Intended purpose (Annex II (4)).
    pub intended_purpose: String,
    /// Security environment it is meant for (Annex II (4)).
    pub security_environment: String,
    /// Essential functions (Annex II (4)).
    pub essential_functions: String,
    /// Security properties (Annex II (4)).
    pub security_properties: String,
    /// Known or foreseeable circumstances, misuse included, that may lead to significant
    /// cybersecurity risks (Annex II (5)).
    pub foreseeable_risks: String,
    /// Where the EU declaration of conformity is (Annex II (6)).
    pub doc_url: String,
    /// The type of technical security support offered (Annex II (7)).
    pub support_type: String,
    /// Secure commissioning and use (Annex II (8)(a)).
    pub instructions_secure_use: String,
    /// How changes to the product can affect the security of data (Annex II (8)(b)).
    pub instructions_changes: String,
    /// How security updates are installed (Annex II (8)(c)).
    pub instructions_updates: String,
    /// Secure decommissioning and removal of user data (Annex II (8)(d)).
    pub instructions_decommissioning: String,
    /// How automatic installation of security updates is turned off (Annex II (8)(e)).
    pub instructions_auto_updates_off: String,
    /// What an integrator needs (Annex II (8)(f)), where the product is meant for integration.
    pub instructions_integration: String,
    /// Where the SBOM is available, if the manufacturer shares it (Annex II (9)).
    pub sbom_url: String,
}

/// A product's Annex II record: the draft being edited and what was last published.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnnexIiRecord {
    /// The draft fields.
    pub draft: AnnexIiFields,
    /// When the draft was last saved (Unix seconds), `None` before the first save.
    pub updated_at: Option<i64>,
    /// The published page, as the public sees it.
    pub published: Option<serde_json::Value>,
    /// Published version, 0 before the first publication.
    pub version: i64,
    /// When the current version was published (Unix seconds).
    pub published_at: Option<i64>,
}

fn body_of<T: for<'de> Deserialize<'de>>(s: &str, what: &'static str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt {
        what,
        message: e.to_string(),
    })
}

fn text_of<T: Serialize>(root: &str, value: &T) -> Result<String, StoreError> {
    let v = serde_json::to_value(value).map_err(|e| StoreError::invalid(root, format!("{e}")))?;
    bounded_json(root, &v)?;
    Ok(v.to_string())
}

impl Store {
    /// The organisation's public-face settings (all empty before the first save).
    pub async fn public_face(&self, org_id: i64) -> Result<PublicFace, StoreError> {
        let row = sqlx::query("SELECT body FROM org_public_face WHERE org_id = $1")
            .bind(org_id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => body_of(&r.try_get::<String, _>("body")?, "org_public_face.body"),
            None => Ok(PublicFace::default()),
        }
    }

    /// Replaces the organisation's public-face settings.
    pub async fn save_public_face(
        &self,
        org_id: i64,
        face: &PublicFace,
        actor: &Actor,
        now: i64,
    ) -> Result<(), StoreError> {
        let body = text_of("public_face", face)?;
        let query = sqlx::query(
            "INSERT INTO org_public_face (org_id, body, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (org_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
        )
        .bind(org_id)
        .bind(body)
        .bind(now);
        let target = ("organisation", org_id);
        self.write_audited(query, org_id, "public_face.update", target, actor, now)
            .await
    }

    /// Runs one bound write and its audit event in one transaction.
    async fn write_audited<'q>(
        &self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
        org_id: i64,
        action: &str,
        (kind, id): (&str, i64),
        actor: &Actor,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        query.execute(&mut *tx).await?;
        let details = serde_json::json!({});
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action,
                target_kind: kind,
                target_id: &id.to_string(),
                details,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Product `product_id`'s Annex II record (an empty draft before the first save); the
    /// product must be the organisation's.
    pub async fn annex_ii(
        &self,
        org_id: i64,
        product_id: i64,
    ) -> Result<AnnexIiRecord, StoreError> {
        self.product(org_id, product_id).await?;
        let row = sqlx::query(
            "SELECT draft, updated_at, published, version, published_at FROM product_annex_ii \
             WHERE product_id = $1 AND org_id = $2",
        )
        .bind(product_id)
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else {
            return Ok(AnnexIiRecord {
                draft: AnnexIiFields::default(),
                updated_at: None,
                published: None,
                version: 0,
                published_at: None,
            });
        };
        let published = match r.try_get::<Option<String>, _>("published")? {
            Some(s) => Some(body_of(&s, "product_annex_ii.published")?),
            None => None,
        };
        Ok(AnnexIiRecord {
            draft: body_of(&r.try_get::<String, _>("draft")?, "product_annex_ii.draft")?,
            updated_at: Some(r.try_get("updated_at")?),
            published,
            version: r.try_get("version")?,
            published_at: r.try_get("published_at")?,
        })
    }

    /// Saves the draft of product `product_id`'s Annex II fields (the published page is
    /// unchanged until [`Store::publish_annex_ii`]).
    pub async fn save_annex_ii_draft(
        &self,
        org_id: i64,
        product_id: i64,
        fields: &AnnexIiFields,
        actor: &Actor,
        now: i64,
    ) -> Result<(), StoreError> {
        self.product(org_id, product_id).await?;
        let body = text_of("annex_ii", fields)?;
        let query = sqlx::query(
            "INSERT INTO product_annex_ii (product_id, org_id, draft, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (product_id) DO UPDATE SET draft = excluded.draft, updated_at = excluded.updated_at",
        )
        .bind(product_id)
        .bind(org_id)
        .bind(body)
        .bind(now);
        let target = ("product", product_id);
        self.write_audited(query, org_id, "annex_ii.save", target, actor, now)
            .await
    }

    /// Publishes `page` (the composed public page) as product `product_id`'s next version;
    /// answers the version. The draft must have been saved first.
    pub async fn publish_annex_ii(
        &self,
        org_id: i64,
        product_id: i64,
        page: &serde_json::Value,
        actor: &Actor,
        now: i64,
    ) -> Result<i64, StoreError> {
        bounded_json("annex_ii.published", page)?;
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "UPDATE product_annex_ii SET published = $1, version = version + 1, published_at = $2 \
             WHERE product_id = $3 AND org_id = $4 RETURNING version",
        )
        .bind(page.to_string())
        .bind(now)
        .bind(product_id)
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::conflict("annex_ii", "save the page before publishing it"))?;
        let version: i64 = row.try_get("version")?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "annex_ii.publish",
                target_kind: "product",
                target_id: &product_id.to_string(),
                details: serde_json::json!({"version": version}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// The published Annex II page of product `product_id` of organisation `org_id`, for the
    /// public, with its version and publication time: `None` when nothing was published (or
    /// no such product there).
    pub async fn published_annex_ii(
        &self,
        org_id: i64,
        product_id: i64,
    ) -> Result<Option<(serde_json::Value, i64, i64)>, StoreError> {
        let row = sqlx::query(
            "SELECT published, version, published_at FROM product_annex_ii \
             WHERE product_id = $1 AND org_id = $2 AND published IS NOT NULL",
        )
        .bind(product_id)
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => Ok(Some((
                body_of(
                    &r.try_get::<String, _>("published")?,
                    "product_annex_ii.published",
                )?,
                r.try_get("version")?,
                r.try_get::<Option<i64>, _>("published_at")?
                    .unwrap_or_default(),
            ))),
            None => Ok(None),
        }
    }

    /// The ids of the organisation's products with a published Annex II page.
    pub async fn published_annex_ii_products(&self, org_id: i64) -> Result<Vec<i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT product_id FROM product_annex_ii WHERE org_id = $1 AND published IS NOT NULL \
             ORDER BY product_id",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| r.try_get("product_id").map_err(StoreError::from))
            .collect()
    }
}
