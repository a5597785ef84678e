//! The audit trail: append-only and tamper-evident. There is no update or delete of audit rows
//! anywhere in the code base (the one exception fills in the chain columns of rows written
//! before the chain existed, once); the API only lists them.
//!
//! # The hash chain
//!
//! Each organisation's events form one chain, and platform events without an organisation
//! another (chain id 0; organisation ids start at 1). An event carries its position in its
//! chain (`chain_seq`, from 1), the hash of the event before it (`prev_hash`, empty for the
//! first) and its own `hash`:
//!
//! ```text
//! hash = hex(SHA-256(field(v) ‖ field(org) ‖ field(seq) ‖ field(actor) ‖ field(action)
//!                    ‖ field(target_kind) ‖ field(target_id) ‖ field(details) ‖ field(at)
//!                    ‖ field(prev_hash)))
//! field(x) = 8-byte big-endian length of x ‖ the UTF-8 bytes of x
//! ```
//!
//! with `v` = `cyres-audit-v1`, `org` the organisation id in decimal (empty for platform
//! events), `seq` and `at` (Unix seconds) in decimal, `details` the JSON text exactly as stored,
//! and `prev_hash` lower-case hex. Length prefixes make the encoding unambiguous (no choice of
//! field values makes two different rows encode alike), and the row id is left out so the
//! encoding only depends on what the event says and where it sits in its chain.
//!
//! Appending happens inside the caller's transaction: the chain's head row in
//! `audit_chain_head` is upserted first, which locks it on PostgreSQL until the transaction
//! ends (SQLite has one writer: every write transaction starts with `BEGIN IMMEDIATE`), so two
//! writers to one organisation's chain take turns and cannot fork it; a unique index on
//! (chain, seq) backs that up. The head also remembers the last event, so deleting events at
//! the end of a chain is detected as well as edits and deletions in the middle.
//!
//! Rows written before migration 0010 are chained on the first start after it (when the store
//! opens, [`Store::open`] calls `chain_legacy_audit_events`), in id order, appended after any
//! chained events of their chain. Only those: the migration notes the highest id it found, and
//! a row without a hash above it was written around the store and stays a broken link.
//!
//! What the chain proves: that no row was edited, deleted or slipped in by someone who did not
//! also recompute every later hash and the head. Someone with write access to the database can
//! do that too; keeping the head hashes `cyres admin audit verify` prints somewhere else (a
//! ticket, a log shipped off the host) turns that into a detectable rewrite as well.

use crate::{Actor, AuditEvent, Store, StoreError};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// The version tag that opens every encoded event.
const ENCODING: &str = "cyres-audit-v1";

/// Rows read per query while verifying or chaining.
const PAGE: i64 = 1000;

/// The fields of one event that its hash covers.
struct Chained<'a> {
    org_id: Option<i64>,
    seq: i64,
    actor: &'a str,
    action: &'a str,
    target_kind: &'a str,
    target_id: &'a str,
    details: &'a str,
    at: i64,
    prev_hash: &'a str,
}

impl Chained<'_> {
    /// The event's hash over the canonical encoding documented above.
    fn hash(&self) -> String {
        let org = self.org_id.map(|o| o.to_string()).unwrap_or_default();
        let (seq, at) = (self.seq.to_string(), self.at.to_string());
        let mut h = Sha256::new();
        for field in [
            ENCODING,
            &org,
            &seq,
            self.actor,
            self.action,
            self.target_kind,
            self.target_id,
            self.details,
            &at,
            self.prev_hash,
        ] {
            h.update((field.len() as u64).to_be_bytes());
            h.update(field.as_bytes());
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The chain an event belongs to: its organisation, 0 for platform events.
fn chain_of(org_id: Option<i64>) -> i64 {
    org_id.unwrap_or(0)
}

/// Locks the chain's head row (creating it for a new chain) and returns its position and hash.
async fn lock_head(conn: &mut AnyConnection, chain: i64) -> Result<(i64, String), StoreError> {
    // An upsert that changes nothing still takes the row lock on PostgreSQL, held to commit.
    let head = sqlx::query(
        "INSERT INTO audit_chain_head (chain_id, seq, hash, event_id) VALUES ($1, 0, '', 0) \
         ON CONFLICT (chain_id) DO UPDATE SET seq = audit_chain_head.seq RETURNING seq, hash",
    )
    .bind(chain)
    .fetch_one(&mut *conn)
    .await?;
    Ok((head.try_get("seq")?, head.try_get("hash")?))
}

async fn move_head(
    conn: &mut AnyConnection,
    chain: i64,
    seq: i64,
    hash: &str,
    event_id: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE audit_chain_head SET seq = $1, hash = $2, event_id = $3 WHERE chain_id = $4",
    )
    .bind(seq)
    .bind(hash)
    .bind(event_id)
    .bind(chain)
    .execute(conn)
    .await?;
    Ok(())
}

/// One audit event to write: who did what to which object, with details, at which time.
pub(crate) struct Event<'a> {
    /// The organisation whose chain it joins (`None`: the platform's).
    pub(crate) org_id: Option<i64>,
    /// Who.
    pub(crate) actor: &'a Actor,
    /// What (`case.confirm`, `product.archive`, …).
    pub(crate) action: &'a str,
    /// The kind of object acted on.
    pub(crate) target_kind: &'a str,
    /// Its id.
    pub(crate) target_id: &'a str,
    /// Details (JSON).
    pub(crate) details: serde_json::Value,
    /// When (Unix seconds, the injected clock).
    pub(crate) at: i64,
}

/// Writes one audit event on the given connection (inside the caller's transaction), appended
/// to its organisation's chain.
pub(crate) async fn record(conn: &mut AnyConnection, event: Event<'_>) -> Result<(), StoreError> {
    let Event {
        org_id,
        actor,
        action,
        target_kind,
        target_id,
        details,
        at: now,
    } = event;
    let chain = chain_of(org_id);
    let (last_seq, prev_hash) = lock_head(conn, chain).await?;
    let actor = actor.display();
    let details = details.to_string();
    let seq = last_seq + 1;
    let hash = Chained {
        org_id,
        seq,
        actor: &actor,
        action,
        target_kind,
        target_id,
        details: &details,
        at: now,
        prev_hash: &prev_hash,
    }
    .hash();
    let id: i64 = sqlx::query(
        "INSERT INTO audit_event (org_id, actor, action, target_kind, target_id, details, at, chain_seq, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(org_id)
    .bind(&actor)
    .bind(action)
    .bind(target_kind)
    .bind(target_id)
    .bind(&details)
    .bind(now)
    .bind(seq)
    .bind(&prev_hash)
    .bind(&hash)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    move_head(conn, chain, seq, &hash, id).await
}

/// The result of [`Store::verify_audit_chain`]: every chain walked.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditVerification {
    /// One entry per chain, platform events (no organisation) first, then by organisation id.
    pub chains: Vec<AuditChain>,
    /// Events outside any chain (no hash or no position): written around the store, so each
    /// is a broken link of its own.
    pub unchained: Vec<BrokenLink>,
}

impl AuditVerification {
    /// True when every chain is whole and every event is in one.
    pub fn intact(&self) -> bool {
        self.unchained.is_empty() && self.chains.iter().all(|c| c.broken.is_none())
    }

    /// Every broken link found: the first of each broken chain, then unchained events.
    pub fn broken(&self) -> Vec<&BrokenLink> {
        self.chains
            .iter()
            .filter_map(|c| c.broken.as_ref())
            .chain(&self.unchained)
            .collect()
    }
}

/// One walked chain.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditChain {
    /// The organisation (`None`: platform events).
    pub org_id: Option<i64>,
    /// Events checked (up to the first broken link).
    pub events: i64,
    /// The hash of the last event checked (empty when none).
    pub last_hash: String,
    /// The first broken link, if any.
    pub broken: Option<BrokenLink>,
}

/// Where a chain breaks and how.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BrokenLink {
    /// The chain's organisation (`None`: platform events).
    pub org_id: Option<i64>,
    /// The audit event at which the chain breaks (`None` when it is missing altogether).
    pub event_id: Option<i64>,
    /// Its position in the chain.
    pub seq: i64,
    /// What differs, in words.
    pub problem: String,
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// One stored event with its chain columns.
struct StoredEvent {
    id: i64,
    org_id: Option<i64>,
    actor: String,
    action: String,
    target_kind: String,
    target_id: String,
    details: String,
    at: i64,
    seq: Option<i64>,
    prev_hash: Option<String>,
    hash: Option<String>,
}

const EVENT_COLS: &str =
    "id, org_id, actor, action, target_kind, target_id, details, at, chain_seq, prev_hash, hash";

fn stored_from(r: &AnyRow) -> Result<StoredEvent, StoreError> {
    Ok(StoredEvent {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        target_kind: r.try_get("target_kind")?,
        target_id: r.try_get("target_id")?,
        details: r.try_get("details")?,
        at: r.try_get("at")?,
        seq: r.try_get("chain_seq")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

impl StoredEvent {
    /// The hash this event's fields give at position `seq` after `prev_hash`.
    fn hash_at(&self, seq: i64, prev_hash: &str) -> String {
        Chained {
            org_id: self.org_id,
            seq,
            actor: &self.actor,
            action: &self.action,
            target_kind: &self.target_kind,
            target_id: &self.target_id,
            details: &self.details,
            at: self.at,
            prev_hash,
        }
        .hash()
    }
}

/// Walks one chain from its first event and compares the end with its head row.
async fn walk_chain(store: &Store, chain: i64) -> Result<AuditChain, StoreError> {
    let org_id = (chain != 0).then_some(chain);
    let mut walked = AuditChain {
        org_id,
        events: 0,
        last_hash: String::new(),
        broken: None,
    };
    let mut last_id = None;
    let broken = |event_id: Option<i64>, seq: i64, problem: String| BrokenLink {
        org_id,
        event_id,
        seq,
        problem,
    };
    'pages: loop {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EVENT_COLS} FROM audit_event WHERE COALESCE(org_id, 0) = $1 AND chain_seq > $2 \
             ORDER BY chain_seq LIMIT $3"
        )))
        .bind(chain)
        .bind(walked.events)
        .bind(PAGE)
        .fetch_all(&store.pool)
        .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let e = stored_from(r)?;
            let expected = walked.events + 1;
            let seq = e.seq.unwrap_or(0);
            let problem = if seq != expected {
                Some(format!(
                    "the chain jumps from position {} to {seq}: the event(s) in between were deleted",
                    expected - 1
                ))
            } else if e.prev_hash.as_deref() != Some(walked.last_hash.as_str()) {
                Some(format!(
                    "its prev_hash {} is not the hash {} of the event before it{}",
                    short(e.prev_hash.as_deref().unwrap_or("")),
                    short(&walked.last_hash),
                    last_id.map(|i| format!(" (event {i})")).unwrap_or_default()
                ))
            } else {
                let computed = e.hash_at(seq, &walked.last_hash);
                (e.hash.as_deref() != Some(computed.as_str())).then(|| {
                    format!(
                        "the row was changed after it was written: its fields hash to {}, the stored hash is {}",
                        short(&computed),
                        short(e.hash.as_deref().unwrap_or(""))
                    )
                })
            };
            if let Some(problem) = problem {
                walked.broken = Some(broken(Some(e.id), seq, problem));
                break 'pages;
            }
            walked.events = seq;
            walked.last_hash = e.hash.unwrap_or_default();
            last_id = Some(e.id);
        }
    }
    if walked.broken.is_none() {
        let head =
            sqlx::query("SELECT seq, hash, event_id FROM audit_chain_head WHERE chain_id = $1")
                .bind(chain)
                .fetch_optional(&store.pool)
                .await?;
        let (head_seq, head_hash, head_id): (i64, String, i64) = match &head {
            Some(h) => (
                h.try_get("seq")?,
                h.try_get("hash")?,
                h.try_get("event_id")?,
            ),
            None => (0, String::new(), 0),
        };
        if head.is_none() && walked.events > 0 {
            walked.broken = Some(broken(
                last_id,
                walked.events,
                "the chain has no head row (audit_chain_head was edited)".into(),
            ));
        } else if head_seq != walked.events || head_hash != walked.last_hash {
            walked.broken = Some(broken(
                Some(head_id).filter(|i| *i > 0),
                head_seq,
                format!(
                    "the chain head records {head_seq} event(s) ending in event {head_id} (hash {}), \
                     the table holds {} ending in {}: events at the end were deleted or the head was edited",
                    short(&head_hash),
                    walked.events,
                    last_id.map_or_else(|| "none".to_string(), |i| format!("event {i}"))
                ),
            ));
        }
    }
    Ok(walked)
}

impl Store {
    /// The organisation's audit events, newest first.
    pub async fn audit_events(
        &self,
        org_id: i64,
        limit: i64,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EVENT_COLS} FROM audit_event WHERE org_id = $1 ORDER BY id DESC LIMIT $2"
        )))
        .bind(org_id)
        .bind(limit.clamp(1, 1000))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let e = stored_from(r)?;
            Ok(AuditEvent {
                id: e.id,
                org_id: e.org_id,
                actor: e.actor,
                action: e.action,
                target_kind: e.target_kind,
                target_id: e.target_id,
                details: crate::text::json_value(&e.details, "details")?,
                at: e.at,
            })
        })
        .collect()
    }

    /// Walks every audit chain (each organisation's, and the platform's) from its first event,
    /// recomputing each hash, and names the first broken link of each: an edited row (its
    /// fields no longer give its hash), a deleted one (a gap in the positions, or a
    /// `prev_hash` that is not the previous event's hash), events deleted at the end (the
    /// chain head disagrees), and rows inserted around the store (no hash). Reads in pages, so
    /// memory stays flat however long the trail.
    pub async fn verify_audit_chain(&self) -> Result<AuditVerification, StoreError> {
        let mut ids: Vec<i64> = sqlx::query(
            "SELECT chain_id FROM audit_chain_head UNION SELECT DISTINCT COALESCE(org_id, 0) AS chain_id FROM audit_event",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.try_get("chain_id"))
        .collect::<Result<_, _>>()?;
        ids.sort_unstable();
        ids.dedup();
        let mut chains = Vec::with_capacity(ids.len());
        for chain in ids {
            chains.push(walk_chain(self, chain).await?);
        }
        let unchained = sqlx::query(
            "SELECT id, org_id, chain_seq FROM audit_event WHERE hash IS NULL OR chain_seq IS NULL \
             OR prev_hash IS NULL ORDER BY id LIMIT 100",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(BrokenLink {
                org_id: r.try_get("org_id")?,
                event_id: Some(r.try_get("id")?),
                seq: r.try_get::<Option<i64>, _>("chain_seq")?.unwrap_or(0),
                problem: "the event is not in the chain (no hash or position): it was written \
                          around the store or its chain columns were cleared"
                    .into(),
            })
        })
        .collect::<Result<_, StoreError>>()?;
        Ok(AuditVerification { chains, unchained })
    }

    /// Appends audit rows that have no chain columns yet (written before migration 0010) to
    /// their chains, in id order; returns how many. Runs when the store opens (public for tools
    /// and tests); rows above the migration's mark are never chained here. Safe when
    /// several replicas start at once (each chain's head is locked while its rows are added,
    /// and a row is only filled in while it still has no hash).
    pub async fn chain_legacy_audit_events(&self) -> Result<u64, StoreError> {
        let mut total = 0;
        loop {
            let chains: Vec<i64> = sqlx::query(
                "SELECT DISTINCT COALESCE(org_id, 0) AS chain_id FROM audit_event WHERE hash IS NULL \
                 AND id <= (SELECT MAX(up_to_id) FROM audit_chain_backfill)",
            )
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get("chain_id"))
            .collect::<Result<_, _>>()?;
            if chains.is_empty() {
                return Ok(total);
            }
            for chain in chains {
                let mut tx = self.begin().await?;
                let (mut seq, mut prev) = lock_head(&mut tx, chain).await?;
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {EVENT_COLS} FROM audit_event WHERE hash IS NULL AND COALESCE(org_id, 0) = $1 \
                     AND id <= (SELECT MAX(up_to_id) FROM audit_chain_backfill) ORDER BY id LIMIT $2"
                )))
                .bind(chain)
                .bind(PAGE)
                .fetch_all(&mut *tx)
                .await?;
                let mut last_id = None;
                for r in &rows {
                    let e = stored_from(r)?;
                    let hash = e.hash_at(seq + 1, &prev);
                    let n = sqlx::query(
                        "UPDATE audit_event SET chain_seq = $1, prev_hash = $2, hash = $3 WHERE id = $4 AND hash IS NULL",
                    )
                    .bind(seq + 1)
                    .bind(&prev)
                    .bind(&hash)
                    .bind(e.id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if n == 1 {
                        seq += 1;
                        prev = hash;
                        last_id = Some(e.id);
                        total += 1;
                    }
                }
                if let Some(id) = last_id {
                    move_head(&mut tx, chain, seq, &prev, id).await?;
                }
                tx.commit().await?;
            }
        }
    }
}
