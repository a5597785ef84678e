//! Maven order, as the Maven POM reference's "Version Order Specification"
//! (maven.apache.org/pom.html#version-order-specification) defines it.
//!
//! - The version is split into tokens at `.` and `-` and at every digit/non-digit transition;
//!   each token remembers its prefix (`.` or `-`; a transition counts as `-`). Tokens are
//!   lower-cased; an empty token is `0`; `cr` is `rc`; `ga`, `final` and `release` are the empty
//!   qualifier; `a`, `b`, `m` directly followed by a number are `alpha`, `beta`, `milestone`;
//!   numbers lose leading zeros (and are unbounded).
//! - Trailing "null" tokens (`0`, empty qualifier) are trimmed from the end, and again before
//!   each remaining hyphen, from end to start (`1.0.0-foo.0.0` → `1-foo`).
//! - Tokens compare pairwise; the shorter version is padded with nulls of the other side's
//!   prefix (`.0` or `-""`). Same prefix: numbers numerically, numbers above qualifiers, then
//!   qualifiers `alpha` < `beta` < `milestone` < `rc` < `snapshot` < `""` < `sp` < unknown
//!   ones alphabetically. Different prefix: `.qualifier` < `-qualifier` < `-number` <
//!   `.number`.
//!
//! Every string parses, so the order is total. Caveat inherited from the specification's
//! padding rule (the pad depends on the other side's prefix): on strings that *start* with a
//! separator the relation can be intransitive (`""` < `.dev` < `-alpha` < `""`), and so it is
//! with an unknown qualifier after a `.` (`1alpha` < `1` < `1.foo` < `1alpha`, found by the
//! `version_order` fuzz target; Maven's `ComparableVersion` gives the same three answers).

use super::cmp_digits;
use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    /// `b'.'`, `b'-'`, or 0 for the first token.
    prefix: u8,
    value: String,
    /// A padding token (not from the version string).
    null: bool,
}

const KEYWORDS: &[&str] = &["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

fn is_num(v: &str) -> bool {
    super::all_digits(v)
}

fn tokenize(s: &str) -> Vec<Token> {
    let lower = s.to_lowercase();
    let mut out = Vec::new();
    let mut prefix = 0u8;
    let mut consumed = 0;
    for raw in lower.split(['.', '-']) {
        if consumed > 0 {
            // The separator before this raw token.
            prefix = lower.as_bytes()[consumed - 1];
        }
        consumed += raw.len() + 1;
        // Pieces at digit/non-digit transitions.
        let b = raw.as_bytes();
        let mut start = 0;
        let mut pieces = Vec::new();
        for i in 1..b.len() {
            if b[i].is_ascii_digit() != b[i - 1].is_ascii_digit() {
                pieces.push(&raw[start..i]);
                start = i;
            }
        }
        pieces.push(&raw[start..]);
        let last = pieces.len() - 1;
        for (j, piece) in pieces.into_iter().enumerate() {
            let p = if j > 0 { b'-' } else { prefix };
            let mut v = match piece {
                "" => "0",
                "cr" => "rc",
                "ga" | "final" | "release" => "",
                other => other,
            };
            if j != last {
                v = match v {
                    "a" => "alpha",
                    "b" => "beta",
                    "m" => "milestone",
                    other => other,
                };
            }
            let value = if super::all_digits(v) {
                let t = v.trim_start_matches('0');
                if t.is_empty() {
                    "0".to_string()
                } else {
                    t.to_string()
                }
            } else {
                v.to_string()
            };
            out.push(Token {
                prefix: p,
                value,
                null: false,
            });
        }
    }
    // Trim nulls from the end, and before each remaining hyphen.
    let trimmable = |t: &Token| t.value == "0" || t.value.is_empty();
    let mut i = out.len() as isize - 1;
    while i > 0 {
        let iu = i as usize;
        if trimmable(&out[iu]) {
            out.remove(iu);
            i -= 1;
            continue;
        }
        while i >= 0 && out[i as usize].prefix != b'-' {
            i -= 1;
        }
        i -= 1;
    }
    out
}

fn keyword(v: &str) -> usize {
    KEYWORDS
        .iter()
        .position(|k| *k == v)
        .unwrap_or(KEYWORDS.len())
}

fn kind_order(t: &Token) -> u8 {
    match (is_num(&t.value), t.prefix) {
        (true, b'-') => 2,
        (true, _) => 3,
        (false, b'-') => 1,
        (false, _) => 0,
    }
}

fn token_less(v: &Token, w: &Token) -> bool {
    if v.prefix == w.prefix {
        let (vn, wn) = (is_num(&v.value), is_num(&w.value));
        if vn && wn {
            return cmp_digits(&v.value, &w.value) == Ordering::Less;
        }
        if vn && !v.null {
            return false;
        }
        if wn && !w.null {
            return true;
        }
        let (l, r) = (keyword(&v.value), keyword(&w.value));
        if l == KEYWORDS.len() && r == KEYWORDS.len() {
            return v.value < w.value;
        }
        return l < r;
    }
    kind_order(v) < kind_order(w)
}

fn null_like(t: &Token) -> Token {
    if t.prefix == b'-' {
        Token {
            prefix: b'-',
            value: String::new(),
            null: true,
        }
    } else {
        // `sp` is the one qualifier above the empty one; pad it with "" so that 1 < 1.sp.
        let value = if t.value == "sp" {
            String::new()
        } else {
            "0".to_string()
        };
        Token {
            prefix: b'.',
            value,
            null: true,
        }
    }
}

fn less(a: &[Token], b: &[Token]) -> bool {
    let n = a.len().max(b.len());
    for i in 0..n {
        let l = a.get(i).cloned().unwrap_or_else(|| null_like(&b[i]));
        let r = b.get(i).cloned().unwrap_or_else(|| null_like(&a[i]));
        if l.prefix == r.prefix && l.value == r.value {
            continue;
        }
        return token_less(&l, &r);
    }
    false
}

/// Maven order.
pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (x, y) = (tokenize(a), tokenize(b));
    if less(&x, &y) {
        Ordering::Less
    } else if less(&y, &x) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}
