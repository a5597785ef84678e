//! The CSAF publishing page (issue 18, point 3): every revision of the organisation's CSAF
//! documents (drafts, reviewed, published, superseded, and what cyres proposed when a fix
//! shipped), with the buttons of the flow (review for editors, publish for administrators),
//! and the forms that draft a case's security advisory or a release's VEX document with a
//! TLP label. Operations in `crate::service::{csaf, csaf_provider}`.

use super::session::UiSession;
use super::view::{Chrome, Form, Nav, UiError, ok, when};
use crate::App;
use crate::service::{csaf, csaf_provider};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use cyres_store::CsafState;

/// One revision as the page lists it.
struct Line {
    id: i64,
    tracking_id: String,
    revision: i64,
    title: String,
    profile: String,
    tlp: String,
    state: CsafState,
    version: String,
    change_summary: String,
    proposal: String,
    at: String,
    case_id: Option<i64>,
    public_url: String,
}

#[derive(Template)]
#[template(path = "csaf.html")]
struct CsafPage {
    chrome: Chrome,
    metadata_url: String,
    fingerprint: String,
    key_url: String,
    lines: Vec<Line>,
    cases: Vec<(i64, String)>,
    releases: Vec<(i64, String)>,
}

/// `GET /csaf`.
pub(super) async fn page(State(app): State<App>, sess: UiSession) -> Result<Response, UiError> {
    let who = sess.principal();
    let org = app.store.org(sess.org_id).await?;
    let (fingerprint, key_url) = csaf_provider::key_info(&app, &who).await?;
    let base = csaf::provider_base(&app, &org);
    let mut lines = Vec::new();
    for r in csaf::list(&app, &who).await? {
        let public_url = if r.state == CsafState::Published {
            serde_json::from_str::<serde_json::Value>(&r.body)
                .ok()
                .and_then(|d| {
                    d["document"]["references"]
                        .as_array()?
                        .iter()
                        .find(|x| x["category"] == "self")
                        .and_then(|x| x["url"].as_str().map(str::to_string))
                })
                .unwrap_or_default()
        } else {
            String::new()
        };
        lines.push(Line {
            id: r.id,
            tracking_id: r.tracking_id,
            revision: r.revision,
            title: r.title,
            profile: r.profile,
            tlp: r.tlp,
            state: r.state,
            version: r.version,
            change_summary: r.change_summary,
            proposal: r.proposal.unwrap_or_default(),
            at: when(r.published_at.unwrap_or(r.created_at)),
            case_id: r.case_id,
            public_url,
        });
    }
    let cases = app
        .store
        .cases(sess.org_id)
        .await?
        .into_iter()
        .filter(|c| c.kind == cyres_cra::CaseKind::Vulnerability && c.state.is_confirmed())
        .map(|c| (c.id, c.title))
        .collect();
    let mut releases = Vec::new();
    for p in app.store.products(sess.org_id).await? {
        for r in app.store.releases(sess.org_id, p.id).await? {
            releases.push((r.id, format!("{} {}", p.name, r.version)));
        }
    }
    ok(&CsafPage {
        chrome: sess.chrome("Security advisories (CSAF)", Nav::Cases),
        metadata_url: format!("{base}/provider-metadata.json"),
        fingerprint,
        key_url,
        lines,
        cases,
        releases,
    })
}

/// `POST /csaf`: `action` = `draft_case` (`case_id`), `draft_vex` (`release_id`), each with
/// `tlp` and `change_summary` (editors); `review` or `publish` with `id` (editors, admins).
pub(super) async fn act(
    State(app): State<App>,
    sess: UiSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let form = Form::new(pairs);
    sess.check(&form)?;
    let who = sess.principal();
    let num = |field: &str| -> Result<i64, UiError> {
        form.get(field).trim().parse::<i64>().map_err(|_| {
            crate::service::ServiceError::invalid(field, format!("{field}: a number")).into()
        })
    };
    let tlp = || csaf::tlp_from(form.get("tlp"));
    let summary = form.get("change_summary").to_string();
    let id = match form.get("action") {
        "draft_case" => {
            csaf::draft_case_advisory(&app, &who, num("case_id")?, tlp()?, &summary)
                .await?
                .id
        }
        "draft_vex" => {
            csaf::draft_release_vex(&app, &who, num("release_id")?, tlp()?, &summary)
                .await?
                .id
        }
        "review" => csaf::review(&app, &who, num("id")?).await?.id,
        "publish" => csaf::publish(&app, &who, num("id")?).await?.id,
        other => {
            return Err(crate::service::ServiceError::bad_request(format!(
                "action: {other:?} is not draft_case, draft_vex, review or publish"
            ))
            .into());
        }
    };
    Ok(Redirect::to(&format!("/csaf#rev-{id}")).into_response())
}
