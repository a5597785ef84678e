//! VEX and CSV out, VEX in (issue 17 point 4): `GET /api/v1/releases/{id}/vex?format=`,
//! `POST /api/v1/releases/{id}/vex?format=&policy=`, `GET /api/v1/findings.csv` (streamed).

use super::findings::filter_from;
use crate::auth::Caller;
use crate::service::vex;
use crate::upload::receive;
use crate::{ApiError, App};
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use cyres_store::{FindingFilter, Role};
use std::collections::HashMap;

/// `GET /api/v1/releases/{id}/vex?format=cyclonedx|cyclonedx-1.5|openvex|csaf` (CycloneDX 1.6
/// when absent).
pub async fn export(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let format =
        vex::format(q.get("format").map(String::as_str))?.unwrap_or(cyres_vex::Format::CycloneDx16);
    let e = vex::export(&app, &caller, id, format).await?;
    Ok((
        [
            (header::CONTENT_TYPE, e.media_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", e.file_name),
            ),
        ],
        e.body,
    )
        .into_response())
}

/// `POST /api/v1/releases/{id}/vex?format=&policy=newer|keep_recorded|replace`: the body is
/// the VEX document (its format recognised when `format` is absent); the answer reports every
/// statement's outcome.
pub async fn import(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
    body: Body,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let format = vex::format(q.get("format").map(String::as_str))?;
    let policy = vex::policy(q.get("policy").map(String::as_str))?;
    let received = receive(body, app.config.max_upload_bytes).await?;
    let r = vex::import(&app, &caller, id, &received.bytes, format, policy).await?;
    Ok(Json(r).into_response())
}

/// Rows per page read from the store while streaming the CSV.
const CSV_PAGE: i64 = 1000;

/// `GET /api/v1/findings.csv` with the findings list's filters: every matching finding (not
/// one page), streamed a page of rows at a time, so memory stays flat whatever the count.
pub async fn csv(
    State(app): State<App>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    caller.require(Role::Viewer)?;
    let mut filter = filter_from(&q)?;
    filter.limit = Some(CSV_PAGE);
    let org_id = caller.org_id;
    struct Cursor {
        app: App,
        org_id: i64,
        filter: FindingFilter,
        header: bool,
        done: bool,
    }
    let start = Cursor {
        app,
        org_id,
        filter,
        header: true,
        done: false,
    };
    let stream = futures_util::stream::unfold(start, |mut c| async move {
        if c.done {
            return None;
        }
        let mut out = String::new();
        if c.header {
            c.header = false;
            out.push_str(vex::CSV_HEADER);
        }
        match c.app.store.findings(c.org_id, &c.filter).await {
            Ok(rows) => {
                for r in &rows {
                    vex::csv_row(&mut out, r);
                }
                match rows.last() {
                    Some(last) if rows.len() as i64 == CSV_PAGE => {
                        c.filter.after_id = Some(last.id)
                    }
                    _ => c.done = true,
                }
                Some((Ok::<Bytes, std::io::Error>(Bytes::from(out)), c))
            }
            Err(e) => {
                // The status line has gone out: end the body early; the log says why.
                tracing::error!(error = %e, "findings CSV export failed");
                c.done = true;
                Some((Err(std::io::Error::other("findings export failed")), c))
            }
        }
    });
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"findings.csv\"",
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
