//! Triage (issue 17 point 3): one decision recorded on many findings (a list of ids or a
//! filter's whole result) in one transaction, where a finding's decision comes from (its own,
//! inherited from another release of the product) and the suggestion an earlier component
//! version offers. The carry-over itself happens in the store (`cyres_store::triage`), in the
//! same transaction as the writes.

use super::{Principal, ServiceError};
use crate::App;
use cyres_store::{Decision, FindingSearch, Role, TriageOrigin, TriageSummary, TriageTarget};

/// Records `decision` on every finding `target` names (editor). `Ids` must all be the
/// organisation's: one foreign or missing id refuses the whole batch.
pub(crate) async fn bulk_triage(
    app: &App,
    who: &Principal,
    target: &TriageTarget,
    decision: &Decision,
) -> Result<TriageSummary, ServiceError> {
    who.require(Role::Editor)?;
    if let TriageTarget::Ids(ids) = target
        && ids.is_empty()
    {
        return Err(ServiceError::invalid(
            "ids",
            "ids: name at least one finding, or give a filter",
        ));
    }
    let source = match target {
        TriageTarget::Ids(ids) if ids.len() == 1 => "manual",
        _ => "bulk",
    };
    Ok(app
        .store
        .triage_findings(who.org_id, target, decision, source, &who.actor, app.now())
        .await?)
}

/// Records `decision` on one finding (editor; the finding page and `POST
/// /api/v1/findings/{id}/triage`) and answers the finding as it now is.
pub(crate) async fn decide(
    app: &App,
    who: &Principal,
    finding_id: i64,
    decision: &Decision,
) -> Result<cyres_store::FindingRow, ServiceError> {
    bulk_triage(app, who, &TriageTarget::Ids(vec![finding_id]), decision).await?;
    Ok(app.store.finding(who.org_id, finding_id).await?)
}

/// A search that selects the whole organisation is refused for bulk triage unless it says
/// so: a triage of everything is never the accident of an empty form.
pub(crate) fn check_filter(search: &FindingSearch, everything: bool) -> Result<(), ServiceError> {
    if search.narrows() || everything {
        Ok(())
    } else {
        Err(ServiceError::invalid(
            "filter",
            "filter: narrow it (q, product, release, severity, status, …) or set all: true to \
             triage every finding of the organisation",
        ))
    }
}

/// Where the finding's decision comes from (viewer).
pub(crate) async fn origin(
    app: &App,
    who: &Principal,
    finding_id: i64,
) -> Result<TriageOrigin, ServiceError> {
    who.require(Role::Viewer)?;
    Ok(app.store.triage_origin(who.org_id, finding_id).await?)
}

/// Dismisses a proposal (case proposal or voluntary intake) with a reason (editor).
pub(crate) async fn dismiss_proposal(
    app: &App,
    who: &Principal,
    case_id: i64,
    reason: &str,
) -> Result<(), ServiceError> {
    who.require(Role::Editor)?;
    Ok(app
        .store
        .dismiss_proposal(who.org_id, case_id, reason, &who.actor, app.now())
        .await?)
}
