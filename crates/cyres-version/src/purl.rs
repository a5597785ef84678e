//! Package URLs (purl specification): parse, normalise, format.

use crate::Ecosystem;
use std::collections::BTreeMap;

/// A parsed, normalised package URL.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Purl {
    /// The type (`npm`, `cargo`, `maven`, …), lower case.
    pub ty: String,
    /// The namespace, decoded (npm scope with `@`, Maven group, Go module path prefix, …).
    pub namespace: Option<String>,
    /// The name, decoded.
    pub name: String,
    /// The version, decoded.
    pub version: Option<String>,
    /// Qualifiers, keys lower case, sorted.
    pub qualifiers: BTreeMap<String, String>,
    /// The subpath, decoded, without leading or trailing `/`.
    pub subpath: Option<String>,
}

/// Why a string is not a valid package URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PurlError {
    /// Anything wrong, with a message naming the problem.
    #[error("invalid package URL {input:?}: {reason}")]
    Invalid {
        /// The input, as given.
        input: String,
        /// What is wrong.
        reason: String,
    },
}

impl Purl {
    /// Parses and normalises a purl string.
    pub fn parse(input: &str) -> Result<Self, PurlError> {
        Err(PurlError::Invalid { input: input.to_string(), reason: "not implemented yet".into() })
    }

    /// The (ecosystem, advisory-style package name) this purl is matched under, e.g.
    /// `pkg:maven/org.apache/commons@1` → (Maven, `org.apache:commons`), `pkg:npm/%40a/b` →
    /// (npm, `@a/b`), `pkg:golang/github.com/x/y` → (Go, `github.com/x/y`). `None` for types
    /// that no advisory ecosystem covers.
    pub fn package_key(&self) -> Option<(Ecosystem, String)> {
        let eco = Ecosystem::from_purl_type(&self.ty)?;
        let name = match (&eco, &self.namespace) {
            (Ecosystem::Maven, Some(ns)) => format!("{ns}:{}", self.name),
            (_, Some(ns)) => format!("{ns}/{}", self.name),
            (_, None) => self.name.clone(),
        };
        Some((eco.clone(), crate::normalize_name(&eco, &name)))
    }
}

impl std::fmt::Display for Purl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "pkg:{}/{}", self.ty, self.name)
    }
}
