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

/// Rows per page read from the store while streaming the CSV (the store's page limit).
const CSV_PAGE: i64 = 1000;

/// Bytes of CSV gathered before they go to the response body as one chunk: large chunks keep
/// the per-chunk costs (channel, HTTP framing, socket writes) out of the per-row budget.
const CSV_CHUNK: usize = 256 * 1024;

/// CSV chunks written ahead of the client: the reader of the store writes chunk `n + 1` while
/// chunk `n` goes out, and memory stays bounded (at most this many chunks of CSV besides the
/// one being written, each under [`CSV_CHUNK`] plus one page).
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
/// has gone out: the body ends early and the log says why). Pages of `search.filter.limit`
/// rows from `search.filter.after_id` on.
async fn write_csv(
    app: App,
    org_id: i64,
    mut search: FindingSearch,
    tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
) {
    let page_rows = search.filter.limit.unwrap_or(CSV_PAGE);
    let mut related = RelatedCache::default();
    let mut out = String::with_capacity(CSV_CHUNK + CSV_CHUNK / 2);
    out.push_str(vex::CSV_HEADER);
    let mut scratch = String::new();
    loop {
        // The export's reader: the list's conditions through the engine's own driver, only the
        // columns the CSV writes, each row written from the driver's row as it streams in
        // (`cyres_store` `export.rs`).
        let page = app
            .store
            .findings_export_rows(org_id, &search, &mut related, |row| {
                vex::csv_row(&mut out, row, &mut scratch)
            })
            .await;
        let next = match page {
            Ok(page) => match page.last_id {
                Some(id) if page.rows as i64 == page_rows => Some(id),
                _ => None,
            },
            Err(e) => {
                tracing::error!(error = %e, "findings CSV export failed");
                let _ = tx
                    .send(Err(std::io::Error::other("findings export failed")))
                    .await;
                return;
            }
        };
        if next.is_none() || out.len() >= CSV_CHUNK {
            let chunk =
                std::mem::replace(&mut out, String::with_capacity(CSV_CHUNK + CSV_CHUNK / 2));
            if tx.send(Ok(Bytes::from(chunk))).await.is_err() {
                return;
            }
        }
        match next {
            Some(id) => search.filter.after_id = Some(id),
            None => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{CSV_AHEAD, CSV_PAGE, search_from, write_csv};
    use crate::service::vex::{CSV_HEADER, tests::finding_row_csv};
    use crate::{App, Config, ManualClock};
    use cyres_store::{Actor, Decision, FindingFilter, FindingSearch, RelatedCache, TriageTarget};
    use cyres_store::{Store, VexStatus};
    use std::collections::HashMap;
    use std::sync::Arc;

    /// The export as it was written before the borrowed row writer: owned rows from
    /// `findings_export_page`, their related flags from `related_exploited_many`, each row
    /// through the former writer, in pages of `search.filter.limit`.
    async fn former_export(store: &Store, org_id: i64, mut search: FindingSearch) -> String {
        let limit = search.filter.limit.unwrap_or(CSV_PAGE) as usize;
        let mut related = RelatedCache::default();
        let mut out = String::from(CSV_HEADER);
        loop {
            let rows = store.findings_export_page(org_id, &search).await.unwrap();
            let flags = store
                .related_exploited_many(&rows, &mut related)
                .await
                .unwrap();
            for (r, flags) in rows.iter().zip(&flags) {
                finding_row_csv(&mut out, r, flags);
            }
            match rows.last() {
                Some(last) if rows.len() == limit => search.filter.after_id = Some(last.id),
                _ => return out,
            }
        }
    }

    /// The body `GET /api/v1/findings.csv` streams, gathered from its chunks (their sizes too).
    async fn export(app: &App, org_id: i64, search: FindingSearch) -> (String, Vec<usize>) {
        let (tx, mut rx) = tokio::sync::mpsc::channel(CSV_AHEAD);
        tokio::spawn(write_csv(app.clone(), org_id, search, tx));
        let (mut body, mut chunks) = (Vec::new(), Vec::new());
        while let Some(chunk) = rx.recv().await {
            let chunk = chunk.unwrap();
            chunks.push(chunk.len());
            body.extend_from_slice(&chunk);
        }
        (String::from_utf8(body).unwrap(), chunks)
    }

    /// Issue 17 point 4: the borrowed row writer streams the same bytes as the owned-row path
    /// it replaced, on the demo's portfolio (five organisations, the firmware-like product's
    /// three releases, exploited and related-to-exploited findings, carried decisions) plus
    /// decisions whose statements need quoting and the formula guard; for the whole list,
    /// `status=open` and a `q=` search, in 1,000-row pages and in pages of 7 (held rows
    /// waiting for the related flag's lookup, then cached ones, across page ends).
    async fn csv_export_equals_the_owned_row_path(database_url: Option<String>) {
        let dir = std::env::temp_dir().join(format!(
            "cyres-csv-test-{}-{}",
            std::process::id(),
            crate::auth::random_secret()
        ));
        let mut config = Config::new(dir.clone());
        config.sync_interval_secs = 0;
        config.csaf_pull_interval_secs = 0;
        config.database_url = database_url;
        let (app, _) = App::start(config, Arc::new(ManualClock::new(1_790_000_000)))
            .await
            .unwrap();
        // The demo through the crate's public re-export, as `cyres demo` seeds it.
        let login = crate::seed_demo(&app).await.unwrap();
        let account = app
            .store
            .account_by_email(&login.email)
            .await
            .unwrap()
            .unwrap();
        let actor = Actor {
            id: format!("user:{}", account.id),
            label: login.email.clone(),
        };
        let hostile = [
            "=HYPERLINK(\"http://example.invalid\",\"x\")",
            "-1+1, \"quoted\"\r\nsecond line",
            "@SUM(A1), plain",
            "+\"",
            // What the database's JSON writer escapes, and text it must not: the export reads
            // each row as one JSON array.
            "back\\slash\ttab \u{1} ünïcødé 🦀 \u{2028} </script>",
        ];
        let (mut total, mut guarded, mut related) = (0, 0, 0);
        for m in app.store.memberships(account.id).await.unwrap() {
            let org_id = m.org.id;
            let all = app
                .store
                .findings(
                    org_id,
                    &FindingFilter {
                        limit: Some(1000),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            for (i, f) in all.iter().enumerate().filter(|(i, _)| i % 5 == 1) {
                let text = hostile[(i / 5) % hostile.len()].to_string();
                let decision = if i % 2 == 0 {
                    Decision {
                        status: VexStatus::NotAffected,
                        justification: Some("vulnerable_code_not_in_execute_path".into()),
                        impact_statement: Some(text),
                        action_statement: None,
                        responses: Vec::new(),
                        comment: "csv test".into(),
                    }
                } else {
                    Decision {
                        status: VexStatus::Affected,
                        justification: None,
                        impact_statement: None,
                        action_statement: Some(text),
                        responses: vec!["update".into(), "workaround_available".into()],
                        comment: "csv test".into(),
                    }
                };
                app.store
                    .triage_findings(
                        org_id,
                        &TriageTarget::Ids(vec![f.id]),
                        &decision,
                        "manual",
                        &actor,
                        1_790_000_100,
                    )
                    .await
                    .unwrap();
            }
            assert!(all.len() < 1000, "every finding of {} was read", m.org.name);
            let word = all
                .first()
                .map(|f| f.component_name.to_lowercase())
                .unwrap_or_default();
            let queries: [&[(&str, &str)]; 3] =
                [&[], &[("status", "open")], &[("q", word.as_str())]];
            for query in queries {
                let q: HashMap<String, String> = query
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                for limit in [CSV_PAGE, 7] {
                    let mut search = search_from(&q).unwrap();
                    search.filter.limit = Some(limit);
                    search.filter.after_id = None;
                    let former = former_export(&app.store, org_id, search.clone()).await;
                    let (body, chunks) = export(&app, org_id, search).await;
                    assert_eq!(body, former, "{} {query:?} pages of {limit}", m.org.name);
                    assert!(chunks.iter().all(|n| *n > 0), "{chunks:?}");
                    if query.is_empty() {
                        let rows = body.matches("\r\n").count()
                            - body.matches("\r\nsecond line").count()
                            - 1;
                        assert_eq!(rows, all.len(), "{}", m.org.name);
                    }
                }
            }
            let (body, _) = export(&app, org_id, {
                let mut s = search_from(&HashMap::new()).unwrap();
                s.filter.limit = Some(CSV_PAGE);
                s
            })
            .await;
            total += all.len();
            guarded += body.matches(",\"'=HYPERLINK(\"\"http").count();
            related += body
                .lines()
                .filter(|l| l.contains(",CVE-2023-4863,"))
                .count();
        }
        assert!(total > 300, "the demo portfolio: {total} findings");
        assert!(
            total < 5 * 1000,
            "every organisation's findings were read: {total}"
        );
        assert!(guarded > 0, "a formula statement was exported guarded");
        assert!(related > 0, "a related, exploited CVE was exported");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn csv_export_equals_the_owned_row_path_sqlite() {
        csv_export_equals_the_owned_row_path(None).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn csv_export_equals_the_owned_row_path_postgres() {
        let engine = cyres_store::testing::Engine::Postgres;
        if let Some(url) = cyres_store::testing::database_url(engine).await {
            csv_export_equals_the_owned_row_path(url).await;
        }
    }
}
