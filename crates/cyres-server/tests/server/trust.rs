//! The trust boundary as a black-box probe would try it, over real HTTP on loopback, on SQLite
//! and PostgreSQL: self-declared authorities, unbounded bodies, zip bombs, unbounded text,
//! bare framework errors and missing security headers (issue 13).
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use crate::harness::*;
use cyres_server::{App, Config, ManualClock};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

both!(
    authority_kinds_are_never_self_declared,
    self_service_can_be_turned_off,
    server_refuses_to_start_with_a_self_declared_authority,
    bodies_are_bounded_before_they_are_read,
    zip_bombs_are_refused_naming_the_limit,
    free_text_is_bounded,
    every_response_carries_the_security_headers,
);

/// A second account, added by the operator as `role` of organisation `org_id`, logged in.
async fn person(s: &Server, org_id: i64, email: &str, role: cyres_store::Role) -> Who {
    let hash = cyres_server::hash_password(PASSWORD).unwrap();
    let op = cyres_store::Actor::system();
    let a = s
        .store
        .create_account(email, email, &hash, &op, T0)
        .await
        .unwrap();
    s.store
        .set_membership(a.id, org_id, role, &op, T0)
        .await
        .unwrap();
    s.login(email, PASSWORD).await
}

async fn new_org(s: &Server, who: &Who, body: Value) -> (StatusCode, Value) {
    s.call(who, Method::POST, "/api/v1/orgs", Some(body)).await
}

async fn first_org(s: &Server, who: &Who) -> i64 {
    let (_, me) = s.call(who, Method::GET, "/api/v1/orgs", None).await;
    me[0]["org"]["id"].as_i64().unwrap()
}

async fn authority_kinds_are_never_self_declared(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Maker", "admin@maker.example").await;
    let org = first_org(&s, &admin).await;
    let viewer = person(&s, org, "viewer@maker.example", cyres_store::Role::Viewer).await;
    for who in [&viewer, &admin] {
        for body in [
            json!({"name": "ENISA", "kind": "enisa"}),
            json!({"name": "European Union Agency for Cybersecurity", "kind": "enisa"}),
            json!({"name": "CSIRT DE", "kind": "csirt", "member_state": "DE"}),
        ] {
            let (st, v) = s
                .call(who, Method::POST, "/api/v1/orgs", Some(body.clone()))
                .await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{body} -> {v}");
            assert!(
                v["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("cyres admin org create"),
                "{v}"
            );
        }
    }
    // Spellings that are not kinds are refused too, and nothing was created.
    let (st, _) = s
        .call(
            &admin,
            Method::POST,
            "/api/v1/orgs",
            Some(json!({"name": "X", "kind": "ENISA"})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(s.store.orgs().await.unwrap().len(), 1);
    // Ordinary kinds are self-service (on by default) and their creator is their admin.
    for kind in ["manufacturer", "steward", "subscriber"] {
        let (st, v) = s
            .call(
                &viewer,
                Method::POST,
                "/api/v1/orgs",
                Some(json!({"name": format!("Viewer's {kind}"), "kind": kind})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        assert_eq!(v["provisioned_by"], "self_service");
    }
    // No organisation of theirs reaches the authority routes.
    for path in [
        "/api/v1/authority/inbox",
        "/api/v1/authority/assessment",
        "/api/v1/authority/reports/1",
    ] {
        let (st, _) = s.call(&admin, Method::GET, path, None).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{path}");
    }
    // The first organisation is the operator's.
    let orgs = s.store.orgs().await.unwrap();
    assert_eq!(orgs[0].provisioned_by, cyres_store::Provisioning::Operator);
    s.shutdown().await;
}

async fn self_service_can_be_turned_off(engine: Engine) {
    let Some(s) = start_with(engine, |c| c.allow_self_service_orgs = false).await else {
        return;
    };
    let operator = s.bootstrap("Operator", "op@example.org").await;
    let (st, other) = new_org(
        &s,
        &operator,
        json!({"name": "Maker", "kind": "manufacturer"}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "the operator's admins still may");
    let maker_admin = person(
        &s,
        other["id"].as_i64().unwrap(),
        "admin@maker.example",
        cyres_store::Role::Admin,
    )
    .await;
    let (st, v) = new_org(
        &s,
        &maker_admin,
        json!({"name": "Another maker", "kind": "manufacturer"}),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("self-service")
    );
    s.shutdown().await;
}

async fn server_refuses_to_start_with_a_self_declared_authority(engine: Engine) {
    let Some(url) = database_url(engine).await else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("cyres-trust-{}", unique()));
    std::fs::create_dir_all(&dir).unwrap();
    let _cleanup = TempDir(dir.clone());
    let mut config = Config::new(dir.clone());
    config.database_url = url.clone();
    let clock = Arc::new(ManualClock::new(T0));
    let (app, _) = App::start(config.clone(), clock.clone()).await.unwrap();
    let sys = cyres_store::Actor::system();
    let first = cyres_store::NewOrg {
        name: "Operator".into(),
        kind: cyres_store::OrgKind::Manufacturer,
        member_state: None,
        size: None,
    };
    app.store.provision_org(&first, &sys, T0).await.unwrap();
    let made = app
        .store
        .create_org(
            &cyres_store::NewOrg {
                name: "Totally ENISA".into(),
                ..first.clone()
            },
            &sys,
            T0,
        )
        .await
        .unwrap();
    app.store.close().await;
    // What a pre-provisioning instance could hold: an account turned its own organisation
    // into ENISA. Written behind the store's back, as an old version would have stored it.
    sqlx::any::install_default_drivers();
    let db = url.unwrap_or_else(|| format!("sqlite://{}", dir.join("cyres.db").display()));
    let pool = sqlx::AnyPool::connect(&db).await.unwrap();
    sqlx::query("UPDATE organisation SET kind = 'enisa' WHERE id = $1")
        .bind(made.id)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let e = App::start(config.clone(), clock.clone()).await.unwrap_err();
    assert!(e.message.contains("refusing to start"), "{}", e.message);
    assert!(
        e.message.contains("\"Totally ENISA\" (kind enisa)"),
        "{}",
        e.message
    );
    assert!(
        e.message.contains("cyres admin org confirm"),
        "{}",
        e.message
    );
    // The operator takes the kind away; the server starts again.
    let store = match &config.database_url {
        Some(u) => cyres_store::Store::open(u).await.unwrap(),
        None => cyres_store::Store::open_sqlite_dir(&dir).await.unwrap(),
    };
    let fixed = store
        .set_org_kind(made.id, cyres_store::OrgKind::Manufacturer, None, &sys, T0)
        .await
        .unwrap();
    assert!(!fixed.is_authority());
    store.close().await;
    let (app, _) = App::start(config, clock).await.unwrap();
    app.store.close().await;
}

/// Sends raw request bytes and reads the answer (status line, headers, body) within 10 s.
async fn raw(s: &Server, head: &str, body: &[u8]) -> String {
    let addr = s.base.trim_start_matches("http://");
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    conn.write_all(head.as_bytes()).await.unwrap();
    if !body.is_empty() {
        // The server may answer and close before reading it all.
        let _ = conn.write_all(body).await;
    }
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), conn.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

async fn bodies_are_bounded_before_they_are_read(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Maker", "admin@maker.example").await;
    let cookie = admin.cookie.clone().unwrap();
    let csrf = admin.csrf.clone().unwrap();
    // A declared 2 GB body is refused from the headers alone: nothing is sent after them.
    for path in [
        "/api/v1/products",
        "/api/v1/session",
        "/login",
        "/api/v1/cases/1/evidence",
    ] {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\n\
             Content-Type: application/json\r\nContent-Length: 2000000000\r\nConnection: close\r\n\r\n"
        );
        let answer = raw(&s, &head, b"").await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{path}: {answer}");
        assert!(answer.contains("1048576 bytes"), "{path}: {answer}");
    }
    // Without a length (chunked), the body is refused the moment it crosses the limit.
    let chunk = vec![b' '; 256 << 10];
    let mut body = Vec::new();
    for _ in 0..8 {
        write!(body, "{:x}\r\n", chunk.len()).unwrap();
        body.extend_from_slice(&chunk);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    let head = format!(
        "POST /api/v1/products HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    let answer = raw(&s, &head, &body).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let (_, products) = s.call(&admin, Method::GET, "/api/v1/products", None).await;
    assert_eq!(products, json!([]), "nothing stored");
    // An unparsable length is a 400, never a 500.
    let head = format!(
        "POST /api/v1/products HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\n\
         Content-Length: 99999999999999999999999\r\nConnection: close\r\n\r\n"
    );
    let answer = raw(&s, &head, b"").await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    // SBOM upload keeps its own, larger budget: 3 MiB reaches the SBOM reader.
    let (_, release) = s.product_release(&admin, "AX", "1.0").await;
    let mut big = b"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":[".to_vec();
    big.resize(3 << 20, b' ');
    let (st, v) = s.upload(&admin, release, big, "big.cdx.json").await;
    assert_ne!(st, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert!(st.is_client_error(), "{st} {v}");
    // And its declared length is checked against that budget before reading.
    let head = format!(
        "POST /api/v1/releases/{release}/sbom?filename=x.json HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\n\
         X-CSRF-Token: {csrf}\r\nContent-Length: 99000000000\r\nConnection: close\r\n\r\n"
    );
    let answer = raw(&s, &head, b"").await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("536870912 bytes"), "{answer}");
    s.shutdown().await;
}

fn bomb(size: usize) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file("GHSA-bomb.json", opts).unwrap();
    w.write_all(&vec![b' '; size]).unwrap();
    w.finish().unwrap().into_inner()
}

async fn zip_bombs_are_refused_naming_the_limit(engine: Engine) {
    let Some(s) = start_with(engine, |c| {
        c.unpack_limits.per_entry = 1 << 20;
        c.unpack_limits.total = 4 << 20;
    })
    .await
    else {
        return;
    };
    let admin = s.bootstrap("Operator", "op@example.org").await;
    let data = bomb(32 << 20);
    assert!(data.len() < 200 << 10);
    let r = s
        .req(
            &admin,
            Method::POST,
            "/api/v1/advisories/import?filename=all.zip",
        )
        .body(data)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = r.json().await.unwrap();
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(msg.contains("1048576 bytes"), "{msg}");
    assert!(
        msg.starts_with("all.zip: entry \"GHSA-bomb.json\""),
        "{msg}"
    );
    let tmp = std::env::temp_dir();
    assert!(
        !msg.contains(tmp.to_str().unwrap()) && !msg.contains("/tmp"),
        "{msg}"
    );
    let (_, advisories) = s
        .call(&admin, Method::GET, "/api/v1/advisories?q=GHSA", None)
        .await;
    assert_eq!(advisories, json!([]));
    s.shutdown().await;
}

async fn free_text_is_bounded(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Maker", "admin@maker.example").await;
    let (_, p) = s
        .call(
            &admin,
            Method::POST,
            "/api/v1/products",
            Some(json!({"name": "AX"})),
        )
        .await;
    let case = |title: String, reference: String| {
        json!({"kind": "incident", "title": title, "product_id": p["id"],
               "aware_at": "2026-09-20T10:00:00Z",
               "evidence": [{"source": "own-telemetry", "reference": reference}]})
    };
    let (st, v) = s
        .call(
            &admin,
            Method::POST,
            "/api/v1/cases",
            Some(case("t".repeat(301), "log".into())),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("title: at most 300"),
        "{v}"
    );
    let (st, v) = s
        .call(
            &admin,
            Method::POST,
            "/api/v1/cases",
            Some(case("ok".into(), "r".repeat(600))),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("reference: at most 500"),
        "{v}"
    );
    let (_, cases) = s.call(&admin, Method::GET, "/api/v1/cases", None).await;
    assert_eq!(cases.as_array().map(Vec::len), Some(0), "{cases}");
    let (st, v) = s
        .call(
            &admin,
            Method::POST,
            "/api/v1/cases",
            Some(case("ok".into(), "SOC-1".into())),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    s.shutdown().await;
}

async fn every_response_carries_the_security_headers(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Maker", "admin@maker.example").await;
    let anon = Who {
        cookie: None,
        csrf: None,
        token: None,
    };
    let cases: &[(&Who, &str, u16, &str)] = &[
        (&anon, "/healthz", 200, ""),
        (&anon, "/login", 200, "text/html"),
        (&anon, "/report", 200, "text/html"),
        (&anon, "/api/v1/openapi.json", 200, "application/json"),
        (&anon, "/static/style.css", 200, "text/css"),
        (&anon, "/no-such-page", 404, "text/html"),
        (&anon, "/security-notices/no-such-product", 404, "text/html"),
        (&anon, "/api/v1/no-such-route", 404, "application/json"),
        (&admin, "/products/abc", 404, "text/html"),
        (&admin, "/findings/1e3", 404, "text/html"),
        (&admin, "/api/v1/products/abc", 404, "application/json"),
        (&admin, "/api/v1/alerts.atom", 200, "application/atom+xml"),
    ];
    for (who, path, status, ctype) in cases {
        let r = s.req(who, Method::GET, path).send().await.unwrap();
        assert_eq!(r.status().as_u16(), *status, "{path}");
        let h = r.headers().clone();
        let get = |n: &str| {
            h.get(n)
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default()
        };
        assert!(
            get("content-security-policy").contains("default-src 'none'"),
            "{path}"
        );
        assert_eq!(get("x-content-type-options"), "nosniff", "{path}");
        assert!(!get("referrer-policy").is_empty(), "{path}");
        assert!(
            get("content-type").starts_with(ctype),
            "{path}: {}",
            get("content-type")
        );
        let body = r.text().await.unwrap();
        if *status == 404 && ctype.starts_with("text/html") {
            assert!(
                body.contains("404 Not Found") && body.contains("/static/style.css"),
                "{path}: {body}"
            );
        }
        if *status == 404 && ctype.starts_with("application/json") {
            let v: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v["error"]["status"], 404, "{path}");
        }
    }
    s.shutdown().await;
}
