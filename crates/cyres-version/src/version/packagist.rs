//! Packagist (Composer) order: PHP's `version_compare` (php-src `ext/standard/versioning.c`),
//! which Composer's `Comparator` uses, on the version with a leading `v`/`V` removed.
//!
//! The version is canonicalised: `-`, `_`, `+` and any other non-alphanumeric character become
//! `.`, and a `.` is inserted at every digit/non-digit change (`1.0rc1` → `1.0.rc.1`). Parts
//! compare pairwise: numbers numerically (unbounded), words by their special-form rank
//! (`dev` < `alpha` = `a` < `beta` = `b` < `RC` = `rc` < `#` < `pl` = `p`, matched as
//! prefixes; any other word ranks below `dev`), and a number against a word as if the number
//! were `#`. When one side runs out, a remaining number makes it greater and a remaining word is
//! compared with `#`. The empty string sorts first.
//!
//! Caveat, inherited from PHP: `#` ranks equal to every number, so with `#` parts the relation
//! is not transitive (`1.2.3.# = 1.2.3.1` and `1.2.3.# = 1.2.3.2`). Composer versions never
//! contain `#` in practice.

use super::cmp_digits;
use std::cmp::Ordering;

fn canonicalize(v: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut prev: Option<char> = None;
    for c in v.chars() {
        let is_digit = c.is_ascii_digit();
        let boundary = match prev {
            Some(p) if p != '.' && c != '.' => p.is_ascii_digit() != is_digit,
            _ => false,
        };
        if c == '#' || c.is_ascii_alphanumeric() {
            if boundary && !cur.is_empty() {
                parts.push(std::mem::take(&mut cur));
            }
            cur.push(c);
        } else if !cur.is_empty() || prev.is_none() {
            parts.push(std::mem::take(&mut cur));
        }
        prev = Some(c);
    }
    if !cur.is_empty() {
        parts.push(cur);
    }
    parts
}

/// PHP's `compare_special_version_forms` rank of a word part.
fn special(form: &str) -> i32 {
    const FORMS: &[(&str, i32)] = &[
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("RC", 3),
        ("rc", 3),
        ("#", 4),
        ("pl", 5),
        ("p", 5),
    ];
    FORMS
        .iter()
        .find(|(name, _)| form.starts_with(name))
        .map_or(-1, |(_, o)| *o)
}

fn is_num(p: &str) -> bool {
    p.as_bytes().first().is_some_and(u8::is_ascii_digit)
}

fn cmp_parts(a: &[String], b: &[String]) -> Ordering {
    let n = a.len().min(b.len());
    for i in 0..n {
        let (p, q) = (&a[i], &b[i]);
        let o = match (is_num(p), is_num(q)) {
            (true, true) => cmp_digits(p, q),
            (false, false) => special(p).cmp(&special(q)),
            (true, false) => 4.cmp(&special(q)),
            (false, true) => special(p).cmp(&4),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    if a.len() > n {
        if is_num(&a[n]) {
            Ordering::Greater
        } else {
            cmp_parts(&a[n..], &["#".into()])
        }
    } else if b.len() > n {
        if is_num(&b[n]) {
            Ordering::Less
        } else {
            cmp_parts(&["#".into()], &b[n..])
        }
    } else {
        Ordering::Equal
    }
}

/// Packagist order.
pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    let strip = |s: &str| {
        let s = s.trim();
        s.strip_prefix(['v', 'V']).unwrap_or(s).to_string()
    };
    let (a, b) = (strip(a), strip(b));
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Less,
        (false, true) => return Ordering::Greater,
        _ => {}
    }
    cmp_parts(&canonicalize(&a), &canonicalize(&b))
}
