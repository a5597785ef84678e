//! Real repositories from the kit (`tuf/tuf-conformance-static-data.tar.zst`): the Sigstore
//! root-signing history with real ECDSA P-256 signatures, and a tuf-on-ci 0.11 repository. Both
//! have expired in real time, so the update runs at the time recorded in their `faketime` file.
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use cyres_tuf::metadata::parse_time;
use cyres_tuf::{
    Error, MemoryStore, MemoryTransport, Metadata, Root, Signed, Updater, UpdaterConfig,
};

const ARCHIVE: &str = "tuf/tuf-conformance-static-data.tar.zst";

fn repo_dir(name: &str) -> PathBuf {
    // cyres-kit names its temporary unpack folder after the process id, so threads of one test
    // binary must not unpack concurrently: unpack once behind a lock.
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| cyres_kit::unpacked_path(ARCHIVE, "tuf-static/tuf_conformance/static_data"))
        .join(name)
}

fn read_tree(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Vec<u8>>) {
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type().unwrap().is_dir() {
            read_tree(&entry.path(), &format!("{name}/"), out);
        } else {
            out.insert(name, fs::read(entry.path()).unwrap());
        }
    }
}

fn transport(dir: &Path) -> MemoryTransport {
    let mut t = MemoryTransport::default();
    read_tree(&dir.join("metadata"), "", &mut t.metadata);
    read_tree(&dir.join("targets"), "", &mut t.targets);
    t
}

fn faketime(dir: &Path) -> time::OffsetDateTime {
    let raw = fs::read_to_string(dir.join("faketime")).unwrap();
    // `2025-02-09 12:02:08+00:00`: ISO 8601 with a space; make it RFC 3339.
    parse_time(&raw.trim().replacen(' ', "T", 1)).unwrap()
}

/// Refreshes from `initial` and downloads the kit's `targetpath`; returns the updater.
fn refresh_and_download(dir: &Path, initial: &[u8]) -> Updater<MemoryTransport, MemoryStore> {
    let mut up = Updater::new(
        transport(dir),
        MemoryStore::with_root(initial),
        UpdaterConfig::default(),
        faketime(dir),
    )
    .expect("trusted root loads");
    up.refresh()
        .unwrap_or_else(|e| panic!("refresh failed: {e}; events: {:?}", up.events()));
    let target = fs::read_to_string(dir.join("targetpath"))
        .unwrap()
        .trim()
        .to_string();
    let info = up.target_info(&target).unwrap().expect("target is listed");
    let bytes = up.download_target(&info).unwrap();
    assert_eq!(bytes.len() as u64, info.file.length);
    up
}

#[test]
fn sigstore_walks_root_chain_v1_to_v12_with_real_ecdsa_signatures() {
    let dir = repo_dir("sigstore-root-signing");
    let v1 = fs::read(dir.join("metadata/1.root.json")).unwrap();
    let up = refresh_and_download(&dir, &v1);
    assert_eq!(up.root().version, 12);
    assert_eq!(up.timestamp().unwrap().version, 272);
    assert_eq!(up.snapshot().unwrap().version, 159);
    assert_eq!(up.targets("targets").unwrap().version, 11);
    let fetched = up.transport().requests();
    for v in 2..=13 {
        assert!(
            fetched.contains(&format!("metadata/{v}.root.json")),
            "walked to v{v}: {fetched:?}"
        );
    }
    let store = up.into_store();
    assert_eq!(
        Metadata::<Root>::from_bytes(&store.files["root"])
            .unwrap()
            .signed
            .version,
        12
    );
}

#[test]
fn sigstore_from_initial_root_and_delegated_role() {
    let dir = repo_dir("sigstore-root-signing");
    let initial = fs::read(dir.join("initial_root.json")).unwrap();
    let mut up = refresh_and_download(&dir, &initial);
    // The delegated role registry.npmjs.org (v5) verifies with its own ECDSA key.
    let info = up
        .target_info("registry.npmjs.org/keys.json")
        .unwrap()
        .expect("listed by delegated role");
    assert_eq!(info.role, "registry.npmjs.org");
    assert_eq!(up.targets("registry.npmjs.org").unwrap().version, 5);
}

#[test]
fn sigstore_is_expired_in_real_time() {
    let dir = repo_dir("sigstore-root-signing");
    let initial = fs::read(dir.join("initial_root.json")).unwrap();
    let now = parse_time("2026-11-27T00:00:00Z").unwrap();
    let mut up = Updater::new(
        transport(&dir),
        MemoryStore::with_root(&initial),
        UpdaterConfig::default(),
        now,
    )
    .unwrap();
    assert!(matches!(up.refresh(), Err(Error::Expired { .. })));
}

#[test]
fn tuf_on_ci_repository_refreshes_and_downloads_from_delegated_role() {
    let dir = repo_dir("tuf-on-ci-0.11");
    let initial = fs::read(dir.join("initial_root.json")).unwrap();
    let mut up = refresh_and_download(&dir, &initial);
    let info = up.target_info("delegatedrole/artifact").unwrap().unwrap();
    assert_eq!(info.role, "delegatedrole");
    assert!(up.root().expires_at().unwrap() > faketime(&dir));
    assert!(
        up.transport()
            .requests()
            .iter()
            .any(|r| r.starts_with("targets/delegatedrole/") && r.ends_with(".artifact")),
        "target fetched with its hash prefix"
    );
}
