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
