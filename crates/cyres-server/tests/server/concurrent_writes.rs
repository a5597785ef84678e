//! Writes under contention (issue 13, point 10): 50 advisory imports through the API, ten at a
//! time, while the worker re-matches the portfolio after each of them. On SQLite every write
//! transaction starts as a writer (`BEGIN IMMEDIATE`) and waits for the lock, so no import
//! answers 500 "database is locked" (extended code 517); every import answers 200 and every
//! advisory ends up matched. Runs on both engines.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;

both!(imports_while_the_worker_rematches_never_fail);

const IMPORTS: usize = 50;
const RELEASES: usize = 5;

/// An OSV advisory (new id each time) hitting `regex`, which the router SBOM contains.
fn advisory(i: usize) -> Vec<u8> {
    json!({
        "schema_version": "1.6.0",
        "id": format!("TEST-LOCK-{i:03}"),
        "modified": "2026-09-01T00:00:00Z",
        "summary": format!("contention test advisory {i}"),
        "affected": [{
            "package": {"ecosystem": "crates.io", "name": "regex"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "9.0.0"}]}]
        }]
    })
    .to_string()
    .into_bytes()
}

async fn imports_while_the_worker_rematches_never_fail(engine: Engine) {
    let Some(s) = start(engine).await else {
        return;
    };
    let admin = s.bootstrap("Acme Routers GmbH", "admin@acme.example").await;
    let (st, p) = s
        .call(
            &admin,
            Method::POST,
            "/api/v1/products",
            Some(json!({"name": "AX3000", "member_states": ["DE"]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let sbom = std::fs::read(root().join("examples/sboms/router-fw-2.4.1.cdx.json")).unwrap();
    for v in 0..RELEASES {
        let (st, r) = s
            .call(
                &admin,
                Method::POST,
                &format!("/api/v1/products/{}/releases", p["id"]),
                Some(json!({"version": format!("2.4.{v}")})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{r}");
        let (st, up) = s
            .upload(
                &admin,
                r["id"].as_i64().unwrap(),
                sbom.clone(),
                "router.cdx.json",
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{up}");
    }
    // Ten importers at a time; each import queues a re-match the worker (50 ms tick) runs
    // while the next imports write.
    let mut failures = Vec::new();
    for wave in 0..IMPORTS / 10 {
        let mut tasks = Vec::new();
        for i in wave * 10..wave * 10 + 10 {
            let req = s
                .req(
                    &admin,
                    Method::POST,
                    &format!("/api/v1/advisories/import?filename=TEST-LOCK-{i}.json"),
                )
                .body(advisory(i));
            tasks.push(tokio::spawn(async move {
                let r = req.send().await.unwrap();
                (r.status(), r.text().await.unwrap_or_default())
            }));
        }
        for t in tasks {
            let (st, body) = t.await.unwrap();
            if st != StatusCode::OK {
                failures.push(format!("{st}: {body}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {IMPORTS} imports failed: {failures:?}",
        failures.len()
    );
    // The worker matched every advisory against every release, concurrently with the imports.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let matched = loop {
        let (_, findings) = s
            .call(&admin, Method::GET, "/api/v1/findings?limit=1000", None)
            .await;
        let advisories: BTreeSet<String> = findings
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|f| f["advisory_id"].as_str())
                    .filter(|id| id.starts_with("TEST-LOCK-"))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        if advisories.len() == IMPORTS || std::time::Instant::now() > deadline {
            break (advisories.len(), findings);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(matched.0, IMPORTS, "every advisory matched: {}", {
        let f: &Value = &matched.1;
        f.as_array().map_or(0, Vec::len)
    });
    s.shutdown().await;
}
