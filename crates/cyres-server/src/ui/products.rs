//! Products: the list with filters and the new-product form; the product page with its CRA
//! classification and the reasons, the obligations checklist, the support period, releases,
//! SBOM upload and quality diagnostics, findings, and the subscribers to its security notices
//! (`super::notices`).
//!
//! The classification is computed from the stored facts with `cyres_cra::classify`: the
//! catalogue entries named as core functionality decide the category (CRA Art. 7(1), 8(1)),
//! the earliest release date stands for placing on the market, and the declared end of support
//! is checked against the Art. 13(8) minimum.

use super::dashboard::{category_label, open_findings};
use super::notices::{SubscriberForm, SubscribersView, subscribers_view};
use super::session::UiSession;
use super::view::{Chrome, FindingLine, Form, Names, Nav, UiError, render, triage_order, when};
use crate::service::inventory::{self, ProductFields, SbomFile};
use crate::{ApiError, App};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cyres_cra::Catalogue;
use cyres_store::{FindingFilter, Product, ProductInput, Role};
use std::collections::BTreeMap;
use std::sync::OnceLock;

fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(Catalogue::builtin)
}

/// A catalogue entry as offered in the form.
pub(super) struct EntryChoice {
    /// Id.
    pub id: String,
    /// "Important, class I: Routers, modems … (annex3-class1-12)".
    pub label: String,
}

/// A product as listed.
pub(super) struct ProductLine {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Category for people.
    pub category: &'static str,
    /// Member states.
    pub member_states: String,
    /// End of support.
    pub support_end: String,
    /// Open findings.
    pub open: usize,
    /// Of which actively exploited.
    pub exploited: usize,
}

#[derive(Template)]
#[template(path = "products.html")]
struct ListPage {
    chrome: Chrome,
    filter: Form,
    categories: Vec<(String, &'static str)>,
    products: Vec<ProductLine>,
    form: Form,
    entries: Vec<EntryChoice>,
}

const CATEGORIES: [&str; 4] = [
    "critical",
    "important-class-2",
    "important-class-1",
    "default",
];

fn entry_choices() -> Vec<EntryChoice> {
    catalogue()
        .entries
        .iter()
        .map(|e| EntryChoice {
            id: e.id.clone(),
            label: format!(
                "{}: {} ({})",
                category_label(e.category.as_str()),
                e.title,
                e.id
            ),
        })
        .collect()
}

async fn render_list(
    app: &App,
    sess: &UiSession,
    filter: Form,
    form: Form,
) -> Result<Response, UiError> {
    let open = open_findings(app, sess.org_id, None).await?;
    let mut counts: BTreeMap<i64, (usize, usize)> = BTreeMap::new();
    for f in &open {
        let c = counts.entry(f.product_id).or_default();
        c.0 += 1;
        if f.exploited {
            c.1 += 1;
        }
    }
    let q = filter.get("q").to_lowercase();
    let category = filter.get("category").to_string();
    let products = app
        .store
        .products(sess.org_id)
        .await?
        .into_iter()
        .filter(|p| category.is_empty() || p.category == category)
        .filter(|p| {
            q.is_empty()
                || p.name.to_lowercase().contains(&q)
                || p.description.to_lowercase().contains(&q)
        })
        .map(|p| {
            let (open, exploited) = counts.get(&p.id).copied().unwrap_or_default();
            ProductLine {
                id: p.id,
                category: category_label(&p.category),
                member_states: p.member_states.join(", "),
                support_end: p.support_end.clone().unwrap_or_default(),
                name: p.name,
                open,
                exploited,
            }
        })
        .collect();
    let status = if form.failed() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        &ListPage {
            chrome: sess.chrome("Products", Nav::Products),
            filter,
            categories: CATEGORIES
                .iter()
                .map(|c| (c.to_string(), category_label(c)))
                .collect(),
            products,
            form,
            entries: entry_choices(),
        },
    )
}

/// `GET /products?q=&category=`.
pub(super) async fn list(
    State(app): State<App>,
    sess: UiSession,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    render_list(&app, &sess, Form::new(q), Form::default()).await
}

/// Checks the new-product form with the one product check
/// ([`inventory::check_product`]); errors go next to their fields.
fn product_input(form: &mut Form) -> Option<ProductInput> {
    let estimated_users = match form.get("estimated_users") {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                form.fail("estimated_users", "a whole number");
                None
            }
        },
    };
    let fields = ProductFields {
        name: form.get("name").to_string(),
        description: form.get("description").to_string(),
        catalogue_entries: form.all("catalogue_entries"),
        member_states: form
            .get("member_states")
            .split([',', ' '])
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
        estimated_users,
        support_end: Some(form.get("support_end").to_string()).filter(|s| !s.is_empty()),
    };
    match inventory::check_product(fields) {
        Ok(input) if !form.failed() => Some(input),
        Ok(_) => None,
        Err(errors) => {
            for e in &errors {
                form.fail_service(e);
            }
            None
        }
    }
}

/// `POST /products`: a new product (editors).
pub(super) async fn create(
    State(app): State<App>,
    sess: UiSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(Role::Editor)?;
    if let Some(input) = product_input(&mut form) {
        match inventory::create_product(&app, &sess.principal(), &input).await {
            Ok(p) => return Ok(Redirect::to(&format!("/products/{}", p.id)).into_response()),
            Err(e) => {
                let e = ApiError::from(e);
                if e.status.is_server_error() {
                    return Err(e.into());
                }
                if e.field.is_none() && e.status == StatusCode::CONFLICT {
                    form.fail("name", e.message);
                } else {
                    form.fail_api(&e);
                }
            }
        }
    }
    render_list(&app, &sess, Form::default(), form).await
}

/// A release with its SBOM, as shown on the product page.
pub(super) struct ReleaseView {
    /// Id.
    pub id: i64,
    /// Version.
    pub version: String,
    /// Release date.
    pub released_on: String,
    /// The SBOM, once uploaded.
    pub sbom: Option<SbomView>,
    /// The upload error for this release, if the last upload failed.
    pub upload_error: Option<String>,
}

/// SBOM facts and quality diagnostics.
pub(super) struct SbomView {
    /// File name.
    pub file_name: String,
    /// Format and spec version.
    pub format: String,
    /// Components.
    pub components: i64,
    /// SHA-256.
    pub sha256: String,
    /// Uploaded at.
    pub uploaded: String,
    /// (severity, code, message).
    pub diagnostics: Vec<(String, String, String)>,
    /// The quality panel (BSI TR-03183-2, NTIA), rendered by `ui/quality.rs`.
    pub quality: Option<String>,
}

/// One obligation in the checklist.
pub(super) struct ObligationView {
    /// Applies now.
    pub applies: bool,
    /// Legal source.
    pub source: String,
    /// Summary.
    pub summary: String,
    /// "applies now", "from 2027-12-11" or "does not apply".
    pub when: String,
    /// Condition.
    pub condition: String,
}

/// Classification facts for the page.
pub(super) struct ClassView {
    /// Category for people.
    pub category: &'static str,
    /// Legal basis.
    pub basis: String,
    /// (id, title, reason, decisive).
    pub reasons: Vec<(String, String, String)>,
    /// Conformity routes.
    pub routes: Vec<String>,
    /// Why those routes.
    pub conformity: String,
    /// Obligations.
    pub obligations: Vec<ObligationView>,
    /// How many apply now.
    pub applying: usize,
    /// Notes.
    pub notes: Vec<String>,
    /// Support period lines.
    pub support: Vec<String>,
}

#[derive(Template)]
#[template(path = "product.html")]
struct ProductPage {
    chrome: Chrome,
    p: Product,
    class: Result<ClassView, String>,
    releases: Vec<ReleaseView>,
    findings: Vec<FindingLine>,
    release_form: Form,
    notice: String,
    subscribers: SubscribersView,
}

fn classify(p: &Product, placed: Option<&str>, today: time::Date) -> Result<ClassView, String> {
    let profile: cyres_cra::Profile = serde_json::from_value(serde_json::json!({
        "name": p.name,
        "description": p.description,
        "core_functions": p.catalogue_entries,
        "placed_on_market": placed,
        "support_end": p.support_end,
        "member_states": p.member_states,
    }))
    .map_err(|e| format!("the product facts do not form a CRA profile: {e}"))?;
    let c = cyres_cra::classify(&profile, catalogue(), today).map_err(|e| e.to_string())?;
    let mut support = Vec::new();
    match &c.support_period {
        Some(s) => {
            support.push(format!(
                "Support period from {} to {} ({}).",
                cyres_cra::calendar::iso_date::format(s.start),
                cyres_cra::calendar::iso_date::format(s.end),
                s.rule
            ));
            support.push(format!(
                "Art. 13(8) minimum: {} months, until {}.",
                s.minimum_months,
                cyres_cra::calendar::iso_date::format(s.minimum_end)
            ));
            if s.declared_end_meets_minimum == Some(false) {
                support.push("The declared end of support is before the Art. 13(8) minimum of five years (or the expected use time, if shorter).".into());
            }
            if s.declared_end_covers_expected_use == Some(false) {
                support.push("The declared end of support is before the end of the expected use time: Art. 13(8) requires the support period to reflect it.".into());
            }
            support.push(format!(
                "Technical documentation kept until {} (Art. 13(13)).",
                cyres_cra::calendar::iso_date::format(s.documentation_kept_until)
            ));
        }
        None => support.push(match &p.support_end {
            Some(end) => format!(
                "Declared end of support: {end}. Add a release with a date to check it against the Art. 13(8) minimum."
            ),
            None => "No end of support declared, and no release date to start the period from.".into(),
        }),
    }
    Ok(ClassView {
        category: category_label(c.category.as_str()),
        basis: c.category_basis.to_string(),
        reasons: c
            .matched
            .iter()
            .map(|m| (m.id.clone(), m.title.clone(), m.reason.clone()))
            .collect(),
        routes: c
            .conformity
            .routes
            .iter()
            .map(|r| match (&r.note, r.available) {
                // Art. 27(9), 32(1)(d): a scheme counts only once a delegated act names it.
                (Some(note), false) => format!("{} ({note})", r.description),
                _ => r.description.to_string(),
            })
            .collect(),
        conformity: format!("{} ({})", c.conformity.reason, c.conformity.basis),
        obligations: c
            .obligations
            .iter()
            .map(|o| ObligationView {
                applies: o.applies,
                source: o.source.to_string(),
                summary: o.summary.to_string(),
                when: match (o.applies, o.applies_from) {
                    (true, _) => "applies now".into(),
                    (false, Some(d)) => {
                        format!("from {}", cyres_cra::calendar::iso_date::format(d))
                    }
                    (false, None) => "does not apply".into(),
                },
                condition: o.condition.unwrap_or("").to_string(),
            })
            .collect(),
        applying: c.obligations.iter().filter(|o| o.applies).count(),
        notes: c.notes.clone(),
        support,
    })
}

fn diagnostics(v: &serde_json::Value) -> Vec<(String, String, String)> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|d| {
                    let s = |k: &str| d.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
                    (s("severity"), s("code"), s("message"))
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn render_product(
    app: &App,
    sess: &UiSession,
    id: i64,
    release_form: Form,
    upload_error: Option<(i64, String)>,
    notice: String,
    subs: SubscriberForm,
) -> Result<Response, UiError> {
    let p = app.store.product(sess.org_id, id).await?;
    let mut releases = Vec::new();
    let mut placed: Option<String> = None;
    for r in app.store.releases(sess.org_id, id).await? {
        if let Some(d) = &r.released_on
            && placed.as_ref().is_none_or(|p| d < p)
        {
            placed = Some(d.clone());
        }
        let sbom = match r.sbom_id {
            Some(sid) => {
                let m = app.store.sbom_meta(sess.org_id, sid).await?;
                Some(SbomView {
                    format: format!("{} {}", m.format, m.spec_version),
                    components: m.component_count,
                    sha256: m.sha256,
                    uploaded: when(m.created_at),
                    diagnostics: diagnostics(&m.diagnostics),
                    file_name: m.file_name,
                    quality: super::quality::release_panel(app, sess, r.id).await,
                })
            }
            None => None,
        };
        releases.push(ReleaseView {
            id: r.id,
            version: r.version,
            released_on: r.released_on.unwrap_or_default(),
            sbom,
            upload_error: upload_error
                .as_ref()
                .filter(|(rid, _)| *rid == r.id)
                .map(|(_, m)| m.clone()),
        });
    }
    let today = app.now_at().date();
    let class = classify(&p, placed.as_deref(), today);
    let names = Names::load(app, sess.org_id).await?;
    let mut rows = app
        .store
        .findings(
            sess.org_id,
            &FindingFilter {
                product_id: Some(id),
                limit: Some(1000),
                ..Default::default()
            },
        )
        .await?;
    triage_order(&mut rows);
    let subscribers = subscribers_view(app, sess, id, subs).await?;
    let status =
        if release_form.failed() || upload_error.is_some() || subscribers.form.form.failed() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        };
    render(
        status,
        &ProductPage {
            chrome: sess.chrome(p.name.clone(), Nav::Products),
            p,
            class,
            releases,
            findings: rows.iter().map(|f| names.line(f)).collect(),
            release_form,
            notice,
            subscribers,
        },
    )
}

/// The product page answering the add-subscriber form: its errors, or a new webhook's secret.
pub(super) async fn render_with_subscribers(
    app: &App,
    sess: &UiSession,
    id: i64,
    subs: SubscriberForm,
) -> Result<Response, UiError> {
    render_product(app, sess, id, Form::default(), None, String::new(), subs).await
}

/// `GET /products/{id}`.
pub(super) async fn page(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let q = Form::new(q);
    let notice = match (q.get("uploaded"), q.get("findings")) {
        ("", _) if !q.get("subscribed").is_empty() => "Subscriber added.".to_string(),
        ("", _) if !q.get("removed").is_empty() => {
            "Subscriber removed; its pending deliveries are cancelled.".to_string()
        }
        ("", _) => String::new(),
        (v, n) => format!("SBOM for release {v} uploaded: {n} findings."),
    };
    render_product(
        &app,
        &sess,
        id,
        Form::default(),
        None,
        notice,
        SubscriberForm::default(),
    )
    .await
}

/// `POST /products/{id}/releases`: a new release (editors).
pub(super) async fn create_release(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let mut form = Form::new(pairs);
    sess.check(&form)?;
    sess.require(Role::Editor)?;
    let version = form.get("version").to_string();
    let released_on = Some(form.get("released_on").to_string()).filter(|s| !s.is_empty());
    {
        match inventory::create_release(
            &app,
            &sess.principal(),
            id,
            &version,
            released_on.as_deref(),
        )
        .await
        {
            Ok(r) => {
                return Ok(
                    Redirect::to(&format!("/products/{id}#release-{}", r.id)).into_response()
                );
            }
            Err(e) => {
                let e = ApiError::from(e);
                if e.status.is_server_error() || e.status == StatusCode::NOT_FOUND {
                    return Err(e.into());
                }
                if e.field.is_none() {
                    form.fail("version", e.message);
                } else {
                    form.fail_api(&e);
                }
            }
        }
    }
    render_product(
        &app,
        &sess,
        id,
        form,
        None,
        String::new(),
        SubscriberForm::default(),
    )
    .await
}

/// `POST /releases/{id}/sbom` (multipart: `csrf`, `file`): the SBOM of a release, read in any
/// format the engine knows, stored with its components and findings (editors).
pub(super) async fn upload_sbom(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> Result<Response, UiError> {
    let release = app.store.release(sess.org_id, id).await?;
    let limit = app.config.max_upload_bytes;
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut too_large = false;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| ApiError::bad_request(format!("upload: {e}")))?
    {
        match field.name() {
            Some("csrf") => {
                csrf = field
                    .text()
                    .await
                    .map_err(|e| ApiError::bad_request(format!("upload: {e}")))?;
            }
            Some("file") => {
                let name = field.file_name().unwrap_or("sbom").to_string();
                let mut bytes = Vec::new();
                while let Some(chunk) = field
                    .chunk()
                    .await
                    .map_err(|e| ApiError::bad_request(format!("upload interrupted: {e}")))?
                {
                    if bytes.len() as u64 + chunk.len() as u64 > limit {
                        too_large = true;
                        break;
                    }
                    bytes.extend_from_slice(&chunk);
                }
                file = Some((name, bytes));
                if too_large {
                    break;
                }
            }
            _ => {}
        }
    }
    sess.check(&Form::new(vec![("csrf".into(), csrf)]))?;
    sess.require(Role::Editor)?;
    let pid = release.product_id;
    let (app_ref, sess_ref) = (&app, &sess);
    let fail = |m: String| async move {
        render_product(
            app_ref,
            sess_ref,
            pid,
            Form::default(),
            Some((id, m)),
            String::new(),
            SubscriberForm::default(),
        )
        .await
    };
    let (name, bytes) = match file {
        _ if too_large => {
            return fail(format!(
                "the file is over the upload limit of {limit} bytes"
            ))
            .await;
        }
        Some((n, b)) if !b.is_empty() => (n, b),
        _ => return fail("choose an SBOM file to upload".into()).await,
    };
    let file = SbomFile::received(&name, bytes);
    let outcome = inventory::ingest_sbom(&app, &sess.principal(), id, file)
        .await
        .map(|(o, _, _)| o);
    match outcome {
        Ok(o) => Ok(Redirect::to(&format!(
            "/products/{pid}?uploaded={}&findings={}#findings",
            super::view::query_escape(&release.version),
            o.findings
        ))
        .into_response()),
        Err(e) => {
            let e = ApiError::from(e);
            if e.status.is_server_error() {
                return Err(e.into());
            }
            fail(e.message).await
        }
    }
}
