//! Authority-side speed (issue #6): intake throughput of report packs over real HTTP on
//! loopback into SQLite (durably stored: each report is committed before its receipt is
//! answered), and ENISA's systemic-risk assessment over 100,000 stored notifications.
//!
//! Run: `cargo bench -p cyres-server --bench authority` (env `INTAKE_REPORTS`, default 5000;
//! `STORED_NOTIFICATIONS`, default 100000; `CONCURRENCY`, default 32).
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use cyres_cra::{CaseKind, Category, MemberState, StageKind};
use cyres_report::{Case, Manufacturer, Product, ReportPack};
use cyres_server::{App, Config, ManualClock};
use std::sync::Arc;
use std::time::Instant;
use time::macros::datetime;

fn env_usize(k: &str, d: usize) -> usize {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

/// A valid incident early-warning pack for case `i`.
fn pack(i: usize) -> ReportPack {
    let ms = |c: &str| MemberState::from_code(c).unwrap();
    let mut case = Case::new(
        format!("bench-case-{i}"),
        CaseKind::Incident,
        format!("incident {i}"),
        Manufacturer {
            name: format!("Maker {}", i % 500),
            contact: None,
            establishment: cyres_cra::Establishment {
                main_establishment: Some(ms(["DE", "FR", "NL", "IT", "ES"][i % 5])),
                ..Default::default()
            },
            enterprise_size: None,
        },
        Product {
            id: format!("p{}", i % 2000),
            name: format!("Product {}", i % 2000),
            description: None,
            category: [
                Category::Default,
                Category::ImportantClass1,
                Category::ImportantClass2,
                Category::Critical,
            ][i % 4],
            identifiers: vec![],
            member_states: ["DE", "FR", "NL"].iter().map(|c| ms(c)).collect(),
            estimated_users: Some((i as u64 % 1000) * 1000),
        },
        datetime!(2026-10-01 08:00 UTC),
    );
    case.malicious_suspected = Some(false);
    case.cve_ids = vec![format!("CVE-2026-{:05}", i % 3000)];
    let report = cyres_report::validate(&cyres_report::draft(&case, StageKind::EarlyWarning))
        .expect("complete");
    ReportPack::new(&report, datetime!(2026-10-01 09:00 UTC))
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let n = env_usize("INTAKE_REPORTS", 5000);
        let stored = env_usize("STORED_NOTIFICATIONS", 100_000);
        let conc = env_usize("CONCURRENCY", 32);
        let dir = std::env::temp_dir().join(format!("cyres-bench-authority-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut config = Config::new(dir.clone());
        config.worker_tick_ms = 3_600_000;
        let (app, link) = App::start(config, Arc::new(ManualClock::new(1_790_000_000))).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (_tx, rx) = tokio::sync::watch::channel(false);
        tokio::spawn(cyres_server::serve(app.clone(), listener, rx));
        // Operator = ENISA; a manufacturer sender with a token.
        let http = reqwest::Client::new();
        let token = link.unwrap().0.split("token=").nth(1).unwrap().to_string();
        let pw = "correct horse battery staple";
        http.post(format!("{base}/setup"))
            .json(&serde_json::json!({"token": token, "email": "ops@enisa.example", "password": pw, "org_name": "ENISA", "org_kind": "enisa"}))
            .send()
            .await
            .unwrap();
        let r = http.post(format!("{base}/api/v1/session")).json(&serde_json::json!({"email": "ops@enisa.example", "password": pw})).send().await.unwrap();
        let cookie = r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
        let csrf = r.json::<serde_json::Value>().await.unwrap()["csrf_token"].as_str().unwrap().to_string();
        let post = |path: &str, body: serde_json::Value| {
            http.post(format!("{base}{path}")).header("cookie", &cookie).header("x-csrf-token", &csrf).json(&body).send()
        };
        let org: serde_json::Value = post("/api/v1/orgs", serde_json::json!({"name": "Makers", "kind": "manufacturer", "member_state": "DE"})).await.unwrap().json().await.unwrap();
        post("/api/v1/session/org", serde_json::json!({"org_id": org["id"]})).await.unwrap();
        let tok: serde_json::Value = post("/api/v1/tokens", serde_json::json!({"name": "bench", "role": "editor"})).await.unwrap().json().await.unwrap();
        let sender = tok["secret"].as_str().unwrap().to_string();

        // 1. Intake throughput.
        let packs: Vec<(String, String)> = (0..n).map(|i| {
            let p = pack(i);
            (p.idempotency_key.clone(), p.to_json())
        }).collect();
        let packs = Arc::new(packs);
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..conc {
            let (packs, next, http, base, sender) = (packs.clone(), next.clone(), http.clone(), base.clone(), sender.clone());
            tasks.push(tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= packs.len() {
                        break;
                    }
                    let (key, body) = &packs[i];
                    let r = http
                        .post(format!("{base}/api/v1/authority/reports"))
                        .bearer_auth(&sender)
                        .header("idempotency-key", key)
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), 201);
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let secs = start.elapsed().as_secs_f64();
        let count = app.store.received_report_count().await.unwrap();
        assert_eq!(count as usize, n);
        println!("intake: {n} reports in {secs:.2} s = {:.0} reports/s (SQLite, {conc} concurrent clients, loopback HTTP)", n as f64 / secs);

        // 2. Assessment over `stored` notifications: fill the table directly, then ask.
        let t = Instant::now();
        let sender_id = org["id"].as_i64().unwrap();
        for i in n..stored {
            let p = pack(i);
            let v: serde_json::Value = serde_json::from_str(&p.to_json()).unwrap();
            let env = serde_json::json!({"pack": v, "context": {"category": "important-class-1", "estimated_users": 1000}});
            app.store.receive_report(&cyres_store::IncomingReport { key: &p.idempotency_key, sender_org_id: sender_id, sender: "Makers", coordinator: Some("DE"), stage: cyres_cra::StageKind::EarlyWarning, pack: &env, facts: Some(&serde_json::json!({"id": format!("bench-case-{i}"), "manufacturer": format!("Maker {}", i % 500), "product": format!("p{}", i % 2000), "coordinator": "DE", "member_states": ["DE", "FR", "NL"], "estimated_users": 1000, "category": "important-class-1", "actively_exploited": false, "cve_ids": [format!("CVE-2026-{:05}", i % 3000)], "components": []})) }, 1_790_000_000).await.unwrap();
        }
        println!("filled {} stored notifications in {:.1} s", stored, t.elapsed().as_secs_f64());
        let r = http.post(format!("{base}/api/v1/session/org")).header("cookie", &cookie).header("x-csrf-token", &csrf).json(&serde_json::json!({"org_id": 1})).send().await.unwrap();
        assert!(r.status().is_success());
        // The first request reads every stored notification (a server started before the
        // reports arrived); later ones read only what arrived since.
        let mut times = Vec::new();
        for _ in 0..6 {
            let t = Instant::now();
            let r = http.get(format!("{base}/api/v1/authority/assessment")).header("cookie", &cookie).send().await.unwrap();
            assert_eq!(r.status(), 200);
            let v: serde_json::Value = r.json().await.unwrap();
            times.push(t.elapsed().as_secs_f64());
            assert!(v["notifications"].as_u64().unwrap() as usize >= stored / 2, "{}", v["notifications"]);
        }
        let cold = times.remove(0);
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!("assessment over {stored} stored notifications (read, parse, score, answer): first request {cold:.2} s; later requests min {:.2} s, median {:.2} s", times[0], times[2]);
        let _ = std::fs::remove_dir_all(&dir);
    });
}
