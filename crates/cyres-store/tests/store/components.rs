//! Components of releases: listing, search, dependency paths (`src/components.rs`).

use super::*;

both!(components_are_listed_searched_and_traced);

/// Issue 17 point 1: a release's components with direct flags and findings, the dependency
/// path to a finding's component, and the portfolio search by name, purl, CPE, `vers:` range
/// and licence, scoped to the organisation.
async fn components_are_listed_searched_and_traced(store: Store) {
    let a = org(&store, "A").await;
    let b = org(&store, "B").await;
    store
        .upsert_advisories(&example_advisories(), "upload", T0)
        .await
        .unwrap();
    store.upsert_exploitation(&example_kev(), T0).await.unwrap();
    let (release, _) = release_with_sbom(&store, a.id, "Router", "2.4.1").await;

    let comps = store
        .release_components(a.id, release.id, -1, 100, false)
        .await
        .unwrap();
    assert_eq!(comps.len(), 10);
    let by_name = |n: &str| comps.iter().find(|c| c.component.name == n).unwrap();
    assert_eq!(by_name("openssl").component.direct, Some(true));
    assert_eq!(by_name("golang.org/x/net").component.direct, Some(false));
    assert_eq!(
        by_name("openssl").component.licenses.as_deref(),
        Some("OpenSSL")
    );
    let xnet = by_name("golang.org/x/net");
    assert!(!xnet.findings.is_empty(), "x/net v0.7.0 has findings");
    let with = store
        .release_components(a.id, release.id, -1, 100, true)
        .await
        .unwrap();
    assert!(with.iter().all(|c| !c.findings.is_empty()));
    assert!(with.len() < comps.len());
    assert!(
        store
            .release_components(b.id, release.id, -1, 100, false)
            .await
            .is_err(),
        "another organisation's release is missing"
    );

    // product → cloud-agent → x/net is shorter than product → cloud-agent → grpc → x/net.
    let path = store
        .finding_dependency_path(a.id, xnet.findings[0].id)
        .await
        .unwrap();
    assert!(path.from_product);
    let names: Vec<&str> = path.path.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["cloud-agent", "golang.org/x/net"]);
    let parents: BTreeSet<&str> = path.parents.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        parents,
        BTreeSet::from(["cloud-agent", "google.golang.org/grpc"])
    );
    assert!(
        store
            .finding_dependency_path(b.id, xnet.findings[0].id)
            .await
            .is_err()
    );

    let search = |q: ComponentQuery, org_id: i64| {
        let store = store.clone();
        async move { store.search_components(org_id, &q).await }
    };
    let names_of = |p: &ComponentPage| -> Vec<String> {
        p.hits.iter().map(|h| h.component.name.clone()).collect()
    };
    let q = |q: &str| ComponentQuery {
        q: Some(q.into()),
        ..ComponentQuery::default()
    };
    let page = search(q("OpenS"), a.id).await.unwrap();
    assert_eq!(names_of(&page), ["openssl"]);
    assert_eq!(page.hits[0].release_version, "2.4.1");
    assert_eq!(page.hits[0].product_name, "Router");
    assert!(search(q("OpenS"), b.id).await.unwrap().hits.is_empty());
    let page = search(q("cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*"), a.id)
        .await
        .unwrap();
    assert_eq!(names_of(&page), ["openssl"]);
    let page = search(q("cpe:2.3:a:openssl:openssl:3.0.0:*:*:*:*:*:*:*"), a.id)
        .await
        .unwrap();
    assert!(page.hits.is_empty(), "the CPE's version narrows");
    for (purl, version, hit) in [
        ("pkg:golang/golang.org/x/net", None, true),
        ("pkg:golang/golang.org/x/net@v0.7.0", None, true),
        ("pkg:golang/golang.org/x/net@v0.8.0", None, false),
        (
            "pkg:golang/golang.org/x/net",
            Some("vers:golang/>=v0.1.0|<v0.8.0"),
            true,
        ),
        (
            "pkg:golang/golang.org/x/net",
            Some("vers:golang/>=v0.8.0"),
            false,
        ),
    ] {
        let page = search(
            ComponentQuery {
                purl: Some(purl.into()),
                version: version.map(str::to_string),
                ..ComponentQuery::default()
            },
            a.id,
        )
        .await
        .unwrap();
        assert_eq!(page.hits.len(), usize::from(hit), "{purl} {version:?}");
        assert!(
            page.hits
                .iter()
                .all(|h| h.findings > 0 && h.component.direct == Some(false))
        );
    }
    let page = search(
        ComponentQuery {
            licence: Some("gpl-2.0".into()),
            ..ComponentQuery::default()
        },
        a.id,
    )
    .await
    .unwrap();
    let mut gpl = names_of(&page);
    gpl.sort();
    assert_eq!(gpl, ["busybox", "linux"]);
    let paged = search(
        ComponentQuery {
            licence: Some("gpl-2.0".into()),
            limit: Some(1),
            ..ComponentQuery::default()
        },
        a.id,
    )
    .await
    .unwrap();
    assert_eq!((paged.hits.len(), paged.next_offset), (1, Some(1)));
    for bad in [
        ComponentQuery::default(),
        ComponentQuery {
            purl: Some("not a purl".into()),
            ..ComponentQuery::default()
        },
        ComponentQuery {
            q: Some("x".into()),
            version: Some("vers:".into()),
            ..ComponentQuery::default()
        },
    ] {
        assert!(matches!(
            store.search_components(a.id, &bad).await,
            Err(StoreError::Invalid(_))
        ));
    }
}
