//! Administration of an organisation: members (by invitation), API tokens and alert webhooks.
//! Administrators only; secrets (token secrets, webhook signing secrets) exist only in the
//! answer that creates them (tokens are stored as hashes, webhook secrets sealed).

use super::credentials::{TOKEN_PREFIX, hash_password, random_secret, secret_hash};
use super::{Operator, Principal, ServiceError};
use crate::App;
use cyres_store::{Account, NewOrg, Org, Role};

pub(crate) use cyres_feeds::webhook::SIGNATURE_HELP;

/// Creates another organisation for the principal's person, who becomes its first
/// administrator in the same transaction.
///
/// Self-service: only the kinds an account may declare for itself (manufacturer, steward,
/// operator, subscriber; the store refuses CSIRT and ENISA whoever asks), and only while the
/// instance's operator allows it (`allow_self_service_orgs`); administrators of the operator
/// organisation may always create those kinds. API tokens act for one organisation and create
/// none.
pub(crate) async fn create_org(
    app: &App,
    who: &Principal,
    new: &NewOrg,
) -> Result<Org, ServiceError> {
    let Some(account) = who.account_id else {
        return Err(ServiceError::forbidden(
            "organisations are created by people, not API tokens",
        ));
    };
    if !app.config.allow_self_service_orgs && !super::advisories::is_operator(app, who).await? {
        return Err(ServiceError::forbidden(
            "this instance's operator has turned self-service organisations off; ask the operator (cyres admin org create)",
        ));
    }
    Ok(app
        .store
        .create_org_with_admin(new, account, &who.actor, app.now())
        .await?)
}

/// Provisions an organisation of any kind (the operator only): the one way besides the first
/// start to make a CSIRT or ENISA organisation, stored as provisioned by the operator, so
/// `Org::is_authority` holds for it.
pub(crate) async fn provision_org(
    app: &App,
    op: &Operator,
    new: &NewOrg,
) -> Result<Org, ServiceError> {
    Ok(app.store.provision_org(new, op.actor(), app.now()).await?)
}

/// Creates an account with `password_hash` (made by [`hash_password`] from a password that
/// passed [`super::credentials::check_password`]) (the operator only; people otherwise join
/// by invitation, [`add_member`]).
pub(crate) async fn create_account(
    app: &App,
    op: &Operator,
    email: &str,
    display_name: &str,
    password_hash: &str,
) -> Result<Account, ServiceError> {
    Ok(app
        .store
        .create_account(email, display_name, password_hash, op.actor(), app.now())
        .await?)
}

/// Gives account `account_id` `role` in organisation `org_id` (the operator only: an
/// organisation's administrators invite instead, [`add_member`]).
pub(crate) async fn grant_membership(
    app: &App,
    op: &Operator,
    account_id: i64,
    org_id: i64,
    role: Role,
) -> Result<(), ServiceError> {
    Ok(app
        .store
        .set_membership(account_id, org_id, role, op.actor(), app.now())
        .await?)
}

/// Adding a member.
#[derive(Debug)]
pub(crate) struct NewMember<'a> {
    /// The address to invite.
    pub email: &'a str,
    /// The role once accepted.
    pub role: Role,
    /// A password for an account created for an address that has none.
    pub password: Option<String>,
    /// The display name for such an account.
    pub display_name: Option<&'a str>,
}

/// What adding a member did: the same status and shape whether or not the address has an
/// account, so the answer tells nobody which addresses are registered.
pub(crate) enum Added {
    /// The address was invited (the person accepts after logging in).
    Invited(cyres_store::Invitation),
    /// The account was already a member; its role changed at once (lowering a role must not
    /// wait for consent).
    RoleChanged,
}

/// Adds a member to the principal's organisation (administrators). The password rule is checked
/// against what the request gave (never a stored account), and a given password is hashed
/// whether or not an account is created, so neither the answer nor its timing depends on
/// whether the address is registered.
pub(crate) async fn add_member(
    app: &App,
    who: &Principal,
    m: NewMember<'_>,
) -> Result<Added, ServiceError> {
    who.require(Role::Admin)?;
    let (org_id, actor) = (who.org_id, &who.actor);
    let email = cyres_store::normalize_email(m.email);
    if !email.contains('@') || email.len() > 254 {
        return Err(ServiceError::invalid("email", "email: an e-mail address"));
    }
    let name = m
        .display_name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(&email)
        .to_string();
    if name.chars().count() > 200 {
        return Err(ServiceError::invalid(
            "display_name",
            "display_name: at most 200 characters",
        ));
    }
    let hash = match m.password {
        Some(pw) => {
            super::credentials::check_password(&pw, &email, m.display_name.unwrap_or_default())?;
            Some(
                tokio::task::spawn_blocking(move || hash_password(&pw))
                    .await
                    .map_err(|e| ServiceError::internal(e.to_string()))??,
            )
        }
        None => None,
    };
    let now = app.now();
    match app.store.account_by_email(&email).await? {
        Some(account) => {
            if app
                .store
                .membership_role(account.id, org_id)
                .await?
                .is_some()
            {
                app.store
                    .set_membership(account.id, org_id, m.role, actor, now)
                    .await?;
                return Ok(Added::RoleChanged);
            }
        }
        None => {
            if let Some(hash) = hash {
                match app
                    .store
                    .create_account(&email, &name, &hash, actor, now)
                    .await
                {
                    // Created meanwhile by another request: the invitation covers it.
                    Ok(_) | Err(cyres_store::StoreError::Conflict(_)) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    Ok(Added::Invited(
        app.store.invite(org_id, &email, m.role, actor, now).await?,
    ))
}

/// Creates an API token with `role` (administrators); answers it with its secret, which exists
/// only here (the store keeps its hash).
pub(crate) async fn create_token(
    app: &App,
    who: &Principal,
    name: &str,
    role: Role,
) -> Result<(cyres_store::ApiToken, String), ServiceError> {
    who.require(Role::Admin)?;
    if name.trim().is_empty() {
        return Err(ServiceError::invalid(
            "name",
            "name: give the token a name, like “CI pipeline”",
        ));
    }
    let secret = format!("{TOKEN_PREFIX}{}", random_secret());
    let token = app
        .store
        .create_api_token(
            who.org_id,
            &cyres_store::NewApiToken {
                role,
                name,
                token_hash: &secret_hash(&secret),
                created_by: who.account_id,
            },
            &who.actor,
            app.now(),
        )
        .await?;
    Ok((token, secret))
}

/// The outbound policy's check of a webhook target when it is registered (issue #13, point
/// 3): invalid `url`, naming the problem ("127.0.0.1 is a loopback address; …"). For alert
/// webhooks and notice subscribers alike.
pub(crate) async fn check_target(app: &App, url: &str) -> Result<(), ServiceError> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(ServiceError::invalid(
            "url",
            "url: an http:// or https:// URL",
        ));
    }
    app.outbound
        .check_target(url)
        .await
        .map_err(|e| ServiceError::invalid("url", format!("url: {e}")))
}

/// Registers an alert webhook (administrators); answers it with its signing secret, which
/// exists only here (the store keeps it sealed).
pub(crate) async fn create_webhook(
    app: &App,
    who: &Principal,
    url: &str,
) -> Result<(cyres_store::Webhook, String), ServiceError> {
    who.require(Role::Admin)?;
    check_target(app, url).await?;
    let secret = random_secret();
    let hook = app
        .store
        .create_webhook(
            who.org_id,
            url,
            &app.secrets.seal(&secret),
            &who.actor,
            app.now(),
        )
        .await?;
    Ok((hook, secret))
}

/// Revokes one of the organisation's API tokens (administrators).
pub(crate) async fn revoke_token(app: &App, who: &Principal, id: i64) -> Result<(), ServiceError> {
    who.require(Role::Admin)?;
    app.store
        .revoke_api_token(who.org_id, id, &who.actor, app.now())
        .await?;
    Ok(())
}

/// Removes one of the organisation's alert webhooks (administrators).
pub(crate) async fn delete_webhook(
    app: &App,
    who: &Principal,
    id: i64,
) -> Result<(), ServiceError> {
    who.require(Role::Admin)?;
    app.store
        .delete_webhook(who.org_id, id, &who.actor, app.now())
        .await?;
    Ok(())
}

/// Withdraws a pending invitation of the organisation (administrators).
pub(crate) async fn withdraw_invitation(
    app: &App,
    who: &Principal,
    id: i64,
) -> Result<(), ServiceError> {
    who.require(Role::Admin)?;
    app.store
        .withdraw_invitation(who.org_id, id, &who.actor, app.now())
        .await?;
    Ok(())
}

/// The organisation's API tokens, revoked ones too (administrators; secrets are never kept).
pub(crate) async fn tokens(
    app: &App,
    who: &Principal,
) -> Result<Vec<cyres_store::ApiToken>, ServiceError> {
    who.require(Role::Admin)?;
    Ok(app.store.api_tokens(who.org_id).await?)
}

/// The organisation's alert webhooks (administrators; signing secrets stay sealed).
pub(crate) async fn webhooks(
    app: &App,
    who: &Principal,
) -> Result<Vec<cyres_store::Webhook>, ServiceError> {
    who.require(Role::Admin)?;
    Ok(app.store.webhooks(who.org_id).await?)
}

/// The organisation's latest alert deliveries, at most `limit` (administrators).
pub(crate) async fn deliveries(
    app: &App,
    who: &Principal,
    limit: i64,
) -> Result<Vec<cyres_store::Delivery>, ServiceError> {
    who.require(Role::Admin)?;
    Ok(app.store.deliveries(who.org_id, limit).await?)
}

/// The organisation's latest audit events, at most `limit` (administrators).
pub(crate) async fn audit_events(
    app: &App,
    who: &Principal,
    limit: i64,
) -> Result<Vec<cyres_store::AuditEvent>, ServiceError> {
    who.require(Role::Admin)?;
    Ok(app.store.audit_events(who.org_id, limit).await?)
}

/// The organisation's pending invitations (administrators).
pub(crate) async fn pending_invitations(
    app: &App,
    who: &Principal,
) -> Result<Vec<cyres_store::Invitation>, ServiceError> {
    who.require(Role::Admin)?;
    Ok(app.store.org_invitations(who.org_id).await?)
}
