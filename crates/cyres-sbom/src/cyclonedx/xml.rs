//! CycloneDX XML (1.0–1.7), read as a stream of events: no tree is built, unknown elements are
//! skipped, and every component is written into the output as soon as it is complete.
//!
//! The spec version comes from the root element's namespace,
//! `http://cyclonedx.org/schema/bom/<version>` (CycloneDX XML schemas, `targetNamespace`).
//! Elements are matched by local name, so prefixed documents (`<cdx:component>`) and the 1.1
//! dependency-graph extension (`<dg:dependencies>`) read the same way.

use crate::cyclonedx::{MAX_NESTING, check_version, push_license};
use crate::normalize::{self, NonComponentRefs};
use crate::text::non_blank;
use crate::xml::{Ev, XmlReader};
use crate::{Component, DocumentInfo, Format, Party, Sbom, SbomError, Scope, Tool};
use quick_xml::events::BytesStart;

const NAMESPACE: &str = "http://cyclonedx.org/schema/bom/";

/// Reads a CycloneDX XML document.
pub(crate) fn read(text: &str, source: &str) -> Result<Sbom, SbomError> {
    let mut x = XmlReader::new(text, source);
    let (root, empty) = loop {
        match x.next()? {
            Ev::Start(e) => break (e, false),
            Ev::Empty(e) => break (e, true),
            Ev::Text(t) if t.trim().is_empty() => {}
            Ev::Text(_) | Ev::End => return Err(x.error("text outside the root element".into())),
            Ev::Eof => return Err(x.error("no root element".into())),
        }
    };
    let attrs = x.attrs(&root)?;
    let local = root.local_name().as_ref().to_string();
    let namespaces: Vec<&str> = attrs
        .iter()
        .filter(|(k, _)| k == "xmlns" || k.starts_with("xmlns:"))
        .map(|(_, v)| v.as_str())
        .collect();
    if local != "bom" {
        return Err(not_cyclonedx(&local, &namespaces, source));
    }
    let Some(spec_version) = namespaces.iter().find_map(|ns| ns.strip_prefix(NAMESPACE)) else {
        return Err(x.error(format!(
            "root element `bom` is not in the CycloneDX namespace {NAMESPACE}<version>"
        )));
    };
    let spec_version = spec_version.trim_end_matches('/').to_string();
    let mut diagnostics = Vec::new();
    check_version(&spec_version, source, &mut diagnostics)?;

    let mut doc = Doc::default();
    doc.info.uri = non_blank(x.attr(&root, "serialNumber")?.as_deref());
    if !empty {
        loop {
            match x.next()? {
                Ev::Start(e) => match e.local_name().as_ref() {
                    "metadata" => read_metadata(&mut x, &mut doc)?,
                    "components" => read_components(&mut x, &mut doc.components, 0)?,
                    "services" => read_services(&mut x, &mut doc.others, 0)?,
                    "dependencies" => read_dependencies(&mut x, None, &mut doc, 0)?,
                    _ => x.skip()?,
                },
                Ev::End => break,
                Ev::Empty(_) | Ev::Text(_) => {}
                Ev::Eof => return Err(x.truncated()),
            }
        }
    }
    // Nothing but comments and whitespace may follow the root; reading on also catches a
    // DOCTYPE or a reference placed after it.
    loop {
        match x.next()? {
            Ev::Eof => break,
            Ev::Text(t) if t.trim().is_empty() => {}
            _ => return Err(x.error("content after the root element".into())),
        }
    }

    // Same order as the JSON reader: the top-level tree, then the product's own parts.
    doc.components.append(&mut doc.product_parts);
    let mut sbom = Sbom {
        source: source.to_string(),
        format: Format::CycloneDxXml,
        spec_version,
        product: doc.product,
        components: doc.components,
        dependencies: doc.dependencies,
        diagnostics,
        document: doc.info,
    };
    normalize::finish(&mut sbom, &doc.others);
    Ok(sbom)
}

#[derive(Default)]
struct Doc {
    product: Option<Component>,
    product_parts: Vec<Component>,
    components: Vec<Component>,
    dependencies: Vec<(String, String)>,
    others: NonComponentRefs,
    info: DocumentInfo,
}

/// A text value with whitespace runs collapsed to one space and trimmed (XML Schema `xs:token`
/// semantics): pretty-printers wrap long values such as licence names across lines, and no
/// field read here has meaningful line breaks. `None` when blank.
fn token(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() { None } else { Some(out) }
}

/// Names the XML formats we recognise but do not read.
fn not_cyclonedx(root: &str, namespaces: &[&str], source: &str) -> SbomError {
    let input = source.to_string();
    if namespaces.iter().any(|ns| ns.contains("spdx.org/rdf")) {
        return SbomError::UnsupportedFormat {
            input,
            format: "SPDX RDF/XML",
        };
    }
    // The SPDX 2 XML encoding has a `Document` / `SpdxDocument` root without a namespace.
    if root == "Document" || root == "SpdxDocument" {
        return SbomError::UnsupportedFormat {
            input,
            format: "SPDX XML",
        };
    }
    SbomError::UnknownFormat { input }
}

fn read_metadata(x: &mut XmlReader<'_>, doc: &mut Doc) -> Result<(), SbomError> {
    loop {
        match x.next()? {
            Ev::Start(e) if e.local_name().as_ref() == "component" => {
                let mut parts = Vec::new();
                let c = read_component(x, &e, false, &mut parts, 0)?;
                doc.product = Some(c);
                doc.product_parts = parts;
            }
            // 1.6 §metadata: timestamp, authors, manufacturer (1.5 `manufacture`), supplier, tools.
            Ev::Start(e) => match e.local_name().as_ref() {
                "timestamp" => doc.info.timestamp = token(&x.text()?),
                "authors" => read_parties(x, "author", &mut doc.info.authors)?,
                "manufacturer" | "manufacture" | "supplier" => {
                    let p = read_party(x)?;
                    if p != Party::default() {
                        doc.info.authors.push(p);
                    }
                }
                "tools" => read_tools(x, &mut doc.info.tools)?,
                _ => x.skip()?,
            },
            Ev::End => return Ok(()),
            Ev::Empty(_) | Ev::Text(_) => {}
            Ev::Eof => return Err(x.truncated()),
        }
    }
}

fn read_components(
    x: &mut XmlReader<'_>,
    out: &mut Vec<Component>,
    nesting: usize,
) -> Result<(), SbomError> {
    if nesting >= MAX_NESTING {
        return Err(x.error(format!(
            "components nested deeper than {MAX_NESTING} levels"
        )));
    }
    loop {
        match x.next()? {
            Ev::Start(e) if e.local_name().as_ref() == "component" => {
                let slot = out.len();
                out.push(Component::default());
                // Nested components land after their parent: document order.
                out[slot] = read_component(x, &e, false, out, nesting + 1)?;
            }
            Ev::Empty(e) if e.local_name().as_ref() == "component" => {
                out.push(read_component(x, &e, true, &mut Vec::new(), nesting + 1)?);
            }
            Ev::Start(_) => x.skip()?,
            Ev::End => return Ok(()),
            Ev::Empty(_) | Ev::Text(_) => {}
            Ev::Eof => return Err(x.truncated()),
        }
    }
}

/// Reads one `<component>` whose start tag was just seen; nested components go to `nested`.
fn read_component(
    x: &mut XmlReader<'_>,
    start: &BytesStart<'_>,
    empty: bool,
    nested: &mut Vec<Component>,
    nesting: usize,
) -> Result<Component, SbomError> {
    let mut c = Component {
        reference: non_blank(x.attr(start, "bom-ref")?.as_deref()),
        kind: non_blank(x.attr(start, "type")?.as_deref()),
        ..Default::default()
    };
    if empty {
        return Ok(c);
    }
    let mut supplier = None;
    let mut manufacturer = None;
    let mut publisher = None;
    let mut author = None;
    loop {
        match x.next()? {
            Ev::Start(e) => match e.local_name().as_ref() {
                "name" => c.name = token(&x.text()?).unwrap_or_default(),
                "group" => c.group = token(&x.text()?),
                "version" => c.version = token(&x.text()?),
                "purl" => c.purl_raw = token(&x.text()?),
                "cpe" => c.cpe_raw = token(&x.text()?),
                "scope" => {
                    c.scope = token(&x.text()?)
                        .and_then(|s| Scope::from_cyclonedx(&s))
                        .unwrap_or_default()
                }
                "publisher" => publisher = token(&x.text()?),
                "author" => author = author.or(token(&x.text()?)),
                "supplier" => supplier = entity_name(x)?,
                "manufacturer" => manufacturer = entity_name(x)?,
                "authors" => {
                    let first = read_authors(x)?;
                    author = first.or(author);
                }
                "hashes" => read_hashes(x, &mut c.hashes)?,
                "licenses" => read_licenses(x, &mut c.licenses)?,
                "components" => read_components(x, nested, nesting)?,
                _ => x.skip()?,
            },
            Ev::End => break,
            Ev::Empty(_) | Ev::Text(_) => {}
            Ev::Eof => return Err(x.truncated()),
        }
    }
    // Same fallback order as the JSON reader.
    c.supplier = supplier.or(manufacturer).or(publisher).or(author);
    Ok(c)
}

/// `<supplier>` / `<manufacturer>` / `<author>` (1.6): the `<name>` child.
fn entity_name(x: &mut XmlReader<'_>) -> Result<Option<String>, SbomError> {
    let mut name = None;
    loop {
        match x.next()? {
            Ev::Start(e) if e.local_name().as_ref() == "name" => name = name.or(token(&x.text()?)),
            Ev::Start(_) => x.skip()?,
            Ev::End => return Ok(name),
            Ev::Empty(_) | Ev::Text(_) => {}
            Ev::Eof => return Err(x.truncated()),
        }
    }
}

/// 1.6 `<authors><author><name>…</name></author></authors>`: the first name.
fn read_authors(x: &mut XmlReader<'_>) -> Result<Option<String>, SbomError> {
    let mut first = None;
    loop {
        match x.next()? {
            Ev::Start(e) if e.local_name().as_ref() == "author" => {
                let n = entity_name(x)?;
                first = first.or(n);
            }
            Ev::Start(_) => x.skip()?,
            Ev::End => return Ok(first),
            Ev::Empty(_) | Ev::Text(_) => {}
            Ev::Eof => return Err(x.truncated()),
        }
    }
}

/// A list of `<author>` / `<contact>` / `<tool>`-like entries, each read as a party.
fn read_parties(x: &mut XmlReader<'_>, entry: &str, out: &mut Vec<Party>) -> Result<(), SbomError> {
    loop {
        match x.next()? {
            Ev::Start(e) if e.local_name().as_ref() == entry => {
                let p = read_party(x)?;
                if p != Party::default() {
                    out.push(p);
                }
            }
            Ev::Start(_) => x.skip()?,
            Ev::End => return Ok(()),
            Ev::Empty(_) | Ev::Text(_) => {}
            Ev::Eof => return Err(x.truncated()),
        }
    }
}

/// An organisational entity or contact: `<name>`, `<email>`, `<url>`, `<contact><email>`.
fn read_party(x: &mut XmlReader<'_>) -> Result<Party, SbomError> {
    let mut p = Party::default();
    loop {
        match x.next()? {
            Ev::Start(e) => match e.local_name().as_ref() {
                "name" => p.name = p.name.or(token(&x.text()?)),
                "email" => p.email = p.email.or(token(&x.text()?)),
                "url" => p.url = p.url.or(token(&x.text()?)),
                "contact" => {
                    let c = read_party(x)?;
                    p.email = p.email.or(c.email);
                }
                _ => x.skip()?,
            },
            Ev::End => return Ok(p),
            Ev::Empty(_) | Ev::Text(_) => {}
            Ev::Eof => return Err(x.truncated()),
        }
    }
}

/// `<tools>`: `<tool>` entries (1.0–1.4) or `<components>` / `<services>` (1.5+).
fn read_tools(x: &mut XmlReader<'_>, out: &mut Vec<Tool>) -> Result<(), SbomError> {
    loop {
        match x.next()? {
            Ev::Start(e) => match e.local_name().as_ref() {
                "tool" | "component" | "service" => {
                    let (mut vendor, mut name, mut version) = (None, None, None);
                    loop {
                        match x.next()? {
                            Ev::Start(e) => match e.local_name().as_ref() {
                                "vendor" | "group" => vendor = vendor.or(token(&x.text()?)),
                                "name" => name = name.or(token(&x.text()?)),
                                "version" => version = version.or(token(&x.text()?)),
                                _ => x.skip()?,
                            },
                            Ev::End => break,
                            Ev::Empty(_) | Ev::Text(_) => {}
                            Ev::Eof => return Err(x.truncated()),
                        }
                    }
                    if let Some(name) = name {
                        out.push(Tool {
                            vendor,
                            name,
                            version,
                        });
                    }
                }
                "components" | "services" => read_tools(x, out)?,
                _ => x.skip()?,
            },
            Ev::End => return Ok(()),
            Ev::Empty(_) | Ev::Text(_) => {}
            Ev::Eof => return Err(x.truncated()),
        }
    }
}

/// `<hashes><hash alg="SHA-256">hex</hash></hashes>`.
fn read_hashes(x: &mut XmlReader<'_>, out: &mut Vec<(String, String)>) -> Result<(), SbomError> {
    loop {
        match x.next()? {
            Ev::Start(e) if e.local_name().as_ref() == "hash" => {
                let alg = non_blank(x.attr(&e, "alg")?.as_deref());
                let value = token(&x.text()?);
                if let (Some(a), Some(v)) = (alg, value) {
                    out.push((a, v));
                }
            }
            Ev::Start(_) => x.skip()?,
            Ev::End => return Ok(()),
            Ev::Empty(_) | Ev::Text(_) => {}
            Ev::Eof => return Err(x.truncated()),
        }
    }
}

/// `<licenses>` holds `<license><id|name>…</license>` entries or one `<expression>`.
fn read_licenses(x: &mut XmlReader<'_>, out: &mut Vec<String>) -> Result<(), SbomError> {
    loop {
        match x.next()? {
            Ev::Start(e) => match e.local_name().as_ref() {
                "expression" => push_license(out, token(&x.text()?)),
                "license" => {
                    let (mut id, mut name) = (None, None);
                    loop {
                        match x.next()? {
                            Ev::Start(e) => match e.local_name().as_ref() {
                                "id" => id = token(&x.text()?),
                                "name" => name = token(&x.text()?),
                                _ => x.skip()?,
                            },
                            Ev::End => break,
                            Ev::Empty(_) | Ev::Text(_) => {}
                            Ev::Eof => return Err(x.truncated()),
                        }
                    }
                    push_license(out, id.or(name));
                }
                _ => x.skip()?,
            },
            Ev::End => return Ok(()),
            Ev::Empty(_) | Ev::Text(_) => {}
            Ev::Eof => return Err(x.truncated()),
        }
    }
}

/// Service references (nested services included): edges to them are not component edges.
fn read_services(
    x: &mut XmlReader<'_>,
    others: &mut NonComponentRefs,
    nesting: usize,
) -> Result<(), SbomError> {
    if nesting >= MAX_NESTING {
        return Err(x.error(format!("services nested deeper than {MAX_NESTING} levels")));
    }
    loop {
        match x.next()? {
            Ev::Start(e) if e.local_name().as_ref() == "service" => {
                if let Some(r) = non_blank(x.attr(&e, "bom-ref")?.as_deref()) {
                    others.0.insert(r);
                }
                read_service_body(x, others, nesting)?;
            }
            Ev::Empty(e) if e.local_name().as_ref() == "service" => {
                if let Some(r) = non_blank(x.attr(&e, "bom-ref")?.as_deref()) {
                    others.0.insert(r);
                }
            }
            Ev::Start(_) => x.skip()?,
            Ev::End => return Ok(()),
            Ev::Empty(_) | Ev::Text(_) => {}
            Ev::Eof => return Err(x.truncated()),
        }
    }
}

fn read_service_body(
    x: &mut XmlReader<'_>,
    others: &mut NonComponentRefs,
    nesting: usize,
) -> Result<(), SbomError> {
    loop {
        match x.next()? {
            Ev::Start(e) if e.local_name().as_ref() == "services" => {
                read_services(x, others, nesting + 1)?
            }
            Ev::Start(_) => x.skip()?,
            Ev::End => return Ok(()),
            Ev::Empty(_) | Ev::Text(_) => {}
            Ev::Eof => return Err(x.truncated()),
        }
    }
}

/// `<dependency ref="a"><dependency ref="b"/></dependency>`: a depends on b. Deeper nesting is
/// read the same way, each level depending on its children.
fn read_dependencies(
    x: &mut XmlReader<'_>,
    parent: Option<&str>,
    doc: &mut Doc,
    nesting: usize,
) -> Result<(), SbomError> {
    if nesting >= MAX_NESTING {
        return Err(x.error(format!(
            "dependencies nested deeper than {MAX_NESTING} levels"
        )));
    }
    loop {
        match x.next()? {
            Ev::Start(e) if e.local_name().as_ref() == "dependency" => {
                let r = non_blank(x.attr(&e, "ref")?.as_deref());
                if let (Some(p), Some(r)) = (parent, r.as_deref()) {
                    doc.dependencies.push((p.to_string(), r.to_string()));
                }
                // An entry with children states its dependencies; so does a top-level one
                // without (CycloneDX: a `dependency` with no children has none).
                if let Some(r) = &r {
                    doc.info.dependencies_stated.push(r.clone());
                }
                read_dependencies(x, r.as_deref(), doc, nesting + 1)?;
            }
            Ev::Empty(e) if e.local_name().as_ref() == "dependency" => {
                let r = non_blank(x.attr(&e, "ref")?.as_deref());
                match (parent, r) {
                    (Some(p), Some(r)) => doc.dependencies.push((p.to_string(), r)),
                    (None, Some(r)) => doc.info.dependencies_stated.push(r),
                    _ => {}
                }
            }
            Ev::Start(_) => x.skip()?,
            Ev::End => return Ok(()),
            Ev::Empty(_) | Ev::Text(_) => {}
            Ev::Eof => return Err(x.truncated()),
        }
    }
}
