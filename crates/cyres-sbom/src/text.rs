//! A string field that borrows from the input whenever it can.
//!
//! Why: serde only borrows a `Cow<str>` when it is the field's type itself; inside `Option` or
//! `Vec` it always allocates. [`Text`] borrows through any container (JSON strings without
//! escapes), allocates only when it must (escapes, YAML), and also accepts a number or a boolean
//! where a string is expected (`"version": 1`, YAML `versionInfo: 1.0`), because producers do
//! write those and a version that is a number is still a version.

use serde::de::{Deserialize, Deserializer, Error, Visitor};
use std::borrow::Cow;
use std::fmt;

/// A borrowed-when-possible string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Text<'a>(pub(crate) Cow<'a, str>);

impl Text<'_> {
    /// The string.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
            fn visit_i64<E: Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_u64<E: Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_f64<E: Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_bool<E: Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// The trimmed string, or `None` when absent or blank: an empty `name`, `version` or `purl` says
/// nothing, and the diagnostics then report it as missing.
pub(crate) fn owned(t: Option<&Text<'_>>) -> Option<String> {
    non_blank(t.map(Text::as_str))
}

/// The trimmed string, or `None` when absent or blank.
pub(crate) fn non_blank(s: Option<&str>) -> Option<String> {
    let s = s?.trim();
    if s.is_empty() {
        None
    } else {
        Some(s.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrows_plain_json_strings_and_accepts_numbers() {
        let v: Vec<Text<'_>> = serde_json::from_str(r#"["a", "b\u0041", 1, 2.5, true]"#).unwrap();
        assert!(matches!(v[0].0, Cow::Borrowed("a")));
        assert!(matches!(v[1].0, Cow::Owned(ref s) if s == "bA"));
        assert_eq!(v[2].as_str(), "1");
        assert_eq!(v[3].as_str(), "2.5");
        assert_eq!(v[4].as_str(), "true");
        assert!(serde_json::from_str::<Text<'_>>("{}").is_err());
    }

    #[test]
    fn blank_is_none() {
        assert_eq!(non_blank(Some("  ")), None);
        assert_eq!(non_blank(Some(" x ")), Some("x".into()));
    }
}
