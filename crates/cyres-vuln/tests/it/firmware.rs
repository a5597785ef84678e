//! Firmware on the kit (`firmware/`): the four OpenWrt SBOMs of a TP-Link Archer C7 v2 against
//! the kit's NVD records, matched by the engine (what `cyres scan` does) and by a literal,
//! naive reading of NVD's configuration semantics written here independently (AND/OR nodes,
//! `negate`, running-on platforms that must be present in the same SBOM, every CPE attribute
//! compared per NISTIR 7696, version bounds in the fuzzy order on the strings as written).
//!
//! The kit's NVD data is complete only for CVE ids of 2002–2018 and early 2023 (kit README):
//! the comparison counts every year, but "no match" is never read as "not vulnerable".

use cyres_sbom::{Component, Limits, Sbom};
use cyres_version::Cpe;
use cyres_version::cpe::version_in_range;
use cyres_vuln::nvd::{Configuration, Criterion, CveConfigurations};
use cyres_vuln::{Corpus, Index, MatchKind, match_sbom};
use std::collections::{BTreeSet, HashMap};
use std::ops::Bound;

/// (CVE, component name, component version).
pub(crate) type Pair = (String, String, String);

/// One OpenWrt SBOM, read.
pub(crate) fn openwrt_sbom(release: &str) -> Sbom {
    let p = cyres_kit::openwrt_sbom(release);
    let bytes = std::fs::read(&p).unwrap();
    cyres_sbom::read(&bytes, &p.display().to_string(), &Limits::default()).unwrap()
}

fn nvd_corpus() -> &'static Corpus {
    static C: std::sync::OnceLock<Corpus> = std::sync::OnceLock::new();
    C.get_or_init(|| {
        let mut c = Corpus::new();
        for f in cyres_kit::nvd_firmware_files() {
            c.load_path(&f, &mut |_| {}).unwrap();
        }
        c
    })
}

/// The SBOM's CPEs by (vendor, product).
type Parts<'a> = HashMap<(String, String), Vec<(&'a Component, Cpe)>>;

/// The components a criterion matches.
fn criterion_targets<'a>(c: &Criterion, parts: &'a Parts<'a>) -> Vec<&'a Component> {
    let Ok(source) = Cpe::parse(&c.criteria) else {
        return Vec::new();
    };
    let Some(candidates) = parts.get(&(source.vendor.clone(), source.product.clone())) else {
        return Vec::new();
    };
    fn bound<'a>(inc: &'a Option<String>, exc: &'a Option<String>) -> Bound<&'a str> {
        match (inc, exc) {
            (Some(v), _) => Bound::Included(v),
            (_, Some(v)) => Bound::Excluded(v),
            _ => Bound::Unbounded,
        }
    }
    let start = bound(&c.version_start_including, &c.version_start_excluding);
    let end = bound(&c.version_end_including, &c.version_end_excluding);
    candidates
        .iter()
        .filter(|(_, target)| {
            if !source.matches_except_version(target) {
                return false;
            }
            if start == Bound::Unbounded && end == Bound::Unbounded {
                return source.version == "*" || source.version == target.version;
            }
            !matches!(target.version.as_str(), "*" | "-")
                && version_in_range(&target.version, start, end)
        })
        .map(|(c, _)| *c)
        .collect()
}

/// Pairs the literal NVD reading gives for one CVE's configurations over one SBOM.
fn literal_pairs(cfgs: &CveConfigurations, parts: &Parts<'_>) -> BTreeSet<Pair> {
    let mut out = BTreeSet::new();
    let any = |c: &Criterion| !criterion_targets(c, parts).is_empty();
    let is_and = |op: &Option<String>| op.as_deref() == Some("AND");
    let config_true = |cfg: &Configuration| {
        let node_value = |n: &cyres_vuln::nvd::Node| {
            let v = if is_and(&n.operator) {
                n.cpe_match.iter().all(any)
            } else {
                n.cpe_match.iter().any(any)
            };
            v != n.negate
        };
        let v = if is_and(&cfg.operator) {
            cfg.nodes.iter().all(node_value)
        } else {
            cfg.nodes.iter().any(node_value)
        };
        v != cfg.negate
    };
    for cfg in cfgs.configurations.iter().filter(|c| config_true(c)) {
        for n in cfg.nodes.iter().filter(|n| !n.negate) {
            for c in n.cpe_match.iter().filter(|c| c.vulnerable) {
                for comp in criterion_targets(c, parts) {
                    out.insert((
                        cfgs.cve_id.clone(),
                        comp.name.clone(),
                        comp.version.clone().unwrap_or_default(),
                    ));
                }
            }
        }
    }
    out
}

/// The literal NVD reading over a whole SBOM (the product's own CPE counts as a platform).
/// `resolved`: each CPE also stands under every other name of its product in the alias table,
/// i.e. the literal reading of the SBOM with its names resolved.
pub(crate) fn literal(corpus: &Corpus, sbom: &Sbom, resolved: bool) -> BTreeSet<Pair> {
    let mut parts: Parts<'_> = HashMap::new();
    for c in sbom.components.iter().chain(sbom.product.as_ref()) {
        if let Some(cpe) = c.cpe_raw.as_deref().and_then(|s| Cpe::parse(s).ok()) {
            let names = if resolved {
                cyres_version::cpe_alias::aliases(&cpe.vendor, &cpe.product)
            } else {
                Vec::new()
            };
            for (vendor, product) in names {
                let renamed = Cpe {
                    vendor: vendor.into(),
                    product: product.into(),
                    ..cpe.clone()
                };
                parts
                    .entry((vendor.into(), product.into()))
                    .or_default()
                    .push((c, renamed));
            }
            parts
                .entry((cpe.vendor.clone(), cpe.product.clone()))
                .or_default()
                .push((c, cpe));
        }
    }
    // Only CVEs naming one of the SBOM's products can give a pair.
    let keys: BTreeSet<String> = parts
        .keys()
        .map(|(v, p)| cyres_vuln::keys::cpe_key(v, p))
        .collect();
    let product = sbom.product.as_ref().map(|p| p.name.clone());
    corpus
        .configurations
        .iter()
        .filter(|c| !c.keys().is_disjoint(&keys))
        .flat_map(|c| literal_pairs(c, &parts))
        .filter(|(_, name, _)| Some(name) != product.as_ref())
        .collect()
}

/// Whether every configuration of `cve` with a vulnerable criterion is an AND with a platform
/// node (only `vulnerable: false` criteria).
fn only_in_and_configurations(corpus: &Corpus, cve: &str) -> bool {
    corpus
        .configurations
        .iter()
        .filter(|c| c.cve_id == cve)
        .flat_map(|c| &c.configurations)
        .filter(|c| {
            c.nodes
                .iter()
                .flat_map(|n| &n.cpe_match)
                .any(|m| m.vulnerable)
        })
        .all(|c| {
            c.operator.as_deref() == Some("AND")
                && c.nodes
                    .iter()
                    .any(|n| n.cpe_match.iter().all(|m| !m.vulnerable))
        })
}

fn year(cve: &str) -> u32 {
    cve.get(4..8).and_then(|y| y.parse().ok()).unwrap_or(0)
}

#[test]
fn openwrt_firmware_engine_against_the_literal_nvd_reading() {
    let corpus = nvd_corpus();
    assert_eq!(corpus.report.nvd_records, 5264 + 26);
    let index = Index::build(corpus);
    let mut totals = [0usize; 4];
    let mut per_release = Vec::new();
    for r in cyres_kit::OPENWRT_RELEASES {
        let sbom = openwrt_sbom(r);
        let report = match_sbom(&index, &sbom);
        let engine: BTreeSet<Pair> = report
            .findings
            .iter()
            .map(|f| {
                (
                    f.id.clone(),
                    f.component.name.clone(),
                    f.component.version.clone().unwrap_or_default(),
                )
            })
            .collect();
        let through_alias = report
            .findings
            .iter()
            .filter(|f| f.match_kind == MatchKind::CpeAlias)
            .count();
        let lit = literal(corpus, &sbom, false);
        let resolved = literal(corpus, &sbom, true);
        let missing: Vec<&Pair> = resolved.difference(&engine).collect();
        let extra: Vec<&Pair> = engine.difference(&resolved).collect();
        eprintln!(
            "{r}: engine {} (through an alias {through_alias}), literal NVD reading {} \
             (with resolved names {}), engine misses {}, engine adds {}",
            engine.len(),
            lit.len(),
            resolved.len(),
            missing.len(),
            extra.len()
        );
        assert!(missing.is_empty(), "{r}: the engine misses {missing:?}");
        // One known difference: ISC's bind criteria with `sw_edition` `-` (NA), which a
        // literal NISTIR 7696 reading never matches against an SBOM CPE whose `sw_edition` is
        // ANY, yet bind 9.18.11 is inside CVE-2023-2828's 9.18.0–9.18.15 range: true findings.
        // AND configurations ("openssh on Red Hat Enterprise Linux", CVE-2008-3844) match only
        // with their platform in the SBOM, as the literal reading says (issue 20: they were
        // once flattened, 4 false pairs).
        let (bind, other): (Vec<&&Pair>, Vec<&&Pair>) =
            extra.iter().partition(|p| p.1.starts_with("bind-"));
        assert!(other.is_empty(), "{r}: unexpected extra pairs {other:?}");
        eprintln!(
            "  of the engine's additions: bind sw_edition {}",
            bind.len()
        );
        // Resolution only adds: every literal pair is still found.
        assert!(lit.is_subset(&resolved));
        assert_eq!(
            through_alias,
            engine.len() - engine.intersection(&lit).count() - bind.len(),
            "{r}: the alias findings are exactly what resolution adds"
        );
        for (t, n) in
            totals
                .iter_mut()
                .zip([engine.len(), lit.len(), resolved.len(), through_alias])
        {
            *t += n;
        }
        per_release.push(engine);
    }
    eprintln!(
        "total: engine {} literal {} literal with resolved names {} through an alias {}",
        totals[0], totals[1], totals[2], totals[3]
    );
    assert!(totals[3] > 0, "resolution adds findings on the kit's SBOMs");
    // Older firmware carries more known flaws in the fully covered years.
    let covered = |s: &BTreeSet<Pair>| s.iter().filter(|p| year(&p.0) <= 2018).count();
    assert!(covered(&per_release[0]) >= covered(&per_release[3]));
}

/// The pairs a flattened reading (every vulnerable criterion alone) gives beyond NVD's
/// semantics are exactly AND configurations whose platform is not in the SBOM; with the
/// platform added to the SBOM they match (issue 20: 4 false pairs before).
#[test]
fn and_configurations_match_only_with_their_platform() {
    let corpus = nvd_corpus();
    let index = Index::build(corpus);
    // Each configuration is stored once, however many vulnerable criteria it has (a full-size
    // NVD ran out of memory when every criterion carried its own copy).
    let kept = cyres_vuln::nvd::layered(&corpus.cpe_matches);
    let conditional = kept.iter().filter(|m| m.context.is_some()).count();
    let shared: BTreeSet<*const cyres_vuln::nvd::Configuration> = kept
        .iter()
        .filter_map(|m| m.context.as_ref().map(std::sync::Arc::as_ptr))
        .collect();
    let conditions = index.stats().conditions;
    assert!(conditions > 0 && conditions <= shared.len(), "{conditions}");
    assert!(
        conditional > conditions,
        "{conditional} criteria, {conditions} conditions"
    );
    let mut flat = Corpus::new();
    flat.advisories = corpus.advisories.clone();
    flat.cpe_matches = corpus.cpe_matches.clone();
    for m in &mut flat.cpe_matches {
        m.context = None;
    }
    let flat_index = Index::build(&flat);
    let pairs = |index: &Index, sbom: &Sbom| -> BTreeSet<Pair> {
        match_sbom(index, sbom)
            .findings
            .iter()
            .map(|f| {
                (
                    f.id.clone(),
                    f.component.name.clone(),
                    f.component.version.clone().unwrap_or_default(),
                )
            })
            .collect()
    };
    let mut dropped_total = 0;
    for r in cyres_kit::OPENWRT_RELEASES {
        let sbom = openwrt_sbom(r);
        let (semantic, flattened) = (pairs(&index, &sbom), pairs(&flat_index, &sbom));
        assert!(semantic.is_subset(&flattened), "{r}");
        let dropped: Vec<&Pair> = flattened.difference(&semantic).collect();
        dropped_total += dropped.len();
        for (cve, name, _) in &dropped {
            assert!(only_in_and_configurations(corpus, cve), "{r}: {cve} {name}");
            // Add every platform criterion of the CVE's configurations as a component: now
            // the configuration holds and the pair is found.
            let mut with_platform = sbom.clone();
            for crit in corpus
                .configurations
                .iter()
                .filter(|c| &c.cve_id == cve)
                .flat_map(|c| &c.configurations)
                .flat_map(|c| &c.nodes)
                .filter(|n| !n.negate)
                .flat_map(|n| &n.cpe_match)
                .filter(|m| !m.vulnerable)
            {
                let version = crit
                    .version_start_including
                    .clone()
                    .or(crit.version_end_including.clone())
                    .unwrap_or_else(|| Cpe::parse(&crit.criteria).unwrap().version.clone());
                let cpe = Cpe::parse(&crit.criteria).unwrap();
                with_platform.components.push(Component {
                    name: format!("{}-platform", cpe.product),
                    version: Some(version.clone()),
                    cpe_raw: Some(format!(
                        "cpe:2.3:{}:{}:{}:{}:*:*:*:*:*:*:*",
                        cpe.part, cpe.vendor, cpe.product, version
                    )),
                    ..Component::default()
                });
            }
            let again = pairs(&index, &with_platform);
            assert!(
                again.iter().any(|p| &p.0 == cve && &p.1 == name),
                "{r}: {cve} {name} with its platform present"
            );
        }
        eprintln!("{r}: AND configurations without their platform: {dropped:?}");
    }
    assert!(dropped_total > 0, "the kit has such configurations");
}

/// The index built from parts ([`IndexBuilder`], as a streaming loader feeds it) finds exactly
/// what the index of the whole corpus finds: the kit's NVD records split into three parts by
/// CVE (each part with its records' statements, shared configurations and all), on the four
/// OpenWrt SBOMs.
#[test]
fn an_index_built_from_parts_matches_like_the_whole() {
    use cyres_vuln::IndexBuilder;
    let whole = nvd_corpus();
    let mut builder = IndexBuilder::new();
    let parts = 3;
    for part in 0..parts {
        let mut c = Corpus::new();
        let n = whole.advisories.len();
        let range = part * n / parts..(part + 1) * n / parts;
        c.advisories = whole.advisories[range].to_vec();
        let ids: BTreeSet<&str> = c.advisories.iter().map(|a| a.id.as_str()).collect();
        c.cpe_matches = whole
            .cpe_matches
            .iter()
            .filter(|m| ids.contains(m.advisory_id.as_str()))
            .cloned()
            .collect();
        assert!(!c.cpe_matches.is_empty(), "part {part} has statements");
        builder.add(&c);
    }
    let built = builder.finish();
    let index = Index::build(whole);
    assert_eq!(built.stats(), index.stats());
    // Everything a finding holds, in order.
    let key = |f: &cyres_vuln::Finding| format!("{f:?}");
    for r in ["19.07.0", "21.02.0", "22.03.0", "23.05.0"] {
        let sbom = openwrt_sbom(r);
        let a: Vec<_> = match_sbom(&index, &sbom).findings.iter().map(key).collect();
        let b: Vec<_> = match_sbom(&built, &sbom).findings.iter().map(key).collect();
        assert!(!a.is_empty(), "{r}: the whole index finds something");
        assert_eq!(a, b, "{r}");
    }
}
