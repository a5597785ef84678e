//! The storage suite. Every case runs twice: on SQLite (a fresh file) and on PostgreSQL (a
//! fresh database in the cluster named by `CYRES_TEST_PG_URL`, which `scripts/test.sh` starts
//! with `scripts/pg.sh`). Without that variable the PostgreSQL variants fail with a message
//! saying how to provide it, unless `CYRES_SKIP_PG=1` says to skip them on purpose.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use cyres_store::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

async fn sqlite_store() -> (Store, tempdir::Dir) {
    let dir = tempdir::Dir::new();
    let store = Store::open_sqlite_dir(dir.path())
        .await
        .expect("open sqlite");
    (store, dir)
}

async fn pg_store() -> Option<Store> {
    let Ok(admin) = std::env::var("CYRES_TEST_PG_URL") else {
        if std::env::var("CYRES_SKIP_PG").as_deref() == Ok("1") {
            eprintln!("CYRES_SKIP_PG=1: PostgreSQL variant skipped on request");
            return None;
        }
        panic!(
            "CYRES_TEST_PG_URL is not set. Run the suite through `bash scripts/test.sh`, which \
             starts a throwaway PostgreSQL 15 cluster, or run `eval \"$(bash scripts/pg.sh start)\"` \
             first (set CYRES_SKIP_PG=1 to skip the PostgreSQL variants knowingly)."
        );
    };
    use sqlx::Executor;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&admin)
        .await
        .expect("connect to test cluster");
    let name = format!("cyres_t{}", tempdir::unique());
    pool.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("create database");
    pool.close().await;
    let url = match admin.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => unreachable!("URL has a path"),
    };
    Some(Store::open(&url).await.expect("open postgres"))
}

mod tempdir {
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicU64, Ordering};

    static N: AtomicU64 = AtomicU64::new(0);

    pub(crate) fn unique() -> String {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        format!(
            "{}_{}_{}",
            std::process::id(),
            t % 1_000_000_000,
            N.fetch_add(1, Ordering::SeqCst)
        )
    }

    pub(crate) struct Dir(PathBuf);
    impl Dir {
        pub(crate) fn new() -> Self {
            let p = std::env::temp_dir().join(format!("cyres-store-test-{}", unique()));
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
        pub(crate) fn path(&self) -> &Path {
            &self.0
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let (store, _dir) = super::sqlite_store().await;
                    super::$name(store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(store) = super::pg_store().await {
                        super::$name(store).await;
                    }
                }
            )*
        }
    };
}

both!(
    tenants_sessions_and_tokens,
    products_releases_are_tenant_scoped,
    sbom_ingest_matches_and_alerts,
    ingest_is_all_or_nothing,
    new_advisory_rematches_the_portfolio,
    exploitation_marks_findings_urgent,
    triage_validates_and_keeps_history,
    filters_bind_hostile_strings,
    jobs_are_leased_and_resumed,
    delivery_outbox_records_attempts,
    advisory_search_and_lookup,
    rematch_can_be_limited_to_changed_advisories,
    report_facts_are_read_in_batches,
    notices_publish_to_subscribers,
    audit_chain_names_the_edited_row,
    audit_chain_detects_deleted_and_inserted_rows,
    audit_chain_survives_concurrent_writers,
    audit_rows_from_before_the_chain_are_chained,
    outbox_leases_hand_each_row_to_one_worker,
    task_leases_are_exclusive_until_released,
    identities_are_normalised_at_start,
    invitations_are_answered_by_their_addressee,
    firmware_cpe_findings_equal_the_cli,
    firmware_resolution_adds_true_findings,
    nvd_changes_withdraw_and_reopen_findings,
    triage_carries_over_and_suggests,
    carry_over_is_one_path_with_history,
    bulk_triage_is_one_transaction,
    vex_import_follows_the_rules,
    components_are_listed_searched_and_traced,
    findings_search_puts_exploited_first,
    findings_search_index_and_export_reader,
    related_kev_flags_but_does_not_exploit,
    severity_is_borrowed_from_an_alias,
    compliance_file_is_versioned_immutable_and_retained,
    csaf_revisions_publish_once_and_never_change,
);

#[path = "store/csaf.rs"]
mod csaf;
#[path = "store/export.rs"]
mod export;
#[path = "store/vex_triage.rs"]
mod vex_triage;
use csaf::*;
use vex_triage::*;

const T0: i64 = 1_790_000_000; // 2026-09-21

fn me() -> Actor {
    Actor {
        id: "user:1".into(),
        label: "alice@example.com".into(),
    }
}

async fn org(store: &Store, name: &str) -> Org {
    store
        .create_org(
            &NewOrg {
                name: name.into(),
                kind: OrgKind::Manufacturer,
                member_state: Some("DE".into()),
                size: Some("small".into()),
            },
            &me(),
            T0,
        )
        .await
        .unwrap()
}

fn product_input(name: &str) -> ProductInput {
    ProductInput {
        name: name.into(),
        description: "Wi-Fi router".into(),
        catalogue_entries: vec!["annex3-class1-12".into()],
        category: "important-class-i".into(),
        member_states: vec!["DE".into(), "FR".into()],
        estimated_users: Some(250_000),
        support_end: Some("2031-12-31".into()),
    }
}

fn example_advisories() -> Vec<cyres_vuln::advisory::Advisory> {
    let mut corpus = cyres_vuln::Corpus::new();
    corpus
        .load_path(&root().join("examples/advisories"), &mut |_| {})
        .unwrap();
    assert_eq!(
        corpus.advisories.len(),
        7,
        "examples/advisories holds 7 records"
    );
    corpus.advisories
}

fn example_kev() -> Vec<Exploitation> {
    let bytes = std::fs::read(root().join("examples/kev.json")).unwrap();
    cyres_vuln::kev::parse_kev(&bytes)
        .unwrap()
        .into_iter()
        .map(|k| Exploitation {
            cve_id: k.cve_id,
            source: "kev".into(),
            date_added: Some(k.date_added),
            due_date: Some(k.due_date),
            ransomware: k.ransomware,
            reference: None,
        })
        .collect()
}

fn router_sbom() -> (Vec<u8>, cyres_sbom::Sbom) {
    let bytes = std::fs::read(root().join("examples/sboms/router-fw-2.4.1.cdx.json")).unwrap();
    let sbom = cyres_sbom::read(&bytes, "router-fw-2.4.1.cdx.json", &Default::default()).unwrap();
    (bytes, sbom)
}

async fn release_with_sbom(
    store: &Store,
    org_id: i64,
    product: &str,
    version: &str,
) -> (Release, IngestOutcome) {
    let (bytes, sbom) = router_sbom();
    release_with(store, org_id, product, version, &bytes, &sbom).await
}

/// A new release of `product` (created when missing) with this SBOM ingested.
async fn release_with(
    store: &Store,
    org_id: i64,
    product: &str,
    version: &str,
    bytes: &[u8],
    sbom: &cyres_sbom::Sbom,
) -> (Release, IngestOutcome) {
    let p = match store
        .products(org_id)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == product)
    {
        Some(p) => p,
        None => store
            .create_product(org_id, &product_input(product), &me(), T0)
            .await
            .unwrap(),
    };
    let r = store
        .create_release(org_id, p.id, version, Some("2026-09-01"), &me(), T0)
        .await
        .unwrap();
    let out = store
        .ingest_sbom(
            org_id,
            r.id,
            &SbomUpload {
                file_name: "router.cdx.json",
                original: bytes,
                sha256: "00",
                sbom,
            },
            &me(),
            T0 + 10,
        )
        .await
        .unwrap();
    (store.release(org_id, r.id).await.unwrap(), out)
}

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
        .create_api_token(a.id, Role::Editor, "ci", "tokhash", &me(), Some(acc.id), T0)
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

async fn products_releases_are_tenant_scoped(store: Store) {
    let a = org(&store, "A").await;
    let b = org(&store, "B").await;
    let p = store
        .create_product(a.id, &product_input("Router"), &me(), T0)
        .await
        .unwrap();
    assert_eq!(p.member_states, vec!["DE", "FR"]);
    assert_eq!(p.catalogue_entries, vec!["annex3-class1-12"]);
    let dup = store
        .create_product(a.id, &product_input("Router"), &me(), T0)
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Conflict(_)));
    // Same name in another organisation is fine.
    store
        .create_product(b.id, &product_input("Router"), &me(), T0)
        .await
        .unwrap();
    // A foreign id is exactly a missing one.
    let foreign = store.product(b.id, p.id).await.unwrap_err();
    let missing = store.product(b.id, 999_999).await.unwrap_err();
    assert!(
        matches!(foreign, StoreError::NotFound { .. })
            && matches!(missing, StoreError::NotFound { .. })
    );
    assert!(
        store
            .create_release(b.id, p.id, "1.0", None, &me(), T0)
            .await
            .is_err()
    );
    let r = store
        .create_release(a.id, p.id, "1.0", Some("2026-01-31"), &me(), T0)
        .await
        .unwrap();
    assert!(store.release(b.id, r.id).await.is_err());
    let bad = store
        .create_release(a.id, p.id, "1.1", Some("31/01/2026"), &me(), T0)
        .await
        .unwrap_err();
    assert!(bad.to_string().contains("released_on"), "{bad}");
    assert!(matches!(
        store
            .create_release(a.id, p.id, "1.0", None, &me(), T0)
            .await,
        Err(StoreError::Conflict(_))
    ));
    let mut changed = product_input("Router Pro");
    changed.estimated_users = Some(1);
    let up = store
        .update_product(a.id, p.id, &changed, &me(), T0 + 5)
        .await
        .unwrap();
    assert_eq!(
        (up.name.as_str(), up.estimated_users),
        ("Router Pro", Some(1))
    );
    assert!(
        store
            .update_product(b.id, p.id, &changed, &me(), T0)
            .await
            .is_err()
    );
    assert_eq!(store.releases(a.id, p.id).await.unwrap().len(), 1);
    assert!(store.releases(b.id, p.id).await.unwrap().is_empty());
}

async fn sbom_ingest_matches_and_alerts(store: Store) {
    let a = org(&store, "A").await;
    store
        .create_webhook(a.id, "http://127.0.0.1:9/hook", "s3cret", &me(), T0)
        .await
        .unwrap();
    let imp = store
        .upsert_advisories(&example_advisories(), "upload", T0)
        .await
        .unwrap();
    assert_eq!((imp.inserted, imp.updated, imp.unchanged), (7, 0, 0));
    store.upsert_exploitation(&example_kev(), T0).await.unwrap();
    let (release, out) = release_with_sbom(&store, a.id, "Router", "2.4.1").await;
    assert_eq!(out.components, 10);
    // Same four findings as `cyres scan` on this file (README quick start), two exploited.
    assert_eq!((out.findings, out.exploited), (4, 2), "{out:?}");
    assert_eq!(release.sbom_id, Some(out.sbom_id));
    let fs = store
        .findings(
            a.id,
            &FindingFilter {
                release_id: Some(release.id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut ids: Vec<(&str, &str, bool)> = fs
        .iter()
        .map(|f| {
            (
                f.advisory_id.as_str(),
                f.component_name.as_str(),
                f.exploited,
            )
        })
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        vec![
            ("GHSA-qppj-fm5r-hxr3", "golang.org/x/net", true),
            ("GHSA-qppj-fm5r-hxr3", "google.golang.org/grpc", true),
            ("GO-2023-2102", "golang.org/x/net", false),
            ("RUSTSEC-2022-0013", "regex", false),
        ]
    );
    // One alert per advisory; the exploited one is urgent and names the early-warning deadline.
    let alerts = store.alerts(a.id, 50).await.unwrap();
    assert_eq!(alerts.len(), 3);
    let urgent: Vec<&AlertRow> = alerts.iter().filter(|a| a.urgent).collect();
    assert_eq!(urgent.len(), 1);
    assert_eq!(urgent[0].body["early_warning_due"], "2026-09-22T14:13:30Z"); // T0 + 10 s + 24 h
    // Each alert has a pending webhook delivery and an e-mail delivery.
    let due = store.due_deliveries(T0 + 10, 100).await.unwrap();
    assert_eq!(due.iter().filter(|d| d.channel == "webhook").count(), 3);
    // The original is kept byte for byte; components are stored in order.
    let (bytes, _) = router_sbom();
    assert_eq!(store.sbom_original(a.id, out.sbom_id).await.unwrap(), bytes);
    let comps = store.components(a.id, release.id, -1, 100).await.unwrap();
    assert_eq!(comps.len(), 10);
    assert_eq!(comps[0].ord, 0);
    let meta = store.sbom_meta(a.id, out.sbom_id).await.unwrap();
    assert_eq!(meta.component_count, 10);
    assert!(
        meta.diagnostics.as_array().is_some_and(|d| d.len() == 2),
        "{}",
        meta.diagnostics
    );
    // A second SBOM for the same release is refused and changes nothing.
    let (bytes, sbom) = router_sbom();
    let again = store
        .ingest_sbom(
            a.id,
            release.id,
            &SbomUpload {
                file_name: "x",
                original: &bytes,
                sha256: "00",
                sbom: &sbom,
            },
            &me(),
            T0,
        )
        .await
        .unwrap_err();
    assert!(matches!(again, StoreError::Conflict(_)));
    assert_eq!(
        store
            .findings(a.id, &FindingFilter::default())
            .await
            .unwrap()
            .len(),
        4
    );
}

async fn ingest_is_all_or_nothing(store: Store) {
    let a = org(&store, "A").await;
    store
        .upsert_advisories(&example_advisories(), "upload", T0)
        .await
        .unwrap();
    let p = store
        .create_product(a.id, &product_input("Router"), &me(), T0)
        .await
        .unwrap();
    let r = store
        .create_release(a.id, p.id, "1", None, &me(), T0)
        .await
        .unwrap();
    // Break the last step of the transaction (alerts) so it fails after the SBOM, its
    // components and its findings were written.
    {
        use sqlx::Executor;
        let pool = store_pool(&store).await;
        pool.execute("ALTER TABLE alert RENAME TO alert_moved")
            .await
            .unwrap();
    }
    let (bytes, sbom) = router_sbom();
    let err = store
        .ingest_sbom(
            a.id,
            r.id,
            &SbomUpload {
                file_name: "x",
                original: &bytes,
                sha256: "00",
                sbom: &sbom,
            },
            &me(),
            T0,
        )
        .await;
    assert!(err.is_err());
    assert_eq!(store.release(a.id, r.id).await.unwrap().sbom_id, None);
    assert!(
        store
            .findings(a.id, &FindingFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .components(a.id, r.id, -1, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let pool = store_pool(&store).await;
    use sqlx::Row;
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM sbom")
        .fetch_one(&pool)
        .await
        .unwrap()
        .get("n");
    let c: i64 = sqlx::query("SELECT COUNT(*) AS n FROM component")
        .fetch_one(&pool)
        .await
        .unwrap()
        .get("n");
    assert_eq!((n, c), (0, 0));
}

/// A second pool on the same database, for tests that tamper with the schema.
async fn store_pool(store: &Store) -> sqlx::AnyPool {
    store.raw_pool()
}

async fn new_advisory_rematches_the_portfolio(store: Store) {
    let a = org(&store, "A").await;
    let b = org(&store, "B").await;
    // Portfolio first, no advisories yet: nothing found.
    let (r1, out) = release_with_sbom(&store, a.id, "Router", "2.4.1").await;
    assert_eq!(out.findings, 0);
    let (r2, _) = release_with_sbom(&store, a.id, "Router", "2.4.2").await;
    let (r3, _) = release_with_sbom(&store, b.id, "Other", "9").await;
    let imp = store
        .upsert_advisories(&example_advisories(), "osv", T0 + 100)
        .await
        .unwrap();
    assert!(
        imp.changed_keys.contains("Go/golang.org/x/net"),
        "{:?}",
        imp.changed_keys
    );
    let m = store
        .rematch_keys(&imp.changed_keys, T0 + 100)
        .await
        .unwrap();
    assert_eq!(
        m.components,
        3 * 3,
        "x/net, grpc, regex in three releases: {m:?}"
    );
    assert_eq!(m.distinct_components, 3);
    assert_eq!((m.new_findings, m.releases_affected), (12, 3));
    // One alert per (organisation, advisory).
    assert_eq!(m.alerts, 3 + 3);
    for (o, r) in [(a.id, r1.id), (a.id, r2.id), (b.id, r3.id)] {
        assert_eq!(
            store
                .findings(
                    o,
                    &FindingFilter {
                        release_id: Some(r),
                        ..Default::default()
                    }
                )
                .await
                .unwrap()
                .len(),
            4
        );
    }
    // Importing the same records again changes nothing and re-matching is idempotent.
    let again = store
        .upsert_advisories(&example_advisories(), "osv", T0 + 200)
        .await
        .unwrap();
    assert_eq!((again.unchanged, again.changed_keys.len()), (7, 0));
    let m2 = store
        .rematch_keys(&imp.changed_keys, T0 + 200)
        .await
        .unwrap();
    assert_eq!((m2.new_findings, m2.alerts), (0, 0));
    // A modified record replaces the old one and reports its keys.
    let mut advs = example_advisories();
    let regex = advs
        .iter_mut()
        .find(|a| a.id == "RUSTSEC-2022-0013")
        .unwrap();
    regex.modified = Some("2030-01-01T00:00:00Z".into());
    let upd = store
        .upsert_advisories(std::slice::from_ref(regex), "osv", T0 + 300)
        .await
        .unwrap();
    assert_eq!(
        (
            upd.updated,
            upd.changed_keys.iter().cloned().collect::<Vec<_>>()
        ),
        (1, vec!["crates.io/regex".to_string()])
    );
}

async fn exploitation_marks_findings_urgent(store: Store) {
    let a = org(&store, "A").await;
    store
        .upsert_advisories(&example_advisories(), "osv", T0)
        .await
        .unwrap();
    let other = org(&store, "Other").await;
    let g0 = store.findings_generation(a.id).await.unwrap();
    let (_r, out) = release_with_sbom(&store, a.id, "Router", "1").await;
    assert_eq!((out.findings, out.exploited), (4, 0));
    // Every change to an organisation's findings raises its generation, and only its own.
    let g1 = store.findings_generation(a.id).await.unwrap();
    let other_gen = store.findings_generation(other.id).await.unwrap();
    assert!(g1 > g0, "ingest: {g0} -> {g1}");
    let before = store.alerts(a.id, 100).await.unwrap().len();
    let imp = store
        .upsert_exploitation(
            &[Exploitation {
                cve_id: "cve-2022-24713".into(),
                source: "euvd".into(),
                date_added: None,
                due_date: None,
                ransomware: false,
                reference: Some("EUVD-2022-0001".into()),
            }],
            T0 + 50,
        )
        .await
        .unwrap();
    assert_eq!(imp.newly_exploited, vec!["CVE-2022-24713"]);
    let m = store
        .apply_exploitation(&imp.newly_exploited, T0 + 50)
        .await
        .unwrap();
    assert_eq!((m.became_exploited, m.alerts), (1, 1));
    let g2 = store.findings_generation(a.id).await.unwrap();
    assert!(g2 > g1, "exploitation: {g1} -> {g2}");
    assert_eq!(
        store.findings_generation(other.id).await.unwrap(),
        other_gen
    );
    assert!(store.findings_generation(999_999).await.is_err());
    let f = store
        .findings(
            a.id,
            &FindingFilter {
                exploited: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].advisory_id, "RUSTSEC-2022-0013");
    let alerts = store.alerts(a.id, 100).await.unwrap();
    assert_eq!(alerts.len(), before + 1);
    assert!(alerts[0].urgent && alerts[0].kind == cyres_store::AlertKind::BecameExploited);
    assert!(alerts[0].body["early_warning_due"].as_str().is_some());
    // The same fact again is not news.
    let again = store
        .upsert_exploitation(
            &[Exploitation {
                cve_id: "CVE-2022-24713".into(),
                source: "euvd".into(),
                date_added: None,
                due_date: None,
                ransomware: false,
                reference: None,
            }],
            T0 + 60,
        )
        .await
        .unwrap();
    assert!(again.newly_exploited.is_empty());
    assert_eq!(
        store
            .apply_exploitation(&["CVE-2022-24713".into()], T0 + 60)
            .await
            .unwrap()
            .became_exploited,
        0
    );
}

async fn triage_validates_and_keeps_history(store: Store) {
    let a = org(&store, "A").await;
    let b = org(&store, "B").await;
    store
        .upsert_advisories(&example_advisories(), "osv", T0)
        .await
        .unwrap();
    release_with_sbom(&store, a.id, "Router", "1").await;
    let f = store
        .findings(a.id, &FindingFilter::default())
        .await
        .unwrap()[0]
        .clone();
    assert_eq!(f.status, VexStatus::UnderInvestigation);
    let e = store
        .triage(a.id, f.id, VexStatus::NotAffected, None, "", &me(), T0)
        .await
        .unwrap_err();
    assert!(e.to_string().starts_with("justification:"), "{e}");
    let e = store
        .triage(
            a.id,
            f.id,
            VexStatus::NotAffected,
            Some("trust me"),
            "",
            &me(),
            T0,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not one of"), "{e}");
    let e = store
        .triage(
            a.id,
            f.id,
            VexStatus::Affected,
            Some("component_not_present"),
            "",
            &me(),
            T0,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("only allowed"), "{e}");
    let gen_a = store.findings_generation(a.id).await.unwrap();
    let gen_b = store.findings_generation(b.id).await.unwrap();
    assert!(matches!(
        store
            .triage(b.id, f.id, VexStatus::Affected, None, "", &me(), T0)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(
        store.findings_generation(a.id).await.unwrap(),
        gen_a,
        "refused triage"
    );
    assert_eq!(store.findings_generation(b.id).await.unwrap(), gen_b);
    store
        .triage(
            a.id,
            f.id,
            VexStatus::Affected,
            None,
            "reachable from the web UI",
            &me(),
            T0 + 1,
        )
        .await
        .unwrap();
    let done = store
        .triage(
            a.id,
            f.id,
            VexStatus::NotAffected,
            Some("vulnerable_code_not_in_execute_path"),
            "HTTP/2 disabled in build",
            &me(),
            T0 + 2,
        )
        .await
        .unwrap();
    assert_eq!(
        (done.status, done.justification.as_deref()),
        (
            VexStatus::NotAffected,
            Some("vulnerable_code_not_in_execute_path")
        )
    );
    assert!(store.findings_generation(a.id).await.unwrap() >= gen_a + 2);
    let h = store.triage_history(a.id, f.id).await.unwrap();
    assert_eq!(
        h.iter().map(|e| e.status).collect::<Vec<_>>(),
        vec![VexStatus::Affected, VexStatus::NotAffected]
    );
    assert_eq!(h[1].comment, "HTTP/2 disabled in build");
    assert!(store.triage_history(b.id, f.id).await.is_err());
    let open = store
        .findings(
            a.id,
            &FindingFilter {
                status: Some(VexStatus::NotAffected),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(open.len(), 1);
}

async fn filters_bind_hostile_strings(store: Store) {
    let a = org(&store, "A").await;
    store
        .upsert_advisories(&example_advisories(), "osv", T0)
        .await
        .unwrap();
    release_with_sbom(&store, a.id, "Router", "1").await;
    for evil in [
        "' OR '1'='1",
        "high'; DROP TABLE finding; --",
        "%",
        "\\",
        "\u{0}",
    ] {
        let f = FindingFilter {
            severity: Some(evil.into()),
            advisory_id: Some(evil.into()),
            ..Default::default()
        };
        // PostgreSQL rejects NUL in text parameters with an error; nothing may match or change.
        if let Ok(rows) = store.findings(a.id, &f).await {
            assert!(rows.is_empty(), "{evil:?}");
        }
        let _ = store.search_advisories(evil, 10).await;
    }
    assert_eq!(
        store
            .findings(a.id, &FindingFilter::default())
            .await
            .unwrap()
            .len(),
        4
    );
    assert_eq!(store.advisory_count().await.unwrap(), 7);
    let page1 = store
        .findings(
            a.id,
            &FindingFilter {
                limit: Some(2),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let page2 = store
        .findings(
            a.id,
            &FindingFilter {
                limit: Some(2),
                after_id: Some(page1[1].id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page1.len() + page2.len(), 4);
    assert!(page2[0].id > page1[1].id);
}

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

async fn delivery_outbox_records_attempts(store: Store) {
    let a = org(&store, "A").await;
    let b = org(&store, "B").await;
    let hook = store
        .create_webhook(a.id, "http://127.0.0.1:9/x", "k", &me(), T0)
        .await
        .unwrap();
    assert!(
        store
            .create_webhook(a.id, "ftp://x", "k", &me(), T0)
            .await
            .is_err()
    );
    store
        .upsert_advisories(&example_advisories(), "osv", T0)
        .await
        .unwrap();
    release_with_sbom(&store, a.id, "Router", "1").await;
    let due = store.due_deliveries(T0 + 10, 100).await.unwrap();
    let d = due.iter().find(|d| d.channel == "webhook").unwrap().clone();
    assert_eq!(d.target_id, Some(hook.id));
    store
        .record_delivery_attempt(
            d.id,
            false,
            Some(503),
            Some("service unavailable"),
            Some(T0 + 70),
            T0 + 10,
        )
        .await
        .unwrap();
    assert!(
        !store
            .due_deliveries(T0 + 69, 100)
            .await
            .unwrap()
            .iter()
            .any(|x| x.id == d.id)
    );
    store
        .record_delivery_attempt(d.id, true, Some(204), None, None, T0 + 70)
        .await
        .unwrap();
    let log = store.deliveries(a.id, 100).await.unwrap();
    let mine = log.iter().find(|x| x.id == d.id).unwrap();
    assert_eq!(
        (mine.state.as_str(), mine.attempts, mine.last_status),
        ("delivered", 2, Some(204))
    );
    assert!(store.deliveries(b.id, 100).await.unwrap().is_empty());
    assert!(
        store
            .delete_webhook(b.id, hook.id, &me(), T0)
            .await
            .is_err()
    );
    store
        .delete_webhook(a.id, hook.id, &me(), T0)
        .await
        .unwrap();
    assert!(store.webhooks(a.id).await.unwrap().is_empty());
}

async fn advisory_search_and_lookup(store: Store) {
    store
        .upsert_advisories(&example_advisories(), "osv", T0)
        .await
        .unwrap();
    store.upsert_exploitation(&example_kev(), T0).await.unwrap();
    let (row, adv) = store.advisory("cve-2023-44487").await.unwrap();
    assert_eq!(row.id, "GHSA-qppj-fm5r-hxr3");
    assert!(row.aliases.contains(&"CVE-2023-44487".to_string()));
    assert_eq!(row.exploited_by, vec!["kev"]);
    assert!(
        !adv.references.is_empty(),
        "references survive the round trip"
    );
    // Prefix search over every id: both GHSA records, plus records that alias a GHSA id.
    let hits = store.search_advisories("ghsa-", 50).await.unwrap();
    let ids: BTreeSet<&str> = hits.iter().map(|r| r.id.as_str()).collect();
    assert!(
        ids.contains("GHSA-qppj-fm5r-hxr3") && ids.contains("GHSA-c9hw-wf7x-jp9j"),
        "{ids:?}"
    );
    assert!(
        hits.iter()
            .all(|r| r.aliases.iter().any(|a| a.starts_with("GHSA-")))
    );
    let by_pkg: Vec<String> = store
        .search_advisories("regex", 50)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(by_pkg, vec!["RUSTSEC-2022-0013"]);
    assert!(store.advisory("NOPE-1").await.is_err());
}

async fn rematch_can_be_limited_to_changed_advisories(store: Store) {
    let a = org(&store, "A").await;
    for v in ["1", "2", "3"] {
        release_with_sbom(&store, a.id, "Router", v).await;
    }
    let imp = store
        .upsert_advisories(&example_advisories(), "osv", T0)
        .await
        .unwrap();
    assert!(
        imp.changed_ids.contains("RUSTSEC-2022-0013") && imp.changed_ids.contains("CVE-2022-24713")
    );
    // Only the regex advisory: its three findings, nothing else under the same keys.
    let only: BTreeSet<String> = ["RUSTSEC-2022-0013".to_string()].into();
    let m = store
        .rematch(&imp.changed_keys, Some(&only), T0)
        .await
        .unwrap();
    assert_eq!(m.new_findings, 3, "{m:?}");
    let fs = store
        .findings(a.id, &FindingFilter::default())
        .await
        .unwrap();
    assert!(fs.iter().all(|f| f.advisory_id == "RUSTSEC-2022-0013"));
    // The unrestricted re-match adds the rest and never duplicates.
    let m = store.rematch_keys(&imp.changed_keys, T0).await.unwrap();
    assert_eq!(m.new_findings, 9, "{m:?}");
}

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
                "early-warning",
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

async fn notices_publish_to_subscribers(store: Store) {
    let acme = org(&store, "Acme").await;
    let other = org(&store, "Other").await;
    let p = store
        .create_product(acme.id, &product_input("AX3000"), &me(), T0)
        .await
        .unwrap();
    let case = store
        .create_case(
            acme.id,
            "vulnerability",
            "Exploited",
            &serde_json::json!({}),
            T0,
            &me(),
            T0,
        )
        .await
        .unwrap();
    let new = |channel, address, secret, token| NewSubscriber {
        channel,
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
        new("sms", "+491234", None, "t0"),
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
            p.id,
            case.id,
            "Exploited",
            None,
            &body,
            &me(),
            T0 + 100,
        )
        .await
        .unwrap();
    assert_eq!((v1.version, queued), (1, 2));
    assert_eq!(v1.notice, body);
    assert!(matches!(
        store
            .publish_notice(other.id, p.id, case.id, "x", None, &body, &me(), T0)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let due = store.due_notice_deliveries(T0 + 100, 10).await.unwrap();
    assert_eq!(due.len(), 2);
    assert!(
        due.iter()
            .all(|d| d.notice_id == v1.id && d.state == "pending")
    );
    let mail_d = due.iter().find(|d| d.subscriber_id == mail.id).unwrap();
    assert_eq!(mail_d.channel, "email");
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
            p.id,
            case.id,
            "Exploited (corrected)",
            Some("fixed release number"),
            &serde_json::json!({"v": 2}),
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

async fn products(store: &Store, org_id: i64, n: i64) {
    static NEXT: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
    for i in 0..n {
        let k = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        store
            .create_product(org_id, &product_input(&format!("P{k}")), &me(), T0 + i)
            .await
            .unwrap();
    }
}

fn chain_of(v: &AuditVerification, org_id: Option<i64>) -> &AuditChain {
    v.chains.iter().find(|c| c.org_id == org_id).unwrap()
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

async fn outbox_leases_hand_each_row_to_one_worker(store: Store) {
    let a = org(&store, "A").await;
    store
        .create_webhook(a.id, "http://127.0.0.1:9/x", "k", &me(), T0)
        .await
        .unwrap();
    for i in 0..30 {
        store
            .create_alert(
                a.id,
                cyres_store::AlertKind::Test,
                false,
                &format!("alert {i}"),
                &serde_json::json!({}),
                T0,
            )
            .await
            .unwrap();
    }
    // Four workers claim concurrently: every row goes to exactly one of them.
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let batch = store.claim_deliveries(T0 + 10, 60, 7).await.unwrap();
                if batch.is_empty() {
                    return mine;
                }
                mine.extend(batch.into_iter().map(|d| d.id));
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let distinct: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(all.len(), 60, "30 webhook + 30 e-mail deliveries");
    assert_eq!(distinct.len(), 60, "no row claimed twice");
    assert!(
        store
            .claim_deliveries(T0 + 69, 60, 100)
            .await
            .unwrap()
            .is_empty(),
        "leased"
    );
    assert!(store.due_deliveries(T0 + 69, 100).await.unwrap().is_empty());
    // The workers died: after the lease every row is due again, oldest first.
    let again = store.claim_deliveries(T0 + 70, 60, 100).await.unwrap();
    assert_eq!(again.len(), 60);
    assert!(again.windows(2).all(|w| w[0].id < w[1].id));
    // A recorded attempt clears the lease: a retry is due at its own time.
    store
        .record_delivery_attempt(again[0].id, false, Some(503), None, Some(T0 + 75), T0 + 71)
        .await
        .unwrap();
    store
        .skip_delivery(again[1].id, "e-mail is not configured")
        .await
        .unwrap();
    let retry = store.claim_deliveries(T0 + 75, 60, 100).await.unwrap();
    assert_eq!(
        retry.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![again[0].id]
    );

    // Report submissions: the same.
    let case = store
        .create_case(a.id, "incident", "c", &serde_json::json!({}), T0, &me(), T0)
        .await
        .unwrap();
    for (i, stage) in ["early-warning", "notification"].iter().enumerate() {
        store
            .queue_submission(
                a.id,
                case.id,
                stage,
                1,
                &format!("k{i}"),
                &serde_json::json!({}),
                true,
                &me(),
                T0,
            )
            .await
            .unwrap();
    }
    let first = store.claim_submissions(T0, 30, 1).await.unwrap();
    let second = store.claim_submissions(T0, 30, 10).await.unwrap();
    assert_eq!((first.len(), second.len()), (1, 1));
    assert_ne!(first[0].id, second[0].id);
    assert!(
        store
            .claim_submissions(T0 + 29, 30, 10)
            .await
            .unwrap()
            .is_empty()
    );
    store
        .record_submission_attempt(first[0].id, Some(("R-1", T0)), None, T0)
        .await
        .unwrap();
    let after = store.claim_submissions(T0 + 30, 30, 10).await.unwrap();
    assert_eq!(
        after.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![second[0].id]
    );
}

async fn task_leases_are_exclusive_until_released(store: Store) {
    assert!(store.claim_task("sync:kev", T0, 60).await.unwrap());
    assert!(!store.claim_task("sync:kev", T0 + 59, 60).await.unwrap());
    assert!(
        store.claim_task("sync:osv", T0, 60).await.unwrap(),
        "names are separate"
    );
    store.release_task("sync:kev", T0 + 10).await.unwrap();
    assert!(!store.claim_task("sync:kev", T0 + 9, 60).await.unwrap());
    assert!(store.claim_task("sync:kev", T0 + 10, 60).await.unwrap());
    // A holder that died loses the task when its lease runs out.
    assert!(store.claim_task("sync:osv", T0 + 60, 60).await.unwrap());
}

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

// ---- Firmware: CPE matching against NVD configurations (issue 20) ----

use cyres_kit::OPENWRT_RELEASES as OPENWRT;

/// (CVE, component name, component version).
type Pair = (String, String, String);

fn kit_nvd(with_overrides: bool) -> cyres_vuln::Corpus {
    let root =
        cyres_kit::unpacked("firmware/nvd-firmware-subset.tar.zst").join("nvd-firmware-subset");
    let mut c = cyres_vuln::Corpus::new();
    for f in [
        "nvd-api-2.0/nvd-cve-2.0-converted-from-1.1-feeds.json",
        "nvd-api-2.0/nvd-cve-2.0-fkie-abridged.json",
    ] {
        c.load_path(&root.join(f), &mut |_| {}).unwrap();
    }
    if with_overrides {
        c.load_path(&root.join("anchore-nvd-data-overrides/data"), &mut |_| {})
            .unwrap();
        assert_eq!(c.report.override_records, 603);
    }
    c
}

fn openwrt_sbom(release: &str) -> (Vec<u8>, cyres_sbom::Sbom) {
    let bytes = std::fs::read(cyres_kit::openwrt_sbom(release)).unwrap();
    let sbom = cyres_sbom::read(&bytes, "openwrt.cdx.json", &Default::default()).unwrap();
    (bytes, sbom)
}

/// What `cyres scan` (the library call) finds in one release.
fn cli_pairs(index: &cyres_vuln::Index, release: &str) -> BTreeSet<Pair> {
    cyres_vuln::match_sbom(index, &openwrt_sbom(release).1)
        .findings
        .into_iter()
        .map(|f| {
            (
                f.id,
                f.component.name,
                f.component.version.unwrap_or_default(),
            )
        })
        .collect()
}

/// Stores the corpus's records and configurations as an operator's import does.
async fn import_nvd(store: &Store, corpus: &cyres_vuln::Corpus, now: i64) -> usize {
    store
        .upsert_advisories(&corpus.advisories, "upload", now)
        .await
        .unwrap();
    let imp = store
        .upsert_cpe_configurations(&corpus.configurations, now)
        .await
        .unwrap();
    imp.inserted + imp.updated
}

/// Runs queued re-match jobs as the server's worker does; returns the new findings.
async fn run_rematch_jobs(store: &Store, now: i64) -> usize {
    let mut new = 0;
    while let Some(job) = store.claim_job(now, 60).await.unwrap() {
        if let cyres_store::Job::Rematch { keys, ids } = &job.job {
            new += store
                .rematch(keys, ids.as_ref(), now)
                .await
                .unwrap()
                .new_findings;
        }
        store.finish_job(job.id).await.unwrap();
    }
    new
}

async fn openwrt_release(store: &Store, org_id: i64, product: &str, version: &str) -> i64 {
    let (bytes, sbom) = openwrt_sbom(version);
    release_with(store, org_id, product, version, &bytes, &sbom)
        .await
        .0
        .id
}

async fn platform_findings(store: &Store, org_id: i64, release_id: i64) -> Vec<FindingRow> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .findings(
                org_id,
                &FindingFilter {
                    release_id: Some(release_id),
                    limit: Some(1000),
                    after_id: after,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        out.extend(page);
    }
    out
}

fn pairs_of(fs: &[FindingRow]) -> BTreeSet<Pair> {
    fs.iter()
        .map(|f| {
            (
                f.advisory_id.clone(),
                f.component_name.clone(),
                f.component_version.clone().unwrap_or_default(),
            )
        })
        .collect()
}

/// The kit's four OpenWrt SBOMs as releases: CPE findings at ingest (two releases) and by
/// re-matching after the NVD import (two releases uploaded before it) are exactly the pairs
/// `cyres scan` gives; a changed NVD record re-matches; Anchore's overrides layer over NVD
/// with the provenance on each finding. The kit's NVD data is complete only for 2002–2018 and
/// early-2023 CVE ids, so only equality with the CLI is asserted, never absence.
async fn firmware_cpe_findings_equal_the_cli(store: Store) {
    let a = org(&store, "Router maker").await;
    let nvd = kit_nvd(false);
    let index = cyres_vuln::Index::build(&nvd);
    // Two releases uploaded before the platform knows any NVD record: no findings yet.
    let mut releases = Vec::new();
    for v in &OPENWRT[..2] {
        let id = openwrt_release(&store, a.id, "Archer C7", v).await;
        assert!(platform_findings(&store, a.id, id).await.is_empty());
        releases.push(id);
    }
    assert_eq!(import_nvd(&store, &nvd, T0 + 20).await, 5290);
    let rematched = run_rematch_jobs(&store, T0 + 30).await;
    // Two uploaded after it: matched at ingest.
    for v in &OPENWRT[2..] {
        releases.push(openwrt_release(&store, a.id, "Archer C7", v).await);
    }
    let mut total = 0;
    for (v, id) in OPENWRT.iter().zip(&releases) {
        let fs = platform_findings(&store, a.id, *id).await;
        assert!(
            fs.iter()
                .all(|f| matches!(f.match_kind.as_str(), "cpe" | "cpe_alias")
                    && f.provenance.as_deref() == Some("nvd")),
            "{v}"
        );
        let (platform, cli) = (pairs_of(&fs), cli_pairs(&index, v));
        assert_eq!(platform.len(), fs.len(), "{v}: one finding per pair");
        assert_eq!(
            platform,
            cli,
            "{v}: platform only {:?}, CLI only {:?}",
            platform.difference(&cli).collect::<Vec<_>>(),
            cli.difference(&platform).collect::<Vec<_>>()
        );
        eprintln!("{v}: {} (CVE, component) pairs, platform = CLI", cli.len());
        total += cli.len();
    }
    assert_eq!(
        rematched,
        pairs_of(&platform_findings(&store, a.id, releases[0]).await).len()
            + pairs_of(&platform_findings(&store, a.id, releases[1]).await).len()
    );
    assert!(total > 500, "{total}");
    // Re-importing the same records changes nothing and queues nothing.
    assert_eq!(import_nvd(&store, &nvd, T0 + 40).await, 0);
    assert_eq!(run_rematch_jobs(&store, T0 + 50).await, 0);

    // An NVD record changes: its new criteria reach busybox in every release.
    let mut changed = nvd
        .configurations
        .iter()
        .find(|c| c.cve_id == "CVE-2002-0001")
        .or(nvd.configurations.first())
        .unwrap()
        .clone();
    let cve = changed.cve_id.clone();
    let mut criterion = changed.configurations[0].nodes[0].cpe_match[0].clone();
    criterion.criteria = "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*".into();
    criterion.vulnerable = true;
    criterion.version_end_excluding = Some("1.37.0".into());
    criterion.version_start_including = None;
    criterion.version_start_excluding = None;
    criterion.version_end_including = None;
    changed.configurations[0].nodes[0].cpe_match.push(criterion);
    let imp = store
        .upsert_cpe_configurations(std::slice::from_ref(&changed), T0 + 60)
        .await
        .unwrap();
    assert_eq!(imp.updated, 1);
    assert!(imp.changed_keys.contains("cpe/busybox:busybox"));
    assert_eq!(
        run_rematch_jobs(&store, T0 + 70).await,
        4,
        "busybox in 4 releases"
    );
    for id in &releases {
        assert!(
            platform_findings(&store, a.id, *id)
                .await
                .iter()
                .any(|f| f.advisory_id == cve && f.component_name == "busybox")
        );
    }

    // Overrides layered over NVD (a second manufacturer uploads after both imports, so its
    // findings are exactly the layered answer), each finding saying who wrote the rule.
    let layered = kit_nvd(true);
    import_nvd(&store, &layered, T0 + 80).await;
    run_rematch_jobs(&store, T0 + 90).await;
    let layered_index = cyres_vuln::Index::build(&layered);
    let b = org(&store, "Second router maker").await;
    let mut from_override = 0;
    for v in OPENWRT {
        let id = openwrt_release(&store, b.id, "Archer C7", v).await;
        let fs = platform_findings(&store, b.id, id).await;
        let cli = cli_pairs(&layered_index, v);
        assert_eq!(pairs_of(&fs), cli, "{v} with overrides");
        let cli_provenance: BTreeSet<(String, String, Option<&str>)> =
            cyres_vuln::match_sbom(&layered_index, &openwrt_sbom(v).1)
                .findings
                .iter()
                .map(|f| {
                    (
                        f.id.clone(),
                        f.component.name.clone(),
                        f.provenance.map(|p| p.as_str()),
                    )
                })
                .collect();
        let platform_provenance: BTreeSet<(String, String, Option<&str>)> = fs
            .iter()
            .map(|f| {
                (
                    f.advisory_id.clone(),
                    f.component_name.clone(),
                    f.provenance.as_deref(),
                )
            })
            .collect();
        assert_eq!(platform_provenance, cli_provenance, "{v}");
        from_override += fs
            .iter()
            .filter(|f| f.provenance.as_deref() == Some("override"))
            .count();
        eprintln!(
            "{v} with overrides: {} pairs, {} from an override",
            cli.len(),
            fs.iter()
                .filter(|f| f.provenance.as_deref() == Some("override"))
                .count()
        );
    }
    assert!(from_override > 0);
}

/// One synthetic NVD record (a CVE id outside the kit's years) whose configurations change:
/// matched, no longer matched (withdrawn: kept, closed with a reason, the history says who),
/// matched again (reopened); an AND configuration matches only with its running-on platform in
/// the release, the product's own CPE (`sbom.product_cpe`) included, at ingest and re-match.
async fn nvd_changes_withdraw_and_reopen_findings(store: Store) {
    use cyres_vuln::nvd::{ConfigSource, Configuration, CveConfigurations};
    const CVE: &str = "CVE-2099-0001";
    let a = org(&store, "Router maker").await;
    let advisory = cyres_vuln::advisory::Advisory {
        id: CVE.into(),
        summary: Some("busybox flaw (synthetic)".into()),
        modified: Some("2026-09-21T00:00:00.000".into()),
        ..Default::default()
    };
    store
        .upsert_advisories(std::slice::from_ref(&advisory), "nvd", T0)
        .await
        .unwrap();
    let busybox = |end: &str| {
        format!(
            r#"{{"vulnerable":true,"criteria":"cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*","versionEndExcluding":"{end}"}}"#
        )
    };
    let set = |configs: String| {
        let store = store.clone();
        async move {
            let c = CveConfigurations {
                cve_id: CVE.into(),
                source: ConfigSource::Nvd,
                configurations: serde_json::from_str::<Vec<Configuration>>(&configs).unwrap(),
            };
            store
                .upsert_cpe_configurations(std::slice::from_ref(&c), T0)
                .await
                .unwrap();
        }
    };
    let rematch = |now: i64| {
        let store = store.clone();
        async move {
            let mut total = MatchOutcome::default();
            while let Some(job) = store.claim_job(now, 60).await.unwrap() {
                let cyres_store::Job::Rematch { keys, ids } = &job.job else {
                    panic!("only re-match jobs are queued here: {:?}", job.job);
                };
                let o = store.rematch(keys, ids.as_ref(), now).await.unwrap();
                total.new_findings += o.new_findings;
                total.withdrawn += o.withdrawn;
                total.reopened += o.reopened;
                store.finish_job(job.id).await.unwrap();
            }
            total
        }
    };
    set(format!(
        r#"[{{"nodes":[{{"operator":"OR","cpeMatch":[{}]}}]}}]"#,
        busybox("1.37.0")
    ))
    .await;
    let rel = openwrt_release(&store, a.id, "Archer C7", "23.05.0").await;
    rematch(T0 + 1).await;
    let of_cve = |fs: Vec<FindingRow>| {
        fs.into_iter()
            .filter(|f| f.advisory_id == CVE)
            .collect::<Vec<_>>()
    };
    let fs = of_cve(platform_findings(&store, a.id, rel).await);
    assert_eq!(
        fs.len(),
        1,
        "busybox 1.36.1 is below 1.37.0 (matched at ingest)"
    );
    let id = fs[0].id;
    assert_eq!(fs[0].status, VexStatus::UnderInvestigation);
    assert_eq!(store.finding_withdrawal(a.id, id).await.unwrap(), None);

    // NVD narrows the range: busybox 1.36.1 is no longer in it.
    set(format!(
        r#"[{{"nodes":[{{"operator":"OR","cpeMatch":[{}]}}]}}]"#,
        busybox("1.36.0")
    ))
    .await;
    let out = rematch(T0 + 10).await;
    assert_eq!((out.withdrawn, out.new_findings), (1, 0));
    let f = store.finding(a.id, id).await.unwrap();
    assert_eq!(f.status, VexStatus::NotAffected, "closed, not left open");
    assert_eq!(f.justification.as_deref(), Some(WITHDRAWN_JUSTIFICATION));
    let w = store
        .finding_withdrawal(a.id, id)
        .await
        .unwrap()
        .expect("marked");
    assert_eq!(w.at, T0 + 10);
    assert!(
        w.reason.contains(CVE) && w.reason.contains("no longer matched"),
        "{}",
        w.reason
    );
    let history = store.triage_history(a.id, id).await.unwrap();
    let last = history.last().unwrap();
    assert!(last.actor.starts_with("system") && last.comment == w.reason);
    // A second re-match with the same data changes nothing.
    store
        .rematch(
            &BTreeSet::from(["cpe/busybox:busybox".to_string()]),
            None,
            T0 + 11,
        )
        .await
        .unwrap();
    assert_eq!(
        store.triage_history(a.id, id).await.unwrap().len(),
        history.len()
    );

    // The range widens again: the same finding reopens (no duplicate).
    set(format!(
        r#"[{{"nodes":[{{"operator":"OR","cpeMatch":[{}]}}]}}]"#,
        busybox("1.37.0")
    ))
    .await;
    let out = rematch(T0 + 20).await;
    assert_eq!((out.reopened, out.new_findings), (1, 0));
    let f = store.finding(a.id, id).await.unwrap();
    assert_eq!(
        (f.status, f.justification),
        (VexStatus::UnderInvestigation, None)
    );
    assert_eq!(store.finding_withdrawal(a.id, id).await.unwrap(), None);

    // AND with a running-on platform: the product's own CPE (OpenWrt 23.05.0) holds, …
    let and = |platform: &str| {
        format!(
            r#"[{{"operator":"AND","nodes":[{{"operator":"OR","cpeMatch":[{}]}},
               {{"operator":"OR","cpeMatch":[{{"vulnerable":false,"criteria":"{platform}"}}]}}]}}]"#,
            busybox("1.37.0")
        )
    };
    set(and("cpe:2.3:o:openwrt:openwrt:23.05.0:*:*:*:*:*:*:*")).await;
    let out = rematch(T0 + 30).await;
    assert_eq!((out.withdrawn, out.reopened), (0, 0), "still matches");
    // … Red Hat Enterprise Linux is not in the release: withdrawn, and absent at ingest.
    set(and("cpe:2.3:o:redhat:enterprise_linux:8.0:*:*:*:*:*:*:*")).await;
    let out = rematch(T0 + 40).await;
    assert_eq!(out.withdrawn, 1);
    let rel2 = openwrt_release(&store, a.id, "Archer C7 (second)", "23.05.0").await;
    assert!(of_cve(platform_findings(&store, a.id, rel2).await).is_empty());
    // The platform in the SBOM: a release that carries it matches at ingest.
    let (bytes, mut sbom) = openwrt_sbom("23.05.0");
    sbom.components.push(cyres_sbom::Component {
        name: "rhel".into(),
        version: Some("8.0".into()),
        cpe_raw: Some("cpe:2.3:o:redhat:enterprise_linux:8.0:*:*:*:*:*:*:*".into()),
        ..Default::default()
    });
    let rel3 = release_with(&store, a.id, "Archer C7 on RHEL", "23.05.0", &bytes, &sbom)
        .await
        .0
        .id;
    assert_eq!(of_cve(platform_findings(&store, a.id, rel3).await).len(), 1);
    // And CLI agrees on each SBOM.
    let mut corpus = cyres_vuln::Corpus::new();
    corpus.load_document(
        "nvd.json",
        format!(
            r#"{{"format":"NVD_CVE","vulnerabilities":[{{"cve":{{"id":"{CVE}","configurations":{}}}}}]}}"#,
            and("cpe:2.3:o:redhat:enterprise_linux:8.0:*:*:*:*:*:*:*")
        )
        .as_bytes(),
    );
    let index = cyres_vuln::Index::build(&corpus);
    let cli = |sbom: &cyres_sbom::Sbom| {
        cyres_vuln::match_sbom(&index, sbom)
            .findings
            .iter()
            .filter(|f| f.id == CVE)
            .count()
    };
    assert_eq!((cli(&openwrt_sbom("23.05.0").1), cli(&sbom)), (0, 1));
}

/// Issue 17 point 1: a release's components with direct flags and findings, the dependency
/// path to a finding's component, and the portfolio search by name, purl, CPE, `vers:` range
/// and licence, scoped to the organisation.
async fn components_are_listed_searched_and_traced(store: Store) {
    let a = org(&store, "A").await;
    let b = org(&store, "B").await;
    store
        .upsert_advisories(&example_advisories(), "upload", T0)
        .await
        .unwrap();
    store.upsert_exploitation(&example_kev(), T0).await.unwrap();
    let (release, _) = release_with_sbom(&store, a.id, "Router", "2.4.1").await;

    let comps = store
        .release_components(a.id, release.id, -1, 100, false)
        .await
        .unwrap();
    assert_eq!(comps.len(), 10);
    let by_name = |n: &str| comps.iter().find(|c| c.component.name == n).unwrap();
    assert_eq!(by_name("openssl").component.direct, Some(true));
    assert_eq!(by_name("golang.org/x/net").component.direct, Some(false));
    assert_eq!(
        by_name("openssl").component.licenses.as_deref(),
        Some("OpenSSL")
    );
    let xnet = by_name("golang.org/x/net");
    assert!(!xnet.findings.is_empty(), "x/net v0.7.0 has findings");
    let with = store
        .release_components(a.id, release.id, -1, 100, true)
        .await
        .unwrap();
    assert!(with.iter().all(|c| !c.findings.is_empty()));
    assert!(with.len() < comps.len());
    assert!(
        store
            .release_components(b.id, release.id, -1, 100, false)
            .await
            .is_err(),
        "another organisation's release is missing"
    );

    // product → cloud-agent → x/net is shorter than product → cloud-agent → grpc → x/net.
    let path = store
        .finding_dependency_path(a.id, xnet.findings[0].id)
        .await
        .unwrap();
    assert!(path.from_product);
    let names: Vec<&str> = path.path.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["cloud-agent", "golang.org/x/net"]);
    let parents: BTreeSet<&str> = path.parents.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        parents,
        BTreeSet::from(["cloud-agent", "google.golang.org/grpc"])
    );
    assert!(
        store
            .finding_dependency_path(b.id, xnet.findings[0].id)
            .await
            .is_err()
    );

    let search = |q: ComponentQuery, org_id: i64| {
        let store = store.clone();
        async move { store.search_components(org_id, &q).await }
    };
    let names_of = |p: &ComponentPage| -> Vec<String> {
        p.hits.iter().map(|h| h.component.name.clone()).collect()
    };
    let q = |q: &str| ComponentQuery {
        q: Some(q.into()),
        ..ComponentQuery::default()
    };
    let page = search(q("OpenS"), a.id).await.unwrap();
    assert_eq!(names_of(&page), ["openssl"]);
    assert_eq!(page.hits[0].release_version, "2.4.1");
    assert_eq!(page.hits[0].product_name, "Router");
    assert!(search(q("OpenS"), b.id).await.unwrap().hits.is_empty());
    let page = search(q("cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*"), a.id)
        .await
        .unwrap();
    assert_eq!(names_of(&page), ["openssl"]);
    let page = search(q("cpe:2.3:a:openssl:openssl:3.0.0:*:*:*:*:*:*:*"), a.id)
        .await
        .unwrap();
    assert!(page.hits.is_empty(), "the CPE's version narrows");
    for (purl, version, hit) in [
        ("pkg:golang/golang.org/x/net", None, true),
        ("pkg:golang/golang.org/x/net@v0.7.0", None, true),
        ("pkg:golang/golang.org/x/net@v0.8.0", None, false),
        (
            "pkg:golang/golang.org/x/net",
            Some("vers:golang/>=v0.1.0|<v0.8.0"),
            true,
        ),
        (
            "pkg:golang/golang.org/x/net",
            Some("vers:golang/>=v0.8.0"),
            false,
        ),
    ] {
        let page = search(
            ComponentQuery {
                purl: Some(purl.into()),
                version: version.map(str::to_string),
                ..ComponentQuery::default()
            },
            a.id,
        )
        .await
        .unwrap();
        assert_eq!(page.hits.len(), usize::from(hit), "{purl} {version:?}");
        assert!(
            page.hits
                .iter()
                .all(|h| h.findings > 0 && h.component.direct == Some(false))
        );
    }
    let page = search(
        ComponentQuery {
            licence: Some("gpl-2.0".into()),
            ..ComponentQuery::default()
        },
        a.id,
    )
    .await
    .unwrap();
    let mut gpl = names_of(&page);
    gpl.sort();
    assert_eq!(gpl, ["busybox", "linux"]);
    let paged = search(
        ComponentQuery {
            licence: Some("gpl-2.0".into()),
            limit: Some(1),
            ..ComponentQuery::default()
        },
        a.id,
    )
    .await
    .unwrap();
    assert_eq!((paged.hits.len(), paged.next_offset), (1, Some(1)));
    for bad in [
        ComponentQuery::default(),
        ComponentQuery {
            purl: Some("not a purl".into()),
            ..ComponentQuery::default()
        },
        ComponentQuery {
            q: Some("x".into()),
            version: Some("vers:".into()),
            ..ComponentQuery::default()
        },
    ] {
        assert!(matches!(
            store.search_components(a.id, &bad).await,
            Err(StoreError::Invalid(_))
        ));
    }
}

/// Issue 17 point 2: `q` finds findings by id, alias, component and summary words; any sort
/// keeps actively exploited findings first across pages; wildcards are data.
async fn findings_search_puts_exploited_first(store: Store) {
    let a = org(&store, "A").await;
    let b = org(&store, "B").await;
    store
        .upsert_advisories(&example_advisories(), "upload", T0)
        .await
        .unwrap();
    store.upsert_exploitation(&example_kev(), T0).await.unwrap();
    let (release, _) = release_with_sbom(&store, a.id, "Router", "2.4.1").await;
    let search = |q: &str, sort: &str, limit: i64, offset: i64| {
        let (sort, descending) = FindingSort::parse(sort).unwrap();
        FindingSearch {
            filter: FindingFilter {
                release_id: Some(release.id),
                limit: Some(limit),
                ..Default::default()
            },
            q: Some(q.into()).filter(|q: &String| !q.is_empty()),
            sort,
            descending,
            offset,
            ..Default::default()
        }
    };
    let ids = |p: &FindingPage| -> Vec<String> {
        p.findings.iter().map(|f| f.advisory_id.clone()).collect()
    };
    let all = store
        .search_findings(a.id, &search("", "advisory", 100, 0))
        .await
        .unwrap();
    assert_eq!(all.findings.len(), 4);
    assert!(all.findings[0].exploited && all.findings[1].exploited);
    assert!(!all.findings[2].exploited && !all.findings[3].exploited);
    assert!(all.findings[2].advisory_id <= all.findings[3].advisory_id);
    // Pages follow the same order: exploited first across the whole result.
    let mut paged = Vec::new();
    let mut offset = 0;
    loop {
        let p = store
            .search_findings(a.id, &search("", "-advisory", 1, offset))
            .await
            .unwrap();
        paged.extend(p.findings.iter().map(|f| f.exploited));
        match p.next_offset {
            Some(o) => offset = o,
            None => break,
        }
    }
    assert_eq!(paged, [true, true, false, false]);
    let by_alias = store
        .search_findings(a.id, &search("cve-2023-44487", "", 100, 0))
        .await
        .unwrap();
    assert_eq!(
        ids(&by_alias),
        ["GHSA-qppj-fm5r-hxr3", "GHSA-qppj-fm5r-hxr3"]
    );
    let by_component = store
        .search_findings(a.id, &search("REGEX", "", 100, 0))
        .await
        .unwrap();
    assert_eq!(ids(&by_component), ["RUSTSEC-2022-0013"]);
    let summary = all
        .findings
        .iter()
        .find(|f| f.advisory_id == "RUSTSEC-2022-0013")
        .and_then(|f| f.summary.clone())
        .unwrap();
    let word = summary.split_whitespace().max_by_key(|w| w.len()).unwrap();
    let by_words = store
        .search_findings(a.id, &search(&format!("{word} regex"), "", 100, 0))
        .await
        .unwrap();
    assert_eq!(ids(&by_words), ["RUSTSEC-2022-0013"]);
    for nothing in ["%", "_", "regex nosuchword"] {
        let p = store
            .search_findings(a.id, &search(nothing, "", 100, 0))
            .await
            .unwrap();
        assert!(p.findings.is_empty(), "{nothing}");
    }
    let foreign = store
        .search_findings(b.id, &search("", "", 100, 0))
        .await
        .unwrap();
    assert!(foreign.findings.is_empty());

    // Advisory search by the package name as findings show it and by summary words.
    let tomcat = cyres_vuln::advisory::Advisory::from_json(
        br#"{"id":"GHSA-test-tomc-at00","modified":"2026-01-01T00:00:00Z",
        "summary":"Apache Tomcat request smuggling through chunked trailers",
        "affected":[{"package":{"ecosystem":"Maven","name":"org.apache.tomcat.embed:tomcat-embed-core"},
        "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"10.1.35"}]}]}]}"#,
    )
    .unwrap();
    store
        .upsert_advisories(&[tomcat], "upload", T0)
        .await
        .unwrap();
    for (text, found) in [
        ("tomcat-embed-core", true),
        ("org.apache.tomcat.embed:tomcat-embed-core", true),
        ("Smuggling TOMCAT", true),
        ("smuggling nosuchword", false),
        ("GHSA-test", true),
    ] {
        let hits = store.search_advisories(text, 10).await.unwrap();
        assert_eq!(
            hits.iter().any(|h| h.id == "GHSA-test-tomc-at00"),
            found,
            "{text}"
        );
    }
}

/// Issue 17, "Speed": the word index finds every substring the search promises (mid-token
/// too), is the path the search takes (a finding without its document is not found until the
/// store indexes it, as it does at open for findings older than migration 0029), and the CSV
/// export's reader gives the list's findings with the exported columns equal.
async fn findings_search_index_and_export_reader(store: Store) {
    let a = org(&store, "A").await;
    let b = org(&store, "B").await;
    store
        .upsert_advisories(&example_advisories(), "upload", T0)
        .await
        .unwrap();
    store.upsert_exploitation(&example_kev(), T0).await.unwrap();
    release_with_sbom(&store, a.id, "Router", "2.4.1").await;
    release_with_sbom(&store, a.id, "Router", "2.5.0").await;
    release_with_sbom(&store, b.id, "Router", "2.4.1").await;
    let q = |q: &str| FindingSearch {
        q: Some(q.into()),
        filter: FindingFilter {
            limit: Some(1000),
            ..Default::default()
        },
        ..Default::default()
    };
    let ids = |store: Store, org: i64, text: &'static str| async move {
        let mut v: Vec<(i64, String)> = store
            .search_findings(org, &q(text))
            .await
            .unwrap()
            .findings
            .into_iter()
            .map(|f| (f.id, f.advisory_id))
            .collect();
        v.sort();
        v
    };
    let by_alias = ids(store.clone(), a.id, "CVE-2023-44487").await;
    assert_eq!(by_alias.len(), 4, "two findings in each of two releases");
    assert!(by_alias.iter().all(|(_, adv)| adv == "GHSA-qppj-fm5r-hxr3"));
    // Inside a token: the alias's number, the middle of the GHSA id (exact ids only), a piece
    // of the purl; two words narrow.
    assert_eq!(ids(store.clone(), a.id, "023-4448").await, by_alias);
    assert!(ids(store.clone(), a.id, "qppj-fm5r").await.is_empty());
    assert_eq!(
        ids(store.clone(), a.id, "ghsa-QPPJ-fm5r-hxr3").await,
        by_alias
    );
    let regex = ids(store.clone(), a.id, "rege").await;
    assert_eq!(regex.len(), 2);
    assert_eq!(ids(store.clone(), a.id, "ege rege").await, regex);
    assert!(ids(store.clone(), a.id, "rege 44487").await.is_empty());
    assert_eq!(ids(store.clone(), b.id, "CVE-2023-44487").await.len(), 2);
    // Unindexed findings are not found, then indexed by the catch-up the store runs at open.
    use sqlx::Executor;
    store
        .raw_pool()
        .execute("UPDATE finding SET search_doc = NULL")
        .await
        .unwrap();
    assert!(ids(store.clone(), a.id, "CVE-2023-44487").await.is_empty());
    assert_eq!(store.index_unindexed_findings().await.unwrap(), 12);
    assert_eq!(ids(store.clone(), a.id, "CVE-2023-44487").await, by_alias);
    assert_eq!(store.index_unindexed_findings().await.unwrap(), 0);

    // The export's reader pages like `findings_by_id` and reads the same exported values.
    for search in [q(""), q("44487"), q("regex")] {
        let mut search = FindingSearch {
            q: search.q.filter(|q| !q.is_empty()),
            ..search
        };
        search.filter.limit = Some(3);
        let (mut listed, mut exported) = (Vec::new(), Vec::new());
        loop {
            let l = store.findings_by_id(a.id, &search).await.unwrap();
            let e = store.findings_export_page(a.id, &search).await.unwrap();
            listed.extend(l.iter().cloned());
            exported.extend(e);
            match l.last() {
                Some(last) if l.len() == 3 => search.filter.after_id = Some(last.id),
                _ => break,
            }
        }
        assert!(!listed.is_empty(), "{:?}", search.q);
        let exported_part = |f: &FindingRow| FindingRow {
            match_kind: String::new(),
            fixed_versions: Vec::new(),
            updated_at: 0,
            provenance: None,
            vex: FindingVex {
                decision_release_id: None,
                ..f.vex.clone()
            },
            ..f.clone()
        };
        let listed: Vec<FindingRow> = listed.iter().map(exported_part).collect();
        assert_eq!(exported, listed, "{:?}", search.q);
    }
}

/// Issue 17 point 2: a record naming a KEV CVE only under `related` (like PYSEC-2023-175 and
/// CVE-2023-4863) is flagged for the analyst; the finding is not exploited and proposes no case.
async fn related_kev_flags_but_does_not_exploit(store: Store) {
    let a = org(&store, "A").await;
    let related = cyres_vuln::advisory::Advisory::from_json(
        br#"{"id":"PYSEC-TEST-0001","modified":"2026-01-01T00:00:00Z",
        "summary":"Heap overflow in a bundled image decoder","related":["CVE-2023-4863"],
        "affected":[{"package":{"ecosystem":"crates.io","name":"serde"},
        "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.131"}]}]}]}"#,
    )
    .unwrap();
    store
        .upsert_advisories(&[related], "upload", T0)
        .await
        .unwrap();
    store.upsert_exploitation(&example_kev(), T0).await.unwrap();
    let (release, out) = release_with_sbom(&store, a.id, "Router", "2.4.1").await;
    assert_eq!((out.findings, out.exploited), (1, 0), "{out:?}");
    let f = store
        .findings(
            a.id,
            &FindingFilter {
                release_id: Some(release.id),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .remove(0);
    assert!(!f.exploited);
    assert_eq!(
        store.related_exploited(&f).await.unwrap(),
        ["CVE-2023-4863"]
    );
    assert!(
        store.cases(a.id).await.unwrap().is_empty(),
        "no case proposed"
    );
}

/// Issue 17 point 2: a finding whose record carries no severity (a `GO-…` record) takes the
/// highest CVSS of an alias the store holds, with the source kept; when the alias arrives
/// later, when the finding is inserted after it, and when the alias goes away.
async fn severity_is_borrowed_from_an_alias(store: Store) {
    let a = org(&store, "A").await;
    let adv = |json: &str| cyres_vuln::advisory::Advisory::from_json(json.as_bytes()).unwrap();
    let go = adv(
        r#"{"id":"GO-TEST-0001","modified":"2026-01-01T00:00:00Z","aliases":["CVE-2099-0001"],
        "summary":"Unscored record","affected":[{"package":{"ecosystem":"crates.io","name":"serde"},
        "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.131"}]}]}]}"#,
    );
    let ghsa = |modified: &str, withdrawn: &str| {
        adv(&format!(
            r#"{{"id":"GHSA-test-alia-s000","modified":"{modified}",{withdrawn}"aliases":["CVE-2099-0001","GO-TEST-0001"],
            "severity":[{{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}],
            "affected":[{{"package":{{"ecosystem":"Go","name":"example.com/elsewhere"}},
            "ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}}]}}]}}]}}"#
        ))
    };
    let nvd = adv(r#"{"id":"CVE-2099-0001","modified":"2026-01-01T00:00:00Z",
        "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}]}"#);
    store.upsert_advisories(&[go], "upload", T0).await.unwrap();
    let (r1, out) = release_with_sbom(&store, a.id, "Router", "2.4.1").await;
    assert_eq!(out.findings, 1, "{out:?}");
    let of = |release: i64| {
        let store = store.clone();
        async move {
            store
                .findings(
                    a.id,
                    &FindingFilter {
                        release_id: Some(release),
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
                .remove(0)
        }
    };
    let f = of(r1.id).await;
    assert_eq!(
        (f.severity.as_str(), f.score, f.severity_source.clone()),
        ("unknown", None, None)
    );

    // The aliases arrive: the highest reading wins (GHSA 9.8 over NVD 7.5), in the import's
    // transaction, and the list's severity filter sees it.
    let generation = store.findings_generation(a.id).await.unwrap();
    store
        .upsert_advisories(&[nvd, ghsa("2026-01-01T00:00:00Z", "")], "upload", T0 + 1)
        .await
        .unwrap();
    let f = of(r1.id).await;
    assert_eq!(
        (f.severity.as_str(), f.score, f.severity_source.as_deref()),
        ("critical", Some(9.8), Some("GHSA-test-alia-s000"))
    );
    assert!(store.findings_generation(a.id).await.unwrap() > generation);
    let critical = store
        .findings(
            a.id,
            &FindingFilter {
                severity: Some("critical".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(critical.len(), 1);

    // A finding inserted after the aliases takes the borrowed severity at once.
    let (r2, _) = release_with_sbom(&store, a.id, "Router", "2.5.0").await;
    assert_eq!(
        of(r2.id).await.severity_source.as_deref(),
        Some("GHSA-test-alia-s000")
    );

    // The GHSA record is withdrawn: the NVD record's 7.5 remains.
    store
        .upsert_advisories(
            &[ghsa(
                "2026-02-01T00:00:00Z",
                r#""withdrawn":"2026-02-01T00:00:00Z","#,
            )],
            "upload",
            T0 + 2,
        )
        .await
        .unwrap();
    for r in [r1.id, r2.id] {
        let f = of(r).await;
        assert_eq!(
            (f.severity.as_str(), f.score, f.severity_source.as_deref()),
            ("high", Some(7.5), Some("CVE-2099-0001"))
        );
    }
    // The start-up pass after migration 0022 runs once and finds nothing left to change.
    assert_eq!(
        store.backfill_alias_severity(T0 + 3).await.unwrap(),
        Some(0)
    );
    assert_eq!(store.backfill_alias_severity(T0 + 4).await.unwrap(), None);
}

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
    let far = date!(2099 - 01 - 01);
    for (first, last) in [(None, None), (Some(date!(2026 - 03 - 01)), None)] {
        if first.is_some() {
            store
                .set_product_placing(a.id, p.id, placing(first, last), &me(), T0)
                .await
                .unwrap();
        }
        let kept = store
            .delete_conformity_upload(a.id, p.id, "pentest-2028", 1, far, &me(), T0)
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
        .delete_conformity_upload(a.id, p.id, "pentest-2028", 1, until, &me(), T0)
        .await
        .unwrap_err();
    assert!(kept.to_string().contains("kept until 2038-03-01"), "{kept}");
    assert_eq!(store.conformity_uploads(a.id, p.id).await.unwrap().len(), 2);
    store
        .delete_conformity_upload(
            a.id,
            p.id,
            "pentest-2028",
            1,
            date!(2038 - 03 - 02),
            &me(),
            T0,
        )
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

#[path = "parts/lifecycle.rs"]
mod lifecycle;

/// Open findings of the four kit releases by match kind.
async fn kinds_of(store: &Store, org_id: i64, releases: &[i64]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for id in releases {
        for f in platform_findings(store, org_id, *id).await {
            if store
                .finding_withdrawal(org_id, f.id)
                .await
                .unwrap()
                .is_none()
            {
                *out.entry(f.match_kind).or_default() += 1;
            }
        }
    }
    out
}

/// Issue 20 point 3 on the kit's four OpenWrt SBOMs: what resolution adds over the literal
/// CPEs, counted separately for the alias table, analyst decisions and derived candidates.
/// Derived candidates give no finding until confirmed (kept apart, match kind `derived`);
/// a confirmation is a decision for the whole portfolio, a rejection is remembered, a
/// withdrawn decision withdraws its findings; every step is audited.
async fn firmware_resolution_adds_true_findings(store: Store) {
    let a = org(&store, "Router maker").await;
    let nvd = kit_nvd(false);
    import_nvd(&store, &nvd, T0 + 1).await;
    let mut releases = Vec::new();
    for v in OPENWRT {
        releases.push(openwrt_release(&store, a.id, "Archer C7", v).await);
    }
    let before = kinds_of(&store, a.id, &releases).await;
    eprintln!("literal and alias: {before:?}");

    assert_eq!(before["cpe"], 801, "literal CPEs");
    assert_eq!(before["cpe_alias"], 77, "the alias table adds");

    // Derived candidates: proposed at upload, their findings kept apart.
    let proposed = store.cpe_candidates(a.id, Some("proposed")).await.unwrap();
    let mut derived = BTreeMap::new();
    for c in &proposed {
        let fs = store.cpe_candidate_findings(a.id, c.id).await.unwrap();
        assert!(
            fs.iter()
                .all(|f| f.match_kind == "derived" && f.status == "needs_confirmation")
        );
        derived.insert(
            (c.subject.as_str(), format!("{}:{}", c.vendor, c.product)),
            fs.len(),
        );
    }
    assert_eq!(
        derived,
        BTreeMap::from([
            (
                ("purl:pkg:openwrt/jansson", "jansson_project:jansson".into()),
                0
            ),
            (("purl:pkg:openwrt/liblua", "lua:lua".into()), 3),
            (("purl:pkg:openwrt/libncurses", "gnu:ncurses".into()), 5),
            (("purl:pkg:openwrt/lua", "lua:lua".into()), 3),
        ])
    );
    assert_eq!(
        kinds_of(&store, a.id, &releases).await,
        before,
        "not counted until confirmed"
    );

    // The analyst confirms the three right names and rejects jansson's (it gives nothing
    // either way; the rejection is remembered).
    let id_of = |subject: &str| proposed.iter().find(|c| c.subject == subject).unwrap().id;
    let mut confirmed = 0;
    for s in [
        "purl:pkg:openwrt/liblua",
        "purl:pkg:openwrt/lua",
        "purl:pkg:openwrt/libncurses",
    ] {
        let (d, out) = store
            .confirm_cpe_candidate(a.id, id_of(s), None, &me(), T0 + 10)
            .await
            .unwrap();
        assert_eq!((d.origin.as_str(), d.subject.as_str()), ("candidate", s));
        confirmed += out.new_findings;
    }
    // CVE-2014-5461 in lua and liblua 5.1.5 (19.07–22.03; 23.05 carries `lua:lua` itself),
    // CVE-2018-19211/-19217 and CVE-2023-29491 in libncurses 6.1–6.3.
    assert_eq!(confirmed, 11, "derived candidates add, once confirmed");
    store
        .reject_cpe_candidate(a.id, id_of("purl:pkg:openwrt/jansson"), &me(), T0 + 11)
        .await
        .unwrap();
    assert_eq!(
        store
            .derive_cpe_candidates(a.id, &me(), T0 + 12)
            .await
            .unwrap(),
        0
    );
    assert!(
        store
            .cpe_candidates(a.id, Some("proposed"))
            .await
            .unwrap()
            .is_empty()
    );
    let after = kinds_of(&store, a.id, &releases).await;
    assert_eq!(after["analyst_decision"], 11);
    assert_eq!((after["cpe"], after["cpe_alias"]), (801, 77));

    // A decision for a name nothing derives: ESnet's iperf3 is `es:iperf3` in NVD. The kit's
    // one iperf3 record (CVE-2016-4303, < 3.1.3) is older than every image's iperf3: no finding.
    for name in ["iperf3", "libiperf3"] {
        let d = NewCpeDecision {
            subject: cyres_vuln::cpe_resolve::parse_subject(name).unwrap(),
            vendor: "es".into(),
            product: "iperf3".into(),
            note: Some("ESnet iperf3".into()),
        };
        let (_, out) = store
            .record_cpe_decision(a.id, &d, &me(), T0 + 13)
            .await
            .unwrap();
        assert_eq!(out.new_findings, 0, "{name}");
        assert!(out.components > 0, "{name}: its rows were re-matched");
    }

    // Withdrawing a decision withdraws its findings; recording it directly brings them back.
    let ncurses = store
        .cpe_decisions(a.id, false)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.subject == "purl:pkg:openwrt/libncurses")
        .unwrap();
    let (gone, out) = store
        .withdraw_cpe_decision(a.id, ncurses.id, &me(), T0 + 14)
        .await
        .unwrap();
    assert!(gone.withdrawn_at.is_some());
    assert_eq!(out.withdrawn, 5);
    let d = NewCpeDecision {
        subject: "name:libncurses".into(),
        vendor: "gnu".into(),
        product: "ncurses".into(),
        note: None,
    };
    let (direct, out) = store
        .record_cpe_decision(a.id, &d, &me(), T0 + 15)
        .await
        .unwrap();
    assert_eq!((out.reopened, out.relabelled), (5, 5));
    let f = platform_findings(&store, a.id, releases[0])
        .await
        .into_iter()
        .find(|f| f.component_name == "libncurses")
        .unwrap();
    assert_eq!(f.match_kind, "analyst_decision");
    let shown = store
        .cpe_decision_of_finding(a.id, f.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (shown.id, shown.decided_by.as_str()),
        (direct.id, "user:1 (alice@example.com)")
    );

    // A changed NVD record under the decided name reaches the decided components.
    let mut changed = nvd.configurations[0].clone();
    let mut criterion = changed.configurations[0].nodes[0].cpe_match[0].clone();
    criterion.criteria = "cpe:2.3:a:lua:lua:*:*:*:*:*:*:*:*".into();
    criterion.vulnerable = true;
    criterion.version_end_excluding = Some("9".into());
    criterion.version_start_including = None;
    criterion.version_start_excluding = None;
    criterion.version_end_including = None;
    changed.configurations[0].nodes[0].cpe_match.push(criterion);
    store
        .upsert_cpe_configurations(std::slice::from_ref(&changed), T0 + 16)
        .await
        .unwrap();
    assert_eq!(
        run_rematch_jobs(&store, T0 + 17).await,
        8,
        "lua and liblua in 4 releases (3 by decision, 1 by their own CPE)"
    );

    // Every step is in the audit trail.
    let actions: Vec<String> = store
        .audit_events(a.id, 200)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for want in [
        "cpe_candidate.derive",
        "cpe_decision.record",
        "cpe_candidate.reject",
        "cpe_decision.withdraw",
    ] {
        assert!(actions.iter().any(|a| a == want), "{want}");
    }
    eprintln!(
        "kit: literal {} + alias table {} + confirmed derived {} + decisions 0",
        before["cpe"], before["cpe_alias"], confirmed
    );
}
