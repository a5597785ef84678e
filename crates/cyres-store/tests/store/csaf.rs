//! CSAF revisions and signing keys (issue 18 point 3, migration 0025), on both engines: the state machine draft → reviewed → published, the
//! immutability of a published row, superseded drafts, tenant scoping, one key per
//! organisation.

use super::*;

both!(
    csaf_revisions_publish_once_and_never_change,
    csaf_state_words_round_trip_and_unknown_ones_are_corrupt,
);

fn draft(tracking_id: &str, body: &str) -> NewCsafRevision {
    NewCsafRevision {
        tracking_id: tracking_id.into(),
        profile: "csaf_security_advisory".into(),
        tlp: "WHITE".into(),
        title: "Router: debug shell".into(),
        case_id: None,
        release_id: None,
        version: "0.1.0".into(),
        input: serde_json::json!({"draft": body}),
        body: body.into(),
        change_summary: "Initial version.".into(),
        proposal: None,
    }
}

async fn csaf_revisions_publish_once_and_never_change(store: Store) {
    let acme = org(&store, "Acme").await;
    let other = org(&store, "Other").await;
    let r1 = store
        .add_csaf_draft(acme.id, &draft("ACME-SA-1", "{\"v\":1}"), &me(), T0)
        .await
        .unwrap();
    assert_eq!((r1.revision, r1.state.as_str()), (1, "draft"));
    // Publishing skips no step.
    let e = store
        .publish_csaf_revision(
            acme.id,
            r1.id,
            &CsafPublication {
                body: "{}",
                version: "1.0.0",
                input: &serde_json::json!({}),
            },
            &me(),
            T0,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Conflict(ref m) if m.message.contains("draft, not reviewed")),
        "{e}"
    );
    // Another organisation sees nothing and changes nothing.
    assert!(store.csaf_revision(other.id, r1.id).await.is_err());
    assert!(
        store
            .review_csaf_revision(other.id, r1.id, &me(), T0)
            .await
            .is_err()
    );
    store
        .review_csaf_revision(acme.id, r1.id, &me(), T0 + 1)
        .await
        .unwrap();
    let p = store
        .publish_csaf_revision(
            acme.id,
            r1.id,
            &CsafPublication {
                body: "{\"final\":1}",
                version: "1.0.0",
                input: &serde_json::json!({"final": true}),
            },
            &me(),
            T0 + 2,
        )
        .await
        .unwrap();
    assert_eq!(
        (p.state.as_str(), p.version.as_str()),
        ("published", "1.0.0")
    );
    assert_eq!(p.body, "{\"final\":1}");
    // A published row never changes again.
    for _ in 0..2 {
        let e = store
            .publish_csaf_revision(
                acme.id,
                r1.id,
                &CsafPublication {
                    body: "{\"x\":1}",
                    version: "9.9.9",
                    input: &serde_json::json!({}),
                },
                &me(),
                T0 + 3,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(e, StoreError::Conflict(ref m) if m.message.contains("cannot change")),
            "{e}"
        );
        assert!(
            store
                .review_csaf_revision(acme.id, r1.id, &me(), T0 + 3)
                .await
                .is_err()
        );
    }
    assert_eq!(store.csaf_revision(acme.id, r1.id).await.unwrap(), p);
    // A correction is a new revision; a newer draft supersedes an unpublished one.
    let r2 = store
        .add_csaf_draft(acme.id, &draft("ACME-SA-1", "{\"v\":2}"), &me(), T0 + 4)
        .await
        .unwrap();
    let r3 = store
        .add_csaf_draft(acme.id, &draft("ACME-SA-1", "{\"v\":3}"), &me(), T0 + 5)
        .await
        .unwrap();
    assert_eq!((r2.revision, r3.revision), (2, 3));
    assert_eq!(
        store.csaf_revision(acme.id, r2.id).await.unwrap().state,
        CsafState::Superseded
    );
    assert_eq!(
        store.csaf_revision(acme.id, r1.id).await.unwrap(),
        p,
        "untouched"
    );
    // What the provider serves: the latest published revision of each document.
    store
        .review_csaf_revision(acme.id, r3.id, &me(), T0 + 6)
        .await
        .unwrap();
    store
        .publish_csaf_revision(
            acme.id,
            r3.id,
            &CsafPublication {
                body: "{\"final\":3}",
                version: "1.1.0",
                input: &serde_json::json!({}),
            },
            &me(),
            T0 + 7,
        )
        .await
        .unwrap();
    let served = store.csaf_published(acme.id).await.unwrap();
    assert_eq!(served.len(), 1);
    assert_eq!(served[0].body, "{\"final\":3}");
    assert_eq!(
        store
            .csaf_published_history(acme.id, "ACME-SA-1")
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(store.csaf_published(other.id).await.unwrap().is_empty());

    // One signing key per organisation: the first stored wins.
    let key = |fp: &str| CsafSigningKey {
        fingerprint: fp.into(),
        public_key: "-----BEGIN PGP PUBLIC KEY BLOCK-----".into(),
        sealed_secret: "enc:v1:0000:AAAA".into(),
        created_at: T0,
    };
    assert!(store.csaf_signing_key(acme.id).await.unwrap().is_none());
    let k1 = store
        .add_csaf_signing_key(acme.id, &key("A1"), &me(), T0)
        .await
        .unwrap();
    let k2 = store
        .add_csaf_signing_key(acme.id, &key("B2"), &me(), T0)
        .await
        .unwrap();
    assert_eq!(
        (k1.fingerprint.as_str(), k2.fingerprint.as_str()),
        ("A1", "A1")
    );
    assert!(store.csaf_signing_key(other.id).await.unwrap().is_none());
}

async fn csaf_state_words_round_trip_and_unknown_ones_are_corrupt(store: Store) {
    let acme = org(&store, "Acme").await;
    let r = store
        .add_csaf_draft(acme.id, &draft("ACME-SA-9", "{}"), &me(), T0)
        .await
        .unwrap();
    assert_eq!(r.state, CsafState::Draft);
    let read = || async {
        store
            .csaf_revision(acme.id, r.id)
            .await
            .map(|rev| rev.state)
    };
    stored_words(
        &store,
        ("csaf_revision", "state", r.id),
        CsafState::ALL,
        read,
    )
    .await;
}
