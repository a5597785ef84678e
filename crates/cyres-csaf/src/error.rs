//! The crate's error type.

use thiserror::Error;

use crate::validate::Failure;

/// Why a CSAF document could not be read or made.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CsafError {
    /// Not JSON, or not shaped as the CSAF 2.0 schema says.
    #[error("not a CSAF 2.0 document: {0}")]
    Schema(String),
    /// Readable, but fails mandatory tests (section 6.1); the first failure is named.
    #[error("the CSAF document fails {} mandatory test(s), first {}", .0.len(), .0[0])]
    Invalid(Vec<Failure>),
    /// The input model cannot make a document.
    #[error("cannot make a CSAF document: {0}")]
    Input(String),
}
