//! The notification rules page (issue 17, point 7; administrators): which events, for which
//! products and severities, go to which channel. Operations in `crate::service::notify_rules`.

use super::session::UiSession;
use super::view::{Chrome, Form, Nav, UiError, render, when};
use crate::App;
use crate::service::ErrorKind;
use crate::service::notify_rules::{self, RuleInput};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cyres_store::Role;
use cyres_store::notify_rules::{CHANNELS, EVENTS};

struct RuleLine {
    id: i64,
    name: String,
    events: String,
    products: String,
    min_severity: String,
    channel: String,
    target: String,
    created: String,
}

#[derive(Template)]
#[template(path = "notify_rules.html")]
struct RulesPage {
    chrome: Chrome,
    rules: Vec<RuleLine>,
    products: Vec<(i64, String)>,
    events: &'static [&'static str],
    channels: &'static [&'static str],
    form: Form,
    secret: Option<String>,
}

async fn render_rules(
    app: &App,
    sess: &UiSession,
    form: Form,
    secret: Option<String>,
    status: StatusCode,
) -> Result<Response, UiError> {
    let products: Vec<(i64, String)> = app
        .store
        .products(sess.org_id)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let name_of = |id: &i64| {
        products
            .iter()
            .find(|p| p.0 == *id)
            .map(|p| p.1.clone())
            .unwrap_or_else(|| format!("product {id}"))
    };
    let rules = notify_rules::list(app, &sess.principal())
        .await?
        .into_iter()
        .map(|r| RuleLine {
            id: r.id,
            name: r.name,
            events: r.events.join(", "),
            products: if r.product_ids.is_empty() {
                "all".into()
            } else {
                r.product_ids
                    .iter()
                    .map(name_of)
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            min_severity: r.min_severity.unwrap_or_else(|| "any".into()),
            channel: r.channel,
            target: r.target.unwrap_or_else(|| "-".into()),
            created: when(r.created_at),
        })
        .collect();
    render(
        status,
        &RulesPage {
            chrome: sess.chrome("Notification rules", Nav::Settings),
            rules,
            products,
            events: &EVENTS,
            channels: &CHANNELS,
            form,
            secret,
        },
    )
}

/// `GET /settings/notifications` (admins).
pub async fn page(State(app): State<App>, sess: UiSession) -> Result<Response, UiError> {
    sess.require(Role::Admin)?;
    render_rules(&app, &sess, Form::default(), None, StatusCode::OK).await
}

/// `POST /settings/notifications` (admins): a new rule; a webhook rule's signing secret is
/// shown once on the answer.
pub async fn create(
    State(app): State<App>,
    sess: UiSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(Role::Admin)?;
    let input = RuleInput {
        name: form.get("name").to_string(),
        events: form.all("events"),
        product_ids: form
            .all("product_ids")
            .iter()
            .filter_map(|p| p.parse().ok())
            .collect(),
        min_severity: Some(form.get("min_severity").to_string()).filter(|s| !s.is_empty()),
        channel: form.get("channel").to_string(),
        target: Some(form.get("target").to_string()).filter(|s| !s.trim().is_empty()),
    };
    match notify_rules::create(&app, &sess.principal(), &input).await {
        Ok((_, Some(secret))) => {
            return render_rules(&app, &sess, Form::default(), Some(secret), StatusCode::OK).await;
        }
        Ok((_, None)) => return Ok(Redirect::to("/settings/notifications").into_response()),
        Err(e) if e.kind == ErrorKind::Internal || e.kind == ErrorKind::Forbidden => {
            return Err(e.into());
        }
        Err(e) => {
            let field = e.field.clone().unwrap_or_else(|| "name".into());
            let prefix = format!("{field}: ");
            form.fail(&field, e.message.trim_start_matches(&prefix).to_string());
        }
    }
    render_rules(&app, &sess, form, None, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// `POST /settings/notifications/{id}/delete` (admins).
pub async fn delete(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    sess.check(&Form::new(pairs))?;
    notify_rules::delete(&app, &sess.principal(), id).await?;
    Ok(Redirect::to("/settings/notifications").into_response())
}
