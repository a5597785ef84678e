//! The CSAF trusted provider (issue 18, point 3) over real HTTP on loopback, on SQLite and
//! PostgreSQL: a security advisory from a confirmed case and a VEX document of a release go
//! draft → reviewed → published (in that order only, the publish step for administrators);
//! a published revision never changes and a correction is a new revision with a higher
//! version. Then a client walks the provider from `provider-metadata.json` as an aggregator
//! would: every listed document passes the BSI validator library (schema + mandatory tests),
//! its `.sha256`/`.sha512` match, its `.asc` verifies with `gpg --verify` against the
//! published key; TLP:AMBER is never listed publicly and answers 401 without a login, 404 to
//! another organisation, 200 to a member. The signed `security.txt` verifies with `gpg` too.
//!
//! Needs `gpg` (Debian package gnupg) and node with the BSI library
//! (`bash scripts/csaf-validator.sh`); without them the test fails saying so, never skips.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Digest;
use std::path::{Path, PathBuf};
use std::process::Command;

both!(a_published_provider_passes_the_checks);

const PUBLIC_URL: &str = "https://cyres.example";

/// GET `url` (a public URL of the provider, mapped onto the test server) with optional
/// credentials: status and bytes. Redirects are not followed (CSAF 2.0 §7.1.6: none).
async fn fetch(m: &Server, who: Option<&Who>, url: &str) -> (StatusCode, Vec<u8>) {
    let path = url
        .strip_prefix(PUBLIC_URL)
        .unwrap_or_else(|| panic!("{url} is not under {PUBLIC_URL}"));
    let mut b = browser().get(m.url(path));
    if let Some(w) = who {
        if let Some(c) = &w.cookie {
            b = b.header("cookie", c);
        }
        if let Some(t) = &w.token {
            b = b.bearer_auth(t);
        }
    }
    let r = b.send().await.unwrap();
    assert!(!r.status().is_redirection(), "{url} redirects");
    (r.status(), r.bytes().await.unwrap().to_vec())
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// `gpg`, or a failure that says how to install it.
fn gpg(home: &Path, args: &[&str]) -> std::process::Output {
    Command::new("gpg")
        .arg("--homedir")
        .arg(home)
        .args(["--batch", "--no-tty", "--status-fd", "1"])
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "running gpg ({e}): install GnuPG (apt-get install gnupg; scripts/system-packages.sh does it). This test never skips."
            )
        })
}

/// The BSI validator library's verdicts on `files` (scripts/csaf-validate.mjs).
fn bsi(files: &[PathBuf]) -> Vec<Value> {
    validate(&[], files)
}

/// `provider-metadata.json` files against the standard's provider schema (the OASIS
/// archive in the kit), with the ajv the BSI library brings.
fn provider_schema(files: &[PathBuf]) -> Vec<Value> {
    let schemas = cyres_kit::unpacked_path("csaf/csaf-2.0.tar.zst", "csaf-2.0/csaf_2.0/");
    validate(
        &["--provider-metadata".into(), schemas.into_os_string()],
        files,
    )
}

fn validate(args: &[std::ffi::OsString], files: &[PathBuf]) -> Vec<Value> {
    let lib = std::env::var_os("CYRES_CSAF_VALIDATOR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::env::var_os("CYRES_ORACLES")
                .map(PathBuf::from)
                .unwrap_or_else(|| root().join("target/oracles"))
                .join("csaf-validator/node_modules/@secvisogram/csaf-validator-lib")
        });
    assert!(
        lib.join("package.json").is_file(),
        "the BSI CSAF validator library is not installed at {}: run `bash scripts/csaf-validator.sh` \
         (needs node and npm) or set CYRES_ORACLES or CYRES_CSAF_VALIDATOR. This test never skips.",
        lib.display()
    );
    let out = Command::new("node")
        .arg(root().join("scripts/csaf-validate.mjs"))
        .args(args)
        .args(files)
        .env("CYRES_CSAF_VALIDATOR", &lib)
        .output()
        .unwrap_or_else(|e| panic!("running node ({e}): apt-get install nodejs npm"));
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 1),
        "csaf-validate.mjs: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len(), files.len(), "one verdict per file");
    results
}

async fn lifecycle(m: &Server, who: &Who, id: i64) -> Value {
    let (st, v) = m
        .call(
            who,
            Method::POST,
            &format!("/api/v1/csaf/documents/{id}/publish"),
            None,
        )
        .await;
    assert_eq!(
        st,
        StatusCode::CONFLICT,
        "publishing a draft before review: {v}"
    );
    let (st, v) = m
        .call(
            who,
            Method::POST,
            &format!("/api/v1/csaf/documents/{id}/review"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "reviewed");
    let (st, v) = m
        .call(
            who,
            Method::POST,
            &format!("/api/v1/csaf/documents/{id}/publish"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "published");
    assert_eq!(v["document"]["document"]["tracking"]["status"], "final");
    v
}

async fn draft(m: &Server, who: &Who, path: &str, body: Value) -> Value {
    let (st, v) = m.call(who, Method::POST, path, Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{path}: {v}");
    assert_eq!(v["state"], "draft");
    assert_eq!(v["document"]["document"]["tracking"]["status"], "draft");
    v
}

async fn a_published_provider_passes_the_checks(engine: Engine) {
    let repo = std::env::temp_dir().join(format!("cyres-csaf-repo-{}", unique()));
    let _guard = TempDir(repo.clone());
    std::fs::create_dir_all(repo.join("published/metadata")).unwrap();
    let r2 = repo.clone();
    let Some(m) = start_with(engine, move |c| {
        c.public_url = PUBLIC_URL.into();
        c.sign_security_txt = true;
        c.update_repo = Some(r2);
    })
    .await
    else {
        return;
    };
    let psirt = m.bootstrap("Acme Routers GmbH", "psirt@acme.example").await;
    let (pid, rid, cid) = m.confirmed_example_case(&psirt).await;

    // The advisory (TLP:CLEAR) and the release's VEX document, each reviewed then published.
    let sa = draft(
        &m,
        &psirt,
        &format!("/api/v1/cases/{cid}/csaf"),
        json!({"tlp": "CLEAR"}),
    )
    .await;
    let sa = lifecycle(&m, &psirt, sa["id"].as_i64().unwrap()).await;
    assert_eq!(sa["version"], "1.0.0");
    // Later publications are signed later than the key was made (gpg refuses a signature
    // older than its key; the demo found that).
    m.clock.advance(3600);
    assert_eq!(sa["tlp"], "WHITE");
    let vex = draft(
        &m,
        &psirt,
        &format!("/api/v1/releases/{rid}/csaf-vex"),
        json!({}),
    )
    .await;
    let vex = lifecycle(&m, &psirt, vex["id"].as_i64().unwrap()).await;
    assert_eq!(vex["profile"], "csaf_vex");

    // A published revision is immutable: no second publish, no review; its bytes stay.
    let sa_id = sa["id"].as_i64().unwrap();
    for step in ["review", "publish"] {
        let (st, v) = m
            .call(
                &psirt,
                Method::POST,
                &format!("/api/v1/csaf/documents/{sa_id}/{step}"),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{step}: {v}");
    }
    // A correction is a new revision; the first one is untouched.
    let fix = draft(
        &m,
        &psirt,
        &format!("/api/v1/cases/{cid}/csaf"),
        json!({"tlp": "WHITE", "change_summary": "Added the fixed release."}),
    )
    .await;
    assert_eq!(fix["tracking_id"], sa["tracking_id"]);
    assert_eq!(fix["revision"], 2);
    let (st, v) = m
        .call(
            &psirt,
            Method::PATCH,
            &format!("/api/v1/cases/{cid}"),
            Some(json!({"fixed_releases": ["2.4.2"]})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let fix = draft(
        &m,
        &psirt,
        &format!("/api/v1/cases/{cid}/csaf"),
        json!({"change_summary": "Fixed in 2.4.2."}),
    )
    .await;
    assert_eq!(fix["revision"], 3, "the newer draft supersedes revision 2");
    let fix = lifecycle(&m, &psirt, fix["id"].as_i64().unwrap()).await;
    let history = fix["document"]["document"]["tracking"]["revision_history"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(history.len(), 2, "{history:?}");
    assert_eq!(
        fix["version"], "2.0.0",
        "a fixed release changes the product tree: major"
    );
    let (_, first) = m
        .call(
            &psirt,
            Method::GET,
            &format!("/api/v1/csaf/documents/{sa_id}"),
            None,
        )
        .await;
    assert_eq!(
        first["document"], sa["document"],
        "published bytes never change"
    );
    let (_, all) = m
        .call(&psirt, Method::GET, "/api/v1/csaf/documents", None)
        .await;
    let states: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["tracking_id"] == sa["tracking_id"])
        .map(|r| r["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["published", "superseded", "published"]);

    // A TLP:AMBER advisory from a hand-made case.
    let (st, c) = m
        .call(
            &psirt,
            Method::POST,
            "/api/v1/cases",
            Some(json!({"kind": "vulnerability", "title": "Debug shell on the serial console",
                "product_id": pid, "aware_at": "2026-09-21T09:00:00Z",
                "description": "A root shell is reachable on the serial console without a password."})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    let amber_case = c["case"]["id"].as_i64().unwrap();
    let (st, v) = m
        .call(
            &psirt,
            Method::PATCH,
            &format!("/api/v1/cases/{amber_case}"),
            Some(json!({"cve_ids": ["CVE-2026-40001"], "affected_releases": ["2.4.1"]})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let amber = draft(
        &m,
        &psirt,
        &format!("/api/v1/cases/{amber_case}/csaf"),
        json!({"tlp": "AMBER"}),
    )
    .await;
    let amber = lifecycle(&m, &psirt, amber["id"].as_i64().unwrap()).await;
    let amber_url = amber["document"]["document"]["references"][0]["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(amber_url.contains("/amber/"), "{amber_url}");

    // The walk, from the metadata named in security.txt.
    let (st, sec) = fetch(&m, None, &format!("{PUBLIC_URL}/.well-known/security.txt")).await;
    assert_eq!(st, StatusCode::OK);
    let sec = text(&sec);
    assert!(
        sec.starts_with("-----BEGIN PGP SIGNED MESSAGE-----"),
        "{sec}"
    );
    let metadata_url = sec
        .lines()
        .find_map(|l| l.strip_prefix("CSAF: "))
        .expect("a CSAF field")
        .to_string();
    let (st, md) = fetch(&m, None, &metadata_url).await;
    assert_eq!(st, StatusCode::OK);
    let md: Value = serde_json::from_slice(&md).unwrap();
    assert_eq!(md["canonical_url"], metadata_url.as_str());
    assert_eq!(md["role"], "csaf_trusted_provider");
    let md_text = md.to_string();
    assert!(
        !md_text.contains("amber"),
        "public metadata lists no restricted folder: {md_text}"
    );
    let dir = cyres_kit::target_dir().join(format!("csaf-provider-{}", unique()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("provider-metadata.json"), md.to_string()).unwrap();
    for r in provider_schema(&[dir.join("provider-metadata.json")]) {
        assert_eq!(r["valid"], true, "provider schema: {r}");
    }
    let key = &md["public_openpgp_keys"][0];
    let fingerprint = key["fingerprint"].as_str().unwrap().to_string();
    let (st, key_bytes) = fetch(&m, None, key["url"].as_str().unwrap()).await;
    assert_eq!(st, StatusCode::OK);

    let home = dir.join("gnupg");
    std::fs::create_dir_all(&home).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    std::fs::write(dir.join("key.asc"), &key_bytes).unwrap();
    let out = gpg(&home, &["--import", dir.join("key.asc").to_str().unwrap()]);
    assert!(
        out.status.success(),
        "gpg --import: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // security.txt verifies with the published key (RFC 9116 §2.3).
    std::fs::write(dir.join("security.txt"), &sec).unwrap();
    let out = gpg(
        &home,
        &["--verify", dir.join("security.txt").to_str().unwrap()],
    );
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).contains(&fingerprint),
        "gpg --verify security.txt: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut listed: Vec<String> = Vec::new();
    for dist in md["distributions"].as_array().unwrap() {
        for feed in dist["rolie"]["feeds"].as_array().unwrap() {
            let (st, f) = fetch(&m, None, feed["url"].as_str().unwrap()).await;
            assert_eq!(st, StatusCode::OK);
            let f: Value = serde_json::from_slice(&f).unwrap();
            for e in f["feed"]["entry"].as_array().unwrap() {
                listed.push(e["content"]["src"].as_str().unwrap().to_string());
            }
        }
        let folder = dist["directory_url"].as_str().unwrap();
        let (st, index) = fetch(&m, None, &format!("{folder}index.txt")).await;
        assert_eq!(st, StatusCode::OK);
        for line in text(&index).lines() {
            let url = format!("{folder}{line}");
            assert!(listed.contains(&url), "{url} in index.txt and in the feed");
        }
        let (st, changes) = fetch(&m, None, &format!("{folder}changes.csv")).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(text(&changes).lines().count(), text(&index).lines().count());
        let (st, listing) = fetch(&m, None, folder).await;
        assert_eq!(st, StatusCode::OK);
        assert!(text(&listing).contains("index.txt"));
    }
    listed.sort();
    listed.dedup();
    assert_eq!(
        listed.len(),
        2,
        "the advisory and the VEX document: {listed:?}"
    );
    assert!(!listed.contains(&amber_url));

    let mut files = Vec::new();
    for (i, url) in listed.iter().enumerate() {
        let (st, doc) = fetch(&m, None, url).await;
        assert_eq!(st, StatusCode::OK, "{url}");
        let name = url.rsplit('/').next().unwrap();
        for (ext, digest) in [
            ("sha256", hex(&sha2::Sha256::digest(&doc))),
            ("sha512", hex(&sha2::Sha512::digest(&doc))),
        ] {
            let (st, h) = fetch(&m, None, &format!("{url}.{ext}")).await;
            assert_eq!(st, StatusCode::OK);
            assert_eq!(text(&h), format!("{digest}  {name}\n"), "{url}.{ext}");
        }
        let (st, sig) = fetch(&m, None, &format!("{url}.asc")).await;
        assert_eq!(st, StatusCode::OK);
        let doc_file = dir.join(format!("{i}-{name}"));
        let sig_file = dir.join(format!("{i}-{name}.asc"));
        std::fs::write(&doc_file, &doc).unwrap();
        std::fs::write(&sig_file, &sig).unwrap();
        let out = gpg(
            &home,
            &[
                "--verify",
                sig_file.to_str().unwrap(),
                doc_file.to_str().unwrap(),
            ],
        );
        assert!(
            out.status.success() && String::from_utf8_lossy(&out.stdout).contains("GOODSIG"),
            "gpg --verify {url}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // A changed byte fails.
        let mut bad = doc.clone();
        bad.push(b'\n');
        std::fs::write(&doc_file, &bad).unwrap();
        let out = gpg(
            &home,
            &[
                "--verify",
                sig_file.to_str().unwrap(),
                doc_file.to_str().unwrap(),
            ],
        );
        assert!(!out.status.success(), "a changed document must not verify");
        std::fs::write(&doc_file, &doc).unwrap();
        files.push(doc_file);
    }
    for r in bsi(&files) {
        assert_eq!(r["valid"], true, "BSI validator: {r}");
    }

    // TLP:AMBER: 401 without a login (the folder too), 200 to a member, 404 to another
    // organisation.
    let amber_folder = amber_url.rsplit_once("/20").unwrap().0.to_string();
    for url in [
        amber_url.clone(),
        format!("{amber_url}.asc"),
        format!("{amber_folder}/index.txt"),
        format!("{amber_folder}/"),
    ] {
        let (st, _) = fetch(&m, None, &url).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{url}");
    }
    let (st, doc) = fetch(&m, Some(&psirt), &amber_url).await;
    assert_eq!(st, StatusCode::OK);
    assert!(text(&doc).contains("CVE-2026-40001"));
    let (st, idx) = fetch(&m, Some(&psirt), &format!("{amber_folder}/index.txt")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(text(&idx).lines().count(), 1);
    let (_, member_md) = fetch(&m, Some(&psirt), &metadata_url).await;
    assert!(
        text(&member_md).contains("/amber/"),
        "members see the AMBER distribution"
    );
    let (st, beta) = m
        .provision(
            "psirt@acme.example",
            json!({"name": "Beta Cameras SA", "kind": "manufacturer"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let token = m.token(&psirt, "viewer").await;
    let beta_amber = format!(
        "{PUBLIC_URL}/public/{}/csaf/amber/index.txt",
        beta["slug"].as_str().unwrap()
    );
    let (st, _) = fetch(&m, Some(&token), &beta_amber).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "another organisation's member");
    let _ = std::fs::remove_dir_all(&dir);

    // The UI: the page lists the revisions with the provider's URL; the case page drafts.
    let (st, html) = page(&m, &psirt, "/csaf").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains(&metadata_url) && html.contains(&fingerprint),
        "{html}"
    );
    assert_eq!(
        html.matches("data-state=\"published\"").count(),
        4,
        "{html}"
    );
    let (_, html) = page(&m, &psirt, &format!("/cases/{cid}")).await;
    assert!(html.contains("id=\"csaf-draft\""), "{html}");

    // The fix ships as a security update (TUF security channel): cyres proposes the
    // advisory's update, once, as a draft with a vendor_fix pointing at the update.
    let custom = cyres_tuf::channel::TargetCustom {
        product: "AX3000 router".into(),
        hardware: "rev-b".into(),
        version: "2.4.3".into(),
        channel: cyres_tuf::channel::Channel::Security,
        fixes: vec!["CVE-2023-44487".into()],
        min_version: None,
    };
    let targets = cyres_tuf::metadata::Targets {
        type_: "targets".into(),
        spec_version: "1.0.31".into(),
        version: 1,
        expires: "2030-01-01T00:00:00Z".into(),
        targets: [(
            "security/ax3000-2.4.3.bin".to_string(),
            cyres_tuf::metadata::TargetFile::describing(b"firmware", Some(custom.to_value())),
        )]
        .into(),
        delegations: None,
        unrecognized: Default::default(),
    };
    let md = cyres_tuf::metadata::Metadata::new(targets).unwrap();
    std::fs::write(
        repo.join("published/metadata/1.security.json"),
        md.to_bytes().unwrap(),
    )
    .unwrap();
    m.clock.advance(61);
    let mut proposed = Value::Null;
    for _ in 0..100 {
        let (_, all) = m
            .call(&psirt, Method::GET, "/api/v1/csaf/documents", None)
            .await;
        if let Some(p) = all
            .as_array()
            .unwrap()
            .iter()
            .find(|r| !r["proposal"].is_null())
        {
            proposed = p.clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(proposed["state"], "draft", "a proposal appears: {proposed}");
    assert_eq!(proposed["tracking_id"], sa["tracking_id"]);
    let v = &proposed["document"]["vulnerabilities"][0];
    let fix = v["remediations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["category"] == "vendor_fix")
        .expect("a vendor_fix remediation");
    assert!(
        fix["url"]
            .as_str()
            .unwrap()
            .ends_with("/updates/targets/security/ax3000-2.4.3.bin"),
        "{fix}"
    );
    assert_eq!(
        v["product_status"]["fixed"].as_array().unwrap().len(),
        2,
        "{v}"
    );
    m.clock.advance(61);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let (_, all) = m
        .call(&psirt, Method::GET, "/api/v1/csaf/documents", None)
        .await;
    let proposals = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| !r["proposal"].is_null())
        .count();
    assert_eq!(proposals, 1, "proposed once per update");
    let (_, html) = page(&m, &psirt, "/csaf").await;
    assert!(html.contains("Proposed by cyres"), "{html}");
    m.shutdown().await;
}
