//! The advisory model: OSV (<https://ossf.github.io/osv-schema/>) as the lingua franca.
//!
//! Deserialisation is tolerant on purpose: unknown fields are ignored, `ecosystem` stays a
//! `String` (a record for an ecosystem we do not know must still load), and the free-form
//! `database_specific`/`ecosystem_specific` objects are read only for the few fields cyres uses
//! (RustSec `informational` and `cvss`, GHSA `severity`); a value of an unexpected type there is
//! treated as absent rather than failing the record. Timestamps stay strings (PyPA YAML writes
//! them unquoted).

use serde::de::{Deserializer, IgnoredAny};
use serde::{Deserialize, Serialize};

/// One OSV record.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Advisory {
    /// OSV `id`.
    pub id: String,
    /// OSV `aliases`: other ids of the same flaw (merged into one finding).
    #[serde(deserialize_with = "string_list")]
    pub aliases: Vec<String>,
    /// OSV `related`: ids of related but different flaws (kept, never merged).
    #[serde(deserialize_with = "string_list")]
    pub related: Vec<String>,
    /// OSV `summary`.
    #[serde(deserialize_with = "lenient_string")]
    pub summary: Option<String>,
    /// OSV `details` (dropped from the index).
    #[serde(deserialize_with = "lenient_string")]
    pub details: Option<String>,
    /// OSV `severity[]`.
    #[serde(deserialize_with = "nullable")]
    pub severity: Vec<SeverityEntry>,
    /// OSV `affected[]`.
    #[serde(deserialize_with = "nullable")]
    pub affected: Vec<AffectedPackage>,
    /// OSV `published`, as written.
    #[serde(deserialize_with = "lenient_string")]
    pub published: Option<String>,
    /// OSV `modified`, as written.
    #[serde(deserialize_with = "lenient_string")]
    pub modified: Option<String>,
    /// OSV `withdrawn`, as written. A withdrawn advisory never matches.
    #[serde(deserialize_with = "lenient_string")]
    pub withdrawn: Option<String>,
    /// OSV `references[]`, URLs only.
    #[serde(deserialize_with = "reference_urls")]
    pub references: Vec<String>,
    /// The top-level `database_specific` fields cyres reads.
    #[serde(deserialize_with = "nullable")]
    pub database_specific: DatabaseSpecific,
}

/// OSV `severity[]` entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeverityEntry {
    /// `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// The vector (or, for non-CVSS types, a word).
    #[serde(deserialize_with = "lenient_string_plain")]
    pub score: String,
}

/// OSV `affected[]` entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AffectedPackage {
    /// `affected[].package`.
    #[serde(deserialize_with = "nullable")]
    pub package: Package,
    /// `affected[].ranges[]`.
    #[serde(deserialize_with = "nullable")]
    pub ranges: Vec<Range>,
    /// `affected[].versions[]`: explicit affected versions.
    #[serde(deserialize_with = "string_list")]
    pub versions: Vec<String>,
    /// The `ecosystem_specific` fields cyres reads (none needed today besides tolerance).
    #[serde(deserialize_with = "nullable")]
    pub ecosystem_specific: EcosystemSpecific,
    /// The `database_specific` fields cyres reads (RustSec `informational`, `cvss`).
    #[serde(deserialize_with = "nullable")]
    pub database_specific: DatabaseSpecific,
    /// OSV per-affected `severity[]` (schema 1.4+).
    #[serde(deserialize_with = "nullable")]
    pub severity: Vec<SeverityEntry>,
}

/// OSV `affected[].package`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Package {
    /// The OSV ecosystem, as written (`crates.io`, `PyPI`, `Debian:11`, `Alpine:v3.18`, …).
    pub ecosystem: String,
    /// The package name, as written.
    pub name: String,
    /// The package URL, if given.
    #[serde(deserialize_with = "lenient_string")]
    pub purl: Option<String>,
}

/// OSV `affected[].ranges[]` entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Range {
    /// `SEMVER`, `ECOSYSTEM` or `GIT`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The repository (for `GIT`).
    #[serde(deserialize_with = "lenient_string")]
    pub repo: Option<String>,
    /// The events, in order.
    #[serde(deserialize_with = "nullable")]
    pub events: Vec<RangeEvent>,
}

/// One OSV range event: exactly one of the four keys in the schema; kept as optional fields so
/// that an odd record is still readable (empty events are ignored by the index).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RangeEvent {
    /// `introduced`.
    #[serde(
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub introduced: Option<String>,
    /// `fixed`.
    #[serde(
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub fixed: Option<String>,
    /// `last_affected`.
    #[serde(
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_affected: Option<String>,
    /// `limit`.
    #[serde(
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub limit: Option<String>,
}

/// The `database_specific` fields cyres reads; all optional, all tolerant.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DatabaseSpecific {
    /// RustSec: `unmaintained`, `unsound`, `notice` (or null for a vulnerability).
    #[serde(deserialize_with = "lenient_string")]
    pub informational: Option<String>,
    /// RustSec: the advisory's CVSS vector.
    #[serde(deserialize_with = "lenient_string")]
    pub cvss: Option<String>,
    /// GHSA: `LOW`, `MODERATE`, `HIGH`, `CRITICAL` (fallback rating).
    #[serde(deserialize_with = "lenient_string")]
    pub severity: Option<String>,
}

/// The `ecosystem_specific` fields cyres reads. Nothing today (Go `imports` are not needed), so
/// this only makes sure any shape is accepted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EcosystemSpecific {}

impl Advisory {
    /// Parses one OSV JSON document.
    pub fn from_json(bytes: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())
    }

    /// Parses one OSV YAML document (PyPA style). Its nesting is checked on the text first
    /// ([`cyres_sbom::check_yaml_nesting`]): the YAML parser's time grows with the square of
    /// the depth.
    pub fn from_yaml(bytes: &[u8]) -> Result<Self, String> {
        let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
        cyres_sbom::check_yaml_nesting(text, "OSV YAML").map_err(|e| e.to_string())?;
        serde_norway::from_str(text).map_err(|e| e.to_string())
    }

    /// Every id of this record: its own id first, then aliases.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// A scalar read as a string: strings as they are, numbers and booleans formatted; anything else
/// (null, objects, lists) is absent. Note: an *unquoted* YAML `1.10` is a number to YAML and
/// comes out as `1.1`; PyPA's generator (PyYAML) quotes every such string, so real data is safe.
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Scalar::deserialize(d)? {
        Scalar::Str(s) => Some(s),
        Scalar::Int(i) => Some(i.to_string()),
        Scalar::UInt(i) => Some(i.to_string()),
        Scalar::Float(f) => Some(f.to_string()),
        Scalar::Bool(b) => Some(b.to_string()),
        Scalar::Other(_) => None,
    })
}

fn lenient_string_plain<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(lenient_string(d)?.unwrap_or_default())
}

/// `null` read as the default value (GHSA records from the API carry `"aliases": null`).
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A list of scalars; non-scalar items are dropped, a non-list is empty.
fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ListOrNot {
        List(Vec<Scalar>),
        Other(IgnoredAny),
    }
    Ok(match ListOrNot::deserialize(d)? {
        ListOrNot::List(items) => items.into_iter().filter_map(Scalar::into_string).collect(),
        ListOrNot::Other(_) => Vec::new(),
    })
}

/// `references[]` reduced to their `url`s.
fn reference_urls<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    struct Reference {
        #[serde(default, deserialize_with = "lenient_string")]
        url: Option<String>,
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ListOrNot {
        List(Vec<Reference>),
        Other(IgnoredAny),
    }
    Ok(match ListOrNot::deserialize(d)? {
        ListOrNot::List(items) => items.into_iter().filter_map(|r| r.url).collect(),
        ListOrNot::Other(_) => Vec::new(),
    })
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Str(String),
    UInt(u64),
    Int(i64),
    Float(f64),
    Bool(bool),
    Other(IgnoredAny),
}

impl Scalar {
    fn into_string(self) -> Option<String> {
        match self {
            Scalar::Str(s) => Some(s),
            Scalar::Int(i) => Some(i.to_string()),
            Scalar::UInt(i) => Some(i.to_string()),
            Scalar::Float(f) => Some(f.to_string()),
            Scalar::Bool(b) => Some(b.to_string()),
            Scalar::Other(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_timestamps_and_numeric_versions_stay_text() {
        let y = b"id: PYSEC-1\nmodified: 2023-11-07T20:24:23.946863Z\npublished: 2020-08-05T14:15:00Z\n\
affected:\n- package: {ecosystem: PyPI, name: x}\n  versions:\n  - '1.10'\n  - 2.0.1\n  - 3\n";
        let a = Advisory::from_yaml(y).unwrap();
        assert_eq!(a.modified.as_deref(), Some("2023-11-07T20:24:23.946863Z"));
        assert_eq!(a.affected[0].versions, ["1.10", "2.0.1", "3"]);
    }

    #[test]
    fn unknown_ecosystem_and_odd_database_specific_are_tolerated() {
        let j = br#"{"id":"X-1","unknown_field":{"a":1},"affected":[{"package":{"ecosystem":"Nowhere:7","name":"p"},
            "database_specific":{"informational":["odd"],"cvss":null},"ecosystem_specific":{"imports":[]}}],
            "references":[{"type":"WEB","url":"https://e.invalid/"},{"type":"WEB"}],"aliases":null,"severity":null}"#;
        let a = Advisory::from_json(j).unwrap();
        assert_eq!(a.affected[0].package.ecosystem, "Nowhere:7");
        assert_eq!(a.affected[0].database_specific.informational, None);
        assert_eq!(a.references, ["https://e.invalid/"]);
    }

    #[test]
    fn truncated_json_is_an_error() {
        assert!(Advisory::from_json(br#"{"id":"X-1","affected":[{"#).is_err());
    }
}
