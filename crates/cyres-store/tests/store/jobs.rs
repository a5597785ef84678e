//! Background jobs (`src/jobs.rs`).

use super::*;

both!(jobs_are_leased_and_resumed);

async fn jobs_are_leased_and_resumed(store: Store) {
    let id = store
        .enqueue_job(
            &cyres_store::Job::Rematch {
                keys: ["PyPI/django".to_string()].into(),
                ids: None,
            },
            T0,
            T0,
        )
        .await
        .unwrap();
    assert!(
        store.claim_job(T0 - 1, 60).await.unwrap().is_none(),
        "not due yet"
    );
    let j = store.claim_job(T0, 60).await.unwrap().unwrap();
    assert_eq!((j.id, j.attempts), (id, 1));
    assert_eq!(
        j.job,
        cyres_store::Job::Rematch {
            keys: ["PyPI/django".to_string()].into(),
            ids: None
        },
        "the job reads back as it was queued"
    );
    assert!(
        store.claim_job(T0 + 30, 60).await.unwrap().is_none(),
        "leased"
    );
    // The worker died: after the lease the job is handed out again.
    let j2 = store.claim_job(T0 + 61, 60).await.unwrap().unwrap();
    assert_eq!((j2.id, j2.attempts), (id, 2));
    store.fail_job(id, "boom", Some(T0 + 200)).await.unwrap();
    assert_eq!(store.pending_job_count().await.unwrap(), 1);
    let j3 = store.claim_job(T0 + 200, 60).await.unwrap().unwrap();
    store.finish_job(j3.id).await.unwrap();
    assert_eq!(store.pending_job_count().await.unwrap(), 0);
    assert!(store.claim_job(T0 + 10_000, 60).await.unwrap().is_none());
    // A row no release can read (a newer kind, a payload that does not fit) is failed with the
    // reason, never handed out; the next readable job is claimed in its place.
    {
        use sqlx::Executor;
        let pool = store_pool(&store).await;
        pool.execute(
            "INSERT INTO job (kind, payload, state, attempts, run_at, created_at) VALUES \
             ('reindex', '{}', 'pending', 0, 1, 1), ('exploited', '{\"cves\": 7}', 'pending', 0, 1, 1)",
        )
        .await
        .unwrap();
    }
    let good = cyres_store::Job::Exploited {
        cves: vec!["CVE-2024-0001".into()],
    };
    store.enqueue_job(&good, T0, T0).await.unwrap();
    let j4 = store.claim_job(T0 + 20_000, 60).await.unwrap().unwrap();
    assert_eq!(j4.job, good);
    store.finish_job(j4.id).await.unwrap();
    assert_eq!(
        store.pending_job_count().await.unwrap(),
        0,
        "the unreadable rows were failed"
    );
}
