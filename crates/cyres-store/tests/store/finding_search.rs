//! The findings search and its word index (`src/finding_search.rs`).

use super::*;

both!(
    findings_search_puts_exploited_first,
    findings_search_index_and_export_reader,
);

/// Issue 17 point 2: `q` finds findings by id, alias, component and summary words; any sort
/// keeps actively exploited findings first across pages; wildcards are data.
async fn findings_search_puts_exploited_first(store: Store) {
    let a = org(&store, "A").await;
    let b = org(&store, "B").await;
    store
        .upsert_advisories(&example_advisories(), "upload", T0)
        .await
        .unwrap();
    store.upsert_exploitation(&example_kev(), T0).await.unwrap();
    let (release, _) = release_with_sbom(&store, a.id, "Router", "2.4.1").await;
    let search = |q: &str, sort: &str, limit: i64, offset: i64| {
        let (sort, descending) = FindingSort::parse(sort).unwrap();
        FindingSearch {
            filter: FindingFilter {
                release_id: Some(release.id),
                limit: Some(limit),
                ..Default::default()
            },
            q: Some(q.into()).filter(|q: &String| !q.is_empty()),
            sort,
            descending,
            offset,
            ..Default::default()
        }
    };
    let ids = |p: &FindingPage| -> Vec<String> {
        p.findings.iter().map(|f| f.advisory_id.clone()).collect()
    };
    let all = store
        .search_findings(a.id, &search("", "advisory", 100, 0))
        .await
        .unwrap();
    assert_eq!(all.findings.len(), 4);
    assert!(all.findings[0].exploited && all.findings[1].exploited);
    assert!(!all.findings[2].exploited && !all.findings[3].exploited);
    assert!(all.findings[2].advisory_id <= all.findings[3].advisory_id);
    // Pages follow the same order: exploited first across the whole result.
    let mut paged = Vec::new();
    let mut offset = 0;
    loop {
        let p = store
            .search_findings(a.id, &search("", "-advisory", 1, offset))
            .await
            .unwrap();
        paged.extend(p.findings.iter().map(|f| f.exploited));
        match p.next_offset {
            Some(o) => offset = o,
            None => break,
        }
    }
    assert_eq!(paged, [true, true, false, false]);
    let by_alias = store
        .search_findings(a.id, &search("cve-2023-44487", "", 100, 0))
        .await
        .unwrap();
    assert_eq!(
        ids(&by_alias),
        ["GHSA-qppj-fm5r-hxr3", "GHSA-qppj-fm5r-hxr3"]
    );
    let by_component = store
        .search_findings(a.id, &search("REGEX", "", 100, 0))
        .await
        .unwrap();
    assert_eq!(ids(&by_component), ["RUSTSEC-2022-0013"]);
    let summary = all
        .findings
        .iter()
        .find(|f| f.advisory_id == "RUSTSEC-2022-0013")
        .and_then(|f| f.summary.clone())
        .unwrap();
    let word = summary.split_whitespace().max_by_key(|w| w.len()).unwrap();
    let by_words = store
        .search_findings(a.id, &search(&format!("{word} regex"), "", 100, 0))
        .await
        .unwrap();
    assert_eq!(ids(&by_words), ["RUSTSEC-2022-0013"]);
    for nothing in ["%", "_", "regex nosuchword"] {
        let p = store
            .search_findings(a.id, &search(nothing, "", 100, 0))
            .await
            .unwrap();
        assert!(p.findings.is_empty(), "{nothing}");
    }
    let foreign = store
        .search_findings(b.id, &search("", "", 100, 0))
        .await
        .unwrap();
    assert!(foreign.findings.is_empty());

    // Advisory search by the package name as findings show it and by summary words.
    let tomcat = cyres_vuln::advisory::Advisory::from_json(
        br#"{"id":"GHSA-test-tomc-at00","modified":"2026-01-01T00:00:00Z",
        "summary":"Apache Tomcat request smuggling through chunked trailers",
        "affected":[{"package":{"ecosystem":"Maven","name":"org.apache.tomcat.embed:tomcat-embed-core"},
        "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"10.1.35"}]}]}]}"#,
    )
    .unwrap();
    store
        .upsert_advisories(&[tomcat], "upload", T0)
        .await
        .unwrap();
    for (text, found) in [
        ("tomcat-embed-core", true),
        ("org.apache.tomcat.embed:tomcat-embed-core", true),
        ("Smuggling TOMCAT", true),
        ("smuggling nosuchword", false),
        ("GHSA-test", true),
    ] {
        let hits = store.search_advisories(text, 10).await.unwrap();
        assert_eq!(
            hits.iter().any(|h| h.id == "GHSA-test-tomc-at00"),
            found,
            "{text}"
        );
    }
}

/// Issue 17, "Speed": the word index finds every substring the search promises (mid-token
/// too), is the path the search takes (a finding without its document is not found until the
/// store indexes it, as it does at open for findings older than migration 0029), and the CSV
/// export's reader gives the list's findings with the exported columns equal.
async fn findings_search_index_and_export_reader(store: Store) {
    let a = org(&store, "A").await;
    let b = org(&store, "B").await;
    store
        .upsert_advisories(&example_advisories(), "upload", T0)
        .await
        .unwrap();
    store.upsert_exploitation(&example_kev(), T0).await.unwrap();
    release_with_sbom(&store, a.id, "Router", "2.4.1").await;
    release_with_sbom(&store, a.id, "Router", "2.5.0").await;
    release_with_sbom(&store, b.id, "Router", "2.4.1").await;
    let q = |q: &str| FindingSearch {
        q: Some(q.into()),
        filter: FindingFilter {
            limit: Some(1000),
            ..Default::default()
        },
        ..Default::default()
    };
    let ids = |store: Store, org: i64, text: &'static str| async move {
        let mut v: Vec<(i64, String)> = store
            .search_findings(org, &q(text))
            .await
            .unwrap()
            .findings
            .into_iter()
            .map(|f| (f.id, f.advisory_id))
            .collect();
        v.sort();
        v
    };
    let by_alias = ids(store.clone(), a.id, "CVE-2023-44487").await;
    assert_eq!(by_alias.len(), 4, "two findings in each of two releases");
    assert!(by_alias.iter().all(|(_, adv)| adv == "GHSA-qppj-fm5r-hxr3"));
    // Inside a token: the alias's number, the middle of the GHSA id (exact ids only), a piece
    // of the purl; two words narrow.
    assert_eq!(ids(store.clone(), a.id, "023-4448").await, by_alias);
    assert!(ids(store.clone(), a.id, "qppj-fm5r").await.is_empty());
    assert_eq!(
        ids(store.clone(), a.id, "ghsa-QPPJ-fm5r-hxr3").await,
        by_alias
    );
    let regex = ids(store.clone(), a.id, "rege").await;
    assert_eq!(regex.len(), 2);
    assert_eq!(ids(store.clone(), a.id, "ege rege").await, regex);
    assert!(ids(store.clone(), a.id, "rege 44487").await.is_empty());
    assert_eq!(ids(store.clone(), b.id, "CVE-2023-44487").await.len(), 2);
    // Unindexed findings are not found, then indexed by the catch-up the store runs at open.
    use sqlx::Executor;
    store
        .raw_pool()
        .execute("UPDATE finding SET search_doc = NULL")
        .await
        .unwrap();
    assert!(ids(store.clone(), a.id, "CVE-2023-44487").await.is_empty());
    assert_eq!(store.index_unindexed_findings().await.unwrap(), 12);
    assert_eq!(ids(store.clone(), a.id, "CVE-2023-44487").await, by_alias);
    assert_eq!(store.index_unindexed_findings().await.unwrap(), 0);

    // The export's reader pages like `findings_by_id` and reads the same exported values.
    for search in [q(""), q("44487"), q("regex")] {
        let mut search = FindingSearch {
            q: search.q.filter(|q| !q.is_empty()),
            ..search
        };
        search.filter.limit = Some(3);
        let (mut listed, mut exported) = (Vec::new(), Vec::new());
        loop {
            let l = store.findings_by_id(a.id, &search).await.unwrap();
            let e = store.findings_export_page(a.id, &search).await.unwrap();
            listed.extend(l.iter().cloned());
            exported.extend(e);
            match l.last() {
                Some(last) if l.len() == 3 => search.filter.after_id = Some(last.id),
                _ => break,
            }
        }
        assert!(!listed.is_empty(), "{:?}", search.q);
        let exported_part = |f: &FindingRow| FindingRow {
            match_kind: String::new(),
            fixed_versions: Vec::new(),
            updated_at: 0,
            provenance: None,
            vex: FindingVex {
                decision_release_id: None,
                ..f.vex.clone()
            },
            ..f.clone()
        };
        let listed: Vec<FindingRow> = listed.iter().map(exported_part).collect();
        assert_eq!(exported, listed, "{:?}", search.q);
    }
}
