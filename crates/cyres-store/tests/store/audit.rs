//! The audit trail and its hash chain (`src/audit.rs`).

use super::*;

both!(
    audit_chain_names_the_edited_row,
    audit_chain_detects_deleted_and_inserted_rows,
    audit_chain_survives_concurrent_writers,
    audit_rows_from_before_the_chain_are_chained,
);

/// Runs one SQL statement straight on the database, as someone with database access would.
async fn raw_sql(store: &Store, sql: &'static str, args: &[&str]) -> u64 {
    let pool = store.raw_pool();
    let mut q = sqlx::query(sql);
    for a in args {
        q = match a.parse::<i64>() {
            Ok(n) => q.bind(n),
            Err(_) => q.bind(a.to_string()),
        };
    }
    q.execute(&pool).await.unwrap().rows_affected()
}

async fn audit_chain_names_the_edited_row(store: Store) {
    let a = org(&store, "A").await;
    let b = org(&store, "B").await;
    products(&store, a.id, 5).await;
    products(&store, b.id, 2).await;
    let v = store.verify_audit_chain().await.unwrap();
    assert!(v.intact(), "{v:?}");
    let events_a = chain_of(&v, Some(a.id)).events;
    assert!(events_a >= 5, "{v:?}");
    // Someone with database access rewrites what one event says.
    let events = store.audit_events(a.id, 100).await.unwrap();
    let target = events[2].id;
    let n = raw_sql(
        &store,
        "UPDATE audit_event SET details = $1 WHERE id = $2",
        &[r#"{"name":"forged"}"#, &target.to_string()],
    )
    .await;
    assert_eq!(n, 1);
    let v = store.verify_audit_chain().await.unwrap();
    assert!(!v.intact());
    let broken = v.broken();
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert_eq!(
        (broken[0].org_id, broken[0].event_id),
        (Some(a.id), Some(target)),
        "{broken:?}"
    );
    assert!(
        broken[0].problem.contains("changed after it was written"),
        "{}",
        broken[0].problem
    );
    assert!(chain_of(&v, Some(b.id)).broken.is_none(), "B untouched");
    // The actor column is covered too (a different row of B).
    let target_b = store.audit_events(b.id, 1).await.unwrap()[0].id;
    raw_sql(
        &store,
        "UPDATE audit_event SET actor = $1 WHERE id = $2",
        &["someone else", &target_b.to_string()],
    )
    .await;
    let v = store.verify_audit_chain().await.unwrap();
    let bb = chain_of(&v, Some(b.id)).broken.clone().unwrap();
    assert_eq!(bb.event_id, Some(target_b));
}

async fn audit_chain_detects_deleted_and_inserted_rows(store: Store) {
    let a = org(&store, "A").await;
    let b = org(&store, "B").await;
    let c = org(&store, "C").await;
    products(&store, a.id, 4).await;
    products(&store, b.id, 4).await;
    products(&store, c.id, 1).await;
    assert!(store.verify_audit_chain().await.unwrap().intact());
    // A: an event in the middle deleted; the next one is named.
    let ev_a = store.audit_events(a.id, 100).await.unwrap(); // newest first
    let (gone, next) = (ev_a[2].id, ev_a[1].id);
    raw_sql(
        &store,
        "DELETE FROM audit_event WHERE id = $1",
        &[&gone.to_string()],
    )
    .await;
    // B: the newest event deleted; the chain head still remembers it.
    let ev_b = store.audit_events(b.id, 100).await.unwrap();
    raw_sql(
        &store,
        "DELETE FROM audit_event WHERE id = $1",
        &[&ev_b[0].id.to_string()],
    )
    .await;
    // C: an event slipped in around the store.
    raw_sql(
        &store,
        "INSERT INTO audit_event (org_id, actor, action, target_kind, target_id, details, at) \
         VALUES ($1, 'ghost', 'product.delete', 'product', '1', '{}', 1)",
        &[&c.id.to_string()],
    )
    .await;
    let v = store.verify_audit_chain().await.unwrap();
    let ba = chain_of(&v, Some(a.id)).broken.clone().unwrap();
    assert_eq!(ba.event_id, Some(next), "{ba:?}");
    assert!(ba.problem.contains("deleted"), "{}", ba.problem);
    let bb = chain_of(&v, Some(b.id)).broken.clone().unwrap();
    assert_eq!(bb.event_id, Some(ev_b[0].id), "{bb:?}");
    assert!(
        bb.problem.contains("at the end were deleted"),
        "{}",
        bb.problem
    );
    assert!(chain_of(&v, Some(c.id)).broken.is_none());
    assert_eq!(v.unchained.len(), 1, "{v:?}");
    assert_eq!(v.unchained[0].org_id, Some(c.id));
    // The chaining done at start does not launder the inserted row into the chain.
    assert_eq!(store.chain_legacy_audit_events().await.unwrap(), 0);
    let v = store.verify_audit_chain().await.unwrap();
    assert_eq!(v.broken().len(), 3, "{v:?}");
}

async fn audit_chain_survives_concurrent_writers(store: Store) {
    let a = org(&store, "A").await;
    let before = chain_of(&store.verify_audit_chain().await.unwrap(), Some(a.id)).events;
    let mut tasks = Vec::new();
    for i in 0..24 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .create_product(a.id, &product_input(&format!("C{i}")), &me(), T0 + i)
                .await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let v = store.verify_audit_chain().await.unwrap();
    assert!(v.intact(), "{v:?}");
    assert_eq!(
        chain_of(&v, Some(a.id)).events,
        before + 24,
        "no fork, no loss"
    );
}

async fn audit_rows_from_before_the_chain_are_chained(store: Store) {
    let a = org(&store, "A").await;
    products(&store, a.id, 2).await;
    // Rows as an older version wrote them (no chain columns), below the migration's mark.
    for at in [10, 11, 12] {
        raw_sql(
            &store,
            "INSERT INTO audit_event (org_id, actor, action, target_kind, target_id, details, at) \
             VALUES ($1, 'old', 'product.create', 'product', '9', '{}', $2)",
            &[&a.id.to_string(), &at.to_string()],
        )
        .await;
    }
    raw_sql(&store, "INSERT INTO audit_event (org_id, actor, action, target_kind, target_id, details, at) VALUES (NULL, 'old', 'setup', 'platform', '-', '{}', 1)", &[]).await;
    raw_sql(
        &store,
        "UPDATE audit_chain_backfill SET up_to_id = 1000000",
        &[],
    )
    .await;
    assert!(!store.verify_audit_chain().await.unwrap().intact());
    assert_eq!(store.chain_legacy_audit_events().await.unwrap(), 4);
    assert_eq!(store.chain_legacy_audit_events().await.unwrap(), 0, "once");
    let v = store.verify_audit_chain().await.unwrap();
    assert!(v.intact(), "{v:?}");
    assert_eq!(chain_of(&v, None).events, 1);
    // Later events continue the chain.
    products(&store, a.id, 1).await;
    assert!(store.verify_audit_chain().await.unwrap().intact());
}
