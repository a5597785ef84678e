//! Components you can find (issue 17, point 1): a release's components with their findings,
//! how a finding's component came into the product ("pulled in by …"), and the search across
//! every product and release of the organisation. Reading only, so every member may; every
//! answer is the principal's organisation's alone (the store scopes each query by it).

use super::{Principal, ServiceError};
use crate::App;
use cyres_store::{
    ComponentPage, ComponentQuery, DependencyPath, Product, Release, ReleaseComponent, Role,
};
use serde::Serialize;

/// Most components on one page of a release.
pub(crate) const MAX_PAGE: i64 = 1000;

/// A page of a release's components.
#[derive(Debug, Serialize)]
pub(crate) struct ReleaseComponents {
    /// The release.
    pub release: Release,
    /// Its product.
    pub product: Product,
    /// The components after `after`, in SBOM order.
    pub components: Vec<ReleaseComponent>,
    /// The `after` of the next page, if there may be one.
    pub next_after: Option<i64>,
}

/// One page of a release's components (positions after `after`, at most `limit`);
/// `with_findings` keeps only the components that have findings.
pub(crate) async fn release_components(
    app: &App,
    who: &Principal,
    release_id: i64,
    after: i64,
    limit: i64,
    with_findings: bool,
) -> Result<ReleaseComponents, ServiceError> {
    who.require(Role::Viewer)?;
    let limit = limit.clamp(1, MAX_PAGE);
    let release = app.store.release(who.org_id, release_id).await?;
    let product = app.store.product(who.org_id, release.product_id).await?;
    let components = app
        .store
        .release_components(who.org_id, release_id, after, limit, with_findings)
        .await?;
    let next_after = (components.len() as i64 == limit)
        .then(|| components.last().map(|c| c.component.ord))
        .flatten();
    Ok(ReleaseComponents {
        release,
        product,
        components,
        next_after,
    })
}

/// The portfolio-wide search (`cyres_store::components` says what each input selects).
pub(crate) async fn search(
    app: &App,
    who: &Principal,
    query: &ComponentQuery,
) -> Result<ComponentPage, ServiceError> {
    who.require(Role::Viewer)?;
    Ok(app.store.search_components(who.org_id, query).await?)
}

/// How the component of finding `finding_id` came into its release.
pub(crate) async fn finding_path(
    app: &App,
    who: &Principal,
    finding_id: i64,
) -> Result<DependencyPath, ServiceError> {
    who.require(Role::Viewer)?;
    Ok(app
        .store
        .finding_dependency_path(who.org_id, finding_id)
        .await?)
}
