//! Advisory import and source sync in the web UI (issue 17 point 9), through the same
//! `service::advisories` as the API and the worker: who may, bounded uploads, progress and
//! end counts.

use super::*;

/// Posts a multipart form with one file (and the session's CSRF token) as a browser would.
async fn post_file(
    s: &Server,
    who: &Who,
    path: &str,
    name: &str,
    bytes: &[u8],
) -> (StatusCode, String) {
    let boundary = "cyresboundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
        who.csrf.clone().unwrap_or_default()
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = s
        .http
        .post(s.url(path))
        .header("cookie", who.cookie.clone().unwrap())
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

pub(crate) async fn advisory_data_is_imported_and_synced_in_the_ui(engine: Engine) {
    let mirror = advisory_mirror().await;
    let Some(s) = start_with(engine, |c| {
        c.sync_interval_secs = 0;
        c.max_upload_bytes = 64 * 1024;
        c.sources = vec![cyres_feeds::SourceConfig {
            id: "osv-go".into(),
            kind: cyres_feeds::SourceKind::Osv {
                ecosystem: "Go".into(),
            },
            url: format!("http://{mirror}/osv"),
        }];
    })
    .await
    else {
        return;
    };
    let admin = s.bootstrap("Acme", "admin@acme.example").await;
    let viewer = s.add_member(&admin, "vera@acme.example", "viewer").await;

    // Everyone signed in sees the sources; only the operator's administrators act.
    let (st, html) = page(&s, &viewer, "/advisory-data").await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("id=\"source-osv-go\""), "{html}");
    assert!(!html.contains("Sync now") && !html.contains("id=\"advisory-import\""));
    let (st, _, _) = post(&s, &viewer, "/advisory-data/sources/osv-go/sync", &[], true).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = post_file(&s, &viewer, "/advisory-data/import", "kev.json", b"{}").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (_, adv) = page(&s, &admin, "/advisories").await;
    assert!(adv.contains("href=\"/advisory-data\""), "{adv}");

    // Sync now runs in the background; the page shows it running, then its counts.
    let (_, html) = page(&s, &admin, "/advisory-data").await;
    assert!(html.contains("aria-label=\"Sync osv-go now\""), "{html}");
    let (st, loc, _) = post(&s, &admin, "/advisory-data/sources/osv-go/sync", &[], true).await;
    assert_eq!(
        (st, loc.as_str()),
        (StatusCode::SEE_OTHER, "/advisory-data")
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (_, v) = s.call(&admin, Method::GET, "/api/v1/sources", None).await;
        if v[0]["last_sync_at"].is_i64() && v[0]["running"] == false {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "sync did not finish: {v}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, html) = page(&s, &admin, "/advisory-data").await;
    assert!(
        html.contains("1 batches: 2 fetched, 2 new or changed, 0 unchanged, 0 malformed"),
        "{html}"
    );
    assert!(
        !html.contains("http-equiv=\"refresh\""),
        "idle pages do not refresh"
    );

    // Import: end counts on the answer; unreadable files and files over the budget are refused
    // on the page, nothing stored.
    let kev = std::fs::read(root().join("examples/kev.json")).unwrap();
    let (st, html) = post_file(&s, &admin, "/advisory-data/import", "kev.json", &kev).await;
    assert_eq!(st, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"import-counts\""), "{html}");
    assert!(html.contains("<dd>3 (3 newly exploited)</dd>"), "{html}");
    assert!(html.contains("id=\"c-matching\""), "{html}");
    let (st, html) = post_file(&s, &admin, "/advisory-data/import", "x.json", b"not json").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("id=\"import-error\""), "{html}");
    let big = vec![b' '; 70 * 1024];
    let (st, html) = post_file(&s, &admin, "/advisory-data/import", "big.json", &big).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "{html}");

    // Another organisation's administrator is no operator.
    let bob = s.add_member(&admin, "bob@beta.example", "viewer").await;
    let (st, org) = s
        .call(
            &bob,
            Method::POST,
            "/api/v1/orgs",
            Some(json!({"name": "Beta", "kind": "manufacturer"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{org}");
    let (st, _) = s
        .call(
            &bob,
            Method::POST,
            "/api/v1/session/org",
            Some(json!({"org_id": org["id"]})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _, _) = post(&s, &bob, "/advisory-data/sources/osv-go/sync", &[], true).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (_, html) = page(&s, &bob, "/advisory-data").await;
    assert!(!html.contains("Sync now"));
    s.shutdown().await;
}
