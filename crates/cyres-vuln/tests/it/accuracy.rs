//! The accuracy check: for every advisory in the kit that has SEMVER/ECOSYSTEM ranges *and* an
//! explicit `versions` list, evaluating the ranges alone (ignoring the list) must find every
//! listed version affected and every `fixed` boundary not affected.
//!
//! Where the data itself is wrong, [`EXCEPTIONS`] names the (advisory, version) with a reason,
//! and the test checks that each exception still fails, so the list cannot go stale.

use crate::corpus;
use cyres_version::range::evaluate;
use cyres_version::{Affected, Ecosystem, Event, RangeKind};
use std::collections::BTreeSet;

/// (advisory id, version, reason) where the kit's data contradicts itself.
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    (
        "PYSEC-2021-114",
        "2.11.6",
        "overlapping ranges: [0, 2.11.6) and [2.11, 2.11.7); sorted OSV evaluation turns 2.11.6 off",
    ),
    (
        "PYSEC-2023-177",
        "23.9.0",
        "the versions list includes the `fixed` version 23.9.0",
    ),
    (
        "PYSEC-2023-177",
        "23.9.0.post1",
        "the versions list includes a post-release of the `fixed` version",
    ),
    (
        "PYSEC-2023-61",
        "3.2a1",
        "the list has pre-releases below `introduced` 3.2 (PEP 440: 3.2a1 < 3.2)",
    ),
    (
        "PYSEC-2023-61",
        "3.2b1",
        "pre-release below `introduced` 3.2",
    ),
    (
        "PYSEC-2023-61",
        "3.2rc1",
        "pre-release below `introduced` 3.2",
    ),
    (
        "PYSEC-2023-61",
        "4.2a1",
        "pre-release below `introduced` 4.2",
    ),
    (
        "PYSEC-2023-61",
        "4.2b1",
        "pre-release below `introduced` 4.2",
    ),
    (
        "PYSEC-2023-61",
        "4.2rc1",
        "pre-release below `introduced` 4.2",
    ),
];

fn events(r: &cyres_vuln::advisory::Range) -> Vec<Event> {
    r.events
        .iter()
        .filter_map(|e| {
            e.introduced
                .clone()
                .map(Event::Introduced)
                .or_else(|| e.fixed.clone().map(Event::Fixed))
                .or_else(|| e.last_affected.clone().map(Event::LastAffected))
                .or_else(|| e.limit.clone().map(Event::Limit))
        })
        .collect()
}

#[test]
fn ranges_agree_with_explicit_version_lists() {
    let mut checked_versions = 0usize;
    let mut checked_fixed = 0usize;
    let mut advisories = 0usize;
    let mut failures: BTreeSet<(String, String, &'static str)> = BTreeSet::new();
    for a in &corpus().advisories {
        let mut counted = false;
        for aff in &a.affected {
            let ranges: Vec<(RangeKind, Vec<Event>)> = aff
                .ranges
                .iter()
                .filter_map(|r| match r.kind.as_str() {
                    "SEMVER" => Some((RangeKind::Semver, events(r))),
                    "ECOSYSTEM" => Some((RangeKind::Ecosystem, events(r))),
                    _ => None,
                })
                .collect();
            if ranges.is_empty() || aff.versions.is_empty() {
                continue;
            }
            if !counted {
                advisories += 1;
                counted = true;
            }
            let eco = Ecosystem::from_osv(&aff.package.ecosystem);
            let affected = |v: &str| {
                ranges
                    .iter()
                    .any(|(k, ev)| evaluate(&eco, *k, ev, v) == Affected::Yes)
            };
            for v in &aff.versions {
                checked_versions += 1;
                if !affected(v) {
                    failures.insert((a.id.clone(), v.clone(), "listed but not in range"));
                }
            }
            for (_, ev) in &ranges {
                for e in ev {
                    if let Event::Fixed(f) = e {
                        // A boundary that another interval of the same package re-opens
                        // (`introduced` at the same version) is rightly affected.
                        let reopened = ranges.iter().flat_map(|(_, ev)| ev).any(|o| {
                            matches!(o, Event::Introduced(i)
                                if cyres_version::compare(&eco, i, f) == std::cmp::Ordering::Equal)
                        });
                        if reopened {
                            continue;
                        }
                        checked_fixed += 1;
                        if affected(f) {
                            failures.insert((a.id.clone(), f.clone(), "fixed but in range"));
                        }
                    }
                }
            }
        }
    }
    eprintln!(
        "accuracy: {advisories} advisories, {checked_versions} listed versions, \
         {checked_fixed} fixed boundaries, {} disagreements",
        failures.len()
    );
    let excepted: BTreeSet<(&str, &str)> = EXCEPTIONS.iter().map(|(i, v, _)| (*i, *v)).collect();
    let unexpected: Vec<_> = failures
        .iter()
        .filter(|(i, v, _)| !excepted.contains(&(i.as_str(), v.as_str())))
        .collect();
    let stale: Vec<_> = EXCEPTIONS
        .iter()
        .filter(|(i, v, _)| !failures.iter().any(|(fi, fv, _)| fi == i && fv == v))
        .collect();
    assert!(
        advisories > 1000,
        "only {advisories} advisories have both ranges and lists"
    );
    assert!(
        unexpected.is_empty() && stale.is_empty(),
        "{} unexpected disagreements: {:#?}\nstale exceptions: {stale:#?}",
        unexpected.len(),
        &unexpected[..unexpected.len().min(60)]
    );
}
