//! The platform over real HTTP on loopback, on SQLite and on PostgreSQL (`CYRES_TEST_PG_URL`,
//! started by `scripts/test.sh`; see crates/cyres-store/tests/store.rs for the rule).
//!
//! Each case starts its own server with a fresh database and a manual clock, creates the first
//! administrator through the one-time setup link, and talks to it with a real HTTP client.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use crate::harness::*;
use cyres_server::{App, Config, ManualClock};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// A webhook call as received: signature header and body.
type Received = (String, Vec<u8>);

both!(
    setup_link_works_once_and_login_is_guarded,
    inventory_upload_and_triage_flow,
    roles_and_revoked_tokens,
    bad_uploads_store_nothing,
    hostile_filters_change_nothing,
    openapi_describes_every_route,
    alerts_reach_webhook_feed_and_mail,
    queued_work_survives_a_restart,
    sources_sync_on_schedule_and_on_demand,
    shutdown_lets_in_flight_uploads_finish,
    fleet_exposure_falls_as_devices_update,
    update_repository_is_served_safely,
    vex_round_trip_and_bulk_triage,
    vex_and_bulk_triage_in_the_ui,
    list_csv_and_bulk_select_the_same_findings,
    proposals_show_their_report_and_are_dismissed_with_a_reason,
    components_search_and_dependency_paths,
    findings_search_over_http,
    advisory_data_is_imported_and_synced_in_the_ui,
);

mod vex;
use vex::*;

mod advisory_data;
use advisory_data::*;

use reqwest::Method;

async fn setup_link_works_once_and_login_is_guarded(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    assert_eq!(
        s.http.get(s.url("/healthz")).send().await.unwrap().status(),
        200
    );
    assert_eq!(
        s.http.get(s.url("/readyz")).send().await.unwrap().status(),
        200
    );
    let path = s
        .setup
        .as_ref()
        .unwrap()
        .split_once("/setup")
        .map(|(_, rest)| format!("/setup{rest}"))
        .unwrap();
    let page = s
        .http
        .get(s.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<label for=\"password\">"));
    let admin = s.bootstrap("Acme Routers", "admin@acme.example").await;
    // The link is spent.
    let token = s.setup.as_ref().unwrap().split("token=").nth(1).unwrap();
    let r = s
        .http
        .post(s.url("/setup"))
        .json(&json!({"token": token, "email": "x@y.z", "password": PASSWORD, "org_name": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Who am I.
    let (st, me) = s.call(&admin, Method::GET, "/api/v1/session", None).await;
    assert_eq!(
        (st, me["role"].as_str(), me["org"]["name"].as_str()),
        (StatusCode::OK, Some("admin"), Some("Acme Routers"))
    );
    // CSRF: the cookie alone cannot change state.
    let no_csrf = Who {
        csrf: None,
        ..admin.clone()
    };
    let (st, v) = s
        .call(
            &no_csrf,
            Method::POST,
            "/api/v1/products",
            Some(json!({"name": "P"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(v["error"]["code"], "csrf");
    let wrong = Who {
        csrf: Some("nope".into()),
        ..admin.clone()
    };
    assert_eq!(
        s.call(
            &wrong,
            Method::POST,
            "/api/v1/products",
            Some(json!({"name": "P"}))
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    // Wrong passwords: 401, then 429 after five.
    for _ in 0..5 {
        let r = s
            .http
            .post(s.url("/api/v1/session"))
            .json(&json!({"email": "admin@acme.example", "password": "wrong password!"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let body = r.text().await.unwrap();
        assert!(!body.contains("wrong password!"), "no echo of secrets");
    }
    let r = s
        .http
        .post(s.url("/api/v1/session"))
        .json(&json!({"email": "admin@acme.example", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().get("retry-after").is_some());
    s.clock.advance(16 * 60);
    let again = s.login("admin@acme.example", PASSWORD).await;
    // Logout ends the session.
    assert_eq!(
        s.call(&again, Method::DELETE, "/api/v1/session", None)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        s.call(&again, Method::GET, "/api/v1/session", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Sessions expire.
    s.clock.advance(13 * 3600);
    assert_eq!(
        s.call(&admin, Method::GET, "/api/v1/products", None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    s.shutdown().await;
}

/// Number of findings on the product's findings page.
async fn product_findings(s: &Server, who: &Who, pid: i64) -> usize {
    let (_, v) = s
        .call(
            who,
            Method::GET,
            &format!("/api/v1/findings?product={pid}"),
            None,
        )
        .await;
    v.as_array().unwrap().len()
}

async fn inventory_upload_and_triage_flow(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Acme", "admin@acme.example").await;
    let (pid, rid) = seeded(&s, &admin).await;
    let (_, fs) = s
        .call(
            &admin,
            Method::GET,
            &format!("/api/v1/findings?product={pid}&exploited=true"),
            None,
        )
        .await;
    let fs = fs.as_array().unwrap();
    assert_eq!(fs.len(), 2);
    assert!(fs.iter().all(|f| f["advisory_id"] == "GHSA-qppj-fm5r-hxr3"));
    let (_, high) = s
        .call(
            &admin,
            Method::GET,
            &format!("/api/v1/findings?release={rid}&severity=high"),
            None,
        )
        .await;
    assert_eq!(high.as_array().unwrap().len(), 1);
    let fid = fs[0]["id"].as_i64().unwrap();
    let (st, v) = s
        .call(
            &admin,
            Method::POST,
            &format!("/api/v1/findings/{fid}/triage"),
            Some(json!({"status": "not_affected"})),
        )
        .await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("justification"))
    );
    let (st, v) = s.call(&admin, Method::POST, &format!("/api/v1/findings/{fid}/triage"), Some(json!({"status": "not_affected", "justification": "vulnerable_code_not_in_execute_path", "comment": "HTTP/2 off"}))).await;
    assert_eq!(
        (st, v["status"].as_str()),
        (StatusCode::OK, Some("not_affected"))
    );
    // The same page again (served from the page cache when unchanged) shows the triage at once.
    let (_, again) = s
        .call(
            &admin,
            Method::GET,
            &format!("/api/v1/findings?product={pid}&exploited=true"),
            None,
        )
        .await;
    let triaged: Vec<&str> = again
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == fid)
        .map(|f| f["status"].as_str().unwrap())
        .collect();
    assert_eq!(triaged, ["not_affected"]);
    let all_before = product_findings(&s, &admin, pid).await;
    let (_, h) = s
        .call(
            &admin,
            Method::GET,
            &format!("/api/v1/findings/{fid}/history"),
            None,
        )
        .await;
    assert_eq!(h[0]["comment"], "HTTP/2 off");
    assert!(
        h[0]["actor"]
            .as_str()
            .unwrap()
            .contains("admin@acme.example")
    );
    let (_, comps) = s
        .call(
            &admin,
            Method::GET,
            &format!("/api/v1/releases/{rid}/components?limit=3"),
            None,
        )
        .await;
    assert_eq!(comps.as_array().unwrap().len(), 3);
    let (_, meta) = s
        .call(
            &admin,
            Method::GET,
            &format!("/api/v1/releases/{rid}/sbom"),
            None,
        )
        .await;
    assert_eq!(meta["diagnostics"].as_array().unwrap().len(), 2);
    let orig = s
        .req(
            &admin,
            Method::GET,
            &format!("/api/v1/releases/{rid}/sbom/original"),
        )
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(
        orig.as_ref(),
        std::fs::read(root().join("examples/sboms/router-fw-2.4.1.cdx.json"))
            .unwrap()
            .as_slice()
    );
    let (_, adv) = s
        .call(
            &admin,
            Method::GET,
            "/api/v1/advisories/CVE-2023-44487",
            None,
        )
        .await;
    assert_eq!(adv["advisory"]["exploited_by"], json!(["kev"]));
    assert_eq!(adv["findings"].as_array().unwrap().len(), 2);
    let (_, search) = s
        .call(&admin, Method::GET, "/api/v1/advisories?q=regex", None)
        .await;
    assert_eq!(search[0]["id"], "RUSTSEC-2022-0013");
    // Every state change above is in the audit trail, and the trail cannot be changed.
    let (_, audit) = s.call(&admin, Method::GET, "/api/v1/audit", None).await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "product.create",
        "release.create",
        "sbom.upload",
        "finding.triage",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    for m in [Method::DELETE, Method::PUT, Method::POST] {
        assert!(matches!(
            s.call(&admin, m, "/api/v1/audit", None).await.0,
            StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_FOUND
        ));
    }
    // An SBOM can be uploaded once per release.
    let bytes = std::fs::read(root().join("examples/sboms/router-fw-2.4.1.cdx.json")).unwrap();
    assert_eq!(
        s.upload(&admin, rid, bytes, "again.json").await.0,
        StatusCode::CONFLICT
    );
    // SPDX and CycloneDX XML are accepted as well.
    for (v, f) in [
        ("3.1.0", "baby-monitor-3.1.0.spdx.json"),
        ("5.2.0", "vault-server-5.2.0.cdx.xml"),
    ] {
        let (_, r) = s
            .call(
                &admin,
                Method::POST,
                &format!("/api/v1/products/{pid}/releases"),
                Some(json!({"version": v})),
            )
            .await;
        let (st, up) = s
            .upload(
                &admin,
                r["id"].as_i64().unwrap(),
                std::fs::read(root().join("examples/sboms").join(f)).unwrap(),
                f,
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{f}: {up}");
    }
    // New SBOMs' findings appear on the product's page (a cached page was dropped).
    let all_after = product_findings(&s, &admin, pid).await;
    assert!(all_after > all_before, "{all_before} -> {all_after}");
    s.shutdown().await;
}

async fn roles_and_revoked_tokens(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Acme", "admin@acme.example").await;
    let (pid, rid) = seeded(&s, &admin).await;
    let viewer = s.token(&admin, "viewer").await;
    let editor = s.token(&admin, "editor").await;
    assert_eq!(
        s.call(&viewer, Method::GET, "/api/v1/products", None)
            .await
            .0,
        StatusCode::OK
    );
    for (m, p, b) in [
        (
            Method::POST,
            "/api/v1/products".to_string(),
            json!({"name": "Q"}),
        ),
        (
            Method::PUT,
            format!("/api/v1/products/{pid}"),
            json!({"name": "Q"}),
        ),
        (
            Method::POST,
            format!("/api/v1/products/{pid}/releases"),
            json!({"version": "9"}),
        ),
        (
            Method::POST,
            "/api/v1/findings/triage".to_string(),
            json!({"filter": {"release": rid.to_string()}, "status": "affected"}),
        ),
        (
            Method::POST,
            format!("/api/v1/releases/{rid}/vex"),
            json!({}),
        ),
    ] {
        let (st, v) = s.call(&viewer, m.clone(), &p, Some(b.clone())).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "viewer {m} {p}: {v}");
        assert_ne!(
            s.call(&editor, m, &p, Some(b)).await.0,
            StatusCode::FORBIDDEN
        );
    }
    for p in [
        "/api/v1/tokens",
        "/api/v1/webhooks",
        "/api/v1/audit",
        "/api/v1/deliveries",
    ] {
        assert_eq!(
            s.call(&editor, Method::GET, p, None).await.0,
            StatusCode::FORBIDDEN,
            "{p}"
        );
    }
    // Advisory data is shared: only the operator organisation's admins may import.
    let r = s
        .req(
            &editor,
            Method::POST,
            "/api/v1/advisories/import?filename=kev.json",
        )
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Revocation is immediate, and the token list shows last use but never the secret.
    let (_, list) = s.call(&admin, Method::GET, "/api/v1/tokens", None).await;
    let text = list.to_string();
    assert!(!text.contains(editor.token.as_ref().unwrap()) && !text.contains("hash"));
    let eid = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["role"] == "editor")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == eid)
            .unwrap()["last_used_at"]
            .is_i64()
    );
    assert_eq!(
        s.call(
            &admin,
            Method::DELETE,
            &format!("/api/v1/tokens/{eid}"),
            None
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    let (st, v) = s.call(&editor, Method::GET, "/api/v1/products", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(v["error"]["message"], "invalid or revoked API token");
    let bogus = Who {
        cookie: None,
        csrf: None,
        token: Some("cyres_forged".into()),
    };
    assert_eq!(
        s.call(&bogus, Method::GET, "/api/v1/products", None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    s.shutdown().await;
}

async fn bad_uploads_store_nothing(engine: Engine) {
    let Some(s) = start_with(engine, |c| c.max_upload_bytes = 64 * 1024).await else {
        return;
    };
    let admin = s.bootstrap("Acme", "admin@acme.example").await;
    let (_, p) = s
        .call(
            &admin,
            Method::POST,
            "/api/v1/products",
            Some(json!({"name": "P"})),
        )
        .await;
    let (_, r) = s
        .call(
            &admin,
            Method::POST,
            &format!("/api/v1/products/{}/releases", p["id"]),
            Some(json!({"version": "1"})),
        )
        .await;
    let rid = r["id"].as_i64().unwrap();
    let big = vec![b' '; 65 * 1024];
    let cases: Vec<(Vec<u8>, StatusCode, &str)> = vec![
        (big, StatusCode::PAYLOAD_TOO_LARGE, "limit of 65536 bytes"),
        (br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"name":"#.to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "x.json:1:"),
        (br#"{"bomFormat":"CycloneDX","specVersion":"9.9","components":[]}"#.to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "9.9"),
        (b"<?xml version=\"1.0\"?><!DOCTYPE bom [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\"><components><component type=\"library\"><name>&xxe;</name></component></components></bom>".to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "DOCTYPE"),
        (vec![0xff, 0xfe, 0x00, 0x7b], StatusCode::UNPROCESSABLE_ENTITY, "x.json"),
        (b"hello".to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "not a CycloneDX or SPDX document"),
    ];
    for (body, want, needle) in cases {
        let (st, v) = s.upload(&admin, rid, body, "x.json").await;
        assert_eq!(st, want, "{v}");
        let msg = v["error"]["message"].as_str().unwrap_or_default();
        assert!(msg.contains(needle), "{needle:?} not in {msg:?}");
    }
    let (st, v) = s.upload(&admin, rid, Vec::new(), "x.json").await;
    assert_eq!(
        (st, v["error"]["message"].as_str()),
        (StatusCode::BAD_REQUEST, Some("the upload is empty"))
    );
    let (_, rel) = s
        .call(
            &admin,
            Method::GET,
            &format!("/api/v1/releases/{rid}"),
            None,
        )
        .await;
    assert!(rel["sbom_id"].is_null(), "nothing stored: {rel}");
    let (_, audit) = s.call(&admin, Method::GET, "/api/v1/audit", None).await;
    assert!(!audit.to_string().contains("sbom.upload"));
    // Malformed JSON bodies and unknown fields are named.
    let r = s
        .req(&admin, Method::POST, "/api/v1/products")
        .header("content-type", "application/json")
        .body("{\"name\":")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let (st, v) = s
        .call(
            &admin,
            Method::POST,
            "/api/v1/products",
            Some(json!({"name": "Z", "colour": "red"})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(v["error"]["message"].as_str().unwrap().contains("colour"));
    let (st, v) = s
        .call(
            &admin,
            Method::POST,
            "/api/v1/products",
            Some(json!({"name": "Z", "catalogue_entries": ["annex9-x"]})),
        )
        .await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("catalogue_entries"))
    );
    let (st, v) = s
        .call(
            &admin,
            Method::POST,
            "/api/v1/products",
            Some(json!({"name": "Z", "member_states": ["US"]})),
        )
        .await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("member_states"))
    );
    s.shutdown().await;
}

async fn hostile_filters_change_nothing(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Acme", "admin@acme.example").await;
    seeded(&s, &admin).await;
    let evil = [
        "' OR '1'='1",
        "1; DROP TABLE finding; --",
        "1 OR 1=1",
        "%27%20OR%201%3D1",
        "\") OR (\"a\"=\"a",
    ];
    for e in evil {
        let enc: String = e.bytes().map(|b| format!("%{b:02X}")).collect();
        for param in [
            "product",
            "release",
            "severity",
            "exploited",
            "status",
            "advisory",
            "after",
            "limit",
        ] {
            let (st, v) = s
                .call(
                    &admin,
                    Method::GET,
                    &format!("/api/v1/findings?{param}={enc}"),
                    None,
                )
                .await;
            assert!(
                st == StatusCode::UNPROCESSABLE_ENTITY
                    || (st == StatusCode::OK && v.as_array().is_some_and(|a| a.is_empty())),
                "{param}={e:?}: {st} {v}"
            );
        }
        let (st, _) = s
            .call(
                &admin,
                Method::GET,
                &format!("/api/v1/advisories?q={enc}"),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let (st, _) = s
            .call(
                &admin,
                Method::GET,
                &format!("/api/v1/advisories/{enc}"),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
    }
    let (_, all) = s.call(&admin, Method::GET, "/api/v1/findings", None).await;
    assert_eq!(all.as_array().unwrap().len(), 4);
    s.shutdown().await;
}

async fn openapi_describes_every_route(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Acme", "admin@acme.example").await;
    let (st, doc) = s
        .call(&admin, Method::GET, "/api/v1/openapi.json", None)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    let mut n = 0;
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            n += 1;
            assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()));
            let concrete = path
                .replace("{id}", "424242")
                .replace("{account_id}", "424242");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let (st, v) = s.call(&admin, m, &format!("/api/v1{concrete}"), None).await;
            let route_missing =
                st == StatusCode::NOT_FOUND && v["error"]["message"] == "route not found";
            assert!(
                !route_missing && st != StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path} is documented but not routed ({st})"
            );
        }
    }
    assert!(n >= 40, "{n} operations");
    // And an undocumented route does not exist.
    let (st, v) = s
        .call(&admin, Method::GET, "/api/v1/nothing-here", None)
        .await;
    assert_eq!(
        (st, v["error"]["message"].as_str()),
        (StatusCode::NOT_FOUND, Some("route not found"))
    );
    s.shutdown().await;
}

async fn alerts_reach_webhook_feed_and_mail(engine: Engine) {
    let sink = cyres_feeds::smtp::sink::SmtpSink::start().await.unwrap();
    let sink_addr = sink.addr();
    let Some(s) = start_with(engine, |c| {
        c.smtp = Some(cyres_server::SmtpSettings {
            host: sink_addr.ip().to_string(),
            port: sink_addr.port(),
            from: "cyres@acme.example".into(),
        });
    })
    .await
    else {
        return;
    };
    // A webhook receiver that records what it gets.
    let received: Arc<std::sync::Mutex<Vec<Received>>> = Arc::default();
    let stamps: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
    let (rec, st) = (received.clone(), stamps.clone());
    let hook_app = axum::Router::new().route(
        "/hook",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let (rec, st) = (rec.clone(), st.clone());
                async move {
                    let header = |name: &str| {
                        headers
                            .get(name)
                            .map(|v| v.to_str().unwrap().to_string())
                            .unwrap_or_default()
                    };
                    st.lock().unwrap().push(header("x-cyres-timestamp"));
                    rec.lock()
                        .unwrap()
                        .push((header("x-cyres-signature"), body.to_vec()));
                    StatusCode::NO_CONTENT
                }
            },
        ),
    );
    let hook_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_addr = hook_listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(hook_listener, hook_app).await });

    let admin = s.bootstrap("Acme", "admin@acme.example").await;
    let (_, hook) = s
        .call(
            &admin,
            Method::POST,
            "/api/v1/webhooks",
            Some(json!({"url": format!("http://{hook_addr}/hook")})),
        )
        .await;
    let secret = hook["secret"].as_str().unwrap().to_string();
    seeded(&s, &admin).await;
    // The worker delivers: 3 alerts from the upload, plus the "became exploited" one is not
    // needed here because KEV was imported before the upload.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while received.lock().unwrap().len() < 3 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 3, "webhook deliveries");
    // Sent at the server's (injected) time, not the machine's.
    let now = cyres_server::Clock::now(&*s.clock).to_string();
    assert!(
        stamps.lock().unwrap().iter().all(|t| *t == now),
        "{:?} vs {now}",
        stamps.lock().unwrap()
    );
    for (sig, body) in &got {
        assert!(
            cyres_feeds::webhook::verify(secret.as_bytes(), body, sig),
            "signature verifies"
        );
    }
    let urgent: Vec<Value> = got
        .iter()
        .map(|(_, b)| serde_json::from_slice::<Value>(b).unwrap())
        .filter(|v| v["alert"]["urgent"] == true)
        .collect();
    assert_eq!(urgent.len(), 1);
    assert_eq!(
        urgent[0]["alert"]["early_warning_due"],
        "2026-09-22T14:13:20Z"
    );
    let mails = sink.wait_for(3, Duration::from_secs(20)).await;
    assert_eq!(mails.len(), 3);
    assert!(
        mails
            .iter()
            .all(|m| m.to.iter().any(|r| r.contains("admin@acme.example")))
    );
    // Delivery log.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (_, log) = s
            .call(&admin, Method::GET, "/api/v1/deliveries", None)
            .await;
        let delivered = log
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["state"] == "delivered")
            .count();
        if delivered == 6 || std::time::Instant::now() > deadline {
            assert_eq!(delivered, 6, "{log}");
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Atom feed with a token in the query (feed readers), refused without.
    let viewer = s.token(&admin, "viewer").await;
    let feed = s
        .http
        .get(s.url(&format!(
            "/api/v1/alerts.atom?token={}",
            viewer.token.as_ref().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(feed.status(), StatusCode::OK);
    let xml = feed.text().await.unwrap();
    assert!(
        xml.starts_with("<?xml") && xml.matches("<entry>").count() == 3,
        "{xml}"
    );
    assert_eq!(
        s.http
            .get(s.url("/api/v1/alerts.atom"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    s.shutdown().await;
}

async fn queued_work_survives_a_restart(engine: Engine) {
    // First life: data imported and a job queued, but the worker never runs (huge tick and
    // the server stopped right away).
    let url = match database_url(engine).await {
        Some(u) => u,
        None => return,
    };
    let dir = std::env::temp_dir().join(format!("cyres-restart-{}", unique()));
    let _guard = TempDir(dir.clone());
    let mut config = Config::new(dir.clone());
    config.database_url = url;
    test_outbound(&mut config);
    config.worker_tick_ms = 3_600_000;
    let (app, _link) = App::start(config.clone(), Arc::new(ManualClock::new(T0)))
        .await
        .unwrap();
    let org = app
        .store
        .create_org(
            &cyres_store::NewOrg {
                name: "A".into(),
                kind: cyres_store::OrgKind::Manufacturer,
                member_state: None,
                size: None,
            },
            &cyres_store::Actor::system(),
            T0,
        )
        .await
        .unwrap();
    let p = app
        .store
        .create_product(
            org.id,
            &cyres_store::ProductInput {
                name: "P".into(),
                description: String::new(),
                catalogue_entries: vec![],
                category: "default".into(),
                member_states: vec![],
                estimated_users: None,
                support_end: None,
            },
            &cyres_store::Actor::system(),
            T0,
        )
        .await
        .unwrap();
    let r = app
        .store
        .create_release(org.id, p.id, "1", None, &cyres_store::Actor::system(), T0)
        .await
        .unwrap();
    let bytes = std::fs::read(root().join("examples/sboms/router-fw-2.4.1.cdx.json")).unwrap();
    let sbom = cyres_sbom::read(&bytes, "r.json", &Default::default()).unwrap();
    app.store
        .ingest_sbom(
            org.id,
            r.id,
            &cyres_store::SbomUpload {
                file_name: "r.json",
                original: &bytes,
                sha256: "0",
                sbom: &sbom,
            },
            &cyres_store::Actor::system(),
            T0,
        )
        .await
        .unwrap();
    let mut corpus = cyres_vuln::Corpus::new();
    corpus
        .load_path(&root().join("examples/advisories"), &mut |_| {})
        .unwrap();
    app.store
        .upsert_advisories(&corpus.advisories, "upload", T0)
        .await
        .unwrap();
    assert_eq!(
        app.store.pending_job_count().await.unwrap(),
        1,
        "re-match queued with the import"
    );
    app.store.close().await;
    drop(app);
    // Second life: the worker picks the job up on start.
    config.worker_tick_ms = 50;
    let (app, _) = App::start(config, Arc::new(ManualClock::new(T0 + 60)))
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (tx, rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(cyres_server::serve(app.clone(), listener, rx));
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while app.store.pending_job_count().await.unwrap() > 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let fs = app
        .store
        .findings(org.id, &Default::default())
        .await
        .unwrap();
    assert_eq!(fs.len(), 4);
    let _ = tx.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(20), task).await;
}

async fn sources_sync_on_schedule_and_on_demand(engine: Engine) {
    let mirror = advisory_mirror().await;
    let Some(s) = start_with(engine, |c| {
        c.sync_interval_secs = 3600;
        c.sources = vec![
            cyres_feeds::SourceConfig {
                id: "osv-crates".into(),
                kind: cyres_feeds::SourceKind::Osv {
                    ecosystem: "crates.io".into(),
                },
                url: format!("http://{mirror}/osv"),
            },
            cyres_feeds::SourceConfig {
                id: "osv-go".into(),
                kind: cyres_feeds::SourceKind::Osv {
                    ecosystem: "Go".into(),
                },
                url: format!("http://{mirror}/osv"),
            },
            cyres_feeds::SourceConfig {
                id: "kev".into(),
                kind: cyres_feeds::SourceKind::Kev,
                url: format!("http://{mirror}/kev.json"),
            },
            cyres_feeds::SourceConfig {
                id: "euvd".into(),
                kind: cyres_feeds::SourceKind::Euvd,
                url: format!("http://{mirror}/euvd"),
            },
        ];
    })
    .await
    else {
        return;
    };
    let admin = s.bootstrap("Acme", "admin@acme.example").await;
    // The worker syncs every source on start (the schedule is due).
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let sources = loop {
        let (_, v) = s.call(&admin, Method::GET, "/api/v1/sources", None).await;
        let done = v
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["last_sync_at"].is_i64())
            .count();
        if done == 4 || std::time::Instant::now() > deadline {
            break v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let by_id = |id: &str| {
        sources
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        by_id("osv-go")["last_result"]["new_or_changed"],
        2,
        "{sources}"
    );
    assert_eq!(by_id("osv-crates")["last_result"]["fetched"], 1);
    assert_eq!(by_id("kev")["last_result"]["fetched"], 3);
    assert_eq!(by_id("euvd")["last_result"]["new_or_changed"], 1);
    assert!(
        !sources.to_string().contains("token="),
        "no secrets in source listings"
    );
    // An SBOM uploaded now is matched against the synced data; EUVD marks the regex flaw exploited.
    let (_, p) = s
        .call(
            &admin,
            Method::POST,
            "/api/v1/products",
            Some(json!({"name": "R"})),
        )
        .await;
    let (_, r) = s
        .call(
            &admin,
            Method::POST,
            &format!("/api/v1/products/{}/releases", p["id"]),
            Some(json!({"version": "1"})),
        )
        .await;
    let (st, up) = s
        .upload(
            &admin,
            r["id"].as_i64().unwrap(),
            std::fs::read(root().join("examples/sboms/router-fw-2.4.1.cdx.json")).unwrap(),
            "r.json",
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(
        (up["findings"].as_i64(), up["exploited"].as_i64()),
        (Some(4), Some(3)),
        "{up}"
    );
    let (_, ex) = s
        .call(
            &admin,
            Method::GET,
            "/api/v1/findings?exploited=true&advisory=RUSTSEC-2022-0013",
            None,
        )
        .await;
    assert_eq!(ex.as_array().unwrap().len(), 1);
    // Sync on demand: nothing new.
    let (st, rep) = s
        .call(&admin, Method::POST, "/api/v1/sources/osv-go/sync", None)
        .await;
    assert_eq!(st, StatusCode::OK, "{rep}");
    assert_eq!(rep["new_or_changed"], 0, "{rep}");
    let (st, _) = s
        .call(&admin, Method::POST, "/api/v1/sources/nope/sync", None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    s.shutdown().await;
}

async fn shutdown_lets_in_flight_uploads_finish(engine: Engine) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Acme", "admin@acme.example").await;
    let (_, p) = s
        .call(
            &admin,
            Method::POST,
            "/api/v1/products",
            Some(json!({"name": "R"})),
        )
        .await;
    let (_, r) = s
        .call(
            &admin,
            Method::POST,
            &format!("/api/v1/products/{}/releases", p["id"]),
            Some(json!({"version": "1"})),
        )
        .await;
    let rid = r["id"].as_i64().unwrap();
    let token = s.token(&admin, "editor").await.token.unwrap();
    let body = std::fs::read(root().join("examples/sboms/router-fw-2.4.1.cdx.json")).unwrap();
    let addr = s.base.trim_start_matches("http://").to_string();
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/releases/{rid}/sbom?filename=r.json HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    conn.write_all(&body[..body.len() / 2]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Shut down while the upload is half sent.
    let _ = s.stop.send(true);
    tokio::time::sleep(Duration::from_millis(200)).await;
    conn.write_all(&body[body.len() / 2..]).await.unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let finished = tokio::time::timeout(Duration::from_secs(20), s.task).await;
    assert!(
        finished.is_ok(),
        "server stopped after the request finished"
    );
    // New connections are refused after shutdown.
    assert!(tokio::net::TcpStream::connect(&addr).await.is_err());
}

/// (advisory, exposed devices, opted out) per advisory, as the API lists them.
async fn exposure(s: &Server, who: &Who) -> Vec<(String, i64, i64)> {
    let (_, e) = s
        .call(who, Method::GET, "/api/v1/fleet/exposure", None)
        .await;
    e.as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["advisory_id"].as_str().unwrap().to_string(),
                x["exposed_devices"].as_i64().unwrap(),
                x["opted_out"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn fleet_exposure_falls_as_devices_update(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Acme", "admin@acme.example").await;
    let (pid, _rid) = seeded(&s, &admin).await;
    // 2.4.2 fixes everything: a release with a clean SBOM (no components).
    let (_, r2) = s
        .call(
            &admin,
            Method::POST,
            &format!("/api/v1/products/{pid}/releases"),
            Some(json!({"version": "2.4.2"})),
        )
        .await;
    let clean = br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[]}"#.to_vec();
    assert_eq!(
        s.upload(&admin, r2["id"].as_i64().unwrap(), clean, "fixed.json")
            .await
            .0,
        StatusCode::CREATED
    );
    let mut tokens = Vec::new();
    for i in 0..3 {
        let (st, d) = s
            .call(
                &admin,
                Method::POST,
                "/api/v1/devices",
                Some(
                    json!({"device_id": format!("AX-{i}"), "product_id": pid, "hardware": "rev-b"}),
                ),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{d}");
        tokens.push(d["token"].as_str().unwrap().to_string());
    }
    let report = |i: usize, version: &str, opt_out: bool| {
        let body = json!({"device_id": format!("AX-{i}"), "versions": {"installed": version}, "opt_outs": {"security": opt_out}});
        s.http
            .post(s.url(&format!("/api/v1/devices/AX-{i}/state")))
            .bearer_auth(&tokens[i])
            .json(&body)
            .send()
    };
    for i in 0..3 {
        assert_eq!(
            report(i, "2.4.1", i == 2).await.unwrap().status(),
            StatusCode::OK
        );
    }
    let before = exposure(&s, &admin).await;
    assert_eq!(
        before[0],
        ("GHSA-qppj-fm5r-hxr3".to_string(), 3, 1),
        "exploited first: {before:?}"
    );
    assert_eq!(before.len(), 3);
    // Two devices install the fix and report in.
    report(0, "2.4.2", false).await.unwrap();
    report(1, "2.4.2", false).await.unwrap();
    let after = exposure(&s, &admin).await;
    assert!(after.iter().all(|(_, n, _)| *n == 1), "{after:?}");
    // The fleet page shows the same.
    let html = s
        .req(&admin, Method::GET, "/fleet")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("GHSA-qppj-fm5r-hxr3") && html.contains("AX-2") && html.contains("2.4.2"),
        "{html}"
    );
    // A device token is for its own device only, and cannot call the API.
    let wrong = s
        .http
        .post(s.url("/api/v1/devices/AX-1/state"))
        .bearer_auth(&tokens[0])
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let dev = Who {
        cookie: None,
        csrf: None,
        token: Some(tokens[0].clone()),
    };
    assert_eq!(
        s.call(&dev, Method::GET, "/api/v1/products", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    s.shutdown().await;
}

async fn update_repository_is_served_safely(engine: Engine) {
    let repo = std::env::temp_dir().join(format!("cyres-repo-{}", unique()));
    let _guard = TempDir(repo.clone());
    std::fs::create_dir_all(repo.join("published/metadata")).unwrap();
    std::fs::create_dir_all(repo.join("published/targets/fw")).unwrap();
    std::fs::write(
        repo.join("published/metadata/1.root.json"),
        b"{\"signed\":{}}",
    )
    .unwrap();
    std::fs::write(
        repo.join("published/targets/fw/ax3000-2.4.2.bin"),
        b"firmware",
    )
    .unwrap();
    std::fs::write(repo.join("cyres-repo.json"), b"secret-ish workspace file").unwrap();
    let r2 = repo.clone();
    let Some(s) = start_with(engine, move |c| c.update_repo = Some(r2)).await else {
        return;
    };
    let get = |p: &str| s.http.get(s.url(p)).send();
    assert_eq!(
        get("/updates/metadata/1.root.json")
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "{\"signed\":{}}"
    );
    assert_eq!(
        get("/updates/targets/fw/ax3000-2.4.2.bin")
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .as_ref(),
        b"firmware"
    );
    for bad in [
        "/updates/cyres-repo.json",
        "/updates/metadata/../../cyres-repo.json",
        "/updates/metadata/%2e%2e/%2e%2e/cyres-repo.json",
        "/updates/targets//etc/passwd",
        "/updates/metadata/nope.json",
    ] {
        let r = get(bad).await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{bad}");
        assert!(!r.text().await.unwrap().contains("secret-ish"));
    }
    s.shutdown().await;
}

/// Issue 17 point 1 over HTTP: a release's components with findings and direct flags, the
/// dependency path of a finding, and the portfolio search with its errors; a viewer token may
/// read all of it, and the search answers only the caller's organisation (the cross-tenant
/// table above covers the other organisation).
async fn components_search_and_dependency_paths(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Acme", "admin@acme.example").await;
    let (_, rid) = seeded(&s, &admin).await;
    let viewer = s.token(&admin, "viewer").await;
    let (st, comps) = s
        .call(
            &viewer,
            Method::GET,
            &format!("/api/v1/releases/{rid}/components?findings=only"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{comps}");
    let comps = comps.as_array().unwrap();
    let xnet = comps
        .iter()
        .find(|c| c["name"] == "golang.org/x/net")
        .expect("x/net has findings");
    assert_eq!(xnet["direct"], false);
    assert_eq!(xnet["licenses"], "BSD-3-Clause");
    let fid = xnet["findings"][0]["id"].as_i64().unwrap();
    let (st, path) = s
        .call(
            &viewer,
            Method::GET,
            &format!("/api/v1/findings/{fid}/path"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{path}");
    assert_eq!(path["from_product"], true);
    assert_eq!(path["path"][0]["name"], "cloud-agent");
    let (st, page) = s
        .call(
            &viewer,
            Method::GET,
            "/api/v1/components?purl=pkg:golang/golang.org/x/net&version=vers:golang/%3Cv0.17.0",
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{page}");
    assert_eq!(page["hits"].as_array().unwrap().len(), 1, "{page}");
    assert_eq!(page["hits"][0]["release_id"], rid);
    assert_eq!(page["hits"][0]["product_name"], "AX3000 router");
    assert!(page["hits"][0]["findings"].as_i64().unwrap() > 0);
    let (_, none) = s
        .call(
            &viewer,
            Method::GET,
            "/api/v1/components?q=golang.org/x/net&version=v0.17.0",
            None,
        )
        .await;
    assert!(none["hits"].as_array().unwrap().is_empty(), "{none}");
    for (query, field) in [
        ("", "q"),
        ("purl=pkg:", "purl"),
        ("q=x&version=vers:nonsense", "version"),
    ] {
        let (st, err) = s
            .call(
                &viewer,
                Method::GET,
                &format!("/api/v1/components?{query}"),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {err}");
        assert_eq!(err["error"]["field"], field, "{query}: {err}");
    }
}

/// Issue 17 point 2 over HTTP: `q` by alias and component, `sort` with actively exploited first
/// across pages, `status=open`, and a bad sort named at its field.
async fn findings_search_over_http(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Acme", "admin@acme.example").await;
    let (_, rid) = seeded(&s, &admin).await;
    let viewer = s.token(&admin, "viewer").await;
    let get = |path: String| {
        let s = &s;
        let viewer = &viewer;
        async move { s.call(viewer, Method::GET, &path, None).await }
    };
    let (st, by_alias) = get("/api/v1/findings?q=CVE-2023-44487".into()).await;
    assert_eq!(st, StatusCode::OK, "{by_alias}");
    let by_alias = by_alias.as_array().unwrap();
    assert_eq!(by_alias.len(), 2);
    assert!(
        by_alias
            .iter()
            .all(|f| f["advisory_id"] == "GHSA-qppj-fm5r-hxr3")
    );
    let (_, by_component) = get(format!("/api/v1/findings?q=regex&release={rid}")).await;
    assert_eq!(by_component[0]["advisory_id"], "RUSTSEC-2022-0013");
    let mut exploited = Vec::new();
    for offset in 0..4 {
        let (_, page) = get(format!(
            "/api/v1/findings?sort=-advisory&limit=1&offset={offset}&status=open"
        ))
        .await;
        exploited.push(page[0]["exploited"].as_bool().unwrap());
    }
    assert_eq!(exploited, [true, true, false, false]);
    // The exploited finding is exploited itself: nothing merely "related" to report.
    let fid = by_alias[0]["id"].as_i64().unwrap();
    let (_, one) = get(format!("/api/v1/findings/{fid}")).await;
    assert_eq!(one["related_exploited"], json!([]), "{one}");
    let (st, err) = get("/api/v1/findings?sort=id;drop".into()).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["field"], "sort");
}
