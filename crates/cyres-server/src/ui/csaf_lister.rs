//! The authority's CSAF providers page (issue 18, point 6): the providers it lists, a form to
//! list one, pull and remove buttons, and per provider the advisories held and what the last
//! pull refused. Operations in `crate::service::csaf_lister`.

use super::session::UiSession;
use super::view::{Chrome, Form, Nav, UiError, render, when};
use crate::App;
use crate::service::ErrorKind;
use crate::service::csaf_lister as lister;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cyres_store::{CsafRefusal, CsafSource, Role};

struct SourceLine {
    id: i64,
    name: String,
    role: String,
    url: String,
    last_pull: String,
    error: Option<String>,
    accepted: i64,
    refused: i64,
}

#[derive(Template)]
#[template(path = "csaf_providers.html")]
struct ProvidersPage {
    chrome: Chrome,
    sources: Vec<SourceLine>,
    interval: String,
    parties: usize,
    form: Form,
}

struct DocLine {
    id: i64,
    tracking_id: String,
    title: String,
    category: String,
    tlp: String,
    version: String,
    released: String,
    checked: String,
}

#[derive(Template)]
#[template(path = "csaf_provider.html")]
struct ProviderPage {
    chrome: Chrome,
    source: CsafSource,
    publisher: String,
    role: String,
    provider_updated: String,
    keys: Vec<String>,
    last_pull: String,
    documents: Vec<DocLine>,
    refused: Vec<CsafRefusal>,
}

fn name_of(s: &CsafSource) -> String {
    s.publisher_name.clone().unwrap_or_else(|| s.url.clone())
}

fn pulled(s: &CsafSource) -> String {
    s.last_pull_at.map(when).unwrap_or_else(|| "never".into())
}

fn every(secs: u64) -> String {
    match secs {
        0 => "never on a schedule (only on request)".into(),
        s if s % 3600 == 0 => format!("{} h", s / 3600),
        s => format!("{} min", s.div_ceil(60)),
    }
}

async fn render_list(
    app: &App,
    sess: &UiSession,
    form: Form,
    status: StatusCode,
) -> Result<Response, UiError> {
    let sources = lister::sources(app, &sess.principal()).await?;
    let parties = cyres_csaf::aggregator::disjoint_parties(
        sources
            .iter()
            .filter_map(|s| s.publisher_namespace.as_deref()),
    );
    let lines = sources
        .iter()
        .map(|s| SourceLine {
            id: s.id,
            name: name_of(s),
            role: s.role.clone().unwrap_or_else(|| "-".into()),
            url: s.url.clone(),
            last_pull: pulled(s),
            error: s.last_error.clone(),
            accepted: s.accepted,
            refused: s.refused,
        })
        .collect();
    render(
        status,
        &ProvidersPage {
            chrome: sess.chrome("CSAF providers", Nav::Cases),
            sources: lines,
            interval: every(app.config.csaf_pull_interval_secs),
            parties,
            form,
        },
    )
}

/// `GET /csaf-providers` (authority members).
pub(super) async fn page(State(app): State<App>, sess: UiSession) -> Result<Response, UiError> {
    render_list(&app, &sess, Form::default(), StatusCode::OK).await
}

/// `POST /csaf-providers` (authority editors): lists a provider and pulls it once; a refusal
/// is shown next to the field.
pub(super) async fn add(
    State(app): State<App>,
    sess: UiSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(Role::Editor)?;
    match lister::add(&app, &sess.principal(), form.get("url")).await {
        Ok(s) => Ok(Redirect::to(&format!("/csaf-providers/{}", s.id)).into_response()),
        Err(e) if matches!(e.kind, ErrorKind::Invalid | ErrorKind::Conflict) => {
            let message = e.message.trim_start_matches("url: ").to_string();
            form.fail("url", message);
            render_list(&app, &sess, form, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /csaf-providers/{id}` (authority members).
pub(super) async fn provider(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
) -> Result<Response, UiError> {
    let (source, documents, refused) = lister::detail(&app, &sess.principal(), id).await?;
    let publisher = match (&source.publisher_name, &source.publisher_namespace) {
        (Some(n), Some(ns)) => format!(
            "{n} ({}, {ns})",
            source.publisher_category.as_deref().unwrap_or("-")
        ),
        _ => "not read yet".into(),
    };
    let documents = documents
        .into_iter()
        .map(|d| DocLine {
            id: d.id,
            tracking_id: d.tracking_id,
            title: d.title,
            category: d.category,
            tlp: d.tlp.unwrap_or_else(|| "-".into()),
            version: d.version,
            released: d.current_release_date,
            checked: format!("{}, signed by {}", d.hash_checked, d.signed_by),
        })
        .collect();
    render(
        StatusCode::OK,
        &ProviderPage {
            chrome: sess.chrome(format!("CSAF provider {}", name_of(&source)), Nav::Cases),
            publisher,
            role: source.role.clone().unwrap_or_else(|| "-".into()),
            provider_updated: source
                .provider_last_updated
                .clone()
                .unwrap_or_else(|| "-".into()),
            keys: source.key_fingerprints.clone(),
            last_pull: pulled(&source),
            source,
            documents,
            refused,
        },
    )
}

/// `POST /csaf-providers/{id}/pull` (authority editors).
pub(super) async fn pull(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    sess.check(&Form::new(pairs))?;
    lister::pull(&app, &sess.principal(), id).await?;
    Ok(Redirect::to(&format!("/csaf-providers/{id}")).into_response())
}

/// `POST /csaf-providers/{id}/remove` (authority editors).
pub(super) async fn remove(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    sess.check(&Form::new(pairs))?;
    lister::remove(&app, &sess.principal(), id).await?;
    Ok(Redirect::to("/csaf-providers").into_response())
}
