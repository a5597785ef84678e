//! Running-on platforms: NVD configurations that a vulnerable criterion's own match does not
//! decide ("openssh AND running on Red Hat Enterprise Linux", firmware AND hardware, negated
//! nodes), evaluated against the other CPEs of the same SBOM.
//!
//! NVD semantics (CVE API 2.0 `configurations[]`): a configuration is the `AND`/`OR` of its
//! nodes, a node the `AND`/`OR` of its `cpeMatch` criteria, each negated when `negate` is set;
//! a criterion holds when some CPE of the SBOM (its product's included) has the criterion's
//! vendor and product (under any name of the shipped alias table, as for vulnerable criteria)
//! and a version inside its bounds. Versions are compared exactly as the matcher compares a
//! vulnerable criterion ([`crate::cpe_match`], [`cyres_version::firmware`]).
//!
//! The index stores a [`PlatformCondition`] per vulnerable criterion that needs one; matching
//! inside [`crate::match_sbom`] evaluates it against [`SbomCpes`] of the SBOM at hand. The
//! platform, which matches identical components of many SBOMs once, gets the condition on the
//! finding ([`crate::Finding::requires`]) and evaluates it per SBOM.

use crate::cpe_match::{Bounds, parse_cpe, version_in_range};
use crate::nvd::{Configuration, Criterion};
use cyres_sbom::Sbom;
use cyres_version::cpe::FuzzyVersion;
use cyres_version::cpe_alias::aliases;
use cyres_version::firmware::{cpe_comparable_version, openwrt_package_version};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One `cpeMatch` criterion, parsed, its versions already in the form the matcher compares
/// ([`cpe_comparable_version`]): worked out once when the index is built, not per SBOM CPE
/// checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Check {
    vendor: String,
    product: String,
    /// The criteria's version as written (`*` = any).
    version: String,
    bounds: Comparable,
}

/// A criterion's version and bounds in the form the matcher compares
/// ([`cpe_comparable_version`]), for vulnerable criteria and platforms alike: the one reading
/// of NVD bounds, worked out once per criterion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Comparable {
    /// The criteria's version with its update joined.
    pub exact: String,
    /// `versionStartIncluding`, `…StartExcluding`, `…EndIncluding`, `…EndExcluding`.
    pub ends: [Option<String>; 4],
}

impl Comparable {
    /// From the criterion as written: its `vendor:product`, version and update, and its four
    /// bounds in the order of [`Comparable::ends`].
    pub(crate) fn new(
        vendor: &str,
        product: &str,
        version: &str,
        update: &str,
        ends: [Option<&str>; 4],
    ) -> Self {
        Self {
            exact: cpe_comparable_version(vendor, product, version, update).into_owned(),
            ends: ends
                .map(|b| b.map(|b| cpe_comparable_version(vendor, product, b, "*").into_owned())),
        }
    }

    /// The bounds a comparable version is checked against ([`version_in_range`]).
    pub(crate) fn bounds(&self) -> Bounds<'_> {
        let [si, se, ei, ee] = &self.ends;
        Bounds {
            exact: &self.exact,
            start_including: si.as_deref(),
            start_excluding: se.as_deref(),
            end_including: ei.as_deref(),
            end_excluding: ee.as_deref(),
        }
    }
}

/// One node: its criteria joined by `AND` or `OR`, negated or not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct CheckNode {
    and: bool,
    negate: bool,
    checks: Vec<Check>,
}

/// A configuration a vulnerable criterion sits in, in the form the index stores (every field
/// always written, as postcard needs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformCondition {
    and: bool,
    negate: bool,
    nodes: Vec<CheckNode>,
}

fn check_of(c: &Criterion) -> Check {
    let key = parse_cpe(&c.criteria);
    let (vendor, product, version, update) = key
        .map(|k| (k.vendor, k.product, k.version, k.update))
        // An unreadable criteria never holds: no SBOM CPE has an empty vendor and product.
        .unwrap_or_default();
    let bounds = Comparable::new(
        &vendor,
        &product,
        &version,
        &update,
        [
            c.version_start_including.as_deref(),
            c.version_start_excluding.as_deref(),
            c.version_end_including.as_deref(),
            c.version_end_excluding.as_deref(),
        ],
    );
    Check {
        vendor,
        product,
        version,
        bounds,
    }
}

fn is_and(op: &Option<String>) -> bool {
    op.as_deref().is_some_and(|o| o.eq_ignore_ascii_case("AND"))
}

impl PlatformCondition {
    /// The stored form of an NVD configuration.
    pub fn of(c: &Configuration) -> Self {
        Self {
            and: is_and(&c.operator),
            negate: c.negate,
            nodes: c
                .nodes
                .iter()
                .map(|n| CheckNode {
                    and: is_and(&n.operator),
                    negate: n.negate,
                    checks: n.cpe_match.iter().map(check_of).collect(),
                })
                .collect(),
        }
    }

    /// Whether the configuration holds for an SBOM with these CPEs (NVD semantics, see the
    /// module documentation).
    pub fn holds(&self, cpes: &SbomCpes) -> bool {
        let node = |n: &CheckNode| {
            let mut present = n.checks.iter().map(|c| cpes.has(c));
            let v = if n.and {
                present.all(|p| p)
            } else {
                present.any(|p| p)
            };
            v != n.negate
        };
        let v = if self.and {
            self.nodes.iter().all(node)
        } else {
            self.nodes.iter().any(node)
        };
        v != self.negate
    }

    /// The platform criteria it asks for (`vendor:product` of the criteria in nodes without a
    /// vulnerable part are not known here, so every criterion is listed), for display.
    pub fn names(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .nodes
            .iter()
            .flat_map(|n| &n.checks)
            .map(|c| format!("{}:{}", c.vendor, c.product))
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// The CPEs of one SBOM (components and product), by every name of their product, with the
/// version the matcher compares.
#[derive(Clone, Debug, Default)]
pub struct SbomCpes {
    /// vendor → product → comparable versions.
    by_name: HashMap<String, HashMap<String, Vec<String>>>,
}

impl SbomCpes {
    /// Nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one CPE as written. `openwrt`: the component is an OpenWrt package, whose version
    /// may carry the package release (`1.2.3-r4`), compared without it.
    pub fn add(&mut self, cpe: &str, openwrt: bool) {
        let Some(key) = parse_cpe(cpe) else { return };
        let written = if openwrt {
            openwrt_package_version(&key.version).upstream
        } else {
            key.version.as_str()
        };
        let names = std::iter::once((key.vendor.as_str(), key.product.as_str())).chain(
            aliases(&key.vendor, &key.product)
                .into_iter()
                .filter(|n| *n != (key.vendor.as_str(), key.product.as_str())),
        );
        for (vendor, product) in names {
            let version = cpe_comparable_version(vendor, product, written, &key.update);
            self.by_name
                .entry(vendor.to_string())
                .or_default()
                .entry(product.to_string())
                .or_default()
                .push(version.into_owned());
        }
    }

    /// Adds the CPEs `later` holds (read from another part of the same SBOM).
    pub fn append(&mut self, later: SbomCpes) {
        for (vendor, products) in later.by_name {
            let mine = self.by_name.entry(vendor).or_default();
            for (product, versions) in products {
                mine.entry(product).or_default().extend(versions);
            }
        }
    }

    /// The CPEs of an SBOM's components and its product.
    pub fn of_sbom(sbom: &Sbom) -> Self {
        let mut out = Self::new();
        for c in sbom.components.iter().chain(sbom.product.as_ref()) {
            if let Some(cpe) = c.cpe_raw.as_deref() {
                out.add(cpe, c.purl.as_ref().is_some_and(|p| p.ty == "openwrt"));
            }
        }
        out
    }

    fn has(&self, c: &Check) -> bool {
        let Some(versions) = self
            .by_name
            .get(c.vendor.as_str())
            .and_then(|p| p.get(c.product.as_str()))
        else {
            return false;
        };
        versions.iter().any(|v| criterion_admits(v, c))
    }
}

/// Whether a CPE version of the SBOM (comparable) meets a platform criterion.
fn criterion_admits(version: &str, c: &Check) -> bool {
    if matches!(version, "*" | "-" | "") {
        // An unknown version meets only "any version".
        return c.bounds.ends.iter().all(Option::is_none) && c.version == "*";
    }
    version_in_range(&FuzzyVersion::new(version), &c.bounds.bounds())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> PlatformCondition {
        PlatformCondition::of(&serde_json::from_str::<Configuration>(json).unwrap())
    }

    #[test]
    fn an_and_configuration_needs_its_platform_in_the_sbom() {
        let on_rhel = config(
            r#"{"operator":"AND","nodes":[
              {"operator":"OR","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:openbsd:openssh:4.3:p2:*:*:*:*:*:*"}]},
              {"operator":"OR","cpeMatch":[{"vulnerable":false,"criteria":"cpe:2.3:o:redhat:enterprise_linux:5.0:*:*:*:*:*:*:*"}]}]}"#,
        );
        let mut cpes = SbomCpes::new();
        cpes.add("cpe:2.3:a:openbsd:openssh:4.3p2:*:*:*:*:*:*:*", false);
        assert!(!on_rhel.holds(&cpes), "openssh alone: no platform");
        cpes.add("cpe:2.3:o:redhat:enterprise_linux:5.1:*:*:*:*:*:*:*", false);
        assert!(!on_rhel.holds(&cpes), "another release of the platform");
        cpes.add("cpe:2.3:o:redhat:enterprise_linux:5.0:*:*:*:*:*:*:*", false);
        assert!(on_rhel.holds(&cpes));
        assert_eq!(
            on_rhel.names(),
            ["openbsd:openssh", "redhat:enterprise_linux"]
        );
    }

    #[test]
    fn negation_ranges_and_aliases() {
        let not_on_box = config(
            r#"{"operator":"AND","nodes":[
              {"cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:zlib:zlib:*:*:*:*:*:*:*:*","versionEndExcluding":"1.2.12"}]},
              {"negate":true,"cpeMatch":[{"vulnerable":false,"criteria":"cpe:2.3:h:acme:box:*:*:*:*:*:*:*:*"}]}]}"#,
        );
        let mut cpes = SbomCpes::new();
        // OpenWrt writes zlib as gnu:zlib with a package release: the alias and the upstream
        // version are what count.
        cpes.add("cpe:2.3:a:gnu:zlib:1.2.11-r3:*:*:*:*:*:*:*", true);
        assert!(not_on_box.holds(&cpes));
        cpes.add("cpe:2.3:h:acme:box:2:*:*:*:*:*:*:*", false);
        assert!(!not_on_box.holds(&cpes), "negated platform present");
        let mut newer = SbomCpes::new();
        newer.add("cpe:2.3:a:zlib:zlib:1.2.13:*:*:*:*:*:*:*", false);
        assert!(!not_on_box.holds(&newer), "outside the vulnerable range");
        let mut unknown = SbomCpes::new();
        unknown.add("cpe:2.3:a:zlib:zlib:*:*:*:*:*:*:*:*", false);
        assert!(
            !not_on_box.holds(&unknown),
            "an unknown version is not in a range"
        );
    }
}
