//! Bulk triage, carried-over decisions, VEX export and import, the findings CSV over HTTP
//! (issue 17 points 3 and 4). Included by `platform.rs`, run on both engines.

use super::*;

/// Posts raw bytes and returns (status, JSON).
async fn post_raw(s: &Server, who: &Who, path: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let r = s
        .req(who, Method::POST, path)
        .body(body)
        .send()
        .await
        .unwrap();
    let st = r.status();
    let text = r.text().await.unwrap();
    (
        st,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn get_text(s: &Server, who: &Who, path: &str) -> (StatusCode, String, String) {
    let r = s.req(who, Method::GET, path).send().await.unwrap();
    let st = r.status();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (st, ct, r.text().await.unwrap())
}

pub(crate) async fn vex_round_trip_and_bulk_triage(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Acme", "admin@acme.example").await;
    let (pid, rid) = seeded(&s, &admin).await;
    let viewer = s.token(&admin, "viewer").await;
    let (_, fs) = s
        .call(
            &admin,
            Method::GET,
            &format!("/api/v1/findings?release={rid}"),
            None,
        )
        .await;
    let n = fs.as_array().unwrap().len();
    assert!(n >= 3, "{fs}");

    // Bulk triage: an empty filter is refused unless it says all; a viewer may not.
    let decision = json!({"status": "not_affected", "justification": "vulnerable_code_not_in_execute_path",
        "impact_statement": "the firmware never calls it", "responses": ["will_not_fix"], "comment": "bulk"});
    let mut body = decision.clone();
    body["filter"] = json!({});
    let (st, v) = s
        .call(&admin, Method::POST, "/api/v1/findings/triage", Some(body))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "filter");
    let mut body = decision.clone();
    body["filter"] = json!({"release": rid.to_string()});
    let (st, _) = s
        .call(
            &viewer,
            Method::POST,
            "/api/v1/findings/triage",
            Some(body.clone()),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, v) = s
        .call(&admin, Method::POST, "/api/v1/findings/triage", Some(body))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["decided"], n);

    // Export in each format; each reads back with every decision.
    for (format, media) in [
        ("cyclonedx", "application/vnd.cyclonedx+json"),
        ("cyclonedx-1.5", "application/vnd.cyclonedx+json"),
        ("openvex", "application/openvex+json"),
        ("csaf", "application/json"),
    ] {
        let (st, ct, text) = get_text(
            &s,
            &viewer,
            &format!("/api/v1/releases/{rid}/vex?format={format}"),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{format}: {text}");
        assert_eq!(ct, media);
        let f = cyres_vex::Format::parse(format).unwrap();
        let doc = cyres_vex::read(f, text.as_bytes()).unwrap().document;
        assert_eq!(doc.author, "Acme");
        assert_eq!(doc.product.version, "2.4.1");
        assert!(!doc.statements.is_empty());
        assert!(
            doc.statements
                .iter()
                .all(|s| s.status == cyres_vex::Status::NotAffected
                    && s.impact_statement.as_deref() == Some("the firmware never calls it")),
            "{format}"
        );
    }
    let (st, v) = s
        .call(
            &viewer,
            Method::GET,
            &format!("/api/v1/releases/{rid}/vex?format=spdx"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

    // A second release with the same SBOM inherits every decision.
    let (st, r2) = s
        .call(
            &admin,
            Method::POST,
            &format!("/api/v1/products/{pid}/releases"),
            Some(json!({"version": "2.4.2"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let rid2 = r2["id"].as_i64().unwrap();
    let bytes = std::fs::read(root().join("examples/sboms/router-fw-2.4.1.cdx.json")).unwrap();
    let (st, _) = s.upload(&admin, rid2, bytes, "router.cdx.json").await;
    assert_eq!(st, StatusCode::CREATED);
    let (_, fs2) = s
        .call(
            &admin,
            Method::GET,
            &format!("/api/v1/findings?release={rid2}"),
            None,
        )
        .await;
    let f2 = &fs2.as_array().unwrap()[0];
    assert_eq!(f2["status"], "not_affected");
    assert_eq!(f2["decision_release_id"], rid);
    let (_, origin) = s
        .call(
            &viewer,
            Method::GET,
            &format!("/api/v1/findings/{}/origin", f2["id"]),
            None,
        )
        .await;
    assert_eq!(origin["inherited_from"], json!([rid, "2.4.1"]));

    // Import: the release's own export changes nothing; an edited one (exploitable, newer)
    // replaces a decision only when told to, and each statement is reported.
    let (_, _, cdx) = get_text(&s, &admin, &format!("/api/v1/releases/{rid2}/vex")).await;
    let (st, rep) = post_raw(
        &s,
        &admin,
        &format!("/api/v1/releases/{rid2}/vex"),
        cdx.clone().into_bytes(),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{rep}");
    assert_eq!(rep["format"], "cyclonedx");
    assert!(
        rep["statements"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["outcome"] == "unchanged"),
        "{rep}"
    );
    let mut edited: Value = serde_json::from_str(&cdx).unwrap();
    edited["vulnerabilities"][0]["analysis"] =
        json!({"state": "exploitable", "lastUpdated": "2000-01-01T00:00:00Z"});
    edited["vulnerabilities"][0]["recommendation"] = json!("update to 2.4.3");
    let (_, rep) = post_raw(
        &s,
        &admin,
        &format!("/api/v1/releases/{rid2}/vex"),
        edited.to_string().into_bytes(),
    )
    .await;
    assert_eq!(rep["statements"][0]["outcome"], "kept", "{rep}");
    assert!(
        rep["statements"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("not older")
    );
    let (st, _) = post_raw(
        &s,
        &viewer,
        &format!("/api/v1/releases/{rid2}/vex?policy=replace"),
        edited.to_string().into_bytes(),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (_, rep) = post_raw(
        &s,
        &admin,
        &format!("/api/v1/releases/{rid2}/vex?policy=replace"),
        edited.to_string().into_bytes(),
    )
    .await;
    assert_eq!(rep["statements"][0]["outcome"], "replaced", "{rep}");
    let changed = rep["statements"][0]["finding_ids"][0].as_i64().unwrap();
    let (_, f) = s
        .call(
            &admin,
            Method::GET,
            &format!("/api/v1/findings/{changed}"),
            None,
        )
        .await;
    assert_eq!(f["status"], "affected");
    assert_eq!(f["action_statement"], "update to 2.4.3");
    let (st, v) = post_raw(
        &s,
        &admin,
        &format!("/api/v1/releases/{rid2}/vex"),
        b"{\"hello\": 1}".to_vec(),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "format");
    let (st, v) = post_raw(
        &s,
        &admin,
        &format!("/api/v1/releases/{rid2}/vex?policy=latest"),
        cdx.into_bytes(),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

    // CSV: every finding of the filter, one row each, quoted per RFC 4180.
    let (st, ct, csv) = get_text(&s, &viewer, &format!("/api/v1/findings.csv?release={rid}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(ct.starts_with("text/csv"), "{ct}");
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert!(lines[0].starts_with("id,product_id,release_id,component"));
    assert_eq!(lines.len(), n + 1, "{csv}");
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.contains(",not_affected,vulnerable_code_not_in_execute_path,")),
        "{csv}"
    );
    let (_, _, all) = get_text(&s, &viewer, "/api/v1/findings.csv").await;
    assert_eq!(all.trim_end().split("\r\n").count(), 2 * n + 1);
    s.shutdown().await;
}

/// The web UI: downloads and the VEX import on the release page, the bulk form on the findings
/// list, and "inherited from" on a finding of a later release.
pub(crate) async fn vex_and_bulk_triage_in_the_ui(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Acme", "admin@acme.example").await;
    let (pid, rid) = seeded(&s, &admin).await;
    let (st, product) = page(&s, &admin, &format!("/products/{pid}")).await;
    assert_eq!(st, StatusCode::OK);
    for needle in [
        format!("href=\"/api/v1/releases/{rid}/sbom/original\""),
        format!("href=\"/api/v1/releases/{rid}/vex?format=openvex\""),
        format!("action=\"/releases/{rid}/vex\""),
    ] {
        assert!(product.contains(&needle), "{needle}");
    }
    let (_, list) = page(&s, &admin, &format!("/findings?product={pid}")).await;
    assert!(list.contains("id=\"bulk-form\"") && list.contains("id=\"findings-csv\""));
    // Without the CSRF field the form is refused; with it every finding of the product is
    // decided and the list says how many.
    let fields = [
        ("product", pid.to_string()),
        ("decision", "not_affected".into()),
        ("justification", "component_not_present".into()),
        ("comment", "not shipped".into()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (st, _, _) = post(&s, &admin, "/findings/triage", &fields, false).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, location, _) = post(&s, &admin, "/findings/triage", &fields, true).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{location}");
    assert!(location.contains("bulk="), "{location}");
    let (_, list) = page(&s, &admin, &location).await;
    assert!(list.contains("id=\"bulk-notice\""), "{list}");
    let (_, fs) = s
        .call(
            &admin,
            Method::GET,
            &format!("/api/v1/findings?product={pid}"),
            None,
        )
        .await;
    assert!(
        fs.as_array()
            .unwrap()
            .iter()
            .all(|f| f["status"] == "not_affected")
    );
    // A later release with the same SBOM: its finding page says where the decision is from.
    let (_, r2) = s
        .call(
            &admin,
            Method::POST,
            &format!("/api/v1/products/{pid}/releases"),
            Some(json!({"version": "2.5.0"})),
        )
        .await;
    let rid2 = r2["id"].as_i64().unwrap();
    let bytes = std::fs::read(root().join("examples/sboms/router-fw-2.4.1.cdx.json")).unwrap();
    s.upload(&admin, rid2, bytes, "router.cdx.json").await;
    let (_, fs2) = s
        .call(
            &admin,
            Method::GET,
            &format!("/api/v1/findings?release={rid2}"),
            None,
        )
        .await;
    let (_, fpage) = page(&s, &admin, &format!("/findings/{}", fs2[0]["id"])).await;
    assert!(
        fpage.contains("id=\"decision-origin\">inherited from 2.4.1"),
        "{fpage}"
    );
    // The VEX import form (multipart): the release's own export changes nothing.
    let (_, _, cdx) = get_text(&s, &admin, &format!("/api/v1/releases/{rid2}/vex")).await;
    let boundary = "cyresboundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"policy\"\r\n\r\nnewer\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"vex.json\"\r\nContent-Type: application/json\r\n\r\n{cdx}\r\n--{boundary}--\r\n",
        admin.csrf.clone().unwrap()
    );
    let r = s
        .http
        .post(s.url(&format!("/releases/{rid2}/vex")))
        .header("cookie", admin.cookie.clone().unwrap())
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"vex-outcomes\"") && html.contains("class=\"outcome-unchanged\""),
        "{html}"
    );
    assert!(!html.contains("class=\"outcome-applied\""));
    s.shutdown().await;
}

/// A voluntary report's case page shows what was reported; a proposal is dismissed with a
/// reason, once, by an editor.
pub(crate) async fn proposals_show_their_report_and_are_dismissed_with_a_reason(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Acme", "admin@acme.example").await;
    let viewer = s.token(&admin, "viewer").await;
    let public = Who {
        cookie: None,
        csrf: None,
        token: None,
    };
    let (_, orgs) = s.call(&admin, Method::GET, "/api/v1/orgs", None).await;
    let (st, v) = s
        .call(&public, Method::POST, "/api/v1/public/vulnerability-reports", Some(json!({
            "organisation_id": orgs[0]["org"]["id"], "kind": "vulnerability", "manufacturer": "Acme",
            "product": "AX3000 router", "versions": ["2.4.1"], "title": "Command injection in diagnostics",
            "description": "The ping field reaches a shell unquoted.", "exploited": false,
            "reporter_name": "A. Researcher", "reporter_contact": "researcher@example.org"
        })))
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    let (_, cases) = s.call(&admin, Method::GET, "/api/v1/cases", None).await;
    let cid = cases[0]["case"]["id"].as_i64().unwrap();
    let (_, html) = page(&s, &admin, &format!("/cases/{cid}")).await;
    for needle in [
        "id=\"report-content\"",
        "The ping field reaches a shell unquoted.",
        "researcher@example.org",
        "id=\"dismiss-form\"",
    ] {
        assert!(html.contains(needle), "{needle}: {html}");
    }
    let path = format!("/api/v1/cases/{cid}/dismiss");
    let (st, v) = s
        .call(&admin, Method::POST, &path, Some(json!({"reason": "  "})))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "reason");
    let (st, _) = s
        .call(
            &viewer,
            Method::POST,
            &path,
            Some(json!({"reason": "duplicate"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, v) = s
        .call(
            &admin,
            Method::POST,
            &path,
            Some(json!({"reason": "duplicate of SEC-4411"})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
    let (st, _) = s
        .call(
            &admin,
            Method::POST,
            &path,
            Some(json!({"reason": "again"})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (_, c) = s
        .call(&admin, Method::GET, &format!("/api/v1/cases/{cid}"), None)
        .await;
    assert_eq!(c["case"]["state"], "dismissed", "{c}");
    let (_, audit) = s.call(&admin, Method::GET, "/api/v1/audit", None).await;
    assert!(audit.to_string().contains("duplicate of SEC-4411"));
    s.shutdown().await;
}

/// Issue 17 point 4: the list, the CSV export and bulk triage read a query the same way
/// (`q=` and `status=open` included) and select the same findings for it.
pub(crate) async fn list_csv_and_bulk_select_the_same_findings(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Acme", "admin@acme.example").await;
    let (pid, rid) = seeded(&s, &admin).await;
    let (_, all) = s
        .call(&admin, Method::GET, "/api/v1/findings?limit=1000", None)
        .await;
    let every: Vec<i64> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect();
    assert!(every.len() >= 3, "{all}");
    let queries = [
        "q=CVE-2023-44487".to_string(),
        "q=regex&status=open".into(),
        "status=open&severity=high".into(),
        format!("product={pid}&exploited=true"),
        format!("release={rid}&q=ghsa"),
        "q=nosuchword".into(),
    ];
    for (n, query) in queries.iter().enumerate() {
        let (st, listed) = s
            .call(
                &admin,
                Method::GET,
                &format!("/api/v1/findings?{query}&limit=1000&sort=advisory"),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{query}: {listed}");
        let mut listed: Vec<i64> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_i64().unwrap())
            .collect();
        listed.sort_unstable();
        let (st, _, csv) = get_text(&s, &admin, &format!("/api/v1/findings.csv?{query}")).await;
        assert_eq!(st, StatusCode::OK, "{query}: {csv}");
        let exported: Vec<i64> = csv
            .trim_end()
            .split("\r\n")
            .skip(1)
            .map(|l| l.split(',').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(exported, listed, "{query}: CSV and list");
        // Bulk triage by the same query (as the body's filter) decides exactly those.
        let filter: serde_json::Map<String, Value> = query
            .split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k.to_string(), Value::String(v.to_string()))
            })
            .collect();
        let tag = format!("query {n}");
        let (st, v) = s
            .call(
                &admin,
                Method::POST,
                "/api/v1/findings/triage",
                Some(json!({"filter": filter, "status": "affected", "comment": tag})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{query}: {v}");
        assert_eq!(v["decided"], listed.len(), "{query}");
        for id in &every {
            let (_, history) = s
                .call(
                    &admin,
                    Method::GET,
                    &format!("/api/v1/findings/{id}/history"),
                    None,
                )
                .await;
            let last = history
                .as_array()
                .unwrap()
                .last()
                .map(|e| e["comment"].clone());
            assert_eq!(
                last == Some(json!(tag)),
                listed.contains(id),
                "{query}: finding {id}"
            );
        }
    }
    assert!(queries.len() > 1);
    s.shutdown().await;
}
