//! The instance operator's side of tenancy: authority organisations (CSIRTs, ENISA) exist only
//! through these functions, which the `cyres admin org` command calls on the database directly
//! and the first start calls for the first organisation. No request handler calls them; a tidy
//! test in `cyres-server` keeps it that way.
//!
//! Why: an authority organisation reads every Article 14 report it coordinates (ENISA: all of
//! them), forwards them and asks manufacturers for intermediate reports. If an account could
//! declare itself one, the authority side would be void.

use crate::audit::{Event, record};
use crate::tenants::{ORG_COLS, org_from};
use crate::{Actor, NewOrg, Org, OrgKind, Provisioning, Store, StoreError};

impl Store {
    /// Creates an organisation of any kind as the instance operator.
    pub async fn provision_org(
        &self,
        new: &NewOrg,
        actor: &Actor,
        now: i64,
    ) -> Result<Org, StoreError> {
        self.insert_org(new, Provisioning::Operator, None, actor, now)
            .await
    }

    /// Authority organisations that were not provisioned by the operator (made by an account
    /// before provisioning was enforced). The server refuses to start while any exists.
    pub async fn unprovisioned_authorities(&self) -> Result<Vec<Org>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ORG_COLS} FROM organisation \
             WHERE kind IN ('csirt', 'enisa') AND provisioned_by <> 'operator' ORDER BY id"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(org_from).collect()
    }

    /// The operator reviewed an organisation and takes responsibility for it: it becomes
    /// operator-provisioned (audited).
    pub async fn confirm_provisioning(
        &self,
        org_id: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<Org, StoreError> {
        let org = self.org(org_id).await?;
        if org.kind == OrgKind::Csirt && org.member_state.is_none() {
            return Err(StoreError::invalid_general(format!(
                "organisation {org_id} is a CSIRT without a member state; set its kind or member state first"
            )));
        }
        self.set_org_provenance(org_id, None, None, Provisioning::Operator, actor, now)
            .await
    }

    /// The operator changes an organisation's kind (and member state): for example turns a
    /// self-declared "ENISA" back into a manufacturer. The result counts as operator-provisioned.
    pub async fn set_org_kind(
        &self,
        org_id: i64,
        kind: OrgKind,
        member_state: Option<&str>,
        actor: &Actor,
        now: i64,
    ) -> Result<Org, StoreError> {
        if kind == OrgKind::Csirt && member_state.is_none() {
            return Err(StoreError::invalid(
                "member_state",
                "a CSIRT organisation needs its member state",
            ));
        }
        self.set_org_provenance(
            org_id,
            Some(kind),
            member_state,
            Provisioning::Operator,
            actor,
            now,
        )
        .await
    }

    async fn set_org_provenance(
        &self,
        org_id: i64,
        kind: Option<OrgKind>,
        member_state: Option<&str>,
        provisioned_by: Provisioning,
        actor: &Actor,
        now: i64,
    ) -> Result<Org, StoreError> {
        let mut tx = self.begin().await?;
        let n = sqlx::query(
            "UPDATE organisation SET provisioned_by = $1, \
             kind = COALESCE($2, kind), member_state = COALESCE($3, member_state) WHERE id = $4",
        )
        .bind(provisioned_by.as_str())
        .bind(kind.map(OrgKind::as_str))
        .bind(member_state.map(str::to_ascii_uppercase))
        .bind(org_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::not_found("organisation", org_id));
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ORG_COLS} FROM organisation WHERE id = $1"
        )))
        .bind(org_id)
        .fetch_one(&mut *tx)
        .await?;
        let org = org_from(&row)?;
        record(
&mut tx,
Event {
org_id: Some(org_id),
actor,
action: "organisation.provision",
target_kind: "organisation",
target_id: &org_id.to_string(),
details: serde_json::json!({"kind": org.kind, "member_state": org.member_state, "provisioned_by": org.provisioned_by}),
at: now,
},
)
        .await?;
        tx.commit().await?;
        Ok(org)
    }
}
