//! The compliance file beyond the record (migration 0024): reports to the maintainers of
//! integrated components (CRA Art. 13(6)) and what stewards receive of them (Art. 24), the
//! economic operators of a product per member state (Arts 18-20) with the importers' and
//! distributors' checks and the Art. 23 supply records, the publication of an issued
//! declaration at its public address (Annex VI), and the requests of market surveillance
//! authorities with what was handed over (Art. 13(13), Art. 31(3)).
//!
//! Every read and write is scoped by organisation (a received report by its recipient), each
//! write carries its audit event in the same transaction, and records are append-only except
//! for the two facts that arrive later by nature: a report's fix and when its maintainer was
//! informed (set once), and a request's hand-over (set once). A supply record is deleted only
//! after its Art. 23(2) date.

use crate::audit::{Event, record};
use crate::maintainer_notices::{Cases, copy_notices};
use crate::text::{LONG_TEXT, NAME, REFERENCE, TITLE, bounded, bounded_json};
use crate::{Actor, Store, StoreError};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::Date;

/// A report to a component's maintainer as stored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UpstreamReport {
    /// Id.
    pub id: i64,
    /// The manufacturer that wrote it.
    pub org_id: i64,
    /// Product.
    pub product_id: i64,
    /// The finding it is about.
    pub finding_id: i64,
    /// Component name.
    pub component: String,
    /// Component purl, if any.
    pub purl: Option<String>,
    /// Advisory id.
    pub advisory_id: String,
    /// Affected component versions.
    pub affected_versions: Vec<String>,
    /// Contacts found (JSON list of `cyres_conformity::upstream::Contact`).
    pub contacts: serde_json::Value,
    /// A steward or manufacturer on this platform that receives it.
    pub recipient_org_id: Option<i64>,
    /// The drafted message (`{subject, body}`).
    pub body: serde_json::Value,
    /// The manufacturer's fix, once it has one.
    pub fix: Option<serde_json::Value>,
    /// The OSV record.
    pub osv: serde_json::Value,
    /// When the maintainer was informed (Unix seconds).
    pub informed_at: Option<i64>,
    /// How (`e-mail to …`, `platform`, …).
    pub informed_via: Option<String>,
    /// Who drafted it.
    pub author: String,
    /// Created (Unix seconds).
    pub created_at: i64,
    /// Last change (Unix seconds).
    pub updated_at: i64,
}

/// A report to create.
#[derive(Clone, Debug)]
pub struct NewUpstreamReport {
    /// Product.
    pub product_id: i64,
    /// Finding.
    pub finding_id: i64,
    /// Component name.
    pub component: String,
    /// Purl.
    pub purl: Option<String>,
    /// Advisory.
    pub advisory_id: String,
    /// Affected versions.
    pub affected_versions: Vec<String>,
    /// Contacts.
    pub contacts: serde_json::Value,
    /// Recipient organisation on the platform.
    pub recipient_org_id: Option<i64>,
}

/// That the maintainer of a reported component was informed (Art. 13(6)).
#[derive(Clone, Copy, Debug)]
pub struct Informed<'a> {
    /// Who was informed.
    pub maintainer: &'a str,
    /// How.
    pub via: &'a str,
    /// When (Unix seconds).
    pub at: i64,
}

const REPORT_COLS: &str = "id, org_id, product_id, finding_id, component, purl, advisory_id, \
     affected_versions, contacts, recipient_org_id, body, fix, osv, informed_at, informed_via, \
     author, created_at, updated_at";

fn report_of(r: &AnyRow) -> Result<UpstreamReport, StoreError> {
    Ok(UpstreamReport {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        product_id: r.try_get("product_id")?,
        finding_id: r.try_get("finding_id")?,
        component: r.try_get("component")?,
        purl: r.try_get("purl")?,
        advisory_id: r.try_get("advisory_id")?,
        affected_versions: crate::text::json_column(r, "affected_versions")?,
        contacts: crate::text::json_value::<serde_json::Value>(
            &r.try_get::<String, _>("contacts")?,
            "upstream_report.contacts",
        )?,
        recipient_org_id: r.try_get("recipient_org_id")?,
        body: crate::text::json_value::<serde_json::Value>(
            &r.try_get::<String, _>("body")?,
            "upstream_report.body",
        )?,
        fix: r
            .try_get::<Option<String>, _>("fix")?
            .map(|s| crate::text::json_value::<serde_json::Value>(&s, "upstream_report.fix"))
            .transpose()?,
        osv: crate::text::json_value::<serde_json::Value>(
            &r.try_get::<String, _>("osv")?,
            "upstream_report.osv",
        )?,
        informed_at: r.try_get("informed_at")?,
        informed_via: r.try_get("informed_via")?,
        author: r.try_get("author")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// An economic operator of a product (Arts 18-20).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EconomicOperator {
    /// Id.
    pub id: i64,
    /// Product.
    pub product_id: i64,
    /// `authorised-representative`, `importer` or `distributor` (checked by the caller).
    pub role: String,
    /// Name.
    pub name: String,
    /// Postal address.
    pub address: String,
    /// Contact (e-mail or URL).
    pub contact: String,
    /// Member state (ISO 3166-1 alpha-2) where it acts.
    pub member_state: String,
    /// The platform organisation acting in this role, if it has one (its members run the
    /// checks and record the supplies themselves).
    pub operator_org_id: Option<i64>,
    /// Created (Unix seconds).
    pub created_at: i64,
}

/// A listing as the operator organisation sees it: the operator row, the manufacturer and
/// the product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OperatorLink {
    /// The listing.
    pub operator: EconomicOperator,
    /// The manufacturer's organisation id.
    pub manufacturer_org_id: i64,
    /// The manufacturer's name.
    pub manufacturer: String,
    /// The product's name.
    pub product: String,
}

/// An operator to add.
#[derive(Clone, Copy, Debug)]
pub struct NewOperator<'a> {
    /// Role word.
    pub role: &'a str,
    /// Name.
    pub name: &'a str,
    /// Postal address.
    pub address: &'a str,
    /// Contact.
    pub contact: &'a str,
    /// Member state.
    pub member_state: &'a str,
    /// The platform organisation acting in this role (checked by the caller).
    pub operator_org_id: Option<i64>,
}

fn operator_of(r: &AnyRow) -> Result<EconomicOperator, StoreError> {
    Ok(EconomicOperator {
        id: r.try_get("id")?,
        product_id: r.try_get("product_id")?,
        role: r.try_get("role")?,
        name: r.try_get("name")?,
        address: r.try_get("address")?,
        contact: r.try_get("contact")?,
        member_state: r.try_get("member_state")?,
        operator_org_id: r.try_get("operator_org_id")?,
        created_at: r.try_get("created_at")?,
    })
}

/// A recorded check of an importer or distributor.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OperatorCheck {
    /// Id.
    pub id: i64,
    /// Operator.
    pub operator_id: i64,
    /// Every item met.
    pub passed: bool,
    /// The items (`cyres_conformity::operators::CheckResult` as JSON).
    pub result: serde_json::Value,
    /// Who checked.
    pub author: String,
    /// When (Unix seconds).
    pub checked_at: i64,
}

/// An Art. 23 supply record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SupplyRecord {
    /// Id.
    pub id: i64,
    /// The operator the record belongs to.
    pub operator_id: i64,
    /// `supplied-by` (the party supplied the operator) or `supplied-to`.
    pub direction: String,
    /// The other economic operator.
    pub party: String,
    /// Its address.
    pub party_address: String,
    /// Day of supply, ISO date.
    pub supplied_on: String,
    /// Units, if known.
    pub quantity: Option<i64>,
    /// Kept until (Art. 23(2)), ISO date.
    pub keep_until: String,
    /// Who recorded it.
    pub author: String,
    /// When (Unix seconds).
    pub created_at: i64,
}

/// A supply record to add.
#[derive(Clone, Copy, Debug)]
pub struct NewSupply<'a> {
    /// `supplied-by` or `supplied-to`.
    pub direction: &'a str,
    /// The other party.
    pub party: &'a str,
    /// Its address.
    pub party_address: &'a str,
    /// ISO date.
    pub supplied_on: &'a str,
    /// Units.
    pub quantity: Option<i64>,
    /// ISO date, computed by the caller (`cyres_conformity::operators::supply_kept_until`).
    pub keep_until: &'a str,
}

/// A market surveillance authority's request.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuthorityRequest {
    /// Id.
    pub id: i64,
    /// Product.
    pub product_id: i64,
    /// The authority.
    pub authority: String,
    /// Its member state.
    pub member_state: String,
    /// Its reference.
    pub reference: String,
    /// The reasons it gives.
    pub reason: String,
    /// When it was received (Unix seconds).
    pub received_at: i64,
    /// What was handed over (JSON list), once it was.
    pub handed_over: Option<serde_json::Value>,
    /// When (Unix seconds).
    pub handed_over_at: Option<i64>,
    /// Who recorded it.
    pub author: String,
    /// Recorded (Unix seconds).
    pub created_at: i64,
}

/// A request to record.
#[derive(Clone, Copy, Debug)]
pub struct NewAuthorityRequest<'a> {
    /// The authority.
    pub authority: &'a str,
    /// Member state.
    pub member_state: &'a str,
    /// Reference.
    pub reference: &'a str,
    /// Reasons.
    pub reason: &'a str,
    /// Received (Unix seconds).
    pub received_at: i64,
}

fn request_of(r: &AnyRow) -> Result<AuthorityRequest, StoreError> {
    Ok(AuthorityRequest {
        id: r.try_get("id")?,
        product_id: r.try_get("product_id")?,
        authority: r.try_get("authority")?,
        member_state: r.try_get("member_state")?,
        reference: r.try_get("reference")?,
        reason: r.try_get("reason")?,
        received_at: r.try_get("received_at")?,
        handed_over: r
            .try_get::<Option<String>, _>("handed_over")?
            .map(|s| {
                crate::text::json_value::<serde_json::Value>(&s, "authority_request.handed_over")
            })
            .transpose()?,
        handed_over_at: r.try_get("handed_over_at")?,
        author: r.try_get("author")?,
        created_at: r.try_get("created_at")?,
    })
}

fn non_empty(field: &str, value: &str, max: usize) -> Result<(), StoreError> {
    if value.trim().is_empty() {
        return Err(StoreError::invalid(field, "must not be empty".to_string()));
    }
    bounded(field, value, max)
}

/// One audited insert or update: runs `query` and the audit event in one transaction and
/// answers the inserted id when the query returns one.
macro_rules! audited {
    ($self:expr, $query:expr, $org:expr, $actor:expr, $action:expr, $kind:expr, $target:expr, $details:expr, $now:expr) => {{
        let mut tx = $self.begin().await?;
        let row = $query.fetch_optional(&mut *tx).await?;
        record(
            &mut tx,
            Event {
                org_id: Some($org),
                actor: $actor,
                action: $action,
                target_kind: $kind,
                target_id: &$target.to_string(),
                details: $details,
                at: $now,
            },
        )
        .await?;
        tx.commit().await?;
        row
    }};
}

/// The drafted parts of an upstream report (Art. 13(6)).
#[derive(Clone, Copy, Debug)]
pub struct UpstreamDraft<'a> {
    /// The message to the maintainer.
    pub body: &'a serde_json::Value,
    /// The OSV record.
    pub osv: &'a serde_json::Value,
    /// The fix, once known.
    pub fix: Option<&'a serde_json::Value>,
}

impl Store {
    /// Where a finding's component came from: its SBOM id and the supplier stored for it.
    pub async fn finding_component_source(
        &self,
        org_id: i64,
        finding_id: i64,
    ) -> Result<(i64, Option<String>), StoreError> {
        let r = sqlx::query(
            "SELECT f.sbom_id AS sbom_id, c.supplier AS supplier FROM finding f \
             LEFT JOIN component c ON c.sbom_id = f.sbom_id AND c.ord = f.component_ord \
             WHERE f.id = $1 AND f.org_id = $2",
        )
        .bind(finding_id)
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("finding", finding_id))?;
        Ok((r.try_get("sbom_id")?, r.try_get("supplier")?))
    }

    /// The versions of component `name` that advisory `advisory_id` was found in across the
    /// organisation's products, in text order.
    pub async fn affected_component_versions(
        &self,
        org_id: i64,
        advisory_id: &str,
        name: &str,
    ) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT component_version FROM finding WHERE org_id = $1 \
             AND advisory_id = $2 AND component_name = $3 AND component_version IS NOT NULL \
             ORDER BY component_version",
        )
        .bind(org_id)
        .bind(advisory_id)
        .bind(name)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(r.try_get("component_version")?))
            .collect()
    }

    /// Stores a drafted report (`body` and `osv` from `cyres_conformity::upstream::draft`,
    /// redrafted by the caller with the id) and answers it.
    pub async fn add_upstream_report(
        &self,
        org_id: i64,
        new: &NewUpstreamReport,
        actor: &Actor,
        now: i64,
    ) -> Result<UpstreamReport, StoreError> {
        self.finding(org_id, new.finding_id).await?;
        bounded("component", &new.component, NAME)?;
        bounded_json("contacts", &new.contacts)?;
        let row = audited!(
            self,
            sqlx::query(
                "INSERT INTO upstream_report (org_id, product_id, finding_id, component, purl, \
                 advisory_id, affected_versions, contacts, recipient_org_id, body, osv, author, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '{}', '{}', \
                 $10, $11, $11) RETURNING id",
            )
            .bind(org_id)
            .bind(new.product_id)
            .bind(new.finding_id)
            .bind(&new.component)
            .bind(&new.purl)
            .bind(&new.advisory_id)
            .bind(serde_json::json!(new.affected_versions).to_string())
            .bind(new.contacts.to_string())
            .bind(new.recipient_org_id)
            .bind(actor.display())
            .bind(now),
            org_id,
            actor,
            "upstream.report.draft",
            "finding",
            new.finding_id,
            serde_json::json!({ "advisory": new.advisory_id, "component": new.component }),
            now
        );
        let id: i64 = row
            .ok_or_else(|| StoreError::conflict_general("report not stored"))?
            .try_get("id")?;
        self.upstream_report(org_id, id).await
    }

    /// Sets the drafted message, the OSV record and the fix (the draft changes when the fix
    /// arrives, Art. 13(6) second sentence).
    pub async fn set_upstream_draft(
        &self,
        org_id: i64,
        id: i64,
        draft: &UpstreamDraft<'_>,
        actor: &Actor,
        now: i64,
    ) -> Result<UpstreamReport, StoreError> {
        let UpstreamDraft { body, osv, fix } = *draft;
        let before = self.upstream_report(org_id, id).await?;
        bounded_json("report", body)?;
        bounded_json("osv", osv)?;
        if let Some(f) = fix {
            bounded_json("fix", f)?;
        }
        let action = if fix.is_some() && before.fix.as_ref() != fix {
            "upstream.report.fix"
        } else {
            "upstream.report.redraft"
        };
        audited!(
            self,
            sqlx::query(
                "UPDATE upstream_report SET body = $1, osv = $2, fix = $3, updated_at = $4 \
                 WHERE id = $5 AND org_id = $6",
            )
            .bind(body.to_string())
            .bind(osv.to_string())
            .bind(fix.map(|f| f.to_string()))
            .bind(now)
            .bind(id)
            .bind(org_id),
            org_id,
            actor,
            action,
            "finding",
            before.finding_id,
            serde_json::json!({ "report": id }),
            now
        );
        self.upstream_report(org_id, id).await
    }

    /// Records that the maintainer was informed, at `at` and how; once (Art. 13(6)). Every
    /// Art. 14 case of the organisation about the report's finding or advisory gets its
    /// maintainer notice ([`crate::MaintainerNotice`]) in the same transaction; a case proposed
    /// or opened later for the vulnerability gets it then.
    pub async fn mark_upstream_informed(
        &self,
        org_id: i64,
        id: i64,
        informed: &Informed<'_>,
        actor: &Actor,
        now: i64,
    ) -> Result<UpstreamReport, StoreError> {
        let before = self.upstream_report(org_id, id).await?;
        let (via, at) = (informed.via, informed.at);
        non_empty("informed via", via, REFERENCE)?;
        non_empty("maintainer", informed.maintainer, NAME)?;
        if let Some(t) = before.informed_at {
            return Err(StoreError::conflict_general(format!(
                "the maintainer was already recorded as informed (Unix time {t}); that record does not change"
            )));
        }
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE upstream_report SET informed_at = $1, informed_via = $2, updated_at = $3, \
             informed_maintainer = $4, informed_by = $5 \
             WHERE id = $6 AND org_id = $7 AND informed_at IS NULL",
        )
        .bind(at)
        .bind(via)
        .bind(now)
        .bind(informed.maintainer)
        .bind(actor.display())
        .bind(id)
        .bind(org_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::conflict_general(
                "the maintainer was recorded as informed concurrently; that record does not change",
            ));
        }
        // Art. 13(6): every case about this vulnerability records the notice (the one rule
        // of `CaseRow::covers`, as for cases proposed or opened later).
        let cases: Vec<i64> = copy_notices(&mut tx, org_id, Cases::All, now)
            .await?
            .into_iter()
            .filter(|(_, report)| *report == id)
            .map(|(case, _)| case)
            .collect();
        let details = serde_json::json!({
            "report": id,
            "maintainer": informed.maintainer,
            "via": via,
            "at": at,
            "cases": cases,
        });
        record(
            &mut tx,
            Event {
                org_id: Some(org_id),
                actor,
                action: "upstream.report.informed",
                target_kind: "finding",
                target_id: &before.finding_id.to_string(),
                details,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        self.upstream_report(org_id, id).await
    }

    /// One report of the organisation.
    pub async fn upstream_report(
        &self,
        org_id: i64,
        id: i64,
    ) -> Result<UpstreamReport, StoreError> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {REPORT_COLS} FROM upstream_report WHERE id = $1 AND org_id = $2"
        )))
        .bind(id)
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("upstream report", id))?;
        report_of(&r)
    }

    /// The organisation's reports, of one product or finding when given, newest first.
    pub async fn upstream_reports(
        &self,
        org_id: i64,
        product_id: Option<i64>,
        finding_id: Option<i64>,
    ) -> Result<Vec<UpstreamReport>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {REPORT_COLS} FROM upstream_report WHERE org_id = $1 \
             AND product_id = COALESCE($2, product_id) AND finding_id = COALESCE($3, finding_id) \
             ORDER BY id DESC"
        )))
        .bind(org_id)
        .bind(product_id)
        .bind(finding_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(report_of).collect()
    }

    /// Reports other organisations sent to `recipient_org_id` (a steward, Art. 24): only those
    /// marked informed, newest first.
    pub async fn upstream_reports_received(
        &self,
        recipient_org_id: i64,
    ) -> Result<Vec<UpstreamReport>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {REPORT_COLS} FROM upstream_report WHERE recipient_org_id = $1 \
             AND informed_at IS NOT NULL ORDER BY informed_at DESC, id DESC"
        )))
        .bind(recipient_org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(report_of).collect()
    }

    /// Adds an economic operator to a product.
    pub async fn add_operator(
        &self,
        org_id: i64,
        product_id: i64,
        op: NewOperator<'_>,
        actor: &Actor,
        now: i64,
    ) -> Result<EconomicOperator, StoreError> {
        self.product(org_id, product_id).await?;
        non_empty("name", op.name, NAME)?;
        non_empty("address", op.address, TITLE)?;
        non_empty("contact", op.contact, REFERENCE)?;
        let row = audited!(
            self,
            sqlx::query(
                "INSERT INTO economic_operator (org_id, product_id, role, name, address, contact, \
                 member_state, operator_org_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(org_id)
            .bind(product_id)
            .bind(op.role)
            .bind(op.name)
            .bind(op.address)
            .bind(op.contact)
            .bind(op.member_state)
            .bind(op.operator_org_id)
            .bind(now),
            org_id,
            actor,
            "operator.add",
            "product",
            product_id,
            serde_json::json!({ "role": op.role, "name": op.name, "member_state": op.member_state,
                "operator_org_id": op.operator_org_id }),
            now
        );
        let id: i64 = row
            .ok_or_else(|| StoreError::conflict_general("operator not stored"))?
            .try_get("id")?;
        self.operator(org_id, id).await
    }

    /// One operator.
    pub async fn operator(&self, org_id: i64, id: i64) -> Result<EconomicOperator, StoreError> {
        let r = sqlx::query(
            "SELECT id, product_id, role, name, address, contact, member_state, operator_org_id, \
             created_at FROM economic_operator WHERE id = $1 AND org_id = $2",
        )
        .bind(id)
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("operator", id))?;
        operator_of(&r)
    }

    /// A product's operators by member state, then role, then name.
    pub async fn operators(
        &self,
        org_id: i64,
        product_id: i64,
    ) -> Result<Vec<EconomicOperator>, StoreError> {
        self.product(org_id, product_id).await?;
        let rows = sqlx::query(
            "SELECT id, product_id, role, name, address, contact, member_state, operator_org_id, \
             created_at FROM economic_operator WHERE org_id = $1 AND product_id = $2 \
             ORDER BY member_state, role, name, id",
        )
        .bind(org_id)
        .bind(product_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(operator_of).collect()
    }

    /// The listings that name `operator_org_id` as the acting organisation, over every
    /// manufacturer, by manufacturer, product and member state.
    pub async fn operator_links(
        &self,
        operator_org_id: i64,
    ) -> Result<Vec<OperatorLink>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.id, e.product_id, e.role, e.name, e.address, e.contact, e.member_state, \
             e.operator_org_id, e.created_at, e.org_id AS manufacturer_org_id, \
             o.name AS manufacturer, p.name AS product \
             FROM economic_operator e JOIN organisation o ON o.id = e.org_id \
             JOIN product p ON p.id = e.product_id \
             WHERE e.operator_org_id = $1 ORDER BY o.name, p.name, e.member_state, e.id",
        )
        .bind(operator_org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OperatorLink {
                    operator: operator_of(r)?,
                    manufacturer_org_id: r.try_get("manufacturer_org_id")?,
                    manufacturer: r.try_get("manufacturer")?,
                    product: r.try_get("product")?,
                })
            })
            .collect()
    }

    /// Records an importer's or distributor's check.
    pub async fn add_operator_check(
        &self,
        org_id: i64,
        operator_id: i64,
        (passed, result): (bool, &serde_json::Value),
        actor: &Actor,
        now: i64,
    ) -> Result<OperatorCheck, StoreError> {
        let op = self.operator(org_id, operator_id).await?;
        bounded_json("check", result)?;
        let row = audited!(
            self,
            sqlx::query(
                "INSERT INTO operator_check (org_id, operator_id, passed, items, author, checked_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(org_id)
            .bind(operator_id)
            .bind(i64::from(passed))
            .bind(result.to_string())
            .bind(actor.display())
            .bind(now),
            org_id,
            actor,
            "operator.check",
            "product",
            op.product_id,
            serde_json::json!({ "operator": operator_id, "passed": passed }),
            now
        );
        Ok(OperatorCheck {
            id: row
                .ok_or_else(|| StoreError::conflict_general("check not stored"))?
                .try_get("id")?,
            operator_id,
            passed,
            result: result.clone(),
            author: actor.display(),
            checked_at: now,
        })
    }

    /// An operator's checks, newest first.
    pub async fn operator_checks(
        &self,
        org_id: i64,
        operator_id: i64,
    ) -> Result<Vec<OperatorCheck>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, operator_id, passed, items, author, checked_at FROM operator_check \
             WHERE org_id = $1 AND operator_id = $2 ORDER BY id DESC",
        )
        .bind(org_id)
        .bind(operator_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OperatorCheck {
                    id: r.try_get("id")?,
                    operator_id: r.try_get("operator_id")?,
                    passed: r.try_get::<i64, _>("passed")? != 0,
                    result: crate::text::json_value::<serde_json::Value>(
                        &r.try_get::<String, _>("items")?,
                        "operator_check.items",
                    )?,
                    author: r.try_get("author")?,
                    checked_at: r.try_get("checked_at")?,
                })
            })
            .collect()
    }

    /// Adds an Art. 23 supply record to an operator.
    pub async fn add_supply_record(
        &self,
        org_id: i64,
        operator_id: i64,
        s: NewSupply<'_>,
        actor: &Actor,
        now: i64,
    ) -> Result<SupplyRecord, StoreError> {
        let op = self.operator(org_id, operator_id).await?;
        non_empty("party", s.party, NAME)?;
        non_empty("party address", s.party_address, TITLE)?;
        let row = audited!(
            self,
            sqlx::query(
                "INSERT INTO supply_record (org_id, operator_id, direction, party, party_address, \
                 supplied_on, quantity, keep_until, author, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(org_id)
            .bind(operator_id)
            .bind(s.direction)
            .bind(s.party)
            .bind(s.party_address)
            .bind(s.supplied_on)
            .bind(s.quantity)
            .bind(s.keep_until)
            .bind(actor.display())
            .bind(now),
            org_id,
            actor,
            "operator.supply",
            "product",
            op.product_id,
            serde_json::json!({ "operator": operator_id, "direction": s.direction, "party": s.party, "on": s.supplied_on }),
            now
        );
        Ok(SupplyRecord {
            id: row
                .ok_or_else(|| StoreError::conflict_general("supply record not stored"))?
                .try_get("id")?,
            operator_id,
            direction: s.direction.to_string(),
            party: s.party.to_string(),
            party_address: s.party_address.to_string(),
            supplied_on: s.supplied_on.to_string(),
            quantity: s.quantity,
            keep_until: s.keep_until.to_string(),
            author: actor.display(),
            created_at: now,
        })
    }

    /// The supply records of a product's operators, oldest first.
    pub async fn supply_records(
        &self,
        org_id: i64,
        product_id: i64,
    ) -> Result<Vec<SupplyRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.id AS id, s.operator_id AS operator_id, s.direction AS direction, \
             s.party AS party, s.party_address AS party_address, s.supplied_on AS supplied_on, \
             s.quantity AS quantity, s.keep_until AS keep_until, s.author AS author, \
             s.created_at AS created_at FROM supply_record s \
             JOIN economic_operator o ON o.id = s.operator_id \
             WHERE s.org_id = $1 AND o.product_id = $2 ORDER BY s.supplied_on, s.id",
        )
        .bind(org_id)
        .bind(product_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SupplyRecord {
                    id: r.try_get("id")?,
                    operator_id: r.try_get("operator_id")?,
                    direction: r.try_get("direction")?,
                    party: r.try_get("party")?,
                    party_address: r.try_get("party_address")?,
                    supplied_on: r.try_get("supplied_on")?,
                    quantity: r.try_get("quantity")?,
                    keep_until: r.try_get("keep_until")?,
                    author: r.try_get("author")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// Deletes a supply record, refused on or before its Art. 23(2) date (`keep_until`, parsed
    /// by the caller).
    pub async fn delete_supply_record(
        &self,
        org_id: i64,
        id: i64,
        (keep_until, today): (Date, Date),
        actor: &Actor,
        now: i64,
    ) -> Result<(), StoreError> {
        if today <= keep_until {
            return Err(StoreError::conflict_general(format!(
                "supply record {id} is kept until {keep_until} (CRA Art. 23(2): ten years after the supply); it cannot be deleted on {today}"
            )));
        }
        audited!(
            self,
            sqlx::query("DELETE FROM supply_record WHERE id = $1 AND org_id = $2")
                .bind(id)
                .bind(org_id),
            org_id,
            actor,
            "operator.supply.delete",
            "supply_record",
            id,
            serde_json::json!({}),
            now
        );
        Ok(())
    }

    /// Publishes issued declaration `version` at its public address.
    pub async fn publish_declaration(
        &self,
        org_id: i64,
        product_id: i64,
        version: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<(), StoreError> {
        self.conformity_declaration(org_id, product_id, version)
            .await?;
        audited!(
            self,
            sqlx::query(
                "INSERT INTO declaration_publication (org_id, product_id, version, author, \
                 published_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(org_id)
            .bind(product_id)
            .bind(version)
            .bind(actor.display())
            .bind(now),
            org_id,
            actor,
            "conformity.declaration.publish",
            "product",
            product_id,
            serde_json::json!({ "version": version }),
            now
        );
        Ok(())
    }

    /// The declaration version published last for the product, and when.
    pub async fn published_declaration(
        &self,
        org_id: i64,
        product_id: i64,
    ) -> Result<Option<(i64, i64)>, StoreError> {
        let r = sqlx::query(
            "SELECT version, published_at FROM declaration_publication \
             WHERE org_id = $1 AND product_id = $2 ORDER BY id DESC LIMIT 1",
        )
        .bind(org_id)
        .bind(product_id)
        .fetch_optional(&self.pool)
        .await?;
        r.map(|r| Ok((r.try_get("version")?, r.try_get("published_at")?)))
            .transpose()
    }

    /// Records a market surveillance authority's request.
    pub async fn add_authority_request(
        &self,
        org_id: i64,
        product_id: i64,
        req: NewAuthorityRequest<'_>,
        actor: &Actor,
        now: i64,
    ) -> Result<AuthorityRequest, StoreError> {
        self.product(org_id, product_id).await?;
        non_empty("authority", req.authority, NAME)?;
        non_empty("reference", req.reference, REFERENCE)?;
        bounded("reason", req.reason, LONG_TEXT)?;
        let row = audited!(
            self,
            sqlx::query(
                "INSERT INTO authority_request (org_id, product_id, authority, member_state, \
                 reference, reason, received_at, author, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(org_id)
            .bind(product_id)
            .bind(req.authority)
            .bind(req.member_state)
            .bind(req.reference)
            .bind(req.reason)
            .bind(req.received_at)
            .bind(actor.display())
            .bind(now),
            org_id,
            actor,
            "conformity.authority_request",
            "product",
            product_id,
            serde_json::json!({ "authority": req.authority, "reference": req.reference }),
            now
        );
        let id: i64 = row
            .ok_or_else(|| StoreError::conflict_general("request not stored"))?
            .try_get("id")?;
        self.authority_request(org_id, product_id, id).await
    }

    /// One request.
    pub async fn authority_request(
        &self,
        org_id: i64,
        product_id: i64,
        id: i64,
    ) -> Result<AuthorityRequest, StoreError> {
        let r = sqlx::query(
            "SELECT * FROM authority_request WHERE id = $1 AND org_id = $2 AND product_id = $3",
        )
        .bind(id)
        .bind(org_id)
        .bind(product_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("authority request", id))?;
        request_of(&r)
    }

    /// A product's requests, newest first.
    pub async fn authority_requests(
        &self,
        org_id: i64,
        product_id: i64,
    ) -> Result<Vec<AuthorityRequest>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM authority_request WHERE org_id = $1 AND product_id = $2 \
             ORDER BY received_at DESC, id DESC",
        )
        .bind(org_id)
        .bind(product_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(request_of).collect()
    }

    /// Records what was handed over for a request, and when; once.
    pub async fn record_handover(
        &self,
        org_id: i64,
        product_id: i64,
        id: i64,
        items: &serde_json::Value,
        actor: &Actor,
        now: i64,
    ) -> Result<AuthorityRequest, StoreError> {
        let before = self.authority_request(org_id, product_id, id).await?;
        if before.handed_over_at.is_some() {
            return Err(StoreError::conflict_general(format!(
                "authority request {id}: the hand-over is already recorded; record a new request for more"
            )));
        }
        bounded_json("handed over", items)?;
        audited!(
            self,
            sqlx::query(
                "UPDATE authority_request SET handed_over = $1, handed_over_at = $2 \
                 WHERE id = $3 AND org_id = $4 AND handed_over_at IS NULL",
            )
            .bind(items.to_string())
            .bind(now)
            .bind(id)
            .bind(org_id),
            org_id,
            actor,
            "conformity.authority_handover",
            "product",
            product_id,
            serde_json::json!({ "request": id, "items": items }),
            now
        );
        self.authority_request(org_id, product_id, id).await
    }
}
