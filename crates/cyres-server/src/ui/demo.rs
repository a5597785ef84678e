//! `cyres demo`: a believable world in a fresh store, so a newcomer sees the dashboard filled
//! within a minute of cloning.
//!
//! Four fictional manufacturers (a Wi-Fi router maker, a baby-monitor maker, a
//! password-manager vendor, each with one product of two releases and their SBOMs, and an
//! OpenWrt router maker whose product has four releases: the real-data kit's SBOMs of a TP-Link
//! Archer C7 v2 image at OpenWrt 19.07.0, 21.02.0, 22.03.0 and 23.05.0, matched by CPE against
//! real NVD records, so the chart shows exposure falling as the firmware is upgraded), and real
//! advisories including actively exploited (CISA KEV-listed) ones. Everything comes from the
//! repository's `examples/` folder (compiled in, so the binary needs no files): the SBOMs are
//! hand-written with real component versions, the advisories are real records with summaries
//! in our own words, the KEV file an excerpt of the CISA catalogue (see examples/README.md for
//! sources and licences). The older release of each product is derived from the newer SBOM
//! here, with the component versions that release shipped.
//!
//! Times are spread over the last four weeks (older releases uploaded 26 days ago, triage
//! decisions later, the newest upload a few hours ago), so the chart has a history and the
//! Art. 14 countdowns show both overdue and upcoming reports.

use crate::auth::hash_password;
use crate::{ApiError, App};
pub use authorities::{
    DemoAuthority, DemoListing, DemoSender, list_providers_to_self, reporting_to_self,
};
pub use public::DemoPublicPage;

mod authorities;
mod csaf;
mod public;
use cyres_store::{
    Actor, Exploitation, FindingFilter, NewOrg, OrgKind, ProductInput, Role, VexStatus,
};

/// The login printed by `cyres demo`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoLogin {
    /// E-mail of the demo account (administrator of every demo organisation).
    pub email: String,
    /// Its password (a demo: printed on the terminal).
    pub password: String,
    /// Names of the organisations it belongs to.
    pub orgs: Vec<String>,
    /// The authorities' logins (same password).
    pub authorities: Vec<DemoAuthority>,
    /// The credential the reporting maker's reports are sent with (see
    /// [`reporting_to_self`]).
    pub sender: DemoSender,
    /// Each maker's published Annex II page and disclosure policy.
    pub public_pages: Vec<DemoPublicPage>,
}

/// The demo account.
pub const DEMO_EMAIL: &str = "demo@cyres.example";
/// The demo password.
pub const DEMO_PASSWORD: &str = "cyres demo password";

const ADVISORIES: [(&str, &[u8]); 7] = [
    (
        "GHSA-c9hw-wf7x-jp9j.json",
        include_bytes!("../../../../examples/advisories/GHSA-c9hw-wf7x-jp9j.json"),
    ),
    (
        "GHSA-qppj-fm5r-hxr3.json",
        include_bytes!("../../../../examples/advisories/GHSA-qppj-fm5r-hxr3.json"),
    ),
    (
        "GO-2023-2102.json",
        include_bytes!("../../../../examples/advisories/GO-2023-2102.json"),
    ),
    (
        "PYSEC-2019-132.yaml",
        include_bytes!("../../../../examples/advisories/PYSEC-2019-132.yaml"),
    ),
    (
        "PYSEC-2019-217.yaml",
        include_bytes!("../../../../examples/advisories/PYSEC-2019-217.yaml"),
    ),
    (
        "PYSEC-2023-175.yaml",
        include_bytes!("../../../../examples/advisories/PYSEC-2023-175.yaml"),
    ),
    (
        "RUSTSEC-2022-0013.json",
        include_bytes!("../../../../examples/advisories/RUSTSEC-2022-0013.json"),
    ),
];
const KEV: &[u8] = include_bytes!("../../../../examples/kev.json");
const ROUTER_SBOM: &str = include_str!("../../../../examples/sboms/router-fw-2.4.1.cdx.json");
const MONITOR_SBOM: &str = include_str!("../../../../examples/sboms/baby-monitor-3.1.0.spdx.json");
const VAULT_SBOM: &str = include_str!("../../../../examples/sboms/vault-server-5.2.0.cdx.xml");
/// NVD CVE API 2.0 records naming the OpenWrt SBOMs' products (abridged, zipped; made by
/// `scripts/make-firmware-examples.py` from the kit).
const NVD_OPENWRT: &[u8] = include_bytes!("../../../../examples/firmware/nvd-openwrt-demo.zip");
/// (release, release date, SBOM, days ago uploaded), oldest first.
const OPENWRT: [(&str, &str, &str, i64); 4] = [
    (
        "19.07.0",
        "2020-01-06",
        include_str!("../../../../examples/firmware/openwrt-19.07.0.cdx.json"),
        28,
    ),
    (
        "21.02.0",
        "2021-09-04",
        include_str!("../../../../examples/firmware/openwrt-21.02.0.cdx.json"),
        21,
    ),
    (
        "22.03.0",
        "2022-09-06",
        include_str!("../../../../examples/firmware/openwrt-22.03.0.cdx.json"),
        14,
    ),
    (
        "23.05.0",
        "2023-10-13",
        include_str!("../../../../examples/firmware/openwrt-23.05.0.cdx.json"),
        7,
    ),
];

struct Maker {
    org: &'static str,
    state: &'static str,
    size: &'static str,
    product: &'static str,
    description: &'static str,
    entry: &'static str,
    states: &'static [&'static str],
    users: i64,
    support_end: &'static str,
    /// (version, date, file name, SBOM text, days ago uploaded).
    releases: Vec<(&'static str, &'static str, &'static str, String, i64)>,
}

fn makers() -> Vec<Maker> {
    vec![
        Maker {
            org: "Northwind Networks",
            state: "DE",
            size: "medium",
            product: "AX3000 Wi-Fi 6 router",
            description: "Home Wi-Fi 6 router with mesh, parental controls and a cloud management agent.",
            entry: "annex3-class1-12",
            states: &["DE", "AT", "FR", "NL"],
            users: 120_000,
            support_end: "2031-12-31",
            releases: vec![
                // 2.3.0 shipped the older OpenSSL; same Go stack.
                (
                    "2.3.0",
                    "2026-05-04",
                    "router-fw-2.3.0.cdx.json",
                    ROUTER_SBOM.replace("2.4.1", "2.3.0"),
                    26,
                ),
                (
                    "2.4.1",
                    "2026-09-01",
                    "router-fw-2.4.1.cdx.json",
                    ROUTER_SBOM.to_string(),
                    0,
                ),
            ],
        },
        Maker {
            org: "Little Owl Devices",
            state: "NL",
            size: "small",
            product: "Nursery Cam baby monitor",
            description: "Wi-Fi baby monitor: camera, hub and parents' app.",
            entry: "annex3-class1-17",
            states: &["NL", "BE", "DE"],
            users: 35_000,
            support_end: "2030-06-30",
            releases: vec![
                (
                    "3.0.2",
                    "2026-03-10",
                    "baby-monitor-3.0.2.spdx.json",
                    MONITOR_SBOM
                        .replace("3.1.0", "3.0.2")
                        .replace("2.3.3", "2.2.5"),
                    26,
                ),
                (
                    "3.1.0",
                    "2026-08-15",
                    "baby-monitor-3.1.0.spdx.json",
                    MONITOR_SBOM.to_string(),
                    12,
                ),
            ],
        },
        Maker {
            org: "Keystone Vault",
            state: "FR",
            size: "small",
            product: "Keystone Vault server",
            description: "Self-hosted password manager server for small businesses.",
            entry: "annex3-class1-3",
            states: &["FR", "BE", "LU"],
            users: 8_000,
            support_end: "2032-03-31",
            releases: vec![
                (
                    "5.1.4",
                    "2026-04-20",
                    "vault-server-5.1.4.cdx.xml",
                    VAULT_SBOM.replace("5.2.0", "5.1.4"),
                    26,
                ),
                (
                    "5.2.0",
                    "2026-09-15",
                    "vault-server-5.2.0.cdx.xml",
                    VAULT_SBOM.to_string(),
                    2,
                ),
            ],
        },
        Maker {
            org: "Alder Mesh Networks",
            state: "AT",
            size: "small",
            product: "Archer C7 v2 OpenWrt build",
            description: "Dual-band router sold with an OpenWrt firmware build (ath79/generic).",
            entry: "annex3-class1-12",
            states: &["AT", "DE", "CZ"],
            users: 20_000,
            support_end: "2030-12-31",
            releases: OPENWRT
                .iter()
                .map(|(v, date, text, days)| {
                    (
                        *v,
                        *date,
                        match *v {
                            "19.07.0" => "openwrt-19.07.0.cdx.json",
                            "21.02.0" => "openwrt-21.02.0.cdx.json",
                            "22.03.0" => "openwrt-22.03.0.cdx.json",
                            _ => "openwrt-23.05.0.cdx.json",
                        },
                        text.to_string(),
                        *days,
                    )
                })
                .collect(),
        },
    ]
}

/// Seeds the demo world into `app`'s store (which should be empty) and returns the login.
pub async fn seed_demo(app: &App) -> Result<DemoLogin, ApiError> {
    const DAY: i64 = 86_400;
    let now = app.now();
    let system = Actor::system();
    // Advisories and exploitation facts first, as if synced a month ago.
    let mut corpus = cyres_vuln::Corpus::new();
    for (name, bytes) in ADVISORIES {
        corpus.load_document(name, bytes);
    }
    corpus.load_document("kev.json", KEV);
    corpus
        .load_bytes("nvd-openwrt-demo.zip", NVD_OPENWRT, &mut |_| {})
        .map_err(|e| ApiError::internal(format!("demo NVD records: {e}")))?;
    app.store
        .upsert_advisories(&corpus.advisories, "demo", now - 30 * DAY)
        .await?;
    app.store
        .upsert_cpe_configurations(&corpus.configurations, now - 30 * DAY)
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

    let pw = DEMO_PASSWORD.to_string();
    let hash = tokio::task::spawn_blocking(move || hash_password(&pw))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
    let account = app
        .store
        .create_account(
            DEMO_EMAIL,
            "Demo security lead",
            &hash,
            &system,
            now - 30 * DAY,
        )
        .await?;
    let actor = Actor {
        id: format!("user:{}", account.id),
        label: DEMO_EMAIL.into(),
    };
    let mut orgs = Vec::new();
    let mut reporting_maker = None;
    let mut public_pages = Vec::new();
    for m in makers() {
        let org = app
            .store
            .provision_org(
                &NewOrg {
                    name: m.org.into(),
                    kind: OrgKind::Manufacturer,
                    member_state: Some(m.state.into()),
                    size: Some(m.size.into()),
                },
                &system,
                now - 30 * DAY,
            )
            .await?;
        app.store
            .set_membership(account.id, org.id, Role::Admin, &system, now - 30 * DAY)
            .await?;
        let product = app
            .store
            .create_product(
                org.id,
                &ProductInput {
                    name: m.product.into(),
                    description: m.description.into(),
                    catalogue_entries: vec![m.entry.into()],
                    // Art. 7(1): the core functionality's catalogue entry sets the category.
                    category: cyres_cra::Catalogue::builtin()
                        .get(m.entry)
                        .map(|e| e.category.as_str())
                        .unwrap_or("default")
                        .into(),
                    member_states: m.states.iter().map(|s| s.to_string()).collect(),
                    estimated_users: Some(m.users),
                    support_end: Some(m.support_end.into()),
                },
                &actor,
                now - 29 * DAY,
            )
            .await?;
        for (version, date, file, text, days_ago) in &m.releases {
            // The newest upload of the router is a few hours old: its Art. 14 clock is running.
            let at = if *days_ago == 0 {
                now - 5 * 3600
            } else {
                now - days_ago * DAY
            };
            let release = app
                .store
                .create_release(org.id, product.id, version, Some(date), &actor, at)
                .await?;
            let sbom = cyres_sbom::read(
                text.as_bytes(),
                file,
                &cyres_sbom::Limits { max_bytes: 1 << 20 },
            )
            .map_err(|e| ApiError::internal(format!("demo SBOM {file}: {e}")))?;
            let sha256: String =
                aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, text.as_bytes())
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
                    &actor,
                    at,
                )
                .await?;
        }
        // Some triage on the older release, so the history and the chart move.
        let old = app
            .store
            .findings(
                org.id,
                &FindingFilter {
                    product_id: Some(product.id),
                    limit: Some(1000),
                    ..Default::default()
                },
            )
            .await?;
        for (i, f) in old.iter().filter(|f| !f.exploited).take(2).enumerate() {
            let (status, justification, comment) = if i == 0 {
                (
                    VexStatus::NotAffected,
                    Some("vulnerable_code_not_in_execute_path"),
                    "The affected function is never called by our firmware build.",
                )
            } else {
                (
                    VexStatus::Affected,
                    None,
                    "Reachable from the web interface; fix planned for the next release.",
                )
            };
            app.store
                .triage(
                    org.id,
                    f.id,
                    &cyres_store::Decision::status(status, justification, comment),
                    &actor,
                    now - (20 - 6 * i as i64) * DAY,
                )
                .await?;
        }
        public_pages.push(public::seed(app, &org, &product, &actor).await?);
        if org.name == authorities::REPORTING_MAKER {
            reporting_maker = Some(org.clone());
        }
        orgs.push(org.name);
    }
    let maker = reporting_maker
        .ok_or_else(|| ApiError::internal("the demo's reporting maker is missing"))?;
    let (authorities, sender) =
        authorities::seed(app, &maker, &actor, &hash, now - 30 * DAY).await?;
    super::demo_conformity::seed(app, account.id, &actor).await?;
    // The firmware-like portfolio product, in its own module (issue 17 point 10).
    let (org, product) = super::demo_portfolio::seed(app, account.id, &actor, now).await?;
    public_pages.push(public::seed(app, &org, &product, &actor).await?);
    orgs.push(org.name);
    Ok(DemoLogin {
        email: DEMO_EMAIL.into(),
        password: DEMO_PASSWORD.into(),
        orgs,
        authorities,
        sender,
        public_pages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, ManualClock};
    use std::sync::Arc;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn demo_world_is_believable() {
        let dir = std::env::temp_dir().join(format!(
            "cyres-demo-test-{}-{}",
            std::process::id(),
            crate::auth::random_secret()
        ));
        let mut config = Config::new(dir.clone());
        config.sync_interval_secs = 0;
        config.csaf_pull_interval_secs = 0;
        let (app, _) = App::start(config, Arc::new(ManualClock::new(1_790_000_000)))
            .await
            .unwrap();
        let login = seed_demo(&app).await.unwrap();
        assert_eq!(login.orgs.len(), 5);
        let account = app
            .store
            .account_by_email(&login.email)
            .await
            .unwrap()
            .unwrap();
        assert!(crate::auth::verify_password(
            &login.password,
            &account.password_hash
        ));
        let memberships = app.store.memberships(account.id).await.unwrap();
        assert_eq!(
            memberships.len(),
            5,
            "the demo login switches between the makers"
        );
        let mut exploited = 0;
        for m in &memberships {
            let products = app.store.products(m.org.id).await.unwrap();
            assert_eq!(products.len(), 1);
            assert_eq!(products[0].category, "important-class-1");
            let releases = app.store.releases(m.org.id, products[0].id).await.unwrap();
            let openwrt = m.org.name == "Alder Mesh Networks";
            let portfolio = m.org.name == super::super::demo_portfolio::ORG;
            assert_eq!(
                releases.len(),
                if openwrt {
                    4
                } else if portfolio {
                    3
                } else {
                    2
                },
                "{}",
                m.org.name
            );
            assert!(releases.iter().all(|r| r.sbom_id.is_some()));
            let findings = app
                .store
                .findings(m.org.id, &FindingFilter::default())
                .await
                .unwrap();
            assert!(!findings.is_empty(), "{} has findings", m.org.name);
            if openwrt {
                // NVD findings by CPE, fewer in the newest firmware than in the oldest.
                let mut per_release = Vec::new();
                for r in &releases {
                    let fs = app
                        .store
                        .findings(
                            m.org.id,
                            &FindingFilter {
                                release_id: Some(r.id),
                                limit: Some(1000),
                                ..Default::default()
                            },
                        )
                        .await
                        .unwrap();
                    assert!(fs.iter().all(|f| f.provenance.as_deref() == Some("nvd")));
                    per_release.push((r.version.clone(), fs.len()));
                }
                per_release.sort();
                let (oldest, newest) = (per_release[0].1, per_release[3].1);
                assert!(oldest > newest && newest > 0, "{per_release:?}");
            }
            if portfolio {
                portfolio_is_believable(&app, m.org.id, &releases).await;
            }
            exploited += findings.iter().filter(|f| f.exploited).count();
        }
        assert!(
            exploited >= 2,
            "KEV-listed flaws are in the demo ({exploited})"
        );
        // The authorities: provisioned by the operator, each with its own login.
        assert_eq!(login.authorities.len(), 3);
        for a in &login.authorities {
            let account = app.store.account_by_email(&a.email).await.unwrap().unwrap();
            let ms = app.store.memberships(account.id).await.unwrap();
            assert_eq!(ms.len(), 1, "{}", a.email);
            assert!(ms[0].org.is_authority(), "{} is an authority", a.org);
        }
        assert_eq!(login.sender.organisation, "keystone-vault");
        // Every maker speaks publicly: a contact (no "(not given)" in its reports) and a
        // published Annex II page.
        assert_eq!(login.public_pages.len(), login.orgs.len());
        for m in &memberships {
            let contact = crate::service::cases::org_contact(&app, m.org.id)
                .await
                .unwrap();
            assert_eq!(
                contact,
                Some(format!("psirt@{}.example", m.org.slug)),
                "{}",
                m.org.name
            );
            // Issue 18 point 3: a final advisory and a VEX document, published.
            let published = app.store.csaf_published(m.org.id).await.unwrap();
            for profile in ["csaf_security_advisory", "csaf_vex"] {
                assert!(
                    published
                        .iter()
                        .any(|r| r.profile == profile && r.body.contains("\"status\": \"final\"")),
                    "{}: a published {profile}",
                    m.org.name
                );
            }
        }
        assert!(
            login
                .public_pages
                .iter()
                .all(|p| p.csaf_metadata.ends_with("/csaf/provider-metadata.json")),
            "{:?}",
            login.public_pages
        );
        app.store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    /// About 300 components per release, a few hundred findings, some exploited, decisions
    /// carried over (inherited, with history) and suggestions where versions changed.
    async fn portfolio_is_believable(app: &App, org_id: i64, releases: &[cyres_store::Release]) {
        // Ids follow creation: 4.0.0, 4.1.0, 4.2.0.
        let mut releases = releases.to_vec();
        releases.sort_by_key(|r| r.id);
        for r in &releases {
            let comps = app
                .store
                .release_components(org_id, r.id, -2, 1000, false)
                .await
                .unwrap();
            assert!(
                (280..=320).contains(&comps.len()),
                "{}: {} components",
                r.version,
                comps.len()
            );
        }
        let all = app
            .store
            .findings(
                org_id,
                &FindingFilter {
                    limit: Some(1000),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(all.len() >= 300, "a few hundred findings: {}", all.len());
        assert!(all.iter().any(|f| f.exploited), "some actively exploited");
        let last = &releases[2];
        let in_last: Vec<_> = all.iter().filter(|f| f.release_id == last.id).collect();
        let inherited: Vec<_> = in_last
            .iter()
            .filter(|f| f.vex.decision_release_id == Some(releases[0].id))
            .collect();
        assert!(inherited.len() >= 20, "carried over: {}", inherited.len());
        let h = app
            .store
            .triage_history(org_id, inherited[0].id)
            .await
            .unwrap();
        assert!(
            h[0].comment.contains("carried over from release 4.0.0"),
            "{h:?}"
        );
        let mut suggested = 0;
        for f in in_last
            .iter()
            .filter(|f| f.vex.decision_release_id.is_none())
        {
            if app
                .store
                .triage_origin(org_id, f.id)
                .await
                .unwrap()
                .suggestion
                .is_some()
            {
                suggested += 1;
            }
        }
        assert!(suggested > 0, "a changed version gets a suggestion");
    }
}
