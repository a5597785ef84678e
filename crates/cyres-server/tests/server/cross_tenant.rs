//! No organisation reaches another's data through the JSON API: every (method, route) of the
//! API router is a row of one table (read against `src/api.rs`, so a new route without a row
//! fails), naming organisation A's object for organisation B to ask for (it must get the 404
//! a missing object gets), a list B reads (it must show nothing of A), or why neither applies.
//! B asks with each of its credentials (its administrator's API token and session, its own
//! device's token), and every object of A named is checked unchanged afterwards.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;

both!(no_cross_tenant_access_on_any_endpoint);

async fn no_cross_tenant_access_on_any_endpoint(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin_a = s.bootstrap_in("Acme", "admin@acme.example", "DE").await;
    let (pid, rid) = seeded(&s, &admin_a).await;
    let (_, fs) = s
        .call(&admin_a, Method::GET, "/api/v1/findings", None)
        .await;
    let fid = fs[0]["id"].as_i64().unwrap();
    let tok_a = s.token(&admin_a, "viewer").await;
    let (_, toks) = s.call(&admin_a, Method::GET, "/api/v1/tokens", None).await;
    let tid = toks[0]["id"].as_i64().unwrap();
    // Organisation B, its own admin (a second account in a new organisation), with a product
    // and a device of its own: B's session, B's API token and B's device token ask below.
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
    let (pid_b, _) = s.product_release(&bob, "Beta box", "1.0").await;
    let device_b = device(&s, &bob, "beta-gw-0001", pid_b).await;
    // Organisation A's objects for the table.
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
    let (_, cases) = s.call(&admin_a, Method::GET, "/api/v1/cases", None).await;
    let cid = cases[0]["case"]["id"]
        .as_i64()
        .expect("the exploited finding proposed a case");
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
    let (dec, cand) = cpe_decision_and_candidate(&s, &admin_a).await;
    let b_id = org_b["id"].as_i64().unwrap();
    let upr = upstream_report(&s, &admin_a, fid, b_id).await;
    let subm = manual_submission(&s, &admin_a, cid).await;
    let (doc, reviewed) = csaf_documents(&s, &admin_a, rid, cid).await;
    let inv = invitation(&s, &admin_a, INVITEE).await;
    device(&s, &admin_a, DEVICE_A, pid).await;
    let ids = Ids {
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
        dec,
        cand,
        upr,
        subm,
        doc,
        reviewed,
        inv,
        dev: DEVICE_A,
    };
    let table = routes(&ids);
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
    // Every row is tried by each of B's credentials; the failures are reported together.
    let ids_named = ids.all();
    let mut wrong = Vec::new();
    for (cred, who) in [
        (Cred::Token, &admin_b_token),
        (Cred::Session, &bob),
        (Cred::Device, &device_b),
    ] {
        for (m, route, tenancy) in &table {
            let (path, body, expect) = match tenancy {
                Tenancy::Foreign(path, body) => {
                    // A device token reaches nothing but its own device's state.
                    let org = (cred != Cred::Device).then_some(StatusCode::NOT_FOUND);
                    (path, body, org)
                }
                Tenancy::Only(kind, path, body, status) => {
                    (path, body, (*kind == cred).then_some(*status))
                }
                // Lists show nothing of A.
                Tenancy::Listed(path) => {
                    let (st, v) = s.call(who, m.clone(), path, None).await;
                    if st == StatusCode::OK {
                        let text = v.to_string();
                        for mark in MARKS {
                            if text.contains(mark) {
                                wrong.push(format!("{path} shows {mark:?}: {text}"));
                            }
                        }
                    }
                    continue;
                }
                Tenancy::Own(why) | Tenancy::Elsewhere(why) => {
                    assert!(!why.is_empty(), "{m} {route}: say why");
                    continue;
                }
            };
            let (foreign, missing) = foreign_and_missing(&s, who, m, path, body, &ids_named).await;
            if expect.is_some_and(|e| foreign.0 != e) || foreign.0.is_success() {
                wrong.push(format!(
                    "{cred:?} {m} {path} ({route}): {} {}, want {expect:?}",
                    foreign.0, foreign.1
                ));
            } else if foreign != missing {
                wrong.push(format!(
                    "{cred:?} {m} {path}: foreign and missing must look the same: {} {} / {} {}",
                    foreign.0, foreign.1, missing.0, missing.1
                ));
            }
        }
        if cred != Cred::Device {
            let (_, adv) = s
                .call(who, Method::GET, "/api/v1/advisories/CVE-2023-44487", None)
                .await;
            assert!(
                adv["findings"].as_array().unwrap().is_empty(),
                "advisory page shows only the caller's findings"
            );
        }
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
    as_they_were(&s, &admin_a, &ids).await;
    // Once A records the maintainer informed, B (the report's recipient) reads the report, and
    // still changes nothing of it.
    let (st, v) = s
        .call(
            &admin_a,
            Method::POST,
            &format!("/api/v1/upstream-reports/{upr}/informed"),
            Some(json!({"via": "the platform"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let osv = format!("/api/v1/upstream-reports/{upr}/osv.json");
    for who in [&admin_b_token, &bob] {
        let (st, v) = s.call(who, Method::GET, &osv, None).await;
        assert_eq!(st, StatusCode::OK, "the recipient reads a sent report: {v}");
        for (m, path, body) in [
            (
                Method::PUT,
                format!("/api/v1/upstream-reports/{upr}/fix"),
                json!({"fixed_version": "6.6.6"}),
            ),
            (
                Method::POST,
                format!("/api/v1/upstream-reports/{upr}/informed"),
                json!({"via": "stolen"}),
            ),
        ] {
            let (foreign, missing) =
                foreign_and_missing(&s, who, &m, &path, &Some(body), &ids_named).await;
            assert_eq!(
                foreign.0,
                StatusCode::NOT_FOUND,
                "{m} {path}: {}",
                foreign.1
            );
            assert_eq!(foreign, missing, "{m} {path}");
        }
    }
    let (_, v) = s
        .call(
            &admin_a,
            Method::GET,
            &format!("/api/v1/findings/{fid}/upstream-reports"),
            None,
        )
        .await;
    assert_eq!(v[0]["informed_via"], "the platform", "{v}");
    assert!(v[0]["fix"].is_null(), "{v}");
    s.shutdown().await;
}

/// What B's lists must not show: marks of organisation A's objects.
const MARKS: [&str; 11] = [
    "AX3000",
    "GHSA-qppj",
    "127.0.0.1:9",
    "security@customer.example",
    "Nordimport",
    "BNetzA-2026-117",
    "exploited feed",
    "dropbear_ssh_project",
    "pkg:generic/busybox",
    INVITEE,
    DEVICE_A,
];

/// The address organisation A invites (a person in no organisation yet).
const INVITEE: &str = "carol@customer.example";

/// Organisation A's device.
const DEVICE_A: &str = "acme-gw-0001";

/// How the cross-tenant test checks one (method, route) of the API router.
enum Tenancy {
    /// Names organisation A's object (the concrete path, and a body): B's organisation
    /// credentials get exactly the 404 a missing object gets, B's device token the answer a
    /// missing object gets.
    Foreign(String, Option<Value>),
    /// Names organisation A's object on a route that takes one kind of credential only (a
    /// person's session answers an invitation, a device's token reports its state): B's
    /// credential of that kind gets exactly the answer an id nobody has gets (this status),
    /// B's other credentials the same answer for A's id as for an id nobody has.
    Only(Cred, String, Option<Value>, StatusCode),
    /// Reads the caller's organisation's list or settings (this concrete path): B's answer
    /// shows nothing of A.
    Listed(&'static str),
    /// Acts only on the caller's own account or organisation: there is no other
    /// organisation's object to name. Why.
    Own(&'static str),
    /// Not one organisation's data, or data only another kind of organisation (an authority,
    /// a CSIRT) holds: where it is guarded and tested.
    Elsewhere(&'static str),
}

/// A credential of organisation B.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Cred {
    /// B's administrator's API token.
    Token,
    /// B's administrator's logged-in session.
    Session,
    /// The token of B's own device.
    Device,
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
    /// A CPE decision.
    dec: i64,
    /// A derived CPE candidate, proposed.
    cand: i64,
    /// An upstream report to organisation B, not yet sent.
    upr: i64,
    /// A submission kept for the ENISA portal.
    subm: i64,
    /// A CSAF document in draft.
    doc: i64,
    /// A CSAF document reviewed, not published.
    reviewed: i64,
    /// A pending invitation of [`INVITEE`].
    inv: i64,
    /// A device.
    dev: &'static str,
}

impl Ids {
    /// Every id, as a path names it.
    fn all(&self) -> Vec<String> {
        let mut all: Vec<String> = [
            self.pid,
            self.rid,
            self.fid,
            self.tid,
            self.hid,
            self.cid,
            self.sid,
            self.opid,
            self.arid,
            self.nrid,
            self.dec,
            self.cand,
            self.upr,
            self.subm,
            self.doc,
            self.reviewed,
            self.inv,
        ]
        .iter()
        .map(i64::to_string)
        .collect();
        all.push(self.dev.to_string());
        all
    }
}

/// Every (method, route) of the API router with how the cross-tenant test checks it.
fn routes(ids: &Ids) -> Vec<(Method, &'static str, Tenancy)> {
    use Method as M;
    use Tenancy::{Elsewhere, Listed, Own};
    let &Ids {
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
        dec,
        cand,
        upr,
        subm,
        doc,
        reviewed,
        inv,
        dev,
    } = ids;
    let f = |p: String| Tenancy::Foreign(format!("/api/v1{p}"), None);
    let fb = |p: String, b: Value| Tenancy::Foreign(format!("/api/v1{p}"), Some(b));
    // Invitations are answered by the person addressed: B's session gets the 404 of a missing
    // one; a token is refused whatever the id.
    let person = |p: String| {
        Tenancy::Only(
            Cred::Session,
            format!("/api/v1{p}"),
            None,
            StatusCode::NOT_FOUND,
        )
    };
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
            f(format!("/members/invitations/{inv}")),
        ),
        (M::GET, "/invitations", Listed("/api/v1/invitations")),
        (
            M::POST,
            "/invitations/{id}/accept",
            person(format!("/invitations/{inv}/accept")),
        ),
        (
            M::POST,
            "/invitations/{id}/decline",
            person(format!("/invitations/{inv}/decline")),
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
        (
            M::DELETE,
            "/cpe-decisions/{id}",
            f(format!("/cpe-decisions/{dec}")),
        ),
        (M::GET, "/cpe-candidates", Listed("/api/v1/cpe-candidates")),
        (
            M::POST,
            "/cpe-candidates/derive",
            Own("derives candidates in the caller's portfolio"),
        ),
        (
            M::GET,
            "/cpe-candidates/{id}",
            f(format!("/cpe-candidates/{cand}")),
        ),
        (
            M::POST,
            "/cpe-candidates/{id}/confirm",
            f(format!("/cpe-candidates/{cand}/confirm")),
        ),
        (
            M::POST,
            "/cpe-candidates/{id}/reject",
            f(format!("/cpe-candidates/{cand}/reject")),
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
        (
            M::PUT,
            "/upstream-reports/{id}/fix",
            fb(
                format!("/upstream-reports/{upr}/fix"),
                json!({"fixed_version": "6.6.6"}),
            ),
        ),
        (
            M::GET,
            "/upstream-reports/{id}/{file}",
            f(format!("/upstream-reports/{upr}/csaf.json")),
        ),
        (
            M::POST,
            "/upstream-reports/{id}/informed",
            fb(
                format!("/upstream-reports/{upr}/informed"),
                json!({"via": "stolen"}),
            ),
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
        (
            M::POST,
            "/submissions/{id}/portal",
            fb(
                format!("/submissions/{subm}/portal"),
                json!({"reference": "STOLEN-1", "submitted_at": "2026-09-21T14:00:00Z"}),
            ),
        ),
        (
            M::GET,
            "/submissions/{id}/{file}",
            f(format!("/submissions/{subm}/pack.json")),
        ),
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
        (
            M::GET,
            "/csaf/documents/{id}",
            f(format!("/csaf/documents/{doc}")),
        ),
        (
            M::POST,
            "/csaf/documents/{id}/review",
            f(format!("/csaf/documents/{doc}/review")),
        ),
        (
            M::POST,
            "/csaf/documents/{id}/publish",
            f(format!("/csaf/documents/{reviewed}/publish")),
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
        (
            M::POST,
            "/devices/{device_id}/state",
            Tenancy::Only(
                Cred::Device,
                format!("/api/v1/devices/{dev}/state"),
                Some(json!({"versions": {"installed": "6.6.6"}})),
                StatusCode::UNAUTHORIZED,
            ),
        ),
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

/// One answer: status and body.
type Answer = (StatusCode, Value);

/// The answer to `path` (naming A's objects) and to the same request naming ids no
/// organisation has in their place.
async fn foreign_and_missing(
    s: &Server,
    who: &Who,
    m: &Method,
    path: &str,
    body: &Option<Value>,
    ids: &[String],
) -> (Answer, Answer) {
    let missing = path
        .split('/')
        .map(|seg| {
            if ids.iter().any(|id| id == seg) {
                "987654"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    let foreign = s.call(who, m.clone(), path, body.clone()).await;
    (
        foreign,
        s.call(who, m.clone(), &missing, body.clone()).await,
    )
}

/// Registers device `id` of product `pid` (the admin's organisation): the device's token.
async fn device(s: &Server, admin: &Who, id: &str, pid: i64) -> Who {
    let (st, v) = s
        .call(
            admin,
            Method::POST,
            "/api/v1/devices",
            Some(json!({"device_id": id, "product_id": pid})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    Who {
        cookie: None,
        csrf: None,
        token: Some(v["token"].as_str().unwrap().to_string()),
    }
}

/// A CPE decision, and a candidate derived for a component without a CPE (the kit's NVD
/// records name busybox): their ids.
async fn cpe_decision_and_candidate(s: &Server, admin: &Who) -> (i64, i64) {
    let (st, d) = s
        .call(
            admin,
            Method::POST,
            "/api/v1/cpe-decisions",
            Some(json!({"subject": "matt_johnston:dropbear_ssh_server",
                "cpe": "dropbear_ssh_project:dropbear_ssh"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{d}");
    s.import(
        admin,
        &cyres_kit::nvd_firmware("nvd-api-2.0/nvd-cve-2.0-fkie-abridged.json"),
    )
    .await;
    let (_, hand) = s.product_release(admin, "Hand-made", "1").await;
    let sbom = crate::firmware::generic_sbom("busybox", "1.30.1");
    let (st, up) = s.upload(admin, hand, sbom, "bom.cdx.json").await;
    assert_eq!(st, StatusCode::CREATED, "{up}");
    let (_, cands) = s
        .call(admin, Method::GET, "/api/v1/cpe-candidates", None)
        .await;
    let cand = cands
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["subject"] == "purl:pkg:generic/busybox")
        .unwrap_or_else(|| panic!("{cands}"))["id"]
        .as_i64()
        .unwrap();
    (d["decision"]["id"].as_i64().unwrap(), cand)
}

/// A report of finding `fid` to the component's maintainer, organisation `recipient` on the
/// platform, not yet sent: its id.
async fn upstream_report(s: &Server, admin: &Who, fid: i64, recipient: i64) -> i64 {
    let (st, r) = s
        .call(
            admin,
            Method::POST,
            &format!("/api/v1/findings/{fid}/upstream-reports"),
            Some(json!({"recipient_org_id": recipient})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    r["id"].as_i64().unwrap()
}

/// Confirms case `cid` and submits its early warning, kept for the ENISA portal (no reporting
/// endpoint is configured): the submission's id.
async fn manual_submission(s: &Server, admin: &Who, cid: i64) -> i64 {
    let (st, v) = s
        .call(
            admin,
            Method::POST,
            &format!("/api/v1/cases/{cid}/confirm"),
            Some(json!({"aware_at": "2026-09-21T08:00:00Z",
                "evidence": [{"source": "kev", "reference": "CISA KEV CVE-2023-44487"}]})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, sub) = s
        .call(
            admin,
            Method::POST,
            &format!("/api/v1/cases/{cid}/reports"),
            Some(json!({"stage": "early-warning"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{sub}");
    assert_eq!(sub["state"], "manual", "{sub}");
    sub["id"].as_i64().unwrap()
}

/// The release's CSAF VEX document in draft, and the (confirmed) case's advisory reviewed:
/// their ids.
async fn csaf_documents(s: &Server, admin: &Who, rid: i64, cid: i64) -> (i64, i64) {
    let mut ids = Vec::new();
    for path in [
        format!("/api/v1/releases/{rid}/csaf-vex"),
        format!("/api/v1/cases/{cid}/csaf"),
    ] {
        let (st, v) = s
            .call(admin, Method::POST, &path, Some(json!({"tlp": "CLEAR"})))
            .await;
        assert_eq!(st, StatusCode::CREATED, "{path}: {v}");
        ids.push(v["id"].as_i64().unwrap());
    }
    let (st, v) = s
        .call(
            admin,
            Method::POST,
            &format!("/api/v1/csaf/documents/{}/review", ids[1]),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    (ids[0], ids[1])
}

/// Invites `email` as an editor (its account made with [`PASSWORD`], so an answer that did not
/// check the addressee would find one): the pending invitation's id.
async fn invitation(s: &Server, admin: &Who, email: &str) -> i64 {
    let (st, v) = s
        .call(
            admin,
            Method::POST,
            "/api/v1/members",
            Some(json!({"email": email, "role": "editor", "password": PASSWORD})),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    pending_invitation(s, admin, email)
        .await
        .expect("the invitation is pending")
}

/// The id of the pending invitation of `email` in the admin's organisation.
async fn pending_invitation(s: &Server, admin: &Who, email: &str) -> Option<i64> {
    let (st, v) = s
        .call(admin, Method::GET, "/api/v1/members/invitations", None)
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .find(|i| i["email"] == email)
        .map(|i| i["id"].as_i64().unwrap())
}

/// Organisation A's objects the table named are as they were: the decision in force, the
/// candidate proposed, the report neither fixed nor sent, the submission without a portal
/// reference, the documents in draft and reviewed, the invitation pending, the device silent.
async fn as_they_were(s: &Server, admin: &Who, ids: &Ids) {
    let get = |path: String| async move {
        let (st, v) = s.call(admin, Method::GET, &path, None).await;
        assert_eq!(st, StatusCode::OK, "{path}: {v}");
        v
    };
    let decisions = get("/api/v1/cpe-decisions".into()).await;
    assert!(
        decisions
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == ids.dec && d["withdrawn_at"].is_null()),
        "{decisions}"
    );
    let cand = get(format!("/api/v1/cpe-candidates/{}", ids.cand)).await;
    assert_eq!(cand["state"], "proposed", "{cand}");
    let reports = get(format!("/api/v1/findings/{}/upstream-reports", ids.fid)).await;
    let report = reports
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == ids.upr)
        .unwrap_or_else(|| panic!("{reports}"));
    assert!(
        report["fix"].is_null() && report["informed_at"].is_null(),
        "{report}"
    );
    let case = get(format!("/api/v1/cases/{}", ids.cid)).await;
    let sub = &case["submissions"][0];
    assert_eq!(sub["id"], ids.subm, "{case}");
    assert!(sub["portal_ref"].is_null(), "{sub}");
    for (doc, state) in [(ids.doc, "draft"), (ids.reviewed, "reviewed")] {
        let v = get(format!("/api/v1/csaf/documents/{doc}")).await;
        assert_eq!(v["state"], state, "{v}");
    }
    assert_eq!(pending_invitation(s, admin, INVITEE).await, Some(ids.inv));
    let devices = get("/api/v1/devices".into()).await;
    let device = devices
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["device_id"] == ids.dev)
        .unwrap_or_else(|| panic!("{devices}"));
    assert!(
        device["last_seen"].is_null() && device["installed_version"].is_null(),
        "{device}"
    );
}
