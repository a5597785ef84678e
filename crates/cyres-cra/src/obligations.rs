//! The obligations a profile triggers, each with the date it applies from.
//!
//! Dates (Art. 71(2)): Art. 14 reporting from 2026-09-11, everything else from 2027-12-11.
//! Placing on the market is per individual unit (Art. 3(40) "first making available"; the Blue
//! Guide reading that the Commission's CRA guidance follows): every unit placed from 2027-12-11
//! must comply, whatever the model's first placing date. Transitional rule (Art. 69(2)–(3)):
//! only *units* placed before 2027-12-11 are bound by the essential requirements and Art. 13
//! just once the product is substantially modified from that date, while Art. 14 reporting binds
//! them anyway. A model first placed in 2026 and still sold in 2028 therefore owes Annex I,
//! Annex II and Art. 13 for every unit placed from 2027-12-11.
//!
//! Each obligation carries the maximum fine of Art. 64 for breaching it: Art. 64(2) (Annex I,
//! Arts 13 and 14: €15 M or 2.5 %), Art. 64(3) (Arts 18–23, 28, 30(1)–(4), 31(1)–(4),
//! 32(1)–(3), 33(5), 39, 41, 47, 49, 53: €10 M or 2 %), Art. 64(4) (incorrect, incomplete or
//! misleading information to notified bodies and market surveillance authorities: €5 M or 1 %),
//! "whichever is higher" of the amount and the share of worldwide annual turnover; none for
//! stewards (Art. 64(10)(b)).
//!
//! Items: Annex I Part I point 2(a)–(m) (product properties, each "where applicable" on the basis
//! of the Art. 13(2) risk assessment), Annex I Part II 1–8 (vulnerability handling), Annex II 1–9
//! (information for users), Art. 13(8), (9) and (19) (support period), and Art. 14(2), (4) and
//! (8) (reporting and informing users). Stewards get the Art. 24 set instead.

use crate::calendar::iso_date;
use crate::profile::{Profile, Role};
use crate::timeline::{FULL_APPLICATION, REPORTING_APPLIES};
use serde::Serialize;
use time::Date;

/// One obligation and whether it applies on the evaluation date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Obligation {
    /// Stable id (`annex1-part1-c`, `annex1-part2-5`, `annex2-7`, `art13-8`, `art14-2`).
    pub id: &'static str,
    /// Legal source.
    pub source: &'static str,
    /// Short summary in cyres' words.
    pub summary: &'static str,
    /// The date it applies from; `null` when it does not apply to this product (a product placed
    /// before 2027-12-11 without a substantial modification, Art. 69(2)).
    #[serde(with = "iso_date::option")]
    pub applies_from: Option<Date>,
    /// Whether it applies on the evaluation date.
    pub applies: bool,
    /// A condition the obligation depends on, if any.
    pub condition: Option<&'static str>,
    /// Which units of the model it binds (Art. 3(40), 69(2)–(3)).
    pub units: String,
    /// The maximum administrative fine for breaching it (Art. 64(2)–(4)); `null` for stewards
    /// (Art. 64(10)(b)).
    pub fine: Option<FineTier>,
}

/// A fine tier of CRA Art. 64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FineTier {
    /// The paragraph (`CRA Art. 64(2)`).
    pub provision: &'static str,
    /// The maximum, in the Regulation's terms.
    pub maximum: &'static str,
}

/// Art. 64(2): Annex I, Arts 13 and 14.
pub const FINE_64_2: FineTier = FineTier {
    provision: "CRA Art. 64(2)",
    maximum: "up to EUR 15 000 000 or 2.5 % of total worldwide annual turnover, whichever is higher",
};
/// Art. 64(3): Arts 18–23, 28, 30(1)–(4), 31(1)–(4), 32(1)–(3), 33(5), 39, 41, 47, 49, 53.
pub const FINE_64_3: FineTier = FineTier {
    provision: "CRA Art. 64(3)",
    maximum: "up to EUR 10 000 000 or 2 % of total worldwide annual turnover, whichever is higher",
};
/// Art. 64(4): incorrect, incomplete or misleading information to notified bodies and market
/// surveillance authorities in reply to a request.
pub const FINE_64_4: FineTier = FineTier {
    provision: "CRA Art. 64(4)",
    maximum: "up to EUR 5 000 000 or 1 % of total worldwide annual turnover, whichever is higher",
};

/// The fine tier for an obligation id.
fn fine_for(id: &str, role: Role) -> Option<FineTier> {
    if role == Role::Steward {
        return None;
    }
    if id == "art64-4" {
        Some(FINE_64_4)
    } else if ["art28", "art30", "art31", "art32"]
        .iter()
        .any(|p| id == *p || id.starts_with(&format!("{p}-")))
    {
        Some(FINE_64_3)
    } else {
        Some(FINE_64_2)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum When {
    /// Product rules: from 2027-12-11, subject to Art. 69(2).
    Product,
    /// Art. 14: from 2026-09-11 for every product (Art. 69(3)).
    Reporting,
}

type Item = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    When,
);

const RISK: Option<&str> = Some("where applicable per the Art. 13(2) risk assessment");

const MANUFACTURER: &[Item] = &[
    (
        "annex1-part1-a",
        "Annex I, Part I, point 2(a)",
        "no known exploitable vulnerabilities when made available",
        RISK,
        When::Product,
    ),
    (
        "annex1-part1-b",
        "Annex I, Part I, point 2(b)",
        "secure by default configuration, with a reset to the original state",
        RISK,
        When::Product,
    ),
    (
        "annex1-part1-c",
        "Annex I, Part I, point 2(c)",
        "vulnerabilities fixable by security updates; automatic updates on by default with opt-out, notice and postponement",
        RISK,
        When::Product,
    ),
    (
        "annex1-part1-d",
        "Annex I, Part I, point 2(d)",
        "protection from unauthorised access (authentication, identity and access management) and reporting of possible unauthorised access",
        RISK,
        When::Product,
    ),
    (
        "annex1-part1-e",
        "Annex I, Part I, point 2(e)",
        "confidentiality of stored, transmitted and processed data (state-of-the-art encryption)",
        RISK,
        When::Product,
    ),
    (
        "annex1-part1-f",
        "Annex I, Part I, point 2(f)",
        "integrity of data, commands, programs and configuration, with reporting of corruption",
        RISK,
        When::Product,
    ),
    (
        "annex1-part1-g",
        "Annex I, Part I, point 2(g)",
        "data minimisation",
        RISK,
        When::Product,
    ),
    (
        "annex1-part1-h",
        "Annex I, Part I, point 2(h)",
        "availability of essential functions, also after an incident (resilience, denial-of-service mitigation)",
        RISK,
        When::Product,
    ),
    (
        "annex1-part1-i",
        "Annex I, Part I, point 2(i)",
        "limited negative impact on the availability of other devices or networks",
        RISK,
        When::Product,
    ),
    (
        "annex1-part1-j",
        "Annex I, Part I, point 2(j)",
        "limited attack surfaces, including external interfaces",
        RISK,
        When::Product,
    ),
    (
        "annex1-part1-k",
        "Annex I, Part I, point 2(k)",
        "exploitation mitigation to reduce the impact of incidents",
        RISK,
        When::Product,
    ),
    (
        "annex1-part1-l",
        "Annex I, Part I, point 2(l)",
        "recording and monitoring of security-relevant internal activity, with a user opt-out",
        RISK,
        When::Product,
    ),
    (
        "annex1-part1-m",
        "Annex I, Part I, point 2(m)",
        "secure and easy deletion of all data and settings for good; secure data transfer",
        RISK,
        When::Product,
    ),
    (
        "annex1-part2-1",
        "Annex I, Part II, point 1",
        "identify and document vulnerabilities and components, with a machine-readable SBOM of at least the top-level dependencies",
        None,
        When::Product,
    ),
    (
        "annex1-part2-2",
        "Annex I, Part II, point 2",
        "remediate vulnerabilities without delay, with security updates separate from feature updates where technically feasible",
        None,
        When::Product,
    ),
    (
        "annex1-part2-3",
        "Annex I, Part II, point 3",
        "regular, effective security tests and reviews",
        None,
        When::Product,
    ),
    (
        "annex1-part2-4",
        "Annex I, Part II, point 4",
        "publish fixed vulnerabilities once an update is available (delay allowed when justified)",
        None,
        When::Product,
    ),
    (
        "annex1-part2-5",
        "Annex I, Part II, point 5",
        "put in place and enforce a coordinated vulnerability disclosure policy",
        None,
        When::Product,
    ),
    (
        "annex1-part2-6",
        "Annex I, Part II, point 6",
        "facilitate sharing of vulnerability information, with a reporting contact address",
        None,
        When::Product,
    ),
    (
        "annex1-part2-7",
        "Annex I, Part II, point 7",
        "distribute updates securely, automatically for security updates where applicable",
        None,
        When::Product,
    ),
    (
        "annex1-part2-8",
        "Annex I, Part II, point 8",
        "release security updates without delay and free of charge, with advisory messages",
        None,
        When::Product,
    ),
    (
        "annex2-1",
        "Annex II, point 1",
        "manufacturer name or trademark, postal address, email or other digital contact, website",
        None,
        When::Product,
    ),
    (
        "annex2-2",
        "Annex II, point 2",
        "single point of contact for vulnerabilities and where the CVD policy is found",
        None,
        When::Product,
    ),
    (
        "annex2-3",
        "Annex II, point 3",
        "product name, type and unique identification",
        None,
        When::Product,
    ),
    (
        "annex2-4",
        "Annex II, point 4",
        "intended purpose, security environment, essential functions and security properties",
        None,
        When::Product,
    ),
    (
        "annex2-5",
        "Annex II, point 5",
        "known or foreseeable circumstances, including misuse, that may lead to significant risks",
        None,
        When::Product,
    ),
    (
        "annex2-6",
        "Annex II, point 6",
        "internet address of the EU declaration of conformity",
        Some("where applicable"),
        When::Product,
    ),
    (
        "annex2-7",
        "Annex II, point 7",
        "type of technical security support and the support-period end date",
        None,
        When::Product,
    ),
    (
        "annex2-8",
        "Annex II, point 8",
        "instructions: secure commissioning and use, effects of changes, installing updates, secure decommissioning, turning off automatic updates, integration",
        None,
        When::Product,
    ),
    (
        "annex2-9",
        "Annex II, point 9",
        "where the SBOM can be accessed",
        Some("only if the manufacturer makes the SBOM available to users"),
        When::Product,
    ),
    (
        "art13-8",
        "CRA Art. 13(8)",
        "support period of at least five years, or the expected use time if shorter; rationale in the technical documentation",
        None,
        When::Product,
    ),
    (
        "art13-9",
        "CRA Art. 13(9)",
        "each security update stays available for max(issue + 10 years, end of the support period)",
        None,
        When::Product,
    ),
    (
        "art13-19",
        "CRA Art. 13(19)",
        "support end (at least month and year) shown at purchase; end-of-support notice where feasible",
        None,
        When::Product,
    ),
    (
        "art13-13",
        "CRA Art. 13(13)",
        "keep the technical documentation and the EU declaration of conformity for at least ten years after each unit is placed on the market, or for the support period if longer: the last unit placed sets the end",
        None,
        When::Product,
    ),
    (
        "art28",
        "CRA Art. 28, Annex V",
        "draw up and keep up to date the EU declaration of conformity",
        None,
        When::Product,
    ),
    (
        "art30",
        "CRA Art. 30(1)-(4)",
        "affix the CE marking before placing each unit on the market",
        None,
        When::Product,
    ),
    (
        "art31",
        "CRA Art. 31(1)-(4), Annex VII",
        "draw up the technical documentation before placing on the market and keep it updated during the support period",
        None,
        When::Product,
    ),
    (
        "art32",
        "CRA Art. 32(1)-(3)",
        "carry out the conformity assessment procedure for the product's category",
        None,
        When::Product,
    ),
    (
        "art64-4",
        "CRA Art. 64(4), Art. 13(22)",
        "give notified bodies and market surveillance authorities correct, complete information in reply to a request",
        Some("when a notified body or market surveillance authority asks"),
        When::Product,
    ),
    (
        "art14-2",
        "CRA Art. 14(1)-(2)",
        "report actively exploited vulnerabilities without undue delay: early warning within 24 h at the latest, notification within 72 h at the latest, final report within 14 days after a fix",
        None,
        When::Reporting,
    ),
    (
        "art14-4",
        "CRA Art. 14(3)-(4)",
        "report severe incidents without undue delay: early warning within 24 h at the latest, notification within 72 h at the latest, final report within one month after the notification",
        None,
        When::Reporting,
    ),
    (
        "art14-8",
        "CRA Art. 14(8)",
        "after becoming aware, inform impacted users (or all users) of the actively exploited vulnerability or severe incident and, where necessary, of risk mitigation and corrective measures; no fix is needed first",
        None,
        When::Reporting,
    ),
];

const STEWARD: &[Item] = &[
    (
        "art24-1",
        "CRA Art. 24(1)",
        "a documented, verifiable cybersecurity policy: secure development, vulnerability handling, voluntary reporting",
        None,
        When::Product,
    ),
    (
        "art24-2",
        "CRA Art. 24(2)",
        "cooperate with market surveillance authorities on request",
        None,
        When::Product,
    ),
    (
        "art24-3",
        "CRA Art. 24(3), Art. 14",
        "Art. 14(1) reporting as far as involved in development; Art. 14(3) and (8) for incidents affecting systems provided for development",
        Some("cyres takes the earlier date: Art. 14 applies from 2026-09-11"),
        When::Reporting,
    ),
];

/// Lists the obligations for `profile`, evaluated on `on`.
pub fn obligations(profile: &Profile, on: Date) -> Vec<Obligation> {
    let items = match profile.role {
        Role::Manufacturer => MANUFACTURER,
        Role::Steward => STEWARD,
    };
    // Art. 3(40), 69(2): units placed from full application must comply; units placed before
    // are caught only by a substantial modification made from that date.
    let units_before = profile
        .placed_on_market
        .is_some_and(|p| p < FULL_APPLICATION);
    let units_from_full = profile.units_placed_from(FULL_APPLICATION);
    let manufacturer = profile.role == Role::Manufacturer;
    let modified = profile
        .substantially_modified_on
        .filter(|m| *m >= FULL_APPLICATION);
    let product_from = if !manufacturer || units_from_full {
        Some(FULL_APPLICATION)
    } else {
        modified
    };
    let product_units = if !manufacturer {
        "the software the steward supports".to_string()
    } else if units_before && units_from_full {
        match modified {
            Some(m) => format!(
                "every unit placed from 2027-12-11 (Art. 3(40)); units placed before, from the substantial modification of {} (Art. 69(2))",
                iso_date::format(m)
            ),
            None => "every unit placed from 2027-12-11 (Art. 3(40)); units placed before only after a substantial modification (Art. 69(2))".to_string(),
        }
    } else if units_before {
        match modified {
            Some(m) => format!(
                "all units were placed before 2027-12-11: bound from the substantial modification of {} (Art. 69(2))",
                iso_date::format(m)
            ),
            None => "none: every unit was placed before 2027-12-11 (Art. 69(2)); a substantial modification from that date would bring them in".to_string(),
        }
    } else if profile.placed_on_market.is_some() {
        "every unit placed on the market (first placing on or after 2027-12-11)".to_string()
    } else {
        "every unit placed on the market from 2027-12-11 (Art. 3(40))".to_string()
    };
    items
        .iter()
        .map(|&(id, source, summary, condition, when)| {
            let applies_from = match when {
                When::Product => product_from,
                When::Reporting => Some(REPORTING_APPLIES),
            };
            let condition = if when == When::Product && applies_from.is_none() {
                Some("all units placed on the market before 2027-12-11: applies only after a substantial modification (Art. 69(2))")
            } else {
                condition
            };
            let units = match when {
                When::Product => product_units.clone(),
                When::Reporting => {
                    "every unit, including those placed before 2027-12-11 (Art. 69(3))".to_string()
                }
            };
            Obligation {
                id,
                source,
                summary,
                applies_from,
                applies: applies_from.is_some_and(|d| d <= on),
                condition,
                units,
                fine: fine_for(id, profile.role),
            }
        })
        .collect()
}
