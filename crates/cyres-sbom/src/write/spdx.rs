//! SPDX 2.3 JSON (ISO/IEC 5962 successor; the SPDX 2.3 JSON schema and spec chapters cited
//! below).
//!
//! Layout: document creation information (§6), one package per component with the product
//! first (§7), `DESCRIBES` from the document to the product and `DEPENDS_ON` for the graph
//! (§11; `DEPENDS_ON NONE` where the model states a component has no dependencies), and the
//! non-SPDX licences as `hasExtractedLicensingInfos` (§10).
//!
//! What SPDX 2.3 cannot hold as the model does: a document without a product (every package
//! is then described, and a reader takes the first as the product); a component's `group` (no such field; the purl
//! keeps the namespace); free-text licence names (written as `LicenseRef-` identifiers with the
//! name as the extracted text); several licences (written as one `AND` expression); the hash
//! algorithm's spelling (SPDX's `SHA256` for CycloneDX's `SHA-256`); references (SPDXIDs allow
//! only letters, digits, `.` and `-`); a component's scope (expressed only through the
//! relationship types of the edges to it, which the reader does not turn back into a scope).

use super::{Refs, Spelling, WriteOptions, content_uuid, hash_for, rfc3339, spdx_expression};
use crate::{Component, Sbom, Scope};
use serde::Serialize;

/// SPDX 2.3 §7.24 primary package purposes.
pub const PURPOSES: &[&str] = &[
    "APPLICATION",
    "FRAMEWORK",
    "LIBRARY",
    "CONTAINER",
    "OPERATING-SYSTEM",
    "DEVICE",
    "FIRMWARE",
    "SOURCE",
    "ARCHIVE",
    "FILE",
    "INSTALL",
    "OTHER",
];

#[derive(Serialize)]
struct Document<'a> {
    #[serde(rename = "spdxVersion")]
    spdx_version: &'static str,
    #[serde(rename = "dataLicense")]
    data_license: &'static str,
    #[serde(rename = "SPDXID")]
    id: &'static str,
    name: String,
    #[serde(rename = "documentNamespace")]
    namespace: String,
    #[serde(rename = "creationInfo")]
    creation_info: CreationInfo,
    packages: Vec<Package<'a>>,
    relationships: Vec<Relationship<'a>>,
    #[serde(
        rename = "hasExtractedLicensingInfos",
        skip_serializing_if = "Vec::is_empty"
    )]
    extracted: Vec<Extracted>,
}

#[derive(Serialize)]
struct CreationInfo {
    created: String,
    creators: Vec<String>,
}

#[derive(Serialize)]
struct Package<'a> {
    #[serde(rename = "SPDXID")]
    id: &'a str,
    name: &'a str,
    #[serde(rename = "versionInfo", skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplier: Option<String>,
    #[serde(rename = "downloadLocation")]
    download_location: &'static str,
    #[serde(rename = "filesAnalyzed")]
    files_analyzed: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checksums: Vec<Checksum>,
    #[serde(rename = "licenseConcluded")]
    license_concluded: &'static str,
    #[serde(rename = "licenseDeclared")]
    license_declared: String,
    #[serde(rename = "externalRefs", skip_serializing_if = "Vec::is_empty")]
    external_refs: Vec<ExternalRef<'a>>,
    #[serde(
        rename = "primaryPackagePurpose",
        skip_serializing_if = "Option::is_none"
    )]
    purpose: Option<&'static str>,
}

#[derive(Serialize)]
struct Checksum {
    algorithm: &'static str,
    #[serde(rename = "checksumValue")]
    value: String,
}

#[derive(Serialize)]
struct ExternalRef<'a> {
    #[serde(rename = "referenceCategory")]
    category: &'static str,
    #[serde(rename = "referenceType")]
    kind: &'static str,
    #[serde(rename = "referenceLocator")]
    locator: &'a str,
}

#[derive(Serialize)]
struct Relationship<'a> {
    #[serde(rename = "spdxElementId")]
    from: &'a str,
    #[serde(rename = "relationshipType")]
    kind: &'static str,
    #[serde(rename = "relatedSpdxElement")]
    to: &'a str,
}

/// §10 other licensing information: a licence that is not on the SPDX licence list.
#[derive(Serialize)]
struct Extracted {
    #[serde(rename = "licenseId")]
    id: String,
    #[serde(rename = "extractedText")]
    text: String,
    name: String,
}

/// Writes `sbom` as an SPDX 2.3 JSON document (pretty-printed, ending in a newline).
pub fn spdx_json(sbom: &Sbom, options: &WriteOptions) -> String {
    // §7.2: `SPDXRef-` followed by letters, digits, `.` and `-`.
    let refs = Refs::assign(sbom, |c, i| {
        let base = c
            .reference
            .as_deref()
            .map(|r| r.strip_prefix("SPDXRef-").unwrap_or(r).to_string())
            .unwrap_or_else(|| match &c.version {
                Some(v) => format!("{}-{v}", c.name),
                None => c.name.clone(),
            });
        let clean = id_string(&base);
        if clean.is_empty() {
            format!("SPDXRef-Package-{i}")
        } else {
            format!("SPDXRef-{clean}")
        }
    });
    let mut extracted = Vec::new();
    let mut packages = Vec::with_capacity(sbom.components.len() + 1);
    if let (Some(p), Some(r)) = (&sbom.product, &refs.product) {
        packages.push(package(p, r, &mut extracted));
    }
    for (c, r) in sbom.components.iter().zip(&refs.components) {
        packages.push(package(c, r, &mut extracted));
    }
    let mut relationships = Vec::new();
    // §11 and the SPDX validator: a document of several packages DESCRIBES at least one. With
    // no product, it describes every package (read back, the first becomes the product).
    let described: Vec<&String> = match &refs.product {
        Some(r) => vec![r],
        None if refs.components.len() > 1 => refs.components.iter().collect(),
        None => Vec::new(),
    };
    for r in described {
        relationships.push(Relationship {
            from: "SPDXRef-DOCUMENT",
            kind: "DESCRIBES",
            to: r,
        });
    }
    let graph = refs.graph(sbom);
    // §11.1: an edge to an optional or development-only component is written as
    // OPTIONAL_DEPENDENCY_OF / DEV_DEPENDENCY_OF (the same edge, read back the same way).
    let scopes: std::collections::HashMap<&str, Scope> = refs
        .components
        .iter()
        .map(String::as_str)
        .zip(sbom.components.iter().map(|c| c.scope))
        .collect();
    for (from, targets) in &graph {
        if targets.is_empty() {
            // §11.1: NONE as the related element says there is no such relationship.
            relationships.push(Relationship {
                from,
                kind: "DEPENDS_ON",
                to: "NONE",
            });
        }
        for to in targets {
            relationships.push(match scopes.get(to.as_str()) {
                Some(Scope::Optional) => Relationship {
                    from: to,
                    kind: "OPTIONAL_DEPENDENCY_OF",
                    to: from,
                },
                Some(Scope::Excluded) => Relationship {
                    from: to,
                    kind: "DEV_DEPENDENCY_OF",
                    to: from,
                },
                _ => Relationship {
                    from,
                    kind: "DEPENDS_ON",
                    to,
                },
            });
        }
    }
    let name = match &sbom.product {
        Some(p) => match &p.version {
            Some(v) => format!("{}-{v}", p.name),
            None => p.name.clone(),
        },
        None => "sbom".to_string(),
    };
    // §6.8: at least one creator; the tool always, the responsible organisation when given.
    let mut creators = Vec::new();
    if let Some(a) = &options.author {
        let name = a.name.as_deref().or(a.url.as_deref()).unwrap_or("unknown");
        creators.push(match &a.email {
            Some(e) => format!("Organization: {name} ({e})"),
            None => format!("Organization: {name}"),
        });
    }
    creators.push(match &options.tool.version {
        Some(v) => format!("Tool: {}-{v}", options.tool.name),
        None => format!("Tool: {}", options.tool.name),
    });
    let mut doc = Document {
        spdx_version: "SPDX-2.3",
        data_license: "CC0-1.0",
        id: "SPDXRef-DOCUMENT",
        name,
        namespace: String::new(),
        creation_info: CreationInfo {
            created: rfc3339(options.created),
            creators,
        },
        packages,
        relationships,
        extracted,
    };
    // §6.5: a unique absolute URI without `#`; derived from the content, so it is the same for
    // the same input and differs for different ones.
    let body = serde_json::to_string(&doc).expect("serialising plain structs cannot fail");
    doc.namespace = format!("urn:uuid:{}", content_uuid(body.as_bytes()));
    let mut out =
        serde_json::to_string_pretty(&doc).expect("serialising plain structs cannot fail");
    out.push('\n');
    out
}

fn package<'a>(c: &'a Component, id: &'a str, extracted: &mut Vec<Extracted>) -> Package<'a> {
    let mut external_refs = Vec::new();
    if let Some(p) = c.purl_raw.as_deref().filter(|p| purl_shaped(p)) {
        // §7.21 and Annex F: category PACKAGE-MANAGER, type purl (a purl without the
        // `pkg:type/name` shape Annex F asks for is left out: it would make the document
        // invalid, and it never matched anything).
        external_refs.push(ExternalRef {
            category: "PACKAGE-MANAGER",
            kind: "purl",
            locator: p,
        });
    }
    if let Some(cpe) = &c.cpe_raw {
        external_refs.push(ExternalRef {
            category: "SECURITY",
            kind: if cpe.starts_with("cpe:/") {
                "cpe22Type"
            } else {
                "cpe23Type"
            },
            locator: cpe,
        });
    }
    Package {
        id,
        name: &c.name,
        version: c.version.as_deref(),
        // §7.5: `Organization: name (email)`; the model does not say person or organisation.
        supplier: c.supplier.as_ref().map(|s| format!("Organization: {s}")),
        download_location: "NOASSERTION",
        files_analyzed: false,
        checksums: c
            .hashes
            .iter()
            .filter_map(|(alg, value)| {
                let (algorithm, value) = hash_for(alg, value, Spelling::Spdx)?;
                Some(Checksum { algorithm, value })
            })
            .collect(),
        license_concluded: "NOASSERTION",
        license_declared: declared(&c.licenses, extracted),
        external_refs,
        purpose: c.kind.as_deref().map(purpose),
    }
}

/// Annex F's purl locator shape: `pkg:`, a type, `/`, a name (`^pkg:.+(/.+)?/.+…$`).
pub fn purl_shaped(p: &str) -> bool {
    p.strip_prefix("pkg:")
        .and_then(|rest| rest.find('/').map(|i| i > 0 && i + 1 < rest.len()))
        .unwrap_or(false)
        && !p.contains('\n')
}

/// §7.15 declared licence: the licences as one expression; a name that is not an SPDX
/// expression becomes a `LicenseRef-` (§10.1) carrying the name.
fn declared(licenses: &[String], extracted: &mut Vec<Extracted>) -> String {
    let parts: Vec<String> = licenses
        .iter()
        .map(|l| {
            if let Some(refs) = spdx_expression(l) {
                // §10.1: every LicenseRef used needs its extracted-licence entry; the text of a
                // reference from the input is not in the model, so the entry says so.
                for r in refs.into_iter().filter(|r| r.starts_with("LicenseRef-")) {
                    add_extracted(
                        extracted,
                        r.clone(),
                        format!("{r} (text not carried over)"),
                        r,
                    );
                }
                return l.clone();
            }
            let id = format!("LicenseRef-{}", id_string(l));
            add_extracted(extracted, id.clone(), l.clone(), l.clone());
            id
        })
        .collect();
    match parts.as_slice() {
        [] => "NOASSERTION".to_string(),
        [one] => one.clone(),
        many => many
            .iter()
            .map(|p| {
                if p.contains(' ') {
                    format!("({p})")
                } else {
                    p.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" AND "),
    }
}

fn add_extracted(extracted: &mut Vec<Extracted>, id: String, text: String, name: String) {
    if !extracted.iter().any(|e| e.id == id) {
        extracted.push(Extracted { id, text, name });
    }
}

/// The model's kind as an SPDX purpose: SPDX purposes as they are, CycloneDX types mapped where
/// SPDX has the same idea, `OTHER` otherwise.
fn purpose(kind: &str) -> &'static str {
    let upper = kind.trim().to_ascii_uppercase();
    PURPOSES
        .iter()
        .find(|p| **p == upper)
        .copied()
        .unwrap_or("OTHER")
}

/// Letters, digits, `.` and `-`, every other run of characters as one `-` (SPDX 2.3 §3.2
/// idstring).
fn id_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if ch.is_ascii_alphanumeric() || ch == '.' {
            out.push(ch);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}
