//! The outbox mechanics every delivery shares (alert deliveries, notices to subscribers,
//! report submissions): claiming due rows under a lease, attempting a batch concurrently, the
//! webhook retry schedule and its jitter. The worker (alerts, submissions) and
//! `crate::notices` (notice deliveries) both drain their outboxes through here.

use crate::App;
use cyres_feeds::webhook::RetryPolicy;
use std::time::Duration;

/// How webhooks are retried: 30 s doubling to at most 1 h, 8 attempts in all.
pub(crate) const WEBHOOK_RETRY: RetryPolicy = RetryPolicy {
    base: Duration::from_secs(30),
    cap: Duration::from_secs(3600),
    max_attempts: 8,
};

/// Outbox rows one claim takes. They are attempted concurrently, so the lease only has to
/// outlast the slowest single attempt, not the batch.
pub(crate) const CLAIM_BATCH: i64 = 16;

/// Most outbox rows of one kind a tick attempts, so one busy outbox cannot starve the others.
pub(crate) const ROUND_MAX: usize = 400;

/// The outbox lease, seconds.
pub(crate) fn outbox_lease(app: &App) -> i64 {
    app.config.worker_lease_secs.max(1) as i64
}

/// Claims batches from an outbox until it has nothing due (or a round's worth was done) and
/// attempts each batch concurrently; returns how many attempts `attempt` counted as done. Every
/// attempt of a batch finishes (and records its outcome) before the first error is returned.
/// Generic over the caller's error type, so this module depends on no layer above the store.
pub(crate) async fn drain_outbox<T, E, C, CF, A, AF>(
    app: &App,
    claim: C,
    attempt: A,
) -> Result<usize, E>
where
    E: From<cyres_store::StoreError>,
    C: Fn(i64, i64, i64) -> CF,
    CF: std::future::Future<Output = Result<Vec<T>, cyres_store::StoreError>>,
    A: Fn(T) -> AF,
    AF: std::future::Future<Output = Result<bool, E>>,
{
    let (mut done, mut seen) = (0, 0);
    while seen < ROUND_MAX {
        let batch = claim(app.now(), outbox_lease(app), CLAIM_BATCH).await?;
        if batch.is_empty() {
            break;
        }
        seen += batch.len();
        let results = futures_util::future::join_all(batch.into_iter().map(&attempt)).await;
        for r in results {
            if r? {
                done += 1;
            }
        }
    }
    Ok(done)
}

/// A random fraction in 0..=1 that spreads retries of many deliveries apart.
pub(crate) fn jitter() -> f64 {
    let mut b = [0u8; 2];
    let _ = aws_lc_rs::rand::fill(&mut b);
    f64::from(u16::from_le_bytes(b)) / f64::from(u16::MAX)
}

/// Records one HTTP delivery attempt of an alert delivery, with the next retry when the
/// receiver may accept later ([`WEBHOOK_RETRY`]).
pub(crate) async fn record_http_attempt(
    app: &App,
    d: &cyres_store::Delivery,
    result: &cyres_feeds::webhook::DeliveryResult,
) -> Result<(), cyres_store::StoreError> {
    let now = app.now();
    let retry = if result.is_success() || !result.should_retry() {
        None
    } else {
        cyres_feeds::webhook::backoff(&WEBHOOK_RETRY, (d.attempts + 1) as u32, jitter())
            .map(|w| now + w.as_secs() as i64)
    };
    app.store
        .record_delivery_attempt(
            d.id,
            result.is_success(),
            result.status.map(i64::from),
            result.error.as_deref(),
            retry,
            now,
        )
        .await
}

/// Mails an alert to `to` through the configured relay and records the attempt; skips the
/// delivery when e-mail is not configured or nobody is to receive it. True when attempted.
pub(crate) async fn mail_alert(
    app: &App,
    d: &cyres_store::Delivery,
    alert: &cyres_feeds::Alert,
    to: &[String],
) -> Result<bool, cyres_store::StoreError> {
    let Some(smtp) = &app.config.smtp else {
        app.store
            .skip_delivery(d.id, "e-mail is not configured")
            .await?;
        return Ok(false);
    };
    if to.is_empty() {
        app.store.skip_delivery(d.id, "no recipients").await?;
        return Ok(false);
    }
    let config = cyres_feeds::smtp::SmtpConfig::relay(smtp.host.clone(), smtp.port);
    let domain = smtp
        .from
        .rsplit('@')
        .next()
        .unwrap_or("localhost")
        .to_string();
    let mail = cyres_feeds::smtp::Mail::for_alert(alert, &smtp.from, to, &domain);
    let now = app.now();
    match cyres_feeds::smtp::send(&config, &mail).await {
        Ok(()) => {
            app.store
                .record_delivery_attempt(d.id, true, None, None, None, now)
                .await?
        }
        Err(e) => {
            let retry =
                cyres_feeds::webhook::backoff(&WEBHOOK_RETRY, (d.attempts + 1) as u32, jitter())
                    .map(|w| now + w.as_secs() as i64);
            app.store
                .record_delivery_attempt(d.id, false, None, Some(&e.to_string()), retry, now)
                .await?
        }
    }
    Ok(true)
}

/// The organisation's members of editor rank and above: who gets alert e-mail by default.
pub(crate) async fn editor_addresses(
    app: &App,
    org_id: i64,
) -> Result<Vec<String>, cyres_store::StoreError> {
    Ok(app
        .store
        .members(org_id)
        .await?
        .into_iter()
        .filter(|m| m.role >= cyres_store::Role::Editor)
        .map(|m| m.account.email)
        .collect())
}
