//! Advisory data (issue 17 point 9, issue 14 point 1): importing advisory files, syncing the
//! configured sources and re-matching the portfolio, for the JSON API, the web UI and the
//! worker alike.
//!
//! Advisory data is shared by every tenant, so changing it is for the administrators of the
//! operator organisation only (ARCHITECTURE.md, "Who may do what"); anyone signed in may read
//! the sources and their last counts. Uploads arrive bounded by the adapters (the route's
//! upload budget in `guard.rs`); archives unpack within the configured `unpack_limits`. A sync
//! stores its records and its counts batch by batch (`save_source_state`), which is what a
//! page shows as progress, and holds the source's task lease (`sync:<id>`) so that the worker,
//! another replica or a second click never runs the same sync twice at once.

use super::{ErrorKind, Operator, Principal, ServiceError};
use crate::App;
use cyres_feeds::{FetchLimits, FetchOutcome, Records, SourceConfig};
use cyres_store::advisories::{AdvisoryImport, ExploitationImport};
use cyres_store::{Exploitation, Job, Role, SourceRow};
use serde::Serialize;

/// How long a job stays claimed before another worker may take it, seconds.
const JOB_LEASE: i64 = 600;

/// How long a source's sync holds its task lease at most, seconds.
pub(crate) const SYNC_LEASE: i64 = 1800;

/// The task lease of a source's sync.
pub(crate) fn sync_task(source_id: &str) -> String {
    format!("sync:{source_id}")
}

/// What running the due jobs (re-matching, exploitation) did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct MatchSummary {
    /// Jobs run.
    pub jobs: u64,
    /// Findings created.
    pub new_findings: u64,
    /// Findings that became actively exploited.
    pub became_exploited: u64,
    /// Alerts raised.
    pub alerts: u64,
    /// New findings that took a decision carried over (with its history entry).
    pub decisions_carried: u64,
}

/// Insert / update / unchanged counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Upserted {
    /// New records.
    pub inserted: usize,
    /// Changed records.
    pub updated: usize,
    /// Records already stored as they are.
    pub unchanged: usize,
}

/// What an import did, end counts included.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct ImportSummary {
    /// Advisory records read from the file.
    pub records: usize,
    /// Records that could not be read (the file's other records were imported).
    pub malformed: usize,
    /// New advisories.
    pub inserted: usize,
    /// Changed advisories.
    pub updated: usize,
    /// Advisories stored as they are.
    pub unchanged: usize,
    /// NVD CPE configurations.
    pub cpe_configurations: Upserted,
    /// KEV entries in the file.
    pub kev_entries: usize,
    /// CVEs that became known as exploited.
    pub newly_exploited: usize,
    /// The re-match of the portfolio that followed.
    pub matching: MatchSummary,
}

/// Whether `who` administers the operator organisation (the first one created), the only
/// tenant allowed to change platform-wide advisory data.
pub(crate) async fn require_operator(app: &App, who: &Principal) -> Result<(), ServiceError> {
    who.require(Role::Admin)?;
    if !is_operator(app, who).await? {
        return Err(ServiceError::forbidden(
            "advisory data is shared by every tenant; only administrators of the operator organisation may change it",
        ));
    }
    Ok(())
}

/// Whether `who` is an administrator of the operator organisation (for pages deciding what to
/// offer).
pub(crate) async fn is_operator(app: &App, who: &Principal) -> Result<bool, ServiceError> {
    let first = app.store.orgs().await?.first().map(|o| o.id);
    Ok(who.role >= Role::Admin && first == Some(who.org_id))
}

/// A file name as the importer reads it: a plain name whose extension tells the format.
fn checked_file_name(name: &str) -> Result<&str, ServiceError> {
    if name.is_empty()
        || name.contains(['/', '\\', '\0'])
        || name.starts_with('.')
        || name.len() > 255
    {
        return Err(ServiceError::invalid(
            "filename",
            "filename: a plain file name (the extension tells the format)",
        ));
    }
    Ok(name)
}

/// A CISA KEV entry as the store's exploitation fact (the one mapping: imports, syncs and the
/// demo seeders).
pub(crate) fn exploitation_of(k: &cyres_vuln::kev::KevEntry) -> Exploitation {
    Exploitation {
        cve_id: k.cve_id.clone(),
        source: "kev".into(),
        date_added: Some(k.date_added.clone()),
        due_date: Some(k.due_date.clone()),
        ransomware: k.ransomware,
        reference: None,
    }
}

/// Imports an advisory file (operator administrators): an OSV record (JSON/YAML), an archive
/// of them (zip, tar, tar.gz, tar.zst), a CISA KEV catalogue, an NVD CVE file (its CPE
/// configurations kept for firmware matching) or NVD overrides, read from memory under its own
/// name (reports and errors name the upload, never a server path), then re-matches the
/// portfolio before answering. `bytes` were received under the route's upload budget.
pub(crate) async fn import(
    app: &App,
    who: &Principal,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<ImportSummary, ServiceError> {
    require_operator(app, who).await?;
    let file_name = checked_file_name(file_name)?.to_string();
    let limits = app.config.unpack_limits;
    let corpus = tokio::task::spawn_blocking(move || {
        let mut corpus = cyres_vuln::Corpus::with_limits(limits);
        corpus
            .load_bytes(&file_name, &bytes, &mut |_| {})
            .map(|_| corpus)
    })
    .await
    .map_err(|e| ServiceError::internal(e.to_string()))?
    .map_err(|e| ServiceError::invalid("file", e.to_string()).with_code("invalid_advisories"))?;
    if corpus.advisories.is_empty() && corpus.kev.is_empty() && corpus.configurations.is_empty() {
        let why = corpus
            .report
            .errors
            .first()
            .map(|e| format!("{}: {}", e.source, e.message))
            .unwrap_or_else(|| "no advisory records or KEV entries found".into());
        return Err(ServiceError::invalid("file", why).with_code("invalid_advisories"));
    }
    let stored = store_corpus(app, &corpus, "upload").await?;
    tracing::info!(actor = %who.actor.id, records = corpus.report.records_read, inserted = stored.advisories.inserted, updated = stored.advisories.updated, "advisory file imported");
    let matching = run_due_jobs(app).await?;
    app.wake_worker();
    Ok(ImportSummary {
        records: corpus.report.records_read,
        malformed: corpus.report.errors.len(),
        inserted: stored.advisories.inserted,
        updated: stored.advisories.updated,
        unchanged: stored.advisories.unchanged,
        cpe_configurations: Upserted {
            inserted: stored.cpe.inserted,
            updated: stored.cpe.updated,
            unchanged: stored.cpe.unchanged,
        },
        kev_entries: corpus.kev.len(),
        newly_exploited: stored.exploitation.newly_exploited.len(),
        matching,
    })
}

/// What storing advisory data changed.
pub(crate) struct Stored {
    /// The advisory records.
    pub advisories: AdvisoryImport,
    /// The NVD CPE configurations.
    pub cpe: AdvisoryImport,
    /// The exploitation facts.
    pub exploitation: ExploitationImport,
}

/// Stores a corpus's advisory records (under `source`), NVD CPE configurations and KEV facts
/// at the app's now; the store queues the re-match of what changed as jobs.
async fn store_corpus(
    app: &App,
    corpus: &cyres_vuln::Corpus,
    source: &str,
) -> Result<Stored, ServiceError> {
    let now = app.now();
    let advisories = app
        .store
        .upsert_advisories(&corpus.advisories, source, now)
        .await?;
    let cpe = app
        .store
        .upsert_cpe_configurations(&corpus.configurations, now)
        .await?;
    let facts: Vec<Exploitation> = corpus.kev.iter().map(exploitation_of).collect();
    let exploitation = app.store.upsert_exploitation(&facts, now).await?;
    Ok(Stored {
        advisories,
        cpe,
        exploitation,
    })
}

/// Loads advisory data the operator holds, read by the caller into `corpus`, under `source`
/// (the operator only; a tenant's administrators upload files through [`import`]). The
/// re-match runs as the queued jobs: at once through [`run_due_jobs`], or by the worker.
pub(crate) async fn load(
    app: &App,
    op: &Operator,
    corpus: &cyres_vuln::Corpus,
    source: &str,
) -> Result<Stored, ServiceError> {
    let stored = store_corpus(app, corpus, source).await?;
    tracing::info!(actor = %op.actor().id, source, inserted = stored.advisories.inserted, updated = stored.advisories.updated, "advisory data loaded");
    Ok(stored)
}

/// A configured source with what the store knows of it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct SourceView {
    /// The stored row (last sync, counts of the last or running sync).
    #[serde(flatten)]
    pub row: SourceRow,
    /// Whether a sync of it runs now (its task lease is held).
    pub running: bool,
}

/// The configured sources (anyone signed in).
pub(crate) async fn sources(app: &App) -> Result<Vec<SourceView>, ServiceError> {
    let now = app.now();
    let mut out = Vec::new();
    for row in app.store.sources().await? {
        let running = app.store.task_held(&sync_task(&row.id), now).await?;
        out.push(SourceView { row, running });
    }
    Ok(out)
}

fn configured(app: &App, id: &str) -> Result<SourceConfig, ServiceError> {
    app.config
        .sources
        .iter()
        .find(|s| s.id == id)
        .cloned()
        .ok_or_else(|| ServiceError::not_found("source"))
}

async fn claim(app: &App, source: &SourceConfig) -> Result<(), ServiceError> {
    if !app
        .store
        .claim_task(&sync_task(&source.id), app.now(), SYNC_LEASE)
        .await?
    {
        return Err(ServiceError::conflict(format!(
            "source: a sync of {} is running; its counts grow as batches are stored",
            source.id
        )));
    }
    Ok(())
}

/// Syncs a source now and re-matches (operator administrators), answering the sync's counts
/// and the re-match's; refused while a sync of the source runs.
pub(crate) async fn sync_now(
    app: &App,
    who: &Principal,
    id: &str,
) -> Result<serde_json::Value, ServiceError> {
    require_operator(app, who).await?;
    let source = configured(app, id)?;
    claim(app, &source).await?;
    let result = sync_source(app, &source).await;
    app.store
        .release_task(&sync_task(&source.id), app.now())
        .await?;
    let mut report = result?;
    report["matching"] = super::to_json("matching", &run_due_jobs(app).await?)?;
    app.wake_worker();
    Ok(report)
}

/// Starts a sync of a source in the background (operator administrators) and answers at once;
/// the source's stored counts show its progress batch by batch. Refused while one runs.
pub(crate) async fn start_sync(app: &App, who: &Principal, id: &str) -> Result<(), ServiceError> {
    require_operator(app, who).await?;
    let source = configured(app, id)?;
    claim(app, &source).await?;
    tracing::info!(actor = %who.actor.id, source = %source.id, "sync started");
    let app = app.clone();
    tokio::spawn(async move {
        if let Err(e) = sync_source(&app, &source).await {
            tracing::warn!(source = %source.id, error = %e, "sync failed");
        }
        if let Err(e) = app
            .store
            .release_task(&sync_task(&source.id), app.now())
            .await
        {
            tracing::warn!(source = %source.id, error = %e, "releasing the sync lease failed");
        }
        if let Err(e) = run_due_jobs(&app).await {
            tracing::warn!(error = %e, "re-matching after a sync failed");
        }
        app.wake_worker();
    });
    Ok(())
}

/// Syncs one source until it is complete (or interrupted), storing records and state batch
/// by batch so an interrupted sync resumes where it stopped. The caller holds the source's
/// task lease.
pub(crate) async fn sync_source(
    app: &App,
    source: &SourceConfig,
) -> Result<serde_json::Value, ServiceError> {
    let row = app.store.source(&source.id).await?;
    // A state this release cannot read is an error naming the source, never a silent restart
    // from nothing (which would re-fetch everything and lose the cursor).
    let mut state: cyres_feeds::SyncState = if row.state.is_null() {
        cyres_feeds::SyncState::default()
    } else {
        serde_json::from_value(row.state.clone()).map_err(|e| {
            ServiceError::internal(format!(
                "the sync state of source {} does not read: {e}",
                source.id
            ))
        })?
    };
    let mut totals = serde_json::json!({"source": source.id, "batches": 0, "fetched": 0, "new_or_changed": 0, "unchanged": 0, "malformed": 0, "not_modified": false});
    let add = |totals: &mut serde_json::Value, k: &str, v: u64| {
        totals[k] = (totals[k].as_u64().unwrap_or(0) + v).into();
    };
    loop {
        let outcome = cyres_feeds::fetch_at(
            &app.http,
            source,
            &state,
            &FetchLimits::default(),
            app.now_at(),
        )
        .await;
        let outcome = match outcome {
            Ok(o) => o,
            Err(e) => {
                let e = ServiceError::new(
                    ErrorKind::Upstream,
                    "sync_failed",
                    format!("{}: {e}", source.id),
                );
                let result = serde_json::json!({"error": e.message, "at": app.now()});
                app.store
                    .save_source_state(
                        &source.id,
                        &super::to_json("source state", &state)?,
                        Some(&result),
                        None,
                    )
                    .await?;
                return Err(e);
            }
        };
        let batch = match outcome {
            FetchOutcome::NotModified => {
                totals["not_modified"] = true.into();
                break;
            }
            FetchOutcome::Batch(b) => b,
        };
        let now = app.now();
        match &batch.records {
            Records::Osv(advs) => {
                app.store.upsert_advisories(advs, &source.id, now).await?;
            }
            Records::Kev(entries) => {
                let facts: Vec<Exploitation> = entries.iter().map(exploitation_of).collect();
                app.store.upsert_exploitation(&facts, now).await?;
            }
            Records::Euvd(items) => {
                let mut facts = Vec::new();
                for e in items {
                    for cve in &e.cve_ids {
                        facts.push(Exploitation {
                            cve_id: cve.clone(),
                            source: "euvd".into(),
                            date_added: e.exploited_since.map(|t| t.date().to_string()),
                            due_date: None,
                            ransomware: false,
                            reference: Some(e.euvd_id.clone()),
                        });
                    }
                }
                app.store.upsert_exploitation(&facts, now).await?;
            }
            Records::Nvd(records) => {
                // The CVE records and their CPE configurations; a changed configuration
                // queues the re-match of the components under its keys.
                let advisories: Vec<_> = records.iter().map(|r| r.advisory.clone()).collect();
                let configurations: Vec<_> =
                    records.iter().map(|r| r.configurations.clone()).collect();
                app.store
                    .upsert_advisories(&advisories, &source.id, now)
                    .await?;
                app.store
                    .upsert_cpe_configurations(&configurations, now)
                    .await?;
            }
            _ => {
                tracing::warn!(source = %source.id, "records of a kind this server does not store; skipped");
            }
        }
        let c = &batch.counts;
        add(&mut totals, "fetched", c.fetched as u64);
        add(&mut totals, "new_or_changed", c.new_or_changed as u64);
        add(&mut totals, "unchanged", c.unchanged as u64);
        add(&mut totals, "malformed", c.malformed as u64);
        add(&mut totals, "batches", 1);
        state = batch.state.clone();
        let finished = batch.complete.then_some(now);
        app.store
            .save_source_state(
                &source.id,
                &super::to_json("source state", &state)?,
                Some(&totals),
                finished,
            )
            .await?;
        tracing::info!(source = %source.id, fetched = c.fetched, new_or_changed = c.new_or_changed, malformed = c.malformed, complete = batch.complete, "sync batch stored");
        if !batch.complete && batch.interrupted.is_none() {
            continue;
        }
        break;
    }
    if totals["not_modified"] == true {
        app.store
            .save_source_state(
                &source.id,
                &super::to_json("source state", &state)?,
                Some(&totals),
                Some(app.now()),
            )
            .await?;
    }
    Ok(totals)
}

/// Runs every due job now (re-matching after advisory changes, marking findings exploited);
/// returns what matching did. One runner per process at a time; jobs are leased in the store,
/// so replicas share them.
pub(crate) async fn run_due_jobs(app: &App) -> Result<MatchSummary, ServiceError> {
    let _running = app.jobs_running.lock().await;
    let mut summary = MatchSummary::default();
    while let Some(job) = app.store.claim_job(app.now(), JOB_LEASE).await? {
        let result = match &job.job {
            // Only the changed advisories' findings (older jobs carry no ids: all of them).
            Job::Rematch { keys, ids } => app.store.rematch(keys, ids.as_ref(), app.now()).await,
            Job::Exploited { cves } => app.store.apply_exploitation(cves, app.now()).await,
        };
        match result {
            Ok(out) => {
                app.store.finish_job(job.id).await?;
                tracing::info!(
                    job = job.id,
                    kind = job.job.kind(),
                    new_findings = out.new_findings,
                    became_exploited = out.became_exploited,
                    alerts = out.alerts,
                    "job done"
                );
                summary.jobs += 1;
                summary.new_findings += out.new_findings as u64;
                summary.became_exploited += out.became_exploited as u64;
                summary.alerts += out.alerts as u64;
                summary.decisions_carried += out.decisions_carried;
            }
            Err(e) => {
                let retry = (job.attempts < 5).then(|| app.now() + 60 * job.attempts);
                app.store.fail_job(job.id, &e.to_string(), retry).await?;
                tracing::warn!(job = job.id, error = %e, "job failed");
            }
        }
    }
    Ok(summary)
}
