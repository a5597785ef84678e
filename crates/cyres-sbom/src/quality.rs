//! SBOM quality: how well a read [`Sbom`] meets BSI TR-03183-2 v2.0.0 or the NTIA minimum
//! elements, per document and per component, and what exactly is missing.
//!
//! [`check`] is pure and returns a [`QualityReport`] (serialisable, stable field names) that
//! the command line prints (`cyres sbom check`) and the platform can render as it is.
//!
//! Rules, each with the provision it implements:
//!
//! BSI TR-03183-2 v2.0.0 (2024-09-20):
//! - §4: the format is CycloneDX 1.5 or newer, or SPDX 2.2.1 or newer.
//! - §5.2.1 creator of the SBOM: an e-mail address, else a URL, of who made the SBOM (the
//!   document's authors, manufacturer or supplier; a tool is not a creator).
//! - §5.2.1 timestamp: date and time of the SBOM's compilation (RFC 3339).
//! - §5.2.2, for each component: component creator (an e-mail address or URL: read from the
//!   supplier as written, e.g. SPDX `Organization: name (email)`), component name, component
//!   version, dependencies on other components (the component's direct dependencies are
//!   stated, an empty list included), associated licences (SPDX identifiers or expressions,
//!   `LicenseRef-` for others), and the hash value of the deployable component as SHA-512.
//! - §5.3.1 additional (MUST when it exists): SBOM-URI. §5.3.2 additional: other unique
//!   identifiers (purl, CPE). Reported, never counted against the profile: whether such a value
//!   exists cannot be known from the document.
//! - Not evaluated (the model does not carry them; listed in [`QualityReport::not_evaluated`]):
//!   §5.2.2 filename, executable / archive / structured properties; §5.3.2 source code URI and
//!   URI of the deployable form; a CycloneDX supplier's `url` / `contact` (only its name is
//!   kept, so a CycloneDX component creator counts only when the name holds the address).
//!
//! NTIA, "The Minimum Elements For a Software Bill of Materials" (2021), Data Fields: author of
//! SBOM data, timestamp, and for each component supplier name, component name, version of the
//! component, other unique identifiers; the dependency relationship at least for the primary
//! component ("Depth": its direct dependencies).

use crate::write::spdx_expression;
use crate::{Component, Format, Sbom};
use serde::Serialize;
use std::collections::HashSet;

/// The rule set a document is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Profile {
    /// BSI TR-03183-2 version 2.0.0.
    #[serde(rename = "bsi-tr-03183-2-v2.0")]
    BsiTr03183V2,
    /// NTIA minimum elements (2021).
    #[serde(rename = "ntia-minimum-elements")]
    Ntia,
}

impl Profile {
    /// The profile's stable name (as serialised).
    pub fn name(self) -> &'static str {
        match self {
            Profile::BsiTr03183V2 => "bsi-tr-03183-2-v2.0",
            Profile::Ntia => "ntia-minimum-elements",
        }
    }
}

/// How binding a field is under the profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// MUST: counted in the score and the verdict.
    Required,
    /// MUST when the information exists (TR-03183-2 §5.3): reported, not counted.
    Additional,
}

/// One field the profile asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Field {
    /// Stable id (`sbom-creator`, `component-hash-sha512`, …).
    pub id: &'static str,
    /// What it is, in the profile's words.
    pub name: &'static str,
    /// Where the profile asks for it.
    pub basis: &'static str,
    /// How binding.
    pub level: Level,
}

/// A document-level check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DocumentCheck {
    /// The field.
    pub field: Field,
    /// Whether the document has it.
    pub met: bool,
    /// What was found, or what is missing.
    pub detail: String,
}

/// How many components have one component field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldCoverage {
    /// The field.
    pub field: Field,
    /// Components that have it.
    pub present: usize,
    /// Components checked.
    pub total: usize,
}

/// One component that lacks something.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ComponentGaps {
    /// Its reference, if any.
    pub reference: Option<String>,
    /// Name.
    pub name: String,
    /// Version.
    pub version: Option<String>,
    /// Ids of the fields it lacks (required ones first, then additional ones).
    pub missing: Vec<&'static str>,
}

/// The result of [`check`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QualityReport {
    /// The profile checked.
    pub profile: Profile,
    /// Whether every required check passed (document and every component).
    pub meets: bool,
    /// Required checks passed, in percent (0–100, rounded down): document checks plus one check
    /// per component and required component field.
    pub score: u8,
    /// Document-level checks.
    pub document: Vec<DocumentCheck>,
    /// Per component field: how many components have it.
    pub components: Vec<FieldCoverage>,
    /// Components that lack a field, in document order (the product first).
    pub gaps: Vec<ComponentGaps>,
    /// Fields of the profile this checker cannot see in the model (see the module docs).
    pub not_evaluated: Vec<Field>,
}

const fn field(id: &'static str, name: &'static str, basis: &'static str, level: Level) -> Field {
    Field {
        id,
        name,
        basis,
        level,
    }
}

use Level::{Additional, Required};

const BSI_FORMAT: Field = field(
    "sbom-format",
    "format: CycloneDX 1.5+ or SPDX 2.2.1+",
    "TR-03183-2 v2.0 §4",
    Required,
);
const BSI_CREATOR: Field = field(
    "sbom-creator",
    "creator of the SBOM (e-mail or URL)",
    "TR-03183-2 v2.0 §5.2.1",
    Required,
);
const BSI_TIMESTAMP: Field = field(
    "sbom-timestamp",
    "timestamp",
    "TR-03183-2 v2.0 §5.2.1",
    Required,
);
const BSI_URI: Field = field("sbom-uri", "SBOM-URI", "TR-03183-2 v2.0 §5.3.1", Additional);
const BSI_COMPONENT: &[Field] = &[
    field(
        "component-creator",
        "component creator (e-mail or URL)",
        "TR-03183-2 v2.0 §5.2.2",
        Required,
    ),
    field(
        "component-name",
        "component name",
        "TR-03183-2 v2.0 §5.2.2",
        Required,
    ),
    field(
        "component-version",
        "component version",
        "TR-03183-2 v2.0 §5.2.2",
        Required,
    ),
    field(
        "component-dependencies",
        "dependencies on other components (stated, possibly none)",
        "TR-03183-2 v2.0 §5.2.2",
        Required,
    ),
    field(
        "component-licences",
        "associated licences (SPDX identifiers or expressions)",
        "TR-03183-2 v2.0 §5.2.2",
        Required,
    ),
    field(
        "component-hash-sha512",
        "hash value of the deployable component (SHA-512)",
        "TR-03183-2 v2.0 §5.2.2",
        Required,
    ),
    field(
        "component-identifiers",
        "other unique identifiers (purl, CPE)",
        "TR-03183-2 v2.0 §5.3.2",
        Additional,
    ),
];
const BSI_NOT_EVALUATED: &[Field] = &[
    field(
        "component-filename",
        "filename of the component",
        "TR-03183-2 v2.0 §5.2.2",
        Required,
    ),
    field(
        "component-executable",
        "executable property",
        "TR-03183-2 v2.0 §5.2.2",
        Required,
    ),
    field(
        "component-archive",
        "archive property",
        "TR-03183-2 v2.0 §5.2.2",
        Required,
    ),
    field(
        "component-structured",
        "structured property",
        "TR-03183-2 v2.0 §5.2.2",
        Required,
    ),
    field(
        "component-source-uri",
        "source code URI",
        "TR-03183-2 v2.0 §5.3.2",
        Additional,
    ),
    field(
        "component-deployable-uri",
        "URI of the deployable form of the component",
        "TR-03183-2 v2.0 §5.3.2",
        Additional,
    ),
];

const NTIA_AUTHOR: Field = field(
    "sbom-author",
    "author of SBOM data",
    "NTIA minimum elements (2021), Data Fields",
    Required,
);
const NTIA_TIMESTAMP: Field = field(
    "sbom-timestamp",
    "timestamp",
    "NTIA minimum elements (2021), Data Fields",
    Required,
);
const NTIA_DEPENDENCIES: Field = field(
    "sbom-dependencies",
    "dependency relationship of the primary component",
    "NTIA minimum elements (2021), Data Fields and Depth",
    Required,
);
const NTIA_COMPONENT: &[Field] = &[
    field(
        "component-supplier",
        "supplier name",
        "NTIA minimum elements (2021), Data Fields",
        Required,
    ),
    field(
        "component-name",
        "component name",
        "NTIA minimum elements (2021), Data Fields",
        Required,
    ),
    field(
        "component-version",
        "version of the component",
        "NTIA minimum elements (2021), Data Fields",
        Required,
    ),
    field(
        "component-identifiers",
        "other unique identifiers (purl, CPE)",
        "NTIA minimum elements (2021), Data Fields",
        Required,
    ),
];

/// Checks `sbom` against `profile`.
pub fn check(sbom: &Sbom, profile: Profile) -> QualityReport {
    let stated = stated_refs(sbom);
    let document = match profile {
        Profile::BsiTr03183V2 => vec![
            format_check(sbom),
            creator_check(sbom, BSI_CREATOR, true),
            timestamp_check(sbom, BSI_TIMESTAMP),
            DocumentCheck {
                field: BSI_URI,
                met: sbom.document.uri.is_some(),
                detail: sbom
                    .document
                    .uri
                    .clone()
                    .unwrap_or_else(|| "no serialNumber / documentNamespace".into()),
            },
        ],
        Profile::Ntia => vec![
            creator_check(sbom, NTIA_AUTHOR, false),
            timestamp_check(sbom, NTIA_TIMESTAMP),
            product_dependencies_check(sbom, &stated),
        ],
    };
    let fields = match profile {
        Profile::BsiTr03183V2 => BSI_COMPONENT,
        Profile::Ntia => NTIA_COMPONENT,
    };
    let mut coverage: Vec<FieldCoverage> = fields
        .iter()
        .map(|f| FieldCoverage {
            field: *f,
            present: 0,
            total: 0,
        })
        .collect();
    let mut gaps = Vec::new();
    let (mut passed, mut total) = (0usize, 0usize);
    for d in &document {
        if d.field.level == Required {
            total += 1;
            passed += usize::from(d.met);
        }
    }
    for c in sbom.product.iter().chain(&sbom.components) {
        let mut missing = Vec::new();
        for cov in &mut coverage {
            let has = component_has(c, cov.field.id, &stated);
            cov.total += 1;
            cov.present += usize::from(has);
            if cov.field.level == Required {
                total += 1;
                passed += usize::from(has);
            }
            if !has {
                missing.push(cov.field.id);
            }
        }
        if !missing.is_empty() {
            gaps.push(ComponentGaps {
                reference: c.reference.clone(),
                name: c.name.clone(),
                version: c.version.clone(),
                missing,
            });
        }
    }
    let meets = passed == total;
    QualityReport {
        profile,
        meets,
        score: (passed * 100).checked_div(total).map_or(100, |s| s as u8),
        document,
        components: coverage,
        gaps,
        not_evaluated: match profile {
            Profile::BsiTr03183V2 => BSI_NOT_EVALUATED.to_vec(),
            Profile::Ntia => Vec::new(),
        },
    }
}

/// References whose direct dependencies the document states: listed as stated, or the source
/// of an edge.
fn stated_refs(sbom: &Sbom) -> HashSet<&str> {
    sbom.document
        .dependencies_stated
        .iter()
        .map(String::as_str)
        .chain(sbom.dependencies.iter().map(|(from, _)| from.as_str()))
        .collect()
}

fn component_has(c: &Component, id: &str, stated: &HashSet<&str>) -> bool {
    match id {
        "component-creator" => c.supplier.as_deref().is_some_and(has_contact),
        "component-supplier" => c.supplier.is_some(),
        "component-name" => !c.name.trim().is_empty(),
        "component-version" => c.version.is_some(),
        "component-dependencies" => c.reference.as_deref().is_some_and(|r| stated.contains(r)),
        "component-licences" => {
            !c.licenses.is_empty() && c.licenses.iter().all(|l| spdx_expression(l).is_some())
        }
        "component-hash-sha512" => c.hashes.iter().any(|(alg, value)| {
            let alg: String = alg
                .chars()
                .filter(|ch| ch.is_ascii_alphanumeric())
                .collect();
            alg.eq_ignore_ascii_case("sha512") && !value.trim().is_empty()
        }),
        "component-identifiers" => c.purl_raw.is_some() || c.cpe_raw.is_some(),
        _ => false,
    }
}

/// An e-mail address or a URL somewhere in the text.
fn has_contact(text: &str) -> bool {
    text.split(|ch: char| ch.is_whitespace() || "()<>,;".contains(ch))
        .any(|w| is_email(w) || is_url(w))
}

fn is_email(w: &str) -> bool {
    let w = w.strip_prefix("mailto:").unwrap_or(w);
    match w.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        }
        None => false,
    }
}

fn is_url(w: &str) -> bool {
    ["https://", "http://"]
        .iter()
        .any(|p| w.len() > p.len() + 2 && w.to_ascii_lowercase().starts_with(p))
}

fn format_check(sbom: &Sbom) -> DocumentCheck {
    let v = sbom.spec_version.trim();
    let (format, met) = match sbom.format {
        Format::CycloneDxJson | Format::CycloneDxXml => {
            ("CycloneDX", matches!(v, "1.5" | "1.6" | "1.7"))
        }
        _ => ("SPDX", matches!(v, "SPDX-2.2" | "SPDX-2.3")),
    };
    DocumentCheck {
        field: BSI_FORMAT,
        met,
        detail: format!("{format} {v}"),
    }
}

fn creator_check(sbom: &Sbom, field: Field, needs_contact: bool) -> DocumentCheck {
    let authors = &sbom.document.authors;
    let found = authors.iter().find(|a| {
        let contact = a.email.as_deref().is_some_and(is_email)
            || a.url.as_deref().is_some_and(is_url)
            || a.name.as_deref().is_some_and(has_contact);
        contact || (!needs_contact && a.name.is_some())
    });
    let detail = match found {
        Some(a) => [&a.name, &a.email, &a.url]
            .iter()
            .filter_map(|x| x.as_deref())
            .collect::<Vec<_>>()
            .join(" "),
        None if authors.is_empty() && sbom.document.tools.is_empty() => {
            "no author, manufacturer or supplier of the SBOM".into()
        }
        None if authors.is_empty() => format!(
            "only tools named ({}); a tool is not the SBOM's creator",
            sbom.document
                .tools
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => "the SBOM's author has no e-mail address or URL".into(),
    };
    DocumentCheck {
        field,
        met: found.is_some(),
        detail,
    }
}

fn timestamp_check(sbom: &Sbom, field: Field) -> DocumentCheck {
    let t = sbom.document.timestamp.as_deref();
    let met = t.is_some_and(is_rfc3339);
    DocumentCheck {
        field,
        met,
        detail: match t {
            Some(t) if met => t.to_string(),
            Some(t) => format!("{t:?} is not an RFC 3339 date and time"),
            None => "no timestamp".into(),
        },
    }
}

/// `YYYY-MM-DDThh:mm:ss` with optional fraction, then `Z` or `±hh:mm` (RFC 3339 §5.6).
fn is_rfc3339(t: &str) -> bool {
    let b = t.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
        || !matches!(b[10], b'T' | b't')
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let mut rest = &t[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    matches!(rest, "Z" | "z")
        || (rest.len() == 6
            && matches!(rest.as_bytes()[0], b'+' | b'-')
            && rest.as_bytes()[3] == b':'
            && rest[1..3]
                .bytes()
                .chain(rest[4..].bytes())
                .all(|c| c.is_ascii_digit()))
}

fn product_dependencies_check(sbom: &Sbom, stated: &HashSet<&str>) -> DocumentCheck {
    let (met, detail) = match &sbom.product {
        None => (false, "no primary component (product) named".to_string()),
        Some(p) => match p.reference.as_deref() {
            Some(r) if stated.contains(r) => {
                let n = sbom.dependencies.iter().filter(|(f, _)| f == r).count();
                (true, format!("{} has {n} direct dependencies", p.name))
            }
            _ => (
                false,
                format!("{}'s direct dependencies are not stated", p.name),
            ),
        },
    };
    DocumentCheck {
        field: NTIA_DEPENDENCIES,
        met,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_and_contacts() {
        assert!(is_rfc3339("2026-12-06T00:00:00Z"));
        assert!(is_rfc3339("2026-12-06T00:00:00.123+01:00"));
        assert!(!is_rfc3339("2026-12-06"));
        assert!(!is_rfc3339("2026-12-06 00:00:00Z"));
        assert!(has_contact("ACME Inc. (sbom@acme.example)"));
        assert!(has_contact("https://acme.example"));
        assert!(!has_contact("ACME Inc."));
        assert!(!has_contact("user@localhost"));
    }
}
