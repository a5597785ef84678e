//! Streaming request bodies into memory under a size limit, hashing as they arrive. An upload
//! over the limit is refused with 413 as soon as the limit is crossed (the rest is not read),
//! and nothing is stored.

use crate::ApiError;
use axum::body::Body;
use axum::http::StatusCode;
use futures_util::StreamExt;

/// A fully received upload.
#[derive(Debug)]
pub(crate) struct Received {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// SHA-256, hex.
    pub sha256: String,
}

/// Reads `body` up to `limit` bytes.
pub(crate) async fn receive(body: Body, limit: u64) -> Result<Received, ApiError> {
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request(format!("upload interrupted: {e}")))?;
        if bytes.len() as u64 + chunk.len() as u64 > limit {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("upload is over the limit of {limit} bytes"),
            ));
        }
        ctx.update(&chunk);
        bytes.extend_from_slice(&chunk);
    }
    if bytes.is_empty() {
        return Err(ApiError::bad_request("the upload is empty"));
    }
    let sha256 = ctx
        .finish()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Received { bytes, sha256 })
}
