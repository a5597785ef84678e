//! The storage suite, one module per area of the store (`src/<area>.rs` is tested in
//! `tests/store/<area>.rs`), sharing the fixtures below. Every case runs twice, declared once
//! with `both!` (cyres-store's `testing` feature): on SQLite (a fresh file) and on PostgreSQL
//! (a fresh database in the cluster named by `CYRES_TEST_PG_URL`, which `scripts/test.sh`
//! starts with `scripts/pg.sh`). Without that variable the PostgreSQL variants fail with a
//! message saying how to provide it, unless `CYRES_SKIP_PG=1` says to skip them on purpose.
//! `cargo test -p cyres-store --test store audit::` runs one area.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use cyres_store::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

mod advisories;
mod alerts;
mod alias_severity;
mod audit;
mod cases;
mod components;
mod conformity;
mod cpe_configurations;
mod cpe_decisions;
mod csaf;
mod export;
mod finding_search;
mod findings;
mod identity;
mod inventory;
mod invitations;
mod jobs;
mod lease;
mod lifecycle;
mod notices;
mod tenants;
mod triage;
mod withdrawal;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

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

/// A second pool on the same database, for tests that tamper with the schema.
async fn store_pool(store: &Store) -> sqlx::AnyPool {
    store.raw_pool()
}

/// A stored closed set (`state_words!`) read end to end: each value's word is its `FromStr`
/// and serde word, and, written into `column` of row `id` of `table`, reads back through the
/// store (`read`) as that value; a word no release knows reads as [`StoreError::Corrupt`]
/// naming the column, never as a default.
async fn stored_words<T, Fut>(
    store: &Store,
    (table, column, id): (&str, &'static str, i64),
    all: &[T],
    read: impl Fn() -> Fut,
) where
    T: Copy
        + std::fmt::Debug
        + std::fmt::Display
        + PartialEq
        + std::str::FromStr
        + serde::Serialize,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    let pool = store.raw_pool();
    let write = |word: String| {
        let pool = pool.clone();
        async move {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE {table} SET {column} = $1 WHERE id = $2"
            )))
            .bind(word)
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
        }
    };
    assert!(!all.is_empty());
    for v in all {
        let word = v.to_string();
        assert_eq!(word.parse::<T>().ok(), Some(*v), "{word} parses back");
        assert_eq!(
            serde_json::to_value(v).unwrap(),
            serde_json::Value::String(word.clone()),
            "serde writes the stored word"
        );
        write(word).await;
        assert_eq!(read().await.unwrap(), *v);
    }
    write("retired-in-a-later-release".into()).await;
    match read().await {
        Err(StoreError::Corrupt { what, message }) => {
            assert_eq!(what, column);
            assert!(message.contains("retired-in-a-later-release"), "{message}");
        }
        other => panic!("an unknown {table}.{column} word read as {other:?}"),
    }
}

/// A case opened by hand, aware at `T0`, with an empty body.
async fn manual_case(
    store: &Store,
    org_id: i64,
    kind: cyres_cra::CaseKind,
    title: &str,
) -> CaseRow {
    store
        .create_case(
            org_id,
            &ManualCase {
                kind,
                title,
                advisory_id: None,
                body: &serde_json::json!({}),
                aware_at: T0,
            },
            &me(),
            T0,
        )
        .await
        .unwrap()
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

/// Every transaction starts through `Store::begin` (`BEGIN IMMEDIATE` on SQLite). A plain
/// `pool.begin()` starts a SQLite transaction as a reader; its first write after another
/// connection committed fails at once with `SQLITE_BUSY_SNAPSHOT` (no busy timeout applies),
/// which surfaced as a rare 500 on accepting an invitation while the worker wrote. Read from
/// the crate's source, so a new one fails here.
#[test]
fn every_transaction_starts_through_store_begin() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let (mut offenders, mut found) = (Vec::new(), 0);
    let mut files = vec![src];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, line) in text.lines().enumerate() {
            let starts = line.contains(".begin()") || line.contains(".begin_with(");
            let the_one = path.ends_with("lib.rs")
                && (line.contains("Backend::Sqlite => self.pool.begin_with(\"BEGIN IMMEDIATE\")")
                    || line.contains("Backend::Postgres => self.pool.begin()"));
            found += usize::from(the_one);
            if starts && !the_one && !line.contains("self.begin()") {
                offenders.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
            }
        }
    }
    assert_eq!(
        found, 2,
        "Store::begin itself was not found: the reader is broken"
    );
    assert!(
        offenders.is_empty(),
        "transactions not started by Store::begin:\n{}",
        offenders.join("\n")
    );
}
