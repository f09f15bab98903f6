//! Building the contract draft from a recorder's state: one interaction per operation and
//! outcome, with the first observed request, the inferred response schema, the error code, a
//! timeout suggested from the observed p99, and the credentials' scheme and scopes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::recorder::{Draft, OperationState, Outcome, Recorder, Review};
use super::template::slug;
use crate::contract::{
    AuthStatement, BodyExpectation, Contract, DEFAULT_CODE_POINTER, DeprecationStatement,
    DimensionStatements, ErrorsStatement, HandledError, HeaderExpectation, Interaction,
    LatencyStatement, Matcher, Method, Request, ResponseExpectation, Rule, SchemaCell,
};

/// The smallest timeout suggested: loopback latencies would otherwise give timeouts no network
/// could keep.
const MIN_TIMEOUT: Duration = Duration::from_millis(100);

pub(crate) fn build(recorder: Recorder) -> Draft {
    let mut review = Vec::new();
    let mut interactions = Vec::new();
    let mut ids = BTreeSet::new();
    for operation in &recorder.operations {
        let base = match &operation.operation_id {
            Some(id) => slug(&[id]),
            None => {
                let words = operation.template.words();
                let mut parts = vec![operation.method.as_str()];
                parts.extend(words.iter().map(String::as_str));
                slug(&parts)
            }
        };
        let primary = operation
            .outcomes
            .iter()
            .filter(|o| o.status < 400)
            .max_by_key(|o| o.count)
            .map(|o| o.status);
        for outcome in &operation.outcomes {
            let mut id = if Some(outcome.status) == primary {
                base.clone()
            } else {
                let status = outcome.status.to_string();
                let mut parts = vec![base.as_str(), status.as_str()];
                if let Some(code) = &outcome.code {
                    parts.push(code);
                }
                slug(&parts)
            };
            if !ids.insert(id.clone()) {
                let unique = (2..)
                    .map(|n| format!("{id}-{n}"))
                    .find(|candidate| !ids.contains(candidate))
                    .unwrap_or_default();
                ids.insert(unique.clone());
                id = unique;
            }
            interactions.push(interaction(&recorder, operation, outcome, id, &mut review));
        }
        if operation.unrecorded > 0 {
            review.push(Review {
                interaction: None,
                message: format!(
                    "{} {}: {} exchanges had outcomes beyond the first {} and were not recorded",
                    operation.method,
                    operation.template,
                    operation.unrecorded,
                    recorder.limits.max_outcomes
                ),
            });
        }
    }
    if !interactions.is_empty() {
        review.insert(
            0,
            Review {
                interaction: None,
                message: "no provider states: each request is the first one recorded and relies on \
                          the data the provider held then; add `given` states so it can be replayed \
                          against a fresh provider"
                    .to_owned(),
            },
        );
    }
    let unrecorded_operations = recorder.unrecorded
        - recorder
            .operations
            .iter()
            .map(|o| o.unrecorded)
            .sum::<u64>();
    if unrecorded_operations > 0 {
        review.push(Review {
            interaction: None,
            message: format!(
                "{unrecorded_operations} exchanges belonged to operations beyond the first {} and were not recorded",
                recorder.limits.max_operations
            ),
        });
    }
    Draft {
        contract: Contract {
            consumer: recorder.consumer.clone(),
            provider: recorder.provider.clone(),
            defaults: DimensionStatements::default(),
            interactions,
        },
        review,
        exchanges: recorder.exchanges,
        unrecorded: recorder.unrecorded,
        operations: recorder.operations.len(),
        redacted: recorder.redacted.iter().cloned().collect(),
    }
}

fn interaction(
    recorder: &Recorder,
    operation: &OperationState,
    outcome: &Outcome,
    id: String,
    review: &mut Vec<Review>,
) -> Interaction {
    let mut note = |message: String| {
        review.push(Review {
            interaction: Some(id.clone()),
            message,
        })
    };
    let example = &outcome.example;
    let mut query: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in &example.query {
        query.entry(name.clone()).or_default().push(value.clone());
    }
    if example
        .query
        .iter()
        .any(|(_, v)| v == super::redact::PLACEHOLDER)
    {
        note("a query parameter was redacted: the draft sends the placeholder; configure the real value outside the contract or drop the parameter".to_owned());
    }
    if let Some(reason) = &example.body_left_out {
        note(format!("{reason}, so the draft sends no request body"));
    }
    if example.body.as_ref().is_some_and(contains_placeholder) {
        note(
            "a request body member was redacted: the draft sends the placeholder in its place"
                .to_owned(),
        );
    }

    let mut headers = Vec::new();
    if let Some(media) = &outcome.media_type {
        headers.push(HeaderExpectation {
            name: "Content-Type".to_owned(),
            rules: vec![Rule {
                matcher: Matcher::Include {
                    value: media.clone(),
                },
            }],
        });
    } else if outcome.media_type_varies {
        note("responses came with different Content-Types; none is stated".to_owned());
    }

    let body = if outcome.inference.bodies() > 0 {
        let mut schema = outcome.inference.schema();
        if let (Some(response), Value::Object(map)) = (&example.response, &mut schema) {
            map.insert("examples".to_owned(), Value::Array(vec![response.clone()]));
        }
        match jsonschema::options().offline().build(&schema) {
            Ok(validator) => Some(BodyExpectation::Schema {
                schema,
                compiled: SchemaCell(Arc::new(validator)),
            }),
            Err(e) => {
                note(format!(
                    "the inferred body schema does not compile ({e}); no body is stated"
                ));
                None
            }
        }
    } else {
        None
    };
    if outcome.bodies_not_inferred > 0 {
        note(format!(
            "{} of {} response bodies were not inferred: {}",
            outcome.bodies_not_inferred,
            outcome.count,
            outcome.not_inferred_reason.as_deref().unwrap_or("not JSON")
        ));
    }

    let mut statements = DimensionStatements::default();
    if let Some(code) = &outcome.code {
        let retry = matches!(outcome.status, 429 | 503) && outcome.retry_after == outcome.count;
        let problem_json = outcome.media_type.as_deref() == Some("application/problem+json");
        statements.errors = Some(ErrorsStatement {
            code_pointer: DEFAULT_CODE_POINTER.to_owned(),
            handles: vec![HandledError {
                code: code.clone(),
                status: outcome.status,
                retry,
                problem_json,
            }],
        });
        note(format!(
            "errors: `{code}` ({}) is stated with retry: {retry}{}; say whether the consumer really retries it",
            outcome.status,
            if retry {
                " because every response carried Retry-After"
            } else {
                ""
            }
        ));
        if retry
            && matches!(operation.method.as_str(), "POST" | "PATCH")
            && !example
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("idempotency-key"))
        {
            note(format!(
                "a retried {} needs an Idempotency-Key header, which the recorded request lacks",
                operation.method
            ));
        }
    } else if outcome.status >= 400 {
        note(format!(
            "the {} responses carried no error code at /code; no errors block is stated",
            outcome.status
        ));
    }

    let percentiles = [50.0, 95.0, 99.0].map(|p| outcome.percentile(p));
    if let [_, _, Some(p99)] = percentiles {
        statements.latency = Some(LatencyStatement {
            timeout: suggested_timeout(p99),
            retries: None,
            deadline: None,
            percentile: 99.0,
            repeatable: false,
        });
        if outcome.latency.len() < 100 {
            note(format!(
                "latency: the timeout is suggested from {} samples, too few for an honest p99",
                outcome.latency.len()
            ));
        }
    }

    if let Some(scheme) = outcome.scheme {
        statements.auth = Some(AuthStatement {
            scheme,
            scopes: outcome.scopes.iter().cloned().collect(),
            credentials: Some(recorder.consumer.clone()),
            // Traffic shows what the token was allowed, never what the provider must refuse, so
            // the draft does not promise the 401 and 403 probes; people turn them on.
            probes: false,
        });
        note(
            "auth: probes are off in the draft; set `probes: true` once you know the provider \
             answers requests without credentials with 401 and missing scopes with 403"
                .to_owned(),
        );
        if outcome.with_credentials < outcome.count {
            note(format!(
                "auth: only {} of {} requests carried credentials",
                outcome.with_credentials, outcome.count
            ));
        }
        if outcome.scopes.is_empty() {
            note(format!(
                "auth: the token held no readable scope claim; list the scopes `{}` holds, and configure the credential set `{}`",
                recorder.consumer, recorder.consumer
            ));
        }
    }

    if outcome.deprecated > 0 {
        statements.deprecation = Some(DeprecationStatement {
            operation: true,
            fields: Vec::new(),
            parameters: Vec::new(),
            sunset: outcome.sunset,
        });
        note(format!(
            "deprecation: the provider marked the operation deprecated{}; plan the move away from it",
            outcome
                .sunset
                .map(|d| format!(" with a sunset on {d}"))
                .unwrap_or_default()
        ));
    }

    let description = describe(operation, outcome, percentiles);
    Interaction {
        id,
        description,
        given: Vec::new(),
        request: Request {
            method: Method(operation.method.clone()),
            path: example.path.clone(),
            query,
            headers: example.headers.clone(),
            body: example.body.clone(),
        },
        response: ResponseExpectation {
            status: outcome.status,
            headers,
            body,
            error: outcome.code.clone(),
        },
        statements,
    }
}

fn contains_placeholder(value: &Value) -> bool {
    match value {
        Value::String(s) => s == super::redact::PLACEHOLDER,
        Value::Array(items) => items.iter().any(contains_placeholder),
        Value::Object(members) => members.values().any(contains_placeholder),
        _ => false,
    }
}

fn describe(
    operation: &OperationState,
    outcome: &Outcome,
    percentiles: [Option<Duration>; 3],
) -> String {
    let what = match &outcome.code {
        Some(code) => format!("{} {}", outcome.status, code),
        None => outcome.status.to_string(),
    };
    let mut text = format!(
        "{} {} answered {what}: recorded {} of {} exchanges",
        operation.method, operation.template, outcome.count, operation.exchanges
    );
    if let [Some(p50), Some(p95), Some(p99)] = percentiles {
        text.push_str(&format!(
            "; observed latency p50 {}, p95 {}, p99 {} (n = {})",
            millis(p50),
            millis(p95),
            millis(p99),
            outcome.latency.len()
        ));
    }
    text
}

fn millis(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 100.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// Twice the observed p99, at least [`MIN_TIMEOUT`], rounded up to 1, 2 or 5 times a power of
/// ten milliseconds (100ms, 200ms, 500ms, 1s, 2s, …): a readable value with headroom.
pub(crate) fn suggested_timeout(p99: Duration) -> Duration {
    let wanted = (p99 * 2).max(MIN_TIMEOUT);
    let wanted_ms = wanted.as_millis().max(1);
    let mut step: u128 = 1;
    loop {
        for factor in [1, 2, 5] {
            if step * factor >= wanted_ms {
                return Duration::from_millis(u64::try_from(step * factor).unwrap_or(u64::MAX));
            }
        }
        step *= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_get_headroom_and_a_readable_value() {
        let t = |ms: u64| suggested_timeout(Duration::from_millis(ms));
        assert_eq!(t(1), Duration::from_millis(100));
        assert_eq!(t(60), Duration::from_millis(200));
        assert_eq!(t(101), Duration::from_millis(500));
        assert_eq!(t(300), Duration::from_secs(1));
        assert_eq!(t(1_200), Duration::from_secs(5));
        assert_eq!(t(30_000), Duration::from_secs(100));
    }
}
