//! The catalogue of rules vow reports, with stable identifiers. Identifiers never change meaning once
//! released; docs/rules.md lists them and a test keeps that list in step with this file.

use crate::finding::{Dimension, Rule, Severity};

macro_rules! rules {
    ($($(#[$group_doc:meta])* $group:ident { $($name:ident = $id:literal, $dim:ident, $sev:ident, $summary:literal;)* })*) => {
        $($(
            #[doc = $summary]
            pub const $name: Rule = Rule {
                id: $id,
                dimension: Dimension::$dim,
                severity: Severity::$sev,
                summary: $summary,
            };
        )*)*
        $(
            $(#[$group_doc])*
            pub const $group: &[Rule] = &[$($name),*];
        )*
        /// Every rule, in catalogue order.
        pub const ALL: &[Rule] = &[$($($name),*),*];
    };
}

rules! {
    /// Rules `vow verify` reports: judging live exchanges (and the contract's own statements).
    VERIFY {
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
    /// Rules only `vow check` reports: a contract against the provider's spec.
    CHECK {
        OPERATION_UNKNOWN = "shape.operation-unknown", Shape, Error,
            "The interaction's method and path match no operation of the provider spec.";
        PARAMETER_MISSING = "shape.request.parameter-missing", Shape, Error,
            "The request lacks a parameter the operation requires.";
        PARAMETER_UNDECLARED = "shape.request.parameter-undeclared", Shape, Warning,
            "The request sends a query or header parameter the operation does not declare.";
        PARAMETER_INVALID = "shape.request.parameter-invalid", Shape, Error,
            "A parameter's value breaks the operation's schema for it.";
        REQUEST_BODY_MISSING = "shape.request.body-missing", Shape, Error,
            "The operation requires a request body and the request has none.";
        REQUEST_BODY_INVALID = "shape.request.body-invalid", Shape, Error,
            "The request body breaks the operation's schema for it.";
        REQUEST_MEDIA_TYPE_UNDECLARED = "shape.request.media-type-undeclared", Shape, Error,
            "The request body's media type is not one the operation accepts.";
        STATUS_UNDECLARED = "shape.response.status-undeclared", Shape, Error,
            "The status the interaction expects is not among the operation's responses.";
        FIELD_UNDECLARED = "shape.response.field-undeclared", Shape, Error,
            "A field the consumer reads is not in the response schema.";
        FIELD_OPTIONAL = "shape.response.field-optional", Shape, Warning,
            "A field the consumer reads is optional in the response schema, so it may be absent.";
        FIELD_NULLABLE = "shape.response.field-nullable", Shape, Warning,
            "A field the consumer reads as a non-null value may be null according to the response schema.";
        VALUE_CONFLICT = "shape.response.value-conflict", Shape, Error,
            "A value the consumer expects cannot be valid under the response schema (type or enum).";
        RESPONSE_MEDIA_TYPE_UNDECLARED = "shape.response.media-type-undeclared", Shape, Error,
            "The consumer reads a response body in a media type the operation does not declare for that status.";
        RESPONSE_HEADER_UNDECLARED = "shape.response.header-undeclared", Shape, Warning,
            "The consumer reads a response header the operation does not declare for that status.";
        ERROR_CODE_UNDECLARED = "errors.code-undeclared", Errors, Error,
            "The consumer handles or expects an error code the operation does not declare.";
        RETRYABILITY_MISMATCH = "errors.retryability-mismatch", Errors, Error,
            "The consumer retries an error the provider classifies as terminal or needing operator action.";
        RETRYABLE_NOT_RETRIED = "errors.retryable-not-retried", Errors, Info,
            "The consumer does not retry an error the provider classifies as retryable.";
        TAXONOMY_MISSING = "errors.taxonomy-missing", Errors, Info,
            "The consumer states how it handles errors and the operation declares no error taxonomy.";
        TIMEOUT_BELOW_ENVELOPE = "latency.timeout-below-envelope", Latency, Error,
            "The consumer's timeout is shorter than the provider's latency envelope at the stated percentile.";
        ENVELOPE_MISSING = "latency.envelope-missing", Latency, Info,
            "The consumer states a timeout and the operation declares no latency envelope.";
        CREDENTIALS_MISSING = "auth.credentials-missing", Auth, Error,
            "The operation requires credentials and the contract states none.";
        SCOPES_INSUFFICIENT = "auth.scopes-insufficient", Auth, Error,
            "The scopes the consumer holds satisfy none of the operation's security alternatives.";
        SCHEME_MISMATCH = "auth.scheme-mismatch", Auth, Warning,
            "The consumer's auth scheme is not among the schemes the operation accepts.";
        FIELD_DEPRECATED = "deprecation.field-deprecated", Deprecation, Warning,
            "The consumer reads a field the provider marks deprecated.";
        PARAMETER_DEPRECATED = "deprecation.parameter-deprecated", Deprecation, Warning,
            "The consumer sends a parameter the provider marks deprecated.";
        UNSTABLE_OPERATION = "deprecation.unstable-operation", Deprecation, Info,
            "The consumer relies on an operation whose stability level is draft, alpha or beta.";
    }
    /// Rules `vow diff` reports: changes between two versions of a provider spec.
    DIFF {
        PARAMETER_ADDED_REQUIRED = "shape.request.parameter-added-required", Shape, Error,
            "A new required parameter: requests that lack it are refused.";
        PARAMETER_BECAME_REQUIRED = "shape.request.parameter-became-required", Shape, Error,
            "An optional parameter became required.";
        PARAMETER_STYLE_CHANGED = "shape.request.style-changed", Shape, Error,
            "A parameter's serialisation (style or explode) changed, so the same value is written differently.";
        REQUEST_BODY_BECAME_REQUIRED = "shape.request.body-became-required", Shape, Error,
            "The request body became required.";
        REQUEST_FIELD_ADDED_REQUIRED = "shape.request.field-added-required", Shape, Error,
            "A new required request body field.";
        REQUEST_FIELD_BECAME_REQUIRED = "shape.request.field-became-required", Shape, Error,
            "An optional request body field became required.";
        REQUEST_TYPE_CHANGED = "shape.request.type-changed", Shape, Error,
            "A request value's type no longer accepts a type it accepted.";
        REQUEST_ENUM_VALUE_REMOVED = "shape.request.enum-value-removed", Shape, Error,
            "A request value's enum no longer accepts a value it accepted.";
        REQUEST_CONSTRAINT_TIGHTENED = "shape.request.constraint-tightened", Shape, Error,
            "A request value's bounds, length, pattern or format now reject values they accepted.";
        REQUEST_BRANCH_REMOVED = "shape.request.one-of-branch-removed", Shape, Error,
            "A oneOf / anyOf alternative of a request value is gone.";
        REQUEST_MEDIA_TYPE_REMOVED = "shape.request.media-type-removed", Shape, Error,
            "A request body media type is no longer accepted.";
        RESPONSE_STATUS_REMOVED = "shape.response.status-removed", Shape, Error,
            "A success status is no longer among the operation's responses.";
        RESPONSE_FIELD_REMOVED = "shape.response.field-removed", Shape, Error,
            "A response field is gone from the schema.";
        RESPONSE_FIELD_BECAME_OPTIONAL = "shape.response.field-became-optional", Shape, Error,
            "A required response field became optional.";
        RESPONSE_BECAME_NULLABLE = "shape.response.became-nullable", Shape, Error,
            "A response value may now be null.";
        RESPONSE_TYPE_CHANGED = "shape.response.type-changed", Shape, Error,
            "A response value may now have a type it could not have.";
        RESPONSE_ENUM_WIDENED = "shape.response.enum-widened", Shape, Error,
            "A response value's enum allows values it did not.";
        RESPONSE_BRANCH_ADDED = "shape.response.one-of-branch-added", Shape, Error,
            "A response value has a new oneOf / anyOf alternative.";
        RESPONSE_MEDIA_TYPE_REMOVED = "shape.response.media-type-removed", Shape, Error,
            "A response media type is gone.";
        RESPONSE_HEADER_REMOVED = "shape.response.header-removed", Shape, Error,
            "A required response header is gone or became optional.";
        ERROR_CODE_ADDED = "errors.code-added", Errors, Warning,
            "An operation may answer with an error code it did not declare before.";
        ERROR_CODE_REMOVED = "errors.code-removed", Errors, Error,
            "An operation no longer declares an error code (renamed or dropped).";
        RETRYABILITY_FLIPPED = "errors.retryability-flipped", Errors, Error,
            "An error code's classification changed between retryable and terminal / operator-action.";
        ERROR_STATUS_CHANGED = "errors.code-status-changed", Errors, Error,
            "An error code is answered with another status.";
        RETRY_AFTER_DROPPED = "errors.retry-after-dropped", Errors, Error,
            "A retryable error code is no longer sent with Retry-After.";
        SECURITY_ADDED = "auth.security-added", Auth, Error,
            "An open operation now requires credentials.";
        SCOPE_ADDED = "auth.scope-added", Auth, Error,
            "A security alternative now requires a scope it did not.";
        ALTERNATIVE_REMOVED = "auth.alternative-removed", Auth, Error,
            "A security alternative is gone, so credentials that satisfied only it no longer do.";
        ENVELOPE_LOOSENED = "latency.envelope-loosened", Latency, Warning,
            "The operation's latency envelope got slower at some percentile.";
        REMOVED_WITHOUT_DEPRECATION = "deprecation.removed-without-deprecation", Deprecation, Error,
            "An operation was removed without first being deprecated.";
        REMOVED_BEFORE_SUNSET = "deprecation.removed-before-sunset", Deprecation, Error,
            "A deprecated element was removed before its sunset date (or it had none).";
        REMOVED_AFTER_SUNSET = "deprecation.removed-after-sunset", Deprecation, Info,
            "A deprecated element was removed after its sunset date, as announced.";
        SUNSET_TOO_CLOSE = "deprecation.sunset-too-close", Deprecation, Error,
            "A sunset date was set or moved to fewer days ahead than the required notice.";
        SUNSET_MOVED_EARLIER = "deprecation.sunset-moved-earlier", Deprecation, Error,
            "A sunset date was moved earlier.";
        SUNSET_REMOVED = "deprecation.sunset-removed", Deprecation, Warning,
            "A deprecated operation lost its sunset date, so consumers no longer know when it goes.";
        STABILITY_DECREASED = "deprecation.stability-decreased", Deprecation, Error,
            "An operation's stability level went down (e.g. stable to beta).";
        NEWLY_DEPRECATED = "deprecation.newly-deprecated", Deprecation, Info,
            "An operation is newly deprecated.";
    }
    /// Rules `vow verify --spec` adds: live exchanges against the provider's own spec.
    VERIFY_SPEC {
        CODE_NOT_IN_SPEC = "errors.code-not-in-spec", Errors, Error,
            "An error response carries a code the operation's spec does not list, or, without a code, a status none of its codes has.";
        SPEC_CODE_MISSING = "errors.spec-code-missing", Errors, Error,
            "An error response at a status the operation's codes come with carries no code where the spec puts codes.";
        STATUS_NOT_IN_SPEC = "errors.status-not-in-spec", Errors, Error,
            "An error code came with another status than the spec's error catalogue gives it.";
        SPEC_RETRY_AFTER_MISSING = "errors.spec-retry-after-missing", Errors, Error,
            "An error the spec's catalogue says is sent with Retry-After came without it.";
        ENVELOPE_EXCEEDED = "latency.envelope-exceeded", Latency, Warning,
            "The sampled latency at a percentile of the operation's latency envelope is above the envelope.";
        OPERATION_NOT_IN_SPEC = "verify.operation-not-in-spec", Shape, Warning,
            "The interaction matches no operation of the provider spec, so nothing was checked against the spec.";
    }
    /// Rules `vow mock` reports: what consumers sent to the stub provider, and its coverage.
    MOCK {
        MOCK_UNMATCHED_REQUEST = "mock.unmatched-request", Shape, Error,
            "A request reached the mock that no interaction of the contracts matches.";
        MOCK_UNEXERCISED_INTERACTION = "mock.unexercised-interaction", Shape, Error,
            "An interaction of the contracts received no request during the run.";
        MOCK_UNEXPECTED_QUERY_PARAMETER = "mock.unexpected-query-parameter", Shape, Error,
            "The request sends a query parameter the interaction does not state.";
        MOCK_UNEXPECTED_BODY = "mock.unexpected-body", Shape, Error,
            "The request has a body and the interaction states none.";
        MOCK_UNEXPECTED_BODY_MEMBER = "mock.unexpected-body-member", Shape, Error,
            "The request body has a member the interaction's request body does not state.";
        MOCK_REQUEST_HEADER_MISSING = "mock.request-header-missing", Shape, Error,
            "A request header the interaction states is absent.";
        MOCK_REQUEST_HEADER_MISMATCH = "mock.request-header-mismatch", Shape, Error,
            "A request header the interaction states has another value.";
        MOCK_REQUEST_BODY_NOT_JSON = "mock.request-body-not-json", Shape, Error,
            "The interaction states a JSON request body and the request body does not parse as JSON.";
        MOCK_REQUEST_BODY_TOO_LARGE = "mock.request-body-too-large", Shape, Error,
            "The request body exceeded the mock's size limit and was not read to the end.";
        MOCK_AMBIGUOUS_REQUEST = "mock.ambiguous-request", Shape, Info,
            "Several interactions match the request equally well; the mock chose one by its default rule.";
    }
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
                prefix == rule.dimension.as_str() || prefix == "verify" || prefix == "mock",
                "{} does not start with its dimension",
                rule.id
            );
        }
    }
}
