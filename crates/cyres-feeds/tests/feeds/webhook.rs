//! Webhook delivery against a loopback receiver that checks the signature.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use cyres_feeds::webhook::{SIGNATURE_HEADER, TIMESTAMP_HEADER, deliver, verify, webhook_client};
use cyres_feeds::{Alert, AlertKind};
use time::macros::datetime;

/// The sending time is the caller's (the server passes its injected clock).
const SENT_AT: i64 = 1_790_000_000;

#[derive(Default)]
struct Received {
    bodies: Vec<Vec<u8>>,
    signatures_ok: Vec<bool>,
    timestamps: Vec<i64>,
}

const SECRET: &[u8] = b"whsec-test-0123456789";

async fn receiver() -> (String, Arc<Mutex<Received>>) {
    let received = Arc::new(Mutex::new(Received::default()));
    async fn ok(
        State(r): State<Arc<Mutex<Received>>>,
        headers: HeaderMap,
        body: Bytes,
    ) -> StatusCode {
        let signature = headers
            .get(SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mut r = r.lock().unwrap();
        r.signatures_ok.push(verify(SECRET, &body, signature));
        r.timestamps.push(
            headers
                .get(TIMESTAMP_HEADER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
        );
        r.bodies.push(body.to_vec());
        StatusCode::NO_CONTENT
    }
    let app = Router::new()
        .route("/hook", post(ok))
        .route("/busy", post(|| async { StatusCode::SERVICE_UNAVAILABLE }))
        .route("/gone", post(|| async { StatusCode::GONE }))
        .route(
            "/moved",
            post(|| async { (StatusCode::TEMPORARY_REDIRECT, [("location", "/hook")]) }),
        )
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), received)
}

fn alert() -> Alert {
    Alert {
        id: "17".to_string(),
        org: "acme".to_string(),
        kind: AlertKind::NewFinding,
        urgent: false,
        title: "PYSEC-2021-1 affects requests 2.25.0".to_string(),
        product: "Gateway".to_string(),
        release: "1.4.2".to_string(),
        advisory_ids: vec!["PYSEC-2021-1".to_string()],
        severity: None,
        early_warning_due: None,
        created_at: datetime!(2026-11-27 21:00 UTC),
        url: None,
    }
}

#[tokio::test]
async fn signed_delivery_is_verifiable_and_logged() {
    let (base, received) = receiver().await;
    let client = webhook_client(&crate::loopback_outbound()).unwrap();
    let body = alert().webhook_body();
    let result = deliver(
        &client,
        &format!("{base}/hook?token=abc"),
        SECRET,
        SENT_AT,
        &body,
    )
    .await;
    assert!(result.is_success(), "{result:?}");
    assert_eq!(result.status, Some(204));
    let r = received.lock().unwrap();
    assert_eq!(r.bodies.len(), 1);
    assert_eq!(r.bodies[0], body);
    assert_eq!(r.signatures_ok, [true]);
    assert_eq!(r.timestamps[0], SENT_AT);
    let v: serde_json::Value = serde_json::from_slice(&r.bodies[0]).unwrap();
    assert_eq!(v["event"], "new_finding");
    assert_eq!(v["alert"]["advisory_ids"][0], "PYSEC-2021-1");
    // A receiver with another secret would refuse it.
    assert!(!verify(
        b"other",
        &body,
        &cyres_feeds::webhook::sign(SECRET, &body)
    ));
}

#[tokio::test]
async fn failed_deliveries_say_whether_to_retry_without_leaking_the_url() {
    let (base, received) = receiver().await;
    let client = webhook_client(&crate::loopback_outbound()).unwrap();
    let body = alert().webhook_body();

    let busy = deliver(&client, &format!("{base}/busy"), SECRET, SENT_AT, &body).await;
    assert_eq!(busy.status, Some(503));
    assert!(!busy.is_success() && busy.should_retry());
    assert!(busy.error.as_deref().unwrap().contains("503"));

    let gone = deliver(&client, &format!("{base}/gone"), SECRET, SENT_AT, &body).await;
    assert_eq!(gone.status, Some(410));
    assert!(!gone.should_retry());

    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let down = deliver(
        &client,
        &format!("http://{dead}/hook?token=s3cret"),
        SECRET,
        SENT_AT,
        &body,
    )
    .await;
    assert_eq!(down.status, None);
    assert!(down.should_retry());
    let error = down.error.unwrap();
    assert!(
        !error.contains("s3cret") && !error.contains("whsec"),
        "{error}"
    );

    // Redirects are not followed: the alert goes only where it was configured to go.
    let moved = deliver(&client, &format!("{base}/moved"), SECRET, SENT_AT, &body).await;
    assert_eq!(moved.status, Some(307));
    assert!(!moved.is_success());

    let bad = deliver(&client, "ftp://example.invalid/x", SECRET, SENT_AT, &body).await;
    assert!(bad.error.unwrap().contains("not http(s)"));
    assert!(received.lock().unwrap().bodies.is_empty());
}
