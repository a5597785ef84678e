//! The real `cyres-agent` binary against repositories made with `cyres_tuf::Workspace` (the
//! library behind `cyres repo`), read over `file://` URLs or `https://` from a loopback TLS
//! server with a CA made per run: update policy, A/B install and rollback, health-check
//! timeouts, the command installer, limits, tampering, state reports (over TLS, never with the
//! token in clear), a clock behind the trusted root, and crash recovery at every step
//! (`CYRES_AGENT_CRASH_AT`).
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, mpsc};

use cyres_tuf::keyfile::{KdfParams, KeyFile};
use cyres_tuf::workspace::{InitOptions, Settings};
use cyres_tuf::{Channel, TargetCustom, Workspace};
use serde_json::Value;
use time::OffsetDateTime;

const PASS: &str = "agent test";

struct Fixture {
    dir: PathBuf,
    repo: Workspace,
}

fn scratch(name: &str) -> PathBuf {
    let dir = cyres_kit::target_dir().join("agent-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// 64 KiB of deterministic bytes, so a download crash lands mid-stream.
fn image(version: &str) -> Vec<u8> {
    (0..64 * 1024u32)
        .map(|i| (i.wrapping_mul(31) as u8) ^ version.len() as u8)
        .chain(version.bytes())
        .collect()
}

impl Fixture {
    fn new(name: &str) -> Fixture {
        Fixture::new_at(name, OffsetDateTime::now_utc())
    }

    /// A repository whose root was signed at `signed_at`.
    fn new_at(name: &str, signed_at: OffsetDateTime) -> Fixture {
        let dir = scratch(name);
        let opts = InitOptions {
            settings: Settings::default(),
            offline_key_dir: dir.join("repo/keys"),
            passphrase: PASS.into(),
            kdf: KdfParams::insecure_fast(),
        };
        let (repo, _) = Workspace::init(&dir.join("repo"), &opts, signed_at).unwrap();
        Fixture { dir, repo }
    }

    fn release(&mut self, channel: Channel, version: &str, min_version: Option<&str>) {
        let custom = TargetCustom {
            product: "gw".into(),
            hardware: "rev-b".into(),
            version: version.into(),
            channel,
            fixes: vec!["CVE-2024-3094".into()],
            min_version: min_version.map(String::from),
        };
        let now = OffsetDateTime::now_utc();
        self.repo
            .add_target(&format!("gw-{version}.img"), &image(version), &custom, now)
            .unwrap();
        let key = KeyFile::read(&self.dir.join(format!("repo/keys/{}.key", channel.role())))
            .unwrap()
            .decrypt(Some(PASS))
            .unwrap();
        self.repo.sign(channel.role(), &key).unwrap();
        self.repo.publish(now).unwrap();
    }

    /// Writes the device config; `extra` is appended to the top-level table, `installer` is
    /// the `[installer]` table body.
    fn config(&self, extra: &str, installer: &str) -> PathBuf {
        let published = format!("file://{}", self.dir.join("repo/published").display());
        self.config_at(&published, extra, installer)
    }

    /// Like [`Fixture::config`], with the published tree at `base` (`…/metadata`, `…/targets`).
    fn config_at(&self, base: &str, extra: &str, installer: &str) -> PathBuf {
        let meta = self.dir.join("repo/published/metadata");
        let text = format!(
            r#"metadata_url = "{base}/metadata"
targets_url = "{base}/targets"
trusted_root = "{meta}/1.root.json"
state_dir = "{state}"
device_id = "gw-0001"
device_token = "token-123"
product = "gw"
hardware = "rev-b"
current_version = "1.0.0"
{extra}
[installer]
{installer}
"#,
            meta = meta.display(),
            state = self.dir.join("device/state").display(),
        );
        let path = self.dir.join("device/config.toml");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn slots(&self) -> PathBuf {
        self.dir.join("device/slots")
    }

    fn ab_config(&self, extra: &str, max_boot_attempts: u32) -> PathBuf {
        self.config(extra, &self.ab_installer(max_boot_attempts))
    }

    fn ab_installer(&self, max_boot_attempts: u32) -> String {
        format!(
            r#"type = "ab-slots"
slots_dir = "{slots}"
health_check = ["sh", "-c", "test -f \"$CYRES_SLOT_DIR/slot.json\" && test ! -e {slots}/fail-health"]
max_boot_attempts = {max_boot_attempts}"#,
            slots = self.slots().display()
        )
    }

    /// The agent's state file (an empty object before the first save).
    fn state(&self) -> Value {
        match std::fs::read(self.dir.join("device/state/state.json")) {
            Ok(b) => serde_json::from_slice(&b).unwrap(),
            Err(_) => serde_json::json!({}),
        }
    }

    /// (slot `current` points to, version recorded in that slot).
    fn current_slot(&self) -> (String, String) {
        let slot = std::fs::read_link(self.slots().join("current"))
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let info: Value = serde_json::from_slice(
            &std::fs::read(self.slots().join(&slot).join("slot.json")).unwrap(),
        )
        .unwrap();
        (slot, info["version"].as_str().unwrap().to_string())
    }

    /// The device is on a good slot: `current` names a complete slot, and either it runs the
    /// recorded version or an update to it is in progress (to be health-checked next run).
    fn assert_good_slot(&self, context: &str) {
        let (_, version) = self.current_slot();
        let state = self.state();
        let running = state["installed_version"].as_str().unwrap_or("1.0.0");
        assert!(
            version == running || state["ab"]["version"] == version.as_str(),
            "{context}: slot holds {version}, state says running {running}: {state}"
        );
    }
}

fn agent(config: &Path, args: &[&str], crash_at: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cyres-agent"));
    cmd.arg("--config").arg(config).args(args);
    match crash_at {
        Some(step) => cmd.env("CYRES_AGENT_CRASH_AT", step),
        None => cmd.env_remove("CYRES_AGENT_CRASH_AT"),
    };
    cmd.output().expect("run cyres-agent")
}

fn once_ok(config: &Path) -> String {
    let out = agent(config, &["once"], None);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "cyres-agent once failed: {err}");
    err
}

/// Accepts one HTTP request, answers 204 and hands back (request head, body).
fn capture_server() -> (u16, mpsc::Receiver<(String, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(s.try_clone().unwrap());
        let mut head = String::new();
        let mut len = 0usize;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap();
            }
            head.push_str(&line);
        }
        let mut body = vec![0; len];
        reader.read_exact(&mut body).unwrap();
        s.write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
            .unwrap();
        tx.send((head, String::from_utf8(body).unwrap())).unwrap();
    });
    (port, rx)
}

#[test]
fn security_update_goes_to_the_other_slot_and_is_reported() {
    let mut f = Fixture::new("security");
    f.release(Channel::Security, "1.1.0", Some("1.0.0"));
    f.release(Channel::Security, "0.9.0", None);
    let (port, rx) = capture_server();
    let config = f.ab_config(&format!("server_url = \"http://127.0.0.1:{port}\""), 3);
    once_ok(&config);
    assert_eq!(f.current_slot(), ("b".to_string(), "1.1.0".to_string()));
    assert_eq!(
        std::fs::read(f.slots().join("b/gw-1.1.0.img")).unwrap(),
        image("1.1.0")
    );
    let state = f.state();
    assert_eq!(state["installed_version"], "1.1.0");
    assert!(state["ab"].is_null());
    let (head, body) = rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
    assert!(
        head.starts_with("POST /api/v1/devices/gw-0001/state HTTP/1.1"),
        "{head}"
    );
    assert!(head.contains("Authorization: Bearer token-123"), "{head}");
    let report: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(report["versions"]["installed"], "1.1.0");
    assert_eq!(report["opt_outs"]["security"], false);
    assert_eq!(report["clock"]["status"], "ok", "{report}");
    assert!(report["last_check"].is_string());
    // Next cycle: nothing newer (0.9.0 is lower and never installed); the report server is
    // gone, which must not fail the cycle.
    let log = once_ok(&config);
    assert!(log.contains("up to date at 1.1.0"), "{log}");
    assert!(log.contains("state report"), "{log}");
}

#[test]
fn feature_updates_wait_for_approval_and_opt_out_stops_security() {
    let mut f = Fixture::new("policy");
    f.release(Channel::Feature, "2.0.0", None);
    let config = f.ab_config("feature_updates = \"ask\"", 3);
    once_ok(&config);
    assert_eq!(f.current_slot().1, "1.0.0");
    assert_eq!(f.state()["pending_feature"], "2.0.0");
    // The user opts out of automatic security updates; a security fix arrives.
    assert!(agent(&config, &["opt-out-security"], None).status.success());
    f.release(Channel::Security, "1.0.1", None);
    once_ok(&config);
    assert_eq!(f.current_slot().1, "1.0.0");
    assert_eq!(f.state()["pending_security"], "1.0.1");
    let status: Value = serde_json::from_slice(&agent(&config, &["status"], None).stdout).unwrap();
    assert_eq!(status["opt_outs"]["security"], true);
    assert_eq!(status["slot"]["current"], "a");
    // Approving the feature release installs it (2.0.0 is the highest allowed).
    assert!(agent(&config, &["approve", "2.0.0"], None).status.success());
    once_ok(&config);
    assert_eq!(f.current_slot().1, "2.0.0");
    // Postponing is capped by the configuration.
    assert!(!agent(&config, &["postpone", "1000"], None).status.success());
    assert!(agent(&config, &["postpone", "24"], None).status.success());
    assert!(f.state()["postponed_until"].is_string());
}

#[test]
fn crash_at_every_step_ends_on_a_good_slot_and_the_next_cycle_completes() {
    for step in ["download", "install", "switch", "health"] {
        let mut f = Fixture::new(&format!("crash-{step}"));
        f.release(Channel::Security, "1.1.0", None);
        let config = f.ab_config("", 3);
        let out = agent(&config, &["once"], Some(step));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success(),
            "{step}: the agent should have crashed"
        );
        assert!(
            err.contains(&format!("crashing at {step}")),
            "{step}: {err}"
        );
        f.assert_good_slot(step);
        let log = once_ok(&config);
        assert_eq!(
            f.current_slot(),
            ("b".to_string(), "1.1.0".to_string()),
            "{step}: {log}"
        );
        let state = f.state();
        assert_eq!(state["installed_version"], "1.1.0", "{step}");
        assert!(state["ab"].is_null(), "{step}");
        assert!(!f.dir.join("device/state/download").exists(), "{step}");
        assert!(once_ok(&config).contains("up to date at 1.1.0"), "{step}");
    }
}

#[test]
fn failed_health_check_and_exhausted_boot_counter_roll_back() {
    let mut f = Fixture::new("rollback");
    f.release(Channel::Security, "1.1.0", None);
    let config = f.ab_config("", 3);
    std::fs::create_dir_all(f.slots()).unwrap();
    std::fs::write(f.slots().join("fail-health"), b"").unwrap();
    let out = agent(&config, &["once"], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(f.current_slot(), ("a".to_string(), "1.0.0".to_string()));
    assert_eq!(f.state()["failed_versions"][0], "1.1.0");
    assert!(
        f.state()["last_result"]
            .as_str()
            .unwrap()
            .contains("health check failed")
    );
    // A rolled-back version is not retried.
    std::fs::remove_file(f.slots().join("fail-health")).unwrap();
    assert!(once_ok(&config).contains("up to date at 1.0.0"));

    // Boot counter: one attempt allowed; the device dies in the health check, and the next
    // boot counts a second attempt and rolls back without trusting the new slot.
    let mut g = Fixture::new("bootcount");
    g.release(Channel::Security, "1.1.0", None);
    let config = g.ab_config("", 1);
    assert!(!agent(&config, &["once"], Some("health")).status.success());
    assert_eq!(g.current_slot().0, "b");
    let out = agent(&config, &["once"], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(g.current_slot(), ("a".to_string(), "1.0.0".to_string()));
    assert!(
        g.state()["last_result"]
            .as_str()
            .unwrap()
            .contains("boot counter exhausted")
    );
}

#[test]
fn command_installer_size_limit_and_tampering() {
    let mut f = Fixture::new("command");
    f.release(Channel::Security, "1.2.0", None);
    let installed = f.dir.join("device/installed.img");
    let installer = format!(
        r#"type = "command"
command = ["cp", "{{file}}", "{}"]"#,
        installed.display()
    );
    // Too large for the configured limit: nothing is fetched or installed.
    let config = f.config("max_download_bytes = 1000", &installer);
    let out = agent(&config, &["once"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        f.state()["last_result"]
            .as_str()
            .unwrap()
            .contains("max_download_bytes")
    );
    assert!(!installed.exists());
    // A tampered file on the mirror fails verification while streaming.
    let targets = f.dir.join("repo/published/targets/security");
    for e in std::fs::read_dir(&targets).unwrap() {
        let p = e.unwrap().path();
        let mut bytes = std::fs::read(&p).unwrap();
        bytes[100] ^= 1;
        std::fs::write(&p, bytes).unwrap();
    }
    let config = f.config("", &installer);
    let out = agent(&config, &["once"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        f.state()["last_result"]
            .as_str()
            .unwrap()
            .contains("hash mismatch"),
        "{}",
        f.state()
    );
    assert!(!installed.exists());
    // Restore the file: installed by the command.
    for e in std::fs::read_dir(&targets).unwrap() {
        std::fs::write(e.unwrap().path(), image("1.2.0")).unwrap();
    }
    once_ok(&config);
    assert_eq!(std::fs::read(&installed).unwrap(), image("1.2.0"));
    assert_eq!(f.state()["installed_version"], "1.2.0");
}

#[test]
fn run_mode_installs_in_child_cycles() {
    let mut f = Fixture::new("runmode");
    f.release(Channel::Security, "1.3.0", None);
    let config = f.ab_config("check_interval_secs = 1\njitter_secs = 0", 3);
    let mut child = Command::new(env!("CARGO_BIN_EXE_cyres-agent"))
        .arg("--config")
        .arg(&config)
        .arg("run")
        .env_remove("CYRES_AGENT_CRASH_AT")
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut checks = 0;
    while std::time::Instant::now() < deadline {
        let s = f.state();
        if s["installed_version"] == "1.3.0"
            && s["last_result"]
                .as_str()
                .is_some_and(|r| r.contains("up to date"))
        {
            checks += 1;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // Still running: a cycle never ends the loop.
    assert!(child.try_wait().unwrap().is_none());
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        checks,
        1,
        "the loop installed 1.3.0 and ran a later cycle: {}",
        f.state()
    );
    assert_eq!(f.current_slot().1, "1.3.0");
}

#[test]
fn hung_health_check_times_out_and_rolls_back() {
    let mut f = Fixture::new("health-timeout");
    f.release(Channel::Security, "1.1.0", None);
    let installer = format!(
        "type = \"ab-slots\"\nslots_dir = \"{}\"\nhealth_check = [\"sleep\", \"30\"]\n\
         health_check_timeout_secs = 1",
        f.slots().display()
    );
    let config = f.config("", &installer);
    let started = std::time::Instant::now();
    let out = agent(&config, &["once"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(f.current_slot(), ("a".to_string(), "1.0.0".to_string()));
    let state = f.state();
    assert_eq!(state["failed_versions"][0], "1.1.0");
    let result = state["last_result"].as_str().unwrap();
    assert!(
        result.contains("health check failed") && result.contains("did not finish within 1 s"),
        "{result}"
    );
}

#[test]
fn clock_before_the_trusted_root_is_reported() {
    // The repository's root was signed 400 days from now: this device's clock is clearly behind.
    let later = OffsetDateTime::now_utc() + time::Duration::days(400);
    let mut f = Fixture::new_at("clock", later);
    f.release(Channel::Security, "1.1.0", None);
    let (port, rx) = capture_server();
    let config = f.ab_config(&format!("server_url = \"http://127.0.0.1:{port}\""), 3);
    let log = once_ok(&config);
    assert!(log.contains("device clock is wrong"), "{log}");
    let state = f.state();
    assert_eq!(state["clock"]["status"], "behind");
    assert_eq!(
        state["clock"]["not_before"],
        cyres_tuf::metadata::format_time(later)
    );
    assert!(
        state["last_result"]
            .as_str()
            .unwrap()
            .starts_with("device clock is wrong")
    );
    let (_, body) = rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
    let report: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(report["clock"]["status"], "behind", "{report}");
    assert!(
        report["last_result"]
            .as_str()
            .unwrap()
            .contains("trusted root was signed at")
    );
}

/// A CA made for this run and a server certificate for `localhost` and `127.0.0.1` it signed:
/// (CA certificate PEM, server TLS configuration).
fn test_pki() -> (String, Arc<rustls::ServerConfig>) {
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "cyres agent test CA");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, rcgen::KeyPair::generate().unwrap())
        .unwrap();
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let mut leaf_params =
        rcgen::CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    leaf_params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let leaf = leaf_params.signed_by(&leaf_key, &*ca).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], key)
        .unwrap();
    (ca.pem(), Arc::new(config))
}

/// An HTTPS server on 127.0.0.1 serving GETs from `root` and answering POSTs with 204; each
/// POST's (request head, body) goes to the receiver. Connections whose handshake fails (a
/// client that does not trust the certificate) are dropped.
fn https_server(
    root: PathBuf,
    config: Arc<rustls::ServerConfig>,
) -> (u16, mpsc::Receiver<(String, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(tcp) = tcp else { continue };
            let conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            let _ = serve_one(&mut tls, &root, &tx);
        }
    });
    (port, rx)
}

fn serve_one(
    tls: &mut (impl Read + Write),
    root: &Path,
    posts: &mpsc::Sender<(String, String)>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(&mut *tls);
    let mut head = String::new();
    let mut len = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().unwrap_or(0);
        }
        head.push_str(&line);
    }
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    drop(reader);
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    if head.starts_with("POST ") {
        posts
            .send((head, String::from_utf8_lossy(&body).into_owned()))
            .ok();
        tls.write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")?;
    } else {
        match std::fs::read(root.join(path.trim_start_matches('/'))) {
            Ok(bytes) => {
                let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", bytes.len());
                tls.write_all(head.as_bytes())?;
                tls.write_all(&bytes)?;
            }
            Err(_) => tls.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")?,
        }
    }
    tls.flush()
}

#[test]
fn https_with_a_pinned_ca_and_the_token_never_in_clear() {
    let mut f = Fixture::new("tls");
    f.release(Channel::Security, "1.1.0", None);
    let (ca_pem, server_config) = test_pki();
    let (port, posts) = https_server(f.dir.join("repo/published"), server_config);
    let base = format!("https://localhost:{port}");
    let ca_file = f.dir.join("device/ca.pem");
    let foreign_ca = f.dir.join("device/foreign-ca.pem");
    std::fs::create_dir_all(f.dir.join("device")).unwrap();
    std::fs::write(&ca_file, &ca_pem).unwrap();
    std::fs::write(&foreign_ca, test_pki().0).unwrap();
    let extra = |ca: &Path| format!("server_url = \"{base}\"\nca_file = \"{}\"", ca.display());

    // Pinned to another CA: the server is not trusted, nothing is installed or reported.
    let config = f.config_at(&base, &extra(&foreign_ca), &f.ab_installer(3));
    let out = agent(&config, &["once"], None);
    assert_eq!(out.status.code(), Some(1));
    let result = f.state()["last_result"].as_str().unwrap().to_string();
    assert!(result.contains("certificate"), "{result}");
    assert_eq!(f.current_slot().1, "1.0.0");
    assert!(
        posts.try_recv().is_err(),
        "no report to an untrusted server"
    );

    // Pinned to the server's CA: metadata, target and report all go over TLS.
    let config = f.config_at(&base, &extra(&ca_file), &f.ab_installer(3));
    once_ok(&config);
    assert_eq!(f.current_slot(), ("b".to_string(), "1.1.0".to_string()));
    let (head, body) = posts
        .recv_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    assert!(head.contains("Authorization: Bearer token-123"), "{head}");
    let report: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(report["versions"]["installed"], "1.1.0");

    // The token never goes over plain http:// to another host unless loudly allowed.
    let config = f.config("server_url = \"http://192.0.2.10\"", &f.ab_installer(3));
    let out = agent(&config, &["status"], None);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("insecure_send_token_over_plain_http"), "{err}");
}
