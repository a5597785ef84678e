//! The compliance file over real HTTP on loopback (issue 16, platform side), on SQLite and
//! PostgreSQL: the Annex I record saved as versions with its gaps and completeness, "does not
//! apply" refused without a justification, evidence uploads with their SHA-256 and the upload
//! bound, declarations issued as immutable versions served as HTML, PDF (its text extracted
//! with `pdftotext`) and JSON, marked out of date naming the changed fact, the Annex VII ZIP,
//! the roles (viewers read, editors write) and another organisation's product answering 404.

#[path = "support/harness.rs"]
#[macro_use]
mod harness;

use harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::io::Read as _;

both!(compliance_file_over_http);

/// The `[conformity]` table of the example profile as the JSON body of `PUT requirements`
/// (documents and SBOMs left out: they come from uploads and releases).
fn example_facts() -> Value {
    let text =
        std::fs::read_to_string(root().join("examples/profiles/wifi-router-conformity.toml"))
            .unwrap();
    let cp = cyres_conformity::ConformityProfile::parse(&text).unwrap();
    let mut facts = serde_json::to_value(&cp.conformity).unwrap();
    let o = facts.as_object_mut().unwrap();
    o.remove("documents");
    o.remove("sboms");
    facts
}

/// The PDF's text through `pdftotext` (poppler-utils), whitespace collapsed.
fn pdf_text(bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("cyres-server-conformity-{}", unique()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("declaration.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (Debian's poppler-utils; scripts/test.sh installs it)");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

async fn get_raw(s: &Server, who: &Who, path: &str) -> (StatusCode, String, String, Vec<u8>) {
    let r = s.req(who, Method::GET, path).send().await.unwrap();
    let header = |n: &str| {
        r.headers()
            .get(n)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let (ct, status_header) = (header("content-type"), header("cyres-declaration-status"));
    (
        r.status(),
        ct,
        status_header,
        r.bytes().await.unwrap().to_vec(),
    )
}

async fn upload(
    s: &Server,
    who: &Who,
    pid: i64,
    query: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let r = s
        .req(
            who,
            Method::POST,
            &format!("/api/v1/products/{pid}/documents?{query}"),
        )
        .body(bytes)
        .send()
        .await
        .unwrap();
    let st = r.status();
    (st, r.json().await.unwrap_or(Value::Null))
}

async fn compliance_file_over_http(engine: Engine) {
    let Some(s) = start_with(engine, |c| c.max_upload_bytes = 4096).await else {
        return;
    };
    let admin = s
        .bootstrap("Acme Networks GmbH", "psirt@acme.example")
        .await;
    let editor = s.token(&admin, "editor").await;
    let viewer = s.add_member(&admin, "auditor@acme.example", "viewer").await;
    let (st, p) = s
        .call(
            &editor,
            Method::POST,
            "/api/v1/products",
            Some(json!({
                "name": "Acme AX3000 Wi-Fi 6 router",
                "catalogue_entries": ["annex3-class1-12", "annex3-class1-5"],
                "member_states": ["DE", "AT", "FR"],
                "support_end": "2035-03-31",
            })),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let pid = p["id"].as_i64().unwrap();
    let base = format!("/api/v1/products/{pid}");
    let req_path = format!("{base}/requirements");

    // Nothing recorded yet: every item is a gap, and no declaration can be issued.
    let (st, v) = s.call(&viewer, Method::GET, &req_path, None).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["assessment"]["completeness_percent"], 0);
    assert_eq!(v["assessment"]["total_items"], 22);
    assert!(
        v["declaration_problem"]
            .as_str()
            .unwrap()
            .contains("declaration"),
        "{v}"
    );
    assert!(v["retention_until"].as_str().is_some(), "{v}");

    // "Does not apply" without the risk assessment's justification is refused (Art. 13(3)).
    let (st, v) = s
        .call(
            &editor,
            Method::PUT,
            &req_path,
            Some(json!({"release": "2.4.1", "requirements": [
                {"item": "part1-2g", "applicability": "does-not-apply", "evidence": []}
            ]})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("justification"),
        "{v}"
    );
    // Documents come from uploads only.
    let (st, _) = s
        .call(
            &editor,
            Method::PUT,
            &req_path,
            Some(json!({"documents": [{"id": "x"}]})),
        )
        .await;
    assert!(st.is_client_error());

    // Viewers read but do not write.
    let facts = example_facts();
    let (st, _) = s
        .call(&viewer, Method::PUT, &req_path, Some(facts.clone()))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, v) = s
        .call(&editor, Method::PUT, &req_path, Some(facts.clone()))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(
        (
            v["record_version"]["version"].as_i64(),
            v["risk_version"]["version"].as_i64()
        ),
        (Some(1), Some(1))
    );
    // The pentest named as evidence is not uploaded yet: a gap names it.
    let gaps = v["assessment"]["items"].to_string();
    assert!(gaps.contains("pentest-2028"), "{gaps}");
    let before = v["assessment"]["completeness_percent"].as_i64().unwrap();

    // Uploads: editors only, bounded by max_upload_bytes, kept with their SHA-256.
    let pentest =
        std::fs::read(root().join("examples/conformity/pentest-ax3000-2.4.1.txt")).unwrap();
    let q =
        "document=pentest-2028&title=Penetration%20test&kind=penetration-test&filename=pentest.txt";
    let (st, _) = upload(&s, &viewer, pid, q, pentest.clone()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = upload(&s, &editor, pid, q, vec![b'x'; 5000]).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    let (st, _) = upload(
        &s,
        &editor,
        pid,
        "document=d&title=t&kind=poem",
        b"x".to_vec(),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, up) = upload(&s, &editor, pid, q, pentest).await;
    assert_eq!(st, StatusCode::CREATED, "{up}");
    assert_eq!(
        (up["version"].as_i64(), up["sha256"].as_str()),
        (
            Some(1),
            Some("abd0e95c0f7f0b158b450326a5f5a8fbcfc35bcd7197dad781d947d83548ef8d")
        )
    );
    let (_, v) = s.call(&viewer, Method::GET, &req_path, None).await;
    assert_eq!(v["documents"][0]["doc_key"], "pentest-2028");
    assert!(
        v["assessment"]["completeness_percent"].as_i64().unwrap() > before,
        "{v}"
    );

    // Issue a declaration: editors only; version 1.
    let (st, _) = s
        .call(&viewer, Method::POST, &format!("{base}/declarations"), None)
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, d) = s
        .call(&editor, Method::POST, &format!("{base}/declarations"), None)
        .await;
    assert_eq!(st, StatusCode::CREATED, "{d}");
    assert_eq!(d["version"], 1);
    let (st, ct, status, body) = get_raw(&s, &viewer, &format!("{base}/declarations/1.json")).await;
    assert_eq!(
        (st, ct.as_str(), status.as_str()),
        (StatusCode::OK, "application/json", "current")
    );
    let j: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(j["up_to_date"], true);
    let points = j["document"]["points"].as_array().unwrap();
    assert_eq!(points.len(), 8, "{j}");
    let (st, ct, _, html) =
        get_raw(&s, &viewer, &format!("{base}/declarations/1.html?lang=de")).await;
    assert_eq!(
        (st, ct.as_str()),
        (StatusCode::OK, "text/html; charset=utf-8")
    );
    let html = String::from_utf8(html).unwrap();
    assert!(
        html.contains("lang=\"de\"") && html.contains("Acme Networks GmbH"),
        "{html}"
    );
    let (st, ct, _, pdf) = get_raw(&s, &viewer, &format!("{base}/declarations/1.pdf")).await;
    assert_eq!((st, ct.as_str()), (StatusCode::OK, "application/pdf"));
    let text = pdf_text(&pdf);
    for want in [
        "Acme Networks GmbH",
        "Erika Mustermann",
        "EN 18031-1:2024",
        "2.4.1",
    ] {
        assert!(text.contains(want), "{want} not in the PDF: {text}");
    }
    let (st, _, _, _) = get_raw(&s, &viewer, &format!("{base}/declarations/2.pdf")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _, _, _) = get_raw(&s, &viewer, &format!("{base}/declarations/1.docx")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // A listed fact changes: the declaration is out of date and says which fact.
    let mut changed = facts.clone();
    changed["notified_body"]["certificate"] = json!("NB-CERT-2028-9999");
    let (st, v) = s.call(&editor, Method::PUT, &req_path, Some(changed)).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["record_version"]["version"], 2);
    assert_eq!(
        v["risk_version"]["version"], 1,
        "an unchanged risk assessment is not a new version"
    );
    let line = &v["declarations"][0];
    assert_eq!(line["currency"]["up_to_date"], false, "{v}");
    assert_eq!(
        line["currency"]["changed"][0]["fact"], "notified_body",
        "{v}"
    );
    let (_, _, status, _) = get_raw(&s, &viewer, &format!("{base}/declarations/1.json")).await;
    assert_eq!(status, "out-of-date; changed=notified_body");
    let (st, d) = s
        .call(&editor, Method::POST, &format!("{base}/declarations"), None)
        .await;
    assert_eq!(
        (st, d["version"].as_i64()),
        (StatusCode::CREATED, Some(2)),
        "{d}"
    );

    // The technical documentation: eight Annex VII sections, the declaration and the pentest.
    let (st, ct, _, zip) = get_raw(&s, &viewer, &format!("{base}/techdoc.zip")).await;
    assert_eq!((st, ct.as_str()), (StatusCode::OK, "application/zip"));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut manifest = String::new();
    archive
        .by_name("manifest.json")
        .unwrap()
        .read_to_string(&mut manifest)
        .unwrap();
    let manifest: Value = serde_json::from_str(&manifest).unwrap();
    let numbers: Vec<i64> = manifest["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, (1..=8).collect::<Vec<_>>());
    assert!(archive.by_name("index.html").is_ok());
    assert!(archive.by_name("section-7/declaration.pdf").is_ok());
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect();
    assert!(names.iter().any(|n| n.contains("pentest")), "{names:?}");

    // The Conformity page: completeness, gaps, documents, declarations with the out-of-date
    // marking naming the fact, the ZIP; only editors get the issue button.
    let (st, product_page) = page(&s, &admin, &format!("/products/{pid}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(product_page.contains(&format!("href=\"/products/{pid}/conformity\"")));
    let conf_path = format!("/products/{pid}/conformity");
    let (st, html) = page(&s, &admin, &conf_path).await;
    assert_eq!(st, StatusCode::OK, "{html}");
    for want in [
        "id=\"completeness\"",
        "pentest-2028",
        "id=\"declaration-1\"",
        "notified_body changed",
        "techdoc.zip",
        "declarations/2.pdf",
        "id=\"issue\"",
    ] {
        assert!(html.contains(want), "{want} not on the page");
    }
    let (_, html) = page(&s, &viewer, &conf_path).await;
    assert!(html.contains("out of date") && !html.contains("id=\"issue\""));
    let issue_path = format!("{conf_path}/declarations");
    let (st, _, _) = post(&s, &viewer, &issue_path, &[], true).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _, _) = post(&s, &admin, &issue_path, &[], false).await;
    assert!(st.is_client_error(), "no CSRF field: refused ({st})");
    let (st, location, _) = post(&s, &admin, &issue_path, &[], true).await;
    assert_eq!(
        (st, location.as_str()),
        (
            StatusCode::SEE_OTHER,
            format!("{conf_path}?issued=3").as_str()
        )
    );

    // Another organisation sees none of it: 404 everywhere, whatever its role.
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
    for (method, path) in [
        (Method::GET, req_path.clone()),
        (Method::PUT, req_path.clone()),
        (Method::POST, format!("{base}/declarations")),
        (Method::GET, format!("{base}/declarations/1.json")),
        (Method::GET, format!("{base}/techdoc.zip")),
    ] {
        let body = (method == Method::PUT).then(|| facts.clone());
        let (st, v) = s.call(&beta, method.clone(), &path, body).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{method} {path}: {v}");
    }
    let (st, _) = upload(&s, &beta, pid, q, b"x".to_vec()).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = page(&s, &beta, &conf_path).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    s.shutdown().await;
}
