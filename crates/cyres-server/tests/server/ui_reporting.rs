//! The Article 14 and 15 web forms over real HTTP on loopback, on SQLite and PostgreSQL: the
//! authority report page (coordinator decision, intermediate-report request, ENISA review with
//! the factor table), the manufacturer's case page (confirm, evidence, edit, submit, portal
//! reference) and the public voluntary-report form. Every form POST is checked against the
//! state the API then shows, and the refusals: no CSRF field, a viewer, a foreign organisation.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both!(
    authority_report_forms,
    case_forms_and_public_report,
    forwarding_reaches_the_other_csirt_for_every_stage,
);

async fn setup(s: &Server, body: Value) {
    let link = s.setup.clone().unwrap();
    let token = link.split("token=").nth(1).unwrap();
    let mut body = body;
    body["token"] = json!(token);
    body["password"] = json!(PASSWORD);
    let r = s
        .http
        .post(s.url("/setup"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
}

/// A case as the API answers it.
async fn case_of(s: &Server, who: &Who, id: i64) -> Value {
    let (st, v) = s
        .call(who, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v
}

async fn switch(s: &Server, who: &Who, org: &Value) {
    let (st, v) = s
        .call(
            who,
            Method::POST,
            "/api/v1/session/org",
            Some(json!({"org_id": org})),
        )
        .await;
    assert!(st.is_success(), "{st} {v}");
}

/// A report pack of `stage` for an actively exploited vulnerability in a product the
/// manufacturer (main establishment DE) makes available in DE, FR and NL; the 72-hour
/// notification raises the Art. 16(2)(c) ground (imminent high risk).
fn report_pack(stage: cyres_cra::StageKind) -> (String, String) {
    use cyres_cra::{CaseKind, Category, MemberState};
    let aware = time::OffsetDateTime::from_unix_timestamp(T0 - 3600).unwrap();
    let manufacturer = cyres_report::Manufacturer {
        name: "Acme Routers GmbH".into(),
        contact: Some("psirt@acme.example".into()),
        establishment: cyres_cra::routing::Establishment {
            main_establishment: MemberState::from_code("DE"),
            ..Default::default()
        },
        enterprise_size: None,
    };
    let product = cyres_report::Product {
        id: "1".into(),
        name: "AX3000 router".into(),
        description: Some("home Wi-Fi router".into()),
        category: Category::Default,
        identifiers: Vec::new(),
        member_states: ["DE", "FR", "NL"]
            .into_iter()
            .filter_map(MemberState::from_code)
            .collect(),
        estimated_users: Some(250_000),
    };
    let mut case = cyres_report::Case::new(
        "case-1-1",
        CaseKind::Vulnerability,
        "Command injection in the diagnostics page",
        manufacturer,
        product,
        aware,
    );
    case.cve_ids = vec!["CVE-2023-44487".into()];
    case.sensitivity = Some(cyres_report::Sensitivity::Amber);
    case.nature = Some("remote attackers run commands through the ping field".into());
    case.description = Some("unquoted shell argument in the diagnostics page".into());
    case.measures_taken = vec!["diagnostics page disabled by a configuration push".into()];
    case.user_measures = vec!["turn off remote administration".into()];
    case.security_grounds = [cyres_report::SecurityGround::ImminentHighRisk]
        .into_iter()
        .collect();
    if stage == cyres_cra::StageKind::FinalReport {
        // What a final report adds (Art. 14(2)(c)): severity and impact, the fix.
        case.severity = Some(cyres_report::Severity {
            level: cyres_report::SeverityLevel::High,
            cvss_score: Some(8.1),
            cvss_vector: None,
        });
        case.impact = Some("remote command execution on the router".into());
        case.fix = Some(cyres_report::Fix {
            available_at: aware + time::Duration::days(3),
            description: "firmware 2.4.2 quotes the argument".into(),
            releases: vec!["2.4.2".into()],
        });
    }
    let draft = cyres_report::draft(&case, stage);
    let report = cyres_report::validate(&draft).unwrap_or_else(|m| panic!("{m:?}"));
    let pack = cyres_report::ReportPack::new(&report, aware);
    (pack.idempotency_key.clone(), pack.to_json())
}

async fn deliver(auth: &Server, sender: &Who, stage: cyres_cra::StageKind) {
    let (key, pack) = report_pack(stage);
    let r = auth
        .req(sender, Method::POST, "/api/v1/authority/reports")
        .header("idempotency-key", &key)
        .header("content-type", "application/json")
        .body(pack)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
}

async fn authority_report_forms(engine: Engine) {
    let Some(auth) = start(engine).await else {
        return;
    };
    setup(
        &auth,
        json!({"email": "ops@enisa.example", "org_name": "ENISA", "org_kind": "enisa"}),
    )
    .await;
    let ops = auth.login("ops@enisa.example", PASSWORD).await;
    let (_, me) = auth.call(&ops, Method::GET, "/api/v1/orgs", None).await;
    let enisa = me[0]["org"]["id"].clone();
    let mut ids = Vec::new();
    for body in [
        json!({"name": "CSIRT DE", "kind": "csirt", "member_state": "DE"}),
        json!({"name": "CSIRT FR", "kind": "csirt", "member_state": "FR"}),
        json!({"name": "Acme Routers GmbH", "kind": "manufacturer", "member_state": "DE"}),
    ] {
        // CSIRTs are provisioned by the operator; the manufacturer is self-service.
        let (st, v) = if body["kind"] == "csirt" {
            auth.provision("ops@enisa.example", body).await
        } else {
            auth.call(&ops, Method::POST, "/api/v1/orgs", Some(body))
                .await
        };
        assert_eq!(st, StatusCode::CREATED, "{v}");
        ids.push(v["id"].clone());
    }
    let (de, fr, acme) = (ids[0].clone(), ids[1].clone(), ids[2].clone());
    switch(&auth, &ops, &acme).await;
    let sender = auth.token(&ops, "editor").await;
    deliver(&auth, &sender, cyres_cra::StageKind::EarlyWarning).await;
    // A manufacturer has no authority page.
    assert_eq!(
        page(&auth, &ops, "/authority/reports/1").await.0,
        StatusCode::FORBIDDEN
    );

    // The coordinator CSIRT (DE): the inbox links to the page, which offers both forms.
    switch(&auth, &ops, &de).await;
    let (st, inbox) = page(&auth, &ops, "/cases").await;
    assert_eq!(st, StatusCode::OK);
    assert!(inbox.contains("href=\"/authority/reports/1\""), "{inbox}");
    let (st, html) = page(&auth, &ops, "/authority/reports/1").await;
    assert_eq!(st, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"decision-form\"") && html.contains("id=\"request-form\""));
    assert!(html.contains("AX3000 router") && html.contains("CVE-2023-44487"));
    assert!(
        html.contains("(DR (EU) 2026/881 Art. 3)"),
        "the grounds come from cyres-report"
    );
    assert!(
        !html.contains("id=\"factors\""),
        "the assessment is ENISA's"
    );
    assert_eq!(
        page(&auth, &ops, "/authority/assessment").await.0,
        StatusCode::FORBIDDEN
    );
    let decision_of = || async {
        let (st, v) = auth
            .call(&ops, Method::GET, "/api/v1/authority/reports/1", None)
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        v["decision"].clone()
    };
    let delay = [
        ("action", "delay"),
        ("circumstance", "coordinated-disclosure"),
        ("ground", "risks-outweigh-benefits"),
        (
            "reason",
            "patch ships on 2026-10-01; exploit details would help attackers",
        ),
        ("planned_release", "2026-10-01T09:00"),
        // DR (EU) 2026/881 Art. 3: TLP/PAP cannot mitigate, and a listed condition holds.
        ("tlp_pap_considered", "on"),
        ("art3_condition", "mitigation-expected"),
    ];
    // No CSRF field: refused, nothing stored.
    let (st, _, _) = post(&auth, &ops, "/authority/reports/1/decision", &delay, false).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(decision_of().await, Value::Null);
    // A delay without a ground, or with a release before the decision: named on the page.
    let (st, _, html) = post(
        &auth,
        &ops,
        "/authority/reports/1/decision",
        &[("action", "delay"), ("planned_release", "2026-10-01T09:00")],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"d-ground-error\""), "{html}");
    let mut past = delay;
    past[4] = ("planned_release", "2026-01-01T00:00");
    let (st, _, html) = post(&auth, &ops, "/authority/reports/1/decision", &past, true).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("the planned release date must be after the decision"),
        "{html}"
    );
    assert_eq!(decision_of().await, Value::Null);
    // An Art. 3 delay without the TLP/PAP finding is refused (issue 15 point 8).
    let (st, _, html) = post(
        &auth,
        &ops,
        "/authority/reports/1/decision",
        &delay[..5],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("TLP or PAP cannot mitigate"), "{html}");
    assert_eq!(decision_of().await, Value::Null);
    // The delay: stored, shown, and the API sees it.
    let (st, location, _) = post(&auth, &ops, "/authority/reports/1/decision", &delay, true).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(location, "/authority/reports/1?saved=decision");
    let d = decision_of().await;
    assert_eq!(d["delay"]["ground"], "risks-outweigh-benefits", "{d}");
    assert_eq!(d["delay"]["tlp_pap_considered"], true, "{d}");
    assert_eq!(d["delay"]["art3_condition"], "mitigation-expected", "{d}");
    assert_eq!(d["delay"]["planned_release"], "2026-10-01T09:00:00Z");
    assert_eq!(d["withheld"], json!(["FR", "NL"]));
    assert_eq!(d["forward_now"], json!([]));
    assert!(
        d["decided_by"]
            .as_str()
            .unwrap()
            .contains("ops@enisa.example"),
        "{d}"
    );
    let (_, html) = page(&auth, &ops, &location).await;
    assert!(html.contains("id=\"saved-notice\"") && html.contains("delayed"));
    // The intermediate-report request (Art. 14(6)).
    let (st, location, _) = post(
        &auth,
        &ops,
        "/authority/reports/1/intermediate-request",
        &[("note", "status of the fix?")],
        true,
    )
    .await;
    assert_eq!(
        (st, location.as_str()),
        (StatusCode::SEE_OTHER, "/authority/reports/1?saved=request")
    );
    let (_, v) = auth
        .call(&ops, Method::GET, "/api/v1/authority/reports/1", None)
        .await;
    let request = v["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "intermediate_request")
        .unwrap_or_else(|| panic!("{v}"))
        .clone();
    assert_eq!(request["body"]["note"], "status of the fix?");
    // Art. 14(8), second subparagraph: the coordinator records that it informed users itself.
    let (st, location, _) = post(
        &auth,
        &ops,
        "/authority/reports/1/users-informed",
        &[("measures_included", "on")],
        true,
    )
    .await;
    assert_eq!(
        (st, location.as_str()),
        (StatusCode::SEE_OTHER, "/authority/reports/1?saved=informed")
    );
    let (_, v) = auth
        .call(&ops, Method::GET, "/api/v1/authority/reports/1", None)
        .await;
    let informed = v["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "users_informed")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(informed["body"]["by"], "csirt");
    assert_eq!(informed["body"]["measures_included"], true);
    // The manufacturer's instance sees the request.
    let (_, rq) = auth
        .call(&sender, Method::GET, "/api/v1/authority/requests", None)
        .await;
    assert_eq!(rq.as_array().unwrap().len(), 1, "{rq}");

    // Another CSIRT, before the release: the report does not exist for it.
    switch(&auth, &ops, &fr).await;
    assert_eq!(
        page(&auth, &ops, "/authority/reports/1").await.0,
        StatusCode::NOT_FOUND
    );
    let (st, _, _) = post(
        &auth,
        &ops,
        "/authority/reports/1/decision",
        &[("action", "forward")],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // A viewer of the coordinator CSIRT reads but cannot decide.
    switch(&auth, &ops, &de).await;
    let viewer = auth
        .add_member(&ops, "viewer@csirt.example", "viewer")
        .await;
    let (st, html) = page(&auth, &viewer, "/authority/reports/1").await;
    assert_eq!(st, StatusCode::OK);
    assert!(!html.contains("id=\"decision-form\""));
    let (st, _, _) = post(
        &auth,
        &viewer,
        "/authority/reports/1/decision",
        &[("action", "forward")],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(
        decision_of().await["delay"]["ground"],
        "risks-outweigh-benefits"
    );

    // ENISA: the factor table as the API computes it, and the analyst review.
    switch(&auth, &ops, &enisa).await;
    let (st, html) = page(&auth, &ops, "/authority/reports/1").await;
    assert_eq!(st, StatusCode::OK, "{html}");
    let table = html
        .split("id=\"factors\"")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .unwrap_or_else(|| panic!("no factor table: {html}"));
    assert_eq!(table.matches("<tr>").count(), 8, "a header and 7 factors");
    assert!(table.contains("member states where available") && table.contains("estimated users"));
    assert!(
        !html.contains("id=\"decision-form\""),
        "only the coordinator decides"
    );
    assert!(html.contains("delayed"), "ENISA sees the decision at once");
    let reviews = || async {
        let (_, a) = auth.call(&ops, Method::GET, "/api/v1/audit", None).await;
        a.to_string().matches("authority.review").count()
    };
    let (st, _, html) = post(
        &auth,
        &ops,
        "/authority/reports/1/review",
        &[("verdict", "systemic"), ("reason", "")],
        true,
    )
    .await;
    let computed_systemic = html.contains("<strong>systemic</strong>");
    if computed_systemic {
        // Overriding to the computed verdict is refused with its own message.
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    } else {
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("an override needs a reason"), "{html}");
    }
    assert_eq!(reviews().await, 0);
    let (st, _, _) = post(
        &auth,
        &ops,
        "/authority/reports/1/review",
        &[("verdict", "confirm")],
        false,
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let override_to = if computed_systemic {
        "not-systemic"
    } else {
        "systemic"
    };
    let (st, location, _) = post(
        &auth,
        &ops,
        "/authority/reports/1/review",
        &[
            ("verdict", override_to),
            (
                "reason",
                "same component reported by two other vendors this week",
            ),
        ],
        true,
    )
    .await;
    assert_eq!(
        (st, location.as_str()),
        (StatusCode::SEE_OTHER, "/authority/reports/1?saved=review")
    );
    assert_eq!(reviews().await, 1, "the review is audited");
    let (_, html) = page(&auth, &ops, &location).await;
    assert!(
        html.contains("overridden to") && html.contains("two other vendors"),
        "{html}"
    );
    assert!(
        html.contains("CVE-2023-44487"),
        "ENISA sees report 1 in full"
    );

    // The cross-report view: the API's numbers, linked to the report page.
    let (_, inbox) = page(&auth, &ops, "/cases").await;
    assert!(inbox.contains("id=\"assessment-link\""));
    let (st, html) = page(&auth, &ops, "/authority/assessment").await;
    assert_eq!(st, StatusCode::OK, "{html}");
    let (_, a) = auth
        .call(&ops, Method::GET, "/api/v1/authority/assessment", None)
        .await;
    let score = format!("{:.1}", a["per_notification"][0]["score"].as_f64().unwrap());
    let row = html
        .split("<a href=\"/authority/reports/1\">case-1-1</a>")
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .unwrap_or_else(|| panic!("no row for report 1: {html}"));
    assert!(
        row.contains(&format!("<td>{score}</td>")),
        "{row} vs {score}"
    );
    assert_eq!(
        row.matches("<td>").count(),
        2 + 7,
        "score, verdict, 7 factors: {row}"
    );
    assert!(html.contains("<td>CVE-2023-44487</td>"), "{html}");

    // The 72-hour notification raises an Art. 16(2), third-subparagraph ground: ENISA sees only
    // the limited fields from intake, before the coordinator acts (issue 15 point 8).
    deliver(&auth, &sender, cyres_cra::StageKind::Notification).await;
    let (st, html) = page(&auth, &ops, "/authority/reports/2").await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("id=\"limited-note\"") && html.contains("AX3000 router"));
    assert!(
        !html.contains("CVE-2023-44487") && !html.contains("unquoted shell argument"),
        "ENISA sees only the limited fields: {html}"
    );
    let (_, a) = auth
        .call(&ops, Method::GET, "/api/v1/authority/assessment", None)
        .await;
    assert!(
        !a["per_subject"].to_string().contains("\"notifications\":2"),
        "the limited notification's CVE counts towards no spread: {a}"
    );
    // The coordinator delays; ENISA stays limited.
    switch(&auth, &ops, &de).await;
    let (st, location, html) =
        post(&auth, &ops, "/authority/reports/2/decision", &delay, true).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{html}");
    let (_, v) = auth
        .call(&ops, Method::GET, "/api/v1/authority/reports/2", None)
        .await;
    assert_eq!(v["decision"]["enisa_limited"], true, "{v}");
    let (_, html) = page(&auth, &ops, &location).await;
    assert!(html.contains("the limited fields only"), "{html}");
    assert!(
        !html.contains("id=\"recommendation-form\""),
        "nothing recommended yet"
    );
    // ENISA recommends full dissemination (a systemic verdict): a recommendation to the
    // coordinator, not ENISA's own dissemination; the French CSIRT still does not see it.
    switch(&auth, &ops, &enisa).await;
    let (_, html) = page(&auth, &ops, "/authority/reports/2").await;
    let verdict = if html.contains("<strong>systemic</strong>") {
        "confirm"
    } else {
        "systemic"
    };
    let (st, _, html) = post(
        &auth,
        &ops,
        "/authority/reports/2/review",
        &[
            ("verdict", verdict),
            ("reason", "the SDK ships in most ISP routers"),
        ],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{html}");
    switch(&auth, &ops, &fr).await;
    assert_eq!(
        page(&auth, &ops, "/authority/reports/2").await.0,
        StatusCode::NOT_FOUND
    );
    // The coordinator answers: a decline needs a reason; then it accepts.
    switch(&auth, &ops, &de).await;
    let (_, html) = page(&auth, &ops, "/authority/reports/2").await;
    assert!(html.contains("id=\"recommendation-form\""), "{html}");
    let (st, _, html) = post(
        &auth,
        &ops,
        "/authority/reports/2/recommendation",
        &[("answer", "declined"), ("reason", "")],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("needs a reason"), "{html}");
    let (st, location, html) = post(
        &auth,
        &ops,
        "/authority/reports/2/recommendation",
        &[("answer", "accepted")],
        true,
    )
    .await;
    assert_eq!(
        (st, location.as_str()),
        (
            StatusCode::SEE_OTHER,
            "/authority/reports/2?saved=recommendation"
        ),
        "{html}"
    );
    let (_, v) = auth
        .call(&ops, Method::GET, "/api/v1/authority/reports/2", None)
        .await;
    assert_eq!(v["decision"]["recommendation"]["answer"], "accepted", "{v}");
    // Accepted: the French CSIRT reads it, and ENISA sees the full notification.
    switch(&auth, &ops, &fr).await;
    let (st, html) = page(&auth, &ops, "/authority/reports/2").await;
    assert_eq!(st, StatusCode::OK, "{html}");
    switch(&auth, &ops, &enisa).await;
    let (_, html) = page(&auth, &ops, "/authority/reports/2").await;
    assert!(html.contains("CVE-2023-44487"), "{html}");

    // The coordinator forwards report 1 after all: the French CSIRT now reads it, with no
    // coordinator forms.
    switch(&auth, &ops, &de).await;
    let (st, _, html) = post(
        &auth,
        &ops,
        "/authority/reports/1/decision",
        &[("action", "forward")],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{html}");
    assert_eq!(decision_of().await["forward_now"], json!(["FR", "NL"]));
    switch(&auth, &ops, &fr).await;
    let (st, html) = page(&auth, &ops, "/authority/reports/1").await;
    assert_eq!(st, StatusCode::OK, "{html}");
    assert!(html.contains("CVE-2023-44487") && html.contains("forwarded"));
    assert!(!html.contains("id=\"decision-form\"") && !html.contains("id=\"request-form\""));

    // Art. 15(1)-(2) (issue 15 point 9): the authority instance's public intake, routed by the
    // explicit id of a CSIRT or ENISA; the protections of Art. 15(4)-(5), 17(4) stated.
    let public = Who {
        cookie: None,
        csrf: None,
        token: None,
    };
    let (st, form) = page(&auth, &public, "/voluntary-notification").await;
    assert_eq!(st, StatusCode::OK, "{form}");
    assert!(
        form.contains("Article 15") && form.contains("15(5), 17(4)"),
        "{form}"
    );
    assert!(
        form.contains(&format!(
            "<option value=\"{de}\">CSIRT DE (CSIRT, DE)</option>"
        )),
        "{form}"
    );
    assert!(form.contains("(ENISA)</option>") && !form.contains("Acme Routers GmbH</option>"));
    assert!(
        form.contains("id=\"r-manufacturer\""),
        "the manufacturer concerned is asked"
    );
    let (_, cvd) = page(&auth, &public, "/report").await;
    assert!(
        cvd.contains("id=\"other-channel\"") && cvd.contains("href=\"/voluntary-notification\"")
    );
    let notification = json!({
        "kind": "vulnerability", "manufacturer": "Acme Routers GmbH", "product": "AX3000 router",
        "title": "Exploited command injection seen in the wild",
        "description": "Honeypots in Germany see the ping-field injection used to drop a botnet.",
        "exploited": true
    });
    let mut to_acme = notification.clone();
    to_acme["organisation_id"] = acme.clone();
    let (st, v) = auth
        .call(
            &public,
            Method::POST,
            "/api/v1/public/voluntary-notifications",
            Some(to_acme),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::NOT_FOUND,
        "a manufacturer is not an Art. 15 recipient: {v}"
    );
    let mut to_de = notification.clone();
    to_de["organisation_id"] = de.clone();
    let (st, v) = auth
        .call(
            &public,
            Method::POST,
            "/api/v1/public/voluntary-notifications",
            Some(to_de),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    assert_eq!(v["channel"], "art15-voluntary");
    let de_id = de.as_i64().unwrap().to_string();
    let (st, location, html) = post(
        &auth,
        &public,
        "/voluntary-notification",
        &[
            ("organisation_id", de_id.as_str()),
            ("kind", "incident"),
            ("manufacturer", "Acme Routers GmbH"),
            ("product", "AX3000 router"),
            ("title", "Routers rebooting across a region"),
            (
                "description",
                "Hundreds of AX3000 routers in one region rebooted at the same minute.",
            ),
        ],
        false,
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{html}");
    assert!(location.ends_with("&to=csirt"), "{location}");
    let (_, thanks) = page(&auth, &public, &location).await;
    assert!(thanks.contains("the CSIRT") && thanks.contains("href=\"/voluntary-notification\""));
    switch(&auth, &ops, &de).await;
    let (_, alerts) = auth.call(&ops, Method::GET, "/api/v1/alerts", None).await;
    let text = alerts.to_string();
    assert!(
        text.contains("New Art. 15 notification") && text.contains("Art. 15(4)"),
        "{text}"
    );
    auth.shutdown().await;
}

async fn case_forms_and_public_report(engine: Engine) {
    let Some(m) = start(engine).await else { return };
    setup(
        &m,
        json!({"email": "psirt@acme.example", "org_name": "Acme Routers GmbH", "member_state": "DE"}),
    )
    .await;
    let psirt = m.login("psirt@acme.example", PASSWORD).await;
    let (st, p) = m
        .call(
            &psirt,
            Method::POST,
            "/api/v1/products",
            Some(json!({"name": "AX3000 router", "member_states": ["DE", "FR"]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let product_id = p["id"].as_i64().unwrap().to_string();
    let public = Who {
        cookie: None,
        csrf: None,
        token: None,
    };

    // The manufacturer's coordinated vulnerability disclosure form (CRA Annex I Part II
    // (5)-(6)), linked from the login page, labelled as such (issue 15 point 9); the
    // manufacturer is chosen by organisation id, never by a typed name.
    let (_, orgs) = m.call(&psirt, Method::GET, "/api/v1/orgs", None).await;
    let acme_id = orgs[0]["org"]["id"].as_i64().unwrap().to_string();
    let (_, login) = page(&m, &public, "/login").await;
    assert!(
        login.contains("href=\"/report\"")
            && login.contains("coordinated vulnerability disclosure")
    );
    let (st, form) = page(&m, &public, "/report").await;
    assert_eq!(st, StatusCode::OK);
    assert!(form.contains("id=\"report-form\"") && !form.contains("name=\"csrf\""));
    assert!(
        form.contains("Annex I, Part II") && !form.contains("Article 15)"),
        "{form}"
    );
    assert!(
        form.contains(&format!(
            "<option value=\"{acme_id}\">Acme Routers GmbH</option>"
        )),
        "{form}"
    );
    assert!(
        !form.contains("id=\"other-channel\""),
        "no CSIRT on this instance: {form}"
    );
    let (st, fixed) = page(&m, &public, &format!("/report?organisation={acme_id}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(fixed.contains("id=\"report-recipient\"") && fixed.contains("Acme Routers GmbH"));
    for bad in ["/report?organisation=987654", "/report?organisation=acme"] {
        assert_eq!(
            page(&m, &public, bad).await.0,
            StatusCode::NOT_FOUND,
            "{bad}"
        );
    }
    // No Art. 15 intake on a manufacturer-only instance.
    assert_eq!(
        page(&m, &public, "/voluntary-notification").await.0,
        StatusCode::NOT_FOUND
    );
    let (st, _, html) = post(
        &m,
        &public,
        "/report",
        &[
            ("organisation_id", acme_id.as_str()),
            ("reporter_name", "A. Researcher"),
            ("description", "short"),
        ],
        false,
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    for id in [
        "r-kind-error",
        "r-product-error",
        "r-title-error",
        "r-description-error",
    ] {
        assert!(
            html.contains(&format!("id=\"{id}\"")),
            "{id} missing: {html}"
        );
    }
    assert!(
        html.contains("value=\"A. Researcher\""),
        "typed values kept"
    );
    let report = [
        ("kind", "vulnerability"),
        ("organisation_id", acme_id.as_str()),
        ("product", "AX3000 router"),
        ("versions", "2.4.1"),
        ("title", "Command injection in the diagnostics page"),
        (
            "description",
            "The ping field of the diagnostics page passes its value to a shell without quoting.",
        ),
        ("exploited", "yes"),
        ("reporter_contact", "researcher@example.org"),
    ];
    let mut nobody = report;
    nobody[1] = ("organisation_id", "");
    let (st, _, html) = post(&m, &public, "/report", &nobody, false).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"r-org-error\""), "{html}");
    let (st, location, _) = post(&m, &public, "/report", &report, false).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let reference = location
        .strip_prefix("/report/thanks?ref=")
        .and_then(|r| r.strip_suffix("&to=manufacturer"))
        .unwrap_or_else(|| panic!("{location}"))
        .to_string();
    let (st, thanks) = page(&m, &public, &location).await;
    assert_eq!(st, StatusCode::OK);
    assert!(thanks.contains(&format!(
        "<strong id=\"report-reference\">{reference}</strong>"
    )));
    assert!(thanks.contains("the manufacturer"));
    let cid: i64 = reference.strip_prefix("VR-").unwrap().parse().unwrap();
    assert_eq!(case_of(&m, &psirt, cid).await["case"]["state"], "proposed");

    // Confirming the proposal: CSRF, a future awareness time, one before the report arrived
    // (the rule of cyres-report) and a missing product refused.
    m.clock.set(T0 + 3600); // 2026-09-21 15:13 UTC; the report arrived at 14:13
    let path = format!("/cases/{cid}/confirm");
    let confirm = [
        ("aware_at", "2026-09-21T14:30"),
        ("product_id", product_id.as_str()),
        ("ev_source", "researcher"),
        ("ev_reference", reference.as_str()),
    ];
    assert_eq!(
        post(&m, &psirt, &path, &confirm, false).await.0,
        StatusCode::FORBIDDEN
    );
    let mut future = confirm;
    future[0] = ("aware_at", "2999-01-01T00:00");
    let (st, _, html) = post(&m, &psirt, &path, &future, true).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("cannot be in the future"), "{html}");
    let mut early = confirm;
    early[0] = ("aware_at", "2026-09-21T10:00");
    let (st, _, html) = post(&m, &psirt, &path, &early, true).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("awareness cannot be before the voluntary report was received"),
        "{html}"
    );
    let (st, _, html) = post(&m, &psirt, &path, &confirm[..1], true).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"c-product-error\""), "{html}");
    assert_eq!(case_of(&m, &psirt, cid).await["case"]["state"], "proposed");
    let (st, location, html) = post(&m, &psirt, &path, &confirm, true).await;
    assert_eq!(
        (st, location),
        (StatusCode::SEE_OTHER, format!("/cases/{cid}?saved=confirm")),
        "{html}"
    );
    let v = case_of(&m, &psirt, cid).await;
    assert_eq!(v["case"]["state"], "open", "{v}");
    assert_eq!(v["case"]["body"]["aware_at"], "2026-09-21T14:30:00Z");
    // The proposal's own entry, then the one typed into the form.
    let ledger = v["case"]["body"]["evidence"].as_array().unwrap().clone();
    let typed = ledger.last().unwrap();
    assert_eq!(
        (typed["source"].as_str(), typed["reference"].as_str()),
        (Some("researcher"), Some(reference.as_str())),
        "{ledger:?}"
    );

    // Evidence: a reference is required; then the ledger grows.
    let path = format!("/cases/{cid}/evidence");
    let (st, _, html) = post(
        &m,
        &psirt,
        &path,
        &[("source", "kev"), ("reference", "")],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"e-ref-error\""), "{html}");
    let (st, _, _) = post(
        &m,
        &psirt,
        &path,
        &[
            ("source", "kev"),
            ("at", "2026-09-21T14:40"),
            ("reference", "CISA KEV CVE-2023-44487"),
        ],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let ev = case_of(&m, &psirt, cid).await["case"]["body"]["evidence"].clone();
    assert_eq!(ev.as_array().unwrap().len(), ledger.len() + 1, "{ev}");
    let ev = &ev[ledger.len()];
    assert_eq!(ev["source"], "kev");
    assert_eq!(ev["at"], "2026-09-21T14:40:00Z");
    assert!(
        ev["recorded_by"]
            .as_str()
            .unwrap()
            .contains("psirt@acme.example")
    );

    // Submitting before the case holds what the stage needs names the missing fields.
    let submit = format!("/cases/{cid}/submit");
    let (_, d) = m
        .call(
            &psirt,
            Method::GET,
            &format!("/api/v1/cases/{cid}/draft?stage=early-warning"),
            None,
        )
        .await;
    let missing = d["missing"].as_array().unwrap().clone();
    if !missing.is_empty() {
        let (st, _, html) = post(&m, &psirt, &submit, &[("stage", "early-warning")], true).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        for f in &missing {
            let label = f["label"].as_str().unwrap();
            assert!(html.contains(label), "{label} not named: {html}");
        }
    }
    // The edit form: bad input named; good input stored through the API's PATCH.
    let edit = format!("/cases/{cid}/edit");
    let (_, html) = page(&m, &psirt, &format!("/cases/{cid}")).await;
    assert!(html.contains("id=\"edit-form\"") && html.contains("Command injection"));
    let (st, _, html) = post(
        &m,
        &psirt,
        &edit,
        &[("severity", "high"), ("cvss_score", "eleven")],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"u-cvss-error\""), "{html}");
    let (st, location, html) = post(
        &m,
        &psirt,
        &edit,
        &[
            ("description", "The ping field passes its value to a shell."),
            (
                "measures_taken",
                "disabled the diagnostics page\nreleased 2.4.2",
            ),
            ("severity", "high"),
            ("cvss_score", "8.8"),
            ("sensitivity", "tlp:amber"),
            ("_groups", "delay_requested"),
            ("delay_requested", "on"),
        ],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{html}");
    assert_eq!(location, format!("/cases/{cid}?saved=update"));
    let body = case_of(&m, &psirt, cid).await["case"]["body"].clone();
    assert_eq!(body["sensitivity"], "tlp:amber", "{body}");
    assert_eq!(
        body["measures_taken"],
        json!(["disabled the diagnostics page", "released 2.4.2"])
    );
    assert_eq!(body["severity"]["cvss_score"], 8.8);
    assert_eq!(body["delay_requested"], true);
    assert_eq!(
        body["aware_at"], "2026-09-21T14:30:00Z",
        "identity unchanged"
    );
    // Now the early warning goes out (kept for the portal: no endpoint configured).
    let (st, location, html) = post(&m, &psirt, &submit, &[("stage", "early-warning")], true).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{html}");
    assert_eq!(location, format!("/cases/{cid}?saved=submit"));
    let v = case_of(&m, &psirt, cid).await;
    let sub = v["submissions"][0].clone();
    assert_eq!(
        (sub["stage"].as_str(), sub["state"].as_str()),
        (Some("early-warning"), Some("manual")),
        "{sub}"
    );
    let sid = sub["id"].as_i64().unwrap();
    // The portal reference, recorded by hand: the clock counts the stage as submitted.
    let portal = format!("/submissions/{sid}/portal");
    let (st, _, html) = post(&m, &psirt, &portal, &[("reference", "SRP-2026-0042")], true).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("enter when the report was submitted"),
        "{html}"
    );
    let (st, location, _) = post(
        &m,
        &psirt,
        &portal,
        &[
            ("reference", "SRP-2026-0042"),
            ("submitted_at", "2026-09-21T15:00"),
        ],
        true,
    )
    .await;
    assert_eq!(
        (st, location),
        (StatusCode::SEE_OTHER, format!("/cases/{cid}?saved=portal"))
    );
    let v = case_of(&m, &psirt, cid).await;
    assert_eq!(v["submissions"][0]["portal_ref"], "SRP-2026-0042", "{v}");
    assert_eq!(
        v["deadlines"]["stages"][0]["status"], "submitted",
        "{}",
        v["deadlines"]
    );
    let (_, html) = page(&m, &psirt, &format!("/cases/{cid}")).await;
    assert!(html.contains("SRP-2026-0042"));

    // Opening a case by hand (a severe incident): the same checks as the API's POST.
    let (_, html) = page(&m, &psirt, "/cases").await;
    assert!(html.contains("id=\"open-form\"") && html.contains(">AX3000 router</option>"));
    let incident = [
        ("kind", "incident"),
        (
            "title",
            "Build server compromised; signed malicious firmware",
        ),
        ("product_id", product_id.as_str()),
        ("aware_at", "2026-09-21T15:00"),
        (
            "description",
            "An attacker signed a firmware image with our release key.",
        ),
        ("ev_source", "own-telemetry"),
        ("ev_reference", "SIEM alert 2026-0921-17"),
    ];
    assert_eq!(
        post(&m, &psirt, "/cases", &incident, false).await.0,
        StatusCode::FORBIDDEN
    );
    let mut untitled = incident;
    untitled[1] = ("title", " ");
    let (st, _, html) = post(&m, &psirt, "/cases", &untitled, true).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"o-title-error\""), "{html}");
    let mut future = incident;
    future[3] = ("aware_at", "2026-09-22T15:00");
    let (st, _, html) = post(&m, &psirt, "/cases", &future, true).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"o-aware-error\""), "{html}");
    let (st, v) = m
        .call(
            &psirt,
            Method::POST,
            "/api/v1/cases",
            Some(json!({"kind": "incident", "title": "", "product_id": p["id"], "aware_at": "2026-09-21T15:00:00Z"})),
        )
        .await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("title")),
        "the API shares the check"
    );
    let (_, all) = m.call(&psirt, Method::GET, "/api/v1/cases", None).await;
    let before = all.as_array().unwrap().len();
    let (st, location, html) = post(&m, &psirt, "/cases", &incident, true).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{html}");
    let opened: i64 = location
        .strip_prefix("/cases/")
        .and_then(|l| l.strip_suffix("?saved=open"))
        .unwrap_or_else(|| panic!("{location}"))
        .parse()
        .unwrap();
    let v = case_of(&m, &psirt, opened).await;
    assert_eq!(
        (v["case"]["kind"].as_str(), v["case"]["state"].as_str()),
        (Some("incident"), Some("open")),
        "{v}"
    );
    assert_eq!(v["case"]["body"]["evidence"][0]["source"], "own-telemetry");
    assert_eq!(
        v["deadlines"]["stages"][0]["due"], "2026-09-22T15:00:00Z",
        "24 h from awareness"
    );
    let (_, all) = m.call(&psirt, Method::GET, "/api/v1/cases", None).await;
    assert_eq!(all.as_array().unwrap().len(), before + 1);
    // The incident's own fields (Art. 14(4)(a), 14(5)) are on its edit form; with them its
    // early warning goes out.
    let (_, html) = page(&m, &psirt, &format!("/cases/{opened}")).await;
    assert!(
        html.contains("name=\"severe_grounds\"") && html.contains("name=\"malicious_suspected\"")
    );
    let (st, _, html) = post(
        &m,
        &psirt,
        &format!("/cases/{opened}/edit"),
        &[
            ("_groups", "severe_grounds"),
            ("severe_grounds", "malicious-code"),
            ("malicious_suspected", "yes"),
            ("sensitivity", "tlp:amber+strict"),
        ],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{html}");
    let body = case_of(&m, &psirt, opened).await["case"]["body"].clone();
    assert_eq!(body["severe_grounds"], json!(["malicious-code"]), "{body}");
    assert_eq!(body["malicious_suspected"], true);
    assert_eq!(
        body["description"], "An attacker signed a firmware image with our release key.",
        "fields the form did not send are kept"
    );
    let (st, _, html) = post(
        &m,
        &psirt,
        &format!("/cases/{opened}/submit"),
        &[("stage", "early-warning")],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{html}");
    let v = case_of(&m, &psirt, opened).await;
    assert_eq!(v["submissions"][0]["stage"], "early-warning", "{v}");

    // A viewer sees no forms and is refused; another organisation gets 404.
    let viewer = m.add_member(&psirt, "viewer@acme.example", "viewer").await;
    let (st, html) = page(&m, &viewer, &format!("/cases/{cid}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(!html.contains("id=\"evidence-form\"") && !html.contains("id=\"edit-form\""));
    let evidence = [("source", "csirt"), ("reference", "CSIRT DE ticket 7")];
    assert_eq!(
        post(&m, &viewer, &path, &evidence, true).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(&m, &viewer, "/cases", &incident, true).await.0,
        StatusCode::FORBIDDEN
    );
    let (_, html) = page(&m, &viewer, "/cases").await;
    assert!(!html.contains("id=\"open-form\""));
    let (st, other) = m
        .call(
            &psirt,
            Method::POST,
            "/api/v1/orgs",
            Some(json!({"name": "Other Devices SA", "kind": "manufacturer", "member_state": "FR"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{other}");
    switch(&m, &psirt, &other["id"]).await;
    assert_eq!(
        page(&m, &psirt, &format!("/cases/{cid}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post(&m, &psirt, &path, &evidence, true).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post(
            &m,
            &psirt,
            &portal,
            &[("reference", "x"), ("submitted_at", "2026-09-21T15:00")],
            true
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );

    // The form and the API share one limit per address (10 an hour; the form's three
    // reports are an hour old on the manual clock now).
    let mut last = StatusCode::OK;
    for _ in 0..10 {
        last = m
            .call(
                &public,
                Method::POST,
                "/api/v1/public/voluntary-reports",
                Some(json!({"organisation_id": acme_id.parse::<i64>().unwrap()})),
            )
            .await
            .0;
    }
    assert_eq!(
        last,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the tenth is still taken"
    );
    let (st, _, html) = post(&m, &public, "/report", &report, false).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        html.contains("too many reports from this address"),
        "{html}"
    );
    m.shutdown().await;
}

/// The coordinator's forward works for every stage (issue 14: only early warnings carried the
/// member-state list, so a notification or final report was forwarded to nobody): the other
/// listed CSIRT opens each forwarded report and finds it in its inbox; an unforwarded one stays
/// out of reach.
async fn forwarding_reaches_the_other_csirt_for_every_stage(engine: Engine) {
    use cyres_cra::StageKind;
    let Some(auth) = start(engine).await else {
        return;
    };
    setup(
        &auth,
        json!({"email": "ops@enisa.example", "org_name": "ENISA", "org_kind": "enisa"}),
    )
    .await;
    let ops = auth.login("ops@enisa.example", PASSWORD).await;
    let (_, de) = auth
        .provision(
            "ops@enisa.example",
            json!({"name": "CSIRT DE", "kind": "csirt", "member_state": "DE"}),
        )
        .await;
    let (_, fr) = auth
        .provision(
            "ops@enisa.example",
            json!({"name": "CSIRT FR", "kind": "csirt", "member_state": "FR"}),
        )
        .await;
    let (_, acme) = auth
        .call(
            &ops,
            Method::POST,
            "/api/v1/orgs",
            Some(
                json!({"name": "Acme Routers GmbH", "kind": "manufacturer", "member_state": "DE"}),
            ),
        )
        .await;
    switch(&auth, &ops, &acme["id"]).await;
    let sender = auth.token(&ops, "editor").await;
    let stages = [
        StageKind::EarlyWarning,
        StageKind::Notification,
        StageKind::FinalReport,
    ];
    for stage in stages {
        deliver(&auth, &sender, stage).await;
    }
    // Before any decision the French CSIRT sees none of them.
    switch(&auth, &ops, &fr["id"]).await;
    let (_, inbox) = auth
        .call(&ops, Method::GET, "/api/v1/authority/inbox", None)
        .await;
    assert_eq!(inbox, json!([]), "{inbox}");
    // The German coordinator forwards each stage; each decision names FR.
    switch(&auth, &ops, &de["id"]).await;
    let (_, inbox) = auth
        .call(&ops, Method::GET, "/api/v1/authority/inbox", None)
        .await;
    let ids: Vec<i64> = inbox
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "{inbox}");
    for id in &ids[..2] {
        let (st, d) = auth
            .call(
                &ops,
                Method::POST,
                &format!("/api/v1/authority/reports/{id}/decision"),
                Some(json!({"dissemination": {"action": "forward"}})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{d}");
        assert!(
            d["forward_now"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m == "FR"),
            "report {id}: {d}"
        );
    }
    // France opens the two forwarded reports, finds them in its inbox, and not the third.
    switch(&auth, &ops, &fr["id"]).await;
    let (_, inbox) = auth
        .call(&ops, Method::GET, "/api/v1/authority/inbox", None)
        .await;
    let mut seen: Vec<i64> = inbox
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    seen.sort_unstable();
    let mut forwarded = ids[..2].to_vec();
    forwarded.sort_unstable();
    assert_eq!(seen, forwarded, "{inbox}");
    for id in &ids[..2] {
        let (st, v) = auth
            .call(
                &ops,
                Method::GET,
                &format!("/api/v1/authority/reports/{id}"),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
    }
    let (st, _) = auth
        .call(
            &ops,
            Method::GET,
            &format!("/api/v1/authority/reports/{}", ids[2]),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Forwarding the last one (whichever stage it is) reaches France too.
    switch(&auth, &ops, &de["id"]).await;
    let (st, d) = auth
        .call(
            &ops,
            Method::POST,
            &format!("/api/v1/authority/reports/{}/decision", ids[2]),
            Some(json!({"dissemination": {"action": "forward"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{d}");
    switch(&auth, &ops, &fr["id"]).await;
    let (_, inbox) = auth
        .call(&ops, Method::GET, "/api/v1/authority/inbox", None)
        .await;
    assert_eq!(inbox.as_array().unwrap().len(), 3, "{inbox}");
    let stages_seen: std::collections::BTreeSet<String> = inbox
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["stage"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(stages_seen.len(), 3, "all three stages: {stages_seen:?}");
    auth.shutdown().await;
}
