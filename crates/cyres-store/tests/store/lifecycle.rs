//! Lifecycle (archive, retire, SBOM versions), policies and notification rules (issue 17,
//! points 5 to 7), on both engines.

use super::*;
use cyres_vuln::policy::Policy;

both!(
    archived_products_and_retired_releases_leave_the_open_lists,
    a_replaced_sbom_is_a_new_version_with_its_difference,
    policies_apply_per_product_and_violations_alert_once,
    notification_rules_route_alerts,
);

async fn open(store: &Store, org_id: i64) -> Vec<FindingRow> {
    store
        .findings(org_id, &FindingFilter::default())
        .await
        .unwrap()
}

async fn open_total(store: &Store, org_id: i64) -> i64 {
    store
        .open_finding_counts(org_id)
        .await
        .unwrap()
        .iter()
        .map(|c| c.2)
        .sum()
}

async fn seeded(store: &Store) -> (Org, Release, IngestOutcome) {
    let a = org(store, "A").await;
    store
        .upsert_advisories(&example_advisories(), "upload", T0)
        .await
        .unwrap();
    store.upsert_exploitation(&example_kev(), T0).await.unwrap();
    let (release, out) = release_with_sbom(store, a.id, "Router", "2.4.1").await;
    assert_eq!((out.findings, out.exploited), (4, 2));
    (a, release, out)
}

async fn archived_products_and_retired_releases_leave_the_open_lists(store: Store) {
    let (a, release, _) = seeded(&store).await;
    let b = org(&store, "B").await;
    assert_eq!(open(&store, a.id).await.len(), 4);
    assert_eq!(open_total(&store, a.id).await, 4);
    let gen0 = store.findings_generation(a.id).await.unwrap();

    // Retiring hides the release's findings except the exploited ones still open (Art. 14(1)).
    let st = store
        .set_release_retirement(
            a.id,
            release.id,
            Some(Retirement::EndOfSupport),
            &me(),
            T0 + 20,
        )
        .await
        .unwrap();
    assert_eq!(st.retired_kind, Some(Retirement::EndOfSupport));
    assert!(store.findings_generation(a.id).await.unwrap() > gen0);
    let visible = open(&store, a.id).await;
    assert_eq!(visible.len(), 2);
    assert!(visible.iter().all(|f| f.exploited));
    assert_eq!(open_total(&store, a.id).await, 2);
    // The release's own list keeps them all, for the record.
    let of_release = store
        .findings(
            a.id,
            &FindingFilter {
                release_id: Some(release.id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(of_release.len(), 4);
    // A decision on an exploited finding lets it leave too.
    store
        .triage(
            a.id,
            visible[0].id,
            &Decision::status(VexStatus::Fixed, None, "patched"),
            &me(),
            T0 + 30,
        )
        .await
        .unwrap();
    assert_eq!(open(&store, a.id).await.len(), 1);
    let err = store
        .set_release_retirement(a.id, release.id, Some(Retirement::Retired), &me(), T0 + 40)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    // Other organisations see nothing and can change nothing.
    let err = store
        .set_release_retirement(b.id, release.id, None, &me(), T0 + 40)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    store
        .set_release_retirement(a.id, release.id, None, &me(), T0 + 50)
        .await
        .unwrap();
    assert_eq!(open(&store, a.id).await.len(), 4);

    // Archiving a product: gone from the list and the open lists, restorable, audited.
    let cases_before = store.cases(a.id).await.unwrap().len();
    assert!(cases_before > 0, "the exploited finding proposed a case");
    let p = store
        .archive_product(a.id, release.product_id, &me(), T0 + 60)
        .await
        .unwrap();
    assert!(store.products(a.id).await.unwrap().is_empty());
    let archived = store.archived_products(a.id).await.unwrap();
    assert_eq!(archived, vec![(p.clone(), T0 + 60)]);
    assert_eq!(
        store.product_archived_at(a.id, p.id).await.unwrap(),
        Some(T0 + 60)
    );
    assert_eq!(
        open(&store, a.id).await.len(),
        1,
        "the open exploited one stays"
    );
    assert_eq!(store.cases(a.id).await.unwrap().len(), cases_before);
    assert!(
        store.product(a.id, p.id).await.is_ok(),
        "still readable by id"
    );
    assert!(matches!(
        store.archive_product(a.id, p.id, &me(), T0 + 61).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.restore_product(b.id, p.id, &me(), T0 + 61).await,
        Err(StoreError::NotFound { .. })
    ));
    store
        .restore_product(a.id, p.id, &me(), T0 + 70)
        .await
        .unwrap();
    assert_eq!(store.products(a.id).await.unwrap().len(), 1);
    assert_eq!(open(&store, a.id).await.len(), 4);
    let actions: Vec<String> = store
        .audit_events(a.id, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for want in [
        "product.archive",
        "product.restore",
        "release.retire",
        "release.reinstate",
    ] {
        assert!(actions.iter().any(|a| a == want), "{want} in {actions:?}");
    }
}

async fn a_replaced_sbom_is_a_new_version_with_its_difference(store: Store) {
    let (a, release, first) = seeded(&store).await;
    let fs = open(&store, a.id).await;
    let go = fs.iter().find(|f| f.advisory_id == "GO-2023-2102").unwrap();
    store
        .triage(
            a.id,
            go.id,
            &Decision::status(
                VexStatus::NotAffected,
                Some("vulnerable_code_not_in_execute_path"),
                "HTTP/2 server not used",
            ),
            &me(),
            T0 + 20,
        )
        .await
        .unwrap();
    let alerts_before = store.alerts(a.id, 100).await.unwrap().len();
    // The new build drops `regex` (fixing RUSTSEC-2022-0013).
    let (bytes, mut sbom) = router_sbom();
    sbom.components.retain(|c| c.name != "regex");
    let out = store
        .replace_sbom(
            a.id,
            release.id,
            &SbomUpload {
                file_name: "router-2.cdx.json",
                original: &bytes,
                sha256: "01",
                sbom: &sbom,
            },
            &me(),
            T0 + 30,
        )
        .await
        .unwrap();
    assert_eq!(out.findings, 3);
    assert_eq!(out.alerts, 0, "nothing new to announce");
    assert_eq!(store.alerts(a.id, 100).await.unwrap().len(), alerts_before);
    assert_eq!(
        store.release(a.id, release.id).await.unwrap().sbom_id,
        Some(out.sbom_id)
    );
    let st = store.release_state(a.id, release.id).await.unwrap();
    let versions: Vec<(i64, i64, Option<i64>)> = st
        .sbom_versions
        .iter()
        .map(|v| (v.sbom_id, v.version, v.superseded_at))
        .collect();
    assert_eq!(
        versions,
        vec![(first.sbom_id, 1, Some(T0 + 30)), (out.sbom_id, 2, None)]
    );
    // Lists show the current version only; the decision carried over with a history entry.
    let now_open = open(&store, a.id).await;
    assert_eq!(now_open.len(), 3);
    let go2 = now_open
        .iter()
        .find(|f| f.advisory_id == "GO-2023-2102")
        .unwrap();
    assert_ne!(go2.id, go.id);
    assert_eq!(go2.status, VexStatus::NotAffected);
    assert_eq!(
        go2.justification.as_deref(),
        Some("vulnerable_code_not_in_execute_path")
    );
    let h = store.triage_history(a.id, go2.id).await.unwrap();
    assert!(h[0].comment.contains("carried over"), "{h:?}");
    let d = store
        .sbom_diff(a.id, release.id, first.sbom_id, out.sbom_id)
        .await
        .unwrap();
    assert_eq!(d.components_removed.len(), 1);
    assert_eq!(d.components_removed[0].name, "regex");
    assert!(d.components_added.is_empty() && d.components_changed.is_empty());
    assert_eq!(d.components_unchanged, 9);
    assert_eq!(d.findings_resolved.len(), 1);
    assert_eq!(d.findings_resolved[0].advisory_id, "RUSTSEC-2022-0013");
    assert!(d.findings_new.is_empty());
    assert_eq!(d.findings_unchanged, 3);
    // Another organisation's SBOM id is a missing one.
    let b = org(&store, "B").await;
    assert!(matches!(
        store
            .sbom_diff(b.id, release.id, first.sbom_id, out.sbom_id)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    // Replacing the old version again is refused (it is superseded).
    let audit: Vec<String> = store
        .audit_events(a.id, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(audit.iter().any(|x| x == "sbom.replace"), "{audit:?}");
}

async fn policies_apply_per_product_and_violations_alert_once(store: Store) {
    let (a, release, _) = seeded(&store).await;
    let b = org(&store, "B").await;
    let strict = Policy::from_toml("version = 1\n[rules]\nexploited = true\n").unwrap();
    let lax = Policy::from_toml("version = 1").unwrap();
    assert_eq!(
        store
            .effective_policy(a.id, release.product_id)
            .await
            .unwrap(),
        None
    );
    store
        .set_policy(a.id, PolicyScope::Organisation, Some(&strict), &me(), T0)
        .await
        .unwrap();
    let p = store
        .effective_policy(a.id, release.product_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((p.scope, &p.policy), (PolicyScope::Organisation, &strict));
    store
        .set_policy(
            a.id,
            PolicyScope::Product(release.product_id),
            Some(&lax),
            &me(),
            T0,
        )
        .await
        .unwrap();
    let p = store
        .effective_policy(a.id, release.product_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.scope, PolicyScope::Product(release.product_id));
    assert_eq!(store.policies(a.id).await.unwrap().len(), 2);
    // Foreign product ids are missing ones; other organisations have no policy.
    assert!(matches!(
        store
            .set_policy(
                b.id,
                PolicyScope::Product(release.product_id),
                Some(&lax),
                &me(),
                T0
            )
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(store.policies(b.id).await.unwrap().is_empty());
    store
        .set_policy(
            a.id,
            PolicyScope::Product(release.product_id),
            None,
            &me(),
            T0,
        )
        .await
        .unwrap();
    assert_eq!(store.policies(a.id).await.unwrap().len(), 1);

    // The worker's sweep sees the finding alerts of organisations with a policy, once.
    let (rows, next) = store.policy_sweep(0, T0, 100).await.unwrap();
    assert_eq!(
        rows.len(),
        3,
        "three finding alerts of the release: {rows:?}"
    );
    assert!(rows.iter().all(|r| *r == (a.id, release.id)));
    assert_eq!(store.policy_sweep(next, T0, 100).await.unwrap().0, vec![]);
    let (rows, later) = store.policy_sweep(0, T0 + 1000, 100).await.unwrap();
    assert!(rows.is_empty());
    assert_eq!(
        later, next,
        "alerts before `since` are passed over, not re-read"
    );
    let keys = vec!["exploited:1".to_string(), "exploited:2".to_string()];
    let describe = |fresh: &[String]| {
        (
            format!("{} new policy violations", fresh.len()),
            serde_json::json!({"product_id": release.product_id, "release_id": release.id}),
        )
    };
    let first = store
        .raise_policy_alert(a.id, release.id, &keys, describe, T0 + 5)
        .await
        .unwrap();
    assert!(first.is_some());
    let again = store
        .raise_policy_alert(a.id, release.id, &keys, describe, T0 + 6)
        .await
        .unwrap();
    assert_eq!(again, None, "announced once");
    let more = vec!["exploited:2".to_string(), "deny_licenses:7".to_string()];
    let id = store
        .raise_policy_alert(a.id, release.id, &more, describe, T0 + 7)
        .await
        .unwrap()
        .unwrap();
    let alert = store.alert(a.id, id).await.unwrap();
    assert_eq!(alert.kind, cyres_store::AlertKind::PolicyViolation);
    assert_eq!(alert.title, "1 new policy violations");
}

async fn notification_rules_route_alerts(store: Store) {
    let a = org(&store, "A").await;
    let router = store
        .create_product(a.id, &product_input("Router"), &me(), T0)
        .await
        .unwrap();
    let events = vec![cyres_store::RuleEvent::Exploited];
    let all = vec![
        cyres_store::RuleEvent::NewFinding,
        cyres_store::RuleEvent::Exploited,
    ];
    let slack = store
        .create_notify_rule(
            a.id,
            &NewNotifyRule {
                name: "urgent to Slack",
                events: &events,
                product_ids: &[router.id],
                min_severity: None,
                channel: cyres_store::RuleChannel::Slack,
                target: Some("http://127.0.0.1:9/slack"),
                secret: None,
            },
            &me(),
            T0,
        )
        .await
        .unwrap();
    let mail = store
        .create_notify_rule(
            a.id,
            &NewNotifyRule {
                name: "critical mail",
                events: &all,
                product_ids: &[],
                min_severity: Some("critical"),
                channel: cyres_store::RuleChannel::Email,
                target: Some("security@example.com"),
                secret: None,
            },
            &me(),
            T0,
        )
        .await
        .unwrap();
    let err = store
        .create_notify_rule(
            a.id,
            &NewNotifyRule {
                name: "x",
                events: &events,
                product_ids: &[router.id + 1000],
                min_severity: None,
                channel: cyres_store::RuleChannel::Atom,
                target: None,
                secret: None,
            },
            &me(),
            T0,
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("product_ids"), "{err}");
    store
        .upsert_advisories(&example_advisories(), "upload", T0)
        .await
        .unwrap();
    store.upsert_exploitation(&example_kev(), T0).await.unwrap();
    let (_, out) = release_with_sbom(&store, a.id, "Router", "2.4.1").await;
    assert_eq!(out.alerts, 3);
    let deliveries = store.deliveries(a.id, 100).await.unwrap();
    let to = |rule: i64| {
        deliveries
            .iter()
            .filter(|d| d.channel.as_str() == "rule" && d.target_id == Some(rule))
            .count()
    };
    // One urgent alert reaches Slack; the e-mail rule takes over mail: no blanket e-mail.
    assert_eq!(to(slack.id), 1);
    assert!(
        deliveries.iter().all(|d| d.channel.as_str() != "email"),
        "{deliveries:?}"
    );
    let alerts = store.alerts(a.id, 10).await.unwrap();
    let mut critical = 0;
    for al in &alerts {
        let facts = store.alert_facts(al).await.unwrap();
        if facts.severity.as_deref() == Some("critical") {
            critical += 1;
        }
        assert_eq!(facts.product_id, Some(router.id));
    }
    assert_eq!(to(mail.id), critical);
    // Rules are per organisation.
    let b = org(&store, "B").await;
    assert!(store.notify_rules(b.id).await.unwrap().is_empty());
    assert!(matches!(
        store.notify_rule(b.id, slack.id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.delete_notify_rule(b.id, slack.id, &me(), T0).await,
        Err(StoreError::NotFound { .. })
    ));
    store
        .delete_notify_rule(a.id, slack.id, &me(), T0)
        .await
        .unwrap();
    assert_eq!(store.notify_rules(a.id).await.unwrap(), vec![mail]);
}
