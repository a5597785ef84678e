//! OSV range evaluation: `affected[].ranges[]` and `affected[].versions` exactly as the OSV
//! schema's "Evaluation" section defines them (ossf/osv-schema `docs/schema.md`).
//!
//! - `SEMVER` ranges use SemVer 2.0 order whatever the ecosystem (lenient as documented in
//!   [`crate::version`]: a `v` prefix is ignored); `ECOSYSTEM` ranges use the ecosystem's order;
//!   `GIT` ranges name commits and cannot be decided from a version: [`Affected::Unresolved`].
//! - Events are sorted by version (stable; `introduced: "0"` first; at an equal version
//!   `introduced` before `fixed`/`last_affected`, so RustSec's `introduced: 0.10.0, fixed:
//!   0.10.0` is empty), then walked: `introduced` at or below the
//!   version turns "affected" on, `fixed` at or below it turns it off, `last_affected` strictly
//!   below it turns it off. Several introduced/fixed pairs therefore describe several
//!   intervals.
//! - Producers that write each interval as an `introduced` followed by its closing event but
//!   let intervals touch or overlap (PyPA: PYSEC-2023-72 `[0, 3.1.1) [3.2.0, 3.2.2)
//!   [3.1.1, 3.2.0)`, PYSEC-2021-114 `[2.11, 2.11.7) [0, 2.11.6)`) lose versions in the sorted
//!   walk alone. So a version is also affected when it lies in an interval formed by an
//!   `introduced` and the next `fixed`/`last_affected` after it *in the record's own order*
//!   (only when that closing version is not below the introduced one). For sorted,
//!   non-overlapping ranges this adds nothing.
//! - `limit` events are not part of the walk: when present, the version must also be below at
//!   least one limit (`"*"` is no limit).

use crate::Ecosystem;
use crate::version::{self, semver};
use std::cmp::Ordering;

/// The `type` of an OSV range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RangeKind {
    /// `SEMVER`: SemVer 2.0 order, whatever the ecosystem.
    Semver,
    /// `ECOSYSTEM`: the ecosystem's own order.
    Ecosystem,
    /// `GIT`: commit hashes; cannot be evaluated against a version.
    Git,
}

impl RangeKind {
    /// Maps an OSV `ranges[].type` value; `None` for unknown types.
    pub fn from_osv(ty: &str) -> Option<Self> {
        match ty {
            "SEMVER" => Some(Self::Semver),
            "ECOSYSTEM" => Some(Self::Ecosystem),
            "GIT" => Some(Self::Git),
            _ => None,
        }
    }
}

/// One event of an OSV range.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    /// `introduced` (`"0"` means from the beginning).
    Introduced(String),
    /// `fixed`.
    Fixed(String),
    /// `last_affected`.
    LastAffected(String),
    /// `limit`.
    Limit(String),
}

impl Event {
    /// The event's version string.
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }
}

/// Whether a version is affected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Affected {
    /// Inside the range.
    Yes,
    /// Outside the range.
    No,
    /// Cannot be decided from versions alone (a `GIT` range).
    Unresolved,
}

fn is_zero(e: &Event) -> bool {
    matches!(e, Event::Introduced(v) if v == "0")
}

/// Evaluates one OSV range against `version`.
pub fn evaluate(eco: &Ecosystem, kind: RangeKind, events: &[Event], version: &str) -> Affected {
    let semver_order = match kind {
        RangeKind::Git => return Affected::Unresolved,
        RangeKind::Semver => true,
        RangeKind::Ecosystem => version::uses_semver(eco),
    };
    if semver_order {
        // Each version is parsed once, not once per comparison.
        walk(events, version, semver::Key::new, semver::compare_keys)
    } else {
        walk(
            events,
            version,
            |s| s,
            |a: &&str, b: &&str| crate::compare(eco, a, b),
        )
    }
}

/// The evaluation itself, over versions turned into comparable keys by `key`.
fn walk<'a, K>(
    events: &'a [Event],
    version: &'a str,
    key: impl Fn(&'a str) -> K,
    cmp: impl Fn(&K, &K) -> Ordering,
) -> Affected {
    let v = key(version);
    let keys: Vec<K> = events.iter().map(|e| key(e.version())).collect();
    let mut order: Vec<usize> = (0..events.len())
        .filter(|&i| !matches!(events[i], Event::Limit(_)))
        .collect();
    // OSV: "sort the events by version"; introduced "0" is the lowest possible version.
    order.sort_by(|&a, &b| match (is_zero(&events[a]), is_zero(&events[b])) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => cmp(&keys[a], &keys[b]).then_with(|| {
            // At an equal version, introduced first: `introduced: X, fixed: X` is empty.
            let rank = |e: &Event| u8::from(!matches!(e, Event::Introduced(_)));
            rank(&events[a]).cmp(&rank(&events[b]))
        }),
    });
    let mut affected = false;
    for i in order {
        let at = cmp(&v, &keys[i]);
        match &events[i] {
            Event::Introduced(e) => {
                if e == "0" || at != Ordering::Less {
                    affected = true;
                }
            }
            Event::Fixed(_) => {
                if at != Ordering::Less {
                    affected = false;
                }
            }
            Event::LastAffected(_) => {
                if at == Ordering::Greater {
                    affected = false;
                }
            }
            Event::Limit(_) => {}
        }
    }
    if !affected {
        affected = in_listed_pair(events, &keys, &v, &cmp);
    }
    let mut limits = events
        .iter()
        .zip(&keys)
        .filter(|(e, _)| matches!(e, Event::Limit(_)))
        .peekable();
    if affected
        && limits.peek().is_some()
        && !limits.any(|(e, k)| e.version() == "*" || cmp(&v, k) == Ordering::Less)
    {
        affected = false;
    }
    if affected {
        Affected::Yes
    } else {
        Affected::No
    }
}

/// The record-order pairing described in the module docs.
fn in_listed_pair<K>(
    events: &[Event],
    keys: &[K],
    version: &K,
    cmp: &impl Fn(&K, &K) -> Ordering,
) -> bool {
    for (i, e) in events.iter().enumerate() {
        let Event::Introduced(start) = e else {
            continue;
        };
        let closer = (i + 1..events.len())
            .find(|&j| matches!(events[j], Event::Fixed(_) | Event::LastAffected(_)));
        let Some(j) = closer else { continue };
        let zero = start == "0";
        if !zero && cmp(&keys[j], &keys[i]) == Ordering::Less {
            continue;
        }
        let after_start = zero || cmp(version, &keys[i]) != Ordering::Less;
        let before_end = match &events[j] {
            Event::Fixed(_) => cmp(version, &keys[j]) == Ordering::Less,
            _ => cmp(version, &keys[j]) != Ordering::Greater,
        };
        if after_start && before_end {
            return true;
        }
    }
    false
}

/// Whether `version` is one of an OSV record's explicit `affected[].versions`, by the
/// ecosystem's equality (PyPI `1.0` equals `1.0.0`; Maven `1` equals `1.0`).
pub fn in_versions<S: AsRef<str>>(eco: &Ecosystem, versions: &[S], version: &str) -> bool {
    versions
        .iter()
        .any(|v| crate::compare(eco, v.as_ref(), version) == Ordering::Equal)
}
