//! A loopback HTTP server for the sync tests: serves files with `ETag`/`Last-Modified` and
//! 304s, and a paged EUVD-like API over the hand-made fixture, with switches for failures.

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// One served file.
#[derive(Clone, Debug)]
pub(crate) struct Resource {
    pub body: Vec<u8>,
    pub etag: String,
    pub last_modified: String,
    /// Send without `Content-Length` (chunked), to test the streaming limit.
    pub chunked: bool,
}

impl Resource {
    pub(crate) fn new(body: Vec<u8>, version: u32) -> Self {
        Self {
            body,
            etag: format!("\"v{version}\""),
            last_modified: format!("Fri, 0{version} Nov 2026 10:00:00 GMT"),
            chunked: false,
        }
    }
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    pub path: String,
    pub query: String,
    pub conditional: bool,
    pub status: u16,
    pub user_agent: String,
    /// The `apiKey` header, as received (NVD).
    pub api_key: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct Served {
    pub files: BTreeMap<String, Resource>,
    /// EUVD items, newest `dateUpdated` first.
    pub euvd_items: Vec<serde_json::Value>,
    /// Bumped on every change to the EUVD list (goes into the page ETags).
    pub euvd_version: u32,
    /// Pages that answer 500.
    pub euvd_failing_pages: HashSet<u32>,
    /// Serve this raw body for every EUVD page instead (malformed-response tests).
    pub euvd_raw: Option<Vec<u8>>,
    /// NVD CVE API 2.0 items (`{"cve": …}`), in the order the API pages them.
    pub nvd_items: Vec<serde_json::Value>,
    /// The API key NVD requests must carry, if any (a wrong key is a 404, as NVD answers).
    pub nvd_key: Option<String>,
    /// The next this many NVD requests answer 403, as NVD does over its rate limit.
    pub nvd_throttle: u32,
    /// NVD `startIndex` values that answer 500.
    pub nvd_failing_index: HashSet<u64>,
    pub log: Vec<Seen>,
}

#[derive(Clone, Debug)]
pub(crate) struct TestServer {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<Served>>,
}

impl TestServer {
    pub(crate) async fn start() -> Self {
        let state = Arc::new(Mutex::new(Served::default()));
        let app = Router::new().fallback(handle).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { addr, state }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub(crate) fn put(&self, path: &str, resource: Resource) {
        self.state
            .lock()
            .unwrap()
            .files
            .insert(path.to_string(), resource);
    }

    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut Served) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    /// Takes the request log.
    pub(crate) fn take_log(&self) -> Vec<Seen> {
        std::mem::take(&mut self.state.lock().unwrap().log)
    }
}

async fn handle(State(state): State<Arc<Mutex<Served>>>, request: Request) -> Response {
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or("").to_string();
    let headers = request.headers().clone();
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let conditional = headers.contains_key(header::IF_NONE_MATCH)
        || headers.contains_key(header::IF_MODIFIED_SINCE);
    let api_key = headers
        .get("apiKey")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut served = state.lock().unwrap();
    let response = if path.ends_with("/cves/2.0") {
        crate::nvd_api::answer(&mut served, &query, api_key.as_deref())
    } else if path.ends_with("/vulnerabilities") {
        euvd(&served, &query, &headers)
    } else {
        match served.files.get(&path) {
            Some(resource) => file(resource, &headers),
            None => StatusCode::NOT_FOUND.into_response(),
        }
    };
    served.log.push(Seen {
        path,
        query,
        conditional,
        status: response.status().as_u16(),
        user_agent,
        api_key,
    });
    response
}

fn not_modified(headers: &HeaderMap, etag: &str, last_modified: &str) -> bool {
    // RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since when both are present.
    if let Some(tags) = headers.get(header::IF_NONE_MATCH) {
        return tags
            .to_str()
            .unwrap_or("")
            .split(',')
            .any(|t| t.trim() == etag);
    }
    headers
        .get(header::IF_MODIFIED_SINCE)
        .is_some_and(|d| d.to_str().unwrap_or("") == last_modified)
}

fn file(resource: &Resource, headers: &HeaderMap) -> Response {
    if not_modified(headers, &resource.etag, &resource.last_modified) {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, resource.etag.clone())],
        )
            .into_response();
    }
    let body = if resource.chunked {
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> = resource
            .body
            .chunks(64 * 1024)
            .map(|c| Ok(c.to_vec()))
            .collect();
        Body::from_stream(futures_util::stream::iter(chunks))
    } else {
        Body::from(resource.body.clone())
    };
    (
        [
            (header::ETAG, resource.etag.clone()),
            (header::LAST_MODIFIED, resource.last_modified.clone()),
        ],
        body,
    )
        .into_response()
}

/// `GET …/vulnerabilities?exploited=true&page=N&size=M`, answering like EUVD: 403 for a missing
/// or library User-Agent and for malformed parameters.
fn euvd(served: &Served, query: &str, headers: &HeaderMap) -> Response {
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if agent.is_empty() || agent.starts_with("python-requests") {
        return StatusCode::FORBIDDEN.into_response();
    }
    let params: BTreeMap<&str, &str> = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .collect();
    let (Some(Ok(page)), Some(Ok(size))) = (
        params.get("page").map(|p| p.parse::<u32>()),
        params.get("size").map(|s| s.parse::<u32>()),
    ) else {
        return StatusCode::FORBIDDEN.into_response();
    };
    if params.get("exploited") != Some(&"true") || size == 0 || size > 100 {
        return StatusCode::FORBIDDEN.into_response();
    }
    if served.euvd_failing_pages.contains(&page) {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let etag = format!("\"euvd-{}-{page}-{size}\"", served.euvd_version);
    let last_modified = format!("Sat, {:02} Nov 2026 08:00:00 GMT", served.euvd_version + 1);
    if not_modified(headers, &etag, &last_modified) {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let body = match &served.euvd_raw {
        Some(raw) => raw.clone(),
        None => {
            let items: Vec<_> = served
                .euvd_items
                .iter()
                .skip((page * size) as usize)
                .take(size as usize)
                .cloned()
                .collect();
            serde_json::to_vec(&serde_json::json!({
                "items": items,
                "total": served.euvd_items.len(),
            }))
            .unwrap()
        }
    };
    (
        [
            (header::ETAG, etag),
            (header::LAST_MODIFIED, last_modified),
            (header::CONTENT_TYPE, "application/json".to_string()),
        ],
        body,
    )
        .into_response()
}
