//! What each matcher accepts, judged on one value in hand, and how its expectation reads for people.
//!
//! The structural matchers (`equality`, `type`, `eachElement`, `eachKey`, `eachValue`) shape how the
//! body walk descends; this file only checks the part of them that one value can answer (its type,
//! an array's length). Everything else here is a *leaf* matcher: it decides the value at its location
//! on its own, without comparing it to the example.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::{Number, Value};

use super::decimal;
use super::media_type;
use super::render::{compact, quoted};
use super::value::{JsonRef, Kind, numbers_equal};
use crate::contract::Matcher;
use crate::finding::Rule;
use crate::rules;

/// Why a value breaks a matcher, ready to become a finding.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Violation {
    pub rule: Rule,
    /// What the matcher wanted, for people (e.g. `an integer ≥ 1`).
    pub expected: String,
    /// The value seen, as compact JSON.
    pub actual: String,
    /// What is wrong, as a predicate of the value's name (e.g. `is out of range`).
    pub problem: String,
}

/// Whether a matcher decides the value at its location on its own (no example comparison there).
pub(crate) fn is_leaf(matcher: &Matcher) -> bool {
    !matches!(
        matcher,
        Matcher::Equality
            | Matcher::Type { .. }
            | Matcher::EachElement { .. }
            | Matcher::EachKey { .. }
            | Matcher::EachValue { .. }
    )
}

/// How a matcher's expectation reads for people.
pub(crate) fn describe(matcher: &Matcher) -> String {
    match matcher {
        Matcher::Equality => "equal to the example".to_owned(),
        Matcher::Equals { value } => compact(value),
        Matcher::Type { min, max } => match length_bounds(*min, *max) {
            Some(b) => format!("the example's type ({b} for an array)"),
            None => "the example's type".to_owned(),
        },
        Matcher::Regex { pattern, .. } => format!("a string matching {pattern}"),
        Matcher::Integer { min, max } => format!("an integer{}", number_bounds(*min, *max)),
        Matcher::Number { min, max } => format!("a number{}", number_bounds(*min, *max)),
        Matcher::Decimal { places: None } => "a decimal number".to_owned(),
        Matcher::Decimal { places: Some(p) } => {
            format!(
                "a decimal number with {p} digit{} after the point",
                plural(u64::from(*p))
            )
        }
        Matcher::Boolean => "a boolean".to_owned(),
        Matcher::Null => "null".to_owned(),
        Matcher::Date { format } => {
            format!(
                "a date in the format {}",
                format.as_deref().unwrap_or(DEFAULT_DATE)
            )
        }
        Matcher::Time { format } => {
            format!(
                "a time in the format {}",
                format.as_deref().unwrap_or(DEFAULT_TIME)
            )
        }
        Matcher::Datetime { format: None } => "an RFC 3339 datetime".to_owned(),
        Matcher::Datetime { format: Some(f) } => format!("a datetime in the format {f}"),
        Matcher::Include { value } => format!("a string containing {}", quoted(value)),
        Matcher::OneOf { values } => {
            let listed: Vec<String> = values.iter().map(compact).collect();
            format!("one of {}", listed.join(", "))
        }
        Matcher::EachElement { min, max, .. } => match length_bounds(*min, *max) {
            Some(b) => format!("an array of {b}"),
            None => "an array".to_owned(),
        },
        Matcher::EachKey { .. } | Matcher::EachValue { .. } => "an object".to_owned(),
    }
}

const DEFAULT_DATE: &str = "%Y-%m-%d";
const DEFAULT_TIME: &str = "%H:%M:%S";

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `1 to 5 elements`, `at least 1 element`, … or `None` when unbounded.
pub(crate) fn length_bounds(min: Option<u64>, max: Option<u64>) -> Option<String> {
    match (min, max) {
        (None, None) => None,
        (Some(a), Some(b)) if a == b => Some(format!("exactly {a} element{}", plural(a))),
        (Some(a), Some(b)) => Some(format!("{a} to {b} elements")),
        (Some(a), None) => Some(format!("at least {a} element{}", plural(a))),
        (None, Some(b)) => Some(format!("at most {b} element{}", plural(b))),
    }
}

fn number_bounds(min: Option<f64>, max: Option<f64>) -> String {
    match (min, max) {
        (None, None) => String::new(),
        (Some(a), Some(b)) => format!(" from {a} to {b}"),
        (Some(a), None) => format!(" ≥ {a}"),
        (None, Some(b)) => format!(" ≤ {b}"),
    }
}

/// An array length outside `min..=max`, as a violation of `matcher`.
pub(crate) fn check_length(
    matcher: &Matcher,
    min: Option<u64>,
    max: Option<u64>,
    len: usize,
) -> Result<(), Violation> {
    let len = u64::try_from(len).unwrap_or(u64::MAX);
    if min.is_some_and(|m| len < m) || max.is_some_and(|m| len > m) {
        return Err(Violation {
            rule: rules::LENGTH_OUT_OF_BOUNDS,
            expected: length_bounds(min, max).unwrap_or_else(|| describe(matcher)),
            actual: format!("{len} element{}", plural(len)),
            problem: format!("has {len} element{}", plural(len)),
        });
    }
    Ok(())
}

/// Checks one body value against one matcher. `text` is the value's JSON text when known, so that
/// `decimal` sees a number's digits as written. Structural matchers only check the value's type here
/// (and an array's length); their effect on children is the body walk's business.
pub(crate) fn check_body(
    matcher: &Matcher,
    value: &JsonRef<'_>,
    text: Option<&str>,
) -> Result<(), Violation> {
    let shown = || match (value, text) {
        (JsonRef::Number(_), Some(t)) => t.to_owned(),
        _ => value.render(),
    };
    let fail = |rule, problem: &str| Violation {
        rule,
        expected: describe(matcher),
        actual: shown(),
        problem: problem.to_owned(),
    };
    let wrong_type = || {
        fail(
            rules::TYPE_MISMATCH,
            &format!("is {}, not {}", value.kind().described(), describe(matcher)),
        )
    };
    match matcher {
        Matcher::Equality | Matcher::Type { .. } => Ok(()),
        Matcher::Equals { value: want } => {
            if value.equals(want) {
                Ok(())
            } else if value.kind() != Kind::of(want) {
                Err(wrong_type())
            } else {
                Err(fail(
                    rules::VALUE_MISMATCH,
                    "differs from the expected value",
                ))
            }
        }
        Matcher::Regex { compiled, .. } => match value {
            JsonRef::String(s) if compiled.0.is_match(s) => Ok(()),
            JsonRef::String(_) => Err(fail(rules::REGEX_MISMATCH, "does not match the pattern")),
            _ => Err(wrong_type()),
        },
        Matcher::Integer { min, max } => match value {
            JsonRef::Number(n) if is_integral(n) => {
                check_range(n, *min, *max).map_err(|p| fail(rules::OUT_OF_RANGE, &p))
            }
            JsonRef::Number(_) => Err(fail(rules::TYPE_MISMATCH, "is not an integer")),
            _ => Err(wrong_type()),
        },
        Matcher::Number { min, max } => match value {
            JsonRef::Number(n) => {
                check_range(n, *min, *max).map_err(|p| fail(rules::OUT_OF_RANGE, &p))
            }
            _ => Err(wrong_type()),
        },
        Matcher::Decimal { places } => {
            let (written, is_string): (Cow<'_, str>, bool) = match value {
                JsonRef::Number(n) => (
                    text.map_or_else(|| Cow::Owned(n.to_string()), Cow::Borrowed),
                    false,
                ),
                JsonRef::String(s) => (Cow::Borrowed(s), true),
                _ => return Err(wrong_type()),
            };
            if !is_string && places.is_some() && decimal::has_exponent(&written) {
                return Err(fail(rules::DECIMAL_MISMATCH, "is written with an exponent"));
            }
            match (decimal::parse_plain(&written), places) {
                (None, _) if is_string => Err(fail(
                    rules::DECIMAL_MISMATCH,
                    "is not a number in decimal notation",
                )),
                (Some(d), Some(p)) if d.places != *p => Err(fail(
                    rules::DECIMAL_MISMATCH,
                    &format!(
                        "has {} digit{} after the point",
                        d.places,
                        plural(u64::from(d.places))
                    ),
                )),
                _ => Ok(()),
            }
        }
        Matcher::Boolean => match value {
            JsonRef::Boolean(_) => Ok(()),
            _ => Err(wrong_type()),
        },
        Matcher::Null => match value {
            JsonRef::Null => Ok(()),
            _ => Err(wrong_type()),
        },
        Matcher::Date { format } => {
            let f = format.as_deref().unwrap_or(DEFAULT_DATE);
            let parses = |s: &str| NaiveDate::parse_from_str(s, f).is_ok();
            check_string(value, &wrong_type, parses).and_then(|ok| {
                accept(ok, || {
                    fail(
                        rules::FORMAT_MISMATCH,
                        "is not a date in the expected format",
                    )
                })
            })
        }
        Matcher::Time { format } => {
            let f = format.as_deref().unwrap_or(DEFAULT_TIME);
            let parses = |s: &str| NaiveTime::parse_from_str(s, f).is_ok();
            check_string(value, &wrong_type, parses).and_then(|ok| {
                accept(ok, || {
                    fail(
                        rules::FORMAT_MISMATCH,
                        "is not a time in the expected format",
                    )
                })
            })
        }
        Matcher::Datetime { format } => {
            let parses = |s: &str| match format {
                None => DateTime::parse_from_rfc3339(s).is_ok(),
                // A format without an offset reads as a naive datetime; one with `%z` needs the
                // offset.
                Some(f) => {
                    NaiveDateTime::parse_from_str(s, f).is_ok()
                        || DateTime::parse_from_str(s, f).is_ok()
                }
            };
            check_string(value, &wrong_type, parses).and_then(|ok| {
                accept(ok, || {
                    fail(
                        rules::FORMAT_MISMATCH,
                        "is not a datetime in the expected format",
                    )
                })
            })
        }
        Matcher::Include { value: needle } => {
            check_string(value, &wrong_type, |s| s.contains(needle.as_str())).and_then(|ok| {
                if ok {
                    Ok(())
                } else {
                    Err(fail(
                        rules::INCLUDE_MISMATCH,
                        "does not contain the expected text",
                    ))
                }
            })
        }
        Matcher::OneOf { values } => {
            if values.iter().any(|v| value.equals(v)) {
                Ok(())
            } else {
                Err(fail(rules::NOT_ONE_OF, "is none of the allowed values"))
            }
        }
        Matcher::EachElement { min, max, .. } => match value {
            JsonRef::Array(items) => check_length(matcher, *min, *max, items.len()),
            _ => Err(wrong_type()),
        },
        Matcher::EachKey { .. } | Matcher::EachValue { .. } => match value {
            JsonRef::Object(_) => Ok(()),
            _ => Err(wrong_type()),
        },
    }
}

/// `Ok` when a check accepted the value, the violation `fail` builds otherwise.
fn accept(ok: bool, fail: impl FnOnce() -> Violation) -> Result<(), Violation> {
    if ok { Ok(()) } else { Err(fail()) }
}

fn check_string(
    value: &JsonRef<'_>,
    wrong_type: &dyn Fn() -> Violation,
    accepts: impl FnOnce(&str) -> bool,
) -> Result<bool, Violation> {
    match value {
        JsonRef::String(s) => Ok(accepts(s)),
        _ => Err(wrong_type()),
    }
}

/// A JSON number with no fractional part (`2` and `2.0` both are).
fn is_integral(n: &Number) -> bool {
    n.is_i64()
        || n.is_u64()
        || n.as_f64()
            .is_some_and(|f| f.is_finite() && f.fract() == 0.0)
}

fn check_range(n: &Number, min: Option<f64>, max: Option<f64>) -> Result<(), String> {
    let Some(x) = n.as_f64() else { return Ok(()) };
    if min.is_some_and(|m| x < m) {
        return Err("is below the minimum".to_owned());
    }
    if max.is_some_and(|m| x > m) {
        return Err("is above the maximum".to_owned());
    }
    Ok(())
}

/// Checks a header value (several values of one name already joined with `, `) against one matcher.
/// Header values are text: `integer` and `number` parse it, `decimal` reads it as decimal notation,
/// `equals` and `oneOf` compare text exactly except for `Content-Type` (see
/// [`media_type::satisfies`]), and the other matchers apply to the text as a JSON string would.
/// Every violation is reported by the caller as `shape.header-mismatch`.
pub(crate) fn check_header(name: &str, matcher: &Matcher, header: &str) -> Result<(), Violation> {
    let fail = |problem: &str| Violation {
        rule: rules::HEADER_MISMATCH,
        expected: describe(matcher),
        actual: quoted(header),
        problem: problem.to_owned(),
    };
    match matcher {
        Matcher::Equals { value } => {
            if header_equals(name, header, value) {
                Ok(())
            } else {
                Err(fail("differs from the expected value"))
            }
        }
        Matcher::OneOf { values } => {
            if values.iter().any(|v| header_equals(name, header, v)) {
                Ok(())
            } else {
                Err(fail("is none of the allowed values"))
            }
        }
        Matcher::Integer { .. } | Matcher::Number { .. } => {
            let trimmed = header.trim();
            match serde_json::from_str::<Number>(trimmed) {
                Ok(n) => {
                    check_body(matcher, &JsonRef::Number(n), Some(trimmed)).map_err(|v| Violation {
                        rule: rules::HEADER_MISMATCH,
                        actual: quoted(header),
                        ..v
                    })
                }
                Err(_) => Err(fail("is not a number")),
            }
        }
        _ => check_body(matcher, &JsonRef::String(header), None).map_err(|v| Violation {
            rule: rules::HEADER_MISMATCH,
            actual: quoted(header),
            ..v
        }),
    }
}

/// Text equality of a header with an expected value; numbers by value, booleans by their JSON text.
fn header_equals(name: &str, header: &str, expected: &Value) -> bool {
    match expected {
        Value::String(want) if name.eq_ignore_ascii_case("content-type") => {
            media_type::satisfies(header, want)
        }
        Value::String(want) => header == want,
        Value::Number(want) => {
            serde_json::from_str::<Number>(header.trim()).is_ok_and(|got| numbers_equal(&got, want))
        }
        Value::Bool(want) => header.trim() == if *want { "true" } else { "false" },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::RegexCell;
    use serde_json::json;

    fn decimal(places: Option<u32>) -> Matcher {
        Matcher::Decimal { places }
    }

    fn body(m: &Matcher, text: &str) -> Result<(), Violation> {
        let value: Value = serde_json::from_str(text).unwrap();
        check_body(m, &JsonRef::of(&value), Some(text))
    }

    #[test]
    fn decimal_counts_places_of_json_numbers_as_written() {
        assert!(body(&decimal(Some(2)), "12.50").is_ok());
        assert_eq!(
            body(&decimal(Some(2)), "12.5").unwrap_err().rule,
            rules::DECIMAL_MISMATCH
        );
        assert_eq!(
            body(&decimal(Some(2)), "1.25e1").unwrap_err().rule,
            rules::DECIMAL_MISMATCH
        );
        assert!(body(&decimal(None), "1.25e1").is_ok());
        assert!(body(&decimal(Some(0)), "12").is_ok());
    }

    #[test]
    fn decimal_reads_strings_in_plain_notation() {
        assert!(body(&decimal(Some(2)), r#""-12.50""#).is_ok());
        assert!(body(&decimal(None), r#""7""#).is_ok());
        let err = body(&decimal(None), r#""12,50""#).unwrap_err();
        assert_eq!(err.rule, rules::DECIMAL_MISMATCH);
        assert_eq!(err.actual, r#""12,50""#);
        assert_eq!(
            body(&decimal(None), "true").unwrap_err().rule,
            rules::TYPE_MISMATCH
        );
    }

    #[test]
    fn decimal_without_text_falls_back_to_the_number() {
        assert!(check_body(&decimal(Some(1)), &JsonRef::of(&json!(2.5)), None).is_ok());
    }

    #[test]
    fn integer_accepts_whole_numbers_written_with_a_point() {
        let m = Matcher::Integer {
            min: Some(1.0),
            max: None,
        };
        assert!(body(&m, "2.0").is_ok());
        assert_eq!(body(&m, "2.5").unwrap_err().rule, rules::TYPE_MISMATCH);
        let low = body(&m, "0").unwrap_err();
        assert_eq!(low.rule, rules::OUT_OF_RANGE);
        assert_eq!(low.expected, "an integer ≥ 1");
    }

    #[test]
    fn regex_on_a_number_is_a_type_mismatch_naming_the_pattern() {
        let m = Matcher::Regex {
            pattern: "^c-[0-9]+$".into(),
            compiled: RegexCell(std::sync::Arc::new(
                regex::Regex::new("^(?:^c-[0-9]+$)$").unwrap(),
            )),
        };
        let err = body(&m, "12").unwrap_err();
        assert_eq!(err.rule, rules::TYPE_MISMATCH);
        assert_eq!(err.expected, "a string matching ^c-[0-9]+$");
        assert!(body(&m, r#""c-12""#).is_ok());
    }

    #[test]
    fn dates_times_and_datetimes_use_their_defaults() {
        let date = Matcher::Date { format: None };
        assert!(body(&date, r#""2024-02-29""#).is_ok());
        assert_eq!(
            body(&date, r#""2023-02-29""#).unwrap_err().rule,
            rules::FORMAT_MISMATCH
        );
        let time = Matcher::Time { format: None };
        assert!(body(&time, r#""23:59:01""#).is_ok());
        let dt = Matcher::Datetime { format: None };
        assert!(body(&dt, r#""2024-05-01T10:00:00Z""#).is_ok());
        assert!(body(&dt, r#""2024-05-01 10:00""#).is_err());
        let custom = Matcher::Datetime {
            format: Some("%d/%m/%Y %H:%M".into()),
        };
        assert!(body(&custom, r#""01/05/2024 10:00""#).is_ok());
        let with_offset = Matcher::Datetime {
            format: Some("%Y-%m-%d %H:%M %z".into()),
        };
        assert!(body(&with_offset, r#""2024-05-01 10:00 +0200""#).is_ok());
    }

    #[test]
    fn headers_parse_numbers_and_compare_content_types_by_meaning() {
        let m = Matcher::Integer {
            min: Some(1.0),
            max: Some(60.0),
        };
        assert!(check_header("retry-after", &m, "30").is_ok());
        assert_eq!(
            check_header("retry-after", &m, "soon").unwrap_err().rule,
            rules::HEADER_MISMATCH
        );
        assert!(check_header("retry-after", &m, "90").is_err());
        let ct = Matcher::Equals {
            value: json!("application/json"),
        };
        assert!(check_header("content-type", &ct, "application/json; charset=utf-8").is_ok());
        assert!(check_header("x-kind", &Matcher::Equals { value: json!("a") }, "A").is_err());
    }

    #[test]
    fn one_of_compares_numbers_by_value() {
        let m = Matcher::OneOf {
            values: vec![json!(1), json!("two")],
        };
        assert!(body(&m, "1.0").is_ok());
        assert_eq!(body(&m, "3").unwrap_err().rule, rules::NOT_ONE_OF);
        assert_eq!(describe(&m), r#"one of 1, "two""#);
    }
}
