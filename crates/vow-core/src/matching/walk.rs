//! Judging a JSON body against an example and path rules in one streaming pass, without building a
//! tree of the body.
//!
//! The expectation drives the parser (a serde `DeserializeSeed` per value): members nothing mentions
//! are skipped unread, scalars are judged as they stream past, and arrays are judged element by
//! element, so memory stays near the size of the body text however many elements it has. Only a value
//! that a leaf matcher decides (`regex`, `equals`, …) is materialised, and only that value.
//!
//! # Semantics
//!
//! At every location of the actual body, the walk knows three things:
//!
//! - **the example value there**, if the example states one;
//! - **the rules there**: those of every path pattern that matches the location, plus the `rules` of
//!   an `eachElement` on the parent array or an `eachValue` on the parent object (those come first,
//!   so a pattern aimed at the location itself is applied after them);
//! - **the mode**, equality or type, inherited from the parent; a `type` or `equality` rule at the
//!   location switches it for the whole subtree (the last such rule at a location wins).
//!
//! Then:
//!
//! - A **leaf matcher** (anything but `equality`, `type`, `eachElement`, `eachKey`, `eachValue`)
//!   decides the value on its own: the example is not compared there nor anywhere below. Deeper path
//!   patterns still apply.
//! - In **equality** mode scalars must equal the example (numbers by value, `1 == 1.0`); objects need
//!   every member the example states (members it does not state are ignored) and those members
//!   recurse; arrays need the example's length and element *i* matches example element *i*.
//! - In **type** mode values need the example's JSON type; objects need the example's members;
//!   every element of an array is matched against the example's first element, and the length is
//!   free unless a `type` rule there bounds it.
//! - `eachElement` makes an array a collection too (elements matched against the example's first
//!   element, length judged only by the bounds), and hands its `rules` to every element.
//! - Path patterns apply wherever the actual body has a matching location, whether or not the
//!   example reaches it. A `Key` segment whose member (or array index) is absent where the pattern
//!   needs it reports `shape.body.field-missing`; an `Any` segment matching nothing is fine.
//! - A value of the wrong JSON type is reported once (`shape.body.type-mismatch`); its children are not
//!   reported missing on top of that.
//!
//! Findings come out in document order. A value's own findings (its type, an array's length) come
//! before those of its children; members missing from an object come after them, where the object
//! ends.

use std::borrow::Cow;
use std::fmt;

use serde::de::{
    self, Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::Value;
use serde_json::value::RawValue;

use super::matcher::{self, Violation, check_length, describe, is_leaf};
use super::pattern::{Step, array_index, push_step, segment_matches};
use super::rename::likely_rename;
use super::render::{Preview, SHOWN_CHARS, clip, compact, quoted};
use super::sink::{FindingSink, Mark};
use super::value::{JsonRef, KeySeed, Kind};
use crate::contract::{Matcher, PathRules, PathSegment, Rule};
use crate::finding::Finding;
use crate::rules;

/// Where body pointers start in the exchange.
pub(crate) const BODY_POINTER: &str = "/response/body";

/// Walks `body` against an example and path rules. Returns the findings (capped, in document order),
/// or the parser's error when the body is not JSON.
pub(crate) fn walk_example(
    example: Option<&Value>,
    patterns: &[PathRules],
    body: &[u8],
) -> Result<Vec<Finding>, serde_json::Error> {
    let mut walk = Walk {
        patterns,
        active: Vec::new(),
        here: Vec::new(),
        pointer: String::from(BODY_POINTER),
        sink: FindingSink::new(),
    };
    for (i, p) in patterns.iter().enumerate() {
        if p.path.segments.is_empty() {
            walk.here.extend(p.rules.iter());
        } else {
            walk.active.push(i);
        }
    }
    let root = Frame {
        example,
        mode: Mode::Equality,
        depth: 0,
        active: (0, walk.active.len()),
        here: (0, walk.here.len()),
        pointer_start: walk.pointer.len(),
        leaves_done: false,
        type_reported: false,
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    NodeSeed {
        walk: &mut walk,
        frame: root,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(walk.sink.finish(BODY_POINTER))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Equality,
    Type,
}

/// The walk's state. `active` and `here` are stacks shared by the open values: each open value owns
/// a range at the top, so entering a value allocates nothing once the stacks have grown.
struct Walk<'e> {
    patterns: &'e [PathRules],
    /// Indices of patterns that match an open value's location so far and continue below it.
    active: Vec<usize>,
    /// Rules that apply at open values.
    here: Vec<&'e Rule>,
    /// The pointer of the current value, from `/response/body`.
    pointer: String,
    sink: FindingSink,
}

/// What the walk knows about one value before reading it.
#[derive(Debug, Clone, Copy)]
struct Frame<'e> {
    example: Option<&'e Value>,
    /// The mode inherited from the parent.
    mode: Mode,
    depth: usize,
    /// This value's range in `Walk::active`.
    active: (usize, usize),
    /// This value's range in `Walk::here`.
    here: (usize, usize),
    /// The pointer's length before this value's step was appended.
    pointer_start: usize,
    /// The value's leaf matchers were already judged on a materialised copy.
    leaves_done: bool,
    /// A type mismatch at this value was already reported.
    type_reported: bool,
}

impl Frame<'_> {
    fn has_work(&self) -> bool {
        self.example.is_some() || self.active.0 < self.active.1 || self.here.0 < self.here.1
    }
}

/// A summary of the rules at one value.
#[derive(Debug, Clone, Copy)]
struct Plan {
    has_leaf: bool,
    has_structural: bool,
    /// The mode for this value and its subtree.
    mode: Mode,
    /// Arrays here are collections: every element is matched against the example's first element.
    collection: bool,
    each_element: bool,
    each_key: bool,
    each_value: bool,
}

impl<'e> Walk<'e> {
    fn rule(&self, i: usize) -> &'e Rule {
        self.here[i]
    }

    fn plan(&self, frame: &Frame<'e>) -> Plan {
        let mut plan = Plan {
            has_leaf: false,
            has_structural: false,
            mode: frame.mode,
            collection: false,
            each_element: false,
            each_key: false,
            each_value: false,
        };
        for i in frame.here.0..frame.here.1 {
            let m = &self.rule(i).matcher;
            if is_leaf(m) {
                plan.has_leaf = true;
                continue;
            }
            plan.has_structural = true;
            match m {
                Matcher::Equality => plan.mode = Mode::Equality,
                Matcher::Type { .. } => plan.mode = Mode::Type,
                Matcher::EachElement { .. } => plan.each_element = true,
                Matcher::EachKey { .. } => plan.each_key = true,
                Matcher::EachValue { .. } => plan.each_value = true,
                _ => {}
            }
        }
        plan.collection = plan.mode == Mode::Type || plan.each_element;
        plan
    }

    /// Appends a child's step and computes what is known about it.
    fn enter(
        &mut self,
        parent: &Frame<'e>,
        plan: &Plan,
        step: Step<'_>,
        example: Option<&'e Value>,
    ) -> Frame<'e> {
        let active_start = self.active.len();
        let here_start = self.here.len();
        for i in parent.here.0..parent.here.1 {
            match (&self.rule(i).matcher, step) {
                (Matcher::EachElement { rules, .. }, Step::Index(_))
                | (Matcher::EachValue { rules }, Step::Key(_)) => self.here.extend(rules.iter()),
                _ => {}
            }
        }
        let patterns = self.patterns;
        for i in parent.active.0..parent.active.1 {
            let p = &patterns[self.active[i]];
            if let Some(segment) = p.path.segments.get(parent.depth)
                && segment_matches(segment, step)
            {
                if p.path.segments.len() == parent.depth + 1 {
                    self.here.extend(p.rules.iter());
                } else {
                    self.active.push(self.active[i]);
                }
            }
        }
        let pointer_start = self.pointer.len();
        let child = Frame {
            example,
            mode: plan.mode,
            depth: parent.depth + 1,
            active: (active_start, self.active.len()),
            here: (here_start, self.here.len()),
            pointer_start,
            leaves_done: false,
            type_reported: false,
        };
        // Values nobody judges are skipped unread, so they need no pointer (unless their key is
        // judged by `eachKey`).
        if child.has_work() || plan.each_key {
            push_step(&mut self.pointer, step);
        }
        child
    }

    fn leave(&mut self, child: &Frame<'e>) {
        self.active.truncate(child.active.0);
        self.here.truncate(child.here.0);
        self.pointer.truncate(child.pointer_start);
    }

    fn finding(&self, v: Violation, subject: &str) -> Finding {
        Finding::new(
            v.rule,
            self.pointer.clone(),
            format!("{subject} {}", v.problem),
        )
        .expected(v.expected)
        .actual(v.actual)
    }

    /// Judges the leaf matchers at a value on a materialised copy of it. Returns whether a type
    /// mismatch was reported.
    fn check_leaves(&mut self, frame: &Frame<'e>, raw: &RawValue) -> bool {
        let text = raw.get();
        let tree: Value;
        // Scalars are read straight from their text; only containers and escaped strings are parsed
        // into a tree. The text was valid JSON a moment ago, so parsing fails only on nesting deeper
        // than serde_json builds (128 levels).
        let value = match text.as_bytes().first() {
            Some(b'"') if !text.contains('\\') => JsonRef::String(&text[1..text.len() - 1]),
            Some(b't') => JsonRef::Boolean(true),
            Some(b'f') => JsonRef::Boolean(false),
            Some(b'n') => JsonRef::Null,
            Some(b'-' | b'0'..=b'9') => match serde_json::from_str(text) {
                Ok(n) => JsonRef::Number(n),
                Err(_) => return false,
            },
            _ => match serde_json::from_str(text) {
                Ok(v) => {
                    tree = v;
                    JsonRef::of(&tree)
                }
                Err(e) => {
                    let f = Finding::new(
                        rules::VALUE_MISMATCH,
                        self.pointer.clone(),
                        format!("{} is nested too deeply to judge", subject(&self.pointer)),
                    )
                    .actual(e.to_string());
                    self.sink.push(f);
                    return false;
                }
            },
        };
        let mut type_reported = false;
        for i in frame.here.0..frame.here.1 {
            let m = &self.rule(i).matcher;
            if !is_leaf(m) {
                continue;
            }
            if let Err(v) = matcher::check_body(m, &value, Some(text)) {
                if v.rule == rules::TYPE_MISMATCH {
                    if type_reported {
                        continue;
                    }
                    type_reported = true;
                }
                let f = self.finding(v, &subject(&self.pointer));
                self.sink.push(f);
            }
        }
        type_reported
    }

    /// The structural rules at a value that need another kind of value than `actual`: the first one,
    /// as a violation.
    fn structural_kind_violation(&self, frame: &Frame<'e>, actual: Kind) -> Option<&'e Matcher> {
        (frame.here.0..frame.here.1)
            .map(|i| &self.rule(i).matcher)
            .find(|m| match m {
                Matcher::EachElement { .. } => actual != Kind::Array,
                Matcher::EachKey { .. } | Matcher::EachValue { .. } => actual != Kind::Object,
                _ => false,
            })
    }

    /// A type mismatch against the example or a structural rule, if any (example first).
    fn kind_mismatch(&self, frame: &Frame<'e>, plan: &Plan, actual: Kind) -> Option<KindMismatch> {
        if frame.type_reported {
            return None;
        }
        if let Some(e) = frame.example
            && Kind::of(e) != actual
        {
            let wanted = Kind::of(e).described().to_owned();
            let expected = match plan.mode {
                Mode::Equality => compact(e),
                Mode::Type => wanted.clone(),
            };
            return Some(KindMismatch { expected, wanted });
        }
        self.structural_kind_violation(frame, actual)
            .map(|m| KindMismatch {
                expected: describe(m),
                wanted: describe(m),
            })
    }

    fn type_finding(&self, mismatch: KindMismatch, actual_kind: Kind, actual: String) -> Finding {
        let message = format!(
            "{} is {}, not {}",
            subject(&self.pointer),
            actual_kind.described(),
            mismatch.wanted
        );
        Finding::new(rules::TYPE_MISMATCH, self.pointer.clone(), message)
            .expected(mismatch.expected)
            .actual(actual)
    }

    fn scalar(&mut self, frame: &Frame<'e>, plan: &Plan, value: JsonRef<'_>) {
        let mut type_reported = frame.type_reported;
        if let Some(mismatch) = self.kind_mismatch(frame, plan, value.kind()) {
            let f = self.type_finding(mismatch, value.kind(), value.render());
            self.sink.push(f);
            type_reported = true;
        } else if let Some(e) = frame.example
            && plan.mode == Mode::Equality
            && !value.equals(e)
        {
            let f = Finding::new(
                rules::VALUE_MISMATCH,
                self.pointer.clone(),
                format!("{} differs from the example", subject(&self.pointer)),
            )
            .expected(compact(e))
            .actual(value.render());
            self.sink.push(f);
        }
        if !type_reported {
            self.report_absent_children(frame, None, value.kind());
        }
    }

    /// Reports path patterns that need a child this value lacks. `present` says whether a step
    /// exists (`None`: the value is a scalar and has no children).
    fn report_absent_children(
        &mut self,
        frame: &Frame<'e>,
        present: Option<&dyn Fn(&str) -> bool>,
        kind: Kind,
    ) {
        let mut reported: Vec<&str> = Vec::new();
        let patterns = self.patterns;
        for i in frame.active.0..frame.active.1 {
            let p = &patterns[self.active[i]];
            let Some(PathSegment::Key(k)) = p.path.segments.get(frame.depth) else {
                continue;
            };
            if present.is_some_and(|has| has(k)) || reported.contains(&k.as_str()) {
                continue;
            }
            reported.push(k);
            let f = self.missing_member(k, frame, kind, NeededBy::Pattern(p), &[]);
            self.sink.push(f);
        }
    }

    /// A `field-missing` finding for member `key` of the current value (at `depth`), which the
    /// example or a pattern needs. `candidates` are the value's other members, for a rename hint.
    fn missing_member(
        &self,
        key: &str,
        frame: &Frame<'e>,
        parent: Kind,
        needed_by: NeededBy<'_>,
        candidates: &[Cow<'_, str>],
    ) -> Finding {
        let depth = frame.depth;
        let mut pointer = self.pointer.clone();
        push_step(&mut pointer, Step::Key(key));
        let mut message = format!("{} is missing", subject(&pointer));
        if parent != Kind::Object && parent != Kind::Array {
            message.push_str(&format!(
                " ({} is {})",
                subject(&self.pointer),
                parent.described()
            ));
        }
        let mut f = Finding::new(rules::FIELD_MISSING, pointer, message);
        // A rule aimed at the member says best what was expected there; else the example does.
        let aimed = (frame.active.0..frame.active.1)
            .map(|i| &self.patterns[self.active[i]])
            .find(|p| {
                p.path.segments.len() == depth + 1
                    && matches!(&p.path.segments[depth], PathSegment::Key(k) if k == key)
            });
        match needed_by {
            NeededBy::Example(v, mode) => match aimed.and_then(|p| p.rules.first()) {
                Some(rule) => f = f.expected(describe(&rule.matcher)),
                None if mode == Mode::Type => f = f.expected(Kind::of(v).described()),
                None => f = f.expected(compact(v)),
            },
            NeededBy::Pattern(p) if p.path.segments.len() == depth + 1 => {
                if let Some(first) = p.rules.first() {
                    f = f.expected(describe(&first.matcher));
                }
            }
            NeededBy::Pattern(p) => f = f.hint(format!("the rules for {} need it", p.path.text)),
        }
        if let Some(other) = likely_rename(key, candidates.iter().map(|c| c.as_ref())) {
            f = f.hint(format!(
                "the response has {}; was the field renamed?",
                quoted(other)
            ));
        }
        f
    }
}

/// A value of another JSON type than expected.
#[derive(Debug, Clone)]
struct KindMismatch {
    /// The finding's `expected`: the example value in equality mode, else the type or the rule.
    expected: String,
    /// The expected type, for the message (`a string`).
    wanted: String,
}

/// What needs a missing member.
#[derive(Debug, Clone, Copy)]
enum NeededBy<'a> {
    /// The example states it (with this value), in this mode.
    Example(&'a Value, Mode),
    /// A path pattern goes through it.
    Pattern(&'a PathRules),
}

/// How a finding's message names the value at `pointer`.
fn subject(pointer: &str) -> String {
    let rel = pointer.strip_prefix(BODY_POINTER).unwrap_or(pointer);
    if rel.is_empty() {
        "the body".to_owned()
    } else {
        format!("body field {rel}")
    }
}

/// Deserializes one value of the body, judging it as it streams.
struct NodeSeed<'w, 'e> {
    walk: &'w mut Walk<'e>,
    frame: Frame<'e>,
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let NodeSeed { walk, frame } = self;
        let plan = walk.plan(&frame);
        if plan.has_leaf && !frame.leaves_done {
            // Borrowing the value's text costs nothing; it is parsed again only for this value.
            let raw = <&'de RawValue>::deserialize(d)?;
            let type_reported = walk.check_leaves(&frame, raw);
            let rest = Frame {
                example: None,
                leaves_done: true,
                type_reported,
                ..frame
            };
            if plan.has_structural || rest.active.0 < rest.active.1 {
                let mut again = serde_json::Deserializer::from_str(raw.get());
                NodeSeed { walk, frame: rest }
                    .deserialize(&mut again)
                    .map_err(de::Error::custom)?;
            }
            return Ok(());
        }
        d.deserialize_any(NodeVisitor { walk, frame, plan })
    }
}

struct NodeVisitor<'w, 'e> {
    walk: &'w mut Walk<'e>,
    frame: Frame<'e>,
    plan: Plan,
}

impl<'de> Visitor<'de> for NodeVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.walk
            .scalar(&self.frame, &self.plan, JsonRef::Boolean(v));
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.walk
            .scalar(&self.frame, &self.plan, JsonRef::Number(v.into()));
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.walk
            .scalar(&self.frame, &self.plan, JsonRef::Number(v.into()));
        Ok(())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        // JSON text cannot hold NaN or infinities, so this always yields a number.
        let scalar = serde_json::Number::from_f64(v).map_or(JsonRef::Null, JsonRef::Number);
        self.walk.scalar(&self.frame, &self.plan, scalar);
        Ok(())
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.walk
            .scalar(&self.frame, &self.plan, JsonRef::String(v));
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.walk.scalar(&self.frame, &self.plan, JsonRef::Null);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let NodeVisitor { walk, frame, plan } = self;
        let mark = walk.sink.mark();
        let example = match frame.example {
            Some(Value::Array(items)) => Some(items),
            _ => None,
        };
        let mismatch = walk.kind_mismatch(&frame, &plan, Kind::Array);
        let children_work = frame.active.0 < frame.active.1
            || plan.each_element
            || example.is_some_and(|items| !items.is_empty());
        if let Some(mismatch) = mismatch.clone()
            && !children_work
        {
            let mut shown = String::new();
            Preview { out: &mut shown }.visit_seq(seq)?;
            let f = walk.type_finding(mismatch, Kind::Array, clip(&shown, SHOWN_CHARS));
            walk.sink.insert(mark, f);
            return Ok(());
        }
        let mut len = 0usize;
        loop {
            let child_example = example.and_then(|items| {
                if plan.collection {
                    items.first()
                } else {
                    items.get(len)
                }
            });
            let child = walk.enter(&frame, &plan, Step::Index(len), child_example);
            let more = if child.has_work() {
                seq.next_element_seed(NodeSeed {
                    walk: &mut *walk,
                    frame: child,
                })?
                .is_some()
            } else {
                seq.next_element::<IgnoredAny>()?.is_some()
            };
            walk.leave(&child);
            if !more {
                break;
            }
            len += 1;
        }
        let mut own = Vec::new();
        if let Some(mismatch) = mismatch {
            own.push(walk.type_finding(
                mismatch,
                Kind::Array,
                format!(
                    "an array of {len} element{}",
                    if len == 1 { "" } else { "s" }
                ),
            ));
        } else {
            if let Some(items) = example
                && plan.mode == Mode::Equality
                && !plan.collection
                && items.len() != len
            {
                let n = items.len() as u64;
                let v = check_length(&Matcher::Equality, Some(n), Some(n), len).err();
                own.extend(v.map(|v| walk.finding(v, &subject(&walk.pointer))));
            }
            for i in frame.here.0..frame.here.1 {
                let m = &walk.rule(i).matcher;
                let bounds = match m {
                    Matcher::Type { min, max } | Matcher::EachElement { min, max, .. } => {
                        (*min, *max)
                    }
                    _ => continue,
                };
                if let Err(v) = check_length(m, bounds.0, bounds.1, len) {
                    own.push(walk.finding(v, &subject(&walk.pointer)));
                }
            }
        }
        insert_all(&mut walk.sink, mark, own);
        if !frame.type_reported && !matches!(frame.example, Some(e) if Kind::of(e) != Kind::Array) {
            walk.report_absent_children(
                &frame,
                Some(&|k| array_index(k).is_some_and(|i| i < len)),
                Kind::Array,
            );
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let NodeVisitor { walk, frame, plan } = self;
        let mark = walk.sink.mark();
        let example = match frame.example {
            Some(Value::Object(members)) => Some(members),
            _ => None,
        };
        let mismatch = walk.kind_mismatch(&frame, &plan, Kind::Object);
        let wants_keys = example.is_some_and(|m| !m.is_empty())
            || (frame.active.0..frame.active.1).any(|i| {
                matches!(
                    walk.patterns[walk.active[i]].path.segments.get(frame.depth),
                    Some(PathSegment::Key(_))
                )
            });
        let children_work =
            frame.active.0 < frame.active.1 || plan.each_value || plan.each_key || wants_keys;
        if let Some(mismatch) = mismatch.clone()
            && !children_work
        {
            let mut shown = String::new();
            Preview { out: &mut shown }.visit_map(map)?;
            let f = walk.type_finding(mismatch, Kind::Object, clip(&shown, SHOWN_CHARS));
            walk.sink.insert(mark, f);
            return Ok(());
        }
        let mut seen: Vec<Cow<'de, str>> = Vec::new();
        let mut len = 0usize;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            len += 1;
            let child_example = example.and_then(|m| m.get(key.as_ref()));
            let child = walk.enter(&frame, &plan, Step::Key(&key), child_example);
            if plan.each_key {
                check_key(walk, &frame, &key);
            }
            if child.has_work() {
                map.next_value_seed(NodeSeed {
                    walk: &mut *walk,
                    frame: child,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
            walk.leave(&child);
            if wants_keys {
                seen.push(key);
            }
        }
        if let Some(mismatch) = mismatch {
            let f = walk.type_finding(
                mismatch,
                Kind::Object,
                format!(
                    "an object with {len} member{}",
                    if len == 1 { "" } else { "s" }
                ),
            );
            walk.sink.insert(mark, f);
            return Ok(());
        }
        if frame.type_reported {
            return Ok(());
        }
        // Small objects are searched linearly; large ones sorted once.
        let sorted = seen.len() > 32;
        if sorted {
            seen.sort_unstable();
        }
        let has = |k: &str| {
            if sorted {
                seen.binary_search_by(|s| s.as_ref().cmp(k)).is_ok()
            } else {
                seen.iter().any(|s| s == k)
            }
        };
        let mut missing: Vec<(&str, NeededBy<'_>)> = Vec::new();
        if let Some(members) = example {
            missing.extend(
                members
                    .iter()
                    .filter(|(k, _)| !has(k))
                    .map(|(k, v)| (k.as_str(), NeededBy::Example(v, plan.mode))),
            );
        }
        let patterns = walk.patterns;
        for i in frame.active.0..frame.active.1 {
            let p = &patterns[walk.active[i]];
            let Some(PathSegment::Key(k)) = p.path.segments.get(frame.depth) else {
                continue;
            };
            if !has(k)
                && !example.is_some_and(|m| m.contains_key(k))
                && !missing.iter().any(|(m, _)| m == k)
            {
                missing.push((k, NeededBy::Pattern(p)));
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        // Members the example or a pattern needs are never offered as the new name of another.
        let needed = |s: &str| {
            example.is_some_and(|m| m.contains_key(s))
                || (frame.active.0..frame.active.1).any(|i| {
                    matches!(patterns[walk.active[i]].path.segments.get(frame.depth),
                        Some(PathSegment::Key(k)) if k == s)
                })
        };
        let candidates: Vec<Cow<'_, str>> = seen.iter().filter(|s| !needed(s)).cloned().collect();
        for (k, needed_by) in missing {
            let f = walk.missing_member(k, &frame, Kind::Object, needed_by, &candidates);
            walk.sink.push(f);
        }
        Ok(())
    }
}

/// Judges one object key against the `eachKey` rules at its object. The walk's pointer is already
/// the member's.
fn check_key(walk: &mut Walk<'_>, frame: &Frame<'_>, key: &str) {
    let key_value = JsonRef::String(key);
    for i in frame.here.0..frame.here.1 {
        let Matcher::EachKey { rules: key_rules } = &walk.rule(i).matcher else {
            continue;
        };
        for r in key_rules {
            if let Err(v) = matcher::check_body(&r.matcher, &key_value, None) {
                let message = format!("the key of {} {}", subject(&walk.pointer), v.problem);
                let f = Finding::new(v.rule, walk.pointer.clone(), message)
                    .expected(format!("a key that is {}", v.expected))
                    .actual(v.actual);
                walk.sink.push(f);
            }
        }
    }
}

fn insert_all(sink: &mut FindingSink, mark: Mark, findings: Vec<Finding>) {
    for (i, f) in findings.into_iter().enumerate() {
        sink.insert(mark.offset(i), f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{PathPattern, RegexCell};
    use serde_json::json;

    fn pattern(text: &str) -> PathPattern {
        let segments = text
            .split('/')
            .skip(1)
            .map(|s| match s {
                "*" => PathSegment::Any,
                k => PathSegment::Key(k.replace("~1", "/").replace("~0", "~")),
            })
            .collect();
        PathPattern {
            text: text.to_owned(),
            segments,
        }
    }

    fn at(text: &str, matcher: Matcher) -> PathRules {
        PathRules {
            path: pattern(text),
            rules: vec![Rule { matcher }],
        }
    }

    fn regex(p: &str) -> Matcher {
        Matcher::Regex {
            pattern: p.to_owned(),
            compiled: RegexCell(std::sync::Arc::new(
                regex::Regex::new(&format!("^(?:{p})$")).unwrap(),
            )),
        }
    }

    /// (rule id, pointer without `/response/body`) of each finding.
    fn judge(
        example: Option<Value>,
        patterns: &[PathRules],
        body: &str,
    ) -> Vec<(&'static str, String)> {
        walk_example(example.as_ref(), patterns, body.as_bytes())
            .expect("valid JSON")
            .into_iter()
            .map(|f| {
                (
                    f.rule.id,
                    f.location.pointer[BODY_POINTER.len()..].to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn without_expectations_the_body_only_has_to_be_json() {
        assert!(judge(None, &[], r#"{"a": [1, {"b": null}]}"#).is_empty());
        assert!(walk_example(None, &[], b"{} trailing").is_err());
        assert!(walk_example(None, &[], b"[1, 2").is_err());
    }

    #[test]
    fn deep_nesting_nobody_judges_is_skipped() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let patterns = [at(
            "/*",
            Matcher::Type {
                min: None,
                max: None,
            },
        )];
        assert!(judge(Some(json!([[]])), &patterns, &deep).is_empty());
    }

    #[test]
    fn deep_nesting_in_a_shown_value_is_cut_not_refused() {
        let body = format!(r#"{{"id": {}{}}}"#, "[".repeat(10_000), "]".repeat(10_000));
        let found = judge(Some(json!({"id": "c-1"})), &[], &body);
        assert_eq!(found, [("shape.body.type-mismatch", "/id".to_owned())]);
    }

    #[test]
    fn a_leaf_matcher_on_a_value_too_deep_to_build_is_reported() {
        let body = format!(r#"{{"id": {}{}}}"#, "[".repeat(1_000), "]".repeat(1_000));
        let found = judge(
            None,
            &[at(
                "/id",
                Matcher::OneOf {
                    values: vec![json!(1)],
                },
            )],
            &body,
        );
        assert_eq!(found, [("shape.body.value-mismatch", "/id".to_owned())]);
    }

    #[test]
    fn an_objects_type_mismatch_hides_the_members_a_pattern_wants_below_it() {
        let found = judge(
            Some(json!({"total": {"amount": 1}})),
            &[at(
                "/total/amount",
                Matcher::Integer {
                    min: None,
                    max: None,
                },
            )],
            r#"{"total": "12.50"}"#,
        );
        assert_eq!(found, [("shape.body.type-mismatch", "/total".to_owned())]);
    }

    #[test]
    fn a_pattern_below_a_scalar_reports_the_member_missing() {
        let found = judge(
            None,
            &[at(
                "/total/amount",
                Matcher::Number {
                    min: None,
                    max: None,
                },
            )],
            r#"{"total": 12}"#,
        );
        assert_eq!(
            found,
            [("shape.body.field-missing", "/total/amount".to_owned())]
        );
    }

    #[test]
    fn duplicate_members_are_each_judged() {
        let found = judge(
            None,
            &[at("/id", regex("c-[0-9]+"))],
            r#"{"id": "c-1", "id": "x"}"#,
        );
        assert_eq!(found, [("shape.body.regex-mismatch", "/id".to_owned())]);
    }

    #[test]
    fn a_huge_mismatched_container_is_shown_cut_short() {
        let body = format!(r#"{{"id": [{}0]}}"#, "1234567890,".repeat(50_000));
        let findings =
            walk_example(Some(&json!({"id": "c-1"})), &[], body.as_bytes()).expect("valid JSON");
        assert_eq!(findings.len(), 1);
        let actual = findings[0].actual.as_deref().unwrap_or_default();
        assert!(
            actual.ends_with('…') && actual.chars().count() <= 121,
            "{actual}"
        );
    }

    #[test]
    fn escaped_strings_are_judged_by_their_value() {
        let found = judge(None, &[at("/name", regex("a\"b"))], r#"{"name": "a\"b"}"#);
        assert!(found.is_empty(), "{found:?}");
        let found = judge(Some(json!({"name": "é"})), &[], r#"{"name": "\u00e9"}"#);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn each_value_rules_come_before_a_pattern_aimed_at_the_member() {
        // eachValue says type (inherited mode off), the pattern says equality: the pattern wins.
        let patterns = [
            PathRules {
                path: pattern("/prices"),
                rules: vec![Rule {
                    matcher: Matcher::EachValue {
                        rules: vec![Rule {
                            matcher: Matcher::Type {
                                min: None,
                                max: None,
                            },
                        }],
                    },
                }],
            },
            at("/prices/eur", Matcher::Equality),
        ];
        let found = judge(
            Some(json!({"prices": {"eur": 1, "usd": 2}})),
            &patterns,
            r#"{"prices": {"eur": 5, "usd": 7}}"#,
        );
        assert_eq!(
            found,
            [("shape.body.value-mismatch", "/prices/eur".to_owned())]
        );
    }

    #[test]
    fn pointers_of_skipped_members_do_not_leak_into_later_findings() {
        let found = judge(
            Some(json!({"b": 1})),
            &[],
            r#"{"a~x/y": {"deep": [1, 2, 3]}, "b": 2}"#,
        );
        assert_eq!(found, [("shape.body.value-mismatch", "/b".to_owned())]);
    }
}
