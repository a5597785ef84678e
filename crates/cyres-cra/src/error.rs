//! The one error type of `cyres-cra`. Every variant names what was wrong and where, so the CLI
//! can print it as is and the server can turn it into a 400 answer.

/// Everything that can go wrong while loading CRA data or evaluating a rule on bad input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CraError {
    /// A catalogue file could not be parsed at all.
    #[error("catalogue {source_name}: cannot parse {format}: {message}")]
    CatalogueParse {
        /// Where the catalogue came from (`builtin` or a file name).
        source_name: String,
        /// `TOML` or `JSON`.
        format: &'static str,
        /// The parser's message.
        message: String,
    },
    /// A catalogue parsed but broke a rule (duplicate id, missing field, gap in numbering…).
    #[error("catalogue {source_name}: {problem}")]
    CatalogueInvalid {
        /// Where the catalogue came from.
        source_name: String,
        /// What is wrong, naming the entry.
        problem: String,
    },
    /// A product profile could not be parsed or has an invalid field.
    #[error("profile: {message}")]
    Profile {
        /// What is wrong, naming the field.
        message: String,
    },
    /// A profile or a request names a catalogue id the loaded catalogue does not have.
    #[error("unknown catalogue id {id:?} in {field} (catalogue version {catalogue_version})")]
    UnknownCatalogueId {
        /// The id given.
        id: String,
        /// The field it appeared in (`core_functions`, `integrated_components`).
        field: &'static str,
        /// The catalogue version it was checked against.
        catalogue_version: String,
    },
    /// Not an EU member state code.
    #[error("{code:?} is not the ISO 3166-1 alpha-2 code of an EU member state")]
    UnknownMemberState {
        /// The code given.
        code: String,
    },
    /// Article 14 case times that cannot be true together (a report submitted before awareness).
    #[error("case times: {message}")]
    CaseTimes {
        /// Which times conflict.
        message: String,
    },
    /// Not enough facts to pick a coordinator CSIRT under Art. 14(7).
    #[error("routing: {message}")]
    Routing {
        /// What is missing.
        message: String,
    },
    /// A date computation left the range the `time` crate supports.
    #[error("date out of range while computing {what}")]
    DateOutOfRange {
        /// Which computation.
        what: &'static str,
    },
}
