//! Notices to impacted users (CRA Art. 14(8)) in the web UI: the product page's subscribers
//! (list, add an e-mail or webhook subscriber, remove one) with the product's public notice
//! page and feeds, and the case page's "publish to subscribers" form with the published
//! versions and their deliveries.
//!
//! The forms call the service layer (`service::notices::{add_subscriber, publish_notice}`),
//! so the checks (one channel, a plain mailbox or an http(s) URL, every field the notice still
//! lacks named) live there once. A webhook's signing secret is shown once, on the answer to the
//! form that created it, like API tokens in the settings. Subscriber addresses are personal
//! data: as in the API (`GET /api/v1/products/{id}/subscribers` needs an editor), viewers see
//! how many there are, not who.

use super::session::UiSession;
use super::view::{Form, UiError, when};
use crate::notices::FeedUrls;
use crate::service::admin::SIGNATURE_HELP as SIGNATURE_HEADER;
use crate::service::notices::{add_subscriber, publish_notice};
use crate::{ApiError, App};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cyres_report::{Audience, Case};
use cyres_store::Role;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

/// One subscriber as listed.
pub(super) struct SubscriberLine {
    /// Id.
    pub id: i64,
    /// `email` or `webhook`.
    pub channel: String,
    /// Address or URL.
    pub address: String,
    /// Label.
    pub label: String,
    /// Still receiving notices.
    pub active: bool,
    /// When it was added.
    pub added: String,
}

/// What the add-subscriber form brings back to the product page: what was typed and its
/// errors, or the secret of the webhook just created.
#[derive(Default)]
pub(super) struct SubscriberForm {
    /// The form.
    pub form: Form,
    /// (what it is, the secret) of a new webhook, shown once.
    pub secret: Option<(String, String)>,
}

/// The product page's subscribers section.
pub(super) struct SubscribersView {
    /// Subscribers (empty for viewers).
    pub lines: Vec<SubscriberLine>,
    /// How many are active.
    pub count: usize,
    /// The public page and feeds.
    pub feed: FeedUrls,
    /// Form state and the one-time secret.
    pub form: SubscriberForm,
}

/// The subscribers section of product `product_id` (which must be the session's).
pub(super) async fn subscribers_view(
    app: &App,
    sess: &UiSession,
    product_id: i64,
    form: SubscriberForm,
) -> Result<SubscribersView, UiError> {
    let subs = app.store.subscribers(sess.org_id, product_id).await?;
    let count = subs.iter().filter(|s| s.active).count();
    let lines = if sess.role >= Role::Editor {
        subs.into_iter()
            .map(|s| SubscriberLine {
                id: s.id,
                channel: s.channel.to_string(),
                address: s.address,
                label: s.label,
                active: s.active,
                added: when(s.created_at),
            })
            .collect()
    } else {
        Vec::new()
    };
    // Created on first view, as `GET /api/v1/products/{id}/notices` does.
    let feed = crate::service::notices::feed(app, &sess.principal(), product_id).await?;
    Ok(SubscribersView {
        lines,
        count,
        feed: FeedUrls::new(app, &feed.slug),
        form,
    })
}

/// `POST /products/{id}/subscribers` (editors): fields `email` or `webhook_url`, and `label`.
pub(super) async fn create(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(Role::Editor)?;
    let email = Some(form.get("email")).filter(|s| !s.is_empty());
    let webhook = Some(form.get("webhook_url")).filter(|s| !s.is_empty());
    match add_subscriber(
        &app,
        &sess.principal(),
        id,
        email,
        webhook,
        form.get("label"),
    )
    .await
    {
        Ok((sub, secret)) => {
            let shown = SubscriberForm {
                form: Form::default(),
                secret: secret.map(|s| {
                    (
                        format!(
                            "signing secret of the webhook {} (deliveries carry {SIGNATURE_HEADER})",
                            sub.address
                        ),
                        s,
                    )
                }),
            };
            if shown.secret.is_some() {
                // The answer is the only place the secret appears; pages are never cached.
                return super::products::render_with_subscribers(&app, &sess, id, shown).await;
            }
            Ok(Redirect::to(&format!("/products/{id}?subscribed=1#subscribers")).into_response())
        }
        Err(e) => {
            let mut e = e;
            if e.field.as_deref() == Some("channel") {
                e.field = Some("email".into());
            }
            super::forms::to_form(&mut form, e)?;
            super::products::render_with_subscribers(
                &app,
                &sess,
                id,
                SubscriberForm { form, secret: None },
            )
            .await
        }
    }
}

/// `POST /subscribers/{id}/delete` (editors): stops the notices to one subscriber and cancels
/// its pending deliveries.
pub(super) async fn remove(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(Role::Editor)?;
    let sub = app
        .store
        .subscriber_by_id(id)
        .await
        .ok()
        .filter(|s| s.org_id == sess.org_id)
        .ok_or_else(|| ApiError::not_found("subscriber"))?;
    crate::service::notices::delete_subscriber(&app, &sess.principal(), id).await?;
    Ok(Redirect::to(&format!(
        "/products/{}?removed=1#subscribers",
        sub.product_id
    ))
    .into_response())
}

/// One published version of a case's notice.
pub(super) struct VersionLine {
    /// 1, 2, …
    pub version: i64,
    /// Headline.
    pub title: String,
    /// What it corrects.
    pub correction: String,
    /// When and by whom.
    pub published: String,
    /// Delivery counts by state (`2 delivered, 1 pending`), or `no subscribers`.
    pub deliveries: String,
    /// The public page of this version.
    pub url: String,
}

/// The case page's publication section.
pub(super) struct PublishView {
    /// Why the notice cannot be published yet (every missing field), if so.
    pub blocked: Option<String>,
    /// The notice would name no measure and no fix yet (allowed, Art. 14(8)).
    pub no_measures: bool,
    /// Published versions, newest first.
    pub versions: Vec<VersionLine>,
    /// The form, with what was typed and its errors.
    pub form: Form,
}

/// The publication section of case `id` (`case` is its body once confirmed).
pub(super) async fn publish_view(
    app: &App,
    sess: &UiSession,
    id: i64,
    case: Option<&Case>,
    form: Form,
) -> Result<PublishView, UiError> {
    let mut no_measures = false;
    let blocked = match case {
        None => Some("confirm the case first".to_string()),
        Some(c) => {
            let now = app.now_at();
            let notice = cyres_report::user_notice(c, Audience::Impacted, now);
            no_measures = notice.as_ref().is_ok_and(|n| !n.measures_available);
            match notice {
                Err(missing) => Some(format!(
                    "missing for the user notice: {}",
                    missing
                        .iter()
                        .map(|m| m.label)
                        .collect::<Vec<_>>()
                        .join("; ")
                )),
                Ok(_) if c.product.id.parse::<i64>().is_err() => Some(
                    "the case names no product of the inventory, so it has no subscribers".into(),
                ),
                Ok(_) => None,
            }
        }
    };
    let mut versions = Vec::new();
    // Publication created the product's feed; look its slug up once per product.
    let mut slugs: BTreeMap<i64, Option<String>> = BTreeMap::new();
    for n in app.store.case_notices(sess.org_id, id).await? {
        let mut states: BTreeMap<String, usize> = BTreeMap::new();
        for d in app.store.notice_deliveries(sess.org_id, n.id).await? {
            *states.entry(d.state.to_string()).or_default() += 1;
        }
        let deliveries = if states.is_empty() {
            "no subscribers".to_string()
        } else {
            states
                .iter()
                .map(|(s, k)| format!("{k} {s}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if let Entry::Vacant(e) = slugs.entry(n.product_id) {
            let slug = crate::service::notices::feed(app, &sess.principal(), n.product_id)
                .await
                .ok()
                .map(|f| f.slug);
            e.insert(slug);
        }
        let url = slugs
            .get(&n.product_id)
            .and_then(Option::as_ref)
            .map(|slug| FeedUrls::new(app, slug).notice(n.id, "html"))
            .unwrap_or_default();
        versions.push(VersionLine {
            version: n.version,
            title: n.title,
            correction: n.correction.unwrap_or_default(),
            published: format!("{} by {}", when(n.published_at), n.published_by),
            deliveries,
            url,
        });
    }
    Ok(PublishView {
        blocked,
        no_measures,
        versions,
        form,
    })
}

/// `POST /cases/{id}/notice/publish` (editors): the API's publication, with the optional
/// `correction` text; every missing field is shown above the form.
pub(super) async fn publish(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(Role::Editor)?;
    let correction = Some(form.get("correction")).filter(|c| !c.is_empty());
    match publish_notice(&app, &sess.principal(), id, Audience::Impacted, correction).await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}?saved=publish#notices")).into_response()),
        Err(e) => {
            let e = ApiError::from(e);
            if !matches!(
                e.status,
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT
            ) {
                return Err(e.into());
            }
            // A missing case field names a field of the case, not of this form: show every
            // one above the form.
            let field = if e.field.as_deref() == Some("correction") {
                "correction"
            } else {
                "_form"
            };
            form.fail(field, e.message);
            super::case::render_publish_failed(&app, &sess, id, form).await
        }
    }
}
