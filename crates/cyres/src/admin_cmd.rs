//! `cyres admin`: the instance operator's commands. They work on the database directly (the
//! same `--data-dir` / `--database-url` as `cyres serve`), so only someone who holds the
//! database can run them; no HTTP request can do what they do.
//!
//! - `org create`: the only way, besides the first start, to make an authority organisation
//!   (a CSIRT with its member state, ENISA), and a way to make any other kind.
//! - `org list`: every organisation with its kind and who provisioned it.
//! - `org confirm ID` / `org set-kind ID KIND`: resolve an authority organisation that an
//!   account declared for itself before provisioning was enforced (the server refuses to start
//!   while one exists).
//! - `audit verify`: walk the tamper-evident audit trail (`crate::admin_audit`).
//! - `account reset-password EMAIL`: the operator's password reset, for accounts that act for
//!   several organisations (no single organisation's administrator may reset those).

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use cyres_store::{Actor, NewOrg, OrgKind, Role, Store};
use std::path::PathBuf;

/// Flags of `cyres admin`.
#[derive(Args, Debug)]
pub(crate) struct AdminArgs {
    /// Data directory of the instance (SQLite) when no --database-url is given.
    #[arg(
        long,
        default_value = "cyres-data",
        env = "CYRES_DATA_DIR",
        global = true
    )]
    data_dir: PathBuf,
    /// PostgreSQL URL of the instance.
    #[arg(long, env = "CYRES_DATABASE_URL", global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Subcommand, Debug)]
enum AdminCommand {
    /// Organisations: create (any kind, authorities included), list, confirm, set-kind.
    #[command(subcommand)]
    Org(OrgCommand),
    /// The audit trail: `verify` walks every hash chain and names the first broken link.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Accounts: `reset-password EMAIL` sets a new password (from CYRES_ACCOUNT_PASSWORD)
    /// and ends the account's sessions, for accounts no single organisation may reset.
    #[command(subcommand)]
    Account(AccountCommand),
}

#[derive(Subcommand, Debug)]
enum AccountCommand {
    /// Set the password of the account with this e-mail to CYRES_ACCOUNT_PASSWORD.
    ResetPassword {
        /// The account's e-mail.
        email: String,
    },
}

#[derive(Subcommand, Debug)]
enum AuditCommand {
    /// Verify the audit trail's hash chains (exit 0 intact, 1 broken).
    Verify {
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
enum OrgCommand {
    /// Provision an organisation as the operator.
    Create {
        /// Unique name.
        #[arg(long)]
        name: String,
        /// manufacturer, steward, operator (importer, distributor, authorised representative),
        /// subscriber, csirt or enisa.
        #[arg(long)]
        kind: String,
        /// ISO 3166 code of the member state (required for a CSIRT).
        #[arg(long)]
        member_state: Option<String>,
        /// Enterprise size (micro, small, medium, large).
        #[arg(long)]
        size: Option<String>,
        /// Make this person the organisation's administrator. An existing account is added;
        /// a new one is created with the password in CYRES_ORG_ADMIN_PASSWORD.
        #[arg(long)]
        admin_email: Option<String>,
        /// Output format: table or json.
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// List every organisation with its kind and provenance.
    List {
        /// Output format: table or json.
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// Keep an organisation as it is, as operator-provisioned (after reviewing it).
    Confirm {
        /// Organisation id.
        id: i64,
    },
    /// Change an organisation's kind (and member state); the result is operator-provisioned.
    SetKind {
        /// Organisation id.
        id: i64,
        /// The new kind.
        kind: String,
        /// Member state (required for a CSIRT).
        #[arg(long)]
        member_state: Option<String>,
    },
}

fn operator() -> Actor {
    let who = std::env::var("USER").unwrap_or_else(|_| "operator".into());
    Actor {
        id: "operator".into(),
        label: format!("cyres admin ({who})"),
    }
}

fn parse_kind(s: &str) -> Result<OrgKind> {
    OrgKind::parse(s.trim()).with_context(|| {
        format!("unknown organisation kind {s:?} (manufacturer, steward, operator, subscriber, csirt, enisa)")
    })
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Runs `cyres admin …`.
pub(crate) fn run(args: AdminArgs) -> Result<u8> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let store = match &args.database_url {
            Some(url) => Store::open(url).await,
            None => Store::open_sqlite_dir(&args.data_dir).await,
        }
        .context("opening the instance's database")?;
        let code = match args.command {
            AdminCommand::Org(cmd) => org(&store, cmd).await,
            AdminCommand::Audit(AuditCommand::Verify { json }) => {
                crate::admin_audit::run(&store, json).await
            }
            AdminCommand::Account(AccountCommand::ResetPassword { email }) => {
                reset_password(&store, &email).await
            }
        };
        store.close().await;
        code
    })
}

/// `cyres admin account reset-password EMAIL`: the password comes from the environment so
/// that it never appears in the process list or the shell history.
async fn reset_password(store: &Store, email: &str) -> Result<u8> {
    let email = cyres_store::normalize_email(email);
    let pw = std::env::var("CYRES_ACCOUNT_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
        .context("put the new password in CYRES_ACCOUNT_PASSWORD")?;
    cyres_server::check_password(&pw, &email, &email)
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let hash = cyres_server::hash_password(&pw).map_err(|e| anyhow::anyhow!("{}", e.message))?;
    store
        .set_account_password(&email, &hash, &operator(), now())
        .await
        .map_err(|e| match e {
            cyres_store::StoreError::NotFound { .. } => {
                anyhow::anyhow!("no account has the e-mail {email}")
            }
            other => other.into(),
        })?;
    println!("password of {email} set; its sessions have ended");
    Ok(0)
}

async fn org(store: &Store, cmd: OrgCommand) -> Result<u8> {
    let actor = operator();
    match cmd {
        OrgCommand::Create {
            name,
            kind,
            member_state,
            size,
            admin_email,
            format,
        } => {
            let kind = parse_kind(&kind)?;
            let member_state = member_state.map(|m| m.trim().to_ascii_uppercase());
            if let Some(ms) = &member_state
                && cyres_cra::MemberState::from_code(ms).is_none()
            {
                bail!("--member-state: {ms:?} is not an EU member state code");
            }
            let new = NewOrg {
                name,
                kind,
                member_state,
                size,
            };
            let org = store.provision_org(&new, &actor, now()).await?;
            let mut admin = None;
            if let Some(email) = admin_email {
                let account = match store.account_by_email(&email).await? {
                    Some(a) => a,
                    None => {
                        let pw = std::env::var("CYRES_ORG_ADMIN_PASSWORD")
                            .ok()
                            .filter(|p| !p.is_empty())
                            .with_context(|| {
                                format!("{email} has no account yet: put its password in CYRES_ORG_ADMIN_PASSWORD")
                            })?;
                        cyres_server::check_password(&pw, &email, &email)
                            .map_err(|e| anyhow::anyhow!("{}", e.message))?;
                        let hash = cyres_server::hash_password(&pw)
                            .map_err(|e| anyhow::anyhow!("{}", e.message))?;
                        store
                            .create_account(&email, &email, &hash, &actor, now())
                            .await?
                    }
                };
                store
                    .set_membership(account.id, org.id, Role::Admin, &actor, now())
                    .await?;
                admin = Some(account.email);
            }
            if format == "json" {
                println!(
                    "{}",
                    serde_json::json!({"organisation": org, "admin": admin})
                );
            } else {
                println!(
                    "created organisation {} {:?} (kind {}{}), provisioned by the operator",
                    org.id,
                    org.name,
                    org.kind.as_str(),
                    org.member_state
                        .as_deref()
                        .map(|m| format!(", member state {m}"))
                        .unwrap_or_default()
                );
                if let Some(a) = admin {
                    println!("administrator: {a}");
                }
            }
            Ok(0)
        }
        OrgCommand::List { format } => {
            let orgs = store.orgs().await?;
            if format == "json" {
                println!("{}", serde_json::to_string_pretty(&orgs)?);
                return Ok(0);
            }
            println!(
                "{:<6} {:<13} {:<4} {:<13} NAME",
                "ID", "KIND", "MS", "PROVISIONED"
            );
            for o in &orgs {
                let flag = if o.kind.is_authority() && !o.is_authority() {
                    "  <- authority not provisioned by the operator: confirm or set-kind"
                } else {
                    ""
                };
                println!(
                    "{:<6} {:<13} {:<4} {:<13} {}{flag}",
                    o.id,
                    o.kind.as_str(),
                    o.member_state.as_deref().unwrap_or("-"),
                    o.provisioned_by.as_str(),
                    o.name
                );
            }
            Ok(0)
        }
        OrgCommand::Confirm { id } => {
            let org = store.confirm_provisioning(id, &actor, now()).await?;
            println!(
                "organisation {} {:?} (kind {}) is now operator-provisioned",
                org.id,
                org.name,
                org.kind.as_str()
            );
            Ok(0)
        }
        OrgCommand::SetKind {
            id,
            kind,
            member_state,
        } => {
            let kind = parse_kind(&kind)?;
            let org = store
                .set_org_kind(id, kind, member_state.as_deref(), &actor, now())
                .await?;
            println!(
                "organisation {} {:?} is now of kind {}",
                org.id,
                org.name,
                org.kind.as_str()
            );
            Ok(0)
        }
    }
}
