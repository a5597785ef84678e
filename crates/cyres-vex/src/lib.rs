//! VEX (Vulnerability Exploitability eXchange) for cyres: one internal model and lossless
//! readers and writers for the three formats manufacturers exchange.
//!
//! A pure domain core like `cyres-csaf`: no I/O, no clock (every time is a parameter).
//!
//! - [`model`]: the statements (status, justification, impact and action statements,
//!   responses, timestamps, author, the product, component and vulnerability they are about)
//!   and [`Format::project`], the model as one format holds it.
//! - [`cyclonedx`]: CycloneDX 1.5 and 1.6 JSON (a BOM with `vulnerabilities[].analysis`).
//! - [`openvex`]: OpenVEX 0.2, with the checks of its specification ([`openvex::check`]).
//! - [`csaf`]: the CSAF 2.0 VEX profile, made and read through `cyres-csaf` (so every
//!   document passes the standard's mandatory tests).
//! - [`merge`]: the rules an import onto a release follows when a statement meets a decision
//!   already recorded, one outcome per statement.
//!
//! *Invariant:* `read(f, write(f, x)) == f.project(x)` for every format `f`, and a write never
//! returns a document its format's validator would refuse.

#![deny(missing_docs)]

pub mod csaf;
pub mod cyclonedx;
pub mod merge;
pub mod model;
pub mod openvex;
mod time_fmt;

pub use model::{
    DEFAULT_ACTION, Justification, Response, Statement, Status, Subject, UNVERSIONED, VexDocument,
};

/// The formats cyres reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// CycloneDX 1.5 JSON.
    CycloneDx15,
    /// CycloneDX 1.6 JSON.
    CycloneDx16,
    /// OpenVEX 0.2.
    OpenVex,
    /// CSAF 2.0, profile `csaf_vex`.
    Csaf,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 4] = [
        Format::CycloneDx15,
        Format::CycloneDx16,
        Format::OpenVex,
        Format::Csaf,
    ];

    /// The name used in URLs (`?format=`) and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CycloneDx15 => "cyclonedx-1.5",
            Self::CycloneDx16 => "cyclonedx",
            Self::OpenVex => "openvex",
            Self::Csaf => "csaf",
        }
    }

    /// Parses a format name; `cyclonedx-1.6` is `cyclonedx`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "cyclonedx" | "cyclonedx-1.6" => Some(Self::CycloneDx16),
            "cyclonedx-1.5" => Some(Self::CycloneDx15),
            "openvex" => Some(Self::OpenVex),
            "csaf" => Some(Self::Csaf),
            _ => None,
        }
    }

    /// The media type of a written document.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::CycloneDx15 | Self::CycloneDx16 => "application/vnd.cyclonedx+json",
            Self::OpenVex => "application/openvex+json",
            Self::Csaf => "application/json",
        }
    }

    /// Recognises a document's format from its content (CycloneDX's `bomFormat` and
    /// `specVersion`, OpenVEX's `@context`, CSAF's `document.csaf_version`).
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
        if v.get("bomFormat").and_then(|f| f.as_str()) == Some("CycloneDX") {
            return match v.get("specVersion").and_then(|s| s.as_str()) {
                Some("1.5") => Some(Self::CycloneDx15),
                Some("1.6") => Some(Self::CycloneDx16),
                _ => None,
            };
        }
        if v.get("@context")
            .and_then(|c| c.as_str())
            .is_some_and(|c| c.starts_with("https://openvex.dev/ns"))
        {
            return Some(Self::OpenVex);
        }
        v.pointer("/document/csaf_version")
            .is_some()
            .then_some(Self::Csaf)
    }
}

/// What a reader or writer refuses.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VexError {
    /// Not JSON, or JSON of the wrong shape.
    #[error("{format}: {message}")]
    Syntax {
        /// The format being read.
        format: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The document breaks a rule of its format or of the model.
    #[error("{format}: {}", .problems.join("; "))]
    Invalid {
        /// The format.
        format: &'static str,
        /// Every problem found.
        problems: Vec<String>,
    },
}

/// A document read, with a note for every value that had to be mapped onto the model (e.g.
/// CycloneDX's `false_positive` read as `not_affected`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    /// The document.
    pub document: VexDocument,
    /// `(statement index, what was mapped)`.
    pub notes: Vec<(usize, String)>,
}

/// What a writer needs besides the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOptions {
    /// A URL the author controls (CSAF `publisher.namespace`, section 3.2.1.8.4).
    pub namespace: String,
    /// The cyres version, for generator fields.
    pub engine_version: Option<String>,
}

impl Default for WriteOptions {
    fn default() -> Self {
        Self {
            namespace: "https://cyres.invalid".into(),
            engine_version: None,
        }
    }
}

/// Reads a document of `format`.
pub fn read(format: Format, bytes: &[u8]) -> Result<Read, VexError> {
    match format {
        Format::CycloneDx15 | Format::CycloneDx16 => cyclonedx::read(bytes),
        Format::OpenVex => openvex::read(bytes),
        Format::Csaf => csaf::read(bytes),
    }
}

/// Writes `doc` as `format` (pretty JSON). Refuses a document whose statements break the
/// model's rules ([`VexDocument::problems`]).
pub fn write(format: Format, doc: &VexDocument, opts: &WriteOptions) -> Result<String, VexError> {
    let mut problems: Vec<String> = doc
        .problems()
        .into_iter()
        .map(|p| match p.index {
            usize::MAX => p.problem,
            i => format!("statement {}: {}", i + 1, p.problem),
        })
        .collect();
    if format == Format::OpenVex && doc.statements.is_empty() {
        problems.push("an OpenVEX document needs at least one statement".into());
    }
    if !problems.is_empty() {
        return Err(VexError::Invalid {
            format: format.as_str(),
            problems,
        });
    }
    match format {
        Format::CycloneDx15 => Ok(cyclonedx::write(doc, cyclonedx::Spec::V1_5)),
        Format::CycloneDx16 => Ok(cyclonedx::write(doc, cyclonedx::Spec::V1_6)),
        Format::OpenVex => Ok(openvex::write(doc)),
        Format::Csaf => csaf::write(doc, opts),
    }
}

/// A name derived from content: the first 16 bytes of SHA-256 of `text` as a UUID (version 4
/// layout), for CycloneDX's `serialNumber` and OpenVEX's `@id`, so the same document is
/// written the same way twice.
pub(crate) fn content_uuid(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(text.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
