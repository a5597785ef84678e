//! EUVD exploited-vulnerability sync: paging, resuming after an interruption, 304s, changed
//! records, the User-Agent rule and malformed pages.

use cyres_feeds::{
    Batch, FeedError, FetchLimits, FetchOutcome, Records, SourceConfig, SourceKind, SyncState,
    fetch,
};
use time::macros::datetime;

use crate::kit;
use crate::server::TestServer;

fn source(server: &TestServer) -> SourceConfig {
    SourceConfig {
        id: "euvd".to_string(),
        kind: SourceKind::Euvd,
        url: server.url("/euvd/api"),
    }
}

fn limits(page_size: u32, max_pages: u32) -> FetchLimits {
    FetchLimits {
        euvd_page_size: page_size,
        euvd_max_pages: max_pages,
        ..FetchLimits::default()
    }
}

fn batch(outcome: FetchOutcome) -> Batch {
    match outcome {
        FetchOutcome::Batch(batch) => *batch,
        FetchOutcome::NotModified => panic!("expected a batch, got NotModified"),
    }
}

fn ids(batch: &Batch) -> Vec<String> {
    match &batch.records {
        Records::Euvd(records) => records.iter().map(|r| r.euvd_id.clone()).collect(),
        other => panic!("EUVD records expected, got {other:?}"),
    }
}

/// Pages requested, from the server log.
fn pages(server: &TestServer) -> Vec<u32> {
    server
        .take_log()
        .iter()
        .map(|seen| {
            let page = seen
                .query
                .split('&')
                .find_map(|p| p.strip_prefix("page="))
                .unwrap();
            page.parse().unwrap()
        })
        .collect()
}

async fn fixture_server() -> TestServer {
    let server = TestServer::start().await;
    server.with(|s| s.euvd_items = kit::euvd_items());
    server
}

#[tokio::test]
async fn interrupted_paging_resumes_at_the_failed_page() {
    let server = fixture_server().await;
    let client = crate::loopback_http();
    let limits = limits(3, 10);
    // 8 items in pages of 3: pages 0, 1, 2. Page 1 fails the first time.
    server.with(|s| {
        s.euvd_failing_pages.insert(1);
    });
    let first = batch(
        fetch(&client, &source(&server), &SyncState::default(), &limits)
            .await
            .unwrap(),
    );
    assert!(!first.complete);
    assert!(
        first.interrupted.as_deref().unwrap().contains("HTTP 500"),
        "{:?}",
        first.interrupted
    );
    assert_eq!(
        ids(&first),
        ["EUVD-2025-25891", "EUVD-2025-24967", "EUVD-2025-24702"]
    );
    let cursor = first.state.resume.clone().unwrap();
    assert_eq!((cursor.next_page, cursor.page_size), (1, 3));
    assert_eq!(
        first.state.newest_record_modified, None,
        "watermark moves only on completion"
    );
    assert_eq!(pages(&server), [0, 1]);

    // The stored state (JSON) continues at page 1, even with another configured page size.
    let state: SyncState =
        serde_json::from_str(&serde_json::to_string(&first.state).unwrap()).unwrap();
    server.with(|s| s.euvd_failing_pages.clear());
    let second = batch(
        fetch(&client, &source(&server), &state, &self::limits(50, 10))
            .await
            .unwrap(),
    );
    assert!(second.complete && second.interrupted.is_none());
    assert_eq!(pages(&server), [1, 2]);
    assert_eq!(
        ids(&second),
        [
            "EUVD-2025-24311",
            "EUVD-2025-24310",
            "EUVD-2025-25310",
            "EUVD-2020-12873"
        ]
    );
    assert_eq!(second.counts.malformed, 1);
    assert_eq!(second.counts.fetched, 5);
    assert_eq!(second.problems.len(), 1);
    assert_eq!(second.problems[0].location, "page 1 item 0");
    assert!(second.state.resume.is_none());
    assert_eq!(second.state.etag.as_deref(), Some("\"euvd-0-0-3\""));
    assert_eq!(
        second.state.newest_record_modified,
        Some(datetime!(2025-08-26 09:30:02 UTC))
    );

    // The records carry the parsed fields.
    let Records::Euvd(records) = &second.records else {
        unreachable!()
    };
    let dlink = records
        .iter()
        .find(|r| r.euvd_id == "EUVD-2020-12873")
        .unwrap();
    assert_eq!(dlink.cve_ids, ["CVE-2020-25078"]);
    assert_eq!(dlink.exploited_since, Some(datetime!(2025-08-05 0:00 UTC)));
    assert_eq!(
        dlink.date_published,
        Some(datetime!(2020-09-02 17:15:12 UTC))
    );
    assert_eq!(dlink.base_score, Some(7.5));
    assert_eq!(
        dlink.vector.as_deref(),
        Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N")
    );

    // Nothing changed: page 0 answers 304 and nothing else is asked.
    let third = fetch(&client, &source(&server), &second.state, &limits)
        .await
        .unwrap();
    assert_eq!(third, FetchOutcome::NotModified);
    assert_eq!(pages(&server), [0]);

    // One record is updated: only it comes back; the others count as unchanged.
    server.with(|s| {
        let item = s
            .euvd_items
            .iter_mut()
            .find(|i| i["id"] == "EUVD-2025-24310")
            .unwrap();
        item["dateUpdated"] = "Sep 1, 2025, 1:02:03 PM".into();
        item["baseScore"] = 9.1.into();
        s.euvd_items.sort_by_key(|i| {
            std::cmp::Reverse(
                i["dateUpdated"]
                    .as_str()
                    .and_then(cyres_feeds::euvd::parse_euvd_date),
            )
        });
        s.euvd_version += 1;
    });
    let fourth = batch(
        fetch(&client, &source(&server), &second.state, &limits)
            .await
            .unwrap(),
    );
    assert!(fourth.complete);
    assert_eq!(ids(&fourth), ["EUVD-2025-24310"]);
    assert_eq!((fourth.counts.unchanged, fourth.counts.malformed), (6, 1));
    let Records::Euvd(records) = &fourth.records else {
        unreachable!()
    };
    assert_eq!(records[0].base_score, Some(9.1));
    assert_eq!(
        fourth.state.newest_record_modified,
        Some(datetime!(2025-09-01 13:02:03 UTC))
    );
}

#[tokio::test]
async fn page_limit_splits_a_run_into_calls() {
    let server = fixture_server().await;
    let client = crate::loopback_http();
    let limits = limits(2, 1);
    let mut state = SyncState::default();
    let mut calls = 0;
    let mut all = Vec::new();
    loop {
        let got = batch(
            fetch(&client, &source(&server), &state, &limits)
                .await
                .unwrap(),
        );
        calls += 1;
        assert!(got.interrupted.is_none());
        all.extend(ids(&got));
        state = got.state;
        if got.complete {
            break;
        }
        assert_eq!(state.resume.as_ref().unwrap().next_page, calls);
    }
    // 8 items, 2 per page: 4 pages, the last one full, so the `total` ends the run.
    assert_eq!(calls, 4);
    assert_eq!(all.len(), 7);
    assert!(state.resume.is_none());
}

#[tokio::test]
async fn euvd_refusals_and_bad_pages_are_errors() {
    let server = fixture_server().await;
    let client = crate::loopback_http();

    // EUVD answers 403 to some library User-Agents (cra.md §11); the default one passes.
    let python = FetchLimits {
        user_agent: "python-requests/2.32.3".to_string(),
        ..limits(3, 10)
    };
    let err = fetch(&client, &source(&server), &SyncState::default(), &python)
        .await
        .unwrap_err();
    assert!(
        matches!(err, FeedError::Status { status: 403, .. }),
        "{err}"
    );
    // A configured page size over the service's cap (which would get a 403) is lowered to 100.
    server.take_log();
    let whole = batch(
        fetch(
            &client,
            &source(&server),
            &SyncState::default(),
            &limits(500, 1),
        )
        .await
        .unwrap(),
    );
    assert!(whole.complete);
    assert_eq!((whole.counts.fetched, whole.counts.requests), (8, 1));
    assert!(
        server
            .take_log()
            .iter()
            .all(|s| s.query.contains("size=100"))
    );

    // Not JSON on the first page: an error naming the page.
    server.with(|s| s.euvd_raw = Some(b"<html>busy</html>".to_vec()));
    let err = fetch(
        &client,
        &source(&server),
        &SyncState::default(),
        &limits(3, 10),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("malformed EUVD page 0"), "{err}");
    // JSON, but not a page.
    server.with(|s| s.euvd_raw = Some(br#"{"error": "x"}"#.to_vec()));
    let err = fetch(
        &client,
        &source(&server),
        &SyncState::default(),
        &limits(3, 10),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("no `items` list"), "{err}");
}
