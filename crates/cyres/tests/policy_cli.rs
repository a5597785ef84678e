//! `cyres scan --policy FILE`: the platform's gate rules offline, with exit codes 0 (pass),
//! 1 (a rule broken, like `--fail-on`) and 2 (the policy file is unreadable).
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

mod common;

use common::{run, scratch};

const BABY: &[&str] = &[
    "--advisories",
    "examples/advisories",
    "--kev",
    "examples/kev.json",
    "examples/sboms/baby-monitor-3.1.0.spdx.json",
];

fn policy_file(test: &str, name: &str, text: &str) -> String {
    let p = scratch(test).join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

fn scan_with(file: &str, sboms: &[&str]) -> (i32, String) {
    let (code, _, err) = run(&[&["scan", "--policy", file], sboms].concat());
    (code, err)
}

#[test]
fn a_passing_policy_exits_0_and_a_broken_one_1() {
    // The baby monitor has no exploited finding; its components all have purls.
    let pass = policy_file(
        "policy-pass",
        "p.toml",
        "version = 1\n[rules]\nexploited = true\nrequire_identifier = true\n",
    );
    let (code, err) = scan_with(&pass, BABY);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("policy:"), "{err}");

    let deny = policy_file(
        "policy-deny",
        "p.json",
        r#"{"version": 1, "rules": {"deny_licenses": ["hpnd"]}}"#,
    );
    let (code, err) = scan_with(&deny, BABY);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("[deny_licenses] Pillow"), "{err}");
    assert!(err.contains("1 policy violations"), "{err}");
}

#[test]
fn severity_and_exploited_rules_match_the_findings() {
    let all = [
        "--advisories",
        "examples/advisories",
        "--kev",
        "examples/kev.json",
        "examples/sboms/vault-server-5.2.0.cdx.xml",
    ];
    let exploited = policy_file(
        "policy-exploited",
        "p.toml",
        "version = 1\n[rules]\nexploited = true\nundecided_after_days = 10\n",
    );
    let (code, err) = scan_with(&exploited, &all);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("[exploited] GHSA-c9hw-wf7x-jp9j in tomcat-embed-core"),
        "{err}"
    );
    assert!(
        err.contains("rule undecided_after_days not evaluated offline"),
        "{err}"
    );
    let critical = policy_file(
        "policy-critical",
        "p.toml",
        "version = 1\n[rules]\nseverity_at_least = \"critical\"\n",
    );
    let (code, err) = scan_with(&critical, &all);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("[severity_at_least]"), "{err}");
    assert!(err.contains("is rated critical"), "{err}");
}

#[test]
fn an_unreadable_policy_is_an_error_before_scanning() {
    let bad = policy_file(
        "policy-bad",
        "p.toml",
        "version = 1\n[rules]\nexploted = true\n",
    );
    let (code, err) = scan_with(&bad, BABY);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("exploted"), "{err}");
    let (code, err) = scan_with("does/not/exist.toml", BABY);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("reading policy"), "{err}");
}
