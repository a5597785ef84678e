//! The product's gate, policy and lifecycle page (issue 17, points 5 and 6), linked from the
//! product page: each release's gate answer with its violations, retiring a release or marking
//! its end of support, the SBOM versions of a release and what changed between them, the
//! product's own policy (the TOML file `cyres scan --policy` reads), archiving and restoring the
//! product; and the archived products. Operations in `crate::service::{lifecycle, policy}`.

use super::session::UiSession;
use super::view::{Chrome, Form, Nav, UiError, ok, when};
use crate::App;
use crate::service::{lifecycle, policy};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use cyres_store::{PolicyScope, Retirement, SbomDiff};

/// One release as the page lists it.
struct ReleaseLine {
    id: i64,
    version: String,
    state: &'static str,
    retired: bool,
    gate: &'static str,
    violations: Vec<String>,
    more: usize,
    versions: usize,
}

#[derive(Template)]
#[template(path = "lifecycle.html")]
struct LifecyclePage {
    chrome: Chrome,
    product_id: i64,
    product: String,
    archived: Option<String>,
    policy_scope: String,
    policy_toml: String,
    own_policy: bool,
    releases: Vec<ReleaseLine>,
    error: String,
}

async fn render_page(
    app: &App,
    sess: &UiSession,
    id: i64,
    error: String,
    draft: Option<String>,
) -> Result<Response, UiError> {
    let who = sess.principal();
    let product = app.store.product(sess.org_id, id).await?;
    let archived = app.store.product_archived_at(sess.org_id, id).await?;
    let applies = policy::effective(app, &who, id).await?;
    let retired = app.store.retired_releases(sess.org_id, id).await?;
    let mut releases = Vec::new();
    for r in app.store.releases(sess.org_id, id).await? {
        let gate = policy::gate(app, &who, r.id).await?;
        let state = lifecycle::release_state(app, &who, r.id).await?;
        let mut violations: Vec<String> =
            gate.violations.iter().map(|v| v.message.clone()).collect();
        let more = violations.len().saturating_sub(20);
        violations.truncate(20);
        releases.push(ReleaseLine {
            id: r.id,
            version: r.version,
            state: match retired.get(&r.id) {
                None => "supported",
                Some(Retirement::Retired) => "retired",
                Some(Retirement::EndOfSupport) => "end of support",
            },
            retired: retired.contains_key(&r.id),
            gate: if gate.policy.is_none() {
                "no policy"
            } else {
                gate.result
            },
            violations,
            more,
            versions: state.sbom_versions.len(),
        });
    }
    ok(&LifecyclePage {
        chrome: sess.chrome(
            format!("{}: gate, policy and lifecycle", product.name),
            Nav::Products,
        ),
        product_id: id,
        product: product.name,
        archived: archived.map(when),
        policy_scope: match applies.as_ref().map(|p| p.scope) {
            None => "none".into(),
            Some(PolicyScope::Organisation) => "the organisation's".into(),
            Some(PolicyScope::Product(_)) => "this product's own".into(),
        },
        own_policy: matches!(
            applies.as_ref().map(|p| p.scope),
            Some(PolicyScope::Product(_))
        ),
        policy_toml: draft.unwrap_or_else(|| {
            applies
                .map(|p| p.policy.to_toml())
                .unwrap_or_else(|| "version = 1\n\n[rules]\n".into())
        }),
        releases,
        error,
    })
}

/// `GET /products/{id}/lifecycle`.
pub(super) async fn page(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
) -> Result<Response, UiError> {
    render_page(&app, &sess, id, String::new(), None).await
}

/// `POST /products/{id}/lifecycle`: `action` = `archive` (editors), `restore` (admins),
/// `policy` (admins; `policy` = TOML, empty removes the product's own policy).
pub(super) async fn act(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let form = Form::new(pairs);
    sess.check(&form)?;
    let who = sess.principal();
    match form.get("action") {
        "archive" => {
            lifecycle::archive_product(&app, &who, id).await?;
            return Ok(Redirect::to("/products/archived").into_response());
        }
        "restore" => {
            lifecycle::restore_product(&app, &who, id).await?;
        }
        "policy" => {
            let text = form.get("policy").trim().to_string();
            let parsed = if text.is_empty() {
                Ok(None)
            } else {
                policy::parse(text.as_bytes(), true).map(Some)
            };
            let result = match parsed {
                Ok(p) => policy::set(&app, &who, PolicyScope::Product(id), p).await,
                Err(e) => Err(e),
            };
            if let Err(e) = result {
                if e.kind == crate::service::ErrorKind::Invalid {
                    return render_page(&app, &sess, id, e.message, Some(text)).await;
                }
                return Err(e.into());
            }
        }
        other => {
            return Err(crate::service::ServiceError::bad_request(format!(
                "action: {other:?} is not archive, restore or policy"
            ))
            .into());
        }
    }
    Ok(Redirect::to(&format!("/products/{id}/lifecycle")).into_response())
}

/// `POST /releases/{id}/lifecycle`: `action` = `retired`, `end_of_support` or `reinstate`
/// (editors); back to the product's lifecycle page.
pub(super) async fn release_act(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let form = Form::new(pairs);
    sess.check(&form)?;
    let kind = match form.get("action") {
        "reinstate" => None,
        word => Some(Retirement::parse(word).ok_or_else(|| {
            crate::service::ServiceError::bad_request(format!(
                "action: {word:?} is not retired, end_of_support or reinstate"
            ))
        })?),
    };
    lifecycle::set_retirement(&app, &sess.principal(), id, kind).await?;
    let r = app.store.release(sess.org_id, id).await?;
    Ok(Redirect::to(&format!(
        "/products/{}/lifecycle#release-{id}",
        r.product_id
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "sbom_diff.html")]
struct DiffPage {
    chrome: Chrome,
    product_id: i64,
    diff: Option<SbomDiff>,
}

/// `GET /releases/{id}/changes`: what the current SBOM version changed against the previous.
pub(super) async fn changes(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
) -> Result<Response, UiError> {
    let r = app.store.release(sess.org_id, id).await?;
    let diff = match lifecycle::sbom_diff(&app, &sess.principal(), id, None, None).await {
        Ok(d) => Some(d),
        Err(e) if e.kind == crate::service::ErrorKind::Conflict => None,
        Err(e) if e.kind == crate::service::ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    ok(&DiffPage {
        chrome: sess.chrome(
            format!("Release {}: SBOM changes", r.version),
            Nav::Products,
        ),
        product_id: r.product_id,
        diff,
    })
}

#[derive(Template)]
#[template(path = "archived.html")]
struct ArchivedPage {
    chrome: Chrome,
    products: Vec<(i64, String, String)>,
}

/// `GET /products/archived`.
pub(super) async fn archived(State(app): State<App>, sess: UiSession) -> Result<Response, UiError> {
    let products = lifecycle::archived_products(&app, &sess.principal())
        .await?
        .into_iter()
        .map(|(p, at)| (p.id, p.name, when(at)))
        .collect();
    ok(&ArchivedPage {
        chrome: sess.chrome("Archived products", Nav::Products),
        products,
    })
}
