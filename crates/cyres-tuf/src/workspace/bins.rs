//! Succinct hash-bin delegations in the workspace (TUF §4.5 `succinct_roles`, TAP 15).
//!
//! A targets role that lists thousands of targets must be re-signed and re-downloaded whole for
//! every release. Hash bins split it: the role delegates to `2^bit_length` bins named
//! `<prefix>-<hex>` that share one key set and threshold, and each target lives in the bin
//! selected by the leading bits of the SHA-256 of its path, so a release touches one small
//! bin. [`Workspace::create_bins`] sets the delegation up, [`Workspace::add_targets`] files
//! new targets into their bin, and [`Workspace::rebalance_bins`] changes the number of bins
//! and moves every target to its new bin.
//!
//! Bins that a rebalance retires stay listed in the snapshot at their last version (clients
//! refuse a snapshot that drops a role, TUF §5.5.5), and a bin name that comes back later
//! continues from that version, so no client ever sees a bin's version go backwards
//! (TUF §5.6.4 rollback).

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::{Workspace, empty_targets, repo_err};
use crate::client::encode_role;
use crate::crypto::Key;
use crate::error::Result;
use crate::metadata::{Delegations, Metadata, SuccinctRoles, TargetFile, format_time};

/// The largest `bit_length` the workspace creates (65,536 bin files). Clients accept up to 32
/// (TAP 15), but each bin is a file to sign and publish.
pub const MAX_EDITABLE_BIT_LENGTH: u32 = 16;

impl Workspace {
    /// The succinct hash-bin delegation of `role`, if it delegates to hash bins.
    pub fn bins_of(&self, role: &str) -> Option<&SuccinctRoles> {
        self.targets
            .get(role)?
            .signed
            .delegations
            .as_ref()?
            .succinct_roles
            .as_ref()
    }

    /// The role a new target at `path` staged under `role` goes into: its bin when `role`
    /// delegates to hash bins, `role` itself otherwise.
    pub fn staging_role(&self, role: &str, path: &str) -> String {
        match self.bins_of(role) {
            Some(bins) => bins.role_for_target(path),
            None => role.to_string(),
        }
    }

    /// Makes `parent` delegate to `2^bit_length` hash bins named `<name_prefix>-<hex>`, trusted
    /// with `keys` and `threshold`, and stages every bin (empty, unsigned). Targets `parent`
    /// already lists stay there (clients look in a role before its delegations, TUF §5.6.7.2);
    /// new ones go into bins. Returns the bin names.
    pub fn create_bins(
        &mut self,
        parent: &str,
        name_prefix: &str,
        bit_length: u32,
        keys: &[Key],
        threshold: u32,
        now: OffsetDateTime,
    ) -> Result<Vec<String>> {
        check_bit_length(bit_length)?;
        let current = self
            .targets
            .get(parent)
            .ok_or_else(|| repo_err(format!("no role {parent}")))?;
        if current.signed.delegations.is_some() {
            return Err(repo_err(format!(
                "{parent} already delegates; hash bins replace all of a role's delegations"
            )));
        }
        if name_prefix.is_empty() || encode_role(name_prefix) != name_prefix {
            return Err(repo_err(format!(
                "bin name prefix {name_prefix:?} must be ASCII letters, digits, '_', '.', '-' or '~'"
            )));
        }
        if threshold == 0 || threshold as usize > keys.len() {
            return Err(repo_err(format!(
                "bins: threshold {threshold} with {} keys",
                keys.len()
            )));
        }
        let mut key_map = BTreeMap::new();
        let mut keyids = Vec::new();
        for k in keys {
            let id = k.key_id()?;
            if !keyids.contains(&id) {
                keyids.push(id.clone());
            }
            key_map.insert(id, k.clone());
        }
        let succinct = SuccinctRoles {
            keyids,
            threshold,
            bit_length,
            name_prefix: name_prefix.into(),
            unrecognized: BTreeMap::new(),
        };
        let names = succinct.bin_names();
        if let Some(taken) = names.iter().find(|n| {
            self.targets.contains_key(*n) || crate::metadata::TOP_LEVEL_ROLES.contains(&n.as_str())
        }) {
            return Err(repo_err(format!("role {taken} already exists")));
        }
        self.edit_targets(parent, now, |t| {
            t.delegations = Some(Delegations {
                keys: key_map,
                roles: vec![],
                succinct_roles: Some(succinct),
                unrecognized: BTreeMap::new(),
            });
            Ok(())
        })?;
        for name in &names {
            self.stage_bin(name, BTreeMap::new(), now)?;
        }
        Ok(names)
    }

    /// Changes the number of `parent`'s hash bins to `2^bit_length` and moves every target the
    /// bins list into its new bin. Every bin of the new layout is re-issued (unsigned); bins of
    /// the old layout that no longer exist are removed from `staged/`. Returns the new bin names.
    pub fn rebalance_bins(
        &mut self,
        parent: &str,
        bit_length: u32,
        now: OffsetDateTime,
    ) -> Result<Vec<String>> {
        check_bit_length(bit_length)?;
        let old = self
            .bins_of(parent)
            .cloned()
            .ok_or_else(|| repo_err(format!("{parent} does not delegate to hash bins")))?;
        if old.bit_length == bit_length {
            return Err(repo_err(format!(
                "{parent} already has 2^{bit_length} bins"
            )));
        }
        let new = SuccinctRoles {
            bit_length,
            ..old.clone()
        };
        let mut by_bin: BTreeMap<String, BTreeMap<String, TargetFile>> = BTreeMap::new();
        for name in old.bin_names() {
            let Some(md) = self.targets.remove(&name) else {
                continue;
            };
            for (path, file) in md.signed.targets {
                by_bin
                    .entry(new.role_for_target(&path))
                    .or_default()
                    .insert(path, file);
            }
            let staged = self
                .dir
                .join(format!("staged/metadata/{}.json", encode_role(&name)));
            std::fs::remove_file(&staged).map_err(|e| crate::Error::Store {
                what: staged.display().to_string(),
                reason: e.to_string(),
            })?;
        }
        let names = new.bin_names();
        self.edit_targets(parent, now, |t| {
            if let Some(d) = t.delegations.as_mut() {
                d.succinct_roles = Some(new);
            }
            Ok(())
        })?;
        for name in &names {
            let targets = by_bin.remove(name).unwrap_or_default();
            self.stage_bin(name, targets, now)?;
        }
        Ok(names)
    }

    /// Stages bin `name` listing `targets`, unsigned, with a version above any published one.
    fn stage_bin(
        &mut self,
        name: &str,
        targets: BTreeMap<String, TargetFile>,
        now: OffsetDateTime,
    ) -> Result<()> {
        let mut signed = empty_targets(format_time(now + self.settings.lifetime(name)));
        signed.targets = targets;
        if let Some(v) = self.published_version(name) {
            signed.version = v + 1;
        }
        self.targets.insert(name.into(), Metadata::new(signed)?);
        self.save_role(name)
    }
}

fn check_bit_length(bit_length: u32) -> Result<()> {
    if !(1..=MAX_EDITABLE_BIT_LENGTH).contains(&bit_length) {
        return Err(repo_err(format!(
            "bit length must be 1 to {MAX_EDITABLE_BIT_LENGTH} (2 to 65,536 bins)"
        )));
    }
    Ok(())
}
