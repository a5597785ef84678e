//! Publishing notices to impacted users (CRA Art. 14(8)): a product's subscribers (editor and
//! above of the owning organisation), publication of a case's notice to them, and the public,
//! unauthenticated feed of a product's notices, reached by an unguessable per-product slug
//! because the users of a product are not users of this platform.
//!
//! What is published is the `cyres-report` user notice of the case (never its sensitive fields
//! or the reporter's contact), stored immutably with a version number; a correction is the
//! next version. Delivery goes through the outbox in `crate::notices`.

use super::json_body;
use crate::auth::Caller;
use crate::notices::{FeedUrls, atom_feed, json_feed, notice_page, page};
use crate::service::notices;
use crate::{ApiError, App};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cyres_store::Role;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubscriberBody {
    email: Option<String>,
    webhook_url: Option<String>,
    #[serde(default)]
    label: String,
}

/// `GET /api/v1/products/{id}/subscribers` (editor): active subscribers (never secrets).
pub(crate) async fn list_subscribers(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    Ok(Json(app.store.subscribers(caller.org_id, id).await?).into_response())
}

/// `POST /api/v1/products/{id}/subscribers` (editor): `{"email": …}` or `{"webhook_url": …}`,
/// with an optional `label`. A webhook's signing secret is generated and shown once.
pub(crate) async fn create_subscriber(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: SubscriberBody = json_body(&bytes)?;
    let (sub, secret) = notices::add_subscriber(
        &app,
        &caller,
        id,
        b.email.as_deref(),
        b.webhook_url.as_deref(),
        &b.label,
    )
    .await?;
    let mut out = serde_json::json!({"subscriber": sub});
    if let Some(secret) = secret {
        out["secret"] = secret.into();
        out["signature"] = crate::service::admin::SIGNATURE_HELP.into();
    }
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// `DELETE /api/v1/subscribers/{id}` (editor).
pub(crate) async fn delete_subscriber(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    crate::service::notices::delete_subscriber(&app, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/products/{id}/notices`: the product's public feed URLs (created on first
/// request) and its published notices, newest first.
pub(crate) async fn product_notices(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let feed = crate::service::notices::feed(&app, &caller, id).await?;
    let notices = app.store.product_notices(id, 200).await?;
    Ok(Json(serde_json::json!({
        "feed": FeedUrls::new(&app, &feed.slug).to_json(),
        "notices": notices,
    }))
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PublishBody {
    audience: Option<cyres_report::Audience>,
    correction: Option<String>,
}

/// `POST /api/v1/cases/{id}/notice/publish` (editor): publishes the case's notice to impacted
/// users as the next version, stores it as published and queues delivery to every subscriber
/// of the case's product. The body is optional: `audience` (`impacted`, the default, or
/// `all`) and `correction` (what a new version corrects).
pub(crate) async fn publish(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let b: PublishBody = if bytes.iter().all(u8::is_ascii_whitespace) {
        PublishBody::default()
    } else {
        json_body(&bytes)?
    };
    let (published, queued, urls) = notices::publish_notice(
        &app,
        &caller,
        id,
        b.audience.unwrap_or(cyres_report::Audience::Impacted),
        b.correction.as_deref(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({
            "notice": published,
            "deliveries_queued": queued,
            "feed": urls.to_json(),
        })),
    )
        .into_response())
}

/// `GET /api/v1/cases/{id}/notices`: the case's published notices, newest version first, each
/// with its delivery log.
pub(crate) async fn case_notices(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let mut out = Vec::new();
    for n in app.store.case_notices(caller.org_id, id).await? {
        let deliveries = app.store.notice_deliveries(caller.org_id, n.id).await?;
        out.push(serde_json::json!({"notice": n, "deliveries": deliveries}));
    }
    Ok(Json(out).into_response())
}

/// The feed behind a public slug, with its product's and manufacturer's names. An unknown slug
/// is a plain 404.
async fn public_feed(
    app: &App,
    slug: &str,
) -> Result<(cyres_store::NoticeFeed, String, String, FeedUrls), ApiError> {
    let feed = app
        .store
        .notice_feed_by_slug(slug)
        .await
        .map_err(|_| ApiError::not_found("notice feed"))?;
    let product = app.store.product(feed.org_id, feed.product_id).await?;
    let org = app.store.org(feed.org_id).await?;
    let urls = FeedUrls::new(app, &feed.slug);
    Ok((feed, product.name, org.name, urls))
}

/// `GET /api/v1/public/notices/{slug}` (public): JSON Feed 1.1 of the product's published
/// notices, newest first.
pub(crate) async fn public_json(
    State(app): State<App>,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    let (feed, product, _, urls) = public_feed(&app, &slug).await?;
    let notices = app.store.product_notices(feed.product_id, 100).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/feed+json")],
        json_feed(&product, &notices, &urls).to_string(),
    )
        .into_response())
}

/// `GET /api/v1/public/notices/{slug}/feed.atom` (public): the same as Atom, or
/// `/api/v1/public/notices/{slug}/{id}.json|{id}.html`: one published notice.
pub(crate) async fn public_file(
    State(app): State<App>,
    Path((slug, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (feed, product, _, urls) = public_feed(&app, &slug).await?;
    if file == "feed.atom" {
        let notices = app.store.product_notices(feed.product_id, 100).await?;
        return Ok((
            [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
            atom_feed(&feed, &product, &notices, &urls),
        )
            .into_response());
    }
    let (id, ext) = file
        .rsplit_once('.')
        .and_then(|(id, ext)| Some((id.parse::<i64>().ok()?, ext)))
        .ok_or_else(|| ApiError::not_found("notice"))?;
    let n = app
        .store
        .published_notice(id)
        .await
        .ok()
        .filter(|n| n.product_id == feed.product_id)
        .ok_or_else(|| ApiError::not_found("notice"))?;
    match ext {
        "json" => Ok((
            [(header::CONTENT_TYPE, "application/json")],
            crate::notices::envelope(&n, &urls).to_string(),
        )
            .into_response()),
        "html" => Ok((
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            notice_page(&n),
        )
            .into_response()),
        _ => Err(ApiError::not_found("notice")),
    }
}

/// `GET /security-notices/{slug}` (public): the readable page of the product's notices.
pub(crate) async fn public_page(
    State(app): State<App>,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    let (feed, product, manufacturer, urls) = public_feed(&app, &slug).await?;
    let notices = app.store.product_notices(feed.product_id, 100).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page(&product, &manufacturer, &notices, &urls),
    )
        .into_response())
}

/// `GET /unsubscribe/{token}` (public): a page with one button; `POST` unsubscribes. A GET never
/// changes anything (mail scanners follow links).
pub(crate) async fn unsubscribe_page(
    State(app): State<App>,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let sub = app
        .store
        .subscriber_by_token(&token)
        .await
        .map_err(|_| ApiError::not_found("subscription"))?;
    let esc = cyres_report::html::escape;
    let body = if sub.active {
        format!(
            "<p>Stop security notices to {} for this product?</p><form method=\"post\"><button type=\"submit\">Unsubscribe</button></form>",
            esc(&sub.address)
        )
    } else {
        format!(
            "<p>{} no longer receives these notices.</p>",
            esc(&sub.address)
        )
    };
    Ok((
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Unsubscribe</title></head><body><h1>Security notices</h1>{body}</body></html>\n"),
    )
        .into_response())
}

/// `POST /unsubscribe/{token}` (public).
pub(crate) async fn unsubscribe(
    State(app): State<App>,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let sub = crate::service::notices::unsubscribe(&app, &token).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Unsubscribed</title></head><body><p>{} no longer receives these notices.</p></body></html>\n",
            cyres_report::html::escape(&sub.address)
        ),
    )
        .into_response())
}
