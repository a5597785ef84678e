//! CycloneDX: what both encodings share (which spec versions are read, how a component's fields
//! map onto the model), and the JSON reader. The XML reader is in [`xml`].
//!
//! Spec: CycloneDX 1.6 (ECMA-424), with the 1.2–1.5 JSON and 1.0–1.5 XML schemas for the older
//! shapes. The fields read are the ones matching needs: `bom-ref`, `type`, `group`, `name`,
//! `version`, `purl`, `cpe`, `hashes[].{alg,content}`, `licenses[].license.{id,name}` and
//! `licenses[].expression`, the supplier, nested `components`, `metadata.component` (the
//! product) and `dependencies[].{ref,dependsOn}`. Everything else is skipped unparsed.

pub(crate) mod keep;
mod window;
pub(crate) mod xml;

use crate::normalize::{self, NonComponentRefs};
use crate::text::{Text, owned};
use crate::{Component, Diagnostic, DocumentInfo, Format, Party, Sbom, SbomError, Scope, Tool};
use serde::Deserialize;
use std::cell::Cell;

/// Which CycloneDX spec versions are read. 1.0 and 1.1 exist only as XML and have the same
/// component shape as 1.2. 1.7 is read with an info diagnostic: it adds fields, it does not
/// change the ones read here.
pub(crate) fn check_version(
    version: &str,
    source: &str,
    diags: &mut Vec<Diagnostic>,
) -> Result<(), SbomError> {
    match version {
        "1.0" | "1.1" | "1.2" | "1.3" | "1.4" | "1.5" | "1.6" => Ok(()),
        "1.7" => {
            normalize::info(
                diags,
                "newer-spec-version",
                "CycloneDX 1.7 is read with the 1.6 field set; fields new in 1.7 are ignored"
                    .into(),
            );
            Ok(())
        }
        other => Err(SbomError::UnsupportedVersion {
            input: source.to_string(),
            format: "CycloneDX",
            version: other.to_string(),
            detail: "CycloneDX 1.0 to 1.7 are read".into(),
        }),
    }
}

/// Deepest nesting of components (and of XML dependencies and services) read. Each level is a
/// recursive call in the readers, so this bounds their stack use on hostile input; real BOMs
/// nest a handful of levels.
pub(crate) const MAX_NESTING: usize = 32;

thread_local! {
    /// Component nesting of the JSON document being parsed on this thread.
    static NESTING: Cell<usize> = const { Cell::new(0) };
    /// How many components the top-level list of the JSON document being parsed on this
    /// thread is expected to hold at most ([`expect_components`]).
    static EXPECTED: Cell<usize> = const { Cell::new(0) };
    /// Room for the next component list to start: [`EXPECTED`], armed by [`top_level`] just
    /// before the top-level list and taken by that list ([`Flat`]), so no other list gets it.
    static ROOM: Cell<usize> = const { Cell::new(0) };
}

/// Bytes of JSON text per component assumed when reserving room for the top-level component
/// list: a component with a name, version, package URL, type and reference takes 120 to 300
/// bytes written compactly, more indented. A list denser than this grows as usual.
const BYTES_PER_COMPONENT: usize = 128;
/// At most this many components are reserved up front (about 12 MB of model).
const ROOM_MAX: usize = 1 << 15;

/// While alive, the top-level component list of the JSON document of `text_len` bytes parsed
/// on this thread starts with room for `text_len` / [`BYTES_PER_COMPONENT`] components, instead
/// of growing by doubling: each step of the growth copies the whole list (about 400 bytes a
/// component) into a new allocation, and with an allocator that keeps size classes apart each
/// step touches new memory. Room never used is never touched.
pub(crate) fn expect_components(text_len: usize) -> Expected {
    EXPECTED.with(|e| e.set((text_len / BYTES_PER_COMPONENT).min(ROOM_MAX)));
    Expected(())
}

/// See [`expect_components`]; forgets the expectation when dropped.
pub(crate) struct Expected(());

impl Drop for Expected {
    fn drop(&mut self) {
        EXPECTED.with(|e| e.set(0));
        ROOM.with(|r| r.set(0));
    }
}

/// The document's top-level `components`: a [`Flat`] list that starts with the room
/// [`expect_components`] set (taken: a list met later gets none).
pub(crate) fn top_level<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Flat>, D::Error> {
    ROOM.with(|r| r.set(EXPECTED.with(Cell::take)));
    let list = Option::<Flat>::deserialize(d);
    ROOM.with(|r| r.set(0));
    list
}

/// One level of JSON component nesting, released when dropped (also on error paths).
pub(crate) struct NestingGuard;

impl NestingGuard {
    pub(crate) fn enter() -> Option<Self> {
        NESTING.with(|n| {
            if n.get() >= MAX_NESTING {
                return None;
            }
            n.set(n.get() + 1);
            Some(NestingGuard)
        })
    }
}

impl Drop for NestingGuard {
    fn drop(&mut self) {
        NESTING.with(|n| n.set(n.get().saturating_sub(1)));
    }
}

/// `metadata` of a BOM (CycloneDX 1.6 §metadata): the product, and who made the BOM, when and
/// with what.
#[derive(Deserialize)]
pub(crate) struct Metadata<'a> {
    #[serde(borrow, default)]
    component: Option<CdxComponent<'a>>,
    #[serde(borrow, default)]
    timestamp: Option<Text<'a>>,
    #[serde(borrow, default)]
    authors: Option<Vec<Contact<'a>>>,
    #[serde(borrow, default)]
    manufacturer: Option<OrgEntity<'a>>,
    /// 1.5's name for `manufacturer`.
    #[serde(borrow, default)]
    manufacture: Option<OrgEntity<'a>>,
    #[serde(borrow, default)]
    supplier: Option<OrgEntity<'a>>,
    #[serde(default)]
    tools: Option<Tools>,
}

/// An organisational contact (`authors[]`, `contact[]`).
#[derive(Deserialize)]
struct Contact<'a> {
    #[serde(borrow, default)]
    name: Option<Text<'a>>,
    #[serde(borrow, default)]
    email: Option<Text<'a>>,
}

/// An organisational entity with its web addresses and contacts (1.6 §organizationalEntity).
#[derive(Deserialize)]
struct OrgEntity<'a> {
    #[serde(borrow, default)]
    name: Option<Text<'a>>,
    #[serde(borrow, default)]
    url: Option<Vec<Text<'a>>>,
    #[serde(borrow, default)]
    contact: Option<Vec<Contact<'a>>>,
}

impl OrgEntity<'_> {
    fn party(&self) -> Party {
        let contact = self.contact.iter().flatten();
        Party {
            name: owned(self.name.as_ref()),
            email: contact.clone().find_map(|c| owned(c.email.as_ref())),
            url: self.url.iter().flatten().find_map(|u| owned(Some(u))),
        }
    }
}

/// One tool: the 1.2–1.4 `tools[]` entry or a 1.5 `tools.components[]` / `services[]` entry.
#[derive(Deserialize)]
struct ToolEntry {
    #[serde(default)]
    vendor: Option<String>,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<String>,
}

/// `metadata.tools`: a list (1.2–1.4, deprecated in 1.5) or an object with `components` and
/// `services` (1.5+). Anything else is ignored: a malformed tools entry is not worth refusing
/// a BOM for.
#[derive(Default)]
pub(crate) struct Tools(Vec<Tool>);

impl<'de> Deserialize<'de> for Tools {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Tools;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of tools or an object of tool components and services")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Tools, A::Error> {
                let mut out = Vec::new();
                while let Some(t) = seq.next_element::<ToolEntry>()? {
                    push_tool(&mut out, t);
                }
                Ok(Tools(out))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Tools, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    if key == "components" || key == "services" {
                        for t in map
                            .next_value::<Option<Vec<ToolEntry>>>()?
                            .unwrap_or_default()
                        {
                            push_tool(&mut out, t);
                        }
                    } else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                Ok(Tools(out))
            }
        }
        deserializer.deserialize_any(V)
    }
}

fn push_tool(out: &mut Vec<Tool>, t: ToolEntry) {
    let clean = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    if let Some(name) = clean(t.name) {
        out.push(Tool {
            vendor: clean(t.vendor).or(clean(t.group)),
            name,
            version: clean(t.version),
        });
    }
}

impl Metadata<'_> {
    /// The document facts `metadata` holds (1.6 §metadata.timestamp, .authors, .manufacturer,
    /// .supplier, .tools).
    fn document_info(&self, uri: Option<String>) -> DocumentInfo {
        let mut authors: Vec<Party> = self
            .authors
            .iter()
            .flatten()
            .map(|a| Party {
                name: owned(a.name.as_ref()),
                email: owned(a.email.as_ref()),
                url: None,
            })
            .collect();
        for e in [&self.manufacturer, &self.manufacture, &self.supplier]
            .into_iter()
            .flatten()
        {
            authors.push(e.party());
        }
        authors.retain(|p| p.name.is_some() || p.email.is_some() || p.url.is_some());
        authors.dedup();
        DocumentInfo {
            uri,
            name: None,
            timestamp: owned(self.timestamp.as_ref()),
            authors,
            tools: self.tools.as_ref().map(|t| t.0.clone()).unwrap_or_default(),
            dependencies_stated: Vec::new(),
        }
    }
}

/// An organisational entity (`supplier`, `manufacturer`) or contact (`authors[]`).
#[derive(Deserialize)]
struct Entity<'a> {
    #[serde(borrow, default)]
    name: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct Hash<'a> {
    #[serde(borrow, default)]
    alg: Option<Text<'a>>,
    #[serde(borrow, default)]
    content: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct License<'a> {
    #[serde(borrow, default)]
    id: Option<Text<'a>>,
    #[serde(borrow, default)]
    name: Option<Text<'a>>,
}

/// One entry of `licenses`: a licence or an SPDX expression (CycloneDX 1.6 §licenses).
#[derive(Deserialize)]
struct LicenseChoice<'a> {
    #[serde(borrow, default)]
    license: Option<License<'a>>,
    #[serde(borrow, default)]
    expression: Option<Text<'a>>,
}

/// A component as CycloneDX JSON writes it.
#[derive(Deserialize)]
pub(crate) struct CdxComponent<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<Text<'a>>,
    #[serde(rename = "bom-ref", borrow, default)]
    bom_ref: Option<Text<'a>>,
    #[serde(borrow, default)]
    group: Option<Text<'a>>,
    #[serde(borrow, default)]
    name: Option<Text<'a>>,
    #[serde(borrow, default)]
    version: Option<Text<'a>>,
    #[serde(borrow, default)]
    purl: Option<Text<'a>>,
    #[serde(borrow, default)]
    cpe: Option<Text<'a>>,
    #[serde(borrow, default)]
    supplier: Option<Entity<'a>>,
    #[serde(borrow, default)]
    manufacturer: Option<Entity<'a>>,
    #[serde(borrow, default)]
    publisher: Option<Text<'a>>,
    #[serde(borrow, default)]
    author: Option<Text<'a>>,
    #[serde(borrow, default)]
    authors: Option<Vec<Entity<'a>>>,
    #[serde(borrow, default)]
    hashes: Option<Vec<Hash<'a>>>,
    #[serde(borrow, default)]
    licenses: Option<Vec<LicenseChoice<'a>>>,
    #[serde(borrow, default)]
    scope: Option<Text<'a>>,
    #[serde(default)]
    pub(crate) components: Option<Flat>,
}

/// A component list, lowered into the model while it is parsed: each component is converted
/// as soon as its closing brace is read, followed by its (already flattened) nested components.
/// Document order falls out (a parent before its children), and no vector of the large
/// serde-side structs is ever built.
#[derive(Default)]
pub(crate) struct Flat(pub(crate) Vec<Component>);

impl<'de> Deserialize<'de> for Flat {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Flat;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of components")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Flat, A::Error> {
                let _level = NestingGuard::enter().ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "components nested deeper than {MAX_NESTING} levels"
                    ))
                })?;
                // The top-level list takes the room set for it; nested lists start empty.
                let room = ROOM.with(Cell::take);
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(room));
                while let Some(mut c) = seq.next_element::<CdxComponent<'de>>()? {
                    let children = c.components.take();
                    out.push(lower(c));
                    if let Some(Flat(mut children)) = children {
                        out.append(&mut children);
                    }
                }
                Ok(Flat(out))
            }
        }
        deserializer.deserialize_seq(V)
    }
}

/// A service: only its reference and nested services matter (edges to services are not
/// component edges).
#[derive(Deserialize)]
pub(crate) struct Service<'a> {
    #[serde(rename = "bom-ref", borrow, default)]
    pub(crate) bom_ref: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub(crate) services: Option<Vec<Service<'a>>>,
}

/// `dependencies[]` (CycloneDX 1.6 §dependencies): `ref` depends on every `dependsOn`. Lowered
/// to (from, to) edges while it is parsed, like [`Flat`]: no list of the parsed entries is
/// built, and one buffer holds each entry's `dependsOn` references in turn. An entry without a
/// `ref` gives no edges; blank references are skipped.
#[derive(Default)]
pub(crate) struct Edges(pub(crate) Vec<(String, String)>, pub(crate) Vec<String>);

impl<'de> Deserialize<'de> for Edges {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct List;
        impl<'de> serde::de::Visitor<'de> for List {
            type Value = Edges;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of dependencies")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Edges, A::Error> {
                let mut edges = Vec::new();
                let mut stated = Vec::new();
                let mut targets = Vec::new();
                while let Some(from) = seq.next_element_seed(Entry {
                    targets: &mut targets,
                })? {
                    if let Some(from) = from {
                        edges.extend(targets.drain(..).map(|to| (from.clone(), to)));
                        stated.push(from);
                    }
                    targets.clear();
                }
                Ok(Edges(edges, stated))
            }
        }
        deserializer.deserialize_seq(List)
    }
}

/// One `dependencies[]` entry: returns its `ref` and leaves its non-blank `dependsOn`
/// references in `targets`.
pub(crate) struct Entry<'t> {
    pub(crate) targets: &'t mut Vec<String>,
}

impl<'de> serde::de::DeserializeSeed<'de> for Entry<'_> {
    type Value = Option<String>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_struct("Dependency", &["ref", "dependsOn"], self)
    }
}

impl<'de> serde::de::Visitor<'de> for Entry<'_> {
    type Value = Option<String>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a dependency")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut reference, mut seen_targets) = (None, false);
        while let Some(key) = map.next_key::<Text<'de>>()? {
            match key.as_str() {
                "ref" if reference.is_some() => {
                    return Err(serde::de::Error::duplicate_field("ref"));
                }
                "ref" => reference = Some(map.next_value::<Option<Text<'de>>>()?),
                "dependsOn" if seen_targets => {
                    return Err(serde::de::Error::duplicate_field("dependsOn"));
                }
                "dependsOn" => {
                    seen_targets = true;
                    let list = map.next_value::<Option<Vec<Text<'de>>>>()?;
                    self.targets
                        .extend(list.iter().flatten().filter_map(|t| owned(Some(t))));
                }
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(reference.flatten().and_then(|r| owned(Some(&r))))
    }
}

/// The CycloneDX part of a JSON document, already parsed.
pub(crate) struct CdxJson<'a> {
    pub(crate) spec_version: Option<Text<'a>>,
    pub(crate) serial_number: Option<Text<'a>>,
    pub(crate) metadata: Option<Metadata<'a>>,
    pub(crate) components: Option<Flat>,
    pub(crate) services: Option<Vec<Service<'a>>>,
    pub(crate) dependencies: Option<Edges>,
}

/// Lowers a parsed CycloneDX JSON document into the model.
pub(crate) fn from_json(doc: CdxJson<'_>, source: &str) -> Result<Sbom, SbomError> {
    let mut diagnostics = Vec::new();
    let spec_version =
        doc.spec_version
            .map(|t| t.0.into_owned())
            .ok_or_else(|| SbomError::Syntax {
                input: source.to_string(),
                line: 1,
                column: 1,
                message: "CycloneDX document without `specVersion`".into(),
            })?;
    check_version(&spec_version, source, &mut diagnostics)?;

    let mut components = doc.components.unwrap_or_default().0;
    let mut product = None;
    let uri = owned(doc.serial_number.as_ref());
    let mut document = match &doc.metadata {
        Some(m) => m.document_info(uri),
        None => DocumentInfo {
            uri,
            ..DocumentInfo::default()
        },
    };
    if let Some(mut p) = doc.metadata.and_then(|m| m.component) {
        // The product's own parts are components too (after the top-level tree).
        components.append(&mut p.components.take().unwrap_or_default().0);
        product = Some(lower(p));
    }

    let Edges(dependencies, stated) = doc.dependencies.unwrap_or_default();
    document.dependencies_stated = stated;

    let others = service_refs(doc.services.unwrap_or_default());

    let mut sbom = Sbom {
        source: source.to_string(),
        format: Format::CycloneDxJson,
        spec_version,
        product,
        components,
        dependencies,
        diagnostics,
        document,
    };
    normalize::finish(&mut sbom, &others);
    Ok(sbom)
}

/// The references of services, nested ones included: edges to them are not component edges.
pub(crate) fn service_refs(services: Vec<Service<'_>>) -> NonComponentRefs {
    let mut others = NonComponentRefs::default();
    let mut stack = services;
    while let Some(s) = stack.pop() {
        if let Some(r) = owned(s.bom_ref.as_ref()) {
            others.0.insert(r);
        }
        stack.extend(s.services.unwrap_or_default());
    }
    others
}

pub(crate) fn lower(c: CdxComponent<'_>) -> Component {
    // Supplier first (who distributes it, NTIA "supplier name"); manufacturer (1.6), then the
    // publisher and the authors as the best available stand-ins.
    let supplier = c
        .supplier
        .as_ref()
        .and_then(|e| owned(e.name.as_ref()))
        .or_else(|| c.manufacturer.as_ref().and_then(|e| owned(e.name.as_ref())))
        .or_else(|| owned(c.publisher.as_ref()))
        .or_else(|| {
            c.authors
                .as_ref()
                .and_then(|a| a.iter().find_map(|e| owned(e.name.as_ref())))
        })
        .or_else(|| owned(c.author.as_ref()));
    let hashes = c
        .hashes
        .unwrap_or_default()
        .into_iter()
        .filter_map(|h| Some((owned(h.alg.as_ref())?, owned(h.content.as_ref())?)))
        .collect();
    let mut licenses = Vec::new();
    for l in c.licenses.unwrap_or_default() {
        let text = l
            .license
            .as_ref()
            .and_then(|l| owned(l.id.as_ref()).or_else(|| owned(l.name.as_ref())))
            .or_else(|| owned(l.expression.as_ref()));
        push_license(&mut licenses, text);
    }
    let mut component = Component {
        reference: owned(c.bom_ref.as_ref()),
        name: owned(c.name.as_ref()).unwrap_or_default(),
        group: owned(c.group.as_ref()),
        version: owned(c.version.as_ref()),
        purl: None,
        purl_raw: owned(c.purl.as_ref()),
        cpe: None,
        cpe_raw: owned(c.cpe.as_ref()),
        hashes,
        supplier,
        licenses,
        kind: owned(c.kind.as_ref()),
        scope: c
            .scope
            .as_ref()
            .and_then(|s| Scope::from_cyclonedx(&s.0))
            .unwrap_or_default(),
        direct: None,
    };
    // Now, while the strings just copied are in cache (see `normalize`).
    normalize::parse_ids(&mut component);
    component
}

/// Adds a licence once.
pub(crate) fn push_license(licenses: &mut Vec<String>, l: Option<String>) {
    if let Some(l) = l
        && !licenses.contains(&l)
    {
        licenses.push(l);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The room set for a document goes to its top-level component list only: not to a list
    /// met before it (the product's own parts under `metadata`), not to the lists nested in
    /// it, and not to a document read later on the same thread.
    #[test]
    fn only_the_top_level_list_gets_the_room() {
        #[derive(Deserialize)]
        struct Doc {
            #[serde(default)]
            metadata: Option<Parts>,
            #[serde(default, deserialize_with = "top_level")]
            components: Option<Flat>,
        }
        #[derive(Deserialize)]
        struct Parts {
            components: Flat,
        }
        let text = r#"{
            "metadata": {"components": [{"name": "m"}]},
            "components": [{"name": "a", "components": [{"name": "b"}]}, {"name": "c"}]
        }"#;
        let doc: Doc = {
            let _room = expect_components(BYTES_PER_COMPONENT * 40);
            serde_json::from_str(text).unwrap()
        };
        let top = doc.components.unwrap().0;
        let names: Vec<&str> = top.iter().map(|c| c.name.as_str()).collect();
        // Nested components come right after their parent, as without the room.
        assert_eq!(names, ["a", "b", "c"]);
        assert!(top.capacity() >= 40, "capacity {}", top.capacity());
        assert!(doc.metadata.unwrap().components.0.capacity() < 40);
        assert_eq!(EXPECTED.with(Cell::get), 0);
        assert_eq!(ROOM.with(Cell::get), 0);
        // Without an expectation, the top-level list starts empty.
        let later: Doc = serde_json::from_str(text).unwrap();
        assert!(later.components.unwrap().0.capacity() < 40);
    }

    /// No more than [`ROOM_MAX`] components are reserved, however long the text.
    #[test]
    fn the_room_is_bounded() {
        let _room = expect_components(usize::MAX);
        assert_eq!(EXPECTED.with(Cell::get), ROOM_MAX);
    }
}
