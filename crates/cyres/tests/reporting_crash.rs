//! Exactly-once delivery of Article 14 reports across crashes: two real `cyres serve`
//! processes on loopback (a manufacturer's and an authority's, each with its own data
//! directory), a burst of 1,000 report submissions, the authority killed with SIGKILL and
//! restarted during the burst, then the manufacturer killed and restarted; afterwards every
//! report has arrived exactly once (counts and idempotency keys checked on both sides).
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

#[path = "support/serve.rs"]
mod serve;

use serde_json::json;
use serve::{Instance, PASSWORD, call, login, queue_report};
use std::path::Path;
use std::time::{Duration, Instant};

const REPORTS: usize = 1000;

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_reports_arrive_exactly_once_across_kill_9() {
    let client = reqwest::Client::new();
    // The authority: ENISA operates it; the manufacturer is registered there as a sender.
    let mut auth = Instance::new(
        "authority",
        vec![
            ("CYRES_ADMIN_EMAIL", "ops@enisa.example".into()),
            ("CYRES_ADMIN_PASSWORD", PASSWORD.into()),
            ("CYRES_ADMIN_ORG", "ENISA".into()),
            ("CYRES_ADMIN_ORG_KIND", "enisa".into()),
        ],
        vec![],
    );
    auth.start().await;
    let a = login(&client, &auth.base(), "ops@enisa.example").await;
    let (_, acme) = call(
        &client,
        &auth.base(),
        &a,
        reqwest::Method::POST,
        "/api/v1/orgs",
        Some(json!({"name": "Acme Routers GmbH", "kind": "manufacturer", "member_state": "DE"})),
    )
    .await;
    call(
        &client,
        &auth.base(),
        &a,
        reqwest::Method::POST,
        "/api/v1/session/org",
        Some(json!({"org_id": acme["id"]})),
    )
    .await;
    let (st, tok) = call(
        &client,
        &auth.base(),
        &a,
        reqwest::Method::POST,
        "/api/v1/tokens",
        Some(json!({"name": "acme instance", "role": "editor"})),
    )
    .await;
    assert_eq!(st, 201);
    let sender_token = tok["secret"].as_str().unwrap().to_string();

    // The manufacturer, delivering to the authority with a short retry delay.
    let mut man = Instance::new(
        "manufacturer",
        vec![
            ("CYRES_ADMIN_EMAIL", "psirt@acme.example".into()),
            ("CYRES_ADMIN_PASSWORD", PASSWORD.into()),
            ("CYRES_ADMIN_ORG", "Acme Routers GmbH".into()),
            ("CYRES_ADMIN_MEMBER_STATE", "DE".into()),
            ("CYRES_REPORTING_TOKEN", sender_token),
        ],
        vec![],
    );
    let config = man.dir.join("cyres.toml");
    write(
        &config,
        &format!(
            // The authority runs on loopback: a deliberate internal target. A short lease:
            // submissions the killed manufacturer had claimed come back quickly.
            "outbox_retry_secs = 1\nworker_lease_secs = 5\noutbound_allow = [\"127.0.0.1\"]\n[reporting]\nurl = \"{}\"\n",
            auth.base()
        ),
    );
    man.args = vec!["--config".into(), config.display().to_string()];
    man.start().await;
    let m = login(&client, &man.base(), "psirt@acme.example").await;
    let (_, p) = call(
        &client,
        &man.base(),
        &m,
        reqwest::Method::POST,
        "/api/v1/products",
        Some(json!({"name": "AX3000 router", "member_states": ["DE", "FR"]})),
    )
    .await;

    // 1,000 incident cases, each with a complete early warning submitted into the outbox.
    let mut keys = std::collections::BTreeSet::new();
    for i in 0..REPORTS {
        let key = queue_report(
            &client,
            &man.base(),
            &m,
            &p["id"],
            &format!("incident {i}"),
            "2026-09-21T08:00:00Z",
        )
        .await;
        keys.insert(key);
        if i == REPORTS / 3 {
            // Mid-burst: the authority dies without warning and comes back.
            auth.kill9();
            tokio::time::sleep(Duration::from_millis(300)).await;
            auth.start().await;
        }
        if i == 2 * REPORTS / 3 {
            // Then the manufacturer dies (with undelivered reports in its outbox) and comes back.
            man.kill9();
            man.start().await;
        }
    }
    assert_eq!(keys.len(), REPORTS);
    let a = login(&client, &auth.base(), "ops@enisa.example").await;
    let (_, orgs) = call(
        &client,
        &auth.base(),
        &a,
        reqwest::Method::GET,
        "/api/v1/orgs",
        None,
    )
    .await;
    let enisa = orgs
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["org"]["kind"] == "enisa")
        .unwrap()["org"]["id"]
        .clone();
    call(
        &client,
        &auth.base(),
        &a,
        reqwest::Method::POST,
        "/api/v1/session/org",
        Some(json!({"org_id": enisa})),
    )
    .await;
    // Wait for the outbox to drain.
    let deadline = Instant::now() + Duration::from_secs(300);
    let inbox = loop {
        let (_, inbox) = call(
            &client,
            &auth.base(),
            &a,
            reqwest::Method::GET,
            "/api/v1/authority/inbox",
            None,
        )
        .await;
        let n = inbox.as_array().map_or(0, Vec::len);
        if n >= REPORTS || Instant::now() > deadline {
            break inbox;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let received: Vec<String> = inbox
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["idempotency_key"].as_str().unwrap().to_string())
        .collect();
    let distinct: std::collections::BTreeSet<String> = received.iter().cloned().collect();
    assert_eq!(received.len(), REPORTS, "every report arrived, none twice");
    assert_eq!(distinct, keys, "the same keys on both sides");
    // The manufacturer's side shows every submission delivered with a receipt (once the
    // attempts the authority already answered are recorded, and those the killed manufacturer
    // had claimed are retried after their lease).
    let m = login(&client, &man.base(), "psirt@acme.example").await;
    let deadline = Instant::now() + Duration::from_secs(60);
    let delivered = loop {
        let (_, cases) = call(
            &client,
            &man.base(),
            &m,
            reqwest::Method::GET,
            "/api/v1/cases",
            None,
        )
        .await;
        let delivered = cases
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| {
                c["submissions"][0]["state"] == "delivered"
                    && c["submissions"][0]["receipt_ref"]
                        .as_str()
                        .is_some_and(|r| r.starts_with("AUTH-"))
            })
            .count();
        if delivered == REPORTS || Instant::now() > deadline {
            break delivered;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(delivered, REPORTS);
}
