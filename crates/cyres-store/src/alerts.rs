//! Alerts, webhooks and the delivery outbox. Deliveries are rows written in the same
//! transaction as the alert, so an alert is never lost between "raised" and "sent": a worker
//! claims due rows, attempts them and records the outcome; after a restart it simply carries on.

use crate::audit::{Event, record};
pub(crate) use crate::lease::Outbox;
use crate::lease::claim_due;
use crate::{Actor, AlertKind, AlertRow, Delivery, Store, StoreError, Webhook};
use sqlx::Row;
use sqlx::any::AnyRow;

fn alert_from(r: &AnyRow) -> Result<AlertRow, StoreError> {
    Ok(AlertRow {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        finding_id: r.try_get("finding_id")?,
        kind: r
            .try_get::<String, _>("kind")?
            .parse()
            .map_err(|message| StoreError::Corrupt {
                what: "alert kind",
                message,
            })?,
        urgent: r.try_get::<i64, _>("urgent")? != 0,
        title: r.try_get("title")?,
        body: serde_json::from_str(&r.try_get::<String, _>("body")?).map_err(|e| {
            StoreError::Corrupt {
                what: "alert body",
                message: e.to_string(),
            }
        })?,
        created_at: r.try_get("created_at")?,
    })
}

fn delivery_from(r: &AnyRow) -> Result<Delivery, StoreError> {
    Ok(Delivery {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        alert_id: r.try_get("alert_id")?,
        channel: crate::words::word(r, "channel")?,
        target_id: r.try_get("target_id")?,
        attempts: r.try_get("attempts")?,
        state: crate::words::word(r, "state")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        last_status: r.try_get("last_status")?,
        last_error: r.try_get("last_error")?,
        delivered_at: r.try_get("delivered_at")?,
    })
}

fn webhook_from(r: &AnyRow) -> Result<Webhook, StoreError> {
    Ok(Webhook {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        url: r.try_get("url")?,
        secret: r.try_get("secret")?,
        active: r.try_get::<i64, _>("active")? != 0,
        created_at: r.try_get("created_at")?,
    })
}

const DELIVERY_COLS: &str = "id, org_id, alert_id, channel, target_id, attempts, state, \
     next_attempt_at, last_status, last_error, delivered_at";

/// An alert to write: what [`insert_alert`] stores and notification rules match on.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NewAlert<'a> {
    /// Organisation.
    pub org_id: i64,
    /// The finding it is about, if one.
    pub finding_id: Option<i64>,
    /// What kind of alert.
    pub kind: AlertKind,
    /// Actively exploited: act now.
    pub urgent: bool,
    /// One line.
    pub title: &'a str,
    /// The JSON body sent to webhooks.
    pub body: &'a serde_json::Value,
}

/// Writes an alert and its outbox rows (one pending delivery per active webhook of the
/// organisation, and one e-mail delivery) on the caller's transaction; returns the alert id.
pub(crate) async fn insert_alert(
    conn: &mut sqlx::AnyConnection,
    alert: &NewAlert<'_>,
    now: i64,
) -> Result<i64, StoreError> {
    let NewAlert {
        org_id,
        finding_id,
        kind,
        urgent,
        title,
        body,
    } = *alert;
    let row = sqlx::query(
        "INSERT INTO alert (org_id, finding_id, kind, urgent, title, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(org_id)
    .bind(finding_id)
    .bind(kind.as_str())
    .bind(i64::from(urgent))
    .bind(title)
    .bind(body.to_string())
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let alert_id: i64 = row.try_get("id")?;
    sqlx::query(
        "INSERT INTO delivery (org_id, alert_id, channel, target_id, attempts, state, next_attempt_at, created_at) \
         SELECT $1, $2, 'webhook', id, 0, 'pending', $3, $3 FROM webhook WHERE org_id = $1 AND active = 1",
    )
    .bind(org_id)
    .bind(alert_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    // Notification rules (`crate::notify_rules`) add their own deliveries and may take over
    // e-mail.
    let mail_by_rules = crate::notify_rules::fan_out(conn, alert_id, alert, now).await?;
    if !mail_by_rules {
        sqlx::query(
            "INSERT INTO delivery (org_id, alert_id, channel, target_id, attempts, state, next_attempt_at, created_at) \
             VALUES ($1, $2, 'email', NULL, 0, 'pending', $3, $3)",
        )
        .bind(org_id)
        .bind(alert_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(alert_id)
}

impl Store {
    /// The organisation's alerts, newest first.
    pub async fn alerts(&self, org_id: i64, limit: i64) -> Result<Vec<AlertRow>, StoreError> {
        sqlx::query(
            "SELECT id, org_id, finding_id, kind, urgent, title, body, created_at FROM alert \
             WHERE org_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(org_id)
        .bind(limit.clamp(1, 1000))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(alert_from)
        .collect()
    }

    /// One alert of this organisation.
    pub async fn alert(&self, org_id: i64, id: i64) -> Result<AlertRow, StoreError> {
        let r = sqlx::query(
            "SELECT id, org_id, finding_id, kind, urgent, title, body, created_at FROM alert \
             WHERE id = $1 AND org_id = $2",
        )
        .bind(id)
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("alert", id))?;
        alert_from(&r)
    }

    /// Raises an alert that is not about a finding (deadline reminders, requests from
    /// authorities), with pending webhook and e-mail deliveries, in one transaction.
    pub async fn create_alert(
        &self,
        org_id: i64,
        kind: AlertKind,
        urgent: bool,
        title: &str,
        body: &serde_json::Value,
        now: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let mut full = body.clone();
        full["kind"] = kind.as_str().into();
        full["urgent"] = urgent.into();
        full["title"] = title.into();
        full["created_at"] = now.into();
        let alert = NewAlert {
            org_id,
            finding_id: None,
            kind,
            urgent,
            title,
            body: &full,
        };
        let id = insert_alert(&mut tx, &alert, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Adds a webhook.
    pub async fn create_webhook(
        &self,
        org_id: i64,
        url: &str,
        secret: &str,
        actor: &Actor,
        now: i64,
    ) -> Result<Webhook, StoreError> {
        if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() > 2000 {
            return Err(StoreError::invalid(
                "url",
                "must be an http:// or https:// URL",
            ));
        }
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "INSERT INTO webhook (org_id, url, secret, active, created_at) VALUES ($1, $2, $3, 1, $4) \
             RETURNING id, org_id, url, secret, active, created_at",
        )
        .bind(org_id)
        .bind(url)
        .bind(secret)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let hook = webhook_from(&r)?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "webhook.create",
                target_kind: "webhook",
                target_id: &hook.id.to_string(),
                details: serde_json::json!({"url": url}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(hook)
    }

    /// Removes a webhook (its delivery log stays).
    pub async fn delete_webhook(
        &self,
        org_id: i64,
        id: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let n = sqlx::query(
            "UPDATE webhook SET active = 0 WHERE id = $1 AND org_id = $2 AND active = 1",
        )
        .bind(id)
        .bind(org_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::not_found("webhook", id));
        }
        sqlx::query("UPDATE delivery SET state = 'cancelled' WHERE channel = 'webhook' AND target_id = $1 AND state = 'pending'")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "webhook.delete",
                target_kind: "webhook",
                target_id: &id.to_string(),
                details: serde_json::json!({}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The organisation's active webhooks.
    pub async fn webhooks(&self, org_id: i64) -> Result<Vec<Webhook>, StoreError> {
        sqlx::query("SELECT id, org_id, url, secret, active, created_at FROM webhook WHERE org_id = $1 AND active = 1 ORDER BY id")
            .bind(org_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(webhook_from)
            .collect()
    }

    /// One webhook (any organisation; used by the delivery worker).
    pub async fn webhook_by_id(&self, id: i64) -> Result<Webhook, StoreError> {
        let r = sqlx::query(
            "SELECT id, org_id, url, secret, active, created_at FROM webhook WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("webhook", id))?;
        webhook_from(&r)
    }

    /// Deliveries due at `now` and not leased by a worker, oldest first (a read-only view;
    /// workers use [`Store::claim_deliveries`]).
    pub async fn due_deliveries(&self, now: i64, limit: i64) -> Result<Vec<Delivery>, StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLS} FROM delivery WHERE state = 'pending' AND next_attempt_at <= $1 \
             AND (lease_until IS NULL OR lease_until <= $1) ORDER BY next_attempt_at, id LIMIT $2"
        )))
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(delivery_from)
        .collect()
    }

    /// Claims up to `limit` due deliveries for `lease` seconds (see `lease.rs`): no other
    /// worker gets them until the attempt is recorded or the lease runs out.
    pub async fn claim_deliveries(
        &self,
        now: i64,
        lease: i64,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        claim_due(self, Outbox::Alerts, DELIVERY_COLS, now, lease, limit)
            .await?
            .iter()
            .map(delivery_from)
            .collect()
    }

    /// The organisation's delivery log, newest first.
    pub async fn deliveries(&self, org_id: i64, limit: i64) -> Result<Vec<Delivery>, StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLS} FROM delivery WHERE org_id = $1 ORDER BY id DESC LIMIT $2"
        )))
        .bind(org_id)
        .bind(limit.clamp(1, 1000))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(delivery_from)
        .collect()
    }

    /// Marks a pending delivery as skipped (channel not configured, no recipients).
    pub async fn skip_delivery(&self, id: i64, reason: &str) -> Result<(), StoreError> {
        skip_pending(&self.pool, Outbox::Alerts, id, reason).await
    }

    /// Records one delivery attempt: delivered, retry at `retry_at`, or given up (`None` and
    /// not delivered).
    pub async fn record_delivery_attempt(
        &self,
        id: i64,
        delivered: bool,
        status: Option<i64>,
        error: Option<&str>,
        retry_at: Option<i64>,
        now: i64,
    ) -> Result<(), StoreError> {
        let attempt = Attempt {
            delivered,
            status,
            error,
            retry_at,
            now,
        };
        record_attempt(&self.pool, Outbox::Alerts, id, &attempt).await
    }
}

/// One delivery attempt's outcome.
pub(crate) struct Attempt<'a> {
    pub(crate) delivered: bool,
    pub(crate) status: Option<i64>,
    pub(crate) error: Option<&'a str>,
    pub(crate) retry_at: Option<i64>,
    pub(crate) now: i64,
}

/// Marks a pending row of `outbox` as skipped with its reason.
pub(crate) async fn skip_pending(
    pool: &sqlx::AnyPool,
    outbox: Outbox,
    id: i64,
    reason: &str,
) -> Result<(), StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {} SET state = 'skipped', last_error = $1, lease_until = NULL WHERE id = $2 AND state = 'pending'",
        outbox.table()
    )))
    .bind(reason)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// Records one attempt on a pending row of `outbox`: delivered, pending again until
/// `retry_at`, or failed for good (no retry and not delivered).
pub(crate) async fn record_attempt(
    pool: &sqlx::AnyPool,
    outbox: Outbox,
    id: i64,
    a: &Attempt<'_>,
) -> Result<(), StoreError> {
    let state = if a.delivered {
        crate::DeliveryState::Delivered
    } else if a.retry_at.is_some() {
        crate::DeliveryState::Pending
    } else {
        crate::DeliveryState::Failed
    }
    .as_str();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {} SET attempts = attempts + 1, state = $1, last_status = $2, last_error = $3, \
         next_attempt_at = $4, delivered_at = $5, lease_until = NULL WHERE id = $6 AND state = 'pending'",
        outbox.table()
    )))
    .bind(state)
    .bind(a.status)
    .bind(a.error)
    .bind(a.retry_at.unwrap_or(a.now))
    .bind(a.delivered.then_some(a.now))
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}
