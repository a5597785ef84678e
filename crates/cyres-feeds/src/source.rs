//! Advisory sources: what is configured, what is remembered between runs, and what one fetch
//! returns.
//!
//! A sync is a loop the server drives: load the [`SyncState`] stored for a source, call
//! [`fetch`], store the returned records and the new state in one transaction, and call again
//! while [`Batch::complete`] is false. Because the state is only replaced together with the
//! records it describes, an interrupted sync (crash, restart, network error) continues where
//! the last stored state points: the same download is asked for again with the old validators,
//! and a paged source resumes at the page after the last stored one.
//!
//! Incremental rules, per source kind (issue #4, point 4):
//! - every kind sends `If-None-Match` / `If-Modified-Since` from the stored validators and
//!   returns [`FetchOutcome::NotModified`] on `304 Not Modified` (RFC 9110 §13.1.1, §13.1.3);
//! - OSV: only records whose `modified` is newer than the stored watermark are returned;
//! - KEV: the catalogue is a snapshot; every entry is returned (the store replaces its copy) and
//!   the counts split entries added since the watermark from the rest;
//! - EUVD: pages of `/vulnerabilities?exploited=true`; records whose `dateUpdated` is newer than
//!   the watermark are returned, and the state keeps the next page of an unfinished run.
//! - NVD: the CVE API 2.0 in last-modified windows of at most 120 days from the watermark
//!   (a first sync reads everything), paged by `startIndex`; the state keeps the window and the
//!   next page of an unfinished run ([`crate::nvd`]).

use std::time::Duration;

use cyres_vuln::advisory::Advisory;
use cyres_vuln::kev::KevEntry;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::FeedError;
use crate::euvd::EuvdExploited;
use crate::nvd::{NvdApiKey, NvdWindow};

/// The `User-Agent` sent by default. EUVD answers 403 to some library defaults (cra.md §11), so
/// every request names cyres.
pub const USER_AGENT: &str = concat!(
    "cyres/",
    env!("CARGO_PKG_VERSION"),
    " (CRA vulnerability monitoring; advisory sync)"
);

/// One configured advisory source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceConfig {
    /// A stable name chosen in the configuration (`osv-pypi`, `kev`, `euvd`); used in errors
    /// and as the key of the stored state.
    pub id: String,
    /// What kind of source this is.
    pub kind: SourceKind,
    /// The base URL. OSV: the bucket root (`https://osv-vulnerabilities.storage.googleapis.com`);
    /// KEV: the catalogue JSON itself; EUVD: the API root
    /// (`https://euvdservices.enisa.europa.eu/api`).
    pub url: String,
}

/// The kinds of advisory source cyres can sync.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SourceKind {
    /// One ecosystem's `all.zip` in osv.dev's bucket layout: `<url>/<ecosystem>/all.zip`.
    Osv {
        /// The OSV ecosystem name exactly as the bucket spells it (`PyPI`, `crates.io`, `Go`).
        ecosystem: String,
    },
    /// The CISA Known Exploited Vulnerabilities catalogue (JSON).
    Kev,
    /// ENISA's EU Vulnerability Database, exploited vulnerabilities only.
    Euvd,
    /// NVD's CVE API 2.0 (`https://services.nvd.nist.gov/rest/json/cves/2.0`): CVE records with
    /// their CPE configurations.
    Nvd {
        /// The optional API key (raises the rate limit tenfold). Never serialised: the
        /// configuration loader reads it from the environment.
        #[serde(skip)]
        api_key: Option<NvdApiKey>,
    },
}

/// What is remembered about a source between runs. Serialisable: the store keeps it as JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SyncState {
    /// The `ETag` of the last complete download (for `If-None-Match`).
    pub etag: Option<String>,
    /// The `Last-Modified` of the last complete download (for `If-Modified-Since`), as sent.
    pub last_modified: Option<String>,
    /// The newest record time seen in completed runs: OSV `modified`, EUVD `dateUpdated`, KEV
    /// `dateAdded` (midnight UTC). Records at or before it count as unchanged.
    #[serde(with = "time::serde::rfc3339::option")]
    pub newest_record_modified: Option<OffsetDateTime>,
    /// Set while a paged run (EUVD) is unfinished: where to continue.
    pub resume: Option<ResumeCursor>,
}

/// Where an unfinished paged run continues.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumeCursor {
    /// The next page to fetch (0-based, as EUVD counts).
    pub next_page: u32,
    /// The page size the run started with; resuming with another size would skip records.
    pub page_size: u32,
    /// The newest record time seen so far in this run; becomes the watermark when it completes.
    #[serde(with = "time::serde::rfc3339::option")]
    pub run_newest: Option<OffsetDateTime>,
    /// The validators of the run's first page; become the stored ones when it completes.
    pub run_etag: Option<String>,
    /// See `run_etag`.
    pub run_last_modified: Option<String>,
    /// NVD: the last-modified window being paged (`next_page` counts pages inside it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<NvdWindow>,
}

/// Limits and request settings for one fetch. [`FetchLimits::default`] is a safe start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchLimits {
    /// The largest response body accepted, in bytes (endless-data defence).
    pub max_download_bytes: u64,
    /// The largest single record (zip entry) accepted after decompression.
    pub max_record_bytes: u64,
    /// The most bytes one archive may unpack to in total (zip-bomb defence).
    pub max_unpacked_bytes: u64,
    /// EUVD page size (`size`; values over [`crate::euvd::MAX_PAGE_SIZE`] are lowered to it).
    pub euvd_page_size: u32,
    /// How many EUVD pages one call fetches before returning an incomplete batch.
    pub euvd_max_pages: u32,
    /// NVD `resultsPerPage` (values over [`crate::nvd::MAX_PAGE_SIZE`] are lowered to it).
    pub nvd_page_size: u32,
    /// How many NVD pages one call fetches before returning an incomplete batch.
    pub nvd_max_pages: u32,
    /// Spacing between NVD requests; `None` follows NVD's published limits
    /// ([`crate::nvd::PUBLIC_INTERVAL`], [`crate::nvd::KEYED_INTERVAL`] with a key).
    pub nvd_request_interval: Option<Duration>,
    /// How often a rate-limited or failed NVD request is repeated.
    pub nvd_retries: u32,
    /// The first pause before a repeat; doubled for each further one.
    pub nvd_backoff: Duration,
    /// Timeout for each HTTP request, body included.
    pub request_timeout: Duration,
    /// The `User-Agent` header.
    pub user_agent: String,
}

impl Default for FetchLimits {
    fn default() -> Self {
        Self {
            max_download_bytes: 512 * 1024 * 1024,
            max_record_bytes: 16 * 1024 * 1024,
            max_unpacked_bytes: 8 * 1024 * 1024 * 1024,
            euvd_page_size: 100,
            euvd_max_pages: 50,
            nvd_page_size: crate::nvd::MAX_PAGE_SIZE,
            nvd_max_pages: 10,
            nvd_request_interval: None,
            nvd_retries: 5,
            nvd_backoff: Duration::from_secs(6),
            request_timeout: Duration::from_secs(600),
            user_agent: USER_AGENT.to_string(),
        }
    }
}

/// The result of one [`fetch`].
#[derive(Clone, Debug, PartialEq)]
pub enum FetchOutcome {
    /// The server said nothing changed since the stored validators (HTTP 304). Keep the state.
    NotModified,
    /// Records to store, with the state to store alongside them.
    Batch(Box<Batch>),
}

/// Records fetched in one call, and the state that describes them.
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    /// New or changed records (KEV: the whole catalogue).
    pub records: Records,
    /// The state to store in the same transaction as the records.
    pub state: SyncState,
    /// Counts for the sync log.
    pub counts: SyncCounts,
    /// False when a paged run stopped early (page limit or a failed page); call again.
    pub complete: bool,
    /// Why an unfinished run stopped after a failed page (the error of that page), if it did.
    pub interrupted: Option<String>,
    /// Records that could not be read, with the reason (at most [`MAX_PROBLEMS`] kept).
    pub problems: Vec<RecordProblem>,
}

/// At most this many [`RecordProblem`]s are kept per batch; the count is always complete.
pub const MAX_PROBLEMS: usize = 100;

/// The records of a batch, by source kind.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Records {
    /// OSV advisories whose `modified` is newer than the watermark.
    Osv(Vec<Advisory>),
    /// The whole KEV catalogue.
    Kev(Vec<KevEntry>),
    /// EUVD exploited vulnerabilities updated after the watermark.
    Euvd(Vec<EuvdExploited>),
    /// NVD CVE records (advisory and CPE configurations) modified after the watermark.
    Nvd(Vec<cyres_vuln::nvd::NvdRecord>),
}

impl Records {
    /// How many records the batch holds.
    pub fn len(&self) -> usize {
        match self {
            Records::Osv(v) => v.len(),
            Records::Kev(v) => v.len(),
            Records::Euvd(v) => v.len(),
            Records::Nvd(v) => v.len(),
        }
    }

    /// Whether the batch holds no records.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Counts for the sync log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncCounts {
    /// Records read from the response(s), malformed ones included.
    pub fetched: usize,
    /// Records newer than the watermark (new or changed).
    pub new_or_changed: usize,
    /// Readable records at or before the watermark.
    pub unchanged: usize,
    /// Records that could not be read.
    pub malformed: usize,
    /// Response bytes downloaded.
    pub bytes: u64,
    /// HTTP requests made.
    pub requests: u32,
}

/// One record that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordProblem {
    /// Where it was: a zip entry name, `page 3 item 7`, …
    pub location: String,
    /// Why it could not be read.
    pub message: String,
}

/// Fetches what changed at `source` since `state`. Does not store anything: the caller stores
/// the records and [`Batch::state`] together, and calls again while [`Batch::complete`] is false.
/// An NVD source needs the current time: use [`fetch_at`].
pub async fn fetch(
    client: &reqwest::Client,
    source: &SourceConfig,
    state: &SyncState,
    limits: &FetchLimits,
) -> Result<FetchOutcome, FeedError> {
    fetch_inner(client, source, state, limits, None).await
}

/// [`fetch`] with the current time, which NVD's last-modified windows end at.
pub async fn fetch_at(
    client: &reqwest::Client,
    source: &SourceConfig,
    state: &SyncState,
    limits: &FetchLimits,
    now: OffsetDateTime,
) -> Result<FetchOutcome, FeedError> {
    fetch_inner(client, source, state, limits, Some(now)).await
}

async fn fetch_inner(
    client: &reqwest::Client,
    source: &SourceConfig,
    state: &SyncState,
    limits: &FetchLimits,
    now: Option<OffsetDateTime>,
) -> Result<FetchOutcome, FeedError> {
    match &source.kind {
        SourceKind::Nvd { api_key } => {
            crate::nvd::fetch(client, source, api_key.as_ref(), state, limits, now).await
        }
        SourceKind::Osv { ecosystem } => {
            crate::osv::fetch(client, source, ecosystem, state, limits).await
        }
        SourceKind::Kev => crate::kev::fetch(client, source, state, limits).await,
        SourceKind::Euvd => crate::euvd::fetch(client, source, state, limits).await,
    }
}

/// Keeps the first [`MAX_PROBLEMS`] problems.
pub(crate) fn note_problem(problems: &mut Vec<RecordProblem>, location: String, message: String) {
    if problems.len() < MAX_PROBLEMS {
        problems.push(RecordProblem { location, message });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>(_: &T) {}

    /// The server runs syncs and deliveries on spawned tasks, which need `Send` futures.
    #[test]
    fn futures_are_send() {
        let outbound = crate::outbound::Outbound::system(Default::default());
        let client = crate::http_client(&outbound).unwrap();
        let hooks = crate::webhook::webhook_client(&outbound).unwrap();
        let source = SourceConfig {
            id: "kev".to_string(),
            kind: SourceKind::Kev,
            url: "http://127.0.0.1:9/kev.json".to_string(),
        };
        let (state, limits) = (SyncState::default(), FetchLimits::default());
        assert_send(&fetch(&client, &source, &state, &limits));
        assert_send(&crate::webhook::deliver(
            &hooks,
            "http://127.0.0.1:9/",
            b"k",
            b"{}",
        ));
        let config = crate::smtp::SmtpConfig::relay("127.0.0.1", 9);
        let mail = crate::smtp::Mail {
            from: "a@b.example".to_string(),
            to: vec!["c@d.example".to_string()],
            subject: String::new(),
            body: String::new(),
            date: OffsetDateTime::UNIX_EPOCH,
            message_id: "x@y".to_string(),
        };
        assert_send(&crate::smtp::send(&config, &mail));
    }

    #[test]
    fn state_json_is_stable_and_tolerant() {
        let state: SyncState = serde_json::from_str(r#"{"etag": "\"x\"", "future_field": 1}"#)
            .expect("unknown fields are ignored, missing ones default");
        assert_eq!(state.etag.as_deref(), Some("\"x\""));
        assert_eq!(state.resume, None);
        let json = serde_json::to_value(SyncState {
            newest_record_modified: Some(time::macros::datetime!(2025-08-26 9:30:02 UTC)),
            ..SyncState::default()
        })
        .unwrap();
        assert_eq!(json["newest_record_modified"], "2025-08-26T09:30:02Z");
    }
}
