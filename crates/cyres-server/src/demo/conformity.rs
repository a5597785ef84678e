//! The demo's compliance files (issue 16): the makers' products at different completeness, so
//! the Conformity section shows each state a manufacturer meets.
//!
//! - Northwind Networks' router: the full record of `examples/profiles/wifi-router-conformity.toml`
//!   (the same product), the penetration test uploaded, declaration version 1 issued and
//!   published (its simplified declaration points at cyres's public address), a distributor in
//!   France checked, a report to a component's maintainer recorded as sent, and a market
//!   surveillance authority's request with what was handed over;
//! - Little Owl Devices' baby monitor: a record whose declaration was issued and then went out
//!   of date (the notified body's certificate changed since), with an importer whose check is
//!   refused for it;
//! - Keystone Vault's server: a record started (the first Annex I items), no declaration yet.
//!
//! Everything goes through the service layer, as a member would do it.

use crate::App;
use crate::service::ServiceError;
use crate::service::compliance::{self as comp, OperatorInput, RequestInput};
use crate::service::conformity::{self as conf, UploadMeta};
use cyres_conformity::ConformityFacts;
use cyres_store::{Actor, FindingFilter};

const PROFILE: &str = include_str!("../../../../examples/profiles/wifi-router-conformity.toml");
const PENTEST: &[u8] = include_bytes!("../../../../examples/conformity/pentest-ax3000-2.4.1.txt");

/// The example's facts for maker `org`, product type `ty`: the manufacturer and the product
/// named as in the demo, the address cyres serves left to cyres.
fn facts_for(org: &str, ty: &str, id: &str) -> Result<ConformityFacts, ServiceError> {
    let cp = cyres_conformity::ConformityProfile::parse(PROFILE)
        .map_err(|e| super::broken(format!("conformity profile: {e}")))?;
    let mut f = cp.conformity;
    f.documents.clear();
    f.sboms.clear();
    f.release = None;
    f.product_type = Some(ty.into());
    f.product_id = Some(id.into());
    if let Some(m) = f.manufacturer.as_mut() {
        m.name = org.into();
    }
    if let Some(d) = f.declaration.as_mut() {
        d.full_url = None;
    }
    Ok(f)
}

/// Seeds the compliance files of the demo makers the account administers.
pub(super) async fn seed(app: &App, account_id: i64, actor: &Actor) -> Result<(), ServiceError> {
    for m in app.store.memberships(account_id).await? {
        let who = super::admin_of(m.org.id, actor, account_id);
        let Some(product) = app.store.products(m.org.id).await?.into_iter().next() else {
            continue;
        };
        let pid = product.id;
        match m.org.name.as_str() {
            "Northwind Networks" => {
                let facts = facts_for(
                    &m.org.name,
                    "AX3000",
                    "model AX3000-EU, hardware revision C, serial numbers from AX3C-24A000001",
                )?;
                conf::save(app, &who, pid, facts).await?;
                let meta = UploadMeta {
                    id: "pentest-2028".into(),
                    title: "Penetration test of firmware 2.4.1".into(),
                    kind: "penetration-test".into(),
                    file_name: "pentest-ax3000-2.4.1.txt".into(),
                };
                conf::upload(app, &who, pid, &meta, PENTEST).await?;
                let line = conf::issue(app, &who, pid).await?;
                comp::publish_declaration(app, &who, pid, i64::from(line.version)).await?;
                let op = comp::add_operator(
                    app,
                    &who,
                    pid,
                    &OperatorInput {
                        role: "distributor".into(),
                        name: "Boutique Réseau SARL".into(),
                        address: "12 rue de la Gare, 69002 Lyon, France".into(),
                        contact: "conformite@boutique-reseau.example".into(),
                        member_state: "FR".into(),
                        organisation: None,
                    },
                )
                .await?;
                comp::run_check(app, &who, pid, op.id, true).await?;
                let findings = app
                    .store
                    .findings(
                        m.org.id,
                        &FindingFilter {
                            product_id: Some(pid),
                            limit: Some(1000),
                            ..Default::default()
                        },
                    )
                    .await?;
                if let Some(f) = findings.iter().find(|f| f.component_purl.is_some()) {
                    let r = comp::draft_report(app, &who, f.id, None).await?;
                    comp::mark_informed(app, &who, r.id, (None, "e-mail to the maintainer"), None)
                        .await?;
                }
                let req = comp::record_request(
                    app,
                    &who,
                    pid,
                    &RequestInput {
                        authority: "Bundesnetzagentur".into(),
                        member_state: "DE".into(),
                        reference: "BNetzA-MS-2026-0117".into(),
                        reason: "Reasoned request for the technical documentation (CRA Art. 13(13), Art. 31(3))".into(),
                        received_at: None,
                    },
                )
                .await?;
                comp::record_handover(
                    app,
                    &who,
                    pid,
                    req.id,
                    &["techdoc".into(), format!("declaration:{}", line.version)],
                )
                .await?;
            }
            "Little Owl Devices" => {
                let mut facts = facts_for(
                    &m.org.name,
                    "Nursery Cam NC-2",
                    "model NC-2, serial numbers from NC2-25B000001",
                )?;
                conf::save(app, &who, pid, facts.clone()).await?;
                conf::issue(app, &who, pid).await?;
                // The certificate was renewed after issue: the declaration names the old one.
                if let Some(nb) = facts.notified_body.as_mut() {
                    nb.certificate = "EX-CRA-B-2029-0107".into();
                }
                conf::save(app, &who, pid, facts).await?;
                let op = comp::add_operator(
                    app,
                    &who,
                    pid,
                    &OperatorInput {
                        role: "importer".into(),
                        name: "Nordimport GmbH".into(),
                        address: "Hafenstraße 1, 20457 Hamburg, Germany".into(),
                        contact: "compliance@nordimport.example".into(),
                        member_state: "DE".into(),
                        organisation: None,
                    },
                )
                .await?;
                comp::run_check(app, &who, pid, op.id, true).await?;
            }
            "Keystone Vault" => {
                let mut facts = facts_for(&m.org.name, "KV-5", "Keystone Vault server 5.x")?;
                facts.requirements.truncate(4);
                facts.declaration = None;
                facts.notified_body = None;
                conf::save(app, &who, pid, facts).await?;
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::service::Principal;
    use crate::service::conformity as conf;
    use cyres_cra::calendar::iso_date;
    use cyres_store::Role;

    /// The three states the demo shows: a current, published declaration with a complete-ish
    /// record; an out-of-date one naming the changed fact; a record only started.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn demo_compliance_files_at_different_completeness() {
        let (app, _, account, dir) = crate::demo::tests::seeded("demo-conformity").await;
        let mut seen = Vec::new();
        for m in app.store.memberships(account.id).await.unwrap() {
            let who = Principal {
                org_id: m.org.id,
                role: Role::Viewer,
                actor: cyres_store::Actor::system(),
                account_id: None,
            };
            let pid = app.store.products(m.org.id).await.unwrap()[0].id;
            let v = conf::view(&app, &who, pid).await.unwrap();
            // Issue 16: every product's placing on the market is recorded from its first
            // release; the discontinued OpenWrt build's last unit was placed, so the Art.
            // 13(13) retention has an end, while the others are still being placed (no end).
            let first = v.placing.placing.first.map(iso_date::format);
            assert!(first.is_some(), "{}: {:?}", m.org.name, v.placing);
            if m.org.name == "Alder Mesh Networks" {
                assert_eq!(
                    (first.as_deref(), v.retention_until.as_deref()),
                    (Some("2020-01-06"), Some("2034-06-28")),
                    "{}",
                    v.retention_rule
                );
            } else {
                assert_eq!(v.placing.placing.last, None, "{}", m.org.name);
                assert_eq!(v.retention_until, None, "{}", v.retention_rule);
            }
            if m.org.name == "Northwind Networks" {
                assert_eq!(first.as_deref(), Some("2026-05-04"));
            }
            let current: Vec<bool> = v.declarations.iter().map(|d| d.up_to_date()).collect();
            seen.push((
                m.org.name.clone(),
                v.assessment.completeness_percent,
                current,
            ));
            if m.org.name == "Little Owl Devices" {
                assert_eq!(
                    v.declarations[0].currency.changed[0].fact, "notified_body",
                    "{v:?}"
                );
            }
        }
        seen.sort();
        let by = |name: &str| seen.iter().find(|s| s.0 == name).unwrap().clone();
        let (_, router, router_decl) = by("Northwind Networks");
        let (_, monitor, monitor_decl) = by("Little Owl Devices");
        let (_, vault, vault_decl) = by("Keystone Vault");
        assert_eq!(router_decl, [true], "{seen:?}");
        assert_eq!(monitor_decl, [false], "{seen:?}");
        assert!(vault_decl.is_empty(), "{seen:?}");
        assert!(router > monitor && monitor > vault && vault > 0, "{seen:?}");
        app.store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
