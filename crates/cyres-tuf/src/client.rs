//! The TUF client update workflow (TUF §5), free of I/O.
//!
//! [`Updater`] follows the detailed client workflow step by step; each step's spec section is
//! cited above the code that implements it. Network and disk are reached only through two
//! traits: a [`Transport`] fetches repository files with a byte limit, and a [`TrustedStore`]
//! persists the metadata the client has verified. The time is a parameter (`now`, TUF §5.1), so
//! the whole workflow runs in tests against an in-memory transport at any fixed time.
//!
//! The order of checks mirrors the reference implementation (python-tuf `ngclient`), which the
//! conformance suite was written against: a locally stored timestamp or snapshot is loaded
//! first and kept as the rollback reference even when it has expired; expiry and the
//! snapshot-version match are checked on the "final" metadata before the next role is loaded.

use std::collections::{BTreeMap, BTreeSet};

use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::metadata::{Metadata, Root, Signed, Snapshot, TargetFile, Targets, Timestamp};

/// Which kind of repository file a fetch is for; transports map these to base URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// A metadata file under the metadata base URL.
    Metadata,
    /// A target file under the targets base URL.
    Target,
}

/// Fetches repository files. Implementations must never return more than `max_len` bytes: they
/// fail with [`Error::TooLarge`] instead (endless-data attack), and map "no such file"
/// (HTTP 403/404, missing file) to [`Error::NotFound`].
pub trait Transport {
    /// Fetches `path` (relative to the metadata or targets base) with at most `max_len` bytes.
    fn fetch(&self, resource: Resource, path: &str, max_len: u64) -> Result<Vec<u8>>;

    /// Like [`Transport::fetch`] but writes the bytes to `sink` as they arrive (large targets
    /// on small devices) and returns how many were written. On error `sink` may hold a prefix.
    fn fetch_to(
        &self,
        resource: Resource,
        path: &str,
        max_len: u64,
        sink: &mut dyn std::io::Write,
    ) -> Result<u64> {
        let bytes = self.fetch(resource, path, max_len)?;
        sink.write_all(&bytes).map_err(|e| Error::Transport {
            what: path.into(),
            reason: e.to_string(),
        })?;
        Ok(bytes.len() as u64)
    }
}

/// Persists trusted metadata as unversioned files (`root.json`, `timestamp.json`, …).
pub trait TrustedStore {
    /// The stored bytes for `role`, or `None` when nothing is stored.
    fn load(&self, role: &str) -> Result<Option<Vec<u8>>>;
    /// Stores `bytes` as the trusted metadata of `role`.
    fn store(&mut self, role: &str, bytes: &[u8]) -> Result<()>;
    /// Removes the trusted metadata of `role`, if any.
    fn remove(&mut self, role: &str) -> Result<()>;
}

/// Limits of the client. Defaults are python-tuf 7's `UpdaterConfig` (256 root rotations, 32
/// delegations, 512000/16384/2000000/5000000 bytes for root/timestamp/snapshot/targets).
#[derive(Debug, Clone)]
pub struct UpdaterConfig {
    /// How many new root versions one refresh may walk (TUF §5.3.3 "Y").
    pub max_root_rotations: u32,
    /// How many roles a target search may visit (TUF §5.6.7.1).
    pub max_delegations: usize,
    /// Byte limit for root metadata, whose size is unknown (TUF §5.3.3 "W").
    pub root_max_length: u64,
    /// Byte limit for timestamp metadata (TUF §5.4.1 "X").
    pub timestamp_max_length: u64,
    /// Byte limit for snapshot metadata when timestamp lists no length (TUF §5.5.1 "Y").
    pub snapshot_max_length: u64,
    /// Byte limit for targets metadata when snapshot lists no length (TUF §5.6.1 "Z").
    pub targets_max_length: u64,
    /// Fetch targets as `<hash>.<name>` when root sets `consistent_snapshot` (TUF §5.7.3).
    pub prefix_targets_with_hash: bool,
}

impl Default for UpdaterConfig {
    fn default() -> Self {
        UpdaterConfig {
            max_root_rotations: 256,
            max_delegations: 32,
            root_max_length: 512_000,
            timestamp_max_length: 16_384,
            snapshot_max_length: 2_000_000,
            targets_max_length: 5_000_000,
            prefix_targets_with_hash: true,
        }
    }
}

/// A target found by the delegation search: its path, trusted description and the role that
/// described it.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetInfo {
    /// The target path as listed in metadata.
    pub path: String,
    /// Length, hashes and custom data.
    pub file: TargetFile,
    /// The targets role whose metadata listed it.
    pub role: String,
}

/// The TUF client: verifies metadata from a [`Transport`] against the trust in a
/// [`TrustedStore`], at a fixed time.
#[derive(Debug)]
pub struct Updater<T, S> {
    transport: T,
    store: S,
    config: UpdaterConfig,
    now: OffsetDateTime,
    root: Metadata<Root>,
    timestamp: Option<Metadata<Timestamp>>,
    snapshot: Option<Metadata<Snapshot>>,
    targets: BTreeMap<String, Metadata<Targets>>,
    refreshed: bool,
    events: Vec<String>,
}

impl<T: Transport, S: TrustedStore> Updater<T, S> {
    /// Starts an update at the fixed time `now` (TUF §5.1) from the root in `store`.
    pub fn new(transport: T, store: S, config: UpdaterConfig, now: OffsetDateTime) -> Result<Self> {
        // TUF §5.2: load the trusted root. Its expiry does not matter yet (checked in §5.3.10),
        // but it must be signed by a threshold of its own root keys.
        let bytes = store.load("root")?.ok_or_else(|| Error::Store {
            what: "root.json".into(),
            reason: "no trusted root".into(),
        })?;
        let root = Metadata::<Root>::from_bytes(&bytes)?;
        root.verify_role("root", &root.signed.keys, root.signed.role("root")?)?;
        Ok(Updater {
            transport,
            store,
            config,
            now,
            root,
            timestamp: None,
            snapshot: None,
            targets: BTreeMap::new(),
            refreshed: false,
            events: vec![],
        })
    }

    /// What the updater did and why it discarded anything, for logs.
    pub fn events(&self) -> &[String] {
        &self.events
    }

    /// The trusted root.
    pub fn root(&self) -> &Root {
        &self.root.signed
    }

    /// The trusted timestamp, once loaded.
    pub fn timestamp(&self) -> Option<&Timestamp> {
        self.timestamp.as_ref().map(|m| &m.signed)
    }

    /// The trusted snapshot, once loaded.
    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.snapshot.as_ref().map(|m| &m.signed)
    }

    /// Trusted targets metadata of `role` (top-level `targets` or a delegated role), once loaded.
    pub fn targets(&self, role: &str) -> Option<&Targets> {
        self.targets.get(role).map(|m| &m.signed)
    }

    /// Gives back the store (e.g. to inspect what was persisted).
    pub fn into_store(self) -> S {
        self.store
    }

    /// The transport, e.g. to read a recording transport's log.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    fn note(&mut self, msg: String) {
        self.events.push(msg);
    }

    /// Runs the top-level update: root (TUF §5.3), timestamp (§5.4), snapshot (§5.5) and
    /// top-level targets (§5.6). May be called once per updater.
    pub fn refresh(&mut self) -> Result<()> {
        if self.refreshed {
            return Err(Error::Workflow("refresh may run once per updater".into()));
        }
        self.refreshed = true;
        self.update_root()?;
        self.update_timestamp()?;
        self.update_snapshot()?;
        self.load_targets("targets", "root")?;
        Ok(())
    }

    fn update_root(&mut self) -> Result<()> {
        let old_timestamp_keys = self.root.signed.role_key_set("timestamp");
        let old_snapshot_keys = self.root.signed.role_key_set("snapshot");
        // TUF §5.3.1–5.3.3, §5.3.9: fetch N+1 until it is not available, at most
        // `max_root_rotations` times.
        for _ in 0..self.config.max_root_rotations {
            let next = self.root.signed.version + 1;
            let name = format!("{next}.root.json");
            let bytes =
                match self
                    .transport
                    .fetch(Resource::Metadata, &name, self.config.root_max_length)
                {
                    Ok(b) => b,
                    Err(Error::NotFound { .. }) => {
                        self.note(format!(
                            "root v{} is the newest ({name} not found)",
                            next - 1
                        ));
                        break;
                    }
                    Err(e) => return Err(e),
                };
            let new = Metadata::<Root>::from_bytes(&bytes)?;
            // TUF §5.3.4 (1): signed by a threshold of the trusted (version N) root keys.
            new.verify_role(
                "root",
                &self.root.signed.keys,
                self.root.signed.role("root")?,
            )?;
            // TUF §5.3.5: the version must be exactly N+1.
            if new.signed.version != next {
                return Err(Error::Version {
                    role: "root".into(),
                    expected: format!("{next}"),
                    found: new.signed.version,
                });
            }
            // TUF §5.3.4 (2): signed by a threshold of its own root keys.
            new.verify_role("root", &new.signed.keys, new.signed.role("root")?)?;
            // TUF §5.3.7–5.3.8: trust it and persist it as root.json.
            self.root = new;
            self.store.store("root", &bytes)?;
            self.note(format!("updated root to v{next}"));
        }
        // TUF §5.3.10: freeze attack check on the final root.
        if self.root.signed.is_expired(self.now)? {
            return Err(Error::Expired {
                role: "root".into(),
                expires: self.root.signed.expires.clone(),
            });
        }
        // TUF §5.3.11: after a timestamp or snapshot key rotation, forget trusted timestamp and
        // snapshot so a fast-forward attack's inflated versions cannot block recovery.
        if self.root.signed.role_key_set("timestamp") != old_timestamp_keys
            || self.root.signed.role_key_set("snapshot") != old_snapshot_keys
        {
            self.note(
                "timestamp/snapshot keys rotated: deleting trusted timestamp and snapshot".into(),
            );
            self.store.remove("timestamp")?;
            self.store.remove("snapshot")?;
        }
        Ok(())
    }

    fn update_timestamp(&mut self) -> Result<()> {
        // The stored timestamp, if still valid under the current root, is the rollback reference.
        if let Some(bytes) = self.store.load("timestamp")? {
            match self.accept_timestamp(&bytes) {
                Ok(_) => {}
                Err(e) => self.note(format!("local timestamp not usable: {e}")),
            }
        }
        // TUF §5.4.1: download timestamp.json, size unknown, bounded by X bytes.
        let bytes = self.transport.fetch(
            Resource::Metadata,
            "timestamp.json",
            self.config.timestamp_max_length,
        )?;
        if self.accept_timestamp(&bytes)? {
            // TUF §5.4.5: persist.
            self.store.store("timestamp", &bytes)?;
        } else {
            self.note("remote timestamp has the trusted version: keeping the trusted one".into());
        }
        Ok(())
    }

    /// Returns false when the new timestamp has the same version as the trusted one.
    fn accept_timestamp(&mut self, bytes: &[u8]) -> Result<bool> {
        let new = Metadata::<Timestamp>::from_bytes(bytes)?;
        // TUF §5.4.2: signed by a threshold of the timestamp keys in root.
        new.verify_role(
            "timestamp",
            &self.root.signed.keys,
            self.root.signed.role("timestamp")?,
        )?;
        // TUF §5.4.3: rollback checks against the trusted timestamp.
        if let Some(old) = &self.timestamp {
            let (old_v, new_v) = (old.signed.version, new.signed.version);
            // TUF §5.4.3.1: version must not decrease; an equal version is discarded quietly.
            if new_v < old_v {
                return Err(Error::Version {
                    role: "timestamp".into(),
                    expected: format!(">= {old_v}"),
                    found: new_v,
                });
            }
            if new_v == old_v {
                return Ok(false);
            }
            // TUF §5.4.3.2: the snapshot version it lists must not decrease.
            let old_sv = old.signed.snapshot_meta().version;
            let new_sv = new.signed.snapshot_meta().version;
            if new_sv < old_sv {
                return Err(Error::Version {
                    role: "snapshot (in timestamp)".into(),
                    expected: format!(">= {old_sv}"),
                    found: new_sv,
                });
            }
        }
        // Trusted from here on for rollback protection, even if it turns out to be expired.
        self.timestamp = Some(new);
        // TUF §5.4.4: freeze attack check.
        self.check_final_timestamp()?;
        Ok(true)
    }

    fn check_final_timestamp(&self) -> Result<()> {
        let ts = self
            .timestamp
            .as_ref()
            .ok_or_else(|| Error::Workflow("no trusted timestamp".into()))?;
        if ts.signed.is_expired(self.now)? {
            return Err(Error::Expired {
                role: "timestamp".into(),
                expires: ts.signed.expires.clone(),
            });
        }
        Ok(())
    }

    fn update_snapshot(&mut self) -> Result<()> {
        if let Some(bytes) = self.store.load("snapshot")? {
            match self.accept_snapshot(&bytes, true) {
                Ok(()) => {
                    self.note("local snapshot is valid: not downloading a new one".into());
                    return Ok(());
                }
                Err(e) => self.note(format!("local snapshot not usable: {e}")),
            }
        }
        let meta = self
            .timestamp
            .as_ref()
            .ok_or_else(|| Error::Workflow("no trusted timestamp".into()))?
            .signed
            .snapshot_meta()
            .clone();
        // TUF §5.5.1: length from timestamp or the configured bound; versioned name when
        // consistent snapshots are used.
        let max = meta.length.unwrap_or(self.config.snapshot_max_length);
        let name = if self.root.signed.consistent() {
            format!("{}.snapshot.json", meta.version)
        } else {
            "snapshot.json".to_string()
        };
        let bytes = self.transport.fetch(Resource::Metadata, &name, max)?;
        self.accept_snapshot(&bytes, false)?;
        // TUF §5.5.7: persist.
        self.store.store("snapshot", &bytes)?;
        Ok(())
    }

    fn accept_snapshot(&mut self, bytes: &[u8], from_store: bool) -> Result<()> {
        self.check_final_timestamp()?;
        let meta = self
            .timestamp
            .as_ref()
            .ok_or_else(|| Error::Workflow("no trusted timestamp".into()))?
            .signed
            .snapshot_meta()
            .clone();
        // TUF §5.5.2: hashes and length from timestamp (stored snapshot was checked when fetched).
        if !from_store {
            meta.verify("snapshot.json", bytes)?;
        }
        let new = Metadata::<Snapshot>::from_bytes(bytes)?;
        // TUF §5.5.3: signed by a threshold of the snapshot keys in root.
        new.verify_role(
            "snapshot",
            &self.root.signed.keys,
            self.root.signed.role("snapshot")?,
        )?;
        // TUF §5.5.5: no targets metadata listed in the trusted snapshot may go backwards or
        // disappear.
        if let Some(old) = &self.snapshot {
            for (name, old_meta) in &old.signed.meta {
                let Some(new_meta) = new.signed.meta.get(name) else {
                    return Err(Error::SnapshotMetaRemoved { meta: name.clone() });
                };
                if new_meta.version < old_meta.version {
                    return Err(Error::Version {
                        role: format!("{name} (in snapshot)"),
                        expected: format!(">= {}", old_meta.version),
                        found: new_meta.version,
                    });
                }
            }
        }
        self.snapshot = Some(new);
        self.check_final_snapshot()
    }

    fn check_final_snapshot(&self) -> Result<()> {
        let snap = self
            .snapshot
            .as_ref()
            .ok_or_else(|| Error::Workflow("no trusted snapshot".into()))?;
        // TUF §5.5.6: freeze attack check.
        if snap.signed.is_expired(self.now)? {
            return Err(Error::Expired {
                role: "snapshot".into(),
                expires: snap.signed.expires.clone(),
            });
        }
        // TUF §5.5.4: version must match the one timestamp lists (mix-and-match attack).
        let expected = self
            .timestamp
            .as_ref()
            .map(|t| t.signed.snapshot_meta().version)
            .unwrap_or(0);
        if snap.signed.version != expected {
            return Err(Error::Version {
                role: "snapshot".into(),
                expected: expected.to_string(),
                found: snap.signed.version,
            });
        }
        Ok(())
    }

    fn load_targets(&mut self, role: &str, delegator: &str) -> Result<()> {
        if let Some(cached) = self.targets.get(role) {
            // TUF §5.6.3, applied to each delegated role on the search path (§5.6.7.2): the
            // targets metadata must be signed by a threshold of the keys its delegating role
            // trusts for it. A role may be delegated by several parents with different keys; a
            // copy already trusted through one lookup path proves nothing about the delegator
            // of this path, so it is checked again against this delegator (tuf-conformance
            // `test_cached_role_is_verified_against_current_delegator`).
            return self.verify_targets_signatures(cached, role, delegator);
        }
        if let Some(bytes) = self.store.load(role)? {
            match self.accept_targets(&bytes, role, delegator) {
                Ok(()) => return Ok(()),
                Err(e) => self.note(format!("local {role} not usable: {e}")),
            }
        }
        let meta = self
            .snapshot
            .as_ref()
            .ok_or_else(|| Error::Workflow("no trusted snapshot".into()))?
            .signed
            .meta
            .get(&format!("{role}.json"))
            .cloned()
            .ok_or_else(|| Error::UnknownRole {
                role: role.into(),
                delegator: "snapshot".into(),
            })?;
        // TUF §5.6.1: length from snapshot or the configured bound; versioned name when
        // consistent snapshots are used.
        let max = meta.length.unwrap_or(self.config.targets_max_length);
        let encoded = encode_role(role);
        let name = if self.root.signed.consistent() {
            format!("{}.{encoded}.json", meta.version)
        } else {
            format!("{encoded}.json")
        };
        let bytes = self.transport.fetch(Resource::Metadata, &name, max)?;
        self.accept_targets(&bytes, role, delegator)?;
        // TUF §5.6.6: persist.
        self.store.store(role, &bytes)?;
        Ok(())
    }

    fn accept_targets(&mut self, bytes: &[u8], role: &str, delegator: &str) -> Result<()> {
        self.check_final_snapshot()?;
        let snap = self
            .snapshot
            .as_ref()
            .ok_or_else(|| Error::Workflow("no trusted snapshot".into()))?;
        let meta = snap
            .signed
            .meta
            .get(&format!("{role}.json"))
            .ok_or_else(|| Error::UnknownRole {
                role: role.into(),
                delegator: "snapshot".into(),
            })?;
        // TUF §5.6.2: hashes and length from snapshot, if listed.
        meta.verify(&format!("{role}.json"), bytes)?;
        let new = Metadata::<Targets>::from_bytes(bytes)?;
        self.verify_targets_signatures(&new, role, delegator)?;
        // TUF §5.6.4: version must match snapshot's (mix-and-match attack).
        if new.signed.version != meta.version {
            return Err(Error::Version {
                role: role.into(),
                expected: meta.version.to_string(),
                found: new.signed.version,
            });
        }
        // TUF §5.6.5: freeze attack check.
        if new.signed.is_expired(self.now)? {
            return Err(Error::Expired {
                role: role.into(),
                expires: new.signed.expires.clone(),
            });
        }
        self.targets.insert(role.to_string(), new);
        Ok(())
    }

    /// TUF §5.6.3: `meta` must be signed by a threshold of the keys `delegator` (root for the
    /// top-level targets role) trusts for `role`.
    fn verify_targets_signatures(
        &self,
        meta: &Metadata<Targets>,
        role: &str,
        delegator: &str,
    ) -> Result<()> {
        if delegator == "root" {
            return meta.verify_role(
                role,
                &self.root.signed.keys,
                self.root.signed.role("targets")?,
            );
        }
        let parent = self
            .targets
            .get(delegator)
            .ok_or_else(|| Error::Workflow(format!("delegator {delegator} not loaded")))?;
        let role_keys =
            parent
                .signed
                .delegated_role_keys(role)
                .ok_or_else(|| Error::UnknownRole {
                    role: role.into(),
                    delegator: delegator.into(),
                })?;
        let empty = BTreeMap::new();
        let keys = parent
            .signed
            .delegations
            .as_ref()
            .map_or(&empty, |d| &d.keys);
        meta.verify_role(role, keys, &role_keys)
    }

    /// Finds trusted metadata about `target` (TUF §5.6.7): a pre-order depth-first search of the
    /// delegation graph from top-level targets, loading delegated roles on the way. Returns
    /// `None` when no role that is trusted for the path lists it.
    pub fn target_info(&mut self, target: &str) -> Result<Option<TargetInfo>> {
        if !self.refreshed {
            self.refresh()?;
        }
        let mut to_visit: Vec<(String, String)> = vec![("targets".into(), "root".into())];
        let mut visited: BTreeSet<String> = BTreeSet::new();
        // TUF §5.6.7.1: stop after an application-chosen number of visited roles.
        while visited.len() <= self.config.max_delegations {
            let Some((role, parent)) = to_visit.pop() else {
                break;
            };
            // TUF §5.6.7.1: skip roles visited before (cycles in the delegation graph).
            if visited.contains(&role) {
                continue;
            }
            self.load_targets(&role, &parent)?;
            let meta = &self.targets[&role].signed;
            // TUF §5.6.7.1: this role has metadata about the target.
            if let Some(file) = meta.targets.get(target) {
                return Ok(Some(TargetInfo {
                    path: target.into(),
                    file: file.clone(),
                    role,
                }));
            }
            visited.insert(role.clone());
            // TUF §5.6.7.2: recurse into delegations in order of appearance; only roles whose
            // paths or path hash prefixes cover the target are trusted for it.
            let mut children = Vec::new();
            let mut terminated = false;
            for (child, terminating) in meta.roles_for_target(target) {
                children.push((child, role.clone()));
                // TUF §5.6.7.2.1: a terminating delegation ends the search after its subtree.
                if terminating {
                    terminated = true;
                    break;
                }
            }
            if terminated {
                to_visit.clear();
            }
            children.reverse();
            to_visit.extend(children);
        }
        if !to_visit.is_empty() {
            self.note(format!(
                "target search stopped after {} roles",
                visited.len()
            ));
        }
        Ok(None)
    }

    /// The path to fetch a target from: `<dir>/<hash>.<basename>` under consistent snapshots
    /// (TUF §5.7.3), the plain path otherwise.
    pub fn target_fetch_path(&self, info: &TargetInfo) -> String {
        if self.root.signed.consistent()
            && self.config.prefix_targets_with_hash
            && let Some(hash) = info.file.hashes.values().next()
        {
            return match info.path.rsplit_once('/') {
                Some((dir, base)) => format!("{dir}/{hash}.{base}"),
                None => format!("{hash}.{}", info.path),
            };
        }
        info.path.clone()
    }

    /// Downloads a target, at most its listed length, and checks length and hashes (TUF §5.7.3).
    pub fn download_target(&self, info: &TargetInfo) -> Result<Vec<u8>> {
        let path = self.target_fetch_path(info);
        let bytes = self
            .transport
            .fetch(Resource::Target, &path, info.file.length)?;
        info.file.verify(&info.path, &bytes)?;
        Ok(bytes)
    }

    /// Streams a target into `sink`, at most its listed length, checking length and hashes
    /// on the way (TUF §5.7.3). On error `sink` holds unverified bytes: discard them.
    pub fn download_target_to(
        &self,
        info: &TargetInfo,
        sink: &mut dyn std::io::Write,
    ) -> Result<()> {
        let path = self.target_fetch_path(info);
        let mut w = VerifyingWriter::new(&info.file, sink);
        self.transport
            .fetch_to(Resource::Target, &path, info.file.length, &mut w)?;
        w.finish(&info.path)
    }

    /// Lists the targets of the delegated role `role` that it is trusted for, loading (and
    /// verifying) it as delegated by top-level targets. Entries outside the delegation's paths
    /// are left out: a client must never trust a role for paths it was not delegated
    /// (TUF §5.6.7.2), and so are entries `keep` rejects (so a device copies only what concerns
    /// it). Use [`Updater::target_info`] on a listed path for the authoritative description.
    pub fn delegated_targets(
        &mut self,
        role: &str,
        keep: impl Fn(&str, &TargetFile) -> bool,
    ) -> Result<Vec<(String, TargetFile)>> {
        let mut kept = Vec::new();
        self.visit_delegated_targets(role, |path, file| {
            if keep(path, file) {
                kept.push((path.to_string(), file.clone()));
            }
        })?;
        Ok(kept)
    }

    /// Like [`Updater::delegated_targets`], but hands each entry the role is trusted for to
    /// `visit` by reference, without copying (a device searching a role of thousands of
    /// targets keeps only what it chooses).
    pub fn visit_delegated_targets(
        &mut self,
        role: &str,
        mut visit: impl FnMut(&str, &TargetFile),
    ) -> Result<()> {
        if !self.refreshed {
            self.refresh()?;
        }
        let delegation = self
            .targets
            .get("targets")
            .and_then(|t| t.signed.delegation(role))
            .cloned()
            .ok_or_else(|| Error::UnknownRole {
                role: role.into(),
                delegator: "targets".into(),
            })?;
        self.load_targets(role, "targets")?;
        for (path, file) in &self.targets[role].signed.targets {
            if delegation.covers(path) {
                visit(path, file);
            }
        }
        Ok(())
    }
}

/// Hashes and counts bytes on their way to an inner writer, so a streamed target is verified
/// against its trusted length and hashes without holding it in memory (TUF §5.7.3).
pub struct VerifyingWriter<'a> {
    inner: &'a mut dyn std::io::Write,
    digests: Vec<(String, String, aws_lc_rs::digest::Context)>,
    written: u64,
    max: u64,
}

impl std::fmt::Debug for VerifyingWriter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyingWriter")
            .field("written", &self.written)
            .finish_non_exhaustive()
    }
}

impl<'a> VerifyingWriter<'a> {
    /// A writer checking against `file`'s length and every listed hash aws-lc-rs supports.
    pub fn new(file: &TargetFile, inner: &'a mut dyn std::io::Write) -> VerifyingWriter<'a> {
        use aws_lc_rs::digest;
        let digests = file
            .hashes
            .iter()
            .filter_map(|(alg, expected)| {
                let a = match alg.as_str() {
                    "sha224" => &digest::SHA224,
                    "sha256" => &digest::SHA256,
                    "sha384" => &digest::SHA384,
                    "sha512" => &digest::SHA512,
                    _ => return None,
                };
                Some((
                    alg.clone(),
                    expected.to_ascii_lowercase(),
                    digest::Context::new(a),
                ))
            })
            .collect();
        VerifyingWriter {
            inner,
            digests,
            written: 0,
            max: file.length,
        }
    }

    /// Checks length and hashes once everything is written.
    pub fn finish(self, name: &str) -> Result<()> {
        if self.written != self.max {
            return Err(Error::Integrity {
                what: name.into(),
                reason: format!("length {} differs from listed {}", self.written, self.max),
            });
        }
        if self.digests.is_empty() {
            return Err(Error::Integrity {
                what: name.into(),
                reason: "no supported hash algorithm listed".into(),
            });
        }
        for (alg, expected, ctx) in self.digests {
            if crate::crypto::hex_encode(ctx.finish().as_ref()) != expected {
                return Err(Error::Integrity {
                    what: name.into(),
                    reason: format!("{alg} hash mismatch"),
                });
            }
        }
        Ok(())
    }
}

impl std::io::Write for VerifyingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.written + buf.len() as u64 > self.max {
            return Err(std::io::Error::other("more bytes than the listed length"));
        }
        let n = self.inner.write(buf)?;
        for (_, _, ctx) in &mut self.digests {
            ctx.update(&buf[..n]);
        }
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Percent-encodes a role name for use in a file name or URL, as python-tuf does with
/// `urllib.parse.quote(name, "")`: only ASCII letters, digits and `_.-~` stay as they are.
pub fn encode_role(role: &str) -> String {
    let mut out = String::with_capacity(role.len());
    for b in role.bytes() {
        if b.is_ascii_alphanumeric() || b"_.-~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Encodes the role part of a `<version>.<role>.json` file name; the digits and dots around it
/// are kept.
pub(crate) fn encode_role_path(name: &str) -> String {
    encode_role(name)
}
