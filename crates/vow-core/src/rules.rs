//! The catalogue of rules vow reports, with stable identifiers. Identifiers never change meaning once
//! released; docs/rules.md lists them and a test keeps that list in step with this file.

use crate::finding::{Dimension, Rule, Severity};

macro_rules! rules {
    ($($name:ident = $id:literal, $dim:ident, $sev:ident, $summary:literal;)*) => {
        $(
            #[doc = $summary]
            pub const $name: Rule = Rule {
                id: $id,
                dimension: Dimension::$dim,
                severity: Severity::$sev,
                summary: $summary,
            };
        )*
        /// Every rule, in catalogue order.
        pub const ALL: &[Rule] = &[$($name),*];
    };
}

rules! {
    STATUS_MISMATCH = "shape.status-mismatch", Shape, Error,
        "The response status differs from the one the interaction expects.";
    HEADER_MISSING = "shape.header-missing", Shape, Error,
        "A response header the interaction expects is absent.";
    HEADER_MISMATCH = "shape.header-mismatch", Shape, Error,
        "A response header's value breaks the interaction's rules for it.";
    BODY_MISSING = "shape.body-missing", Shape, Error,
        "The interaction expects a response body and the response has none.";
    BODY_NOT_JSON = "shape.body-not-json", Shape, Error,
        "The interaction expects a JSON body and the response body is not valid JSON.";
    FIELD_MISSING = "shape.body.field-missing", Shape, Error,
        "A body field the consumer reads is absent.";
    TYPE_MISMATCH = "shape.body.type-mismatch", Shape, Error,
        "A body value has another JSON type than expected.";
    VALUE_MISMATCH = "shape.body.value-mismatch", Shape, Error,
        "A body value differs from the one expected by equality.";
    REGEX_MISMATCH = "shape.body.regex-mismatch", Shape, Error,
        "A body string does not match the expected regular expression in full.";
    OUT_OF_RANGE = "shape.body.out-of-range", Shape, Error,
        "A body number lies outside the expected bounds.";
    DECIMAL_MISMATCH = "shape.body.decimal-mismatch", Shape, Error,
        "A body value is not a decimal number with the expected digits after the point.";
    FORMAT_MISMATCH = "shape.body.format-mismatch", Shape, Error,
        "A body string is not a date, time or datetime in the expected format.";
    INCLUDE_MISMATCH = "shape.body.include-mismatch", Shape, Error,
        "A body string does not contain the expected text.";
    NOT_ONE_OF = "shape.body.not-one-of", Shape, Error,
        "A body value is none of the allowed values.";
    LENGTH_OUT_OF_BOUNDS = "shape.body.length-out-of-bounds", Shape, Error,
        "A body array has fewer or more elements than allowed.";
    SCHEMA_VIOLATION = "shape.body.schema-violation", Shape, Error,
        "The body violates the interaction's embedded JSON Schema.";
    FINDINGS_TRUNCATED = "shape.body.findings-truncated", Shape, Info,
        "A body had more findings than are reported; the rest were left out.";
    PROVIDER_STATE_FAILED = "verify.provider-state-failed", Shape, Error,
        "Setting up a provider state failed, so the interaction was not replayed.";
    REQUEST_TIMEOUT = "verify.request-timeout", Shape, Error,
        "The provider did not answer within the per-request timeout.";
    CONNECTION_FAILED = "verify.connection-failed", Shape, Error,
        "The connection failed while the request was sent or the response was read.";
    BODY_TOO_LARGE = "verify.body-too-large", Shape, Error,
        "The response body exceeded the size limit and was not read to the end.";
    DEADLINE_EXCEEDED = "verify.deadline-exceeded", Shape, Error,
        "The overall deadline passed before the interaction could be replayed.";
    REQUEST_INVALID = "verify.request-invalid", Shape, Error,
        "The interaction's request cannot be sent as written (e.g. a header value with a line break).";
    PROVIDER_STATE_SKIPPED = "verify.provider-state-skipped", Shape, Warning,
        "The interaction names provider states but no states URL was given, so none were set up.";
    ERROR_CODE_MISSING = "errors.code-missing", Errors, Error,
        "The interaction expects an error code and the error response carries none at the code pointer.";
    ERROR_CODE_MISMATCH = "errors.code-mismatch", Errors, Error,
        "The error response carries another error code than the one the interaction expects.";
    ERROR_STATUS_REMAPPED = "errors.status-remapped", Errors, Error,
        "A handled error code came with another status than the consumer states for it.";
    NOT_PROBLEM_JSON = "errors.not-problem-json", Errors, Error,
        "An error the consumer reads as problem details (RFC 9457) is not application/problem+json.";
    RETRY_AFTER_MISSING = "errors.retry-after-missing", Errors, Error,
        "An error the consumer retries came without a Retry-After header.";
    RETRY_AFTER_INVALID = "errors.retry-after-invalid", Errors, Error,
        "A Retry-After header is neither a number of seconds nor an HTTP-date.";
    UNHANDLED_ERROR_CODE = "errors.unhandled-code", Errors, Warning,
        "The provider answered with an error code the consumer does not state it handles.";
    RETRY_WITHOUT_IDEMPOTENCY_KEY = "errors.retry-without-idempotency-key", Errors, Error,
        "A non-idempotent request may be retried but carries no Idempotency-Key header.";
    BUDGET_EXCEEDS_DEADLINE = "latency.budget-exceeds-deadline", Latency, Error,
        "Every attempt timing out, plus the waits between them, takes longer than the deadline.";
    TOO_FEW_SAMPLES = "latency.too-few-samples", Latency, Warning,
        "Fewer latency samples were taken than estimating the stated percentile needs.";
    PERCENTILE_EXCEEDS_TIMEOUT = "latency.percentile-exceeds-timeout", Latency, Error,
        "The provider's latency at the stated percentile reaches the consumer's timeout.";
    RETRIES_EXCEED_DEADLINE = "latency.retries-exceed-deadline", Latency, Warning,
        "All attempts at the observed percentile latency, plus the waits, take longer than the deadline.";
    UNAUTHENTICATED_ACCEPTED = "auth.unauthenticated-accepted", Auth, Error,
        "A request without credentials was answered with success.";
    UNAUTHENTICATED_STATUS = "auth.unauthenticated-status", Auth, Error,
        "A request without credentials was refused with another status than 401.";
    WWW_AUTHENTICATE_MISSING = "auth.www-authenticate-missing", Auth, Error,
        "A 401 response carries no WWW-Authenticate challenge.";
    SCOPE_NOT_ENFORCED = "auth.scope-not-enforced", Auth, Error,
        "A request whose credentials lack a needed scope was answered with success.";
    INSUFFICIENT_SCOPE_STATUS = "auth.insufficient-scope-status", Auth, Error,
        "A request whose credentials lack a needed scope was refused with another status than 403.";
    INSUFFICIENT_SCOPE_MISSING = "auth.insufficient-scope-missing", Auth, Warning,
        "A 403 for a missing scope does not say error=\"insufficient_scope\" in WWW-Authenticate.";
    DEPRECATION_HEADER_MALFORMED = "deprecation.header-malformed", Deprecation, Error,
        "A Deprecation, Sunset or Link header does not follow its RFC.";
    SUNSET_PASSED = "deprecation.sunset-passed", Deprecation, Error,
        "The operation's sunset date has passed.";
    SUNSET_NEAR = "deprecation.sunset-near", Deprecation, Warning,
        "The operation's sunset date is within the warning window.";
    SUNSET_BEFORE_DEPRECATION = "deprecation.sunset-before-deprecation", Deprecation, Error,
        "The Sunset date is earlier than the Deprecation date.";
    DEPRECATION_SIGNAL_MISSING = "deprecation.signal-missing", Deprecation, Warning,
        "The contract marks the operation deprecated but the response carries no Deprecation or Sunset header.";
    DEPRECATION_UNACKNOWLEDGED = "deprecation.unacknowledged", Deprecation, Warning,
        "The provider marks the operation deprecated and the contract does not.";
    SUNSET_BEFORE_PLAN = "deprecation.sunset-before-plan", Deprecation, Warning,
        "The provider's sunset comes before the date the consumer plans against.";
}

/// Looks a rule up by its identifier.
pub fn by_id(id: &str) -> Option<Rule> {
    ALL.iter().copied().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_unique_and_prefixed_by_their_dimension_or_verify() {
        let mut seen = std::collections::BTreeSet::new();
        for rule in ALL {
            assert!(seen.insert(rule.id), "duplicate rule id {}", rule.id);
            let prefix = rule.id.split('.').next().unwrap_or_default();
            assert!(
                prefix == rule.dimension.as_str() || prefix == "verify",
                "{} does not start with its dimension",
                rule.id
            );
        }
    }
}
