//! Article 14 case list and the fleet: the manufacturer's cases with their next deadline, and
//! the form to open a case by hand (a severe incident, or a vulnerability cyres did not find);
//! one case and its forms: `case.rs`; for CSIRT and ENISA organisations, the inbox of received
//! reports, each linked to its page (`authority.rs`); devices and how many still run a release
//! with an open finding (changed through the API, `/api/v1/devices`).

use super::forms::{Choice, time_field, to_form};
use super::session::UiSession;
use super::view::{Chrome, Form, Nav, UiError, render, when};
use crate::App;
use crate::service::ErrorKind;
use crate::service::authority::inbox_rows;
use crate::service::cases::{NewCase, open_case};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cyres_cra::CaseKind;
use cyres_store::{OrgKind, Role};

/// One case line.
pub(super) struct CaseLine {
    id: i64,
    title: String,
    kind: String,
    state: String,
    aware: String,
    next: String,
}

/// One received report line (authority side).
pub(super) struct InboxLine {
    id: i64,
    reference: String,
    sender: String,
    stage: String,
    coordinator: String,
    received: String,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    chrome: Chrome,
    cases: Vec<CaseLine>,
    authority: bool,
    enisa: bool,
    inbox: Vec<InboxLine>,
    products: Vec<Choice>,
    sources: Vec<Choice>,
    form: Form,
}

fn next_deadline(app: &App, body: Option<&serde_json::Value>) -> String {
    let Some(case) =
        body.and_then(|b| serde_json::from_value::<cyres_report::Case>(b.clone()).ok())
    else {
        return "confirm the case to start the clocks".into();
    };
    let now = app.now_at();
    match case.deadlines(now) {
        Ok(d) => d
            .stages
            .iter()
            .find(|s| s.due.is_some() && s.submitted_at.is_none())
            .map(|s| format!("{}: {}", s.stage.as_str(), s.status_text))
            .unwrap_or_else(|| "all due reports submitted".into()),
        Err(e) => e.to_string(),
    }
}

async fn render_list(app: &App, sess: &UiSession, form: Option<Form>) -> Result<Response, UiError> {
    let org = app.store.org(sess.org_id).await?;
    let cases = app
        .store
        .cases(sess.org_id)
        .await?
        .into_iter()
        .map(|c| CaseLine {
            id: c.id,
            next: next_deadline(app, c.body.as_ref()),
            title: c.title,
            kind: c.kind.to_string(),
            state: c.state.to_string(),
            aware: c.aware_at.map(when).unwrap_or_else(|| "-".into()),
        })
        .collect();
    let authority = org.is_authority();
    let inbox = if authority {
        // The API's inbox rule; a CSIRT without member state coordinates nothing.
        match inbox_rows(app, &sess.principal(), 500).await {
            Ok(rows) => rows,
            Err(e) if e.kind == crate::service::ErrorKind::Forbidden => Vec::new(),
            Err(e) => return Err(e.into()),
        }
        .into_iter()
        .map(|r| InboxLine {
            id: r.id,
            reference: format!("AUTH-{}", r.id),
            sender: r.sender,
            stage: r.stage.to_string(),
            coordinator: r.coordinator.unwrap_or_default(),
            received: when(r.received_at),
        })
        .collect()
    } else {
        Vec::new()
    };
    let products = if authority {
        Vec::new()
    } else {
        app.store
            .products(sess.org_id)
            .await?
            .into_iter()
            .map(|p| Choice::new(p.id.to_string(), p.name))
            .collect()
    };
    let status = if form.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        &CasesPage {
            chrome: sess.chrome("Article 14 cases", Nav::Cases),
            cases,
            authority,
            enisa: org.kind == OrgKind::Enisa,
            inbox,
            products,
            sources: super::case::source_choices(),
            form: form.unwrap_or_else(|| {
                Form::new(vec![
                    ("kind".into(), "incident".into()),
                    ("ev_source".into(), String::new()),
                ])
            }),
        },
    )
}

/// `GET /cases`.
pub(super) async fn list(State(app): State<App>, sess: UiSession) -> Result<Response, UiError> {
    render_list(&app, &sess, None).await
}

/// `POST /cases` (editors): opens a case by hand, a severe incident or a vulnerability cyres
/// did not find itself (the API's `POST /api/v1/cases`).
pub(super) async fn create(
    State(app): State<App>,
    sess: UiSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(Role::Editor)?;
    let kind = match form.get("kind") {
        "incident" => Some(CaseKind::Incident),
        "vulnerability" => Some(CaseKind::Vulnerability),
        _ => {
            form.fail("kind", "choose a severe incident or a vulnerability");
            None
        }
    };
    let product_id = form.get("product_id").parse::<i64>().ok();
    if product_id.is_none() {
        form.fail("product_id", "choose the product concerned");
    }
    let aware_at = time_field(&mut form, "aware_at");
    if aware_at.is_none() && form.error("aware_at").is_none() {
        form.fail("aware_at", "enter the time you became aware");
    }
    let evidence = super::case::evidence_body(&mut form, "ev_");
    if let (Some(kind), Some(product_id), Some(aware_at), false) =
        (kind, product_id, aware_at, form.failed())
    {
        let body = NewCase {
            kind,
            title: form.get("title").to_string(),
            product_id,
            advisory_id: Some(form.get("advisory_id").trim().to_string())
                .filter(|a| !a.is_empty() && kind == CaseKind::Vulnerability),
            aware_at,
            description: Some(form.get("description").to_string()).filter(|d| !d.is_empty()),
            evidence: evidence.into_iter().collect(),
        };
        match open_case(&app, &sess.principal(), body).await {
            Ok(row) => {
                return Ok(Redirect::to(&format!("/cases/{}?saved=open", row.id)).into_response());
            }
            Err(e) => to_form(&mut form, e)?,
        }
    }
    render_list(&app, &sess, Some(form)).await
}

/// One exposure line.
pub(super) struct ExposureLine {
    advisory: String,
    product: String,
    devices: i64,
    opted_out: i64,
    exploited: bool,
}

#[derive(Template)]
#[template(path = "fleet.html")]
struct FleetPage {
    chrome: Chrome,
    exposure: Vec<ExposureLine>,
    devices: Vec<(String, String, String, String)>,
    products: Vec<(i64, String)>,
    form: Form,
    /// A new device's token, shown once.
    token: Option<(String, String)>,
}

/// `GET /fleet`: devices and the fleet's exposure to open findings.
pub(super) async fn fleet(State(app): State<App>, sess: UiSession) -> Result<Response, UiError> {
    fleet_page(&app, &sess, Form::default(), None, StatusCode::OK).await
}

/// `POST /fleet/devices` (administrators): registers a device; its token is shown once.
pub(super) async fn register_device(
    State(app): State<App>,
    sess: UiSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    let product_id = match form.get("product_id").parse::<i64>() {
        Ok(id) => id,
        Err(_) => {
            form.fail("product_id", "choose the product the device runs");
            return fleet_page(&app, &sess, form, None, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let device_id = form.get("device_id").to_string();
    let hardware = form.get("hardware").to_string();
    match crate::service::fleet::register(
        &app,
        &sess.principal(),
        &device_id,
        product_id,
        Some(hardware.as_str()),
    )
    .await
    {
        // Every page is sent `no-store` (`view::render`), so the token stays out of caches.
        Ok((d, token)) => {
            fleet_page(
                &app,
                &sess,
                Form::default(),
                Some((d.device_id, token)),
                StatusCode::OK,
            )
            .await
        }
        Err(e) if matches!(e.kind, ErrorKind::Invalid | ErrorKind::Conflict) => {
            form.fail("device_id", e.message);
            fleet_page(&app, &sess, form, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn fleet_page(
    app: &App,
    sess: &UiSession,
    form: Form,
    token: Option<(String, String)>,
    status: StatusCode,
) -> Result<Response, UiError> {
    let products: std::collections::BTreeMap<i64, String> = app
        .store
        .products(sess.org_id)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let exposure = app
        .store
        .fleet_exposure(sess.org_id)
        .await?
        .into_iter()
        .map(|e| ExposureLine {
            product: products.get(&e.product_id).cloned().unwrap_or_default(),
            advisory: e.advisory_id,
            devices: e.exposed_devices,
            opted_out: e.opted_out,
            exploited: e.exploited,
        })
        .collect();
    let devices = app
        .store
        .devices(sess.org_id)
        .await?
        .into_iter()
        .map(|d| {
            (
                d.device_id,
                products.get(&d.product_id).cloned().unwrap_or_default(),
                d.installed_version.unwrap_or_else(|| "-".into()),
                d.last_seen.map(when).unwrap_or_else(|| "never".into()),
            )
        })
        .collect();
    let mut choices: Vec<(i64, String)> = products.into_iter().collect();
    choices.sort();
    render(
        status,
        &FleetPage {
            chrome: sess.chrome("Fleet", Nav::Fleet),
            products: choices,
            form,
            token,
            exposure,
            devices,
        },
    )
}
