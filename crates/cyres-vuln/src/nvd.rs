//! NVD CVE API 2.0 JSON (<https://nvd.nist.gov/developers/vulnerabilities>): CVE records with
//! CPE applicability statements, for firmware components that carry a CPE but no purl (busybox,
//! openssl, dropbear, the Linux kernel), and Anchore's NVD overrides
//! (<https://github.com/anchore/nvd-data-overrides>, CC0), the same `configurations` shape
//! written by a third party for CVEs NVD has not analysed or got wrong.
//!
//! What is read: `vulnerabilities[].cve.{id, published, lastModified, vulnStatus, descriptions,
//! metrics, references, configurations}`. The configurations are kept whole
//! ([`CveConfigurations`]: `AND`/`OR` nodes, `negate`, `vulnerable: false` running-on platforms,
//! every bound), so the platform stores what NVD said; matching reads them through
//! [`CveConfigurations::vulnerable_matches`]: every `cpeMatch` with `vulnerable: true` outside
//! a negated node becomes a [`CpeMatch`]. NVD's semantics decide when it applies
//! ([`Configuration::holds`]): a configuration is the `AND`/`OR` of its nodes, a node the
//! `AND`/`OR` of its criteria, each negated when `negate` says so, and a vulnerable criterion
//! yields a finding only in a configuration that holds for the whole SBOM. When the match of
//! the criterion alone decides that (one `OR` node, or nodes joined by `OR`, nothing negated),
//! the [`CpeMatch`] carries no context; otherwise ("openssh AND running on Red Hat Enterprise
//! Linux", firmware AND hardware) it carries its configuration in [`CpeMatch::context`], and
//! the matcher asks the other CPEs of the same SBOM (its product's included). A CVE whose
//! `vulnStatus` is `Rejected` is treated as withdrawn.
//!
//! **Layering** ([`ConfigSource`]): when an override carries configurations for a CVE, they
//! replace NVD's for that CVE (Anchore's rule: an override is a corrected, complete set), and
//! each match keeps the source it came from, so a finding says whether NVD or an override made
//! it.

use crate::advisory::{Advisory, SeverityEntry};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Who wrote a CPE configuration.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ConfigSource {
    /// NVD's own analysis.
    #[default]
    Nvd,
    /// An override layered over NVD (Anchore's `nvd-data-overrides`).
    Override,
}

impl ConfigSource {
    /// The stored and shown word: `nvd` or `override`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Nvd => "nvd",
            Self::Override => "override",
        }
    }

    /// The inverse of [`ConfigSource::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "nvd" => Some(Self::Nvd),
            "override" => Some(Self::Override),
            _ => None,
        }
    }
}

/// One vulnerable CPE applicability statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpeMatch {
    /// The CVE id it belongs to.
    pub advisory_id: String,
    /// The `criteria` CPE 2.3 string.
    pub criteria: String,
    /// `versionStartIncluding`.
    pub start_including: Option<String>,
    /// `versionStartExcluding`.
    pub start_excluding: Option<String>,
    /// `versionEndIncluding`.
    pub end_including: Option<String>,
    /// `versionEndExcluding`.
    pub end_excluding: Option<String>,
    /// Who wrote the configuration it comes from.
    #[serde(default)]
    pub source: ConfigSource,
    /// The whole configuration, when the match of this criterion alone does not decide it
    /// ([`Configuration::needs_context`]): the other nodes must hold in the same SBOM. Shared by
    /// every vulnerable criterion of that configuration (a firmware configuration lists
    /// hundreds: one copy each made a full-size NVD quadratic in memory).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "shared")]
    pub context: Option<Arc<Configuration>>,
}

/// Serde for [`CpeMatch::context`]: written and read as the configuration itself.
mod shared {
    use super::Configuration;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::sync::Arc;

    pub(super) fn serialize<S: Serializer>(
        c: &Option<Arc<Configuration>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        c.as_deref().serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Arc<Configuration>>, D::Error> {
        Ok(Option::<Configuration>::deserialize(d)?.map(Arc::new))
    }
}

/// One CVE's `configurations` from one source, in NVD CVE API 2.0 shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CveConfigurations {
    /// The CVE id.
    pub cve_id: String,
    /// NVD or an override.
    pub source: ConfigSource,
    /// The configurations as written.
    pub configurations: Vec<Configuration>,
}

/// NVD `configurations[]`: nodes joined by `operator` (`OR` when absent), optionally negated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Configuration {
    /// `AND` (e.g. application AND the platform it runs on) or `OR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// Negates the configuration's value.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub negate: bool,
    /// The nodes.
    #[serde(default)]
    pub nodes: Vec<Node>,
}

/// NVD `nodes[]`: criteria joined by `operator`, optionally negated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    /// `OR` or `AND`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// Negates the node's value.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub negate: bool,
    /// The criteria.
    #[serde(default)]
    pub cpe_match: Vec<Criterion>,
}

/// NVD `cpeMatch[]`: one CPE 2.3 criteria with its version bounds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Criterion {
    /// `true` for the vulnerable product, `false` for a platform it must run on.
    #[serde(default)]
    pub vulnerable: bool,
    /// The CPE 2.3 formatted string.
    pub criteria: String,
    /// NVD's id of the criteria (absent in data converted from the 1.1 feeds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_criteria_id: Option<String>,
    /// `versionStartIncluding`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_start_including: Option<String>,
    /// `versionStartExcluding`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_start_excluding: Option<String>,
    /// `versionEndIncluding`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_end_including: Option<String>,
    /// `versionEndExcluding`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_end_excluding: Option<String>,
}

fn is_and(operator: &Option<String>) -> bool {
    operator
        .as_deref()
        .is_some_and(|o| o.eq_ignore_ascii_case("AND"))
}

impl Node {
    /// NVD node semantics: `AND` needs every criterion, `OR` (the default) any one; `negate`
    /// inverts the result.
    pub fn holds(&self, present: &mut dyn FnMut(&Criterion) -> bool) -> bool {
        let value = if is_and(&self.operator) {
            self.cpe_match.iter().all(&mut *present)
        } else {
            self.cpe_match.iter().any(&mut *present)
        };
        value != self.negate
    }
}

impl Configuration {
    /// NVD configuration semantics over the criteria `present` says hold: `AND` needs every
    /// node, `OR` (the default) any one; `negate` inverts the result.
    pub fn holds(&self, present: &mut dyn FnMut(&Criterion) -> bool) -> bool {
        let value = if is_and(&self.operator) {
            self.nodes.iter().all(|n| n.holds(present))
        } else {
            self.nodes.iter().any(|n| n.holds(present))
        };
        value != self.negate
    }

    /// Whether a vulnerable criterion's own match can fail to decide the configuration: nodes
    /// joined by `AND`, an `AND` node of several criteria, or negation anywhere.
    pub fn needs_context(&self) -> bool {
        self.negate
            || (is_and(&self.operator) && self.nodes.len() > 1)
            || self
                .nodes
                .iter()
                .any(|n| n.negate || (is_and(&n.operator) && n.cpe_match.len() > 1))
    }
}

impl CveConfigurations {
    /// Every `vulnerable: true` criteria outside a negated node, with its configuration when
    /// that needs the rest of the SBOM (see the module documentation).
    pub fn vulnerable_matches(&self) -> Vec<CpeMatch> {
        let mut out = Vec::new();
        for config in &self.configurations {
            let context = config.needs_context().then(|| Arc::new(config.clone()));
            for node in config.nodes.iter().filter(|n| !n.negate) {
                for m in node.cpe_match.iter().filter(|m| m.vulnerable) {
                    out.push(CpeMatch {
                        advisory_id: self.cve_id.clone(),
                        criteria: m.criteria.clone(),
                        start_including: m.version_start_including.clone(),
                        start_excluding: m.version_start_excluding.clone(),
                        end_including: m.version_end_including.clone(),
                        end_excluding: m.version_end_excluding.clone(),
                        source: self.source,
                        context: context.clone(),
                    });
                }
            }
        }
        out
    }

    /// The match keys (`cpe/<vendor>:<product>`, [`crate::keys::cpe_key`]) of the vulnerable
    /// criteria: where the platform files these configurations.
    pub fn keys(&self) -> BTreeSet<String> {
        self.vulnerable_matches()
            .iter()
            .filter_map(|m| crate::cpe_match::parse_cpe(&m.criteria))
            .map(|k| crate::keys::cpe_key(&k.vendor, &k.product))
            .collect()
    }
}

/// Applies the layering rule to a set of matches: for every CVE that has override matches,
/// NVD's matches of that CVE are dropped. Order is kept otherwise.
pub fn layered(matches: &[CpeMatch]) -> Vec<&CpeMatch> {
    let overridden: BTreeSet<&str> = matches
        .iter()
        .filter(|m| m.source == ConfigSource::Override)
        .map(|m| m.advisory_id.as_str())
        .collect();
    matches
        .iter()
        .filter(|m| {
            m.source == ConfigSource::Override || !overridden.contains(m.advisory_id.as_str())
        })
        .collect()
}

#[derive(Deserialize)]
struct Feed {
    #[serde(default)]
    vulnerabilities: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    cve: Cve,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cve {
    id: String,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    last_modified: Option<String>,
    #[serde(default)]
    vuln_status: Option<String>,
    #[serde(default)]
    descriptions: Vec<Description>,
    #[serde(default)]
    metrics: Metrics,
    #[serde(default)]
    references: Vec<Reference>,
    #[serde(default)]
    configurations: Vec<Configuration>,
}

#[derive(Deserialize)]
struct Description {
    lang: String,
    value: String,
}

#[derive(Deserialize)]
struct Reference {
    url: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Metrics {
    #[serde(default)]
    cvss_metric_v40: Vec<Metric>,
    #[serde(default)]
    cvss_metric_v31: Vec<Metric>,
    #[serde(default)]
    cvss_metric_v30: Vec<Metric>,
    #[serde(default)]
    cvss_metric_v2: Vec<Metric>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metric {
    cvss_data: CvssData,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CvssData {
    vector_string: String,
}

/// Whether a parsed JSON document looks like an NVD CVE API 2.0 response.
pub(crate) fn looks_like_nvd(v: &serde_json::Value) -> bool {
    v.get("format").and_then(|f| f.as_str()) == Some("NVD_CVE")
        || v.get("vulnerabilities")
            .and_then(|a| a.as_array())
            .and_then(|a| a.first())
            .is_some_and(|e| e.get("cve").is_some())
}

/// One CVE record of an NVD document: the advisory and its configurations.
#[derive(Clone, Debug, PartialEq)]
pub struct NvdRecord {
    /// Id, summary, severity, dates, references (no `affected[]`).
    pub advisory: Advisory,
    /// The configurations, source [`ConfigSource::Nvd`].
    pub configurations: CveConfigurations,
}

/// Parses an NVD CVE API 2.0 document into advisories (no `affected[]`; id, summary from the
/// English description, CVSS vectors, dates, references) and their vulnerable CPE matches.
pub fn parse_nvd(bytes: &[u8]) -> Result<(Vec<Advisory>, Vec<CpeMatch>), String> {
    let records = parse_nvd_records(bytes)?;
    let matches = records
        .iter()
        .flat_map(|r| r.configurations.vulnerable_matches())
        .collect();
    Ok((records.into_iter().map(|r| r.advisory).collect(), matches))
}

/// Parses an NVD CVE API 2.0 document into whole records.
pub fn parse_nvd_records(bytes: &[u8]) -> Result<Vec<NvdRecord>, String> {
    let feed: Feed = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    Ok(feed
        .vulnerabilities
        .into_iter()
        .map(|Item { cve }| record_of(cve))
        .collect())
}

/// Parses one element of an API 2.0 response's `vulnerabilities[]` (`{"cve": {…}}`), so that
/// a paging client can keep the readable records of a page that holds a malformed one.
pub fn parse_nvd_item(item: serde_json::Value) -> Result<NvdRecord, String> {
    let Item { cve } = serde_json::from_value(item).map_err(|e| e.to_string())?;
    Ok(record_of(cve))
}

fn record_of(cve: Cve) -> NvdRecord {
    let summary = cve
        .descriptions
        .iter()
        .find(|d| d.lang == "en")
        .or(cve.descriptions.first())
        .map(|d| d.value.clone());
    let mut severity = Vec::new();
    let groups = [
        ("CVSS_V4", &cve.metrics.cvss_metric_v40),
        ("CVSS_V3", &cve.metrics.cvss_metric_v31),
        ("CVSS_V3", &cve.metrics.cvss_metric_v30),
        ("CVSS_V2", &cve.metrics.cvss_metric_v2),
    ];
    for (kind, list) in groups {
        if let Some(m) = list.first() {
            severity.push(SeverityEntry {
                kind: kind.to_string(),
                score: m.cvss_data.vector_string.clone(),
            });
        }
    }
    let rejected = cve.vuln_status.as_deref() == Some("Rejected");
    NvdRecord {
        configurations: CveConfigurations {
            cve_id: cve.id.clone(),
            source: ConfigSource::Nvd,
            configurations: cve.configurations,
        },
        advisory: Advisory {
            id: cve.id,
            summary,
            severity,
            published: cve.published,
            modified: cve.last_modified.clone(),
            withdrawn: if rejected { cve.last_modified } else { None },
            references: cve.references.into_iter().map(|r| r.url).collect(),
            ..Advisory::default()
        },
    }
}

#[derive(Deserialize)]
struct OverrideDoc {
    #[serde(rename = "_annotation")]
    annotation: OverrideAnnotation,
    cve: OverrideCve,
}

#[derive(Deserialize)]
struct OverrideAnnotation {
    cve_id: String,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
struct OverrideCve {
    #[serde(default)]
    configurations: Vec<Configuration>,
}

/// Whether a parsed JSON document looks like one of Anchore's NVD override files
/// (`{"_annotation": {"cve_id": …}, "cve": {"configurations": […]}}`).
pub(crate) fn looks_like_override(v: &serde_json::Value) -> bool {
    v.pointer("/_annotation/cve_id")
        .is_some_and(|c| c.is_string())
        && v.pointer("/cve/configurations").is_some()
}

/// Parses one Anchore NVD override file: the CVE id, its description (for a CVE NVD has no
/// record of) and the configurations, source [`ConfigSource::Override`].
pub fn parse_override(bytes: &[u8]) -> Result<(Option<String>, CveConfigurations), String> {
    let doc: OverrideDoc = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let cve_id = doc.annotation.cve_id.trim().to_string();
    if cve_id.is_empty() {
        return Err("override without `_annotation.cve_id`".into());
    }
    Ok((
        doc.annotation.description,
        CveConfigurations {
            cve_id,
            source: ConfigSource::Override,
            configurations: doc.cve.configurations,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{"format":"NVD_CVE","version":"2.0","vulnerabilities":[{"cve":{
      "id":"CVE-2020-8597","lastModified":"2024-01-01T00:00:00.000",
      "descriptions":[{"lang":"en","value":"pppd overflow"}],
      "configurations":[
        {"nodes":[{"operator":"OR","negate":false,"cpeMatch":[
          {"vulnerable":true,"criteria":"cpe:2.3:a:point-to-point_protocol_project:point-to-point_protocol:*:*:*:*:*:*:*:*",
           "versionStartIncluding":"2.4.2","versionEndIncluding":"2.4.8"}]}]},
        {"operator":"AND","nodes":[
          {"operator":"OR","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:o:vendor:fw:1.0:*:*:*:*:*:*:*"}]},
          {"operator":"OR","negate":true,"cpeMatch":[{"vulnerable":false,"criteria":"cpe:2.3:h:vendor:box:-:*:*:*:*:*:*:*"}]}]}]}}]}"#;

    #[test]
    fn configurations_are_kept_whole_and_flattened_for_matching() {
        let recs = parse_nvd_records(DOC.as_bytes()).unwrap();
        let c = &recs[0].configurations;
        assert_eq!(c.configurations.len(), 2);
        assert_eq!(c.configurations[1].operator.as_deref(), Some("AND"));
        assert!(c.configurations[1].nodes[1].negate);
        assert!(!c.configurations[1].nodes[1].cpe_match[0].vulnerable);
        let m = c.vulnerable_matches();
        assert_eq!(
            m.len(),
            2,
            "the running-on hardware is not a vulnerable match"
        );
        assert_eq!(m[0].end_including.as_deref(), Some("2.4.8"));
        assert!(m.iter().all(|m| m.source == ConfigSource::Nvd));
        assert_eq!(
            c.keys().into_iter().collect::<Vec<_>>(),
            [
                "cpe/point-to-point_protocol_project:point-to-point_protocol",
                "cpe/vendor:fw"
            ]
        );
        // Stored as JSON and read back: the same configurations.
        let json = serde_json::to_string(c).unwrap();
        assert_eq!(
            &serde_json::from_str::<CveConfigurations>(&json).unwrap(),
            c
        );
        let (advs, flat) = parse_nvd(DOC.as_bytes()).unwrap();
        assert_eq!((advs.len(), flat), (1, m));
    }

    #[test]
    fn overrides_replace_nvd_configurations_of_their_cve() {
        let o = br#"{"_annotation":{"cve_id":"CVE-2020-8597","description":"d"},
            "cve":{"configurations":[{"nodes":[{"operator":"OR","cpeMatch":[
            {"vulnerable":true,"criteria":"cpe:2.3:a:samba:ppp:*:*:*:*:*:*:*:*","versionEndExcluding":"2.4.9"}]}]}]}}"#;
        let v: serde_json::Value = serde_json::from_slice(o).unwrap();
        assert!(looks_like_override(&v) && !looks_like_nvd(&v));
        let (desc, ov) = parse_override(o).unwrap();
        assert_eq!(desc.as_deref(), Some("d"));
        let (_, mut all) = parse_nvd(DOC.as_bytes()).unwrap();
        let other = CpeMatch {
            advisory_id: "CVE-1999-0001".into(),
            ..all[0].clone()
        };
        all.push(other);
        all.extend(ov.vulnerable_matches());
        let kept = layered(&all);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0].advisory_id, "CVE-1999-0001");
        assert_eq!(kept[1].source, ConfigSource::Override);
        assert_eq!(kept[1].criteria, "cpe:2.3:a:samba:ppp:*:*:*:*:*:*:*:*");
        assert!(parse_override(br#"{"_annotation":{"cve_id":" "},"cve":{}}"#).is_err());
    }
}
