//! What the store benchmarks share besides the fixture: the database to run on (SQLite in a
//! temp dir, or a throwaway database in the PostgreSQL server named by `CYRES_BENCH_PG_URL` /
//! `CYRES_TEST_PG_URL`), the kit's advisory corpus and its import, and the clean-up.

use cyres_store::{Exploitation, Store};
use cyres_vuln::Corpus;
use sqlx::Executor;
use std::path::PathBuf;

/// The kit's OSV archives and the KEV catalogue: the advisory corpus of the run.
pub(crate) const SOURCES: &[&str] = &[
    "advisories/rustsec-osv.tar.zst",
    "advisories/golang-osv.tar.zst",
    "advisories/pypa-osv.tar.zst",
    "advisories/ghsa-osv-subset.tar.zst",
    "advisories/cisa-kev/known_exploited_vulnerabilities.json",
];

/// An integer from the environment, else `default`.
pub(crate) fn env_i64(name: &str, default: i64) -> i64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// The kit's advisory corpus ([`SOURCES`]).
pub(crate) fn kit_corpus() -> Corpus {
    let mut corpus = Corpus::new();
    for s in SOURCES {
        corpus
            .load_path(&cyres_kit::kit_file(s), &mut |_| {})
            .expect("kit advisory archive loads");
    }
    corpus
}

/// Stores the corpus's advisories and KEV entries as an import does.
pub(crate) async fn import_corpus(
    store: &Store,
    corpus: &Corpus,
    now: i64,
) -> cyres_store::advisories::AdvisoryImport {
    let imported = store
        .upsert_advisories(&corpus.advisories, "kit", now)
        .await
        .expect("import kit advisories");
    let facts: Vec<Exploitation> = corpus
        .kev
        .iter()
        .map(|k| Exploitation {
            cve_id: k.cve_id.clone(),
            source: "kev".into(),
            date_added: Some(k.date_added.clone()),
            due_date: Some(k.due_date.clone()),
            ransomware: k.ransomware,
            reference: None,
        })
        .collect();
    store
        .upsert_exploitation(&facts, now)
        .await
        .expect("import KEV");
    imported
}

/// The database to run on: (URL for the store, admin URL and database name to drop after).
pub(crate) async fn database() -> (String, Option<(String, String)>, Option<PathBuf>) {
    let force_sqlite = std::env::args().any(|a| a == "--sqlite");
    let pg = std::env::var("CYRES_BENCH_PG_URL")
        .or_else(|_| std::env::var("CYRES_TEST_PG_URL"))
        .ok()
        .filter(|_| !force_sqlite);
    match pg {
        Some(admin) => {
            sqlx::any::install_default_drivers();
            let name = format!("cyres_bench_{}", std::process::id());
            let pool = sqlx::AnyPool::connect(&admin)
                .await
                .expect("connect to PostgreSQL");
            pool.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .await
                .expect("create bench database");
            pool.close().await;
            // Keep connection options (e.g. `?statement-cache-capacity=0`) for the bench database.
            let (path, query) = match admin.split_once('?') {
                Some((p, q)) => (p, format!("?{q}")),
                None => (admin.as_str(), String::new()),
            };
            let (base, _) = path.rsplit_once('/').expect("URL ends in /database");
            (
                format!("{base}/{name}{query}"),
                Some((admin.clone(), name)),
                None,
            )
        }
        None => {
            let dir = std::env::temp_dir().join(format!("cyres-bench-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("temp dir");
            let url = format!("sqlite://{}?mode=rwc", dir.join("cyres.db").display());
            (url, None, Some(dir))
        }
    }
}

/// Closes the store and drops the benchmark database (unless `CYRES_BENCH_KEEP` is set).
pub(crate) async fn finish(
    store: Store,
    pg_admin: Option<(String, String)>,
    sqlite_dir: Option<PathBuf>,
) {
    store.close().await;
    if let Some((admin, name)) = pg_admin
        && std::env::var("CYRES_BENCH_KEEP").is_err()
    {
        let pool = sqlx::AnyPool::connect(&admin).await.expect("reconnect");
        let _ = pool
            .execute(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name}"
            )))
            .await;
        pool.close().await;
    }
    if let Some(dir) = sqlite_dir
        && std::env::var("CYRES_BENCH_KEEP").is_err()
    {
        let _ = std::fs::remove_dir_all(dir);
    }
}
