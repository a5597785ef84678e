//! CSAF documents as stored revisions (issue 18, point 3): a security advisory made from a
//! case, a VEX document made for a release, each through `cyres_csaf::generate` so every
//! document passes the schema and the mandatory tests of CSAF 2.0 section 6.1 before it is
//! stored.
//!
//! The flow: an editor makes a draft (choosing its TLP label); an editor reviews it; an
//! administrator, who speaks for the organisation, publishes it. Publishing regenerates the
//! document as `final` with the revision history so far plus this revision, its version
//! number by section 3.1.11 (semantic versioning; the increment is the least
//! `cyres_csaf::revision::classify_change` allows against the previous published revision),
//! and stores the exact bytes that the provider then serves, hashes and signs. A published
//! revision never changes; a correction is a new draft of the same tracking id. When the fix
//! of a case ships as a security update, [`propose_shipped_fix`] drafts the update (products
//! `fixed`, a `vendor_fix` remediation with the update's URL) for the manufacturer to review.

use super::{Principal, ServiceError};
use crate::App;
use cyres_csaf::generate::{
    AdvisoryInput, Change, ExploitationInput, ProductInput, PublisherInput, ReleaseInput,
    RemediationInput, RevisionInput, StatusInput, Versioning, VulnerabilityInput,
};
use cyres_csaf::model::{DocumentStatus, PublisherCategory, RemediationCategory, TlpLabel};
use cyres_csaf::profile::Profile;
use cyres_store::{CsafRevision, CsafState, NewCsafRevision, Org, Role};
use time::OffsetDateTime;

/// A TLP label from its word (`WHITE`/`CLEAR`, `GREEN`, `AMBER`, `RED`, any case). TLP 2.0's
/// `CLEAR` is CSAF 2.0's `WHITE`.
pub(crate) fn tlp_from(word: &str) -> Result<TlpLabel, ServiceError> {
    match word.trim().to_ascii_uppercase().as_str() {
        "WHITE" | "CLEAR" => Ok(TlpLabel::White),
        "GREEN" => Ok(TlpLabel::Green),
        "AMBER" => Ok(TlpLabel::Amber),
        "RED" => Ok(TlpLabel::Red),
        _ => Err(ServiceError::invalid(
            "tlp",
            "tlp: one of WHITE (CLEAR), GREEN, AMBER, RED",
        )),
    }
}

/// Whether documents of `tlp` are public. Only TLP:WHITE (CLEAR) is (CSAF 2.0 section 7.1.4,
/// requirement 4); GREEN, AMBER and RED are served only to the publishing organisation's
/// members (requirement 5) and never listed in public index files or feeds.
pub(crate) fn is_public(tlp: TlpLabel) -> bool {
    tlp == TlpLabel::White
}

/// The base URL of the organisation's provider (CSAF 2.0 section 7.1.9): for an
/// organisation the configuration maps a host to, `https://<host>/.well-known/csaf`; for any
/// other, `<public URL>/public/<slug>/csaf`, named by the organisation's `security.txt`
/// (field `CSAF`, requirement 8). `/.well-known/csaf/` of an unmapped host also serves the
/// default public organisation's provider, but its canonical URLs are the slug form, which
/// stays the same whichever organisation is the default. Stable, since published documents
/// carry it.
pub(crate) fn provider_base(app: &App, org: &Org) -> String {
    let public_url = app.config.public_url.trim_end_matches('/');
    let scheme = public_url.split_once("://").map_or("https", |(s, _)| s);
    let mapped = app
        .config
        .public_hosts
        .iter()
        .filter(|(_, id)| **id == org.id)
        .map(|(host, _)| host.trim().trim_end_matches('.').to_ascii_lowercase())
        .min();
    match mapped {
        Some(host) => format!("{scheme}://{host}/.well-known/csaf"),
        None => format!("{public_url}/public/{}/csaf", org.slug),
    }
}

/// The publisher's namespace (section 3.2.1.8.4: a URL under the publisher's control that
/// identifies it): the mapped host's origin, else `<public URL>/public/<slug>`. Several
/// organisations on one instance share its host, so the host alone would make them one
/// publisher to every consumer (and their tracking ids one namespace).
pub(crate) fn publisher_namespace(app: &App, org: &Org) -> String {
    let base = provider_base(app, org);
    match base.strip_suffix("/.well-known/csaf") {
        Some(origin) => origin.to_string(),
        None => base.trim_end_matches("/csaf").to_string(),
    }
}

/// The publisher block (section 3.2.1.8): the organisation as `vendor`, its namespace
/// [`publisher_namespace`].
async fn publisher(app: &App, org: &Org) -> Result<PublisherInput, ServiceError> {
    let namespace = publisher_namespace(app, org);
    Ok(PublisherInput {
        category: PublisherCategory::Vendor,
        name: org.name.clone(),
        namespace,
        contact_details: super::cases::org_contact(app, org.id).await?,
        issuing_authority: None,
    })
}

/// A security update that ships a case's fix (read from the TUF security channel).
#[derive(Clone, Debug)]
pub(crate) struct ShippedFix {
    /// The fixing release's version.
    pub version: String,
    /// Where the update is (the TUF target's URL under `/updates/`).
    pub url: String,
    /// When it was seen published.
    pub at: OffsetDateTime,
}

fn tracking_word(org: &Org) -> String {
    org.slug
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// A product id made of `[A-Za-z0-9-]` (section 3.1.4 asks only uniqueness; this keeps it
/// readable).
fn version_pid(product_id: i64, version: &str) -> String {
    let v: String = version
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("CSAFPID-P{product_id}-V{v}")
}

/// The input of the security advisory of case `case_id`, from the case, its findings and the
/// product's releases; `shipped` adds the fixing release with a `vendor_fix` remediation.
async fn case_input(
    app: &App,
    who: &Principal,
    case_id: i64,
    tlp: TlpLabel,
    shipped: Option<&ShippedFix>,
) -> Result<AdvisoryInput, ServiceError> {
    let row = app.store.case(who.org_id, case_id).await?;
    let case = super::cases::parse_case(&row)?;
    let org = app.store.org(who.org_id).await?;
    let mut findings = Vec::new();
    for id in &row.finding_ids {
        findings.push(app.store.finding(who.org_id, *id).await?);
    }
    let product_id = case
        .as_ref()
        .and_then(|c| c.product.id.parse::<i64>().ok())
        .or_else(|| findings.first().map(|f| f.product_id))
        .ok_or_else(|| {
            ServiceError::conflict("the case names no product, so there is nothing to advise on")
        })?;
    let product = app.store.product(who.org_id, product_id).await?;
    let releases = app.store.releases(who.org_id, product_id).await?;
    // Affected: the findings' releases and the case's affected versions; fixed: the case's
    // fixed releases, its fix's releases and the shipped update.
    let mut affected: Vec<String> = Vec::new();
    for f in &findings {
        if let Some(r) = releases.iter().find(|r| r.id == f.release_id)
            && !affected.contains(&r.version)
        {
            affected.push(r.version.clone());
        }
    }
    let mut fixed: Vec<String> = Vec::new();
    if let Some(c) = &case {
        for v in &c.affected_releases {
            if !affected.contains(v) {
                affected.push(v.clone());
            }
        }
        for v in c
            .fixed_releases
            .iter()
            .chain(c.fix.iter().flat_map(|f| f.releases.iter()))
        {
            if !fixed.contains(v) {
                fixed.push(v.clone());
            }
        }
    }
    if let Some(s) = shipped
        && !fixed.contains(&s.version)
    {
        fixed.push(s.version.clone());
    }
    affected.retain(|v| !fixed.contains(v));
    if affected.is_empty() && fixed.is_empty() {
        return Err(ServiceError::conflict(
            "the case names no affected or fixed release of the product",
        ));
    }
    let pid = |v: &str| -> String {
        releases
            .iter()
            .find(|r| r.version == v)
            .map(|r| format!("CSAFPID-R{}", r.id))
            .unwrap_or_else(|| version_pid(product_id, v))
    };
    let mut release_inputs: Vec<ReleaseInput> = Vec::new();
    for v in affected.iter().chain(&fixed) {
        release_inputs.push(ReleaseInput {
            id: pid(v),
            version: v.clone(),
            purl: None,
            cpe: None,
            sbom_url: None,
        });
    }
    // The vulnerabilities: the case's CVEs, else its advisory ids, else the findings'.
    let mut ids: Vec<String> = case.as_ref().map(|c| c.cve_ids.clone()).unwrap_or_default();
    if ids.is_empty() {
        ids = case
            .as_ref()
            .map(|c| c.advisory_ids.clone())
            .unwrap_or_default();
    }
    for f in &findings {
        let cve = std::iter::once(&f.advisory_id)
            .chain(&f.aliases)
            .find(|a| a.starts_with("CVE-"))
            .unwrap_or(&f.advisory_id);
        if !ids.contains(cve) {
            ids.push(cve.clone());
        }
    }
    if ids.is_empty() {
        ids.extend(row.advisory_id.iter().cloned());
    }
    if ids.is_empty() {
        return Err(ServiceError::conflict(
            "the case names no vulnerability (CVE or advisory id)",
        ));
    }
    let description = case
        .as_ref()
        .and_then(|c| c.description.clone())
        .or_else(|| findings.iter().find_map(|f| f.summary.clone()))
        .unwrap_or_else(|| row.title.clone());
    let exploited = findings.iter().any(|f| f.exploited);
    let fix_text = case
        .as_ref()
        .and_then(|c| c.fix.as_ref())
        .map(|f| f.description.clone());
    let user_measures = case
        .as_ref()
        .map(|c| c.user_measures.join(" "))
        .unwrap_or_default();
    let vector = case
        .as_ref()
        .and_then(|c| c.severity.as_ref())
        .and_then(|s| s.cvss_vector.clone())
        .filter(|v| v.starts_with("CVSS:3."));
    let vulnerabilities = ids
        .iter()
        .map(|id| {
            let mut statuses: Vec<(String, StatusInput)> = affected
                .iter()
                .map(|v| (pid(v), StatusInput::Affected))
                .collect();
            statuses.extend(fixed.iter().map(|v| (pid(v), StatusInput::Fixed)));
            let affected_ids: Vec<String> = affected.iter().map(|v| pid(v)).collect();
            let mut remediations = Vec::new();
            if !affected_ids.is_empty() {
                remediations.push(if fixed.is_empty() {
                    RemediationInput {
                        category: if user_measures.is_empty() {
                            RemediationCategory::NoneAvailable
                        } else {
                            RemediationCategory::Mitigation
                        },
                        details: if user_measures.is_empty() {
                            "No fix is available yet; the manufacturer will update this advisory when one is.".into()
                        } else {
                            user_measures.clone()
                        },
                        url: None,
                        date: None,
                        product_ids: affected_ids.clone(),
                        restart_required: None,
                    }
                } else {
                    let mut details = format!("Update to {}.", fixed.join(", "));
                    if let Some(t) = &fix_text {
                        details.push(' ');
                        details.push_str(t);
                    }
                    if shipped.is_some() {
                        details.push_str(
                            " The update is delivered through the secure update channel (security).",
                        );
                    }
                    RemediationInput {
                        category: RemediationCategory::VendorFix,
                        details,
                        url: shipped.map(|s| s.url.clone()),
                        date: shipped.map(|s| s.at),
                        product_ids: affected_ids.clone(),
                        restart_required: None,
                    }
                });
            }
            let (cve, other) = if id.starts_with("CVE-") {
                (Some(id.clone()), Vec::new())
            } else {
                let system = id.split('-').next().unwrap_or("cyres").to_string();
                (None, vec![(system, id.clone())])
            };
            VulnerabilityInput {
                cve,
                ids: other,
                title: Some(row.title.clone()),
                description: description.clone(),
                statuses,
                remediations,
                scores: vector
                    .iter()
                    .filter(|_| !affected_ids.is_empty())
                    .map(|v| cyres_csaf::generate::ScoreInput {
                        vector: v.clone(),
                        product_ids: affected_ids.clone(),
                    })
                    .collect(),
                exploitation: if exploited {
                    vec![ExploitationInput {
                        source: "CISA Known Exploited Vulnerabilities catalogue".into(),
                        date: None,
                        details: None,
                    }]
                } else {
                    Vec::new()
                },
                ..Default::default()
            }
        })
        .collect();
    Ok(AdvisoryInput {
        profile: Profile::SecurityAdvisory,
        tracking_id: format!("{}-SA-{case_id}", tracking_word(&org)),
        title: format!("{}: {}", product.name, row.title),
        publisher: publisher(app, &org).await?,
        lang: None,
        tlp,
        distribution_text: None,
        summary: format!(
            "{} {} in {}. {}",
            if fixed.is_empty() {
                "A vulnerability affects releases"
            } else {
                "A vulnerability was fixed for releases"
            },
            affected
                .iter()
                .chain(&fixed)
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            product.name,
            description
        ),
        notes: Vec::new(),
        references: Vec::new(),
        self_url: None,
        aggregate_severity: case
            .as_ref()
            .and_then(|c| c.severity.as_ref())
            .map(|s| s.level.as_str().to_string()),
        status: DocumentStatus::Draft,
        versioning: Versioning::Semantic,
        revisions: Vec::new(),
        generated_at: app.now_at(),
        engine_version: Some(env!("CARGO_PKG_VERSION").into()),
        products: vec![ProductInput {
            vendor: org.name.clone(),
            name: product.name.clone(),
            releases: release_inputs,
        }],
        components: Vec::new(),
        vulnerabilities,
    })
}

/// The input of the VEX document of release `release_id`: its triage decisions, as
/// `cyres_vex` writes them.
async fn vex_input(
    app: &App,
    who: &Principal,
    release_id: i64,
    tlp: TlpLabel,
) -> Result<AdvisoryInput, ServiceError> {
    let doc = super::vex::release_document(app, who, release_id).await?;
    let org = app.store.org(who.org_id).await?;
    let opts = cyres_vex::WriteOptions {
        namespace: publisher(app, &org).await?.namespace,
        engine_version: Some(env!("CARGO_PKG_VERSION").into()),
    };
    let mut input = cyres_vex::csaf::advisory_input(&doc, &opts)
        .map_err(|e| ServiceError::conflict(format!("VEX of release {release_id}: {e}")))?;
    let release = app.store.release(who.org_id, release_id).await?;
    input.tracking_id = format!(
        "{}-VEX-{}-{}",
        tracking_word(&org),
        release.product_id,
        release
            .version
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
    );
    input.publisher = publisher(app, &org).await?;
    input.tlp = tlp;
    input.versioning = Versioning::Semantic;
    input.status = DocumentStatus::Draft;
    input.revisions = Vec::new();
    input.generated_at = app.now_at();
    Ok(input)
}

fn to_input(rev: &CsafRevision) -> Result<AdvisoryInput, ServiceError> {
    serde_json::from_value(rev.input.clone())
        .map_err(|e| ServiceError::internal(format!("stored CSAF input {}: {e}", rev.id)))
}

fn generated(input: &AdvisoryInput) -> Result<cyres_csaf::Document, ServiceError> {
    cyres_csaf::generate::generate(input)
        .map_err(|e| ServiceError::conflict(format!("CSAF document {}: {e}", input.tracking_id)))
}

/// Stores `input` as a new draft revision of its document: the revisions published so far
/// carried over, status `draft`.
async fn store_draft(
    app: &App,
    who: &Principal,
    mut input: AdvisoryInput,
    case_id: Option<i64>,
    release_id: Option<i64>,
    change_summary: &str,
    proposal: Option<String>,
) -> Result<CsafRevision, ServiceError> {
    let history = app
        .store
        .csaf_published_history(who.org_id, &input.tracking_id)
        .await?;
    if let Some(last) = history.last() {
        input.revisions = to_input(last)?.revisions;
    }
    input.status = DocumentStatus::Draft;
    let doc = generated(&input)?;
    let new = NewCsafRevision {
        tracking_id: input.tracking_id.clone(),
        profile: input.profile.category().to_string(),
        tlp: input.tlp.as_str().to_string(),
        title: input.title.clone(),
        case_id,
        release_id,
        version: doc.document.tracking.version.clone(),
        input: serde_json::to_value(&input)
            .map_err(|e| ServiceError::internal(format!("CSAF input: {e}")))?,
        body: cyres_csaf::to_json(&doc),
        change_summary: change_summary.trim().to_string(),
        proposal,
    };
    Ok(app
        .store
        .add_csaf_draft(who.org_id, &new, &who.actor, app.now())
        .await?)
}

fn summary_or(summary: &str, default: &str) -> String {
    if summary.trim().is_empty() {
        default.to_string()
    } else {
        summary.trim().to_string()
    }
}

/// Drafts the security advisory of case `case_id` (editors), or its next revision when one
/// is published: a correction is a new revision.
pub(crate) async fn draft_case_advisory(
    app: &App,
    who: &Principal,
    case_id: i64,
    tlp: TlpLabel,
    change_summary: &str,
) -> Result<CsafRevision, ServiceError> {
    who.require(Role::Editor)?;
    let input = case_input(app, who, case_id, tlp, None).await?;
    let summary = summary_or(change_summary, "Initial version.");
    store_draft(app, who, input, Some(case_id), None, &summary, None).await
}

/// Drafts the VEX document of release `release_id` (editors), or its next revision.
pub(crate) async fn draft_release_vex(
    app: &App,
    who: &Principal,
    release_id: i64,
    tlp: TlpLabel,
    change_summary: &str,
) -> Result<CsafRevision, ServiceError> {
    who.require(Role::Editor)?;
    let input = vex_input(app, who, release_id, tlp).await?;
    let summary = summary_or(change_summary, "Initial version.");
    store_draft(app, who, input, None, Some(release_id), &summary, None).await
}

/// Marks draft `id` reviewed (editors).
pub(crate) async fn review(
    app: &App,
    who: &Principal,
    id: i64,
) -> Result<CsafRevision, ServiceError> {
    who.require(Role::Editor)?;
    Ok(app
        .store
        .review_csaf_revision(who.org_id, id, &who.actor, app.now())
        .await?)
}

/// Publishes reviewed revision `id` (administrators): the final document with this revision
/// appended to the history, its version by section 3.1.11, its canonical URL as the `self`
/// reference (section 5.1; recommended test 6.2.11); the stored bytes never change again.
pub(crate) async fn publish(
    app: &App,
    who: &Principal,
    id: i64,
) -> Result<CsafRevision, ServiceError> {
    who.require(Role::Admin)?;
    let rev = app.store.csaf_revision(who.org_id, id).await?;
    if rev.state != CsafState::Reviewed {
        return Err(ServiceError::conflict(
            if rev.state == CsafState::Published {
                format!(
                    "revision {id} is published and cannot change; make a new revision to correct it"
                )
            } else {
                format!(
                    "revision {id} is {}: review it before publishing",
                    rev.state
                )
            },
        ));
    }
    let history = app
        .store
        .csaf_published_history(who.org_id, &rev.tracking_id)
        .await?;
    let mut input = to_input(&rev)?;
    let now = app.now_at();
    let previous = match history.last() {
        Some(last) => Some(
            cyres_csaf::parse(last.body.as_bytes())
                .map_err(|e| ServiceError::internal(format!("published CSAF {}: {e}", last.id)))?,
        ),
        None => None,
    };
    input.revisions = match history.last() {
        Some(last) => to_input(last)?.revisions,
        None => Vec::new(),
    };
    input.revisions.push(RevisionInput {
        date: now,
        summary: rev.change_summary.clone(),
        change: Change::Major,
    });
    input.status = DocumentStatus::Final;
    input.generated_at = now;
    let org = app.store.org(who.org_id).await?;
    // The signing key exists before the first signature is dated (requirement 19).
    super::csaf_provider::signing_key(app, &org).await?;
    let provider = cyres_csaf::provider::Provider {
        base_url: provider_base(app, &org),
        publisher: cyres_csaf::model::Publisher {
            category: PublisherCategory::Vendor,
            contact_details: None,
            issuing_authority: None,
            name: org.name.clone(),
            namespace: String::new(),
        },
        role: cyres_csaf::provider::Role::CsafTrustedProvider,
        public_openpgp_keys: Vec::new(),
        list_on_csaf_aggregators: true,
        mirror_on_csaf_aggregators: true,
        signed: true,
    };
    let initial = input.revisions.first().map_or(now, |r| r.date);
    let self_url = provider.canonical_url(&input.tracking_id, input.tlp, initial);
    input.self_url = self_url.starts_with("https://").then_some(self_url);
    let mut doc = generated(&input)?;
    if let Some(prev) = &previous {
        // Section 3.1.11.2: the least increment the change demands.
        let change = cyres_csaf::generate::classify_change(prev, &doc);
        if let Some(last) = input.revisions.last_mut() {
            last.change = change;
        }
        doc = generated(&input)?;
    }
    let body = cyres_csaf::to_json(&doc);
    let input_json = serde_json::to_value(&input)
        .map_err(|e| ServiceError::internal(format!("CSAF input: {e}")))?;
    Ok(app
        .store
        .publish_csaf_revision(
            who.org_id,
            id,
            &cyres_store::CsafPublication {
                body: &body,
                version: &doc.document.tracking.version,
                input: &input_json,
            },
            &who.actor,
            app.now(),
        )
        .await?)
}

/// Every revision of the organisation's documents, newest first (viewers).
pub(crate) async fn list(app: &App, who: &Principal) -> Result<Vec<CsafRevision>, ServiceError> {
    who.require(Role::Viewer)?;
    Ok(app.store.csaf_revisions(who.org_id).await?)
}

/// One revision (viewers).
pub(crate) async fn revision(
    app: &App,
    who: &Principal,
    id: i64,
) -> Result<CsafRevision, ServiceError> {
    who.require(Role::Viewer)?;
    Ok(app.store.csaf_revision(who.org_id, id).await?)
}

/// The proposal text of a shipped update (also its identity: one proposal per update).
fn proposal_text(fix: &ShippedFix) -> String {
    format!(
        "The fix shipped as security update {} ({}).",
        fix.version, fix.url
    )
}

/// When the fix of case `case_id` ships (a security update in the TUF security channel):
/// drafts the advisory's next revision with the fixing release `fixed` and a `vendor_fix`
/// remediation pointing at the update, once per update, for the manufacturer to review and
/// publish. Only for cases whose advisory was published (the update is a correction of what
/// the public already read). Answers the draft, or `None` when there is nothing to propose.
pub(crate) async fn propose_shipped_fix(
    app: &App,
    who: &Principal,
    case_id: i64,
    fix: &ShippedFix,
) -> Result<Option<CsafRevision>, ServiceError> {
    let text = proposal_text(fix);
    if app
        .store
        .csaf_proposal_exists(who.org_id, case_id, &text)
        .await?
    {
        return Ok(None);
    }
    let published = app
        .store
        .csaf_revisions(who.org_id)
        .await?
        .into_iter()
        .find(|r| r.case_id == Some(case_id) && r.state == CsafState::Published);
    let Some(published) = published else {
        return Ok(None);
    };
    let tlp = tlp_from(&published.tlp)?;
    let input = case_input(app, who, case_id, tlp, Some(fix)).await?;
    let summary = format!("Fixed in {}: security update available.", fix.version);
    store_draft(app, who, input, Some(case_id), None, &summary, Some(text))
        .await
        .map(Some)
}

/// The security updates of the published TUF repository (`cyres serve --update-repo`): the
/// targets of the newest published `security` role metadata, with their `custom` view.
pub(crate) fn shipped_security_updates(
    repo: &std::path::Path,
) -> Vec<(String, cyres_tuf::channel::TargetCustom)> {
    let dir = repo.join("published/metadata");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    // `security.json`, or `<version>.security.json` under consistent snapshots: the newest.
    let mut best: Option<(u64, std::path::PathBuf)> = None;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let version = if name == "security.json" {
            Some(0)
        } else {
            name.strip_suffix(".security.json")
                .and_then(|v| v.parse::<u64>().ok())
        };
        if let Some(v) = version
            && best.as_ref().is_none_or(|(b, _)| v >= *b)
        {
            best = Some((v, e.path()));
        }
    }
    let Some((_, path)) = best else {
        return Vec::new();
    };
    let Ok(bytes) = std::fs::read(&path) else {
        return Vec::new();
    };
    let Ok(md) = cyres_tuf::metadata::Metadata::<cyres_tuf::metadata::Targets>::from_bytes(&bytes)
    else {
        return Vec::new();
    };
    md.signed
        .targets
        .iter()
        .filter_map(|(path, file)| {
            cyres_tuf::channel::TargetCustom::from_target(path, file)
                .ok()
                .filter(|c| c.channel == cyres_tuf::channel::Channel::Security)
                .map(|c| (path.clone(), c))
        })
        .collect()
}

/// The worker's pass: for every security update of the update repository, the cases it
/// fixes (the update's `fixes` name one of the case's vulnerabilities, its `product` the
/// case's product by name or id) get their advisory update proposed. Answers how many drafts
/// were made.
pub(crate) async fn propose_from_update_repo(app: &App) -> Result<usize, ServiceError> {
    let Some(repo) = app.config.update_repo.clone() else {
        return Ok(0);
    };
    let updates = tokio::task::spawn_blocking(move || shipped_security_updates(&repo))
        .await
        .map_err(|e| ServiceError::internal(format!("reading the update repository: {e}")))?;
    if updates.is_empty() {
        return Ok(0);
    }
    let base = app.config.public_url.trim_end_matches('/').to_string();
    let mut made = 0;
    for org in app.store.orgs().await? {
        let who = Principal {
            org_id: org.id,
            role: Role::Admin,
            actor: cyres_store::Actor::system(),
            account_id: None,
        };
        let products = app.store.products(org.id).await?;
        for row in app.store.cases(org.id).await? {
            let Some(case) = super::cases::parse_case(&row)? else {
                continue;
            };
            let product = products
                .iter()
                .find(|p| p.id.to_string() == case.product.id);
            let Some(product) = product else { continue };
            for (path, custom) in &updates {
                let names_product =
                    custom.product == product.name || custom.product == product.id.to_string();
                let fixes_it = custom
                    .fixes
                    .iter()
                    .any(|f| case.cve_ids.contains(f) || case.advisory_ids.contains(f));
                if !(names_product && fixes_it) {
                    continue;
                }
                let fix = ShippedFix {
                    version: custom.version.clone(),
                    url: format!("{base}/updates/targets/{path}"),
                    at: app.now_at(),
                };
                if propose_shipped_fix(app, &who, row.id, &fix)
                    .await?
                    .is_some()
                {
                    made += 1;
                }
            }
        }
    }
    Ok(made)
}
