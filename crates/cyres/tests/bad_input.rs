//! Bad input through the CLI: each case exits 2 with a message that names the problem, and
//! never panics.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

mod common;

use common::{run, scratch};

fn scan_file(name: &str, bytes: &[u8], extra: &[&str]) -> (i32, String) {
    let dir = scratch(&format!("bad-{name}"));
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let mut args = vec!["scan", "--advisories", "examples/advisories"];
    args.extend_from_slice(extra);
    let p = path.to_str().unwrap().to_string();
    args.push(&p);
    let (code, _, err) = run(&args);
    assert!(!err.contains("panicked"), "panic on {name}: {err}");
    (code, err)
}

#[test]
fn truncated_json_names_file_and_position() {
    let full =
        std::fs::read(cyres_kit::workspace_root().join("examples/sboms/router-fw-2.4.1.cdx.json"))
            .unwrap();
    let (code, err) = scan_file("truncated.cdx.json", &full[..full.len() / 2], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("truncated.cdx.json"), "{err}");
    assert!(err.contains(':'), "{err}");
}

#[test]
fn unknown_spec_version_is_refused() {
    let doc = br#"{"bomFormat":"CycloneDX","specVersion":"9.9","version":1,"components":[]}"#;
    let (code, err) = scan_file("future.cdx.json", doc, &[]);
    assert_eq!(code, 2);
    assert!(err.contains("9.9"), "{err}");
}

#[test]
fn xml_entities_are_never_expanded() {
    let laughs = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1"><components><component type="library"><name>&lol2;</name></component></components></bom>"#;
    let (code, err) = scan_file("laughs.cdx.xml", laughs, &[]);
    assert_eq!(code, 2);
    assert!(
        err.to_ascii_lowercase().contains("doctype") || err.to_ascii_lowercase().contains("entit"),
        "{err}"
    );

    let xxe = br#"<?xml version="1.0"?>
<!DOCTYPE bom [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1"><components><component type="library"><name>&xxe;</name></component></components></bom>"#;
    let (code, err) = scan_file("xxe.cdx.xml", xxe, &[]);
    assert_eq!(code, 2);
    assert!(!err.contains("root:"), "file content leaked: {err}");
}

#[test]
fn oversized_input_is_refused_before_parsing() {
    let full =
        std::fs::read(cyres_kit::workspace_root().join("examples/sboms/router-fw-2.4.1.cdx.json"))
            .unwrap();
    let (code, err) = scan_file("big.cdx.json", &full, &["--max-sbom-size", "1000"]);
    assert_eq!(code, 2);
    assert!(err.contains("limit"), "{err}");
}

#[test]
fn invalid_utf8_is_refused() {
    let mut doc = br#"{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{"type":"library","name":""#.to_vec();
    doc.extend_from_slice(&[0xff, 0xfe, 0xfd]);
    doc.extend_from_slice(br#"","version":"1"}]}"#);
    let (code, err) = scan_file("latin1.cdx.json", &doc, &[]);
    assert_eq!(code, 2);
    assert!(err.to_ascii_lowercase().contains("utf-8"), "{err}");
}

#[test]
fn broken_purl_is_a_diagnostic_not_a_failure() {
    let doc = br#"{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[
        {"type":"library","name":"regex","version":"1.5.4","purl":"pkg:cargo/reg%zzex@1.5.4"}]}"#;
    let dir = scratch("bad-purl");
    let path = dir.join("purl.cdx.json");
    std::fs::write(&path, doc).unwrap();
    let (code, out, err) = run(&[
        "scan",
        "--format",
        "json",
        "--advisories",
        "examples/advisories",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let diags = v["sboms"][0]["diagnostics"].as_array().unwrap();
    assert!(
        diags
            .iter()
            .any(|d| d["code"].as_str().unwrap().contains("purl")),
        "{diags:?}"
    );
}

#[test]
fn a_foreign_or_corrupt_index_is_an_error() {
    let dir = scratch("bad-index");
    let idx = dir.join("x.idx");
    std::fs::write(&idx, b"definitely not an index").unwrap();
    let (code, _, err) = run(&[
        "scan",
        "--index",
        idx.to_str().unwrap(),
        "examples/sboms/router-fw-2.4.1.cdx.json",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("x.idx"), "{err}");
}

#[test]
fn missing_advisory_data_and_missing_files_are_errors() {
    let (code, _, err) = run(&["scan", "examples/sboms/router-fw-2.4.1.cdx.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("no advisory data"), "{err}");
    let (code, _, err) = run(&[
        "scan",
        "--advisories",
        "examples/advisories",
        "no/such/file.json",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("no/such/file.json"), "{err}");
}
