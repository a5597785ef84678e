//! The notification rules page (issue 17, point 7; administrators): which events, for which
//! products and severities, go to which channel; each rule can be edited, disabled and enabled
//! again, or deleted. Operations in `crate::service::notify_rules`.

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
use cyres_store::{RuleChannel, RuleEvent};

struct RuleLine {
    id: i64,
    name: String,
    events: String,
    products: String,
    min_severity: String,
    channel: String,
    target: String,
    created: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "notify_rules.html")]
struct RulesPage {
    chrome: Chrome,
    rules: Vec<RuleLine>,
    products: Vec<(i64, String)>,
    events: Vec<&'static str>,
    channels: Vec<&'static str>,
    form: Form,
    secret: Option<String>,
    /// The rule being edited (the form then saves it instead of adding one).
    editing: Option<(i64, String)>,
}

async fn render_rules(
    app: &App,
    sess: &UiSession,
    form: Form,
    secret: Option<String>,
    editing: Option<(i64, String)>,
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
            events: cyres_store::words_of(&r.events),
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
            channel: r.channel.to_string(),
            target: r.target.unwrap_or_else(|| "-".into()),
            created: when(r.created_at),
            active: r.active,
        })
        .collect();
    render(
        status,
        &RulesPage {
            chrome: sess.chrome("Notification rules", Nav::Settings),
            rules,
            products,
            events: RuleEvent::ALL.iter().map(|e| e.as_str()).collect(),
            channels: RuleChannel::ALL.iter().map(|c| c.as_str()).collect(),
            form,
            secret,
            editing,
        },
    )
}

/// `GET /settings/notifications` (admins).
pub(super) async fn page(State(app): State<App>, sess: UiSession) -> Result<Response, UiError> {
    sess.require(Role::Admin)?;
    render_rules(&app, &sess, Form::default(), None, None, StatusCode::OK).await
}

/// `GET /settings/notifications/{id}` (admins): the page with the form holding this rule.
pub(super) async fn edit_page(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
) -> Result<Response, UiError> {
    sess.require(Role::Admin)?;
    let rule = app.store.notify_rule(sess.org_id, id).await?;
    let mut pairs = vec![
        ("name".to_string(), rule.name.clone()),
        ("channel".to_string(), rule.channel.to_string()),
        (
            "target".to_string(),
            rule.target.clone().unwrap_or_default(),
        ),
        (
            "min_severity".to_string(),
            rule.min_severity.clone().unwrap_or_default(),
        ),
    ];
    pairs.extend(
        rule.events
            .iter()
            .map(|e| ("events".to_string(), e.to_string())),
    );
    pairs.extend(
        rule.product_ids
            .iter()
            .map(|p| ("product_ids".to_string(), p.to_string())),
    );
    let editing = Some((rule.id, rule.name));
    render_rules(&app, &sess, Form::new(pairs), None, editing, StatusCode::OK).await
}

/// The rule a posted form describes.
fn rule_input(form: &Form) -> RuleInput {
    RuleInput {
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
    }
}

/// The answer to a saved form: the page with a new signing secret shown once, else back to
/// the list; a refusal is shown next to its field.
async fn saved(
    app: &App,
    sess: &UiSession,
    mut form: Form,
    editing: Option<(i64, String)>,
    result: Result<Option<String>, crate::service::ServiceError>,
) -> Result<Response, UiError> {
    match result {
        Ok(Some(secret)) => {
            return render_rules(
                app,
                sess,
                Form::default(),
                Some(secret),
                None,
                StatusCode::OK,
            )
            .await;
        }
        Ok(None) => return Ok(Redirect::to("/settings/notifications").into_response()),
        Err(e) if e.kind == ErrorKind::Internal || e.kind == ErrorKind::Forbidden => {
            return Err(e.into());
        }
        Err(e) if e.kind == ErrorKind::NotFound => return Err(e.into()),
        Err(e) => {
            let field = e.field.clone().unwrap_or_else(|| "name".into());
            let prefix = format!("{field}: ");
            form.fail(&field, e.message.trim_start_matches(&prefix).to_string());
        }
    }
    render_rules(
        app,
        sess,
        form,
        None,
        editing,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// `POST /settings/notifications` (admins): a new rule; a webhook rule's signing secret is
/// shown once on the answer.
pub(super) async fn create(
    State(app): State<App>,
    sess: UiSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(Role::Admin)?;
    let result = notify_rules::create(&app, &sess.principal(), &rule_input(&form)).await;
    saved(&app, &sess, form, None, result.map(|(_, secret)| secret)).await
}

/// `POST /settings/notifications/{id}` (admins): saves the edited rule.
pub(super) async fn update(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(Role::Admin)?;
    let result = notify_rules::update(&app, &sess.principal(), id, &rule_input(&form)).await;
    let editing = Some((id, form.get("name").to_string()));
    saved(&app, &sess, form, editing, result.map(|(_, secret)| secret)).await
}

async fn switch(
    app: &App,
    sess: &UiSession,
    id: i64,
    form: Form,
    on: bool,
) -> Result<Response, UiError> {
    sess.check(&form)?;
    notify_rules::set_active(app, &sess.principal(), id, on).await?;
    Ok(Redirect::to("/settings/notifications").into_response())
}

/// `POST /settings/notifications/{id}/disable` (admins): the rule delivers nothing until
/// enabled again.
pub(super) async fn disable(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    switch(&app, &sess, id, Form::new(pairs), false).await
}

/// `POST /settings/notifications/{id}/enable` (admins).
pub(super) async fn enable(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    switch(&app, &sess, id, Form::new(pairs), true).await
}

/// `POST /settings/notifications/{id}/delete` (admins).
pub(super) async fn delete(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    sess.check(&Form::new(pairs))?;
    notify_rules::delete(&app, &sess.principal(), id).await?;
    Ok(Redirect::to("/settings/notifications").into_response())
}
