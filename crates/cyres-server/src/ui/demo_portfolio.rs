//! The demo's firmware-like product (issue 17 point 10): Brightline Industrial's "EdgeGate 500"
//! industrial IoT gateway, about 300 components (an OpenWrt base system, a Django management
//! app, a Go cloud agent and a SaltStack minion) over three releases, with a few hundred
//! findings, some actively exploited (CISA KEV), and triage decisions made on the first release
//! that carry over to the later ones where the component version stayed, and are offered as
//! suggestions where it changed.
//!
//! The data are `examples/portfolio/`, made from the real-data kit by
//! `scripts/make-demo-portfolio.py` (deterministic; real advisory records without their prose),
//! compiled in like the rest of the demo.

use crate::{ApiError, App};
use cyres_store::{
    Actor, Decision, Exploitation, FindingFilter, NewOrg, OrgKind, ProductInput, Role,
    TriageTarget, VexStatus,
};

/// The organisation's name.
pub(crate) const ORG: &str = "Brightline Industrial";

const ADVISORIES: &[u8] = include_bytes!("../../../../examples/portfolio/advisories.zip");
const KEV: &[u8] = include_bytes!("../../../../examples/portfolio/kev.json");
/// (version, release date, file name, SBOM, days ago uploaded), oldest first.
const RELEASES: [(&str, &str, &str, &str, i64); 3] = [
    (
        "4.0.0",
        "2026-03-02",
        "edgegate-500-4.0.0.cdx.json",
        include_str!("../../../../examples/portfolio/edgegate-500-4.0.0.cdx.json"),
        27,
    ),
    (
        "4.1.0",
        "2026-07-06",
        "edgegate-500-4.1.0.cdx.json",
        include_str!("../../../../examples/portfolio/edgegate-500-4.1.0.cdx.json"),
        15,
    ),
    (
        "4.2.0",
        "2026-11-23",
        "edgegate-500-4.2.0.cdx.json",
        include_str!("../../../../examples/portfolio/edgegate-500-4.2.0.cdx.json"),
        1,
    ),
];

const DAY: i64 = 86_400;

/// Seeds the organisation (the demo account administers it), its product, releases and
/// triage; answers the organisation and its product.
pub(crate) async fn seed(
    app: &App,
    account_id: i64,
    actor: &Actor,
    now: i64,
) -> Result<(cyres_store::Org, cyres_store::Product), ApiError> {
    let system = Actor::system();
    let mut corpus = cyres_vuln::Corpus::new();
    corpus
        .load_bytes("advisories.zip", ADVISORIES, &mut |_| {})
        .map_err(|e| ApiError::internal(format!("demo portfolio advisories: {e}")))?;
    corpus.load_document("kev.json", KEV);
    app.store
        .upsert_advisories(&corpus.advisories, "demo", now - 30 * DAY)
        .await?;
    let facts: Vec<Exploitation> = corpus
        .kev
        .iter()
        .map(crate::service::advisories::exploitation_of)
        .collect();
    app.store
        .upsert_exploitation(&facts, now - 30 * DAY)
        .await?;
    crate::service::advisories::run_due_jobs(app).await?;

    let org = app
        .store
        .provision_org(
            &NewOrg {
                name: ORG.into(),
                kind: OrgKind::Manufacturer,
                member_state: Some("DE".into()),
                size: Some("medium".into()),
            },
            &system,
            now - 30 * DAY,
        )
        .await?;
    app.store
        .set_membership(account_id, org.id, Role::Admin, &system, now - 30 * DAY)
        .await?;
    let entry = "annex3-class1-12";
    let product = app
        .store
        .create_product(
            org.id,
            &ProductInput {
                name: "EdgeGate 500 industrial IoT gateway".into(),
                description: "Industrial IoT gateway: OpenWrt base, Modbus/MQTT bridge, \
                              Django management app, Go cloud agent, Salt fleet minion."
                    .into(),
                catalogue_entries: vec![entry.into()],
                // Art. 7(1): the core functionality's catalogue entry sets the category.
                category: cyres_cra::Catalogue::builtin()
                    .get(entry)
                    .map(|e| e.category.as_str())
                    .unwrap_or("default")
                    .into(),
                member_states: ["DE", "PL", "IT", "ES"].map(String::from).to_vec(),
                estimated_users: Some(4_500),
                support_end: Some("2033-12-31".into()),
            },
            actor,
            now - 29 * DAY,
        )
        .await?;
    for (i, (version, date, file, text, days_ago)) in RELEASES.into_iter().enumerate() {
        let at = now - days_ago * DAY;
        let release = app
            .store
            .create_release(org.id, product.id, version, Some(date), actor, at)
            .await?;
        let sbom = cyres_sbom::read(
            text.as_bytes(),
            file,
            &cyres_sbom::Limits { max_bytes: 1 << 20 },
        )
        .map_err(|e| ApiError::internal(format!("demo SBOM {file}: {e}")))?;
        let sha256: String = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, text.as_bytes())
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        app.store
            .ingest_sbom(
                org.id,
                release.id,
                &cyres_store::SbomUpload {
                    file_name: file,
                    original: text.as_bytes(),
                    sha256: &sha256,
                    sbom: &sbom,
                },
                actor,
                at,
            )
            .await?;
        // Triage on the first release before the next one ships, so the later uploads take
        // the decisions over when their findings are inserted.
        if i == 0 {
            triage_first_release(app, org.id, release.id, actor, now).await?;
        }
    }
    Ok((org, product))
}

/// Triage on 4.0.0 as a security lead would do it in a few sittings: most of the web app's
/// findings judged not affected, some affected with a plan, the exploited ones left open for
/// the Art. 14 path. The decisions carry to 4.1.0 and 4.2.0 (with their history entries) where
/// the component version is the same.
async fn triage_first_release(
    app: &App,
    org_id: i64,
    release_id: i64,
    actor: &Actor,
    now: i64,
) -> Result<(), ApiError> {
    let mut open: Vec<_> = app
        .store
        .findings(
            org_id,
            &FindingFilter {
                release_id: Some(release_id),
                limit: Some(1000),
                ..Default::default()
            },
        )
        .await?
        .into_iter()
        .filter(|f| !f.exploited)
        .collect();
    // Insertion order: the SBOM's component order.
    open.sort_by_key(|f| f.id);
    let n = open.len();
    let ids = |range: std::ops::Range<usize>| -> Vec<i64> {
        open.iter()
            .enumerate()
            .filter(|(i, _)| range.contains(&(i * 20 / n.max(1))))
            .map(|(_, f)| f.id)
            .collect()
    };
    let not_affected = Decision {
        impact_statement: Some(
            "The gateway's build does not enable the affected feature; reviewed with the \
             firmware team."
                .into(),
        ),
        ..Decision::status(
            VexStatus::NotAffected,
            Some("vulnerable_code_not_in_execute_path"),
            "Reviewed in the monthly triage session.",
        )
    };
    let affected = Decision {
        action_statement: Some(
            "Update to the fixed version in the next maintenance release.".into(),
        ),
        responses: vec!["update".into()],
        ..Decision::status(
            VexStatus::Affected,
            None,
            "Reachable from the management interface.",
        )
    };
    // The first 9/20 not affected, the next 3/20 affected, the
    // rest still under investigation.
    for (range, decision, days_ago) in [(0..9, &not_affected, 24), (9..12, &affected, 20)] {
        let target = ids(range);
        if !target.is_empty() {
            app.store
                .triage_findings(
                    org_id,
                    &TriageTarget::Ids(target),
                    decision,
                    "bulk",
                    actor,
                    now - days_ago * DAY,
                )
                .await?;
        }
    }
    Ok(())
}
