//! The loopback server's NVD CVE API 2.0 (`…/rest/json/cves/2.0`), over the kit's NVD records,
//! answering like NVD: `startIndex` / `resultsPerPage` (at most 2,000), `lastModStartDate` and
//! `lastModEndDate` together or not at all and at most 120 days apart (404 otherwise), the
//! `apiKey` header checked when one is configured, and 403 while throttled.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cyres_feeds::nvd::parse_nvd_time;
use time::OffsetDateTime;

use crate::server::Served;

/// The kit's NVD records (converted 1.1 feeds, then the real 2.0 records), as API items.
pub(crate) fn kit_items() -> &'static [serde_json::Value] {
    static ITEMS: OnceLock<Vec<serde_json::Value>> = OnceLock::new();
    ITEMS.get_or_init(|| {
        let mut items = Vec::new();
        for file in cyres_kit::nvd_firmware_files() {
            let bytes = std::fs::read(&file).unwrap();
            let mut doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            match doc["vulnerabilities"].take() {
                serde_json::Value::Array(list) => items.extend(list),
                _ => panic!("{}: no vulnerabilities", file.display()),
            }
        }
        items
    })
}

/// An item's `lastModified`.
pub(crate) fn last_modified(item: &serde_json::Value) -> OffsetDateTime {
    parse_nvd_time(item["cve"]["lastModified"].as_str().unwrap()).unwrap()
}

fn not_found(message: &str) -> Response {
    // NVD answers invalid parameters with 404 and a `message` header.
    (StatusCode::NOT_FOUND, [("message", message.to_string())]).into_response()
}

fn decode(v: &str) -> String {
    v.replace("%3A", ":")
        .replace("%2B", "+")
        .replace("%2b", "+")
}

pub(crate) fn answer(served: &mut Served, query: &str, api_key: Option<&str>) -> Response {
    if served.nvd_throttle > 0 {
        served.nvd_throttle -= 1;
        return StatusCode::FORBIDDEN.into_response();
    }
    if let Some(want) = &served.nvd_key
        && api_key != Some(want.as_str())
    {
        return not_found("Invalid apiKey");
    }
    let params: BTreeMap<&str, String> = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k, decode(v)))
        .collect();
    let start_index: u64 = match params.get("startIndex").map(|v| v.parse()) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return not_found("Invalid startIndex"),
    };
    let per_page: u64 = match params.get("resultsPerPage").map(|v| v.parse()) {
        None => 2000,
        Some(Ok(n)) if (1..=2000).contains(&n) => n,
        Some(_) => return not_found("Invalid resultsPerPage"),
    };
    let window = match (params.get("lastModStartDate"), params.get("lastModEndDate")) {
        (None, None) => None,
        (Some(s), Some(e)) => match (parse_nvd_time(s), parse_nvd_time(e)) {
            (Some(s), Some(e)) if e >= s && e - s <= time::Duration::days(120) => Some((s, e)),
            _ => return not_found("Invalid lastModified date range"),
        },
        _ => return not_found("Both lastModStartDate and lastModEndDate are required"),
    };
    if served.nvd_failing_index.contains(&start_index) {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let selected: Vec<&serde_json::Value> = served
        .nvd_items
        .iter()
        .filter(|item| {
            window.is_none_or(|(s, e)| {
                let m = last_modified(item);
                s <= m && m <= e
            })
        })
        .collect();
    let page: Vec<&serde_json::Value> = selected
        .iter()
        .skip(start_index as usize)
        .take(per_page as usize)
        .copied()
        .collect();
    let body = serde_json::json!({
        "resultsPerPage": page.len(),
        "startIndex": start_index,
        "totalResults": selected.len(),
        "format": "NVD_CVE",
        "version": "2.0",
        "timestamp": "2026-12-06T10:00:00.000",
        "vulnerabilities": page,
    });
    (
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_vec(&body).unwrap(),
    )
        .into_response()
}
