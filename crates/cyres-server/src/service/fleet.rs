//! Devices (issue 17, point 9): registering one gives it a token (`cyresdev_…`, shown once,
//! stored hashed) that can do exactly one thing, report that device's state. Administrators.

use super::credentials::{random_secret, secret_hash};
use super::{Principal, ServiceError};
use crate::App;
use cyres_store::{Device, Role};

/// The prefix of device tokens.
pub(crate) const DEVICE_TOKEN_PREFIX: &str = "cyresdev_";

/// Registers a device of one of the organisation's products; answers it and its token.
pub(crate) async fn register(
    app: &App,
    who: &Principal,
    device_id: &str,
    product_id: i64,
    hardware: Option<&str>,
) -> Result<(Device, String), ServiceError> {
    who.require(Role::Admin)?;
    // A product of another organisation is answered like a missing one.
    app.store.product(who.org_id, product_id).await?;
    let secret = format!("{DEVICE_TOKEN_PREFIX}{}", random_secret());
    let device = app
        .store
        .create_device(
            who.org_id,
            &cyres_store::NewDevice {
                device_id: device_id.trim(),
                product_id,
                hardware: hardware.map(str::trim).filter(|h| !h.is_empty()),
                token_hash: &secret_hash(&secret),
            },
            &who.actor,
            app.now(),
        )
        .await?;
    Ok((device, secret))
}

/// A device's own report of its state (by its device token; nothing else can report it):
/// the installed version and whether its user opted out of automatic security updates
/// (CRA Annex I Part I (2)(c)). An unknown device and a wrong token are the same answer,
/// not found.
pub(crate) async fn report_state(
    app: &App,
    device_id: &str,
    token: &str,
    state: &serde_json::Value,
) -> Result<Device, ServiceError> {
    let installed = state["versions"]["installed"].as_str();
    let opted_out = state["opt_outs"]["security"].as_bool().unwrap_or(false);
    app.store
        .report_device_state(
            device_id,
            &secret_hash(token),
            installed,
            opted_out,
            state,
            app.now(),
        )
        .await
        .map_err(|e| match e {
            cyres_store::StoreError::NotFound { .. } => ServiceError::not_found("device"),
            other => other.into(),
        })
}
