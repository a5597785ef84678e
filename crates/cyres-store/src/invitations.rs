//! Invitations: how a person joins an organisation. An administrator invites an e-mail address
//! with a role; the person sees the invitation after logging in and accepts (becoming a
//! member with that role) or declines it. Nobody is attached to an organisation without
//! their own action, and since an invitation is keyed by the normalised e-mail, inviting
//! behaves the same whether or not the address has an account (no account enumeration).

use crate::audit::{Event, record};
use crate::identity::normalize_email;
use crate::tenants::role_from;
use crate::{Actor, Invitation, Role, Store, StoreError};
use sqlx::Row;
use sqlx::any::AnyRow;

const COLS: &str =
    "i.id, i.org_id, o.name AS org_name, i.email, i.role, i.invited_by, i.created_at";

fn invitation_from(r: &AnyRow) -> Result<Invitation, StoreError> {
    Ok(Invitation {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        email: r.try_get("email")?,
        role: role_from(&r.try_get::<String, _>("role")?)?,
        invited_by: r.try_get("invited_by")?,
        created_at: r.try_get("created_at")?,
    })
}

impl Store {
    /// Invites `email` (normalised here) into an organisation with `role`, replacing an
    /// earlier invitation of the same address there.
    pub async fn invite(
        &self,
        org_id: i64,
        email: &str,
        role: Role,
        actor: &Actor,
        now: i64,
    ) -> Result<Invitation, StoreError> {
        let email = normalize_email(email);
        if !email.contains('@') || email.len() > 254 {
            return Err(StoreError::invalid(
                "email",
                format!("{email:?} is not an e-mail address"),
            ));
        }
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM invitation WHERE org_id = $1 AND email = $2")
            .bind(org_id)
            .bind(&email)
            .execute(&mut *tx)
            .await?;
        let id: i64 = sqlx::query(
            "INSERT INTO invitation (org_id, email, role, invited_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(org_id)
        .bind(&email)
        .bind(role.as_str())
        .bind(&actor.label)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "invitation.create",
                target_kind: "invitation",
                target_id: &id.to_string(),
                details: serde_json::json!({"email": email, "role": role}),
                at: now,
            },
        )
        .await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM invitation i JOIN organisation o ON o.id = i.org_id WHERE i.id = $1"
        )))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        invitation_from(&row)
    }

    /// The invitations waiting for an e-mail address (any spelling), oldest first.
    pub async fn invitations_for(&self, email: &str) -> Result<Vec<Invitation>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM invitation i JOIN organisation o ON o.id = i.org_id \
             WHERE i.email = $1 ORDER BY i.id"
        )))
        .bind(normalize_email(email))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(invitation_from).collect()
    }

    /// The invitations an organisation has sent and that wait for an answer.
    pub async fn org_invitations(&self, org_id: i64) -> Result<Vec<Invitation>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM invitation i JOIN organisation o ON o.id = i.org_id \
             WHERE i.org_id = $1 ORDER BY i.email"
        )))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(invitation_from).collect()
    }

    /// The account accepts an invitation addressed to its own e-mail: it becomes a member with
    /// the offered role (replacing an earlier role there), and the invitation is gone. An
    /// invitation to another address is exactly a missing one.
    pub async fn accept_invitation(
        &self,
        account_id: i64,
        invitation_id: i64,
        now: i64,
    ) -> Result<Invitation, StoreError> {
        let (mut tx, inv, actor) = self.own_invitation(account_id, invitation_id).await?;
        sqlx::query("DELETE FROM membership WHERE account_id = $1 AND org_id = $2")
            .bind(account_id)
            .bind(inv.org_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO membership (account_id, org_id, role) VALUES ($1, $2, $3)")
            .bind(account_id)
            .bind(inv.org_id)
            .bind(inv.role.as_str())
            .execute(&mut *tx)
            .await?;
        self.close_invitation(tx, &inv, &actor, "invitation.accept", now)
            .await?;
        Ok(inv)
    }

    /// The account declines an invitation addressed to its own e-mail.
    pub async fn decline_invitation(
        &self,
        account_id: i64,
        invitation_id: i64,
        now: i64,
    ) -> Result<Invitation, StoreError> {
        let (tx, inv, actor) = self.own_invitation(account_id, invitation_id).await?;
        self.close_invitation(tx, &inv, &actor, "invitation.decline", now)
            .await?;
        Ok(inv)
    }

    /// An administrator withdraws an invitation of their organisation.
    pub async fn withdraw_invitation(
        &self,
        org_id: i64,
        invitation_id: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM invitation i JOIN organisation o ON o.id = i.org_id \
             WHERE i.id = $1 AND i.org_id = $2"
        )))
        .bind(invitation_id)
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("invitation", invitation_id))?;
        let inv = invitation_from(&row)?;
        self.close_invitation(tx, &inv, actor, "invitation.withdraw", now)
            .await
    }

    /// The role an account has in an organisation, if it is a member.
    pub async fn membership_role(
        &self,
        account_id: i64,
        org_id: i64,
    ) -> Result<Option<Role>, StoreError> {
        let row = sqlx::query("SELECT role FROM membership WHERE account_id = $1 AND org_id = $2")
            .bind(account_id)
            .bind(org_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| role_from(&r.try_get::<String, _>("role")?))
            .transpose()
    }

    /// Opens a transaction holding an invitation addressed to the account's e-mail.
    async fn own_invitation(
        &self,
        account_id: i64,
        invitation_id: i64,
    ) -> Result<(sqlx::Transaction<'static, sqlx::Any>, Invitation, Actor), StoreError> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM invitation i JOIN organisation o ON o.id = i.org_id \
             JOIN account a ON a.email = i.email WHERE i.id = $1 AND a.id = $2"
        )))
        .bind(invitation_id)
        .bind(account_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("invitation", invitation_id))?;
        let inv = invitation_from(&row)?;
        let actor = Actor {
            id: format!("user:{account_id}"),
            label: inv.email.clone(),
        };
        Ok((tx, inv, actor))
    }

    /// Deletes the invitation, audits `action`, commits.
    async fn close_invitation(
        &self,
        mut tx: sqlx::Transaction<'static, sqlx::Any>,
        inv: &Invitation,
        actor: &Actor,
        action: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM invitation WHERE id = $1")
            .bind(inv.id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            Event {
                org_id: Some(inv.org_id),
                actor,
                action,
                target_kind: "invitation",
                target_id: &inv.id.to_string(),
                details: serde_json::json!({"email": inv.email, "role": inv.role}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
