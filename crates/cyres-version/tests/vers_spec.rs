//! The vers specification's tests (kit: `versions/vers-spec-tests.tar.zst`): every
//! `comparison` and `equality` case for the schemes cyres orders (maven, apk, nuget,
//! lexicographic), every `containment` case (npm, pypi), and the pypi `validate` cases.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use cyres_version::vers::{VersRange, scheme_order};
use serde_json::Value;
use std::cmp::Ordering;

const ARCHIVE: &str = "versions/vers-spec-tests.tar.zst";

fn tests(file: &str) -> Vec<Value> {
    let root = kit_path("vers-spec/tests");
    let doc: Value = serde_json::from_slice(&std::fs::read(root.join(file)).unwrap()).unwrap();
    doc["tests"].as_array().unwrap().clone()
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// Runs comparison/equality tests of one file; returns how many ran.
fn check_order(file: &str, scheme: &str) -> usize {
    let mut failures = Vec::new();
    let all = tests(file);
    for t in &all {
        let input = strs(&t["input"]["versions"]);
        match t["test_type"].as_str().unwrap() {
            "comparison" => {
                let want = strs(&t["expected_output"]);
                let mut got = input.clone();
                got.sort_by(|a, b| scheme_order(scheme, a, b));
                // Equal versions may come in either order; the expected list must be sorted
                // under our order and hold the same versions.
                let sorted = want
                    .windows(2)
                    .all(|w| scheme_order(scheme, &w[0], &w[1]).is_le());
                // The suite writes NuGet's expected versions with lower-cased labels
                // (`1.0.0-BETA` comes back as `1.0.0-beta`); NuGet labels are
                // case-insensitive, so compare the lists case-insensitively there.
                let fold = |v: &[String]| -> Vec<String> {
                    v.iter()
                        .map(|s| {
                            if scheme == "nuget" {
                                s.to_lowercase()
                            } else {
                                s.clone()
                            }
                        })
                        .collect()
                };
                let mut a = fold(&got);
                let mut b = fold(&want);
                a.sort();
                b.sort();
                if !sorted || a != b {
                    failures.push(format!("{input:?}: got {got:?} want {want:?}"));
                }
            }
            "equality" => {
                let want = t["expected_output"].as_bool().unwrap();
                let got = scheme_order(scheme, &input[0], &input[1]) == Ordering::Equal;
                if got != want {
                    failures.push(format!("{input:?} equal? got {got} want {want}"));
                }
            }
            other => panic!("unexpected test type {other} in {file}"),
        }
    }
    assert!(
        failures.is_empty(),
        "{file}: {} of {} failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
    eprintln!("{file}: {} cases pass", all.len());
    all.len()
}

#[test]
fn maven_comparisons() {
    assert!(check_order("maven_version_cmp_test.json", "maven") > 900);
}

#[test]
fn alpine_comparisons() {
    assert!(check_order("alpine_version_cmp_test.json", "apk") > 700);
}

#[test]
fn nuget_comparisons() {
    assert!(check_order("nuget_version_cmp_test.json", "nuget") > 30);
}

#[test]
fn lexicographic_comparisons() {
    assert_eq!(check_order("lexicographic-test.json", "lexicographic"), 8);
}

#[test]
fn containment() {
    let mut n = 0;
    for file in [
        "npm_range_containment_test.json",
        "pypi_range_containment_test.json",
    ] {
        for t in tests(file) {
            let vers = t["input"]["vers"].as_str().unwrap();
            let version = t["input"]["version"].as_str().unwrap();
            let want = t["expected_output"].as_bool().unwrap();
            let range = VersRange::parse(vers).unwrap_or_else(|e| panic!("{vers}: {e}"));
            assert_eq!(range.contains(version), want, "{vers} contains {version}?");
            n += 1;
        }
    }
    assert_eq!(n, 11);
}

#[test]
fn pypi_validate_normalises_to_canonical() {
    for t in tests("pypi_range_validate_test.json") {
        let input = t["input"].as_str().unwrap();
        let want = t["expected_output"].as_str().unwrap();
        let got = VersRange::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(got.to_string(), want);
        // A required-group case is canonical already, so the strict parser accepts it.
        if t["test_group"] == "required" {
            assert!(VersRange::parse_canonical(input).is_ok(), "{input}");
        }
    }
}

#[test]
fn canonical_parse_rejects_non_canonical_input() {
    for bad in [
        "vers:npm/>=1.0.0| <2.0.0",
        "vers:npm/|>=1.0.0|<2.0.0",
        "vers:npm/>=1.0.0|<2.0.0|",
        "vers:npm/>=1.0.0||<2.0.0",
        "vers:npm/>=2.0.0|<1.0.0",
        "vers:npm/1.0%2G0",
    ] {
        assert!(
            VersRange::parse_canonical(bad).is_err(),
            "{bad} should be rejected"
        );
    }
    let r = VersRange::parse_canonical("vers:npm/1.0%252F0").unwrap();
    assert_eq!(r.constraints.unwrap()[0].1, "1.0%2F0");
}

/// The unpacked archive, unpacked once per test binary (parallel tests in one process would
/// otherwise race on cyres-kit's per-process temporary folder).
fn kit_path(rel: &str) -> std::path::PathBuf {
    static ROOT: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let p = ROOT.get_or_init(|| cyres_kit::unpacked(ARCHIVE)).join(rel);
    assert!(
        p.exists(),
        "{} is missing from the kit archive {ARCHIVE}",
        p.display()
    );
    p
}
