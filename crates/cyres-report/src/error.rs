//! The one error type of `cyres-report`.
//!
//! Most functions here do not fail: drafts, notices and intake return the list of what is
//! missing instead (a person fixes the form and tries again). An error is for input that cannot
//! be used at all: case times that contradict each other, a report pack in an unknown format, or
//! an authority decision that breaks a rule of Art. 16(2).

use cyres_cra::CraError;

/// Everything that can go wrong in `cyres-report`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A CRA rule in `cyres-cra` refused the case (report times before awareness, dates out of
    /// range, routing without facts).
    #[error("case {case_id}: {source}")]
    Cra {
        /// The case concerned.
        case_id: String,
        /// What `cyres-cra` said.
        #[source]
        source: CraError,
    },
    /// A JSON document could not be read.
    #[error("{what}: cannot parse JSON: {message}")]
    Json {
        /// What was being read (`report pack`, `user notice`).
        what: &'static str,
        /// The parser's message.
        message: String,
    },
    /// A JSON document declares a format this version does not read.
    #[error("{what}: unsupported format {found:?}, expected {expected:?}")]
    UnsupportedFormat {
        /// What was being read.
        what: &'static str,
        /// The `format` found.
        found: String,
        /// The format this build reads.
        expected: &'static str,
    },
    /// A coordinator CSIRT's decision breaks a rule (CRA Art. 16(2), DR (EU) 2026/881).
    #[error("dissemination decision on {case_id}: {problem}")]
    Decision {
        /// The case or notification concerned.
        case_id: String,
        /// What is wrong.
        problem: String,
    },
    /// A case proposal cannot become a case.
    #[error("case proposal {case_id}: {problem}")]
    Proposal {
        /// The case id that was to be created.
        case_id: String,
        /// What is wrong.
        problem: String,
    },
    /// An analyst review of a systemic-risk assessment is incomplete.
    #[error("review of {notification_id}: {problem}")]
    Review {
        /// The notification or vulnerability assessed.
        notification_id: String,
        /// What is wrong.
        problem: String,
    },
}
