//! ENISA's EU Vulnerability Database (EUVD): the actively exploited vulnerabilities, which
//! matter under CRA Art. 14(1) because a manufacturer's reporting clock starts when it learns
//! of one in its product.
//!
//! API facts (docs/cra.md §11): reads need no authentication; `GET <base>/vulnerabilities`
//! takes `exploited=true`, `page` (0-based) and `size` (at most 100) and answers
//! `{"items": [...], "total": N}`; `GET <base>/exploitedvulnerabilities` gives only the latest
//! few. Item fields used: `id`, `description`, `datePublished`, `dateUpdated`, `baseScore`,
//! `baseScoreVersion`, `baseScoreVector`, `aliases` (newline-separated), `exploitedSince`.
//! Dates are written like `Apr 16, 2025, 7:00:16 AM` (read here as UTC; RFC 3339 is accepted
//! too). The service answers 403 to malformed parameters and to some library User-Agents, so
//! every request sends [`crate::USER_AGENT`] (or the configured one).
//!
//! Paging is resumable: each call fetches at most `euvd_max_pages` pages and returns the next
//! page in [`ResumeCursor`]; a page that fails after others succeeded ends the call with what
//! was read and a cursor pointing at the failed page. Only the first page of a fresh run is
//! sent with the stored validators, and a 304 there ends the run as not modified. That relies on
//! the list being ordered by `dateUpdated`, newest first, so that any change alters the first
//! page (true of the test fixture; not confirmed for the live service, which sent no validators
//! when cra.md §11 was written: without validators every run reads every page, which is always
//! correct). A caller that wants a full re-read anyway clears `etag` and `last_modified` in the
//! stored state, e.g. once a day.
//!
//! Records whose `dateUpdated` is after the stored watermark are returned; the watermark moves
//! only when a run completes, so records shifted between pages while a run was paging are
//! caught by the next run.

use reqwest::Url;
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

/// The largest `size` EUVD accepts; larger configured values are lowered to it (the service
/// answers 403 otherwise).
pub const MAX_PAGE_SIZE: u32 = 100;

/// One actively exploited vulnerability as EUVD lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EuvdExploited {
    /// `id`: `EUVD-YYYY-NNNNN`.
    pub euvd_id: String,
    /// The `CVE-…` entries of `aliases`, upper-cased.
    pub cve_ids: Vec<String>,
    /// The other `aliases` (GHSA ids and the like), as written.
    pub other_aliases: Vec<String>,
    /// `exploitedSince`: when exploitation became known.
    #[serde(with = "time::serde::rfc3339::option")]
    pub exploited_since: Option<OffsetDateTime>,
    /// `datePublished`.
    #[serde(with = "time::serde::rfc3339::option")]
    pub date_published: Option<OffsetDateTime>,
    /// `dateUpdated`: the record's modification time, used as the sync watermark.
    #[serde(with = "time::serde::rfc3339::option")]
    pub date_updated: Option<OffsetDateTime>,
    /// `baseScore` (CVSS base score, 0–10), when present and in range.
    pub base_score: Option<f64>,
    /// `baseScoreVersion` (`3.1`, `4.0`, …).
    pub base_score_version: Option<String>,
    /// `baseScoreVector`, the CVSS vector string.
    pub vector: Option<String>,
    /// `description`.
    pub description: String,
}

/// The item as the API writes it; scores are read loosely because the service has sent both
/// numbers and strings.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawItem {
    id: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    date_published: Option<String>,
    #[serde(default)]
    date_updated: Option<String>,
    #[serde(default)]
    base_score: Option<serde_json::Value>,
    #[serde(default)]
    base_score_version: Option<String>,
    #[serde(default)]
    base_score_vector: Option<String>,
    #[serde(default)]
    aliases: Option<String>,
    #[serde(default)]
    exploited_since: Option<String>,
}

/// Reads one item. `Err` means the item is unusable (no EUVD id, wrong shape); unreadable
/// dates become `None` and are reported in the returned warnings.
pub fn parse_item(value: &serde_json::Value) -> Result<(EuvdExploited, Vec<String>), String> {
    let raw = RawItem::deserialize(value).map_err(|e| e.to_string())?;
    let euvd_id = raw.id.unwrap_or_default().trim().to_string();
    if !euvd_id.starts_with("EUVD-") {
        return Err(format!("`id` {euvd_id:?} is not an EUVD id"));
    }
    let mut warnings = Vec::new();
    let mut date = |field: &str, text: Option<String>| {
        let text = text.filter(|t| !t.trim().is_empty())?;
        let parsed = parse_euvd_date(&text);
        if parsed.is_none() {
            warnings.push(format!("{euvd_id}: unreadable `{field}` {text:?}"));
        }
        parsed
    };
    let exploited_since = date("exploitedSince", raw.exploited_since);
    let date_published = date("datePublished", raw.date_published);
    let date_updated = date("dateUpdated", raw.date_updated);
    let (mut cve_ids, mut other_aliases) = (Vec::new(), Vec::new());
    for alias in raw.aliases.as_deref().unwrap_or("").split(['\n', '\r']) {
        let alias = alias.trim();
        if alias.is_empty() {
            continue;
        }
        if alias.len() > 4 && alias[..4].eq_ignore_ascii_case("CVE-") {
            let cve = alias.to_ascii_uppercase();
            if !cve_ids.contains(&cve) {
                cve_ids.push(cve);
            }
        } else if !other_aliases.iter().any(|a| a == alias) {
            other_aliases.push(alias.to_string());
        }
    }
    let base_score = match raw.base_score {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|s| (0.0..=10.0).contains(s));
    let non_empty = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    Ok((
        EuvdExploited {
            euvd_id,
            cve_ids,
            other_aliases,
            exploited_since,
            date_published,
            date_updated,
            base_score,
            base_score_version: non_empty(raw.base_score_version),
            vector: non_empty(raw.base_score_vector),
            description: raw.description.unwrap_or_default(),
        },
        warnings,
    ))
}

/// Reads an EUVD date: `Apr 16, 2025, 7:00:16 AM` (taken as UTC), or RFC 3339, or an ISO date
/// and time without offset (taken as UTC).
pub fn parse_euvd_date(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    let euvd = format_description!(
        "[month repr:short] [day padding:none], [year], [hour repr:12 padding:none]:[minute]:[second] [period]"
    );
    if let Ok(t) = PrimitiveDateTime::parse(text, &euvd) {
        return Some(t.assume_utc());
    }
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t);
    }
    let iso = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let whole_seconds = text.split('.').next().unwrap_or(text);
    PrimitiveDateTime::parse(whole_seconds, &iso)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

/// `<base>/vulnerabilities?exploited=true&page=N&size=M`.
pub fn page_url(base: &str, page: u32, size: u32) -> Result<Url, FeedError> {
    let mut url = Url::parse(base)
        .map_err(|e| FeedError::Config(format!("EUVD base URL is not a URL: {e}")))?;
    url.path_segments_mut()
        .map_err(|()| FeedError::Config("EUVD base URL cannot take a path".to_string()))?
        .pop_if_empty()
        .push("vulnerabilities");
    url.query_pairs_mut()
        .clear()
        .append_pair("exploited", "true")
        .append_pair("page", &page.to_string())
        .append_pair("size", &size.to_string());
    Ok(url)
}

/// One page as read.
struct Page {
    items: Vec<serde_json::Value>,
    total: Option<u64>,
    etag: Option<String>,
    last_modified: Option<String>,
    bytes: u64,
}

/// One page request: `None` for a 304.
async fn get_page(
    client: &reqwest::Client,
    source: &SourceConfig,
    url: &Url,
    page: u32,
    validators: Validators<'_>,
    limits: &FetchLimits,
) -> Result<Option<Page>, FeedError> {
    let fresh = match http::get(client, &source.id, url, validators, limits).await? {
        Answer::NotModified => return Ok(None),
        Answer::Fresh(fresh) => fresh,
    };
    let body = http::body_to_vec(fresh.response, &source.id, url, limits).await?;
    let malformed = |message: String| FeedError::Malformed {
        source_id: source.id.clone(),
        what: format!("EUVD page {page} from {}", redact_url(url)),
        message,
    };
    let value: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| malformed(format!("not JSON: {e}")))?;
    let (items, total) = match value {
        serde_json::Value::Array(items) => (items, None),
        serde_json::Value::Object(mut map) => match map.remove("items") {
            Some(serde_json::Value::Array(items)) => {
                (items, map.get("total").and_then(serde_json::Value::as_u64))
            }
            _ => return Err(malformed("no `items` list".to_string())),
        },
        _ => return Err(malformed("neither a list nor an object".to_string())),
    };
    Ok(Some(Page {
        items,
        total,
        etag: fresh.etag,
        last_modified: fresh.last_modified,
        bytes: body.len() as u64,
    }))
}

pub(crate) async fn fetch(
    client: &reqwest::Client,
    source: &SourceConfig,
    state: &SyncState,
    limits: &FetchLimits,
) -> Result<FetchOutcome, FeedError> {
    let fresh_run = state.resume.is_none();
    let mut cursor = state.resume.clone().unwrap_or(ResumeCursor {
        next_page: 0,
        page_size: limits.euvd_page_size.clamp(1, MAX_PAGE_SIZE),
        run_newest: None,
        run_etag: None,
        run_last_modified: None,
        window: None,
    });
    let page_size = cursor.page_size.clamp(1, MAX_PAGE_SIZE);
    let watermark = state.newest_record_modified;
    let mut records = Vec::new();
    let mut problems = Vec::new();
    let mut counts = SyncCounts::default();
    let mut complete = false;
    let mut interrupted = None;

    for pages_done in 0..limits.euvd_max_pages.max(1) {
        let page_no = cursor.next_page;
        let url = page_url(&source.url, page_no, page_size)?;
        let first_of_run = fresh_run && pages_done == 0;
        let validators = if first_of_run {
            Validators {
                etag: state.etag.as_deref(),
                last_modified: state.last_modified.as_deref(),
            }
        } else {
            Validators::default()
        };
        counts.requests += 1;
        let page = match get_page(client, source, &url, page_no, validators, limits).await {
            Ok(Some(page)) => page,
            Ok(None) if first_of_run => return Ok(FetchOutcome::NotModified),
            Ok(None) => {
                return Err(FeedError::Malformed {
                    source_id: source.id.clone(),
                    what: format!("EUVD page {page_no}"),
                    message: "304 Not Modified to a request without validators".to_string(),
                });
            }
            Err(e) if pages_done == 0 => return Err(e),
            Err(e) => {
                interrupted = Some(e.to_string());
                break;
            }
        };
        if first_of_run {
            cursor.run_etag = page.etag.clone();
            cursor.run_last_modified = page.last_modified.clone();
        }
        counts.bytes += page.bytes;
        let items_on_page = page.items.len();
        for (n, item) in page.items.iter().enumerate() {
            counts.fetched += 1;
            let location = format!("page {page_no} item {n}");
            let (record, warnings) = match parse_item(item) {
                Ok(parsed) => parsed,
                Err(message) => {
                    counts.malformed += 1;
                    note_problem(&mut problems, location, message);
                    continue;
                }
            };
            for warning in warnings {
                note_problem(&mut problems, location.clone(), warning);
            }
            if let Some(updated) = record.date_updated {
                cursor.run_newest = Some(cursor.run_newest.map_or(updated, |n| n.max(updated)));
            }
            match (record.date_updated, watermark) {
                (Some(updated), Some(watermark)) if updated <= watermark => counts.unchanged += 1,
                _ => {
                    counts.new_or_changed += 1;
                    records.push(record);
                }
            }
        }
        cursor.next_page += 1;
        let seen = u64::from(cursor.next_page) * u64::from(page_size);
        if items_on_page < page_size as usize || page.total.is_some_and(|t| seen >= t) {
            complete = true;
            break;
        }
    }

    let state = if complete {
        SyncState {
            etag: cursor.run_etag,
            last_modified: cursor.run_last_modified,
            newest_record_modified: match (watermark, cursor.run_newest) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            },
            resume: None,
        }
    } else {
        SyncState {
            resume: Some(cursor),
            ..state.clone()
        }
    };
    Ok(FetchOutcome::Batch(Box::new(Batch {
        records: Records::Euvd(records),
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
    fn euvd_dates_in_their_own_format() {
        let cases = [
            (
                "Apr 16, 2025, 7:00:16 AM",
                datetime!(2025-04-16 07:00:16 UTC),
            ),
            (
                "Dec 1, 2024, 12:05:00 PM",
                datetime!(2024-12-01 12:05:00 UTC),
            ),
            (
                "Dec 1, 2024, 12:05:00 AM",
                datetime!(2024-12-01 00:05:00 UTC),
            ),
            (
                "Jan 31, 2026, 11:59:59 PM",
                datetime!(2026-01-31 23:59:59 UTC),
            ),
            ("2025-04-16T07:00:16Z", datetime!(2025-04-16 07:00:16 UTC)),
            (
                "2025-04-16T07:00:16.123",
                datetime!(2025-04-16 07:00:16 UTC),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(parse_euvd_date(text), Some(want), "{text}");
        }
        assert_eq!(parse_euvd_date("16/04/2025"), None);
        assert_eq!(parse_euvd_date("Apr 31, 2025, 7:00:16 AM"), None);
    }

    #[test]
    fn items_split_aliases_and_reject_bad_ids() {
        let item = serde_json::json!({
            "id": "EUVD-2025-10001",
            "description": "x",
            "aliases": "cve-2025-0001\nGHSA-aaaa-bbbb-cccc\n\nCVE-2025-0001\n",
            "baseScore": "9.8",
            "dateUpdated": "not a date",
        });
        let (rec, warnings) = parse_item(&item).unwrap();
        assert_eq!(rec.cve_ids, ["CVE-2025-0001"]);
        assert_eq!(rec.other_aliases, ["GHSA-aaaa-bbbb-cccc"]);
        assert_eq!(rec.base_score, Some(9.8));
        assert_eq!(rec.date_updated, None);
        assert_eq!(warnings.len(), 1);
        assert!(parse_item(&serde_json::json!({"id": "CVE-2025-1"})).is_err());
        assert!(parse_item(&serde_json::json!({"id": 7})).is_err());
        assert!(parse_item(&serde_json::json!("EUVD-2025-1")).is_err());
    }

    #[test]
    fn page_urls_carry_exploited_page_and_size() {
        let url = page_url("http://127.0.0.1:1/euvd/api/", 3, 25).unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:1/euvd/api/vulnerabilities?exploited=true&page=3&size=25"
        );
    }
}
