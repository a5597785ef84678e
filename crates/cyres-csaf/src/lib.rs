//! CSAF 2.0 (OASIS Common Security Advisory Framework, version 2.0) for cyres.
//!
//! A pure domain core, like `cyres-report`: no I/O, no clock (every date is a parameter).
//!
//! - [`model`]: the document as serde structs, for writing and for reading (the standard's
//!   examples and real Red Hat advisories read and write back equal, as JSON values).
//! - [`generate`]: documents of the profiles `csaf_security_advisory`, `csaf_vex` and
//!   `csaf_informational_advisory` (section 4) from a typed [`generate::AdvisoryInput`] that the
//!   server fills from a case or a set of findings.
//! - [`revision`]: version numbers from one revision to the next (section 3.1.11).
//! - [`validate`]: the mandatory tests of section 6.1, each named by its id; [`schema`] the
//!   JSON schema's patterns and lengths that serde cannot express. [`read`] applies both.
//! - [`aggregator`]: the lister side (section 7.2.4) and the retrieving rules (section 7.3):
//!   `aggregator.json`, reading a provider's metadata, feeds and indexes, checking each document.
//! - [`upstream`]: a report to the maintainer of an integrated component (CRA Art. 13(6)) as a
//!   security advisory whose product tree is the component.
//! - [`provider`]: the trusted provider's file layout (section 7.1): file names, year folders,
//!   `index.txt`, `changes.csv`, ROLIE feeds, `provider-metadata.json`, hash files.
//!
//! Every document [`generate`] makes passes the tests of [`validate`] (it refuses to return
//! one that does not), and the test suite runs them through the BSI validator too.

#![deny(missing_docs)]

pub mod aggregator;
pub mod cvss;
pub mod error;
pub mod generate;
pub mod model;
pub mod profile;
pub mod provider;
pub mod revision;
pub mod schema;
pub mod upstream;
pub mod validate;
pub mod version;

pub use error::CsafError;
pub use model::Document;
pub use profile::Profile;
pub use validate::Failure;
pub use version::DocVersion;

/// Parses a CSAF 2.0 document (JSON bytes) into the model, refusing what the schema refuses.
/// Does not run the mandatory tests: see [`read`].
pub fn parse(bytes: &[u8]) -> Result<Document, CsafError> {
    serde_json::from_slice(bytes).map_err(|e| CsafError::Schema(e.to_string()))
}

/// Parses a CSAF 2.0 document and runs the schema checks and the mandatory tests (section 6.1);
/// a document that fails any is refused with every failure.
pub fn read(bytes: &[u8]) -> Result<Document, CsafError> {
    let doc = parse(bytes)?;
    let failures = check(&doc);
    if failures.is_empty() {
        Ok(doc)
    } else {
        Err(CsafError::Invalid(failures))
    }
}

/// The schema checks ([`schema::check`]) and the mandatory tests ([`validate::mandatory`]).
pub fn check(doc: &Document) -> Vec<Failure> {
    let mut f = schema::check(doc);
    f.extend(validate::mandatory(doc));
    f
}

/// Writes a document as pretty-printed JSON (two-space indent, as the standard's examples).
pub fn to_json(doc: &Document) -> String {
    serde_json::to_string_pretty(doc).expect("the model serialises")
}
