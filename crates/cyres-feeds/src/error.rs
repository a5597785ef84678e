//! The crate's one error type.
//!
//! Every variant carries enough context to act on (which source, which URL, which SMTP step),
//! and none carries a secret: URLs are shown without user info or query string (a token in a
//! webhook or feed URL must not reach a log), and SMTP errors never echo the credentials.

use thiserror::Error;

/// Everything that can go wrong at the network edge.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum FeedError {
    /// The request could not be sent or the connection broke (DNS, TCP, TLS, timeout).
    #[error("{source_id}: request to {url} failed: {message}")]
    Transport {
        /// The configured source (or `webhook`).
        source_id: String,
        /// The URL, redacted.
        url: String,
        /// The transport error, without the URL.
        message: String,
    },
    /// The server answered with a status that is neither success nor 304.
    #[error("{source_id}: {url} answered HTTP {status}")]
    Status {
        /// The configured source.
        source_id: String,
        /// The URL, redacted.
        url: String,
        /// The HTTP status code.
        status: u16,
    },
    /// A download or an unpacked record went over its configured size limit.
    #[error("{source_id}: {what} is larger than the limit of {limit} bytes ({seen} bytes seen)")]
    TooLarge {
        /// The configured source.
        source_id: String,
        /// What was too large (the download, a zip entry, the unpacked archive).
        what: String,
        /// The limit in bytes.
        limit: u64,
        /// How many bytes were seen (or announced) when the limit was hit.
        seen: u64,
    },
    /// The response arrived whole but is not what the source kind promises.
    #[error("{source_id}: malformed {what}: {message}")]
    Malformed {
        /// The configured source.
        source_id: String,
        /// What was being read (`KEV catalogue`, `OSV all.zip`, `EUVD page 3`).
        what: String,
        /// The parser's message.
        message: String,
    },
    /// A configuration value cannot be used (bad URL, header injection in a mail field, …).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Local I/O failed (temporary file, socket).
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The SMTP conversation failed at one step.
    #[error("SMTP {step}: {message}")]
    Smtp {
        /// The command that failed (`connect`, `EHLO`, `AUTH`, `MAIL FROM`, `RCPT TO`, `DATA`, …).
        step: &'static str,
        /// The server's reply or the local reason. Never contains credentials.
        message: String,
    },
}

/// Shows a URL without user info, query or fragment, so that tokens and passwords embedded in
/// configured URLs never reach an error message or a log line.
pub fn redact_url(url: &reqwest::Url) -> String {
    let mut shown = format!("{}://", url.scheme());
    if let Some(host) = url.host_str() {
        shown.push_str(host);
    }
    if let Some(port) = url.port() {
        shown.push_str(&format!(":{port}"));
    }
    shown.push_str(url.path());
    if url.query().is_some() {
        shown.push_str("?…");
    }
    shown
}

/// A transport error's text: its class only ("connection failed", "timed out", "refused by
/// policy"), never the URL or the remote port's state.
pub(crate) fn transport_message(err: reqwest::Error) -> String {
    crate::outbound::failure_class(&err).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_drops_user_info_and_query() {
        let url =
            reqwest::Url::parse("https://user:hunter2@example.org:8443/hook/path?token=s3cret#x")
                .unwrap();
        let shown = redact_url(&url);
        assert_eq!(shown, "https://example.org:8443/hook/path?…");
        assert!(!shown.contains("hunter2") && !shown.contains("s3cret"));
    }
}
