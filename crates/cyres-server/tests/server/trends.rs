//! Trends (issue 17, point 8) over real HTTP on loopback, on SQLite and PostgreSQL: the
//! series follows upload and triage times under the injected clock, time to triage and to fix
//! are measured from first seen, the dashboard chart, the Trends page, the JSON and the CSV
//! give the same numbers, and another organisation's product answers 404.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both!(trends_follow_uploads_and_decisions);

const DAY: i64 = 86_400;

async fn trends_follow_uploads_and_decisions(engine: Engine) {
    let Some(s) = start(engine).await else {
        return;
    };
    let session = s.bootstrap("Acme Routers GmbH", "psirt@acme.example").await;
    // Sessions expire while the clock moves days ahead; a token does not.
    let admin = s.token(&session, "admin").await;
    for f in std::fs::read_dir(root().join("examples/advisories")).unwrap() {
        s.import(&admin, &f.unwrap().path()).await;
    }
    s.import(&admin, &root().join("examples/kev.json")).await;
    let (pid, rid) = s.product_release(&admin, "AX3000 router", "2.4.1").await;
    let bytes = std::fs::read(root().join("examples/sboms/router-fw-2.4.1.cdx.json")).unwrap();
    let (st, up) = s.upload(&admin, rid, bytes, "router.cdx.json").await;
    assert_eq!(st, StatusCode::CREATED, "{up}");
    assert_eq!(
        (up["findings"].as_i64(), up["exploited"].as_i64()),
        (Some(4), Some(2))
    );

    // Two days later one finding is found not to affect the product; five days after upload
    // another is fixed; the clock then moves one more day.
    let (_, list) = s
        .call(
            &admin,
            Method::GET,
            &format!("/api/v1/findings?product={pid}"),
            None,
        )
        .await;
    let findings = list.as_array().expect("a list").clone();
    assert_eq!(findings.len(), 4);
    let not_exploited: Vec<&Value> = findings
        .iter()
        .filter(|f| f["exploited"] == false)
        .collect();
    let exploited: Vec<&Value> = findings.iter().filter(|f| f["exploited"] == true).collect();
    s.clock.advance(2 * DAY);
    let triage = |id: &Value, body: Value| {
        let path = format!("/api/v1/findings/{id}/triage");
        let admin = admin.clone();
        let s = &s;
        async move { s.call(&admin, Method::POST, &path, Some(body)).await }
    };
    let (st, v) = triage(
        &not_exploited[0]["id"],
        json!({"status": "not_affected", "justification": "vulnerable_code_not_present"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    s.clock.advance(3 * DAY);
    let (st, v) = triage(&exploited[0]["id"], json!({"status": "fixed"})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    s.clock.advance(DAY);

    let (st, m) = s
        .call(
            &admin,
            Method::GET,
            &format!("/api/v1/metrics?product={pid}&days=30"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{m}");
    let series = m["series"].as_array().unwrap();
    assert_eq!(series.len(), 31);
    let total = |p: &Value| -> i64 {
        p["open"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_i64().unwrap())
            .sum()
    };
    let last = &series[30];
    // Sample k days back sits at now - k days: 6 days back is the upload instant.
    assert_eq!(
        total(&series[24]),
        4,
        "all four open at upload: {}",
        series[24]
    );
    assert_eq!(total(&series[23]), 0, "nothing the day before");
    assert_eq!(total(&series[25]), 4);
    assert_eq!(total(&series[26]), 3, "one not affected after two days");
    assert_eq!(total(last), 2, "and one fixed");
    assert_eq!(last["exploited"], 1);
    assert_eq!(total(&series[20]), 0, "nothing before the upload");
    let all = |k: &str| m[k].as_array().unwrap().last().unwrap().clone();
    assert_eq!(all("time_to_triage")["count"], 2);
    assert_eq!(all("time_to_triage")["mean_days"], 3.5);
    assert_eq!(all("time_to_fix")["count"], 1);
    assert_eq!(all("time_to_fix")["mean_days"], 5.0);
    assert_eq!(m["undecided"], 2);
    assert_eq!(m["oldest_undecided_days"], 6);

    // The open count now agrees with the findings list.
    let (_, open_now) = s
        .call(
            &admin,
            Method::GET,
            &format!("/api/v1/findings?product={pid}&status=under_investigation"),
            None,
        )
        .await;
    assert_eq!(open_now.as_array().unwrap().len() as i64, total(last));

    // CSV: the same numbers.
    let r = s
        .req(
            &admin,
            Method::GET,
            &format!("/api/v1/metrics.csv?product={pid}&days=30"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = r.text().await.unwrap();
    assert_eq!(csv.lines().count(), 32);
    assert!(csv.starts_with("date,critical,high,medium,low,other,open,exploited,exposure\r\n"));
    let cells: Vec<&str> = csv.lines().last().unwrap().split(',').collect();
    assert_eq!(cells[6], "2");
    assert_eq!(cells[7], "1");
    assert_eq!(cells[8], last["exposure"].to_string());

    // The dashboard chart and the Trends page say the same.
    let admin = s.login("psirt@acme.example", PASSWORD).await;
    let (st, dash) = page(&s, &admin, "/").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        dash.contains("at most 4 in between"),
        "dashboard chart peak"
    );
    assert!(dash.contains("href=\"/trends\""));
    let (st, t) = page(&s, &admin, &format!("/trends?product={pid}&days=30")).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert!(t.contains("Trends for AX3000 router"));
    assert!(t.contains("<span class=\"big\">2</span> open, <strong>1</strong> actively exploited"));
    assert!(t.contains("Open findings by severity, exploited dashed"));
    assert!(t.contains("all: 3.5 days on average over 2"), "triage bars");
    assert!(
        t.contains(&format!("/api/v1/metrics.csv?days=30&#38;product={pid}")),
        "{t}"
    );

    // Refusals: a window out of range, a word for a number, another organisation's product.
    let (st, v) = s
        .call(&admin, Method::GET, "/api/v1/metrics?days=0", None)
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v.to_string().contains("days"), "{v}");
    let (st, _) = s
        .call(&admin, Method::GET, "/api/v1/metrics?product=abc", None)
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, _) = page(&s, &admin, "/trends?days=100000").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, other) = s
        .provision(
            "psirt@acme.example",
            json!({"name": "Beta Cameras SA", "kind": "manufacturer"}),
        )
        .await;
    assert!(st.is_success());
    let beta = s.login("psirt@acme.example", PASSWORD).await;
    let (st, _) = s
        .call(
            &beta,
            Method::POST,
            "/api/v1/session/org",
            Some(json!({"org_id": other["id"]})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = s
        .call(
            &beta,
            Method::GET,
            &format!("/api/v1/metrics?product={pid}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "a foreign product looks missing");
    let (st, v) = s
        .call(&beta, Method::GET, "/api/v1/metrics?days=30", None)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        v["series"][30]["open"],
        json!([0, 0, 0, 0, 0]),
        "nothing of Acme's"
    );
    let viewer = s.token(&admin, "viewer").await;
    let (st, _) = s.call(&viewer, Method::GET, "/api/v1/metrics", None).await;
    assert_eq!(st, StatusCode::OK, "viewers read trends");
    s.shutdown().await;
}
