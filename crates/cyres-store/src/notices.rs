//! Publication of notices to users (CRA Art. 14(8)): a product's subscribers, its public
//! notice feed, the published notices, and their delivery outbox.
//!
//! The model follows who actually needs to hear from a manufacturer: the people who run its
//! product. They are not users of this platform, so a subscriber is not an account but a
//! contact the manufacturer keeps per product:
//! - an **e-mail address** (a customer's security contact, a distributor's PSIRT mailbox): each
//!   notice goes out as its own message to that one address, so subscribers never see each
//!   other;
//! - a **webhook** (an integrator's or operator's security tooling): the notice JSON is POSTed
//!   and signed with HMAC-SHA256 under a secret generated for that subscriber and shown once.
//!
//! Every subscriber carries an unguessable unsubscribe token, so a person can stop the notices
//! without an account. A `subscriber`-kind organisation on this platform subscribes the same way
//! (its own webhook or mailbox): pushing rows into another tenant without its consent would
//! break tenant isolation, and the public feed covers everyone else. That feed is reached by a
//! random per-product slug ([`NoticeFeed`]); it lists what was published, never drafts.
//!
//! A published notice is immutable: there is no `UPDATE` of `published_notice` anywhere. A
//! correction is published as the next version of the same case's notice (versions count from
//! 1 per case, unique, so two concurrent publications cannot both take the same number).
//! Publishing writes the notice, one pending delivery per active subscriber and the audit event
//! in one transaction; the worker then delivers from the outbox with retries, and every attempt
//! stays in the delivery log.

use crate::audit::{Event, record};
use crate::{Actor, Store, StoreError, SubscriberChannel};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

/// A product's subscriber (the secret and unsubscribe token are never serialised).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Subscriber {
    /// Id.
    pub id: i64,
    /// Owning organisation (the manufacturer).
    pub org_id: i64,
    /// Product subscribed to.
    pub product_id: i64,
    /// E-mail or webhook.
    pub channel: crate::SubscriberChannel,
    /// The e-mail address or the webhook URL.
    pub address: String,
    /// HMAC-SHA256 signing secret of a webhook.
    #[serde(skip)]
    pub secret: Option<String>,
    /// Who this is (free text: customer name, contract, …).
    pub label: String,
    /// The token of the subscriber's unsubscribe link.
    #[serde(skip)]
    pub unsubscribe_token: String,
    /// Still receiving notices.
    pub active: bool,
    /// Unix seconds.
    pub created_at: i64,
    /// When it was removed or unsubscribed.
    pub removed_at: Option<i64>,
}

/// A new subscriber, as the caller supplies it.
#[derive(Clone, Debug, PartialEq)]
pub struct NewSubscriber<'a> {
    /// E-mail or webhook.
    pub channel: crate::SubscriberChannel,
    /// Address or URL.
    pub address: &'a str,
    /// Webhook signing secret (required for webhooks, ignored for e-mail).
    pub secret: Option<&'a str>,
    /// Label.
    pub label: &'a str,
    /// Random unsubscribe token.
    pub unsubscribe_token: &'a str,
}

/// A product's public notice feed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NoticeFeed {
    /// Product.
    pub product_id: i64,
    /// Owning organisation.
    pub org_id: i64,
    /// The unguessable slug in the public URLs.
    pub slug: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// A published notice (immutable).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PublishedNotice {
    /// Id.
    pub id: i64,
    /// Organisation.
    pub org_id: i64,
    /// Product.
    pub product_id: i64,
    /// Case.
    pub case_id: i64,
    /// 1 for the first publication, then one more per correction.
    pub version: i64,
    /// Headline.
    pub title: String,
    /// What a new version corrects.
    pub correction: Option<String>,
    /// The notice JSON exactly as published (`cyres-user-notice/1`).
    pub notice: serde_json::Value,
    /// Who published it.
    pub published_by: String,
    /// Unix seconds.
    pub published_at: i64,
}

/// A notice to publish: the next version of a case's notice for one of its products.
#[derive(Clone, Copy, Debug)]
pub struct NewNotice<'a> {
    /// The product whose subscribers receive it.
    pub product_id: i64,
    /// The case it informs users about.
    pub case_id: i64,
    /// Headline.
    pub title: &'a str,
    /// What this version corrects (none for the first publication).
    pub correction: Option<&'a str>,
    /// The notice JSON (`cyres-user-notice/1`).
    pub notice: &'a serde_json::Value,
}

/// One delivery of a published notice to one subscriber.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NoticeDelivery {
    /// Id.
    pub id: i64,
    /// Organisation.
    pub org_id: i64,
    /// Published notice.
    pub notice_id: i64,
    /// Subscriber.
    pub subscriber_id: i64,
    /// E-mail or webhook.
    pub channel: crate::SubscriberChannel,
    /// Attempts so far.
    pub attempts: i64,
    /// Where it stands.
    pub state: crate::DeliveryState,
    /// Unix seconds.
    pub next_attempt_at: i64,
    /// Last HTTP status (webhooks).
    pub last_status: Option<i64>,
    /// Last error.
    pub last_error: Option<String>,
    /// Unix seconds.
    pub delivered_at: Option<i64>,
}

const SUB_COLS: &str = "id, org_id, product_id, channel, address, secret, label, unsubscribe_token, active, created_at, removed_at";
const NOTICE_COLS: &str = "id, org_id, product_id, case_id, version, title, correction, notice, published_by, published_at";
const DELIVERY_COLS: &str = "id, org_id, notice_id, subscriber_id, channel, attempts, state, next_attempt_at, last_status, last_error, delivered_at";

fn subscriber_from(r: &AnyRow) -> Result<Subscriber, StoreError> {
    Ok(Subscriber {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        product_id: r.try_get("product_id")?,
        channel: crate::words::word(r, "channel")?,
        address: r.try_get("address")?,
        secret: r.try_get("secret")?,
        label: r.try_get("label")?,
        unsubscribe_token: r.try_get("unsubscribe_token")?,
        active: r.try_get::<i64, _>("active")? != 0,
        created_at: r.try_get("created_at")?,
        removed_at: r.try_get("removed_at")?,
    })
}

fn notice_from(r: &AnyRow) -> Result<PublishedNotice, StoreError> {
    let text: String = r.try_get("notice")?;
    Ok(PublishedNotice {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        product_id: r.try_get("product_id")?,
        case_id: r.try_get("case_id")?,
        version: r.try_get("version")?,
        title: r.try_get("title")?,
        correction: r.try_get("correction")?,
        notice: serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
            what: "published notice",
            message: e.to_string(),
        })?,
        published_by: r.try_get("published_by")?,
        published_at: r.try_get("published_at")?,
    })
}

fn delivery_from(r: &AnyRow) -> Result<NoticeDelivery, StoreError> {
    Ok(NoticeDelivery {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        notice_id: r.try_get("notice_id")?,
        subscriber_id: r.try_get("subscriber_id")?,
        channel: crate::words::word(r, "channel")?,
        attempts: r.try_get("attempts")?,
        state: crate::words::word(r, "state")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        last_status: r.try_get("last_status")?,
        last_error: r.try_get("last_error")?,
        delivered_at: r.try_get("delivered_at")?,
    })
}

/// Checks a subscriber's address for its channel: a plain mailbox (no spaces, brackets or
/// controls, which could add mail headers or SMTP commands) or an http(s) URL.
fn check_address(channel: SubscriberChannel, address: &str) -> Result<(), StoreError> {
    match channel {
        SubscriberChannel::Email => {
            let (local, domain) = address.rsplit_once('@').unwrap_or(("", ""));
            let bad = local.is_empty()
                || !domain.contains('.')
                || domain.starts_with('.')
                || domain.ends_with('.')
                || address.len() > 254
                || address
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || "<>(),;:\"[]\\".contains(c));
            if bad {
                return Err(StoreError::invalid(
                    "email",
                    "must be a plain e-mail address (name@example.org)",
                ));
            }
        }
        SubscriberChannel::Webhook => {
            if !(address.starts_with("http://") || address.starts_with("https://"))
                || address.len() > 2000
                || address.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                return Err(StoreError::invalid(
                    "webhook_url",
                    "must be an http:// or https:// URL",
                ));
            }
        }
    }
    Ok(())
}

impl Store {
    /// Adds a subscriber to one of the organisation's products (audited). An address already
    /// subscribed on the same channel is a conflict.
    pub async fn create_subscriber(
        &self,
        org_id: i64,
        product_id: i64,
        new: &NewSubscriber<'_>,
        actor: &Actor,
        now: i64,
    ) -> Result<Subscriber, StoreError> {
        self.product(org_id, product_id).await?;
        let address = new.address.trim();
        check_address(new.channel, address)?;
        let secret = match new.channel {
            SubscriberChannel::Webhook => {
                Some(new.secret.filter(|s| !s.is_empty()).ok_or_else(|| {
                    StoreError::invalid("secret", "a webhook subscriber needs a signing secret")
                })?)
            }
            _ => None,
        };
        if new.label.len() > 200 {
            return Err(StoreError::invalid("label", "at most 200 characters"));
        }
        let mut tx = self.begin().await?;
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO notice_subscriber (org_id, product_id, channel, address, secret, label, unsubscribe_token, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8) RETURNING {SUB_COLS}"
        )))
        .bind(org_id)
        .bind(product_id)
        .bind(new.channel.as_str())
        .bind(address)
        .bind(secret)
        .bind(new.label.trim())
        .bind(new.unsubscribe_token)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::from(e).conflict_on_unique(format!(
                "{address} is already subscribed to this product by {}",
                new.channel
            ))
        })?;
        let sub = subscriber_from(&r)?;
        record(
            &mut tx,
            Event {
org_id: Some(org_id),
actor,
action: "subscriber.create",
target_kind: "subscriber",
target_id: &sub.id.to_string(),
details: // No address: the append-only audit trail should not hold a person's e-mail
            // address; the subscriber id points to it.
            serde_json::json!({"product_id": product_id, "channel": new.channel}),
at: now,
},
        )
        .await?;
        tx.commit().await?;
        Ok(sub)
    }

    /// A product's active subscribers, oldest first.
    pub async fn subscribers(
        &self,
        org_id: i64,
        product_id: i64,
    ) -> Result<Vec<Subscriber>, StoreError> {
        self.product(org_id, product_id).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUB_COLS} FROM notice_subscriber WHERE org_id = $1 AND product_id = $2 AND active = 1 ORDER BY id"
        )))
        .bind(org_id)
        .bind(product_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(subscriber_from)
        .collect()
    }

    /// One subscriber, any organisation (for the delivery worker).
    pub async fn subscriber_by_id(&self, id: i64) -> Result<Subscriber, StoreError> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUB_COLS} FROM notice_subscriber WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("subscriber", id))?;
        subscriber_from(&r)
    }

    /// Removes a subscriber of this organisation: it stops receiving notices, its pending
    /// deliveries are cancelled, its delivery log stays (audited).
    pub async fn delete_subscriber(
        &self,
        org_id: i64,
        id: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let n = sqlx::query(
            "UPDATE notice_subscriber SET active = 0, removed_at = $1 WHERE id = $2 AND org_id = $3 AND active = 1",
        )
        .bind(now)
        .bind(id)
        .bind(org_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::not_found("subscriber", id));
        }
        sqlx::query("UPDATE notice_delivery SET state = 'cancelled' WHERE subscriber_id = $1 AND state = 'pending'")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "subscriber.delete",
                target_kind: "subscriber",
                target_id: &id.to_string(),
                details: serde_json::json!({}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The subscriber holding an unsubscribe token, active or not.
    pub async fn subscriber_by_token(&self, token: &str) -> Result<Subscriber, StoreError> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUB_COLS} FROM notice_subscriber WHERE unsubscribe_token = $1"
        )))
        .bind(token)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("subscription", "(token)"))?;
        subscriber_from(&r)
    }

    /// The subscriber's own unsubscribe (no account): deactivates it and cancels its pending
    /// deliveries, audited on the manufacturer's trail. Repeating it changes nothing.
    pub async fn unsubscribe(&self, token: &str, now: i64) -> Result<Subscriber, StoreError> {
        let sub = self.subscriber_by_token(token).await?;
        if !sub.active {
            return Ok(sub);
        }
        let actor = Actor {
            id: "public".into(),
            label: "unsubscribe link".into(),
        };
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE notice_subscriber SET active = 0, removed_at = $1 WHERE id = $2 AND active = 1",
        )
        .bind(now)
        .bind(sub.id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE notice_delivery SET state = 'cancelled' WHERE subscriber_id = $1 AND state = 'pending'")
            .bind(sub.id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            Event {
                org_id: Some(sub.org_id),
                actor: &actor,
                action: "subscriber.unsubscribe",
                target_kind: "subscriber",
                target_id: &sub.id.to_string(),
                details: serde_json::json!({}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        self.subscriber_by_token(token).await
    }

    /// The product's public feed, created with `new_slug` the first time it is asked for.
    pub async fn notice_feed(
        &self,
        org_id: i64,
        product_id: i64,
        new_slug: &str,
        now: i64,
    ) -> Result<NoticeFeed, StoreError> {
        self.product(org_id, product_id).await?;
        sqlx::query(
            "INSERT INTO notice_feed (product_id, org_id, slug, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (product_id) DO NOTHING",
        )
        .bind(product_id)
        .bind(org_id)
        .bind(new_slug)
        .bind(now)
        .execute(&self.pool)
        .await?;
        let r = sqlx::query(
            "SELECT product_id, org_id, slug, created_at FROM notice_feed WHERE product_id = $1 AND org_id = $2",
        )
        .bind(product_id)
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("product", product_id))?;
        feed_from(&r)
    }

    /// The feed with this public slug.
    pub async fn notice_feed_by_slug(&self, slug: &str) -> Result<NoticeFeed, StoreError> {
        let r = sqlx::query(
            "SELECT product_id, org_id, slug, created_at FROM notice_feed WHERE slug = $1",
        )
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("notice feed", "(slug)"))?;
        feed_from(&r)
    }

    /// Publishes the next version of a case's notice for a product of this organisation, and
    /// queues one delivery per active subscriber of the product, in one transaction with its
    /// audit event. Returns the stored notice and the number of deliveries queued.
    pub async fn publish_notice(
        &self,
        org_id: i64,
        new: &NewNotice<'_>,
        actor: &Actor,
        now: i64,
    ) -> Result<(PublishedNotice, u64), StoreError> {
        let NewNotice {
            product_id,
            case_id,
            title,
            correction,
            notice,
        } = *new;
        self.case(org_id, case_id).await?;
        self.product(org_id, product_id).await?;
        let mut tx = self.begin().await?;
        let version: i64 = sqlx::query(
            "SELECT COALESCE(MAX(version), 0) + 1 AS v FROM published_notice WHERE case_id = $1",
        )
        .bind(case_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("v")?;
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO published_notice (org_id, product_id, case_id, version, title, correction, notice, published_by, published_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {NOTICE_COLS}"
        )))
        .bind(org_id)
        .bind(product_id)
        .bind(case_id)
        .bind(version)
        .bind(title)
        .bind(correction)
        .bind(notice.to_string())
        .bind(actor.display())
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::from(e).conflict_on_unique(format!(
                "version {version} of this notice was published at the same moment; publish again"
            ))
        })?;
        let published = notice_from(&r)?;
        let queued = sqlx::query(
            "INSERT INTO notice_delivery (org_id, notice_id, subscriber_id, channel, attempts, state, next_attempt_at, created_at) \
             SELECT $1, $2, id, channel, 0, 'pending', $3, $3 FROM notice_subscriber \
             WHERE org_id = $1 AND product_id = $4 AND active = 1",
        )
        .bind(org_id)
        .bind(published.id)
        .bind(now)
        .bind(product_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        record(
&mut tx,
Event {
org_id: Some(org_id),
actor,
action: "notice.publish",
target_kind: "case",
target_id: &case_id.to_string(),
details: serde_json::json!({"notice_id": published.id, "product_id": product_id, "version": version, "deliveries": queued}),
at: now,
},
)
        .await?;
        tx.commit().await?;
        Ok((published, queued))
    }

    /// A case's published notices, newest version first.
    pub async fn case_notices(
        &self,
        org_id: i64,
        case_id: i64,
    ) -> Result<Vec<PublishedNotice>, StoreError> {
        self.case(org_id, case_id).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {NOTICE_COLS} FROM published_notice WHERE org_id = $1 AND case_id = $2 ORDER BY version DESC"
        )))
        .bind(org_id)
        .bind(case_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(notice_from)
        .collect()
    }

    /// A product's published notices, newest first (for its public feed; the caller found the
    /// product through its feed slug).
    pub async fn product_notices(
        &self,
        product_id: i64,
        limit: i64,
    ) -> Result<Vec<PublishedNotice>, StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {NOTICE_COLS} FROM published_notice WHERE product_id = $1 ORDER BY published_at DESC, id DESC LIMIT $2"
        )))
        .bind(product_id)
        .bind(limit.clamp(1, 1000))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(notice_from)
        .collect()
    }

    /// One published notice, any organisation (for the delivery worker and public pages,
    /// which check the product themselves).
    pub async fn published_notice(&self, id: i64) -> Result<PublishedNotice, StoreError> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {NOTICE_COLS} FROM published_notice WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("notice", id))?;
        notice_from(&r)
    }

    /// The delivery log of one published notice of this organisation.
    pub async fn notice_deliveries(
        &self,
        org_id: i64,
        notice_id: i64,
    ) -> Result<Vec<NoticeDelivery>, StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLS} FROM notice_delivery WHERE org_id = $1 AND notice_id = $2 ORDER BY id"
        )))
        .bind(org_id)
        .bind(notice_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(delivery_from)
        .collect()
    }

    /// Notice deliveries due at `now` and not leased by a worker, oldest first (a read-only
    /// view; workers use [`Store::claim_notice_deliveries`]).
    pub async fn due_notice_deliveries(
        &self,
        now: i64,
        limit: i64,
    ) -> Result<Vec<NoticeDelivery>, StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLS} FROM notice_delivery WHERE state = 'pending' AND next_attempt_at <= $1 \
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

    /// Claims up to `limit` due notice deliveries for `lease` seconds (see `lease.rs`).
    pub async fn claim_notice_deliveries(
        &self,
        now: i64,
        lease: i64,
        limit: i64,
    ) -> Result<Vec<NoticeDelivery>, StoreError> {
        crate::lease::claim_due(
            self,
            crate::lease::Outbox::Notices,
            DELIVERY_COLS,
            now,
            lease,
            limit,
        )
        .await?
        .iter()
        .map(delivery_from)
        .collect()
    }

    /// Marks a pending notice delivery as skipped (channel not configured, subscriber gone).
    pub async fn skip_notice_delivery(&self, id: i64, reason: &str) -> Result<(), StoreError> {
        crate::alerts::skip_pending(&self.pool, crate::alerts::Outbox::Notices, id, reason).await
    }

    /// Records one notice delivery attempt: delivered, retry at `retry_at`, or given up.
    pub async fn record_notice_attempt(
        &self,
        id: i64,
        delivered: bool,
        status: Option<i64>,
        error: Option<&str>,
        retry_at: Option<i64>,
        now: i64,
    ) -> Result<(), StoreError> {
        let attempt = crate::alerts::Attempt {
            delivered,
            status,
            error,
            retry_at,
            now,
        };
        crate::alerts::record_attempt(&self.pool, crate::alerts::Outbox::Notices, id, &attempt)
            .await
    }
}

fn feed_from(r: &AnyRow) -> Result<NoticeFeed, StoreError> {
    Ok(NoticeFeed {
        product_id: r.try_get("product_id")?,
        org_id: r.try_get("org_id")?,
        slug: r.try_get("slug")?,
        created_at: r.try_get("created_at")?,
    })
}
