//! Standalone HTML pages for people: one file, inline CSS, no scripts, no external resources
//! (no fonts, images or links that load anything), every value escaped.
//!
//! Report packs and user notices are printed, mailed and archived; a page that needs nothing
//! from the network still renders in ten years and leaks nothing when opened.

use std::fmt::Write as _;

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;\
padding:0 1rem;color:#111;line-height:1.45}h1{font-size:1.5rem}h2{font-size:1.15rem;\
margin-top:2rem}table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;\
padding:.4rem .6rem;vertical-align:top;text-align:left}th{background:#f2f2f2;width:32%}\
td.path,span.path{font-family:monospace;font-size:.8rem;color:#555}.note{background:#fff8dc;\
border:1px solid #e0c870;padding:.6rem .8rem}.empty{color:#777;font-style:italic}\
.req{color:#a00}ul{margin:.2rem 0;padding-left:1.2rem}pre{white-space:pre-wrap}";

/// Builds a page incrementally.
#[derive(Debug)]
pub(crate) struct Page {
    out: String,
}

impl Page {
    pub(crate) fn new(title: &str) -> Page {
        let mut out = String::with_capacity(8192);
        out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        let _ = writeln!(out, "<title>{}</title>", escape(title));
        let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>");
        let _ = writeln!(out, "<h1>{}</h1>", escape(title));
        Page { out }
    }

    pub(crate) fn heading(&mut self, text: &str) {
        let _ = writeln!(self.out, "<h2>{}</h2>", escape(text));
    }

    pub(crate) fn paragraph(&mut self, text: &str) {
        let _ = writeln!(self.out, "<p>{}</p>", escape(text));
    }

    pub(crate) fn note(&mut self, text: &str) {
        let _ = writeln!(self.out, "<p class=\"note\">{}</p>", escape(text));
    }

    pub(crate) fn list(&mut self, items: &[String]) {
        self.out.push_str("<ul>\n");
        for i in items {
            let _ = writeln!(self.out, "<li>{}</li>", escape(i));
        }
        self.out.push_str("</ul>\n");
    }

    pub(crate) fn table_start(&mut self) {
        self.out.push_str("<table>\n");
    }

    pub(crate) fn table_end(&mut self) {
        self.out.push_str("</table>\n");
    }

    /// A row: label (with a marker when required), value cell, optional machine path.
    pub(crate) fn row(&mut self, label: &str, required: bool, value: &Value, path: Option<&str>) {
        let marker = if required {
            " <span class=\"req\" title=\"required\">*</span>"
        } else {
            ""
        };
        let _ = write!(self.out, "<tr><th>{}{marker}", escape(label));
        if let Some(p) = path {
            let _ = write!(self.out, "<br><span class=\"path\">{}</span>", escape(p));
        }
        self.out.push_str("</th><td>");
        match value {
            Value::Text(t) if t.contains('\n') => {
                let _ = write!(self.out, "<pre>{}</pre>", escape(t));
            }
            Value::Text(t) => self.out.push_str(&escape(t)),
            Value::List(items) if items.is_empty() => {
                self.out.push_str("<span class=\"empty\">(none)</span>");
            }
            Value::List(items) => {
                self.out.push_str("<ul>");
                for i in items {
                    let _ = write!(self.out, "<li>{}</li>", escape(i));
                }
                self.out.push_str("</ul>");
            }
            Value::Empty => self
                .out
                .push_str("<span class=\"empty\">(not given)</span>"),
        }
        self.out.push_str("</td></tr>\n");
    }

    pub(crate) fn finish(mut self, footer: &str) -> String {
        let _ = writeln!(
            self.out,
            "<hr>\n<p><small>{}</small></p>\n</body>\n</html>",
            escape(footer)
        );
        self.out
    }
}

/// A cell value.
#[derive(Debug)]
pub(crate) enum Value {
    Text(String),
    List(Vec<String>),
    Empty,
}

impl From<&crate::field::FieldValue> for Value {
    fn from(v: &crate::field::FieldValue) -> Value {
        use crate::field::FieldValue as F;
        match v {
            F::Text(t) => Value::Text(t.clone()),
            F::List(l) => Value::List(l.clone()),
            F::Flag(b) => Value::Text(if *b { "yes" } else { "no" }.into()),
            F::Empty => Value::Empty,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_special_character() {
        for (input, expected) in [
            ("<script>", "&lt;script&gt;"),
            ("a & b", "a &amp; b"),
            ("\"quoted\"", "&quot;quoted&quot;"),
            ("it's", "it&#39;s"),
            ("plain", "plain"),
            ("", ""),
        ] {
            assert_eq!(escape(input), expected, "{input}");
        }
    }

    #[test]
    fn page_is_standalone() {
        let mut p = Page::new("T <1>");
        p.row("L", true, &Value::Text("<img src=x>".into()), Some("a.b"));
        let html = p.finish("f");
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<title>T &lt;1&gt;</title>"));
        assert!(html.contains("&lt;img src=x&gt;"));
        assert!(!html.contains("<img"));
        assert!(!html.contains("http"));
        assert!(html.ends_with("</html>\n"));
    }
}
