//! The lister side (section 7.2.4) and the retrieving rules (section 7.3): `aggregator.json`
//! against the standard's examples and schema, document lists from ROLIE feeds and `index.txt`,
//! and each rule that refuses a fetched document, each shown to fire.

use std::path::PathBuf;

use cyres_csaf::aggregator::*;
use cyres_csaf::model::{Publisher, PublisherCategory, TlpLabel};
use cyres_csaf::provider::{Published, Role};
use serde_json::Value;
use sha2::{Digest, Sha256, Sha512};
use time::macros::datetime;

use crate::kit;

fn lister() -> AggregatorInfo {
    AggregatorInfo {
        category: AggregatorCategory::Lister,
        contact_details: Some("csaf@csirt.example".into()),
        issuing_authority: Some("The national CSIRT under Art. 10 NIS2".into()),
        name: "Demo CSIRT".into(),
        namespace: "https://csirt.example".into(),
    }
}

fn entry(name: &str, ns: &str, url: &str, updated: &str) -> ListedProvider {
    ListedProvider {
        metadata: ListedMetadata {
            last_updated: updated.into(),
            publisher: Publisher {
                category: PublisherCategory::Vendor,
                contact_details: None,
                issuing_authority: None,
                name: name.into(),
                namespace: ns.into(),
            },
            role: Some(Role::CsafTrustedProvider),
            url: url.into(),
        },
        mirrors: None,
    }
}

#[test]
fn the_standards_aggregator_examples_read_and_write_back_equal() {
    for n in 1..=3 {
        let path = kit::csaf20(&format!("examples/aggregator/example-0{n}-aggregator.json"));
        let bytes = std::fs::read(&path).unwrap();
        let parsed: AggregatorJson = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(
            serde_json::to_value(&parsed).unwrap(),
            serde_json::from_slice::<Value>(&bytes).unwrap(),
            "example {n}"
        );
    }
}

#[test]
fn aggregator_json_lists_the_latest_metadata_once_and_passes_the_schema() {
    let a = "https://a.example/.well-known/csaf/provider-metadata.json";
    let b = "https://b.example/.well-known/csaf/provider-metadata.json";
    let list = AggregatorJson::new(
        lister(),
        "https://csirt.example/.well-known/csaf-aggregator/aggregator.json",
        vec![
            entry(
                "Zeta Routers",
                "https://b.example",
                b,
                "2027-01-02T00:00:00Z",
            ),
            entry("Acme", "https://a.example", a, "2027-01-01T00:00:00Z"),
            entry("Acme", "https://a.example", a, "2027-01-05T00:00:00Z"),
            entry("Acme", "https://a.example", a, "2027-01-03T00:00:00Z"),
        ],
        "2027-01-06T10:00:00Z",
    )
    .unwrap();
    assert_eq!(list.csaf_providers.len(), 2);
    assert_eq!(list.csaf_providers[0].metadata.url, a, "sorted by name");
    assert_eq!(
        list.csaf_providers[0].metadata.last_updated, "2027-01-05T00:00:00Z",
        "the latest metadata only (requirement 21)"
    );
    assert_eq!(list.disjoint_parties(), 2);

    assert_eq!(
        AggregatorJson::new(
            lister(),
            "https://x.example/aggregator.json",
            vec![],
            "2027-01-06T10:00:00Z"
        ),
        Err(ListError::Empty)
    );
    assert_eq!(
        AggregatorJson::new(
            lister(),
            "https://x.example/provider-metadata.json",
            vec![entry(
                "Acme",
                "https://a.example",
                a,
                "2027-01-01T00:00:00Z"
            )],
            "2027-01-06T10:00:00Z"
        ),
        Err(ListError::CanonicalUrl)
    );

    let dir = cyres_kit::target_dir().join("csaf-aggregator");
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("aggregator.json");
    std::fs::write(&good, serde_json::to_string_pretty(&list).unwrap()).unwrap();
    let mut bad_value = serde_json::to_value(&list).unwrap();
    bad_value["aggregator"]["category"] = Value::from("mirror");
    let bad: PathBuf = dir.join("aggregator-bad.json");
    std::fs::write(&bad, bad_value.to_string()).unwrap();
    let results = crate::bsi::aggregator_schema_validate(&[good, bad]);
    assert_eq!(results[0]["valid"], true, "{}", results[0]["errors"]);
    assert_eq!(results[1]["valid"], false, "the schema check can fail");
}

#[test]
fn provider_metadata_is_read_or_refused_by_name() {
    let m = crate::provider::acme().metadata(&[TlpLabel::White], datetime!(2027-02-04 09:00 UTC));
    let bytes = serde_json::to_vec(&m).unwrap();
    let read = read_provider_metadata(&bytes).unwrap();
    assert_eq!(read, m);
    let listed = listed(&read, &m.canonical_url);
    assert_eq!(listed.metadata.role, Some(Role::CsafTrustedProvider));

    let mut v: Value = serde_json::to_value(&m).unwrap();
    v["metadata_version"] = Value::from("1.0");
    let err = read_provider_metadata(&serde_json::to_vec(&v).unwrap()).unwrap_err();
    assert!(err.to_string().contains("metadata_version"), "{err}");
    let mut v: Value = serde_json::to_value(&m).unwrap();
    v["surprise"] = Value::from(true);
    assert!(matches!(
        read_provider_metadata(&serde_json::to_vec(&v).unwrap()),
        Err(Refusal::Metadata(_))
    ));
    assert!(matches!(
        read_provider_metadata(b"<html>"),
        Err(Refusal::Metadata(_))
    ));
}

#[test]
fn documents_are_listed_from_rolie_feeds_and_index_txt() {
    let p = crate::provider::acme();
    let docs: Vec<Published> = crate::generate::samples()
        .iter()
        .map(|(_, d)| Published::of(d).unwrap())
        .collect();
    let feed = p.rolie_feed(TlpLabel::White, &docs, datetime!(2027-02-04 09:00 UTC));
    let listed = rolie_entries(feed.to_string().as_bytes(), Some(TlpLabel::White)).unwrap();
    let white = docs.iter().filter(|d| d.tlp == TlpLabel::White).count();
    assert_eq!(listed.len(), white);
    for l in listed {
        let l = l.unwrap();
        assert!(
            l.url
                .starts_with("https://psirt.acme.example/.well-known/csaf/white/")
        );
        assert_eq!(
            l.sha512_url.as_deref(),
            Some(format!("{}.sha512", l.url).as_str())
        );
        assert_eq!(
            l.sha256_url.as_deref(),
            Some(format!("{}.sha256", l.url).as_str())
        );
        assert_eq!(
            l.signature_url.as_deref(),
            Some(format!("{}.asc", l.url).as_str())
        );
        assert!(same_origin(&l.url, &p.metadata_url()).is_ok());
    }
    // The standard's own feed example reads too.
    let example =
        std::fs::read(kit::csaf20("examples/ROLIE/example-01-feed-tlp-white.json")).unwrap();
    let from_example = rolie_entries(&example, Some(TlpLabel::White)).unwrap();
    assert!(!from_example.is_empty());
    assert!(from_example.iter().all(|e| e.is_ok()));
    assert!(matches!(
        rolie_entries(b"{\"feed\":{}}", None),
        Err(Refusal::Listing(_))
    ));

    let idx = index_entries(
        "https://psirt.acme.example/.well-known/csaf/white/",
        "2027/acme-sa-2027-0001.json\n\n../../etc/passwd\n/abs.json\nhttps://evil.example/x.json\n",
    );
    assert_eq!(idx.len(), 4);
    let first = idx[0].as_ref().unwrap();
    assert_eq!(
        first.url,
        "https://psirt.acme.example/.well-known/csaf/white/2027/acme-sa-2027-0001.json"
    );
    assert_eq!(
        first.signature_url.as_deref(),
        Some(format!("{}.asc", first.url).as_str())
    );
    assert!(
        idx[1..]
            .iter()
            .all(|r| matches!(r, Err(Refusal::Listing(_))))
    );
}

#[test]
fn only_the_providers_own_origin_is_read() {
    let meta = "https://psirt.acme.example/.well-known/csaf/provider-metadata.json";
    assert!(
        same_origin(
            "https://PSIRT.acme.example/.well-known/csaf/white/x.json",
            meta
        )
        .is_ok()
    );
    for bad in [
        "https://evil.example/.well-known/csaf/white/x.json",
        "http://psirt.acme.example/.well-known/csaf/white/x.json",
        "https://psirt.acme.example:8443/x.json",
        "https://user@psirt.acme.example/x.json",
        "https://psirt.acme.example/.well-known/csaf/../../admin",
        "file:///etc/passwd",
    ] {
        assert!(
            matches!(same_origin(bad, meta), Err(Refusal::CrossOrigin(..))),
            "{bad}"
        );
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn each_retrieving_rule_refuses_by_name() {
    let (_, doc) = crate::generate::samples().into_iter().next().unwrap();
    let bytes = cyres_csaf::to_json(&doc).into_bytes();
    let name = cyres_csaf::provider::file_name(&doc.document.tracking.id);
    let listed = Listed {
        url: format!("https://psirt.acme.example/.well-known/csaf/white/2027/{name}"),
        tlp: Some(TlpLabel::White),
        sha512_url: None,
        sha256_url: None,
        signature_url: None,
        updated: None,
    };
    let s512 = format!("{}  {name}\n", hex(&Sha512::digest(&bytes)));
    let s256 = format!("{}  {name}\n", hex(&Sha256::digest(&bytes)));
    let ok = || SignatureCheck::Verified("AB12".into());

    let a = check_document(&listed, &bytes, Some(&s512), Some(&s256), ok()).unwrap();
    assert_eq!(a.tracking_id, doc.document.tracking.id);
    assert_eq!(a.hash, "sha512", "SHA-512 preferred");
    assert_eq!(a.signed_by, "AB12");
    assert_eq!(a.tlp, Some(TlpLabel::White));
    assert_eq!(a.sha256, hex(&Sha256::digest(&bytes)));
    assert_eq!(
        check_document(&listed, &bytes, None, Some(&s256), ok())
            .unwrap()
            .hash,
        "sha256"
    );

    let mut tampered = bytes.clone();
    let at = tampered.len() / 2;
    tampered[at] ^= 1;
    assert_eq!(
        check_document(&listed, &tampered, Some(&s512), Some(&s256), ok()),
        Err(Refusal::HashMismatch {
            algorithm: "sha512"
        })
    );
    assert_eq!(
        check_document(&listed, &tampered, None, Some(&s256), ok()),
        Err(Refusal::HashMismatch {
            algorithm: "sha256"
        })
    );
    assert_eq!(
        check_document(&listed, &bytes, None, None, ok()),
        Err(Refusal::HashMissing)
    );
    assert_eq!(
        check_document(&listed, &bytes, Some("<html>not found</html>"), None, ok()),
        Err(Refusal::HashUnreadable {
            algorithm: "sha512"
        })
    );
    assert_eq!(
        check_document(&listed, &bytes, Some(&s512), None, SignatureCheck::Missing),
        Err(Refusal::SignatureMissing)
    );
    assert!(matches!(
        check_document(
            &listed,
            &bytes,
            Some(&s512),
            None,
            SignatureCheck::Invalid("bad".into())
        ),
        Err(Refusal::SignatureInvalid(_))
    ));

    let renamed = Listed {
        url: "https://psirt.acme.example/.well-known/csaf/white/2027/other.json".into(),
        ..listed.clone()
    };
    assert!(matches!(
        check_document(&renamed, &bytes, Some(&s512), None, ok()),
        Err(Refusal::FileName { .. })
    ));
    let amber_feed = Listed {
        tlp: Some(TlpLabel::Amber),
        ..listed.clone()
    };
    assert!(matches!(
        check_document(&amber_feed, &bytes, Some(&s512), None, ok()),
        Err(Refusal::TlpMismatch { .. })
    ));

    // Valid JSON, hashed and signed, but failing a mandatory test: refused with the test's id.
    let mut v: Value = serde_json::from_slice(&bytes).unwrap();
    v["document"]["tracking"]["version"] = Value::from("0");
    let broken = serde_json::to_vec_pretty(&v).unwrap();
    let s = format!("{}\n", hex(&Sha512::digest(&broken)));
    let err = check_document(&listed, &broken, Some(&s), None, ok()).unwrap_err();
    assert!(matches!(err, Refusal::Invalid(_)), "{err}");
    assert!(err.to_string().contains("6.1."), "names the test: {err}");
}
