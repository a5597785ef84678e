//! The audit trail: append-only. There is no update or delete of audit rows anywhere in the
//! code base; the API only lists them.

use crate::{Actor, AuditEvent, Store, StoreError};
use sqlx::{AnyConnection, Row};

/// Writes one audit event on the given connection (inside the caller's transaction).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record(
    conn: &mut AnyConnection,
    org_id: Option<i64>,
    actor: &Actor,
    action: &str,
    target_kind: &str,
    target_id: &str,
    details: serde_json::Value,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_event (org_id, actor, action, target_kind, target_id, details, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(org_id)
    .bind(actor.display())
    .bind(action)
    .bind(target_kind)
    .bind(target_id)
    .bind(details.to_string())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// The organisation's audit events, newest first.
    pub async fn audit_events(
        &self,
        org_id: i64,
        limit: i64,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, org_id, actor, action, target_kind, target_id, details, at \
             FROM audit_event WHERE org_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(org_id)
        .bind(limit.clamp(1, 1000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEvent {
                    id: r.try_get("id")?,
                    org_id: r.try_get("org_id")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    target_kind: r.try_get("target_kind")?,
                    target_id: r.try_get("target_id")?,
                    details: serde_json::from_str(&r.try_get::<String, _>("details")?)
                        .unwrap_or(serde_json::Value::Null),
                    at: r.try_get("at")?,
                })
            })
            .collect()
    }
}
