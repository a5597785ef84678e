//! Art. 14 cases and received reports (`src/cases.rs`).

use super::*;

both!(
    report_facts_are_read_in_batches,
    authority_action_kinds_round_trip_and_unknown_ones_are_corrupt,
    case_state_words_round_trip_and_unknown_ones_are_corrupt,
);

async fn report_facts_are_read_in_batches(store: Store) {
    let sender = org(&store, "Maker").await;
    let mut stored = Vec::new();
    for i in 0..7 {
        // Every third report carries no facts; one fact holds a newline inside a string.
        let facts =
            (i % 3 != 2).then(|| serde_json::json!({"id": format!("case-{i}"), "note": "a\nb"}));
        let (row, new) = store
            .receive_report(
                &IncomingReport {
                    key: &format!("key-{i}"),
                    sender_org_id: sender.id,
                    sender: "Maker",
                    coordinator: Some("DE"),
                    stage: cyres_cra::StageKind::EarlyWarning,
                    pack: &serde_json::json!({"n": i}),
                    facts: facts.as_ref(),
                },
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

async fn authority_action_kinds_round_trip_and_unknown_ones_are_corrupt(store: Store) {
    let sender = org(&store, "Maker").await;
    let csirt = org(&store, "CSIRT DE").await;
    let (report, _) = store
        .receive_report(
            &IncomingReport {
                key: "key-kinds",
                sender_org_id: sender.id,
                sender: "Maker",
                coordinator: Some("DE"),
                stage: cyres_cra::StageKind::EarlyWarning,
                pack: &serde_json::json!({}),
                facts: None,
            },
            T0,
        )
        .await
        .unwrap();
    let action = store
        .add_authority_action(
            report.id,
            AuthorityActionKind::IntermediateRequest,
            &serde_json::json!({"note": "by Friday"}),
            csirt.id,
            &me(),
            T0 + 1,
        )
        .await
        .unwrap();
    assert_eq!(action.kind, AuthorityActionKind::IntermediateRequest);
    // The sender's poll and ENISA's reading select by the stored word.
    let polled = store
        .actions_for_sender(sender.id, AuthorityActionKind::IntermediateRequest, 0)
        .await
        .unwrap();
    assert_eq!(polled.len(), 1);
    assert_eq!(polled[0].1, "key-kinds");
    assert!(
        store
            .actions_of_kind(AuthorityActionKind::Decision)
            .await
            .unwrap()
            .is_empty()
    );
    let read = || async {
        let mut all = store.authority_actions(report.id).await?;
        Ok(all.remove(0).kind)
    };
    stored_words(
        &store,
        ("authority_action", "kind", action.id),
        AuthorityActionKind::ALL,
        read,
    )
    .await;
}

async fn case_state_words_round_trip_and_unknown_ones_are_corrupt(store: Store) {
    let acme = org(&store, "Acme").await;
    let case = manual_case(&store, acme.id, cyres_cra::CaseKind::Incident, "Intrusion").await;
    assert_eq!(case.state, CaseState::Open);
    let read = || async { store.case(acme.id, case.id).await.map(|c| c.state) };
    stored_words(
        &store,
        ("report_case", "state", case.id),
        CaseState::ALL,
        read,
    )
    .await;
}
