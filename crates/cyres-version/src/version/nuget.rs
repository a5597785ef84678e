//! NuGet order (learn.microsoft.com/nuget/concepts/package-versioning, "Version precedence";
//! `NuGet.Versioning.VersionComparer`): up to four numeric parts (missing ones are `0`, so
//! `1.0` = `1.0.0.0`), then release labels as in SemVer 2.0 but compared case-insensitively;
//! build metadata (`+…`) is ignored. A leading `v` is tolerated. Invalid versions sort before
//! valid ones, then by case-insensitive bytes, then bytes.

use super::{all_digits, cmp_digits};
use std::cmp::Ordering;

struct NuGet<'a> {
    parts: &'a str,
    pre: Option<&'a str>,
}

fn parse(s: &str) -> Option<NuGet<'_>> {
    let s = s.trim();
    let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
    let s = s.split_once('+').map_or(s, |(v, _)| v);
    let (parts, pre) = match s.split_once('-') {
        Some((p, r)) => (p, Some(r)),
        None => (s, None),
    };
    if parts.split('.').count() > 4 || !parts.split('.').all(all_digits) {
        return None;
    }
    if pre.is_some_and(|p| p.split('.').any(str::is_empty)) {
        return None;
    }
    Some(NuGet { parts, pre })
}

fn cmp_labels(a: &str, b: &str) -> Ordering {
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
                (false, false) => cmp_ignore_case(p, q),
            },
        };
        if o != Ordering::Equal {
            return o;
        }
    }
}

pub(crate) fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// NuGet order.
pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => {
            let mut p = x.parts.split('.');
            let mut q = y.parts.split('.');
            for _ in 0..4 {
                let o = cmp_digits(p.next().unwrap_or("0"), q.next().unwrap_or("0"));
                if o != Ordering::Equal {
                    return o;
                }
            }
            match (x.pre, y.pre) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(l), Some(r)) => cmp_labels(l, r),
            }
        }
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (None, None) => cmp_ignore_case(a, b).then_with(|| a.cmp(b)),
    }
}
