//! The 27 member states of the European Union as data: ISO 3166-1 alpha-2 code and English
//! short name.
//!
//! Art. 14 routing (the coordinator CSIRT is "the CSIRT designated as coordinator" of a member
//! state, CRA Art. 14(7)) and the early warning's list of member states where the product is made
//! available (Art. 14(2)(a), 14(4)(a)) both speak in member states, so a closed type keeps a typo
//! such as "UK" or "EL" from slipping into a report. Greece is `GR` here (ISO 3166-1), not the EU
//! protocol code `EL`; `EL` is accepted on input as an alias because EU texts use it.

use crate::CraError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One EU member state. Serialised as its ISO 3166-1 alpha-2 code (`"DE"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MemberState(u8);

/// (code, English short name), ordered by code. The index is the [`MemberState`] value.
const TABLE: [(&str, &str); 27] = [
    ("AT", "Austria"),
    ("BE", "Belgium"),
    ("BG", "Bulgaria"),
    ("CY", "Cyprus"),
    ("CZ", "Czechia"),
    ("DE", "Germany"),
    ("DK", "Denmark"),
    ("EE", "Estonia"),
    ("ES", "Spain"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("GR", "Greece"),
    ("HR", "Croatia"),
    ("HU", "Hungary"),
    ("IE", "Ireland"),
    ("IT", "Italy"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("LV", "Latvia"),
    ("MT", "Malta"),
    ("NL", "Netherlands"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("RO", "Romania"),
    ("SE", "Sweden"),
    ("SI", "Slovenia"),
    ("SK", "Slovakia"),
];

impl MemberState {
    /// All 27 member states, ordered by code.
    pub fn all() -> impl Iterator<Item = MemberState> {
        (0..TABLE.len() as u8).map(MemberState)
    }

    /// Looks a member state up by its ISO 3166-1 alpha-2 code, in any case. `EL` (the EU's own
    /// code for Greece) is accepted as `GR`. Returns `None` for anything else, including
    /// former member states (`GB`) and the EEA EFTA states (`NO`, `IS`, `LI`). That is a limit
    /// of this type (the 27 member states), not a statement of law: the CRA is marked "Text with
    /// EEA relevance" and whether it applies in the EEA EFTA states depends on its incorporation
    /// into the EEA Agreement, which cyres does not check.
    pub fn from_code(code: &str) -> Option<MemberState> {
        let upper = code.trim().to_ascii_uppercase();
        let upper = if upper == "EL" {
            "GR".to_string()
        } else {
            upper
        };
        TABLE
            .iter()
            .position(|(c, _)| *c == upper)
            .map(|i| MemberState(i as u8))
    }

    /// The ISO 3166-1 alpha-2 code (`"DE"`).
    pub fn code(self) -> &'static str {
        TABLE[self.0 as usize].0
    }

    /// The English short name (`"Germany"`).
    pub fn name(self) -> &'static str {
        TABLE[self.0 as usize].1
    }
}

impl fmt::Display for MemberState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl TryFrom<String> for MemberState {
    type Error = CraError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        MemberState::from_code(&value).ok_or(CraError::UnknownMemberState { code: value })
    }
}

impl From<MemberState> for String {
    fn from(value: MemberState) -> Self {
        value.code().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_seven_unique_codes() {
        let codes: std::collections::BTreeSet<_> = MemberState::all().map(|m| m.code()).collect();
        assert_eq!(codes.len(), 27);
        for m in MemberState::all() {
            assert_eq!(MemberState::from_code(m.code()), Some(m));
            assert_eq!(m.code().len(), 2);
        }
    }

    #[test]
    fn aliases_and_rejections() {
        assert_eq!(MemberState::from_code("el").unwrap().name(), "Greece");
        assert_eq!(MemberState::from_code("de").unwrap().name(), "Germany");
        for bad in ["GB", "UK", "NO", "CH", "", "DEU"] {
            assert!(MemberState::from_code(bad).is_none(), "{bad}");
        }
        let err: Result<MemberState, _> = serde_json::from_str("\"XX\"");
        assert!(err.is_err());
        let ok: MemberState = serde_json::from_str("\"fr\"").unwrap();
        assert_eq!(serde_json::to_string(&ok).unwrap(), "\"FR\"");
    }
}
