//! JSON (and YAML) documents: one typed pass that reads the top-level fields of both CycloneDX
//! and SPDX 2, then hands the parts to the right reader.
//!
//! Why one struct for both: which format a JSON document is can only be known from its keys,
//! and the deciding key may come last (key order is free, and tools that sort keys put
//! `spdxVersion` after `packages`). Parsing once into a struct holding both formats' fields
//! costs nothing extra (absent fields stay `None`) and keeps the hot path a single pass with no
//! `serde_json::Value`. Unknown fields are skipped by serde without being built.

use crate::cyclonedx::{self, CdxJson, Edges, Flat, Metadata, Service};
use crate::spdx::{self, CreationInfo, Element, Package, Relationship, SpdxParts};
use crate::text::Text;
use crate::{Format, Sbom, SbomError};
use serde::Deserialize;
use serde::de::IgnoredAny;

/// Every top-level field either format has that the readers use.
#[derive(Deserialize)]
pub(crate) struct Document<'a> {
    // CycloneDX (1.6 §bom).
    #[serde(rename = "bomFormat", borrow, default)]
    bom_format: Option<Text<'a>>,
    #[serde(rename = "specVersion", borrow, default)]
    spec_version: Option<Text<'a>>,
    #[serde(rename = "serialNumber", borrow, default)]
    serial_number: Option<Text<'a>>,
    #[serde(borrow, default)]
    metadata: Option<Metadata<'a>>,
    #[serde(default, deserialize_with = "cyclonedx::top_level")]
    components: Option<Flat>,
    #[serde(borrow, default)]
    services: Option<Vec<Service<'a>>>,
    #[serde(default)]
    dependencies: Option<Edges>,
    // SPDX 2.x (2.3 §6 document creation information, §7 packages, §11 relationships).
    #[serde(rename = "spdxVersion", borrow, default)]
    spdx_version: Option<Text<'a>>,
    #[serde(rename = "SPDXID", borrow, default)]
    spdx_id: Option<Text<'a>>,
    #[serde(borrow, default)]
    name: Option<Text<'a>>,
    #[serde(rename = "documentNamespace", borrow, default)]
    document_namespace: Option<Text<'a>>,
    #[serde(rename = "creationInfo", borrow, default)]
    creation_info: Option<CreationInfo<'a>>,
    #[serde(rename = "documentDescribes", borrow, default)]
    document_describes: Option<Vec<Text<'a>>>,
    #[serde(borrow, default)]
    packages: Option<Vec<Package<'a>>>,
    #[serde(borrow, default)]
    files: Option<Vec<Element<'a>>>,
    #[serde(borrow, default)]
    snippets: Option<Vec<Element<'a>>>,
    #[serde(borrow, default)]
    relationships: Option<Vec<Relationship<'a>>>,
    // SPDX 3 (JSON-LD).
    #[serde(rename = "@context", borrow, default)]
    context: Option<Context<'a>>,
}

/// Just the fields that name the format and version, for a useful error when the full parse
/// failed because the document is of a version whose shape we do not know.
#[derive(Deserialize)]
struct Header<'a> {
    #[serde(rename = "bomFormat", borrow, default)]
    bom_format: Option<Text<'a>>,
    #[serde(rename = "specVersion", borrow, default)]
    spec_version: Option<Text<'a>>,
    #[serde(rename = "spdxVersion", borrow, default)]
    spdx_version: Option<Text<'a>>,
    #[serde(rename = "@context", borrow, default)]
    context: Option<Context<'a>>,
}

/// JSON-LD `@context`: a URL, or a list / object we only need to know is there.
#[derive(Deserialize)]
#[serde(untagged)]
enum Context<'a> {
    Url(#[serde(borrow)] Text<'a>),
    Other(IgnoredAny),
}

/// Reads a JSON document (CycloneDX or SPDX 2, detected from its keys).
pub(crate) fn read(text: &str, source: &str) -> Result<Sbom, SbomError> {
    let _room = cyclonedx::expect_components(text.len());
    match serde_json::from_str::<Document<'_>>(text) {
        Ok(doc) => lower(doc, source, Format::SpdxJson),
        Err(e) => {
            // A shape we could not read may be a version we do not read: say that instead.
            if let Ok(h) = serde_json::from_str::<Header<'_>>(text) {
                check_header(&h, source)?;
            }
            Err(json_error(&e, source))
        }
    }
}

/// Reads an SPDX YAML document (same model as SPDX JSON, SPDX 2.3 Annex H).
pub(crate) fn read_yaml(text: &str, source: &str) -> Result<Sbom, SbomError> {
    crate::input::check_yaml_nesting(text, source)?;
    match serde_norway::from_str::<Document<'_>>(text) {
        Ok(doc) => lower(doc, source, Format::SpdxYaml),
        Err(e) => {
            let (line, column) = e
                .location()
                .map_or((1, 1), |l| (l.line() as u64, l.column() as u64));
            Err(SbomError::Syntax {
                input: source.to_string(),
                line,
                column,
                message: format!("invalid YAML: {e}"),
            })
        }
    }
}

fn check_header(h: &Header<'_>, source: &str) -> Result<(), SbomError> {
    if let Some(ctx) = &h.context {
        return Err(spdx3_error(ctx, source));
    }
    if let Some(v) = &h.spdx_version {
        spdx::check_version(v.as_str(), source, &mut Vec::new())?;
    }
    if h.bom_format
        .as_ref()
        .is_some_and(|f| f.as_str() == "CycloneDX")
        && let Some(v) = &h.spec_version
    {
        cyclonedx::check_version(v.as_str(), source, &mut Vec::new())?;
    }
    Ok(())
}

fn lower(doc: Document<'_>, source: &str, spdx_format: Format) -> Result<Sbom, SbomError> {
    if let Some(ctx) = &doc.context
        && doc.spdx_version.is_none()
        && doc.bom_format.is_none()
    {
        return Err(spdx3_error(ctx, source));
    }
    if doc
        .bom_format
        .as_ref()
        .is_some_and(|f| f.as_str() == "CycloneDX")
    {
        return cyclonedx::from_json(
            CdxJson {
                spec_version: doc.spec_version,
                serial_number: doc.serial_number,
                metadata: doc.metadata,
                components: doc.components,
                services: doc.services,
                dependencies: doc.dependencies,
            },
            source,
        );
    }
    if let Some(version) = doc.spdx_version {
        return spdx::from_parts(
            SpdxParts {
                version: version.0.into_owned(),
                document_id: doc.spdx_id.map(|t| t.0.into_owned()),
                name: doc.name,
                namespace: doc.document_namespace,
                creation: doc.creation_info.unwrap_or_default(),
                describes: doc.document_describes.unwrap_or_default(),
                packages: doc.packages.unwrap_or_default(),
                files: doc.files.unwrap_or_default(),
                snippets: doc.snippets.unwrap_or_default(),
                relationships: doc.relationships.unwrap_or_default(),
            },
            source,
            spdx_format,
        );
    }
    // `bomFormat` is required since CycloneDX 1.2: a document without it is not one we can
    // trust to be CycloneDX.
    Err(SbomError::UnknownFormat {
        input: source.to_string(),
    })
}

/// SPDX 3.0 is JSON-LD (`@context` + `@graph`), a different model from 2.x. Not read yet.
fn spdx3_error(ctx: &Context<'_>, source: &str) -> SbomError {
    let url = match ctx {
        Context::Url(t) => t.as_str(),
        Context::Other(_) => "",
    };
    if !url.is_empty() && !url.contains("spdx") {
        return SbomError::UnknownFormat {
            input: source.to_string(),
        };
    }
    // `https://spdx.org/rdf/3.0.1/spdx-context.jsonld` → `3.0.1`.
    let version = url
        .split('/')
        .find(|seg| seg.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or("3")
        .to_string();
    SbomError::UnsupportedVersion {
        input: source.to_string(),
        format: "SPDX",
        version,
        detail: "SPDX 3 JSON-LD is not read yet; SPDX 2.2 and 2.3 are".into(),
    }
}

/// Maps a serde_json error to a positioned syntax error.
fn json_error(e: &serde_json::Error, source: &str) -> SbomError {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full);
    let message = if e.is_eof() {
        format!("truncated JSON: {message}")
    } else {
        message.to_string()
    };
    SbomError::Syntax {
        input: source.to_string(),
        line: e.line() as u64,
        column: e.column() as u64,
        message,
    }
}
