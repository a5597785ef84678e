//! The four CRA product categories and the conformity assessment routes, as closed types.
//!
//! Categories: products with digital elements are "default" unless their core functionality is
//! listed in Annex III (important, class I or class II, CRA Art. 7(1)) or Annex IV (critical,
//! Art. 8(1)). Art. 7(2)(a) and (b) are the *criteria* the Commission uses to place a category
//! in Annex III (security functions for other products; potential for wide adverse effect), not
//! the classes themselves: the classes are Annex III's class I and class II lists. Routes: the procedures of Art. 32 with the modules of Annex VIII.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A CRA product category. Ordered from least to most demanding, so `max` picks the category of a
/// product with several core functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Category {
    /// Not listed in Annex III or IV.
    #[serde(rename = "default")]
    Default,
    /// Annex III, class I (CRA Art. 7(1), Annex III).
    #[serde(rename = "important-class-1")]
    ImportantClass1,
    /// Annex III, class II (CRA Art. 7(1), Annex III).
    #[serde(rename = "important-class-2")]
    ImportantClass2,
    /// Annex IV (CRA Art. 8).
    #[serde(rename = "critical")]
    Critical,
}

impl Category {
    /// The stable machine name (`important-class-1`).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Default => "default",
            Category::ImportantClass1 => "important-class-1",
            Category::ImportantClass2 => "important-class-2",
            Category::Critical => "critical",
        }
    }

    /// Where the category is defined.
    pub fn legal_basis(self) -> &'static str {
        match self {
            Category::Default => "CRA Art. 6 (no Annex III or IV entry is the core functionality)",
            Category::ImportantClass1 => "CRA Art. 7(1), Annex III class I",
            Category::ImportantClass2 => "CRA Art. 7(1), Annex III class II",
            Category::Critical => "CRA Art. 8(1), Annex IV",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A conformity assessment route (CRA Art. 32(1), modules in Annex VIII).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Route {
    /// Internal control, Annex VIII Part I (Module A): the manufacturer alone.
    #[serde(rename = "module-a")]
    ModuleA,
    /// EU-type examination followed by conformity to type based on internal production control,
    /// Annex VIII Parts II and III (Modules B and C): a notified body examines the type.
    #[serde(rename = "module-b+c")]
    ModuleBC,
    /// Conformity based on full quality assurance, Annex VIII Part IV (Module H): a notified body
    /// approves and audits the quality system.
    #[serde(rename = "module-h")]
    ModuleH,
    /// A European cybersecurity certification scheme under Regulation (EU) 2019/881, CRA
    /// Art. 32(1)(d), 32(3)(c): only "where available and applicable", i.e. once a delegated act
    /// under Art. 27(9) names the scheme. None is adopted yet, so the route is shown "not yet
    /// available" until the catalogue records one. The machine name `eucc` is kept for
    /// compatibility (docs/cra.md).
    #[serde(rename = "eucc")]
    CertificationScheme,
}

impl Route {
    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Route::ModuleA => "module-a",
            Route::ModuleBC => "module-b+c",
            Route::ModuleH => "module-h",
            Route::CertificationScheme => "eucc",
        }
    }

    /// Who assesses: the manufacturer itself, a notified body, or a certification body.
    pub fn assessor(self) -> Assessor {
        match self {
            Route::ModuleA => Assessor::Manufacturer,
            Route::ModuleBC | Route::ModuleH => Assessor::NotifiedBody,
            Route::CertificationScheme => Assessor::CertificationBody,
        }
    }

    /// A one-line description for people.
    pub fn describe(self) -> &'static str {
        match self {
            Route::ModuleA => "internal control (Annex VIII Part I)",
            Route::ModuleBC => {
                "EU-type examination + conformity to type (Annex VIII Parts II, III)"
            }
            Route::ModuleH => "full quality assurance (Annex VIII Part IV)",
            Route::CertificationScheme => {
                "European cybersecurity certification scheme named by a delegated act under Art. 27(9)"
            }
        }
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who carries out an assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Assessor {
    /// The manufacturer, without a third party.
    Manufacturer,
    /// A notified body (CRA Chapter IV, Arts 35–51).
    NotifiedBody,
    /// A conformity assessment body under Regulation (EU) 2019/881.
    CertificationBody,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stable() {
        assert_eq!(
            serde_json::to_string(&Category::ImportantClass1).unwrap(),
            "\"important-class-1\""
        );
        assert_eq!(
            serde_json::to_string(&Route::ModuleBC).unwrap(),
            "\"module-b+c\""
        );
        assert_eq!(
            serde_json::to_string(&Route::CertificationScheme).unwrap(),
            "\"eucc\""
        );
        assert!(Category::Critical > Category::ImportantClass2);
        assert!(Category::ImportantClass1 > Category::Default);
    }
}
