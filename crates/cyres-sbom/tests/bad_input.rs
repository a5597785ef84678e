//! Unreadable and hostile input: each case is refused with a precise error, never a panic.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use cyres_sbom::{Limits, SbomError, read};
use std::path::Path;

fn bytes(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata")
            .join(rel),
    )
    .unwrap()
}

fn err(input: &[u8]) -> SbomError {
    match read(input, "input.bom", &Limits::default()) {
        Ok(s) => panic!("expected an error, read {} components", s.components.len()),
        Err(e) => e,
    }
}

#[test]
fn truncated_json_names_line_and_column() {
    let full = bytes("structure/bom.json");
    let cut = &full[..full.len() / 2];
    let e = err(cut);
    let SbomError::Syntax {
        input,
        line,
        column,
        message,
    } = &e
    else {
        panic!("{e}")
    };
    assert_eq!(input, "input.bom");
    assert!(*line > 10 && *column >= 1, "{e}");
    assert!(message.contains("truncated"), "{e}");
    assert!(e.to_string().starts_with("input.bom:"), "{e}");
}

#[test]
fn truncated_xml_is_an_error() {
    let full = bytes("structure/bom.xml");
    for cut in [full.len() / 3, full.len() / 2, full.len() - 10] {
        assert!(
            matches!(err(&full[..cut]), SbomError::Syntax { .. }),
            "cut at {cut}"
        );
    }
}

#[test]
fn unknown_spec_versions_are_refused() {
    let json = br#"{"bomFormat": "CycloneDX", "specVersion": "9.9", "components": []}"#;
    let e = err(json);
    assert!(
        matches!(&e, SbomError::UnsupportedVersion { format: "CycloneDX", version, .. } if version == "9.9"),
        "{e}"
    );
    // Even when the unknown version also has a shape we cannot read.
    let json =
        br#"{"bomFormat": "CycloneDX", "specVersion": "9.9", "components": {"new": "shape"}}"#;
    assert!(matches!(err(json), SbomError::UnsupportedVersion { .. }));
    let xml = br#"<bom xmlns="http://cyclonedx.org/schema/bom/9.9"><components/></bom>"#;
    assert!(matches!(
        err(xml),
        SbomError::UnsupportedVersion {
            format: "CycloneDX",
            ..
        }
    ));
    let spdx = br#"{"spdxVersion": "SPDX-1.2", "SPDXID": "SPDXRef-DOCUMENT"}"#;
    assert!(matches!(
        err(spdx),
        SbomError::UnsupportedVersion { format: "SPDX", .. }
    ));
    let tag = b"SPDXVersion: SPDX-9.0\nSPDXID: SPDXRef-DOCUMENT\n";
    assert!(matches!(
        err(tag),
        SbomError::UnsupportedVersion { format: "SPDX", .. }
    ));
}

#[test]
fn cyclonedx_1_7_reads_with_a_note() {
    let json = br#"{"bomFormat": "CycloneDX", "specVersion": "1.7", "components": [{"name": "x", "version": "1"}]}"#;
    let s = read(json, "x", &Limits::default()).unwrap();
    assert!(s.diagnostics.iter().any(|d| d.code == "newer-spec-version"));
}

#[test]
fn spdx3_json_ld_is_refused_clearly() {
    let doc = br#"{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []}"#;
    let e = err(doc);
    assert!(
        matches!(&e, SbomError::UnsupportedVersion { format: "SPDX", version, .. } if version == "3.0.1"),
        "{e}"
    );
    assert!(e.to_string().contains("SPDX 3"), "{e}");
}

#[test]
fn billion_laughs_is_forbidden() {
    let e = err(&bytes("billion-laughs/bom.xml"));
    assert!(matches!(e, SbomError::Forbidden { .. }), "{e}");
    assert!(e.to_string().contains("DOCTYPE"), "{e}");
}

#[test]
fn xxe_is_forbidden_and_undeclared_entities_are_errors() {
    let e = err(&bytes("xxe/bom.xml"));
    assert!(matches!(e, SbomError::Forbidden { .. }), "{e}");
    let e = err(&bytes("xxe/entity-without-doctype.xml"));
    let SbomError::Syntax { line, message, .. } = &e else {
        panic!("{e}")
    };
    assert_eq!(*line, 4);
    assert!(message.contains("&xxe;"), "{e}");
}

#[test]
fn input_over_the_limit_is_refused_before_parsing() {
    let doc = bytes("structure/bom.json");
    let small = Limits { max_bytes: 100 };
    let e = read(&doc, "big.json", &small).unwrap_err();
    assert!(matches!(e, SbomError::TooLarge { limit: 100, .. }), "{e}");
    assert!(
        read(
            &doc,
            "ok.json",
            &Limits {
                max_bytes: doc.len() as u64
            }
        )
        .is_ok()
    );
}

#[test]
fn invalid_utf8_is_refused_with_position() {
    let mut doc = bytes("structure/bom.json");
    let at = doc.iter().position(|&b| b == b'o').unwrap();
    doc[at] = 0xC3; // a lead byte followed by ASCII
    let e = err(&doc);
    assert!(matches!(e, SbomError::Forbidden { .. }), "{e}");
    assert!(e.to_string().contains("invalid UTF-8 at line"), "{e}");
}

#[test]
fn unknown_content_is_unknown_format() {
    assert!(matches!(err(b"hello"), SbomError::UnknownFormat { .. }));
    assert!(matches!(err(b""), SbomError::UnknownFormat { .. }));
    assert!(matches!(
        err(br#"{"some": "json"}"#),
        SbomError::UnknownFormat { .. }
    ));
    assert!(matches!(
        err(b"<html><body/></html>"),
        SbomError::UnknownFormat { .. }
    ));
}

#[test]
fn broken_purl_escape_is_a_diagnostic_not_an_error() {
    let doc = br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
        {"bom-ref": "x", "name": "x", "version": "1", "purl": "pkg:npm/x%ZZ@1"}]}"#;
    let s = read(doc, "x", &Limits::default()).unwrap();
    assert_eq!(s.components.len(), 1);
    assert_eq!(s.components[0].purl_raw.as_deref(), Some("pkg:npm/x%ZZ@1"));
    assert!(s.components[0].purl.is_none());
    assert!(s.diagnostics.iter().any(|d| d.code == "invalid-purl"));
}

#[test]
fn deep_json_nesting_is_an_error_not_a_stack_overflow() {
    let json = format!(
        "{{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":{}",
        "[{\"components\":".repeat(5000)
    );
    let e = err(json.as_bytes());
    assert!(matches!(e, SbomError::Syntax { .. }), "{e}");
}

#[test]
fn deep_xml_nesting_is_an_error_not_a_stack_overflow() {
    let xml = format!(
        "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"><components>{}",
        "<component><components>".repeat(5000)
    );
    let e = err(xml.as_bytes());
    assert!(matches!(e, SbomError::Syntax { .. }), "{e}");
}

#[test]
fn wrong_types_are_syntax_errors_with_position() {
    let doc = b"{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\",\n \"components\": [{\"name\": {}}]}";
    let e = err(doc);
    assert!(matches!(e, SbomError::Syntax { line: 2, .. }), "{e}");
}

#[test]
fn nesting_under_the_limit_reads_and_the_limit_resets_after_an_error() {
    let nested = |levels: usize| {
        let mut s =
            String::from("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":");
        for i in 0..levels {
            s.push_str(&format!(
                "[{{\"name\":\"c{i}\",\"version\":\"1\",\"components\":"
            ));
        }
        s.push_str("[]");
        s.push_str(&"}]".repeat(levels));
        s.push('}');
        s
    };
    let too_deep = err(nested(40).as_bytes());
    assert!(
        too_deep.to_string().contains("nested deeper than 32"),
        "{too_deep}"
    );
    // The failed parse released its nesting levels: a 30-deep document still reads, in order.
    let s = read(nested(30).as_bytes(), "ok", &Limits::default()).unwrap();
    assert_eq!(s.components.len(), 30);
    assert_eq!(s.components[29].name, "c29");
}

#[test]
fn yaml_alias_bomb_is_not_expanded() {
    let mut doc = String::from(
        "spdxVersion: SPDX-2.3\nSPDXID: SPDXRef-DOCUMENT\na0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    for i in 1..9 {
        let p = i - 1;
        doc.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    doc.push_str("packages: [{name: x, comment: *a8}]\n");
    // 9^9 "lol"s if expanded. The YAML reader never builds ignored values and caps alias
    // replay, so this finishes at once, either refused or read without the bomb.
    let started = std::time::Instant::now();
    match read(doc.as_bytes(), "bomb.yaml", &Limits::default()) {
        Ok(s) => assert_eq!(s.components.len(), 1),
        Err(e) => assert!(matches!(e, SbomError::Syntax { .. }), "{e}"),
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}
