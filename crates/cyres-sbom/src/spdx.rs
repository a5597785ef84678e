//! SPDX 2.x: the package model shared by the JSON, YAML and tag-value encodings, and how it maps
//! onto the normalised model. The tag-value parser is in [`tag_value`]; JSON and YAML go through
//! [`crate::json`].
//!
//! Spec: SPDX 2.3 (ISO/IEC 5962:2021 is 2.2.1). Read: packages (§7) with their SPDXID, name,
//! `versionInfo`, supplier and originator, checksums, `externalRefs` (purl, CPE), declared and
//! concluded licences and primary purpose; relationships (§11) as the dependency graph; the
//! described packages (`DESCRIBES`, `documentDescribes`) as the product.

pub(crate) mod tag_value;

use crate::cyclonedx::push_license;
use crate::normalize::{self, NonComponentRefs};
use crate::text::{Text, non_blank, owned};
use crate::{Component, Diagnostic, DocumentInfo, Format, Party, Sbom, SbomError, Scope, Tool};
use serde::Deserialize;

/// SPDX 2.2 and 2.3 are read; 2.1 has the same package fields and is read with a note.
pub(crate) fn check_version(
    version: &str,
    source: &str,
    diags: &mut Vec<Diagnostic>,
) -> Result<(), SbomError> {
    match version.trim() {
        "SPDX-2.2" | "SPDX-2.3" => Ok(()),
        "SPDX-2.1" => {
            normalize::info(
                diags,
                "older-spec-version",
                "SPDX 2.1 is read with the SPDX 2.2 field set".into(),
            );
            Ok(())
        }
        other => Err(SbomError::UnsupportedVersion {
            input: source.to_string(),
            format: "SPDX",
            version: other.to_string(),
            detail: "SPDX 2.2 and 2.3 are read".into(),
        }),
    }
}

/// §7.10 package checksum.
#[derive(Deserialize, Default)]
pub(crate) struct Checksum<'a> {
    #[serde(borrow, default)]
    pub(crate) algorithm: Option<Text<'a>>,
    #[serde(rename = "checksumValue", borrow, default)]
    pub(crate) value: Option<Text<'a>>,
}

/// §7.21 external reference.
#[derive(Deserialize, Default)]
pub(crate) struct ExternalRef<'a> {
    #[serde(rename = "referenceCategory", borrow, default)]
    pub(crate) category: Option<Text<'a>>,
    #[serde(rename = "referenceType", borrow, default)]
    pub(crate) kind: Option<Text<'a>>,
    #[serde(rename = "referenceLocator", borrow, default)]
    pub(crate) locator: Option<Text<'a>>,
}

/// §7 package.
#[derive(Deserialize, Default)]
pub(crate) struct Package<'a> {
    #[serde(rename = "SPDXID", borrow, default)]
    pub(crate) id: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub(crate) name: Option<Text<'a>>,
    #[serde(rename = "versionInfo", borrow, default)]
    pub(crate) version: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub(crate) supplier: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub(crate) originator: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub(crate) checksums: Option<Vec<Checksum<'a>>>,
    #[serde(rename = "externalRefs", borrow, default)]
    pub(crate) external_refs: Option<Vec<ExternalRef<'a>>>,
    #[serde(rename = "licenseConcluded", borrow, default)]
    pub(crate) license_concluded: Option<Text<'a>>,
    #[serde(rename = "licenseDeclared", borrow, default)]
    pub(crate) license_declared: Option<Text<'a>>,
    #[serde(rename = "primaryPackagePurpose", borrow, default)]
    pub(crate) purpose: Option<Text<'a>>,
}

/// A file or snippet: only its SPDXID matters (relationships to it are not dependencies).
#[derive(Deserialize)]
pub(crate) struct Element<'a> {
    #[serde(rename = "SPDXID", borrow, default)]
    pub(crate) id: Option<Text<'a>>,
}

/// §11 relationship.
#[derive(Deserialize)]
pub(crate) struct Relationship<'a> {
    #[serde(rename = "spdxElementId", borrow, default)]
    pub(crate) from: Option<Text<'a>>,
    #[serde(rename = "relationshipType", borrow, default)]
    pub(crate) kind: Option<Text<'a>>,
    #[serde(rename = "relatedSpdxElement", borrow, default)]
    pub(crate) to: Option<Text<'a>>,
}

/// §6.8–6.10 creation information: when, and by whom (`Person: …`, `Organization: …`,
/// `Tool: …`).
#[derive(Deserialize, Default)]
pub(crate) struct CreationInfo<'a> {
    #[serde(borrow, default)]
    pub(crate) created: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub(crate) creators: Option<Vec<Text<'a>>>,
}

/// An SPDX 2 document, from any encoding.
pub(crate) struct SpdxParts<'a> {
    pub(crate) version: String,
    pub(crate) document_id: Option<String>,
    /// §6.4 document name.
    pub(crate) name: Option<Text<'a>>,
    /// §6.5 SPDX document namespace.
    pub(crate) namespace: Option<Text<'a>>,
    pub(crate) creation: CreationInfo<'a>,
    pub(crate) describes: Vec<Text<'a>>,
    pub(crate) packages: Vec<Package<'a>>,
    pub(crate) files: Vec<Element<'a>>,
    pub(crate) snippets: Vec<Element<'a>>,
    pub(crate) relationships: Vec<Relationship<'a>>,
}

/// What a relationship type means for the dependency graph.
enum Edge {
    /// `A <type> B` means A depends on B.
    Forward,
    /// `A <type> B` means B depends on A.
    Reverse,
    /// Not a dependency.
    None,
}

/// SPDX 2.3 §11.1 relationship types read as dependencies. Containment and linking count: a
/// package that contains or links another ships it. `*_DEPENDENCY_OF` of every flavour counts
/// (the model has no edge kinds yet).
fn edge_kind(kind: &str) -> Edge {
    match kind {
        "DEPENDS_ON" | "CONTAINS" | "DYNAMIC_LINK" | "STATIC_LINK" | "HAS_PREREQUISITE" => {
            Edge::Forward
        }
        "DEPENDENCY_OF"
        | "CONTAINED_BY"
        | "BUILD_DEPENDENCY_OF"
        | "DEV_DEPENDENCY_OF"
        | "OPTIONAL_DEPENDENCY_OF"
        | "PROVIDED_DEPENDENCY_OF"
        | "TEST_DEPENDENCY_OF"
        | "RUNTIME_DEPENDENCY_OF"
        | "PREREQUISITE_FOR"
        | "PACKAGE_OF" => Edge::Reverse,
        _ => Edge::None,
    }
}

/// Lowers an SPDX 2 document into the model.
pub(crate) fn from_parts(
    doc: SpdxParts<'_>,
    source: &str,
    format: Format,
) -> Result<Sbom, SbomError> {
    let mut diagnostics = Vec::new();
    check_version(&doc.version, source, &mut diagnostics)?;
    let document_id = doc
        .document_id
        .unwrap_or_else(|| "SPDXRef-DOCUMENT".to_string());

    let mut others = NonComponentRefs::default();
    others.0.insert(document_id.clone());
    for e in doc.files.iter().chain(&doc.snippets) {
        if let Some(id) = owned(e.id.as_ref()) {
            others.0.insert(id);
        }
    }

    // §6.x documentDescribes and §11 DESCRIBES / DESCRIBED_BY: what the document is about.
    let mut described: Vec<String> = doc
        .describes
        .iter()
        .filter_map(|t| owned(Some(t)))
        .collect();
    let mut dependencies = Vec::new();
    let mut stated = Vec::new();
    for r in &doc.relationships {
        let (Some(from), Some(kind), Some(to)) = (
            owned(r.from.as_ref()),
            owned(r.kind.as_ref()),
            owned(r.to.as_ref()),
        ) else {
            continue;
        };
        let kind = kind.to_ascii_uppercase();
        match kind.as_str() {
            "DESCRIBES" if from == document_id => described.push(to.clone()),
            "DESCRIBED_BY" if to == document_id => described.push(from.clone()),
            _ => {}
        }
        let (from, to) = match edge_kind(&kind) {
            Edge::Forward => (from, to),
            Edge::Reverse => (to, from),
            Edge::None => continue,
        };
        // §11.1: `A DEPENDS_ON NONE` states that A depends on nothing.
        if !is_outside(&from) {
            stated.push(from.clone());
        }
        if [&from, &to].iter().any(|e| is_outside(e)) {
            continue;
        }
        // References into other documents are not components of this one.
        for end in [&from, &to] {
            if end.starts_with("DocumentRef-") {
                others.0.insert(end.clone());
            }
        }
        dependencies.push((from, to));
    }

    let mut components: Vec<Component> = doc.packages.into_iter().map(lower).collect();
    let mut product = None;
    let mut seen_described = Vec::new();
    for d in described {
        if seen_described.contains(&d) {
            continue;
        }
        seen_described.push(d.clone());
        let Some(i) = components
            .iter()
            .position(|c| c.reference.as_deref() == Some(&d))
        else {
            continue;
        };
        if product.is_none() {
            product = Some(components.remove(i));
        } else {
            normalize::info(
                &mut diagnostics,
                "several-described-packages",
                format!("the document describes several packages; {d:?} is kept as a component"),
            );
        }
    }

    let mut document = creation_info(&doc.creation);
    document.uri = owned(doc.namespace.as_ref());
    document.name = owned(doc.name.as_ref());
    document.dependencies_stated = stated;
    let mut sbom = Sbom {
        source: source.to_string(),
        format,
        spec_version: doc.version.trim().to_string(),
        product,
        components,
        dependencies,
        diagnostics,
        document,
    };
    normalize::finish(&mut sbom, &others);
    Ok(sbom)
}

/// §6.8 creators and §6.9 created. A creator is `Person: name (email)`, `Organization: name
/// (email)` or `Tool: name-version`.
fn creation_info(c: &CreationInfo<'_>) -> DocumentInfo {
    let mut info = DocumentInfo {
        timestamp: owned(c.created.as_ref()),
        ..DocumentInfo::default()
    };
    for creator in c.creators.iter().flatten() {
        let Some(text) = owned(Some(creator)) else {
            continue;
        };
        if let Some(tool) = text.strip_prefix("Tool:") {
            if let Some(name) = non_blank(Some(tool)) {
                info.tools.push(Tool {
                    name,
                    ..Tool::default()
                });
            }
        } else {
            let rest = text
                .strip_prefix("Person:")
                .or_else(|| text.strip_prefix("Organization:"))
                .unwrap_or(&text);
            let (name, email) = name_and_email(rest);
            if name.is_some() || email.is_some() {
                info.authors.push(Party {
                    name,
                    email,
                    url: None,
                });
            }
        }
    }
    info
}

/// `ACME Inc. (info@acme.example)` → (`ACME Inc.`, `info@acme.example`): SPDX 2.3 §6.8 and
/// §7.5 write an optional e-mail address in parentheses after the name.
pub(crate) fn name_and_email(text: &str) -> (Option<String>, Option<String>) {
    let text = text.trim();
    if let Some(open) = text.rfind('(')
        && text.ends_with(')')
    {
        let email = non_blank(Some(&text[open + 1..text.len() - 1]));
        return (non_blank(Some(&text[..open])), email);
    }
    (non_blank(Some(text)), None)
}

/// `NOASSERTION` / `NONE` as an element (SPDX 2.3 §11.1) say there is nothing there.
fn is_outside(id: &str) -> bool {
    id == "NOASSERTION" || id == "NONE"
}

fn lower(p: Package<'_>) -> Component {
    let mut purl = None;
    let mut cpe23 = None;
    let mut cpe22 = None;
    for r in p.external_refs.iter().flatten() {
        let (Some(cat), Some(kind), Some(loc)) = (
            r.category.as_ref(),
            r.kind.as_ref(),
            owned(r.locator.as_ref()),
        ) else {
            continue;
        };
        // §7.21: the category is `PACKAGE-MANAGER` (2.3) or `PACKAGE_MANAGER` (2.2 JSON schema).
        let cat = cat.as_str().trim().to_ascii_uppercase().replace('_', "-");
        match (cat.as_str(), kind.as_str().trim()) {
            ("PACKAGE-MANAGER", "purl") if purl.is_none() => purl = Some(loc),
            ("SECURITY", "cpe23Type") if cpe23.is_none() => cpe23 = Some(loc),
            ("SECURITY", "cpe22Type") if cpe22.is_none() => cpe22 = Some(loc),
            _ => {}
        }
    }
    let hashes = p
        .checksums
        .unwrap_or_default()
        .into_iter()
        .filter_map(|c| Some((owned(c.algorithm.as_ref())?, owned(c.value.as_ref())?)))
        .collect();
    let mut licenses = Vec::new();
    push_license(&mut licenses, assertion(p.license_declared.as_ref()));
    push_license(&mut licenses, assertion(p.license_concluded.as_ref()));
    Component {
        reference: owned(p.id.as_ref()),
        name: owned(p.name.as_ref()).unwrap_or_default(),
        group: None,
        version: assertion(p.version.as_ref()),
        purl: None,
        purl_raw: purl,
        cpe: None,
        cpe_raw: cpe23.or(cpe22),
        hashes,
        supplier: party(p.supplier.as_ref()).or_else(|| party(p.originator.as_ref())),
        licenses,
        kind: owned(p.purpose.as_ref()),
        scope: Scope::Required,
        direct: None,
    }
}

/// A value, or `None` for `NOASSERTION` / `NONE` (SPDX 2.3 §3.x "no assertion").
fn assertion(t: Option<&Text<'_>>) -> Option<String> {
    owned(t).filter(|s| s != "NOASSERTION" && s != "NONE")
}

/// §7.5 supplier / §7.6 originator: `Person: name (email)` or `Organization: name (email)`.
fn party(t: Option<&Text<'_>>) -> Option<String> {
    let s = assertion(t)?;
    let rest = s
        .strip_prefix("Organization:")
        .or_else(|| s.strip_prefix("Person:"))
        .or_else(|| s.strip_prefix("Tool:"))
        .unwrap_or(&s);
    non_blank(Some(rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn t(s: &str) -> Option<Text<'_>> {
        Some(Text(Cow::Borrowed(s)))
    }

    #[test]
    fn supplier_prefix_is_stripped() {
        assert_eq!(
            party(t("Organization: ACME Inc. (a@b.c)").as_ref()).as_deref(),
            Some("ACME Inc. (a@b.c)")
        );
        assert_eq!(party(t("Person: Jane").as_ref()).as_deref(), Some("Jane"));
        assert_eq!(party(t("NOASSERTION").as_ref()), None);
    }

    #[test]
    fn relationship_directions() {
        assert!(matches!(edge_kind("DEPENDS_ON"), Edge::Forward));
        assert!(matches!(edge_kind("DEPENDENCY_OF"), Edge::Reverse));
        assert!(matches!(edge_kind("DEV_DEPENDENCY_OF"), Edge::Reverse));
        assert!(matches!(edge_kind("CONTAINS"), Edge::Forward));
        assert!(matches!(edge_kind("DESCRIBES"), Edge::None));
        assert!(matches!(edge_kind("GENERATED_FROM"), Edge::None));
    }

    #[test]
    fn external_refs_pick_purl_and_cpe23_first() {
        let p = Package {
            id: t("SPDXRef-a"),
            name: t("openssl"),
            external_refs: Some(vec![
                ExternalRef {
                    category: t("SECURITY"),
                    kind: t("cpe22Type"),
                    locator: t("cpe:/a:openssl:openssl:1"),
                },
                ExternalRef {
                    category: t("SECURITY"),
                    kind: t("cpe23Type"),
                    locator: t("cpe:2.3:a:openssl:openssl:1:*:*:*:*:*:*:*"),
                },
                ExternalRef {
                    category: t("PACKAGE_MANAGER"),
                    kind: t("purl"),
                    locator: t("pkg:generic/openssl@1"),
                },
            ]),
            ..Default::default()
        };
        let c = lower(p);
        assert_eq!(c.purl_raw.as_deref(), Some("pkg:generic/openssl@1"));
        assert_eq!(
            c.cpe_raw.as_deref(),
            Some("cpe:2.3:a:openssl:openssl:1:*:*:*:*:*:*:*")
        );
    }
}
