//! Components in the browser (issue 17, point 1): the release page (its components with
//! licences, supplier, direct or transitive, and their findings), the portfolio-wide component
//! search (`/components`), and the "pulled in by …" line of the finding page. The rules live in
//! `service::components`.

use super::session::UiSession;
use super::view::{Form, Nav, UiError, ok, query_escape, status_label};
use crate::App;
use crate::service::components as comp;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use cyres_store::{ComponentHit, ComponentQuery, DependencyPath, PathStep, ReleaseComponent};

/// Components per release page.
const PAGE: i64 = 500;

/// A finding on the release page.
pub(super) struct FindingChip {
    /// Finding id.
    pub id: i64,
    /// Advisory id.
    pub advisory_id: String,
    /// Severity word.
    pub severity: String,
    /// Actively exploited.
    pub exploited: bool,
    /// Status for people.
    pub status: &'static str,
}

/// One component row of the release page.
pub(super) struct ComponentLine {
    /// `name@version`.
    pub label: String,
    /// purl, else CPE, else empty.
    pub identifier: String,
    /// Licences.
    pub licences: String,
    /// Supplier.
    pub supplier: String,
    /// `direct`, `transitive` or empty (unknown).
    pub relation: &'static str,
    /// Its findings.
    pub findings: Vec<FindingChip>,
}

fn label(name: &str, version: Option<&str>) -> String {
    match version {
        Some(v) => format!("{name}@{v}"),
        None => name.to_string(),
    }
}

fn relation(direct: Option<bool>) -> &'static str {
    match direct {
        Some(true) => "direct",
        Some(false) => "transitive",
        None => "",
    }
}

fn line(c: ReleaseComponent) -> ComponentLine {
    let i = c.component;
    ComponentLine {
        label: label(&i.name, i.version.as_deref()),
        identifier: i.purl.or(i.cpe).unwrap_or_default(),
        licences: i.licenses.unwrap_or_default(),
        supplier: i.supplier.unwrap_or_default(),
        relation: relation(i.direct),
        findings: c
            .findings
            .into_iter()
            .map(|f| FindingChip {
                id: f.id,
                advisory_id: f.advisory_id,
                severity: f.severity,
                exploited: f.exploited,
                status: status_label(&f.status),
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "release.html")]
struct ReleasePage {
    chrome: super::view::Chrome,
    product_id: i64,
    product: String,
    release_id: i64,
    has_sbom: bool,
    only_findings: bool,
    components: Vec<ComponentLine>,
    /// Query string of the next page, if any.
    next: Option<String>,
}

/// `GET /releases/{id}?after=&findings=only`: the release's components with their findings.
pub(super) async fn release(
    State(app): State<App>,
    sess: UiSession,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let q = Form::new(q);
    let after = q.get("after").parse().unwrap_or(-1);
    let only = q.get("findings") == "only";
    let page = comp::release_components(&app, &sess.principal(), id, after, PAGE, only).await?;
    let next = page
        .next_after
        .map(|a| format!("after={a}{}", if only { "&findings=only" } else { "" }));
    ok(&ReleasePage {
        chrome: sess.chrome(
            format!("{} {}: components", page.product.name, page.release.version),
            Nav::Products,
        ),
        product_id: page.product.id,
        product: page.product.name,
        release_id: page.release.id,
        has_sbom: page.release.sbom_id.is_some(),
        only_findings: only,
        components: page.components.into_iter().map(line).collect(),
        next,
    })
}

#[derive(Template)]
#[template(path = "components.html")]
struct SearchPage {
    chrome: super::view::Chrome,
    q: Form,
    searched: bool,
    error: Option<String>,
    hits: Vec<ComponentHit>,
    /// Query string of the next page, if any.
    next: Option<String>,
}

/// `GET /components?q=&purl=&version=&licence=&offset=`: the portfolio-wide search.
pub(super) async fn search(
    State(app): State<App>,
    sess: UiSession,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let q = Form::new(q);
    let given = |k: &str| Some(q.get(k).to_string()).filter(|v| !v.trim().is_empty());
    let query = ComponentQuery {
        q: given("q"),
        purl: given("purl"),
        version: given("version"),
        licence: given("licence"),
        limit: Some(100),
        offset: q.get("offset").parse().ok(),
    };
    let searched = query.q.is_some() || query.purl.is_some() || query.licence.is_some();
    let (hits, next, error) = if searched {
        match comp::search(&app, &sess.principal(), &query).await {
            Ok(page) => {
                let next = page.next_offset.map(|o| {
                    let mut s = format!("offset={o}");
                    for k in ["q", "purl", "version", "licence"] {
                        if let Some(v) = given(k) {
                            s.push_str(&format!("&{k}={}", query_escape(&v)));
                        }
                    }
                    s
                });
                (page.hits, next, None)
            }
            Err(e) if e.field.is_some() => (Vec::new(), None, Some(e.message)),
            Err(e) => return Err(e.into()),
        }
    } else {
        (Vec::new(), None, None)
    };
    ok(&SearchPage {
        chrome: sess.chrome("Components", Nav::Products),
        q,
        searched,
        error,
        hits,
        next,
    })
}

/// The "pulled in by" line of the finding page: the path from the product to the finding's
/// component and the components that depend on it directly.
pub(super) struct PulledInBy {
    /// The chain, product side first (`name@version` each), the component last.
    pub path: Vec<String>,
    /// Whether the chain starts at the product.
    pub from_product: bool,
    /// The components depending on it directly.
    pub parents: Vec<String>,
}

/// The finding page's "pulled in by" facts (`None` when the SBOM states no edge reaching it).
pub(crate) async fn pulled_in_by(
    app: &App,
    sess: &UiSession,
    finding_id: i64,
) -> Result<Option<PulledInBy>, UiError> {
    let p: DependencyPath = comp::finding_path(app, &sess.principal(), finding_id).await?;
    let names = |steps: &[PathStep]| -> Vec<String> {
        steps
            .iter()
            .map(|s| label(&s.name, s.version.as_deref()))
            .collect()
    };
    if p.path.len() < 2 && !p.from_product && p.parents.is_empty() {
        return Ok(None);
    }
    Ok(Some(PulledInBy {
        path: names(&p.path),
        from_product: p.from_product,
        parents: names(&p.parents),
    }))
}
