//! Property tests: every ecosystem order is a total preorder on random version-like strings
//! (antisymmetric and transitive, never panicking), and OSV range evaluation agrees with two
//! naive reference implementations.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use cyres_version::range::{Affected, Event, RangeKind, evaluate};
use cyres_version::{Ecosystem, compare};
use proptest::prelude::*;
use std::cmp::Ordering;

fn ecosystems() -> Vec<Ecosystem> {
    vec![
        Ecosystem::Npm,
        Ecosystem::CratesIo,
        Ecosystem::Go,
        Ecosystem::Hex,
        Ecosystem::Pub,
        Ecosystem::PyPi,
        Ecosystem::Maven,
        Ecosystem::NuGet,
        Ecosystem::RubyGems,
        Ecosystem::Debian,
        Ecosystem::Alpine,
        Ecosystem::Rpm,
        Ecosystem::Packagist,
        Ecosystem::Cran,
        Ecosystem::Hackage,
        Ecosystem::Other("Linux".into()),
    ]
}

/// Version-like strings: digits, a few letters that mean something somewhere, separators.
fn version_like() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        "[0-9]{1,3}([.~^+_:-]?([0-9]{1,3}|a|b|rc|dev|post|p|r|alpha|beta|sp|pre)){0,5}",
    )
    .unwrap()
}

/// Well-formed Alpine versions: apk's transitivity holds on the documented grammar; malformed
/// strings fall back to bytes only pairwise (see `version/alpine.rs`).
fn apk_like() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        "[0-9]{1,2}(\\.[0-9]{1,2}){0,3}[a-c]?(_(alpha|beta|rc|p|git)[0-9]?){0,2}(-r[0-9])?",
    )
    .unwrap()
}

fn check_total(eco: &Ecosystem, a: &str, b: &str, c: &str) -> Result<(), TestCaseError> {
    let ab = compare(eco, a, b);
    prop_assert_eq!(
        ab,
        compare(eco, b, a).reverse(),
        "antisymmetry {:?}: {} vs {}",
        eco,
        a,
        b
    );
    prop_assert_eq!(
        compare(eco, a, a),
        Ordering::Equal,
        "reflexive {:?} {}",
        eco,
        a
    );
    let bc = compare(eco, b, c);
    let ac = compare(eco, a, c);
    if ab != Ordering::Greater && bc != Ordering::Greater {
        prop_assert!(
            ac != Ordering::Greater,
            "transitivity {:?}: {} <= {} <= {} but {:?}",
            eco,
            a,
            b,
            c,
            ac
        );
    }
    if ab == Ordering::Equal && bc == Ordering::Equal {
        prop_assert_eq!(
            ac,
            Ordering::Equal,
            "equality transitivity {:?}: {} {} {}",
            eco,
            a,
            b,
            c
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn every_order_is_a_total_preorder(a in version_like(), b in version_like(), c in version_like()) {
        for eco in ecosystems() {
            if eco == Ecosystem::Alpine {
                continue;
            }
            check_total(&eco, &a, &b, &c)?;
        }
    }

    #[test]
    fn alpine_order_is_a_total_preorder_on_apk_versions(a in apk_like(), b in apk_like(), c in apk_like()) {
        check_total(&Ecosystem::Alpine, &a, &b, &c)?;
    }

    #[test]
    fn arbitrary_strings_never_panic(a in "\\PC{0,24}", b in "\\PC{0,24}") {
        for eco in ecosystems() {
            let x = compare(&eco, &a, &b);
            prop_assert_eq!(x, compare(&eco, &b, &a).reverse(), "{:?}: {:?} vs {:?}", eco, a, b);
        }
    }
}

// ---- OSV ranges against naive references ----

/// Versions are small integers written as strings, ordered numerically by every scheme used.
fn event_strategy() -> impl Strategy<Value = Event> {
    (0u8..4, 0u32..30).prop_map(|(k, n)| {
        let v = n.to_string();
        match k {
            0 => Event::Introduced(if n == 0 { "0".into() } else { v }),
            1 => Event::Fixed(v),
            2 => Event::LastAffected(v),
            _ => Event::Limit(v),
        }
    })
}

/// Reference 1: the last event (in version order) that applies to `v` decides.
fn last_applying(events: &[Event], v: u32) -> bool {
    let num = |s: &str| s.parse::<u32>().unwrap();
    let mut walk: Vec<(u32, u8, &Event)> = events
        .iter()
        .filter(|e| !matches!(e, Event::Limit(_)))
        .map(|e| {
            let rank = u8::from(!matches!(e, Event::Introduced(_)));
            let key = match e {
                Event::Introduced(s) if s == "0" => 0,
                e => num(e.version()),
            };
            (key, rank, e)
        })
        .collect();
    walk.sort_by_key(|(k, r, _)| (*k, *r));
    let decided = walk.iter().rev().find_map(|(k, _, e)| match e {
        Event::Introduced(_) if v >= *k => Some(true),
        Event::Fixed(_) if v >= *k => Some(false),
        Event::LastAffected(_) if v > *k => Some(false),
        _ => None,
    });
    let limits: Vec<u32> = events
        .iter()
        .filter_map(|e| match e {
            Event::Limit(s) => Some(num(s)),
            _ => None,
        })
        .collect();
    (decided.unwrap_or(false) || listed_pairs(events, v))
        && (limits.is_empty() || limits.iter().any(|l| v < *l))
}

/// The record-order intervals: each introduced with the next closing event listed after it.
fn listed_pairs(events: &[Event], v: u32) -> bool {
    let num = |s: &str| s.parse::<u32>().unwrap();
    let closers: Vec<(usize, &Event)> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e, Event::Fixed(_) | Event::LastAffected(_)))
        .collect();
    events.iter().enumerate().any(|(i, e)| {
        let Event::Introduced(s) = e else {
            return false;
        };
        let lo = if s == "0" { 0 } else { num(s) };
        match closers.iter().find(|(j, _)| *j > i) {
            Some((_, Event::Fixed(f))) => num(f) >= lo && v >= lo && v < num(f),
            Some((_, c)) => num(c.version()) >= lo && v >= lo && v <= num(c.version()),
            None => false,
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn evaluation_matches_the_last_applying_event(events in proptest::collection::vec(event_strategy(), 0..8), v in 0u32..32) {
        let want = last_applying(&events, v);
        for (eco, kind) in [
            (Ecosystem::Other("generic".into()), RangeKind::Ecosystem),
            (Ecosystem::PyPi, RangeKind::Ecosystem),
            (Ecosystem::Npm, RangeKind::Semver),
            (Ecosystem::Maven, RangeKind::Semver),
        ] {
            let got = evaluate(&eco, kind, &events, &v.to_string());
            prop_assert_eq!(got == Affected::Yes, want, "{:?} {:?} {:?} v={}", eco, kind, events, v);
        }
    }

    /// Reference 2: well-formed ranges (sorted, alternating introduced/fixed) are unions of
    /// half-open intervals [introduced, fixed), the last one possibly open or closed by
    /// last_affected; events are shuffled before evaluation to check the sorting step.
    #[test]
    fn well_formed_ranges_are_unions_of_intervals(
        mut points in proptest::collection::btree_set(1u32..60, 1..9),
        last_kind in 0u8..3,
        rotate in 0usize..9,
        v in 0u32..64,
    ) {
        let pts: Vec<u32> = std::mem::take(&mut points).into_iter().collect();
        let mut events = Vec::new();
        let mut inside = false;
        for (i, p) in pts.iter().enumerate() {
            let last = i + 1 == pts.len();
            if i % 2 == 0 {
                events.push(Event::Introduced(p.to_string()));
                if p <= &v { inside = true; }
            } else if last && last_kind == 1 {
                events.push(Event::LastAffected(p.to_string()));
                if v > *p { inside = false; }
            } else {
                events.push(Event::Fixed(p.to_string()));
                if p <= &v { inside = false; }
            }
        }
        let _ = last_kind;
        let n = events.len();
        events.rotate_left(rotate % n);
        let got = evaluate(&Ecosystem::Other("generic".into()), RangeKind::Ecosystem, &events, &v.to_string());
        prop_assert_eq!(got == Affected::Yes, inside, "{:?} v={}", events, v);
    }
}
