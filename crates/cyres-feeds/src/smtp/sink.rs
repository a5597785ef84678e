//! An SMTP sink for tests: a loopback server that accepts mail and records it, so this crate's
//! tests and the server's tests can check what an alert mail really looked like on the wire.
//! Built under `cfg(test)` and with the `testing` feature; never part of a production build.
//!
//! It speaks enough of RFC 5321 for a client: `EHLO`/`HELO`, `AUTH PLAIN` (RFC 4616, checked
//! against the configured credentials), `MAIL`, `RCPT`, `DATA` (undoing dot-stuffing), `RSET`,
//! `NOOP`, `QUIT`.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// How the sink behaves.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SinkOptions {
    /// Offer `AUTH PLAIN` and accept only these (user, password); mail without AUTH is refused.
    pub require_auth: Option<(String, String)>,
    /// Recipients to refuse with `550`.
    pub reject_recipients: Vec<String>,
}

/// One accepted message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The `EHLO`/`HELO` argument.
    pub hello: String,
    /// The user that authenticated, if any.
    pub auth_user: Option<String>,
    /// The `MAIL FROM` address.
    pub from: String,
    /// The `RCPT TO` addresses.
    pub to: Vec<String>,
    /// The message after `DATA`, dot-stuffing undone, lines ending in CRLF.
    pub data: String,
}

impl ReceivedMail {
    /// The first header with this name (case-insensitive), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let mut found: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(value) = found.as_mut() {
                if line.starts_with([' ', '\t']) {
                    value.push_str(line);
                    continue;
                }
                break;
            }
            if let Some((key, value)) = line.split_once(':')
                && key.eq_ignore_ascii_case(name)
            {
                found = Some(value.trim_start().to_string());
            }
        }
        found
    }

    /// The body as sent (after the blank line), still transfer-encoded.
    pub fn raw_body(&self) -> &str {
        self.data.split_once("\r\n\r\n").map_or("", |(_, b)| b)
    }
}

/// A running sink; stops when dropped.
#[derive(Debug)]
pub struct SmtpSink {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
    arrived: Arc<Notify>,
    task: JoinHandle<()>,
}

impl SmtpSink {
    /// Starts a sink without authentication on `127.0.0.1` and a free port.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_with(SinkOptions::default()).await
    }

    /// Starts a sink with options.
    pub async fn start_with(options: SinkOptions) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let received = Arc::new(Mutex::new(Vec::new()));
        let arrived = Arc::new(Notify::new());
        let (store, notify) = (received.clone(), arrived.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (store, notify, options) = (store.clone(), notify.clone(), options.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, &options, &store, &notify).await;
                });
            }
        });
        Ok(Self {
            addr,
            received,
            arrived,
            task,
        })
    }

    /// The address to send to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The messages received so far.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.received.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// Waits until at least `count` messages arrived or `timeout` passed; returns what arrived.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.arrived.notified();
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.messages();
            }
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    stream: TcpStream,
    options: &SinkOptions,
    store: &Mutex<Vec<ReceivedMail>>,
    arrived: &Notify,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    write.write_all(b"220 cyres-sink ESMTP ready\r\n").await?;
    let mut hello = String::new();
    let mut auth_user: Option<String> = None;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end_matches(['\r', '\n']).to_string();
        let upper = command.to_ascii_uppercase();
        let reply: String = if upper.starts_with("EHLO ") || upper.starts_with("HELO ") {
            hello = command[5..].trim().to_string();
            if upper.starts_with("EHLO") {
                let auth = if options.require_auth.is_some() {
                    "250-AUTH PLAIN\r\n"
                } else {
                    ""
                };
                format!("250-cyres-sink greets {hello}\r\n{auth}250 8BITMIME\r\n")
            } else {
                "250 cyres-sink\r\n".to_string()
            }
        } else if let Some(token) = upper.strip_prefix("AUTH PLAIN ").map(|_| &command[11..]) {
            let decoded = BASE64.decode(token.trim()).unwrap_or_default();
            let parts: Vec<&[u8]> = decoded.split(|b| *b == 0).collect();
            let given = match parts.as_slice() {
                [_, user, pass] => Some((
                    String::from_utf8_lossy(user).to_string(),
                    String::from_utf8_lossy(pass).to_string(),
                )),
                _ => None,
            };
            match (&options.require_auth, given) {
                (Some(expected), Some(given)) if *expected == given => {
                    auth_user = Some(given.0);
                    "235 2.7.0 accepted\r\n".to_string()
                }
                (None, _) => "502 5.5.1 AUTH not offered\r\n".to_string(),
                _ => "535 5.7.8 bad credentials\r\n".to_string(),
            }
        } else if upper.starts_with("MAIL FROM:") {
            if options.require_auth.is_some() && auth_user.is_none() {
                "530 5.7.0 authentication required\r\n".to_string()
            } else {
                from = Some(angle(&command[10..]));
                to.clear();
                "250 2.1.0 ok\r\n".to_string()
            }
        } else if upper.starts_with("RCPT TO:") {
            let address = angle(&command[8..]);
            if from.is_none() {
                "503 5.5.1 MAIL first\r\n".to_string()
            } else if options.reject_recipients.contains(&address) {
                "550 5.1.1 no such user\r\n".to_string()
            } else {
                to.push(address);
                "250 2.1.5 ok\r\n".to_string()
            }
        } else if upper == "DATA" {
            if from.is_none() || to.is_empty() {
                "503 5.5.1 RCPT first\r\n".to_string()
            } else {
                write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let data = read_data(&mut reader).await?;
                let mail = ReceivedMail {
                    hello: hello.clone(),
                    auth_user: auth_user.clone(),
                    from: from.take().unwrap_or_default(),
                    to: std::mem::take(&mut to),
                    data,
                };
                if let Ok(mut all) = store.lock() {
                    all.push(mail);
                }
                arrived.notify_waiters();
                "250 2.0.0 queued\r\n".to_string()
            }
        } else if upper == "RSET" {
            from = None;
            to.clear();
            "250 2.0.0 ok\r\n".to_string()
        } else if upper == "NOOP" {
            "250 2.0.0 ok\r\n".to_string()
        } else if upper == "QUIT" {
            write.write_all(b"221 2.0.0 bye\r\n").await?;
            return Ok(());
        } else {
            "500 5.5.2 unknown command\r\n".to_string()
        };
        write.write_all(reply.as_bytes()).await?;
    }
}

fn angle(text: &str) -> String {
    text.trim()
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap_or("")
        .to_string()
}

async fn read_data(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> std::io::Result<String> {
    let mut data = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let content = line.trim_end_matches(['\r', '\n']);
        if content == "." {
            return Ok(data);
        }
        // RFC 5321 §4.5.2: drop the first period of a line that starts with one.
        data.push_str(content.strip_prefix('.').unwrap_or(content));
        data.push_str("\r\n");
    }
}
