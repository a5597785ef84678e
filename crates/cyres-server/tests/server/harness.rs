//! Shared test harness: start a real server on loopback with a fresh SQLite or PostgreSQL
//! database and a manual clock, bootstrap the first administrator, and call the API.
#![allow(dead_code)]

use cyres_server::{App, Config, ManualClock};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub(crate) const T0: i64 = 1_790_000_000;
pub(crate) const PASSWORD: &str = "correct horse battery staple";

pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub(crate) use cyres_store::both;
pub(crate) use cyres_store::testing::{Engine, TempDir, database_url, unique};

pub(crate) struct Server {
    pub base: String,
    pub clock: Arc<ManualClock>,
    pub stop: tokio::sync::watch::Sender<bool>,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
    pub http: reqwest::Client,
    /// A client that does not follow redirects, as the web UI tests read them.
    pub nav: reqwest::Client,
    pub _dir: TempDir,
    pub setup: Option<String>,
    /// The database, for what only the operator does (`cyres admin`), never for assertions a
    /// request could make.
    pub store: cyres_store::Store,
}

/// A test server's configuration: a fresh database, a fresh data directory (the caller
/// removes it), a fast worker, no scheduled syncs, the tests' outbound policy.
pub(crate) async fn test_config(engine: Engine) -> Option<Config> {
    let url = database_url(engine).await?;
    let dir = std::env::temp_dir().join(format!("cyres-server-test-{}", unique()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut config = Config::new(dir);
    config.database_url = url;
    config.worker_tick_ms = 50;
    config.sync_interval_secs = 0;
    config.csaf_pull_interval_secs = 0;
    test_outbound(&mut config);
    Some(config)
}

pub(crate) async fn start_with(engine: Engine, tweak: impl FnOnce(&mut Config)) -> Option<Server> {
    let mut config = test_config(engine).await?;
    let dir = config.data_dir.clone();
    tweak(&mut config);
    let clock = Arc::new(ManualClock::new(T0));
    let (app, link) = App::start(config, clock.clone()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut server = serve_app(app, clock, listener, dir);
    server.setup = link.map(|l| l.0);
    Some(server)
}

/// Serves an app the test started itself (on `listener`, with data in `dir`).
pub(crate) fn serve_app(
    app: App,
    clock: Arc<ManualClock>,
    listener: tokio::net::TcpListener,
    dir: PathBuf,
) -> Server {
    let store = app.store.clone();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(cyres_server::serve(app, listener, rx));
    Server {
        base: format!("http://{addr}"),
        clock,
        stop: tx,
        task,
        http: reqwest::Client::new(),
        nav: browser(),
        _dir: TempDir(dir),
        setup: None,
        store,
    }
}

/// The outbound policy every test server starts with: the tests' own receivers on 127.0.0.1
/// are a deliberate internal target (the operator's allowlist), and names resolve through a
/// fixed table so that no test asks a real DNS server or connects anywhere but loopback.
pub(crate) fn test_outbound(config: &mut Config) {
    use cyres_feeds::outbound::StaticLookup;
    use std::net::IpAddr;
    config.outbound_allow = vec!["127.0.0.1/32".into()];
    let at = |ip: &str| [ip.parse::<IpAddr>().unwrap()];
    config.outbound_lookup = Some(Arc::new(
        StaticLookup::default()
            .with("public.test", &at("93.184.216.34"))
            .with("internal.test", &at("10.0.0.5"))
            .with("metadata.test", &at("169.254.169.254"))
            .with("ula.test", &at("fd00::1"))
            .with("loopback.test", &at("127.0.0.1")),
    ));
}

/// A logged-in browser-like session (cookie + CSRF) or a token.
#[derive(Clone)]
pub(crate) struct Who {
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub token: Option<String>,
}

impl Server {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(20), self.task).await;
    }

    /// What `cyres admin org create --admin-email EMAIL` does: provisions an organisation (any
    /// kind, CSIRTs and ENISA included) as the operator and makes EMAIL's account its admin.
    /// Answers like `POST /api/v1/orgs` did, so tests read the same.
    pub(crate) async fn provision(&self, admin_email: &str, body: Value) -> (StatusCode, Value) {
        let new: cyres_store::NewOrg = serde_json::from_value(body).unwrap();
        let op = cyres_store::Actor {
            id: "operator".into(),
            label: "test operator".into(),
        };
        let now = cyres_server::Clock::now(&*self.clock);
        let org = self.store.provision_org(&new, &op, now).await.unwrap();
        let account = self
            .store
            .account_by_email(admin_email)
            .await
            .unwrap()
            .expect("the admin account exists");
        self.store
            .set_membership(account.id, org.id, cyres_store::Role::Admin, &op, now)
            .await
            .unwrap();
        (StatusCode::CREATED, serde_json::to_value(org).unwrap())
    }

    /// Creates the first admin (EMAIL with [`PASSWORD`], running ORG) through the setup link.
    pub(crate) async fn first_admin(&self, org: &str, email: &str) {
        self.first_admin_in(org, email, None).await;
    }

    /// Creates the first admin through the setup link and logs in; the organisation's main
    /// establishment is in `member_state` (what routes its reports to a coordinator CSIRT).
    pub(crate) async fn bootstrap_in(&self, org: &str, email: &str, member_state: &str) -> Who {
        self.first_admin_in(org, email, Some(member_state)).await;
        self.login(email, PASSWORD).await
    }

    async fn first_admin_in(&self, org: &str, email: &str, member_state: Option<&str>) {
        let link = self
            .setup
            .as_ref()
            .expect("first start prints a setup link");
        let token = link.split("token=").nth(1).unwrap();
        let r = self
            .http
            .post(self.url("/setup"))
            .json(
                &json!({"token": token, "email": email, "password": PASSWORD, "org_name": org,
                "member_state": member_state}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::CREATED,
            "{}",
            r.text().await.unwrap()
        );
    }

    /// Creates the first admin through the setup link and logs in.
    pub(crate) async fn bootstrap(&self, org: &str, email: &str) -> Who {
        self.first_admin(org, email).await;
        self.login(email, PASSWORD).await
    }

    pub(crate) async fn login(&self, email: &str, password: &str) -> Who {
        let r = self
            .http
            .post(self.url("/api/v1/session"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "login");
        let set_cookie = r
            .headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
            "{set_cookie}"
        );
        let cookie = set_cookie.split(';').next().unwrap().to_string();
        let body: Value = r.json().await.unwrap();
        Who {
            cookie: Some(cookie),
            csrf: body["csrf_token"].as_str().map(str::to_string),
            token: None,
        }
    }

    /// Accepts every invitation waiting for the logged-in `who` (a person added by an admin
    /// joins only by accepting); returns how many there were.
    pub(crate) async fn accept_invitations(&self, who: &Who) -> usize {
        let (st, list) = self
            .call(who, reqwest::Method::GET, "/api/v1/invitations", None)
            .await;
        assert_eq!(st, StatusCode::OK, "{list}");
        let list = list.as_array().unwrap().clone();
        for inv in &list {
            let (st, v) = self
                .call(
                    who,
                    reqwest::Method::POST,
                    &format!("/api/v1/invitations/{}/accept", inv["id"]),
                    None,
                )
                .await;
            assert_eq!(st, StatusCode::OK, "{v}");
        }
        list.len()
    }

    /// Invites `email` (a new account with [`PASSWORD`]) into the admin's organisation with
    /// `role`, then logs the person in and accepts: the member's session.
    pub(crate) async fn add_member(&self, admin: &Who, email: &str, role: &str) -> Who {
        let (st, v) = self
            .call(
                admin,
                reqwest::Method::POST,
                "/api/v1/members",
                Some(json!({"email": email, "role": role, "password": PASSWORD})),
            )
            .await;
        assert_eq!(st, StatusCode::ACCEPTED, "{v}");
        let who = self.login(email, PASSWORD).await;
        assert!(self.accept_invitations(&who).await >= 1);
        who
    }

    pub(crate) fn req(
        &self,
        who: &Who,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        let mut b = self.http.request(method, self.url(path));
        if let Some(c) = &who.cookie {
            b = b.header("cookie", c);
        }
        if let Some(c) = &who.csrf {
            b = b.header("x-csrf-token", c);
        }
        if let Some(t) = &who.token {
            b = b.bearer_auth(t);
        }
        b
    }

    pub(crate) async fn call(
        &self,
        who: &Who,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut b = self.req(who, method, path);
        if let Some(body) = body {
            b = b.json(&body);
        }
        let r = b.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub(crate) async fn token(&self, admin: &Who, role: &str) -> Who {
        let (s, v) = self
            .call(
                admin,
                reqwest::Method::POST,
                "/api/v1/tokens",
                Some(json!({"name": format!("{role} token"), "role": role})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        Who {
            cookie: None,
            csrf: None,
            token: Some(v["secret"].as_str().unwrap().to_string()),
        }
    }

    /// Creates a product and one release of it; their ids.
    pub(crate) async fn product_release(&self, who: &Who, name: &str, version: &str) -> (i64, i64) {
        let (st, p) = self
            .call(
                who,
                reqwest::Method::POST,
                "/api/v1/products",
                Some(json!({"name": name})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{p}");
        let path = format!("/api/v1/products/{}/releases", p["id"]);
        let (st, r) = self
            .call(
                who,
                reqwest::Method::POST,
                &path,
                Some(json!({"version": version})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{r}");
        (p["id"].as_i64().unwrap(), r["id"].as_i64().unwrap())
    }

    pub(crate) async fn upload(
        &self,
        who: &Who,
        release: i64,
        bytes: Vec<u8>,
        name: &str,
    ) -> (StatusCode, Value) {
        let r = self
            .req(
                who,
                reqwest::Method::POST,
                &format!("/api/v1/releases/{release}/sbom?filename={name}"),
            )
            .body(bytes)
            .send()
            .await
            .unwrap();
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// The shipped example world: the example advisories and KEV imported, the AX3000
    /// router 2.4.1 with its firmware SBOM, and the proposal for its exploited HTTP/2 flaw
    /// (GHSA-qppj-fm5r-hxr3, CVE-2023-44487) confirmed. Answers (product, release, case).
    pub(crate) async fn confirmed_example_case(&self, who: &Who) -> (i64, i64, i64) {
        for f in std::fs::read_dir(root().join("examples/advisories")).unwrap() {
            self.import(who, &f.unwrap().path()).await;
        }
        self.import(who, &root().join("examples/kev.json")).await;
        let (pid, rid) = self.product_release(who, "AX3000 router", "2.4.1").await;
        let bytes = std::fs::read(root().join("examples/sboms/router-fw-2.4.1.cdx.json")).unwrap();
        assert_eq!(
            self.upload(who, rid, bytes, "fw.json").await.0,
            StatusCode::CREATED
        );
        let (_, cases) = self
            .call(who, reqwest::Method::GET, "/api/v1/cases", None)
            .await;
        let cid = cases
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["case"]["advisory_id"] == "GHSA-qppj-fm5r-hxr3")
            .map(|c| c["case"]["id"].as_i64().unwrap())
            .expect("a proposal for the exploited HTTP/2 flaw");
        let (st, v) = self
            .call(
                who,
                reqwest::Method::POST,
                &format!("/api/v1/cases/{cid}/confirm"),
                Some(json!({"aware_at": "2026-09-21T08:00:00Z"})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        (pid, rid, cid)
    }

    pub(crate) async fn import(&self, who: &Who, path: &std::path::Path) -> Value {
        let name = path.file_name().unwrap().to_str().unwrap();
        let r = self
            .req(
                who,
                reqwest::Method::POST,
                &format!("/api/v1/advisories/import?filename={name}"),
            )
            .body(std::fs::read(path).unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.unwrap()
    }
}

pub(crate) async fn start(engine: Engine) -> Option<Server> {
    start_with(engine, |_| {}).await
}

/// A client that does not follow redirects (redirect-after-post is asserted by UI tests).
pub(crate) fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// GET a page as `who`: status and HTML.
pub(crate) async fn page(s: &Server, who: &Who, path: &str) -> (StatusCode, String) {
    let mut b = browser().get(s.url(path));
    if let Some(c) = &who.cookie {
        b = b.header("cookie", c);
    }
    let r = b.send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// POST a form as `who` (no CSRF header: the UI takes the hidden field); with `csrf` the
/// session's token is added as the `csrf` field. Status, `Location` and body.
pub(crate) async fn post(
    s: &Server,
    who: &Who,
    path: &str,
    fields: &[(&str, &str)],
    csrf: bool,
) -> (StatusCode, String, String) {
    let mut pairs: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    if csrf {
        pairs.push(("csrf".into(), who.csrf.clone().unwrap_or_default()));
    }
    let body = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut b = browser()
        .post(s.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(c) = &who.cookie {
        b = b.header("cookie", c);
    }
    let r = b.send().await.unwrap();
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, r.text().await.unwrap())
}

/// `application/x-www-form-urlencoded` value encoding.
pub(crate) fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Waits (up to 20 s, polling every 50 ms) until `f` holds; panics naming `what`.
pub(crate) async fn poll<F: std::future::Future<Output = bool>>(
    mut f: impl FnMut() -> F,
    what: &str,
) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !f().await {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Creates product, release, imports the example advisories and uploads the router SBOM.
pub(crate) async fn seeded(s: &Server, admin: &Who) -> (i64, i64) {
    for f in std::fs::read_dir(root().join("examples/advisories")).unwrap() {
        s.import(admin, &f.unwrap().path()).await;
    }
    let kev = s.import(admin, &root().join("examples/kev.json")).await;
    assert_eq!(kev["kev_entries"], 3);
    let (st, p) = s.call(admin, reqwest::Method::POST, "/api/v1/products", Some(json!({
        "name": "AX3000 router", "description": "Wi-Fi 6 router", "catalogue_entries": ["annex3-class1-12"],
        "member_states": ["de", "FR"], "estimated_users": 120000, "support_end": "2031-12-31"}))).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    assert_eq!(p["category"], "important-class-1");
    assert_eq!(p["member_states"], json!(["DE", "FR"]));
    let pid = p["id"].as_i64().unwrap();
    let (st, r) = s
        .call(
            admin,
            reqwest::Method::POST,
            &format!("/api/v1/products/{pid}/releases"),
            Some(json!({"version": "2.4.1", "released_on": "2026-09-01"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    let rid = r["id"].as_i64().unwrap();
    let bytes = std::fs::read(root().join("examples/sboms/router-fw-2.4.1.cdx.json")).unwrap();
    let (st, up) = s
        .upload(admin, rid, bytes, "router-fw-2.4.1.cdx.json")
        .await;
    assert_eq!(st, StatusCode::CREATED, "{up}");
    assert_eq!(
        (
            up["components"].as_i64(),
            up["findings"].as_i64(),
            up["exploited"].as_i64()
        ),
        (Some(10), Some(4), Some(2)),
        "{up}"
    );
    (pid, rid)
}

/// A loopback advisory mirror: OSV's bucket layout for crates.io and Go, the KEV catalogue,
/// and an EUVD-style exploited list (one page).
pub(crate) async fn advisory_mirror() -> SocketAddr {
    use std::io::Write;
    let mut zips = std::collections::HashMap::new();
    for (eco, files) in [
        ("crates.io", vec!["RUSTSEC-2022-0013.json"]),
        ("Go", vec!["GO-2023-2102.json", "GHSA-qppj-fm5r-hxr3.json"]),
    ] {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            for f in files {
                w.start_file(f, zip::write::SimpleFileOptions::default())
                    .unwrap();
                w.write_all(&std::fs::read(root().join("examples/advisories").join(f)).unwrap())
                    .unwrap();
            }
            w.finish().unwrap();
        }
        zips.insert(eco.to_string(), buf.into_inner());
    }
    let zips = Arc::new(zips);
    let kev = Arc::new(std::fs::read(root().join("examples/kev.json")).unwrap());
    let app = axum::Router::new()
        .route(
            "/osv/{eco}/all.zip",
            axum::routing::get(move |axum::extract::Path(eco): axum::extract::Path<String>| {
                let zips = zips.clone();
                async move {
                    match zips.get(&eco) {
                        Some(z) => (StatusCode::OK, z.clone()),
                        None => (StatusCode::NOT_FOUND, Vec::new()),
                    }
                }
            }),
        )
        .route("/kev.json", axum::routing::get(move || { let kev = kev.clone(); async move { kev.to_vec() } }))
        .route(
            "/euvd/vulnerabilities",
            axum::routing::get(|axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>| async move {
                let items = if q.get("page").map(String::as_str) == Some("0") {
                    json!([{"id": "EUVD-2022-0001", "description": "regex denial of service (test fixture)",
                        "datePublished": "Mar 8, 2022, 7:00:00 PM", "dateUpdated": "Nov 1, 2026, 9:00:00 AM",
                        "baseScore": 7.5, "baseScoreVersion": "3.1", "baseScoreVector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
                        "aliases": "CVE-2022-24713\n", "exploitedSince": "Oct 30, 2026, 12:00:00 AM"}])
                } else {
                    json!([])
                };
                axum::Json(json!({"items": items, "total": 1}))
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// What the webhook receiver got: the path segment it was posted to, the headers and the body.
pub(crate) type Inbox = Arc<Mutex<Vec<(String, axum::http::HeaderMap, Vec<u8>)>>>;

/// A receiver on 127.0.0.1 recording every POST by path.
pub(crate) async fn receiver() -> (std::net::SocketAddr, Inbox) {
    let inbox: Inbox = Arc::default();
    let rec = inbox.clone();
    let app = axum::Router::new().route(
        "/{name}",
        axum::routing::post(
            move |axum::extract::Path(name): axum::extract::Path<String>,
                  headers: axum::http::HeaderMap,
                  body: axum::body::Bytes| {
                let rec = rec.clone();
                async move {
                    rec.lock().unwrap().push((name, headers, body.to_vec()));
                    StatusCode::OK
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, inbox)
}
