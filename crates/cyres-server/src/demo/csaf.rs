//! The demo's CSAF provider content (issue 18, point 3): each demo manufacturer publishes a
//! final security advisory (from one of its vulnerability cases, or a case opened from its
//! first finding when it has none) and the VEX document of a release, through the same
//! draft → review → publish operations as the UI, so `cyres demo` serves a provider that
//! passes the checks of `tests/server/csaf_provider.rs`.

use super::broken;
use crate::App;
use crate::service::ServiceError;
use crate::service::cases::{CasePatch, NewCase, open_case, update_case};
use crate::service::{Principal, csaf};
use cyres_csaf::model::TlpLabel;
use cyres_store::{FindingFilter, Org, Product};

async fn publish(app: &App, who: &Principal, id: i64) -> Result<(), ServiceError> {
    csaf::review(app, who, id).await?;
    csaf::publish(app, who, id).await?;
    Ok(())
}

/// Publishes `org`'s advisory and VEX document for `product`; answers the path of its
/// `provider-metadata.json` under the public URL.
pub(super) async fn seed(
    app: &App,
    who: &Principal,
    org: &Org,
    product: &Product,
) -> Result<String, ServiceError> {
    // The VEX document of the newest release that has one to say.
    let mut releases = app.store.releases(org.id, product.id).await?;
    releases.sort_by_key(|r| std::cmp::Reverse(r.id));
    let mut vex = None;
    for r in &releases {
        if let Ok(d) = csaf::draft_release_vex(app, who, r.id, TlpLabel::White, "").await {
            vex = Some(d.id);
            break;
        }
    }
    let vex = vex.ok_or_else(|| broken(format!("VEX document for {} is missing", product.name)))?;
    publish(app, who, vex).await?;
    // The advisory: the first vulnerability case that makes one, else a case opened by hand
    // from the product's first finding.
    let mut advisory = None;
    for c in app.store.cases(org.id).await? {
        if c.kind != cyres_cra::CaseKind::Vulnerability {
            continue;
        }
        if let Ok(d) = csaf::draft_case_advisory(app, who, c.id, TlpLabel::White, "").await {
            advisory = Some(d.id);
            break;
        }
    }
    if advisory.is_none() {
        let findings = app
            .store
            .findings(
                org.id,
                &FindingFilter {
                    product_id: Some(product.id),
                    limit: Some(1),
                    ..Default::default()
                },
            )
            .await?;
        let f = findings
            .first()
            .ok_or_else(|| broken(format!("{} has no finding to advise on", product.name)))?;
        let release = app.store.release(org.id, f.release_id).await?;
        let id = std::iter::once(&f.advisory_id)
            .chain(&f.aliases)
            .find(|a| a.starts_with("CVE-"))
            .unwrap_or(&f.advisory_id)
            .clone();
        let row = open_case(
            app,
            who,
            NewCase {
                kind: cyres_cra::CaseKind::Vulnerability,
                title: format!("{id} in {}", f.component_name),
                product_id: product.id,
                advisory_id: None,
                aware_at: app.now_at() - time::Duration::days(2),
                description: Some(
                    f.summary
                        .clone()
                        .unwrap_or_else(|| format!("{id} affects {}.", f.component_name)),
                ),
                evidence: Vec::new(),
            },
        )
        .await?;
        let mut patch = serde_json::Map::new();
        let key = if id.starts_with("CVE-") {
            "cve_ids"
        } else {
            "advisory_ids"
        };
        patch.insert(key.into(), serde_json::json!([id]));
        patch.insert(
            "affected_releases".into(),
            serde_json::json!([release.version]),
        );
        update_case(app, who, row.id, CasePatch(patch)).await?;
        advisory = Some(
            csaf::draft_case_advisory(app, who, row.id, TlpLabel::White, "")
                .await?
                .id,
        );
    }
    let advisory = advisory.ok_or_else(|| broken("advisory was not drafted"))?;
    publish(app, who, advisory).await?;
    let url = format!("{}/provider-metadata.json", csaf::provider_base(app, org));
    let base = app.config.public_url.trim_end_matches('/');
    Ok(url.strip_prefix(base).unwrap_or(&url).to_string())
}
