//! The product profile: what a manufacturer states about one product, read from TOML or JSON.
//!
//! The profile holds facts, not conclusions: the core functions as catalogue ids (a person
//! decides them, perhaps helped by `--describe`), the FOSS and commercial-activity facts, the
//! standards and certificates applied, dates, member states and enterprise size. Classification
//! derives everything else. Unknown fields are errors, so a typo (`harmonized_standards…`) is
//! reported instead of silently ignored. The schema with a full example is in docs/cra.md.

use crate::CraError;
use crate::calendar::iso_date;
use crate::input::{Syntax, to_json_value};
use crate::member_state::MemberState;
use crate::routing::Establishment;
use serde::{Deserialize, Serialize};
use time::Date;

/// The economic role the profile is written for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// A manufacturer (CRA Art. 3(13)).
    #[default]
    Manufacturer,
    /// An open-source software steward (Art. 3(14), obligations in Art. 24).
    Steward,
}

/// Enterprise size in the sense of Commission Recommendation 2003/361/EC, used by Art. 64(10)
/// (no fine on micro and small enterprises for missing only the 24-hour early warning) and
/// Art. 33 (simplified documentation, lower fees).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EnterpriseSize {
    /// Fewer than 10 staff and ≤ €2 M turnover or balance sheet.
    Micro,
    /// Fewer than 50 staff and ≤ €10 M.
    Small,
    /// Fewer than 250 staff and ≤ €50 M turnover or ≤ €43 M balance sheet.
    Medium,
    /// Anything larger.
    Large,
}

impl EnterpriseSize {
    /// Parses `micro`, `small`, `medium` or `large`.
    pub fn parse(text: &str) -> Option<EnterpriseSize> {
        match text.trim().to_ascii_lowercase().as_str() {
            "micro" => Some(EnterpriseSize::Micro),
            "small" => Some(EnterpriseSize::Small),
            "medium" => Some(EnterpriseSize::Medium),
            "large" => Some(EnterpriseSize::Large),
            _ => None,
        }
    }

    /// Micro or small: the enterprises Art. 64(10)(a) spares from fines for a late early warning.
    pub fn is_micro_or_small(self) -> bool {
        matches!(self, EnterpriseSize::Micro | EnterpriseSize::Small)
    }
}

/// The assurance level of a European cybersecurity certificate held for the product under a
/// scheme adopted under Regulation (EU) 2019/881, applied in full.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CertificationLevel {
    /// No certificate.
    #[default]
    None,
    /// Assurance level "basic".
    Basic,
    /// Assurance level "substantial".
    Substantial,
    /// Assurance level "high".
    High,
}

/// A product profile. See docs/cra.md for the schema and an example.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Product name.
    pub name: String,
    /// Free-text description (shown, and usable with `--describe`).
    #[serde(default)]
    pub description: Option<String>,
    /// Core functions as catalogue ids; empty for a default product. Art. 7(1): these decide.
    #[serde(default)]
    pub core_functions: Vec<String>,
    /// Catalogue entries the product merely integrates (an OS, a browser engine, a VPN client
    /// library). Listed for the record; Art. 7(1) says they do not change the category.
    #[serde(default)]
    pub integrated_components: Vec<String>,
    /// Manufacturer (default) or open-source software steward.
    #[serde(default)]
    pub role: Role,
    /// Free and open-source software (Art. 3(48)).
    #[serde(default)]
    pub free_open_source: bool,
    /// Made available in the course of a commercial activity (default true). Without it the
    /// product is not "made available on the market" and the CRA does not apply to it.
    #[serde(default = "yes")]
    pub commercial_activity: bool,
    /// The technical documentation is public (condition of the FOSS route, Art. 32(5)).
    #[serde(default)]
    pub technical_documentation_public: bool,
    /// Harmonised standards covering the essential requirements applied in full (Art. 27(1)).
    #[serde(default)]
    pub harmonised_standards_in_full: bool,
    /// Common specifications applied in full (Art. 27(2)).
    #[serde(default)]
    pub common_specifications_in_full: bool,
    /// European cybersecurity certificate held, by assurance level (Art. 27(8)–(9)).
    #[serde(default)]
    pub european_certification: CertificationLevel,
    /// Date the product (this version) is placed on the market.
    #[serde(default, with = "iso_date::option")]
    pub placed_on_market: Option<Date>,
    /// Expected use time in years (Art. 13(8)); at most one of years and months.
    #[serde(default)]
    pub expected_use_years: Option<u32>,
    /// Expected use time in months (Art. 13(8)).
    #[serde(default)]
    pub expected_use_months: Option<u32>,
    /// The support end date the manufacturer declares, checked against the Art. 13(8) minimum.
    #[serde(default, with = "iso_date::option")]
    pub support_end: Option<Date>,
    /// Date of a substantial modification (Art. 3(30)); matters for products placed on the
    /// market before 2027-12-11 (Art. 69(2)).
    #[serde(default, with = "iso_date::option")]
    pub substantially_modified_on: Option<Date>,
    /// Member states where the product is made available (listed in the early warning,
    /// Art. 14(2)(a)).
    #[serde(default)]
    pub member_states: Vec<MemberState>,
    /// Enterprise size of the manufacturer.
    #[serde(default)]
    pub enterprise_size: Option<EnterpriseSize>,
    /// Facts for choosing the coordinator CSIRT (Art. 14(7)).
    #[serde(default)]
    pub establishment: Option<Establishment>,
}

fn yes() -> bool {
    true
}

impl Profile {
    /// Parses a profile, guessing the syntax (JSON if it starts with `{`, else TOML).
    pub fn from_str_any(text: &str) -> Result<Profile, CraError> {
        Profile::parse(text, Syntax::sniff(text))
    }

    /// Parses and checks a profile in the given syntax.
    pub fn parse(text: &str, syntax: Syntax) -> Result<Profile, CraError> {
        let value = to_json_value(text, syntax).map_err(|message| CraError::Profile {
            message: format!("cannot parse {}: {message}", syntax.name()),
        })?;
        let profile: Profile = serde_json::from_value(value).map_err(|e| CraError::Profile {
            message: e.to_string(),
        })?;
        profile.check()?;
        Ok(profile)
    }

    /// Checks the rules serde cannot express.
    pub fn check(&self) -> Result<(), CraError> {
        let fail = |message: &str| {
            Err(CraError::Profile {
                message: message.to_string(),
            })
        };
        if self.name.trim().is_empty() {
            return fail("name is empty");
        }
        if self.expected_use_years.is_some() && self.expected_use_months.is_some() {
            return fail("give expected_use_years or expected_use_months, not both");
        }
        if self.expected_use_months == Some(0) || self.expected_use_years == Some(0) {
            return fail("expected use time must be at least one month");
        }
        if self.role == Role::Steward && !self.free_open_source {
            return fail(
                "role = \"steward\" needs free_open_source = true (a steward supports FOSS, Art. 3(14))",
            );
        }
        if let (Some(placed), Some(end)) = (self.placed_on_market, self.support_end)
            && end < placed
        {
            return fail("support_end is before placed_on_market");
        }
        Ok(())
    }

    /// The expected use time in months, if stated.
    pub fn expected_use_in_months(&self) -> Option<u32> {
        self.expected_use_months
            .or(self.expected_use_years.map(|y| y.saturating_mul(12)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_toml_profile_uses_defaults() {
        let p =
            Profile::from_str_any("name = \"Editor\"\nplaced_on_market = 2028-01-15\n").unwrap();
        assert_eq!(p.role, Role::Manufacturer);
        assert!(p.commercial_activity);
        assert!(!p.free_open_source);
        assert_eq!(
            p.placed_on_market.map(iso_date::format).as_deref(),
            Some("2028-01-15")
        );
    }

    #[test]
    fn json_profile_and_rejections() {
        let p = Profile::from_str_any(
            r#"{"name":"R","core_functions":["annex3-class1-12"],"member_states":["DE","el"],"enterprise_size":"small","expected_use_years":3}"#,
        )
        .unwrap();
        assert_eq!(p.member_states[1].code(), "GR");
        assert_eq!(p.expected_use_in_months(), Some(36));
        for (bad, needle) in [
            (
                "name = \"x\"\nharmonized_standards_in_full = true",
                "unknown field",
            ),
            ("name = \"\"", "name is empty"),
            (
                "name = \"x\"\nexpected_use_years = 2\nexpected_use_months = 3",
                "not both",
            ),
            ("name = \"x\"\nrole = \"steward\"", "steward"),
            ("name = \"x\"\nmember_states = [\"UK\"]", "member state"),
            (
                "name = \"x\"\nplaced_on_market = \"next year\"",
                "YYYY-MM-DD",
            ),
            ("name = \"x\"\nenterprise_size = \"tiny\"", "tiny"),
            (
                "name = \"x\"\nplaced_on_market = 2028-01-01\nsupport_end = 2027-01-01",
                "before",
            ),
        ] {
            let err = Profile::from_str_any(bad).unwrap_err().to_string();
            assert!(err.contains(needle), "{bad}: {err}");
        }
    }
}
