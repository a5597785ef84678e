//! Article 14 end to end with two real instances on loopback: a manufacturer's (cases, clocks,
//! drafts, the outbox) and an authority's (intake, CSIRT and ENISA inboxes), each with its own
//! database, on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both!(
    exploited_finding_to_delivered_early_warning,
    voluntary_report_becomes_a_case_with_a_user_notice,
    one_clock_on_every_surface,
    demo_report_walks_to_the_authorities_and_back,
);

async fn exploited_finding_to_delivered_early_warning(engine: Engine) {
    // The authority: ENISA as the operator organisation, the German CSIRT, and the
    // manufacturer registered as a sender with its own token.
    let Some(auth) = start(engine).await else {
        return;
    };
    let link = auth.setup.clone().unwrap();
    let token = link.split("token=").nth(1).unwrap();
    let r = auth
        .http
        .post(auth.url("/setup"))
        .json(&json!({"token": token, "email": "ops@enisa.example", "password": PASSWORD, "org_name": "ENISA", "org_kind": "enisa"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let enisa = auth.login("ops@enisa.example", PASSWORD).await;
    let (st, de) = auth
        .provision(
            "ops@enisa.example",
            json!({"name": "CSIRT DE", "kind": "csirt", "member_state": "DE"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{de}");
    let (_, fr) = auth
        .provision(
            "ops@enisa.example",
            json!({"name": "CSIRT FR", "kind": "csirt", "member_state": "FR"}),
        )
        .await;
    let (_, acme_at_auth) = auth
        .call(
            &enisa,
            Method::POST,
            "/api/v1/orgs",
            Some(
                json!({"name": "Acme Routers GmbH", "kind": "manufacturer", "member_state": "DE"}),
            ),
        )
        .await;
    auth.call(
        &enisa,
        Method::POST,
        "/api/v1/session/org",
        Some(json!({"org_id": acme_at_auth["id"]})),
    )
    .await;
    let sender = auth.token(&enisa, "editor").await;

    // The manufacturer, delivering to the authority.
    let auth_base = auth.base.clone();
    let sender_token = sender.token.clone().unwrap();
    let Some(m) = start_with(engine, move |c| {
        c.reporting = Some(cyres_server::ReportingEndpoint {
            url: auth_base,
            token: sender_token,
            organisation: None,
        });
    })
    .await
    else {
        return;
    };
    let link = m.setup.clone().unwrap();
    let token = link.split("token=").nth(1).unwrap();
    m.http
        .post(m.url("/setup"))
        .json(&json!({"token": token, "email": "psirt@acme.example", "password": PASSWORD, "org_name": "Acme Routers GmbH", "member_state": "DE"}))
        .send()
        .await
        .unwrap();
    let psirt = m.login("psirt@acme.example", PASSWORD).await;
    for f in std::fs::read_dir(root().join("examples/advisories")).unwrap() {
        m.import(&psirt, &f.unwrap().path()).await;
    }
    m.import(&psirt, &root().join("examples/kev.json")).await;
    let (_, p) = m.call(&psirt, Method::POST, "/api/v1/products", Some(json!({"name": "AX3000 router", "catalogue_entries": ["annex3-class1-12"], "member_states": ["DE", "FR", "NL"], "estimated_users": 250000}))).await;
    let (_, r) = m
        .call(
            &psirt,
            Method::POST,
            &format!("/api/v1/products/{}/releases", p["id"]),
            Some(json!({"version": "2.4.1"})),
        )
        .await;
    let (st, _) = m
        .upload(
            &psirt,
            r["id"].as_i64().unwrap(),
            std::fs::read(root().join("examples/sboms/router-fw-2.4.1.cdx.json")).unwrap(),
            "fw.json",
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);

    // The exploited finding proposed a case.
    let (_, cases) = m.call(&psirt, Method::GET, "/api/v1/cases", None).await;
    let cases = cases.as_array().unwrap();
    assert_eq!(cases.len(), 1, "{cases:?}");
    assert_eq!(cases[0]["case"]["state"], "proposed");
    assert_eq!(cases[0]["case"]["advisory_id"], "GHSA-qppj-fm5r-hxr3");
    let cid = cases[0]["case"]["id"].as_i64().unwrap();
    // Confirming records awareness and evidence; the clocks run from awareness.
    let (st, v) = m
        .call(
            &psirt,
            Method::POST,
            &format!("/api/v1/cases/{cid}/confirm"),
            Some(json!({"aware_at": "2999-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("aware_at"))
    );
    let aware = "2026-09-21T08:00:00Z"; // before T0 + upload
    let (st, v) = m
        .call(&psirt, Method::POST, &format!("/api/v1/cases/{cid}/confirm"), Some(json!({"aware_at": aware, "evidence": [{"source": "kev", "reference": "CISA KEV CVE-2023-44487"}]})))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["case"]["state"], "open");
    assert_eq!(v["coordinator"]["member_state"], "DE");
    let stages = v["deadlines"]["stages"].as_array().unwrap();
    assert_eq!(stages[0]["stage"], "early-warning");
    assert_eq!(stages[0]["due"], "2026-09-22T08:00:00Z");
    assert_eq!(v["case"]["body"]["cve_ids"], json!(["CVE-2023-44487"]));
    // Everything an early warning needs is prefilled from the confirmed case and its findings
    // (the missing-field path is covered by the UI tests and cyres-report's own).
    let (_, d) = m
        .call(
            &psirt,
            Method::GET,
            &format!("/api/v1/cases/{cid}/draft?stage=early-warning"),
            None,
        )
        .await;
    assert_eq!(d["missing"], json!([]), "{d}");
    let (st, v) = m
        .call(
            &psirt,
            Method::POST,
            &format!("/api/v1/cases/{cid}/reports"),
            Some(json!({"stage": "early-warning"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    // Queued once: the same revision cannot be queued twice… a new submission is revision 2.
    // The outbox delivers it to the authority.
    poll(
        || async {
            let (_, c) = m
                .call(&psirt, Method::GET, &format!("/api/v1/cases/{cid}"), None)
                .await;
            c["submissions"][0]["state"] == "delivered"
        },
        "delivery",
    )
    .await;
    let (_, c) = m
        .call(&psirt, Method::GET, &format!("/api/v1/cases/{cid}"), None)
        .await;
    let sub = &c["submissions"][0];
    assert_eq!(sub["receipt_ref"], "AUTH-1", "{sub}");
    assert_eq!(
        c["deadlines"]["stages"][0]["status"], "submitted",
        "{}",
        c["deadlines"]
    );
    let sid = sub["id"].as_i64().unwrap();
    // The report pack for the ENISA portal.
    let html = m
        .req(
            &psirt,
            Method::GET,
            &format!("/api/v1/submissions/{sid}/pack.html"),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("AX3000 router") && html.contains("CVE-2023-44487"),
        "pack page names product and CVE"
    );
    let pack = m
        .req(
            &psirt,
            Method::GET,
            &format!("/api/v1/submissions/{sid}/pack.json"),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Delivering the same pack again (a retry after a lost answer) is stored once.
    let key = sub["idempotency_key"].as_str().unwrap();
    let again = auth
        .req(&sender, Method::POST, "/api/v1/authority/reports")
        .header("idempotency-key", key)
        .header("content-type", "application/json")
        .body(pack.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(
        (again["reference"].as_str(), again["duplicate"].as_bool()),
        (Some("AUTH-1"), Some(true))
    );
    let wrong = auth
        .req(&sender, Method::POST, "/api/v1/authority/reports")
        .header("idempotency-key", "other")
        .body(pack)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Visible to the coordinator CSIRT (DE) and ENISA, not to another CSIRT.
    auth.call(
        &enisa,
        Method::POST,
        "/api/v1/session/org",
        Some(json!({"org_id": de["id"]})),
    )
    .await;
    let (_, inbox_de) = auth
        .call(&enisa, Method::GET, "/api/v1/authority/inbox", None)
        .await;
    assert_eq!(inbox_de.as_array().unwrap().len(), 1, "{inbox_de}");
    auth.call(
        &enisa,
        Method::POST,
        "/api/v1/session/org",
        Some(json!({"org_id": fr["id"]})),
    )
    .await;
    let (_, inbox_fr) = auth
        .call(&enisa, Method::GET, "/api/v1/authority/inbox", None)
        .await;
    assert!(inbox_fr.as_array().unwrap().is_empty());
    let (_, me) = auth.call(&enisa, Method::GET, "/api/v1/orgs", None).await;
    let enisa_org = me
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["org"]["kind"] == "enisa")
        .unwrap_or_else(|| panic!("{me}"))["org"]["id"]
        .clone();
    auth.call(
        &enisa,
        Method::POST,
        "/api/v1/session/org",
        Some(json!({"org_id": enisa_org})),
    )
    .await;
    let (_, inbox_enisa) = auth
        .call(&enisa, Method::GET, "/api/v1/authority/inbox", None)
        .await;
    assert_eq!(inbox_enisa.as_array().unwrap().len(), 1);
    assert_eq!(inbox_enisa[0]["sender"], "Acme Routers GmbH");
    // The web pages: the manufacturer's case with its clocks, ENISA's inbox.
    let html = m
        .req(&psirt, Method::GET, "/cases")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Listed under its human title (the CVE and the component), not the advisory id.
    assert!(
        html.contains("CVE-2023-44487 in golang.org/x/net"),
        "{html}"
    );
    let html = m
        .req(&psirt, Method::GET, &format!("/cases/{cid}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("early-warning") && html.contains("AUTH-1"),
        "{html}"
    );
    let html = auth
        .req(&enisa, Method::GET, "/cases")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("AUTH-1") && html.contains("Acme Routers GmbH"),
        "{html}"
    );
    // A manufacturer cannot read the inbox.
    assert_eq!(
        auth.call(&sender, Method::GET, "/api/v1/authority/inbox", None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        auth.call(&sender, Method::GET, "/api/v1/authority/reports/1", None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );

    // Coordinator CSIRT (DE) decides; FR sees nothing before it is forwarded.
    let switch = |org: Value| {
        auth.call(
            &enisa,
            Method::POST,
            "/api/v1/session/org",
            Some(json!({"org_id": org})),
        )
    };
    switch(fr["id"].clone()).await;
    assert_eq!(
        auth.call(&enisa, Method::GET, "/api/v1/authority/reports/1", None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (st, _) = auth
        .call(
            &enisa,
            Method::POST,
            "/api/v1/authority/reports/1/decision",
            Some(json!({"dissemination": {"action": "forward"}})),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "only the coordinator decides");
    switch(de["id"].clone()).await;
    let (st, full) = auth
        .call(&enisa, Method::GET, "/api/v1/authority/reports/1", None)
        .await;
    assert_eq!(st, StatusCode::OK, "{full}");
    assert_eq!(full["context"]["category"], "important-class-1");
    let (st, d) = auth
        .call(
            &enisa,
            Method::POST,
            "/api/v1/authority/reports/1/decision",
            Some(json!({"dissemination": {"action": "forward"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{d}");
    assert_eq!(d["forward_now"], json!(["FR", "NL"]), "{d}");
    switch(fr["id"].clone()).await;
    assert_eq!(
        auth.call(&enisa, Method::GET, "/api/v1/authority/reports/1", None)
            .await
            .0,
        StatusCode::OK,
        "forwarded to FR"
    );
    // ENISA: full view, the assessment with its factors, and an audited review.
    switch(enisa_org.clone()).await;
    let (_, v) = auth
        .call(&enisa, Method::GET, "/api/v1/authority/reports/1", None)
        .await;
    assert_eq!(v["view"]["view"], "full", "{v}");
    let (st, a) = auth
        .call(&enisa, Method::GET, "/api/v1/authority/assessment", None)
        .await;
    assert_eq!(st, StatusCode::OK, "{a}");
    let per = a["per_notification"].as_array().unwrap();
    assert_eq!(per.len(), 1);
    assert_eq!(per[0]["factors"].as_array().unwrap().len(), 7);
    let (st, r) = auth.call(&enisa, Method::POST, "/api/v1/authority/reports/1/review", Some(json!({"verdict": {"verdict": "confirm"}, "reason": "single vendor, patch available"}))).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let (_, audit) = auth.call(&enisa, Method::GET, "/api/v1/audit", None).await;
    assert!(audit.to_string().contains("authority.review"), "{audit}");
    // The coordinator asks for an intermediate report; the manufacturer's instance picks it up.
    switch(de["id"].clone()).await;
    let (st, rq) = auth
        .call(
            &enisa,
            Method::POST,
            "/api/v1/authority/reports/1/intermediate-request",
            Some(json!({"note": "status of the fix?"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{rq}");
    poll(
        || async {
            let (_, a) = m.call(&psirt, Method::GET, "/api/v1/alerts", None).await;
            a.as_array()
                .unwrap()
                .iter()
                .any(|x| x["kind"] == "intermediate_report_requested")
        },
        "intermediate request at the manufacturer",
    )
    .await;
    let (_, c) = m
        .call(&psirt, Method::GET, &format!("/api/v1/cases/{cid}"), None)
        .await;
    let inter = c["deadlines"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "intermediate-report")
        .unwrap()
        .clone();
    assert_ne!(inter["status"], "not-requested", "{inter}");

    // Reminders: 12 h and 2 h before the notification deadline (awareness + 72 h), and when
    // overdue, each once; computed from stored times.
    let notification_due = 1_790_496_000 + 72 * 3600; // 2026-09-27T08:00Z + 72 h
    let psirt = m.token(&psirt, "viewer").await; // sessions end after 12 h; tokens do not
    m.clock.set(notification_due - 11 * 3600);
    poll(
        || async {
            let (_, a) = m.call(&psirt, Method::GET, "/api/v1/alerts", None).await;
            a.as_array()
                .unwrap()
                .iter()
                .any(|x| x["kind"] == "deadline_reminder")
        },
        "12 h reminder",
    )
    .await;
    m.clock.set(notification_due + 60);
    poll(
        || async {
            let (_, a) = m.call(&psirt, Method::GET, "/api/v1/alerts", None).await;
            a.as_array().unwrap().iter().any(|x| {
                x["title"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("OVERDUE: notification")
            })
        },
        "overdue reminder",
    )
    .await;
    let (_, a) = m.call(&psirt, Method::GET, "/api/v1/alerts", None).await;
    let reminders = a
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| {
            x["kind"] == "deadline_reminder"
                && x["title"].as_str().unwrap().contains("notification")
        })
        .count();
    assert_eq!(reminders, 3, "12 h, 2 h and overdue, once each: {a}");
    m.shutdown().await;
    auth.shutdown().await;
}

async fn voluntary_report_becomes_a_case_with_a_user_notice(engine: Engine) {
    let Some(m) = start(engine).await else { return };
    let psirt = m.bootstrap("Acme Routers GmbH", "psirt@acme.example").await;
    let (_, p) = m
        .call(
            &psirt,
            Method::POST,
            "/api/v1/products",
            Some(json!({"name": "AX3000 router", "member_states": ["DE"]})),
        )
        .await;
    let public = Who {
        cookie: None,
        csrf: None,
        token: None,
    };
    // Issue 15 point 9: the manufacturer's coordinated vulnerability disclosure intake is routed
    // by its explicit organisation id, never by a matching name.
    let (_, orgs) = m.call(&psirt, Method::GET, "/api/v1/orgs", None).await;
    let acme = orgs[0]["org"]["id"].clone();
    let report = json!({
        "organisation_id": acme,
        "kind": "vulnerability", "manufacturer": "acme routers gmbh", "product": "AX3000 router", "versions": ["2.4.1"],
        "title": "Command injection in the diagnostics page",
        "description": "The ping field of the diagnostics page passes its value to a shell without quoting.",
        "exploited": true, "reporter_name": "A. Researcher", "reporter_contact": "researcher@example.org"
    });
    let (st, v) = m
        .call(
            &public,
            Method::POST,
            "/api/v1/public/vulnerability-reports",
            Some(report.clone()),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    assert_eq!(v["channel"], "coordinated-disclosure", "{v}");
    assert_eq!(v["basis"], "CRA Annex I, Part II, points (5)-(6)");
    // Every problem is named at once.
    let (st, v) = m
        .call(
            &public,
            Method::POST,
            "/api/v1/public/voluntary-reports",
            Some(json!({"organisation_id": acme, "description": "short"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let msg = v["error"]["message"].as_str().unwrap();
    for f in ["kind", "product", "title", "description"] {
        assert!(msg.contains(f), "{f} not named in {msg}");
    }
    // An unknown organisation id is a plain 404, whatever name the report gives.
    let mut other = report.clone();
    other["organisation_id"] = json!(987_654);
    let (st, v) = m
        .call(
            &public,
            Method::POST,
            "/api/v1/public/voluntary-reports",
            Some(other),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(v["error"]["code"], "not_found", "{v}");
    // Rate limit per address (10 an hour; three used above).
    let mut last = StatusCode::OK;
    for _ in 0..8 {
        last = m
            .call(
                &public,
                Method::POST,
                "/api/v1/public/voluntary-reports",
                Some(report.clone()),
            )
            .await
            .0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    // The manufacturer sees a proposal and confirms it for its product.
    let (_, cases) = m.call(&psirt, Method::GET, "/api/v1/cases", None).await;
    let proposals: Vec<&Value> = cases
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["case"]["title"]
                .as_str()
                .unwrap()
                .starts_with("Vulnerability report (CVD)")
        })
        .collect();
    assert_eq!(proposals.len(), 8, "the first and seven more were accepted");
    let cid = proposals.last().unwrap()["case"]["id"].as_i64().unwrap();
    let (st, v) = m
        .call(
            &psirt,
            Method::POST,
            &format!("/api/v1/cases/{cid}/confirm"),
            Some(json!({"aware_at": "2026-09-21T10:00:00Z"})),
        )
        .await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("product_id")),
        "{v}"
    );
    let (st, v) = m
        .call(&psirt, Method::POST, &format!("/api/v1/cases/{cid}/confirm"), Some(json!({"aware_at": "2026-09-21T14:13:20Z", "product_id": p["id"], "evidence": [{"source": "researcher", "reference": "VR report"}]})))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["case"]["state"], "open");
    // The notice to impacted users names what is missing, then renders.
    let (st, n) = m
        .call(
            &psirt,
            Method::GET,
            &format!("/api/v1/cases/{cid}/notice.json"),
            None,
        )
        .await;
    if st == StatusCode::UNPROCESSABLE_ENTITY {
        assert_eq!(n["error"]["code"], "incomplete_notice", "{n}");
        let (st, v) = m.call(&psirt, Method::PATCH, &format!("/api/v1/cases/{cid}"), Some(json!({"user_measures": ["Disable remote administration until 2.4.2 is installed"]}))).await;
        assert_eq!(st, StatusCode::OK, "{v}");
    }
    let (st, n) = m
        .call(
            &psirt,
            Method::GET,
            &format!("/api/v1/cases/{cid}/notice.json"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{n}");
    assert_eq!(n["format"], "cyres-user-notice/1", "{n}");
    let html = m
        .req(
            &psirt,
            Method::GET,
            &format!("/api/v1/cases/{cid}/notice.html"),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("AX3000 router"));
    assert!(
        !html.contains("researcher@example.org"),
        "the reporter's contact is not in the public notice"
    );
    m.shutdown().await;
}

/// The early-warning due time a page shows (`Early warning (24 h) … due <when>`), every one.
fn early_warning_dues(html: &str) -> Vec<String> {
    html.split("Early warning (24 h)")
        .skip(1)
        .filter_map(|rest| {
            let at = rest.find("20")?;
            Some(rest[at..at + 20].to_string())
        })
        .collect()
}

/// `2026-09-22T08:00:00Z` as the pages write it (`2026-09-22 08:00 UTC`).
fn as_page_time(rfc3339: &str) -> String {
    format!("{} {} UTC", &rfc3339[..10], &rfc3339[11..16])
}

/// One actively exploited vulnerability shows one set of due times on the dashboard, the
/// finding page, the finding API and the case: provisionally from cyres's first evidence, then
/// from the confirmed time of awareness (issue 14: three clocks used to disagree).
async fn one_clock_on_every_surface(engine: Engine) {
    let Some(m) = start(engine).await else { return };
    let psirt = m.bootstrap("Acme Routers GmbH", "psirt@acme.example").await;
    let (_, p) = m
        .call(
            &psirt,
            Method::POST,
            "/api/v1/products",
            Some(json!({"name": "AX3000 router", "member_states": ["DE"]})),
        )
        .await;
    let (_, r) = m
        .call(
            &psirt,
            Method::POST,
            &format!("/api/v1/products/{}/releases", p["id"]),
            Some(json!({"version": "2.4.1"})),
        )
        .await;
    // The SBOM is matched days before exploitation is known: the finding is old, the
    // evidence of exploitation new.
    let sbom = std::fs::read(root().join("examples/sboms/router-fw-2.4.1.cdx.json")).unwrap();
    for f in std::fs::read_dir(root().join("examples/advisories")).unwrap() {
        m.import(&psirt, &f.unwrap().path()).await;
    }
    let (st, _) = m
        .upload(&psirt, r["id"].as_i64().unwrap(), sbom, "fw.json")
        .await;
    assert_eq!(st, StatusCode::CREATED);
    m.clock.advance(25 * 86_400);
    let psirt = m.login("psirt@acme.example", PASSWORD).await; // the session expired meanwhile
    m.import(&psirt, &root().join("examples/kev.json")).await;
    let evidence_at = cyres_server::Clock::now(&*m.clock);

    let (_, fs) = m
        .call(
            &psirt,
            Method::GET,
            "/api/v1/findings?advisory=GHSA-qppj-fm5r-hxr3&exploited=true",
            None,
        )
        .await;
    let fid = fs[0]["id"].as_i64().expect("an exploited finding");
    let surfaces = |expect: String, provisional: bool| {
        let m = &m;
        let psirt = &psirt;
        async move {
            let (_, f) = m
                .call(psirt, Method::GET, &format!("/api/v1/findings/{fid}"), None)
                .await;
            let clock = &f["art14"];
            assert_eq!(
                clock["basis"]["kind"],
                if provisional {
                    "provisional"
                } else {
                    "confirmed"
                },
                "{clock}"
            );
            assert_eq!(
                as_page_time(clock["deadlines"]["stages"][0]["due"].as_str().unwrap()),
                expect,
                "API"
            );
            let (_, dash) = page(m, psirt, "/").await;
            assert_eq!(early_warning_dues(&dash), vec![expect.clone()], "dashboard");
            let (_, finding) = page(m, psirt, &format!("/findings/{fid}")).await;
            assert_eq!(
                early_warning_dues(&finding),
                vec![expect.clone()],
                "finding page"
            );
            let word = if provisional {
                "provisional: counted from first evidence"
            } else {
                "counted from the confirmed time of awareness"
            };
            assert!(dash.contains(word) && finding.contains(word), "{word}");
        }
    };
    // Provisional: 24 h from the first evidence (the KEV import), not from the old finding.
    let due = as_page_time(
        &time::OffsetDateTime::from_unix_timestamp(evidence_at + 86_400)
            .unwrap()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap(),
    );
    surfaces(due, true).await;
    // Confirmed: from the recorded awareness, on every surface and in the case.
    let (_, cases) = m.call(&psirt, Method::GET, "/api/v1/cases", None).await;
    let cid = cases[0]["case"]["id"].as_i64().unwrap();
    let aware = time::OffsetDateTime::from_unix_timestamp(evidence_at - 3 * 3600)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let (st, v) = m
        .call(&psirt, Method::POST, &format!("/api/v1/cases/{cid}/confirm"), Some(json!({"aware_at": aware, "evidence": [{"source": "kev", "reference": "CISA KEV"}]})))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let case_due = as_page_time(v["deadlines"]["stages"][0]["due"].as_str().unwrap());
    let expected = time::OffsetDateTime::from_unix_timestamp(evidence_at - 3 * 3600 + 86_400)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    assert_eq!(
        case_due,
        as_page_time(&expected),
        "the case counts from awareness"
    );
    surfaces(case_due, false).await;
    m.shutdown().await;
}

/// `cyres demo`'s authority world (issue 14, point 6): the demo reports to itself, so Keystone
/// Vault's early warning reaches the French CSIRT (coordinator: its main establishment), is
/// forwarded to the Belgian CSIRT (a member state it sells in), seen by ENISA, and the
/// coordinator's intermediate-report request comes back to the maker's case. Every step over
/// HTTP with the logins `cyres demo` prints.
async fn demo_report_walks_to_the_authorities_and_back(engine: Engine) {
    let Some(mut config) = test_config(engine).await else {
        return;
    };
    let dir = config.data_dir.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    config.public_url = format!("http://{addr}");
    let clock = std::sync::Arc::new(cyres_server::ManualClock::new(T0));
    let (app, _) = cyres_server::App::start(config, clock.clone())
        .await
        .unwrap();
    let login = cyres_server::seed_demo(&app).await.unwrap();
    assert_eq!(
        login
            .authorities
            .iter()
            .map(|a| a.email.as_str())
            .collect::<Vec<_>>(),
        [
            "csirt-fr@cyres.example",
            "csirt-be@cyres.example",
            "enisa@cyres.example"
        ]
    );
    let shown = format!("{login:?}");
    assert!(
        shown.contains("***") && !shown.contains("cyres_"),
        "the sender's token never appears in debug output: {shown}"
    );
    let app = cyres_server::reporting_to_self(&app, &login.sender).unwrap();
    let s = serve_app(app, clock, listener, dir);
    let pw = cyres_server::DEMO_PASSWORD;

    // The maker: Keystone Vault's proposal, confirmed and reported.
    let maker = s.login(cyres_server::DEMO_EMAIL, pw).await;
    let (_, orgs) = s.call(&maker, Method::GET, "/api/v1/orgs", None).await;
    let kv = orgs
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["org"]["name"] == "Keystone Vault")
        .unwrap_or_else(|| panic!("{orgs}"))["org"]["id"]
        .clone();
    s.call(
        &maker,
        Method::POST,
        "/api/v1/session/org",
        Some(json!({"org_id": kv})),
    )
    .await;
    let (_, cases) = s.call(&maker, Method::GET, "/api/v1/cases", None).await;
    let case = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["case"]["advisory_id"] == "GHSA-qppj-fm5r-hxr3")
        .unwrap_or_else(|| panic!("{cases}"));
    let cid = case["case"]["id"].as_i64().unwrap();
    let v = confirm_and_warn(&s, &maker, cid).await;
    assert_eq!(v["coordinator"]["member_state"], "FR", "{v}");
    poll(
        || async {
            let (_, c) = s
                .call(&maker, Method::GET, &format!("/api/v1/cases/{cid}"), None)
                .await;
            c["submissions"][0]["state"] == "delivered"
        },
        "delivery to the demo authority",
    )
    .await;

    // The coordinator sees it, forwards it; Belgium and ENISA see it too.
    let fr = s.login("csirt-fr@cyres.example", pw).await;
    let (st, inbox) = s
        .call(&fr, Method::GET, "/api/v1/authority/inbox", None)
        .await;
    assert_eq!(st, StatusCode::OK, "{inbox}");
    let inbox = inbox.as_array().unwrap();
    assert_eq!(inbox.len(), 1, "{inbox:?}");
    assert_eq!(inbox[0]["sender"], "Keystone Vault");
    let rid = inbox[0]["id"].as_i64().unwrap();
    let be = s.login("csirt-be@cyres.example", pw).await;
    let report = format!("/api/v1/authority/reports/{rid}");
    assert_eq!(
        s.call(&be, Method::GET, &report, None).await.0,
        StatusCode::NOT_FOUND,
        "not before it is forwarded"
    );
    let (st, d) = s
        .call(
            &fr,
            Method::POST,
            &format!("{report}/decision"),
            Some(json!({"dissemination": {"action": "forward"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{d}");
    assert!(
        d["forward_now"].as_array().unwrap().contains(&json!("BE")),
        "{d}"
    );
    assert_eq!(
        s.call(&be, Method::GET, &report, None).await.0,
        StatusCode::OK
    );
    let enisa = s.login("enisa@cyres.example", pw).await;
    let (_, inbox) = s
        .call(&enisa, Method::GET, "/api/v1/authority/inbox", None)
        .await;
    assert_eq!(inbox.as_array().unwrap().len(), 1, "{inbox}");

    // And back: the coordinator's request reaches the maker's case as an alert.
    let (st, rq) = s
        .call(
            &fr,
            Method::POST,
            &format!("{report}/intermediate-request"),
            Some(json!({"note": "status of the fix?"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{rq}");
    poll(
        || async {
            let (_, a) = s.call(&maker, Method::GET, "/api/v1/alerts", None).await;
            a.as_array()
                .unwrap()
                .iter()
                .any(|x| x["kind"] == "intermediate_report_requested")
        },
        "the intermediate request back at the maker",
    )
    .await;
    // Another demo maker's reports stay with it for the portal: the token speaks for
    // Keystone Vault only.
    let (_, orgs) = s.call(&maker, Method::GET, "/api/v1/orgs", None).await;
    let other = orgs
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["org"]["name"] == "Northwind Networks")
        .unwrap()["org"]["id"]
        .clone();
    s.call(
        &maker,
        Method::POST,
        "/api/v1/session/org",
        Some(json!({"org_id": other})),
    )
    .await;
    let (_, cases) = s.call(&maker, Method::GET, "/api/v1/cases", None).await;
    let cid = cases[0]["case"]["id"].as_i64().unwrap();
    confirm_and_warn(&s, &maker, cid).await;
    let (_, c) = s
        .call(&maker, Method::GET, &format!("/api/v1/cases/{cid}"), None)
        .await;
    assert_eq!(
        c["submissions"][0]["state"], "manual",
        "{}",
        c["submissions"]
    );
    let (_, inbox) = s
        .call(&enisa, Method::GET, "/api/v1/authority/inbox", None)
        .await;
    assert_eq!(
        inbox.as_array().unwrap().len(),
        1,
        "nothing from Northwind: {inbox}"
    );
    s.stop.send(true).unwrap();
}

/// Confirms case `cid` (KEV evidence, aware at noon on T0's day) and submits its early warning;
/// answers the confirmed case.
async fn confirm_and_warn(s: &Server, who: &Who, cid: i64) -> Value {
    let (st, v) = s
        .call(who, Method::POST, &format!("/api/v1/cases/{cid}/confirm"), Some(json!({"aware_at": "2026-09-21T12:00:00Z", "evidence": [{"source": "kev", "reference": "CISA KEV"}]})))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, r) = s
        .call(
            who,
            Method::POST,
            &format!("/api/v1/cases/{cid}/reports"),
            Some(json!({"stage": "early-warning"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    v
}
