//! CPE names that resolve through a person (issue 20, point 3(c)): an analyst records once
//! that a component is `vendor:product` (for example OpenWrt's `dropbear` package is NVD's
//! `dropbear_ssh_project:dropbear_ssh`), and the organisation's whole portfolio is re-matched
//! under that name; derived candidates for components without a CPE wait, apart from every
//! finding list, until an analyst confirms (a decision) or rejects (remembered) each.
//!
//! Roles (ARCHITECTURE.md, "Who may do what"): viewers see decisions and candidates; editors
//! record, withdraw, confirm, reject and derive, like the rest of triage. Store operations in
//! `cyres_store::cpe_decisions`, audited there.

use super::{Principal, ServiceError};
use crate::App;
use cyres_store::{
    CandidateFinding, CpeCandidate, CpeCandidateState, CpeDecision, MatchOutcome, NewCpeDecision,
    Role, words_of,
};
use cyres_vuln::cpe_resolve::{parse_subject, parse_target};
use serde::Serialize;

/// A decision and what recording or withdrawing it did to the portfolio.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Decided {
    /// The decision.
    pub decision: CpeDecision,
    /// The re-match of the subject's components.
    pub rematch: MatchOutcome,
}

/// A candidate with the number of findings it would give now.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct CandidateSummary {
    /// The candidate.
    #[serde(flatten)]
    pub candidate: CpeCandidate,
    /// Findings it would give in current releases (never counted anywhere else).
    pub pending_findings: usize,
}

/// A candidate with the findings it would give.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct CandidateDetail {
    /// The candidate.
    #[serde(flatten)]
    pub candidate: CpeCandidate,
    /// What confirming it would add (match kind `derived`, status `needs_confirmation`).
    pub findings: Vec<CandidateFinding>,
}

/// What a person typed: the component and the NVD name.
#[derive(Clone, Debug, Default)]
pub(crate) struct DecisionInput {
    /// The component: `vendor:product` as written, a CPE, a package URL or a name.
    pub subject: String,
    /// NVD's `vendor:product` (or a CPE 2.3 name).
    pub cpe: String,
    /// Why (optional).
    pub note: Option<String>,
}

/// Records a decision (editors): the subject's components in every release are re-matched.
pub(crate) async fn record(
    app: &App,
    who: &Principal,
    input: &DecisionInput,
) -> Result<Decided, ServiceError> {
    who.require(Role::Editor)?;
    let subject = parse_subject(&input.subject)
        .map_err(|e| ServiceError::invalid("subject", e.to_string()))?;
    let (vendor, product) =
        parse_target(&input.cpe).map_err(|e| ServiceError::invalid("cpe", e.to_string()))?;
    let note = input
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    let d = NewCpeDecision {
        subject,
        vendor,
        product,
        note,
    };
    let (decision, rematch) = app
        .store
        .record_cpe_decision(who.org_id, &d, &who.actor, app.now())
        .await?;
    Ok(Decided { decision, rematch })
}

/// Withdraws a decision (editors): the components go back to their own names.
pub(crate) async fn withdraw(app: &App, who: &Principal, id: i64) -> Result<Decided, ServiceError> {
    who.require(Role::Editor)?;
    let (decision, rematch) = app
        .store
        .withdraw_cpe_decision(who.org_id, id, &who.actor, app.now())
        .await?;
    Ok(Decided { decision, rematch })
}

/// The organisation's decisions (viewers), newest first.
pub(crate) async fn decisions(
    app: &App,
    who: &Principal,
    include_withdrawn: bool,
) -> Result<Vec<CpeDecision>, ServiceError> {
    who.require(Role::Viewer)?;
    Ok(app
        .store
        .cpe_decisions(who.org_id, include_withdrawn)
        .await?)
}

/// The decision a finding was matched through (match kind `analyst_decision`), for the
/// finding page and the finding API (viewers).
pub(crate) async fn of_finding(
    app: &App,
    who: &Principal,
    finding_id: i64,
) -> Result<Option<CpeDecision>, ServiceError> {
    who.require(Role::Viewer)?;
    Ok(app
        .store
        .cpe_decision_of_finding(who.org_id, finding_id)
        .await?)
}

/// The component identity a "resolve this CPE" link about a finding pre-fills (viewers).
pub(crate) async fn subject_of_finding(
    app: &App,
    who: &Principal,
    finding_id: i64,
) -> Result<Option<String>, ServiceError> {
    who.require(Role::Viewer)?;
    Ok(app.store.finding_subject(who.org_id, finding_id).await?)
}

/// The candidate filter a request names: a state's word, or `all` (or nothing) for every
/// state.
pub(crate) fn candidate_state(
    word: Option<&str>,
) -> Result<Option<CpeCandidateState>, ServiceError> {
    match word.map(str::trim).filter(|w| !w.is_empty()) {
        None | Some("all") => Ok(None),
        Some(w) => w.parse().map(Some).map_err(|_| {
            ServiceError::invalid(
                "state",
                format!(
                    "state: {w:?} is none of {}, all",
                    words_of(CpeCandidateState::ALL)
                ),
            )
        }),
    }
}

/// Candidates (viewers), with the findings each would give; `state` filters (`None`: all).
pub(crate) async fn candidates(
    app: &App,
    who: &Principal,
    state: Option<CpeCandidateState>,
) -> Result<Vec<CandidateSummary>, ServiceError> {
    who.require(Role::Viewer)?;
    let mut out = Vec::new();
    for candidate in app.store.cpe_candidates(who.org_id, state).await? {
        let pending_findings = if candidate.state == CpeCandidateState::Proposed {
            app.store
                .cpe_candidate_findings(who.org_id, candidate.id)
                .await?
                .len()
        } else {
            0
        };
        out.push(CandidateSummary {
            candidate,
            pending_findings,
        });
    }
    Ok(out)
}

/// One candidate with the findings it would give (viewers).
pub(crate) async fn candidate(
    app: &App,
    who: &Principal,
    id: i64,
) -> Result<CandidateDetail, ServiceError> {
    who.require(Role::Viewer)?;
    let candidate = app.store.cpe_candidate(who.org_id, id).await?;
    let findings = app.store.cpe_candidate_findings(who.org_id, id).await?;
    Ok(CandidateDetail {
        candidate,
        findings,
    })
}

/// Confirms a candidate (editors): it becomes the decision for its subject.
pub(crate) async fn confirm(
    app: &App,
    who: &Principal,
    id: i64,
    note: Option<String>,
) -> Result<Decided, ServiceError> {
    who.require(Role::Editor)?;
    let (decision, rematch) = app
        .store
        .confirm_cpe_candidate(who.org_id, id, note, &who.actor, app.now())
        .await?;
    Ok(Decided { decision, rematch })
}

/// Rejects a candidate (editors); it is not proposed again.
pub(crate) async fn reject(
    app: &App,
    who: &Principal,
    id: i64,
) -> Result<CpeCandidate, ServiceError> {
    who.require(Role::Editor)?;
    Ok(app
        .store
        .reject_cpe_candidate(who.org_id, id, &who.actor, app.now())
        .await?)
}

/// Derives candidates for every component without a CPE (editors; also done at each upload,
/// this catches NVD data imported since). Answers how many were newly proposed.
pub(crate) async fn derive(app: &App, who: &Principal) -> Result<usize, ServiceError> {
    who.require(Role::Editor)?;
    Ok(app
        .store
        .derive_cpe_candidates(who.org_id, &who.actor, app.now())
        .await?)
}
