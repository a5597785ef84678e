//! SemVer 2.0 order (semver.org §11), used by npm, crates.io, Go, Hex and every OSV `SEMVER`
//! range; plus the Pub variant, which also orders build metadata.
//!
//! Leniency, documented (as OSV's own matchers do): a leading `v`/`V` is ignored (Go's `v1.2.3`);
//! the core may have any number of numeric components, missing ones count as `0`
//! (`1.2` = `1.2.0`, `1.1.3.4.5` is accepted); numbers are unbounded. Build metadata (`+…`) is
//! ignored (§10). Go pseudo-versions (`v0.0.0-20220708121648-5fef4d92e758`) are ordinary
//! pre-releases and sort as Go sorts them. A string whose core is not dot-separated digits is
//! invalid: invalid versions sort before every valid one, and among themselves by bytes.

use super::{all_digits, cmp_digit_bytes, cmp_digits};
use std::cmp::Ordering;

/// A borrowed, parsed lenient SemVer version.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SemVer<'a> {
    core: &'a str,
    pre: Option<&'a str>,
    build: Option<&'a str>,
}

/// Parses `s` leniently; `None` if the core is not dot-separated digits.
///
/// One pass over the bytes (the first `+` starts the build metadata, the first `-` before it
/// the pre-release), then one over the core: this runs for every comparison a range walk makes,
/// so it avoids the general-purpose string searchers.
pub(crate) fn parse(s: &str) -> Option<SemVer<'_>> {
    let s = s.trim();
    let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
    let bytes = s.as_bytes();
    let mut dash = None;
    let mut plus = bytes.len();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'+' {
            plus = i;
            break;
        }
        if b == b'-' && dash.is_none() {
            dash = Some(i);
        }
    }
    let build = (plus < bytes.len()).then(|| &s[plus + 1..]);
    let (core, pre) = match dash {
        Some(d) => (&s[..d], Some(&s[d + 1..plus])),
        None => (&s[..plus], None),
    };
    // Dot-separated, each part a non-empty run of digits.
    let mut part_len = 0;
    for &b in core.as_bytes() {
        if b == b'.' {
            if part_len == 0 {
                return None;
            }
            part_len = 0;
        } else if b.is_ascii_digit() {
            part_len += 1;
        } else {
            return None;
        }
    }
    if part_len == 0 {
        return None;
    }
    Some(SemVer { core, pre, build })
}

/// Compares two validated cores part by part; a missing part counts as `0`.
fn cmp_core(a: &str, b: &str) -> Ordering {
    let mut x = a.as_bytes().split(|&c| c == b'.');
    let mut y = b.as_bytes().split(|&c| c == b'.');
    loop {
        match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (p, q) => {
                let o = cmp_digit_bytes(p.unwrap_or(b"0"), q.unwrap_or(b"0"));
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
    compare_keys(&Key::new(a), &Key::new(b))
}

/// A version parsed once for many comparisons (a range walk compares one version with every
/// event): the string and its parse.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Key<'a> {
    raw: &'a str,
    parsed: Option<SemVer<'a>>,
}

impl<'a> Key<'a> {
    pub(crate) fn new(raw: &'a str) -> Self {
        Self {
            raw,
            parsed: parse(raw),
        }
    }
}

/// [`compare`] on parsed versions.
pub(crate) fn compare_keys(a: &Key<'_>, b: &Key<'_>) -> Ordering {
    if let Some(o) = invalid_first(a.raw, b.raw, a.parsed, b.parsed) {
        return o;
    }
    let (x, y) = (a.parsed.unwrap_or(EMPTY), b.parsed.unwrap_or(EMPTY));
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
