//! SBOM quality of a release (issue 20, point 6): the stored SBOM, exactly as uploaded, scored
//! against BSI TR-03183-2 v2.0 or the NTIA minimum elements by `cyres_sbom::quality::check`,
//! the same report `cyres sbom check` prints. The JSON API and the release page both ask here.

use super::{Principal, ServiceError};
use crate::App;
use cyres_sbom::quality::{Profile, QualityReport, check};
use cyres_store::Role;

/// Reads a profile word: `bsi` (the default, BSI TR-03183-2 v2.0) or `ntia`, or the stable
/// names the report carries.
pub(crate) fn profile_of(word: Option<&str>) -> Result<Profile, ServiceError> {
    match word.map(str::trim).unwrap_or("bsi") {
        "bsi" | "bsi-tr-03183-2-v2.0" => Ok(Profile::BsiTr03183V2),
        "ntia" | "ntia-minimum-elements" => Ok(Profile::Ntia),
        other => Err(ServiceError::invalid(
            "profile",
            format!("profile: {other:?} is neither bsi nor ntia"),
        )),
    }
}

/// The quality report of a release's SBOM under `profile`. Not found when the release is not
/// the principal's or has no SBOM yet.
pub(crate) async fn release_quality(
    app: &App,
    who: &Principal,
    release_id: i64,
    profile: Profile,
) -> Result<QualityReport, ServiceError> {
    who.require(Role::Viewer)?;
    let release = app.store.release(who.org_id, release_id).await?;
    let sbom_id = release
        .sbom_id
        .ok_or_else(|| ServiceError::not_found("sbom"))?;
    let meta = app.store.sbom_meta(who.org_id, sbom_id).await?;
    let bytes = app.store.sbom_original(who.org_id, sbom_id).await?;
    // The bytes were read once at upload; a stored SBOM that no longer reads is our fault.
    let max_bytes = app.config.max_upload_bytes;
    tokio::task::spawn_blocking(move || {
        let limits = cyres_sbom::Limits {
            max_bytes: max_bytes.max(bytes.len() as u64),
        };
        cyres_sbom::read(&bytes, &meta.file_name, &limits)
            .map(|sbom| check(&sbom, profile))
            .map_err(|e| ServiceError::internal(format!("stored SBOM {sbom_id}: {e}")))
    })
    .await
    .map_err(|e| ServiceError::internal(e.to_string()))?
}
