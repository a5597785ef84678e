//! The advisory data page (issue 17 point 9): the configured sources with their last sync and
//! counts, and, for administrators of the operator organisation, "sync now" (in the
//! background: the counts grow batch by batch and the page refreshes while it runs) and the
//! import of an advisory file (its end counts and the re-match's shown on the answer).
//! Operations in `crate::service::advisories`.

use super::session::UiSession;
use super::view::{Chrome, Form, Nav, UiError, render, when};
use crate::App;
use crate::service::advisories::{self, ImportSummary};
use crate::service::{ErrorKind, ServiceError};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

struct SourceLine {
    id: String,
    kind: String,
    url: String,
    last_sync: String,
    counts: String,
    running: bool,
}

#[derive(Template)]
#[template(path = "advisory_data.html")]
struct DataPage {
    chrome: Chrome,
    sources: Vec<SourceLine>,
    running: bool,
    operator: bool,
    limit: u64,
    counts: Option<ImportSummary>,
    file_name: String,
    error: Option<String>,
}

/// The counts a sync stored (while it runs: so far), in words.
fn counts_of(result: Option<&serde_json::Value>) -> String {
    let Some(r) = result else {
        return "-".into();
    };
    if let Some(e) = r.get("error").and_then(|e| e.as_str()) {
        return format!("failed: {e}");
    }
    let n = |k: &str| r.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
    if r.get("not_modified") == Some(&serde_json::Value::Bool(true)) && n("batches") == 0 {
        return "not modified since the last sync".into();
    }
    format!(
        "{} batches: {} fetched, {} new or changed, {} unchanged, {} malformed",
        n("batches"),
        n("fetched"),
        n("new_or_changed"),
        n("unchanged"),
        n("malformed")
    )
}

async fn render_page(
    app: &App,
    sess: &UiSession,
    counts: Option<(String, ImportSummary)>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, UiError> {
    let sources: Vec<SourceLine> = advisories::sources(app)
        .await?
        .into_iter()
        .map(|s| SourceLine {
            counts: counts_of(s.row.last_result.as_ref()),
            last_sync: s
                .row
                .last_sync_at
                .map(when)
                .unwrap_or_else(|| "never".into()),
            id: s.row.id,
            kind: s.row.kind,
            url: s.row.url,
            running: s.running,
        })
        .collect();
    let (file_name, counts) = match counts {
        Some((f, c)) => (f, Some(c)),
        None => (String::new(), None),
    };
    render(
        status,
        &DataPage {
            chrome: sess.chrome("Advisory data", Nav::Advisories),
            running: sources.iter().any(|s| s.running),
            sources,
            operator: advisories::is_operator(app, &sess.principal()).await?,
            limit: app.config.max_upload_bytes,
            counts,
            file_name,
            error,
        },
    )
}

/// `GET /advisory-data` (anyone signed in).
pub(super) async fn page(State(app): State<App>, sess: UiSession) -> Result<Response, UiError> {
    render_page(&app, &sess, None, None, StatusCode::OK).await
}

/// `POST /advisory-data/sources/{id}/sync` (operator administrators): starts the sync and
/// comes back to the page, which shows it running.
pub(super) async fn sync(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<String>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    sess.check(&Form::new(pairs))?;
    match advisories::start_sync(&app, &sess.principal(), &id).await {
        Ok(()) => Ok(Redirect::to("/advisory-data").into_response()),
        Err(e) if e.kind == ErrorKind::Conflict => {
            render_page(&app, &sess, None, Some(e.message), StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /advisory-data/import` (multipart `csrf`, `file`; operator administrators): imports
/// the file, read under the upload budget, and shows the end counts.
pub(super) async fn import(
    State(app): State<App>,
    sess: UiSession,
    mut multipart: Multipart,
) -> Result<Response, UiError> {
    let limit = app.config.max_upload_bytes;
    let mut fields = Vec::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut too_large = false;
    let err = |e: axum::extract::multipart::MultipartError| {
        UiError::from(ServiceError::bad_request(format!("upload: {e}")))
    };
    while let Some(mut field) = multipart.next_field().await.map_err(err)? {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or("upload.json").to_string();
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(err)? {
                    if bytes.len() as u64 + chunk.len() as u64 > limit {
                        too_large = true;
                        break;
                    }
                    bytes.extend_from_slice(&chunk);
                }
                file = Some((name, bytes));
                if too_large {
                    break;
                }
            }
            Some(name) => {
                let name = name.to_string();
                fields.push((name, field.text().await.map_err(err)?));
            }
            None => {}
        }
    }
    sess.check(&Form::new(fields))?;
    let who = sess.principal();
    advisories::require_operator(&app, &who).await?;
    let fail =
        |m: String| render_page(&app, &sess, None, Some(m), StatusCode::UNPROCESSABLE_ENTITY);
    let (name, bytes) = match file {
        _ if too_large => {
            return fail(format!(
                "the file is over the upload limit of {limit} bytes"
            ))
            .await;
        }
        Some((n, b)) if !b.is_empty() => (n, b),
        _ => return fail("choose an advisory file to import".into()).await,
    };
    // Browsers may send a path; the importer reads the plain name.
    let name = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .to_string();
    match advisories::import(&app, &who, &name, bytes).await {
        Ok(summary) => render_page(&app, &sess, Some((name, summary)), None, StatusCode::OK).await,
        Err(e) if e.kind == ErrorKind::Invalid => fail(e.message).await,
        Err(e) => Err(e.into()),
    }
}
