//! The pass every reader ends with: parse identifiers, report messy input, tidy the graph.
//!
//! Readers only copy what the document says (`purl_raw`, `cpe_raw`, references, edges). This pass
//! then, the same way for every format:
//! - parses each purl and CPE; a string that does not parse is kept raw and reported
//!   (`invalid-purl`, `invalid-cpe`), a purl type outside the purl specification's registered
//!   types is reported (`unknown-purl-type`);
//! - reports components without a name, a version, or any identifier (NTIA minimum elements:
//!   name, version and a unique identifier are what matching needs);
//! - reports duplicate references (CycloneDX 1.6 §bom-ref: "unique within the BOM"; SPDX 2.3 §3.2
//!   SPDXID unique within the document) and merges a duplicate only when it says exactly the same
//!   thing as the first occurrence, so no information is dropped;
//! - drops dependency edges whose ends are not components (reported as `dangling-dependency`)
//!   and repeated edges.
//!
//! A reader may parse identifiers earlier with [`parse_ids`], while a component's strings are
//! still in the CPU cache (for a 10,000-component SBOM that halves the cost of purl parsing,
//! which here mostly waits for memory); this pass then only reports on them.

use crate::{Component, Diagnostic, DiagnosticSeverity, Sbom};
use cyres_version::{Cpe, Purl};
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

/// The hasher of the reference maps (see [`tidy`]).
pub(crate) type Seeded = foldhash::fast::RandomState;

/// Purl types registered in the purl specification (`purl-spec/types/*-definition.json`).
pub(crate) const KNOWN_PURL_TYPES: &[&str] = &[
    "alpm",
    "apk",
    "bazel",
    "bitbucket",
    "bitnami",
    "brew",
    "cargo",
    "chrome-extension",
    "cocoapods",
    "composer",
    "conan",
    "conda",
    "cpan",
    "cran",
    "deb",
    "docker",
    "gem",
    "generic",
    "git",
    "github",
    "golang",
    "hackage",
    "hex",
    "huggingface",
    "julia",
    "luarocks",
    "maven",
    "mlflow",
    "npm",
    "nuget",
    "oci",
    "opam",
    "otp",
    "pub",
    "pypi",
    "qpkg",
    "rpm",
    "swid",
    "swift",
    "vcpkg",
    "vscode-extension",
    "yocto",
];

/// References a reader knows exist but that are not components (CycloneDX services, SPDX files
/// and snippets, the SPDX document itself): edges to them are dropped without a diagnostic.
#[derive(Debug, Default)]
pub(crate) struct NonComponentRefs(pub(crate) HashSet<String>);

/// Runs the pass over a freshly read SBOM.
pub(crate) fn finish(sbom: &mut Sbom, others: &NonComponentRefs) {
    let mut diags = std::mem::take(&mut sbom.diagnostics);
    tidy(sbom, others, &mut diags);
    tidy_stated(sbom);
    if let Some(product) = sbom.product.as_mut() {
        identify(product, "product", &mut diags);
    }
    check_components(&mut sbom.components, &mut diags);
    sbom.diagnostics = diags;
}

/// Keeps the stated dependency lists of this document's components (and product), once each,
/// and counts every source of an edge as stated (it has dependencies the document names).
fn tidy_stated(sbom: &mut Sbom) {
    if sbom.document.dependencies_stated.is_empty() && sbom.dependencies.is_empty() {
        return;
    }
    let known: HashSet<&str, Seeded> = sbom
        .components
        .iter()
        .chain(&sbom.product)
        .filter_map(|c| c.reference.as_deref())
        .collect();
    let mut seen: HashSet<String, Seeded> = HashSet::default();
    let stated = std::mem::take(&mut sbom.document.dependencies_stated);
    let sources = sbom.dependencies.iter().map(|(from, _)| from.clone());
    sbom.document.dependencies_stated = stated
        .into_iter()
        .chain(sources)
        .filter(|r| known.contains(r.as_str()) && seen.insert(r.clone()))
        .collect();
}

/// Parses the identifiers of `components` and reports what is missing, in order.
fn check_components(components: &mut [Component], diags: &mut Vec<Diagnostic>) {
    for c in components {
        check_component(c, diags);
    }
}

/// Parses the identifiers of one component and reports what it lacks.
pub(crate) fn check_component(c: &mut Component, diags: &mut Vec<Diagnostic>) {
    identify(c, "component", diags);
    if c.name.is_empty() {
        warn(
            diags,
            "component-without-name",
            format!("a component has no name ({})", describe(c)),
        );
    }
    if c.version.is_none() {
        warn(
            diags,
            "component-without-version",
            format!("component {} has no version", describe(c)),
        );
    }
    if c.purl_raw.is_none() && c.cpe_raw.is_none() {
        warn(
            diags,
            "component-without-identifier",
            format!(
                "component {} has neither a purl nor a CPE; it can only be matched by name",
                describe(c)
            ),
        );
    }
}

/// Parses a component's purl and CPE if it has them, leaving failures for [`finish`] to
/// report (it parses again to say why). Only a purl of a registered type is kept, so that
/// [`finish`] knows a purl it finds set needs no type check (that check reads the type string
/// again, by then out of cache).
pub(crate) fn parse_ids(c: &mut Component) {
    if c.purl.is_none() {
        c.purl = c
            .purl_raw
            .as_deref()
            .and_then(|raw| Purl::parse(raw).ok())
            .filter(|p| registered_type(&p.ty));
    }
    if c.cpe.is_none() {
        c.cpe = c
            .cpe_raw
            .as_deref()
            .and_then(|raw| Cpe::parse(raw).ok().map(Box::new));
    }
}

/// Whether `ty` is one of [`KNOWN_PURL_TYPES`].
fn registered_type(ty: &str) -> bool {
    KNOWN_PURL_TYPES.binary_search(&ty).is_ok()
}

pub(crate) fn identify(c: &mut Component, role: &str, diags: &mut Vec<Diagnostic>) {
    // Parsed already, and of a registered type, when the reader called [`parse_ids`]: left in
    // place then (moving a parsed purl out and back was a few per cent of reading a large SBOM).
    if let Some(raw) = c.purl_raw.as_deref()
        && c.purl.is_none()
    {
        match Purl::parse(raw) {
            Ok(p) => {
                if !registered_type(&p.ty) {
                    warn(
                        diags,
                        "unknown-purl-type",
                        format!(
                            "{role} {}: purl type {:?} is not a registered purl type",
                            describe(c),
                            p.ty
                        ),
                    );
                }
                c.purl = Some(p);
            }
            Err(e) => warn(
                diags,
                "invalid-purl",
                format!("{role} {}: {e}", describe(c)),
            ),
        }
    }
    if let Some(raw) = c.cpe_raw.as_deref() {
        let parsed = match c.cpe.take() {
            Some(p) => Ok(p),
            None => Cpe::parse(raw).map(Box::new),
        };
        match parsed {
            Ok(p) => c.cpe = Some(p),
            Err(e) => warn(diags, "invalid-cpe", format!("{role} {}: {e}", describe(c))),
        }
    }
}

/// Removes exact repeats of a reference (keeping and reporting conflicting ones), then keeps
/// the edges whose both ends are components (or the product), once each, in document order.
///
/// One hash map from reference to a small id serves both steps: hashing beats sorting here
/// because references are scattered on the heap (a binary search touches 14 cold strings per
/// lookup). The maps use foldhash with a per-process random seed: several times faster than
/// std's SipHash on these short keys (it was a tenth of the parse time of large SBOMs), and
/// still seeded, so an upload cannot be crafted to collide. The keys are copies of the
/// references packed into one buffer: a lookup that finds its key then compares against memory
/// that is already in cache, instead of a string somewhere on the heap (in a 10,000-component
/// SBOM those comparisons were mostly cache misses).
fn tidy(sbom: &mut Sbom, others: &NonComponentRefs, diags: &mut Vec<Diagnostic>) {
    let n = sbom.components.len();
    let product_ref = sbom.product.as_ref().and_then(|p| p.reference.as_deref());
    let mut packed = String::new();
    let mut spans: Vec<(u32, usize, usize)> = Vec::with_capacity(n + 1);
    let all_refs = sbom
        .components
        .iter()
        .enumerate()
        .filter_map(|(i, c)| Some((i, c.reference.as_deref()?)));
    for (i, r) in all_refs.chain(product_ref.map(|r| (n, r))) {
        spans.push((i as u32, packed.len(), packed.len() + r.len()));
        packed.push_str(r);
    }
    let (product_span, spans) = match (product_ref, spans.split_last()) {
        (Some(_), Some((last, rest))) => (Some(*last), rest),
        _ => (None, spans.as_slice()),
    };
    let mut ids: HashMap<&str, u32, Seeded> =
        HashMap::with_capacity_and_hasher(n + 1, Seeded::default());
    let mut keep_component = vec![true; n];
    let mut merges: Vec<(usize, usize)> = Vec::new();
    for &(i, start, end) in spans {
        let (i, r) = (i as usize, &packed[start..end]);
        let c = &sbom.components[i];
        match ids.entry(r) {
            Entry::Vacant(v) => {
                v.insert(i as u32);
            }
            Entry::Occupied(o) => {
                let first = *o.get() as usize;
                let compatible = compatible(&sbom.components[first], c);
                if compatible {
                    merges.push((first, i));
                }
                keep_component[i] = !compatible;
                let what = if compatible {
                    "the repeat does not contradict the first and was merged into it"
                } else {
                    "the repeat describes a different component and was kept; edges name the first"
                };
                warn(
                    diags,
                    "duplicate-reference",
                    format!("reference {r:?} is used more than once: {what}"),
                );
            }
        }
    }
    if let Some((_, start, end)) = product_span {
        ids.entry(&packed[start..end]).or_insert(n as u32);
    }

    let mut keep_edge = vec![true; sbom.dependencies.len()];
    if !sbom.dependencies.is_empty() {
        let mut seen: HashSet<(u32, u32), Seeded> =
            HashSet::with_capacity_and_hasher(sbom.dependencies.len(), Seeded::default());
        let mut dangling: HashSet<&str, Seeded> = HashSet::default();
        for (k, (from, to)) in keep_edge.iter_mut().zip(&sbom.dependencies) {
            let mut end_ids = [None, None];
            for (slot, end) in end_ids.iter_mut().zip([from.as_str(), to.as_str()]) {
                *slot = ids.get(end).copied();
                if slot.is_none() && !others.0.contains(end) && dangling.insert(end) {
                    warn(
                        diags,
                        "dangling-dependency",
                        format!(
                            "dependency graph names {end:?}, which is not a component of this document"
                        ),
                    );
                }
            }
            let [a, b] = end_ids;
            *k = match (a, b) {
                (Some(a), Some(b)) => a != b && seen.insert((a, b)),
                _ => false,
            };
        }
    }
    drop(ids);
    for (first, repeat) in merges {
        let extra = std::mem::take(&mut sbom.components[repeat]);
        fill(&mut sbom.components[first], extra);
    }
    retain_flags(&mut sbom.components, &keep_component);
    retain_flags(&mut sbom.dependencies, &keep_edge);
}

fn retain_flags<T>(v: &mut Vec<T>, keep: &[bool]) {
    if keep.iter().all(|k| *k) {
        return;
    }
    let mut i = 0;
    v.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

/// Two occurrences of one reference agree when no identifying field has two different values
/// (one may lack what the other has: cargo-sbom writes workspace members twice, once without
/// their purl).
fn compatible(a: &Component, b: &Component) -> bool {
    fn agree<T: PartialEq>(x: &Option<T>, y: &Option<T>) -> bool {
        x.is_none() || y.is_none() || x == y
    }
    a.name == b.name
        && agree(&a.group, &b.group)
        && agree(&a.version, &b.version)
        && agree(&a.purl_raw, &b.purl_raw)
        && agree(&a.cpe_raw, &b.cpe_raw)
}

/// Completes `a` with what only the repeat `b` says.
fn fill(a: &mut Component, b: Component) {
    a.group = a.group.take().or(b.group);
    a.version = a.version.take().or(b.version);
    if a.purl_raw.is_none() {
        a.purl_raw = b.purl_raw;
        a.purl = b.purl;
    }
    if a.cpe_raw.is_none() {
        a.cpe_raw = b.cpe_raw;
        a.cpe = b.cpe;
    }
    a.supplier = a.supplier.take().or(b.supplier);
    a.kind = a.kind.take().or(b.kind);
    for h in b.hashes {
        if !a.hashes.contains(&h) {
            a.hashes.push(h);
        }
    }
    for l in b.licenses {
        if !a.licenses.contains(&l) {
            a.licenses.push(l);
        }
    }
}

/// `name@version (ref)` for messages.
pub(crate) fn describe(c: &Component) -> String {
    let mut s = String::new();
    if let Some(g) = &c.group {
        s.push_str(g);
        s.push('/');
    }
    s.push_str(if c.name.is_empty() {
        "<unnamed>"
    } else {
        &c.name
    });
    if let Some(v) = &c.version {
        s.push('@');
        s.push_str(v);
    }
    if let Some(r) = &c.reference {
        s.push_str(" (");
        s.push_str(r);
        s.push(')');
    }
    s
}

pub(crate) fn warn(diags: &mut Vec<Diagnostic>, code: &'static str, message: String) {
    diags.push(Diagnostic {
        severity: DiagnosticSeverity::Warning,
        code,
        message,
    });
}

pub(crate) fn info(diags: &mut Vec<Diagnostic>, code: &'static str, message: String) {
    diags.push(Diagnostic {
        severity: DiagnosticSeverity::Info,
        code,
        message,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Format;

    fn comp(r: &str, name: &str, version: Option<&str>) -> Component {
        Component {
            reference: Some(r.into()),
            name: name.into(),
            version: version.map(Into::into),
            purl_raw: Some(format!("pkg:cargo/{name}")),
            ..Default::default()
        }
    }

    fn sbom(components: Vec<Component>, deps: &[(&str, &str)]) -> Sbom {
        Sbom {
            source: "t".into(),
            format: Format::CycloneDxJson,
            spec_version: "1.6".into(),
            product: None,
            components,
            dependencies: deps
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            diagnostics: vec![],
            document: Default::default(),
        }
    }

    fn codes(s: &Sbom) -> Vec<&'static str> {
        s.diagnostics
            .iter()
            .map(|d| d.code)
            .filter(|c| *c != "invalid-purl")
            .collect()
    }

    #[test]
    fn known_purl_types_are_sorted_and_match_the_spec() {
        assert!(
            KNOWN_PURL_TYPES.windows(2).all(|w| w[0] < w[1]),
            "binary_search needs sorted types"
        );
        let dir = cyres_kit::unpacked_path("purl/purl-spec-tests.tar.zst", "purl-spec/types");
        let mut spec: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                e.ok()?
                    .file_name()
                    .to_str()?
                    .strip_suffix("-definition.json")
                    .map(str::to_string)
            })
            .collect();
        spec.sort();
        assert_eq!(spec, KNOWN_PURL_TYPES);
    }

    #[test]
    fn merges_identical_duplicates_keeps_conflicting() {
        let mut s = sbom(
            vec![
                comp("a", "x", Some("1")),
                comp("a", "x", Some("1")),
                comp("a", "y", Some("1")),
            ],
            &[],
        );
        finish(&mut s, &NonComponentRefs::default());
        assert_eq!(s.components.len(), 2);
        assert_eq!(s.components[1].name, "y");
        assert_eq!(codes(&s), ["duplicate-reference", "duplicate-reference"]);
    }

    #[test]
    fn a_repeat_that_only_adds_fills_the_first() {
        let mut bare = comp("a", "x", Some("1"));
        bare.purl_raw = None;
        bare.licenses = vec!["MIT".into()];
        let full = comp("a", "x", Some("1"));
        let mut s = sbom(vec![bare, full], &[]);
        finish(&mut s, &NonComponentRefs::default());
        assert_eq!(s.components.len(), 1);
        assert_eq!(s.components[0].purl_raw.as_deref(), Some("pkg:cargo/x"));
        assert_eq!(s.components[0].licenses, ["MIT"]);
        assert_eq!(
            codes(&s),
            ["duplicate-reference"],
            "no missing-identifier once merged"
        );
    }

    #[test]
    fn dangling_and_repeated_edges_are_dropped() {
        let others = NonComponentRefs(["svc".to_string()].into());
        let mut s = sbom(
            vec![comp("a", "x", Some("1")), comp("b", "y", Some("1"))],
            &[
                ("a", "b"),
                ("a", "b"),
                ("a", "ghost"),
                ("a", "svc"),
                ("b", "ghost"),
            ],
        );
        finish(&mut s, &others);
        assert_eq!(s.dependencies, vec![("a".to_string(), "b".to_string())]);
        assert_eq!(codes(&s), ["dangling-dependency"]);
    }

    #[test]
    fn parsing_ids_early_changes_nothing() {
        let make = || {
            (0..40)
                .map(|i| {
                    let mut c = comp(&format!("r{i}"), &format!("x{i}"), Some("1"));
                    match i % 5 {
                        0 => c.purl_raw = Some(format!("pkg:cargo/x{i}@%zz")),
                        1 => c.purl_raw = Some(format!("pkg:nosuchtype/x{i}@1")),
                        2 => {
                            c.cpe_raw =
                                Some("cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*".into())
                        }
                        3 => c.cpe_raw = Some("cpe:2.3:broken".into()),
                        _ => {}
                    }
                    c
                })
                .collect::<Vec<_>>()
        };
        let mut late = sbom(make(), &[]);
        finish(&mut late, &NonComponentRefs::default());
        let mut early_components = make();
        early_components.iter_mut().for_each(parse_ids);
        let mut early = sbom(early_components, &[]);
        finish(&mut early, &NonComponentRefs::default());
        assert_eq!(early.diagnostics, late.diagnostics);
        assert!(late.diagnostics.len() >= 24, "{:?}", late.diagnostics);
        let ids = |s: &Sbom| {
            s.components
                .iter()
                .map(|c| (c.purl.clone(), c.cpe.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&early), ids(&late));
        assert!(late.components[2].cpe.is_some() && late.components[1].purl.is_some());
    }

    #[test]
    fn reports_missing_version_and_identifier() {
        let mut c = comp("a", "x", None);
        c.purl_raw = None;
        let mut s = sbom(vec![c], &[]);
        finish(&mut s, &NonComponentRefs::default());
        assert_eq!(
            codes(&s),
            ["component-without-version", "component-without-identifier"]
        );
    }
}
