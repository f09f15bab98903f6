//! Decoding the four behavioural blocks (errors, latency, auth, deprecation). They are stated in the
//! contract now and judged later by the errors, latency, auth and deprecation checks.

use std::time::Duration;

use serde_json::Value;

use super::reader::{Decoder, Fields, Node};
use super::rules::unescape;
use crate::contract::model::{
    AuthScheme, AuthStatement, DEFAULT_CODE_POINTER, DeprecationStatement, DimensionStatements,
    ErrorsStatement, HandledError, LatencyStatement, RetryPolicy,
};

/// Known keys of the `errors` block.
pub const ERRORS_KEYS: &[&str] = &["codePointer", "handles"];
/// Known keys of one item of `errors.handles`.
pub const HANDLED_ERROR_KEYS: &[&str] = &["code", "status", "retry", "problemJson"];
/// Known keys of the `latency` block.
pub const LATENCY_KEYS: &[&str] = &["timeout", "percentile", "retries", "deadline", "repeatable"];
/// Known keys of `latency.retries`.
pub const RETRIES_KEYS: &[&str] = &["attempts", "backoff", "multiplier", "maxBackoff"];
/// Known keys of the `auth` block.
pub const AUTH_KEYS: &[&str] = &["scheme", "scopes", "credentials", "probes"];
/// Known keys of the `deprecation` block.
pub const DEPRECATION_KEYS: &[&str] = &["operation", "fields", "parameters", "sunset"];

/// The percentiles a latency budget may be stated against.
const PERCENTILES: [f64; 5] = [50.0, 90.0, 95.0, 99.0, 99.9];
const DEFAULT_PERCENTILE: f64 = 99.0;

/// The blocks stated in `fields` (the contract's `defaults` or an interaction). Returns `None` when
/// any stated block is invalid; every problem is reported.
pub(super) fn dimension_statements(
    d: &mut Decoder,
    fields: &Fields,
) -> Option<DimensionStatements> {
    let errors = fields.get("errors").map(|n| errors(d, &n));
    let latency = fields.get("latency").map(|n| latency(d, &n));
    let auth = fields.get("auth").map(|n| auth(d, &n));
    let deprecation = fields.get("deprecation").map(|n| deprecation(d, &n));
    Some(DimensionStatements {
        errors: lift(errors)?,
        latency: lift(latency)?,
        auth: lift(auth)?,
        deprecation: lift(deprecation)?,
    })
}

fn lift<T>(read: Option<Option<T>>) -> Option<Option<T>> {
    match read {
        None => Some(None),
        Some(None) => None,
        Some(Some(v)) => Some(Some(v)),
    }
}

fn errors(d: &mut Decoder, node: &Node) -> Option<ErrorsStatement> {
    let fields = d.object(node, "an errors block", ERRORS_KEYS)?;
    let code_pointer = match fields.get("codePointer") {
        Some(n) => json_pointer(d, &n),
        None => Some(DEFAULT_CODE_POINTER.to_owned()),
    };
    let handles = d
        .required(&fields, "handles", "a non-empty list of handled errors")
        .and_then(|n| d.non_empty_list(&n, "a non-empty list of handled errors"))
        .and_then(|items| {
            let decoded: Vec<Option<HandledError>> =
                items.iter().map(|n| handled_error(d, n)).collect();
            let mut first_seen: Vec<(&str, &Node)> = Vec::new();
            let mut unique = true;
            for (item, decoded) in items.iter().zip(&decoded) {
                let Some(handled) = decoded else { continue };
                if let Some((_, first)) = first_seen.iter().find(|(code, _)| *code == handled.code)
                {
                    let code_node = item.child("code", &item.value["code"]);
                    d.mismatch_hinted(
                        &code_node,
                        "each error code once",
                        Some(format!("already handled at {}", first.pointer)),
                    );
                    unique = false;
                } else {
                    first_seen.push((&handled.code, item));
                }
            }
            let handles: Option<Vec<HandledError>> = decoded.into_iter().collect();
            handles.filter(|_| unique)
        });
    Some(ErrorsStatement {
        code_pointer: code_pointer?,
        handles: handles?,
    })
}

fn handled_error(d: &mut Decoder, node: &Node) -> Option<HandledError> {
    let fields = d.object(node, "a handled error", HANDLED_ERROR_KEYS)?;
    let code = d
        .required(
            &fields,
            "code",
            "the provider's error code, e.g. card_declined",
        )
        .and_then(|n| d.non_empty_string(&n, "the provider's error code, e.g. card_declined"));
    let status = d
        .required(&fields, "status", "an integer from 400 to 599")
        .and_then(|n| d.integer(&n, 400, 599, "an integer from 400 to 599"));
    let retry = match fields.get("retry") {
        Some(n) => d.boolean(&n),
        None => {
            let missing = fields.node.child("retry", &Value::Null);
            d.report(
                &missing,
                "true or false",
                "nothing".to_owned(),
                Some("state whether you retry this error: retryable and terminal are always explicit".to_owned()),
            );
            None
        }
    };
    let problem_json = fields.get("problemJson").map(|n| d.boolean(&n));
    Some(HandledError {
        code: code?,
        status: u16::try_from(status?).ok()?,
        retry: retry?,
        problem_json: lift(problem_json)?.unwrap_or(true),
    })
}

fn latency(d: &mut Decoder, node: &Node) -> Option<LatencyStatement> {
    let fields = d.object(node, "a latency block", LATENCY_KEYS)?;
    let timeout = d
        .required(&fields, "timeout", DURATION)
        .and_then(|n| positive_duration(d, &n));
    let percentile = match fields.get("percentile") {
        Some(n) => percentile(d, &n),
        None => Some(DEFAULT_PERCENTILE),
    };
    let retries = fields.get("retries").map(|n| retries(d, &n));
    let deadline = fields.get("deadline").map(|n| positive_duration(d, &n));
    let repeatable = fields.get("repeatable").map(|n| d.boolean(&n));
    Some(LatencyStatement {
        timeout: timeout?,
        retries: lift(retries)?,
        deadline: lift(deadline)?,
        percentile: percentile?,
        repeatable: lift(repeatable)?.unwrap_or(false),
    })
}

fn percentile(d: &mut Decoder, node: &Node) -> Option<f64> {
    const EXPECTED: &str = "one of the percentiles 50, 90, 95, 99, 99.9";
    match node.value.as_f64() {
        Some(p) if PERCENTILES.contains(&p) => Some(p),
        _ => {
            d.mismatch(node, EXPECTED);
            None
        }
    }
}

fn retries(d: &mut Decoder, node: &Node) -> Option<RetryPolicy> {
    let fields = d.object(node, "a retry policy", RETRIES_KEYS)?;
    let attempts = d
        .required(&fields, "attempts", "an integer from 0 to 10")
        .and_then(|n| d.integer(&n, 0, 10, "an integer from 0 to 10"));
    let backoff = d
        .required(&fields, "backoff", DURATION)
        .and_then(|n| duration(d, &n));
    let multiplier = fields.get("multiplier").map(|n| match n.value.as_f64() {
        Some(m) if m >= 1.0 => Some(m),
        _ => {
            d.mismatch(&n, "a number of at least 1");
            None
        }
    });
    let max_backoff = fields.get("maxBackoff").map(|n| duration(d, &n));
    Some(RetryPolicy {
        attempts: u32::try_from(attempts?).ok()?,
        backoff: backoff?,
        multiplier: lift(multiplier)?.unwrap_or(1.0),
        max_backoff: lift(max_backoff)?,
    })
}

const DURATION: &str = "a duration such as 800ms, 2s or 1m 30s";

fn duration(d: &mut Decoder, node: &Node) -> Option<Duration> {
    let Value::String(text) = node.value else {
        let hint = node
            .value
            .is_number()
            .then(|| format!("add a unit, e.g. {}ms", node.value));
        d.mismatch_hinted(node, DURATION, hint);
        return None;
    };
    match humantime::parse_duration(text) {
        Ok(duration) => Some(duration),
        Err(e) => {
            let hint = match e {
                humantime::DurationError::UnknownUnit { .. } => e.to_string(),
                humantime::DurationError::NumberOverflow => "the duration is too long".to_owned(),
                _ => "write numbers with units, e.g. 800ms or 1m 30s".to_owned(),
            };
            d.mismatch_hinted(node, DURATION, Some(hint));
            None
        }
    }
}

fn positive_duration(d: &mut Decoder, node: &Node) -> Option<Duration> {
    let duration = duration(d, node)?;
    if duration.is_zero() {
        d.mismatch_hinted(node, "a duration longer than zero", None);
        return None;
    }
    Some(duration)
}

fn auth(d: &mut Decoder, node: &Node) -> Option<AuthStatement> {
    let fields = d.object(node, "an auth block", AUTH_KEYS)?;
    let scheme = d
        .required(
            &fields,
            "scheme",
            "an auth scheme (bearer, oauth2, apiKey or basic)",
        )
        .and_then(|n| d.name_in(&n, &AuthScheme::NAMES, "an auth scheme"))
        .map(|name| match name {
            "oauth2" => AuthScheme::Oauth2,
            "apiKey" => AuthScheme::ApiKey,
            "basic" => AuthScheme::Basic,
            _ => AuthScheme::Bearer,
        });
    let scopes = fields
        .get("scopes")
        .map(|n| d.strings(&n, "a list of scope names", "a scope name"));
    let credentials = fields.get("credentials").map(|n| {
        d.non_empty_string(
            &n,
            "the name of a credential set configured outside the contract",
        )
    });
    let probes = fields.get("probes").map(|n| d.boolean(&n));
    Some(AuthStatement {
        scheme: scheme?,
        scopes: lift(scopes)?.unwrap_or_default(),
        credentials: lift(credentials)?,
        probes: lift(probes)?.unwrap_or(true),
    })
}

fn deprecation(d: &mut Decoder, node: &Node) -> Option<DeprecationStatement> {
    let fields = d.object(node, "a deprecation block", DEPRECATION_KEYS)?;
    let operation = fields.get("operation").map(|n| d.boolean(&n));
    let field_pointers = fields.get("fields").map(|n| {
        let items = d.list(&n, "a list of JSON pointers to response fields")?;
        let pointers: Vec<Option<String>> =
            items.iter().map(|item| json_pointer(d, item)).collect();
        pointers.into_iter().collect::<Option<Vec<String>>>()
    });
    let parameters = fields
        .get("parameters")
        .map(|n| d.strings(&n, "a list of parameter names", "a parameter name"));
    let sunset = fields.get("sunset").map(|n| sunset(d, &n));
    Some(DeprecationStatement {
        operation: lift(operation)?.unwrap_or(false),
        fields: lift(field_pointers)?.unwrap_or_default(),
        parameters: lift(parameters)?.unwrap_or_default(),
        sunset: lift(sunset)?,
    })
}

fn sunset(d: &mut Decoder, node: &Node) -> Option<chrono::NaiveDate> {
    const EXPECTED: &str = "a date written YYYY-MM-DD";
    let parsed = match node.value {
        Value::String(s) if s.len() == 10 => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(),
        _ => None,
    };
    if parsed.is_none() {
        d.mismatch(node, EXPECTED);
    }
    parsed
}

/// A JSON pointer into a body: starts with `/`, escapes well-formed.
fn json_pointer(d: &mut Decoder, node: &Node) -> Option<String> {
    const EXPECTED: &str = "a JSON pointer such as /code";
    let text = d.string(node, EXPECTED)?;
    let well_formed = text.starts_with('/') && text.split('/').all(|s| unescape(s).is_some());
    if !well_formed {
        let hint = (!text.starts_with('/')).then(|| format!("JSON pointers start with /: /{text}"));
        d.mismatch_hinted(node, EXPECTED, hint);
        return None;
    }
    Some(text)
}
