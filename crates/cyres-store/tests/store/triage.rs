//! Triage that carries over, bulk triage and VEX import (issue 17 points 3 and 4), on both
//! engines; and the triage decision itself (`src/triage.rs`, `src/vex.rs`).

use super::*;
use cyres_vex::merge::{Outcome, Policy};

both!(
    triage_validates_and_keeps_history,
    triage_carries_over_and_suggests,
    carry_over_is_one_path_with_history,
    bulk_triage_is_one_transaction,
    vex_import_follows_the_rules,
);

/// The router SBOM with regex at `version` (1.5.4 in the example; every 1.5.x before 1.5.5 is
/// affected by RUSTSEC-2022-0013).
fn router_with_regex(version: &str) -> (Vec<u8>, cyres_sbom::Sbom) {
    let (bytes, _) = router_sbom();
    let text = String::from_utf8(bytes).unwrap().replace(
        "\"name\": \"regex\", \"version\": \"1.5.4\", \"purl\": \"pkg:cargo/regex@1.5.4\"",
        &format!("\"name\": \"regex\", \"version\": \"{version}\", \"purl\": \"pkg:cargo/regex@{version}\""),
    );
    let bytes = text.into_bytes();
    let sbom = cyres_sbom::read(&bytes, "router.cdx.json", &Default::default()).unwrap();
    assert!(
        sbom.components
            .iter()
            .any(|c| c.version.as_deref() == Some(version))
    );
    (bytes, sbom)
}

async fn regex_finding(store: &Store, org_id: i64, release_id: i64) -> FindingRow {
    store
        .findings(
            org_id,
            &FindingFilter {
                release_id: Some(release_id),
                advisory_id: Some("RUSTSEC-2022-0013".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .into_iter()
        .next()
        .expect("regex is affected by RUSTSEC-2022-0013")
}

fn not_affected(comment: &str) -> Decision {
    Decision {
        status: VexStatus::NotAffected,
        justification: Some("vulnerable_code_not_in_execute_path".into()),
        impact_statement: Some("meshd never builds a regex from input".into()),
        action_statement: None,
        responses: vec!["will_not_fix".into()],
        comment: comment.into(),
    }
}

async fn triage_carries_over_and_suggests(store: Store) {
    let a = org(&store, "A").await;
    store
        .upsert_advisories(&example_advisories(), "osv", T0)
        .await
        .unwrap();
    let (r1, _) = release_with_sbom(&store, a.id, "Router", "2.3.0").await;
    let f1 = regex_finding(&store, a.id, r1.id).await;
    assert_eq!(f1.vex.decision_release_id, None);
    let s = store
        .triage_findings(
            a.id,
            &TriageTarget::Ids(vec![f1.id]),
            &not_affected("checked"),
            "manual",
            &me(),
            T0 + 100,
        )
        .await
        .unwrap();
    assert_eq!((s.decided, s.carried), (1, 0));
    let f1 = store.finding(a.id, f1.id).await.unwrap();
    assert_eq!(f1.vex.decision_release_id, Some(r1.id));
    assert_eq!(f1.vex.responses, vec!["will_not_fix".to_string()]);

    // A later release with the same regex version inherits the decision when its findings
    // are inserted.
    let (r2, _) = release_with_sbom(&store, a.id, "Router", "2.4.0").await;
    let f2 = regex_finding(&store, a.id, r2.id).await;
    assert_eq!(f2.status, VexStatus::NotAffected);
    assert_eq!(f2.vex.decision_release_id, Some(r1.id));
    assert_eq!(f2.vex.impact_statement, f1.vex.impact_statement);
    let origin = store.triage_origin(a.id, f2.id).await.unwrap();
    assert_eq!(origin.inherited_from, Some((r1.id, "2.3.0".to_string())));
    assert_eq!(origin.suggestion, None);
    // Other findings of the release are untouched.
    let others = store
        .findings(
            a.id,
            &FindingFilter {
                release_id: Some(r2.id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        others
            .iter()
            .filter(|f| f.id != f2.id)
            .all(|f| f.vex.decision_release_id.is_none())
    );

    // A release with another regex version gets a suggestion, never the decision.
    let (bytes, sbom) = router_with_regex("1.5.3");
    let (r3, _) = release_with(&store, a.id, "Router", "2.5.0", &bytes, &sbom).await;
    let f3 = regex_finding(&store, a.id, r3.id).await;
    assert_eq!(f3.status, VexStatus::UnderInvestigation);
    assert_eq!(f3.vex.decision_release_id, None);
    let origin = store.triage_origin(a.id, f3.id).await.unwrap();
    assert_eq!(origin.inherited_from, None);
    let sug = origin.suggestion.expect("the 1.5.4 decision is offered");
    assert_eq!(sug.release_version, "2.3.0");
    assert_eq!(sug.component_version.as_deref(), Some("1.5.4"));
    assert_eq!(sug.status, VexStatus::NotAffected);

    // Editing the inherited decision makes it the finding's own; a new decision in 2.3.0 then
    // no longer reaches it.
    store
        .triage(
            a.id,
            f2.id,
            &Decision::status(VexStatus::Affected, None, "we do use it"),
            &me(),
            T0 + 200,
        )
        .await
        .unwrap();
    let f2 = store.finding(a.id, f2.id).await.unwrap();
    assert_eq!(f2.vex.decision_release_id, Some(r2.id));
    store
        .triage(
            a.id,
            f1.id,
            &Decision::status(VexStatus::Fixed, None, ""),
            &me(),
            T0 + 300,
        )
        .await
        .unwrap();
    assert_eq!(
        store.finding(a.id, f2.id).await.unwrap().status,
        VexStatus::Affected
    );
    assert_eq!(
        store.finding(a.id, f3.id).await.unwrap().status,
        VexStatus::UnderInvestigation
    );

    // Another organisation with the same product name and SBOM inherits nothing.
    let b = org(&store, "B").await;
    let (rb, _) = release_with_sbom(&store, b.id, "Router", "2.3.0").await;
    let fb = regex_finding(&store, b.id, rb.id).await;
    assert_eq!(fb.vex.decision_release_id, None);
    assert!(
        store.triage_origin(a.id, fb.id).await.is_err(),
        "a foreign finding is missing"
    );
}

async fn bulk_triage_is_one_transaction(store: Store) {
    let a = org(&store, "A").await;
    let b = org(&store, "B").await;
    store
        .upsert_advisories(&example_advisories(), "osv", T0)
        .await
        .unwrap();
    let (r1, _) = release_with_sbom(&store, a.id, "Router", "1").await;
    let (_r2, _) = release_with_sbom(&store, a.id, "Switch", "1").await;
    let (rb, _) = release_with_sbom(&store, b.id, "Router", "1").await;
    let all_a = store
        .findings(a.id, &FindingFilter::default())
        .await
        .unwrap();
    assert!(all_a.len() >= 4, "{}", all_a.len());
    let gen0 = store.findings_generation(a.id).await.unwrap();

    // A foreign id refuses the whole batch: nothing changes.
    let fb = store
        .findings(
            b.id,
            &FindingFilter {
                release_id: Some(rb.id),
                ..Default::default()
            },
        )
        .await
        .unwrap()[0]
        .id;
    let e = store
        .triage_findings(
            a.id,
            &TriageTarget::Ids(vec![all_a[0].id, fb]),
            &Decision::status(VexStatus::Affected, None, ""),
            "bulk",
            &me(),
            T0,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }), "{e}");
    assert_eq!(store.findings_generation(a.id).await.unwrap(), gen0);
    let e = store
        .triage_findings(
            a.id,
            &TriageTarget::Ids(vec![all_a[0].id]),
            &Decision {
                responses: vec!["shrug".into()],
                ..Decision::status(VexStatus::Affected, None, "")
            },
            "bulk",
            &me(),
            T0,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().starts_with("responses:"), "{e}");

    // A filter's whole result: every finding of release r1.
    let filter = FindingFilter {
        release_id: Some(r1.id),
        limit: Some(1),
        ..Default::default()
    };
    let s = store
        .triage_findings(
            a.id,
            &TriageTarget::Filter(cyres_store::FindingSearch {
                filter,
                ..Default::default()
            }),
            &not_affected("bulk"),
            "bulk",
            &me(),
            T0 + 50,
        )
        .await
        .unwrap();
    let of_r1: Vec<_> = all_a.iter().filter(|f| f.release_id == r1.id).collect();
    assert_eq!(s.decided, of_r1.len());
    for f in of_r1 {
        let f = store.finding(a.id, f.id).await.unwrap();
        assert_eq!(f.status, VexStatus::NotAffected);
        assert_eq!(store.triage_history(a.id, f.id).await.unwrap().len(), 1);
    }
    // The other product is another product: nothing carried there.
    assert_eq!(s.carried, 0);
    let switch: Vec<_> = store
        .findings(a.id, &FindingFilter::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|f| f.release_id != r1.id)
        .collect();
    assert!(
        switch
            .iter()
            .all(|f| f.status == VexStatus::UnderInvestigation)
    );
    assert!(store.findings_generation(a.id).await.unwrap() > gen0);
    // Organisation B's findings are untouched.
    assert_eq!(
        store.finding(b.id, fb).await.unwrap().status,
        VexStatus::UnderInvestigation
    );
}

async fn vex_import_follows_the_rules(store: Store) {
    let a = org(&store, "A").await;
    store
        .upsert_advisories(&example_advisories(), "osv", T0)
        .await
        .unwrap();
    let (r1, _) = release_with_sbom(&store, a.id, "Router", "2.4.1").await;
    let regex = regex_finding(&store, a.id, r1.id).await;
    let net = store
        .findings(
            a.id,
            &FindingFilter {
                release_id: Some(r1.id),
                advisory_id: Some("GO-2023-2102".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()[0]
        .clone();
    // x/net was decided by a person at T0 + 100.
    store
        .triage(
            a.id,
            net.id,
            &Decision::status(VexStatus::Affected, None, ""),
            &me(),
            T0 + 100,
        )
        .await
        .unwrap();
    let stmt = |vuln: &str,
                name: &str,
                version: &str,
                purl: Option<&str>,
                status: cyres_vex::Status,
                at: Option<i64>| cyres_vex::Statement {
        vulnerability: vuln.into(),
        component: cyres_vex::Subject {
            name: name.into(),
            version: version.into(),
            purl: purl.map(str::to_string),
        },
        status,
        justification: None,
        impact_statement: None,
        action_statement: Some("update".into()),
        responses: vec![cyres_vex::Response::Update],
        first_issued: None,
        last_updated: at,
        author: None,
    };
    let doc = cyres_vex::VexDocument {
        author: "Upstream".into(),
        timestamp: T0 + 50,
        product: cyres_vex::Subject {
            name: "Router".into(),
            version: "2.4.1".into(),
            purl: None,
        },
        statements: vec![
            // 0: applied (undecided), matched by purl and by an alias-free id.
            stmt(
                "RUSTSEC-2022-0013",
                "regex",
                "1.5.4",
                Some("pkg:cargo/regex@1.5.4"),
                cyres_vex::Status::Fixed,
                None,
            ),
            // 1: kept: the person's decision (T0 + 100) is newer than the file's (T0 + 50).
            stmt(
                "GO-2023-2102",
                "golang.org/x/net",
                "v0.7.0",
                None,
                cyres_vex::Status::Fixed,
                None,
            ),
            // 2: unmatched.
            stmt(
                "CVE-2000-0001",
                "zlib",
                "1.0",
                None,
                cyres_vex::Status::Fixed,
                None,
            ),
            // 3 and 4: ambiguous.
            stmt(
                "CVE-2001-0001",
                "zlib",
                "1.0",
                None,
                cyres_vex::Status::Fixed,
                None,
            ),
            stmt(
                "CVE-2001-0001",
                "zlib",
                "1.0",
                None,
                cyres_vex::Status::Affected,
                None,
            ),
        ],
    };
    let rep = store
        .import_vex(a.id, r1.id, &doc, Policy::Newer, &me(), T0 + 200)
        .await
        .unwrap();
    assert!(
        matches!(rep[0].outcome, Outcome::Applied { .. }),
        "{:?}",
        rep[0]
    );
    assert_eq!(rep[0].finding_ids, vec![regex.id]);
    assert!(
        matches!(rep[1].outcome, Outcome::Kept { .. }),
        "{:?}",
        rep[1]
    );
    assert_eq!(rep[2].outcome, Outcome::Unmatched);
    assert_eq!(rep[3].outcome, Outcome::Ambiguous);
    assert_eq!(rep[4].outcome, Outcome::Ambiguous);
    let regex = store.finding(a.id, regex.id).await.unwrap();
    assert_eq!(regex.status, VexStatus::Fixed);
    assert_eq!(regex.vex.action_statement.as_deref(), Some("update"));
    assert_eq!(regex.vex.responses, vec!["update".to_string()]);
    assert_eq!(
        store.finding(a.id, net.id).await.unwrap().status,
        VexStatus::Affected
    );

    // The same file again changes nothing; with a newer statement time x/net is applied; with
    // `replace` the file wins whatever its time.
    let rep = store
        .import_vex(a.id, r1.id, &doc, Policy::Newer, &me(), T0 + 300)
        .await
        .unwrap();
    assert_eq!(rep[0].outcome, Outcome::Unchanged);
    let mut newer = doc.clone();
    newer.statements.truncate(2);
    newer.statements[1].last_updated = Some(T0 + 150);
    let rep = store
        .import_vex(a.id, r1.id, &newer, Policy::KeepRecorded, &me(), T0 + 400)
        .await
        .unwrap();
    assert!(matches!(rep[1].outcome, Outcome::Kept { .. }));
    let rep = store
        .import_vex(a.id, r1.id, &newer, Policy::Newer, &me(), T0 + 400)
        .await
        .unwrap();
    assert!(
        matches!(rep[1].outcome, Outcome::Applied { .. }),
        "T0 + 150 is after T0 + 100"
    );
    assert_eq!(
        store.finding(a.id, net.id).await.unwrap().status,
        VexStatus::Fixed
    );
    store
        .triage(
            a.id,
            net.id,
            &Decision::status(VexStatus::Affected, None, ""),
            &me(),
            T0 + 1000,
        )
        .await
        .unwrap();
    let rep = store
        .import_vex(a.id, r1.id, &newer, Policy::Replace, &me(), T0 + 1100)
        .await
        .unwrap();
    assert_eq!(rep[1].outcome, Outcome::Replaced);
    assert_eq!(
        store.finding(a.id, net.id).await.unwrap().status,
        VexStatus::Fixed
    );
    // A release of another organisation is missing.
    let b = org(&store, "B").await;
    assert!(
        store
            .import_vex(b.id, r1.id, &doc, Policy::Newer, &me(), T0)
            .await
            .is_err()
    );
}

/// The history of finding `id`, newest last, as (status, actor, comment).
async fn history_of(store: &Store, org_id: i64, id: i64) -> Vec<(VexStatus, String, String)> {
    store
        .triage_history(org_id, id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.status, e.actor, e.comment))
        .collect()
}

/// Replaces a release's SBOM with these bytes (a new version of it).
async fn replace(
    store: &Store,
    org_id: i64,
    release_id: i64,
    bytes: &[u8],
    sbom: &cyres_sbom::Sbom,
    now: i64,
) -> IngestOutcome {
    store
        .replace_sbom(
            org_id,
            release_id,
            &SbomUpload {
                file_name: "router-next.cdx.json",
                original: bytes,
                sha256: "02",
                sbom,
            },
            &me(),
            now,
        )
        .await
        .unwrap()
}

/// One carry-over for SBOM upload, SBOM replacement, re-match and decisions (issue 17 point
/// 3): the same component version takes the decision with a history entry naming where it came
/// from; another version gets a suggestion only; no finding ever holds a decision without a
/// history entry.
async fn carry_over_is_one_path_with_history(store: Store) {
    let a = org(&store, "A").await;
    store
        .upsert_advisories(&example_advisories(), "osv", T0)
        .await
        .unwrap();
    let (r1, _) = release_with_sbom(&store, a.id, "Router", "2.3.0").await;
    let f1 = regex_finding(&store, a.id, r1.id).await;
    store
        .triage_findings(
            a.id,
            &TriageTarget::Ids(vec![f1.id]),
            &not_affected("checked"),
            "manual",
            &me(),
            T0 + 100,
        )
        .await
        .unwrap();

    // Upload: the same regex version inherits, with its history entry.
    let (r2, out) = release_with_sbom(&store, a.id, "Router", "2.4.0").await;
    assert_eq!(out.decisions_carried, 1);
    let f2 = regex_finding(&store, a.id, r2.id).await;
    assert_eq!(f2.status, VexStatus::NotAffected);
    let h = history_of(&store, a.id, f2.id).await;
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(h[0].0, VexStatus::NotAffected);
    assert_eq!(h[0].1, "cyres");
    assert_eq!(
        h[0].2,
        "carried over from release 2.3.0 (same component version)"
    );

    // Another version: a suggestion, no decision and no history.
    let (bytes153, sbom153) = router_with_regex("1.5.3");
    let (r3, out) = release_with(&store, a.id, "Router", "2.5.0", &bytes153, &sbom153).await;
    assert_eq!(out.decisions_carried, 0);
    let f3 = regex_finding(&store, a.id, r3.id).await;
    assert_eq!(f3.status, VexStatus::UnderInvestigation);
    assert!(history_of(&store, a.id, f3.id).await.is_empty());
    let origin = store.triage_origin(a.id, f3.id).await.unwrap();
    assert_eq!(origin.suggestion.map(|s| s.release_id), Some(r1.id));

    // Replacement: the inherited decision of 2.4.0 reaches its new SBOM from 2.3.0 …
    let (bytes, sbom) = router_sbom();
    let out = replace(&store, a.id, r2.id, &bytes, &sbom, T0 + 200).await;
    assert_eq!(out.decisions_carried, 1);
    let f2b = regex_finding(&store, a.id, r2.id).await;
    assert_ne!(f2b.id, f2.id, "the current SBOM's finding");
    assert_eq!(f2b.vex.decision_release_id, Some(r1.id));
    let h = history_of(&store, a.id, f2b.id).await;
    assert_eq!(h.len(), 1, "{h:?}");
    assert!(h[0].2.contains("from release 2.3.0"), "{h:?}");
    // … and an own decision of 2.5.0 reaches its new SBOM from the replaced one.
    store
        .triage(
            a.id,
            f3.id,
            &Decision::status(VexStatus::Affected, None, "we use it"),
            &me(),
            T0 + 300,
        )
        .await
        .unwrap();
    replace(&store, a.id, r3.id, &bytes153, &sbom153, T0 + 400).await;
    let f3b = regex_finding(&store, a.id, r3.id).await;
    assert_ne!(f3b.id, f3.id);
    assert_eq!(f3b.status, VexStatus::Affected);
    let h = history_of(&store, a.id, f3b.id).await;
    assert_eq!(h.len(), 1, "{h:?}");
    assert!(h[0].2.contains("replaced SBOM of this release"), "{h:?}");

    // Re-match: a release uploaded while the record named no package gets the finding from the
    // re-match once the record names regex again, and the decision with it.
    let mut advs = example_advisories();
    let rec = advs
        .iter_mut()
        .find(|x| x.id == "RUSTSEC-2022-0013")
        .unwrap();
    let affected = std::mem::take(&mut rec.affected);
    rec.modified = Some("2030-01-01T00:00:00Z".into());
    store
        .upsert_advisories(std::slice::from_ref(rec), "osv", T0 + 500)
        .await
        .unwrap();
    let (r4, out) = release_with_sbom(&store, a.id, "Router", "2.6.0").await;
    assert_eq!(out.decisions_carried, 0);
    rec.affected = affected;
    rec.modified = Some("2030-02-01T00:00:00Z".into());
    store
        .upsert_advisories(std::slice::from_ref(rec), "osv", T0 + 600)
        .await
        .unwrap();
    let keys: BTreeSet<String> = ["crates.io/regex".to_string()].into();
    let m = store.rematch_keys(&keys, T0 + 600).await.unwrap();
    assert_eq!((m.new_findings, m.decisions_carried), (1, 1), "{m:?}");
    let f4 = regex_finding(&store, a.id, r4.id).await;
    assert_eq!(f4.status, VexStatus::NotAffected);
    assert_eq!(f4.vex.decision_release_id, Some(r1.id));
    let h = history_of(&store, a.id, f4.id).await;
    assert_eq!(h.len(), 1, "{h:?}");
    assert!(h[0].2.contains("from release 2.3.0"), "{h:?}");

    // A new decision in 2.3.0 reaches the inheritors, each with a new history entry.
    store
        .triage(
            a.id,
            f1.id,
            &Decision::status(VexStatus::Fixed, None, ""),
            &me(),
            T0 + 700,
        )
        .await
        .unwrap();
    let f4 = store.finding(a.id, f4.id).await.unwrap();
    assert_eq!(f4.status, VexStatus::Fixed);
    assert_eq!(history_of(&store, a.id, f4.id).await.len(), 2);

    // Never silent: every decided finding of the portfolio has a history entry.
    for f in store
        .findings(a.id, &FindingFilter::default())
        .await
        .unwrap()
    {
        if f.vex.decision_release_id.is_some() {
            assert!(
                !history_of(&store, a.id, f.id).await.is_empty(),
                "finding {} ({}) holds a decision without history",
                f.id,
                f.advisory_id
            );
        }
    }
}

async fn triage_validates_and_keeps_history(store: Store) {
    let a = org(&store, "A").await;
    let b = org(&store, "B").await;
    store
        .upsert_advisories(&example_advisories(), "osv", T0)
        .await
        .unwrap();
    release_with_sbom(&store, a.id, "Router", "1").await;
    let f = store
        .findings(a.id, &FindingFilter::default())
        .await
        .unwrap()[0]
        .clone();
    assert_eq!(f.status, VexStatus::UnderInvestigation);
    let e = store
        .triage(
            a.id,
            f.id,
            &Decision::status(VexStatus::NotAffected, None, ""),
            &me(),
            T0,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().starts_with("justification:"), "{e}");
    let e = store
        .triage(
            a.id,
            f.id,
            &Decision::status(VexStatus::NotAffected, Some("trust me"), ""),
            &me(),
            T0,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not one of"), "{e}");
    let e = store
        .triage(
            a.id,
            f.id,
            &Decision::status(VexStatus::Affected, Some("component_not_present"), ""),
            &me(),
            T0,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("only allowed"), "{e}");
    let gen_a = store.findings_generation(a.id).await.unwrap();
    let gen_b = store.findings_generation(b.id).await.unwrap();
    assert!(matches!(
        store
            .triage(
                b.id,
                f.id,
                &Decision::status(VexStatus::Affected, None, ""),
                &me(),
                T0
            )
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(
        store.findings_generation(a.id).await.unwrap(),
        gen_a,
        "refused triage"
    );
    assert_eq!(store.findings_generation(b.id).await.unwrap(), gen_b);
    store
        .triage(
            a.id,
            f.id,
            &Decision::status(VexStatus::Affected, None, "reachable from the web UI"),
            &me(),
            T0 + 1,
        )
        .await
        .unwrap();
    let done = store
        .triage(
            a.id,
            f.id,
            &Decision::status(
                VexStatus::NotAffected,
                Some("vulnerable_code_not_in_execute_path"),
                "HTTP/2 disabled in build",
            ),
            &me(),
            T0 + 2,
        )
        .await
        .unwrap();
    assert_eq!(
        (done.status, done.justification.as_deref()),
        (
            VexStatus::NotAffected,
            Some("vulnerable_code_not_in_execute_path")
        )
    );
    assert!(store.findings_generation(a.id).await.unwrap() >= gen_a + 2);
    let h = store.triage_history(a.id, f.id).await.unwrap();
    assert_eq!(
        h.iter().map(|e| e.status).collect::<Vec<_>>(),
        vec![VexStatus::Affected, VexStatus::NotAffected]
    );
    assert_eq!(h[1].comment, "HTTP/2 disabled in build");
    assert!(store.triage_history(b.id, f.id).await.is_err());
    let open = store
        .findings(
            a.id,
            &FindingFilter {
                status: Some(VexStatus::NotAffected),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(open.len(), 1);
}
