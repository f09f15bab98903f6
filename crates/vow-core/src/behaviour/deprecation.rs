//! The deprecation dimension: reading the provider's `Deprecation` (RFC 9745), `Sunset`
//! (RFC 8594) and `Link` (RFC 8288) headers, and judging them against the consumer's deprecation
//! statement and an as-of date. The date is a parameter, never the clock, so a verdict can be
//! reproduced on any day.

use chrono::{DateTime, NaiveDate, Timelike, Utc};

use super::wording::quoted;
use super::{http_date, link, structured_date};
use crate::contract::DeprecationStatement;
use crate::exchange::ObservedResponse;
use crate::finding::Finding;
use crate::rules;

const DEPRECATION_AT: &str = "/response/headers/deprecation";
const SUNSET_AT: &str = "/response/headers/sunset";
const LINK_AT: &str = "/response/headers/link";

/// The date to judge at, and how many days before a sunset to start warning.
#[derive(Debug, Clone, Copy)]
pub struct DeprecationPolicy {
    pub as_of: NaiveDate,
    pub warning_days: u32,
}

/// Live: judges the deprecation signals of `observed` against the consumer's `statement` at
/// `policy.as_of` (compared in UTC from the start of that day).
///
/// - A `Deprecation`, `Sunset` or `Link` header that breaks its RFC: `deprecation.header-malformed`.
/// - A Sunset before the Deprecation date: `deprecation.sunset-before-deprecation`.
/// - A Sunset at or before the as-of day: `deprecation.sunset-passed`; within `warning_days` after
///   it: `deprecation.sunset-near`; before the consumer's planned `sunset`:
///   `deprecation.sunset-before-plan`.
/// - The contract marks the operation deprecated and the response carries neither header:
///   `deprecation.signal-missing`; the response carries `Deprecation` and the contract does not
///   mark the operation: `deprecation.unacknowledged`.
pub fn check_deprecation(
    statement: Option<&DeprecationStatement>,
    observed: &ObservedResponse,
    policy: DeprecationPolicy,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let as_of_start = policy.as_of.and_time(chrono::NaiveTime::MIN).and_utc();

    let deprecation_values = joined(observed, "deprecation");
    let deprecation = deprecation_values.as_deref().and_then(|value| {
        structured_date::parse(value)
            .map_err(|reason| {
                findings.push(malformed(
                    DEPRECATION_AT,
                    "Deprecation",
                    value,
                    &reason,
                    format!("a date such as {} (RFC 9745)", structured_date::EXAMPLE),
                ));
            })
            .ok()
    });

    let sunset_values = joined(observed, "sunset");
    let sunset = sunset_values.as_deref().and_then(|value| {
        http_date::parse(value)
            .and_then(|date| date.resolve(policy.as_of))
            .map_err(|e| {
                findings.push(malformed(
                    SUNSET_AT,
                    "Sunset",
                    value,
                    &e.reason(),
                    format!(
                        "an HTTP-date such as {} (RFC 8594)",
                        http_date::IMF_FIXDATE_EXAMPLE
                    ),
                ));
            })
            .ok()
    });

    let mut notes: Vec<String> = Vec::new();
    for value in observed.header_values("link") {
        match link::parse(value) {
            Ok(links) => notes.extend(
                links
                    .into_iter()
                    .filter(|l| l.has_relation("deprecation") || l.has_relation("sunset"))
                    .map(|l| l.target),
            ),
            Err(reason) => findings.push(malformed(
                LINK_AT,
                "Link",
                value,
                &reason,
                "links such as <https://api.example/deprecations>; rel=\"deprecation\" (RFC 8288)"
                    .to_owned(),
            )),
        }
    }
    notes.dedup();
    let see_notes = match notes.first() {
        Some(target) => format!("; the provider's notes: {target}"),
        None => String::new(),
    };

    if let (Some(deprecated), Some(sunset)) = (deprecation, sunset)
        && sunset < deprecated
    {
        findings.push(
            Finding::new(
                rules::SUNSET_BEFORE_DEPRECATION,
                SUNSET_AT,
                format!(
                    "the Sunset date ({}) is before the Deprecation date ({}): the operation \
                     would go away before it is deprecated",
                    instant(sunset),
                    instant(deprecated)
                ),
            )
            .expected(format!("a sunset at or after {}", instant(deprecated)))
            .actual(instant(sunset))
            .hint("RFC 9745: a Sunset should not be earlier than the Deprecation; one of the two dates is wrong"),
        );
    }

    if let Some(sunset) = sunset {
        let sunset_day = sunset.date_naive();
        let days = (sunset_day - policy.as_of).num_days();
        if sunset <= as_of_start {
            let ago = match -days {
                0 => "today".to_owned(),
                1 => "1 day ago".to_owned(),
                n => format!("{n} days ago"),
            };
            findings.push(
                Finding::new(
                    rules::SUNSET_PASSED,
                    SUNSET_AT,
                    format!(
                        "the operation's sunset passed {ago} ({}): the provider may remove it at \
                         any time",
                        instant(sunset)
                    ),
                )
                .expected(format!("a sunset after {}", policy.as_of))
                .actual(instant(sunset))
                .hint(format!("move off this operation now{see_notes}")),
            );
        } else if days <= i64::from(policy.warning_days) {
            let when = match days {
                0 => "today".to_owned(),
                1 => "in 1 day".to_owned(),
                n => format!("in {n} days"),
            };
            findings.push(
                Finding::new(
                    rules::SUNSET_NEAR,
                    SUNSET_AT,
                    format!("sunset {when} ({})", instant(sunset)),
                )
                .expected(format!(
                    "a sunset more than {} days after {}",
                    policy.warning_days, policy.as_of
                ))
                .actual(instant(sunset))
                .hint(format!(
                    "plan the move off this operation before the sunset{see_notes}"
                )),
            );
        }
        if let Some(plan) = statement.and_then(|s| s.sunset)
            && plan > sunset_day
        {
            findings.push(
                Finding::new(
                    rules::SUNSET_BEFORE_PLAN,
                    SUNSET_AT,
                    format!(
                        "the provider's sunset ({}) comes before the {plan} the consumer plans \
                         against",
                        instant(sunset)
                    ),
                )
                .expected(format!("a sunset on or after {plan}"))
                .actual(instant(sunset))
                .hint(format!(
                    "set deprecation.sunset to {sunset_day} in the contract and move off sooner{see_notes}"
                )),
            );
        }
    }

    let marked = statement.is_some_and(|s| s.operation);
    if marked && deprecation_values.is_none() && sunset_values.is_none() {
        findings.push(
            Finding::new(
                rules::DEPRECATION_SIGNAL_MISSING,
                DEPRECATION_AT,
                "the contract marks the operation deprecated, but the response carries neither a \
                 Deprecation nor a Sunset header",
            )
            .expected("a Deprecation or Sunset header")
            .actual("neither header")
            .hint(
                "the provider should announce the deprecation on the wire (RFC 9745, RFC 8594) so \
                 every client learns of it; or the operation is no longer deprecated and the \
                 contract can say so",
            ),
        );
    }
    if !marked && let Some(value) = &deprecation_values {
        let message = match deprecation {
            Some(at) if at <= as_of_start => format!(
                "the provider deprecated the operation on {}, and the contract does not mark it \
                 deprecated",
                instant(at)
            ),
            Some(at) => format!(
                "the provider will deprecate the operation on {}, and the contract does not mark \
                 it deprecated",
                instant(at)
            ),
            None => {
                "the provider marks the operation deprecated, and the contract does not".to_owned()
            }
        };
        findings.push(
            Finding::new(rules::DEPRECATION_UNACKNOWLEDGED, DEPRECATION_AT, message)
                .expected("no Deprecation header, or a contract with deprecation.operation: true")
                .actual(format!("Deprecation: {}", quoted(value)))
                .hint(format!(
                    "the consumer uses a deprecated operation without knowing it; mark it with \
                     `deprecation: {{operation: true}}` so can-i-deploy tracks its sunset{see_notes}"
                )),
        );
    }
    findings
}

/// All values of a header joined as one field value (`, `), as HTTP combines field lines.
fn joined(observed: &ObservedResponse, name: &str) -> Option<String> {
    let values: Vec<&str> = observed.header_values(name).collect();
    (!values.is_empty()).then(|| values.join(", "))
}

fn malformed(pointer: &str, header: &str, value: &str, reason: &str, expected: String) -> Finding {
    Finding::new(
        rules::DEPRECATION_HEADER_MALFORMED,
        pointer,
        format!("the {header} header {reason}"),
    )
    .expected(expected)
    .actual(quoted(value))
    .hint(format!(
        "clients cannot act on a {header} header they cannot read; fix its syntax"
    ))
}

/// A date, with its time of day only when it is not midnight UTC.
fn instant(at: DateTime<Utc>) -> String {
    if at.num_seconds_from_midnight() == 0 && at.nanosecond() == 0 {
        at.format("%Y-%m-%d").to_string()
    } else {
        at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(as_of: &str, warning_days: u32) -> DeprecationPolicy {
        DeprecationPolicy {
            as_of: NaiveDate::parse_from_str(as_of, "%Y-%m-%d").unwrap(),
            warning_days,
        }
    }

    fn response(headers: &[(&str, &str)]) -> ObservedResponse {
        ObservedResponse {
            status: 200,
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            ..ObservedResponse::default()
        }
    }

    fn rules_of(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.rule.id).collect()
    }

    #[test]
    fn a_sunset_at_the_start_of_the_as_of_day_has_passed_and_one_later_that_day_is_near() {
        let midnight = response(&[("sunset", "Mon, 04 May 2026 00:00:00 GMT")]);
        let findings = check_deprecation(None, &midnight, policy("2026-05-04", 30));
        assert_eq!(rules_of(&findings), ["deprecation.sunset-passed"]);
        assert!(findings[0].message.contains("passed today"));
        let noon = response(&[("sunset", "Mon, 04 May 2026 12:00:00 GMT")]);
        let findings = check_deprecation(None, &noon, policy("2026-05-04", 30));
        assert_eq!(rules_of(&findings), ["deprecation.sunset-near"]);
        assert_eq!(
            findings[0].message,
            "sunset today (2026-05-04 12:00:00 UTC)"
        );
    }

    #[test]
    fn the_warning_window_is_inclusive() {
        let sunset = response(&[("sunset", "Wed, 03 Jun 2026 00:00:00 GMT")]);
        let near = check_deprecation(None, &sunset, policy("2026-05-04", 30));
        assert_eq!(near[0].message, "sunset in 30 days (2026-06-03)");
        assert!(check_deprecation(None, &sunset, policy("2026-05-04", 29)).is_empty());
    }

    #[test]
    fn the_verdict_depends_only_on_the_as_of_date() {
        let sunset = response(&[("sunset", "Wed, 03 Jun 2026 00:00:00 GMT")]);
        let a = check_deprecation(None, &sunset, policy("2026-06-10", 30));
        let b = check_deprecation(None, &sunset, policy("2026-06-10", 30));
        assert_eq!(a, b);
        assert!(a[0].message.contains("passed 7 days ago (2026-06-03)"));
    }
}
