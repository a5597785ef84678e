//! RPM order: `rpmvercmp` and EVR comparison as rpm ≥ 4.15 implements them (`rpmio/rpmver.c`,
//! `rpmio/rpmvercmp.c`), used for Red Hat, AlmaLinux, Rocky Linux, SUSE, openSUSE and friends.
//!
//! `[epoch:]version[-release]`: the epoch is the digits before a `:` (missing → `0`); the
//! release follows the last `-`. Epochs, versions and releases compare with `rpmvercmp`:
//! alphanumeric runs are compared left to right, everything else is a separator; `~` sorts
//! before anything (even the end), `^` after the end but before anything else; a digit run beats
//! a letter run; digit runs compare numerically, letter runs by bytes; the string with runs left
//! over wins. A missing release sorts below any release (`1` < `1-0`), as in the osv-scalibr
//! fixtures. Non-ASCII characters are separators.

use super::cmp_digits;
use std::cmp::Ordering;

/// `rpmvercmp`.
pub(crate) fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (mut one, mut two) = (a.as_bytes(), b.as_bytes());
    let sep = |c: &u8| !c.is_ascii_alphanumeric() && *c != b'~' && *c != b'^';
    loop {
        while one.first().is_some_and(sep) {
            one = &one[1..];
        }
        while two.first().is_some_and(sep) {
            two = &two[1..];
        }
        let (c1, c2) = (one.first().copied(), two.first().copied());
        if c1 == Some(b'~') || c2 == Some(b'~') {
            if c1 != Some(b'~') {
                return Ordering::Greater;
            }
            if c2 != Some(b'~') {
                return Ordering::Less;
            }
            one = &one[1..];
            two = &two[1..];
            continue;
        }
        if c1 == Some(b'^') || c2 == Some(b'^') {
            if c1.is_none() {
                return Ordering::Less;
            }
            if c2.is_none() {
                return Ordering::Greater;
            }
            if c1 != Some(b'^') {
                return Ordering::Greater;
            }
            if c2 != Some(b'^') {
                return Ordering::Less;
            }
            one = &one[1..];
            two = &two[1..];
            continue;
        }
        if c1.is_none() || c2.is_none() {
            break;
        }
        let isnum = one[0].is_ascii_digit();
        let run = |s: &[u8]| {
            s.iter()
                .take_while(|c| {
                    if isnum {
                        c.is_ascii_digit()
                    } else {
                        c.is_ascii_alphabetic()
                    }
                })
                .count()
        };
        let (n1, n2) = (run(one), run(two));
        if n2 == 0 {
            return if isnum {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let s1 = std::str::from_utf8(&one[..n1]).unwrap_or("");
        let s2 = std::str::from_utf8(&two[..n2]).unwrap_or("");
        let o = if isnum {
            cmp_digits(s1, s2)
        } else {
            s1.cmp(s2)
        };
        if o != Ordering::Equal {
            return o;
        }
        one = &one[n1..];
        two = &two[n2..];
    }
    match (one.is_empty(), two.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

/// Splits `[epoch:]version[-release]` as `rpmverParse` does.
pub(crate) fn split_evr(s: &str) -> (&str, &str, Option<&str>) {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let (epoch, rest) = if s.as_bytes().get(digits) == Some(&b':') {
        let e = &s[..digits];
        (if e.is_empty() { "0" } else { e }, &s[digits + 1..])
    } else {
        ("0", s)
    };
    match rest.rsplit_once('-') {
        Some((v, r)) => (epoch, v, Some(r)),
        None => (epoch, rest, None),
    }
}

/// RPM EVR order.
pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    let (ea, va, ra) = split_evr(a.trim());
    let (eb, vb, rb) = split_evr(b.trim());
    rpmvercmp(ea, eb)
        .then_with(|| rpmvercmp(va, vb))
        .then_with(|| match (ra, rb) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => rpmvercmp(x, y),
        })
}
