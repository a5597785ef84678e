//! The on-disk repository workspace behind `cyres repo`: staged metadata that people edit and
//! sign, and the published tree that clients download (TUF §6 "repository operations").
//!
//! ```text
//! <repo>/cyres-repo.json          settings (consistent snapshots, lifetimes, online key dir)
//! <repo>/keys/                    key files made by `init` (move the offline ones away!)
//! <repo>/staged/metadata/<role>.json   root, targets, security, feature, … being edited
//! <repo>/staged/targets/<path>    target files added but maybe not yet published
//! <repo>/published/metadata/…     what clients fetch: N.root.json, V.role.json, timestamp.json
//! <repo>/published/targets/…      target files, `<dir>/<sha>.<name>` under consistent snapshots
//! ```
//!
//! Offline roles (root, targets and the delegated `security` and `feature` channels) change in
//! `staged/`: every edit gives the role version *published + 1* and drops its signatures, then
//! holders of the role's keys add signatures one by one ([`Workspace::sign`]) until the
//! threshold is met. [`Workspace::publish`] refuses unless every role meets its threshold (a new
//! root: the old root's and its own, TUF §6.1 / §5.3.4), then writes the changed roles, copies
//! their targets, and makes a new snapshot and timestamp with the online keys.
//! [`renew_online_metadata`] re-signs snapshot and timestamp before they expire, which is what
//! `cyres serve` runs periodically: short-lived timestamps are TUF's defence against freeze
//! attacks (TUF §5.4.4), and they only work if someone renews them.
//!
//! The workspace manages delegations listed by name (`roles`), which is what the channel
//! layout uses, and succinct hash-bin delegations (TUF §4.5 `succinct_roles`, TAP 15; see
//! [`bins`]): a channel role can hand its targets to `2^n` bins that share one key set, so a
//! release adds a few hundred bytes to one bin instead of re-signing one huge role.
//!
//! Publishing and renewing both rewrite `published/`; they take an exclusive advisory lock on
//! `<repo>/.cyres-repo.lock` and re-read what is published once they hold it, so a server
//! renewing the timestamp and a person publishing at the same moment cannot reuse a version.
//! Staged edits (adding targets, signing, rotating keys) take the same lock around their whole
//! read-modify-write ([`Workspace::open_locked`]), so two people editing at once cannot lose
//! each other's changes.

pub mod bins;
mod files;
mod status;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::channel::{Channel, TargetCustom};
use crate::client::encode_role;
use crate::crypto::{Key, SigningKey};
use crate::error::{Error, Result};
use crate::keyfile::{KdfParams, KeyFile};
use crate::metadata::{
    DelegatedRole, Delegations, MetaFile, Metadata, RoleKeys, Root, Signed, Snapshot, TargetFile,
    Targets, Timestamp, format_time, parse_time,
};
use crate::repo::SPEC_VERSION;

pub use files::write_atomic;
pub use status::{RenewReport, RoleStatus, renew_online_metadata};

/// Name of the settings file in the repository directory.
pub const SETTINGS_FILE: &str = "cyres-repo.json";

const DAY: i64 = 24 * 60 * 60;

/// Repository settings, stored in `cyres-repo.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Settings format, 1.
    pub format: u32,
    /// Publish `N.role.json` and hash-prefixed targets (TUF §6.2).
    pub consistent_snapshot: bool,
    /// Metadata lifetime in seconds by role; delegated roles without an entry use `targets`'.
    pub lifetimes: BTreeMap<String, i64>,
    /// Directory (relative to the repository, or absolute) searched for unencrypted snapshot
    /// and timestamp key files.
    pub online_keys_dir: String,
}

impl Default for Settings {
    fn default() -> Self {
        let lifetimes = [
            ("root", 365 * DAY),
            ("targets", 90 * DAY),
            ("snapshot", 7 * DAY),
            ("timestamp", DAY),
        ]
        .into_iter()
        .map(|(r, s)| (r.to_string(), s))
        .collect();
        Settings {
            format: 1,
            consistent_snapshot: true,
            lifetimes,
            online_keys_dir: "keys".into(),
        }
    }
}

impl Settings {
    /// The lifetime of `role`'s metadata.
    pub fn lifetime(&self, role: &str) -> Duration {
        let secs = self
            .lifetimes
            .get(role)
            .or_else(|| self.lifetimes.get("targets"))
            .copied()
            .unwrap_or(90 * DAY);
        Duration::seconds(secs.max(60))
    }
}

/// Options of [`Workspace::init`].
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// Settings to write (lifetimes, consistent snapshots, online key dir).
    pub settings: Settings,
    /// Where the encrypted root, targets, security and feature key files go.
    pub offline_key_dir: PathBuf,
    /// Passphrase for the offline key files.
    pub passphrase: String,
    /// Argon2id costs for the offline key files.
    pub kdf: KdfParams,
}

/// A key file written by [`Workspace::init`].
#[derive(Debug, Clone)]
pub struct CreatedKey {
    /// The role it signs for.
    pub role: String,
    /// Where it was written.
    pub path: PathBuf,
    /// Its key id.
    pub keyid: String,
    /// Whether it is passphrase-encrypted (offline) or plain (online).
    pub encrypted: bool,
}

/// What [`Workspace::publish`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishReport {
    /// Root version now published.
    pub root_version: u64,
    /// Whether a new root was written.
    pub root_written: bool,
    /// Targets roles written, with their versions.
    pub roles_written: Vec<(String, u64)>,
    /// Target files copied into `published/targets`.
    pub target_files: usize,
    /// New snapshot version.
    pub snapshot_version: u64,
    /// New timestamp version.
    pub timestamp_version: u64,
}

#[derive(Debug, Clone, Default)]
struct Published {
    root: Option<Metadata<Root>>,
    snapshot: Option<Metadata<Snapshot>>,
    timestamp: Option<Metadata<Timestamp>>,
}

/// An opened repository workspace.
#[derive(Debug)]
pub struct Workspace {
    dir: PathBuf,
    /// The repository settings.
    pub settings: Settings,
    root: Metadata<Root>,
    targets: BTreeMap<String, Metadata<Targets>>,
    published: Published,
    /// The repository lock, held from [`Workspace::open_locked`] until drop.
    lock: Option<std::fs::File>,
}

fn repo_err(msg: impl Into<String>) -> Error {
    Error::Repository(msg.into())
}

impl Workspace {
    /// Creates a repository in `dir`: fresh keys for every role (encrypted key files for root,
    /// targets, security and feature; plain ones for snapshot and timestamp), root v1, targets
    /// v1 delegating `security/*` and `feature/*` to the two channel roles, all signed, and a
    /// first publish.
    pub fn init(
        dir: &Path,
        opts: &InitOptions,
        now: OffsetDateTime,
    ) -> Result<(Workspace, Vec<CreatedKey>)> {
        if dir.join(SETTINGS_FILE).exists() {
            return Err(repo_err(format!(
                "{} already holds a repository",
                dir.display()
            )));
        }
        let online_dir = resolve(dir, &opts.settings.online_keys_dir);
        let mut created = Vec::new();
        let mut keys: BTreeMap<&str, Arc<SigningKey>> = BTreeMap::new();
        for role in [
            "root",
            "targets",
            "security",
            "feature",
            "snapshot",
            "timestamp",
        ] {
            let key = Arc::new(SigningKey::generate()?);
            let online = role == "snapshot" || role == "timestamp";
            let (file, path) = if online {
                (
                    KeyFile::plain(&key, role)?,
                    online_dir.join(format!("{role}.key")),
                )
            } else {
                (
                    KeyFile::encrypt(&key, role, &opts.passphrase, opts.kdf)?,
                    opts.offline_key_dir.join(format!("{role}.key")),
                )
            };
            file.write_new(&path)?;
            created.push(CreatedKey {
                role: role.into(),
                path,
                keyid: key.key_id().into(),
                encrypted: !online,
            });
            keys.insert(role, key);
        }
        let settings = &opts.settings;
        let expires = |role: &str| format_time(now + settings.lifetime(role));
        let mut root = Root {
            type_: "root".into(),
            spec_version: SPEC_VERSION.into(),
            version: 1,
            expires: expires("root"),
            consistent_snapshot: Some(settings.consistent_snapshot),
            keys: BTreeMap::new(),
            roles: BTreeMap::new(),
            unrecognized: BTreeMap::new(),
        };
        root.set_issued_at(now);
        for role in ["root", "targets", "snapshot", "timestamp"] {
            let k = &keys[role];
            root.keys.insert(k.key_id().into(), k.public().clone());
            root.roles
                .insert(role.into(), role_keys(vec![k.key_id().into()], 1));
        }
        let mut top = empty_targets(expires("targets"));
        let mut delegations = Delegations {
            keys: BTreeMap::new(),
            roles: vec![],
            succinct_roles: None,
            unrecognized: BTreeMap::new(),
        };
        for channel in [Channel::Security, Channel::Feature] {
            let k = &keys[channel.role()];
            delegations
                .keys
                .insert(k.key_id().into(), k.public().clone());
            delegations.roles.push(DelegatedRole {
                name: channel.role().into(),
                keyids: vec![k.key_id().into()],
                threshold: 1,
                terminating: true,
                paths: Some(vec![channel.path_pattern()]),
                path_hash_prefixes: None,
                unrecognized: BTreeMap::new(),
            });
        }
        top.delegations = Some(delegations);
        let mut root_md = Metadata::new(root)?;
        root_md.sign(&keys["root"]);
        let mut targets = BTreeMap::new();
        let mut top_md = Metadata::new(top)?;
        top_md.sign(&keys["targets"]);
        targets.insert("targets".to_string(), top_md);
        for channel in [Channel::Security, Channel::Feature] {
            let mut md = Metadata::new(empty_targets(expires(channel.role())))?;
            md.sign(&keys[channel.role()]);
            targets.insert(channel.role().to_string(), md);
        }
        let mut ws = Workspace {
            dir: dir.to_path_buf(),
            settings: settings.clone(),
            root: root_md,
            targets,
            published: Published::default(),
            lock: None,
        };
        let settings_bytes =
            serde_json::to_vec_pretty(&ws.settings).map_err(|e| Error::Canonical(e.to_string()))?;
        write_atomic(&dir.join(SETTINGS_FILE), &settings_bytes)?;
        ws.save_root()?;
        for role in ws.targets.keys().cloned().collect::<Vec<_>>() {
            ws.save_role(&role)?;
        }
        ws.publish(now)?;
        Ok((ws, created))
    }

    /// Opens the repository in `dir` for an edit: takes the repository's exclusive lock (the
    /// one publishing and online renewal take), then reads it, and holds the lock until the
    /// workspace is dropped. Two edits of staged metadata at once would otherwise both read the
    /// same version and the later write would silently drop the earlier one's change.
    pub fn open_locked(dir: &Path) -> Result<Workspace> {
        let lock = files::lock(dir)?;
        let mut ws = Workspace::open(dir)?;
        ws.lock = Some(lock);
        Ok(ws)
    }

    /// Opens the repository in `dir` for reading: settings, staged metadata and what is
    /// published. Edits need [`Workspace::open_locked`].
    pub fn open(dir: &Path) -> Result<Workspace> {
        let settings: Settings = serde_json::from_slice(&files::read(&dir.join(SETTINGS_FILE))?)
            .map_err(|e| Error::malformed(SETTINGS_FILE, e))?;
        if settings.format != 1 {
            return Err(Error::malformed(SETTINGS_FILE, "unsupported format"));
        }
        let staged = dir.join("staged/metadata");
        let root = Metadata::<Root>::from_bytes(&files::read(&staged.join("root.json"))?)?;
        let mut targets = BTreeMap::new();
        let mut queue = vec!["targets".to_string()];
        while let Some(role) = queue.pop() {
            if targets.contains_key(&role) {
                continue;
            }
            let path = staged.join(format!("{}.json", encode_role(&role)));
            let md = Metadata::<Targets>::from_bytes(&files::read(&path)?)?;
            queue.extend(md.signed.delegated_role_names());
            targets.insert(role, md);
        }
        let published = files::load_published(dir, settings.consistent_snapshot)?;
        Ok(Workspace {
            dir: dir.to_path_buf(),
            settings,
            root,
            targets,
            published,
            lock: None,
        })
    }

    /// The repository directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The published metadata directory (what `cyres serve` or a web server serves).
    pub fn metadata_dir(&self) -> PathBuf {
        self.dir.join("published/metadata")
    }

    /// The published targets directory.
    pub fn targets_dir(&self) -> PathBuf {
        self.dir.join("published/targets")
    }

    /// The staged root.
    pub fn root(&self) -> &Root {
        &self.root.signed
    }

    /// The staged targets metadata of `role`, if the role exists.
    pub fn targets(&self, role: &str) -> Option<&Targets> {
        self.targets.get(role).map(|m| &m.signed)
    }

    /// Names of all staged targets roles.
    pub fn target_roles(&self) -> Vec<String> {
        self.targets.keys().cloned().collect()
    }

    fn published_root_version(&self) -> Option<u64> {
        self.published.root.as_ref().map(|r| r.signed.version)
    }

    fn published_version(&self, role: &str) -> Option<u64> {
        self.published
            .snapshot
            .as_ref()
            .and_then(|s| s.signed.meta.get(&format!("{role}.json")))
            .map(|m| m.version)
    }

    fn save_root(&self) -> Result<()> {
        write_atomic(
            &self.dir.join("staged/metadata/root.json"),
            &self.root.to_bytes()?,
        )
    }

    fn save_role(&self, role: &str) -> Result<()> {
        let md = self
            .targets
            .get(role)
            .ok_or_else(|| repo_err(format!("no role {role}")))?;
        write_atomic(
            &self
                .dir
                .join(format!("staged/metadata/{}.json", encode_role(role))),
            &md.to_bytes()?,
        )
    }

    /// Applies `edit` to the staged targets role, gives it version published + 1 and a fresh
    /// expiry, drops its signatures and saves it.
    fn edit_targets(
        &mut self,
        role: &str,
        now: OffsetDateTime,
        edit: impl FnOnce(&mut Targets) -> Result<()>,
    ) -> Result<()> {
        let mut signed = self
            .targets
            .get(role)
            .ok_or_else(|| repo_err(format!("no role {role}")))?
            .signed
            .clone();
        edit(&mut signed)?;
        if let Some(v) = self.published_version(role) {
            signed.version = v + 1;
        }
        signed.expires = format_time(now + self.settings.lifetime(role));
        self.targets.insert(role.into(), Metadata::new(signed)?);
        self.save_role(role)
    }

    fn edit_root(
        &mut self,
        now: OffsetDateTime,
        edit: impl FnOnce(&mut Root) -> Result<()>,
    ) -> Result<()> {
        let mut signed = self.root.signed.clone();
        edit(&mut signed)?;
        if let Some(v) = self.published_root_version() {
            signed.version = v + 1;
        }
        signed.expires = format_time(now + self.settings.lifetime("root"));
        signed.set_issued_at(now);
        self.root = Metadata::new(signed)?;
        self.save_root()
    }

    /// Re-issues a role unchanged (new version, new expiry, no signatures), e.g. before it
    /// expires or after its keys changed.
    pub fn touch(&mut self, role: &str, now: OffsetDateTime) -> Result<()> {
        if role == "root" {
            self.edit_root(now, |_| Ok(()))
        } else {
            self.edit_targets(role, now, |_| Ok(()))
        }
    }

    /// The delegating role of a delegated targets role.
    fn parent_of(&self, role: &str) -> Option<&str> {
        self.targets
            .iter()
            .find(|(_, md)| md.signed.delegated_role_keys(role).is_some())
            .map(|(name, _)| name.as_str())
    }

    /// Stages `bytes` as target `<channel>/<file_name>` in the channel's role, with the cyres
    /// channel metadata as `custom`. Returns the target path.
    pub fn add_target(
        &mut self,
        file_name: &str,
        bytes: &[u8],
        custom: &TargetCustom,
        now: OffsetDateTime,
    ) -> Result<String> {
        let mut paths = self.add_targets(&[(file_name, bytes, custom)], now)?;
        paths.pop().ok_or_else(|| repo_err("no target added"))
    }

    /// Stages several targets at once (one new version per changed role). Returns the target
    /// paths in order.
    pub fn add_targets(
        &mut self,
        files: &[(&str, &[u8], &TargetCustom)],
        now: OffsetDateTime,
    ) -> Result<Vec<String>> {
        let mut by_role: BTreeMap<String, Vec<(String, TargetFile)>> = BTreeMap::new();
        let mut paths = Vec::new();
        for (file_name, bytes, custom) in files {
            if file_name.contains('/') {
                return Err(repo_err(format!(
                    "target file name {file_name:?} must not contain '/'"
                )));
            }
            let path = custom.channel.target_path(file_name);
            crate::pathpattern::safe_components(&path)?;
            let role = custom.channel.role();
            let parent = self
                .parent_of(role)
                .ok_or_else(|| repo_err(format!("role {role} is not delegated")))?;
            let covered = self.targets[parent]
                .signed
                .delegation(role)
                .is_some_and(|d| d.covers(&path));
            if !covered {
                return Err(repo_err(format!("role {role} is not trusted for {path}")));
            }
            let local = crate::pathpattern::local_path(&self.dir.join("staged/targets"), &path)?;
            write_atomic(&local, bytes)?;
            let file = TargetFile::describing(bytes, Some(custom.to_value()));
            // A channel role that delegates to hash bins keeps its targets in the bins.
            let role = self.staging_role(role, &path);
            by_role.entry(role).or_default().push((path.clone(), file));
            paths.push(path);
        }
        for (role, entries) in by_role {
            self.edit_targets(&role, now, |t| {
                t.targets.extend(entries);
                Ok(())
            })?;
        }
        Ok(paths)
    }

    /// Removes target `path` from the role that lists it. Returns that role.
    pub fn remove_target(&mut self, path: &str, now: OffsetDateTime) -> Result<String> {
        let role = self
            .targets
            .iter()
            .find(|(_, md)| md.signed.targets.contains_key(path))
            .map(|(r, _)| r.clone())
            .ok_or_else(|| Error::TargetNotFound(path.into()))?;
        self.edit_targets(&role, now, |t| {
            t.targets.remove(path);
            Ok(())
        })?;
        if let Ok(local) = crate::pathpattern::local_path(&self.dir.join("staged/targets"), path) {
            let _ = std::fs::remove_file(local);
        }
        Ok(role)
    }

    /// Key ids allowed to sign the staged metadata of `role`. For a new root this includes the
    /// published root's root keys, which must also sign it (TUF §5.3.4).
    pub fn authorized_keyids(&self, role: &str) -> Result<BTreeSet<String>> {
        let mut ids: BTreeSet<String> = BTreeSet::new();
        match role {
            "root" => {
                ids.extend(self.root.signed.role("root")?.keyids.iter().cloned());
                if let Some(old) = &self.published.root {
                    ids.extend(old.signed.role("root")?.keyids.iter().cloned());
                }
            }
            "targets" => ids.extend(self.root.signed.role("targets")?.keyids.iter().cloned()),
            "snapshot" | "timestamp" => {
                return Err(repo_err(format!(
                    "{role} is signed with online keys at publish time"
                )));
            }
            _ => {
                let parent = self.parent_of(role).ok_or_else(|| Error::UnknownRole {
                    role: role.into(),
                    delegator: "any targets role".into(),
                })?;
                let d = self.targets[parent]
                    .signed
                    .delegated_role_keys(role)
                    .ok_or_else(|| repo_err(role.to_string()))?;
                ids.extend(d.keyids);
            }
        }
        Ok(ids)
    }

    /// Adds `key`'s signature to the staged metadata of `role`.
    pub fn sign(&mut self, role: &str, key: &SigningKey) -> Result<()> {
        if !self.authorized_keyids(role)?.contains(key.key_id()) {
            return Err(Error::Key {
                keyid: key.key_id().into(),
                reason: format!("not a key of role {role}"),
            });
        }
        if role == "root" {
            self.root.sign(key);
            self.save_root()
        } else {
            let md = self
                .targets
                .get_mut(role)
                .ok_or_else(|| repo_err(format!("no role {role}")))?;
            md.sign(key);
            self.save_role(role)
        }
    }

    /// Changes the keys and threshold of a role: for top-level roles in a new root (TUF §6.1
    /// key rotation, signed by a threshold of the old and the new root keys), for delegated
    /// roles in the delegating role. The role itself is re-issued so that it gets signed by the
    /// new keys.
    pub fn rotate_keys(
        &mut self,
        role: &str,
        add: &[Key],
        remove: &[String],
        threshold: Option<u32>,
        now: OffsetDateTime,
    ) -> Result<()> {
        let change = |keyids: &mut Vec<String>,
                      keys: &mut BTreeMap<String, Key>,
                      current: u32|
         -> Result<u32> {
            for id in remove {
                if !keyids.contains(id) {
                    return Err(repo_err(format!("{id} is not a key of {role}")));
                }
                keyids.retain(|k| k != id);
            }
            for k in add {
                let id = k.key_id()?;
                if !keyids.contains(&id) {
                    keyids.push(id.clone());
                }
                keys.insert(id, k.clone());
            }
            let t = threshold.unwrap_or(current);
            if t == 0 || t as usize > keyids.len() {
                return Err(repo_err(format!(
                    "{role}: threshold {t} with {} keys",
                    keyids.len()
                )));
            }
            Ok(t)
        };
        if crate::metadata::TOP_LEVEL_ROLES.contains(&role) {
            self.edit_root(now, |root| {
                let mut rk = root.role(role)?.clone();
                rk.threshold = change(&mut rk.keyids, &mut root.keys, rk.threshold)?;
                root.roles.insert(role.into(), rk);
                let used: BTreeSet<String> =
                    root.roles.values().flat_map(|r| r.keyids.clone()).collect();
                root.keys.retain(|id, _| used.contains(id));
                Ok(())
            })?;
            if role == "targets" {
                self.touch("targets", now)?;
            }
        } else {
            let parent = self
                .parent_of(role)
                .ok_or_else(|| repo_err(format!("role {role} is not delegated")))?
                .to_string();
            self.edit_targets(&parent, now, |t| {
                let d = t
                    .delegations
                    .as_mut()
                    .ok_or_else(|| repo_err("no delegations"))?;
                let mut keys = std::mem::take(&mut d.keys);
                let r = d
                    .roles
                    .iter_mut()
                    .find(|r| r.name == role)
                    .ok_or_else(|| repo_err(format!("no delegation {role}")))?;
                r.threshold = change(&mut r.keyids, &mut keys, r.threshold)?;
                let used: BTreeSet<String> =
                    d.roles.iter().flat_map(|r| r.keyids.clone()).collect();
                keys.retain(|id, _| used.contains(id));
                d.keys = keys;
                Ok(())
            })?;
            self.touch(role, now)?;
        }
        Ok(())
    }

    /// Checks that the staged metadata of `role` meets its signature threshold(s).
    pub fn check_signatures(&self, role: &str) -> Result<()> {
        match role {
            "root" => {
                let new = &self.root;
                new.verify_role("root", &new.signed.keys, new.signed.role("root")?)?;
                if let Some(old) = &self.published.root
                    && new.signed.version != old.signed.version
                {
                    if new.signed.version != old.signed.version + 1 {
                        return Err(Error::Version {
                            role: "root".into(),
                            expected: (old.signed.version + 1).to_string(),
                            found: new.signed.version,
                        });
                    }
                    // TUF §5.3.4: clients check the new root against the old root's keys too.
                    new.verify_role("root", &old.signed.keys, old.signed.role("root")?)?;
                }
                Ok(())
            }
            "targets" => self.targets["targets"].verify_role(
                "targets",
                &self.root.signed.keys,
                self.root.signed.role("targets")?,
            ),
            _ => {
                let md = self
                    .targets
                    .get(role)
                    .ok_or_else(|| repo_err(format!("no role {role}")))?;
                let parent = self.parent_of(role).ok_or_else(|| Error::UnknownRole {
                    role: role.into(),
                    delegator: "any targets role".into(),
                })?;
                let p = &self.targets[parent].signed;
                let rk = p
                    .delegated_role_keys(role)
                    .ok_or_else(|| repo_err(role.to_string()))?;
                let empty = BTreeMap::new();
                let keys = p.delegations.as_ref().map(|d| &d.keys).unwrap_or(&empty);
                md.verify_role(role, keys, &rk)
            }
        }
    }

    /// Loads the online keys of `role` (snapshot or timestamp) from the online key directory.
    fn online_keys(&self, role: &str, rk: &RoleKeys) -> Result<Vec<SigningKey>> {
        let dir = resolve(&self.dir, &self.settings.online_keys_dir);
        online_keys(&dir, role, rk)
    }

    /// Publishes the staged metadata: checks every threshold and expiry, writes the changed
    /// roles and their target files, then a new snapshot and timestamp signed with the online
    /// keys (TUF §6.3: targets first, then snapshot, then timestamp, so a client never sees a
    /// timestamp pointing at files that are not there yet).
    pub fn publish(&mut self, now: OffsetDateTime) -> Result<PublishReport> {
        // flock is per open file: taking it again here while `open_locked` holds it would
        // wait forever.
        let _lock = match self.lock {
            Some(_) => None,
            None => Some(files::lock(&self.dir)?),
        };
        self.published = files::load_published(&self.dir, self.settings.consistent_snapshot)?;
        self.check_signatures("root")?;
        for role in self.targets.keys() {
            self.check_signatures(role)?;
        }
        if self.root.signed.is_expired(now)? {
            return Err(repo_err("staged root has expired: touch it and sign again"));
        }
        for (role, md) in &self.targets {
            if md.signed.is_expired(now)? {
                return Err(repo_err(format!(
                    "staged {role} has expired: touch it and sign again"
                )));
            }
        }
        let consistent = self.root.signed.consistent();
        let meta_dir = self.metadata_dir();
        let root_written = self.published_root_version() != Some(self.root.signed.version);
        // Online keys first, so a missing key fails before anything is written.
        let snap_rk = self.root.signed.role("snapshot")?.clone();
        let ts_rk = self.root.signed.role("timestamp")?.clone();
        let snap_keys = self.online_keys("snapshot", &snap_rk)?;
        let ts_keys = self.online_keys("timestamp", &ts_rk)?;
        let mut roles_written = Vec::new();
        let mut target_files = 0;
        for (role, md) in &self.targets {
            let v = md.signed.version;
            if self.published_version(role) == Some(v) {
                continue;
            }
            for (path, file) in &md.signed.targets {
                let src = crate::pathpattern::local_path(&self.dir.join("staged/targets"), path)?;
                let bytes = files::read(&src)?;
                file.verify(path, &bytes)?;
                for name in files::published_target_names(path, file, consistent) {
                    let dest = crate::pathpattern::local_path(&self.targets_dir(), &name)?;
                    // Hash-prefixed names never change content; plain names may.
                    if !consistent || !dest.exists() {
                        write_atomic(&dest, &bytes)?;
                        target_files += 1;
                    }
                }
            }
            let name = if consistent {
                format!("{v}.{}.json", encode_role(role))
            } else {
                format!("{}.json", encode_role(role))
            };
            write_atomic(&meta_dir.join(name), &md.to_bytes()?)?;
            roles_written.push((role.clone(), v));
        }
        if root_written {
            let bytes = self.root.to_bytes()?;
            write_atomic(
                &meta_dir.join(format!("{}.root.json", self.root.signed.version)),
                &bytes,
            )?;
            write_atomic(&meta_dir.join("root.json"), &bytes)?;
        }
        // TUF §5.5.5: "Check that all targets metadata files listed in the trusted snapshot are
        // also listed in the new snapshot" — clients refuse a snapshot that drops a role. Roles
        // no longer delegated (hash bins retired by a rebalance) stay listed at their last
        // version; nothing delegates to them, so no client fetches them.
        let mut meta: BTreeMap<String, MetaFile> = self
            .published
            .snapshot
            .as_ref()
            .map(|s| s.signed.meta.clone())
            .unwrap_or_default();
        meta.extend(self.targets.iter().map(|(role, md)| {
            (
                format!("{role}.json"),
                MetaFile::version_only(md.signed.version),
            )
        }));
        let (snapshot, snapshot_bytes) = files::write_snapshot(
            &meta_dir,
            consistent,
            &self.settings,
            self.published.snapshot.as_ref(),
            Some(meta),
            &snap_keys,
            now,
        )?;
        let timestamp = files::write_timestamp(
            &meta_dir,
            &self.settings,
            self.published.timestamp.as_ref(),
            &snapshot,
            &snapshot_bytes,
            &ts_keys,
            now,
        )?;
        let report = PublishReport {
            root_version: self.root.signed.version,
            root_written,
            roles_written,
            target_files,
            snapshot_version: snapshot.signed.version,
            timestamp_version: timestamp.signed.version,
        };
        self.published.root = Some(self.root.clone());
        self.published.snapshot = Some(snapshot);
        self.published.timestamp = Some(timestamp);
        Ok(report)
    }
}

fn resolve(base: &Path, p: &str) -> PathBuf {
    let p = Path::new(p);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

/// Loads the unencrypted key files in `dir` whose key ids `rk` lists, enough for its threshold.
fn online_keys(dir: &Path, role: &str, rk: &RoleKeys) -> Result<Vec<SigningKey>> {
    let mut found = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| Error::Store {
        what: dir.display().to_string(),
        reason: e.to_string(),
    })?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.extension().and_then(|e| e.to_str()) != Some("key") {
            continue;
        }
        let Ok(file) = KeyFile::read(&path) else {
            continue;
        };
        if file.is_encrypted() || !rk.keyids.contains(&file.keyid) {
            continue;
        }
        if found.iter().any(|k: &SigningKey| k.key_id() == file.keyid) {
            continue;
        }
        found.push(file.decrypt(None)?);
    }
    if found.len() < rk.threshold as usize {
        return Err(Error::Threshold {
            role: format!("{role} (online keys in {})", dir.display()),
            valid: found.len(),
            threshold: rk.threshold,
        });
    }
    Ok(found)
}

fn role_keys(keyids: Vec<String>, threshold: u32) -> RoleKeys {
    RoleKeys {
        keyids,
        threshold,
        unrecognized: BTreeMap::new(),
    }
}

fn empty_targets(expires: String) -> Targets {
    Targets {
        type_: "targets".into(),
        spec_version: SPEC_VERSION.into(),
        version: 1,
        expires,
        targets: BTreeMap::new(),
        delegations: None,
        unrecognized: BTreeMap::new(),
    }
}

/// Seconds until `expires`, negative when past.
fn remaining(expires: &str, now: OffsetDateTime) -> Result<Duration> {
    Ok(parse_time(expires)? - now)
}

#[cfg(test)]
mod tests;
