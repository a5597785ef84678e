//! Cross-checks against the native tools, on real version strings from the kit:
//!
//! - PyPI: Python `packaging` (the PEP 440 reference) on the `versions` lists and `ECOSYSTEM`
//!   range events of every PyPA advisory (`advisories/pypa-osv.tar.zst`).
//! - SemVer: node `semver` (npm's implementation) on the versions of every RustSec advisory
//!   (`advisories/rustsec-osv.tar.zst`), the Go vulndb (`advisories/golang-osv.tar.zst`) and the
//!   npm/crates.io/Go entries of the GHSA subset.
//! - Debian: `dpkg --compare-versions` on the `pkg:deb` versions of a real Debian 9 image SBOM
//!   (`postgres-stretch.cdx.xml`) and the Debian fixture, sampled (one process per call).
//!
//! Python and node run once per test, reading all pairs on stdin. The oracles live under
//! `target/oracles/` (or `$CYRES_ORACLES`); `scripts/oracles.sh` installs them. A missing oracle
//! fails the test: it never skips.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use cyres_version::{Ecosystem, Purl, compare};
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn oracles() -> PathBuf {
    let root = std::env::var_os("CYRES_ORACLES")
        .map(PathBuf::from)
        .unwrap_or_else(|| cyres_kit::workspace_root().join("target").join("oracles"));
    let py = root.join("py/bin/python");
    let node = root.join("node/node_modules/semver/package.json");
    assert!(
        py.is_file() && node.is_file(),
        "version oracles missing under {}: run scripts/oracles.sh (or set CYRES_ORACLES)",
        root.display()
    );
    root
}

/// Deterministic pairs over `versions`: neighbours in byte order plus a strided sample.
fn pairs(groups: &[Vec<String>], all: &BTreeSet<String>, extra: usize) -> Vec<(String, String)> {
    let mut out = BTreeSet::new();
    for g in groups {
        for w in g.windows(2) {
            out.insert((w[0].clone(), w[1].clone()));
        }
        if let (Some(f), Some(l)) = (g.first(), g.last()) {
            out.insert((f.clone(), l.clone()));
        }
    }
    let v: Vec<&String> = all.iter().collect();
    let n = v.len();
    for i in 0..extra.min(n * 4) {
        let a = (i * 7919 + 13) % n;
        let b = (i * 104_729 + 7) % n;
        out.insert((v[a].clone(), v[b].clone()));
    }
    out.into_iter().collect()
}

/// Runs `program args` once, feeding `a\tb` lines; returns one output line per pair.
fn batch(program: &PathBuf, args: &[&str], pairs: &[(String, String)]) -> Vec<String> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "starting {}: {e}; run scripts/oracles.sh",
                program.display()
            )
        });
    let mut input = String::new();
    for (a, b) in pairs {
        input.push_str(a);
        input.push('\t');
        input.push_str(b);
        input.push('\n');
    }
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "{} failed", program.display());
    let lines: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(
        lines.len(),
        pairs.len(),
        "oracle answered {} of {} pairs",
        lines.len(),
        pairs.len()
    );
    lines
}

fn to_ordering(s: &str) -> Option<Ordering> {
    match s {
        "-1" => Some(Ordering::Less),
        "0" => Some(Ordering::Equal),
        "1" => Some(Ordering::Greater),
        _ => None,
    }
}

/// Compares our answers with the oracle's; returns (compared, skipped-as-invalid).
fn agree(eco: &Ecosystem, pairs: &[(String, String)], answers: &[String]) -> (usize, usize) {
    let (mut n, mut skipped, mut bad) = (0, 0, Vec::new());
    for ((a, b), ans) in pairs.iter().zip(answers) {
        match to_ordering(ans) {
            None => skipped += 1,
            Some(want) => {
                n += 1;
                let got = compare(eco, a, b);
                if got != want {
                    bad.push(format!("{a} vs {b}: ours {got:?}, oracle {want:?}"));
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {n} disagree:\n{}",
        bad.len(),
        bad.join("\n")
    );
    (n, skipped)
}

fn unquote(s: &str) -> String {
    s.trim().trim_matches('"').trim_matches('\'').to_string()
}

/// PyPI versions per advisory: `versions:` entries and `ECOSYSTEM` event versions.
fn pypa_versions() -> Vec<Vec<String>> {
    let root = cyres_kit::unpacked_path("advisories/pypa-osv.tar.zst", "pypa-osv/vulns");
    let mut groups = Vec::new();
    for pkg in std::fs::read_dir(root).unwrap() {
        for f in std::fs::read_dir(pkg.unwrap().path()).unwrap() {
            let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
            let (mut in_eco, mut in_versions, mut g) = (false, false, Vec::new());
            for line in text.lines() {
                let t = line.trim_start();
                if t.starts_with("- type:") {
                    in_eco = t.ends_with("ECOSYSTEM");
                    in_versions = false;
                } else if line.starts_with("  versions:") {
                    in_versions = true;
                    in_eco = false;
                } else if !line.starts_with("  ") {
                    in_eco = false;
                    in_versions = false;
                } else if in_versions && line.starts_with("  - ") {
                    g.push(unquote(&line[4..]));
                } else if in_eco {
                    for key in ["- introduced:", "- fixed:", "- last_affected:"] {
                        if let Some(v) = t.strip_prefix(key) {
                            let v = unquote(v);
                            if v != "0" {
                                g.push(v);
                            }
                        }
                    }
                }
            }
            if !g.is_empty() {
                groups.push(g);
            }
        }
    }
    groups
}

#[test]
fn pypi_order_agrees_with_python_packaging() {
    let root = oracles();
    let groups = pypa_versions();
    let all: BTreeSet<String> = groups.iter().flatten().cloned().collect();
    assert!(
        all.len() > 5000,
        "expected thousands of PyPI versions, found {}",
        all.len()
    );
    let pairs = pairs(&groups, &all, 20_000);
    let script = "import sys\nfrom packaging.version import Version, InvalidVersion\n\
        for line in sys.stdin:\n    a, b = line.rstrip('\\n').split('\\t')\n    try:\n        x, y = Version(a), Version(b)\n        print((x > y) - (x < y))\n    except InvalidVersion:\n        print('E')\n";
    let answers = batch(&root.join("py/bin/python"), &["-c", script], &pairs);
    let (n, skipped) = agree(&Ecosystem::PyPi, &pairs, &answers);
    assert!(n > 20_000, "only {n} PyPI pairs compared");
    eprintln!(
        "packaging oracle: {n} PyPI pairs agree ({} distinct versions, {skipped} pairs with a non-PEP 440 version skipped)",
        all.len()
    );
}

fn json_event_versions(v: &serde_json::Value, eco_filter: &[&str], out: &mut Vec<Vec<String>>) {
    for aff in v["affected"].as_array().into_iter().flatten() {
        let eco = aff["package"]["ecosystem"].as_str().unwrap_or("");
        if !eco_filter.contains(&eco) {
            continue;
        }
        let mut g = Vec::new();
        for r in aff["ranges"].as_array().into_iter().flatten() {
            if r["type"] == "GIT" {
                continue;
            }
            for e in r["events"].as_array().into_iter().flatten() {
                for key in ["introduced", "fixed", "last_affected"] {
                    if let Some(s) = e[key].as_str()
                        && s != "0"
                    {
                        g.push(s.to_string());
                    }
                }
            }
        }
        for s in aff["versions"].as_array().into_iter().flatten() {
            if let Some(s) = s.as_str() {
                g.push(s.to_string());
            }
        }
        if !g.is_empty() {
            out.push(g);
        }
    }
}

fn json_files(archive: &str, rel: &str) -> Vec<PathBuf> {
    let root = cyres_kit::unpacked_path(archive, rel);
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                files.push(p);
            }
        }
    }
    files
}

#[test]
fn semver_order_agrees_with_node_semver() {
    let root = oracles();
    let mut groups = Vec::new();
    for f in json_files("advisories/rustsec-osv.tar.zst", "rustsec-osv/crates") {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        json_event_versions(&v, &["crates.io"], &mut groups);
    }
    for f in json_files("advisories/ghsa-osv-subset.tar.zst", "ghsa-subset") {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        json_event_versions(&v, &["npm", "crates.io", "Go"], &mut groups);
    }
    // Go vulndb SEMVER ranges (no `v` prefix, pseudo-versions as bounds).
    for f in json_files("advisories/golang-osv.tar.zst", "golang-osv") {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        json_event_versions(&v, &["Go"], &mut groups);
    }
    let all: BTreeSet<String> = groups.iter().flatten().cloned().collect();
    assert!(
        all.len() > 2500,
        "expected >2500 SemVer versions, found {}",
        all.len()
    );
    let pairs = pairs(&groups, &all, 10_000);
    let semver = root.join("node/node_modules/semver");
    let script = format!(
        "const s=require({:?});let o=[];require('fs').readFileSync(0,'utf8').split('\\n').filter(l=>l).forEach(l=>{{const [a,b]=l.split('\\t');o.push(s.valid(a)&&s.valid(b)?String(s.compare(a,b)):'E')}});process.stdout.write(o.join('\\n')+(o.length?'\\n':''))",
        semver.display().to_string()
    );
    let answers = batch(&PathBuf::from("node"), &["-e", &script], &pairs);
    for eco in [Ecosystem::Npm, Ecosystem::CratesIo, Ecosystem::Go] {
        let (n, skipped) = agree(&eco, &pairs, &answers);
        assert!(n > 5000, "only {n} SemVer pairs compared");
        eprintln!(
            "node-semver oracle ({}): {n} pairs agree, {skipped} skipped",
            eco.osv_name()
        );
    }
}

fn debian_versions() -> BTreeSet<String> {
    let sbom = cyres_kit::unpacked_path(
        "sboms/osv-scanner-sboms.tar.zst",
        "osv-scanner-sboms/cmd/osv-scanner/scan/source/testdata/sbom-insecure/postgres-stretch.cdx.xml",
    );
    let text = std::fs::read_to_string(sbom).unwrap();
    let mut out = BTreeSet::new();
    for chunk in text.split("pkg:deb/").skip(1) {
        let end = chunk.find(['<', '"']).unwrap_or(chunk.len());
        let purl = format!("pkg:deb/{}", &chunk[..end].replace("&amp;", "&"));
        if let Ok(p) = Purl::parse(&purl)
            && let Some(v) = p.version
        {
            out.insert(v);
        }
    }
    let fixtures = cyres_kit::unpacked_path(
        "versions/osv-scalibr-version-fixtures.tar.zst",
        "osv-scalibr-semantic/semantic/testdata/debian-versions.txt",
    );
    for line in std::fs::read_to_string(fixtures).unwrap().lines() {
        let parts: Vec<&str> = line.split(' ').collect();
        if parts.len() == 3 && !line.starts_with('#') {
            out.insert(parts[0].to_string());
            out.insert(parts[2].to_string());
        }
    }
    out
}

#[test]
fn debian_order_agrees_with_dpkg() {
    let all = debian_versions();
    assert!(
        all.len() > 100,
        "expected >100 Debian versions, found {}",
        all.len()
    );
    let v: Vec<&String> = all.iter().collect();
    let n = v.len();
    // dpkg is one process per call: a bounded deterministic sample of pairs.
    const SAMPLE: usize = 1200;
    let mut checked = 0;
    let mut bad = Vec::new();
    for i in 0..SAMPLE {
        let (a, b) = if i < n - 1 {
            (v[i], v[i + 1])
        } else {
            (v[(i * 7919) % n], v[(i * 104_729 + 3) % n])
        };
        let run = |op: &str| {
            Command::new("dpkg")
                .args(["--compare-versions", a, op, b])
                .status()
                .unwrap_or_else(|e| panic!("running dpkg: {e}"))
                .success()
        };
        let want = if run("lt") {
            Ordering::Less
        } else if run("eq") {
            Ordering::Equal
        } else {
            Ordering::Greater
        };
        checked += 1;
        let got = compare(&Ecosystem::Debian, a, b);
        if got != want {
            bad.push(format!("{a} vs {b}: ours {got:?}, dpkg {want:?}"));
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {checked} disagree with dpkg:\n{}",
        bad.len(),
        bad.join("\n")
    );
    eprintln!("dpkg oracle: {checked} Debian pairs agree ({n} distinct versions)");
}
