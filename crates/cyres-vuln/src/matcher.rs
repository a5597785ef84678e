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
//!
//! Findings are cheap records: [`find_matches`] gives [`ComponentMatch`]es that refer to the
//! SBOM's component and to the index's decoded advisory, alias group, KEV entry and the
//! rendered text of each matched entry ([`text`]), all shared, none cloned; a caller that
//! serialises them (the CLI) writes straight from these references. [`match_sbom`] turns them
//! into owned [`Finding`]s for callers that keep findings beyond the index (the platform's
//! store).

pub(crate) mod text;

use crate::Index;
use crate::cpe_match::{parse_cpe, version_in_range};
use crate::distro::Release;
use crate::index::{IndexedAdvisory, IndexedAffected};
use crate::kev::KevEntry;
use crate::nvd::ConfigSource;
use crate::platform::{PlatformCondition, SbomCpes};
use crate::severity::{Rating, Severity};
use cyres_sbom::{Component, Sbom};
use cyres_version::cpe::FuzzyVersion;
use cyres_version::cpe_alias::aliases;
use cyres_version::firmware::{cpe_comparable_version, openwrt_package_version};
use cyres_version::range::VersionKey;
use cyres_version::{Affected, Ecosystem, normalized_name};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use text::AffectedText;

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

impl MatchKind {
    /// The kind's name, as serialised: `purl`, `cpe`, `cpe_alias` or `unresolved`.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::Purl => "purl",
            MatchKind::Cpe => "cpe",
            MatchKind::CpeAlias => "cpe_alias",
            MatchKind::Unresolved => "unresolved",
        }
    }
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

/// One matched entry before grouping: the advisory, how it matched and the entry's text.
#[derive(Clone, Copy)]
struct Hit<'a> {
    advisory: &'a IndexedAdvisory,
    kind: MatchKind,
    text: &'a AffectedText,
    informational: Option<&'a str>,
    provenance: Option<ConfigSource>,
    /// For CPE hits: the configuration that must hold in the SBOM (running-on platforms).
    condition: Option<&'a PlatformCondition>,
}

/// The affected ranges and fixed versions of a finding: the text of its one matched entry
/// (shared with the index), or, when several entries of the flaw matched, their union without
/// repeats, in match order.
#[derive(Clone, Debug, PartialEq)]
enum Texts<'a> {
    One(&'a AffectedText),
    /// Boxed, so that a [`Match`] (one per finding) carries one pointer for either case.
    Many(Box<Union<'a>>),
}

/// The union of the texts of several matched entries ([`Texts::Many`]).
#[derive(Clone, Debug, PartialEq)]
struct Union<'a> {
    ranges: Box<[&'a str]>,
    fixed: Box<[&'a str]>,
}

impl<'a> Texts<'a> {
    fn of(hits: &[Hit<'a>]) -> Self {
        match hits {
            [one] => Texts::One(one.text),
            _ => {
                let union = |pick: fn(&'a AffectedText) -> &'a [String]| {
                    let mut out: Vec<&'a str> = Vec::new();
                    for s in hits.iter().flat_map(|h| pick(h.text)) {
                        if !out.contains(&s.as_str()) {
                            out.push(s);
                        }
                    }
                    out.into_boxed_slice()
                };
                Texts::Many(Box::new(Union {
                    ranges: union(|t| &t.ranges),
                    fixed: union(|t| &t.fixed),
                }))
            }
        }
    }
}

/// A list of strings held by a finding: an iterator of `&str`, in order.
#[derive(Clone, Debug)]
pub struct Strs<'s>(StrsInner<'s>);

#[derive(Clone, Debug)]
enum StrsInner<'s> {
    Owned(std::slice::Iter<'s, String>),
    Borrowed(std::slice::Iter<'s, &'s str>),
}

impl<'s> Iterator for Strs<'s> {
    type Item = &'s str;
    fn next(&mut self) -> Option<&'s str> {
        match &mut self.0 {
            StrsInner::Owned(i) => i.next().map(String::as_str),
            StrsInner::Borrowed(i) => i.next().copied(),
        }
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = match &self.0 {
            StrsInner::Owned(i) => i.len(),
            StrsInner::Borrowed(i) => i.len(),
        };
        (n, Some(n))
    }
}

impl ExactSizeIterator for Strs<'_> {}

/// One flaw matched in one component, by reference: everything it shows is borrowed from the
/// index (advisory, alias group, KEV entry, rendered ranges) with the lifetime `'a`.
#[derive(Clone, Debug, PartialEq)]
pub struct Match<'a> {
    id: &'a str,
    group: &'a [String],
    summary: Option<&'a str>,
    severity: &'a Severity,
    texts: Texts<'a>,
    kev: Option<&'a KevEntry>,
    kind: MatchKind,
    informational: Option<&'a str>,
    provenance: Option<ConfigSource>,
    /// The configurations of which one must hold (see [`Finding::requires`]).
    requires: Box<[&'a PlatformCondition]>,
}

impl<'a> Match<'a> {
    /// The primary advisory id.
    pub fn id(&self) -> &'a str {
        self.id
    }

    /// Every other id of the same flaw, sorted.
    pub fn aliases(&self) -> impl ExactSizeIterator<Item = &'a str> + Clone + 'a {
        let id = self.id;
        // The group holds the primary id once (ids are deduplicated), so one fewer.
        let n = self.group.len() - usize::from(self.group.iter().any(|i| i == id));
        Aliases {
            ids: self.group.iter(),
            skip: id,
            left: n,
        }
    }

    /// The advisory's summary.
    pub fn summary(&self) -> Option<&'a str> {
        self.summary
    }

    /// What the rendered text of this match is shared with: two matches of the same id (the
    /// same `&str`, as [`Match::id`] borrows it from the index) and the same key here show the
    /// same summary, severity, aliases, ranges, fixed versions, KEV entry and informational
    /// kind, so a writer may render that part once and copy it. `None` when the ranges are a
    /// union made for this match alone (several entries of the flaw matched).
    pub fn shared_text_key(&self) -> Option<usize> {
        match self.texts {
            Texts::One(t) => Some(std::ptr::from_ref(t) as usize),
            Texts::Many(_) => None,
        }
    }

    /// Rating, score and vector.
    pub fn severity(&self) -> &'a Severity {
        self.severity
    }

    /// The affected ranges, as text (`>=1.0.0, <1.2.3`).
    pub fn affected_ranges(&self) -> Strs<'_> {
        match &self.texts {
            Texts::One(t) => Strs(StrsInner::Owned(t.ranges.iter())),
            Texts::Many(u) => Strs(StrsInner::Borrowed(u.ranges.iter())),
        }
    }

    /// Versions that fix it.
    pub fn fixed_versions(&self) -> Strs<'_> {
        match &self.texts {
            Texts::One(t) => Strs(StrsInner::Owned(t.fixed.iter())),
            Texts::Many(u) => Strs(StrsInner::Borrowed(u.fixed.iter())),
        }
    }

    /// The CISA KEV entry, when the flaw is in the catalogue.
    pub fn kev(&self) -> Option<&'a KevEntry> {
        self.kev
    }

    /// How it was matched.
    pub fn kind(&self) -> MatchKind {
        self.kind
    }

    /// RustSec informational kind (`unmaintained`, `unsound`, `notice`), if any.
    pub fn informational(&self) -> Option<&'a str> {
        self.informational
    }

    /// For CPE matches: who wrote the configuration that matched (`nvd` or `override`).
    pub fn provenance(&self) -> Option<ConfigSource> {
        self.provenance
    }

    /// The owned form, for `product` and `component`.
    fn to_finding(&self, product: &Option<ProductRef>, component: ComponentRef) -> Finding {
        Finding {
            product: product.clone(),
            component,
            id: self.id.to_string(),
            aliases: self.aliases().map(str::to_string).collect(),
            summary: self.summary.map(str::to_string),
            severity: self.severity.clone(),
            affected_ranges: self.affected_ranges().map(str::to_string).collect(),
            fixed_versions: self.fixed_versions().map(str::to_string).collect(),
            exploited: self.kev.map(|k| Exploited {
                cve_id: k.cve_id.clone(),
                date_added: k.date_added.clone(),
                due_date: k.due_date.clone(),
                ransomware: k.ransomware,
            }),
            match_kind: self.kind,
            informational: self.informational.map(str::to_string),
            provenance: self.provenance,
            requires: self.requires.iter().map(|c| (*c).clone()).collect(),
        }
    }
}

/// The ids of an alias group but one.
#[derive(Clone)]
struct Aliases<'a> {
    ids: std::slice::Iter<'a, String>,
    skip: &'a str,
    left: usize,
}

impl<'a> Iterator for Aliases<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        let skip = self.skip;
        let next = self.ids.by_ref().find(|i| *i != skip)?;
        self.left = self.left.saturating_sub(1);
        Some(next)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Aliases<'_> {}

/// A [`Match`] in one SBOM component.
#[derive(Clone, Debug)]
pub struct ComponentMatch<'a> {
    /// The component.
    pub component: &'a Component,
    /// Its package URL as written (or, for a component built without the text, the canonical
    /// form of the parsed one).
    pub purl: Option<Cow<'a, str>>,
    /// The flaw.
    pub finding: Match<'a>,
}

/// Equal when about the same component (the same one, not an equal one) and equal otherwise.
impl PartialEq for ComponentMatch<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.component, other.component)
            && self.purl == other.purl
            && self.finding == other.finding
    }
}

/// The result of [`find_matches`]: like [`ScanReport`], with findings by reference.
#[derive(Clone, Debug)]
pub struct Matches<'a> {
    /// The product the SBOM describes.
    pub product: Option<&'a Component>,
    /// Components looked at.
    pub components: usize,
    /// Components with neither a usable purl nor a CPE (could not be matched).
    pub components_unmatchable: usize,
    /// Findings, sorted by component (name, version, purl) then id.
    pub findings: Vec<ComponentMatch<'a>>,
}

fn strip_v<'a>(eco: &Ecosystem, v: &'a str) -> &'a str {
    if matches!(eco, Ecosystem::Go) {
        v.trim_start_matches('v')
    } else {
        v
    }
}

/// Evaluates one `affected[]` entry for a version (`None`: the component has none, or only
/// blanks): `Some(kind)` when it is a finding. `eco`: the component's ecosystem.
fn affected_entry(
    aff: &IndexedAffected,
    eco: &Ecosystem,
    version: Option<&VersionKey<'_>>,
) -> Option<MatchKind> {
    let Some(version) = version else {
        return Some(MatchKind::Unresolved);
    };
    let v = version.as_str();
    if aff.versions.iter().any(|l| strip_v(eco, l) == v) {
        return Some(MatchKind::Purl);
    }
    let mut decidable = false;
    for r in &aff.ranges {
        match r
            .prepared
            .evaluate_key(&aff.family, r.kind, &r.events, version)
        {
            Affected::Yes => return Some(MatchKind::Purl),
            Affected::No => decidable = true,
            Affected::Unresolved => {}
        }
    }
    // Only GIT ranges (or none) and no versions list: we cannot tell.
    (!decidable && aff.versions.is_empty()).then_some(MatchKind::Unresolved)
}

/// Appends the hits of a package to `hits`.
fn package_hits<'a>(index: &'a Index, q: &PackageQuery<'_>, hits: &mut Vec<Hit<'a>>) {
    let name = normalized_name(&q.ecosystem, q.name.trim());
    // Parsed once for every range of every advisory of the package, when there is one.
    let mut version = None;
    for (adv, aff_i) in index.package(&q.ecosystem, &name) {
        let Some(advisory) = index.advisory(adv) else {
            continue;
        };
        let Some(aff) = advisory.affected.get(aff_i as usize) else {
            continue;
        };
        if let (Some(adv_release), Some(c_release)) = (aff.release(), &q.release)
            && !adv_release.admits(c_release)
        {
            continue;
        }
        let version = version.get_or_insert_with(|| {
            q.version
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| VersionKey::new(strip_v(&q.ecosystem, v)))
        });
        let Some(kind) = affected_entry(aff, &q.ecosystem, version.as_ref()) else {
            continue;
        };
        hits.push(Hit {
            advisory,
            kind,
            text: index.affected_text(adv, aff_i),
            informational: aff.informational.as_deref(),
            provenance: None,
            condition: None,
        });
    }
}

/// Appends the hits of a CPE to `hits`. `openwrt`: the component is an OpenWrt package, whose
/// CPE version may carry the package release (`1.2.3-r4`), compared without it.
fn cpe_hits<'a>(index: &'a Index, cpe: &str, openwrt: bool, hits: &mut Vec<Hit<'a>>) {
    let Some(key) = parse_cpe(cpe) else {
        return;
    };
    let written = if openwrt {
        openwrt_package_version(&key.version).upstream
    } else {
        key.version.as_str()
    };
    let (vendor, product) = (key.vendor.as_str(), key.product.as_str());
    let comparable = cpe_comparable_version(vendor, product, written, &key.update);
    let version = comparable.as_ref();
    // Tokenised once for every statement it is compared with.
    let fuzzy = FuzzyVersion::new(version);
    let names = std::iter::once((vendor, product)).chain(aliases(vendor, product));
    let entries = names.enumerate().flat_map(|(i, (v, p))| {
        let kind = if i == 0 {
            MatchKind::Cpe
        } else {
            MatchKind::CpeAlias
        };
        index.cpe(v, p).into_iter().map(move |d| (kind, d))
    });
    for (name_kind, d) in entries {
        let e = &d.entry;
        let bounds = d.bounds();
        let kind = if version == "*" || version == "-" || version.is_empty() {
            MatchKind::Unresolved
        } else if version_in_range(&fuzzy, &bounds) {
            name_kind
        } else {
            continue;
        };
        // Statements only name advisories the index has.
        let Some(advisory) = index.advisory(e.advisory) else {
            continue;
        };
        hits.push(Hit {
            advisory,
            kind,
            text: &d.text,
            informational: None,
            provenance: Some(e.source),
            condition: e.condition.and_then(|i| index.condition(i)),
        });
    }
}

fn native_prefix(eco: Option<&Ecosystem>) -> Option<&'static str> {
    match eco? {
        Ecosystem::CratesIo => Some("RUSTSEC-"),
        Ecosystem::PyPi => Some("PYSEC-"),
        Ecosystem::Go => Some("GO-"),
        _ => None,
    }
}

/// The severity of a flaw nobody rated.
static UNKNOWN: Severity = Severity {
    rating: Rating::Unknown,
    score: None,
    vector: None,
};

/// Groups hits by alias group into matches, in group order, passing each to `out`. Sorts `hits`.
fn group_hits<'a>(
    index: &'a Index,
    hits: &mut [Hit<'a>],
    eco: Option<&Ecosystem>,
    mut out: impl FnMut(Match<'a>),
) {
    // Stable: within a group the hits stay in match order.
    hits.sort_by_key(|h| h.advisory.group);
    let native = native_prefix(eco);
    for hits in hits.chunk_by(|a, b| a.advisory.group == b.advisory.group) {
        let group = hits[0].advisory.group;
        // The smallest id of the first kind that has one: native, else not a CVE, else any.
        let smallest = |keep: &dyn Fn(&str) -> bool| {
            hits.iter()
                .map(|h| h.advisory.id.as_str())
                .filter(|i| keep(i))
                .min()
        };
        let primary = native
            .and_then(|p| smallest(&|i| i.starts_with(p)))
            .or_else(|| smallest(&|i| !i.starts_with("CVE-")))
            .or_else(|| smallest(&|_| true))
            .unwrap_or_default();
        let adv = hits
            .iter()
            .find(|h| h.advisory.id == primary)
            .unwrap_or(&hits[0])
            .advisory;
        let all = index.group(group);
        let kind = hits
            .iter()
            .map(|h| h.kind)
            .min()
            .unwrap_or(MatchKind::Unresolved);
        // The best severity any matched record of the flaw knows (the last of equals, as
        // `max_by` gives).
        let severity = hits
            .iter()
            .map(|h| &h.advisory.severity)
            .max_by(|a, b| (a.score.is_some(), a.rating).cmp(&(b.score.is_some(), b.rating)))
            .unwrap_or(&UNKNOWN);
        out(Match {
            id: primary,
            group: all,
            summary: adv
                .summary
                .as_deref()
                .or_else(|| hits.iter().find_map(|h| h.advisory.summary.as_deref())),
            severity,
            texts: Texts::of(hits),
            kev: all.iter().find_map(|id| index.kev(id)),
            kind,
            informational: hits.iter().find_map(|h| h.informational),
            provenance: hits.iter().find_map(|h| h.provenance),
            // A hit the match alone decides makes the finding unconditional.
            requires: if hits.iter().any(|h| h.condition.is_none()) {
                Box::default()
            } else {
                hits.iter().filter_map(|h| h.condition).collect()
            },
        });
    }
}

/// Looks one package up (the matcher's core, also handy for tests and the CLI's `query`).
pub fn match_package(index: &Index, query: &PackageQuery<'_>) -> Vec<Finding> {
    let mut hits = Vec::new();
    package_hits(index, query, &mut hits);
    let mut out = Vec::new();
    group_hits(index, &mut hits, Some(&query.ecosystem), |m| {
        let component = ComponentRef {
            name: query.name.to_string(),
            version: query.version.map(str::to_string),
            purl: None,
            cpe: None,
        };
        out.push(m.to_finding(&None, component));
    });
    out
}

/// Below this many components one thread matches them all; above it, the components are
/// split into contiguous chunks matched on separate threads (at most [`MAX_THREADS`], and only
/// as many as the machine has cores). Each component is matched independently and the chunks'
/// findings are concatenated in component order, so the report is the same either way.
/// Measured on a 2,848-component SBOM with 4,852 findings (docs/benchmarks.md): two threads
/// cost 20.0 ms of CPU for the whole scan against 16.3 ms on one (a second thread's fresh
/// allocator arena and its page faults, and the merge), and were not faster in wall time on the
/// shared machine either; below about 8,000 components one thread is the cheaper choice.
const PARALLEL_FROM: usize = 8192;
/// Upper bound on matching threads: matching is a small part of a scan; more threads would cost
/// more to start than they save.
const MAX_THREADS: usize = 4;

/// Findings of `components` in component order, and how many could not be matched.
fn match_components<'a>(
    index: &'a Index,
    components: &'a [Component],
    ctx: Option<&SbomCpes>,
) -> (Vec<ComponentMatch<'a>>, usize) {
    if components.len() < PARALLEL_FROM {
        return match_chunk(index, components, ctx);
    }
    // At least PARALLEL_FROM / 2 components per thread. (`available_parallelism` reads cgroup
    // files, so it is asked only here.)
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(MAX_THREADS)
        .min(components.len() / (PARALLEL_FROM / 2))
        .max(1);
    if threads == 1 {
        return match_chunk(index, components, ctx);
    }
    let chunk = components.len().div_ceil(threads);
    std::thread::scope(|s| {
        let workers: Vec<_> = components
            .chunks(chunk)
            .skip(1)
            .map(|part| (part, s.spawn(move || match_chunk(index, part, ctx))))
            .collect();
        let (mut findings, mut unmatchable) =
            match_chunk(index, &components[..chunk.min(components.len())], ctx);
        for (part, w) in workers {
            // A worker that panicked (a bug) is redone here, so nothing is silently lost.
            let (f, u) = w.join().unwrap_or_else(|_| match_chunk(index, part, ctx));
            findings.extend(f);
            unmatchable += u;
        }
        (findings, unmatchable)
    })
}

/// Appends the hits of one component to `hits` and gives the ecosystem its purl names (`None`
/// inside for a CPE match); `None` when it has neither a usable purl nor a CPE.
fn component_hits<'a>(
    index: &'a Index,
    c: &Component,
    hits: &mut Vec<Hit<'a>>,
) -> Option<Option<Ecosystem>> {
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
            ecosystem: eco,
            name: &name,
            version,
            release,
        };
        package_hits(index, &q, hits);
        Some(Some(q.ecosystem))
    } else if let Some(cpe) = c.cpe_raw.as_deref() {
        let openwrt = c.purl.as_ref().is_some_and(|p| p.ty == "openwrt");
        cpe_hits(index, cpe, openwrt, hits);
        Some(None)
    } else {
        None
    }
}

/// Whether [`find_matches`] needs `c`: it has a finding, or counts as unmatchable. A reader
/// that keeps only these components of a large SBOM
/// ([`cyres_sbom::read_keeping`]) gives the same findings and counts as one that keeps all.
pub fn worth_keeping(index: &Index, c: &Component) -> bool {
    let mut hits = Vec::new();
    component_hits(index, c, &mut hits).is_none() || !hits.is_empty()
}

/// Room reserved for findings per component matched (a lockfile at every RustSec bound has 1.7
/// on average), up to [`RESERVE_MAX`] findings. Reserved room never written is never touched,
/// so it costs the process no page: growing the vector by doubling instead copied the
/// findings (about 150 bytes each) into fresh pages at every step, a quarter of the page
/// faults of a scan with 4,852 findings.
const RESERVE_PER_COMPONENT: usize = 2;
/// At most this many findings are reserved up front (about 10 MB); beyond, the vector grows.
const RESERVE_MAX: usize = 1 << 16;

/// Findings of one run of components, in order, and how many could not be matched. With the
/// SBOM's CPEs (`ctx`), CPE hits whose configuration does not hold there are dropped (and those
/// kept need nothing more); without, they are kept with the condition on the finding
/// ([`Finding::requires`]).
fn match_chunk<'a>(
    index: &'a Index,
    components: &'a [Component],
    ctx: Option<&SbomCpes>,
) -> (Vec<ComponentMatch<'a>>, usize) {
    let mut findings = Vec::with_capacity(
        components
            .len()
            .saturating_mul(RESERVE_PER_COMPONENT)
            .min(RESERVE_MAX),
    );
    let mut unmatchable = 0;
    // One buffer for every component's hits (most have none).
    let mut hits = Vec::new();
    // Whether each configuration met so far holds in the SBOM: a kernel or hardware
    // configuration lists hundreds of criteria and is shared by many statements and components,
    // so it is evaluated once per SBOM part rather than once per hit.
    let mut holds: HashMap<*const PlatformCondition, bool> = HashMap::new();
    for c in components {
        hits.clear();
        let Some(eco) = component_hits(index, c, &mut hits) else {
            unmatchable += 1;
            continue;
        };
        if let Some(ctx) = ctx {
            hits.retain_mut(|h| match h.condition.take() {
                Some(c) => *holds
                    .entry(std::ptr::from_ref(c))
                    .or_insert_with(|| c.holds(ctx)),
                None => true,
            });
        }
        if hits.is_empty() {
            continue;
        }
        let purl = c
            .purl_raw
            .as_deref()
            .map(Cow::Borrowed)
            .or_else(|| c.purl.as_ref().map(|p| Cow::Owned(p.to_string())));
        group_hits(index, &mut hits, eco.as_ref(), |finding| {
            findings.push(ComponentMatch {
                component: c,
                purl: purl.clone(),
                finding,
            });
        });
    }
    (findings, unmatchable)
}

/// Matches every component of `sbom` against `index`, with findings by reference (see
/// [`Matches`]; [`match_sbom`] gives them owned). Running-on platforms are looked for among
/// the SBOM's own CPEs ([`SbomCpes::of_sbom`]).
pub fn find_matches<'a>(index: &'a Index, sbom: &'a Sbom) -> Matches<'a> {
    find_matches_in(index, sbom, &SbomCpes::of_sbom(sbom))
}

/// [`find_matches`] with the CPEs running-on platforms are looked for in given: those of the
/// whole SBOM when `sbom` holds only some of its components (a reader that kept only what
/// [`worth_keeping`] wants, and collected every CPE while reading).
pub fn find_matches_in<'a>(index: &'a Index, sbom: &'a Sbom, cpes: &SbomCpes) -> Matches<'a> {
    let mut matches = find_matches_unsorted(index, sbom, cpes);
    matches.findings.sort_by(|a, b| {
        (
            &a.component.name,
            &a.component.version,
            &a.purl,
            a.finding.id,
        )
            .cmp(&(
                &b.component.name,
                &b.component.version,
                &b.purl,
                b.finding.id,
            ))
    });
    matches
}

/// [`find_matches_in`] without its sort: the findings in component order (each component's in
/// the order of their alias groups in the index), for a caller that orders them its own way
/// (the CLI sorts its report once, by severity; sorting here first would only move every
/// record one more time). A stable sort of these by [`find_matches_in`]'s order gives exactly
/// its findings.
pub fn find_matches_unsorted<'a>(index: &'a Index, sbom: &'a Sbom, cpes: &SbomCpes) -> Matches<'a> {
    let (findings, unmatchable) = match_components(index, &sbom.components, Some(cpes));
    Matches {
        product: sbom.product.as_ref(),
        components: sbom.components.len(),
        components_unmatchable: unmatchable,
        findings,
    }
}

/// The owned form of a match.
fn owned(m: &ComponentMatch<'_>, product: &Option<ProductRef>) -> Finding {
    let component = ComponentRef {
        name: m.component.name.clone(),
        version: m.component.version.clone(),
        purl: m.purl.as_deref().map(str::to_string),
        cpe: m.component.cpe_raw.clone(),
    };
    m.finding.to_finding(product, component)
}

/// Matches components that belong to several SBOMs at once (the platform matches each distinct
/// component of its portfolio once): like [`match_sbom`], but a CPE finding whose NVD
/// configuration needs other parts of the SBOM keeps that condition in
/// [`Finding::requires`], for the caller to evaluate per SBOM with [`SbomCpes`]. Findings come
/// in component order.
pub fn match_components_deferred(index: &Index, components: &[Component]) -> Vec<Finding> {
    let (matches, _) = match_components(index, components, None);
    matches.iter().map(|m| owned(m, &None)).collect()
}

/// Matches every component of `sbom` against `index`.
pub fn match_sbom(index: &Index, sbom: &Sbom) -> ScanReport {
    let matches = find_matches(index, sbom);
    let product = matches.product.map(|p| ProductRef {
        name: p.name.clone(),
        version: p.version.clone(),
    });
    let findings: Vec<Finding> = matches
        .findings
        .iter()
        .map(|m| owned(m, &product))
        .collect();
    let mut by_rating = BTreeMap::new();
    for f in &findings {
        *by_rating.entry(f.severity.rating).or_insert(0) += 1;
    }
    let exploited = findings.iter().filter(|f| f.exploited.is_some()).count();
    ScanReport {
        product,
        components: matches.components,
        components_unmatchable: matches.components_unmatchable,
        findings,
        by_rating,
        exploited,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A match kind's name is its serialised form (the scan report and the platform's stored
    /// findings use the name; the API serialises the kind).
    #[test]
    fn match_kind_names_are_their_serialisation() {
        for k in [
            MatchKind::Purl,
            MatchKind::Cpe,
            MatchKind::CpeAlias,
            MatchKind::Unresolved,
        ] {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
    }
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
        let serial = match_chunk(&index, &components, None);
        let parallel = match_components(&index, &components, None);
        assert_eq!(parallel, serial);
        assert!(serial.0.len() > components.len() / 3, "{}", serial.0.len());
        assert!(serial.1 > 0);

        // Keeping only the components `worth_keeping` wants changes neither the findings nor
        // the unmatchable count.
        let kept: Vec<Component> = components
            .iter()
            .filter(|c| worth_keeping(&index, c))
            .cloned()
            .collect();
        // `z` has no advisory: only its purl-less (unmatchable) copies stay.
        assert!(kept.len() < components.len(), "{}", kept.len());
        assert!(kept.iter().all(|c| c.name != "z" || c.purl.is_none()));
        let (from_kept, unmatchable) = match_components(&index, &kept, None);
        assert_eq!(unmatchable, serial.1);
        let all = |m: &[ComponentMatch<'_>]| -> Vec<Finding> {
            m.iter().map(|m| owned(m, &None)).collect()
        };
        assert_eq!(all(&from_kept), all(&serial.0));
    }
}
