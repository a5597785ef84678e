//! Lifecycle, policies and gates, notification rules (issue 17, points 5 to 7) over real HTTP
//! on loopback, on SQLite and PostgreSQL: roles, organisation isolation, the gate CI reads,
//! chat and webhook receivers on 127.0.0.1, and refused internal targets through the tests'
//! stub resolver.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

both!(
    lifecycle_archives_retires_and_versions,
    gates_follow_the_policy_that_applies,
    notification_rules_reach_chat_and_webhooks,
    notification_rules_are_edited_and_disabled,
    the_lifecycle_page_shows_gates_and_acts,
    the_notification_rules_page_adds_and_removes,
    rematching_that_breaks_a_policy_alerts,
);

fn router() -> Vec<u8> {
    std::fs::read(root().join("examples/sboms/router-fw-2.4.1.cdx.json")).unwrap()
}

/// The router SBOM without its `regex` component (the next build dropped it).
fn router_without_regex() -> Vec<u8> {
    fn strip(v: &mut Value) {
        if let Some(list) = v.get_mut("components").and_then(Value::as_array_mut) {
            list.retain(|c| c["name"] != "regex");
            list.iter_mut().for_each(strip);
        }
    }
    let mut doc: Value = serde_json::from_slice(&router()).unwrap();
    strip(&mut doc);
    serde_json::to_vec(&doc).unwrap()
}

/// A second organisation with its own admin token.
async fn other_org(s: &Server, admin_a: &Who) -> Who {
    let bob = s.add_member(admin_a, "bob@beta.example", "viewer").await;
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
    s.token(&bob, "admin").await
}

async fn findings(s: &Server, who: &Who) -> Vec<Value> {
    let (st, v) = s.call(who, Method::GET, "/api/v1/findings", None).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v.as_array().unwrap().clone()
}

async fn lifecycle_archives_retires_and_versions(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Acme", "admin@acme.example").await;
    let (pid, rid) = seeded(&s, &admin).await;
    let viewer = s.token(&admin, "viewer").await;
    let editor = s.token(&admin, "editor").await;
    let other = other_org(&s, &admin).await;

    // Roles: viewers change nothing, editors archive, only admins restore.
    for (method, path, body) in [
        (Method::DELETE, format!("/api/v1/products/{pid}"), None),
        (
            Method::POST,
            format!("/api/v1/releases/{rid}/retire"),
            Some(json!({"kind": "retired"})),
        ),
        (
            Method::POST,
            format!("/api/v1/releases/{rid}/reinstate"),
            None,
        ),
    ] {
        let (st, v) = s.call(&viewer, method, &path, body).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{path}: {v}");
    }
    let (st, bad) = s
        .call(
            &editor,
            Method::POST,
            &format!("/api/v1/releases/{rid}/retire"),
            Some(json!({"kind": "sunset"})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{bad}");

    // Retire: the open lists keep only the exploited findings still open (CRA Art. 14(1)).
    let (st, r) = s
        .call(
            &editor,
            Method::POST,
            &format!("/api/v1/releases/{rid}/retire"),
            Some(json!({"kind": "end_of_support"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["retired_kind"], "end_of_support");
    assert_eq!(r["cases_in_progress"].as_array().unwrap().len(), 1, "{r}");
    let open = findings(&s, &viewer).await;
    assert_eq!(open.len(), 2);
    assert!(open.iter().all(|f| f["exploited"] == true));
    let (_, of_release) = s
        .call(
            &viewer,
            Method::GET,
            &format!("/api/v1/findings?release={rid}"),
            None,
        )
        .await;
    assert_eq!(
        of_release.as_array().unwrap().len(),
        4,
        "kept for the record"
    );
    let (st, _) = s
        .call(
            &editor,
            Method::POST,
            &format!("/api/v1/releases/{rid}/reinstate"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(findings(&s, &viewer).await.len(), 4);

    // Archive: out of the product list, the case continues, an admin restores.
    let (st, a) = s
        .call(
            &editor,
            Method::DELETE,
            &format!("/api/v1/products/{pid}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{a}");
    assert_eq!(a["cases_in_progress"].as_array().unwrap().len(), 1, "{a}");
    let (_, list) = s.call(&viewer, Method::GET, "/api/v1/products", None).await;
    assert_eq!(list, json!([]));
    let (_, archived) = s
        .call(&viewer, Method::GET, "/api/v1/products/archived", None)
        .await;
    assert_eq!(archived[0]["product"]["id"], pid, "{archived}");
    let (_, cases) = s.call(&viewer, Method::GET, "/api/v1/cases", None).await;
    assert_eq!(
        cases.as_array().unwrap().len(),
        1,
        "the case does not vanish"
    );
    assert_eq!(findings(&s, &viewer).await.len(), 2);
    let (st, _) = s
        .call(
            &editor,
            Method::POST,
            &format!("/api/v1/products/{pid}/restore"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, p) = s
        .call(
            &admin,
            Method::POST,
            &format!("/api/v1/products/{pid}/restore"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(findings(&s, &viewer).await.len(), 4);

    // A new SBOM version: the old one is kept, the difference is shown.
    let r = s
        .req(
            &editor,
            Method::PUT,
            &format!("/api/v1/releases/{rid}/sbom?filename=router-2.cdx.json"),
        )
        .body(router_without_regex())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let up: Value = r.json().await.unwrap();
    assert_eq!(
        (up["components"].as_i64(), up["findings"].as_i64()),
        (Some(9), Some(3)),
        "{up}"
    );
    let (_, st8) = s
        .call(
            &viewer,
            Method::GET,
            &format!("/api/v1/releases/{rid}/lifecycle"),
            None,
        )
        .await;
    let versions = st8["sbom_versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2, "{st8}");
    assert!(versions[0]["superseded_at"].is_i64() && versions[1]["superseded_at"].is_null());
    let (st, d) = s
        .call(
            &viewer,
            Method::GET,
            &format!("/api/v1/releases/{rid}/sbom/diff"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{d}");
    assert_eq!(d["components_removed"][0]["name"], "regex");
    assert_eq!(
        d["findings_resolved"][0]["advisory_id"],
        "RUSTSEC-2022-0013"
    );
    assert_eq!(d["findings_unchanged"], 3);
    assert_eq!(findings(&s, &viewer).await.len(), 3);
    // POST still refuses a second SBOM (a new build is a new release, or PUT for a version).
    let (st, _) = s.upload(&editor, rid, router(), "again.cdx.json").await;
    assert_eq!(st, StatusCode::CONFLICT);

    // Another organisation reaches none of it.
    for (method, path) in [
        (Method::DELETE, format!("/api/v1/products/{pid}")),
        (Method::POST, format!("/api/v1/products/{pid}/restore")),
        (Method::POST, format!("/api/v1/releases/{rid}/reinstate")),
        (Method::GET, format!("/api/v1/releases/{rid}/lifecycle")),
        (Method::GET, format!("/api/v1/releases/{rid}/sbom/diff")),
    ] {
        let (st, v) = s.call(&other, method, &path, None).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{path}: {v}");
    }
    let r = s
        .req(
            &other,
            Method::PUT,
            &format!("/api/v1/releases/{rid}/sbom?filename=x.json"),
        )
        .body(router())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let (_, archived) = s
        .call(&other, Method::GET, "/api/v1/products/archived", None)
        .await;
    assert_eq!(archived, json!([]));
    s.shutdown().await;
}

async fn gates_follow_the_policy_that_applies(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Acme", "admin@acme.example").await;
    let (pid, rid) = seeded(&s, &admin).await;
    let editor = s.token(&admin, "editor").await;
    let viewer = s.token(&admin, "viewer").await;
    let other = other_org(&s, &admin).await;
    // Sessions expire while the clock moves on; tokens do not.
    let admin_t = s.token(&admin, "admin").await;
    let gate = format!("/api/v1/releases/{rid}/gate");

    let (st, g) = s.call(&viewer, Method::GET, &gate, None).await;
    assert_eq!(st, StatusCode::OK, "{g}");
    assert_eq!(
        (g["result"].as_str(), &g["policy"]),
        (Some("pass"), &Value::Null)
    );

    // The same TOML file `cyres scan --policy` reads; only admins set it.
    let toml = "version = 1\n[rules]\nexploited = true\nundecided_after_days = 30\n";
    let put = |who: &Who, path: &str, body: &'static str, ct: &'static str| {
        s.req(who, Method::PUT, path)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let r = put(
        &editor,
        "/api/v1/policies/organisation",
        toml,
        "application/toml",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = put(
        &admin,
        "/api/v1/policies/organisation",
        "version = 1\n[rules]\nexploitd = true\n",
        "application/toml",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("exploitd"));
    let r = put(
        &admin,
        "/api/v1/policies/organisation",
        toml,
        "application/toml",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (_, g) = s.call(&viewer, Method::GET, &gate, None).await;
    assert_eq!(g["result"], "fail", "{g}");
    assert_eq!(g["policy"]["scope"], "organisation");
    let v = g["violations"].as_array().unwrap();
    assert_eq!(v.len(), 2, "{g}");
    assert!(
        v.iter()
            .all(|x| x["rule"] == "exploited" && x["finding_id"].is_i64())
    );
    // 31 days later the undecided findings break the age rule too.
    s.clock.advance(31 * 86_400);
    let (_, g) = s.call(&viewer, Method::GET, &gate, None).await;
    assert_eq!(
        g["violations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["rule"] == "undecided_after_days")
            .count(),
        4,
        "{g}"
    );
    // The product's own policy replaces the organisation's.
    let r = put(
        &admin_t,
        &format!("/api/v1/products/{pid}/policy"),
        r#"{"version": 1, "rules": {"severity_at_least": "critical"}}"#,
        "application/json",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (_, p) = s
        .call(
            &viewer,
            Method::GET,
            &format!("/api/v1/products/{pid}/policy"),
            None,
        )
        .await;
    assert_eq!(p["scope"], "product", "{p}");
    let (_, g) = s.call(&viewer, Method::GET, &gate, None).await;
    assert_eq!(g["result"], "pass", "{g}");
    let (_, all) = s.call(&viewer, Method::GET, "/api/v1/policies", None).await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    let (st, _) = s
        .call(
            &admin_t,
            Method::DELETE,
            &format!("/api/v1/products/{pid}/policy"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);

    // A new upload breaking the policy raises one policy_violation alert.
    let (_, rid2) = {
        let path = format!("/api/v1/products/{pid}/releases");
        let (_, r) = s
            .call(
                &admin_t,
                Method::POST,
                &path,
                Some(json!({"version": "2.5.0"})),
            )
            .await;
        (pid, r["id"].as_i64().unwrap())
    };
    let (st, _) = s.upload(&editor, rid2, router(), "router.cdx.json").await;
    assert_eq!(st, StatusCode::CREATED);
    let (_, alerts) = s.call(&viewer, Method::GET, "/api/v1/alerts", None).await;
    let pv: Vec<&Value> = alerts
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "policy_violation" && a["body"]["release_id"] == rid2)
        .collect();
    // (The first release's violations are announced by the worker's sweep, at its own pace.)
    assert_eq!(pv.len(), 1, "{alerts}");
    assert!(
        pv[0]["title"]
            .as_str()
            .unwrap()
            .contains("2 new policy violation"),
        "{}",
        pv[0]
    );

    // Other organisations: no gate, no policy, nothing to change.
    for (method, path) in [
        (Method::GET, gate.clone()),
        (Method::GET, format!("/api/v1/products/{pid}/policy")),
        (Method::DELETE, format!("/api/v1/products/{pid}/policy")),
    ] {
        let (st, v) = s.call(&other, method, &path, None).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{path}: {v}");
    }
    let r = put(
        &other,
        &format!("/api/v1/products/{pid}/policy"),
        r#"{"version": 1}"#,
        "application/json",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let (_, theirs) = s.call(&other, Method::GET, "/api/v1/policies", None).await;
    assert_eq!(theirs, json!([]));
    s.shutdown().await;
}

async fn create_rule(s: &Server, who: &Who, body: Value) -> (StatusCode, Value) {
    s.call(who, Method::POST, "/api/v1/notification-rules", Some(body))
        .await
}

async fn notification_rules_reach_chat_and_webhooks(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Acme", "admin@acme.example").await;
    let (addr, inbox) = receiver().await;
    let editor = s.token(&admin, "editor").await;
    let other = other_org(&s, &admin).await;
    let rule = |name: &str,
                events: Value,
                channel: &str,
                target: Option<String>,
                min: Option<&str>| {
        json!({"name": name, "events": events, "channel": channel, "target": target, "min_severity": min})
    };

    // Only admins; internal and metadata targets are refused at registration.
    let (st, _) = create_rule(
        &s,
        &editor,
        rule(
            "x",
            json!(["exploited"]),
            "slack",
            Some(format!("http://{addr}/slack")),
            None,
        ),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    for bad in [
        "http://internal.test/hook",
        "http://metadata.test/latest",
        "http://ula.test/x",
    ] {
        let (st, v) = create_rule(
            &s,
            &admin,
            rule(
                "x",
                json!(["exploited"]),
                "mattermost",
                Some(bad.into()),
                None,
            ),
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
        assert_eq!(v["error"]["field"], "target", "{v}");
    }
    let (st, v) = create_rule(
        &s,
        &admin,
        rule("x", json!(["everything"]), "atom", None, None),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

    let (st, slack) = create_rule(
        &s,
        &admin,
        rule(
            "urgent to Slack",
            json!(["exploited"]),
            "slack",
            Some(format!("http://{addr}/slack")),
            None,
        ),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{slack}");
    let (st, mm) = create_rule(
        &s,
        &admin,
        rule(
            "high to Mattermost",
            json!(["new_finding"]),
            "mattermost",
            Some(format!("http://{addr}/mattermost")),
            Some("high"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{mm}");
    let (st, hook) = create_rule(
        &s,
        &admin,
        rule(
            "all to SIEM",
            json!(["new_finding", "exploited", "policy_violation"]),
            "webhook",
            Some(format!("http://{addr}/siem")),
            None,
        ),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{hook}");
    let secret = hook["secret"].as_str().unwrap().to_string();
    let (st, atom) = create_rule(
        &s,
        &admin,
        rule("feed", json!(["exploited"]), "atom", None, None),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{atom}");
    let (_, listed) = s
        .call(&admin, Method::GET, "/api/v1/notification-rules", None)
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 4);
    assert!(
        !listed.to_string().contains(&secret),
        "secrets are never listed"
    );

    seeded(&s, &admin).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    // 3 alerts: one urgent (exploited), two others (one high, one medium, per the examples).
    let count = |name: &str| {
        inbox
            .lock()
            .unwrap()
            .iter()
            .filter(|(n, _, _)| n == name)
            .count()
    };
    while count("siem") < 3 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = inbox.lock().unwrap().clone();
    assert_eq!(count("siem"), 3, "{got:?}");
    assert_eq!(count("slack"), 1);
    for (name, headers, body) in &got {
        let v: Value = serde_json::from_slice(body).unwrap();
        match name.as_str() {
            "siem" => {
                let sig = headers["x-cyres-signature"].to_str().unwrap();
                assert!(cyres_feeds::webhook::verify(secret.as_bytes(), body, sig));
            }
            "slack" => {
                assert!(headers.get("x-cyres-signature").is_none());
                let text = v["text"].as_str().unwrap();
                assert!(text.starts_with(":rotating_light: *URGENT"), "{text}");
                assert!(
                    text.contains("Early warning due (CRA Art. 14(2)(a))"),
                    "{text}"
                );
            }
            "mattermost" => {
                assert_eq!(v["username"], "cyres");
                assert!(v["text"].as_str().unwrap().contains("Severity: "), "{v}");
            }
            other => panic!("unexpected {other}"),
        }
    }
    let (_, alerts) = s.call(&admin, Method::GET, "/api/v1/alerts", None).await;
    let high = alerts
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "new_finding")
        .count();
    assert!(count("mattermost") <= high);
    // The Atom rule's feed lists what it matches only.
    let (st, _) = s
        .call(
            &other,
            Method::GET,
            &format!(
                "/api/v1/notification-rules/{}/feed.atom",
                atom["rule"]["id"]
            ),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let xml = s
        .req(
            &admin,
            Method::GET,
            &format!(
                "/api/v1/notification-rules/{}/feed.atom",
                atom["rule"]["id"]
            ),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(xml.matches("<entry>").count(), 1, "{xml}");
    // Another organisation neither sees nor deletes the rules.
    let (_, theirs) = s
        .call(&other, Method::GET, "/api/v1/notification-rules", None)
        .await;
    assert_eq!(theirs, json!([]));
    let sid = slack["rule"]["id"].as_i64().unwrap();
    let (st, _) = s
        .call(
            &other,
            Method::DELETE,
            &format!("/api/v1/notification-rules/{sid}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = s
        .call(
            &admin,
            Method::DELETE,
            &format!("/api/v1/notification-rules/{sid}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    s.shutdown().await;
}

/// Edit, disable and enable (issue 17 point 7): admin only, audited, another organisation's
/// rule is missing; a disabled rule delivers nothing while an edited one delivers as it now
/// says.
async fn notification_rules_are_edited_and_disabled(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Acme", "admin@acme.example").await;
    let editor = s.token(&admin, "editor").await;
    let other = other_org(&s, &admin).await;
    let (addr, inbox) = receiver().await;
    let (st, off) = create_rule(
        &s,
        &admin,
        json!({"name": "urgent to Slack", "events": ["exploited", "new_finding"],
            "channel": "slack", "target": format!("http://{addr}/slack")}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{off}");
    let off_id = off["rule"]["id"].as_i64().unwrap();
    let (st, edited) = create_rule(
        &s,
        &admin,
        json!({"name": "chat", "events": ["policy_violation"], "channel": "mattermost",
            "target": format!("http://{addr}/mattermost")}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{edited}");
    let edited_id = edited["rule"]["id"].as_i64().unwrap();
    let path = |id: i64, tail: &str| format!("/api/v1/notification-rules/{id}{tail}");

    // Only admins, only the organisation's own rules.
    let (st, _) = s
        .call(&editor, Method::POST, &path(off_id, "/disable"), None)
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s
        .call(&other, Method::POST, &path(off_id, "/disable"), None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = s
        .call(
            &other,
            Method::PUT,
            &path(edited_id, ""),
            Some(json!({"name": "mine", "events": ["exploited"], "channel": "atom"})),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // Disable one; edit the other into a signed webhook for every finding event.
    let (st, v) = s
        .call(&admin, Method::POST, &path(off_id, "/disable"), None)
        .await;
    assert_eq!((st, &v["active"]), (StatusCode::OK, &json!(false)), "{v}");
    let (st, v) = s
        .call(
            &admin,
            Method::PUT,
            &path(edited_id, ""),
            Some(
                json!({"name": "SIEM", "events": ["new_finding", "exploited"],
                "channel": "webhook", "target": "http://internal.test/hook"}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "target");
    let (st, v) = s
        .call(
            &admin,
            Method::PUT,
            &path(edited_id, ""),
            Some(
                json!({"name": "SIEM", "events": ["new_finding", "exploited"],
                "channel": "webhook", "target": format!("http://{addr}/siem")}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["rule"]["name"], "SIEM");
    assert_eq!(v["rule"]["active"], true);
    let secret = v["secret"]
        .as_str()
        .expect("a new webhook's secret, once")
        .to_string();
    // Editing it again keeps the secret (none in the answer).
    let (st, v) = s
        .call(
            &admin,
            Method::PUT,
            &path(edited_id, ""),
            Some(
                json!({"name": "SIEM feed", "events": ["new_finding", "exploited"],
                "channel": "webhook", "target": format!("http://{addr}/siem")}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(v.get("secret").is_none(), "{v}");

    seeded(&s, &admin).await;
    let count = |name: &str| {
        inbox
            .lock()
            .unwrap()
            .iter()
            .filter(|(n, _, _)| n == name)
            .count()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while count("siem") < 3 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(count("siem"), 3, "the edited rule delivers as it now says");
    assert_eq!(count("slack"), 0, "a disabled rule delivers nothing");
    assert_eq!(count("mattermost"), 0, "the rule's old channel is gone");
    for (name, headers, body) in inbox.lock().unwrap().iter() {
        assert_eq!(name, "siem");
        let sig = headers["x-cyres-signature"].to_str().unwrap();
        assert!(cyres_feeds::webhook::verify(secret.as_bytes(), body, sig));
    }

    let (st, v) = s
        .call(&admin, Method::POST, &path(off_id, "/enable"), None)
        .await;
    assert_eq!((st, &v["active"]), (StatusCode::OK, &json!(true)), "{v}");
    let (_, audit) = s.call(&admin, Method::GET, "/api/v1/audit", None).await;
    let text = audit.to_string();
    for action in [
        "notify_rule.disable",
        "notify_rule.update",
        "notify_rule.enable",
    ] {
        assert!(text.contains(action), "{action} audited: {text}");
    }
    assert!(!text.contains(&secret));
    s.shutdown().await;
}

async fn the_lifecycle_page_shows_gates_and_acts(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Acme", "admin@acme.example").await;
    let (pid, rid) = seeded(&s, &admin).await;
    let viewer = s.add_member(&admin, "vera@acme.example", "viewer").await;
    let page_path = format!("/products/{pid}/lifecycle");
    let (st, html) = page(&s, &admin, &format!("/products/{pid}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains(&format!("href=\"{page_path}\"")),
        "linked from the product page"
    );
    let (st, html) = page(&s, &admin, &page_path).await;
    assert_eq!(st, StatusCode::OK, "{html}");
    assert!(html.contains("no policy"), "{html}");

    // An admin sets the product's policy as TOML; a typo is shown next to the field.
    let (st, _, html) = post(
        &s,
        &admin,
        &page_path,
        &[
            ("action", "policy"),
            ("policy", "version = 1\n[rules]\nexploitd = true\n"),
        ],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("id=\"policy-error\"") && html.contains("exploitd"),
        "{html}"
    );
    let (st, loc, _) = post(
        &s,
        &admin,
        &page_path,
        &[
            ("action", "policy"),
            ("policy", "version = 1\n[rules]\nexploited = true\n"),
        ],
        true,
    )
    .await;
    assert_eq!(
        (st, loc.as_str()),
        (StatusCode::SEE_OTHER, page_path.as_str())
    );
    let (_, html) = page(&s, &viewer, &page_path).await;
    assert!(html.contains("gate-fail"), "{html}");
    assert!(html.contains("is actively exploited"), "{html}");
    assert!(!html.contains("id=\"archive\""), "viewers get no forms");
    // Viewers cannot act, and forms need the CSRF field.
    let (st, _, _) = post(
        &s,
        &viewer,
        &format!("/releases/{rid}/lifecycle"),
        &[("action", "retired")],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _, _) = post(
        &s,
        &admin,
        &format!("/releases/{rid}/lifecycle"),
        &[("action", "retired")],
        false,
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, loc, _) = post(
        &s,
        &admin,
        &format!("/releases/{rid}/lifecycle"),
        &[("action", "end_of_support")],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert!(loc.starts_with(&page_path), "{loc}");
    let (_, html) = page(&s, &admin, &page_path).await;
    assert!(
        html.contains("end of support") && html.contains(">Reinstate<"),
        "{html}"
    );

    // Archive, find it among the archived products, restore.
    let (st, loc, _) = post(&s, &admin, &page_path, &[("action", "archive")], true).await;
    assert_eq!(
        (st, loc.as_str()),
        (StatusCode::SEE_OTHER, "/products/archived")
    );
    let (_, html) = page(&s, &admin, "/products/archived").await;
    assert!(
        html.contains("AX3000 router") && html.contains(">Restore<"),
        "{html}"
    );
    let (_, html) = page(&s, &viewer, "/products/archived").await;
    assert!(!html.contains(">Restore<"), "only admins restore");
    let (_, html) = page(&s, &admin, "/products").await;
    assert!(!html.contains("AX3000 router"), "{html}");
    let (st, _, _) = post(&s, &admin, &page_path, &[("action", "restore")], true).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, html) = page(&s, &admin, "/products").await;
    assert!(html.contains("AX3000 router"));
    // The changes page of a release with one SBOM version says so.
    let (st, html) = page(&s, &viewer, &format!("/releases/{rid}/changes")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("single SBOM version"), "{html}");
    s.shutdown().await;
}

async fn the_notification_rules_page_adds_and_removes(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Acme", "admin@acme.example").await;
    let viewer = s.add_member(&admin, "vera@acme.example", "viewer").await;
    let (st, html) = page(&s, &admin, "/settings").await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("href=\"/settings/notifications\""));
    let (st, _) = page(&s, &viewer, "/settings/notifications").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, html) = page(&s, &admin, "/settings/notifications").await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("id=\"no-rules\""), "{html}");
    // An internal target is refused next to the field.
    let fields = |target: &'static str, channel: &'static str| {
        vec![
            ("name", "team chat"),
            ("events", "exploited"),
            ("events", "new_finding"),
            ("channel", channel),
            ("target", target),
        ]
    };
    let (st, _, html) = post(
        &s,
        &admin,
        "/settings/notifications",
        &fields("http://internal.test/hook", "slack"),
        true,
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("r-target-error"), "{html}");
    let (st, loc, _) = post(
        &s,
        &admin,
        "/settings/notifications",
        &fields("http://127.0.0.1:9/slack", "slack"),
        true,
    )
    .await;
    assert_eq!(
        (st, loc.as_str()),
        (StatusCode::SEE_OTHER, "/settings/notifications")
    );
    let (st, _, html) = post(
        &s,
        &admin,
        "/settings/notifications",
        &fields("http://127.0.0.1:9/siem", "webhook"),
        true,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("id=\"secret\""), "{html}");
    let (_, rules) = s
        .call(&admin, Method::GET, "/api/v1/notification-rules", None)
        .await;
    let rules = rules.as_array().unwrap().clone();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0]["events"], json!(["exploited", "new_finding"]));
    let id = rules[0]["id"].as_i64().unwrap();
    // The edit page holds the rule; saving changes it; disabling and enabling are one button.
    let (st, html) = page(&s, &admin, &format!("/settings/notifications/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("id=\"h-edit-rule\""), "{html}");
    assert!(html.contains("value=\"team chat\""), "{html}");
    assert!(html.contains("value=\"exploited\" checked"), "{html}");
    let (st, _) = page(&s, &viewer, &format!("/settings/notifications/{id}")).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, loc, _) = post(
        &s,
        &admin,
        &format!("/settings/notifications/{id}"),
        &[
            ("name", "team chat, exploited only"),
            ("events", "exploited"),
            ("channel", "slack"),
            ("target", "http://127.0.0.1:9/slack"),
            ("min_severity", "high"),
        ],
        true,
    )
    .await;
    assert_eq!(
        (st, loc.as_str()),
        (StatusCode::SEE_OTHER, "/settings/notifications")
    );
    let (st, _, _) = post(
        &s,
        &admin,
        &format!("/settings/notifications/{id}/disable"),
        &[],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, v) = s
        .call(&admin, Method::GET, "/api/v1/notification-rules", None)
        .await;
    assert_eq!(v[0]["name"], "team chat, exploited only");
    assert_eq!(v[0]["events"], json!(["exploited"]));
    assert_eq!(v[0]["min_severity"], "high");
    assert_eq!(v[0]["active"], false);
    let (_, html) = page(&s, &admin, "/settings/notifications").await;
    assert!(html.contains("disabled: delivers nothing"), "{html}");
    assert!(
        html.contains(&format!("action=\"/settings/notifications/{id}/enable\"")),
        "{html}"
    );
    let (st, _, _) = post(
        &s,
        &viewer,
        &format!("/settings/notifications/{id}/enable"),
        &[],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _, _) = post(
        &s,
        &viewer,
        &format!("/settings/notifications/{id}/delete"),
        &[],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _, _) = post(
        &s,
        &admin,
        &format!("/settings/notifications/{id}/delete"),
        &[],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, html) = page(&s, &admin, "/settings/notifications").await;
    assert!(!html.contains(&format!("id=\"rule-{id}\"")), "{html}");
    s.shutdown().await;
}

async fn rematching_that_breaks_a_policy_alerts(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Acme", "admin@acme.example").await;
    let r = s
        .req(&admin, Method::PUT, "/api/v1/policies/organisation")
        .header("content-type", "application/toml")
        .body("version = 1\n[rules]\nexploited = true\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // The SBOM first: no advisories yet, so the gate passes.
    let (_, rid) = s.product_release(&admin, "AX3000 router", "2.4.1").await;
    let (st, up) = s.upload(&admin, rid, router(), "router.cdx.json").await;
    assert_eq!(
        (st, up["findings"].as_i64()),
        (StatusCode::CREATED, Some(0))
    );
    let (_, g) = s
        .call(
            &admin,
            Method::GET,
            &format!("/api/v1/releases/{rid}/gate"),
            None,
        )
        .await;
    assert_eq!(g["result"], "pass", "{g}");
    // Then the advisory data: the worker re-matches, and the sweep announces the violations.
    for f in std::fs::read_dir(root().join("examples/advisories")).unwrap() {
        s.import(&admin, &f.unwrap().path()).await;
    }
    s.import(&admin, &root().join("examples/kev.json")).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let violations = loop {
        let (_, alerts) = s.call(&admin, Method::GET, "/api/v1/alerts", None).await;
        let pv: Vec<Value> = alerts
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["kind"] == "policy_violation")
            .cloned()
            .collect();
        if !pv.is_empty() || std::time::Instant::now() > deadline {
            break pv;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0]["body"]["release_id"], rid);
    let (_, g) = s
        .call(
            &admin,
            Method::GET,
            &format!("/api/v1/releases/{rid}/gate"),
            None,
        )
        .await;
    assert_eq!(g["result"], "fail", "{g}");
    s.shutdown().await;
}
