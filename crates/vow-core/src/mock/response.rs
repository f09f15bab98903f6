//! The response the mock answers an interaction with: the stated status, the stated headers (a
//! rule's value where a rule gives one: `equals`, `include`, the first of `oneOf`, a string a
//! `regex` matches, the current date for `date` / `time` / `datetime`), and the body: the example
//! (with its generators applied), or for a body judged by a schema, the schema's `examples`,
//! `example`, `default`, `const` or first `enum` value, else a minimal valid instance.

use rand::Rng;
use serde_json::{Map, Value};

use super::generate::Generation;
use crate::contract::{BodyExpectation, Contract, HeaderExpectation, Interaction, Matcher};

/// A response as the mock sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Whether every response of the interaction is the same, so it can be built once: nothing in it
/// is generated per request.
pub fn is_fixed(interaction: &Interaction) -> bool {
    interaction
        .response
        .headers
        .iter()
        .all(|h| header_value_is_fixed(h))
}

/// Builds the response for `interaction`.
pub fn build_response<R: Rng + ?Sized>(
    contract: &Contract,
    interaction: &Interaction,
    generation: &mut Generation<'_, R>,
) -> MockResponse {
    let expected = &interaction.response;
    let mut headers: Vec<(String, String)> = Vec::new();
    for h in &expected.headers {
        if let Some(value) = header_value(h, generation) {
            headers.push((h.name.clone(), value));
        }
    }
    let error = expected.error.as_deref().and_then(|code| {
        contract.effective(interaction).errors.map(|block| {
            let problem_json = block
                .handles
                .iter()
                .find(|h| h.code == code)
                .is_none_or(|h| h.problem_json);
            (code.to_owned(), block.code_pointer, problem_json)
        })
    });
    let body: Option<Value> = match &expected.body {
        Some(BodyExpectation::Example {
            example: Some(example),
            ..
        }) => Some(example.clone()),
        Some(BodyExpectation::Schema { schema, .. }) => {
            Some(instance_of(schema, schema, generation, 0))
        }
        Some(BodyExpectation::Example { example: None, .. }) | None => None,
    };
    let body = match (body, &error) {
        (Some(mut body), Some((code, pointer, _))) => {
            put_code(&mut body, pointer, code);
            Some(body)
        }
        (None, Some((code, pointer, _))) => {
            let mut body = Value::Object(Map::new());
            body["status"] = Value::from(expected.status);
            put_code(&mut body, pointer, code);
            Some(body)
        }
        (body, None) => body,
    };
    let bytes = match &body {
        Some(v) => serde_json::to_vec(v).unwrap_or_default(),
        None => Vec::new(),
    };
    if body.is_some()
        && !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
    {
        let media_type = match &error {
            Some((_, _, true)) => "application/problem+json",
            _ => "application/json",
        };
        headers.push(("Content-Type".to_owned(), media_type.to_owned()));
    }
    MockResponse {
        status: expected.status,
        headers,
        body: bytes,
    }
}

/// Puts `code` at `pointer` when nothing is there yet and the parents are objects (or absent).
pub(crate) fn put_code(body: &mut Value, pointer: &str, code: &str) {
    if body.pointer(pointer).is_some() {
        return;
    }
    let mut at = body;
    let segments: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    for (i, segment) in segments.iter().enumerate() {
        let Value::Object(map) = at else { return };
        if i + 1 == segments.len() {
            map.insert(segment.clone(), Value::String(code.to_owned()));
            return;
        }
        at = map
            .entry(segment.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

fn header_value_is_fixed(h: &HeaderExpectation) -> bool {
    !h.rules.iter().any(|r| {
        matches!(
            r.matcher,
            Matcher::Regex { .. }
                | Matcher::Date { .. }
                | Matcher::Time { .. }
                | Matcher::Datetime { .. }
        )
    }) || h.rules.iter().any(|r| fixed_text(&r.matcher).is_some())
}

/// The value a header's rules give, if any does.
fn header_value<R: Rng + ?Sized>(
    h: &HeaderExpectation,
    generation: &mut Generation<'_, R>,
) -> Option<String> {
    if let Some(text) = h.rules.iter().find_map(|r| fixed_text(&r.matcher)) {
        return Some(text);
    }
    h.rules.iter().find_map(|r| match &r.matcher {
        Matcher::Regex { compiled, .. } => generation.regex(&compiled.0),
        Matcher::Date { format } => generation.date(format.as_deref()),
        Matcher::Time { format } => generation.time(format.as_deref()),
        Matcher::Datetime { format } => generation.datetime(format.as_deref()),
        _ => None,
    })
}

fn fixed_text(matcher: &Matcher) -> Option<String> {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match matcher {
        Matcher::Equals { value } => Some(text(value)),
        Matcher::Include { value } => Some(value.clone()),
        Matcher::OneOf { values } => values.first().map(text),
        _ => None,
    }
}

/// How deep a schema is followed (through `$ref`s, properties and items) before answering `null`.
const MAX_DEPTH: usize = 24;

/// A value valid under `schema` (within reason: the common keywords), preferring the values the
/// schema itself offers.
fn instance_of<R: Rng + ?Sized>(
    schema: &Value,
    root: &Value,
    generation: &mut Generation<'_, R>,
    depth: usize,
) -> Value {
    let Value::Object(s) = schema else {
        // `true` (anything) or `false` (nothing): null is as good as anything.
        return Value::Null;
    };
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    if let Some(Value::Array(examples)) = s.get("examples")
        && let Some(first) = examples.first()
    {
        return first.clone();
    }
    for key in ["example", "default", "const"] {
        if let Some(v) = s.get(key) {
            return v.clone();
        }
    }
    if let Some(Value::Array(values)) = s.get("enum")
        && let Some(first) = values.first()
    {
        return first.clone();
    }
    if let Some(Value::String(reference)) = s.get("$ref") {
        let target = reference
            .strip_prefix('#')
            .and_then(|pointer| root.pointer(pointer));
        return match target {
            Some(target) => instance_of(target, root, generation, depth + 1),
            None => Value::Null,
        };
    }
    if let Some(Value::Array(all)) = s.get("allOf") {
        let mut merged = Value::Null;
        for part in all {
            let v = instance_of(part, root, generation, depth + 1);
            match (&mut merged, v) {
                (Value::Object(m), Value::Object(v)) => m.extend(v),
                (slot @ Value::Null, v) => *slot = v,
                _ => {}
            }
        }
        if !merged.is_null() {
            return merged;
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(branches)) = s.get(key)
            && let Some(first) = branches.first()
        {
            return instance_of(first, root, generation, depth + 1);
        }
    }
    let ty = match s.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if s.contains_key("properties") => "object",
        _ if s.contains_key("items") => "array",
        _ => "null",
    };
    let number = |key: &str| s.get(key).and_then(Value::as_f64);
    match ty {
        "object" => {
            let mut out = Map::new();
            let properties = s.get("properties").and_then(Value::as_object);
            for name in s
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                let property = properties
                    .and_then(|p| p.get(name))
                    .unwrap_or(&Value::Bool(true));
                out.insert(
                    name.to_owned(),
                    instance_of(property, root, generation, depth + 1),
                );
            }
            Value::Object(out)
        }
        "array" => {
            let count = number("minItems").unwrap_or(0.0).clamp(0.0, 64.0) as usize;
            let item = s.get("items").unwrap_or(&Value::Bool(true));
            Value::Array(
                (0..count)
                    .map(|_| instance_of(item, root, generation, depth + 1))
                    .collect(),
            )
        }
        "string" => Value::String(string_instance(s, generation)),
        "integer" => {
            let low = number("minimum")
                .map(f64::ceil)
                .or(number("exclusiveMinimum").map(|m| m.floor() + 1.0))
                .unwrap_or(0.0);
            let high = number("maximum").or(number("exclusiveMaximum").map(|m| m.ceil() - 1.0));
            let v = match high {
                Some(h) if h < low => h,
                _ => low,
            };
            Value::from(v as i64)
        }
        "number" => Value::from(
            number("minimum")
                .or(number("exclusiveMinimum").map(|m| m + 1.0))
                .unwrap_or(0.0),
        ),
        "boolean" => Value::Bool(false),
        _ => Value::Null,
    }
}

fn string_instance<R: Rng + ?Sized>(
    s: &Map<String, Value>,
    generation: &mut Generation<'_, R>,
) -> String {
    let generated = match s.get("format").and_then(Value::as_str) {
        Some("date") => generation.date(None),
        Some("date-time") => generation.datetime(None),
        Some("time") => generation.time(None),
        Some("uuid") => Some(generation.uuid()),
        _ => None,
    };
    if let Some(text) = generated {
        return text;
    }
    if let Some(pattern) = s.get("pattern").and_then(Value::as_str)
        && let Ok(re) = regex::Regex::new(pattern)
        && let Some(text) = generation.regex(&re)
    {
        return text;
    }
    let min = s
        .get("minLength")
        .and_then(Value::as_u64)
        .unwrap_or(0)
        .min(4096) as usize;
    "x".repeat(min)
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::contract::{SourceFormat, parse_contract};

    fn respond(yaml: &str) -> MockResponse {
        let contract = parse_contract("c.yaml", yaml, SourceFormat::Yaml).expect("contract");
        let mut rng = StdRng::seed_from_u64(1);
        let now = DateTime::parse_from_rfc3339("2026-11-21T10:05:00Z")
            .expect("time")
            .with_timezone(&Utc);
        build_response(
            &contract,
            &contract.interactions[0],
            &mut Generation { rng: &mut rng, now },
        )
    }

    fn contract(response: &str) -> String {
        format!(
            "vow: 1\nconsumer: web\nprovider: shop\ninteractions:\n  - id: i\n    description: d\n    request: {{method: GET, path: /x}}\n    response:\n{response}"
        )
    }

    fn body(r: &MockResponse) -> Value {
        serde_json::from_slice(&r.body).expect("JSON body")
    }

    #[test]
    fn an_example_is_answered_with_its_status_and_headers() {
        let r = respond(&contract(
            "      status: 201\n      headers:\n        Location: {match: regex, regex: \"/carts/c-[0-9]+\"}\n        X-Mode: [{match: include, value: fast}]\n      body:\n        example: {id: c-1, items: []}\n",
        ));
        assert_eq!(r.status, 201);
        assert_eq!(body(&r), serde_json::json!({"id": "c-1", "items": []}));
        assert_eq!(r.headers[1], ("X-Mode".into(), "fast".into()));
        assert_eq!(
            r.headers[2],
            ("Content-Type".into(), "application/json".into())
        );
        assert!(
            regex::Regex::new("^/carts/c-[0-9]+$")
                .expect("regex")
                .is_match(&r.headers[0].1),
            "{:?}",
            r.headers
        );
    }

    #[test]
    fn an_error_carries_its_code_as_problem_details() {
        let yaml = "vow: 1\nconsumer: web\nprovider: shop\ndefaults:\n  errors:\n    codePointer: /error/code\n    handles: [{code: gone, status: 410, retry: false}]\ninteractions:\n  - id: i\n    description: d\n    request: {method: GET, path: /x}\n    response: {status: 410, error: gone}\n";
        let r = respond(yaml);
        assert_eq!(r.status, 410);
        assert_eq!(
            body(&r),
            serde_json::json!({"status": 410, "error": {"code": "gone"}})
        );
        assert_eq!(
            r.headers,
            vec![("Content-Type".into(), "application/problem+json".into())]
        );
    }

    #[test]
    fn a_schema_body_is_answered_with_a_valid_instance() {
        let r = respond(&contract(
            r##"      status: 200
      body:
        schema:
          type: object
          required: [id, total, tags, created, kind, ref]
          properties:
            id: {type: string, pattern: "c-[0-9]{3}"}
            total: {type: integer, minimum: 3}
            tags: {type: array, minItems: 2, items: {type: string, minLength: 2}}
            created: {type: string, format: date-time}
            kind: {enum: [a, b]}
            ref: {$ref: "#/$defs/Money"}
            optional: {type: string}
          $defs:
            Money: {type: object, required: [amount], properties: {amount: {type: string, examples: ["1.00"]}}}
"##,
        ));
        let b = body(&r);
        assert!(
            regex::Regex::new("^c-[0-9]{3}$")
                .expect("re")
                .is_match(b["id"].as_str().expect("id"))
        );
        assert_eq!(b["total"], 3);
        assert_eq!(b["tags"], serde_json::json!(["xx", "xx"]));
        assert_eq!(b["created"], "2026-11-21T10:05:00Z");
        assert_eq!(b["kind"], "a");
        assert_eq!(b["ref"], serde_json::json!({"amount": "1.00"}));
        assert!(b.get("optional").is_none());
    }

    #[test]
    fn fixed_responses_are_told_apart() {
        let parse =
            |yaml: &str| parse_contract("c.yaml", yaml, SourceFormat::Yaml).expect("contract");
        let fixed = parse(&contract(
            "      status: 200\n      headers: {Content-Type: application/json}\n",
        ));
        assert!(is_fixed(&fixed.interactions[0]));
        let generated = parse(&contract(
            "      status: 200\n      headers:\n        Location: {match: regex, regex: \"/x/[0-9]+\"}\n",
        ));
        assert!(!is_fixed(&generated.interactions[0]));
    }
}
