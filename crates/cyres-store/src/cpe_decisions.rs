//! CPE names an analyst settles once for the whole portfolio, and derived candidates kept apart
//! until confirmed (issue 20, point 3(c); migration 0021).
//!
//! A *decision* says "this component is `vendor:product`" about a subject
//! ([`cyres_vuln::cpe_resolve::subjects`]: the CPE name as written, the package URL without
//! version, or the name). Recording or withdrawing one re-matches every current component row
//! of the organisation with that subject in the same call (`portfolio.rs`, `Store::settle`):
//! new findings carry match kind `analyst_decision` and the decision's id, findings the old
//! name gave and the new one does not are withdrawn with their reason. Both land in the audit
//! chain with the actor.
//!
//! A *candidate* is a `vendor:product` derived from the package URL or name of a component
//! without a CPE ([`cyres_vuln::cpe_resolve::guesses`]), proposed only when stored NVD
//! configurations use that name. Its findings are computed when asked for and never written
//! as findings, so no open list, dashboard, Art. 14 proposal or gate counts them; confirming
//! one records a decision (origin `candidate`), rejecting one keeps the pair from being
//! proposed again.

use crate::portfolio::{
    Decisions, PORTFOLIO_ROW_COLS, PortfolioRow, applies, comp_key, match_distinct, portfolio_row,
};
use crate::words::{state_words, word};
use crate::{Actor, MatchOutcome, Store, StoreError, placeholders};
use cyres_sbom::Component;
use cyres_vuln::cpe_resolve::{guesses, resolved, subjects};
use cyres_vuln::keys::{component_keys, cpe_key};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A recorded decision.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CpeDecision {
    /// Id.
    pub id: i64,
    /// The component identity it is about (`cpe:…`, `purl:…`, `name:…`).
    pub subject: String,
    /// CPE vendor NVD uses.
    pub vendor: String,
    /// CPE product NVD uses.
    pub product: String,
    /// `analyst` or `candidate` (a derived candidate confirmed).
    pub origin: String,
    /// Why, in the analyst's words.
    pub note: Option<String>,
    /// Who recorded it.
    pub decided_by: String,
    /// When (Unix seconds).
    pub decided_at: i64,
    /// Who withdrew it.
    pub withdrawn_by: Option<String>,
    /// When (Unix seconds).
    pub withdrawn_at: Option<i64>,
}

/// A decision to record.
#[derive(Clone, Debug)]
pub struct NewCpeDecision {
    /// The component identity, as [`cyres_vuln::cpe_resolve::parse_subject`] reads it.
    pub subject: String,
    /// CPE vendor.
    pub vendor: String,
    /// CPE product.
    pub product: String,
    /// Why.
    pub note: Option<String>,
}

state_words! {
    /// Where a derived CPE candidate stands.
    CpeCandidateState {
        /// Derived, waiting for an analyst; its findings are kept apart.
        Proposed => "proposed",
        /// Confirmed: it became the organisation's decision for its subject.
        Confirmed => "confirmed",
        /// Rejected: the pair is never proposed again for its subject.
        Rejected => "rejected",
    }
}

/// A derived candidate.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CpeCandidate {
    /// Id.
    pub id: i64,
    /// The component identity.
    pub subject: String,
    /// Derived CPE vendor.
    pub vendor: String,
    /// Derived CPE product.
    pub product: String,
    /// How it was derived.
    pub reason: String,
    /// Where it stands.
    pub state: CpeCandidateState,
    /// Unix seconds.
    pub proposed_at: i64,
    /// Who confirmed or rejected it.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<i64>,
}

/// A finding a candidate would give, kept apart: match kind `derived`, status
/// `needs_confirmation`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CandidateFinding {
    /// Product id.
    pub product_id: i64,
    /// Release id.
    pub release_id: i64,
    /// Component name.
    pub component_name: String,
    /// Component version.
    pub component_version: Option<String>,
    /// Primary advisory id.
    pub advisory_id: String,
    /// Other ids.
    pub aliases: Vec<String>,
    /// Summary.
    pub summary: Option<String>,
    /// Severity word.
    pub severity: String,
    /// CVSS base score.
    pub score: Option<f64>,
    /// Always `derived`.
    pub match_kind: &'static str,
    /// Always `needs_confirmation`.
    pub status: &'static str,
}

const DECISION_COLS: &str = "id, subject, vendor, product, origin, note, decided_by, decided_at, \
     withdrawn_by, withdrawn_at FROM cpe_decision";
const CANDIDATE_COLS: &str = "id, subject, vendor, product, reason, state, proposed_at, \
     decided_by, decided_at FROM cpe_candidate";

fn decision_from(r: &sqlx::any::AnyRow) -> Result<CpeDecision, StoreError> {
    Ok(CpeDecision {
        id: r.try_get("id")?,
        subject: r.try_get("subject")?,
        vendor: r.try_get("vendor")?,
        product: r.try_get("product")?,
        origin: r.try_get("origin")?,
        note: r.try_get("note")?,
        decided_by: r.try_get("decided_by")?,
        decided_at: r.try_get("decided_at")?,
        withdrawn_by: r.try_get("withdrawn_by")?,
        withdrawn_at: r.try_get("withdrawn_at")?,
    })
}

fn candidate_from(r: &sqlx::any::AnyRow) -> Result<CpeCandidate, StoreError> {
    Ok(CpeCandidate {
        id: r.try_get("id")?,
        subject: r.try_get("subject")?,
        vendor: r.try_get("vendor")?,
        product: r.try_get("product")?,
        reason: r.try_get("reason")?,
        state: word(r, "state")?,
        proposed_at: r.try_get("proposed_at")?,
        decided_by: r.try_get("decided_by")?,
        decided_at: r.try_get("decided_at")?,
    })
}

/// The lower-case name a subject's components are found under (`component.search_name`),
/// and for a package URL its package key (`component.match_key`).
fn subject_lookup(subject: &str) -> Option<(String, Option<String>)> {
    if let Some(name) = subject.strip_prefix("name:") {
        return Some((name.to_string(), None));
    }
    let purl = cyres_version::Purl::parse(subject.strip_prefix("purl:")?).ok()?;
    let key = purl
        .package_key()
        .and_then(|(family, name)| cyres_vuln::keys::package_key(&family, &name));
    Some((purl.name.to_lowercase(), key))
}

impl Store {
    /// Live decisions of these organisations.
    pub(crate) async fn live_cpe_decisions(&self, orgs: &[i64]) -> Result<Decisions, StoreError> {
        let mut out = Decisions::new();
        for chunk in orgs.chunks(crate::CHUNK_ROWS) {
            let sql = format!(
                "SELECT id, org_id, subject, vendor, product FROM cpe_decision \
                 WHERE withdrawn_at IS NULL AND org_id IN ({})",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for o in chunk {
                q = q.bind(*o);
            }
            for r in q.fetch_all(&self.pool).await? {
                out.insert(
                    (r.try_get("org_id")?, r.try_get("subject")?),
                    (
                        r.try_get("id")?,
                        r.try_get("vendor")?,
                        r.try_get("product")?,
                    ),
                );
            }
        }
        Ok(out)
    }

    /// (organisation, subject) of live decisions naming one of these `cpe/` keys.
    pub(crate) async fn decided_subjects_under(
        &self,
        keys: &[String],
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let mut out = BTreeSet::new();
        for chunk in keys.chunks(crate::CHUNK_ROWS) {
            let sql = format!(
                "SELECT org_id, subject FROM cpe_decision \
                 WHERE withdrawn_at IS NULL AND target_key IN ({})",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for k in chunk {
                q = q.bind(k.as_str());
            }
            for r in q.fetch_all(&self.pool).await? {
                out.insert((r.try_get("org_id")?, r.try_get("subject")?));
            }
        }
        Ok(out.into_iter().collect())
    }

    /// The organisation's current component rows with this subject.
    pub(crate) async fn rows_of_subject(
        &self,
        org_id: i64,
        subject: &str,
    ) -> Result<Vec<PortfolioRow>, StoreError> {
        let fetched = if let Some(pair) = subject.strip_prefix("cpe:") {
            let (v, p) = pair.split_once(':').unwrap_or((pair, ""));
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{PORTFOLIO_ROW_COLS} WHERE c.org_id = $1 AND c.cpe_key = $2"
            )))
            .bind(org_id)
            .bind(cpe_key(v, p))
            .fetch_all(&self.pool)
            .await?
        } else {
            let Some((name, key)) = subject_lookup(subject) else {
                return Ok(Vec::new());
            };
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{PORTFOLIO_ROW_COLS} WHERE c.org_id = $1 AND (c.search_name = $2 OR c.match_key = $3)"
            )))
            .bind(org_id)
            .bind(name)
            .bind(key.unwrap_or_default())
            .fetch_all(&self.pool)
            .await?
        };
        let mut rows = Vec::new();
        for r in &fetched {
            let row = portfolio_row(r)?;
            // As `portfolio::effective` applies them: a component's own CPE name is the only
            // subject that can rename it.
            let own = subjects(&row.component);
            let n = if row.component.cpe.is_some() {
                1
            } else {
                own.len()
            };
            if own.iter().take(n).any(|s| s == subject) {
                rows.push(row);
            }
        }
        Ok(rows)
    }

    /// The organisation's decisions, newest first; withdrawn ones too when asked.
    pub async fn cpe_decisions(
        &self,
        org_id: i64,
        include_withdrawn: bool,
    ) -> Result<Vec<CpeDecision>, StoreError> {
        let filter = if include_withdrawn {
            ""
        } else {
            " AND withdrawn_at IS NULL"
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DECISION_COLS} WHERE org_id = $1{filter} ORDER BY id DESC"
        )))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decision_from).collect()
    }

    /// One decision of the organisation.
    pub async fn cpe_decision(&self, org_id: i64, id: i64) -> Result<CpeDecision, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DECISION_COLS} WHERE org_id = $1 AND id = $2"
        )))
        .bind(org_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            kind: "CPE decision",
            id: id.to_string(),
        })?;
        decision_from(&row)
    }

    /// The decision a finding was matched through, if any.
    pub async fn cpe_decision_of_finding(
        &self,
        org_id: i64,
        finding_id: i64,
    ) -> Result<Option<CpeDecision>, StoreError> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT cpe_decision_id FROM finding WHERE id = $1 AND org_id = $2")
                .bind(finding_id)
                .bind(org_id)
                .fetch_optional(&self.pool)
                .await?
                .flatten();
        match id {
            Some(id) => Ok(Some(self.cpe_decision(org_id, id).await?)),
            None => Ok(None),
        }
    }

    /// The subject a decision about a finding's component would be recorded against: its CPE
    /// name as written when it has one (the only subject that renames it), else its package
    /// URL, else its name.
    pub async fn finding_subject(
        &self,
        org_id: i64,
        finding_id: i64,
    ) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT c.name, c.purl, c.cpe FROM finding f \
             JOIN component c ON c.sbom_id = f.sbom_id AND c.ord = f.component_ord \
             WHERE f.id = $1 AND f.org_id = $2",
        )
        .bind(finding_id)
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let purl: Option<String> = r.try_get("purl")?;
        let cpe: Option<String> = r.try_get("cpe")?;
        let c = Component {
            name: r.try_get("name")?,
            purl: purl
                .as_deref()
                .and_then(|p| cyres_version::Purl::parse(p).ok()),
            cpe: cpe
                .as_deref()
                .and_then(|c| cyres_version::Cpe::parse(c).ok().map(Box::new)),
            ..Component::default()
        };
        Ok(subjects(&c).into_iter().next())
    }

    /// Records that `subject` is `vendor:product` for the whole organisation (replacing a live
    /// decision about the same subject), audited, then re-matches the subject's components.
    pub async fn record_cpe_decision(
        &self,
        org_id: i64,
        d: &NewCpeDecision,
        actor: &Actor,
        now: i64,
    ) -> Result<(CpeDecision, MatchOutcome), StoreError> {
        self.record_decision(org_id, d, "analyst", None, actor, now)
            .await
    }

    async fn record_decision(
        &self,
        org_id: i64,
        d: &NewCpeDecision,
        origin: &str,
        candidate: Option<i64>,
        actor: &Actor,
        now: i64,
    ) -> Result<(CpeDecision, MatchOutcome), StoreError> {
        crate::text::bounded("subject", &d.subject, crate::text::REFERENCE)?;
        if let Some(n) = &d.note {
            crate::text::bounded("note", n, crate::text::LONG_TEXT)?;
        }
        cyres_vuln::cpe_resolve::parse_target(&format!("{}:{}", d.vendor, d.product))
            .map_err(|e| StoreError::invalid_general(e.to_string()))?;
        let mut tx = self.begin().await?;
        let replaced: Option<i64> = sqlx::query_scalar(
            "UPDATE cpe_decision SET withdrawn_by = $1, withdrawn_at = $2 \
             WHERE org_id = $3 AND subject = $4 AND withdrawn_at IS NULL RETURNING id",
        )
        .bind(actor.display())
        .bind(now)
        .bind(org_id)
        .bind(&d.subject)
        .fetch_optional(&mut *tx)
        .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO cpe_decision (org_id, subject, vendor, product, target_key, origin, \
             note, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             RETURNING id",
        )
        .bind(org_id)
        .bind(&d.subject)
        .bind(d.vendor.to_ascii_lowercase())
        .bind(d.product.to_ascii_lowercase())
        .bind(cpe_key(&d.vendor, &d.product))
        .bind(origin)
        .bind(d.note.as_deref())
        .bind(actor.display())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        if let Some(c) = candidate {
            sqlx::query(
                "UPDATE cpe_candidate SET state = 'confirmed', decided_by = $1, decided_at = $2 \
                 WHERE id = $3 AND org_id = $4",
            )
            .bind(actor.display())
            .bind(now)
            .bind(c)
            .bind(org_id)
            .execute(&mut *tx)
            .await?;
        }
        crate::audit::record(
            &mut tx,
            crate::audit::Event {
                org_id: Some(org_id),
                actor,
                action: "cpe_decision.record",
                target_kind: "cpe_decision",
                target_id: &id.to_string(),
                details: serde_json::json!({
                    "subject": d.subject, "cpe": format!("{}:{}", d.vendor, d.product),
                    "origin": origin, "candidate_id": candidate, "replaced_decision_id": replaced,
                    "note": d.note,
                }),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        let rows = self.rows_of_subject(org_id, &d.subject).await?;
        let outcome = self.settle(rows, None, now).await?;
        Ok((self.cpe_decision(org_id, id).await?, outcome))
    }

    /// Withdraws a live decision, audited; the subject's components go back to their own
    /// names (findings only the decision gave are withdrawn with a reason).
    pub async fn withdraw_cpe_decision(
        &self,
        org_id: i64,
        id: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<(CpeDecision, MatchOutcome), StoreError> {
        let d = self.cpe_decision(org_id, id).await?;
        if d.withdrawn_at.is_some() {
            return Err(StoreError::conflict_general(format!(
                "CPE decision {id} is already withdrawn"
            )));
        }
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE cpe_decision SET withdrawn_by = $1, withdrawn_at = $2 \
             WHERE id = $3 AND org_id = $4 AND withdrawn_at IS NULL",
        )
        .bind(actor.display())
        .bind(now)
        .bind(id)
        .bind(org_id)
        .execute(&mut *tx)
        .await?;
        crate::audit::record(
            &mut tx,
            crate::audit::Event {
                org_id: Some(org_id),
                actor,
                action: "cpe_decision.withdraw",
                target_kind: "cpe_decision",
                target_id: &id.to_string(),
                details: serde_json::json!({
                    "subject": d.subject, "cpe": format!("{}:{}", d.vendor, d.product),
                }),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        let rows = self.rows_of_subject(org_id, &d.subject).await?;
        let outcome = self.settle(rows, None, now).await?;
        Ok((self.cpe_decision(org_id, id).await?, outcome))
    }

    /// Derives candidates for every component without a CPE in the organisation's current
    /// SBOMs; returns how many were newly proposed.
    pub async fn derive_cpe_candidates(
        &self,
        org_id: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<usize, StoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT c.name, c.purl FROM component c \
             JOIN product_release r ON r.id = c.release_id AND r.sbom_id = c.sbom_id \
             WHERE c.org_id = $1 AND c.cpe IS NULL",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        let mut components = Vec::with_capacity(rows.len());
        for r in &rows {
            let purl: Option<String> = r.try_get("purl")?;
            components.push(Component {
                name: r.try_get("name")?,
                purl: purl
                    .as_deref()
                    .and_then(|p| cyres_version::Purl::parse(p).ok()),
                purl_raw: purl,
                ..Component::default()
            });
        }
        self.derive_for(org_id, &components, actor, now).await
    }

    /// Proposes, for each subject of `components` without a CPE, a decision or a live
    /// candidate, the first guess NVD's stored configurations use that was not rejected.
    pub(crate) async fn derive_for(
        &self,
        org_id: i64,
        components: &[Component],
        actor: &Actor,
        now: i64,
    ) -> Result<usize, StoreError> {
        let decisions = self.live_cpe_decisions(&[org_id]).await?;
        let mut wanted: BTreeMap<String, Vec<cyres_vuln::cpe_resolve::Guess>> = BTreeMap::new();
        for c in components {
            let gs = guesses(c);
            let (Some(subject), false) = (subjects(c).into_iter().next(), gs.is_empty()) else {
                continue;
            };
            if effective_has_decision(org_id, c, &decisions) {
                continue;
            }
            wanted.entry(subject).or_insert(gs);
        }
        if wanted.is_empty() {
            return Ok(0);
        }
        let mut known: BTreeMap<String, Vec<(String, String, CpeCandidateState)>> = BTreeMap::new();
        for r in sqlx::query(
            "SELECT subject, vendor, product, state FROM cpe_candidate WHERE org_id = $1",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?
        {
            known.entry(r.try_get("subject")?).or_default().push((
                r.try_get("vendor")?,
                r.try_get("product")?,
                word(&r, "state")?,
            ));
        }
        let keys: Vec<String> = wanted
            .values()
            .flatten()
            .map(|g| cpe_key(&g.vendor, &g.product))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut used = BTreeSet::new();
        for chunk in keys.chunks(crate::CHUNK_ROWS) {
            let sql = format!(
                "SELECT DISTINCT match_key FROM cpe_configuration_key WHERE match_key IN ({})",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql));
            for k in chunk {
                q = q.bind(k.as_str());
            }
            used.extend(q.fetch_all(&self.pool).await?);
        }
        let mut proposals = Vec::new();
        for (subject, gs) in &wanted {
            let seen = known.get(subject).map(Vec::as_slice).unwrap_or_default();
            if seen
                .iter()
                .any(|(_, _, state)| *state != CpeCandidateState::Rejected)
            {
                continue;
            }
            let fresh = gs.iter().find(|g| {
                used.contains(&cpe_key(&g.vendor, &g.product))
                    && !seen
                        .iter()
                        .any(|(v, p, _)| *v == g.vendor && *p == g.product)
            });
            if let Some(g) = fresh {
                proposals.push((subject, g));
            }
        }
        if proposals.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin().await?;
        for (subject, g) in &proposals {
            sqlx::query(
                "INSERT INTO cpe_candidate (org_id, subject, vendor, product, reason, state, \
                 proposed_at) VALUES ($1, $2, $3, $4, $5, 'proposed', $6) \
                 ON CONFLICT (org_id, subject, vendor, product) DO NOTHING",
            )
            .bind(org_id)
            .bind(subject.as_str())
            .bind(&g.vendor)
            .bind(&g.product)
            .bind(&g.reason)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        crate::audit::record(
&mut tx,
crate::audit::Event {
org_id: Some(org_id),
actor,
action: "cpe_candidate.derive",
target_kind: "organisation",
target_id: &org_id.to_string(),
details: serde_json::json!({
                "proposed": proposals.iter().map(|(s, g)| {
                    serde_json::json!({"subject": s, "cpe": format!("{}:{}", g.vendor, g.product)})
                }).collect::<Vec<_>>(),
            }),
at: now,
},
)
        .await?;
        tx.commit().await?;
        Ok(proposals.len())
    }

    /// The organisation's candidates, optionally of one state, oldest first.
    pub async fn cpe_candidates(
        &self,
        org_id: i64,
        state: Option<CpeCandidateState>,
    ) -> Result<Vec<CpeCandidate>, StoreError> {
        let filter = if state.is_some() {
            " AND state = $2"
        } else {
            ""
        };
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CANDIDATE_COLS} WHERE org_id = $1{filter} ORDER BY id"
        )))
        .bind(org_id);
        if let Some(s) = state {
            q = q.bind(s.as_str());
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(candidate_from).collect()
    }

    /// One candidate of the organisation.
    pub async fn cpe_candidate(&self, org_id: i64, id: i64) -> Result<CpeCandidate, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CANDIDATE_COLS} WHERE org_id = $1 AND id = $2"
        )))
        .bind(org_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            kind: "CPE candidate",
            id: id.to_string(),
        })?;
        candidate_from(&row)
    }

    /// What a candidate would give in the organisation's current releases, computed now and
    /// never stored (match kind `derived`, status `needs_confirmation`).
    pub async fn cpe_candidate_findings(
        &self,
        org_id: i64,
        id: i64,
    ) -> Result<Vec<CandidateFinding>, StoreError> {
        let c = self.cpe_candidate(org_id, id).await?;
        let rows = self.rows_of_subject(org_id, &c.subject).await?;
        let as_named: Vec<Component> = rows
            .iter()
            .map(|r| resolved(&r.component, &c.vendor, &c.product))
            .collect();
        let keys: Vec<String> = as_named
            .iter()
            .flat_map(component_keys)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let candidates = self.candidates(&keys).await?;
        let mut distinct = HashMap::new();
        for n in &as_named {
            distinct.entry(comp_key(n)).or_insert_with(|| n.clone());
        }
        let matched = match_distinct(candidates, distinct.into_values().collect());
        let sboms: BTreeSet<i64> = rows.iter().map(|r| r.sbom_id).collect();
        let contexts = self.sbom_cpes(&sboms).await?;
        let mut out = Vec::new();
        for (r, n) in rows.iter().zip(&as_named) {
            for f in matched.get(&comp_key(n)).into_iter().flatten() {
                if !applies(f, contexts.get(&r.sbom_id)) {
                    continue;
                }
                out.push(CandidateFinding {
                    product_id: r.product_id,
                    release_id: r.release_id,
                    component_name: r.component.name.clone(),
                    component_version: r.component.version.clone(),
                    advisory_id: f.id.clone(),
                    aliases: f.aliases.clone(),
                    summary: f.summary.clone(),
                    severity: f.severity.rating.as_str().to_string(),
                    score: f.severity.score,
                    match_kind: "derived",
                    status: "needs_confirmation",
                });
            }
        }
        out.sort_by(|a, b| {
            (a.release_id, &a.component_name, &a.advisory_id).cmp(&(
                b.release_id,
                &b.component_name,
                &b.advisory_id,
            ))
        });
        Ok(out)
    }

    /// Confirms a proposed candidate: it becomes the organisation's decision for its subject
    /// (origin `candidate`), audited, and the subject's components are re-matched.
    pub async fn confirm_cpe_candidate(
        &self,
        org_id: i64,
        id: i64,
        note: Option<String>,
        actor: &Actor,
        now: i64,
    ) -> Result<(CpeDecision, MatchOutcome), StoreError> {
        let c = self.cpe_candidate(org_id, id).await?;
        if c.state != CpeCandidateState::Proposed {
            return Err(StoreError::conflict_general(format!(
                "CPE candidate {id} is {} already",
                c.state
            )));
        }
        let d = NewCpeDecision {
            subject: c.subject,
            vendor: c.vendor,
            product: c.product,
            note,
        };
        self.record_decision(org_id, &d, "candidate", Some(id), actor, now)
            .await
    }

    /// Rejects a proposed candidate, audited; the pair is never proposed again for its
    /// subject.
    pub async fn reject_cpe_candidate(
        &self,
        org_id: i64,
        id: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<CpeCandidate, StoreError> {
        let c = self.cpe_candidate(org_id, id).await?;
        if c.state != CpeCandidateState::Proposed {
            return Err(StoreError::conflict_general(format!(
                "CPE candidate {id} is {} already",
                c.state
            )));
        }
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE cpe_candidate SET state = 'rejected', decided_by = $1, decided_at = $2 \
             WHERE id = $3 AND org_id = $4",
        )
        .bind(actor.display())
        .bind(now)
        .bind(id)
        .bind(org_id)
        .execute(&mut *tx)
        .await?;
        crate::audit::record(
            &mut tx,
            crate::audit::Event {
                org_id: Some(org_id),
                actor,
                action: "cpe_candidate.reject",
                target_kind: "cpe_candidate",
                target_id: &id.to_string(),
                details: serde_json::json!({
                    "subject": c.subject, "cpe": format!("{}:{}", c.vendor, c.product),
                }),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        self.cpe_candidate(org_id, id).await
    }
}

fn effective_has_decision(org_id: i64, c: &Component, decisions: &Decisions) -> bool {
    subjects(c)
        .into_iter()
        .any(|s| decisions.contains_key(&(org_id, s)))
}
