//! The SMTP client against the sink: what arrives is what was meant, and the guards hold.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use time::macros::datetime;

use super::sink::{SinkOptions, SmtpSink};
use super::*;
use crate::alert::tests::sample;

fn config_for(sink: &SmtpSink) -> SmtpConfig {
    let mut config = SmtpConfig::relay(sink.addr().ip().to_string(), sink.addr().port());
    config.timeout = Duration::from_secs(5);
    config
}

fn plain_mail() -> Mail {
    Mail {
        from: "alerts@cyres.example".to_string(),
        to: vec![
            "psirt@acme.example".to_string(),
            "cto@acme.example".to_string(),
        ],
        subject: "Weekly digest".to_string(),
        body: "Line one\n.hidden line starts with a dot\n..two dots\nlast".to_string(),
        date: datetime!(2026-11-27 21:05:09 UTC),
        message_id: "digest-1@cyres.example".to_string(),
    }
}

#[tokio::test]
async fn plain_mail_arrives_with_dots_restored() {
    let sink = SmtpSink::start().await.unwrap();
    send(&config_for(&sink), &plain_mail()).await.unwrap();
    let got = sink.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 1);
    let mail = &got[0];
    assert_eq!(mail.hello, "cyres.localdomain");
    assert_eq!(mail.auth_user, None);
    assert_eq!(mail.from, "alerts@cyres.example");
    assert_eq!(mail.to, ["psirt@acme.example", "cto@acme.example"]);
    assert_eq!(mail.header("Subject").as_deref(), Some("Weekly digest"));
    assert_eq!(
        mail.header("Date").as_deref(),
        Some("Fri, 27 Nov 2026 21:05:09 +0000")
    );
    assert_eq!(
        mail.header("Message-ID").as_deref(),
        Some("<digest-1@cyres.example>")
    );
    assert_eq!(
        mail.raw_body(),
        "Line one\r\n.hidden line starts with a dot\r\n..two dots\r\nlast\r\n"
    );
}

#[tokio::test]
async fn alert_mail_with_non_ascii_is_encoded() {
    let sink = SmtpSink::start().await.unwrap();
    let mut alert = sample();
    alert.title = "Schwachstelle in Zähler-Firmware – sofort prüfen".to_string();
    alert.product = "Zähler Ω".to_string();
    let mail = Mail::for_alert(
        &alert,
        "alerts@cyres.example",
        &["psirt@acme.example".to_string()],
        "cyres.example",
    );
    send(&config_for(&sink), &mail).await.unwrap();
    let got = sink.wait_for(1, Duration::from_secs(5)).await;
    let received = &got[0];
    let subject = received.header("Subject").unwrap();
    assert!(subject.starts_with("=?UTF-8?B?"), "{subject}");
    let decoded: String = subject
        .split_whitespace()
        .map(|w| {
            let inner = w.trim_start_matches("=?UTF-8?B?").trim_end_matches("?=");
            String::from_utf8(BASE64.decode(inner).unwrap()).unwrap()
        })
        .collect();
    assert_eq!(decoded, alert.subject());
    assert_eq!(
        received.header("Content-Transfer-Encoding").as_deref(),
        Some("base64")
    );
    let body: String = received.raw_body().split("\r\n").collect();
    let text = String::from_utf8(BASE64.decode(body).unwrap()).unwrap();
    assert!(text.contains("Product: Zähler Ω"), "{text}");
    assert!(text.contains("Early warning due"));
    assert_eq!(
        received.header("Message-ID").as_deref(),
        Some("<alert-4711@cyres.example>")
    );
}

#[tokio::test]
async fn auth_plain_is_used_only_when_configured() {
    let options = SinkOptions {
        require_auth: Some(("cyres".to_string(), "pa55word".to_string())),
        ..SinkOptions::default()
    };
    let sink = SmtpSink::start_with(options).await.unwrap();

    // Without credentials the relay refuses MAIL FROM.
    let err = send(&config_for(&sink), &plain_mail()).await.unwrap_err();
    assert!(
        matches!(
            err,
            FeedError::Smtp {
                step: "MAIL FROM",
                ..
            }
        ),
        "{err}"
    );

    // Wrong password: refused, and the password is not in the error or the config's Debug.
    let mut config = config_for(&sink);
    config.credentials = Some(SmtpCredentials {
        username: "cyres".to_string(),
        password: "wrong-secret".to_string(),
    });
    let err = send(&config, &plain_mail()).await.unwrap_err();
    assert!(matches!(err, FeedError::Smtp { step: "AUTH", .. }), "{err}");
    assert!(!err.to_string().contains("wrong-secret"));
    assert!(!format!("{config:?}").contains("wrong-secret"));

    config.credentials = Some(SmtpCredentials {
        username: "cyres".to_string(),
        password: "pa55word".to_string(),
    });
    send(&config, &plain_mail()).await.unwrap();
    let got = sink.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].auth_user.as_deref(), Some("cyres"));
}

#[tokio::test]
async fn credentials_need_a_relay_that_offers_auth() {
    let sink = SmtpSink::start().await.unwrap();
    let mut config = config_for(&sink);
    config.credentials = Some(SmtpCredentials {
        username: "u".to_string(),
        password: "p".to_string(),
    });
    let err = send(&config, &plain_mail()).await.unwrap_err();
    assert!(
        err.to_string().contains("does not offer AUTH PLAIN"),
        "{err}"
    );
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn refused_recipient_and_closed_port_are_clear_errors() {
    let options = SinkOptions {
        reject_recipients: vec!["cto@acme.example".to_string()],
        ..SinkOptions::default()
    };
    let sink = SmtpSink::start_with(options).await.unwrap();
    let err = send(&config_for(&sink), &plain_mail()).await.unwrap_err();
    assert!(
        matches!(
            err,
            FeedError::Smtp {
                step: "RCPT TO",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("550"), "{err}");
    assert!(sink.messages().is_empty());

    let port = sink.addr().port();
    drop(sink);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let config = SmtpConfig {
        timeout: Duration::from_secs(2),
        ..SmtpConfig::relay("127.0.0.1", port)
    };
    let err = send(&config, &plain_mail()).await.unwrap_err();
    assert!(
        matches!(
            err,
            FeedError::Smtp {
                step: "connect",
                ..
            } | FeedError::Smtp {
                step: "greeting",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn header_injection_is_refused_before_connecting() {
    let mut mail = plain_mail();
    mail.to = vec!["a@b.example\r\nRCPT TO:<x@evil.example>".to_string()];
    assert!(matches!(mail.to_message(), Err(FeedError::Config(_))));
    let mut mail = plain_mail();
    mail.from = "no-at-sign".to_string();
    assert!(mail.to_message().is_err());
    let mut mail = plain_mail();
    mail.to.clear();
    assert!(mail.to_message().is_err());
    // A subject with line breaks is folded into one line, not into new headers.
    let mut mail = plain_mail();
    mail.subject = "hi\r\nBcc: x@evil.example".to_string();
    let text = mail.to_message().unwrap();
    assert!(!text.contains("\r\nBcc:"), "{text}");
}

#[test]
fn dot_stuffing_follows_rfc5321() {
    assert_eq!(dot_stuff("a\r\n.b\r\n"), "a\r\n..b\r\n.\r\n");
    assert_eq!(dot_stuff(".\r\n"), "..\r\n.\r\n");
    assert_eq!(dot_stuff("x"), "x\r\n.\r\n");
}
