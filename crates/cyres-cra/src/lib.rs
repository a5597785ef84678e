//! The Cyber Resilience Act (Regulation (EU) 2024/2847) as code.
//!
//! Every other part of cyres asks this crate what the law says about a product or a case:
//! - [`Catalogue`]: the Annex III (important, class I and II) and Annex IV (critical) lists as
//!   versioned, validated data; the built-in list is embedded, newer lists load from a file;
//! - [`classify()`]: a product [`Profile`] → category, matched entries with reasons (Art. 7(1):
//!   the core functionality decides), conformity routes (Art. 32), the FOSS exception
//!   (Art. 32(5)), the Art. 8 certification note, obligations with their dates, the support
//!   period and the coordinator CSIRT;
//! - [`suggest()`]: catalogue entries proposed from a free-text description, for a person to
//!   confirm;
//! - [`SupportPeriod::compute`]: Art. 13(8), (9) and (13) dates;
//! - [`deadlines()`]: the Art. 14 stages of a vulnerability or incident case at a given time;
//! - [`coordinator`]: the Art. 14(7) routing to a coordinator CSIRT.
//!
//! Invariants: no I/O and no clock. Text comes in as `&str`, the current time as a parameter, so
//! every rule is a pure function that tests can drive exhaustively. Every public result type is
//! `Serialize` with stable kebab-case names, for `--format json` and the server's API.

#![deny(missing_docs)]

pub mod calendar;
pub mod catalogue;
pub mod category;
pub mod classify;
pub mod deadlines;
mod error;
pub mod input;
pub mod member_state;
pub mod obligations;
pub mod profile;
pub mod routing;
pub mod suggest;
pub mod support;
pub mod timeline;

pub use catalogue::{Catalogue, CatalogueVersion, Entry};
pub use category::{Assessor, Category, Route};
pub use classify::{
    Classification, Conformity, FossException, MatchedEntry, RouteOption, classify,
};
pub use deadlines::{
    CaseKind, CaseTimes, Deadlines, Stage, StageKind, StageStatus, UnknownCaseKind, UnknownStage,
    deadlines,
};
pub use error::CraError;
pub use member_state::MemberState;
pub use obligations::{Obligation, obligations};
pub use profile::{CertificationLevel, EnterpriseSize, Profile, Role};
pub use routing::{
    CoordinatorCsirt, DistributorPresence, Establishment, RoutingRule, UserPresence, coordinator,
};
pub use suggest::{Suggestion, Suggestions, suggest};
pub use support::{SupportPeriod, security_update_available_until};
