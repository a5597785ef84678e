//! RubyGems order (`Gem::Version#<=>`, rubygems `lib/rubygems/version.rb`).
//!
//! A `-` becomes `.pre.`; the string is scanned into segments, each a digit run (a number) or a
//! letter run (a string): `1.0.a10` → `1 0 a 10`. Trailing zeros of the leading numeric part and
//! of the rest are dropped (`canonical_segments`), then segments compare pairwise, a missing one
//! counting as `0`: numbers numerically, strings by bytes, and any string below any number (so
//! `1.0.b1` < `1.0`). Strings that `Gem::Version` rejects (pattern
//! `[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?`) sort before valid ones, then
//! by bytes; the empty string is version `0`.

use super::cmp_digits;
use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seg<'a> {
    Num(&'a str),
    Str(&'a str),
}

fn valid(s: &str) -> bool {
    if s.is_empty() {
        return true;
    }
    let (main, pre) = match s.split_once('-') {
        Some((m, p)) => (m, Some(p)),
        None => (s, None),
    };
    let mut parts = main.split('.');
    let first_ok = parts.next().is_some_and(super::all_digits);
    let rest_ok = parts.all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_alphanumeric()));
    let pre_ok = pre.is_none_or(|p| {
        p.split('.')
            .all(|q| !q.is_empty() && q.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'))
    });
    first_ok && rest_ok && pre_ok
}

fn segments(s: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    let mut rest = s;
    let mut pre_inserted = false;
    while !rest.is_empty() {
        let (d, r) = super::split_digits(rest);
        if !d.is_empty() {
            out.push(Seg::Num(d.trim_start_matches('0')));
            rest = r;
            continue;
        }
        let (a, r) = super::split_alpha(rest);
        if !a.is_empty() {
            out.push(Seg::Str(a));
            rest = r;
            continue;
        }
        // `-` is replaced by `.pre.`: a `pre` string segment.
        if rest.starts_with('-') {
            out.push(Seg::Str("pre"));
            pre_inserted = true;
        }
        let n = rest.chars().next().map_or(1, char::len_utf8);
        rest = &rest[n..];
    }
    let _ = pre_inserted;
    // canonical_segments: drop trailing zeros of the numeric prefix and of the rest.
    let split = out
        .iter()
        .position(|s| matches!(s, Seg::Str(_)))
        .unwrap_or(out.len());
    let (mut nums, mut strs) = (out[..split].to_vec(), out[split..].to_vec());
    while nums.last() == Some(&Seg::Num("")) {
        nums.pop();
    }
    while strs.last() == Some(&Seg::Num("")) {
        strs.pop();
    }
    nums.extend(strs);
    nums
}

/// RubyGems order.
pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    let (ta, tb) = (a.trim(), b.trim());
    match (valid(ta), valid(tb)) {
        (true, true) => {}
        (false, true) => return Ordering::Less,
        (true, false) => return Ordering::Greater,
        (false, false) => return a.cmp(b),
    }
    let (x, y) = (segments(ta), segments(tb));
    let n = x.len().max(y.len());
    for i in 0..n {
        let l = x.get(i).copied().unwrap_or(Seg::Num(""));
        let r = y.get(i).copied().unwrap_or(Seg::Num(""));
        let o = match (l, r) {
            (Seg::Num(p), Seg::Num(q)) => cmp_digits(p, q),
            (Seg::Str(_), Seg::Num(_)) => Ordering::Less,
            (Seg::Num(_), Seg::Str(_)) => Ordering::Greater,
            (Seg::Str(p), Seg::Str(q)) => p.cmp(q),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}
