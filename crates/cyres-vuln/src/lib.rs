//! Advisories: the OSV model, importers, CVSS severity, the matching index and the matcher.
//!
//! Entry points, in the order the CLI uses them:
//! 1. [`Corpus::load_path`] for each advisory source (OSV JSON/YAML files, directories, zip /
//!    tar / tar.gz / tar.zst archives, the CISA KEV catalogue, NVD CVE API 2.0 files), with a
//!    progress callback; [`Corpus::report`](Corpus) says what was read, skipped and malformed.
//! 2. [`Index::build`] → [`Index::write_to`] to persist; [`Index::read_from`] to load.
//! 3. [`match_sbom`] (pure) → [`ScanReport`], which derives `Serialize` for the renderers; or
//!    [`find_matches`] → [`Matches`], the same findings by reference into the index and the
//!    SBOM, for a caller that only renders them (no per-finding copies).
//!
//! Invariant: nothing here panics on bad input; malformed records are reported, not fatal.

#![deny(missing_docs)]

pub mod advisory;
pub mod cpe_match;
pub mod cpe_resolve;
pub mod distro;
mod error;
pub mod ids;
mod index;
pub mod kev;
pub mod keys;
mod load;
mod matcher;
pub mod nvd;
pub mod platform;
pub mod policy;
pub mod severity;

pub use error::VulnError;
pub use index::{FORMAT_VERSION, Index, IndexBuilder, IndexStats, MAGIC};
pub use load::{Corpus, LoadReport, Progress, RecordError, Skipped, UnpackLimits};
pub use matcher::{
    ComponentMatch, ComponentRef, Exploited, Finding, Match, MatchKind, Matches, PackageQuery,
    ProductRef, ScanReport, Strs, find_matches, find_matches_in, find_matches_unsorted,
    match_components_deferred, match_package, match_sbom, worth_keeping,
};
