//! The crate's one error type. Messy-but-readable advisory data never ends up here: a malformed
//! record inside a readable file or archive is collected in the [`crate::LoadReport`] instead.
//! Only input that cannot be read at all (a missing path, a corrupt archive, a foreign or stale
//! index file) is an error.

use std::path::PathBuf;

/// Why advisories or an index could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VulnError {
    /// A file or directory could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An archive (zip, tar, tar.gz, tar.zst) could not be read.
    #[error("{path}: unreadable {kind} archive: {message}")]
    Archive {
        /// The archive's path.
        path: PathBuf,
        /// `zip`, `tar`, `tar.gz` or `tar.zst`.
        kind: &'static str,
        /// What went wrong.
        message: String,
    },
    /// An archive unpacks past a budget (a zip or tar bomb, or simply too much data): refused
    /// before the excess is read. Names the archive as the caller named it and the limit.
    #[error("{archive}: {what} exceeds the {scope} budget of {limit} bytes unpacked")]
    UnpackBudget {
        /// The archive's name as given (a file name, never a temporary path).
        archive: String,
        /// What went over (an entry's name, or "the archive").
        what: String,
        /// `per-entry`, `total` or `entry-count` (then `limit` counts entries).
        scope: &'static str,
        /// The budget.
        limit: u64,
    },
    /// A single file given directly could not be parsed as any supported format.
    #[error("{source_name}: {message}")]
    Parse {
        /// The file name.
        source_name: String,
        /// What went wrong.
        message: String,
    },
    /// An index file does not start with the cyres index magic: not an index at all.
    #[error("not a cyres advisory index (bad magic); rebuild it with `cyres db build`")]
    IndexMagic,
    /// An index file was written by a different format version.
    #[error(
        "advisory index format version {found} is not the supported version {expected}; \
         rebuild the index"
    )]
    IndexVersion {
        /// The version in the file.
        found: u32,
        /// The version this build reads.
        expected: u32,
    },
    /// The index body could not be decoded or encoded.
    #[error("advisory index is corrupt or truncated: {message}")]
    IndexCorrupt {
        /// What went wrong.
        message: String,
    },
    /// Writing the index failed.
    #[error("writing the advisory index: {0}")]
    IndexWrite(std::io::Error),
}
