//! The network edge of `cyres serve` that needs no database (issue #4, points 4 and 6).
//!
//! **Advisory sync** ([`fetch`]): one call asks one configured source ([`SourceConfig`]: an
//! OSV ecosystem's `all.zip`, the CISA KEV catalogue, ENISA's EUVD exploited list, or NVD's CVE
//! API 2.0) for what
//! changed since the stored [`SyncState`], using HTTP validators, record modification times and
//! a resumable page cursor, and returns parsed records plus the state to store with them.
//!
//! **Alert delivery**: an [`Alert`] is the one serialisable shape for every channel. Webhooks
//! ([`webhook`]) sign the JSON body with HMAC-SHA256 and come with a pure retry schedule; the
//! Atom renderer ([`atom`]) is pure; the SMTP client ([`smtp`]) talks to a local relay.
//!
//! A sync loop in the server, roughly:
//!
//! ```no_run
//! # async fn run(stored: Option<String>) -> Result<(), Box<dyn std::error::Error>> {
//! use cyres_feeds::{FetchLimits, FetchOutcome, Records, SourceConfig, SourceKind, SyncState};
//!
//! let outbound = cyres_feeds::outbound::Outbound::system(Default::default());
//! let client = cyres_feeds::http_client(&outbound)?;
//! let source = SourceConfig {
//!     id: "osv-pypi".into(),
//!     kind: SourceKind::Osv { ecosystem: "PyPI".into() },
//!     url: "https://osv-vulnerabilities.storage.googleapis.com".into(),
//! };
//! let mut state: SyncState = match stored {
//!     Some(json) => serde_json::from_str(&json)?,
//!     None => SyncState::default(),
//! };
//! loop {
//!     match cyres_feeds::fetch(&client, &source, &state, &FetchLimits::default()).await? {
//!         FetchOutcome::NotModified => break,
//!         FetchOutcome::Batch(batch) => {
//!             if let Records::Osv(advisories) = &batch.records {
//!                 // One transaction: upsert `advisories`, store `batch.state` as JSON,
//!                 // log `batch.counts` and `batch.problems`.
//!                 let _ = advisories;
//!             }
//!             state = batch.state;
//!             if batch.complete {
//!                 break;
//!             }
//!         }
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! Invariants: nothing here touches a database or a clock it was not given (except delivery
//! timing and the webhook timestamp header); nothing panics on bad input; every download is
//! size-limited; no error message or log line carries a secret (URLs are redacted, SMTP
//! credentials are never echoed).

#![deny(missing_docs)]

pub mod alert;
pub mod atom;
pub mod chat;
mod error;
pub mod euvd;
mod http;
mod kev;
pub mod nvd;
pub mod osv;
pub mod outbound;
pub mod smtp;
mod source;
pub mod webhook;

pub use alert::{Alert, AlertKind};
pub use error::{FeedError, redact_url};
pub use euvd::EuvdExploited;
pub use outbound::http_client;
pub use source::{
    Batch, FetchLimits, FetchOutcome, MAX_PROBLEMS, RecordProblem, Records, ResumeCursor,
    SourceConfig, SourceKind, SyncCounts, SyncState, USER_AGENT, fetch, fetch_at,
};
