//! The public face of the demo makers: each has a security contact (so reports and notices
//! name it instead of "(not given)"), a coordinated vulnerability disclosure policy and a
//! published Annex II page per product, so `/.well-known/security.txt`, `/public/{slug}/…` and
//! the Article 14 report packs show real content from the first start. One maker (Little Owl
//! Devices) leaves Annex II (8)(e) open, so its editor page shows how a gap is named.

use crate::App;
use crate::service::{Principal, ServiceError, public_face};
use cyres_store::{AnnexIiFields, Org, Product, PublicFace};

/// A public page `cyres demo` prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoPublicPage {
    /// The organisation.
    pub org: String,
    /// Path of its product's published Annex II page (append to the base URL).
    pub product_page: String,
    /// Path of its disclosure policy.
    pub cvd_policy: String,
    /// Path of its CSAF provider's `provider-metadata.json`.
    pub csaf_metadata: String,
}

/// Sets `org`'s public face and publishes `product`'s Annex II page, as its administrator
/// `who`.
pub(super) async fn seed(
    app: &App,
    who: &Principal,
    org: &Org,
    product: &Product,
) -> Result<DemoPublicPage, ServiceError> {
    let domain = format!("{}.example", org.slug);
    public_face::save_settings(
        app,
        who,
        PublicFace {
            contact_email: format!("psirt@{domain}"),
            contact_url: format!("https://{domain}/security"),
            postal_address: format!("{}, Example Street 1, {}", org.name, state_city(org)),
            website: format!("https://{domain}"),
            preferred_languages: "en, de, fr".into(),
            encryption_url: String::new(),
            policy_scope: format!(
                "Every product {} sells and supports, its firmware, apps and cloud services.",
                org.name
            ),
            policy_how_to_report: format!(
                "Use the form linked below or write to psirt@{domain}. Tell us the product, \
                 the version and how to reproduce the problem."
            ),
            policy_expectations: "We confirm receipt within two working days, give a first \
                assessment within ten, and agree the disclosure date with you. We credit you \
                in the advisory unless you prefer otherwise."
                .into(),
            policy_safe_harbour: "We will not take legal action against research done in good \
                faith within this policy, and we ask you to give us reasonable time to fix \
                before publishing."
                .into(),
        },
    )
    .await?;
    let gap = org.name == "Little Owl Devices";
    public_face::save_annex_ii(
        app,
        who,
        product.id,
        AnnexIiFields {
            product_type: product.description.clone(),
            identification: format!("{} (all releases listed below)", product.name),
            intended_purpose: format!("{} for home and small-office use.", product.description),
            security_environment: "A home or small-office network behind a router, \
                administered by its owner."
                .into(),
            essential_functions: "Its documented functions; remote management only through \
                the manufacturer's authenticated service."
                .into(),
            security_properties: "Secure boot, signed updates delivered through The Update \
                Framework, no default passwords, encrypted remote connections."
                .into(),
            foreseeable_risks: "Exposing the management interface to the internet; keeping \
                a release whose support has ended."
                .into(),
            // Where cyres serves the full declaration once it is published (Annex VI).
            doc_url: format!(
                "{}/public/{}/products/{}/declaration",
                app.config.public_url.trim_end_matches('/'),
                org.slug,
                product.id
            ),
            support_type: "Security updates free of charge until the end of the support \
                period, separately from feature updates."
                .into(),
            instructions_secure_use: "Change the setup password at first start; keep \
                automatic updates on."
                .into(),
            instructions_changes: "Installing third-party software or opening ports can \
                expose your data; the manual lists what is safe."
                .into(),
            instructions_updates: "Security updates install automatically at night and roll \
                back by themselves if the device does not come up."
                .into(),
            instructions_decommissioning: "Settings → Reset erases every key and personal \
                datum before you pass the device on."
                .into(),
            instructions_auto_updates_off: if gap {
                String::new()
            } else {
                "Settings → Updates → Automatic security updates: off (not recommended).".into()
            },
            instructions_integration: String::new(),
            sbom_url: String::new(),
        },
    )
    .await?;
    public_face::publish_annex_ii(app, who, product.id).await?;
    let csaf_metadata = super::csaf::seed(app, who, org, product).await?;
    Ok(DemoPublicPage {
        csaf_metadata,
        org: org.name.clone(),
        product_page: format!("/public/{}/products/{}", org.slug, product.id),
        cvd_policy: format!("/public/{}/cvd-policy", org.slug),
    })
}

fn state_city(org: &Org) -> &'static str {
    match org.member_state.as_deref() {
        Some("DE") => "10115 Berlin, Germany",
        Some("NL") => "1011 Amsterdam, Netherlands",
        Some("FR") => "75001 Paris, France",
        Some("AT") => "1010 Vienna, Austria",
        _ => "Brussels, Belgium",
    }
}
