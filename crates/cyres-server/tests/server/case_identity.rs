//! What a confirmed case says about itself to users and authorities (issue 17, point 9), over
//! real HTTP on SQLite and PostgreSQL: a human title (the CVE and the component, then what the
//! flaw does), only identifiers a reader can look up (no other ecosystem's vendor aliases such
//! as the fifteen Bitnami ids of CVE-2023-44487 on a Go module), and the organisation's
//! security contact in the Art. 14(2) draft and the Art. 14(8) notice even when the case was
//! opened before the contact was given.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

both!(cases_name_a_human_title_public_ids_and_the_contact);

async fn cases_name_a_human_title_public_ids_and_the_contact(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let psirt = s.bootstrap("Acme Routers GmbH", "psirt@acme.example").await;
    let (_, _, cid) = s.confirmed_example_case(&psirt).await;
    let (_, v) = s
        .call(&psirt, Method::GET, &format!("/api/v1/cases/{cid}"), None)
        .await;
    let body = &v["case"]["body"];
    let title = body["title"].as_str().unwrap_or_default();
    assert!(
        title.starts_with("CVE-2023-44487 in golang.org/x/net "),
        "a human title: {title:?} in {v}"
    );
    assert!(title.contains("Rapid Reset"), "{title}");
    assert_eq!(body["cve_ids"], json!(["CVE-2023-44487"]), "{body}");
    let ids = body["advisory_ids"].to_string();
    assert!(ids.contains("GHSA-qppj-fm5r-hxr3"), "{ids}");
    assert!(
        !ids.contains("BIT-"),
        "no Bitnami ids on a Go module: {ids}"
    );

    // The contact, given after the case was opened, reaches the draft and the notice.
    let (st, draft) = s
        .call(
            &psirt,
            Method::GET,
            &format!("/api/v1/cases/{cid}/draft?stage=early-warning"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(!draft.to_string().contains("security@acme.example"));
    let (st, v) = s
        .call(
            &psirt,
            Method::PUT,
            "/api/v1/public-face",
            Some(json!({"contact_email": "security@acme.example"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (_, draft) = s
        .call(
            &psirt,
            Method::GET,
            &format!("/api/v1/cases/{cid}/draft?stage=early-warning"),
            None,
        )
        .await;
    assert!(
        draft.to_string().contains("security@acme.example"),
        "{draft}"
    );
    let (st, notice) = s
        .call(
            &psirt,
            Method::GET,
            &format!("/api/v1/cases/{cid}/notice.json"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{notice}");
    assert!(
        notice.to_string().contains("security@acme.example"),
        "{notice}"
    );
    assert!(!notice.to_string().contains("BIT-"), "{notice}");
    // The case page shows it too.
    let (st, html) = page(&s, &psirt, &format!("/cases/{cid}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("CVE-2023-44487 in golang.org/x/net"));
    s.shutdown().await;
}
