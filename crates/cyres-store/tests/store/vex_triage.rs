//! Triage that carries over, bulk triage and VEX import (issue 17 points 3 and 4), on both
//! engines through `both!` in `store.rs`.

use super::*;
use cyres_vex::merge::{Outcome, Policy};

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

pub async fn triage_carries_over_and_suggests(store: Store) {
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
            VexStatus::Affected,
            None,
            "we do use it",
            &me(),
            T0 + 200,
        )
        .await
        .unwrap();
    let f2 = store.finding(a.id, f2.id).await.unwrap();
    assert_eq!(f2.vex.decision_release_id, Some(r2.id));
    store
        .triage(a.id, f1.id, VexStatus::Fixed, None, "", &me(), T0 + 300)
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

pub async fn bulk_triage_is_one_transaction(store: Store) {
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
            &TriageTarget::Filter(filter),
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

pub async fn vex_import_follows_the_rules(store: Store) {
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
        .triage(a.id, net.id, VexStatus::Affected, None, "", &me(), T0 + 100)
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
            VexStatus::Affected,
            None,
            "",
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
