//! One Article 14 case on the manufacturer side, with its forms: confirm a proposal (time of
//! awareness, product, evidence), add evidence to the ledger, edit the case fields the reports
//! draw from, submit a stage, and record the ENISA portal reference of a submission made by
//! hand (the real single reporting platform has no public API, docs/cra.md §11); and publish
//! the notice to impacted users to the product's subscribers (`super::notices`).
//!
//! Every form posts to a handler that reads the fields into the service's typed input and calls
//! the same operation as the API (`service::cases::{confirm_case, add_case_evidence,
//! update_case, submit_stage, record_portal}`); the checks (awareness not in the future, evidence with a
//! reference, identity fields fixed, every missing report field named) live there once.

use super::forms::{Choice, local_value, rfc3339, time_field, to_form, word_choices};
use super::notices::{PublishView, publish_view};
use super::session::UiSession;
use super::view::{Chrome, Form, Nav, UiError, render, when};
use crate::App;
use crate::service::ErrorKind;
use crate::service::cases::{
    CasePatch, Confirm, NewEvidence, add_case_evidence, confirm_case, record_portal, stage_from,
    submit_stage, update_case,
};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cyres_cra::StageKind;
use cyres_report::{EvidenceSource, SecurityGround, Sensitivity, SevereGround, SeverityLevel};
use cyres_store::Role;
use serde_json::{Value, json};

const SOURCES: [EvidenceSource; 6] = [
    EvidenceSource::Kev,
    EvidenceSource::Euvd,
    EvidenceSource::OwnTelemetry,
    EvidenceSource::Researcher,
    EvidenceSource::Csirt,
    EvidenceSource::Other,
];

const STAGES: [StageKind; 4] = [
    StageKind::EarlyWarning,
    StageKind::Notification,
    StageKind::IntermediateReport,
    StageKind::FinalReport,
];

const SENSITIVITIES: [Sensitivity; 5] = [
    Sensitivity::Clear,
    Sensitivity::Green,
    Sensitivity::Amber,
    Sensitivity::AmberStrict,
    Sensitivity::Red,
];

const SECURITY_GROUNDS: [SecurityGround; 3] = [
    SecurityGround::ExploitedOnlyInCoordinatorState,
    SecurityGround::EssentialSecurityInterests,
    SecurityGround::ImminentHighRisk,
];

/// Why an incident is severe (Art. 14(5)); `cyres-report` gives these no label.
const SEVERE_GROUNDS: [(SevereGround, &str); 2] = [
    (
        SevereGround::SensitiveDataOrFunctions,
        "harms, or could harm, the protection of sensitive or important data or functions (Art. 14(5)(a))",
    ),
    (
        SevereGround::MaliciousCode,
        "led, or could lead, to malicious code in the product or users' systems (Art. 14(5)(b))",
    ),
];

const LEVELS: [SeverityLevel; 4] = [
    SeverityLevel::Low,
    SeverityLevel::Medium,
    SeverityLevel::High,
    SeverityLevel::Critical,
];

/// Free-text case fields the edit form offers (one text area each).
const TEXT_FIELDS: [(&str, &str); 6] = [
    ("description", "Description"),
    ("nature", "General nature of the exploit or incident"),
    ("impact", "Impact"),
    ("initial_assessment", "Initial assessment (incidents)"),
    ("malicious_actor", "What is known about the malicious actor"),
    ("root_cause", "Type of threat or root cause (incidents)"),
];

/// List case fields the edit form offers (one entry per line).
const LIST_FIELDS: [(&str, &str); 7] = [
    ("affected_releases", "Affected releases"),
    ("cve_ids", "CVE ids"),
    ("measures_taken", "Measures taken"),
    ("user_measures", "Measures users can take"),
    ("ongoing_measures", "Measures still ongoing (incidents)"),
    ("fixed_releases", "Releases that fix it"),
    ("status_updates", "Status updates (intermediate reports)"),
];

/// One clock line of a case.
pub(super) struct StageLine {
    stage: String,
    due: String,
    status: String,
    basis: String,
    missing: String,
}

/// One submission line.
pub(super) struct SubmissionLine {
    id: i64,
    stage: String,
    revision: i64,
    state: String,
    receipt: String,
    needs_portal: bool,
}

/// One text field of the edit form.
pub(super) struct TextField {
    name: &'static str,
    label: &'static str,
    list: bool,
}

impl CasePage {
    /// A Unix time as shown.
    fn when(&self, unix: &i64) -> String {
        super::forms::rfc3339(crate::clock::at(*unix))
    }
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    chrome: Chrome,
    id: i64,
    state: String,
    kind: String,
    coordinator: String,
    notice: Option<&'static str>,
    proposed: bool,
    voluntary: bool,
    incident: bool,
    stages: Vec<StageLine>,
    evidence: Vec<(String, String, String, String)>,
    maintainers: Vec<cyres_store::MaintainerNotice>,
    submissions: Vec<SubmissionLine>,
    products: Vec<Choice>,
    sources: Vec<Choice>,
    stage_choices: Vec<Choice>,
    sensitivities: Vec<Choice>,
    security_grounds: Vec<Choice>,
    severe_grounds: Vec<Choice>,
    levels: Vec<Choice>,
    text_fields: Vec<TextField>,
    cform: Form,
    eform: Form,
    uform: Form,
    sform: Form,
    pform: Form,
    portal_sub: i64,
    publish: PublishView,
    report: Vec<(String, String)>,
}

/// Which form failed, with what was typed.
enum Failed {
    None,
    Confirm(Form),
    Evidence(Form),
    Update(Form),
    Submit(Form),
    Portal(i64, Form),
    Publish(Form),
}

/// The edit form's values from the stored case body.
fn edit_values(body: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = Vec::new();
    for (name, _) in TEXT_FIELDS {
        v.push((name.into(), body[name].as_str().unwrap_or("").to_string()));
    }
    for (name, _) in LIST_FIELDS {
        let lines: Vec<&str> = body[name]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        v.push((name.into(), lines.join("\n")));
    }
    let sev = &body["severity"];
    v.push((
        "severity".into(),
        sev["level"].as_str().unwrap_or("").into(),
    ));
    v.push((
        "cvss_score".into(),
        sev["cvss_score"]
            .as_f64()
            .map(|s| format!("{s:.1}"))
            .unwrap_or_default(),
    ));
    v.push((
        "cvss_vector".into(),
        sev["cvss_vector"].as_str().unwrap_or("").into(),
    ));
    v.push((
        "sensitivity".into(),
        body["sensitivity"].as_str().unwrap_or("").into(),
    ));
    for g in body["security_grounds"].as_array().into_iter().flatten() {
        if let Some(g) = g.as_str() {
            v.push(("security_grounds".into(), g.into()));
        }
    }
    for g in body["severe_grounds"].as_array().into_iter().flatten() {
        if let Some(g) = g.as_str() {
            v.push(("severe_grounds".into(), g.into()));
        }
    }
    v.push((
        "malicious_suspected".into(),
        match body["malicious_suspected"].as_bool() {
            Some(true) => "yes".into(),
            Some(false) => "no".into(),
            None => String::new(),
        },
    ));
    if body["delay_requested"] == true {
        v.push(("delay_requested".into(), "on".into()));
    }
    let fix = &body["fix"];
    if let Some(at) = fix["available_at"]
        .as_str()
        .and_then(super::forms::parse_time)
    {
        v.push(("fix_available_at".into(), local_value(at.unix_timestamp())));
    }
    v.push((
        "fix_description".into(),
        fix["description"].as_str().unwrap_or("").into(),
    ));
    v
}

async fn render_case(
    app: &App,
    sess: &UiSession,
    id: i64,
    failed: Failed,
    notice: Option<&'static str>,
) -> Result<Response, UiError> {
    let row = app.store.case(sess.org_id, id).await?;
    let proposed = row.state == cyres_store::CaseState::Proposed;
    let voluntary = proposed
        && row
            .body
            .as_ref()
            .is_some_and(|b| b.get("voluntary").is_some());
    let case = if proposed {
        None
    } else {
        match row
            .body
            .as_ref()
            .and_then(|b| serde_json::from_value::<cyres_report::Case>(b.clone()).ok())
        {
            Some(c) => Some(crate::service::cases::with_contact(app, sess.org_id, c).await?),
            None => None,
        }
    };
    let now = app.now_at();
    let mut stages = Vec::new();
    let mut evidence = Vec::new();
    let mut coordinator = "-".to_string();
    if let Some(c) = &case {
        if let Ok(d) = c.deadlines(now) {
            for s in d.stages {
                let draft = cyres_report::draft(c, s.stage);
                let missing = match cyres_report::validate(&draft) {
                    Ok(_) => String::new(),
                    Err(m) => m.iter().map(|m| m.label).collect::<Vec<_>>().join("; "),
                };
                stages.push(StageLine {
                    stage: s.stage.as_str().to_string(),
                    due: s
                        .due
                        .map(|t| when(t.unix_timestamp()))
                        .unwrap_or_else(|| "-".into()),
                    status: s.status_text,
                    basis: s.basis.to_string(),
                    missing,
                });
            }
        }
        if let Ok(co) = c.coordinator() {
            coordinator = format!("{} ({})", co.member_state_name, co.basis);
        }
        for e in &c.evidence {
            evidence.push((
                e.source.label().to_string(),
                when(e.at.unix_timestamp()),
                e.reference.clone(),
                e.recorded_by.clone(),
            ));
        }
    }
    let submissions = app
        .store
        .submissions(sess.org_id, id)
        .await?
        .into_iter()
        .map(|s| SubmissionLine {
            id: s.id,
            needs_portal: s.portal_ref.is_none() && s.receipt_ref.is_none(),
            stage: s.stage.to_string(),
            revision: s.revision,
            state: s.state.to_string(),
            receipt: s.receipt_ref.or(s.portal_ref).unwrap_or_else(|| "-".into()),
        })
        .collect();
    let products = if voluntary {
        app.store
            .products(sess.org_id)
            .await?
            .into_iter()
            .map(|p| Choice::new(p.id.to_string(), p.name))
            .collect()
    } else {
        Vec::new()
    };
    let publish_form = match &failed {
        Failed::Publish(f) => f.clone(),
        _ => Form::default(),
    };
    let publish = publish_view(app, sess, id, case.as_ref(), publish_form).await?;
    let fresh_update = || Form::new(row.body.as_ref().map(edit_values).unwrap_or_default());
    let fresh_evidence = || Form::new(vec![("source".into(), "own-telemetry".into())]);
    let (status, cform, eform, uform, sform, pform, portal_sub) = match failed {
        Failed::None | Failed::Publish(_) => (
            if publish.form.failed() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            },
            Form::default(),
            fresh_evidence(),
            fresh_update(),
            Form::default(),
            Form::default(),
            0,
        ),
        Failed::Confirm(f) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            f,
            fresh_evidence(),
            fresh_update(),
            Form::default(),
            Form::default(),
            0,
        ),
        Failed::Evidence(f) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Form::default(),
            f,
            fresh_update(),
            Form::default(),
            Form::default(),
            0,
        ),
        Failed::Update(f) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Form::default(),
            fresh_evidence(),
            f,
            Form::default(),
            Form::default(),
            0,
        ),
        Failed::Submit(f) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Form::default(),
            fresh_evidence(),
            fresh_update(),
            f,
            Form::default(),
            0,
        ),
        Failed::Portal(sid, f) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Form::default(),
            fresh_evidence(),
            fresh_update(),
            Form::default(),
            f,
            sid,
        ),
    };
    let page = CasePage {
        chrome: sess.chrome(format!("Case {}", row.title), Nav::Cases),
        id,
        state: row.state.to_string(),
        kind: row.kind.to_string(),
        coordinator,
        notice,
        proposed,
        voluntary,
        report: super::vex::report_content(row.body.as_ref()),
        incident: row.kind == cyres_cra::CaseKind::Incident,
        stages,
        evidence,
        maintainers: app.store.case_maintainer_notices(sess.org_id, id).await?,
        submissions,
        products,
        sources: source_choices(),
        stage_choices: STAGES
            .iter()
            .map(|s| Choice::new(s.as_str(), s.as_str().replace('-', " ")))
            .collect(),
        sensitivities: word_choices("sensitivity", SENSITIVITIES.iter().map(|s| (s, s.label())))?,
        security_grounds: word_choices(
            "security ground",
            SECURITY_GROUNDS.iter().map(|g| (g, g.label())),
        )?,
        severe_grounds: word_choices(
            "severe ground",
            SEVERE_GROUNDS.iter().map(|(g, label)| (g, *label)),
        )?,
        levels: LEVELS
            .iter()
            .map(|l| Choice::new(l.as_str(), l.as_str()))
            .collect(),
        text_fields: TEXT_FIELDS
            .iter()
            .map(|(name, label)| TextField {
                name,
                label,
                list: false,
            })
            .chain(LIST_FIELDS.iter().map(|(name, label)| TextField {
                name,
                label,
                list: true,
            }))
            .collect(),
        cform,
        eform,
        uform,
        sform,
        pform,
        portal_sub,
        publish,
    };
    render(status, &page)
}

/// `GET /cases/{id}`.
pub(super) async fn page(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let notice = q
        .iter()
        .find(|(k, _)| k == "saved")
        .and_then(|(_, v)| match v.as_str() {
            "confirm" => Some("Case confirmed; the clocks run from the time of awareness."),
            "open" => Some("Case opened; the clocks run from the time of awareness."),
            "evidence" => Some("Evidence added to the ledger."),
            "update" => Some("Case saved."),
            "submit" => Some("Report queued."),
            "portal" => Some("Portal reference recorded."),
            "publish" => Some("Notice published; delivery to the product's subscribers is queued."),
            _ => None,
        });
    render_case(&app, &sess, id, Failed::None, notice).await
}

fn done(id: i64, what: &str) -> Response {
    Redirect::to(&format!("/cases/{id}?saved={what}")).into_response()
}

/// The evidence sources, for selects.
pub(super) fn source_choices() -> Vec<Choice> {
    SOURCES
        .iter()
        .map(|s| Choice::new(s.as_str(), s.label()))
        .collect()
}

/// Reads the evidence fields (with `prefix`) into the service's input; `None` when the source is
/// left empty (optional on the confirm and open-case forms).
pub(super) fn evidence_body(form: &mut Form, prefix: &str) -> Option<NewEvidence> {
    let source_field = format!("{prefix}source");
    let source = form.get(&source_field).to_string();
    if source.is_empty() {
        return None;
    }
    let Some(source) = SOURCES.iter().copied().find(|s| s.as_str() == source) else {
        form.fail(&source_field, "choose where the evidence comes from");
        return None;
    };
    let at = time_field(form, &format!("{prefix}at"));
    let note = Some(form.get(&format!("{prefix}note")).to_string()).filter(|n| !n.is_empty());
    Some(NewEvidence {
        source,
        reference: form.get(&format!("{prefix}reference")).to_string(),
        at,
        note,
    })
}

/// `POST /cases/{id}/confirm` (editors).
pub(super) async fn confirm(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(Role::Editor)?;
    let aware_at = time_field(&mut form, "aware_at");
    if aware_at.is_none() && form.error("aware_at").is_none() {
        form.fail("aware_at", "enter the time you became aware");
    }
    let product_id = match form.get("product_id") {
        "" => None,
        p => match p.parse::<i64>() {
            Ok(p) => Some(p),
            Err(_) => {
                form.fail("product_id", "choose a product");
                None
            }
        },
    };
    let evidence = evidence_body(&mut form, "ev_");
    if let (Some(aware_at), false) = (aware_at, form.failed()) {
        let body = Confirm {
            aware_at,
            product_id,
            evidence: evidence.into_iter().collect(),
        };
        match confirm_case(&app, &sess.principal(), id, body).await {
            Ok(_) => return Ok(done(id, "confirm")),
            Err(e) => to_form(&mut form, e)?,
        }
    }
    render_case(&app, &sess, id, Failed::Confirm(form), None).await
}

/// `POST /cases/{id}/evidence` (editors).
pub(super) async fn add_evidence(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(Role::Editor)?;
    match evidence_body(&mut form, "") {
        Some(body) if !form.failed() => {
            match add_case_evidence(&app, &sess.principal(), id, body).await {
                Ok(_) => return Ok(done(id, "evidence")),
                Err(e) => to_form(&mut form, e)?,
            }
        }
        Some(_) => {}
        None => form.fail("source", "choose where the evidence comes from"),
    }
    render_case(&app, &sess, id, Failed::Evidence(form), None).await
}

/// Checkbox groups: a browser sends nothing for an empty group, so the form names each group
/// it shows in a hidden `_groups` field; only those are changed.
const GROUPS: [&str; 3] = ["security_grounds", "severe_grounds", "delay_requested"];

/// Reads the edit form into a JSON patch of case fields (the API's `PATCH` body). Only the
/// fields the form sent are set, so a form without a field leaves it as stored.
fn patch_of(form: &mut Form) -> serde_json::Map<String, Value> {
    let mut p = serde_json::Map::new();
    for (name, _) in TEXT_FIELDS {
        if form.present(name) {
            let v = form.get(name);
            p.insert(
                name.into(),
                if v.is_empty() { Value::Null } else { json!(v) },
            );
        }
    }
    for (name, _) in LIST_FIELDS {
        if form.present(name) {
            let lines: Vec<String> = form
                .get(name)
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect();
            p.insert(name.into(), json!(lines));
        }
    }
    if form.present("severity") {
        let level = form.get("severity").to_string();
        let score = form.get("cvss_score").to_string();
        let score = if score.is_empty() {
            None
        } else {
            match score.parse::<f64>() {
                Ok(s) if (0.0..=10.0).contains(&s) => Some(s),
                _ => {
                    form.fail(
                        "cvss_score",
                        format!("{score:?} is not a CVSS score (0–10)"),
                    );
                    None
                }
            }
        };
        let vector = Some(form.get("cvss_vector").to_string()).filter(|v| !v.is_empty());
        p.insert(
            "severity".into(),
            if level.is_empty() {
                Value::Null
            } else {
                json!({"level": level, "cvss_score": score, "cvss_vector": vector})
            },
        );
    }
    if form.present("sensitivity") {
        let sensitivity = form.get("sensitivity");
        p.insert(
            "sensitivity".into(),
            if sensitivity.is_empty() {
                Value::Null
            } else {
                json!(sensitivity)
            },
        );
    }
    if form.present("malicious_suspected") {
        p.insert(
            "malicious_suspected".into(),
            match form.get("malicious_suspected") {
                "yes" => json!(true),
                "no" => json!(false),
                _ => Value::Null,
            },
        );
    }
    for group in GROUPS {
        if form.has("_groups", group) {
            let value = if group == "delay_requested" {
                json!(form.get(group) == "on")
            } else {
                json!(form.all(group))
            };
            p.insert(group.into(), value);
        }
    }
    if form.present("fix_available_at") || form.present("fix_description") {
        let fix_at = time_field(form, "fix_available_at");
        let fix_description = form.get("fix_description").to_string();
        let fix = match (fix_at, fix_description.is_empty()) {
            (None, true) => Value::Null,
            (Some(at), false) => {
                json!({"available_at": rfc3339(at), "description": fix_description})
            }
            (None, false) => {
                if form.error("fix_available_at").is_none() {
                    form.fail(
                        "fix_available_at",
                        "enter when the fix became available to users",
                    );
                }
                Value::Null
            }
            (Some(_), true) => {
                form.fail("fix_description", "say what the fix is");
                Value::Null
            }
        };
        p.insert("fix".into(), fix);
    }
    p
}

/// `POST /cases/{id}/edit` (editors): the API's `PATCH /api/v1/cases/{id}`.
pub(super) async fn update(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(Role::Editor)?;
    let patch = patch_of(&mut form);
    if !form.failed() {
        match update_case(&app, &sess.principal(), id, CasePatch(patch)).await {
            Ok(_) => return Ok(done(id, "update")),
            Err(e) => to_form(&mut form, e)?,
        }
    }
    render_case(&app, &sess, id, Failed::Update(form), None).await
}

/// `POST /cases/{id}/submit` (editors): validates the stage's report and queues it.
pub(super) async fn submit(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(Role::Editor)?;
    let submitted = match stage_from(form.get("stage")) {
        Ok(stage) => submit_stage(&app, &sess.principal(), id, stage).await,
        Err(e) => Err(e),
    };
    match submitted {
        Ok(_) => Ok(done(id, "submit")),
        Err(e) => {
            // Every missing field is in the message; show it above the form.
            if matches!(e.kind, ErrorKind::Invalid | ErrorKind::Conflict) {
                form.fail("_form", e.message);
            } else {
                return Err(e.into());
            }
            render_case(&app, &sess, id, Failed::Submit(form), None).await
        }
    }
}

/// The case page answering a refused publication (`super::notices::publish`).
pub(super) async fn render_publish_failed(
    app: &App,
    sess: &UiSession,
    id: i64,
    form: Form,
) -> Result<Response, UiError> {
    render_case(app, sess, id, Failed::Publish(form), None).await
}

/// `POST /submissions/{id}/portal` (editors): the portal reference and submission time.
pub(super) async fn portal(
    State(app): State<App>,
    sess: UiSession,
    Path(sid): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(Role::Editor)?;
    let sub = app.store.submission(sess.org_id, sid).await?;
    let at = time_field(&mut form, "submitted_at");
    if at.is_none() && form.error("submitted_at").is_none() {
        form.fail(
            "submitted_at",
            "enter when the report was submitted in the portal",
        );
    }
    if let (Some(at), false) = (at, form.failed()) {
        let reference = form.get("reference").to_string();
        match record_portal(&app, &sess.principal(), sid, &reference, at).await {
            Ok(_) => return Ok(done(sub.case_id, "portal")),
            Err(e) => to_form(&mut form, e)?,
        }
    }
    render_case(&app, &sess, sub.case_id, Failed::Portal(sid, form), None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_form_round_trips_the_case_fields() {
        let body = json!({
            "description": "Ping field runs a shell", "measures_taken": ["disabled the page", "patched"],
            "severity": {"level": "high", "cvss_score": 8.8, "cvss_vector": null},
            "sensitivity": "tlp:amber", "security_grounds": ["imminent-high-risk"], "delay_requested": true,
            "fix": {"available_at": "2026-09-22T10:00:00Z", "description": "2.4.2"}
        });
        // What the page sends: the stored values and the names of its checkbox groups.
        let mut sent = edit_values(&body);
        sent.extend(
            GROUPS
                .iter()
                .map(|g| ("_groups".to_string(), g.to_string())),
        );
        let mut form = Form::new(sent);
        assert_eq!(form.get("measures_taken"), "disabled the page\npatched");
        assert_eq!(form.get("fix_available_at"), "2026-09-22T10:00");
        let p = patch_of(&mut form);
        assert!(!form.failed(), "{:?}", form.error("fix_available_at"));
        assert_eq!(p["measures_taken"], body["measures_taken"]);
        assert_eq!(p["severity"]["level"], "high");
        assert_eq!(p["sensitivity"], "tlp:amber");
        assert_eq!(p["security_grounds"], body["security_grounds"]);
        assert_eq!(p["delay_requested"], true);
        assert_eq!(p["fix"], body["fix"]);
        assert_eq!(p["nature"], Value::Null);
        assert_eq!(p["severe_grounds"], json!([]));
        assert_eq!(p["malicious_suspected"], Value::Null);
        let only = patch_of(&mut Form::new(vec![("impact".into(), "none seen".into())]));
        assert_eq!(only.len(), 1, "{only:?}");
        let mut bad = Form::new(vec![
            ("severity".into(), "high".into()),
            ("cvss_score".into(), "eleven".into()),
            ("fix_description".into(), "2.4.2".into()),
        ]);
        patch_of(&mut bad);
        assert!(bad.error("cvss_score").is_some() && bad.error("fix_available_at").is_some());
    }
}
