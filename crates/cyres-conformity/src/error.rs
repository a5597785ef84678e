//! The one error type of `cyres-conformity`. Every variant names the item, field or fact that is
//! wrong, so the CLI prints it as is and the server can answer 400 with it.

/// Everything that can go wrong while building a record, a declaration or a dossier.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConformityError {
    /// "Does not apply" without the justification the risk assessment gives.
    #[error(
        "{item}: \"does not apply\" needs the justification the cybersecurity risk assessment gives (CRA Art. 13(3))"
    )]
    JustificationRequired {
        /// The requirement's citation (`CRA Annex I Part I (2)(g)`).
        item: &'static str,
    },
    /// "Does not apply" for an item that always applies (Part I (1), Part II).
    #[error(
        "{item} always applies: only the items of Annex I Part I (2) may be found not applicable by the risk assessment (CRA Art. 13(3))"
    )]
    AlwaysApplies {
        /// The requirement's citation.
        item: &'static str,
    },
    /// The same item twice in one record.
    #[error("{item} is listed twice in the essential requirements record")]
    DuplicateItem {
        /// The requirement's citation.
        item: &'static str,
    },
    /// A field is missing or malformed.
    #[error("{what}: {message}")]
    Invalid {
        /// What it is about (`declaration`, `document pt-2028`, `risk assessment`).
        what: String,
        /// What is wrong.
        message: String,
    },
    /// A language without a translation file, or a translation file missing a sentence.
    #[error("language {code:?}: {message}")]
    Language {
        /// The language code asked for.
        code: String,
        /// What is wrong.
        message: String,
    },
    /// Deleting technical documentation or a declaration before the end of its retention.
    #[error(
        "kept until {until} (CRA Art. 13(13): ten years after placing on the market or the support period, whichever is longer); deletion refused on {on}"
    )]
    RetentionNotOver {
        /// The last day of the retention, `YYYY-MM-DD`.
        until: String,
        /// The day deletion was asked for.
        on: String,
    },
    /// Deleting technical documentation or a declaration while the retention has no end yet
    /// (units still being placed, or none placed).
    #[error("{rule}; deletion refused on {on}")]
    RetentionOpen {
        /// Why the retention has no end yet.
        rule: String,
        /// The day deletion was asked for.
        on: String,
    },
    /// A date computation left the supported range.
    #[error("date out of range while computing {what}")]
    DateOutOfRange {
        /// Which computation.
        what: &'static str,
    },
    /// An error from the CRA rules (profile, classification).
    #[error(transparent)]
    Cra(#[from] cyres_cra::CraError),
}

impl ConformityError {
    /// Shorthand for [`ConformityError::Invalid`].
    pub(crate) fn invalid(what: impl Into<String>, message: impl Into<String>) -> Self {
        ConformityError::Invalid {
            what: what.into(),
            message: message.into(),
        }
    }
}
