//! OSV range evaluation: the schema's semantics on hand-picked cases, and consistency with real
//! advisories: in every PyPA record (`advisories/pypa-osv.tar.zst`) the explicit `versions`
//! list and the `ECOSYSTEM` ranges describe the same releases, so every listed version must
//! evaluate as affected; and every RustSec `SEMVER` range must hold its own `introduced` bound
//! and exclude its `fixed` bound.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use cyres_version::Ecosystem;
use cyres_version::range::{Affected, Event, RangeKind, evaluate, in_versions};
use serde_json::Value;

fn ev(kind: &str, v: &str) -> Event {
    match kind {
        "introduced" => Event::Introduced(v.into()),
        "fixed" => Event::Fixed(v.into()),
        "last_affected" => Event::LastAffected(v.into()),
        "limit" => Event::Limit(v.into()),
        other => panic!("unknown event {other}"),
    }
}

fn events(v: &Value) -> Vec<Event> {
    let mut out = Vec::new();
    for e in v.as_array().into_iter().flatten() {
        for key in ["introduced", "fixed", "last_affected", "limit"] {
            if let Some(s) = e[key].as_str() {
                out.push(ev(key, s));
            }
        }
    }
    out
}

#[test]
fn schema_semantics_on_hand_picked_cases() {
    let npm = Ecosystem::Npm;
    let e = |list: &[(&str, &str)]| list.iter().map(|(k, v)| ev(k, v)).collect::<Vec<_>>();
    let r = e(&[("introduced", "0"), ("fixed", "1.2.3")]);
    // introduced "0" covers pre-releases of 0.0.0 too.
    for (v, want) in [
        ("0.0.0-alpha", true),
        ("1.2.2", true),
        ("1.2.3-rc.1", true),
        ("1.2.3", false),
        ("2.0.0", false),
    ] {
        assert_eq!(
            evaluate(&npm, RangeKind::Semver, &r, v) == Affected::Yes,
            want,
            "{v}"
        );
    }
    // Several pairs, given out of order: [1.0, 1.5) and [2.0, 2.3].
    let r = e(&[
        ("fixed", "1.5.0"),
        ("introduced", "2.0.0"),
        ("last_affected", "2.3.0"),
        ("introduced", "1.0.0"),
    ]);
    for (v, want) in [
        ("0.9.0", false),
        ("1.0.0", true),
        ("1.4.9", true),
        ("1.5.0", false),
        ("1.9.0", false),
        ("2.3.0", true),
        ("2.3.1", false),
    ] {
        assert_eq!(
            evaluate(&npm, RangeKind::Ecosystem, &r, v) == Affected::Yes,
            want,
            "{v}"
        );
    }
    // limit: only versions below a limit count.
    let r = e(&[("introduced", "0"), ("limit", "2.0.0")]);
    assert_eq!(
        evaluate(&npm, RangeKind::Semver, &r, "1.9.9"),
        Affected::Yes
    );
    assert_eq!(evaluate(&npm, RangeKind::Semver, &r, "2.0.0"), Affected::No);
    let r = e(&[("introduced", "0"), ("limit", "*")]);
    assert_eq!(
        evaluate(&npm, RangeKind::Semver, &r, "99.0.0"),
        Affected::Yes
    );
    // GIT ranges cannot be decided from a version.
    let r = e(&[
        ("introduced", "0"),
        ("fixed", "b42dd4badf803bb9fb71ac34cd9cb0c249262f2c"),
    ]);
    assert_eq!(
        evaluate(&npm, RangeKind::Git, &r, "1.0.0"),
        Affected::Unresolved
    );
    // SEMVER means SemVer even for PyPI; ECOSYSTEM means PEP 440 (1.0rc1 < 1.0 in both, but
    // 1.0.post1 is a post release only in PEP 440).
    let r = e(&[("introduced", "0"), ("fixed", "1.0")]);
    assert_eq!(
        evaluate(&Ecosystem::PyPi, RangeKind::Ecosystem, &r, "1.0.post1"),
        Affected::No
    );
    assert_eq!(
        evaluate(&Ecosystem::PyPi, RangeKind::Ecosystem, &r, "1.0rc1"),
        Affected::Yes
    );
    let r = e(&[("introduced", "0"), ("fixed", "1.10.0")]);
    assert_eq!(
        evaluate(&Ecosystem::Maven, RangeKind::Semver, &r, "1.9.0"),
        Affected::Yes
    );
    // The explicit versions list matches by ecosystem equality.
    assert!(in_versions(&Ecosystem::PyPi, &["1.0"], "1.0.0"));
    assert!(in_versions(&Ecosystem::Maven, &["1"], "1.0.0"));
    assert!(!in_versions(&Ecosystem::Npm, &["1.0.0"], "1.0.1"));
}

#[test]
fn pypa_versions_lists_agree_with_their_ranges() {
    let root = cyres_kit::unpacked_path("advisories/pypa-osv.tar.zst", "pypa-osv/vulns");
    let (mut checked, mut records) = (0, 0);
    let mut disagreements = Vec::new();
    for pkg in std::fs::read_dir(root).unwrap() {
        for f in std::fs::read_dir(pkg.unwrap().path()).unwrap() {
            let path = f.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let doc: Value =
                serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            records += 1;
            for aff in doc["affected"].as_array().into_iter().flatten() {
                let ranges: Vec<Vec<Event>> = aff["ranges"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|r| r["type"] == "ECOSYSTEM")
                    .map(|r| events(&r["events"]))
                    .collect();
                if ranges.is_empty() {
                    continue;
                }
                // Every third listed version (deterministic sample) keeps debug runs short.
                let listed = aff["versions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str);
                for v in listed.step_by(3) {
                    checked += 1;
                    let hit = ranges.iter().any(|r| {
                        evaluate(&Ecosystem::PyPi, RangeKind::Ecosystem, r, v) == Affected::Yes
                    });
                    if !hit {
                        disagreements.push(format!("{} {v}", doc["id"].as_str().unwrap_or("?")));
                    }
                }
            }
        }
    }
    assert!(
        records > 2600 && checked > 40_000,
        "records {records}, versions {checked}"
    );
    // OSV.dev computes `versions` from the ranges, so they agree; the tolerance covers records
    // whose list disagrees with its own ranges (PYSEC-2023-61 lists 3.2a1 although its range
    // starts at 3.2; reported as data quirks).
    assert!(
        disagreements.len() * 1000 < checked,
        "{} of {checked} listed versions fall outside their ranges: {:?}",
        disagreements.len(),
        &disagreements[..disagreements.len().min(30)]
    );
    eprintln!(
        "pypa: {checked} listed versions in {records} records, {} outside their ranges: {:?}",
        disagreements.len(),
        &disagreements[..disagreements.len().min(20)]
    );
}

#[test]
fn rustsec_ranges_hold_their_own_bounds() {
    let root = cyres_kit::unpacked_path("advisories/rustsec-osv.tar.zst", "rustsec-osv/crates");
    let mut checked = 0;
    for f in std::fs::read_dir(root).unwrap() {
        let doc: Value =
            serde_json::from_slice(&std::fs::read(f.unwrap().path()).unwrap()).unwrap();
        for aff in doc["affected"].as_array().into_iter().flatten() {
            for r in aff["ranges"].as_array().into_iter().flatten() {
                let evs = events(&r["events"]);
                let kind = RangeKind::from_osv(r["type"].as_str().unwrap()).unwrap();
                for e in &evs {
                    let got = evaluate(&Ecosystem::CratesIo, kind, &evs, e.version());
                    match e {
                        Event::Fixed(v) => assert_eq!(got, Affected::No, "{} fixed {v}", doc["id"]),
                        Event::Introduced(v) if v != "0" => {
                            // Affected, unless the record closes the interval at once
                            // (RUSTSEC-2022-0012: `introduced: 0.10.0, fixed: 0.10.0`).
                            let empty = evs.iter().any(|x| matches!(x, Event::Fixed(f) if f == v));
                            assert_eq!(
                                got == Affected::Yes,
                                !empty,
                                "{} introduced {v}",
                                doc["id"]
                            );
                        }
                        _ => {}
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 1500, "checked {checked}");
}
