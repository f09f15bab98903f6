//! Reading the `Deprecation` header (RFC 9745): one Structured Field item of type Date
//! (RFC 9651 §3.3.7, first defined as `sf-date`), `@` followed by seconds since 1970 in UTC, with
//! optional parameters.
//!
//! Providers still send the forms of earlier drafts (`true`, an HTTP-date); they are refused with a
//! reason that names the form RFC 9745 settled on.

use chrono::{DateTime, Utc};

use super::field_value::Cursor;
use super::http_date;

/// An example of the form RFC 9745 uses, for messages.
pub(crate) const EXAMPLE: &str = "@1688169599";

/// The largest magnitude of a Structured Field integer (15 digits).
const INTEGER_DIGITS: usize = 15;

/// Parses a `Deprecation` field value into the instant it names, or says (as a lowercase
/// fragment) why it is not one.
pub(crate) fn parse(text: &str) -> Result<DateTime<Utc>, String> {
    let trimmed = text.trim_matches([' ', '\t']);
    let mut c = Cursor::new(trimmed);
    let seconds = date(&mut c).and_then(|s| parameters(&mut c).then_some(s));
    match seconds {
        Some(seconds) if c.is_done() => DateTime::from_timestamp(seconds, 0)
            .ok_or_else(|| "names a date out of any calendar's range".to_owned()),
        _ => Err(refusal(trimmed)),
    }
}

fn refusal(text: &str) -> String {
    let earlier_draft = text.eq_ignore_ascii_case("true")
        || text.eq_ignore_ascii_case("?1")
        || http_date::parse(text).is_ok();
    if earlier_draft {
        format!(
            "uses the form of an earlier draft; RFC 9745 writes the date as @ and seconds since \
             1970, e.g. {EXAMPLE}"
        )
    } else {
        format!("is not a structured-field date such as {EXAMPLE}")
    }
}

/// `"@" sf-integer`.
fn date(c: &mut Cursor) -> Option<i64> {
    if !c.eat('@') {
        return None;
    }
    integer(c)
}

/// `["-"] 1*15DIGIT`.
fn integer(c: &mut Cursor) -> Option<i64> {
    let negative = c.eat('-');
    let digits = c.take_while(|ch| ch.is_ascii_digit())?;
    if digits.len() > INTEGER_DIGITS {
        return None;
    }
    let value: i64 = digits.parse().ok()?;
    Some(if negative { -value } else { value })
}

/// `*( ";" *SP key [ "=" bare-item ] )`. Parameters carry nothing vow reads, but they are part of
/// the grammar, so a valid one must not make the value malformed.
fn parameters(c: &mut Cursor) -> bool {
    while c.eat(';') {
        while c.eat(' ') {}
        let Some(first) = c.peek() else { return false };
        if !(first.is_ascii_lowercase() || first == '*') {
            return false;
        }
        c.take_while(|ch| {
            ch.is_ascii_lowercase() || ch.is_ascii_digit() || matches!(ch, '_' | '-' | '.' | '*')
        });
        if c.eat('=') && !bare_item(c) {
            return false;
        }
    }
    true
}

/// Any bare item (RFC 9651 §3.3): integer or decimal, string, token, byte sequence, boolean,
/// date or display string.
fn bare_item(c: &mut Cursor) -> bool {
    match c.peek() {
        Some('-' | '0'..='9') => number(c),
        Some('"') => string(c),
        Some('%') => c.eat('%') && string(c),
        Some(':') => {
            c.eat(':');
            c.take_while(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '+' | '/' | '='));
            c.eat(':')
        }
        Some('?') => c.eat('?') && (c.eat('0') || c.eat('1')),
        Some('@') => date(c).is_some(),
        Some(ch) if ch.is_ascii_alphabetic() || ch == '*' => c
            .take_while(|ch| super::field_value::is_tchar(ch) || matches!(ch, ':' | '/'))
            .is_some(),
        _ => false,
    }
}

fn number(c: &mut Cursor) -> bool {
    c.eat('-');
    let Some(whole) = c.take_while(|ch| ch.is_ascii_digit()) else {
        return false;
    };
    if !c.eat('.') {
        return whole.len() <= INTEGER_DIGITS;
    }
    let fraction = c.take_while(|ch| ch.is_ascii_digit()).unwrap_or_default();
    whole.len() <= 12 && (1..=3).contains(&fraction.len())
}

/// A string of printable ASCII with `\"` and `\\` escapes.
fn string(c: &mut Cursor) -> bool {
    if !c.eat('"') {
        return false;
    }
    loop {
        match c.peek() {
            Some('"') => return c.eat('"'),
            Some('\\') => {
                c.eat('\\');
                if !(c.eat('"') || c.eat('\\')) {
                    return false;
                }
            }
            Some(ch @ ' '..='~') => {
                c.eat(ch);
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<String, String> {
        parse(text).map(|t| t.to_rfc3339())
    }

    #[test]
    fn an_sf_date_names_seconds_since_1970() {
        assert_eq!(
            read("@1688169599"),
            Ok("2023-06-30T23:59:59+00:00".to_owned())
        );
        assert_eq!(read(" @0 "), Ok("1970-01-01T00:00:00+00:00".to_owned()));
        assert_eq!(read("@-86400"), Ok("1969-12-31T00:00:00+00:00".to_owned()));
    }

    #[test]
    fn parameters_are_allowed_and_ignored() {
        assert!(read("@1688169599;reason=\"replaced by v2\"").is_ok());
        assert!(read("@1688169599; a=1;b=?0;c=tok/en;d=1.5;e=:aGk=:;f=@1;*g").is_ok());
    }

    #[test]
    fn earlier_drafts_are_refused_with_the_form_rfc_9745_uses() {
        for text in ["true", "Sun, 06 Nov 1994 08:49:37 GMT"] {
            let reason = read(text).expect_err(text);
            assert!(reason.contains("earlier draft"), "{text}: {reason}");
            assert!(reason.contains(EXAMPLE), "{reason}");
        }
    }

    #[test]
    fn anything_else_is_refused() {
        for text in [
            "",
            "@",
            "1688169599",
            "@1688169599.5",
            "@ 1688169599",
            "@1688169599, @1688169600",
            "@1234567890123456",
            "@1688169599;Reason=x",
            "@1688169599;r=\"unterminated",
            "@1688169599;r=\"tab\there\"",
            "@1688169599;r=",
            "@1688169599 trailing",
        ] {
            assert!(read(text).is_err(), "{text:?} was accepted");
        }
    }

    #[test]
    fn dates_beyond_the_calendar_are_refused_not_wrapped() {
        assert_eq!(
            read("@999999999999999"),
            Err("names a date out of any calendar's range".to_owned())
        );
    }
}
