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
mod art14_clock;
mod auth;
mod clock;
mod delivery;
mod demo;
mod error;
mod facts_cache;
mod guard;
mod notices;
mod openapi;
pub mod openpgp;
mod page_cache;
mod secrets;
mod service;
mod setup;
mod ui;
mod upload;
mod worker;

pub use auth::{check_password, hash_password};
pub use clock::{Clock, ManualClock, SystemClock};
pub use demo::{
    DEMO_EMAIL, DEMO_PASSWORD, DemoAuthority, DemoListing, DemoLogin, DemoPublicPage, DemoSender,
    list_providers_to_self, reporting_to_self, seed_demo,
};
pub use error::ApiError;
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
    /// How often an authority's listed CSAF providers are pulled, seconds (0: only on request).
    pub csaf_pull_interval_secs: u64,
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
    /// How long a worker's claim on outbox rows (alert and notice deliveries, report
    /// submissions) lasts, seconds. Several replicas share one database through these leases:
    /// the work of a replica that died is retried by another once its lease runs out. Must
    /// outlast one delivery attempt (the longest is an SMTP exchange); default 300.
    pub worker_lease_secs: u64,
    /// Thresholds and weights of ENISA's systemic-risk assessment (authority instances).
    pub systemic: cyres_report::SystemicConfig,
    /// Whether accounts may create manufacturer, steward, operator and subscriber organisations
    /// themselves (`POST /api/v1/orgs`). Authority organisations are never self-service.
    pub allow_self_service_orgs: bool,
    /// Largest request body on every route but SBOM upload and advisory import (which use
    /// `max_upload_bytes`) and report intake (2 MiB): bytes. Default 1 MiB.
    pub max_body_bytes: u64,
    /// Budgets for unpacking uploaded advisory archives (per entry, total, entry count).
    pub unpack_limits: cyres_vuln::UnpackLimits,
    /// Deliberate internal targets for outbound requests (webhooks, notice subscribers,
    /// advisory sources, the reporting endpoint): CIDRs (`10.1.2.0/24`) and exact host names
    /// (`hooks.internal`). Everything else that is not a public address is refused.
    pub outbound_allow: Vec<String>,
    /// How outbound requests resolve host names: the system resolver when `None`. Tests put
    /// a fixed table here so that none of them asks a real DNS server.
    pub outbound_lookup: Option<Arc<dyn cyres_feeds::outbound::NameLookup>>,
    /// The key file that encrypts stored secrets (default `<data_dir>/secret.key`), created
    /// with mode 0600 on first start.
    pub secret_key_file: Option<PathBuf>,
    /// Which organisation a host name answers for on the public face (`security.txt`, the
    /// CSAF provider metadata): host (`acme.example`, or with a port) → organisation id. A
    /// host not listed answers for [`Config::default_public_org`].
    pub public_hosts: std::collections::BTreeMap<String, i64>,
    /// The organisation answering public-face requests for unmapped hosts; `None`: the first
    /// manufacturer (lowest id).
    pub default_public_org: Option<i64>,
    /// How far ahead `security.txt`'s `Expires` is, days (RFC 9116 §2.5.5; clamped to 1–365).
    /// Default 180.
    pub security_txt_days: i64,
    /// Clear-sign `security.txt` (RFC 9116 §2.3) with the organisation's OpenPGP key, the one
    /// that signs its CSAF documents (made on first need). Default off.
    pub sign_security_txt: bool,
}

/// The authority instance reports are delivered to.
#[derive(Clone)]
pub struct ReportingEndpoint {
    /// Base URL of the authority instance.
    pub url: String,
    /// API token the authority issued to this manufacturer (never logged).
    pub token: String,
    /// The organisation (its slug) this token speaks for at the authority. A token is one
    /// sender's credential, so on an instance hosting several organisations only that
    /// organisation's reports go to this endpoint; the others' are kept for export and manual
    /// portal entry, as on an instance without an endpoint. `None`: every organisation (the
    /// usual instance run by one manufacturer).
    pub organisation: Option<String>,
}

impl ReportingEndpoint {
    /// Whether reports of organisation `org` (its slug) are delivered to this endpoint.
    pub fn serves(&self, org_slug: &str) -> bool {
        self.organisation.as_deref().is_none_or(|o| o == org_slug)
    }
}

impl std::fmt::Debug for ReportingEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportingEndpoint")
            .field("url", &safe_url(&self.url))
            .field("token", &"***")
            .field("organisation", &self.organisation)
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
            csaf_pull_interval_secs: 6 * 3600,
            smtp: None,
            worker_tick_ms: 1000,
            reporting: None,
            reminder_leads: vec![12 * 3600, 2 * 3600],
            update_repo: None,
            outbox_retry_base_secs: 30,
            worker_lease_secs: 300,
            systemic: cyres_report::SystemicConfig::default(),
            allow_self_service_orgs: true,
            max_body_bytes: 1 << 20,
            unpack_limits: cyres_vuln::UnpackLimits {
                per_entry: 64 << 20,
                total: 4 << 30,
                entries: 2_000_000,
            },
            outbound_allow: Vec::new(),
            outbound_lookup: None,
            secret_key_file: None,
            public_hosts: Default::default(),
            default_public_org: None,
            security_txt_days: 180,
            sign_security_txt: false,
        }
    }

    /// Where the secret key file is.
    pub fn secret_key_path(&self) -> PathBuf {
        self.secret_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("secret.key"))
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
    pub(crate) intake_limiter: Arc<service::cases::IntakeLimiter>,
    pub(crate) wake: Arc<Notify>,
    /// The client for operator-configured endpoints (sources, reporting), under the policy.
    pub(crate) http: reqwest::Client,
    /// The webhook client (no redirects, under the outbound policy), built once.
    pub(crate) webhook_http: cyres_feeds::webhook::WebhookClient,
    /// The outbound policy, to check targets when they are registered.
    pub(crate) outbound: cyres_feeds::outbound::Outbound,
    /// The key that seals stored secrets.
    pub(crate) secrets: Arc<secrets::SecretKeys>,
    /// Serialised findings pages, keyed by the organisation's findings generation.
    pub(crate) findings_cache: Arc<page_cache::PageCache>,
    /// The authority's notifications as assessment facts (ENISA's systemic-risk view).
    pub(crate) facts_cache: Arc<facts_cache::FactsCache>,
    /// Held while this process runs jobs, so a request that re-matches "before the answer"
    /// (advisory import, source sync) waits for a job the background worker is running rather
    /// than answering before it is done. Across replicas the job lease keeps jobs apart, and
    /// such an answer covers only the jobs this process ran.
    pub(crate) jobs_running: Arc<tokio::sync::Mutex<()>>,
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
        // Upstream reports marked informed before the notices were kept reach their cases
        // (CRA Art. 13(6)); once, after migration 0033.
        let notices = store.copy_missing_maintainer_notices(clock.now()).await?;
        if notices > 0 {
            tracing::info!(notices, "maintainer notices recorded on cases at start");
        }
        refuse_unprovisioned_authorities(&store).await?;
        let outbound = outbound_policy(&config)?;
        let http =
            cyres_feeds::http_client(&outbound).map_err(|e| ApiError::internal(e.to_string()))?;
        let webhook_http = cyres_feeds::webhook::webhook_client(&outbound)
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let secrets = Arc::new(open_secrets(&store, &config, clock.now()).await?);
        let app = App {
            store,
            config: Arc::new(config),
            clock,
            limiter: Arc::new(auth::LoginLimiter::default()),
            intake_limiter: Arc::new(service::cases::IntakeLimiter::default()),
            wake: Arc::new(Notify::new()),
            http,
            webhook_http,
            outbound,
            secrets,
            findings_cache: Default::default(),
            facts_cache: Default::default(),
            jobs_running: Default::default(),
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

    /// The HTTP routes: the JSON API and the web UI side by side (neither imports the other),
    /// every request through `guard` (body budgets, security headers, error shapes).
    pub fn router(&self) -> axum::Router {
        api::router()
            .merge(ui::router())
            .fallback(|| async { ui::view::UiError(ApiError::not_found("page")) })
            // Bodies are bounded by `guard` (per route, before they are read), not by extractors.
            .layer(axum::extract::DefaultBodyLimit::disable())
            .layer(axum::middleware::from_fn_with_state(
                self.clone(),
                guard::guard,
            ))
            .with_state(self.clone())
    }

    /// Unix seconds now, from the injected clock.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Now, from the injected clock, as a UTC time.
    pub(crate) fn now_at(&self) -> time::OffsetDateTime {
        clock::at(self.clock.now())
    }

    /// The same app delivering Article 14 reports to `endpoint` from now on (`cyres demo` wires
    /// its own authority organisations after seeding them). The URL is checked against the
    /// outbound policy as at start.
    pub fn with_reporting(&self, endpoint: ReportingEndpoint) -> Result<App, ApiError> {
        self.outbound
            .policy()
            .check_url(&endpoint.url)
            .map_err(|e| {
                start_error(format!(
                    "[reporting]: {} refused: {e}",
                    safe_url(&endpoint.url)
                ))
            })?;
        let mut config = (*self.config).clone();
        config.reporting = Some(endpoint);
        Ok(App {
            config: Arc::new(config),
            ..self.clone()
        })
    }

    /// The endpoint organisation `org_id`'s reports are delivered to, if any (see
    /// [`ReportingEndpoint::organisation`]).
    pub(crate) async fn reporting_for(
        &self,
        org_id: i64,
    ) -> Result<Option<&ReportingEndpoint>, cyres_store::StoreError> {
        let Some(endpoint) = self.config.reporting.as_ref() else {
            return Ok(None);
        };
        if endpoint.organisation.is_none() {
            return Ok(Some(endpoint));
        }
        let org = self.store.org(org_id).await?;
        Ok(endpoint.serves(&org.slug).then_some(endpoint))
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

/// The server does not start while an authority organisation (CSIRT, ENISA) exists that the
/// operator did not provision: one made by an account before provisioning was enforced could
/// read reports it must not. The message names each and says how the operator resolves it.
async fn refuse_unprovisioned_authorities(store: &Store) -> Result<(), ApiError> {
    let found = store.unprovisioned_authorities().await?;
    if found.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = found
        .iter()
        .map(|o| format!("{} {:?} (kind {})", o.id, o.name, o.kind.as_str()))
        .collect();
    Err(ApiError::new(
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        "unprovisioned_authority",
        format!(
            "refusing to start: authority organisation(s) created by an ordinary account, not by the operator: {}. \
             Review each, then run `cyres admin org confirm ID` to keep it as an authority or \
             `cyres admin org set-kind ID manufacturer` to take the authority kind away",
            names.join(", ")
        ),
    ))
}

/// The outbound policy from the configuration; configured endpoints are checked against it
/// now, so a source or reporting URL the policy refuses stops the start, naming it.
fn outbound_policy(config: &Config) -> Result<cyres_feeds::outbound::Outbound, ApiError> {
    use cyres_feeds::outbound::{Outbound, OutboundPolicy, SystemLookup};
    let policy = OutboundPolicy::new(&config.outbound_allow).map_err(start_error)?;
    let lookup = config
        .outbound_lookup
        .clone()
        .unwrap_or_else(|| Arc::new(SystemLookup));
    let endpoints = config
        .sources
        .iter()
        .map(|s| (format!("source {:?}", s.id), &s.url))
        .chain(
            config
                .reporting
                .iter()
                .map(|r| ("[reporting]".to_string(), &r.url)),
        );
    for (what, url) in endpoints {
        policy
            .check_url(url)
            .map_err(|e| start_error(format!("{what}: {} refused: {e}", safe_url(url))))?;
    }
    Ok(Outbound::new(policy, lookup))
}

/// Loads (or on first start creates) the secret key file and seals every stored secret under
/// its current key, in one transaction. A missing or wrong key stops the start, naming the
/// file.
async fn open_secrets(
    store: &Store,
    config: &Config,
    now: i64,
) -> Result<secrets::SecretKeys, ApiError> {
    let path = config.secret_key_path();
    let recorded = store.secret_key_id().await?;
    let keys =
        secrets::SecretKeys::load_or_create(&path, recorded.as_deref()).map_err(start_error)?;
    let sealed = store
        .reseal_secrets(&keys, now)
        .await
        .map_err(|e| start_error(format!("secret key file {}: {e}", path.display())))?;
    if sealed > 0 {
        tracing::info!(
            secrets = sealed,
            key = keys.current_id(),
            "stored secrets encrypted with the current key"
        );
    }
    Ok(keys)
}

/// An error that stops the start; its message is for the operator starting the server (it
/// may name a configured file, never a secret).
fn start_error(message: impl Into<String>) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "start",
        message,
    )
}

/// A URL without credentials or query, for storage and display.
fn safe_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => cyres_feeds::redact_url(&u),
        Err(_) => "(invalid URL)".into(),
    }
}
