//! Background jobs as rows: enqueued in the transaction that makes them necessary, claimed with
//! a lease, finished or retried. A job whose worker died is claimed again when its lease runs
//! out, so a restart resumes unfinished work.

use crate::{Job, QueuedJob, Store, StoreError};
use sqlx::Row;

/// The `kind` and `payload` columns of a job.
pub(crate) fn job_columns(job: &Job) -> Result<(&'static str, String), StoreError> {
    let mut v = serde_json::to_value(job).map_err(|e| StoreError::Corrupt {
        what: "job",
        message: e.to_string(),
    })?;
    let payload = v
        .get_mut("payload")
        .map(serde_json::Value::take)
        .unwrap_or_default();
    Ok((job.kind(), payload.to_string()))
}

/// The job a row holds, or why it cannot be read (an unknown kind or a payload that does not
/// fit it: written by a newer release, or damaged).
fn job_of(kind: &str, payload: &str) -> Result<Job, String> {
    let payload: serde_json::Value =
        serde_json::from_str(payload).map_err(|e| format!("payload is not JSON: {e}"))?;
    serde_json::from_value(serde_json::json!({"kind": kind, "payload": payload}))
        .map_err(|e| format!("job of kind {kind:?} cannot be read: {e}"))
}

/// Queues a job inside the caller's transaction, due now.
pub(crate) async fn enqueue(
    conn: &mut sqlx::AnyConnection,
    job: &Job,
    now: i64,
) -> Result<(), StoreError> {
    let (kind, payload) = job_columns(job)?;
    sqlx::query(
        "INSERT INTO job (kind, payload, state, attempts, run_at, created_at) \
         VALUES ($1, $2, 'pending', 0, $3, $4)",
    )
    .bind(kind)
    .bind(payload)
    .bind(now)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// Adds a job due at `run_at`.
    pub async fn enqueue_job(&self, job: &Job, run_at: i64, now: i64) -> Result<i64, StoreError> {
        let (kind, payload) = job_columns(job)?;
        let r = sqlx::query(
            "INSERT INTO job (kind, payload, state, attempts, run_at, created_at) \
             VALUES ($1, $2, 'pending', 0, $3, $4) RETURNING id",
        )
        .bind(kind)
        .bind(payload)
        .bind(run_at)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(r.try_get("id")?)
    }

    /// Claims the next due job, leasing it for `lease` seconds (it becomes due again if not
    /// finished by then). One statement picks and leases the job, so two workers (in one
    /// process or in several replicas) never get the same job; on PostgreSQL the pick skips
    /// jobs another worker is claiming right now (`FOR UPDATE SKIP LOCKED`, see `lease.rs`).
    ///
    /// A row that cannot be read as a [`Job`] (unknown kind, payload that does not fit) is
    /// marked failed with the reason and never handed out; the next due job is claimed instead.
    pub async fn claim_job(&self, now: i64, lease: i64) -> Result<Option<QueuedJob>, StoreError> {
        let due = "state = 'pending' AND run_at <= $1";
        let sql = format!(
            "WITH picked AS MATERIALIZED (SELECT id FROM job WHERE {due} ORDER BY run_at, id LIMIT 1{lock}) \
             UPDATE job SET run_at = $2, attempts = attempts + 1 WHERE id IN (SELECT id FROM picked) \
             AND {due} RETURNING id, kind, payload, attempts",
            lock = crate::lease::skip_locked(self.backend()),
        );
        loop {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(now)
                .bind(now + lease.max(1))
                .fetch_optional(&self.pool)
                .await?;
            let Some(r) = r else { return Ok(None) };
            let id: i64 = r.try_get("id")?;
            let kind: String = r.try_get("kind")?;
            match job_of(&kind, &r.try_get::<String, _>("payload")?) {
                Ok(job) => {
                    return Ok(Some(QueuedJob {
                        id,
                        job,
                        attempts: r.try_get("attempts")?,
                    }));
                }
                Err(why) => self.fail_job(id, &why, None).await?,
            }
        }
    }

    /// Marks a job done.
    pub async fn finish_job(&self, id: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE job SET state = 'done' WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records a failure; retries at `retry_at`, or gives up when `None`.
    pub async fn fail_job(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<i64>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE job SET state = $1, last_error = $2, run_at = COALESCE($3, run_at) WHERE id = $4")
            .bind(if retry_at.is_some() { "pending" } else { "failed" })
            .bind(error)
            .bind(retry_at)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Jobs not yet done.
    pub async fn pending_job_count(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query("SELECT COUNT(*) AS n FROM job WHERE state = 'pending'")
                .fetch_one(&self.pool)
                .await?
                .try_get("n")?,
        )
    }
}
