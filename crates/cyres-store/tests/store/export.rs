//! The CSV export's borrowed reader (issue 17 point 4, "Speed": `Store::findings_export_rows`),
//! on both engines: every row it hands over equals the owned reader's
//! (`findings_export_page`) and the related flag of `related_exploited_many`, in the same
//! order, for every page size, whether a page's related flags are cached or looked up.

use super::*;

both!(export_rows_equal_the_owned_reader);

/// What the borrowed reader hands over, owned, for comparison.
#[derive(Debug, PartialEq)]
struct Seen {
    row: FindingRow,
    related: Vec<String>,
}

/// `row` as [`Seen`] (the columns the export does not read as `findings_export_page` leaves
/// them).
fn owned(row: &ExportRow<'_>, org_id: i64) -> Seen {
    Seen {
        row: row.to_finding_row(org_id),
        related: row.related_exploited.to_vec(),
    }
}

/// Every page of `search` through the borrowed reader, with one related cache for the whole
/// walk (as the export keeps it); the rows and the pages' answers.
async fn borrowed_walk(
    store: &Store,
    org_id: i64,
    mut search: FindingSearch,
) -> (Vec<Seen>, Vec<ExportedPage>) {
    let limit = search.filter.limit.unwrap_or(100) as usize;
    let mut related = RelatedCache::default();
    let (mut rows, mut pages) = (Vec::new(), Vec::new());
    loop {
        let page = store
            .findings_export_rows(org_id, &search, &mut related, |r| {
                rows.push(owned(r, org_id))
            })
            .await
            .unwrap();
        pages.push(page);
        match page.last_id {
            Some(id) if page.rows == limit => search.filter.after_id = Some(id),
            _ => return (rows, pages),
        }
    }
}

/// The same walk through the owned reader and `related_exploited_many`.
async fn owned_walk(store: &Store, org_id: i64, mut search: FindingSearch) -> Vec<Seen> {
    let limit = search.filter.limit.unwrap_or(100) as usize;
    let mut related = RelatedCache::default();
    let mut rows = Vec::new();
    loop {
        let page = store.findings_export_page(org_id, &search).await.unwrap();
        let flags = store
            .related_exploited_many(&page, &mut related)
            .await
            .unwrap();
        for (row, related) in page.iter().zip(flags) {
            rows.push(Seen {
                row: row.clone(),
                related,
            });
        }
        match page.last() {
            Some(last) if page.len() == limit => search.filter.after_id = Some(last.id),
            _ => return rows,
        }
    }
}

async fn export_rows_equal_the_owned_reader(store: Store) {
    let a = org(&store, "A").await;
    let b = org(&store, "B").await;
    // A record naming a KEV CVE only as related, so some rows carry the related flag.
    let related = cyres_vuln::advisory::Advisory::from_json(
        br#"{"id":"PYSEC-TEST-0001","modified":"2026-01-01T00:00:00Z","aliases":["CVE-2099-7"],
        "summary":"Heap overflow, \"quoted\"\nin a bundled decoder","related":["CVE-2023-4863"],
        "affected":[{"package":{"ecosystem":"crates.io","name":"serde"},
        "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.131"}]}]}]}"#,
    )
    .unwrap();
    let mut advisories = example_advisories();
    advisories.push(related);
    store
        .upsert_advisories(&advisories, "upload", T0)
        .await
        .unwrap();
    store.upsert_exploitation(&example_kev(), T0).await.unwrap();
    release_with_sbom(&store, a.id, "Router", "2.4.1").await;
    release_with_sbom(&store, a.id, "Router", "2.5.0").await;
    release_with_sbom(&store, b.id, "Router", "2.4.1").await;
    // Decisions with statements and responses, on some findings.
    let all = store
        .findings(
            a.id,
            &FindingFilter {
                limit: Some(1000),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(all.len() >= 8, "{}", all.len());
    let decision = Decision {
        status: VexStatus::Affected,
        justification: None,
        impact_statement: None,
        action_statement: Some("=update, then \"restart\"".into()),
        responses: vec!["update".into(), "workaround_available".into()],
        comment: "export test".into(),
    };
    let ids = all.iter().step_by(3).map(|f| f.id).collect();
    store
        .triage_findings(
            a.id,
            &TriageTarget::Ids(ids),
            &decision,
            "manual",
            &me(),
            T0 + 20,
        )
        .await
        .unwrap();

    let search = |q: Option<&str>, open: bool, limit: i64| {
        let mut s = FindingSearch {
            q: q.map(str::to_string),
            ..Default::default()
        };
        s.filter.limit = Some(limit);
        s.open_only = open;
        s
    };
    let mut flagged = 0;
    for (q, open) in [(None, false), (None, true), (Some("serde"), false)] {
        for limit in [1000, 4, 1] {
            let s = search(q, open, limit);
            let (borrowed, pages) = borrowed_walk(&store, a.id, s.clone()).await;
            let owned = owned_walk(&store, a.id, s).await;
            assert!(!owned.is_empty(), "{q:?} open={open}");
            assert_eq!(borrowed, owned, "{q:?} open={open} pages of {limit}");
            assert_eq!(
                pages.iter().map(|p| p.rows).sum::<usize>(),
                owned.len(),
                "{pages:?}"
            );
            assert!(pages.iter().all(|p| p.rows <= limit as usize));
            flagged += borrowed.iter().filter(|s| !s.related.is_empty()).count();
        }
    }
    assert!(flagged > 0, "some rows carry the related flag");
    // The other organisation's rows never appear.
    let (rows, _) = borrowed_walk(&store, b.id, search(None, false, 1000)).await;
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|s| s.row.org_id == b.id));
    let a_ids: BTreeSet<i64> = all.iter().map(|f| f.id).collect();
    assert!(rows.iter().all(|s| !a_ids.contains(&s.row.id)));
}

/// The stored lists read in place give what the owned reader parses.
#[test]
fn stored_lists_read_in_place() {
    for json in [
        r#"["CVE-2024-1","GHSA-aaaa-bbbb-cccc"]"#,
        r#"["with \"quotes\"","é\u00e9\n"]"#,
        "[]",
        "not json",
        r#"["a",2]"#,
    ] {
        let words = JsonWords::new(json);
        let parsed: Vec<String> = serde_json::from_str(json).unwrap_or_default();
        assert_eq!(words.to_vec(), parsed, "{json}");
        let mut joined = String::new();
        words.join_into(" ", &mut joined);
        assert_eq!(joined, parsed.join(" "), "{json}");
        assert_eq!(words.as_json(), json);
    }
}
