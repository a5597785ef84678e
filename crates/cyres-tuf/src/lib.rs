//! The Update Framework (TUF 1.0.x) for cyres secure updates.
//!
//! The EU Cyber Resilience Act asks manufacturers to deliver security updates securely and, where
//! feasible, separately from feature updates. cyres uses TUF for that: this crate holds the
//! metadata model ([`metadata`]), canonical JSON ([`cjson`]), keys and signatures ([`crypto`]),
//! the client update workflow of TUF §5 ([`client`]), the cyres channel layout ([`channel`]) and
//! repository building ([`repo`]).
//!
//! The repository side has an on-disk workspace ([`workspace`], behind `cyres repo`) with
//! passphrase-encrypted key files ([`keyfile`]).
//!
//! Invariant: the verification core (metadata, client, channel) does no I/O. The client
//! reaches the network and the disk only through the [`client::Transport`] and
//! [`client::TrustedStore`] traits, and takes the current time as a parameter, so every TUF
//! attack scenario is tested in memory at a fixed time. I/O lives in named modules only:
//! [`net`] (blocking `http://`/`file://` transport, `https://` with the `tls`
//! feature; used by `cyres-tuf-client` and `cyres-agent`), [`fs_store`] (trusted metadata on disk), [`keyfile`], [`workspace`] and
//! [`repo::Repository::write_to`].

#![deny(missing_docs)]

pub mod channel;
pub mod cjson;
pub mod client;
pub mod crypto;
mod error;
pub mod fs_store;
pub mod keyfile;
pub mod memory;
pub mod metadata;
pub mod net;
pub mod pathpattern;
pub mod repo;
pub mod workspace;

pub use channel::{Channel, TargetCustom};
pub use client::{Resource, TargetInfo, Transport, TrustedStore, Updater, UpdaterConfig};
pub use crypto::{Key, SigningKey};
pub use error::{Error, Result};
pub use fs_store::FsStore;
pub use memory::{MemoryStore, MemoryTransport};
pub use metadata::{Metadata, Root, Signed, Snapshot, TargetFile, Targets, Timestamp};
pub use net::UrlTransport;
pub use repo::Repository;
pub use workspace::{RenewReport, Workspace, renew_online_metadata};
