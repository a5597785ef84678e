//! Evidence linked to an essential requirement: cyres's own facts (an SBOM per release, the CVD
//! policy, the contact, the TUF update channel, vulnerability handling records, advisories) and
//! things the manufacturer brings (uploaded documents, standards applied).
//!
//! An uploaded document is identified by its SHA-256 and a version, so a record always points at
//! one immutable file: a new upload is a new version, never an overwrite (the technical
//! documentation must show what was assessed, CRA Art. 31(1), Annex VII).

use crate::ConformityError;
use crate::annex_i::EvidenceKind;
use serde::{Deserialize, Serialize};

/// What kind of document was uploaded (Annex VII point (6) asks for test reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentKind {
    /// A test report (Annex VII point (6)).
    TestReport,
    /// A penetration test report.
    PenetrationTest,
    /// A design or architecture document (Annex VII point (2)(a)).
    Design,
    /// Anything else.
    Other,
}

/// The kind of a specification applied (CRA Art. 27).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StandardKind {
    /// A harmonised standard published in the Official Journal (Art. 27(1)).
    Harmonised,
    /// A common specification adopted by implementing act (Art. 27(2)).
    CommonSpecification,
    /// A European cybersecurity certification scheme (Art. 27(8)–(9)).
    CertificationScheme,
    /// Another technical specification (Annex V point (6), Annex VII point (5) "other relevant
    /// technical specifications").
    Other,
}

/// Whether a specification was applied in full or in part (Annex VII point (5): "in the event of
/// partly applied harmonised standards, … the parts which have been applied").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Application {
    /// Applied in full.
    Full,
    /// Applied in part; the parts go in `parts`.
    Partial,
}

/// A standard, common specification or scheme applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardApplied {
    /// Reference (`EN 18031-1:2024`).
    pub reference: String,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Kind.
    pub kind: StandardKind,
    /// Full or partial.
    pub application: Application,
    /// For a partial application: which parts (Annex VII point (5)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parts: Option<String>,
}

/// An uploaded document: immutable, identified by its SHA-256 and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Stable id within the product (`pentest-2028`).
    pub id: String,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: DocumentKind,
    /// Version label or number of this upload.
    pub version: String,
    /// SHA-256 of the content, 64 lower-case hex digits.
    pub sha256: String,
    /// File name or path as given by the uploader (the CLI reads it relative to the profile).
    #[serde(default)]
    pub file: Option<String>,
}

impl Document {
    /// Checks the id and the SHA-256 form.
    pub fn check(&self) -> Result<(), ConformityError> {
        if self.id.trim().is_empty() || self.title.trim().is_empty() {
            return Err(ConformityError::Invalid {
                what: "document".into(),
                message: "id and title must not be empty".into(),
            });
        }
        if !is_sha256(&self.sha256) {
            return Err(ConformityError::Invalid {
                what: format!("document {}", self.id),
                message: "sha256 must be 64 lower-case hex digits".into(),
            });
        }
        Ok(())
    }
}

/// Whether `text` is 64 lower-case hex digits.
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// One piece of evidence for an essential requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Evidence {
    /// The SBOM of a release (Annex I Part II (1), Annex VII point (2)(b)).
    Sbom {
        /// The release it describes.
        release: String,
        /// Format (`cyclonedx-1.6`, `spdx-2.3`).
        #[serde(default)]
        format: Option<String>,
        /// SHA-256 of the SBOM document, if known.
        #[serde(default)]
        sha256: Option<String>,
    },
    /// The CVD policy (Annex I Part II (5)).
    CvdPolicy {
        /// Where it is published.
        url: String,
    },
    /// The single point of contact for vulnerability reports (Annex I Part II (6), Art. 13(17)).
    Contact {
        /// E-mail address or URL.
        address: String,
    },
    /// The TUF update channel (Annex I Part I (2)(c), Part II (7)–(8)).
    UpdateChannel {
        /// Repository name in cyres.
        repository: String,
        /// Channel name.
        channel: String,
        /// Security updates are distributed separately from feature updates (Annex I Part II (2):
        /// "where technically feasible").
        #[serde(default)]
        security_separate: bool,
        /// Security updates install automatically by default (Part I (2)(c)).
        #[serde(default)]
        automatic: bool,
    },
    /// Vulnerability handling records (Annex I Part II (2)–(3)).
    VulnerabilityHandling {
        /// What the records are (`cyres cases of product 12`, a process document id).
        reference: String,
    },
    /// A published advisory (Annex I Part II (4), (8)).
    Advisory {
        /// Advisory id (`CSAF-2028-001`, a GHSA id).
        id: String,
    },
    /// An uploaded document, by id (see [`Document`]).
    Document {
        /// The document id.
        id: String,
    },
    /// A standard or specification applied to this item, by reference.
    Standard {
        /// The standard's reference, as listed in the product's standards.
        reference: String,
    },
}

impl Evidence {
    /// The kind.
    pub fn kind(&self) -> EvidenceKind {
        match self {
            Evidence::Sbom { .. } => EvidenceKind::Sbom,
            Evidence::CvdPolicy { .. } => EvidenceKind::CvdPolicy,
            Evidence::Contact { .. } => EvidenceKind::Contact,
            Evidence::UpdateChannel { .. } => EvidenceKind::UpdateChannel,
            Evidence::VulnerabilityHandling { .. } => EvidenceKind::VulnerabilityHandling,
            Evidence::Advisory { .. } => EvidenceKind::Advisory,
            Evidence::Document { .. } => EvidenceKind::Document,
            Evidence::Standard { .. } => EvidenceKind::Standard,
        }
    }

    /// A one-line label for people.
    pub fn label(&self) -> String {
        match self {
            Evidence::Sbom {
                release, format, ..
            } => format!(
                "SBOM of release {release}{}",
                format
                    .as_ref()
                    .map(|f| format!(" ({f})"))
                    .unwrap_or_default()
            ),
            Evidence::CvdPolicy { url } => format!("CVD policy {url}"),
            Evidence::Contact { address } => format!("vulnerability contact {address}"),
            Evidence::UpdateChannel {
                repository,
                channel,
                security_separate,
                automatic,
            } => format!(
                "update channel {repository}/{channel} (security updates {}, {})",
                if *security_separate {
                    "separate from features"
                } else {
                    "not separate from features"
                },
                if *automatic { "automatic" } else { "manual" }
            ),
            Evidence::VulnerabilityHandling { reference } => {
                format!("vulnerability handling records {reference}")
            }
            Evidence::Advisory { id } => format!("advisory {id}"),
            Evidence::Document { id } => format!("document {id}"),
            Evidence::Standard { reference } => format!("standard {reference}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_is_tagged_json_and_documents_need_a_sha256() {
        let e: Evidence =
            serde_json::from_str(r#"{"kind":"sbom","release":"2.4.1","format":"cyclonedx-1.6"}"#)
                .unwrap();
        assert_eq!(e.kind(), EvidenceKind::Sbom);
        assert_eq!(e.label(), "SBOM of release 2.4.1 (cyclonedx-1.6)");
        assert!(serde_json::from_str::<Evidence>(r#"{"kind":"sbom"}"#).is_err());
        let mut d = Document {
            id: "pt".into(),
            title: "Penetration test".into(),
            kind: DocumentKind::PenetrationTest,
            version: "1".into(),
            sha256: "ab".repeat(32),
            file: None,
        };
        assert!(d.check().is_ok());
        d.sha256 = "AB".repeat(32);
        let err = d.check().unwrap_err().to_string();
        assert!(
            err.contains("document pt") && err.contains("sha256"),
            "{err}"
        );
    }
}
