//! The inventory: products, releases, stored SBOMs and their components. Every query carries
//! the organisation id, so a foreign id is indistinguishable from a missing one.

use crate::audit::{Event, record};
use crate::{Actor, ComponentRow, Product, ProductInput, Release, SbomMeta, Store, StoreError};
use sqlx::Row;
use sqlx::any::AnyRow;

fn json_list(s: &str, what: &'static str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt {
        what,
        message: e.to_string(),
    })
}

pub(crate) fn product_from(r: &AnyRow) -> Result<Product, StoreError> {
    Ok(Product {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        catalogue_entries: json_list(
            &r.try_get::<String, _>("catalogue_entries")?,
            "catalogue entries",
        )?,
        category: r.try_get("category")?,
        member_states: json_list(&r.try_get::<String, _>("member_states")?, "member states")?,
        estimated_users: r.try_get("estimated_users")?,
        support_end: r.try_get("support_end")?,
        created_at: r.try_get("created_at")?,
    })
}

pub(crate) fn release_from(r: &AnyRow) -> Result<Release, StoreError> {
    Ok(Release {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        product_id: r.try_get("product_id")?,
        version: r.try_get("version")?,
        released_on: r.try_get("released_on")?,
        sbom_id: r.try_get("sbom_id")?,
        created_at: r.try_get("created_at")?,
    })
}

pub(crate) const PRODUCT_COLS: &str = "id, org_id, name, description, catalogue_entries, category, \
     member_states, estimated_users, support_end, created_at";
const RELEASE_COLS: &str = "id, org_id, product_id, version, released_on, sbom_id, created_at";

fn check_product(p: &ProductInput) -> Result<(), StoreError> {
    if p.name.trim().is_empty() || p.name.len() > 200 {
        return Err(StoreError::invalid("name", "must be 1 to 200 characters"));
    }
    if p.description.len() > 10_000 {
        return Err(StoreError::invalid(
            "description",
            "at most 10,000 characters",
        ));
    }
    if let Some(u) = p.estimated_users
        && u < 0
    {
        return Err(StoreError::invalid(
            "estimated_users",
            "must not be negative",
        ));
    }
    Ok(())
}

impl Store {
    /// Creates a product.
    pub async fn create_product(
        &self,
        org_id: i64,
        input: &ProductInput,
        actor: &Actor,
        now: i64,
    ) -> Result<Product, StoreError> {
        check_product(input)?;
        let mut tx = self.begin().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO product (org_id, name, description, catalogue_entries, category, \
             member_states, estimated_users, support_end, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {PRODUCT_COLS}"
        )))
        .bind(org_id)
        .bind(input.name.trim())
        .bind(&input.description)
        .bind(crate::text::json_text(
            "catalogue_entries",
            &input.catalogue_entries,
        )?)
        .bind(&input.category)
        .bind(crate::text::json_text(
            "member_states",
            &input.member_states,
        )?)
        .bind(input.estimated_users)
        .bind(input.support_end.as_deref())
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::from(e).conflict_on_unique_field(
                Some("name"),
                format!("a product named {:?} already exists", input.name.trim()),
            )
        })?;
        let product = product_from(&row)?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "product.create",
                target_kind: "product",
                target_id: &product.id.to_string(),
                details: serde_json::json!({"name": product.name, "category": product.category}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(product)
    }

    /// Replaces a product's fields.
    pub async fn update_product(
        &self,
        org_id: i64,
        id: i64,
        input: &ProductInput,
        actor: &Actor,
        now: i64,
    ) -> Result<Product, StoreError> {
        check_product(input)?;
        let mut tx = self.begin().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE product SET name = $1, description = $2, catalogue_entries = $3, category = $4, \
             member_states = $5, estimated_users = $6, support_end = $7 \
             WHERE id = $8 AND org_id = $9 RETURNING {PRODUCT_COLS}"
        )))
        .bind(input.name.trim())
        .bind(&input.description)
        .bind(crate::text::json_text("catalogue_entries", &input.catalogue_entries)?)
        .bind(&input.category)
        .bind(crate::text::json_text("member_states", &input.member_states)?)
        .bind(input.estimated_users)
        .bind(input.support_end.as_deref())
        .bind(id)
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::from(e)
                .conflict_on_unique_field(Some("name"), format!("a product named {:?} already exists", input.name.trim()))
        })?
        .ok_or_else(|| StoreError::not_found("product", id))?;
        let product = product_from(&row)?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "product.update",
                target_kind: "product",
                target_id: &id.to_string(),
                details: serde_json::json!({"name": product.name, "category": product.category}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(product)
    }

    /// One product of this organisation.
    pub async fn product(&self, org_id: i64, id: i64) -> Result<Product, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PRODUCT_COLS} FROM product WHERE id = $1 AND org_id = $2"
        )))
        .bind(id)
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("product", id))?;
        product_from(&row)
    }

    /// The organisation's products by name (archived ones are listed by
    /// [`Store::archived_products`]).
    pub async fn products(&self, org_id: i64) -> Result<Vec<Product>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PRODUCT_COLS} FROM product WHERE org_id = $1 AND archived_at IS NULL ORDER BY name"
        )))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(product_from).collect()
    }

    /// Creates a release of a product of this organisation.
    pub async fn create_release(
        &self,
        org_id: i64,
        product_id: i64,
        version: &str,
        released_on: Option<&str>,
        actor: &Actor,
        now: i64,
    ) -> Result<Release, StoreError> {
        let version = version.trim();
        if version.is_empty() || version.len() > 100 {
            return Err(StoreError::invalid(
                "version",
                "must be 1 to 100 characters",
            ));
        }
        if let Some(d) = released_on
            && time::Date::parse(d, &time::format_description::well_known::Iso8601::DATE).is_err()
        {
            return Err(StoreError::invalid(
                "released_on",
                format!("{d:?} is not a date (YYYY-MM-DD)"),
            ));
        }
        self.product(org_id, product_id).await?;
        let mut tx = self.begin().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO product_release (org_id, product_id, version, released_on, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING {RELEASE_COLS}"
        )))
        .bind(org_id)
        .bind(product_id)
        .bind(version)
        .bind(released_on)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::from(e).conflict_on_unique_field(
                Some("version"),
                format!("release {version} already exists"),
            )
        })?;
        let release = release_from(&row)?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "release.create",
                target_kind: "release",
                target_id: &release.id.to_string(),
                details: serde_json::json!({"product_id": product_id, "version": version}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(release)
    }

    /// One release of this organisation.
    pub async fn release(&self, org_id: i64, id: i64) -> Result<Release, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RELEASE_COLS} FROM product_release WHERE id = $1 AND org_id = $2"
        )))
        .bind(id)
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("release", id))?;
        release_from(&row)
    }

    /// A product's releases, newest first.
    pub async fn releases(&self, org_id: i64, product_id: i64) -> Result<Vec<Release>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RELEASE_COLS} FROM product_release WHERE product_id = $1 AND org_id = $2 \
             ORDER BY id DESC"
        )))
        .bind(product_id)
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(release_from).collect()
    }

    /// Metadata of a release's SBOM.
    pub async fn sbom_meta(&self, org_id: i64, sbom_id: i64) -> Result<SbomMeta, StoreError> {
        let r = sqlx::query(
            "SELECT id, release_id, file_name, format, spec_version, sha256, size_bytes, \
             diagnostics, component_count, created_at FROM sbom WHERE id = $1 AND org_id = $2",
        )
        .bind(sbom_id)
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("sbom", sbom_id))?;
        Ok(SbomMeta {
            id: r.try_get("id")?,
            release_id: r.try_get("release_id")?,
            file_name: r.try_get("file_name")?,
            format: r.try_get("format")?,
            spec_version: r.try_get("spec_version")?,
            sha256: r.try_get("sha256")?,
            size_bytes: r.try_get("size_bytes")?,
            diagnostics: crate::text::json_column(&r, "diagnostics")?,
            component_count: r.try_get("component_count")?,
            created_at: r.try_get("created_at")?,
        })
    }

    /// The original bytes of an SBOM, exactly as uploaded.
    pub async fn sbom_original(&self, org_id: i64, sbom_id: i64) -> Result<Vec<u8>, StoreError> {
        let r = sqlx::query("SELECT original FROM sbom WHERE id = $1 AND org_id = $2")
            .bind(sbom_id)
            .bind(org_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("sbom", sbom_id))?;
        Ok(r.try_get("original")?)
    }

    /// A release's components in SBOM order, one page at a time.
    pub async fn components(
        &self,
        org_id: i64,
        release_id: i64,
        after_ord: i64,
        limit: i64,
    ) -> Result<Vec<ComponentRow>, StoreError> {
        let release = self.release(org_id, release_id).await?;
        let Some(sbom_id) = release.sbom_id else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(
            "SELECT ord, name, version, purl, cpe, supplier, licenses FROM component \
             WHERE sbom_id = $1 AND org_id = $2 AND ord > $3 ORDER BY ord LIMIT $4",
        )
        .bind(sbom_id)
        .bind(org_id)
        .bind(after_ord)
        .bind(limit.clamp(1, 5000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ComponentRow {
                    ord: r.try_get("ord")?,
                    name: r.try_get("name")?,
                    version: r.try_get("version")?,
                    purl: r.try_get("purl")?,
                    cpe: r.try_get("cpe")?,
                    supplier: r.try_get("supplier")?,
                    licenses: r.try_get("licenses")?,
                })
            })
            .collect()
    }
}
