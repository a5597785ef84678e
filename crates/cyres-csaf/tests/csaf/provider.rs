//! The trusted provider's files (section 7.1): file names against the OASIS file-name tests,
//! year folders, `index.txt`, `changes.csv`, ROLIE documents shaped as the standard's examples,
//! hash files as `sha256sum` writes them, and `provider-metadata.json` valid against the
//! standard's provider schema.

use std::path::PathBuf;
use std::process::Command;

use cyres_csaf::generate::generate;
use cyres_csaf::model::{Publisher, PublisherCategory, TlpLabel};
use cyres_csaf::provider::*;
use serde_json::Value;
use time::macros::datetime;

use crate::kit;

#[test]
fn file_names_match_the_oasis_file_name_tests() {
    for (folder, valid) in [("valid", true), ("invalid", false)] {
        let files = kit::json_files(&kit::csaf20(&format!("test/filenames/data/{folder}")));
        assert_eq!(files.len(), 3, "{folder}");
        for f in files {
            let doc = cyres_csaf::parse(&std::fs::read(&f).unwrap()).unwrap();
            let actual = f.file_name().unwrap().to_str().unwrap();
            let expected = file_name(&doc.document.tracking.id);
            assert_eq!(actual == expected, valid, "{actual} vs {expected}");
        }
    }
}

pub(crate) fn acme() -> Provider {
    Provider {
        base_url: "https://psirt.acme.example/.well-known/csaf".into(),
        publisher: Publisher {
            category: PublisherCategory::Vendor,
            contact_details: Some("psirt@psirt.acme.example".into()),
            issuing_authority: None,
            name: "Acme Networks".into(),
            namespace: "https://psirt.acme.example".into(),
        },
        role: Role::CsafTrustedProvider,
        public_openpgp_keys: vec![OpenPgpKey {
            fingerprint: Some("8F5F267907B2C4559DB360DB2294BA7D2B2298B1".into()),
            url: "https://psirt.acme.example/.well-known/csaf/openpgp/8F5F267907B2C4559DB360DB2294BA7D2B2298B1.asc".into(),
        }],
        list_on_csaf_aggregators: true,
        mirror_on_csaf_aggregators: true,
        signed: true,
    }
}

/// The three samples plus an older white advisory, described for publishing.
fn published() -> Vec<Published> {
    let mut older = crate::generate::router_advisory();
    older.tracking_id = "ACME-SA-2026-0007".into();
    older.self_url = None;
    for (i, r) in older.revisions.iter_mut().enumerate() {
        r.date = datetime!(2026-11-02 08:00 UTC) + time::Duration::days(i as i64);
    }
    let mut docs: Vec<_> = crate::generate::samples()
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    docs.push(generate(&older).unwrap());
    docs.iter().map(|d| Published::of(d).unwrap()).collect()
}

#[test]
fn year_folders_index_and_changes() {
    let all = published();
    let paths: Vec<&str> = all.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "2027/acme-sa-2027-0001.json",
            "2027/nursery-vex-2027-004.json",
            "2027/keystone-ia-2027-01.json",
            "2026/acme-sa-2026-0007.json"
        ]
    );
    let white: Vec<Published> = all
        .iter()
        .filter(|p| p.tlp == TlpLabel::White)
        .cloned()
        .collect();
    assert_eq!(
        index_txt(&white),
        "2027/acme-sa-2027-0001.json\n2026/acme-sa-2026-0007.json\n"
    );
    // Requirement 13: quoted path and current_release_date, the latest first, no heading.
    assert_eq!(
        changes_csv(&white),
        "\"2027/acme-sa-2027-0001.json\",\"2027-02-04T08:00:00Z\"\n\"2026/acme-sa-2026-0007.json\",\"2026-11-04T08:00:00Z\"\n"
    );
    // The canonical URL the generator wrote is where the provider puts the document.
    let p = acme();
    let router = &all[0];
    assert_eq!(
        p.document_url(router),
        "https://psirt.acme.example/.well-known/csaf/white/2027/acme-sa-2027-0001.json"
    );
    assert_eq!(
        p.canonical_url(
            "ACME-SA-2027-0001",
            TlpLabel::White,
            datetime!(2027-02-01 10:00 UTC)
        ),
        p.document_url(router)
    );
}

#[test]
fn a_document_without_tlp_cannot_be_placed() {
    let mut doc = crate::generate::samples().remove(0).1;
    doc.document.distribution = None;
    assert!(Published::of(&doc).unwrap_err().to_string().contains("TLP"));
}

#[test]
fn rolie_documents_have_the_shape_of_the_standards_examples() {
    let p = acme();
    let all = published();
    let feed = p.rolie_feed(TlpLabel::White, &all, datetime!(2027-02-04 09:00 UTC));
    let example: Value = serde_json::from_slice(
        &std::fs::read(kit::csaf20("examples/ROLIE/example-01-feed-tlp-white.json")).unwrap(),
    )
    .unwrap();
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&feed["feed"]), keys(&example["feed"]));
    let entries = feed["feed"]["entry"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "only the TLP:WHITE documents");
    assert_eq!(keys(&entries[0]), keys(&example["feed"]["entry"][0]));
    assert_eq!(entries[0]["id"], "ACME-SA-2027-0001", "latest change first");
    let rels: Vec<(&str, &str)> = entries[0]["link"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["rel"].as_str().unwrap(), l["href"].as_str().unwrap()))
        .collect();
    let doc = "https://psirt.acme.example/.well-known/csaf/white/2027/acme-sa-2027-0001.json";
    assert_eq!(
        rels,
        [
            ("self", doc),
            ("hash", &*format!("{doc}.sha256")),
            ("hash", &*format!("{doc}.sha512")),
            ("signature", &*format!("{doc}.asc"))
        ]
    );
    assert_eq!(feed["feed"]["category"], example["feed"]["category"]);
    assert_eq!(
        feed["feed"]["link"][0]["href"],
        "https://psirt.acme.example/.well-known/csaf/white/csaf-feed-tlp-white.json"
    );

    let service = p.rolie_service(&[TlpLabel::Green, TlpLabel::White, TlpLabel::White]);
    let ex_service: Value = serde_json::from_slice(
        &std::fs::read(kit::csaf20("examples/ROLIE/example-01-service.json")).unwrap(),
    )
    .unwrap();
    let coll = service["service"]["workspace"][0]["collection"]
        .as_array()
        .unwrap();
    assert_eq!(coll.len(), 2);
    assert_eq!(
        keys(&coll[0]),
        keys(&ex_service["service"]["workspace"][0]["collection"][0])
    );
    assert_eq!(
        coll[0]["categories"],
        ex_service["service"]["workspace"][0]["collection"][0]["categories"]
    );

    let cat = rolie_category(TlpLabel::White, &all);
    let terms: Vec<&str> = cat["categories"]["category"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["term"].as_str().unwrap())
        .collect();
    assert_eq!(
        terms,
        [
            "csaf_security_advisory",
            "en",
            "Archer AX router",
            "busybox"
        ]
    );
}

#[test]
fn hash_files_agree_with_sha256sum_and_sha512sum() {
    let dir = cyres_kit::target_dir().join("csaf-provider");
    std::fs::create_dir_all(&dir).unwrap();
    let (_, doc) = crate::generate::samples().remove(0);
    let bytes = cyres_csaf::to_json(&doc).into_bytes();
    let name = file_name(&doc.document.tracking.id);
    std::fs::write(dir.join(&name), &bytes).unwrap();
    for (tool, ours) in [
        ("sha256sum", sha256_file(&bytes, &name)),
        ("sha512sum", sha512_file(&bytes, &name)),
    ] {
        let out = Command::new(tool)
            .arg(&name)
            .current_dir(&dir)
            .output()
            .unwrap_or_else(|e| panic!("{tool}: {e}"));
        assert!(out.status.success());
        assert_eq!(String::from_utf8(out.stdout).unwrap(), ours, "{tool}");
    }
}

#[test]
fn provider_metadata_is_valid_and_reads_like_the_example() {
    // The standard's example reads into our struct and writes back equal.
    let bytes = std::fs::read(kit::csaf20(
        "examples/provider-metadata/example-01-provider-metadata.json",
    ))
    .unwrap();
    let example: ProviderMetadata = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        serde_json::to_value(&example).unwrap(),
        serde_json::from_slice::<Value>(&bytes).unwrap()
    );

    let p = acme();
    let m = p.metadata(
        &[TlpLabel::White, TlpLabel::Amber],
        datetime!(2027-02-04 09:00 UTC),
    );
    assert_eq!(
        m.canonical_url,
        "https://psirt.acme.example/.well-known/csaf/provider-metadata.json"
    );
    assert_eq!(m.role, Role::CsafTrustedProvider);
    let d = m.distributions.as_ref().unwrap();
    assert_eq!(d.len(), 2);
    assert_eq!(
        d[0].rolie.as_ref().unwrap().feeds[0].tlp_label,
        "AMBER",
        "sorted by label"
    );
    assert_eq!(
        d[1].directory_url.as_deref(),
        Some("https://psirt.acme.example/.well-known/csaf/white/")
    );

    let dir = cyres_kit::target_dir().join("csaf-provider");
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("provider-metadata.json");
    std::fs::write(&good, serde_json::to_string_pretty(&m).unwrap()).unwrap();
    // A broken copy proves the schema check can fail.
    let mut bad_value = serde_json::to_value(&m).unwrap();
    bad_value["distributions"][0]["rolie"]["feeds"][0]["url"] =
        Value::from("https://psirt.acme.example/feed.xml");
    let bad: PathBuf = dir.join("provider-metadata-bad.json");
    std::fs::write(&bad, bad_value.to_string()).unwrap();
    let results = crate::bsi::provider_schema_validate(&[good, bad]);
    assert_eq!(results[0]["valid"], true, "{}", results[0]["errors"]);
    assert_eq!(results[1]["valid"], false);
}

#[test]
fn directory_listings_name_every_published_file() {
    let p = acme();
    let all = published();
    assert_eq!(
        listing_names(&p, TlpLabel::White, &all, ""),
        [
            "2026/",
            "2027/",
            "category-tlp-white.json",
            "changes.csv",
            "csaf-feed-tlp-white.json",
            "index.txt"
        ]
    );
    assert_eq!(
        listing_names(&p, TlpLabel::White, &all, "2027"),
        [
            "acme-sa-2027-0001.json",
            "acme-sa-2027-0001.json.asc",
            "acme-sa-2027-0001.json.sha256",
            "acme-sa-2027-0001.json.sha512"
        ]
    );
    // Other TLP folders' documents never show.
    assert!(
        listing_names(&p, TlpLabel::Green, &all, "2027")
            .iter()
            .all(|n| n.starts_with("nursery-vex"))
    );
    let html = directory_listing_html(
        "/.well-known/csaf/white/<2027>/",
        &listing_names(&p, TlpLabel::White, &all, "2027"),
    );
    assert!(
        html.contains(
            "<a href=\"acme-sa-2027-0001.json.sha512\">acme-sa-2027-0001.json.sha512</a>"
        )
    );
    assert!(
        html.contains("Index of /.well-known/csaf/white/&lt;2027&gt;/"),
        "{html}"
    );
}
