//! Invitations (`src/invitations.rs`).

use super::*;

both!(invitations_are_answered_by_their_addressee);

async fn invitations_are_answered_by_their_addressee(store: Store) {
    let a = org(&store, "Acme Routers").await;
    let bob = store
        .create_account("bob@example.com", "Bob", "$argon2id$x", &me(), T0)
        .await
        .unwrap();
    let eve = store
        .create_account("eve@example.com", "Eve", "$argon2id$x", &me(), T0)
        .await
        .unwrap();
    let inv = store
        .invite(a.id, " BOB@Example.com", Role::Editor, &me(), T0)
        .await
        .unwrap();
    assert_eq!(
        (inv.email.as_str(), inv.org_name.as_str()),
        ("bob@example.com", "Acme Routers")
    );
    assert_eq!(
        store
            .invitations_for("bob@example.com")
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .invitations_for("eve@example.com")
            .await
            .unwrap()
            .is_empty()
    );
    // Eve cannot take Bob's invitation.
    assert!(matches!(
        store.accept_invitation(eve.id, inv.id, T0).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(store.membership_role(bob.id, a.id).await.unwrap(), None);
    store.accept_invitation(bob.id, inv.id, T0).await.unwrap();
    assert_eq!(
        store.membership_role(bob.id, a.id).await.unwrap(),
        Some(Role::Editor)
    );
    assert!(
        store
            .invitations_for("bob@example.com")
            .await
            .unwrap()
            .is_empty()
    );
    // An address without an account can be invited; declining and withdrawing remove it.
    let later = store
        .invite(a.id, "new@example.com", Role::Viewer, &me(), T0)
        .await
        .unwrap();
    assert_eq!(store.org_invitations(a.id).await.unwrap().len(), 1);
    store
        .withdraw_invitation(a.id, later.id, &me(), T0)
        .await
        .unwrap();
    assert!(store.org_invitations(a.id).await.unwrap().is_empty());
    let e = store
        .invite(a.id, "eve@example.com", Role::Admin, &me(), T0)
        .await
        .unwrap();
    store.decline_invitation(eve.id, e.id, T0).await.unwrap();
    assert_eq!(store.membership_role(eve.id, a.id).await.unwrap(), None);
    // A session may start without an organisation and gain one by switching after acceptance.
    store
        .create_session_without_org("h9", eve.id, "csrf", T0 + 3600, T0)
        .await
        .unwrap();
    assert!(store.session("h9", T0).await.unwrap().is_none());
    let p = store.person_session("h9", T0).await.unwrap().unwrap();
    assert_eq!((p.account_id, p.org_id), (eve.id, None));
    assert!(
        store
            .invite(a.id, "not-an-address", Role::Viewer, &me(), T0)
            .await
            .is_err()
    );
}
