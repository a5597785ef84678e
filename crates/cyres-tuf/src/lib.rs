//! The Update Framework (TUF 1.0.x) for cyres secure updates.
//!
//! The EU Cyber Resilience Act asks manufacturers to deliver security updates securely and, where
//! feasible, separately from feature updates. cyres uses TUF for that: this crate holds the
//! metadata model ([`metadata`]), canonical JSON ([`cjson`]), keys and signatures ([`crypto`]),
//! the client update workflow of TUF §5 ([`client`]), the cyres channel layout ([`channel`]) and
//! repository building ([`repo`]).
//!
//! Invariant: apart from [`repo::Repository::write_to`], nothing here does I/O. The client
//! reaches the network and the disk only through the [`client::Transport`] and
//! [`client::TrustedStore`] traits, and takes the current time as a parameter, so every TUF
//! attack scenario is tested in memory at a fixed time. The binary `cyres-tuf-client` provides
//! the HTTP/file transport and the filesystem store.

#![deny(missing_docs)]

pub mod channel;
pub mod cjson;
pub mod client;
pub mod crypto;
mod error;
pub mod memory;
pub mod metadata;
pub mod pathpattern;
pub mod repo;

pub use channel::{Channel, TargetCustom};
pub use client::{Resource, TargetInfo, Transport, TrustedStore, Updater, UpdaterConfig};
pub use crypto::{Key, SigningKey};
pub use error::{Error, Result};
pub use memory::{MemoryStore, MemoryTransport};
pub use metadata::{Metadata, Root, Signed, Snapshot, TargetFile, Targets, Timestamp};
pub use repo::Repository;
