//! PDF output of the declarations with `pdf-writer` (see docs/dependencies.md for the choice).
//!
//! The PDF uses the standard Type 1 fonts Helvetica and Helvetica-Bold, which every reader has
//! (PDF 32000-1 §9.6.2.2, the "standard 14 fonts"), with **WinAnsiEncoding** (Annex D), which
//! covers the letters of German and French (ä ö ü ß é è à ç œ …) and the euro sign. Characters
//! outside it become `?` rather than wrong glyphs; the HTML and JSON keep the exact text, and
//! languages that need other scripts need an embedded font (noted in docs/dependencies.md).
//! Lines are wrapped with Helvetica's advance widths (PDF standard font metrics, rounded up to
//! err on the narrow side), pages are A4 and flow onto as many pages as needed.

use crate::render::Block;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// Document metadata for the PDF's information dictionary.
#[derive(Debug, Clone, Copy)]
pub struct Meta<'a> {
    /// Title.
    pub title: &'a str,
    /// Author (the manufacturer).
    pub author: &'a str,
    /// Creation time (the issue time: a parameter, never the clock).
    pub created: time::OffsetDateTime,
}

/// Maps a character to its WinAnsiEncoding byte (PDF 32000-1 Annex D.2), if it has one.
pub fn win_ansi(c: char) -> Option<u8> {
    let code = u32::from(c);
    if (0x20..=0x7e).contains(&code) || (0xa0..=0xff).contains(&code) {
        return u8::try_from(code).ok();
    }
    Some(match c {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8a,
        '‹' => 0x8b,
        'Œ' => 0x8c,
        'Ž' => 0x8e,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9a,
        '›' => 0x9b,
        'œ' => 0x9c,
        'ž' => 0x9e,
        'Ÿ' => 0x9f,
        '\u{202f}' | '\u{2009}' => 0xa0,
        _ => return None,
    })
}

fn encode(text: &str) -> Vec<u8> {
    text.chars()
        .flat_map(|c| match (c, win_ansi(c)) {
            (_, Some(b)) => vec![b],
            ('→', None) => b"->".to_vec(),
            _ => vec![b'?'],
        })
        .collect()
}

/// Helvetica advance width in thousandths of the font size, rounded up by class (the widest
/// glyph of each class in the standard metrics, so a line is never wider than computed).
fn width(c: char) -> u32 {
    match c {
        'i' | 'j' | 'l' | '\'' | '|' => 222,
        ' ' | '.' | ',' | ':' | ';' | '!' | 'I' | 'f' | 't' | '/' | '(' | ')' | '[' | ']' => 333,
        'r' | '-' | '"' => 333,
        'w' => 722,
        'm' | 'M' | 'W' | '%' => 944,
        '@' | '—' | '…' | '‰' | '™' | 'Æ' | 'Œ' | 'œ' | 'æ' => 1015,
        c if c.is_ascii_lowercase() || c.is_ascii_digit() => 556,
        'A'..='Z' => 778,
        c if c.is_uppercase() => 833,
        _ => 611,
    }
}

fn text_width(text: &str, size: f32, bold: bool) -> f32 {
    let units: u32 = text.chars().map(width).sum();
    #[allow(clippy::cast_precision_loss)]
    let w = units as f32 * size / 1000.0;
    // Helvetica-Bold is up to about 12 % wider than Helvetica for ordinary letters.
    if bold { w * 1.12 } else { w }
}

/// Breaks text into lines no wider than `max` points; a word longer than a line is cut.
fn wrap(text: &str, size: f32, bold: bool, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if text_width(&candidate, size, bold) <= max {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        let mut rest = word.to_string();
        while text_width(&rest, size, bold) > max {
            let mut cut = String::new();
            for c in rest.chars() {
                if text_width(&format!("{cut}{c}"), size, bold) > max {
                    break;
                }
                cut.push(c);
            }
            if cut.is_empty() {
                break;
            }
            rest = rest[cut.len()..].to_string();
            lines.push(cut);
        }
        line = rest;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

struct Line {
    text: String,
    size: f32,
    bold: bool,
    space_before: f32,
}

fn lay_out(blocks: &[Block]) -> Vec<Line> {
    let max = PAGE_W - 2.0 * MARGIN;
    let mut out = Vec::new();
    for b in blocks {
        let (text, size, bold, space) = match b {
            Block::Title(t) => (t.as_str(), 16.0, true, 0.0),
            Block::Heading { text, .. } => (text.as_str(), 11.5, true, 10.0),
            Block::Para(t) => (t.as_str(), 10.0, false, 3.0),
            Block::Small(t) => (t.as_str(), 7.5, false, 3.0),
            Block::Url(u) => {
                // Annex VI: the exact address, whole on one line; shrink rather than break it.
                let fit = max / text_width(u, 1.0, false).max(1.0);
                out.push(Line {
                    text: u.clone(),
                    size: fit.min(10.0),
                    bold: false,
                    space_before: 3.0,
                });
                continue;
            }
        };
        for (i, l) in wrap(text, size, bold, max).into_iter().enumerate() {
            out.push(Line {
                text: l,
                size,
                bold,
                space_before: if i == 0 { space } else { 0.0 },
            });
        }
    }
    out
}

/// Renders blocks to a PDF (A4, Helvetica, WinAnsiEncoding).
pub fn render(blocks: &[Block], meta: Meta<'_>) -> Vec<u8> {
    // Paginate first: each page is a list of (x, y, line).
    let mut pages: Vec<Vec<(f32, Line)>> = vec![Vec::new()];
    let mut y = PAGE_H - MARGIN;
    for line in lay_out(blocks) {
        let advance = line.space_before + line.size * 1.35;
        if y - advance < MARGIN {
            pages.push(Vec::new());
            y = PAGE_H - MARGIN;
        }
        y -= advance;
        if let Some(page) = pages.last_mut() {
            page.push((y, line));
        }
    }

    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let page_refs: Vec<(Ref, Ref)> = (0..pages.len())
        .map(|i| {
            let n = i32::try_from(6 + 2 * i).unwrap_or(i32::MAX - 1);
            (Ref::new(n), Ref::new(n + 1))
        })
        .collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_refs.iter().map(|(p, _)| *p))
        .count(i32::try_from(pages.len()).unwrap_or(i32::MAX));
    for (id, name) in [(regular, "Helvetica"), (bold, "Helvetica-Bold")] {
        pdf.type1_font(id)
            .base_font(Name(name.as_bytes()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    let c = meta.created.to_offset(time::UtcOffset::UTC);
    pdf.document_info(info)
        .title(TextStr(meta.title))
        .author(TextStr(meta.author))
        .producer(TextStr("cyres"))
        .creation_date(
            pdf_writer::Date::new(u16::try_from(c.year()).unwrap_or(0))
                .month(u8::from(c.month()))
                .day(c.day())
                .hour(c.hour())
                .minute(c.minute())
                .second(c.second())
                .utc_offset_hour(0)
                .utc_offset_minute(0),
        );
    for (lines, (page_id, content_id)) in pages.iter().zip(&page_refs) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(tree)
            .contents(*content_id);
        page.resources()
            .fonts()
            .pair(REGULAR, regular)
            .pair(BOLD, bold);
        page.finish();

        let mut content = Content::new();
        for (y, line) in lines {
            content.begin_text();
            content.set_font(if line.bold { BOLD } else { REGULAR }, line.size);
            content.next_line(MARGIN, *y);
            content.show(Str(&encode(&line.text)));
            content.end_text();
        }
        pdf.stream(*content_id, &content.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn win_ansi_covers_german_and_french() {
        for c in "äöüÄÖÜßéèêàçœŒ€«»ëïÿ’“”–".chars() {
            assert!(win_ansi(c).is_some(), "{c}");
        }
        assert_eq!(win_ansi('ß'), Some(0xdf));
        assert_eq!(win_ansi('œ'), Some(0x9c));
        assert_eq!(win_ansi('€'), Some(0x80));
        assert_eq!(encode("a→b ж"), b"a->b ?".to_vec());
    }

    #[test]
    fn wrap_respects_the_width_and_keeps_every_word() {
        let text = "word ".repeat(200) + &"x".repeat(300);
        let lines = wrap(&text, 10.0, false, 483.0);
        assert!(lines.len() > 5);
        for l in &lines {
            assert!(text_width(l, 10.0, false) <= 483.0, "{l}");
        }
        let joined: String = lines.concat();
        assert_eq!(joined.matches("word").count(), 200);
        assert_eq!(joined.matches('x').count(), 300);
    }

    #[test]
    fn an_address_is_never_broken() {
        let url = format!("https://example.invalid/{}", "a".repeat(150));
        let lines = lay_out(&[Block::Url(url.clone())]);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].text, url);
        assert!(text_width(&url, lines[0].size, false) <= PAGE_W - 2.0 * MARGIN + 0.01);
    }

    #[test]
    fn long_documents_flow_onto_more_pages() {
        let blocks: Vec<Block> = (0..200).map(|i| Block::Para(format!("line {i}"))).collect();
        let meta = Meta {
            title: "t",
            author: "a",
            created: time::OffsetDateTime::UNIX_EPOCH,
        };
        let pdf = render(&blocks, meta);
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(
            text.contains("/Count 5") || text.contains("/Count 6"),
            "pages"
        );
    }
}
