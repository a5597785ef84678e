//! `cyres scan` on the kit's Rust SBOMs against the RustSec OSV export agrees with cargo-audit
//! 0.22.2 on the same lock files (answers kept as fixtures in `fixtures/cargo-audit`, made by
//! `scripts/cargo-audit-fixtures.sh`).
//!
//! The only allowed differences are crates cargo-audit sees in `Cargo.lock` that the SBOM
//! generator left out of the SBOM (dev/build-only chains); the test checks each of those is
//! really absent from the SBOM, so the list cannot go stale. Scanning the `Cargo.lock` files
//! themselves (versions 1, 3 and 4) must agree with cargo-audit exactly, with no exception.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

mod common;

use common::{rustsec_index, scan_json};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const LOCKFILES: &[&str] = &[
    "ripgrep-11.0.0",
    "ripgrep-13.0.0",
    "ripgrep-head",
    "tough-develop",
    "rust-analyzer",
];

/// (lockfile, advisory, crate, version) that cargo-audit reports from Cargo.lock but that the
/// SBOM does not contain.
const NOT_IN_SBOM: &[(&str, &str, &str, &str)] = &[
    (
        "ripgrep-11.0.0",
        "RUSTSEC-2023-0018",
        "remove_dir_all",
        "0.5.1",
    ),
    ("ripgrep-11.0.0", "RUSTSEC-2019-0035", "rand_core", "0.4.0"),
    ("ripgrep-11.0.0", "RUSTSEC-2025-0124", "rand_os", "0.1.3"),
    (
        "tough-develop",
        "RUSTSEC-2025-0024",
        "crossbeam-channel",
        "0.5.13",
    ),
];

type Key = (String, String, String);

fn fixture(name: &str) -> BTreeMap<Key, Option<String>> {
    let path = cyres_kit::workspace_root().join(format!(
        "crates/cyres/tests/fixtures/cargo-audit/{name}.json"
    ));
    let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for (list, informational) in [("vulnerabilities", false), ("warnings", true)] {
        for e in doc[list].as_array().unwrap() {
            let key = (
                e["id"].as_str().unwrap().to_string(),
                e["package"].as_str().unwrap().to_string(),
                e["version"].as_str().unwrap().to_string(),
            );
            let kind = informational.then(|| e["kind"].as_str().unwrap().to_string());
            out.insert(key, kind);
        }
    }
    out
}

#[test]
fn scan_agrees_with_cargo_audit() {
    let index = rustsec_index().to_str().unwrap().to_string();
    let mut total = 0;
    for name in LOCKFILES {
        let sbom = cyres_kit::unpacked_path(
            "sboms/generated-sboms.tar.zst",
            &format!("generated-sboms/rust/{name}.cdx.json"),
        );
        let sbom_text = std::fs::read_to_string(&sbom).unwrap();
        let (_, doc) = scan_json(&["--index", &index, sbom.to_str().unwrap()]);
        let ours = ours(&doc);
        let mut theirs = fixture(name);
        for (lock, id, krate, version) in NOT_IN_SBOM.iter().filter(|e| e.0 == *name) {
            let key = (id.to_string(), krate.to_string(), version.to_string());
            assert!(
                theirs.remove(&key).is_some(),
                "{name}: exception {key:?} is not in cargo-audit's answer any more"
            );
            assert!(
                !sbom_text.contains(&format!("pkg:cargo/{krate}@{version}")),
                "{lock}: {krate}@{version} is in the SBOM after all"
            );
        }
        let ours_keys: BTreeSet<&Key> = ours.keys().collect();
        let theirs_keys: BTreeSet<&Key> = theirs.keys().collect();
        let only_ours: Vec<_> = ours_keys.difference(&theirs_keys).collect();
        let only_theirs: Vec<_> = theirs_keys.difference(&ours_keys).collect();
        assert!(
            only_ours.is_empty() && only_theirs.is_empty(),
            "{name}: only cyres {only_ours:?}; only cargo-audit {only_theirs:?}"
        );
        for (key, kind) in &theirs {
            assert_eq!(
                &ours[key], kind,
                "{name}: {key:?} informational kind differs"
            );
        }
        total += theirs.len();
    }
    assert!(total >= 40, "fixtures look empty: {total} findings");
}

/// `(id, crate, version)` → informational kind, from `cyres scan --format json` output.
fn ours(doc: &Value) -> BTreeMap<Key, Option<String>> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let key = (
                f["id"].as_str().unwrap().to_string(),
                f["component"]["name"].as_str().unwrap().to_string(),
                f["component"]["version"].as_str().unwrap().to_string(),
            );
            (key, f["informational"].as_str().map(String::from))
        })
        .collect()
}

#[test]
fn scanning_the_lockfile_agrees_with_cargo_audit_exactly() {
    let index = rustsec_index().to_str().unwrap().to_string();
    let mut total = 0;
    for name in LOCKFILES {
        let lock = cyres_kit::unpacked_path(
            "sboms/generated-sboms.tar.zst",
            &format!("generated-sboms/rust/cargo-lock-inputs/{name}.Cargo.lock"),
        );
        let (_, doc) = scan_json(&["--index", &index, lock.to_str().unwrap()]);
        assert_eq!(doc["sboms"][0]["format"], "cargo-lock", "{name}");
        let ours = ours(&doc);
        let theirs = fixture(name);
        assert_eq!(
            ours, theirs,
            "{name}: cyres (left) and cargo-audit (right) differ"
        );
        total += theirs.len();
    }
    assert!(total >= 40, "fixtures look empty: {total} findings");
}
