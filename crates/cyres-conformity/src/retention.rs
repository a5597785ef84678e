//! How long the technical documentation and the EU declaration of conformity are kept.
//!
//! CRA Art. 13(13): the manufacturer keeps the technical documentation and the EU declaration of
//! conformity at the disposal of the market surveillance authorities "for at least ten years
//! after the product with digital elements has been placed on the market or for the support
//! period, whichever is longer".
//!
//! Readings that protect users (the text leaves them open):
//! - Placing is per unit (Art. 3(40)), so the ten years run from the **last** unit placed; while
//!   units are still being placed the date moves with each new one (the caller passes the latest
//!   placing it knows, and the date is recomputed then).
//! - "Ten years after" 29 February ends on 1 March ten years later when that year has no
//!   29 February (the later of the two possible days: documentation is kept, not dropped, on the
//!   doubtful day). This differs on purpose from the reporting deadlines of `cyres-cra`, where the
//!   earlier day is the protective one.
//! - The retention date itself is still inside the period: deletion is allowed only from the
//!   next day.

use crate::ConformityError;
use cyres_cra::calendar::iso_date;
use time::{Date, Duration};

/// The last day the documentation must be kept: `max(placed + 10 years, support_end)`
/// (CRA Art. 13(13)). `placed` is the (last) unit's placing on the market.
pub fn retention_until(placed: Date, support_end: Date) -> Result<Date, ConformityError> {
    let ten_years = add_years_rounding_up(placed, 10).ok_or(ConformityError::DateOutOfRange {
        what: "documentation retention",
    })?;
    Ok(ten_years.max(support_end))
}

/// Refuses deletion on `on` when it is on or before `until` (CRA Art. 13(13)).
pub fn check_deletion(until: Date, on: Date) -> Result<(), ConformityError> {
    if on <= until {
        return Err(ConformityError::RetentionNotOver {
            until: iso_date::format(until),
            on: iso_date::format(on),
        });
    }
    Ok(())
}

/// Adds calendar years; a 29 February start with no 29 February in the target year ends on
/// 1 March (see the module docs).
fn add_years_rounding_up(date: Date, years: i32) -> Option<Date> {
    let year = date.year().checked_add(years)?;
    match Date::from_calendar_date(year, date.month(), date.day()) {
        Ok(d) => Some(d),
        Err(_) => {
            let last =
                Date::from_calendar_date(year, date.month(), date.month().length(year)).ok()?;
            last.checked_add(Duration::days(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn retention_boundaries() {
        let placed = date!(2028 - 03 - 01);
        let ten = date!(2038 - 03 - 01);
        // Support ends before, on, and one day after the ten-year mark.
        for (support_end, want) in [
            (date!(2033 - 03 - 01), ten),
            (date!(2038 - 02 - 28), ten),
            (ten, ten),
            (date!(2038 - 03 - 02), date!(2038 - 03 - 02)),
            (date!(2045 - 12 - 31), date!(2045 - 12 - 31)),
        ] {
            assert_eq!(
                retention_until(placed, support_end).unwrap(),
                want,
                "{support_end}"
            );
        }
        // 29 February: the later day.
        assert_eq!(
            retention_until(date!(2028 - 02 - 29), date!(2030 - 01 - 01)).unwrap(),
            date!(2038 - 03 - 01)
        );
        assert_eq!(
            retention_until(date!(2028 - 02 - 29), date!(2030 - 01 - 01)).unwrap(),
            retention_until(date!(2028 - 03 - 01), date!(2030 - 01 - 01)).unwrap()
        );
        // Ten years after any 29 February is a common year, so it always rolls to 1 March.
        assert_eq!(
            retention_until(date!(2036 - 02 - 29), date!(2037 - 01 - 01)).unwrap(),
            date!(2046 - 03 - 01)
        );
        assert_eq!(
            retention_until(date!(2032 - 02 - 29), date!(2033 - 01 - 01)).unwrap(),
            date!(2042 - 03 - 01)
        );
        assert_eq!(
            retention_until(date!(2030 - 02 - 28), date!(2031 - 01 - 01)).unwrap(),
            date!(2040 - 02 - 28)
        );
    }

    proptest::proptest! {
        /// Against the naive reading `max(placed + 10 years, support end)` with `cyres-cra`'s
        /// clamped year arithmetic: equal, except that a 29 February placing ends one day later
        /// (1 March); and nothing is deletable on or before the result.
        #[test]
        fn retention_is_the_later_of_both(placed_day in 0i64..20_000, support_days in 0i64..8_000) {
            let placed = date!(2020 - 01 - 01) + Duration::days(placed_day);
            let support_end = placed + Duration::days(support_days);
            let until = retention_until(placed, support_end).unwrap();
            let mut ten = cyres_cra::calendar::add_years_date(placed, 10).unwrap();
            if placed.month() == time::Month::February && placed.day() == 29 {
                ten += Duration::days(1);
            }
            proptest::prop_assert_eq!(until, ten.max(support_end));
            proptest::prop_assert!(check_deletion(until, until).is_err());
            proptest::prop_assert!(check_deletion(until, until + Duration::days(1)).is_ok());
        }
    }

    #[test]
    fn deletion_refused_through_the_last_day() {
        let until = date!(2038 - 03 - 01);
        let err = check_deletion(until, until).unwrap_err().to_string();
        assert!(
            err.contains("kept until 2038-03-01") && err.contains("Art. 13(13)"),
            "{err}"
        );
        assert!(check_deletion(until, date!(2030 - 01 - 01)).is_err());
        assert!(check_deletion(until, date!(2038 - 03 - 02)).is_ok());
    }
}
