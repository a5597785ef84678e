//! The compliance file beyond the record over HTTP (issue 16, points 3-5): reports to
//! component maintainers (CRA Art. 13(6)) and those a steward received (Art. 24), economic
//! operators with their checks and supply records (Arts 18-20, 23), deletions that respect
//! retention (Art. 13(13), Art. 23(2)), publication of a declaration (Annex VI) and market
//! surveillance authorities' requests. The rules live in `service::compliance` and
//! `service::conformity`.

use super::json_body;
use crate::auth::Caller;
use crate::service::compliance::{self as comp, OperatorInput, RequestInput, SupplyInput};
use crate::service::conformity as conf;
use crate::{ApiError, App};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cyres_conformity::upstream::Fix;
use serde::Deserialize;
use std::collections::HashMap;

fn created<T: serde::Serialize>(v: T) -> Response {
    (StatusCode::CREATED, Json(v)).into_response()
}

/// `POST /api/v1/findings/{id}/upstream-reports` body.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NewReport {
    #[serde(default)]
    recipient_org_id: Option<i64>,
}

/// `POST /api/v1/findings/{id}/upstream-reports` (editors): drafts a report to the component's
/// maintainer with the contacts found and the OSV record.
pub(super) async fn draft_report(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let body: NewReport = if bytes.is_empty() {
        NewReport::default()
    } else {
        json_body(&bytes)?
    };
    Ok(created(
        comp::draft_report(&app, &caller, id, body.recipient_org_id).await?,
    ))
}

/// `GET /api/v1/findings/{id}/upstream-reports` (viewers).
pub(super) async fn finding_reports(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(comp::reports(&app, &caller, None, Some(id)).await?).into_response())
}

/// `GET /api/v1/products/{id}/upstream-reports` (viewers).
pub(super) async fn product_reports(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(comp::reports(&app, &caller, Some(id), None).await?).into_response())
}

/// `PUT /api/v1/upstream-reports/{id}/fix` (editors): the manufacturer's fix.
pub(super) async fn set_fix(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let fix: Fix = json_body(&bytes)?;
    Ok(Json(comp::set_fix(&app, &caller, id, fix).await?).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Informed {
    via: String,
    #[serde(default)]
    maintainer: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    at: Option<time::OffsetDateTime>,
}

/// `POST /api/v1/upstream-reports/{id}/informed` (editors): the maintainer was informed.
pub(super) async fn informed(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let b: Informed = json_body(&bytes)?;
    Ok(
        Json(
            comp::mark_informed(&app, &caller, id, (b.maintainer.as_deref(), &b.via), b.at).await?,
        )
        .into_response(),
    )
}

/// `GET /api/v1/upstream-reports/{id}/osv.json|csaf.json` (the sender's viewers, or the
/// recipient's once sent): the report as an OSV record or a CSAF 2.0 security advisory.
pub(super) async fn upstream_file(
    State(app): State<App>,
    caller: Caller,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, ApiError> {
    let format = comp::UpstreamFormat::from_file(&file)
        .ok_or_else(|| ApiError::not_found("file (osv.json or csaf.json)"))?;
    let bytes = comp::upstream_file(&app, &caller, id, format).await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/json".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"upstream-report-{id}-{file}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /api/v1/upstream-reports/received` (viewers): reports sent to this organisation.
pub(super) async fn received(State(app): State<App>, caller: Caller) -> Result<Response, ApiError> {
    Ok(Json(comp::received(&app, &caller).await?).into_response())
}

/// `GET /api/v1/products/{id}/operators` (viewers): per member state, with supply records.
pub(super) async fn operators(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(comp::operators_view(&app, &caller, id).await?).into_response())
}

/// `POST /api/v1/products/{id}/operators` (editors).
pub(super) async fn add_operator(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let input: OperatorInput = json_body(&bytes)?;
    Ok(created(
        comp::add_operator(&app, &caller, id, &input).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckBody {
    ce_marking_seen: bool,
}

/// `POST /api/v1/products/{id}/operators/{op}/checks` (editors): the importer's or
/// distributor's check, recorded; `refusal` names what stops placing.
pub(super) async fn check(
    State(app): State<App>,
    caller: Caller,
    Path((id, op)): Path<(i64, i64)>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let b: CheckBody = json_body(&bytes)?;
    Ok(created(
        comp::run_check(&app, &caller, id, op, b.ce_marking_seen).await?,
    ))
}

/// `POST /api/v1/products/{id}/operators/{op}/supplies` (editors): an Art. 23 record; 409
/// when the operator's check did not pass.
pub(super) async fn add_supply(
    State(app): State<App>,
    caller: Caller,
    Path((id, op)): Path<(i64, i64)>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let input: SupplyInput = json_body(&bytes)?;
    Ok(created(
        comp::add_supply(&app, &caller, id, op, &input).await?,
    ))
}

/// `GET /api/v1/supplied-products` (members of an operator organisation): the listings that
/// name it as importer, distributor or authorised representative, with their latest check and
/// supply records.
pub(super) async fn supplied(State(app): State<App>, caller: Caller) -> Result<Response, ApiError> {
    Ok(Json(comp::supplied(&app, &caller).await?).into_response())
}

/// `POST /api/v1/supplied-products/{op}/checks` (its editors): the operator's own Art. 19(2) /
/// 20(2) check of that listing's product.
pub(super) async fn supplied_check(
    State(app): State<App>,
    caller: Caller,
    Path(op): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let b: CheckBody = json_body(&bytes)?;
    Ok(created(
        comp::supplied_check(&app, &caller, op, b.ce_marking_seen).await?,
    ))
}

/// `POST /api/v1/supplied-products/{op}/supplies` (its editors): the operator's own Art. 23
/// record; 409 when its check did not pass.
pub(super) async fn supplied_supply(
    State(app): State<App>,
    caller: Caller,
    Path(op): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let input: SupplyInput = json_body(&bytes)?;
    Ok(created(
        comp::supplied_supply(&app, &caller, op, &input).await?,
    ))
}

/// `DELETE /api/v1/products/{id}/supplies/{sid}` (admins): 409 before the Art. 23(2) date.
pub(super) async fn delete_supply(
    State(app): State<App>,
    caller: Caller,
    Path((id, sid)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    comp::delete_supply(&app, &caller, id, sid).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/v1/products/{id}/documents/{doc}/{version}` (viewers): the file as uploaded.
pub(super) async fn document(
    State(app): State<App>,
    caller: Caller,
    Path((id, doc, version)): Path<(i64, String, i64)>,
) -> Result<Response, ApiError> {
    let (u, bytes) = conf::document_file(&app, &caller, id, &doc, version).await?;
    let name: String = u
        .file_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `DELETE /api/v1/products/{id}/documents/{doc}/{version}` (admins): 409 on or before the
/// Art. 13(13) retention date.
pub(super) async fn delete_document(
    State(app): State<App>,
    caller: Caller,
    Path((id, doc, version)): Path<(i64, String, i64)>,
) -> Result<Response, ApiError> {
    conf::delete_document(&app, &caller, id, &doc, version).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE /api/v1/products/{id}/declarations/{version}` (admins): 409 on or before the
/// Art. 13(13) retention date.
pub(super) async fn delete_declaration(
    State(app): State<App>,
    caller: Caller,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, ApiError> {
    let version: i64 = file
        .parse()
        .map_err(|_| ApiError::not_found("declaration"))?;
    conf::delete_declaration(&app, &caller, id, version).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /api/v1/products/{id}/declarations/{version}/publish` (editors): serves the version
/// at the public address the simplified declaration carries; answers that address.
pub(super) async fn publish(
    State(app): State<App>,
    caller: Caller,
    Path((id, version)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    let url = comp::publish_declaration(&app, &caller, id, version).await?;
    Ok(Json(serde_json::json!({ "version": version, "url": url })).into_response())
}

/// `GET /api/v1/products/{id}/authority-requests` (viewers).
pub(super) async fn requests(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(Json(comp::requests(&app, &caller, id).await?).into_response())
}

/// `POST /api/v1/products/{id}/authority-requests` (editors).
pub(super) async fn add_request(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let input: RequestInput = json_body(&bytes)?;
    Ok(created(
        comp::record_request(&app, &caller, id, &input).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Handover {
    items: Vec<String>,
}

/// `POST /api/v1/products/{id}/authority-requests/{rid}/handover` (editors): what was handed
/// over, each item with its SHA-256; once.
pub(super) async fn handover(
    State(app): State<App>,
    caller: Caller,
    Path((id, rid)): Path<(i64, i64)>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let b: Handover = json_body(&bytes)?;
    Ok(Json(comp::record_handover(&app, &caller, id, rid, &b.items).await?).into_response())
}

/// `GET /api/v1/public/orgs/{slug}/products/{id}/declaration?format=html|pdf|json&lang=`
/// (public): the published full declaration, the twin of the page the simplified declaration
/// points to.
pub(super) async fn public_declaration(
    State(app): State<App>,
    Path((slug, id)): Path<(String, i64)>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let format = conf::DocFormat::from_ext(q.get("format").map_or("json", String::as_str))
        .ok_or_else(|| ApiError::bad_request("format must be html, pdf or json"))?;
    let lang = q.get("lang").map_or("en", String::as_str);
    let bytes = comp::public_declaration(&app, &slug, id, format, lang).await?;
    Ok(([(header::CONTENT_TYPE, format.content_type())], bytes).into_response())
}
