//! Building TUF repositories: fresh keys, the four top-level roles, delegated targets roles,
//! targets with hashes, lengths and custom data, version bumps, signing and the published file
//! layout (TUF §6 "repository operations", §6.2 consistent snapshots).
//!
//! This is the library half of repository management: enough to make test fixtures, interop
//! repositories for other TUF clients, and later the `cyres repo` commands. Everything happens
//! in memory; [`Repository::files`] is the published tree (`metadata/…`, `targets/…`) and
//! [`Repository::write_to`] is the only function here that touches the disk.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use time::OffsetDateTime;

use crate::channel::Channel;
use crate::crypto::SigningKey;
use crate::error::{Error, Result};
use crate::metadata::{
    DelegatedRole, Delegations, MetaFile, Metadata, RoleKeys, Root, Snapshot, TargetFile, Targets,
    Timestamp, format_time,
};

/// The spec version written into metadata built here.
pub const SPEC_VERSION: &str = "1.0.31";

/// A repository under construction.
#[derive(Debug)]
pub struct Repository {
    /// The root being edited (the published one until the next [`Repository::publish`]).
    pub root: Root,
    /// Top-level `targets` and every delegated role, by role name.
    pub targets: BTreeMap<String, Targets>,
    /// The snapshot of the last publish.
    pub snapshot: Snapshot,
    /// The timestamp of the last publish.
    pub timestamp: Timestamp,
    keys: BTreeMap<String, Vec<Arc<SigningKey>>>,
    previous_root_keys: Vec<Arc<SigningKey>>,
    target_bytes: BTreeMap<String, Vec<u8>>,
    dirty: BTreeSet<String>,
    files: BTreeMap<String, Vec<u8>>,
    expires: OffsetDateTime,
    published_once: bool,
}

impl Repository {
    /// A fresh repository with one new random ed25519 key (threshold 1) per top-level role.
    /// Nothing is published until [`Repository::publish`].
    pub fn new(expires: OffsetDateTime, consistent_snapshot: bool) -> Result<Repository> {
        let mut keys = BTreeMap::new();
        for role in ["root", "targets", "snapshot", "timestamp"] {
            keys.insert(role.to_string(), vec![Arc::new(SigningKey::generate()?)]);
        }
        Self::with_keys(expires, consistent_snapshot, keys)
    }

    /// A fresh repository with the given keys per top-level role (all of them, threshold 1
    /// unless changed with [`Repository::set_role_keys`]).
    pub fn with_keys(
        expires: OffsetDateTime,
        consistent_snapshot: bool,
        keys: BTreeMap<String, Vec<Arc<SigningKey>>>,
    ) -> Result<Repository> {
        let exp = format_time(expires);
        let mut root = Root {
            type_: "root".into(),
            spec_version: SPEC_VERSION.into(),
            version: 1,
            expires: exp.clone(),
            consistent_snapshot: Some(consistent_snapshot),
            keys: BTreeMap::new(),
            roles: BTreeMap::new(),
            unrecognized: BTreeMap::new(),
        };
        for role in ["root", "targets", "snapshot", "timestamp"] {
            let ks = keys
                .get(role)
                .ok_or_else(|| Error::Repository(format!("no keys for {role}")))?;
            if ks.is_empty() {
                return Err(Error::Repository(format!("no keys for {role}")));
            }
            for k in ks {
                root.keys.insert(k.key_id().to_string(), k.public().clone());
            }
            root.roles.insert(
                role.into(),
                RoleKeys {
                    keyids: ks.iter().map(|k| k.key_id().to_string()).collect(),
                    threshold: 1,
                    unrecognized: BTreeMap::new(),
                },
            );
        }
        let mut targets = BTreeMap::new();
        targets.insert("targets".to_string(), empty_targets(&exp));
        let previous_root_keys = keys["root"].clone();
        Ok(Repository {
            root,
            targets,
            snapshot: Snapshot {
                type_: "snapshot".into(),
                spec_version: SPEC_VERSION.into(),
                version: 0,
                expires: exp.clone(),
                meta: BTreeMap::new(),
                unrecognized: BTreeMap::new(),
            },
            timestamp: Timestamp {
                type_: "timestamp".into(),
                spec_version: SPEC_VERSION.into(),
                version: 0,
                expires: exp,
                meta: BTreeMap::new(),
                unrecognized: BTreeMap::new(),
            },
            keys,
            previous_root_keys,
            target_bytes: BTreeMap::new(),
            dirty: ["root", "targets"].iter().map(|s| s.to_string()).collect(),
            files: BTreeMap::new(),
            expires,
            published_once: false,
        })
    }

    /// The signing keys of a role (top-level or delegated).
    pub fn keys(&self, role: &str) -> &[Arc<SigningKey>] {
        self.keys.get(role).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Sets the expiry written into metadata at the next publish.
    pub fn set_expires(&mut self, expires: OffsetDateTime) {
        self.expires = expires;
    }

    /// Replaces the keys and threshold of a top-level role in root (key rotation or
    /// revocation). The next root is signed by the old root keys and the new ones (TUF §6.1).
    pub fn set_role_keys(
        &mut self,
        role: &str,
        keys: Vec<Arc<SigningKey>>,
        threshold: u32,
    ) -> Result<()> {
        if keys.len() < threshold as usize || threshold == 0 {
            return Err(Error::Repository(format!(
                "{role}: threshold {threshold} with {} keys",
                keys.len()
            )));
        }
        let entry = self
            .root
            .roles
            .get_mut(role)
            .ok_or_else(|| Error::Repository(format!("{role} is not a top-level role")))?;
        entry.keyids = keys.iter().map(|k| k.key_id().to_string()).collect();
        entry.threshold = threshold;
        self.keys.insert(role.to_string(), keys);
        let used: BTreeSet<String> = self
            .root
            .roles
            .values()
            .flat_map(|r| r.keyids.clone())
            .collect();
        self.root.keys.retain(|id, _| used.contains(id));
        for ks in ["root", "targets", "snapshot", "timestamp"]
            .iter()
            .filter_map(|r| self.keys.get(*r))
        {
            for k in ks {
                self.root
                    .keys
                    .insert(k.key_id().to_string(), k.public().clone());
            }
        }
        self.dirty.insert("root".into());
        Ok(())
    }

    /// Delegates `paths` from `parent` to a new role `name` with `key_count` fresh keys and the
    /// given threshold.
    pub fn add_delegation(
        &mut self,
        parent: &str,
        name: &str,
        paths: Vec<String>,
        key_count: usize,
        threshold: u32,
        terminating: bool,
    ) -> Result<()> {
        let keys: Vec<Arc<SigningKey>> = (0..key_count)
            .map(|_| SigningKey::generate().map(Arc::new))
            .collect::<Result<_>>()?;
        self.add_delegation_with_keys(parent, name, paths, keys, threshold, terminating)
    }

    /// Like [`Repository::add_delegation`] with caller-provided keys.
    pub fn add_delegation_with_keys(
        &mut self,
        parent: &str,
        name: &str,
        paths: Vec<String>,
        keys: Vec<Arc<SigningKey>>,
        threshold: u32,
        terminating: bool,
    ) -> Result<()> {
        if self.targets.contains_key(name) || crate::metadata::TOP_LEVEL_ROLES.contains(&name) {
            return Err(Error::Repository(format!("role {name} already exists")));
        }
        if keys.len() < threshold as usize || threshold == 0 {
            return Err(Error::Repository(format!(
                "{name}: threshold {threshold} with {} keys",
                keys.len()
            )));
        }
        let exp = format_time(self.expires);
        let parent_md = self
            .targets
            .get_mut(parent)
            .ok_or_else(|| Error::Repository(format!("no role {parent}")))?;
        let d = parent_md.delegations.get_or_insert_with(|| Delegations {
            keys: BTreeMap::new(),
            roles: vec![],
            succinct_roles: None,
            unrecognized: BTreeMap::new(),
        });
        for k in &keys {
            d.keys.insert(k.key_id().to_string(), k.public().clone());
        }
        d.roles.push(DelegatedRole {
            name: name.into(),
            keyids: keys.iter().map(|k| k.key_id().to_string()).collect(),
            threshold,
            terminating,
            paths: Some(paths),
            path_hash_prefixes: None,
            unrecognized: BTreeMap::new(),
        });
        self.keys.insert(name.into(), keys);
        self.targets.insert(name.into(), empty_targets(&exp));
        self.dirty.insert(parent.into());
        self.dirty.insert(name.into());
        Ok(())
    }

    /// Delegates every path from `parent` to `2^bit_length` succinct hash bins named
    /// `<prefix>-<hex>` sharing `key_count` fresh keys (TAP 15). Add targets to the bin that
    /// [`crate::metadata::SuccinctRoles::role_for_target`] names.
    pub fn add_succinct_delegation(
        &mut self,
        parent: &str,
        prefix: &str,
        bit_length: u32,
        key_count: usize,
        threshold: u32,
    ) -> Result<crate::metadata::SuccinctRoles> {
        if !(1..=16).contains(&bit_length) {
            return Err(Error::Repository(
                "bit_length must be 1 to 16 when building".into(),
            ));
        }
        let keys: Vec<Arc<SigningKey>> = (0..key_count)
            .map(|_| SigningKey::generate().map(Arc::new))
            .collect::<Result<_>>()?;
        let succinct = crate::metadata::SuccinctRoles {
            keyids: keys.iter().map(|k| k.key_id().to_string()).collect(),
            threshold,
            bit_length,
            name_prefix: prefix.into(),
            unrecognized: BTreeMap::new(),
        };
        let exp = format_time(self.expires);
        let parent_md = self
            .targets
            .get_mut(parent)
            .ok_or_else(|| Error::Repository(format!("no role {parent}")))?;
        let mut delegation_keys = BTreeMap::new();
        for k in &keys {
            delegation_keys.insert(k.key_id().to_string(), k.public().clone());
        }
        parent_md.delegations = Some(Delegations {
            keys: delegation_keys,
            roles: vec![],
            succinct_roles: Some(succinct.clone()),
            unrecognized: BTreeMap::new(),
        });
        self.dirty.insert(parent.into());
        let width = bit_length.div_ceil(4) as usize;
        for bin in 0..(1u32 << bit_length) {
            let name = format!("{prefix}-{bin:0width$x}");
            self.keys.insert(name.clone(), keys.clone());
            self.targets.insert(name.clone(), empty_targets(&exp));
            self.dirty.insert(name);
        }
        Ok(succinct)
    }

    /// Sets up the cyres channel layout: `security` and `feature` roles delegated from
    /// top-level targets for `security/*` and `feature/*`, each with its own keys.
    pub fn add_channels(
        &mut self,
        security_keys: usize,
        security_threshold: u32,
        feature_keys: usize,
        feature_threshold: u32,
    ) -> Result<()> {
        self.add_delegation(
            "targets",
            Channel::Security.role(),
            vec![Channel::Security.path_pattern()],
            security_keys,
            security_threshold,
            true,
        )?;
        self.add_delegation(
            "targets",
            Channel::Feature.role(),
            vec![Channel::Feature.path_pattern()],
            feature_keys,
            feature_threshold,
            true,
        )
    }

    /// Adds (or replaces) a target in `role`'s metadata, with sha256/sha512 hashes and length of
    /// `bytes`, and keeps the bytes for publishing.
    pub fn add_target(
        &mut self,
        role: &str,
        path: &str,
        bytes: &[u8],
        custom: Option<Value>,
    ) -> Result<()> {
        crate::pathpattern::safe_components(path)?;
        let md = self
            .targets
            .get_mut(role)
            .ok_or_else(|| Error::Repository(format!("no role {role}")))?;
        md.targets
            .insert(path.into(), TargetFile::describing(bytes, custom));
        self.target_bytes.insert(path.into(), bytes.to_vec());
        self.dirty.insert(role.into());
        Ok(())
    }

    /// Marks a role as changed so the next publish bumps its version.
    pub fn touch(&mut self, role: &str) {
        self.dirty.insert(role.into());
    }

    /// Bumps versions of changed roles, rebuilds snapshot and timestamp, signs everything and
    /// adds the new files to the published tree (TUF §6.3 steps: update targets, snapshot,
    /// timestamp).
    pub fn publish(&mut self) -> Result<()> {
        let exp = format_time(self.expires);
        let consistent = self.root.consistent();
        if self.dirty.contains("root") {
            if self.published_once {
                self.root.version += 1;
            }
            self.root.expires = exp.clone();
            let mut md = Metadata::new(self.root.clone())?;
            let mut signers: Vec<Arc<SigningKey>> = self.previous_root_keys.clone();
            signers.extend(self.keys["root"].iter().cloned());
            let mut seen = BTreeSet::new();
            for k in signers {
                if seen.insert(k.key_id().to_string()) {
                    md.sign(&k);
                }
            }
            let bytes = md.to_bytes()?;
            self.files.insert(
                format!("metadata/{}.root.json", self.root.version),
                bytes.clone(),
            );
            self.files.insert("metadata/root.json".into(), bytes);
            self.previous_root_keys = self.keys["root"].clone();
        }
        let roles: Vec<String> = self.targets.keys().cloned().collect();
        for role in roles {
            let t = self
                .targets
                .get_mut(&role)
                .ok_or_else(|| Error::Repository(role.clone()))?;
            let dirty = self.dirty.contains(&role);
            if dirty || t.version == 0 {
                t.version += 1;
            }
            if !dirty && self.snapshot.meta.contains_key(&format!("{role}.json")) {
                continue;
            }
            t.expires = exp.clone();
            let mut md = Metadata::new(t.clone())?;
            for k in self.keys.get(&role).map(Vec::as_slice).unwrap_or(&[]) {
                md.sign(k);
            }
            let bytes = md.to_bytes()?;
            let name = if consistent {
                format!("{}.{role}.json", t.version)
            } else {
                format!("{role}.json")
            };
            self.files.insert(
                format!("metadata/{}", crate::client::encode_role_path(&name)),
                bytes,
            );
            self.snapshot
                .meta
                .insert(format!("{role}.json"), MetaFile::version_only(t.version));
            for (path, file) in &t.targets {
                let Some(data) = self.target_bytes.get(path) else {
                    continue;
                };
                if consistent {
                    for hash in file.hashes.values() {
                        let p = match path.rsplit_once('/') {
                            Some((dir, base)) => format!("{dir}/{hash}.{base}"),
                            None => format!("{hash}.{path}"),
                        };
                        self.files.insert(format!("targets/{p}"), data.clone());
                    }
                } else {
                    self.files.insert(format!("targets/{path}"), data.clone());
                }
            }
        }
        self.snapshot.version += 1;
        self.snapshot.expires = exp.clone();
        let mut snap = Metadata::new(self.snapshot.clone())?;
        for k in &self.keys["snapshot"] {
            snap.sign(k);
        }
        let snap_bytes = snap.to_bytes()?;
        let snap_name = if consistent {
            format!("{}.snapshot.json", self.snapshot.version)
        } else {
            "snapshot.json".into()
        };
        self.files
            .insert(format!("metadata/{snap_name}"), snap_bytes.clone());
        self.timestamp.version += 1;
        self.timestamp.expires = exp;
        self.timestamp.meta.insert(
            "snapshot.json".into(),
            MetaFile::describing(self.snapshot.version, &snap_bytes),
        );
        let mut ts = Metadata::new(self.timestamp.clone())?;
        for k in &self.keys["timestamp"] {
            ts.sign(k);
        }
        self.files
            .insert("metadata/timestamp.json".into(), ts.to_bytes()?);
        self.dirty.clear();
        self.published_once = true;
        Ok(())
    }

    /// The published tree: `metadata/<name>` and `targets/<path>` to bytes.
    pub fn files(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.files
    }

    /// Mutable access to the published tree, for tests that tamper with it.
    pub fn files_mut(&mut self) -> &mut BTreeMap<String, Vec<u8>> {
        &mut self.files
    }

    /// The bytes of the current root (what a client ships as its initial trusted root).
    pub fn root_bytes(&self) -> Result<Vec<u8>> {
        self.files
            .get(&format!("metadata/{}.root.json", self.root.version))
            .cloned()
            .ok_or_else(|| Error::Repository("root not published yet".into()))
    }

    /// Writes the published tree under `dir` (creating `dir/metadata` and `dir/targets`).
    pub fn write_to(&self, dir: &Path) -> std::io::Result<()> {
        for (rel, bytes) in &self.files {
            let path = dir.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, bytes)?;
        }
        Ok(())
    }
}

fn empty_targets(expires: &str) -> Targets {
    Targets {
        type_: "targets".into(),
        spec_version: SPEC_VERSION.into(),
        version: 0,
        expires: expires.into(),
        targets: BTreeMap::new(),
        delegations: None,
        unrecognized: BTreeMap::new(),
    }
}
