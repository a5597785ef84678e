//! The "CPE names" page (issue 20, point 3(c)): the organisation's decisions ("this component
//! is `vendor:product`") with who and when, the derived candidates waiting for an analyst with
//! the findings each would give, and the form that records a decision (the finding page's
//! "resolve this CPE" link fills it in). Operations in `crate::service::cpe_resolution`.

use super::session::UiSession;
use super::view::{Chrome, Form, Nav, UiError, render, when};
use crate::App;
use crate::service::ErrorKind;
use crate::service::cpe_resolution::{self as resolution, DecisionInput};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cyres_store::{CpeCandidateState, Role};

struct DecisionLine {
    id: i64,
    subject: String,
    cpe: String,
    origin: &'static str,
    note: String,
    decided: String,
    withdrawn: String,
}

struct PendingFinding {
    release_id: i64,
    component: String,
    advisory_id: String,
    severity: String,
}

struct CandidateLine {
    id: i64,
    subject: String,
    cpe: String,
    reason: String,
    /// The state, with who decided it and when.
    state: String,
    /// Still proposed: an editor may confirm or reject it.
    proposed: bool,
    findings: Vec<PendingFinding>,
}

#[derive(Template)]
#[template(path = "cpe_resolution.html")]
struct ResolutionPage {
    chrome: Chrome,
    decisions: Vec<DecisionLine>,
    candidates: Vec<CandidateLine>,
    editor: bool,
    form: Form,
    notice: String,
}

async fn render_page(
    app: &App,
    sess: &UiSession,
    form: Form,
    notice: String,
    status: StatusCode,
) -> Result<Response, UiError> {
    let who = sess.principal();
    let decisions = resolution::decisions(app, &who, true)
        .await?
        .into_iter()
        .map(|d| DecisionLine {
            id: d.id,
            subject: d.subject,
            cpe: format!("{}:{}", d.vendor, d.product),
            origin: if d.origin == "candidate" {
                "confirmed candidate"
            } else {
                "analyst"
            },
            note: d.note.unwrap_or_default(),
            decided: format!("{}, {}", d.decided_by, when(d.decided_at)),
            withdrawn: match (d.withdrawn_by, d.withdrawn_at) {
                (Some(by), Some(at)) => format!("{by}, {}", when(at)),
                _ => String::new(),
            },
        })
        .collect();
    let mut candidates = Vec::new();
    for c in resolution::candidates(app, &who, None).await? {
        let proposed = c.candidate.state == CpeCandidateState::Proposed;
        let findings = if proposed {
            resolution::candidate(app, &who, c.candidate.id)
                .await?
                .findings
                .into_iter()
                .map(|f| PendingFinding {
                    release_id: f.release_id,
                    component: format!(
                        "{} {}",
                        f.component_name,
                        f.component_version.unwrap_or_default()
                    ),
                    advisory_id: f.advisory_id,
                    severity: f.severity,
                })
                .collect()
        } else {
            Vec::new()
        };
        let state = match (&c.candidate.decided_by, c.candidate.decided_at) {
            (Some(by), Some(at)) => format!("{} by {by}, {}", c.candidate.state, when(at)),
            _ => c.candidate.state.to_string(),
        };
        candidates.push(CandidateLine {
            id: c.candidate.id,
            subject: c.candidate.subject,
            cpe: format!("{}:{}", c.candidate.vendor, c.candidate.product),
            reason: c.candidate.reason,
            state,
            proposed,
            findings,
        });
    }
    render(
        status,
        &ResolutionPage {
            chrome: sess.chrome("CPE names", Nav::Findings),
            decisions,
            candidates,
            editor: who.role >= Role::Editor,
            form,
            notice,
        },
    )
}

/// `GET /cpe-resolution?subject=…`: the page; `subject` fills the decision form.
pub(super) async fn page(
    State(app): State<App>,
    sess: UiSession,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let form = Form::new(
        q.into_iter()
            .filter(|(k, _)| k == "subject" || k == "cpe")
            .collect(),
    );
    render_page(&app, &sess, form, String::new(), StatusCode::OK).await
}

/// `POST /cpe-resolution`: records a decision (editors).
pub(super) async fn record(
    State(app): State<App>,
    sess: UiSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    let input = DecisionInput {
        subject: form.get("subject").to_string(),
        cpe: form.get("cpe").to_string(),
        note: Some(form.get("note").to_string()),
    };
    match resolution::record(&app, &sess.principal(), &input).await {
        Ok(d) => {
            let notice = format!(
                "Recorded: {} is {}:{}. {} component row(s) re-matched, {} new finding(s), {} withdrawn.",
                d.decision.subject,
                d.decision.vendor,
                d.decision.product,
                d.rematch.components,
                d.rematch.new_findings + d.rematch.reopened,
                d.rematch.withdrawn
            );
            render_page(&app, &sess, Form::default(), notice, StatusCode::OK).await
        }
        Err(e) if matches!(e.kind, ErrorKind::Invalid | ErrorKind::Conflict) => {
            let field = e.field.clone().unwrap_or_else(|| "subject".into());
            form.fail(&field, e.message.clone());
            render_page(
                &app,
                &sess,
                form,
                String::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /cpe-resolution/decisions/{id}/withdraw` (editors).
pub(super) async fn withdraw(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    sess.check(&Form::new(pairs))?;
    resolution::withdraw(&app, &sess.principal(), id).await?;
    Ok(Redirect::to("/cpe-resolution").into_response())
}

/// `POST /cpe-resolution/candidates/{id}/confirm` (editors).
pub(super) async fn confirm(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    sess.check(&Form::new(pairs))?;
    resolution::confirm(&app, &sess.principal(), id, None).await?;
    Ok(Redirect::to("/cpe-resolution").into_response())
}

/// `POST /cpe-resolution/candidates/{id}/reject` (editors).
pub(super) async fn reject(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    sess.check(&Form::new(pairs))?;
    resolution::reject(&app, &sess.principal(), id).await?;
    Ok(Redirect::to("/cpe-resolution").into_response())
}

/// `POST /cpe-resolution/derive` (editors): derive candidates again.
pub(super) async fn derive(
    State(app): State<App>,
    sess: UiSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    sess.check(&Form::new(pairs))?;
    resolution::derive(&app, &sess.principal()).await?;
    Ok(Redirect::to("/cpe-resolution").into_response())
}
