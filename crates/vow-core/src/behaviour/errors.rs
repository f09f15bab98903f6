//! The errors dimension: whether the provider's error responses carry what the consumer's error
//! handling branches on (code, status, problem details, `Retry-After`), and whether the consumer's
//! retries are safe to make at all.

use serde_json::Value;

use super::http_date;
use super::wording::quoted;
use crate::contract::{DimensionStatements, ErrorsStatement, HandledError, Interaction};
use crate::exchange::ObservedResponse;
use crate::finding::Finding;
use crate::rules;

/// The media type of RFC 9457 problem details.
const PROBLEM_JSON: &str = "application/problem+json";

/// The request header that lets a provider recognise a repeated request
/// (draft-ietf-httpapi-idempotency-key-header).
const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// Static: an interaction that may be retried (a handled error with `retry: true`, or
/// `latency.retries.attempts > 0`) with a non-idempotent method (POST, PATCH) and no
/// `Idempotency-Key` request header (names compare case-insensitively) is
/// `errors.retry-without-idempotency-key` at `/request/headers`.
pub fn check_retry_safety(
    interaction: &Interaction,
    statements: &DimensionStatements,
) -> Vec<Finding> {
    let request = &interaction.request;
    if request.method.is_idempotent()
        || request
            .headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case(IDEMPOTENCY_KEY))
    {
        return Vec::new();
    }
    let mut reasons = Vec::new();
    if let Some(errors) = &statements.errors {
        let retried: Vec<String> = errors
            .handles
            .iter()
            .filter(|h| h.retry)
            .map(|h| quoted(&h.code))
            .collect();
        if !retried.is_empty() {
            reasons.push(format!("the consumer retries {}", retried.join(", ")));
        }
    }
    if let Some(retries) = statements.latency.as_ref().and_then(|l| l.retries.as_ref())
        && retries.attempts > 0
    {
        let allowed = match retries.attempts {
            1 => "1 retry".to_owned(),
            n => format!("{n} retries"),
        };
        reasons.push(format!("its retry policy allows {allowed}"));
    }
    if reasons.is_empty() {
        return Vec::new();
    }
    vec![
        Finding::new(
            rules::RETRY_WITHOUT_IDEMPOTENCY_KEY,
            "/request/headers",
            format!(
                "{} {} may be sent more than once ({}), but carries no {IDEMPOTENCY_KEY} header",
                request.method.as_str(),
                request.path,
                reasons.join("; ")
            ),
        )
        .expected(format!("an {IDEMPOTENCY_KEY} header"))
        .actual(format!("no {IDEMPOTENCY_KEY} header"))
        .hint(format!(
            "send an {IDEMPOTENCY_KEY} header unique to each logical operation, so the provider \
             applies a retried {} once (one charge, one order), or stop retrying it",
            request.method.as_str()
        )),
    ]
}

/// Live: judges an observed response against the consumer's error statements.
///
/// Responses below 400 are left to the shape check, which already reports an unexpected status.
/// For an error response, the code at `errors.code_pointer` in the JSON body (a string; numbers are
/// read as their text) is compared with `response.error`, and the handled entry for the observed
/// code (or for the expected code when there is none) with the status, `Content-Type` and
/// `Retry-After` the consumer's handling relies on.
pub fn check_error_response(
    interaction: &Interaction,
    errors: &ErrorsStatement,
    observed: &ObservedResponse,
) -> Vec<Finding> {
    if observed.status < 400 {
        return Vec::new();
    }
    let code_at = format!("/response/body{}", errors.code_pointer);
    let code = read_code(&observed.body, &errors.code_pointer);
    let mut findings = Vec::new();

    if let Some(expected) = &interaction.response.error {
        match &code {
            Err(absence) => findings.push(
                Finding::new(
                    rules::ERROR_CODE_MISSING,
                    code_at.clone(),
                    format!(
                        "the error response has no error code at {}",
                        errors.code_pointer
                    ),
                )
                .expected(quoted(expected))
                .actual(absence.clone())
                .hint(format!(
                    "the consumer tells errors apart by the code at {}; send it there, or set \
                     errors.codePointer to where the provider puts it",
                    errors.code_pointer
                )),
            ),
            Ok(got) if got != expected => findings.push(
                Finding::new(
                    rules::ERROR_CODE_MISMATCH,
                    code_at.clone(),
                    format!(
                        "the error code is {}, not {}",
                        quoted(got),
                        quoted(expected)
                    ),
                )
                .expected(quoted(expected))
                .actual(quoted(got))
                .hint("check the provider state the interaction sets up, or whether the provider renamed the code"),
            ),
            Ok(_) => {}
        }
    }

    let entry = match &code {
        Ok(got) => {
            let entry = handled(errors, got);
            if entry.is_none() {
                findings.push(unhandled(errors, got, &code_at));
            }
            entry
        }
        Err(_) => interaction
            .response
            .error
            .as_deref()
            .and_then(|expected| handled(errors, expected)),
    };
    if let Some(entry) = entry {
        findings.extend(judge_handled(entry, observed));
    }
    findings
}

fn handled<'e>(errors: &'e ErrorsStatement, code: &str) -> Option<&'e HandledError> {
    errors.handles.iter().find(|h| h.code == code)
}

/// The code at `pointer` in a JSON body, or what was found instead.
pub(crate) fn read_code(body: &[u8], pointer: &str) -> Result<String, String> {
    if body.is_empty() {
        return Err("an empty body".to_owned());
    }
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Err("a body that is not JSON".to_owned());
    };
    match value.pointer(pointer) {
        Some(Value::String(code)) => Ok(code.clone()),
        Some(Value::Number(code)) => Ok(code.to_string()),
        Some(Value::Null) => Err(format!("null at {pointer}")),
        Some(Value::Bool(b)) => Err(format!("{b} at {pointer}")),
        Some(Value::Array(_)) => Err(format!("a list at {pointer}")),
        Some(Value::Object(_)) => Err(format!("an object at {pointer}")),
        None => Err(format!("nothing at {pointer}")),
    }
}

fn unhandled(errors: &ErrorsStatement, code: &str, pointer: &str) -> Finding {
    let codes: Vec<&str> = errors.handles.iter().map(|h| h.code.as_str()).collect();
    let close = codes
        .iter()
        .filter(|c| strsim::damerau_levenshtein(c, code) <= (c.chars().count() / 3).max(1))
        .min_by_key(|c| strsim::damerau_levenshtein(c, code));
    let hint = match close {
        Some(close) => format!(
            "the consumer handles {}; did the provider rename it?",
            quoted(close)
        ),
        None => format!(
            "add {} to errors.handles with retry: true or false, so what the consumer does with \
             it is stated and checked",
            quoted(code)
        ),
    };
    Finding::new(
        rules::UNHANDLED_ERROR_CODE,
        pointer,
        format!(
            "the provider answered with the error code {}, which the consumer does not state it \
             handles",
            quoted(code)
        ),
    )
    .expected(format!(
        "one of the handled codes: {}",
        codes
            .iter()
            .map(|c| quoted(c))
            .collect::<Vec<_>>()
            .join(", ")
    ))
    .actual(quoted(code))
    .hint(hint)
}

/// What the consumer's handling of `entry` relies on: its status, problem details and, for a
/// retried error, when to retry.
fn judge_handled(entry: &HandledError, observed: &ObservedResponse) -> Vec<Finding> {
    let mut findings = Vec::new();
    let code = quoted(&entry.code);
    if observed.status != entry.status {
        findings.push(
            Finding::new(
                rules::ERROR_STATUS_REMAPPED,
                "/response/status",
                format!(
                    "the error {code} came with status {}, not {}",
                    observed.status, entry.status
                ),
            )
            .expected(entry.status.to_string())
            .actual(observed.status.to_string())
            .hint(
                "clients branch on the status before they read the code; keep the status the \
                 consumer states for this code, or update errors.handles",
            ),
        );
    }
    if entry.problem_json {
        let content_type = observed.header("content-type");
        let essence = content_type.map(|ct| {
            ct.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
        if essence.as_deref() != Some(PROBLEM_JSON) {
            findings.push(
                Finding::new(
                    rules::NOT_PROBLEM_JSON,
                    "/response/headers/content-type",
                    format!("the error {code} is not sent as {PROBLEM_JSON}"),
                )
                .expected(PROBLEM_JSON)
                .actual(content_type.map_or_else(|| "no Content-Type header".to_owned(), quoted))
                .hint(format!(
                    "send problem details (RFC 9457) as {PROBLEM_JSON}, or set problemJson: false \
                     for this code if the consumer reads another format"
                )),
            );
        }
    }
    if entry.retry {
        findings.extend(judge_retry_after(&code, observed));
    }
    findings
}

fn judge_retry_after(code: &str, observed: &ObservedResponse) -> Option<Finding> {
    const POINTER: &str = "/response/headers/retry-after";
    let values: Vec<&str> = observed.header_values("retry-after").collect();
    if values.is_empty() {
        return Some(
            Finding::new(
                rules::RETRY_AFTER_MISSING,
                POINTER,
                format!("the error {code}, which the consumer retries, came without Retry-After"),
            )
            .expected("a Retry-After header")
            .actual("no Retry-After header")
            .hint(
                "without Retry-After every client retries on its own schedule and a struggling \
                 provider meets a retry storm; say how long to wait, in seconds or as an HTTP-date",
            ),
        );
    }
    // Retry-After is a single value; several field lines combine into a list, which it cannot be.
    let value = values.join(", ");
    let reason = retry_after_problem(&value)?;
    Some(
        Finding::new(
            rules::RETRY_AFTER_INVALID,
            POINTER,
            format!("the Retry-After header {reason}"),
        )
        .expected(format!(
            "a number of seconds (e.g. 120) or an HTTP-date (e.g. {})",
            http_date::IMF_FIXDATE_EXAMPLE
        ))
        .actual(quoted(&value))
        .hint("clients that cannot read Retry-After fall back to their own schedule, as if it were absent"),
    )
}

/// Why a `Retry-After` value is neither `delay-seconds` (`1*DIGIT`) nor an HTTP-date (RFC 9110
/// §10.2.3); `None` when it is one of them.
fn retry_after_problem(value: &str) -> Option<String> {
    let value = value.trim_matches([' ', '\t']);
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let numeric = value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || c == '-' || c == '+' || c == '.');
    if numeric {
        return Some("is not a whole, non-negative number of seconds".to_owned());
    }
    http_date::parse(value).err().map(|e| e.reason())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_or_any_of_the_three_http_date_forms() {
        for valid in [
            "0",
            "120",
            " 120 ",
            "99999999999999999999",
            "Fri, 31 Dec 1999 23:59:59 GMT",
            "Friday, 31-Dec-99 23:59:59 GMT",
            "Fri Dec 31 23:59:59 1999",
        ] {
            assert_eq!(retry_after_problem(valid), None, "{valid:?}");
        }
    }

    #[test]
    fn retry_after_refuses_other_numbers_and_dates() {
        for (invalid, reason) in [
            ("-5", "not a whole, non-negative number"),
            ("+5", "not a whole, non-negative number"),
            ("1.5", "not a whole, non-negative number"),
            ("120s", "not a whole, non-negative number"),
            ("", "is not an HTTP-date"),
            ("soon", "is not an HTTP-date"),
            ("2026-05-04T10:00:00Z", "not a whole, non-negative number"),
            (
                "Sat, 31 Dec 1999 23:59:59 GMT",
                "says Sat, but 1999-12-31 is a Fri",
            ),
            ("120, 120", "not a whole, non-negative number"),
        ] {
            let problem = retry_after_problem(invalid).unwrap_or_default();
            assert!(problem.contains(reason), "{invalid:?}: {problem}");
        }
    }

    #[test]
    fn codes_are_strings_or_numbers_at_the_pointer() {
        assert_eq!(
            read_code(br#"{"code": "card_declined"}"#, "/code"),
            Ok("card_declined".to_owned())
        );
        assert_eq!(
            read_code(br#"{"error": {"code": 4021}}"#, "/error/code"),
            Ok("4021".to_owned())
        );
        assert_eq!(
            read_code(br#"{"code": null}"#, "/code"),
            Err("null at /code".to_owned())
        );
        assert_eq!(read_code(b"", "/code"), Err("an empty body".to_owned()));
        assert_eq!(
            read_code(b"<html>", "/code"),
            Err("a body that is not JSON".to_owned())
        );
        assert_eq!(
            read_code(b"{}", "/code"),
            Err("nothing at /code".to_owned())
        );
    }
}
