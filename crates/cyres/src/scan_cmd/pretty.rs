//! The indented JSON layout of `cyres scan` (`--format json` and `sarif`), written faster.
//!
//! The bytes are exactly those of `serde_json::to_writer_pretty` (two spaces per level, `": "`
//! between key and value, empty arrays and objects as `[]` and `{}`); the documented output
//! must not change. Why a formatter of our own: serde_json's pretty formatter writes the
//! indentation one level at a time, one `write_all` per level, before every value and key; on a
//! report of thousands of findings, each a dozen lines four to six levels deep, that was a
//! quarter of the scan's CPU time. Here each line break with its indentation is one write of a
//! slice of a constant.

use serde::Serialize;
use serde_json::ser::Formatter;
use std::io::{self, Write};

/// A comma, a line break and enough spaces for [`MAX_FAST_DEPTH`] levels.
const BREAK: &[u8] = b",\n                                                                ";
/// The deepest level whose indentation [`BREAK`] holds; deeper lines are written in pieces.
const MAX_FAST_DEPTH: usize = (BREAK.len() - 2) / 2;

/// serde_json's `PrettyFormatter` with an indentation of two spaces, byte for byte.
#[derive(Debug, Default)]
pub(crate) struct Pretty {
    depth: usize,
    has_value: bool,
}

impl Pretty {
    /// Writes `,` (unless `first`), a line break and the indentation of the current depth.
    fn line<W: ?Sized + Write>(&self, w: &mut W, first: bool) -> io::Result<()> {
        let start = usize::from(first);
        if self.depth <= MAX_FAST_DEPTH {
            return w.write_all(&BREAK[start..2 + 2 * self.depth]);
        }
        w.write_all(&BREAK[start..2])?;
        for _ in 0..self.depth {
            w.write_all(b"  ")?;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.line(w, true)?;
        }
        w.write_all(bracket)
    }
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.line(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.line(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Writes `value` indented, as `serde_json::to_writer_pretty` would.
pub(crate) fn to_writer<W: Write, T: ?Sized + Serialize>(
    w: W,
    value: &T,
) -> serde_json::Result<()> {
    value.serialize(&mut serde_json::Serializer::with_formatter(
        w,
        Pretty::default(),
    ))
}

/// A line break (after a `,` unless `first`) and the indentation of `depth` levels, as
/// [`Pretty`] writes them before an array value or an object key at that depth.
pub(crate) fn line<W: ?Sized + Write>(w: &mut W, depth: usize, first: bool) -> io::Result<()> {
    Pretty {
        depth,
        has_value: false,
    }
    .line(w, first)
}

/// One field of an object whose keys are at `depth`, written as [`to_writer`] writes it there:
/// the line break, the key (a name of ours: plain ASCII, nothing to escape), then the value.
pub(crate) fn field<W: Write, T: ?Sized + Serialize>(
    w: &mut W,
    depth: usize,
    first: bool,
    key: &str,
    value: &T,
) -> serde_json::Result<()> {
    debug_assert!(key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
    let io = serde_json::Error::io;
    line(w, depth, first).map_err(io)?;
    w.write_all(b"\"").map_err(io)?;
    w.write_all(key.as_bytes()).map_err(io)?;
    w.write_all(b"\": ").map_err(io)?;
    value.serialize(&mut serde_json::Serializer::with_formatter(
        w,
        Pretty {
            depth,
            has_value: false,
        },
    ))
}

/// A string value as serde_json writes it: quoted, `"`, `\\` and control characters escaped.
/// Text with none of those (names, versions, package URLs: nearly all) is written as it is, in
/// one pass to check it and one copy; the rest goes through serde_json's own escaping.
pub(crate) fn str_value<W: ?Sized + Write>(w: &mut W, s: &str) -> serde_json::Result<()> {
    if !needs_escape(s) {
        let io = serde_json::Error::io;
        w.write_all(b"\"").map_err(io)?;
        w.write_all(s.as_bytes()).map_err(io)?;
        w.write_all(b"\"").map_err(io)
    } else {
        serde_json::to_writer(w, s)
    }
}

/// Whether JSON must escape anything in `s` (a control character, `"` or `\\`). Checked without
/// stopping at the first such byte, so the compiler checks the bytes a vector at a time: most
/// texts (names, versions, package URLs) have none, and the check ran on every byte of them.
fn needs_escape(s: &str) -> bool {
    s.bytes().fold(0u8, |bad, b| {
        bad | u8::from(b < 0x20) | u8::from(b == b'"') | u8::from(b == b'\\')
    }) != 0
}

/// [`field`] for a text or null, through [`str_value`]. Only the tests write fields one by one
/// now (the component part of a finding is written from constants); they check those constants
/// with it.
#[cfg(test)]
pub(crate) fn str_field<W: ?Sized + Write>(
    w: &mut W,
    depth: usize,
    first: bool,
    key: &str,
    value: Option<&str>,
) -> serde_json::Result<()> {
    debug_assert!(key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
    let io = serde_json::Error::io;
    line(w, depth, first).map_err(io)?;
    w.write_all(b"\"").map_err(io)?;
    w.write_all(key.as_bytes()).map_err(io)?;
    w.write_all(b"\": ").map_err(io)?;
    match value {
        Some(s) => str_value(w, s),
        None => w.write_all(b"null").map_err(io),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// `needs_escape` says yes exactly where serde_json escapes: every ASCII character, alone
    /// and inside longer text (past the first vector's width), and some beyond ASCII.
    #[test]
    fn needs_escape_agrees_with_serde_json() {
        let chars = (0u8..=0x7f)
            .map(char::from)
            .chain(['é', 'ß', '\u{2028}', '😀', '\u{7f}']);
        for c in chars {
            for s in [
                c.to_string(),
                format!("{}{c}{}", "a".repeat(40), "b".repeat(9)),
            ] {
                let escaped = serde_json::to_string(&s).unwrap() != format!("\"{s}\"");
                assert_eq!(needs_escape(&s), escaped, "{s:?}");
            }
        }
        assert!(!needs_escape(""));
    }

    fn same_as_serde(v: &Value) {
        let mut ours = Vec::new();
        to_writer(&mut ours, v).unwrap();
        let theirs = serde_json::to_vec_pretty(v).unwrap();
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            String::from_utf8(theirs).unwrap()
        );
    }

    #[test]
    fn writes_the_bytes_serde_json_writes() {
        same_as_serde(&json!(null));
        same_as_serde(&json!([]));
        same_as_serde(&json!({}));
        same_as_serde(&json!({"a": [], "b": {}, "c": [[], {}, [1]], "d": {"e": {}}}));
        same_as_serde(&json!({
            "s": "quote \" backslash \\ tab \t nul \u{0} é ✓",
            "n": [1, -2, 2.5, 1e300, 0.1],
            "b": [true, false, null],
            "nested": [{"x": [{"y": ["z", {"w": []}]}]}],
        }));
    }

    #[test]
    fn an_object_written_field_by_field_is_the_same() {
        let inner = json!({"s": "x\"y", "list": [1, {"k": []}], "empty": {}, "none": null});
        // Keys at depth 1 (a top-level object) and depth 3 (an object two levels down).
        let mut ours = Vec::new();
        ours.push(b'{');
        field(&mut ours, 1, true, "a", &inner).unwrap();
        field(&mut ours, 1, false, "b", &[&inner, &inner]).unwrap();
        line(&mut ours, 1, false).unwrap();
        ours.extend_from_slice(b"\"c\": [");
        line(&mut ours, 2, true).unwrap();
        ours.push(b'{');
        field(&mut ours, 3, true, "d", &inner).unwrap();
        field(&mut ours, 3, false, "e", "text").unwrap();
        line(&mut ours, 2, true).unwrap();
        ours.push(b'}');
        line(&mut ours, 1, true).unwrap();
        ours.push(b']');
        line(&mut ours, 0, true).unwrap();
        ours.push(b'}');
        let theirs = serde_json::to_vec_pretty(
            &json!({"a": inner, "b": [inner, inner], "c": [{"d": inner, "e": "text"}]}),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            String::from_utf8(theirs).unwrap()
        );
    }

    #[test]
    fn text_fields_are_written_as_serde_writes_them() {
        let texts = [
            "plain",
            "",
            "quote \" backslash \\ tab \t nul \u{0} del \u{7f} é ✓",
            "\u{1f}\u{8}\u{c}\n\r",
        ];
        for t in texts {
            for value in [Some(t), None] {
                let (mut ours, mut theirs) = (b"{".to_vec(), b"{".to_vec());
                str_field(&mut ours, 1, true, "k", value).unwrap();
                field(&mut theirs, 1, true, "k", &value).unwrap();
                assert_eq!(
                    String::from_utf8(ours).unwrap(),
                    String::from_utf8(theirs).unwrap()
                );
            }
        }
    }

    #[test]
    fn deep_nesting_past_the_fast_indentation_is_the_same() {
        let mut v = json!(["bottom", {"k": 1}]);
        for i in 0..(MAX_FAST_DEPTH + 5) {
            v = if i % 2 == 0 {
                json!([v, i])
            } else {
                json!({"k": v, "i": i})
            };
        }
        same_as_serde(&v);
    }
}
