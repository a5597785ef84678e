//! One-time password-reset links (issue 17, point 9), issued by an organisation's
//! administrator for one of its members and redeemed by that person.
//!
//! Rules, enforced here inside one transaction each:
//! - the account must be a member of the issuing organisation and of **no other**: an
//!   administrator of one tenant must never be able to take over an account that also acts
//!   for another (the operator resets such accounts with the CLI);
//! - only the SHA-256 of the secret is stored; a new link for an account withdraws its older
//!   unused links;
//! - a link works once, until it expires; redeeming it sets the password and ends every
//!   session of the account;
//! - issuing and redeeming are audited.

use crate::audit::{Event, record};
use crate::{Actor, Store, StoreError};
use sqlx::Row;

/// An issued link, without its secret.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PasswordReset {
    /// Id.
    pub id: i64,
    /// The account it resets.
    pub account_id: i64,
    /// Unix seconds.
    pub expires_at: i64,
}

impl Store {
    /// Issues a reset link for `account_id`, a member of `org_id` only; `token_hash` is the
    /// SHA-256 of the secret the caller shows once.
    pub async fn issue_password_reset(
        &self,
        org_id: i64,
        account_id: i64,
        token_hash: &str,
        actor: &Actor,
        now: i64,
        ttl_secs: i64,
    ) -> Result<PasswordReset, StoreError> {
        let mut tx = self.begin().await?;
        let orgs: Vec<i64> = sqlx::query("SELECT org_id FROM membership WHERE account_id = $1")
            .bind(account_id)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get("org_id"))
            .collect::<Result<_, _>>()?;
        if !orgs.contains(&org_id) {
            return Err(StoreError::not_found("member", account_id));
        }
        if orgs.len() > 1 {
            return Err(StoreError::Forbidden(
                "this account also acts for another organisation, so no single organisation's \
                 administrator may reset its password; the operator can, with \
                 `cyres admin account reset-password EMAIL`"
                    .into(),
            ));
        }
        sqlx::query(
            "UPDATE password_reset SET used_at = $1 WHERE account_id = $2 AND used_at IS NULL",
        )
        .bind(now)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
        let expires_at = now + ttl_secs;
        let id: i64 = sqlx::query(
            "INSERT INTO password_reset (account_id, org_id, token_hash, issued_by, created_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(account_id)
        .bind(org_id)
        .bind(token_hash)
        .bind(actor.display())
        .bind(now)
        .bind(expires_at)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "password_reset.issue",
                target_kind: "account",
                target_id: &account_id.to_string(),
                details: serde_json::json!({"expires_at": expires_at}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(PasswordReset {
            id,
            account_id,
            expires_at,
        })
    }

    /// The account a still-valid link resets, with its e-mail (to show on the form); `None`
    /// for an unknown, used or expired link (indistinguishable on purpose).
    pub async fn password_reset_account(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(i64, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT a.id, a.email FROM password_reset r JOIN account a ON a.id = r.account_id \
             WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((r.try_get("id")?, r.try_get("email")?)))
            .transpose()
    }

    /// Redeems a link: sets the password (an argon2id PHC string made by the caller), marks
    /// the link used and ends every session of the account. Fails with `NotFound` for an
    /// unknown, used or expired link.
    pub async fn redeem_password_reset(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "UPDATE password_reset SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 \
             RETURNING account_id, org_id",
        )
        .bind(now)
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("password reset link", "given"))?;
        let account_id: i64 = row.try_get("account_id")?;
        let org_id: i64 = row.try_get("org_id")?;
        let actor = Actor {
            id: format!("account:{account_id}"),
            label: "password reset link".into(),
        };
        set_password(
            &mut tx,
            Some(org_id),
            account_id,
            password_hash,
            &actor,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(account_id)
    }

    /// The operator's reset (`cyres admin account reset-password`): sets the password of the
    /// account with this e-mail and ends its sessions, audited on the instance's chain.
    pub async fn set_account_password(
        &self,
        email: &str,
        password_hash: &str,
        actor: &Actor,
        now: i64,
    ) -> Result<i64, StoreError> {
        let account = self
            .account_by_email(email)
            .await?
            .ok_or_else(|| StoreError::not_found("account", email))?;
        let mut tx = self.begin().await?;
        set_password(&mut tx, None, account.id, password_hash, actor, now).await?;
        tx.commit().await?;
        Ok(account.id)
    }
}

/// Sets an account's password, ends its sessions and audits it.
async fn set_password(
    conn: &mut sqlx::AnyConnection,
    org_id: Option<i64>,
    account_id: i64,
    password_hash: &str,
    actor: &Actor,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE account SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM web_session WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    record(
        conn,
        Event {
            org_id,
            actor,
            action: "account.password_set",
            target_kind: "account",
            target_id: &account_id.to_string(),
            details: serde_json::json!({}),
            at: now,
        },
    )
    .await
}
