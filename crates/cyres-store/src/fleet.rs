//! Devices and fleet exposure: which devices still run a release with an open finding. Devices
//! authenticate with their own token (hashed here like API tokens) and can do exactly one
//! thing: report their state.

use crate::audit::{Event, record};
use crate::{Actor, Store, StoreError};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

/// A registered device.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Device {
    /// Row id.
    pub id: i64,
    /// Organisation.
    pub org_id: i64,
    /// The device's own id (serial number, …).
    pub device_id: String,
    /// Product it is.
    pub product_id: i64,
    /// Hardware revision.
    pub hardware: Option<String>,
    /// Version it runs, as last reported.
    pub installed_version: Option<String>,
    /// The user opted out of automatic security updates.
    pub opt_out_security: bool,
    /// The last state report (agent JSON).
    pub state: Option<serde_json::Value>,
    /// Unix seconds of the last report.
    pub last_seen: Option<i64>,
    /// Unix seconds.
    pub created_at: i64,
}

/// Exposure of the fleet to one advisory in one product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Exposure {
    /// Advisory (primary id of the finding).
    pub advisory_id: String,
    /// Product.
    pub product_id: i64,
    /// Devices running a release with an open finding for it.
    pub exposed_devices: i64,
    /// Of those, opted out of automatic security updates.
    pub opted_out: i64,
    /// Exploited.
    pub exploited: bool,
}

fn device_from(r: &AnyRow) -> Result<Device, StoreError> {
    Ok(Device {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        device_id: r.try_get("device_id")?,
        product_id: r.try_get("product_id")?,
        hardware: r.try_get("hardware")?,
        installed_version: r.try_get("installed_version")?,
        opt_out_security: r.try_get::<i64, _>("opt_out_security")? != 0,
        state: crate::text::json_column_opt(r, "state")?,
        last_seen: r.try_get("last_seen")?,
        created_at: r.try_get("created_at")?,
    })
}

const COLS: &str = "id, org_id, device_id, product_id, hardware, installed_version, opt_out_security, state, last_seen, created_at";

/// A device to register.
#[derive(Clone, Copy, Debug)]
pub struct NewDevice<'a> {
    /// The manufacturer's id of the unit (1 to 200 characters, no `/`, `?` or `#`).
    pub device_id: &'a str,
    /// The product it is a unit of.
    pub product_id: i64,
    /// Hardware revision, when known.
    pub hardware: Option<&'a str>,
    /// Hash of the device's token (the token itself is never stored).
    pub token_hash: &'a str,
}

impl Store {
    /// Registers a device of one of the organisation's products.
    pub async fn create_device(
        &self,
        org_id: i64,
        new: &NewDevice<'_>,
        actor: &Actor,
        now: i64,
    ) -> Result<Device, StoreError> {
        let NewDevice {
            device_id,
            product_id,
            hardware,
            token_hash,
        } = *new;
        if device_id.trim().is_empty()
            || device_id.len() > 200
            || device_id.contains(['/', '?', '#'])
        {
            return Err(StoreError::invalid(
                "device_id",
                "1 to 200 characters, no '/', '?' or '#'",
            ));
        }
        self.product(org_id, product_id).await?;
        let mut tx = self.begin().await?;
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO device (org_id, device_id, product_id, hardware, token_hash, opt_out_security, created_at) \
             VALUES ($1, $2, $3, $4, $5, 0, $6) RETURNING {COLS}"
        )))
        .bind(org_id)
        .bind(device_id.trim())
        .bind(product_id)
        .bind(hardware)
        .bind(token_hash)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::from(e).conflict_on_unique_field(Some("device_id"), format!("{device_id} is already registered")))?;
        let d = device_from(&r)?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "device.create",
                target_kind: "device",
                target_id: &d.id.to_string(),
                details: serde_json::json!({"device_id": d.device_id, "product_id": product_id}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(d)
    }

    /// The organisation's devices.
    pub async fn devices(&self, org_id: i64) -> Result<Vec<Device>, StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM device WHERE org_id = $1 ORDER BY device_id"
        )))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(device_from)
        .collect()
    }

    /// Stores a device's state report, authenticated by its token hash and its id.
    pub async fn report_device_state(
        &self,
        device_id: &str,
        token_hash: &str,
        installed_version: Option<&str>,
        opt_out_security: bool,
        state: &serde_json::Value,
        now: i64,
    ) -> Result<Device, StoreError> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE device SET installed_version = $1, opt_out_security = $2, state = $3, last_seen = $4 \
             WHERE token_hash = $5 AND device_id = $6 RETURNING {COLS}"
        )))
        .bind(installed_version)
        .bind(i64::from(opt_out_security))
        .bind(state.to_string())
        .bind(now)
        .bind(token_hash)
        .bind(device_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("device", device_id))?;
        device_from(&r)
    }

    /// For every open finding's advisory: how many of the organisation's devices run a release
    /// that has it. Falls as devices report a fixed version.
    pub async fn fleet_exposure(&self, org_id: i64) -> Result<Vec<Exposure>, StoreError> {
        sqlx::query(
            "SELECT f.advisory_id, d.product_id, COUNT(DISTINCT d.id) AS devices, \
               COUNT(DISTINCT CASE WHEN d.opt_out_security = 1 THEN d.id END) AS opted_out, MAX(f.exploited) AS exploited \
             FROM device d \
             JOIN product_release r ON r.product_id = d.product_id AND r.version = d.installed_version AND r.org_id = d.org_id \
             JOIN finding f ON f.release_id = r.id \
             WHERE d.org_id = $1 AND f.status IN ('under_investigation', 'affected') \
             GROUP BY f.advisory_id, d.product_id ORDER BY MAX(f.exploited) DESC, COUNT(DISTINCT d.id) DESC, f.advisory_id",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(Exposure {
                advisory_id: r.try_get("advisory_id")?,
                product_id: r.try_get("product_id")?,
                exposed_devices: r.try_get("devices")?,
                opted_out: r.try_get("opted_out")?,
                exploited: r.try_get::<i64, _>("exploited")? != 0,
            })
        })
        .collect()
    }
}
