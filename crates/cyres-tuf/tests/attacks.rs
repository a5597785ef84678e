//! One test per TUF attack against a repository built with [`cyres_tuf::Repository`], run
//! through the client workflow in memory at a fixed time.
//!
//! [`Fx`] is the one fixture builder: a consistent-snapshot repository with the cyres channel
//! layout (`security/*` and `feature/*` delegated to their own keys), three targets, and a
//! `tamper` helper that edits one role's `signed` object and re-signs it with chosen keys (and
//! keeps timestamp's snapshot hash in step when snapshot is edited).
#![allow(clippy::unwrap_used)] // a test or bench: a panic is its failure report

use std::sync::Arc;

use cyres_tuf::cjson;
use cyres_tuf::crypto::hex_encode;
use cyres_tuf::metadata::parse_time;
use cyres_tuf::pathpattern::local_path;
use cyres_tuf::{
    Channel, Error, MemoryStore, MemoryTransport, Repository, SigningKey, TargetCustom, Updater,
    UpdaterConfig,
};
use serde_json::{Value, json};
use time::OffsetDateTime;

type Client = Updater<MemoryTransport, MemoryStore>;

struct Fx {
    repo: Repository,
    now: OffsetDateTime,
    initial_root: Vec<u8>,
}

const SECURITY_TARGET: &str = "security/gw-1.0.1.bin";
const FEATURE_TARGET: &str = "feature/gw-1.1.0.bin";

fn custom(channel: &str, version: &str, fixes: &[&str]) -> Value {
    json!({"product": "gw", "hardware": "rev-b", "version": version, "channel": channel,
           "fixes": fixes, "min_version": "1.0.0"})
}

fn sign_value(signed: &Value, keys: &[&SigningKey]) -> Vec<u8> {
    let canonical = cjson::to_canonical(signed).unwrap();
    let sigs: Vec<Value> = keys
        .iter()
        .map(|k| json!({"keyid": k.key_id(), "sig": hex_encode(&k.sign(&canonical))}))
        .collect();
    serde_json::to_vec(&json!({"signed": signed, "signatures": sigs})).unwrap()
}

impl Fx {
    fn new() -> Fx {
        let now = parse_time("2030-01-01T00:00:00Z").unwrap();
        let mut repo = Repository::new(parse_time("2030-06-01T00:00:00Z").unwrap(), true).unwrap();
        repo.add_channels(1, 1, 1, 1).unwrap();
        repo.add_target("targets", "readme.txt", b"cyres gateway firmware\n", None)
            .unwrap();
        repo.add_target(
            "security",
            SECURITY_TARGET,
            b"fw 1.0.1",
            Some(custom("security", "1.0.1", &["CVE-2024-3094"])),
        )
        .unwrap();
        repo.add_target(
            "feature",
            FEATURE_TARGET,
            b"fw 1.1.0",
            Some(custom("feature", "1.1.0", &[])),
        )
        .unwrap();
        repo.publish().unwrap();
        let initial_root = repo.root_bytes().unwrap();
        Fx {
            repo,
            now,
            initial_root,
        }
    }

    fn client(&self) -> Client {
        self.client_with(MemoryStore::with_root(&self.initial_root))
    }

    fn client_with(&self, store: MemoryStore) -> Client {
        let transport = MemoryTransport::from_files(self.repo.files());
        Updater::new(transport, store, UpdaterConfig::default(), self.now).unwrap()
    }

    fn key(&self, role: &str) -> Arc<SigningKey> {
        self.repo.keys(role)[0].clone()
    }

    /// The published file name of `role`'s current metadata.
    fn file_of(&self, role: &str) -> String {
        match role {
            "timestamp" => "metadata/timestamp.json".into(),
            "snapshot" => format!("metadata/{}.snapshot.json", self.repo.snapshot.version),
            "root" => format!("metadata/{}.root.json", self.repo.root.version),
            r => format!("metadata/{}.{r}.json", self.repo.targets[r].version),
        }
    }

    /// Edits `role`'s signed object and re-signs it with `signers`.
    fn tamper(&mut self, role: &str, signers: &[&SigningKey], edit: impl FnOnce(&mut Value)) {
        self.tamper_dyn(role, signers, Box::new(edit));
    }

    fn tamper_dyn(
        &mut self,
        role: &str,
        signers: &[&SigningKey],
        edit: Box<dyn FnOnce(&mut Value) + '_>,
    ) {
        let file = self.file_of(role);
        let mut env: Value = serde_json::from_slice(&self.repo.files()[&file]).unwrap();
        edit(&mut env["signed"]);
        let bytes = sign_value(&env["signed"], signers);
        self.repo.files_mut().insert(file, bytes.clone());
        if role == "snapshot" {
            let ts_key = self.key("timestamp");
            let sha256 =
                hex_encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &bytes).as_ref());
            self.tamper_dyn(
                "timestamp",
                &[&ts_key],
                Box::new(move |ts: &mut Value| {
                    ts["meta"]["snapshot.json"]["length"] = json!(bytes.len());
                    ts["meta"]["snapshot.json"]["hashes"] = json!({ "sha256": sha256 });
                }),
            );
        }
    }

    /// Refreshes a fresh client and returns the error.
    fn refresh_err(&self) -> Error {
        self.client().refresh().expect_err("refresh must fail")
    }
}

#[test]
fn fresh_repository_refreshes_and_downloads_both_channels() {
    let fx = Fx::new();
    let mut c = fx.client();
    c.refresh().unwrap();
    for (name, channel) in [
        (SECURITY_TARGET, Channel::Security),
        (FEATURE_TARGET, Channel::Feature),
    ] {
        let info = c.target_info(name).unwrap().expect("found");
        assert_eq!(info.role, channel.role());
        let custom = TargetCustom::from_target(name, &info.file).unwrap();
        assert_eq!(custom.channel, channel);
        assert_eq!(
            c.download_target(&info).unwrap().len() as u64,
            info.file.length
        );
    }
    let store = c.into_store();
    for role in [
        "root",
        "timestamp",
        "snapshot",
        "targets",
        "security",
        "feature",
    ] {
        assert!(store.files.contains_key(role), "{role} persisted");
    }
}

#[test]
fn second_refresh_uses_stored_snapshot_and_targets() {
    let fx = Fx::new();
    let mut c = fx.client();
    c.refresh().unwrap();
    let store = c.into_store();
    let mut c2 = fx.client_with(store);
    c2.refresh().unwrap();
    let reqs = c2.transport().requests();
    assert_eq!(
        reqs,
        vec!["metadata/2.root.json", "metadata/timestamp.json"],
        "only root probe and timestamp"
    );
}

#[test]
fn expired_timestamp_is_a_freeze_attack() {
    let mut fx = Fx::new();
    let k = fx.key("timestamp");
    fx.tamper("timestamp", &[&k], |s| {
        s["expires"] = json!("2029-12-31T23:59:59Z")
    });
    assert!(matches!(fx.refresh_err(), Error::Expired { role, .. } if role == "timestamp"));
}

#[test]
fn expired_snapshot_is_a_freeze_attack() {
    let mut fx = Fx::new();
    let k = fx.key("snapshot");
    fx.tamper("snapshot", &[&k], |s| {
        s["expires"] = json!("2030-01-01T00:00:00Z")
    });
    assert!(matches!(fx.refresh_err(), Error::Expired { role, .. } if role == "snapshot"));
}

#[test]
fn expired_targets_is_a_freeze_attack() {
    let mut fx = Fx::new();
    let k = fx.key("targets");
    fx.tamper("targets", &[&k], |s| {
        s["expires"] = json!("2020-01-01T00:00:00Z")
    });
    assert!(matches!(fx.refresh_err(), Error::Expired { role, .. } if role == "targets"));
}

#[test]
fn expired_root_is_a_freeze_attack() {
    let fx = Fx::new();
    let transport = MemoryTransport::from_files(fx.repo.files());
    let late = parse_time("2031-01-01T00:00:00Z").unwrap();
    let mut c = Updater::new(
        transport,
        MemoryStore::with_root(&fx.initial_root),
        UpdaterConfig::default(),
        late,
    )
    .unwrap();
    assert!(matches!(c.refresh(), Err(Error::Expired { role, .. }) if role == "root"));
}

/// Trusts the current state, then publishes a newer one; returns the trusted store and the
/// older file set.
fn trusted_then_newer(fx: &mut Fx) -> (MemoryStore, std::collections::BTreeMap<String, Vec<u8>>) {
    let mut c = fx.client();
    c.refresh().unwrap();
    let old_files = fx.repo.files().clone();
    fx.repo.touch("targets");
    fx.repo.publish().unwrap();
    let mut c = fx.client_with(c.into_store());
    c.refresh().unwrap();
    (c.into_store(), old_files)
}

#[test]
fn timestamp_rollback_is_rejected() {
    let mut fx = Fx::new();
    let (store, old_files) = trusted_then_newer(&mut fx);
    *fx.repo.files_mut() = old_files;
    let err = fx.client_with(store).refresh().unwrap_err();
    assert!(
        matches!(err, Error::Version { ref role, found: 1, .. } if role == "timestamp"),
        "{err}"
    );
}

#[test]
fn snapshot_version_rollback_in_timestamp_is_rejected() {
    let mut fx = Fx::new();
    let (store, _) = trusted_then_newer(&mut fx);
    // A newer timestamp that points back at snapshot v1.
    let k = fx.key("timestamp");
    fx.tamper("timestamp", &[&k], |s| {
        s["version"] = json!(3);
        s["meta"]["snapshot.json"] = json!({"version": 1});
    });
    let err = fx.client_with(store).refresh().unwrap_err();
    assert!(
        matches!(err, Error::Version { ref role, found: 1, .. } if role.starts_with("snapshot")),
        "{err}"
    );
}

#[test]
fn targets_version_rollback_in_snapshot_is_rejected() {
    let mut fx = Fx::new();
    let (store, _) = trusted_then_newer(&mut fx);
    fx.repo.touch("feature");
    fx.repo.publish().unwrap();
    let k = fx.key("snapshot");
    fx.tamper("snapshot", &[&k], |s| {
        s["meta"]["targets.json"]["version"] = json!(1)
    });
    let err = fx.client_with(store).refresh().unwrap_err();
    assert!(
        matches!(err, Error::Version { ref role, found: 1, .. } if role == "targets.json (in snapshot)"),
        "{err}"
    );
}

#[test]
fn removed_targets_meta_in_snapshot_is_rejected() {
    let mut fx = Fx::new();
    let (store, _) = trusted_then_newer(&mut fx);
    fx.repo.touch("feature");
    fx.repo.publish().unwrap();
    let k = fx.key("snapshot");
    fx.tamper("snapshot", &[&k], |s| {
        s["meta"].as_object_mut().unwrap().remove("security.json");
    });
    let err = fx.client_with(store).refresh().unwrap_err();
    assert!(
        matches!(err, Error::SnapshotMetaRemoved { ref meta } if meta == "security.json"),
        "{err}"
    );
}

#[test]
fn root_version_rollback_is_rejected() {
    let mut fx = Fx::new();
    // 2.root.json that claims to be version 1 (signed properly).
    let k = fx.key("root");
    let mut env: Value = serde_json::from_slice(&fx.initial_root).unwrap();
    env["signed"]["expires"] = json!("2030-05-01T00:00:00Z");
    fx.repo.files_mut().insert(
        "metadata/2.root.json".into(),
        sign_value(&env["signed"], &[&k]),
    );
    assert!(matches!(fx.refresh_err(), Error::Version { role, found: 1, .. } if role == "root"));
}

#[test]
fn mix_and_match_snapshot_version_mismatch_is_rejected() {
    let mut fx = Fx::new();
    // Timestamp says snapshot v1 without hashes; the served 1.snapshot.json says version 2.
    let k = fx.key("snapshot");
    fx.tamper("snapshot", &[&k], |s| s["version"] = json!(2));
    let t = fx.key("timestamp");
    fx.tamper("timestamp", &[&t], |s| {
        s["meta"]["snapshot.json"] = json!({"version": 1})
    });
    let err = fx.refresh_err();
    assert!(
        matches!(err, Error::Version { ref role, found: 2, .. } if role == "snapshot"),
        "{err}"
    );
}

#[test]
fn mix_and_match_targets_version_mismatch_is_rejected() {
    let mut fx = Fx::new();
    let k = fx.key("targets");
    fx.tamper("targets", &[&k], |s| s["version"] = json!(7));
    let err = fx.refresh_err();
    assert!(
        matches!(err, Error::Version { ref role, found: 7, .. } if role == "targets"),
        "{err}"
    );
}

#[test]
fn snapshot_hash_mismatch_against_timestamp_is_rejected() {
    let mut fx = Fx::new();
    let name = fx.file_of("snapshot");
    // Same length, one byte changed: only the hash listed in timestamp can catch it.
    let file = fx.repo.files_mut().get_mut(&name).unwrap();
    let last = file.len() - 1;
    file[last] = b' ';
    assert!(matches!(fx.refresh_err(), Error::Integrity { .. }));
}

#[test]
fn threshold_not_met_is_rejected() {
    let mut fx = Fx::new();
    let k2 = Arc::new(SigningKey::generate().unwrap());
    let k1 = fx.key("targets");
    fx.repo
        .set_role_keys("targets", vec![k1.clone(), k2], 2)
        .unwrap();
    fx.repo.touch("targets");
    fx.repo.publish().unwrap();
    fx.tamper("targets", &[&k1], |_| {});
    let err = fx.refresh_err();
    assert!(
        matches!(err, Error::Threshold { ref role, valid: 1, threshold: 2 } if role == "targets"),
        "{err}"
    );
}

/// TUF §4.2: "The keyid MUST be unique in the "signatures" array". Every role's metadata
/// signed twice by its one trusted key (threshold 1, so counting the repeat once would pass)
/// is refused, and so is a repeat whose other copy carries a bogus signature.
#[test]
fn duplicate_key_ids_in_signatures_are_refused_at_every_role() {
    for role in ["timestamp", "snapshot", "targets", "security"] {
        let mut fx = Fx::new();
        let k = fx.key(role);
        fx.tamper(role, &[&k, &k], |_| {});
        let mut c = fx.client();
        // Delegated roles load during the target search, top-level ones during refresh.
        let err = c
            .refresh()
            .and_then(|()| c.target_info(SECURITY_TARGET).map(|_| ()))
            .expect_err(role);
        assert!(
            matches!(err, Error::DuplicateKeyId { ref keyid, .. } if keyid == k.key_id()),
            "{role}: {err}"
        );
    }
    // One valid and one garbage signature under the same key id.
    let mut fx = Fx::new();
    let k = fx.key("timestamp");
    fx.tamper("timestamp", &[&k], |_| {});
    let file = fx.file_of("timestamp");
    let mut env: Value = serde_json::from_slice(&fx.repo.files()[&file]).unwrap();
    let bogus = json!({"keyid": k.key_id(), "sig": "00".repeat(64)});
    env["signatures"].as_array_mut().unwrap().insert(0, bogus);
    fx.repo
        .files_mut()
        .insert(file, serde_json::to_vec(&env).unwrap());
    assert!(matches!(fx.refresh_err(), Error::DuplicateKeyId { role, .. } if role == "timestamp"));
    // The trusted root itself (TUF §5.2 loads it with the same parser).
    let fx = Fx::new();
    let mut env: Value = serde_json::from_slice(&fx.initial_root).unwrap();
    let k = fx.key("root");
    let root = sign_value(&env["signed"], &[&k, &k]);
    env = serde_json::from_slice(&root).unwrap();
    assert_eq!(env["signatures"].as_array().unwrap().len(), 2);
    let err = Updater::new(
        MemoryTransport::from_files(fx.repo.files()),
        MemoryStore::with_root(&root),
        UpdaterConfig::default(),
        fx.now,
    )
    .unwrap_err();
    assert!(matches!(err, Error::DuplicateKeyId { .. }), "{err}");
}

/// Publishes root v2 with a new root key set {n1, n2, n3} (threshold 2) and then re-signs
/// 2.root.json with `signers`.
fn rotate_root_and_sign(fx: &mut Fx, signers: &[&SigningKey], new_keys: &[Arc<SigningKey>]) {
    fx.repo.set_role_keys("root", new_keys.to_vec(), 2).unwrap();
    fx.repo.publish().unwrap();
    fx.tamper("root", signers, |_| {});
}

#[test]
fn root_rotation_needs_old_and_new_thresholds() {
    let new: Vec<Arc<SigningKey>> = (0..3)
        .map(|_| Arc::new(SigningKey::generate().unwrap()))
        .collect();
    // Signed by a threshold of new keys only: old root's threshold not met.
    let mut fx = Fx::new();
    rotate_root_and_sign(&mut fx, &[&new[0], &new[1]], &new);
    assert!(matches!(fx.refresh_err(), Error::Threshold { .. }));
    // Signed by the old key and one new key: new root's threshold (2) not met.
    let mut fx = Fx::new();
    let old = fx.key("root");
    rotate_root_and_sign(&mut fx, &[&old, &new[0]], &new);
    assert!(matches!(
        fx.refresh_err(),
        Error::Threshold {
            valid: 1,
            threshold: 2,
            ..
        }
    ));
    // Old key and two new keys: accepted, and the client persists root v2.
    let mut fx = Fx::new();
    let old = fx.key("root");
    rotate_root_and_sign(&mut fx, &[&old, &new[0], &new[2]], &new);
    let mut c = fx.client();
    c.refresh().unwrap();
    assert_eq!(c.root().version, 2);
}

/// TUF §5.3.4 with §4.2: a new root whose signatures repeat a key id is refused whether the
/// repeat is on the old root's side of the rotation or on the new one's, even when each
/// threshold would be met with the repeat counted once; the client stays on root v1.
#[test]
fn root_rotation_refuses_duplicate_key_ids_on_either_side() {
    let new: Vec<Arc<SigningKey>> = (0..3)
        .map(|_| Arc::new(SigningKey::generate().unwrap()))
        .collect();
    for (side, repeat_old, repeat_new) in [("old", 2, 1), ("new", 1, 2)] {
        for repeat in [true, false] {
            let mut fx = Fx::new();
            let old = fx.key("root");
            let mut signers: Vec<&SigningKey> = vec![&old, &new[0], &new[1]];
            if repeat {
                signers.extend(std::iter::repeat_n(&*old, repeat_old - 1));
                signers.extend(std::iter::repeat_n(&*new[0], repeat_new - 1));
            }
            rotate_root_and_sign(&mut fx, &signers, &new);
            let mut c = fx.client();
            if repeat {
                let err = c.refresh().unwrap_err();
                assert!(
                    matches!(err, Error::DuplicateKeyId { ref role, .. } if role == "root"),
                    "{side}: {err}"
                );
                assert_eq!(c.root().version, 1, "{side}");
            } else {
                // Without the repeat the same signers rotate fine.
                c.refresh().unwrap();
                assert_eq!(c.root().version, 2, "{side}");
            }
        }
    }
}

#[test]
fn revoked_timestamp_key_is_rejected_and_stored_timestamp_deleted() {
    let mut fx = Fx::new();
    let mut c = fx.client();
    c.refresh().unwrap();
    let store = c.into_store();
    let old_ts = fx.key("timestamp");
    let new_ts = Arc::new(SigningKey::generate().unwrap());
    fx.repo.set_role_keys("timestamp", vec![new_ts], 1).unwrap();
    fx.repo.publish().unwrap();
    // The attacker still holds the revoked key and signs a timestamp with it.
    fx.tamper("timestamp", &[&old_ts], |s| s["version"] = json!(9));
    let mut c = fx.client_with(store);
    let err = c.refresh().unwrap_err();
    assert!(
        matches!(err, Error::Threshold { ref role, .. } if role == "timestamp"),
        "{err}"
    );
    assert_eq!(c.root().version, 2);
    // TUF §5.3.11: the timestamp trusted under the old key is gone.
    assert!(!c.into_store().files.contains_key("timestamp"));
}

#[test]
fn target_hash_or_length_mismatch_is_rejected() {
    let mut fx = Fx::new();
    let paths: Vec<String> = fx
        .repo
        .files()
        .keys()
        .filter(|k| k.starts_with("targets/security/"))
        .cloned()
        .collect();
    for p in &paths {
        fx.repo.files_mut().insert(p.clone(), b"fw 6.6.6".to_vec());
    }
    let mut c = fx.client();
    let info = c.target_info(SECURITY_TARGET).unwrap().unwrap();
    assert!(matches!(
        c.download_target(&info),
        Err(Error::Integrity { .. })
    ));
    for p in &paths {
        fx.repo
            .files_mut()
            .insert(p.clone(), b"fw 1.0.1 and then some".to_vec());
    }
    let mut c = fx.client();
    let info = c.target_info(SECURITY_TARGET).unwrap().unwrap();
    assert!(matches!(
        c.download_target(&info),
        Err(Error::TooLarge { max: 8, .. })
    ));
}

#[test]
fn oversized_metadata_is_cut_off() {
    let mut fx = Fx::new();
    let mut huge = fx.repo.files()["metadata/timestamp.json"].clone();
    huge.extend(std::iter::repeat_n(b' ', 20_000));
    fx.repo
        .files_mut()
        .insert("metadata/timestamp.json".into(), huge);
    assert!(matches!(
        fx.refresh_err(),
        Error::TooLarge { max: 16_384, .. }
    ));
    let mut fx = Fx::new();
    fx.repo
        .files_mut()
        .insert("metadata/2.root.json".into(), vec![b' '; 600_000]);
    assert!(matches!(
        fx.refresh_err(),
        Error::TooLarge { max: 512_000, .. }
    ));
}

#[test]
fn target_path_traversal_is_refused_for_local_files() {
    let mut fx = Fx::new();
    let k = fx.key("targets");
    let entry = serde_json::to_value(cyres_tuf::TargetFile::describing(b"evil", None)).unwrap();
    fx.tamper("targets", &[&k], |s| {
        s["targets"]["../../etc/cron.d/evil"] = entry
    });
    let mut c = fx.client();
    let info = c
        .target_info("../../etc/cron.d/evil")
        .unwrap()
        .expect("signed entry exists");
    let err = local_path(std::path::Path::new("/var/lib/cyres/targets"), &info.path).unwrap_err();
    assert!(matches!(err, Error::UnsafeTargetPath { .. }));
}

#[test]
fn delegated_role_cannot_sign_outside_its_paths() {
    let mut fx = Fx::new();
    let k = fx.key("feature");
    let entry = serde_json::to_value(cyres_tuf::TargetFile::describing(b"x", None)).unwrap();
    fx.tamper("feature", &[&k], |s| {
        s["targets"]["tools/installer.sh"] = entry
    });
    let mut c = fx.client();
    assert_eq!(c.target_info("tools/installer.sh").unwrap(), None);
    // The feature role itself still verifies: its own targets resolve.
    assert!(c.target_info(FEATURE_TARGET).unwrap().is_some());
}

#[test]
fn feature_key_cannot_sign_security_target() {
    // Feature metadata listing a security/ path is never consulted for it.
    let mut fx = Fx::new();
    let k = fx.key("feature");
    let entry = serde_json::to_value(cyres_tuf::TargetFile::describing(b"backdoor", None)).unwrap();
    fx.tamper("feature", &[&k], |s| {
        s["targets"]["security/gw-9.9.9.bin"] = entry.clone()
    });
    let mut c = fx.client();
    assert_eq!(c.target_info("security/gw-9.9.9.bin").unwrap(), None);
    // Security metadata signed only by the feature key is rejected outright.
    let mut fx = Fx::new();
    let k = fx.key("feature");
    fx.tamper("security", &[&k], |s| {
        s["targets"]["security/gw-9.9.9.bin"] = entry
    });
    let mut c = fx.client();
    let err = c.target_info("security/gw-9.9.9.bin").unwrap_err();
    assert!(
        matches!(err, Error::Threshold { ref role, .. } if role == "security"),
        "{err}"
    );
}

#[test]
fn delegation_search_is_preorder_and_stops_at_terminating_roles() {
    let now = parse_time("2030-01-01T00:00:00Z").unwrap();
    let mut repo = Repository::new(parse_time("2030-06-01T00:00:00Z").unwrap(), false).unwrap();
    repo.add_delegation("targets", "a", vec!["x/*".into()], 1, 1, false)
        .unwrap();
    repo.add_delegation("a", "a1", vec!["x/*".into()], 1, 1, true)
        .unwrap();
    repo.add_delegation("targets", "b", vec!["x/*".into()], 1, 1, false)
        .unwrap();
    repo.add_target("b", "x/file", b"from b", None).unwrap();
    repo.add_target("a1", "x/other", b"from a1", None).unwrap();
    repo.publish().unwrap();
    let mk = || {
        Updater::new(
            MemoryTransport::from_files(repo.files()),
            MemoryStore::with_root(&repo.root_bytes().unwrap()),
            UpdaterConfig::default(),
            now,
        )
        .unwrap()
    };
    // a → a1 (terminating) is searched before b; a1 does not list x/file, so the search stops.
    let mut c = mk();
    assert_eq!(c.target_info("x/file").unwrap(), None);
    assert_eq!(c.target_info("x/other").unwrap().unwrap().role, "a1");
    let reqs = c.transport().requests();
    assert!(
        reqs.contains(&"metadata/a1.json".to_string())
            && !reqs.contains(&"metadata/b.json".to_string()),
        "{reqs:?}"
    );
    // With at most one visited role, the search gives up before a1.
    let mut c = Updater::new(
        MemoryTransport::from_files(repo.files()),
        MemoryStore::with_root(&repo.root_bytes().unwrap()),
        UpdaterConfig {
            max_delegations: 1,
            ..UpdaterConfig::default()
        },
        now,
    )
    .unwrap();
    assert_eq!(c.target_info("x/other").unwrap(), None);
}

#[test]
fn succinct_hash_bins_resolve_targets_to_their_bin_only() {
    let now = parse_time("2030-01-01T00:00:00Z").unwrap();
    let mut repo = Repository::new(parse_time("2030-06-01T00:00:00Z").unwrap(), true).unwrap();
    let bins = repo
        .add_succinct_delegation("targets", "bin", 3, 1, 1)
        .unwrap();
    for name in ["security/gw-1.0.1.bin", "a", "targets/file.txt"] {
        repo.add_target(&bins.role_for_target(name), name, name.as_bytes(), None)
            .unwrap();
    }
    // A target listed in a bin it does not hash to: never trusted.
    let wrong_bin = if bins.role_for_target("stray") == "bin-0" {
        "bin-1"
    } else {
        "bin-0"
    };
    repo.add_target(wrong_bin, "stray", b"stray", None).unwrap();
    repo.publish().unwrap();
    let mut c = Updater::new(
        MemoryTransport::from_files(repo.files()),
        MemoryStore::with_root(&repo.root_bytes().unwrap()),
        UpdaterConfig::default(),
        now,
    )
    .unwrap();
    let info = c.target_info("targets/file.txt").unwrap().unwrap();
    assert_eq!(info.role, "bin-7");
    assert_eq!(c.download_target(&info).unwrap(), b"targets/file.txt");
    assert_eq!(c.target_info("a").unwrap().unwrap().role, "bin-6");
    assert_eq!(c.target_info("stray").unwrap(), None);
}

/// Role `x` delegated by both `a` (key `ka`, for `a/*`) and `b` (key `kb`, for `b/*`), listing
/// `a/file` and `b/file`, signed by `ka` only, or by `ka` and `kb` when asked.
fn two_parent_repo(sign_x_with_b_key_too: bool) -> (Repository, OffsetDateTime) {
    use cyres_tuf::metadata::DelegatedRole;
    let now = parse_time("2030-01-01T00:00:00Z").unwrap();
    let mut repo = Repository::new(parse_time("2030-06-01T00:00:00Z").unwrap(), true).unwrap();
    repo.add_delegation("targets", "a", vec!["a/*".into()], 1, 1, false)
        .unwrap();
    repo.add_delegation("targets", "b", vec!["b/*".into()], 1, 1, false)
        .unwrap();
    repo.add_delegation("a", "x", vec!["a/*".into()], 1, 1, false)
        .unwrap();
    repo.add_target("x", "a/file", b"a file", None).unwrap();
    repo.add_target("x", "b/file", b"b file", None).unwrap();
    // b delegates the same role x, but trusts another key for it.
    let kb = Arc::new(SigningKey::generate().unwrap());
    let d = repo.targets.get_mut("b").unwrap();
    let delegations = d
        .delegations
        .get_or_insert_with(|| serde_json::from_value(json!({"keys": {}, "roles": []})).unwrap());
    delegations
        .keys
        .insert(kb.key_id().to_string(), kb.public().clone());
    delegations.roles.push(DelegatedRole {
        name: "x".into(),
        keyids: vec![kb.key_id().to_string()],
        threshold: 1,
        terminating: false,
        paths: Some(vec!["b/*".into()]),
        path_hash_prefixes: None,
        unrecognized: Default::default(),
    });
    repo.touch("b");
    repo.publish().unwrap();
    if sign_x_with_b_key_too {
        let ka = repo.keys("x")[0].clone();
        let file = format!("metadata/{}.x.json", repo.targets["x"].version);
        let env: Value = serde_json::from_slice(&repo.files()[&file]).unwrap();
        let bytes = sign_value(&env["signed"], &[&ka, &kb]);
        repo.files_mut().insert(file, bytes);
    }
    (repo, now)
}

fn client_for(repo: &Repository, store: MemoryStore, now: OffsetDateTime) -> Client {
    Updater::new(
        MemoryTransport::from_files(repo.files()),
        store,
        UpdaterConfig::default(),
        now,
    )
    .unwrap()
}

/// TUF §5.6.3 and tuf-conformance `test_cached_role_is_verified_against_current_delegator`:
/// a role reached through a second delegator is verified against that delegator's keys, even
/// when a copy trusted through the first path is cached in memory or in the trusted store.
#[test]
fn role_delegated_by_two_parents_is_verified_against_each_path() {
    let (repo, now) = two_parent_repo(false);
    let root = repo.root_bytes().unwrap();
    let is_x_threshold = |e: &Error| matches!(e, Error::Threshold { role, .. } if role == "x");
    // One run, the trusted path first: x is cached, then reached through b and refused.
    let mut c = client_for(&repo, MemoryStore::with_root(&root), now);
    let info = c.target_info("a/file").unwrap().expect("a/file through a");
    assert_eq!(info.role, "x");
    assert_eq!(c.download_target(&info).unwrap(), b"a file");
    let err = c.target_info("b/file").unwrap_err();
    assert!(is_x_threshold(&err), "{err}");
    // The next run finds x in the trusted store: still refused through b.
    let mut c = client_for(&repo, c.into_store(), now);
    let err = c.target_info("b/file").unwrap_err();
    assert!(is_x_threshold(&err), "{err}");
    // One run, the refused path first: the trusted path still works afterwards.
    let mut c = client_for(&repo, MemoryStore::with_root(&root), now);
    let err = c.target_info("b/file").unwrap_err();
    assert!(is_x_threshold(&err), "{err}");
    assert_eq!(c.target_info("a/file").unwrap().unwrap().role, "x");
    // Signed by both delegators' keys, x serves both paths in one run.
    let (repo, now) = two_parent_repo(true);
    let mut c = client_for(
        &repo,
        MemoryStore::with_root(&repo.root_bytes().unwrap()),
        now,
    );
    for target in ["a/file", "b/file"] {
        let info = c.target_info(target).unwrap().expect(target);
        assert_eq!(info.role, "x");
        assert_eq!(
            c.download_target(&info).unwrap().len() as u64,
            info.file.length
        );
    }
}
