//! Settings of the organisation: members and roles, API tokens (the secret shown once, on the
//! page that answers the creation, and never again), webhooks with their delivery log, and the
//! advisory sources with their last sync. Viewers and editors see the lists they may see;
//! only administrators get the forms.

use super::session::UiSession;
use super::view::{Chrome, Form, Nav, UiError, render, when};
use crate::App;
use crate::service::accounts;
use crate::service::admin::{self, NewMember};
use crate::service::{ErrorKind, ServiceError};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cyres_store::Role;

/// A member as listed.
pub(super) struct MemberView {
    /// Account id.
    pub id: i64,
    /// E-mail.
    pub email: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: String,
}

/// A pending invitation as listed to administrators.
pub(super) struct InvitationView {
    /// Id.
    pub id: i64,
    /// The e-mail invited.
    pub email: String,
    /// Role offered.
    pub role: String,
    /// Who invited.
    pub invited_by: String,
    /// When.
    pub when: String,
}

/// An API token as listed.
pub(super) struct TokenView {
    /// Id.
    pub id: i64,
    /// Label.
    pub name: String,
    /// Role.
    pub role: String,
    /// Created.
    pub created: String,
    /// Last used.
    pub last_used: String,
    /// Revoked at, if so.
    pub revoked: String,
}

/// A webhook as listed.
pub(super) struct WebhookView {
    /// Id.
    pub id: i64,
    /// URL.
    pub url: String,
    /// Created.
    pub created: String,
}

/// One delivery in the log.
pub(super) struct DeliveryView {
    /// Alert id.
    pub alert_id: i64,
    /// `webhook` or `email`.
    pub channel: String,
    /// State.
    pub state: String,
    /// Attempts.
    pub attempts: i64,
    /// Last HTTP status and error.
    pub last: String,
    /// Delivered at or next attempt.
    pub when: String,
}

/// An advisory source.
pub(super) struct SourceView {
    /// Id.
    pub id: String,
    /// Kind.
    pub kind: String,
    /// URL.
    pub url: String,
    /// Last sync.
    pub last_sync: String,
    /// Counts of the last sync.
    pub result: String,
}

/// A secret to show once.
pub(super) struct Secret {
    /// What it is.
    pub label: String,
    /// The secret.
    pub value: String,
    /// What cyres keeps of it, said truthfully next to it.
    pub kept: &'static str,
}

/// API tokens are checked, never used: only a hash is stored.
pub(super) const KEPT_HASHED: &str = "cyres keeps only its hash";
/// Webhook signing secrets sign every delivery, so cyres needs them: stored encrypted.
pub(super) const KEPT_ENCRYPTED: &str = "cyres needs it to sign deliveries, so it keeps it encrypted with the server's secret key and never shows it again";

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    chrome: Chrome,
    org: cyres_store::Org,
    members: Vec<MemberView>,
    invitations: Vec<InvitationView>,
    tokens: Vec<TokenView>,
    webhooks: Vec<WebhookView>,
    deliveries: Vec<DeliveryView>,
    sources: Vec<SourceView>,
    advisory_count: i64,
    member_form: Form,
    token_form: Form,
    webhook_form: Form,
    secret: Option<Secret>,
    roles: Vec<&'static str>,
}

/// Forms of the page, one of which may carry errors.
#[derive(Default)]
struct Forms {
    member: Form,
    token: Form,
    webhook: Form,
}

fn result_text(v: &Option<serde_json::Value>) -> String {
    match v {
        Some(serde_json::Value::Object(o)) => o
            .iter()
            .filter_map(|(k, v)| match v {
                serde_json::Value::Number(n) => Some(format!("{k}: {n}")),
                serde_json::Value::String(s) if !s.is_empty() => Some(format!("{k}: {s}")),
                serde_json::Value::Array(a) if !a.is_empty() => Some(format!("{k}: {}", a.len())),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
        None => "never synced".into(),
    }
}

async fn render_settings(
    app: &App,
    sess: &UiSession,
    forms: Forms,
    secret: Option<Secret>,
) -> Result<Response, UiError> {
    let members = app
        .store
        .members(sess.org_id)
        .await?
        .into_iter()
        .map(|m| MemberView {
            id: m.account.id,
            email: m.account.email,
            name: m.account.display_name,
            role: m.role.as_str().into(),
        })
        .collect();
    let admin = sess.role >= Role::Admin;
    let (mut tokens, mut webhooks, mut deliveries) = (Vec::new(), Vec::new(), Vec::new());
    let mut invitations = Vec::new();
    if admin {
        let who = sess.principal();
        invitations = crate::service::admin::pending_invitations(app, &who)
            .await?
            .into_iter()
            .map(|i| InvitationView {
                id: i.id,
                email: i.email,
                role: i.role.as_str().into(),
                invited_by: i.invited_by,
                when: when(i.created_at),
            })
            .collect();
        tokens = crate::service::admin::tokens(app, &who)
            .await?
            .into_iter()
            .map(|t| TokenView {
                id: t.id,
                name: t.name,
                role: t.role.as_str().into(),
                created: when(t.created_at),
                last_used: t.last_used_at.map(when).unwrap_or_else(|| "never".into()),
                revoked: t.revoked_at.map(when).unwrap_or_default(),
            })
            .collect();
        webhooks = crate::service::admin::webhooks(app, &who)
            .await?
            .into_iter()
            .map(|w| WebhookView {
                id: w.id,
                url: w.url,
                created: when(w.created_at),
            })
            .collect();
        deliveries = crate::service::admin::deliveries(app, &who, 50)
            .await?
            .into_iter()
            .map(|d| DeliveryView {
                alert_id: d.alert_id,
                channel: d.channel.to_string(),
                state: d.state.to_string(),
                attempts: d.attempts,
                last: [
                    d.last_status.map(|s| format!("HTTP {s}")),
                    d.last_error.clone(),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(": "),
                when: match d.delivered_at {
                    Some(t) => format!("delivered {}", when(t)),
                    None => format!("next attempt {}", when(d.next_attempt_at)),
                },
            })
            .collect();
    }
    let sources = app
        .store
        .sources()
        .await?
        .into_iter()
        .map(|s| SourceView {
            last_sync: s.last_sync_at.map(when).unwrap_or_else(|| "never".into()),
            result: result_text(&s.last_result),
            id: s.id,
            kind: s.kind,
            url: s.url,
        })
        .collect();
    let failed = forms.member.failed() || forms.token.failed() || forms.webhook.failed();
    let page = SettingsPage {
        chrome: sess.chrome("Settings", Nav::Settings),
        org: app.store.org(sess.org_id).await?,
        members,
        invitations,
        tokens,
        webhooks,
        deliveries,
        sources,
        advisory_count: app.store.advisory_count().await?,
        member_form: forms.member,
        token_form: forms.token,
        webhook_form: forms.webhook,
        secret,
        roles: vec!["viewer", "editor", "admin"],
    };
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(status, &page)
}

/// `GET /settings`.
pub(super) async fn page(State(app): State<App>, sess: UiSession) -> Result<Response, UiError> {
    render_settings(&app, &sess, Forms::default(), None).await
}

fn role_of(form: &mut Form) -> Option<Role> {
    let r = Role::parse(form.get("role"));
    if r.is_none() {
        form.fail("role", "choose viewer, editor or admin");
    }
    r
}

/// `POST /settings/members` (admins): invites an e-mail with a role (creating an account with
/// the given password when the address has none); an existing member gets the new role. The
/// page answers the same whether or not the address has an account.
pub(super) async fn add_member(
    State(app): State<App>,
    sess: UiSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(Role::Admin)?;
    let role = role_of(&mut form);
    let password = form.all("password").into_iter().next().unwrap_or_default();
    let added = match role {
        Some(role) => {
            admin::add_member(
                &app,
                &sess.principal(),
                NewMember {
                    email: form.get("email"),
                    role,
                    password: (!password.is_empty()).then_some(password),
                    display_name: Some(form.get("display_name")),
                },
            )
            .await
        }
        None => Err(ServiceError::invalid(
            "role",
            "choose viewer, editor or admin",
        )),
    };
    if let Err(e) = added {
        if e.kind == ErrorKind::Internal {
            return Err(e.into());
        }
        // Never send a password back into the page.
        let mut kept = Form::new(
            ["email", "role", "display_name"]
                .iter()
                .map(|k| (k.to_string(), form.get(k).to_string()))
                .collect(),
        );
        let field = e.field.as_deref().unwrap_or("_form");
        let message = e
            .message
            .strip_prefix(&format!("{field}: "))
            .unwrap_or(&e.message)
            .to_string();
        kept.fail(field, message);
        return render_settings(
            &app,
            &sess,
            Forms {
                member: kept,
                ..Forms::default()
            },
            None,
        )
        .await;
    }
    Ok(Redirect::to("/settings#members").into_response())
}

/// `POST /settings/invitations/{id}/withdraw` (admins).
pub(super) async fn withdraw_invitation(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    sess.check(&Form::new(pairs))?;
    crate::service::admin::withdraw_invitation(&app, &sess.principal(), id).await?;
    Ok(Redirect::to("/settings#members").into_response())
}

/// `POST /settings/tokens` (admins): the answer is the only place the secret ever appears.
pub(super) async fn create_token(
    State(app): State<App>,
    sess: UiSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(Role::Admin)?;
    let name = form.get("name").to_string();
    if name.is_empty() {
        form.fail("name", "give the token a name, like “CI pipeline”");
    }
    let role = role_of(&mut form);
    let (Some(role), false) = (role, form.failed()) else {
        return render_settings(
            &app,
            &sess,
            Forms {
                token: form,
                ..Forms::default()
            },
            None,
        )
        .await;
    };
    let secret = match admin::create_token(&app, &sess.principal(), &name, role).await {
        Ok((_, secret)) => secret,
        Err(e) if e.kind == ErrorKind::Internal => return Err(e.into()),
        Err(e) => {
            form.fail(e.field.as_deref().unwrap_or("name"), e.message);
            return render_settings(
                &app,
                &sess,
                Forms {
                    token: form,
                    ..Forms::default()
                },
                None,
            )
            .await;
        }
    };
    show_secret(
        &app,
        &sess,
        Secret {
            label: format!("API token “{name}” ({})", role.as_str()),
            value: secret,
            kept: KEPT_HASHED,
        },
    )
    .await
}

/// `POST /settings/tokens/{id}/revoke` (admins).
pub(super) async fn revoke_token(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    sess.check(&Form::new(pairs))?;
    crate::service::admin::revoke_token(&app, &sess.principal(), id).await?;
    Ok(Redirect::to("/settings#tokens").into_response())
}

/// `POST /settings/webhooks` (admins): the signing secret is shown once.
pub(super) async fn create_webhook(
    State(app): State<App>,
    sess: UiSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(Role::Admin)?;
    let url = form.get("url").to_string();
    match admin::create_webhook(&app, &sess.principal(), &url).await {
        Ok((_, secret)) => {
            return show_secret(
                &app,
                &sess,
                Secret {
                    label: format!(
                        "signing secret of the webhook {url} (deliveries carry {})",
                        admin::SIGNATURE_HELP
                    ),
                    value: secret,
                    kept: KEPT_ENCRYPTED,
                },
            )
            .await;
        }
        Err(e) if e.kind == ErrorKind::Internal => return Err(e.into()),
        Err(e) => form.fail("url", e.message.trim_start_matches("url: ").to_string()),
    }
    render_settings(
        &app,
        &sess,
        Forms {
            webhook: form,
            ..Forms::default()
        },
        None,
    )
    .await
}

/// `POST /settings/webhooks/{id}/delete` (admins).
pub(super) async fn delete_webhook(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    sess.check(&Form::new(pairs))?;
    crate::service::admin::delete_webhook(&app, &sess.principal(), id).await?;
    Ok(Redirect::to("/settings#webhooks").into_response())
}

/// `POST /settings/members/{id}/remove` (admins): never the last administrator (the refusal
/// is shown at the members' table).
pub(super) async fn remove_member(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let form = Form::new(pairs);
    sess.check(&form)?;
    match accounts::remove_member(&app, &sess.principal(), id).await {
        Ok(()) => Ok(Redirect::to("/settings#members").into_response()),
        Err(e) if e.kind == ErrorKind::Conflict => {
            members_refusal(&app, &sess, form, e.message, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /settings/members/{id}/reset-link` (admins): a one-time password-reset link, shown
/// once.
pub(super) async fn reset_link(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let form = Form::new(pairs);
    sess.check(&form)?;
    let issued = match accounts::issue_reset(&app, &sess.principal(), id).await {
        Ok(issued) => issued,
        Err(e) if e.kind == ErrorKind::Forbidden && sess.role >= Role::Admin => {
            return members_refusal(&app, &sess, form, e.message, StatusCode::FORBIDDEN).await;
        }
        Err(e) => return Err(e.into()),
    };
    show_secret(
        &app,
        &sess,
        Secret {
            label: format!(
                "password-reset link, valid until {}; give it to the person",
                when(issued.expires_at)
            ),
            value: issued.url,
            kept: KEPT_HASHED,
        },
    )
    .await
}

/// The settings page with a secret shown once (every page is sent `no-store` by
/// `view::render`, so it stays out of caches).
async fn show_secret(app: &App, sess: &UiSession, secret: Secret) -> Result<Response, UiError> {
    render_settings(app, sess, Forms::default(), Some(secret)).await
}

/// The settings page with a refusal shown at the members' table.
async fn members_refusal(
    app: &App,
    sess: &UiSession,
    mut form: Form,
    message: String,
    status: StatusCode,
) -> Result<Response, UiError> {
    form.fail("members", message);
    let forms = Forms {
        member: form,
        ..Forms::default()
    };
    let mut resp = render_settings(app, sess, forms, None).await?;
    *resp.status_mut() = status;
    Ok(resp)
}
