//! Products, releases and SBOM ingestion (`src/inventory.rs`).

use super::*;

both!(
    products_releases_are_tenant_scoped,
    sbom_ingest_matches_and_alerts,
    ingest_is_all_or_nothing,
);

async fn products_releases_are_tenant_scoped(store: Store) {
    let a = org(&store, "A").await;
    let b = org(&store, "B").await;
    let p = store
        .create_product(a.id, &product_input("Router"), &me(), T0)
        .await
        .unwrap();
    assert_eq!(p.member_states, vec!["DE", "FR"]);
    assert_eq!(p.catalogue_entries, vec!["annex3-class1-12"]);
    let dup = store
        .create_product(a.id, &product_input("Router"), &me(), T0)
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Conflict(_)));
    // Same name in another organisation is fine.
    store
        .create_product(b.id, &product_input("Router"), &me(), T0)
        .await
        .unwrap();
    // A foreign id is exactly a missing one.
    let foreign = store.product(b.id, p.id).await.unwrap_err();
    let missing = store.product(b.id, 999_999).await.unwrap_err();
    assert!(
        matches!(foreign, StoreError::NotFound { .. })
            && matches!(missing, StoreError::NotFound { .. })
    );
    assert!(
        store
            .create_release(b.id, p.id, "1.0", None, &me(), T0)
            .await
            .is_err()
    );
    let r = store
        .create_release(a.id, p.id, "1.0", Some("2026-01-31"), &me(), T0)
        .await
        .unwrap();
    assert!(store.release(b.id, r.id).await.is_err());
    let bad = store
        .create_release(a.id, p.id, "1.1", Some("31/01/2026"), &me(), T0)
        .await
        .unwrap_err();
    assert!(bad.to_string().contains("released_on"), "{bad}");
    assert!(matches!(
        store
            .create_release(a.id, p.id, "1.0", None, &me(), T0)
            .await,
        Err(StoreError::Conflict(_))
    ));
    let mut changed = product_input("Router Pro");
    changed.estimated_users = Some(1);
    let up = store
        .update_product(a.id, p.id, &changed, &me(), T0 + 5)
        .await
        .unwrap();
    assert_eq!(
        (up.name.as_str(), up.estimated_users),
        ("Router Pro", Some(1))
    );
    assert!(
        store
            .update_product(b.id, p.id, &changed, &me(), T0)
            .await
            .is_err()
    );
    assert_eq!(store.releases(a.id, p.id).await.unwrap().len(), 1);
    assert!(store.releases(b.id, p.id).await.unwrap().is_empty());
}

async fn sbom_ingest_matches_and_alerts(store: Store) {
    let a = org(&store, "A").await;
    store
        .create_webhook(a.id, "http://127.0.0.1:9/hook", "s3cret", &me(), T0)
        .await
        .unwrap();
    let imp = store
        .upsert_advisories(&example_advisories(), "upload", T0)
        .await
        .unwrap();
    assert_eq!((imp.inserted, imp.updated, imp.unchanged), (7, 0, 0));
    store.upsert_exploitation(&example_kev(), T0).await.unwrap();
    let (release, out) = release_with_sbom(&store, a.id, "Router", "2.4.1").await;
    assert_eq!(out.components, 10);
    // Same four findings as `cyres scan` on this file (README quick start), two exploited.
    assert_eq!((out.findings, out.exploited), (4, 2), "{out:?}");
    assert_eq!(release.sbom_id, Some(out.sbom_id));
    let fs = store
        .findings(
            a.id,
            &FindingFilter {
                release_id: Some(release.id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut ids: Vec<(&str, &str, bool)> = fs
        .iter()
        .map(|f| {
            (
                f.advisory_id.as_str(),
                f.component_name.as_str(),
                f.exploited,
            )
        })
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        vec![
            ("GHSA-qppj-fm5r-hxr3", "golang.org/x/net", true),
            ("GHSA-qppj-fm5r-hxr3", "google.golang.org/grpc", true),
            ("GO-2023-2102", "golang.org/x/net", false),
            ("RUSTSEC-2022-0013", "regex", false),
        ]
    );
    // One alert per advisory; the exploited one is urgent and names the early-warning deadline.
    let alerts = store.alerts(a.id, 50).await.unwrap();
    assert_eq!(alerts.len(), 3);
    let urgent: Vec<&AlertRow> = alerts.iter().filter(|a| a.urgent).collect();
    assert_eq!(urgent.len(), 1);
    assert_eq!(urgent[0].body["early_warning_due"], "2026-09-22T14:13:30Z"); // T0 + 10 s + 24 h
    // Each alert has a pending webhook delivery and an e-mail delivery.
    let due = store.due_deliveries(T0 + 10, 100).await.unwrap();
    assert_eq!(
        due.iter()
            .filter(|d| d.channel.as_str() == "webhook")
            .count(),
        3
    );
    // The original is kept byte for byte; components are stored in order.
    let (bytes, _) = router_sbom();
    assert_eq!(store.sbom_original(a.id, out.sbom_id).await.unwrap(), bytes);
    let comps = store.components(a.id, release.id, -1, 100).await.unwrap();
    assert_eq!(comps.len(), 10);
    assert_eq!(comps[0].ord, 0);
    let meta = store.sbom_meta(a.id, out.sbom_id).await.unwrap();
    assert_eq!(meta.component_count, 10);
    assert!(
        meta.diagnostics.as_array().is_some_and(|d| d.len() == 2),
        "{}",
        meta.diagnostics
    );
    // A second SBOM for the same release is refused and changes nothing.
    let (bytes, sbom) = router_sbom();
    let again = store
        .ingest_sbom(
            a.id,
            release.id,
            &SbomUpload {
                file_name: "x",
                original: &bytes,
                sha256: "00",
                sbom: &sbom,
            },
            &me(),
            T0,
        )
        .await
        .unwrap_err();
    assert!(matches!(again, StoreError::Conflict(_)));
    assert_eq!(
        store
            .findings(a.id, &FindingFilter::default())
            .await
            .unwrap()
            .len(),
        4
    );
}

async fn ingest_is_all_or_nothing(store: Store) {
    let a = org(&store, "A").await;
    store
        .upsert_advisories(&example_advisories(), "upload", T0)
        .await
        .unwrap();
    let p = store
        .create_product(a.id, &product_input("Router"), &me(), T0)
        .await
        .unwrap();
    let r = store
        .create_release(a.id, p.id, "1", None, &me(), T0)
        .await
        .unwrap();
    // Break the last step of the transaction (alerts) so it fails after the SBOM, its
    // components and its findings were written.
    {
        use sqlx::Executor;
        let pool = store_pool(&store).await;
        pool.execute("ALTER TABLE alert RENAME TO alert_moved")
            .await
            .unwrap();
    }
    let (bytes, sbom) = router_sbom();
    let err = store
        .ingest_sbom(
            a.id,
            r.id,
            &SbomUpload {
                file_name: "x",
                original: &bytes,
                sha256: "00",
                sbom: &sbom,
            },
            &me(),
            T0,
        )
        .await;
    assert!(err.is_err());
    assert_eq!(store.release(a.id, r.id).await.unwrap().sbom_id, None);
    assert!(
        store
            .findings(a.id, &FindingFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .components(a.id, r.id, -1, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let pool = store_pool(&store).await;
    use sqlx::Row;
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM sbom")
        .fetch_one(&pool)
        .await
        .unwrap()
        .get("n");
    let c: i64 = sqlx::query("SELECT COUNT(*) AS n FROM component")
        .fetch_one(&pool)
        .await
        .unwrap()
        .get("n");
    assert_eq!((n, c), (0, 0));
}
