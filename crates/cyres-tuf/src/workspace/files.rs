//! File handling of the workspace: atomic writes, reading what is published, and writing new
//! snapshot and timestamp metadata (shared by publishing and by online renewal).

use std::collections::BTreeMap;
use std::path::Path;

use time::OffsetDateTime;

use super::{Published, Settings};
use crate::crypto::SigningKey;
use crate::error::{Error, Result};
use crate::metadata::{MetaFile, Metadata, Root, Snapshot, TargetFile, Timestamp, format_time};
use crate::repo::SPEC_VERSION;

fn store_err(path: &Path, e: std::io::Error) -> Error {
    Error::Store {
        what: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Reads a whole file, with the path in the error.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| store_err(path, e))
}

fn read_opt(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(store_err(path, e)),
    }
}

/// Writes `bytes` to a temporary file next to `path`, syncs it and renames it into place, so
/// readers (web servers, clients, a crash) see the old or the new file, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| store_err(parent, e))?;
    }
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp{}", std::process::id()));
    let tmp = path.with_file_name(name);
    let mut f = std::fs::File::create(&tmp).map_err(|e| store_err(&tmp, e))?;
    f.write_all(bytes).map_err(|e| store_err(&tmp, e))?;
    f.sync_all().map_err(|e| store_err(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| store_err(path, e))
}

/// Takes the repository's exclusive advisory lock (released when the returned file is dropped,
/// or by the kernel if the process dies).
pub(super) fn lock(dir: &Path) -> Result<std::fs::File> {
    let path = dir.join(".cyres-repo.lock");
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| store_err(&path, e))?;
    f.lock().map_err(|e| store_err(&path, e))?;
    Ok(f)
}

/// The published root, timestamp and snapshot of the repository in `dir`, where present.
pub(super) fn load_published(dir: &Path, consistent: bool) -> Result<Published> {
    let meta = dir.join("published/metadata");
    let root = read_opt(&meta.join("root.json"))?
        .map(|b| Metadata::<Root>::from_bytes(&b))
        .transpose()?;
    let timestamp = read_opt(&meta.join("timestamp.json"))?
        .map(|b| Metadata::<Timestamp>::from_bytes(&b))
        .transpose()?;
    let snapshot = match &timestamp {
        Some(ts) => {
            let name = if consistent {
                format!("{}.snapshot.json", ts.signed.snapshot_meta().version)
            } else {
                "snapshot.json".into()
            };
            Some(Metadata::<Snapshot>::from_bytes(&read(&meta.join(name))?)?)
        }
        None => None,
    };
    Ok(Published {
        root,
        snapshot,
        timestamp,
    })
}

/// Where a target is published: `<dir>/<hash>.<name>` for every listed hash under consistent
/// snapshots (TUF §6.2, so any hash a client picks finds the file), the plain path otherwise.
pub(super) fn published_target_names(
    path: &str,
    file: &TargetFile,
    consistent: bool,
) -> Vec<String> {
    if !consistent {
        return vec![path.to_string()];
    }
    file.hashes
        .values()
        .map(|hash| match path.rsplit_once('/') {
            Some((dir, base)) => format!("{dir}/{hash}.{base}"),
            None => format!("{hash}.{path}"),
        })
        .collect()
}

/// Signs and writes snapshot version `previous + 1` listing `meta` (or the previous snapshot's
/// meta when `None`). Returns it with its file bytes.
pub(super) fn write_snapshot(
    meta_dir: &Path,
    consistent: bool,
    settings: &Settings,
    previous: Option<&Metadata<Snapshot>>,
    meta: Option<BTreeMap<String, MetaFile>>,
    keys: &[SigningKey],
    now: OffsetDateTime,
) -> Result<(Metadata<Snapshot>, Vec<u8>)> {
    let meta = match (meta, previous) {
        (Some(m), _) => m,
        (None, Some(p)) => p.signed.meta.clone(),
        (None, None) => return Err(Error::Repository("nothing published yet".into())),
    };
    let snapshot = Snapshot {
        type_: "snapshot".into(),
        spec_version: SPEC_VERSION.into(),
        version: previous.map_or(1, |p| p.signed.version + 1),
        expires: format_time(now + settings.lifetime("snapshot")),
        meta,
        unrecognized: BTreeMap::new(),
    };
    let mut md = Metadata::new(snapshot)?;
    for k in keys {
        md.sign(k);
    }
    let bytes = md.to_bytes()?;
    let name = if consistent {
        format!("{}.snapshot.json", md.signed.version)
    } else {
        "snapshot.json".into()
    };
    write_atomic(&meta_dir.join(name), &bytes)?;
    Ok((md, bytes))
}

/// Signs and writes timestamp version `previous + 1` describing `snapshot` (version, length
/// and sha256 of its bytes, TUF §4.6).
pub(super) fn write_timestamp(
    meta_dir: &Path,
    settings: &Settings,
    previous: Option<&Metadata<Timestamp>>,
    snapshot: &Metadata<Snapshot>,
    snapshot_bytes: &[u8],
    keys: &[SigningKey],
    now: OffsetDateTime,
) -> Result<Metadata<Timestamp>> {
    let mut meta = BTreeMap::new();
    meta.insert(
        "snapshot.json".to_string(),
        MetaFile::describing(snapshot.signed.version, snapshot_bytes),
    );
    let timestamp = Timestamp {
        type_: "timestamp".into(),
        spec_version: SPEC_VERSION.into(),
        version: previous.map_or(1, |p| p.signed.version + 1),
        expires: format_time(now + settings.lifetime("timestamp")),
        meta,
        unrecognized: BTreeMap::new(),
    };
    let mut md = Metadata::new(timestamp)?;
    for k in keys {
        md.sign(k);
    }
    write_atomic(&meta_dir.join("timestamp.json"), &md.to_bytes()?)?;
    Ok(md)
}
