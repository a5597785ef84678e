//! The matcher on real kit advisories and the NVD fixture: purl matches, CPE matches,
//! unresolved GIT-only entries, withdrawn records, KEV flags, distro release rules, and the
//! serialised report shape.

use crate::{corpus, index};
use cyres_sbom::{Component, Format, Sbom};
use cyres_version::Purl;
use cyres_vuln::severity::Rating;
use cyres_vuln::{Corpus, Index, MatchKind, match_sbom};
use std::collections::BTreeMap;

fn purl(ty: &str, ns: Option<&str>, name: &str, version: &str, distro: Option<&str>) -> Purl {
    let mut qualifiers = BTreeMap::new();
    if let Some(d) = distro {
        qualifiers.insert("distro".to_string(), d.to_string());
    }
    Purl {
        ty: ty.into(),
        namespace: ns.map(Into::into),
        name: name.into(),
        version: Some(version.into()),
        qualifiers,
        subpath: None,
    }
}

fn with_purl(p: Purl) -> Component {
    Component {
        name: p.name.clone(),
        version: p.version.clone(),
        purl_raw: Some(format!(
            "pkg:{}/{}@{}",
            p.ty,
            p.name,
            p.version.clone().unwrap_or_default()
        )),
        purl: Some(p),
        ..Component::default()
    }
}

fn with_cpe(name: &str, cpe: &str) -> Component {
    Component {
        name: name.into(),
        cpe_raw: Some(cpe.into()),
        ..Component::default()
    }
}

fn sbom(components: Vec<Component>) -> Sbom {
    Sbom {
        source: "test".into(),
        format: Format::CycloneDxJson,
        spec_version: "1.6".into(),
        product: Some(Component {
            name: "router-fw".into(),
            version: Some("2.1".into()),
            ..Component::default()
        }),
        components,
        dependencies: Vec::new(),
        diagnostics: Vec::new(),
        document: Default::default(),
    }
}

#[test]
fn firmware_cpes_match_nvd_ranges_and_kev() {
    let report = match_sbom(
        index(),
        &sbom(vec![
            with_cpe("openssl", "cpe:2.3:a:openssl:openssl:1.0.1e:*:*:*:*:*:*:*"),
            with_cpe("busybox", "cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*"),
            with_cpe(
                "dropbear",
                "cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:2016.72:*:*:*:*:*:*:*",
            ),
            with_cpe(
                "linux",
                "cpe:2.3:o:linux:linux_kernel:5.10.50:*:*:*:*:*:*:*",
            ),
            with_cpe(
                "linux-new",
                "cpe:2.3:o:linux:linux_kernel:6.1.0:*:*:*:*:*:*:*",
            ),
            Component {
                name: "no-ids".into(),
                ..Component::default()
            },
        ]),
    );
    let ids: Vec<(&str, &str)> = report
        .findings
        .iter()
        .map(|f| (f.component.name.as_str(), f.id.as_str()))
        .collect();
    assert_eq!(
        ids,
        [
            ("busybox", "CVE-2022-48174"),
            ("dropbear", "CVE-2016-7406"),
            ("dropbear", "CVE-2020-36254"),
            ("linux", "CVE-2022-0847"),
            ("openssl", "CVE-2014-0160"),
        ]
    );
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.match_kind == MatchKind::Cpe)
    );
    assert_eq!(report.components_unmatchable, 1);
    let heartbleed = report
        .findings
        .iter()
        .find(|f| f.id == "CVE-2014-0160")
        .unwrap();
    assert_eq!(heartbleed.severity.rating, Rating::High);
    assert_eq!(heartbleed.severity.score, Some(7.5));
    assert_eq!(heartbleed.affected_ranges, [">=1.0.1, <=1.0.1f"]);
    assert!(heartbleed.exploited.is_some());
    let dirty_pipe = report
        .findings
        .iter()
        .find(|f| f.id == "CVE-2022-0847")
        .unwrap();
    assert_eq!(
        dirty_pipe.exploited.as_ref().unwrap().date_added,
        "2022-04-25"
    );
    assert_eq!(dirty_pipe.fixed_versions, ["5.10.102"]);
    assert_eq!(report.exploited, 2);
    assert_eq!(report.product.as_ref().unwrap().name, "router-fw");

    let json = serde_json::to_value(&report).unwrap();
    let f0 = &json["findings"][0];
    assert_eq!(f0["match_kind"], "cpe");
    assert_eq!(f0["severity"]["rating"], "critical");
    assert_eq!(json["by_rating"]["high"], 3);
    assert_eq!(f0["product"]["version"], "2.1");
    assert!(f0["exploited"].is_null());
    assert_eq!(json["by_rating"]["critical"], 2, "{}", json["by_rating"]);
}

#[test]
fn rustsec_purl_match_merges_aliases() {
    // ripgrep 13.0.0 ships regex 1.5.4, affected by RUSTSEC-2022-0013 (CVE-2022-24713).
    let report = match_sbom(
        index(),
        &sbom(vec![with_purl(purl("cargo", None, "regex", "1.5.4", None))]),
    );
    let f = report
        .findings
        .iter()
        .find(|f| f.id == "RUSTSEC-2022-0013")
        .expect("RUSTSEC-2022-0013");
    assert!(
        f.aliases.iter().any(|a| a == "CVE-2022-24713"),
        "{:?}",
        f.aliases
    );
    assert_eq!(f.match_kind, MatchKind::Purl);
    assert!(
        f.fixed_versions.iter().any(|v| v == "1.5.5"),
        "{:?}",
        f.fixed_versions
    );
    // One finding per flaw, even if several records of the group matched.
    let mut groups: Vec<&str> = report.findings.iter().map(|f| f.id.as_str()).collect();
    groups.dedup();
    assert_eq!(groups.len(), report.findings.len());
    // Fixed version: no finding.
    let fixed = match_sbom(
        index(),
        &sbom(vec![with_purl(purl("cargo", None, "regex", "1.5.5", None))]),
    );
    assert!(fixed.findings.iter().all(|f| f.id != "RUSTSEC-2022-0013"));
}

#[test]
fn git_only_entries_are_unresolved_not_dropped() {
    // The kit has no PyPA entry with GIT ranges only, so take a real one that has GIT ranges and
    // keep only those (no versions list, no ECOSYSTEM range).
    let mut a = corpus()
        .advisories
        .iter()
        .find(|a| {
            a.withdrawn.is_none()
                && a.affected
                    .iter()
                    .any(|x| x.ranges.iter().any(|r| r.kind == "GIT"))
        })
        .expect("PyPA records with GIT ranges")
        .clone();
    for aff in &mut a.affected {
        aff.ranges.retain(|r| r.kind == "GIT");
        aff.versions.clear();
    }
    let name = a
        .affected
        .iter()
        .find(|x| !x.ranges.is_empty())
        .unwrap()
        .package
        .name
        .clone();
    let mut c = Corpus::new();
    c.load_document(
        "git-only.json",
        serde_json::to_string(&a).unwrap().as_bytes(),
    );
    let idx = Index::build(&c);
    let report = match_sbom(
        &idx,
        &sbom(vec![with_purl(purl("pypi", None, &name, "0.0.1", None))]),
    );
    assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
    let f = &report.findings[0];
    assert_eq!(f.id, a.id);
    assert_eq!(f.match_kind, MatchKind::Unresolved);
    assert!(
        f.affected_ranges.iter().all(|r| r.starts_with("git: ")),
        "{:?}",
        f.affected_ranges
    );
    // Another package gets nothing.
    let none = match_sbom(
        &idx,
        &sbom(vec![with_purl(purl(
            "pypi",
            None,
            "no-such-package-x",
            "1.0",
            None,
        ))]),
    );
    assert!(none.findings.is_empty());
}

#[test]
fn withdrawn_advisories_never_match() {
    for a in corpus().advisories.iter().filter(|a| a.withdrawn.is_some()) {
        for aff in &a.affected {
            let mut versions = aff.versions.clone();
            for r in &aff.ranges {
                versions.extend(r.events.iter().filter_map(|e| e.introduced.clone()));
            }
            for v in versions {
                let report = match_sbom(
                    index(),
                    &sbom(vec![with_purl(purl(
                        "cargo",
                        None,
                        &aff.package.name,
                        &v,
                        None,
                    ))]),
                );
                assert!(
                    report.findings.iter().all(|f| f.id != a.id),
                    "{} matched",
                    a.id
                );
            }
        }
    }
}

const DEB9: &str = r#"{"id":"DSA-TEST-9","aliases":["CVE-2099-0001"],"affected":[{"package":{"ecosystem":"Debian:9","name":"libfoo"},"versions":["1.0-1"]}]}"#;
const DEB10: &str = r#"{"id":"DSA-TEST-10","affected":[{"package":{"ecosystem":"Debian:10","name":"libfoo"},"versions":["1.0-1"]}]}"#;
const UBU: &str = r#"{"id":"USN-TEST","affected":[{"package":{"ecosystem":"Ubuntu:22.04:LTS","name":"libfoo"},"versions":["1.0-1"]}]}"#;
const ALP: &str = r#"{"id":"ALPINE-TEST","affected":[{"package":{"ecosystem":"Alpine:v3.18","name":"busybox"},"versions":["1.36.1-r2"]}]}"#;

#[test]
fn distro_releases_follow_the_rule() {
    let mut c = Corpus::new();
    for (n, d) in [
        ("a.json", DEB9),
        ("b.json", DEB10),
        ("c.json", UBU),
        ("d.json", ALP),
    ] {
        c.load_document(n, d.as_bytes());
    }
    let idx = Index::build(&c);
    let ids = |p: Purl| -> Vec<String> {
        match_sbom(&idx, &sbom(vec![with_purl(p)]))
            .findings
            .into_iter()
            .map(|f| f.id)
            .collect()
    };
    assert_eq!(
        ids(purl(
            "deb",
            Some("debian"),
            "libfoo",
            "1.0-1",
            Some("stretch")
        )),
        ["DSA-TEST-9"]
    );
    assert_eq!(
        ids(purl(
            "deb",
            Some("debian"),
            "libfoo",
            "1.0-1",
            Some("debian-10")
        )),
        ["DSA-TEST-10"]
    );
    assert_eq!(
        ids(purl("deb", Some("debian"), "libfoo", "1.0-1", None)),
        ["DSA-TEST-10", "DSA-TEST-9"]
    );
    assert_eq!(
        ids(purl(
            "deb",
            Some("ubuntu"),
            "libfoo",
            "1.0-1",
            Some("ubuntu-22.04")
        )),
        ["USN-TEST"]
    );
    assert_eq!(
        ids(purl(
            "apk",
            Some("alpine"),
            "busybox",
            "1.36.1-r2",
            Some("alpine-3.18.0")
        )),
        ["ALPINE-TEST"]
    );
    assert!(
        ids(purl(
            "apk",
            Some("alpine"),
            "busybox",
            "1.36.1-r2",
            Some("alpine-3.17.2")
        ))
        .is_empty()
    );
}
