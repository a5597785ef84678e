//! Firmware in the platform (issue 20): NVD as a configured source (the CVE API 2.0 served by a
//! loopback mirror of the kit's real API 2.0 records, synced by the worker), an OpenWrt
//! release of the kit matched against it, and the release's SBOM quality in the API and on the
//! release page. The kit's NVD data is complete only for 2002–2018 and early-2023 CVE ids: only
//! findings that are there are asserted, never absence.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

both!(
    nvd_source_feeds_firmware_findings_and_the_quality_panel,
    cpe_decisions_and_derived_candidates
);

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

/// A CycloneDX SBOM with one component that carries no CPE.
pub(crate) fn generic_sbom(name: &str, version: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "metadata": {"component": {"type": "firmware", "name": "hand-made", "version": "1"}},
        "components": [{"type": "library", "name": name, "version": version,
            "purl": format!("pkg:generic/{name}@{version}")}]
    }))
    .unwrap()
}

async fn findings_of(s: &Server, who: &Who, rid: i64) -> Vec<Value> {
    let (_, fs) = s
        .call(
            who,
            Method::GET,
            &format!("/api/v1/findings?release={rid}&limit=500"),
            None,
        )
        .await;
    fs["items"].as_array().or(fs.as_array()).unwrap().clone()
}

/// Issue 20, point 3(c): an analyst decision recorded once applies to the portfolio, shows on
/// the finding with who and when, is audited and can be withdrawn; viewers see but cannot
/// decide; a derived candidate's findings stay out of the finding list until confirmed.
async fn cpe_decisions_and_derived_candidates(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Router maker", "admin@router.example").await;
    let nvd = cyres_kit::nvd_firmware("nvd-api-2.0/nvd-cve-2.0-fkie-abridged.json");
    s.import(&admin, &nvd).await;
    let (_, rid) = s.product_release(&admin, "Archer C7", "19.07.0").await;
    let bytes = std::fs::read(cyres_kit::openwrt_sbom("19.07.0")).unwrap();
    assert_eq!(
        s.upload(&admin, rid, bytes, "openwrt.cdx.json").await.0,
        StatusCode::CREATED
    );
    let dropbear = |fs: &[Value]| -> Vec<Value> {
        fs.iter()
            .filter(|f| f["component_name"] == "dropbear")
            .cloned()
            .collect()
    };
    let before = dropbear(&findings_of(&s, &admin, rid).await);
    assert!(!before.is_empty(), "dropbear 2019.78 has 2.0 records");
    assert!(before.iter().all(|f| f["match_kind"] == "cpe_alias"));

    // A viewer sees decisions but cannot record one.
    let viewer = s.token(&admin, "viewer").await;
    let body = json!({"subject": "matt_johnston:dropbear_ssh_server",
        "cpe": "dropbear_ssh_project:dropbear_ssh", "note": "OpenWrt's PKG_CPE_ID"});
    let (st, _) = s
        .call(
            &viewer,
            Method::POST,
            "/api/v1/cpe-decisions",
            Some(body.clone()),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, bad) = s
        .call(
            &admin,
            Method::POST,
            "/api/v1/cpe-decisions",
            Some(json!({"subject": "dropbear", "cpe": "not a cpe"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");

    // The editor's decision relabels every dropbear finding, with who and when.
    let (st, d) = s
        .call(&admin, Method::POST, "/api/v1/cpe-decisions", Some(body))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{d}");
    assert_eq!(d["rematch"]["relabelled"], before.len(), "{d}");
    let after = dropbear(&findings_of(&s, &admin, rid).await);
    assert_eq!(after.len(), before.len());
    assert!(after.iter().all(|f| f["match_kind"] == "analyst_decision"));
    let (_, one) = s
        .call(
            &viewer,
            Method::GET,
            &format!("/api/v1/findings/{}", after[0]["id"]),
            None,
        )
        .await;
    assert_eq!(
        one["cpe_decision"]["vendor"], "dropbear_ssh_project",
        "{one}"
    );
    assert!(
        one["cpe_decision"]["decided_by"]
            .as_str()
            .unwrap()
            .contains("admin@router.example")
    );
    let (st, html) = page(&s, &admin, &format!("/findings/{}", after[0]["id"])).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("matched by analyst decision: dropbear_ssh_project:dropbear_ssh, decided by"),
        "{html}"
    );
    assert!(
        html.contains("/cpe-resolution?subject=cpe%3Amatt_johnston%3Adropbear_ssh_server"),
        "the link names the component's own CPE"
    );
    let (_, list) = s
        .call(&viewer, Method::GET, "/api/v1/cpe-decisions", None)
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let (_, audit) = s
        .call(&admin, Method::GET, "/api/v1/audit?limit=50", None)
        .await;
    assert!(audit.to_string().contains("cpe_decision.record"), "{audit}");

    // Withdrawn: back to the alias table's answer.
    let (st, w) = s
        .call(
            &admin,
            Method::DELETE,
            &format!("/api/v1/cpe-decisions/{}", d["decision"]["id"]),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{w}");
    assert!(w["decision"]["withdrawn_at"].is_i64());
    assert!(
        dropbear(&findings_of(&s, &admin, rid).await)
            .iter()
            .all(|f| f["match_kind"] == "cpe_alias")
    );

    // A component without a CPE: a derived candidate, its findings kept apart until confirmed.
    let (_, hand) = s.product_release(&admin, "Hand-made", "1").await;
    let sbom = generic_sbom("busybox", "1.30.1");
    assert_eq!(
        s.upload(&admin, hand, sbom, "bom.cdx.json").await.0,
        StatusCode::CREATED
    );
    assert!(
        findings_of(&s, &admin, hand).await.is_empty(),
        "never silently matched"
    );
    let (_, cands) = s
        .call(&viewer, Method::GET, "/api/v1/cpe-candidates", None)
        .await;
    let c = cands
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["subject"] == "purl:pkg:generic/busybox")
        .unwrap_or_else(|| panic!("{cands}"))
        .clone();
    assert_eq!(
        (c["vendor"].as_str(), c["product"].as_str()),
        (Some("busybox"), Some("busybox"))
    );
    let (_, detail) = s
        .call(
            &viewer,
            Method::GET,
            &format!("/api/v1/cpe-candidates/{}", c["id"]),
            None,
        )
        .await;
    let pending = detail["findings"].as_array().unwrap().len();
    assert!(pending > 0, "{detail}");
    assert_eq!(c["pending_findings"], pending);
    assert!(
        detail["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["match_kind"] == "derived" && f["status"] == "needs_confirmation")
    );
    let (st, _) = s
        .call(
            &viewer,
            Method::POST,
            &format!("/api/v1/cpe-candidates/{}/confirm", c["id"]),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // Confirmed in the UI: the findings arrive, as an analyst decision.
    let (st, html) = page(&s, &admin, "/cpe-resolution").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains(&format!("id=\"candidate-{}\"", c["id"])),
        "{html}"
    );
    let (st, location, _) = post(
        &s,
        &admin,
        &format!("/cpe-resolution/candidates/{}/confirm", c["id"]),
        &[],
        true,
    )
    .await;
    assert_eq!(
        (st, location.as_str()),
        (StatusCode::SEE_OTHER, "/cpe-resolution")
    );
    let confirmed = findings_of(&s, &admin, hand).await;
    assert_eq!(confirmed.len(), pending);
    assert!(
        confirmed
            .iter()
            .all(|f| f["match_kind"] == "analyst_decision")
    );
    let (_, cands) = s
        .call(
            &viewer,
            Method::GET,
            "/api/v1/cpe-candidates?state=confirmed",
            None,
        )
        .await;
    assert_eq!(cands.as_array().unwrap().len(), 1, "{cands}");
}
