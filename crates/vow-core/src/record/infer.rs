//! A JSON Schema inferred from bodies, folded in one body at a time into bounded state: the types
//! seen at each place, which object members appear in every observation (required) or only some
//! (optional), a string `format` every value fits, an `enum` when few values recur, and array
//! items merged. Nothing grows with the number of bodies; caps bound depth, members per object,
//! distinct values tracked per place and places per schema.

use serde_json::{Map, Value, json};

use super::template::classify;

/// The caps that bound an inference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InferLimits {
    /// Deepest place described; below it any value is allowed.
    pub max_depth: usize,
    /// Members tracked per object; further members are allowed, not described.
    pub max_keys: usize,
    /// Places (schema nodes) per inference.
    pub max_nodes: usize,
    /// Distinct string values tracked per place for `enum`.
    pub max_distinct: usize,
    /// Longest string tracked for `enum`.
    pub max_enum_len: usize,
}

impl Default for InferLimits {
    fn default() -> Self {
        InferLimits {
            max_depth: 8,
            max_keys: 64,
            max_nodes: 512,
            max_distinct: 8,
            max_enum_len: 64,
        }
    }
}

const NULL: u8 = 1;
const BOOLEAN: u8 = 2;
const INTEGER: u8 = 4;
const NUMBER: u8 = 8;
const STRING: u8 = 16;
const ARRAY: u8 = 32;
const OBJECT: u8 = 64;

const DATE_TIME: u8 = 1;
const DATE: u8 = 2;
const UUID: u8 = 4;
const EMAIL: u8 = 8;
const URI: u8 = 16;
const ALL_FORMATS: u8 = DATE_TIME | DATE | UUID | EMAIL | URI;
const FORMATS: [(u8, &str); 5] = [
    (DATE_TIME, "date-time"),
    (DATE, "date"),
    (UUID, "uuid"),
    (EMAIL, "email"),
    (URI, "uri"),
];

/// One place in the bodies.
#[derive(Debug, Clone, Default, PartialEq)]
struct Node {
    /// Values observed here.
    seen: u64,
    types: u8,
    /// Formats every string seen here fits.
    formats: u8,
    strings: u64,
    /// Distinct strings with their counts, until there are too many (`None`).
    distinct: Option<Vec<(String, u64)>>,
    /// Objects observed here, and their members with how often each was present.
    objects: u64,
    members: Vec<(String, u64, Node)>,
    /// Array elements, all merged into one node.
    items: Option<Box<Node>>,
    /// The depth cap was reached here: anything goes below.
    open: bool,
}

/// The schema inferred so far from the bodies observed at one place (e.g. an operation's 200s).
#[derive(Debug, Clone, PartialEq)]
pub struct Inference {
    limits: InferLimits,
    root: Node,
    nodes: usize,
    bodies: u64,
}

impl Inference {
    pub fn new(limits: InferLimits) -> Inference {
        Inference {
            limits,
            root: Node::default(),
            nodes: 1,
            bodies: 0,
        }
    }

    /// Bodies folded in.
    pub fn bodies(&self) -> u64 {
        self.bodies
    }

    /// Folds one body in.
    pub fn observe(&mut self, value: &Value) {
        self.bodies += 1;
        let mut nodes = self.nodes;
        observe(&mut self.root, value, 0, &self.limits, &mut nodes);
        self.nodes = nodes;
    }

    /// Folds another inference in, as if its bodies had been observed here.
    pub fn merge(&mut self, other: &Inference) {
        self.bodies += other.bodies;
        let mut nodes = self.nodes;
        merge(&mut self.root, &other.root, &self.limits, &mut nodes);
        self.nodes = nodes;
    }

    /// The inferred JSON Schema (draft 2020-12). Empty (`{}`) before any body.
    pub fn schema(&self) -> Value {
        let mut schema = Map::new();
        schema.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        if let Value::Object(rest) = to_schema(&self.root) {
            schema.extend(rest);
        }
        Value::Object(schema)
    }
}

fn type_bit(value: &Value) -> u8 {
    match value {
        Value::Null => NULL,
        Value::Bool(_) => BOOLEAN,
        Value::Number(n) if n.is_i64() || n.is_u64() => INTEGER,
        Value::Number(_) => NUMBER,
        Value::String(_) => STRING,
        Value::Array(_) => ARRAY,
        Value::Object(_) => OBJECT,
    }
}

fn formats_of(s: &str) -> u8 {
    let mut formats = 0;
    if chrono::DateTime::parse_from_rfc3339(s).is_ok() {
        formats |= DATE_TIME;
    }
    if s.len() == 10 && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() {
        formats |= DATE;
    }
    if s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
    {
        formats |= UUID;
    }
    if let Some((local, domain)) = s.split_once('@')
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.contains(char::is_whitespace)
        && !domain.contains('@')
    {
        formats |= EMAIL;
    }
    if let Some((scheme, rest)) = s.split_once("://")
        && !rest.is_empty()
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !s.contains(char::is_whitespace)
    {
        formats |= URI;
    }
    formats
}

fn observe(node: &mut Node, value: &Value, depth: usize, limits: &InferLimits, nodes: &mut usize) {
    node.seen += 1;
    node.types |= type_bit(value);
    if depth >= limits.max_depth {
        node.open = true;
        return;
    }
    match value {
        Value::String(s) => {
            node.formats = if node.strings == 0 {
                formats_of(s)
            } else if node.formats != 0 {
                node.formats & formats_of(s)
            } else {
                0
            };
            node.strings += 1;
            if node.strings == 1 {
                node.distinct = Some(Vec::new());
            }
            count_distinct(node, s, 1, limits);
        }
        Value::Array(items) => {
            for item in items {
                let child = node.items.get_or_insert_with(|| {
                    *nodes += 1;
                    Box::default()
                });
                observe(child, item, depth + 1, limits, nodes);
            }
        }
        Value::Object(members) => {
            node.objects += 1;
            for (key, member) in members {
                if let Some(entry) = node.members.iter_mut().find(|(k, _, _)| k == key) {
                    entry.1 += 1;
                    observe(&mut entry.2, member, depth + 1, limits, nodes);
                } else if node.members.len() < limits.max_keys && *nodes < limits.max_nodes {
                    *nodes += 1;
                    let mut child = Node::default();
                    observe(&mut child, member, depth + 1, limits, nodes);
                    // Present in this object only; earlier objects lacked it.
                    node.members.push((key.clone(), 1, child));
                }
            }
        }
        _ => {}
    }
}

fn count_distinct(node: &mut Node, s: &str, count: u64, limits: &InferLimits) {
    let Some(distinct) = &mut node.distinct else {
        return;
    };
    if s.len() > limits.max_enum_len {
        node.distinct = None;
        return;
    }
    if let Some(entry) = distinct.iter_mut().find(|(v, _)| v == s) {
        entry.1 += count;
    } else if distinct.len() < limits.max_distinct {
        distinct.push((s.to_owned(), count));
    } else {
        node.distinct = None;
    }
}

fn merge(into: &mut Node, from: &Node, limits: &InferLimits, nodes: &mut usize) {
    into.types |= from.types;
    into.open |= from.open;
    if from.strings > 0 {
        into.formats = if into.strings == 0 {
            from.formats
        } else {
            into.formats & from.formats
        };
        match &from.distinct {
            None => into.distinct = None,
            Some(values) => {
                if into.strings == 0 {
                    into.distinct = Some(Vec::new());
                }
                for (value, count) in values {
                    count_distinct(into, value, *count, limits);
                }
            }
        }
        into.strings += from.strings;
    }
    into.seen += from.seen;
    if let Some(from_items) = &from.items {
        match &mut into.items {
            Some(items) => merge(items, from_items, limits, nodes),
            None if *nodes + size(from_items) <= limits.max_nodes => {
                *nodes += size(from_items);
                into.items = Some(from_items.clone());
            }
            None => into.open = true,
        }
    }
    for (key, present, child) in &from.members {
        if let Some(entry) = into.members.iter_mut().find(|(k, _, _)| k == key) {
            entry.1 += present;
            merge(&mut entry.2, child, limits, nodes);
        } else if into.members.len() < limits.max_keys && *nodes + size(child) <= limits.max_nodes {
            *nodes += size(child);
            into.members.push((key.clone(), *present, child.clone()));
        }
    }
    into.objects += from.objects;
}

/// The places in a subtree.
fn size(node: &Node) -> usize {
    1 + node.items.as_deref().map_or(0, size)
        + node.members.iter().map(|(_, _, c)| size(c)).sum::<usize>()
}

fn to_schema(node: &Node) -> Value {
    let mut schema = Map::new();
    let mut types = node.types;
    if types & INTEGER != 0 && types & NUMBER != 0 {
        types &= !INTEGER;
    }
    let names: Vec<&str> = [
        (OBJECT, "object"),
        (ARRAY, "array"),
        (STRING, "string"),
        (INTEGER, "integer"),
        (NUMBER, "number"),
        (BOOLEAN, "boolean"),
        (NULL, "null"),
    ]
    .iter()
    .filter(|(bit, _)| types & bit != 0)
    .map(|(_, name)| *name)
    .collect();
    match names.as_slice() {
        [] => return Value::Object(schema),
        [one] => {
            schema.insert("type".into(), json!(one));
        }
        many => {
            schema.insert("type".into(), json!(many));
        }
    }
    if node.open {
        return Value::Object(schema);
    }
    if node.strings > 0 {
        if let Some((_, name)) = FORMATS
            .iter()
            .find(|(bit, _)| node.formats & ALL_FORMATS & bit != 0)
        {
            schema.insert("format".into(), json!(name));
        } else if let Some(values) = enum_values(node) {
            let mut values: Vec<Value> = values.into_iter().map(Value::String).collect();
            if types & NULL != 0 {
                values.push(Value::Null);
            }
            schema.insert("enum".into(), Value::Array(values));
        }
    }
    if node.objects > 0 && !node.members.is_empty() {
        let mut properties = Map::new();
        let mut required = Vec::new();
        for (key, present, child) in &node.members {
            properties.insert(key.clone(), to_schema(child));
            if *present == node.objects {
                required.push(json!(key));
            }
        }
        schema.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            schema.insert("required".into(), Value::Array(required));
        }
    }
    if let Some(items) = &node.items {
        schema.insert("items".into(), to_schema(items));
    }
    Value::Object(schema)
}

/// An `enum` is stated when few values recur: at most `max_distinct`, each seen at least twice,
/// at least four strings in all and three per distinct value, and none of them an identifier (ids recur in replays of one path,
/// not in the API's answers).
fn enum_values(node: &Node) -> Option<Vec<String>> {
    let values = node.distinct.as_ref()?;
    if node.strings < 4
        || values.is_empty()
        || node.strings < 3 * values.len() as u64
        || values.iter().any(|(_, n)| *n < 2)
    {
        return None;
    }
    if values
        .iter()
        .any(|(v, _)| classify(v).is_identifier() || v.is_empty())
    {
        return None;
    }
    let mut sorted: Vec<String> = values.iter().map(|(v, _)| v.clone()).collect();
    sorted.sort();
    Some(sorted)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn infer(bodies: &[Value]) -> Value {
        let mut inference = Inference::new(InferLimits::default());
        for body in bodies {
            inference.observe(body);
        }
        let mut schema = inference.schema();
        schema.as_object_mut().map(|o| o.remove("$schema"));
        schema
    }

    #[test]
    fn members_in_every_body_are_required_the_others_optional() {
        let schema = infer(&[
            json!({"id": "c-1", "total": "1.00", "note": "gift"}),
            json!({"id": "c-2", "total": "2.00"}),
        ]);
        assert_eq!(
            schema,
            json!({
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "total": {"type": "string"},
                    "note": {"type": "string"}
                },
                "required": ["id", "total"]
            })
        );
    }

    #[test]
    fn types_merge_integers_widen_to_numbers_and_nulls_are_kept() {
        let schema = infer(&[json!({"n": 1, "m": null}), json!({"n": 1.5, "m": "x"})]);
        assert_eq!(schema["properties"]["n"], json!({"type": "number"}));
        assert_eq!(
            schema["properties"]["m"],
            json!({"type": ["string", "null"]})
        );
    }

    #[test]
    fn a_format_is_stated_only_when_every_value_fits_it() {
        let schema = infer(&[
            json!({"at": "2026-11-21T10:00:00Z", "day": "2026-11-21", "id": "0f8e7d6c-1b2a-4c3d-9e8f-a1b2c3d4e5f6", "mail": "a@b.example", "link": "https://shop.example/c/1", "mixed": "2026-11-21"}),
            json!({"at": "2026-11-22T10:00:00.5+01:00", "day": "2026-11-22", "id": "1f8e7d6c-1b2a-4c3d-9e8f-a1b2c3d4e5f6", "mail": "c@d.example", "link": "urn-like", "mixed": "tomorrow"}),
        ]);
        let p = &schema["properties"];
        assert_eq!(p["at"]["format"], "date-time");
        assert_eq!(p["day"]["format"], "date");
        assert_eq!(p["id"]["format"], "uuid");
        assert_eq!(p["mail"]["format"], "email");
        assert_eq!(p["link"].get("format"), None);
        assert_eq!(p["mixed"].get("format"), None);
    }

    #[test]
    fn an_enum_needs_few_values_that_recur() {
        let statuses = |values: &[&str]| {
            infer(
                &values
                    .iter()
                    .map(|s| json!({"status": s}))
                    .collect::<Vec<_>>(),
            )["properties"]["status"]
                .clone()
        };
        assert_eq!(
            statuses(&["open", "paid", "open", "paid", "open", "paid"]),
            json!({"type": "string", "enum": ["open", "paid"]})
        );
        // A value seen once may be one of many.
        assert_eq!(
            statuses(&["open", "paid", "open", "open"]),
            json!({"type": "string"})
        );
        // Too few observations.
        assert_eq!(
            statuses(&["open", "open", "open"]),
            json!({"type": "string"})
        );
        // Identifiers are not an enumeration.
        assert_eq!(
            statuses(&["c-1001", "c-1001", "c-1001", "c-1001"]),
            json!({"type": "string"})
        );
        // More distinct values than tracked.
        let many: Vec<String> = (0..20)
            .flat_map(|i| [format!("s{i}x"), format!("s{i}x")])
            .collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(statuses(&many), json!({"type": "string"}));
    }

    #[test]
    fn array_items_merge_across_elements_and_bodies() {
        let schema = infer(&[
            json!({"items": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2, "gift": true}]}),
            json!({"items": []}),
        ]);
        assert_eq!(
            schema["properties"]["items"],
            json!({
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"sku": {"type": "string"}, "qty": {"type": "integer"}, "gift": {"type": "boolean"}},
                    "required": ["qty", "sku"]
                }
            })
        );
    }

    #[test]
    fn caps_bound_depth_members_and_places() {
        let limits = InferLimits {
            max_depth: 2,
            max_keys: 3,
            max_nodes: 6,
            ..InferLimits::default()
        };
        let mut inference = Inference::new(limits);
        inference
            .observe(&json!({"a": {"b": {"c": {"d": 1}}}, "k1": 1, "k2": 2, "k3": 3, "k4": 4}));
        let schema = inference.schema();
        assert_eq!(
            schema["properties"]["a"]["properties"]["b"],
            json!({"type": "object"})
        );
        assert_eq!(schema["properties"].as_object().map(|o| o.len()), Some(3));
        assert!(inference.nodes <= 6);
        for i in 0..1000 {
            inference.observe(&json!({format!("key{i}"): {"deep": [i]}}));
        }
        assert!(inference.nodes <= 6, "{}", inference.nodes);
    }

    #[test]
    fn merging_equals_observing_everything_in_one() {
        let bodies = [
            json!({"a": 1, "s": "x"}),
            json!({"a": 2.5, "t": [1]}),
            json!({"s": "x"}),
            json!({"s": "x", "a": 3}),
        ];
        let mut left = Inference::new(InferLimits::default());
        let mut right = Inference::new(InferLimits::default());
        left.observe(&bodies[0]);
        left.observe(&bodies[1]);
        right.observe(&bodies[2]);
        right.observe(&bodies[3]);
        left.merge(&right);
        assert_eq!(left.schema(), infer_with_schema(&bodies));
    }

    fn infer_with_schema(bodies: &[Value]) -> Value {
        let mut inference = Inference::new(InferLimits::default());
        for body in bodies {
            inference.observe(body);
        }
        inference.schema()
    }

    #[test]
    fn inferred_schemas_compile_and_accept_what_they_came_from() {
        let bodies = [
            json!({"id": "c-1", "items": [{"sku": "A"}], "total": "1.00", "at": "2026-11-21T10:00:00Z"}),
            json!({"id": "c-2", "items": [], "total": null, "at": "2026-11-21T11:00:00Z"}),
        ];
        let schema = infer_with_schema(&bodies);
        let validator = jsonschema::options()
            .offline()
            .build(&schema)
            .expect("compiles");
        for body in &bodies {
            assert!(validator.is_valid(body), "{body}");
        }
        assert!(!validator.is_valid(&json!({"items": []})));
    }
}
