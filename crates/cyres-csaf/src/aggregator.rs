//! The other side of section 7: a CSAF **lister** (section 7.2.4) and the retrieving rules a
//! client follows (section 7.3), as pure functions. The server fetches; this module decides.
//!
//! - [`AggregatorJson`]: `aggregator.json` (requirement 21, `aggregator_json_schema.json`),
//!   listing the latest metadata of each provider and nothing else.
//! - [`read_provider_metadata`]: a fetched `provider-metadata.json`, refused when it is not one.
//! - [`rolie_entries`] and [`index_entries`]: the documents a provider lists, through its ROLIE
//!   feeds (requirement 15) or its directories (`index.txt`, requirement 12), each with the
//!   URLs of its hash files (requirement 18) and signature (requirement 19).
//! - [`same_origin`]: every URL a provider hands us must stay on the provider's own origin, so
//!   a provider cannot point the lister at anyone else.
//! - [`check_hash`] and [`check_document`]: a fetched document is accepted only when its
//!   SHA-512 (else SHA-256) hash file matches, it reads as CSAF 2.0 with every mandatory test
//!   passed (section 6.1), its file name is the one its tracking id gives (requirement 2) and
//!   its TLP label is the one of the feed it came from. Each refusal says which rule failed.
//!
//! OpenPGP verification (requirement 19) needs a cryptographic library and lives in the server
//! (`cyres-server/src/openpgp.rs`); its outcome comes back in as [`SignatureCheck`].

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha512};

use crate::model::{Publisher, TlpLabel};
use crate::provider::{ProviderMetadata, Role, file_name};

/// Section 7.2.4 / 7.2.5: what the aggregator does with the providers it lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AggregatorCategory {
    /// Lists providers (requirements 21, 22).
    Lister,
    /// Also mirrors their documents (requirement 23).
    Aggregator,
}

/// The `aggregator` object of `aggregator.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AggregatorInfo {
    /// Lister or aggregator.
    pub category: AggregatorCategory,
    /// How to reach it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_details: Option<String>,
    /// Its authority to release the list (constituency, responsibilities).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuing_authority: Option<String>,
    /// Its name.
    pub name: String,
    /// A URL it controls.
    pub namespace: String,
}

/// `csaf_providers[].metadata`: the listed provider's metadata, as last read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListedMetadata {
    /// The provider's own `last_updated`.
    pub last_updated: String,
    /// The provider's publisher.
    pub publisher: Publisher,
    /// The role the provider claims.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Where its `provider-metadata.json` is.
    pub url: String,
}

/// One `csaf_providers` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListedProvider {
    /// The provider's metadata.
    pub metadata: ListedMetadata,
    /// Mirrors (an aggregator's own copies; a lister has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mirrors: Option<Vec<String>>,
}

/// One `csaf_publishers` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListedPublisher {
    /// The publisher's metadata, taken from one of its documents.
    pub metadata: ListedMetadata,
    /// The aggregator's mirrors of it.
    pub mirrors: Vec<String>,
    /// How often it is checked (`daily`, …).
    pub update_interval: String,
}

/// `aggregator.json` (requirement 21).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AggregatorJson {
    /// Who lists.
    pub aggregator: AggregatorInfo,
    /// Always `2.0`.
    pub aggregator_version: String,
    /// Where this file is; ends in `/aggregator.json`.
    pub canonical_url: String,
    /// The providers (at least one: the schema's `minItems`).
    pub csaf_providers: Vec<ListedProvider>,
    /// Publishers (section 7.2.1) whose documents an aggregator mirrors; cyres lists providers
    /// only, so it never writes this, but reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csaf_publishers: Option<Vec<ListedPublisher>>,
    /// When the list last changed.
    pub last_updated: String,
}

/// Why `aggregator.json` cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListError {
    /// The schema asks for at least one provider.
    #[error("aggregator.json needs at least one listed provider (its schema's minItems)")]
    Empty,
    /// Requirement 21: never next to a `provider-metadata.json`, and the schema's pattern.
    #[error("the canonical URL must end in /aggregator.json (requirement 21)")]
    CanonicalUrl,
}

impl AggregatorJson {
    /// The list: each provider once (by metadata URL; the latest `last_updated` wins, as
    /// requirement 21 says only the latest metadata should be listed), sorted by publisher
    /// name then URL so the same providers give the same bytes.
    pub fn new(
        aggregator: AggregatorInfo,
        canonical_url: &str,
        providers: Vec<ListedProvider>,
        last_updated: &str,
    ) -> Result<AggregatorJson, ListError> {
        if !canonical_url.ends_with("/aggregator.json") {
            return Err(ListError::CanonicalUrl);
        }
        let mut latest: Vec<ListedProvider> = Vec::new();
        for p in providers {
            match latest.iter_mut().find(|q| q.metadata.url == p.metadata.url) {
                Some(q) => {
                    if crate::validate::date_cmp(&p.metadata.last_updated, &q.metadata.last_updated)
                        .is_gt()
                    {
                        *q = p;
                    }
                }
                None => latest.push(p),
            }
        }
        if latest.is_empty() {
            return Err(ListError::Empty);
        }
        latest.sort_by(|a, b| {
            a.metadata
                .publisher
                .name
                .cmp(&b.metadata.publisher.name)
                .then_with(|| a.metadata.url.cmp(&b.metadata.url))
        });
        Ok(AggregatorJson {
            aggregator,
            aggregator_version: "2.0".into(),
            canonical_url: canonical_url.into(),
            csaf_providers: latest,
            csaf_publishers: None,
            last_updated: last_updated.into(),
        })
    }

    /// Requirement 22: a lister lists at least two disjoint issuing parties
    /// (the free function [`disjoint_parties()`]).
    pub fn disjoint_parties(&self) -> usize {
        disjoint_parties(
            self.csaf_providers
                .iter()
                .map(|p| p.metadata.publisher.namespace.as_str()),
        )
    }
}

/// Requirement 22's count: issuing parties are told apart by publisher namespace, the
/// publisher's globally unique identifier.
pub fn disjoint_parties<'a>(namespaces: impl Iterator<Item = &'a str>) -> usize {
    let mut namespaces: Vec<&str> = namespaces.collect();
    namespaces.sort_unstable();
    namespaces.dedup();
    namespaces.len()
}

/// Why something a provider serves is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Not a `provider-metadata.json` (schema, version, canonical URL).
    #[error("provider metadata refused: {0}")]
    Metadata(String),
    /// A URL leaves the provider's origin.
    #[error("{0} is not on the provider's origin {1}; only the provider's own files are read")]
    CrossOrigin(String, String),
    /// A URL that is not https (section 7.1, requirement 3), outside an allowed test origin.
    #[error("{0} is not https (requirement 3)")]
    NotHttps(String),
    /// A feed or index that cannot be read.
    #[error("document list refused: {0}")]
    Listing(String),
    /// Requirement 18: neither hash file.
    #[error("no .sha512 or .sha256 hash file (requirement 18)")]
    HashMissing,
    /// A hash file that does not hold a hex digest.
    #[error("the .{algorithm} file is not a hash file")]
    HashUnreadable {
        /// `sha512` or `sha256`.
        algorithm: &'static str,
    },
    /// The document's digest is not the one published.
    #[error("the document does not match its .{algorithm} hash (requirement 18)")]
    HashMismatch {
        /// `sha512` or `sha256`.
        algorithm: &'static str,
    },
    /// Requirement 19: no `.asc`.
    #[error("no OpenPGP signature (.asc) beside the document (requirement 19)")]
    SignatureMissing,
    /// The signature does not verify with any of the provider's published keys.
    #[error("the OpenPGP signature does not verify with the provider's published key: {0}")]
    SignatureInvalid(String),
    /// Not CSAF 2.0, or a mandatory test fails (section 6.1).
    #[error("not a valid CSAF 2.0 document: {0}")]
    Invalid(String),
    /// Requirement 2: the file name is not the one the tracking id gives.
    #[error("file name {found} is not {expected}, the name its tracking id gives (requirement 2)")]
    FileName {
        /// What the URL ends with.
        found: String,
        /// What section 5.1 gives.
        expected: String,
    },
    /// The document's TLP label is not the feed's (requirements 4, 5).
    #[error("the document is TLP:{found}, listed in the TLP:{feed} feed")]
    TlpMismatch {
        /// The document's label.
        found: String,
        /// The feed's.
        feed: String,
    },
    /// A document over the size limit, or a transport failure.
    #[error("could not be fetched: {0}")]
    Fetch(String),
}

/// Reads a fetched `provider-metadata.json`: the provider schema (unknown fields refused), the
/// metadata version `2.0`, and a canonical URL ending in `provider-metadata.json` (requirement 7).
pub fn read_provider_metadata(bytes: &[u8]) -> Result<ProviderMetadata, Refusal> {
    let m: ProviderMetadata =
        serde_json::from_slice(bytes).map_err(|e| Refusal::Metadata(e.to_string()))?;
    if m.metadata_version != "2.0" {
        return Err(Refusal::Metadata(format!(
            "metadata_version {:?}, expected \"2.0\"",
            m.metadata_version
        )));
    }
    if !m.canonical_url.ends_with("/provider-metadata.json") {
        return Err(Refusal::Metadata(
            "canonical_url does not end in /provider-metadata.json".into(),
        ));
    }
    Ok(m)
}

/// The listing entry of a provider read just now (requirement 21's `metadata`).
pub fn listed(metadata: &ProviderMetadata, url: &str) -> ListedProvider {
    ListedProvider {
        metadata: ListedMetadata {
            last_updated: metadata.last_updated.clone(),
            publisher: metadata.publisher.clone(),
            role: Some(metadata.role),
            url: url.into(),
        },
        mirrors: None,
    }
}

/// `scheme://host[:port]` of an absolute URL, lower-cased; `None` when it is not one.
pub fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    Some(format!("{scheme}://{}", authority.to_ascii_lowercase()))
}

/// Refuses a URL off `origin_of` (the provider metadata's origin), or with a user part, or
/// with `..` segments that could climb out of a folder.
pub fn same_origin(url: &str, origin_of: &str) -> Result<(), Refusal> {
    let want = origin(origin_of).ok_or_else(|| Refusal::Metadata("not an http(s) URL".into()))?;
    match origin(url) {
        Some(o) if o == want && !url.split('/').any(|s| s == "..") => Ok(()),
        _ => Err(Refusal::CrossOrigin(url.into(), want)),
    }
}

/// A document a provider lists, with where its hash files and signature are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The document's URL.
    pub url: String,
    /// The TLP label of the feed or folder that lists it.
    pub tlp: Option<TlpLabel>,
    /// `.sha512`, if listed (preferred).
    pub sha512_url: Option<String>,
    /// `.sha256`, if listed.
    pub sha256_url: Option<String>,
    /// `.asc`, if listed.
    pub signature_url: Option<String>,
    /// The feed's `updated` (or `changes.csv`'s time), to skip what has not changed.
    pub updated: Option<String>,
}

/// The TLP label a feed declares (`WHITE`, `GREEN`, `AMBER`, `RED`; TLP 2.0's `CLEAR` is
/// `WHITE`, as CSAF 2.0 maps it).
pub fn tlp_of(label: &str) -> Option<TlpLabel> {
    match label.trim().to_ascii_uppercase().as_str() {
        "WHITE" | "CLEAR" => Some(TlpLabel::White),
        "GREEN" => Some(TlpLabel::Green),
        "AMBER" => Some(TlpLabel::Amber),
        "RED" => Some(TlpLabel::Red),
        _ => None,
    }
}

/// The documents of one ROLIE feed (requirement 15): each entry's `content.src` (else its
/// `self` link), with its `hash` and `signature` links. An entry without a document URL is
/// refused by name; the feed itself must be a ROLIE feed.
pub fn rolie_entries(
    feed: &[u8],
    tlp: Option<TlpLabel>,
) -> Result<Vec<Result<Listed, Refusal>>, Refusal> {
    let v: serde_json::Value =
        serde_json::from_slice(feed).map_err(|e| Refusal::Listing(format!("ROLIE feed: {e}")))?;
    let entries = v
        .get("feed")
        .and_then(|f| f.get("entry"))
        .and_then(|e| e.as_array())
        .ok_or_else(|| Refusal::Listing("ROLIE feed without feed.entry".into()))?;
    Ok(entries
        .iter()
        .map(|e| {
            let links: Vec<(&str, &str)> = e
                .get("link")
                .and_then(|l| l.as_array())
                .map(|ls| {
                    ls.iter()
                        .filter_map(|l| Some((l.get("rel")?.as_str()?, l.get("href")?.as_str()?)))
                        .collect()
                })
                .unwrap_or_default();
            let url = e
                .get("content")
                .and_then(|c| c.get("src"))
                .and_then(|s| s.as_str())
                .or_else(|| links.iter().find(|(r, _)| *r == "self").map(|(_, h)| *h))
                .ok_or_else(|| {
                    Refusal::Listing(format!(
                        "entry {} has no document link",
                        e.get("id")
                            .and_then(|i| i.as_str())
                            .unwrap_or("(without id)")
                    ))
                })?;
            let hash = |ext: &str| {
                links
                    .iter()
                    .find(|(r, h)| *r == "hash" && h.ends_with(ext))
                    .map(|(_, h)| h.to_string())
            };
            Ok(Listed {
                url: url.to_string(),
                tlp,
                sha512_url: hash(".sha512"),
                sha256_url: hash(".sha256"),
                signature_url: links
                    .iter()
                    .find(|(r, _)| *r == "signature")
                    .map(|(_, h)| h.to_string()),
                updated: e.get("updated").and_then(|u| u.as_str()).map(String::from),
            })
        })
        .collect())
}

/// The documents of one directory distribution (requirement 12): each line of `index.txt` is
/// a path relative to the directory; hash files and signature sit beside the document
/// (requirements 18, 19). Blank lines are skipped; absolute or climbing paths are refused.
pub fn index_entries(directory_url: &str, index_txt: &str) -> Vec<Result<Listed, Refusal>> {
    let base = directory_url.trim_end_matches('/');
    index_txt
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            if line.starts_with('/') || line.contains("://") || line.split('/').any(|s| s == "..") {
                return Err(Refusal::Listing(format!(
                    "index.txt line {line:?} is not a relative path"
                )));
            }
            let url = format!("{base}/{line}");
            Ok(Listed {
                sha512_url: Some(format!("{url}.sha512")),
                sha256_url: Some(format!("{url}.sha256")),
                signature_url: Some(format!("{url}.asc")),
                url,
                tlp: None,
                updated: None,
            })
        })
        .collect()
}

/// The hex digest in a hash file: `<hex>` or `<hex>  <file name>` (the `sha512sum` format
/// requirement 18 shows). `None` when the first word is not a digest of that length.
pub fn hash_in(text: &str, hex_len: usize) -> Option<String> {
    let word = text.split_whitespace().next()?;
    (word.len() == hex_len && word.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| word.to_ascii_lowercase())
}

/// Requirement 18: the document against its SHA-512 hash file if there is one, else SHA-256.
/// `sha512`/`sha256` are the fetched hash files' texts (`None`: not there).
pub fn check_hash(
    document: &[u8],
    sha512: Option<&str>,
    sha256: Option<&str>,
) -> Result<&'static str, Refusal> {
    let (algorithm, text, digest) = match (sha512, sha256) {
        (Some(t), _) => ("sha512", t, hex(&Sha512::digest(document))),
        (None, Some(t)) => ("sha256", t, hex(&Sha256::digest(document))),
        (None, None) => return Err(Refusal::HashMissing),
    };
    let want = hash_in(text, digest.len()).ok_or(Refusal::HashUnreadable { algorithm })?;
    if want == digest {
        Ok(algorithm)
    } else {
        Err(Refusal::HashMismatch { algorithm })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The outcome of checking a document's OpenPGP signature (done by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// Verified with the key of this fingerprint.
    Verified(String),
    /// No `.asc` was served.
    Missing,
    /// Served, but it does not verify; why.
    Invalid(String),
}

/// A document accepted into the lister's store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// `/document/tracking/id`.
    pub tracking_id: String,
    /// `/document/tracking/version`.
    pub version: String,
    /// `/document/tracking/current_release_date`.
    pub current_release_date: String,
    /// `/document/title`.
    pub title: String,
    /// `/document/category`.
    pub category: String,
    /// The TLP label.
    pub tlp: Option<TlpLabel>,
    /// The hash file that matched (`sha512` or `sha256`).
    pub hash: &'static str,
    /// The fingerprint of the key that signed it.
    pub signed_by: String,
    /// SHA-256 of the bytes, hex, to recognise the same document on the next pull.
    pub sha256: String,
}

/// The retrieving rules of section 7.3.2 for one fetched document, in the order a client can
/// afford them: hash (requirement 18), signature (19), CSAF 2.0 with every mandatory test
/// (conformance clause 1, section 6.1), file name (2), TLP label against the feed's (4, 5).
/// A trusted provider signs everything, so a missing signature refuses the document.
pub fn check_document(
    listed: &Listed,
    document: &[u8],
    sha512: Option<&str>,
    sha256: Option<&str>,
    signature: SignatureCheck,
) -> Result<Accepted, Refusal> {
    let hash = check_hash(document, sha512, sha256)?;
    let signed_by = match signature {
        SignatureCheck::Verified(fp) => fp,
        SignatureCheck::Missing => return Err(Refusal::SignatureMissing),
        SignatureCheck::Invalid(why) => return Err(Refusal::SignatureInvalid(why)),
    };
    let doc = crate::read(document).map_err(|e| Refusal::Invalid(e.to_string()))?;
    let d = &doc.document;
    let expected = file_name(&d.tracking.id);
    let found = listed
        .url
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    if found != expected {
        return Err(Refusal::FileName { found, expected });
    }
    let tlp = d
        .distribution
        .as_ref()
        .and_then(|x| x.tlp.as_ref())
        .map(|t| t.label);
    if let (Some(feed), found) = (listed.tlp, tlp)
        && found != Some(feed)
    {
        return Err(Refusal::TlpMismatch {
            found: found.map_or("(none)", |t| t.as_str()).into(),
            feed: feed.as_str().into(),
        });
    }
    Ok(Accepted {
        tracking_id: d.tracking.id.clone(),
        version: d.tracking.version.clone(),
        current_release_date: d.tracking.current_release_date.clone(),
        title: d.title.clone(),
        category: d.category.clone(),
        tlp,
        hash,
        signed_by,
        sha256: hex(&Sha256::digest(document)),
    })
}
