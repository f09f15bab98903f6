//! Decoding a JSON value into the contract model, collecting every problem with its location.
//!
//! The walk is written by hand rather than derived with serde because serde stops at the first
//! error, and a contract author deserves the whole list at once.

mod reader;
mod rules;
mod statements;

use std::collections::BTreeMap;

use serde_json::Value;

use self::reader::{Decoder, Fields, Node, describe, quote};
use super::diagnostic::{ContractError, Problem};
use super::model::{
    Contract, DimensionStatements, ErrorsStatement, FORMAT_VERSION, Interaction, Method,
    ProviderState, Request, ResponseExpectation,
};
pub use super::source::SourceFormat;
use super::source::{SourceMap, read_source};

pub use self::rules::{BODY_KEYS, GENERATORS, MATCHERS};
pub use self::statements::{
    AUTH_KEYS, DEPRECATION_KEYS, ERRORS_KEYS, HANDLED_ERROR_KEYS, LATENCY_KEYS, RETRIES_KEYS,
};

/// Known keys of the top-level contract object.
pub const CONTRACT_KEYS: &[&str] = &["vow", "consumer", "provider", "defaults", "interactions"];
/// Known keys of `defaults`.
pub const DEFAULTS_KEYS: &[&str] = &["errors", "latency", "auth", "deprecation"];
/// Known keys of an interaction.
pub const INTERACTION_KEYS: &[&str] = &[
    "id",
    "description",
    "given",
    "request",
    "response",
    "errors",
    "latency",
    "auth",
    "deprecation",
];
/// Known keys of a provider state written as an object.
pub const PROVIDER_STATE_KEYS: &[&str] = &["state", "params"];
/// Known keys of a request.
pub const REQUEST_KEYS: &[&str] = &["method", "path", "query", "headers", "body"];
/// Known keys of a response expectation.
pub const RESPONSE_KEYS: &[&str] = &["status", "headers", "body", "error"];

/// Every closed object kind of the format, by its name under `$defs` in
/// docs/contract-format.schema.json, with the keys it may hold. Unknown-key detection uses the same
/// lists, and a test keeps them equal to the schema.
pub fn known_keys() -> Vec<(&'static str, &'static [&'static str])> {
    let mut kinds: Vec<(&'static str, &'static [&'static str])> = vec![
        ("Contract", CONTRACT_KEYS),
        ("Defaults", DEFAULTS_KEYS),
        ("Interaction", INTERACTION_KEYS),
        ("ProviderState", PROVIDER_STATE_KEYS),
        ("Request", REQUEST_KEYS),
        ("Response", RESPONSE_KEYS),
        ("Body", BODY_KEYS),
        ("Errors", ERRORS_KEYS),
        ("HandledError", HANDLED_ERROR_KEYS),
        ("Latency", LATENCY_KEYS),
        ("Retries", RETRIES_KEYS),
        ("Auth", AUTH_KEYS),
        ("Deprecation", DEPRECATION_KEYS),
    ];
    kinds.extend(MATCHERS.iter().map(|(_, kind, keys)| (*kind, *keys)));
    kinds.extend(GENERATORS.iter().map(|(_, kind, keys)| (*kind, *keys)));
    kinds
}

/// HTTP methods a request may use.
const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// Request headers that carry credentials. Secrets never go in contract files.
const CREDENTIAL_HEADERS: &[&str] = &["authorization", "proxy-authorization", "cookie"];

const NAME_PATTERN: &str = "^[a-z0-9][a-z0-9._-]*$";

/// Parses a contract from `text`. `origin` names the source in errors (usually the file path).
pub fn parse_contract(
    origin: &str,
    text: &str,
    format: SourceFormat,
) -> Result<Contract, ContractError> {
    let document = read_source(text, format).map_err(|problems| ContractError {
        origin: origin.to_owned(),
        problems,
    })?;
    decode_with_positions(origin, &document.value, &document.map)
}

/// Decodes a contract already read into a JSON value (for example one embedded in a larger
/// fixture). Problems carry JSON pointers but no positions.
pub fn decode_contract(origin: &str, value: &Value) -> Result<Contract, ContractError> {
    decode_with_positions(origin, value, &SourceMap::default())
}

fn decode_with_positions(
    origin: &str,
    value: &Value,
    map: &SourceMap,
) -> Result<Contract, ContractError> {
    let mut d = Decoder::new(map);
    let contract = contract(&mut d, &Node::root(value));
    let mut problems = d.finish();
    match contract {
        Some(contract) if problems.is_empty() => Ok(contract),
        _ => {
            if problems.is_empty() {
                // Every path that yields no contract reports why; this keeps a bug from hiding.
                problems.push(Problem {
                    pointer: String::new(),
                    position: None,
                    expected: "a contract".to_owned(),
                    found: "a document vow could not decode".to_owned(),
                    hint: None,
                });
            }
            Err(ContractError {
                origin: origin.to_owned(),
                problems,
            })
        }
    }
}

fn contract(d: &mut Decoder, root: &Node) -> Option<Contract> {
    if !root.value.is_object() {
        d.mismatch(
            root,
            "a contract (an object with vow, consumer, provider and interactions)",
        );
        return None;
    }
    // A file of another format version may mean other things by the same keys: report only that.
    if let Some(version) = root.value.get("vow") {
        let node = root.child("vow", version);
        if reader::as_integer(version).and_then(|v| u64::try_from(v).ok()) != Some(FORMAT_VERSION) {
            let hint = match version {
                Value::String(_) => format!("write `vow: {FORMAT_VERSION}`, without quotes"),
                _ => format!("this vow reads contract format {FORMAT_VERSION}"),
            };
            d.report(&node, "the format version 1", describe(version), Some(hint));
            return None;
        }
    }
    let fields = d.object(root, "a contract", CONTRACT_KEYS)?;
    if !fields.has("vow") {
        let node = root.child("vow", &Value::Null);
        d.report(
            &node,
            "the format version 1",
            "nothing".to_owned(),
            Some("add `vow: 1` as the first line".to_owned()),
        );
    }
    let consumer = service_name(d, &fields, "consumer");
    let provider = service_name(d, &fields, "provider");
    let defaults = match fields.get("defaults") {
        Some(node) => d
            .object(&node, "a defaults block", DEFAULTS_KEYS)
            .and_then(|f| statements::dimension_statements(d, &f)),
        None => Some(DimensionStatements::default()),
    };
    let interactions = interactions(d, &fields, defaults.as_ref());
    Some(Contract {
        consumer: consumer?,
        provider: provider?,
        defaults: defaults?,
        interactions: interactions?,
    })
}

fn service_name(d: &mut Decoder, fields: &Fields, key: &str) -> Option<String> {
    let node = d.required(
        fields,
        key,
        &format!("a service name matching {NAME_PATTERN}"),
    )?;
    name(d, &node, &format!("a service name matching {NAME_PATTERN}"))
}

/// A lowercase name: service names and interaction ids.
fn name(d: &mut Decoder, node: &Node, expected: &str) -> Option<String> {
    let text = d.string(node, expected)?;
    let mut chars = text.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !valid {
        let suggestion = text.trim().to_lowercase().replace([' ', '/'], "-");
        d.mismatch_hinted(
            node,
            expected,
            Some(format!(
                "use lowercase letters, digits, '.', '_' and '-', e.g. {}",
                quote(&suggestion)
            )),
        );
        return None;
    }
    Some(text)
}

fn interactions(
    d: &mut Decoder,
    fields: &Fields,
    defaults: Option<&DimensionStatements>,
) -> Option<Vec<Interaction>> {
    const EXPECTED: &str = "a non-empty list of interactions";
    let node = d.required(fields, "interactions", EXPECTED)?;
    let items = d.non_empty_list(&node, EXPECTED)?;
    let decoded: Vec<Option<Interaction>> = items
        .iter()
        .map(|item| interaction(d, item, defaults))
        .collect();
    // Ids are compared as written, even in interactions that have other problems.
    let mut first_seen: BTreeMap<&str, &str> = BTreeMap::new();
    let mut unique = true;
    for item in &items {
        let Some(id @ Value::String(text)) = item.value.get("id") else {
            continue;
        };
        match first_seen.get(text.as_str()) {
            Some(first) => {
                d.report(
                    &item.child("id", id),
                    "an id unique in the contract",
                    describe(id),
                    Some(format!("{} is already the id of {first}", quote(text))),
                );
                unique = false;
            }
            None => {
                first_seen.insert(text, &item.pointer);
            }
        }
    }
    let interactions: Option<Vec<Interaction>> = decoded.into_iter().collect();
    interactions.filter(|_| unique)
}

/// `defaults` is `None` when the contract's defaults block is invalid (and already reported).
fn interaction(
    d: &mut Decoder,
    node: &Node,
    defaults: Option<&DimensionStatements>,
) -> Option<Interaction> {
    let fields = d.object(node, "an interaction", INTERACTION_KEYS)?;
    let id_expected = format!("an interaction id matching {NAME_PATTERN}");
    let id = d
        .required(&fields, "id", &id_expected)
        .and_then(|n| name(d, &n, &id_expected));
    let description = d
        .required(&fields, "description", "a non-empty description")
        .and_then(|n| d.non_empty_string(&n, "a non-empty description"));
    let given = match fields.get("given") {
        Some(n) => provider_states(d, &n),
        None => Some(Vec::new()),
    };
    let request = d
        .required(&fields, "request", "a request")
        .and_then(|n| request(d, &n));
    let response = d
        .required(&fields, "response", "a response")
        .and_then(|n| response(d, &n));
    let statements = statements::dimension_statements(d, &fields);
    let response = response?;
    let statements = statements?;
    // The code must be one the effective errors block handles: the interaction's own, else the
    // contract's default. An invalid defaults block was reported already; judging against it
    // would only add noise.
    let errors = match (&statements.errors, defaults) {
        (Some(own), _) => Some(Some(own)),
        (None, Some(defaults)) => Some(defaults.errors.as_ref()),
        (None, None) => None,
    };
    if let (Some(code), Some(errors)) = (&response.error, errors) {
        let response_node = fields.get("response")?;
        if !expected_error(d, &response_node, code, response.status, errors) {
            return None;
        }
    }
    Some(Interaction {
        id: id?,
        description: description?,
        given: given?,
        request: request?,
        response,
        statements,
    })
}

fn provider_states(d: &mut Decoder, node: &Node) -> Option<Vec<ProviderState>> {
    let items = d.list(node, "a list of provider states")?;
    let decoded: Vec<Option<ProviderState>> = items
        .iter()
        .map(|item| match item.value {
            Value::String(_) => {
                d.non_empty_string(item, "a provider state")
                    .map(|state| ProviderState {
                        state,
                        params: serde_json::Map::new(),
                    })
            }
            Value::Object(_) => {
                let fields = d.object(item, "a provider state", PROVIDER_STATE_KEYS)?;
                let state = d
                    .required(&fields, "state", "the name of a provider state")
                    .and_then(|n| d.non_empty_string(&n, "the name of a provider state"));
                let params = match fields.get("params") {
                    Some(n) => match n.value {
                        Value::Object(map) => Some(map.clone()),
                        _ => {
                            d.mismatch(&n, "an object of state parameters");
                            None
                        }
                    },
                    None => Some(serde_json::Map::new()),
                };
                Some(ProviderState {
                    state: state?,
                    params: params?,
                })
            }
            _ => {
                d.mismatch(
                    item,
                    "a provider state (a string, or an object with state and params)",
                );
                None
            }
        })
        .collect();
    decoded.into_iter().collect()
}

fn request(d: &mut Decoder, node: &Node) -> Option<Request> {
    let fields = d.object(node, "a request", REQUEST_KEYS)?;
    let method = d
        .required(&fields, "method", "an HTTP method")
        .and_then(|n| method(d, &n));
    let path = d
        .required(&fields, "path", "a path starting with /")
        .and_then(|n| path(d, &n));
    let query = match fields.get("query") {
        Some(n) => query(d, &n),
        None => Some(BTreeMap::new()),
    };
    let headers = match fields.get("headers") {
        Some(n) => request_headers(d, &n),
        None => Some(Vec::new()),
    };
    let body = fields.get("body").map(|n| n.value.clone());
    Some(Request {
        method: method?,
        path: path?,
        query: query?,
        headers: headers?,
        body,
    })
}

fn method(d: &mut Decoder, node: &Node) -> Option<Method> {
    const EXPECTED: &str = "an HTTP method: GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS";
    let text = d.string(node, EXPECTED)?;
    if METHODS.contains(&text.as_str()) {
        return Some(Method(text));
    }
    let upper = text.to_ascii_uppercase();
    let hint = if METHODS.contains(&upper.as_str()) {
        Some(format!("write it in uppercase: {upper}"))
    } else {
        reader::suggest(&text, METHODS).map(|close| format!("did you mean {close}?"))
    };
    d.mismatch_hinted(node, EXPECTED, hint);
    None
}

fn path(d: &mut Decoder, node: &Node) -> Option<String> {
    const EXPECTED: &str = "a path starting with /";
    let text = d.string(node, EXPECTED)?;
    if !text.starts_with('/') {
        d.mismatch_hinted(node, EXPECTED, Some(format!("write /{text}")));
        return None;
    }
    if text.contains('?') {
        d.mismatch_hinted(
            node,
            "a path without a query string",
            Some("put the query under `query`".to_owned()),
        );
        return None;
    }
    Some(text)
}

/// A scalar as the text sent on the wire.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn query(d: &mut Decoder, node: &Node) -> Option<BTreeMap<String, Vec<String>>> {
    const VALUE: &str = "a string, number or boolean, or a list of them";
    let fields = d.free_object(node, "an object of query parameters")?;
    let mut query = BTreeMap::new();
    let mut ok = true;
    for (name, value) in d.entries(&fields) {
        let values = match value.value {
            Value::Array(items) => {
                let texts: Vec<Option<String>> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let text = scalar_text(item);
                        if text.is_none() {
                            d.mismatch(
                                &value.child(&i.to_string(), item),
                                "a string, number or boolean",
                            );
                        }
                        text
                    })
                    .collect();
                texts.into_iter().collect()
            }
            scalar => {
                let text = scalar_text(scalar).map(|t| vec![t]);
                if text.is_none() {
                    d.mismatch(&value, VALUE);
                }
                text
            }
        };
        match values {
            Some(values) => {
                query.insert(name.clone(), values);
            }
            None => ok = false,
        }
    }
    ok.then_some(query)
}

fn request_headers(d: &mut Decoder, node: &Node) -> Option<Vec<(String, String)>> {
    let fields = d.free_object(node, "an object of header names to values")?;
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut ok = true;
    for (name, value) in d.entries(&fields) {
        if CREDENTIAL_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            d.report_key(
                &value,
                "a header without credentials",
                format!("the header {}", quote(name)),
                Some(
                    "secrets never go in contract files: state an `auth` block and configure the \
                     credentials outside the contract"
                        .to_owned(),
                ),
            );
            ok = false;
            continue;
        }
        if headers
            .iter()
            .any(|(seen, _)| seen.eq_ignore_ascii_case(name))
        {
            d.report_key(
                &value,
                "each header once (header names ignore case)",
                format!("the header {} again", quote(name)),
                None,
            );
            ok = false;
            continue;
        }
        match scalar_text(value.value) {
            Some(text) => headers.push((name.clone(), text)),
            None => {
                d.mismatch(&value, "a header value (a string)");
                ok = false;
            }
        }
    }
    ok.then_some(headers)
}

fn response(d: &mut Decoder, node: &Node) -> Option<ResponseExpectation> {
    const STATUS: &str = "an integer from 100 to 599";
    let fields = d.object(node, "a response", RESPONSE_KEYS)?;
    let status = d
        .required(&fields, "status", STATUS)
        .and_then(|n| d.integer(&n, 100, 599, STATUS));
    let headers = match fields.get("headers") {
        Some(n) => rules::header_expectations(d, &n),
        None => Some(Vec::new()),
    };
    let body = fields.get("body").map(|n| rules::body_expectation(d, &n));
    // Whether the code is one the consumer handles is checked once the contract's defaults are
    // known (see `expected_error`).
    let error = fields
        .get("error")
        .map(|n| d.non_empty_string(&n, "an error code, e.g. card_declined"));
    Some(ResponseExpectation {
        status: u16::try_from(status?).ok()?,
        headers: headers?,
        body: match body {
            None => None,
            Some(body) => Some(body?),
        },
        error: match error {
            None => None,
            Some(error) => Some(error?),
        },
    })
}

/// Checks `response.error` against the codes the effective errors block handles, and the
/// response's status against the status the block states for that code.
fn expected_error(
    d: &mut Decoder,
    response: &Node,
    code: &str,
    status: u16,
    errors: Option<&ErrorsStatement>,
) -> bool {
    let node = response.child("error", &response.value["error"]);
    let Some(errors) = errors else {
        d.mismatch_hinted(
            &node,
            "an error code listed in errors.handles",
            Some(format!(
                "add an `errors` block (to the interaction, or under `defaults`) that handles {}",
                quote(code)
            )),
        );
        return false;
    };
    let codes: Vec<&str> = errors.handles.iter().map(|h| h.code.as_str()).collect();
    let Some(handled) = errors.handles.iter().find(|h| h.code == code) else {
        let hint = match reader::suggest(code, &codes) {
            Some(close) => format!("did you mean {}?", quote(close)),
            None => format!("add {} to errors.handles", quote(code)),
        };
        d.mismatch_hinted(
            &node,
            &format!(
                "an error code the interaction handles ({})",
                codes.join(", ")
            ),
            Some(hint),
        );
        return false;
    };
    // The consumer states one status per code; an interaction that expects the code with another
    // status contradicts its own contract.
    if handled.status != status {
        let status_node = response.child("status", &response.value["status"]);
        d.mismatch_hinted(
            &status_node,
            &format!(
                "the status errors.handles states for {} ({})",
                quote(code),
                handled.status
            ),
            Some(format!(
                "write status: {}, or correct errors.handles",
                handled.status
            )),
        );
        return false;
    }
    true
}
