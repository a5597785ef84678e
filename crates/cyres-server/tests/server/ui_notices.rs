//! The web forms for notices to impacted users (CRA Art. 14(8)) over real HTTP on loopback, on
//! SQLite and PostgreSQL: the product page's subscribers (add an e-mail contact and a webhook,
//! the webhook's secret shown once, remove one, the public feed links) and the case page's
//! "publish notice to subscribers" form with its published versions. Every form POST is
//! checked against what the API then shows, and the refusals: no CSRF field, an invalid
//! address, a notice still missing fields, a viewer, a foreign organisation.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

both!(subscribers_and_publication_through_the_forms);

/// The text between `start` and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {html}"))
        + start.len();
    let len = html[from..].find(end).unwrap();
    &html[from..from + len]
}

async fn subscribers_and_publication_through_the_forms(engine: Engine) {
    let Some(m) = start(engine).await else {
        return;
    };
    // A webhook receiver standing in for a customer's security tooling.
    let hook_app = axum::Router::new().route(
        "/notices",
        axum::routing::post(|| async { StatusCode::NO_CONTENT }),
    );
    let hook_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}/notices", hook_listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(hook_listener, hook_app).await });

    let psirt = m.bootstrap("Acme Routers GmbH", "psirt@acme.example").await;
    let (st, p) = m
        .call(
            &psirt,
            Method::POST,
            "/api/v1/products",
            Some(json!({"name": "AX3000 router", "member_states": ["DE"]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let pid = p["id"].as_i64().unwrap();
    let product = format!("/products/{pid}");
    let subs = format!("/products/{pid}/subscribers");
    let api_subs = format!("/api/v1/products/{pid}/subscribers");

    // The section, empty, with the product's public page and feeds (the API's URLs).
    let (st, html) = page(&m, &psirt, &product).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("id=\"no-subscribers\"") && html.contains("id=\"subscriber-form\""));
    let (_, notices) = m
        .call(
            &psirt,
            Method::GET,
            &format!("/api/v1/products/{pid}/notices"),
            None,
        )
        .await;
    let feed_page = notices["feed"]["page"].as_str().unwrap();
    assert!(feed_page.contains("/security-notices/"), "{notices}");
    assert!(html.contains(&format!("href=\"{feed_page}\"")), "{html}");
    assert!(html.contains(notices["feed"]["atom"].as_str().unwrap()));

    // No CSRF field: refused, nothing stored.
    let mail = [
        ("email", "security@customer.example"),
        ("label", "Customer GmbH"),
    ];
    assert_eq!(
        post(&m, &psirt, &subs, &mail, false).await.0,
        StatusCode::FORBIDDEN
    );
    // An address that is not a plain mailbox is named next to its field, what was typed kept.
    let (st, _, html) = post(
        &m,
        &psirt,
        &subs,
        &[
            ("email", "security at customer"),
            ("label", "Customer GmbH"),
        ],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        between(&html, "id=\"s-email-error\">", "</p>").contains("plain e-mail address"),
        "{html}"
    );
    assert!(
        html.contains("value=\"security at customer\"") && html.contains("value=\"Customer GmbH\"")
    );
    // Both channels at once: one of them, said on the e-mail field.
    let (st, _, html) = post(
        &m,
        &psirt,
        &subs,
        &[("email", "a@b.example"), ("webhook_url", &hook_url)],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        between(&html, "id=\"s-email-error\">", "</p>").contains("exactly one"),
        "{html}"
    );
    assert_eq!(
        m.call(&psirt, Method::GET, &api_subs, None).await.1,
        json!([])
    );

    // An e-mail contact: redirect after post, then listed.
    let (st, location, _) = post(&m, &psirt, &subs, &mail, true).await;
    assert_eq!(
        (st, location.as_str()),
        (
            StatusCode::SEE_OTHER,
            format!("/products/{pid}?subscribed=1#subscribers").as_str()
        )
    );
    let (_, html) = page(&m, &psirt, &product).await;
    let table = between(&html, "id=\"subscriber-table\"", "</table>");
    assert!(
        table.contains("security@customer.example") && table.contains("Customer GmbH"),
        "{table}"
    );
    // The same address again is refused (a conflict), said above the form.
    let (st, _, html) = post(&m, &psirt, &subs, &mail, true).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(
        between(&html, "id=\"subscriber-error\">", "</p>").contains("already subscribed"),
        "{html}"
    );

    // A webhook: its signing secret is on the answer, once.
    let (st, _, html) = post(
        &m,
        &psirt,
        &subs,
        &[("webhook_url", &hook_url), ("label", "Integrator SIEM")],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{html}");
    let secret = between(&html, "id=\"new-secret\">", "</span>").to_string();
    assert!(secret.len() >= 32, "{secret}");
    assert!(html.contains("X-Cyres-Signature"));
    let (_, html) = page(&m, &psirt, &product).await;
    assert!(!html.contains(&secret) && !html.contains("id=\"new-secret\""));
    assert!(html.contains(&hook_url));
    let (_, list) = m.call(&psirt, Method::GET, &api_subs, None).await;
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    assert!(!list.to_string().contains(&secret));

    // A case of the product, from a researcher's voluntary report, confirmed through the API.
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
        .call(
            &psirt,
            Method::POST,
            &format!("/api/v1/cases/{cid}/confirm"),
            Some(json!({
                "aware_at": "2026-09-21T14:13:20Z", "product_id": pid,
                "evidence": [{"source": "researcher", "reference": "ticket SEC-4411"}]
            })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let case_page = format!("/cases/{cid}");
    let publish = format!("/cases/{cid}/notice/publish");

    // Art. 14(8) (issue 15 point 3): users are informed "where necessary" of measures, so a
    // case with no measure and no fix yet can be published; the page says the notice will state
    // that none is available yet, and nothing is published until someone asks.
    let (_, html) = page(&m, &psirt, &case_page).await;
    assert!(!html.contains("id=\"notice-blocked\""), "{html}");
    assert!(html.contains("id=\"notice-no-measures\""), "{html}");
    assert!(html.contains("id=\"publish-form\"") && html.contains("id=\"no-versions\""));
    let (_, log) = m
        .call(
            &psirt,
            Method::GET,
            &format!("/api/v1/cases/{cid}/notices"),
            None,
        )
        .await;
    assert_eq!(log, json!([]));

    let (st, v) = m
        .call(
            &psirt,
            Method::PATCH,
            &format!("/api/v1/cases/{cid}"),
            Some(json!({
                "user_measures": ["Disable remote administration until 2.4.2 is installed"]
            })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (_, html) = page(&m, &psirt, &case_page).await;
    assert!(
        html.contains("id=\"publish-form\"")
            && !html.contains("id=\"notice-blocked\"")
            && !html.contains("id=\"notice-no-measures\""),
        "{html}"
    );
    assert_eq!(
        post(&m, &psirt, &publish, &[], false).await.0,
        StatusCode::FORBIDDEN
    );

    // Publish through the form: version 1 to both subscribers, as the API shows.
    let (st, location, _) = post(&m, &psirt, &publish, &[("correction", "")], true).await;
    assert_eq!(
        (st, location),
        (
            StatusCode::SEE_OTHER,
            format!("/cases/{cid}?saved=publish#notices")
        )
    );
    let log_path = format!("/api/v1/cases/{cid}/notices");
    let (_, log) = m.call(&psirt, Method::GET, &log_path, None).await;
    assert_eq!(log.as_array().unwrap().len(), 1, "{log}");
    assert_eq!(log[0]["notice"]["version"], 1);
    assert_eq!(log[0]["notice"]["correction"], Value::Null);
    let states: Vec<&str> = log[0]["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["state"].as_str().unwrap())
        .collect();
    assert_eq!(states.len(), 2, "{log}");
    assert!(
        states
            .iter()
            .all(|s| ["pending", "delivered", "skipped"].contains(s)),
        "{states:?}"
    );
    // The webhook delivery arrives; the page counts it.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (_, log) = m.call(&psirt, Method::GET, &log_path, None).await;
        if log[0]["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["channel"] == "webhook" && d["state"] == "delivered")
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "webhook delivery: {log}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, html) = page(&m, &psirt, &format!("{case_page}?saved=publish")).await;
    assert!(html.contains("id=\"saved-notice\""));
    let versions = between(&html, "id=\"notice-versions\"", "</table>");
    assert!(
        versions.contains("delivered") && versions.contains("Command injection"),
        "{versions}"
    );
    // Version 1 links its public page, which anyone can open.
    let v1_url = between(versions, "<a href=\"", "\"").to_string();
    assert!(
        v1_url.starts_with(
            feed_page
                .replace("/security-notices/", "/api/v1/public/notices/")
                .as_str()
        ) && v1_url.ends_with(".html"),
        "{v1_url}"
    );
    // (The configured public URL is not the test server's address; the path is.)
    let v1_path = &v1_url[v1_url.find("/api/").unwrap()..];
    let r = reqwest::get(m.url(v1_path)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Command injection"));

    // A correction is the next version; a too-long one is named on its field.
    let long = "x".repeat(2001);
    let (st, _, html) = post(&m, &psirt, &publish, &[("correction", &long)], true).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        between(&html, "id=\"n-correction-error\">", "</p>").contains("2000"),
        "{html}"
    );
    let (st, _, _) = post(
        &m,
        &psirt,
        &publish,
        &[("correction", "The fixed release is 2.4.2.")],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, log) = m.call(&psirt, Method::GET, &log_path, None).await;
    assert_eq!(
        (
            log[0]["notice"]["version"].as_i64(),
            log[0]["notice"]["correction"].as_str()
        ),
        (Some(2), Some("The fixed release is 2.4.2.")),
        "{log}"
    );

    // Remove the e-mail contact through its button.
    let sid = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["channel"] == "email")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let remove = format!("/subscribers/{sid}/delete");
    assert_eq!(
        post(&m, &psirt, &remove, &[], false).await.0,
        StatusCode::FORBIDDEN
    );

    // A viewer reads the section (how many, the feed links) and publications, with no forms,
    // and is refused on every POST.
    let viewer = m.add_member(&psirt, "viewer@acme.example", "viewer").await;
    let (st, html) = page(&m, &viewer, &product).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        !html.contains("id=\"subscriber-form\"") && !html.contains("/delete\""),
        "{html}"
    );
    assert!(!html.contains("security@customer.example"));
    assert!(
        between(&html, "id=\"subscriber-count\">", "</p>").starts_with("2 active"),
        "{html}"
    );
    assert!(html.contains(&format!("href=\"{feed_page}\"")));
    let (_, html) = page(&m, &viewer, &case_page).await;
    assert!(!html.contains("id=\"publish-form\"") && html.contains("id=\"notice-versions\""));
    assert_eq!(
        post(&m, &viewer, &subs, &[("email", "v@x.example")], true)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(&m, &viewer, &publish, &[], true).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(&m, &viewer, &remove, &[], true).await.0,
        StatusCode::FORBIDDEN
    );

    let (st, location, _) = post(&m, &psirt, &remove, &[], true).await;
    assert_eq!(
        (st, location),
        (
            StatusCode::SEE_OTHER,
            format!("/products/{pid}?removed=1#subscribers")
        )
    );
    let (_, list) = m.call(&psirt, Method::GET, &api_subs, None).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["channel"], "webhook");
    let (_, html) = page(&m, &psirt, &product).await;
    assert!(
        !between(&html, "id=\"subscriber-table\"", "</table>")
            .contains("security@customer.example")
    );

    // Another organisation of the same person: the product, its subscribers and the case are
    // not found, through every form.
    let (st, other) = m
        .call(
            &psirt,
            Method::POST,
            "/api/v1/orgs",
            Some(json!({"name": "Other Devices SA", "kind": "manufacturer", "member_state": "FR"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{other}");
    let (st, v) = m
        .call(
            &psirt,
            Method::POST,
            "/api/v1/session/org",
            Some(json!({"org_id": other["id"]})),
        )
        .await;
    assert!(st.is_success(), "{st} {v}");
    assert_eq!(page(&m, &psirt, &product).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        post(&m, &psirt, &subs, &[("email", "f@x.example")], true)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let hook_id = list[0]["id"].as_i64().unwrap();
    assert_eq!(
        post(
            &m,
            &psirt,
            &format!("/subscribers/{hook_id}/delete"),
            &[],
            true
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post(&m, &psirt, &publish, &[], true).await.0,
        StatusCode::NOT_FOUND
    );
    m.shutdown().await;
}
