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
    /// Date the model (this version) was **first** placed on the market. Placing on the market is
    /// per individual unit (CRA Art. 3(40): "first making available … on the Union market" of
    /// each product; the Blue Guide reading the Commission's CRA guidance follows), so this date
    /// alone does not settle which units the CRA binds: see `last_placed_on_market`.
    #[serde(default, with = "iso_date::option")]
    pub placed_on_market: Option<Date>,
    /// Date the last unit of the model was placed on the market. Absent: units are still being
    /// placed (the reading that protects users: every future unit counts). Every unit placed from
    /// 2027-12-11 must comply whatever the model's first placing date; Art. 69(2) spares only
    /// units placed before.
    #[serde(default, with = "iso_date::option")]
    pub last_placed_on_market: Option<Date>,
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
    /// Exclusions from the CRA's scope the manufacturer claims (Art. 2(2)–(7)) or the temporary
    /// permissions of Art. 4(2)–(3) it relies on; each is shown with its provision and condition.
    #[serde(default)]
    pub scope_exclusions: Vec<ScopeExclusion>,
}

/// An exclusion from the CRA's scope (Art. 2) or a temporary permission to make a
/// non-compliant product available (Art. 4(2)–(3)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeExclusion {
    /// Medical devices under Regulation (EU) 2017/745 (Art. 2(2)(a)).
    MedicalDevice,
    /// In vitro diagnostic medical devices under Regulation (EU) 2017/746 (Art. 2(2)(b)).
    InVitroDiagnostic,
    /// Products under Regulation (EU) 2019/2144, motor-vehicle type approval (Art. 2(2)(c)).
    MotorVehicle,
    /// Products certified under Regulation (EU) 2018/1139, civil aviation (Art. 2(3)).
    CivilAviation,
    /// Equipment within the scope of Directive 2014/90/EU, marine equipment (Art. 2(4)).
    MarineEquipment,
    /// Identical spare parts made to the same specifications as the components they replace
    /// (Art. 2(6)).
    SparePart,
    /// Developed or modified exclusively for national security or defence purposes, or
    /// specifically designed to process classified information (Art. 2(7)).
    NationalSecurityDefence,
    /// Unfinished software or a prototype shown at a trade fair, exhibition or demonstration
    /// with a visible sign of non-conformity (Art. 4(2)).
    TradeFairUnfinished,
    /// Unfinished software made available for a limited testing period with a visible sign of
    /// non-conformity (Art. 4(3)).
    TestVersion,
}

impl ScopeExclusion {
    /// The provision.
    pub fn provision(self) -> &'static str {
        match self {
            ScopeExclusion::MedicalDevice => "CRA Art. 2(2)(a), Regulation (EU) 2017/745",
            ScopeExclusion::InVitroDiagnostic => "CRA Art. 2(2)(b), Regulation (EU) 2017/746",
            ScopeExclusion::MotorVehicle => "CRA Art. 2(2)(c), Regulation (EU) 2019/2144",
            ScopeExclusion::CivilAviation => "CRA Art. 2(3), Regulation (EU) 2018/1139",
            ScopeExclusion::MarineEquipment => "CRA Art. 2(4), Directive 2014/90/EU",
            ScopeExclusion::SparePart => "CRA Art. 2(6)",
            ScopeExclusion::NationalSecurityDefence => "CRA Art. 2(7)",
            ScopeExclusion::TradeFairUnfinished => "CRA Art. 4(2)",
            ScopeExclusion::TestVersion => "CRA Art. 4(3)",
        }
    }

    /// Whether the exclusion takes the product out of the CRA (Art. 2) or only permits a
    /// non-compliant presentation or test while its conditions hold (Art. 4(2)–(3)).
    pub fn excludes_product(self) -> bool {
        !matches!(
            self,
            ScopeExclusion::TradeFairUnfinished | ScopeExclusion::TestVersion
        )
    }

    /// The condition the claim depends on, in words.
    pub fn condition(self) -> &'static str {
        match self {
            ScopeExclusion::MedicalDevice => {
                "the product is a medical device to which Regulation (EU) 2017/745 applies"
            }
            ScopeExclusion::InVitroDiagnostic => {
                "the product is an in vitro diagnostic medical device under Regulation (EU) 2017/746"
            }
            ScopeExclusion::MotorVehicle => {
                "the product falls under Regulation (EU) 2019/2144 (type approval of motor vehicles, their systems and components)"
            }
            ScopeExclusion::CivilAviation => {
                "the product is certified under Regulation (EU) 2018/1139 (civil aviation)"
            }
            ScopeExclusion::MarineEquipment => {
                "the equipment falls within the scope of Directive 2014/90/EU (marine equipment)"
            }
            ScopeExclusion::SparePart => {
                "an identical spare part, made to the same specifications as the component it replaces, made available only to replace it"
            }
            ScopeExclusion::NationalSecurityDefence => {
                "developed or modified exclusively for national security or defence purposes, or specifically designed to process classified information"
            }
            ScopeExclusion::TradeFairUnfinished => {
                "only presented at trade fairs, exhibitions or demonstrations, with a visible sign that it does not comply and is not made available until it does; the marketed product is bound in full"
            }
            ScopeExclusion::TestVersion => {
                "unfinished software made available only for the limited period testing needs, with a visible sign that it does not comply; the released product is bound in full"
            }
        }
    }
}

/// Top-level tables of a profile file that belong to other crates and are skipped here:
/// `conformity` (the compliance file, read by `cyres-conformity`).
pub const EXTENSION_TABLES: &[&str] = &["conformity"];

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
        let mut value = to_json_value(text, syntax).map_err(|message| CraError::Profile {
            message: format!("cannot parse {}: {message}", syntax.name()),
        })?;
        // Tables other crates read from the same file (docs/conformity.md) are theirs to check.
        if let Some(object) = value.as_object_mut() {
            for key in EXTENSION_TABLES {
                object.remove(*key);
            }
        }
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
        if self.last_placed_on_market.is_some() && self.placed_on_market.is_none() {
            return fail(
                "last_placed_on_market needs placed_on_market (the model's first placing)",
            );
        }
        if let (Some(first), Some(last)) = (self.placed_on_market, self.last_placed_on_market)
            && last < first
        {
            return fail("last_placed_on_market is before placed_on_market");
        }
        Ok(())
    }

    /// Whether units of the model are (or may still be) placed on the market from `date`: true
    /// when no last placing date is given (units still being placed) or it is on or after
    /// `date`. Without any placing date the answer is true (the protective reading).
    pub fn units_placed_from(&self, date: Date) -> bool {
        match (self.placed_on_market, self.last_placed_on_market) {
            (_, Some(last)) => last >= date,
            _ => true,
        }
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
        let with_conformity =
            Profile::from_str_any("name = \"x\"\n[conformity]\nrelease = \"1\"\n").unwrap();
        assert_eq!(with_conformity.name, "x");
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
