//! `cyres repo` end to end: the real binary builds, signs, publishes and rotates a repository,
//! and the cyres TUF client (the workflow devices run) verifies every published state.
//!
//! Key files use `--insecure-fast-kdf` (tiny Argon2 costs) so debug test runs stay fast; the
//! passphrase comes from `CYRES_KEY_PASSPHRASE`.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use cyres_tuf::{MemoryStore, MemoryTransport, TargetCustom, Updater, UpdaterConfig};
use time::OffsetDateTime;

const PASS: &str = "repo cli passphrase";

fn scratch(name: &str) -> PathBuf {
    let dir = cyres_kit::target_dir().join("repo-cli-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Runs `cyres repo --repo DIR --insecure-fast-kdf ARGS…`; returns exit code, stdout, stderr.
fn repo(dir: &Path, args: &[&str], passphrase: &str) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cyres"))
        .arg("repo")
        .arg("--repo")
        .arg(dir)
        .arg("--insecure-fast-kdf")
        .args(args)
        .env("CYRES_KEY_PASSPHRASE", passphrase)
        .output()
        .expect("run cyres");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let (code, out, err) = repo(dir, args, PASS);
    assert_eq!(code, 0, "cyres repo {args:?} failed: {err}\n{out}");
    out
}

fn key(dir: &Path, role: &str) -> String {
    dir.join("keys")
        .join(format!("{role}.key"))
        .display()
        .to_string()
}

/// A client at `now` that trusts root v1 and reads the published tree from disk.
fn client(dir: &Path) -> Updater<MemoryTransport, MemoryStore> {
    let base = dir.join("published");
    let mut files = BTreeMap::new();
    let mut stack = vec![base.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(&base)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let root = std::fs::read(base.join("metadata/1.root.json")).unwrap();
    Updater::new(
        MemoryTransport::from_files(&files),
        MemoryStore::with_root(&root),
        UpdaterConfig::default(),
        OffsetDateTime::now_utc(),
    )
    .unwrap()
}

#[test]
fn init_add_target_publish_status() {
    let dir = scratch("workflow");
    let out = ok(&dir, &["init"]);
    assert!(out.contains("initialised TUF repository"), "{out}");
    for role in [
        "root",
        "targets",
        "security",
        "feature",
        "snapshot",
        "timestamp",
    ] {
        assert!(dir.join(format!("keys/{role}.key")).is_file(), "{role} key");
    }
    let image = dir.join("gw-1.4.1.img");
    std::fs::write(&image, b"firmware 1.4.1").unwrap();
    let image = image.display().to_string();
    let sec_key = key(&dir, "security");
    ok(
        &dir,
        &[
            "add-target",
            &image,
            "--channel",
            "security",
            "--product",
            "gw",
            "--hardware",
            "rev-b",
            "--version",
            "1.4.1",
            "--fixes",
            "CVE-2024-3094,GHSA-xxxx-yyyy-zzzz",
            "--min-version",
            "1.0.0",
            "--sign-with",
            &sec_key,
        ],
    );
    let out = ok(&dir, &["publish"]);
    assert!(out.contains("published security v2"), "{out}");

    let table = ok(&dir, &["status"]);
    for role in [
        "root",
        "targets",
        "security",
        "feature",
        "snapshot",
        "timestamp",
    ] {
        assert!(
            table.lines().any(|l| l.starts_with(role)),
            "{role} row in\n{table}"
        );
    }
    let json: serde_json::Value =
        serde_json::from_str(&ok(&dir, &["status", "--format", "json"])).unwrap();
    let sec = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["role"] == "security")
        .unwrap();
    assert_eq!(sec["published_version"], 2);
    assert_eq!(sec["valid_signatures"], 1);
    assert_eq!(sec["pending"], false);

    let mut u = client(&dir);
    u.refresh().unwrap();
    let info = u
        .target_info("security/gw-1.4.1.img")
        .unwrap()
        .expect("target listed");
    assert_eq!(info.role, "security");
    assert_eq!(u.download_target(&info).unwrap(), b"firmware 1.4.1");
    let c = TargetCustom::from_target(&info.path, &info.file).unwrap();
    assert_eq!(c.fixes, ["CVE-2024-3094", "GHSA-xxxx-yyyy-zzzz"]);
    assert_eq!(c.min_version.as_deref(), Some("1.0.0"));

    // Removing it needs the security key again before publishing.
    ok(&dir, &["remove-target", "security/gw-1.4.1.img"]);
    let (code, _, err) = repo(&dir, &["publish"], PASS);
    assert_eq!(code, 2);
    assert!(err.contains("threshold"), "{err}");
    ok(&dir, &["sign", "--role", "security", "--key", &sec_key]);
    ok(&dir, &["publish"]);
    let mut u = client(&dir);
    assert!(u.target_info("security/gw-1.4.1.img").unwrap().is_none());
}

#[test]
fn wrong_key_and_wrong_passphrase_are_refused() {
    let dir = scratch("refusals");
    ok(&dir, &["init"]);
    let image = dir.join("fw.img");
    std::fs::write(&image, b"feature build").unwrap();
    let image = image.display().to_string();
    // The security key cannot sign the feature channel.
    let (code, _, err) = repo(
        &dir,
        &[
            "add-target",
            &image,
            "--channel",
            "feature",
            "--product",
            "gw",
            "--hardware",
            "b",
            "--version",
            "2.0.0",
            "--sign-with",
            &key(&dir, "security"),
        ],
        PASS,
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a key of role feature"), "{err}");
    let (code, _, err) = repo(
        &dir,
        &["sign", "--role", "feature", "--key", &key(&dir, "feature")],
        "not the passphrase",
    );
    assert_eq!(code, 2);
    assert!(err.contains("wrong passphrase"), "{err}");
}

#[test]
fn rotate_root_key_and_threshold() {
    let dir = scratch("rotate");
    ok(&dir, &["init"]);
    let new_key = dir.join("root-2.key").display().to_string();
    let new_id = ok(
        &dir,
        &["key", "generate", "--out", &new_key, "--label", "root"],
    );
    let new_id = new_id.trim();
    assert_eq!(new_id.len(), 64);
    let show = ok(&dir, &["key", "show", &new_key]);
    assert!(
        show.starts_with(new_id) && show.contains("encrypted"),
        "{show}"
    );
    // Two root keys, threshold 2, signed by the old key only: not enough for the new root.
    ok(
        &dir,
        &[
            "rotate-root",
            "--add-key",
            &new_key,
            "--threshold",
            "2",
            "--sign-with",
            &key(&dir, "root"),
        ],
    );
    let (code, _, err) = repo(&dir, &["publish"], PASS);
    assert_eq!(code, 2, "{err}");
    ok(&dir, &["sign", "--role", "root", "--key", &new_key]);
    let out = ok(&dir, &["publish"]);
    assert!(out.contains("published root v2"), "{out}");
    assert!(dir.join("published/metadata/2.root.json").is_file());
    let mut u = client(&dir);
    u.refresh().unwrap();
    assert_eq!(u.root().version, 2);
    assert_eq!(u.root().role("root").unwrap().threshold, 2);
    // Renewal with nothing due.
    assert!(ok(&dir, &["renew"]).contains("nothing due"));
}

#[test]
fn rotate_a_channel_key_in_the_delegation() {
    let dir = scratch("rotate-channel");
    ok(&dir, &["init"]);
    let old_sec = key(&dir, "security");
    let old_id = repo(&dir, &["key", "show", &old_sec], PASS).1;
    let old_id = old_id.split_whitespace().next().unwrap().to_string();
    let new_sec = dir.join("security-2.key").display().to_string();
    ok(
        &dir,
        &["key", "generate", "--out", &new_sec, "--label", "security"],
    );
    // The delegation lives in targets: targets and the re-issued security role need signing.
    let out = ok(
        &dir,
        &[
            "rotate-root",
            "--role",
            "security",
            "--add-key",
            &new_sec,
            "--remove-key",
            &old_id,
            "--sign-with",
            &key(&dir, "targets"),
            "--sign-with",
            &new_sec,
        ],
    );
    assert!(out.contains("roles to sign: targets, security"), "{out}");
    ok(&dir, &["publish"]);
    // The old channel key is no longer accepted.
    let image = dir.join("fix.img");
    std::fs::write(&image, b"fix").unwrap();
    let image = image.display().to_string();
    let args = [
        "add-target",
        &image,
        "--channel",
        "security",
        "--product",
        "gw",
        "--hardware",
        "b",
        "--version",
        "1.0.1",
        "--sign-with",
    ];
    let (code, _, err) = repo(&dir, &[&args[..], &[old_sec.as_str()]].concat(), PASS);
    assert_eq!(code, 2, "{err}");
    ok(&dir, &["sign", "--role", "security", "--key", &new_sec]);
    ok(&dir, &["publish"]);
    let mut u = client(&dir);
    assert!(u.target_info("security/fix.img").unwrap().is_some());
}

fn python_tuf() -> PathBuf {
    let py = cyres_kit::workspace_root().join("target/oracles/tuf-venv/bin/python");
    assert!(
        py.is_file(),
        "python-tuf venv not found at {}: run scripts/python-tuf.sh (the interop tests never skip)",
        py.display()
    );
    py
}

/// python-tuf's ngclient reads the published repository (served on loopback by the script
/// itself) into `workdir` and downloads `targets`; returns its JSON summary.
fn ngclient_read(dir: &Path, workdir: &Path, targets: &[String]) -> serde_json::Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/repo_interop/ngclient_bins.py");
    let out = Command::new(python_tuf())
        .arg(script)
        .arg(dir.join("published"))
        .arg(dir.join("published/metadata/1.root.json"))
        .arg(workdir)
        .arg("security")
        .args(targets)
        .output()
        .expect("run python-tuf");
    assert!(
        out.status.success(),
        "python-tuf failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("python-tuf summary")
}

/// `cyres repo bins create | rebalance` and `add-target` into bins, read by python-tuf (the
/// reference implementation) before and after a rebalance with the same trusted state, and by
/// the cyres client.
#[test]
fn hash_bins_made_by_the_cli_are_read_by_python_tuf() {
    let dir = scratch("bins");
    ok(&dir, &["init"]);
    let bins_key = dir.join("keys/bins.key").display().to_string();
    ok(
        &dir,
        &["key", "generate", "--out", &bins_key, "--label", "bins"],
    );
    let sec_key = key(&dir, "security");
    let out = ok(
        &dir,
        &[
            "bins",
            "create",
            "--parent",
            "security",
            "--bit-length",
            "3",
            "--key",
            &bins_key,
            "--sign-with",
            &sec_key,
            "--sign-with",
            &bins_key,
        ],
    );
    assert!(out.contains("8 hash bins"), "{out}");
    let mut targets = Vec::new();
    for i in 0..6 {
        let image = dir.join(format!("gw-1.{i}.img"));
        std::fs::write(&image, format!("firmware 1.{i}")).unwrap();
        let out = ok(
            &dir,
            &[
                "add-target",
                &image.display().to_string(),
                "--channel",
                "security",
                "--product",
                "gw",
                "--hardware",
                "rev-b",
                "--version",
                &format!("1.{i}"),
                "--sign-with",
                &bins_key,
            ],
        );
        assert!(out.contains("in role security-bin-"), "{out}");
        targets.push(format!("security/gw-1.{i}.img"));
    }
    ok(&dir, &["publish"]);
    let show = ok(&dir, &["bins", "show"]);
    assert!(show.contains("2^3 bins security-bin-*"), "{show}");

    let check = |summary: &serde_json::Value, bits: u64| {
        assert_eq!(summary["bit_length"], bits, "{summary}");
        assert_eq!(summary["missing_is_none"], true);
        let fetched: Vec<&str> = summary["bins_fetched"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_str().unwrap())
            .collect();
        let mut u = client(&dir);
        for (i, t) in targets.iter().enumerate() {
            let d = &summary["downloads"][t];
            assert_eq!(d["content"], format!("firmware 1.{i}"), "{t}");
            assert_eq!(d["custom"]["version"], format!("1.{i}"));
            // python-tuf's bin for the path is the one cyres filed it in.
            let bin = summary["bin_of"][t].as_str().unwrap();
            assert!(fetched.contains(&bin), "{bin} in {fetched:?}");
            assert_eq!(u.target_info(t).unwrap().unwrap().role, bin, "{t}");
        }
    };
    let workdir = dir.join("python-tuf");
    check(&ngclient_read(&dir, &workdir, &targets), 3);

    // Rebalance to 32 bins; python-tuf keeps its trusted snapshot from the first read, so the
    // retired bins must stay listed and no version may go back.
    ok(
        &dir,
        &[
            "bins",
            "rebalance",
            "--bit-length",
            "5",
            "--sign-with",
            &sec_key,
        ],
    );
    let (code, _, err) = repo(&dir, &["publish"], PASS);
    assert_eq!(code, 2, "unsigned bins must not publish");
    assert!(err.contains("threshold"), "{err}");
    let out = ok(&dir, &["sign", "--pending", "--key", &bins_key]);
    assert!(out.contains("signed security-bin-1f"), "{out}");
    ok(&dir, &["publish"]);
    check(&ngclient_read(&dir, &workdir, &targets), 5);
}

/// Staged edits take the repository lock: concurrent `add-target` runs into one role all keep
/// their target.
#[test]
fn concurrent_add_target_runs_lose_nothing() {
    let dir = scratch("concurrent");
    ok(&dir, &["init"]);
    let sec_key = key(&dir, "security");
    let children: Vec<_> = (0..6)
        .map(|i| {
            let image = dir.join(format!("fw-{i}.img"));
            std::fs::write(&image, format!("image {i}")).unwrap();
            Command::new(env!("CARGO_BIN_EXE_cyres"))
                .arg("repo")
                .arg("--repo")
                .arg(&dir)
                .arg("--insecure-fast-kdf")
                .arg("add-target")
                .arg(&image)
                .args([
                    "--channel",
                    "security",
                    "--product",
                    "gw",
                    "--hardware",
                    "rev-b",
                ])
                .args(["--version", &format!("2.{i}"), "--sign-with", &sec_key])
                .env("CYRES_KEY_PASSPHRASE", PASS)
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    ok(&dir, &["publish"]);
    let mut u = client(&dir);
    for i in 0..6 {
        let info = u
            .target_info(&format!("security/fw-{i}.img"))
            .unwrap()
            .unwrap_or_else(|| panic!("fw-{i}.img lost"));
        assert_eq!(
            u.download_target(&info).unwrap(),
            format!("image {i}").as_bytes()
        );
    }
}
