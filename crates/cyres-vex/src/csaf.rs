//! The CSAF 2.0 VEX profile (`csaf_vex`, section 4.5), made with `cyres_csaf::generate::generate`
//! (so the document passes the schema rules and the mandatory tests of section 6.1) and read
//! with `cyres_csaf::read`.
//!
//! Written: the release is a `product_version` branch under vendor (the author) and product
//! name; each component a branch of its own under the same vendor (name and version are read
//! back from the branch names, exactly), with a `default_component_of` relationship to the
//! release; the statuses, flags, threats and remediations of each vulnerability name the
//! relationship's product id.
//!
//! | model | CSAF 2.0 |
//! | --- | --- |
//! | status | `product_status`: `known_affected`, `known_not_affected`, `fixed`, `under_investigation` |
//! | justification | a flag (section 3.2.3.5) with the same label |
//! | impact statement | a threat of category `impact` (section 3.2.3.14) |
//! | action statement, responses | remediations (section 3.2.3.12) with the action statement as `details`: update → `vendor_fix`, workaround_available → `workaround`, will_not_fix → `no_fix_planned`, can_not_fix → `none_available`; an action statement without a response is a `mitigation` |
//! | document author / timestamp | `publisher.name` / the revision's date |
//! | per-statement timestamps and author, the `rollback` response | not held |
//!
//! Read from others, a status on a product id that no relationship makes a component of the
//! release is taken as a statement on that product itself (its branch or full product name).

use std::collections::BTreeMap;

use cyres_csaf::generate::{
    AdvisoryInput, ComponentInput, ProductInput, PublisherInput, ReleaseInput, RemediationInput,
    RevisionInput, StatusInput, VulnerabilityInput,
};
use cyres_csaf::model::{
    Branch, BranchCategory, Document, DocumentStatus, FlagLabel, PublisherCategory,
    RemediationCategory, ThreatCategory, TlpLabel,
};
use cyres_csaf::{Profile, revision::Change, revision::Versioning};
use time::OffsetDateTime;

use crate::model::{Justification, Response, Statement, Status, Subject, VexDocument};
use crate::{DEFAULT_ACTION, Read, VexError, WriteOptions, time_fmt};

const RELEASE_ID: &str = "CSAFPID-RELEASE";

fn flag(j: Justification) -> FlagLabel {
    match j {
        Justification::ComponentNotPresent => FlagLabel::ComponentNotPresent,
        Justification::VulnerableCodeNotPresent => FlagLabel::VulnerableCodeNotPresent,
        Justification::VulnerableCodeNotInExecutePath => FlagLabel::VulnerableCodeNotInExecutePath,
        Justification::VulnerableCodeCannotBeControlledByAdversary => {
            FlagLabel::VulnerableCodeCannotBeControlledByAdversary
        }
        Justification::InlineMitigationsAlreadyExist => FlagLabel::InlineMitigationsAlreadyExist,
    }
}

fn unflag(f: FlagLabel) -> Justification {
    Justification::ALL
        .into_iter()
        .find(|j| flag(*j) == f)
        .expect("every flag label is a justification")
}

fn category(r: Response) -> Option<RemediationCategory> {
    match r {
        Response::Update => Some(RemediationCategory::VendorFix),
        Response::WorkaroundAvailable => Some(RemediationCategory::Workaround),
        Response::WillNotFix => Some(RemediationCategory::NoFixPlanned),
        Response::CanNotFix => Some(RemediationCategory::NoneAvailable),
        Response::Rollback => None,
    }
}

fn response(c: RemediationCategory) -> Option<Response> {
    Response::ALL.into_iter().find(|r| category(*r) == Some(c))
}

fn err(e: cyres_csaf::CsafError) -> VexError {
    VexError::Invalid {
        format: "CSAF",
        problems: vec![e.to_string()],
    }
}

/// A tracking id from the release (section 3.2.1.12.4: unique for the publisher; the file name
/// of section 5.1 is derived from it).
fn tracking_id(doc: &VexDocument) -> String {
    let raw = format!("VEX-{}-{}", doc.product.name, doc.product.version);
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "+-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes the document as a CSAF 2.0 `csaf_vex` document.
pub fn write(doc: &VexDocument, opts: &WriteOptions) -> Result<String, VexError> {
    let input = advisory_input(doc, opts)?;
    let d = cyres_csaf::generate::generate(&input).map_err(err)?;
    Ok(cyres_csaf::to_json(&d))
}

/// The `cyres_csaf` input [`write()`] generates from: a final, TLP:WHITE, integer-versioned
/// document with one revision at the document's timestamp. A publisher that keeps revisions
/// (the server's CSAF provider) changes the tracking id, TLP, status and revisions before it
/// generates.
pub fn advisory_input(doc: &VexDocument, opts: &WriteOptions) -> Result<AdvisoryInput, VexError> {
    let at = OffsetDateTime::from_unix_timestamp(doc.timestamp).map_err(|e| VexError::Invalid {
        format: "CSAF",
        problems: vec![format!("timestamp: {e}")],
    })?;
    let mut components: Vec<&Subject> = Vec::new();
    let mut by_vuln: BTreeMap<&str, Vec<(String, &Statement)>> = BTreeMap::new();
    for s in &doc.statements {
        let n = match components.iter().position(|c| **c == s.component) {
            Some(n) => n,
            None => {
                components.push(&s.component);
                components.len() - 1
            }
        };
        let pid = cyres_csaf::generate::component_in(&format!("CSAFPID-C{}", n + 1), RELEASE_ID);
        by_vuln.entry(&s.vulnerability).or_default().push((pid, s));
    }
    // Components are branches vendor → name → version: two components may not share a name
    // and version (the second would replace the first's product, test 6.1.1 would fail).
    for (i, c) in components.iter().enumerate() {
        if components[..i]
            .iter()
            .any(|o| o.name == c.name && o.version == c.version)
        {
            return Err(VexError::Invalid {
                format: "CSAF",
                problems: vec![format!(
                    "two components are named {} {} with different package URLs",
                    c.name, c.version
                )],
            });
        }
    }
    let vulnerabilities = by_vuln
        .into_iter()
        .map(|(id, list)| {
            let (cve, ids) = if id.starts_with("CVE-") {
                (Some(id.to_string()), Vec::new())
            } else {
                let system = id.split('-').next().unwrap_or(id).to_string();
                (None, vec![(system, id.to_string())])
            };
            let mut statuses = Vec::new();
            let mut remediations: Vec<RemediationInput> = Vec::new();
            for (pid, s) in list {
                statuses.push((
                    pid.clone(),
                    match s.status {
                        Status::Affected => StatusInput::Affected,
                        Status::Fixed => StatusInput::Fixed,
                        Status::UnderInvestigation => StatusInput::UnderInvestigation,
                        Status::NotAffected => StatusInput::NotAffected {
                            justification: s.justification.map(flag),
                            impact: s.impact_statement.clone(),
                        },
                    },
                ));
                let mut cats: Vec<RemediationCategory> =
                    s.responses.iter().filter_map(|r| category(*r)).collect();
                if cats.is_empty() && (s.action_statement.is_some() || s.status == Status::Affected)
                {
                    cats.push(RemediationCategory::Mitigation);
                }
                let details = s
                    .action_statement
                    .clone()
                    .unwrap_or_else(|| DEFAULT_ACTION.to_string());
                for c in cats {
                    match remediations
                        .iter_mut()
                        .find(|r| r.category == c && r.details == details)
                    {
                        Some(r) => r.product_ids.push(pid.clone()),
                        None => remediations.push(RemediationInput {
                            category: c,
                            details: details.clone(),
                            url: None,
                            date: None,
                            product_ids: vec![pid.clone()],
                            restart_required: None,
                        }),
                    }
                }
            }
            VulnerabilityInput {
                cve,
                ids,
                description: format!("{id}: the manufacturer's assessment for this product."),
                statuses,
                remediations,
                ..Default::default()
            }
        })
        .collect();
    let input = AdvisoryInput {
        profile: Profile::Vex,
        tracking_id: tracking_id(doc),
        title: format!("VEX for {} {}", doc.product.name, doc.product.version),
        publisher: PublisherInput {
            category: PublisherCategory::Vendor,
            name: doc.author.clone(),
            namespace: opts.namespace.clone(),
            contact_details: None,
            issuing_authority: None,
        },
        lang: None,
        tlp: TlpLabel::White,
        distribution_text: None,
        summary: format!(
            "The exploitability of vulnerabilities in the components of {} {}.",
            doc.product.name, doc.product.version
        ),
        notes: Vec::new(),
        references: Vec::new(),
        self_url: None,
        aggregate_severity: None,
        status: DocumentStatus::Final,
        versioning: Versioning::Integer,
        revisions: vec![RevisionInput {
            date: at,
            summary: "Initial version.".into(),
            change: Change::Major,
        }],
        generated_at: at,
        engine_version: opts.engine_version.clone(),
        products: vec![ProductInput {
            vendor: doc.author.clone(),
            name: doc.product.name.clone(),
            releases: vec![ReleaseInput {
                id: RELEASE_ID.into(),
                version: doc.product.version.clone(),
                purl: doc.product.purl.clone(),
                cpe: None,
                sbom_url: None,
            }],
        }],
        components: components
            .iter()
            .enumerate()
            .map(|(n, c)| ComponentInput {
                id: format!("CSAFPID-C{}", n + 1),
                vendor: Some(doc.author.clone()),
                name: c.name.clone(),
                version: c.version.clone(),
                purl: c.purl.clone(),
                cpe: None,
                in_releases: vec![RELEASE_ID.into()],
            })
            .collect(),
        vulnerabilities,
    };
    Ok(input)
}

/// A product outside a version branch: its full name, the version from its package URL.
fn named(name: &str, purl: Option<String>) -> Subject {
    let mut s = purl
        .as_deref()
        .map(crate::cyclonedx::subject_from_ref)
        .unwrap_or_else(Subject::unnamed);
    s.name = name.to_string();
    s
}

/// Every product in the branches, by product id: (product name, version, purl).
fn walk(branches: &[Branch], name: Option<&str>, out: &mut BTreeMap<String, Subject>) {
    for b in branches {
        let here = if b.category == BranchCategory::ProductName {
            Some(b.name.as_str())
        } else {
            name
        };
        if let Some(p) = &b.product {
            let purl = p
                .product_identification_helper
                .as_ref()
                .and_then(|h| h.purl.clone());
            let subject = if b.category == BranchCategory::ProductVersion {
                Subject {
                    name: here.unwrap_or(&p.name).to_string(),
                    version: b.name.clone(),
                    purl,
                }
            } else {
                named(&p.name, purl)
            };
            out.insert(p.product_id.clone(), subject);
        }
        if let Some(children) = &b.branches {
            walk(children, here, out);
        }
    }
}

/// Reads a CSAF 2.0 document (any profile with vulnerabilities; `csaf_vex` is the one made for
/// this) after `cyres_csaf::read`'s schema checks and mandatory tests.
pub fn read(bytes: &[u8]) -> Result<Read, VexError> {
    let d: Document = cyres_csaf::read(bytes).map_err(err)?;
    let mut products = BTreeMap::new();
    let tree = d.product_tree.clone().unwrap_or_default();
    walk(
        tree.branches.as_deref().unwrap_or_default(),
        None,
        &mut products,
    );
    for p in tree.full_product_names.iter().flatten() {
        let purl = p
            .product_identification_helper
            .as_ref()
            .and_then(|h| h.purl.clone());
        products.insert(p.product_id.clone(), named(&p.name, purl));
    }
    // component-in-release id → (component, release)
    let mut rel: BTreeMap<String, (Subject, Subject)> = BTreeMap::new();
    for r in tree.relationships.iter().flatten() {
        if let (Some(c), Some(p)) = (
            products.get(&r.product_reference),
            products.get(&r.relates_to_product_reference),
        ) {
            rel.insert(
                r.full_product_name.product_id.clone(),
                (c.clone(), p.clone()),
            );
        }
    }
    let mut product: Option<Subject> = rel.values().next().map(|(_, p)| p.clone());
    let timestamp = time_fmt::parse(&d.document.tracking.current_release_date).unwrap_or(0);
    let mut statements = Vec::new();
    let mut notes = Vec::new();
    for v in d.vulnerabilities.iter().flatten() {
        let Some(id) = v
            .cve
            .clone()
            .or_else(|| v.ids.iter().flatten().next().map(|i| i.text.clone()))
        else {
            continue;
        };
        let Some(ps) = &v.product_status else {
            continue;
        };
        let lists = [
            (&ps.known_affected, Status::Affected),
            (&ps.known_not_affected, Status::NotAffected),
            (&ps.fixed, Status::Fixed),
            (&ps.first_fixed, Status::Fixed),
            (&ps.under_investigation, Status::UnderInvestigation),
        ];
        for (list, status) in lists {
            for pid in list.iter().flatten() {
                let component = match rel.get(pid) {
                    Some((c, _)) => c.clone(),
                    None => match products.get(pid) {
                        Some(p) => {
                            notes.push((
                                statements.len(),
                                format!("{pid} is not a component of a release: read as one"),
                            ));
                            product.get_or_insert_with(|| p.clone());
                            p.clone()
                        }
                        None => continue,
                    },
                };
                let names = |ids: &Option<Vec<String>>| ids.iter().flatten().any(|x| x == pid);
                let (justification, impact_statement) = if status == Status::NotAffected {
                    (
                        v.flags
                            .iter()
                            .flatten()
                            .find(|f| names(&f.product_ids))
                            .map(|f| unflag(f.label)),
                        v.threats
                            .iter()
                            .flatten()
                            .find(|t| t.category == ThreatCategory::Impact && names(&t.product_ids))
                            .map(|t| t.details.clone()),
                    )
                } else {
                    (None, None)
                };
                let rems: Vec<_> = v
                    .remediations
                    .iter()
                    .flatten()
                    .filter(|r| names(&r.product_ids))
                    .collect();
                let mut responses: Vec<Response> =
                    rems.iter().filter_map(|r| response(r.category)).collect();
                responses.sort();
                responses.dedup();
                statements.push(Statement {
                    vulnerability: id.clone(),
                    component,
                    status,
                    justification,
                    impact_statement,
                    action_statement: rems.first().map(|r| r.details.clone()),
                    responses,
                    first_issued: None,
                    last_updated: None,
                    author: None,
                });
            }
        }
    }
    Ok(Read {
        document: VexDocument {
            author: d.document.publisher.name.clone(),
            timestamp,
            product: product.unwrap_or(Subject::unnamed()),
            statements,
        },
        notes,
    })
}
