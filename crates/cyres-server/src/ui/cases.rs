//! Article 14 case list and the fleet: the manufacturer's cases with their next deadline (one
//! case and its forms: `case.rs`); for CSIRT and ENISA organisations, the inbox of received
//! reports, each linked to its page (`authority.rs`); devices and how many still run a release
//! with an open finding (changed through the API, `/api/v1/devices`).

use super::session::UiSession;
use super::view::{Chrome, Nav, UiError, ok, when};
use crate::App;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use cyres_store::OrgKind;

/// One case line.
pub struct CaseLine {
    id: i64,
    title: String,
    kind: String,
    state: String,
    aware: String,
    next: String,
}

/// One received report line (authority side).
pub struct InboxLine {
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
    inbox: Vec<InboxLine>,
}

fn next_deadline(app: &App, body: Option<&serde_json::Value>) -> String {
    let Some(case) =
        body.and_then(|b| serde_json::from_value::<cyres_report::Case>(b.clone()).ok())
    else {
        return "confirm the case to start the clocks".into();
    };
    let now = time::OffsetDateTime::from_unix_timestamp(app.now())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
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

/// `GET /cases`.
pub async fn list(State(app): State<App>, sess: UiSession) -> Result<Response, UiError> {
    let org = app.store.org(sess.org_id).await?;
    let cases = app
        .store
        .cases(sess.org_id)
        .await?
        .into_iter()
        .map(|c| CaseLine {
            id: c.id,
            next: next_deadline(&app, c.body.as_ref()),
            title: c.title,
            kind: c.kind,
            state: c.state,
            aware: c.aware_at.map(when).unwrap_or_else(|| "-".into()),
        })
        .collect();
    let (authority, inbox) = match org.kind {
        OrgKind::Enisa | OrgKind::Csirt => {
            let filter = if org.kind == OrgKind::Csirt {
                org.member_state.as_deref().map(str::to_ascii_uppercase)
            } else {
                None
            };
            // A CSIRT without a member state coordinates nothing (the API refuses its inbox).
            let rows = if org.kind == OrgKind::Csirt && filter.is_none() {
                Vec::new()
            } else {
                app.store.received_reports(filter.as_deref(), 500).await?
            };
            (
                true,
                rows.into_iter()
                    .map(|r| InboxLine {
                        id: r.id,
                        reference: format!("AUTH-{}", r.id),
                        sender: r.sender,
                        stage: r.stage,
                        coordinator: r.coordinator.unwrap_or_default(),
                        received: when(r.received_at),
                    })
                    .collect(),
            )
        }
        _ => (false, Vec::new()),
    };
    ok(&CasesPage {
        chrome: sess.chrome("Article 14 cases", Nav::Cases),
        cases,
        authority,
        inbox,
    })
}

/// One exposure line.
pub struct ExposureLine {
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
}

/// `GET /fleet`: devices and the fleet's exposure to open findings.
pub async fn fleet(State(app): State<App>, sess: UiSession) -> Result<Response, UiError> {
    let products: std::collections::HashMap<i64, String> = app
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
    ok(&FleetPage {
        chrome: sess.chrome("Fleet", Nav::Fleet),
        exposure,
        devices,
    })
}
