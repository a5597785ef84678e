//! Input handling shared by every reader: the size limit, UTF-8 decoding, positions for error
//! messages and sniffing the SBOM format from the content (never from the file name, which
//! uploads do not have reliably). Lockfiles are the exception: many share a syntax (TOML, JSON,
//! YAML) and have no marker as telling as `bomFormat`, so `lockfile` needs their name too.

use crate::{Limits, SbomError};

/// The syntax family of an input, found from its first significant bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// Starts with `{`.
    Json,
    /// Starts with `<`.
    Xml,
    /// SPDX tag-value (`SPDXVersion: SPDX-2.3` lines).
    TagValue,
    /// SPDX YAML (`spdxVersion: SPDX-2.3` keys).
    Yaml,
}

/// Refuses input over the limit, then decodes it as UTF-8 (a leading UTF-8 byte order mark is
/// dropped). Invalid UTF-8 is refused with its position: every format we read is UTF-8 by spec
/// (RFC 8259 §8.1 for JSON; CycloneDX and SPDX XML declare UTF-8; SPDX tag-value 2.3 §4.3).
pub(crate) fn decode<'a>(
    bytes: &'a [u8],
    source: &str,
    limits: &Limits,
) -> Result<&'a str, SbomError> {
    let size = bytes.len() as u64;
    if size > limits.max_bytes {
        return Err(SbomError::TooLarge {
            input: source.to_string(),
            size,
            limit: limits.max_bytes,
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(SbomError::Forbidden {
            input: source.to_string(),
            message: "input is UTF-16; only UTF-8 SBOMs are read".into(),
        });
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_column(bytes, e.valid_up_to());
        SbomError::Forbidden {
            input: source.to_string(),
            message: format!(
                "invalid UTF-8 at line {line}, column {column} (byte {})",
                e.valid_up_to()
            ),
        }
    })
}

/// 1-based line and column (in bytes) of `offset` in `bytes`. Only computed for errors.
pub(crate) fn line_column(bytes: &[u8], offset: usize) -> (u64, u64) {
    let offset = offset.min(bytes.len());
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    (line, (offset - line_start) as u64 + 1)
}

/// Finds the syntax family from the content, or `None` when it is none we know.
pub(crate) fn sniff(text: &str) -> Option<Syntax> {
    let trimmed = text.trim_start();
    match trimmed.as_bytes().first()? {
        b'{' => return Some(Syntax::Json),
        b'<' => return Some(Syntax::Xml),
        _ => {}
    }
    // Tag-value and YAML are line based: look at the first significant lines only, so that a
    // huge file of something else is not scanned to its end.
    for line in trimmed.lines().take(200) {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line == "---" {
            continue;
        }
        // SPDX 2.3 §6.1: the tag-value version tag is `SPDXVersion`; the JSON/YAML key is
        // `spdxVersion`.
        if line.starts_with("SPDXVersion:") {
            return Some(Syntax::TagValue);
        }
        if line.starts_with("spdxVersion:") || line.starts_with("\"spdxVersion\":") {
            return Some(Syntax::Yaml);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_from_one() {
        let text = b"ab\ncd\nef";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 4), (2, 2));
        assert_eq!(line_column(text, 99), (3, 3));
    }

    #[test]
    fn sniff_families() {
        assert_eq!(sniff("  \n{\"a\":1}"), Some(Syntax::Json));
        assert_eq!(sniff("<?xml version=\"1.0\"?><bom/>"), Some(Syntax::Xml));
        assert_eq!(
            sniff("# comment\nSPDXVersion: SPDX-2.2\n"),
            Some(Syntax::TagValue)
        );
        assert_eq!(
            sniff("---\nSPDXID: x\nspdxVersion: SPDX-2.3\n"),
            Some(Syntax::Yaml)
        );
        assert_eq!(sniff("hello world"), None);
        assert_eq!(sniff(""), None);
    }

    #[test]
    fn decode_refuses_large_and_invalid_utf8() {
        let small = Limits { max_bytes: 3 };
        assert!(matches!(
            decode(b"abcd", "x", &small),
            Err(SbomError::TooLarge { size: 4, .. })
        ));
        let err = decode(b"{\n\"a\xff\"}", "f.json", &Limits::default()).unwrap_err();
        assert!(err.to_string().contains("line 2, column 3"), "{err}");
        assert_eq!(
            decode(b"\xEF\xBB\xBF{}", "x", &Limits::default()).unwrap(),
            "{}"
        );
    }
}

/// Deepest flow nesting (`[`, `{`) a YAML input may have. serde_norway's parser takes time that
/// grows with the square of the nesting depth before its own recursion limit stops it (16,000
/// levels: 9 s), so depth is checked on the text before it is parsed; real SBOMs and lockfiles
/// nest a handful of levels.
pub const MAX_YAML_FLOW_DEPTH: usize = 64;

/// Largest block nesting bound a YAML line may have: its indentation plus the compact sequence
/// markers (`- - - x`) it opens. An upper bound on the line's block depth; real files stay
/// under a few dozen.
pub const MAX_YAML_BLOCK_DEPTH: usize = 512;

/// Refuses YAML nested deeper than [`MAX_YAML_FLOW_DEPTH`] or [`MAX_YAML_BLOCK_DEPTH`] before it
/// is parsed, naming the line. Quoted scalars and comments are skipped; in block context a
/// bracket counts only where a scalar could start (`a[1]` is a plain scalar).
pub fn check_yaml_nesting(text: &str, source: &str) -> Result<(), SbomError> {
    #[derive(PartialEq)]
    enum Quote {
        None,
        Single,
        Double,
    }
    let too_deep = |line: usize, what: &str, limit: usize| SbomError::Syntax {
        input: source.to_string(),
        line: line as u64 + 1,
        column: 1,
        message: format!("YAML {what} nested deeper than {limit} levels"),
    };
    let (mut flow, mut quote) = (0usize, Quote::None);
    for (n, line) in text.lines().enumerate() {
        let b = line.as_bytes();
        let mut i = 0;
        if flow == 0 && quote == Quote::None {
            let mut depth = 0;
            while i < b.len() && b[i] == b' ' {
                i += 1;
                depth += 1;
            }
            while i < b.len() && b[i] == b'-' && b.get(i + 1).is_none_or(|c| *c == b' ') {
                i += 2;
                depth += 1;
                while i < b.len() && b[i] == b' ' {
                    i += 1;
                }
            }
            if depth > MAX_YAML_BLOCK_DEPTH {
                return Err(too_deep(n, "blocks", MAX_YAML_BLOCK_DEPTH));
            }
        }
        // The last character that was not a blank: a token may start at the line's start, after
        // `- `, `: ` and `? `, and inside a flow collection after `,`, `[` and `{`.
        let mut last: Option<u8> = None;
        while i < b.len() {
            let token_start = match last {
                None => true,
                Some(b'[' | b'{' | b',') => flow > 0,
                Some(p) => {
                    matches!(p, b':' | b'-' | b'?') && i > 0 && matches!(b[i - 1], b' ' | b'\t')
                }
            };
            let c = b[i];
            match quote {
                Quote::Double => {
                    if c == b'\\' {
                        i += 1;
                    } else if c == b'"' {
                        quote = Quote::None;
                    }
                }
                Quote::Single => {
                    if c == b'\'' {
                        if b.get(i + 1) == Some(&b'\'') {
                            i += 1;
                        } else {
                            quote = Quote::None;
                        }
                    }
                }
                Quote::None => match c {
                    b'#' if i == 0 || b[i - 1] == b' ' || b[i - 1] == b'\t' => break,
                    b'"' if token_start => quote = Quote::Double,
                    b'\'' if token_start => quote = Quote::Single,
                    b'[' | b'{' if token_start || flow > 0 => {
                        flow += 1;
                        if flow > MAX_YAML_FLOW_DEPTH {
                            return Err(too_deep(n, "collections", MAX_YAML_FLOW_DEPTH));
                        }
                    }
                    b']' | b'}' if flow > 0 => flow -= 1,
                    _ => {}
                },
            }
            if !matches!(c, b' ' | b'\t') {
                last = Some(c);
            }
            i += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod yaml_nesting_tests {
    use super::*;

    #[test]
    fn deep_flow_and_block_nesting_is_refused_before_parsing() {
        let deep = format!("a: {}1{}", "[".repeat(65), "]".repeat(65));
        let e = check_yaml_nesting(&deep, "x.yaml").unwrap_err().to_string();
        assert!(e.contains("deeper than 64"), "{e}");
        let ok = format!("a: {}1{}", "[".repeat(64), "]".repeat(64));
        assert!(check_yaml_nesting(&ok, "x.yaml").is_ok());
        let dashes = format!("{}x\n", "- ".repeat(600));
        let e = check_yaml_nesting(&dashes, "x.yaml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("x.yaml:1:") && e.contains("blocks"), "{e}");
    }

    #[test]
    fn brackets_in_scalars_quotes_and_comments_do_not_count() {
        let text = concat!(
            "name: a[b]c\n",
            "q: \"[[[[[\"\n",
            "s: '{{{{ it''s [ '\n",
            "# [[[[[[[[\n",
            "v: ^1.0 # [[[\n",
            "l: [a, {b: [c]}, \"]]]\"]\n",
            "o: O'Brien [x\n",
        );
        let many = text.repeat(100);
        assert!(check_yaml_nesting(&many, "x.yaml").is_ok());
    }
}
