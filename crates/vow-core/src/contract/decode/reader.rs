//! Typed reading of a located JSON value that records a problem and carries on instead of stopping,
//! so that one pass over a contract reports everything wrong with it.

use serde_json::{Map, Value};

use crate::contract::diagnostic::{Position, Problem};
use crate::contract::source::{SourceMap, escape_segment};

/// A value in the document together with its JSON pointer.
#[derive(Debug, Clone)]
pub(super) struct Node<'v> {
    pub value: &'v Value,
    pub pointer: String,
}

impl<'v> Node<'v> {
    pub fn root(value: &'v Value) -> Self {
        Node {
            value,
            pointer: String::new(),
        }
    }

    pub fn child(&self, segment: &str, value: &'v Value) -> Node<'v> {
        Node {
            value,
            pointer: format!("{}/{}", self.pointer, escape_segment(segment)),
        }
    }
}

/// The members of an object whose keys were already checked against the known keys of its kind.
#[derive(Debug)]
pub(super) struct Fields<'v> {
    pub node: Node<'v>,
    pub map: &'v Map<String, Value>,
    /// The keys this kind of object may hold; empty when its keys are free (header names, ...).
    pub known: &'static [&'static str],
}

impl<'v> Fields<'v> {
    pub fn get(&self, key: &str) -> Option<Node<'v>> {
        self.map.get(key).map(|value| self.node.child(key, value))
    }

    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }
}

/// Collects problems while the decoder walks a document.
#[derive(Debug)]
pub(super) struct Decoder<'m> {
    map: &'m SourceMap,
    problems: Vec<Problem>,
    /// Compiled regexes by anchored pattern, so a pattern used by many rules compiles once.
    regexes: std::collections::HashMap<String, std::sync::Arc<regex::Regex>>,
}

impl<'m> Decoder<'m> {
    pub fn new(map: &'m SourceMap) -> Self {
        Decoder {
            map,
            problems: Vec::new(),
            regexes: std::collections::HashMap::new(),
        }
    }

    /// Compiles `pattern`, or returns the regex compiled for the same pattern earlier.
    pub fn regex(&mut self, pattern: String) -> Result<std::sync::Arc<regex::Regex>, regex::Error> {
        if let Some(compiled) = self.regexes.get(&pattern) {
            return Ok(compiled.clone());
        }
        let compiled = std::sync::Arc::new(regex::Regex::new(&pattern)?);
        self.regexes.insert(pattern, compiled.clone());
        Ok(compiled)
    }

    /// The problems in document order (those without a position keep the order they were found in).
    pub fn finish(mut self) -> Vec<Problem> {
        self.problems
            .sort_by_key(|p| p.position.map_or((usize::MAX, 0), |p| (p.line, p.column)));
        self.problems
    }

    /// The position of `pointer`, or of its nearest ancestor the text locates (a missing key is
    /// shown at the object that lacks it).
    fn locate(&self, pointer: &str, at_key: bool) -> Option<Position> {
        let exact = if at_key {
            self.map.key(pointer)
        } else {
            self.map.value(pointer)
        };
        if exact.is_some() {
            return exact;
        }
        let mut ancestor = pointer;
        while let Some(cut) = ancestor.rfind('/') {
            ancestor = &ancestor[..cut];
            if let Some(position) = self.map.value(ancestor) {
                return Some(position);
            }
        }
        None
    }

    fn push(
        &mut self,
        pointer: &str,
        at_key: bool,
        expected: &str,
        found: String,
        hint: Option<String>,
    ) {
        let position = self.locate(pointer, at_key);
        self.problems.push(Problem {
            pointer: pointer.to_owned(),
            position,
            expected: expected.to_owned(),
            found,
            hint,
        });
    }

    /// A problem with the value at `node`.
    pub fn report(&mut self, node: &Node, expected: &str, found: String, hint: Option<String>) {
        self.push(&node.pointer, false, expected, found, hint);
    }

    /// A problem with the key of the object member at `node` (an unknown or forbidden key).
    pub fn report_key(&mut self, node: &Node, expected: &str, found: String, hint: Option<String>) {
        self.push(&node.pointer, true, expected, found, hint);
    }

    /// A wrong value, described by what it is.
    pub fn mismatch(&mut self, node: &Node, expected: &str) {
        self.mismatch_hinted(node, expected, None);
    }

    /// A wrong value, described by what it is, with a hint on what to write instead.
    pub fn mismatch_hinted(&mut self, node: &Node, expected: &str, hint: Option<String>) {
        self.report(node, expected, describe(node.value), hint);
    }

    /// Checks that `node` is an object whose keys are free (names chosen by the author: header
    /// names, query parameters, path patterns), so no key is unknown.
    pub fn free_object<'v>(&mut self, node: &Node<'v>, expected: &str) -> Option<Fields<'v>> {
        let Value::Object(map) = node.value else {
            self.mismatch(node, expected);
            return None;
        };
        Some(Fields {
            node: node.clone(),
            map,
            known: &[],
        })
    }

    /// Checks that `node` is an object and that each of its keys is one of `keys`.
    pub fn object<'v>(
        &mut self,
        node: &Node<'v>,
        expected: &str,
        keys: &'static [&'static str],
    ) -> Option<Fields<'v>> {
        let Value::Object(map) = node.value else {
            self.mismatch(node, expected);
            return None;
        };
        for (key, value) in ordered(self.map, node, map) {
            if !keys.contains(&key.as_str()) {
                let member = node.child(key, value);
                self.report_key(
                    &member,
                    &format!("a key of {expected}"),
                    format!("the key {}", quote(key)),
                    Some(unknown_key_hint(key, keys)),
                );
            }
        }
        Some(Fields {
            node: node.clone(),
            map,
            known: keys,
        })
    }

    /// The members of an object in file order when the text locates them (serde_json's map sorts
    /// its keys, and people expect problems and rules in the order they wrote them).
    pub fn entries<'v>(&self, fields: &Fields<'v>) -> Vec<(&'v String, Node<'v>)> {
        ordered(self.map, &fields.node, fields.map)
            .into_iter()
            .map(|(key, value)| (key, fields.node.child(key, value)))
            .collect()
    }

    /// The member `key`, reporting its absence.
    pub fn required<'v>(
        &mut self,
        fields: &Fields<'v>,
        key: &str,
        expected: &str,
    ) -> Option<Node<'v>> {
        let found = fields.get(key);
        // An unknown key that looks like a typo of this one was already reported with a
        // "did you mean"; reporting the absence too would say the same thing twice.
        let misspelt = fields
            .map
            .keys()
            .any(|k| !fields.known.contains(&k.as_str()) && suggest(k, &[key]).is_some());
        if found.is_none() && !misspelt {
            let pointer = format!("{}/{}", fields.node.pointer, escape_segment(key));
            self.push(&pointer, false, expected, "nothing".to_owned(), None);
        }
        found
    }

    pub fn string(&mut self, node: &Node, expected: &str) -> Option<String> {
        match node.value {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.mismatch(node, expected);
                None
            }
        }
    }

    pub fn non_empty_string(&mut self, node: &Node, expected: &str) -> Option<String> {
        match node.value {
            Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            _ => {
                self.mismatch(node, expected);
                None
            }
        }
    }

    pub fn boolean(&mut self, node: &Node) -> Option<bool> {
        match node.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) => {
                let lower = s.to_ascii_lowercase();
                let hint = match lower.as_str() {
                    "true" | "false" => Some(format!("write {lower} without quotes")),
                    "yes" | "on" | "y" => {
                        Some("YAML 1.2 reads this as a string; write true".to_owned())
                    }
                    "no" | "off" | "n" => {
                        Some("YAML 1.2 reads this as a string; write false".to_owned())
                    }
                    _ => None,
                };
                self.mismatch_hinted(node, "true or false", hint);
                None
            }
            _ => {
                self.mismatch(node, "true or false");
                None
            }
        }
    }

    /// An integer within inclusive bounds. `1.0` counts as an integer, as in JSON Schema.
    pub fn integer(&mut self, node: &Node, min: i64, max: i64, expected: &str) -> Option<i64> {
        match as_integer(node.value) {
            Some(i) if (min..=max).contains(&i) => Some(i),
            _ => {
                let hint = quoted_number_hint(node.value);
                self.mismatch_hinted(node, expected, hint);
                None
            }
        }
    }

    pub fn number(&mut self, node: &Node, expected: &str) -> Option<f64> {
        match node.value.as_f64() {
            Some(n) => Some(n),
            None => {
                let hint = quoted_number_hint(node.value);
                self.mismatch_hinted(node, expected, hint);
                None
            }
        }
    }

    pub fn list<'v>(&mut self, node: &Node<'v>, expected: &str) -> Option<Vec<Node<'v>>> {
        match node.value {
            Value::Array(items) => Some(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| node.child(&i.to_string(), item))
                    .collect(),
            ),
            _ => {
                self.mismatch(node, expected);
                None
            }
        }
    }

    pub fn non_empty_list<'v>(&mut self, node: &Node<'v>, expected: &str) -> Option<Vec<Node<'v>>> {
        let items = self.list(node, expected)?;
        if items.is_empty() {
            self.mismatch(node, expected);
            return None;
        }
        Some(items)
    }

    /// A list of strings; every bad item is reported.
    pub fn strings(&mut self, node: &Node, expected: &str, item: &str) -> Option<Vec<String>> {
        let items = self.list(node, expected)?;
        let strings: Vec<Option<String>> = items
            .iter()
            .map(|n| self.non_empty_string(n, item))
            .collect();
        strings.into_iter().collect()
    }

    /// One of a fixed set of names, with a suggestion when the value is close to one of them.
    pub fn name_in<'n>(
        &mut self,
        node: &Node,
        names: &[&'n str],
        expected: &str,
    ) -> Option<&'n str> {
        let Value::String(s) = node.value else {
            // YAML reads a bare `null` as no value, not as the name "null".
            let hint = (node.value.is_null() && names.contains(&"null"))
                .then(|| "quote it: \"null\"".to_owned());
            self.mismatch_hinted(node, expected, hint);
            return None;
        };
        if let Some(name) = names.iter().find(|n| **n == s) {
            return Some(name);
        }
        let hint = match suggest(s, names) {
            Some(close) => format!("did you mean {}?", quote(close)),
            None => format!("valid values: {}", names.join(", ")),
        };
        self.mismatch_hinted(node, expected, Some(hint));
        None
    }
}

fn ordered<'v>(
    map: &SourceMap,
    node: &Node,
    members: &'v Map<String, Value>,
) -> Vec<(&'v String, &'v Value)> {
    let mut entries: Vec<_> = members.iter().collect();
    entries.sort_by_key(|(key, _)| {
        let pointer = format!("{}/{}", node.pointer, escape_segment(key));
        map.key(&pointer)
            .map_or((usize::MAX, 0), |p| (p.line, p.column))
    });
    entries
}

pub(super) fn as_integer(value: &Value) -> Option<i64> {
    if let Some(i) = value.as_i64() {
        return Some(i);
    }
    let f = value.as_f64()?;
    // Only whole numbers that fit exactly; the bounds keep the cast lossless.
    (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
}

fn quoted_number_hint(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if s.trim().parse::<f64>().is_ok() => {
            Some(format!("write {} without quotes", s.trim()))
        }
        _ => None,
    }
}

fn unknown_key_hint(key: &str, keys: &[&str]) -> String {
    match suggest(key, keys) {
        Some(close) => format!("did you mean {}?", quote(close)),
        None => format!("valid keys: {}", keys.join(", ")),
    }
}

/// The candidate closest to `word`, when it is close enough to be a likely typo.
pub(super) fn suggest<'n>(word: &str, candidates: &[&'n str]) -> Option<&'n str> {
    let word = word.to_lowercase();
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(&word, &c.to_lowercase()), *c))
        .filter(|(distance, c)| {
            let candidate = c.to_lowercase();
            // A typo, or a known name with something stuck on (`matches` for `match`).
            *distance <= (c.chars().count() / 3).max(1)
                || (candidate.len() >= 3 && word.starts_with(&candidate))
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// A JSON string literal for `s`, as messages show names and values.
pub(super) fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// How a message names what the file holds: `the string "abc"`, `the number 2`, `a list`, ...
pub(super) fn describe(value: &Value) -> String {
    const LONGEST: usize = 60;
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.chars().count() > LONGEST => {
            let head: String = s.chars().take(LONGEST).collect();
            format!("the string {}…", quote(&head))
        }
        Value::String(s) => format!("the string {}", quote(s)),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_described_as_people_read_them() {
        assert_eq!(describe(&json!("abc")), "the string \"abc\"");
        assert_eq!(describe(&json!(2)), "the number 2");
        assert_eq!(describe(&json!([1])), "a list");
        assert_eq!(describe(&json!({})), "an object");
        assert_eq!(describe(&json!(null)), "null");
        assert_eq!(describe(&json!(false)), "false");
    }

    #[test]
    fn suggestions_only_for_near_misses() {
        let keys = ["description", "request", "response", "id"];
        assert_eq!(suggest("descripton", &keys), Some("description"));
        assert_eq!(suggest("Request", &keys), Some("request"));
        assert_eq!(suggest("ids", &keys), Some("id"));
        assert_eq!(suggest("headers", &keys), None);
        assert_eq!(suggest("matches", &["match", "min"]), Some("match"));
    }
}
