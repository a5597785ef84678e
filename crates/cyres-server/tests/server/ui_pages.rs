//! The web UI over real HTTP on loopback (SQLite, manual clock; the end-to-end journey on
//! PostgreSQL too): HTML-level checks of login, CSRF, forms and roles; insta snapshots of the
//! dashboard, product and finding pages; and an end-to-end run in a real headless Chromium
//! driven through chromedriver (Debian packages `chromium` and `chromium-driver`), which also refreshes docs/screenshots/; a second
//! browser test walks the daily vulnerability-management pages of issue 17 (release page,
//! findings search, bulk triage, VEX export, gate, notification rules), and a third the demo's
//! public Annex II page and its authority world (a CSIRT's inbox and a received report).
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use crate::harness::*;
use cyres_server::{App, Config, ManualClock};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

const ADMIN: &str = "admin@northwind.example";

/// A browser-like session: the cookie, and the CSRF token of the session.
#[derive(Clone, Debug)]
struct Session {
    cookie: String,
    csrf: String,
}

fn form_encode(pairs: &[(&str, &str)]) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".into(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The value of the first hidden `csrf` field in a page.
fn csrf_of(html: &str) -> String {
    let key = "name=\"csrf\" value=\"";
    let i = html.find(key).expect("page has a csrf field") + key.len();
    html[i..].split('"').next().unwrap().to_string()
}

/// The page with the session's CSRF token and the product's public notice-feed slug replaced
/// by fixed words (both are random).
fn stable(html: &str, csrf: &str) -> String {
    let mut out = html.replace(csrf, "CSRF-TOKEN");
    if let Some((_, rest)) = out.split_once("/security-notices/") {
        let slug: String = rest.chars().take_while(|c| *c != '"').collect();
        if !slug.is_empty() {
            out = out.replace(&slug, "FEED-SLUG");
        }
    }
    out
}

/// A server on `engine` whose first administrator ([`ADMIN`]) runs Northwind Networks.
async fn northwind(engine: Engine) -> Option<Server> {
    let s = start(engine).await?;
    s.first_admin("Northwind Networks", ADMIN).await;
    Some(s)
}

impl Server {
    /// Posts the login form as a browser does: the form (and its CSRF cookie) first.
    async fn login_post(&self, pairs: &[(&str, &str)]) -> reqwest::Response {
        let r = self.nav.get(self.url("/login")).send().await.unwrap();
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(
            cookie.starts_with("cyres_login_csrf=")
                && cookie.contains("SameSite=Strict")
                && cookie.contains("HttpOnly"),
            "{cookie}"
        );
        let cookie = cookie.split(';').next().unwrap().to_string();
        let csrf = csrf_of(&r.text().await.unwrap());
        let mut pairs = pairs.to_vec();
        pairs.push(("csrf", &csrf));
        self.nav
            .post(self.url("/login"))
            .header("cookie", cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_encode(&pairs))
            .send()
            .await
            .unwrap()
    }

    /// Logs in through the HTML form, accepting any invitation waiting on the way.
    async fn sign_in(&self, email: &str, password: &str) -> Session {
        let r = self
            .login_post(&[("email", email), ("password", password), ("next", "/")])
            .await;
        assert_eq!(r.status(), 303, "login of {email}");
        let location = r.headers()["location"].to_str().unwrap().to_string();
        let set = r.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Lax"),
            "{set}"
        );
        let cookie = set.split(';').next().unwrap().to_string();
        if location != "/" {
            assert_eq!(location, "/invitations?next=%2F");
            loop {
                let page = self.get(&cookie, "/invitations").await.1;
                let Some((_, rest)) = page.split_once("action=\"/invitations/") else {
                    break;
                };
                let accept = format!("/invitations/{}", rest.split('"').next().unwrap());
                let who = Session {
                    cookie: cookie.clone(),
                    csrf: csrf_of(&page),
                };
                let (st, _, _) = self.post_form(&who, &accept, &[("csrf", &who.csrf)]).await;
                assert_eq!(st, 303, "{accept}");
            }
        }
        let page = self.get(&cookie, "/").await.1;
        Session {
            csrf: csrf_of(&page),
            cookie,
        }
    }

    async fn get(&self, cookie: &str, path: &str) -> (u16, String) {
        let r = self
            .nav
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    async fn post_form(
        &self,
        who: &Session,
        path: &str,
        pairs: &[(&str, &str)],
    ) -> (u16, String, String) {
        let r = self
            .nav
            .post(self.url(path))
            .header("cookie", &who.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_encode(pairs))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (status, location, r.text().await.unwrap())
    }

    /// Uploads a file through the product page's multipart form.
    async fn upload_form(
        &self,
        who: &Session,
        release: i64,
        name: &str,
        bytes: &[u8],
    ) -> (u16, String, String) {
        let boundary = "cyresTestBoundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n",
                who.csrf
            )
            .as_bytes(),
        );
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let r = self
            .nav
            .post(self.url(&format!("/releases/{release}/sbom")))
            .header("cookie", &who.cookie)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (status, location, r.text().await.unwrap())
    }

    /// JSON API call with the session (CSRF header).
    async fn api(
        &self,
        who: &Session,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut b = self
            .nav
            .request(method, self.url(path))
            .header("cookie", &who.cookie)
            .header("x-csrf-token", &who.csrf);
        if let Some(body) = body {
            b = b.json(&body);
        }
        let r = b.send().await.unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// Imports the example advisories and KEV excerpt through the API.
    async fn import_examples(&self, who: &Session) {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("examples/advisories"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files.push(root().join("examples/kev.json"));
        for f in files {
            let name = f.file_name().unwrap().to_str().unwrap().to_string();
            let r = self
                .nav
                .post(self.url(&format!("/api/v1/advisories/import?filename={name}")))
                .header("cookie", &who.cookie)
                .header("x-csrf-token", &who.csrf)
                .body(std::fs::read(&f).unwrap())
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{name}");
        }
    }
}

/// Product and release through the UI forms; returns (product id, release id).
async fn product_with_release(s: &Server, admin: &Session) -> (i64, i64) {
    let (st, loc, _) = s
        .post_form(
            admin,
            "/products",
            &[
                ("csrf", &admin.csrf),
                ("name", "AX3000 Wi-Fi 6 router"),
                (
                    "description",
                    "Home Wi-Fi 6 router with mesh and a cloud agent.",
                ),
                ("catalogue_entries", "annex3-class1-12"),
                ("member_states", "de, FR"),
                ("estimated_users", "120000"),
                ("support_end", "2031-12-31"),
            ],
        )
        .await;
    assert_eq!(st, 303);
    let pid: i64 = loc.strip_prefix("/products/").unwrap().parse().unwrap();
    let (st, loc, _) = s
        .post_form(
            admin,
            &format!("/products/{pid}/releases"),
            &[
                ("csrf", &admin.csrf),
                ("version", "2.4.1"),
                ("released_on", "2026-09-01"),
            ],
        )
        .await;
    assert_eq!(st, 303);
    let rid: i64 = loc.rsplit("#release-").next().unwrap().parse().unwrap();
    (pid, rid)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_csrf_forms_and_roles_over_http() {
    let s = northwind(Engine::Sqlite).await.unwrap();
    // Pages need a session.
    let r = s
        .nav
        .get(s.url("/findings?severity=high"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        "/login?next=%2Ffindings%3Fseverity%3Dhigh"
    );
    // A wrong password is refused next to the form, the e-mail kept, the password not echoed.
    let r = s
        .login_post(&[("email", ADMIN), ("password", "not the password")])
        .await;
    assert_eq!(r.status(), 401);
    let page = r.text().await.unwrap();
    assert!(page.contains("wrong e-mail or password"));
    assert!(page.contains(&format!("value=\"{ADMIN}\"")));
    assert!(!page.contains("not the password"));
    let admin = s.sign_in(ADMIN, PASSWORD).await;
    // CSRF: a form without the token, or with another, changes nothing.
    let (st, _, body) = s
        .post_form(&admin, "/products", &[("name", "Stolen")])
        .await;
    assert_eq!(st, 403, "{body}");
    let (st, _, _) = s
        .post_form(
            &admin,
            "/products",
            &[("csrf", "forged"), ("name", "Stolen")],
        )
        .await;
    assert_eq!(st, 403);
    let (st, _, _) = s.post_form(&admin, "/logout", &[]).await;
    assert_eq!(st, 403);
    assert!(!s.get(&admin.cookie, "/products").await.1.contains("Stolen"));
    // Form errors show next to their fields and keep what was typed.
    let (st, _, page) = s
        .post_form(
            &admin,
            "/products",
            &[
                ("csrf", &admin.csrf),
                ("name", "Hub"),
                ("member_states", "DE, XX"),
                ("support_end", "next year"),
                ("catalogue_entries", "annex3-class1-12"),
            ],
        )
        .await;
    assert_eq!(st, 422);
    assert!(
        page.contains("id=\"n-states-error\">&#34;XX&#34; is not an EU member state code")
            || page.contains("id=\"n-states-error\">&quot;XX&quot; is not an EU member state code"),
        "{page}"
    );
    assert!(page.contains("id=\"n-support-error\">a date like 2031-12-31"));
    assert!(page.contains("value=\"DE, XX\"") && page.contains("value=\"next year\""));
    assert!(page.contains("<option value=\"annex3-class1-12\" selected>"));
    let (pid, rid) = product_with_release(&s, &admin).await;
    // The same name again is a conflict shown at the name field.
    let (st, _, page) = s
        .post_form(
            &admin,
            "/products",
            &[("csrf", &admin.csrf), ("name", "AX3000 Wi-Fi 6 router")],
        )
        .await;
    assert_eq!(st, 422);
    assert!(page.contains("id=\"n-name-error\""), "{page}");
    // An unreadable SBOM is refused at the file field; nothing is stored.
    let (st, _, page) = s
        .upload_form(&admin, rid, "notes.txt", b"just some text")
        .await;
    assert_eq!(st, 422);
    assert!(
        page.contains(&format!(
            "id=\"sbom-{rid}-error\">this file could not be read as an SBOM"
        )),
        "{page}"
    );
    // A viewer sees lists but no form that changes anything.
    let (st, _, _) = s
        .post_form(
            &admin,
            "/settings/members",
            &[
                ("csrf", &admin.csrf),
                ("email", "viewer@northwind.example"),
                ("role", "viewer"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(st, 422);
    let (st, _, _) = s
        .post_form(
            &admin,
            "/settings/members",
            &[
                ("csrf", &admin.csrf),
                ("email", "viewer@northwind.example"),
                ("role", "viewer"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(st, 303);
    let viewer = s.sign_in("viewer@northwind.example", PASSWORD).await;
    for path in [
        "/".to_string(),
        "/products".into(),
        format!("/products/{pid}"),
        "/settings".into(),
        "/findings".into(),
    ] {
        let (st, page) = s.get(&viewer.cookie, &path).await;
        assert_eq!(st, 200, "{path}");
        let forms = page.matches("method=\"post\"").count();
        assert_eq!(forms, 1, "{path}: only the log-out form for a viewer");
        assert!(page.contains("action=\"/logout\""));
    }
    let (st, _, _) = s
        .post_form(
            &viewer,
            &format!("/products/{pid}/releases"),
            &[("csrf", &viewer.csrf), ("version", "9")],
        )
        .await;
    assert_eq!(st, 403, "handlers check the role too");
    // Webhooks: the signing secret is shown once; bad URLs are refused at the field.
    let (st, _, page) = s
        .post_form(
            &admin,
            "/settings/webhooks",
            &[("csrf", &admin.csrf), ("url", "ftp://x")],
        )
        .await;
    assert_eq!(st, 422);
    assert!(page.contains("id=\"w-url-error\">an http:// or https:// URL"));
    assert!(page.contains("value=\"ftp://x\""));
    let (st, _, page) = s
        .post_form(
            &admin,
            "/settings/webhooks",
            &[("csrf", &admin.csrf), ("url", "http://127.0.0.1:9/hook")],
        )
        .await;
    assert_eq!(st, 200);
    assert!(page.contains("id=\"new-secret\""), "{page}");
    let (_, page) = s.get(&admin.cookie, "/settings").await;
    assert!(!page.contains("id=\"new-secret\""), "shown once");
    let action = page
        .split("action=\"/settings/webhooks/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a delete form for the webhook")
        .to_string();
    let (st, _, _) = s
        .post_form(
            &admin,
            &format!("/settings/webhooks/{action}"),
            &[("csrf", &admin.csrf)],
        )
        .await;
    assert_eq!(st, 303);
    assert!(
        !s.get(&admin.cookie, "/settings")
            .await
            .1
            .contains("127.0.0.1:9/hook")
    );
    // Someone in two organisations gets the switcher and can act for the other one.
    let (st, org) = s
        .api(
            &admin,
            reqwest::Method::POST,
            "/api/v1/orgs",
            Some(json!({"name": "Little Owl Devices", "kind": "manufacturer"})),
        )
        .await;
    assert_eq!(st, 201, "{org}");
    let (_, page) = s.get(&admin.cookie, "/").await;
    assert!(page.contains("<label for=\"org-switch\">Organisation</label>"));
    assert!(page.contains(">Little Owl Devices (admin)</option>"));
    let other = org["id"].as_i64().unwrap().to_string();
    let (st, loc, _) = s
        .post_form(&admin, "/org", &[("csrf", &admin.csrf), ("org_id", &other)])
        .await;
    assert_eq!((st, loc.as_str()), (303, "/"));
    let (_, page) = s.get(&admin.cookie, "/products").await;
    assert!(page.contains(&format!(
        "<option value=\"{other}\" selected>Little Owl Devices"
    )));
    assert!(
        !page.contains("AX3000"),
        "the other organisation's products are not shown"
    );
    // Log out ends the session.
    let (st, loc, _) = s
        .post_form(&viewer, "/logout", &[("csrf", &viewer.csrf)])
        .await;
    assert_eq!((st, loc.as_str()), (303, "/login"));
    assert_eq!(s.get(&viewer.cookie, "/").await.0, 303);
    // The API's login throttling holds for the form too: five failures, then even the right
    // password waits.
    let attempt = |password: &'static str| {
        let s = &s;
        async move {
            let r = s
                .login_post(&[
                    ("email", "viewer@northwind.example"),
                    ("password", password),
                ])
                .await;
            let retry = r.headers().get("retry-after").is_some();
            (r.status().as_u16(), retry, r.text().await.unwrap())
        }
    };
    for _ in 0..5 {
        assert_eq!(attempt("wrong password!!").await.0, 401);
    }
    let (st, retry, page) = attempt(PASSWORD).await;
    assert_eq!((st, retry), (429, true));
    assert!(
        page.contains("too many failed logins; try again in 15 minutes"),
        "{page}"
    );
    s.clock.advance(16 * 60);
    s.sign_in("viewer@northwind.example", PASSWORD).await;
    s.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_of_dashboard_product_and_finding() {
    let s = northwind(Engine::Sqlite).await.unwrap();
    let admin = s.sign_in(ADMIN, PASSWORD).await;
    s.import_examples(&admin).await;
    let (pid, rid) = product_with_release(&s, &admin).await;
    s.clock.advance(3600);
    let sbom = std::fs::read(root().join("examples/sboms/router-fw-2.4.1.cdx.json")).unwrap();
    let (st, loc, _) = s
        .upload_form(&admin, rid, "router-fw-2.4.1.cdx.json", &sbom)
        .await;
    assert_eq!(st, 303);
    assert_eq!(
        loc,
        format!("/products/{pid}?uploaded=2.4.1&findings=4#findings")
    );
    s.clock.advance(2 * 3600);
    let (_, fs) = s
        .api(
            &admin,
            reqwest::Method::GET,
            "/api/v1/findings?exploited=true",
            None,
        )
        .await;
    let fid = fs[0]["id"].as_i64().unwrap();
    // Triage through the form: a missing justification is shown at its field, typed comment kept.
    let (st, _, page) = s
        .post_form(
            &admin,
            &format!("/findings/{fid}"),
            &[
                ("csrf", &admin.csrf),
                ("status", "not_affected"),
                ("comment", "HTTP/2 is off"),
            ],
        )
        .await;
    assert_eq!(st, 422);
    assert!(
        page.contains("id=\"t-justification-error\">justification: required for not_affected"),
        "{page}"
    );
    assert!(page.contains(">HTTP/2 is off</textarea>"));
    s.clock.advance(1800);
    let (st, loc, _) = s
        .post_form(
            &admin,
            &format!("/findings/{fid}"),
            &[
                ("csrf", &admin.csrf),
                ("status", "affected"),
                ("justification", ""),
                ("comment", "HTTP/2 is on in the cloud agent; fix in 2.4.2"),
            ],
        )
        .await;
    assert_eq!((st, loc), (303, format!("/findings/{fid}?triaged=1")));
    s.clock.advance(1800);
    let (st, dashboard) = s.get(&admin.cookie, "/").await;
    assert_eq!(st, 200);
    assert!(dashboard.contains("Early warning (24 h)") && dashboard.contains("EXPLOITED"));
    insta::assert_snapshot!("dashboard", stable(&dashboard, &admin.csrf));
    let (st, product) = s.get(&admin.cookie, &format!("/products/{pid}")).await;
    assert_eq!(st, 200);
    assert!(product.contains("Important, class I (Annex III)"));
    insta::assert_snapshot!("product", stable(&product, &admin.csrf));
    let (st, finding) = s.get(&admin.cookie, &format!("/findings/{fid}")).await;
    assert_eq!(st, 200);
    assert!(finding.contains("HTTP/2 is on in the cloud agent; fix in 2.4.2"));
    insta::assert_snapshot!("finding", stable(&finding, &admin.csrf));
    // The release page lists the components with their findings; the search finds them.
    let (st, release) = s.get(&admin.cookie, &format!("/releases/{rid}")).await;
    assert_eq!(st, 200);
    assert!(
        release.contains(&format!("href=\"/findings/{fid}\"")) && release.contains("transitive"),
        "{release}"
    );
    insta::assert_snapshot!("release", stable(&release, &admin.csrf));
    let (st, found) = s
        .get(
            &admin.cookie,
            "/components?q=pkg%3Agolang%2Fgolang.org%2Fx%2Fnet&version=vers%3Agolang%2F%3Cv0.17.0",
        )
        .await;
    assert_eq!(st, 200);
    assert!(found.contains("golang.org/x/net@v0.7.0"), "{found}");
    insta::assert_snapshot!("components", stable(&found, &admin.csrf));
    let (st, bad) = s
        .get(&admin.cookie, "/components?q=x&version=vers%3A")
        .await;
    assert_eq!(st, 200);
    assert!(bad.contains("role=\"alert\">version:"), "{bad}");
    // The findings list searches ids, aliases and components, exploited first.
    let (st, list) = s
        .get(&admin.cookie, "/findings?q=regex&sort=-first_seen")
        .await;
    assert_eq!(st, 200);
    assert!(
        list.contains("RUSTSEC-2022-0013") && !list.contains("GHSA-qppj-fm5r-hxr3"),
        "{list}"
    );
    let (_, list) = s.get(&admin.cookie, "/findings?q=CVE-2023-44487").await;
    assert!(list.contains("GHSA-qppj-fm5r-hxr3") && list.contains("EXPLOITED"));
    // Advisory search and page list the affected product and release.
    let (_, search) = s.get(&admin.cookie, "/advisories?q=CVE-2023-44487").await;
    assert!(
        search.contains("href=\"/advisories/GHSA-qppj-fm5r-hxr3\""),
        "{search}"
    );
    let (_, adv) = s.get(&admin.cookie, "/advisories/CVE-2023-44487").await;
    assert!(
        adv.contains(&format!(
            "<a href=\"/products/{pid}\">AX3000 Wi-Fi 6 router</a>: releases 2.4.1"
        )),
        "{adv}"
    );
    s.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// End to end in a real headless Chromium.

use fantoccini::{Client, ClientBuilder, Locator};

/// chromedriver on a free loopback port, stopped on drop.
struct Driver {
    child: std::process::Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for n in names {
            let p = dir.join(n);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

async fn start_driver() -> Driver {
    let (Some(driver), Some(_)) = (
        find_program(&["chromedriver"]),
        find_program(&["chromium", "chromium-browser", "google-chrome"]),
    ) else {
        panic!(
            "the browser test needs Chromium and chromedriver: `apt-get install -y chromium chromium-driver` \
             (scripts/test.sh installs them when absent)"
        );
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let d = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..300 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not listen on port {port} within 30 s");
}

async fn browser(driver: &Driver) -> Client {
    let binary = find_program(&["chromium", "chromium-browser", "google-chrome"]).unwrap();
    let caps = json!({
        "goog:chromeOptions": {
            "binary": binary.to_str().unwrap(),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--no-first-run", "--disable-extensions",
                     "--disable-background-networking", "--disable-sync", "--disable-component-update"]
        }
    });
    let serde_json::Value::Object(caps) = caps else {
        unreachable!()
    };
    ClientBuilder::rustls()
        .unwrap()
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("open a Chromium session")
}

/// Runs the steps; on failure saves a screenshot to target/ui-failures/ and fails the test.
struct Steps {
    client: Client,
    base: String,
    step: String,
    _lock: tokio::sync::MutexGuard<'static, ()>,
}

type Step<T> = Result<T, String>;

/// One browser at a time in this binary: two Chromium instances beside two servers on a
/// two-core CI machine made single steps take longer than any sensible wait.
static BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// How long a step waits for the page it expects (a form post, its redirect and the render).
const STEP_WAIT: Duration = Duration::from_secs(60);

/// Polls of 100 ms that fill [`STEP_WAIT`].
const POLLS: usize = 600;

/// A browser session on `s` (chromedriver and Chromium started), holding the browser lock.
async fn open_browser(s: &Server) -> (Driver, Steps) {
    let lock = BROWSER.lock().await;
    let driver = start_driver().await;
    let client = browser(&driver).await;
    let b = Steps {
        client,
        base: s.base.clone(),
        step: "start".into(),
        _lock: lock,
    };
    (driver, b)
}

/// Ends a browser run: on failure saves a screenshot under target/ui-failures (named `shot`,
/// or after the failed step) and panics naming the step; closes the browser either way.
async fn close_browser(b: Steps, driver: Driver, result: Step<()>, shot: Option<&str>) {
    if let Err(e) = &result {
        let name: String = match shot {
            Some(name) => name.to_string(),
            None => b
                .step
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect(),
        };
        let shot = root()
            .join("target/ui-failures")
            .join(format!("{name}.png"));
        let saved = b.screenshot_to(&shot).await;
        let page = b.page_summary().await;
        let _ = b.client.clone().close().await;
        panic!(
            "browser step {:?} failed: {e}\n{page}\nscreenshot: {} ({saved:?})",
            b.step,
            shot.display()
        );
    }
    let _ = b.client.close().await;
    drop(driver);
}

fn err<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> String + '_ {
    move |e| format!("{what}: {e}")
}

impl Steps {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn go(&mut self, step: &str, path: &str) -> Step<()> {
        self.step = step.to_string();
        self.client.goto(&self.url(path)).await.map_err(err(path))
    }

    async fn find(&self, css: &str) -> Step<fantoccini::elements::Element> {
        self.client
            .wait()
            .at_most(STEP_WAIT)
            .for_element(Locator::Css(css))
            .await
            .map_err(err(css))
    }

    async fn absent(&self, css: &str) -> Step<()> {
        let n = self
            .client
            .find_all(Locator::Css(css))
            .await
            .map_err(err(css))?
            .len();
        if n == 0 {
            Ok(())
        } else {
            Err(format!("{css} should not be on the page ({n} found)"))
        }
    }

    /// The text of an element; retried while the page is being replaced (stale elements).
    async fn text(&self, css: &str) -> Step<String> {
        let mut last = String::new();
        for _ in 0..POLLS {
            match self.find(css).await?.text().await {
                Ok(t) => return Ok(t),
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("{css}: {last}"))
    }

    /// Waits (up to [`STEP_WAIT`]) until an element's text contains `needle` (the page may still be
    /// the previous one right after a click).
    async fn wait_text(&self, css: &str, needle: &str) -> Step<String> {
        let mut got = String::new();
        for _ in 0..POLLS {
            got = self.text(css).await?;
            if got.contains(needle) {
                return Ok(got);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("{css}: {got:?} does not contain {needle:?}"))
    }

    async fn fill(&self, css: &str, value: &str) -> Step<()> {
        let e = self.find(css).await?;
        e.clear().await.map_err(err(css))?;
        e.send_keys(value).await.map_err(err(css))
    }

    async fn choose(&self, css: &str, value: &str) -> Step<()> {
        self.find(css)
            .await?
            .select_by_value(value)
            .await
            .map_err(err(css))
    }

    async fn click(&self, css: &str) -> Step<()> {
        self.find(css).await?.click().await.map_err(err(css))
    }

    async fn h1(&self) -> Step<String> {
        self.text("h1").await
    }

    /// Waits (up to [`STEP_WAIT`]) until the page heading contains `want`.
    async fn expect_h1(&self, want: &str) -> Step<()> {
        let mut got = String::new();
        for _ in 0..POLLS {
            got = self.h1().await?;
            if got.contains(want) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("heading {got:?}, expected {want:?}"))
    }

    /// Where the browser is and what the page says, for a failure message (no secrets: the
    /// test accounts' pages only).
    async fn page_summary(&self) -> String {
        let url = match self.client.current_url().await {
            Ok(u) => u.to_string(),
            Err(e) => format!("(no URL: {e})"),
        };
        let text = match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(e) => format!("(no body: {e})"),
        };
        let text: String = text.chars().take(1500).collect();
        format!("page: {url}\n--- page text ---\n{text}\n---")
    }

    async fn screenshot_to(&self, path: &std::path::Path) -> Step<()> {
        let png = self.client.screenshot().await.map_err(err("screenshot"))?;
        std::fs::create_dir_all(path.parent().unwrap()).map_err(err("mkdir"))?;
        std::fs::write(path, png).map_err(err("write screenshot"))
    }

    async fn login(&mut self, email: &str, password: &str) -> Step<()> {
        self.go(&format!("log in as {email}"), "/login").await?;
        self.fill("#email", email).await?;
        self.fill("#password", password).await?;
        self.click("#login").await?;
        self.expect_h1("Dashboard").await
    }

    async fn logout(&mut self) -> Step<()> {
        self.step = "log out".into();
        self.click("#logout").await?;
        self.expect_h1("Log in").await
    }
}

fn ensure(cond: bool, what: impl Into<String>) -> Step<()> {
    if cond { Ok(()) } else { Err(what.into()) }
}

async fn journey(b: &mut Steps, s: &Server) -> Step<()> {
    // Log in (a wrong password first: the message shows, the e-mail stays).
    b.go("wrong password", "/login").await?;
    b.fill("#email", ADMIN).await?;
    b.fill("#password", "not my password").await?;
    b.click("#login").await?;
    ensure(
        b.text("#login-error")
            .await?
            .contains("wrong e-mail or password"),
        "login error shown",
    )?;
    b.login(ADMIN, PASSWORD).await?;

    // A product and a release through the forms.
    b.go("create product", "/products").await?;
    b.fill("#n-name", "AX3000 Wi-Fi 6 router").await?;
    b.fill(
        "#n-description",
        "Home Wi-Fi 6 router with mesh and a cloud agent.",
    )
    .await?;
    b.choose("#n-entries", "annex3-class1-12").await?;
    b.fill("#n-states", "DE, FR, NL").await?;
    b.fill("#n-users", "120000").await?;
    b.click("#product-create").await?;
    b.expect_h1("AX3000 Wi-Fi 6 router").await?;
    ensure(
        b.text("#category").await?.contains("Important, class I"),
        "category shown",
    )?;
    b.step = "create release".into();
    b.fill("#r-version", "2.4.1").await?;
    b.click("#release-create").await?;
    b.find("form.sbom-upload").await?;

    // Upload an SBOM through the form and see its findings.
    b.step = "upload SBOM".into();
    let sbom = root()
        .join("examples/sboms/router-fw-2.4.1.cdx.json")
        .canonicalize()
        .unwrap();
    b.find("form.sbom-upload input[type=file]")
        .await?
        .send_keys(sbom.to_str().unwrap())
        .await
        .map_err(err("file input"))?;
    b.click("form.sbom-upload button").await?;
    ensure(
        b.text("#upload-notice").await?.contains("4 findings"),
        "upload notice",
    )?;
    let findings = b.text("#findings table").await?;
    ensure(
        findings.contains("GHSA-qppj-fm5r-hxr3") && findings.contains("EXPLOITED"),
        format!("findings table: {findings}"),
    )?;
    ensure(
        b.text(".diagnostics").await?.contains("component-without"),
        "SBOM diagnostics shown",
    )?;
    // The product page is long: a taller window shows classification, releases and findings.
    b.client
        .set_window_size(1280, 2000)
        .await
        .map_err(err("resize"))?;
    b.client
        .goto(&b.url("/products/1"))
        .await
        .map_err(err("product"))?;
    b.screenshot_to(&root().join("docs/screenshots/product.png"))
        .await?;
    b.client
        .set_window_size(1280, 1000)
        .await
        .map_err(err("resize"))?;

    // The dashboard shows the exploited finding and its Art. 14 countdown.
    b.go("dashboard", "/").await?;
    let deadlines = b.text("section[aria-labelledby=h-deadlines]").await?;
    ensure(
        deadlines.contains("Early warning (24 h)") && deadlines.contains("due in"),
        format!("deadlines: {deadlines}"),
    )?;
    b.find(".chart svg").await?;
    b.screenshot_to(&root().join("docs/screenshots/dashboard.png"))
        .await?;
    // The same page on a phone-sized window: nothing may need horizontal scrolling but tables.
    b.client
        .set_window_size(400, 900)
        .await
        .map_err(err("resize"))?;
    let overflow = b
        .client
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .map_err(err("scroll width"))?;
    b.screenshot_to(&root().join("target/ui-pages/dashboard-narrow.png"))
        .await?;
    ensure(
        overflow.as_i64().unwrap_or(1) <= 0,
        format!("the dashboard scrolls sideways on a narrow screen by {overflow} px"),
    )?;
    b.client
        .set_window_size(1280, 1000)
        .await
        .map_err(err("resize"))?;

    // Triage a finding: the missing justification is reported at its field, then saved.
    b.step = "triage".into();
    b.click("section[aria-labelledby=h-top] table a[href^='/findings/']")
        .await?;
    b.choose("#t-status", "not_affected").await?;
    b.fill("#t-comment", "HTTP/2 is switched off in this firmware")
        .await?;
    b.click("#triage-save").await?;
    ensure(
        b.text("#t-justification-error")
            .await?
            .contains("required for not_affected"),
        "justification error",
    )?;
    let kept = b
        .find("#t-comment")
        .await?
        .prop("value")
        .await
        .map_err(err("comment"))?
        .unwrap_or_default();
    ensure(
        kept == "HTTP/2 is switched off in this firmware",
        format!("comment kept: {kept:?}"),
    )?;
    b.choose("#t-justification", "vulnerable_code_not_in_execute_path")
        .await?;
    b.click("#triage-save").await?;
    b.find("#triage-notice").await?;
    ensure(
        b.text("#current-status").await?.contains("not affected"),
        "status changed",
    )?;
    let history = b.text("#history").await?;
    ensure(
        history.contains("HTTP/2 is switched off in this firmware") && history.contains(ADMIN),
        format!("history: {history}"),
    )?;
    // More pages for people reviewing the UI (under target/, not committed).
    b.screenshot_to(&root().join("target/ui-pages/finding.png"))
        .await?;

    // Trends: reached from the dashboard; the decision just taken counts as one triage.
    b.go("trends", "/").await?;
    b.click("#trends-link").await?;
    b.find("section[aria-labelledby=h-bands] svg").await?;
    let triaged = b.text("section[aria-labelledby=h-ttt] table").await?;
    let words = triaged.split_whitespace().collect::<Vec<_>>().join(" ");
    ensure(
        words.contains("all 1 0 0"),
        format!("time to triage table: {triaged}"),
    )?;
    b.screenshot_to(&root().join("docs/screenshots/trends.png"))
        .await?;

    // Create an API token (shown once), use it, revoke it.
    b.go("create token", "/settings").await?;
    b.fill("#t-name", "CI pipeline").await?;
    b.choose("#t-role", "viewer").await?;
    b.click("#token-create").await?;
    let secret = b.text("#new-secret").await?;
    ensure(secret.starts_with("cyres_"), format!("secret {secret:?}"))?;
    b.screenshot_to(&root().join("target/ui-pages/settings.png"))
        .await?;
    let api = |secret: String| {
        let http = s.nav.clone();
        let url = s.url("/api/v1/products");
        async move {
            http.get(url)
                .bearer_auth(secret)
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }
    };
    ensure(api(secret.clone()).await == 200, "the new token works")?;
    b.go("token shown once", "/settings").await?;
    ensure(
        !b.client
            .source()
            .await
            .map_err(err("source"))?
            .contains(&secret),
        "the secret is not shown again",
    )?;
    b.step = "revoke token".into();
    b.click("#token-table button.danger").await?;
    b.wait_text("#token-table", "revoked").await?;
    ensure(api(secret).await == 401, "the revoked token is refused")?;

    // A viewer sees no edit forms.
    b.step = "add viewer".into();
    b.fill("#m-email", "viewer@northwind.example").await?;
    b.choose("#m-role", "viewer").await?;
    b.fill("#m-password", PASSWORD).await?;
    b.click("#member-add").await?;
    b.wait_text("#invitation-table", "viewer@northwind.example")
        .await?;
    b.logout().await?;
    // The viewer joins by accepting the invitation shown after logging in.
    b.step = "viewer accepts the invitation".into();
    b.go("log in as the viewer", "/login").await?;
    b.fill("#email", "viewer@northwind.example").await?;
    b.fill("#password", PASSWORD).await?;
    b.click("#login").await?;
    b.expect_h1("Invitations").await?;
    b.click("#invitation-list button").await?;
    b.click("#continue").await?;
    b.expect_h1("Dashboard").await?;
    b.go("viewer: product", "/products/1").await?;
    b.absent("form.sbom-upload").await?;
    b.absent("#release-form").await?;
    b.go("viewer: products", "/products").await?;
    b.absent("#product-form").await?;
    b.go("viewer: finding", "/findings?exploited=true").await?;
    b.click("table.findings a[href^='/findings/']").await?;
    b.find("#history").await?;
    b.absent("#triage-form").await?;
    b.go("viewer: settings", "/settings").await?;
    b.absent("#member-form").await?;
    b.absent("#token-form").await?;
    b.absent("#webhook-form").await?;

    // Log out: pages send back to the login form.
    b.logout().await?;
    b.go("after logout", "/findings").await?;
    b.expect_h1("Log in").await
}

// The main journey runs on both engines (PostgreSQL when CYRES_TEST_PG_URL is set, as
// scripts/test.sh does); the other browser tests stay on SQLite to keep the browser time.
both!(browser_end_to_end);

async fn browser_end_to_end(engine: Engine) {
    let Some(s) = northwind(engine).await else {
        return;
    };
    let admin = s.sign_in(ADMIN, PASSWORD).await;
    s.import_examples(&admin).await;
    let (driver, mut b) = open_browser(&s).await;
    let result = journey(&mut b, &s).await;
    close_browser(b, driver, result, None).await;
    s.shutdown().await;
}

/// The Conformity section in a real browser (issue 16): the Annex I record edited in place
/// ("does not apply" without a justification refused, then saved), a document uploaded,
/// deletion refused before the retention date, a declaration issued and published at the
/// address the simplified declaration carries, an importer checked, an authority request
/// recorded; refreshes docs/screenshots/conformity.png.
async fn conformity_journey(b: &mut Steps, pid: i64) -> Step<()> {
    b.login(ADMIN, PASSWORD).await?;
    let page = format!("/products/{pid}/conformity");
    b.go("conformity page", &page).await?;
    b.expect_h1("Conformity of").await?;
    let before = b.text("#completeness").await?;

    b.step = "does not apply without a justification".into();
    b.choose("select[name=app-part1-2g]", "does-not-apply")
        .await?;
    b.fill("textarea[name=just-part1-2g]", "").await?;
    b.click("#save-record").await?;
    b.wait_text("#error", "justification").await?;
    b.step = "does not apply with the risk assessment's justification".into();
    b.choose("select[name=app-part1-2g]", "does-not-apply")
        .await?;
    b.fill(
        "textarea[name=just-part1-2g]",
        "The router processes no personal data beyond what routing needs (risk assessment T-7).",
    )
    .await?;
    b.click("#save-record").await?;
    b.wait_text("#notice", "record saved").await?;

    b.step = "upload a document".into();
    b.fill("#doc-id", "pentest-2028").await?;
    b.fill("#doc-title", "Penetration test 2.4.1").await?;
    b.choose("#doc-kind", "penetration-test").await?;
    let file = root()
        .join("examples/conformity/pentest-ax3000-2.4.1.txt")
        .canonicalize()
        .unwrap();
    b.find("#doc-file")
        .await?
        .send_keys(file.to_str().unwrap())
        .await
        .map_err(err("file input"))?;
    b.click("#upload-document").await?;
    b.wait_text("#notice", "Document uploaded").await?;
    let after = b.text("#completeness").await?;
    ensure(
        after != before,
        format!("completeness moved: {before} -> {after}"),
    )?;

    b.step = "deletion refused before the retention date".into();
    b.click("#documents form.inline button").await?;
    b.wait_text("#error", "kept until").await?;

    b.step = "issue and publish".into();
    b.click("#issue").await?;
    b.wait_text("#notice", "version 1 issued").await?;
    b.click("#publish-1").await?;
    let url = b.wait_text("#public-declaration", "/declaration").await?;
    b.wait_text("#simplified", "/declaration").await?;

    b.step = "an importer is checked".into();
    b.choose("#op-role", "importer").await?;
    b.choose("#op-ms", "DE").await?;
    b.fill("#op-name", "Nordimport GmbH").await?;
    b.fill("#op-address", "Hafenstr. 1, 20457 Hamburg").await?;
    b.fill("#op-contact", "compliance@nordimport.example")
        .await?;
    b.click("#add-operator").await?;
    b.wait_text("#notice", "operator added").await?;
    b.click("#operator-list form.inline button").await?;
    b.wait_text("#notice", "Check recorded").await?;
    b.wait_text("#operator-list", "refused").await?;

    b.step = "an authority request".into();
    b.fill("#rq-authority", "Bundesnetzagentur").await?;
    b.choose("#rq-ms", "DE").await?;
    b.fill("#rq-ref", "BNetzA-2026-117").await?;
    b.click("#add-request").await?;
    b.wait_text("#notice", "request recorded").await?;
    b.wait_text("#request-list", "BNetzA-2026-117").await?;
    b.click("#request-list form.inline button").await?;
    b.wait_text("#notice", "Hand-over recorded").await?;
    b.wait_text("#request-list", "sha256").await?;

    b.client
        .set_window_size(1280, 3400)
        .await
        .map_err(err("resize"))?;
    b.go("conformity screenshot", &page).await?;
    b.find("#completeness").await?;
    b.screenshot_to(&root().join("docs/screenshots/conformity.png"))
        .await?;

    b.step = "the public declaration".into();
    let public = url
        .split_whitespace()
        .find(|w| w.contains("/public/"))
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_string();
    let path = public
        .find("/public/")
        .map_or(String::new(), |i| public[i..].to_string());
    b.go("public declaration", &path).await?;
    b.wait_text("body", "Northwind Networks").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_conformity_section() {
    let s = northwind(Engine::Sqlite).await.unwrap();
    let admin = s.sign_in(ADMIN, PASSWORD).await;
    let (st, p) = s
        .api(
            &admin,
            reqwest::Method::POST,
            "/api/v1/products",
            Some(json!({
                "name": "AX3000 Wi-Fi 6 router",
                "catalogue_entries": ["annex3-class1-12", "annex3-class1-5"],
                "member_states": ["DE", "AT", "FR"],
                "support_end": "2035-03-31",
            })),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    let pid = p["id"].as_i64().unwrap();
    let text =
        std::fs::read_to_string(root().join("examples/profiles/wifi-router-conformity.toml"))
            .unwrap();
    let cp = cyres_conformity::ConformityProfile::parse(&text).unwrap();
    let mut facts = serde_json::to_value(&cp.conformity).unwrap();
    let o = facts.as_object_mut().unwrap();
    o.remove("documents");
    o.remove("sboms");
    o["manufacturer"]["name"] = json!("Northwind Networks");
    o["declaration"].as_object_mut().unwrap().remove("full_url");
    let (st, v) = s
        .api(
            &admin,
            reqwest::Method::PUT,
            &format!("/api/v1/products/{pid}/requirements"),
            Some(facts),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let (driver, mut b) = open_browser(&s).await;
    let result = conformity_journey(&mut b, pid).await;
    close_browser(b, driver, result, Some("conformity")).await;
    s.shutdown().await;
}

impl Server {
    /// Uploads an SBOM file to a release through the API (the session's cookie and CSRF).
    async fn upload_api(&self, who: &Session, release: i64, file: &str) {
        let r = self
            .nav
            .post(self.url(&format!(
                "/api/v1/releases/{release}/sbom?filename=router.cdx.json"
            )))
            .header("cookie", &who.cookie)
            .header("x-csrf-token", &who.csrf)
            .body(std::fs::read(root().join(file)).unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{file}");
    }
}

/// The daily work of issue 17 in a browser, with the README's pictures of the release page and
/// the findings search.
async fn daily_workflow(b: &mut Steps, s: &Server, admin: &Session) -> Step<()> {
    let (pid, r1) = product_with_release(s, admin).await;
    s.upload_api(admin, r1, "examples/sboms/router-fw-2.4.1.cdx.json")
        .await;
    let (st, r2) = s
        .api(
            admin,
            reqwest::Method::POST,
            &format!("/api/v1/products/{pid}/releases"),
            Some(json!({"version": "2.5.0", "released_on": "2026-10-01"})),
        )
        .await;
    ensure(st == 201, format!("second release: {r2}"))?;
    let r2 = r2["id"].as_i64().unwrap_or_default();
    // The organisation's policy: an exploited finding fails the gate.
    let (st, v) = s
        .api(
            admin,
            reqwest::Method::PUT,
            "/api/v1/policies/organisation",
            Some(json!({"version": 1, "rules": {"exploited": true}})),
        )
        .await;
    ensure(st == 204, format!("policy: {st} {v}"))?;
    b.login(ADMIN, PASSWORD).await?;

    // Findings search: one word finds the regex flaw by its component; bulk triage decides
    // every finding of the filter (all pages) in one step.
    b.go("findings search", "/findings").await?;
    b.fill("#f-q", "regex").await?;
    b.find("#f-q")
        .await?
        .send_keys("\u{E007}")
        .await
        .map_err(err("submit search"))?;
    b.wait_text("table.findings", "RUSTSEC-2022-0013").await?;
    b.step = "bulk triage".into();
    b.go(
        "bulk triage",
        &format!("/findings?product={pid}&exploited=false"),
    )
    .await?;
    b.click("#bulk-triage summary").await?;
    b.choose("#b-decision", "not_affected").await?;
    b.choose("#b-justification", "vulnerable_code_not_in_execute_path")
        .await?;
    b.fill(
        "#b-comment",
        "Reviewed: the regex is built from constants only.",
    )
    .await?;
    b.click("#bulk-save").await?;
    b.wait_text("#bulk-notice", "Decision recorded on").await?;
    // The release shipping the same component versions gets the decision, inherited.
    s.upload_api(admin, r2, "examples/sboms/router-fw-2.4.1.cdx.json")
        .await;
    b.go("findings search picture", "/findings?q=regex&status=")
        .await?;
    let table = b.wait_text("table.findings", "RUSTSEC-2022-0013").await?;
    ensure(
        table.matches("RUSTSEC-2022-0013").count() >= 2,
        format!("both releases found: {table}"),
    )?;
    b.go("findings search picture", "/findings?q=http&status=")
        .await?;
    b.find("table.findings").await?;
    b.screenshot_to(&root().join("docs/screenshots/findings-search.png"))
        .await?;

    // The release page: components with identifiers, licences, dependency relation, findings.
    b.client
        .set_window_size(1280, 1400)
        .await
        .map_err(err("resize"))?;
    b.go("release page", &format!("/releases/{r2}")).await?;
    let comps = b.text("#components").await?;
    ensure(
        comps.contains("regex") && comps.contains("pkg:cargo/regex@1.5.4"),
        format!("components: {comps}"),
    )?;
    b.screenshot_to(&root().join("docs/screenshots/release.png"))
        .await?;
    b.client
        .set_window_size(1280, 1000)
        .await
        .map_err(err("resize"))?;

    // VEX export from the product page: the link answers CycloneDX with the decision.
    b.go("VEX export link", &format!("/products/{pid}")).await?;
    let href = b
        .find(&format!("#vex-cdx-{r1}"))
        .await?
        .attr("href")
        .await
        .map_err(err("href"))?
        .unwrap_or_default();
    let (st, vex) = s.get(&admin.cookie, &href).await;
    ensure(
        st == 200 && vex.contains("vulnerable_code_not_in_execute_path"),
        format!("VEX export {href}: {st}"),
    )?;

    // The gate: an exploited finding fails it under the organisation's policy.
    b.go("gate", &format!("/products/{pid}/lifecycle")).await?;
    let gates = b.text("#gates").await?;
    ensure(gates.contains("fail"), format!("gates: {gates}"))?;

    // Notification rules: add, disable, edit.
    b.go("notification rules", "/settings/notifications")
        .await?;
    b.fill("#r-name", "exploited to the feed").await?;
    b.click("#rule-form input[name=events][value=exploited]")
        .await?;
    b.choose("#r-channel", "atom").await?;
    b.click("#rule-form button[type=submit]").await?;
    b.wait_text("#rules", "exploited to the feed").await?;
    b.click("#rules form[action$='/disable'] button").await?;
    b.wait_text("#rules", "disabled: delivers nothing").await?;
    b.click("#rules a[href^='/settings/notifications/']")
        .await?;
    b.find("#h-edit-rule").await?;
    b.fill("#r-name", "exploited, for the SOC").await?;
    b.click("#rule-form button[type=submit]").await?;
    b.wait_text("#rules", "exploited, for the SOC").await?;
    b.logout().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_daily_workflow() {
    let s = northwind(Engine::Sqlite).await.unwrap();
    let admin = s.sign_in(ADMIN, PASSWORD).await;
    s.import_examples(&admin).await;
    let (driver, mut b) = open_browser(&s).await;
    let result = daily_workflow(&mut b, &s, &admin).await;
    close_browser(b, driver, result, Some("daily-workflow")).await;
    s.shutdown().await;
}

impl Server {
    /// `cyres demo`'s world (makers, public pages, the authorities it reports to), served on
    /// loopback; answers the server and the logins `cyres demo` prints.
    async fn demo() -> (Server, cyres_server::DemoLogin, App) {
        let dir = std::env::temp_dir().join(format!("cyres-ui-test-{}", unique()));
        std::fs::create_dir_all(&dir).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut config = Config::new(dir.clone());
        config.worker_tick_ms = 50;
        config.sync_interval_secs = 0;
        config.public_url = format!("http://{addr}");
        // As `cyres demo` does: its own address is its only deliberate internal target.
        config.outbound_allow = vec!["127.0.0.1/32".into()];
        let clock = Arc::new(ManualClock::new(T0));
        let (app, _) = App::start(config, clock.clone()).await.unwrap();
        let login = cyres_server::seed_demo(&app).await.unwrap();
        let app = cyres_server::reporting_to_self(&app, &login.sender).unwrap();
        let s = serve_app(app.clone(), clock, listener, dir);
        (s, login, app)
    }
}

/// The demo's public face and its authority world in a real browser (issues 14 point 6, 18
/// point 4): a maker's published Annex II page without login, then Keystone Vault's early
/// warning in the French CSIRT's inbox and on its report page, and the makers' CSAF providers
/// it lists. Refreshes docs/screenshots/annex-ii.png, authority-inbox.png,
/// authority-report.png and csaf-providers.png.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_demo_public_face_and_authority() {
    let (s, login, app) = Server::demo().await;
    // The French CSIRT lists the five makers' CSAF providers, as `cyres demo` does: every
    // published document verifies (hash, gpg-compatible signature, mandatory tests).
    let listing = cyres_server::list_providers_to_self(&app, &login.public_pages)
        .await
        .unwrap();
    assert_eq!(listing.providers, 5, "{listing:?}");
    assert!(listing.accepted >= 10, "{listing:?}");
    assert_eq!(listing.refused, 0, "{listing:?}");
    // The maker reports (the API walk is tested in tests/reporting.rs; here it sets the scene).
    let maker = s
        .sign_in(cyres_server::DEMO_EMAIL, cyres_server::DEMO_PASSWORD)
        .await;
    let (_, orgs) = s
        .api(&maker, reqwest::Method::GET, "/api/v1/orgs", None)
        .await;
    let kv = orgs
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["org"]["name"] == "Keystone Vault")
        .unwrap_or_else(|| panic!("{orgs}"))["org"]["id"]
        .clone();
    let (st, _) = s
        .api(
            &maker,
            reqwest::Method::POST,
            "/api/v1/session/org",
            Some(json!({ "org_id": kv })),
        )
        .await;
    assert_eq!(st, 204);
    let (_, cases) = s
        .api(&maker, reqwest::Method::GET, "/api/v1/cases", None)
        .await;
    let cid = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["case"]["advisory_id"] == "GHSA-qppj-fm5r-hxr3")
        .unwrap_or_else(|| panic!("{cases}"))["case"]["id"]
        .as_i64()
        .unwrap();
    let (st, v) = s
        .api(
            &maker,
            reqwest::Method::POST,
            &format!("/api/v1/cases/{cid}/confirm"),
            Some(json!({"aware_at": "2026-09-21T12:00:00Z", "evidence": [{"source": "kev", "reference": "CISA KEV"}]})),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let (st, v) = s
        .api(
            &maker,
            reqwest::Method::POST,
            &format!("/api/v1/cases/{cid}/reports"),
            Some(json!({"stage": "early-warning"})),
        )
        .await;
    assert_eq!(st, 201, "{v}");

    let page = login
        .public_pages
        .iter()
        .find(|p| p.org == "Keystone Vault")
        .expect("Keystone Vault publishes its Annex II page")
        .product_page
        .clone();
    let (driver, mut b) = open_browser(&s).await;
    let result = async {
        b.go("the public Annex II page", &page).await?;
        let body = b.text("main").await?;
        for item in [
            "Keystone Vault",
            "support",
            "update",
            "Security advisories (CSAF)",
        ] {
            ensure(
                body.to_lowercase().contains(&item.to_lowercase()),
                format!("the Annex II page names {item}: {body}"),
            )?;
        }
        b.screenshot_to(&root().join("docs/screenshots/annex-ii.png"))
            .await?;

        b.login("csirt-fr@cyres.example", cyres_server::DEMO_PASSWORD)
            .await?;
        b.go("the CSIRT's inbox", "/cases").await?;
        b.wait_text("#inbox", "Keystone Vault").await?;
        b.screenshot_to(&root().join("docs/screenshots/authority-inbox.png"))
            .await?;
        b.step = "open the received report".into();
        b.click("#inbox tbody a").await?;
        let h1 = b.h1().await?;
        ensure(h1.contains("AUTH-"), format!("report page heading: {h1}"))?;
        b.wait_text("main", "Keystone Vault").await?;
        b.screenshot_to(&root().join("docs/screenshots/authority-report.png"))
            .await?;
        b.go("the CSIRT's CSAF providers", "/csaf-providers")
            .await?;
        b.wait_text("#providers", "Keystone Vault").await?;
        let hint = b.text("main").await?;
        ensure(
            !hint.contains("so far"),
            format!("five makers are five disjoint issuing parties (requirement 22): {hint}"),
        )?;
        b.screenshot_to(&root().join("docs/screenshots/csaf-providers.png"))
            .await
    }
    .await;
    close_browser(b, driver, result, Some("demo-authority")).await;
    s.shutdown().await;
}
