//! Real `cyres serve` processes for the tests that crash them: start one on a free loopback
//! port and wait until it is ready, kill it with SIGKILL, log in and call its API.

#![allow(dead_code)]

use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The password of every account these tests create.
pub(crate) const PASSWORD: &str = "correct horse battery staple";

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) struct Instance {
    pub dir: PathBuf,
    pub port: u16,
    pub env: Vec<(String, String)>,
    pub args: Vec<String>,
    pub child: Option<Child>,
}

impl Instance {
    pub(crate) fn new(name: &str, env: Vec<(&str, String)>, args: Vec<String>) -> Self {
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

    pub(crate) fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub(crate) async fn start(&mut self) {
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

    pub(crate) fn kill9(&mut self) {
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

pub(crate) async fn login(client: &reqwest::Client, base: &str, email: &str) -> (String, String) {
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

pub(crate) async fn call(
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

/// Opens an incident case through the API of the server at `base`, completes it for an early
/// warning and submits that into the outbox; returns the submission's idempotency key.
pub(crate) async fn queue_report(
    client: &reqwest::Client,
    base: &str,
    auth: &(String, String),
    product: &Value,
    title: &str,
    aware_at: &str,
) -> String {
    let (st, c) = call(
        client,
        base,
        auth,
        reqwest::Method::POST,
        "/api/v1/cases",
        Some(json!({"kind": "incident", "title": title, "product_id": product, "aware_at": aware_at})),
    )
    .await;
    assert_eq!(st, 201, "{c}");
    let cid = c["case"]["id"].as_i64().unwrap();
    let (st, v) = call(
        client,
        base,
        auth,
        reqwest::Method::PATCH,
        &format!("/api/v1/cases/{cid}"),
        Some(json!({"malicious_suspected": false})),
    )
    .await;
    assert_eq!(st, 200, "{v}");
    let (st, s) = call(
        client,
        base,
        auth,
        reqwest::Method::POST,
        &format!("/api/v1/cases/{cid}/reports"),
        Some(json!({"stage": "early-warning"})),
    )
    .await;
    assert_eq!(st, 201, "{s}");
    s["idempotency_key"].as_str().unwrap().to_string()
}
