//! The [`Transport`] of the client binary: `http://` through a small blocking HTTP/1.1 client
//! over `std::net`, and `file://` from the local disk.
//!
//! The conformance suite serves its repositories over plain HTTP on loopback, and the cyres
//! agent reads TUF repositories from mirrors it trusts no more than the network: TUF metadata
//! carries the security, so TLS is not needed for correctness (TUF §1.5.1 goals). Every read is
//! capped at the byte limit the workflow passes in (endless-data attacks); HTTP 403 and 404 are
//! "not found", which ends the root-rotation walk (TUF §5.3.3).

use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use cyres_tuf::{Error, Resource, Result, Transport};

/// Fetches metadata and targets from two base URLs.
#[derive(Debug, Clone)]
pub struct UrlTransport {
    metadata_base: String,
    targets_base: String,
}

impl UrlTransport {
    /// A transport for the given metadata and target base URLs (`http://` or `file://`).
    pub fn new(metadata_base: &str, targets_base: &str) -> UrlTransport {
        UrlTransport {
            metadata_base: metadata_base.into(),
            targets_base: targets_base.into(),
        }
    }
}

impl Transport for UrlTransport {
    fn fetch(&self, resource: Resource, path: &str, max_len: u64) -> Result<Vec<u8>> {
        let base = match resource {
            Resource::Metadata => &self.metadata_base,
            Resource::Target => &self.targets_base,
        };
        let url = format!("{}/{}", base.trim_end_matches('/'), path);
        let result = if let Some(p) = url.strip_prefix("file://") {
            fetch_file(p, max_len)
        } else if let Some(rest) = url.strip_prefix("http://") {
            fetch_http(rest, max_len)
        } else {
            Err(Fail::Other(
                "only http:// and file:// URLs are supported".into(),
            ))
        };
        let outcome = match result {
            Ok(bytes) => Ok(bytes),
            Err(Fail::NotFound) => Err(Error::NotFound { what: url.clone() }),
            Err(Fail::TooLarge) => Err(Error::TooLarge {
                what: url.clone(),
                max: max_len,
            }),
            Err(Fail::Other(reason)) => Err(Error::Transport {
                what: url.clone(),
                reason,
            }),
        };
        match &outcome {
            Ok(b) => eprintln!("fetch {url}: {} bytes", b.len()),
            Err(e) => eprintln!("fetch {url}: {e}"),
        }
        outcome
    }
}

enum Fail {
    NotFound,
    TooLarge,
    Other(String),
}

impl From<io::Error> for Fail {
    fn from(e: io::Error) -> Fail {
        Fail::Other(e.to_string())
    }
}

fn read_capped(mut r: impl Read, max_len: u64) -> Result<Vec<u8>, Fail> {
    let mut buf = Vec::new();
    r.by_ref()
        .take(max_len.saturating_add(1))
        .read_to_end(&mut buf)?;
    if buf.len() as u64 > max_len {
        return Err(Fail::TooLarge);
    }
    Ok(buf)
}

fn fetch_file(path: &str, max_len: u64) -> Result<Vec<u8>, Fail> {
    match fs::File::open(path) {
        Ok(f) => read_capped(f, max_len),
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

fn fetch_http(rest: &str, max_len: u64) -> Result<Vec<u8>, Fail> {
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let addr_str = if authority.contains(':') && !authority.ends_with(']') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let addr = addr_str
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| Fail::Other(format!("cannot resolve {authority}")))?;
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: cyres-tuf-client\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n",
        escape_path(path)
    );
    stream.write_all(request.as_bytes())?;
    let mut reader = BufReader::new(stream);
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
    match status {
        200 => {}
        403 | 404 => return Err(Fail::NotFound),
        other => return Err(Fail::Other(format!("HTTP status {other}"))),
    }
    if let Some(len) = content_length
        && len > max_len
    {
        return Err(Fail::TooLarge);
    }
    if chunked {
        return read_chunked(reader, max_len);
    }
    match content_length {
        Some(len) => {
            let body = read_capped(reader.take(len), max_len)?;
            if (body.len() as u64) < len {
                return Err(Fail::Other(
                    "connection closed before the end of the body".into(),
                ));
            }
            Ok(body)
        }
        None => read_capped(reader, max_len),
    }
}

fn read_chunked(mut reader: impl BufRead, max_len: u64) -> Result<Vec<u8>, Fail> {
    let mut body = Vec::new();
    loop {
        let mut size_line = String::new();
        reader.by_ref().take(1024).read_line(&mut size_line)?;
        let size_hex = size_line.trim().split(';').next().unwrap_or("");
        let size = u64::from_str_radix(size_hex, 16)
            .map_err(|_| Fail::Other(format!("bad chunk size {size_line:?}")))?;
        if size == 0 {
            return Ok(body);
        }
        if body.len() as u64 + size > max_len {
            return Err(Fail::TooLarge);
        }
        let mut chunk = Vec::new();
        reader.by_ref().take(size).read_to_end(&mut chunk)?;
        if (chunk.len() as u64) < size {
            return Err(Fail::Other("truncated chunk".into()));
        }
        body.extend_from_slice(&chunk);
        let mut crlf = String::new();
        reader.by_ref().take(2).read_line(&mut crlf)?;
    }
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
        let _ = fs::remove_dir_all(&dir);
    }
}
