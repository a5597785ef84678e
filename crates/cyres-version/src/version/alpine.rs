//! Alpine order (apk `version.c`; package format doc `apk-package(5)`, "pkgver"):
//! `number{.number}…{letter}{_suffix{number}}…{~hash}{-r#}`.
//!
//! Compared part by part: numeric components (the first numerically; later ones that start
//! with `0` as strings, apk's "fractional" rule, so `1.02` < `1.1`; missing ones are `0`), then
//! the optional single lower-case letter (none < any), then suffixes (`_alpha` < `_beta` <
//! `_pre` < `_rc` < no suffix < `_cvs` < `_svn` < `_git` < `_hg` < `_p`, each with an optional
//! number), then the `-r` build number; the commit hash is ignored; text left over after all
//! that sorts below no leftover. A string where something other than `-r` follows the known
//! parts is invalid; two invalid versions that are otherwise equal compare by bytes. This is the
//! order the osv-scalibr fixtures (generated with `apk version -t`) check.
//!
//! Caveat: because only two *invalid* versions fall back to bytes (the fixtures need both
//! `1-ruff2` = `1--ruff1` and `0..1..0` < `0..1..1`), equality is not transitive across
//! malformed strings. Well-formed apk versions are totally ordered.

use super::cmp_digits;
use std::cmp::Ordering;

const SUFFIXES: &[&str] = &[
    "alpha", "beta", "pre", "rc", "", "cvs", "svn", "git", "hg", "p",
];
const NO_SUFFIX: usize = 4;

#[derive(Debug, Default)]
struct Apk<'a> {
    components: Vec<&'a str>,
    letter: Option<u8>,
    suffixes: Vec<(usize, &'a str)>,
    build: &'a str,
    /// Unparsed text after the `-r` build part (or where parsing stopped).
    remainder: &'a str,
    invalid: bool,
}

fn parse(s: &str) -> Apk<'_> {
    let mut v = Apk::default();
    let mut rest = s;
    // number{.number}…, a trailing `.` is eaten with the numbers.
    loop {
        let (d, r) = super::split_digits(rest);
        if d.is_empty() {
            break;
        }
        v.components.push(d);
        rest = r;
        match rest.strip_prefix('.') {
            Some(r) => rest = r,
            None => break,
        }
    }
    if let Some(&c) = rest.as_bytes().first()
        && c.is_ascii_lowercase()
    {
        v.letter = Some(c);
        rest = &rest[1..];
    }
    // _suffix{number}…
    'outer: while let Some(r) = rest.strip_prefix('_') {
        for (i, name) in SUFFIXES.iter().enumerate() {
            if i == NO_SUFFIX {
                continue;
            }
            if let Some(after) = r.strip_prefix(name) {
                let (d, after) = super::split_digits(after);
                v.suffixes.push((i, d));
                rest = after;
                continue 'outer;
            }
        }
        break;
    }
    // ~hash
    if let Some(r) = rest.strip_prefix('~') {
        let n = r
            .bytes()
            .take_while(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
            .count();
        if n > 0 {
            rest = &r[n..];
        }
    }
    // -r#
    if !rest.is_empty() {
        match rest.strip_prefix("-r") {
            Some(r) => {
                let (d, r) = super::split_digits(r);
                v.build = d;
                rest = r;
            }
            None => v.invalid = true,
        }
    }
    v.remainder = rest;
    v
}

fn cmp_component(i: usize, a: &str, b: &str) -> Ordering {
    if i != 0 && (a.starts_with('0') || b.starts_with('0')) {
        return a.cmp(b);
    }
    cmp_digits(a, b)
}

/// Alpine order.
pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    let (x, y) = (parse(a), parse(b));
    let n = x.components.len().max(y.components.len());
    for i in 0..n {
        let p = x.components.get(i).copied().unwrap_or("0");
        let q = y.components.get(i).copied().unwrap_or("0");
        let o = cmp_component(i, p, q);
        if o != Ordering::Equal {
            return o;
        }
    }
    let o = x.letter.cmp(&y.letter);
    if o != Ordering::Equal {
        return o;
    }
    let n = x.suffixes.len().max(y.suffixes.len());
    for i in 0..n {
        let (ks, ns) = x.suffixes.get(i).copied().unwrap_or((NO_SUFFIX, ""));
        let (kt, nt) = y.suffixes.get(i).copied().unwrap_or((NO_SUFFIX, ""));
        let o = ks.cmp(&kt).then_with(|| cmp_digits(ns, nt));
        if o != Ordering::Equal {
            return o;
        }
    }
    cmp_digits(x.build, y.build)
        // Leftover text makes a version lower than the same version without it.
        .then_with(|| x.remainder.is_empty().cmp(&y.remainder.is_empty()))
        .then_with(|| {
            if x.invalid && y.invalid {
                a.cmp(b)
            } else {
                Ordering::Equal
            }
        })
}
