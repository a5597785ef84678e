//! Organisations, accounts, sessions and API tokens (`src/tenants.rs`).

use super::*;

both!(
    tenants_sessions_and_tokens,
    a_created_organisation_has_its_creator_as_admin
);

async fn tenants_sessions_and_tokens(store: Store) {
    assert_eq!(store.account_count().await.unwrap(), 0);
    let a = org(&store, "Acme Routers").await;
    let b = org(&store, "Beta Monitors").await;
    let err = store
        .create_org(
            &NewOrg {
                name: "Acme Routers".into(),
                kind: OrgKind::Manufacturer,
                member_state: None,
                size: None,
            },
            &me(),
            T0,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    // Authority kinds are never self-service, whatever the input; the operator provisions
    // them, and a CSIRT needs its member state.
    let csirt = NewOrg {
        name: "CSIRT X".into(),
        kind: OrgKind::Csirt,
        member_state: Some("DE".into()),
        size: None,
    };
    for kind in [OrgKind::Csirt, OrgKind::Enisa] {
        let err = store
            .create_org(
                &NewOrg {
                    kind,
                    ..csirt.clone()
                },
                &me(),
                T0,
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Forbidden(_)), "{err}");
    }
    let err = store
        .provision_org(
            &NewOrg {
                member_state: None,
                ..csirt.clone()
            },
            &me(),
            T0,
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("member state"), "{err}");
    let de = store.provision_org(&csirt, &me(), T0).await.unwrap();
    assert!(de.is_authority());
    assert!(!a.is_authority() && a.provisioned_by == cyres_store::Provisioning::SelfService);
    assert!(store.unprovisioned_authorities().await.unwrap().is_empty());

    let acc = store
        .create_account("Alice@Example.com", "Alice", "$argon2id$x", &me(), T0)
        .await
        .unwrap();
    assert_eq!(acc.email, "alice@example.com");
    assert!(
        store
            .account_by_email("ALICE@example.com")
            .await
            .unwrap()
            .is_some()
    );
    store
        .set_membership(acc.id, a.id, Role::Admin, &me(), T0)
        .await
        .unwrap();
    store
        .set_membership(acc.id, b.id, Role::Viewer, &me(), T0)
        .await
        .unwrap();
    let ms = store.memberships(acc.id).await.unwrap();
    assert_eq!(
        ms.iter()
            .map(|m| (m.org.name.as_str(), m.role))
            .collect::<Vec<_>>(),
        vec![
            ("Acme Routers", Role::Admin),
            ("Beta Monitors", Role::Viewer)
        ]
    );

    // Sessions: live until expiry; switching only to an organisation the account belongs to.
    let s = WebSession {
        account_id: acc.id,
        org_id: a.id,
        csrf_token: "csrf".into(),
        expires_at: T0 + 3600,
    };
    store.create_session("h1", &s, T0).await.unwrap();
    assert_eq!(
        store.session("h1", T0 + 10).await.unwrap().unwrap().1,
        Role::Admin
    );
    assert!(
        store.session("h1", T0 + 3600).await.unwrap().is_none(),
        "expired"
    );
    store.switch_session_org("h1", b.id).await.unwrap();
    assert_eq!(
        store.session("h1", T0).await.unwrap().unwrap().0.org_id,
        b.id
    );
    let c = org(&store, "Gamma").await;
    assert!(matches!(
        store.switch_session_org("h1", c.id).await,
        Err(StoreError::NotFound { .. })
    ));
    store.delete_session("h1", T0).await.unwrap();
    assert!(store.session("h1", T0).await.unwrap().is_none());

    // Setup token: usable once, and only while there is no account... there is one now.
    store.create_setup_token("setup", T0).await.unwrap();
    assert!(!store.use_setup_token("setup", T0).await.unwrap());

    // API tokens: hashed, revocable at once, last-used recorded.
    let t = store
        .create_api_token(
            a.id,
            &NewApiToken {
                role: Role::Editor,
                name: "ci",
                token_hash: "tokhash",
                created_by: Some(acc.id),
            },
            &me(),
            T0,
        )
        .await
        .unwrap();
    let got = store
        .authenticate_token("tokhash", T0 + 100)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((got.id, got.role, got.org_id), (t.id, Role::Editor, a.id));
    let listed = store.api_tokens(a.id).await.unwrap();
    assert_eq!(listed[0].last_used_at, Some(T0 + 100));
    assert!(store.api_tokens(b.id).await.unwrap().is_empty());
    assert!(
        matches!(
            store.revoke_api_token(b.id, t.id, &me(), T0).await,
            Err(StoreError::NotFound { .. })
        ),
        "foreign org cannot revoke"
    );
    store
        .revoke_api_token(a.id, t.id, &me(), T0 + 200)
        .await
        .unwrap();
    assert!(
        store
            .authenticate_token("tokhash", T0 + 201)
            .await
            .unwrap()
            .is_none()
    );

    let audit = store.audit_events(a.id, 100).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    for want in [
        "organisation.create",
        "membership.set",
        "token.create",
        "token.revoke",
    ] {
        assert!(actions.contains(&want), "{want} missing from {actions:?}");
    }
    assert!(audit.iter().all(|e| e.actor.contains("alice@example.com")));
}

/// An organisation created by a person has that person as its first administrator, written in
/// the same transaction (both audit events); an authority kind is refused and makes nothing.
async fn a_created_organisation_has_its_creator_as_admin(store: Store) {
    let acc = store
        .create_account("maker@example.com", "Maker", "$argon2id$x", &me(), T0)
        .await
        .unwrap();
    let new = NewOrg {
        name: "Second Maker".into(),
        kind: OrgKind::Manufacturer,
        member_state: None,
        size: None,
    };
    let org = store
        .create_org_with_admin(&new, acc.id, &me(), T0)
        .await
        .unwrap();
    let ms = store.memberships(acc.id).await.unwrap();
    assert_eq!(ms.len(), 1);
    assert_eq!((ms[0].org.id, ms[0].role), (org.id, Role::Admin));
    let actions: Vec<String> = store
        .audit_events(org.id, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.contains(&"organisation.create".to_string()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"membership.set".to_string()),
        "{actions:?}"
    );
    let before = store.orgs().await.unwrap().len();
    let err = store
        .create_org_with_admin(
            &NewOrg {
                name: "CSIRT Y".into(),
                kind: OrgKind::Csirt,
                member_state: Some("FR".into()),
                size: None,
            },
            acc.id,
            &me(),
            T0,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Forbidden(_)), "{err}");
    assert_eq!(store.orgs().await.unwrap().len(), before);
    assert_eq!(store.memberships(acc.id).await.unwrap().len(), 1);
}
