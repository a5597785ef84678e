//! OSV: one ecosystem's `all.zip` from osv.dev's bucket layout (`<base>/<ecosystem>/all.zip`,
//! one `<ID>.json` OSV record per entry; <https://google.github.io/osv.dev/data/#data-dumps>).
//!
//! The archive is streamed to an unnamed temporary file (it runs to hundreds of MiB for the big
//! ecosystems) and read on a blocking thread. Each entry is checked against the per-record and
//! total unpack limits before it is read, and read through a `take` so a lying header cannot
//! inflate it. A record whose JSON or `modified` cannot be read is counted as malformed and
//! skipped; the others are returned only when their `modified` is newer than the watermark
//! (OSV schema: `modified` is required and is an RFC 3339 UTC time).

use std::io::Read;

use cyres_vuln::advisory::Advisory;
use reqwest::Url;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::redact_url;
use crate::http::{self, Answer, Validators};
use crate::source::note_problem;
use crate::{
    Batch, FeedError, FetchLimits, FetchOutcome, RecordProblem, Records, SourceConfig, SyncCounts,
    SyncState,
};

/// `<base>/<ecosystem>/all.zip`, with the ecosystem percent-encoded as one path segment.
pub fn all_zip_url(base: &str, ecosystem: &str) -> Result<Url, FeedError> {
    let mut url = Url::parse(base)
        .map_err(|e| FeedError::Config(format!("OSV base URL is not a URL: {e}")))?;
    url.path_segments_mut()
        .map_err(|()| FeedError::Config("OSV base URL cannot take a path".to_string()))?
        .pop_if_empty()
        .push(ecosystem)
        .push("all.zip");
    Ok(url)
}

pub(crate) async fn fetch(
    client: &reqwest::Client,
    source: &SourceConfig,
    ecosystem: &str,
    state: &SyncState,
    limits: &FetchLimits,
) -> Result<FetchOutcome, FeedError> {
    let url = all_zip_url(&source.url, ecosystem)?;
    let validators = Validators {
        etag: state.etag.as_deref(),
        last_modified: state.last_modified.as_deref(),
    };
    let fresh = match http::get(client, &source.id, &url, validators, limits).await? {
        Answer::NotModified => return Ok(FetchOutcome::NotModified),
        Answer::Fresh(fresh) => fresh,
    };
    let io = |context: &str| {
        let context = format!("{}: {context}", source.id);
        move |source| FeedError::Io { context, source }
    };
    let temp = tempfile::tempfile().map_err(io("creating a temporary file"))?;
    let mut file = tokio::fs::File::from_std(temp);
    let bytes = http::body_to_file(fresh.response, &mut file, &source.id, &url, limits).await?;
    let file = file.into_std().await;

    let source_id = source.id.clone();
    let shown_url = redact_url(&url);
    let watermark = state.newest_record_modified;
    let read_limits = limits.clone();
    let read = tokio::task::spawn_blocking(move || {
        read_archive(file, &source_id, &shown_url, watermark, &read_limits)
    })
    .await
    .map_err(|e| FeedError::Io {
        context: format!("{}: reading the archive", source.id),
        source: std::io::Error::other(e.to_string()),
    })??;

    let mut counts = read.counts;
    counts.bytes = bytes;
    counts.requests = 1;
    let newest = match (state.newest_record_modified, read.newest) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    Ok(FetchOutcome::Batch(Box::new(Batch {
        records: Records::Osv(read.advisories),
        state: SyncState {
            etag: fresh.etag,
            last_modified: fresh.last_modified,
            newest_record_modified: newest,
            resume: None,
        },
        counts,
        complete: true,
        interrupted: None,
        problems: read.problems,
    })))
}

/// What reading one archive produced.
#[derive(Debug)]
struct ArchiveRead {
    advisories: Vec<Advisory>,
    counts: SyncCounts,
    problems: Vec<RecordProblem>,
    newest: Option<OffsetDateTime>,
}

fn read_archive(
    file: std::fs::File,
    source_id: &str,
    shown_url: &str,
    watermark: Option<OffsetDateTime>,
    limits: &FetchLimits,
) -> Result<ArchiveRead, FeedError> {
    let malformed = |message: String| FeedError::Malformed {
        source_id: source_id.to_string(),
        what: format!("OSV archive from {shown_url}"),
        message,
    };
    let mut archive = zip::ZipArchive::new(file)
        .map_err(|e| malformed(format!("not a readable zip archive: {e}")))?;
    let mut out = ArchiveRead {
        advisories: Vec::new(),
        counts: SyncCounts::default(),
        problems: Vec::new(),
        newest: None,
    };
    let mut unpacked = 0u64;
    let mut buf = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|e| malformed(format!("entry {index}: {e}")))?;
        let Ok(name) = entry.name().map(|n| n.into_owned()) else {
            continue; // Not UTF-8, so not an `<ID>.json` record.
        };
        if entry.is_dir() || !name.ends_with(".json") {
            continue;
        }
        out.counts.fetched += 1;
        if entry.size() > limits.max_record_bytes {
            out.counts.malformed += 1;
            let message = format!(
                "{} bytes unpacked, over the record limit of {}",
                entry.size(),
                limits.max_record_bytes
            );
            note_problem(&mut out.problems, name, message);
            continue;
        }
        buf.clear();
        let read = (&mut entry)
            .take(limits.max_record_bytes + 1)
            .read_to_end(&mut buf);
        unpacked += buf.len() as u64;
        if unpacked > limits.max_unpacked_bytes {
            return Err(FeedError::TooLarge {
                source_id: source_id.to_string(),
                what: format!("the unpacked OSV archive from {shown_url}"),
                limit: limits.max_unpacked_bytes,
                seen: unpacked,
            });
        }
        if let Err(e) = read {
            out.counts.malformed += 1;
            note_problem(&mut out.problems, name, format!("cannot unpack: {e}"));
            continue;
        }
        if buf.len() as u64 > limits.max_record_bytes {
            out.counts.malformed += 1;
            let message = format!("over the record limit of {}", limits.max_record_bytes);
            note_problem(&mut out.problems, name, message);
            continue;
        }
        let advisory = match Advisory::from_json(&buf) {
            Ok(a) if !a.id.is_empty() => a,
            Ok(_) => {
                out.counts.malformed += 1;
                note_problem(&mut out.problems, name, "record has no `id`".to_string());
                continue;
            }
            Err(e) => {
                out.counts.malformed += 1;
                note_problem(&mut out.problems, name, format!("not an OSV record: {e}"));
                continue;
            }
        };
        let Some(modified) = advisory.modified.as_deref().and_then(parse_osv_time) else {
            out.counts.malformed += 1;
            let message = format!(
                "{}: `modified` is missing or not an RFC 3339 time",
                advisory.id
            );
            note_problem(&mut out.problems, name, message);
            continue;
        };
        out.newest = Some(out.newest.map_or(modified, |n| n.max(modified)));
        if watermark.is_some_and(|w| modified <= w) {
            out.counts.unchanged += 1;
        } else {
            out.counts.new_or_changed += 1;
            out.advisories.push(advisory);
        }
    }
    Ok(out)
}

/// Reads an OSV timestamp (RFC 3339, as the schema requires).
pub(crate) fn parse_osv_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text.trim(), &Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_follows_the_bucket_layout() {
        let url = all_zip_url("http://127.0.0.1:9/osv/", "PyPI").unwrap();
        assert_eq!(url.as_str(), "http://127.0.0.1:9/osv/PyPI/all.zip");
        let url = all_zip_url("https://bucket.example", "Red Hat").unwrap();
        assert_eq!(url.as_str(), "https://bucket.example/Red%20Hat/all.zip");
        assert!(all_zip_url("not a url", "PyPI").is_err());
    }

    #[test]
    fn osv_times_parse_with_and_without_fractions() {
        let a = parse_osv_time("2024-10-10T12:00:00Z").unwrap();
        let b = parse_osv_time("2024-10-10T12:00:00.123456Z").unwrap();
        assert!(b > a);
        assert!(parse_osv_time("yesterday").is_none());
    }
}
