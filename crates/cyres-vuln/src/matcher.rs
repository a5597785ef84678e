//! The matcher: SBOM components against the [`Index`], as a pure function returning a
//! serialisable [`ScanReport`] (rendering as table, JSON or SARIF belongs to the CLI).
//!
//! Per component:
//! 1. With a purl: (ecosystem family, normalised name) from the purl → the affected entries
//!    listed under that key. For each (OSV `affected[]` semantics): the component's version is in
//!    the explicit `versions` list, or any `SEMVER`/`ECOSYSTEM` range evaluates to affected →
//!    match kind `purl`. An entry with only `GIT` ranges and no `versions` list (or no ranges
//!    at all), or a component without a version, cannot be decided → match kind `unresolved`
//!    (reported, never dropped). For distribution ecosystems the release rule of
//!    [`crate::distro`] applies.
//! 2. Without a purl but with a CPE: (vendor, product) → NVD statements, versions compared in
//!    the fuzzy order of [`crate::cpe_match`] → match kind `cpe`. Both sides are first brought
//!    to the form NVD writes ([`cyres_version::firmware`]: the CPE `update` joined, sqlite's
//!    integer form, the kernel's upstream release, and for OpenWrt packages (`pkg:openwrt/…`)
//!    the upstream part of `1.2.3-r4`). The finding keeps who wrote the configuration
//!    (`provenance`: NVD or an override). The component's vendor:product is also looked up
//!    under every other name of its product in the shipped alias table
//!    ([`cyres_version::cpe_alias`]) → match kind `cpe_alias` when only such a name matched.
//! 3. Findings of one component that share an alias group become one finding. Its `id` is the
//!    matched advisory native to the component's ecosystem (RUSTSEC for crates.io, PYSEC for
//!    PyPI, GO for Go), else the first non-CVE matched id, else the first; `aliases` lists every
//!    other id of the group (CVE ids among them).
//! 4. `exploited` is set when any id of the group is in the KEV catalogue.

use crate::Index;
use crate::cpe_match::parse_cpe;
use crate::distro::Release;
use crate::index::{IndexedAdvisory, IndexedAffected, IndexedRange};
use crate::nvd::ConfigSource;
use crate::platform::{PlatformCondition, SbomCpes, Written, in_bounds};
use crate::severity::{Rating, Severity};
use cyres_sbom::{Component, Sbom};
use cyres_version::cpe_alias::aliases;
use cyres_version::firmware::{cpe_comparable_version, openwrt_package_version};
use cyres_version::range::evaluate;
use cyres_version::{Affected, Ecosystem, Event, RangeKind, normalize_name};
use serde::Serialize;
use std::collections::BTreeMap;

/// How a finding was matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// Package URL and version: affected.
    Purl,
    /// CPE and version: affected.
    Cpe,
    /// CPE and version: affected, under another CPE name of the same product
    /// ([`cyres_version::cpe_alias`]: `matt_johnston:dropbear_ssh_server` →
    /// `dropbear_ssh_project:dropbear_ssh`).
    CpeAlias,
    /// The package matches but affectedness cannot be decided from versions (GIT-only ranges,
    /// no version on the component).
    Unresolved,
}

/// The product an SBOM describes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProductRef {
    /// Name.
    pub name: String,
    /// Version.
    pub version: Option<String>,
}

/// The component a finding is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ComponentRef {
    /// Name.
    pub name: String,
    /// Version.
    pub version: Option<String>,
    /// Package URL as written.
    pub purl: Option<String>,
    /// CPE as written.
    pub cpe: Option<String>,
}

/// KEV facts for an exploited flaw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Exploited {
    /// The CVE id listed in KEV.
    pub cve_id: String,
    /// `dateAdded`.
    pub date_added: String,
    /// `dueDate`.
    pub due_date: String,
    /// Known use in ransomware campaigns.
    pub ransomware: bool,
}

/// One vulnerability in one component.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// The product the SBOM describes, if it names one.
    pub product: Option<ProductRef>,
    /// The component.
    pub component: ComponentRef,
    /// The primary advisory id.
    pub id: String,
    /// Every other id of the same flaw, sorted.
    pub aliases: Vec<String>,
    /// The advisory's summary.
    pub summary: Option<String>,
    /// Rating, score and vector.
    pub severity: Severity,
    /// The affected ranges, as text (`>=1.0.0, <1.2.3`).
    pub affected_ranges: Vec<String>,
    /// Versions that fix it.
    pub fixed_versions: Vec<String>,
    /// Set when the flaw is in the CISA KEV catalogue.
    pub exploited: Option<Exploited>,
    /// How it was matched.
    pub match_kind: MatchKind,
    /// RustSec informational kind (`unmaintained`, `unsound`, `notice`), if any.
    pub informational: Option<String>,
    /// For CPE matches: who wrote the configuration that matched (`nvd` or `override`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<ConfigSource>,
    /// Set only by [`match_components_deferred`]: the finding stands in an SBOM only if one
    /// of these configurations holds there (running-on platforms,
    /// [`PlatformCondition::holds`]). Empty when the match alone decides it, and always empty
    /// in a [`ScanReport`], where the SBOM was at hand.
    #[serde(skip)]
    pub requires: Vec<PlatformCondition>,
}

/// The result of [`match_sbom`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScanReport {
    /// The product the SBOM describes.
    pub product: Option<ProductRef>,
    /// Components looked at.
    pub components: usize,
    /// Components with neither a usable purl nor a CPE (could not be matched).
    pub components_unmatchable: usize,
    /// Findings, sorted by component (name, version, purl) then id.
    pub findings: Vec<Finding>,
    /// Findings per rating.
    pub by_rating: BTreeMap<Rating, usize>,
    /// Findings whose flaw is in KEV.
    pub exploited: usize,
}

/// A package to look up, as the purl gives it.
#[derive(Clone, Debug)]
pub struct PackageQuery<'a> {
    /// The ecosystem family.
    pub ecosystem: Ecosystem,
    /// The advisory-style package name (normalised inside).
    pub name: &'a str,
    /// The version, if known.
    pub version: Option<&'a str>,
    /// For distribution packages: the distribution and release from the purl.
    pub release: Option<Release>,
}

/// One matched advisory before grouping.
struct Hit {
    advisory: u32,
    kind: MatchKind,
    ranges: Vec<String>,
    fixed: Vec<String>,
    informational: Option<String>,
    provenance: Option<ConfigSource>,
    /// For CPE hits: the configuration that must hold in the SBOM (running-on platforms).
    condition: Option<PlatformCondition>,
}

fn strip_v<'a>(eco: &Ecosystem, v: &'a str) -> &'a str {
    if matches!(eco, Ecosystem::Go) {
        v.trim_start_matches('v')
    } else {
        v
    }
}

/// Evaluates one `affected[]` entry for a version: `Some(kind)` when it is a finding.
fn affected_entry(
    aff: &IndexedAffected,
    eco: &Ecosystem,
    version: Option<&str>,
) -> Option<MatchKind> {
    let Some(version) = version.map(str::trim).filter(|v| !v.is_empty()) else {
        return Some(MatchKind::Unresolved);
    };
    let v = strip_v(eco, version);
    if aff.versions.iter().any(|l| strip_v(eco, l) == v) {
        return Some(MatchKind::Purl);
    }
    let mut decidable = false;
    for r in &aff.ranges {
        match evaluate(&aff.family, r.kind, &r.events, v) {
            Affected::Yes => return Some(MatchKind::Purl),
            Affected::No => decidable = true,
            Affected::Unresolved => {}
        }
    }
    // Only GIT ranges (or none) and no versions list: we cannot tell.
    (!decidable && aff.versions.is_empty()).then_some(MatchKind::Unresolved)
}

/// Renders a range's events as intervals (`>=1.0.0, <1.2.3`; `<2.0`; `>=3.1`; `<=4.0`).
pub(crate) fn render_range(r: &IndexedRange) -> Vec<String> {
    let mut out = Vec::new();
    if r.kind == RangeKind::Git {
        let parts: Vec<String> = r
            .events
            .iter()
            .map(|e| match e {
                Event::Introduced(c) => format!("introduced {c}"),
                Event::Fixed(c) => format!("fixed {c}"),
                Event::LastAffected(c) => format!("last affected {c}"),
                Event::Limit(c) => format!("limit {c}"),
            })
            .collect();
        out.push(format!("git: {}", parts.join(", ")));
        return out;
    }
    let mut open: Option<&str> = None;
    let lower = |i: &str| {
        if i == "0" || i == "0.0.0-0" {
            None
        } else {
            Some(format!(">={i}"))
        }
    };
    for e in &r.events {
        match e {
            Event::Introduced(v) => {
                if let Some(prev) = open.replace(v) {
                    out.extend(lower(prev).or_else(|| Some("*".to_string())));
                }
            }
            Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => {
                let op = if matches!(e, Event::LastAffected(_)) {
                    "<="
                } else {
                    "<"
                };
                let upper = format!("{op}{v}");
                out.push(match open.take().and_then(lower) {
                    Some(l) => format!("{l}, {upper}"),
                    None => upper,
                });
            }
        }
    }
    if let Some(prev) = open {
        out.push(lower(prev).unwrap_or_else(|| "*".to_string()));
    }
    out
}

fn fixed_of(aff: &IndexedAffected) -> Vec<String> {
    aff.ranges
        .iter()
        .filter(|r| r.kind != RangeKind::Git)
        .flat_map(|r| &r.events)
        .filter_map(|e| match e {
            Event::Fixed(v) => Some(v.clone()),
            _ => None,
        })
        .collect()
}

fn package_hits(index: &Index, q: &PackageQuery<'_>) -> Vec<Hit> {
    let name = normalize_name(&q.ecosystem, q.name.trim());
    let mut hits = Vec::new();
    for (adv, aff_i) in index.package(&q.ecosystem, &name) {
        let Some(aff) = index
            .advisory(adv)
            .and_then(|a| a.affected.get(aff_i as usize))
        else {
            continue;
        };
        if let (Some(adv_release), Some(c_release)) = (aff.release(), &q.release)
            && !adv_release.admits(c_release)
        {
            continue;
        }
        let Some(kind) = affected_entry(aff, &q.ecosystem, q.version) else {
            continue;
        };
        hits.push(Hit {
            advisory: adv,
            kind,
            ranges: aff.ranges.iter().flat_map(render_range).collect(),
            fixed: fixed_of(aff),
            informational: aff.informational.clone(),
            provenance: None,
            condition: None,
        });
    }
    hits
}

/// Matches a component's CPE. `openwrt`: the component is an OpenWrt package, whose CPE
/// version may carry the package release (`1.2.3-r4`), compared without it.
fn cpe_hits(index: &Index, cpe: &str, openwrt: bool) -> Vec<Hit> {
    let Some(key) = parse_cpe(cpe) else {
        return Vec::new();
    };
    let written = if openwrt {
        openwrt_package_version(&key.version).upstream
    } else {
        key.version.as_str()
    };
    let (vendor, product) = (key.vendor.as_str(), key.product.as_str());
    let comparable = cpe_comparable_version(vendor, product, written, &key.update);
    let version = comparable.as_ref();
    let mut hits = Vec::new();
    let names = std::iter::once((vendor, product)).chain(aliases(vendor, product));
    let entries = names.enumerate().flat_map(|(i, (v, p))| {
        let kind = if i == 0 {
            MatchKind::Cpe
        } else {
            MatchKind::CpeAlias
        };
        index.cpe(v, p).into_iter().map(move |e| (kind, e))
    });
    for (name_kind, e) in entries {
        let written = Written {
            version: &e.version,
            update: &e.update,
            start_including: e.start_including.as_deref(),
            start_excluding: e.start_excluding.as_deref(),
            end_including: e.end_including.as_deref(),
            end_excluding: e.end_excluding.as_deref(),
        };
        let kind = if version == "*" || version == "-" || version.is_empty() {
            MatchKind::Unresolved
        } else if in_bounds(&e.vendor, &e.product, version, &written) {
            name_kind
        } else {
            continue;
        };
        let mut range = Vec::new();
        if let Some(s) = &e.start_including {
            range.push(format!(">={s}"));
        }
        if let Some(s) = &e.start_excluding {
            range.push(format!(">{s}"));
        }
        if let Some(s) = &e.end_including {
            range.push(format!("<={s}"));
        }
        if let Some(s) = &e.end_excluding {
            range.push(format!("<{s}"));
        }
        if range.is_empty() {
            range.push(if e.version == "*" {
                "*".to_string()
            } else {
                format!(
                    "={}",
                    cpe_comparable_version(&e.vendor, &e.product, &e.version, &e.update)
                )
            });
        }
        hits.push(Hit {
            advisory: e.advisory,
            kind,
            ranges: vec![range.join(", ")],
            fixed: e.end_excluding.iter().cloned().collect(),
            informational: None,
            provenance: Some(e.source),
            condition: e.condition.clone(),
        });
    }
    hits
}

fn native_prefix(eco: Option<&Ecosystem>) -> Option<&'static str> {
    match eco? {
        Ecosystem::CratesIo => Some("RUSTSEC-"),
        Ecosystem::PyPi => Some("PYSEC-"),
        Ecosystem::Go => Some("GO-"),
        _ => None,
    }
}

/// Groups hits by alias group into findings.
fn findings_from(
    index: &Index,
    hits: Vec<Hit>,
    eco: Option<&Ecosystem>,
    product: &Option<ProductRef>,
    component: &ComponentRef,
) -> Vec<Finding> {
    let mut by_group: BTreeMap<u32, Vec<(&IndexedAdvisory, Hit)>> = BTreeMap::new();
    for h in hits {
        // Hits only name advisories the index has.
        if let Some(a) = index.advisory(h.advisory) {
            by_group.entry(a.group).or_default().push((a, h));
        }
    }
    let native = native_prefix(eco);
    let mut out = Vec::with_capacity(by_group.len());
    for (group, hits) in by_group {
        let mut ids: Vec<&str> = hits.iter().map(|(a, _)| a.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let primary = native
            .and_then(|p| ids.iter().find(|i| i.starts_with(p)))
            .or_else(|| ids.iter().find(|i| !i.starts_with("CVE-")))
            .or(ids.first())
            .copied()
            .unwrap_or_default();
        let Some(adv) = hits
            .iter()
            .map(|(a, _)| *a)
            .find(|a| a.id == primary)
            .or_else(|| hits.first().map(|(a, _)| *a))
        else {
            continue;
        };
        let all = index.group(group);
        let kind = hits
            .iter()
            .map(|(_, h)| h.kind)
            .min()
            .unwrap_or(MatchKind::Unresolved);
        let mut ranges: Vec<String> = Vec::new();
        let mut fixed: Vec<String> = Vec::new();
        for (_, h) in &hits {
            for r in &h.ranges {
                if !ranges.contains(r) {
                    ranges.push(r.clone());
                }
            }
            for f in &h.fixed {
                if !fixed.contains(f) {
                    fixed.push(f.clone());
                }
            }
        }
        // The best severity any matched record of the flaw knows.
        let severity = hits
            .iter()
            .map(|(a, _)| &a.severity)
            .max_by(|a, b| (a.score.is_some(), a.rating).cmp(&(b.score.is_some(), b.rating)))
            .cloned()
            .unwrap_or_else(Severity::unknown);
        let exploited = all.iter().find_map(|id| index.kev(id)).map(|k| Exploited {
            cve_id: k.cve_id.clone(),
            date_added: k.date_added.clone(),
            due_date: k.due_date.clone(),
            ransomware: k.ransomware,
        });
        out.push(Finding {
            product: product.clone(),
            component: component.clone(),
            id: primary.to_string(),
            aliases: all.iter().filter(|i| *i != primary).cloned().collect(),
            summary: adv
                .summary
                .clone()
                .or_else(|| hits.iter().find_map(|(a, _)| a.summary.clone())),
            severity,
            affected_ranges: ranges,
            fixed_versions: fixed,
            exploited,
            match_kind: kind,
            informational: hits.iter().find_map(|(_, h)| h.informational.clone()),
            provenance: hits.iter().find_map(|(_, h)| h.provenance),
            requires: if hits.iter().any(|(_, h)| h.condition.is_none()) {
                Vec::new()
            } else {
                hits.iter()
                    .filter_map(|(_, h)| h.condition.clone())
                    .collect()
            },
        });
    }
    out
}

/// Looks one package up (the matcher's core, also handy for tests and the CLI's `query`).
pub fn match_package(index: &Index, query: &PackageQuery<'_>) -> Vec<Finding> {
    let component = ComponentRef {
        name: query.name.to_string(),
        version: query.version.map(str::to_string),
        purl: None,
        cpe: None,
    };
    let hits = package_hits(index, query);
    findings_from(index, hits, Some(&query.ecosystem), &None, &component)
}

/// Below this many components one thread matches them all; above it, the components are
/// split into contiguous chunks matched on separate threads (at most [`MAX_THREADS`], and only
/// as many as the machine has cores). Each component is matched independently and the chunks'
/// findings are concatenated in component order, so the report is the same either way.
const PARALLEL_FROM: usize = 2048;
/// Upper bound on matching threads: matching is a small part of a scan; more threads would cost
/// more to start than they save.
const MAX_THREADS: usize = 4;

/// Findings of `components` in component order, and how many could not be matched.
fn match_components(
    index: &Index,
    components: &[Component],
    product: &Option<ProductRef>,
    ctx: Option<&SbomCpes>,
) -> (Vec<Finding>, usize) {
    if components.len() < PARALLEL_FROM {
        return match_chunk(index, components, product, ctx);
    }
    // At least PARALLEL_FROM / 2 components per thread. (`available_parallelism` reads cgroup
    // files, so it is asked only here.)
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(MAX_THREADS)
        .min(components.len() / (PARALLEL_FROM / 2))
        .max(1);
    if threads == 1 {
        return match_chunk(index, components, product, ctx);
    }
    let chunk = components.len().div_ceil(threads);
    std::thread::scope(|s| {
        let workers: Vec<_> = components
            .chunks(chunk)
            .skip(1)
            .map(|part| {
                (
                    part,
                    s.spawn(move || match_chunk(index, part, product, ctx)),
                )
            })
            .collect();
        let (mut findings, mut unmatchable) = match_chunk(
            index,
            &components[..chunk.min(components.len())],
            product,
            ctx,
        );
        for (part, w) in workers {
            // A worker that panicked (a bug) is redone here, so nothing is silently lost.
            let (f, u) = w
                .join()
                .unwrap_or_else(|_| match_chunk(index, part, product, ctx));
            findings.extend(f);
            unmatchable += u;
        }
        (findings, unmatchable)
    })
}

/// Findings of one run of components, in order, and how many could not be matched. With the
/// SBOM's CPEs (`ctx`), CPE hits whose configuration does not hold there are dropped; without,
/// they are kept with the condition on the finding ([`Finding::requires`]).
fn match_chunk(
    index: &Index,
    components: &[Component],
    product: &Option<ProductRef>,
    ctx: Option<&SbomCpes>,
) -> (Vec<Finding>, usize) {
    let mut findings = Vec::new();
    let mut unmatchable = 0;
    for c in components {
        // Built only for components with findings (most have none).
        let component = || ComponentRef {
            name: c.name.clone(),
            version: c.version.clone(),
            purl: c
                .purl_raw
                .clone()
                .or_else(|| c.purl.as_ref().map(|p| p.to_string())),
            cpe: c.cpe_raw.clone(),
        };
        let purl_key = c.purl.as_ref().and_then(|p| {
            // `package_key` already gives distribution packages by their bare name.
            let (eco, key) = p.package_key()?;
            let distro = matches!(eco, Ecosystem::Debian | Ecosystem::Alpine | Ecosystem::Rpm);
            Some((eco, key, distro))
        });
        if let (Some((eco, name, distro)), Some(purl)) = (purl_key, c.purl.as_ref()) {
            let release = distro.then(|| {
                Release::from_purl(
                    &purl.ty,
                    purl.namespace.as_deref(),
                    purl.qualifiers.get("distro").map(String::as_str),
                )
            });
            let version = purl.version.as_deref().or(c.version.as_deref());
            let q = PackageQuery {
                ecosystem: eco.clone(),
                name: &name,
                version,
                release,
            };
            let hits = package_hits(index, &q);
            if !hits.is_empty() {
                findings.extend(findings_from(
                    index,
                    hits,
                    Some(&eco),
                    product,
                    &component(),
                ));
            }
        } else if let Some(cpe) = c.cpe_raw.as_deref() {
            let openwrt = c.purl.as_ref().is_some_and(|p| p.ty == "openwrt");
            let mut hits = cpe_hits(index, cpe, openwrt);
            if let Some(ctx) = ctx {
                hits.retain(|h| h.condition.as_ref().is_none_or(|c| c.holds(ctx)));
            }
            if !hits.is_empty() {
                findings.extend(findings_from(index, hits, None, product, &component()));
            }
        } else {
            unmatchable += 1;
        }
    }
    (findings, unmatchable)
}

/// Matches components that belong to several SBOMs at once (the platform matches each distinct
/// component of its portfolio once): like [`match_sbom`], but a CPE finding whose NVD
/// configuration needs other parts of the SBOM keeps that condition in
/// [`Finding::requires`], for the caller to evaluate per SBOM with [`SbomCpes`].
pub fn match_components_deferred(index: &Index, components: &[Component]) -> Vec<Finding> {
    match_components(index, components, &None, None).0
}

/// Matches every component of `sbom` against `index`.
pub fn match_sbom(index: &Index, sbom: &Sbom) -> ScanReport {
    let product = sbom.product.as_ref().map(|p| ProductRef {
        name: p.name.clone(),
        version: p.version.clone(),
    });
    let ctx = SbomCpes::of_sbom(sbom);
    let (mut findings, unmatchable) =
        match_components(index, &sbom.components, &product, Some(&ctx));
    findings.sort_by(|a, b| {
        (
            &a.component.name,
            &a.component.version,
            &a.component.purl,
            &a.id,
        )
            .cmp(&(
                &b.component.name,
                &b.component.version,
                &b.component.purl,
                &b.id,
            ))
    });
    let mut by_rating = BTreeMap::new();
    for f in &findings {
        *by_rating.entry(f.severity.rating).or_insert(0) += 1;
    }
    let exploited = findings.iter().filter(|f| f.exploited.is_some()).count();
    ScanReport {
        product,
        components: sbom.components.len(),
        components_unmatchable: unmatchable,
        findings,
        by_rating,
        exploited,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Corpus;
    use cyres_version::Purl;

    #[test]
    fn large_sboms_match_on_threads_with_the_same_result() {
        let mut corpus = Corpus::new();
        corpus.load_document(
            "a.json",
            br#"{"id":"TEST-1","aliases":["CVE-2000-1"],"affected":[{"package":{"ecosystem":"crates.io","name":"x"},
              "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}]}]}"#,
        );
        corpus.load_document(
            "b.json",
            br#"{"id":"TEST-2","affected":[{"package":{"ecosystem":"crates.io","name":"y"},
              "ranges":[{"type":"GIT","events":[{"introduced":"abc"}]}]}]}"#,
        );
        let index = Index::build(&corpus);
        let components: Vec<Component> = (0..PARALLEL_FROM * 2 + 3)
            .map(|i| {
                let name = ["x", "y", "z"][i % 3];
                let version = format!("0.{}.{}", i % 2, i);
                let purl = (i % 5 != 0).then(|| Purl {
                    ty: "cargo".into(),
                    namespace: None,
                    name: name.into(),
                    version: Some(version.clone()),
                    qualifiers: BTreeMap::new(),
                    subpath: None,
                });
                Component {
                    name: name.into(),
                    version: Some(version),
                    purl,
                    ..Component::default()
                }
            })
            .collect();
        let product = None;
        let serial = match_chunk(&index, &components, &product, None);
        let parallel = match_components(&index, &components, &product, None);
        assert_eq!(parallel, serial);
        assert!(serial.0.len() > components.len() / 3, "{}", serial.0.len());
        assert!(serial.1 > 0);
    }
}
