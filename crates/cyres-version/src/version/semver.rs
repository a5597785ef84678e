//! SemVer 2.0 order (semver.org §11), used by npm, crates.io, Go, Hex and every OSV `SEMVER`
//! range; plus the Pub variant, which also orders build metadata.
//!
//! Leniency, documented (as OSV's own matchers do): a leading `v`/`V` is ignored (Go's `v1.2.3`);
//! the core may have any number of numeric components, missing ones count as `0`
//! (`1.2` = `1.2.0`, `1.1.3.4.5` is accepted); numbers are unbounded. Build metadata (`+…`) is
//! ignored (§10). Go pseudo-versions (`v0.0.0-20220708121648-5fef4d92e758`) are ordinary
//! pre-releases and sort as Go sorts them. A string whose core is not dot-separated digits is
//! invalid: invalid versions sort before every valid one, and among themselves by bytes.

use super::{all_digits, cmp_digits};
use std::cmp::Ordering;

/// A borrowed, parsed lenient SemVer version.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SemVer<'a> {
    core: &'a str,
    pre: Option<&'a str>,
    build: Option<&'a str>,
}

/// Parses `s` leniently; `None` if the core is not dot-separated digits.
pub(crate) fn parse(s: &str) -> Option<SemVer<'_>> {
    let s = s.trim();
    let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
    let (rest, build) = match s.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (s, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    if !core.split('.').all(all_digits) {
        return None;
    }
    Some(SemVer { core, pre, build })
}

fn cmp_core(a: &str, b: &str) -> Ordering {
    let mut x = a.split('.');
    let mut y = b.split('.');
    loop {
        match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (p, q) => {
                let o = cmp_digits(p.unwrap_or("0"), q.unwrap_or("0"));
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

/// semver.org §11.4: identifiers compared one by one; numeric ones numerically and below
/// alphanumeric ones, which compare in ASCII order; a shorter list that is a prefix is lower.
pub(crate) fn cmp_identifiers(a: &str, b: &str) -> Ordering {
    let mut x = a.split('.');
    let mut y = b.split('.');
    loop {
        let o = match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) => match (all_digits(p), all_digits(q)) {
                (true, true) => cmp_digits(p, q),
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                (false, false) => p.cmp(q),
            },
        };
        if o != Ordering::Equal {
            return o;
        }
    }
}

fn cmp_pre(a: Option<&str>, b: Option<&str>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        // §11.3: a pre-release is lower than the release.
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(p), Some(q)) => cmp_identifiers(p, q),
    }
}

fn invalid_first(a: &str, b: &str, pa: Option<SemVer>, pb: Option<SemVer>) -> Option<Ordering> {
    match (pa, pb) {
        (Some(_), Some(_)) => None,
        (None, Some(_)) => Some(Ordering::Less),
        (Some(_), None) => Some(Ordering::Greater),
        (None, None) => Some(a.cmp(b)),
    }
}

/// SemVer 2.0 order (build metadata ignored).
pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    let (pa, pb) = (parse(a), parse(b));
    if let Some(o) = invalid_first(a, b, pa, pb) {
        return o;
    }
    let (x, y) = (pa.unwrap_or(EMPTY), pb.unwrap_or(EMPTY));
    cmp_core(x.core, y.core).then_with(|| cmp_pre(x.pre, y.pre))
}

const EMPTY: SemVer<'static> = SemVer {
    core: "0",
    pre: None,
    build: None,
};

/// Pub (Dart `pub_semver`) order: SemVer, then build metadata: none < some, then compared like
/// pre-release identifiers (`1.0.0 < 1.0.0+build`, `1.2.3+1 < 1.2.3+a`).
pub(crate) fn compare_pub(a: &str, b: &str) -> Ordering {
    let (pa, pb) = (parse(a), parse(b));
    if let Some(o) = invalid_first(a, b, pa, pb) {
        return o;
    }
    let (x, y) = (pa.unwrap_or(EMPTY), pb.unwrap_or(EMPTY));
    cmp_core(x.core, y.core)
        .then_with(|| cmp_pre(x.pre, y.pre))
        .then_with(|| match (x.build, y.build) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(p), Some(q)) => cmp_identifiers(p, q),
        })
}
