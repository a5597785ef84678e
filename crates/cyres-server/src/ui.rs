//! The server-rendered web UI (issue #5): the pages a security lead opens in a browser.
//!
//! Every page is plain HTML rendered here from askama templates (checked at compile time, in
//! `templates/`), styled by one local stylesheet (`static/style.css`); there is no JavaScript
//! and no request to any other host. Forms post back to the page they belong to; a form that
//! fails re-renders its page with the message next to the field at fault and what the user
//! typed kept.
//!
//! Access follows the API's rules: the same session cookie (`crate::auth::SESSION_COOKIE`),
//! the same roles, the same login throttling. HTML forms cannot send the `X-CSRF-Token` header
//! the API wants, so every state-changing form carries the session's CSRF token in a hidden
//! `csrf` field and the handler compares it in constant time ([`session::UiSession::check`]),
//! the synchroniser-token pattern on top of `SameSite=Lax` cookies. Pages never offer a form
//! the caller's role cannot use, and handlers check the role again.

mod advisories;
mod advisory_data;
mod authority;
mod case;
mod cases;
mod chart;
mod compliance;
mod components;
mod conformity;
mod cpe_resolution;
mod csaf;
mod csaf_lister;
mod dashboard;
mod findings;
mod forms;
mod invitations;
mod lifecycle;
mod notices;
mod notify_rules;
mod products;
mod public_face;
mod quality;
mod reset;
mod session;
mod settings;
mod supplied;
mod trends;
mod vex;
pub(crate) mod view;
mod voluntary;

use crate::App;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};

/// The UI routes, merged into the main router.
pub(crate) fn router() -> Router<App> {
    Router::new()
        .route("/", get(dashboard::page))
        .route("/login", get(session::login_page).post(session::login))
        .route("/logout", post(session::logout))
        .route("/invitations", get(invitations::page))
        .route("/invitations/{id}/accept", post(invitations::accept))
        .route("/invitations/{id}/decline", post(invitations::decline))
        .route("/report", get(voluntary::form).post(voluntary::submit))
        .route("/report/thanks", get(voluntary::thanks))
        .route(
            "/voluntary-notification",
            get(voluntary::notification_form).post(voluntary::notification_submit),
        )
        .route("/org", post(session::switch_org))
        .route("/products", get(products::list).post(products::create))
        .route("/products/{id}", get(products::page))
        // Gate, policy and lifecycle (issue 17, points 5 and 6).
        .route("/products/archived", get(lifecycle::archived))
        .route(
            "/products/{id}/lifecycle",
            get(lifecycle::page).post(lifecycle::act),
        )
        .route("/releases/{id}/lifecycle", post(lifecycle::release_act))
        .route("/releases/{id}/changes", get(lifecycle::changes))
        .route("/products/{id}/releases", post(products::create_release))
        .route("/products/{id}/conformity", get(conformity::page))
        .route(
            "/products/{id}/conformity/record",
            post(compliance::save_record),
        )
        .route(
            "/products/{id}/conformity/risk",
            post(compliance::save_risk),
        )
        .route(
            "/products/{id}/conformity/documents",
            post(compliance::upload),
        )
        .route(
            "/products/{id}/conformity/documents/{doc}/{version}/delete",
            post(compliance::delete_document),
        )
        .route(
            "/products/{id}/conformity/declarations/{version}/delete",
            post(compliance::delete_declaration),
        )
        .route(
            "/products/{id}/conformity/declarations/{version}/publish",
            post(compliance::publish),
        )
        .route(
            "/products/{id}/conformity/operators",
            post(compliance::add_operator),
        )
        .route(
            "/products/{id}/conformity/operators/{op}/check",
            post(compliance::check),
        )
        .route(
            "/products/{id}/conformity/requests",
            post(compliance::add_request),
        )
        .route(
            "/products/{id}/conformity/requests/{rid}/handover",
            post(compliance::handover),
        )
        .route(
            "/products/{id}/conformity/upstream/{rid}/informed",
            post(compliance::informed),
        )
        .route(
            "/findings/{id}/upstream-report",
            post(compliance::draft_report),
        )
        .route("/upstream-reports/received", get(compliance::received))
        .route(
            "/products/{id}/conformity/placing",
            post(compliance::save_placing),
        )
        .route(
            "/products/{id}/conformity/operators/{op}/supplies",
            post(compliance::add_supply),
        )
        .route(
            "/products/{id}/conformity/supplies/{sid}/delete",
            post(compliance::delete_supply),
        )
        .route(
            "/products/{id}/conformity/upstream/{rid}/fix",
            post(compliance::set_fix),
        )
        .route(
            "/products/{id}/conformity/declarations",
            post(conformity::issue),
        )
        .route(
            "/products/{id}/annex-ii",
            get(public_face::editor).post(public_face::save),
        )
        .route(
            "/products/{id}/annex-ii/publish",
            post(public_face::publish),
        )
        .route("/public/{slug}/cvd-policy", get(public_face::policy))
        .route("/public/{slug}/products/{id}", get(public_face::product))
        .route(
            "/public/{slug}/products/{id}/declaration",
            get(conformity::public_declaration),
        )
        .route(
            "/settings/public-face",
            get(public_face::settings).post(public_face::save_settings),
        )
        .route("/products/{id}/subscribers", post(notices::create))
        .route("/subscribers/{id}/delete", post(notices::remove))
        .route("/releases/{id}/sbom", post(products::upload_sbom))
        .route("/releases/{id}", get(components::release))
        .route("/components", get(components::search))
        .route("/findings", get(findings::list))
        .route("/findings/triage", post(vex::bulk))
        .route("/releases/{id}/vex", post(vex::import))
        .route("/findings/{id}", get(findings::page).post(findings::triage))
        .route(
            "/cpe-resolution",
            get(cpe_resolution::page).post(cpe_resolution::record),
        )
        .route("/cpe-resolution/derive", post(cpe_resolution::derive))
        .route(
            "/cpe-resolution/decisions/{id}/withdraw",
            post(cpe_resolution::withdraw),
        )
        .route(
            "/cpe-resolution/candidates/{id}/confirm",
            post(cpe_resolution::confirm),
        )
        .route(
            "/cpe-resolution/candidates/{id}/reject",
            post(cpe_resolution::reject),
        )
        .route("/advisories", get(advisories::search))
        .route("/supplied-products", get(supplied::page))
        .route("/supplied-products/{op}/check", post(supplied::check))
        .route("/supplied-products/{op}/supply", post(supplied::supply))
        .route(
            "/csaf-providers",
            get(csaf_lister::page).post(csaf_lister::add),
        )
        .route("/csaf-providers/{id}", get(csaf_lister::provider))
        .route("/csaf-providers/{id}/pull", post(csaf_lister::pull))
        .route("/csaf-providers/{id}/remove", post(csaf_lister::remove))
        .route("/advisory-data", get(advisory_data::page))
        .route("/advisory-data/import", post(advisory_data::import))
        .route(
            "/advisory-data/sources/{id}/sync",
            post(advisory_data::sync),
        )
        .route("/advisories/{id}", get(advisories::page))
        .route("/cases", get(cases::list).post(cases::create))
        .route("/csaf", get(csaf::page).post(csaf::act))
        .route("/cases/{id}", get(case::page))
        .route("/cases/{id}/confirm", post(case::confirm))
        .route("/cases/{id}/dismiss", post(vex::dismiss))
        .route("/cases/{id}/evidence", post(case::add_evidence))
        .route("/cases/{id}/edit", post(case::update))
        .route("/cases/{id}/submit", post(case::submit))
        .route("/cases/{id}/notice/publish", post(notices::publish))
        .route("/submissions/{id}/portal", post(case::portal))
        .route("/authority/assessment", get(authority::assessment))
        .route("/authority/reports/{id}", get(authority::page))
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
        .route("/fleet", get(cases::fleet))
        .route("/fleet/devices", post(cases::register_device))
        .route("/trends", get(trends::page))
        .route("/settings", get(settings::page))
        .route("/settings/members", post(settings::add_member))
        .route(
            "/settings/members/{id}/remove",
            post(settings::remove_member),
        )
        .route(
            "/settings/members/{id}/reset-link",
            post(settings::reset_link),
        )
        .route("/reset-password", get(reset::form).post(reset::submit))
        .route(
            "/settings/invitations/{id}/withdraw",
            post(settings::withdraw_invitation),
        )
        .route(
            "/settings/notifications",
            get(notify_rules::page).post(notify_rules::create),
        )
        .route(
            "/settings/notifications/{id}",
            get(notify_rules::edit_page).post(notify_rules::update),
        )
        .route(
            "/settings/notifications/{id}/delete",
            post(notify_rules::delete),
        )
        .route(
            "/settings/notifications/{id}/disable",
            post(notify_rules::disable),
        )
        .route(
            "/settings/notifications/{id}/enable",
            post(notify_rules::enable),
        )
        .route("/settings/tokens", post(settings::create_token))
        .route("/settings/tokens/{id}/revoke", post(settings::revoke_token))
        .route("/settings/webhooks", post(settings::create_webhook))
        .route(
            "/settings/webhooks/{id}/delete",
            post(settings::delete_webhook),
        )
        .route("/static/style.css", get(stylesheet))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/style.css"),
    )
}
