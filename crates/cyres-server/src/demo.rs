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
//!
//! The seeder is an adapter like the JSON API and the web UI: every write goes through the
//! service layer, as the demo account (administrator of every maker) or as the instance's
//! [`Operator`] (organisations, accounts, memberships and advisory data, as `cyres admin` and
//! the first start do). The demo's past comes from the clock: the services act through a
//! [`Story`], a copy of the app whose clock the seeder sets to each moment before acting.

use crate::service::admin;
use crate::service::advisories;
use crate::service::conformity::set_placing;
use crate::service::inventory::{self, SbomFile};
use crate::service::triage::bulk_triage;
use crate::service::{ErrorKind, Operator, Principal, ServiceError};
use crate::{App, ManualClock};
pub use authorities::{
    DemoAuthority, DemoListing, DemoSender, list_providers_to_self, reporting_to_self,
};
use cyres_conformity::Placing;
use cyres_cra::calendar::iso_date;
use cyres_store::{
    Actor, Decision, FindingFilter, NewOrg, Org, OrgKind, Product, ProductInput, Role,
    TriageTarget, VexStatus,
};
pub use public::DemoPublicPage;
use std::sync::Arc;

mod authorities;
mod conformity;
mod csaf;
mod portfolio;
mod public;

const DAY: i64 = 86_400;

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
        include_bytes!("../../../examples/advisories/GHSA-c9hw-wf7x-jp9j.json"),
    ),
    (
        "GHSA-qppj-fm5r-hxr3.json",
        include_bytes!("../../../examples/advisories/GHSA-qppj-fm5r-hxr3.json"),
    ),
    (
        "GO-2023-2102.json",
        include_bytes!("../../../examples/advisories/GO-2023-2102.json"),
    ),
    (
        "PYSEC-2019-132.yaml",
        include_bytes!("../../../examples/advisories/PYSEC-2019-132.yaml"),
    ),
    (
        "PYSEC-2019-217.yaml",
        include_bytes!("../../../examples/advisories/PYSEC-2019-217.yaml"),
    ),
    (
        "PYSEC-2023-175.yaml",
        include_bytes!("../../../examples/advisories/PYSEC-2023-175.yaml"),
    ),
    (
        "RUSTSEC-2022-0013.json",
        include_bytes!("../../../examples/advisories/RUSTSEC-2022-0013.json"),
    ),
];
const KEV: &[u8] = include_bytes!("../../../examples/kev.json");
const ROUTER_SBOM: &str = include_str!("../../../examples/sboms/router-fw-2.4.1.cdx.json");
const MONITOR_SBOM: &str = include_str!("../../../examples/sboms/baby-monitor-3.1.0.spdx.json");
const VAULT_SBOM: &str = include_str!("../../../examples/sboms/vault-server-5.2.0.cdx.xml");
/// NVD CVE API 2.0 records naming the OpenWrt SBOMs' products (abridged, zipped; made by
/// `scripts/make-firmware-examples.py` from the kit).
const NVD_OPENWRT: &[u8] = include_bytes!("../../../examples/firmware/nvd-openwrt-demo.zip");
/// (release, release date, SBOM, days ago uploaded), oldest first.
const OPENWRT: [(&str, &str, &str, i64); 4] = [
    (
        "19.07.0",
        "2020-01-06",
        include_str!("../../../examples/firmware/openwrt-19.07.0.cdx.json"),
        28,
    ),
    (
        "21.02.0",
        "2021-09-04",
        include_str!("../../../examples/firmware/openwrt-21.02.0.cdx.json"),
        21,
    ),
    (
        "22.03.0",
        "2022-09-06",
        include_str!("../../../examples/firmware/openwrt-22.03.0.cdx.json"),
        14,
    ),
    (
        "23.05.0",
        "2023-10-13",
        include_str!("../../../examples/firmware/openwrt-23.05.0.cdx.json"),
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
    /// The last unit placed on the market, if it was (the first is the first release's date).
    last_placed: Option<&'static str>,
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
            last_placed: None,
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
            last_placed: None,
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
            last_placed: None,
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
            // The Archer C7 v2 hardware is discontinued: its last unit was placed in mid-2024.
            last_placed: Some("2024-06-28"),
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

/// The app the seeder acts through: the same store, configuration and worker wake-up, with its
/// own clock, which [`Story::ago`] sets to each moment of the demo's past before the services
/// act (they take "now" from the app's clock, as for every request).
struct Story {
    app: App,
    clock: Arc<ManualClock>,
    /// When the seeding began: the demo's present.
    now: i64,
}

impl Story {
    fn new(app: &App) -> Self {
        let now = app.now();
        let clock = Arc::new(ManualClock::new(now));
        let mut app = app.clone();
        app.clock = clock.clone();
        Self { app, clock, now }
    }

    /// The app `secs` seconds before the seeding began.
    fn ago(&self, secs: i64) -> &App {
        self.clock.set(self.now - secs);
        &self.app
    }

    /// The app at the demo's present.
    fn now(&self) -> &App {
        self.ago(0)
    }
}

/// The demo's own data (compiled in) could not be read: a bug of the build, named.
fn broken(what: impl std::fmt::Display) -> ServiceError {
    ServiceError::new(
        ErrorKind::Internal,
        "demo_data",
        format!("the demo's {what}"),
    )
}

/// The demo account acting as administrator of `org_id`.
fn admin_of(org_id: i64, actor: &Actor, account_id: i64) -> Principal {
    Principal {
        org_id,
        role: Role::Admin,
        actor: actor.clone(),
        account_id: Some(account_id),
    }
}

/// Advisory data as the operator loads it `days` ago (records under the source `demo`), then
/// the re-match at the demo's present.
async fn load_advisories(
    story: &Story,
    corpus: &cyres_vuln::Corpus,
    days: i64,
) -> Result<(), ServiceError> {
    advisories::load(story.ago(days * DAY), &Operator::system(), corpus, "demo").await?;
    advisories::run_due_jobs(story.now()).await?;
    Ok(())
}

/// A maker organisation provisioned by the operator `30` days ago, administered by the demo
/// account.
async fn maker_org(
    story: &Story,
    account_id: i64,
    name: &str,
    state: &str,
    size: &str,
) -> Result<Org, ServiceError> {
    let op = Operator::system();
    let app = story.ago(30 * DAY);
    let org = admin::provision_org(
        app,
        &op,
        &NewOrg {
            name: name.into(),
            kind: OrgKind::Manufacturer,
            member_state: Some(state.into()),
            size: Some(size.into()),
        },
    )
    .await?;
    admin::grant_membership(app, &op, account_id, org.id, Role::Admin).await?;
    Ok(org)
}

/// A product created 29 days ago; its category is the catalogue entry's (Art. 7(1): the core
/// functionality's catalogue entry sets the category).
async fn product(
    story: &Story,
    who: &Principal,
    input: ProductInput,
) -> Result<Product, ServiceError> {
    inventory::create_product(story.ago(29 * DAY), who, &input).await
}

/// The category of catalogue entry `entry` (Art. 7(1)).
fn category_of(entry: &str) -> String {
    cyres_cra::Catalogue::builtin()
        .get(entry)
        .map(|e| e.category.as_str())
        .unwrap_or("default")
        .into()
}

/// Release `version` (released on `date`) of product `product_id` and its SBOM, uploaded `ago`
/// seconds before the present; answers the release's id.
async fn release(
    story: &Story,
    who: &Principal,
    product_id: i64,
    (version, date, file, text): (&str, &str, &str, &str),
    ago: i64,
) -> Result<i64, ServiceError> {
    let app = story.ago(ago);
    let release = inventory::create_release(app, who, product_id, version, Some(date)).await?;
    inventory::ingest_sbom(
        app,
        who,
        release.id,
        SbomFile::received(file, text.as_bytes().to_vec()),
    )
    .await?;
    Ok(release.id)
}

/// Records when `product`'s first unit (its first release's date) and, if so, its last unit
/// were placed on the market, as its manufacturer would 25 days ago (Art. 13(13): the
/// retention of its documentation runs from the last one).
async fn placing(
    story: &Story,
    who: &Principal,
    product_id: i64,
    first: &str,
    last: Option<&str>,
) -> Result<(), ServiceError> {
    let date = |d: &str| iso_date::parse(d).map_err(|e| broken(format!("placing date {d}: {e}")));
    let placed = Placing {
        first: Some(date(first)?),
        last: last.map(date).transpose()?,
    };
    set_placing(story.ago(25 * DAY), who, product_id, placed).await?;
    Ok(())
}

/// Seeds the demo world into `app`'s store (which should be empty) and returns the login.
pub async fn seed_demo(app: &App) -> Result<DemoLogin, ServiceError> {
    let story = Story::new(app);
    let op = Operator::system();
    // Advisories and exploitation facts first, as if synced a month ago.
    let mut corpus = cyres_vuln::Corpus::new();
    for (name, bytes) in ADVISORIES {
        corpus.load_document(name, bytes);
    }
    corpus.load_document("kev.json", KEV);
    corpus
        .load_bytes("nvd-openwrt-demo.zip", NVD_OPENWRT, &mut |_| {})
        .map_err(|e| broken(format!("NVD records: {e}")))?;
    load_advisories(&story, &corpus, 30).await?;

    let pw = DEMO_PASSWORD.to_string();
    let hash = tokio::task::spawn_blocking(move || crate::service::credentials::hash_password(&pw))
        .await
        .map_err(|e| ServiceError::internal(e.to_string()))??;
    let account = admin::create_account(
        story.ago(30 * DAY),
        &op,
        DEMO_EMAIL,
        "Demo security lead",
        &hash,
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
        let org = maker_org(&story, account.id, m.org, m.state, m.size).await?;
        let who = admin_of(org.id, &actor, account.id);
        let product = product(
            &story,
            &who,
            ProductInput {
                name: m.product.into(),
                description: m.description.into(),
                catalogue_entries: vec![m.entry.into()],
                category: category_of(m.entry),
                member_states: m.states.iter().map(|s| s.to_string()).collect(),
                estimated_users: Some(m.users),
                support_end: Some(m.support_end.into()),
            },
        )
        .await?;
        for (version, date, file, text, days_ago) in &m.releases {
            // The newest upload of the router is a few hours old: its Art. 14 clock is running.
            let ago = if *days_ago == 0 {
                5 * 3600
            } else {
                days_ago * DAY
            };
            release(&story, &who, product.id, (version, date, file, text), ago).await?;
        }
        let first = m.releases.iter().map(|r| r.1).min().unwrap_or_default();
        placing(&story, &who, product.id, first, m.last_placed).await?;
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
            let decision = if i == 0 {
                Decision::status(
                    VexStatus::NotAffected,
                    Some("vulnerable_code_not_in_execute_path"),
                    "The affected function is never called by our firmware build.",
                )
            } else {
                Decision::status(
                    VexStatus::Affected,
                    None,
                    "Reachable from the web interface; fix planned for the next release.",
                )
            };
            let app = story.ago((20 - 6 * i as i64) * DAY);
            bulk_triage(app, &who, &TriageTarget::Ids(vec![f.id]), &decision).await?;
        }
        public_pages.push(public::seed(story.now(), &who, &org, &product).await?);
        if org.name == authorities::REPORTING_MAKER {
            reporting_maker = Some((org.clone(), who.clone()));
        }
        orgs.push(org.name);
    }
    let (maker, maker_admin) =
        reporting_maker.ok_or_else(|| broken("reporting maker is missing"))?;
    let (authorities, sender) = authorities::seed(&story, &maker, &maker_admin, &hash).await?;
    conformity::seed(story.now(), account.id, &actor).await?;
    // The firmware-like portfolio product, in its own module (issue 17 point 10).
    let (org, product) = portfolio::seed(&story, account.id, &actor).await?;
    let who = admin_of(org.id, &actor, account.id);
    public_pages.push(public::seed(story.now(), &who, &org, &product).await?);
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
    use crate::Config;
    use cyres_store::Account;
    use std::path::PathBuf;

    /// The demo seeded into a fresh SQLite store at a fixed time: the app, the login, the demo
    /// account and the data directory (for the caller to remove).
    pub(super) async fn seeded(tag: &str) -> (App, DemoLogin, Account, PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "cyres-{tag}-{}-{}",
            std::process::id(),
            crate::service::credentials::random_secret()
        ));
        let mut config = Config::new(dir.clone());
        config.sync_interval_secs = 0;
        config.csaf_pull_interval_secs = 0;
        let (app, _) = App::start(config, Arc::new(ManualClock::new(1_790_000_000)))
            .await
            .unwrap();
        let login = seed_demo(&app).await.unwrap();
        let account = app
            .store
            .account_by_email(&login.email)
            .await
            .unwrap()
            .unwrap();
        (app, login, account, dir)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn demo_world_is_believable() {
        let (app, login, account, dir) = seeded("demo-test").await;
        assert_eq!(login.orgs.len(), 5);
        assert!(crate::service::credentials::verify_password(
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
            let portfolio = m.org.name == portfolio::ORG;
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
