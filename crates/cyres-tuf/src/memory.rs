//! In-memory [`Transport`] and [`TrustedStore`]: the client workflow without disk or network,
//! for tests and for embedding metadata that arrives by other means.

use std::cell::RefCell;
use std::collections::BTreeMap;

use crate::client::{Resource, Transport, TrustedStore};
use crate::error::{Error, Result};

/// Trusted metadata kept in a map from role name to bytes.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    /// Stored metadata by role name (`root`, `timestamp`, …).
    pub files: BTreeMap<String, Vec<u8>>,
}

impl MemoryStore {
    /// A store holding only a trusted root.
    pub fn with_root(root: &[u8]) -> MemoryStore {
        let mut files = BTreeMap::new();
        files.insert("root".to_string(), root.to_vec());
        MemoryStore { files }
    }
}

impl TrustedStore for MemoryStore {
    fn load(&self, role: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.files.get(role).cloned())
    }
    fn store(&mut self, role: &str, bytes: &[u8]) -> Result<()> {
        self.files.insert(role.to_string(), bytes.to_vec());
        Ok(())
    }
    fn remove(&mut self, role: &str) -> Result<()> {
        self.files.remove(role);
        Ok(())
    }
}

/// A repository served from memory: `metadata` and `targets` map relative paths to contents.
/// Every request is recorded so tests can check what the client fetched.
#[derive(Debug, Clone, Default)]
pub struct MemoryTransport {
    /// Metadata files by path (e.g. `2.root.json`, `timestamp.json`).
    pub metadata: BTreeMap<String, Vec<u8>>,
    /// Target files by path (e.g. `security/<hash>.fw.bin`).
    pub targets: BTreeMap<String, Vec<u8>>,
    requests: RefCell<Vec<String>>,
}

impl MemoryTransport {
    /// Builds a transport from a repository file map whose keys start with `metadata/` or
    /// `targets/` (the layout [`crate::repo::Repository::files`] produces).
    pub fn from_files(files: &BTreeMap<String, Vec<u8>>) -> MemoryTransport {
        let mut t = MemoryTransport::default();
        for (path, bytes) in files {
            if let Some(p) = path.strip_prefix("metadata/") {
                t.metadata.insert(p.to_string(), bytes.clone());
            } else if let Some(p) = path.strip_prefix("targets/") {
                t.targets.insert(p.to_string(), bytes.clone());
            }
        }
        t
    }

    /// The requests made so far, as `metadata/<path>` or `targets/<path>`.
    pub fn requests(&self) -> Vec<String> {
        self.requests.borrow().clone()
    }
}

impl Transport for MemoryTransport {
    fn fetch(&self, resource: Resource, path: &str, max_len: u64) -> Result<Vec<u8>> {
        let (map, prefix) = match resource {
            Resource::Metadata => (&self.metadata, "metadata"),
            Resource::Target => (&self.targets, "targets"),
        };
        let what = format!("{prefix}/{path}");
        self.requests.borrow_mut().push(what.clone());
        let bytes = map
            .get(path)
            .ok_or_else(|| Error::NotFound { what: what.clone() })?;
        if bytes.len() as u64 > max_len {
            return Err(Error::TooLarge { what, max: max_len });
        }
        Ok(bytes.clone())
    }
}
