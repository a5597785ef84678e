//! Test support shared by the storage suite and the server's suite (cargo feature `testing`,
//! enabled only by their dev-dependencies): the two engines, a fresh database on each, and the
//! [`both!`](crate::both) macro that declares one test once and runs it on both.
//!
//! The PostgreSQL variant takes a fresh database in the cluster named by `CYRES_TEST_PG_URL`
//! (`scripts/test.sh` starts one with `scripts/pg.sh`). Without that variable it fails with a
//! message saying how to provide it, unless `CYRES_SKIP_PG=1` says to skip it on purpose.

use crate::Store;
use std::future::Future;
use std::path::{Path, PathBuf};

/// The database engine a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// An SQLite file in a fresh directory.
    Sqlite,
    /// A fresh database in the cluster of `CYRES_TEST_PG_URL`.
    Postgres,
}

/// A name no other test of this run (nor a parallel run) has: process, time, counter.
pub fn unique() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "{}_{}_{}",
        std::process::id(),
        t % 1_000_000_000,
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// A directory removed (with its contents) when dropped.
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A fresh, empty directory under the system's temporary directory, named `prefix-…`.
    pub fn new(prefix: &str) -> Self {
        let p = std::env::temp_dir().join(format!("{prefix}-{}", unique()));
        std::fs::create_dir_all(&p).expect("create a temporary directory");
        TempDir(p)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The database URL a test on `engine` uses: `Some(None)` for SQLite (the caller's data
/// directory), `Some(Some(url))` for a fresh PostgreSQL database, `None` when the PostgreSQL
/// variant is skipped on request (`CYRES_SKIP_PG=1`).
pub async fn database_url(engine: Engine) -> Option<Option<String>> {
    match engine {
        Engine::Sqlite => Some(None),
        Engine::Postgres => {
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
                .expect("connect to the test cluster");
            let name = format!("cyres_t{}", unique());
            pool.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .await
                .expect("create a test database");
            pool.close().await;
            let (base, _) = admin
                .rsplit_once('/')
                .expect("CYRES_TEST_PG_URL names a database");
            Some(Some(format!("{base}/{name}")))
        }
    }
}

/// A fresh, migrated store on `engine` and the directory that holds it (empty on
/// PostgreSQL); `None` when the PostgreSQL variant is skipped on request.
pub async fn open(engine: Engine) -> Option<(Store, TempDir)> {
    let dir = TempDir::new("cyres-store-test");
    let store = match database_url(engine).await? {
        None => Store::open_sqlite_dir(dir.path()).await,
        Some(url) => Store::open(&url).await,
    }
    .expect("open the test store");
    Some((store, dir))
}

/// A test body [`both!`](crate::both) can run on an engine: an async function of the
/// [`Engine`] (it starts what it needs itself) or of a fresh [`Store`].
pub trait EngineTest<Arg> {
    /// Runs the test on `engine`.
    fn run(self, engine: Engine) -> impl Future<Output = ()>;
}

impl<F, Fut> EngineTest<Engine> for F
where
    F: FnOnce(Engine) -> Fut,
    Fut: Future<Output = ()>,
{
    fn run(self, engine: Engine) -> impl Future<Output = ()> {
        self(engine)
    }
}

impl<F, Fut> EngineTest<Store> for F
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    async fn run(self, engine: Engine) {
        if let Some((store, _dir)) = open(engine).await {
            self(store).await;
        }
    }
}

/// Declares each named async test function twice, as `sqlite::NAME` and `postgres::NAME`, in
/// the module where it is invoked; each function takes an [`Engine`](crate::testing::Engine) or a
/// fresh [`Store`] (see [`EngineTest`](crate::testing::EngineTest)).
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                $crate::testing::EngineTest::run(super::$name, $crate::testing::Engine::Sqlite).await;
            }
        )* }
        mod postgres { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                $crate::testing::EngineTest::run(super::$name, $crate::testing::Engine::Postgres).await;
            }
        )* }
    };
}
