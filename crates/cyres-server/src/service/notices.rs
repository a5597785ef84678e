//! Notices to impacted users (CRA Art. 14(8)): a product's subscribers and the publication of a
//! case's notice to them. What is published is the `cyres-report` user notice of the case
//! (never its sensitive fields or the reporter's contact), stored immutably with a version
//! number; a correction is the next version. Delivery goes through the outbox
//! (`crate::notices`).

use super::cases::{confirmed_case, missing_error};
use super::credentials::random_secret;
use super::{Principal, ServiceError, to_json};
use crate::App;
use crate::clock::at as ts;
use cyres_store::{NewSubscriber, Role, SubscriberChannel};

/// Adds an e-mail or webhook subscriber to product `product_id` (exactly one of `email` and
/// `webhook_url`); answers it with the webhook's signing secret, which exists only here.
/// Shared by the API and the product page.
pub(crate) async fn add_subscriber(
    app: &App,
    who: &Principal,
    product_id: i64,
    email: Option<&str>,
    webhook_url: Option<&str>,
    label: &str,
) -> Result<(cyres_store::Subscriber, Option<String>), ServiceError> {
    who.require(Role::Editor)?;
    let secret = random_secret();
    let token = random_secret();
    let (channel, address) = match (email, webhook_url) {
        (Some(e), None) => (SubscriberChannel::Email, e),
        (None, Some(u)) => (SubscriberChannel::Webhook, u),
        _ => {
            return Err(ServiceError::invalid(
                "email",
                "email or webhook_url: give exactly one of them",
            ));
        }
    };
    if let Some(url) = webhook_url {
        super::admin::check_target(app, url).await.map_err(|e| {
            ServiceError::invalid(
                "webhook_url",
                e.message.replacen("url: ", "webhook_url: ", 1),
            )
        })?;
    }
    let sealed = app.secrets.seal(&secret);
    let sub = app
        .store
        .create_subscriber(
            who.org_id,
            product_id,
            &NewSubscriber {
                channel,
                address,
                secret: Some(&sealed),
                label: label.trim(),
                unsubscribe_token: &token,
            },
            &who.actor,
            app.now(),
        )
        .await?;
    Ok((
        sub,
        (channel == SubscriberChannel::Webhook).then_some(secret),
    ))
}

/// Publishes case `id`'s notice to impacted users as the next version (Art. 14(8)): stores it as
/// published, queues delivery to every subscriber of the case's product and records on the
/// case that users were informed. Answers the published notice, how many deliveries were
/// queued and the product's feed. Editors.
pub(crate) async fn publish_notice(
    app: &App,
    who: &Principal,
    id: i64,
    audience: cyres_report::Audience,
    correction: Option<&str>,
) -> Result<(cyres_store::PublishedNotice, u64, FeedUrls), ServiceError> {
    who.require(Role::Editor)?;
    let correction = correction.map(str::trim).filter(|c| !c.is_empty());
    if correction.is_some_and(|c| c.len() > 2000) {
        return Err(ServiceError::invalid(
            "correction",
            "correction: at most 2000 characters",
        ));
    }
    let (row, mut case) = confirmed_case(app, who.org_id, id).await?;
    let now = app.now();
    // Art. 14(8): a notice needs no measure or fix first; it says when none is available yet.
    let notice = cyres_report::user_notice(&case, audience, ts(now)).map_err(|missing| {
        missing_error("incomplete_notice", "missing for the user notice", &missing)
    })?;
    let product_id: i64 = case.product.id.parse().map_err(|_| {
        ServiceError::invalid(
            "product",
            "product: the case names no product of the inventory, so it has no subscribers",
        )
    })?;
    let feed = app
        .store
        .notice_feed(who.org_id, product_id, &random_secret(), now)
        .await?;
    let body = serde_json::to_value(&notice).map_err(|e| ServiceError::internal(e.to_string()))?;
    let (published, queued) = app
        .store
        .publish_notice(
            who.org_id,
            &cyres_store::NewNotice {
                product_id,
                case_id: id,
                title: &notice.title,
                correction,
                notice: &body,
            },
            &who.actor,
            now,
        )
        .await?;
    app.wake_worker();
    // Art. 14(8): record on the case whether and when users were first informed. The published
    // notice is the record of truth; a failure here (a closed case) is logged, not fatal.
    if case.users_informed.is_none() {
        case.users_informed =
            Some(notice.informed(ts(now), cyres_report::InformedBy::Manufacturer));
        if let Some(aware_at) = row.aware_at {
            let saved = match to_json("case", &case) {
                Ok(body) => app
                    .store
                    .save_case(who.org_id, id, &body, aware_at, &who.actor, now)
                    .await
                    .map(drop)
                    .map_err(ServiceError::from),
                Err(e) => Err(e),
            };
            if let Err(e) = saved {
                tracing::warn!(case = id, error = %e, "could not record that users were informed");
            }
        }
    }
    Ok((published, queued, FeedUrls::new(app, &feed.slug)))
}

/// The public URLs of a product's notice feed.
pub(crate) struct FeedUrls {
    /// The readable page.
    pub page: String,
    /// JSON Feed 1.1.
    pub json: String,
    /// Atom 1.0.
    pub atom: String,
}

impl FeedUrls {
    pub(crate) fn new(app: &App, slug: &str) -> Self {
        let base = app.config.public_url.trim_end_matches('/');
        FeedUrls {
            page: format!("{base}/security-notices/{slug}"),
            json: format!("{base}/api/v1/public/notices/{slug}"),
            atom: format!("{base}/api/v1/public/notices/{slug}/feed.atom"),
        }
    }

    pub(crate) fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"page": self.page, "json": self.json, "atom": self.atom})
    }

    /// The URL of one published notice (`json` or `html`).
    pub(crate) fn notice(&self, id: i64, ext: &str) -> String {
        format!("{}/{id}.{ext}", self.json)
    }
}

/// Removes one of the organisation's notice subscribers (editors).
pub(crate) async fn delete_subscriber(
    app: &App,
    who: &Principal,
    id: i64,
) -> Result<(), ServiceError> {
    who.require(Role::Editor)?;
    app.store
        .delete_subscriber(who.org_id, id, &who.actor, app.now())
        .await?;
    Ok(())
}

/// Ends a subscription by the token of its unsubscribe link (anyone holding the link; a
/// wrong or used token is answered as a missing subscription).
pub(crate) async fn unsubscribe(
    app: &App,
    token: &str,
) -> Result<cyres_store::Subscriber, ServiceError> {
    app.store
        .unsubscribe(token, app.now())
        .await
        .map_err(|_| ServiceError::not_found("subscription"))
}

/// The product's public notice feed (its unguessable address is made on first request; every
/// member may see it).
pub(crate) async fn feed(
    app: &App,
    who: &Principal,
    product_id: i64,
) -> Result<cyres_store::NoticeFeed, ServiceError> {
    Ok(app
        .store
        .notice_feed(who.org_id, product_id, &random_secret(), app.now())
        .await?)
}
