//! The HTTP edge every request and response passes, whatever route it reaches:
//!
//! - **Bounded bodies.** Each route has a body budget ([`body_limit`]): ordinary routes the
//!   small `max_body_bytes` (1 MiB by default), report intake 2 MiB, SBOM upload and advisory
//!   import `max_upload_bytes`. A declared `Content-Length` over the budget is refused with 413
//!   before a byte is read; other bodies are read up to the budget and refused the moment they
//!   cross it (uploads are streamed by their handlers under the same budget). The 413 names the
//!   limit.
//! - **Security headers on every response**: the strict content security policy, `nosniff` and
//!   the referrer policy, also on JSON, feeds, public notice pages and errors.
//! - **No bare framework errors.** A rejection the router or an extractor produced as plain
//!   text (an unparsable typed path, a bad query string, an unknown route with an empty body)
//!   becomes the API's JSON error under `/api/` and the styled error page elsewhere; a path
//!   segment that does not parse (`/products/abc`) is a 404, like any id that does not exist.

use crate::ui::view::UiError;
use crate::{ApiError, App};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

/// Largest report pack the authority intake accepts (`POST /api/v1/authority/reports`).
pub(crate) const MAX_REPORT_PACK: u64 = 2 << 20;

/// Which budget a request's body falls under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyClass {
    /// Forms and JSON: `max_body_bytes`.
    Ordinary,
    /// A report pack delivered to an authority instance.
    ReportPack,
    /// SBOM upload and advisory import: `max_upload_bytes`, streamed by the handler.
    Upload,
}

/// The routes whose bodies are uploads: `(method, path pattern)`, `*` one segment.
const UPLOAD_ROUTES: &[(&str, &str)] = &[
    ("POST", "/api/v1/releases/*/sbom"),
    ("PUT", "/api/v1/releases/*/sbom"),
    ("POST", "/api/v1/advisories/import"),
    ("POST", "/api/v1/releases/*/vex"),
    ("POST", "/api/v1/products/*/documents"),
    ("POST", "/releases/*/sbom"),
    ("POST", "/releases/*/vex"),
];

fn matches(pattern: &str, path: &str) -> bool {
    let mut p = pattern.split('/');
    let mut s = path.split('/');
    loop {
        match (p.next(), s.next()) {
            (None, None) => return true,
            (Some("*"), Some(seg)) if !seg.is_empty() => {}
            (Some(a), Some(b)) if a == b => {}
            _ => return false,
        }
    }
}

/// The body class of a request.
pub(crate) fn body_class(method: &Method, path: &str) -> BodyClass {
    if UPLOAD_ROUTES
        .iter()
        .any(|(m, p)| method.as_str() == *m && matches(p, path))
    {
        BodyClass::Upload
    } else if method == Method::POST && path == "/api/v1/authority/reports" {
        BodyClass::ReportPack
    } else {
        BodyClass::Ordinary
    }
}

/// The body budget of a request, bytes.
pub(crate) fn body_limit(config: &crate::Config, method: &Method, path: &str) -> u64 {
    match body_class(method, path) {
        BodyClass::Ordinary => config.max_body_bytes,
        BodyClass::ReportPack => MAX_REPORT_PACK,
        BodyClass::Upload => config.max_upload_bytes,
    }
}

fn too_large(limit: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!("the request body is over this route's limit of {limit} bytes"),
    )
}

/// Whether responses to `path` are the JSON API's (else pages). `/setup` answers JSON to
/// scripts as well as a form; `/updates/` serves files to devices; the probes are plain.
fn is_api(path: &str) -> bool {
    path == "/api"
        || path.starts_with("/api/")
        || path.starts_with("/setup")
        || path.starts_with("/updates/")
        || path == "/healthz"
        || path == "/readyz"
}

/// The middleware: see the module documentation.
pub(crate) async fn guard(State(app): State<App>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let api = is_api(&path);
    let class = body_class(req.method(), &path);
    let limit = body_limit(&app.config, req.method(), &path);
    if let Some(v) = req.headers().get(header::CONTENT_LENGTH) {
        match v.to_str().ok().and_then(|s| s.trim().parse::<u64>().ok()) {
            None => {
                return finish(
                    error_response(ApiError::bad_request("Content-Length is not a number"), api),
                    api,
                )
                .await;
            }
            Some(n) if n > limit => {
                return finish(error_response(too_large(limit), api), api).await;
            }
            Some(_) => {}
        }
    }
    let req = if class == BodyClass::Upload {
        req
    } else {
        let (parts, body) = req.into_parts();
        match read_limited(body, limit).await {
            Ok(bytes) => Request::from_parts(parts, Body::from(bytes)),
            Err(e) => return finish(error_response(e, api), api).await,
        }
    };
    let resp = next.run(req).await;
    finish(resp, api).await
}

/// Reads a body, refusing it as soon as it crosses `limit`.
async fn read_limited(body: Body, limit: u64) -> Result<Vec<u8>, ApiError> {
    let mut stream = body.into_data_stream();
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::bad_request(format!("request body interrupted: {e}")))?;
        if out.len() as u64 + chunk.len() as u64 > limit {
            return Err(too_large(limit));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

fn error_response(e: ApiError, api: bool) -> Response {
    if api {
        e.into_response()
    } else {
        UiError(e).into_response()
    }
}

/// Largest framework error body looked at (they are one line).
const REJECTION_PEEK: usize = 4096;

/// Turns bare framework errors into ours and adds the security headers.
async fn finish(resp: Response, api: bool) -> Response {
    let status = resp.status();
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bare = status.is_client_error()
        && (content_type.is_empty() || content_type.starts_with("text/plain"));
    // A page route whose handler answered with the API's JSON error shows the error page.
    let json_error_on_page = !api
        && (status.is_client_error() || status.is_server_error())
        && content_type.starts_with("application/json");
    let mut resp = if json_error_on_page {
        let (_, body) = resp.into_parts();
        let message = axum::body::to_bytes(body, REJECTION_PEEK)
            .await
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_string());
        UiError(ApiError::new(status, "error", message)).into_response()
    } else if bare {
        let (_, body) = resp.into_parts();
        let text = axum::body::to_bytes(body, REJECTION_PEEK)
            .await
            .map(|b| String::from_utf8_lossy(&b).trim().to_string())
            .unwrap_or_default();
        error_response(framework_error(status, &text), api)
    } else {
        resp
    };
    let h = resp.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    resp
}

/// Our error for a framework rejection (`text` is its one-line message).
fn framework_error(status: StatusCode, text: &str) -> ApiError {
    // A typed path segment that does not parse names nothing that exists: the same answer as
    // an id that does not exist.
    if status == StatusCode::NOT_FOUND || text.starts_with("Invalid URL") {
        return ApiError::not_found("page");
    }
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_string()
    } else {
        text.to_string()
    };
    let code = match status {
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid",
        _ => "bad_request",
    };
    ApiError::new(status, code, message)
}

/// Sent on every response unless the handler set its own.
const SECURITY_HEADERS: [(header::HeaderName, &str); 3] = [
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "same-origin"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_routes_and_only_they_get_the_upload_budget() {
        let post = Method::POST;
        assert_eq!(
            body_class(&post, "/api/v1/releases/7/sbom"),
            BodyClass::Upload
        );
        assert_eq!(
            body_class(&Method::PUT, "/api/v1/releases/7/sbom"),
            BodyClass::Upload
        );
        assert_eq!(
            body_class(&post, "/api/v1/advisories/import"),
            BodyClass::Upload
        );
        assert_eq!(body_class(&post, "/releases/3/sbom"), BodyClass::Upload);
        assert_eq!(
            body_class(&post, "/api/v1/authority/reports"),
            BodyClass::ReportPack
        );
        for (m, p) in [
            (Method::POST, "/api/v1/releases//sbom"),
            (Method::POST, "/api/v1/releases/7/sbom/x"),
            (Method::GET, "/api/v1/releases/7/sbom"),
            (Method::POST, "/api/v1/products"),
            (Method::POST, "/api/v1/cases/1/evidence"),
            (Method::POST, "/login"),
            (Method::POST, "/api/v1/public/voluntary-reports"),
        ] {
            assert_eq!(body_class(&m, p), BodyClass::Ordinary, "{m} {p}");
        }
    }

    #[test]
    fn path_parse_errors_are_not_found() {
        let e = framework_error(
            StatusCode::BAD_REQUEST,
            "Invalid URL: Cannot parse `abc` to a `i64`",
        );
        assert_eq!(e.status, StatusCode::NOT_FOUND);
        let e = framework_error(
            StatusCode::BAD_REQUEST,
            "Failed to deserialize query string",
        );
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert_eq!(e.message, "Failed to deserialize query string");
    }
}
