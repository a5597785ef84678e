//! Publishing a case's notice to the product's subscribers (CRA Art. 14(8)) over real HTTP on
//! loopback, on SQLite and on PostgreSQL: a webhook receiver and an SMTP sink stand in for
//! two subscribers, and the public feed is read without logging in.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use crate::harness::*;
use cyres_server::{App, Config, ManualClock};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

both!(
    publish_notice_reaches_subscribers_and_the_public_feed,
    queued_notice_survives_a_restart,
);

/// A webhook call as received: signature header and body.
type Received = (String, Vec<u8>);

/// Strings of the case that must never reach a subscriber or the public.
const SECRETS: &[&str] = &[
    "researcher@example.org",
    "A. Researcher",
    "APT-Quiet-Kestrel",
    "tlp:red",
    "TLP:RED",
    "ticket SEC-4411",
];

fn assert_no_secrets(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} leaks {s:?}:\n{text}");
    }
}

async fn publish_notice_reaches_subscribers_and_the_public_feed(engine: Engine) {
    let sink = cyres_feeds::smtp::sink::SmtpSink::start().await.unwrap();
    let sink_addr = sink.addr();
    let Some(m) = start_with(engine, |c| {
        c.smtp = Some(cyres_server::SmtpSettings {
            host: sink_addr.ip().to_string(),
            port: sink_addr.port(),
            from: "notices@acme.example".into(),
        });
    })
    .await
    else {
        return;
    };
    // The customer's security tooling: a webhook receiver that records every call.
    let received: Arc<Mutex<Vec<Received>>> = Arc::default();
    let rec = received.clone();
    let hook_app = axum::Router::new().route(
        "/notices",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let rec = rec.clone();
                async move {
                    let sig = headers
                        .get("x-cyres-signature")
                        .map(|v| v.to_str().unwrap().to_string())
                        .unwrap_or_default();
                    rec.lock().unwrap().push((sig, body.to_vec()));
                    StatusCode::NO_CONTENT
                }
            },
        ),
    );
    let hook_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_addr = hook_listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(hook_listener, hook_app).await });

    let psirt = m.bootstrap("Acme Routers GmbH", "psirt@acme.example").await;
    let viewer = m.token(&psirt, "viewer").await;
    let (_, p) = m
        .call(
            &psirt,
            Method::POST,
            "/api/v1/products",
            Some(json!({"name": "AX3000 router", "member_states": ["DE"]})),
        )
        .await;
    let pid = p["id"].as_i64().unwrap();
    // Another organisation of the same account, acting through its own token.
    let (st, other) = m
        .call(
            &psirt,
            Method::POST,
            "/api/v1/orgs",
            Some(json!({"name": "Other Devices Ltd", "kind": "manufacturer"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{other}");
    let (_, home) = m.call(&psirt, Method::GET, "/api/v1/session", None).await;
    m.call(
        &psirt,
        Method::POST,
        "/api/v1/session/org",
        Some(json!({"org_id": other["id"]})),
    )
    .await;
    let foreign = m.token(&psirt, "admin").await;
    m.call(
        &psirt,
        Method::POST,
        "/api/v1/session/org",
        Some(json!({"org_id": home["org"]["id"]})),
    )
    .await;

    // Subscribers: one e-mail contact, one webhook (its secret is shown once).
    let subs = format!("/api/v1/products/{pid}/subscribers");
    let (st, mail_sub) = m
        .call(
            &psirt,
            Method::POST,
            &subs,
            Some(json!({"email": "security@customer.example", "label": "Customer GmbH"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{mail_sub}");
    assert!(mail_sub.get("secret").is_none());
    let (st, hook) = m
        .call(
            &psirt,
            Method::POST,
            &subs,
            Some(json!({"webhook_url": format!("http://{hook_addr}/notices")})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{hook}");
    let secret = hook["secret"].as_str().unwrap().to_string();
    let (st, v) = m
        .call(
            &psirt,
            Method::POST,
            &subs,
            Some(json!({"email": "x@y.example", "webhook_url": "http://x.example/"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (st, v) = m
        .call(
            &psirt,
            Method::POST,
            &subs,
            Some(json!({"email": "security@customer.example"})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    let (st, list) = m.call(&psirt, Method::GET, &subs, None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(
        !list.to_string().contains(&secret),
        "secrets are never listed"
    );
    assert_eq!(
        m.call(&viewer, Method::GET, &subs, None).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        m.call(
            &viewer,
            Method::POST,
            &subs,
            Some(json!({"email": "v@x.example"}))
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    // Another organisation sees neither the product's subscribers nor can it add or remove any.
    assert_eq!(
        m.call(&foreign, Method::GET, &subs, None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        m.call(
            &foreign,
            Method::POST,
            &subs,
            Some(json!({"email": "f@x.example"}))
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    let sid = mail_sub["subscriber"]["id"].as_i64().unwrap();
    assert_eq!(
        m.call(
            &foreign,
            Method::DELETE,
            &format!("/api/v1/subscribers/{sid}"),
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );

    // A case from a researcher's voluntary report, with confidential facts recorded.
    let public = Who {
        cookie: None,
        csrf: None,
        token: None,
    };
    let (_, orgs) = m.call(&psirt, Method::GET, "/api/v1/orgs", None).await;
    let (st, v) = m
        .call(&public, Method::POST, "/api/v1/public/vulnerability-reports", Some(json!({
            "organisation_id": orgs[0]["org"]["id"],
            "kind": "vulnerability", "manufacturer": "Acme Routers GmbH", "product": "AX3000 router",
            "versions": ["2.4.1"], "title": "Command injection in the diagnostics page",
            "description": "The ping field of the diagnostics page passes its value to a shell without quoting.",
            "exploited": true, "reporter_name": "A. Researcher", "reporter_contact": "researcher@example.org"
        })))
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    let (_, cases) = m.call(&psirt, Method::GET, "/api/v1/cases", None).await;
    let cid = cases[0]["case"]["id"].as_i64().unwrap();
    let (st, v) = m
        .call(&psirt, Method::POST, &format!("/api/v1/cases/{cid}/confirm"), Some(json!({
            "aware_at": "2026-09-21T14:13:20Z", "product_id": pid,
            "evidence": [{"source": "researcher", "reference": "ticket SEC-4411", "note": "reporter A. Researcher, reachable at researcher@example.org"}]
        })))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, v) = m
        .call(
            &psirt,
            Method::PATCH,
            &format!("/api/v1/cases/{cid}"),
            Some(json!({
                "user_measures": ["Disable remote administration until 2.4.2 is installed"],
                "sensitivity": "tlp:red", "malicious_actor": "APT-Quiet-Kestrel"
            })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    // The case holds the reporter's contact (evidence ledger) and the sensitive fields.
    let case_text = v.to_string();
    assert!(
        SECRETS
            .iter()
            .filter(|s| **s != "TLP:RED")
            .all(|s| case_text.contains(s)),
        "{case_text}"
    );

    // Only editors publish; another organisation does not see the case.
    let publish = format!("/api/v1/cases/{cid}/notice/publish");
    let (st, v) = m.call(&viewer, Method::POST, &publish, None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    let (st, v) = m.call(&foreign, Method::POST, &publish, None).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(
        m.call(
            &foreign,
            Method::GET,
            &format!("/api/v1/cases/{cid}/notices"),
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );

    let (st, v1) = m.call(&psirt, Method::POST, &publish, None).await;
    assert_eq!(st, StatusCode::CREATED, "{v1}");
    assert_eq!(
        (
            v1["notice"]["version"].as_i64(),
            v1["deliveries_queued"].as_u64()
        ),
        (Some(1), Some(2))
    );
    assert_eq!(v1["notice"]["notice"]["format"], "cyres-user-notice/1");
    assert_eq!(v1["notice"]["notice"]["measures_available"], true);
    // Art. 14(8): the case records that (and when) users were informed, by the manufacturer.
    let (_, case) = m
        .call(&psirt, Method::GET, &format!("/api/v1/cases/{cid}"), None)
        .await;
    let informed = case.to_string();
    assert!(
        informed.contains("\"users_informed\"") && informed.contains("\"by\":\"manufacturer\""),
        "{informed}"
    );

    // The webhook gets the signed envelope, the contact gets one mail of its own.
    let log_path = format!("/api/v1/cases/{cid}/notices");
    poll(
        || async {
            let (_, log) = m.call(&psirt, Method::GET, &log_path, None).await;
            log[0]["deliveries"]
                .as_array()
                .is_some_and(|d| d.len() == 2 && d.iter().all(|d| d["state"] == "delivered"))
        },
        "both deliveries of version 1",
    )
    .await;
    // A few more worker ticks change nothing: each subscriber got version 1 exactly once.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "webhook calls");
    let (sig, body) = &got[0];
    assert!(
        cyres_feeds::webhook::verify(secret.as_bytes(), body, sig),
        "signature verifies"
    );
    let env: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(env["event"], "security_notice");
    assert_eq!(env["version"], 1);
    assert_eq!(
        env["notice"], v1["notice"]["notice"],
        "the notice exactly as published"
    );
    assert_eq!(env["notice"]["product"], "AX3000 router");
    assert_eq!(env["notice"]["affected_releases"], json!(["2.4.1"]));
    assert_no_secrets("webhook body", &String::from_utf8_lossy(body));
    // (The organisation's own alert mails, e.g. about the voluntary report, go to its members.)
    let customer_mails = || {
        sink.messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == "security@customer.example"))
            .collect::<Vec<_>>()
    };
    poll(|| async { !customer_mails().is_empty() }, "the notice mail").await;
    let mails = customer_mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["security@customer.example"]);
    let subject = mails[0].header("subject").unwrap();
    assert!(
        subject.starts_with("Security notice: ") && subject.contains("AX3000 router"),
        "{subject}"
    );
    assert!(
        mails[0].data.contains("Disable remote administration"),
        "plain text body"
    );
    assert!(mails[0].data.contains("/unsubscribe/"), "unsubscribe link");
    assert_no_secrets("mail", &mails[0].data);

    // The public feed, without logging in, through the product's unguessable slug.
    let (st, pn) = m
        .call(
            &viewer,
            Method::GET,
            &format!("/api/v1/products/{pid}/notices"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{pn}");
    let json_url = pn["feed"]["json"].as_str().unwrap().to_string();
    let slug = json_url.rsplit('/').next().unwrap().to_string();
    assert!(slug.len() >= 40, "slug {slug:?} is unguessable");
    assert_eq!(pn["feed"], v1["feed"], "one feed per product");
    let get = |path: String| {
        let http = m.http.clone();
        let url = m.url(&path);
        async move {
            let r = http.get(url).send().await.unwrap();
            let ct = r
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default();
            (r.status(), ct, r.text().await.unwrap())
        }
    };
    let (st, ct, feed) = get(format!("/api/v1/public/notices/{slug}")).await;
    assert_eq!((st, ct.as_str()), (StatusCode::OK, "application/feed+json"));
    let feed: Value = serde_json::from_str(&feed).unwrap();
    assert_eq!(feed["items"].as_array().unwrap().len(), 1);
    assert_eq!(feed["items"][0]["_cyres"]["notice"], v1["notice"]["notice"]);
    assert_eq!(
        get(format!("/api/v1/public/notices/{slug}x")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get("/security-notices/nope".into()).await.0,
        StatusCode::NOT_FOUND
    );

    // A correction is version 2, delivered again; the feed lists it first.
    let (st, v2) = m
        .call(
            &psirt,
            Method::POST,
            &publish,
            Some(json!({"correction": "2.4.0 is affected too"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v2}");
    assert_eq!(v2["notice"]["version"], 2);
    poll(
        || async { received.lock().unwrap().len() >= 2 },
        "version 2 at the webhook",
    )
    .await;
    let env2: Value = serde_json::from_slice(&received.lock().unwrap()[1].1).unwrap();
    assert_eq!(
        (env2["version"].as_i64(), env2["correction"].as_str()),
        (Some(2), Some("2.4.0 is affected too"))
    );
    assert_ne!(env2["id"], env["id"]);
    poll(
        || async { customer_mails().len() == 2 },
        "the second notice mail",
    )
    .await;
    let (_, _, feed) = get(format!("/api/v1/public/notices/{slug}")).await;
    assert_no_secrets("JSON feed", &feed);
    let feed: Value = serde_json::from_str(&feed).unwrap();
    let versions: Vec<i64> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["_cyres"]["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [2, 1], "newest first");
    let (st, ct, atom) = get(format!("/api/v1/public/notices/{slug}/feed.atom")).await;
    assert_eq!(
        (st, ct.as_str()),
        (StatusCode::OK, "application/atom+xml; charset=utf-8")
    );
    assert_eq!(atom.matches("<entry>").count(), 2, "{atom}");
    let newest = atom.split("<entry>").nth(1).unwrap();
    assert!(
        newest.contains("[update 2]"),
        "newest entry first: {newest}"
    );
    assert_no_secrets("Atom feed", &atom);
    let (st, _, page) = get(format!("/security-notices/{slug}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("Security notices: AX3000 router") && page.contains("2.4.0 is affected too")
    );
    assert_no_secrets("public page", &page);
    let first_id = v1["notice"]["id"].as_i64().unwrap();
    let (st, _, one) = get(format!("/api/v1/public/notices/{slug}/{first_id}.html")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(one.contains("Disable remote administration"));
    assert_no_secrets("notice page", &one);
    let (st, _, one) = get(format!("/api/v1/public/notices/{slug}/{first_id}.json")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<Value>(&one).unwrap()["notice"],
        v1["notice"]["notice"],
        "version 1 is unchanged"
    );
    for m in sink.messages() {
        assert_no_secrets("mail", &m.data);
    }

    // Unsubscribing through the mail's link stops further mail; a GET alone changes nothing.
    let mail_data = &customer_mails()[0].data;
    let token = mail_data
        .split("/unsubscribe/")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    assert_eq!(get(format!("/unsubscribe/{token}")).await.0, StatusCode::OK);
    let (_, list) = m.call(&psirt, Method::GET, &subs, None).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let r = m
        .http
        .post(m.url(&format!("/unsubscribe/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (_, list) = m.call(&psirt, Method::GET, &subs, None).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    // A receiver that is down at first: the outbox retries on the webhook schedule and the
    // delivery log shows every attempt.
    let calls: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let rec = calls.clone();
    let flaky_app = axum::Router::new().route(
        "/n",
        axum::routing::post(move |body: axum::body::Bytes| {
            let rec = rec.clone();
            async move {
                let mut c = rec.lock().unwrap();
                c.push(body.to_vec());
                if c.len() == 1 {
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let flaky_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let flaky_addr = flaky_listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(flaky_listener, flaky_app).await });
    let (st, flaky) = m
        .call(
            &psirt,
            Method::POST,
            &subs,
            Some(json!({"webhook_url": format!("http://{flaky_addr}/n"), "label": "Integrator"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let flaky_id = flaky["subscriber"]["id"].clone();
    let (_, v3) = m
        .call(
            &psirt,
            Method::POST,
            &publish,
            Some(json!({"correction": "CVE id assigned"})),
        )
        .await;
    assert_eq!(
        v3["deliveries_queued"], 2,
        "the unsubscribed address gets nothing: {v3}"
    );
    let flaky_state = || async {
        let (_, log) = m.call(&psirt, Method::GET, &log_path, None).await;
        assert_eq!(log[0]["notice"]["version"], 3);
        log[0]["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["subscriber_id"] == flaky_id)
            .cloned()
            .unwrap()
    };
    poll(
        || async { flaky_state().await["attempts"] == 1 },
        "the first, failed attempt",
    )
    .await;
    let d = flaky_state().await;
    assert_eq!(
        (d["state"].as_str(), d["attempts"].as_i64()),
        (Some("pending"), Some(1)),
        "{d}"
    );
    assert!(d["last_error"].as_str().unwrap().contains("503"), "{d}");
    // Nothing happens before the retry is due; then it is delivered.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(calls.lock().unwrap().len(), 1);
    m.clock.advance(60);
    poll(|| async { calls.lock().unwrap().len() == 2 }, "the retry").await;
    poll(
        || async {
            let (_, log) = m.call(&psirt, Method::GET, &log_path, None).await;
            log[0]["deliveries"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["state"] == "delivered")
                .count()
                == 2
        },
        "version 3 delivered to both webhooks",
    )
    .await;
    let bodies = calls.lock().unwrap().clone();
    assert_eq!(
        bodies[0], bodies[1],
        "a retry sends the same envelope (same id)"
    );

    // Removing a subscriber is for editors of the owning organisation.
    let hid = hook["subscriber"]["id"].as_i64().unwrap();
    let del = format!("/api/v1/subscribers/{hid}");
    assert_eq!(
        m.call(&viewer, Method::DELETE, &del, None).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        m.call(&psirt, Method::DELETE, &del, None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        m.call(&psirt, Method::DELETE, &del, None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        m.call(
            &foreign,
            Method::GET,
            &format!("/api/v1/products/{pid}/notices"),
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    m.shutdown().await;
}

async fn queued_notice_survives_a_restart(engine: Engine) {
    // First life: a notice is published with a subscriber queued, and the worker never runs.
    let Some(url) = database_url(engine).await else {
        return;
    };
    let received: Arc<Mutex<Vec<Received>>> = Arc::default();
    let rec = received.clone();
    let hook_app = axum::Router::new().route(
        "/n",
        axum::routing::post(move |body: axum::body::Bytes| {
            let rec = rec.clone();
            async move {
                rec.lock().unwrap().push((String::new(), body.to_vec()));
                StatusCode::OK
            }
        }),
    );
    let hook_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_addr = hook_listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(hook_listener, hook_app).await });
    let dir = std::env::temp_dir().join(format!("cyres-notice-restart-{}", unique()));
    let _guard = TempDir(dir.clone());
    let mut config = Config::new(dir.clone());
    config.database_url = url;
    test_outbound(&mut config);
    let clock = Arc::new(ManualClock::new(T0));
    let (app, _) = App::start(config.clone(), clock.clone()).await.unwrap();
    let actor = cyres_store::Actor::system();
    let org = app
        .store
        .create_org(
            &cyres_store::NewOrg {
                name: "Acme".into(),
                kind: cyres_store::OrgKind::Manufacturer,
                member_state: None,
                size: None,
            },
            &actor,
            T0,
        )
        .await
        .unwrap();
    let p = app
        .store
        .create_product(
            org.id,
            &cyres_store::ProductInput {
                name: "AX3000 router".into(),
                description: String::new(),
                catalogue_entries: vec![],
                category: "default".into(),
                member_states: vec![],
                estimated_users: None,
                support_end: None,
            },
            &actor,
            T0,
        )
        .await
        .unwrap();
    let case = app
        .store
        .create_case(
            org.id,
            &cyres_store::ManualCase {
                kind: cyres_cra::CaseKind::Vulnerability,
                title: "Exploited",
                advisory_id: None,
                body: &json!({}),
                aware_at: T0,
            },
            &actor,
            T0,
        )
        .await
        .unwrap();
    app.store
        .create_subscriber(
            org.id,
            p.id,
            &cyres_store::NewSubscriber {
                channel: cyres_store::SubscriberChannel::Webhook,
                address: &format!("http://{hook_addr}/n"),
                secret: Some("s3cret"),
                label: "",
                unsubscribe_token: &unique(),
            },
            &actor,
            T0,
        )
        .await
        .unwrap();
    let (published, queued) = app
        .store
        .publish_notice(
            org.id,
            &cyres_store::NewNotice {
                product_id: p.id,
                case_id: case.id,
                title: "Exploited",
                correction: None,
                notice: &json!({"title": "Exploited"}),
            },
            &actor,
            T0,
        )
        .await
        .unwrap();
    assert_eq!(queued, 1);
    app.store.close().await;
    drop(app);
    assert!(received.lock().unwrap().is_empty());

    // Second life: the worker's first round delivers it, once.
    let (app, _) = App::start(config, clock).await.unwrap();
    let worker = cyres_server::Worker::new(app.clone());
    worker.tick().await.unwrap();
    worker.tick().await.unwrap();
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let env: Value = serde_json::from_slice(&got[0].1).unwrap();
    assert_eq!(env["id"], format!("notice-{}", published.id));
    let log = app
        .store
        .notice_deliveries(org.id, published.id)
        .await
        .unwrap();
    assert_eq!((log[0].state.as_str(), log[0].attempts), ("delivered", 1));
    app.store.close().await;
}
