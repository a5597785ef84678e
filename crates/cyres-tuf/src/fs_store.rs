//! The filesystem [`TrustedStore`]: trusted metadata as unversioned files in the metadata
//! directory (`root.json`, `timestamp.json`, `snapshot.json`, `targets.json`, `<role>.json`), as
//! the conformance suite's CLIENT-CLI protocol expects. Role names are percent-encoded so a
//! delegated role name can never point outside the directory. Writes go to a temporary file
//! that is renamed into place, so a crash never leaves half a file trusted.

use std::fs;
use std::io;
use std::path::PathBuf;

use crate::client::TrustedStore;
use crate::client::encode_role;
use crate::error::{Error, Result};

/// Trusted metadata in one directory.
#[derive(Debug)]
pub struct FsStore {
    dir: PathBuf,
}

impl FsStore {
    /// A store over `dir` (created when missing).
    pub fn new(dir: PathBuf) -> io::Result<FsStore> {
        fs::create_dir_all(&dir)?;
        Ok(FsStore { dir })
    }

    fn path(&self, role: &str) -> PathBuf {
        self.dir.join(format!("{}.json", encode_role(role)))
    }
}

fn store_err(path: &std::path::Path, e: io::Error) -> Error {
    Error::Store {
        what: path.display().to_string(),
        reason: e.to_string(),
    }
}

impl TrustedStore for FsStore {
    fn load(&self, role: &str) -> Result<Option<Vec<u8>>> {
        let path = self.path(role);
        match fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(store_err(&path, e)),
        }
    }

    fn store(&mut self, role: &str, bytes: &[u8]) -> Result<()> {
        let path = self.path(role);
        let tmp = path.with_extension("json.tmp");
        fs::write(&tmp, bytes).map_err(|e| store_err(&tmp, e))?;
        fs::rename(&tmp, &path).map_err(|e| store_err(&path, e))
    }

    fn remove(&mut self, role: &str) -> Result<()> {
        let path = self.path(role);
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(store_err(&path, e)),
        }
    }
}
