//! The outbound policy end to end through real HTTP clients: a receiver on loopback that must
//! never be reached unless allowed, names resolved by a stub (no test asks a real DNS server),
//! and delivery logs that name the failure class only.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use cyres_feeds::outbound::{Outbound, OutboundPolicy, StaticLookup};
use cyres_feeds::webhook::{deliver, webhook_client};
use cyres_feeds::{FeedError, FetchLimits, SourceConfig, SourceKind, SyncState, fetch};

/// A loopback receiver counting every request it gets.
async fn receiver() -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let (a, b, c) = (hits.clone(), hits.clone(), hits.clone());
    let app = Router::new()
        .route(
            "/hook",
            post(move || async move {
                a.fetch_add(1, Ordering::SeqCst);
                StatusCode::NO_CONTENT
            }),
        )
        .route(
            "/fail",
            post(move || async move {
                b.fetch_add(1, Ordering::SeqCst);
                StatusCode::INTERNAL_SERVER_ERROR
            }),
        )
        .route(
            "/kev.json",
            get(move || async move {
                c.fetch_add(1, Ordering::SeqCst);
                (
                    StatusCode::FOUND,
                    [("location", "http://127.0.0.2:9/kev.json")],
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, hits)
}

fn loopback() -> IpAddr {
    IpAddr::from([127, 0, 0, 1])
}

#[tokio::test]
async fn webhooks_to_forbidden_addresses_are_refused_before_connecting() {
    let (addr, hits) = receiver().await;
    let port = addr.port();
    // Names a stub resolves: one straight to loopback, one that rebinds (a public address and
    // loopback), one the operator allowed by name.
    let lookup = StaticLookup::default()
        .with("evil.test", &[loopback()])
        .with(
            "rebind.test",
            &["93.184.216.34".parse().unwrap(), loopback()],
        )
        .with("hooks.internal", &[loopback()]);
    let outbound = Outbound::new(
        OutboundPolicy::new(&["hooks.internal"]).unwrap(),
        Arc::new(lookup),
    );
    let client = webhook_client(&outbound).unwrap();
    for url in [
        format!("http://127.0.0.1:{port}/hook"),
        format!("http://127.1:{port}/hook"),
        format!("http://2130706433:{port}/hook"),
        format!("http://0x7f.1:{port}/hook"),
        format!("http://[::ffff:127.0.0.1]:{port}/hook"),
        format!("http://evil.test:{port}/hook"),
        format!("http://rebind.test:{port}/hook"),
        format!("http://localhost:{port}/hook"),
    ] {
        let result = deliver(&client, &url, b"k", 0, b"{}").await;
        assert_eq!(result.status, None, "{url}");
        assert_eq!(result.error.as_deref(), Some("refused by policy"), "{url}");
        assert!(result.should_retry(), "the operator may still allow it");
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "nothing reached the receiver"
    );

    // The operator's allowlist opens exactly the named host.
    let ok = deliver(
        &client,
        &format!("http://hooks.internal:{port}/hook"),
        b"k",
        0,
        b"{}",
    )
    .await;
    assert!(ok.is_success(), "{ok:?}");
    let failed = deliver(
        &client,
        &format!("http://hooks.internal:{port}/fail"),
        b"k",
        0,
        b"{}",
    )
    .await;
    assert_eq!(failed.error.as_deref(), Some("HTTP 500"));
    assert_eq!(hits.load(Ordering::SeqCst), 2);

    // A closed port and an open one read the same in the log: "connection failed", never
    // "connection refused" (the log must not be a port scanner).
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let allow_all_loopback = Outbound::new(
        OutboundPolicy::new(&["127.0.0.0/8"]).unwrap(),
        Arc::new(StaticLookup::default()),
    );
    let client = webhook_client(&allow_all_loopback).unwrap();
    let down = deliver(
        &client,
        &format!("http://{dead}/hook/secret-path"),
        b"k",
        0,
        b"{}",
    )
    .await;
    assert_eq!(down.error.as_deref(), Some("connection failed"));
}

#[tokio::test]
async fn source_requests_and_their_redirects_follow_the_policy() {
    let (addr, hits) = receiver().await;
    let source = |host: &str| SourceConfig {
        id: "kev".into(),
        kind: SourceKind::Kev,
        url: format!("http://{host}:{}/kev.json", addr.port()),
    };
    let sync = |client: reqwest::Client, source: SourceConfig| async move {
        fetch(
            &client,
            &source,
            &SyncState::default(),
            &FetchLimits::default(),
        )
        .await
        .unwrap_err()
    };

    // A source name that resolves to loopback: refused when connecting, nothing asked.
    let strict = Outbound::new(
        OutboundPolicy::default(),
        Arc::new(StaticLookup::default().with("feed.test", &[loopback()])),
    );
    let err = sync(
        cyres_feeds::http_client(&strict).unwrap(),
        source("feed.test"),
    )
    .await;
    assert!(matches!(err, FeedError::Transport { .. }), "{err}");
    assert!(err.to_string().contains("refused by policy"), "{err}");
    assert_eq!(hits.load(Ordering::SeqCst), 0);

    // An allowed source that redirects to a loopback address outside the allowlist
    // (127.0.0.2): the redirect is refused, not followed.
    let allowed = Outbound::new(
        OutboundPolicy::new(&["127.0.0.1/32"]).unwrap(),
        Arc::new(StaticLookup::default()),
    );
    let err = sync(
        cyres_feeds::http_client(&allowed).unwrap(),
        source("127.0.0.1"),
    )
    .await;
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "the source itself was asked"
    );
    assert!(err.to_string().contains("refused by policy"), "{err}");
}
