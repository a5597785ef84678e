//! Issue #13, points 3 and 6, over real HTTP on loopback, on SQLite and on PostgreSQL.
//!
//! - No server-side request forgery: webhook targets and notice subscribers in hostile
//!   spellings are refused at registration with a 422 naming the problem, through the API and
//!   the pages; a name that resolves to a public address at registration and to loopback at
//!   delivery (DNS rebinding) is refused at connect time, and the delivery log says "refused
//!   by policy". Names resolve through a stub; nothing connects anywhere but loopback.
//! - Secrets at rest: the secret columns hold ciphertext, never the secret; deliveries still
//!   verify at the receiver; plaintext secrets from before are encrypted on start (once); a
//!   missing or wrong key file stops the start with an error naming the file, never the key.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use crate::harness::*;
use cyres_feeds::outbound::{LookupFuture, NameLookup};
use cyres_server::{App, Config, ManualClock};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

both!(
    hostile_targets_are_refused_at_registration,
    rebinding_is_refused_at_connect_time,
    secrets_are_encrypted_at_rest_and_still_sign,
    plaintext_secrets_are_encrypted_on_start_and_key_problems_stop_it,
);

/// Webhook calls as received: signature header and body.
type Calls = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

/// A loopback receiver recording every call.
async fn receiver() -> (SocketAddr, Calls) {
    let calls: Calls = Arc::default();
    let rec = calls.clone();
    let app = axum::Router::new().fallback(axum::routing::post(
        move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let rec = rec.clone();
            async move {
                let sig = headers
                    .get("x-cyres-signature")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                rec.lock().unwrap().push((sig, body.to_vec()));
                StatusCode::NO_CONTENT
            }
        },
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, calls)
}

async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..200 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

/// `POST /api/v1/webhooks` with `url`.
async fn register_webhook(s: &Server, who: &Who, url: &str) -> (StatusCode, Value) {
    s.call(
        who,
        Method::POST,
        "/api/v1/webhooks",
        Some(json!({"url": url})),
    )
    .await
}

async fn product(s: &Server, who: &Who) -> i64 {
    let (st, p) = s
        .call(
            who,
            Method::POST,
            "/api/v1/products",
            Some(json!({"name": "AX3000 router", "member_states": ["DE"]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    p["id"].as_i64().unwrap()
}

async fn hostile_targets_are_refused_at_registration(engine: Engine) {
    // No allowlist: the operator has not opened anything.
    let Some(s) = start_with(engine, |c| c.outbound_allow.clear()).await else {
        return;
    };
    let admin = s.bootstrap("Acme Routers GmbH", "psirt@acme.example").await;
    let pid = product(&s, &admin).await;
    let cases = [
        (
            "http://127.0.0.1:8080/hook",
            "127.0.0.1 is a loopback address",
        ),
        ("http://127.1/", "127.0.0.1 is a loopback address"),
        ("http://2130706433/", "127.0.0.1 is a loopback address"),
        ("http://0x7f.1/", "127.0.0.1 is a loopback address"),
        ("http://0177.0.0.1/", "127.0.0.1 is a loopback address"),
        ("http://0.0.0.0/", "0.0.0.0 is an unspecified address"),
        ("http://[::1]/", "::1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "is a loopback address"),
        ("http://[fd00::1]/", "fd00::1 is a unique-local address"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254 is a link-local address",
        ),
        ("https://10.0.0.5/", "10.0.0.5 is a private address"),
        ("https://192.168.1.1/", "192.168.1.1 is a private address"),
        ("https://100.64.0.1/", "carrier-grade NAT"),
        ("http://localhost:9/", "localhost is a loopback address"),
        (
            "https://internal.test/hook",
            "internal.test resolves to a private address",
        ),
        (
            "https://metadata.test/",
            "metadata.test resolves to a link-local address",
        ),
        (
            "https://ula.test/",
            "ula.test resolves to a unique-local address",
        ),
        (
            "https://loopback.test/",
            "loopback.test resolves to a loopback address",
        ),
    ];
    for (url, expected) in cases {
        // Alert webhooks (API).
        let (st, v) = register_webhook(&s, &admin, url).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {v}");
        let message = v["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(expected), "{url}: {v}");
        assert!(message.contains("outbound_allow"), "says how to allow: {v}");
        assert!(!message.contains("meta-data"), "no path echoed: {v}");
        // Notice subscribers (API).
        let (st, v) = s
            .call(
                &admin,
                Method::POST,
                &format!("/api/v1/products/{pid}/subscribers"),
                Some(json!({"webhook_url": url})),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {v}");
        assert!(v.to_string().contains(expected), "{url}: {v}");
    }
    // The pages refuse them at the field, too.
    let (_, _, page) = post(
        &s,
        &admin,
        "/settings/webhooks",
        &[("url", "http://2130706433/hook")],
        true,
    )
    .await;
    assert!(
        page.contains("127.0.0.1 is a loopback address") && !page.contains("id=\"new-secret\""),
        "{page}"
    );
    let (_, _, page) = post(
        &s,
        &admin,
        &format!("/products/{pid}/subscribers"),
        &[("webhook_url", "http://[fd00::1]/x"), ("label", "")],
        true,
    )
    .await;
    assert!(
        page.contains("fd00::1 is a unique-local address") && !page.contains("id=\"new-secret\""),
        "{page}"
    );
    // Nothing was stored.
    let (_, hooks) = s.call(&admin, Method::GET, "/api/v1/webhooks", None).await;
    assert_eq!(hooks, json!([]));
    let (_, subs) = s
        .call(
            &admin,
            Method::GET,
            &format!("/api/v1/products/{pid}/subscribers"),
            None,
        )
        .await;
    assert_eq!(subs, json!([]));
    // A public target (by name and by address) is accepted.
    for url in ["https://public.test/hook", "https://93.184.216.34/hook"] {
        let (st, v) = register_webhook(&s, &admin, url).await;
        assert_eq!(st, StatusCode::CREATED, "{url}: {v}");
        let id = v["webhook"]["id"].as_i64().unwrap();
        // Removed again at once: the worker must not try to reach a public address.
        let (st, _) = s
            .call(
                &admin,
                Method::DELETE,
                &format!("/api/v1/webhooks/{id}"),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
    }
    s.shutdown().await;
}

/// A resolver that answers with a public address first and with loopback afterwards: the
/// DNS-rebinding attack on a check made only at registration.
#[derive(Debug, Default)]
struct Rebinding {
    calls: AtomicUsize,
}

impl NameLookup for Rebinding {
    fn lookup(&self, host: &str) -> LookupFuture {
        let first = self.calls.fetch_add(1, Ordering::SeqCst) == 0;
        let known = host == "rebind.test";
        Box::pin(async move {
            if !known {
                return Err(std::io::Error::other("unknown"));
            }
            let ip: IpAddr = if first {
                "93.184.216.34".parse().unwrap()
            } else {
                "127.0.0.1".parse().unwrap()
            };
            Ok(vec![ip])
        })
    }
}

/// Starts a server on `config` and keeps the app (the test reaches the store directly).
async fn serve(config: Config) -> (Server, App) {
    let clock = Arc::new(ManualClock::new(T0));
    let (app, link) = App::start(config.clone(), clock.clone()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    // The caller owns the data directory (it outlives restarts).
    let unused = std::env::temp_dir().join(format!("cyres-unused-{}", unique()));
    let mut server = serve_app(app.clone(), clock, listener, unused);
    server.setup = link.map(|l| l.0);
    (server, app)
}

async fn fresh_config(engine: Engine) -> Option<(Config, TempDir)> {
    let config = test_config(engine).await?;
    let dir = TempDir(config.data_dir.clone());
    Some((config, dir))
}

async fn org_id(s: &Server, who: &Who) -> i64 {
    let (_, me) = s.call(who, Method::GET, "/api/v1/session", None).await;
    me["org"]["id"].as_i64().unwrap()
}

async fn rebinding_is_refused_at_connect_time(engine: Engine) {
    let Some((mut config, _dir)) = fresh_config(engine).await else {
        return;
    };
    config.outbound_allow.clear();
    config.outbound_lookup = Some(Arc::new(Rebinding::default()));
    let (s, app) = serve(config).await;
    let (addr, calls) = receiver().await;
    let admin = s.bootstrap("Acme Routers GmbH", "psirt@acme.example").await;
    // Public at registration: accepted.
    let (st, v) = register_webhook(
        &s,
        &admin,
        &format!("http://rebind.test:{}/hook", addr.port()),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    // At delivery the name points at loopback: refused when connecting.
    let org = org_id(&s, &admin).await;
    app.store
        .create_alert(
            org,
            cyres_store::AlertKind::Test,
            false,
            "Rebinding probe",
            &json!({}),
            T0,
        )
        .await
        .unwrap();
    app.wake_worker();
    let mut log = Value::Null;
    wait_for("the refused attempt in the delivery log", async || {
        log = s
            .call(&admin, Method::GET, "/api/v1/deliveries", None)
            .await
            .1;
        log.as_array()
            .into_iter()
            .flatten()
            .any(|d| d["channel"] == "webhook" && d["attempts"].as_i64().unwrap_or(0) >= 1)
    })
    .await;
    let hook = log
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["channel"] == "webhook")
        .unwrap();
    assert_eq!(hook["last_error"], "refused by policy", "{log}");
    assert_eq!(hook["last_status"], Value::Null);
    assert!(calls.lock().unwrap().is_empty(), "nothing reached loopback");
    assert!(!log.to_string().contains(&addr.port().to_string()), "{log}");
    s.shutdown().await;
}

/// The secret columns as stored, read directly from the database.
async fn stored_secrets(app: &App) -> Vec<String> {
    use sqlx::Row;
    let pool = app.store.raw_pool();
    let mut out = Vec::new();
    for sql in [
        "SELECT secret FROM webhook",
        "SELECT secret FROM notice_subscriber WHERE secret IS NOT NULL",
    ] {
        for row in sqlx::query(sql).fetch_all(&pool).await.unwrap() {
            out.push(row.try_get::<String, _>("secret").unwrap());
        }
    }
    out
}

async fn secrets_are_encrypted_at_rest_and_still_sign(engine: Engine) {
    let Some((config, dir)) = fresh_config(engine).await else {
        return;
    };
    let (s, app) = serve(config).await;
    let (addr, calls) = receiver().await;
    let admin = s.bootstrap("Acme Routers GmbH", "psirt@acme.example").await;
    let (st, hook) = register_webhook(&s, &admin, &format!("http://{addr}/alerts")).await;
    assert_eq!(st, StatusCode::CREATED, "{hook}");
    let hook_secret = hook["secret"].as_str().unwrap().to_string();
    let pid = product(&s, &admin).await;
    let (st, sub) = s
        .call(
            &admin,
            Method::POST,
            &format!("/api/v1/products/{pid}/subscribers"),
            Some(json!({"webhook_url": format!("http://{addr}/notices")})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{sub}");
    let sub_secret = sub["secret"].as_str().unwrap().to_string();

    // In the database: ciphertext with the key id, never the secret.
    let stored = stored_secrets(&app).await;
    assert_eq!(stored.len(), 2);
    for value in &stored {
        assert!(value.starts_with("enc:v1:"), "{value}");
        assert!(
            !value.contains(&hook_secret) && !value.contains(&sub_secret),
            "{value}"
        );
    }
    // The key file: created on first start, readable by its owner only.
    let key_file = dir.0.join("secret.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // A delivery still verifies with the secret shown at creation.
    let org = org_id(&s, &admin).await;
    assert_alert_signed(&app, org, &calls, hook_secret.as_bytes()).await;
    s.shutdown().await;
}

/// Raises an alert in `org`; its webhook delivery arrives at the receiver signed with `secret`.
async fn assert_alert_signed(app: &App, org: i64, calls: &Calls, secret: &[u8]) {
    app.store
        .create_alert(
            org,
            cyres_store::AlertKind::Test,
            false,
            "Signed",
            &json!({}),
            T0,
        )
        .await
        .unwrap();
    app.wake_worker();
    wait_for("the alert at the receiver", async || {
        !calls.lock().unwrap().is_empty()
    })
    .await;
    let (sig, body) = calls.lock().unwrap()[0].clone();
    assert!(
        cyres_feeds::webhook::verify(secret, &body, &sig),
        "the signature verifies with the secret shown once"
    );
}

async fn plaintext_secrets_are_encrypted_on_start_and_key_problems_stop_it(engine: Engine) {
    let Some((config, dir)) = fresh_config(engine).await else {
        return;
    };
    let (addr, calls) = receiver().await;
    // First life: a webhook registered through the API.
    let (s, app) = serve(config.clone()).await;
    let admin = s.bootstrap("Acme Routers GmbH", "psirt@acme.example").await;
    let org = org_id(&s, &admin).await;
    let (st, _) = register_webhook(&s, &admin, &format!("http://{addr}/alerts")).await;
    assert_eq!(st, StatusCode::CREATED);
    s.shutdown().await;
    // As an older version stored it: in clear.
    let (app2, _) = App::start(config.clone(), Arc::new(ManualClock::new(T0)))
        .await
        .unwrap();
    drop(app);
    sqlx::query("UPDATE webhook SET secret = 'legacy-plaintext-secret'")
        .execute(&app2.store.raw_pool())
        .await
        .unwrap();
    app2.store.close().await;

    // Second life: encrypted on start, and deliveries sign with the same secret.
    let (s, app) = serve(config.clone()).await;
    let stored = stored_secrets(&app).await;
    assert_eq!(stored.len(), 1);
    assert!(
        stored[0].starts_with("enc:v1:") && !stored[0].contains("legacy-plaintext-secret"),
        "{stored:?}"
    );
    assert_alert_signed(&app, org, &calls, b"legacy-plaintext-secret").await;
    s.shutdown().await;

    // Third life: nothing left to encrypt; the stored value is untouched (idempotent).
    let (app3, _) = App::start(config.clone(), Arc::new(ManualClock::new(T0)))
        .await
        .unwrap();
    assert_eq!(stored_secrets(&app3).await, stored);
    app3.store.close().await;

    // The key file missing: the start is refused, naming the file.
    let key_file = dir.0.join("secret.key");
    let key_text = std::fs::read_to_string(&key_file).unwrap();
    let key_line = key_text.lines().last().unwrap().to_string();
    std::fs::rename(&key_file, dir.0.join("secret.key.bak")).unwrap();
    let e = App::start(config.clone(), Arc::new(ManualClock::new(T0)))
        .await
        .unwrap_err();
    assert!(
        e.message.contains("missing") && e.message.contains(&key_file.display().to_string()),
        "{}",
        e.message
    );
    assert!(!key_file.exists(), "no new key is made over sealed secrets");
    // Another key in its place: refused, naming the file, never showing a key.
    let other = format!("{}\n", base64_key(7));
    std::fs::write(&key_file, &other).unwrap();
    let e = App::start(config.clone(), Arc::new(ManualClock::new(T0)))
        .await
        .unwrap_err();
    assert!(
        e.message.contains("does not hold key")
            && e.message.contains(&key_file.display().to_string()),
        "{}",
        e.message
    );
    assert!(!e.message.contains(&key_line) && !e.message.contains(other.trim()));

    // Rotation: a new first key with the old one below it; the start re-encrypts.
    std::fs::write(&key_file, format!("{}\n{key_line}\n", base64_key(9))).unwrap();
    let (app4, _) = App::start(config.clone(), Arc::new(ManualClock::new(T0)))
        .await
        .unwrap();
    let rotated = stored_secrets(&app4).await;
    assert_ne!(rotated, stored, "re-encrypted with the new first key");
    assert!(rotated[0].starts_with("enc:v1:"));
    app4.store.close().await;
    // The old key alone no longer opens them.
    std::fs::write(&key_file, format!("{key_line}\n")).unwrap();
    assert!(
        App::start(config, Arc::new(ManualClock::new(T0)))
            .await
            .is_err()
    );
}

/// A key file line: 32 bytes of `seed`, base64.
fn base64_key(seed: u8) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode([seed; 32])
}
