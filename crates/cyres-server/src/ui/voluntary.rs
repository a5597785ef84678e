//! The public report forms, on two channels (`cyres_report::IntakeChannel`):
//!
//! - `/report`: the coordinated vulnerability disclosure intake of a manufacturer on this
//!   platform (CRA Annex I, Part II, points (5)-(6)). The manufacturer is chosen by its
//!   organisation id (`/report?organisation=ID`, or from the list), never by a typed name; an
//!   unknown id is a 404 page. It is not an Art. 15 report and says so.
//! - `/voluntary-notification`: the Art. 15 voluntary notification to a CSIRT designated as
//!   coordinator or ENISA (Art. 15(1)-(2)), on instances that host a CSIRT or ENISA
//!   organisation (404 elsewhere), with the protections of Art. 15(4)-(5) and 17(4) stated.
//!
//! Both post to the intake of `POST /api/v1/public/vulnerability-reports` and
//! `/voluntary-notifications` (`service::cases::voluntary_intake`): the same per-address limit (10
//! an hour, shared), the same size limit, the same checks naming every problem. After a report
//! the browser is sent to a thank-you page with the reference.

use super::forms::{Choice, word_choices};
use super::view::{Form, UiError, render};
use crate::App;
use crate::service::cases::{receives, receiving_org, voluntary_intake};
use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cyres_report::voluntary::VoluntaryKind;
use cyres_report::{IntakeChannel, VoluntarySubmission};
use std::net::SocketAddr;

const KINDS: [(VoluntaryKind, &str); 4] = [
    (VoluntaryKind::Vulnerability, "a vulnerability"),
    (VoluntaryKind::CyberThreat, "a cyber threat"),
    (VoluntaryKind::Incident, "an incident"),
    (VoluntaryKind::NearMiss, "a near miss"),
];

/// The fields of the form, in page order (the intake's paths).
const FIELDS: [&str; 13] = [
    "organisation_id",
    "kind",
    "manufacturer",
    "product",
    "versions",
    "title",
    "description",
    "exploited",
    "cve_ids",
    "references",
    "member_states",
    "reporter_name",
    "reporter_contact",
];

#[derive(Template)]
#[template(path = "voluntary.html")]
struct ReportForm {
    form: Form,
    kinds: Vec<Choice>,
    heading: &'static str,
    basis: &'static str,
    protections: &'static str,
    action: &'static str,
    org_label: &'static str,
    orgs: Vec<Choice>,
    fixed_org: Option<Choice>,
    show_manufacturer: bool,
    /// A link to the other channel, when this instance has one.
    other: Option<Choice>,
}

#[derive(Template)]
#[template(path = "voluntary_thanks.html")]
struct Thanks {
    reference: String,
    recipient: &'static str,
    again: &'static str,
}

/// The form's path.
fn action(channel: IntakeChannel) -> &'static str {
    match channel {
        IntakeChannel::CoordinatedDisclosure => "/report",
        IntakeChannel::Art15Voluntary => "/voluntary-notification",
    }
}

/// The organisations receiving reports on `channel`, as choices (value: the id).
async fn receivers(app: &App, channel: IntakeChannel) -> Result<Vec<Choice>, UiError> {
    Ok(app
        .store
        .orgs()
        .await
        .map_err(crate::ApiError::from)?
        .into_iter()
        .filter(|o| receives(channel, o.kind))
        .map(|o| {
            let label = match (o.kind, o.member_state.as_deref()) {
                (cyres_store::OrgKind::Csirt, Some(ms)) => format!("{} (CSIRT, {ms})", o.name),
                (cyres_store::OrgKind::Enisa, _) => format!("{} (ENISA)", o.name),
                _ => o.name.clone(),
            };
            Choice::new(o.id.to_string(), label)
        })
        .collect())
}

async fn page(
    app: &App,
    channel: IntakeChannel,
    status: StatusCode,
    form: Form,
    fixed: Option<i64>,
) -> Result<Response, UiError> {
    let orgs = receivers(app, channel).await?;
    if orgs.is_empty() {
        // No CSIRT or ENISA here (or no manufacturer): the channel does not exist.
        return Err(crate::ApiError::not_found(match channel {
            IntakeChannel::CoordinatedDisclosure => "manufacturer",
            IntakeChannel::Art15Voluntary => "CSIRT or ENISA on this instance",
        })
        .into());
    }
    let fixed_org = match fixed {
        Some(id) => Some(
            orgs.iter()
                .find(|o| o.value == id.to_string())
                .map(|o| Choice::new(o.value.clone(), o.label.clone()))
                .ok_or_else(|| UiError::from(crate::ApiError::not_found("organisation")))?,
        ),
        None => None,
    };
    let other_channel = match channel {
        IntakeChannel::CoordinatedDisclosure => IntakeChannel::Art15Voluntary,
        IntakeChannel::Art15Voluntary => IntakeChannel::CoordinatedDisclosure,
    };
    let other = (!receivers(app, other_channel).await?.is_empty()).then(|| {
        Choice::new(
            action(other_channel),
            match other_channel {
                IntakeChannel::Art15Voluntary => {
                    "Notify a CSIRT or ENISA instead (voluntary notification, CRA Art. 15)"
                }
                IntakeChannel::CoordinatedDisclosure => {
                    "Report a vulnerability to a manufacturer instead (coordinated vulnerability disclosure)"
                }
            },
        )
    });
    render(
        status,
        &ReportForm {
            form,
            kinds: word_choices("kind", KINDS.iter().map(|(k, label)| (k, *label)))?,
            heading: channel.title(),
            basis: channel.basis(),
            protections: channel.protections(),
            action: action(channel),
            org_label: match channel {
                IntakeChannel::CoordinatedDisclosure => "Manufacturer",
                IntakeChannel::Art15Voluntary => "CSIRT or ENISA",
            },
            orgs,
            fixed_org,
            show_manufacturer: channel == IntakeChannel::Art15Voluntary,
            other,
        },
    )
}

/// The `organisation` query parameter, if any: an id, or a 404 for anything else.
fn organisation_param(q: &[(String, String)]) -> Result<Option<i64>, UiError> {
    match q.iter().find(|(k, _)| k == "organisation") {
        None => Ok(None),
        Some((_, v)) => v
            .parse()
            .map(Some)
            .map_err(|_| crate::ApiError::not_found("organisation").into()),
    }
}

/// `GET /report[?organisation=ID]`: a manufacturer's coordinated vulnerability disclosure form.
pub(super) async fn form(
    State(app): State<App>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let fixed = organisation_param(&q)?;
    if let Some(id) = fixed {
        receiving_org(&app, IntakeChannel::CoordinatedDisclosure, id).await?;
    }
    page(
        &app,
        IntakeChannel::CoordinatedDisclosure,
        StatusCode::OK,
        Form::default(),
        fixed,
    )
    .await
}

/// `GET /voluntary-notification[?organisation=ID]`: the Art. 15 notification form.
pub(super) async fn notification_form(
    State(app): State<App>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let fixed = organisation_param(&q)?;
    if let Some(id) = fixed {
        receiving_org(&app, IntakeChannel::Art15Voluntary, id).await?;
    }
    page(
        &app,
        IntakeChannel::Art15Voluntary,
        StatusCode::OK,
        Form::default(),
        fixed,
    )
    .await
}

/// Entries of a list field: one per line or separated by commas.
fn entries(form: &Form, name: &str) -> Vec<String> {
    form.get(name)
        .split(['\n', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The form as the intake's submission; the intake itself checks every field.
fn submission(form: &Form) -> VoluntarySubmission {
    let text = |name: &str| Some(form.get(name).to_string()).filter(|s| !s.is_empty());
    VoluntarySubmission {
        kind: serde_json::from_value::<VoluntaryKind>(form.get("kind").into())
            .ok()
            .filter(|kind| KINDS.iter().any(|(k, _)| k == kind)),
        manufacturer: form.get("manufacturer").to_string(),
        product: form.get("product").to_string(),
        versions: entries(form, "versions"),
        title: form.get("title").to_string(),
        description: form.get("description").to_string(),
        exploited: match form.get("exploited") {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        },
        cve_ids: entries(form, "cve_ids"),
        references: entries(form, "references"),
        member_states: entries(form, "member_states"),
        reporter_name: text("reporter_name"),
        reporter_contact: text("reporter_contact"),
    }
}

/// `POST /report`: no login; rate-limited per address like the API.
pub(super) async fn submit(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    send(app, peer, pairs, IntakeChannel::CoordinatedDisclosure).await
}

/// `POST /voluntary-notification`: no login; rate-limited per address like the API.
pub(super) async fn notification_submit(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    send(app, peer, pairs, IntakeChannel::Art15Voluntary).await
}

async fn send(
    app: App,
    peer: SocketAddr,
    pairs: Vec<(String, String)>,
    channel: IntakeChannel,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    let sub = submission(&form);
    let org_id = form.get("organisation_id").parse::<i64>().ok();
    let size = serde_json::to_vec(&sub)
        .map_err(|e| crate::service::ServiceError::internal(format!("voluntary report: {e}")))?
        .len();
    match voluntary_intake(&app, &peer.ip().to_string(), size, channel, || {
        Ok((org_id, sub))
    })
    .await
    {
        Ok(reference) => Ok(Redirect::to(&format!(
            "/report/thanks?ref={reference}&to={}",
            match channel {
                IntakeChannel::CoordinatedDisclosure => "manufacturer",
                IntakeChannel::Art15Voluntary => "csirt",
            }
        ))
        .into_response()),
        Err(e) => {
            let e = crate::ApiError::from(e);
            // The intake names every problem as `path: message; …`; each goes next to its
            // field, and the whole list above the form.
            for part in e.message.split("; ") {
                if let Some((path, msg)) = part.split_once(": ") {
                    let field = path.split('[').next().unwrap_or(path);
                    if FIELDS.contains(&field) {
                        form.fail(field, msg);
                    }
                }
            }
            form.fail("_form", e.message.clone());
            let mut resp = page(&app, channel, e.status, form, None).await?;
            if let Some(wait) = e.retry_after
                && let Ok(v) = wait.to_string().parse()
            {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Ok(resp)
        }
    }
}

/// `GET /report/thanks?ref=VR-…`.
pub(super) async fn thanks(Query(q): Query<Vec<(String, String)>>) -> Result<Response, UiError> {
    let reference = q
        .iter()
        .find(|(k, _)| k == "ref")
        .map(|(_, v)| v.as_str())
        .filter(|r| {
            r.strip_prefix("VR-")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
        .unwrap_or("")
        .to_string();
    let art15 = q.iter().any(|(k, v)| k == "to" && v == "csirt");
    render(
        StatusCode::OK,
        &Thanks {
            reference,
            recipient: if art15 {
                "the CSIRT"
            } else {
                "the manufacturer"
            },
            again: if art15 {
                "/voluntary-notification"
            } else {
                "/report"
            },
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_map_onto_the_submission() {
        let f = Form::new(vec![
            ("kind".into(), "near-miss".into()),
            ("versions".into(), "2.4.1, 2.4.0\n2.3".into()),
            ("exploited".into(), "yes".into()),
            ("reporter_name".into(), "  ".into()),
        ]);
        let s = submission(&f);
        assert_eq!(s.kind, Some(VoluntaryKind::NearMiss));
        assert_eq!(s.versions, vec!["2.4.1", "2.4.0", "2.3"]);
        assert_eq!(s.exploited, Some(true));
        assert_eq!(s.reporter_name, None);
        assert_eq!(submission(&Form::default()).kind, None);
    }
}
