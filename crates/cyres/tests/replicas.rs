//! Several replicas on one PostgreSQL (issue 13, point 9): three real `cyres serve` processes
//! share one database, as behind a load balancer. Two bursts, each of 1,000 alerts (webhook
//! deliveries) and 200 Article 14 report submissions, go to loopback receivers that count
//! every arrival:
//!
//! 1. all replicas healthy: each alert and each report arrives exactly once (0 duplicates);
//! 2. one replica killed with SIGKILL mid-burst: none is lost (its leased work is retried by
//!    the others once the lease runs out); duplicates are only possible for the few attempts
//!    that were in flight at the kill, and are counted.
//!
//! The figures (counts, duplicates, seconds) are printed (`-- --nocapture`). Needs the CI
//! PostgreSQL (`CYRES_TEST_PG_URL`, started by `scripts/test.sh` or `scripts/pg.sh`).
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

#[path = "support/serve.rs"]
mod serve;

use serde_json::{Value, json};
use serve::{Instance, call, login, queue_report};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

const ADMIN: &str = "psirt@acme.example";
const ALERTS: usize = 1000;
const REPORTS: usize = 200;
/// The replicas' outbox lease in this test, seconds: short, so a killed replica's work comes
/// back quickly.
const LEASE_SECS: u64 = 5;

/// What the loopback receivers saw: arrivals per alert id and per report idempotency key.
#[derive(Default)]
struct Seen {
    alerts: BTreeMap<String, u32>,
    reports: BTreeMap<String, u32>,
}

impl Seen {
    fn duplicates(map: &BTreeMap<String, u32>, of: &BTreeSet<String>) -> u32 {
        of.iter()
            .filter_map(|k| map.get(k))
            .map(|n| n.saturating_sub(1))
            .sum()
    }
    fn received(map: &BTreeMap<String, u32>, of: &BTreeSet<String>) -> usize {
        of.iter().filter(|k| map.contains_key(*k)).count()
    }
}

/// A minimal HTTP/1.1 server on loopback standing in for a webhook target (`POST /hook`) and
/// an authority instance (`POST /api/v1/authority/reports`, `GET /api/v1/authority/requests`).
async fn receiver(seen: Arc<Mutex<Seen>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let seen = seen.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut r = BufReader::new(r);
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let mut parts = line.split_whitespace();
                    let (method, path) = (
                        parts.next().unwrap_or("").to_string(),
                        parts.next().unwrap_or("").to_string(),
                    );
                    let (mut len, mut key) = (0usize, String::new());
                    loop {
                        let mut h = String::new();
                        if r.read_line(&mut h).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let h = h.trim_end();
                        if h.is_empty() {
                            break;
                        }
                        if let Some((name, value)) = h.split_once(':') {
                            match name.trim().to_ascii_lowercase().as_str() {
                                "content-length" => len = value.trim().parse().unwrap_or(0),
                                "idempotency-key" => key = value.trim().to_string(),
                                _ => {}
                            }
                        }
                    }
                    let mut body = vec![0; len];
                    if r.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    let (status, answer) = match (method.as_str(), path.split('?').next()) {
                        ("POST", Some("/hook")) => {
                            // A target that takes a moment, so work is in flight at the kill.
                            tokio::time::sleep(Duration::from_millis(5)).await;
                            let v: Value = serde_json::from_slice(&body).unwrap_or_default();
                            let id = v["alert"]["id"].as_str().unwrap_or("?").to_string();
                            *seen.lock().unwrap().alerts.entry(id).or_default() += 1;
                            ("204 No Content", String::new())
                        }
                        ("POST", Some("/api/v1/authority/reports")) => {
                            *seen.lock().unwrap().reports.entry(key.clone()).or_default() += 1;
                            (
                                "200 OK",
                                json!({"reference": format!("AUTH-{key}"), "received_at": "2026-12-01T00:00:00Z"})
                                    .to_string(),
                            )
                        }
                        ("GET", Some("/api/v1/authority/requests")) => ("200 OK", "[]".into()),
                        _ => ("404 Not Found", String::new()),
                    };
                    let head = format!(
                        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                        answer.len()
                    );
                    if w.write_all(head.as_bytes()).await.is_err()
                        || w.write_all(answer.as_bytes()).await.is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

/// One `cyres serve` replica on the shared database, reporting to `reporting_url`.
async fn replica(name: &str, database_url: &str, reporting_url: &str) -> Instance {
    let mut r = Instance::new(
        &format!("replica-{name}"),
        vec![
            ("CYRES_ADMIN_EMAIL", ADMIN.into()),
            ("CYRES_ADMIN_PASSWORD", serve::PASSWORD.into()),
            ("CYRES_ADMIN_ORG", "Acme Routers GmbH".into()),
            ("CYRES_ADMIN_MEMBER_STATE", "DE".into()),
            ("CYRES_REPORTING_TOKEN", "cyres_test_token".into()),
        ],
        vec![],
    );
    let config = r.dir.join("cyres.toml");
    std::fs::write(
        &config,
        format!(
            "outbox_retry_secs = 1\nworker_lease_secs = {LEASE_SECS}\noutbound_allow = [\"127.0.0.1\"]\n[reporting]\nurl = \"{reporting_url}\"\n"
        ),
    )
    .unwrap();
    // Every replica on one database holds the same secret key (README, "Several replicas").
    let key = std::env::temp_dir().join(format!("cyres-replicas-{}.key", std::process::id()));
    r.args = vec![
        "--secret-key-file".into(),
        key.display().to_string(),
        "--database-url".into(),
        database_url.into(),
        "--config".into(),
        config.display().to_string(),
    ];
    r.start().await;
    r
}

/// A fresh database in the CI cluster.
async fn fresh_database() -> String {
    let admin = std::env::var("CYRES_TEST_PG_URL").expect(
        "CYRES_TEST_PG_URL is not set: run through `bash scripts/test.sh`, or \
         `eval \"$(bash scripts/pg.sh start)\"` first (this test needs PostgreSQL)",
    );
    use sqlx::Executor;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&admin).await.unwrap();
    let name = format!("cyres_replicas_{}", std::process::id());
    pool.execute(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name}"
    )))
    .await
    .unwrap();
    pool.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .unwrap();
    pool.close().await;
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// One burst: `ALERTS` alerts written straight to the shared database (as the matcher would),
/// then `REPORTS` reports queued through the replicas' APIs in turn (as a load balancer would
/// spread them). `on_progress(i)` runs after each (alerts are 0.., reports `ALERTS`..).
struct Burst {
    alerts: BTreeSet<String>,
    reports: BTreeSet<String>,
}

/// What a burst writes to and through: the shared database and the organisation its alerts
/// belong to, and the replicas' API (a client, a logged-in session, the product its reports
/// are about).
struct Cluster<'a> {
    store: &'a cyres_store::Store,
    org_id: i64,
    client: &'a reqwest::Client,
    auth: &'a (String, String),
    product: &'a Value,
}

async fn burst(
    cluster: &Cluster<'_>,
    bases: &[String],
    label: &str,
    mut on_progress: impl FnMut(usize),
) -> Burst {
    let Cluster {
        store,
        org_id,
        client,
        auth,
        product,
    } = *cluster;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let aware_at = time::OffsetDateTime::from_unix_timestamp(now - 60)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let mut b = Burst {
        alerts: BTreeSet::new(),
        reports: BTreeSet::new(),
    };
    for i in 0..ALERTS {
        let id = store
            .create_alert(
                org_id,
                cyres_store::AlertKind::Test,
                false,
                &format!("{label} alert {i}"),
                &json!({}),
                now,
            )
            .await
            .unwrap();
        b.alerts.insert(format!("alert-{id}"));
        on_progress(i);
    }
    for i in 0..REPORTS {
        let base = &bases[i % bases.len()];
        b.reports.insert(
            queue_report(
                client,
                base,
                auth,
                product,
                &format!("{label} incident {i}"),
                &aware_at,
            )
            .await,
        );
        on_progress(ALERTS + i);
    }
    b
}

/// Waits until every alert and report of `b` has arrived (or a deadline); returns seconds.
async fn wait_for(seen: &Arc<Mutex<Seen>>, b: &Burst, started: Instant) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let (a, r) = {
            let s = seen.lock().unwrap();
            (
                Seen::received(&s.alerts, &b.alerts),
                Seen::received(&s.reports, &b.reports),
            )
        };
        if (a == b.alerts.len() && r == b.reports.len()) || Instant::now() > deadline {
            return started.elapsed().as_secs_f64();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Counts of one burst: (alerts received, alert duplicates, reports received, report duplicates).
fn figures(seen: &Arc<Mutex<Seen>>, b: &Burst) -> (usize, u32, usize, u32) {
    let s = seen.lock().unwrap();
    (
        Seen::received(&s.alerts, &b.alerts),
        Seen::duplicates(&s.alerts, &b.alerts),
        Seen::received(&s.reports, &b.reports),
        Seen::duplicates(&s.reports, &b.reports),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_replicas_deliver_each_alert_and_report_once_and_lose_none_to_kill_9() {
    let url = fresh_database().await;
    let seen = Arc::new(Mutex::new(Seen::default()));
    let target = receiver(seen.clone()).await;
    // The first replica creates the schema and the administrator; then two more join.
    let mut replicas = vec![replica("1", &url, &target).await];
    replicas.push(replica("2", &url, &target).await);
    replicas.push(replica("3", &url, &target).await);
    let bases: Vec<String> = replicas.iter().map(Instance::base).collect();

    let store = cyres_store::Store::open(&url).await.unwrap();
    let org = store
        .orgs()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.name == "Acme Routers GmbH")
        .unwrap();
    let client = reqwest::Client::new();
    let auth = login(&client, &bases[0], ADMIN).await;
    // Through the API: the signing secret is stored encrypted with the replicas' shared key.
    let (st, hook) = call(
        &client,
        &bases[2],
        &auth,
        reqwest::Method::POST,
        "/api/v1/webhooks",
        Some(json!({"url": format!("{target}/hook")})),
    )
    .await;
    assert_eq!(st, 201, "{hook}");
    let (st, product) = call(
        &client,
        &bases[1],
        &auth,
        reqwest::Method::POST,
        "/api/v1/products",
        Some(json!({"name": "AX3000 router", "member_states": ["DE", "FR"]})),
    )
    .await;
    assert_eq!(st, 201, "{product}");
    let product = product["id"].clone();

    // 1. Three healthy replicas: exactly once.
    let cluster = Cluster {
        store: &store,
        org_id: org.id,
        client: &client,
        auth: &auth,
        product: &product,
    };
    let started = Instant::now();
    let healthy = burst(&cluster, &bases, "healthy", |_| {}).await;
    let secs = wait_for(&seen, &healthy, started).await;
    let (a, ad, r, rd) = figures(&seen, &healthy);
    eprintln!(
        "healthy: {a}/{ALERTS} alerts ({ad} duplicates), {r}/{REPORTS} reports ({rd} duplicates) delivered by 3 replicas in {secs:.1} s"
    );
    assert_eq!((a, r), (ALERTS, REPORTS), "every alert and report arrived");
    assert_eq!((ad, rd), (0, 0), "none arrived twice");

    // 2. One replica killed with SIGKILL mid-burst: none lost.
    let started = Instant::now();
    let killed_at = Arc::new(Mutex::new(None));
    let (seen2, killed2) = (seen.clone(), killed_at.clone());
    let mut victim = replicas.pop();
    let before = seen.lock().unwrap().alerts.len();
    let live: Vec<String> = bases[..2].to_vec();
    let crashed = burst(&cluster, &live, "crash", move |i| {
        let delivered = seen2.lock().unwrap().alerts.len() - before;
        // A quarter of the alerts delivered, or half the reports queued at the latest.
        if killed2.lock().unwrap().is_none()
            && (delivered >= ALERTS / 4 || i == ALERTS + REPORTS / 2)
        {
            if let Some(v) = victim.as_mut() {
                v.kill9();
            }
            *killed2.lock().unwrap() = Some((i, delivered));
        }
    })
    .await;
    let secs = wait_for(&seen, &crashed, started).await;
    let (a, ad, r, rd) = figures(&seen, &crashed);
    let (at_report, at_alerts) = killed_at.lock().unwrap().unwrap();
    eprintln!(
        "kill -9 of one of 3 replicas after {at_alerts} alert deliveries (burst step {at_report}): \
         {a}/{ALERTS} alerts ({ad} duplicates), {r}/{REPORTS} reports ({rd} duplicates) delivered in {secs:.1} s \
         (lease {LEASE_SECS} s)"
    );
    assert_eq!((a, r), (ALERTS, REPORTS), "nothing lost to the kill");
    // Only attempts in flight at the kill can be repeated: at most one claimed batch per outbox.
    assert!(ad + rd <= 32, "{ad} + {rd} duplicates");

    // The store agrees: every webhook delivery and every submission is recorded as delivered
    // (the receivers count an arrival before the replica records it, so allow a moment).
    let pool = store.raw_pool();
    let deadline = Instant::now() + Duration::from_secs(30);
    let open = loop {
        use sqlx::Row;
        let n: i64 = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM delivery WHERE channel = 'webhook' AND state <> 'delivered') \
             + (SELECT COUNT(*) FROM report_submission WHERE state <> 'delivered') AS n",
        )
        .fetch_one(&pool)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
        if n == 0 || Instant::now() > deadline {
            break n;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(open, 0, "outbox rows not recorded as delivered");
    // The audit chain stayed whole with three writers.
    assert!(store.verify_audit_chain().await.unwrap().intact());
    store.close().await;
}
