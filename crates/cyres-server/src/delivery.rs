//! The outbox mechanics every delivery shares (alert deliveries, notices to subscribers,
//! report submissions): claiming due rows under a lease, attempting a batch concurrently, the
//! webhook retry schedule and its jitter. The worker (alerts, submissions) and
//! `crate::notices` (notice deliveries) both drain their outboxes through here.

use crate::{ApiError, App};
use cyres_feeds::webhook::RetryPolicy;
use std::time::Duration;

/// How webhooks are retried: 30 s doubling to at most 1 h, 8 attempts in all.
pub const WEBHOOK_RETRY: RetryPolicy = RetryPolicy {
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
pub(crate) async fn drain_outbox<T, C, CF, A, AF>(
    app: &App,
    claim: C,
    attempt: A,
) -> Result<usize, ApiError>
where
    C: Fn(i64, i64, i64) -> CF,
    CF: std::future::Future<Output = Result<Vec<T>, cyres_store::StoreError>>,
    A: Fn(T) -> AF,
    AF: std::future::Future<Output = Result<bool, ApiError>>,
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
