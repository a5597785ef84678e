//! VEX and CSV out, VEX in (issue 17 point 4): `GET /api/v1/releases/{id}/vex?format=`,
//! `POST /api/v1/releases/{id}/vex?format=&policy=`, `GET /api/v1/findings.csv` (streamed).

use super::findings::search_from;
use crate::auth::Caller;
use crate::service::vex;
use crate::upload::receive;
use crate::{ApiError, App};
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use cyres_store::{FindingSearch, RelatedCache, Role};
use std::collections::HashMap;

/// `GET /api/v1/releases/{id}/vex?format=cyclonedx|cyclonedx-1.5|openvex|csaf` (CycloneDX 1.6
/// when absent).
pub(super) async fn export(
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
pub(super) async fn import(
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

/// CSV chunks written ahead of the client: the reader of the store writes page `n + 1` while
/// page `n` goes out, and memory stays bounded (at most this many pages of CSV besides the
/// one being read).
const CSV_AHEAD: usize = 2;

/// `GET /api/v1/findings.csv` with the findings list's query (`q` and `status=open`
/// included): every finding the list gives for it (not one page), by id, streamed a page of
/// rows at a time, so memory stays flat whatever the count.
pub(super) async fn csv(
    State(app): State<App>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    caller.require(Role::Viewer)?;
    let mut search = search_from(&q)?;
    search.filter.limit = Some(CSV_PAGE);
    search.filter.after_id = None;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(CSV_AHEAD);
    tokio::spawn(write_csv(app, caller.org_id, search, tx));
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
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

/// Reads the export's pages and sends them as CSV to the response body; stops when the client
/// is gone (the body, and so `tx`'s receiver, dropped) or on a store error (the status line
/// has gone out: the body ends early and the log says why).
async fn write_csv(
    app: App,
    org_id: i64,
    mut search: FindingSearch,
    tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
) {
    let mut related = RelatedCache::default();
    let mut out = String::from(vex::CSV_HEADER);
    loop {
        // The export's reader: the list's conditions through the engine's own driver, only the
        // columns the CSV writes (`cyres_store` `export.rs`).
        let page = match app.store.findings_export_page(org_id, &search).await {
            Ok(rows) => app
                .store
                .related_exploited_many(&rows, &mut related)
                .await
                .map(|related| (rows, related)),
            Err(e) => Err(e),
        };
        let (rows, related_of) = match page {
            Ok(page) => page,
            Err(e) => {
                tracing::error!(error = %e, "findings CSV export failed");
                let _ = tx
                    .send(Err(std::io::Error::other("findings export failed")))
                    .await;
                return;
            }
        };
        out.reserve(rows.len() * 200);
        for (r, related) in rows.iter().zip(&related_of) {
            vex::csv_row(&mut out, r, related);
        }
        let last = match rows.last() {
            Some(last) if rows.len() as i64 == CSV_PAGE => Some(last.id),
            _ => None,
        };
        if tx
            .send(Ok(Bytes::from(std::mem::take(&mut out))))
            .await
            .is_err()
        {
            return;
        }
        match last {
            Some(id) => search.filter.after_id = Some(id),
            None => return,
        }
    }
}
