//! First start: there is no default password. Either the environment names the first
//! administrator (`CYRES_ADMIN_EMAIL`, `CYRES_ADMIN_PASSWORD`, optional `CYRES_ADMIN_ORG`,
//! `CYRES_ADMIN_ORG_KIND`, `CYRES_ADMIN_MEMBER_STATE`), or a one-time setup token is made, its
//! hash stored, and a link printed for whoever started the server. The link works once, and
//! only while no account exists.

use crate::auth::{check_password, hash_password, random_secret, secret_hash};
use crate::service::{Operator, admin};
use crate::{ApiError, App, SetupLink};
use cyres_store::{NewOrg, OrgKind, Role};

/// The stored kind word and its display name for a source kind.
pub(crate) fn source_kind_words(kind: &cyres_feeds::SourceKind) -> (&'static str, String) {
    match kind {
        cyres_feeds::SourceKind::Osv { ecosystem } => ("osv", format!("OSV {ecosystem}")),
        cyres_feeds::SourceKind::Kev => ("kev", "CISA KEV".into()),
        cyres_feeds::SourceKind::Euvd => ("euvd", "ENISA EUVD exploited".into()),
        cyres_feeds::SourceKind::Nvd { .. } => ("nvd", "NVD CVE API 2.0".into()),
        _ => ("other", "other".into()),
    }
}

/// Runs the first-start rule; returns the setup link when one was made.
pub(crate) async fn first_start(app: &App) -> Result<Option<SetupLink>, ApiError> {
    if app.store.account_count().await? > 0 {
        return Ok(None);
    }
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    if let (Some(email), Some(password)) = (env("CYRES_ADMIN_EMAIL"), env("CYRES_ADMIN_PASSWORD")) {
        let org_kind = env("CYRES_ADMIN_ORG_KIND")
            .map(|k| {
                OrgKind::parse(&k).ok_or_else(|| {
                    ApiError::bad_request(format!("CYRES_ADMIN_ORG_KIND: unknown kind {k:?}"))
                })
            })
            .transpose()?
            .unwrap_or(OrgKind::Manufacturer);
        create_first_admin(
            app,
            &email,
            &password,
            &env("CYRES_ADMIN_ORG").unwrap_or_else(|| "My organisation".into()),
            org_kind,
            env("CYRES_ADMIN_MEMBER_STATE"),
        )
        .await?;
        tracing::info!(email = %email, "created the first administrator from the environment");
        return Ok(None);
    }
    let token = random_secret();
    app.store
        .create_setup_token(&secret_hash(&token), app.now())
        .await?;
    Ok(Some(SetupLink(format!(
        "{}/setup?token={token}",
        app.config.public_url.trim_end_matches('/')
    ))))
}

/// Creates the first organisation, account and admin membership.
pub(crate) async fn create_first_admin(
    app: &App,
    email: &str,
    password: &str,
    org_name: &str,
    kind: OrgKind,
    member_state: Option<String>,
) -> Result<i64, ApiError> {
    check_password(password, email, "")?;
    let pw = password.to_string();
    let hash = tokio::task::spawn_blocking(move || hash_password(&pw))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
    // The first start acts as the instance's operator.
    let op = Operator::system();
    let org = admin::provision_org(
        app,
        &op,
        &NewOrg {
            name: org_name.to_string(),
            kind,
            member_state,
            size: None,
        },
    )
    .await?;
    let account = admin::create_account(app, &op, email, email, &hash).await?;
    admin::grant_membership(app, &op, account.id, org.id, Role::Admin).await?;
    Ok(account.id)
}
