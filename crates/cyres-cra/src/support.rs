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
//!   (Annex II user information): kept or available for `max(placing + 10 years, support end)`.
//! - Art. 13(19): the support end (at least month and year) is shown at purchase.
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
        let ten_years = add_years_date(placed, 10).ok_or(overflow("documentation retention"))?;
        Ok(SupportPeriod {
            start: placed,
            expected_use_months,
            minimum_months,
            minimum_end,
            expected_use_end,
            declared_end,
            declared_end_meets_minimum,
            end,
            end_month: format!("{:04}-{:02}", end.year(), u8::from(end.month())),
            documentation_kept_until: ten_years.max(end),
            rule,
        })
    }

    /// How long a security update issued on `issued` must stay available (Art. 13(9)).
    pub fn update_available_until(&self, issued: Date) -> Result<Date, CraError> {
        security_update_available_until(issued, self.end)
    }
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
