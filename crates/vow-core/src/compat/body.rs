//! The response body half of the shape dimension: every field the consumer reads, checked against
//! the response schema.
//!
//! What the consumer reads follows `vow verify`'s matching semantics (see `matching::walk`): every
//! member the example states (array elements too: all of them under equality, the first under
//! `type` or `eachElement`, which judge every element against it), and every location a rule path
//! names — a `*` segment walks into every element or member and requires none. Below a leaf
//! matcher (`regex`, `integer`, …) the example is not read; deeper rule paths still are. An object
//! under `eachKey` / `eachValue` is a map: its example members are sample entries, judged against
//! the schema's `additionalProperties` but not required to exist.
//!
//! At each location the response schema is taken as a set of alternatives (the merged `allOf`
//! view, with multi-branch `oneOf` / `anyOf` expanded; an example object narrows them to the
//! branches it fits). A field read must be declared (`field-undeclared`) and required in every
//! alternative (`field-optional`); a value the consumer cannot take as null must not be nullable
//! (`field-nullable`); and the consumer's value must be possible at all (`value-conflict`): by
//! type and enum when the example states it exactly, by JSON type under `type`, by the type a leaf
//! matcher implies. A body described by a JSON Schema is checked best effort: each property the
//! contract schema `required`s must be required by the spec, and `type` / `const` / `enum` must be
//! possible.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde_json::Value;

use super::{days, did_you_mean, schema_name};
use crate::contract::source::escape_segment;
use crate::contract::{BodyExpectation, Matcher, PathRules, PathSegment, Rule};
use crate::finding::{Finding, Severity};
use crate::rules;
use crate::spec::flat::{Flat, alternatives, flatten};
use crate::spec::{SchemaId, Schemas, TypeSet};

/// Locations deeper than this are not checked (no real body needs it; it bounds the stack).
const MAX_DEPTH: usize = 64;

/// Where body pointers start in the interaction.
const BODY: &str = "/response/body";

/// The schema that allows everything, for required names a contract schema gives no schema.
static ANY_SCHEMA: Value = Value::Bool(true);

/// What the body check needs besides the schema.
pub(super) struct BodyCheck<'a> {
    pub schemas: &'a Schemas,
    /// `the 200 response (application/json) of GET /carts/{cartId}`, for messages.
    pub what: String,
    /// The contract's `deprecation.fields`.
    pub acknowledged: &'a [String],
    pub as_of: NaiveDate,
    pub warning_days: u32,
}

/// Checks the interaction's body expectation against `schema`.
pub(super) fn check(
    check: &BodyCheck<'_>,
    schema: SchemaId,
    body: &BodyExpectation,
    out: &mut Vec<Finding>,
) {
    let mut walker = Walker {
        check,
        patterns: &[],
        findings: Vec::new(),
        seen: HashSet::new(),
    };
    let root = walker.expand(&[vec![schema]]);
    let mut segs = Vec::new();
    match body {
        BodyExpectation::Example { example, rules, .. } => {
            walker.patterns = rules;
            walker.visit(&mut segs, example.as_ref(), &[], Mode::Equality, root);
        }
        BodyExpectation::Schema { schema: s, .. } => {
            walker.visit_schema(&mut segs, s, s, root);
        }
    }
    out.append(&mut walker.findings);
}

/// One alternative of the schema at a location, merged into one view.
#[derive(Debug, Clone)]
struct Alt {
    flat: Flat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Equality,
    Type,
}

/// One step from the body root.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
    /// Every element or member (a rule path's `*` the example does not reach).
    Any,
}

/// What the consumer accepts at a location, from the example or one rule.
#[derive(Debug)]
enum Accept<'a> {
    /// Exactly this value (the example under equality, an `equals` rule).
    Exact(&'a Value, &'static str),
    /// Any value of these types (`type`, or a leaf matcher's type).
    Types(TypeSet, String),
    /// One of these values (a `oneOf` rule, a JSON Schema `enum`).
    AnyOf(&'a [Value], &'static str),
}

impl Accept<'_> {
    fn accepts_null(&self) -> bool {
        match self {
            Accept::Exact(v, _) => v.is_null(),
            Accept::Types(t, _) => t.contains(TypeSet::NULL),
            Accept::AnyOf(values, _) => values.iter().any(Value::is_null),
        }
    }

    fn describe(&self) -> String {
        match self {
            Accept::Exact(v, why) => format!("{} ({why})", compact(v)),
            Accept::Types(t, why) => format!("{} ({why})", article(*t)),
            Accept::AnyOf(values, why) => format!("one of {} ({why})", list(values)),
        }
    }
}

/// The rules at one location, summarised.
#[derive(Debug, Default)]
struct Plan<'a> {
    mode: Option<Mode>,
    leaf: bool,
    collection: bool,
    map: bool,
    element_rules: Vec<&'a Rule>,
    value_rules: Vec<&'a Rule>,
}

/// A location below the current one that the consumer reads.
#[derive(Debug)]
struct Child<'a> {
    seg: Seg,
    example: Option<&'a Value>,
    /// The consumer needs it to be there (an example member, a rule path's named key).
    required: bool,
}

struct Walker<'a, 'c> {
    check: &'c BodyCheck<'a>,
    patterns: &'a [PathRules],
    findings: Vec<Finding>,
    /// (rule, location with array indices as `*`) already reported: the elements of an example
    /// array share a schema, so the same gap is reported once.
    seen: HashSet<(&'static str, String)>,
}

impl<'a> Walker<'a, '_> {
    fn expand(&self, position: &[Vec<SchemaId>]) -> Vec<Alt> {
        let schemas = self.check.schemas;
        let mut out = Vec::new();
        for conj in position {
            for alt in alternatives(schemas, conj) {
                let flat = flatten(schemas, &alt);
                if !flat.never {
                    out.push(Alt { flat });
                }
            }
        }
        out
    }

    fn push(&mut self, segs: &[Seg], finding: Finding) {
        let key = (finding.rule.id, generic(segs));
        if self.seen.insert(key) {
            self.findings.push(finding);
        }
    }

    /// Visits one location of an example body.
    fn visit(
        &mut self,
        segs: &mut Vec<Seg>,
        example: Option<&'a Value>,
        inherited: &[&'a Rule],
        parent_mode: Mode,
        alts: Vec<Alt>,
    ) {
        if segs.len() > MAX_DEPTH || alts.is_empty() {
            return;
        }
        let mut here: Vec<&'a Rule> = inherited.to_vec();
        for p in self.patterns {
            if p.path.segments.len() == segs.len()
                && p.path
                    .segments
                    .iter()
                    .zip(segs.iter())
                    .all(|(p, s)| matches(p, s))
            {
                here.extend(p.rules.iter());
            }
        }
        let plan = plan(&here);
        let mode = plan.mode.unwrap_or(parent_mode);
        let alts = self.narrow(alts, example, mode);
        let accepts = accepts(&here, &plan, mode, example);
        if !self.judge(segs, &alts, &accepts) {
            return;
        }
        for child in self.children(segs, example, &plan, mode) {
            let Some((next, element)) =
                self.step(segs, &alts, &child.seg, child.required && !plan.map)
            else {
                continue;
            };
            let inherited = if element {
                plan.element_rules.clone()
            } else {
                plan.value_rules.clone()
            };
            segs.push(child.seg);
            self.visit(segs, child.example, &inherited, mode, next);
            segs.pop();
        }
    }

    /// The locations below `segs` the consumer reads: the example's members and elements, then
    /// what rule paths name that the example does not reach.
    fn children(
        &self,
        segs: &[Seg],
        example: Option<&'a Value>,
        plan: &Plan<'a>,
        mode: Mode,
    ) -> Vec<Child<'a>> {
        let mut out: Vec<Child<'a>> = Vec::new();
        if !plan.leaf {
            match example {
                Some(Value::Object(members)) => {
                    out.extend(members.iter().map(|(k, v)| Child {
                        seg: Seg::Key(k.clone()),
                        example: Some(v),
                        required: true,
                    }));
                }
                Some(Value::Array(items)) => {
                    let collection = plan.collection || mode == Mode::Type;
                    let n = if collection {
                        items.len().min(1)
                    } else {
                        items.len()
                    };
                    out.extend(items.iter().take(n).enumerate().map(|(i, v)| Child {
                        seg: Seg::Index(i),
                        example: Some(v),
                        required: false,
                    }));
                }
                _ => {}
            }
        }
        let concrete = !out.is_empty();
        let depth = segs.len();
        for p in self.patterns {
            let segments = &p.path.segments;
            if segments.len() <= depth
                || !segments.iter().zip(segs.iter()).all(|(p, s)| matches(p, s))
            {
                continue;
            }
            let seg = match &segments[depth] {
                PathSegment::Key(k) => {
                    if out.iter().any(|c| matches(&segments[depth], &c.seg)) {
                        continue;
                    }
                    Seg::Key(k.clone())
                }
                PathSegment::Any => {
                    if concrete || out.iter().any(|c| c.seg == Seg::Any) {
                        continue;
                    }
                    Seg::Any
                }
            };
            let required = seg != Seg::Any;
            out.push(Child {
                seg,
                example: None,
                required,
            });
        }
        out
    }

    /// Steps from the alternatives at `segs` to those of `seg`, reporting a member that is not
    /// declared, or not required when `required`. `None` stops the walk there. The flag tells
    /// whether the step went into an array element.
    fn step(
        &mut self,
        segs: &[Seg],
        alts: &[Alt],
        seg: &Seg,
        required: bool,
    ) -> Option<(Vec<Alt>, bool)> {
        let arrays: Vec<&Alt> = alts
            .iter()
            .filter(|a| a.flat.type_set().contains(TypeSet::ARRAY))
            .collect();
        let objects: Vec<&Alt> = alts.iter().filter(|a| a.flat.may_be_object()).collect();
        let element = |arrays: &[&Alt]| -> Vec<Vec<SchemaId>> {
            arrays.iter().map(|a| a.flat.items.clone()).collect()
        };
        if arrays.is_empty() && objects.is_empty() {
            // The consumer reads into a value the schema says is a scalar.
            let wanted = match seg {
                Seg::Key(k) if k.parse::<usize>().is_err() => "an object",
                Seg::Key(_) | Seg::Index(_) => "an array",
                Seg::Any => "an array or an object",
            };
            let all: Vec<&Alt> = alts.iter().collect();
            let finding = Finding::new(
                rules::VALUE_CONFLICT,
                pointer(segs),
                format!(
                    "{} cannot be what the consumer expects: the consumer reads into it, and {} \
                     ({}) allows {}",
                    subject(segs),
                    describe_schema(&all),
                    self.check.what,
                    allowed(alts)
                ),
            )
            .expected(wanted)
            .actual(allowed(alts))
            .hint(
                "check the field's meaning with the provider: the consumer's rule paths read \
                 members the spec says this value cannot have",
            );
            self.push(segs, finding);
            return None;
        }
        match seg {
            Seg::Index(_) => {
                if arrays.is_empty() {
                    return None;
                }
                Some((self.expand(&element(&arrays)), true))
            }
            Seg::Any => {
                let mut position = element(&arrays);
                let element_step = !arrays.is_empty();
                for a in &objects {
                    position.extend(a.flat.properties.values().cloned());
                    if !a.flat.additional.is_empty() {
                        position.push(a.flat.additional.clone());
                    }
                }
                if position.is_empty() {
                    return None;
                }
                Some((self.expand(&position), element_step))
            }
            Seg::Key(key) => {
                if !arrays.is_empty() && objects.is_empty() {
                    return key
                        .parse::<usize>()
                        .ok()
                        .map(|_| (self.expand(&element(&arrays)), true));
                }
                self.member(segs, &objects, key, required)
                    .map(|alts| (alts, false))
            }
        }
    }

    /// The member `key` of the object alternatives.
    fn member(
        &mut self,
        segs: &[Seg],
        objects: &[&Alt],
        key: &str,
        required: bool,
    ) -> Option<Vec<Alt>> {
        if objects.is_empty() {
            return None;
        }
        let mut position: Vec<Vec<SchemaId>> = Vec::new();
        let mut declared = 0usize;
        let mut by_additional = 0usize;
        let mut required_in = 0usize;
        let schemas = self.check.schemas;
        let write_only = |ids: &[SchemaId]| {
            ids.iter().any(|&id| {
                let node = schemas.get(id);
                node.write_only || node.all_of.iter().any(|&p| schemas.get(p).write_only)
            })
        };
        let mut written_only = 0usize;
        for a in objects {
            let flat = &a.flat;
            if let Some(ids) = flat.properties.get(key) {
                // A `writeOnly` property is never in a response (OpenAPI 3).
                if write_only(ids) {
                    written_only += 1;
                    continue;
                }
                declared += 1;
                position.push(ids.clone());
            } else if !flat.additional.is_empty() {
                declared += 1;
                by_additional += 1;
                position.push(flat.additional.clone());
            } else if flat.required.contains(key) && !flat.closed {
                declared += 1;
                position.push(Vec::new());
            }
            if flat.required.contains(key) {
                required_in += 1;
            }
        }
        let mut child = segs.to_vec();
        child.push(Seg::Key(key.to_owned()));
        let subject = subject(&child);
        let schema = describe_schema(objects);
        if declared == 0 && written_only > 0 {
            if required {
                let finding = Finding::new(
                    rules::FIELD_UNDECLARED,
                    pointer(&child),
                    format!(
                        "{subject} is never in a response: {schema} ({}) declares {key:?} \
                         writeOnly",
                        self.check.what
                    ),
                )
                .expected(format!("a property {key:?} in responses"))
                .actual("writeOnly: sent in requests only")
                .hint("stop reading it: the provider only accepts it in requests");
                self.push(&child, finding);
            }
            return None;
        }
        if declared == 0 {
            if required {
                let names: Vec<&str> = objects
                    .iter()
                    .flat_map(|a| a.flat.properties.keys().map(String::as_str))
                    .collect();
                let hint = did_you_mean(key, names.iter().copied())
                    .map(|d| format!("{d} The provider may have renamed the field"))
                    .unwrap_or_else(|| {
                        if names.is_empty() {
                            format!(
                                "{schema} declares no properties; ask the provider to describe \
                                 the fields consumers read, or stop reading this one"
                            )
                        } else {
                            "the provider does not promise this field: ask the provider to \
                             declare it, or stop reading it"
                                .to_owned()
                        }
                    });
                let finding = Finding::new(
                    rules::FIELD_UNDECLARED,
                    pointer(&child),
                    format!(
                        "{subject} is not declared: {schema} ({}) has no property {key:?}",
                        self.check.what
                    ),
                )
                .expected(format!("a property {key:?}"))
                .actual(format!("no such property in {schema}"))
                .hint(hint);
                self.push(&child, finding);
            }
            return None;
        }
        if required && required_in < objects.len() {
            let (message, actual) = if objects.len() > 1 {
                (
                    format!(
                        "{subject} may be absent: it is required in only {required_in} of the {} \
                         alternatives (oneOf / anyOf) of {schema} ({})",
                        objects.len(),
                        self.check.what
                    ),
                    format!(
                        "required in {required_in} of {} alternatives",
                        objects.len()
                    ),
                )
            } else if by_additional > 0 {
                (
                    format!(
                        "{subject} may be absent: {schema} ({}) does not declare it, only allows \
                         further members (additionalProperties)",
                        self.check.what
                    ),
                    "allowed by additionalProperties, not declared".to_owned(),
                )
            } else {
                (
                    format!(
                        "{subject} may be absent: {schema} ({}) does not list {key:?} in \
                         `required`",
                        self.check.what
                    ),
                    "optional".to_owned(),
                )
            };
            let finding = Finding::new(rules::FIELD_OPTIONAL, pointer(&child), message)
                .expected("a field that is always present")
                .actual(actual)
                .hint(
                    "make the consumer cope with the field's absence (and drop it from the \
                     example), or ask the provider to make it required",
                );
            self.push(&child, finding);
        }
        let next = self.expand(&position);
        self.deprecated(&child, &next);
        Some(next)
    }

    /// A field the provider marks deprecated or gives a sunset: a warning (a note when the
    /// contract lists it under `deprecation.fields`), and the sunset judged at the as-of date.
    fn deprecated(&mut self, segs: &[Seg], alts: &[Alt]) {
        let subject = subject(segs);
        let acknowledged = self
            .check
            .acknowledged
            .iter()
            .any(|a| acknowledges(a, segs));
        if let Some(a) = alts.iter().find(|a| a.flat.deprecated) {
            let schema = schema_name(a.flat.name.as_deref(), &a.flat.pointer);
            let mut finding = Finding::new(
                rules::FIELD_DEPRECATED,
                pointer(segs),
                format!(
                    "{subject} is deprecated ({schema}, in {}){}",
                    self.check.what,
                    if acknowledged {
                        "; the contract acknowledges it"
                    } else {
                        ""
                    }
                ),
            );
            finding = if acknowledged {
                finding
                    .severity(Severity::Info)
                    .hint("plan to stop reading it before the provider removes it")
            } else {
                finding.hint(format!(
                    "stop reading it, or list {} under deprecation.fields so the use is tracked",
                    body_pointer(segs)
                ))
            };
            self.push(segs, finding);
        }
        let Some(sunset) = alts.iter().filter_map(|a| a.flat.sunset).min() else {
            return;
        };
        let left = (sunset - self.check.as_of).num_days();
        if left <= 0 {
            let ago = if left == 0 {
                "today".to_owned()
            } else {
                format!("{} ago", days(-left))
            };
            let finding = Finding::new(
                rules::SUNSET_PASSED,
                pointer(segs),
                format!(
                    "the sunset of {subject} passed {ago} ({sunset}): the provider may remove it \
                     at any time"
                ),
            )
            .expected(format!("a sunset after {}", self.check.as_of))
            .actual(sunset.to_string())
            .hint("stop reading the field now");
            self.push(segs, finding);
        } else if left <= i64::from(self.check.warning_days) {
            let finding = Finding::new(
                rules::SUNSET_NEAR,
                pointer(segs),
                format!("the sunset of {subject} is in {} ({sunset})", days(left)),
            )
            .expected(format!(
                "a sunset more than {} days after {}",
                self.check.warning_days, self.check.as_of
            ))
            .actual(sunset.to_string())
            .hint("plan to stop reading the field before its sunset");
            self.push(segs, finding);
        }
    }

    /// Keeps the alternatives an example object fits (by its scalar members), so a field required
    /// in the branch the example belongs to is not reported optional; all of them when none fits.
    fn narrow(&self, alts: Vec<Alt>, example: Option<&Value>, mode: Mode) -> Vec<Alt> {
        let Some(example) = example else {
            return alts;
        };
        if alts.len() < 2 {
            return alts;
        }
        let fits = |a: &Alt| -> bool {
            if !a.flat.types.is_none_or(|t| admits_kind(t, example)) {
                return false;
            }
            let Value::Object(members) = example else {
                return true;
            };
            members.iter().all(|(k, v)| match a.flat.properties.get(k) {
                Some(ids) => {
                    if v.is_object() || v.is_array() {
                        return true;
                    }
                    let f = flatten(self.check.schemas, ids);
                    match mode {
                        Mode::Equality => value_possible(&f, v),
                        Mode::Type => f.types.is_none_or(|t| admits_kind(t, v)),
                    }
                }
                None => !a.flat.closed,
            })
        };
        let kept: Vec<Alt> = alts.iter().filter(|a| fits(a)).cloned().collect();
        if kept.is_empty() { alts } else { kept }
    }

    /// Judges what the consumer accepts at `segs` against the alternatives there; false when the
    /// value is impossible (nothing below is checked then).
    fn judge(&mut self, segs: &[Seg], alts: &[Alt], accepts: &[Accept<'_>]) -> bool {
        let subject = subject(segs);
        for accept in accepts {
            let possible = alts.iter().any(|a| match accept {
                Accept::Exact(v, _) => value_possible(&a.flat, v),
                Accept::Types(t, _) => types_possible(&a.flat, *t),
                Accept::AnyOf(values, _) => values.iter().any(|v| value_possible(&a.flat, v)),
            });
            if possible {
                continue;
            }
            let finding = Finding::new(
                rules::VALUE_CONFLICT,
                pointer(segs),
                format!(
                    "{subject} cannot be what the consumer expects: {} ({}) allows {}",
                    describe_schema(&alts.iter().collect::<Vec<_>>()),
                    self.check.what,
                    allowed(alts)
                ),
            )
            .expected(accept.describe())
            .actual(allowed(alts))
            .hint(
                "check the field's meaning with the provider: the consumer's example or rule \
                 cannot match any response the spec allows",
            );
            self.push(segs, finding);
            return false;
        }
        let rejects_null = accepts.iter().any(|a| !a.accepts_null());
        if rejects_null && let Some(a) = alts.iter().find(|a| nullable(&a.flat)) {
            let schema = schema_name(a.flat.name.as_deref(), &a.flat.pointer);
            let finding = Finding::new(
                rules::FIELD_NULLABLE,
                pointer(segs),
                format!(
                    "{subject} may be null: {schema} ({}) allows {}, and the consumer expects {}",
                    self.check.what,
                    allowed(alts),
                    accepts
                        .iter()
                        .find(|a| !a.accepts_null())
                        .map(Accept::describe)
                        .unwrap_or_default()
                ),
            )
            .expected("a non-null value")
            .actual(allowed(alts))
            .hint("make the consumer handle null here, or ask the provider to make the field non-null");
            self.push(segs, finding);
        }
        true
    }

    /// Visits one location of a body described by a JSON Schema (`node`, within `root`).
    fn visit_schema(
        &mut self,
        segs: &mut Vec<Seg>,
        node: &'a Value,
        root: &'a Value,
        alts: Vec<Alt>,
    ) {
        if segs.len() > MAX_DEPTH || alts.is_empty() {
            return;
        }
        let node = resolve(node, root);
        let mut accepts = Vec::new();
        if let Some(v) = node.get("const") {
            accepts.push(Accept::Exact(v, "the contract schema's const"));
        }
        if let Some(Value::Array(values)) = node.get("enum") {
            accepts.push(Accept::AnyOf(values, "the contract schema's enum"));
        }
        if let Some(t) = schema_types(node, root, 0) {
            accepts.push(Accept::Types(t, "the contract schema's type".to_owned()));
        }
        if !self.judge(segs, &alts, &accepts) {
            return;
        }
        let mut properties: Vec<(&'a str, &'a Value)> = Vec::new();
        let mut required: Vec<&'a str> = Vec::new();
        collect_object(node, root, &mut properties, &mut required, 0);
        // Required names without a property schema are required all the same.
        for name in &required {
            if !properties.iter().any(|(n, _)| n == name) {
                properties.push((name, &ANY_SCHEMA));
            }
        }
        for (name, sub) in properties {
            let seg = Seg::Key(name.to_owned());
            let is_required = required.contains(&name);
            let Some((next, _)) = self.step(segs, &alts, &seg, is_required) else {
                continue;
            };
            segs.push(seg);
            self.visit_schema(segs, sub, root, next);
            segs.pop();
        }
        if let Some(items) = node.get("items").filter(|i| i.is_object())
            && let Some((next, _)) = self.step(segs, &alts, &Seg::Any, false)
        {
            segs.push(Seg::Any);
            self.visit_schema(segs, items, root, next);
            segs.pop();
        }
    }
}

fn plan<'a>(here: &[&'a Rule]) -> Plan<'a> {
    let mut plan = Plan::default();
    for rule in here {
        match &rule.matcher {
            Matcher::Equality => plan.mode = Some(Mode::Equality),
            Matcher::Type { .. } => plan.mode = Some(Mode::Type),
            Matcher::EachElement { rules, .. } => {
                plan.collection = true;
                plan.element_rules.extend(rules.iter());
            }
            Matcher::EachKey { .. } => plan.map = true,
            Matcher::EachValue { rules } => {
                plan.map = true;
                plan.value_rules.extend(rules.iter());
            }
            _ => plan.leaf = true,
        }
    }
    plan
}

/// What the consumer accepts at a location: each rule's implied values or types, and the example
/// unless a leaf matcher decides the value.
fn accepts<'a>(
    here: &[&'a Rule],
    plan: &Plan<'a>,
    mode: Mode,
    example: Option<&'a Value>,
) -> Vec<Accept<'a>> {
    let mut out = Vec::new();
    for rule in here {
        let m = &rule.matcher;
        let why = || format!("a `{}` rule", m.name());
        let accept = match m {
            Matcher::Equality | Matcher::Type { .. } => continue,
            Matcher::Equals { value } => Accept::Exact(value, "an `equals` rule"),
            Matcher::Regex { .. }
            | Matcher::Include { .. }
            | Matcher::Date { .. }
            | Matcher::Time { .. }
            | Matcher::Datetime { .. } => Accept::Types(TypeSet::STRING, why()),
            Matcher::Integer { .. } => Accept::Types(TypeSet::INTEGER, why()),
            Matcher::Number { .. } => Accept::Types(TypeSet::NUMBER, why()),
            Matcher::Decimal { .. } => Accept::Types(TypeSet::NUMBER.union(TypeSet::STRING), why()),
            Matcher::Boolean => Accept::Types(TypeSet::BOOLEAN, why()),
            Matcher::Null => Accept::Types(TypeSet::NULL, why()),
            Matcher::OneOf { values } => Accept::AnyOf(values, "a `oneOf` rule"),
            Matcher::EachElement { .. } => Accept::Types(TypeSet::ARRAY, why()),
            Matcher::EachKey { .. } | Matcher::EachValue { .. } => {
                Accept::Types(TypeSet::OBJECT, why())
            }
        };
        out.push(accept);
    }
    if !plan.leaf
        && let Some(example) = example
    {
        out.push(match mode {
            Mode::Equality => Accept::Exact(example, "the example, by equality"),
            Mode::Type => Accept::Types(kind(example), "the example's type, by `type`".to_owned()),
        });
    }
    out
}

/// Whether a pattern segment matches a location step (an array index matches its decimal key).
fn matches(p: &PathSegment, s: &Seg) -> bool {
    match (p, s) {
        (PathSegment::Any, _) => true,
        (PathSegment::Key(k), Seg::Key(x)) => k == x,
        (PathSegment::Key(k), Seg::Index(i)) => *k == i.to_string(),
        (PathSegment::Key(_), Seg::Any) => false,
    }
}

/// The JSON type of a value, with every number a `number`.
fn kind(v: &Value) -> TypeSet {
    match v {
        Value::Null => TypeSet::NULL,
        Value::Bool(_) => TypeSet::BOOLEAN,
        Value::Number(_) => TypeSet::NUMBER,
        Value::String(_) => TypeSet::STRING,
        Value::Array(_) => TypeSet::ARRAY,
        Value::Object(_) => TypeSet::OBJECT,
    }
}

/// Whether `types` allows a value of `v`'s JSON type (any number counts for numbers).
fn admits_kind(types: TypeSet, v: &Value) -> bool {
    !types.intersect(kind(v)).is_empty()
}

/// Whether `v` is possible under the merged view: its type, and its enum if there is one.
fn value_possible(flat: &Flat, v: &Value) -> bool {
    flat.types.is_none_or(|t| t.admits(v))
        && flat
            .enumeration
            .as_ref()
            .is_none_or(|e| e.iter().any(|x| same_value(x, v)))
}

/// Whether some value of the types `t` is possible under the merged view.
fn types_possible(flat: &Flat, t: TypeSet) -> bool {
    !t.intersect(flat.type_set()).is_empty()
        && flat
            .enumeration
            .as_ref()
            .is_none_or(|e| e.iter().any(|x| t.admits(x)))
}

/// Whether the schema explicitly allows null (a `null` type or a null in its enum).
fn nullable(flat: &Flat) -> bool {
    match flat.types {
        Some(t) => {
            t.contains(TypeSet::NULL)
                && flat
                    .enumeration
                    .as_ref()
                    .is_none_or(|e| e.contains(&Value::Null))
        }
        None => flat
            .enumeration
            .as_ref()
            .is_some_and(|e| e.contains(&Value::Null)),
    }
}

/// JSON equality with numbers compared by value (`1 == 1.0`).
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// What the alternatives allow, for messages: `string or null`, `one of "open", "closed"`.
fn allowed(alts: &[Alt]) -> String {
    let mut types = TypeSet::default();
    let mut values: Vec<Value> = Vec::new();
    let mut all_enums = true;
    for a in alts {
        types = types.union(a.flat.type_set());
        match &a.flat.enumeration {
            Some(e) => values.extend(e.iter().cloned()),
            None => all_enums = false,
        }
    }
    if all_enums && !alts.is_empty() {
        if values.is_empty() {
            return "no value (an empty enum)".to_owned();
        }
        values.dedup();
        return format!("only {}", list(&values));
    }
    if types == TypeSet::ANY {
        return "any value".to_owned();
    }
    format!("only {}", article(types))
}

/// `a string`, `an integer`, `a string or null`.
fn article(t: TypeSet) -> String {
    let text = t.describe();
    let an = text.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {text}", if an { "an" } else { "a" })
}

fn list(values: &[Value]) -> String {
    let shown: Vec<String> = values.iter().take(8).map(compact).collect();
    let more = if values.len() > 8 { ", …" } else { "" };
    format!("{}{more}", shown.join(", "))
}

fn compact(v: &Value) -> String {
    let text = serde_json::to_string(v).unwrap_or_default();
    match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// `the schema Cart`, or `the schema at #/…`, of the first alternative.
fn describe_schema(alts: &[&Alt]) -> String {
    match alts.first() {
        Some(a) => schema_name(a.flat.name.as_deref(), &a.flat.pointer),
        None => "the schema".to_owned(),
    }
}

/// The body-relative pointer of a location: `/items/0/sku`, `*` for [`Seg::Any`].
fn body_pointer(segs: &[Seg]) -> String {
    let mut out = String::new();
    for s in segs {
        out.push('/');
        match s {
            Seg::Key(k) => out.push_str(&escape_segment(k)),
            Seg::Index(i) => out.push_str(&i.to_string()),
            Seg::Any => out.push('*'),
        }
    }
    out
}

fn pointer(segs: &[Seg]) -> String {
    format!("{BODY}{}", body_pointer(segs))
}

/// The location with every array index as `*`, so array elements share one key.
fn generic(segs: &[Seg]) -> String {
    let mut out = String::new();
    for s in segs {
        out.push('/');
        match s {
            Seg::Key(k) => out.push_str(&escape_segment(k)),
            Seg::Index(_) | Seg::Any => out.push('*'),
        }
    }
    out
}

fn subject(segs: &[Seg]) -> String {
    if segs.is_empty() {
        "the response body".to_owned()
    } else {
        format!("body field {}", body_pointer(segs))
    }
}

/// Whether a `deprecation.fields` pointer names the location (`*` matches any step).
fn acknowledges(listed: &str, segs: &[Seg]) -> bool {
    let listed = listed.strip_prefix('/').unwrap_or(listed);
    let parts: Vec<String> = if listed.is_empty() {
        Vec::new()
    } else {
        listed
            .split('/')
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect()
    };
    parts.len() == segs.len()
        && parts.iter().zip(segs).all(|(p, s)| {
            p == "*"
                || match s {
                    Seg::Key(k) => p == k,
                    Seg::Index(i) => *p == i.to_string(),
                    Seg::Any => true,
                }
        })
}

/// Follows local `$ref`s (`#/$defs/…`) of a contract schema, a bounded number of times.
fn resolve<'a>(node: &'a Value, root: &'a Value) -> &'a Value {
    let mut node = node;
    for _ in 0..16 {
        let Some(target) = node
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| root.pointer(p))
        else {
            break;
        };
        node = target;
    }
    node
}

/// The JSON types a contract schema allows, when it says: `type`, the types of `const` / `enum`,
/// the union over `oneOf` / `anyOf` branches that all say.
fn schema_types(node: &Value, root: &Value, depth: usize) -> Option<TypeSet> {
    if depth > 16 {
        return None;
    }
    let node = resolve(node, root);
    match node.get("type") {
        Some(Value::String(name)) => return TypeSet::from_name(name),
        Some(Value::Array(names)) => {
            return names.iter().try_fold(TypeSet::default(), |acc, n| {
                n.as_str()
                    .and_then(TypeSet::from_name)
                    .map(|t| acc.union(t))
            });
        }
        _ => {}
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(branches)) = node.get(key) {
            return branches.iter().try_fold(TypeSet::default(), |acc, b| {
                schema_types(b, root, depth + 1).map(|t| acc.union(t))
            });
        }
    }
    None
}

/// The properties and required names of a contract schema object, with its `allOf` parts.
fn collect_object<'a>(
    node: &'a Value,
    root: &'a Value,
    properties: &mut Vec<(&'a str, &'a Value)>,
    required: &mut Vec<&'a str>,
    depth: usize,
) {
    if depth > 16 {
        return;
    }
    let node = resolve(node, root);
    if let Some(Value::Object(props)) = node.get("properties") {
        for (name, sub) in props {
            if !properties.iter().any(|(n, _)| *n == name.as_str()) {
                properties.push((name.as_str(), sub));
            }
        }
    }
    if let Some(Value::Array(names)) = node.get("required") {
        for name in names.iter().filter_map(Value::as_str) {
            if !required.contains(&name) {
                required.push(name);
            }
        }
    }
    if let Some(Value::Array(parts)) = node.get("allOf") {
        for part in parts {
            collect_object(part, root, properties, required, depth + 1);
        }
    }
}
