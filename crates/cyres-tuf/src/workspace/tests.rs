//! Workspace tests: every published state is checked by the cyres client (the same §5 workflow
//! devices run), at fixed times.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use time::macros::datetime;

use super::*;
use crate::client::{Updater, UpdaterConfig};
use crate::memory::{MemoryStore, MemoryTransport};

const T0: OffsetDateTime = datetime!(2026-11-01 12:00 UTC);
const PASS: &str = "test passphrase";

/// A fresh directory for one test under the target directory.
fn temp(tag: &str) -> PathBuf {
    let d = cyres_kit::target_dir().join("workspace-tests").join(tag);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn init(tag: &str) -> (Workspace, BTreeMap<String, PathBuf>) {
    let dir = temp(tag);
    let opts = InitOptions {
        settings: Settings::default(),
        offline_key_dir: dir.join("offline"),
        passphrase: PASS.into(),
        kdf: KdfParams::insecure_fast(),
    };
    let (ws, keys) = Workspace::init(&dir, &opts, T0).unwrap();
    let keys = keys.into_iter().map(|k| (k.role, k.path)).collect();
    (ws, keys)
}

fn key(path: &Path) -> SigningKey {
    KeyFile::read(path).unwrap().decrypt(Some(PASS)).unwrap()
}

/// The published tree as a memory transport.
fn transport(ws: &Workspace) -> MemoryTransport {
    let mut files = BTreeMap::new();
    let base = ws.dir().join("published");
    for entry in walk(&base) {
        let rel = entry
            .strip_prefix(&base)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        files.insert(rel, std::fs::read(&entry).unwrap());
    }
    MemoryTransport::from_files(&files)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn custom(channel: Channel, version: &str) -> TargetCustom {
    TargetCustom {
        product: "gw".into(),
        hardware: "rev-b".into(),
        version: version.into(),
        channel,
        fixes: vec!["CVE-2024-3094".into()],
        min_version: None,
    }
}

fn root_v1(ws: &Workspace) -> Vec<u8> {
    std::fs::read(ws.metadata_dir().join("1.root.json")).unwrap()
}

#[test]
fn init_add_sign_publish_is_verified_by_the_client() {
    let (mut ws, keys) = init("flow");
    let root1 = root_v1(&ws);
    // The signed issue date a device compares its clock with.
    assert_eq!(ws.root().issued_at(), Some(T0));
    let path = ws
        .add_target(
            "gw-1.1.0.img",
            b"image 1.1.0",
            &custom(Channel::Security, "1.1.0"),
            T0,
        )
        .unwrap();
    assert_eq!(path, "security/gw-1.1.0.img");
    // Unsigned edit: publish must refuse.
    let err = ws.publish(T0).unwrap_err();
    assert!(
        matches!(err, Error::Threshold { ref role, .. } if role == "security"),
        "{err}"
    );
    // The feature key is not a security key.
    assert!(ws.sign("security", &key(&keys["feature"])).is_err());
    ws.sign("security", &key(&keys["security"])).unwrap();
    let report = ws.publish(T0).unwrap();
    assert_eq!(report.roles_written, vec![("security".to_string(), 2)]);
    assert_eq!(report.snapshot_version, 2);
    assert!(report.target_files >= 2, "sha256 and sha512 names");

    // Reopen from disk and check status.
    let ws = Workspace::open(ws.dir()).unwrap();
    let status = ws.status().unwrap();
    let sec = status.iter().find(|r| r.role == "security").unwrap();
    assert_eq!(
        (sec.published_version, sec.pending, sec.valid_signatures),
        (Some(2), false, 1)
    );

    let mut u = Updater::new(
        transport(&ws),
        MemoryStore::with_root(&root1),
        UpdaterConfig::default(),
        T0 + Duration::hours(1),
    )
    .unwrap();
    u.refresh().unwrap();
    let info = u.target_info(&path).unwrap().unwrap();
    assert_eq!(info.role, "security");
    assert_eq!(u.download_target(&info).unwrap(), b"image 1.1.0");
    let c = TargetCustom::from_target(&path, &info.file).unwrap();
    assert_eq!(c.version, "1.1.0");
}

#[test]
fn remove_target_and_feature_channel() {
    let (mut ws, keys) = init("remove");
    let p = ws
        .add_target(
            "gw-2.0.0.img",
            b"two",
            &custom(Channel::Feature, "2.0.0"),
            T0,
        )
        .unwrap();
    ws.sign("feature", &key(&keys["feature"])).unwrap();
    ws.publish(T0).unwrap();
    assert_eq!(ws.remove_target(&p, T0).unwrap(), "feature");
    assert!(matches!(
        ws.remove_target(&p, T0),
        Err(Error::TargetNotFound(_))
    ));
    ws.sign("feature", &key(&keys["feature"])).unwrap();
    ws.publish(T0).unwrap();
    let mut u = Updater::new(
        transport(&ws),
        MemoryStore::with_root(&root_v1(&ws)),
        UpdaterConfig::default(),
        T0,
    )
    .unwrap();
    assert!(u.target_info(&p).unwrap().is_none());
    assert_eq!(u.targets("feature").unwrap().version, 3);
}

#[test]
fn root_rotation_needs_old_and_new_keys() {
    let (mut ws, keys) = init("rotate");
    let root1 = root_v1(&ws);
    let new_root = SigningKey::generate().unwrap();
    let old_root = key(&keys["root"]);
    ws.rotate_keys(
        "root",
        &[new_root.public().clone()],
        &[old_root.key_id().to_string()],
        None,
        T0,
    )
    .unwrap();
    assert_eq!(ws.root().version, 2);
    // Only the new key: the old root's threshold is not met.
    ws.sign("root", &new_root).unwrap();
    assert!(ws.publish(T0).is_err());
    ws.sign("root", &old_root).unwrap();
    let report = ws.publish(T0).unwrap();
    assert!(report.root_written);
    let mut u = Updater::new(
        transport(&ws),
        MemoryStore::with_root(&root1),
        UpdaterConfig::default(),
        T0,
    )
    .unwrap();
    u.refresh().unwrap();
    assert_eq!(u.root().version, 2);
    // The old key can no longer sign root changes.
    ws.touch("root", T0).unwrap();
    ws.sign("root", &old_root).unwrap_err();
    // Threshold above the number of keys is refused.
    assert!(ws.rotate_keys("targets", &[], &[], Some(2), T0).is_err());
}

#[test]
fn delegated_key_rotation_and_online_key_rotation() {
    let (mut ws, keys) = init("deleg");
    let new_sec = SigningKey::generate().unwrap();
    let old_sec = key(&keys["security"]);
    ws.rotate_keys(
        "security",
        &[new_sec.public().clone()],
        &[old_sec.key_id().into()],
        None,
        T0,
    )
    .unwrap();
    // targets changed (delegation) and security re-issued: both need signatures.
    ws.sign("targets", &key(&keys["targets"])).unwrap();
    assert!(ws.sign("security", &old_sec).is_err());
    ws.sign("security", &new_sec).unwrap();
    ws.publish(T0).unwrap();
    // Online timestamp key rotation: a new plain key file in the online dir.
    let ts2 = SigningKey::generate().unwrap();
    KeyFile::plain(&ts2, "timestamp")
        .unwrap()
        .write_new(&ws.dir().join("keys/timestamp-2.key"))
        .unwrap();
    let old_ts = KeyFile::read(&keys["timestamp"]).unwrap().keyid;
    ws.rotate_keys("timestamp", &[ts2.public().clone()], &[old_ts], None, T0)
        .unwrap();
    ws.sign("root", &key(&keys["root"])).unwrap();
    ws.publish(T0).unwrap();
    let mut u = Updater::new(
        transport(&ws),
        MemoryStore::with_root(&root_v1(&ws)),
        UpdaterConfig::default(),
        T0,
    )
    .unwrap();
    u.refresh().unwrap();
    assert_eq!(
        u.root().role("timestamp").unwrap().keyids,
        vec![ts2.key_id().to_string()]
    );
    assert!(u.target_info("security/none").unwrap().is_none());
}

#[test]
fn renewal_keeps_online_metadata_fresh() {
    let (ws, _) = init("renew");
    let dir = ws.dir().to_path_buf();
    let root1 = root_v1(&ws);
    // An hour later nothing is due.
    let r = renew_online_metadata(&dir, T0 + Duration::hours(1)).unwrap();
    assert_eq!((r.snapshot_version, r.timestamp_version), (None, None));
    assert_eq!(r.next_due, T0 + Duration::hours(12));
    // Past half the timestamp's lifetime: a new timestamp only.
    let r = renew_online_metadata(&dir, T0 + Duration::hours(13)).unwrap();
    assert_eq!((r.snapshot_version, r.timestamp_version), (None, Some(2)));
    // Past half the snapshot's lifetime (3.5 days): both.
    let t = T0 + Duration::days(4);
    let r = renew_online_metadata(&dir, t).unwrap();
    assert_eq!(
        (r.snapshot_version, r.timestamp_version),
        (Some(2), Some(3))
    );
    assert!(r.warnings.is_empty());
    let ws = Workspace::open(&dir).unwrap();
    let mut u = Updater::new(
        transport(&ws),
        MemoryStore::with_root(&root1),
        UpdaterConfig::default(),
        t + Duration::hours(20),
    )
    .unwrap();
    u.refresh().unwrap();
    assert_eq!(u.timestamp().unwrap().version, 3);
    // Without renewal a client two days later sees an expired timestamp (freeze check).
    let mut late = Updater::new(
        transport(&ws),
        MemoryStore::with_root(&root1),
        UpdaterConfig::default(),
        t + Duration::days(2),
    )
    .unwrap();
    assert!(matches!(late.refresh(), Err(Error::Expired { .. })));
    // 80 days in, targets roles are close to expiry: warned.
    let r = renew_online_metadata(&dir, T0 + Duration::days(80)).unwrap();
    assert!(
        r.warnings.iter().any(|w| w.starts_with("targets expires")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn init_refuses_existing_repository() {
    let (ws, _) = init("twice");
    let opts = InitOptions {
        settings: Settings::default(),
        offline_key_dir: ws.dir().join("offline2"),
        passphrase: PASS.into(),
        kdf: KdfParams::insecure_fast(),
    };
    assert!(Workspace::init(ws.dir(), &opts, T0).is_err());
}

#[test]
fn publish_after_a_concurrent_renewal_does_not_reuse_versions() {
    let (mut ws, keys) = init("race");
    // The server renews while a person has the workspace open.
    let t = T0 + Duration::hours(13);
    let r = renew_online_metadata(ws.dir(), t).unwrap();
    assert_eq!(r.timestamp_version, Some(2));
    ws.add_target("gw-1.2.img", b"x", &custom(Channel::Security, "1.2"), t)
        .unwrap();
    ws.sign("security", &key(&keys["security"])).unwrap();
    let report = ws.publish(t).unwrap();
    assert_eq!(report.timestamp_version, 3);
    assert_eq!(report.snapshot_version, 2);
}

#[test]
fn plain_names_without_consistent_snapshots_are_overwritten() {
    let dir = temp("plain");
    let opts = InitOptions {
        settings: Settings {
            consistent_snapshot: false,
            ..Settings::default()
        },
        offline_key_dir: dir.join("offline"),
        passphrase: PASS.into(),
        kdf: KdfParams::insecure_fast(),
    };
    let (mut ws, keys) = Workspace::init(&dir, &opts, T0).unwrap();
    let sec = keys
        .iter()
        .find(|k| k.role == "security")
        .map(|k| key(&k.path))
        .unwrap();
    for content in [&b"first build"[..], b"second build"] {
        ws.add_target("fw.img", content, &custom(Channel::Security, "1.1"), T0)
            .unwrap();
        ws.sign("security", &sec).unwrap();
        ws.publish(T0).unwrap();
    }
    assert!(ws.metadata_dir().join("snapshot.json").is_file());
    assert!(ws.metadata_dir().join("security.json").is_file());
    let mut u = Updater::new(
        transport(&ws),
        MemoryStore::with_root(&root_v1(&ws)),
        UpdaterConfig::default(),
        T0,
    )
    .unwrap();
    let info = u.target_info("security/fw.img").unwrap().unwrap();
    assert_eq!(u.download_target(&info).unwrap(), b"second build");
}

#[test]
fn concurrent_staged_edits_hold_the_repository_lock() {
    let (ws, keys) = init("lock");
    let dir = ws.dir().to_path_buf();
    drop(ws);
    // While one edit holds the lock, another cannot take it …
    let held = Workspace::open_locked(&dir).unwrap();
    let probe = std::fs::OpenOptions::new()
        .write(true)
        .open(dir.join(".cyres-repo.lock"))
        .unwrap();
    assert!(probe.try_lock().is_err(), "lock is held");
    drop(held);
    probe.try_lock().unwrap();
    drop(probe);
    // … so eight writers staging into the same role at once all keep their target.
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let dir = dir.clone();
            let sec = keys["security"].clone();
            std::thread::spawn(move || {
                let mut ws = Workspace::open_locked(&dir).unwrap();
                let name = format!("gw-{i}.img");
                ws.add_target(
                    &name,
                    name.as_bytes(),
                    &custom(Channel::Security, "2.0"),
                    T0,
                )
                .unwrap();
                ws.sign("security", &key(&sec)).unwrap();
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let mut ws = Workspace::open_locked(&dir).unwrap();
    let listed = ws.targets("security").unwrap().targets.len();
    assert_eq!(listed, 8, "no edit lost");
    // Publishing while holding the lock from open_locked does not wait for itself.
    ws.publish(T0).unwrap();
}

#[test]
fn hash_bins_are_created_filled_and_rebalanced() {
    let (mut ws, keys) = init("bins");
    let root1 = root_v1(&ws);
    let sec = key(&keys["security"]);
    let bin_key = SigningKey::generate().unwrap();
    let names = ws
        .create_bins("security", "sec-bin", 2, &[bin_key.public().clone()], 1, T0)
        .unwrap();
    assert_eq!(names, ["sec-bin-0", "sec-bin-1", "sec-bin-2", "sec-bin-3"]);
    // A second delegation of the same role, or a bit length out of range, is refused.
    assert!(
        ws.create_bins("security", "x", 2, &[bin_key.public().clone()], 1, T0)
            .is_err()
    );
    assert!(
        ws.create_bins("feature", "f", 17, &[bin_key.public().clone()], 1, T0)
            .is_err()
    );
    let files: Vec<String> = (0..6).map(|i| format!("gw-1.{i}.img")).collect();
    for f in &files {
        ws.add_target(f, f.as_bytes(), &custom(Channel::Security, "1.5"), T0)
            .unwrap();
    }
    assert!(ws.targets("security").unwrap().targets.is_empty());
    let sign_pending = |ws: &mut Workspace| {
        for row in ws.status().unwrap() {
            if row.pending && !row.online && row.valid_signatures < row.threshold as usize {
                let k = if row.role == "security" {
                    &sec
                } else {
                    &bin_key
                };
                ws.sign(&row.role, k).unwrap();
            }
        }
    };
    sign_pending(&mut ws);
    ws.publish(T0).unwrap();
    let check = |ws: &Workspace, store: MemoryStore, bits: u32| -> MemoryStore {
        let mut u = Updater::new(transport(ws), store, UpdaterConfig::default(), T0).unwrap();
        u.refresh().unwrap();
        let bins = ws.bins_of("security").unwrap().clone();
        assert_eq!(bins.bit_length, bits);
        for f in &files {
            let path = format!("security/{f}");
            let info = u
                .target_info(&path)
                .unwrap()
                .expect("found through its bin");
            assert_eq!(info.role, bins.role_for_target(&path));
            assert_eq!(u.download_target(&info).unwrap(), f.as_bytes());
        }
        u.into_store()
    };
    let store = check(&ws, MemoryStore::with_root(&root1), 2);
    // More bins: every target moves to its new bin; a client that trusted the old layout
    // accepts the new snapshot (retired bins stay listed, versions only grow).
    let names = ws.rebalance_bins("security", 4, T0).unwrap();
    assert_eq!(names.len(), 16);
    let moved: usize = names
        .iter()
        .map(|n| ws.targets(n).unwrap().targets.len())
        .sum();
    assert_eq!(moved, files.len());
    sign_pending(&mut ws);
    ws.publish(T0).unwrap();
    let store = check(&ws, store, 4);
    // Fewer again, from a freshly opened workspace: bins 4..f are retired but still listed.
    let mut ws = Workspace::open_locked(ws.dir()).unwrap();
    ws.rebalance_bins("security", 1, T0).unwrap();
    assert!(ws.targets("sec-bin-5").is_none());
    sign_pending(&mut ws);
    ws.publish(T0).unwrap();
    let store = check(&ws, store, 1);
    let snap = ws.published.snapshot.as_ref().unwrap();
    assert!(snap.signed.meta.contains_key("sec-bin-f.json"));
    // And back up: a bin name that returns continues above its retired version.
    let retired = snap.signed.meta["sec-bin-f.json"].version;
    ws.rebalance_bins("security", 4, T0).unwrap();
    assert_eq!(ws.targets("sec-bin-f").unwrap().version, retired + 1);
    sign_pending(&mut ws);
    ws.publish(T0).unwrap();
    check(&ws, store, 4);
}
