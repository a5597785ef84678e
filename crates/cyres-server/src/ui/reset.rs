//! The page a password-reset link opens (no login: the link's token is the credential). The
//! rules live in `service::accounts`.

use super::view::{Form, UiError, render};
use crate::App;
use crate::service::{ErrorKind, accounts};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "reset_password.html")]
struct ResetPage {
    done: bool,
    email: Option<String>,
    token: String,
    form: Form,
}

fn page(status: StatusCode, p: &ResetPage) -> Result<Response, UiError> {
    // `render` already sends `no-store`; the token is in the address, so no referrer either.
    let mut resp = render(status, p)?;
    resp.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(resp)
}

async fn target(app: &App, token: &str) -> Result<Option<String>, UiError> {
    match accounts::reset_target(app, token).await {
        Ok(email) => Ok(Some(email)),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// `GET /reset-password?token=`.
pub(super) async fn form(
    State(app): State<App>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, UiError> {
    let token = q.get("token").cloned().unwrap_or_default();
    let email = target(&app, &token).await?;
    let status = if email.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    page(
        status,
        &ResetPage {
            done: false,
            email,
            token,
            form: Form::default(),
        },
    )
}

/// `POST /reset-password`: sets the password and says so, with a link to log in.
pub(super) async fn submit(
    State(app): State<App>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    let token = form.get("token").to_string();
    let password = form.get("password").to_string();
    match accounts::redeem_reset(&app, &token, &password).await {
        Ok(()) => page(
            StatusCode::OK,
            &ResetPage {
                done: true,
                email: None,
                token: String::new(),
                form: Form::default(),
            },
        ),
        Err(e) if e.kind == ErrorKind::Invalid => {
            form.fail("password", e.message);
            let email = target(&app, &token).await?;
            page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ResetPage {
                    done: false,
                    email,
                    token,
                    form,
                },
            )
        }
        Err(e) if e.kind == ErrorKind::NotFound => page(
            StatusCode::NOT_FOUND,
            &ResetPage {
                done: false,
                email: None,
                token: String::new(),
                form,
            },
        ),
        Err(e) => Err(e.into()),
    }
}
