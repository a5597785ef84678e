//! Normalised identities (`src/identity.rs`).

use super::*;

both!(identities_are_normalised_at_start);

/// Rows written before migration 0012 (no name key, no slug, e-mails in another spelling), as
/// an older cyres or a direct database edit leaves them: the start-up pass normalises them,
/// renaming the later of two organisations whose names collide once normalised.
async fn identities_are_normalised_at_start(store: Store) {
    let pool = store.raw_pool();
    for (id, name) in [
        (1, "Dup Corp"),
        (2, "DUP  corp"),
        (3, "Ｄｕｐ Corp"),
        (4, "Other"),
    ] {
        sqlx::query(
            "INSERT INTO organisation (id, name, kind, created_at) VALUES ($1, $2, 'manufacturer', $3)",
        )
        .bind(id as i64)
        .bind(name)
        .bind(T0)
        .execute(&pool)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO account (id, email, display_name, password_hash, created_at) \
         VALUES (1, 'Mixed@Example.COM', 'M', 'x', $1)",
    )
    .bind(T0)
    .execute(&pool)
    .await
    .unwrap();
    let changes = store.normalise_identities(T0).await.unwrap();
    assert!(
        changes.iter().any(|c| c.contains("account 1")),
        "{changes:?}"
    );
    let names: Vec<(String, String)> = store
        .orgs()
        .await
        .unwrap()
        .into_iter()
        .map(|o| (o.name, o.slug))
        .collect();
    assert_eq!(
        names,
        [
            ("Dup Corp", "dup-corp"),
            ("DUP  corp (2)", "dup-corp-2"),
            ("Ｄｕｐ Corp (3)", "dup-corp-3"),
            ("Other", "other"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let audit = store.audit_events(2, 10).await.unwrap();
    assert!(
        serde_json::to_string(&audit)
            .unwrap()
            .contains("organisation.rename"),
        "the rename is audited"
    );
    assert_eq!(store.account(1).await.unwrap().email, "mixed@example.com");
    assert!(
        store
            .account_by_email(" MIXED@example.com")
            .await
            .unwrap()
            .is_some()
    );
    // Idempotent, and slugs stay what they were.
    assert!(store.normalise_identities(T0 + 1).await.unwrap().is_empty());
    assert_eq!(store.org_by_slug("dup-corp-2").await.unwrap().id, 2);
    assert!(matches!(
        store.org_by_slug("nope").await,
        Err(StoreError::NotFound { .. })
    ));
    // A new look-alike is refused; the unique index holds even past the check.
    let err = store
        .create_org(
            &NewOrg {
                name: "dup corp".into(),
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
    let raw = sqlx::query("UPDATE organisation SET name_key = 'dup corp' WHERE id = 4")
        .execute(&pool)
        .await;
    assert!(raw.is_err(), "unique index on name_key");
    // Two accounts that become one address stop the start, naming both.
    sqlx::query(
        "INSERT INTO account (id, email, display_name, password_hash, created_at) \
         VALUES (2, 'MIXED@example.com', 'M2', 'x', $1)",
    )
    .bind(T0)
    .execute(&pool)
    .await
    .unwrap();
    let err = store
        .normalise_identities(T0)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("accounts 1 and 2"), "{err}");
}
