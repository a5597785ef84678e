//! The compliance file of a product (migration 0020): the Annex I essential-requirements record
//! and the cybersecurity risk assessment as versioned JSON documents (CRA Art. 13(2)-(4)),
//! uploaded evidence documents as immutable versions with their SHA-256, and the issued EU
//! declarations of conformity (Art. 28, Annex V) as immutable versions with the fingerprint of
//! their facts.
//!
//! Nothing here is updated in place: every save is a new version with its author and time, and
//! each write carries its audit event in the same transaction. The product's placing on the
//! market (first and last unit, migration 0030) is kept here too, because the retention counts
//! from it: deleting an uploaded document or an issued declaration is refused while
//! `cyres_conformity::retention` of the stored placing and the product's support end runs
//! (Art. 13(13): ten years from the last unit placed or the support period, whichever is longer;
//! no end while units are still being placed). The store computes it itself, so no caller can
//! pass a wrong date. Every read and write is scoped by organisation, so a foreign product is
//! exactly a missing one.

use crate::audit::{Event, record};
use crate::text::{NAME, TITLE, bounded, bounded_json};
use crate::{Actor, Store, StoreError};
use cyres_conformity::{Placing, Retention};
use cyres_cra::calendar::iso_date;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;
use time::Date;

/// Which versioned JSON document of the compliance file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConformityDocKind {
    /// The Annex I essential-requirements record with the declaration facts
    /// (`cyres_conformity::ConformityFacts` without the risk assessment).
    Record,
    /// The cybersecurity risk assessment (Art. 13(2)-(3), `cyres_conformity::RiskAssessment`).
    Risk,
}

impl ConformityDocKind {
    fn as_str(self) -> &'static str {
        match self {
            ConformityDocKind::Record => "record",
            ConformityDocKind::Risk => "risk",
        }
    }
}

/// One saved version of a compliance-file document.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConformityDocVersion {
    /// 1, 2, … per product and kind.
    pub version: i64,
    /// The document.
    pub body: serde_json::Value,
    /// Who saved it (`user:3 (ana@example.com)`).
    pub author: String,
    /// When (Unix seconds).
    pub created_at: i64,
}

/// An evidence document to upload.
#[derive(Clone, Copy, Debug)]
pub struct NewUpload<'a> {
    /// Stable id within the product (`pentest-2028`); a new upload under the same id is its
    /// next version.
    pub doc_key: &'a str,
    /// Title.
    pub title: &'a str,
    /// Kind (`test-report`, `penetration-test`, `design`, `other`), checked by the caller.
    pub kind: &'a str,
    /// File name as given by the uploader.
    pub file_name: &'a str,
    /// The bytes.
    pub content: &'a [u8],
}

/// One version of one product's uploaded evidence document, as named for its removal.
#[derive(Clone, Copy, Debug)]
pub struct UploadVersion<'a> {
    /// The product.
    pub product_id: i64,
    /// The document's stable id within the product.
    pub doc_key: &'a str,
    /// Its version (1, 2, …).
    pub version: i64,
}

/// A stored evidence document version (without its bytes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Upload {
    /// Stable id within the product.
    pub doc_key: String,
    /// 1, 2, … per id.
    pub version: i64,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: String,
    /// File name as uploaded.
    pub file_name: String,
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: i64,
    /// Who uploaded it.
    pub author: String,
    /// When (Unix seconds).
    pub created_at: i64,
}

/// An issued declaration of conformity as stored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredDeclaration {
    /// Version number (from the issued declaration).
    pub version: i64,
    /// The JSON of `cyres_conformity::IssuedDeclaration`.
    pub body: serde_json::Value,
    /// SHA-256 of the facts at issue.
    pub fingerprint: String,
    /// Who issued it.
    pub author: String,
    /// When (Unix seconds).
    pub created_at: i64,
}

const UPLOAD_COLS: &str =
    "doc_key, version, title, kind, file_name, sha256, size, author, created_at";

fn upload_of(r: &AnyRow) -> Result<Upload, StoreError> {
    Ok(Upload {
        doc_key: r.try_get("doc_key")?,
        version: r.try_get("version")?,
        title: r.try_get("title")?,
        kind: r.try_get("kind")?,
        file_name: r.try_get("file_name")?,
        sha256: r.try_get("sha256")?,
        size: r.try_get("size")?,
        author: r.try_get("author")?,
        created_at: r.try_get("created_at")?,
    })
}

fn json_of(s: &str, what: &'static str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt {
        what,
        message: e.to_string(),
    })
}

fn declaration_of(r: &AnyRow) -> Result<StoredDeclaration, StoreError> {
    Ok(StoredDeclaration {
        version: r.try_get("version")?,
        body: json_of(
            &r.try_get::<String, _>("body")?,
            "conformity_declaration.body",
        )?,
        fingerprint: r.try_get("fingerprint")?,
        author: r.try_get("author")?,
        created_at: r.try_get("created_at")?,
    })
}

fn date_of(s: Option<String>, what: &'static str) -> Result<Option<Date>, StoreError> {
    s.map(|d| {
        cyres_cra::calendar::iso_date::parse(&d).map_err(|e| StoreError::Corrupt {
            what,
            message: e.to_string(),
        })
    })
    .transpose()
}

/// The stored placing on the market as shown: the dates, who set them last and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredPlacing {
    /// First and last unit placed.
    pub placing: Placing,
    /// Who changed it last, `None` when never set.
    pub updated_by: Option<String>,
    /// When (Unix seconds).
    pub updated_at: Option<i64>,
}

impl Store {
    /// Saves a new version of product `product_id`'s `kind` document and answers its number.
    pub async fn save_conformity_doc(
        &self,
        org_id: i64,
        product_id: i64,
        kind: ConformityDocKind,
        body: &serde_json::Value,
        actor: &Actor,
        now: i64,
    ) -> Result<i64, StoreError> {
        self.product(org_id, product_id).await?;
        bounded_json(kind.as_str(), body)?;
        let mut tx = self.begin().await?;
        let version: i64 = sqlx::query(
            "SELECT COALESCE(MAX(version), 0) + 1 AS next FROM conformity_doc \
             WHERE product_id = $1 AND org_id = $2 AND kind = $3",
        )
        .bind(product_id)
        .bind(org_id)
        .bind(kind.as_str())
        .fetch_one(&mut *tx)
        .await?
        .try_get("next")?;
        sqlx::query(
            "INSERT INTO conformity_doc (org_id, product_id, kind, version, body, author, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(org_id)
        .bind(product_id)
        .bind(kind.as_str())
        .bind(version)
        .bind(body.to_string())
        .bind(actor.display())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::from(e).conflict_on_unique("the document was saved concurrently; retry")
        })?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: &format!("conformity.{}.save", kind.as_str()),
                target_kind: "product",
                target_id: &product_id.to_string(),
                details: serde_json::json!({ "version": version }),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Every version of product `product_id`'s `kind` document, oldest first.
    pub async fn conformity_doc_versions(
        &self,
        org_id: i64,
        product_id: i64,
        kind: ConformityDocKind,
    ) -> Result<Vec<ConformityDocVersion>, StoreError> {
        self.product(org_id, product_id).await?;
        let rows = sqlx::query(
            "SELECT version, body, author, created_at FROM conformity_doc \
             WHERE product_id = $1 AND org_id = $2 AND kind = $3 ORDER BY version",
        )
        .bind(product_id)
        .bind(org_id)
        .bind(kind.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ConformityDocVersion {
                    version: r.try_get("version")?,
                    body: json_of(&r.try_get::<String, _>("body")?, "conformity_doc.body")?,
                    author: r.try_get("author")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// The latest version of product `product_id`'s `kind` document, if any was saved.
    pub async fn conformity_doc(
        &self,
        org_id: i64,
        product_id: i64,
        kind: ConformityDocKind,
    ) -> Result<Option<ConformityDocVersion>, StoreError> {
        Ok(self
            .conformity_doc_versions(org_id, product_id, kind)
            .await?
            .pop())
    }

    /// Stores an evidence document as the next version of its id; refuses an empty file or one
    /// over `max_bytes`.
    pub async fn add_conformity_upload(
        &self,
        org_id: i64,
        product_id: i64,
        up: NewUpload<'_>,
        max_bytes: usize,
        actor: &Actor,
        now: i64,
    ) -> Result<Upload, StoreError> {
        self.product(org_id, product_id).await?;
        if up.content.is_empty() || up.content.len() > max_bytes {
            return Err(StoreError::invalid(
                "document",
                format!(
                    "the file must hold 1 to {max_bytes} bytes (got {})",
                    up.content.len()
                ),
            ));
        }
        let key_ok = !up.doc_key.is_empty()
            && up
                .doc_key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !key_ok {
            return Err(StoreError::invalid(
                "document_id",
                "letters, digits, '-', '_' and '.' only, not empty",
            ));
        }
        bounded("document id", up.doc_key, NAME)?;
        bounded("title", up.title, TITLE)?;
        bounded("file name", up.file_name, NAME)?;
        if up.title.trim().is_empty() {
            return Err(StoreError::invalid("title", "must not be empty"));
        }
        let sha256: String = Sha256::digest(up.content)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut tx = self.begin().await?;
        let version: i64 = sqlx::query(
            "SELECT COALESCE(MAX(version), 0) + 1 AS next FROM conformity_upload \
             WHERE product_id = $1 AND org_id = $2 AND doc_key = $3",
        )
        .bind(product_id)
        .bind(org_id)
        .bind(up.doc_key)
        .fetch_one(&mut *tx)
        .await?
        .try_get("next")?;
        let size = i64::try_from(up.content.len()).unwrap_or(i64::MAX);
        sqlx::query(
            "INSERT INTO conformity_upload (org_id, product_id, doc_key, version, title, kind, \
             file_name, sha256, size, content, author, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(org_id)
        .bind(product_id)
        .bind(up.doc_key)
        .bind(version)
        .bind(up.title)
        .bind(up.kind)
        .bind(up.file_name)
        .bind(&sha256)
        .bind(size)
        .bind(up.content.to_vec())
        .bind(actor.display())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::from(e).conflict_on_unique("the document was uploaded concurrently; retry")
        })?;
        record(
&mut tx,
Event {
org_id: Some(org_id),
actor,
action: "conformity.document.upload",
target_kind: "product",
target_id: &product_id.to_string(),
details: serde_json::json!({ "document": up.doc_key, "version": version, "sha256": sha256 }),
at: now,
},
)
        .await?;
        tx.commit().await?;
        Ok(Upload {
            doc_key: up.doc_key.to_string(),
            version,
            title: up.title.to_string(),
            kind: up.kind.to_string(),
            file_name: up.file_name.to_string(),
            sha256,
            size,
            author: actor.display(),
            created_at: now,
        })
    }

    /// Every uploaded document version of the product, by id then version.
    pub async fn conformity_uploads(
        &self,
        org_id: i64,
        product_id: i64,
    ) -> Result<Vec<Upload>, StoreError> {
        self.product(org_id, product_id).await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {UPLOAD_COLS} FROM conformity_upload WHERE product_id = $1 AND org_id = $2 \
             ORDER BY doc_key, version"
        )))
        .bind(product_id)
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(upload_of).collect()
    }

    /// One uploaded document version with its bytes.
    pub async fn conformity_upload_content(
        &self,
        org_id: i64,
        product_id: i64,
        doc_key: &str,
        version: i64,
    ) -> Result<(Upload, Vec<u8>), StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {UPLOAD_COLS}, content FROM conformity_upload \
             WHERE product_id = $1 AND org_id = $2 AND doc_key = $3 AND version = $4"
        )))
        .bind(product_id)
        .bind(org_id)
        .bind(doc_key)
        .bind(version)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("document", format!("{doc_key} v{version}")))?;
        Ok((upload_of(&row)?, row.try_get("content")?))
    }

    /// Deletes one uploaded document version on `today`, refused while the product's
    /// retention runs (Art. 13(13), [`Store::conformity_retention`]).
    pub async fn delete_conformity_upload(
        &self,
        org_id: i64,
        upload: &UploadVersion<'_>,
        today: Date,
        actor: &Actor,
        now: i64,
    ) -> Result<(), StoreError> {
        let UploadVersion {
            product_id,
            doc_key,
            version,
        } = *upload;
        self.conformity_upload_content(org_id, product_id, doc_key, version)
            .await?;
        self.retention_over(org_id, product_id, today).await?;
        let query = sqlx::query(
            "DELETE FROM conformity_upload \
             WHERE product_id = $1 AND org_id = $2 AND doc_key = $3 AND version = $4",
        )
        .bind(product_id)
        .bind(org_id)
        .bind(doc_key)
        .bind(version);
        let details = serde_json::json!({ "document": doc_key, "version": version });
        self.delete_audited(
            query,
            Event {
                org_id: Some(org_id),
                actor,
                action: "conformity.document.delete",
                target_kind: "product",
                target_id: &product_id.to_string(),
                details,
                at: now,
            },
        )
        .await
    }

    /// Stores an issued declaration (its version and fingerprint come from
    /// `cyres_conformity::issue`); a version already issued is a conflict.
    pub async fn add_conformity_declaration(
        &self,
        org_id: i64,
        product_id: i64,
        (version, fingerprint): (i64, &str),
        body: &serde_json::Value,
        actor: &Actor,
        now: i64,
    ) -> Result<(), StoreError> {
        self.product(org_id, product_id).await?;
        bounded_json("declaration", body)?;
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO conformity_declaration (org_id, product_id, version, body, fingerprint, \
             author, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(org_id)
        .bind(product_id)
        .bind(version)
        .bind(body.to_string())
        .bind(fingerprint)
        .bind(actor.display())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::from(e).conflict_on_unique(format!(
                "declaration version {version} is already issued; issued versions never change"
            ))
        })?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "conformity.declaration.issue",
                target_kind: "product",
                target_id: &product_id.to_string(),
                details: serde_json::json!({ "version": version, "fingerprint": fingerprint }),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every issued declaration of the product, oldest first.
    pub async fn conformity_declarations(
        &self,
        org_id: i64,
        product_id: i64,
    ) -> Result<Vec<StoredDeclaration>, StoreError> {
        self.product(org_id, product_id).await?;
        let rows = sqlx::query(
            "SELECT version, body, fingerprint, author, created_at FROM conformity_declaration \
             WHERE product_id = $1 AND org_id = $2 ORDER BY version",
        )
        .bind(product_id)
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(declaration_of).collect()
    }

    /// One issued declaration.
    pub async fn conformity_declaration(
        &self,
        org_id: i64,
        product_id: i64,
        version: i64,
    ) -> Result<StoredDeclaration, StoreError> {
        let row = sqlx::query(
            "SELECT version, body, fingerprint, author, created_at FROM conformity_declaration \
             WHERE product_id = $1 AND org_id = $2 AND version = $3",
        )
        .bind(product_id)
        .bind(org_id)
        .bind(version)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("declaration", version))?;
        declaration_of(&row)
    }

    /// Deletes an issued declaration on `today`, refused while the product's retention runs
    /// (Art. 13(13), [`Store::conformity_retention`]).
    pub async fn delete_conformity_declaration(
        &self,
        org_id: i64,
        product_id: i64,
        version: i64,
        today: Date,
        actor: &Actor,
        now: i64,
    ) -> Result<(), StoreError> {
        self.conformity_declaration(org_id, product_id, version)
            .await?;
        self.retention_over(org_id, product_id, today).await?;
        let query = sqlx::query(
            "DELETE FROM conformity_declaration \
             WHERE product_id = $1 AND org_id = $2 AND version = $3",
        )
        .bind(product_id)
        .bind(org_id)
        .bind(version);
        let details = serde_json::json!({ "version": version });
        self.delete_audited(
            query,
            Event {
                org_id: Some(org_id),
                actor,
                action: "conformity.declaration.delete",
                target_kind: "product",
                target_id: &product_id.to_string(),
                details,
                at: now,
            },
        )
        .await
    }

    /// When product `product_id`'s units were placed on the market (all `None` until set).
    pub async fn product_placing(
        &self,
        org_id: i64,
        product_id: i64,
    ) -> Result<StoredPlacing, StoreError> {
        self.product(org_id, product_id).await?;
        self.placing_row(org_id, product_id).await
    }

    /// The stored placing row, for a product the caller already read.
    async fn placing_row(&self, org_id: i64, product_id: i64) -> Result<StoredPlacing, StoreError> {
        let row = sqlx::query(
            "SELECT first_placed, last_placed, updated_by, updated_at FROM product_placing \
             WHERE product_id = $1 AND org_id = $2",
        )
        .bind(product_id)
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else {
            return Ok(StoredPlacing {
                placing: Placing::default(),
                updated_by: None,
                updated_at: None,
            });
        };
        Ok(StoredPlacing {
            placing: Placing {
                first: date_of(r.try_get("first_placed")?, "product_placing.first_placed")?,
                last: date_of(r.try_get("last_placed")?, "product_placing.last_placed")?,
            },
            updated_by: Some(r.try_get("updated_by")?),
            updated_at: Some(r.try_get("updated_at")?),
        })
    }

    /// Sets when product `product_id`'s first and last units were placed on the market
    /// (`Placing::check`: a last unit needs a first, not before it), with its audit event.
    pub async fn set_product_placing(
        &self,
        org_id: i64,
        product_id: i64,
        placing: Placing,
        actor: &Actor,
        now: i64,
    ) -> Result<StoredPlacing, StoreError> {
        self.product(org_id, product_id).await?;
        placing
            .check()
            .map_err(|e| StoreError::invalid_general(e.to_string()))?;
        let first = placing.first.map(iso_date::format);
        let last = placing.last.map(iso_date::format);
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO product_placing (product_id, org_id, first_placed, last_placed, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (product_id) DO UPDATE SET \
             first_placed = excluded.first_placed, last_placed = excluded.last_placed, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(product_id)
        .bind(org_id)
        .bind(&first)
        .bind(&last)
        .bind(actor.display())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "product.placing.set",
                target_kind: "product",
                target_id: &product_id.to_string(),
                details: serde_json::json!({ "first_placed": first, "last_placed": last }),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        self.product_placing(org_id, product_id).await
    }

    /// The Art. 13(13) retention of product `product_id`'s documentation and declarations:
    /// `cyres_conformity::retention` of the stored placing and the product's support end.
    pub async fn conformity_retention(
        &self,
        org_id: i64,
        product_id: i64,
    ) -> Result<Retention, StoreError> {
        let product = self.product(org_id, product_id).await?;
        let support_end = date_of(product.support_end, "product.support_end")?;
        let placing = self.placing_row(org_id, product_id).await?.placing;
        cyres_conformity::retention(placing, support_end).map_err(|e| StoreError::Corrupt {
            what: "product_placing",
            message: e.to_string(),
        })
    }

    /// Refuses deletion on `today` while the retention runs (CRA Art. 13(13); the rule and its
    /// reading are `cyres_conformity::Retention::check_deletion`).
    async fn retention_over(
        &self,
        org_id: i64,
        product_id: i64,
        today: Date,
    ) -> Result<(), StoreError> {
        self.conformity_retention(org_id, product_id)
            .await?
            .check_deletion(today)
            .map_err(|e| StoreError::conflict_general(e.to_string()))
    }

    /// Runs a deletion and writes its audit event in one transaction.
    async fn delete_audited<'q>(
        &self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
        event: Event<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        query.execute(&mut *tx).await?;
        record(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }
}
