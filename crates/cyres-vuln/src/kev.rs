//! The CISA Known Exploited Vulnerabilities catalogue
//! (<https://www.cisa.gov/known-exploited-vulnerabilities-catalog>, JSON feed). Only what a
//! finding shows is kept: the CVE id, vendor/product, when it was added, the remediation due
//! date and whether it is known to be used in ransomware campaigns. `shortDescription`,
//! `requiredAction` and `notes` are not stored.

use serde::{Deserialize, Serialize};

/// One KEV catalogue entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KevEntry {
    /// `cveID`.
    pub cve_id: String,
    /// `vendorProject`.
    pub vendor_project: String,
    /// `product`.
    pub product: String,
    /// `dateAdded` (YYYY-MM-DD).
    pub date_added: String,
    /// `dueDate` (YYYY-MM-DD).
    pub due_date: String,
    /// `knownRansomwareCampaignUse` is `Known`.
    pub ransomware: bool,
}

#[derive(Deserialize)]
struct RawCatalogue {
    vulnerabilities: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEntry {
    #[serde(rename = "cveID")]
    cve_id: String,
    #[serde(default)]
    vendor_project: String,
    #[serde(default)]
    product: String,
    #[serde(default)]
    date_added: String,
    #[serde(default)]
    due_date: String,
    #[serde(default)]
    known_ransomware_campaign_use: String,
}

/// Whether a parsed JSON document looks like the KEV catalogue.
pub(crate) fn looks_like_kev(v: &serde_json::Value) -> bool {
    v.get("catalogVersion").is_some()
        || v.get("vulnerabilities")
            .and_then(|a| a.as_array())
            .and_then(|a| a.first())
            .is_some_and(|e| e.get("cveID").is_some())
}

/// Parses the KEV catalogue JSON.
pub fn parse_kev(bytes: &[u8]) -> Result<Vec<KevEntry>, String> {
    let raw: RawCatalogue = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    Ok(raw
        .vulnerabilities
        .into_iter()
        .map(|e| KevEntry {
            cve_id: e.cve_id.trim().to_ascii_uppercase(),
            vendor_project: e.vendor_project,
            product: e.product,
            date_added: e.date_added,
            due_date: e.due_date,
            ransomware: e
                .known_ransomware_campaign_use
                .eq_ignore_ascii_case("known"),
        })
        .collect())
}
