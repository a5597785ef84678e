//! The compliance file beyond the record (issue 16, points 3-5): reports to the maintainers of
//! integrated components (CRA Art. 13(6)) and the stewards' view of those they receive
//! (Art. 24), the economic operators of a product with the importers' and distributors' checks
//! (Arts 18-20) and the supply records (Art. 23), the publication of an issued declaration at
//! the address the simplified declaration carries (Annex VI), and market surveillance
//! authorities' requests with what was handed over (Art. 13(13), Art. 31(3)).
//!
//! A report comes as text, an OSV record and a CSAF 2.0 advisory (`cyres_csaf::upstream`);
//! marking it sent records the maintainer notice on the Art. 14 cases about the same finding or
//! advisory (in the store, one transaction).
//!
//! The rules are `cyres_conformity::{upstream, operators}`'s; this module gathers the facts
//! from the platform (the finding, its SBOM as uploaded, the issued declarations, the Annex VII
//! dossier, the Annex II publication, the public-face contact) and stores the results. Nothing
//! is fetched from the network: contacts come from what cyres holds, and the `security.txt`
//! locations are named for the sender to look at.
//!
//! Viewers read; editors draft, check and record; the public reads a published declaration.

use super::conformity::{self as conf, DocFormat};
use super::{Principal, ServiceError};
use crate::App;
use cyres_conformity::operators::{self, CheckFacts, CheckResult, OperatorRole};
use cyres_conformity::techdoc::SectionStatus;
use cyres_conformity::upstream::{self, Fix, ReportInput};
use cyres_conformity::{Translations, declaration};
use cyres_cra::MemberState;
use cyres_cra::calendar::iso_date;
use cyres_store::{
    AuthorityRequest, EconomicOperator, Informed, NewAuthorityRequest, NewOperator, NewSupply,
    NewUpstreamReport, OperatorCheck, OrgKind, Role, SupplyRecord, UpstreamReport,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// How the manufacturer can be answered: its security contact, else its name.
async fn reply_to(app: &App, org_id: i64) -> Result<(String, String), ServiceError> {
    let org = app.store.org(org_id).await?;
    let face = app.store.public_face(org_id).await?;
    let contact = [face.contact_email.trim(), face.contact_url.trim()]
        .into_iter()
        .find(|c| !c.is_empty())
        .map_or_else(|| org.name.clone(), str::to_string);
    Ok((org.name, contact))
}

/// Redrafts report `r` with its id and `fix`, and stores the draft.
async fn redraft(
    app: &App,
    who: &Principal,
    r: &UpstreamReport,
    fix: Option<&Fix>,
) -> Result<UpstreamReport, ServiceError> {
    let finding = app.store.finding(who.org_id, r.finding_id).await?;
    let (manufacturer, reply) = reply_to(app, who.org_id).await?;
    let d = upstream::draft(&ReportInput {
        manufacturer: &manufacturer,
        reply_to: &reply,
        component: &r.component,
        purl: r.purl.as_deref(),
        advisory_id: &r.advisory_id,
        aliases: &finding.aliases,
        summary: finding.summary.as_deref(),
        affected_versions: &r.affected_versions,
        advisory_fixed: &finding.fixed_versions,
        fix,
        report_id: r.id,
        at: app.now_at(),
    });
    let body = serde_json::json!({ "subject": d.subject, "body": d.body });
    // The fix with the time it was added: the CSAF document's second revision is dated by it.
    let fix = fix
        .map(|f| super::to_json("fix", f))
        .transpose()?
        .map(|mut f| {
            f["added_at"] = app.clock.now().into();
            f
        });
    Ok(app
        .store
        .set_upstream_draft(
            who.org_id,
            r.id,
            &cyres_store::UpstreamDraft {
                body: &body,
                osv: &d.osv,
                fix: fix.as_ref(),
            },
            &who.actor,
            app.clock.now(),
        )
        .await?)
}

/// Drafts a report of finding `finding_id` to its component's maintainer (editors; CRA
/// Art. 13(6)). `recipient` names a steward or manufacturer organisation on this platform that
/// receives it once the maintainer is recorded as informed.
pub(crate) async fn draft_report(
    app: &App,
    who: &Principal,
    finding_id: i64,
    recipient: Option<i64>,
) -> Result<UpstreamReport, ServiceError> {
    who.require(Role::Editor)?;
    let finding = app.store.finding(who.org_id, finding_id).await?;
    if let Some(rid) = recipient {
        let org = app
            .store
            .org(rid)
            .await
            .map_err(|_| ServiceError::invalid("recipient", "no such organisation"))?;
        if rid == who.org_id || !matches!(org.kind, OrgKind::Steward | OrgKind::Manufacturer) {
            return Err(ServiceError::invalid(
                "recipient",
                "the recipient must be another organisation on this platform that maintains components: a steward (CRA Art. 24) or a manufacturer",
            ));
        }
    }
    let (sbom_id, supplier) = app
        .store
        .finding_component_source(who.org_id, finding_id)
        .await?;
    let original = app.store.sbom_original(who.org_id, sbom_id).await?;
    // Only JSON SBOMs give external references; others still give the supplier and purl.
    let doc: Option<serde_json::Value> = serde_json::from_slice(&original).ok();
    let entry = doc.as_ref().and_then(|d| {
        upstream::find_component(
            d,
            &finding.component_name,
            finding.component_version.as_deref(),
            finding.component_purl.as_deref(),
        )
    });
    let contacts = upstream::contacts(
        entry,
        supplier.as_deref(),
        finding.component_purl.as_deref(),
    );
    let affected_versions = app
        .store
        .affected_component_versions(who.org_id, &finding.advisory_id, &finding.component_name)
        .await?;
    let new = NewUpstreamReport {
        product_id: finding.product_id,
        finding_id,
        component: finding.component_name.clone(),
        purl: finding.component_purl.clone(),
        advisory_id: finding.advisory_id.clone(),
        affected_versions,
        contacts: super::to_json("contacts", &contacts)?,
        recipient_org_id: recipient,
    };
    let r = app
        .store
        .add_upstream_report(who.org_id, &new, &who.actor, app.clock.now())
        .await?;
    redraft(app, who, &r, None).await
}

/// Adds the manufacturer's fix to a report (editors): the text and the OSV record are redrafted
/// with it (Art. 13(6) second sentence: share the code or documentation, machine-readable
/// where appropriate).
pub(crate) async fn set_fix(
    app: &App,
    who: &Principal,
    report_id: i64,
    fix: Fix,
) -> Result<UpstreamReport, ServiceError> {
    who.require(Role::Editor)?;
    if fix.is_empty() {
        return Err(ServiceError::invalid(
            "fix",
            "give fixed_version, url or patch",
        ));
    }
    if let Some(u) = &fix.url
        && !(u.starts_with("https://") || u.starts_with("http://"))
    {
        return Err(ServiceError::invalid(
            "url",
            "the fix's url must be an absolute http(s) address",
        ));
    }
    let r = app.store.upstream_report(who.org_id, report_id).await?;
    redraft(app, who, &r, Some(&fix)).await
}

/// Who is informed by report `r` when the sender does not name them: the recipient
/// organisation on this platform, else the first contact found, else the component's
/// maintainer by name.
async fn maintainer_of(app: &App, r: &UpstreamReport) -> Result<String, ServiceError> {
    if let Some(rid) = r.recipient_org_id {
        return Ok(app.store.org(rid).await?.name);
    }
    Ok(r.contacts
        .as_array()
        .and_then(|c| c.first())
        .and_then(|c| c["value"].as_str())
        .map_or_else(
            || format!("the maintainers of {}", r.component),
            str::to_string,
        ))
}

/// Records that the maintainer was informed, who, how and when (editors; once). `at` defaults
/// to now and cannot lie in the future; `maintainer` defaults to [`maintainer_of`]. Every
/// Art. 14 case about the report's finding or advisory gets the record too.
pub(crate) async fn mark_informed(
    app: &App,
    who: &Principal,
    report_id: i64,
    (maintainer, via): (Option<&str>, &str),
    at: Option<OffsetDateTime>,
) -> Result<UpstreamReport, ServiceError> {
    who.require(Role::Editor)?;
    let now = app.now_at();
    let at = at.unwrap_or(now);
    if at > now {
        return Err(ServiceError::invalid(
            "informed_at",
            "the maintainer cannot have been informed in the future",
        ));
    }
    let r = app.store.upstream_report(who.org_id, report_id).await?;
    let maintainer = match maintainer.map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => m.to_string(),
        None => maintainer_of(app, &r).await?,
    };
    Ok(app
        .store
        .mark_upstream_informed(
            who.org_id,
            report_id,
            &Informed {
                maintainer: &maintainer,
                via,
                at: at.unix_timestamp(),
            },
            &who.actor,
            app.clock.now(),
        )
        .await?)
}

/// The organisation's reports, of a product or a finding when given (viewers).
pub(crate) async fn reports(
    app: &App,
    who: &Principal,
    product_id: Option<i64>,
    finding_id: Option<i64>,
) -> Result<Vec<UpstreamReport>, ServiceError> {
    who.require(Role::Viewer)?;
    if let Some(f) = finding_id {
        app.store.finding(who.org_id, f).await?;
    }
    if let Some(p) = product_id {
        app.store.product(who.org_id, p).await?;
    }
    Ok(app
        .store
        .upstream_reports(who.org_id, product_id, finding_id)
        .await?)
}

/// A machine-readable form of an upstream report (Art. 13(6): "where appropriate in a
/// machine-readable format").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UpstreamFormat {
    /// The OSV 1.6 record.
    Osv,
    /// A CSAF 2.0 security advisory (`cyres_csaf::upstream`).
    Csaf,
}

impl UpstreamFormat {
    /// From the file name asked for (`osv.json`, `csaf.json`).
    pub(crate) fn from_file(file: &str) -> Option<UpstreamFormat> {
        match file {
            "osv.json" => Some(UpstreamFormat::Osv),
            "csaf.json" => Some(UpstreamFormat::Csaf),
            _ => None,
        }
    }
}

/// Whether the maintainer of report `r` reads CSAF: a recipient organisation on this platform
/// (cyres reads and publishes CSAF), or a contact that names a CSAF provider or advisories
/// feed ([`upstream::reads_csaf`]). The page offers the CSAF document only then.
pub(crate) fn maintainer_reads_csaf(r: &UpstreamReport) -> Result<bool, ServiceError> {
    let contacts: Vec<upstream::Contact> =
        serde_json::from_value(r.contacts.clone()).map_err(|e| {
            ServiceError::internal(format!(
                "the contacts of upstream report {} do not read: {e}",
                r.id
            ))
        })?;
    Ok(r.recipient_org_id.is_some() || upstream::reads_csaf(&contacts))
}

/// Report `report_id` as the sender (viewers) or, once sent, as its recipient organisation.
async fn visible_report(
    app: &App,
    who: &Principal,
    report_id: i64,
) -> Result<UpstreamReport, ServiceError> {
    who.require(Role::Viewer)?;
    match app.store.upstream_report(who.org_id, report_id).await {
        Ok(r) => Ok(r),
        Err(cyres_store::StoreError::NotFound { .. }) => app
            .store
            .upstream_reports_received(who.org_id)
            .await?
            .into_iter()
            .find(|r| r.id == report_id)
            .ok_or_else(|| ServiceError::not_found("upstream report")),
        Err(e) => Err(e.into()),
    }
}

/// Report `report_id` in `format` (the sender's viewers, or the recipient's once sent).
pub(crate) async fn upstream_file(
    app: &App,
    who: &Principal,
    report_id: i64,
    format: UpstreamFormat,
) -> Result<Vec<u8>, ServiceError> {
    let r = visible_report(app, who, report_id).await?;
    let doc = match format {
        UpstreamFormat::Osv => r.osv.clone(),
        UpstreamFormat::Csaf => super::to_json("CSAF document", &upstream_csaf(app, &r).await?)?,
    };
    let mut bytes = serde_json::to_vec_pretty(&doc)
        .map_err(|e| ServiceError::internal(format!("upstream report JSON: {e}")))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The CSAF 2.0 document of report `r`, from the same facts as its text and OSV record.
async fn upstream_csaf(
    app: &App,
    r: &UpstreamReport,
) -> Result<cyres_csaf::Document, ServiceError> {
    let finding = app.store.finding(r.org_id, r.finding_id).await?;
    let (_, supplier) = app
        .store
        .finding_component_source(r.org_id, r.finding_id)
        .await?;
    let org = app.store.org(r.org_id).await?;
    let (_, contact) = reply_to(app, r.org_id).await?;
    let mut ids = vec![r.advisory_id.clone()];
    ids.extend(
        finding
            .aliases
            .iter()
            .filter(|a| **a != r.advisory_id)
            .cloned(),
    );
    let fix = r.fix.as_ref().map(|f| {
        let text = |k: &str| f[k].as_str().filter(|v| !v.trim().is_empty());
        (
            text("fixed_version"),
            text("url"),
            text("patch").is_some(),
            f["added_at"].as_i64().unwrap_or(r.updated_at),
        )
    });
    let input = cyres_csaf::upstream::UpstreamInput {
        tracking_id: &format!("CYRES-UPSTREAM-{}", r.id),
        publisher: cyres_csaf::generate::PublisherInput {
            category: cyres_csaf::model::PublisherCategory::Discoverer,
            name: org.name.clone(),
            namespace: super::csaf::publisher_namespace(app, &org),
            contact_details: Some(contact),
            issuing_authority: None,
        },
        component: &r.component,
        supplier: supplier.as_deref().filter(|s| !s.trim().is_empty()),
        purl: r.purl.as_deref(),
        affected_versions: &r.affected_versions,
        advisory_ids: &ids,
        summary: finding
            .summary
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or("See the advisory named in the report."),
        fix: fix.map(
            |(fixed_version, url, has_patch, at)| cyres_csaf::upstream::UpstreamFix {
                fixed_version,
                url,
                has_patch,
                at: crate::clock::at(at),
            },
        ),
        reported_at: crate::clock::at(r.created_at),
        generated_at: app.now_at(),
        engine_version: Some(env!("CARGO_PKG_VERSION").to_string()),
    };
    cyres_csaf::upstream::upstream_report(&input)
        .map_err(|e| ServiceError::invalid("upstream report", e.to_string()))
}

/// One report as its recipient sees it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct ReceivedReport {
    /// Report id.
    pub id: i64,
    /// Who sent it.
    pub from: String,
    /// Component.
    pub component: String,
    /// Its purl.
    pub purl: Option<String>,
    /// Advisory.
    pub advisory_id: String,
    /// Affected versions.
    pub affected_versions: Vec<String>,
    /// The message.
    pub message: serde_json::Value,
    /// The manufacturer's fix, if shared.
    pub fix: Option<serde_json::Value>,
    /// The OSV record.
    pub osv: serde_json::Value,
    /// When it was sent (Unix seconds).
    pub informed_at: Option<i64>,
    /// Whether the CSAF form is offered (the recipient is on this platform, so it reads CSAF).
    pub csaf: bool,
}

/// Reports manufacturers sent to the caller's organisation (viewers of a steward or
/// manufacturer; CRA Art. 24 for stewards). The sender's product, finding and contacts stay
/// with the sender.
pub(crate) async fn received(
    app: &App,
    who: &Principal,
) -> Result<Vec<ReceivedReport>, ServiceError> {
    who.require(Role::Viewer)?;
    let mut out = Vec::new();
    for r in app.store.upstream_reports_received(who.org_id).await? {
        out.push(ReceivedReport {
            id: r.id,
            from: app.store.org(r.org_id).await?.name,
            component: r.component,
            purl: r.purl,
            advisory_id: r.advisory_id,
            affected_versions: r.affected_versions,
            message: r.body,
            fix: r.fix,
            osv: r.osv,
            informed_at: r.informed_at,
            csaf: true,
        });
    }
    Ok(out)
}

/// An operator to add, as the API and the page give it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OperatorInput {
    /// `authorised-representative`, `importer` or `distributor`.
    pub role: String,
    /// Name.
    pub name: String,
    /// Postal address.
    pub address: String,
    /// E-mail or URL.
    pub contact: String,
    /// ISO 3166-1 alpha-2 code of the member state where it acts.
    pub member_state: String,
    /// The slug of the operator's own organisation on this platform (kind `operator` or
    /// `manufacturer`), when it has one: its members then run the checks and record the
    /// supplies of this listing themselves.
    #[serde(default)]
    pub organisation: Option<String>,
}

/// The organisation a listing names, if any: kind `operator` (or a manufacturer acting as
/// importer or distributor of another's product), never the listing manufacturer itself.
async fn acting_org(
    app: &App,
    who: &Principal,
    slug: Option<&str>,
) -> Result<Option<i64>, ServiceError> {
    let Some(slug) = slug.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let not_one = || {
        ServiceError::invalid(
            "organisation",
            format!("{slug:?} is not an economic operator's organisation on this platform"),
        )
    };
    let org = app.store.org_by_slug(slug).await.map_err(|_| not_one())?;
    if org.id == who.org_id || !matches!(org.kind, OrgKind::Operator | OrgKind::Manufacturer) {
        return Err(not_one());
    }
    Ok(Some(org.id))
}

/// Adds an economic operator to a product (editors).
pub(crate) async fn add_operator(
    app: &App,
    who: &Principal,
    product_id: i64,
    input: &OperatorInput,
) -> Result<EconomicOperator, ServiceError> {
    who.require(Role::Editor)?;
    let role = OperatorRole::parse(&input.role)
        .map_err(|e| ServiceError::invalid("role", e.to_string()))?;
    let ms = MemberState::from_code(input.member_state.trim()).ok_or_else(|| {
        ServiceError::invalid(
            "member_state",
            format!(
                "{:?} is not the ISO 3166-1 code of an EU member state",
                input.member_state
            ),
        )
    })?;
    Ok(app
        .store
        .add_operator(
            who.org_id,
            product_id,
            NewOperator {
                role: role.as_str(),
                name: input.name.trim(),
                address: input.address.trim(),
                contact: input.contact.trim(),
                member_state: ms.code(),
                operator_org_id: acting_org(app, who, input.organisation.as_deref()).await?,
            },
            &who.actor,
            app.clock.now(),
        )
        .await?)
}

/// An operator with its latest check.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct OperatorLine {
    /// The operator.
    #[serde(flatten)]
    pub operator: EconomicOperator,
    /// Its latest check, if any.
    pub latest_check: Option<OperatorCheck>,
}

/// A product's operators per member state and their supply records.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct OperatorsView {
    /// Member state code → its operators.
    pub member_states: std::collections::BTreeMap<String, Vec<OperatorLine>>,
    /// Art. 23 supply records, oldest first.
    pub supply_records: Vec<SupplyRecord>,
}

/// A product's operators (viewers).
pub(crate) async fn operators_view(
    app: &App,
    who: &Principal,
    product_id: i64,
) -> Result<OperatorsView, ServiceError> {
    who.require(Role::Viewer)?;
    let mut member_states: std::collections::BTreeMap<String, Vec<OperatorLine>> =
        std::collections::BTreeMap::new();
    for op in app.store.operators(who.org_id, product_id).await? {
        let latest_check = app
            .store
            .operator_checks(who.org_id, op.id)
            .await?
            .into_iter()
            .next();
        member_states
            .entry(op.member_state.clone())
            .or_default()
            .push(OperatorLine {
                operator: op,
                latest_check,
            });
    }
    Ok(OperatorsView {
        member_states,
        supply_records: app.store.supply_records(who.org_id, product_id).await?,
    })
}

/// The operator `operator_id` of product `product_id` (404 for another product's).
async fn operator_of(
    app: &App,
    who: &Principal,
    product_id: i64,
    operator_id: i64,
) -> Result<EconomicOperator, ServiceError> {
    let op = app.store.operator(who.org_id, operator_id).await?;
    if op.product_id != product_id {
        return Err(ServiceError::not_found("operator"));
    }
    Ok(op)
}

/// What the platform knows for an importer's or distributor's check.
async fn check_facts(
    app: &App,
    who: &Principal,
    product_id: i64,
    ce_marking_seen: bool,
) -> Result<CheckFacts, ServiceError> {
    let view = conf::view(app, who, product_id).await?;
    let latest = view.declarations.last();
    let stored = match latest {
        Some(l) => Some(conf::issued_of(
            &app.store
                .conformity_declaration(who.org_id, product_id, i64::from(l.version))
                .await?
                .body,
        )?),
        None => None,
    };
    let dossier = conf::dossier(app, who, product_id, "en").await?;
    let techdoc_missing = dossier
        .manifest
        .sections
        .iter()
        .filter(|s| s.status != SectionStatus::Present)
        .map(|s| s.number)
        .collect();
    let face = app.store.public_face(who.org_id).await?;
    let contact = [face.contact_email.trim(), face.contact_url.trim()]
        .into_iter()
        .find(|c| !c.is_empty());
    let manufacturer_contact = match (&stored, contact) {
        (Some(d), Some(c)) => Some(format!(
            "{}, {}, {c}",
            d.facts.manufacturer.name, d.facts.manufacturer.address
        )),
        _ => None,
    };
    let annex_ii = app.store.annex_ii(who.org_id, product_id).await?;
    let product = app.store.product(who.org_id, product_id).await?;
    let importer = app
        .store
        .operators(who.org_id, product_id)
        .await?
        .into_iter()
        .find(|o| o.role == OperatorRole::Importer.as_str())
        .map(|o| format!("{} ({})", o.name, o.contact));
    Ok(CheckFacts {
        declaration_version: latest.map(|l| l.version),
        declaration_current: latest.is_some_and(conf::DeclarationLine::up_to_date),
        route: stored.as_ref().map(|d| d.facts.route.to_string()),
        techdoc_missing,
        identification: stored
            .as_ref()
            .map(|d| format!("{}, {}", d.facts.product_type, d.facts.product_id)),
        manufacturer_contact,
        instructions_published: annex_ii.published.is_some(),
        support_end: product.support_end,
        importer,
        ce_marking_seen,
    })
}

/// A check recorded, with the refusal it implies.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct CheckOutcome {
    /// The stored check.
    pub check: OperatorCheck,
    /// The result, item by item.
    pub result: CheckResult,
    /// Why the product may not be placed or made available, when it may not.
    pub refusal: Option<String>,
}

/// Runs and records an importer's (Art. 19(2)) or distributor's (Art. 20(2)) check of the
/// product for operator `operator_id` (editors). `ce_marking_seen` is the operator's own
/// observation of the product (Art. 30).
pub(crate) async fn run_check(
    app: &App,
    who: &Principal,
    product_id: i64,
    operator_id: i64,
    ce_marking_seen: bool,
) -> Result<CheckOutcome, ServiceError> {
    who.require(Role::Editor)?;
    let op = operator_of(app, who, product_id, operator_id).await?;
    let role = OperatorRole::parse(&op.role).map_err(|e| ServiceError::internal(e.to_string()))?;
    let facts = check_facts(app, who, product_id, ce_marking_seen).await?;
    let result = operators::check(role, &facts)
        .map_err(|e| ServiceError::invalid("operator", e.to_string()))?;
    let json = super::to_json("check", &result)?;
    let check = app
        .store
        .add_operator_check(
            who.org_id,
            operator_id,
            (result.passed, &json),
            &who.actor,
            app.clock.now(),
        )
        .await?;
    Ok(CheckOutcome {
        check,
        refusal: result.refusal(),
        result,
    })
}

/// A supply to record.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SupplyInput {
    /// `supplied-by` (the party supplied the operator) or `supplied-to`.
    pub direction: String,
    /// The other economic operator.
    pub party: String,
    /// Its address.
    pub party_address: String,
    /// The day, `YYYY-MM-DD`.
    pub supplied_on: String,
    /// Units, if known.
    #[serde(default)]
    pub quantity: Option<i64>,
}

/// Records a supply (editors; Art. 23(1): operators identify who supplied them and whom they
/// supplied). An importer or distributor supplying onwards needs a passing check first: the
/// product is not placed (Art. 19(3)) or made available (Art. 20(3)) otherwise.
pub(crate) async fn add_supply(
    app: &App,
    who: &Principal,
    product_id: i64,
    operator_id: i64,
    input: &SupplyInput,
) -> Result<SupplyRecord, ServiceError> {
    who.require(Role::Editor)?;
    let op = operator_of(app, who, product_id, operator_id).await?;
    if !matches!(input.direction.as_str(), "supplied-by" | "supplied-to") {
        return Err(ServiceError::invalid(
            "direction",
            "direction must be supplied-by or supplied-to (CRA Art. 23(1))",
        ));
    }
    let on = iso_date::parse(input.supplied_on.trim())
        .map_err(|e| ServiceError::invalid("supplied_on", e))?;
    if on > app.now_at().date() {
        return Err(ServiceError::invalid(
            "supplied_on",
            "a supply is recorded once it happened, not ahead",
        ));
    }
    let role = OperatorRole::parse(&op.role).map_err(|e| ServiceError::internal(e.to_string()))?;
    if input.direction == "supplied-to" && role != OperatorRole::AuthorisedRepresentative {
        let latest = app
            .store
            .operator_checks(who.org_id, operator_id)
            .await?
            .into_iter()
            .next();
        match latest {
            Some(c) if c.passed => {}
            Some(c) => {
                let result: CheckResult = serde_json::from_value(c.result)
                    .map_err(|e| ServiceError::internal(format!("stored check: {e}")))?;
                return Err(ServiceError::conflict(result.refusal().unwrap_or_default())
                    .with_code("check_failed"));
            }
            None => {
                return Err(ServiceError::conflict(format!(
                    "{} {} has not checked the product yet ({})",
                    role.as_str(),
                    op.name,
                    if role == OperatorRole::Importer {
                        "CRA Art. 19(2)"
                    } else {
                        "CRA Art. 20(2)"
                    }
                ))
                .with_code("check_missing"));
            }
        }
    }
    let keep_until = operators::supply_kept_until(on)
        .map_err(|e| ServiceError::invalid("supplied_on", e.to_string()))?;
    Ok(app
        .store
        .add_supply_record(
            who.org_id,
            operator_id,
            NewSupply {
                direction: &input.direction,
                party: input.party.trim(),
                party_address: input.party_address.trim(),
                supplied_on: &iso_date::format(on),
                quantity: input.quantity,
                keep_until: &iso_date::format(keep_until),
            },
            &who.actor,
            app.clock.now(),
        )
        .await?)
}

/// A listing of the caller's operator organisation, with what the manufacturer's facts say
/// for its check and its own records.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct SuppliedLine {
    /// The listing (manufacturer, product, role, member state).
    #[serde(flatten)]
    pub link: cyres_store::OperatorLink,
    /// Its latest check, if any.
    pub latest_check: Option<OperatorCheck>,
    /// Its Art. 23 supply records.
    pub supply_records: Vec<SupplyRecord>,
}

/// The principal the operator organisation acts as on one of its listings: the listing's
/// manufacturer organisation, editor, with the operator's person (and organisation) in the
/// audit trail. Only the check and supply operations below use it, for that listing only.
async fn as_listed_operator(
    app: &App,
    who: &Principal,
    operator_id: i64,
) -> Result<(Principal, cyres_store::OperatorLink), ServiceError> {
    let me = app.store.org(who.org_id).await?;
    let link = app
        .store
        .operator_links(who.org_id)
        .await?
        .into_iter()
        .find(|l| l.operator.id == operator_id)
        .ok_or_else(|| ServiceError::not_found("listing"))?;
    let acting = Principal {
        org_id: link.manufacturer_org_id,
        role: Role::Editor,
        actor: cyres_store::Actor {
            id: who.actor.id.clone(),
            label: format!("{} ({})", who.actor.label, me.name),
        },
        account_id: who.account_id,
    };
    Ok((acting, link))
}

/// The listings naming the caller's organisation as importer, distributor or authorised
/// representative (viewers of that organisation), each with its latest check and supplies.
pub(crate) async fn supplied(
    app: &App,
    who: &Principal,
) -> Result<Vec<SuppliedLine>, ServiceError> {
    who.require(Role::Viewer)?;
    let mut out = Vec::new();
    for link in app.store.operator_links(who.org_id).await? {
        let m = link.manufacturer_org_id;
        let latest_check = app
            .store
            .operator_checks(m, link.operator.id)
            .await?
            .into_iter()
            .next();
        let supply_records = app
            .store
            .supply_records(m, link.operator.product_id)
            .await?
            .into_iter()
            .filter(|s| s.operator_id == link.operator.id)
            .collect();
        out.push(SuppliedLine {
            link,
            latest_check,
            supply_records,
        });
    }
    Ok(out)
}

/// How many listings name the caller's organisation (the dashboard's pointer): one query, no
/// checks or supplies read.
pub(crate) async fn supplied_count(app: &App, who: &Principal) -> Result<usize, ServiceError> {
    who.require(Role::Viewer)?;
    Ok(app.store.operator_links(who.org_id).await?.len())
}

/// The operator organisation runs its own check on one of its listings (its editors): the
/// same rule as [`run_check`], recorded under the operator's name.
pub(crate) async fn supplied_check(
    app: &App,
    who: &Principal,
    operator_id: i64,
    ce_marking_seen: bool,
) -> Result<CheckOutcome, ServiceError> {
    who.require(Role::Editor)?;
    let (acting, link) = as_listed_operator(app, who, operator_id).await?;
    run_check(
        app,
        &acting,
        link.operator.product_id,
        operator_id,
        ce_marking_seen,
    )
    .await
}

/// The operator organisation records one of its supplies (its editors): the same rule as
/// [`add_supply`] (supplying onwards needs a passing check first).
pub(crate) async fn supplied_supply(
    app: &App,
    who: &Principal,
    operator_id: i64,
    input: &SupplyInput,
) -> Result<SupplyRecord, ServiceError> {
    who.require(Role::Editor)?;
    let (acting, link) = as_listed_operator(app, who, operator_id).await?;
    add_supply(app, &acting, link.operator.product_id, operator_id, input).await
}

/// Deletes a supply record (administrators), refused on or before its Art. 23(2) date.
pub(crate) async fn delete_supply(
    app: &App,
    who: &Principal,
    product_id: i64,
    supply_id: i64,
) -> Result<(), ServiceError> {
    who.require(Role::Admin)?;
    let rec = app
        .store
        .supply_records(who.org_id, product_id)
        .await?
        .into_iter()
        .find(|s| s.id == supply_id)
        .ok_or_else(|| ServiceError::not_found("supply record"))?;
    let until = iso_date::parse(&rec.keep_until)
        .map_err(|e| ServiceError::internal(format!("stored supply record: {e}")))?;
    Ok(app
        .store
        .delete_supply_record(
            who.org_id,
            supply_id,
            (until, app.now_at().date()),
            &who.actor,
            app.clock.now(),
        )
        .await?)
}

/// Publishes issued declaration `version` at the product's public declaration address
/// (editors); the simplified declaration points there (Annex VI).
pub(crate) async fn publish_declaration(
    app: &App,
    who: &Principal,
    product_id: i64,
    version: i64,
) -> Result<String, ServiceError> {
    who.require(Role::Editor)?;
    app.store
        .publish_declaration(who.org_id, product_id, version, &who.actor, app.clock.now())
        .await?;
    let org = app.store.org(who.org_id).await?;
    Ok(conf::declaration_url(app, &org, product_id))
}

/// The published declaration of product `product_id` of the organisation with slug `slug`,
/// for the public: not found until one is published.
pub(crate) async fn public_declaration(
    app: &App,
    slug: &str,
    product_id: i64,
    format: DocFormat,
    lang: &str,
) -> Result<Vec<u8>, ServiceError> {
    let t = Translations::get(lang).map_err(|e| ServiceError::invalid("lang", e.to_string()))?;
    let org = app.store.org_by_slug(slug).await?;
    let (version, _) = app
        .store
        .published_declaration(org.id, product_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("declaration"))?;
    let stored = app
        .store
        .conformity_declaration(org.id, product_id, version)
        .await?;
    let issued = conf::issued_of(&stored.body)?;
    conf::render_full(&issued, &t, format, None)
}

/// The published version and its address, if any (viewers).
pub(crate) async fn publication(
    app: &App,
    who: &Principal,
    product_id: i64,
) -> Result<(String, Option<(i64, i64)>), ServiceError> {
    who.require(Role::Viewer)?;
    let org = app.store.org(who.org_id).await?;
    Ok((
        conf::declaration_url(app, &org, product_id),
        app.store
            .published_declaration(who.org_id, product_id)
            .await?,
    ))
}

/// A market surveillance authority's request as given.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RequestInput {
    /// The authority's name.
    pub authority: String,
    /// Its member state (ISO code).
    pub member_state: String,
    /// Its reference.
    pub reference: String,
    /// The reasons given (Art. 13(13) and (22)-style requests are reasoned).
    #[serde(default)]
    pub reason: String,
    /// When it arrived (RFC 3339); defaults to now.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub received_at: Option<OffsetDateTime>,
}

/// Records a market surveillance authority's request for the documentation (editors).
pub(crate) async fn record_request(
    app: &App,
    who: &Principal,
    product_id: i64,
    input: &RequestInput,
) -> Result<AuthorityRequest, ServiceError> {
    who.require(Role::Editor)?;
    let ms = MemberState::from_code(input.member_state.trim()).ok_or_else(|| {
        ServiceError::invalid(
            "member_state",
            "not the ISO 3166-1 code of an EU member state",
        )
    })?;
    let now = app.now_at();
    let received = input.received_at.unwrap_or(now);
    if received > now {
        return Err(ServiceError::invalid(
            "received_at",
            "a request is recorded once received",
        ));
    }
    Ok(app
        .store
        .add_authority_request(
            who.org_id,
            product_id,
            NewAuthorityRequest {
                authority: input.authority.trim(),
                member_state: ms.code(),
                reference: input.reference.trim(),
                reason: input.reason.trim(),
                received_at: received.unix_timestamp(),
            },
            &who.actor,
            app.clock.now(),
        )
        .await?)
}

/// One thing handed over, with what identifies it.
#[derive(Clone, Debug, Serialize)]
struct HandedOver {
    item: String,
    what: String,
    sha256: String,
}

/// Records what was handed over for request `request_id`, now (editors; once). Items:
/// `techdoc` (the Annex VII ZIP as generated now), `declaration:N`, `sbom:RELEASE`,
/// `document:ID:VERSION`; each is recorded with its SHA-256 (the fingerprint for a
/// declaration), so what the authority got can be shown later.
pub(crate) async fn record_handover(
    app: &App,
    who: &Principal,
    product_id: i64,
    request_id: i64,
    items: &[String],
) -> Result<AuthorityRequest, ServiceError> {
    who.require(Role::Editor)?;
    app.store
        .authority_request(who.org_id, product_id, request_id)
        .await?;
    if items.is_empty() {
        return Err(ServiceError::invalid(
            "items",
            "name what was handed over (techdoc, declaration:N, sbom:RELEASE, document:ID:VERSION)",
        ));
    }
    let sha = cyres_conformity::techdoc::sha256_hex;
    let mut out = Vec::new();
    for item in items {
        let parts: Vec<&str> = item.split(':').collect();
        let entry = match parts.as_slice() {
            ["techdoc"] => {
                let zip = conf::techdoc_zip(app, who, product_id, "en").await?;
                HandedOver {
                    item: item.clone(),
                    what: "technical documentation (CRA Art. 31, Annex VII), ZIP".into(),
                    sha256: sha(&zip),
                }
            }
            ["declaration", v] => {
                let v: i64 = v.parse().map_err(|_| {
                    ServiceError::invalid("items", format!("{item}: not a version"))
                })?;
                let d = app
                    .store
                    .conformity_declaration(who.org_id, product_id, v)
                    .await?;
                HandedOver {
                    item: item.clone(),
                    what: format!("EU declaration of conformity version {v} (CRA Art. 28)"),
                    sha256: d.fingerprint.trim_start_matches("sha256:").to_string(),
                }
            }
            ["sbom", release] => {
                let r = app
                    .store
                    .releases(who.org_id, product_id)
                    .await?
                    .into_iter()
                    .find(|r| r.version == *release)
                    .ok_or_else(|| {
                        ServiceError::invalid("items", format!("{item}: no such release"))
                    })?;
                let sid = r.sbom_id.ok_or_else(|| {
                    ServiceError::invalid("items", format!("{item}: the release has no SBOM"))
                })?;
                let meta = app.store.sbom_meta(who.org_id, sid).await?;
                HandedOver {
                    item: item.clone(),
                    what: format!(
                        "SBOM of release {release}, {} (Annex VII point (8))",
                        meta.file_name
                    ),
                    sha256: meta.sha256,
                }
            }
            ["document", id, v] => {
                let v: i64 = v.parse().map_err(|_| {
                    ServiceError::invalid("items", format!("{item}: not a version"))
                })?;
                let (u, _) = conf::document_file(app, who, product_id, id, v).await?;
                HandedOver {
                    item: item.clone(),
                    what: format!("{} ({}), version {v}", u.title, u.kind),
                    sha256: u.sha256,
                }
            }
            _ => {
                return Err(ServiceError::invalid(
                    "items",
                    format!(
                        "{item}: not techdoc, declaration:N, sbom:RELEASE or document:ID:VERSION"
                    ),
                ));
            }
        };
        out.push(entry);
    }
    let json = super::to_json("handed over", &out)?;
    Ok(app
        .store
        .record_handover(
            who.org_id,
            product_id,
            request_id,
            &json,
            &who.actor,
            app.clock.now(),
        )
        .await?)
}

/// A product's authority requests (viewers).
pub(crate) async fn requests(
    app: &App,
    who: &Principal,
    product_id: i64,
) -> Result<Vec<AuthorityRequest>, ServiceError> {
    who.require(Role::Viewer)?;
    app.store.product(who.org_id, product_id).await?;
    Ok(app.store.authority_requests(who.org_id, product_id).await?)
}

/// The simplified declaration (Annex VI) of issued `version` as text, for the product page.
pub(crate) async fn simplified_text(
    app: &App,
    who: &Principal,
    product_id: i64,
    version: i64,
) -> Result<String, ServiceError> {
    who.require(Role::Viewer)?;
    let stored = app
        .store
        .conformity_declaration(who.org_id, product_id, version)
        .await?;
    let issued = conf::issued_of(&stored.body)?;
    let t = Translations::get("en").map_err(|e| ServiceError::internal(e.to_string()))?;
    Ok(declaration::simplified(&issued, &t)
        .map_err(|e| ServiceError::invalid("declaration", e.to_string()))?
        .text)
}
