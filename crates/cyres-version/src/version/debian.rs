//! Debian order: dpkg's `verrevcmp` (Debian Policy §5.6.12 "Version").
//!
//! `[epoch:]upstream[-revision]`: the epoch is the digits before the first `:` (default 0), the
//! revision follows the last `-` (default empty, which equals `0`). Upstream and revision are
//! compared by alternating non-digit and digit runs: non-digit runs character by character
//! with `~` below the end of the run, the end below letters, letters below everything else;
//! digit runs numerically. Every string gets a place: an epoch that is not a number makes the
//! whole string the upstream part of an epoch-0 version.

use super::cmp_digits;
use std::cmp::Ordering;

fn split(v: &str) -> (&str, &str, &str) {
    let v = v.trim();
    let (epoch, rest) = match v.split_once(':') {
        Some((e, r)) if super::all_digits(e) => (e, r),
        _ => ("0", v),
    };
    match rest.rsplit_once('-') {
        Some((u, r)) => (epoch, u, r),
        None => (epoch, rest, ""),
    }
}

/// dpkg's character weight in a non-digit run.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => c as i32,
        Some(c) => c as i32 + 256,
    }
}

/// dpkg `verrevcmp`.
pub(crate) fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    while !a.is_empty() || !b.is_empty() {
        while a.first().is_some_and(|c| !c.is_ascii_digit())
            || b.first().is_some_and(|c| !c.is_ascii_digit())
        {
            let (ac, bc) = (order(a.first().copied()), order(b.first().copied()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            a = a.get(1..).unwrap_or(&[]);
            b = b.get(1..).unwrap_or(&[]);
        }
        let na = a.iter().take_while(|c| c.is_ascii_digit()).count();
        let nb = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let da = std::str::from_utf8(&a[..na]).unwrap_or("");
        let db = std::str::from_utf8(&b[..nb]).unwrap_or("");
        let o = cmp_digits(da, db);
        if o != Ordering::Equal {
            return o;
        }
        a = &a[na..];
        b = &b[nb..];
    }
    Ordering::Equal
}

/// Debian order.
pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    let (ea, ua, ra) = split(a);
    let (eb, ub, rb) = split(b);
    cmp_digits(ea, eb)
        .then_with(|| verrevcmp(ua, ub))
        .then_with(|| verrevcmp(ra, rb))
}
