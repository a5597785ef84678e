//! Every SBOM in the real-data kit is read.
//!
//! Filter: in the four SBOM archives, every file ending in `.json`, `.xml`, `.spdx`, `.yaml` or
//! `.yml` is an SBOM candidate; READMEs, licences, Cargo.lock inputs and the requirements list
//! are not. VEX documents (`VEX/**/vex*.json`) are CycloneDX BOMs too and are read like any other
//! (they simply have few or no components). Each candidate must read, except:
//! - formats we recognise and deliberately do not read: SPDX 3.0 JSON-LD
//!   ([`SbomError::UnsupportedVersion`]), SPDX RDF/XML and SPDX XML
//!   ([`SbomError::UnsupportedFormat`]);
//! - the files in [`INVALID`], each genuinely invalid, with the reason.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use cyres_sbom::{Format, Limits, Sbom, SbomError, read};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const ARCHIVES: &[&str] = &[
    "sboms/cyclonedx-bom-examples.tar.zst",
    "sboms/spdx-examples.tar.zst",
    "sboms/osv-scanner-sboms.tar.zst",
    "sboms/generated-sboms.tar.zst",
];

/// Genuinely invalid kit files: (path suffix, reason).
const INVALID: &[(&str, &str)] = &[(
    "spdx-spec-2.3/examples/SPDXYAMLExample-2.2.spdx.yaml",
    "not valid YAML: unescaped `\"` inside a double-quoted scalar (`noticeText`, line 324 column 48, \
     `(the \"Software\")`); PyYAML rejects it the same way. The 2.3 YAML example is fixed upstream \
     and reads.",
)];

/// Unpacks every archive once, one at a time: `cyres_kit::unpacked` names its temporary folder
/// after the process, so two test threads unpacking the same archive at once collide.
fn unpacked(archive: &str) -> PathBuf {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    cyres_kit::unpacked(archive)
}

fn candidates(root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            [".json", ".xml", ".spdx", ".yaml", ".yml"]
                .iter()
                .any(|ext| name.ends_with(ext))
        })
        .collect();
    out.sort();
    out
}

fn read_file(p: &Path) -> Result<Sbom, SbomError> {
    let bytes = std::fs::read(p).unwrap();
    read(&bytes, &p.display().to_string(), &Limits::default())
}

#[derive(Default, Debug)]
struct Tally {
    read: usize,
    spdx3: usize,
    unsupported_format: usize,
    invalid: usize,
}

#[test]
fn every_kit_sbom_reads() {
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut codes: BTreeMap<&'static str, usize> = BTreeMap::new();
    for archive in ARCHIVES {
        let root = unpacked(archive);
        let files = candidates(&root);
        assert!(!files.is_empty(), "no SBOM candidates in {archive}");
        let t = tallies.entry(archive).or_default();
        for f in files {
            let shown = f.strip_prefix(&root).unwrap().display().to_string();
            let invalid = INVALID.iter().find(|(suffix, _)| shown.ends_with(suffix));
            match (read_file(&f), invalid) {
                (Ok(s), None) => {
                    t.read += 1;
                    for d in &s.diagnostics {
                        *codes.entry(d.code).or_default() += 1;
                    }
                }
                (Ok(_), Some((_, why))) => {
                    failures.push(format!("{shown}: listed invalid ({why}) but reads"))
                }
                (Err(_), Some(_)) => t.invalid += 1,
                (
                    Err(SbomError::UnsupportedVersion {
                        format: "SPDX",
                        version,
                        ..
                    }),
                    None,
                ) if version.starts_with('3') => t.spdx3 += 1,
                (Err(SbomError::UnsupportedFormat { .. }), None) => t.unsupported_format += 1,
                (Err(e), None) => failures.push(format!("{shown}: {e}")),
            }
        }
    }
    eprintln!("{tallies:#?}\ndiagnostics over the kit: {codes:#?}");
    assert!(
        failures.is_empty(),
        "kit SBOMs that did not read:\n{}",
        failures.join("\n")
    );
    // Guard against the filter silently losing files.
    let total: usize = tallies.values().map(|t| t.read).sum();
    assert!(total >= 130, "only {total} SBOMs read");
}

fn kit_sbom(archive: &str, rel: &str) -> Sbom {
    let p = unpacked(archive).join(rel);
    read_file(&p).unwrap_or_else(|e| panic!("{e}"))
}

fn crate_set(s: &Sbom) -> BTreeSet<(String, String)> {
    s.components
        .iter()
        .map(|c| (c.name.clone(), c.version.clone().unwrap_or_default()))
        .collect()
}

#[test]
fn generated_rust_sboms_agree_between_spdx_and_cyclonedx() {
    const G: &str = "sboms/generated-sboms.tar.zst";
    // (project, SPDX packages): the counts the kit README states.
    for (name, packages) in [
        ("ripgrep-11.0.0", 63),
        ("ripgrep-13.0.0", 60),
        ("ripgrep-head", 53),
        ("tough-develop", 336),
        ("rust-analyzer", 288),
    ] {
        let spdx = kit_sbom(G, &format!("generated-sboms/rust/{name}.spdx.json"));
        let valid = kit_sbom(G, &format!("generated-sboms/rust/{name}.spdx.valid.json"));
        let cdx = kit_sbom(G, &format!("generated-sboms/rust/{name}.cdx.json"));
        assert_eq!(spdx.format, Format::SpdxJson);
        assert_eq!(cdx.format, Format::CycloneDxJson);
        // cargo-sbom's SPDX describes files, not a package: every package is a component.
        assert!(spdx.product.is_none());
        assert_eq!(spdx.components.len(), packages, "{name} SPDX packages");
        assert_eq!(
            valid.components.len(),
            packages,
            "{name} repaired SPDX packages"
        );
        assert_eq!(
            crate_set(&spdx),
            crate_set(&valid),
            "{name}: repaired SPDX changed the crate set"
        );
        // The CycloneDX twin lists workspace members under metadata.component as well as at the
        // top level (same bom-ref); merged, the crate set is the SPDX one.
        assert_eq!(
            crate_set(&cdx),
            crate_set(&spdx),
            "{name}: CycloneDX and SPDX crate sets differ"
        );
        assert_eq!(cdx.product.as_ref().map(|p| p.name.as_str()), Some(name));
        // Edges: cargo-sbom writes DEPENDS_ON between packages; both encodings carry a graph.
        assert!(!spdx.dependencies.is_empty() && !cdx.dependencies.is_empty());
        for s in [&spdx, &valid, &cdx] {
            let codes: BTreeSet<_> = s.diagnostics.iter().map(|d| d.code).collect();
            assert!(
                !codes.contains("dangling-dependency"),
                "{name}: {:?}",
                s.diagnostics
            );
            assert!(
                !codes.contains("component-without-version"),
                "{name}: {:?}",
                s.diagnostics
            );
        }
    }
}

#[test]
fn ripgrep_details() {
    let s = kit_sbom(
        "sboms/generated-sboms.tar.zst",
        "generated-sboms/rust/ripgrep-11.0.0.spdx.json",
    );
    let regex = s.components.iter().find(|c| c.name == "regex").unwrap();
    assert_eq!(regex.version.as_deref(), Some("1.1.5"));
    assert_eq!(regex.purl_raw.as_deref(), Some("pkg:cargo/regex@1.1.5"));
    assert_eq!(regex.licenses, vec!["MIT OR Apache-2.0".to_string()]);
    assert_eq!(
        regex.reference.as_deref(),
        Some("SPDXRef-Package-regex-1.1.5")
    );
    // regex depends on aho-corasick, memchr, regex-syntax, thread_local, utf8-ranges.
    let deps: BTreeSet<&str> = s
        .dependencies
        .iter()
        .filter(|(from, _)| from == "SPDXRef-Package-regex-1.1.5")
        .map(|(_, to)| to.as_str())
        .collect();
    assert!(
        deps.contains("SPDXRef-Package-aho-corasick-0.7.3"),
        "{deps:?}"
    );
    assert_eq!(deps.len(), 5, "{deps:?}");

    let c = kit_sbom(
        "sboms/generated-sboms.tar.zst",
        "generated-sboms/rust/ripgrep-11.0.0.cdx.json",
    );
    let memchr = c.components.iter().find(|c| c.name == "memchr").unwrap();
    assert_eq!(
        memchr.reference.as_deref(),
        Some("CycloneDxRef-Component-memchr-2.2.0")
    );
    assert_eq!(memchr.licenses, vec!["Unlicense OR MIT".to_string()]);
    // No supplier in cargo-sbom output: the author is the fallback.
    assert_eq!(
        memchr.supplier.as_deref(),
        Some("Andrew Gallant <jamslam@gmail.com>, bluss")
    );
    assert!(
        c.diagnostics
            .iter()
            .any(|d| d.code == "duplicate-reference")
    );
}

#[test]
fn cyclonedx_json_and_xml_twins_agree() {
    const A: &str = "sboms/cyclonedx-bom-examples.tar.zst";
    for (json, xml) in [
        (
            "cyclonedx-bom-examples/SBOM/keycloak-10.0.2/bom.json",
            "cyclonedx-bom-examples/SBOM/keycloak-10.0.2/bom.xml",
        ),
        (
            "cyclonedx-bom-examples/SBOM/juice-shop/via_npm/bare/bom.1.4.json",
            "cyclonedx-bom-examples/SBOM/juice-shop/via_npm/bare/bom.1.4.xml",
        ),
        (
            "cyclonedx-bom-examples/SBOM/laravel-7.12.0/bom.1.3.json",
            "cyclonedx-bom-examples/SBOM/laravel-7.12.0/bom.1.3.xml",
        ),
        (
            "cyclonedx-bom-examples/SBOM/proton-bridge/proton-bridge-v1.8.0.bom.json",
            "cyclonedx-bom-examples/SBOM/proton-bridge/proton-bridge-v1.8.0.bom.xml",
        ),
    ] {
        let j = kit_sbom(A, json);
        let x = kit_sbom(A, xml);
        assert_eq!(j.format, Format::CycloneDxJson);
        assert_eq!(x.format, Format::CycloneDxXml);
        assert_eq!(j.spec_version, x.spec_version, "{json}");
        assert!(!j.components.is_empty());
        assert_eq!(j.components.len(), x.components.len(), "{json}");
        for (a, b) in j.components.iter().zip(&x.components) {
            assert_eq!(
                (
                    &a.name,
                    &a.group,
                    &a.version,
                    &a.purl_raw,
                    &a.hashes,
                    &a.licenses,
                    &a.supplier
                ),
                (
                    &b.name,
                    &b.group,
                    &b.version,
                    &b.purl_raw,
                    &b.hashes,
                    &b.licenses,
                    &b.supplier
                ),
                "{json}"
            );
        }
        assert_eq!(j.dependencies, x.dependencies, "{json}");
        assert_eq!(
            j.product.as_ref().map(|p| &p.name),
            x.product.as_ref().map(|p| &p.name)
        );
    }
}

#[test]
fn known_counts() {
    let k = kit_sbom(
        "sboms/cyclonedx-bom-examples.tar.zst",
        "cyclonedx-bom-examples/SBOM/keycloak-10.0.2/bom.json",
    );
    assert_eq!(k.spec_version, "1.2");
    assert!(k.components.len() > 500, "{}", k.components.len());
    let pg = kit_sbom(
        "sboms/osv-scanner-sboms.tar.zst",
        "osv-scanner-sboms/cmd/osv-scanner/scan/source/testdata/sbom-insecure/postgres-stretch.cdx.xml",
    );
    assert!(pg.components.iter().any(|c| {
        c.purl_raw
            .as_deref()
            .is_some_and(|p| p.starts_with("pkg:deb/debian/"))
    }));
    let laravel11 = kit_sbom(
        "sboms/cyclonedx-bom-examples.tar.zst",
        "cyclonedx-bom-examples/SBOM/laravel-7.12.0/bom.1.1.xml",
    );
    let laravel12 = kit_sbom(
        "sboms/cyclonedx-bom-examples.tar.zst",
        "cyclonedx-bom-examples/SBOM/laravel-7.12.0/bom.1.2.xml",
    );
    assert_eq!(laravel11.spec_version, "1.1");
    assert_eq!(laravel11.components.len(), laravel12.components.len());
}

#[test]
fn spdx_spec_example_agrees_across_encodings() {
    const S: &str = "sboms/spdx-examples.tar.zst";
    let dir = "spdx-examples/spdx-spec-2.3.1/examples";
    let json = kit_sbom(S, &format!("{dir}/SPDXJSONExample-v2.3.spdx.json"));
    let tag = kit_sbom(S, &format!("{dir}/SPDXTagExample-v2.3.spdx"));
    let yaml = kit_sbom(S, &format!("{dir}/SPDXYAMLExample-2.3.spdx.yaml"));
    assert_eq!(
        (json.format, tag.format, yaml.format),
        (Format::SpdxJson, Format::SpdxTagValue, Format::SpdxYaml)
    );
    for s in [&json, &tag, &yaml] {
        assert_eq!(s.spec_version, "SPDX-2.3");
        // The example DESCRIBES SPDXRef-Package (glibc) among others.
        let product = s.product.as_ref().expect("described package");
        assert_eq!(product.name, "glibc");
        assert_eq!(product.version.as_deref(), Some("2.11.1"));
        assert_eq!(
            product.supplier.as_deref(),
            Some("Jane Doe (jane.doe@example.com)")
        );
        assert_eq!(
            product.cpe_raw.as_deref(),
            Some("cpe:2.3:a:pivotal_software:spring_framework:4.1.0:*:*:*:*:*:*:*")
        );
        assert!(
            product.hashes.iter().any(|(a, _)| a == "SHA256"),
            "{:?}",
            product.hashes
        );
    }
    let names = |s: &Sbom| {
        s.components
            .iter()
            .map(|c| (c.reference.clone(), c.name.clone(), c.purl_raw.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&json), names(&tag));
    assert_eq!(names(&json), names(&yaml));
    assert_eq!(json.dependencies, yaml.dependencies);
    let set = |s: &Sbom| s.dependencies.iter().cloned().collect::<BTreeSet<_>>();
    assert_eq!(set(&json), set(&tag));
    let jena = json.components.iter().find(|c| c.name == "Jena").unwrap();
    assert_eq!(
        jena.purl_raw.as_deref(),
        Some("pkg:maven/org.apache.jena/apache-jena@3.12.0")
    );
}
