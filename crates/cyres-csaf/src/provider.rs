//! The trusted provider's published files (CSAF 2.0 section 7.1), as pure functions: the file
//! name (section 5.1, requirement 2), the year folders (requirement 11), `index.txt`
//! (requirement 12), `changes.csv` (requirement 13), directory listings (requirement 14), the
//! ROLIE feed, service and category documents (requirements 15 to 17), the hash files (requirement 18) and
//! `provider-metadata.json` (requirement 7). Serving them over HTTPS, the OpenPGP signatures
//! (requirement 19) and the access rules per TLP (requirements 4 and 5) belong to the server.
//!
//! Layout under the provider's base URL (`https://host/.well-known/csaf`, requirement 9): one
//! distribution folder per TLP label (`white/`, `green/`, `amber/`, `red/`), each with its year
//! folders, `index.txt`, `changes.csv`, its ROLIE feed and category document; the ROLIE service
//! document and `provider-metadata.json` at the base.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha512};
use time::OffsetDateTime;

use crate::error::CsafError;
use crate::generate::date;
use crate::model::{BranchCategory, Document, Publisher, TlpLabel};

/// The file name of a document (section 5.1): the tracking id in lower case, every run of
/// characters outside `[+\-a-z0-9]` replaced by one `_`, then `.json`.
pub fn file_name(tracking_id: &str) -> String {
    let mut out = String::with_capacity(tracking_id.len() + 5);
    let mut in_run = false;
    for c in tracking_id.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '+' || c == '-' {
            out.push(c);
            in_run = false;
        } else if !in_run {
            out.push('_');
            in_run = true;
        }
    }
    out.push_str(".json");
    out
}

/// Where a document is published under the provider's base URL:
/// `<base>/<tlp>/<YYYY>/<file name>` (requirements 9, 11).
pub fn document_url(base_url: &str, e: &Published) -> String {
    format!("{base_url}/{}/{}", tlp_folder(e.tlp), e.path)
}

/// The TLP distribution folder's name: `white`, `green`, `amber`, `red`.
pub fn tlp_folder(label: TlpLabel) -> &'static str {
    match label {
        TlpLabel::White => "white",
        TlpLabel::Green => "green",
        TlpLabel::Amber => "amber",
        TlpLabel::Red => "red",
    }
}

/// A published document as the provider's index files and feeds see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    /// `<YYYY>/<file name>`, relative to the TLP folder (requirements 11, 12).
    pub path: String,
    /// The document's TLP label, which decides its folder and feed.
    pub tlp: TlpLabel,
    /// The tracking id (the ROLIE entry id).
    pub tracking_id: String,
    /// The title.
    pub title: String,
    /// The profile (`csaf_vex`, …).
    pub category: String,
    /// The document language, if given.
    pub lang: Option<String>,
    /// `initial_release_date` (the ROLIE entry's `published`).
    pub initial_release_date: String,
    /// `current_release_date` (`changes.csv`, the ROLIE entry's `updated`).
    pub current_release_date: String,
    /// The first summary note, for the ROLIE entry.
    pub summary: Option<String>,
    /// The `product_name` branch values, for the ROLIE category document.
    pub products: Vec<String>,
}

impl Published {
    /// Describes `doc` for publishing. A document without a TLP label cannot be placed in a
    /// TLP folder (requirements 4, 5) and is refused.
    pub fn of(doc: &Document) -> Result<Published, CsafError> {
        let d = &doc.document;
        let tlp = d
            .distribution
            .as_ref()
            .and_then(|x| x.tlp.as_ref())
            .map(|t| t.label)
            .ok_or_else(|| {
                CsafError::Input(format!(
                    "{}: a published document needs a TLP label",
                    d.tracking.id
                ))
            })?;
        let year = d
            .tracking
            .initial_release_date
            .get(..4)
            .filter(|y| y.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| {
                CsafError::Input(format!(
                    "{}: initial_release_date has no year",
                    d.tracking.id
                ))
            })?;
        let mut products = Vec::new();
        fn walk(branches: &[crate::model::Branch], out: &mut Vec<String>) {
            for b in branches {
                if b.category == BranchCategory::ProductName && !out.contains(&b.name) {
                    out.push(b.name.clone());
                }
                walk(b.branches.as_deref().unwrap_or(&[]), out);
            }
        }
        walk(
            doc.product_tree
                .as_ref()
                .and_then(|t| t.branches.as_deref())
                .unwrap_or(&[]),
            &mut products,
        );
        let summary = d
            .notes
            .iter()
            .flatten()
            .find(|n| n.category == crate::model::NoteCategory::Summary)
            .map(|n| n.text.clone());
        Ok(Published {
            // Requirement 11: the folder is the year of the initial release date.
            path: format!("{year}/{}", file_name(&d.tracking.id)),
            tlp,
            tracking_id: d.tracking.id.clone(),
            title: d.title.clone(),
            category: d.category.clone(),
            lang: d.lang.clone(),
            initial_release_date: d.tracking.initial_release_date.clone(),
            current_release_date: d.tracking.current_release_date.clone(),
            summary,
            products,
        })
    }
}

/// `index.txt` (requirement 12): every document's `<YYYY>/<file name>`, one per line, of one
/// TLP folder.
pub fn index_txt(entries: &[Published]) -> String {
    let mut paths: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
    paths.sort_unstable_by(|a, b| b.cmp(a));
    paths.into_iter().map(|p| format!("{p}\n")).collect()
}

/// `changes.csv` (requirement 13): `"<path>","<current_release_date>"` per document, no
/// heading, the latest change first.
pub fn changes_csv(entries: &[Published]) -> String {
    let mut rows: Vec<&Published> = entries.iter().collect();
    rows.sort_by(|a, b| {
        crate::validate::date_cmp(&b.current_release_date, &a.current_release_date)
            .then_with(|| a.path.cmp(&b.path))
    });
    rows.into_iter()
        .map(|e| {
            format!(
                "\"{}\",\"{}\"\n",
                e.path.replace('"', "\"\""),
                e.current_release_date
            )
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `.sha256` file of a document (requirement 18): the hex digest, two spaces, the file
/// name, as `sha256sum` writes it.
pub fn sha256_file(document_bytes: &[u8], file_name: &str) -> String {
    format!("{}  {file_name}\n", hex(&Sha256::digest(document_bytes)))
}

/// The `.sha512` file of a document (requirement 18), as [`sha256_file`].
pub fn sha512_file(document_bytes: &[u8], file_name: &str) -> String {
    format!("{}  {file_name}\n", hex(&Sha512::digest(document_bytes)))
}

/// The provider role (section 7.2) declared in `provider-metadata.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Section 7.2.1: requirements 1 to 4.
    CsafPublisher,
    /// Section 7.2.2: also 5 to 7, one of 8 to 10, and 11 to 14 or 15 to 17.
    CsafProvider,
    /// Section 7.2.3: also 18 to 20 (hashes, signatures, the public key).
    CsafTrustedProvider,
}

/// A public OpenPGP key of the provider (requirement 20).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenPgpKey {
    /// The key's fingerprint (40 or more hex digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Where the key is published.
    pub url: String,
}

/// One organisation's provider.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Provider {
    /// `https://host/.well-known/csaf` (requirement 9), without a trailing slash.
    pub base_url: String,
    /// The publisher, as in its documents.
    pub publisher: Publisher,
    /// The role claimed.
    pub role: Role,
    /// Its public OpenPGP keys (requirement 20).
    pub public_openpgp_keys: Vec<OpenPgpKey>,
    /// Whether aggregators may list it (section 7.2).
    pub list_on_csaf_aggregators: bool,
    /// Whether aggregators may mirror it (section 7.2).
    pub mirror_on_csaf_aggregators: bool,
    /// Whether each document has an `.asc` signature beside it (requirement 19), linked from
    /// the ROLIE entries.
    pub signed: bool,
}

/// `provider-metadata.json` (requirement 7; `provider_json_schema.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct ProviderMetadata {
    pub canonical_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distributions: Option<Vec<MetadataDistribution>>,
    pub last_updated: String,
    #[serde(rename = "list_on_CSAF_aggregators")]
    pub list_on_csaf_aggregators: bool,
    pub metadata_version: String,
    #[serde(rename = "mirror_on_CSAF_aggregators")]
    pub mirror_on_csaf_aggregators: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_openpgp_keys: Option<Vec<OpenPgpKey>>,
    pub publisher: Publisher,
    pub role: Role,
}

/// A `distributions` item: the directory URL and the ROLIE feeds of one TLP folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct MetadataDistribution {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolie: Option<MetadataRolie>,
}

/// The ROLIE part of a distribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct MetadataRolie {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    pub feeds: Vec<MetadataFeed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<String>>,
}

/// A ROLIE feed named in the metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct MetadataFeed {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    pub tlp_label: String,
    pub url: String,
}

/// The ROLIE category scheme CSAF feeds carry (requirement 15, RFC 8322).
const ROLIE_INFORMATION_TYPE: &str = "urn:ietf:params:rolie:category:information-type";

impl Provider {
    /// `<base>/provider-metadata.json` (requirement 9).
    pub fn metadata_url(&self) -> String {
        format!("{}/provider-metadata.json", self.base_url)
    }

    /// The TLP distribution folder, `<base>/<tlp>`.
    pub fn folder_url(&self, tlp: TlpLabel) -> String {
        format!("{}/{}", self.base_url, tlp_folder(tlp))
    }

    /// Where a document is published: `<base>/<tlp>/<YYYY>/<file name>`.
    pub fn document_url(&self, e: &Published) -> String {
        document_url(&self.base_url, e)
    }

    /// The canonical URL a document about to be published will have (the `self` reference of
    /// recommended test 6.2.11), from its tracking id, TLP and initial release date.
    pub fn canonical_url(
        &self,
        tracking_id: &str,
        tlp: TlpLabel,
        initial_release: OffsetDateTime,
    ) -> String {
        // In UTC, as the generator writes `initial_release_date`, whose year requirement 11
        // takes.
        let year = initial_release.to_offset(time::UtcOffset::UTC).year();
        format!("{}/{year}/{}", self.folder_url(tlp), file_name(tracking_id))
    }

    /// The ROLIE feed of a TLP folder.
    pub fn feed_url(&self, tlp: TlpLabel) -> String {
        format!(
            "{}/csaf-feed-tlp-{}.json",
            self.folder_url(tlp),
            tlp_folder(tlp)
        )
    }

    /// The ROLIE category document of a TLP folder.
    pub fn category_url(&self, tlp: TlpLabel) -> String {
        format!(
            "{}/category-tlp-{}.json",
            self.folder_url(tlp),
            tlp_folder(tlp)
        )
    }

    /// The ROLIE service document.
    pub fn service_url(&self) -> String {
        format!("{}/service.json", self.base_url)
    }

    /// `provider-metadata.json` (requirement 7) for the TLP folders in use.
    pub fn metadata(&self, tlps: &[TlpLabel], last_updated: OffsetDateTime) -> ProviderMetadata {
        let mut tlps = tlps.to_vec();
        tlps.sort();
        tlps.dedup();
        let distributions: Vec<MetadataDistribution> = tlps
            .iter()
            .map(|&t| MetadataDistribution {
                directory_url: Some(format!("{}/", self.folder_url(t))),
                rolie: Some(MetadataRolie {
                    categories: Some(vec![self.category_url(t)]),
                    feeds: vec![MetadataFeed {
                        summary: Some(format!(
                            "{} advisories of {}",
                            tlp_name(t),
                            self.publisher.name
                        )),
                        tlp_label: t.as_str().into(),
                        url: self.feed_url(t),
                    }],
                    services: Some(vec![self.service_url()]),
                }),
            })
            .collect();
        ProviderMetadata {
            canonical_url: self.metadata_url(),
            distributions: (!distributions.is_empty()).then_some(distributions),
            last_updated: date(last_updated),
            list_on_csaf_aggregators: self.list_on_csaf_aggregators,
            metadata_version: "2.0".into(),
            mirror_on_csaf_aggregators: self.mirror_on_csaf_aggregators,
            public_openpgp_keys: (!self.public_openpgp_keys.is_empty())
                .then(|| self.public_openpgp_keys.clone()),
            publisher: self.publisher.clone(),
            role: self.role,
        }
    }

    /// The ROLIE feed of one TLP folder (requirement 15, RFC 8322): an entry per document with
    /// links to the document, its hash files (requirement 18) and, when signed, its signature
    /// (requirement 19); the latest change first. Entries of other TLP labels are left out.
    pub fn rolie_feed(
        &self,
        tlp: TlpLabel,
        entries: &[Published],
        updated: OffsetDateTime,
    ) -> serde_json::Value {
        let mut mine: Vec<&Published> = entries.iter().filter(|e| e.tlp == tlp).collect();
        mine.sort_by(|a, b| {
            crate::validate::date_cmp(&b.current_release_date, &a.current_release_date)
                .then_with(|| a.path.cmp(&b.path))
        });
        let entry: Vec<serde_json::Value> = mine
            .into_iter()
            .map(|e| {
                let url = self.document_url(e);
                let mut links = vec![
                    serde_json::json!({"rel": "self", "href": url}),
                    serde_json::json!({"rel": "hash", "href": format!("{url}.sha256")}),
                    serde_json::json!({"rel": "hash", "href": format!("{url}.sha512")}),
                ];
                if self.signed {
                    links.push(serde_json::json!({"rel": "signature", "href": format!("{url}.asc")}));
                }
                let mut v = serde_json::json!({
                    "id": e.tracking_id,
                    "title": e.title,
                    "link": links,
                    "published": e.initial_release_date,
                    "updated": e.current_release_date,
                    "content": {"type": "application/json", "src": url},
                    "format": {
                        "schema": "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json",
                        "version": "2.0"
                    }
                });
                if let Some(s) = &e.summary {
                    v["summary"] = serde_json::json!({ "content": s });
                }
                v
            })
            .collect();
        serde_json::json!({
            "feed": {
                "id": format!("{}-csaf-feed-tlp-{}", slug(&self.publisher.name), tlp_folder(tlp)),
                "title": format!("{} CSAF feed ({})", self.publisher.name, tlp_name(tlp)),
                "link": [{"rel": "self", "href": self.feed_url(tlp)}],
                "category": [{"scheme": ROLIE_INFORMATION_TYPE, "term": "csaf"}],
                "updated": date(updated),
                "entry": entry
            }
        })
    }

    /// The ROLIE service document (requirement 16): one collection per TLP feed.
    pub fn rolie_service(&self, tlps: &[TlpLabel]) -> serde_json::Value {
        let mut tlps = tlps.to_vec();
        tlps.sort();
        tlps.dedup();
        let collection: Vec<serde_json::Value> = tlps
            .iter()
            .map(|&t| {
                serde_json::json!({
                    "title": format!("{} CSAF feed ({})", self.publisher.name, tlp_name(t)),
                    "href": self.feed_url(t),
                    "categories": {"category": [{"scheme": ROLIE_INFORMATION_TYPE, "term": "csaf"}]}
                })
            })
            .collect();
        serde_json::json!({
            "service": {"workspace": [{"title": format!("{} CSAF advisories", self.publisher.name), "collection": collection}]}
        })
    }
}

/// The ROLIE category document of one TLP folder (requirement 17): the document categories,
/// languages and product names of its documents, each once.
pub fn rolie_category(tlp: TlpLabel, entries: &[Published]) -> serde_json::Value {
    let mut terms: Vec<String> = Vec::new();
    for e in entries.iter().filter(|e| e.tlp == tlp) {
        for t in std::iter::once(&e.category)
            .chain(e.lang.iter())
            .chain(e.products.iter())
        {
            if !terms.contains(t) {
                terms.push(t.clone());
            }
        }
    }
    let category: Vec<serde_json::Value> = terms
        .into_iter()
        .map(|t| serde_json::json!({ "term": t }))
        .collect();
    serde_json::json!({ "categories": { "category": category } })
}

/// The names a directory listing (requirement 14) shows in `dir` of a TLP folder: `""` is the
/// folder itself (its year folders, `index.txt`, `changes.csv`, the ROLIE documents), `"2027"`
/// a year folder (each document with its `.sha256`, `.sha512` and, when signed, `.asc`).
/// Sub-folders end with `/`. Sorted.
pub fn listing_names(
    provider: &Provider,
    tlp: TlpLabel,
    entries: &[Published],
    dir: &str,
) -> Vec<String> {
    let mine = entries.iter().filter(|e| e.tlp == tlp);
    let mut names: Vec<String> = if dir.is_empty() {
        let folder = format!("{}/", provider.folder_url(tlp));
        let mut v: Vec<String> = mine
            .filter_map(|e| e.path.split_once('/').map(|(y, _)| format!("{y}/")))
            .collect();
        v.extend(["index.txt".to_string(), "changes.csv".to_string()]);
        for url in [provider.feed_url(tlp), provider.category_url(tlp)] {
            v.extend(url.strip_prefix(&folder).map(str::to_string));
        }
        v
    } else {
        let mut v = Vec::new();
        for e in mine {
            if let Some(name) = e.path.strip_prefix(&format!("{dir}/")) {
                v.push(name.to_string());
                v.push(format!("{name}.sha256"));
                v.push(format!("{name}.sha512"));
                if provider.signed {
                    v.push(format!("{name}.asc"));
                }
            }
        }
        v
    };
    names.sort();
    names.dedup();
    names
}

/// A directory listing page (requirement 14): an HTML list of links to `names` (from
/// [`listing_names`]), every name escaped.
pub fn directory_listing_html(title: &str, names: &[String]) -> String {
    fn esc(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;")
    }
    let mut out = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of {t}</title></head>\n<body><h1>Index of {t}</h1>\n<ul>\n",
        t = esc(title)
    );
    for n in names {
        out.push_str(&format!("<li><a href=\"{0}\">{0}</a></li>\n", esc(n)));
    }
    out.push_str("</ul></body></html>\n");
    out
}

/// `TLP:WHITE` etc.
fn tlp_name(t: TlpLabel) -> String {
    format!("TLP:{}", t.as_str())
}

/// A lower-case id made of `[a-z0-9-]`.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_follow_section_5_1() {
        assert_eq!(
            file_name("OASIS_CSAF_TC-CSAF_2.0-2021-5-1-11"),
            "oasis_csaf_tc-csaf_2_0-2021-5-1-11.json"
        );
        assert_eq!(
            file_name("OASIS: #/CSAF_TC-CSAF_2.0-2021-5-1-13"),
            "oasis_csaf_tc-csaf_2_0-2021-5-1-13.json"
        );
        assert_eq!(
            file_name("Example Company - 2019-YH3234"),
            "example_company_-_2019-yh3234.json"
        );
        assert_eq!(file_name("RHSA-2024:4420"), "rhsa-2024_4420.json");
    }

    #[test]
    fn hash_files_are_sha256sum_lines() {
        assert_eq!(
            sha256_file(b"abc", "a.json"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  a.json\n"
        );
        assert!(sha512_file(b"abc", "a.json").starts_with("ddaf35a193617aba"));
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Acme Networks, Inc."), "acme-networks-inc");
    }
}
