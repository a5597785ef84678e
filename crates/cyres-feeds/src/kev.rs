//! CISA KEV: the Known Exploited Vulnerabilities catalogue, one JSON document
//! (<https://www.cisa.gov/known-exploited-vulnerabilities-catalog>).
//!
//! The catalogue is small (about 1,400 entries) and has no per-entry modification time, and
//! CISA edits old entries (the ransomware flag, notes), so a changed download is returned whole
//! and the store replaces its copy. The counts still split entries whose `dateAdded` is after
//! the watermark ("new") from the rest ("unchanged") for the sync log. Parsing is
//! `cyres_vuln::kev::parse_kev`, the same reader `cyres scan` uses.

use reqwest::Url;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use crate::error::redact_url;
use crate::http::{self, Answer, Validators};
use crate::{
    Batch, FeedError, FetchLimits, FetchOutcome, Records, SourceConfig, SyncCounts, SyncState,
};

pub(crate) async fn fetch(
    client: &reqwest::Client,
    source: &SourceConfig,
    state: &SyncState,
    limits: &FetchLimits,
) -> Result<FetchOutcome, FeedError> {
    let url = Url::parse(&source.url)
        .map_err(|e| FeedError::Config(format!("{}: KEV URL is not a URL: {e}", source.id)))?;
    let validators = Validators {
        etag: state.etag.as_deref(),
        last_modified: state.last_modified.as_deref(),
    };
    let fresh = match http::get(client, &source.id, &url, validators, limits).await? {
        Answer::NotModified => return Ok(FetchOutcome::NotModified),
        Answer::Fresh(fresh) => fresh,
    };
    let body = http::body_to_vec(fresh.response, &source.id, &url, limits).await?;
    let entries = cyres_vuln::kev::parse_kev(&body).map_err(|message| FeedError::Malformed {
        source_id: source.id.clone(),
        what: format!("KEV catalogue from {}", redact_url(&url)),
        message,
    })?;

    let mut counts = SyncCounts {
        fetched: entries.len(),
        bytes: body.len() as u64,
        requests: 1,
        ..SyncCounts::default()
    };
    let mut newest = state.newest_record_modified;
    for entry in &entries {
        let added = kev_date(&entry.date_added);
        if let Some(added) = added {
            newest = Some(newest.map_or(added, |n| n.max(added)));
        }
        match (added, state.newest_record_modified) {
            (Some(added), Some(watermark)) if added <= watermark => counts.unchanged += 1,
            _ => counts.new_or_changed += 1,
        }
    }
    Ok(FetchOutcome::Batch(Box::new(Batch {
        records: Records::Kev(entries),
        state: SyncState {
            etag: fresh.etag,
            last_modified: fresh.last_modified,
            newest_record_modified: newest,
            resume: None,
        },
        counts,
        complete: true,
        interrupted: None,
        problems: Vec::new(),
    })))
}

/// KEV `dateAdded` (`YYYY-MM-DD`) as midnight UTC.
fn kev_date(text: &str) -> Option<OffsetDateTime> {
    let format = format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format)
        .ok()
        .map(|d| d.midnight().assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kev_dates_are_midnight_utc() {
        let d = kev_date("2025-08-25").unwrap();
        assert_eq!((d.year(), d.hour(), d.offset().is_utc()), (2025, 0, true));
        assert!(kev_date("25/08/2025").is_none());
    }
}
