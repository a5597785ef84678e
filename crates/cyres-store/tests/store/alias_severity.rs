//! Severity borrowed from an alias (`src/alias_severity.rs`).

use super::*;

both!(severity_is_borrowed_from_an_alias);

/// Issue 17 point 2: a finding whose record carries no severity (a `GO-…` record) takes the
/// highest CVSS of an alias the store holds, with the source kept; when the alias arrives
/// later, when the finding is inserted after it, and when the alias goes away.
async fn severity_is_borrowed_from_an_alias(store: Store) {
    let a = org(&store, "A").await;
    let adv = |json: &str| cyres_vuln::advisory::Advisory::from_json(json.as_bytes()).unwrap();
    let go = adv(
        r#"{"id":"GO-TEST-0001","modified":"2026-01-01T00:00:00Z","aliases":["CVE-2099-0001"],
        "summary":"Unscored record","affected":[{"package":{"ecosystem":"crates.io","name":"serde"},
        "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.131"}]}]}]}"#,
    );
    let ghsa = |modified: &str, withdrawn: &str| {
        adv(&format!(
            r#"{{"id":"GHSA-test-alia-s000","modified":"{modified}",{withdrawn}"aliases":["CVE-2099-0001","GO-TEST-0001"],
            "severity":[{{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}],
            "affected":[{{"package":{{"ecosystem":"Go","name":"example.com/elsewhere"}},
            "ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}}]}}]}}]}}"#
        ))
    };
    let nvd = adv(r#"{"id":"CVE-2099-0001","modified":"2026-01-01T00:00:00Z",
        "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}]}"#);
    store.upsert_advisories(&[go], "upload", T0).await.unwrap();
    let (r1, out) = release_with_sbom(&store, a.id, "Router", "2.4.1").await;
    assert_eq!(out.findings, 1, "{out:?}");
    let of = |release: i64| {
        let store = store.clone();
        async move {
            store
                .findings(
                    a.id,
                    &FindingFilter {
                        release_id: Some(release),
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
                .remove(0)
        }
    };
    let f = of(r1.id).await;
    assert_eq!(
        (f.severity.as_str(), f.score, f.severity_source.clone()),
        ("unknown", None, None)
    );

    // The aliases arrive: the highest reading wins (GHSA 9.8 over NVD 7.5), in the import's
    // transaction, and the list's severity filter sees it.
    let generation = store.findings_generation(a.id).await.unwrap();
    store
        .upsert_advisories(&[nvd, ghsa("2026-01-01T00:00:00Z", "")], "upload", T0 + 1)
        .await
        .unwrap();
    let f = of(r1.id).await;
    assert_eq!(
        (f.severity.as_str(), f.score, f.severity_source.as_deref()),
        ("critical", Some(9.8), Some("GHSA-test-alia-s000"))
    );
    assert!(store.findings_generation(a.id).await.unwrap() > generation);
    let critical = store
        .findings(
            a.id,
            &FindingFilter {
                severity: Some("critical".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(critical.len(), 1);

    // A finding inserted after the aliases takes the borrowed severity at once.
    let (r2, _) = release_with_sbom(&store, a.id, "Router", "2.5.0").await;
    assert_eq!(
        of(r2.id).await.severity_source.as_deref(),
        Some("GHSA-test-alia-s000")
    );

    // The GHSA record is withdrawn: the NVD record's 7.5 remains.
    store
        .upsert_advisories(
            &[ghsa(
                "2026-02-01T00:00:00Z",
                r#""withdrawn":"2026-02-01T00:00:00Z","#,
            )],
            "upload",
            T0 + 2,
        )
        .await
        .unwrap();
    for r in [r1.id, r2.id] {
        let f = of(r).await;
        assert_eq!(
            (f.severity.as_str(), f.score, f.severity_source.as_deref()),
            ("high", Some(7.5), Some("CVE-2099-0001"))
        );
    }
    // The start-up pass after migration 0022 runs once and finds nothing left to change.
    assert_eq!(
        store.backfill_alias_severity(T0 + 3).await.unwrap(),
        Some(0)
    );
    assert_eq!(store.backfill_alias_severity(T0 + 4).await.unwrap(), None);
}
