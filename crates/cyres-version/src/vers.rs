//! `vers:` version range specifiers (package-url/vers-spec, `docs/specification`): parse,
//! format, and containment ("Checking if a version is contained within a range").
//!
//! `vers:<scheme>/<constraint>|<constraint>…` where a constraint is `[comparator]version`
//! with comparators `=` (implied), `!=`, `<`, `<=`, `>`, `>=`, or the lone `*`. Versions are
//! percent-decoded once. [`VersRange::parse`] is lenient in the one way the suite's
//! "recommended" cases ask (constraints in any order are sorted); [`VersRange::parse_canonical`]
//! also rejects unsorted constraints. Versions compare in the scheme's order: [`scheme_order`]
//! maps vers schemes to cyres ecosystems (`npm`, `pypi`, `maven`, `nuget`, `gem`, `deb`, `apk`,
//! `rpm`, `cargo`, `golang`, `composer`, …), `lexicographic` to byte order, anything else to
//! the generic order.

use crate::Ecosystem;
use std::cmp::Ordering;

/// A comparator of one constraint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Comparator {
    /// `=` (written without a symbol in canonical form).
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

impl Comparator {
    /// The symbol as written in a `vers` string.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::Eq => "=",
            Comparator::Ne => "!=",
            Comparator::Lt => "<",
            Comparator::Le => "<=",
            Comparator::Gt => ">",
            Comparator::Ge => ">=",
        }
    }
}

/// A parsed `vers:` range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersRange {
    /// The versioning scheme (`npm`, `pypi`, …), lower case.
    pub scheme: String,
    /// `None` for `*` (every version); otherwise constraints sorted by version.
    pub constraints: Option<Vec<(Comparator, String)>>,
}

/// Why a string is not a valid `vers` range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VersError {
    /// Anything wrong, with a message naming the problem.
    #[error("invalid vers range {input:?}: {reason}")]
    Invalid {
        /// The input, as given.
        input: String,
        /// What is wrong.
        reason: String,
    },
}

/// The version order of a vers scheme.
pub fn scheme_order(scheme: &str, a: &str, b: &str) -> Ordering {
    match scheme {
        "lexicographic" => a.as_bytes().cmp(b.as_bytes()),
        "semver" => crate::version::semver::compare(a, b),
        "alpine" => crate::compare(&Ecosystem::Alpine, a, b),
        "debian" => crate::compare(&Ecosystem::Debian, a, b),
        "gem" | "rubygems" => crate::compare(&Ecosystem::RubyGems, a, b),
        s => match Ecosystem::from_purl_type(s) {
            Some(eco) => crate::compare(&eco, a, b),
            None => crate::compare(&Ecosystem::Other(s.to_string()), a, b),
        },
    }
}

impl VersRange {
    /// Parses a `vers` string, sorting constraints that are out of order.
    pub fn parse(input: &str) -> Result<Self, VersError> {
        Self::parse_mode(input, false)
    }

    /// Parses a `vers` string that must already be canonical (constraints sorted by version).
    pub fn parse_canonical(input: &str) -> Result<Self, VersError> {
        Self::parse_mode(input, true)
    }

    fn parse_mode(input: &str, canonical: bool) -> Result<Self, VersError> {
        let e = |r: &str| VersError::Invalid {
            input: input.to_string(),
            reason: r.to_string(),
        };
        if input.bytes().any(|c| c.is_ascii_whitespace()) {
            return Err(e("whitespace is not permitted"));
        }
        let rest = input
            .strip_prefix("vers:")
            .ok_or_else(|| e("must start with `vers:`"))?;
        let (scheme, constraints) = rest
            .split_once('/')
            .ok_or_else(|| e("missing `/` after the scheme"))?;
        if scheme.is_empty() {
            return Err(e("empty scheme"));
        }
        let scheme = scheme.to_ascii_lowercase();
        if constraints.is_empty() {
            return Err(e("no constraints"));
        }
        if constraints == "*" {
            return Ok(VersRange {
                scheme,
                constraints: None,
            });
        }
        let mut out = Vec::new();
        for c in constraints.split('|') {
            if c.is_empty() {
                return Err(e("empty constraint (leading, trailing or doubled `|`)"));
            }
            let (cmp, v) = [
                ("!=", Comparator::Ne),
                ("<=", Comparator::Le),
                (">=", Comparator::Ge),
                ("<", Comparator::Lt),
                (">", Comparator::Gt),
                ("=", Comparator::Eq),
            ]
            .iter()
            .find_map(|(sym, k)| c.strip_prefix(sym).map(|v| (*k, v)))
            .unwrap_or((Comparator::Eq, c));
            if v.is_empty() || v == "*" {
                return Err(e("a constraint needs a version"));
            }
            let v = crate::purl::percent_decode(v).map_err(|r| e(&r))?;
            out.push((cmp, v));
        }
        let sorted = out
            .windows(2)
            .all(|w| scheme_order(&scheme, &w[0].1, &w[1].1).is_le());
        if !sorted {
            if canonical {
                return Err(e("constraints are not sorted by version"));
            }
            out.sort_by(|a, b| scheme_order(&scheme, &a.1, &b.1));
        }
        Ok(VersRange {
            scheme,
            constraints: Some(out),
        })
    }

    /// Whether `version` is inside the range (vers spec, "how to parse", containment steps).
    pub fn contains(&self, version: &str) -> bool {
        let Some(cs) = &self.constraints else {
            return true;
        };
        let ord = |a: &str, b: &str| scheme_order(&self.scheme, a, b);
        for (c, v) in cs {
            if ord(version, v) == Ordering::Equal {
                match c {
                    Comparator::Eq | Comparator::Le | Comparator::Ge => return true,
                    Comparator::Ne => return false,
                    _ => {}
                }
            }
        }
        let ranges: Vec<&(Comparator, String)> = cs
            .iter()
            .filter(|(c, _)| !matches!(c, Comparator::Eq | Comparator::Ne))
            .collect();
        let below = |c: Comparator| matches!(c, Comparator::Lt | Comparator::Le);
        let above = |c: Comparator| matches!(c, Comparator::Gt | Comparator::Ge);
        if let [(c, v)] = ranges.as_slice() {
            let o = ord(version, v);
            return (below(*c) && o == Ordering::Less) || (above(*c) && o == Ordering::Greater);
        }
        for (i, w) in ranges.windows(2).enumerate() {
            let ((cc, cv), (nc, nv)) = (w[0], w[1]);
            if i == 0 && below(*cc) && ord(version, cv) == Ordering::Less {
                return true;
            }
            if i + 2 == ranges.len() && above(*nc) && ord(version, nv) == Ordering::Greater {
                return true;
            }
            if above(*cc)
                && below(*nc)
                && ord(version, cv) == Ordering::Greater
                && ord(version, nv) == Ordering::Less
            {
                return true;
            }
        }
        false
    }
}

impl std::fmt::Display for VersRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "vers:{}/", self.scheme)?;
        let Some(cs) = &self.constraints else {
            return f.write_str("*");
        };
        for (i, (c, v)) in cs.iter().enumerate() {
            if i > 0 {
                f.write_str("|")?;
            }
            if *c != Comparator::Eq {
                f.write_str(c.symbol())?;
            }
            let mut enc = String::new();
            for (j, ch) in v.char_indices() {
                // The separators; a leading comparator character (it would be read as part of
                // the comparator); a lone `*` ("every version"); whitespace (refused on input).
                let encode = matches!(ch, '%' | '|' | '/' | '?' | '#' | '@')
                    || (j == 0 && matches!(ch, '<' | '>' | '=' | '!'))
                    || v == "*"
                    || ch.is_ascii_whitespace();
                if encode {
                    let mut buf = [0u8; 4];
                    for b in ch.encode_utf8(&mut buf).bytes() {
                        enc.push_str(&format!("%{b:02X}"));
                    }
                } else {
                    enc.push(ch);
                }
            }
            f.write_str(&enc)?;
        }
        Ok(())
    }
}
