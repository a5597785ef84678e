//! Length caps on free text, in one place: every free-text field a person or a peer can send
//! (titles, names, references, notes, and every string inside the JSON bodies the store keeps:
//! case bodies, authority actions) is bounded here before it is written, so no route can store
//! an unbounded string whatever its own checks forget. Counts are in characters (what a
//! person sees), refusals name the field and the limit.

use crate::StoreError;
use serde_json::Value;

/// Titles (cases, proposals).
pub const TITLE: usize = 300;
/// Names (display names, labels, token names).
pub const NAME: usize = 200;
/// References (evidence, portal references, ticket numbers).
pub const REFERENCE: usize = 500;
/// Any other string inside a stored JSON body (descriptions, notes, measures).
pub const LONG_TEXT: usize = 20_000;
/// Nesting depth of a stored JSON body.
pub const DEPTH: usize = 16;
/// Items in one array or object of a stored JSON body.
pub const ITEMS: usize = 2_000;

/// Refuses `value` when it is longer than `max` characters, naming `field`.
pub fn bounded(field: &str, value: &str, max: usize) -> Result<(), StoreError> {
    if value.len() > max && value.chars().count() > max {
        return Err(StoreError::invalid(
            field,
            format!("at most {max} characters (got {})", value.chars().count()),
        ));
    }
    Ok(())
}

/// The cap for a string under `key` inside a stored JSON body.
fn cap_for(key: &str) -> usize {
    match key {
        "title" => TITLE,
        "name" | "label" | "display_name" | "product" | "manufacturer" => NAME,
        "reference" | "portal_reference" | "ticket" => REFERENCE,
        _ => LONG_TEXT,
    }
}

/// Bounds every string, the depth and the width of a JSON body the store keeps; `root` names
/// the body in messages (`body.evidence[2].reference: at most 500 characters`).
pub fn bounded_json(root: &str, value: &Value) -> Result<(), StoreError> {
    walk(root, "", value, 0)
}

fn walk(path: &str, key: &str, value: &Value, depth: usize) -> Result<(), StoreError> {
    if depth > DEPTH {
        return Err(StoreError::invalid(
            path,
            format!("nested deeper than {DEPTH} levels"),
        ));
    }
    match value {
        Value::String(s) => bounded(path, s, cap_for(key)),
        Value::Array(items) => {
            if items.len() > ITEMS {
                return Err(StoreError::invalid(path, format!("at most {ITEMS} items")));
            }
            for (i, v) in items.iter().enumerate() {
                walk(&format!("{path}[{i}]"), key, v, depth + 1)?;
            }
            Ok(())
        }
        Value::Object(map) => {
            if map.len() > ITEMS {
                return Err(StoreError::invalid(path, format!("at most {ITEMS} fields")));
            }
            for (k, v) in map {
                bounded(&format!("{path}: a field name"), k, NAME)?;
                walk(&format!("{path}.{k}"), k, v, depth + 1)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The JSON text of `value` for a TEXT column. A value that cannot be serialised is an error
/// naming `what`, never an empty string in the row.
pub(crate) fn json_text<T: serde::Serialize + ?Sized>(
    what: &'static str,
    value: &T,
) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt {
        what,
        message: e.to_string(),
    })
}

/// The value a JSON TEXT column holds. Text that does not read back is an error naming the
/// column ([`StoreError::Corrupt`]), never an empty default that looks like "nothing stored".
pub(crate) fn json_column<T: serde::de::DeserializeOwned>(
    r: &sqlx::any::AnyRow,
    column: &'static str,
) -> Result<T, StoreError> {
    use sqlx::Row;
    json_value(&r.try_get::<String, _>(column)?, column)
}

/// Stored JSON text read back as `T`; text that does not read is [`StoreError::Corrupt`]
/// naming `what`.
pub(crate) fn json_value<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &'static str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        what,
        message: e.to_string(),
    })
}

/// Like [`json_column`] for a nullable column: NULL is `None`, unreadable text an error.
pub(crate) fn json_column_opt<T: serde::de::DeserializeOwned>(
    r: &sqlx::any::AnyRow,
    column: &'static str,
) -> Result<Option<T>, StoreError> {
    use sqlx::Row;
    let Some(text) = r.try_get::<Option<String>, _>(column)? else {
        return Ok(None);
    };
    json_value(&text, column).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn caps_name_the_field_and_the_limit() {
        assert!(bounded("title", &"é".repeat(TITLE), TITLE).is_ok());
        let e = bounded("title", &"a".repeat(TITLE + 1), TITLE).unwrap_err();
        assert_eq!(e.to_string(), "title: at most 300 characters (got 301)");
        let body = json!({"evidence": [{"reference": "x"}, {"reference": "r".repeat(501)}]});
        let e = bounded_json("body", &body).unwrap_err().to_string();
        assert!(
            e.starts_with("body.evidence[1].reference: at most 500"),
            "{e}"
        );
        let body = json!({"description": "d".repeat(LONG_TEXT + 1)});
        assert!(bounded_json("body", &body).is_err());
        let mut deep = json!("x");
        for _ in 0..=DEPTH {
            deep = json!([deep]);
        }
        assert!(
            bounded_json("body", &deep)
                .unwrap_err()
                .to_string()
                .contains("deeper")
        );
        assert!(bounded_json("body", &json!({"a": [1, 2, {"b": "ok"}]})).is_ok());
    }
}
