//! Exactly-once delivery of Article 14 reports across crashes: two real `cyres serve`
//! processes on loopback (a manufacturer's and an authority's, each with its own data
//! directory), a burst of 1,000 report submissions, the authority killed with SIGKILL and
//! restarted during the burst, then the manufacturer killed and restarted; afterwards every
//! report has arrived exactly once (counts and idempotency keys checked on both sides).

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct horse battery staple";
const REPORTS: usize = 1000;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Instance {
    dir: PathBuf,
    port: u16,
    env: Vec<(String, String)>,
    args: Vec<String>,
    child: Option<Child>,
}

impl Instance {
    fn new(name: &str, env: Vec<(&str, String)>, args: Vec<String>) -> Self {
        let dir = std::env::temp_dir().join(format!("cyres-crash-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Instance {
            dir,
            port: free_port(),
            env: env.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            args,
            child: None,
        }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn start(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("server.log"))
            .unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cyres"));
        cmd.arg("serve")
            .arg("--data-dir")
            .arg(self.dir.join("data"))
            .arg("--listen")
            .arg(format!("127.0.0.1:{}", self.port))
            .args(&self.args)
            .env("CYRES_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        self.child = Some(cmd.spawn().unwrap());
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = client.get(format!("{}/readyz", self.base())).send().await
                && r.status().is_success()
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "server did not start; see {}",
                self.dir.join("server.log").display()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            // SIGKILL: no graceful shutdown, no flush.
            c.kill().unwrap();
            c.wait().unwrap();
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill9();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn login(client: &reqwest::Client, base: &str, email: &str) -> (String, String) {
    let r = client
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "login {}", r.status());
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let v: Value = r.json().await.unwrap();
    (cookie, v["csrf_token"].as_str().unwrap().to_string())
}

async fn call(
    client: &reqwest::Client,
    base: &str,
    auth: &(String, String),
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut b = client
        .request(method, format!("{base}{path}"))
        .header("cookie", &auth.0)
        .header("x-csrf-token", &auth.1);
    if let Some(body) = body {
        b = b.json(&body);
    }
    let r = b.send().await.unwrap();
    let st = r.status().as_u16();
    (st, r.json().await.unwrap_or(Value::Null))
}

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
            // The authority runs on loopback: a deliberate internal target.
            "outbox_retry_secs = 1\noutbound_allow = [\"127.0.0.1\"]\n[reporting]\nurl = \"{}\"\n",
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
        let (st, c) = call(&client, &man.base(), &m, reqwest::Method::POST, "/api/v1/cases", Some(json!({"kind": "incident", "title": format!("incident {i}"), "product_id": p["id"], "aware_at": "2026-09-21T08:00:00Z"}))).await;
        assert_eq!(st, 201, "{c}");
        let cid = c["case"]["id"].as_i64().unwrap();
        let (st, v) = call(
            &client,
            &man.base(),
            &m,
            reqwest::Method::PATCH,
            &format!("/api/v1/cases/{cid}"),
            Some(json!({"malicious_suspected": false})),
        )
        .await;
        assert_eq!(st, 200, "{v}");
        let (st, s) = call(
            &client,
            &man.base(),
            &m,
            reqwest::Method::POST,
            &format!("/api/v1/cases/{cid}/reports"),
            Some(json!({"stage": "early-warning"})),
        )
        .await;
        assert_eq!(st, 201, "{s}");
        keys.insert(s["idempotency_key"].as_str().unwrap().to_string());
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
    // The manufacturer's side shows every submission delivered with a receipt.
    let m = login(&client, &man.base(), "psirt@acme.example").await;
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
    assert_eq!(delivered, REPORTS);
}
