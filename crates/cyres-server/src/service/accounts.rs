//! Members' accounts as an administrator looks after them (issue 17, point 9): removing a
//! member, and one-time password-reset links.
//!
//! A reset link is issued by an administrator of the member's organisation, shown to that
//! administrator once (only its SHA-256 is stored), works once within [`RESET_TTL_SECS`], and
//! ends every session of the account when used. It cannot be issued for an account that also
//! acts for another organisation (the store refuses; the operator resets those with
//! `cyres admin account reset-password`), so no tenant's administrator can take over an
//! account that matters elsewhere. The new password follows the same rule as every other
//! ([`super::credentials::check_password`]).

use super::credentials::{check_password, hash_password, random_secret, secret_hash};
use super::{Principal, ServiceError};
use crate::App;
use cyres_store::Role;

/// How long a reset link works: one day.
pub(crate) const RESET_TTL_SECS: i64 = 24 * 3600;

/// Removes a member from the principal's organisation (administrators; never the last one).
pub(crate) async fn remove_member(
    app: &App,
    who: &Principal,
    account_id: i64,
) -> Result<(), ServiceError> {
    who.require(Role::Admin)?;
    app.store
        .remove_membership(account_id, who.org_id, &who.actor, app.now())
        .await?;
    Ok(())
}

/// An issued link: the URL to hand to the person (shown once) and when it expires.
#[derive(Debug, serde::Serialize)]
pub(crate) struct IssuedReset {
    /// `{public_url}/reset-password?token=…`.
    pub url: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// Issues a reset link for a member of the principal's organisation (administrators).
pub(crate) async fn issue_reset(
    app: &App,
    who: &Principal,
    account_id: i64,
) -> Result<IssuedReset, ServiceError> {
    who.require(Role::Admin)?;
    let secret = random_secret();
    let issued = app
        .store
        .issue_password_reset(
            who.org_id,
            account_id,
            &secret_hash(&secret),
            &who.actor,
            app.now(),
            RESET_TTL_SECS,
        )
        .await?;
    Ok(IssuedReset {
        url: format!(
            "{}/reset-password?token={secret}",
            app.config.public_url.trim_end_matches('/')
        ),
        expires_at: issued.expires_at,
    })
}

/// The e-mail of the account a still-valid link resets (for the form); `NotFound` for an
/// unknown, used or expired link, all alike.
pub(crate) async fn reset_target(app: &App, token: &str) -> Result<String, ServiceError> {
    app.store
        .password_reset_account(&secret_hash(token.trim()), app.now())
        .await?
        .map(|(_, email)| email)
        .ok_or_else(expired)
}

fn expired() -> ServiceError {
    ServiceError::not_found("password reset link").with_code("reset_link_invalid")
}

/// Sets a new password through a link (no login: the link is the credential).
pub(crate) async fn redeem_reset(
    app: &App,
    token: &str,
    password: &str,
) -> Result<(), ServiceError> {
    let email = reset_target(app, token).await?;
    check_password(password, &email, "")?;
    let hash = hash_password(password)?;
    match app
        .store
        .redeem_password_reset(&secret_hash(token.trim()), &hash, app.now())
        .await
    {
        Ok(_) => Ok(()),
        Err(cyres_store::StoreError::NotFound { .. }) => Err(expired()),
        Err(e) => Err(e.into()),
    }
}

/// Ends the web session whose cookie hashes to `cookie_hash` (log out; expired sessions go
/// with it).
pub(crate) async fn end_session(app: &App, cookie_hash: &str) -> Result<(), ServiceError> {
    app.store.delete_session(cookie_hash, app.now()).await?;
    Ok(())
}

/// Points the web session at another organisation its account belongs to (one it does not
/// belong to is answered as missing).
pub(crate) async fn switch_org(
    app: &App,
    cookie_hash: &str,
    org_id: i64,
) -> Result<(), ServiceError> {
    app.store.switch_session_org(cookie_hash, org_id).await?;
    Ok(())
}

/// Consumes the one-time setup link's token: only once, and only while no account exists.
pub(crate) async fn redeem_setup_link(app: &App, token: &str) -> Result<(), ServiceError> {
    if app
        .store
        .use_setup_token(&secret_hash(token), app.now())
        .await?
    {
        Ok(())
    } else {
        Err(ServiceError::forbidden(
            "this setup link was already used or is not valid",
        ))
    }
}

/// Declines an invitation addressed to the account (only its addressee may; any other
/// answers as missing).
pub(crate) async fn decline_invitation(
    app: &App,
    account_id: i64,
    invitation_id: i64,
) -> Result<(), ServiceError> {
    app.store
        .decline_invitation(account_id, invitation_id, app.now())
        .await?;
    Ok(())
}
