//! The compliance file: documents, uploads, declarations (`src/conformity.rs`).

use super::*;

both!(compliance_file_is_versioned_immutable_and_retained);

/// The compliance file (migration 0020): versioned record and risk documents, immutable
/// uploads with their SHA-256 and a size bound, issued declarations that never change, and
/// deletion refused through the Art. 13(13) retention date; all scoped by organisation.
async fn compliance_file_is_versioned_immutable_and_retained(store: Store) {
    use time::macros::date;
    let a = org(&store, "A").await;
    let b = org(&store, "B").await;
    let p = store
        .create_product(a.id, &product_input("Router"), &me(), T0)
        .await
        .unwrap();
    let kind = ConformityDocKind::Record;
    assert!(
        store
            .conformity_doc(a.id, p.id, kind)
            .await
            .unwrap()
            .is_none()
    );
    let v1 = serde_json::json!({ "release": "1.0" });
    let v2 = serde_json::json!({ "release": "1.1" });
    assert_eq!(
        store
            .save_conformity_doc(a.id, p.id, kind, &v1, &me(), T0)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .save_conformity_doc(a.id, p.id, kind, &v2, &me(), T0 + 5)
            .await
            .unwrap(),
        2
    );
    let risk = ConformityDocKind::Risk;
    assert_eq!(
        store
            .save_conformity_doc(a.id, p.id, risk, &v1, &me(), T0)
            .await
            .unwrap(),
        1
    );
    let versions = store
        .conformity_doc_versions(a.id, p.id, kind)
        .await
        .unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(
        (versions[0].body.clone(), versions[0].created_at),
        (v1.clone(), T0)
    );
    assert_eq!(versions[1].author, "user:1 (alice@example.com)");
    assert_eq!(
        store
            .conformity_doc(a.id, p.id, kind)
            .await
            .unwrap()
            .unwrap()
            .body,
        v2
    );
    // Another organisation sees no product, and cannot write to it.
    assert!(matches!(
        store.conformity_doc(b.id, p.id, kind).await.unwrap_err(),
        StoreError::NotFound { .. }
    ));
    assert!(
        store
            .save_conformity_doc(b.id, p.id, kind, &v1, &me(), T0)
            .await
            .is_err()
    );
    // Uploads: versions per id, SHA-256 of the bytes, size bounded.
    let up = |content: &'static [u8]| NewUpload {
        doc_key: "pentest-2028",
        title: "Penetration test",
        kind: "penetration-test",
        file_name: "pentest.pdf",
        content,
    };
    let first = store
        .add_conformity_upload(a.id, p.id, up(b"abc"), 16, &me(), T0)
        .await
        .unwrap();
    assert_eq!(
        (first.version, first.sha256.as_str(), first.size),
        (
            1,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            3
        )
    );
    let second = store
        .add_conformity_upload(a.id, p.id, up(b"abcd"), 16, &me(), T0)
        .await
        .unwrap();
    assert_eq!(second.version, 2);
    let big = store
        .add_conformity_upload(a.id, p.id, up(&[7; 17]), 16, &me(), T0)
        .await
        .unwrap_err();
    assert!(big.to_string().contains("1 to 16 bytes"), "{big}");
    let empty = store
        .add_conformity_upload(a.id, p.id, up(b""), 16, &me(), T0)
        .await;
    assert!(empty.is_err());
    let bad_key = NewUpload {
        doc_key: "../x",
        ..up(b"x")
    };
    assert!(
        store
            .add_conformity_upload(a.id, p.id, bad_key, 16, &me(), T0)
            .await
            .is_err()
    );
    let (meta, bytes) = store
        .conformity_upload_content(a.id, p.id, "pentest-2028", 1)
        .await
        .unwrap();
    assert_eq!((meta, bytes), (first.clone(), b"abc".to_vec()));
    assert!(
        store
            .conformity_upload_content(b.id, p.id, "pentest-2028", 1)
            .await
            .is_err()
    );
    assert_eq!(store.conformity_uploads(a.id, p.id).await.unwrap().len(), 2);
    assert!(store.conformity_uploads(b.id, p.id).await.is_err());
    // Retention (Art. 13(13)) counts from the stored placing: with none, and while units are
    // still being placed, nothing is deleted however late; support ends 2031-12-31.
    let placing = |first, last| cyres_conformity::Placing { first, last };
    let pentest = UploadVersion {
        product_id: p.id,
        doc_key: "pentest-2028",
        version: 1,
    };
    let far = date!(2099 - 01 - 01);
    for (first, last) in [(None, None), (Some(date!(2026 - 03 - 01)), None)] {
        if first.is_some() {
            store
                .set_product_placing(a.id, p.id, placing(first, last), &me(), T0)
                .await
                .unwrap();
        }
        let kept = store
            .delete_conformity_upload(a.id, &pentest, far, &me(), T0)
            .await
            .unwrap_err();
        assert!(kept.to_string().contains("no end"), "{kept}");
    }
    // A last unit before the first is refused; another organisation cannot set it.
    let bad = placing(Some(date!(2026 - 03 - 01)), Some(date!(2026 - 01 - 01)));
    assert!(matches!(
        store.set_product_placing(a.id, p.id, bad, &me(), T0).await,
        Err(StoreError::Invalid(_))
    ));
    let done = placing(Some(date!(2026 - 03 - 01)), Some(date!(2028 - 03 - 01)));
    assert!(
        store
            .set_product_placing(b.id, p.id, done, &me(), T0)
            .await
            .is_err()
    );
    let stored = store
        .set_product_placing(a.id, p.id, done, &me(), T0 + 9)
        .await
        .unwrap();
    assert_eq!((stored.placing, stored.updated_at), (done, Some(T0 + 9)));
    assert_eq!(
        store.product_placing(a.id, p.id).await.unwrap().placing,
        done
    );
    // Ten years from the last unit: refused through 2038-03-01, allowed the day after.
    let until = date!(2038 - 03 - 01);
    assert_eq!(
        store
            .conformity_retention(a.id, p.id)
            .await
            .unwrap()
            .until(),
        Some(until)
    );
    let kept = store
        .delete_conformity_upload(a.id, &pentest, until, &me(), T0)
        .await
        .unwrap_err();
    assert!(kept.to_string().contains("kept until 2038-03-01"), "{kept}");
    assert_eq!(store.conformity_uploads(a.id, p.id).await.unwrap().len(), 2);
    store
        .delete_conformity_upload(a.id, &pentest, date!(2038 - 03 - 02), &me(), T0)
        .await
        .unwrap();
    assert_eq!(store.conformity_uploads(a.id, p.id).await.unwrap().len(), 1);
    // Declarations: immutable versions.
    let body = serde_json::json!({ "version": 1, "fingerprint": "f1" });
    store
        .add_conformity_declaration(a.id, p.id, (1, "f1"), &body, &me(), T0)
        .await
        .unwrap();
    let again = store
        .add_conformity_declaration(a.id, p.id, (1, "f2"), &body, &me(), T0)
        .await
        .unwrap_err();
    assert!(matches!(again, StoreError::Conflict(_)), "{again}");
    let stored = store.conformity_declaration(a.id, p.id, 1).await.unwrap();
    assert_eq!((stored.fingerprint.as_str(), stored.body), ("f1", body));
    assert!(store.conformity_declaration(b.id, p.id, 1).await.is_err());
    assert!(
        store
            .add_conformity_declaration(b.id, p.id, (2, "f"), &v1, &me(), T0)
            .await
            .is_err()
    );
    let kept = store
        .delete_conformity_declaration(a.id, p.id, 1, date!(2030 - 01 - 01), &me(), T0)
        .await;
    assert!(kept.is_err());
    assert_eq!(
        store
            .conformity_declarations(a.id, p.id)
            .await
            .unwrap()
            .len(),
        1
    );
    // Every write left its audit event, and the chain holds.
    let v = store.verify_audit_chain().await.unwrap();
    assert!(v.intact(), "{v:?}");
    assert!(chain_of(&v, Some(a.id)).events >= 10, "{v:?}");
}
