//! The documents a provider spec is made of: the root document and every file its `$ref`s reach,
//! keyed by a path relative to the root document's folder, plus reference resolution between them.
//!
//! This module never touches the file system: the caller reads the files [`Documents::missing`]
//! names and adds them, until nothing is missing.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use crate::contract::source::{SourceMap, read_json_value, read_source};
use crate::contract::{Position, Problem, SourceFormat};

use super::locate::locate_pointer;

/// Index of a document in [`Documents`]; the root is 0.
pub type DocId = usize;

/// One document: its key (a `/`-separated path relative to the root document's folder), a name to
/// show in messages (usually the file's path), and its content.
#[derive(Debug)]
pub struct Document {
    pub key: String,
    pub origin: String,
    pub value: Value,
    text: String,
    format: SourceFormat,
    map: Option<SourceMap>,
    /// The documents this one refers to: the pointer of each `$ref` to another file, and that
    /// file's key. Found once, when the document is added.
    files: Vec<(String, String)>,
}

impl Document {
    /// Where the value at `pointer` starts in the text, when it can be told.
    pub fn position(&self, pointer: &str) -> Option<Position> {
        match (&self.map, self.format) {
            (Some(map), _) => map.key(pointer),
            (None, SourceFormat::Json) => locate_pointer(&self.text, pointer),
            (None, SourceFormat::Yaml) => None,
        }
    }
}

/// A problem in one of a spec's documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecProblem {
    /// The document's origin (usually its path).
    pub origin: String,
    pub problem: Problem,
}

/// A reference that names a document the caller has not added yet, and where it was first seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingDocument {
    /// The document's key, relative to the root document's folder.
    pub key: String,
    /// The document and pointer of a `$ref` that needs it.
    pub referrer: DocId,
    pub pointer: String,
}

/// The documents of one spec.
#[derive(Debug, Default)]
pub struct Documents {
    docs: Vec<Document>,
    by_key: HashMap<String, DocId>,
    /// Keys the caller could not provide (file missing or unreadable), with the reason.
    unavailable: HashMap<String, String>,
}

/// Where a reference points: a document and a JSON pointer in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    pub doc: DocId,
    pub pointer: String,
}

/// Why a reference could not be followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefError {
    Remote(String),
    Unavailable {
        key: String,
        reason: String,
    },
    NotFound {
        reference: String,
        hint: Option<String>,
    },
    Unsupported(String),
}

impl Documents {
    /// Reads `text` as the next document (the first one added is the root). A document that cannot
    /// be read is reported with its syntax problems.
    pub fn add(
        &mut self,
        key: &str,
        origin: &str,
        text: String,
        format: SourceFormat,
    ) -> Result<DocId, Vec<SpecProblem>> {
        let located = |problems: Vec<Problem>| {
            problems
                .into_iter()
                .map(|problem| SpecProblem {
                    origin: origin.to_owned(),
                    problem,
                })
                .collect::<Vec<_>>()
        };
        if text.trim().is_empty() {
            return Err(located(vec![Problem {
                pointer: String::new(),
                position: None,
                expected: "an OpenAPI document".to_owned(),
                found: "an empty file".to_owned(),
                hint: None,
            }]));
        }
        let (value, map) = match format {
            // Large JSON documents are read by serde_json alone; positions are found on demand.
            SourceFormat::Json => (read_json_value(&text).map_err(|p| located(vec![p]))?, None),
            SourceFormat::Yaml => {
                let source = read_source(&text, format).map_err(located)?;
                (source.value, Some(source.map))
            }
        };
        let text = if map.is_some() { String::new() } else { text };
        Ok(self.push(key, origin, value, text, format, map))
    }

    /// Adds a document that is already a JSON value (e.g. one document of a bundle the broker
    /// stored). Problems in it are located by JSON pointer only: there is no text to give lines.
    pub fn add_value(&mut self, key: &str, origin: &str, value: Value) -> DocId {
        self.push(key, origin, value, String::new(), SourceFormat::Json, None)
    }

    fn push(
        &mut self,
        key: &str,
        origin: &str,
        value: Value,
        text: String,
        format: SourceFormat,
        map: Option<SourceMap>,
    ) -> DocId {
        let id = self.docs.len();
        let mut refs = Vec::new();
        collect_refs(&value, &mut refs);
        let files = refs
            .into_iter()
            .filter_map(|(pointer, reference)| {
                let file = reference.split('#').next().unwrap_or_default();
                (!file.is_empty() && !is_remote(file)).then(|| (pointer, join_key(key, file)))
            })
            .collect();
        self.docs.push(Document {
            key: key.to_owned(),
            origin: origin.to_owned(),
            value,
            text,
            format,
            map,
            files,
        });
        self.by_key.insert(key.to_owned(), id);
        id
    }

    /// Records that the document `key` could not be read, so references to it are reported with
    /// `reason` instead of being asked for again.
    pub fn unavailable(&mut self, key: &str, reason: String) {
        self.unavailable.insert(key.to_owned(), reason);
    }

    /// Documents that references name and that were neither added nor marked unavailable.
    pub fn missing(&self) -> Vec<MissingDocument> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for (id, doc) in self.docs.iter().enumerate() {
            for (pointer, key) in &doc.files {
                if self.by_key.contains_key(key)
                    || self.unavailable.contains_key(key)
                    || !seen.insert(key.clone())
                {
                    continue;
                }
                out.push(MissingDocument {
                    key: key.clone(),
                    referrer: id,
                    pointer: pointer.clone(),
                });
            }
        }
        out
    }

    pub fn get(&self, id: DocId) -> &Document {
        &self.docs[id]
    }

    pub fn root(&self) -> Option<&Document> {
        self.docs.first()
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The value at `pointer` in document `doc`.
    pub fn value(&self, target: &Target) -> Option<&Value> {
        self.docs.get(target.doc)?.value.pointer(&target.pointer)
    }

    /// Where `reference` (the text of a `$ref` in document `from`) points.
    pub fn resolve(&self, from: DocId, reference: &str) -> Result<Target, RefError> {
        self.resolve_value(from, reference)
            .map(|(target, _)| target)
    }

    /// Where `reference` points, and the value there.
    pub fn resolve_value(
        &self,
        from: DocId,
        reference: &str,
    ) -> Result<(Target, &Value), RefError> {
        let (file, fragment) = match reference.split_once('#') {
            Some((file, fragment)) => (file, fragment),
            None => (reference, ""),
        };
        if is_remote(file) {
            return Err(RefError::Remote(reference.to_owned()));
        }
        let doc = if file.is_empty() {
            from
        } else {
            let key = join_key(&self.docs[from].key, file);
            match self.by_key.get(&key) {
                Some(&id) => id,
                None => {
                    return Err(RefError::Unavailable {
                        reason: self
                            .unavailable
                            .get(&key)
                            .cloned()
                            .unwrap_or_else(|| "it was not read".to_owned()),
                        key,
                    });
                }
            }
        };
        let pointer = percent_decode(fragment);
        if !pointer.is_empty() && !pointer.starts_with('/') {
            return Err(RefError::Unsupported(reference.to_owned()));
        }
        let target = Target { doc, pointer };
        match self.value(&target) {
            Some(value) => Ok((target, value)),
            None => Err(RefError::NotFound {
                reference: reference.to_owned(),
                hint: self.closest(&target),
            }),
        }
    }

    /// A sibling of a missing target with a close name, as a `did you mean` hint.
    fn closest(&self, target: &Target) -> Option<String> {
        let (parent, last) = target.pointer.rsplit_once('/')?;
        let last = last.replace("~1", "/").replace("~0", "~");
        let siblings = self.docs[target.doc].value.pointer(parent)?.as_object()?;
        siblings
            .keys()
            .map(|k| (strsim::jaro_winkler(k, &last), k))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, k)| format!("did you mean #{parent}/{k}?"))
    }

    /// A problem located at `pointer` of document `doc`.
    pub fn problem(
        &self,
        doc: DocId,
        pointer: &str,
        expected: impl Into<String>,
        found: impl Into<String>,
        hint: Option<String>,
    ) -> SpecProblem {
        let document = &self.docs[doc];
        SpecProblem {
            origin: document.origin.clone(),
            problem: Problem {
                pointer: pointer.to_owned(),
                position: document.position(pointer),
                expected: expected.into(),
                found: found.into(),
                hint,
            },
        }
    }

    /// The problem for a reference that could not be followed.
    pub fn ref_problem(&self, doc: DocId, pointer: &str, error: RefError) -> SpecProblem {
        let at = format!("{pointer}/$ref");
        match error {
            RefError::Remote(reference) => self.problem(
                doc,
                &at,
                "a reference within the document or to a file beside it",
                format!("the remote reference {reference}"),
                Some(
                    "vow works offline and never fetches references; save the document next to \
                     this one and refer to it by a relative path"
                        .to_owned(),
                ),
            ),
            RefError::Unavailable { key, reason } => self.problem(
                doc,
                &at,
                "a reference to a readable file",
                format!("a reference to {key}, which could not be read: {reason}"),
                None,
            ),
            RefError::NotFound { reference, hint } => self.problem(
                doc,
                &at,
                "a reference to an existing value",
                format!("{reference}, which names nothing"),
                hint,
            ),
            RefError::Unsupported(reference) => self.problem(
                doc,
                &at,
                "a reference whose fragment is a JSON pointer (`#/components/schemas/Cart`)",
                reference,
                Some("anchors (`#name`) are not supported; use a JSON pointer".to_owned()),
            ),
        }
    }
}

/// Whether a reference's file part names a remote document (`https://…`, `//host/…`).
fn is_remote(file: &str) -> bool {
    file.contains("://") || file.starts_with("//")
}

/// The key of `reference` (a relative or absolute path) seen from the document keyed `base`:
/// `schemas/cart.yaml` from `api/openapi.yaml` is `api/schemas/cart.yaml`. Purely lexical.
pub fn join_key(base: &str, reference: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let absolute = reference.starts_with('/');
    if !absolute && let Some((dir, _)) = base.rsplit_once('/') {
        parts.extend(dir.split('/'));
    }
    for segment in reference.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                if matches!(parts.last(), Some(last) if *last != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Decodes `%XX` escapes (references are URIs: `#/paths/~1carts~1%7Bid%7D` is common; so are path
/// segments); anything else is kept as written.
pub fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every `$ref` to another document in `value`, with the pointer of the object holding it.
/// Iterative, so a deep document cannot exhaust the stack; pointers are only spelled out for the
/// references returned (most are local, and a large spec has tens of thousands of objects).
fn collect_refs(value: &Value, out: &mut Vec<(String, String)>) {
    enum Seg<'v> {
        Root,
        Key(&'v str),
        Index(usize),
    }
    let mut path: Vec<String> = Vec::new();
    let mut stack: Vec<(usize, Seg<'_>, &Value)> = vec![(0, Seg::Root, value)];
    while let Some((depth, seg, value)) = stack.pop() {
        path.truncate(depth.saturating_sub(1));
        match seg {
            Seg::Root => {}
            Seg::Key(k) => path.push(escape(k)),
            Seg::Index(i) => path.push(i.to_string()),
        }
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref")
                    && !r.starts_with('#')
                {
                    let pointer: String = path.iter().map(|s| format!("/{s}")).collect();
                    out.push((pointer, r.clone()));
                }
                for (k, v) in map {
                    if v.is_object() || v.is_array() {
                        stack.push((depth + 1, Seg::Key(k), v));
                    }
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    if v.is_object() || v.is_array() {
                        stack.push((depth + 1, Seg::Index(i), v));
                    }
                }
            }
            _ => {}
        }
    }
}

/// Escapes one JSON pointer segment.
pub fn escape(segment: &str) -> String {
    crate::contract::source::escape_segment(segment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_join_lexically() {
        assert_eq!(
            join_key("openapi.yaml", "schemas/cart.yaml"),
            "schemas/cart.yaml"
        );
        assert_eq!(join_key("api/openapi.yaml", "./cart.yaml"), "api/cart.yaml");
        assert_eq!(
            join_key("api/v1/a.yaml", "../common/e.yaml"),
            "api/common/e.yaml"
        );
        assert_eq!(join_key("a.yaml", "../shared/e.yaml"), "../shared/e.yaml");
        assert_eq!(join_key("a.yaml", "/abs/e.yaml"), "/abs/e.yaml");
    }

    #[test]
    fn percent_escapes_are_decoded() {
        assert_eq!(
            percent_decode("/paths/~1carts~1%7Bid%7D"),
            "/paths/~1carts~1{id}"
        );
        assert_eq!(percent_decode("/a%2"), "/a%2");
    }

    #[test]
    fn remote_and_missing_references_are_told_apart() {
        let mut docs = Documents::default();
        let text = r##"{"a": {"$ref": "https://example.com/x.json#/y"}, "b": {"$ref": "other.json#/c"}, "d": {"$ref": "#/nope"}}"##;
        docs.add(
            "root.json",
            "root.json",
            text.to_owned(),
            SourceFormat::Json,
        )
        .unwrap();
        let missing = docs.missing();
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].key, "other.json");
        assert_eq!(missing[0].pointer, "/b");
        assert!(matches!(
            docs.resolve(0, "https://example.com/x.json#/y"),
            Err(RefError::Remote(_))
        ));
        assert!(matches!(
            docs.resolve(0, "#/nope"),
            Err(RefError::NotFound { .. })
        ));
        assert_eq!(
            docs.resolve(0, "#/a").unwrap(),
            Target {
                doc: 0,
                pointer: "/a".to_owned()
            }
        );
    }
}
