//! RFC 3339 times in UTC to and from Unix seconds.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Unix seconds as RFC 3339 in UTC (`2026-12-06T10:00:00Z`).
pub(crate) fn format(secs: i64) -> String {
    OffsetDateTime::from_unix_timestamp(secs)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .format(&Rfc3339)
        .expect("a UTC time formats")
}

/// RFC 3339 to Unix seconds (fractions dropped); `None` when unreadable.
pub(crate) fn parse(s: &str) -> Option<i64> {
    OffsetDateTime::parse(s, &Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}
