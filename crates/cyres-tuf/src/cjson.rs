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

/// The canonical JSON of member `name` of the JSON object in `bytes` (the `signed` object of a
/// metadata file), written while parsing: no `Value` tree is built, so a large targets role
/// costs about its own size rather than several times it (devices with a few MiB of memory).
/// The result equals [`to_canonical`] of the parsed member: the same integers-only rule, and a
/// key repeated in one object keeps its last value, as `serde_json::Value` does.
pub fn member_to_canonical(bytes: &[u8], name: &str) -> Result<Vec<u8>> {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let found = Member { name }
        .deserialize(&mut de)
        .and_then(|found| de.end().map(|()| found))
        .map_err(|e| Error::malformed("metadata", e))?;
    found.ok_or_else(|| Error::malformed("metadata", format!("no {name}")))
}

/// Finds one member of the top-level object and canonicalises it; skips the others.
struct Member<'n> {
    name: &'n str,
}

impl<'de> serde::de::DeserializeSeed<'de> for Member<'_> {
    type Value = Option<Vec<u8>>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Member<'_> {
    type Value = Option<Vec<u8>>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == self.name {
                let mut out = Vec::new();
                map.next_value_seed(Canon(&mut out))?;
                found = Some(out);
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// Writes the canonical form of whatever JSON value it is handed.
struct Canon<'o>(&'o mut Vec<u8>);

impl<'de> serde::de::DeserializeSeed<'de> for Canon<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Canon<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.0.extend_from_slice(b"null");
        Ok(())
    }
    fn visit_bool<E>(self, b: bool) -> Result<(), E> {
        self.0.extend_from_slice(if b { b"true" } else { b"false" });
        Ok(())
    }
    fn visit_i64<E>(self, i: i64) -> Result<(), E> {
        self.0.extend_from_slice(i.to_string().as_bytes());
        Ok(())
    }
    fn visit_u64<E>(self, u: u64) -> Result<(), E> {
        self.0.extend_from_slice(u.to_string().as_bytes());
        Ok(())
    }
    fn visit_f64<E: serde::de::Error>(self, f: f64) -> Result<(), E> {
        Err(E::custom(format!(
            "cannot encode as canonical JSON: non-integer number {f}"
        )))
    }
    fn visit_str<E>(self, s: &str) -> Result<(), E> {
        write_string(s, self.0);
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.push(b'[');
        let mut first = true;
        loop {
            let mark = self.0.len();
            if !first {
                self.0.push(b',');
            }
            if seq.next_element_seed(Canon(self.0))?.is_none() {
                self.0.truncate(mark);
                break;
            }
            first = false;
        }
        self.0.push(b']');
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Sorted by key bytes (= code points); a repeated key keeps its last value.
        let mut members: std::collections::BTreeMap<String, Vec<u8>> =
            std::collections::BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let mut value = Vec::new();
            map.next_value_seed(Canon(&mut value))?;
            members.insert(key, value);
        }
        self.0.push(b'{');
        for (i, (k, v)) in members.into_iter().enumerate() {
            if i > 0 {
                self.0.push(b',');
            }
            write_string(&k, self.0);
            self.0.push(b':');
            self.0.extend_from_slice(&v);
        }
        self.0.push(b'}');
        Ok(())
    }
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

    #[test]
    fn member_canonical_matches_the_value_path() {
        let bytes = br#"{"signatures": [{"x": 1.5}], "signed": {"b": [1, -7, "\u00e9\n"], "a": {"k": 1, "k": 2}}}"#;
        let v: Value = serde_json::from_slice(bytes).unwrap();
        assert_eq!(
            member_to_canonical(bytes, "signed").unwrap(),
            to_canonical(&v["signed"]).unwrap()
        );
        assert!(member_to_canonical(br#"{"signed": {"x": 1.5}}"#, "signed").is_err());
        assert!(member_to_canonical(br#"{"other": 1}"#, "signed").is_err());
        assert!(member_to_canonical(br#"[1]"#, "signed").is_err());
        assert!(member_to_canonical(br#"{"signed": 1} trailing"#, "signed").is_err());
    }

    proptest! {
        #[test]
        fn member_canonical_equals_to_canonical(v in arb_value()) {
            let bytes = serde_json::to_vec(&json!({"signatures": [], "signed": v})).unwrap();
            prop_assert_eq!(member_to_canonical(&bytes, "signed").unwrap(), to_canonical(&v).unwrap());
        }

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
