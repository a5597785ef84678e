//! Reading user-supplied documents (catalogues, product profiles) that come as TOML or JSON.
//!
//! Both formats are lowered to one `serde_json::Value` first, so each document type has one
//! deserialiser and one validator whichever syntax the user chose. TOML dates (`2028-03-01`, a
//! TOML local date) become strings in that step, which the date fields then parse.

use serde_json::Value;

/// The document syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// TOML 1.0.
    Toml,
    /// JSON.
    Json,
}

impl Syntax {
    /// The name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Syntax::Toml => "TOML",
            Syntax::Json => "JSON",
        }
    }

    /// Guesses the syntax: a document whose first non-blank character is `{` is JSON.
    pub fn sniff(text: &str) -> Syntax {
        if text.trim_start().starts_with('{') {
            Syntax::Json
        } else {
            Syntax::Toml
        }
    }
}

/// Parses `text` in `syntax` into a JSON value. The error is the parser's message.
pub fn to_json_value(text: &str, syntax: Syntax) -> Result<Value, String> {
    match syntax {
        Syntax::Json => serde_json::from_str(text).map_err(|e| e.to_string()),
        Syntax::Toml => {
            let table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
            Ok(toml_to_json(toml::Value::Table(table)))
        }
    }
}

fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_dates_become_strings() {
        let v = to_json_value("d = 2028-03-01\nn = 3\n[t]\nx = [\"a\"]", Syntax::Toml).unwrap();
        assert_eq!(v["d"], "2028-03-01");
        assert_eq!(v["n"], 3);
        assert_eq!(v["t"]["x"][0], "a");
        assert_eq!(Syntax::sniff("  {\"a\":1}"), Syntax::Json);
        assert_eq!(Syntax::sniff("a = 1"), Syntax::Toml);
        assert!(to_json_value("a = ", Syntax::Toml).is_err());
    }
}
