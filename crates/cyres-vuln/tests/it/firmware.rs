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
use cyres_vuln::{Corpus, Index, match_sbom};
use std::collections::{BTreeSet, HashMap};
use std::ops::Bound;

/// (CVE, component name, component version).
pub type Pair = (String, String, String);

/// One OpenWrt SBOM, read.
pub fn openwrt_sbom(release: &str) -> Sbom {
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

fn engine_pairs(index: &Index, sbom: &Sbom) -> BTreeSet<Pair> {
    match_sbom(index, sbom)
        .findings
        .into_iter()
        .map(|f| {
            (
                f.id,
                f.component.name,
                f.component.version.unwrap_or_default(),
            )
        })
        .collect()
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
pub fn literal(corpus: &Corpus, sbom: &Sbom) -> BTreeSet<Pair> {
    let mut parts: Parts<'_> = HashMap::new();
    for c in sbom.components.iter().chain(sbom.product.as_ref()) {
        if let Some(cpe) = c.cpe_raw.as_deref().and_then(|s| Cpe::parse(s).ok()) {
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

fn year(cve: &str) -> u32 {
    cve.get(4..8).and_then(|y| y.parse().ok()).unwrap_or(0)
}

#[test]
fn openwrt_firmware_engine_against_the_literal_nvd_reading() {
    let corpus = nvd_corpus();
    assert_eq!(corpus.report.nvd_records, 5264 + 26);
    let index = Index::build(corpus);
    let (mut engine_total, mut literal_total) = (0, 0);
    let mut per_release = Vec::new();
    for r in cyres_kit::OPENWRT_RELEASES {
        let sbom = openwrt_sbom(r);
        let engine = engine_pairs(&index, &sbom);
        let lit = literal(corpus, &sbom);
        let missing: Vec<&Pair> = lit.difference(&engine).collect();
        let extra: Vec<&Pair> = engine.difference(&lit).collect();
        eprintln!(
            "{r}: engine {} literal {} missing {} extra {}",
            engine.len(),
            lit.len(),
            missing.len(),
            extra.len()
        );
        for p in missing.iter().chain(&extra).take(40) {
            eprintln!("  {p:?}");
        }
        assert!(missing.is_empty(), "{r}: the engine misses {missing:?}");
        // The only difference: ISC's bind criteria with `sw_edition` `-` (NA), which a literal
        // NISTIR 7696 reading never matches against an SBOM CPE whose `sw_edition` is ANY, yet
        // bind 9.18.11 is inside CVE-2023-2828's 9.18.0–9.18.15 range: true findings.
        assert!(
            extra.iter().all(|p| p.1.starts_with("bind-")),
            "{r}: unexpected extra pairs {extra:?}"
        );
        engine_total += engine.len();
        literal_total += lit.len();
        per_release.push((engine, lit));
    }
    eprintln!("total: engine {engine_total} literal {literal_total}");
    assert!(engine_total > 0 && literal_total > 0);
    // Older firmware carries more known flaws in the fully covered years.
    let covered = |s: &BTreeSet<Pair>| s.iter().filter(|p| year(&p.0) <= 2018).count();
    assert!(covered(&per_release[0].0) >= covered(&per_release[3].0));
}
