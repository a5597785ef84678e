//! SBOM quality on real documents: the kit's OpenWrt firmware SBOMs, the CycloneDX examples,
//! and SBOMs the writer generates (which meet every rule the checker evaluates when the model
//! has the facts, and fail by name when one is taken away).
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use cyres_sbom::quality::{Profile, QualityReport, check};
use cyres_sbom::write::{WriteOptions, cyclonedx_json, spdx_json};
use cyres_sbom::{Component, DocumentInfo, Format, Limits, Party, Sbom, Tool, read};
use std::path::PathBuf;

fn kit(archive: &str, rel: &str) -> Sbom {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let path: PathBuf = {
        let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        cyres_kit::unpacked_path(archive, rel)
    };
    let bytes = std::fs::read(&path).unwrap();
    read(&bytes, &path.display().to_string(), &Limits::default()).unwrap()
}

fn openwrt(release: &str) -> Sbom {
    kit(
        "firmware/openwrt-firmware-sboms.tar.zst",
        &format!(
            "openwrt-firmware-sboms/openwrt-{release}-ath79-generic-tplink_archer-c7-v2.cdx.json"
        ),
    )
}

fn doc_met(r: &QualityReport, id: &str) -> bool {
    r.document
        .iter()
        .find(|d| d.field.id == id)
        .unwrap_or_else(|| panic!("no document check {id}"))
        .met
}

fn coverage(r: &QualityReport, id: &str) -> (usize, usize) {
    let c = r
        .components
        .iter()
        .find(|c| c.field.id == id)
        .unwrap_or_else(|| panic!("no component field {id}"));
    (c.present, c.total)
}

#[test]
fn openwrt_firmware_sboms_against_bsi_and_ntia() {
    // (release, components with the product, BSI score, NTIA score, components with licences)
    for (release, total, bsi, ntia, licensed) in [
        ("19.07.0", 134, 63, 74, 112),
        ("21.02.0", 183, 64, 74, 159),
        ("22.03.0", 188, 64, 74, 164),
        ("23.05.0", 189, 64, 74, 166),
    ] {
        let s = openwrt(release);
        let r = check(&s, Profile::BsiTr03183V2);
        assert!(!r.meets, "{release}");
        assert_eq!(r.score, bsi, "{release} BSI score");
        assert!(doc_met(&r, "sbom-format") && doc_met(&r, "sbom-timestamp"));
        assert!(doc_met(&r, "sbom-uri"));
        // The kit names a tool but no person or organisation with an address.
        assert!(!doc_met(&r, "sbom-creator"), "{release}");
        assert_eq!(coverage(&r, "component-creator"), (0, total));
        assert_eq!(coverage(&r, "component-hash-sha512"), (0, total));
        assert_eq!(coverage(&r, "component-identifiers"), (total, total));
        assert_eq!(coverage(&r, "component-licences").0, licensed, "{release}");
        // Every package has its `dependencies` entry but the kit-added kernel (`linux`).
        assert_eq!(coverage(&r, "component-dependencies"), (total - 1, total));
        assert!(
            r.gaps
                .iter()
                .filter(|g| g.missing.contains(&"component-dependencies"))
                .all(|g| g.name == "linux")
        );
        assert_eq!(r.gaps.len(), total);
        assert_eq!(r.gaps[0].name, "openwrt");
        assert!(r.not_evaluated.iter().any(|f| f.id == "component-filename"));

        let n = check(&s, Profile::Ntia);
        assert!(!n.meets);
        assert_eq!(n.score, ntia, "{release} NTIA score");
        assert_eq!(coverage(&n, "component-supplier"), (0, total));
        assert!(!doc_met(&n, "sbom-author"));
        assert!(
            doc_met(&n, "sbom-dependencies"),
            "the product's dependencies are stated"
        );
    }
}

#[test]
fn cyclonedx_examples() {
    const E: &str = "sboms/cyclonedx-bom-examples.tar.zst";
    // Dropwizard's BOM (1.2) carries SHA-512 hashes for its Maven jars and a publisher.
    let s = kit(E, "cyclonedx-bom-examples/SBOM/dropwizard-1.3.15/bom.json");
    let r = check(&s, Profile::BsiTr03183V2);
    assert!(
        !doc_met(&r, "sbom-format"),
        "CycloneDX 1.2 is older than §4 allows"
    );
    let (sha512, total) = coverage(&r, "component-hash-sha512");
    assert!(sha512 > 0 && sha512 < total, "{sha512}/{total}");
    assert_eq!(r.score, 77);
    // The juice-shop npm BOMs: a 1.4 document is in range of §4 only from 1.5 on.
    let s = kit(
        E,
        "cyclonedx-bom-examples/SBOM/juice-shop/via_npm/flat/bom.1.4.json",
    );
    let r = check(&s, Profile::BsiTr03183V2);
    assert!(!doc_met(&r, "sbom-format"));
    assert_eq!(r.score, 83);
    let n = check(&s, Profile::Ntia);
    assert_eq!(n.score, 96);
}

fn complete_component(i: usize) -> Component {
    Component {
        reference: Some(format!("c{i}")),
        name: format!("lib{i}"),
        version: Some("1.0.0".into()),
        purl_raw: Some(format!("pkg:cargo/lib{i}@1.0.0")),
        hashes: vec![("SHA-512".into(), format!("{:0128x}", i + 1))],
        supplier: Some("Lib Makers (libs@makers.example)".into()),
        licenses: vec!["MIT OR Apache-2.0".into()],
        kind: Some("library".into()),
        ..Component::default()
    }
}

fn complete_model() -> Sbom {
    let mut product = complete_component(0);
    product.reference = Some("product".into());
    product.name = "router-fw".into();
    Sbom {
        source: "t".into(),
        format: Format::CycloneDxJson,
        spec_version: "1.6".into(),
        product: Some(product),
        components: (1..=3).map(complete_component).collect(),
        dependencies: vec![
            ("product".into(), "c1".into()),
            ("c1".into(), "c2".into()),
            ("c1".into(), "c3".into()),
        ],
        diagnostics: Vec::new(),
        document: DocumentInfo {
            // Leaves state "no dependencies" explicitly.
            dependencies_stated: vec!["c2".into(), "c3".into()],
            ..DocumentInfo::default()
        },
    }
}

fn options() -> WriteOptions {
    WriteOptions {
        created: 1_796_547_600,
        tool: Tool {
            vendor: None,
            name: "cyres".into(),
            version: Some("1".into()),
        },
        author: Some(Party {
            name: Some("ACME Router GmbH".into()),
            email: Some("sbom@acme.example".into()),
            url: None,
        }),
    }
}

#[test]
fn generated_sboms_meet_the_profiles_when_the_facts_are_there() {
    let model = complete_model();
    for text in [
        cyclonedx_json(&model, &options()),
        spdx_json(&model, &options()),
    ] {
        let s = read(text.as_bytes(), "generated", &Limits::default()).unwrap();
        for profile in [Profile::BsiTr03183V2, Profile::Ntia] {
            let r = check(&s, profile);
            assert!(r.meets, "{:?} {}: {r:#?}", profile, s.spec_version);
            assert_eq!(r.score, 100);
            assert!(r.gaps.is_empty());
        }
    }
}

#[test]
fn a_missing_fact_fails_by_name() {
    let mut model = complete_model();
    model.components[1].hashes = vec![("SHA-256".into(), "ab".repeat(32))];
    model.components[2].licenses = vec!["Apache License, Version 2.0".into()];
    let text = cyclonedx_json(&model, &options());
    let s = read(text.as_bytes(), "generated", &Limits::default()).unwrap();
    let r = check(&s, Profile::BsiTr03183V2);
    assert!(!r.meets);
    assert_eq!(r.gaps.len(), 2);
    assert_eq!(r.gaps[0].name, "lib2");
    assert_eq!(r.gaps[0].missing, ["component-hash-sha512"]);
    assert_eq!(r.gaps[1].name, "lib3");
    assert_eq!(r.gaps[1].missing, ["component-licences"]);
    // 4 document checks of which 3 required, plus 4 components × 6 required fields.
    assert_eq!(r.score, ((3 + 24 - 2) * 100 / (3 + 24)) as u8);

    // Without an author only the tool is named: no creator under either profile.
    let mut anonymous = options();
    anonymous.author = None;
    let s = read(
        cyclonedx_json(&complete_model(), &anonymous).as_bytes(),
        "generated",
        &Limits::default(),
    )
    .unwrap();
    let r = check(&s, Profile::BsiTr03183V2);
    assert!(!r.meets && !doc_met(&r, "sbom-creator"));
    assert!(!check(&s, Profile::Ntia).meets);
}

#[test]
fn the_report_serialises_with_stable_names() {
    let r = check(&openwrt("23.05.0"), Profile::BsiTr03183V2);
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["profile"], "bsi-tr-03183-2-v2.0");
    assert_eq!(v["meets"], false);
    assert_eq!(v["document"][1]["field"]["id"], "sbom-creator");
    assert_eq!(v["document"][1]["field"]["basis"], "TR-03183-2 v2.0 §5.2.1");
    assert_eq!(v["components"][5]["field"]["id"], "component-hash-sha512");
    assert_eq!(v["gaps"][0]["missing"][0], "component-creator");
}
