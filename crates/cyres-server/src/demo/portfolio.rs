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

use super::{DAY, Story, admin_of, broken, category_of, load_advisories, maker_org};
use crate::service::triage::bulk_triage;
use crate::service::{Principal, ServiceError};
use cyres_store::{Actor, Decision, FindingFilter, ProductInput, TriageTarget, VexStatus};

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

/// Seeds the organisation (the demo account administers it), its product, releases and
/// triage; answers the organisation and its product.
pub(super) async fn seed(
    story: &Story,
    account_id: i64,
    actor: &Actor,
) -> Result<(cyres_store::Org, cyres_store::Product), ServiceError> {
    let mut corpus = cyres_vuln::Corpus::new();
    corpus
        .load_bytes("advisories.zip", ADVISORIES, &mut |_| {})
        .map_err(|e| broken(format!("portfolio advisories: {e}")))?;
    corpus.load_document("kev.json", KEV);
    load_advisories(story, &corpus, 30).await?;

    let org = maker_org(story, account_id, ORG, "DE", "medium").await?;
    let who = admin_of(org.id, actor, account_id);
    let entry = "annex3-class1-12";
    let product = super::product(
        story,
        &who,
        ProductInput {
            name: "EdgeGate 500 industrial IoT gateway".into(),
            description: "Industrial IoT gateway: OpenWrt base, Modbus/MQTT bridge, \
                          Django management app, Go cloud agent, Salt fleet minion."
                .into(),
            catalogue_entries: vec![entry.into()],
            category: category_of(entry),
            member_states: ["DE", "PL", "IT", "ES"].map(String::from).to_vec(),
            estimated_users: Some(4_500),
            support_end: Some("2033-12-31".into()),
        },
    )
    .await?;
    for (i, (version, date, file, text, days_ago)) in RELEASES.into_iter().enumerate() {
        let release_id = super::release(
            story,
            &who,
            product.id,
            (version, date, file, text),
            days_ago * DAY,
        )
        .await?;
        // Triage on the first release before the next one ships, so the later uploads take
        // the decisions over when their findings are inserted.
        if i == 0 {
            triage_first_release(story, &who, release_id).await?;
        }
    }
    // Still being placed on the market.
    super::placing(story, &who, product.id, RELEASES[0].1, None).await?;
    Ok((org, product))
}

/// Triage on 4.0.0 as a security lead would do it in a few sittings: most of the web app's
/// findings judged not affected, some affected with a plan, the exploited ones left open for
/// the Art. 14 path. The decisions carry to 4.1.0 and 4.2.0 (with their history entries) where
/// the component version is the same.
async fn triage_first_release(
    story: &Story,
    who: &Principal,
    release_id: i64,
) -> Result<(), ServiceError> {
    let mut open: Vec<_> = story
        .now()
        .store
        .findings(
            who.org_id,
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
            bulk_triage(
                story.ago(days_ago * DAY),
                who,
                &TriageTarget::Ids(target),
                decision,
            )
            .await?;
        }
    }
    Ok(())
}
