//! Decoding what a response must look like: header and body rules, path patterns and embedded JSON
//! Schemas. Everything that can be checked without a response (regexes compile, schemas compile,
//! bounds are ordered, date formats are valid) is checked here, so a bad contract fails when read.

use std::sync::Arc;

use chrono::format::{Item, StrftimeItems};
use serde_json::Value;

use super::reader::{Decoder, Fields, Node, quote};
use crate::contract::model::{
    BodyExpectation, Generator, HeaderExpectation, Matcher, PathGenerator, PathPattern, PathRules,
    RegexCell, Rule, SchemaCell,
};

/// Known keys of a response body expectation.
pub const BODY_KEYS: &[&str] = &["example", "rules", "generators", "schema"];

/// Every matcher with the schema `$defs` name of its rule object and the keys that rule object may
/// hold (`match` plus the matcher's parameters).
pub const MATCHERS: &[(&str, &str, &[&str])] = &[
    ("equality", "EqualityRule", &["match"]),
    ("equals", "EqualsRule", &["match", "value"]),
    ("type", "TypeRule", &["match", "min", "max"]),
    ("regex", "RegexRule", &["match", "regex"]),
    ("integer", "IntegerRule", &["match", "min", "max"]),
    ("number", "NumberRule", &["match", "min", "max"]),
    ("decimal", "DecimalRule", &["match", "places"]),
    ("boolean", "BooleanRule", &["match"]),
    ("null", "NullRule", &["match"]),
    ("date", "DateRule", &["match", "format"]),
    ("time", "TimeRule", &["match", "format"]),
    ("datetime", "DatetimeRule", &["match", "format"]),
    ("include", "IncludeRule", &["match", "value"]),
    ("oneOf", "OneOfRule", &["match", "values"]),
    (
        "eachElement",
        "EachElementRule",
        &["match", "min", "max", "rules"],
    ),
    ("eachKey", "EachKeyRule", &["match", "rules"]),
    ("eachValue", "EachValueRule", &["match", "rules"]),
];

const RULE_OR_RULES: &str = "a rule object or a non-empty list of rule objects";
const REMOTE_REF_HINT: &str =
    "vow does not fetch remote references; inline the schema or use a local #/$defs reference";

/// A rule object, or a list of them.
pub(super) fn rules(d: &mut Decoder, node: &Node) -> Option<Vec<Rule>> {
    match node.value {
        Value::Array(_) => {
            let items = d.non_empty_list(node, RULE_OR_RULES)?;
            let decoded: Vec<Option<Rule>> = items.iter().map(|item| rule(d, item)).collect();
            decoded.into_iter().collect()
        }
        Value::Object(_) => rule(d, node).map(|r| vec![r]),
        _ => {
            d.mismatch(node, RULE_OR_RULES);
            None
        }
    }
}

fn rule(d: &mut Decoder, node: &Node) -> Option<Rule> {
    let Value::Object(map) = node.value else {
        d.mismatch(node, "a rule object");
        return None;
    };
    let Some(name_value) = map.get("match") else {
        if let Some((typo, value)) = map
            .iter()
            .find(|(k, _)| super::reader::suggest(k, &["match"]).is_some())
        {
            d.report_key(
                &node.child(typo, value),
                "a key of a rule object",
                format!("the key {}", quote(typo)),
                Some("did you mean \"match\"?".to_owned()),
            );
            return None;
        }
        let pointer_node = node.child("match", &Value::Null);
        d.report(
            &pointer_node,
            "a matcher name under `match`",
            "nothing".to_owned(),
            Some(format!("matchers: {}", matcher_names().join(", "))),
        );
        return None;
    };
    let name_node = node.child("match", name_value);
    let names = matcher_names();
    let name = d.name_in(&name_node, &names, "a matcher name")?;
    let keys = MATCHERS
        .iter()
        .find(|(n, ..)| *n == name)
        .map_or(&[][..], |(_, _, keys)| *keys);
    let fields = d.object(node, &format!("a `{name}` rule"), keys)?;
    let matcher = match name {
        "equality" => Some(Matcher::Equality),
        "equals" => d
            .required(&fields, "value", "the value to equal")
            .map(|v| Matcher::Equals {
                value: v.value.clone(),
            }),
        "type" => {
            let (min, max) = count_bounds(d, &fields)?;
            Some(Matcher::Type { min, max })
        }
        "regex" => regex(d, &fields),
        "integer" | "number" => {
            let (min, max) = number_bounds(d, &fields, name == "integer")?;
            Some(if name == "integer" {
                Matcher::Integer { min, max }
            } else {
                Matcher::Number { min, max }
            })
        }
        "decimal" => {
            let places = match fields.get("places") {
                Some(n) => {
                    let places = d.integer(&n, 0, 1000, "a number of digits from 0 to 1000")?;
                    u32::try_from(places).ok()
                }
                None => None,
            };
            Some(Matcher::Decimal { places })
        }
        "boolean" => Some(Matcher::Boolean),
        "null" => Some(Matcher::Null),
        "date" | "time" | "datetime" => {
            let format = match fields.get("format") {
                Some(n) => Some(strftime(d, &n)?),
                None => None,
            };
            Some(match name {
                "date" => Matcher::Date { format },
                "time" => Matcher::Time { format },
                _ => Matcher::Datetime { format },
            })
        }
        "include" => {
            let value = d.required(&fields, "value", "the text the string must contain")?;
            let value = d.string(&value, "the text the string must contain")?;
            Some(Matcher::Include { value })
        }
        "oneOf" => {
            let values = d.required(&fields, "values", "a non-empty list of allowed values")?;
            let values = d.non_empty_list(&values, "a non-empty list of allowed values")?;
            Some(Matcher::OneOf {
                values: values.iter().map(|n| n.value.clone()).collect(),
            })
        }
        "eachElement" => {
            let bounds = count_bounds(d, &fields);
            let inner = match fields.get("rules") {
                Some(n) => rules(d, &n),
                None => Some(Vec::new()),
            };
            let (min, max) = bounds?;
            Some(Matcher::EachElement {
                min,
                max,
                rules: inner?,
            })
        }
        "eachKey" | "eachValue" => {
            let inner = d.required(&fields, "rules", RULE_OR_RULES)?;
            let inner = rules(d, &inner)?;
            Some(if name == "eachKey" {
                Matcher::EachKey { rules: inner }
            } else {
                Matcher::EachValue { rules: inner }
            })
        }
        _ => None,
    }?;
    Some(Rule { matcher })
}

/// Every generator with the schema `$defs` name of its object and the keys it may hold
/// (`generate` plus the generator's parameters).
pub const GENERATORS: &[(&str, &str, &[&str])] = &[
    ("uuid", "UuidGenerator", &["generate"]),
    ("integer", "IntegerGenerator", &["generate", "min", "max"]),
    ("decimal", "DecimalGenerator", &["generate", "digits"]),
    ("hex", "HexGenerator", &["generate", "digits"]),
    ("string", "StringGenerator", &["generate", "size"]),
    ("regex", "RegexGenerator", &["generate", "regex"]),
    ("boolean", "BooleanGenerator", &["generate"]),
    ("date", "DateGenerator", &["generate", "format"]),
    ("time", "TimeGenerator", &["generate", "format"]),
    ("datetime", "DatetimeGenerator", &["generate", "format"]),
];

fn path_generators(d: &mut Decoder, node: &Node) -> Option<Vec<PathGenerator>> {
    let fields = d.free_object(node, "an object of path patterns to generators")?;
    let mut decoded = Vec::new();
    let mut ok = true;
    for (text, value) in d.entries(&fields) {
        let path = path_pattern(d, text, &value);
        let generator = generator(d, &value);
        match (path, generator) {
            (Some(path), Some(generator)) => decoded.push(PathGenerator { path, generator }),
            _ => ok = false,
        }
    }
    ok.then_some(decoded)
}

fn generator(d: &mut Decoder, node: &Node) -> Option<Generator> {
    let names: Vec<&str> = GENERATORS.iter().map(|(name, ..)| *name).collect();
    let Value::Object(map) = node.value else {
        d.mismatch(node, "a generator object such as {generate: uuid}");
        return None;
    };
    let Some(name_value) = map.get("generate") else {
        d.report(
            &node.child("generate", &Value::Null),
            "a generator name under `generate`",
            "nothing".to_owned(),
            Some(format!("generators: {}", names.join(", "))),
        );
        return None;
    };
    let name = d.name_in(
        &node.child("generate", name_value),
        &names,
        "a generator name",
    )?;
    let keys = GENERATORS
        .iter()
        .find(|(n, ..)| *n == name)
        .map_or(&[][..], |(_, _, keys)| *keys);
    let fields = d.object(node, &format!("a `{name}` generator"), keys)?;
    const DIGITS: &str = "a number of characters from 1 to 1000";
    let count = |d: &mut Decoder, key: &str| -> Option<Option<u32>> {
        lift(fields.get(key).map(|n| {
            d.integer(&n, 1, 1000, DIGITS)
                .and_then(|v| u32::try_from(v).ok())
        }))
    };
    let generator = match name {
        "uuid" => Generator::Uuid,
        "integer" => {
            let min = fields
                .get("min")
                .map(|n| d.integer(&n, i64::MIN, i64::MAX, "an integer"));
            let max = fields
                .get("max")
                .map(|n| d.integer(&n, i64::MIN, i64::MAX, "an integer"));
            let (min, max) = (lift(min)?, lift(max)?);
            if let (Some(lo), Some(hi)) = (min, max)
                && lo > hi
            {
                bounds_out_of_order(d, &fields, &lo.to_string(), &hi.to_string());
                return None;
            }
            Generator::Integer { min, max }
        }
        "decimal" => Generator::Decimal {
            digits: count(d, "digits")?,
        },
        "hex" => Generator::Hex {
            digits: count(d, "digits")?,
        },
        "string" => Generator::String {
            size: count(d, "size")?,
        },
        "regex" => {
            let Matcher::Regex { pattern, .. } = regex(d, &fields)? else {
                return None;
            };
            Generator::Regex { pattern }
        }
        "boolean" => Generator::Boolean,
        "date" | "time" | "datetime" => {
            let format = match fields.get("format") {
                Some(n) => Some(strftime(d, &n)?),
                None => None,
            };
            match name {
                "date" => Generator::Date { format },
                "time" => Generator::Time { format },
                _ => Generator::Datetime { format },
            }
        }
        _ => return None,
    };
    Some(generator)
}

fn matcher_names() -> Vec<&'static str> {
    MATCHERS.iter().map(|(name, ..)| *name).collect()
}

/// `min` and `max` as element counts, with `min <= max`.
fn count_bounds(d: &mut Decoder, fields: &Fields) -> Option<(Option<u64>, Option<u64>)> {
    const COUNT: &str = "a non-negative integer";
    let min = fields.get("min").map(|n| d.integer(&n, 0, i64::MAX, COUNT));
    let max = fields.get("max").map(|n| d.integer(&n, 0, i64::MAX, COUNT));
    let (min, max) = (lift(min)?, lift(max)?);
    if let (Some(lo), Some(hi)) = (min, max)
        && lo > hi
    {
        bounds_out_of_order(d, fields, &lo.to_string(), &hi.to_string());
        return None;
    }
    Some((min.map(|v| v.unsigned_abs()), max.map(|v| v.unsigned_abs())))
}

/// `min` and `max` as numbers (whole numbers for the `integer` matcher), with `min <= max`.
fn number_bounds(
    d: &mut Decoder,
    fields: &Fields,
    whole: bool,
) -> Option<(Option<f64>, Option<f64>)> {
    let read = |d: &mut Decoder, n: Node| {
        if whole {
            d.integer(&n, i64::MIN, i64::MAX, "an integer")
                .map(|i| i as f64)
        } else {
            d.number(&n, "a number")
        }
    };
    let min = fields.get("min").map(|n| read(d, n));
    let max = fields.get("max").map(|n| read(d, n));
    let (min, max) = (lift(min)?, lift(max)?);
    if let (Some(lo), Some(hi)) = (min, max)
        && lo > hi
    {
        let (lo, hi) = (fields.map.get("min"), fields.map.get("max"));
        let text = |v: Option<&Value>| v.map(Value::to_string).unwrap_or_default();
        bounds_out_of_order(d, fields, &text(lo), &text(hi));
        return None;
    }
    Some((min, max))
}

/// An optional member that was present but invalid lifts to `None` (reported); absent stays `Some(None)`.
fn lift<T>(read: Option<Option<T>>) -> Option<Option<T>> {
    match read {
        None => Some(None),
        Some(None) => None,
        Some(Some(v)) => Some(Some(v)),
    }
}

fn bounds_out_of_order(d: &mut Decoder, fields: &Fields, min: &str, max: &str) {
    let Some(max_node) = fields.get("max") else {
        return;
    };
    d.report(
        &max_node,
        &format!("a `max` of at least `min` ({min})"),
        format!("the number {max}"),
        Some("swap `min` and `max`, or drop one of them".to_owned()),
    );
}

fn regex(d: &mut Decoder, fields: &Fields) -> Option<Matcher> {
    let node = d.required(fields, "regex", "a regular expression")?;
    let pattern = d.string(&node, "a regular expression")?;
    // The whole string must match, so the pattern is anchored; the group keeps alternations whole.
    match d.regex(format!("^(?:{pattern})$")) {
        Ok(compiled) => Some(Matcher::Regex {
            pattern,
            compiled: RegexCell(compiled),
        }),
        Err(e) => {
            let message = e.to_string();
            let last = message.lines().last().unwrap_or_default().trim();
            let detail = last.strip_prefix("error: ").unwrap_or(last).to_lowercase();
            let hint = match e {
                regex::Error::Syntax(_) => format!("the regex crate says: {detail}"),
                _ => format!("the regex crate says: {}", message.trim()),
            };
            d.mismatch_hinted(&node, "a valid regular expression", Some(hint));
            None
        }
    }
}

fn strftime(d: &mut Decoder, node: &Node) -> Option<String> {
    const EXPECTED: &str = "a strftime format such as %Y-%m-%d";
    let format = d.string(node, EXPECTED)?;
    if StrftimeItems::new(&format).any(|item| matches!(item, Item::Error)) {
        let hint = "every % starts a chrono specifier: %Y, %m, %d, %H, %M, %S, %z; \
                    write %% for a literal %";
        d.mismatch_hinted(node, EXPECTED, Some(hint.to_owned()));
        return None;
    }
    Some(format)
}

/// Response header expectations: a string (equality), a rule object or a list of rule objects.
pub(super) fn header_expectations(d: &mut Decoder, node: &Node) -> Option<Vec<HeaderExpectation>> {
    let fields = d.free_object(node, "an object of header names to expectations")?;
    let mut headers = Vec::new();
    let mut ok = true;
    let mut seen: Vec<String> = Vec::new();
    for (name, value) in d.entries(&fields) {
        if seen.iter().any(|s| s.eq_ignore_ascii_case(name)) {
            d.report_key(
                &value,
                "each header once (header names ignore case)",
                format!("the header {} again", quote(name)),
                None,
            );
            ok = false;
            continue;
        }
        seen.push(name.clone());
        let rules = match value.value {
            Value::String(s) => Some(vec![Rule {
                matcher: Matcher::Equals {
                    value: Value::String(s.clone()),
                },
            }]),
            Value::Object(_) | Value::Array(_) => rules(d, &value),
            Value::Number(n) => {
                d.mismatch_hinted(
                    &value,
                    "a string, a rule object or a list of rule objects",
                    Some(format!("header values are text; write \"{n}\"")),
                );
                None
            }
            _ => {
                d.mismatch(&value, "a string, a rule object or a list of rule objects");
                None
            }
        };
        match rules {
            Some(rules) => headers.push(HeaderExpectation {
                name: name.clone(),
                rules,
            }),
            None => ok = false,
        }
    }
    ok.then_some(headers)
}

/// The response body: `example` and/or `rules`, or `schema`.
pub(super) fn body_expectation(d: &mut Decoder, node: &Node) -> Option<BodyExpectation> {
    const EXPECTED: &str = "a body expectation (example and rules, or schema)";
    if let Value::Object(map) = node.value
        && !map.is_empty()
        && !map.keys().any(|k| BODY_KEYS.contains(&k.as_str()))
    {
        // Most likely the example body itself, written one level too high.
        d.report(
            node,
            EXPECTED,
            "an object without example, rules or schema".to_owned(),
            Some("put the example body under `example:`".to_owned()),
        );
        return None;
    }
    let fields = d.object(node, EXPECTED, BODY_KEYS)?;
    if fields.map.is_empty() {
        d.mismatch(node, EXPECTED);
        return None;
    }
    if let Some(schema) = fields.get("schema") {
        if fields.has("example") || fields.has("rules") || fields.has("generators") {
            d.report_key(
                &schema,
                "either example and rules, or schema",
                "both".to_owned(),
                Some(
                    "a body is judged by example and rules or by a JSON Schema, not both"
                        .to_owned(),
                ),
            );
            return None;
        }
        return embedded_schema(d, &schema)
            .map(|(schema, compiled)| BodyExpectation::Schema { schema, compiled });
    }
    let example = fields.get("example").map(|n| n.value.clone());
    let rules = match fields.get("rules") {
        Some(n) => path_rules(d, &n),
        None => Some(Vec::new()),
    };
    let generators = match fields.get("generators") {
        Some(n) => path_generators(d, &n),
        None => Some(Vec::new()),
    };
    Some(BodyExpectation::Example {
        example,
        rules: rules?,
        generators: generators?,
    })
}

fn path_rules(d: &mut Decoder, node: &Node) -> Option<Vec<PathRules>> {
    let fields = d.free_object(node, "an object of path patterns to rules")?;
    let mut decoded = Vec::new();
    let mut ok = true;
    for (text, value) in d.entries(&fields) {
        let path = path_pattern(d, text, &value);
        let rules = rules(d, &value);
        match (path, rules) {
            (Some(path), Some(rules)) => decoded.push(PathRules { path, rules }),
            _ => ok = false,
        }
    }
    ok.then_some(decoded)
}

/// A JSON pointer whose segments may be `*`; `""` and `/` both mean the whole body.
fn path_pattern(d: &mut Decoder, text: &str, at: &Node) -> Option<PathPattern> {
    const EXPECTED: &str = "a path pattern such as /items/*/sku";
    if let Some(pattern) = PathPattern::parse(text) {
        return Some(pattern);
    }
    let hint = if text.starts_with('/') {
        "in a JSON pointer ~ is written ~0 and a / inside a key ~1".to_owned()
    } else {
        format!("path patterns are JSON pointers and start with /: /{text}")
    };
    d.report_key(at, EXPECTED, format!("the key {}", quote(text)), Some(hint));
    None
}

/// Undoes JSON pointer escaping; `None` for a `~` not followed by 0 or 1.
pub(super) fn unescape(segment: &str) -> Option<String> {
    crate::contract::model::unescape_segment(segment)
}

/// An embedded JSON Schema: no remote references, and it must compile.
/// The schema and its compiled validator.
fn embedded_schema(d: &mut Decoder, node: &Node) -> Option<(Value, SchemaCell)> {
    if !matches!(node.value, Value::Object(_) | Value::Bool(_)) {
        d.mismatch(node, "a JSON Schema (an object)");
        return None;
    }
    let mut remote = Vec::new();
    remote_references(node.clone(), &mut remote);
    if !remote.is_empty() {
        for reference in remote {
            d.mismatch_hinted(
                &reference,
                "a local reference such as #/$defs/Money",
                Some(REMOTE_REF_HINT.to_owned()),
            );
        }
        return None;
    }
    // Offline: even if another crate turns on jsonschema's HTTP feature, decoding never fetches.
    match jsonschema::options().offline().build(node.value) {
        Ok(validator) => Some((node.value.clone(), SchemaCell(Arc::new(validator)))),
        Err(e) => {
            let path = e.instance_path().as_str().to_owned();
            let at = Node {
                value: node.value,
                pointer: format!("{}{path}", node.pointer),
            };
            let hint = match e.kind() {
                jsonschema::error::ValidationErrorKind::Referencing(_) => {
                    REMOTE_REF_HINT.to_owned()
                }
                _ => format!("jsonschema says: {e}"),
            };
            d.report(
                &at,
                "a valid JSON Schema",
                "a schema that does not compile".to_owned(),
                Some(hint),
            );
            None
        }
    }
}

/// Every `$ref` / `$dynamicRef` string that points outside the document.
fn remote_references<'v>(node: Node<'v>, found: &mut Vec<Node<'v>>) {
    match node.value {
        Value::Object(map) => {
            for (key, value) in map {
                let child = node.child(key, value);
                if let ("$ref" | "$dynamicRef", Value::String(target)) = (key.as_str(), value)
                    && !target.starts_with('#')
                {
                    found.push(child);
                    continue;
                }
                remote_references(child, found);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                remote_references(node.child(&i.to_string(), item), found);
            }
        }
        _ => {}
    }
}
