//! The cybersecurity risk assessment (CRA Art. 13(2)–(3)) as a structured, versioned document.
//!
//! Art. 13(2): the manufacturer assesses the cybersecurity risks and takes the outcome into
//! account in planning, design, development, production, delivery and maintenance. Art. 13(3):
//! the assessment is documented and updated as appropriate during the support period; it
//! comprises at least an analysis based on the **intended purpose and reasonably foreseeable
//! use**, and on the **conditions of use** (operational environment, assets to be protected), and
//! takes into account how long the product is expected to be in use. It indicates whether and
//! how the Part I (2) items apply (that part lives in the [`crate::record`]).
//!
//! Every revision is a new version; [`RiskAssessment::revise`] numbers it, so an issued
//! document never changes under a reader's feet.

use crate::ConformityError;
use cyres_cra::calendar::iso_date;
use serde::{Deserialize, Serialize};
use time::Date;

/// An asset to protect (Art. 13(3): "the assets to be protected").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Asset {
    /// Stable id (`A1`).
    pub id: String,
    /// What it is.
    pub description: String,
}

/// A threat to the assets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threat {
    /// Stable id (`T1`).
    pub id: String,
    /// What could happen.
    pub description: String,
    /// Assets affected, by id.
    #[serde(default)]
    pub assets: Vec<String>,
    /// Likelihood and impact in words or on the manufacturer's scale.
    #[serde(default)]
    pub risk: Option<String>,
}

/// A measure against threats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    /// Stable id (`M1`).
    pub id: String,
    /// What is done.
    pub description: String,
    /// Threats addressed, by id.
    #[serde(default)]
    pub threats: Vec<String>,
    /// Annex I items it implements, by id (`part1-2e`).
    #[serde(default)]
    pub requirements: Vec<String>,
}

/// One version of the risk assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskAssessment {
    /// Version number, from 1.
    pub version: u32,
    /// Date of this version.
    #[serde(with = "iso_date")]
    pub date: Date,
    /// The intended purpose (Art. 13(3)).
    pub intended_purpose: String,
    /// Reasonably foreseeable use, including misuse (Art. 13(3); Annex II point (5)).
    pub foreseeable_use: String,
    /// Conditions of use: the operational environment (Art. 13(3)).
    pub conditions_of_use: String,
    /// Expected use time considered (Art. 13(3)), in words.
    #[serde(default)]
    pub expected_use: Option<String>,
    /// Assets.
    #[serde(default)]
    pub assets: Vec<Asset>,
    /// Threats.
    #[serde(default)]
    pub threats: Vec<Threat>,
    /// Measures.
    #[serde(default)]
    pub measures: Vec<Measure>,
}

impl RiskAssessment {
    /// Checks the Art. 13(3) minimum content and the cross-references.
    pub fn check(&self) -> Result<(), ConformityError> {
        let fail = |m: String| Err(ConformityError::invalid("risk assessment", m));
        if self.version == 0 {
            return fail("version starts at 1".into());
        }
        for (field, value) in [
            ("intended_purpose", &self.intended_purpose),
            ("foreseeable_use", &self.foreseeable_use),
            ("conditions_of_use", &self.conditions_of_use),
        ] {
            // CRA Art. 13(3): the analysis rests on these three; none may be empty.
            if value.trim().is_empty() {
                return fail(format!("{field} is empty (CRA Art. 13(3))"));
            }
        }
        if self.assets.is_empty() {
            return fail("no assets: Art. 13(3) asks for the assets to be protected".into());
        }
        let assets: Vec<&str> = self.assets.iter().map(|a| a.id.as_str()).collect();
        let threats: Vec<&str> = self.threats.iter().map(|t| t.id.as_str()).collect();
        for t in &self.threats {
            if let Some(a) = t.assets.iter().find(|a| !assets.contains(&a.as_str())) {
                return fail(format!("threat {} names unknown asset {a}", t.id));
            }
        }
        for m in &self.measures {
            if let Some(t) = m.threats.iter().find(|t| !threats.contains(&t.as_str())) {
                return fail(format!("measure {} names unknown threat {t}", m.id));
            }
            if let Some(r) = m
                .requirements
                .iter()
                .find(|r| crate::Requirement::parse(r).is_none())
            {
                return fail(format!("measure {} names unknown Annex I item {r}", m.id));
            }
        }
        Ok(())
    }

    /// Threats no measure addresses: shown as gaps of the assessment.
    pub fn unaddressed_threats(&self) -> Vec<&Threat> {
        self.threats
            .iter()
            .filter(|t| !self.measures.iter().any(|m| m.threats.contains(&t.id)))
            .collect()
    }

    /// A new version with `change` applied, numbered after this one and dated `on` (CRA
    /// Art. 13(3): "updated as appropriate during the support period").
    pub fn revise(
        &self,
        on: Date,
        change: impl FnOnce(&mut RiskAssessment),
    ) -> Result<RiskAssessment, ConformityError> {
        let mut next = self.clone();
        change(&mut next);
        next.version = self.version + 1;
        next.date = on;
        next.check()?;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn sample() -> RiskAssessment {
        RiskAssessment {
            version: 1,
            date: date!(2028 - 01 - 10),
            intended_purpose: "home router".into(),
            foreseeable_use: "exposed to the internet; default password reuse".into(),
            conditions_of_use: "consumer homes".into(),
            expected_use: None,
            assets: vec![Asset {
                id: "A1".into(),
                description: "admin credentials".into(),
            }],
            threats: vec![Threat {
                id: "T1".into(),
                description: "credential stuffing".into(),
                assets: vec!["A1".into()],
                risk: None,
            }],
            measures: vec![],
        }
    }

    #[test]
    fn checks_content_references_and_versions() {
        let r = sample();
        assert!(r.check().is_ok());
        assert_eq!(r.unaddressed_threats().len(), 1);
        let v2 = r
            .revise(date!(2028 - 06 - 01), |r| {
                r.measures.push(Measure {
                    id: "M1".into(),
                    description: "rate limiting".into(),
                    threats: vec!["T1".into()],
                    requirements: vec!["part1-2d".into()],
                })
            })
            .unwrap();
        assert_eq!(v2.version, 2);
        assert!(v2.unaddressed_threats().is_empty());
        assert_eq!(r.version, 1, "the earlier version is unchanged");
        let err = r
            .revise(date!(2028 - 06 - 01), |r| r.conditions_of_use.clear())
            .unwrap_err()
            .to_string();
        assert!(err.contains("conditions_of_use is empty"), "{err}");
        let err = r
            .revise(date!(2028 - 06 - 01), |r| {
                r.threats[0].assets.push("A9".into())
            })
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown asset A9"), "{err}");
    }
}
