//! The manufacturer's public face (issue 18, points 4 and 5) over real HTTP on loopback, on
//! SQLite and PostgreSQL: `/.well-known/security.txt` (RFC 9116) with its fields, an
//! `Expires` that follows the injected clock, and the host → organisation map; the CVD policy
//! page without login; a product's Annex II page with every item (1)-(9) given or named
//! missing to the manufacturer's editors only, a preview before publishing, versions, and the
//! refusals (viewers, bad values, unknown fields).
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both!(
    security_txt_and_the_policy_page,
    annex_ii_page_from_draft_to_published
);

const PUBLIC_URL: &str = "https://cyres.example";

/// GET without login; status, content type and body.
async fn get_public(m: &Server, path: &str, host: Option<&str>) -> (StatusCode, String, String) {
    let mut b = browser().get(m.url(path));
    if let Some(h) = host {
        b = b.header("host", h);
    }
    let r = b.send().await.unwrap();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (r.status(), ct, r.text().await.unwrap())
}

/// The values of field `name` in a security.txt body, in order.
fn fields<'a>(body: &'a str, name: &str) -> Vec<&'a str> {
    body.lines()
        .filter_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
        .collect()
}

async fn security_txt_and_the_policy_page(engine: Engine) {
    let Some(m) = start_with(engine, |c| {
        c.public_url = PUBLIC_URL.into();
        c.security_txt_days = 30;
        c.public_hosts.insert("Beta.Example".into(), 2);
    })
    .await
    else {
        return;
    };
    let acme = m.bootstrap("Acme Routers GmbH", "psirt@acme.example").await;
    let (st, beta) = m
        .provision(
            "psirt@acme.example",
            json!({"name": "Beta Cameras SA", "kind": "manufacturer"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(beta["id"], 2, "the host map in this test names id 2");
    let (st, me) = m
        .call(&acme, Method::GET, "/api/v1/public-face", None)
        .await;
    assert_eq!(st, StatusCode::OK, "{me}");
    let policy_url = me["urls"]["cvd_policy"].as_str().unwrap().to_string();
    assert!(
        policy_url.starts_with(&format!("{PUBLIC_URL}/public/")),
        "{policy_url}"
    );

    // Before any setting: the intake form is the contact, English the language.
    let (st, ct, body) = get_public(&m, "/.well-known/security.txt", None).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(ct, "text/plain; charset=utf-8");
    assert_eq!(
        fields(&body, "Contact"),
        vec![format!("{PUBLIC_URL}/report?organisation=1").as_str()]
    );
    assert_eq!(fields(&body, "Preferred-Languages"), vec!["en"]);
    assert!(fields(&body, "Encryption").is_empty(), "{body}");

    let settings = json!({
        "contact_email": "security@acme.example",
        "contact_url": "https://acme.example/security",
        "encryption_url": "https://acme.example/pgp.asc",
        "preferred_languages": "en, de",
        "policy_scope": "All Acme routers and their firmware.",
    });
    let (st, v) = m
        .call(
            &acme,
            Method::PUT,
            "/api/v1/public-face",
            Some(settings.clone()),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["settings"]["contact_email"], "security@acme.example");

    let (_, _, body) = get_public(&m, "/.well-known/security.txt", None).await;
    assert_eq!(
        fields(&body, "Contact"),
        vec![
            "mailto:security@acme.example",
            "https://acme.example/security",
            &format!("{PUBLIC_URL}/report?organisation=1"),
        ]
    );
    // RFC 9116 §2.5.5: now (the injected clock) plus the configured 30 days, in RFC 3339.
    let expires = |body: &str| {
        let e = fields(body, "Expires");
        assert_eq!(e.len(), 1, "{body}");
        time::OffsetDateTime::parse(e[0], &time::format_description::well_known::Rfc3339)
            .unwrap()
            .unix_timestamp()
    };
    assert_eq!(expires(&body), T0 + 30 * 86_400);
    assert_eq!(
        fields(&body, "Encryption"),
        vec!["https://acme.example/pgp.asc"]
    );
    assert_eq!(fields(&body, "Preferred-Languages"), vec!["en, de"]);
    assert_eq!(
        fields(&body, "Canonical"),
        vec![format!("{PUBLIC_URL}/.well-known/security.txt").as_str()]
    );
    assert_eq!(fields(&body, "Policy"), vec![policy_url.as_str()]);
    // The organisation's provider (CSAF 2.0 §7.1.8): unmapped, under its own path.
    let csaf = fields(&body, "CSAF");
    assert_eq!(csaf.len(), 1, "{body}");
    assert!(
        csaf[0].starts_with(&format!("{PUBLIC_URL}/public/"))
            && csaf[0].ends_with("/csaf/provider-metadata.json"),
        "{body}"
    );

    // The mapped host answers for Beta, whatever its case and port; links use that host.
    for host in ["beta.example", "BETA.example:8443"] {
        let (st, _, body) = get_public(&m, "/.well-known/security.txt", Some(host)).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(
            fields(&body, "Contact"),
            vec!["https://beta.example/report?organisation=2"],
            "{host}: {body}"
        );
        assert_eq!(
            fields(&body, "Canonical"),
            vec!["https://beta.example/.well-known/security.txt"]
        );
        assert!(!body.contains("acme"), "{body}");
    }
    // An unmapped host gets the default organisation and never shapes a link.
    let (_, _, body) = get_public(&m, "/.well-known/security.txt", Some("evil.example")).await;
    assert!(body.contains("mailto:security@acme.example") && !body.contains("evil"));

    // Refusals: RFC 9116 wants https contacts; tags, not prose; no unknown fields; admins only.
    for (bad, field) in [
        (
            json!({"contact_url": "http://acme.example/security"}),
            "contact_url",
        ),
        (
            json!({"preferred_languages": "English; German"}),
            "preferred_languages",
        ),
        (json!({"contact_email": "not a mailbox"}), "contact_email"),
        (
            json!({"contact_email": "a@b.example", "colour": "red"}),
            "colour",
        ),
        (
            json!({"encryption_url": "https://x.example/k\nContact: x"}),
            "encryption_url",
        ),
    ] {
        let (st, v) = m
            .call(&acme, Method::PUT, "/api/v1/public-face", Some(bad.clone()))
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
        assert_eq!(v["error"]["field"], field, "{v}");
    }
    let editor = m.add_member(&acme, "dev@acme.example", "editor").await;
    let (st, _) = m
        .call(&editor, Method::PUT, "/api/v1/public-face", Some(settings))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _, _) = post(
        &m,
        &editor,
        "/settings/public-face",
        &[("contact_email", "x@y.example")],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, html) = page(&m, &editor, "/settings/public-face").await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("security@acme.example") && !html.contains("id=\"save\""));

    // The admin's form saves and re-renders a bad value next to its field.
    let (st, _, html) = post(
        &m,
        &acme,
        "/settings/public-face",
        &[("contact_url", "ftp://x")],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("f-contact_url-error") && html.contains("ftp://x"),
        "{html}"
    );

    // The policy page: public, the organisation's text where written, the template elsewhere,
    // and the intake form linked.
    let path = policy_url.strip_prefix(PUBLIC_URL).unwrap();
    let (st, _, html) = get_public(&m, path, None).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("All Acme routers and their firmware."));
    assert!(html.contains("Safe harbour") && html.contains("good faith"));
    assert!(html.contains("/report?organisation=1") && html.contains("security@acme.example"));
    let (st, _, _) = get_public(&m, "/public/no-such-org/cvd-policy", None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // A year later (sessions have expired by then; the public file does not) the file still expires in the future.
    m.clock.advance(365 * 86_400);
    let (_, _, body) = get_public(&m, "/.well-known/security.txt", None).await;
    assert_eq!(expires(&body), T0 + 395 * 86_400);
    m.shutdown().await;
}

/// The `field`s of every missing entry in an editor's Annex II answer.
fn missing(v: &Value) -> Vec<String> {
    v["missing"]
        .as_array()
        .unwrap_or_else(|| panic!("missing in {v}"))
        .iter()
        .map(|m| m["field"].as_str().unwrap().to_string())
        .collect()
}

async fn annex_ii_page_from_draft_to_published(engine: Engine) {
    let Some(m) = start_with(engine, |c| c.public_url = PUBLIC_URL.into()).await else {
        return;
    };
    let acme = m.bootstrap("Acme Routers GmbH", "psirt@acme.example").await;
    let viewer = m.add_member(&acme, "auditor@acme.example", "viewer").await;
    let (st, p) = m
        .call(
            &acme,
            Method::POST,
            "/api/v1/products",
            Some(json!({"name": "AX3000 router", "support_end": "2031-12-31"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let pid = p["id"].as_i64().unwrap();
    let api = format!("/api/v1/products/{pid}/annex-ii");

    // Nothing given yet: each required item is named to the editor; optional ones are not.
    let (st, v) = m.call(&acme, Method::GET, &api, None).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let gaps = missing(&v);
    for f in [
        "postal_address",
        "contact",
        "cvd_policy",
        "product_type",
        "identification",
        "intended_purpose",
        "security_environment",
        "essential_functions",
        "security_properties",
        "foreseeable_risks",
        "doc_url",
        "support_type",
        "instructions_secure_use",
        "instructions_changes",
        "instructions_updates",
        "instructions_decommissioning",
        "instructions_auto_updates_off",
    ] {
        assert!(gaps.contains(&f.to_string()), "{f} not named in {gaps:?}");
    }
    for f in [
        "website",
        "sbom_url",
        "instructions_integration",
        "support_end",
        "name",
        "report",
    ] {
        assert!(
            !gaps.contains(&f.to_string()),
            "{f} named missing: {gaps:?}"
        );
    }
    let public_json = v["json_url"]
        .as_str()
        .unwrap()
        .strip_prefix(PUBLIC_URL)
        .unwrap()
        .to_string();
    let public_page = v["public_url"]
        .as_str()
        .unwrap()
        .strip_prefix(PUBLIC_URL)
        .unwrap()
        .to_string();
    // The product's own data is in the preview from the start: name and support end (Annex II
    // (7): month and year).
    let preview = v["preview"].to_string();
    assert!(
        preview.contains("AX3000 router") && preview.contains("December 2031"),
        "{preview}"
    );

    // A viewer reads the preview but is told nothing missing and cannot edit or publish.
    let (st, vv) = m.call(&viewer, Method::GET, &api, None).await;
    assert_eq!(st, StatusCode::OK);
    assert!(vv.get("missing").is_none(), "{vv}");
    let (st, _) = m
        .call(
            &viewer,
            Method::PUT,
            &api,
            Some(json!({"product_type": "router"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = m
        .call(&viewer, Method::POST, &format!("{api}/publish"), None)
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let ui = format!("/products/{pid}/annex-ii");
    let (st, _, _) = post(&m, &viewer, &ui, &[("product_type", "router")], true).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, html) = page(&m, &viewer, &ui).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        !html.contains("missing-items") && !html.contains("id=\"publish\""),
        "{html}"
    );

    // Nothing is public before publishing, and publishing needs a saved draft.
    assert_eq!(
        get_public(&m, &public_page, None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get_public(&m, &public_json, None).await.0,
        StatusCode::NOT_FOUND
    );
    let (st, v) = m
        .call(&acme, Method::POST, &format!("{api}/publish"), None)
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");

    // The editor's form saves a draft; the editor page names what is still missing.
    let (st, loc, _) = post(
        &m,
        &acme,
        &ui,
        &[
            ("product_type", "Wi-Fi 6 home router"),
            ("identification", "AX3000, article 4711"),
            ("intended_purpose", "Home and small-office internet access."),
        ],
        true,
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(loc, format!("{ui}?saved=1"));
    let (_, html) = page(&m, &acme, &ui).await;
    assert!(html.contains("id=\"missing-items\""), "{html}");
    assert!(html.contains("How to turn off automatic installation of security updates"));
    assert!(
        html.contains("Wi-Fi 6 home router"),
        "the preview shows the draft"
    );
    let (st, _, html) = post(&m, &acme, &ui, &[("doc_url", "javascript:alert(1)")], true).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("f-doc_url-error"), "{html}");
    // Saving is not publishing.
    assert_eq!(
        get_public(&m, &public_json, None).await.0,
        StatusCode::NOT_FOUND
    );

    // Publish the incomplete page: the public sees what is given and no word of what is not.
    let (st, v) = m
        .call(&acme, Method::POST, &format!("{api}/publish"), None)
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["version"], 1);
    let (st, ct, body) = get_public(&m, &public_json, None).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(ct.starts_with("application/json"));
    assert!(!body.to_lowercase().contains("missing"), "{body}");
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["version"], 1);
    let items: Vec<&str> = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["item"].as_str().unwrap())
        .collect();
    assert_eq!(items, ["1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    assert!(body.contains("Wi-Fi 6 home router") && body.contains("/report?organisation=1"));
    let (st, _, html) = get_public(&m, &public_page, None).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("Wi-Fi 6 home router") && html.contains("(9) Software bill of materials")
    );
    assert!(
        !html.to_lowercase().contains("missing") && !html.contains("still needs"),
        "{html}"
    );

    // Fill every required item (the organisation's part through its settings): nothing
    // missing; the public page keeps version 1 until the next publication.
    let (st, v) = m
        .call(
            &acme,
            Method::PUT,
            "/api/v1/public-face",
            Some(json!({
                "contact_email": "security@acme.example",
                "postal_address": "Hauptstrasse 1, 10115 Berlin, Germany",
                "policy_scope": "All Acme routers.",
                "policy_how_to_report": "Use the form.",
                "policy_expectations": "An answer within 5 working days.",
                "policy_safe_harbour": "No legal action against good-faith research.",
            })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let full = json!({
        "product_type": "Wi-Fi 6 home router",
        "identification": "AX3000, article 4711",
        "intended_purpose": "Home and small-office internet access.",
        "security_environment": "Behind the ISP's line, managed by its owner.",
        "essential_functions": "Routing, Wi-Fi, firewall.",
        "security_properties": "Signed firmware, WPA3, no remote admin by default.",
        "foreseeable_risks": "Exposing the admin interface to the internet.",
        "doc_url": "https://acme.example/doc/ax3000.pdf",
        "support_type": "Security updates over the air.",
        "instructions_secure_use": "Change the admin password at first start.",
        "instructions_changes": "Custom firmware voids the security properties.",
        "instructions_updates": "Updates install automatically at night.",
        "instructions_decommissioning": "Factory reset erases all settings.",
        "instructions_auto_updates_off": "Settings > Updates > Automatic: off.",
        "sbom_url": "https://acme.example/sbom/ax3000.cdx.json",
    });
    let (st, v) = m.call(&acme, Method::PUT, &api, Some(full)).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(missing(&v).is_empty(), "{v}");
    let (st, v) = m
        .call(&acme, Method::PUT, &api, Some(json!({"product_typ": "x"})))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (_, html) = page(&m, &acme, &ui).await;
    assert!(html.contains("id=\"nothing-missing\"") && html.contains("id=\"draft-differs\""));
    let (_, _, body) = get_public(&m, &public_json, None).await;
    assert!(
        !body.contains("Factory reset"),
        "unpublished draft leaked: {body}"
    );
    let (st, _, _) = post(&m, &acme, &format!("{ui}/publish"), &[], true).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, _, body) = get_public(&m, &public_json, None).await;
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["version"], 2);
    assert!(body.contains("Factory reset") && body.contains("ax3000.cdx.json"));
    // The policy page lists the published product.
    let slug = public_page.split('/').nth(2).unwrap();
    let (_, _, html) = get_public(&m, &format!("/public/{slug}/cvd-policy"), None).await;
    assert!(html.contains("AX3000 router") && html.contains(&public_page));
    m.shutdown().await;
}
