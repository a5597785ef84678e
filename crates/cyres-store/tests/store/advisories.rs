//! Advisories, exploitation facts and re-matching (`src/advisories.rs`).

use super::*;

both!(
    new_advisory_rematches_the_portfolio,
    exploitation_marks_findings_urgent,
    advisory_search_and_lookup,
    rematch_can_be_limited_to_changed_advisories,
);

async fn new_advisory_rematches_the_portfolio(store: Store) {
    let a = org(&store, "A").await;
    let b = org(&store, "B").await;
    // Portfolio first, no advisories yet: nothing found.
    let (r1, out) = release_with_sbom(&store, a.id, "Router", "2.4.1").await;
    assert_eq!(out.findings, 0);
    let (r2, _) = release_with_sbom(&store, a.id, "Router", "2.4.2").await;
    let (r3, _) = release_with_sbom(&store, b.id, "Other", "9").await;
    let imp = store
        .upsert_advisories(&example_advisories(), "osv", T0 + 100)
        .await
        .unwrap();
    assert!(
        imp.changed_keys.contains("Go/golang.org/x/net"),
        "{:?}",
        imp.changed_keys
    );
    let m = store
        .rematch_keys(&imp.changed_keys, T0 + 100)
        .await
        .unwrap();
    assert_eq!(
        m.components,
        3 * 3,
        "x/net, grpc, regex in three releases: {m:?}"
    );
    assert_eq!(m.distinct_components, 3);
    assert_eq!((m.new_findings, m.releases_affected), (12, 3));
    // One alert per (organisation, advisory).
    assert_eq!(m.alerts, 3 + 3);
    for (o, r) in [(a.id, r1.id), (a.id, r2.id), (b.id, r3.id)] {
        assert_eq!(
            store
                .findings(
                    o,
                    &FindingFilter {
                        release_id: Some(r),
                        ..Default::default()
                    }
                )
                .await
                .unwrap()
                .len(),
            4
        );
    }
    // Importing the same records again changes nothing and re-matching is idempotent.
    let again = store
        .upsert_advisories(&example_advisories(), "osv", T0 + 200)
        .await
        .unwrap();
    assert_eq!((again.unchanged, again.changed_keys.len()), (7, 0));
    let m2 = store
        .rematch_keys(&imp.changed_keys, T0 + 200)
        .await
        .unwrap();
    assert_eq!((m2.new_findings, m2.alerts), (0, 0));
    // A modified record replaces the old one and reports its keys.
    let mut advs = example_advisories();
    let regex = advs
        .iter_mut()
        .find(|a| a.id == "RUSTSEC-2022-0013")
        .unwrap();
    regex.modified = Some("2030-01-01T00:00:00Z".into());
    let upd = store
        .upsert_advisories(std::slice::from_ref(regex), "osv", T0 + 300)
        .await
        .unwrap();
    assert_eq!(
        (
            upd.updated,
            upd.changed_keys.iter().cloned().collect::<Vec<_>>()
        ),
        (1, vec!["crates.io/regex".to_string()])
    );
}

async fn exploitation_marks_findings_urgent(store: Store) {
    let a = org(&store, "A").await;
    store
        .upsert_advisories(&example_advisories(), "osv", T0)
        .await
        .unwrap();
    let other = org(&store, "Other").await;
    let g0 = store.findings_generation(a.id).await.unwrap();
    let (_r, out) = release_with_sbom(&store, a.id, "Router", "1").await;
    assert_eq!((out.findings, out.exploited), (4, 0));
    // Every change to an organisation's findings raises its generation, and only its own.
    let g1 = store.findings_generation(a.id).await.unwrap();
    let other_gen = store.findings_generation(other.id).await.unwrap();
    assert!(g1 > g0, "ingest: {g0} -> {g1}");
    let before = store.alerts(a.id, 100).await.unwrap().len();
    let imp = store
        .upsert_exploitation(
            &[Exploitation {
                cve_id: "cve-2022-24713".into(),
                source: "euvd".into(),
                date_added: None,
                due_date: None,
                ransomware: false,
                reference: Some("EUVD-2022-0001".into()),
            }],
            T0 + 50,
        )
        .await
        .unwrap();
    assert_eq!(imp.newly_exploited, vec!["CVE-2022-24713"]);
    let m = store
        .apply_exploitation(&imp.newly_exploited, T0 + 50)
        .await
        .unwrap();
    assert_eq!((m.became_exploited, m.alerts), (1, 1));
    let g2 = store.findings_generation(a.id).await.unwrap();
    assert!(g2 > g1, "exploitation: {g1} -> {g2}");
    assert_eq!(
        store.findings_generation(other.id).await.unwrap(),
        other_gen
    );
    assert!(store.findings_generation(999_999).await.is_err());
    let f = store
        .findings(
            a.id,
            &FindingFilter {
                exploited: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].advisory_id, "RUSTSEC-2022-0013");
    let alerts = store.alerts(a.id, 100).await.unwrap();
    assert_eq!(alerts.len(), before + 1);
    assert!(alerts[0].urgent && alerts[0].kind == cyres_store::AlertKind::BecameExploited);
    assert!(alerts[0].body["early_warning_due"].as_str().is_some());
    // The same fact again is not news.
    let again = store
        .upsert_exploitation(
            &[Exploitation {
                cve_id: "CVE-2022-24713".into(),
                source: "euvd".into(),
                date_added: None,
                due_date: None,
                ransomware: false,
                reference: None,
            }],
            T0 + 60,
        )
        .await
        .unwrap();
    assert!(again.newly_exploited.is_empty());
    assert_eq!(
        store
            .apply_exploitation(&["CVE-2022-24713".into()], T0 + 60)
            .await
            .unwrap()
            .became_exploited,
        0
    );
}

async fn advisory_search_and_lookup(store: Store) {
    store
        .upsert_advisories(&example_advisories(), "osv", T0)
        .await
        .unwrap();
    store.upsert_exploitation(&example_kev(), T0).await.unwrap();
    let (row, adv) = store.advisory("cve-2023-44487").await.unwrap();
    assert_eq!(row.id, "GHSA-qppj-fm5r-hxr3");
    assert!(row.aliases.contains(&"CVE-2023-44487".to_string()));
    assert_eq!(row.exploited_by, vec!["kev"]);
    assert!(
        !adv.references.is_empty(),
        "references survive the round trip"
    );
    // Prefix search over every id: both GHSA records, plus records that alias a GHSA id.
    let hits = store.search_advisories("ghsa-", 50).await.unwrap();
    let ids: BTreeSet<&str> = hits.iter().map(|r| r.id.as_str()).collect();
    assert!(
        ids.contains("GHSA-qppj-fm5r-hxr3") && ids.contains("GHSA-c9hw-wf7x-jp9j"),
        "{ids:?}"
    );
    assert!(
        hits.iter()
            .all(|r| r.aliases.iter().any(|a| a.starts_with("GHSA-")))
    );
    let by_pkg: Vec<String> = store
        .search_advisories("regex", 50)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(by_pkg, vec!["RUSTSEC-2022-0013"]);
    assert!(store.advisory("NOPE-1").await.is_err());
}

async fn rematch_can_be_limited_to_changed_advisories(store: Store) {
    let a = org(&store, "A").await;
    for v in ["1", "2", "3"] {
        release_with_sbom(&store, a.id, "Router", v).await;
    }
    let imp = store
        .upsert_advisories(&example_advisories(), "osv", T0)
        .await
        .unwrap();
    assert!(
        imp.changed_ids.contains("RUSTSEC-2022-0013") && imp.changed_ids.contains("CVE-2022-24713")
    );
    // Only the regex advisory: its three findings, nothing else under the same keys.
    let only: BTreeSet<String> = ["RUSTSEC-2022-0013".to_string()].into();
    let m = store
        .rematch(&imp.changed_keys, Some(&only), T0)
        .await
        .unwrap();
    assert_eq!(m.new_findings, 3, "{m:?}");
    let fs = store
        .findings(a.id, &FindingFilter::default())
        .await
        .unwrap();
    assert!(fs.iter().all(|f| f.advisory_id == "RUSTSEC-2022-0013"));
    // The unrestricted re-match adds the rest and never duplicates.
    let m = store.rematch_keys(&imp.changed_keys, T0).await.unwrap();
    assert_eq!(m.new_findings, 9, "{m:?}");
}
