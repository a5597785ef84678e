//! The CRA compliance file as pure code.
//!
//! - [`annex_i`]: every essential requirement of Annex I (Part I (1), (2)(a)–(m); Part II
//!   (1)–(8)) with its citation;
//! - [`record`]: the essential-requirements record of a release (applicability, justification,
//!   how met, [`evidence`]), its gaps and completeness, and its history from release to release;
//! - [`risk`]: the cybersecurity risk assessment of Art. 13(2)–(3), versioned;
//! - [`declaration`]: the EU declaration of conformity (Art. 28, Annex V) and the simplified one
//!   (Annex VI): facts, checks, immutable issued versions with a fingerprint, and which fact
//!   changed since issue; rendered to JSON, HTML ([`render`]) and PDF ([`pdf`]) in the languages
//!   of [`i18n`];
//! - [`techdoc`]: the technical documentation of Art. 31, Annex VII, as files with a manifest and
//!   an offline index;
//! - [`retention`](mod@retention): the Art. 13(13) retention date and the refusal to delete before it;
//! - [`profile`]: the `[conformity]` table of a product profile;
//! - [`upstream`]: reports of a vulnerability to an integrated component's maintainer
//!   (Art. 13(6)): contacts and a drafted report with its OSV record;
//! - [`operators`]: authorised representatives, importers and distributors (Arts 18-20): the
//!   importer's and distributor's checks and the Art. 23 supply-record retention.
//!
//! Invariants: no I/O and no clock. File contents come in as bytes, the time as a parameter.
//! Every stored type is `Serialize + Deserialize` (JSON) so the platform's store can persist it
//! as is; every rule cites its provision next to the code.

#![deny(missing_docs)]

pub mod annex_i;
pub mod declaration;
mod error;
pub mod evidence;
pub mod i18n;
pub mod operators;
pub mod pdf;
pub mod profile;
pub mod record;
pub mod render;
pub mod retention;
pub mod risk;
pub mod techdoc;
pub mod upstream;

pub use annex_i::{EvidenceKind, Requirement};
pub use declaration::{
    AnnexVPoint, Currency, DeclarationDocument, DeclarationFacts, FactChange, IssuedDeclaration,
    NotifiedBody, Party, Signatory, SimplifiedDeclaration, compare, issue,
};
pub use error::ConformityError;
pub use evidence::{Application, Document, DocumentKind, Evidence, StandardApplied, StandardKind};
pub use i18n::Translations;
pub use profile::{ConformityFacts, ConformityProfile};
pub use record::{Applicability, Assessment, Gap, RequirementEntry, RequirementsRecord};
pub use retention::{Placing, Retention, check_deletion, retention, retention_until};
pub use risk::RiskAssessment;
pub use techdoc::{Manifest, Section, SectionStatus, TechDoc, TechDocInput, TechDocText};
