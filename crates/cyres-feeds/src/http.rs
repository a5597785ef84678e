//! Conditional GET and size-limited body reading, shared by every source kind.
//!
//! Validators follow RFC 9110: the stored `ETag` goes back as `If-None-Match` (§13.1.2) and the
//! stored `Last-Modified` as `If-Modified-Since` (§13.1.3); a `304 Not Modified` (§15.4.5) means
//! the stored copy is current. Bodies are read chunk by chunk and counted, so a server that
//! announces no length (or lies about it) still cannot push more than the limit (the same
//! endless-data defence TUF clients apply, TUF §5.2).

use reqwest::header::{
    CONTENT_LENGTH, ETAG, HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, USER_AGENT,
};
use reqwest::{StatusCode, Url};
use tokio::io::AsyncWriteExt;

use crate::error::{redact_url, transport_message};
use crate::{FeedError, FetchLimits};

/// The validators to send.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Validators<'a> {
    pub etag: Option<&'a str>,
    pub last_modified: Option<&'a str>,
}

/// A successful answer: the response (body unread) and its validators.
#[derive(Debug)]
pub(crate) struct Fresh {
    pub response: reqwest::Response,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// The answer to a conditional GET.
#[derive(Debug)]
pub(crate) enum Answer {
    NotModified,
    Fresh(Fresh),
}

/// Sends a GET with the validators and checks status and announced length.
pub(crate) async fn get(
    client: &reqwest::Client,
    source_id: &str,
    url: &Url,
    validators: Validators<'_>,
    limits: &FetchLimits,
) -> Result<Answer, FeedError> {
    get_with(client, source_id, url, validators, limits, None).await
}

/// [`get`] with one more header (NVD's `apiKey`), which the caller marks sensitive so that it
/// never appears in a debug print of the request.
pub(crate) async fn get_with(
    client: &reqwest::Client,
    source_id: &str,
    url: &Url,
    validators: Validators<'_>,
    limits: &FetchLimits,
    extra: Option<(&str, reqwest::header::HeaderValue)>,
) -> Result<Answer, FeedError> {
    let mut request = client
        .get(url.clone())
        .header(USER_AGENT, limits.user_agent.as_str())
        .timeout(limits.request_timeout);
    if let Some(etag) = validators.etag {
        request = request.header(IF_NONE_MATCH, etag);
    }
    if let Some(date) = validators.last_modified {
        request = request.header(IF_MODIFIED_SINCE, date);
    }
    if let Some((name, value)) = extra {
        request = request.header(name, value);
    }
    let response = request.send().await.map_err(|e| FeedError::Transport {
        source_id: source_id.to_string(),
        url: redact_url(url),
        message: transport_message(e),
    })?;
    let status = response.status();
    if status == StatusCode::NOT_MODIFIED {
        return Ok(Answer::NotModified);
    }
    if !status.is_success() {
        return Err(FeedError::Status {
            source_id: source_id.to_string(),
            url: redact_url(url),
            status: status.as_u16(),
        });
    }
    if let Some(announced) = announced_length(response.headers())
        && announced > limits.max_download_bytes
    {
        return Err(FeedError::TooLarge {
            source_id: source_id.to_string(),
            what: format!("the response from {}", redact_url(url)),
            limit: limits.max_download_bytes,
            seen: announced,
        });
    }
    let etag = header_text(response.headers(), ETAG);
    let last_modified = header_text(response.headers(), LAST_MODIFIED);
    Ok(Answer::Fresh(Fresh {
        response,
        etag,
        last_modified,
    }))
}

fn announced_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn header_text(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    let text = headers.get(name)?.to_str().ok()?.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// Reads the whole body into memory, at most `limits.max_download_bytes`.
pub(crate) async fn body_to_vec(
    mut response: reqwest::Response,
    source_id: &str,
    url: &Url,
    limits: &FetchLimits,
) -> Result<Vec<u8>, FeedError> {
    let mut body = Vec::new();
    while let Some(chunk) = next_chunk(&mut response, source_id, url).await? {
        check_limit(
            body.len() as u64 + chunk.len() as u64,
            source_id,
            url,
            limits,
        )?;
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Streams the body into `file`, at most `limits.max_download_bytes`; returns the byte count.
pub(crate) async fn body_to_file(
    mut response: reqwest::Response,
    file: &mut tokio::fs::File,
    source_id: &str,
    url: &Url,
    limits: &FetchLimits,
) -> Result<u64, FeedError> {
    let mut written = 0u64;
    let io = |source| FeedError::Io {
        context: format!("{source_id}: writing the download to a temporary file"),
        source,
    };
    while let Some(chunk) = next_chunk(&mut response, source_id, url).await? {
        written += chunk.len() as u64;
        check_limit(written, source_id, url, limits)?;
        file.write_all(&chunk).await.map_err(io)?;
    }
    file.flush().await.map_err(io)?;
    Ok(written)
}

async fn next_chunk(
    response: &mut reqwest::Response,
    source_id: &str,
    url: &Url,
) -> Result<Option<bytes::Bytes>, FeedError> {
    response.chunk().await.map_err(|e| FeedError::Transport {
        source_id: source_id.to_string(),
        url: redact_url(url),
        message: format!("while reading the body: {}", transport_message(e)),
    })
}

fn check_limit(
    seen: u64,
    source_id: &str,
    url: &Url,
    limits: &FetchLimits,
) -> Result<(), FeedError> {
    if seen > limits.max_download_bytes {
        return Err(FeedError::TooLarge {
            source_id: source_id.to_string(),
            what: format!("the response from {}", redact_url(url)),
            limit: limits.max_download_bytes,
            seen,
        });
    }
    Ok(())
}
