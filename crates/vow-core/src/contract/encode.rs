//! Writing a contract model as contract file text (format v1), YAML or JSON.
//!
//! What `vow record` and `vow import` produce goes through here, so a contract made by a program reads
//! like one written by hand: keys in the order the format guide uses, defaults left out, plain strings
//! where the format allows them (a header expected to equal a value, a provider state without
//! parameters). Decoding the text again gives back the same model; the tests hold every contract in the
//! repository to that.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::time::Duration;

use saphyr::{Mapping, Scalar, ScalarStyle, Yaml, YamlEmitter};
use serde_json::Value;

use super::model::{
    AuthScheme, AuthStatement, BodyExpectation, Contract, DEFAULT_CODE_POINTER,
    DeprecationStatement, DimensionStatements, ErrorsStatement, FORMAT_VERSION, Generator,
    HeaderExpectation, Interaction, LatencyStatement, Matcher, ProviderState, Request,
    ResponseExpectation, Rule,
};

/// The contract as YAML text, ending with a line break.
pub fn to_yaml(contract: &Contract) -> String {
    let tree = contract_node(contract);
    let mut out = String::new();
    let mut emitter = YamlEmitter::new(&mut out);
    emitter.multiline(true);
    // Writing into a String cannot fail, and every node built here is one the emitter supports.
    let _ = emitter.dump(&tree);
    let mut text = out.strip_prefix("---\n").unwrap_or(&out).to_owned();
    text.push('\n');
    text
}

/// The contract as pretty JSON text (two-space indent), ending with a line break.
pub fn to_json(contract: &Contract) -> String {
    let mut out = String::new();
    write_json(&mut out, &contract_node(contract), 0);
    out.push('\n');
    out
}

/// An ordered mapping under construction.
#[derive(Default)]
struct Map(Mapping<'static>);

impl Map {
    fn put(&mut self, key: &str, value: Yaml<'static>) -> &mut Self {
        self.0.insert(text(key), value);
        self
    }

    fn put_some(&mut self, key: &str, value: Option<Yaml<'static>>) -> &mut Self {
        if let Some(value) = value {
            self.put(key, value);
        }
        self
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn done(self) -> Yaml<'static> {
        Yaml::Mapping(self.0)
    }
}

fn text(s: &str) -> Yaml<'static> {
    Yaml::Value(Scalar::String(Cow::Owned(s.to_owned())))
}

fn integer(i: i64) -> Yaml<'static> {
    Yaml::Value(Scalar::Integer(i))
}

fn boolean(b: bool) -> Yaml<'static> {
    Yaml::Value(Scalar::Boolean(b))
}

/// A number as its shortest text, so `1e300` and `12.5` read back as the same value.
fn number_text(text: String) -> Yaml<'static> {
    Yaml::Representation(Cow::Owned(text), ScalarStyle::Plain, None)
}

/// A float bound: written as an integer when it is whole.
fn float(f: f64) -> Yaml<'static> {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        integer(f as i64)
    } else {
        number_text(
            serde_json::Number::from_f64(f)
                .map(|n| n.to_string())
                .unwrap_or_else(|| f.to_string()),
        )
    }
}

fn duration(d: Duration) -> Yaml<'static> {
    text(&humantime::format_duration(d).to_string())
}

fn json(value: &Value) -> Yaml<'static> {
    match value {
        Value::Null => Yaml::Value(Scalar::Null),
        Value::Bool(b) => boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => integer(i),
            None => number_text(n.to_string()),
        },
        Value::String(s) => text(s),
        Value::Array(items) => Yaml::Sequence(items.iter().map(json).collect()),
        Value::Object(members) => {
            let mut map = Map::default();
            for (key, value) in members {
                map.put(key, json(value));
            }
            map.done()
        }
    }
}

fn list<T>(items: &[T], item: impl Fn(&T) -> Yaml<'static>) -> Yaml<'static> {
    Yaml::Sequence(items.iter().map(item).collect())
}

fn texts(items: &[String]) -> Yaml<'static> {
    list(items, |s| text(s))
}

fn contract_node(contract: &Contract) -> Yaml<'static> {
    let mut map = Map::default();
    map.put("vow", integer(FORMAT_VERSION as i64))
        .put("consumer", text(&contract.consumer))
        .put("provider", text(&contract.provider));
    let defaults = statements(&contract.defaults);
    if !defaults.is_empty() {
        map.put("defaults", defaults.done());
    }
    map.put("interactions", list(&contract.interactions, interaction));
    map.done()
}

fn interaction(interaction: &Interaction) -> Yaml<'static> {
    let mut map = Map::default();
    map.put("id", text(&interaction.id))
        .put("description", text(&interaction.description));
    if !interaction.given.is_empty() {
        map.put("given", list(&interaction.given, provider_state));
    }
    map.put("request", request(&interaction.request))
        .put("response", response(&interaction.response));
    for (key, value) in statements(&interaction.statements).0 {
        map.0.insert(key, value);
    }
    map.done()
}

fn provider_state(state: &ProviderState) -> Yaml<'static> {
    if state.params.is_empty() {
        return text(&state.state);
    }
    let mut map = Map::default();
    map.put("state", text(&state.state))
        .put("params", json(&Value::Object(state.params.clone())));
    map.done()
}

fn request(request: &Request) -> Yaml<'static> {
    let mut map = Map::default();
    map.put("method", text(request.method.as_str()))
        .put("path", text(&request.path));
    if !request.query.is_empty() {
        let mut query = Map::default();
        for (name, values) in &request.query {
            match values.as_slice() {
                [one] => query.put(name, text(one)),
                many => query.put(name, texts(many)),
            };
        }
        map.put("query", query.done());
    }
    if !request.headers.is_empty() {
        let mut headers = Map::default();
        for (name, value) in &request.headers {
            headers.put(name, text(value));
        }
        map.put("headers", headers.done());
    }
    map.put_some("body", request.body.as_ref().map(json));
    map.done()
}

fn response(response: &ResponseExpectation) -> Yaml<'static> {
    let mut map = Map::default();
    map.put("status", integer(i64::from(response.status)));
    if !response.headers.is_empty() {
        let mut headers = Map::default();
        for header in &response.headers {
            headers.put(&header.name, header_expectation(header));
        }
        map.put("headers", headers.done());
    }
    map.put_some("body", response.body.as_ref().map(body))
        .put_some("error", response.error.as_deref().map(text));
    map.done()
}

fn header_expectation(header: &HeaderExpectation) -> Yaml<'static> {
    match header.rules.as_slice() {
        [
            Rule {
                matcher:
                    Matcher::Equals {
                        value: Value::String(s),
                    },
            },
        ] => text(s),
        rules => rules_node(rules),
    }
}

fn body(body: &BodyExpectation) -> Yaml<'static> {
    let mut map = Map::default();
    match body {
        BodyExpectation::Example {
            example,
            rules,
            generators,
        } => {
            map.put_some("example", example.as_ref().map(json));
            if !rules.is_empty() {
                let mut by_path = Map::default();
                for path_rules in rules {
                    by_path.put(&path_rules.path.text, rules_node(&path_rules.rules));
                }
                map.put("rules", by_path.done());
            }
            if !generators.is_empty() {
                let mut by_path = Map::default();
                for g in generators {
                    by_path.put(&g.path.text, generator(&g.generator));
                }
                map.put("generators", by_path.done());
            }
        }
        BodyExpectation::Schema { schema, .. } => {
            map.put("schema", json(schema));
        }
    }
    map.done()
}

/// One rule as an object, several as a list.
fn rules_node(rules: &[Rule]) -> Yaml<'static> {
    match rules {
        [one] => rule(one),
        many => list(many, rule),
    }
}

fn rule(rule: &Rule) -> Yaml<'static> {
    let mut map = Map::default();
    let matcher = &rule.matcher;
    map.put("match", text(matcher.name()));
    let count = |n: &Option<u64>| n.map(|n| integer(i64::try_from(n).unwrap_or(i64::MAX)));
    let format = |f: &Option<String>| f.as_deref().map(text);
    match matcher {
        Matcher::Equality | Matcher::Boolean | Matcher::Null => {}
        Matcher::Equals { value } => {
            map.put("value", json(value));
        }
        Matcher::Type { min, max } => {
            map.put_some("min", count(min)).put_some("max", count(max));
        }
        Matcher::Regex { pattern, .. } => {
            map.put("regex", text(pattern));
        }
        Matcher::Integer { min, max } | Matcher::Number { min, max } => {
            map.put_some("min", min.map(float))
                .put_some("max", max.map(float));
        }
        Matcher::Decimal { places } => {
            map.put_some("places", places.map(|p| integer(i64::from(p))));
        }
        Matcher::Date { format: f }
        | Matcher::Time { format: f }
        | Matcher::Datetime { format: f } => {
            map.put_some("format", format(f));
        }
        Matcher::Include { value } => {
            map.put("value", text(value));
        }
        Matcher::OneOf { values } => {
            map.put("values", list(values, json));
        }
        Matcher::EachElement { min, max, rules } => {
            map.put_some("min", count(min)).put_some("max", count(max));
            if !rules.is_empty() {
                map.put("rules", rules_node(rules));
            }
        }
        Matcher::EachKey { rules } | Matcher::EachValue { rules } => {
            map.put("rules", rules_node(rules));
        }
    }
    map.done()
}

fn generator(generator: &Generator) -> Yaml<'static> {
    let mut map = Map::default();
    map.put("generate", text(generator.name()));
    let digits = |d: &Option<u32>| d.map(|d| integer(i64::from(d)));
    match generator {
        Generator::Uuid | Generator::Boolean => {}
        Generator::Integer { min, max } => {
            map.put_some("min", min.map(integer))
                .put_some("max", max.map(integer));
        }
        Generator::Decimal { digits: d } | Generator::Hex { digits: d } => {
            map.put_some("digits", digits(d));
        }
        Generator::String { size } => {
            map.put_some("size", digits(size));
        }
        Generator::Regex { pattern } => {
            map.put("regex", text(pattern));
        }
        Generator::Date { format }
        | Generator::Time { format }
        | Generator::Datetime { format } => {
            map.put_some("format", format.as_deref().map(text));
        }
    }
    map.done()
}

/// The behavioural blocks that are stated, in the guide's order.
fn statements(statements: &DimensionStatements) -> Map {
    let mut map = Map::default();
    map.put_some("errors", statements.errors.as_ref().map(errors))
        .put_some("latency", statements.latency.as_ref().map(latency))
        .put_some("auth", statements.auth.as_ref().map(auth))
        .put_some(
            "deprecation",
            statements.deprecation.as_ref().map(deprecation),
        );
    map
}

fn errors(errors: &ErrorsStatement) -> Yaml<'static> {
    let mut map = Map::default();
    if errors.code_pointer != DEFAULT_CODE_POINTER {
        map.put("codePointer", text(&errors.code_pointer));
    }
    map.put(
        "handles",
        list(&errors.handles, |handled| {
            let mut entry = Map::default();
            entry
                .put("code", text(&handled.code))
                .put("status", integer(i64::from(handled.status)))
                .put("retry", boolean(handled.retry));
            if !handled.problem_json {
                entry.put("problemJson", boolean(false));
            }
            entry.done()
        }),
    );
    map.done()
}

fn latency(latency: &LatencyStatement) -> Yaml<'static> {
    let mut map = Map::default();
    map.put("timeout", duration(latency.timeout));
    if latency.percentile != 99.0 {
        map.put("percentile", float(latency.percentile));
    }
    if let Some(retries) = &latency.retries {
        let mut policy = Map::default();
        policy
            .put("attempts", integer(i64::from(retries.attempts)))
            .put("backoff", duration(retries.backoff));
        if retries.multiplier != 1.0 {
            policy.put("multiplier", float(retries.multiplier));
        }
        policy.put_some("maxBackoff", retries.max_backoff.map(duration));
        map.put("retries", policy.done());
    }
    map.put_some("deadline", latency.deadline.map(duration));
    if latency.repeatable {
        map.put("repeatable", boolean(true));
    }
    map.done()
}

fn auth(auth: &AuthStatement) -> Yaml<'static> {
    let scheme = match auth.scheme {
        AuthScheme::Bearer => "bearer",
        AuthScheme::Oauth2 => "oauth2",
        AuthScheme::ApiKey => "apiKey",
        AuthScheme::Basic => "basic",
    };
    let mut map = Map::default();
    map.put("scheme", text(scheme));
    if !auth.scopes.is_empty() {
        map.put("scopes", texts(&auth.scopes));
    }
    map.put_some("credentials", auth.credentials.as_deref().map(text));
    if !auth.probes {
        map.put("probes", boolean(false));
    }
    map.done()
}

fn deprecation(deprecation: &DeprecationStatement) -> Yaml<'static> {
    let mut map = Map::default();
    if deprecation.operation {
        map.put("operation", boolean(true));
    }
    if !deprecation.fields.is_empty() {
        map.put("fields", texts(&deprecation.fields));
    }
    if !deprecation.parameters.is_empty() {
        map.put("parameters", texts(&deprecation.parameters));
    }
    map.put_some(
        "sunset",
        deprecation
            .sunset
            .map(|d| text(&d.format("%Y-%m-%d").to_string())),
    );
    map.done()
}

/// The same tree as JSON: mappings and sequences over several lines, scalars as JSON.
fn write_json(out: &mut String, node: &Yaml<'static>, indent: usize) {
    let pad = |out: &mut String, n: usize| out.extend(std::iter::repeat_n(' ', n));
    match node {
        Yaml::Mapping(map) if map.is_empty() => out.push_str("{}"),
        Yaml::Sequence(items) if items.is_empty() => out.push_str("[]"),
        Yaml::Mapping(map) => {
            out.push_str("{\n");
            for (i, (key, value)) in map.iter().enumerate() {
                pad(out, indent + 2);
                write_json(out, key, indent + 2);
                out.push_str(": ");
                write_json(out, value, indent + 2);
                out.push_str(if i + 1 < map.len() { ",\n" } else { "\n" });
            }
            pad(out, indent);
            out.push('}');
        }
        Yaml::Sequence(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                pad(out, indent + 2);
                write_json(out, item, indent + 2);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            pad(out, indent);
            out.push(']');
        }
        Yaml::Value(Scalar::String(s)) => {
            // Serialising a str to JSON cannot fail.
            let _ = write!(out, "{}", Value::String(s.to_string()));
        }
        Yaml::Value(Scalar::Integer(i)) => {
            let _ = write!(out, "{i}");
        }
        Yaml::Value(Scalar::Boolean(b)) => {
            let _ = write!(out, "{b}");
        }
        Yaml::Representation(number, ..) => out.push_str(number),
        _ => out.push_str("null"),
    }
}
