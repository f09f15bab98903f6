//! Validating a JSON value against a spec schema (JSON Schema 2020-12 meaning, after
//! normalisation): used to check the requests a contract sends, and to tell whether a consumer's
//! values survive a tightened schema.
//!
//! `format` is an annotation, as 2020-12 says, and is not asserted. Regular expressions use the
//! `regex` crate's syntax, which covers what OpenAPI documents write in practice; a pattern it
//! cannot compile does not constrain.

use std::cell::RefCell;
use std::collections::HashMap;

use serde_json::Value;

use super::document::escape;
use super::schema::{SchemaId, Schemas, TypeSet, describe};

/// One way a value breaks a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer into the value.
    pub pointer: String,
    /// What the schema requires there.
    pub expected: String,
    /// What the value holds.
    pub found: String,
}

/// Validates values against the schemas of one spec.
#[derive(Debug)]
pub struct Validator<'a> {
    schemas: &'a Schemas,
    patterns: RefCell<HashMap<String, Option<regex::Regex>>>,
}

/// Schema nesting (through references) deeper than this stops validation of that branch.
const MAX_DEPTH: usize = 128;

impl<'a> Validator<'a> {
    pub fn new(schemas: &'a Schemas) -> Self {
        Validator {
            schemas,
            patterns: RefCell::new(HashMap::new()),
        }
    }

    /// Every violation of `schema` by `value` (at most 20).
    pub fn validate(&self, schema: SchemaId, value: &Value) -> Vec<Violation> {
        let mut out = Vec::new();
        self.check(schema, value, "", &mut out, 0);
        out.truncate(20);
        out
    }

    pub fn is_valid(&self, schema: SchemaId, value: &Value) -> bool {
        let mut out = Vec::new();
        self.check(schema, value, "", &mut out, 0);
        out.is_empty()
    }

    fn check(&self, id: SchemaId, value: &Value, at: &str, out: &mut Vec<Violation>, depth: usize) {
        if depth > MAX_DEPTH || out.len() >= 20 {
            return;
        }
        let node = self.schemas.get(id);
        let mut fail = |expected: String| {
            out.push(Violation {
                pointer: at.to_owned(),
                expected,
                found: describe(value),
            })
        };
        if node.never {
            fail("nothing (the schema is false)".to_owned());
            return;
        }
        if let Some(types) = node.types
            && !types.admits(value)
        {
            fail(format!("a value of type {}", types.describe()));
            return;
        }
        if let Some(values) = &node.enumeration
            && !values.contains(value)
        {
            let list: Vec<String> = values.iter().take(8).map(Value::to_string).collect();
            fail(format!("one of {}", list.join(", ")));
        }
        match value {
            Value::Number(n) => {
                let x = n.as_f64().unwrap_or(0.0);
                if let Some(b) = node.minimum
                    && (x < b.value || (b.exclusive && x == b.value))
                {
                    let op = if b.exclusive { ">" } else { "≥" };
                    fail(format!("a number {op} {}", b.value));
                }
                if let Some(b) = node.maximum
                    && (x > b.value || (b.exclusive && x == b.value))
                {
                    let op = if b.exclusive { "<" } else { "≤" };
                    fail(format!("a number {op} {}", b.value));
                }
                if let Some(m) = node.multiple_of
                    && m > 0.0
                    && ((x / m).round() - x / m).abs() > 1e-9
                {
                    fail(format!("a multiple of {m}"));
                }
            }
            Value::String(s) => {
                let len = s.chars().count() as u64;
                if node.min_length.is_some_and(|m| len < m)
                    || node.max_length.is_some_and(|m| len > m)
                {
                    fail(format!(
                        "a string of {} to {} characters",
                        node.min_length.unwrap_or(0),
                        node.max_length
                            .map_or("any number of".to_owned(), |m| m.to_string())
                    ));
                }
                if let Some(p) = &node.pattern
                    && let Some(re) = self.pattern(p)
                    && !re.is_match(s)
                {
                    fail(format!("a string matching {p}"));
                }
            }
            Value::Array(items) => {
                let len = items.len() as u64;
                if node.min_items.is_some_and(|m| len < m)
                    || node.max_items.is_some_and(|m| len > m)
                {
                    fail(format!(
                        "an array of {} to {} elements",
                        node.min_items.unwrap_or(0),
                        node.max_items
                            .map_or("any number of".to_owned(), |m| m.to_string())
                    ));
                }
                if let Some(item) = node.items {
                    for (i, v) in items.iter().enumerate() {
                        self.check(item, v, &format!("{at}/{i}"), out, depth + 1);
                    }
                }
            }
            Value::Object(map) => {
                for name in &node.required {
                    if !map.contains_key(name) {
                        out.push(Violation {
                            pointer: format!("{at}/{}", escape(name)),
                            expected: "a required member".to_owned(),
                            found: "nothing".to_owned(),
                        });
                    }
                }
                for (k, v) in map {
                    let path = format!("{at}/{}", escape(k));
                    match node.properties.get(k) {
                        Some(&p) => self.check(p, v, &path, out, depth + 1),
                        None => {
                            if let Some(a) = node.additional {
                                if self.schemas.get(a).never {
                                    out.push(Violation {
                                        pointer: path,
                                        expected:
                                            "no member by this name (additionalProperties: false)"
                                                .to_owned(),
                                        found: describe(v),
                                    });
                                } else {
                                    self.check(a, v, &path, out, depth + 1);
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        for &part in &node.all_of {
            self.check(part, value, at, out, depth + 1);
        }
        if !node.any_of.is_empty() && !node.any_of.iter().any(|&b| self.passes(b, value, depth)) {
            out.push(Violation {
                pointer: at.to_owned(),
                expected: format!(
                    "a value valid against one of {} alternatives (anyOf)",
                    node.any_of.len()
                ),
                found: describe(value),
            });
        }
        if !node.one_of.is_empty() {
            let passing = node
                .one_of
                .iter()
                .filter(|&&b| self.passes(b, value, depth))
                .count();
            if passing != 1 {
                out.push(Violation {
                    pointer: at.to_owned(),
                    expected: format!(
                        "a value valid against exactly one of {} alternatives (oneOf)",
                        node.one_of.len()
                    ),
                    found: format!("{} valid against {passing}", describe(value)),
                });
            }
        }
        if let Some(not) = node.not
            && self.passes(not, value, depth)
        {
            out.push(Violation {
                pointer: at.to_owned(),
                expected: "a value the `not` schema rejects".to_owned(),
                found: describe(value),
            });
        }
    }

    fn passes(&self, id: SchemaId, value: &Value, depth: usize) -> bool {
        let mut out = Vec::new();
        self.check(id, value, "", &mut out, depth + 1);
        out.is_empty()
    }

    fn pattern(&self, p: &str) -> Option<regex::Regex> {
        self.patterns
            .borrow_mut()
            .entry(p.to_owned())
            .or_insert_with(|| regex::Regex::new(p).ok())
            .clone()
    }
}

/// Whether `types` admits a string such as a query parameter's text, read as the type it claims
/// (`integer` → `12`, `boolean` → `true`).
pub fn coerce_text(text: &str, types: Option<TypeSet>) -> Value {
    let Some(types) = types else {
        return Value::String(text.to_owned());
    };
    if types.contains(TypeSet::STRING) {
        return Value::String(text.to_owned());
    }
    if (types.contains(TypeSet::INTEGER) || types.contains(TypeSet::NUMBER))
        && let Ok(n) = serde_json::from_str::<serde_json::Number>(text)
    {
        return Value::Number(n);
    }
    if types.contains(TypeSet::BOOLEAN) && matches!(text, "true" | "false") {
        return Value::Bool(text == "true");
    }
    Value::String(text.to_owned())
}
