//! How long the technical documentation and the EU declaration of conformity are kept.
//!
//! CRA Art. 13(13): the manufacturer keeps the technical documentation and the EU declaration of
//! conformity at the disposal of the market surveillance authorities "for at least ten years
//! after the product with digital elements has been placed on the market or for the support
//! period, whichever is longer".
//!
//! Readings that protect users (the text leaves them open):
//! - Placing is per unit (Art. 3(40)), so the ten years run from the **last** unit placed, not
//!   the first: an authority may ask about any unit on the market, and the last one placed is
//!   the one whose ten years end latest. While units are still being placed (no last date) the
//!   retention has **no end yet** and nothing may be deleted ([`Retention::Open`]); the same
//!   holds before the first unit is placed ([`Retention::NotPlaced`]): the file is being
//!   built for a placing to come.
//! - "Ten years after" 29 February ends on 1 March ten years later when that year has no
//!   29 February (the later of the two possible days: documentation is kept, not dropped, on the
//!   doubtful day). This differs on purpose from the reporting deadlines of `cyres-cra`, where the
//!   earlier day is the protective one.
//! - The retention date itself is still inside the period: deletion is allowed only from the
//!   next day.

use crate::ConformityError;
use cyres_cra::calendar::iso_date;
use serde::{Deserialize, Serialize};
use time::Date;

/// When the product's units were placed on the market (Art. 3(40): placing is per unit).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Placing {
    /// The first unit placed, `None` before the product is placed.
    #[serde(default, with = "iso_date::option")]
    pub first: Option<Date>,
    /// The last unit placed, `None` while units are still being placed.
    #[serde(default, with = "iso_date::option")]
    pub last: Option<Date>,
}

impl Placing {
    /// Refuses a last placing without a first one, or before it.
    pub fn check(&self) -> Result<(), ConformityError> {
        match (self.first, self.last) {
            (None, Some(_)) => Err(ConformityError::invalid(
                "placing on the market",
                "a last unit placed needs the date the first unit was placed",
            )),
            (Some(f), Some(l)) if l < f => Err(ConformityError::invalid(
                "placing on the market",
                format!(
                    "the last unit ({}) cannot be placed before the first ({})",
                    iso_date::format(l),
                    iso_date::format(f)
                ),
            )),
            _ => Ok(()),
        }
    }
}

/// The Art. 13(13) retention of a product's technical documentation and declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Retention {
    /// No unit placed yet: the file is kept (it is being built for a placing to come).
    NotPlaced,
    /// Units are still being placed: the ten years have not started for the last unit, so the
    /// retention has no end yet.
    Open {
        /// The first unit placed.
        #[serde(with = "iso_date")]
        first: Date,
    },
    /// All units placed: kept until `until`.
    Until {
        /// The last unit placed.
        #[serde(with = "iso_date")]
        last: Date,
        /// The end of the support period, when known.
        #[serde(with = "iso_date::option")]
        support_end: Option<Date>,
        /// The last day kept: `max(last + 10 years, support_end)`.
        #[serde(with = "iso_date")]
        until: Date,
    },
}

/// The retention for `placing` and the support end (CRA Art. 13(13), the protective reading of
/// the module docs): ten years from the **last** unit placed or the end of the support period,
/// whichever is later; no end while units are still being placed.
///
/// Without a declared support end the ten years decide: the Art. 13(8) support period is at
/// least five years from placing, shorter than ten, unless declared longer (and then it is
/// declared).
pub fn retention(
    placing: Placing,
    support_end: Option<Date>,
) -> Result<Retention, ConformityError> {
    placing.check()?;
    Ok(match (placing.first, placing.last) {
        (None, _) => Retention::NotPlaced,
        (Some(first), None) => Retention::Open { first },
        (Some(_), Some(last)) => Retention::Until {
            last,
            support_end,
            until: retention_until(last, support_end.unwrap_or(last))?,
        },
    })
}

impl Retention {
    /// The retention of a support period computed by `cyres-cra` (its start is the first unit
    /// placed, its `last_unit_placed` the last, its end the support end); no support period
    /// means no placing date yet.
    pub fn of_support(sp: Option<&cyres_cra::SupportPeriod>) -> Result<Retention, ConformityError> {
        match sp {
            None => Ok(Retention::NotPlaced),
            Some(sp) => retention(
                Placing {
                    first: Some(sp.start),
                    last: sp.last_unit_placed.map(|l| l.max(sp.start)),
                },
                Some(sp.end),
            ),
        }
    }

    /// The last day kept, once every unit is placed.
    pub fn until(&self) -> Option<Date> {
        match self {
            Retention::Until { until, .. } => Some(*until),
            _ => None,
        }
    }

    /// How the date was found, or why there is none yet, citing the provision.
    pub fn rule(&self) -> String {
        match self {
            Retention::NotPlaced => "no unit placed on the market yet: no end yet: kept until the last unit is placed, then ten years from it or the support end, whichever is later (CRA Art. 13(13))".into(),
            Retention::Open { first } => format!(
                "units placed since {} and still being placed: the ten years run from the last unit placed (placing is per unit, Art. 3(40)), so the retention has no end yet and nothing is deleted (CRA Art. 13(13))",
                iso_date::format(*first)
            ),
            Retention::Until { last, support_end, .. } => format!(
                "max(last unit placed {} + 10 years, support end {}) (CRA Art. 13(13)); counted from the last unit, not the first, so every unit on the market stays covered",
                iso_date::format(*last),
                support_end.map_or_else(|| "not declared".to_string(), iso_date::format)
            ),
        }
    }

    /// Refuses deletion on `on` while the retention runs: always before every unit is placed,
    /// then on or before the date (CRA Art. 13(13)).
    pub fn check_deletion(&self, on: Date) -> Result<(), ConformityError> {
        match self {
            Retention::Until { until, .. } => check_deletion(*until, on),
            _ => Err(ConformityError::RetentionOpen {
                rule: self.rule(),
                on: iso_date::format(on),
            }),
        }
    }
}

/// The last day the documentation must be kept: `max(placed + 10 years, support_end)`
/// (CRA Art. 13(13)). `placed` is the (last) unit's placing on the market. The date is
/// `cyres_cra::support::documentation_retention`'s, the one function every surface calls.
pub fn retention_until(placed: Date, support_end: Date) -> Result<Date, ConformityError> {
    cyres_cra::support::documentation_retention(placed, support_end).map_err(|_| {
        ConformityError::DateOutOfRange {
            what: "documentation retention",
        }
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;
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
    fn retention_runs_from_the_last_unit_and_never_ends_while_placing() {
        let first = date!(2028 - 01 - 10);
        // Not placed, still being placed: nothing is ever deletable.
        for placing in [
            Placing::default(),
            Placing {
                first: Some(first),
                last: None,
            },
        ] {
            let r = retention(placing, Some(date!(2033 - 01 - 01))).unwrap();
            assert_eq!(r.until(), None);
            let err = r
                .check_deletion(date!(2099 - 01 - 01))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("Art. 13(13)") && err.contains("no end"),
                "{err}"
            );
        }
        // Ten years from the last unit, not the first.
        let done = Placing {
            first: Some(first),
            last: Some(date!(2031 - 06 - 30)),
        };
        let r = retention(done, Some(date!(2033 - 01 - 01))).unwrap();
        assert_eq!(r.until(), Some(date!(2041 - 06 - 30)));
        assert!(
            r.rule().contains("last unit placed 2031-06-30"),
            "{}",
            r.rule()
        );
        assert!(r.check_deletion(date!(2041 - 06 - 30)).is_err());
        assert!(r.check_deletion(date!(2041 - 07 - 01)).is_ok());
        // A support end later than the ten years wins; none declared: the ten years.
        let r = retention(done, Some(date!(2045 - 01 - 01))).unwrap();
        assert_eq!(r.until(), Some(date!(2045 - 01 - 01)));
        assert_eq!(
            retention(done, None).unwrap().until(),
            Some(date!(2041 - 06 - 30))
        );
        // A last unit without a first, or before it, is refused.
        for bad in [
            Placing {
                first: None,
                last: Some(first),
            },
            Placing {
                first: Some(first),
                last: Some(date!(2027 - 01 - 01)),
            },
        ] {
            assert!(retention(bad, None).is_err());
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
