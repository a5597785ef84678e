//! A minimal SMTP client for alert mail (RFC 5321), on a plain tokio `TcpStream`.
//!
//! Scope, on purpose: one message per connection to a **local relay** (a Postfix or OpenSMTPD
//! on the same host or network segment that does the onward delivery with TLS). There is no
//! STARTTLS yet; credentials (AUTH PLAIN, RFC 4954 + RFC 4616) are therefore only sent when the
//! relay is on a loopback address, unless [`SmtpConfig::allow_plaintext_auth`] says otherwise.
//!
//! The conversation: greeting `220`, `EHLO` (falling back to `HELO` for old relays), `AUTH
//! PLAIN` only when credentials are configured, `MAIL FROM`, `RCPT TO` per recipient, `DATA`
//! with dot-stuffing (RFC 5321 §4.5.2), `QUIT`. Each step has a timeout, replies are read with
//! a line-length cap, and errors name the step and the relay's reply, never the credentials.
//!
//! The message itself (RFC 5322): `Date`, `From`, `To`, `Subject` (RFC 2047 encoded-words when
//! not ASCII), `Message-ID`, and a `text/plain; charset=utf-8` body sent as 7bit when it is
//! plain ASCII with short lines, and as base64 otherwise, so no 8BITMIME support is needed.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use time::OffsetDateTime;
use time::macros::format_description;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

use crate::alert::one_line;
use crate::{Alert, FeedError};

#[cfg(any(test, feature = "testing"))]
pub mod sink;

/// Where and how to send mail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpConfig {
    /// The relay's host name or address.
    pub host: String,
    /// The relay's port (25 or 587 for a local relay).
    pub port: u16,
    /// The name sent with `EHLO` (this host's name).
    pub hello_name: String,
    /// Credentials for AUTH PLAIN; `None` sends none.
    pub credentials: Option<SmtpCredentials>,
    /// Send credentials over an unencrypted connection to a non-loopback relay. Off by default:
    /// without STARTTLS the password would cross the network in clear.
    pub allow_plaintext_auth: bool,
    /// Timeout for connecting and for each command's reply.
    pub timeout: Duration,
}

impl SmtpConfig {
    /// A relay on `host:port` without credentials, with a 30 s timeout.
    pub fn relay(host: impl Into<String>, port: u16) -> Self {
        Self {
            host: host.into(),
            port,
            hello_name: "cyres.localdomain".to_string(),
            credentials: None,
            allow_plaintext_auth: false,
            timeout: Duration::from_secs(30),
        }
    }
}

/// A user name and password. `Debug` shows the user name only.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpCredentials {
    /// The user name.
    pub username: String,
    /// The password (a secret: never printed).
    pub password: String,
}

impl fmt::Debug for SmtpCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpCredentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// One plain-text message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mail {
    /// The envelope and header sender (`alerts@example.org`).
    pub from: String,
    /// The recipients.
    pub to: Vec<String>,
    /// The subject (line breaks are collapsed).
    pub subject: String,
    /// The body text (any line endings; normalised to CRLF).
    pub body: String,
    /// The `Date` header.
    pub date: OffsetDateTime,
    /// The `Message-ID` header without angle brackets (`alert-4711@cyres.example`).
    pub message_id: String,
}

impl Mail {
    /// The mail for an alert: the alert's subject and text, its id in the `Message-ID`.
    pub fn for_alert(alert: &Alert, from: &str, to: &[String], domain: &str) -> Mail {
        let id: String = alert
            .id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
            .collect();
        Mail {
            from: from.to_string(),
            to: to.to_vec(),
            subject: alert.subject(),
            body: alert.text(),
            date: alert.created_at,
            message_id: format!("alert-{id}@{domain}"),
        }
    }

    /// The message as sent after `DATA`, before dot-stuffing: headers, a blank line, the body,
    /// lines ending in CRLF.
    pub fn to_message(&self) -> Result<String, FeedError> {
        check_address(&self.from)?;
        if self.to.is_empty() {
            return Err(FeedError::Config(
                "a mail needs at least one recipient".to_string(),
            ));
        }
        for to in &self.to {
            check_address(to)?;
        }
        if self
            .message_id
            .chars()
            .any(|c| c.is_whitespace() || "<>".contains(c))
        {
            return Err(FeedError::Config(
                "the Message-ID has spaces or angle brackets".to_string(),
            ));
        }
        let date_format = format_description!(
            "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] +0000"
        );
        let date = self
            .date
            .to_offset(time::UtcOffset::UTC)
            .format(&date_format)
            .map_err(|e| FeedError::Config(format!("cannot format the mail date: {e}")))?;
        let mut out = String::new();
        out.push_str(&format!("Date: {date}\r\n"));
        out.push_str(&format!("From: <{}>\r\n", self.from));
        let to: Vec<String> = self.to.iter().map(|t| format!("<{t}>")).collect();
        out.push_str(&format!("To: {}\r\n", to.join(", ")));
        out.push_str(&format!(
            "Subject: {}\r\n",
            encode_subject(&one_line(&self.subject))
        ));
        out.push_str(&format!("Message-ID: <{}>\r\n", self.message_id));
        out.push_str("MIME-Version: 1.0\r\n");
        out.push_str("Content-Type: text/plain; charset=utf-8\r\n");
        let lines: Vec<&str> = self.body.lines().collect();
        let plain = self.body.is_ascii() && lines.iter().all(|l| l.len() <= 998);
        if plain {
            out.push_str("Content-Transfer-Encoding: 7bit\r\n\r\n");
            for line in lines {
                out.push_str(line);
                out.push_str("\r\n");
            }
        } else {
            out.push_str("Content-Transfer-Encoding: base64\r\n\r\n");
            let crlf = lines.join("\r\n") + "\r\n";
            let encoded = BASE64.encode(crlf.as_bytes());
            for chunk in encoded.as_bytes().chunks(76) {
                out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
                out.push_str("\r\n");
            }
        }
        Ok(out)
    }
}

/// A mailbox as used in `MAIL FROM:<…>`: something@something, no spaces, controls or brackets
/// (a line break here would let a value add SMTP commands or headers).
fn check_address(address: &str) -> Result<(), FeedError> {
    let bad = address.is_empty()
        || address.len() > 254
        || !address.contains('@')
        || address
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>(),;:\"[]\\".contains(c));
    if bad {
        return Err(FeedError::Config(format!(
            "{:?} is not a plain mail address",
            one_line(address)
        )));
    }
    Ok(())
}

/// RFC 2047 `B` encoded-words for a non-ASCII subject, each at most 75 characters.
fn encode_subject(subject: &str) -> String {
    if subject.is_ascii() {
        return subject.to_string();
    }
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in subject.chars() {
        // 45 input bytes make 60 base64 characters, plus 12 for `=?UTF-8?B?` and `?=`.
        if chunk.len() + c.len_utf8() > 45 {
            words.push(format!("=?UTF-8?B?{}?=", BASE64.encode(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(format!("=?UTF-8?B?{}?=", BASE64.encode(chunk.as_bytes())));
    }
    words.join("\r\n ")
}

/// RFC 5321 §4.5.2: a line that starts with a period gets one more; the data ends with
/// `CRLF.CRLF`.
pub fn dot_stuff(message: &str) -> String {
    let mut out = String::with_capacity(message.len() + 8);
    for line in message.split("\r\n") {
        if line.starts_with('.') {
            out.push('.');
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    // `split` yields an empty last piece after the final CRLF; drop its extra CRLF.
    if message.ends_with("\r\n") {
        out.truncate(out.len() - 2);
    }
    out.push_str(".\r\n");
    out
}

/// A reply: the code and the text lines joined.
#[derive(Debug)]
struct Reply {
    code: u16,
    text: String,
    lines: Vec<String>,
}

impl Reply {
    fn shown(&self) -> String {
        let mut text = format!("{} {}", self.code, one_line(&self.text));
        if text.len() > 300 {
            let mut end = 300;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
            text.push('…');
        }
        text
    }
}

struct Session {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    timeout: Duration,
}

const MAX_REPLY_LINE: u64 = 4096;
const MAX_REPLY_LINES: usize = 200;

impl Session {
    async fn reply(&mut self, step: &'static str) -> Result<Reply, FeedError> {
        let mut lines = Vec::new();
        loop {
            let mut raw = Vec::new();
            let mut limited = (&mut self.reader).take(MAX_REPLY_LINE);
            let read = limited.read_until(b'\n', &mut raw);
            let n = tokio::time::timeout(self.timeout, read)
                .await
                .map_err(|_| smtp(step, "timed out waiting for the reply"))?
                .map_err(|e| smtp(step, format!("connection failed: {e}")))?;
            if n == 0 {
                return Err(smtp(step, "the relay closed the connection"));
            }
            if !raw.ends_with(b"\n") {
                return Err(smtp(step, "reply line too long"));
            }
            let line = String::from_utf8_lossy(&raw).trim_end().to_string();
            let code = line
                .get(..3)
                .and_then(|c| c.parse::<u16>().ok())
                .filter(|c| (200..600).contains(c))
                .ok_or_else(|| smtp(step, format!("not an SMTP reply: {:?}", one_line(&line))))?;
            let more = line.as_bytes().get(3) == Some(&b'-');
            lines.push(line.get(4..).unwrap_or("").to_string());
            if !more {
                return Ok(Reply {
                    code,
                    text: lines.join(" "),
                    lines,
                });
            }
            if lines.len() >= MAX_REPLY_LINES {
                return Err(smtp(step, "reply has too many lines"));
            }
        }
    }

    async fn send(&mut self, step: &'static str, bytes: &[u8]) -> Result<(), FeedError> {
        tokio::time::timeout(self.timeout, self.writer.write_all(bytes))
            .await
            .map_err(|_| smtp(step, "timed out sending"))?
            .map_err(|e| smtp(step, format!("connection failed: {e}")))
    }

    /// Sends one command line and expects a reply in `ok`.
    async fn command(
        &mut self,
        step: &'static str,
        line: &str,
        ok: &[u16],
    ) -> Result<Reply, FeedError> {
        self.send(step, format!("{line}\r\n").as_bytes()).await?;
        let reply = self.reply(step).await?;
        if !ok.contains(&reply.code) {
            return Err(smtp(step, format!("the relay answered {}", reply.shown())));
        }
        Ok(reply)
    }
}

fn smtp(step: &'static str, message: impl Into<String>) -> FeedError {
    FeedError::Smtp {
        step,
        message: message.into(),
    }
}

/// Sends one mail. Connects, talks, and closes the connection.
pub async fn send(config: &SmtpConfig, mail: &Mail) -> Result<(), FeedError> {
    let message = mail.to_message()?;
    if config.hello_name.is_empty()
        || config
            .hello_name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(FeedError::Config(
            "the EHLO name must be one word".to_string(),
        ));
    }
    let connect = TcpStream::connect((config.host.as_str(), config.port));
    let stream = tokio::time::timeout(config.timeout, connect)
        .await
        .map_err(|_| smtp("connect", "timed out connecting to the relay"))?
        .map_err(|e| smtp("connect", format!("cannot reach the relay: {e}")))?;
    let peer: Option<SocketAddr> = stream.peer_addr().ok();
    let (read, writer) = stream.into_split();
    let mut session = Session {
        reader: BufReader::new(read),
        writer,
        timeout: config.timeout,
    };

    let greeting = session.reply("greeting").await?;
    if greeting.code != 220 {
        return Err(smtp(
            "greeting",
            format!("the relay is not ready: {}", greeting.shown()),
        ));
    }
    let ehlo = format!("EHLO {}", config.hello_name);
    session
        .send("EHLO", format!("{ehlo}\r\n").as_bytes())
        .await?;
    let hello = session.reply("EHLO").await?;
    let extensions: Vec<String> = if hello.code == 250 {
        hello
            .lines
            .iter()
            .skip(1)
            .map(|l| l.to_ascii_uppercase())
            .collect()
    } else {
        // RFC 5321 §3.2: a relay that does not know EHLO still knows HELO.
        session
            .command("HELO", &format!("HELO {}", config.hello_name), &[250])
            .await?;
        Vec::new()
    };

    if let Some(credentials) = &config.credentials {
        let loopback = peer.is_some_and(|p| p.ip().is_loopback());
        if !loopback && !config.allow_plaintext_auth {
            return Err(smtp(
                "AUTH",
                "refusing to send credentials without TLS to a relay that is not on loopback \
                 (set allow_plaintext_auth to override)",
            ));
        }
        let offers_plain = extensions.iter().any(|e| {
            let mut words = e.split_whitespace();
            words.next() == Some("AUTH") && words.any(|w| w == "PLAIN")
        });
        if !offers_plain {
            return Err(smtp("AUTH", "the relay does not offer AUTH PLAIN"));
        }
        // RFC 4616: authzid NUL authcid NUL passwd, base64 in the initial response.
        let token = BASE64
            .encode(format!("\0{}\0{}", credentials.username, credentials.password).as_bytes());
        session
            .send("AUTH", format!("AUTH PLAIN {token}\r\n").as_bytes())
            .await?;
        let reply = session.reply("AUTH").await?;
        if reply.code != 235 {
            return Err(smtp(
                "AUTH",
                format!("the relay refused the credentials: {}", reply.shown()),
            ));
        }
    }

    session
        .command("MAIL FROM", &format!("MAIL FROM:<{}>", mail.from), &[250])
        .await?;
    for to in &mail.to {
        session
            .command("RCPT TO", &format!("RCPT TO:<{to}>"), &[250, 251])
            .await?;
    }
    session.command("DATA", "DATA", &[354]).await?;
    session.send("DATA", dot_stuff(&message).as_bytes()).await?;
    let accepted = session.reply("DATA").await?;
    if accepted.code != 250 {
        return Err(smtp(
            "DATA",
            format!("the relay refused the message: {}", accepted.shown()),
        ));
    }
    // The message is accepted; a failing QUIT changes nothing.
    let _ = session.command("QUIT", "QUIT", &[221]).await;
    Ok(())
}

#[cfg(test)]
mod tests;
