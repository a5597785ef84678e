//! Security notices published to subscribers (`src/notices.rs`).

use super::*;

both!(notices_publish_to_subscribers);

async fn notices_publish_to_subscribers(store: Store) {
    let acme = org(&store, "Acme").await;
    let other = org(&store, "Other").await;
    let p = store
        .create_product(acme.id, &product_input("AX3000"), &me(), T0)
        .await
        .unwrap();
    let case = manual_case(
        &store,
        acme.id,
        cyres_cra::CaseKind::Vulnerability,
        "Exploited",
    )
    .await;
    let new = |channel: &str, address, secret, token| NewSubscriber {
        channel: channel.parse().unwrap(),
        address,
        secret,
        label: "customer",
        unsubscribe_token: token,
    };
    // Addresses are checked per channel; a webhook needs its secret.
    for bad in [
        new("email", "no-at-sign", None, "t0"),
        new("email", "a@b.org\r\nBcc: x@y.org", None, "t0"),
        new("webhook", "ftp://x.example/hook", Some("s"), "t0"),
        new("webhook", "https://x.example/hook", None, "t0"),
    ] {
        let e = store
            .create_subscriber(acme.id, p.id, &bad, &me(), T0)
            .await;
        assert!(matches!(e, Err(StoreError::Invalid(_))), "{bad:?}: {e:?}");
    }
    let mail = store
        .create_subscriber(
            acme.id,
            p.id,
            &new("email", " psirt@customer.example ", None, "tok-mail"),
            &me(),
            T0,
        )
        .await
        .unwrap();
    assert_eq!(mail.address, "psirt@customer.example");
    let hook = store
        .create_subscriber(
            acme.id,
            p.id,
            &new(
                "webhook",
                "https://hooks.customer.example/n",
                Some("sekret"),
                "tok-hook",
            ),
            &me(),
            T0,
        )
        .await
        .unwrap();
    assert_eq!(hook.secret.as_deref(), Some("sekret"));
    assert!(
        !serde_json::to_string(&hook).unwrap().contains("sekret"),
        "the secret is never serialised"
    );
    let dup = store
        .create_subscriber(
            acme.id,
            p.id,
            &new("email", "psirt@customer.example", None, "tok-3"),
            &me(),
            T0,
        )
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    // Another organisation sees nothing of the product.
    assert!(matches!(
        store
            .create_subscriber(
                other.id,
                p.id,
                &new("email", "x@y.example", None, "tok-4"),
                &me(),
                T0
            )
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.subscribers(other.id, p.id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(store.subscribers(acme.id, p.id).await.unwrap().len(), 2);

    // The feed slug is created once and then stays.
    let feed = store
        .notice_feed(acme.id, p.id, "slug-one", T0)
        .await
        .unwrap();
    let again = store
        .notice_feed(acme.id, p.id, "slug-two", T0 + 1)
        .await
        .unwrap();
    assert_eq!(
        (feed.slug.as_str(), again.slug.as_str()),
        ("slug-one", "slug-one")
    );
    assert_eq!(
        store
            .notice_feed_by_slug("slug-one")
            .await
            .unwrap()
            .product_id,
        p.id
    );
    assert!(store.notice_feed_by_slug("slug-two").await.is_err());
    assert!(
        store
            .notice_feed(other.id, p.id, "slug-x", T0)
            .await
            .is_err()
    );

    // Publishing stores the notice as given and queues one delivery per subscriber.
    let body = serde_json::json!({"format": "cyres-user-notice/1", "title": "Exploited", "nested": {"a": [1, 2]}});
    let (v1, queued) = store
        .publish_notice(
            acme.id,
            &NewNotice {
                product_id: p.id,
                case_id: case.id,
                title: "Exploited",
                correction: None,
                notice: &body,
            },
            &me(),
            T0 + 100,
        )
        .await
        .unwrap();
    assert_eq!((v1.version, queued), (1, 2));
    assert_eq!(v1.notice, body);
    assert!(matches!(
        store
            .publish_notice(
                other.id,
                &NewNotice {
                    product_id: p.id,
                    case_id: case.id,
                    title: "x",
                    correction: None,
                    notice: &body
                },
                &me(),
                T0
            )
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let due = store.due_notice_deliveries(T0 + 100, 10).await.unwrap();
    assert_eq!(due.len(), 2);
    assert!(
        due.iter()
            .all(|d| d.notice_id == v1.id && d.state.as_str() == "pending")
    );
    let mail_d = due.iter().find(|d| d.subscriber_id == mail.id).unwrap();
    assert_eq!(mail_d.channel.as_str(), "email");
    let hook_d = due.iter().find(|d| d.subscriber_id == hook.id).unwrap();
    store
        .record_notice_attempt(mail_d.id, true, None, None, None, T0 + 101)
        .await
        .unwrap();
    store
        .record_notice_attempt(
            hook_d.id,
            false,
            Some(503),
            Some("busy"),
            Some(T0 + 160),
            T0 + 101,
        )
        .await
        .unwrap();
    assert!(
        store
            .due_notice_deliveries(T0 + 150, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .due_notice_deliveries(T0 + 160, 10)
            .await
            .unwrap()
            .len(),
        1
    );

    // A correction is version 2; the first stays as it was.
    let (v2, _) = store
        .publish_notice(
            acme.id,
            &NewNotice {
                product_id: p.id,
                case_id: case.id,
                title: "Exploited (corrected)",
                correction: Some("fixed release number"),
                notice: &serde_json::json!({"v": 2}),
            },
            &me(),
            T0 + 200,
        )
        .await
        .unwrap();
    assert_eq!(v2.version, 2);
    let listed = store.case_notices(acme.id, case.id).await.unwrap();
    assert_eq!(listed.iter().map(|n| n.version).collect::<Vec<_>>(), [2, 1]);
    assert_eq!(listed[1], v1);
    assert_eq!(store.product_notices(p.id, 10).await.unwrap()[0].id, v2.id);
    assert!(store.case_notices(other.id, case.id).await.is_err());

    // Removing a subscriber cancels what is still pending for it; the log stays.
    store
        .delete_subscriber(acme.id, hook.id, &me(), T0 + 300)
        .await
        .unwrap();
    assert!(
        store
            .delete_subscriber(acme.id, hook.id, &me(), T0 + 300)
            .await
            .is_err()
    );
    assert!(
        store
            .delete_subscriber(other.id, mail.id, &me(), T0 + 300)
            .await
            .is_err()
    );
    let log = store.notice_deliveries(acme.id, v1.id).await.unwrap();
    let states: Vec<(&str, i64)> = log.iter().map(|d| (d.state.as_str(), d.attempts)).collect();
    assert_eq!(states, [("delivered", 1), ("cancelled", 1)]);
    assert!(
        store
            .notice_deliveries(other.id, v1.id)
            .await
            .unwrap()
            .is_empty()
    );
    // Unsubscribing through the link works without an account, once.
    let pending_v2 = store.due_notice_deliveries(T0 + 400, 10).await.unwrap();
    assert_eq!(
        pending_v2.len(),
        1,
        "v2 went to both; the webhook's was cancelled"
    );
    let gone = store.unsubscribe("tok-mail", T0 + 400).await.unwrap();
    assert!(!gone.active && gone.removed_at == Some(T0 + 400));
    assert!(
        store
            .unsubscribe("tok-mail", T0 + 500)
            .await
            .unwrap()
            .removed_at
            == Some(T0 + 400)
    );
    assert!(store.unsubscribe("nope", T0).await.is_err());
    assert!(
        store
            .due_notice_deliveries(T0 + 400, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.subscribers(acme.id, p.id).await.unwrap().is_empty());
    // The same address may subscribe again once removed.
    store
        .create_subscriber(
            acme.id,
            p.id,
            &new("email", "psirt@customer.example", None, "tok-5"),
            &me(),
            T0 + 600,
        )
        .await
        .unwrap();
    let actions: Vec<String> = store
        .audit_events(acme.id, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in [
        "subscriber.create",
        "notice.publish",
        "subscriber.delete",
        "subscriber.unsubscribe",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} audited: {actions:?}");
    }
}
