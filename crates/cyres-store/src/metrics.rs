//! The facts the trend charts are computed from: each finding's first-seen time, severity,
//! exploitation flag and its triage decisions in order, read in two queries (no per-finding
//! round trip, no cap). The computation itself is the server's (`service::metrics`).

use crate::model::VexStatus;
use crate::{Store, StoreError};
use sqlx::Row;

/// One finding's life, as the charts need it.
#[derive(Clone, Debug, PartialEq)]
pub struct FindingTimeline {
    /// Finding id.
    pub id: i64,
    /// Product.
    pub product_id: i64,
    /// critical | high | medium | low | none | unknown.
    pub severity: String,
    /// In KEV or flagged exploited now.
    pub exploited: bool,
    /// Unix seconds.
    pub first_seen: i64,
    /// Status now (for findings whose history is empty).
    pub status: VexStatus,
    /// Triage decisions, oldest first: (status set, Unix seconds).
    pub decisions: Vec<(VexStatus, i64)>,
}

impl Store {
    /// Every finding of the organisation (or of one product) with its decisions, ordered by id.
    pub async fn finding_timelines(
        &self,
        org_id: i64,
        product_id: Option<i64>,
    ) -> Result<Vec<FindingTimeline>, StoreError> {
        let product_cond = if product_id.is_some() {
            " AND product_id = $2"
        } else {
            ""
        };
        let sql = format!(
            "SELECT id, product_id, severity, exploited, first_seen, status FROM finding \
             WHERE org_id = $1{product_cond} ORDER BY id"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org_id);
        if let Some(p) = product_id {
            q = q.bind(p);
        }
        let mut out: Vec<FindingTimeline> = Vec::new();
        for r in q.fetch_all(&self.pool).await? {
            out.push(FindingTimeline {
                id: r.try_get("id")?,
                product_id: r.try_get("product_id")?,
                severity: r.try_get("severity")?,
                exploited: r.try_get::<i64, _>("exploited")? != 0,
                first_seen: r.try_get("first_seen")?,
                status: crate::findings::vex_status(&r, "status")?,
                decisions: Vec::new(),
            });
        }
        let sql = format!(
            "SELECT t.finding_id, t.status, t.at FROM triage t \
             JOIN finding f ON f.id = t.finding_id \
             WHERE t.org_id = $1 AND f.org_id = $1{} ORDER BY t.finding_id, t.id",
            if product_id.is_some() {
                " AND f.product_id = $2"
            } else {
                ""
            }
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org_id);
        if let Some(p) = product_id {
            q = q.bind(p);
        }
        // Both lists are ordered by finding id: walk them together.
        let mut i = 0;
        for r in q.fetch_all(&self.pool).await? {
            let fid: i64 = r.try_get("finding_id")?;
            while i < out.len() && out[i].id < fid {
                i += 1;
            }
            if i == out.len() {
                break;
            }
            if out[i].id != fid {
                // A finding created after the first read: not in this snapshot.
                continue;
            }
            out[i]
                .decisions
                .push((crate::findings::vex_status(&r, "status")?, r.try_get("at")?));
        }
        Ok(out)
    }
}
