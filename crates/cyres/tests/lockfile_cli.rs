//! `cyres scan` on lockfiles: detection by name and content, development-only findings
//! reported apart and dropped by `--no-dev`, `requirements.txt` includes read from the
//! directory, and agreement with the kit's recorded OSV.dev answers for the PyPI lockfiles.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

mod common;

use common::{run, scan_json, scratch};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::PathBuf;

fn fixture(rel: &str) -> String {
    cyres_kit::workspace_root()
        .join("crates/cyres-sbom/testdata/lockfiles")
        .join(rel)
        .to_str()
        .unwrap()
        .to_string()
}

fn kit(rel: &str) -> String {
    cyres_kit::kit_file(rel).to_str().unwrap().to_string()
}

fn ids_for<'a>(doc: &'a Value, component: &str) -> BTreeSet<&'a str> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["component"]["name"] == component)
        .flat_map(|f| {
            std::iter::once(f["id"].as_str().unwrap()).chain(
                f["aliases"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap()),
            )
        })
        .collect()
}

#[test]
fn lockfiles_are_scanned_like_sboms() {
    let pypa = kit("advisories/pypa-osv.tar.zst");
    let ghsa = kit("advisories/ghsa-osv-subset.tar.zst");
    let rustsec = kit("advisories/rustsec-osv.tar.zst");
    let uv = fixture("python/uv/uv.lock");
    let npm = fixture("npm/v3/package-lock.json");
    let cargo = fixture("cargo/Cargo.lock");
    let (code, doc) = scan_json(&[
        "--advisories",
        &pypa,
        "--advisories",
        &ghsa,
        "--advisories",
        &rustsec,
        &uv,
        &npm,
        &cargo,
    ]);
    assert_eq!(code, 0);
    let formats: Vec<&str> = doc["sboms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["format"].as_str().unwrap())
        .collect();
    assert_eq!(formats, ["uv-lock", "package-lock-json", "cargo-lock"]);
    assert_eq!(doc["sboms"][0]["components"], 21);
    assert_eq!(doc["sboms"][0]["product"]["name"], "lockfile-fixture");
    assert!(
        ids_for(&doc, "django").contains("PYSEC-2022-19"),
        "{:?}",
        ids_for(&doc, "django")
    );
    assert!(ids_for(&doc, "mixin-deep").contains("GHSA-fhjf-83wg-r2j9"));
    assert!(ids_for(&doc, "smallvec").contains("RUSTSEC-2021-0003"));
    // Nothing in these fixtures is development-only and vulnerable: no dev marks at all.
    assert!(doc["summary"].get("dev_only").is_none());
}

/// A project with shipped requirements and development tools, one vulnerable in each.
fn dev_project(name: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::create_dir_all(dir.join("reqs")).unwrap();
    std::fs::write(
        dir.join("reqs/requirements.txt"),
        "-r base.txt\n--requirement=requirements-dev.txt\n",
    )
    .unwrap();
    std::fs::write(dir.join("reqs/base.txt"), "urllib3==1.24.1 --hash=sha256:61bf29cada3fc2fbefad4fdf059ea4bd1b4a86d2b6d15e1c7c0b582b9752fe39\n    # via -r requirements.in\n").unwrap();
    std::fs::write(dir.join("reqs/requirements-dev.txt"), "black==24.1.0\n").unwrap();
    dir
}

#[test]
fn dev_findings_are_reported_apart_and_no_dev_drops_them() {
    let pypa = kit("advisories/pypa-osv.tar.zst");
    let dir = dev_project("lockfile-no-dev");
    let reqs = dir.join("reqs/requirements.txt");
    let reqs = reqs.to_str().unwrap();

    let (_, doc) = scan_json(&["--advisories", &pypa, reqs]);
    assert_eq!(doc["sboms"][0]["format"], "requirements-txt");
    assert_eq!(doc["sboms"][0]["components"], 2);
    let black: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["component"]["name"] == "black")
        .collect();
    assert!(!black.is_empty(), "{doc:#}");
    assert!(black.iter().all(|f| f["dev_only"] == true));
    let urllib3 = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["component"]["name"] == "urllib3")
        .collect::<Vec<_>>();
    assert!(!urllib3.is_empty());
    assert!(urllib3.iter().all(|f| f.get("dev_only").is_none()));
    assert_eq!(doc["summary"]["dev_only"], black.len());
    // Reported separately: every shipped finding comes before every development-only one.
    let flags: Vec<bool> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["dev_only"] == true)
        .collect();
    assert!(flags.windows(2).all(|w| w[0] <= w[1]), "{flags:?}");

    let (_, table, _) = run(&["scan", "--advisories", &pypa, reqs]);
    assert!(table.contains("black (dev)"), "{table}");
    assert!(
        table.contains("in development-only dependencies"),
        "{table}"
    );

    let (_, sarif, _) = run(&["scan", "--format", "sarif", "--advisories", &pypa, reqs]);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let notes = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["properties"]["dev_only"] == true)
        .inspect(|r| assert_eq!(r["level"], "note"))
        .count();
    assert_eq!(notes, black.len());

    let (_, doc) = scan_json(&["--no-dev", "--advisories", &pypa, reqs]);
    assert_eq!(doc["sboms"][0]["components"], 1);
    assert!(ids_for(&doc, "black").is_empty());
    assert!(!ids_for(&doc, "urllib3").is_empty());
    assert!(doc["summary"].get("dev_only").is_none());
    assert!(!serde_json::to_string(&doc).unwrap().contains("dev_only"));
}

#[test]
fn requirements_includes_stay_in_the_directory() {
    let dir = scratch("lockfile-includes");
    std::fs::create_dir_all(dir.join("inner")).unwrap();
    std::fs::write(dir.join("outside.txt"), "django==2.2.0\n").unwrap();
    std::fs::write(dir.join("inner/requirements.txt"), "-r ../outside.txt\n").unwrap();
    let (code, _, err) = run(&[
        "scan",
        "--advisories",
        "examples/advisories",
        dir.join("inner/requirements.txt").to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("../outside.txt") && err.contains("leaves the directory"),
        "{err}"
    );
    std::fs::write(dir.join("inner/requirements.txt"), "-r missing.txt\n").unwrap();
    let (code, _, err) = run(&[
        "scan",
        "--advisories",
        "examples/advisories",
        dir.join("inner/requirements.txt").to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains(":1: cannot read the included file \"missing.txt\""),
        "{err}"
    );
}

#[test]
fn a_file_named_like_no_lockfile_says_which_names_are_read() {
    let dir = scratch("lockfile-unknown");
    let path = dir.join("deps.lock");
    std::fs::write(&path, "[[package]]\nname = \"a\"\nversion = \"1\"\n").unwrap();
    let (code, _, err) = run(&[
        "scan",
        "--advisories",
        "examples/advisories",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("Cargo.lock") && err.contains("requirements*.txt"),
        "{err}"
    );
}

/// Recorded OSV.dev answers (osv-scanner's cassettes, in the kit) for PyPI packages.
fn recorded_pypi() -> BTreeMap<(String, String), Vec<String>> {
    recorded("PyPI")
        .into_iter()
        .map(|((n, v), ids)| ((n.to_lowercase(), v), ids))
        .collect()
}

/// Recorded OSV.dev answers for one ecosystem: (name, version) → ids.
fn recorded(ecosystem: &str) -> BTreeMap<(String, String), Vec<String>> {
    let mut text = String::new();
    let path =
        cyres_kit::kit_file("advisories/osv-api-recordings/osv-querybatch-recordings.jsonl.zst");
    zstd::stream::read::Decoder::new(std::fs::File::open(path).unwrap())
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).unwrap();
        let q = &v["query"];
        if q["package"]["ecosystem"] != ecosystem {
            continue;
        }
        let ids = v["vuln_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_str().unwrap().to_string())
            .collect();
        out.insert(
            (
                q["package"]["name"].as_str().unwrap().to_string(),
                q["version"].as_str().unwrap().to_string(),
            ),
            ids,
        );
    }
    out
}

/// Recorded ids the kit's own records contradict (see cyres-vuln's `recordings` test).
const EXPLAINED: &[(&str, &str, &str)] = &[("django", "2.2.24", "GHSA-8x94-hmjh-97hq")];

#[test]
fn pypi_lockfiles_agree_with_recorded_osv_answers() {
    let pypa_archive = kit("advisories/pypa-osv.tar.zst");
    let pypa = cyres_kit::unpacked_path("advisories/pypa-osv.tar.zst", "pypa-osv/vulns");
    let recorded = recorded_pypi();
    let mut checked = 0;
    for rel in [
        "python/uv/uv.lock",
        "python/poetry/poetry.lock",
        "python/pipenv/Pipfile.lock",
        "python/pdm/pdm.lock",
        "python/requirements/base.txt",
    ] {
        // base.txt is a requirements file under another name: copy it to a recognised one.
        let path = if rel.ends_with("base.txt") {
            let d = scratch("lockfile-recordings");
            let p = d.join("requirements.txt");
            std::fs::copy(fixture(rel), &p).unwrap();
            p.to_str().unwrap().to_string()
        } else {
            fixture(rel)
        };
        let (_, doc) = scan_json(&["--advisories", &pypa_archive, &path]);
        let comps = doc["sboms"][0]["components"].as_u64().unwrap();
        assert!(comps >= 14, "{rel}: {comps} components");
        // Every component of the lockfile with a recorded answer: the recorded ids the kit has a
        // record of (by id or alias) are found.
        let text = std::fs::read_to_string(&path).unwrap();
        for ((name, version), ids) in &recorded {
            if !(text.contains(&format!("\"{name}\"")) || text.contains(&format!("{name}=="))) {
                continue;
            }
            let ours = ids_for(&doc, name);
            let Some(found_version) = doc["findings"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["component"]["name"] == name.as_str())
                .map(|f| f["component"]["version"].as_str().unwrap().to_string())
                .or_else(|| text.contains(version.as_str()).then(|| version.clone()))
            else {
                continue;
            };
            if &found_version != version {
                continue;
            }
            let dir = pypa.join(name);
            let kit_text: String = std::fs::read_dir(&dir)
                .map(|rd| {
                    rd.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                        .collect()
                })
                .unwrap_or_default();
            for id in ids.iter().filter(|id| kit_text.contains(id.as_str())) {
                if EXPLAINED.contains(&(name.as_str(), version.as_str(), id.as_str())) {
                    continue;
                }
                checked += 1;
                assert!(
                    ours.contains(id.as_str()),
                    "{rel}: {name} {version}: recorded {id} not found; ours {ours:?}"
                );
            }
        }
    }
    eprintln!("{checked} recorded (package, id) pairs found through the lockfiles");
    assert!(
        checked >= 20,
        "only {checked} recorded (package, id) pairs checked"
    );
}

#[test]
fn go_mod_agrees_with_recorded_osv_answers() {
    let archive = kit("advisories/golang-osv.tar.zst");
    let dir = cyres_kit::unpacked("advisories/golang-osv.tar.zst");
    let go_mod = fixture("go/go.mod");
    let text = std::fs::read_to_string(&go_mod).unwrap();
    let (_, doc) = scan_json(&["--advisories", &archive, &go_mod]);
    // Every advisory file of the kit, to tell which recorded ids it has a record of.
    let kit_text: String = walk(&dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter(|t| t.contains("\"Go\""))
        .collect();
    let mut checked = 0;
    for ((name, version), ids) in recorded("Go") {
        let v = version.trim_start_matches('v');
        if !text.contains(&format!("{name} v{v}")) {
            continue;
        }
        let ours = ids_for(&doc, &name);
        for id in ids.iter().filter(|id| kit_text.contains(id.as_str())) {
            checked += 1;
            assert!(
                ours.contains(id.as_str()),
                "{name} {version}: recorded {id} not found; ours {ours:?}"
            );
        }
    }
    assert!(
        checked >= 3,
        "only {checked} recorded (module, id) pairs checked"
    );
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
