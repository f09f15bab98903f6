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
    SCHEMA_UNUSABLE = "shape.body.schema-unusable", Shape, Error,
        "The interaction's embedded JSON Schema could not be compiled, so the body was not checked.";
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
