//! Accounts and membership under attack (issue 13, points 4 and 5), as real requests against
//! a real server on loopback, on SQLite and PostgreSQL: attaching someone else's account
//! (only an invitation they accept), account enumeration through the member form, throttle
//! bypass by spelling, guessable passwords, login CSRF, open redirects and header injection
//! through `next=`, API tokens in the query string, and look-alike organisation names.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both!(
    adding_an_account_is_an_invitation_it_accepts,
    member_answers_do_not_tell_which_addresses_exist,
    one_spelling_for_login_lookup_and_throttle,
    guessable_and_personal_passwords_are_refused,
    login_form_needs_its_csrf_token,
    next_after_login_is_a_local_path_or_the_dashboard,
    query_tokens_only_open_the_atom_feed,
    organisation_names_are_unique_after_normalisation,
);

const OTHER_PASSWORD: &str = "velvet otter carburetor 31";

async fn invite(s: &Server, admin: &Who, body: Value) -> (StatusCode, Value) {
    s.call(admin, Method::POST, "/api/v1/members", Some(body))
        .await
}

/// `POST /api/v1/orgs`: a manufacturer organisation named `name`.
async fn create_org(s: &Server, who: &Who, name: &str) -> (StatusCode, Value) {
    s.call(
        who,
        Method::POST,
        "/api/v1/orgs",
        Some(json!({"name": name, "kind": "manufacturer"})),
    )
    .await
}

/// The session's idea of who is calling.
async fn me(s: &Server, who: &Who) -> (StatusCode, Value) {
    s.call(who, Method::GET, "/api/v1/session", None).await
}

async fn adding_an_account_is_an_invitation_it_accepts(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let alice = s.bootstrap("Acme", "alice@acme.example").await;
    // Bob has an account (he made his own organisation through a second admin invite).
    let (st, v) = invite(
        &s,
        &alice,
        json!({"email": "bob@beta.example", "role": "viewer", "password": OTHER_PASSWORD}),
    )
    .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    assert_eq!(v["status"], "invited");
    // Not a member until he accepts: the member list does not have him.
    let (_, members) = s.call(&alice, Method::GET, "/api/v1/members", None).await;
    assert!(
        !members.to_string().contains("bob@beta.example"),
        "{members}"
    );
    let (_, pending) = s
        .call(&alice, Method::GET, "/api/v1/members/invitations", None)
        .await;
    assert_eq!(pending[0]["email"], "bob@beta.example", "{pending}");

    // Bob logs in: a session for no organisation, which can see its invitations and nothing else.
    let bob = s.login("bob@beta.example", OTHER_PASSWORD).await;
    let (st, v) = me(&s, &bob).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no organisation yet"),
        "{v}"
    );
    let (st, _) = s.call(&bob, Method::GET, "/api/v1/products", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // Such a session can still log out.
    let bob_too = s.login("bob@beta.example", OTHER_PASSWORD).await;
    let (st, _) = s
        .call(&bob_too, Method::DELETE, "/api/v1/session", None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = s
        .call(&bob_too, Method::GET, "/api/v1/invitations", None)
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, list) = s.call(&bob, Method::GET, "/api/v1/invitations", None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(
        (list[0]["org_name"].as_str(), list[0]["role"].as_str()),
        (Some("Acme"), Some("viewer"))
    );
    let id = list[0]["id"].as_i64().unwrap();
    // Accepting needs the session's CSRF header, and an API token cannot answer for a person.
    let no_csrf = Who {
        csrf: None,
        ..bob.clone()
    };
    let (st, _) = s
        .call(
            &no_csrf,
            Method::POST,
            &format!("/api/v1/invitations/{id}/accept"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let token = s.token(&alice, "admin").await;
    let (st, _) = s
        .call(
            &token,
            Method::POST,
            &format!("/api/v1/invitations/{id}/accept"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // Alice cannot accept Bob's invitation on his behalf (it is not addressed to her).
    let (st, _) = s
        .call(
            &alice,
            Method::POST,
            &format!("/api/v1/invitations/{id}/accept"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, v) = s
        .call(
            &bob,
            Method::POST,
            &format!("/api/v1/invitations/{id}/accept"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["org"]["name"], "Acme");
    let (st, v) = me(&s, &bob).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(
        (v["org"]["name"].as_str(), v["role"].as_str()),
        (Some("Acme"), Some("viewer"))
    );
    // A member with an invitation from another organisation sees it linked on every page.
    let (st, second) = create_org(&s, &alice, "Second").await;
    assert_eq!(st, StatusCode::CREATED, "{second}");
    let switch = |org: Value| {
        s.call(
            &alice,
            Method::POST,
            "/api/v1/session/org",
            Some(json!({"org_id": org})),
        )
    };
    assert_eq!(switch(second["id"].clone()).await.0, StatusCode::NO_CONTENT);
    invite(
        &s,
        &alice,
        json!({"email": "bob@beta.example", "role": "editor"}),
    )
    .await;
    let (st, html) = page(&s, &bob, "/").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("id=\"invitations-link\">Invitations (1)</a>"),
        "{html}"
    );
    assert_eq!(
        switch(v["org"]["id"].clone()).await.0,
        StatusCode::NO_CONTENT
    );

    // Inviting an existing account never touches its password.
    let (st, _) = invite(
        &s,
        &alice,
        json!({"email": "carol@gamma.example", "role": "editor", "password": OTHER_PASSWORD}),
    )
    .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let (st, v) = invite(
        &s,
        &alice,
        json!({"email": "carol@gamma.example", "role": "admin", "password": "tangerine walrus pilot 88"}),
    )
    .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    let r = s
        .http
        .post(s.url("/api/v1/session"))
        .json(&json!({"email": "carol@gamma.example", "password": "tangerine walrus pilot 88"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Carol declines; the admin sees no pending invitation left, she is no member.
    let carol = s.login("carol@gamma.example", OTHER_PASSWORD).await;
    let (_, list) = s
        .call(&carol, Method::GET, "/api/v1/invitations", None)
        .await;
    assert_eq!(
        list[0]["role"], "admin",
        "the later invitation replaced the earlier"
    );
    let (st, _) = s
        .call(
            &carol,
            Method::POST,
            &format!("/api/v1/invitations/{}/decline", list[0]["id"]),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, pending) = s
        .call(&alice, Method::GET, "/api/v1/members/invitations", None)
        .await;
    assert_eq!(pending, json!([]));
    assert_eq!(me(&s, &carol).await.0, StatusCode::FORBIDDEN);

    // An existing member's role changes at once (lowering rights needs no consent).
    let (st, v) = invite(
        &s,
        &alice,
        json!({"email": "BOB@beta.example", "role": "editor"}),
    )
    .await;
    assert_eq!(
        (st, v["status"].as_str()),
        (StatusCode::OK, Some("role_changed")),
        "{v}"
    );
    assert_eq!(me(&s, &bob).await.1["role"], "editor");

    // A withdrawn invitation cannot be accepted.
    invite(
        &s,
        &alice,
        json!({"email": "dave@delta.example", "role": "viewer"}),
    )
    .await;
    let (_, pending) = s
        .call(&alice, Method::GET, "/api/v1/members/invitations", None)
        .await;
    let dave_inv = pending[0]["id"].as_i64().unwrap();
    let (st, _) = s
        .call(
            &alice,
            Method::DELETE,
            &format!("/api/v1/members/invitations/{dave_inv}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);

    // The web UI: after logging in, the invitations page lists what waits.
    invite(
        &s,
        &alice,
        json!({"email": "erin@eps.example", "role": "viewer", "password": OTHER_PASSWORD}),
    )
    .await;
    let erin = s.login("erin@eps.example", OTHER_PASSWORD).await;
    let (st, html) = page(&s, &erin, "/").await;
    assert_eq!(
        st,
        StatusCode::SEE_OTHER,
        "no organisation yet: the dashboard sends to invitations"
    );
    let (st, html2) = page(&s, &erin, "/invitations").await;
    assert_eq!(st, StatusCode::OK, "{html}");
    assert!(
        html2.contains("<strong>Acme</strong> as <span class=\"role\">viewer</span>"),
        "{html2}"
    );
    let accept = html2
        .split_once("action=\"/invitations/")
        .unwrap()
        .1
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let (st, _, _) = post(&s, &erin, &format!("/invitations/{accept}"), &[], false).await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "the form's CSRF field is checked"
    );
    let (st, loc, _) = post(&s, &erin, &format!("/invitations/{accept}"), &[], true).await;
    assert_eq!((st, loc.as_str()), (StatusCode::SEE_OTHER, "/invitations"));
    let (st, html) = page(&s, &erin, "/").await;
    assert_eq!(st, StatusCode::OK, "{html}");
    s.shutdown().await;
}

/// Everything about an answer except the values that name the request itself.
fn shape(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(k, _)| !["id", "created_at", "email"].contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), shape(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

async fn member_answers_do_not_tell_which_addresses_exist(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let alice = s.bootstrap("Acme", "alice@acme.example").await;
    // An account that exists (made by an invitation of another organisation's admin: here
    // simply the same admin, then declined so it is no member).
    invite(
        &s,
        &alice,
        json!({"email": "known@x.example", "role": "viewer", "password": OTHER_PASSWORD}),
    )
    .await;
    let known = s.login("known@x.example", OTHER_PASSWORD).await;
    let (_, list) = s
        .call(&known, Method::GET, "/api/v1/invitations", None)
        .await;
    s.call(
        &known,
        Method::POST,
        &format!("/api/v1/invitations/{}/decline", list[0]["id"]),
        None,
    )
    .await;
    for body in [
        json!({"role": "viewer"}),
        json!({"role": "editor", "password": "tangerine walrus pilot 88"}),
        json!({"role": "admin", "password": "tangerine walrus pilot 88", "display_name": "Someone"}),
    ] {
        let mut answers = Vec::new();
        for email in ["known@x.example", "unknown@x.example"] {
            let mut b = body.clone();
            b["email"] = json!(email);
            let (st, v) = invite(&s, &alice, b).await;
            answers.push((st, shape(&v)));
        }
        assert_eq!(answers[0], answers[1], "{body}");
        assert_eq!(answers[0].0, StatusCode::ACCEPTED);
    }
    // A weak password is refused the same way for both (the rule never reads the account).
    for email in ["known@x.example", "nobody@x.example"] {
        let (st, v) = invite(
            &s,
            &alice,
            json!({"email": email, "role": "viewer", "password": "password1234"}),
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["field"], "password");
    }
    // The settings page answers the same too (a redirect back to the member list).
    let ui = s.login("alice@acme.example", PASSWORD).await;
    let mut answers = Vec::new();
    for email in ["known@x.example", "stranger@x.example"] {
        let (st, loc, _) = post(
            &s,
            &ui,
            "/settings/members",
            &[("email", email), ("role", "viewer")],
            true,
        )
        .await;
        answers.push((st, loc));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].0, StatusCode::SEE_OTHER);
    let (_, html) = page(&s, &ui, "/settings").await;
    assert!(
        html.contains("id=\"invitation-table\"") && html.contains("stranger@x.example"),
        "pending invitations are listed to the admin"
    );
    s.shutdown().await;
}

async fn one_spelling_for_login_lookup_and_throttle(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let alice = s.bootstrap("Acme", "Alice@Acme.example").await;
    // The account was stored in its normalised spelling and answers to any spelling of it.
    let (_, v) = me(&s, &alice).await;
    assert_eq!(v["actor"]["label"], "alice@acme.example", "{v}");
    for spelling in [
        "ALICE@ACME.EXAMPLE",
        " alice@acme.example ",
        "ａｌｉｃｅ@acme.example",
    ] {
        s.login(spelling, PASSWORD).await;
    }
    // An invitation to a variant spelling creates the same normalised account.
    let (st, v) = invite(
        &s,
        &alice,
        json!({"email": "ＢＯＢ@Beta.Example", "role": "viewer", "password": OTHER_PASSWORD}),
    )
    .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    assert_eq!(v["email"], "bob@beta.example");
    s.login("bob@beta.example", OTHER_PASSWORD).await;
    // Five failures under five spellings are five failures of one address.
    for spelling in [
        "alice@acme.example",
        "ALICE@acme.example",
        " Alice@Acme.Example\t",
        "ａｌｉｃｅ@acme.example",
        "ali\u{200B}ce@acme.example",
    ] {
        let r = s
            .http
            .post(s.url("/api/v1/session"))
            .json(&json!({"email": spelling, "password": "wrong password here"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{spelling:?}");
    }
    for spelling in [
        "alice@acme.example",
        "ALİCE@acme.example",
        "Alice@ACME.example",
    ] {
        let r = s
            .http
            .post(s.url("/api/v1/session"))
            .json(&json!({"email": spelling, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        if spelling == "ALİCE@acme.example" {
            // Another address (dotted capital I folds to i + combining dot): wrong, not throttled.
            assert_ne!(r.status(), StatusCode::OK);
            continue;
        }
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "{spelling:?}");
    }
    s.shutdown().await;
}

async fn guessable_and_personal_passwords_are_refused(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let alice = s.bootstrap("Acme", "alice@acme.example").await;
    for (password, name, rule) in [
        ("password1234", "", "too easy to guess"),
        ("Password123!", "", "too easy to guess"),
        ("qwertyuiop12", "", "too easy to guess"),
        ("iloveyou2024!", "", "too easy to guess"),
        ("zzzzzzzzzzzzzzzz", "", "too easy to guess"),
        ("jane.doe.jane.doe", "", "name part"),
        ("JANE.DOE#2291kq", "", "name part"),
        ("Grimsdottir-7741x", "Eva Grimsdottir", "display name"),
        ("short1!", "", "at least 12 characters"),
    ] {
        let (st, v) = invite(
            &s,
            &alice,
            json!({"email": "jane.doe@x.example", "role": "viewer", "password": password, "display_name": name}),
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{password}: {v}");
        let message = v["error"]["message"].as_str().unwrap();
        assert!(message.contains(rule), "{password}: {message}");
        assert!(message.starts_with("password: "), "{message}");
    }
    // Nothing was created: the address has no account to log in to.
    let r = s
        .http
        .post(s.url("/api/v1/session"))
        .json(&json!({"email": "jane.doe@x.example", "password": "password1234"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // The first administrator's password follows the same rule.
    let Some(s2) = start(engine).await else {
        return;
    };
    let token = s2
        .setup
        .as_ref()
        .unwrap()
        .split("token=")
        .nth(1)
        .unwrap()
        .to_string();
    let r = s2
        .http
        .post(s2.url("/setup"))
        .json(&json!({"token": token, "email": "root@acme.example", "password": "root@acme.example", "org_name": "Acme"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("name part"));
    s2.shutdown().await;
    s.shutdown().await;
}

/// `GET /login`: the double-submit cookie pair and the hidden field's value.
async fn login_form(s: &Server) -> (String, String) {
    let r = browser().get(s.url("/login")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("SameSite=Strict") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let cookie = cookie.split(';').next().unwrap().to_string();
    let html = r.text().await.unwrap();
    let token = html
        .split_once("name=\"csrf\" value=\"")
        .unwrap()
        .1
        .split('"')
        .next()
        .unwrap()
        .to_string();
    (cookie, token)
}

/// POSTs the login form with a raw (already encoded) body and an optional cookie.
async fn login_raw(s: &Server, cookie: Option<&str>, body: String) -> (StatusCode, String, String) {
    let mut b = browser()
        .post(s.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(c) = cookie {
        b = b.header("cookie", c);
    }
    let r = b.send().await.unwrap();
    let st = r.status();
    let loc = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (st, loc, r.text().await.unwrap())
}

fn login_body(csrf: &str, next: &str) -> String {
    format!(
        "email={}&password={}&csrf={}&next={next}",
        urlencode("alice@acme.example"),
        urlencode(PASSWORD),
        urlencode(csrf)
    )
}

async fn login_form_needs_its_csrf_token(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    s.bootstrap("Acme", "alice@acme.example").await;
    let (cookie, token) = login_form(&s).await;
    // No token, no cookie, a wrong token, or another form's token: refused, no session.
    for (c, t) in [
        (None, ""),
        (None, token.as_str()),
        (Some(cookie.as_str()), ""),
        (Some(cookie.as_str()), "forged"),
        (Some("cyres_login_csrf=forged"), token.as_str()),
    ] {
        let (st, _, html) = login_raw(&s, c, login_body(t, "%2F")).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{c:?} {t}");
        assert!(html.contains("log in again"), "{html}");
    }
    let (st, loc, _) = login_raw(&s, Some(&cookie), login_body(&token, "%2Fproducts")).await;
    assert_eq!((st, loc.as_str()), (StatusCode::SEE_OTHER, "/products"));
    s.shutdown().await;
}

async fn next_after_login_is_a_local_path_or_the_dashboard(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    s.bootstrap("Acme", "alice@acme.example").await;
    let (cookie, token) = login_form(&s).await;
    // Encoded as a form body: each decodes to something that must not leave the site or
    // reach a header.
    for next in [
        "%2F%2Fevil.example%2F",
        "https%3A%2F%2Fevil.example%2F",
        "%2F%5Cevil.example",
        "%5C%5Cevil.example",
        "%2F%0d%0aSet-Cookie%3A%20x%3D1",
        "%2Ffindings%0d%0aLocation%3A%20https%3A%2F%2Fevil.example",
        "%0d%0a%2Ffindings",
        "%20%2Ffindings",
        "%2F%09%2Fevil.example",
        "%2Ffindings%00",
        "javascript%3Aalert(1)",
        "%2F..%2F%2Fevil.example",
        "%2Fcaf%C3%A9",
        "",
    ] {
        let (st, loc, _) = login_raw(&s, Some(&cookie), login_body(&token, next)).await;
        assert_eq!(
            (st, loc.as_str()),
            (StatusCode::SEE_OTHER, "/"),
            "next={next}"
        );
    }
    let (st, loc, _) = login_raw(
        &s,
        Some(&cookie),
        login_body(&token, "%2Ffindings%3Fseverity%3Dhigh"),
    )
    .await;
    assert_eq!(
        (st, loc.as_str()),
        (StatusCode::SEE_OTHER, "/findings?severity=high")
    );
    // The login page itself never fails on a hostile next= and never echoes it.
    for q in [
        "%0d%0aX-Evil:%201",
        "%2F%2Fevil.example",
        "%22%3E%3Cscript%3E",
        "%ff%fe",
    ] {
        let r = browser()
            .get(s.url(&format!("/login?next={q}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{q}");
        let html = r.text().await.unwrap();
        assert!(html.contains("name=\"next\" value=\"/\""), "{q}");
    }
    // Neither does the redirect to the login form from a hostile path.
    let r = browser()
        .get(s.url("/findings%0d%0aSet-Cookie:%20x=1"))
        .send()
        .await
        .unwrap();
    assert!(!r.status().is_server_error());
    assert!(r.headers().get("x-evil").is_none() && r.headers().get("set-cookie").is_none());
    s.shutdown().await;
}

async fn query_tokens_only_open_the_atom_feed(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Acme", "alice@acme.example").await;
    let viewer = s.token(&admin, "viewer").await;
    let secret = viewer.token.clone().unwrap();
    let get = |path: String| {
        let http = browser();
        let url = s.url(&path);
        async move { http.get(url).send().await.unwrap() }
    };
    let r = get(format!("/api/v1/alerts.atom?token={secret}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("<feed"));
    for path in [
        "/api/v1/products",
        "/api/v1/session",
        "/api/v1/alerts",
        "/api/v1/members",
        "/api/v1/audit",
        "/api/v1/alerts.atom/../products",
    ] {
        let r = get(format!("{path}?token={secret}")).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
        let r = get(format!("{path}?x=1&token={secret}")).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    for path in ["/api/v1/alerts.atomx", "/api/v1/alerts.atom/x"] {
        let r = get(format!("{path}?token={secret}")).await;
        assert_ne!(r.status(), StatusCode::OK, "{path}");
    }
    let r = get(format!("/api/v1/products?token={secret}")).await;
    let v: Value = r.json().await.unwrap();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("only the Atom feed"),
        "{v}"
    );
    // UI pages do not take it either (they send to the login form).
    let r = get(format!("/settings?token={secret}")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Not on a state change of the feed's own path either.
    let r = browser()
        .post(s.url(&format!("/api/v1/alerts.atom?token={secret}")))
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), StatusCode::OK);
    // The header still works everywhere.
    assert_eq!(
        s.call(&viewer, Method::GET, "/api/v1/products", None)
            .await
            .0,
        StatusCode::OK
    );
    s.shutdown().await;
}

async fn organisation_names_are_unique_after_normalisation(engine: Engine) {
    let Some(s) = start(engine).await else { return };
    let admin = s.bootstrap("Acme GmbH", "alice@acme.example").await;
    for name in [
        "ACME GMBH",
        "acme gmbh",
        " Acme   GmbH ",
        "Ａｃｍｅ ＧｍｂＨ",
        "Acme\u{200B} GmbH",
        "Acme\u{00AD}GmbH",
    ] {
        let (st, v) = create_org(&s, &admin, name).await;
        if name == "Acme\u{00AD}GmbH" {
            // The soft hyphen goes, and without the space this is another name.
            assert_eq!(st, StatusCode::CREATED, "{name:?}: {v}");
            assert_eq!(v["slug"], "acmegmbh");
            continue;
        }
        assert_eq!(st, StatusCode::CONFLICT, "{name:?}: {v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("already exists")
        );
    }
    // A new name gets a slug from its normalised form; one that folds to a taken slug gets a
    // suffix; the settings page shows it.
    let (st, v) = create_org(&s, &admin, "Müller & Söhne").await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["slug"], "muller-sohne");
    let (st, v) = create_org(&s, &admin, "Muller Sohne").await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["slug"], "muller-sohne-2");
    let (_, me) = me(&s, &admin).await;
    assert_eq!(me["org"]["slug"], "acme-gmbh");
    let ui = s.login("alice@acme.example", PASSWORD).await;
    let (_, html) = page(&s, &ui, "/settings").await;
    assert!(
        html.contains("<code id=\"org-slug\">acme-gmbh</code>"),
        "{html}"
    );
    s.shutdown().await;
}
