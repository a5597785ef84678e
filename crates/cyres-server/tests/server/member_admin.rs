//! Looking after members' accounts (issue 17, point 9) over real HTTP on loopback, on SQLite
//! and PostgreSQL: removing a member ends their sessions and never leaves an organisation
//! without an administrator; a password-reset link is issued by an administrator only, shown
//! once, works once and within a day, ends the account's sessions, is refused for an account
//! that also acts for another organisation, and is audited; the same through the web pages.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both!(
    members_are_removed_but_never_the_last_admin,
    reset_links_work_once_within_a_day,
    devices_are_registered_from_the_fleet_page
);

/// The member's account id by e-mail.
async fn account_id(s: &Server, admin: &Who, email: &str) -> i64 {
    let (st, members) = s.call(admin, Method::GET, "/api/v1/members", None).await;
    assert_eq!(st, StatusCode::OK, "{members}");
    members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m.to_string().contains(email))
        .and_then(|m| m["account"]["id"].as_i64().or(m["account_id"].as_i64()))
        .unwrap_or_else(|| panic!("{email} in {members}"))
}

async fn members_are_removed_but_never_the_last_admin(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Acme Routers GmbH", "psirt@acme.example").await;
    let bob = s.add_member(&admin, "bob@acme.example", "editor").await;
    let bob_id = account_id(&s, &admin, "bob@acme.example").await;
    let admin_id = account_id(&s, &admin, "psirt@acme.example").await;

    // An editor may not remove anyone.
    let (st, _) = s
        .call(
            &bob,
            Method::DELETE,
            &format!("/api/v1/members/{admin_id}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // The last administrator can neither leave nor step down.
    let (st, v) = s
        .call(
            &admin,
            Method::DELETE,
            &format!("/api/v1/members/{admin_id}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert!(v.to_string().contains("last administrator"), "{v}");
    let (st, v) = s
        .call(
            &admin,
            Method::POST,
            "/api/v1/members",
            Some(json!({"email": "psirt@acme.example", "role": "viewer"})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    let (st, me) = s.call(&admin, Method::GET, "/api/v1/session", None).await;
    assert_eq!(
        (st, me["role"].as_str()),
        (StatusCode::OK, Some("admin")),
        "{me}"
    );

    // Through the page: the refusal shows at the members' table.
    let (st, _, html) = post(
        &s,
        &admin,
        &format!("/settings/members/{admin_id}/remove"),
        &[],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(html.contains("id=\"members-error\""), "{html}");
    // Without the CSRF token, nothing happens.
    let (st, _, _) = post(
        &s,
        &admin,
        &format!("/settings/members/{bob_id}/remove"),
        &[],
        false,
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(
        s.call(&bob, Method::GET, "/api/v1/session", None).await.0,
        StatusCode::OK
    );

    // Removing Bob ends his session at once.
    let (st, location, _) = post(
        &s,
        &admin,
        &format!("/settings/members/{bob_id}/remove"),
        &[],
        true,
    )
    .await;
    assert_eq!(
        (st, location.as_str()),
        (StatusCode::SEE_OTHER, "/settings#members")
    );
    let (st, _) = s.call(&bob, Method::GET, "/api/v1/products", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (_, members) = s.call(&admin, Method::GET, "/api/v1/members", None).await;
    assert!(
        !members.to_string().contains("bob@acme.example"),
        "{members}"
    );
    s.shutdown().await;
}

async fn reset_links_work_once_within_a_day(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Acme Routers GmbH", "psirt@acme.example").await;
    let bob = s.add_member(&admin, "bob@acme.example", "editor").await;
    let bob_id = account_id(&s, &admin, "bob@acme.example").await;

    // Only administrators issue links.
    let path = format!("/api/v1/members/{bob_id}/password-reset");
    assert_eq!(
        s.call(&bob, Method::POST, &path, None).await.0,
        StatusCode::FORBIDDEN
    );
    let (st, first) = s.call(&admin, Method::POST, &path, None).await;
    assert_eq!(st, StatusCode::CREATED, "{first}");
    let (st, link) = s.call(&admin, Method::POST, &path, None).await;
    assert_eq!(st, StatusCode::CREATED, "{link}");
    let token_of = |v: &Value| {
        v["url"]
            .as_str()
            .unwrap()
            .split("/reset-password?token=")
            .nth(1)
            .expect("a reset URL")
            .to_string()
    };
    let (old, token) = (token_of(&first), token_of(&link));
    assert_ne!(old, token);
    // A newer link withdraws the older one.
    let (st, _) = page(&s, &nobody(), &format!("/reset-password?token={old}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, html) = page(&s, &nobody(), &format!("/reset-password?token={token}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("bob@acme.example"));
    // The page keeps the token out of caches and referrers.
    let r = browser()
        .get(s.url(&format!("/reset-password?token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(r.headers()["referrer-policy"], "no-referrer");

    // A weak password is refused at its field; the link still works afterwards.
    let (st, _, html) = post(
        &s,
        &nobody(),
        "/reset-password",
        &[("token", &token), ("password", "password123")],
        false,
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"password-error\""), "{html}");
    let new_password = "violet tractor under amber rain";
    let (st, _, html) = post(
        &s,
        &nobody(),
        "/reset-password",
        &[("token", &token), ("password", new_password)],
        false,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"reset-done\""));
    // Bob's earlier session has ended; the new password works; the link does not again.
    assert_eq!(
        s.call(&bob, Method::GET, "/api/v1/products", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let bob = s.login("bob@acme.example", new_password).await;
    assert_eq!(
        s.call(&bob, Method::GET, "/api/v1/products", None).await.0,
        StatusCode::OK
    );
    let (st, v) = s
        .call(
            &nobody(),
            Method::POST,
            "/api/v1/password-reset",
            Some(json!({"token": token, "password": "another long passphrase here"})),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(v["error"]["code"], "reset_link_invalid");

    // A link expires after a day.
    let (_, link) = s.call(&admin, Method::POST, &path, None).await;
    s.clock.advance(24 * 3600 + 1);
    let admin = s.login("psirt@acme.example", PASSWORD).await;
    let (st, _) = s
        .call(
            &nobody(),
            Method::POST,
            "/api/v1/password-reset",
            Some(json!({"token": token_of(&link), "password": "another long passphrase here"})),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // An account that also acts for another organisation is the operator's to reset.
    let (st, other) = s
        .provision(
            "bob@acme.example",
            json!({"name": "Beta Cameras SA", "kind": "manufacturer"}),
        )
        .await;
    assert!(st.is_success());
    assert!(other["id"].as_i64().is_some());
    let (st, v) = s.call(&admin, Method::POST, &path, None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert!(
        v.to_string().contains("cyres admin account reset-password"),
        "{v}"
    );
    // And through the page, the refusal shows at the members' table.
    let (st, _, html) = post(
        &s,
        &admin,
        &format!("/settings/members/{bob_id}/reset-link"),
        &[],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(html.contains("id=\"members-error\""));

    // Issuing and redeeming are in the audit trail, never the secret.
    let (st, audit) = s.call(&admin, Method::GET, "/api/v1/audit", None).await;
    assert_eq!(st, StatusCode::OK);
    let text = audit.to_string();
    assert!(text.contains("password_reset.issue"), "{text}");
    assert!(text.contains("account.password_set"), "{text}");
    assert!(!text.contains(&token));
    s.shutdown().await;
}

async fn devices_are_registered_from_the_fleet_page(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Acme Routers GmbH", "psirt@acme.example").await;
    let (pid, _) = s.product_release(&admin, "AX3000 router", "2.4.1").await;
    let editor = s.add_member(&admin, "ed@acme.example", "editor").await;
    let pid = pid.to_string();
    let fields = [
        ("device_id", "ax3000-0001"),
        ("product_id", pid.as_str()),
        ("hardware", "rev B"),
    ];
    // Editors see no form and may not register; nothing happens without the CSRF token.
    let (_, html) = page(&s, &editor, "/fleet").await;
    assert!(!html.contains("id=\"device-form\""));
    assert_eq!(
        post(&s, &editor, "/fleet/devices", &fields, true).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(&s, &admin, "/fleet/devices", &fields, false).await.0,
        StatusCode::FORBIDDEN
    );
    // The administrator registers it; the token is shown once, kept out of caches, and works.
    let (_, html) = page(&s, &admin, "/fleet").await;
    assert!(html.contains("id=\"device-form\""));
    let r = browser()
        .post(s.url("/fleet/devices"))
        .header("cookie", admin.cookie.clone().unwrap())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "device_id=ax3000-0001&product_id={pid}&hardware=rev+B&csrf={}",
            urlencode(admin.csrf.as_deref().unwrap())
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    let token = html
        .split("id=\"device-token\">")
        .nth(1)
        .and_then(|t| t.split('<').next())
        .expect("the token is shown")
        .to_string();
    assert!(token.starts_with("cyresdev_"), "{token}");
    let r = s
        .http
        .post(s.url("/api/v1/devices/ax3000-0001/state"))
        .bearer_auth(&token)
        .json(&json!({"versions": {"installed": "2.4.1"}}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let (_, html) = page(&s, &admin, "/fleet").await;
    assert!(
        html.contains("ax3000-0001") && !html.contains(&token),
        "shown once"
    );
    // The same id again is refused at its field; a product of nobody's answers 404.
    let (st, _, html) = post(&s, &admin, "/fleet/devices", &fields, true).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"d-id-error\""), "{html}");
    let (st, _, _) = post(
        &s,
        &admin,
        "/fleet/devices",
        &[("device_id", "x-2"), ("product_id", "424242")],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    s.shutdown().await;
}

/// No session at all.
fn nobody() -> Who {
    Who {
        cookie: None,
        csrf: None,
        token: None,
    }
}
