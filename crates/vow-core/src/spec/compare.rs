//! Comparing two versions of a schema by meaning, in the direction that matters.
//!
//! For a **response**, the consumer was built against the old schema, so a change breaks it when the
//! new schema allows a value the old one did not promise (a field removed or made optional, a type
//! or enum widened, a `oneOf` branch added). For a **request**, the consumer sends values the old
//! schema accepted, so a change breaks it when the new schema rejects one of them (a field made
//! required, a type or enum narrowed, a constraint tightened).
//!
//! Both sides are compared as [`flat`](super::flat) views, so composition that keeps the set of
//! values (wrapping in a one-branch `oneOf`, splitting or reordering `allOf`, renaming a `$ref`
//! target) reports nothing. Pairs already compared are remembered, which makes cyclic schemas
//! finite and shared components cheap.

use std::collections::HashMap;
use std::rc::Rc;

use serde_json::Value;

use super::flat::{Flat, alternatives, flatten};
use super::schema::{SchemaId, Schemas, TypeSet};

/// Which way values flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Request,
    Response,
}

/// What changed at one place of a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// Response: a field the old schema declared is gone.
    FieldRemoved,
    /// Response: a required field became optional.
    BecameOptional,
    /// Response: a value may now be null.
    BecameNullable,
    /// Either: the JSON type changed in the breaking direction.
    TypeChanged,
    /// Response: the enum allows values it did not, or is no longer restricted.
    EnumWidened,
    /// Request: the enum no longer accepts a value it did.
    EnumValueRemoved,
    /// Request: a new required field.
    FieldAddedRequired,
    /// Request: an existing optional field became required.
    FieldBecameRequired,
    /// Request: a bound, length, pattern or format now rejects values it accepted.
    ConstraintTightened,
    /// Response: a new `oneOf` / `anyOf` branch.
    BranchAdded,
    /// Request: a branch that accepted some values is gone.
    BranchRemoved,
}

/// One change, located by the field path inside the compared value (`/items/*/sku`, `""` for the
/// value itself) and by the schema's location in the old and new documents.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaChange {
    pub kind: ChangeKind,
    pub path: String,
    pub old_doc: usize,
    pub old_pointer: String,
    pub new_doc: usize,
    pub new_pointer: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// For a removed field: whether the old schema deprecated it, and its sunset.
    pub deprecated: Option<Option<chrono::NaiveDate>>,
}

type Key = (Vec<SchemaId>, Vec<SchemaId>, Direction);

/// Compares schemas of two specs. Keep one comparer per pair of specs so results are shared.
#[derive(Debug)]
pub struct Comparer<'a> {
    old: &'a Schemas,
    new: &'a Schemas,
    memo: HashMap<Key, Rc<Vec<SchemaChange>>>,
    depth: usize,
}

/// Nesting deeper than this is not compared (no real schema needs it; it bounds the stack).
const MAX_DEPTH: usize = 64;

impl<'a> Comparer<'a> {
    pub fn new(old: &'a Schemas, new: &'a Schemas) -> Self {
        Comparer {
            old,
            new,
            memo: HashMap::new(),
            depth: 0,
        }
    }

    /// The breaking changes from `old` to `new` in `direction`, with paths relative to the value.
    pub fn compare(
        &mut self,
        old: &[SchemaId],
        new: &[SchemaId],
        direction: Direction,
    ) -> Rc<Vec<SchemaChange>> {
        let mut o = old.to_vec();
        let mut n = new.to_vec();
        o.sort();
        o.dedup();
        n.sort();
        n.dedup();
        let key = (o, n, direction);
        if let Some(found) = self.memo.get(&key) {
            return found.clone();
        }
        if self.depth >= MAX_DEPTH {
            return Rc::new(Vec::new());
        }
        // In progress: a cycle reaches the same pair again; it contributes nothing new.
        self.memo.insert(key.clone(), Rc::new(Vec::new()));
        self.depth += 1;
        let mut out = Vec::new();
        self.compare_alternatives(&key.0, &key.1, direction, &mut out);
        self.depth -= 1;
        let out = Rc::new(out);
        self.memo.insert(key, out.clone());
        out
    }

    /// Whether `old` → `new` is free of breaking changes in `direction`.
    fn equivalent_enough(
        &mut self,
        old: &[SchemaId],
        new: &[SchemaId],
        direction: Direction,
    ) -> bool {
        self.compare(old, new, direction).is_empty()
    }

    fn compare_alternatives(
        &mut self,
        old: &[SchemaId],
        new: &[SchemaId],
        direction: Direction,
        out: &mut Vec<SchemaChange>,
    ) {
        let old_alts = alternatives(self.old, old);
        let new_alts = alternatives(self.new, new);
        if old_alts.len() == 1 && new_alts.len() == 1 {
            let o = flatten(self.old, &old_alts[0]);
            let n = flatten(self.new, &new_alts[0]);
            self.compare_flat(&o, &n, direction, out);
            return;
        }
        // The side whose every alternative must be covered: the new responses the provider may
        // send, or the old requests the consumer may send.
        let (must, may) = match direction {
            Direction::Response => (&new_alts, &old_alts),
            Direction::Request => (&old_alts, &new_alts),
        };
        let mut unpaired: Vec<usize> = Vec::new();
        let mut used = vec![false; may.len()];
        for (i, alt) in must.iter().enumerate() {
            let covered = may.iter().position(|m| match direction {
                Direction::Response => self.equivalent_enough(m, alt, direction),
                Direction::Request => self.equivalent_enough(alt, m, direction),
            });
            match covered {
                Some(j) => used[j] = true,
                None => unpaired.push(i),
            }
        }
        for i in unpaired {
            let alt = &must[i];
            let alt_flat = match direction {
                Direction::Response => flatten(self.new, alt),
                Direction::Request => flatten(self.old, alt),
            };
            // Pair with a counterpart of the same component name, or the only one left over.
            let candidates: Vec<usize> = (0..may.len()).filter(|j| !used[*j]).collect();
            let other_flat = |j: usize, this: &Self| match direction {
                Direction::Response => flatten(this.old, &may[j]),
                Direction::Request => flatten(this.new, &may[j]),
            };
            let named = candidates
                .iter()
                .copied()
                .find(|&j| alt_flat.name.is_some() && other_flat(j, self).name == alt_flat.name);
            // Otherwise the most alike by property names (at least half shared) and type.
            let alike = || {
                candidates
                    .iter()
                    .map(|&j| (similarity(&alt_flat, &other_flat(j, self)), j))
                    .filter(|(score, _)| *score >= 0.5)
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, j)| j)
            };
            let partner =
                named
                    .or_else(alike)
                    .or(if candidates.len() == 1 && must.len() == may.len() {
                        Some(candidates[0])
                    } else {
                        None
                    });
            match partner {
                Some(j) => {
                    used[j] = true;
                    let changes = match direction {
                        Direction::Response => self.compare(&may[j], alt, direction),
                        Direction::Request => self.compare(alt, &may[j], direction),
                    };
                    out.extend(changes.iter().cloned());
                }
                None => {
                    let label = branch_label(&alt_flat);
                    let (kind, before, after) = match direction {
                        Direction::Response => (ChangeKind::BranchAdded, None, Some(label)),
                        Direction::Request => (ChangeKind::BranchRemoved, Some(label), None),
                    };
                    out.push(SchemaChange {
                        kind,
                        path: String::new(),
                        old_doc: alt_flat.doc,
                        old_pointer: alt_flat.pointer.clone(),
                        new_doc: alt_flat.doc,
                        new_pointer: alt_flat.pointer.clone(),
                        before,
                        after,
                        deprecated: None,
                    });
                }
            }
        }
    }

    fn compare_flat(
        &mut self,
        o: &Flat,
        n: &Flat,
        direction: Direction,
        out: &mut Vec<SchemaChange>,
    ) {
        if o.never || n.never {
            return;
        }
        let change = |kind, before: Option<String>, after: Option<String>| SchemaChange {
            kind,
            path: String::new(),
            old_doc: o.doc,
            old_pointer: o.pointer.clone(),
            new_doc: n.doc,
            new_pointer: n.pointer.clone(),
            before,
            after,
            deprecated: None,
        };
        let (ot, nt) = (o.type_set(), n.type_set());
        match direction {
            Direction::Response => {
                let extra = nt.minus(ot);
                if extra == TypeSet::NULL {
                    out.push(change(
                        ChangeKind::BecameNullable,
                        Some(ot.describe()),
                        Some(nt.describe()),
                    ));
                } else if !extra.is_empty() {
                    out.push(change(
                        ChangeKind::TypeChanged,
                        Some(ot.describe()),
                        Some(nt.describe()),
                    ));
                }
                match (&o.enumeration, &n.enumeration) {
                    (Some(ov), Some(nv)) => {
                        let added: Vec<&Value> = nv.iter().filter(|v| !ov.contains(v)).collect();
                        if !added.is_empty() {
                            out.push(change(
                                ChangeKind::EnumWidened,
                                Some(values(ov.iter())),
                                Some(format!("also {}", values(added.into_iter()))),
                            ));
                        }
                    }
                    (Some(ov), None) => out.push(change(
                        ChangeKind::EnumWidened,
                        Some(values(ov.iter())),
                        Some("any value".to_owned()),
                    )),
                    _ => {}
                }
            }
            Direction::Request => {
                let missing = ot.minus(nt);
                if !missing.is_empty() {
                    out.push(change(
                        ChangeKind::TypeChanged,
                        Some(ot.describe()),
                        Some(nt.describe()),
                    ));
                }
                match (&o.enumeration, &n.enumeration) {
                    (Some(ov), Some(nv)) => {
                        let removed: Vec<&Value> = ov.iter().filter(|v| !nv.contains(v)).collect();
                        if !removed.is_empty() {
                            out.push(change(
                                ChangeKind::EnumValueRemoved,
                                Some(values(removed.into_iter())),
                                Some(values(nv.iter())),
                            ));
                        }
                    }
                    (None, Some(nv)) => out.push(change(
                        ChangeKind::EnumValueRemoved,
                        Some("any value".to_owned()),
                        Some(values(nv.iter())),
                    )),
                    _ => {}
                }
                self.tightened(o, n, out);
            }
        }
        if o.may_be_object() && n.may_be_object() {
            self.compare_properties(o, n, direction, out);
        }
        if !o.items.is_empty() && !n.items.is_empty() {
            let changes = self.compare(&o.items, &n.items, direction);
            out.extend(nested(&changes, "/*"));
        }
        if !o.additional.is_empty() && !n.additional.is_empty() {
            let changes = self.compare(&o.additional, &n.additional, direction);
            out.extend(nested(&changes, "/*"));
        }
    }

    fn compare_properties(
        &mut self,
        o: &Flat,
        n: &Flat,
        direction: Direction,
        out: &mut Vec<SchemaChange>,
    ) {
        match direction {
            Direction::Response => {
                for (name, old_prop) in &o.properties {
                    let path = format!("/{}", crate::spec::document::escape(name));
                    match n.properties.get(name) {
                        None => {
                            let of = flatten(self.old, old_prop);
                            let (old_doc, old_pointer) = o
                                .declared_at
                                .get(name)
                                .cloned()
                                .unwrap_or((of.doc, of.pointer.clone()));
                            out.push(SchemaChange {
                                kind: ChangeKind::FieldRemoved,
                                path,
                                old_doc,
                                old_pointer,
                                new_doc: n.doc,
                                new_pointer: n.pointer.clone(),
                                before: Some(of.type_set().describe()),
                                after: None,
                                deprecated: of.deprecated.then_some(of.sunset),
                            });
                        }
                        Some(new_prop) => {
                            if o.required.contains(name) && !n.required.contains(name) {
                                // Located at the property in the new schema, where the missing
                                // `required` entry would apply.
                                let (new_doc, new_pointer) = n
                                    .declared_at
                                    .get(name)
                                    .cloned()
                                    .unwrap_or((n.doc, n.pointer.clone()));
                                out.push(SchemaChange {
                                    kind: ChangeKind::BecameOptional,
                                    path: path.clone(),
                                    old_doc: o.doc,
                                    old_pointer: o.pointer.clone(),
                                    new_doc,
                                    new_pointer,
                                    before: Some("required".to_owned()),
                                    after: Some("optional".to_owned()),
                                    deprecated: None,
                                });
                            }
                            let changes = self.compare(old_prop, new_prop, direction);
                            out.extend(nested(&changes, &path));
                        }
                    }
                }
            }
            Direction::Request => {
                for name in n.required.difference(&o.required) {
                    let path = format!("/{}", crate::spec::document::escape(name));
                    let kind = if o.properties.contains_key(name) {
                        ChangeKind::FieldBecameRequired
                    } else {
                        ChangeKind::FieldAddedRequired
                    };
                    out.push(SchemaChange {
                        kind,
                        path,
                        old_doc: o.doc,
                        old_pointer: o.pointer.clone(),
                        new_doc: n.doc,
                        new_pointer: n.pointer.clone(),
                        before: Some("optional".to_owned())
                            .filter(|_| kind == ChangeKind::FieldBecameRequired),
                        after: Some("required".to_owned()),
                        deprecated: None,
                    });
                }
                for (name, old_prop) in &o.properties {
                    if let Some(new_prop) = n.properties.get(name) {
                        let path = format!("/{}", crate::spec::document::escape(name));
                        let changes = self.compare(old_prop, new_prop, direction);
                        out.extend(nested(&changes, &path));
                    }
                }
                if n.closed && !o.closed {
                    out.push(SchemaChange {
                        kind: ChangeKind::ConstraintTightened,
                        path: String::new(),
                        old_doc: o.doc,
                        old_pointer: o.pointer.clone(),
                        new_doc: n.doc,
                        new_pointer: n.pointer.clone(),
                        before: Some("additional properties accepted".to_owned()),
                        after: Some("additionalProperties: false".to_owned()),
                        deprecated: None,
                    });
                }
            }
        }
    }

    /// Request constraints that now reject values they accepted.
    fn tightened(&self, o: &Flat, n: &Flat, out: &mut Vec<SchemaChange>) {
        let mut push = |what: &str, before: String, after: String| {
            out.push(SchemaChange {
                kind: ChangeKind::ConstraintTightened,
                path: String::new(),
                old_doc: o.doc,
                old_pointer: o.pointer.clone(),
                new_doc: n.doc,
                new_pointer: n.pointer.clone(),
                before: Some(format!("{what} {before}")),
                after: Some(format!("{what} {after}")),
                deprecated: None,
            });
        };
        let show = |b: Option<super::schema::Bound>| match b {
            None => "none".to_owned(),
            Some(b) if b.exclusive => format!("{} (exclusive)", b.value),
            Some(b) => b.value.to_string(),
        };
        let lower_tighter = match (o.minimum, n.minimum) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(a), Some(b)) => {
                b.value > a.value || (b.value == a.value && b.exclusive && !a.exclusive)
            }
        };
        if lower_tighter {
            push("minimum", show(o.minimum), show(n.minimum));
        }
        let upper_tighter = match (o.maximum, n.maximum) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(a), Some(b)) => {
                b.value < a.value || (b.value == a.value && b.exclusive && !a.exclusive)
            }
        };
        if upper_tighter {
            push("maximum", show(o.maximum), show(n.maximum));
        }
        let opt = |v: Option<u64>| v.map_or("none".to_owned(), |v| v.to_string());
        for (what, a, b, lower) in [
            ("minLength", o.min_length, n.min_length, true),
            ("maxLength", o.max_length, n.max_length, false),
            ("minItems", o.min_items, n.min_items, true),
            ("maxItems", o.max_items, n.max_items, false),
            ("maxProperties", o.max_properties, n.max_properties, false),
        ] {
            let tighter = match (a, b) {
                (_, None) => false,
                (None, Some(_)) => true,
                (Some(a), Some(b)) => {
                    if lower {
                        b > a
                    } else {
                        b < a
                    }
                }
            };
            if tighter {
                push(what, opt(a), opt(b));
            }
        }
        if n.multiple_of.is_some() && n.multiple_of != o.multiple_of {
            let m = |v: Option<f64>| v.map_or("none".to_owned(), |v| v.to_string());
            push("multipleOf", m(o.multiple_of), m(n.multiple_of));
        }
        let added: Vec<&String> = n.patterns.difference(&o.patterns).collect();
        if !added.is_empty() {
            let list = |s: Vec<&String>| {
                if s.is_empty() {
                    "none".to_owned()
                } else {
                    s.iter()
                        .map(|p| format!("{p:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            };
            push("pattern", list(o.patterns.iter().collect()), list(added));
        }
        if n.format.is_some() && n.format != o.format && !is_annotation_format(n.format.as_deref())
        {
            push(
                "format",
                o.format.clone().unwrap_or_else(|| "none".to_owned()),
                n.format.clone().unwrap_or_default(),
            );
        }
        if n.unique_items && !o.unique_items {
            push("uniqueItems", "false".to_owned(), "true".to_owned());
        }
    }
}

/// Formats that only describe (OpenAPI's numeric widths) and do not narrow the accepted values.
fn is_annotation_format(format: Option<&str>) -> bool {
    matches!(
        format,
        Some("int32" | "int64" | "float" | "double" | "byte" | "binary" | "password")
    )
}

fn nested(changes: &[SchemaChange], prefix: &str) -> impl Iterator<Item = SchemaChange> {
    changes.iter().map(move |c| SchemaChange {
        path: format!("{prefix}{}", c.path),
        ..c.clone()
    })
}

fn values<'v>(values: impl Iterator<Item = &'v Value>) -> String {
    values.map(|v| v.to_string()).collect::<Vec<_>>().join(", ")
}

/// How alike two alternatives are: the share of property names they have in common (Jaccard), or for
/// alternatives without properties, 1 when their types are the same.
fn similarity(a: &Flat, b: &Flat) -> f64 {
    if a.type_set() != b.type_set() && !(a.may_be_object() && b.may_be_object()) {
        return 0.0;
    }
    let union = a
        .properties
        .keys()
        .chain(b.properties.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    if union == 0 {
        return if a.type_set() == b.type_set() {
            1.0
        } else {
            0.0
        };
    }
    let shared = a
        .properties
        .keys()
        .filter(|k| b.properties.contains_key(*k))
        .count();
    shared as f64 / union as f64
}

fn branch_label(flat: &Flat) -> String {
    match &flat.name {
        Some(name) => format!("{name} ({})", flat.type_set().describe()),
        None => {
            let props: Vec<&str> = flat.properties.keys().take(4).map(String::as_str).collect();
            if props.is_empty() {
                flat.type_set().describe()
            } else {
                format!("{} with {}", flat.type_set().describe(), props.join(", "))
            }
        }
    }
}
