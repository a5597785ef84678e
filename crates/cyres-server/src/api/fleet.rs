//! Devices, their state reports, fleet exposure, and serving the TUF update repository.
//!
//! Devices get their own tokens (`cyresdev_…`, shown once, stored hashed) that can do exactly
//! one thing: report that device's state. The update repository (made with `cyres repo`) is
//! served read-only from its `published/` folder; any static web server or CDN can serve the
//! same files.

use super::json_body;
use crate::auth::Caller;
use crate::{ApiError, App};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// Device registration.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewDevice {
    device_id: String,
    product_id: i64,
    #[serde(default)]
    hardware: Option<String>,
}

/// `POST /api/v1/devices` (admin): registers a device; its token is shown once.
pub(super) async fn create(
    State(app): State<App>,
    caller: Caller,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let b: NewDevice = json_body(&bytes)?;
    let (d, secret) = crate::service::fleet::register(
        &app,
        &caller,
        &b.device_id,
        b.product_id,
        b.hardware.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({"device": d, "token": secret, "note": "shown once; put it in the agent's config"}))).into_response())
}

/// `GET /api/v1/devices`.
pub(super) async fn list(State(app): State<App>, caller: Caller) -> Result<Response, ApiError> {
    Ok(Json(app.store.devices(caller.org_id).await?).into_response())
}

/// `POST /api/v1/devices/{device_id}/state` with the device token: the agent's report.
pub(super) async fn report(
    State(app): State<App>,
    Path(device_id): Path<String>,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| ApiError::unauthorized("send the device token as a bearer token"))?;
    if bytes.len() > 64 * 1024 {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "a state report is at most 65536 bytes",
        ));
    }
    let state: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request(format!("state report: {e}")))?;
    let d = crate::service::fleet::report_state(&app, &device_id, token, &state)
        .await
        .map_err(|e| match e.kind {
            crate::service::ErrorKind::NotFound => {
                ApiError::unauthorized("unknown device or wrong device token")
            }
            _ => e.into(),
        })?;
    Ok(Json(serde_json::json!({"device_id": d.device_id, "installed_version": d.installed_version, "last_seen": d.last_seen})).into_response())
}

/// `GET /api/v1/fleet/exposure`: per open finding's advisory, the devices still exposed.
pub(super) async fn exposure(State(app): State<App>, caller: Caller) -> Result<Response, ApiError> {
    Ok(Json(app.store.fleet_exposure(caller.org_id).await?).into_response())
}

/// `GET /updates/{*path}`: a file of the published TUF repository (`metadata/…` or
/// `targets/…`). Only plain relative paths inside `published/` are served.
pub(super) async fn serve_update_file(
    State(app): State<App>,
    Path(path): Path<String>,
) -> Result<Response, ApiError> {
    let Some(repo) = app.config.update_repo.clone() else {
        return Err(ApiError::not_found("update repository"));
    };
    let ok = !path.is_empty()
        && (path.starts_with("metadata/") || path.starts_with("targets/"))
        && path.split('/').all(|seg| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && !seg.contains('\\')
                && !seg.contains('\0')
        });
    if !ok {
        return Err(ApiError::not_found("file"));
    }
    let file = repo.join("published").join(&path);
    match tokio::fs::read(&file).await {
        Ok(bytes) => {
            let ct = if path.ends_with(".json") {
                "application/json"
            } else {
                "application/octet-stream"
            };
            Ok((
                [
                    (header::CONTENT_TYPE, ct),
                    (header::CACHE_CONTROL, "no-cache"),
                ],
                bytes,
            )
                .into_response())
        }
        Err(_) => Err(ApiError::not_found("file")),
    }
}
