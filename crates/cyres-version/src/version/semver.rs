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
pub(crate) fn parse(s: &str) -> Option<SemVer<'_>> {
    let p = split(s)?;
    Some(SemVer {
        core: &s[p.core.0..p.core.1],
        pre: p.pre.map(|(a, b)| &s[a..b]),
        build: p.build.map(|(a, b)| &s[a..b]),
    })
}

/// Where the parts of a valid version lie in its text (byte offsets), and its core as numbers
/// when that form is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Parts {
    core: (usize, usize),
    pre: Option<(usize, usize)>,
    build: Option<(usize, usize)>,
    nums: Option<Nums>,
}

/// A core of at most [`NUM_PARTS`] parts of at most 19 digits each (every such number fits in a
/// `u64`), missing parts as `0`: compared as an array, it orders exactly as [`cmp_core`] does.
type Nums = [u64; NUM_PARTS];
const NUM_PARTS: usize = 4;

/// [`parse`] as offsets.
///
/// One pass over the bytes (the first `+` starts the build metadata, the first `-` before it
/// the pre-release), then one over the core: this runs once per version a range walk compares
/// (and once per comparison in [`compare`]), so it avoids the general-purpose string searchers.
fn split(s: &str) -> Option<Parts> {
    let trimmed = s.trim();
    let v = usize::from(trimmed.starts_with(['v', 'V']));
    let start = s.len() - s.trim_start().len() + v;
    let bytes = &trimmed.as_bytes()[v..];
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
    let build = (plus < bytes.len()).then_some((start + plus + 1, start + bytes.len()));
    let (core, pre) = match dash {
        Some(d) => ((start, start + d), Some((start + d + 1, start + plus))),
        None => ((start, start + plus), None),
    };
    // Dot-separated, each part a non-empty run of digits.
    let mut nums = [0u64; NUM_PARTS];
    let mut exact = true;
    let (mut part, mut part_len) = (0, 0);
    for &b in &s.as_bytes()[core.0..core.1] {
        if b == b'.' {
            if part_len == 0 {
                return None;
            }
            part += 1;
            part_len = 0;
        } else if b.is_ascii_digit() {
            part_len += 1;
            if part >= NUM_PARTS || part_len > 19 {
                exact = false;
            } else {
                nums[part] = nums[part] * 10 + u64::from(b - b'0');
            }
        } else {
            return None;
        }
    }
    if part_len == 0 {
        return None;
    }
    Some(Parts {
        core,
        pre,
        build,
        nums: exact.then_some(nums),
    })
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

/// A version's parse without its text: what a range keeps for each of its events, parsed once
/// ([`crate::range::Prepared`]); `None` inside for an invalid version.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Shape(Option<Parts>);

impl Shape {
    pub(crate) fn of(raw: &str) -> Self {
        Self(split(raw))
    }
}

/// A version parsed once for many comparisons (a range walk compares one version with every
/// event): the string and its parse.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Key<'a> {
    raw: &'a str,
    shape: Shape,
}

impl<'a> Key<'a> {
    pub(crate) fn new(raw: &'a str) -> Self {
        Self::with_shape(raw, Shape::of(raw))
    }

    /// `raw` with its parse worked out earlier (`Shape::of(raw)`).
    pub(crate) fn with_shape(raw: &'a str, shape: Shape) -> Self {
        Self { raw, shape }
    }

    /// The text and its parse, as [`compare_shaped`] takes them.
    pub(crate) fn shaped(&self) -> (&'a str, &Shape) {
        (self.raw, &self.shape)
    }
}

/// [`compare`] on parsed versions.
pub(crate) fn compare_keys(a: &Key<'_>, b: &Key<'_>) -> Ordering {
    compare_shaped((a.raw, &a.shape), (b.raw, &b.shape))
}

/// A part of a version's text (empty if the shape was not the text's: never a panic).
fn part(s: &str, (start, end): (usize, usize)) -> &str {
    s.get(start..end).unwrap_or_default()
}

/// [`compare`] on versions given with their parse (`Shape::of(text)`), both by reference: a
/// range walk compares one version with its prepared events without copying either.
pub(crate) fn compare_shaped((a, sa): (&str, &Shape), (b, sb): (&str, &Shape)) -> Ordering {
    // Invalid versions first, among themselves by bytes.
    let (x, y) = match (&sa.0, &sb.0) {
        (Some(x), Some(y)) => (x, y),
        (None, Some(_)) => return Ordering::Less,
        (Some(_), None) => return Ordering::Greater,
        (None, None) => return a.cmp(b),
    };
    let core = match (&x.nums, &y.nums) {
        (Some(m), Some(n)) => m.cmp(n),
        _ => cmp_core(part(a, x.core), part(b, y.core)),
    };
    core.then_with(|| cmp_pre(x.pre.map(|r| part(a, r)), y.pre.map(|r| part(b, r))))
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

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    /// `raw`'s key without the numeric core, so it compares through [`cmp_core`] on the text.
    fn textual(raw: &str) -> Key<'_> {
        let parts = split(raw).map(|p| Parts { nums: None, ..p });
        Key::with_shape(raw, Shape(parts))
    }

    const VERSIONS: &[&str] = &[
        "0",
        "0.0.0-0",
        "1",
        "1.2",
        "1.2.0",
        "1.2.3",
        " v1.2.3 ",
        "V1.2.3-rc.1",
        "1.2.3-rc.1+build",
        "1.2.3+build",
        "01.002.3",
        "1.2.3.4",
        "1.2.3.4.0",
        "1.2.3.4.5",
        "1.2.3.0.0.0",
        "9999999999999999999",
        "09999999999999999999",
        "10000000000000000000",
        "18446744073709551615",
        "18446744073709551616",
        "1.18446744073709551616",
        "v0.0.0-20220708121648-5fef4d92e758",
        "banana",
        "1..2",
        "",
    ];

    #[test]
    fn the_numeric_core_orders_as_the_text_does() {
        for a in VERSIONS {
            for b in VERSIONS {
                let fast = compare_keys(&Key::new(a), &Key::new(b));
                let text = compare_keys(&textual(a), &textual(b));
                assert_eq!(fast, text, "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn numbers_past_a_u64_and_parts_past_four_compare_by_value() {
        let cases = [
            ("9999999999999999999", Less, "10000000000000000000"),
            ("18446744073709551615", Less, "18446744073709551616"),
            ("09999999999999999999", Equal, "9999999999999999999"),
            ("1.2.3.4.0", Equal, "1.2.3.4"),
            ("1.2.3.4.5", Greater, "1.2.3.4"),
            ("1.2.3.0.0.0", Equal, "1.2.3"),
            ("1.18446744073709551616", Greater, "1.2"),
            (" v1.2.3 ", Equal, "1.2.3+build"),
            ("1.2.3-rc.1+build", Less, "1.2.3"),
            ("banana", Less, "0.0.0-0"),
        ];
        for (a, want, b) in cases {
            assert_eq!(compare(a, b), want, "{a} vs {b}");
            assert_eq!(compare(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn parts_are_read_from_the_trimmed_text() {
        let v = parse(" v1.2.3-rc.1+b.2 ").map(|p| (p.core, p.pre, p.build));
        assert_eq!(v, Some(("1.2.3", Some("rc.1"), Some("b.2"))));
        // Pub compares the build metadata, without the surrounding blanks.
        assert_eq!(compare_pub("1.0.0+a ", "1.0.0+a"), Equal);
        assert_eq!(compare_pub("1.0.0+a", "1.0.0+b"), Less);
    }
}
