//! The compliance file over real HTTP on loopback (issue 16, platform side), on SQLite and
//! PostgreSQL: the Annex I record saved as versions with its gaps and completeness, "does not
//! apply" refused without a justification, evidence uploads with their SHA-256 and the upload
//! bound, declarations issued as immutable versions served as HTML, PDF (its text extracted
//! with `pdftotext`) and JSON, marked out of date naming the changed fact, the Annex VII ZIP,
//! the roles (viewers read, editors write) and another organisation's product answering 404;
//! the Art. 13(13) retention from the recorded placing on the market; upstream reports as CSAF
//! (checked by the BSI validator) and the maintainer-informed record on the Art. 14 case; and the
//! README's declaration excerpt against the demo's.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::io::Read as _;

both!(
    compliance_file_over_http,
    operators_upstream_reports_retention_publication,
    operator_organisations_check_and_record_themselves,
    retention_counts_from_the_last_unit_placed,
    upstream_csaf_case_record_and_forms,
    maintainer_notices_reach_hand_opened_cases_and_older_reports
);

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

/// Acme's administrator, an editor token, a viewer, and its router product (class I, three
/// member states, support until 2035).
async fn acme_router(s: &Server) -> (Who, Who, Who, i64) {
    // Set up with its main establishment in Germany (the coordinator CSIRT of its Art. 14
    // reports, Art. 14(7)).
    let token = s.setup.as_ref().unwrap().split("token=").nth(1).unwrap();
    let r = s
        .http
        .post(s.url("/setup"))
        .json(
            &json!({"token": token, "email": "psirt@acme.example", "password": PASSWORD,
            "org_name": "Acme Networks GmbH", "member_state": "DE"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let admin = s.login("psirt@acme.example", PASSWORD).await;
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
    (admin, editor, viewer, pid)
}

async fn compliance_file_over_http(engine: Engine) {
    let Some(s) = start_with(engine, |c| c.max_upload_bytes = 4096).await else {
        return;
    };
    let (admin, editor, viewer, pid) = acme_router(&s).await;
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
    // No placing on the market recorded: the retention has no end yet (Art. 13(13)).
    assert_eq!(v["retention_until"], Value::Null, "{v}");

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

/// A CycloneDX SBOM whose `regex` component names its maintainer's security contact.
fn sbom_with_regex() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "metadata": {"component": {"type": "firmware", "name": "Acme AX3000 firmware", "version": "2.4.1"}},
        "components": [{
            "type": "library", "name": "regex", "version": "1.5.4",
            "purl": "pkg:cargo/regex@1.5.4",
            "supplier": {"name": "The Rust Project Developers"},
            "externalReferences": [
                {"type": "vcs", "url": "https://github.com/rust-lang/regex"},
                {"type": "security-contact", "url": "mailto:security@rust-lang.org"}
            ]
        }]
    }))
    .unwrap()
}

/// Points 3-5 of issue 16 over HTTP: deletion refused before the retention date (Art. 13(13)),
/// the simplified declaration carrying cyres's public URL of the full one, served once
/// published; an importer's checks refusing a product without a declaration (Art. 19(2)),
/// supply records (Art. 23) kept ten years; a report to a component's maintainer (Art. 13(6))
/// with contacts from the SBOM and purl, the fix as OSV, informed once, and the steward's view
/// of what it received (Art. 24); a market surveillance authority's request with what was
/// handed over.
async fn operators_upstream_reports_retention_publication(engine: Engine) {
    let Some(s) = start(engine).await else {
        return;
    };
    let (admin, editor, viewer, pid) = acme_router(&s).await;
    let (_, session) = s.call(&admin, Method::GET, "/api/v1/session", None).await;
    let slug = session["org"]["slug"].as_str().unwrap().to_string();
    let base = format!("/api/v1/products/{pid}");
    let mut facts = example_facts();
    facts["declaration"]
        .as_object_mut()
        .unwrap()
        .remove("full_url");
    let (st, v) = s
        .call(
            &editor,
            Method::PUT,
            &format!("{base}/requirements"),
            Some(facts),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");

    // Economic operators per member state; the importer's checks refuse a product without a
    // declaration (CRA Art. 19(2)(c), 19(3)), and a supply onwards is refused with them.
    let (st, imp) = s
        .call(
            &editor,
            Method::POST,
            &format!("{base}/operators"),
            Some(json!({"role": "importer", "name": "Nordimport GmbH", "address": "Hafenstr. 1, 20457 Hamburg",
                "contact": "compliance@nordimport.example", "member_state": "DE"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{imp}");
    let (st, v) = s
        .call(
            &editor,
            Method::POST,
            &format!("{base}/operators"),
            Some(json!({"role": "reseller", "name": "X", "address": "Y", "contact": "z", "member_state": "DE"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (st, _) = s
        .call(
            &editor,
            Method::POST,
            &format!("{base}/operators"),
            Some(
                json!({"role": "distributor", "name": "Boutique SA", "address": "1 rue X, Paris",
                "contact": "shop@boutique.example", "member_state": "FR"}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let op = imp["id"].as_i64().unwrap();
    let (st, c) = s
        .call(
            &editor,
            Method::POST,
            &format!("{base}/operators/{op}/checks"),
            Some(json!({"ce_marking_seen": true})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    assert_eq!(c["check"]["passed"], false, "{c}");
    let failed: Vec<&str> = c["result"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["ok"] == false)
        .map(|i| i["item"].as_str().unwrap())
        .collect();
    assert!(failed.contains(&"declaration"), "{failed:?}");
    let refusal = c["refusal"].as_str().unwrap();
    assert!(
        refusal.contains("CRA Art. 19(3)") && refusal.contains("no EU declaration of conformity"),
        "{refusal}"
    );
    let supplies = format!("{base}/operators/{op}/supplies");
    let (st, v) = s
        .call(
            &editor,
            Method::POST,
            &supplies,
            Some(json!({"direction": "supplied-to", "party": "Boutique SA", "party_address": "1 rue X, Paris", "supplied_on": "2026-09-02"})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["code"], "check_failed", "{v}");
    // Art. 23: who supplied the importer is recorded whatever the check, kept ten years.
    let (st, rec) = s
        .call(
            &editor,
            Method::POST,
            &supplies,
            Some(json!({"direction": "supplied-by", "party": "Acme Networks GmbH", "party_address": "Berlin", "supplied_on": "2024-02-29", "quantity": 500})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{rec}");
    assert_eq!(rec["keep_until"], "2034-03-01");
    let (st, _) = s
        .call(
            &admin,
            Method::DELETE,
            &format!("{base}/supplies/{}", rec["id"]),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (_, ops) = s
        .call(&viewer, Method::GET, &format!("{base}/operators"), None)
        .await;
    let states: Vec<&String> = ops["member_states"].as_object().unwrap().keys().collect();
    assert_eq!(states, ["DE", "FR"], "{ops}");
    assert_eq!(
        ops["member_states"]["DE"][0]["latest_check"]["passed"],
        false
    );
    assert_eq!(ops["supply_records"].as_array().unwrap().len(), 1);

    // Issue, then: the simplified declaration carries cyres's public URL of the full one, which
    // answers 404 until published and the declaration once published.
    let (st, d) = s
        .call(&editor, Method::POST, &format!("{base}/declarations"), None)
        .await;
    assert_eq!(st, StatusCode::CREATED, "{d}");
    let public_path = format!("/public/{slug}/products/{pid}/declaration");
    let (_, _, _, simplified) = get_raw(
        &s,
        &viewer,
        &format!("{base}/declarations/1.json?simplified=true"),
    )
    .await;
    let simplified: Value = serde_json::from_slice(&simplified).unwrap();
    let full_url = simplified["full_url"].as_str().unwrap();
    assert!(full_url.ends_with(&public_path), "{simplified}");
    assert!(simplified["text"].as_str().unwrap().ends_with(full_url));
    let anon = Who {
        cookie: None,
        csrf: None,
        token: None,
    };
    let (st, _) = page(&s, &anon, &public_path).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = s
        .call(
            &viewer,
            Method::POST,
            &format!("{base}/declarations/1/publish"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, v) = s
        .call(
            &editor,
            Method::POST,
            &format!("{base}/declarations/1/publish"),
            None,
        )
        .await;
    assert_eq!((st, v["url"].as_str()), (StatusCode::OK, Some(full_url)));
    let (st, html) = page(&s, &anon, &public_path).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("Acme Networks GmbH") && html.contains("Erika Mustermann"));
    let (st, _, _, pdf) = get_raw(
        &s,
        &anon,
        &format!("/api/v1/public/orgs/{slug}/products/{pid}/declaration?format=pdf"),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(pdf_text(&pdf).contains("Acme Networks GmbH"));

    // Retention (Art. 13(13)): nothing deleted before the date, whoever asks.
    let q =
        "document=pentest-2028&title=Penetration%20test&kind=penetration-test&filename=pentest.txt";
    let (st, _) = upload(&s, &editor, pid, q, b"pentest".to_vec()).await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, _, _, file) = get_raw(&s, &viewer, &format!("{base}/documents/pentest-2028/1")).await;
    assert_eq!(
        (st, file.as_slice()),
        (StatusCode::OK, b"pentest".as_slice())
    );
    for path in [
        format!("{base}/documents/pentest-2028/1"),
        format!("{base}/declarations/1"),
    ] {
        let (st, _) = s.call(&editor, Method::DELETE, &path, None).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{path}");
        let (st, v) = s.call(&admin, Method::DELETE, &path, None).await;
        assert_eq!(st, StatusCode::CONFLICT, "{path}: {v}");
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(
            msg.contains("kept until") && msg.contains("Art. 13(13)"),
            "{msg}"
        );
    }
    let (_, v) = s
        .call(&viewer, Method::GET, &format!("{base}/requirements"), None)
        .await;
    assert_eq!(v["documents"].as_array().unwrap().len(), 1);
    assert_eq!(v["declarations"].as_array().unwrap().len(), 1);

    // A market surveillance authority's request and what was handed over, once.
    let (st, r) = s
        .call(
            &editor,
            Method::POST,
            &format!("{base}/authority-requests"),
            Some(json!({"authority": "Bundesnetzagentur", "member_state": "DE", "reference": "BNetzA-2026-117",
                "reason": "Reasoned request under Art. 13(13)", "received_at": "2026-09-18T09:00:00Z"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    let handover = format!("{base}/authority-requests/{}/handover", r["id"]);
    let (st, v) = s
        .call(
            &editor,
            Method::POST,
            &handover,
            Some(json!({"items": ["declaration:1", "document:pentest-2028:1", "techdoc"]})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["handed_over"].as_array().unwrap().len(), 3, "{v}");
    assert_eq!(v["handed_over"][0]["sha256"].as_str().unwrap().len(), 64);
    assert!(v["handed_over_at"].as_i64().is_some());
    let (st, _) = s
        .call(
            &editor,
            Method::POST,
            &handover,
            Some(json!({"items": ["techdoc"]})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);

    // Upstream report (Art. 13(6)) from a finding in an integrated component.
    for f in std::fs::read_dir(root().join("examples/advisories")).unwrap() {
        s.import(&admin, &f.unwrap().path()).await;
    }
    let (st, rel) = s
        .call(
            &editor,
            Method::POST,
            &format!("{base}/releases"),
            Some(json!({"version": "2.4.1"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, ing) = s
        .upload(
            &editor,
            rel["id"].as_i64().unwrap(),
            sbom_with_regex(),
            "fw.cdx.json",
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{ing}");
    let (_, findings) = s
        .call(
            &viewer,
            Method::GET,
            &format!("/api/v1/findings?product={pid}"),
            None,
        )
        .await;
    let finding = findings["findings"]
        .as_array()
        .or(findings.as_array())
        .unwrap()
        .iter()
        .find(|f| f["advisory_id"] == "RUSTSEC-2022-0013")
        .unwrap_or_else(|| panic!("{findings}"))
        .clone();
    let fid = finding["id"].as_i64().unwrap();
    let (st, steward) = s
        .provision(
            "psirt@acme.example",
            json!({"name": "Rust Foundation", "kind": "steward"}),
        )
        .await;
    assert!(st.is_success(), "{steward}");
    let reports = format!("/api/v1/findings/{fid}/upstream-reports");
    let (st, _) = s.call(&viewer, Method::POST, &reports, None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, rep) = s
        .call(
            &editor,
            Method::POST,
            &reports,
            Some(json!({"recipient_org_id": steward["id"]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{rep}");
    let contacts: Vec<(&str, &str)> = rep["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["source"].as_str().unwrap(), c["value"].as_str().unwrap()))
        .collect();
    for want in [
        ("sbom-reference", "security@rust-lang.org"),
        ("sbom-reference", "https://github.com/rust-lang/regex"),
        ("sbom-supplier", "The Rust Project Developers"),
        ("purl-repository", "https://crates.io/crates/regex"),
        (
            "security-txt",
            "https://github.com/.well-known/security.txt",
        ),
    ] {
        assert!(contacts.contains(&want), "{want:?} not in {contacts:?}");
    }
    assert_eq!(rep["affected_versions"], json!(["1.5.4"]));
    assert_eq!(
        rep["osv"]["affected"][0]["package"]["ecosystem"],
        "crates.io"
    );
    assert!(
        rep["body"]["body"]
            .as_str()
            .unwrap()
            .contains("no fix of our own yet")
    );
    let rid = rep["id"].as_i64().unwrap();
    let (st, rep) = s
        .call(
            &editor,
            Method::PUT,
            &format!("/api/v1/upstream-reports/{rid}/fix"),
            Some(json!({"fixed_version": "1.5.5", "url": "https://github.com/rust-lang/regex/commit/ae70b41"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{rep}");
    assert_eq!(
        rep["osv"]["affected"][0]["ranges"][0]["events"][1]["fixed"],
        "1.5.5"
    );
    assert_eq!(rep["osv"]["references"][0]["type"], "FIX");
    // The steward sees nothing until the maintainer is recorded as informed.
    let steward_who = s.login("psirt@acme.example", PASSWORD).await;
    let (st, _) = s
        .call(
            &steward_who,
            Method::POST,
            "/api/v1/session/org",
            Some(json!({"org_id": steward["id"]})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let received = "/api/v1/upstream-reports/received";
    let (_, v) = s.call(&steward_who, Method::GET, received, None).await;
    assert_eq!(v, json!([]));
    let informed = format!("/api/v1/upstream-reports/{rid}/informed");
    let (st, rep) = s
        .call(
            &editor,
            Method::POST,
            &informed,
            Some(json!({"via": "e-mail to security@rust-lang.org"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{rep}");
    assert!(rep["informed_at"].as_i64().is_some());
    let (st, _) = s
        .call(
            &editor,
            Method::POST,
            &informed,
            Some(json!({"via": "again"})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (_, v) = s.call(&steward_who, Method::GET, received, None).await;
    assert_eq!(v[0]["from"], "Acme Networks GmbH", "{v}");
    assert_eq!(v[0]["fix"]["fixed_version"], "1.5.5");
    assert!(v[0].get("finding_id").is_none() && v[0].get("contacts").is_none());
    let (_, v) = s.call(&viewer, Method::GET, &reports, None).await;
    assert_eq!(v[0]["informed_via"], "e-mail to security@rust-lang.org");
    // The steward reaches none of the manufacturer's own routes.
    let (st, _) = s
        .call(
            &steward_who,
            Method::GET,
            &format!("{base}/operators"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    s.shutdown().await;
}

/// Economic operators with their own logins (issue 16, point 5): the manufacturer names an
/// importer's organisation (kind `operator`) on a listing; its members see that listing only,
/// run their Art. 19(2) check (refused without a declaration, Art. 19(3)), cannot supply
/// onwards, record who supplied them (Art. 23), and the manufacturer's view shows the check
/// under the importer's name. Another operator organisation sees nothing; a manufacturer
/// cannot name itself, an authority or an unknown slug.
async fn operator_organisations_check_and_record_themselves(engine: Engine) {
    let Some(s) = start(engine).await else {
        return;
    };
    let (admin, editor, _viewer, pid) = acme_router(&s).await;
    let base = format!("/api/v1/products/{pid}");
    let mut facts = example_facts();
    facts["declaration"]
        .as_object_mut()
        .unwrap()
        .remove("full_url");
    let (st, v) = s
        .call(
            &editor,
            Method::PUT,
            &format!("{base}/requirements"),
            Some(facts),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (_, me) = s.call(&admin, Method::GET, "/api/v1/session", None).await;
    let own_slug = me["org"]["slug"].as_str().unwrap().to_string();

    // The operator's platform organisations, made as the operator of the instance would.
    let (st, nord) = s
        .provision(
            "psirt@acme.example",
            json!({"name": "Nordimport GmbH", "kind": "operator"}),
        )
        .await;
    assert!(st.is_success());
    let (st, other) = s
        .provision(
            "psirt@acme.example",
            json!({"name": "Südhandel AG", "kind": "operator"}),
        )
        .await;
    assert!(st.is_success());
    let (st, csirt) = s
        .provision(
            "psirt@acme.example",
            json!({"name": "CSIRT DE", "kind": "csirt", "member_state": "DE"}),
        )
        .await;
    assert!(st.is_success());
    let listing = |org: Option<&str>| {
        json!({"role": "importer", "name": "Nordimport GmbH", "address": "Hafenstr. 1, 20457 Hamburg",
            "contact": "compliance@nordimport.example", "member_state": "DE", "organisation": org})
    };
    for bad in [
        own_slug.as_str(),
        csirt["slug"].as_str().unwrap(),
        "no-such-org",
    ] {
        let (st, v) = s
            .call(
                &editor,
                Method::POST,
                &format!("{base}/operators"),
                Some(listing(Some(bad))),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
        assert_eq!(v["error"]["field"], "organisation", "{v}");
    }
    let (st, imp) = s
        .call(
            &editor,
            Method::POST,
            &format!("{base}/operators"),
            Some(listing(nord["slug"].as_str())),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{imp}");
    assert_eq!(imp["operator_org_id"], nord["id"]);
    let op = imp["id"].as_i64().unwrap();

    // The importer's member: its own login, acting for its organisation.
    let importer = s.login("psirt@acme.example", PASSWORD).await;
    let act_for = |org: &Value| json!({"org_id": org["id"]});
    let (st, _) = s
        .call(
            &importer,
            Method::POST,
            "/api/v1/session/org",
            Some(act_for(&nord)),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, list) = s
        .call(&importer, Method::GET, "/api/v1/supplied-products", None)
        .await;
    assert_eq!(st, StatusCode::OK, "{list}");
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["product"], "Acme AX3000 Wi-Fi 6 router");
    assert_eq!(list[0]["manufacturer"], "Acme Networks GmbH");
    assert_eq!(list[0]["operator"]["role"], "importer");
    // It sees the listing, not the manufacturer's product.
    let (st, _) = s.call(&importer, Method::GET, &base, None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    let (st, c) = s
        .call(
            &importer,
            Method::POST,
            &format!("/api/v1/supplied-products/{op}/checks"),
            Some(json!({"ce_marking_seen": true})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    assert_eq!(c["check"]["passed"], false);
    assert!(
        c["check"]["author"]
            .as_str()
            .unwrap()
            .contains("Nordimport GmbH"),
        "{c}"
    );
    let refusal = c["refusal"].as_str().unwrap();
    assert!(refusal.contains("CRA Art. 19(3)"), "{refusal}");
    let supplies = format!("/api/v1/supplied-products/{op}/supplies");
    let (st, v) = s
        .call(
            &importer,
            Method::POST,
            &supplies,
            Some(json!({"direction": "supplied-to", "party": "Boutique SA", "party_address": "1 rue X, Paris", "supplied_on": "2026-09-02"})),
        )
        .await;
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("check_failed")),
        "{v}"
    );
    let (st, rec) = s
        .call(
            &importer,
            Method::POST,
            &supplies,
            Some(json!({"direction": "supplied-by", "party": "Acme Networks GmbH", "party_address": "Berlin", "supplied_on": "2026-09-01"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{rec}");
    assert_eq!(rec["keep_until"], "2036-09-01");

    // The manufacturer sees the importer's own check and record.
    let (_, ops) = s
        .call(&editor, Method::GET, &format!("{base}/operators"), None)
        .await;
    let de = &ops["member_states"]["DE"][0];
    assert_eq!(de["latest_check"]["passed"], false, "{ops}");
    assert!(
        de["latest_check"]["author"]
            .as_str()
            .unwrap()
            .contains("Nordimport GmbH")
    );
    assert_eq!(ops["supply_records"].as_array().unwrap().len(), 1, "{ops}");

    // Another operator organisation has no listing and cannot act on this one; nor can the
    // importer's viewer role change anything.
    let (st, _) = s
        .call(
            &importer,
            Method::POST,
            "/api/v1/session/org",
            Some(act_for(&other)),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, list) = s
        .call(&importer, Method::GET, "/api/v1/supplied-products", None)
        .await;
    assert_eq!(list, json!([]));
    let (st, _) = s
        .call(
            &importer,
            Method::POST,
            &format!("/api/v1/supplied-products/{op}/checks"),
            Some(json!({"ce_marking_seen": true})),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // The pages: the importer's list with its check, and the dashboard's pointer to it.
    let (st, _) = s
        .call(
            &importer,
            Method::POST,
            "/api/v1/session/org",
            Some(act_for(&nord)),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, html) = page(&s, &importer, "/supplied-products").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("Acme AX3000 Wi-Fi 6 router") && html.contains("failed on"),
        "{html}"
    );
    let (_, html) = page(&s, &importer, "/").await;
    assert!(html.contains("id=\"supplied-link\""), "{html}");
    s.shutdown().await;
}

/// The BSI validator library's verdict on one CSAF document (scripts/csaf-validate.mjs, as
/// tests/csaf_provider.rs runs it; CYRES_ORACLES names the folder of the installed library).
fn bsi_verdict(doc: &[u8]) -> Value {
    let lib = std::env::var_os("CYRES_ORACLES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root().join("target/oracles"))
        .join("csaf-validator/node_modules/@secvisogram/csaf-validator-lib");
    assert!(
        lib.join("package.json").is_file(),
        "the BSI CSAF validator library is not installed at {}: run `bash scripts/csaf-validator.sh` or set CYRES_ORACLES. This test never skips.",
        lib.display()
    );
    let dir = std::env::temp_dir().join(format!("cyres-upstream-csaf-{}", unique()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("upstream.json");
    std::fs::write(&file, doc).unwrap();
    let out = std::process::Command::new("node")
        .arg(root().join("scripts/csaf-validate.mjs"))
        .arg(&file)
        .env("CYRES_CSAF_VALIDATOR", &lib)
        .output()
        .expect("node (apt-get install nodejs)");
    let _ = std::fs::remove_dir_all(&dir);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

/// Art. 13(13) retention from the recorded placing on the market: with no placing, and while
/// units are still being placed, nothing is deleted however late; once the last unit is
/// recorded, ten years from it (support ends earlier), shown on the page and in the ZIP
/// manifest, refused through the date and allowed the day after (the injected clock).
async fn retention_counts_from_the_last_unit_placed(engine: Engine) {
    let Some(s) = start(engine).await else {
        return;
    };
    let (admin_session, editor, viewer, pid) = acme_router(&s).await;
    // A token: the clock moves ten years below, past any session.
    let admin = s.token(&admin_session, "admin").await;
    let base = format!("/api/v1/products/{pid}");
    let q = "document=tr&title=Test%20report&kind=test-report&filename=tr.txt";
    let (st, _) = upload(&s, &editor, pid, q, b"report".to_vec()).await;
    assert_eq!(st, StatusCode::CREATED);
    let doc = format!("{base}/documents/tr/1");
    let refused = |v: &Value| {
        v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    // Not placed yet: no end, nothing deleted.
    let (_, v) = s
        .call(&viewer, Method::GET, &format!("{base}/requirements"), None)
        .await;
    assert_eq!(v["retention_until"], Value::Null, "{v}");
    assert!(
        v["retention_rule"]
            .as_str()
            .unwrap()
            .contains("no unit placed")
    );
    let (st, v) = s.call(&admin, Method::DELETE, &doc, None).await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert!(refused(&v).contains("Art. 13(13)"), "{v}");
    // Placing: editors only; a future date or a last unit before the first is refused.
    let placing = format!("{base}/placing");
    let (st, _) = s
        .call(
            &viewer,
            Method::PUT,
            &placing,
            Some(json!({"first": "2026-01-05"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    for bad in [
        json!({"first": "2099-01-01"}),
        json!({"first": "2026-01-05", "last": "2025-01-01"}),
        json!({"last": "2026-01-05"}),
        json!({"first": "2026-01-05", "unknown": 1}),
    ] {
        let (st, v) = s
            .call(&editor, Method::PUT, &placing, Some(bad.clone()))
            .await;
        assert!(
            st.is_client_error() && st != StatusCode::NOT_FOUND,
            "{bad}: {st} {v}"
        );
    }
    // Still being placed: the retention has no end.
    let (st, v) = s
        .call(
            &editor,
            Method::PUT,
            &placing,
            Some(json!({"first": "2026-01-05"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["placing"]["placing"]["first"], "2026-01-05");
    assert_eq!(v["retention_until"], Value::Null);
    assert!(
        v["retention_rule"]
            .as_str()
            .unwrap()
            .contains("still being placed")
    );
    let (st, v) = s.call(&admin, Method::DELETE, &doc, None).await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert!(refused(&v).contains("no end"), "{v}");
    // The last unit placed on 2026-03-01: kept until 2036-03-01 (support ends 2035-03-31).
    let (st, v) = s
        .call(
            &editor,
            Method::PUT,
            &placing,
            Some(json!({"first": "2026-01-05", "last": "2026-03-01"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["retention_until"], "2036-03-01", "{v}");
    assert!(v["placing"]["updated_by"].as_str().is_some(), "{v}");
    let (_, html) = page(&s, &viewer, &format!("/products/{pid}/conformity")).await;
    assert!(
        html.contains("Kept until 2036-03-01") && html.contains("last unit placed: 2026-03-01"),
        "{html}"
    );
    // The ZIP manifest says the same.
    let (st, _, _, zip) = get_raw(&s, &viewer, &format!("{base}/techdoc.zip")).await;
    assert_eq!(st, StatusCode::OK);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut manifest = String::new();
    zip.by_name("manifest.json")
        .unwrap()
        .read_to_string(&mut manifest)
        .unwrap();
    let m: Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(m["retention_until"], "2036-03-01", "{m}");
    assert_eq!(m["retention"]["last"], "2026-03-01", "{m}");
    // Refused through the last day, allowed the day after (the clock is injected).
    let day = |d: u8| {
        time::Date::from_calendar_date(2036, time::Month::March, d)
            .unwrap()
            .midnight()
            .assume_utc()
            .unix_timestamp()
    };
    s.clock.set(day(1) + 3600);
    let (st, v) = s.call(&admin, Method::DELETE, &doc, None).await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert!(refused(&v).contains("kept until 2036-03-01"), "{v}");
    s.clock.set(day(2) + 3600);
    let (st, v) = s.call(&admin, Method::DELETE, &doc, None).await;
    assert!(st.is_success(), "{st} {v}");
    // The UI form with its refusal shown: a malformed date names the field.
    let admin = s.login("psirt@acme.example", PASSWORD).await;
    let (st, _, body) = post(
        &s,
        &admin,
        &format!("/products/{pid}/conformity/placing"),
        &[("first", "5 January"), ("last", "")],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        body.contains("first unit placed: give a date as YYYY-MM-DD"),
        "{body}"
    );
    s.shutdown().await;
}

/// Art. 13(6) end to end: the report's CSAF 2.0 form (validated by the BSI library) before
/// and after the fix, offered on the page for a maintainer that reads CSAF, given to the
/// recipient steward once sent; the fix and the supplies through the page's forms with their
/// refusals shown; the case about the vulnerability records who was informed, how and when,
/// in the case API, on the case page and in its report pack; the steward's navigation links
/// the reports received (Art. 24).
async fn upstream_csaf_case_record_and_forms(engine: Engine) {
    let Some(s) = start(engine).await else {
        return;
    };
    let (admin, editor, viewer, pid, finding) = router_with_http2_finding(&s).await;
    let fid = finding["id"].as_i64().unwrap();
    let (_, cases) = s.call(&viewer, Method::GET, "/api/v1/cases", None).await;
    assert_eq!(cases, json!([]));
    let (st, steward) = s
        .provision(
            "psirt@acme.example",
            json!({"name": "Go Project", "kind": "steward"}),
        )
        .await;
    assert!(st.is_success(), "{steward}");
    let (st, rep) = s
        .call(
            &editor,
            Method::POST,
            &format!("/api/v1/findings/{fid}/upstream-reports"),
            Some(json!({"recipient_org_id": steward["id"]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{rep}");
    let rid = rep["id"].as_i64().unwrap();
    let csaf_path = format!("/api/v1/upstream-reports/{rid}/csaf.json");
    // Before the fix: an interim advisory, every affected version known_affected.
    let (st, ct, _, bytes) = get_raw(&s, &viewer, &csaf_path).await;
    assert_eq!((st, ct.as_str()), (StatusCode::OK, "application/json"));
    let verdict = bsi_verdict(&bytes);
    assert_eq!(verdict["valid"], true, "BSI validator: {verdict}");
    let doc: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(doc["document"]["tracking"]["status"], "interim");
    assert_eq!(
        doc["document"]["tracking"]["id"],
        format!("CYRES-UPSTREAM-{rid}")
    );
    let affected = doc["vulnerabilities"][0]["product_status"]["known_affected"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(affected, rep["affected_versions"].as_array().unwrap().len());
    // The page offers it (the steward is on the platform, so it reads CSAF).
    let conformity = format!("/products/{pid}/conformity");
    let (_, html) = page(&s, &viewer, &conformity).await;
    assert!(
        html.contains(&format!("id=\"upstream-{rid}-csaf\"")),
        "{html}"
    );
    // The fix through the page: a bad URL is refused on the page, then saved.
    let fix_path = format!("{conformity}/upstream/{rid}/fix");
    let (st, _, body) = post(&s, &admin, &fix_path, &[("url", "ftp://x")], true).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        body.contains("absolute http(s) address") && body.contains("role=\"alert\""),
        "{body}"
    );
    let (st, location, _) = post(
        &s,
        &admin,
        &fix_path,
        &[
            ("fixed_version", "0.17.0"),
            ("url", "https://go.googlesource.com/net/+/refs/tags/v0.17.0"),
        ],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert!(location.ends_with("done=fix#upstream"), "{location}");
    let (_, _, _, bytes) = get_raw(&s, &viewer, &csaf_path).await;
    let verdict = bsi_verdict(&bytes);
    assert_eq!(verdict["valid"], true, "BSI validator: {verdict}");
    let doc: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(doc["document"]["tracking"]["status"], "final");
    assert_eq!(doc["document"]["tracking"]["version"], "2");
    let v = &doc["vulnerabilities"][0];
    assert_eq!(v["remediations"][0]["category"], "vendor_fix", "{v}");
    assert_eq!(v["product_status"]["fixed"].as_array().unwrap().len(), 1);
    // Marked sent before any case exists; the flaw then becomes known as exploited (KEV) and
    // the case proposed for it carries the record: who was informed, how, when, by whom and
    // the report.
    let (st, _) = s
        .call(
            &editor,
            Method::POST,
            &format!("/api/v1/upstream-reports/{rid}/informed"),
            Some(json!({"via": "e-mail to security@golang.org", "maintainer": "Go security team"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    s.import(&admin, &root().join("examples/kev.json")).await;
    let mut case = Value::Null;
    for _ in 0..100 {
        let (_, cases) = s.call(&viewer, Method::GET, "/api/v1/cases", None).await;
        if let Some(c) = cases.as_array().and_then(|c| {
            c.iter()
                .find(|c| c["case"]["advisory_id"] == "GHSA-qppj-fm5r-hxr3")
        }) {
            case = c.clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let cid = case["case"]["id"]
        .as_i64()
        .expect("a case proposed once the flaw is exploited");
    // A second report, sent while the case exists, is recorded on it at once.
    let (st, rep2) = s
        .call(
            &editor,
            Method::POST,
            &format!("/api/v1/findings/{fid}/upstream-reports"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{rep2}");
    let (st, _) = s
        .call(
            &editor,
            Method::POST,
            &format!("/api/v1/upstream-reports/{}/informed", rep2["id"]),
            Some(json!({"via": "GitHub private vulnerability reporting"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, c) = s
        .call(&viewer, Method::GET, &format!("/api/v1/cases/{cid}"), None)
        .await;
    let notices = c["maintainers_informed"].as_array().unwrap();
    assert_eq!(notices.len(), 2, "{c}");
    assert_eq!(notices[1]["upstream_report_id"], rep2["id"]);
    assert_eq!(
        notices[1]["channel"],
        "GitHub private vulnerability reporting"
    );
    // Without a name given: the first contact found, else the component's maintainers.
    let want = rep2["contacts"][0]["value"].as_str().map_or_else(
        || format!("the maintainers of {}", rep2["component"].as_str().unwrap()),
        str::to_string,
    );
    assert_eq!(notices[1]["maintainer"], want.as_str(), "{c}");
    let notice = &c["maintainers_informed"][0];
    assert_eq!(notice["maintainer"], "Go security team", "{c}");
    assert_eq!(notice["channel"], "e-mail to security@golang.org");
    assert_eq!(notice["upstream_report_id"], rid);
    assert_eq!(notice["informed_at"], T0);
    assert!(
        !notice["informed_by"].as_str().unwrap().is_empty(),
        "{notice}"
    );
    // Kept apart from the exploitation evidence.
    assert!(
        c["case"]["body"].is_null() || !c["case"]["body"].to_string().contains("Go security team")
    );
    let (_, html) = page(&s, &viewer, &format!("/cases/{cid}")).await;
    assert!(
        html.contains("id=\"maintainer-notices\"") && html.contains("Go security team"),
        "{html}"
    );
    // The report pack of the confirmed case carries it.
    let confirm = json!({"aware_at": "2026-09-21T08:00:00Z",
        "evidence": [{"source": "kev", "reference": "CISA KEV CVE-2023-44487"}]});
    let (st, v) = s
        .call(
            &editor,
            Method::POST,
            &format!("/api/v1/cases/{cid}/confirm"),
            Some(confirm),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, sub) = s
        .call(
            &editor,
            Method::POST,
            &format!("/api/v1/cases/{cid}/reports"),
            Some(json!({"stage": "early-warning"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{sub}");
    let (_, pack) = s
        .call(
            &viewer,
            Method::GET,
            &format!("/api/v1/submissions/{}/pack.json", sub["id"]),
            None,
        )
        .await;
    let field = pack["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "maintainers_informed")
        .unwrap_or_else(|| panic!("{pack}"));
    assert!(
        field["value"]
            .as_str()
            .unwrap()
            .contains("Go security team via e-mail to security@golang.org"),
        "{field}"
    );
    assert_eq!(field["basis"], "CRA Art. 13(6)");
    // The steward: the reports received in its navigation, the CSAF form offered and served.
    let steward_who = s.login("psirt@acme.example", PASSWORD).await;
    s.call(
        &steward_who,
        Method::POST,
        "/api/v1/session/org",
        Some(json!({"org_id": steward["id"]})),
    )
    .await;
    let (_, html) = page(&s, &steward_who, "/upstream-reports/received").await;
    assert!(
        html.contains("id=\"nav-received\"")
            && html.contains(&format!("id=\"received-{rid}-csaf\"")),
        "{html}"
    );
    let (st, _, _, bytes) = get_raw(&s, &steward_who, &csaf_path).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(bsi_verdict(&bytes)["valid"], true);
    // A manufacturer's navigation has no such link.
    let (_, html) = page(&s, &admin, "/").await;
    assert!(!html.contains("nav-received"));

    // Supplies through the page: refusals shown, then recorded and listed.
    let (st, op) = s
        .call(
            &editor,
            Method::POST,
            &format!("/api/v1/products/{pid}/operators"),
            Some(
                json!({"role": "importer", "name": "Nordimport GmbH", "address": "Hamburg",
                "contact": "c@nordimport.example", "member_state": "DE"}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{op}");
    let supply = format!("{conformity}/operators/{}/supplies", op["id"]);
    let (_, html) = page(&s, &admin, &conformity).await;
    assert!(html.contains(&format!("action=\"{supply}\"")), "{html}");
    let fields = |qty: &'static str| {
        [
            ("direction", "supplied-by"),
            ("party", "Acme Networks GmbH"),
            ("party_address", "Berlin"),
            ("supplied_on", "2026-09-01"),
            ("quantity", qty),
        ]
    };
    let (st, _, body) = post(&s, &admin, &supply, &fields("many"), true).await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.contains("whole number"), "{body}");
    let (st, location, _) = post(&s, &admin, &supply, &fields("40"), true).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{location}");
    let (_, html) = page(&s, &admin, &conformity).await;
    assert!(
        html.contains("2026-09-01: supplied-by Acme Networks GmbH, Berlin"),
        "{html}"
    );
    // Deleting it is refused before its Art. 23(2) date, on the page.
    let (_, ops) = s
        .call(
            &viewer,
            Method::GET,
            &format!("/api/v1/products/{pid}/operators"),
            None,
        )
        .await;
    let sid = ops["supply_records"][0]["id"].as_i64().unwrap();
    let (st, _, body) = post(
        &s,
        &admin,
        &format!("{conformity}/supplies/{sid}/delete"),
        &[],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.contains("Art. 23"), "{body}");
    s.shutdown().await;
}

/// The README's excerpt of a generated declaration is the demo's, not an invented one: `cyres
/// demo`'s world is seeded as the command does, the router's issued declaration is fetched as
/// text (`…/declarations/1.txt`), and the README's block must equal it (the fingerprint
/// shortened to `sha256:…`). When the declaration changes, this test prints the new block.
#[tokio::test]
async fn readme_declaration_excerpt_is_the_demos() {
    let dir = std::env::temp_dir().join(format!("cyres-readme-{}", unique()));
    std::fs::create_dir_all(&dir).unwrap();
    let clock = std::sync::Arc::new(cyres_server::ManualClock::new(T0));
    let (app, _) = cyres_server::App::start(cyres_server::Config::new(dir.clone()), clock.clone())
        .await
        .unwrap();
    let login = cyres_server::seed_demo(&app).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let s = serve_app(app, clock, listener, dir);
    let who = s.login(&login.email, &login.password).await;
    // The router is product 1 of Northwind Networks; act for whichever demo organisation
    // holds it.
    let mut text = None;
    for org in 1..=16 {
        s.call(
            &who,
            Method::POST,
            "/api/v1/session/org",
            Some(json!({"org_id": org})),
        )
        .await;
        let (st, _, _, bytes) = get_raw(&s, &who, "/api/v1/products/1/declarations/1.txt").await;
        if st == StatusCode::OK {
            text = Some(String::from_utf8(bytes).unwrap());
            break;
        }
    }
    let text = text.expect("the demo issues the router's declaration 1");
    let generated: String = text
        .lines()
        .map(|l| match l.split_once(" · sha256:") {
            Some((head, _)) => format!("{head} · sha256:…\n"),
            None => format!("{l}\n"),
        })
        .collect();
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let marker = "The router's declaration as the demo issues it";
    let after = &readme[readme.find(marker).expect("the README's excerpt")..];
    let start = after.find("```\n").unwrap() + 4;
    let end = start + after[start..].find("```\n").unwrap();
    assert_eq!(
        &after[start..end],
        generated,
        "README.md's declaration excerpt differs from the demo's; replace it with:\n{generated}"
    );
    s.shutdown().await;
}

/// Art. 13(6) on every path: a case opened by hand for a vulnerability (named by an alias of
/// the advisory) records the maintainer already informed of it; one case per advisory and an
/// incident names none (refusals with their field); a report marked informed before the
/// notices were kept (migration 0030) reaches the case once migration 0033 and the start-up
/// copy have run: who recorded it from the audit log, who was informed said to be unknown.
async fn maintainer_notices_reach_hand_opened_cases_and_older_reports(engine: Engine) {
    use cyres_server::Clock as _;
    let Some(s) = start(engine).await else {
        return;
    };
    let (admin, editor, viewer, pid, finding) = router_with_http2_finding(&s).await;
    let fid = finding["id"].as_i64().unwrap();
    assert!(
        finding["aliases"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "CVE-2023-44487"),
        "{finding}"
    );
    let report = |via: &'static str| {
        let (s, editor) = (&s, &editor);
        async move {
            let (st, rep) = s
                .call(
                    editor,
                    Method::POST,
                    &format!("/api/v1/findings/{fid}/upstream-reports"),
                    None,
                )
                .await;
            assert_eq!(st, StatusCode::CREATED, "{rep}");
            let rid = rep["id"].as_i64().unwrap();
            let (st, v) = s
                .call(
                    editor,
                    Method::POST,
                    &format!("/api/v1/upstream-reports/{rid}/informed"),
                    Some(json!({"via": via, "maintainer": "Go security team"})),
                )
                .await;
            assert_eq!(st, StatusCode::OK, "{v}");
            rid
        }
    };
    let rid = report("e-mail to security@golang.org").await;
    // Opened by hand, named by the CVE alias of the advisory the report is about.
    let open = |kind: &str, advisory: &str| {
        json!({"kind": kind, "title": "HTTP/2 rapid reset in the web interface",
            "product_id": pid, "advisory_id": advisory, "aware_at": "2026-09-20T08:00:00Z"})
    };
    let (st, c) = s
        .call(
            &editor,
            Method::POST,
            "/api/v1/cases",
            Some(open("vulnerability", "CVE-2023-44487")),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    let cid = c["case"]["id"].as_i64().unwrap();
    assert_eq!(c["case"]["advisory_id"], "CVE-2023-44487", "{c}");
    assert_eq!(
        c["case"]["body"]["cve_ids"],
        json!(["CVE-2023-44487"]),
        "{c}"
    );
    let notices = c["maintainers_informed"].as_array().unwrap();
    assert_eq!(notices.len(), 1, "{c}");
    assert_eq!(notices[0]["upstream_report_id"], rid);
    assert_eq!(notices[0]["maintainer"], "Go security team");
    // One case per advisory; an incident names no advisory.
    let (st, e) = s
        .call(
            &editor,
            Method::POST,
            "/api/v1/cases",
            Some(open("vulnerability", "CVE-2023-44487")),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["error"]["field"], "advisory_id", "{e}");
    assert!(e.to_string().contains(&format!("case {cid}")), "{e}");
    // Also under the advisory's own id: it names the same vulnerability.
    let (st, e) = s
        .call(
            &editor,
            Method::POST,
            "/api/v1/cases",
            Some(open("vulnerability", "GHSA-qppj-fm5r-hxr3")),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    assert!(
        e.to_string().contains("another id of GHSA-qppj-fm5r-hxr3"),
        "{e}"
    );
    let (st, e) = s
        .call(
            &editor,
            Method::POST,
            "/api/v1/cases",
            Some(open("incident", "CVE-2023-44487")),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["field"], "advisory_id", "{e}");
    // The page's form offers the field.
    let (_, html) = page(&s, &admin, "/cases").await;
    assert!(html.contains("name=\"advisory_id\""), "{html}");
    // A report marked informed as releases before 0030 kept it: no maintainer, no recorder,
    // no notice on the case.
    let old = report("GitHub private vulnerability reporting").await;
    let pool = s.store.raw_pool();
    sqlx::query(
        "UPDATE upstream_report SET informed_maintainer = NULL, informed_by = NULL WHERE id = $1",
    )
    .bind(old)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("DELETE FROM case_maintainer_notice WHERE upstream_report_id = $1")
        .bind(old)
        .execute(&pool)
        .await
        .unwrap();
    let dir = match engine {
        Engine::Sqlite => "sqlite",
        Engine::Postgres => "pg",
    };
    let migration = std::fs::read_to_string(root().join(format!(
        "crates/cyres-store/migrations/{dir}/0033_maintainer_notice_backfill.sql"
    )))
    .unwrap();
    let code: Vec<&str> = migration
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect();
    for statement in code.join("\n").split(';').filter(|t| !t.trim().is_empty()) {
        sqlx::query(sqlx::AssertSqlSafe(statement.to_string()))
            .execute(&pool)
            .await
            .unwrap();
    }
    assert_eq!(
        s.store
            .copy_missing_maintainer_notices(s.clock.now())
            .await
            .unwrap(),
        1
    );
    // Idempotent: a second start writes nothing.
    assert_eq!(
        s.store
            .copy_missing_maintainer_notices(s.clock.now())
            .await
            .unwrap(),
        0
    );
    let (_, c) = s
        .call(&viewer, Method::GET, &format!("/api/v1/cases/{cid}"), None)
        .await;
    let notices = c["maintainers_informed"].as_array().unwrap();
    assert_eq!(notices.len(), 2, "{c}");
    let back = notices
        .iter()
        .find(|n| n["upstream_report_id"] == old)
        .unwrap_or_else(|| panic!("{c}"));
    assert_eq!(back["channel"], "GitHub private vulnerability reporting");
    assert!(
        back["maintainer"]
            .as_str()
            .unwrap()
            .starts_with("not recorded"),
        "{back}"
    );
    // Who recorded it comes from the audit log: the same actor as the first report's.
    assert_eq!(back["informed_by"], notices[0]["informed_by"], "{c}");
    assert!(
        !back["informed_by"]
            .as_str()
            .unwrap()
            .starts_with("not recorded"),
        "{back}"
    );
}

/// The router with release 2.4.1's SBOM and the example advisories: its finding of the HTTP/2
/// flaw (GHSA-qppj-fm5r-hxr3, not known to be exploited until the example KEV is imported).
async fn router_with_http2_finding(s: &Server) -> (Who, Who, Who, i64, Value) {
    let (admin, editor, viewer, pid) = acme_router(s).await;
    for f in std::fs::read_dir(root().join("examples/advisories")).unwrap() {
        s.import(&admin, &f.unwrap().path()).await;
    }
    let (_, rel) = s
        .call(
            &editor,
            Method::POST,
            &format!("/api/v1/products/{pid}/releases"),
            Some(json!({"version": "2.4.1"})),
        )
        .await;
    let sbom = std::fs::read(root().join("examples/sboms/router-fw-2.4.1.cdx.json")).unwrap();
    let (st, _) = s
        .upload(&editor, rel["id"].as_i64().unwrap(), sbom, "fw.json")
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (_, found) = s
        .call(
            &viewer,
            Method::GET,
            &format!("/api/v1/findings?product={pid}&advisory=GHSA-qppj-fm5r-hxr3"),
            None,
        )
        .await;
    let finding = found["findings"]
        .as_array()
        .or(found.as_array())
        .and_then(|f| f.first())
        .unwrap_or_else(|| panic!("{found}"))
        .clone();
    (admin, editor, viewer, pid, finding)
}
