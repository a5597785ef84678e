//! The support period and the retention periods that hang on it.
//!
//! - CRA Art. 13(8): the support period reflects the time the product is expected to be in use
//!   and is **at least five years**; when the expected use time is shorter than five years, the
//!   support period matches it. So the statutory floor is `placing + min(5 years, expected use)`,
//!   and where the expected use is longer than five years the period should reach
//!   `placing + expected use`.
//! - Art. 13(9): each security update issued within the support period stays available for
//!   `max(issue + 10 years, end of the support period)`.
//! - Art. 13(13) (technical documentation and EU declaration of conformity) and Art. 13(18)
//!   (Annex II user information): kept or available for `max(placing + 10 years, support end)`,
//!   computed by [`documentation_retention`] alone (every surface calls it). "Ten years after"
//!   29 February ends on 1 March, the later of the two possible days: documentation is kept,
//!   not dropped, on the doubtful day (the opposite of the reporting deadlines, where the
//!   earlier day protects).
//! - Art. 13(19): the support end (at least month and year) is shown at purchase.
//! - A declared end that meets the five-year floor but stops before the expected use time ends
//!   (a 5-year period for a product expected in use 12 years) is flagged: Art. 13(8) says the
//!   period "shall reflect the length of time during which the product is expected to be in use";
//!   the five years are a floor, not a safe harbour.
//! - Placing on the market is per unit (Art. 3(40)): the floor, the Art. 13(13) retention and
//!   update availability run from each unit's placing. [`SupportPeriod::for_units`] applies the
//!   floor to the last unit placed and says so while units are still being placed.
//!
//! Years and months are calendar periods with the month-end rule of [`crate::calendar`].

use crate::CraError;
use crate::calendar::{self, add_months_date, add_years_date, iso_date};
use serde::Serialize;
use time::Date;

/// Five years, the Art. 13(8) floor, in months.
pub const MINIMUM_SUPPORT_MONTHS: u32 = 60;

/// The computed support period of one product (version) placed on the market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupportPeriod {
    /// Placing on the market: the period starts here.
    #[serde(with = "iso_date")]
    pub start: Date,
    /// The expected use time in months, if stated.
    pub expected_use_months: Option<u32>,
    /// `min(60, expected use)` months (Art. 13(8)).
    pub minimum_months: u32,
    /// The earliest lawful end date: `start + minimum_months`.
    #[serde(with = "iso_date")]
    pub minimum_end: Date,
    /// When the expected use is longer than five years: `start + expected use`, the end that
    /// "reflects the expected use time" (Art. 13(8), first subparagraph).
    #[serde(with = "iso_date::option")]
    pub expected_use_end: Option<Date>,
    /// The end date the manufacturer declared, if any.
    #[serde(with = "iso_date::option")]
    pub declared_end: Option<Date>,
    /// `false` when the declared end is before `minimum_end`.
    pub declared_end_meets_minimum: Option<bool>,
    /// `false` when the declared end is before the expected-use end (Art. 13(8) first
    /// subparagraph: the period reflects the expected use time); `null` when either is unknown.
    pub declared_end_covers_expected_use: Option<bool>,
    /// The last unit's placing date, when the profile gives one (Art. 3(40)).
    #[serde(with = "iso_date::option")]
    pub last_unit_placed: Option<Date>,
    /// True when units are still being placed: the floor, retention and update availability
    /// move with each new unit.
    pub units_still_placed: bool,
    /// Findings on the declared end, each citing its provision.
    pub warnings: Vec<String>,
    /// The end used below: the declared end if it meets the minimum, else the larger of the
    /// minimum and the expected-use end.
    #[serde(with = "iso_date")]
    pub end: Date,
    /// `end` as month and year (`2033-03`), the form Art. 13(19) requires at purchase.
    pub end_month: String,
    /// Technical documentation and DoC kept until (Art. 13(13)); Annex II information available
    /// until the same date (Art. 13(18)).
    #[serde(with = "iso_date")]
    pub documentation_kept_until: Date,
    /// How the end was chosen, in one sentence.
    pub rule: String,
}

impl SupportPeriod {
    /// Computes the support period for a product placed on the market on `placed`, with an
    /// optional expected use time in months and an optional declared end.
    pub fn compute(
        placed: Date,
        expected_use_months: Option<u32>,
        declared_end: Option<Date>,
    ) -> Result<SupportPeriod, CraError> {
        let overflow = |what| CraError::DateOutOfRange { what };
        let minimum_months =
            expected_use_months.map_or(MINIMUM_SUPPORT_MONTHS, |m| m.min(MINIMUM_SUPPORT_MONTHS));
        let minimum_end = add_months_date(placed, i64::from(minimum_months))
            .ok_or(overflow("support period minimum"))?;
        let expected_use_end = match expected_use_months {
            Some(m) if m > MINIMUM_SUPPORT_MONTHS => {
                Some(add_months_date(placed, i64::from(m)).ok_or(overflow("expected use end"))?)
            }
            _ => None,
        };
        let declared_end_meets_minimum = declared_end.map(|d| d >= minimum_end);
        let declared_end_covers_expected_use = match (declared_end, expected_use_end) {
            (Some(d), Some(e)) => Some(d >= e),
            _ => None,
        };
        let (end, rule) = match (declared_end, declared_end_meets_minimum) {
            (Some(d), Some(true)) => (
                d,
                "the declared end, which meets the Art. 13(8) minimum".to_string(),
            ),
            _ => {
                let floor = match expected_use_months {
                    Some(m) if m < MINIMUM_SUPPORT_MONTHS => {
                        format!("the expected use time ({m} months), shorter than five years")
                    }
                    _ => "five years from placing on the market".to_string(),
                };
                let prefix = if declared_end.is_some() {
                    "the declared end is too early; "
                } else {
                    ""
                };
                match expected_use_end {
                    Some(e) => (
                        e,
                        format!(
                            "{prefix}the expected use time, longer than the five-year floor (Art. 13(8))"
                        ),
                    ),
                    None => (minimum_end, format!("{prefix}{floor} (Art. 13(8))")),
                }
            }
        };
        let mut warnings = Vec::new();
        if declared_end_meets_minimum == Some(false) {
            warnings.push(format!(
                "declared support end {} is before the Art. 13(8) minimum {}",
                declared_end.map(iso_date::format).unwrap_or_default(),
                iso_date::format(minimum_end)
            ));
        }
        if let (Some(false), Some(d), Some(e)) = (
            declared_end_covers_expected_use,
            declared_end,
            expected_use_end,
        ) {
            warnings.push(format!(
                "declared support end {} is before the end of the expected use time {} ({} months): CRA Art. 13(8) requires the support period to reflect the time the product is expected to be in use; five years is only the floor",
                iso_date::format(d),
                iso_date::format(e),
                expected_use_months.unwrap_or_default()
            ));
        }
        Ok(SupportPeriod {
            start: placed,
            expected_use_months,
            minimum_months,
            minimum_end,
            expected_use_end,
            declared_end,
            declared_end_meets_minimum,
            declared_end_covers_expected_use,
            last_unit_placed: None,
            units_still_placed: false,
            warnings,
            end,
            end_month: format!("{:04}-{:02}", end.year(), u8::from(end.month())),
            documentation_kept_until: documentation_retention(placed, end)?,
            rule,
        })
    }

    /// The support period of a model whose units are placed from `first` until `last` (`None`:
    /// still being placed). Placing is per unit (Art. 3(40)), so the Art. 13(8) floor and the
    /// Art. 13(13) retention are also checked against the last unit placed.
    pub fn for_units(
        first: Date,
        last: Option<Date>,
        expected_use_months: Option<u32>,
        declared_end: Option<Date>,
    ) -> Result<SupportPeriod, CraError> {
        let mut sp = SupportPeriod::compute(first, expected_use_months, declared_end)?;
        sp.last_unit_placed = last;
        sp.units_still_placed = last.is_none();
        match last {
            Some(last) if last > first => {
                let floor_last = add_months_date(last, i64::from(sp.minimum_months)).ok_or(
                    CraError::DateOutOfRange {
                        what: "support period minimum for the last unit",
                    },
                )?;
                if declared_end.is_some_and(|d| d < floor_last) {
                    sp.warnings.push(format!(
                        "the last unit placed on {} is owed support until at least {} (Art. 13(8), placing per unit under Art. 3(40)); the declared end is earlier",
                        iso_date::format(last),
                        iso_date::format(floor_last)
                    ));
                }
                if declared_end.is_none() && floor_last > sp.end {
                    sp.end = floor_last;
                    sp.end_month = format!("{:04}-{:02}", floor_last.year(), u8::from(floor_last.month()));
                    sp.rule = "the floor counted from the last unit placed (Art. 13(8), Art. 3(40))".into();
                }
                sp.documentation_kept_until = sp
                    .documentation_kept_until
                    .max(documentation_retention(last, sp.end)?);
            }
            Some(_) => {}
            None => sp.warnings.push(
                "units are still being placed on the market: each unit is owed the Art. 13(8) floor from its own placing, and the Art. 13(13) retention (ten years, or the support period if longer) runs from the last unit placed; the dates here count from the first placing"
                    .into(),
            ),
        }
        Ok(sp)
    }

    /// How long a security update issued on `issued` must stay available (Art. 13(9)).
    pub fn update_available_until(&self, issued: Date) -> Result<Date, CraError> {
        security_update_available_until(issued, self.end)
    }
}

/// The last day the technical documentation and the EU declaration of conformity are kept
/// (CRA Art. 13(13)) and the Annex II information stays available (Art. 13(18)):
/// `max(placed + 10 years, support_end)`, where `placed` is the (last) unit's placing on the
/// market (Art. 3(40)). A 29 February placing ends on 1 March ten years later (see the module
/// docs). The one place this date is computed: `cyres_conformity`, the platform's compliance
/// file, `cyres classify` and the product page all call it.
pub fn documentation_retention(placed: Date, support_end: Date) -> Result<Date, CraError> {
    let ten = add_years_date(placed, 10).ok_or(CraError::DateOutOfRange {
        what: "documentation retention",
    })?;
    // add_years_date clamps 29 February to 28 February; the retention takes the later day.
    let ten = if placed.month() == time::Month::February && placed.day() == 29 && ten.day() == 28 {
        ten.next_day().ok_or(CraError::DateOutOfRange {
            what: "documentation retention",
        })?
    } else {
        ten
    };
    Ok(ten.max(support_end))
}

/// Art. 13(9): `max(issued + 10 years, support_end)`.
pub fn security_update_available_until(issued: Date, support_end: Date) -> Result<Date, CraError> {
    let ten = calendar::add_years_date(issued, 10).ok_or(CraError::DateOutOfRange {
        what: "security update availability",
    })?;
    Ok(ten.max(support_end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn five_year_floor() {
        let s = SupportPeriod::compute(date!(2028 - 03 - 01), None, None).unwrap();
        assert_eq!(s.minimum_end, date!(2033 - 03 - 01));
        assert_eq!(s.end, s.minimum_end);
        assert_eq!(s.end_month, "2033-03");
        assert_eq!(s.documentation_kept_until, date!(2038 - 03 - 01));
    }

    #[test]
    fn shorter_expected_use_wins() {
        let s = SupportPeriod::compute(date!(2028 - 01 - 31), Some(25), None).unwrap();
        assert_eq!(s.minimum_months, 25);
        assert_eq!(s.minimum_end, date!(2030 - 02 - 28));
        assert!(s.rule.contains("25 months"));
    }

    #[test]
    fn longer_expected_use_extends() {
        let s = SupportPeriod::compute(date!(2028 - 02 - 29), Some(12 * 12), None).unwrap();
        assert_eq!(s.minimum_end, date!(2033 - 02 - 28));
        assert_eq!(s.expected_use_end, Some(date!(2040 - 02 - 29)));
        assert_eq!(s.end, date!(2040 - 02 - 29));
        // Support ends after placing + 10 years: documentation follows the support end.
        assert_eq!(s.documentation_kept_until, date!(2040 - 02 - 29));
    }

    #[test]
    fn declared_end_checked() {
        let ok = SupportPeriod::compute(date!(2028 - 01 - 01), None, Some(date!(2035 - 06 - 30)))
            .unwrap();
        assert_eq!(
            (ok.end, ok.declared_end_meets_minimum),
            (date!(2035 - 06 - 30), Some(true))
        );
        let short =
            SupportPeriod::compute(date!(2028 - 01 - 01), None, Some(date!(2030 - 01 - 01)))
                .unwrap();
        assert_eq!(short.declared_end_meets_minimum, Some(false));
        assert_eq!(short.end, date!(2033 - 01 - 01));
        assert!(short.rule.contains("too early"));
    }

    #[test]
    fn five_years_for_twelve_year_use_is_flagged() {
        // CRA Art. 13(8): "the support period shall reflect the length of time during which the
        // product is expected to be in use"; 5 years meets the floor, not the expected use.
        let s = SupportPeriod::compute(
            date!(2028 - 01 - 01),
            Some(12 * 12),
            Some(date!(2033 - 01 - 01)),
        )
        .unwrap();
        assert_eq!(s.declared_end_meets_minimum, Some(true));
        assert_eq!(s.declared_end_covers_expected_use, Some(false));
        assert!(
            s.warnings
                .iter()
                .any(|w| w.contains("Art. 13(8)") && w.contains("2040-01-01"))
        );
    }

    #[test]
    fn last_unit_moves_floor_and_retention() {
        // Art. 3(40): placing per unit; Art. 13(13): ten years after placing.
        let s = SupportPeriod::for_units(
            date!(2026 - 03 - 01),
            Some(date!(2029 - 06 - 01)),
            None,
            Some(date!(2031 - 03 - 01)),
        )
        .unwrap();
        assert!(s.warnings.iter().any(|w| w.contains("2034-06-01")));
        assert_eq!(s.documentation_kept_until, date!(2039 - 06 - 01));
        let open = SupportPeriod::for_units(date!(2026 - 03 - 01), None, None, None).unwrap();
        assert!(open.units_still_placed);
        assert!(
            open.warnings
                .iter()
                .any(|w| w.contains("still being placed"))
        );
    }

    #[test]
    fn retention_on_29_february_is_the_later_day() {
        // CRA Art. 13(13): ten years after 2028-02-29 is 2038-03-01 (kept on the doubtful day),
        // whichever surface asks.
        let s = SupportPeriod::compute(date!(2028 - 02 - 29), None, None).unwrap();
        assert_eq!(s.documentation_kept_until, date!(2038 - 03 - 01));
        assert_eq!(
            documentation_retention(date!(2028 - 02 - 29), date!(2030 - 01 - 01)).unwrap(),
            date!(2038 - 03 - 01)
        );
        assert_eq!(
            documentation_retention(date!(2028 - 02 - 28), date!(2030 - 01 - 01)).unwrap(),
            date!(2038 - 02 - 28)
        );
        let units = SupportPeriod::for_units(
            date!(2026 - 01 - 10),
            Some(date!(2032 - 02 - 29)),
            None,
            None,
        )
        .unwrap();
        assert_eq!(units.documentation_kept_until, date!(2042 - 03 - 01));
    }

    #[test]
    fn update_availability() {
        assert_eq!(
            security_update_available_until(date!(2029 - 05 - 10), date!(2033 - 01 - 01)).unwrap(),
            date!(2039 - 05 - 10)
        );
        assert_eq!(
            security_update_available_until(date!(2029 - 05 - 10), date!(2045 - 01 - 01)).unwrap(),
            date!(2045 - 01 - 01)
        );
        let s = SupportPeriod::compute(date!(2028 - 01 - 01), None, None).unwrap();
        assert_eq!(
            s.update_available_until(date!(2032 - 12 - 31)).unwrap(),
            date!(2042 - 12 - 31)
        );
    }
}
