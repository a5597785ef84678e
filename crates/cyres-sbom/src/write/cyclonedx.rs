//! CycloneDX 1.6 JSON (ECMA-424 1st edition; `bom-1.6.schema.json`).
//!
//! Layout: `metadata` (timestamp, tools, the author, the product as `metadata.component`),
//! `components` (flat, model order), `dependencies` (one entry per component whose dependencies
//! the model knows, empty `dependsOn` for a stated "none"). Components carry `bom-ref`, `type`,
//! `supplier`, `group`, `name`, `version`, `hashes`, `licenses`, `scope` (when not `required`),
//! `cpe`, `purl`.

use super::{Refs, Spelling, WriteOptions, content_uuid, hash_for, rfc3339, spdx_expression};
use crate::{Component, Sbom, Scope};
use serde::Serialize;

/// CycloneDX 1.6 `component.type` values (§component.type).
pub const TYPES: &[&str] = &[
    "application",
    "framework",
    "library",
    "container",
    "platform",
    "operating-system",
    "device",
    "device-driver",
    "firmware",
    "file",
    "machine-learning-model",
    "data",
    "cryptographic-asset",
];

#[derive(Serialize)]
struct Bom<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    #[serde(rename = "bomFormat")]
    bom_format: &'static str,
    #[serde(rename = "specVersion")]
    spec_version: &'static str,
    #[serde(rename = "serialNumber")]
    serial_number: String,
    version: u32,
    metadata: Metadata<'a>,
    components: Vec<Comp<'a>>,
    dependencies: Vec<Dependency>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    timestamp: String,
    tools: Tools<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Contact<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    manufacturer: Option<Entity<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    component: Option<Comp<'a>>,
}

#[derive(Serialize)]
struct Tools<'a> {
    components: Vec<ToolComp<'a>>,
}

#[derive(Serialize)]
struct ToolComp<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
}

/// 1.6 §organizationalContact.
#[derive(Serialize)]
struct Contact<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
}

/// 1.6 §organizationalEntity.
#[derive(Serialize)]
struct Entity<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    url: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    contact: Vec<Contact<'a>>,
}

#[derive(Serialize)]
struct Comp<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplier: Option<Entity<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<Hash>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<LicenseChoice<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cpe: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<&'a str>,
}

#[derive(Serialize)]
struct Hash {
    alg: &'static str,
    content: String,
}

/// 1.6 §licenseChoice: a list of licences, or exactly one expression.
#[derive(Serialize)]
#[serde(untagged)]
enum LicenseChoice<'a> {
    License { license: LicenseName<'a> },
    Expression { expression: &'a str },
}

#[derive(Serialize)]
struct LicenseName<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct Dependency {
    #[serde(rename = "ref")]
    reference: String,
    #[serde(rename = "dependsOn")]
    depends_on: Vec<String>,
}

/// Writes `sbom` as a CycloneDX 1.6 JSON document (pretty-printed, ending in a newline).
pub fn cyclonedx_json(sbom: &Sbom, options: &WriteOptions) -> String {
    // 1.6 §bom-ref: any string unique within the BOM; the model's reference is kept when it has
    // one, else the purl, else `name@version`.
    let refs = Refs::assign(sbom, |c, i| {
        c.reference
            .clone()
            .or_else(|| c.purl_raw.clone())
            .unwrap_or_else(|| match &c.version {
                Some(v) if !c.name.is_empty() => format!("{}@{v}", c.name),
                _ if !c.name.is_empty() => c.name.clone(),
                _ => format!("component-{i}"),
            })
    });
    let (authors, manufacturer) = author(options);
    let mut bom = Bom {
        schema: "http://cyclonedx.org/schema/bom-1.6.schema.json",
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: String::new(),
        version: 1,
        metadata: Metadata {
            timestamp: rfc3339(options.created),
            tools: Tools {
                components: vec![ToolComp {
                    kind: "application",
                    group: options.tool.vendor.as_deref(),
                    name: &options.tool.name,
                    version: options.tool.version.as_deref(),
                }],
            },
            authors,
            manufacturer,
            component: sbom
                .product
                .as_ref()
                .zip(refs.product.as_deref())
                .map(|(p, r)| component(p, r)),
        },
        components: sbom
            .components
            .iter()
            .zip(&refs.components)
            .map(|(c, r)| component(c, r))
            .collect(),
        dependencies: refs
            .graph(sbom)
            .into_iter()
            .map(|(reference, depends_on)| Dependency {
                reference,
                depends_on,
            })
            .collect(),
    };
    // The serial number is a digest of everything else (1.6 §serialNumber: RFC 4122 URN).
    let body = serde_json::to_string(&bom).expect("serialising plain structs cannot fail");
    bom.serial_number = format!("urn:uuid:{}", content_uuid(body.as_bytes()));
    let mut out =
        serde_json::to_string_pretty(&bom).expect("serialising plain structs cannot fail");
    out.push('\n');
    out
}

/// BSI TR-03183-2 §5.2.1 creator of the SBOM: a contact with its e-mail (`metadata.authors`),
/// or, when there is a URL, the organisation that made it (`metadata.manufacturer`, 1.6).
fn author(options: &WriteOptions) -> (Vec<Contact<'_>>, Option<Entity<'_>>) {
    let Some(a) = &options.author else {
        return (Vec::new(), None);
    };
    let contact = || Contact {
        name: a.name.as_deref(),
        email: a.email.as_deref(),
    };
    match &a.url {
        Some(url) => (
            Vec::new(),
            Some(Entity {
                name: a.name.as_deref(),
                url: vec![url],
                contact: a.email.as_ref().map(|_| contact()).into_iter().collect(),
            }),
        ),
        None => (vec![contact()], None),
    }
}

fn component<'a>(c: &'a Component, reference: &'a str) -> Comp<'a> {
    let licenses = match c.licenses.as_slice() {
        [one] if spdx_expression(one).is_some() => {
            vec![LicenseChoice::Expression { expression: one }]
        }
        many => many
            .iter()
            .map(|l| LicenseChoice::License {
                license: LicenseName { name: l },
            })
            .collect(),
    };
    Comp {
        kind: component_type(c.kind.as_deref()),
        bom_ref: reference,
        supplier: c.supplier.as_deref().map(|name| Entity {
            name: Some(name),
            url: Vec::new(),
            contact: Vec::new(),
        }),
        group: c.group.as_deref(),
        name: &c.name,
        version: c.version.as_deref(),
        hashes: c
            .hashes
            .iter()
            .filter_map(|(alg, content)| {
                let (alg, content) = hash_for(alg, content, Spelling::CycloneDx)?;
                Some(Hash { alg, content })
            })
            .collect(),
        licenses,
        // 1.6 §component.scope: `required` is the default and left out.
        scope: match c.scope {
            Scope::Required => None,
            Scope::Optional => Some("optional"),
            Scope::Excluded => Some("excluded"),
        },
        cpe: c.cpe_raw.as_deref(),
        purl: c.purl_raw.as_deref(),
    }
}

/// The model's kind in CycloneDX's vocabulary: CycloneDX types as they are, SPDX purposes
/// mapped where CycloneDX has the same idea, `library` otherwise (`type` is required).
pub(crate) fn component_type(kind: Option<&str>) -> &'static str {
    let Some(kind) = kind else {
        return "library";
    };
    let lower = kind.trim().to_ascii_lowercase();
    TYPES
        .iter()
        .find(|t| **t == lower)
        .copied()
        .unwrap_or("library")
}
