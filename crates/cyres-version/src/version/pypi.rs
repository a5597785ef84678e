//! PyPI order: PEP 440 (packaging.python.org "Version specifiers"), as Python `packaging`
//! implements it.
//!
//! Parsing accepts everything PEP 440's normalisation accepts: case-insensitive, surrounding
//! whitespace, a leading `v`, `alpha`/`a`, `beta`/`b`, `c`/`pre`/`preview`/`rc`, `post`/`rev`/`r`
//! and the implicit post release `1.0-1`, optional separators (`.`, `-`, `_`) and implied zero
//! numbers, and local versions (`+ubuntu.1`, separators `.`/`-`/`_`).
//!
//! Order (PEP 440 "Summary of permitted suffixes and relative ordering"): epoch, then release
//! (trailing zeros ignored: `1.0` = `1.0.0`), then dev-only releases before pre-releases before
//! the release before post releases, dev releases of each before it; then the local version
//! (none < any; numeric segments above alphanumeric ones, alphanumeric ones case-insensitive).
//!
//! Invalid versions (pre-PEP 440 "legacy" strings such as `0.9-doduo`) get the place the old
//! `packaging.version.LegacyVersion` gave them: before every valid version, ordered among
//! themselves by LegacyVersion's key (digit runs zero-padded to 8, words prefixed `*`,
//! `pre`/`preview`/`rc` → `c`, `dev` → `@`, `-` → `final-`), then by bytes as a final tie-break.

use super::cmp_digits;
use std::cmp::Ordering;

/// A parsed PEP 440 version; numbers kept as digit strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pep440<'a> {
    epoch: &'a str,
    /// The dotted release numbers, e.g. `1.2.3`.
    release: &'a str,
    /// (kind 0=a 1=b 2=rc, number)
    pre: Option<(u8, &'a str)>,
    post: Option<&'a str>,
    dev: Option<&'a str>,
    /// The local label after `+`, separators as written (`.`, `-`, `_`).
    local: Option<&'a str>,
}

struct Cursor<'a> {
    s: &'a str,
}

impl<'a> Cursor<'a> {
    fn digits(&mut self) -> Option<&'a str> {
        let (d, rest) = super::split_digits(self.s);
        if d.is_empty() {
            return None;
        }
        self.s = rest;
        Some(d)
    }
    fn eat(&mut self, c: char) -> bool {
        match self.s.strip_prefix(c) {
            Some(r) => {
                self.s = r;
                true
            }
            None => false,
        }
    }
    fn sep(&mut self) -> bool {
        self.eat('.') || self.eat('-') || self.eat('_')
    }
    /// Eats one of `words` (already lower-case input), longest first as listed.
    fn word(&mut self, words: &[&str]) -> Option<usize> {
        for (i, w) in words.iter().enumerate() {
            if let Some(r) = self.s.strip_prefix(w) {
                self.s = r;
                return Some(i);
            }
        }
        None
    }
    /// `[sep]? digits?` after a suffix word; a missing number is `0`.
    fn opt_number(&mut self) -> &'a str {
        let save = self.s;
        let had_sep = self.sep();
        match self.digits() {
            Some(d) => d,
            None => {
                if had_sep {
                    self.s = save;
                }
                "0"
            }
        }
    }
}

/// Parses a PEP 440 version (input already lower-cased and trimmed by the caller).
pub(crate) fn parse(s: &str) -> Option<Pep440<'_>> {
    let body = s.strip_prefix('v').unwrap_or(s);
    let mut c = Cursor { s: body };
    let first = c.digits()?;
    let epoch = if c.eat('!') {
        first
    } else {
        c.s = body;
        "0"
    };
    let release_start = c.s;
    c.digits()?;
    loop {
        let save = c.s;
        if c.eat('.') && c.digits().is_some() {
            continue;
        }
        c.s = save;
        break;
    }
    let release = &release_start[..release_start.len() - c.s.len()];
    // pre-release
    let mut pre = None;
    let save = c.s;
    c.sep();
    const PRE: &[&str] = &["alpha", "beta", "preview", "pre", "rc", "a", "b", "c"];
    match c.word(PRE) {
        Some(i) => {
            let kind = match i {
                0 | 5 => 0,
                1 | 6 => 1,
                _ => 2,
            };
            pre = Some((kind, c.opt_number()));
        }
        None => c.s = save,
    }
    // post-release: `-N` or `[sep]post|rev|r[sep]N`
    let mut post = None;
    let save = c.s;
    if c.eat('-')
        && let Some(d) = c.digits()
    {
        post = Some(d);
    } else {
        c.s = save;
        c.sep();
        if c.word(&["post", "rev", "r"]).is_some() {
            post = Some(c.opt_number());
        } else {
            c.s = save;
        }
    }
    // dev-release
    let mut dev = None;
    let save = c.s;
    c.sep();
    if c.word(&["dev"]).is_some() {
        dev = Some(c.opt_number());
    } else {
        c.s = save;
    }
    // local version
    let mut local = None;
    if c.eat('+') {
        for seg in c.s.split(['.', '-', '_']) {
            if seg.is_empty() || !seg.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return None;
            }
        }
        local = Some(c.s);
        c.s = "";
    }
    if !c.s.is_empty() {
        return None;
    }
    Some(Pep440 {
        epoch,
        release,
        pre,
        post,
        dev,
        local,
    })
}

fn cmp_release(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.split('.'), b.split('.'));
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

/// The pre-release slot as packaging orders it: dev-only releases (`1.0.dev1`) lowest, then
/// a < b < rc by number, then no pre-release at all.
fn pre_key<'a>(v: &Pep440<'a>) -> (u8, u8, &'a str) {
    match (v.pre, v.post, v.dev) {
        (None, None, Some(_)) => (0, 0, ""),
        (Some((k, n)), _, _) => (1, k, n),
        (None, _, _) => (2, 0, ""),
    }
}

fn cmp_opt_num(a: Option<&str>, b: Option<&str>, none_low: bool) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => {
            if none_low {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        }
        (Some(_), None) => {
            if none_low {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Some(x), Some(y)) => cmp_digits(x, y),
    }
}

fn cmp_local(a: Option<&str>, b: Option<&str>) -> Ordering {
    let seps = ['.', '-', '_'];
    let (mut xs, mut ys) = match (a, b) {
        (None, None) => return Ordering::Equal,
        (None, Some(_)) => return Ordering::Less,
        (Some(_), None) => return Ordering::Greater,
        (Some(a), Some(b)) => (a.split(seps), b.split(seps)),
    };
    loop {
        let (x, y) = match (xs.next(), ys.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => (x, y),
        };
        let o = match (super::all_digits(x), super::all_digits(y)) {
            (true, true) => cmp_digits(x, y),
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
}

/// PEP 440 order of two parsed versions.
pub(crate) fn cmp_parsed(a: &Pep440, b: &Pep440) -> Ordering {
    cmp_digits(a.epoch, b.epoch)
        .then_with(|| cmp_release(a.release, b.release))
        .then_with(|| {
            let (x, y) = (pre_key(a), pre_key(b));
            x.0.cmp(&y.0)
                .then(x.1.cmp(&y.1))
                .then_with(|| cmp_digits(x.2, y.2))
        })
        .then_with(|| cmp_opt_num(a.post, b.post, true))
        .then_with(|| cmp_opt_num(a.dev, b.dev, false))
        .then_with(|| cmp_local(a.local, b.local))
}

/// The `LegacyVersion` key of an invalid version.
fn legacy_key(s: &str) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    let push = |part: String, parts: &mut Vec<String>| {
        if part.starts_with('*') {
            if part.as_str() < "*final" {
                while parts.last().is_some_and(|p| p == "*final-") {
                    parts.pop();
                }
            }
            while parts.last().is_some_and(|p| p == "00000000") {
                parts.pop();
            }
        }
        parts.push(part);
    };
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let part = if b[i].is_ascii_digit() {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            format!("{:0>8}", &s[start..i])
        } else if b[i].is_ascii_lowercase() {
            while i < b.len() && b[i].is_ascii_lowercase() {
                i += 1;
            }
            match &s[start..i] {
                "pre" | "preview" | "rc" => "*c".to_string(),
                "dev" => "*@".to_string(),
                w => format!("*{w}"),
            }
        } else if b[i] == b'-' {
            i += 1;
            "*final-".to_string()
        } else if b[i] == b'.' {
            i += 1;
            continue;
        } else {
            // Any other character run is kept as a word, as the regex split keeps it.
            let ch_len = s[i..].chars().next().map_or(1, char::len_utf8);
            i += ch_len;
            while i < b.len()
                && !b[i].is_ascii_alphanumeric()
                && b[i] != b'-'
                && b[i] != b'.'
                && b[i].is_ascii()
            {
                i += 1;
            }
            format!("*{}", &s[start..i])
        };
        push(part, &mut parts);
    }
    push("*final".to_string(), &mut parts);
    parts
}

/// Trimmed and lower-cased, without allocating when already lower case.
fn lower(s: &str) -> std::borrow::Cow<'_, str> {
    let t = s.trim();
    if t.bytes().any(|c| c.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(t.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(t)
    }
}

/// PyPI order, with the documented place for invalid versions.
pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    let (la, lb) = (lower(a), lower(b));
    match (parse(&la), parse(&lb)) {
        (Some(x), Some(y)) => cmp_parsed(&x, &y),
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (None, None) => legacy_key(&la).cmp(&legacy_key(&lb)).then_with(|| a.cmp(b)),
    }
}
