//! A [`Transport`] over real URLs: `http://` (and `https://` with the `tls` feature) through a
//! small blocking HTTP/1.1 client over `std::net`, and `file://` from the local disk; plus
//! [`post_json`] for device state reports. Used by the `cyres-tuf-client` binary and the
//! `cyres-agent` device agent, both of which must stay small (no async runtime; the agent adds
//! rustls, the conformance client does without).
//!
//! The conformance suite serves its repositories over plain HTTP on loopback, and the cyres
//! agent reads TUF repositories from mirrors it trusts no more than the network: TUF metadata
//! carries the security, so TLS is not needed for correctness (TUF §1.5.1 goals); it is needed
//! for what the device sends (its token). Every read is capped at the byte limit the workflow
//! passes in (endless-data attacks); HTTP 403 and 404 are "not found", which ends the
//! root-rotation walk (TUF §5.3.3).

use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::client::{Resource, Transport};
use crate::error::{Error, Result};

#[cfg(feature = "tls")]
mod tls;
#[cfg(feature = "tls")]
pub use tls::Tls;

/// Built without the `tls` feature there is no TLS configuration, so `https://` URLs are
/// refused.
#[cfg(not(feature = "tls"))]
#[derive(Debug, Clone)]
pub enum Tls {}

#[cfg(not(feature = "tls"))]
impl Tls {
    fn connect(&self, _host: &str, _tcp: TcpStream) -> io::Result<TcpStream> {
        match *self {}
    }
}

/// Fetches metadata and targets from two base URLs.
#[derive(Debug, Clone)]
pub struct UrlTransport {
    metadata_base: String,
    targets_base: String,
    log: bool,
    tls: Option<Tls>,
}

impl UrlTransport {
    /// A transport for the given metadata and target base URLs (`http://` or `file://`).
    pub fn new(metadata_base: &str, targets_base: &str) -> UrlTransport {
        UrlTransport {
            metadata_base: metadata_base.into(),
            targets_base: targets_base.into(),
            log: false,
            tls: None,
        }
    }

    /// Allows `https://` URLs, trusting the CAs of `tls`.
    pub fn with_tls(mut self, tls: Tls) -> UrlTransport {
        self.tls = Some(tls);
        self
    }

    /// Logs every fetch (URL and size or error) on stderr.
    pub fn with_logging(mut self, log: bool) -> UrlTransport {
        self.log = log;
        self
    }

    fn url(&self, resource: Resource, path: &str) -> String {
        let base = match resource {
            Resource::Metadata => &self.metadata_base,
            Resource::Target => &self.targets_base,
        };
        format!("{}/{}", base.trim_end_matches('/'), path)
    }

    fn fetch_into(&self, url: &str, max_len: u64, sink: &mut dyn Write) -> Result<u64> {
        let result = if let Some(p) = url.strip_prefix("file://") {
            fetch_file(p, max_len, sink)
        } else if let Some(target) = HttpTarget::parse(url, self.tls.as_ref()) {
            target.and_then(|t| fetch_http(&t, max_len, sink))
        } else {
            Err(Fail::Other(
                "only http://, https:// and file:// URLs are supported".into(),
            ))
        };
        let outcome = result.map_err(|f| f.into_error(url, max_len));
        if self.log {
            match &outcome {
                Ok(n) => eprintln!("fetch {url}: {n} bytes"),
                Err(e) => eprintln!("fetch {url}: {e}"),
            }
        }
        outcome
    }
}

impl Transport for UrlTransport {
    fn fetch(&self, resource: Resource, path: &str, max_len: u64) -> Result<Vec<u8>> {
        let mut buf = Vec::new();
        self.fetch_into(&self.url(resource, path), max_len, &mut buf)?;
        Ok(buf)
    }

    fn fetch_to(
        &self,
        resource: Resource,
        path: &str,
        max_len: u64,
        sink: &mut dyn Write,
    ) -> Result<u64> {
        self.fetch_into(&self.url(resource, path), max_len, sink)
    }
}

enum Fail {
    NotFound,
    TooLarge,
    Other(String),
}

impl Fail {
    fn into_error(self, url: &str, max: u64) -> Error {
        match self {
            Fail::NotFound => Error::NotFound { what: url.into() },
            Fail::TooLarge => Error::TooLarge {
                what: url.into(),
                max,
            },
            Fail::Other(reason) => Error::Transport {
                what: url.into(),
                reason,
            },
        }
    }
}

impl From<io::Error> for Fail {
    fn from(e: io::Error) -> Fail {
        Fail::Other(e.to_string())
    }
}

/// Copies at most `max_len` bytes from `r` to `sink`; more is [`Fail::TooLarge`].
fn copy_capped(r: impl Read, max_len: u64, sink: &mut dyn Write) -> Result<u64, Fail> {
    let mut limited = r.take(max_len.saturating_add(1));
    let mut buf = [0u8; 16 * 1024];
    let mut total = 0u64;
    loop {
        let n = match limited.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        total += n as u64;
        if total > max_len {
            return Err(Fail::TooLarge);
        }
        sink.write_all(&buf[..n])?;
    }
}

fn fetch_file(path: &str, max_len: u64, sink: &mut dyn Write) -> Result<u64, Fail> {
    match fs::File::open(path) {
        Ok(f) => copy_capped(f, max_len, sink),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(Fail::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// Escapes bytes that cannot appear in a URL path; `%` and `/` stay as they are because role
/// names are already percent-encoded.
fn escape_path(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_graphic() && b != b'#' && b != b'?' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

struct Response {
    status: u16,
    content_length: Option<u64>,
    chunked: bool,
    reader: BufReader<Box<dyn Read>>,
}

/// An `http://` or `https://` URL split for one request.
struct HttpTarget<'a> {
    /// `host[:port]` as written in the URL (the `Host` header).
    authority: &'a str,
    /// The host alone, without brackets (for the TLS server name).
    host: &'a str,
    /// Path and query, starting with `/`.
    path: &'a str,
    /// `Some` for `https://`.
    tls: Option<&'a Tls>,
}

impl<'a> HttpTarget<'a> {
    /// `None` when `url` is neither `http://` nor `https://`; an error for `https://` without
    /// a TLS configuration.
    fn parse(url: &'a str, tls: Option<&'a Tls>) -> Option<Result<HttpTarget<'a>, Fail>> {
        let (rest, tls) = if let Some(rest) = url.strip_prefix("http://") {
            (rest, None)
        } else if let Some(rest) = url.strip_prefix("https://") {
            match tls {
                Some(t) => (rest, Some(t)),
                None => {
                    return Some(Err(Fail::Other(
                        "https:// needs a TLS configuration (CA certificates)".into(),
                    )));
                }
            }
        } else {
            return None;
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        Some(Ok(HttpTarget {
            authority,
            host: host_of(authority),
            path,
            tls,
        }))
    }

    fn default_port(&self) -> u16 {
        if self.tls.is_some() { 443 } else { 80 }
    }
}

/// The host of an authority: `[::1]:8443` gives `::1`, `example.com:80` gives `example.com`.
fn host_of(authority: &str) -> &str {
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split_once(']').map_or(v6, |(h, _)| h);
    }
    authority.split_once(':').map_or(authority, |(h, _)| h)
}

/// True when `url` names this machine (`localhost`, `127.0.0.0/8`, `::1`): traffic to it never
/// leaves the host, so a token sent there over plain HTTP is not exposed on a network.
pub fn is_loopback_url(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or("");
    let host = host_of(authority);
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Connects to the first address of `target` that answers.
fn connect(target: &HttpTarget<'_>) -> Result<TcpStream, Fail> {
    let with_port = if target.authority.contains(':') && !target.authority.ends_with(']') {
        target.authority.to_string()
    } else {
        format!("{}:{}", target.authority, target.default_port())
    };
    let mut last = None;
    for addr in with_port.to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(10)) {
            Ok(s) => return Ok(s),
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        Some(e) => e.into(),
        None => Fail::Other(format!("cannot resolve {}", target.authority)),
    })
}

/// Sends one HTTP/1.1 request (`Connection: close`) and reads the status line and headers.
fn request(
    target: &HttpTarget<'_>,
    method: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Response, Fail> {
    let (authority, path) = (target.authority, target.path);
    let tcp = connect(target)?;
    tcp.set_read_timeout(Some(Duration::from_secs(30)))?;
    tcp.set_write_timeout(Some(Duration::from_secs(30)))?;
    let mut stream: Box<dyn ReadWrite> = match target.tls {
        Some(tls) => Box::new(tls.connect(target.host, tcp)?),
        None => Box::new(tcp),
    };
    let mut head = format!(
        "{method} {} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: cyres-tuf\r\nAccept-Encoding: identity\r\nConnection: close\r\n",
        escape_path(path)
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if method != "GET" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()?;
    let mut reader = BufReader::new(stream.into_read());
    let mut status_line = String::new();
    reader.by_ref().take(8192).read_line(&mut status_line)?;
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| Fail::Other(format!("bad status line {status_line:?}")))?;
    let mut content_length: Option<u64> = None;
    let mut chunked = false;
    let mut header_bytes = 0usize;
    loop {
        let mut line = String::new();
        let n = reader.by_ref().take(8192).read_line(&mut line)?;
        header_bytes += n;
        if n == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        if header_bytes > 64 * 1024 {
            return Err(Fail::Other("response headers too large".into()));
        }
        if let Some((name, value)) = line.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                content_length = value.parse().ok();
            } else if name.eq_ignore_ascii_case("transfer-encoding")
                && value.eq_ignore_ascii_case("chunked")
            {
                chunked = true;
            }
        }
    }
    Ok(Response {
        status,
        content_length,
        chunked,
        reader,
    })
}

/// A byte stream to a server: plain TCP or TLS over TCP.
trait ReadWrite: Read + Write {
    fn into_read(self: Box<Self>) -> Box<dyn Read>;
}

impl<T: Read + Write + 'static> ReadWrite for T {
    fn into_read(self: Box<Self>) -> Box<dyn Read> {
        self
    }
}

fn fetch_http(target: &HttpTarget<'_>, max_len: u64, sink: &mut dyn Write) -> Result<u64, Fail> {
    let resp = request(target, "GET", &[], &[])?;
    match resp.status {
        200 => {}
        403 | 404 => return Err(Fail::NotFound),
        other => return Err(Fail::Other(format!("HTTP status {other}"))),
    }
    if let Some(len) = resp.content_length
        && len > max_len
    {
        return Err(Fail::TooLarge);
    }
    if resp.chunked {
        return read_chunked(resp.reader, max_len, sink);
    }
    match resp.content_length {
        Some(len) => {
            let n = copy_capped(resp.reader.take(len), max_len, sink)?;
            if n < len {
                return Err(Fail::Other(
                    "connection closed before the end of the body".into(),
                ));
            }
            Ok(n)
        }
        None => copy_capped(resp.reader, max_len, sink),
    }
}

fn read_chunked(mut reader: impl BufRead, max_len: u64, sink: &mut dyn Write) -> Result<u64, Fail> {
    let mut total = 0u64;
    loop {
        let mut size_line = String::new();
        reader.by_ref().take(1024).read_line(&mut size_line)?;
        let size_hex = size_line.trim().split(';').next().unwrap_or("");
        let size = u64::from_str_radix(size_hex, 16)
            .map_err(|_| Fail::Other(format!("bad chunk size {size_line:?}")))?;
        if size == 0 {
            return Ok(total);
        }
        if total.saturating_add(size) > max_len {
            return Err(Fail::TooLarge);
        }
        let n = copy_capped(reader.by_ref().take(size), size, sink)?;
        if n < size {
            return Err(Fail::Other("truncated chunk".into()));
        }
        total += n;
        let mut crlf = String::new();
        reader.by_ref().take(2).read_line(&mut crlf)?;
    }
}

/// POSTs a JSON body to an `http://` or (with `tls`) `https://` URL with an optional bearer
/// token and returns the HTTP status (any status; the caller decides what counts as success).
/// The response body is read and dropped, at most 64 KiB of it. Whether a token may go over
/// plain HTTP is the caller's policy (see [`is_loopback_url`]).
pub fn post_json(url: &str, tls: Option<&Tls>, bearer: Option<&str>, body: &[u8]) -> Result<u16> {
    let target = HttpTarget::parse(url, tls)
        .unwrap_or_else(|| {
            Err(Fail::Other(
                "only http:// and https:// URLs are supported".into(),
            ))
        })
        .map_err(|f| f.into_error(url, 0))?;
    let auth = bearer.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(a) = &auth {
        headers.push(("Authorization", a.as_str()));
    }
    let resp = request(&target, "POST", &headers, body).map_err(|f| f.into_error(url, 0))?;
    let status = resp.status;
    let _ = copy_capped(resp.reader, 64 * 1024, &mut io::sink());
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::thread;

    /// Serves one canned response per connection, `responses.len()` connections in all.
    fn serve(responses: Vec<&'static [u8]>) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        thread::spawn(move || {
            for resp in responses {
                let (mut s, _) = listener.accept().unwrap();
                let mut reader = BufReader::new(s.try_clone().unwrap());
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                        break;
                    }
                }
                let _ = s.write_all(resp);
            }
        });
        port
    }

    #[test]
    fn http_chunked_not_found_and_limits() {
        let port = serve(vec![
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort",
            b"HTTP/1.0 200 OK\r\n\r\n0123456789abcdef",
        ]);
        let base = format!("http://127.0.0.1:{port}/m");
        let t = UrlTransport::new(&base, &base);
        assert_eq!(
            t.fetch(Resource::Metadata, "a.json", 100).unwrap(),
            b"hello world"
        );
        assert!(matches!(
            t.fetch(Resource::Metadata, "2.root.json", 100),
            Err(Error::NotFound { .. })
        ));
        assert!(matches!(
            t.fetch(Resource::Metadata, "big", 10),
            Err(Error::TooLarge { max: 10, .. })
        ));
        assert!(matches!(
            t.fetch(Resource::Target, "endless", 8),
            Err(Error::TooLarge { max: 8, .. })
        ));
    }

    #[test]
    fn file_urls_and_escaping() {
        let dir =
            std::env::temp_dir().join(format!("cyres-tuf-client-file-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("timestamp.json"), b"{}").unwrap();
        let base = format!("file://{}", dir.display());
        let t = UrlTransport::new(&base, &base);
        assert_eq!(
            t.fetch(Resource::Metadata, "timestamp.json", 2).unwrap(),
            b"{}"
        );
        assert!(matches!(
            t.fetch(Resource::Metadata, "timestamp.json", 1),
            Err(Error::TooLarge { .. })
        ));
        assert!(matches!(
            t.fetch(Resource::Metadata, "3.root.json", 9),
            Err(Error::NotFound { .. })
        ));
        assert_eq!(escape_path("/a b/%3F#?é"), "/a%20b/%3F%23%3F%C3%A9");
        // Without a TLS configuration https:// is refused, never downgraded.
        assert!(matches!(
            UrlTransport::new("https://127.0.0.1:9/m", "https://127.0.0.1:9/t")
                .fetch(Resource::Metadata, "timestamp.json", 9),
            Err(Error::Transport { ref reason, .. }) if reason.contains("TLS")
        ));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn loopback_urls() {
        for url in [
            "http://127.0.0.1:8080/api",
            "http://localhost/x",
            "http://LOCALHOST:1",
            "http://[::1]:8443/",
            "http://127.3.2.1",
            "http://user@127.0.0.1:5/",
        ] {
            assert!(is_loopback_url(url), "{url}");
        }
        for url in [
            "http://cyres.example.com",
            "http://10.0.0.1:80/",
            "http://[2001:db8::1]/",
            "http://localhost.example.com/",
            "http://127.0.0.1.example.com/",
        ] {
            assert!(!is_loopback_url(url), "{url}");
        }
        assert_eq!(host_of("[::1]:8443"), "::1");
        assert_eq!(host_of("example.com:80"), "example.com");
    }
}
