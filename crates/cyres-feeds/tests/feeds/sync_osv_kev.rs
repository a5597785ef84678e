//! OSV `all.zip` and CISA KEV sync: counts, 304s, changed records, limits and bad responses.

use cyres_feeds::{
    FeedError, FetchLimits, FetchOutcome, Records, SourceConfig, SourceKind, SyncState, fetch,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::kit::{self, KEV};
use crate::server::{Resource, TestServer};

fn osv_source(server: &TestServer) -> SourceConfig {
    SourceConfig {
        id: "osv-pypi".to_string(),
        kind: SourceKind::Osv {
            ecosystem: "PyPI".to_string(),
        },
        url: server.url("/osv"),
    }
}

fn kev_source(server: &TestServer) -> SourceConfig {
    SourceConfig {
        id: "kev".to_string(),
        kind: SourceKind::Kev,
        url: server.url("/kev/known_exploited_vulnerabilities.json"),
    }
}

fn batch(outcome: FetchOutcome) -> cyres_feeds::Batch {
    match outcome {
        FetchOutcome::Batch(batch) => *batch,
        FetchOutcome::NotModified => panic!("expected a batch, got NotModified"),
    }
}

fn newest_modified(records: &[serde_json::Value]) -> OffsetDateTime {
    records
        .iter()
        .map(|r| OffsetDateTime::parse(r["modified"].as_str().unwrap(), &Rfc3339).unwrap())
        .max()
        .unwrap()
}

#[tokio::test]
async fn osv_pypi_syncs_then_304s_then_fetches_only_the_changed_record() {
    let records = kit::pypi_records();
    let server = TestServer::start().await;
    server.put("/osv/PyPI/all.zip", Resource::new(kit::all_zip(records), 1));
    let client = crate::loopback_http();
    let source = osv_source(&server);
    let limits = FetchLimits::default();

    // First sync: everything is new.
    let first = batch(
        fetch(&client, &source, &SyncState::default(), &limits)
            .await
            .unwrap(),
    );
    assert_eq!(first.counts.fetched, records.len());
    assert_eq!(first.counts.new_or_changed, records.len());
    assert_eq!(
        (first.counts.unchanged, first.counts.malformed),
        (0, 0),
        "{:?}",
        first.problems
    );
    assert!(first.complete);
    let Records::Osv(advisories) = &first.records else {
        panic!("OSV records expected")
    };
    assert_eq!(advisories.len(), records.len());
    assert!(advisories.iter().all(|a| a.id.starts_with("PYSEC-")));
    assert_eq!(first.state.etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        first.state.newest_record_modified,
        Some(newest_modified(records))
    );
    // The state survives the store's JSON round trip.
    let stored = serde_json::to_string(&first.state).unwrap();
    let state: SyncState = serde_json::from_str(&stored).unwrap();
    assert_eq!(state, first.state);
    server.take_log();

    // Second sync: the validators make it a 304.
    let second = fetch(&client, &source, &state, &limits).await.unwrap();
    assert_eq!(second, FetchOutcome::NotModified);
    let log = server.take_log();
    assert_eq!(log.len(), 1);
    assert!(log[0].conditional && log[0].status == 304);
    assert_eq!(log[0].path, "/osv/PyPI/all.zip");
    assert!(
        log[0].user_agent.starts_with("cyres/"),
        "{}",
        log[0].user_agent
    );

    // The dump changes: one record is updated, one entry is broken, one lacks `modified`.
    let mut changed = records.to_vec();
    let victim = changed[100]["id"].as_str().unwrap().to_string();
    changed[100]["modified"] = "2030-01-02T03:04:05Z".into();
    changed[100]["summary"] = "updated by the test".into();
    let mut no_modified = changed[0].clone();
    no_modified["id"] = "PYSEC-0000-TEST".into();
    no_modified.as_object_mut().unwrap().remove("modified");
    let mut entries: Vec<(String, Vec<u8>)> = changed
        .iter()
        .map(|r| {
            (
                format!("{}.json", r["id"].as_str().unwrap()),
                serde_json::to_vec(r).unwrap(),
            )
        })
        .collect();
    entries.push(("BROKEN-1.json".to_string(), b"{\"id\": ".to_vec()));
    entries.push((
        "PYSEC-0000-TEST.json".to_string(),
        serde_json::to_vec(&no_modified).unwrap(),
    ));
    entries.push(("README.txt".to_string(), b"not a record".to_vec()));
    let zip = kit::zip_stored(entries.iter().map(|(n, b)| (n.clone(), b.as_slice())));
    server.put("/osv/PyPI/all.zip", Resource::new(zip, 2));

    let third = batch(fetch(&client, &source, &state, &limits).await.unwrap());
    assert_eq!(third.counts.fetched, records.len() + 2);
    assert_eq!(third.counts.new_or_changed, 1);
    assert_eq!(third.counts.unchanged, records.len() - 1);
    assert_eq!(third.counts.malformed, 2);
    let Records::Osv(advisories) = &third.records else {
        panic!("OSV records expected")
    };
    assert_eq!(advisories.len(), 1);
    assert_eq!(advisories[0].id, victim);
    assert_eq!(
        advisories[0].summary.as_deref(),
        Some("updated by the test")
    );
    let places: Vec<&str> = third.problems.iter().map(|p| p.location.as_str()).collect();
    assert_eq!(places, ["BROKEN-1.json", "PYSEC-0000-TEST.json"]);
    assert_eq!(third.state.etag.as_deref(), Some("\"v2\""));
    assert_eq!(
        third.state.newest_record_modified,
        Some(OffsetDateTime::parse("2030-01-02T03:04:05Z", &Rfc3339).unwrap())
    );
}

#[tokio::test]
async fn kev_syncs_with_last_modified_and_counts_new_entries() {
    let bytes = std::fs::read(cyres_kit::kit_file(KEV)).unwrap();
    let expected = cyres_vuln::kev::parse_kev(&bytes).unwrap();
    let server = TestServer::start().await;
    server.put(
        "/kev/known_exploited_vulnerabilities.json",
        Resource::new(bytes.clone(), 1),
    );
    let client = crate::loopback_http();
    let source = kev_source(&server);
    let limits = FetchLimits::default();

    let first = batch(
        fetch(&client, &source, &SyncState::default(), &limits)
            .await
            .unwrap(),
    );
    let Records::Kev(entries) = &first.records else {
        panic!("KEV records expected")
    };
    assert_eq!(entries, &expected);
    assert_eq!(first.counts.fetched, expected.len());
    assert_eq!(first.counts.new_or_changed, expected.len());
    assert_eq!(first.counts.bytes, bytes.len() as u64);
    let newest = first.state.newest_record_modified.unwrap();
    assert_eq!(
        (newest.year(), u8::from(newest.month()), newest.day()),
        (2025, 8, 25)
    );

    // A state with only Last-Modified (no ETag) still gets a 304.
    let only_date = SyncState {
        etag: None,
        ..first.state.clone()
    };
    assert_eq!(
        fetch(&client, &source, &only_date, &limits).await.unwrap(),
        FetchOutcome::NotModified
    );

    // A new catalogue: the whole list comes back, the counts split by `dateAdded`.
    server.put(
        "/kev/known_exploited_vulnerabilities.json",
        Resource::new(bytes, 2),
    );
    let watermark = time::macros::datetime!(2025-08-12 0:00 UTC);
    let state = SyncState {
        newest_record_modified: Some(watermark),
        ..first.state.clone()
    };
    let added_after = expected
        .iter()
        .filter(|e| e.date_added.as_str() > "2025-08-12")
        .count();
    assert!(added_after > 0 && added_after < expected.len());
    let again = batch(fetch(&client, &source, &state, &limits).await.unwrap());
    assert_eq!(again.records.len(), expected.len());
    assert_eq!(again.counts.new_or_changed, added_after);
    assert_eq!(again.counts.unchanged, expected.len() - added_after);
    assert_eq!(again.state.etag.as_deref(), Some("\"v2\""));
}

#[tokio::test]
async fn oversized_downloads_are_refused_with_and_without_a_length() {
    let bytes = std::fs::read(cyres_kit::kit_file(KEV)).unwrap();
    let server = TestServer::start().await;
    let client = crate::loopback_http();
    let limits = FetchLimits {
        max_download_bytes: 100_000,
        ..FetchLimits::default()
    };
    assert!(bytes.len() > 100_000);

    // Announced by Content-Length: refused before the body is read.
    server.put(
        "/kev/known_exploited_vulnerabilities.json",
        Resource::new(bytes.clone(), 1),
    );
    let err = fetch(
        &client,
        &kev_source(&server),
        &SyncState::default(),
        &limits,
    )
    .await
    .unwrap_err();
    match &err {
        FeedError::TooLarge { limit, seen, .. } => {
            assert_eq!((*limit, *seen), (100_000, bytes.len() as u64));
        }
        other => panic!("expected TooLarge, got {other}"),
    }
    assert!(
        err.to_string()
            .contains("larger than the limit of 100000 bytes"),
        "{err}"
    );

    // Chunked, no length: refused while streaming, shortly after the limit.
    let mut chunked = Resource::new(bytes.clone(), 2);
    chunked.chunked = true;
    server.put("/kev/known_exploited_vulnerabilities.json", chunked);
    let err = fetch(
        &client,
        &kev_source(&server),
        &SyncState::default(),
        &limits,
    )
    .await
    .unwrap_err();
    match err {
        FeedError::TooLarge { seen, .. } => assert!(seen > 100_000 && seen < 100_000 + 65_537),
        other => panic!("expected TooLarge, got {other}"),
    }

    // The same for the OSV archive streamed to disk.
    let mut zip = Resource::new(kit::zip_of([("A.json".to_string(), &bytes[..])]), 1);
    zip.chunked = true;
    server.put("/osv/PyPI/all.zip", zip);
    let limits = FetchLimits {
        max_download_bytes: 1000,
        ..FetchLimits::default()
    };
    let err = fetch(
        &client,
        &osv_source(&server),
        &SyncState::default(),
        &limits,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, FeedError::TooLarge { limit: 1000, .. }),
        "{err}"
    );

    // A record over the per-record limit is reported, the others still load.
    let small = br#"{"id":"PYSEC-1","modified":"2024-01-01T00:00:00Z"}"#;
    let zip = kit::zip_of([
        ("PYSEC-1.json".to_string(), &small[..]),
        ("HUGE.json".to_string(), &bytes[..]),
    ]);
    server.put("/osv/PyPI/all.zip", Resource::new(zip, 2));
    let limits = FetchLimits {
        max_record_bytes: 10_000,
        ..FetchLimits::default()
    };
    let got = batch(
        fetch(
            &client,
            &osv_source(&server),
            &SyncState::default(),
            &limits,
        )
        .await
        .unwrap(),
    );
    assert_eq!((got.counts.new_or_changed, got.counts.malformed), (1, 1));
    assert!(
        got.problems[0].message.contains("record limit"),
        "{:?}",
        got.problems
    );
}

#[tokio::test]
async fn malformed_and_failed_responses_are_clear_errors() {
    let server = TestServer::start().await;
    let client = crate::loopback_http();
    let limits = FetchLimits::default();

    server.put(
        "/kev/known_exploited_vulnerabilities.json",
        Resource::new(b"<html>maintenance</html>".to_vec(), 1),
    );
    let err = fetch(
        &client,
        &kev_source(&server),
        &SyncState::default(),
        &limits,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, FeedError::Malformed { .. }), "{err}");
    assert!(err.to_string().contains("malformed KEV catalogue"), "{err}");

    server.put(
        "/osv/PyPI/all.zip",
        Resource::new(b"PK but not really".to_vec(), 1),
    );
    let err = fetch(
        &client,
        &osv_source(&server),
        &SyncState::default(),
        &limits,
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string().contains("not a readable zip archive"),
        "{err}"
    );

    // Missing ecosystem: a 404 that names the redacted URL.
    let mut source = osv_source(&server);
    source.kind = SourceKind::Osv {
        ecosystem: "crates.io".to_string(),
    };
    let err = fetch(&client, &source, &SyncState::default(), &limits)
        .await
        .unwrap_err();
    match &err {
        FeedError::Status { status, url, .. } => {
            assert_eq!(*status, 404);
            assert!(url.ends_with("/osv/crates.io/all.zip"), "{url}");
        }
        other => panic!("expected Status, got {other}"),
    }

    // Nobody listening: a transport error that does not leak the URL's secrets.
    let dead = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let source = SourceConfig {
        id: "kev".to_string(),
        kind: SourceKind::Kev,
        url: format!("http://user:pa55@{dead}/kev.json?token=s3cret"),
    };
    let err = fetch(&client, &source, &SyncState::default(), &limits)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, FeedError::Transport { .. }), "{text}");
    assert!(!text.contains("s3cret") && !text.contains("pa55"), "{text}");
    assert!(
        text.contains("connection failed") && !text.contains("refused"),
        "the failure class is shown, not the port's state: {text}"
    );
}
