//! Interoperability with python-tuf, the TUF reference implementation.
//!
//! (a) python-tuf's `ngclient.Updater` refreshes against a repository built by
//!     `cyres_tuf::Repository` and downloads targets from both cyres channels;
//! (b) the `cyres-tuf-client` binary refreshes against a repository built with python-tuf's
//!     Metadata API (`tests/interop/make_repo.py`, including a root key rotation and a
//!     delegated role) and downloads its targets; a tampered target makes it exit 1.
//!
//! Both repositories are served over HTTP by a small loopback server thread this test starts.
//! python-tuf comes from `scripts/python-tuf.sh`; when its venv is missing the tests fail and
//! say so (they never skip).
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, SystemTime};

use cyres_tuf::{Channel, Repository};
use serde_json::{Value, json};

fn python() -> PathBuf {
    let root = cyres_kit::workspace_root();
    let py = root.join("target/oracles/tuf-venv/bin/python");
    assert!(
        py.is_file(),
        "python-tuf venv not found at {}: run scripts/python-tuf.sh (the interop tests never skip)",
        py.display()
    );
    py
}

fn interop_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/interop")
        .join(name)
}

fn temp_dir(tag: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "cyres-tuf-interop-{tag}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A static file server on 127.0.0.1 serving `root`, stopped when dropped.
struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl Server {
    fn start(root: PathBuf) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let _ = serve(stream, &root);
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server { port, stop }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn serve(stream: TcpStream, root: &Path) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let rel = percent_decode(path.trim_start_matches('/'));
    let mut stream = stream;
    let file = if rel.split('/').any(|c| c == "..") {
        None
    } else {
        std::fs::read(root.join(&rel)).ok()
    };
    match file {
        Some(body) => {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            stream.write_all(&body)?;
        }
        None => stream.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )?,
    }
    stream.flush()
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("process starts");
    eprintln!(
        "--- {:?}\nstdout: {}\nstderr: {}",
        cmd,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn python_tuf_ngclient_reads_a_cyres_repository() {
    let py = python();
    let dir = temp_dir("a");
    let expires = time::OffsetDateTime::now_utc() + time::Duration::days(30);
    let mut repo = Repository::new(expires, true).unwrap();
    repo.add_channels(2, 2, 1, 1).unwrap();
    let fix = json!({"product": "gw", "hardware": "rev-b", "version": "1.0.1", "channel": "security",
                     "fixes": ["CVE-2024-3094"], "min_version": "1.0.0"});
    repo.add_target(
        "security",
        &Channel::Security.target_path("gw-1.0.1.bin"),
        b"security fix",
        Some(fix.clone()),
    )
    .unwrap();
    repo.add_target(
        "feature",
        &Channel::Feature.target_path("gw-1.1.0.bin"),
        b"feature release",
        None,
    )
    .unwrap();
    repo.add_target("targets", "readme.txt", b"hello from cyres\n", None)
        .unwrap();
    repo.publish().unwrap();
    let initial_root = dir.join("initial_root.json");
    std::fs::write(&initial_root, repo.root_bytes().unwrap()).unwrap();
    // A second publish with a rotated timestamp key: python-tuf must walk root v1 -> v2.
    let new_ts = Arc::new(cyres_tuf::SigningKey::generate().unwrap());
    repo.set_role_keys("timestamp", vec![new_ts], 1).unwrap();
    repo.add_target("targets", "notes.txt", b"v2\n", None)
        .unwrap();
    repo.publish().unwrap();
    repo.write_to(&dir.join("repo")).unwrap();
    let server = Server::start(dir.join("repo"));

    let out = run(Command::new(&py)
        .arg(interop_script("ngclient_download.py"))
        .args([
            server.url("metadata"),
            server.url("targets"),
            initial_root.display().to_string(),
            dir.join("client").display().to_string(),
            "security/gw-1.0.1.bin".into(),
            "feature/gw-1.1.0.bin".into(),
            "notes.txt".into(),
        ]));
    assert!(
        out.status.success(),
        "python-tuf ngclient failed on a cyres repository"
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["versions"]["root"], 2);
    assert_eq!(summary["versions"]["timestamp"], 2);
    assert_eq!(summary["versions"]["targets"], 2);
    assert_eq!(summary["downloads"]["security/gw-1.0.1.bin"]["custom"], fix);
    let got = std::fs::read(
        summary["downloads"]["security/gw-1.0.1.bin"]["path"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(got, b"security fix");
    let got = std::fs::read(summary["downloads"]["notes.txt"]["path"].as_str().unwrap()).unwrap();
    assert_eq!(got, b"v2\n");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cyres_client_reads_a_python_tuf_repository() {
    let py = python();
    let dir = temp_dir("b");
    let repo_dir = dir.join("repo");
    let out = run(Command::new(&py)
        .arg(interop_script("make_repo.py"))
        .arg(&repo_dir));
    assert!(
        out.status.success(),
        "python-tuf failed to build the repository"
    );
    let server = Server::start(repo_dir.clone());
    let bin = env!("CARGO_BIN_EXE_cyres-tuf-client");
    let md = dir.join("md");
    let targets = dir.join("targets");

    let init = run(Command::new(bin)
        .arg("--metadata-dir")
        .arg(&md)
        .arg("init")
        .arg(repo_dir.join("metadata/1.root.json")));
    assert!(init.status.success());
    let refresh = run(Command::new(bin).arg("--metadata-dir").arg(&md).args([
        "--metadata-url",
        &server.url("metadata"),
        "refresh",
    ]));
    assert!(
        refresh.status.success(),
        "refresh against python-tuf repository"
    );
    let root: Value =
        serde_json::from_slice(&std::fs::read(md.join("root.json")).unwrap()).unwrap();
    assert_eq!(
        root["signed"]["version"], 2,
        "walked the python-tuf root rotation"
    );
    for role in ["timestamp", "snapshot", "targets"] {
        assert!(
            md.join(format!("{role}.json")).is_file(),
            "{role}.json persisted"
        );
    }

    let download = |names: &[&str]| {
        let mut cmd = Command::new(bin);
        cmd.arg("--metadata-dir")
            .arg(&md)
            .args(["--metadata-url", &server.url("metadata")]);
        for n in names {
            cmd.args(["--target-name", n]);
        }
        cmd.args(["--target-base-url", &server.url("targets")])
            .arg("--target-dir")
            .arg(&targets)
            .arg("download");
        run(&mut cmd)
    };
    let out = download(&["readme.txt", "security/gw-1.0.1.bin"]);
    assert!(out.status.success());
    assert_eq!(
        std::fs::read(targets.join("readme.txt")).unwrap(),
        b"made by python-tuf\n"
    );
    assert_eq!(
        std::fs::read(targets.join("security/gw-1.0.1.bin")).unwrap(),
        b"security fix from python-tuf"
    );
    assert!(
        md.join("security.json").is_file(),
        "delegated role persisted unversioned"
    );

    // A target not in metadata fails with exit code 1.
    let out = download(&["security/missing.bin"]);
    assert_eq!(out.status.code(), Some(1));

    // Tampered target bytes on the server: the cached copy is still valid, so it is not
    // fetched again; once the cache is gone the tampered download is refused.
    for entry in std::fs::read_dir(repo_dir.join("targets")).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            std::fs::write(&p, b"made by an attacker\n").unwrap();
        }
    }
    let out = download(&["readme.txt"]);
    assert!(
        out.status.success(),
        "cached valid target is not re-downloaded"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("already present and valid"));
    std::fs::remove_file(targets.join("readme.txt")).unwrap();
    let out = download(&["readme.txt"]);
    assert_eq!(out.status.code(), Some(1), "tampered target refused");
    assert!(!targets.join("readme.txt").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The repository workflow of `cyres repo` (its library, `cyres_tuf::Workspace`): init, a
/// security release signed with the channel key from its encrypted key file, a root key
/// rotation signed by old and new keys, and an online renewal. python-tuf must accept every
/// step and see the release with its channel metadata.
#[test]
fn python_tuf_ngclient_reads_a_cyres_repo_workspace() {
    use cyres_tuf::keyfile::{KdfParams, KeyFile};
    use cyres_tuf::workspace::{InitOptions, Settings};
    use cyres_tuf::{TargetCustom, Workspace};

    let py = python();
    let dir = temp_dir("ws");
    let now = time::OffsetDateTime::now_utc();
    let opts = InitOptions {
        settings: Settings::default(),
        offline_key_dir: dir.join("offline"),
        passphrase: "pw".into(),
        kdf: KdfParams::insecure_fast(),
    };
    let (mut ws, _) = Workspace::init(&dir.join("repo"), &opts, now).unwrap();
    let open = |role: &str| {
        KeyFile::read(&dir.join(format!("offline/{role}.key")))
            .unwrap()
            .decrypt(Some("pw"))
            .unwrap()
    };
    let custom = TargetCustom {
        product: "gw".into(),
        hardware: "rev-b".into(),
        version: "1.4.1".into(),
        channel: Channel::Security,
        fixes: vec!["CVE-2024-3094".into()],
        min_version: Some("1.0.0".into()),
    };
    ws.add_target("gw-1.4.1.img", b"fixed firmware", &custom, now)
        .unwrap();
    ws.sign("security", &open("security")).unwrap();
    ws.publish(now).unwrap();
    let new_root = cyres_tuf::SigningKey::generate().unwrap();
    let old_root = open("root");
    ws.rotate_keys(
        "root",
        &[new_root.public().clone()],
        &[old_root.key_id().to_string()],
        None,
        now,
    )
    .unwrap();
    ws.sign("root", &old_root).unwrap();
    ws.sign("root", &new_root).unwrap();
    ws.publish(now).unwrap();
    let renewed =
        cyres_tuf::renew_online_metadata(ws.dir(), now + time::Duration::hours(13)).unwrap();
    assert_eq!(renewed.timestamp_version, Some(4));
    let server = Server::start(dir.join("repo/published"));
    let out = run(Command::new(&py)
        .arg(interop_script("ngclient_download.py"))
        .args([
            server.url("metadata"),
            server.url("targets"),
            dir.join("repo/published/metadata/1.root.json")
                .display()
                .to_string(),
            dir.join("client").display().to_string(),
            "security/gw-1.4.1.img".into(),
        ]));
    assert!(
        out.status.success(),
        "python-tuf refused a cyres repo workspace"
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["versions"]["root"], 2);
    assert_eq!(summary["versions"]["timestamp"], 4);
    assert_eq!(
        summary["downloads"]["security/gw-1.4.1.img"]["custom"],
        custom.to_value()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
