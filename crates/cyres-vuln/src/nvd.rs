//! NVD CVE API 2.0 JSON (<https://nvd.nist.gov/developers/vulnerabilities>): CVE records with
//! CPE applicability statements, for firmware components that carry a CPE but no purl (busybox,
//! openssl, dropbear, the Linux kernel).
//!
//! What is read: `vulnerabilities[].cve.{id, published, lastModified, vulnStatus, descriptions,
//! metrics, references, configurations[].nodes[].cpeMatch[]}`. Every `cpeMatch` with
//! `vulnerable: true` becomes a [`CpeMatch`], whatever node it sits in: an `AND` configuration
//! ("openssl on some OS") is flattened to its vulnerable parts, which over-reports rather than
//! missing a finding. A CVE whose `vulnStatus` is `Rejected` is treated as withdrawn.

use crate::advisory::{Advisory, SeverityEntry};
use serde::{Deserialize, Serialize};

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

#[derive(Deserialize)]
struct Configuration {
    #[serde(default)]
    nodes: Vec<Node>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Node {
    #[serde(default)]
    cpe_match: Vec<RawCpeMatch>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCpeMatch {
    #[serde(default)]
    vulnerable: bool,
    criteria: String,
    version_start_including: Option<String>,
    version_start_excluding: Option<String>,
    version_end_including: Option<String>,
    version_end_excluding: Option<String>,
}

/// Whether a parsed JSON document looks like an NVD CVE API 2.0 response.
pub(crate) fn looks_like_nvd(v: &serde_json::Value) -> bool {
    v.get("format").and_then(|f| f.as_str()) == Some("NVD_CVE")
        || v.get("vulnerabilities")
            .and_then(|a| a.as_array())
            .and_then(|a| a.first())
            .is_some_and(|e| e.get("cve").is_some())
}

/// Parses an NVD CVE API 2.0 document into advisories (no `affected[]`; id, summary from the
/// English description, CVSS vectors, dates, references) and their vulnerable CPE matches.
pub fn parse_nvd(bytes: &[u8]) -> Result<(Vec<Advisory>, Vec<CpeMatch>), String> {
    let feed: Feed = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let mut advisories = Vec::with_capacity(feed.vulnerabilities.len());
    let mut matches = Vec::new();
    for Item { cve } in feed.vulnerabilities {
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
        for node in cve.configurations.iter().flat_map(|c| &c.nodes) {
            for m in node.cpe_match.iter().filter(|m| m.vulnerable) {
                matches.push(CpeMatch {
                    advisory_id: cve.id.clone(),
                    criteria: m.criteria.clone(),
                    start_including: m.version_start_including.clone(),
                    start_excluding: m.version_start_excluding.clone(),
                    end_including: m.version_end_including.clone(),
                    end_excluding: m.version_end_excluding.clone(),
                });
            }
        }
        advisories.push(Advisory {
            id: cve.id,
            summary,
            severity,
            published: cve.published,
            modified: cve.last_modified.clone(),
            withdrawn: if rejected { cve.last_modified } else { None },
            references: cve.references.into_iter().map(|r| r.url).collect(),
            ..Advisory::default()
        });
    }
    Ok((advisories, matches))
}
