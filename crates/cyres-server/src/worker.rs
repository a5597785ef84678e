//! The background worker: runs queued jobs (re-matching after advisory changes, marking
//! findings exploited; `service::advisories`), delivers alerts and published notices to users through webhooks and
//! e-mail from their outboxes, and syncs advisory sources on a schedule (through
//! `service::advisories`, as the API and the pages do).
//!
//! All of its work lives in the store (jobs, pending deliveries, source state), so stopping
//! the server between two units of work loses nothing, and a crash in the middle of one makes
//! it run again after its lease.
//!
//! Several replicas (`cyres serve` processes on one PostgreSQL) each run a worker. They share
//! the work through leases in the store (`cyres-store`'s `lease.rs`): a worker claims a small
//! batch of due outbox rows (alert deliveries, notice deliveries, report submissions) or one
//! job, and no other worker sees them until the attempt is recorded or the lease
//! ([`crate::Config::worker_lease_secs`]) runs out; singleton work (one source's sync, the poll
//! of the authority's requests) takes a named task lease. So each piece of work is done once,
//! and the work of a replica killed mid-way is picked up by the others after its lease.

use crate::App;
use crate::delivery::{drain_outbox, jitter};
use crate::service::advisories::{SYNC_LEASE, run_due_jobs, sync_source, sync_task};
use crate::service::{ErrorKind, ServiceError};
use cyres_feeds::webhook::{RetryPolicy, backoff, deliver};
use cyres_store::DeliveryChannel;
use std::time::Duration;
use tokio::sync::watch;

/// Lease of a named singleton task (source sync, authority poll), seconds: a sync of a large
/// source takes minutes.
const TASK_LEASE: i64 = SYNC_LEASE;

/// The background worker.
#[derive(Debug)]
pub struct Worker {
    app: App,
    last_renewal: std::sync::atomic::AtomicI64,
    ticks: std::sync::atomic::AtomicU64,
    /// Highest authority request id already seen (requests are fetched incrementally).
    requests_seen: std::sync::atomic::AtomicI64,
    /// Highest alert id the policy sweep has looked at.
    policy_seen: std::sync::atomic::AtomicI64,
    /// When the worker started: the policy sweep looks at alerts from then on.
    started_at: i64,
}

/// The authority is asked for new intermediate-report requests every this many ticks (every
/// 10 s with the default 1 s tick), not on every tick.
const REQUEST_POLL_TICKS: u64 = 10;

impl Worker {
    /// A worker for `app`.
    pub fn new(app: App) -> Self {
        let started_at = app.now();
        Self {
            app,
            last_renewal: std::sync::atomic::AtomicI64::new(i64::MIN),
            ticks: std::sync::atomic::AtomicU64::new(0),
            requests_seen: std::sync::atomic::AtomicI64::new(0),
            policy_seen: std::sync::atomic::AtomicI64::new(0),
            started_at,
        }
    }

    /// Runs until `stop` turns true, finishing the current unit of work first.
    pub async fn run(&self, stop: &mut watch::Receiver<bool>) {
        let tick = Duration::from_millis(self.app.config.worker_tick_ms.max(10));
        // Read the authority's stored notifications once now, so the first systemic-risk
        // assessment after a start answers as fast as later ones.
        match self.app.facts_cache.warm(&self.app.store).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(notifications = n, "assessment facts loaded"),
            Err(e) => tracing::warn!(error = %e, "loading assessment facts failed"),
        }
        // Once after migration 0022: stored findings borrow an alias's severity.
        match self.app.store.backfill_alias_severity(self.app.now()).await {
            Ok(None) => {}
            Ok(Some(n)) => tracing::info!(findings = n, "severities borrowed from aliases"),
            Err(e) => tracing::warn!(error = %e, "borrowing severities from aliases failed"),
        }
        loop {
            if *stop.borrow() {
                break;
            }
            if let Err(e) = self.tick().await {
                tracing::warn!(error = %e, "worker tick failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(tick) => {}
                _ = self.app.wake.notified() => {}
                _ = stop.wait_for(|s| *s) => break,
            }
        }
        tracing::info!("worker stopped");
    }

    /// One round: due jobs, due deliveries, due source syncs.
    pub async fn tick(&self) -> Result<(), ServiceError> {
        run_due_jobs(&self.app).await?;
        // Policy violations that re-matching or exploitation caused (issue 17, point 6).
        let seen = self.policy_seen.load(std::sync::atomic::Ordering::Relaxed);
        match crate::service::policy::sweep(&self.app, seen, self.started_at).await {
            Ok(next) => self
                .policy_seen
                .store(next, std::sync::atomic::Ordering::Relaxed),
            Err(e) => tracing::warn!(error = %e, "policy sweep failed"),
        }
        deliver_due(&self.app).await?;
        // Notices to product subscribers (Art. 14(8)); a failure here must not hold up reports.
        if let Err(e) = crate::notices::deliver_due_notices(&self.app).await {
            tracing::warn!(error = %e.message, "notice delivery round failed");
        }
        deliver_reports(&self.app).await?;
        let tick = self
            .ticks
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // One replica at a time polls the authority (two at once would both add a new request
        // to its case).
        if tick.is_multiple_of(REQUEST_POLL_TICKS)
            && self.app.config.reporting.is_some()
            && self
                .app
                .store
                .claim_task("authority-requests", self.app.now(), TASK_LEASE)
                .await?
        {
            let after = self
                .requests_seen
                .load(std::sync::atomic::Ordering::Relaxed);
            match fetch_authority_requests(&self.app, after).await {
                Ok(seen) => self
                    .requests_seen
                    .store(seen, std::sync::atomic::Ordering::Relaxed),
                Err(e) => {
                    tracing::warn!(error = %e.message, "could not fetch requests from the reporting endpoint")
                }
            }
            self.app
                .store
                .release_task("authority-requests", self.app.now())
                .await?;
        }
        crate::service::case_events::send_reminders(&self.app).await?;
        // Renewal reads and locks the repository: once a minute is plenty (metadata lifetimes
        // are hours to days and renewal starts at half of them).
        let now = self.app.now();
        let last = self.last_renewal.load(std::sync::atomic::Ordering::Relaxed);
        if last == i64::MIN || now - last >= 60 {
            self.last_renewal
                .store(now, std::sync::atomic::Ordering::Relaxed);
            renew_update_metadata(&self.app).await;
            // A security update that ships a case's fix: propose the advisory's update
            // (issue 18 point 3), once per update and case.
            match crate::service::csaf::propose_from_update_repo(&self.app).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(drafts = n, "CSAF advisory updates proposed"),
                Err(e) => tracing::warn!(error = %e, "proposing CSAF advisory updates"),
            }
        }
        // An authority's listed CSAF providers (issue 18, point 6): one replica at a time.
        let csaf_interval = self.app.config.csaf_pull_interval_secs as i64;
        if csaf_interval > 0
            && tick.is_multiple_of(REQUEST_POLL_TICKS)
            && self
                .app
                .store
                .claim_task("csaf-pull", self.app.now(), TASK_LEASE)
                .await?
        {
            if let Err(e) = crate::service::csaf_lister::pull_due(&self.app, csaf_interval).await {
                tracing::warn!(error = %e, "pulling CSAF providers failed");
            }
            self.app
                .store
                .release_task("csaf-pull", self.app.now())
                .await?;
        }
        let interval = self.app.config.sync_interval_secs as i64;
        if interval > 0 {
            let now = self.app.now();
            for source in self.app.config.sources.clone() {
                let row = self.app.store.source(&source.id).await?;
                if row.last_sync_at.is_none_or(|t| now - t >= interval) {
                    // One replica syncs a source; the others see its new last_sync_at.
                    let task = sync_task(&source.id);
                    if !self.app.store.claim_task(&task, now, TASK_LEASE).await? {
                        continue;
                    }
                    // Another replica may have finished this sync between the two reads.
                    let row = self.app.store.source(&source.id).await?;
                    if row.last_sync_at.is_none_or(|t| now - t >= interval)
                        && let Err(e) = sync_source(&self.app, &source).await
                    {
                        tracing::warn!(source = %source.id, error = %e, "sync failed");
                    }
                    self.app.store.release_task(&task, self.app.now()).await?;
                    run_due_jobs(&self.app).await?;
                }
            }
        }
        Ok(())
    }
}

/// Claims due alert deliveries in batches and attempts each once (see [`drain_outbox`]).
pub(crate) async fn deliver_due(app: &App) -> Result<usize, ServiceError> {
    drain_outbox(
        app,
        |now, lease, limit| app.store.claim_deliveries(now, lease, limit),
        |d| deliver_one(app, d),
    )
    .await
}

/// Attempts one claimed alert delivery and records the outcome; true when it was attempted
/// (not skipped).
async fn deliver_one(app: &App, d: cyres_store::Delivery) -> Result<bool, ServiceError> {
    let client = &app.webhook_http;
    {
        let org = app.store.org(d.org_id).await?;
        let row = app.store.alert(d.org_id, d.alert_id).await?;
        let alert = crate::service::alerts::feed_alert(app, &org, &row).await?;
        match d.channel {
            DeliveryChannel::Webhook => {
                let Some(hook_id) = d.target_id else {
                    app.store.skip_delivery(d.id, "no webhook named").await?;
                    return Ok(false);
                };
                let hook = app.store.webhook_by_id(hook_id).await?;
                if !hook.active || hook.org_id != d.org_id {
                    app.store.skip_delivery(d.id, "webhook removed").await?;
                    return Ok(false);
                }
                let result = match app.secrets.open(&hook.secret) {
                    Ok(secret) => {
                        deliver(
                            client,
                            &hook.url,
                            secret.as_bytes(),
                            app.now(),
                            &alert.webhook_body(),
                        )
                        .await
                    }
                    Err(e) => crate::secrets::undeliverable(e),
                };
                crate::delivery::record_http_attempt(app, &d, &result).await?;
            }
            DeliveryChannel::Email => {
                let to = crate::delivery::editor_addresses(app, d.org_id).await?;
                return Ok(crate::delivery::mail_alert(app, &d, &alert, &to).await?);
            }
            // Notification rules (issue 17, point 7).
            DeliveryChannel::Rule => {
                return crate::service::notify_rules::deliver(app, &d, &alert).await;
            }
        }
    }
    Ok(true)
}

/// Delivers due report submissions to the reporting endpoint, exactly once per idempotency
/// key: the authority stores a key once and answers repeats with the first receipt, so a
/// retry after a crash or a lost answer is harmless. Submissions are claimed in batches
/// (see [`drain_outbox`]), so several replicas never send the same one at once.
pub(crate) async fn deliver_reports(app: &App) -> Result<usize, ServiceError> {
    let Some(endpoint) = app.config.reporting.clone() else {
        return Ok(0);
    };
    let url = format!(
        "{}/api/v1/authority/reports",
        endpoint.url.trim_end_matches('/')
    );
    drain_outbox(
        app,
        |now, lease, limit| app.store.claim_submissions(now, lease, limit),
        |sub| deliver_report(app, &endpoint, &url, sub),
    )
    .await
}

/// Sends one claimed submission and records the receipt or the retry.
async fn deliver_report(
    app: &App,
    endpoint: &crate::ReportingEndpoint,
    url: &str,
    sub: cyres_store::SubmissionRow,
) -> Result<bool, ServiceError> {
    let mut delivered = false;
    // Queued while the endpoint spoke for this organisation (or before it was limited to
    // another): the token would put the wrong sender's name on it, so it is not sent.
    if app.reporting_for(sub.org_id).await?.is_none() {
        let org = app.store.org(sub.org_id).await?;
        let err = format!(
            "the reporting endpoint is configured for organisation {:?} only; \
             export this report and enter it in the portal",
            endpoint.organisation.as_deref().unwrap_or_default()
        );
        tracing::warn!(submission = sub.id, org = %org.slug, "report not sent: endpoint speaks for another organisation");
        app.store
            .record_submission_attempt(sub.id, None, Some(&err), app.now() + 3600)
            .await?;
        return Ok(false);
    }
    {
        // The envelope adds what ENISA's assessment needs beyond the Art. 14 content.
        let context = match app.store.case(sub.org_id, sub.case_id).await?.body {
            Some(b) => serde_json::json!({
                "category": b["product"]["category"],
                "estimated_users": b["product"]["estimated_users"],
                "components": b["components"],
                "severity": b["severity"]["level"],
                // Every stage carries the member states the product is made available in, so
                // the coordinator can forward a notification or final report too (Art. 14(2)).
                "member_states": b["product"]["member_states"],
            }),
            None => serde_json::Value::Null,
        };
        let envelope = serde_json::json!({"pack": sub.pack, "context": context});
        let result = app
            .http
            .post(url)
            .bearer_auth(&endpoint.token)
            .header("idempotency-key", &sub.idempotency_key)
            .header("content-type", "application/json")
            .body(envelope.to_string())
            .timeout(Duration::from_secs(30))
            .send()
            .await;
        let now = app.now();
        let failure = match result {
            // A receipt that does not read or names no reference is retried: the authority
            // answers a repeated delivery with the same receipt, so the case records the real
            // reference, never a made-up one.
            Ok(resp) if resp.status().is_success() => match receipt(resp).await {
                Err(why) => Some(why),
                Ok((v, reference)) => {
                    let at = v["received_at"]
                        .as_str()
                        .and_then(|s| {
                            time::OffsetDateTime::parse(
                                s,
                                &time::format_description::well_known::Rfc3339,
                            )
                            .ok()
                        })
                        .map(|t| t.unix_timestamp())
                        .unwrap_or(now);
                    // The case first: if we stop between the two, the outbox delivers again and
                    // the authority answers with the same receipt (idempotent on both sides).
                    crate::service::cases::mark_case_submitted(app, &sub, at, &reference).await?;
                    app.store
                        .record_submission_attempt(sub.id, Some((&reference, at)), None, now)
                        .await?;
                    tracing::info!(submission = sub.id, %reference, "report delivered");
                    delivered = true;
                    None
                }
            },
            Ok(resp) => Some(format!("authority answered {}", resp.status())),
            Err(e) => Some(format!(
                "delivery failed: {}",
                cyres_feeds::outbound::failure_class(&e)
            )),
        };
        if let Some(err) = failure {
            let policy = RetryPolicy {
                base: Duration::from_secs(app.config.outbox_retry_base_secs.max(1)),
                cap: Duration::from_secs(3600),
                max_attempts: u32::MAX,
            };
            let wait =
                backoff(&policy, (sub.attempts + 1).min(20) as u32, jitter()).unwrap_or(policy.cap);
            app.store
                .record_submission_attempt(sub.id, None, Some(&err), now + wait.as_secs() as i64)
                .await?;
            tracing::warn!(submission = sub.id, error = %err, "report delivery will be retried");
        }
    }
    Ok(delivered)
}

/// Re-signs the update repository's timestamp (and snapshot when due) with the online keys
/// before they expire. Failures are logged; clients keep the last good metadata until expiry.
pub(crate) async fn renew_update_metadata(app: &App) {
    let Some(repo) = app.config.update_repo.clone() else {
        return;
    };
    let now = app.now_at();
    match tokio::task::spawn_blocking(move || cyres_tuf::renew_online_metadata(&repo, now)).await {
        Ok(Ok(report)) => {
            if report.snapshot_version.is_some() || report.timestamp_version.is_some() {
                tracing::info!(snapshot = ?report.snapshot_version, timestamp = ?report.timestamp_version, "update metadata renewed");
            }
            for w in report.warnings {
                tracing::warn!(warning = %w, "update repository");
            }
        }
        Ok(Err(e)) => tracing::warn!(error = %e, "update metadata renewal failed"),
        Err(e) => tracing::warn!(error = %e, "update metadata renewal panicked"),
    }
}

/// Fetches the intermediate-report requests (Art. 14(6)) with ids above `after` from the
/// authority and adds each, once, to its case as a new stage, with an urgent alert. Returns the
/// highest request id seen (the next call's `after`). After a restart it starts from 0 again;
/// requests already in a case are skipped.
pub(crate) async fn fetch_authority_requests(app: &App, after: i64) -> Result<i64, ServiceError> {
    let Some(endpoint) = app.config.reporting.clone() else {
        return Ok(after);
    };
    let url = format!(
        "{}/api/v1/authority/requests?after={after}",
        endpoint.url.trim_end_matches('/')
    );
    let resp = app
        .http
        .get(&url)
        .bearer_auth(&endpoint.token)
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .map_err(|e| {
            ServiceError::new(
                ErrorKind::Upstream,
                "reporting",
                e.without_url().to_string(),
            )
        })?;
    if !resp.status().is_success() {
        return Err(ServiceError::new(
            ErrorKind::Upstream,
            "reporting",
            format!("authority answered {}", resp.status()),
        ));
    }
    let items: Vec<serde_json::Value> = resp.json().await.map_err(|e| {
        ServiceError::new(
            ErrorKind::Upstream,
            "reporting",
            format!(
                "the authority's list of requests does not read: {}",
                e.without_url()
            ),
        )
    })?;
    let mut seen = after;
    for item in items {
        seen = seen.max(item["id"].as_i64().unwrap_or(after));
        let Some(key) = item["idempotency_key"].as_str() else {
            continue;
        };
        let Ok(req) =
            serde_json::from_value::<cyres_report::IntermediateRequest>(item["request"].clone())
        else {
            continue;
        };
        crate::service::case_events::take_intermediate_request(app, key, &req).await?;
    }
    Ok(seen)
}

/// The authority's receipt for a delivered report: its JSON and the reference it names.
async fn receipt(resp: reqwest::Response) -> Result<(serde_json::Value, String), String> {
    let v: serde_json::Value = resp
        .json()
        .await
        .map_err(|e| format!("the authority's receipt does not read: {}", e.without_url()))?;
    let reference = v["reference"]
        .as_str()
        .filter(|r| !r.trim().is_empty())
        .ok_or("the authority's receipt names no reference")?
        .to_string();
    Ok((v, reference))
}
