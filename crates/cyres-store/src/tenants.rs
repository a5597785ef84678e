//! Tenants and access: organisations, accounts, memberships, browser sessions, the one-time
//! setup token and API tokens. Secrets (session ids, tokens) arrive here already hashed; the
//! store never sees or keeps a usable secret.

use crate::audit::{Event, record};
use crate::identity::{normalize_email, org_name_key, slug_base};
use crate::{
    Account, Actor, ApiToken, Member, Membership, NewApiToken, NewOrg, Org, OrgKind, PersonSession,
    Provisioning, Role, Store, StoreError, WebSession,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

pub(crate) fn org_from(r: &AnyRow) -> Result<Org, StoreError> {
    let kind: String = r.try_get("kind")?;
    Ok(Org {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        kind: OrgKind::parse(&kind).ok_or(StoreError::Corrupt {
            what: "organisation kind",
            message: kind.clone(),
        })?,
        member_state: r.try_get("member_state")?,
        size: r.try_get("size")?,
        created_at: r.try_get("created_at")?,
        provisioned_by: {
            let p: String = r.try_get("provisioned_by")?;
            Provisioning::parse(&p).ok_or(StoreError::Corrupt {
                what: "organisation provisioning",
                message: p,
            })?
        },
        slug: r.try_get::<Option<String>, _>("slug")?.unwrap_or_default(),
    })
}

fn account_from(r: &AnyRow) -> Result<Account, StoreError> {
    Ok(Account {
        id: r.try_get("id")?,
        email: r.try_get("email")?,
        display_name: r.try_get("display_name")?,
        password_hash: r.try_get("password_hash")?,
        created_at: r.try_get("created_at")?,
    })
}

pub(crate) fn role_from(s: &str) -> Result<Role, StoreError> {
    Role::parse(s).ok_or(StoreError::Corrupt {
        what: "role",
        message: s.to_string(),
    })
}

fn token_from(r: &AnyRow) -> Result<ApiToken, StoreError> {
    Ok(ApiToken {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        role: role_from(&r.try_get::<String, _>("role")?)?,
        name: r.try_get("name")?,
        created_at: r.try_get("created_at")?,
        last_used_at: r.try_get("last_used_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

pub(crate) const ORG_COLS: &str =
    "id, name, kind, member_state, size, created_at, provisioned_by, slug";

/// A free slug for `name`: its [`slug_base`], else that with `-2`, `-3`, … (read in the
/// caller's transaction; the unique index settles a race).
async fn free_slug(conn: &mut AnyConnection, name: &str) -> Result<String, StoreError> {
    let base = slug_base(name);
    let mut n = 1;
    loop {
        let candidate = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        let taken = sqlx::query("SELECT 1 AS one FROM organisation WHERE slug = $1")
            .bind(&candidate)
            .fetch_optional(&mut *conn)
            .await?
            .is_some();
        if !taken {
            return Ok(candidate);
        }
        n += 1;
    }
}

/// The organisation (other than `except`) holding a name key, if any.
async fn org_with_key(
    conn: &mut AnyConnection,
    key: &str,
    except: i64,
) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query("SELECT name FROM organisation WHERE name_key = $1 AND id <> $2")
            .bind(key)
            .bind(except)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.try_get("name"))
            .transpose()?,
    )
}

/// Whether a database error is a unique violation on the slug index (a concurrent creation
/// took the slug between the check and the insert: worth one more try).
fn slug_race(e: &StoreError) -> bool {
    matches!(e, StoreError::Database(sqlx::Error::Database(db))
        if db.is_unique_violation() && db.message().contains("slug"))
}

impl Store {
    /// Creates an organisation on an account's request (self-service). Authority kinds (CSIRT,
    /// ENISA) are refused here whoever asks: they exist only through
    /// [`Store::provision_org`], which no request handler calls (see ARCHITECTURE.md, "Who may
    /// do what").
    pub async fn create_org(
        &self,
        new: &NewOrg,
        actor: &Actor,
        now: i64,
    ) -> Result<Org, StoreError> {
        self_service_kind(new)?;
        self.insert_org(new, Provisioning::SelfService, None, actor, now)
            .await
    }

    /// Like [`Store::create_org`], with account `admin` as the new organisation's first
    /// administrator, in the same transaction: an organisation is never left without the
    /// person who created it.
    pub async fn create_org_with_admin(
        &self,
        new: &NewOrg,
        admin: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<Org, StoreError> {
        self_service_kind(new)?;
        self.insert_org(new, Provisioning::SelfService, Some(admin), actor, now)
            .await
    }

    /// Inserts an organisation with its provenance; the one place organisations are made.
    pub(crate) async fn insert_org(
        &self,
        new: &NewOrg,
        provisioned_by: Provisioning,
        first_admin: Option<i64>,
        actor: &Actor,
        now: i64,
    ) -> Result<Org, StoreError> {
        let name = new.name.trim();
        if name.is_empty() || name.len() > 200 {
            return Err(StoreError::invalid("name", "must be 1 to 200 characters"));
        }
        if new.kind == OrgKind::Csirt && new.member_state.is_none() {
            return Err(StoreError::invalid(
                "member_state",
                "a CSIRT organisation needs its member state",
            ));
        }
        // Names are unique after normalisation (issue 13 point 5): `ACME GmbH`, `Acme  GmbH`
        // and `Ａｃｍｅ GmbH` are one name, so look-alikes cannot be registered beside it.
        let key = org_name_key(name);
        let taken = || {
            StoreError::conflict(
                "name",
                format!(
                    "an organisation named {name:?} already exists (names are compared ignoring case, width and spacing)"
                ),
            )
        };
        let mut attempt = 0;
        let (mut tx, row) = loop {
            let mut tx = self.begin().await?;
            if org_with_key(&mut tx, &key, 0).await?.is_some() {
                return Err(taken());
            }
            let slug = free_slug(&mut tx, name).await?;
            let inserted = sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO organisation (name, kind, member_state, size, created_at, name_key, slug, provisioned_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {ORG_COLS}"
            )))
            .bind(name)
            .bind(new.kind.as_str())
            .bind(new.member_state.as_deref())
            .bind(new.size.as_deref())
            .bind(now)
            .bind(&key)
            .bind(&slug)
            .bind(provisioned_by.as_str())
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::from);
            match inserted {
                Ok(row) => break (tx, row),
                Err(e) if slug_race(&e) && attempt < 3 => attempt += 1,
                Err(e) => return Err(e.conflict_on_unique(taken().to_string())),
            }
        };
        let org = org_from(&row)?;
        let details = serde_json::json!({"name": org.name, "kind": org.kind,
            "provisioned_by": org.provisioned_by});
        record(
            &mut tx,
            Event {
                org_id: Some(org.id),
                actor,
                action: "organisation.create",
                target_kind: "organisation",
                target_id: &org.id.to_string(),
                details,
                at: now,
            },
        )
        .await?;
        if let Some(account_id) = first_admin {
            insert_membership(&mut tx, (account_id, org.id, Role::Admin), actor, now).await?;
        }
        tx.commit().await?;
        Ok(org)
    }

    /// One organisation.
    pub async fn org(&self, id: i64) -> Result<Org, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ORG_COLS} FROM organisation WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("organisation", id))?;
        org_from(&row)
    }

    /// The organisation with this slug.
    pub async fn org_by_slug(&self, slug: &str) -> Result<Org, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ORG_COLS} FROM organisation WHERE slug = $1"
        )))
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("organisation", slug))?;
        org_from(&row)
    }

    /// Brings rows written before migration 0012 to today's identity rules; idempotent, run
    /// by the server at every start. Stored e-mails are re-normalised ([`normalize_email`]);
    /// two accounts that become one address stop the start with an error naming both ids (an
    /// operator decides which to keep). Organisations get their name key and slug; one whose
    /// name collides with an earlier organisation's after normalisation is renamed with a
    /// `" (2)"`, `" (3)"`, … suffix (the earliest keeps its name), audited as
    /// `organisation.rename`. Returns a line per change, for the log.
    pub async fn normalise_identities(&self, now: i64) -> Result<Vec<String>, StoreError> {
        let mut changes = Vec::new();
        let mut tx = self.begin().await?;
        let accounts = sqlx::query("SELECT id, email FROM account ORDER BY id")
            .fetch_all(&mut *tx)
            .await?;
        for r in &accounts {
            let (id, email): (i64, String) = (r.try_get("id")?, r.try_get("email")?);
            let normal = normalize_email(&email);
            if normal == email {
                continue;
            }
            let other = sqlx::query("SELECT id FROM account WHERE email = $1")
                .bind(&normal)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(other) = other {
                let other: i64 = other.try_get("id")?;
                return Err(StoreError::conflict_general(format!(
                    "accounts {other} and {id} have the same e-mail address once normalised; \
                     change one of them before starting"
                )));
            }
            sqlx::query("UPDATE account SET email = $1 WHERE id = $2")
                .bind(&normal)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            changes.push(format!("account {id}: e-mail normalised"));
        }
        let orgs = sqlx::query(
            "SELECT id, name, name_key, slug FROM organisation \
             WHERE name_key IS NULL OR slug IS NULL ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?;
        let system = Actor::system();
        for r in &orgs {
            let id: i64 = r.try_get("id")?;
            let name: String = r.try_get("name")?;
            let mut new_name = name.clone();
            let mut n = 1;
            while let Some(holder) = org_with_key(&mut tx, &org_name_key(&new_name), id).await? {
                n += 1;
                new_name = format!("{name} ({n})");
                if n == 2 {
                    changes.push(format!(
                        "organisation {id} {name:?} collides with {holder:?} once normalised"
                    ));
                }
            }
            let slug = match r.try_get::<Option<String>, _>("slug")? {
                Some(s) => s,
                None => free_slug(&mut tx, &new_name).await?,
            };
            sqlx::query(
                "UPDATE organisation SET name = $1, name_key = $2, slug = $3 WHERE id = $4",
            )
            .bind(&new_name)
            .bind(org_name_key(&new_name))
            .bind(&slug)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if new_name != name {
                record(
&mut tx,
Event {
org_id: Some(id),
actor: &system,
action: "organisation.rename",
target_kind: "organisation",
target_id: &id.to_string(),
details: serde_json::json!({"from": name, "to": new_name,
                        "reason": "another organisation has the same name once case, width and spacing are ignored"}),
at: now,
},
)
                .await?;
                changes.push(format!("organisation {id} renamed to {new_name:?}"));
            }
        }
        tx.commit().await?;
        Ok(changes)
    }

    /// Every organisation (platform view; used by the authority side and the demo).
    pub async fn orgs(&self) -> Result<Vec<Org>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ORG_COLS} FROM organisation ORDER BY id"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(org_from).collect()
    }

    /// Number of accounts (zero means the first start).
    pub async fn account_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM account")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }

    /// Creates an account. `password_hash` is an argon2id PHC string made by the caller.
    pub async fn create_account(
        &self,
        email: &str,
        display_name: &str,
        password_hash: &str,
        actor: &Actor,
        now: i64,
    ) -> Result<Account, StoreError> {
        crate::text::bounded("display_name", display_name.trim(), crate::text::NAME)?;
        let email = normalize_email(email);
        if !email.contains('@') || email.len() > 254 {
            return Err(StoreError::invalid(
                "email",
                format!("{email:?} is not an e-mail address"),
            ));
        }
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "INSERT INTO account (email, display_name, password_hash, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id, email, display_name, password_hash, created_at",
        )
        .bind(&email)
        .bind(display_name.trim())
        .bind(password_hash)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::from(e).conflict_on_unique(format!("an account for {email} already exists"))
        })?;
        let account = account_from(&row)?;
        record(
            &mut tx,
            Event {
                org_id: None,
                actor,
                action: "account.create",
                target_kind: "account",
                target_id: &account.id.to_string(),
                details: serde_json::json!({"email": account.email}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(account)
    }

    /// Looks an account up by e-mail, in its normalised form ([`normalize_email`]).
    pub async fn account_by_email(&self, email: &str) -> Result<Option<Account>, StoreError> {
        let row = sqlx::query(
            "SELECT id, email, display_name, password_hash, created_at FROM account WHERE email = $1",
        )
        .bind(normalize_email(email))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(account_from).transpose()
    }

    /// One account.
    pub async fn account(&self, id: i64) -> Result<Account, StoreError> {
        let row = sqlx::query(
            "SELECT id, email, display_name, password_hash, created_at FROM account WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("account", id))?;
        account_from(&row)
    }

    /// Gives an account a role in an organisation (replacing any earlier role).
    pub async fn set_membership(
        &self,
        account_id: i64,
        org_id: i64,
        role: Role,
        actor: &Actor,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let was_admin = role_in(&mut tx, account_id, org_id).await? == Some(Role::Admin);
        sqlx::query("DELETE FROM membership WHERE account_id = $1 AND org_id = $2")
            .bind(account_id)
            .bind(org_id)
            .execute(&mut *tx)
            .await?;
        insert_membership(&mut tx, (account_id, org_id, role), actor, now).await?;
        if was_admin && role != Role::Admin {
            keeps_an_admin(&mut tx, org_id).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Removes an account from an organisation.
    pub async fn remove_membership(
        &self,
        account_id: i64,
        org_id: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let was_admin = role_in(&mut tx, account_id, org_id).await? == Some(Role::Admin);
        let n = sqlx::query("DELETE FROM membership WHERE account_id = $1 AND org_id = $2")
            .bind(account_id)
            .bind(org_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::not_found("member", account_id));
        }
        if was_admin {
            keeps_an_admin(&mut tx, org_id).await?;
        }
        sqlx::query("DELETE FROM web_session WHERE account_id = $1 AND org_id = $2")
            .bind(account_id)
            .bind(org_id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "membership.remove",
                target_kind: "account",
                target_id: &account_id.to_string(),
                details: serde_json::json!({}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The organisations an account belongs to, with its role in each.
    pub async fn memberships(&self, account_id: i64) -> Result<Vec<Membership>, StoreError> {
        let rows = sqlx::query(
            "SELECT o.id, o.name, o.kind, o.member_state, o.size, o.created_at, o.provisioned_by, o.slug, m.role \
             FROM membership m JOIN organisation o ON o.id = m.org_id \
             WHERE m.account_id = $1 ORDER BY o.name",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Membership {
                    org: org_from(r)?,
                    role: role_from(&r.try_get::<String, _>("role")?)?,
                })
            })
            .collect()
    }

    /// The members of an organisation.
    pub async fn members(&self, org_id: i64) -> Result<Vec<Member>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.id, a.email, a.display_name, a.password_hash, a.created_at, m.role \
             FROM membership m JOIN account a ON a.id = m.account_id \
             WHERE m.org_id = $1 ORDER BY a.email",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Member {
                    account: account_from(r)?,
                    role: role_from(&r.try_get::<String, _>("role")?)?,
                })
            })
            .collect()
    }

    /// Stores a new browser session under the hash of its cookie value.
    pub async fn create_session(
        &self,
        token_hash: &str,
        session: &WebSession,
        now: i64,
    ) -> Result<(), StoreError> {
        self.insert_session(
            token_hash,
            session.account_id,
            Some(session.org_id),
            &session.csrf_token,
            session.expires_at,
            now,
        )
        .await
    }

    /// Stores a new browser session that acts for no organisation yet (the account has none;
    /// it can answer its invitations and nothing else).
    pub async fn create_session_without_org(
        &self,
        token_hash: &str,
        account_id: i64,
        csrf_token: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        self.insert_session(token_hash, account_id, None, csrf_token, expires_at, now)
            .await
    }

    async fn insert_session(
        &self,
        token_hash: &str,
        account_id: i64,
        org_id: Option<i64>,
        csrf_token: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO web_session (token_hash, account_id, org_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash)
        .bind(account_id)
        .bind(org_id)
        .bind(csrf_token)
        .bind(now)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The live session for a cookie hash as far as the person goes: whether or not it acts
    /// for an organisation (the organisation is dropped when the membership is gone).
    pub async fn person_session(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<PersonSession>, StoreError> {
        let row = sqlx::query(
            "SELECT s.account_id, m.org_id, s.csrf_token FROM web_session s \
             LEFT JOIN membership m ON m.account_id = s.account_id AND m.org_id = s.org_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(PersonSession {
                account_id: r.try_get("account_id")?,
                org_id: r.try_get("org_id")?,
                csrf_token: r.try_get("csrf_token")?,
            })
        })
        .transpose()
    }

    /// The live session for a cookie hash (expired ones are treated as absent), checking that
    /// the account still belongs to the organisation.
    pub async fn session(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(WebSession, Role)>, StoreError> {
        let row = sqlx::query(
            "SELECT s.account_id, s.org_id, s.csrf_token, s.expires_at, m.role \
             FROM web_session s JOIN membership m \
               ON m.account_id = s.account_id AND m.org_id = s.org_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok((
                WebSession {
                    account_id: r.try_get("account_id")?,
                    org_id: r.try_get("org_id")?,
                    csrf_token: r.try_get("csrf_token")?,
                    expires_at: r.try_get("expires_at")?,
                },
                role_from(&r.try_get::<String, _>("role")?)?,
            ))
        })
        .transpose()
    }

    /// Points a session at another organisation the account belongs to.
    pub async fn switch_session_org(
        &self,
        token_hash: &str,
        org_id: i64,
    ) -> Result<(), StoreError> {
        let n = sqlx::query(
            "UPDATE web_session SET org_id = $1 WHERE token_hash = $2 AND EXISTS \
             (SELECT 1 FROM membership m WHERE m.account_id = web_session.account_id AND m.org_id = $1)",
        )
        .bind(org_id)
        .bind(token_hash)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::not_found("organisation", org_id));
        }
        Ok(())
    }

    /// Ends a session (log out). Also drops expired sessions.
    pub async fn delete_session(&self, token_hash: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM web_session WHERE token_hash = $1 OR expires_at <= $2")
            .bind(token_hash)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stores the hash of the one-time setup token printed on first start.
    pub async fn create_setup_token(&self, token_hash: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO setup_token (token_hash, created_at) VALUES ($1, $2)")
            .bind(token_hash)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Consumes a setup token: true exactly once, and only while no account exists.
    pub async fn use_setup_token(&self, token_hash: &str, now: i64) -> Result<bool, StoreError> {
        let n = sqlx::query(
            "UPDATE setup_token SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL \
             AND NOT EXISTS (SELECT 1 FROM account)",
        )
        .bind(now)
        .bind(token_hash)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Stores a new API token (by hash) and returns its listing.
    pub async fn create_api_token(
        &self,
        org_id: i64,
        new: &NewApiToken<'_>,
        actor: &Actor,
        now: i64,
    ) -> Result<ApiToken, StoreError> {
        let NewApiToken {
            role,
            name,
            token_hash,
            created_by,
        } = *new;
        let name = name.trim();
        if name.is_empty() || name.len() > 100 {
            return Err(StoreError::invalid(
                "name",
                "token name must be 1 to 100 characters",
            ));
        }
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "INSERT INTO api_token (org_id, role, name, token_hash, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             RETURNING id, org_id, role, name, created_at, last_used_at, revoked_at",
        )
        .bind(org_id)
        .bind(role.as_str())
        .bind(name)
        .bind(token_hash)
        .bind(created_by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let token = token_from(&row)?;
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "token.create",
                target_kind: "api_token",
                target_id: &token.id.to_string(),
                details: serde_json::json!({"name": token.name, "role": role}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// Authenticates a token hash: the live (not revoked) token, after recording its use.
    pub async fn authenticate_token(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<ApiToken>, StoreError> {
        let row = sqlx::query(
            "SELECT id, org_id, role, name, created_at, last_used_at, revoked_at \
             FROM api_token WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let token = token_from(&row)?;
        // Coarse last-used time (one write per minute at most) keeps hot API paths cheap.
        if token.last_used_at.is_none_or(|t| now - t >= 60) {
            sqlx::query("UPDATE api_token SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(token.id)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(token))
    }

    /// The organisation's tokens, newest first.
    pub async fn api_tokens(&self, org_id: i64) -> Result<Vec<ApiToken>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, org_id, role, name, created_at, last_used_at, revoked_at \
             FROM api_token WHERE org_id = $1 ORDER BY id DESC",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(token_from).collect()
    }

    /// Revokes a token of this organisation; effective for the next request.
    pub async fn revoke_api_token(
        &self,
        org_id: i64,
        token_id: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let n = sqlx::query(
            "UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND org_id = $3 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(token_id)
        .bind(org_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::not_found("token", token_id));
        }
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "token.revoke",
                target_kind: "api_token",
                target_id: &token_id.to_string(),
                details: serde_json::json!({}),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Fails (and so rolls the caller's transaction back) when the organisation has no
/// administrator left: one must always be able to manage members, tokens and sources.
/// Refuses the kinds no account may declare for itself: CSIRT and ENISA organisations are
/// provisioned by the instance operator.
fn self_service_kind(new: &NewOrg) -> Result<(), StoreError> {
    if new.kind.is_authority() {
        return Err(StoreError::Forbidden(format!(
            "organisations of kind {} are provisioned by the instance operator (cyres admin org create), not created by accounts",
            new.kind.as_str()
        )));
    }
    Ok(())
}

/// Writes a membership and its audit event (`membership.set`) on the caller's transaction.
async fn insert_membership(
    conn: &mut AnyConnection,
    (account_id, org_id, role): (i64, i64, Role),
    actor: &Actor,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO membership (account_id, org_id, role) VALUES ($1, $2, $3)")
        .bind(account_id)
        .bind(org_id)
        .bind(role.as_str())
        .execute(&mut *conn)
        .await?;
    record(
        conn,
        Event {
            org_id: Some(org_id),
            actor,
            action: "membership.set",
            target_kind: "account",
            target_id: &account_id.to_string(),
            details: serde_json::json!({"role": role}),
            at: now,
        },
    )
    .await
}

async fn keeps_an_admin(conn: &mut AnyConnection, org_id: i64) -> Result<(), StoreError> {
    let admins: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM membership WHERE org_id = $1 AND role = 'admin'")
            .bind(org_id)
            .fetch_one(&mut *conn)
            .await?
            .try_get("n")?;
    if admins == 0 {
        return Err(StoreError::conflict_general(
            "this is the organisation's last administrator; make another member an \
             administrator first",
        ));
    }
    Ok(())
}

/// The account's role in the organisation, if it is a member.
async fn role_in(
    conn: &mut AnyConnection,
    account_id: i64,
    org_id: i64,
) -> Result<Option<Role>, StoreError> {
    let row = sqlx::query("SELECT role FROM membership WHERE account_id = $1 AND org_id = $2")
        .bind(account_id)
        .bind(org_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => Role::parse(&r.try_get::<String, _>("role")?),
        None => None,
    })
}
