//! The Atom feed of an organisation's alerts (RFC 4287, Atom 1.0). Pure: alerts in, XML text
//! out; the server adds the token check and the `application/atom+xml` content type.
//!
//! RFC 4287 §4.1.1 requires `atom:id`, `atom:title` and `atom:updated` on the feed and an
//! author (here on the feed, which covers every entry); §4.1.2 requires `id`, `title` and
//! `updated` on each entry. Ids are URNs built from the organisation and alert ids, so they
//! never change when the feed is re-rendered (§4.2.6). Every text goes through [`escape`],
//! which also drops the characters XML 1.0 forbids (§2.2 of the XML spec), so a hostile
//! advisory title cannot break the document or inject markup.

use time::OffsetDateTime;

use crate::Alert;
use crate::alert::rfc3339;

/// The feed-level facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedMeta<'a> {
    /// The feed's permanent id (an IRI), e.g. `urn:cyres:org:acme:alerts`.
    pub id: &'a str,
    /// The feed title shown by readers.
    pub title: &'a str,
    /// The feed's own URL (`rel="self"`), without the access token.
    pub self_url: Option<&'a str>,
    /// `updated` when there are no entries; otherwise the newest alert's time is used.
    pub updated_when_empty: OffsetDateTime,
}

/// Renders the feed. Entries appear in the order given (newest first is conventional).
pub fn render(feed: &FeedMeta<'_>, alerts: &[Alert]) -> String {
    let updated = alerts
        .iter()
        .map(|a| a.created_at)
        .max()
        .unwrap_or(feed.updated_when_empty);
    let mut out = String::with_capacity(512 + alerts.len() * 1024);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    element(&mut out, 1, "id", feed.id);
    element(&mut out, 1, "title", feed.title);
    element(&mut out, 1, "updated", &rfc3339(updated));
    out.push_str("  <author><name>cyres</name></author>\n");
    out.push_str("  <generator>cyres</generator>\n");
    if let Some(href) = feed.self_url {
        out.push_str(&format!(
            "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
            escape(href)
        ));
    }
    for alert in alerts {
        out.push_str("  <entry>\n");
        element(&mut out, 2, "id", &entry_id(alert));
        let title = if alert.urgent {
            format!("URGENT: {}", alert.title)
        } else {
            alert.title.clone()
        };
        element(&mut out, 2, "title", &title);
        element(&mut out, 2, "updated", &rfc3339(alert.created_at));
        element(&mut out, 2, "published", &rfc3339(alert.created_at));
        if let Some(url) = &alert.url {
            out.push_str(&format!(
                "    <link rel=\"alternate\" href=\"{}\"/>\n",
                escape(url)
            ));
        }
        out.push_str(&format!(
            "    <category term=\"{}\"/>\n",
            escape(alert.kind.as_str())
        ));
        if alert.urgent {
            out.push_str("    <category term=\"urgent\"/>\n");
        }
        out.push_str(&format!(
            "    <content type=\"text\">{}</content>\n",
            escape(&alert.text())
        ));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// The entry id: `urn:cyres:alert:<org>:<id>`, each part percent-encoded.
pub fn entry_id(alert: &Alert) -> String {
    format!(
        "urn:cyres:alert:{}:{}",
        urn_part(&alert.org),
        urn_part(&alert.id)
    )
}

fn urn_part(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn element(out: &mut String, depth: usize, name: &str, text: &str) {
    for _ in 0..depth {
        out.push_str("  ");
    }
    out.push_str(&format!("<{name}>{}</{name}>\n", escape(text)));
}

/// Escapes text for XML content and attribute values, dropping characters XML 1.0 does not
/// allow (C0 controls other than tab, line feed and carriage return; U+FFFE; U+FFFF).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AlertKind;
    use crate::alert::tests::sample;
    use quick_xml::Reader;
    use quick_xml::events::Event;
    use time::macros::datetime;

    /// Parses the document and returns (element path, text) pairs, failing on malformed XML.
    fn texts(xml: &str) -> Vec<(String, String)> {
        let mut reader = Reader::from_str(xml);
        let mut path: Vec<String> = Vec::new();
        let mut out = Vec::new();
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) => path.push(e.name().as_ref().to_string()),
                Event::End(_) => {
                    path.pop();
                }
                Event::Text(t) => {
                    let text = t.xml10_content().into_owned();
                    let here = path.join("/");
                    let structural = here == "feed" || here.ends_with("/entry");
                    if !(structural && text.trim().is_empty()) {
                        out.push((here, text));
                    }
                }
                Event::GeneralRef(r) => {
                    let text = match r.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        other => panic!("unexpected entity {other:?}"),
                    };
                    out.push((path.join("/"), text.to_string()));
                }
                Event::Eof => break,
                _ => {}
            }
        }
        assert!(path.is_empty(), "unbalanced elements");
        out
    }

    fn joined(pairs: &[(String, String)], path: &str) -> Vec<String> {
        // Adjacent text and entity events of one element belong together.
        let mut out: Vec<String> = Vec::new();
        let mut last: Option<&str> = None;
        for (p, t) in pairs {
            if p == path {
                if last == Some(path) {
                    out.last_mut().unwrap().push_str(t);
                } else {
                    out.push(t.clone());
                }
            }
            last = Some(p);
        }
        out
    }

    #[test]
    fn feed_is_well_formed_and_escaped() {
        let mut quiet = sample();
        quiet.id = "4712".to_string();
        quiet.urgent = false;
        quiet.kind = AlertKind::NewFinding;
        quiet.title = "Control \u{1} char & 'quotes'".to_string();
        quiet.created_at = datetime!(2026-11-27 22:00 UTC);
        let feed = FeedMeta {
            id: "urn:cyres:org:acme:alerts",
            title: "Alerts for <ACME>",
            self_url: Some("https://cyres.example/orgs/acme/alerts.atom"),
            updated_when_empty: datetime!(2000-01-01 0:00 UTC),
        };
        let xml = render(&feed, &[sample(), quiet]);
        assert!(!xml.contains('\u{1}'));
        let pairs = texts(&xml);
        assert_eq!(joined(&pairs, "feed/title"), ["Alerts for <ACME>"]);
        assert_eq!(joined(&pairs, "feed/updated"), ["2026-11-27T22:00:00Z"]);
        assert_eq!(
            joined(&pairs, "feed/entry/id"),
            ["urn:cyres:alert:acme:4711", "urn:cyres:alert:acme:4712"]
        );
        let titles = joined(&pairs, "feed/entry/title");
        assert_eq!(
            titles,
            [
                "URGENT: CVE-2025-48384 in git <now exploited>\nBcc: evil@example.org",
                "Control  char & 'quotes'",
            ]
        );
        let content = joined(&pairs, "feed/entry/content");
        assert!(
            content[0].contains("Product: Router & Co"),
            "{}",
            content[0]
        );
    }

    #[test]
    fn empty_feed_uses_the_given_time() {
        let feed = FeedMeta {
            id: "urn:x",
            title: "t",
            self_url: None,
            updated_when_empty: datetime!(2026-01-02 3:04:05 UTC),
        };
        let pairs = texts(&render(&feed, &[]));
        assert_eq!(joined(&pairs, "feed/updated"), ["2026-01-02T03:04:05Z"]);
        assert!(joined(&pairs, "feed/entry/id").is_empty());
    }

    #[test]
    fn entry_ids_encode_odd_characters() {
        let mut a = sample();
        a.org = "a b:c".to_string();
        assert_eq!(entry_id(&a), "urn:cyres:alert:a%20b%3Ac:4711");
    }
}
