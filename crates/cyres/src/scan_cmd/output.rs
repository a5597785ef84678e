//! The stable output model of `cyres scan --format json` (schema `cyres-scan/1`, documented in
//! `docs/scan-json.md`). It is kept apart from the library's internal types on purpose: the
//! library may change shape, this document may not without a new schema version.

use serde::Serialize;

/// The whole JSON document.
#[derive(Debug, Serialize)]
pub struct ScanOutput {
    /// Always `cyres-scan/1`.
    pub schema: &'static str,
    /// The tool that made it.
    pub tool: Tool,
    /// What advisory data was used.
    pub advisories: AdvisorySummary,
    /// One entry per SBOM scanned, in argument order.
    pub sboms: Vec<SbomSummary>,
    /// Every finding, sorted: exploited first, then by score (highest first), advisory id,
    /// product, component.
    pub findings: Vec<Finding>,
    /// Counts.
    pub summary: Summary,
}

/// Tool name and version.
#[derive(Debug, Serialize)]
pub struct Tool {
    /// `cyres`.
    pub name: &'static str,
    /// The crate version.
    pub version: &'static str,
}

/// Advisory data used for the scan.
#[derive(Debug, Serialize)]
pub struct AdvisorySummary {
    /// Advisory records in the index (withdrawn ones included).
    pub records: usize,
    /// CISA KEV entries known.
    pub kev_entries: usize,
}

/// One scanned SBOM.
#[derive(Debug, Serialize)]
pub struct SbomSummary {
    /// The path as given.
    pub source: String,
    /// `cyclonedx-json`, `cyclonedx-xml`, `spdx-json`, `spdx-tag-value`.
    pub format: &'static str,
    /// Declared spec version.
    pub spec_version: String,
    /// The product the SBOM describes.
    pub product: Option<Product>,
    /// Number of components.
    pub components: usize,
    /// Findings for this SBOM.
    pub findings: usize,
    /// Quality diagnostics.
    pub diagnostics: Vec<Diagnostic>,
}

/// A quality diagnostic.
#[derive(Debug, Serialize)]
pub struct Diagnostic {
    /// `warning` or `info`.
    pub severity: &'static str,
    /// Stable code.
    pub code: &'static str,
    /// Message.
    pub message: String,
}

/// Product name and version.
#[derive(Debug, Clone, Serialize)]
pub struct Product {
    /// Name.
    pub name: String,
    /// Version.
    pub version: Option<String>,
}

/// The affected component.
#[derive(Debug, Clone, Serialize)]
pub struct Component {
    /// Name.
    pub name: String,
    /// Version.
    pub version: Option<String>,
    /// Package URL (canonical form).
    pub purl: Option<String>,
    /// CPE 2.3.
    pub cpe: Option<String>,
}

/// One finding.
#[derive(Debug, Serialize)]
pub struct Finding {
    /// The SBOM it was found in.
    pub sbom: String,
    /// The product of that SBOM.
    pub product: Option<Product>,
    /// The affected component.
    pub component: Component,
    /// The advisory id that matched.
    pub id: String,
    /// Every id of the same flaw (CVE, GHSA, RUSTSEC, PYSEC, GO-…), sorted, `id` included.
    pub aliases: Vec<String>,
    /// Short description.
    pub summary: Option<String>,
    /// `critical`, `high`, `medium`, `low`, `none`, or null when unknown.
    pub severity: Option<String>,
    /// CVSS base score.
    pub score: Option<f64>,
    /// The CVSS vector the score comes from.
    pub cvss_vector: Option<String>,
    /// Affected ranges as text, e.g. `>=1.0.0, <1.5.5`.
    pub affected_ranges: Vec<String>,
    /// Versions that fix it.
    pub fixed_versions: Vec<String>,
    /// True when any id is in CISA KEV (actively exploited).
    pub exploited: bool,
    /// The KEV entry, when exploited.
    pub kev: Option<Kev>,
    /// `purl`, `cpe`, `cpe_alias` (matched under another CPE name of the product) or
    /// `unresolved`.
    pub match_kind: &'static str,
    /// RustSec informational kind (`unmaintained`, `unsound`, `notice`), when it is one.
    pub informational: Option<String>,
    /// Present (true) only when the component is a development-only dependency (lockfile dev
    /// group, CycloneDX scope `excluded`): not shipped; `--no-dev` leaves these out.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dev_only: bool,
}

/// The CISA KEV facts of an exploited finding.
#[derive(Debug, Clone, Serialize)]
pub struct Kev {
    /// The CVE id listed.
    pub cve: String,
    /// Date added to KEV (YYYY-MM-DD).
    pub date_added: String,
    /// Remediation due date for US federal agencies (YYYY-MM-DD).
    pub due_date: Option<String>,
    /// `Known` or `Unknown`.
    pub known_ransomware_campaign_use: Option<String>,
}

/// Counts.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    /// SBOMs scanned.
    pub sboms: usize,
    /// Components scanned.
    pub components: usize,
    /// All findings.
    pub findings: usize,
    /// Actively exploited findings.
    pub exploited: usize,
    /// Findings by severity.
    pub critical: usize,
    /// High.
    pub high: usize,
    /// Medium.
    pub medium: usize,
    /// Low.
    pub low: usize,
    /// Unknown severity.
    pub unknown: usize,
    /// Informational (unmaintained, unsound, notice).
    pub informational: usize,
    /// Unresolved (GIT-only ranges).
    pub unresolved: usize,
    /// Findings in development-only dependencies (included in the counts above); present only
    /// when there are some.
    #[serde(skip_serializing_if = "is_zero")]
    pub dev_only: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}
