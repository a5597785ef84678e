//! The public voluntary-report form (CRA Art. 15): anyone (a researcher, an open-source
//! steward, a user) reports a vulnerability, cyber threat, incident or near miss without an
//! account. The form posts to the same intake as `POST /api/v1/public/voluntary-reports`
//! (`api::cases::voluntary_intake`): the same per-address limit (10 an hour, shared between
//! the two), the same size limit, the same checks naming every problem, the same routing to
//! the manufacturer as a case proposal. After a report the browser is sent to a thank-you
//! page with the reference.

use super::forms::Choice;
use super::view::{Form, UiError, render};
use crate::App;
use crate::api::cases::voluntary_intake;
use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cyres_report::VoluntarySubmission;
use cyres_report::voluntary::VoluntaryKind;
use std::net::SocketAddr;

const KINDS: [(VoluntaryKind, &str); 4] = [
    (VoluntaryKind::Vulnerability, "a vulnerability"),
    (VoluntaryKind::CyberThreat, "a cyber threat"),
    (VoluntaryKind::Incident, "an incident"),
    (VoluntaryKind::NearMiss, "a near miss"),
];

/// The fields of the form, in page order (the intake's paths).
const FIELDS: [&str; 12] = [
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
}

#[derive(Template)]
#[template(path = "voluntary_thanks.html")]
struct Thanks {
    reference: String,
}

fn kind_word(k: VoluntaryKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn page(status: StatusCode, form: Form) -> Result<Response, UiError> {
    render(
        status,
        &ReportForm {
            form,
            kinds: KINDS
                .iter()
                .map(|(k, label)| Choice::new(kind_word(*k), *label))
                .collect(),
        },
    )
}

/// `GET /report`.
pub async fn form() -> Result<Response, UiError> {
    page(StatusCode::OK, Form::default())
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
        kind: KINDS
            .iter()
            .find(|(k, _)| kind_word(*k) == form.get("kind"))
            .map(|(k, _)| *k),
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
pub async fn submit(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    let sub = submission(&form);
    let size = serde_json::to_vec(&sub).map(|v| v.len()).unwrap_or(0);
    match voluntary_intake(&app, &peer.ip().to_string(), size, || Ok(sub)).await {
        Ok(reference) => {
            Ok(Redirect::to(&format!("/report/thanks?ref={reference}")).into_response())
        }
        Err(e) => {
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
            let mut resp = page(e.status, form)?;
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
pub async fn thanks(Query(q): Query<Vec<(String, String)>>) -> Result<Response, UiError> {
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
    render(StatusCode::OK, &Thanks { reference })
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
