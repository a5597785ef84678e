//! The shape of what the readers produce, on small hand-written fixtures (`testdata/`).
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use cyres_sbom::{Format, Limits, Sbom, read};
use std::path::Path;

fn fixture(rel: &str) -> Sbom {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel);
    let bytes = std::fs::read(&path).unwrap();
    read(&bytes, rel, &Limits::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn codes(s: &Sbom) -> Vec<&'static str> {
    s.diagnostics.iter().map(|d| d.code).collect()
}

fn check_structure(s: &Sbom) {
    assert_eq!(s.spec_version, "1.5");
    let p = s.product.as_ref().unwrap();
    assert_eq!(
        (
            p.name.as_str(),
            p.version.as_deref(),
            p.reference.as_deref()
        ),
        ("acme-router", Some("2.4.0"), Some("router"))
    );
    assert_eq!(p.supplier.as_deref(), Some("ACME Devices"));
    assert_eq!(p.kind.as_deref(), Some("firmware"));
    // Flattened in document order: the top-level tree (pre-order), then the product's parts.
    let names: Vec<&str> = s.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "openssl",
            "libcrypto",
            "sha256-x86_64.s",
            "core",
            "busybox",
            "u-boot"
        ]
    );
    let openssl = &s.components[0];
    assert_eq!(openssl.group, None, "an empty group is no group");
    assert_eq!(
        openssl.purl_raw.as_deref(),
        Some("pkg:generic/openssl@3.0.8")
    );
    assert_eq!(
        openssl.cpe_raw.as_deref(),
        Some("cpe:2.3:a:openssl:openssl:3.0.8:*:*:*:*:*:*:*")
    );
    assert_eq!(
        openssl.hashes,
        [(
            "SHA-256".to_string(),
            "6c13d2bf38fdf31eac3ce2a347073673f5d63263398f1f69d0df4a41253e4b3e".to_string()
        )]
    );
    assert_eq!(openssl.licenses, ["Apache-2.0"]);
    assert_eq!(
        openssl.supplier.as_deref(),
        Some("OpenSSL Project"),
        "publisher is the supplier fallback"
    );
    let core = &s.components[3];
    assert_eq!(core.group.as_deref(), Some("@angular"));
    assert_eq!(
        core.purl_raw.as_deref(),
        Some("pkg:npm/%40angular/core@15.2.0")
    );
    assert_eq!(core.licenses, ["MIT OR Apache-2.0", "Custom Licence"]);
    assert_eq!(core.supplier.as_deref(), Some("Google"));
    assert_eq!(
        s.components[4].supplier.as_deref(),
        Some("Erik Andersen"),
        "authors[].name is the last fallback"
    );
    assert_eq!(s.components[4].purl_raw, None);
    let edges: Vec<(&str, &str)> = s
        .dependencies
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    assert_eq!(
        edges,
        [
            ("router", "openssl"),
            ("router", "busybox"),
            ("router", "boot"),
            ("openssl", "libcrypto"),
            ("libcrypto", "sha-asm")
        ]
    );
    assert!(!codes(s).contains(&"dangling-dependency"));
    assert!(
        !codes(s).contains(&"component-without-identifier"),
        "{:?}",
        s.diagnostics
    );
}

#[test]
fn cyclonedx_json_structure() {
    let s = fixture("structure/bom.json");
    assert_eq!(s.format, Format::CycloneDxJson);
    check_structure(&s);
}

#[test]
fn cyclonedx_xml_structure() {
    let s = fixture("structure/bom.xml");
    assert_eq!(s.format, Format::CycloneDxXml);
    check_structure(&s);
}

#[test]
fn messy_input_reads_with_diagnostics() {
    let s = fixture("messy/bom.json");
    // The repeated `a` says the same thing as the first one: merged.
    assert_eq!(s.components.len(), 5);
    let broken = s
        .components
        .iter()
        .find(|c| c.name == "broken-escape")
        .unwrap();
    assert_eq!(
        broken.purl_raw.as_deref(),
        Some("pkg:npm/%E0%A4%/broken-escape@1.0.0")
    );
    assert!(broken.purl.is_none());
    let c = codes(&s);
    for expected in [
        "component-without-version",
        "component-without-identifier",
        "invalid-purl",
        "duplicate-reference",
        "dangling-dependency",
    ] {
        assert!(
            c.contains(&expected),
            "missing {expected}: {:?}",
            s.diagnostics
        );
    }
    let broken_diag = s
        .diagnostics
        .iter()
        .find(|d| d.code == "invalid-purl" && d.message.contains("broken-escape"));
    assert!(broken_diag.is_some(), "{:?}", s.diagnostics);
    assert_eq!(s.dependencies, [("a".to_string(), "b".to_string())]);
    let ghost = s
        .diagnostics
        .iter()
        .find(|d| d.code == "dangling-dependency")
        .unwrap();
    assert!(ghost.message.contains("ghost"));
    let no_id = s
        .diagnostics
        .iter()
        .find(|d| d.code == "component-without-identifier")
        .unwrap();
    assert!(
        no_id.message.contains("no-identifier@0.1.0"),
        "{}",
        no_id.message
    );
}

// The tests below need `cyres_version::Purl::parse`: they pass once cyres-version parses purls.

#[test]
fn purls_are_parsed() {
    let s = fixture("structure/bom.json");
    let core = s.components.iter().find(|c| c.name == "core").unwrap();
    let purl = core
        .purl
        .as_ref()
        .expect("pkg:npm/%40angular/core@15.2.0 parses");
    assert_eq!(purl.ty, "npm");
    assert_eq!(purl.namespace.as_deref(), Some("@angular"));
    assert_eq!(purl.name, "core");
    assert_eq!(purl.version.as_deref(), Some("15.2.0"));
    assert!(!codes(&s).contains(&"invalid-purl"), "{:?}", s.diagnostics);
}

#[test]
fn unknown_purl_type_is_reported_and_valid_purls_are_not() {
    let s = fixture("messy/bom.json");
    let made_up = s
        .components
        .iter()
        .find(|c| c.name == "made-up-type")
        .unwrap();
    assert_eq!(made_up.purl.as_ref().map(|p| p.ty.as_str()), Some("madeup"));
    assert!(
        codes(&s).contains(&"unknown-purl-type"),
        "{:?}",
        s.diagnostics
    );
    let invalid: Vec<_> = s
        .diagnostics
        .iter()
        .filter(|d| d.code == "invalid-purl")
        .collect();
    assert_eq!(
        invalid.len(),
        1,
        "only the broken escape is invalid: {invalid:?}"
    );
}

#[test]
fn kit_cargo_purls_parse() {
    let text = cyres_sbom::synthetic_cyclonedx(5);
    let s = read(text.as_bytes(), "synthetic", &Limits::default()).unwrap();
    let p = s.components[0]
        .purl
        .as_ref()
        .expect("pkg:cargo/memchr@2.2.0 parses");
    assert_eq!(
        (p.ty.as_str(), p.name.as_str(), p.version.as_deref()),
        ("cargo", "memchr", Some("2.2.0"))
    );
}

// Needs `cyres_version::Cpe::parse`: passes once cyres-version parses CPEs.
#[test]
fn cpes_are_parsed() {
    let s = fixture("structure/bom.xml");
    let openssl = &s.components[0];
    let cpe = openssl
        .cpe
        .as_ref()
        .expect("cpe:2.3:a:openssl:openssl:3.0.8 parses");
    assert_eq!(
        (
            cpe.part.as_str(),
            cpe.vendor.as_str(),
            cpe.product.as_str(),
            cpe.version.as_str()
        ),
        ("a", "openssl", "openssl", "3.0.8")
    );
    assert!(!codes(&s).contains(&"invalid-cpe"), "{:?}", s.diagnostics);
}

#[test]
fn per_format_entry_points_refuse_the_other_formats() {
    let json =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/structure/bom.json"))
            .unwrap();
    let xml =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/structure/bom.xml"))
            .unwrap();
    let l = Limits::default();
    assert_eq!(
        cyres_sbom::read_cyclonedx_json(&json, "j", &l)
            .unwrap()
            .components
            .len(),
        6
    );
    assert_eq!(
        cyres_sbom::read_cyclonedx_xml(&xml, "x", &l)
            .unwrap()
            .components
            .len(),
        6
    );
    assert!(matches!(
        cyres_sbom::read_spdx_json(&json, "j", &l),
        Err(cyres_sbom::SbomError::UnknownFormat { .. })
    ));
    assert!(cyres_sbom::read_cyclonedx_xml(&json, "j", &l).is_err());
    assert!(cyres_sbom::read_spdx_tag_value(&json, "j", &l).is_err());
}

#[test]
fn cyclonedx_scope_is_read_in_json_and_xml() {
    use cyres_sbom::Scope;
    let json = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
        {"type":"library","name":"a","version":"1","scope":"excluded"},
        {"type":"library","name":"b","version":"1","scope":"optional"},
        {"type":"library","name":"c","version":"1","scope":"required"},
        {"type":"library","name":"d","version":"1"}]}"#;
    let xml = br#"<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1"><components>
        <component type="library"><name>a</name><version>1</version><scope>excluded</scope></component>
        <component type="library"><name>b</name><version>1</version><scope>optional</scope></component>
        <component type="library"><name>c</name><version>1</version><scope>required</scope></component>
        <component type="library"><name>d</name><version>1</version></component>
        </components></bom>"#;
    for (bytes, name) in [(&json[..], "s.cdx.json"), (&xml[..], "s.cdx.xml")] {
        let s = read(bytes, name, &Limits::default()).unwrap_or_else(|e| panic!("{e}"));
        let scopes: Vec<Scope> = s.components.iter().map(|c| c.scope).collect();
        assert_eq!(
            scopes,
            [
                Scope::Excluded,
                Scope::Optional,
                Scope::Required,
                Scope::Required
            ],
            "{name}"
        );
        assert!(s.components.iter().all(|c| c.direct.is_none()), "{name}");
    }
}

/// Counts the components offered to it, keeps those with an even-length name.
#[derive(Default)]
struct Counting {
    offered: usize,
    restarts: usize,
    joined: usize,
}

impl cyres_sbom::Fork for Counting {
    fn fork(&self) -> Self {
        Counting::default()
    }
    fn join(&mut self, later: Self) {
        self.offered += later.offered;
        self.joined += 1 + later.joined;
    }
}

impl cyres_sbom::Keep for Counting {
    fn keep(&mut self, c: &cyres_sbom::Component) -> bool {
        self.offered += 1;
        c.name.len().is_multiple_of(2)
    }
    fn restart(&mut self) {
        self.offered = 0;
        self.restarts += 1;
    }
}

fn kept(sbom: &cyres_sbom::Sbom) -> Vec<String> {
    sbom.components
        .iter()
        .map(|c| format!("{:?} {} {:?} {:?}", c.reference, c.name, c.version, c.purl))
        .collect()
}

/// The windowed reader of large CycloneDX files gives what `read_keeping` gives on the whole
/// text, and every component is offered exactly once even when a reader gives way part of the
/// way through (a count kept by the caller, like the scanner's development-only count, was
/// counted twice before `Keep::restart`).
#[test]
fn the_stream_keeps_what_read_keeping_keeps_and_offers_each_component_once() {
    use cyres_sbom::{Limits, NoIncludes, read_keeping, read_keeping_stream};
    let doc = cyres_sbom::synthetic_cyclonedx(3000);
    let limits = Limits::default();
    let mut streamed = Counting::default();
    let (s, n) = read_keeping_stream(doc.as_bytes(), "big.cdx.json", &limits, &mut streamed)
        .expect("read through the window");
    let (w, m, whole) = read_whole_keeping(&doc);
    assert_eq!((n, m), (3000, 3000));
    assert_eq!((streamed.offered, whole.offered), (3000, 3000));
    assert_eq!((streamed.restarts, whole.restarts), (0, 0));
    assert_eq!(kept(&s), kept(&w));
    assert!(!s.components.is_empty() && s.components.len() < 3000);
    assert_eq!(s.diagnostics, w.diagnostics);
    assert_eq!(s.document, w.document);

    // The last component repeats the first one's reference: both streams give way after
    // offering most components; the ordinary reader then offers each (merged) one once.
    let components = doc.find("\"components\"").unwrap();
    let first = &doc[components + doc[components..].find("\"bom-ref\": \"").unwrap() + 12..];
    let first = &first[..first.find('"').unwrap()];
    let at = doc.rfind("\"bom-ref\": \"").unwrap() + 12;
    let end = at + doc[at..].find('"').unwrap();
    let repeated = format!("{}{first}{}", &doc[..at], &doc[end..]);
    let mut streamed = Counting::default();
    assert!(
        read_keeping_stream(repeated.as_bytes(), "big.cdx.json", &limits, &mut streamed).is_none()
    );
    assert_eq!((streamed.offered, streamed.restarts), (0, 1));
    let mut whole = Counting::default();
    let (w, total) = read_keeping(
        repeated.as_bytes(),
        "big.cdx.json",
        &limits,
        &NoIncludes,
        &mut whole,
    )
    .unwrap();
    assert_eq!(whole.restarts, 1);
    assert_eq!(whole.offered, total);
    assert_eq!(w.components.len(), whole_kept(&repeated));

    // A lockfile's name is never streamed, and nothing is offered.
    let mut none = Counting::default();
    assert!(read_keeping_stream(doc.as_bytes(), "package-lock.json", &limits, &mut none).is_none());
    assert_eq!((none.offered, none.restarts), (0, 0));
}

/// `read_keeping` on the whole text, with a fresh [`Counting`].
fn read_whole_keeping(doc: &str) -> (cyres_sbom::Sbom, usize, Counting) {
    let mut whole = Counting::default();
    let (sbom, n) = cyres_sbom::read_keeping(
        doc.as_bytes(),
        "big.cdx.json",
        &cyres_sbom::Limits::default(),
        &cyres_sbom::NoIncludes,
        &mut whole,
    )
    .unwrap();
    (sbom, n, whole)
}

/// The components the ordinary reader gives with an even-length name.
fn whole_kept(doc: &str) -> usize {
    let sbom = cyres_sbom::read(
        doc.as_bytes(),
        "big.cdx.json",
        &cyres_sbom::Limits::default(),
    )
    .unwrap();
    sbom.components
        .iter()
        .filter(|c| c.name.len().is_multiple_of(2))
        .count()
}

/// A file large enough for the second thread (16 MiB after the first component): read on two
/// threads, each component judged once (the fork's verdicts joined), the result that of
/// `read_keeping` on the whole text.
#[cfg(unix)]
#[test]
fn a_large_file_is_read_on_two_threads_each_component_judged_once() {
    use cyres_sbom::{Limits, read_keeping_file};
    let doc = cyres_sbom::synthetic_cyclonedx(26_000);
    assert!(doc.len() > 18 << 20, "{} bytes", doc.len());
    let path = std::env::temp_dir().join(format!("cyres-two-threads-{}.json", std::process::id()));
    std::fs::write(&path, &doc).unwrap();
    let file = std::fs::File::open(&path).unwrap();
    let limits = Limits::default();
    let mut split = Counting::default();
    let read = read_keeping_file(&file, "big.cdx.json", &limits, &mut split);
    std::fs::remove_file(&path).unwrap();
    let (s, n) = read.expect("read on two threads");
    let (w, m, _) = read_whole_keeping(&doc);
    assert_eq!((n, m), (26_000, 26_000));
    assert_eq!(split.joined, 1, "the second thread's half was used");
    assert_eq!((split.offered, split.restarts), (26_000, 0));
    assert_eq!(kept(&s), kept(&w));
    assert_eq!(s.diagnostics, w.diagnostics);
    assert_eq!(s.document, w.document);
}
