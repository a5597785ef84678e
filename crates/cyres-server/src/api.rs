//! The HTTP surface: routes, and the small helpers handlers share.
//!
//! Layout: `/healthz` and `/readyz` for orchestration; `/setup` for the one-time first-start
//! link; the JSON API under `/api/v1`, described by `/api/v1/openapi.json`. Handlers live in
//! the submodules by area.

mod accounts;
pub(crate) mod admin;
mod advisories;
pub(crate) mod authority;
pub(crate) mod cases;
mod compliance;
mod components;
mod conformity;
mod cpe_resolution;
mod csaf;
mod csaf_lister;
mod findings;
mod fleet;
mod inventory;
mod invitations;
mod lifecycle;
mod metrics;
pub(crate) mod notices;
mod notify_rules;
mod policy;
mod public_face;
mod sbom_quality;
mod session;
mod triage;
mod vex;

use crate::{ApiError, App};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put};

/// Pagination and filter parameters arrive as strings; this parses one into a number and
/// names the parameter when it is not one.
pub(crate) fn int_param(name: &str, v: Option<&String>) -> Result<Option<i64>, ApiError> {
    match v.map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| ApiError::invalid(name, format!("{name}: {s:?} is not a number"))),
    }
}

/// Parses a JSON request body, naming what is wrong with it.
pub(crate) fn json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::bad_request(format!("request body: {e}")))
}

/// The JSON API under `/api/v1` and the plain HTTP endpoints (health, setup, update files,
/// public notice pages); the application's router (`crate::App::router`) merges it with the
/// web UI's.
pub(crate) fn router() -> Router<App> {
    let api = Router::new()
        .route("/openapi.json", get(crate::openapi::document))
        .route(
            "/session",
            post(session::login)
                .delete(session::logout)
                .get(session::me),
        )
        .route("/session/org", post(session::switch_org))
        .route("/orgs", get(admin::my_orgs).post(admin::create_org))
        .route("/members", get(admin::members).post(admin::add_member))
        .route("/members/{account_id}", delete(accounts::remove_member))
        .route(
            "/members/{account_id}/password-reset",
            post(accounts::issue_reset),
        )
        .route("/password-reset", post(accounts::redeem))
        .route("/members/invitations", get(invitations::pending))
        .route("/members/invitations/{id}", delete(invitations::withdraw))
        .route("/invitations", get(invitations::mine))
        .route("/invitations/{id}/accept", post(invitations::accept))
        .route("/invitations/{id}/decline", post(invitations::decline))
        .route("/tokens", get(admin::tokens).post(admin::create_token))
        .route("/tokens/{id}", delete(admin::revoke_token))
        .route(
            "/webhooks",
            get(admin::webhooks).post(admin::create_webhook),
        )
        .route("/webhooks/{id}", delete(admin::delete_webhook))
        .route("/deliveries", get(admin::deliveries))
        .route("/audit", get(admin::audit))
        .route("/sources", get(admin::sources))
        .route("/sources/{id}/sync", post(admin::sync_source))
        .route("/alerts", get(admin::alerts))
        .route("/alerts.atom", get(admin::alerts_atom))
        .route(
            "/products",
            get(inventory::list_products).post(inventory::create_product),
        )
        .route(
            "/products/{id}",
            get(inventory::get_product)
                .put(inventory::update_product)
                .delete(lifecycle::archive),
        )
        .route(
            "/products/{id}/releases",
            get(inventory::list_releases).post(inventory::create_release),
        )
        .route(
            "/products/{id}/subscribers",
            get(notices::list_subscribers).post(notices::create_subscriber),
        )
        .route("/products/{id}/notices", get(notices::product_notices))
        .route("/subscribers/{id}", delete(notices::delete_subscriber))
        .route("/releases/{id}", get(inventory::get_release))
        .route(
            "/releases/{id}/sbom",
            get(inventory::get_sbom)
                .post(inventory::upload_sbom)
                .put(lifecycle::replace_sbom),
        )
        .route(
            "/releases/{id}/sbom/original",
            get(inventory::get_sbom_original),
        )
        .route(
            "/releases/{id}/sbom/quality",
            get(sbom_quality::get_quality),
        )
        .route(
            "/releases/{id}/components",
            get(components::release_components),
        )
        .route("/components", get(components::search))
        .route("/findings/{id}/path", get(components::finding_path))
        // CPE decisions and derived candidates (issue 20, point 3(c)).
        .route(
            "/cpe-decisions",
            get(cpe_resolution::list_decisions).post(cpe_resolution::record_decision),
        )
        .route(
            "/cpe-decisions/{id}",
            delete(cpe_resolution::withdraw_decision),
        )
        .route("/cpe-candidates", get(cpe_resolution::list_candidates))
        .route("/cpe-candidates/derive", post(cpe_resolution::derive))
        .route("/cpe-candidates/{id}", get(cpe_resolution::get_candidate))
        .route(
            "/cpe-candidates/{id}/confirm",
            post(cpe_resolution::confirm),
        )
        .route("/cpe-candidates/{id}/reject", post(cpe_resolution::reject))
        .route("/metrics", get(metrics::get))
        .route("/metrics.csv", get(metrics::csv))
        // Lifecycle, policies and notification rules (issue 17, points 5 to 7).
        .route("/products/archived", get(lifecycle::archived))
        .route("/products/{id}/restore", post(lifecycle::restore))
        .route("/releases/{id}/retire", post(lifecycle::retire))
        .route("/releases/{id}/reinstate", post(lifecycle::reinstate))
        .route("/releases/{id}/lifecycle", get(lifecycle::state))
        .route("/releases/{id}/sbom/diff", get(lifecycle::diff))
        .route("/releases/{id}/gate", get(policy::gate))
        .route("/policies", get(policy::list))
        .route(
            "/policies/organisation",
            put(policy::put_org).delete(policy::delete_org),
        )
        .route(
            "/products/{id}/policy",
            get(policy::get_product)
                .put(policy::put_product)
                .delete(policy::delete_product),
        )
        .route(
            "/notification-rules",
            get(notify_rules::list).post(notify_rules::create),
        )
        .route(
            "/notification-rules/{id}",
            put(notify_rules::update).delete(notify_rules::delete),
        )
        .route(
            "/notification-rules/{id}/enable",
            post(notify_rules::enable),
        )
        .route(
            "/notification-rules/{id}/disable",
            post(notify_rules::disable),
        )
        .route(
            "/notification-rules/{id}/feed.atom",
            get(notify_rules::feed),
        )
        .route(
            "/csaf/providers",
            get(csaf_lister::list).post(csaf_lister::add),
        )
        .route(
            "/csaf/providers/{id}",
            get(csaf_lister::get_one).delete(csaf_lister::remove),
        )
        .route("/csaf/providers/{id}/pull", post(csaf_lister::pull))
        .route("/csaf/held/{id}", get(csaf_lister::document))
        .route("/findings", get(findings::list))
        .route("/findings.csv", get(vex::csv))
        .route("/findings/triage", post(triage::bulk))
        .route("/findings/{id}/origin", get(triage::origin))
        .route("/releases/{id}/vex", get(vex::export).post(vex::import))
        .route("/findings/{id}", get(findings::get_one))
        .route("/findings/{id}/triage", post(findings::triage))
        .route("/findings/{id}/history", get(findings::history))
        .route("/advisories", get(advisories::search))
        .route("/advisories/import", post(advisories::import))
        .route("/advisories/{id}", get(advisories::get_one))
        .route("/cases", get(cases::list).post(cases::create))
        .route("/cases/{id}", get(cases::get_one).patch(cases::update))
        .route("/cases/{id}/confirm", post(cases::confirm))
        .route("/cases/{id}/dismiss", post(triage::dismiss))
        .route("/cases/{id}/evidence", post(cases::add_evidence))
        .route("/cases/{id}/draft", get(cases::draft))
        .route("/cases/{id}/reports", post(cases::submit))
        .route("/cases/{id}/notice/publish", post(notices::publish))
        .route("/cases/{id}/notices", get(notices::case_notices))
        .route("/cases/{id}/{file}", get(cases::notice))
        .route(
            "/products/{id}/requirements",
            get(conformity::get_requirements).put(conformity::put_requirements),
        )
        .route("/products/{id}/placing", put(conformity::put_placing))
        .route(
            "/products/{id}/documents",
            post(conformity::upload_document),
        )
        .route(
            "/products/{id}/declarations",
            post(conformity::issue_declaration),
        )
        .route(
            "/products/{id}/declarations/{file}",
            get(conformity::get_declaration).delete(compliance::delete_declaration),
        )
        .route(
            "/products/{id}/declarations/{version}/publish",
            post(compliance::publish),
        )
        .route(
            "/products/{id}/documents/{doc}/{version}",
            get(compliance::document).delete(compliance::delete_document),
        )
        .route(
            "/findings/{id}/upstream-reports",
            get(compliance::finding_reports).post(compliance::draft_report),
        )
        .route(
            "/products/{id}/upstream-reports",
            get(compliance::product_reports),
        )
        .route("/upstream-reports/received", get(compliance::received))
        .route("/upstream-reports/{id}/fix", put(compliance::set_fix))
        .route(
            "/upstream-reports/{id}/{file}",
            get(compliance::upstream_file),
        )
        .route(
            "/upstream-reports/{id}/informed",
            post(compliance::informed),
        )
        .route("/supplied-products", get(compliance::supplied))
        .route(
            "/supplied-products/{op}/checks",
            post(compliance::supplied_check),
        )
        .route(
            "/supplied-products/{op}/supplies",
            post(compliance::supplied_supply),
        )
        .route(
            "/products/{id}/operators",
            get(compliance::operators).post(compliance::add_operator),
        )
        .route(
            "/products/{id}/operators/{op}/checks",
            post(compliance::check),
        )
        .route(
            "/products/{id}/operators/{op}/supplies",
            post(compliance::add_supply),
        )
        .route(
            "/products/{id}/supplies/{sid}",
            delete(compliance::delete_supply),
        )
        .route(
            "/products/{id}/authority-requests",
            get(compliance::requests).post(compliance::add_request),
        )
        .route(
            "/products/{id}/authority-requests/{rid}/handover",
            post(compliance::handover),
        )
        .route(
            "/public/orgs/{slug}/products/{id}/declaration",
            get(compliance::public_declaration),
        )
        .route("/products/{id}/techdoc.zip", get(conformity::techdoc_zip))
        .route(
            "/public-face",
            get(public_face::get_settings).put(public_face::put_settings),
        )
        .route(
            "/products/{id}/annex-ii",
            get(public_face::get_annex_ii).put(public_face::put_annex_ii),
        )
        .route(
            "/products/{id}/annex-ii/publish",
            post(public_face::publish_annex_ii),
        )
        .route(
            "/public/orgs/{slug}/products/{id}",
            get(public_face::public_product),
        )
        .route("/public/notices/{slug}", get(notices::public_json))
        .route("/public/notices/{slug}/{file}", get(notices::public_file))
        .route("/public/vulnerability-reports", post(cases::voluntary))
        .route("/public/voluntary-reports", post(cases::voluntary))
        .route(
            "/public/voluntary-notifications",
            post(cases::voluntary_notification),
        )
        .route("/submissions/{id}/portal", post(cases::portal))
        .route("/submissions/{id}/{file}", get(cases::pack))
        .route("/authority/reports", post(authority::intake))
        .route("/authority/inbox", get(authority::inbox))
        .route("/authority/reports/{id}", get(authority::get_report))
        .route("/authority/reports/{id}/decision", post(authority::decide))
        .route("/authority/reports/{id}/review", post(authority::review))
        .route(
            "/authority/reports/{id}/recommendation",
            post(authority::recommendation),
        )
        .route(
            "/authority/reports/{id}/users-informed",
            post(authority::users_informed),
        )
        .route(
            "/authority/reports/{id}/intermediate-request",
            post(authority::request_intermediate),
        )
        .route("/authority/requests", get(authority::requests))
        .route("/authority/assessment", get(authority::assessment))
        .route("/cases/{id}/csaf", post(csaf::draft_case))
        .route("/releases/{id}/csaf-vex", post(csaf::draft_vex))
        .route("/csaf/documents", get(csaf::list))
        .route("/csaf/documents/{id}", get(csaf::get_one))
        .route("/csaf/documents/{id}/review", post(csaf::review))
        .route("/csaf/documents/{id}/publish", post(csaf::publish))
        .route("/csaf/provider", get(csaf::provider_info))
        .route("/devices", get(fleet::list).post(fleet::create))
        .route("/devices/{device_id}/state", post(fleet::report))
        .route("/fleet/exposure", get(fleet::exposure))
        .fallback(|| async { ApiError::not_found("route") });
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/setup", get(session::setup_page).post(session::setup))
        .route("/updates/{*path}", get(fleet::serve_update_file))
        .route("/security-notices/{slug}", get(notices::public_page))
        .route("/.well-known/security.txt", get(public_face::security_txt))
        .route("/.well-known/csaf/", get(csaf::well_known))
        .route("/.well-known/csaf/{*path}", get(csaf::well_known))
        .route("/public/{slug}/csaf/", get(csaf::by_slug))
        .route("/public/{slug}/csaf/{*path}", get(csaf::by_slug))
        .route(
            "/.well-known/csaf-aggregator/aggregator.json",
            get(csaf_lister::aggregator_json),
        )
        .route(
            "/unsubscribe/{token}",
            get(notices::unsubscribe_page).post(notices::unsubscribe),
        )
        .nest("/api/v1", api)
}

async fn readyz(State(app): State<App>) -> impl IntoResponse {
    match app.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "database not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}
