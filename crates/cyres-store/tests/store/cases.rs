//! Art. 14 cases and received reports (`src/cases.rs`).

use super::*;

both!(report_facts_are_read_in_batches);

async fn report_facts_are_read_in_batches(store: Store) {
    let sender = org(&store, "Maker").await;
    let mut stored = Vec::new();
    for i in 0..7 {
        // Every third report carries no facts; one fact holds a newline inside a string.
        let facts =
            (i % 3 != 2).then(|| serde_json::json!({"id": format!("case-{i}"), "note": "a\nb"}));
        let (row, new) = store
            .receive_report(
                &format!("key-{i}"),
                sender.id,
                "Maker",
                Some("DE"),
                cyres_cra::StageKind::EarlyWarning,
                &serde_json::json!({"n": i}),
                facts.as_ref(),
                T0 + i,
            )
            .await
            .unwrap();
        assert!(new);
        if let Some(f) = facts {
            stored.push((row.id, f));
        }
    }
    let mut read = Vec::new();
    let mut after = 0;
    loop {
        let batch = store.report_facts_after(after, 2).await.unwrap();
        if batch.is_empty() {
            break;
        }
        assert!(batch.len() <= 2);
        after = batch.last().unwrap().0;
        read.extend(batch);
    }
    let read: Vec<(i64, serde_json::Value)> = read
        .into_iter()
        .map(|(id, text)| (id, serde_json::from_str(&text).unwrap()))
        .collect();
    assert_eq!(read, stored);
    assert_eq!(read[0].1["note"], "a\nb");
}
