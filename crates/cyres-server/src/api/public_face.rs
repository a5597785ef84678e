//! The public face over HTTP (issue 18, points 4 and 5): `/.well-known/security.txt`
//! (RFC 9116) for the organisation mapped to the request's host, the public JSON twin of a
//! product's Annex II page, and the members' JSON routes to read and edit the organisation's
//! public-face settings and a product's Annex II draft, and to publish it. The rules live in
//! `service::public_face`.

use super::json_body;
use crate::auth::Caller;
use crate::service::public_face as face;
use crate::{ApiError, App};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cyres_store::{AnnexIiFields, PublicFace};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The `Host` header, when it is readable.
pub(crate) fn host(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::HOST).and_then(|v| v.to_str().ok())
}

/// `GET /.well-known/security.txt` (public): RFC 9116, `text/plain; charset=utf-8` (§3).
pub(super) async fn security_txt(
    State(app): State<App>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let body = face::security_txt(&app, host(&headers)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response())
}

/// `GET /api/v1/public/orgs/{slug}/products/{id}` (public): the published Annex II page of
/// the product as JSON, with its version; 404 when nothing is published.
pub(super) async fn public_product(
    State(app): State<App>,
    Path((slug, id)): Path<(String, i64)>,
) -> Result<Response, ApiError> {
    Ok(Json(face::published(&app, &slug, id).await?).into_response())
}

/// `GET /api/v1/public-face` (members): the organisation's public-face settings and its
/// public URLs.
pub(super) async fn get_settings(
    State(app): State<App>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let settings = face::settings(&app, &caller).await?;
    settings_answer(&app, caller.org_id, settings).await
}

async fn settings_answer(
    app: &App,
    org_id: i64,
    settings: PublicFace,
) -> Result<Response, ApiError> {
    let org = app.store.org(org_id).await?;
    let urls = face::FaceUrls::new(app.config.public_url.trim_end_matches('/'), &org);
    Ok(Json(serde_json::json!({
        "settings": settings,
        "urls": {
            "security_txt": urls.security_txt,
            "cvd_policy": urls.policy,
            "report": urls.report,
            "csaf": urls.csaf,
        },
    }))
    .into_response())
}

/// A body of `T`'s fields, strictly: an unknown field is refused by name rather than
/// dropped (the stored types accept old fields when they read).
fn strict<T: Serialize + DeserializeOwned + Default>(bytes: &[u8]) -> Result<T, ApiError> {
    let v: serde_json::Value = json_body(bytes)?;
    let known = crate::service::to_json("known fields", &T::default())?;
    let Some(fields) = v.as_object() else {
        return Err(ApiError::bad_request("request body: a JSON object"));
    };
    if let Some(k) = fields.keys().find(|k| known.get(k.as_str()).is_none()) {
        return Err(ApiError::invalid(k, format!("{k}: unknown field")));
    }
    serde_json::from_value(v).map_err(|e| ApiError::bad_request(format!("request body: {e}")))
}

/// `PUT /api/v1/public-face` (admins): replaces the settings (fields of `PublicFace`; absent
/// ones are emptied).
pub(super) async fn put_settings(
    State(app): State<App>,
    caller: Caller,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let b: PublicFace = strict(&bytes)?;
    let saved = face::save_settings(&app, &caller, b).await?;
    settings_answer(&app, caller.org_id, saved).await
}

fn view_json(v: &face::AnnexIiView) -> serde_json::Value {
    let mut out = serde_json::json!({
        "product_id": v.product.id,
        "draft": v.record.draft,
        "draft_saved_at": v.record.updated_at,
        "preview": v.preview.public_json(),
        "published": v.record.published,
        "version": v.record.version,
        "published_at": v.record.published_at,
        "public_url": v.public_url,
        "json_url": v.json_url,
    });
    if v.editor {
        out["missing"] = serde_json::json!(v.preview.missing);
    }
    out
}

/// `GET /api/v1/products/{id}/annex-ii` (members): the draft, its preview, what is published
/// and, for editors and above, what required items are missing.
pub(super) async fn get_annex_ii(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let v = face::annex_ii(&app, &caller, id).await?;
    Ok(Json(view_json(&v)).into_response())
}

/// `PUT /api/v1/products/{id}/annex-ii` (editors): saves the draft (fields of
/// `AnnexIiFields`; absent ones are emptied). The public page changes only on publish.
pub(super) async fn put_annex_ii(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let b: AnnexIiFields = strict(&bytes)?;
    let v = face::save_annex_ii(&app, &caller, id, b).await?;
    Ok(Json(view_json(&v)).into_response())
}

/// `POST /api/v1/products/{id}/annex-ii/publish` (editors): the saved draft becomes the
/// public page's next version.
pub(super) async fn publish_annex_ii(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let version = face::publish_annex_ii(&app, &caller, id).await?;
    let v = face::annex_ii(&app, &caller, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({
            "version": version,
            "public_url": v.public_url,
            "json_url": v.json_url,
        })),
    )
        .into_response())
}
