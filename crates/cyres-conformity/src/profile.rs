//! The conformity facts of a product profile: the optional `[conformity]` table of the TOML or
//! JSON profile that `cyres classify` reads.
//!
//! Backward compatible both ways: a profile without `[conformity]` is read as before (the
//! conformity commands then report everything as missing), and the rest of the profile is
//! handed to `cyres_cra::Profile::parse` unchanged, so its checks and its refusal of unknown
//! fields still hold. Inside `[conformity]` unknown fields are refused too, so a typo surfaces.
//! The schema is documented in docs/conformity.md; `examples/profiles/wifi-router-conformity.toml`
//! is a full example.

use crate::ConformityError;
use crate::declaration::{DeclarationFacts, NotifiedBody, Party, Signatory};
use crate::evidence::{Document, StandardApplied};
use crate::record::{HistoryEntry, RequirementEntry, RequirementsRecord};
use crate::risk::RiskAssessment;
use crate::techdoc::TechDocText;
use cyres_cra::calendar::iso_date;
use cyres_cra::input::{Syntax, to_json_value};
use cyres_cra::{Conformity, Profile, Route};
use serde::{Deserialize, Serialize};
use time::Date;

/// The key of the conformity table in a profile.
pub const KEY: &str = "conformity";

/// `[conformity.declaration]`: the facts only the declaration lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclarationSection {
    /// Place of issue.
    pub place: String,
    /// Date of issue.
    #[serde(with = "iso_date")]
    pub date: Date,
    /// Who signs.
    pub signatory: Signatory,
    /// The exact URL of the full declaration (Annex VI).
    #[serde(default)]
    pub full_url: Option<String>,
    /// Additional information (Annex V point (8)).
    #[serde(default)]
    pub additional_information: Option<String>,
}

/// An SBOM file of a release, named in the profile (`[[conformity.sboms]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SbomRef {
    /// The release it describes.
    pub release: String,
    /// The file, relative to the profile.
    pub file: String,
    /// Format (`cyclonedx-1.6`), for people.
    #[serde(default)]
    pub format: Option<String>,
}

/// The `[conformity]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConformityFacts {
    /// The release the record and declaration describe.
    #[serde(default)]
    pub release: Option<String>,
    /// Type (Annex V point (1)).
    #[serde(default)]
    pub product_type: Option<String>,
    /// Unique identification (Annex V point (1)).
    #[serde(default)]
    pub product_id: Option<String>,
    /// Object of the declaration (Annex V point (4)); default: name, type and release.
    #[serde(default)]
    pub object: Option<String>,
    /// The manufacturer.
    #[serde(default)]
    pub manufacturer: Option<Party>,
    /// The authorised representative (Art. 18).
    #[serde(default)]
    pub authorised_representative: Option<Party>,
    /// The conformity route taken; default: the only open one, if there is exactly one.
    #[serde(default)]
    pub route: Option<Route>,
    /// The notified body, where one took part.
    #[serde(default)]
    pub notified_body: Option<NotifiedBody>,
    /// Standards applied.
    #[serde(default)]
    pub standards: Vec<StandardApplied>,
    /// Other Union harmonisation legislation.
    #[serde(default)]
    pub other_legislation: Vec<String>,
    /// Declaration facts.
    #[serde(default)]
    pub declaration: Option<DeclarationSection>,
    /// The cybersecurity risk assessment.
    #[serde(default)]
    pub risk_assessment: Option<RiskAssessment>,
    /// The Annex I record entries.
    #[serde(default)]
    pub requirements: Vec<RequirementEntry>,
    /// The record's history, carried from earlier releases.
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
    /// Uploaded documents.
    #[serde(default)]
    pub documents: Vec<Document>,
    /// SBOM files per release.
    #[serde(default)]
    pub sboms: Vec<SbomRef>,
    /// Technical documentation texts.
    #[serde(default)]
    pub techdoc: TechDocText,
}

/// A product profile with its conformity facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConformityProfile {
    /// The product profile, exactly as `cyres classify` reads it.
    pub profile: Profile,
    /// The conformity facts (empty when the profile has no `[conformity]` table).
    pub conformity: ConformityFacts,
}

impl ConformityProfile {
    /// Parses a TOML or JSON profile (JSON if it starts with `{`).
    pub fn parse(text: &str) -> Result<ConformityProfile, ConformityError> {
        let syntax = Syntax::sniff(text);
        let mut value = to_json_value(text, syntax).map_err(|m| {
            ConformityError::invalid("profile", format!("cannot parse {}: {m}", syntax.name()))
        })?;
        let facts = match value.as_object_mut().and_then(|o| o.remove(KEY)) {
            Some(v) => serde_json::from_value::<ConformityFacts>(v)
                .map_err(|e| ConformityError::invalid("profile [conformity]", e.to_string()))?,
            None => ConformityFacts::default(),
        };
        let rest = value.to_string();
        let profile = Profile::parse(&rest, Syntax::Json)?;
        let cp = ConformityProfile {
            profile,
            conformity: facts,
        };
        cp.check()?;
        Ok(cp)
    }

    fn check(&self) -> Result<(), ConformityError> {
        let c = &self.conformity;
        for (i, d) in c.documents.iter().enumerate() {
            d.check()?;
            // Uploaded documents are immutable versions: one (id, version) names one file.
            if c.documents[..i]
                .iter()
                .any(|o| o.id == d.id && o.version == d.version)
            {
                return Err(ConformityError::invalid(
                    format!("document {}", d.id),
                    format!(
                        "version {} is listed twice; a new upload is a new version",
                        d.version
                    ),
                ));
            }
        }
        if let Some(ra) = &c.risk_assessment {
            ra.check()?;
        }
        for e in &c.requirements {
            e.check()?;
        }
        Ok(())
    }

    /// The release: `[conformity].release`, else the first software version listed.
    pub fn release(&self) -> Option<String> {
        self.conformity
            .release
            .clone()
            .or_else(|| self.conformity.techdoc.software_versions.first().cloned())
    }

    /// The Annex I record (checked: "does not apply" without justification is refused here).
    pub fn record(&self) -> Result<Option<RequirementsRecord>, ConformityError> {
        let c = &self.conformity;
        if c.requirements.is_empty() && c.history.is_empty() {
            return Ok(None);
        }
        let release = self.release().ok_or_else(|| {
            ConformityError::invalid(
                "profile [conformity]",
                "release is missing: the Annex I record describes one release",
            )
        })?;
        let mut record = RequirementsRecord::new(release, c.requirements.clone())?;
        record.history.clone_from(&c.history);
        Ok(Some(record))
    }

    /// The declaration facts, with the route checked against the classification's open routes.
    pub fn declaration_facts(
        &self,
        conformity: &Conformity,
    ) -> Result<DeclarationFacts, ConformityError> {
        let c = &self.conformity;
        let need = |field: &str| {
            ConformityError::invalid("declaration", format!("[conformity] {field} is missing"))
        };
        let d = c
            .declaration
            .as_ref()
            .ok_or_else(|| need("declaration (place, date, signatory)"))?;
        let route = match c.route {
            Some(r) => r,
            None => {
                let open: Vec<Route> = conformity
                    .routes
                    .iter()
                    .filter(|o| o.available)
                    .map(|o| o.route)
                    .collect();
                match open.as_slice() {
                    [only] => *only,
                    _ => {
                        return Err(ConformityError::invalid(
                            "declaration",
                            format!(
                                "[conformity] route is missing; open routes ({}): {}",
                                conformity.basis,
                                open.iter()
                                    .map(|r| r.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        ));
                    }
                }
            }
        };
        let product_type = c.product_type.clone().ok_or_else(|| need("product_type"))?;
        let release = self.release();
        let facts = DeclarationFacts {
            product_name: self.profile.name.clone(),
            object: c.object.clone().unwrap_or_else(|| {
                let mut o = format!("{} ({product_type})", self.profile.name);
                if let Some(r) = &release {
                    o.push_str(&format!(", software release {r}"));
                }
                o
            }),
            product_type,
            product_id: c.product_id.clone().ok_or_else(|| need("product_id"))?,
            software_version: release,
            manufacturer: c.manufacturer.clone().ok_or_else(|| need("manufacturer"))?,
            authorised_representative: c.authorised_representative.clone(),
            route,
            notified_body: c.notified_body.clone(),
            standards: c.standards.clone(),
            other_legislation: c.other_legislation.clone(),
            additional_information: d.additional_information.clone(),
            place: d.place.clone(),
            date: d.date,
            signatory: d.signatory.clone(),
            full_url: d.full_url.clone(),
        };
        facts.check(Some(conformity))?;
        Ok(facts)
    }
}
