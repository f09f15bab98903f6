//! Reading HTTP-dates (RFC 9110 §5.6.7), as `Retry-After` and `Sunset` carry them: the preferred
//! IMF-fixdate and the two obsolete forms (RFC 850 and asctime) that recipients must still accept.
//!
//! Parsing is strict about the grammar (names are case-sensitive, digits are fixed-width) because a
//! provider sending anything else is what the check exists to tell. The RFC 850 form's two-digit
//! year needs a reference date to pick its century, so it is resolved separately and the clock
//! stays out of it.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Utc};

const SHORT_DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const LONG_DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// An example of the preferred form, for messages.
pub(crate) const IMF_FIXDATE_EXAMPLE: &str = "Sun, 06 Nov 1994 08:49:37 GMT";

/// The year as written: four digits, or the two of the obsolete RFC 850 form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Year {
    Full(i32),
    TwoDigit(u8),
}

/// A syntactically valid HTTP-date whose century may still be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HttpDate {
    year: Year,
    month: u32,
    day: u32,
    time: NaiveTime,
    /// Index into [`SHORT_DAYS`] of the day name as written.
    written_weekday: usize,
}

/// Why a value is not an HTTP-date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HttpDateError {
    /// None of the three forms.
    Syntax,
    /// The form fits but the calendar has no such day (`30 Feb`).
    NoSuchDay(String),
    /// The day name disagrees with the date.
    WrongWeekday {
        date: NaiveDate,
        written: &'static str,
    },
}

impl HttpDateError {
    /// A lowercase fragment saying what is wrong, for messages.
    pub(crate) fn reason(&self) -> String {
        match self {
            HttpDateError::Syntax => {
                format!("is not an HTTP-date such as {IMF_FIXDATE_EXAMPLE}")
            }
            HttpDateError::NoSuchDay(day) => format!("names a day that does not exist ({day})"),
            HttpDateError::WrongWeekday { date, written } => format!(
                "says {written}, but {date} is a {}",
                SHORT_DAYS[date.weekday().num_days_from_monday() as usize]
            ),
        }
    }
}

/// Parses one of the three HTTP-date forms. Surrounding whitespace is ignored.
pub(crate) fn parse(text: &str) -> Result<HttpDate, HttpDateError> {
    let text = text.trim_matches([' ', '\t']);
    let date = imf_fixdate(text)
        .or_else(|| rfc850_date(text))
        .or_else(|| asctime_date(text))
        .ok_or(HttpDateError::Syntax)?;
    if let Year::Full(year) = date.year {
        // A four-digit year fixes the date now; only the RFC 850 form must wait for its century.
        date.check(year)?;
    }
    Ok(date)
}

impl HttpDate {
    /// The instant in UTC. A two-digit year is read as RFC 9110 says: the year with those last two
    /// digits that is not more than 50 years after `reference`.
    pub(crate) fn resolve(&self, reference: NaiveDate) -> Result<DateTime<Utc>, HttpDateError> {
        let year = match self.year {
            Year::Full(year) => year,
            Year::TwoDigit(yy) => {
                let now = reference.year();
                let mut year = now - now.rem_euclid(100) + i32::from(yy);
                if year > now + 50 {
                    year -= 100;
                }
                year
            }
        };
        let date = self.check(year)?;
        Ok(NaiveDateTime::new(date, self.time).and_utc())
    }

    fn check(&self, year: i32) -> Result<NaiveDate, HttpDateError> {
        let date = NaiveDate::from_ymd_opt(year, self.month, self.day).ok_or_else(|| {
            HttpDateError::NoSuchDay(format!(
                "{:02} {} {year}",
                self.day,
                MONTHS[(self.month - 1) as usize]
            ))
        })?;
        if date.weekday().num_days_from_monday() as usize != self.written_weekday {
            return Err(HttpDateError::WrongWeekday {
                date,
                written: SHORT_DAYS[self.written_weekday],
            });
        }
        Ok(date)
    }
}

/// `Sun, 06 Nov 1994 08:49:37 GMT`
fn imf_fixdate(text: &str) -> Option<HttpDate> {
    let (day_name, rest) = text.split_once(", ")?;
    let weekday = SHORT_DAYS.iter().position(|d| *d == day_name)?;
    let rest = rest.strip_suffix(" GMT")?;
    let mut parts = rest.split(' ');
    let day = digits(parts.next()?, 2)?;
    let month = month(parts.next()?)?;
    let year = digits(parts.next()?, 4)?;
    let time = time_of_day(parts.next()?)?;
    if parts.next().is_some() {
        return None;
    }
    HttpDate::new(
        Year::Full(i32::try_from(year).ok()?),
        month,
        day,
        time,
        weekday,
    )
}

/// `Sunday, 06-Nov-94 08:49:37 GMT`
fn rfc850_date(text: &str) -> Option<HttpDate> {
    let (day_name, rest) = text.split_once(", ")?;
    let weekday = LONG_DAYS.iter().position(|d| *d == day_name)?;
    let rest = rest.strip_suffix(" GMT")?;
    let (date, time) = rest.split_once(' ')?;
    let mut parts = date.split('-');
    let day = digits(parts.next()?, 2)?;
    let month = month(parts.next()?)?;
    let year = digits(parts.next()?, 2)?;
    if parts.next().is_some() {
        return None;
    }
    let time = time_of_day(time)?;
    HttpDate::new(
        Year::TwoDigit(u8::try_from(year).ok()?),
        month,
        day,
        time,
        weekday,
    )
}

/// `Sun Nov  6 08:49:37 1994` (a one-digit day is padded with a space).
fn asctime_date(text: &str) -> Option<HttpDate> {
    let (day_name, rest) = text.split_once(' ')?;
    let weekday = SHORT_DAYS.iter().position(|d| *d == day_name)?;
    let (month_name, rest) = rest.split_once(' ')?;
    let month = month(month_name)?;
    let (day, rest) = match rest.strip_prefix(' ') {
        Some(padded) => {
            let (digit, rest) = padded.split_at_checked(1)?;
            (digits(digit, 1)?, rest)
        }
        None => {
            let (two, rest) = rest.split_at_checked(2)?;
            (digits(two, 2)?, rest)
        }
    };
    let mut parts = rest.strip_prefix(' ')?.split(' ');
    let time = time_of_day(parts.next()?)?;
    let year = digits(parts.next()?, 4)?;
    if parts.next().is_some() {
        return None;
    }
    HttpDate::new(
        Year::Full(i32::try_from(year).ok()?),
        month,
        day,
        time,
        weekday,
    )
}

impl HttpDate {
    fn new(
        year: Year,
        month: u32,
        day: u32,
        time: NaiveTime,
        written_weekday: usize,
    ) -> Option<HttpDate> {
        (1..=31).contains(&day).then_some(HttpDate {
            year,
            month,
            day,
            time,
            written_weekday,
        })
    }
}

/// Exactly `width` ASCII digits.
fn digits(text: &str, width: usize) -> Option<u32> {
    (text.len() == width && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

fn month(text: &str) -> Option<u32> {
    MONTHS
        .iter()
        .position(|m| *m == text)
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// `08:49:37`; a second of 60 is a leap second, which the grammar allows.
fn time_of_day(text: &str) -> Option<NaiveTime> {
    let mut parts = text.split(':');
    let hour = digits(parts.next()?, 2)?;
    let minute = digits(parts.next()?, 2)?;
    let second = digits(parts.next()?, 2)?;
    if parts.next().is_some() {
        return None;
    }
    if second == 60 {
        return NaiveTime::from_hms_nano_opt(hour, minute, 59, 1_000_000_000);
    }
    NaiveTime::from_hms_opt(hour, minute, second)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn instant(text: &str) -> String {
        parse(text)
            .and_then(|d| d.resolve(day(2026, 5, 4)))
            .map(|t| t.to_rfc3339())
            .unwrap_or_else(|e| e.reason())
    }

    #[test]
    fn the_three_forms_of_rfc_9110_name_the_same_instant() {
        let expected = "1994-11-06T08:49:37+00:00";
        assert_eq!(instant("Sun, 06 Nov 1994 08:49:37 GMT"), expected);
        assert_eq!(instant("Sunday, 06-Nov-94 08:49:37 GMT"), expected);
        assert_eq!(instant("Sun Nov  6 08:49:37 1994"), expected);
        assert_eq!(instant("Sun Nov 06 08:49:37 1994"), expected);
        assert_eq!(instant("  Sun, 06 Nov 1994 08:49:37 GMT "), expected);
    }

    #[test]
    fn two_digit_years_are_at_most_fifty_years_ahead_of_the_reference() {
        // 2076 is exactly 50 years after 2026, so it stays; 2077 would be more, so it is 1977.
        assert_eq!(
            instant("Wednesday, 04-Nov-76 00:00:00 GMT"),
            "2076-11-04T00:00:00+00:00"
        );
        assert_eq!(
            instant("Friday, 04-Nov-77 00:00:00 GMT"),
            "1977-11-04T00:00:00+00:00"
        );
        assert_eq!(
            instant("Wednesday, 31-Mar-27 00:00:00 GMT"),
            "2027-03-31T00:00:00+00:00"
        );
    }

    #[test]
    fn near_misses_are_refused() {
        for text in [
            "",
            "2026-05-04",
            "sun, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 nov 1994 08:49:37 GMT",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 94 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Nov 1994 08:49:37 +0000",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun,  06 Nov 1994 08:49:37 GMT",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 00 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT extra",
            "Sun, 06-Nov-94 08:49:37 GMT",
            "Sunday, 06 Nov 1994 08:49:37 GMT",
            "Sun Nov 6 08:49:37 1994",
            "Sun Nov  6 08:49:37 94",
            "Sun, 06 Nov １９９４ 08:49:37 GMT",
        ] {
            assert_eq!(parse(text), Err(HttpDateError::Syntax), "{text:?}");
        }
    }

    #[test]
    fn days_the_calendar_lacks_and_wrong_weekdays_are_refused_with_a_reason() {
        assert_eq!(
            instant("Mon, 30 Feb 2026 00:00:00 GMT"),
            "names a day that does not exist (30 Feb 2026)"
        );
        assert_eq!(
            instant("Tue, 04 May 2026 00:00:00 GMT"),
            "says Tue, but 2026-05-04 is a Mon"
        );
        assert_eq!(
            instant("Tuesday, 04-May-26 00:00:00 GMT"),
            "says Tue, but 2026-05-04 is a Mon"
        );
        // 29 Feb of a two-digit year depends on the century, so it is decided on resolving.
        let leap = parse("Monday, 29-Feb-00 00:00:00 GMT").expect("syntax");
        assert!(
            leap.resolve(day(2026, 5, 4)).is_err(),
            "2000-02-29 is a Tue"
        );
        assert!(parse("Tue, 29 Feb 2000 00:00:00 GMT").is_ok());
    }

    #[test]
    fn a_leap_second_is_accepted() {
        assert_eq!(
            instant("Sat, 31 Dec 2016 23:59:60 GMT"),
            "2016-12-31T23:59:60+00:00"
        );
    }
}
