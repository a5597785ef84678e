//! What `cyres repo status` shows, and the online renewal of snapshot and timestamp that
//! `cyres serve` runs on a timer.

use std::path::Path;

use time::OffsetDateTime;

use super::{Workspace, files, remaining};
use crate::error::{Error, Result};
use crate::metadata::{Metadata, RoleKeys, Signed, Targets};

/// One row of `cyres repo status`.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleStatus {
    /// Role name.
    pub role: String,
    /// Version clients currently get, if published.
    pub published_version: Option<u64>,
    /// Version in `staged/` (offline roles only).
    pub staged_version: Option<u64>,
    /// Expiry of the staged (offline roles) or published (online roles) metadata.
    pub expires: String,
    /// Signatures required.
    pub threshold: u32,
    /// Key ids trusted for the role.
    pub keyids: Vec<String>,
    /// Distinct valid signatures on the staged (or published) metadata.
    pub valid_signatures: usize,
    /// Staged changes not yet published.
    pub pending: bool,
    /// Signed with online keys at publish/renew time.
    pub online: bool,
}

fn count_valid<T: Signed>(
    md: &Metadata<T>,
    role: &str,
    keys: &std::collections::BTreeMap<String, crate::Key>,
    rk: &RoleKeys,
) -> usize {
    match md.verify_role(role, keys, rk) {
        Ok(()) => {
            // Count all valid ones, not just up to the threshold.
            let all = RoleKeys {
                threshold: rk.keyids.len().max(1) as u32,
                ..rk.clone()
            };
            match md.verify_role(role, keys, &all) {
                Ok(()) => rk.keyids.len(),
                Err(Error::Threshold { valid, .. }) => valid,
                Err(_) => rk.threshold as usize,
            }
        }
        Err(Error::Threshold { valid, .. }) => valid,
        Err(_) => 0,
    }
}

impl Workspace {
    /// The status of every role: root, targets, delegated roles, snapshot, timestamp.
    pub fn status(&self) -> Result<Vec<RoleStatus>> {
        let mut rows = Vec::new();
        let root = &self.root.signed;
        let rk = root.role("root")?;
        rows.push(RoleStatus {
            role: "root".into(),
            published_version: self.published_root_version(),
            staged_version: Some(root.version),
            expires: root.expires.clone(),
            threshold: rk.threshold,
            keyids: rk.keyids.clone(),
            valid_signatures: count_valid(&self.root, "root", &root.keys, rk),
            pending: self.published_root_version() != Some(root.version),
            online: false,
        });
        let mut order: Vec<&String> = vec![];
        // Top-level targets first, then delegated roles in delegation order.
        let mut queue = vec!["targets".to_string()];
        let mut names = vec![];
        while let Some(r) = queue.pop() {
            if names.contains(&r) || !self.targets.contains_key(&r) {
                continue;
            }
            queue.extend(
                self.targets[&r]
                    .signed
                    .delegated_role_names()
                    .into_iter()
                    .rev(),
            );
            names.push(r);
        }
        for n in &names {
            if let Some((k, _)) = self.targets.get_key_value(n) {
                order.push(k);
            }
        }
        for role in order {
            let md: &Metadata<Targets> = &self.targets[role];
            let (keys, rk) = if role == "targets" {
                (root.keys.clone(), root.role("targets")?.clone())
            } else {
                let parent = self
                    .parent_of(role)
                    .and_then(|p| self.targets.get(p))
                    .map(|p| &p.signed);
                match parent.and_then(|p| Some((p, p.delegated_role_keys(role)?))) {
                    Some((p, rk)) => (
                        p.delegations
                            .as_ref()
                            .map(|d| d.keys.clone())
                            .unwrap_or_default(),
                        rk,
                    ),
                    None => continue,
                }
            };
            rows.push(RoleStatus {
                role: role.clone(),
                published_version: self.published_version(role),
                staged_version: Some(md.signed.version),
                expires: md.signed.expires.clone(),
                threshold: rk.threshold,
                keyids: rk.keyids.clone(),
                valid_signatures: count_valid(md, role, &keys, &rk),
                pending: self.published_version(role) != Some(md.signed.version),
                online: false,
            });
        }
        for role in ["snapshot", "timestamp"] {
            let rk = root.role(role)?;
            let (version, expires, valid) = match role {
                "snapshot" => self.published.snapshot.as_ref().map(|m| {
                    (
                        m.signed.version,
                        m.signed.expires.clone(),
                        count_valid(m, role, &root.keys, rk),
                    )
                }),
                _ => self.published.timestamp.as_ref().map(|m| {
                    (
                        m.signed.version,
                        m.signed.expires.clone(),
                        count_valid(m, role, &root.keys, rk),
                    )
                }),
            }
            .map_or((None, String::new(), 0), |(v, e, c)| (Some(v), e, c));
            rows.push(RoleStatus {
                role: role.into(),
                published_version: version,
                staged_version: None,
                expires,
                threshold: rk.threshold,
                keyids: rk.keyids.clone(),
                valid_signatures: valid,
                pending: false,
                online: true,
            });
        }
        Ok(rows)
    }
}

/// What [`renew_online_metadata`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct RenewReport {
    /// New snapshot version, when the snapshot was renewed.
    pub snapshot_version: Option<u64>,
    /// New timestamp version, when the timestamp was renewed.
    pub timestamp_version: Option<u64>,
    /// When the next renewal will be due (call again at or after this time).
    pub next_due: OffsetDateTime,
    /// Published offline roles that will expire soon and need a human with their keys.
    pub warnings: Vec<String>,
}

/// Re-signs the published timestamp (and the snapshot, when it is due) with the online keys,
/// before they expire. Metadata is renewed once less than half of its lifetime remains, so a
/// server calling this every few minutes keeps clients from ever seeing expired online
/// metadata (TUF §5.4.4, §5.5.6 freeze checks). Offline roles cannot be renewed here; those with
/// less than a quarter of their lifetime left are listed in `warnings`.
pub fn renew_online_metadata(repo_dir: &Path, now: OffsetDateTime) -> Result<RenewReport> {
    let _lock = files::lock(repo_dir)?;
    let ws = Workspace::open(repo_dir)?;
    let root = ws
        .published
        .root
        .as_ref()
        .ok_or_else(|| Error::Repository("nothing published yet".into()))?;
    let (Some(snapshot), Some(timestamp)) = (&ws.published.snapshot, &ws.published.timestamp)
    else {
        return Err(Error::Repository("nothing published yet".into()));
    };
    let settings = &ws.settings;
    let half = |role: &str| -> time::Duration { settings.lifetime(role) / 2 };
    let snap_due = remaining(&snapshot.signed.expires, now)? < half("snapshot");
    let ts_due = snap_due || remaining(&timestamp.signed.expires, now)? < half("timestamp");
    let meta_dir = ws.metadata_dir();
    let consistent = root.signed.consistent();
    let mut report = RenewReport {
        snapshot_version: None,
        timestamp_version: None,
        next_due: now,
        warnings: vec![],
    };
    let mut snap_expires = snapshot.signed.expires_at()?;
    let mut ts_expires = timestamp.signed.expires_at()?;
    if ts_due {
        let (new_snap, snap_bytes) = if snap_due {
            let keys = ws.online_keys("snapshot", root.signed.role("snapshot")?)?;
            let (s, b) = files::write_snapshot(
                &meta_dir,
                consistent,
                settings,
                Some(snapshot),
                None,
                &keys,
                now,
            )?;
            report.snapshot_version = Some(s.signed.version);
            snap_expires = s.signed.expires_at()?;
            (s, b)
        } else {
            let name = if consistent {
                format!("{}.snapshot.json", snapshot.signed.version)
            } else {
                "snapshot.json".into()
            };
            (snapshot.clone(), files::read(&meta_dir.join(name))?)
        };
        let keys = ws.online_keys("timestamp", root.signed.role("timestamp")?)?;
        let ts = files::write_timestamp(
            &meta_dir,
            settings,
            Some(timestamp),
            &new_snap,
            &snap_bytes,
            &keys,
            now,
        )?;
        report.timestamp_version = Some(ts.signed.version);
        ts_expires = ts.signed.expires_at()?;
    }
    let snap_next: OffsetDateTime = snap_expires - half("snapshot");
    let ts_next: OffsetDateTime = ts_expires - half("timestamp");
    report.next_due = snap_next.min(ts_next);
    // Offline roles: warn when less than a quarter of the lifetime is left.
    let warn = |role: &str, expires: &str, report: &mut RenewReport| -> Result<()> {
        let left = remaining(expires, now)?;
        if left < settings.lifetime(role) / 4 {
            report.warnings.push(format!(
                "{role} expires at {expires}: re-sign it with its offline keys"
            ));
        }
        Ok(())
    };
    warn("root", &root.signed.expires, &mut report)?;
    for (name, meta) in &snapshot.signed.meta {
        let role = name.trim_end_matches(".json");
        if let Some(md) = ws.targets.get(role)
            && md.signed.version == meta.version
        {
            warn(role, &md.signed.expires, &mut report)?;
        }
    }
    Ok(report)
}
