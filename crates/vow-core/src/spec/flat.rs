//! Schemas by meaning: a conjunction of schemas (`allOf` parts, a `$ref` and its siblings) merged
//! into one flat view, and `oneOf` / `anyOf` expanded into alternatives.
//!
//! This is what makes comparisons insensitive to composition: splitting a schema into `allOf` parts,
//! reordering them, wrapping a schema in a one-branch `oneOf` or renaming a `$ref` target all give
//! the same flat view.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde_json::Value;

use super::schema::{Bound, SchemaId, Schemas, TypeSet};

/// At most this many alternatives are expanded from `oneOf` / `anyOf` groups; beyond it, a schema
/// is compared as one flat view with its choices unresolved.
const MAX_ALTERNATIVES: usize = 32;

/// The merged view of a conjunction of schemas.
#[derive(Debug, Clone, Default)]
pub struct Flat {
    pub never: bool,
    pub types: Option<TypeSet>,
    pub enumeration: Option<Vec<Value>>,
    /// Each property's schemas (several when several parts declare it).
    pub properties: BTreeMap<String, Vec<SchemaId>>,
    /// Where each property is first declared: the declaring schema's document and pointer.
    pub declared_at: BTreeMap<String, (usize, String)>,
    pub required: BTreeSet<String>,
    /// `additionalProperties` schemas; `closed` when one of them is `false`.
    pub additional: Vec<SchemaId>,
    pub closed: bool,
    pub items: Vec<SchemaId>,
    pub minimum: Option<Bound>,
    pub maximum: Option<Bound>,
    pub multiple_of: Option<f64>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub patterns: BTreeSet<String>,
    pub format: Option<String>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub unique_items: bool,
    pub max_properties: Option<u64>,
    /// `oneOf` / `anyOf` groups with two or more branches that no part has chosen.
    pub choices: Vec<Vec<SchemaId>>,
    /// The first part's location and component name, for messages.
    pub doc: usize,
    pub pointer: String,
    pub name: Option<String>,
    pub deprecated: bool,
    pub sunset: Option<chrono::NaiveDate>,
}

impl Flat {
    /// The types allowed, everything when unconstrained.
    pub fn type_set(&self) -> TypeSet {
        self.types.unwrap_or(TypeSet::ANY)
    }

    pub fn may_be_object(&self) -> bool {
        self.type_set().contains(TypeSet::OBJECT)
    }
}

/// Merges the schemas of `conj` (and everything they include through `allOf` and one-branch
/// `oneOf` / `anyOf`) into one view.
pub fn flatten(schemas: &Schemas, conj: &[SchemaId]) -> Flat {
    let mut flat = Flat::default();
    let mut seen: HashSet<SchemaId> = HashSet::new();
    let mut work: Vec<SchemaId> = conj.iter().rev().copied().collect();
    let mut groups: Vec<Vec<SchemaId>> = Vec::new();
    let mut first = true;
    while let Some(id) = work.pop() {
        if !seen.insert(id) {
            continue;
        }
        let node = schemas.get(id);
        if first {
            flat.pointer = node.pointer.clone();
            flat.doc = node.doc;
            first = false;
        }
        // A schema that only composes others is named after itself; the merged view takes the
        // first name met.
        if flat.name.is_none() {
            flat.name = node.name.clone();
        }
        flat.never |= node.never;
        flat.deprecated |= node.deprecated;
        flat.sunset = flat.sunset.or(node.sunset);
        if let Some(t) = node.types {
            flat.types = Some(match flat.types {
                Some(f) => f.intersect(t),
                None => t,
            });
        }
        if let Some(values) = &node.enumeration {
            flat.enumeration = Some(match flat.enumeration.take() {
                Some(existing) => existing
                    .into_iter()
                    .filter(|v| values.contains(v))
                    .collect(),
                None => values.clone(),
            });
        }
        for (name, prop) in &node.properties {
            flat.declared_at.entry(name.clone()).or_insert_with(|| {
                (
                    node.doc,
                    format!(
                        "{}/properties/{}",
                        node.pointer,
                        super::document::escape(name)
                    ),
                )
            });
            let entry = flat.properties.entry(name.clone()).or_default();
            if !entry.contains(prop) {
                entry.push(*prop);
            }
        }
        flat.required.extend(node.required.iter().cloned());
        if let Some(a) = node.additional {
            if schemas.get(a).never {
                flat.closed = true;
            } else {
                flat.additional.push(a);
            }
        }
        flat.items.extend(node.items);
        flat.minimum = tighter(flat.minimum, node.minimum, true);
        flat.maximum = tighter(flat.maximum, node.maximum, false);
        flat.multiple_of = flat.multiple_of.or(node.multiple_of);
        flat.min_length = max_opt(flat.min_length, node.min_length);
        flat.max_length = min_opt(flat.max_length, node.max_length);
        flat.min_items = max_opt(flat.min_items, node.min_items);
        flat.max_items = min_opt(flat.max_items, node.max_items);
        flat.max_properties = min_opt(flat.max_properties, node.max_properties);
        flat.patterns.extend(node.pattern.iter().cloned());
        flat.format = flat.format.take().or_else(|| node.format.clone());
        flat.unique_items |= node.unique_items;
        work.extend(node.all_of.iter().rev());
        for group in [&node.one_of, &node.any_of] {
            match group.as_slice() {
                [] => {}
                [only] => work.push(*only),
                many => groups.push(many.to_vec()),
            }
        }
    }
    // A group is resolved when one of its branches is itself part of the conjunction (that is how
    // alternatives are expressed); otherwise it stays a choice.
    flat.choices = groups
        .into_iter()
        .filter(|g| !g.iter().any(|b| seen.contains(b)))
        .collect();
    flat.choices.dedup();
    flat
}

/// The alternatives of a conjunction: one conjunction per combination of `oneOf` / `anyOf`
/// branches, each of which flattens without choices. A schema without choices is its own single
/// alternative. Beyond [`MAX_ALTERNATIVES`], the conjunction is returned unexpanded.
pub fn alternatives(schemas: &Schemas, conj: &[SchemaId]) -> Vec<Vec<SchemaId>> {
    let mut done = Vec::new();
    let mut pending = vec![conj.to_vec()];
    while let Some(alt) = pending.pop() {
        let flat = flatten(schemas, &alt);
        match flat.choices.first() {
            None => done.push(alt),
            Some(group) => {
                if done.len() + pending.len() + group.len() > MAX_ALTERNATIVES {
                    return vec![conj.to_vec()];
                }
                for branch in group.iter().rev() {
                    let mut next = alt.clone();
                    next.push(*branch);
                    pending.push(next);
                }
            }
        }
    }
    done
}

fn tighter(a: Option<Bound>, b: Option<Bound>, lower: bool) -> Option<Bound> {
    match (a, b) {
        (Some(a), Some(b)) => {
            let a_tighter = if lower {
                a.value > b.value || (a.value == b.value && a.exclusive)
            } else {
                a.value < b.value || (a.value == b.value && a.exclusive)
            };
            Some(if a_tighter { a } else { b })
        }
        (a, b) => a.or(b),
    }
}

fn max_opt(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn min_opt(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}
