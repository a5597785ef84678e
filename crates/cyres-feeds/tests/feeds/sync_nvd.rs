//! NVD CVE API 2.0 sync against the loopback server paging through the kit's NVD records:
//! a first sync reads everything by `startIndex` and resumes after an interruption, later syncs
//! walk last-modified windows of at most 120 days, the API key travels only as a header, and
//! rate-limit answers are retried with backoff.
//!
//! The kit's records are complete only for CVE ids of 2002–2018 and early 2023; these tests
//! count what the server pages out, never what is absent.

use std::collections::BTreeSet;
use std::time::Duration;

use cyres_feeds::nvd::{MAX_WINDOW, NvdApiKey};
use cyres_feeds::{
    Batch, FeedError, FetchLimits, FetchOutcome, Records, SourceConfig, SourceKind, SyncState,
    fetch, fetch_at,
};
use time::OffsetDateTime;
use time::macros::datetime;

use crate::nvd_api::{kit_items, last_modified};
use crate::server::{Seen, TestServer};

const NOW: OffsetDateTime = datetime!(2026-12-06 10:00:00 UTC);
const KEY: &str = "3f1c-test-nvd-key";

fn source(server: &TestServer, key: Option<&str>) -> SourceConfig {
    SourceConfig {
        id: "nvd".to_string(),
        kind: SourceKind::Nvd {
            api_key: key.and_then(NvdApiKey::new),
        },
        url: server.url("/rest/json/cves/2.0"),
    }
}

fn limits(page_size: u32, max_pages: u32) -> FetchLimits {
    FetchLimits {
        nvd_page_size: page_size,
        nvd_max_pages: max_pages,
        nvd_request_interval: Some(Duration::ZERO),
        nvd_backoff: Duration::from_millis(5),
        ..FetchLimits::default()
    }
}

fn batch(outcome: FetchOutcome) -> Batch {
    match outcome {
        FetchOutcome::Batch(batch) => *batch,
        FetchOutcome::NotModified => panic!("NVD has no validators; expected a batch"),
    }
}

fn ids(batch: &Batch) -> Vec<String> {
    match &batch.records {
        Records::Nvd(records) => records.iter().map(|r| r.advisory.id.clone()).collect(),
        other => panic!("NVD records expected, got {other:?}"),
    }
}

fn param<'a>(seen: &'a Seen, name: &str) -> Option<&'a str> {
    seen.query
        .split('&')
        .find_map(|p| p.strip_prefix(name)?.strip_prefix('='))
}

async fn kit_server() -> TestServer {
    let server = TestServer::start().await;
    server.with(|s| s.nvd_items = kit_items().to_vec());
    server
}

#[tokio::test]
async fn first_sync_pages_through_the_kit_and_resumes_after_a_failed_page() {
    let server = kit_server().await;
    let client = crate::loopback_http();
    let all = kit_items().len();
    assert_eq!(
        all,
        5264 + 26,
        "the kit's converted feeds and real 2.0 records"
    );
    // The page at startIndex 2000 fails once (a 500 is not a rate limit: not retried).
    server.with(|s| {
        s.nvd_failing_index.insert(2000);
    });
    let first = batch(
        fetch_at(
            &client,
            &source(&server, None),
            &SyncState::default(),
            &limits(2000, 10),
            NOW,
        )
        .await
        .unwrap(),
    );
    assert!(!first.complete);
    assert!(
        first.interrupted.as_deref().unwrap().contains("HTTP 500"),
        "{:?}",
        first.interrupted
    );
    assert_eq!(ids(&first).len(), 2000);
    assert_eq!(
        (first.counts.fetched, first.counts.new_or_changed),
        (2000, 2000)
    );
    let cursor = first.state.resume.clone().unwrap();
    assert_eq!((cursor.next_page, cursor.page_size), (1, 2000));
    assert_eq!(
        first.state.newest_record_modified, None,
        "only a complete run moves it"
    );
    let log = server.take_log();
    assert!(log.iter().all(|s| param(s, "lastModStartDate").is_none()));
    assert_eq!(
        log.iter()
            .map(|s| param(s, "startIndex").unwrap())
            .collect::<Vec<_>>(),
        ["0", "2000"]
    );

    // The stored cursor (JSON) continues at startIndex 2000 with the run's page size.
    let state: SyncState =
        serde_json::from_str(&serde_json::to_string(&first.state).unwrap()).unwrap();
    server.with(|s| s.nvd_failing_index.clear());
    let second = batch(
        fetch_at(
            &client,
            &source(&server, None),
            &state,
            &limits(500, 10),
            NOW + time::Duration::hours(1),
        )
        .await
        .unwrap(),
    );
    assert!(second.complete && second.interrupted.is_none());
    let log = server.take_log();
    assert_eq!(
        log.iter()
            .map(|s| (
                param(s, "startIndex").unwrap(),
                param(s, "resultsPerPage").unwrap()
            ))
            .collect::<Vec<_>>(),
        [("2000", "2000"), ("4000", "2000")]
    );
    assert_eq!(second.counts.fetched, all - 2000);
    assert_eq!(second.counts.malformed, 0);
    assert_eq!(second.state.resume, None);
    assert_eq!(
        second.state.newest_record_modified,
        Some(NOW),
        "a first sync is complete up to the time it started"
    );
    let got: BTreeSet<String> = ids(&first).into_iter().chain(ids(&second)).collect();
    let want: BTreeSet<String> = kit_items()
        .iter()
        .map(|i| i["cve"]["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, want, "every kit record, once");
    // Records come with their configurations, read by the same reader as `cyres scan`.
    let Records::Nvd(records) = &second.records else {
        unreachable!()
    };
    let ppp = records
        .iter()
        .find(|r| r.advisory.id == "CVE-2020-8597")
        .expect("a real 2.0 record from the last page");
    assert!(
        ppp.configurations
            .configurations
            .iter()
            .any(|c| c.operator.as_deref() == Some("AND"))
    );
}

#[tokio::test]
async fn later_syncs_walk_windows_of_at_most_120_days_with_the_key_as_a_header() {
    let server = kit_server().await;
    server.with(|s| s.nvd_key = Some(KEY.to_string()));
    let client = crate::loopback_http();
    let watermark = datetime!(2025-01-01 00:00:00 UTC);
    let state = SyncState {
        newest_record_modified: Some(watermark),
        ..SyncState::default()
    };
    let source = source(&server, Some(KEY));
    // Two windows per call: the run needs three calls for its six windows.
    let mut state = state;
    let mut got = Vec::new();
    let mut calls = 0;
    loop {
        calls += 1;
        let b = batch(
            fetch_at(&client, &source, &state, &limits(5, 2), NOW)
                .await
                .unwrap(),
        );
        got.extend(ids(&b));
        state = b.state;
        if b.complete {
            break;
        }
        assert!(calls < 20, "the run does not end");
    }
    assert_eq!(state.newest_record_modified, Some(NOW));
    let log = server.take_log();
    assert!(
        log.iter().all(|s| s.api_key.as_deref() == Some(KEY)),
        "the key goes as `apiKey`"
    );
    assert!(
        log.iter().all(|s| !s.query.contains(KEY)),
        "never in the URL"
    );
    let mut windows: Vec<(OffsetDateTime, OffsetDateTime)> = log
        .iter()
        .filter(|s| s.status == 200)
        .map(|s| {
            let t = |n| {
                cyres_feeds::nvd::parse_nvd_time(
                    &param(s, n).unwrap().replace("%3A", ":").replace("%2B", "+"),
                )
                .unwrap()
            };
            (t("lastModStartDate"), t("lastModEndDate"))
        })
        .collect();
    windows.dedup();
    assert!(windows.iter().all(|(s, e)| *e - *s <= MAX_WINDOW));
    assert_eq!(windows.first().unwrap().0, watermark);
    assert_eq!(windows.last().unwrap().1, NOW);
    assert!(
        windows.windows(2).all(|w| w[0].1 == w[1].0),
        "contiguous: {windows:?}"
    );
    assert_eq!(windows.len(), 6);
    // Exactly the records modified since the watermark (the real 2.0 records of 2025–2026).
    let want: BTreeSet<String> = kit_items()
        .iter()
        .filter(|i| last_modified(i) >= watermark)
        .map(|i| i["cve"]["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!want.is_empty());
    assert_eq!(got.iter().cloned().collect::<BTreeSet<_>>(), want);

    // A day later: one short window, nothing new.
    let next = batch(
        fetch_at(
            &client,
            &source,
            &state,
            &limits(5, 2),
            NOW + time::Duration::days(1),
        )
        .await
        .unwrap(),
    );
    assert!(next.complete && ids(&next).is_empty());
    assert_eq!(next.counts.requests, 1);

    // A wrong key is refused; the error names the source and status, never a key.
    let wrong = self::source(&server, Some("not-the-key"));
    let err = fetch_at(&client, &wrong, &state, &limits(5, 2), NOW)
        .await
        .unwrap_err();
    assert!(
        matches!(err, FeedError::Status { status: 404, .. }),
        "{err}"
    );
    assert!(!err.to_string().contains("not-the-key") && !err.to_string().contains(KEY));
    assert!(!format!("{wrong:?}").contains("not-the-key"));
    assert!(
        !serde_json::to_string(&wrong)
            .unwrap()
            .contains("not-the-key")
    );
}

#[tokio::test]
async fn rate_limit_answers_are_retried_with_backoff_and_give_up_in_the_end() {
    let server = kit_server().await;
    let client = crate::loopback_http();
    server.with(|s| s.nvd_throttle = 2);
    let b = batch(
        fetch_at(
            &client,
            &source(&server, None),
            &SyncState::default(),
            &limits(2000, 1),
            NOW,
        )
        .await
        .unwrap(),
    );
    assert_eq!(ids(&b).len(), 2000);
    assert_eq!(b.counts.requests, 3);
    assert_eq!(
        server
            .take_log()
            .iter()
            .map(|s| s.status)
            .collect::<Vec<_>>(),
        [403, 403, 200]
    );
    // More refusals than retries: the error, and nothing stored moves.
    server.with(|s| s.nvd_throttle = 10);
    let few = FetchLimits {
        nvd_retries: 2,
        ..limits(2000, 1)
    };
    let err = fetch_at(&client, &source(&server, None), &b.state, &few, NOW)
        .await
        .unwrap_err();
    assert!(
        matches!(err, FeedError::Status { status: 403, .. }),
        "{err}"
    );
    assert_eq!(server.take_log().len(), 3);
    // The time-less `fetch` refuses an NVD source instead of guessing the time.
    let err = fetch(&client, &source(&server, None), &SyncState::default(), &few)
        .await
        .unwrap_err();
    assert!(matches!(err, FeedError::Config(_)), "{err}");
}
