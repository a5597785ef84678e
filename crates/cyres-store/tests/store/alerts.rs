//! Alerts and their delivery outbox (`src/alerts.rs`).

use super::*;

both!(delivery_outbox_records_attempts);

async fn delivery_outbox_records_attempts(store: Store) {
    let a = org(&store, "A").await;
    let b = org(&store, "B").await;
    let hook = store
        .create_webhook(a.id, "http://127.0.0.1:9/x", "k", &me(), T0)
        .await
        .unwrap();
    assert!(
        store
            .create_webhook(a.id, "ftp://x", "k", &me(), T0)
            .await
            .is_err()
    );
    store
        .upsert_advisories(&example_advisories(), "osv", T0)
        .await
        .unwrap();
    release_with_sbom(&store, a.id, "Router", "1").await;
    let due = store.due_deliveries(T0 + 10, 100).await.unwrap();
    let d = due
        .iter()
        .find(|d| d.channel.as_str() == "webhook")
        .unwrap()
        .clone();
    assert_eq!(d.target_id, Some(hook.id));
    store
        .record_delivery_attempt(
            d.id,
            false,
            Some(503),
            Some("service unavailable"),
            Some(T0 + 70),
            T0 + 10,
        )
        .await
        .unwrap();
    assert!(
        !store
            .due_deliveries(T0 + 69, 100)
            .await
            .unwrap()
            .iter()
            .any(|x| x.id == d.id)
    );
    store
        .record_delivery_attempt(d.id, true, Some(204), None, None, T0 + 70)
        .await
        .unwrap();
    let log = store.deliveries(a.id, 100).await.unwrap();
    let mine = log.iter().find(|x| x.id == d.id).unwrap();
    assert_eq!(
        (mine.state.as_str(), mine.attempts, mine.last_status),
        ("delivered", 2, Some(204))
    );
    assert!(store.deliveries(b.id, 100).await.unwrap().is_empty());
    assert!(
        store
            .delete_webhook(b.id, hook.id, &me(), T0)
            .await
            .is_err()
    );
    store
        .delete_webhook(a.id, hook.id, &me(), T0)
        .await
        .unwrap();
    assert!(store.webhooks(a.id).await.unwrap().is_empty());
}
