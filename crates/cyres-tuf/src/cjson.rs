//! Canonical JSON as TUF uses it (TUF §4.2, "canonical JSON" per the OLPC definition as
//! implemented by securesystemslib).
//!
//! Signatures are computed over the canonical form of the `signed` object, so the bytes must be
//! exactly what the reference implementation produces: object keys sorted by Unicode code point
//! (equal to UTF-8 byte order), no insignificant whitespace, integers only (no floats), and in
//! strings only `\` and `"` are escaped — every other character, control characters and
//! non-ASCII included, is written as raw UTF-8.
//!
//! Keys are sorted explicitly here rather than relying on `serde_json::Map` ordering, because
//! another crate in the workspace may turn on serde_json's `preserve_order` feature.

use serde_json::Value;

use crate::error::{Error, Result};

/// Encodes `value` as canonical JSON bytes.
pub fn to_canonical(value: &Value) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(256);
    write_value(value, &mut out)?;
    Ok(out)
}

/// Encodes any serialisable value as canonical JSON bytes.
pub fn to_canonical_from<T: serde::Serialize>(value: &T) -> Result<Vec<u8>> {
    let v = serde_json::to_value(value).map_err(|e| Error::Canonical(e.to_string()))?;
    to_canonical(&v)
}

fn write_value(value: &Value, out: &mut Vec<u8>) -> Result<()> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.extend_from_slice(i.to_string().as_bytes());
            } else if let Some(u) = n.as_u64() {
                out.extend_from_slice(u.to_string().as_bytes());
            } else {
                return Err(Error::Canonical(format!("non-integer number {n}")));
            }
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item, out)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(k, out);
                out.push(b':');
                write_value(v, out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for b in s.bytes() {
        if b == b'"' || b == b'\\' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// Parses canonical JSON back into a value. Canonical JSON may contain raw control characters
/// inside strings, which strict JSON parsers reject, so those are escaped before parsing.
pub fn from_canonical(bytes: &[u8]) -> Result<Value> {
    let mut fixed = Vec::with_capacity(bytes.len());
    let mut in_string = false;
    let mut escaped = false;
    for &b in bytes {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            } else if b < 0x20 {
                fixed.extend_from_slice(format!("\\u{b:04x}").as_bytes());
                continue;
            }
        } else if b == b'"' {
            in_string = true;
        }
        fixed.push(b);
    }
    serde_json::from_slice(&fixed).map_err(|e| Error::malformed("canonical JSON", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn sorts_keys_and_escapes_only_quote_and_backslash() {
        let v = json!({"b": 1, "a": [true, null, "x\"y\\z\n\u{e9}"], "A": -3});
        let got = to_canonical(&v).unwrap();
        assert_eq!(
            got,
            "{\"A\":-3,\"a\":[true,null,\"x\\\"y\\\\z\n\u{e9}\"],\"b\":1}".as_bytes()
        );
    }

    #[test]
    fn rejects_floats() {
        assert!(to_canonical(&json!({"x": 1.5})).is_err());
    }

    fn arb_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|i| json!(i)),
            any::<u64>().prop_map(|u| json!(u)),
            ".*".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(".*", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn round_trips_and_is_byte_stable(v in arb_value()) {
            let first = to_canonical(&v).unwrap();
            let back = from_canonical(&first).unwrap();
            prop_assert_eq!(&back, &v);
            let second = to_canonical(&back).unwrap();
            prop_assert_eq!(first, second);
        }
    }
}
