//! Alerts for chat services' incoming webhooks: Slack and Mattermost (which reads the same
//! shape). The body is JSON with a `text` field; the receiving URL is the credential, so the
//! POST is unsigned (`crate::webhook::deliver_unsigned`) and goes through the same outbound
//! policy as every other delivery.
//!
//! Everything in the text comes from advisories and product names, which cyres does not
//! control, so it is escaped for the target's markup: Slack `mrkdwn` needs `&`, `<` and `>`
//! escaped (Slack API docs, "Formatting text for app surfaces": escaping), which also stops
//! `<!channel>` mentions and `<url|label>` links; Mattermost renders Markdown, where the
//! markup characters are escaped with a backslash and `@` is broken up so that no
//! `@channel`/`@all` mention fires.

use crate::Alert;
use crate::alert::one_line;

/// Which chat service's flavour of markup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chat {
    /// Slack incoming webhooks (`mrkdwn`).
    Slack,
    /// Mattermost incoming webhooks (Markdown).
    Mattermost,
}

fn escape(chat: Chat, text: &str) -> String {
    let text = one_line(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match (chat, c) {
            (Chat::Slack, '&') => out.push_str("&amp;"),
            (Chat::Slack, '<') => out.push_str("&lt;"),
            (Chat::Slack, '>') => out.push_str("&gt;"),
            (
                Chat::Mattermost,
                '\\' | '*' | '_' | '`' | '[' | ']' | '(' | ')' | '#' | '~' | '|' | '<' | '>' | '!',
            ) => {
                out.push('\\');
                out.push(c);
            }
            // A zero-width joiner after `@` keeps the text readable but not a mention.
            (Chat::Mattermost, '@') => out.push_str("@\u{2060}"),
            _ => out.push(c),
        }
    }
    out
}

/// The incoming-webhook body for `alert`: `{"text": …}` (plus `username` for Mattermost).
pub fn chat_body(chat: Chat, alert: &Alert) -> Vec<u8> {
    let e = |s: &str| escape(chat, s);
    let bold = |s: String| match chat {
        Chat::Slack => format!("*{s}*"),
        Chat::Mattermost => format!("**{s}**"),
    };
    let mut lines = Vec::new();
    let head = if alert.urgent {
        format!(
            ":rotating_light: {}",
            bold(format!("URGENT: {}", e(&alert.title)))
        )
    } else {
        bold(e(&alert.title))
    };
    lines.push(head);
    let mut facts = Vec::new();
    if !alert.product.is_empty() {
        let release = if alert.release.is_empty() {
            String::new()
        } else {
            format!(" {}", e(&alert.release))
        };
        facts.push(format!("Product: {}{release}", e(&alert.product)));
    }
    let ids: Vec<&String> = alert
        .advisory_ids
        .iter()
        .filter(|s| !s.is_empty())
        .collect();
    if !ids.is_empty() {
        facts.push(format!(
            "Advisories: {}",
            ids.iter().map(|s| e(s)).collect::<Vec<_>>().join(", ")
        ));
    }
    if let Some(s) = &alert.severity {
        facts.push(format!("Severity: {}", e(s)));
    }
    if let Some(due) = alert.early_warning_due {
        facts.push(format!(
            "Early warning due (CRA Art. 14(2)(a)): {}",
            crate::alert::rfc3339(due)
        ));
    }
    if !facts.is_empty() {
        lines.push(facts.join(" · "));
    }
    if let Some(url) = &alert.url {
        // URLs are cyres's own (public URL + path); still escaped for the markup.
        lines.push(match chat {
            Chat::Slack => format!("<{}|Details>", e(url)),
            Chat::Mattermost => format!("Details: {}", url.replace(['(', ')', ' '], "")),
        });
    }
    let text = lines.join("\n");
    let body = match chat {
        Chat::Slack => serde_json::json!({"text": text}),
        Chat::Mattermost => serde_json::json!({"text": text, "username": "cyres"}),
    };
    body.to_string().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::tests::sample;

    fn text(chat: Chat, alert: &Alert) -> String {
        let v: serde_json::Value = serde_json::from_slice(&chat_body(chat, alert)).unwrap();
        v["text"].as_str().unwrap().to_string()
    }

    #[test]
    fn slack_text_is_escaped_and_names_the_deadline() {
        let mut a = sample();
        a.title = "<!channel> CVE-2025-1 & <https://evil.example|click>".into();
        let t = text(Chat::Slack, &a);
        assert!(t.starts_with(":rotating_light: *URGENT: &lt;!channel&gt; CVE-2025-1 &amp; &lt;https://evil.example|click&gt;*"), "{t}");
        assert!(t.contains("Product: Router &amp; Co 2.1.0"), "{t}");
        assert!(
            t.contains("Advisories: GHSA-vwqx-4fm8-6qc9, CVE-2025-48384"),
            "{t}"
        );
        assert!(
            t.contains("Early warning due (CRA Art. 14(2)(a)): 2026-11-28T21:00:00Z"),
            "{t}"
        );
        assert!(
            t.contains("<https://cyres.example/findings/9?x=1&amp;y=2|Details>"),
            "{t}"
        );
        assert!(!t.contains("Bcc:\n"), "one line per field: {t}");
    }

    #[test]
    fn mattermost_text_cannot_mention_or_link() {
        let mut a = sample();
        a.urgent = false;
        a.title = "@channel [click](https://evil.example) **bold**".into();
        let body: serde_json::Value =
            serde_json::from_slice(&chat_body(Chat::Mattermost, &a)).unwrap();
        assert_eq!(body["username"], "cyres");
        let t = body["text"].as_str().unwrap();
        assert!(
            t.starts_with(
                "**@\u{2060}channel \\[click\\]\\(https://evil.example\\) \\*\\*bold\\*\\***"
            ),
            "{t}"
        );
        assert!(!t.contains("@channel"));
    }
}
