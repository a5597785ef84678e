//! Making CSAF documents from cyres's facts.
//!
//! The server fills an [`AdvisoryInput`] from a case or a set of findings (products and their
//! releases, SBOM components, vulnerabilities with their triage, fixes and the TUF update that
//! carries them, scores, exploitation from KEV/EUVD, the revisions published so far) and calls
//! [`generate`]. The result is checked against the schema rules and every mandatory test of
//! section 6.1 before it is returned: a document that would fail is an error naming the failed
//! tests, never output.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::CsafError;
use crate::model::*;
use crate::profile::Profile;
pub use crate::revision::{Change, Versioning, classify_change, revision_numbers};
use crate::version::DocVersion;

/// The engine name written to `document.tracking.generator` (section 3.2.1.12.3).
pub const ENGINE: &str = "cyres";

/// Everything a document is made from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdvisoryInput {
    /// `csaf_security_advisory`, `csaf_vex` or `csaf_informational_advisory` (section 4).
    pub profile: Profile,
    /// The tracking id, unique for the publisher (section 3.2.1.12.4); also the file name's
    /// source (section 5.1).
    pub tracking_id: String,
    /// Document title (section 3.2.1.11).
    pub title: String,
    /// The publisher (section 3.2.1.8).
    pub publisher: PublisherInput,
    /// Document language (BCP 47, section 3.2.1.6); `en` when absent.
    #[serde(default)]
    pub lang: Option<String>,
    /// TLP label (section 3.2.1.5.2). CSAF 2.0's `WHITE` is TLP 2.0's `CLEAR`.
    pub tlp: TlpLabel,
    /// Free-text distribution rules.
    #[serde(default)]
    pub distribution_text: Option<String>,
    /// The document's summary (a `summary` note, section 3.2.1.7).
    pub summary: String,
    /// Further document notes (legal disclaimer, details, …).
    #[serde(default)]
    pub notes: Vec<Note>,
    /// Document references (section 3.2.1.9); an informational advisory needs an external one
    /// (section 4.3, test 6.1.27.2).
    #[serde(default)]
    pub references: Vec<Reference>,
    /// The URL the document will be published at (see
    /// [`crate::provider::Provider::canonical_url`]), written as a `self` reference.
    #[serde(default)]
    pub self_url: Option<String>,
    /// The overall severity (section 3.2.1.2), e.g. `Critical`.
    #[serde(default)]
    pub aggregate_severity: Option<String>,
    /// Draft, interim or final (section 3.2.1.12.7).
    pub status: DocumentStatus,
    /// Integer or semantic versioning (section 3.1.11).
    pub versioning: Versioning,
    /// The published revisions so far, oldest first, including the one being made (for a
    /// released document). A draft may have none: it is then version 0 or 0.1.0 (section
    /// 3.1.11.1 rule 2, section 3.1.11.2 rule 3).
    #[serde(default)]
    pub revisions: Vec<RevisionInput>,
    /// When the document is generated (the injected clock's now).
    pub generated_at: OffsetDateTime,
    /// The cyres version, for the generator engine.
    #[serde(default)]
    pub engine_version: Option<String>,
    /// The products and their releases.
    #[serde(default)]
    pub products: Vec<ProductInput>,
    /// SBOM components of the releases.
    #[serde(default)]
    pub components: Vec<ComponentInput>,
    /// The vulnerabilities (none for an informational advisory, section 4.3).
    #[serde(default)]
    pub vulnerabilities: Vec<VulnerabilityInput>,
}

/// The publisher (section 3.2.1.8).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PublisherInput {
    /// Usually `vendor` for a manufacturer.
    pub category: PublisherCategory,
    /// The organisation's name.
    pub name: String,
    /// A URL the organisation controls (section 3.2.1.8.4).
    pub namespace: String,
    /// How to reach its PSIRT.
    #[serde(default)]
    pub contact_details: Option<String>,
    /// Who authorises the document.
    #[serde(default)]
    pub issuing_authority: Option<String>,
}

/// One published revision.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RevisionInput {
    /// When it was (or is being) published.
    pub date: OffsetDateTime,
    /// What changed.
    pub summary: String,
    /// The kind of change ([`classify_change`] gives the least one allowed); the first
    /// revision is the initial release whatever it says.
    pub change: Change,
}

/// A product and its releases.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProductInput {
    /// The manufacturer (the `vendor` branch).
    pub vendor: String,
    /// The product's name (the `product_name` branch).
    pub name: String,
    /// Its releases (the `product_version` branches).
    pub releases: Vec<ReleaseInput>,
}

/// One release of a product: a `product_version` branch and a full product name.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReleaseInput {
    /// The CSAF product id (section 3.1.4), unique in the document; vulnerabilities refer to it.
    pub id: String,
    /// The release's version: one version, never a range (test 6.1.31).
    pub version: String,
    /// Package URL of the release.
    #[serde(default)]
    pub purl: Option<String>,
    /// CPE 2.3 name of the release.
    #[serde(default)]
    pub cpe: Option<String>,
    /// Where the release's SBOM is published.
    #[serde(default)]
    pub sbom_url: Option<String>,
}

/// A component from a release's SBOM.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ComponentInput {
    /// The CSAF product id of the component itself.
    pub id: String,
    /// Its supplier; components without one are listed in `full_product_names`.
    #[serde(default)]
    pub vendor: Option<String>,
    /// Component name.
    pub name: String,
    /// Component version.
    pub version: String,
    /// Package URL.
    #[serde(default)]
    pub purl: Option<String>,
    /// CPE 2.3 name.
    #[serde(default)]
    pub cpe: Option<String>,
    /// The releases (their ids) that contain it: each becomes a `default_component_of`
    /// relationship whose product id is [`component_in`]. List only components and releases
    /// the vulnerabilities speak about: an unreferenced product is a warning of the
    /// recommended test 6.2.1.
    #[serde(default)]
    pub in_releases: Vec<String>,
}

/// The product id of "component `component` as part of release `release`" (a relationship's
/// `full_product_name`, section 3.2.2.4).
pub fn component_in(component: &str, release: &str) -> String {
    format!("{component}:{release}")
}

/// One vulnerability.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct VulnerabilityInput {
    /// The CVE id (section 3.2.3.2).
    #[serde(default)]
    pub cve: Option<String>,
    /// Other ids: GHSA, EUVD, OSV, … as (system name, id) (section 3.2.3.6).
    #[serde(default)]
    pub ids: Vec<(String, String)>,
    /// A short title.
    #[serde(default)]
    pub title: Option<String>,
    /// What the vulnerability is (a `description` note; the profiles need one, test 6.1.27.5).
    pub description: String,
    /// Further notes.
    #[serde(default)]
    pub notes: Vec<Note>,
    /// The weakness as (`CWE-79`, its catalogue name).
    #[serde(default)]
    pub cwe: Option<(String, String)>,
    /// When the manufacturer learnt of it.
    #[serde(default)]
    pub discovery_date: Option<OffsetDateTime>,
    /// When it was made public.
    #[serde(default)]
    pub release_date: Option<OffsetDateTime>,
    /// The status of each product (release, component or component-in-release id).
    #[serde(default)]
    pub statuses: Vec<(String, StatusInput)>,
    /// Fixes and mitigations.
    #[serde(default)]
    pub remediations: Vec<RemediationInput>,
    /// CVSS vectors (v2, v3.0, v3.1) and the products they score.
    #[serde(default)]
    pub scores: Vec<ScoreInput>,
    /// Exploitation known from KEV, EUVD or elsewhere.
    #[serde(default)]
    pub exploitation: Vec<ExploitationInput>,
    /// Links (the advisory at the source, the CVE record, …).
    #[serde(default)]
    pub references: Vec<Reference>,
    /// Credit, e.g. the reporter of a coordinated disclosure who agreed to be named
    /// (section 3.2.3.1).
    #[serde(default)]
    pub acknowledgments: Vec<Acknowledgment>,
}

/// A product's status from triage (section 3.2.3.9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum StatusInput {
    /// `known_affected`.
    Affected,
    /// `fixed`.
    Fixed,
    /// `known_not_affected`, with the VEX justification (a flag, section 3.2.3.5) and/or an
    /// impact statement (a threat of category `impact`); one of them is needed (test 6.1.27.9).
    NotAffected {
        /// The justification code.
        #[serde(default)]
        justification: Option<FlagLabel>,
        /// Why, in words.
        #[serde(default)]
        impact: Option<String>,
    },
    /// `under_investigation`.
    UnderInvestigation,
}

/// A remediation (section 3.2.3.12).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RemediationInput {
    /// `vendor_fix` for a fixing release, `mitigation`, `workaround`, …
    pub category: RemediationCategory,
    /// What to do, e.g. "Update to 2.4.1; the update is delivered through the secure update
    /// channel.".
    pub details: String,
    /// For a vendor fix: the TUF update URL (or download page) of the fixing release.
    #[serde(default)]
    pub url: Option<String>,
    /// When it became available.
    #[serde(default)]
    pub date: Option<OffsetDateTime>,
    /// The products it applies to (test 6.1.29 needs at least one).
    pub product_ids: Vec<String>,
    /// What applying it restarts (section 3.2.3.12.7), e.g. the whole device (`machine`).
    #[serde(default)]
    pub restart_required: Option<RestartCategory>,
}

/// A CVSS score (section 3.2.3.13).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScoreInput {
    /// A CVSS v3.0/v3.1 (`CVSS:3.1/…`) or v2.0 vector.
    pub vector: String,
    /// The products it scores.
    pub product_ids: Vec<String>,
}

/// Known exploitation (a threat of category `exploit_status`, section 3.2.3.14).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExploitationInput {
    /// Where it is known from, e.g. "CISA Known Exploited Vulnerabilities catalogue" or "ENISA
    /// EUVD".
    pub source: String,
    /// When the source listed it.
    #[serde(default)]
    pub date: Option<OffsetDateTime>,
    /// Further detail (ransomware use, required action, …).
    #[serde(default)]
    pub details: Option<String>,
}

/// RFC 3339 in UTC, as the schema's `date-time` fields want.
pub fn date(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .expect("a UTC date-time formats")
}

fn err(msg: impl Into<String>) -> CsafError {
    CsafError::Input(msg.into())
}

/// Builds the `tracking` object (section 3.2.1.12).
fn tracking(input: &AdvisoryInput) -> Result<Tracking, CsafError> {
    let released = matches!(
        input.status,
        DocumentStatus::Final | DocumentStatus::Interim
    );
    let changes: Vec<Change> = input.revisions.iter().map(|r| r.change).collect();
    let mut history: Vec<Revision> = revision_numbers(input.versioning, &changes)
        .into_iter()
        .zip(&input.revisions)
        .map(|(n, r)| Revision {
            date: date(r.date),
            legacy_version: None,
            number: n.to_string(),
            summary: r.summary.clone(),
        })
        .collect();
    if history.is_empty() {
        if released {
            return Err(err(
                "a final or interim document needs at least one revision",
            ));
        }
        // Sections 3.1.11.1 rule 2 and 3.1.11.2 rule 3: before the initial release a draft is
        // version 0 (or 0.y.z); the
        // revision history still needs one item (schema: minItems 1).
        let zero = match input.versioning {
            Versioning::Integer => DocVersion::Integer(0),
            Versioning::Semantic => DocVersion::Semantic {
                major: 0,
                minor: 1,
                patch: 0,
                pre: None,
                build: None,
            },
        };
        history.push(Revision {
            date: date(input.generated_at),
            legacy_version: None,
            number: zero.to_string(),
            summary: "Draft.".into(),
        });
    }
    let first = history.first().expect("non-empty");
    let last = history.last().expect("non-empty");
    Ok(Tracking {
        aliases: None,
        current_release_date: last.date.clone(),
        generator: Some(Generator {
            date: Some(date(input.generated_at)),
            engine: Engine {
                name: ENGINE.into(),
                version: input.engine_version.clone(),
            },
        }),
        id: input.tracking_id.clone(),
        initial_release_date: first.date.clone(),
        version: last.number.clone(),
        revision_history: history,
        status: input.status,
    })
}

fn helper(
    purl: &Option<String>,
    cpe: &Option<String>,
    sbom_url: Option<&String>,
) -> Option<ProductIdentificationHelper> {
    let h = ProductIdentificationHelper {
        purl: purl.clone(),
        cpe: cpe.clone(),
        sbom_urls: sbom_url.map(|u| vec![u.clone()]),
        ..Default::default()
    };
    (h != ProductIdentificationHelper::default()).then_some(h)
}

/// Finds or appends the branch `(category, name)` among `branches`.
fn branch<'a>(
    branches: &'a mut Vec<Branch>,
    category: BranchCategory,
    name: &str,
) -> &'a mut Branch {
    let pos = branches
        .iter()
        .position(|b| b.category == category && b.name == name);
    let i = pos.unwrap_or_else(|| {
        branches.push(Branch {
            branches: None,
            category,
            name: name.to_string(),
            product: None,
        });
        branches.len() - 1
    });
    &mut branches[i]
}

fn leaf(tree: &mut Vec<Branch>, vendor: &str, product: &str, version: &str, fpn: FullProductName) {
    let v = branch(tree, BranchCategory::Vendor, vendor);
    let p = branch(
        v.branches.get_or_insert_with(Vec::new),
        BranchCategory::ProductName,
        product,
    );
    let leaf = branch(
        p.branches.get_or_insert_with(Vec::new),
        BranchCategory::ProductVersion,
        version,
    );
    leaf.product = Some(fpn);
}

/// The product tree: vendor → product_name → product_version branches for releases and
/// supplied components, `full_product_names` for components without a supplier, and a
/// `default_component_of` relationship per component and release (section 3.2.2).
fn product_tree(input: &AdvisoryInput) -> Result<Option<ProductTree>, CsafError> {
    let mut branches = Vec::new();
    let mut names: BTreeMap<&str, String> = BTreeMap::new();
    for p in &input.products {
        for r in &p.releases {
            if crate::validate::is_version_range(&r.version) {
                return Err(err(format!(
                    "release {} has the version range {:?}; name one version",
                    r.id, r.version
                )));
            }
            let name = format!("{} {} {}", p.vendor, p.name, r.version);
            names.insert(&r.id, name.clone());
            leaf(
                &mut branches,
                &p.vendor,
                &p.name,
                &r.version,
                FullProductName {
                    name,
                    product_id: r.id.clone(),
                    product_identification_helper: helper(&r.purl, &r.cpe, r.sbom_url.as_ref()),
                },
            );
        }
    }
    let mut loose = Vec::new();
    let mut relationships = Vec::new();
    for c in &input.components {
        let fpn = FullProductName {
            name: format!("{} {}", c.name, c.version),
            product_id: c.id.clone(),
            product_identification_helper: helper(&c.purl, &c.cpe, None),
        };
        match &c.vendor {
            Some(v) if !crate::validate::is_version_range(&c.version) => {
                leaf(&mut branches, v, &c.name, &c.version, fpn)
            }
            _ => loose.push(fpn),
        }
        for rel in &c.in_releases {
            let release = names.get(rel.as_str()).ok_or_else(|| {
                err(format!(
                    "component {} names the unknown release {rel}",
                    c.id
                ))
            })?;
            relationships.push(Relationship {
                category: RelationshipCategory::DefaultComponentOf,
                full_product_name: FullProductName {
                    name: format!("{} {} as a component of {release}", c.name, c.version),
                    product_id: component_in(&c.id, rel),
                    // The component's identifiers (recommended test 6.2.16).
                    product_identification_helper: helper(&c.purl, &c.cpe, None),
                },
                product_reference: c.id.clone(),
                relates_to_product_reference: rel.clone(),
            });
        }
    }
    let tree = ProductTree {
        branches: (!branches.is_empty()).then_some(branches),
        full_product_names: (!loose.is_empty()).then_some(loose),
        product_groups: None,
        relationships: (!relationships.is_empty()).then_some(relationships),
    };
    Ok((tree != ProductTree::default()).then_some(tree))
}

fn some_vec<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

/// Appends `id` unless present: every product list of the schema is `uniqueItems`.
fn push_unique(list: &mut Vec<String>, id: &str) {
    if !list.iter().any(|x| x == id) {
        list.push(id.to_string());
    }
}

fn vulnerability(v: &VulnerabilityInput) -> Result<Vulnerability, CsafError> {
    let label = v
        .cve
        .clone()
        .or_else(|| v.ids.first().map(|(_, id)| id.clone()))
        .unwrap_or_default();
    let mut ps = ProductStatus::default();
    let mut flags: Vec<Flag> = Vec::new();
    let mut threats: Vec<Threat> = Vec::new();
    for (id, st) in &v.statuses {
        let list = match st {
            StatusInput::Affected => &mut ps.known_affected,
            StatusInput::Fixed => &mut ps.fixed,
            StatusInput::UnderInvestigation => &mut ps.under_investigation,
            StatusInput::NotAffected {
                justification,
                impact,
            } => {
                if justification.is_none() && impact.is_none() {
                    return Err(err(format!(
                        "{label}: product {id} is not affected without a justification or impact statement (CSAF 6.1.27.9)"
                    )));
                }
                // One flag per justification, listing every product it covers (test 6.1.33
                // allows one flag per product).
                if let Some(j) = justification {
                    match flags.iter_mut().find(|f| f.label == *j) {
                        Some(f) => push_unique(f.product_ids.get_or_insert_with(Vec::new), id),
                        None => flags.push(Flag {
                            date: None,
                            group_ids: None,
                            label: *j,
                            product_ids: Some(vec![id.clone()]),
                        }),
                    }
                }
                if let Some(text) = impact {
                    match threats
                        .iter_mut()
                        .find(|t| t.category == ThreatCategory::Impact && t.details == *text)
                    {
                        Some(t) => push_unique(t.product_ids.get_or_insert_with(Vec::new), id),
                        None => threats.push(Threat {
                            category: ThreatCategory::Impact,
                            date: None,
                            details: text.clone(),
                            group_ids: None,
                            product_ids: Some(vec![id.clone()]),
                        }),
                    }
                }
                &mut ps.known_not_affected
            }
        };
        push_unique(list.get_or_insert_with(Vec::new), id);
    }
    // Exploitation is a threat to the products still affected; with none left it is said of
    // the vulnerability as a whole (no product ids).
    let exposed: Vec<String> = ps.known_affected.clone().unwrap_or_default();
    for e in &v.exploitation {
        let mut details = format!("Exploited in the wild, as listed by {}", e.source);
        if let Some(d) = e.date {
            details.push_str(&format!(" since {}", d.date()));
        }
        details.push('.');
        if let Some(x) = &e.details {
            details.push(' ');
            details.push_str(x);
        }
        threats.push(Threat {
            category: ThreatCategory::ExploitStatus,
            date: e.date.map(date),
            details,
            group_ids: None,
            product_ids: some_vec(exposed.clone()),
        });
    }
    let mut scores = Vec::new();
    for s in &v.scores {
        let v3 = s.vector.starts_with("CVSS:3.");
        let obj = if v3 {
            crate::cvss::cvss_v3_object(&s.vector)
        } else {
            crate::cvss::cvss_v2_object(&s.vector)
        }
        .map_err(|e| err(format!("{label}: {e}")))?;
        scores.push(Score {
            cvss_v2: (!v3).then(|| obj.clone()),
            cvss_v3: v3.then_some(obj),
            products: s.product_ids.clone(),
        });
    }
    let remediations = v
        .remediations
        .iter()
        .map(|r| Remediation {
            category: r.category,
            date: r.date.map(date),
            details: r.details.clone(),
            entitlements: None,
            group_ids: None,
            product_ids: some_vec(r.product_ids.clone()),
            restart_required: r.restart_required.map(|category| RestartRequired {
                category,
                details: None,
            }),
            url: r.url.clone(),
        })
        .collect();
    let mut notes = vec![Note {
        audience: None,
        category: NoteCategory::Description,
        text: v.description.clone(),
        title: Some("Vulnerability description".into()),
    }];
    notes.extend(v.notes.iter().cloned());
    Ok(Vulnerability {
        acknowledgments: some_vec(v.acknowledgments.clone()),
        cve: v.cve.clone(),
        cwe: v.cwe.clone().map(|(id, name)| Cwe { id, name }),
        discovery_date: v.discovery_date.map(date),
        flags: some_vec(flags),
        ids: some_vec(
            v.ids
                .iter()
                .map(|(system_name, text)| VulnerabilityId {
                    system_name: system_name.clone(),
                    text: text.clone(),
                })
                .collect(),
        ),
        involvements: None,
        notes: Some(notes),
        product_status: (ps != ProductStatus::default()).then_some(ps),
        references: some_vec(v.references.clone()),
        release_date: v.release_date.map(date),
        remediations: some_vec(remediations),
        scores: some_vec(scores),
        threats: some_vec(threats),
        title: v.title.clone(),
    })
}

/// Makes the document, checks it (schema rules and the mandatory tests of section 6.1) and
/// returns it; [`CsafError::Input`] names what the input lacks, [`CsafError::Invalid`] the
/// tests a document from this input would fail.
pub fn generate(input: &AdvisoryInput) -> Result<Document, CsafError> {
    if !matches!(
        input.profile,
        Profile::SecurityAdvisory | Profile::Vex | Profile::InformationalAdvisory
    ) {
        return Err(err(format!(
            "cyres does not make {} documents",
            input.profile.category()
        )));
    }
    if input.profile == Profile::InformationalAdvisory && !input.vulnerabilities.is_empty() {
        return Err(err(
            "an informational advisory lists no vulnerabilities (CSAF section 4.3)",
        ));
    }
    let mut notes = vec![Note {
        audience: None,
        category: NoteCategory::Summary,
        text: input.summary.clone(),
        title: Some("Summary".into()),
    }];
    notes.extend(input.notes.iter().cloned());
    let mut references = Vec::new();
    if let Some(url) = &input.self_url {
        // The canonical URL ends with the file name of section 5.1 (recommended test 6.2.11).
        let name = crate::provider::file_name(&input.tracking_id);
        if !url.starts_with("https://") || !url.ends_with(&format!("/{name}")) {
            return Err(err(format!(
                "the self URL {url} must be https and end with /{name} (CSAF section 5.1)"
            )));
        }
        references.push(Reference {
            category: Some(ReferenceCategory::SelfRef),
            summary: format!("{} (this document)", input.tracking_id),
            url: url.clone(),
        });
    }
    references.extend(input.references.iter().cloned());
    let vulnerabilities = input
        .vulnerabilities
        .iter()
        .map(vulnerability)
        .collect::<Result<Vec<_>, _>>()?;
    let doc = Document {
        document: DocumentMeta {
            acknowledgments: None,
            aggregate_severity: input
                .aggregate_severity
                .clone()
                .map(|text| AggregateSeverity {
                    namespace: None,
                    text,
                }),
            category: input.profile.category().into(),
            csaf_version: "2.0".into(),
            distribution: Some(Distribution {
                text: input.distribution_text.clone(),
                tlp: Some(Tlp {
                    label: input.tlp,
                    url: Some("https://www.first.org/tlp/".into()),
                }),
            }),
            lang: Some(input.lang.clone().unwrap_or_else(|| "en".into())),
            notes: Some(notes),
            publisher: Publisher {
                category: input.publisher.category,
                contact_details: input.publisher.contact_details.clone(),
                issuing_authority: input.publisher.issuing_authority.clone(),
                name: input.publisher.name.clone(),
                namespace: input.publisher.namespace.clone(),
            },
            references: some_vec(references),
            source_lang: None,
            title: input.title.clone(),
            tracking: tracking(input)?,
        },
        product_tree: product_tree(input)?,
        vulnerabilities: some_vec(vulnerabilities),
    };
    let failures = crate::check(&doc);
    if failures.is_empty() {
        Ok(doc)
    } else {
        Err(CsafError::Invalid(failures))
    }
}
