//! The invitations page: where a person lands after logging in while invitations wait for
//! them, and the only page of an account that belongs to no organisation yet. Each invitation
//! names the organisation, the role offered and who invited; accepting makes the account a
//! member with that role, declining removes the invitation. Nobody becomes a member of an
//! organisation without this step of their own.

use super::session::{check_form_csrf, local_path, redirect_local};
use super::view::{Form, UiError, render, when};
use crate::App;
use crate::auth::Person;
use askama::Template;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;

/// The logged-in person behind a UI request, with or without an organisation.
pub(super) struct UiPerson(pub(crate) Person);

impl FromRequestParts<App> for UiPerson {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Response> {
        match Person::from_cookie(app, parts).await {
            Ok(Some(p)) => Ok(UiPerson(p)),
            Ok(None) => Err(Redirect::to("/login?next=%2Finvitations").into_response()),
            Err(e) => Err(UiError(e).into_response()),
        }
    }
}

impl UiPerson {
    /// Fails with 403 unless the form's `csrf` field equals the session's token.
    pub(crate) fn check(&self, form: &Form) -> Result<(), UiError> {
        check_form_csrf(form, &self.0.csrf)
    }
}

/// An invitation as listed.
struct InvitationView {
    id: i64,
    org: String,
    role: String,
    invited_by: String,
    when: String,
}

#[derive(Template)]
#[template(path = "invitations.html")]
struct InvitationsPage {
    email: String,
    csrf: String,
    invitations: Vec<InvitationView>,
    /// Where "continue" goes, when the account belongs to an organisation.
    next: Option<String>,
}

/// `GET /invitations`.
pub(super) async fn page(
    State(app): State<App>,
    person: UiPerson,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, UiError> {
    let p = &person.0;
    let invitations = app
        .store
        .invitations_for(&p.account.email)
        .await?
        .into_iter()
        .map(|i| InvitationView {
            id: i.id,
            org: i.org_name,
            role: i.role.as_str().into(),
            invited_by: i.invited_by,
            when: when(i.created_at),
        })
        .collect();
    let member = !app.store.memberships(p.account.id).await?.is_empty();
    let next = member.then(|| {
        q.get("next")
            .and_then(|n| local_path(n))
            .unwrap_or("/")
            .to_string()
    });
    render(
        StatusCode::OK,
        &InvitationsPage {
            email: p.account.email.clone(),
            csrf: p.csrf.clone(),
            invitations,
            next,
        },
    )
}

/// `POST /invitations/{id}/accept`: become a member; a session that acted for no
/// organisation now acts for this one.
pub(super) async fn accept(
    State(app): State<App>,
    person: UiPerson,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    person.check(&Form::new(pairs))?;
    person.0.accept(&app, id).await?;
    Ok(redirect_local("/invitations"))
}

/// `POST /invitations/{id}/decline`.
pub(super) async fn decline(
    State(app): State<App>,
    person: UiPerson,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    person.check(&Form::new(pairs))?;
    crate::service::accounts::decline_invitation(&app, person.0.account.id, id).await?;
    Ok(redirect_local("/invitations"))
}
