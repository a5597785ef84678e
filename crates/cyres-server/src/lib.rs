//! The cyres platform service behind `cyres serve`.
//!
//! - [`Config`] says where data lives (SQLite under `--data-dir`, or PostgreSQL by URL), where
//!   to listen, the upload limit, advisory sources and SMTP.
//! - [`App::start`] opens the store (migrations run there), makes sure there is a first
//!   administrator (from the environment, or a one-time setup link), and starts the background
//!   worker (jobs, alert deliveries, advisory sync).
//! - [`App::router`] is the HTTP surface: `/healthz`, `/readyz`, `/setup`, and the JSON API
//!   under `/api/v1` described by `/api/v1/openapi.json`.
//! - [`serve`] binds, serves until the shutdown signal, lets in-flight requests finish and
//!   stops the worker between two units of work; unfinished work stays in the store as jobs
//!   and pending deliveries and is picked up on the next start.
//!
//! Invariants: every handler acts for exactly one organisation (from its session or token) and
//! every store call it makes is scoped by that organisation; time comes from the injected
//! [`Clock`]; no secret (password, token, session id, webhook secret) is logged or echoed.

#![deny(missing_docs)]
#![recursion_limit = "512"]

mod api;
mod auth;
mod clock;
mod error;
mod facts_cache;
mod notices;
mod openapi;
mod page_cache;
mod setup;
mod ui;
mod upload;
mod worker;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::ApiError;
pub use ui::demo::{DEMO_EMAIL, DEMO_PASSWORD, DemoLogin, seed_demo};
pub use worker::Worker;

use cyres_store::Store;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::{Notify, watch};

/// Everything `cyres serve` is configured with.
#[derive(Clone, Debug)]
pub struct Config {
    /// Data directory (SQLite database, temporary uploads).
    pub data_dir: PathBuf,
    /// `postgres://…` to use PostgreSQL instead of SQLite in `data_dir`.
    pub database_url: Option<String>,
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Largest accepted upload (SBOMs, advisory files), bytes. Default 512 MiB.
    pub max_upload_bytes: u64,
    /// Mark cookies `Secure` (set when the public URL is https).
    pub secure_cookies: bool,
    /// Base URL people reach the server at (for links in alerts and the setup link).
    pub public_url: String,
    /// Advisory sources to sync.
    pub sources: Vec<cyres_feeds::SourceConfig>,
    /// How often to sync sources, seconds (0: never on a schedule).
    pub sync_interval_secs: u64,
    /// SMTP relay for e-mail alerts.
    pub smtp: Option<SmtpSettings>,
    /// How often the worker looks for due work, milliseconds.
    pub worker_tick_ms: u64,
    /// Where Article 14 reports are delivered (another cyres instance acting as the
    /// authority). Without it, reports are kept for export and manual portal entry.
    pub reporting: Option<ReportingEndpoint>,
    /// Reminder lead times before each Article 14 deadline, seconds (default 12 h and 2 h).
    pub reminder_leads: Vec<i64>,
    /// A TUF repository made with `cyres repo`: served under `/updates/`, its timestamp and
    /// snapshot renewed with the online keys before they expire.
    pub update_repo: Option<PathBuf>,
    /// First retry delay of the report outbox, seconds (doubles up to an hour).
    pub outbox_retry_base_secs: u64,
    /// Thresholds and weights of ENISA's systemic-risk assessment (authority instances).
    pub systemic: cyres_report::SystemicConfig,
}

/// The authority instance reports are delivered to.
#[derive(Clone)]
pub struct ReportingEndpoint {
    /// Base URL of the authority instance.
    pub url: String,
    /// API token the authority issued to this manufacturer (never logged).
    pub token: String,
}

impl std::fmt::Debug for ReportingEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportingEndpoint")
            .field("url", &safe_url(&self.url))
            .field("token", &"***")
            .finish()
    }
}

/// E-mail settings.
#[derive(Clone, Debug)]
pub struct SmtpSettings {
    /// Relay host.
    pub host: String,
    /// Relay port.
    pub port: u16,
    /// Sender address.
    pub from: String,
}

impl Config {
    /// Defaults for a data directory: SQLite, `127.0.0.1:8080`, 512 MiB uploads.
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            data_dir,
            database_url: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            max_upload_bytes: 512 << 20,
            secure_cookies: false,
            public_url: "http://127.0.0.1:8080".into(),
            sources: Vec::new(),
            sync_interval_secs: 6 * 3600,
            smtp: None,
            worker_tick_ms: 1000,
            reporting: None,
            reminder_leads: vec![12 * 3600, 2 * 3600],
            update_repo: None,
            outbox_retry_base_secs: 30,
            systemic: cyres_report::SystemicConfig::default(),
        }
    }
}

/// Shared state of the running service.
#[derive(Clone)]
pub struct App {
    /// The store.
    pub store: Store,
    /// The configuration.
    pub config: Arc<Config>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    pub(crate) limiter: Arc<auth::LoginLimiter>,
    pub(crate) intake_limiter: Arc<api::IntakeLimiter>,
    pub(crate) wake: Arc<Notify>,
    pub(crate) http: reqwest::Client,
    /// The webhook client (no redirects), built once.
    pub(crate) webhook_http: reqwest::Client,
    /// Serialised findings pages, keyed by the organisation's findings generation.
    pub(crate) findings_cache: Arc<page_cache::PageCache>,
    /// The authority's notifications as assessment facts (ENISA's systemic-risk view).
    pub(crate) facts_cache: Arc<facts_cache::FactsCache>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("backend", &self.store.backend())
            .finish()
    }
}

/// A one-time setup link printed on first start when no administrator was configured.
#[derive(Clone, Debug)]
pub struct SetupLink(pub String);

impl App {
    /// Opens the store, ensures a first administrator exists (or returns the setup link to
    /// print) and returns the app.
    pub async fn start(
        config: Config,
        clock: Arc<dyn Clock>,
    ) -> Result<(Self, Option<SetupLink>), ApiError> {
        let store = match &config.database_url {
            Some(url) => Store::open(url).await?,
            None => Store::open_sqlite_dir(&config.data_dir).await?,
        };
        // Rows from before migration 0012 get today's identity rules (normalised e-mails,
        // organisation name keys and slugs) before anything is served.
        for change in store.normalise_identities(clock.now()).await? {
            tracing::warn!(%change, "identity normalised at start");
        }
        let http = cyres_feeds::http_client().map_err(|e| ApiError::internal(e.to_string()))?;
        let webhook_http = cyres_feeds::webhook::webhook_client()
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let app = App {
            store,
            config: Arc::new(config),
            clock,
            limiter: Arc::new(auth::LoginLimiter::default()),
            intake_limiter: Arc::new(api::IntakeLimiter::default()),
            wake: Arc::new(Notify::new()),
            http,
            webhook_http,
            findings_cache: Default::default(),
            facts_cache: Default::default(),
        };
        for s in &app.config.sources {
            let (kind, _) = setup::source_kind_words(&s.kind);
            app.store
                .ensure_source(&s.id, kind, &safe_url(&s.url))
                .await?;
        }
        let link = setup::first_start(&app).await?;
        Ok((app, link))
    }

    /// The HTTP routes.
    pub fn router(&self) -> axum::Router {
        api::router(self.clone())
    }

    /// Unix seconds now, from the injected clock.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Now, from the injected clock, as a UTC time.
    pub(crate) fn now_at(&self) -> time::OffsetDateTime {
        clock::at(self.clock.now())
    }

    /// Wakes the worker (new jobs or deliveries).
    pub fn wake_worker(&self) {
        self.wake.notify_one();
    }
}

/// Serves `app` on `listener` until `shutdown` turns true: in-flight requests finish, the
/// worker stops after its current unit of work.
pub async fn serve(
    app: App,
    listener: tokio::net::TcpListener,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let worker = Worker::new(app.clone());
    let mut worker_stop = shutdown.clone();
    let worker_task = tokio::spawn(async move { worker.run(&mut worker_stop).await });
    let router = app.router();
    let result = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        let _ = shutdown.wait_for(|s| *s).await;
    })
    .await;
    let _ = worker_task.await;
    app.store.close().await;
    result
}

/// A URL without credentials or query, for storage and display.
fn safe_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => cyres_feeds::redact_url(&u),
        Err(_) => "(invalid URL)".into(),
    }
}
