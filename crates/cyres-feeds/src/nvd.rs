//! NVD as a source: the CVE API 2.0 (<https://nvd.nist.gov/developers/vulnerabilities>), paged
//! by `startIndex` and `resultsPerPage`, incrementally by last-modified windows.
//!
//! The rules the service publishes, and how they are kept here:
//! - **Paging**: `startIndex` (0-based offset) and `resultsPerPage`, at most 2,000 for the CVE
//!   API ([`MAX_PAGE_SIZE`]); a run keeps its page size, so resuming never skips records.
//! - **Windows**: `lastModStartDate` and `lastModEndDate` go together and span at most 120
//!   consecutive days ([`MAX_WINDOW`]). A first sync (no watermark) reads the whole collection
//!   without dates; every later one walks windows of at most 120 days from the watermark to
//!   `now`. The watermark becomes the end of the last window (for a first sync: the time it
//!   started) only when the run completes, so records changed while a run pages are read by
//!   the next run.
//! - **Rate limits**: 5 requests in a rolling 30 seconds without an API key, 50 with one; NVD
//!   asks clients to sleep between requests, so requests are spaced by 6 s (0.6 s with a key)
//!   unless [`FetchLimits::nvd_request_interval`] says otherwise. A 403, 429 or 503 (what NVD
//!   answers when the limit is exceeded or it is busy) and transport failures are retried with
//!   exponential backoff ([`FetchLimits::nvd_retries`], [`FetchLimits::nvd_backoff`]).
//! - **API key**: sent as the `apiKey` header, marked sensitive; it is never part of a URL, an
//!   error, a log line, a debug print or the stored state ([`NvdApiKey`]).
//!
//! Records are read by `cyres_vuln::nvd::parse_nvd_item`, the same reader `cyres scan` uses
//! for NVD files; a malformed item is counted and reported, the rest of its page is kept.

use std::time::Duration;

use reqwest::Url;
use reqwest::header::HeaderValue;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::error::redact_url;
use crate::http::{self, Answer, Validators};
use crate::source::note_problem;
use crate::{
    Batch, FeedError, FetchLimits, FetchOutcome, Records, ResumeCursor, SourceConfig, SyncCounts,
    SyncState,
};

/// The most records the CVE API returns per page.
pub const MAX_PAGE_SIZE: u32 = 2000;

/// The longest last-modified window the CVE API accepts (120 consecutive days).
pub const MAX_WINDOW: time::Duration = time::Duration::days(120);

/// Request spacing without an API key: 5 requests per rolling 30 s.
pub const PUBLIC_INTERVAL: Duration = Duration::from_secs(6);

/// Request spacing with an API key: 50 requests per rolling 30 s.
pub const KEYED_INTERVAL: Duration = Duration::from_millis(600);

/// An NVD API key. Its `Debug` prints no secret and it is never serialised with the source.
#[derive(Clone, PartialEq, Eq)]
pub struct NvdApiKey(String);

impl NvdApiKey {
    /// Wraps a key (surrounding white space dropped). `None` for an empty one.
    pub fn new(key: &str) -> Option<Self> {
        let key = key.trim();
        (!key.is_empty()).then(|| Self(key.to_string()))
    }

    fn header(&self) -> Result<HeaderValue, FeedError> {
        let mut value = HeaderValue::from_str(&self.0).map_err(|_| {
            FeedError::Config("the NVD API key holds characters a header cannot".to_string())
        })?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl std::fmt::Debug for NvdApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NvdApiKey(<redacted>)")
    }
}

/// The last-modified window an unfinished NVD run is paging through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NvdWindow {
    /// `lastModStartDate`; `None` for a first sync, which reads everything without dates.
    #[serde(with = "time::serde::rfc3339::option")]
    pub start: Option<OffsetDateTime>,
    /// `lastModEndDate`; for a first sync, the time it started (the next run starts there).
    #[serde(with = "time::serde::rfc3339")]
    pub end: OffsetDateTime,
}

/// The NVD time format (`2024-01-01T05:15:00.000`, UTC without an offset) or RFC 3339.
pub fn parse_nvd_time(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t);
    }
    let whole = text.split('.').next().unwrap_or(text);
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    PrimitiveDateTime::parse(whole, &format)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

/// NVD's request form of a time: `2024-04-01T13:00:00.000+00:00` (extended ISO 8601).
fn nvd_param(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000+00:00",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `<url>?[lastModStartDate=…&lastModEndDate=…&]startIndex=N&resultsPerPage=M`.
pub fn page_url(
    base: &str,
    window: &NvdWindow,
    start_index: u64,
    page_size: u32,
) -> Result<Url, FeedError> {
    let mut url =
        Url::parse(base).map_err(|e| FeedError::Config(format!("NVD URL is not a URL: {e}")))?;
    {
        let mut q = url.query_pairs_mut();
        q.clear();
        if let Some(start) = window.start {
            q.append_pair("lastModStartDate", &nvd_param(start))
                .append_pair("lastModEndDate", &nvd_param(window.end));
        }
        q.append_pair("startIndex", &start_index.to_string())
            .append_pair("resultsPerPage", &page_size.to_string());
    }
    Ok(url)
}

/// The window after `from` (exclusive of nothing: NVD's bounds are inclusive, so a record
/// modified exactly at a boundary is read twice, never missed), ending at `now` at the latest.
fn window_from(from: OffsetDateTime, now: OffsetDateTime) -> NvdWindow {
    NvdWindow {
        start: Some(from),
        end: (from + MAX_WINDOW).min(now),
    }
}

/// One page as read.
struct Page {
    items: Vec<serde_json::Value>,
    total: u64,
    bytes: u64,
}

/// Whether a failed request is worth repeating after a pause: NVD's rate-limit and busy
/// answers, and transport failures.
fn retryable(e: &FeedError) -> bool {
    match e {
        FeedError::Status { status, .. } => matches!(status, 403 | 429 | 502 | 503 | 504),
        FeedError::Transport { .. } => true,
        _ => false,
    }
}

/// Requests one page, retrying rate-limit answers with exponential backoff.
async fn get_page(
    client: &reqwest::Client,
    source: &SourceConfig,
    key: Option<&NvdApiKey>,
    url: &Url,
    limits: &FetchLimits,
    counts: &mut SyncCounts,
) -> Result<Page, FeedError> {
    let mut attempt = 0u32;
    let fresh = loop {
        counts.requests += 1;
        let header = key.map(|k| k.header().map(|v| ("apiKey", v))).transpose()?;
        let answer = http::get_with(
            client,
            &source.id,
            url,
            Validators::default(),
            limits,
            header,
        )
        .await;
        match answer {
            Ok(Answer::Fresh(fresh)) => break fresh,
            Ok(Answer::NotModified) => {
                return Err(malformed(
                    source,
                    url,
                    "304 Not Modified to a request without validators",
                ));
            }
            Err(e) if retryable(&e) && attempt < limits.nvd_retries => {
                let pause = limits.nvd_backoff.saturating_mul(1 << attempt.min(16));
                attempt += 1;
                tokio::time::sleep(pause).await;
            }
            Err(e) => return Err(e),
        }
    };
    let body = http::body_to_vec(fresh.response, &source.id, url, limits).await?;
    let mut value: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| malformed(source, url, &format!("not JSON: {e}")))?;
    let total = value
        .get("totalResults")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| malformed(source, url, "no `totalResults`"))?;
    let items = match value
        .get_mut("vulnerabilities")
        .map(serde_json::Value::take)
    {
        Some(serde_json::Value::Array(items)) => items,
        _ => return Err(malformed(source, url, "no `vulnerabilities` list")),
    };
    Ok(Page {
        items,
        total,
        bytes: body.len() as u64,
    })
}

fn malformed(source: &SourceConfig, url: &Url, message: &str) -> FeedError {
    FeedError::Malformed {
        source_id: source.id.clone(),
        what: format!("NVD page from {}", redact_url(url)),
        message: message.to_string(),
    }
}

pub(crate) async fn fetch(
    client: &reqwest::Client,
    source: &SourceConfig,
    key: Option<&NvdApiKey>,
    state: &SyncState,
    limits: &FetchLimits,
    now: Option<OffsetDateTime>,
) -> Result<FetchOutcome, FeedError> {
    let now = now.ok_or_else(|| {
        FeedError::Config(format!(
            "{}: an NVD sync needs the current time (cyres_feeds::fetch_at)",
            source.id
        ))
    })?;
    let interval = limits.nvd_request_interval.unwrap_or(if key.is_some() {
        KEYED_INTERVAL
    } else {
        PUBLIC_INTERVAL
    });
    let watermark = state.newest_record_modified;
    let fresh_run = state.resume.is_none();
    let mut cursor = match state.resume.clone() {
        Some(cursor) if cursor.window.is_some() => cursor,
        Some(_) => {
            return Err(FeedError::Config(format!(
                "{}: the stored resume cursor is not an NVD one",
                source.id
            )));
        }
        None => ResumeCursor {
            next_page: 0,
            page_size: limits.nvd_page_size.clamp(1, MAX_PAGE_SIZE),
            run_newest: None,
            run_etag: None,
            run_last_modified: None,
            window: Some(match watermark {
                Some(from) => window_from(from, now),
                None => NvdWindow {
                    start: None,
                    end: now,
                },
            }),
        },
    };
    let page_size = cursor.page_size.clamp(1, MAX_PAGE_SIZE);
    let mut records = Vec::new();
    let mut problems = Vec::new();
    let mut counts = SyncCounts::default();
    let mut complete = false;
    let mut interrupted = None;

    for pages_done in 0..limits.nvd_max_pages.max(1) {
        let Some(window) = cursor.window else { break };
        if !(fresh_run && pages_done == 0) {
            tokio::time::sleep(interval).await;
        }
        let start_index = u64::from(cursor.next_page) * u64::from(page_size);
        let url = page_url(&source.url, &window, start_index, page_size)?;
        let page = match get_page(client, source, key, &url, limits, &mut counts).await {
            Ok(page) => page,
            Err(e) if pages_done == 0 => return Err(e),
            Err(e) => {
                interrupted = Some(e.to_string());
                break;
            }
        };
        counts.bytes += page.bytes;
        let items_on_page = page.items.len();
        for (n, item) in page.items.into_iter().enumerate() {
            counts.fetched += 1;
            let location = format!("startIndex {} item {n}", start_index);
            let record = match cyres_vuln::nvd::parse_nvd_item(item) {
                Ok(record) => record,
                Err(message) => {
                    counts.malformed += 1;
                    note_problem(&mut problems, location, message);
                    continue;
                }
            };
            let modified = record.advisory.modified.as_deref().and_then(parse_nvd_time);
            if let Some(m) = modified {
                cursor.run_newest = Some(cursor.run_newest.map_or(m, |n| n.max(m)));
            }
            match (modified, watermark) {
                (Some(m), Some(w)) if m <= w => counts.unchanged += 1,
                _ => {
                    counts.new_or_changed += 1;
                    records.push(record);
                }
            }
        }
        cursor.next_page += 1;
        let seen = u64::from(cursor.next_page) * u64::from(page_size);
        if seen < page.total && items_on_page > 0 {
            continue;
        }
        // This window is read; the next one, or the end of the run.
        cursor.next_page = 0;
        if window.start.is_some() && window.end < now {
            cursor.window = Some(window_from(window.end, now));
        } else {
            complete = true;
            break;
        }
    }

    let state = if complete {
        SyncState {
            newest_record_modified: cursor.window.map(|w| w.end).or(watermark),
            resume: None,
            ..state.clone()
        }
    } else {
        SyncState {
            resume: Some(cursor),
            ..state.clone()
        }
    };
    Ok(FetchOutcome::Batch(Box::new(Batch {
        records: Records::Nvd(records),
        state,
        counts,
        complete,
        interrupted,
        problems,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn nvd_times_both_ways() {
        assert_eq!(
            parse_nvd_time("2024-01-01T05:15:00.000"),
            Some(datetime!(2024-01-01 05:15:00 UTC))
        );
        assert_eq!(
            parse_nvd_time("2023-08-26T10:00:00Z"),
            Some(datetime!(2023-08-26 10:00:00 UTC))
        );
        assert_eq!(parse_nvd_time("26/08/2023"), None);
        assert_eq!(
            nvd_param(datetime!(2024-04-01 13:00:00 +01:00)),
            "2024-04-01T12:00:00.000+00:00"
        );
    }

    #[test]
    fn urls_carry_the_window_and_the_page() {
        let window = NvdWindow {
            start: Some(datetime!(2026-01-01 00:00:00 UTC)),
            end: datetime!(2026-05-01 00:00:00 UTC),
        };
        let url = page_url("http://127.0.0.1:1/rest/json/cves/2.0", &window, 4000, 2000).unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:1/rest/json/cves/2.0?lastModStartDate=2026-01-01T00%3A00%3A00.000%2B00%3A00\
             &lastModEndDate=2026-05-01T00%3A00%3A00.000%2B00%3A00&startIndex=4000&resultsPerPage=2000"
        );
        let full = NvdWindow {
            start: None,
            ..window
        };
        assert_eq!(
            page_url("http://127.0.0.1:1/x", &full, 0, 10)
                .unwrap()
                .query(),
            Some("startIndex=0&resultsPerPage=10")
        );
    }

    #[test]
    fn windows_never_exceed_120_days_nor_now() {
        let now = datetime!(2026-12-06 10:00:00 UTC);
        let w = window_from(datetime!(2025-01-01 00:00:00 UTC), now);
        assert_eq!(w.end - w.start.unwrap(), MAX_WINDOW);
        let w = window_from(datetime!(2026-12-01 00:00:00 UTC), now);
        assert_eq!(w.end, now);
    }

    #[test]
    fn the_key_is_never_printed() {
        let key = NvdApiKey::new(" secret-key ").unwrap();
        assert!(!format!("{key:?}").contains("secret"));
        assert!(key.header().unwrap().is_sensitive());
        assert_eq!(NvdApiKey::new("  "), None);
    }
}
