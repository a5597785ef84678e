//! The manufacturer's public face (issue 18, points 4 and 5): `security.txt` (RFC 9116), the
//! coordinated vulnerability disclosure policy page (CRA Annex I Part II (5)-(6)) and each
//! product's Annex II user information page, with its JSON twin.
//!
//! - Which organisation answers a public request: the one the configured host map names for
//!   the request's `Host` ([`crate::Config::public_hosts`]), else the default public
//!   organisation ([`crate::Config::default_public_org`]), else the first manufacturer. An
//!   unmapped host never shapes a URL: links are built from the mapped host or the public URL.
//! - The Annex II page is composed here from the product's data and the organisation's
//!   settings, item by item; what a required item lacks is named to the manufacturer's editors
//!   ([`AnnexIiPage::missing`]) and never leaves this module in what the public gets
//!   ([`AnnexIiPage::public_json`]). Editors save a draft, preview it, then publish: the public
//!   reads only the published snapshot, versioned.

use super::{Principal, ServiceError};
use crate::App;
use cyres_store::text::{LONG_TEXT, REFERENCE, bounded};
use cyres_store::{AnnexIiFields, AnnexIiRecord, Org, OrgKind, Product, PublicFace, Role};
use serde::Serialize;
use time::format_description::well_known::Rfc3339;

/// The organisation answering public requests to `host`, and the base URL its public links
/// use.
pub(crate) struct PublicOrg {
    /// The organisation.
    pub org: Org,
    /// `scheme://host` without a trailing slash.
    pub base: String,
}

/// The host map's key for a `Host` header: lower case, without a trailing dot.
fn host_key(host: &str) -> String {
    host.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// `host` without its port (`[::1]:8080` keeps the brackets).
fn without_port(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !h.ends_with(':') => h,
        _ => host,
    }
}

/// The organisation mapped to the `Host` header `host` (RFC 9116 §3: the file answers for the
/// host it is served from), else the default public organisation.
pub(crate) async fn public_org(app: &App, host: Option<&str>) -> Result<PublicOrg, ServiceError> {
    let public_url = app.config.public_url.trim_end_matches('/');
    let scheme = public_url.split_once("://").map_or("https", |(s, _)| s);
    if let Some(host) = host.map(host_key) {
        let mapped = app
            .config
            .public_hosts
            .iter()
            .find(|(k, _)| host_key(k) == host)
            .or_else(|| {
                let bare = without_port(&host);
                app.config
                    .public_hosts
                    .iter()
                    .find(|(k, _)| host_key(k) == bare)
            });
        if let Some((key, id)) = mapped {
            let org = app.store.org(*id).await?;
            return Ok(PublicOrg {
                org,
                base: format!("{scheme}://{}", host_key(key)),
            });
        }
    }
    let org = match app.config.default_public_org {
        Some(id) => app.store.org(id).await?,
        None => app
            .store
            .orgs()
            .await?
            .into_iter()
            .filter(|o| o.kind == OrgKind::Manufacturer)
            .min_by_key(|o| o.id)
            .ok_or_else(|| ServiceError::not_found("public organisation"))?,
    };
    Ok(PublicOrg {
        org,
        base: public_url.to_string(),
    })
}

/// The public URLs of an organisation's face under `base`.
pub(crate) struct FaceUrls {
    /// `/.well-known/security.txt`.
    pub security_txt: String,
    /// The CVD policy page.
    pub policy: String,
    /// The public CVD intake form (`/report?organisation=ID`).
    pub report: String,
    /// The CSAF provider metadata (CSAF 2.0 §7.1.8 names it in security.txt): the
    /// organisation's own path, served on every host (`security.txt` names the canonical one,
    /// `service::csaf::provider_base`).
    pub csaf: String,
}

impl FaceUrls {
    pub(crate) fn new(base: &str, org: &Org) -> Self {
        FaceUrls {
            security_txt: format!("{base}/.well-known/security.txt"),
            policy: format!("{base}/public/{}/cvd-policy", org.slug),
            report: format!("{base}/report?organisation={}", org.id),
            csaf: format!("{base}/public/{}/csaf/provider-metadata.json", org.slug),
        }
    }
}

/// Whether `v` is safe on one line of a line-based format (no control characters).
fn one_line(v: &str) -> bool {
    !v.is_empty() && !v.chars().any(char::is_control)
}

/// The `Preferred-Languages` tags of `list` (RFC 9116 §2.5.8: comma-separated RFC 5646 tags).
fn language_tags(list: &str) -> Vec<&str> {
    list.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect()
}

/// `/.well-known/security.txt` for the organisation mapped to `host` (RFC 9116). `Contact`
/// (§2.5.3) lists the mailbox, the contact page and always the CVD intake form, so the file
/// is never without one; `Expires` (§2.5.5) is the injected clock's now plus
/// [`crate::Config::security_txt_days`] (1 to 365 days: the RFC advises under a year), so it
/// is never in the past; `CSAF` points at the provider metadata (CSAF 2.0 §7.1.8).
pub(crate) async fn security_txt(app: &App, host: Option<&str>) -> Result<String, ServiceError> {
    let PublicOrg { org, base } = public_org(app, host).await?;
    let face = app.store.public_face(org.id).await?;
    let mut urls = FaceUrls::new(&base, &org);
    urls.csaf = format!(
        "{}/provider-metadata.json",
        super::csaf::provider_base(app, &org)
    );
    let days = app.config.security_txt_days.clamp(1, 365);
    let expires = app.now_at() + time::Duration::days(days);
    let expires = expires
        .replace_nanosecond(0)
        .unwrap_or(expires)
        .format(&Rfc3339)
        .map_err(|e| ServiceError::internal(format!("security.txt Expires: {e}")))?;
    let name: String = org
        .name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut out = format!("# Security contact of {name} (RFC 9116).\n");
    if one_line(&face.contact_email) {
        out.push_str(&format!("Contact: mailto:{}\n", face.contact_email));
    }
    if one_line(&face.contact_url) {
        out.push_str(&format!("Contact: {}\n", face.contact_url));
    }
    out.push_str(&format!("Contact: {}\n", urls.report));
    out.push_str(&format!("Expires: {expires}\n"));
    if one_line(&face.encryption_url) {
        out.push_str(&format!("Encryption: {}\n", face.encryption_url));
    }
    let langs = language_tags(&face.preferred_languages);
    let langs = if langs.is_empty() {
        "en".to_string()
    } else {
        langs.join(", ")
    };
    out.push_str(&format!("Preferred-Languages: {langs}\n"));
    out.push_str(&format!("Canonical: {}\n", urls.security_txt));
    out.push_str(&format!("Policy: {}\n", urls.policy));
    out.push_str(&format!("CSAF: {}\n", urls.csaf));
    if !app.config.sign_security_txt {
        return Ok(out);
    }
    // RFC 9116 §2.3: an OpenPGP cleartext signature, with the key that signs the
    // organisation's CSAF documents (published at the URL named in the comment).
    let (key, signer) = super::csaf_provider::signing_key(app, &org).await?;
    let base = super::csaf::provider_base(app, &org);
    out.push_str(&format!(
        "# Signed with OpenPGP key {} ({}).\n",
        key.fingerprint,
        super::csaf_provider::key_url(&base, &key.fingerprint)
    ));
    signer
        .clear_sign(&out, app.now_at())
        .map_err(|e| ServiceError::internal(format!("signing security.txt: {e}")))
}

/// The CVD policy template's sections (Annex I Part II (5)): (field, heading, the text shown
/// until the organisation writes its own).
pub(crate) const POLICY_SECTIONS: [(&str, &str, &str); 4] = [
    (
        "policy_scope",
        "Scope",
        "This policy covers every product with digital elements we place on the market and the services we run for them, including the components they integrate.",
    ),
    (
        "policy_how_to_report",
        "How to report",
        "Use the reporting form linked on this page, or write to our security contact. Describe the product and version, the vulnerability and how to reproduce it. Please do not include personal data you do not need to share.",
    ),
    (
        "policy_expectations",
        "What you can expect, and when",
        "We acknowledge your report, assess it, keep you informed of our progress and tell you when a fix is available. We coordinate the publication with you and credit you if you wish.",
    ),
    (
        "policy_safe_harbour",
        "Safe harbour",
        "We will not take legal action against research done in good faith under this policy: research that avoids harm to users and data, does not degrade our services, and gives us reasonable time to fix before disclosure.",
    ),
];

/// The value of a policy section field.
pub(crate) fn policy_text<'a>(face: &'a PublicFace, field: &str) -> &'a str {
    match field {
        "policy_scope" => &face.policy_scope,
        "policy_how_to_report" => &face.policy_how_to_report,
        "policy_expectations" => &face.policy_expectations,
        _ => &face.policy_safe_harbour,
    }
}

/// One section of the public policy page.
pub(crate) struct PolicySection {
    /// Heading.
    pub heading: &'static str,
    /// The organisation's text, else the template's.
    pub text: String,
}

/// The public CVD policy page of the organisation with URL slug `slug`.
pub(crate) struct PolicyPage {
    /// The organisation.
    pub org: Org,
    /// Its settings.
    pub face: PublicFace,
    /// Its public URLs.
    pub urls: FaceUrls,
    /// The policy's sections.
    pub sections: Vec<PolicySection>,
    /// Its products with a published Annex II page: (name, page URL).
    pub products: Vec<(String, String)>,
}

/// The CVD policy page of organisation `slug` (public; an unknown slug is not found).
pub(crate) async fn policy_page(app: &App, slug: &str) -> Result<PolicyPage, ServiceError> {
    let org = app.store.org_by_slug(slug).await?;
    let face = app.store.public_face(org.id).await?;
    let base = app.config.public_url.trim_end_matches('/');
    let urls = FaceUrls::new(base, &org);
    let sections = POLICY_SECTIONS
        .iter()
        .map(|&(field, heading, default)| {
            let own = policy_text(&face, field).trim();
            PolicySection {
                heading,
                text: if own.is_empty() { default } else { own }.to_string(),
            }
        })
        .collect();
    let mut products = Vec::new();
    for id in app.store.published_annex_ii_products(org.id).await? {
        let p = app.store.product(org.id, id).await?;
        products.push((p.name, product_page_url(base, &org, id)));
    }
    Ok(PolicyPage {
        org,
        face,
        urls,
        sections,
        products,
    })
}

/// The public Annex II page of product `id` of `org`.
pub(crate) fn product_page_url(base: &str, org: &Org, id: i64) -> String {
    format!("{base}/public/{}/products/{id}", org.slug)
}

/// The JSON twin of [`product_page_url`].
pub(crate) fn product_json_url(base: &str, org: &Org, id: i64) -> String {
    format!("{base}/api/v1/public/orgs/{}/products/{id}", org.slug)
}

/// The organisation's public-face settings (any member reads them).
pub(crate) async fn settings(app: &App, who: &Principal) -> Result<PublicFace, ServiceError> {
    Ok(app.store.public_face(who.org_id).await?)
}

/// Refuses `value` unless it is empty or one line of at most [`REFERENCE`] characters that
/// starts with one of `schemes`.
fn check_uri(field: &str, value: &str, schemes: &[&str]) -> Result<(), ServiceError> {
    check_line(field, value)?;
    if !value.is_empty() && !schemes.iter().any(|s| value.starts_with(s)) {
        return Err(ServiceError::invalid(
            field,
            format!("{field}: must start with {}", schemes.join(" or ")),
        ));
    }
    Ok(())
}

/// Refuses a single-line field with control characters or over [`REFERENCE`] characters.
fn check_line(field: &str, value: &str) -> Result<(), ServiceError> {
    bounded(field, value, REFERENCE)?;
    if value.chars().any(char::is_control) {
        return Err(ServiceError::invalid(
            field,
            format!("{field}: one line, without control characters"),
        ));
    }
    Ok(())
}

/// Saves the organisation's public-face settings (admins: they speak for the organisation).
/// Single-line fields are one line of at most 500 characters; `Contact` and `Encryption`
/// URIs follow RFC 9116 §2.5.3 and §2.5.4 (`https://`, no plain http; keys may also be
/// `openpgp4fpr:` or `dns:`); texts are at most 20,000 characters.
pub(crate) async fn save_settings(
    app: &App,
    who: &Principal,
    mut face: PublicFace,
) -> Result<PublicFace, ServiceError> {
    who.require(Role::Admin)?;
    for v in [
        &mut face.contact_email,
        &mut face.contact_url,
        &mut face.postal_address,
        &mut face.website,
        &mut face.preferred_languages,
        &mut face.encryption_url,
        &mut face.policy_scope,
        &mut face.policy_how_to_report,
        &mut face.policy_expectations,
        &mut face.policy_safe_harbour,
    ] {
        *v = v.trim().to_string();
    }
    check_line("contact_email", &face.contact_email)?;
    if !face.contact_email.is_empty() {
        let ok = face
            .contact_email
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains('@'))
            && !face.contact_email.contains(char::is_whitespace);
        if !ok {
            return Err(ServiceError::invalid(
                "contact_email",
                "contact_email: a mailbox like security@example.com",
            ));
        }
    }
    check_uri("contact_url", &face.contact_url, &["https://"])?;
    check_uri("website", &face.website, &["https://", "http://"])?;
    check_uri(
        "encryption_url",
        &face.encryption_url,
        &["https://", "openpgp4fpr:", "dns:"],
    )?;
    check_line("preferred_languages", &face.preferred_languages)?;
    for tag in language_tags(&face.preferred_languages) {
        if tag.len() > 35 || !tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(ServiceError::invalid(
                "preferred_languages",
                format!(
                    "preferred_languages: {tag:?} is not a language tag (like en or de-AT); separate tags with commas"
                ),
            ));
        }
    }
    for (field, value) in [
        ("postal_address", &face.postal_address),
        ("policy_scope", &face.policy_scope),
        ("policy_how_to_report", &face.policy_how_to_report),
        ("policy_expectations", &face.policy_expectations),
        ("policy_safe_harbour", &face.policy_safe_harbour),
    ] {
        bounded(field, value, LONG_TEXT)?;
    }
    app.store
        .save_public_face(who.org_id, &face, &who.actor, app.now())
        .await?;
    Ok(face)
}

/// One fact on the Annex II page.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Entry {
    /// Field name (stable, for machines).
    pub field: &'static str,
    /// What it is, for people.
    pub label: &'static str,
    /// The value.
    pub value: String,
    /// Whether the value is a link.
    pub link: bool,
}

/// One Annex II item and its facts.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Item {
    /// `1` … `9`.
    pub item: &'static str,
    /// What the item is.
    pub title: &'static str,
    /// The facts given.
    pub entries: Vec<Entry>,
}

/// What a required Annex II item still lacks (for the manufacturer's editors only).
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Missing {
    /// The item (`8(e)` …).
    pub item: &'static str,
    /// The field that would give it.
    pub field: &'static str,
    /// What is missing, for people.
    pub label: &'static str,
}

/// A product's Annex II page, composed.
pub(crate) struct AnnexIiPage {
    /// Product id.
    pub product_id: i64,
    /// Product name.
    pub product: String,
    /// Manufacturer name.
    pub manufacturer: String,
    /// Items (1)-(9) with the facts given.
    pub items: Vec<Item>,
    /// Related public links (policy, intake, security.txt, CSAF, notice feeds).
    pub links: Vec<Entry>,
    /// What required items lack: never in [`AnnexIiPage::public_json`].
    pub missing: Vec<Missing>,
}

/// Whether an Annex II fact is required of every product (else "where applicable" or "if
/// shared", and not named missing).
#[derive(Clone, Copy, PartialEq)]
enum Need {
    Required,
    Optional,
}

impl AnnexIiPage {
    /// What the public gets: the product, the manufacturer and the items given, with no word
    /// on what is missing.
    pub(crate) fn public_json(&self) -> serde_json::Value {
        serde_json::json!({
            "product": {"id": self.product_id, "name": self.product},
            "manufacturer": self.manufacturer,
            "regulation": "Regulation (EU) 2024/2847 (Cyber Resilience Act), Annex II",
            "items": self.items,
            "links": self.links,
        })
    }
}

/// The end of the support period as Annex II (7) wants it: "at least the month and year".
fn support_end_text(product: &Product) -> String {
    product
        .support_end
        .as_deref()
        .map(|d| match cyres_cra::calendar::iso_date::parse(d) {
            Ok(date) => format!("{} {}", date.month(), date.year()),
            Err(_) => d.to_string(),
        })
        .unwrap_or_default()
}

/// The items of CRA Annex II, in its order: (number, what it is).
const ITEMS: [(&str, &str); 9] = [
    ("1", "The manufacturer"),
    (
        "2",
        "Single point of contact for vulnerabilities and the disclosure policy",
    ),
    ("3", "The product"),
    ("4", "Intended purpose and security"),
    (
        "5",
        "Known or foreseeable circumstances that may lead to significant cybersecurity risks",
    ),
    ("6", "EU declaration of conformity"),
    ("7", "Technical security support"),
    ("8", "Instructions"),
    ("9", "Software bill of materials"),
];

use Need::{Optional, Required};

/// The facts of each Annex II item: (item, field, label, need, shown as a link). Items (1)
/// and (2) come from the organisation's settings, the product name and the end of support
/// from the product, the rest from the product's Annex II fields.
const FACTS: &[(&str, &str, &str, Need, bool)] = &[
    // (1) name or trademark, postal address, e-mail or other digital contact, website where
    // available.
    ("1", "manufacturer", "Name or trademark", Required, false),
    ("1", "postal_address", "Postal address", Required, false),
    (
        "1",
        "contact",
        "E-mail or other digital contact",
        Required,
        true,
    ),
    ("1", "website", "Website", Optional, true),
    // (2) the single point of contact for vulnerability reports, and where the CVD policy is.
    ("2", "report", "Report a vulnerability", Required, true),
    (
        "2",
        "cvd_policy",
        "Coordinated vulnerability disclosure policy",
        Required,
        true,
    ),
    // (3) name, type and any additional information enabling unique identification.
    ("3", "name", "Name", Required, false),
    ("3", "product_type", "Type", Required, false),
    (
        "3",
        "identification",
        "Unique identification",
        Required,
        false,
    ),
    // (4) intended purpose, security environment, essential functions, security properties.
    ("4", "intended_purpose", "Intended purpose", Required, false),
    (
        "4",
        "security_environment",
        "Security environment",
        Required,
        false,
    ),
    (
        "4",
        "essential_functions",
        "Essential functions",
        Required,
        false,
    ),
    (
        "4",
        "security_properties",
        "Security properties",
        Required,
        false,
    ),
    // (5) known or foreseeable circumstances, reasonably foreseeable misuse included.
    (
        "5",
        "foreseeable_risks",
        "Circumstances, including reasonably foreseeable misuse",
        Required,
        false,
    ),
    // (6) the internet address of the EU declaration of conformity, where applicable.
    (
        "6",
        "doc_url",
        "Where the declaration of conformity is",
        Required,
        true,
    ),
    // (7) the type of technical security support and the end date of the support period.
    (
        "7",
        "support_type",
        "Type of support offered",
        Required,
        false,
    ),
    (
        "7",
        "support_end",
        "End of the support period",
        Required,
        false,
    ),
    // (8) detailed instructions or an internet address referring to them, (a) to (f).
    (
        "8",
        "instructions_secure_use",
        "(a) Secure commissioning and use",
        Required,
        false,
    ),
    (
        "8",
        "instructions_changes",
        "(b) How changes to the product can affect the security of data",
        Required,
        false,
    ),
    (
        "8",
        "instructions_updates",
        "(c) How security updates are installed",
        Required,
        false,
    ),
    (
        "8",
        "instructions_decommissioning",
        "(d) Secure decommissioning and removal of user data",
        Required,
        false,
    ),
    (
        "8",
        "instructions_auto_updates_off",
        "(e) How to turn off automatic installation of security updates",
        Required,
        false,
    ),
    // (8)(f) applies where the product is intended for integration into other products.
    (
        "8",
        "instructions_integration",
        "(f) Information for integrators",
        Optional,
        false,
    ),
    // (9) only if the manufacturer decides to make the SBOM available to the user.
    (
        "9",
        "sbom_url",
        "Where the SBOM is available",
        Optional,
        true,
    ),
];

/// Composes product `product`'s Annex II page from its data, the organisation's settings
/// and the draft `fields` (CRA Annex II (1)-(9)).
pub(crate) fn compose(
    base: &str,
    org: &Org,
    face: &PublicFace,
    product: &Product,
    fields: &AnnexIiFields,
    notices: Option<&super::notices::FeedUrls>,
) -> Result<AnnexIiPage, ServiceError> {
    let urls = FaceUrls::new(base, org);
    let contact = if face.contact_email.is_empty() {
        face.contact_url.clone()
    } else {
        format!("mailto:{}", face.contact_email)
    };
    let policy_written = POLICY_SECTIONS
        .iter()
        .all(|(f, _, _)| !policy_text(face, f).trim().is_empty());
    let draft = super::to_json("Annex II fields", fields)?;
    let value = |field: &str| -> String {
        match field {
            "manufacturer" => org.name.clone(),
            "postal_address" => face.postal_address.clone(),
            "contact" => contact.clone(),
            "website" => face.website.clone(),
            "report" => urls.report.clone(),
            "cvd_policy" if policy_written => urls.policy.clone(),
            "cvd_policy" => String::new(),
            "name" => product.name.clone(),
            "support_end" => support_end_text(product),
            f => draft[f].as_str().unwrap_or_default().to_string(),
        }
    };
    let mut items = Vec::new();
    let mut missing = Vec::new();
    for (item, title) in ITEMS {
        let mut entries = Vec::new();
        for &(_, field, label, need, link) in FACTS.iter().filter(|f| f.0 == item) {
            let value = value(field).trim().to_string();
            if !value.is_empty() {
                entries.push(Entry {
                    field,
                    label,
                    value,
                    link,
                });
            } else if need == Required {
                missing.push(Missing { item, field, label });
            }
        }
        items.push(Item {
            item,
            title,
            entries,
        });
    }
    let mut links = vec![
        Entry {
            field: "cvd_policy",
            label: "Coordinated vulnerability disclosure policy",
            value: urls.policy,
            link: true,
        },
        Entry {
            field: "report",
            label: "Report a vulnerability",
            value: urls.report,
            link: true,
        },
        Entry {
            field: "security_txt",
            label: "security.txt",
            value: urls.security_txt,
            link: true,
        },
        Entry {
            field: "csaf",
            label: "Security advisories (CSAF provider metadata)",
            value: urls.csaf,
            link: true,
        },
    ];
    if let Some(n) = notices {
        links.push(Entry {
            field: "notices",
            label: "Security notices for users",
            value: n.page.clone(),
            link: true,
        });
        links.push(Entry {
            field: "notices_json",
            label: "Security notices (JSON Feed)",
            value: n.json.clone(),
            link: true,
        });
        links.push(Entry {
            field: "notices_atom",
            label: "Security notices (Atom)",
            value: n.atom.clone(),
            link: true,
        });
    }
    Ok(AnnexIiPage {
        product_id: product.id,
        product: product.name.clone(),
        manufacturer: org.name.clone(),
        items,
        links,
        missing,
    })
}

/// What a member sees of a product's Annex II page: the draft, its preview as the public
/// would see it, what is missing (editors and above only) and what is published.
pub(crate) struct AnnexIiView {
    /// The product.
    pub product: Product,
    /// The stored record (draft and published snapshot).
    pub record: AnnexIiRecord,
    /// The draft composed.
    pub preview: AnnexIiPage,
    /// Whether the caller may see what is missing and edit.
    pub editor: bool,
    /// The public page's URL.
    pub public_url: String,
    /// The JSON twin's URL.
    pub json_url: String,
}

async fn compose_for(
    app: &App,
    org_id: i64,
    product: &Product,
    fields: &AnnexIiFields,
) -> Result<AnnexIiPage, ServiceError> {
    let org = app.store.org(org_id).await?;
    let face = app.store.public_face(org_id).await?;
    let feed = app
        .store
        .notice_feed(
            org_id,
            product.id,
            &super::credentials::random_secret(),
            app.now(),
        )
        .await?;
    let notices = super::notices::FeedUrls::new(app, &feed.slug);
    let base = app.config.public_url.trim_end_matches('/');
    compose(base, &org, &face, product, fields, Some(&notices))
}

/// Product `product_id`'s Annex II page for a member: the draft and its preview; what is
/// missing is kept for editors and above.
pub(crate) async fn annex_ii(
    app: &App,
    who: &Principal,
    product_id: i64,
) -> Result<AnnexIiView, ServiceError> {
    let product = app.store.product(who.org_id, product_id).await?;
    let record = app.store.annex_ii(who.org_id, product_id).await?;
    let mut preview = compose_for(app, who.org_id, &product, &record.draft).await?;
    let editor = who.role >= Role::Editor;
    if !editor {
        preview.missing.clear();
    }
    let org = app.store.org(who.org_id).await?;
    let base = app.config.public_url.trim_end_matches('/');
    Ok(AnnexIiView {
        public_url: product_page_url(base, &org, product_id),
        json_url: product_json_url(base, &org, product_id),
        product,
        record,
        preview,
        editor,
    })
}

/// Saves the draft of product `product_id`'s Annex II fields (editors). URLs are `http(s)`;
/// single-line fields at most 500 characters, texts at most 20,000.
pub(crate) async fn save_annex_ii(
    app: &App,
    who: &Principal,
    product_id: i64,
    mut fields: AnnexIiFields,
) -> Result<AnnexIiView, ServiceError> {
    who.require(Role::Editor)?;
    let f = &mut fields;
    for v in [
        &mut f.product_type,
        &mut f.identification,
        &mut f.intended_purpose,
        &mut f.security_environment,
        &mut f.essential_functions,
        &mut f.security_properties,
        &mut f.foreseeable_risks,
        &mut f.doc_url,
        &mut f.support_type,
        &mut f.instructions_secure_use,
        &mut f.instructions_changes,
        &mut f.instructions_updates,
        &mut f.instructions_decommissioning,
        &mut f.instructions_auto_updates_off,
        &mut f.instructions_integration,
        &mut f.sbom_url,
    ] {
        *v = v.trim().to_string();
    }
    check_line("product_type", &fields.product_type)?;
    check_line("identification", &fields.identification)?;
    check_uri("doc_url", &fields.doc_url, &["https://", "http://"])?;
    check_uri("sbom_url", &fields.sbom_url, &["https://", "http://"])?;
    app.store
        .save_annex_ii_draft(who.org_id, product_id, &fields, &who.actor, app.now())
        .await?;
    annex_ii(app, who, product_id).await
}

/// Publishes the saved draft of product `product_id`'s Annex II page as the next version
/// (editors): the composed page becomes what the public reads. Answers the version.
pub(crate) async fn publish_annex_ii(
    app: &App,
    who: &Principal,
    product_id: i64,
) -> Result<i64, ServiceError> {
    who.require(Role::Editor)?;
    let view = annex_ii(app, who, product_id).await?;
    if view.record.updated_at.is_none() {
        return Err(ServiceError::conflict(
            "annex_ii: save the page before publishing it",
        ));
    }
    Ok(app
        .store
        .publish_annex_ii(
            who.org_id,
            product_id,
            &view.preview.public_json(),
            &who.actor,
            app.now(),
        )
        .await?)
}

/// The published Annex II page of product `product_id` of the organisation with slug `slug`,
/// for the public, with its version and publication time: not found when nothing is
/// published.
pub(crate) async fn published(
    app: &App,
    slug: &str,
    product_id: i64,
) -> Result<serde_json::Value, ServiceError> {
    let org = app.store.org_by_slug(slug).await?;
    let (mut page, version, at) = app
        .store
        .published_annex_ii(org.id, product_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("product page"))?;
    page["version"] = version.into();
    page["published_at"] = crate::clock::at(at)
        .format(&Rfc3339)
        .unwrap_or_default()
        .into();
    // The product's public CSAF advisories, live from the provider (issue 18, point 4): those
    // whose product tree names the product, newest first. Only the stored published rows are
    // read: a public page never makes or unseals the signing key.
    let name = page["product"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let base = super::csaf::provider_base(app, &org);
    let mut advisories: Vec<(String, serde_json::Value)> =
        super::csaf_provider::published_entries(app, &org, false)
            .await?
            .iter()
            .filter(|(p, _)| p.products.iter().any(|n| n == &name))
            .map(|(p, rev)| {
                (
                    p.current_release_date.clone(),
                    serde_json::json!({
                        "tracking_id": p.tracking_id,
                        "title": p.title,
                        "profile": p.category,
                        "version": rev.version,
                        "current_release_date": p.current_release_date,
                        "url": cyres_csaf::provider::document_url(&base, p),
                    }),
                )
            })
            .collect();
    advisories.sort_by(|a, b| b.0.cmp(&a.0));
    page["csaf_advisories"] = advisories.into_iter().map(|(_, v)| v).collect();
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_keys_ignore_case_trailing_dots_and_ports() {
        assert_eq!(host_key(" Acme.Example. "), "acme.example");
        assert_eq!(without_port("acme.example:8443"), "acme.example");
        assert_eq!(without_port("[::1]:8080"), "[::1]");
        assert_eq!(without_port("acme.example"), "acme.example");
    }

    #[test]
    fn language_tags_are_split_on_commas() {
        assert_eq!(language_tags("en, de ,,fr"), vec!["en", "de", "fr"]);
        assert!(language_tags(" ").is_empty());
    }
}
