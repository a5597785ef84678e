//! The economic operator's page (issue 16, point 5; CRA Arts 18-20, 23): the listings naming
//! the organisation as importer, distributor or authorised representative, each with its latest
//! check, a button to run it and a form to record a supply. Operations in
//! `crate::service::compliance` (`supplied`, `supplied_check`, `supplied_supply`).

use super::session::UiSession;
use super::view::{Chrome, Form, Nav, UiError, render};
use crate::App;
use crate::service::ErrorKind;
use crate::service::compliance::{self as comp, SupplyInput};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

struct Line {
    id: i64,
    product: String,
    manufacturer: String,
    role: String,
    member_state: String,
    /// Importers and distributors check; an authorised representative holds a mandate.
    checks: bool,
    check: Option<String>,
    passed: bool,
    supplies: Vec<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "supplied_products.html")]
struct SuppliedPage {
    chrome: Chrome,
    lines: Vec<Line>,
}

async fn render_page(
    app: &App,
    sess: &UiSession,
    error: Option<(i64, String)>,
) -> Result<Response, UiError> {
    let lines = comp::supplied(app, &sess.principal())
        .await?
        .into_iter()
        .map(|l| {
            let id = l.link.operator.id;
            let (check, passed) = match &l.latest_check {
                Some(c) => (
                    Some(format!(
                        "{} on {} by {}",
                        if c.passed { "passed" } else { "failed" },
                        super::view::when(c.checked_at),
                        c.author
                    )),
                    c.passed,
                ),
                None => (None, false),
            };
            Line {
                id,
                checks: l.link.operator.role != "authorised-representative",
                product: l.link.product,
                manufacturer: l.link.manufacturer,
                role: l.link.operator.role,
                member_state: l.link.operator.member_state,
                check,
                passed,
                supplies: l
                    .supply_records
                    .iter()
                    .map(|s| {
                        format!(
                            "{}: {} {} (kept until {})",
                            s.supplied_on, s.direction, s.party, s.keep_until
                        )
                    })
                    .collect(),
                error: error
                    .as_ref()
                    .filter(|(e, _)| *e == id)
                    .map(|(_, m)| m.clone()),
            }
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        &SuppliedPage {
            chrome: sess.chrome("Products you place or make available", Nav::Products),
            lines,
        },
    )
}

/// `GET /supplied-products` (members).
pub(super) async fn page(State(app): State<App>, sess: UiSession) -> Result<Response, UiError> {
    render_page(&app, &sess, None).await
}

/// An answer to a posted form: back to the page, or the page with the refusal at the listing.
async fn answer<T>(
    app: &App,
    sess: &UiSession,
    op: i64,
    result: Result<T, crate::service::ServiceError>,
) -> Result<Response, UiError> {
    match result {
        Ok(_) => Ok(Redirect::to("/supplied-products").into_response()),
        Err(e) if matches!(e.kind, ErrorKind::Invalid | ErrorKind::Conflict) => {
            render_page(app, sess, Some((op, e.message))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /supplied-products/{op}/check` (editors): `ce` when the CE marking was seen.
pub(super) async fn check(
    State(app): State<App>,
    sess: UiSession,
    Path(op): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let form = Form::new(pairs);
    sess.check(&form)?;
    let result = comp::supplied_check(&app, &sess.principal(), op, form.present("ce")).await;
    answer(&app, &sess, op, result).await
}

/// `POST /supplied-products/{op}/supply` (editors).
pub(super) async fn supply(
    State(app): State<App>,
    sess: UiSession,
    Path(op): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let form = Form::new(pairs);
    sess.check(&form)?;
    let input = SupplyInput {
        direction: form.get("direction").to_string(),
        party: form.get("party").to_string(),
        party_address: form.get("party_address").to_string(),
        supplied_on: form.get("supplied_on").to_string(),
        quantity: None,
    };
    let result = comp::supplied_supply(&app, &sess.principal(), op, &input).await;
    answer(&app, &sess, op, result).await
}
