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
    Prepared::new(eco, kind, events).evaluate(eco, kind, events, version)
}

/// A version to check against many ranges ([`Prepared::evaluate_key`]), parsed once: a scanner
/// makes one per component and evaluates every range of every advisory of its package with it.
#[derive(Clone, Copy, Debug)]
pub struct VersionKey<'a> {
    /// The SemVer parse, which both `SEMVER` ranges and the `ECOSYSTEM` ranges of the SemVer
    /// ecosystems compare with; other ecosystems compare the text.
    semver: semver::Key<'a>,
    raw: &'a str,
}

impl<'a> VersionKey<'a> {
    /// Parses `version` for the comparisons to come.
    pub fn new(version: &'a str) -> Self {
        Self {
            semver: semver::Key::new(version),
            raw: version,
        }
    }

    /// The version as given.
    pub fn as_str(&self) -> &'a str {
        self.raw
    }
}

/// A range's events in the order the walk visits them (sorted by version, `introduced: "0"`
/// first, `limit` events left out), and for a range in SemVer order every event's version
/// parsed, worked out once for a range evaluated against many versions (the matching index
/// keeps one per range): [`Prepared::evaluate_key`] then neither sorts, parses nor allocates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prepared {
    order: Box<[u16]>,
    /// Event `i`'s version parsed ([`semver::Shape`]), for a range in SemVer order; empty
    /// otherwise.
    keys: Box<[semver::Shape]>,
}

impl Prepared {
    /// The walk order of `events` under the order `kind` and `eco` give.
    pub fn new(eco: &Ecosystem, kind: RangeKind, events: &[Event]) -> Self {
        let Some(semver_order) = semver_order(eco, kind) else {
            return Self::default();
        };
        // An `affected[]` entry has a handful of events; the index numbers them in 16 bits.
        let n = events.len().min(usize::from(u16::MAX));
        let mut order: Vec<u16> = (0..n as u16)
            .filter(|&i| !matches!(events[usize::from(i)], Event::Limit(_)))
            .collect();
        let by_event = |a: &u16, b: &u16, cmp: &dyn Fn(usize, usize) -> Ordering| {
            let (i, j) = (usize::from(*a), usize::from(*b));
            let (ea, eb) = (&events[i], &events[j]);
            // OSV: "sort the events by version"; introduced "0" is the lowest possible version.
            match (is_zero(ea), is_zero(eb)) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                (false, false) => cmp(i, j).then_with(|| {
                    // At an equal version, introduced first: `introduced: X, fixed: X` is empty.
                    let rank = |e: &Event| u8::from(!matches!(e, Event::Introduced(_)));
                    rank(ea).cmp(&rank(eb))
                }),
            }
        };
        let mut keys = Box::default();
        if semver_order {
            keys = events
                .iter()
                .map(|e| semver::Shape::of(e.version()))
                .collect::<Box<[_]>>();
            let key = |i: usize| (events[i].version(), &keys[i]);
            order.sort_by(|a, b| by_event(a, b, &|i, j| semver::compare_shaped(key(i), key(j))));
        } else {
            order.sort_by(|a, b| {
                by_event(a, b, &|i, j| {
                    crate::compare(eco, events[i].version(), events[j].version())
                })
            });
        }
        Self {
            order: order.into_boxed_slice(),
            keys,
        }
    }

    /// Evaluates the range (the same `eco`, `kind` and `events` it was prepared from) against
    /// `version`; the same answer as [`evaluate`].
    pub fn evaluate(
        &self,
        eco: &Ecosystem,
        kind: RangeKind,
        events: &[Event],
        version: &str,
    ) -> Affected {
        self.evaluate_key(eco, kind, events, &VersionKey::new(version))
    }

    /// [`Prepared::evaluate`] with the version parsed beforehand.
    pub fn evaluate_key(
        &self,
        eco: &Ecosystem,
        kind: RangeKind,
        events: &[Event],
        version: &VersionKey<'_>,
    ) -> Affected {
        match semver_order(eco, kind) {
            None => Affected::Unresolved,
            // Prepared from these events: each version was parsed once, beforehand.
            Some(true) if self.keys.len() == events.len() => walk(
                events,
                &self.order,
                &version.semver.shaped(),
                |i| (events[i].version(), &self.keys[i]),
                |a, b| semver::compare_shaped(*a, *b),
                true,
            ),
            Some(true) => {
                let keys: Vec<_> = events
                    .iter()
                    .map(|e| semver::Shape::of(e.version()))
                    .collect();
                walk(
                    events,
                    &self.order,
                    &version.semver.shaped(),
                    |i| (events[i].version(), &keys[i]),
                    |a, b| semver::compare_shaped(*a, *b),
                    true,
                )
            }
            Some(false) => walk(
                events,
                &self.order,
                &version.raw,
                |i| events[i].version(),
                |a: &&str, b: &&str| crate::compare(eco, a, b),
                false,
            ),
        }
    }
}

/// `Some(true)` when the range compares in SemVer order, `Some(false)` in the ecosystem's, `None`
/// for a range that cannot be evaluated (`GIT`).
fn semver_order(eco: &Ecosystem, kind: RangeKind) -> Option<bool> {
    match kind {
        RangeKind::Git => None,
        RangeKind::Semver => Some(true),
        RangeKind::Ecosystem => Some(version::uses_semver(eco)),
    }
}

/// The evaluation itself: `v` against the events visited in `order` ([`Prepared`]), whose
/// versions `key` gives in the form `cmp` compares.
///
/// `total`: `cmp` is a total preorder (SemVer order is), so the events of `order` ascend by it:
/// once one is above `v`, so is every later one, and none of those changes the answer (an
/// `introduced` or `fixed` above the version does nothing, a `last_affected` only when below
/// it); the walk stops there. Ecosystem orders are walked to the end.
fn walk<K>(
    events: &[Event],
    order: &[u16],
    v: &K,
    key: impl Fn(usize) -> K,
    cmp: impl Fn(&K, &K) -> Ordering,
    total: bool,
) -> Affected {
    let cmp_at = |a: &K, i: usize| cmp(a, &key(i));
    let cmp_events = |i: usize, j: usize| cmp(&key(i), &key(j));
    let mut affected = false;
    for &i in order {
        let i = usize::from(i);
        let at = cmp_at(v, i);
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
        if total && at == Ordering::Less && !is_zero(&events[i]) {
            break;
        }
    }
    if !affected {
        affected = in_listed_pair(events, v, &cmp_at, &cmp_events);
    }
    let mut limits = events
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e, Event::Limit(_)))
        .peekable();
    if affected
        && limits.peek().is_some()
        && !limits.any(|(i, e)| e.version() == "*" || cmp_at(v, i) == Ordering::Less)
    {
        affected = false;
    }
    if affected {
        Affected::Yes
    } else {
        Affected::No
    }
}

/// The record-order pairing described in the module docs. `cmp_at(v, i)` compares a version
/// with event `i`'s, `cmp_events(i, j)` event `i`'s version with event `j`'s.
fn in_listed_pair<K>(
    events: &[Event],
    version: &K,
    cmp_at: &impl Fn(&K, usize) -> Ordering,
    cmp_events: &impl Fn(usize, usize) -> Ordering,
) -> bool {
    for (i, e) in events.iter().enumerate() {
        let Event::Introduced(start) = e else {
            continue;
        };
        let closer = (i + 1..events.len())
            .find(|&j| matches!(events[j], Event::Fixed(_) | Event::LastAffected(_)));
        let Some(j) = closer else { continue };
        let zero = start == "0";
        let after_start = zero || cmp_at(version, i) != Ordering::Less;
        if !after_start {
            continue;
        }
        // The closing version must not be below the introduced one.
        if !zero && cmp_events(j, i) == Ordering::Less {
            continue;
        }
        let before_end = match &events[j] {
            Event::Fixed(_) => cmp_at(version, j) == Ordering::Less,
            _ => cmp_at(version, j) != Ordering::Greater,
        };
        if before_end {
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
