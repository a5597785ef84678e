//! The profiles of CSAF 2.0 section 4, named by `document.category`.

use serde::{Deserialize, Serialize};

/// A CSAF 2.0 profile (section 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// CSAF Base (section 4.1): any other category.
    Base,
    /// Security incident response (section 4.2).
    SecurityIncidentResponse,
    /// Informational advisory (section 4.3): no vulnerabilities.
    InformationalAdvisory,
    /// Security advisory (section 4.4).
    SecurityAdvisory,
    /// VEX (section 4.5).
    Vex,
}

impl Profile {
    /// The `document.category` value of the profile.
    pub fn category(self) -> &'static str {
        match self {
            Profile::Base => "csaf_base",
            Profile::SecurityIncidentResponse => "csaf_security_incident_response",
            Profile::InformationalAdvisory => "csaf_informational_advisory",
            Profile::SecurityAdvisory => "csaf_security_advisory",
            Profile::Vex => "csaf_vex",
        }
    }

    /// The profile's title in section 4.
    pub fn title(self) -> &'static str {
        match self {
            Profile::Base => "CSAF Base",
            Profile::SecurityIncidentResponse => "Security Incident Response",
            Profile::InformationalAdvisory => "Informational Advisory",
            Profile::SecurityAdvisory => "Security Advisory",
            Profile::Vex => "VEX",
        }
    }

    /// The profile a category names exactly; `None` for other categories (which follow CSAF
    /// Base, section 4.1, unless test 6.1.26 refuses them).
    pub fn from_category(category: &str) -> Option<Profile> {
        [
            Profile::Base,
            Profile::SecurityIncidentResponse,
            Profile::InformationalAdvisory,
            Profile::SecurityAdvisory,
            Profile::Vex,
        ]
        .into_iter()
        .find(|p| p.category() == category)
    }
}
