//! Schemas of a provider spec, read into an arena with references resolved and OpenAPI 3.0's
//! dialect normalised to JSON Schema 2020-12 meaning (as OpenAPI 3.1 uses it).
//!
//! A schema is a [`SchemaId`] into [`Schemas`]. Every schema location is read once: a `$ref` to it
//! from anywhere yields the same id, so cyclic schemas are finite graphs, and the builder works from
//! a queue rather than by recursion, so no document can exhaust the stack.
//!
//! Normalisation: 3.0's `nullable: true` adds `null` to the types; 3.0's boolean
//! `exclusiveMinimum` / `exclusiveMaximum` make `minimum` / `maximum` exclusive; in 3.0 the siblings
//! of a `$ref` are ignored (as 3.0 specifies), in 3.1 they apply together with the target; `const`
//! is an enum of one value; `type` may be a list; `true` / `false` are schemas.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use serde_json::{Map, Value};

use super::document::{DocId, Documents, SpecProblem, Target, escape};

/// A schema in [`Schemas`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SchemaId(pub u32);

/// A set of JSON types. `integer` is a subset of `number`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TypeSet(u8);

impl TypeSet {
    pub const NULL: TypeSet = TypeSet(1);
    pub const BOOLEAN: TypeSet = TypeSet(2);
    pub const OBJECT: TypeSet = TypeSet(4);
    pub const ARRAY: TypeSet = TypeSet(8);
    pub const NUMBER: TypeSet = TypeSet(16);
    pub const STRING: TypeSet = TypeSet(32);
    pub const INTEGER: TypeSet = TypeSet(64);
    pub const ANY: TypeSet = TypeSet(127);
    const NAMES: [(TypeSet, &'static str); 7] = [
        (TypeSet::OBJECT, "object"),
        (TypeSet::ARRAY, "array"),
        (TypeSet::STRING, "string"),
        (TypeSet::NUMBER, "number"),
        (TypeSet::INTEGER, "integer"),
        (TypeSet::BOOLEAN, "boolean"),
        (TypeSet::NULL, "null"),
    ];

    pub fn from_name(name: &str) -> Option<TypeSet> {
        Self::NAMES
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(t, _)| *t)
    }

    pub fn union(self, other: TypeSet) -> TypeSet {
        TypeSet(self.0 | other.0)
    }

    /// The types in both; `number` ∩ `integer` is `integer`.
    pub fn intersect(self, other: TypeSet) -> TypeSet {
        let widen = |t: TypeSet| {
            if t.0 & Self::NUMBER.0 != 0 {
                TypeSet(t.0 | Self::INTEGER.0)
            } else {
                t
            }
        };
        let both = TypeSet(widen(self).0 & widen(other).0);
        // `number` survives only if both sides allow any number.
        if self.0 & Self::NUMBER.0 == 0 || other.0 & Self::NUMBER.0 == 0 {
            TypeSet(both.0 & !Self::NUMBER.0)
        } else {
            both
        }
    }

    /// The types of `self` that `other` does not allow (an integer is a number).
    pub fn minus(self, other: TypeSet) -> TypeSet {
        let mut out = self.0 & !other.0;
        if other.0 & Self::NUMBER.0 != 0 {
            out &= !Self::INTEGER.0;
        }
        TypeSet(out)
    }

    pub fn contains(self, other: TypeSet) -> bool {
        other.minus(self).is_empty()
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether a JSON value has one of these types.
    pub fn admits(self, value: &Value) -> bool {
        let t = match value {
            Value::Null => Self::NULL,
            Value::Bool(_) => Self::BOOLEAN,
            Value::Object(_) => Self::OBJECT,
            Value::Array(_) => Self::ARRAY,
            Value::String(_) => Self::STRING,
            Value::Number(n) => {
                let integral =
                    n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0);
                if integral {
                    Self::INTEGER
                } else {
                    Self::NUMBER
                }
            }
        };
        self.contains(t)
    }

    /// The type names, e.g. `string or null`.
    pub fn describe(self) -> String {
        let names: Vec<&str> = Self::NAMES
            .iter()
            .filter(|(t, _)| {
                self.0 & t.0 != 0 && !(t.0 == Self::INTEGER.0 && self.0 & Self::NUMBER.0 != 0)
            })
            .map(|(_, n)| *n)
            .collect();
        match names.as_slice() {
            [] => "nothing".to_owned(),
            [one] => (*one).to_owned(),
            [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
        }
    }
}

/// A numeric bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    pub value: f64,
    pub exclusive: bool,
}

/// One schema, with every subschema as an id. Absent keywords do not constrain.
#[derive(Debug, Clone, Default)]
pub struct SchemaNode {
    /// Where the schema is written.
    pub doc: DocId,
    pub pointer: String,
    /// `false` (or `not: {}`): no value is valid.
    pub never: bool,
    /// `None` allows every type.
    pub types: Option<TypeSet>,
    /// `enum`, or `const` as one value.
    pub enumeration: Option<Vec<Value>>,
    pub properties: BTreeMap<String, SchemaId>,
    pub required: BTreeSet<String>,
    /// `additionalProperties` (a `false` schema when `false`).
    pub additional: Option<SchemaId>,
    pub items: Option<SchemaId>,
    pub all_of: Vec<SchemaId>,
    pub any_of: Vec<SchemaId>,
    pub one_of: Vec<SchemaId>,
    pub not: Option<SchemaId>,
    pub minimum: Option<Bound>,
    pub maximum: Option<Bound>,
    pub multiple_of: Option<f64>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub pattern: Option<String>,
    pub format: Option<String>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub unique_items: bool,
    pub min_properties: Option<u64>,
    pub max_properties: Option<u64>,
    pub deprecated: bool,
    pub read_only: bool,
    pub write_only: bool,
    /// `x-sunset` on a schema (usually a deprecated property).
    pub sunset: Option<chrono::NaiveDate>,
    /// The component name when the schema is `#/components/schemas/<name>`.
    pub name: Option<String>,
}

/// Every schema of a spec.
#[derive(Debug, Default)]
pub struct Schemas {
    nodes: Vec<SchemaNode>,
    by_target: HashMap<Target, SchemaId>,
}

impl Schemas {
    pub fn get(&self, id: SchemaId) -> &SchemaNode {
        &self.nodes[id.0 as usize]
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

/// Reads schemas on demand: [`SchemaBuilder::intern`] gives a location an id at once and queues it;
/// [`SchemaBuilder::finish`] reads the queue until every reachable schema is read.
#[derive(Debug)]
pub struct SchemaBuilder<'a> {
    docs: &'a Documents,
    openapi_30: bool,
    schemas: Schemas,
    queue: VecDeque<(SchemaId, Target, &'a Value)>,
    pub problems: Vec<SpecProblem>,
}

impl<'a> SchemaBuilder<'a> {
    pub fn new(docs: &'a Documents, openapi_30: bool) -> Self {
        SchemaBuilder {
            docs,
            openapi_30,
            schemas: Schemas::default(),
            queue: VecDeque::new(),
            problems: Vec::new(),
        }
    }

    /// The id of the schema at `target`, following `$ref` chains (in 3.0, and in 3.1 where the
    /// reference has no sibling keywords).
    pub fn intern(&mut self, target: Target) -> SchemaId {
        self.intern_at(target, None)
    }

    /// [`SchemaBuilder::intern`] for a location whose value the caller already holds (saving a
    /// pointer lookup from the document root per schema).
    fn intern_at(&mut self, target: Target, known: Option<&'a Value>) -> SchemaId {
        let docs: &'a Documents = self.docs;
        let mut target = target;
        let mut known = known;
        let mut chain: Vec<Target> = Vec::new();
        loop {
            if let Some(&id) = self.schemas.by_target.get(&target) {
                return self.remember(chain, id);
            }
            let Some(value) = known.take().or_else(|| docs.value(&target)) else {
                let id = self.placeholder(&target);
                return self.remember(chain, id);
            };
            let Some(Value::String(reference)) = value.get("$ref") else {
                break;
            };
            if !self.openapi_30 && has_schema_siblings(value) {
                break;
            }
            if chain.contains(&target) {
                self.problems.push(self.docs.problem(
                    target.doc,
                    &target.pointer,
                    "a reference that leads to a schema",
                    "a cycle of references that never reaches a schema",
                    None,
                ));
                let id = self.placeholder(&target);
                return self.remember(chain, id);
            }
            match docs.resolve_value(target.doc, reference) {
                Ok((next, value)) => {
                    chain.push(target);
                    target = next;
                    known = Some(value);
                }
                Err(error) => {
                    self.problems
                        .push(self.docs.ref_problem(target.doc, &target.pointer, error));
                    let id = self.placeholder(&target);
                    return self.remember(chain, id);
                }
            }
        }
        let id = self.reserve(&target);
        let value = known
            .or_else(|| docs.value(&target))
            .unwrap_or(&Value::Null);
        self.queue.push_back((id, target, value));
        self.remember(chain, id)
    }

    fn remember(&mut self, chain: Vec<Target>, id: SchemaId) -> SchemaId {
        for t in chain {
            self.schemas.by_target.insert(t, id);
        }
        id
    }

    fn reserve(&mut self, target: &Target) -> SchemaId {
        let id = SchemaId(self.schemas.nodes.len() as u32);
        let name = target
            .pointer
            .strip_prefix("/components/schemas/")
            .filter(|rest| !rest.contains('/'))
            .map(|n| n.replace("~1", "/").replace("~0", "~"));
        self.schemas.nodes.push(SchemaNode {
            doc: target.doc,
            pointer: target.pointer.clone(),
            name,
            ..SchemaNode::default()
        });
        self.schemas.by_target.insert(target.clone(), id);
        id
    }

    /// An unconstraining schema standing in for one that could not be read (a problem says why).
    fn placeholder(&mut self, target: &Target) -> SchemaId {
        let id = SchemaId(self.schemas.nodes.len() as u32);
        self.schemas.nodes.push(SchemaNode {
            doc: target.doc,
            pointer: target.pointer.clone(),
            ..SchemaNode::default()
        });
        id
    }

    /// Reads every queued schema and returns the arena.
    pub fn finish(mut self) -> (Schemas, Vec<SpecProblem>) {
        while let Some((id, target, value)) = self.queue.pop_front() {
            let node = self.read(&target, value);
            let slot = &mut self.schemas.nodes[id.0 as usize];
            let name = slot.name.take();
            *slot = SchemaNode { name, ..node };
        }
        (self.schemas, self.problems)
    }

    fn child(&mut self, target: &Target, suffix: &str, value: &'a Value) -> SchemaId {
        self.intern_at(
            Target {
                doc: target.doc,
                pointer: format!("{}{suffix}", target.pointer),
            },
            Some(value),
        )
    }

    fn read(&mut self, target: &Target, value: &'a Value) -> SchemaNode {
        let mut node = SchemaNode {
            doc: target.doc,
            pointer: target.pointer.clone(),
            ..SchemaNode::default()
        };
        // Borrowed from the documents (which outlive the builder), never copied.
        let map = match value {
            Value::Bool(b) => {
                node.never = !b;
                return node;
            }
            Value::Object(map) => map,
            other => {
                self.problems.push(self.docs.problem(
                    target.doc,
                    &target.pointer,
                    "a schema (an object, or true / false)",
                    describe(other),
                    None,
                ));
                return node;
            }
        };
        if let Some(Value::String(reference)) = map.get("$ref") {
            // 3.1: a reference with siblings is the conjunction of its target and the siblings.
            match self.docs.resolve(target.doc, reference) {
                Ok(t) => {
                    let id = self.intern(t);
                    node.all_of.push(id);
                }
                Err(e) => self
                    .problems
                    .push(self.docs.ref_problem(target.doc, &target.pointer, e)),
            }
        }
        self.read_types(target, map, &mut node);
        if let Some(Value::Array(values)) = map.get("enum") {
            node.enumeration = Some(values.clone());
        }
        if let Some(value) = map.get("const") {
            node.enumeration = Some(vec![value.clone()]);
        }
        if let Some(Value::Object(props)) = map.get("properties") {
            for (name, prop) in props {
                let id = self.child(target, &format!("/properties/{}", escape(name)), prop);
                node.properties.insert(name.clone(), id);
            }
        }
        if let Some(Value::Array(names)) = map.get("required") {
            node.required = names
                .iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect();
        }
        match map.get("additionalProperties") {
            Some(Value::Bool(true)) | None => {}
            Some(a) => node.additional = Some(self.child(target, "/additionalProperties", a)),
        }
        // Draft 4's tuple form (a list) constrains elements by position; it is treated as any.
        if let Some(items @ (Value::Object(_) | Value::Bool(_))) = map.get("items") {
            node.items = Some(self.child(target, "/items", items));
        }
        for (key, list) in [("allOf", 0), ("anyOf", 1), ("oneOf", 2)] {
            if let Some(Value::Array(items)) = map.get(key) {
                let ids: Vec<SchemaId> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.child(target, &format!("/{key}/{i}"), item))
                    .collect();
                match list {
                    0 => node.all_of.extend(ids),
                    1 => node.any_of = ids,
                    _ => node.one_of = ids,
                }
            }
        }
        if let Some(not) = map.get("not") {
            node.not = Some(self.child(target, "/not", not));
        }
        self.read_bounds(map, &mut node);
        let uint = |key: &str| map.get(key).and_then(Value::as_u64);
        node.min_length = uint("minLength").filter(|&n| n > 0);
        node.max_length = uint("maxLength");
        node.min_items = uint("minItems").filter(|&n| n > 0);
        node.max_items = uint("maxItems");
        node.min_properties = uint("minProperties").filter(|&n| n > 0);
        node.max_properties = uint("maxProperties");
        node.pattern = map
            .get("pattern")
            .and_then(Value::as_str)
            .map(str::to_owned);
        node.format = map.get("format").and_then(Value::as_str).map(str::to_owned);
        let flag = |key: &str| map.get(key).and_then(Value::as_bool).unwrap_or(false);
        node.unique_items = flag("uniqueItems");
        node.deprecated = flag("deprecated");
        node.read_only = flag("readOnly");
        node.write_only = flag("writeOnly");
        if let Some(value) = map.get("x-sunset") {
            match super::build::read_sunset(value) {
                Ok(date) => node.sunset = Some(date),
                Err((expected, found)) => self.problems.push(self.docs.problem(
                    target.doc,
                    &format!("{}/x-sunset", target.pointer),
                    expected,
                    found,
                    None,
                )),
            }
        }
        node
    }

    fn read_types(&mut self, target: &Target, map: &Map<String, Value>, node: &mut SchemaNode) {
        let mut types = match map.get("type") {
            None => None,
            Some(Value::String(name)) => Some(self.type_name(target, name)),
            Some(Value::Array(names)) => Some(
                names
                    .iter()
                    .filter_map(Value::as_str)
                    .fold(TypeSet::default(), |acc, n| {
                        acc.union(self.type_name(target, n))
                    }),
            ),
            Some(other) => {
                self.problems.push(self.docs.problem(
                    target.doc,
                    &format!("{}/type", target.pointer),
                    "a type name or a list of type names",
                    describe(other),
                    None,
                ));
                None
            }
        };
        if self.openapi_30 && map.get("nullable") == Some(&Value::Bool(true)) {
            types = types.map(|t| t.union(TypeSet::NULL));
            if let Some(Value::Array(values)) = map.get("enum")
                && !values.contains(&Value::Null)
            {
                // 3.0.3: an enum without null keeps null out even when nullable.
                types = types.map(|t| t.minus(TypeSet::NULL));
            }
        }
        node.types = types;
    }

    fn type_name(&mut self, target: &Target, name: &str) -> TypeSet {
        TypeSet::from_name(name).unwrap_or_else(|| {
            self.problems.push(self.docs.problem(
                target.doc,
                &format!("{}/type", target.pointer),
                "one of object, array, string, number, integer, boolean, null",
                format!("the type {name:?}"),
                None,
            ));
            TypeSet::ANY
        })
    }

    fn read_bounds(&self, map: &Map<String, Value>, node: &mut SchemaNode) {
        let num = |key: &str| map.get(key).and_then(Value::as_f64);
        let bound =
            |value: Option<f64>, exclusive: bool| value.map(|value| Bound { value, exclusive });
        node.multiple_of = num("multipleOf");
        for (plain, exclusive, slot) in [
            ("minimum", "exclusiveMinimum", &mut node.minimum),
            ("maximum", "exclusiveMaximum", &mut node.maximum),
        ] {
            *slot = match map.get(exclusive) {
                // 3.0 (draft 4 style): a boolean makes the plain bound exclusive.
                Some(Value::Bool(b)) => bound(num(plain), *b),
                // 3.1: a number is the exclusive bound; the tighter of the two applies.
                Some(Value::Number(n)) => {
                    let ex = n.as_f64();
                    match (num(plain), ex) {
                        (Some(p), Some(e)) => {
                            let tighter_is_plain = if plain == "minimum" { p > e } else { p < e };
                            if tighter_is_plain {
                                bound(Some(p), false)
                            } else {
                                bound(Some(e), true)
                            }
                        }
                        (p, e) => bound(e, true).or(bound(p, false)),
                    }
                }
                _ => bound(num(plain), false),
            };
        }
    }
}

/// Whether a `$ref` object carries schema keywords beside the reference (annotations do not count).
fn has_schema_siblings(value: &Value) -> bool {
    value.as_object().is_some_and(|map| {
        map.keys().any(|k| {
            !matches!(
                k.as_str(),
                "$ref" | "description" | "summary" | "title" | "example" | "examples" | "$comment"
            ) && !k.starts_with("x-")
        })
    })
}

/// A value described for messages: `the string "x"`, `a number`, `an array`.
pub fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}
