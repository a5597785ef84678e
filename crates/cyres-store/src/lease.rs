//! Leases: how several server processes on one database share the background work, each piece
//! done once.
//!
//! A worker *claims* due rows of an outbox (alert deliveries, notice deliveries, report
//! submissions) by stamping `lease_until = now + lease` in one `UPDATE … RETURNING`; while the
//! lease runs no other worker sees the row as due, and recording the attempt clears it. A
//! worker that dies (SIGKILL, lost host) leaves its lease behind; when it runs out the row is
//! due again and another worker retries it, so nothing is lost. Jobs do the same with their
//! `run_at` (see `jobs.rs`); singleton work without a row of its own (one source's sync, the poll
//! of the authority's requests) takes a named row of `task_lease`.
//!
//! On PostgreSQL the candidate rows are picked with `FOR UPDATE SKIP LOCKED`, so concurrent
//! claimers take disjoint rows without waiting on each other. The pick is a `MATERIALIZED`
//! common table expression so it runs exactly once (as a plain `IN (subquery)` PostgreSQL may
//! re-run it per row and, skipping the rows it just updated, lease more than `LIMIT` rows).
//! The outer `UPDATE` repeats the due condition, so even a row that slipped through is re-checked on its newest version (read
//! committed re-evaluates the `WHERE` of a row another transaction changed) and claimed by one
//! worker only. SQLite has one writer at a time, so the same statement is exclusive there
//! without the locking clause, the only part of the SQL that differs between the engines.
//!
//! A lease must outlast the work done under it: callers claim small batches and choose the
//! lease from the longest attempt (see `cyres-server`'s worker).

use crate::{Backend, Store, StoreError};
use sqlx::any::AnyRow;

/// The row-locking clause of a claim's candidate `SELECT`: `FOR UPDATE SKIP LOCKED` on
/// PostgreSQL, nothing on SQLite (whose single writer already makes a claim exclusive).
pub(crate) fn skip_locked(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    }
}

/// The row-locking clause of a read-modify-write `SELECT`: `FOR UPDATE` on PostgreSQL,
/// nothing on SQLite (whose write transactions already exclude each other).
pub(crate) fn for_update(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    }
}

/// An outbox table with `state`, `next_attempt_at` and `lease_until` columns.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Outbox {
    /// `delivery`: alerts to webhooks and e-mail.
    Alerts,
    /// `notice_delivery`: published user notices to product subscribers.
    Notices,
    /// `report_submission`: Article 14 reports to the reporting endpoint.
    Submissions,
}

impl Outbox {
    pub(crate) fn table(self) -> &'static str {
        match self {
            Outbox::Alerts => "delivery",
            Outbox::Notices => "notice_delivery",
            Outbox::Submissions => "report_submission",
        }
    }
}

/// Claims up to `limit` due, unleased rows of `outbox` for `lease` seconds and returns them
/// (columns `cols`) oldest-due first.
pub(crate) async fn claim_due(
    store: &Store,
    outbox: Outbox,
    cols: &str,
    now: i64,
    lease: i64,
    limit: i64,
) -> Result<Vec<AnyRow>, StoreError> {
    let t = outbox.table();
    let due = "state = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)";
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "WITH picked AS MATERIALIZED (SELECT id FROM {t} WHERE {due} ORDER BY next_attempt_at, id \
         LIMIT $2{lock}) UPDATE {t} SET lease_until = $3 WHERE id IN (SELECT id FROM picked) AND {due} \
         RETURNING {cols}, next_attempt_at AS claim_order",
        lock = skip_locked(store.backend()),
    )))
    .bind(now)
    .bind(limit.max(1))
    .bind(now + lease.max(1))
    .fetch_all(&store.pool)
    .await?;
    // `RETURNING` follows no order; hand rows out oldest-due first, as they were picked.
    let key = |r: &AnyRow| -> (i64, i64) {
        use sqlx::Row;
        (
            r.try_get("claim_order").unwrap_or(0),
            r.try_get("id").unwrap_or(0),
        )
    };
    rows.sort_by_key(key);
    Ok(rows)
}

impl Store {
    /// Takes the named singleton task (`sync:<source>`, `authority-requests`) for `lease`
    /// seconds when nobody holds it; true when this caller got it. Whoever holds it does the
    /// work and then calls [`Store::release_task`]; a holder that dies loses it when the
    /// lease runs out.
    pub async fn claim_task(&self, name: &str, now: i64, lease: i64) -> Result<bool, StoreError> {
        let n = sqlx::query(
            "INSERT INTO task_lease (name, lease_until) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET lease_until = excluded.lease_until \
             WHERE task_lease.lease_until <= $3",
        )
        .bind(name)
        .bind(now + lease.max(1))
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Gives the named task back; nobody takes it again before `free_at` (pass `now` to free
    /// it at once, a later time to space runs apart across all replicas).
    pub async fn release_task(&self, name: &str, free_at: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE task_lease SET lease_until = $1 WHERE name = $2")
            .bind(free_at)
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Whether someone holds the named task now (a sync in progress, for pages showing it).
    pub async fn task_held(&self, name: &str, now: i64) -> Result<bool, StoreError> {
        Ok(
            sqlx::query("SELECT 1 AS held FROM task_lease WHERE name = $1 AND lease_until > $2")
                .bind(name)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?
                .is_some(),
        )
    }
}
