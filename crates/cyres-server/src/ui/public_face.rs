//! The public face in the web UI (issue 18, points 4 and 5):
//!
//! - public pages, no login: the organisation's CVD policy (`/public/{slug}/cvd-policy`,
//!   CRA Annex I Part II (5)-(6)) and a product's published Annex II page
//!   (`/public/{slug}/products/{id}`), which never say what is missing;
//! - members' pages: a product's Annex II editor (`/products/{id}/annex-ii`: what required
//!   items lack, for editors; the draft form; the preview exactly as the public would see it;
//!   publish) and the organisation's public-face settings (`/settings/public-face`, admins
//!   edit).
//!
//! The rules (roles, checks, composition) live in `service::public_face`; forms that fail
//! re-render with the message next to the field and what was typed kept.

use super::session::UiSession;
use super::view::{Chrome, Form, Nav, UiError, ok, render, when};
use crate::App;
use crate::service::ServiceError;
use crate::service::public_face::{self as face, FaceUrls, POLICY_SECTIONS, PolicySection};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cyres_store::{AnnexIiFields, PublicFace, Role};
use serde::Deserialize;

/// One fact of an Annex II item, as the pages show it (read back from the page's JSON).
#[derive(Deserialize)]
pub(super) struct PageEntry {
    /// What it is.
    pub label: String,
    /// The value.
    pub value: String,
    /// Whether it is a link.
    #[serde(default)]
    pub link: bool,
}

/// One Annex II item as shown.
#[derive(Deserialize)]
pub(super) struct PageItem {
    /// `1` … `9`.
    pub item: String,
    /// What the item is.
    pub title: String,
    /// The facts given.
    pub entries: Vec<PageEntry>,
}

/// The parts of an Annex II page's JSON the pages show.
#[derive(Deserialize)]
struct PageJson {
    items: Vec<PageItem>,
    links: Vec<PageEntry>,
}

fn page_json(v: &serde_json::Value) -> Result<PageJson, UiError> {
    serde_json::from_value(v.clone())
        .map_err(|e| UiError(crate::ApiError::internal(format!("annex II page: {e}"))))
}

#[derive(Template)]
#[template(path = "public_policy.html")]
struct PolicyTemplate {
    org: String,
    face: PublicFace,
    urls: FaceUrls,
    sections: Vec<PolicySection>,
    products: Vec<(String, String)>,
}

/// `GET /public/{slug}/cvd-policy` (public): the organisation's coordinated vulnerability
/// disclosure policy, linking the intake form and security.txt.
pub(super) async fn policy(
    State(app): State<App>,
    Path(slug): Path<String>,
) -> Result<Response, UiError> {
    let p = face::policy_page(&app, &slug).await?;
    ok(&PolicyTemplate {
        org: p.org.name,
        face: p.face,
        urls: p.urls,
        sections: p.sections,
        products: p.products,
    })
}

#[derive(Template)]
#[template(path = "public_product.html")]
struct PublicProductTemplate {
    product: String,
    manufacturer: String,
    version: i64,
    published_at: String,
    json_url: String,
    items: Vec<PageItem>,
    links: Vec<PageEntry>,
    /// The product's public CSAF advisories: (tracking id, title, version, URL).
    advisories: Vec<(String, String, String, String)>,
}

/// `GET /public/{slug}/products/{id}` (public): the product's published Annex II page.
pub(super) async fn product(
    State(app): State<App>,
    Path((slug, id)): Path<(String, i64)>,
) -> Result<Response, UiError> {
    let v = face::published(&app, &slug, id).await?;
    let parts = page_json(&v)?;
    ok(&PublicProductTemplate {
        product: v["product"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        manufacturer: v["manufacturer"].as_str().unwrap_or_default().to_string(),
        version: v["version"].as_i64().unwrap_or_default(),
        published_at: v["published_at"].as_str().unwrap_or_default().to_string(),
        json_url: format!("/api/v1/public/orgs/{slug}/products/{id}"),
        items: parts.items,
        links: parts.links,
        advisories: v["csaf_advisories"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| {
                        let f = |k: &str| x[k].as_str().unwrap_or_default().to_string();
                        (f("tracking_id"), f("title"), f("version"), f("url"))
                    })
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// One input of a form.
pub(super) struct FieldView {
    /// Field name.
    pub name: &'static str,
    /// Label.
    pub label: &'static str,
    /// Current value.
    pub value: String,
    /// A text area rather than one line.
    pub long: bool,
    /// The error, if the last submission failed here.
    pub error: Option<String>,
}

/// The fields of `T` in `spec` order, valued from `form` when it was submitted, else from
/// `stored` (its JSON).
fn field_views<T: serde::Serialize>(
    spec: &[(&'static str, &'static str, bool)],
    stored: &T,
    form: &Form,
) -> Result<Vec<FieldView>, ServiceError> {
    let stored = crate::service::to_json("stored fields", stored)?;
    Ok(spec
        .iter()
        .map(|&(name, label, long)| FieldView {
            name,
            label,
            value: if form.present(name) {
                form.raw(name).to_string()
            } else {
                stored[name].as_str().unwrap_or_default().to_string()
            },
            long,
            error: form.error(name).map(str::to_string),
        })
        .collect())
}

/// `T` from a submitted form of `spec`'s fields (others ignored).
fn from_form<T: serde::de::DeserializeOwned + Default>(
    spec: &[(&'static str, &'static str, bool)],
    form: &Form,
) -> Result<T, ServiceError> {
    let map: serde_json::Map<String, serde_json::Value> = spec
        .iter()
        .map(|(name, _, _)| (name.to_string(), form.raw(name).into()))
        .collect();
    serde_json::from_value(map.into())
        .map_err(|e| ServiceError::internal(format!("form fields: {e}")))
}

/// The Annex II editor's fields: (name, label, text area), in Annex II order.
const ANNEX_FIELDS: [(&str, &str, bool); 16] = [
    ("product_type", "(3) Product type", false),
    (
        "identification",
        "(3) Unique identification (model, article number, purl or CPE)",
        false,
    ),
    ("intended_purpose", "(4) Intended purpose", true),
    ("security_environment", "(4) Security environment", true),
    ("essential_functions", "(4) Essential functions", true),
    ("security_properties", "(4) Security properties", true),
    (
        "foreseeable_risks",
        "(5) Known or foreseeable circumstances, including misuse, that may lead to significant risks",
        true,
    ),
    (
        "doc_url",
        "(6) URL of the EU declaration of conformity",
        false,
    ),
    (
        "support_type",
        "(7) Type of technical security support",
        true,
    ),
    (
        "instructions_secure_use",
        "(8)(a) Secure commissioning and use",
        true,
    ),
    (
        "instructions_changes",
        "(8)(b) How changes to the product can affect the security of data",
        true,
    ),
    (
        "instructions_updates",
        "(8)(c) How security updates are installed",
        true,
    ),
    (
        "instructions_decommissioning",
        "(8)(d) Secure decommissioning and removal of user data",
        true,
    ),
    (
        "instructions_auto_updates_off",
        "(8)(e) How to turn off automatic installation of security updates",
        true,
    ),
    (
        "instructions_integration",
        "(8)(f) Information for integrators (where the product is meant for integration)",
        true,
    ),
    (
        "sbom_url",
        "(9) Where the SBOM is available (if you share it)",
        false,
    ),
];

/// The public-face settings' fields: (name, label, text area).
const FACE_FIELDS: [(&str, &str, bool); 10] = [
    ("contact_email", "Security contact e-mail", false),
    ("contact_url", "Security contact page (https://)", false),
    ("postal_address", "Postal address (Annex II (1))", true),
    ("website", "Website", false),
    (
        "preferred_languages",
        "Preferred languages for reports (comma-separated tags, like en, de)",
        false,
    ),
    (
        "encryption_url",
        "Encryption key URL (https://, openpgp4fpr: or dns:)",
        false,
    ),
    ("policy_scope", "CVD policy: scope", true),
    ("policy_how_to_report", "CVD policy: how to report", true),
    (
        "policy_expectations",
        "CVD policy: what the reporter can expect, and when",
        true,
    ),
    ("policy_safe_harbour", "CVD policy: safe harbour", true),
];

#[derive(Template)]
#[template(path = "annex_ii.html")]
struct AnnexIiTemplate {
    chrome: Chrome,
    product_id: i64,
    notice: String,
    form_error: Option<String>,
    missing: Vec<(String, String)>,
    editor: bool,
    fields: Vec<FieldView>,
    items: Vec<PageItem>,
    links: Vec<PageEntry>,
    version: i64,
    published_at: String,
    draft_differs: bool,
    public_url: String,
    json_url: String,
}

async fn render_annex(
    app: &App,
    sess: &UiSession,
    id: i64,
    form: Form,
    notice: String,
) -> Result<Response, UiError> {
    let v = face::annex_ii(app, &sess.principal(), id).await?;
    let preview = v.preview.public_json();
    let parts = page_json(&preview)?;
    let draft_differs = v.record.published.as_ref().is_some_and(|p| {
        p.get("items") != preview.get("items") || p.get("links") != preview.get("links")
    });
    let status = if form.failed() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let t = AnnexIiTemplate {
        chrome: sess.chrome(
            format!("{}: Annex II user information", v.product.name),
            Nav::Products,
        ),
        product_id: id,
        notice,
        form_error: form.error("_form").map(str::to_string),
        missing: v
            .preview
            .missing
            .iter()
            .map(|m| (m.item.to_string(), m.label.to_string()))
            .collect(),
        editor: v.editor,
        fields: field_views(&ANNEX_FIELDS, &v.record.draft, &form)?,
        items: parts.items,
        links: parts.links,
        version: v.record.version,
        published_at: v.record.published_at.map(when).unwrap_or_default(),
        draft_differs,
        public_url: v.public_url,
        json_url: v.json_url,
    };
    render(status, &t)
}

/// `GET /products/{id}/annex-ii` (members): the Annex II editor and preview.
pub(super) async fn editor(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let q = Form::new(q);
    let notice = if !q.get("published").is_empty() {
        format!("Published as version {}.", q.get("published"))
    } else if !q.get("saved").is_empty() {
        "Draft saved. The public page changes when you publish.".to_string()
    } else {
        String::new()
    };
    render_annex(&app, &sess, id, Form::default(), notice).await
}

/// Records a service error next to its field, or answers it as an error page when it is
/// not about the form.
fn form_failure(form: &mut Form, e: ServiceError) -> Result<(), UiError> {
    match e.kind {
        crate::service::ErrorKind::Invalid | crate::service::ErrorKind::Conflict => {
            form.fail_api(&e.into());
            Ok(())
        }
        _ => Err(e.into()),
    }
}

/// `POST /products/{id}/annex-ii` (editors): saves the draft.
pub(super) async fn save(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(Role::Editor)?;
    let fields: AnnexIiFields = from_form(&ANNEX_FIELDS, &form)?;
    match face::save_annex_ii(&app, &sess.principal(), id, fields).await {
        Ok(_) => Ok(Redirect::to(&format!("/products/{id}/annex-ii?saved=1")).into_response()),
        Err(e) => {
            form_failure(&mut form, e)?;
            render_annex(&app, &sess, id, form, String::new()).await
        }
    }
}

/// `POST /products/{id}/annex-ii/publish` (editors): publishes the saved draft.
pub(super) async fn publish(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(Role::Editor)?;
    match face::publish_annex_ii(&app, &sess.principal(), id).await {
        Ok(version) => Ok(
            Redirect::to(&format!("/products/{id}/annex-ii?published={version}")).into_response(),
        ),
        Err(e) => {
            form_failure(&mut form, e)?;
            render_annex(&app, &sess, id, form, String::new()).await
        }
    }
}

#[derive(Template)]
#[template(path = "public_face_settings.html")]
struct SettingsTemplate {
    chrome: Chrome,
    notice: String,
    form_error: Option<String>,
    fields: Vec<FieldView>,
    urls: FaceUrls,
    defaults: Vec<(&'static str, &'static str)>,
}

async fn render_settings(
    app: &App,
    sess: &UiSession,
    form: Form,
    notice: String,
) -> Result<Response, UiError> {
    let stored = face::settings(app, &sess.principal()).await?;
    let org = app.store.org(sess.org_id).await?;
    let status = if form.failed() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let t = SettingsTemplate {
        chrome: sess.chrome(
            "Public face: security.txt and disclosure policy",
            Nav::Settings,
        ),
        notice,
        form_error: form.error("_form").map(str::to_string),
        fields: field_views(&FACE_FIELDS, &stored, &form)?,
        urls: FaceUrls::new(app.config.public_url.trim_end_matches('/'), &org),
        defaults: POLICY_SECTIONS.iter().map(|(_, h, d)| (*h, *d)).collect(),
    };
    render(status, &t)
}

/// `GET /settings/public-face` (members; admins edit).
pub(super) async fn settings(
    State(app): State<App>,
    sess: UiSession,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let notice = if Form::new(q).get("saved").is_empty() {
        String::new()
    } else {
        "Saved.".to_string()
    };
    render_settings(&app, &sess, Form::default(), notice).await
}

/// `POST /settings/public-face` (admins).
pub(super) async fn save_settings(
    State(app): State<App>,
    sess: UiSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(Role::Admin)?;
    let fields: PublicFace = from_form(&FACE_FIELDS, &form)?;
    match face::save_settings(&app, &sess.principal(), fields).await {
        Ok(_) => Ok(Redirect::to("/settings/public-face?saved=1").into_response()),
        Err(e) => {
            form_failure(&mut form, e)?;
            render_settings(&app, &sess, form, String::new()).await
        }
    }
}
