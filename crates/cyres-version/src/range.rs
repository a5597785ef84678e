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

/// A range's events in the order the walk visits them (sorted by version, `introduced: "0"`
/// first, `limit` events left out), worked out once for a range evaluated against many
/// versions (the matching index keeps one per range): [`Prepared::evaluate`] then neither sorts
/// nor allocates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prepared {
    order: Box<[u16]>,
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
        let by_event = |a: &u16, b: &u16, cmp: &dyn Fn(&str, &str) -> Ordering| {
            let (ea, eb) = (&events[usize::from(*a)], &events[usize::from(*b)]);
            // OSV: "sort the events by version"; introduced "0" is the lowest possible version.
            match (is_zero(ea), is_zero(eb)) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                (false, false) => cmp(ea.version(), eb.version()).then_with(|| {
                    // At an equal version, introduced first: `introduced: X, fixed: X` is empty.
                    let rank = |e: &Event| u8::from(!matches!(e, Event::Introduced(_)));
                    rank(ea).cmp(&rank(eb))
                }),
            }
        };
        if semver_order {
            order.sort_by(|a, b| by_event(a, b, &semver::compare));
        } else {
            order.sort_by(|a, b| by_event(a, b, &|x, y| crate::compare(eco, x, y)));
        }
        Self {
            order: order.into_boxed_slice(),
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
        match semver_order(eco, kind) {
            None => Affected::Unresolved,
            // Each version is parsed once, not once per comparison.
            Some(true) => walk(
                events,
                &self.order,
                version,
                semver::Key::new,
                semver::compare_keys,
            ),
            Some(false) => walk(
                events,
                &self.order,
                version,
                |s| s,
                |a: &&str, b: &&str| crate::compare(eco, a, b),
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

/// Ranges with at most this many events keep their parsed versions on the stack.
const STACK_EVENTS: usize = 16;

/// The evaluation itself, over versions turned into comparable keys by `key`, visiting the
/// events in `order` ([`Prepared`]).
fn walk<'a, K: Copy>(
    events: &'a [Event],
    order: &[u16],
    version: &'a str,
    key: impl Fn(&'a str) -> K,
    cmp: impl Fn(&K, &K) -> Ordering,
) -> Affected {
    let v = key(version);
    let mut stack = [None; STACK_EVENTS];
    let mut heap = Vec::new();
    let keys: &mut [Option<K>] = if events.len() <= STACK_EVENTS {
        &mut stack[..events.len()]
    } else {
        heap.resize(events.len(), None);
        &mut heap
    };
    for (k, e) in keys.iter_mut().zip(events) {
        *k = Some(key(e.version()));
    }
    let keys: &[Option<K>] = keys;
    let k = |i: usize| keys[i].as_ref();
    // Every key is set above; `Equal` is never reached.
    let cmp_at = |a: &K, i: usize| k(i).map_or(Ordering::Equal, |b| cmp(a, b));
    let cmp_events = |i: usize, j: usize| k(i).map_or(Ordering::Equal, |a| cmp_at(a, j));
    let mut affected = false;
    for &i in order {
        let i = usize::from(i);
        let at = cmp_at(&v, i);
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
        affected = in_listed_pair(events, &v, &cmp_at, &cmp_events);
    }
    let mut limits = events
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e, Event::Limit(_)))
        .peekable();
    if affected
        && limits.peek().is_some()
        && !limits.any(|(i, e)| e.version() == "*" || cmp_at(&v, i) == Ordering::Less)
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
