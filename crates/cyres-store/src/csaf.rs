//! The CSAF trusted provider's storage (migration 0025): each organisation's OpenPGP signing
//! key (the secret sealed by the server before it arrives here) and the revisions of its CSAF
//! documents.
//!
//! A revision moves draft → reviewed → published, each step one audited conditional update,
//! so two people pressing the button together move it once. A published row is never updated
//! again (every write below says `state <> 'published'` or names the state it leaves): a
//! correction is a new revision of the same tracking id (CSAF 2.0 section 3.1.11). Adding a
//! draft supersedes the document's earlier unpublished drafts, so one draft is under review
//! at a time.

use crate::audit::{Event, record};
use crate::words::{state_words, word};
use crate::{Actor, Store, StoreError};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

state_words! {
    /// Where a revision of a CSAF document stands in its review.
    CsafState {
        /// Made, not yet reviewed.
        Draft => "draft",
        /// Reviewed, not yet published.
        Reviewed => "reviewed",
        /// Published: served by the provider and never changed again (CSAF 2.0 section 3.1.11).
        Published => "published",
        /// Replaced by a newer draft of the same document before it was published.
        Superseded => "superseded",
    }
}

/// An organisation's OpenPGP signing key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsafSigningKey {
    /// 40 hex digits.
    pub fingerprint: String,
    /// The armored public key.
    pub public_key: String,
    /// The armored secret key, sealed (`enc:v1:…`).
    pub sealed_secret: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// One revision of a CSAF document.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CsafRevision {
    /// Row id.
    pub id: i64,
    /// Organisation.
    pub org_id: i64,
    /// `document.tracking.id`, shared by the document's revisions.
    pub tracking_id: String,
    /// 1, 2, … within the tracking id.
    pub revision: i64,
    /// `csaf_security_advisory`, `csaf_vex`, …
    pub profile: String,
    /// `WHITE`, `GREEN`, `AMBER`, `RED`.
    pub tlp: String,
    /// The document's title.
    pub title: String,
    /// The case it was made from (security advisories).
    pub case_id: Option<i64>,
    /// The release it describes (VEX documents).
    pub release_id: Option<i64>,
    /// Where it stands in its review.
    pub state: CsafState,
    /// `document.tracking.version` of `body`.
    pub version: String,
    /// The `cyres_csaf::generate::AdvisoryInput` JSON.
    pub input: serde_json::Value,
    /// The generated document, exactly as served once published.
    pub body: String,
    /// What this revision changes (the revision history's summary).
    pub change_summary: String,
    /// Why cyres proposed it (e.g. the security update that ships the fix), if it did.
    pub proposal: Option<String>,
    /// Actor who made it.
    pub created_by: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Reviewer.
    pub reviewed_by: Option<String>,
    /// Unix seconds.
    pub reviewed_at: Option<i64>,
    /// Publisher.
    pub published_by: Option<String>,
    /// Unix seconds.
    pub published_at: Option<i64>,
}

/// A new draft revision.
#[derive(Clone, Debug)]
pub struct NewCsafRevision {
    /// `document.tracking.id`.
    pub tracking_id: String,
    /// Profile word.
    pub profile: String,
    /// TLP label word.
    pub tlp: String,
    /// Title.
    pub title: String,
    /// Case, for advisories.
    pub case_id: Option<i64>,
    /// Release, for VEX documents.
    pub release_id: Option<i64>,
    /// Draft's version.
    pub version: String,
    /// The generator input.
    pub input: serde_json::Value,
    /// The draft document.
    pub body: String,
    /// What it changes.
    pub change_summary: String,
    /// Why cyres proposed it.
    pub proposal: Option<String>,
}

const COLS: &str = "id, org_id, tracking_id, revision, profile, tlp, title, case_id, release_id, \
    state, version, input, body, change_summary, proposal, created_by, created_at, reviewed_by, \
    reviewed_at, published_by, published_at";

fn revision_from(r: &AnyRow) -> Result<CsafRevision, StoreError> {
    let input: String = r.try_get("input")?;
    Ok(CsafRevision {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        tracking_id: r.try_get("tracking_id")?,
        revision: r.try_get("revision")?,
        profile: r.try_get("profile")?,
        tlp: r.try_get("tlp")?,
        title: r.try_get("title")?,
        case_id: r.try_get("case_id")?,
        release_id: r.try_get("release_id")?,
        state: word(r, "state")?,
        version: r.try_get("version")?,
        input: serde_json::from_str(&input).map_err(|e| StoreError::Corrupt {
            what: "csaf_revision.input",
            message: e.to_string(),
        })?,
        body: r.try_get("body")?,
        change_summary: r.try_get("change_summary")?,
        proposal: r.try_get("proposal")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        reviewed_by: r.try_get("reviewed_by")?,
        reviewed_at: r.try_get("reviewed_at")?,
        published_by: r.try_get("published_by")?,
        published_at: r.try_get("published_at")?,
    })
}

/// What a reviewed revision is published with: its final document and what it was generated
/// from.
#[derive(Clone, Copy, Debug)]
pub struct CsafPublication<'a> {
    /// The final document, exactly as it will be served.
    pub body: &'a str,
    /// Its `document.tracking.version`.
    pub version: &'a str,
    /// The `cyres_csaf::generate::AdvisoryInput` JSON it was generated from.
    pub input: &'a serde_json::Value,
}

/// Largest stored document (the generated JSON), bytes.
pub const CSAF_BODY_MAX: usize = 4 << 20;

/// A step of a CSAF revision's review: the state it leaves and its audit action.
#[derive(Clone, Copy)]
enum CsafStep {
    /// draft → reviewed.
    Review,
    /// reviewed → published.
    Publish,
}

impl CsafStep {
    fn from(self) -> CsafState {
        match self {
            CsafStep::Review => CsafState::Draft,
            CsafStep::Publish => CsafState::Reviewed,
        }
    }

    fn action(self) -> &'static str {
        match self {
            CsafStep::Review => "csaf.review",
            CsafStep::Publish => "csaf.publish",
        }
    }
}

impl Store {
    /// The organisation's signing key, once made.
    pub async fn csaf_signing_key(
        &self,
        org_id: i64,
    ) -> Result<Option<CsafSigningKey>, StoreError> {
        let row = sqlx::query(
            "SELECT fingerprint, public_key, secret, created_at FROM csaf_signing_key WHERE org_id = $1",
        )
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(CsafSigningKey {
                fingerprint: r.try_get("fingerprint")?,
                public_key: r.try_get("public_key")?,
                sealed_secret: r.try_get("secret")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .transpose()
    }

    /// Stores the organisation's first signing key (audited) and answers the stored one: when
    /// two requests made a key at once, the first stored wins and both use it.
    pub async fn add_csaf_signing_key(
        &self,
        org_id: i64,
        key: &CsafSigningKey,
        actor: &Actor,
        now: i64,
    ) -> Result<CsafSigningKey, StoreError> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "INSERT INTO csaf_signing_key (org_id, fingerprint, public_key, secret, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id) DO NOTHING",
        )
        .bind(org_id)
        .bind(&key.fingerprint)
        .bind(&key.public_key)
        .bind(&key.sealed_secret)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 1 {
            let details = serde_json::json!({ "fingerprint": key.fingerprint });
            record(
                &mut tx,
                Event {
                    org_id: Some(org_id),
                    actor,
                    action: "csaf.key.create",
                    target_kind: "organisation",
                    target_id: &org_id.to_string(),
                    details,
                    at: now,
                },
            )
            .await?;
        }
        tx.commit().await?;
        self.csaf_signing_key(org_id)
            .await?
            .ok_or_else(|| StoreError::not_found("csaf signing key", org_id))
    }

    /// Adds a draft revision: the next revision number of its tracking id; earlier drafts and
    /// reviewed-but-unpublished revisions of the document become `superseded`. Audited.
    pub async fn add_csaf_draft(
        &self,
        org_id: i64,
        new: &NewCsafRevision,
        actor: &Actor,
        now: i64,
    ) -> Result<CsafRevision, StoreError> {
        crate::text::bounded("tracking_id", &new.tracking_id, crate::text::REFERENCE)?;
        crate::text::bounded("title", &new.title, crate::text::TITLE)?;
        crate::text::bounded(
            "change_summary",
            &new.change_summary,
            crate::text::LONG_TEXT,
        )?;
        if new.body.len() > CSAF_BODY_MAX {
            return Err(StoreError::invalid_general(format!(
                "the CSAF document is {} bytes, over the {CSAF_BODY_MAX}-byte limit",
                new.body.len()
            )));
        }
        let mut tx = self.begin().await?;
        let next: i64 = sqlx::query(
            "SELECT COALESCE(MAX(revision), 0) + 1 AS n FROM csaf_revision WHERE org_id = $1 AND tracking_id = $2",
        )
        .bind(org_id)
        .bind(&new.tracking_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        sqlx::query(
            "UPDATE csaf_revision SET state = 'superseded' WHERE org_id = $1 AND tracking_id = $2 \
             AND state IN ('draft', 'reviewed')",
        )
        .bind(org_id)
        .bind(&new.tracking_id)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO csaf_revision (org_id, tracking_id, revision, profile, tlp, title, case_id, \
             release_id, state, version, input, body, change_summary, proposal, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft', $9, $10, $11, $12, $13, $14, $15) RETURNING {COLS}"
        )))
        .bind(org_id)
        .bind(&new.tracking_id)
        .bind(next)
        .bind(&new.profile)
        .bind(&new.tlp)
        .bind(&new.title)
        .bind(new.case_id)
        .bind(new.release_id)
        .bind(&new.version)
        .bind(new.input.to_string())
        .bind(&new.body)
        .bind(&new.change_summary)
        .bind(&new.proposal)
        .bind(actor.display())
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::from(e).conflict_on_unique(format!(
                "a revision of {} was added at the same time; try again",
                new.tracking_id
            ))
        })?;
        let rev = revision_from(&row)?;
        let details = serde_json::json!({
            "tracking_id": rev.tracking_id, "revision": rev.revision, "tlp": rev.tlp,
            "proposal": rev.proposal,
        });
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "csaf.draft",
                target_kind: "csaf_revision",
                target_id: &rev.id.to_string(),
                details,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(rev)
    }

    /// Revision `id` of the organisation.
    pub async fn csaf_revision(&self, org_id: i64, id: i64) -> Result<CsafRevision, StoreError> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM csaf_revision WHERE id = $1 AND org_id = $2"
        )))
        .bind(id)
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("CSAF revision", id))?;
        revision_from(&r)
    }

    /// Every revision of the organisation, newest first.
    pub async fn csaf_revisions(&self, org_id: i64) -> Result<Vec<CsafRevision>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM csaf_revision WHERE org_id = $1 ORDER BY created_at DESC, id DESC"
        )))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(revision_from).collect()
    }

    /// The published revisions of one document, oldest first.
    pub async fn csaf_published_history(
        &self,
        org_id: i64,
        tracking_id: &str,
    ) -> Result<Vec<CsafRevision>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM csaf_revision WHERE org_id = $1 AND tracking_id = $2 \
             AND state = 'published' ORDER BY revision"
        )))
        .bind(org_id)
        .bind(tracking_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(revision_from).collect()
    }

    /// The current published revision of each of the organisation's documents (the latest
    /// published revision per tracking id): what its provider serves.
    pub async fn csaf_published(&self, org_id: i64) -> Result<Vec<CsafRevision>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM csaf_revision r WHERE org_id = $1 AND state = 'published' \
             AND revision = (SELECT MAX(revision) FROM csaf_revision o WHERE o.org_id = r.org_id \
             AND o.tracking_id = r.tracking_id AND o.state = 'published') ORDER BY tracking_id"
        )))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(revision_from).collect()
    }

    /// Marks draft `id` reviewed (audited). [`StoreError::Conflict`] unless it is a draft.
    pub async fn review_csaf_revision(
        &self,
        org_id: i64,
        id: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<CsafRevision, StoreError> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE csaf_revision SET state = 'reviewed', reviewed_by = $1, reviewed_at = $2 \
             WHERE id = $3 AND org_id = $4 AND state = 'draft'",
        )
        .bind(actor.display())
        .bind(now)
        .bind(id)
        .bind(org_id)
        .execute(&mut *tx)
        .await?;
        self.step_done(
            &mut tx,
            (org_id, id),
            done.rows_affected(),
            CsafStep::Review,
            actor,
            now,
        )
        .await?;
        tx.commit().await?;
        self.csaf_revision(org_id, id).await
    }

    /// Publishes reviewed revision `id` with its final document and the input it was generated
    /// from (audited); from then on the row never changes. [`StoreError::Conflict`] unless it is reviewed.
    pub async fn publish_csaf_revision(
        &self,
        org_id: i64,
        id: i64,
        publication: &CsafPublication<'_>,
        actor: &Actor,
        now: i64,
    ) -> Result<CsafRevision, StoreError> {
        let CsafPublication {
            body,
            version,
            input,
        } = *publication;
        if body.len() > CSAF_BODY_MAX {
            return Err(StoreError::invalid_general(format!(
                "the CSAF document is {} bytes, over the {CSAF_BODY_MAX}-byte limit",
                body.len()
            )));
        }
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE csaf_revision SET state = 'published', body = $1, version = $2, input = $3, \
             published_by = $4, published_at = $5 WHERE id = $6 AND org_id = $7 AND state = 'reviewed'",
        )
        .bind(body)
        .bind(version)
        .bind(input.to_string())
        .bind(actor.display())
        .bind(now)
        .bind(id)
        .bind(org_id)
        .execute(&mut *tx)
        .await?;
        self.step_done(
            &mut tx,
            (org_id, id),
            done.rows_affected(),
            CsafStep::Publish,
            actor,
            now,
        )
        .await?;
        tx.commit().await?;
        self.csaf_revision(org_id, id).await
    }

    /// After a conditional state change: the audit event when it happened, else why not.
    async fn step_done(
        &self,
        tx: &mut sqlx::AnyConnection,
        (org_id, id): (i64, i64),
        changed: u64,
        step: CsafStep,
        actor: &Actor,
        now: i64,
    ) -> Result<(), StoreError> {
        if changed == 0 {
            let state: Option<CsafState> =
                sqlx::query("SELECT state FROM csaf_revision WHERE id = $1 AND org_id = $2")
                    .bind(id)
                    .bind(org_id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .map(|r| word(&r, "state"))
                    .transpose()?;
            return Err(match state {
                None => StoreError::not_found("CSAF revision", id),
                Some(CsafState::Published) => StoreError::conflict_general(format!(
                    "revision {id} is published and cannot change; make a new revision to correct it"
                )),
                Some(s) => StoreError::conflict_general(format!(
                    "revision {id} is {s}, not {}",
                    step.from()
                )),
            });
        }
        record(
            tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: step.action(),
                target_kind: "csaf_revision",
                target_id: &id.to_string(),
                details: serde_json::json!({}),
                at: now,
            },
        )
        .await
    }

    /// Revisions proposed for case `case_id` with this `proposal` text, any state (so a
    /// proposal is made once per shipped update).
    pub async fn csaf_proposal_exists(
        &self,
        org_id: i64,
        case_id: i64,
        proposal: &str,
    ) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT id FROM csaf_revision WHERE org_id = $1 AND case_id = $2 AND proposal = $3",
        )
        .bind(org_id)
        .bind(case_id)
        .bind(proposal)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }
}
