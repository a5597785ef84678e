//! Version-order fixtures from the kit (`versions/osv-scalibr-version-fixtures.tar.zst`,
//! `<a> <op> <b>` per line): every line of every file must hold, in both directions.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use cyres_version::{Ecosystem, compare};
use std::cmp::Ordering;

const ARCHIVE: &str = "versions/osv-scalibr-version-fixtures.tar.zst";

/// Checks every comparison line of `file` under `eco`; `map` rewrites each version first.
/// Returns the number of lines checked.
fn check(file: &str, eco: &Ecosystem, map: fn(&str) -> String) -> usize {
    let path = kit_path(&format!("osv-scalibr-semantic/semantic/testdata/{file}"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut failures = Vec::new();
    let mut n = 0;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("//") {
            continue;
        }
        let parts: Vec<&str> = line.split(' ').collect();
        assert_eq!(parts.len(), 3, "bad fixture line {line:?}");
        let want = match parts[1] {
            "<" => Ordering::Less,
            "=" => Ordering::Equal,
            ">" => Ordering::Greater,
            op => panic!("bad operator {op}"),
        };
        let (a, b) = (map(parts[0]), map(parts[2]));
        let got = compare(eco, &a, &b);
        let back = compare(eco, &b, &a);
        n += 1;
        if got != want || back != want.reverse() {
            failures.push(format!("{line}: got {got:?} / reverse {back:?}"));
        }
    }
    assert!(n > 0, "{file} had no comparisons");
    assert!(
        failures.is_empty(),
        "{file} as {eco:?}: {} of {n} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{file} as {}: {n} comparisons hold", eco.osv_name());
    n
}

fn same(s: &str) -> String {
    s.to_string()
}

fn strip_v(s: &str) -> String {
    s.trim_start_matches('v').to_string()
}

#[test]
fn semver_fixture_holds_for_npm_go_hex_and_crates() {
    check("semver-versions.txt", &Ecosystem::Npm, same);
    check("semver-versions.txt", &Ecosystem::Go, same);
    check("semver-versions.txt", &Ecosystem::Hex, same);
    check("semver-versions.txt", &Ecosystem::CratesIo, strip_v);
}

#[test]
fn pypi_fixture_holds() {
    check("pypi-versions.txt", &Ecosystem::PyPi, same);
}

#[test]
fn maven_fixture_holds() {
    check("maven-versions.txt", &Ecosystem::Maven, same);
}

#[test]
fn debian_fixture_holds() {
    check("debian-versions.txt", &Ecosystem::Debian, same);
}

#[test]
fn alpine_fixture_holds() {
    check("alpine-versions.txt", &Ecosystem::Alpine, same);
}

#[test]
fn rubygems_fixture_holds() {
    check("rubygems-versions.txt", &Ecosystem::RubyGems, same);
}

#[test]
fn packagist_fixture_holds() {
    check("packagist-versions.txt", &Ecosystem::Packagist, same);
}

#[test]
fn nuget_fixture_holds() {
    check("nuget-versions.txt", &Ecosystem::NuGet, same);
}

#[test]
fn cran_fixture_holds() {
    check("cran-versions.txt", &Ecosystem::Cran, same);
}

#[test]
fn redhat_fixture_holds() {
    check("redhat-versions.txt", &Ecosystem::from_osv("Red Hat"), same);
}

#[test]
fn hackage_fixture_holds() {
    check("hackage-versions.txt", &Ecosystem::Hackage, same);
}

#[test]
fn pub_fixture_holds() {
    check("pub-versions.txt", &Ecosystem::Pub, same);
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
