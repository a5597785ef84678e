//! Speed of issue 17's triage and export targets, over real HTTP on loopback into SQLite (or
//! PostgreSQL with `CYRES_BENCH_DATABASE_URL` naming a fresh, empty database):
//!
//! - bulk triage of 10,000 findings (`POST /api/v1/findings/triage` with a filter) < 2 s:
//!   measured on a release alone, then again once 9 more releases ship the same components
//!   (the decision is then carried to their 90,000 findings in the same transaction);
//! - `GET /api/v1/findings.csv` of 100,000 findings streams at >= 50 MB/s with flat memory
//!   (the process's peak resident memory before and after the export is printed).
//!
//! Run: `cargo bench -p cyres-server --bench triage` (env `FINDINGS_PER_RELEASE`, default
//! 10000; `RELEASES`, default 10; `CSV_RUNS`, exports timed one after the other, default 1).
//! Each step checks its answer (findings decided, CSV rows, the same bytes on every export), so
//! a fast wrong answer cannot pass for a fast right one.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use cyres_server::{App, Config, ManualClock};
use futures_util::StreamExt;
use sha2::Digest;
use std::sync::Arc;
use std::time::Instant;

fn env_usize(k: &str, d: usize) -> usize {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

/// Peak and current resident memory of this process, MiB (Linux `/proc/self/status`).
fn memory() -> (f64, f64) {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |k: &str| {
        s.lines()
            .find(|l| l.starts_with(k))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (kb("VmHWM:"), kb("VmRSS:"))
}

/// One OSV advisory per 100 packages `bench-N` (cargo), every version before 9.0.0 affected.
fn advisories(packages: usize) -> Vec<cyres_vuln::advisory::Advisory> {
    (0..packages.div_ceil(100))
        .map(|a| {
            let affected: Vec<serde_json::Value> = (a * 100..((a + 1) * 100).min(packages))
                .map(|i| {
                    serde_json::json!({
                        "package": {"ecosystem": "crates.io", "name": format!("bench-{i}")},
                        "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "9.0.0"}]}]
                    })
                })
                .collect();
            let doc = serde_json::json!({
                "schema_version": "1.6.0", "id": format!("RUSTSEC-2099-{a:04}"),
                "modified": "2026-01-01T00:00:00Z", "published": "2026-01-01T00:00:00Z",
                "summary": format!("bench advisory {a}, with a comma, and \"quotes\""),
                "affected": affected
            });
            cyres_vuln::advisory::Advisory::from_json(doc.to_string().as_bytes()).unwrap()
        })
        .collect()
}

/// A CycloneDX 1.6 SBOM of `n` components `bench-N` 1.0.0.
fn sbom(n: usize) -> Vec<u8> {
    let components: Vec<serde_json::Value> = (0..n)
        .map(|i| serde_json::json!({"type": "library", "bom-ref": format!("c{i}"), "name": format!("bench-{i}"),
            "version": "1.0.0", "purl": format!("pkg:cargo/bench-{i}@1.0.0")}))
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "metadata": {"component": {"type": "firmware", "name": "bench firmware", "version": "1"}},
        "components": components
    }))
    .unwrap()
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let per = env_usize("FINDINGS_PER_RELEASE", 10_000);
        let releases = env_usize("RELEASES", 10);
        let dir = std::env::temp_dir().join(format!("cyres-bench-triage-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut config = Config::new(dir.clone());
        config.worker_tick_ms = 3_600_000;
        config.database_url = std::env::var("CYRES_BENCH_DATABASE_URL").ok();
        let engine = if config.database_url.is_some() { "PostgreSQL" } else { "SQLite" };
        let (app, link) = App::start(config, Arc::new(ManualClock::new(1_790_000_000)))
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (_tx, rx) = tokio::sync::watch::channel(false);
        tokio::spawn(cyres_server::serve(app.clone(), listener, rx));
        let http = reqwest::Client::new();
        let token = link.unwrap().0.split("token=").nth(1).unwrap().to_string();
        let pw = "correct horse battery staple";
        http.post(format!("{base}/setup"))
            .json(&serde_json::json!({"token": token, "email": "ops@acme.example", "password": pw, "org_name": "Acme"}))
            .send()
            .await
            .unwrap();
        let r = http
            .post(format!("{base}/api/v1/session"))
            .json(&serde_json::json!({"email": "ops@acme.example", "password": pw}))
            .send()
            .await
            .unwrap();
        let cookie = r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
        let csrf = r.json::<serde_json::Value>().await.unwrap()["csrf_token"].as_str().unwrap().to_string();
        let call = |m: reqwest::Method, path: String| {
            http.request(m, format!("{base}{path}")).header("cookie", &cookie).header("x-csrf-token", &csrf)
        };
        app.store.upsert_advisories(&advisories(per), "osv", 1_790_000_000).await.unwrap();
        let p: serde_json::Value = call(reqwest::Method::POST, "/api/v1/products".into())
            .json(&serde_json::json!({"name": "Bench"}))
            .send().await.unwrap().json().await.unwrap();
        let pid = p["id"].as_i64().unwrap();
        let bytes = sbom(per);
        let mut rids = Vec::new();
        let new_release = |v: usize| {
            let call = &call;
            let bytes = bytes.clone();
            async move {
                let r: serde_json::Value = call(reqwest::Method::POST, format!("/api/v1/products/{pid}/releases"))
                    .json(&serde_json::json!({"version": format!("1.{v}")}))
                    .send().await.unwrap().json().await.unwrap();
                let rid = r["id"].as_i64().unwrap();
                let t = Instant::now();
                let up: serde_json::Value = call(reqwest::Method::POST, format!("/api/v1/releases/{rid}/sbom?filename=bench.cdx.json"))
                    .body(bytes).send().await.unwrap().json().await.unwrap();
                assert_eq!(up["findings"].as_u64(), Some(per as u64), "{up}");
                (rid, t.elapsed())
            }
        };
        let (r1, took) = new_release(0).await;
        rids.push(r1);
        println!("[{engine}] ingest: {per} components, {per} findings in {:.2} s", took.as_secs_f64());

        let triage = |rid: i64, status: &'static str| {
            let call = &call;
            async move {
                let body = match status {
                    "not_affected" => serde_json::json!({"filter": {"release": rid.to_string()}, "status": status,
                        "justification": "vulnerable_code_not_in_execute_path", "impact_statement": "bench", "comment": "bench"}),
                    _ => serde_json::json!({"filter": {"release": rid.to_string()}, "status": status, "action_statement": "update", "responses": ["update"]}),
                };
                let t = Instant::now();
                let r = call(reqwest::Method::POST, "/api/v1/findings/triage".into()).json(&body).send().await.unwrap();
                let took = t.elapsed();
                let v: serde_json::Value = r.json().await.unwrap();
                assert_eq!(v["decided"].as_u64(), Some(per as u64), "{v}");
                (took, v["carried"].as_u64().unwrap_or(0))
            }
        };
        let (took, carried) = triage(r1, "not_affected").await;
        println!("[{engine}] bulk triage: {per} findings (filter: one release) in {:.0} ms, {carried} carried", took.as_secs_f64() * 1000.0);

        let t = Instant::now();
        for v in 1..releases {
            rids.push(new_release(v).await.0);
        }
        println!("[{engine}] {} more releases ingested (each inherits the decision) in {:.1} s", releases - 1, t.elapsed().as_secs_f64());
        let (took, carried) = triage(r1, "affected").await;
        println!("[{engine}] bulk triage: {per} findings in {:.0} ms, carried to {carried} findings of {} other releases in the same transaction", took.as_secs_f64() * 1000.0, releases - 1);

        // The CSV export of every finding, `CSV_RUNS` times (default 1) in a row: the machine is
        // shared, so one export is one sample; the median of several is the number to quote.
        let runs = env_usize("CSV_RUNS", 1).max(1);
        let mut rates = Vec::with_capacity(runs);
        let mut first_hex: Option<String> = None;
        for run in 1..=runs {
            let (peak0, rss0) = memory();
            let t = Instant::now();
            let r = call(reqwest::Method::GET, "/api/v1/findings.csv".into()).send().await.unwrap();
            assert_eq!(r.status(), 200);
            let mut stream = r.bytes_stream();
            let (mut bytes_n, mut rows) = (0usize, 0usize);
            // The body's SHA-256: the same data (a fresh database, the manual clock) must give the
            // same bytes on both engines and before and after a change to the export.
            let mut digest = sha2::Sha256::new();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.unwrap();
                bytes_n += chunk.len();
                rows += chunk.iter().filter(|b| **b == b'\n').count();
                digest.update(&chunk);
            }
            let secs = t.elapsed().as_secs_f64();
            let (peak1, rss1) = memory();
            assert_eq!(rows, per * releases + 1, "header + one row per finding");
            let rate = bytes_n as f64 / 1e6 / secs;
            rates.push(rate);
            println!(
                "[{engine}] findings.csv run {run}/{runs}: {} rows, {:.1} MB in {:.3} s = {:.1} MB/s; resident memory {:.0} -> {:.0} MiB, peak {:.0} -> {:.0} MiB",
                rows - 1, bytes_n as f64 / 1e6, secs, rate, rss0, rss1, peak0, peak1
            );
            let hex: String = digest.finalize().iter().map(|b| format!("{b:02x}")).collect();
            match &first_hex {
                None => {
                    println!("[{engine}] findings.csv SHA-256 {hex}");
                    first_hex = Some(hex);
                }
                Some(first) => assert_eq!(first, &hex, "every export of the same data is the same bytes"),
            }
        }
        rates.sort_by(f64::total_cmp);
        println!("[{engine}] findings.csv median of {runs}: {:.1} MB/s (min {:.1}, max {:.1})", rates[runs / 2], rates[0], rates[runs - 1]);
        let _ = std::fs::remove_dir_all(&dir);
    });
}
