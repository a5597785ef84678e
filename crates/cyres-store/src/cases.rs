//! Article 14 cases, their report submissions (the durable outbox towards the reporting
//! endpoint) and, on the authority side, received reports.
//!
//! The case body is the `cyres-report` case as JSON; the store keeps it opaque and indexes only
//! what lists and the clocks need (state, kind, awareness time). A submission's idempotency key
//! is unique on both sides: the manufacturer's outbox cannot queue a stage revision twice, and
//! the authority stores a report once however often it is delivered.

use crate::audit::{Event, record};
use crate::maintainer_notices::{Cases, copy_notices};
use crate::words::{state_words, word};
use crate::{Actor, Store, StoreError};
use cyres_cra::{CaseKind, StageKind};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

state_words! {
    /// Where an Article 14 case stands.
    CaseState {
        /// Proposed by cyres (an exploited finding) or by a voluntary report; a person
        /// confirms or dismisses it.
        Proposed => "proposed",
        /// Confirmed: the time of awareness is fixed and the clocks run (Art. 14(2)).
        Open => "open",
        /// Closed.
        Closed => "closed",
        /// A proposal dismissed with a reason.
        Dismissed => "dismissed",
    }
}

state_words! {
    /// Where a report submission stands in the outbox.
    SubmissionState {
        /// Waiting for (another) delivery attempt.
        Pending => "pending",
        /// The reporting endpoint gave a receipt.
        Delivered => "delivered",
        /// Given up.
        Failed => "failed",
        /// Kept for a manual submission in the ENISA portal (no endpoint configured).
        Manual => "manual",
    }
}

state_words! {
    /// What an authority did on a received report (`authority_action.kind`).
    AuthorityActionKind {
        /// The coordinator CSIRT's decision on forwarding and dissemination (Art. 16(1)).
        Decision => "decision",
        /// ENISA's analyst review of a report (Art. 16(2)).
        Review => "review",
        /// The coordinator's answer to ENISA's recommendation (Art. 16(2), third subparagraph).
        RecommendationAnswer => "recommendation_answer",
        /// The CSIRT informed the impacted users (Art. 14(8)).
        UsersInformed => "users_informed",
        /// The coordinator CSIRT's request for an intermediate report (Art. 14(6)).
        IntermediateRequest => "intermediate_request",
    }
}

impl CaseState {
    /// Whether the Article 14 clocks of the case run on its own awareness time (a confirmed
    /// case, open or closed) rather than on the provisional first evidence.
    pub fn is_confirmed(self) -> bool {
        matches!(self, CaseState::Open | CaseState::Closed)
    }
}

/// On a case, the record that the maintainer of an integrated component was informed of the
/// vulnerability (CRA Art. 13(6)), written when the upstream report is marked sent (migration
/// 0030). Kept apart from the evidence ledger, which holds exploitation evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MaintainerNotice {
    /// Id.
    pub id: i64,
    /// The case.
    pub case_id: i64,
    /// The upstream report it refers to.
    pub upstream_report_id: i64,
    /// Who was informed (the maintainer or the organisation receiving it).
    pub maintainer: String,
    /// How (`e-mail to security@…`, `GitHub security advisory`, `platform`).
    pub channel: String,
    /// When the maintainer was informed (Unix seconds).
    pub informed_at: i64,
    /// Who recorded it.
    pub informed_by: String,
    /// When it was recorded (Unix seconds).
    pub created_at: i64,
}

/// A case as listed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CaseRow {
    /// Id.
    pub id: i64,
    /// Organisation.
    pub org_id: i64,
    /// Vulnerability or incident.
    pub kind: CaseKind,
    /// Proposed, open, closed or dismissed.
    pub state: CaseState,
    /// One line.
    pub title: String,
    /// For proposals from exploited findings: the advisory.
    pub advisory_id: Option<String>,
    /// Findings behind the proposal.
    pub finding_ids: Vec<i64>,
    /// The `cyres-report` case (JSON), once confirmed.
    pub body: Option<serde_json::Value>,
    /// Awareness time, once confirmed.
    pub aware_at: Option<i64>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
}

/// A report submission.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SubmissionRow {
    /// Id.
    pub id: i64,
    /// Organisation.
    pub org_id: i64,
    /// Case.
    pub case_id: i64,
    /// The stage.
    pub stage: StageKind,
    /// Revision.
    pub revision: i64,
    /// Idempotency key.
    pub idempotency_key: String,
    /// The report pack (JSON).
    pub pack: serde_json::Value,
    /// Where the submission stands.
    pub state: SubmissionState,
    /// Attempts so far.
    pub attempts: i64,
    /// Unix seconds.
    pub next_attempt_at: i64,
    /// Last error.
    pub last_error: Option<String>,
    /// Authority's reference.
    pub receipt_ref: Option<String>,
    /// Authority's receipt time.
    pub receipt_at: Option<i64>,
    /// Reference from the ENISA portal, recorded by hand.
    pub portal_ref: Option<String>,
    /// When it was submitted in the portal.
    pub portal_submitted_at: Option<i64>,
    /// Unix seconds.
    pub created_at: i64,
}

/// A case opened by hand (a severe incident, or a vulnerability not found by matching).
#[derive(Clone, Copy, Debug)]
pub struct ManualCase<'a> {
    /// Vulnerability or severe incident.
    pub kind: CaseKind,
    /// Short title.
    pub title: &'a str,
    /// For a vulnerability: the id it goes by (CVE, GHSA, EUVD, ...), when known.
    pub advisory_id: Option<&'a str>,
    /// The case body (the `cyres-report` case JSON).
    pub body: &'a serde_json::Value,
    /// Time of awareness, Unix seconds (the Art. 14 clocks run from it).
    pub aware_at: i64,
}

/// A validated report to queue for delivery: one revision of one stage of a case.
#[derive(Clone, Copy, Debug)]
pub struct NewSubmission<'a> {
    /// The case.
    pub case_id: i64,
    /// The Art. 14 stage.
    pub stage: StageKind,
    /// The stage's revision (1, 2, …).
    pub revision: i64,
    /// Idempotency key: a second queueing of the same stage revision is a conflict.
    pub key: &'a str,
    /// The report pack.
    pub pack: &'a serde_json::Value,
    /// Deliver through the outbox (`pending`), or keep for a manual submission (`manual`).
    pub deliver: bool,
}

/// A report as an authority instance receives it from a sender.
#[derive(Clone, Copy, Debug)]
pub struct IncomingReport<'a> {
    /// The sender's idempotency key (a repeated delivery returns the first receipt).
    pub key: &'a str,
    /// Sending organisation (at the authority).
    pub sender_org_id: i64,
    /// Its name.
    pub sender: &'a str,
    /// Coordinator CSIRT member state code, when known.
    pub coordinator: Option<&'a str>,
    /// The stage.
    pub stage: StageKind,
    /// The pack.
    pub pack: &'a serde_json::Value,
    /// The assessment facts read from the pack, when it has them.
    pub facts: Option<&'a serde_json::Value>,
}

/// A report received by an authority instance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReceivedReport {
    /// Id (the authority's reference is `AUTH-<id>`).
    pub id: i64,
    /// Idempotency key.
    pub idempotency_key: String,
    /// Sending organisation (at the authority).
    pub sender_org_id: i64,
    /// Its name.
    pub sender: String,
    /// Coordinator CSIRT member state code, when known.
    pub coordinator: Option<String>,
    /// The stage.
    pub stage: StageKind,
    /// The pack.
    pub pack: serde_json::Value,
    /// Unix seconds.
    pub received_at: i64,
}

fn case_from(r: &AnyRow) -> Result<CaseRow, StoreError> {
    Ok(CaseRow {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        kind: word(r, "kind")?,
        state: word(r, "state")?,
        title: r.try_get("title")?,
        advisory_id: r.try_get("advisory_id")?,
        finding_ids: crate::text::json_column(r, "finding_ids")?,
        body: crate::text::json_column_opt(r, "body")?,
        aware_at: r.try_get("aware_at")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn submission_from(r: &AnyRow) -> Result<SubmissionRow, StoreError> {
    Ok(SubmissionRow {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        case_id: r.try_get("case_id")?,
        stage: word(r, "stage")?,
        revision: r.try_get("revision")?,
        idempotency_key: r.try_get("idempotency_key")?,
        pack: crate::text::json_column(r, "pack")?,
        state: word(r, "state")?,
        attempts: r.try_get("attempts")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        last_error: r.try_get("last_error")?,
        receipt_ref: r.try_get("receipt_ref")?,
        receipt_at: r.try_get("receipt_at")?,
        portal_ref: r.try_get("portal_ref")?,
        portal_submitted_at: r.try_get("portal_submitted_at")?,
        created_at: r.try_get("created_at")?,
    })
}

const CASE_COLS: &str = "id, org_id, kind, state, title, advisory_id, finding_ids, body, aware_at, created_at, updated_at";
const SUB_COLS: &str = "id, org_id, case_id, stage, revision, idempotency_key, pack, state, attempts, \
     next_attempt_at, last_error, receipt_ref, receipt_at, portal_ref, portal_submitted_at, created_at";

/// Proposes a case for an actively exploited advisory in an organisation, inside the caller's
/// transaction; an existing case for the same advisory gets the new findings added.
pub(crate) async fn propose(
    conn: &mut sqlx::AnyConnection,
    org_id: i64,
    advisory_id: &str,
    finding_ids: &[i64],
    now: i64,
) -> Result<(), StoreError> {
    let existing = sqlx::query(
        "SELECT id, finding_ids FROM report_case WHERE org_id = $1 AND advisory_id = $2",
    )
    .bind(org_id)
    .bind(advisory_id)
    .fetch_optional(&mut *conn)
    .await?;
    let case_id = match existing {
        Some(r) => {
            let id: i64 = r.try_get("id")?;
            let mut ids: Vec<i64> = crate::text::json_column(&r, "finding_ids")?;
            ids.extend_from_slice(finding_ids);
            ids.sort_unstable();
            ids.dedup();
            sqlx::query("UPDATE report_case SET finding_ids = $1, updated_at = $2 WHERE id = $3")
                .bind(crate::text::json_text("ids", &ids)?)
                .bind(now)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            id
        }
        None => sqlx::query(
            "INSERT INTO report_case (org_id, kind, state, title, advisory_id, finding_ids, created_at, updated_at) \
             VALUES ($1, 'vulnerability', 'proposed', $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(org_id)
        .bind(format!("Actively exploited: {advisory_id}"))
        .bind(advisory_id)
        .bind(crate::text::json_text("finding_ids", finding_ids)?)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?
        .try_get("id")?,
    };
    // CRA Art. 13(6): maintainers already informed of this vulnerability are recorded on the
    // new case, or on the case that gained findings, too.
    copy_notices(conn, org_id, Cases::One(case_id), now).await?;
    Ok(())
}

/// The organisation's cases (one, or all), read inside the caller's transaction.
pub(crate) async fn cases_in(
    conn: &mut sqlx::AnyConnection,
    org_id: i64,
    one: Option<i64>,
) -> Result<Vec<CaseRow>, StoreError> {
    let rows = match one {
        Some(id) => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {CASE_COLS} FROM report_case WHERE org_id = $1 AND id = $2"
            )))
            .bind(org_id)
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
        }
        None => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {CASE_COLS} FROM report_case WHERE org_id = $1 ORDER BY id"
            )))
            .bind(org_id)
            .fetch_all(&mut *conn)
            .await?
        }
    };
    rows.iter().map(case_from).collect()
}

/// The title a case body gives itself (the row's title follows it, so lists and pages show
/// the same name as reports and notices); `None` keeps the row's.
fn body_title(body: &serde_json::Value) -> Option<String> {
    body.get("title")
        .and_then(|t| t.as_str())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

impl Store {
    /// Stores a case proposal that did not come from matching (an Art. 15 voluntary report):
    /// `body` holds the proposal; a person confirms it into a case.
    pub async fn create_proposal(
        &self,
        org_id: i64,
        kind: CaseKind,
        title: &str,
        body: &serde_json::Value,
        now: i64,
    ) -> Result<CaseRow, StoreError> {
        crate::text::bounded("title", title, crate::text::TITLE)?;
        crate::text::bounded_json("body", body)?;
        let mut tx = self.begin().await?;
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO report_case (org_id, kind, state, title, finding_ids, body, created_at, updated_at) \
             VALUES ($1, $2, 'proposed', $3, '[]', $4, $5, $6) RETURNING {CASE_COLS}"
        )))
        .bind(org_id)
        .bind(kind.as_str())
        .bind(title)
        .bind(body.to_string())
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let case = case_from(&r)?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor: &Actor {
                    id: "public".into(),
                    label: "voluntary report".into(),
                },
                action: "case.propose",
                target_kind: "case",
                target_id: &case.id.to_string(),
                details: serde_json::json!({"kind": kind}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(case)
    }

    /// The organisation's cases, newest first.
    pub async fn cases(&self, org_id: i64) -> Result<Vec<CaseRow>, StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLS} FROM report_case WHERE org_id = $1 ORDER BY id DESC"
        )))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(case_from)
        .collect()
    }

    /// Every open case of every organisation (for reminders).
    pub async fn open_cases(&self) -> Result<Vec<CaseRow>, StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLS} FROM report_case WHERE state = 'open' ORDER BY id"
        )))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(case_from)
        .collect()
    }

    /// One case of this organisation.
    pub async fn case(&self, org_id: i64, id: i64) -> Result<CaseRow, StoreError> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLS} FROM report_case WHERE id = $1 AND org_id = $2"
        )))
        .bind(id)
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("case", id))?;
        case_from(&r)
    }

    /// The maintainer notices of case `id` (Art. 13(6)), oldest first.
    pub async fn case_maintainer_notices(
        &self,
        org_id: i64,
        id: i64,
    ) -> Result<Vec<MaintainerNotice>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, case_id, upstream_report_id, maintainer, channel, informed_at, informed_by, created_at \
             FROM case_maintainer_notice WHERE case_id = $1 AND org_id = $2 ORDER BY informed_at, id",
        )
        .bind(id)
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MaintainerNotice {
                    id: r.try_get("id")?,
                    case_id: r.try_get("case_id")?,
                    upstream_report_id: r.try_get("upstream_report_id")?,
                    maintainer: r.try_get("maintainer")?,
                    channel: r.try_get("channel")?,
                    informed_at: r.try_get("informed_at")?,
                    informed_by: r.try_get("informed_by")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// Opens a case by hand (a severe incident, or a vulnerability not found by matching). A
    /// vulnerability case may name its advisory ([`ManualCase::advisory_id`]): it then covers
    /// the organisation's findings of that advisory or its aliases (the Art. 14 clock counts
    /// from this case), and maintainers already informed of it are recorded on it (Art.
    /// 13(6)). One case per vulnerability: naming an advisory another case already has, under
    /// that id or an alias, is a conflict.
    pub async fn create_case(
        &self,
        org_id: i64,
        new: &ManualCase<'_>,
        actor: &Actor,
        now: i64,
    ) -> Result<CaseRow, StoreError> {
        let ManualCase {
            kind,
            title,
            advisory_id,
            body,
            aware_at,
        } = *new;
        crate::text::bounded("title", title, crate::text::TITLE)?;
        crate::text::bounded_json("body", body)?;
        if let Some(a) = advisory_id {
            crate::text::bounded("advisory_id", a, crate::text::REFERENCE)?;
            if kind != CaseKind::Vulnerability {
                return Err(StoreError::invalid(
                    "advisory_id",
                    "only a vulnerability case names an advisory",
                ));
            }
            if a.is_empty() || a.chars().any(char::is_whitespace) {
                return Err(StoreError::invalid(
                    "advisory_id",
                    "an advisory id is one word, such as CVE-2024-3094 or GHSA-xxxx-xxxx-xxxx",
                ));
            }
        }
        let mut tx = self.begin().await?;
        // One case per vulnerability: the id given, an advisory it is an alias of, or an
        // alias of the advisory given.
        if let Some(a) = advisory_id
            && let Some(r) = sqlx::query(
                "SELECT id, state, advisory_id FROM report_case WHERE org_id = $1 AND (advisory_id = $2 \
                 OR advisory_id IN (SELECT advisory_id FROM advisory_alias WHERE alias = $2) \
                 OR advisory_id IN (SELECT alias FROM advisory_alias WHERE advisory_id = $2)) \
                 ORDER BY id LIMIT 1",
            )
            .bind(org_id)
            .bind(a)
            .fetch_optional(&mut *tx)
            .await?
        {
            let (id, state, theirs): (i64, String, String) = (
                r.try_get("id")?,
                r.try_get("state")?,
                r.try_get("advisory_id")?,
            );
            let same = if theirs == a {
                String::new()
            } else {
                format!(" (another id of {a})")
            };
            return Err(StoreError::conflict(
                "advisory_id",
                format!("case {id} ({state}) is already about {theirs}{same}; continue there"),
            ));
        }
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO report_case (org_id, kind, state, title, advisory_id, finding_ids, body, aware_at, created_at, updated_at) \
             VALUES ($1, $2, 'open', $3, $4, '[]', $5, $6, $7, $8) RETURNING {CASE_COLS}"
        )))
        .bind(org_id)
        .bind(kind.as_str())
        .bind(title)
        .bind(advisory_id)
        .bind(body.to_string())
        .bind(aware_at)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let case = case_from(&r)?;
        copy_notices(&mut tx, org_id, Cases::One(case.id), now).await?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "case.create",
                target_kind: "case",
                target_id: &case.id.to_string(),
                details: serde_json::json!({"kind": kind, "aware_at": aware_at, "advisory": advisory_id}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(case)
    }

    /// Confirms a proposed case (a person records awareness and evidence) or replaces an open
    /// case's body. `aware_at` may only be set once.
    pub async fn save_case(
        &self,
        org_id: i64,
        id: i64,
        body: &serde_json::Value,
        aware_at: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<CaseRow, StoreError> {
        crate::text::bounded_json("body", body)?;
        let current = self.case(org_id, id).await?;
        if current.state == CaseState::Closed {
            return Err(StoreError::conflict_general("case is closed"));
        }
        if let Some(a) = current.aware_at
            && a != aware_at
        {
            return Err(StoreError::invalid(
                "aware_at",
                "the time of awareness is fixed once the case is confirmed",
            ));
        }
        let mut tx = self.begin().await?;
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE report_case SET state = 'open', body = $1, aware_at = $2, updated_at = $3, \
             title = COALESCE($6, title) WHERE id = $4 AND org_id = $5 RETURNING {CASE_COLS}"
        )))
        .bind(body.to_string())
        .bind(aware_at)
        .bind(now)
        .bind(id)
        .bind(org_id)
        .bind(body_title(body))
        .fetch_one(&mut *tx)
        .await?;
        let action = if current.state == CaseState::Proposed {
            "case.confirm"
        } else {
            "case.update"
        };
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action,
                target_kind: "case",
                target_id: &id.to_string(),
                details: serde_json::json!({"aware_at": aware_at}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        case_from(&r)
    }

    /// Changes a case's body in one step: `edit` gets the stored body and returns the new one,
    /// or `None` to leave it as it is (also when the case has no body yet). Concurrent editors
    /// take turns instead of one overwriting the other's change (two replicas each recording a
    /// delivered submission of the same case): the case row is locked (`FOR UPDATE`) on
    /// PostgreSQL, and SQLite's write transactions are exclusive. Returns the case when it
    /// changed.
    pub async fn edit_case_body(
        &self,
        org_id: i64,
        id: i64,
        actor: &Actor,
        now: i64,
        edit: impl FnOnce(&serde_json::Value) -> Option<serde_json::Value>,
    ) -> Result<Option<CaseRow>, StoreError> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLS} FROM report_case WHERE id = $1 AND org_id = $2{lock}",
            lock = crate::lease::for_update(self.backend()),
        )))
        .bind(id)
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("case", id))?;
        let current = case_from(&r)?;
        let Some(body) = current.body.as_ref().and_then(edit) else {
            return Ok(None);
        };
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE report_case SET body = $1, updated_at = $2, title = COALESCE($5, title) \
             WHERE id = $3 AND org_id = $4 RETURNING {CASE_COLS}"
        )))
        .bind(body.to_string())
        .bind(now)
        .bind(id)
        .bind(org_id)
        .bind(body_title(&body))
        .fetch_one(&mut *tx)
        .await?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "case.update",
                target_kind: "case",
                target_id: &id.to_string(),
                details: serde_json::json!({"aware_at": current.aware_at}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Some(case_from(&r)?))
    }

    /// Queues a validated report for delivery (and keeps it for export). The idempotency key
    /// makes a second queueing of the same stage revision a conflict.
    pub async fn queue_submission(
        &self,
        org_id: i64,
        new: &NewSubmission<'_>,
        actor: &Actor,
        now: i64,
    ) -> Result<SubmissionRow, StoreError> {
        let NewSubmission {
            case_id,
            stage,
            revision,
            key,
            pack,
            deliver,
        } = *new;
        self.case(org_id, case_id).await?;
        let mut tx = self.begin().await?;
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO report_submission (org_id, case_id, stage, revision, idempotency_key, pack, state, attempts, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9) RETURNING {SUB_COLS}"
        )))
        .bind(org_id)
        .bind(case_id)
        .bind(stage.as_str())
        .bind(revision)
        .bind(key)
        .bind(pack.to_string())
        .bind(if deliver {
            SubmissionState::Pending
        } else {
            SubmissionState::Manual
        }
        .as_str())
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::from(e).conflict_on_unique(format!("{stage} revision {revision} was already submitted")))?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "report.submit",
                target_kind: "case",
                target_id: &case_id.to_string(),
                details: serde_json::json!({"stage": stage, "revision": revision, "key": key}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        submission_from(&r)
    }

    /// A case's submissions, oldest first.
    pub async fn submissions(
        &self,
        org_id: i64,
        case_id: i64,
    ) -> Result<Vec<SubmissionRow>, StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SUB_COLS} FROM report_submission WHERE org_id = $1 AND case_id = $2 ORDER BY id")))
            .bind(org_id)
            .bind(case_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(submission_from)
            .collect()
    }

    /// One submission of this organisation.
    pub async fn submission(&self, org_id: i64, id: i64) -> Result<SubmissionRow, StoreError> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUB_COLS} FROM report_submission WHERE id = $1 AND org_id = $2"
        )))
        .bind(id)
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("submission", id))?;
        submission_from(&r)
    }

    /// Submissions due for delivery.
    pub async fn due_submissions(
        &self,
        now: i64,
        limit: i64,
    ) -> Result<Vec<SubmissionRow>, StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUB_COLS} FROM report_submission WHERE state = 'pending' AND next_attempt_at <= $1 \
             AND (lease_until IS NULL OR lease_until <= $1) ORDER BY id LIMIT $2"
        )))
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(submission_from)
        .collect()
    }

    /// Claims up to `limit` due submissions for `lease` seconds (see `lease.rs`): no other
    /// worker sends them until the attempt is recorded or the lease runs out.
    pub async fn claim_submissions(
        &self,
        now: i64,
        lease: i64,
        limit: i64,
    ) -> Result<Vec<SubmissionRow>, StoreError> {
        crate::lease::claim_due(
            self,
            crate::lease::Outbox::Submissions,
            SUB_COLS,
            now,
            lease,
            limit,
        )
        .await?
        .iter()
        .map(submission_from)
        .collect()
    }

    /// Records a delivery attempt: a receipt (delivered), or an error with a retry time.
    pub async fn record_submission_attempt(
        &self,
        id: i64,
        receipt: Option<(&str, i64)>,
        error: Option<&str>,
        retry_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE report_submission SET attempts = attempts + 1, state = $1, receipt_ref = $2, receipt_at = $3, \
             last_error = $4, next_attempt_at = $5, lease_until = NULL WHERE id = $6 AND state = 'pending'",
        )
        .bind(if receipt.is_some() {
            SubmissionState::Delivered
        } else {
            SubmissionState::Pending
        }
        .as_str())
        .bind(receipt.map(|r| r.0))
        .bind(receipt.map(|r| r.1))
        .bind(error)
        .bind(retry_at)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records the reference and time of a manual submission in the ENISA portal.
    pub async fn record_portal_reference(
        &self,
        org_id: i64,
        id: i64,
        reference: &str,
        submitted_at: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<SubmissionRow, StoreError> {
        crate::text::bounded("reference", reference, crate::text::REFERENCE)?;
        let mut tx = self.begin().await?;
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE report_submission SET portal_ref = $1, portal_submitted_at = $2 WHERE id = $3 AND org_id = $4 RETURNING {SUB_COLS}"
        )))
        .bind(reference)
        .bind(submitted_at)
        .bind(id)
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("submission", id))?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "report.portal_reference",
                target_kind: "submission",
                target_id: &id.to_string(),
                details: serde_json::json!({"reference": reference, "submitted_at": submitted_at}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        submission_from(&r)
    }

    /// Authority side: stores a received report once. Returns the stored row and whether it
    /// was new (a repeated delivery returns the first receipt).
    pub async fn receive_report(
        &self,
        report: &IncomingReport<'_>,
        now: i64,
    ) -> Result<(ReceivedReport, bool), StoreError> {
        let IncomingReport {
            key,
            sender_org_id,
            sender,
            coordinator,
            stage,
            pack,
            facts,
        } = *report;
        crate::text::bounded("idempotency_key", key, crate::text::NAME)?;
        crate::text::bounded_json("pack", pack)?;
        let inserted = sqlx::query(
            "INSERT INTO authority_report (idempotency_key, sender_org_id, sender, coordinator, stage, pack, received_at, facts) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
        )
        .bind(key)
        .bind(sender_org_id)
        .bind(sender)
        .bind(coordinator)
        .bind(stage.as_str())
        .bind(pack.to_string())
        .bind(now)
        .bind(facts.map(|f| f.to_string()))
        .fetch_optional(&self.pool)
        .await?;
        let r = sqlx::query(
            "SELECT id, idempotency_key, sender_org_id, sender, coordinator, stage, pack, received_at \
             FROM authority_report WHERE idempotency_key = $1",
        )
        .bind(key)
        .fetch_one(&self.pool)
        .await?;
        let row = received_from(&r)?;
        if row.sender_org_id != sender_org_id {
            return Err(StoreError::conflict_general(
                "idempotency key belongs to another sender",
            ));
        }
        Ok((row, inserted.is_some()))
    }

    /// Authority side: received reports, newest first; `coordinator` narrows to one member
    /// state's CSIRT (ENISA passes `None` and sees all).
    pub async fn received_reports(
        &self,
        coordinator: Option<&str>,
        limit: i64,
    ) -> Result<Vec<ReceivedReport>, StoreError> {
        let (filter, limit_param) = match coordinator {
            Some(_) => ("WHERE coordinator = $1", "$2"),
            None => ("", "$1"),
        };
        let sql = format!(
            "SELECT id, idempotency_key, sender_org_id, sender, coordinator, stage, pack, received_at \
             FROM authority_report {filter} ORDER BY id DESC LIMIT {limit_param}"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(c) = coordinator {
            q = q.bind(c);
        }
        let rows = q.bind(limit).fetch_all(&self.pool).await?;
        rows.iter().map(received_from).collect()
    }

    /// Received reports' ids and assessment facts, in id order, from after `after_id`, at most
    /// `limit` of them (reports without facts are skipped).
    ///
    /// Read as one row per batch (`string_agg` of `id facts` lines, SQLite ≥ 3.44 and
    /// PostgreSQL), since the driver's cost per row would otherwise dominate reading 100,000
    /// small rows. Facts are compact JSON, which never holds a raw newline.
    pub async fn report_facts_after(
        &self,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT string_agg(CAST(id AS TEXT) || ' ' || facts, $3) AS batch FROM \
             (SELECT id, facts FROM authority_report WHERE facts IS NOT NULL AND id > $1 \
             ORDER BY id LIMIT $2) AS t",
        )
        .bind(after_id)
        .bind(limit)
        .bind("\n")
        .fetch_one(&self.pool)
        .await?;
        let batch: Option<String> = row.try_get("batch")?;
        let mut out = Vec::new();
        for line in batch.as_deref().unwrap_or("").lines() {
            let (id, facts) = line.split_once(' ').ok_or(StoreError::Corrupt {
                what: "report facts batch",
                message: "a line without an id".into(),
            })?;
            let id = id.parse().map_err(|_| StoreError::Corrupt {
                what: "report facts batch",
                message: format!("report id {id:?}"),
            })?;
            out.push((id, facts.to_owned()));
        }
        out.sort_unstable_by_key(|(id, _)| *id);
        Ok(out)
    }

    /// Number of received reports (authority side).
    pub async fn received_report_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM authority_report")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }

    /// Records that a reminder was sent; false when it already was (so each is sent once).
    pub async fn mark_reminder(
        &self,
        case_id: i64,
        stage: StageKind,
        lead_secs: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "INSERT INTO reminder_sent (case_id, stage, lead_secs, sent_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (case_id, stage, lead_secs) DO NOTHING RETURNING case_id",
        )
        .bind(case_id)
        .bind(stage.as_str())
        .bind(lead_secs)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(r.is_some())
    }
}

fn received_from(r: &AnyRow) -> Result<ReceivedReport, StoreError> {
    Ok(ReceivedReport {
        id: r.try_get("id")?,
        idempotency_key: r.try_get("idempotency_key")?,
        sender_org_id: r.try_get("sender_org_id")?,
        sender: r.try_get("sender")?,
        coordinator: r.try_get("coordinator")?,
        stage: word(r, "stage")?,
        pack: crate::text::json_column(r, "pack")?,
        received_at: r.try_get("received_at")?,
    })
}

/// One authority action on a received report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuthorityAction {
    /// Id.
    pub id: i64,
    /// Report.
    pub report_id: i64,
    /// What the authority did.
    pub kind: AuthorityActionKind,
    /// The action (JSON from `cyres-report`).
    pub body: serde_json::Value,
    /// Who.
    pub actor: String,
    /// Acting organisation.
    pub org_id: i64,
    /// Unix seconds.
    pub at: i64,
}

fn action_from(r: &AnyRow) -> Result<AuthorityAction, StoreError> {
    Ok(AuthorityAction {
        id: r.try_get("id")?,
        report_id: r.try_get("report_id")?,
        kind: word(r, "kind")?,
        body: crate::text::json_column(r, "body")?,
        actor: r.try_get("actor")?,
        org_id: r.try_get("org_id")?,
        at: r.try_get("at")?,
    })
}

impl Store {
    /// One received report.
    pub async fn received_report(&self, id: i64) -> Result<ReceivedReport, StoreError> {
        let r = sqlx::query(
            "SELECT id, idempotency_key, sender_org_id, sender, coordinator, stage, pack, received_at \
             FROM authority_report WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("report", id))?;
        received_from(&r)
    }

    /// Appends an authority action (with its audit event) in one transaction.
    pub async fn add_authority_action(
        &self,
        report_id: i64,
        kind: AuthorityActionKind,
        body: &serde_json::Value,
        org_id: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<AuthorityAction, StoreError> {
        crate::text::bounded_json("body", body)?;
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "INSERT INTO authority_action (report_id, kind, body, actor, org_id, at) VALUES ($1, $2, $3, $4, $5, $6) \
             RETURNING id, report_id, kind, body, actor, org_id, at",
        )
        .bind(report_id)
        .bind(kind.as_str())
        .bind(body.to_string())
        .bind(actor.display())
        .bind(org_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: &format!("authority.{kind}"),
                target_kind: "report",
                target_id: &report_id.to_string(),
                details: body.clone(),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        action_from(&r)
    }

    /// Actions on one report, oldest first.
    pub async fn authority_actions(
        &self,
        report_id: i64,
    ) -> Result<Vec<AuthorityAction>, StoreError> {
        sqlx::query("SELECT id, report_id, kind, body, actor, org_id, at FROM authority_action WHERE report_id = $1 ORDER BY id")
            .bind(report_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(action_from)
            .collect()
    }

    /// Actions of one kind for reports sent by one organisation with id greater than `after`
    /// (the manufacturer's instance polls its intermediate-report requests this way).
    pub async fn actions_for_sender(
        &self,
        sender_org_id: i64,
        kind: AuthorityActionKind,
        after: i64,
    ) -> Result<Vec<(AuthorityAction, String)>, StoreError> {
        sqlx::query(
            "SELECT a.id, a.report_id, a.kind, a.body, a.actor, a.org_id, a.at, r.idempotency_key \
             FROM authority_action a JOIN authority_report r ON r.id = a.report_id \
             WHERE r.sender_org_id = $1 AND a.kind = $2 AND a.id > $3 ORDER BY a.id",
        )
        .bind(sender_org_id)
        .bind(kind.as_str())
        .bind(after)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok((action_from(r)?, r.try_get("idempotency_key")?)))
        .collect()
    }

    /// Every action of one kind, oldest first (ENISA's assessment reads the decisions).
    pub async fn actions_of_kind(
        &self,
        kind: AuthorityActionKind,
    ) -> Result<Vec<AuthorityAction>, StoreError> {
        sqlx::query("SELECT id, report_id, kind, body, actor, org_id, at FROM authority_action WHERE kind = $1 ORDER BY id")
            .bind(kind.as_str())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(action_from)
            .collect()
    }

    /// The submission with this idempotency key (keys are unique across organisations; the
    /// worker uses it to route an authority's request back to its case).
    pub async fn submission_by_key(&self, key: &str) -> Result<SubmissionRow, StoreError> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUB_COLS} FROM report_submission WHERE idempotency_key = $1"
        )))
        .bind(key)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("submission", key))?;
        submission_from(&r)
    }
}
