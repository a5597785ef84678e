//! CPE 2.3 names (NISTIR 7695 "Naming Specification"), name matching (NISTIR 7696 "Name
//! Matching"), and a fuzzy version order for the firmware components that only have a CPE.
//!
//! **Bindings.** [`Cpe::parse`] reads the 2.3 formatted string
//! (`cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*`, backslash escapes such as `\:` and `\.`)
//! and the 2.2 URI binding (`cpe:/a:openssl:openssl:1.1.1k`, percent-encoding, missing or empty
//! components meaning ANY, and the `~`-packed edition). Values are stored unescaped and lower
//! case (CPE matching is case-insensitive); `*` is ANY and `-` is NA. Wildcards inside a value
//! (`1.1.*`) are kept as literal text and not expanded.
//!
//! **Matching** ([`Cpe::matches`], NISTIR 7696 §6.1): a source (the pattern, e.g. an NVD
//! configuration's criteria) matches a target when every attribute is a superset of or equal to
//! the target's: source ANY matches everything; source NA matches only NA; a source value
//! matches the same value, compared case-insensitively.
//!
//! **Fuzzy version order** ([`compare_versions`]), for firmware strings that follow no
//! scheme (openssl `1.1.1k`, busybox `1.36.1`, the kernel's `5.10.0-8`, dropbear `2020.81`):
//! 1. The version is read as tokens: digit runs (numbers) and letter runs (words); any other
//!    character separates tokens.
//! 2. Words are pre-release words (`dev` < `snapshot` < `alpha` < `beta` < `milestone` < `pre`
//!    < `preview` < `rc`) or patch words (anything else, openssl's `k`, `p1`'s `p`).
//! 3. Zero numbers directly before the end or before a pre-release word are dropped, so
//!    `1.0` = `1.0.0` and `1.0.0-rc1` reads as `1 rc 1`.
//! 4. Token sequences compare position by position with the rank: pre-release word < end of
//!    version < patch word < number. Numbers compare numerically (unbounded), pre-release words
//!    by the order above, patch words alphabetically (case-insensitive).
//!
//! So `1.1.1k` < `1.1.1w` < `3.0.2`, `1.1.1` < `1.1.1a`, `1.0.0-rc1` < `1.0.0` < `1.0.1`,
//! `5.10.0-8` < `5.10.0-9`, and the relation is a total preorder (it compares keys).

use crate::version::cmp_digits;
use std::cmp::Ordering;
use std::ops::Bound;

/// A CPE 2.3 name. Every attribute is unescaped and lower case; `*` is ANY, `-` is NA.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cpe {
    /// `a`, `o`, `h` (or `*`).
    pub part: String,
    /// Vendor, unescaped, lower case.
    pub vendor: String,
    /// Product, unescaped, lower case.
    pub product: String,
    /// Version (`*` for any, `-` for not applicable).
    pub version: String,
    /// Update.
    pub update: String,
    /// Edition (legacy).
    pub edition: String,
    /// Language.
    pub language: String,
    /// Software edition.
    pub sw_edition: String,
    /// Target software.
    pub target_sw: String,
    /// Target hardware.
    pub target_hw: String,
    /// Other.
    pub other: String,
}

/// Why a string is not a CPE name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CpeError {
    /// Anything wrong, with a message naming the problem.
    #[error("invalid CPE {input:?}: {reason}")]
    Invalid {
        /// The input, as given.
        input: String,
        /// What is wrong.
        reason: String,
    },
}

/// Most bytes of attribute values (unescaped) accepted. The limit is on the values, not the
/// text, so that every accepted name also re-parses from its printed form, in which escaping
/// may double the length.
const MAX_CPE_LEN: usize = 4096;

/// Longest text looked at: room for [`MAX_CPE_LEN`] bytes of values, each escaped, plus the
/// separators and surrounding whitespace.
const MAX_CPE_TEXT: usize = 3 * MAX_CPE_LEN;

fn err(input: &str, reason: &str) -> CpeError {
    let mut shown: String = input.chars().take(200).collect();
    if shown.len() < input.len() {
        shown.push('…');
    }
    CpeError::Invalid {
        input: shown,
        reason: reason.to_string(),
    }
}

/// Splits a formatted string at unescaped `:`.
fn split_fs(s: &str) -> Result<Vec<String>, &'static str> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n) => {
                    cur.push('\\');
                    cur.push(n);
                }
                None => return Err("dangling `\\` at the end"),
            },
            ':' => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    Ok(out)
}

/// One formatted-string value: `*` ANY, `-` NA, otherwise escapes removed and lower-cased.
fn fs_value(raw: &str) -> Result<String, &'static str> {
    if raw.is_empty() {
        return Err("empty attribute (use `*` for ANY)");
    }
    if raw == "*" || raw == "-" {
        return Ok(raw.to_string());
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    Ok(out.to_lowercase())
}

/// One URI value: empty is ANY, `-` NA, percent-decoded and lower-cased otherwise.
fn uri_value(raw: &str) -> Result<String, String> {
    match raw {
        "" | "*" => Ok("*".into()),
        "-" => Ok("-".into()),
        _ => Ok(crate::purl::percent_decode(raw)?.to_lowercase()),
    }
}

impl Cpe {
    /// Parses a CPE 2.3 formatted string or a CPE 2.2 URI.
    pub fn parse(input: &str) -> Result<Self, CpeError> {
        if input.len() > MAX_CPE_TEXT {
            return Err(err(input, "too long"));
        }
        let s = input.trim();
        let lower_prefix = s.get(..8).map(str::to_ascii_lowercase);
        if lower_prefix.as_deref() == Some("cpe:2.3:") {
            let parts = split_fs(&s[8..]).map_err(|r| err(input, r))?;
            if parts.len() != 11 {
                return Err(err(
                    input,
                    "a 2.3 formatted string has 11 attributes after `cpe:2.3:`",
                ));
            }
            let v: Vec<String> = parts
                .iter()
                .map(|p| fs_value(p))
                .collect::<Result<_, _>>()
                .map_err(|r| err(input, r))?;
            return Self::from_values(input, v);
        }
        if s.get(..5).map(str::to_ascii_lowercase).as_deref() == Some("cpe:/") {
            let parts: Vec<&str> = s[5..].split(':').collect();
            if parts.len() > 7 {
                return Err(err(input, "a 2.2 URI has at most 7 components"));
            }
            let mut v: Vec<String> = parts
                .iter()
                .map(|p| uri_value(p))
                .collect::<Result<_, _>>()
                .map_err(|r| err(input, &r))?;
            v.resize(7, "*".into());
            // NISTIR 7695 §6.1.3.2: an edition starting with `~` packs five attributes.
            let packed = parts.get(5).filter(|e| e.starts_with('~'));
            let mut extra = vec!["*".to_string(); 4];
            if let Some(e) = packed {
                let f: Vec<&str> = e[1..].split('~').collect();
                if f.len() != 5 {
                    return Err(err(input, "a packed edition has 5 `~`-separated fields"));
                }
                v[5] = uri_value(f[0]).map_err(|r| err(input, &r))?;
                for i in 0..4 {
                    extra[i] = uri_value(f[i + 1]).map_err(|r| err(input, &r))?;
                }
            }
            v.extend(extra);
            return Self::from_values(input, v);
        }
        Err(err(input, "must start with `cpe:2.3:` or `cpe:/`"))
    }

    fn from_values(input: &str, v: Vec<String>) -> Result<Self, CpeError> {
        let mut it = v.into_iter();
        let mut next = || it.next().unwrap_or_else(|| "*".to_string());
        let cpe = Cpe {
            part: next(),
            vendor: next(),
            product: next(),
            version: next(),
            update: next(),
            edition: next(),
            language: next(),
            sw_edition: next(),
            target_sw: next(),
            target_hw: next(),
            other: next(),
        };
        if cpe.attributes().iter().map(|a| a.len()).sum::<usize>() > MAX_CPE_LEN {
            return Err(err(input, "too long"));
        }
        if !matches!(cpe.part.as_str(), "a" | "o" | "h" | "*") {
            return Err(err(input, "part must be a, o or h"));
        }
        Ok(cpe)
    }

    fn attributes(&self) -> [&str; 11] {
        [
            &self.part,
            &self.vendor,
            &self.product,
            &self.version,
            &self.update,
            &self.edition,
            &self.language,
            &self.sw_edition,
            &self.target_sw,
            &self.target_hw,
            &self.other,
        ]
    }

    /// NISTIR 7696 name matching: whether `self` (the source, a pattern) matches `target`.
    pub fn matches(&self, target: &Cpe) -> bool {
        self.attributes()
            .iter()
            .zip(target.attributes())
            .all(|(s, t)| attr_matches(s, t))
    }

    /// Like [`Cpe::matches`] but ignoring the version attribute, for NVD `cpeMatch` entries
    /// whose version is `*` and whose bounds go through [`version_in_range`].
    pub fn matches_except_version(&self, target: &Cpe) -> bool {
        self.attributes()
            .iter()
            .zip(target.attributes())
            .enumerate()
            .all(|(i, (s, t))| i == 3 || attr_matches(s, t))
    }
}

/// NISTIR 7696 Table 6-2, reduced to "is the source a superset of or equal to the target".
fn attr_matches(source: &str, target: &str) -> bool {
    match (source, target) {
        ("*", _) => true,
        ("-", t) => t == "-",
        (_, "*" | "-") => false,
        (s, t) => s == t,
    }
}

impl std::fmt::Display for Cpe {
    /// The 2.3 formatted string.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cpe:2.3")?;
        for a in self.attributes() {
            f.write_str(":")?;
            if a == "*" || a == "-" {
                f.write_str(a)?;
                continue;
            }
            for c in a.chars() {
                if !(c.is_alphanumeric() || matches!(c, '.' | '-' | '_')) {
                    f.write_str("\\")?;
                }
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

impl std::str::FromStr for Cpe {
    type Err = CpeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cpe::parse(s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    Pre(u8),
    End,
    Patch(&'a str),
    Num(&'a str),
}

const PRE_WORDS: &[&str] = &[
    "dev",
    "snapshot",
    "alpha",
    "beta",
    "milestone",
    "pre",
    "preview",
    "rc",
];

/// Tokens held without allocating up to this many (a version has a handful).
const INLINE_TOKENS: usize = 16;

/// A version's tokens: the first [`INLINE_TOKENS`] in place, any more on the heap. Comparing
/// two versions is the inner loop of CPE matching (every statement of a product, for every
/// component naming it): tokens are not worth an allocation.
#[derive(Debug)]
struct Tokens<'a> {
    head: [Tok<'a>; INLINE_TOKENS],
    more: Vec<Tok<'a>>,
    len: usize,
}

impl<'a> Tokens<'a> {
    fn get(&self, i: usize) -> Option<Tok<'a>> {
        if i >= self.len {
            None
        } else if i < INLINE_TOKENS {
            Some(self.head[i])
        } else {
            self.more.get(i - INLINE_TOKENS).copied()
        }
    }

    fn push(&mut self, t: Tok<'a>) {
        if self.len < INLINE_TOKENS {
            self.head[self.len] = t;
        } else {
            self.more.push(t);
        }
        self.len += 1;
    }

    /// Drops the zero numbers at the end (before the end of the version, or before the
    /// pre-release word about to be pushed).
    fn drop_trailing_zeros(&mut self) {
        while let Some(Tok::Num(d)) = self.len.checked_sub(1).and_then(|i| self.get(i)) {
            if !d.bytes().all(|b| b == b'0') {
                break;
            }
            if self.len > INLINE_TOKENS {
                self.more.pop();
            }
            self.len -= 1;
        }
    }
}

fn tokens(v: &str) -> Tokens<'_> {
    let mut out = Tokens {
        head: [Tok::End; INLINE_TOKENS],
        more: Vec::new(),
        len: 0,
    };
    let mut rest = v;
    loop {
        rest = rest.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
        if rest.is_empty() {
            break;
        }
        let (d, r) = crate::version::split_digits(rest);
        if !d.is_empty() {
            out.push(Tok::Num(d));
            rest = r;
            continue;
        }
        let (w, r) = crate::version::split_alpha(rest);
        match PRE_WORDS.iter().position(|p| p.eq_ignore_ascii_case(w)) {
            Some(i) => {
                // Zero numbers before a pre-release word are dropped (`1.0.0rc1` = `1rc1`).
                out.drop_trailing_zeros();
                out.push(Tok::Pre(i as u8));
            }
            None => out.push(Tok::Patch(w)),
        }
        rest = r;
    }
    // … and so are those at the end (`1.0.0` = `1`).
    out.drop_trailing_zeros();
    out
}

fn rank(t: &Tok) -> u8 {
    match t {
        Tok::Pre(_) => 0,
        Tok::End => 1,
        Tok::Patch(_) => 2,
        Tok::Num(_) => 3,
    }
}

/// The fuzzy firmware version order described in the module documentation.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    compare_tokens(&tokens(a), &tokens(b))
}

/// A version split into its tokens once, to be compared with many others in the
/// [`compare_versions`] order (a component's version against every statement of its product).
#[derive(Debug)]
pub struct FuzzyVersion<'a>(Tokens<'a>);

impl<'a> FuzzyVersion<'a> {
    /// `v` tokenised.
    pub fn new(v: &'a str) -> Self {
        Self(tokens(v))
    }

    /// This version compared with `other`: `compare_versions(self, other)`.
    pub fn cmp_str(&self, other: &str) -> Ordering {
        compare_tokens(&self.0, &tokens(other))
    }
}

fn compare_tokens(x: &Tokens<'_>, y: &Tokens<'_>) -> Ordering {
    let n = x.len.max(y.len);
    for i in 0..n {
        let p = x.get(i).unwrap_or(Tok::End);
        let q = y.get(i).unwrap_or(Tok::End);
        let o = rank(&p).cmp(&rank(&q)).then_with(|| match (p, q) {
            (Tok::Pre(m), Tok::Pre(n)) => m.cmp(&n),
            (Tok::Patch(m), Tok::Patch(n)) => crate::version::nuget::cmp_ignore_case(m, n),
            (Tok::Num(m), Tok::Num(n)) => cmp_digits(m, n),
            _ => Ordering::Equal,
        });
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// Whether `version` lies within NVD `cpeMatch` bounds: `start` from `versionStartIncluding`
/// / `versionStartExcluding`, `end` from `versionEndIncluding` / `versionEndExcluding`
/// (`Bound::Unbounded` when absent), in the [`compare_versions`] order.
pub fn version_in_range(version: &str, start: Bound<&str>, end: Bound<&str>) -> bool {
    let lower = match start {
        Bound::Included(s) => compare_versions(version, s) != Ordering::Less,
        Bound::Excluded(s) => compare_versions(version, s) == Ordering::Greater,
        Bound::Unbounded => true,
    };
    let upper = match end {
        Bound::Included(e) => compare_versions(version, e) != Ordering::Greater,
        Bound::Excluded(e) => compare_versions(version, e) == Ordering::Less,
        Bound::Unbounded => true,
    };
    lower && upper
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_formatted_string_with_escapes() {
        let c = Cpe::parse(r"cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*").unwrap();
        assert_eq!(
            (c.part.as_str(), c.vendor.as_str(), c.version.as_str()),
            ("a", "openssl", "1.1.1k")
        );
        let c =
            Cpe::parse(r"cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*")
                .unwrap();
        assert_eq!(
            (
                c.update.as_str(),
                c.sw_edition.as_str(),
                c.target_hw.as_str()
            ),
            ("-", "online", "x64")
        );
        let c = Cpe::parse(r"cpe:2.3:a:foo\:bar:big\$money_manager:2010\.1:*:*:*:*:*:*:*").unwrap();
        assert_eq!(
            (c.vendor.as_str(), c.product.as_str(), c.version.as_str()),
            ("foo:bar", "big$money_manager", "2010.1")
        );
        assert_eq!(Cpe::parse(&c.to_string()).unwrap(), c);
    }

    #[test]
    fn parses_uri_binding_and_packed_edition() {
        let c = Cpe::parse("cpe:/a:busybox:busybox:1.36.1").unwrap();
        assert_eq!(
            (c.product.as_str(), c.version.as_str(), c.update.as_str()),
            ("busybox", "1.36.1", "*")
        );
        let c =
            Cpe::parse("cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003~x64~").unwrap();
        assert_eq!(
            (
                c.sw_edition.as_str(),
                c.target_sw.as_str(),
                c.target_hw.as_str(),
                c.other.as_str()
            ),
            ("online", "win2003", "x64", "*")
        );
        let c = Cpe::parse("cpe:/o:Linux:Linux_Kernel:5.10.0-8").unwrap();
        assert_eq!(
            (c.part.as_str(), c.vendor.as_str(), c.product.as_str()),
            ("o", "linux", "linux_kernel")
        );
    }

    #[test]
    fn rejects_bad_names() {
        for bad in [
            "",
            "cpe:2.3:a:openssl",
            "cpe:2.3:x:openssl:openssl:1:*:*:*:*:*:*:*",
            r"cpe:2.3:a:openssl:openssl:1:*:*:*:*:*:*:\",
            "cpe:2.3:a::openssl:1:*:*:*:*:*:*:*",
            "cpe:/a:a:b:c:d:e:f:g:h",
            "cpe:/a:x%zz:y",
            "pkg:npm/x",
        ] {
            assert!(Cpe::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn name_matching_follows_any_and_na() {
        let pattern = Cpe::parse("cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*").unwrap();
        let target = Cpe::parse("cpe:2.3:a:OpenSSL:openssl:1.1.1k:*:*:*:*:*:*:*").unwrap();
        assert!(pattern.matches(&target));
        assert!(
            !target.matches(&pattern),
            "a specific version is not a superset of ANY"
        );
        let na = Cpe::parse("cpe:2.3:a:openssl:openssl:1.1.1k:-:*:*:*:*:*:*").unwrap();
        assert!(!na.matches(&target), "NA matches only NA");
        let other = Cpe::parse("cpe:2.3:a:openssl:libressl:*:*:*:*:*:*:*:*").unwrap();
        assert!(!other.matches(&target));
        let v = Cpe::parse("cpe:2.3:a:openssl:openssl:1.0.2:*:*:*:*:*:*:*").unwrap();
        assert!(v.matches_except_version(&target) && !v.matches(&target));
    }

    #[test]
    fn fuzzy_order_reads_firmware_versions() {
        let chain = [
            "1.0.0-rc1",
            "1.0.0",
            "1.0.1",
            "1.1.1",
            "1.1.1a",
            "1.1.1k",
            "1.1.1w",
            "1.36.1",
            "3.0.2",
            "5.10.0-8",
            "5.10.0-9",
            "5.10.1",
            "2020.81",
            "2022.82",
        ];
        for w in chain.windows(2) {
            assert_eq!(
                compare_versions(w[0], w[1]),
                Ordering::Less,
                "{} < {}",
                w[0],
                w[1]
            );
            assert_eq!(compare_versions(w[1], w[0]), Ordering::Greater);
        }
        assert_eq!(compare_versions("1.0", "1.0.0"), Ordering::Equal);
        assert_eq!(compare_versions("1.1.1K", "1.1.1k"), Ordering::Equal);
    }

    #[test]
    fn nvd_bounds() {
        use Bound::*;
        // openssl: versionStartIncluding 1.1.1, versionEndExcluding 1.1.1w
        assert!(version_in_range(
            "1.1.1k",
            Included("1.1.1"),
            Excluded("1.1.1w")
        ));
        assert!(!version_in_range(
            "1.1.1w",
            Included("1.1.1"),
            Excluded("1.1.1w")
        ));
        assert!(version_in_range(
            "1.1.1w",
            Included("1.1.1"),
            Included("1.1.1w")
        ));
        assert!(!version_in_range("1.1.1", Excluded("1.1.1"), Unbounded));
        assert!(version_in_range("3.0.2", Unbounded, Unbounded));
        assert!(!version_in_range(
            "1.0.2u",
            Included("1.1.1"),
            Excluded("1.1.1w")
        ));
        assert!(version_in_range("2020.81", Unbounded, Excluded("2022.82")));
    }
}
