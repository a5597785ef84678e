//! One Article 14 clock per actively exploited vulnerability in a product: the dashboard, the
//! findings pages, the finding API and the case page all take their due times from here, so no
//! two surfaces can disagree.
//!
//! The rule (CRA Art. 14(2): the clocks run from when the manufacturer "becomes aware"):
//! - once a case covering the product and vulnerability is **confirmed**, its recorded time of
//!   awareness, and the case's own stage states (a submitted stage shows as submitted): the
//!   same `Case::deadlines` the case page shows;
//! - before that, **provisionally**, from the first moment cyres had evidence that the product
//!   is affected by an actively exploited vulnerability: the later of the case proposal (made
//!   when exploitation became known) and the product's earliest finding of it. We count from
//!   the evidence rather than wait for a person to confirm, the reading that protects users:
//!   awareness cannot be later than the evidence the manufacturer's own tool held.

use cyres_cra::{CaseKind, CaseTimes, Deadlines};
use cyres_store::{CaseRow, FindingRow};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// Where a clock counts from.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Basis {
    /// The confirmed time of awareness of a case.
    Confirmed {
        /// The case.
        case_id: i64,
        /// Unix seconds.
        aware_at: i64,
    },
    /// First evidence, until a person confirms the case.
    Provisional {
        /// The proposal or unconfirmed case, if one exists.
        case_id: Option<i64>,
        /// Unix seconds.
        first_evidence: i64,
    },
}

impl Basis {
    /// One sentence for people.
    pub(crate) fn explain(&self) -> String {
        match self {
            Basis::Confirmed { case_id, aware_at } => format!(
                "counted from the confirmed time of awareness, {} (case {case_id})",
                crate::clock::when(*aware_at)
            ),
            Basis::Provisional { first_evidence, .. } => format!(
                "provisional: counted from first evidence on {}; confirm the case to fix the time of awareness",
                crate::clock::when(*first_evidence)
            ),
        }
    }
}

/// The clock of one vulnerability in one product.
#[derive(Clone, Debug, serde::Serialize)]
pub(crate) struct VulnClock {
    /// Product.
    pub product_id: i64,
    /// The advisory (its primary id).
    pub advisory_id: String,
    /// The product's earliest open finding of it (where people go to act).
    pub finding_id: i64,
    /// Where it counts from.
    pub basis: Basis,
    /// The Art. 14 stages.
    pub deadlines: Deadlines,
}

/// Whether `case` covers finding `f` (the store's one rule, [`CaseRow::covers`]).
fn covers(case: &CaseRow, f: &FindingRow) -> bool {
    case.covers(f.id, &f.advisory_id, &f.aliases)
}

/// The product a confirmed case is about (its body's product id).
fn case_product(case: &CaseRow) -> Option<i64> {
    case.body.as_ref()?["product"]["id"].as_str()?.parse().ok()
}

/// The clocks of every actively exploited, open vulnerability among `findings`, given the
/// organisation's cases. One per (product, advisory); nearest due first is the caller's order.
pub(crate) fn clocks(
    findings: &[FindingRow],
    cases: &[CaseRow],
    now: OffsetDateTime,
) -> Vec<VulnClock> {
    let mut groups: BTreeMap<(i64, &str), Vec<&FindingRow>> = BTreeMap::new();
    for f in findings
        .iter()
        .filter(|f| f.exploited && f.status.is_open())
    {
        groups
            .entry((f.product_id, f.advisory_id.as_str()))
            .or_default()
            .push(f);
    }
    let mut out = Vec::new();
    for ((product_id, advisory_id), fs) in groups {
        let Some(earliest) = fs.iter().min_by_key(|f| (f.first_seen, f.id)) else {
            continue;
        };
        let covering: Vec<&CaseRow> = cases
            .iter()
            .filter(|c| {
                c.kind == cyres_cra::CaseKind::Vulnerability && fs.iter().any(|f| covers(c, f))
            })
            .collect();
        let confirmed = covering.iter().find_map(|c| {
            let aware_at = c.aware_at?;
            if !c.state.is_confirmed() || case_product(c) != Some(product_id) {
                return None;
            }
            let case: cyres_report::Case = serde_json::from_value(c.body.clone()?).ok()?;
            let d = case.deadlines(now).ok()?;
            Some((c.id, aware_at, d))
        });
        let (basis, deadlines) = match confirmed {
            Some((case_id, aware_at, d)) => (Basis::Confirmed { case_id, aware_at }, d),
            None => {
                let proposal = covering.iter().min_by_key(|c| c.created_at);
                let first_evidence = earliest
                    .first_seen
                    .max(proposal.map_or(i64::MIN, |c| c.created_at));
                let times =
                    CaseTimes::new(CaseKind::Vulnerability, crate::clock::at(first_evidence));
                let Ok(d) = cyres_cra::deadlines(&times, now) else {
                    continue;
                };
                (
                    Basis::Provisional {
                        case_id: proposal.map(|c| c.id),
                        first_evidence,
                    },
                    d,
                )
            }
        };
        out.push(VulnClock {
            product_id,
            advisory_id: advisory_id.to_string(),
            finding_id: earliest.id,
            basis,
            deadlines,
        });
    }
    out
}

/// What [`clocks`] needs for one finding's vulnerability in its product: the product's open,
/// actively exploited findings of that advisory, and the organisation's cases.
pub(crate) async fn inputs_for(
    app: &crate::App,
    org_id: i64,
    f: &FindingRow,
) -> Result<(Vec<FindingRow>, Vec<CaseRow>), cyres_store::StoreError> {
    let same = app
        .store
        .findings(
            org_id,
            &cyres_store::FindingFilter {
                product_id: Some(f.product_id),
                advisory_id: Some(f.advisory_id.clone()),
                exploited: Some(true),
                limit: Some(1000),
                ..Default::default()
            },
        )
        .await?;
    let cases = app.store.cases(org_id).await?;
    Ok((same, cases))
}
