//! Document version numbers: `version_t` (CSAF 2.0 section 3.1.11).
//!
//! A version is either an integer (section 3.1.11.1, "integer versioning") or a Semantic
//! Versioning 2.0.0 string (section 3.1.11.2). The rules of those sections and of section
//! 3.2.1.12 (drafts before the initial release are 0 or 0.y.z, pre-release parts only in drafts,
//! build metadata ignored when comparing) and the mandatory tests 6.1.14 to 6.1.22 and 6.1.30 are built on this type.

use std::cmp::Ordering;
use std::fmt;

/// A parsed `version_t`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocVersion {
    /// Integer versioning (section 3.1.11.1): `0`, `1`, `2`, …
    Integer(u64),
    /// Semantic versioning (section 3.1.11.2): `major.minor.patch[-pre][+build]`.
    Semantic {
        /// Major version; incremented when readers must match their assets again (section
        /// 3.1.11.2 rule 7).
        major: u64,
        /// Minor version; incremented for new or changed information (rule 6).
        minor: u64,
        /// Patch version; for corrections such as spelling mistakes (rule 5).
        patch: u64,
        /// Pre-release part, only allowed in drafts (rules 8, 9; test 6.1.20).
        pre: Option<String>,
        /// Build metadata; ignored in comparisons (rule 10).
        build: Option<String>,
    },
}

fn number(s: &str) -> Option<u64> {
    // `0|[1-9][0-9]*`: no leading zeros (the `version_t` pattern).
    if s.is_empty() || (s.len() > 1 && s.starts_with('0')) || !s.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    s.parse().ok()
}

fn identifiers_ok(s: &str, numeric_no_leading_zero: bool) -> bool {
    !s.is_empty()
        && s.split('.').all(|id| {
            !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && (!numeric_no_leading_zero
                    || !id.bytes().all(|b| b.is_ascii_digit())
                    || number(id).is_some())
        })
}

impl DocVersion {
    /// Parses a `version_t` (section 3.1.11); `None` when it is neither form.
    pub fn parse(s: &str) -> Option<DocVersion> {
        if let Some(n) = number(s) {
            return Some(DocVersion::Integer(n));
        }
        let (rest, build) = match s.split_once('+') {
            Some((r, b)) => (r, Some(b)),
            None => (s, None),
        };
        let (core, pre) = match rest.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (rest, None),
        };
        let mut parts = core.split('.');
        let major = number(parts.next()?)?;
        let minor = number(parts.next()?)?;
        let patch = number(parts.next()?)?;
        if parts.next().is_some() {
            return None;
        }
        if pre.is_some_and(|p| !identifiers_ok(p, true))
            || build.is_some_and(|b| !identifiers_ok(b, false))
        {
            return None;
        }
        Some(DocVersion::Semantic {
            major,
            minor,
            patch,
            pre: pre.map(str::to_string),
            build: build.map(str::to_string),
        })
    }

    /// The integer, or the major version of a semantic version: what test 6.1.21 counts.
    pub fn major(&self) -> u64 {
        match self {
            DocVersion::Integer(n) => *n,
            DocVersion::Semantic { major, .. } => *major,
        }
    }

    /// Whether this uses integer versioning.
    pub fn is_integer(&self) -> bool {
        matches!(self, DocVersion::Integer(_))
    }

    /// Whether the version has a pre-release part (section 3.1.11.2 rule 8).
    pub fn is_pre_release(&self) -> bool {
        matches!(self, DocVersion::Semantic { pre: Some(_), .. })
    }

    /// `0` or `0.y.z`: a version only a draft may carry (sections 3.1.11.1 rule 2 and 3.1.11.2 rule 3; tests 6.1.17,
    /// 6.1.18).
    pub fn is_zero(&self) -> bool {
        self.major() == 0
    }

    /// The same version without build metadata (and, with `drop_pre`, without pre-release part),
    /// as test 6.1.16 compares.
    pub fn stripped(&self, drop_pre: bool) -> DocVersion {
        match self {
            DocVersion::Integer(n) => DocVersion::Integer(*n),
            DocVersion::Semantic {
                major,
                minor,
                patch,
                pre,
                ..
            } => DocVersion::Semantic {
                major: *major,
                minor: *minor,
                patch: *patch,
                pre: if drop_pre { None } else { pre.clone() },
                build: None,
            },
        }
    }

    /// Precedence (SemVer 2.0.0 §11; integers numerically). Build metadata does not count.
    /// Integer and semantic versions are not comparable; integers sort first.
    pub fn precedence(&self, other: &DocVersion) -> Ordering {
        match (self, other) {
            (DocVersion::Integer(a), DocVersion::Integer(b)) => a.cmp(b),
            (DocVersion::Integer(_), DocVersion::Semantic { .. }) => Ordering::Less,
            (DocVersion::Semantic { .. }, DocVersion::Integer(_)) => Ordering::Greater,
            (
                DocVersion::Semantic {
                    major: a1,
                    minor: a2,
                    patch: a3,
                    pre: ap,
                    ..
                },
                DocVersion::Semantic {
                    major: b1,
                    minor: b2,
                    patch: b3,
                    pre: bp,
                    ..
                },
            ) => (a1, a2, a3)
                .cmp(&(b1, b2, b3))
                .then_with(|| match (ap, bp) {
                    (None, None) => Ordering::Equal,
                    (None, Some(_)) => Ordering::Greater,
                    (Some(_), None) => Ordering::Less,
                    (Some(a), Some(b)) => pre_cmp(a, b),
                }),
        }
    }
}

fn pre_cmp(a: &str, b: &str) -> Ordering {
    let mut ai = a.split('.');
    let mut bi = b.split('.');
    loop {
        match (ai.next(), bi.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let o = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    (Err(_), Err(_)) => x.cmp(y),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

impl fmt::Display for DocVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocVersion::Integer(n) => write!(f, "{n}"),
            DocVersion::Semantic {
                major,
                minor,
                patch,
                pre,
                build,
            } => {
                write!(f, "{major}.{minor}.{patch}")?;
                if let Some(p) = pre {
                    write!(f, "-{p}")?;
                }
                if let Some(b) = build {
                    write!(f, "+{b}")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_forms_and_refuses_others() {
        assert_eq!(DocVersion::parse("0"), Some(DocVersion::Integer(0)));
        assert_eq!(DocVersion::parse("12"), Some(DocVersion::Integer(12)));
        assert!(DocVersion::parse("01").is_none());
        assert!(DocVersion::parse("1.0").is_none());
        assert!(DocVersion::parse("1.0.0-01").is_none());
        let v = DocVersion::parse("1.2.3-rc.1+build.5").unwrap();
        assert!(v.is_pre_release());
        assert_eq!(v.to_string(), "1.2.3-rc.1+build.5");
        assert_eq!(v.stripped(true).to_string(), "1.2.3");
        assert!(DocVersion::parse("0.9.0").unwrap().is_zero());
    }

    #[test]
    fn precedence_follows_semver() {
        let order = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.1",
            "2.0.0",
        ];
        for w in order.windows(2) {
            let a = DocVersion::parse(w[0]).unwrap();
            let b = DocVersion::parse(w[1]).unwrap();
            assert_eq!(a.precedence(&b), Ordering::Less, "{} < {}", w[0], w[1]);
        }
        let a = DocVersion::parse("1.0.0+a").unwrap();
        let b = DocVersion::parse("1.0.0+b").unwrap();
        assert_eq!(a.precedence(&b), Ordering::Equal);
    }
}
