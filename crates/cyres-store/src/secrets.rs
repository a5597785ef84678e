//! Stored secrets as the store sees them (issue #13, point 6): opaque text that the server
//! seals with its secret key before it arrives here and opens after reading. The store keeps
//! which key sealed them ([`Store::secret_key_id`]) and runs the start-up pass that seals
//! every stored secret under the current key ([`Store::reseal_secrets`]): plaintext left by
//! an older version and values sealed under an older key alike, all in one transaction.
//!
//! The columns holding secrets: `webhook.secret` and `notice_subscriber.secret` (HMAC signing
//! secrets, needed in clear to sign, so they cannot be hashed) and `csaf_signing_key.secret`
//! (the organisation's OpenPGP secret key, CSAF 2.0 section 7.1.19). Session ids, API tokens, the
//! setup token and device tokens are stored hashed. Two tokens stay in clear on purpose: a
//! session's CSRF token (useless without the session cookie, whose id is hashed) and a
//! subscriber's unsubscribe token (it can only stop notices, and is looked up by value).

use crate::{Store, StoreError};
use sqlx::Row;

/// What the start-up pass needs from the server's key: its id, which older ids it can still
/// open, and how to turn one stored value into its form under the current key.
pub trait SecretSealer: Send + Sync {
    /// The id of the key that seals new values.
    fn key_id(&self) -> &str;
    /// Whether values sealed under key `id` can be opened.
    fn knows(&self, id: &str) -> bool;
    /// The stored value under the current key, or `None` when it already is. An error names
    /// the problem (never the value).
    fn reseal(&self, stored: &str) -> Result<Option<String>, String>;
}

/// Tables and their secret columns (id column `id`).
const SECRET_COLUMNS: [(&str, &str); 4] = [
    ("webhook", "secret"),
    ("notice_subscriber", "secret"),
    ("notify_rule", "secret"),
    ("csaf_signing_key", "secret"),
];

impl Store {
    /// The id of the key that sealed the stored secrets, once a server has sealed them.
    pub async fn secret_key_id(&self) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT key_id FROM secret_key WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => r.try_get("key_id")?,
            None => None,
        })
    }

    /// Seals every stored secret under `sealer`'s current key and records its id, in one
    /// transaction; returns how many values changed. Idempotent: values already under the
    /// current key stay as they are. Refused ([`StoreError::Config`]) when the database's
    /// secrets were sealed under a key `sealer` does not know.
    pub async fn reseal_secrets(
        &self,
        sealer: &dyn SecretSealer,
        now: i64,
    ) -> Result<usize, StoreError> {
        let mut tx = self.begin().await?;
        // Lock the row first (a write), so two servers starting together take turns.
        sqlx::query("UPDATE secret_key SET updated_at = updated_at WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        let recorded: Option<String> = sqlx::query("SELECT key_id FROM secret_key WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?
            .try_get("key_id")?;
        if let Some(id) = recorded.as_deref()
            && !sealer.knows(id)
        {
            return Err(StoreError::Config(format!(
                "the stored secrets were encrypted with key {id}, which the secret key file does not hold"
            )));
        }
        let mut changed = 0;
        for (table, column) in SECRET_COLUMNS {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL ORDER BY id"
            )))
            .fetch_all(&mut *tx)
            .await?;
            for row in rows {
                let id: i64 = row.try_get("id")?;
                let stored: String = row.try_get(column)?;
                let sealed = sealer
                    .reseal(&stored)
                    .map_err(|e| StoreError::Config(format!("{table} {id}: {e}")))?;
                if let Some(sealed) = sealed {
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "UPDATE {table} SET {column} = $1 WHERE id = $2"
                    )))
                    .bind(sealed)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    changed += 1;
                }
            }
        }
        sqlx::query("UPDATE secret_key SET key_id = $1, updated_at = $2 WHERE id = 1")
            .bind(sealer.key_id())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(changed)
    }
}
