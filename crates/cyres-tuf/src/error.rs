//! The one error type of `cyres-tuf`.
//!
//! Every variant carries enough context (role, version, key id, path) for a log line to explain
//! which TUF check failed; the client binary prints these on stderr for conformance debugging.

use thiserror::Error;

/// Everything that can go wrong while parsing, verifying, updating or building TUF metadata.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not JSON, or the JSON does not fit the TUF metadata shape.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// What was being parsed (e.g. `root.json`, `key`).
        what: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A value cannot be written as canonical JSON (e.g. a float).
    #[error("cannot encode as canonical JSON: {0}")]
    Canonical(String),
    /// `_type` differs from the role that was expected.
    #[error("expected metadata of type {expected}, got {found}")]
    WrongType {
        /// The role type asked for.
        expected: String,
        /// The `_type` found in the file.
        found: String,
    },
    /// The metadata's `spec_version` major number is not 1.
    #[error("{role}: unsupported spec_version {found}")]
    SpecVersion {
        /// Role whose metadata was checked.
        role: String,
        /// The offending `spec_version`.
        found: String,
    },
    /// Fewer than `threshold` distinct trusted keys produced valid signatures.
    #[error("{role}: signature threshold not met ({valid} of {threshold} valid)")]
    Threshold {
        /// Role whose signatures were counted.
        role: String,
        /// Distinct valid signatures found.
        valid: usize,
        /// Signatures required.
        threshold: u32,
    },
    /// Two signatures in one envelope name the same key id (TUF §4.2: the keyid "MUST be
    /// unique in the "signatures" array").
    #[error("{role}: key id {keyid} appears more than once in signatures")]
    DuplicateKeyId {
        /// Role whose metadata carried the signatures.
        role: String,
        /// The repeated key id.
        keyid: String,
    },
    /// A role that should be delegated is not (e.g. missing from root or delegations).
    #[error("role {role} is not delegated by {delegator}")]
    UnknownRole {
        /// The role that was looked up.
        role: String,
        /// The delegating role.
        delegator: String,
    },
    /// A version number went backwards or did not match the expected value.
    #[error("{role}: bad version {found}, expected {expected}")]
    Version {
        /// Role whose version was checked.
        role: String,
        /// What the version had to be (or be at least).
        expected: String,
        /// The version found.
        found: u64,
    },
    /// A role listed in the trusted snapshot disappeared from the new one (TUF §5.5.5).
    #[error("new snapshot no longer lists {meta}")]
    SnapshotMetaRemoved {
        /// The meta file name that vanished.
        meta: String,
    },
    /// Metadata is past its `expires` time (freeze attack).
    #[error("{role} expired at {expires}")]
    Expired {
        /// Role whose metadata expired.
        role: String,
        /// The `expires` value.
        expires: String,
    },
    /// Length or hash of downloaded bytes differ from the trusted description.
    #[error("{what}: {reason}")]
    Integrity {
        /// What was checked (e.g. `snapshot.json`, target name).
        what: String,
        /// Which check failed.
        reason: String,
    },
    /// A fetch returned more than the allowed number of bytes (endless-data attack).
    #[error("{what}: more than {max} bytes")]
    TooLarge {
        /// What was fetched.
        what: String,
        /// The limit.
        max: u64,
    },
    /// The transport could not find a file (HTTP 403/404, missing file).
    #[error("{what}: not found")]
    NotFound {
        /// What was fetched.
        what: String,
    },
    /// The transport failed for another reason.
    #[error("fetching {what}: {reason}")]
    Transport {
        /// What was fetched.
        what: String,
        /// The transport's message.
        reason: String,
    },
    /// The trusted store failed to read or write.
    #[error("trusted store, {what}: {reason}")]
    Store {
        /// The file or role concerned.
        what: String,
        /// The store's message.
        reason: String,
    },
    /// A target path is unsafe to use as a local file name (`../`, absolute, backslash).
    #[error("unsafe target path {path:?}: {reason}")]
    UnsafeTargetPath {
        /// The target path from metadata or the caller.
        path: String,
        /// Why it was refused.
        reason: String,
    },
    /// No trusted targets metadata describes this target.
    #[error("target {0:?} not found in trusted metadata")]
    TargetNotFound(String),
    /// A key could not be parsed, generated or used.
    #[error("key {keyid}: {reason}")]
    Key {
        /// The key id (or `new key` when generating).
        keyid: String,
        /// What went wrong.
        reason: String,
    },
    /// A workflow step was called out of order (e.g. target search before refresh).
    #[error("workflow: {0}")]
    Workflow(String),
    /// A repository-building request was invalid.
    #[error("repository: {0}")]
    Repository(String),
}

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn malformed(what: impl Into<String>, reason: impl ToString) -> Self {
        Error::Malformed {
            what: what.into(),
            reason: reason.to_string(),
        }
    }
}
