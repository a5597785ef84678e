//! A tiny document model shared by the HTML and PDF outputs, and the HTML writer.
//!
//! Declarations are short, linear documents (a title, numbered headings, paragraphs), so one
//! list of [`Block`]s renders to both formats and they cannot drift apart. All text is escaped;
//! the HTML is self-contained (no scripts, no external resources) so it opens offline and can be
//! served with a strict Content-Security-Policy.

/// One block of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// The document title.
    Title(String),
    /// A section heading with an anchor id.
    Heading {
        /// Anchor id (`point-1`).
        id: String,
        /// Text.
        text: String,
    },
    /// A paragraph.
    Para(String),
    /// Small print (version, fingerprint).
    Small(String),
    /// An address that must stay exact and whole (Annex VI): one line, never wrapped (the PDF
    /// shrinks the font to fit), a link in HTML.
    Url(String),
}

/// Escapes text for HTML element content and attribute values (the report crate's escaping, so
/// every HTML cyres writes escapes alike).
pub use cyres_report::html::escape;

/// A complete HTML page around an already escaped body.
pub fn page(lang: &str, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>body{{font-family:Helvetica,Arial,sans-serif;max-width:48em;margin:2em auto;padding:0 1em;line-height:1.45}}h1{{font-size:1.5em}}h2{{font-size:1.1em;margin-top:1.4em}}small,.small{{color:#555;font-size:.85em}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}}.missing{{color:#a00}}</style>\n</head>\n<body>\n{}</body>\n</html>\n",
        escape(lang),
        escape(title),
        body
    )
}

/// Renders blocks as a complete HTML page.
pub fn html(lang: &str, blocks: &[Block]) -> String {
    let title = blocks
        .iter()
        .find_map(|b| match b {
            Block::Title(t) => Some(t.as_str()),
            _ => None,
        })
        .unwrap_or("");
    let mut body = String::new();
    for b in blocks {
        match b {
            Block::Title(t) => body.push_str(&format!("<h1>{}</h1>\n", escape(t))),
            Block::Heading { id, text } => body.push_str(&format!(
                "<h2 id=\"{}\">{}</h2>\n",
                escape(id),
                escape(text)
            )),
            Block::Para(t) => body.push_str(&format!("<p>{}</p>\n", escape(t))),
            Block::Small(t) => body.push_str(&format!("<p class=\"small\">{}</p>\n", escape(t))),
            Block::Url(u) => body.push_str(&format!("<p><a href=\"{0}\">{0}</a></p>\n", escape(u))),
        }
    }
    page(lang, title, &body)
}

/// Renders blocks as plain text (UTF-8, `\n` line ends): the title, the lines before the first
/// heading and each heading flush left, everything under a heading indented by three spaces.
/// For e-mail, terminals and the README's excerpt of the demo's declaration.
pub fn text(blocks: &[Block]) -> String {
    let mut out = String::new();
    let mut under_heading = false;
    for b in blocks {
        let (line, indent) = match b {
            Block::Title(t) | Block::Small(t) => (t, false),
            Block::Heading { text, .. } => {
                under_heading = true;
                (text, false)
            }
            Block::Para(t) | Block::Url(t) => (t, under_heading),
        };
        for l in line.lines() {
            if indent {
                out.push_str("   ");
            }
            out.push_str(l.trim_end());
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_indents_what_stands_under_a_heading() {
        let t = text(&[
            Block::Title("EU declaration".into()),
            Block::Para("Regulation".into()),
            Block::Small("No 1".into()),
            Block::Heading {
                id: "point-1".into(),
                text: "1. Name".into(),
            },
            Block::Para("a\nb ".into()),
            Block::Url("https://x.example/d".into()),
        ]);
        assert_eq!(
            t,
            "EU declaration\nRegulation\nNo 1\n1. Name\n   a\n   b\n   https://x.example/d\n"
        );
    }

    #[test]
    fn html_escapes_everything() {
        let h = html(
            "de",
            &[
                Block::Title("Erklärung <b>".into()),
                Block::Heading {
                    id: "p\"1".into(),
                    text: "A & B".into(),
                },
                Block::Para("<script>x</script>".into()),
            ],
        );
        assert!(h.contains("<title>Erklärung &lt;b&gt;</title>"));
        assert!(h.contains("id=\"p&quot;1\""));
        assert!(h.contains("A &amp; B"));
        assert!(!h.contains("<script>"));
        assert!(h.contains("<html lang=\"de\">"));
    }
}
