//! Firmware in the platform (issue 20): NVD as a configured source (the CVE API 2.0 served by a
//! loopback mirror of the kit's real API 2.0 records, synced by the worker), an OpenWrt
//! release of the kit matched against it, and the release's SBOM quality in the API and on the
//! release page. The kit's NVD data is complete only for 2002–2018 and early-2023 CVE ids: only
//! findings that are there are asserted, never absence.

#[path = "support/harness.rs"]
#[macro_use]
mod harness;

use harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

both!(nvd_source_feeds_firmware_findings_and_the_quality_panel);

/// The kit's 26 real API 2.0 records, served as one CVE API page (with `totalResults`).
async fn nvd_mirror() -> std::net::SocketAddr {
    let file = cyres_kit::nvd_firmware("nvd-api-2.0/nvd-cve-2.0-fkie-abridged.json");
    let doc: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    let items = doc["vulnerabilities"].clone();
    let app = axum::Router::new().route(
        "/nvd/rest/json/cves/2.0",
        axum::routing::get(move || {
            let items = items.clone();
            async move {
                let n = items.as_array().map_or(0, Vec::len);
                axum::Json(
                    json!({"resultsPerPage": n, "startIndex": 0, "totalResults": n,
                    "format": "NVD_CVE", "version": "2.0", "vulnerabilities": items}),
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

async fn nvd_source_feeds_firmware_findings_and_the_quality_panel(engine: Engine) {
    let mirror = nvd_mirror().await;
    let Some(s) = start_with(engine, |c| {
        c.sync_interval_secs = 3600;
        c.sources = vec![cyres_feeds::SourceConfig {
            id: "nvd".into(),
            kind: cyres_feeds::SourceKind::Nvd { api_key: None },
            url: format!("http://{mirror}/nvd/rest/json/cves/2.0"),
        }];
    })
    .await
    else {
        return;
    };
    let admin = s.bootstrap("Router maker", "admin@router.example").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let nvd = loop {
        let (_, v) = s.call(&admin, Method::GET, "/api/v1/sources", None).await;
        let nvd = v[0].clone();
        if nvd["last_sync_at"].is_i64() || std::time::Instant::now() > deadline {
            break nvd;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(nvd["kind"], "nvd", "{nvd}");
    assert_eq!(nvd["last_result"]["fetched"], 26, "{nvd}");
    assert_eq!(nvd["last_result"]["new_or_changed"], 26, "{nvd}");

    // OpenWrt 19.07.0 ships dnsmasq 2.80: DNSpooq (CVE-2020-25681, a real 2.0 record).
    let (pid, rid) = s.product_release(&admin, "Archer C7", "19.07.0").await;
    let bytes = std::fs::read(cyres_kit::openwrt_sbom("19.07.0")).unwrap();
    let (st, up) = s.upload(&admin, rid, bytes, "openwrt.cdx.json").await;
    assert_eq!(st, StatusCode::CREATED, "{up}");
    let (_, fs) = s
        .call(
            &admin,
            Method::GET,
            &format!("/api/v1/findings?release={rid}&limit=500"),
            None,
        )
        .await;
    let items = fs["items"].as_array().or(fs.as_array()).unwrap().clone();
    let dnspooq = items
        .iter()
        .find(|f| f["advisory_id"] == "CVE-2020-25681" && f["component_name"] == "dnsmasq")
        .unwrap_or_else(|| panic!("{fs}"));
    assert_eq!(dnspooq["match_kind"], "cpe");
    assert_eq!(dnspooq["provenance"], "nvd");

    // SBOM quality: the API (BSI by default, NTIA on request) and the release page.
    let path = format!("/api/v1/releases/{rid}/sbom/quality");
    let (st, q) = s.call(&admin, Method::GET, &path, None).await;
    assert_eq!(st, StatusCode::OK, "{q}");
    assert_eq!(q["profile"], "bsi-tr-03183-2-v2.0");
    assert!(q["score"].as_u64().unwrap() <= 100);
    assert!(
        q["document"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["field"]["id"] == "sbom-creator")
    );
    let (st, n) = s
        .call(&admin, Method::GET, &format!("{path}?profile=ntia"), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{n}");
    assert_eq!(n["profile"], "ntia-minimum-elements");
    let (st, bad) = s
        .call(&admin, Method::GET, &format!("{path}?profile=iso"), None)
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    let (_, other) = s.product_release(&admin, "Without SBOM", "1").await;
    let (st, _) = s
        .call(
            &admin,
            Method::GET,
            &format!("/api/v1/releases/{other}/sbom/quality"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, html) = page(&s, &admin, &format!("/products/{pid}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("SBOM quality (BSI TR-03183-2 v2.0)"),
        "{html}"
    );
    assert!(html.contains(&format!("id=\"quality-{rid}\"")));
    assert!(
        html.contains(&format!("{}%", q["score"])),
        "the API's score on the page"
    );
}
