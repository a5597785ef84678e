//! The authority as a CSAF lister (issue 18, point 6) over real HTTP on loopback, on SQLite and
//! PostgreSQL: a CSIRT lists a trusted provider (a loopback server the test runs, its files
//! made with `cyres-csaf`'s provider layout and signed by GnuPG, a real peer), and each pull
//! keeps exactly the documents whose hash, OpenPGP signature, mandatory tests, file name and TLP
//! hold, refusing the others by name; a fixed document is taken on the next pull; redirects,
//! private targets and plain http are refused; only authorities may list; `aggregator.json` is
//! public and lists the provider.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256, Sha512};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

both!(a_csirt_lists_a_provider_and_keeps_only_what_verifies);

/// A GnuPG home with one signing key (ed25519), made by `gpg` itself.
struct Gpg {
    home: PathBuf,
    fingerprint: String,
}

impl Gpg {
    fn new(name: &str) -> Gpg {
        let home = std::env::temp_dir().join(format!("cyres-gpg-{}", unique()));
        std::fs::create_dir_all(&home).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        let mut g = Gpg {
            home,
            fingerprint: String::new(),
        };
        g.run(&[
            "--quick-generate-key",
            "--passphrase",
            "",
            &format!("{name} <psirt@{name}.example>"),
            "ed25519",
            "sign",
            "never",
        ]);
        let listing = String::from_utf8(g.run(&["--with-colons", "--list-keys"])).unwrap();
        g.fingerprint = listing
            .lines()
            .find(|l| l.starts_with("fpr:"))
            .and_then(|l| l.split(':').nth(9))
            .expect("gpg lists the key's fingerprint")
            .to_string();
        g
    }

    fn run(&self, args: &[&str]) -> Vec<u8> {
        let out = Command::new("gpg")
            .env("GNUPGHOME", &self.home)
            .args(["--batch", "--yes", "--pinentry-mode", "loopback"])
            .args(args)
            .output()
            .unwrap_or_else(|e| {
                panic!("running gpg ({e}): install GnuPG (apt-get install gnupg; scripts/system-packages.sh does it). This test never skips.")
            });
        assert!(
            out.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    fn public_key(&self) -> Vec<u8> {
        self.run(&["--armor", "--export", &self.fingerprint])
    }

    fn sign(&self, data: &[u8]) -> Vec<u8> {
        let file = self.home.join(format!("doc-{}", unique()));
        std::fs::write(&file, data).unwrap();
        let sig = self.home.join(format!("sig-{}", unique()));
        self.run(&[
            "--armor",
            "--local-user",
            &self.fingerprint,
            "--output",
            sig.to_str().unwrap(),
            "--detach-sign",
            file.to_str().unwrap(),
        ]);
        std::fs::read(sig).unwrap()
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", &self.home)
            .args(["--kill", "all"])
            .output();
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

type Files = Arc<Mutex<HashMap<String, (StatusCode, Vec<u8>)>>>;

/// A provider on loopback: serves exactly the files in the map, 404 otherwise.
async fn provider_server(files: Files) -> String {
    use axum::extract::{Request, State};
    use axum::response::IntoResponse;
    async fn serve(State(files): State<Files>, req: Request) -> axum::response::Response {
        let path = req.uri().path().to_string();
        match files.lock().unwrap().get(&path) {
            Some((st, body)) if st.is_redirection() => (
                *st,
                [("location", String::from_utf8_lossy(body).into_owned())],
            )
                .into_response(),
            Some((st, body)) => (*st, body.clone()).into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        }
    }
    let app = axum::Router::new().fallback(serve).with_state(files);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The kit's BSI example advisory (TLP:WHITE, final) under another tracking id.
fn advisory(example: &Path, tracking_id: &str) -> cyres_csaf::Document {
    let mut v: Value = serde_json::from_slice(&std::fs::read(example).unwrap()).unwrap();
    v["document"]["tracking"]["id"] = Value::from(tracking_id);
    v["document"]["title"] = Value::from(format!("Test advisory {tracking_id}"));
    serde_json::from_value(v).unwrap()
}

struct Provider {
    metadata_url: String,
    urls: HashMap<&'static str, String>,
    good: Vec<u8>,
}

/// Six documents: two good (one with SHA-512, one with SHA-256 only), one whose bytes do not
/// match its hashes, one signed by an unpublished key, one without signature, one failing a
/// mandatory test (hashed and signed, so only the test refuses it).
fn build_provider(origin: &str, files: &Files, key: &Gpg, other: &Gpg) -> Provider {
    use cyres_csaf::model::{Publisher, PublisherCategory};
    use cyres_csaf::provider::{self as p, OpenPgpKey, Published, Role};
    let example = cyres_kit::unpacked_path(
        "csaf/csaf-2.0.tar.zst",
        "csaf-2.0/csaf_2.0/examples/csaf/bsi-2022-0001.json",
    );
    let base = format!("{origin}/.well-known/csaf");
    let provider = p::Provider {
        base_url: base.clone(),
        publisher: Publisher {
            category: PublisherCategory::Vendor,
            contact_details: Some("psirt@acme.example".into()),
            issuing_authority: None,
            name: "Acme Routers PSIRT".into(),
            namespace: "https://acme.example".into(),
        },
        role: Role::CsafTrustedProvider,
        public_openpgp_keys: vec![OpenPgpKey {
            fingerprint: Some(key.fingerprint.clone()),
            url: format!("{base}/openpgp/{}.asc", key.fingerprint),
        }],
        list_on_csaf_aggregators: true,
        mirror_on_csaf_aggregators: false,
        signed: true,
    };
    let kinds = [
        ("good", "ACME-SA-2027-0001"),
        ("sha256-only", "ACME-SA-2027-0002"),
        ("tampered", "ACME-SA-2027-0003"),
        ("foreign-key", "ACME-SA-2027-0004"),
        ("unsigned", "ACME-SA-2027-0005"),
        ("invalid", "ACME-SA-2027-0006"),
    ];
    let mut published = Vec::new();
    let mut urls = HashMap::new();
    let mut map = files.lock().unwrap();
    let path_of = |url: &str| url.strip_prefix(origin).unwrap().to_string();
    let mut good = Vec::new();
    for (kind, id) in kinds {
        let doc = advisory(&example, id);
        let e = Published::of(&doc).unwrap();
        let url = provider.document_url(&e);
        published.push(e);
        let mut bytes = cyres_csaf::to_json(&doc).into_bytes();
        if kind == "invalid" {
            let mut v: Value = serde_json::from_slice(&bytes).unwrap();
            v["document"]["tracking"]["version"] = Value::from("0");
            bytes = serde_json::to_vec_pretty(&v).unwrap();
        }
        let name = url.rsplit('/').next().unwrap().to_string();
        let s512 = format!("{}  {name}\n", hex(&Sha512::digest(&bytes)));
        let s256 = format!("{}  {name}\n", hex(&Sha256::digest(&bytes)));
        let signer = if kind == "foreign-key" { other } else { key };
        let asc = signer.sign(&bytes);
        if kind != "sha256-only" {
            map.insert(
                path_of(&format!("{url}.sha512")),
                (StatusCode::OK, s512.into_bytes()),
            );
        }
        map.insert(
            path_of(&format!("{url}.sha256")),
            (StatusCode::OK, s256.into_bytes()),
        );
        if kind != "unsigned" {
            map.insert(path_of(&format!("{url}.asc")), (StatusCode::OK, asc));
        }
        if kind == "good" {
            good = bytes.clone();
        }
        if kind == "tampered" {
            let mut t = bytes.clone();
            let at = t.len() / 2;
            t[at] ^= 1;
            // Kept so the test can serve the right bytes later.
            map.insert("/original-tampered".into(), (StatusCode::OK, bytes));
            bytes = t;
        }
        map.insert(path_of(&url), (StatusCode::OK, bytes));
        urls.insert(kind, url);
    }
    let t = time::macros::datetime!(2027-02-04 09:00 UTC);
    let metadata = provider.metadata(&[cyres_csaf::model::TlpLabel::White], t);
    let metadata_url = provider.metadata_url();
    map.insert(
        path_of(&metadata_url),
        (
            StatusCode::OK,
            serde_json::to_vec_pretty(&metadata).unwrap(),
        ),
    );
    let feed = provider.rolie_feed(cyres_csaf::model::TlpLabel::White, &published, t);
    map.insert(
        path_of(&provider.feed_url(cyres_csaf::model::TlpLabel::White)),
        (StatusCode::OK, feed.to_string().into_bytes()),
    );
    map.insert(
        path_of(&format!("{base}/openpgp/{}.asc", key.fingerprint)),
        (StatusCode::OK, key.public_key()),
    );
    drop(map);
    Provider {
        metadata_url,
        urls,
        good,
    }
}

async fn a_csirt_lists_a_provider_and_keeps_only_what_verifies(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let key = Gpg::new("acme");
    let other = Gpg::new("mallory");
    let files: Files = Arc::default();
    let origin = provider_server(files.clone()).await;
    let prov = build_provider(&origin, &files, &key, &other);

    let maker = s.bootstrap("Acme Routers", "admin@acme.example").await;
    let (st, csirt_org) = s
        .provision(
            "admin@acme.example",
            json!({"name": "Demo CSIRT France", "kind": "csirt", "member_state": "FR"}),
        )
        .await;
    assert!(st.is_success());
    let csirt = s.login("admin@acme.example", PASSWORD).await;
    let (st, _) = s
        .call(
            &csirt,
            Method::POST,
            "/api/v1/session/org",
            Some(json!({"org_id": csirt_org["id"]})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);

    // Nothing listed yet: no aggregator.json (its schema needs one provider).
    let r = browser()
        .get(s.url("/.well-known/csaf-aggregator/aggregator.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // A manufacturer is not a lister.
    let (st, v) = s
        .call(
            &maker,
            Method::POST,
            "/api/v1/csaf/providers",
            Some(json!({"url": prov.metadata_url})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    let (st, _) = s
        .call(&maker, Method::GET, "/api/v1/csaf/providers", None)
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    // Private targets and plain http to a target the operator did not allow are refused.
    for bad in [
        "https://internal.test/.well-known/csaf/provider-metadata.json",
        "https://metadata.test/.well-known/csaf/provider-metadata.json",
        "http://public.test/.well-known/csaf/provider-metadata.json",
        "ftp://public.test/provider-metadata.json",
    ] {
        let (st, v) = s
            .call(
                &csirt,
                Method::POST,
                "/api/v1/csaf/providers",
                Some(json!({ "url": bad })),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
        assert_eq!(v["error"]["field"], "url", "{bad}: {v}");
    }

    // The provider, found from its origin (section 7.3.1's well-known URL).
    let (st, v) = s
        .call(
            &csirt,
            Method::POST,
            "/api/v1/csaf/providers",
            Some(json!({ "url": origin })),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["url"], prov.metadata_url.as_str());
    assert_eq!(v["publisher_name"], "Acme Routers PSIRT");
    assert_eq!(v["role"], "csaf_trusted_provider");
    assert_eq!(v["key_fingerprints"], json!([key.fingerprint]));
    assert_eq!(v["last_error"], Value::Null, "{v}");
    assert_eq!(
        (v["accepted"].as_i64(), v["refused"].as_i64()),
        (Some(2), Some(4)),
        "{v}"
    );
    let id = v["id"].as_i64().unwrap();

    let (st, d) = s
        .call(
            &csirt,
            Method::GET,
            &format!("/api/v1/csaf/providers/{id}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let docs = d["documents"].as_array().unwrap();
    let mut held: Vec<(&str, &str)> = docs
        .iter()
        .map(|d| {
            (
                d["tracking_id"].as_str().unwrap(),
                d["hash_checked"].as_str().unwrap(),
            )
        })
        .collect();
    held.sort();
    assert_eq!(
        held,
        [
            ("ACME-SA-2027-0001", "sha512"),
            ("ACME-SA-2027-0002", "sha256")
        ]
    );
    assert!(
        docs.iter()
            .all(|d| d["signed_by"] == key.fingerprint.as_str())
    );
    let refused: HashMap<String, String> = d["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["url"].as_str().unwrap().to_string(),
                r["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let reason = |kind: &str| refused.get(&prov.urls[kind]).cloned().unwrap_or_default();
    assert!(
        reason("tampered").contains("does not match its .sha512"),
        "{refused:?}"
    );
    assert!(
        reason("foreign-key").contains("does not verify"),
        "{refused:?}"
    );
    assert!(
        reason("unsigned").contains("no OpenPGP signature"),
        "{refused:?}"
    );
    assert!(reason("invalid").contains("6.1."), "{refused:?}");

    // The held document is the provider's bytes exactly.
    let good_id = docs
        .iter()
        .find(|d| d["tracking_id"] == "ACME-SA-2027-0001")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = s
        .req(&csirt, Method::GET, &format!("/api/v1/csaf/held/{good_id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().to_vec(), prov.good);

    // aggregator.json is public and lists the provider once.
    let r = browser()
        .get(s.url("/.well-known/csaf-aggregator/aggregator.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let agg: Value = r.json().await.unwrap();
    assert_eq!(agg["aggregator"]["category"], "lister");
    assert_eq!(agg["aggregator"]["name"], "Demo CSIRT France");
    assert_eq!(agg["aggregator_version"], "2.0");
    assert_eq!(agg["csaf_providers"].as_array().unwrap().len(), 1);
    assert_eq!(
        agg["csaf_providers"][0]["metadata"]["url"],
        prov.metadata_url.as_str()
    );
    assert_eq!(
        agg["csaf_providers"][0]["metadata"]["role"],
        "csaf_trusted_provider"
    );

    // The provider serves the right bytes now: the next pull takes that document, keeps the
    // others and refuses one fewer. Listing the same provider twice is a conflict.
    {
        let mut map = files.lock().unwrap();
        let original = map.remove("/original-tampered").unwrap();
        let path = prov.urls["tampered"]
            .strip_prefix(&origin)
            .unwrap()
            .to_string();
        map.insert(path, original);
    }
    let (st, v) = s
        .call(
            &csirt,
            Method::POST,
            &format!("/api/v1/csaf/providers/{id}/pull"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(
        (v["accepted"].as_i64(), v["refused"].as_i64()),
        (Some(3), Some(3)),
        "{v}"
    );
    let (st, _) = s
        .call(
            &csirt,
            Method::POST,
            "/api/v1/csaf/providers",
            Some(json!({"url": prov.metadata_url})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);

    // A provider that redirects (requirement 6) or publishes a key off its origin is read as
    // a failed pull with the reason, not followed.
    files.lock().unwrap().insert(
        "/moved/.well-known/csaf/provider-metadata.json".into(),
        (StatusCode::FOUND, b"https://public.test/elsewhere".to_vec()),
    );
    let moved = format!("{origin}/moved/.well-known/csaf/provider-metadata.json");
    let (st, v) = s
        .call(
            &csirt,
            Method::POST,
            "/api/v1/csaf/providers",
            Some(json!({ "url": moved })),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert!(
        v["last_error"]
            .as_str()
            .unwrap_or_default()
            .contains("redirect"),
        "{v}"
    );
    assert_eq!(v["accepted"], 0);

    // The pages: the list, and the provider with its refusals in words.
    let (st, html) = page(&s, &csirt, "/csaf-providers").await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("Acme Routers PSIRT"), "{html}");
    let (st, html) = page(&s, &csirt, &format!("/csaf-providers/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("ACME-SA-2027-0003"));
    assert!(html.contains("no OpenPGP signature"));
    let (st, _) = page(&s, &maker, &format!("/csaf-providers/{id}")).await;
    assert_ne!(st, StatusCode::OK, "a manufacturer sees no lister page");

    // Removing the provider takes its documents; the audit chain has every step.
    let (st, _) = s
        .call(
            &csirt,
            Method::DELETE,
            &format!("/api/v1/csaf/providers/{id}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = s
        .call(
            &csirt,
            Method::GET,
            &format!("/api/v1/csaf/held/{good_id}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    s.shutdown().await;
}
