//! Matching the portfolio: SBOM ingestion (store + match in one transaction) and re-matching
//! after advisory or exploitation changes, with the alerts they raise.
//!
//! The key idea that keeps both directions fast on millions of component rows: components
//! and advisories meet on one indexed column, the match key (`<family>/<name>`,
//! [`cyres_vuln::keys`]). A new SBOM fetches only the advisories under its components' keys; a
//! changed advisory fetches only the components under its keys. Identical components across
//! releases (the usual case: the same library in every firmware build) are matched once and
//! the result fanned out to every row. The version logic itself is the engine's
//! ([`cyres_vuln::match_sbom`]), so `cyres scan` and the platform always agree.
//!
//! Firmware components without a purl meet NVD's CPE configurations the same way, on their
//! `cpe/<vendor>:<product>` key (`component.cpe_key`, `cpe_configuration_key`): the stored
//! configurations of those keys and their CVE records go into the same small index. Keys are
//! widened to the product's other CPE names (the alias table) in both directions. A CPE
//! finding whose NVD configuration needs a running-on platform ([`Finding::requires`]) stands
//! in a release only when that platform is among the release's CPEs or its product's
//! (`sbom.product_cpe`), as `cyres scan` decides on the whole SBOM.
//!
//! A re-match also settles what no longer matches: a finding the new data does not give again
//! is withdrawn, kept with its reason (`withdrawal.rs`).
//!
//! An analyst's CPE decision (`cpe_decisions.rs`, issue 20 point 3(c)) replaces the name a
//! component is matched under, in every path: ingest, a re-match by key (a changed record
//! under the decided name reaches the decided components through `cpe_decision.target_key`)
//! and the re-match of one subject when a decision is recorded or withdrawn. Its findings carry
//! match kind `analyst_decision` and the decision's id.

use crate::{AlertKind, Store, StoreError, placeholders};
use cyres_sbom::{Component, Sbom};
use cyres_vuln::advisory::Advisory;
use cyres_vuln::cpe_resolve::{resolved, subjects};
use cyres_vuln::keys::{component_keys, with_alias_keys};
use cyres_vuln::nvd::CveConfigurations;
use cyres_vuln::platform::SbomCpes;
use cyres_vuln::{Corpus, Finding, Index, match_components_deferred};
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// An SBOM to store for a release: the original bytes and what the reader made of them.
#[derive(Debug)]
pub struct SbomUpload<'a> {
    /// Uploaded file name (for display).
    pub file_name: &'a str,
    /// The original bytes, kept exactly.
    pub original: &'a [u8],
    /// SHA-256 of the original, hex (computed by the caller, which streams the upload).
    pub sha256: &'a str,
    /// The parsed, normalised SBOM.
    pub sbom: &'a Sbom,
}

/// What an SBOM upload did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct IngestOutcome {
    /// The stored SBOM.
    pub sbom_id: i64,
    /// Components stored.
    pub components: usize,
    /// Findings created.
    pub findings: usize,
    /// Of those, actively exploited.
    pub exploited: usize,
    /// Alerts raised.
    pub alerts: usize,
    /// Findings that took a decision carried over (same component version elsewhere in the
    /// product, or the replaced SBOM of this release), each with its history entry.
    pub decisions_carried: u64,
}

/// What a re-match did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct MatchOutcome {
    /// Component rows looked at.
    pub components: usize,
    /// Distinct components matched.
    pub distinct_components: usize,
    /// Findings created.
    pub new_findings: usize,
    /// Findings that became actively exploited.
    pub became_exploited: usize,
    /// Alerts raised.
    pub alerts: usize,
    /// Releases with at least one new finding.
    pub releases_affected: usize,
    /// Findings closed because the current data no longer gives them (kept, with a reason).
    pub withdrawn: usize,
    /// Withdrawn findings that match again and were reopened.
    pub reopened: usize,
    /// Standing findings whose match kind changed (a CPE decision recorded or withdrawn).
    pub relabelled: usize,
    /// New findings that took a decision carried over, each with its history entry.
    pub decisions_carried: u64,
}

/// A finding written by an operation: (id, org, advisory, exploited, release).
type Touched = (i64, i64, String, bool, i64);

/// Live CPE decisions: (organisation, subject) → (decision id, vendor, product).
pub(crate) type Decisions = HashMap<(i64, String), (i64, String, String)>;

/// The component as matched for an organisation: under the name of the first live decision
/// about one of its subjects (most specific first), else as written. A component with a CPE of
/// its own answers only to decisions about that CPE name; decisions about a package URL or a
/// name are for components without one.
pub(crate) fn effective(
    org_id: i64,
    c: &Component,
    decisions: &Decisions,
) -> (Component, Option<i64>) {
    let own = subjects(c);
    let n = if c.cpe.is_some() { 1 } else { own.len() };
    for s in own.into_iter().take(n) {
        if let Some((id, vendor, product)) = decisions.get(&(org_id, s)) {
            return (resolved(c, vendor, product), Some(*id));
        }
    }
    (c.clone(), None)
}

type CompKey = (String, Option<String>, Option<String>, Option<String>);

pub(crate) fn comp_key(c: &Component) -> CompKey {
    (
        c.name.clone(),
        c.version.clone(),
        c.purl_raw
            .clone()
            .or_else(|| c.purl.as_ref().map(|p| p.to_string())),
        c.cpe_raw.clone(),
    )
}

fn finding_key(f: &Finding) -> CompKey {
    (
        f.component.name.clone(),
        f.component.version.clone(),
        f.component.purl.clone(),
        f.component.cpe.clone(),
    )
}

/// What components under some keys can match: the advisories filed under the keys and, for
/// CPE keys, the stored configurations with the CVE records they belong to.
#[derive(Default)]
pub(crate) struct Candidates {
    advisories: Vec<Advisory>,
    configurations: Vec<CveConfigurations>,
}

/// Matches distinct components against a small index built from `candidates`, exactly as
/// `cyres scan` would with the same records ([`Corpus`] → [`Index::build`] → the matcher);
/// findings that need a running-on platform keep the condition for [`applies`].
pub(crate) fn match_distinct(
    candidates: Candidates,
    components: Vec<Component>,
) -> HashMap<CompKey, Vec<Finding>> {
    if candidates.advisories.is_empty() || components.is_empty() {
        return HashMap::new();
    }
    let mut corpus = Corpus::new();
    corpus.advisories = candidates.advisories;
    corpus.cpe_matches = candidates
        .configurations
        .iter()
        .flat_map(CveConfigurations::vulnerable_matches)
        .collect();
    let index = Index::build(&corpus);
    let mut out: HashMap<CompKey, Vec<Finding>> = HashMap::new();
    for f in match_components_deferred(&index, &components) {
        out.entry(finding_key(&f)).or_default().push(f);
    }
    out
}

/// Whether a finding stands in an SBOM with these CPEs: always, unless its NVD configuration
/// needs a running-on platform, which must then be there.
pub(crate) fn applies(f: &Finding, ctx: Option<&SbomCpes>) -> bool {
    f.requires.is_empty() || ctx.is_some_and(|ctx| f.requires.iter().any(|c| c.holds(ctx)))
}

fn is_exploited(f: &Finding, exploited: &BTreeSet<String>) -> bool {
    std::iter::once(&f.id)
        .chain(&f.aliases)
        .any(|id| exploited.contains(&id.to_ascii_uppercase()))
}

/// One component row of the portfolio, as re-matching reads it.
pub(crate) struct PortfolioRow {
    pub(crate) org_id: i64,
    pub(crate) product_id: i64,
    pub(crate) release_id: i64,
    pub(crate) sbom_id: i64,
    pub(crate) ord: i64,
    pub(crate) component: Component,
}

/// The columns [`portfolio_row`] reads: component rows of current SBOMs only.
pub(crate) const PORTFOLIO_ROW_COLS: &str = "SELECT c.org_id, r.product_id, c.release_id, c.sbom_id, c.ord, c.name, c.version, \
     c.purl, c.cpe FROM component c \
     JOIN product_release r ON r.id = c.release_id AND r.sbom_id = c.sbom_id";

pub(crate) fn portfolio_row(r: &sqlx::any::AnyRow) -> Result<PortfolioRow, StoreError> {
    let purl: Option<String> = r.try_get("purl")?;
    let cpe: Option<String> = r.try_get("cpe")?;
    Ok(PortfolioRow {
        org_id: r.try_get("org_id")?,
        product_id: r.try_get("product_id")?,
        release_id: r.try_get("release_id")?,
        sbom_id: r.try_get("sbom_id")?,
        ord: r.try_get("ord")?,
        component: Component {
            name: r.try_get("name")?,
            version: r.try_get("version")?,
            purl: purl
                .as_deref()
                .and_then(|p| cyres_version::Purl::parse(p).ok()),
            purl_raw: purl,
            cpe: cpe
                .as_deref()
                .and_then(|c| cyres_version::Cpe::parse(c).ok().map(Box::new)),
            cpe_raw: cpe,
            ..Component::default()
        },
    })
}

/// A finding about to be inserted.
struct NewFinding<'a> {
    org_id: i64,
    product_id: i64,
    release_id: i64,
    sbom_id: i64,
    ord: i64,
    finding: &'a Finding,
    exploited: bool,
    /// The component's own package URL (a decision may match it without).
    purl: Option<String>,
    /// The CPE decision the finding was matched through.
    decision: Option<i64>,
}

/// Inserts findings (skipping ones that exist), gives them the decisions that carry over
/// (`crate::triage::carry_to_new`), and returns (id, org, advisory, exploited, release) of
/// those actually inserted and how many took a carried decision.
async fn insert_findings(
    conn: &mut AnyConnection,
    backend: crate::Backend,
    rows: &[NewFinding<'_>],
    now: i64,
) -> Result<(Vec<Touched>, u64), StoreError> {
    const COLS: usize = 23;
    let mut inserted: Vec<Touched> = Vec::new();
    // Each finding's search text and its document in the word index (`search_index`),
    // written in this transaction with the findings.
    let texts: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            let f = r.finding;
            let aliases = crate::text::json_text("aliases", &f.aliases)?;
            let text = crate::finding_search::search_text(
                &aliases,
                &f.component.name,
                r.purl.as_deref(),
                f.summary.as_deref(),
            );
            Ok((aliases, text))
        })
        .collect::<Result<_, StoreError>>()?;
    let docs: Vec<String> = rows
        .iter()
        .zip(&texts)
        .map(|(r, (_, text))| crate::search_index::doc_text(&r.finding.id, text))
        .collect();
    let docs = crate::search_index::docs(conn, backend, &docs).await?;
    let per = crate::rows_per_insert(backend, COLS);
    for (n, chunk) in rows.chunks(per).enumerate() {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", placeholders(i * COLS + 1, COLS)))
            .collect();
        let sql = format!(
            "INSERT INTO finding (org_id, product_id, release_id, sbom_id, component_ord, \
             component_name, component_version, component_purl, advisory_id, aliases, summary, \
             severity, score, match_kind, fixed_versions, exploited, status, first_seen, updated_at, \
             provenance, cpe_decision_id, search_text, search_doc) VALUES {} ON CONFLICT (sbom_id, component_ord, advisory_id) DO NOTHING \
             RETURNING id, org_id, advisory_id, exploited, release_id",
            values.join(", ")
        );
        // Not cached: sqlx 0.9.0's Any driver declares a NULL f64 as float4 (sqlx#4284), so a
        // statement prepared with a NULL score at some position would reject a score there
        // later on PostgreSQL ("incorrect binary data format").
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).persistent(false);
        for (i, r) in chunk.iter().enumerate() {
            let f = r.finding;
            let (aliases, text) = texts[n * per + i].clone();
            q = q
                .bind(r.org_id)
                .bind(r.product_id)
                .bind(r.release_id)
                .bind(r.sbom_id)
                .bind(r.ord)
                .bind(f.component.name.clone())
                .bind(f.component.version.clone())
                .bind(r.purl.clone())
                .bind(f.id.clone())
                .bind(aliases)
                .bind(f.summary.clone())
                .bind(f.severity.rating.as_str())
                .bind(f.severity.score)
                .bind(match_kind_word(f, r.decision))
                .bind(crate::text::json_text("fixed_versions", &f.fixed_versions)?)
                .bind(i64::from(r.exploited))
                .bind("under_investigation")
                .bind(now)
                .bind(now)
                .bind(f.provenance.map(|p| p.as_str()))
                .bind(r.decision)
                .bind(text)
                .bind(docs[n * per + i]);
        }
        for row in q.fetch_all(&mut *conn).await? {
            inserted.push((
                row.try_get("id")?,
                row.try_get("org_id")?,
                row.try_get("advisory_id")?,
                row.try_get::<i64, _>("exploited")? != 0,
                row.try_get("release_id")?,
            ));
        }
    }
    crate::findings::bump_findings_generation(conn, inserted.iter().map(|f| f.1)).await?;
    // Findings whose records carry no severity borrow an alias's, before any alert is raised
    // on them (a notification rule's severity threshold reads it).
    let unscored: BTreeSet<String> = rows
        .iter()
        .filter(|r| r.finding.severity.score.is_none())
        .filter(|r| r.finding.severity.rating == cyres_vuln::severity::Rating::Unknown)
        .map(|r| r.finding.id.clone())
        .collect();
    if !unscored.is_empty() {
        let new: BTreeSet<&str> = inserted.iter().map(|f| f.2.as_str()).collect();
        let ids = unscored
            .into_iter()
            .filter(|id| new.contains(id.as_str()))
            .collect();
        crate::alias_severity::rescore(conn, &ids, now).await?;
    }
    let ids: Vec<i64> = inserted.iter().map(|f| f.0).collect();
    let carried = crate::triage::carry_to_new(conn, &ids, now).await?;
    Ok((inserted, carried))
}

fn match_kind_word(f: &Finding, decision: Option<i64>) -> &'static str {
    match f.match_kind {
        cyres_vuln::MatchKind::Cpe | cyres_vuln::MatchKind::CpeAlias if decision.is_some() => {
            "analyst_decision"
        }
        kind => kind.as_str(),
    }
}

/// The Art. 14 early-warning due time for a flaw that becomes known as exploited at `now`
/// (awareness + 24 h, from `cyres-cra`), as RFC 3339.
fn early_warning_due(now: i64) -> Option<String> {
    let at = time::OffsetDateTime::from_unix_timestamp(now).ok()?;
    let case =
        cyres_cra::deadlines::CaseTimes::new(cyres_cra::deadlines::CaseKind::Vulnerability, at);
    let d = cyres_cra::deadlines::deadlines(&case, at).ok()?;
    let due = d.stages.first()?.due?;
    due.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// Raises one alert per (organisation, advisory, kind) for the given findings, with a pending
/// delivery for each active webhook of the organisation and for e-mail when requested.
async fn raise_alerts(
    conn: &mut AnyConnection,
    kind: AlertKind,
    findings: &[Touched],
    now: i64,
) -> Result<usize, StoreError> {
    let mut groups: BTreeMap<(i64, String), Vec<&Touched>> = BTreeMap::new();
    for f in findings {
        groups.entry((f.1, f.2.clone())).or_default().push(f);
    }
    let mut raised = 0;
    for ((org_id, advisory_id), items) in groups {
        let urgent = items.iter().any(|f| f.3);
        let releases: BTreeSet<i64> = items.iter().map(|f| f.4).collect();
        let title = match kind {
            AlertKind::NewFinding if urgent => format!(
                "URGENT: actively exploited {advisory_id} affects {} release(s)",
                releases.len()
            ),
            AlertKind::NewFinding => format!("{advisory_id} affects {} release(s)", releases.len()),
            AlertKind::BecameExploited => format!(
                "URGENT: {advisory_id} is now actively exploited; {} release(s) affected",
                releases.len()
            ),
            // Raised elsewhere, never about a group of findings.
            other => format!("{advisory_id}: {}", other.as_str()),
        };
        let body = serde_json::json!({
            "kind": kind.as_str(),
            "urgent": urgent,
            "org_id": org_id,
            "advisory_id": advisory_id,
            "title": title,
            "finding_ids": items.iter().map(|f| f.0).collect::<Vec<_>>(),
            "release_ids": releases,
            "early_warning_due": if urgent { early_warning_due(now) } else { None },
            "created_at": now,
        });
        let alert = crate::alerts::NewAlert {
            org_id,
            finding_id: Some(items[0].0),
            kind,
            urgent,
            title: &title,
            body: &body,
        };
        crate::alerts::insert_alert(conn, &alert, now).await?;
        if urgent {
            // From the moment a flaw in a product is known to be actively exploited, the
            // Article 14 clock runs: propose a case for a person to confirm.
            let exploited: Vec<i64> = items.iter().filter(|f| f.3).map(|f| f.0).collect();
            crate::cases::propose(conn, org_id, &advisory_id, &exploited, now).await?;
        }
        raised += 1;
    }
    Ok(raised)
}

impl Store {
    /// The advisories and CPE configurations components under `keys` can match.
    pub(crate) async fn candidates(&self, keys: &[String]) -> Result<Candidates, StoreError> {
        let mut advisories = self.advisories_for_keys(keys).await?;
        // Under the product's other CPE names too (the alias table).
        let cpe_keys: Vec<String> = keys
            .iter()
            .filter(|k| k.starts_with("cpe/"))
            .flat_map(|k| with_alias_keys(k))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let configurations = self.cpe_configurations_for_keys(&cpe_keys).await?;
        let have: BTreeSet<String> = advisories.iter().map(|a| a.id.clone()).collect();
        let cves: BTreeSet<String> = configurations.iter().map(|c| c.cve_id.clone()).collect();
        advisories.extend(
            self.advisories_by_ids(&cves)
                .await?
                .into_iter()
                .filter(|a| !have.contains(&a.id)),
        );
        Ok(Candidates {
            advisories,
            configurations,
        })
    }

    /// Stores an SBOM for a release of this organisation and matches it against every stored
    /// advisory: the SBOM, its components, its findings and their alerts land in one
    /// transaction, or nothing does. A release holds one SBOM; a second upload is a conflict
    /// (a new build is a new release).
    pub async fn ingest_sbom(
        &self,
        org_id: i64,
        release_id: i64,
        upload: &SbomUpload<'_>,
        actor: &crate::Actor,
        now: i64,
    ) -> Result<IngestOutcome, StoreError> {
        self.ingest(org_id, release_id, upload, false, actor, now)
            .await
    }

    /// [`Store::ingest_sbom`], or with `replace` the SBOM of a release that has one as its new
    /// version (`crate::lifecycle::supersede`, in the same transaction).
    pub(crate) async fn ingest(
        &self,
        org_id: i64,
        release_id: i64,
        upload: &SbomUpload<'_>,
        replace: bool,
        actor: &crate::Actor,
        now: i64,
    ) -> Result<IngestOutcome, StoreError> {
        let release = self.release(org_id, release_id).await?;
        let replaced = release.sbom_id.filter(|_| replace);
        if release.sbom_id.is_some() && !replace {
            return Err(StoreError::conflict_general(format!(
                "release {} already has an SBOM; create a new release for a new build",
                release.version
            )));
        }
        let sbom = upload.sbom;
        // Match outside the transaction: reads only. Stored keys are the components' own;
        // matching uses the names the organisation's decisions give them.
        let keys: Vec<Vec<String>> = sbom.components.iter().map(component_keys).collect();
        let decisions = self.live_cpe_decisions(&[org_id]).await?;
        let effective: Vec<(Component, Option<i64>)> = sbom
            .components
            .iter()
            .map(|c| effective(org_id, c, &decisions))
            .collect();
        let all_keys: Vec<String> = effective
            .iter()
            .flat_map(|(c, _)| component_keys(c))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let candidates = self.candidates(&all_keys).await?;
        let exploited = self.exploited_cves().await?;
        let mut distinct: HashMap<CompKey, Component> = HashMap::new();
        for (c, _) in &effective {
            distinct.entry(comp_key(c)).or_insert_with(|| c.clone());
        }
        let matched = match_distinct(candidates, distinct.into_values().collect());

        let mut tx = self.begin().await?;
        let diagnostics = crate::text::json_text("diagnostics", &sbom.diagnostics)?;
        let row = sqlx::query(
            "INSERT INTO sbom (org_id, release_id, file_name, format, spec_version, sha256, size_bytes, \
             original, diagnostics, component_count, created_at, product_cpe) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(org_id)
        .bind(release_id)
        .bind(upload.file_name)
        .bind(format!("{:?}", sbom.format))
        .bind(&sbom.spec_version)
        .bind(upload.sha256)
        .bind(upload.original.len() as i64)
        .bind(upload.original.to_vec())
        .bind(diagnostics)
        .bind(sbom.components.len() as i64)
        .bind(now)
        .bind(sbom.product.as_ref().and_then(|p| p.cpe_raw.clone()))
        .fetch_one(&mut *tx)
        .await?;
        let sbom_id: i64 = row.try_get("id")?;

        const COLS: usize = 15;
        let direct = crate::components::direct_flags(sbom);
        let indexed: Vec<(usize, &Component)> = sbom.components.iter().enumerate().collect();
        for chunk in indexed.chunks(crate::rows_per_insert(self.backend(), COLS)) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| format!("({})", placeholders(i * COLS + 1, COLS)))
                .collect();
            let sql = format!(
                "INSERT INTO component (sbom_id, ord, org_id, release_id, name, version, purl, cpe, \
                 match_key, cpe_key, supplier, licenses, hashes, search_name, direct) VALUES {}",
                values.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (ord, c) in chunk {
                let ks = &keys[*ord];
                let match_key = ks.iter().find(|k| !k.starts_with("cpe/")).cloned();
                let cpe_key = ks.iter().find(|k| k.starts_with("cpe/")).cloned();
                let (_, _, purl, cpe) = comp_key(c);
                q = q
                    .bind(sbom_id)
                    .bind(*ord as i64)
                    .bind(org_id)
                    .bind(release_id)
                    .bind(c.name.clone())
                    .bind(c.version.clone())
                    .bind(purl)
                    .bind(cpe)
                    .bind(match_key)
                    .bind(cpe_key)
                    .bind(c.supplier.clone())
                    .bind((!c.licenses.is_empty()).then(|| c.licenses.join(", ")))
                    .bind(if c.hashes.is_empty() {
                        None
                    } else {
                        Some(crate::text::json_text("hashes", &c.hashes)?)
                    })
                    .bind(c.name.to_lowercase())
                    .bind(direct[*ord].map(i64::from));
            }
            q.execute(&mut *tx).await?;
        }
        crate::components::insert_component_facts(&mut tx, self.backend(), org_id, sbom_id, sbom)
            .await?;
        sqlx::query("UPDATE product_release SET sbom_id = $1 WHERE id = $2 AND org_id = $3")
            .bind(sbom_id)
            .bind(release_id)
            .bind(org_id)
            .execute(&mut *tx)
            .await?;

        let ctx = SbomCpes::of_sbom(sbom);
        let mut new_rows = Vec::new();
        for (ord, c) in sbom.components.iter().enumerate() {
            let (matched_as, decision) = &effective[ord];
            if let Some(fs) = matched.get(&comp_key(matched_as)) {
                for f in fs.iter().filter(|f| applies(f, Some(&ctx))) {
                    new_rows.push(NewFinding {
                        org_id,
                        product_id: release.product_id,
                        release_id,
                        sbom_id,
                        ord: ord as i64,
                        finding: f,
                        exploited: is_exploited(f, &exploited),
                        purl: comp_key(c).2,
                        decision: *decision,
                    });
                }
            }
        }
        let (inserted, carried) = insert_findings(&mut tx, self.backend(), &new_rows, now).await?;
        // A replaced SBOM's vulnerabilities were announced already; only new ones alert.
        let known = match replaced {
            Some(old) => crate::lifecycle::advisories_of(&mut tx, org_id, old).await?,
            None => BTreeSet::new(),
        };
        let fresh: Vec<Touched> = inserted
            .iter()
            .filter(|f| !known.contains(&f.2))
            .cloned()
            .collect();
        let alerts = raise_alerts(&mut tx, AlertKind::NewFinding, &fresh, now).await?;
        if let Some(old) = replaced {
            crate::lifecycle::supersede(&mut tx, org_id, release_id, old, sbom_id, now).await?;
        }
        crate::audit::record(
            &mut tx,
            crate::audit::Event {
                org_id: Some(org_id),
                actor,
                action: if replaced.is_some() {
                    "sbom.replace"
                } else {
                    "sbom.upload"
                },
                target_kind: "release",
                target_id: &release_id.to_string(),
                details: serde_json::json!({
                    "sbom_id": sbom_id, "file_name": upload.file_name, "sha256": upload.sha256,
                    "components": sbom.components.len(), "findings": inserted.len(),
                    "replaced_sbom_id": replaced, "decisions_carried_over": carried,
                }),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        // Components without a CPE: derived candidates, kept apart until confirmed.
        self.derive_for(org_id, &sbom.components, actor, now)
            .await?;
        Ok(IngestOutcome {
            sbom_id,
            components: sbom.components.len(),
            findings: inserted.len(),
            exploited: inserted.iter().filter(|f| f.3).count(),
            alerts,
            decisions_carried: carried,
        })
    }

    /// Re-matches every component of the portfolio indexed under `keys` (typically the
    /// `changed_keys` of an advisory import) and raises alerts for new findings.
    pub async fn rematch_keys(
        &self,
        keys: &BTreeSet<String>,
        now: i64,
    ) -> Result<MatchOutcome, StoreError> {
        self.rematch(keys, None, now).await
    }

    /// Like [`Store::rematch_keys`], but only findings of the advisories `ids` (or their
    /// aliases) are considered: the findings other advisories under the same keys already
    /// produced are not sent to the database again.
    pub async fn rematch(
        &self,
        keys: &BTreeSet<String>,
        only: Option<&BTreeSet<String>>,
        now: i64,
    ) -> Result<MatchOutcome, StoreError> {
        if keys.is_empty() {
            return Ok(MatchOutcome::default());
        }
        // A changed configuration under one CPE name reaches components under its aliases.
        let keys: Vec<String> = keys
            .iter()
            .flat_map(|k| with_alias_keys(k))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut rows: Vec<PortfolioRow> = Vec::new();
        // A component under both a package and a CPE key is read once.
        let mut seen_rows: BTreeSet<(i64, i64)> = BTreeSet::new();
        // Package keys live in `component.match_key`, CPE keys in `component.cpe_key`.
        let (cpe_keys, purl_keys): (Vec<&String>, Vec<&String>) =
            keys.iter().partition(|k| k.starts_with("cpe/"));
        for (column, list) in [("match_key", &purl_keys), ("cpe_key", &cpe_keys)] {
            for chunk in list.chunks(crate::CHUNK_ROWS) {
                let sql = format!(
                    "{PORTFOLIO_ROW_COLS} WHERE c.{column} IN ({})",
                    placeholders(1, chunk.len())
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for k in chunk {
                    q = q.bind(k.as_str());
                }
                for r in q.fetch_all(&self.pool).await? {
                    let row = portfolio_row(&r)?;
                    if seen_rows.insert((row.sbom_id, row.ord)) {
                        rows.push(row);
                    }
                }
            }
        }
        // Components an organisation decided are one of these names.
        let cpe_keys: Vec<String> = cpe_keys.into_iter().cloned().collect();
        for (org_id, subject) in self.decided_subjects_under(&cpe_keys).await? {
            for row in self.rows_of_subject(org_id, &subject).await? {
                if seen_rows.insert((row.sbom_id, row.ord)) {
                    rows.push(row);
                }
            }
        }
        self.settle(rows, only, now).await
    }

    /// Re-matches component rows (of current SBOMs): inserts what the current data and
    /// decisions give, withdraws what they no longer give, reopens what they give again and
    /// brings each standing finding's match kind up to date.
    pub(crate) async fn settle(
        &self,
        rows: Vec<PortfolioRow>,
        only: Option<&BTreeSet<String>>,
        now: i64,
    ) -> Result<MatchOutcome, StoreError> {
        let mut out = MatchOutcome {
            components: rows.len(),
            ..MatchOutcome::default()
        };
        if rows.is_empty() {
            return Ok(out);
        }
        let orgs: Vec<i64> = rows
            .iter()
            .map(|r| r.org_id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let decisions = self.live_cpe_decisions(&orgs).await?;
        let effective: Vec<(Component, Option<i64>)> = rows
            .iter()
            .map(|r| effective(r.org_id, &r.component, &decisions))
            .collect();
        let present: Vec<String> = effective
            .iter()
            .flat_map(|(c, _)| component_keys(c))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let candidates = self.candidates(&present).await?;
        let exploited = self.exploited_cves().await?;
        let mut distinct: HashMap<CompKey, Component> = HashMap::new();
        for (c, _) in &effective {
            distinct.entry(comp_key(c)).or_insert_with(|| c.clone());
        }
        out.distinct_components = distinct.len();
        // The live records: a withdrawal's reason says whether its advisory is still one.
        let live: BTreeSet<String> = candidates
            .advisories
            .iter()
            .map(|a| a.id.to_ascii_uppercase())
            .collect();
        let matched = match_distinct(candidates, distinct.into_values().collect());
        let mut new_rows = Vec::new();
        let wanted = |id: &String, aliases: &[String]| {
            only.is_none_or(|ids| {
                std::iter::once(id)
                    .chain(aliases)
                    .any(|id| ids.contains(&id.to_ascii_uppercase()))
            })
        };
        // The SBOMs whose findings depend on a running-on platform: their CPEs, once each.
        let conditional: BTreeSet<i64> = rows
            .iter()
            .zip(&effective)
            .filter(|(_, (c, _))| {
                matched
                    .get(&comp_key(c))
                    .is_some_and(|fs| fs.iter().any(|f| !f.requires.is_empty()))
            })
            .map(|(r, _)| r.sbom_id)
            .collect();
        let contexts = self.sbom_cpes(&conditional).await?;
        for (r, (c, decision)) in rows.iter().zip(&effective) {
            if let Some(fs) = matched.get(&comp_key(c)) {
                let ctx = contexts.get(&r.sbom_id);
                for f in fs
                    .iter()
                    .filter(|f| wanted(&f.id, &f.aliases) && applies(f, ctx))
                {
                    new_rows.push(NewFinding {
                        org_id: r.org_id,
                        product_id: r.product_id,
                        release_id: r.release_id,
                        sbom_id: r.sbom_id,
                        ord: r.ord,
                        finding: f,
                        exploited: is_exploited(f, &exploited),
                        purl: comp_key(&r.component).2,
                        decision: *decision,
                    });
                }
            }
        }
        // What the rows had before: findings the new answer no longer gives are withdrawn,
        // withdrawn ones it gives again are reopened.
        let at_rows: BTreeSet<(i64, i64)> = rows.iter().map(|r| (r.sbom_id, r.ord)).collect();
        let existing = match only {
            Some(ids) => {
                let ids: Vec<String> = ids.iter().cloned().collect();
                self.findings_of_advisories(&ids).await?
            }
            None => {
                let sboms: BTreeSet<i64> = rows.iter().map(|r| r.sbom_id).collect();
                self.findings_of_sboms(&sboms.into_iter().collect::<Vec<_>>())
                    .await?
            }
        };
        let should: HashMap<(i64, i64, &str), (&str, Option<i64>)> = new_rows
            .iter()
            .map(|n| {
                (
                    (n.sbom_id, n.ord, n.finding.id.as_str()),
                    (match_kind_word(n.finding, n.decision), n.decision),
                )
            })
            .collect();
        let mut to_withdraw = Vec::new();
        let mut to_reopen = Vec::new();
        let mut to_relabel = Vec::new();
        for e in existing
            .iter()
            .filter(|e| at_rows.contains(&(e.sbom_id, e.ord)) && wanted(&e.advisory_id, &e.aliases))
        {
            let given = should.get(&(e.sbom_id, e.ord, e.advisory_id.as_str()));
            if let Some((kind, decision)) = given
                && (e.match_kind != *kind || e.decision != *decision)
            {
                to_relabel.push((e.id, e.org_id, *kind, *decision));
            }
            if given.is_some() && e.withdrawn {
                to_reopen.push(e);
            } else if given.is_none() && !e.withdrawn {
                let reason = if live.contains(&e.advisory_id.to_ascii_uppercase()) {
                    format!(
                        "no longer matched when {} was re-matched: the component's name and \
                         version are outside the advisory's current affected ranges or \
                         configurations (or a required running-on platform is absent, or the \
                         CPE name it was matched under changed)",
                        e.advisory_id
                    )
                } else {
                    format!(
                        "no longer matched when {} was re-matched: the advisory is withdrawn, \
                         rejected or no longer names this component",
                        e.advisory_id
                    )
                };
                to_withdraw.push((e, reason));
            }
        }
        let mut tx = self.begin().await?;
        let (inserted, carried) = insert_findings(&mut tx, self.backend(), &new_rows, now).await?;
        out.decisions_carried = carried;
        out.alerts = raise_alerts(&mut tx, AlertKind::NewFinding, &inserted, now).await?;
        out.withdrawn = crate::withdrawal::withdraw(&mut tx, &to_withdraw, now).await?;
        out.reopened = crate::withdrawal::reopen(&mut tx, &to_reopen, now).await?;
        // One `UPDATE … WHERE id IN (…)` per (match kind, decision) and chunk.
        let mut relabel: BTreeMap<(&str, Option<i64>), Vec<i64>> = BTreeMap::new();
        for (id, _, kind, decision) in &to_relabel {
            relabel.entry((*kind, *decision)).or_default().push(*id);
        }
        for ((kind, decision), ids) in relabel {
            for chunk in ids.chunks(crate::CHUNK_ROWS) {
                let sql = format!(
                    "UPDATE finding SET match_kind = $1, cpe_decision_id = $2, updated_at = $3 \
                     WHERE id IN ({})",
                    crate::placeholders(4, chunk.len())
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(kind)
                    .bind(decision)
                    .bind(now);
                for id in chunk {
                    q = q.bind(*id);
                }
                q.execute(&mut *tx).await?;
            }
        }
        crate::findings::bump_findings_generation(&mut tx, to_relabel.iter().map(|r| r.1)).await?;
        tx.commit().await?;
        out.new_findings = inserted.len();
        out.relabelled = to_relabel.len();
        out.releases_affected = inserted.iter().map(|f| f.4).collect::<BTreeSet<_>>().len();
        Ok(out)
    }

    /// Marks findings whose flaw is one of `cves` (directly or through an advisory alias) as
    /// actively exploited and raises urgent alerts for them.
    pub async fn apply_exploitation(
        &self,
        cves: &[String],
        now: i64,
    ) -> Result<MatchOutcome, StoreError> {
        let mut out = MatchOutcome::default();
        if cves.is_empty() {
            return Ok(out);
        }
        let mut tx = self.begin().await?;
        let mut changed = Vec::new();
        for chunk in cves.chunks(crate::CHUNK_ROWS / 2) {
            let n = chunk.len();
            let sql = format!(
                "UPDATE finding SET exploited = 1, updated_at = $1 WHERE exploited = 0 AND ( \
                 advisory_id IN ({}) OR advisory_id IN \
                 (SELECT advisory_id FROM advisory_alias WHERE alias IN ({}))) \
                 RETURNING id, org_id, advisory_id, exploited, release_id",
                placeholders(2, n),
                placeholders(2 + n, n)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(now);
            for c in chunk {
                q = q.bind(c.to_ascii_uppercase());
            }
            for c in chunk {
                q = q.bind(c.to_ascii_uppercase());
            }
            for r in q.fetch_all(&mut *tx).await? {
                changed.push((
                    r.try_get("id")?,
                    r.try_get("org_id")?,
                    r.try_get("advisory_id")?,
                    true,
                    r.try_get("release_id")?,
                ));
            }
        }
        crate::findings::bump_findings_generation(&mut tx, changed.iter().map(|f| f.1)).await?;
        out.alerts = raise_alerts(&mut tx, AlertKind::BecameExploited, &changed, now).await?;
        tx.commit().await?;
        out.became_exploited = changed.len();
        out.releases_affected = changed.iter().map(|f| f.4).collect::<BTreeSet<_>>().len();
        Ok(out)
    }
}
