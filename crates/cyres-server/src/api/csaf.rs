//! The CSAF trusted provider over HTTP (issue 18, point 3): the provider's files, public at
//! `/.well-known/csaf/…` for the organisation mapped to the request's host (else the default
//! public organisation) and at `/public/{slug}/csaf/…` for any organisation; and the members'
//! JSON routes to draft, review and publish CSAF revisions. No route redirects (CSAF 2.0
//! section 7.1.6): every file is answered at its own URL. The rules live in `service::csaf`
//! and `service::csaf_provider`.

use super::json_body;
use crate::auth::Caller;
use crate::service::csaf as docs;
use crate::service::csaf_provider::{self as provider, ProviderAnswer};
use crate::{ApiError, App};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cyres_store::{CsafRevision, Org};
use serde::Deserialize;

async fn answer(
    app: &App,
    org: &Org,
    path: &str,
    caller: Result<Caller, ApiError>,
) -> Result<Response, ApiError> {
    let (member, logged_in) = match &caller {
        Ok(c) => (c.org_id == org.id, true),
        Err(_) => (false, false),
    };
    match provider::provider_file(app, org, path, member, logged_in).await? {
        ProviderAnswer::File { content_type, body } => {
            // Restricted folders are never cached by shared caches.
            let cache = if member {
                "private, no-store"
            } else {
                "public, max-age=300"
            };
            Ok((
                [
                    (header::CONTENT_TYPE, content_type),
                    (header::CACHE_CONTROL, cache),
                ],
                body,
            )
                .into_response())
        }
        ProviderAnswer::LoginRequired => {
            let mut r = ApiError::unauthorized(
                "this TLP folder is for the publisher's members: log in or send an API token (Authorization: Bearer …)",
            )
            .into_response();
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"csaf\""),
            );
            Ok(r)
        }
    }
}

/// `GET /.well-known/csaf/{*path}`: the provider of the organisation mapped to the host.
pub(super) async fn well_known(
    State(app): State<App>,
    headers: HeaderMap,
    path: Option<Path<String>>,
    caller: Result<Caller, ApiError>,
) -> Result<Response, ApiError> {
    let host = super::public_face::host(&headers);
    let org = crate::service::public_face::public_org(&app, host)
        .await?
        .org;
    let path = path.map(|Path(p)| p).unwrap_or_default();
    answer(&app, &org, &path, caller).await
}

/// `GET /public/{slug}/csaf/{*path}`: the provider of organisation `slug`.
pub(super) async fn by_slug(
    State(app): State<App>,
    Path(params): Path<Vec<(String, String)>>,
    caller: Result<Caller, ApiError>,
) -> Result<Response, ApiError> {
    let get = |k: &str| {
        params
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let org = app.store.org_by_slug(&get("slug")).await?;
    answer(&app, &org, &get("path"), caller).await
}

/// A revision as members see it (the document itself under `document`).
fn revision_json(r: &CsafRevision) -> Result<serde_json::Value, ApiError> {
    let document: serde_json::Value = serde_json::from_str(&r.body)
        .map_err(|e| ApiError::internal(format!("CSAF revision {} does not read: {e}", r.id)))?;
    Ok(serde_json::json!({
        "id": r.id,
        "tracking_id": r.tracking_id,
        "revision": r.revision,
        "profile": r.profile,
        "tlp": r.tlp,
        "title": r.title,
        "case_id": r.case_id,
        "release_id": r.release_id,
        "state": r.state,
        "version": r.version,
        "change_summary": r.change_summary,
        "proposal": r.proposal,
        "created_by": r.created_by,
        "created_at": r.created_at,
        "reviewed_by": r.reviewed_by,
        "reviewed_at": r.reviewed_at,
        "published_by": r.published_by,
        "published_at": r.published_at,
        "document": document,
    }))
}

/// The body of a draft request.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DraftBody {
    /// `WHITE` (or `CLEAR`), `GREEN`, `AMBER`, `RED`; default `WHITE`.
    #[serde(default)]
    tlp: Option<String>,
    /// What this revision changes; default "Initial version.".
    #[serde(default)]
    change_summary: Option<String>,
}

fn draft_body(bytes: &[u8]) -> Result<(cyres_csaf::model::TlpLabel, String), ApiError> {
    let b: DraftBody = if bytes.is_empty() {
        DraftBody {
            tlp: None,
            change_summary: None,
        }
    } else {
        json_body(bytes)?
    };
    let tlp = docs::tlp_from(b.tlp.as_deref().unwrap_or("WHITE"))?;
    Ok((tlp, b.change_summary.unwrap_or_default()))
}

fn created(r: &CsafRevision) -> Result<Response, ApiError> {
    Ok((StatusCode::CREATED, Json(revision_json(r)?)).into_response())
}

/// `POST /api/v1/cases/{id}/csaf` (editors): drafts the case's security advisory, or its
/// next revision.
pub(super) async fn draft_case(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let (tlp, summary) = draft_body(&bytes)?;
    let r = docs::draft_case_advisory(&app, &caller, id, tlp, &summary).await?;
    created(&r)
}

/// `POST /api/v1/releases/{id}/csaf-vex` (editors): drafts the release's CSAF VEX document,
/// or its next revision.
pub(super) async fn draft_vex(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let (tlp, summary) = draft_body(&bytes)?;
    let r = docs::draft_release_vex(&app, &caller, id, tlp, &summary).await?;
    created(&r)
}

/// `GET /api/v1/csaf/documents` (viewers): every revision, newest first.
pub(super) async fn list(State(app): State<App>, caller: Caller) -> Result<Response, ApiError> {
    let all = docs::list(&app, &caller).await?;
    Ok(Json(
        all.iter()
            .map(revision_json)
            .collect::<Result<Vec<_>, _>>()?,
    )
    .into_response())
}

/// `GET /api/v1/csaf/documents/{id}` (viewers).
pub(super) async fn get_one(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(revision_json(&docs::revision(&app, &caller, id).await?)?).into_response())
}

/// `POST /api/v1/csaf/documents/{id}/review` (editors): draft → reviewed.
pub(super) async fn review(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(revision_json(&docs::review(&app, &caller, id).await?)?).into_response())
}

/// `POST /api/v1/csaf/documents/{id}/publish` (administrators): reviewed → published; the
/// revision never changes again.
pub(super) async fn publish(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(revision_json(&docs::publish(&app, &caller, id).await?)?).into_response())
}

/// `GET /api/v1/csaf/provider` (viewers): the organisation's provider-metadata URL and its
/// signing key's fingerprint and URL (the key is made on first need).
pub(super) async fn provider_info(
    State(app): State<App>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let org = app.store.org(caller.org_id).await?;
    let (fingerprint, key_url) = provider::key_info(&app, &caller).await?;
    Ok(Json(serde_json::json!({
        "provider_metadata": provider::metadata_url(&app, &org).await?,
        "fingerprint": fingerprint,
        "public_key": key_url,
    }))
    .into_response())
}
