//! Calendar arithmetic for the CRA's periods, and the serde forms of dates used in profiles and
//! JSON output.
//!
//! The CRA counts in hours (Art. 14(2)(a)–(b): 24 h, 72 h), days (Art. 14(2)(c): 14 days),
//! months (Art. 14(4)(c): one month) and years (Art. 13(8), (9), (13)). Hours and days are exact
//! durations in UTC. Months and years are *calendar* periods: one month after 15 March is
//! 15 April, at the same time of day. When the target month is shorter than the start day
//! (31 January + 1 month), the period ends on the **last day of the target month** at the same
//! time (28 or 29 February). Years work the same way (29 February 2028 + 5 years = 28 February
//! 2033).
//!
//! Regulation (EEC, Euratom) No 1182/71 (periods, dates and time limits) would end a month period
//! at the end of the last hour of that day and push a period ending on a weekend or holiday to the
//! next working day (its Art. 3(4)). Whether it governs CRA deadlines is unverified
//! (docs/cra.md §"Time handling"), so cyres takes the **earlier** reading: same time of day, no
//! extension for weekends or holidays.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime};

/// Adds `months` calendar months to a date, clamping the day to the target month's length.
pub fn add_months_date(date: Date, months: i64) -> Option<Date> {
    let index = i64::from(date.year()) * 12 + i64::from(u8::from(date.month())) - 1 + months;
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = Month::try_from(u8::try_from(index.rem_euclid(12) + 1).ok()?).ok()?;
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).ok()
}

/// Adds `years` calendar years to a date (29 February → 28 February in a common year).
pub fn add_years_date(date: Date, years: i64) -> Option<Date> {
    add_months_date(date, years.checked_mul(12)?)
}

/// Adds `months` calendar months to an instant, in UTC, keeping the time of day (see the module
/// docs for the month-end rule).
pub fn add_months(at: OffsetDateTime, months: i64) -> Option<OffsetDateTime> {
    let utc = at.to_offset(time::UtcOffset::UTC);
    let date = add_months_date(utc.date(), months)?;
    Some(PrimitiveDateTime::new(date, utc.time()).assume_utc())
}

/// `YYYY-MM-DD` (ISO 8601 calendar date) for `time::Date` in serde, in every format.
pub mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;
    use time::macros::format_description;

    const FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
        format_description!("[year]-[month]-[day]");

    /// Formats a date as `YYYY-MM-DD`.
    pub fn format(date: Date) -> String {
        date.format(FORMAT).unwrap_or_else(|_| {
            format!(
                "{:04}-{:02}-{:02}",
                date.year(),
                u8::from(date.month()),
                date.day()
            )
        })
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Date, String> {
        Date::parse(text.trim(), FORMAT)
            .map_err(|e| format!("{text:?} is not a YYYY-MM-DD date ({e})"))
    }

    /// Serde serialiser.
    pub fn serialize<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*date))
    }

    /// Serde deserialiser.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text).map_err(serde::de::Error::custom)
    }

    /// The same for `Option<Date>` (`null` ↔ `None`).
    pub mod option {
        use serde::{Deserialize, Deserializer, Serializer};
        use time::Date;

        /// Serde serialiser.
        pub fn serialize<S: Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
            match date {
                Some(d) => s.serialize_str(&super::format(*d)),
                None => s.serialize_none(),
            }
        }

        /// Serde deserialiser.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
            let text = Option::<String>::deserialize(d)?;
            text.map(|t| super::parse(&t).map_err(serde::de::Error::custom))
                .transpose()
        }
    }
}

/// RFC 3339 in UTC (`2026-09-11T10:00:00Z`) for `Option<OffsetDateTime>`, `null` for `None`.
pub mod rfc3339_option {
    use serde::Serializer;
    use time::OffsetDateTime;

    /// Formats an instant as RFC 3339 in UTC.
    pub fn format(at: OffsetDateTime) -> String {
        at.to_offset(time::UtcOffset::UTC)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|_| at.to_string())
    }

    /// Serde serialiser.
    pub fn serialize<S: Serializer>(at: &Option<OffsetDateTime>, s: S) -> Result<S::Ok, S::Error> {
        match at {
            Some(t) => s.serialize_str(&format(*t)),
            None => s.serialize_none(),
        }
    }
}

/// RFC 3339 in UTC for a required `OffsetDateTime`.
pub mod rfc3339 {
    use serde::Serializer;
    use time::OffsetDateTime;

    /// Serde serialiser.
    pub fn serialize<S: Serializer>(at: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::rfc3339_option::format(*at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn month_end_clamps() {
        assert_eq!(
            add_months_date(date!(2027 - 01 - 31), 1),
            Some(date!(2027 - 02 - 28))
        );
        assert_eq!(
            add_months_date(date!(2028 - 01 - 31), 1),
            Some(date!(2028 - 02 - 29))
        );
        assert_eq!(
            add_months_date(date!(2026 - 03 - 31), 1),
            Some(date!(2026 - 04 - 30))
        );
        assert_eq!(
            add_months_date(date!(2026 - 12 - 15), 1),
            Some(date!(2027 - 01 - 15))
        );
        assert_eq!(
            add_months_date(date!(2026 - 12 - 31), 2),
            Some(date!(2027 - 02 - 28))
        );
        assert_eq!(
            add_months_date(date!(2027 - 03 - 31), -1),
            Some(date!(2027 - 02 - 28))
        );
    }

    #[test]
    fn leap_day_plus_years() {
        assert_eq!(
            add_years_date(date!(2028 - 02 - 29), 5),
            Some(date!(2033 - 02 - 28))
        );
        assert_eq!(
            add_years_date(date!(2028 - 02 - 29), 4),
            Some(date!(2032 - 02 - 29))
        );
        assert_eq!(
            add_years_date(date!(2027 - 12 - 11), 10),
            Some(date!(2037 - 12 - 11))
        );
    }

    #[test]
    fn month_keeps_time_and_normalises_to_utc() {
        assert_eq!(
            add_months(datetime!(2027-01-31 23:59:59 UTC), 1),
            Some(datetime!(2027-02-28 23:59:59 UTC))
        );
        // 01:30 at +02:00 on 1 March is 23:30 UTC on 28 February: the month is added in UTC.
        assert_eq!(
            add_months(datetime!(2027-03-01 01:30 +02:00), 1),
            Some(datetime!(2027-03-28 23:30 UTC))
        );
    }

    #[test]
    fn out_of_range_is_none() {
        assert_eq!(add_years_date(Date::MAX, 1), None);
        assert_eq!(add_months_date(Date::MIN, -1), None);
    }
}
