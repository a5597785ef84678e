//! The lifecycle of products, releases and SBOMs (issue 17, point 5): archive and restore a
//! product, retire a release or mark its end of support, replace a release's SBOM as a new
//! version and show what changed. What leaves which list, and why an actively exploited
//! finding never does while it is open (CRA Art. 14(1)), is `cyres_store::lifecycle`.
//!
//! Cases and the Art. 14 clock: archiving a product or retiring a release touches neither.
//! Cases are listed whatever their product's state; the notification obligation runs from
//! awareness (Art. 14(2)) and the Regulation makes no exception for products withdrawn or out
//! of support, so a case in progress keeps its clock, its deadlines and its reminders. The
//! answer to an archive or retirement names the cases in progress it concerns, so the person
//! archiving knows they continue.

use super::{Principal, ServiceError};
use crate::App;
use cyres_store::{FindingFilter, Product, ReleaseState, Retirement, Role, SbomDiff};
use serde::Serialize;
use std::collections::BTreeSet;

/// A case in progress a lifecycle change concerns.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct CaseInProgress {
    /// Case id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// `proposed` or `open`.
    pub state: String,
}

/// The answer to archiving a product.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Archived {
    /// The product.
    pub product: Product,
    /// Unix seconds.
    pub archived_at: i64,
    /// Cases in progress about its findings: they continue (CRA Art. 14(1)-(2)).
    pub cases_in_progress: Vec<CaseInProgress>,
}

/// The answer to retiring a release.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Retired {
    /// Its state.
    #[serde(flatten)]
    pub state: ReleaseState,
    /// Cases in progress about its findings: they continue (CRA Art. 14(1)-(2)).
    pub cases_in_progress: Vec<CaseInProgress>,
}

/// Every finding id of a product or release (all statuses, all SBOM versions).
async fn finding_ids(
    app: &App,
    org_id: i64,
    filter: FindingFilter,
) -> Result<BTreeSet<i64>, ServiceError> {
    let mut ids = BTreeSet::new();
    let mut after = None;
    loop {
        let page = app
            .store
            .findings(
                org_id,
                &FindingFilter {
                    limit: Some(1000),
                    after_id: after,
                    ..filter.clone()
                },
            )
            .await?;
        after = page.last().map(|f| f.id);
        ids.extend(page.iter().map(|f| f.id));
        if page.len() < 1000 {
            return Ok(ids);
        }
    }
}

async fn cases_about(
    app: &App,
    org_id: i64,
    ids: &BTreeSet<i64>,
) -> Result<Vec<CaseInProgress>, ServiceError> {
    Ok(app
        .store
        .cases(org_id)
        .await?
        .into_iter()
        .filter(|c| {
            c.state != cyres_store::CaseState::Closed
                && c.finding_ids.iter().any(|f| ids.contains(f))
        })
        .map(|c| CaseInProgress {
            id: c.id,
            title: c.title,
            state: c.state.as_str().to_string(),
        })
        .collect())
}

/// Archives a product (editors; the API's `DELETE /products/{id}`).
pub(crate) async fn archive_product(
    app: &App,
    who: &Principal,
    id: i64,
) -> Result<Archived, ServiceError> {
    who.require(Role::Editor)?;
    let product = app
        .store
        .archive_product(who.org_id, id, &who.actor, app.now())
        .await?;
    let mut ids = BTreeSet::new();
    for r in app.store.releases(who.org_id, id).await? {
        ids.extend(
            finding_ids(
                app,
                who.org_id,
                FindingFilter {
                    release_id: Some(r.id),
                    ..Default::default()
                },
            )
            .await?,
        );
    }
    Ok(Archived {
        archived_at: app.now(),
        cases_in_progress: cases_about(app, who.org_id, &ids).await?,
        product,
    })
}

/// Restores an archived product (administrators).
pub(crate) async fn restore_product(
    app: &App,
    who: &Principal,
    id: i64,
) -> Result<Product, ServiceError> {
    who.require(Role::Admin)?;
    Ok(app
        .store
        .restore_product(who.org_id, id, &who.actor, app.now())
        .await?)
}

/// The organisation's archived products with when each was archived.
pub(crate) async fn archived_products(
    app: &App,
    who: &Principal,
) -> Result<Vec<(Product, i64)>, ServiceError> {
    Ok(app.store.archived_products(who.org_id).await?)
}

/// Retires a release (`Some`) or reinstates it (`None`); editors.
pub(crate) async fn set_retirement(
    app: &App,
    who: &Principal,
    release_id: i64,
    kind: Option<Retirement>,
) -> Result<Retired, ServiceError> {
    who.require(Role::Editor)?;
    let state = app
        .store
        .set_release_retirement(who.org_id, release_id, kind, &who.actor, app.now())
        .await?;
    let cases_in_progress = if kind.is_some() {
        let ids = finding_ids(
            app,
            who.org_id,
            FindingFilter {
                release_id: Some(release_id),
                ..Default::default()
            },
        )
        .await?;
        cases_about(app, who.org_id, &ids).await?
    } else {
        Vec::new()
    };
    Ok(Retired {
        state,
        cases_in_progress,
    })
}

/// A release's lifecycle state and SBOM versions.
pub(crate) async fn release_state(
    app: &App,
    who: &Principal,
    release_id: i64,
) -> Result<ReleaseState, ServiceError> {
    Ok(app.store.release_state(who.org_id, release_id).await?)
}

/// What changed between two SBOM versions of a release; by default the one before the
/// current and the current.
pub(crate) async fn sbom_diff(
    app: &App,
    who: &Principal,
    release_id: i64,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<SbomDiff, ServiceError> {
    let state = app.store.release_state(who.org_id, release_id).await?;
    let versions = &state.sbom_versions;
    let to = match to {
        Some(t) => t,
        None => versions
            .last()
            .map(|v| v.sbom_id)
            .ok_or_else(|| ServiceError::not_found("sbom"))?,
    };
    let from = match from {
        Some(f) => f,
        None => {
            let pos = versions.iter().position(|v| v.sbom_id == to);
            pos.and_then(|i| i.checked_sub(1))
                .map(|i| versions[i].sbom_id)
                .ok_or_else(|| {
                    ServiceError::conflict(
                        "sbom: the release has no earlier SBOM version to compare with",
                    )
                })?
        }
    };
    Ok(app
        .store
        .sbom_diff(who.org_id, release_id, from, to)
        .await?)
}

/// Replaces a release's SBOM by a new version (editors); the SBOM is parsed by the caller.
pub(crate) async fn replace_sbom(
    app: &App,
    who: &Principal,
    release_id: i64,
    upload: &cyres_store::SbomUpload<'_>,
) -> Result<cyres_store::IngestOutcome, ServiceError> {
    who.require(Role::Editor)?;
    let out = app
        .store
        .replace_sbom(who.org_id, release_id, upload, &who.actor, app.now())
        .await?;
    if out.alerts > 0 {
        app.wake_worker();
    }
    super::policy::announce_violations(app, who.org_id, release_id).await;
    Ok(out)
}
