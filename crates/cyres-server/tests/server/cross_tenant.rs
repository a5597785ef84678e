//! No organisation reaches another's data through the JSON API: every (method, route) of the
//! API router is a row of one table (read against `src/api.rs`, so a new route without a row
//! fails), naming organisation A's object for organisation B to ask for (it must get the 404
//! a missing object gets), a list B reads (it must show nothing of A), or why neither applies.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;

both!(no_cross_tenant_access_on_any_endpoint);

async fn no_cross_tenant_access_on_any_endpoint(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin_a = s.bootstrap("Acme", "admin@acme.example").await;
    let (pid, rid) = seeded(&s, &admin_a).await;
    let (_, fs) = s
        .call(&admin_a, Method::GET, "/api/v1/findings", None)
        .await;
    let fid = fs[0]["id"].as_i64().unwrap();
    let (_, tokens) = s.call(&admin_a, Method::GET, "/api/v1/tokens", None).await;
    let _ = tokens;
    let tok_a = s.token(&admin_a, "viewer").await;
    let (_, toks) = s.call(&admin_a, Method::GET, "/api/v1/tokens", None).await;
    let tid = toks[0]["id"].as_i64().unwrap();
    let (_, hook) = s
        .call(
            &admin_a,
            Method::POST,
            "/api/v1/webhooks",
            Some(json!({"url": "http://127.0.0.1:9/x"})),
        )
        .await;
    let hid = hook["webhook"]["id"].as_i64().unwrap();
    let (st, sub) = s
        .call(
            &admin_a,
            Method::POST,
            &format!("/api/v1/products/{pid}/subscribers"),
            Some(json!({"email": "security@customer.example"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{sub}");
    let sid = sub["subscriber"]["id"].as_i64().unwrap();
    // Organisation B, its own admin (a second account in a new organisation).
    let bob = s.add_member(&admin_a, "bob@beta.example", "viewer").await;
    let (st, org_b) = s
        .call(
            &bob,
            Method::POST,
            "/api/v1/orgs",
            Some(json!({"name": "Beta", "kind": "manufacturer", "member_state": "NL"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{org_b}");
    let (st, _) = s
        .call(
            &bob,
            Method::POST,
            "/api/v1/session/org",
            Some(json!({"org_id": org_b["id"]})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let admin_b_token = s.token(&bob, "admin").await;
    let (_, cases) = s.call(&admin_a, Method::GET, "/api/v1/cases", None).await;
    let cid = cases[0]["case"]["id"]
        .as_i64()
        .expect("the exploited finding proposed a case");
    // More of A's objects for the table: an importer, an authority request, a rule.
    let (st, op) = s
        .call(
            &admin_a,
            Method::POST,
            &format!("/api/v1/products/{pid}/operators"),
            Some(
                json!({"role": "importer", "name": "Nordimport GmbH", "address": "Hamburg",
                "contact": "c@nordimport.example", "member_state": "DE"}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{op}");
    let opid = op["id"].as_i64().unwrap();
    let (st, ar) = s
        .call(
            &admin_a,
            Method::POST,
            &format!("/api/v1/products/{pid}/authority-requests"),
            Some(json!({"authority": "Bundesnetzagentur", "member_state": "DE", "reference": "BNetzA-2026-117",
                "reason": "Reasoned request under Art. 13(13)", "received_at": "2026-09-18T09:00:00Z"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{ar}");
    let arid = ar["id"].as_i64().unwrap();
    let (st, rule) = s
        .call(
            &admin_a,
            Method::POST,
            "/api/v1/notification-rules",
            Some(
                json!({"name": "exploited feed", "events": ["exploited"], "channel": "atom",
                "target": null, "min_severity": null}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{rule}");
    let nrid = rule["rule"]["id"].as_i64().unwrap();
    let ids = [pid, rid, fid, tid, hid, cid, sid, opid, arid, nrid];
    let table = routes(Ids {
        pid,
        rid,
        fid,
        tid,
        hid,
        cid,
        sid,
        opid,
        arid,
        nrid,
    });
    // The table names every (method, route) of the API router, and nothing else.
    let named: BTreeSet<(String, String)> = table
        .iter()
        .map(|(m, route, _)| (m.to_string(), route.to_string()))
        .collect();
    let routed = api_routes();
    assert!(
        routed.len() >= 150,
        "{} routes read from src/api.rs",
        routed.len()
    );
    let unlisted: Vec<_> = routed.difference(&named).collect();
    let stale: Vec<_> = named.difference(&routed).collect();
    assert!(
        unlisted.is_empty() && stale.is_empty(),
        "the cross-tenant table must list every route of the API router: add {unlisted:?}, remove {stale:?}"
    );
    // Every row is tried; the failures are reported together.
    let mut wrong = Vec::new();
    for who in [&admin_b_token, &bob] {
        for (m, route, tenancy) in &table {
            match tenancy {
                Tenancy::Foreign(path, body) => {
                    let (st, v) = s.call(who, m.clone(), path, body.clone()).await;
                    // The same request naming ids no organisation has.
                    let missing = path
                        .split('/')
                        .map(|seg| {
                            if ids.iter().any(|id| id.to_string() == seg) {
                                "987654"
                            } else {
                                seg
                            }
                        })
                        .collect::<Vec<_>>()
                        .join("/");
                    let (st2, v2) = s.call(who, m.clone(), &missing, body.clone()).await;
                    if st != StatusCode::NOT_FOUND {
                        wrong.push(format!("{m} {path} ({route}): {st} {v}"));
                    } else if (st, &v["error"]["message"]) != (st2, &v2["error"]["message"]) {
                        wrong.push(format!(
                            "{m} {path}: foreign and missing must look the same: {v} / {st2} {v2}"
                        ));
                    }
                }
                // Lists show nothing of A.
                Tenancy::Listed(path) => {
                    let (st, v) = s.call(who, m.clone(), path, None).await;
                    if st == StatusCode::OK {
                        let text = v.to_string();
                        for mark in [
                            "AX3000",
                            "GHSA-qppj",
                            "127.0.0.1:9",
                            "security@customer.example",
                            "Nordimport",
                            "BNetzA-2026-117",
                            "exploited feed",
                        ] {
                            if text.contains(mark) {
                                wrong.push(format!("{path} shows {mark:?}: {text}"));
                            }
                        }
                    }
                }
                Tenancy::Own(why) | Tenancy::Elsewhere(why) => {
                    assert!(!why.is_empty(), "{m} {route}: say why");
                }
            }
        }
        let (_, adv) = s
            .call(who, Method::GET, "/api/v1/advisories/CVE-2023-44487", None)
            .await;
        assert!(
            adv["findings"].as_array().unwrap().is_empty(),
            "advisory page shows only the caller's findings"
        );
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // A's data is untouched.
    let (_, p) = s
        .call(
            &tok_a,
            Method::GET,
            &format!("/api/v1/products/{pid}"),
            None,
        )
        .await;
    assert_eq!(p["name"], "AX3000 router");
    let (_, f) = s
        .call(
            &tok_a,
            Method::GET,
            &format!("/api/v1/findings/{fid}"),
            None,
        )
        .await;
    assert_eq!(f["status"], "under_investigation");
    s.shutdown().await;
}

/// How the cross-tenant test checks one (method, route) of the API router.
enum Tenancy {
    /// Names organisation A's object (the concrete path, and a body): B gets exactly the 404
    /// a missing object gets.
    Foreign(String, Option<Value>),
    /// Reads the caller's organisation's list or settings (this concrete path): B's answer
    /// shows nothing of A.
    Listed(&'static str),
    /// Acts only on the caller's own account or organisation: there is no other
    /// organisation's object to name. Why.
    Own(&'static str),
    /// Not one organisation's data, or an object this test's organisation A does not hold;
    /// where it is guarded and tested.
    Elsewhere(&'static str),
}

/// Ids of organisation A's objects.
struct Ids {
    pid: i64,
    rid: i64,
    fid: i64,
    tid: i64,
    hid: i64,
    cid: i64,
    sid: i64,
    opid: i64,
    arid: i64,
    nrid: i64,
}

const NO_FIXTURE: &str = "organisation A holds no such object in this test";

/// Every (method, route) of the API router with how the cross-tenant test checks it.
fn routes(ids: Ids) -> Vec<(Method, &'static str, Tenancy)> {
    use Method as M;
    use Tenancy::{Elsewhere, Listed, Own};
    let Ids {
        pid,
        rid,
        fid,
        tid,
        hid,
        cid,
        sid,
        opid,
        arid,
        nrid,
    } = ids;
    let f = |p: String| Tenancy::Foreign(format!("/api/v1{p}"), None);
    let fb = |p: String, b: Value| Tenancy::Foreign(format!("/api/v1{p}"), Some(b));
    let public = "public or instance-wide, no organisation's data";
    let authority = "authority organisations only (reporting and ui_reporting tests)";
    let csirt = "CSIRT organisations only (csaf_lister test)";
    let shared =
        "advisories are shared reference data; their findings are the caller's (checked below)";
    vec![
        (M::GET, "/openapi.json", Elsewhere(public)),
        (M::POST, "/session", Own("logs in")),
        (M::DELETE, "/session", Own("logs the caller out")),
        (M::GET, "/session", Own("the caller's session")),
        (
            M::POST,
            "/session/org",
            Own("switches only to an organisation of the account"),
        ),
        (M::GET, "/orgs", Own("the caller's memberships")),
        (M::POST, "/orgs", Own("creates an organisation")),
        (M::GET, "/members", Listed("/api/v1/members")),
        (
            M::POST,
            "/members",
            Own("invites into the caller's organisation"),
        ),
        (M::DELETE, "/members/{account_id}", f("/members/1".into())),
        (
            M::POST,
            "/members/{account_id}/password-reset",
            f("/members/1/password-reset".into()),
        ),
        (
            M::POST,
            "/password-reset",
            Own("redeems the caller's reset code"),
        ),
        (
            M::GET,
            "/members/invitations",
            Listed("/api/v1/members/invitations"),
        ),
        (
            M::DELETE,
            "/members/invitations/{id}",
            Elsewhere(NO_FIXTURE),
        ),
        (M::GET, "/invitations", Own("the caller's own invitations")),
        (
            M::POST,
            "/invitations/{id}/accept",
            Own("answered only by the addressee (accounts test)"),
        ),
        (
            M::POST,
            "/invitations/{id}/decline",
            Own("answered only by the addressee (accounts test)"),
        ),
        (M::GET, "/tokens", Listed("/api/v1/tokens")),
        (
            M::POST,
            "/tokens",
            Own("creates a token of the caller's organisation"),
        ),
        (M::DELETE, "/tokens/{id}", f(format!("/tokens/{tid}"))),
        (M::GET, "/webhooks", Listed("/api/v1/webhooks")),
        (
            M::POST,
            "/webhooks",
            Own("registers a webhook of the caller's organisation"),
        ),
        (M::DELETE, "/webhooks/{id}", f(format!("/webhooks/{hid}"))),
        (M::GET, "/deliveries", Listed("/api/v1/deliveries")),
        (M::GET, "/audit", Listed("/api/v1/audit")),
        (M::GET, "/sources", Elsewhere(public)),
        (M::POST, "/sources/{id}/sync", Elsewhere(public)),
        (M::GET, "/alerts", Listed("/api/v1/alerts")),
        (M::GET, "/alerts.atom", Listed("/api/v1/alerts.atom")),
        (M::GET, "/products", Listed("/api/v1/products")),
        (
            M::POST,
            "/products",
            Own("creates a product of the caller's organisation"),
        ),
        (M::GET, "/products/{id}", f(format!("/products/{pid}"))),
        (
            M::PUT,
            "/products/{id}",
            fb(format!("/products/{pid}"), json!({"name": "stolen"})),
        ),
        (M::DELETE, "/products/{id}", f(format!("/products/{pid}"))),
        (
            M::GET,
            "/products/{id}/releases",
            f(format!("/products/{pid}/releases")),
        ),
        (
            M::POST,
            "/products/{id}/releases",
            fb(
                format!("/products/{pid}/releases"),
                json!({"version": "6.6.6"}),
            ),
        ),
        (
            M::GET,
            "/products/{id}/subscribers",
            f(format!("/products/{pid}/subscribers")),
        ),
        (
            M::POST,
            "/products/{id}/subscribers",
            fb(
                format!("/products/{pid}/subscribers"),
                json!({"email": "thief@beta.example"}),
            ),
        ),
        (
            M::GET,
            "/products/{id}/notices",
            f(format!("/products/{pid}/notices")),
        ),
        (
            M::DELETE,
            "/subscribers/{id}",
            f(format!("/subscribers/{sid}")),
        ),
        (M::GET, "/releases/{id}", f(format!("/releases/{rid}"))),
        (
            M::GET,
            "/releases/{id}/sbom",
            f(format!("/releases/{rid}/sbom")),
        ),
        (
            M::POST,
            "/releases/{id}/sbom",
            fb(format!("/releases/{rid}/sbom"), json!({})),
        ),
        (
            M::PUT,
            "/releases/{id}/sbom",
            fb(format!("/releases/{rid}/sbom"), json!({})),
        ),
        (
            M::GET,
            "/releases/{id}/sbom/original",
            f(format!("/releases/{rid}/sbom/original")),
        ),
        (
            M::GET,
            "/releases/{id}/sbom/quality",
            f(format!("/releases/{rid}/sbom/quality")),
        ),
        (
            M::GET,
            "/releases/{id}/components",
            f(format!("/releases/{rid}/components")),
        ),
        (M::GET, "/components", Listed("/api/v1/components?q=g")),
        (
            M::GET,
            "/components",
            Listed("/api/v1/components?licence=gpl"),
        ),
        (
            M::GET,
            "/findings/{id}/path",
            f(format!("/findings/{fid}/path")),
        ),
        (M::GET, "/cpe-decisions", Listed("/api/v1/cpe-decisions")),
        (
            M::POST,
            "/cpe-decisions",
            Own("records a decision for the caller's portfolio"),
        ),
        (M::DELETE, "/cpe-decisions/{id}", Elsewhere(NO_FIXTURE)),
        (M::GET, "/cpe-candidates", Listed("/api/v1/cpe-candidates")),
        (
            M::POST,
            "/cpe-candidates/derive",
            Own("derives candidates in the caller's portfolio"),
        ),
        (M::GET, "/cpe-candidates/{id}", Elsewhere(NO_FIXTURE)),
        (
            M::POST,
            "/cpe-candidates/{id}/confirm",
            Elsewhere(NO_FIXTURE),
        ),
        (
            M::POST,
            "/cpe-candidates/{id}/reject",
            Elsewhere(NO_FIXTURE),
        ),
        (M::GET, "/metrics", Listed("/api/v1/metrics")),
        (M::GET, "/metrics.csv", Listed("/api/v1/metrics.csv")),
        (
            M::GET,
            "/products/archived",
            Listed("/api/v1/products/archived"),
        ),
        (
            M::POST,
            "/products/{id}/restore",
            f(format!("/products/{pid}/restore")),
        ),
        (
            M::POST,
            "/releases/{id}/retire",
            fb(
                format!("/releases/{rid}/retire"),
                json!({"kind": "retired"}),
            ),
        ),
        (
            M::POST,
            "/releases/{id}/reinstate",
            f(format!("/releases/{rid}/reinstate")),
        ),
        (
            M::GET,
            "/releases/{id}/lifecycle",
            f(format!("/releases/{rid}/lifecycle")),
        ),
        (
            M::GET,
            "/releases/{id}/sbom/diff",
            f(format!("/releases/{rid}/sbom/diff")),
        ),
        (
            M::GET,
            "/releases/{id}/gate",
            f(format!("/releases/{rid}/gate")),
        ),
        (M::GET, "/policies", Listed("/api/v1/policies")),
        (
            M::PUT,
            "/policies/organisation",
            Own("the caller's organisation's policy"),
        ),
        (
            M::DELETE,
            "/policies/organisation",
            Own("the caller's organisation's policy"),
        ),
        (
            M::GET,
            "/products/{id}/policy",
            f(format!("/products/{pid}/policy")),
        ),
        (
            M::PUT,
            "/products/{id}/policy",
            fb(format!("/products/{pid}/policy"), json!({"version": 1})),
        ),
        (
            M::DELETE,
            "/products/{id}/policy",
            f(format!("/products/{pid}/policy")),
        ),
        (
            M::GET,
            "/notification-rules",
            Listed("/api/v1/notification-rules"),
        ),
        (
            M::POST,
            "/notification-rules",
            Own("creates a rule of the caller's organisation"),
        ),
        (
            M::PUT,
            "/notification-rules/{id}",
            fb(
                format!("/notification-rules/{nrid}"),
                json!({"name": "stolen", "events": ["exploited"], "channel": "atom"}),
            ),
        ),
        (
            M::DELETE,
            "/notification-rules/{id}",
            f(format!("/notification-rules/{nrid}")),
        ),
        (
            M::POST,
            "/notification-rules/{id}/enable",
            f(format!("/notification-rules/{nrid}/enable")),
        ),
        (
            M::POST,
            "/notification-rules/{id}/disable",
            f(format!("/notification-rules/{nrid}/disable")),
        ),
        (
            M::GET,
            "/notification-rules/{id}/feed.atom",
            f(format!("/notification-rules/{nrid}/feed.atom")),
        ),
        (M::GET, "/csaf/providers", Elsewhere(csirt)),
        (M::POST, "/csaf/providers", Elsewhere(csirt)),
        (M::GET, "/csaf/providers/{id}", Elsewhere(csirt)),
        (M::DELETE, "/csaf/providers/{id}", Elsewhere(csirt)),
        (M::POST, "/csaf/providers/{id}/pull", Elsewhere(csirt)),
        (M::GET, "/csaf/held/{id}", Elsewhere(csirt)),
        (M::GET, "/findings", Listed("/api/v1/findings")),
        (M::GET, "/findings.csv", Listed("/api/v1/findings.csv")),
        (
            M::POST,
            "/findings/triage",
            fb(
                "/findings/triage".into(),
                json!({"ids": [fid], "status": "fixed"}),
            ),
        ),
        (
            M::GET,
            "/findings/{id}/origin",
            f(format!("/findings/{fid}/origin")),
        ),
        (
            M::GET,
            "/releases/{id}/vex",
            f(format!("/releases/{rid}/vex")),
        ),
        (
            M::POST,
            "/releases/{id}/vex",
            fb(format!("/releases/{rid}/vex"), json!({})),
        ),
        (M::GET, "/findings/{id}", f(format!("/findings/{fid}"))),
        (
            M::POST,
            "/findings/{id}/triage",
            fb(
                format!("/findings/{fid}/triage"),
                json!({"status": "fixed"}),
            ),
        ),
        (
            M::GET,
            "/findings/{id}/history",
            f(format!("/findings/{fid}/history")),
        ),
        (M::GET, "/advisories", Elsewhere(shared)),
        (M::POST, "/advisories/import", Elsewhere(shared)),
        (M::GET, "/advisories/{id}", Elsewhere(shared)),
        (M::GET, "/cases", Listed("/api/v1/cases")),
        (
            M::POST,
            "/cases",
            Own("opens a case of the caller's organisation"),
        ),
        (M::GET, "/cases/{id}", f(format!("/cases/{cid}"))),
        (
            M::PATCH,
            "/cases/{id}",
            fb(format!("/cases/{cid}"), json!({"title": "x"})),
        ),
        (
            M::POST,
            "/cases/{id}/confirm",
            fb(
                format!("/cases/{cid}/confirm"),
                json!({"aware_at": "2026-09-21T08:00:00Z"}),
            ),
        ),
        (
            M::POST,
            "/cases/{id}/dismiss",
            fb(
                format!("/cases/{cid}/dismiss"),
                json!({"reason": "not ours"}),
            ),
        ),
        (
            M::POST,
            "/cases/{id}/evidence",
            fb(
                format!("/cases/{cid}/evidence"),
                json!({"source": "other", "reference": "x"}),
            ),
        ),
        (
            M::GET,
            "/cases/{id}/draft",
            f(format!("/cases/{cid}/draft?stage=early-warning")),
        ),
        (
            M::POST,
            "/cases/{id}/reports",
            fb(
                format!("/cases/{cid}/reports"),
                json!({"stage": "early-warning"}),
            ),
        ),
        (
            M::POST,
            "/cases/{id}/notice/publish",
            f(format!("/cases/{cid}/notice/publish")),
        ),
        (
            M::GET,
            "/cases/{id}/notices",
            f(format!("/cases/{cid}/notices")),
        ),
        (
            M::GET,
            "/cases/{id}/{file}",
            f(format!("/cases/{cid}/notice.json")),
        ),
        (
            M::GET,
            "/products/{id}/requirements",
            f(format!("/products/{pid}/requirements")),
        ),
        (
            M::PUT,
            "/products/{id}/requirements",
            fb(format!("/products/{pid}/requirements"), json!({})),
        ),
        (
            M::PUT,
            "/products/{id}/placing",
            fb(format!("/products/{pid}/placing"), json!({})),
        ),
        (
            M::POST,
            "/products/{id}/documents",
            f(format!("/products/{pid}/documents")),
        ),
        (
            M::POST,
            "/products/{id}/declarations",
            f(format!("/products/{pid}/declarations")),
        ),
        (
            M::GET,
            "/products/{id}/declarations/{file}",
            f(format!("/products/{pid}/declarations/1.json")),
        ),
        (
            M::DELETE,
            "/products/{id}/declarations/{file}",
            f(format!("/products/{pid}/declarations/1")),
        ),
        (
            M::POST,
            "/products/{id}/declarations/{version}/publish",
            f(format!("/products/{pid}/declarations/1/publish")),
        ),
        (
            M::GET,
            "/products/{id}/documents/{doc}/{version}",
            f(format!("/products/{pid}/documents/risk-assessment/1")),
        ),
        (
            M::DELETE,
            "/products/{id}/documents/{doc}/{version}",
            f(format!("/products/{pid}/documents/risk-assessment/1")),
        ),
        (
            M::GET,
            "/findings/{id}/upstream-reports",
            f(format!("/findings/{fid}/upstream-reports")),
        ),
        (
            M::POST,
            "/findings/{id}/upstream-reports",
            fb(
                format!("/findings/{fid}/upstream-reports"),
                json!({"recipient_org_id": 987654}),
            ),
        ),
        (
            M::GET,
            "/products/{id}/upstream-reports",
            f(format!("/products/{pid}/upstream-reports")),
        ),
        (
            M::GET,
            "/upstream-reports/received",
            Listed("/api/v1/upstream-reports/received"),
        ),
        (M::PUT, "/upstream-reports/{id}/fix", Elsewhere(NO_FIXTURE)),
        (
            M::GET,
            "/upstream-reports/{id}/{file}",
            Elsewhere(NO_FIXTURE),
        ),
        (
            M::POST,
            "/upstream-reports/{id}/informed",
            Elsewhere(NO_FIXTURE),
        ),
        (
            M::GET,
            "/supplied-products",
            Listed("/api/v1/supplied-products"),
        ),
        (
            M::POST,
            "/supplied-products/{op}/checks",
            fb(
                format!("/supplied-products/{opid}/checks"),
                json!({"ce_marking_seen": true}),
            ),
        ),
        (
            M::POST,
            "/supplied-products/{op}/supplies",
            fb(
                format!("/supplied-products/{opid}/supplies"),
                json!({"direction": "supplied-by", "party": "X", "party_address": "Y", "supplied_on": "2026-09-02"}),
            ),
        ),
        (
            M::GET,
            "/products/{id}/operators",
            f(format!("/products/{pid}/operators")),
        ),
        (
            M::POST,
            "/products/{id}/operators",
            fb(
                format!("/products/{pid}/operators"),
                json!({"role": "importer", "name": "X", "address": "Y", "contact": "z", "member_state": "DE"}),
            ),
        ),
        (
            M::POST,
            "/products/{id}/operators/{op}/checks",
            fb(
                format!("/products/{pid}/operators/{opid}/checks"),
                json!({"ce_marking_seen": true}),
            ),
        ),
        (
            M::POST,
            "/products/{id}/operators/{op}/supplies",
            fb(
                format!("/products/{pid}/operators/{opid}/supplies"),
                json!({"direction": "supplied-by", "party": "X", "party_address": "Y", "supplied_on": "2026-09-02"}),
            ),
        ),
        (
            M::DELETE,
            "/products/{id}/supplies/{sid}",
            f(format!("/products/{pid}/supplies/424242")),
        ),
        (
            M::GET,
            "/products/{id}/authority-requests",
            f(format!("/products/{pid}/authority-requests")),
        ),
        (
            M::POST,
            "/products/{id}/authority-requests",
            fb(
                format!("/products/{pid}/authority-requests"),
                json!({"authority": "X", "member_state": "DE", "reference": "R", "reason": "x", "received_at": "2026-09-18T09:00:00Z"}),
            ),
        ),
        (
            M::POST,
            "/products/{id}/authority-requests/{rid}/handover",
            fb(
                format!("/products/{pid}/authority-requests/{arid}/handover"),
                json!({"items": ["techdoc"]}),
            ),
        ),
        (
            M::GET,
            "/public/orgs/{slug}/products/{id}/declaration",
            Elsewhere(public),
        ),
        (
            M::GET,
            "/products/{id}/techdoc.zip",
            f(format!("/products/{pid}/techdoc.zip")),
        ),
        (
            M::GET,
            "/public-face",
            Own("the caller's organisation's public face"),
        ),
        (
            M::PUT,
            "/public-face",
            Own("the caller's organisation's public face"),
        ),
        (
            M::GET,
            "/products/{id}/annex-ii",
            f(format!("/products/{pid}/annex-ii")),
        ),
        (
            M::PUT,
            "/products/{id}/annex-ii",
            fb(format!("/products/{pid}/annex-ii"), json!({})),
        ),
        (
            M::POST,
            "/products/{id}/annex-ii/publish",
            f(format!("/products/{pid}/annex-ii/publish")),
        ),
        (
            M::GET,
            "/public/orgs/{slug}/products/{id}",
            Elsewhere(public),
        ),
        (M::GET, "/public/notices/{slug}", Elsewhere(public)),
        (M::GET, "/public/notices/{slug}/{file}", Elsewhere(public)),
        (M::POST, "/public/vulnerability-reports", Elsewhere(public)),
        (M::POST, "/public/voluntary-reports", Elsewhere(public)),
        (
            M::POST,
            "/public/voluntary-notifications",
            Elsewhere(public),
        ),
        (M::POST, "/submissions/{id}/portal", Elsewhere(NO_FIXTURE)),
        (M::GET, "/submissions/{id}/{file}", Elsewhere(NO_FIXTURE)),
        (M::POST, "/authority/reports", Elsewhere(authority)),
        (M::GET, "/authority/inbox", Elsewhere(authority)),
        (M::GET, "/authority/reports/{id}", Elsewhere(authority)),
        (
            M::POST,
            "/authority/reports/{id}/decision",
            Elsewhere(authority),
        ),
        (
            M::POST,
            "/authority/reports/{id}/review",
            Elsewhere(authority),
        ),
        (
            M::POST,
            "/authority/reports/{id}/recommendation",
            Elsewhere(authority),
        ),
        (
            M::POST,
            "/authority/reports/{id}/users-informed",
            Elsewhere(authority),
        ),
        (
            M::POST,
            "/authority/reports/{id}/intermediate-request",
            Elsewhere(authority),
        ),
        (M::GET, "/authority/requests", Elsewhere(authority)),
        (M::GET, "/authority/assessment", Elsewhere(authority)),
        (
            M::POST,
            "/cases/{id}/csaf",
            fb(format!("/cases/{cid}/csaf"), json!({"tlp": "CLEAR"})),
        ),
        (
            M::POST,
            "/releases/{id}/csaf-vex",
            fb(format!("/releases/{rid}/csaf-vex"), json!({"tlp": "CLEAR"})),
        ),
        (M::GET, "/csaf/documents", Listed("/api/v1/csaf/documents")),
        (M::GET, "/csaf/documents/{id}", Elsewhere(NO_FIXTURE)),
        (
            M::POST,
            "/csaf/documents/{id}/review",
            Elsewhere(NO_FIXTURE),
        ),
        (
            M::POST,
            "/csaf/documents/{id}/publish",
            Elsewhere(NO_FIXTURE),
        ),
        (
            M::GET,
            "/csaf/provider",
            Own("the caller's organisation's provider"),
        ),
        (M::GET, "/devices", Listed("/api/v1/devices")),
        (
            M::POST,
            "/devices",
            Own("registers a device of the caller's organisation"),
        ),
        (M::POST, "/devices/{device_id}/state", Elsewhere(NO_FIXTURE)),
        (M::GET, "/fleet/exposure", Listed("/api/v1/fleet/exposure")),
    ]
}

/// Every (method, route) the JSON API router serves (the `api` router of `src/api.rs`,
/// nested under `/api/v1`), read from its source.
fn api_routes() -> BTreeSet<(String, String)> {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api.rs");
    let src = std::fs::read_to_string(&file).unwrap();
    let start = src.find("let api = Router::new()").expect("the API router");
    let end = start
        + src[start..]
            .find(".fallback(")
            .expect("the API router's fallback");
    let mut out = BTreeSet::new();
    for chunk in src[start..end].split(".route(").skip(1) {
        let code = chunk
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        let mut parts = code.splitn(3, '"');
        parts.next();
        let path = parts.next().expect("a route's path").to_string();
        let handlers = parts.next().unwrap_or("");
        for m in ["get", "post", "put", "delete", "patch"] {
            let routed = handlers.match_indices(&format!("{m}(")).any(|(i, _)| {
                !handlers[..i]
                    .chars()
                    .last()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
            });
            if routed {
                out.insert((m.to_uppercase(), path.clone()));
            }
        }
    }
    out
}
