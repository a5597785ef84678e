//! Economic operators other than the manufacturer (CRA Arts 18-20, 23): authorised
//! representatives, importers and distributors, the checks an importer and a distributor make
//! before the product reaches the market, and how long their supply records are kept.
//!
//! The checks are pure: the caller states what the platform knows (a declaration issued and
//! current, the technical documentation complete, the Annex II information published, the
//! manufacturer's contact) and what only the operator can see on the product itself (the CE
//! marking, Art. 30), and [`check`] answers each item with the provision it implements. A check
//! that fails refuses placing (Art. 19(3)) or making available (Art. 20(3)).

use crate::ConformityError;
use serde::{Deserialize, Serialize};
use time::Date;

/// The role an operator plays for the product.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OperatorRole {
    /// Acts on the manufacturer's behalf under a written mandate (Art. 18).
    AuthorisedRepresentative,
    /// Places a product from a third country on the Union market (Art. 19).
    Importer,
    /// Makes the product available without affecting its properties (Art. 20).
    Distributor,
}

impl OperatorRole {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            OperatorRole::AuthorisedRepresentative => "authorised-representative",
            OperatorRole::Importer => "importer",
            OperatorRole::Distributor => "distributor",
        }
    }

    /// Parses the stored word.
    pub fn parse(s: &str) -> Result<OperatorRole, ConformityError> {
        Ok(match s {
            "authorised-representative" => OperatorRole::AuthorisedRepresentative,
            "importer" => OperatorRole::Importer,
            "distributor" => OperatorRole::Distributor,
            other => {
                return Err(ConformityError::invalid(
                    "operator",
                    format!(
                        "role {other:?} is not authorised-representative, importer or distributor (CRA Arts 18-20)"
                    ),
                ));
            }
        })
    }
}

/// What is known about the product when an operator checks it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckFacts {
    /// An EU declaration of conformity has been issued (Art. 28), and its version.
    pub declaration_version: Option<u32>,
    /// The latest issued declaration still matches the facts (Art. 28(2)).
    pub declaration_current: bool,
    /// The conformity assessment route the declaration names (Art. 32), if any.
    pub route: Option<String>,
    /// Annex VII sections of the technical documentation not present, by number.
    pub techdoc_missing: Vec<u8>,
    /// The product's type and identification (Art. 13(15)), if recorded.
    pub identification: Option<String>,
    /// The manufacturer's name, postal address and contact (Art. 13(16)), if complete.
    pub manufacturer_contact: Option<String>,
    /// The Annex II information and instructions are published (Art. 13(18)).
    pub instructions_published: bool,
    /// The support period end shown to users (Art. 13(19)), if declared.
    pub support_end: Option<String>,
    /// The importer named for the product, when the check is a distributor's (Art. 19(4)).
    pub importer: Option<String>,
    /// The operator saw the CE marking on the product (Art. 30): only the operator can.
    pub ce_marking_seen: bool,
}

/// One item of a check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckItem {
    /// `conformity-assessment`, `technical-documentation`, `ce-marking`, `declaration`,
    /// `identification`, `contact`, `instructions`, `support-period`, `importer`.
    pub item: String,
    /// The provision.
    pub reference: String,
    /// Met or not.
    pub ok: bool,
    /// What was found.
    pub detail: String,
}

/// The result of a check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// Whose check.
    pub role: OperatorRole,
    /// True when every item is met.
    pub passed: bool,
    /// Each item.
    pub items: Vec<CheckItem>,
}

impl CheckResult {
    /// The refusal when an item failed: the operator shall not place (Art. 19(3)) or make
    /// available (Art. 20(3)) the product.
    pub fn refusal(&self) -> Option<String> {
        if self.passed {
            return None;
        }
        let failed: Vec<String> = self
            .items
            .iter()
            .filter(|i| !i.ok)
            .map(|i| format!("{} ({}): {}", i.item, i.reference, i.detail))
            .collect();
        let basis = match self.role {
            OperatorRole::Distributor => "CRA Art. 20(3): not to be made available",
            _ => "CRA Art. 19(3): not to be placed on the market",
        };
        Some(format!("{basis} until {}", failed.join("; ")))
    }
}

fn item(item: &str, reference: &str, ok: bool, detail: String) -> CheckItem {
    CheckItem {
        item: item.to_string(),
        reference: reference.to_string(),
        ok,
        detail,
    }
}

/// The checks of `role` on the product (Art. 19(2) for importers, Art. 20(2) for
/// distributors). An authorised representative makes no such check: its tasks are the
/// mandate's (Art. 18(3)), so asking is an error.
pub fn check(role: OperatorRole, f: &CheckFacts) -> Result<CheckResult, ConformityError> {
    let declaration = match (f.declaration_version, f.declaration_current) {
        (Some(v), true) => (true, format!("version {v} issued and current")),
        (Some(v), false) => (
            false,
            format!("version {v} is out of date: a listed fact changed (Art. 28(2))"),
        ),
        (None, _) => (false, "no EU declaration of conformity issued".to_string()),
    };
    let ce = (
        f.ce_marking_seen,
        if f.ce_marking_seen {
            "seen on the product by the operator".to_string()
        } else {
            "not confirmed by the operator".to_string()
        },
    );
    let instructions = (
        f.instructions_published,
        if f.instructions_published {
            "Annex II information published".to_string()
        } else {
            "the Annex II information and instructions are not published".to_string()
        },
    );
    let contact = match &f.manufacturer_contact {
        Some(c) => (true, c.clone()),
        None => (
            false,
            "the manufacturer's name, postal address and contact are incomplete".to_string(),
        ),
    };
    let identification = (
        f.identification.is_some(),
        f.identification
            .clone()
            .unwrap_or_else(|| "no type, batch or serial identification".to_string()),
    );
    let support = (
        f.support_end.is_some(),
        f.support_end
            .as_ref()
            .map_or("no support end declared".to_string(), |d| {
                format!("support until {d}")
            }),
    );
    let items = match role {
        OperatorRole::AuthorisedRepresentative => {
            return Err(ConformityError::invalid(
                "operator",
                "an authorised representative makes no placing checks; its tasks come from the mandate (CRA Art. 18(3))",
            ));
        }
        // Art. 19(2): before placing, importers ensure that (a) the conformity assessment
        // procedures of Art. 32 were carried out, (b) the manufacturer drew up the technical
        // documentation, (c) the product bears the CE marking and is accompanied by the EU
        // declaration of conformity and the Annex II information and instructions, and
        // (d) the manufacturer complied with Art. 13(15), (16), (19) and (20).
        OperatorRole::Importer => vec![
            item(
                "conformity-assessment",
                "CRA Art. 19(2)(a), Art. 32",
                f.declaration_version.is_some() && f.route.is_some(),
                match (&f.route, f.declaration_version) {
                    (Some(r), Some(_)) => format!("route {r}, concluded by a declaration"),
                    _ => "no conformity assessment concluded by a declaration".to_string(),
                },
            ),
            item(
                "technical-documentation",
                "CRA Art. 19(2)(b), Art. 31, Annex VII",
                f.techdoc_missing.is_empty(),
                if f.techdoc_missing.is_empty() {
                    "all eight Annex VII sections present".to_string()
                } else {
                    format!(
                        "Annex VII sections without content: {}",
                        f.techdoc_missing
                            .iter()
                            .map(u8::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                },
            ),
            item("ce-marking", "CRA Art. 19(2)(c), Art. 30", ce.0, ce.1),
            item(
                "declaration",
                "CRA Art. 19(2)(c), Art. 28",
                declaration.0,
                declaration.1,
            ),
            item(
                "instructions",
                "CRA Art. 19(2)(c), Annex II",
                instructions.0,
                instructions.1,
            ),
            item(
                "identification",
                "CRA Art. 19(2)(d), Art. 13(15)",
                identification.0,
                identification.1.clone(),
            ),
            item(
                "contact",
                "CRA Art. 19(2)(d), Art. 13(16)",
                contact.0,
                contact.1,
            ),
            item(
                "support-period",
                "CRA Art. 19(2)(d), Art. 13(19)",
                support.0,
                support.1.clone(),
            ),
        ],
        // Art. 20(2): before making available, distributors verify that (a) the product bears
        // the CE marking, and (b) the manufacturer and the importer complied with Art. 13(15),
        // (16), (18), (19) and (20) and Art. 19(4) and provided the necessary documents.
        OperatorRole::Distributor => vec![
            item("ce-marking", "CRA Art. 20(2)(a), Art. 30", ce.0, ce.1),
            item(
                "declaration",
                "CRA Art. 20(2)(b), Art. 13(20)",
                declaration.0,
                declaration.1,
            ),
            item(
                "instructions",
                "CRA Art. 20(2)(b), Art. 13(18)",
                instructions.0,
                instructions.1,
            ),
            item(
                "identification",
                "CRA Art. 20(2)(b), Art. 13(15)",
                identification.0,
                identification.1.clone(),
            ),
            item(
                "contact",
                "CRA Art. 20(2)(b), Art. 13(16)",
                contact.0,
                contact.1,
            ),
            item(
                "support-period",
                "CRA Art. 20(2)(b), Art. 13(19)",
                support.0,
                support.1.clone(),
            ),
            item(
                "importer",
                "CRA Art. 20(2)(b), Art. 19(4)",
                true,
                f.importer.clone().map_or(
                    "no importer listed: the product is not imported".to_string(),
                    |i| format!("importer {i} named with its contact"),
                ),
            ),
        ],
    };
    Ok(CheckResult {
        role,
        passed: items.iter().all(|i| i.ok),
        items,
    })
}

/// How long a supply record is kept: Art. 23(2), "for 10 years after they have been supplied
/// with the product or after they have supplied the product". The ten years follow the
/// retention arithmetic of `cyres_cra::support::documentation_retention` (29 February ends
/// on 1 March), without a support period.
pub fn supply_kept_until(supplied_on: Date) -> Result<Date, ConformityError> {
    cyres_cra::support::documentation_retention(supplied_on, supplied_on).map_err(|_| {
        ConformityError::DateOutOfRange {
            what: "supply record retention",
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn complete() -> CheckFacts {
        CheckFacts {
            declaration_version: Some(2),
            declaration_current: true,
            route: Some("module-b+c".into()),
            techdoc_missing: vec![],
            identification: Some("AX3000, serials AX3-00001..".into()),
            manufacturer_contact: Some("Acme Networks GmbH, psirt@acme.example".into()),
            instructions_published: true,
            support_end: Some("2035-03-31".into()),
            importer: None,
            ce_marking_seen: true,
        }
    }

    #[test]
    fn importer_refuses_without_a_declaration() {
        let ok = check(OperatorRole::Importer, &complete()).unwrap();
        assert!(ok.passed && ok.refusal().is_none(), "{ok:?}");
        let mut f = complete();
        f.declaration_version = None;
        f.route = None;
        let r = check(OperatorRole::Importer, &f).unwrap();
        assert!(!r.passed);
        let failed: Vec<&str> = r
            .items
            .iter()
            .filter(|i| !i.ok)
            .map(|i| i.item.as_str())
            .collect();
        assert_eq!(failed, ["conformity-assessment", "declaration"]);
        let refusal = r.refusal().unwrap();
        assert!(refusal.starts_with("CRA Art. 19(3)") && refusal.contains("no EU declaration"));
    }

    #[test]
    fn distributor_checks_ce_and_out_of_date_declaration() {
        let mut f = complete();
        f.ce_marking_seen = false;
        f.declaration_current = false;
        let r = check(OperatorRole::Distributor, &f).unwrap();
        let failed: Vec<&str> = r
            .items
            .iter()
            .filter(|i| !i.ok)
            .map(|i| i.item.as_str())
            .collect();
        assert_eq!(failed, ["ce-marking", "declaration"]);
        assert!(r.refusal().unwrap().starts_with("CRA Art. 20(3)"));
        assert!(check(OperatorRole::AuthorisedRepresentative, &f).is_err());
        assert!(OperatorRole::parse("reseller").is_err());
    }

    #[test]
    fn supply_records_kept_ten_years() {
        assert_eq!(
            supply_kept_until(date!(2028 - 02 - 29)).unwrap(),
            date!(2038 - 03 - 01)
        );
        assert_eq!(
            supply_kept_until(date!(2028 - 06 - 15)).unwrap(),
            date!(2038 - 06 - 15)
        );
    }
}
