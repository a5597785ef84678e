//! `cyres scan` end to end on the shipped examples: findings, output formats, exit codes.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

mod common;

use common::{run, scan_json};
use serde_json::Value;

const EXAMPLES: &[&str] = &[
    "--advisories",
    "examples/advisories",
    "--kev",
    "examples/kev.json",
    "examples/sboms/router-fw-2.4.1.cdx.json",
    "examples/sboms/baby-monitor-3.1.0.spdx.json",
    "examples/sboms/vault-server-5.2.0.cdx.xml",
];

fn finding<'a>(doc: &'a Value, id: &str, component: &str) -> &'a Value {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id && f["component"]["name"] == component)
        .unwrap_or_else(|| panic!("no finding {id} on {component} in {doc:#}"))
}

#[test]
fn examples_report_the_expected_findings() {
    let (code, doc) = scan_json(EXAMPLES);
    assert_eq!(code, 0, "default --fail-on is none");
    assert_eq!(doc["schema"], "cyres-scan/1");
    assert_eq!(doc["sboms"].as_array().unwrap().len(), 3);

    let ghostcat = finding(&doc, "GHSA-c9hw-wf7x-jp9j", "tomcat-embed-core");
    assert_eq!(ghostcat["exploited"], true);
    assert_eq!(ghostcat["kev"]["cve"], "CVE-2020-1938");
    assert_eq!(ghostcat["kev"]["date_added"], "2022-03-03");
    assert_eq!(ghostcat["severity"], "critical");
    assert_eq!(ghostcat["score"], 9.8);
    assert_eq!(ghostcat["match_kind"], "purl");
    assert_eq!(ghostcat["fixed_versions"], serde_json::json!(["9.0.31"]));
    assert_eq!(ghostcat["product"]["name"], "Keystone Vault server");

    let regex = finding(&doc, "RUSTSEC-2022-0013", "regex");
    assert_eq!(regex["exploited"], false);
    let aliases: Vec<&str> = regex["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        aliases.contains(&"CVE-2022-24713") && aliases.contains(&"GHSA-m5pq-gvj9-9vr8"),
        "{aliases:?}"
    );
    assert_eq!(regex["component"]["purl"], "pkg:cargo/regex@1.5.4");

    // Two records of the same family for x/net: the Go database's own id and GitHub's.
    finding(&doc, "GO-2023-2102", "golang.org/x/net");
    let rapid_reset = finding(&doc, "GHSA-qppj-fm5r-hxr3", "golang.org/x/net");
    assert_eq!(rapid_reset["exploited"], true);

    // Versions the advisories call fixed do not match: log4j-core 2.17.1 has no finding.
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["component"]["name"] != "log4j-core")
    );
    // Exploited findings come first.
    let flags: Vec<bool> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["exploited"].as_bool().unwrap())
        .collect();
    assert!(
        flags.windows(2).all(|w| w[0] >= w[1]),
        "exploited findings are not first: {flags:?}"
    );
    assert_eq!(
        doc["summary"]["exploited"],
        flags.iter().filter(|x| **x).count()
    );
}

#[test]
fn output_is_deterministic() {
    let (_, a, _) = run(&[&["scan", "--format", "json"], EXAMPLES].concat());
    let (_, b, _) = run(&[&["scan", "--format", "json"], EXAMPLES].concat());
    assert_eq!(a, b);
}

#[test]
fn fail_on_thresholds_map_to_exit_codes() {
    for (level, expected) in [
        ("none", 0),
        ("any", 1),
        ("exploited", 1),
        ("critical", 1),
        ("low", 1),
    ] {
        let (code, _, err) = run(&[&["scan", "--fail-on", level], EXAMPLES].concat());
        assert_eq!(code, expected, "--fail-on {level}: {err}");
    }
    // The baby monitor has no exploited finding and nothing rated critical.
    let baby = [
        "--advisories",
        "examples/advisories",
        "--kev",
        "examples/kev.json",
        "examples/sboms/baby-monitor-3.1.0.spdx.json",
    ];
    let (code, _, _) = run(&[&["scan", "--fail-on", "exploited"], &baby[..]].concat());
    assert_eq!(code, 0);
    let (code, _, _) = run(&[&["scan", "--fail-on", "any"], &baby[..]].concat());
    assert_eq!(code, 1);
}

#[test]
fn table_is_the_default_and_lists_every_finding() {
    let (code, out, _) = run(&[&["scan"], EXAMPLES].concat());
    assert_eq!(code, 0);
    assert!(
        out.contains("SEVERITY") && out.contains("EXPLOITED"),
        "{out}"
    );
    let (_, doc) = scan_json(EXAMPLES);
    let rows = out
        .lines()
        .filter(|l| {
            l.contains("GHSA-")
                || l.contains("RUSTSEC-")
                || l.contains("PYSEC-")
                || l.contains("GO-")
        })
        .count();
    assert_eq!(rows, doc["findings"].as_array().unwrap().len(), "{out}");
    assert!(out.contains("KEV 2022-03-03"));
}

#[test]
fn sarif_has_one_result_per_finding_and_ranked_rules() {
    let (code, out, err) = run(&[&["scan", "--format", "sarif"], EXAMPLES].concat());
    assert_eq!(code, 0, "{err}");
    let sarif: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run0 = &sarif["runs"][0];
    let (_, doc) = scan_json(EXAMPLES);
    assert_eq!(
        run0["results"].as_array().unwrap().len(),
        doc["findings"].as_array().unwrap().len()
    );
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    for r in rules {
        let s: f64 = r["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&s));
    }
    for res in run0["results"].as_array().unwrap() {
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], res["ruleId"]);
        assert!(
            res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .starts_with("examples/sboms/")
        );
    }
    let ghostcat = run0["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "GHSA-c9hw-wf7x-jp9j")
        .unwrap();
    assert_eq!(ghostcat["level"], "error");
}

#[test]
fn versions_compare_and_sort() {
    assert_eq!(
        run(&["versions", "compare", "Debian", "1:1.2-1", "1.3-1"])
            .1
            .trim(),
        ">"
    );
    assert_eq!(
        run(&["versions", "compare", "pypi", "1.0", "1.0.0"])
            .1
            .trim(),
        "="
    );
    assert_eq!(
        run(&["versions", "compare", "npm", "1.0.0-rc.1", "1.0.0"])
            .1
            .trim(),
        "<"
    );
    assert_eq!(
        run(&["versions", "compare", "Maven", "1.0-SNAPSHOT", "1.0"])
            .1
            .trim(),
        "<"
    );
    let (code, _, err) = run(&["versions", "compare", "nosuch", "1", "2"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown ecosystem"), "{err}");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cyres"))
        .args(["versions", "sort", "crates.io"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"1.10.0\n1.2.0\n1.2.0-alpha\n0.9.9\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "0.9.9\n1.2.0-alpha\n1.2.0\n1.10.0\n"
    );
}
