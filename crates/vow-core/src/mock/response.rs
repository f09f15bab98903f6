//! The response the mock answers an interaction with: the stated status, the stated headers (a
//! rule's value where a rule gives one: `equals`, `include`, the first of `oneOf`, a string a
//! `regex` matches, the current date for `date` / `time` / `datetime`), and the body: the example
//! (with its generators applied), or for a body judged by a schema, the schema's `examples`,
//! `example`, `default`, `const` or first `enum` value, else a minimal valid instance.

use rand::Rng;
use serde_json::{Map, Value};

use super::generate::{Generation, RegexGenerator};
use crate::contract::{
    BodyExpectation, Contract, Generator, HeaderExpectation, Interaction, Matcher, PathPattern,
    PathSegment,
};

/// A response as the mock sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// An interaction's response prepared once: fixed parts built, regexes compiled, so that
/// answering costs a copy when nothing is generated and little more when something is.
#[derive(Debug, Clone)]
pub struct ResponseTemplate {
    status: u16,
    headers: Vec<(String, HeaderSource)>,
    body: BodySource,
}

#[derive(Debug, Clone)]
enum HeaderSource {
    Fixed(String),
    Regex(RegexGenerator),
    Date(Option<String>),
    Time(Option<String>),
    Datetime(Option<String>),
}

#[derive(Debug, Clone)]
enum BodySource {
    Fixed(Vec<u8>),
    Generated {
        example: Value,
        generators: Vec<(PathPattern, Prepared)>,
    },
}

/// A generator with what it needs compiled.
#[derive(Debug, Clone)]
enum Prepared {
    Plain(Generator),
    Regex(RegexGenerator),
}

impl ResponseTemplate {
    /// Prepares the response of `interaction`. A body judged by a schema is built here, once,
    /// with `generation` (its date formats read the time given).
    pub fn new<R: Rng + ?Sized>(
        contract: &Contract,
        interaction: &Interaction,
        generation: &mut Generation<'_, R>,
    ) -> ResponseTemplate {
        let expected = &interaction.response;
        let mut headers: Vec<(String, HeaderSource)> = expected
            .headers
            .iter()
            .filter_map(|h| header_source(h).map(|s| (h.name.clone(), s)))
            .collect();
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
        let (body, generators) = match &expected.body {
            Some(BodyExpectation::Example {
                example: Some(example),
                generators,
                ..
            }) => (
                Some(example.clone()),
                generators
                    .iter()
                    .map(|g| {
                        let prepared = match &g.generator {
                            Generator::Regex { pattern } => RegexGenerator::new(pattern)
                                .map_or(Prepared::Plain(g.generator.clone()), Prepared::Regex),
                            other => Prepared::Plain(other.clone()),
                        };
                        (g.path.clone(), prepared)
                    })
                    .collect(),
            ),
            Some(BodyExpectation::Schema { schema, .. }) => {
                (Some(instance_of(schema, schema, generation, 0)), Vec::new())
            }
            Some(BodyExpectation::Example { example: None, .. }) | None => (None, Vec::new()),
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
        let has_content_type = expected
            .headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case("content-type"));
        if body.is_some() && !has_content_type {
            let media_type = match &error {
                Some((_, _, true)) => "application/problem+json",
                _ => "application/json",
            };
            headers.push((
                "Content-Type".to_owned(),
                HeaderSource::Fixed(media_type.to_owned()),
            ));
        }
        let body = match body {
            None => BodySource::Fixed(Vec::new()),
            Some(example) if !generators.is_empty() => BodySource::Generated {
                example,
                generators,
            },
            Some(v) => BodySource::Fixed(serde_json::to_vec(&v).unwrap_or_default()),
        };
        ResponseTemplate {
            status: expected.status,
            headers,
            body,
        }
    }

    /// The response, when nothing in it is generated per request.
    pub fn fixed(&self) -> Option<MockResponse> {
        let BodySource::Fixed(body) = &self.body else {
            return None;
        };
        let headers = self
            .headers
            .iter()
            .map(|(n, s)| match s {
                HeaderSource::Fixed(v) => Some((n.clone(), v.clone())),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?;
        Some(MockResponse {
            status: self.status,
            headers,
            body: body.clone(),
        })
    }

    /// A response, with fresh generated values.
    pub fn render<R: Rng + ?Sized>(&self, generation: &mut Generation<'_, R>) -> MockResponse {
        let headers = self
            .headers
            .iter()
            .filter_map(|(n, s)| {
                let value = match s {
                    HeaderSource::Fixed(v) => Some(v.clone()),
                    HeaderSource::Regex(r) => generation.regex(r),
                    HeaderSource::Date(f) => generation.date(f.as_deref()),
                    HeaderSource::Time(f) => generation.time(f.as_deref()),
                    HeaderSource::Datetime(f) => generation.datetime(f.as_deref()),
                };
                value.map(|v| (n.clone(), v))
            })
            .collect();
        let body = match &self.body {
            BodySource::Fixed(bytes) => bytes.clone(),
            BodySource::Generated {
                example,
                generators,
            } => {
                let mut body = example.clone();
                for (path, generator) in generators {
                    apply(&mut body, &path.segments, generator, generation);
                }
                serde_json::to_vec(&body).unwrap_or_default()
            }
        };
        MockResponse {
            status: self.status,
            headers,
            body,
        }
    }
}

/// Builds a response for `interaction` (prepares and renders; the server prepares once instead).
pub fn build_response<R: Rng + ?Sized>(
    contract: &Contract,
    interaction: &Interaction,
    generation: &mut Generation<'_, R>,
) -> MockResponse {
    ResponseTemplate::new(contract, interaction, generation).render(generation)
}

/// Replaces every value at `segments` in `value` with a generated one. Places the example does
/// not have are left alone: a generator replaces an example value, it never adds one.
fn apply<R: Rng + ?Sized>(
    value: &mut Value,
    segments: &[PathSegment],
    generator: &Prepared,
    generation: &mut Generation<'_, R>,
) {
    let Some((first, rest)) = segments.split_first() else {
        if let Some(v) = generate(generator, value, generation) {
            *value = v;
        }
        return;
    };
    match (first, value) {
        (PathSegment::Any, Value::Array(items)) => {
            for item in items {
                apply(item, rest, generator, generation);
            }
        }
        (PathSegment::Any, Value::Object(members)) => {
            for member in members.values_mut() {
                apply(member, rest, generator, generation);
            }
        }
        (PathSegment::Key(key), Value::Object(members)) => {
            if let Some(member) = members.get_mut(key) {
                apply(member, rest, generator, generation);
            }
        }
        (PathSegment::Key(key), Value::Array(items)) => {
            if let Some(item) = key.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                apply(item, rest, generator, generation);
            }
        }
        _ => {}
    }
}

/// A generated value in place of `example`; `None` keeps the example (a regex nothing can be
/// generated from, a date format chrono cannot write).
fn generate<R: Rng + ?Sized>(
    generator: &Prepared,
    example: &Value,
    generation: &mut Generation<'_, R>,
) -> Option<Value> {
    let generator = match generator {
        Prepared::Regex(r) => return generation.regex(r).map(Value::String),
        Prepared::Plain(g) => g,
    };
    Some(match generator {
        Generator::Uuid => Value::String(generation.uuid()),
        Generator::Integer { min, max } => Value::from(generation.integer(*min, *max)),
        Generator::Decimal { digits } => {
            let text = generation.decimal(*digits);
            // A number where the example has a number, text where it has text.
            match example {
                Value::Number(_) => serde_json::from_str(&text).ok()?,
                _ => Value::String(text),
            }
        }
        Generator::Hex { digits } => Value::String(generation.hex(*digits)),
        Generator::String { size } => Value::String(generation.alphanumeric(*size)),
        Generator::Regex { .. } => return None,
        Generator::Boolean => Value::Bool(generation.boolean()),
        Generator::Date { format } => Value::String(generation.date(format.as_deref())?),
        Generator::Time { format } => Value::String(generation.time(format.as_deref())?),
        Generator::Datetime { format } => Value::String(generation.datetime(format.as_deref())?),
    })
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

/// Where a header's value comes from: the first rule that gives a fixed value, else the first
/// that can be generated; `None` when no rule gives a value (the header is then not sent).
fn header_source(h: &HeaderExpectation) -> Option<HeaderSource> {
    if let Some(text) = h.rules.iter().find_map(|r| fixed_text(&r.matcher)) {
        return Some(HeaderSource::Fixed(text));
    }
    h.rules.iter().find_map(|r| match &r.matcher {
        Matcher::Regex { pattern, .. } => RegexGenerator::new(pattern).map(HeaderSource::Regex),
        Matcher::Date { format } => Some(HeaderSource::Date(format.clone())),
        Matcher::Time { format } => Some(HeaderSource::Time(format.clone())),
        Matcher::Datetime { format } => Some(HeaderSource::Datetime(format.clone())),
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
        && let Some(re) = RegexGenerator::new(pattern)
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
        let template = |response: &str| {
            let contract = parse_contract("c.yaml", &contract(response), SourceFormat::Yaml)
                .expect("contract");
            let mut rng = StdRng::seed_from_u64(1);
            ResponseTemplate::new(
                &contract,
                &contract.interactions[0],
                &mut Generation {
                    rng: &mut rng,
                    now: DateTime::<Utc>::UNIX_EPOCH,
                },
            )
        };
        let fixed = template(
            "      status: 200\n      headers: {Content-Type: application/json}\n      body: {example: {a: 1}}\n",
        );
        assert_eq!(fixed.fixed().expect("fixed").body, br#"{"a":1}"#);
        let header = template(
            "      status: 200\n      headers:\n        Location: {match: regex, regex: \"/x/[0-9]+\"}\n",
        );
        assert!(header.fixed().is_none());
        let body = template(
            "      status: 200\n      body:\n        example: {id: 1}\n        generators: {/id: {generate: uuid}}\n",
        );
        assert!(body.fixed().is_none());
    }

    #[test]
    fn generators_replace_the_example_values_they_name() {
        let r = respond(&contract(
            r#"      status: 201
      body:
        example:
          id: c-1001
          token: "00"
          count: 1
          price: 12.5
          items: [{sku: A, at: x}, {sku: B, at: y}]
          when: "2020-01-01"
        generators:
          /id: {generate: regex, regex: "c-[0-9]{4}"}
          /token: {generate: uuid}
          /count: {generate: integer, min: 5, max: 5}
          /price: {generate: decimal, digits: 4}
          /items/*/at: {generate: datetime}
          /when: {generate: date, format: "%d.%m.%Y"}
          /absent: {generate: boolean}
"#,
        ));
        let b = body(&r);
        assert!(
            regex::Regex::new("^c-[0-9]{4}$")
                .expect("re")
                .is_match(b["id"].as_str().expect("id"))
        );
        assert_eq!(b["token"].as_str().expect("uuid").len(), 36);
        assert_eq!(b["count"], 5);
        assert!(b["price"].is_f64(), "{b}");
        assert_eq!(b["items"][1]["at"], "2026-11-21T10:05:00Z");
        assert_eq!(b["items"][1]["sku"], "B");
        assert_eq!(b["when"], "21.11.2026");
        assert!(b.get("absent").is_none());
    }
}
