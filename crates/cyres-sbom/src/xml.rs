//! A safe, streaming XML event source over quick-xml.
//!
//! Security defaults (OWASP XXE prevention; "billion laughs" entity expansion):
//! - any `<!DOCTYPE …>` (and with it every DTD, internal subset, `<!ENTITY …>` declaration and
//!   external entity) is refused with [`SbomError::Forbidden`] the moment it is seen; nothing is
//!   ever fetched or expanded;
//! - entity references other than the five predefined ones (XML 1.0 §4.6: `lt`, `gt`, `amp`,
//!   `apos`, `quot`) and numeric character references (§4.1) are errors, so no expansion can
//!   grow the output beyond the input;
//! - element nesting is capped at [`MAX_DEPTH`], which also bounds the readers' recursion.
//!
//! Memory stays proportional to the input: events borrow from it, and only the values the
//! readers keep are copied.

use crate::SbomError;
use crate::input::line_column;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use std::borrow::Cow;

/// Deepest element nesting accepted. CycloneDX needs two levels per nested component; real
/// documents stay far below this.
pub(crate) const MAX_DEPTH: usize = 256;

/// An event as the readers see it: comments, processing instructions and the declaration are
/// dropped; references are already resolved into text.
pub(crate) enum Ev<'a> {
    Start(BytesStart<'a>),
    Empty(BytesStart<'a>),
    End,
    Text(Cow<'a, str>),
    Eof,
}

/// The reader.
pub(crate) struct XmlReader<'a> {
    reader: quick_xml::Reader<&'a [u8]>,
    text: &'a str,
    source: &'a str,
    depth: usize,
}

impl<'a> XmlReader<'a> {
    pub(crate) fn new(text: &'a str, source: &'a str) -> Self {
        let mut reader = quick_xml::Reader::from_str(text);
        // End tags must match their start tags: a truncated or spliced document is an error.
        reader.config_mut().check_end_names = true;
        Self {
            reader,
            text,
            source,
            depth: 0,
        }
    }

    /// The next event.
    pub(crate) fn next(&mut self) -> Result<Ev<'a>, SbomError> {
        loop {
            let ev = match self.reader.read_event() {
                Ok(ev) => ev,
                Err(e) => return Err(self.quick_xml_error(&e)),
            };
            return Ok(match ev {
                Event::Start(e) => {
                    self.depth += 1;
                    if self.depth > MAX_DEPTH {
                        return Err(
                            self.error(format!("elements nested deeper than {MAX_DEPTH} levels"))
                        );
                    }
                    Ev::Start(e)
                }
                Event::Empty(e) => Ev::Empty(e),
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    Ev::End
                }
                Event::Text(t) => Ev::Text(t.xml10_content()),
                Event::CData(t) => Ev::Text(t.xml10_content()),
                Event::GeneralRef(r) => Ev::Text(self.resolve(&r)?),
                Event::DocType(_) => {
                    return Err(self.forbidden(
                        "document type declarations (<!DOCTYPE>) are refused: DTDs and entities are never \
                         resolved (XXE and entity-expansion protection)",
                    ));
                }
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) => continue,
                Event::Eof => Ev::Eof,
            });
        }
    }

    /// XML 1.0 §4.6 predefined entities and §4.1 character references; anything else is an error
    /// (there is no DTD that could have declared it).
    fn resolve(&self, r: &str) -> Result<Cow<'a, str>, SbomError> {
        let fixed = match r {
            "lt" => "<",
            "gt" => ">",
            "amp" => "&",
            "apos" => "'",
            "quot" => "\"",
            _ => "",
        };
        if !fixed.is_empty() {
            return Ok(Cow::Borrowed(fixed));
        }
        if let Some(num) = r.strip_prefix('#') {
            let code = match num.strip_prefix('x') {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse::<u32>().ok(),
            };
            return match code.and_then(char::from_u32).filter(|&c| c != '\0') {
                Some(c) => Ok(Cow::Owned(c.to_string())),
                None => Err(self.error(format!("invalid character reference &{r};"))),
            };
        }
        Err(self.error(format!(
            "undefined entity &{r}; (only &lt; &gt; &amp; &apos; &quot; and character references are allowed)"
        )))
    }

    /// Concatenated text of the element just started, up to its end; child elements are skipped.
    pub(crate) fn text(&mut self) -> Result<String, SbomError> {
        let mut out = String::new();
        loop {
            match self.next()? {
                Ev::Text(t) => out.push_str(&t),
                Ev::Start(_) => self.skip()?,
                Ev::Empty(_) => {}
                Ev::End => return Ok(out),
                Ev::Eof => return Err(self.truncated()),
            }
        }
    }

    /// Skips to the end of the element just started.
    pub(crate) fn skip(&mut self) -> Result<(), SbomError> {
        let mut depth = 1usize;
        loop {
            match self.next()? {
                Ev::Start(_) => depth += 1,
                Ev::End => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Ev::Eof => return Err(self.truncated()),
                Ev::Empty(_) | Ev::Text(_) => {}
            }
        }
    }

    /// The value of the attribute with this local name, references resolved.
    pub(crate) fn attr(&self, e: &BytesStart<'_>, name: &str) -> Result<Option<String>, SbomError> {
        for a in e.attributes() {
            let a = a.map_err(|err| self.error(format!("malformed attribute: {err}")))?;
            if a.key.local_name().as_ref() == name {
                let v = a
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|err| self.error(format!("attribute {name}: {err}")))?;
                return Ok(Some(v.into_owned()));
            }
        }
        Ok(None)
    }

    /// Every (qualified name, value) attribute pair, references resolved.
    pub(crate) fn attrs(&self, e: &BytesStart<'_>) -> Result<Vec<(String, String)>, SbomError> {
        let mut out = Vec::new();
        for a in e.attributes() {
            let a = a.map_err(|err| self.error(format!("malformed attribute: {err}")))?;
            let v = a
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|err| self.error(format!("attribute: {err}")))?;
            out.push((a.key.as_ref().to_string(), v.into_owned()));
        }
        Ok(out)
    }

    /// A syntax error at the reader's current position.
    pub(crate) fn error(&self, message: String) -> SbomError {
        self.error_at(self.reader.buffer_position() as usize, message)
    }

    pub(crate) fn truncated(&self) -> SbomError {
        self.error(
            "unexpected end of input: the document is truncated or an element is not closed".into(),
        )
    }

    fn error_at(&self, offset: usize, message: String) -> SbomError {
        let (line, column) = line_column(self.text.as_bytes(), offset);
        SbomError::Syntax {
            input: self.source.to_string(),
            line,
            column,
            message,
        }
    }

    fn forbidden(&self, what: &str) -> SbomError {
        let (line, column) =
            line_column(self.text.as_bytes(), self.reader.buffer_position() as usize);
        SbomError::Forbidden {
            input: self.source.to_string(),
            message: format!("line {line}, column {column}: {what}"),
        }
    }

    fn quick_xml_error(&self, e: &quick_xml::Error) -> SbomError {
        let at = self.reader.error_position() as usize;
        // A bare `<!ENTITY` outside a DOCTYPE is not well-formed either, but say what it is.
        if self
            .text
            .get(at..)
            .is_some_and(|rest| rest.starts_with("<!ENTITY") || rest.starts_with("<!DOCTYPE"))
        {
            return self.forbidden("entity and document type declarations are refused");
        }
        self.error_at(at, format!("malformed XML: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_text(xml: &str) -> Result<String, SbomError> {
        let mut r = XmlReader::new(xml, "t.xml");
        let mut out = String::new();
        loop {
            match r.next()? {
                Ev::Text(t) => out.push_str(&t),
                Ev::Eof => return Ok(out),
                _ => {}
            }
        }
    }

    #[test]
    fn predefined_and_numeric_references_resolve() {
        assert_eq!(
            all_text("<a>x &lt;&amp;&#65;&#x42; y</a>").unwrap(),
            "x <&AB y"
        );
    }

    #[test]
    fn other_references_and_doctype_are_refused() {
        assert!(matches!(
            all_text("<a>&foo;</a>"),
            Err(SbomError::Syntax { .. })
        ));
        assert!(matches!(
            all_text("<a>&#0;</a>"),
            Err(SbomError::Syntax { .. })
        ));
        assert!(matches!(
            all_text("<!DOCTYPE a><a/>"),
            Err(SbomError::Forbidden { .. })
        ));
    }

    #[test]
    fn depth_is_capped() {
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        let err = all_text(&deep).unwrap_err();
        assert!(err.to_string().contains("nested deeper"), "{err}");
    }
}
