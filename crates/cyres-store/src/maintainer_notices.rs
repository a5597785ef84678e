//! The maintainer notices of Art. 14 cases (CRA Art. 13(6)): when the maintainer of an
//! integrated component has been informed of a vulnerability (an upstream report marked
//! informed), every case of the organisation about that vulnerability records it.
//!
//! One rule decides which cases a report concerns ([`CaseRow::covers`], the rule the Art. 14
//! clock uses too), and one function writes the notices ([`copy_notices`]): when a report is
//! marked informed, when a case is proposed or gains findings, when a case is opened by hand
//! for an advisory, and once at start for reports marked informed before the notices existed.
//! Writing is idempotent (one notice per case and report; a notice never changes).

use crate::cases::CaseRow;
use crate::{Store, StoreError};
use sqlx::Row;

impl CaseRow {
    /// Whether this case is about the finding `finding_id` of advisory `advisory_id` (with
    /// `aliases`): the case lists the finding, or the case is for that advisory or one of its
    /// aliases. The one answer to "which case covers this finding" (the Art. 14 clock and the
    /// maintainer notices both ask it).
    pub fn covers(&self, finding_id: i64, advisory_id: &str, aliases: &[String]) -> bool {
        self.finding_ids.contains(&finding_id)
            || self
                .advisory_id
                .as_deref()
                .is_some_and(|a| a == advisory_id || aliases.iter().any(|x| x == a))
    }
}

/// An upstream report whose maintainer was informed, with what a notice needs.
struct Informed {
    id: i64,
    finding_id: i64,
    advisory_id: String,
    aliases: Vec<String>,
    maintainer: String,
    channel: String,
    at: i64,
    by: String,
}

/// Which cases the copy looks at.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Cases {
    /// Every case of the organisation.
    All,
    /// One case.
    One(i64),
}

/// Records, inside the caller's transaction, a maintainer notice on each case of `org_id`
/// (all, or one) for each upstream report of the organisation whose maintainer was informed
/// and which the case covers; notices already recorded stay as they are. Returns the ids of
/// the cases that gained a notice, with the report.
pub(crate) async fn copy_notices(
    conn: &mut sqlx::AnyConnection,
    org_id: i64,
    which: Cases,
    now: i64,
) -> Result<Vec<(i64, i64)>, StoreError> {
    let reports = sqlx::query(
        "SELECT u.id, u.finding_id, u.advisory_id, u.informed_maintainer, u.informed_via, \
         u.informed_at, u.informed_by, f.aliases FROM upstream_report u \
         JOIN finding f ON f.id = u.finding_id \
         WHERE u.org_id = $1 AND u.informed_at IS NOT NULL \
         AND u.informed_maintainer IS NOT NULL AND u.informed_by IS NOT NULL ORDER BY u.id",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(Informed {
            id: r.try_get("id")?,
            finding_id: r.try_get("finding_id")?,
            advisory_id: r.try_get("advisory_id")?,
            aliases: crate::text::json_column(r, "aliases")?,
            maintainer: r.try_get("informed_maintainer")?,
            channel: r
                .try_get::<Option<String>, _>("informed_via")?
                .unwrap_or_default(),
            at: r.try_get("informed_at")?,
            by: r.try_get("informed_by")?,
        })
    })
    .collect::<Result<Vec<_>, StoreError>>()?;
    if reports.is_empty() {
        return Ok(Vec::new());
    }
    let cases = match which {
        Cases::All => crate::cases::cases_in(conn, org_id, None).await?,
        Cases::One(id) => crate::cases::cases_in(conn, org_id, Some(id)).await?,
    };
    let mut added = Vec::new();
    for case in &cases {
        for u in reports
            .iter()
            .filter(|u| case.covers(u.finding_id, &u.advisory_id, &u.aliases))
        {
            let done = sqlx::query(
                "INSERT INTO case_maintainer_notice (org_id, case_id, upstream_report_id, \
                 maintainer, channel, informed_at, informed_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (case_id, upstream_report_id) DO NOTHING",
            )
            .bind(org_id)
            .bind(case.id)
            .bind(u.id)
            .bind(&u.maintainer)
            .bind(&u.channel)
            .bind(u.at)
            .bind(&u.by)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            if done.rows_affected() == 1 {
                added.push((case.id, u.id));
            }
        }
    }
    Ok(added)
}

impl Store {
    /// Once, at the first start after migration 0033: cases of every organisation get the
    /// notices of reports marked informed before the notices were kept (0030); afterwards
    /// every path that makes a case cover a report writes its notice itself, so later starts
    /// do nothing. Returns how many notices were written.
    pub async fn copy_missing_maintainer_notices(&self, now: i64) -> Result<usize, StoreError> {
        let pending = sqlx::query("SELECT pending FROM maintainer_notice_backfill")
            .fetch_optional(&self.pool)
            .await?;
        if pending.is_none() {
            return Ok(0);
        }
        let orgs: Vec<i64> = sqlx::query(
            "SELECT DISTINCT org_id FROM upstream_report WHERE informed_at IS NOT NULL ORDER BY org_id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.try_get("org_id"))
        .collect::<Result<_, _>>()?;
        let mut written = 0;
        for org_id in orgs {
            let mut tx = self.begin().await?;
            written += copy_notices(&mut tx, org_id, Cases::All, now).await?.len();
            tx.commit().await?;
        }
        sqlx::query("DELETE FROM maintainer_notice_backfill")
            .execute(&self.pool)
            .await?;
        Ok(written)
    }
}
