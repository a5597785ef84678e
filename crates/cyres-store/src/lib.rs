//! One storage API over SQLite (the embedded default) and PostgreSQL (production).
//!
//! Everything the platform keeps goes through [`Store`]: tenants and access (organisations,
//! accounts, memberships, sessions, API tokens), the inventory (products, releases, SBOMs and
//! their components), advisories and exploitation facts, findings with their VEX triage
//! history, alerts and their delivery outbox, Art. 14 cases and the publication of notices to
//! a product's subscribers, advisory-source sync state, background jobs and the audit trail.
//!
//! Invariants:
//! - One SQL text serves both engines: `$n` placeholders in ascending order of first use,
//!   times as UTC Unix seconds, JSON as text, booleans as 0/1 integers, no extensions. That
//!   keeps the SQL inside the subset PostgreSQL-compatible distributed engines accept. Only
//!   the DDL differs, so there are two migration folders (`migrations/sqlite`,
//!   `migrations/pg`), embedded and applied at start; they are append-only.
//! - Every multi-row change runs in one transaction, and state changes made for a person or
//!   token write their audit event inside that same transaction.
//! - Every read and write of tenant data is scoped by organisation id: a foreign id behaves
//!   exactly like a missing one ([`StoreError::NotFound`]).
//! - Time is a parameter (`now`, Unix seconds); nothing here reads the clock.

#![deny(missing_docs)]

pub mod advisories;
mod alerts;
mod alias_severity;
mod audit;
mod cases;
mod compliance;
pub mod components;
mod conformity;
mod cpe_configurations;
mod cpe_decisions;
mod csaf;
mod csaf_lister;
mod error;
mod export;
mod finding_search;
mod findings;
mod fleet;
pub use export::{ExportRow, ExportedPage, JsonWords};
pub use finding_search::{FindingPage, FindingSearch, FindingSort, RelatedCache};
pub use findings::SEVERITIES;
pub mod identity;
mod inventory;
mod invitations;
mod jobs;
mod lease;
mod lifecycle;
mod maintainer_notices;
mod metrics;
mod model;
mod notices;
pub mod notify_rules;
mod password_resets;
mod policies;
mod portfolio;
mod provisioning;
mod public_face;
mod search_index;
mod secrets;
mod tenants;
#[cfg(feature = "testing")]
pub mod testing;
pub mod text;
mod triage;
mod vex;
mod withdrawal;
mod words;
pub use words::{
    DeliveryChannel, DeliveryState, RuleChannel, RuleEvent, SubscriberChannel, words_of,
};

pub use audit::{AuditChain, AuditVerification, BrokenLink};
pub use cases::{
    AuthorityAction, AuthorityActionKind, CaseRow, CaseState, IncomingReport, MaintainerNotice,
    ManualCase, NewSubmission, ReceivedReport, SubmissionRow, SubmissionState,
};
pub use compliance::{
    AuthorityRequest, EconomicOperator, Informed, NewAuthorityRequest, NewOperator, NewSupply,
    NewUpstreamReport, OperatorCheck, OperatorLink, SupplyRecord, UpstreamDraft, UpstreamReport,
};
pub use components::{
    ComponentFinding, ComponentHit, ComponentInfo, ComponentPage, ComponentQuery, DependencyPath,
    PathStep, ReleaseComponent,
};
pub use conformity::{
    ConformityDocKind, ConformityDocVersion, NewUpload, StoredDeclaration, StoredPlacing, Upload,
    UploadVersion,
};
pub use cpe_decisions::{
    CandidateFinding, CpeCandidate, CpeCandidateState, CpeDecision, NewCpeDecision,
};
pub use csaf::{
    CSAF_BODY_MAX, CsafPublication, CsafRevision, CsafSigningKey, CsafState, NewCsafRevision,
};
pub use csaf_lister::{CsafMirror, CsafPull, CsafRefusal, CsafSource, NewCsafMirror};
pub use error::{Refusal, StoreError};
pub use fleet::{Device, Exposure, NewDevice};
pub use identity::{normalize_email, org_name_key};
pub use lifecycle::{
    DiffComponent, DiffFinding, ReleaseState, Retirement, SbomDiff, SbomVersion, VersionChange,
};
pub use metrics::FindingTimeline;
pub use model::*;
pub use notices::{
    NewNotice, NewSubscriber, NoticeDelivery, NoticeFeed, PublishedNotice, Subscriber,
};
pub use notify_rules::{EventFacts, NewNotifyRule, NotifyRule};
pub use password_resets::PasswordReset;
pub use policies::{PolicyScope, StoredPolicy};
pub use portfolio::{IngestOutcome, MatchOutcome, SbomUpload};
pub use public_face::{AnnexIiFields, AnnexIiRecord, PublicFace};
pub use secrets::SecretSealer;
pub use triage::{
    Decision, MAX_TRIAGE, RESPONSES, Suggestion, TriageOrigin, TriageSummary, TriageTarget,
};
pub use vex::{StatementReport, vex_statement};
pub use withdrawal::{WITHDRAWN_JUSTIFICATION, Withdrawal};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::path::Path;
use std::str::FromStr;

/// Which engine a [`Store`] runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, a file in the data directory.
    Sqlite,
    /// PostgreSQL (15 is what CI tests).
    Postgres,
}

impl Backend {
    /// `sqlite` or `postgres`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static PG_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/pg");

/// The storage handle: a connection pool plus the engine it talks to. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) pool: AnyPool,
    backend: Backend,
    /// The engine's own driver, for the CSV export's reader (`export.rs`).
    native: export::Native,
}

/// How long a SQLite writer waits for the write lock before giving up, milliseconds. Long
/// enough for the longest write transaction (a re-match of a large portfolio).
pub(crate) const SQLITE_BUSY_TIMEOUT_MS: u64 = 30_000;

/// Most rows one multi-row `INSERT` carries (keeps every statement under both engines'
/// bound-parameter limits).
pub(crate) const CHUNK_ROWS: usize = 400;

/// `$start, $start+1, …` for `n` bound parameters (numbered in ascending order, which both
/// engines need: SQLite numbers `$n` parameters by first appearance).
pub(crate) fn placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows per multi-row `INSERT` of `cols` columns. SQLite's driver looks each bound parameter up
/// by name with a linear scan, so its cost grows with the square of the parameter count: keep
/// statements near 400 parameters there (measured: 18 µs a row instead of 127 µs at 200 rows ×
/// 20 columns). PostgreSQL takes big statements well.
pub(crate) fn rows_per_insert(backend: Backend, cols: usize) -> usize {
    match backend {
        Backend::Sqlite => (400 / cols.max(1)).max(1),
        Backend::Postgres => CHUNK_ROWS / 2,
    }
}

impl Store {
    /// Opens (creating when needed) the SQLite database `cyres.db` in `data_dir`, in WAL mode,
    /// and applies pending migrations.
    pub async fn open_sqlite_dir(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| StoreError::Io {
            path: data_dir.display().to_string(),
            source: e,
        })?;
        let file = data_dir.join("cyres.db");
        let url = format!("sqlite://{}?mode=rwc", file.display());
        Self::open(&url).await
    }

    /// Opens `sqlite://…` or `postgres://…` and applies pending migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::Config(format!(
                "unsupported database URL scheme in {:?} (use sqlite:// or postgres://)",
                redact_url(url)
            )));
        };
        let options = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // A writer waits this long (ms) for the write lock instead of failing.
                        conn.execute(sqlx::AssertSqlSafe(format!(
                            "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}"
                        )))
                        .await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                    }
                    Ok(())
                })
            });
        let pool = options
            .connect(url)
            .await
            .map_err(|e| StoreError::Connect {
                url: redact_url(url),
                message: e.to_string(),
            })?;
        if backend == Backend::Sqlite {
            pool.execute("PRAGMA journal_mode = WAL").await?;
        }
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &PG_MIGRATIONS,
        };
        migrator.run(&pool).await?;
        let native = export::Native::open(backend, url)?;
        let store = Self {
            pool,
            backend,
            native,
        };
        // Audit rows written before the chain existed (migration 0010) join it now.
        let chained = store.chain_legacy_audit_events().await?;
        if chained > 0 {
            tracing::info!(events = chained, "audit events written before 0010 chained");
        }
        // Findings written before the search's word index (migration 0029) join it now.
        let indexed = store.index_unindexed_findings().await?;
        if indexed > 0 {
            tracing::info!(
                findings = indexed,
                "findings written before 0029 indexed for search"
            );
        }
        Ok(store)
    }

    /// Starts a write transaction. On SQLite it is `BEGIN IMMEDIATE`: the transaction takes
    /// the write lock at its start, waiting up to the busy timeout for another writer, instead
    /// of starting as a reader and failing with `SQLITE_BUSY_SNAPSHOT` ("database is locked",
    /// extended code 517) when it first writes after another connection committed. Every
    /// transaction in this crate starts here. PostgreSQL starts a plain `BEGIN` (row locks
    /// serialise writers there).
    pub(crate) async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// The engine.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Checks that the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// The underlying pool, for tests and benchmarks that need raw SQL.
    #[doc(hidden)]
    pub fn raw_pool(&self) -> AnyPool {
        self.pool.clone()
    }

    /// Closes the pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.close_native().await;
        self.pool.close().await;
    }
}

impl FromStr for Backend {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "sqlite" => Ok(Self::Sqlite),
            "postgres" => Ok(Self::Postgres),
            other => Err(format!("unknown backend {other:?}")),
        }
    }
}

/// The URL with any password replaced by `***`, safe for logs and errors.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            let masked = if userinfo.contains(':') {
                format!("{user}:***")
            } else {
                user.to_string()
            };
            format!("{scheme}://{masked}@{host}{tail}")
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_leave_redact_url() {
        assert_eq!(
            redact_url("postgres://cyres:s3cret@db:5432/cyres"),
            "postgres://cyres:***@db:5432/cyres"
        );
        assert_eq!(redact_url("postgres://u@h/d"), "postgres://u@h/d");
        assert_eq!(redact_url("sqlite:///x/cyres.db"), "sqlite:///x/cyres.db");
    }
}
