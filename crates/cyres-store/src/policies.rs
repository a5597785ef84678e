//! Policies (the gate rules of `cyres_vuln::policy`) per organisation or product, and the
//! record of which violations have been announced (issue 17, point 6).
//!
//! A product's own policy replaces its organisation's; with neither, there is no gate (it
//! passes). Stored as the JSON of [`Policy`]; the rules themselves are evaluated only by
//! `cyres_vuln::policy::evaluate`, the same code `cyres scan --policy` runs.

use crate::audit::{Event, record};
use crate::{Actor, Store, StoreError};
use cyres_vuln::policy::Policy;
use serde::Serialize;
use sqlx::Row;

/// Where a policy applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "scope", content = "product_id", rename_all = "snake_case")]
pub enum PolicyScope {
    /// Every product of the organisation without its own policy.
    Organisation,
    /// One product.
    Product(i64),
}

impl PolicyScope {
    fn key(self) -> i64 {
        match self {
            Self::Organisation => 0,
            Self::Product(id) => id,
        }
    }
}

/// A stored policy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredPolicy {
    /// Where it applies.
    #[serde(flatten)]
    pub scope: PolicyScope,
    /// The rules.
    pub policy: Policy,
    /// Unix seconds.
    pub updated_at: i64,
}

fn stored(r: &sqlx::any::AnyRow) -> Result<StoredPolicy, StoreError> {
    let product_id: i64 = r.try_get("product_id")?;
    let doc: String = r.try_get("document")?;
    Ok(StoredPolicy {
        scope: if product_id == 0 {
            PolicyScope::Organisation
        } else {
            PolicyScope::Product(product_id)
        },
        policy: Policy::from_json(&doc).map_err(|e| StoreError::Corrupt {
            what: "policy",
            message: e.to_string(),
        })?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Store {
    /// The releases named by finding alerts (new findings, newly exploited) raised at or after
    /// `since` with an id above `after_id`, of organisations that have a policy, oldest first,
    /// as (organisation, release); and the id to continue after. Every alert up to that id was
    /// considered, so nothing is skipped and nothing read twice.
    pub async fn policy_sweep(
        &self,
        after_id: i64,
        since: i64,
        limit: i64,
    ) -> Result<(Vec<(i64, i64)>, i64), StoreError> {
        let max: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) AS m FROM alert")
            .fetch_one(&self.pool)
            .await?
            .try_get("m")?;
        let limit = limit.clamp(1, 1000);
        let rows = sqlx::query(
            "SELECT id, org_id, body FROM alert WHERE id > $1 AND id <= $2 AND created_at >= $3 \
             AND kind IN ('new_finding', 'became_exploited') \
             AND org_id IN (SELECT org_id FROM policy) ORDER BY id LIMIT $4",
        )
        .bind(after_id)
        .bind(max)
        .bind(since)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let next = if (rows.len() as i64) < limit {
            max.max(after_id)
        } else {
            rows.last()
                .map(|r| r.try_get("id"))
                .transpose()?
                .unwrap_or(after_id)
        };
        let mut out = Vec::new();
        for r in rows {
            let org: i64 = r.try_get("org_id")?;
            let body: serde_json::Value = crate::text::json_column(&r, "body")?;
            out.extend(
                body["release_ids"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_i64())
                    .map(|rel| (org, rel)),
            );
        }
        Ok((out, next))
    }

    /// Sets (`Some`) or removes (`None`) the policy of `scope`; audited.
    pub async fn set_policy(
        &self,
        org_id: i64,
        scope: PolicyScope,
        policy: Option<&Policy>,
        actor: &Actor,
        now: i64,
    ) -> Result<(), StoreError> {
        if let PolicyScope::Product(id) = scope {
            self.product(org_id, id).await?;
        }
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM policy WHERE org_id = $1 AND product_id = $2")
            .bind(org_id)
            .bind(scope.key())
            .execute(&mut *tx)
            .await?;
        if let Some(p) = policy {
            let doc = serde_json::to_string(p)
                .map_err(|e| StoreError::invalid("policy", format!("{e}")))?;
            sqlx::query(
                "INSERT INTO policy (org_id, product_id, document, updated_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(org_id)
            .bind(scope.key())
            .bind(doc)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: if policy.is_some() {
                    "policy.set"
                } else {
                    "policy.remove"
                },
                target_kind: "policy",
                target_id: &scope.key().to_string(),
                details: serde_json::json!({"product_id": scope.key(), "policy": policy}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The organisation's policies, the organisation's first.
    pub async fn policies(&self, org_id: i64) -> Result<Vec<StoredPolicy>, StoreError> {
        sqlx::query(
            "SELECT product_id, document, updated_at FROM policy WHERE org_id = $1 ORDER BY product_id",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(stored)
        .collect()
    }

    /// The policy that applies to a product: its own, else the organisation's, else none.
    pub async fn effective_policy(
        &self,
        org_id: i64,
        product_id: i64,
    ) -> Result<Option<StoredPolicy>, StoreError> {
        let rows = sqlx::query(
            "SELECT product_id, document, updated_at FROM policy WHERE org_id = $1 \
             AND (product_id = $2 OR product_id = 0) ORDER BY product_id DESC",
        )
        .bind(org_id)
        .bind(product_id)
        .fetch_all(&self.pool)
        .await?;
        rows.first().map(stored).transpose()
    }

    /// Raises one `policy_violation` alert for the violations of a release not announced
    /// before (`keys` identify them; `title` and `body` describe the new ones, which the
    /// callback builds from the keys that are new); one transaction. Answers the alert id, or
    /// `None` when every violation was announced already.
    pub async fn raise_policy_alert(
        &self,
        org_id: i64,
        release_id: i64,
        keys: &[String],
        describe: impl FnOnce(&[String]) -> (String, serde_json::Value),
        now: i64,
    ) -> Result<Option<i64>, StoreError> {
        let mut tx = self.begin().await?;
        let mut fresh = Vec::new();
        for k in keys {
            let n = sqlx::query(
                "INSERT INTO policy_alert (org_id, release_id, violation_key, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (release_id, violation_key) DO NOTHING",
            )
            .bind(org_id)
            .bind(release_id)
            .bind(k)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n > 0 {
                fresh.push(k.clone());
            }
        }
        if fresh.is_empty() {
            return Ok(None);
        }
        let (title, mut body) = describe(&fresh);
        body["kind"] = crate::AlertKind::PolicyViolation.as_str().into();
        body["urgent"] = false.into();
        body["title"] = title.clone().into();
        body["created_at"] = now.into();
        let alert = crate::alerts::NewAlert {
            org_id,
            finding_id: None,
            kind: crate::AlertKind::PolicyViolation,
            urgent: false,
            title: &title,
            body: &body,
        };
        let id = crate::alerts::insert_alert(&mut tx, &alert, now).await?;
        tx.commit().await?;
        Ok(Some(id))
    }
}
