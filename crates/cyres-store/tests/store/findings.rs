//! Findings: filters and flags (`src/findings.rs`).

use super::*;

both!(
    filters_bind_hostile_strings,
    related_kev_flags_but_does_not_exploit,
);

async fn filters_bind_hostile_strings(store: Store) {
    let a = org(&store, "A").await;
    store
        .upsert_advisories(&example_advisories(), "osv", T0)
        .await
        .unwrap();
    release_with_sbom(&store, a.id, "Router", "1").await;
    for evil in [
        "' OR '1'='1",
        "high'; DROP TABLE finding; --",
        "%",
        "\\",
        "\u{0}",
    ] {
        let f = FindingFilter {
            severity: Some(evil.into()),
            advisory_id: Some(evil.into()),
            ..Default::default()
        };
        // PostgreSQL rejects NUL in text parameters with an error; nothing may match or change.
        if let Ok(rows) = store.findings(a.id, &f).await {
            assert!(rows.is_empty(), "{evil:?}");
        }
        let _ = store.search_advisories(evil, 10).await;
    }
    assert_eq!(
        store
            .findings(a.id, &FindingFilter::default())
            .await
            .unwrap()
            .len(),
        4
    );
    assert_eq!(store.advisory_count().await.unwrap(), 7);
    let page1 = store
        .findings(
            a.id,
            &FindingFilter {
                limit: Some(2),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let page2 = store
        .findings(
            a.id,
            &FindingFilter {
                limit: Some(2),
                after_id: Some(page1[1].id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page1.len() + page2.len(), 4);
    assert!(page2[0].id > page1[1].id);
}

/// Issue 17 point 2: a record naming a KEV CVE only under `related` (like PYSEC-2023-175 and
/// CVE-2023-4863) is flagged for the analyst; the finding is not exploited and proposes no case.
async fn related_kev_flags_but_does_not_exploit(store: Store) {
    let a = org(&store, "A").await;
    let related = cyres_vuln::advisory::Advisory::from_json(
        br#"{"id":"PYSEC-TEST-0001","modified":"2026-01-01T00:00:00Z",
        "summary":"Heap overflow in a bundled image decoder","related":["CVE-2023-4863"],
        "affected":[{"package":{"ecosystem":"crates.io","name":"serde"},
        "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.131"}]}]}]}"#,
    )
    .unwrap();
    store
        .upsert_advisories(&[related], "upload", T0)
        .await
        .unwrap();
    store.upsert_exploitation(&example_kev(), T0).await.unwrap();
    let (release, out) = release_with_sbom(&store, a.id, "Router", "2.4.1").await;
    assert_eq!((out.findings, out.exploited), (1, 0), "{out:?}");
    let f = store
        .findings(
            a.id,
            &FindingFilter {
                release_id: Some(release.id),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .remove(0);
    assert!(!f.exploited);
    assert_eq!(
        store.related_exploited(&f).await.unwrap(),
        ["CVE-2023-4863"]
    );
    assert!(
        store.cases(a.id).await.unwrap().is_empty(),
        "no case proposed"
    );
}
