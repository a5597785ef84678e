//! Outbox and task leases (`src/lease.rs`).

use super::*;

both!(
    outbox_leases_hand_each_row_to_one_worker,
    task_leases_are_exclusive_until_released,
);

async fn outbox_leases_hand_each_row_to_one_worker(store: Store) {
    let a = org(&store, "A").await;
    store
        .create_webhook(a.id, "http://127.0.0.1:9/x", "k", &me(), T0)
        .await
        .unwrap();
    for i in 0..30 {
        store
            .create_alert(
                a.id,
                cyres_store::AlertKind::Test,
                false,
                &format!("alert {i}"),
                &serde_json::json!({}),
                T0,
            )
            .await
            .unwrap();
    }
    // Four workers claim concurrently: every row goes to exactly one of them.
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let batch = store.claim_deliveries(T0 + 10, 60, 7).await.unwrap();
                if batch.is_empty() {
                    return mine;
                }
                mine.extend(batch.into_iter().map(|d| d.id));
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let distinct: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(all.len(), 60, "30 webhook + 30 e-mail deliveries");
    assert_eq!(distinct.len(), 60, "no row claimed twice");
    assert!(
        store
            .claim_deliveries(T0 + 69, 60, 100)
            .await
            .unwrap()
            .is_empty(),
        "leased"
    );
    assert!(store.due_deliveries(T0 + 69, 100).await.unwrap().is_empty());
    // The workers died: after the lease every row is due again, oldest first.
    let again = store.claim_deliveries(T0 + 70, 60, 100).await.unwrap();
    assert_eq!(again.len(), 60);
    assert!(again.windows(2).all(|w| w[0].id < w[1].id));
    // A recorded attempt clears the lease: a retry is due at its own time.
    store
        .record_delivery_attempt(again[0].id, false, Some(503), None, Some(T0 + 75), T0 + 71)
        .await
        .unwrap();
    store
        .skip_delivery(again[1].id, "e-mail is not configured")
        .await
        .unwrap();
    let retry = store.claim_deliveries(T0 + 75, 60, 100).await.unwrap();
    assert_eq!(
        retry.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![again[0].id]
    );

    // Report submissions: the same.
    let case = manual_case(&store, a.id, cyres_cra::CaseKind::Incident, "c").await;
    for (i, stage) in [
        cyres_cra::StageKind::EarlyWarning,
        cyres_cra::StageKind::Notification,
    ]
    .into_iter()
    .enumerate()
    {
        store
            .queue_submission(
                a.id,
                &NewSubmission {
                    case_id: case.id,
                    stage,
                    revision: 1,
                    key: &format!("k{i}"),
                    pack: &serde_json::json!({}),
                    deliver: true,
                },
                &me(),
                T0,
            )
            .await
            .unwrap();
    }
    let first = store.claim_submissions(T0, 30, 1).await.unwrap();
    let second = store.claim_submissions(T0, 30, 10).await.unwrap();
    assert_eq!((first.len(), second.len()), (1, 1));
    assert_ne!(first[0].id, second[0].id);
    assert!(
        store
            .claim_submissions(T0 + 29, 30, 10)
            .await
            .unwrap()
            .is_empty()
    );
    store
        .record_submission_attempt(first[0].id, Some(("R-1", T0)), None, T0)
        .await
        .unwrap();
    let after = store.claim_submissions(T0 + 30, 30, 10).await.unwrap();
    assert_eq!(
        after.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![second[0].id]
    );
}

async fn task_leases_are_exclusive_until_released(store: Store) {
    assert!(store.claim_task("sync:kev", T0, 60).await.unwrap());
    assert!(!store.claim_task("sync:kev", T0 + 59, 60).await.unwrap());
    assert!(
        store.claim_task("sync:osv", T0, 60).await.unwrap(),
        "names are separate"
    );
    store.release_task("sync:kev", T0 + 10).await.unwrap();
    assert!(!store.claim_task("sync:kev", T0 + 9, 60).await.unwrap());
    assert!(store.claim_task("sync:kev", T0 + 10, 60).await.unwrap());
    // A holder that died loses the task when its lease runs out.
    assert!(store.claim_task("sync:osv", T0 + 60, 60).await.unwrap());
}
