//! Small helpers the Article 14 forms share: reading times typed into `datetime-local` fields,
//! one select option, and turning a refused API call into a form error.
//!
//! Times on every page are UTC (the footer says so), so a `datetime-local` value without an
//! offset (`2026-09-21T08:00`) is read as UTC; an RFC 3339 time with an offset is taken as is.

use super::view::{Form, UiError};
use crate::ApiError;
use axum::http::StatusCode;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, PrimitiveDateTime};

/// One option of a select, radio group or checkbox list.
pub(super) struct Choice {
    /// Submitted value.
    pub value: String,
    /// Label for people.
    pub label: String,
}

impl Choice {
    /// A choice.
    pub(super) fn new(value: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            label: label.into(),
        }
    }
}

/// Choices whose values are the serde words of the items (the API's words), so a form posts
/// what the API reads; a value without a word is an error, never an empty option.
pub(super) fn word_choices<'a, T: serde::Serialize + 'a>(
    what: &str,
    items: impl IntoIterator<Item = (&'a T, &'a str)>,
) -> Result<Vec<Choice>, UiError> {
    items
        .into_iter()
        .map(|(v, label)| Ok(Choice::new(crate::service::serde_word(what, v)?, label)))
        .collect()
}

/// Reads a time field: empty gives `None`; an unreadable value records an error on the field.
pub(super) fn time_field(form: &mut Form, field: &str) -> Option<OffsetDateTime> {
    let raw = form.get(field).to_string();
    if raw.is_empty() {
        return None;
    }
    match parse_time(&raw) {
        Some(t) => Some(t),
        None => {
            form.fail(
                field,
                format!("{raw:?} is not a time; use YYYY-MM-DD HH:MM (UTC)"),
            );
            None
        }
    }
}

/// A `datetime-local` value (UTC) or an RFC 3339 time.
pub(super) fn parse_time(raw: &str) -> Option<OffsetDateTime> {
    if let Ok(t) = OffsetDateTime::parse(raw, &Rfc3339) {
        return Some(t);
    }
    let local = raw.replace(' ', "T");
    let with_seconds = if local.len() == 16 {
        format!("{local}:00")
    } else {
        local
    };
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    PrimitiveDateTime::parse(&with_seconds, &fmt)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

/// RFC 3339 text of a time, as the API's shared handlers take it.
pub(super) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// `2026-09-21T08:00`, the value a `datetime-local` field shows.
pub(super) fn local_value(unix: i64) -> String {
    match OffsetDateTime::from_unix_timestamp(unix) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        ),
        Err(_) => String::new(),
    }
}

/// A refused call: a 422 or 409 is shown on the form (next to its field, or at the top);
/// anything else (403, 404, 429 …) becomes the error page.
pub(super) fn to_form(form: &mut Form, e: impl Into<ApiError>) -> Result<(), UiError> {
    let e: ApiError = e.into();
    if matches!(
        e.status,
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT
    ) {
        form.fail_api(&e);
        Ok(())
    } else {
        Err(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_and_rfc3339_times_read_as_utc() {
        let t = parse_time("2026-09-21T08:00").unwrap();
        assert_eq!(t.unix_timestamp(), 1_789_977_600);
        assert_eq!(parse_time("2026-09-21 08:00:00"), Some(t));
        assert_eq!(parse_time("2026-09-21T10:00:00+02:00").unwrap(), t);
        assert_eq!(parse_time("tomorrow"), None);
        assert_eq!(local_value(1_789_977_600), "2026-09-21T08:00");
        assert_eq!(rfc3339(t), "2026-09-21T08:00:00Z");
        let mut f = Form::new(vec![("at".into(), "soon".into())]);
        assert_eq!(time_field(&mut f, "at"), None);
        assert!(f.error("at").unwrap().contains("\"soon\""));
    }
}
