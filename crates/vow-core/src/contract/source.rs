//! Source text to a JSON value plus a map from JSON pointer to position (YAML or JSON), so that
//! decoding problems can point at a line and column instead of only a pointer.
//!
//! YAML is read with saphyr's marked loader; JSON is read with serde_json (which owns the value and the
//! syntax errors) and then, best effort, with saphyr again to learn positions, since JSON is YAML 1.2.

use std::collections::HashMap;

use saphyr::{LoadableYamlNode, MarkedYaml, Marker, Scalar, ScanError, YamlData};
use serde_json::{Map, Number, Value};

use super::diagnostic::{Position, Problem};

/// The syntax of a contract file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Yaml,
    Json,
}

impl SourceFormat {
    /// The format for a file extension (`yaml`, `yml` or `json`, any case, without the dot).
    pub fn from_extension(ext: &str) -> Option<SourceFormat> {
        match ext.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Some(SourceFormat::Yaml),
            "json" => Some(SourceFormat::Json),
            _ => None,
        }
    }
}

/// Deeper nesting than this is refused: no contract needs it, and refusing it keeps every recursive
/// walk over the document (ours, serde_json's drop, saphyr's) far from the stack limit.
pub const MAX_DEPTH: usize = 128;

/// Block YAML needs one column per nesting level, so a line indented further than this cannot be
/// part of a document within [`MAX_DEPTH`]; checking it before loading keeps saphyr from building a
/// tree too deep to drop safely.
const MAX_INDENT: usize = 4 * MAX_DEPTH;

/// Where a value, and for object members its key, starts in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Spot {
    value: Position,
    key: Option<Position>,
}

/// Positions of values by JSON pointer. Empty when positions are unknown.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    spots: HashMap<String, Spot>,
}

impl SourceMap {
    /// Where the value at `pointer` starts.
    pub fn value(&self, pointer: &str) -> Option<Position> {
        self.spots.get(pointer).map(|s| s.value)
    }

    /// Where the key of the object member at `pointer` starts; the value's position when the value
    /// is not an object member.
    pub fn key(&self, pointer: &str) -> Option<Position> {
        self.spots.get(pointer).map(|s| s.key.unwrap_or(s.value))
    }
}

/// A contract document read from text, before decoding.
#[derive(Debug, Clone)]
pub struct SourceDocument {
    pub value: Value,
    pub map: SourceMap,
}

/// Reads `text` as one YAML or JSON document. Every problem found while reading is returned; the
/// caller decodes only documents that were read cleanly.
pub fn read_source(text: &str, format: SourceFormat) -> Result<SourceDocument, Vec<Problem>> {
    match format {
        SourceFormat::Yaml => read_yaml(text),
        SourceFormat::Json => read_json(text),
    }
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape_segment(segment: &str) -> String {
    if segment.contains(['~', '/']) {
        segment.replace('~', "~0").replace('/', "~1")
    } else {
        segment.to_owned()
    }
}

fn empty_file() -> Problem {
    Problem {
        pointer: String::new(),
        position: None,
        expected: "a contract document".to_owned(),
        found: "an empty file".to_owned(),
        hint: Some("a contract starts with `vow: 1`".to_owned()),
    }
}

fn position_of(marker: &Marker) -> Position {
    Position {
        line: marker.line(),
        column: marker.col() + 1,
    }
}

fn read_yaml(text: &str) -> Result<SourceDocument, Vec<Problem>> {
    check_indentation(text)?;
    let docs = MarkedYaml::load_from_str(text).map_err(|e| vec![scan_problem(text, &e, "YAML")])?;
    let doc = match docs.as_slice() {
        [] => return Err(vec![empty_file()]),
        [doc] => doc,
        [_, second, ..] => {
            return Err(vec![Problem {
                pointer: String::new(),
                position: Some(position_of(&second.span.start)),
                expected: "exactly one YAML document".to_owned(),
                found: format!("{} documents", docs.len()),
                hint: Some("put each contract in its own file".to_owned()),
            }]);
        }
    };
    // A file holding only comments or `---` loads as one empty document.
    if matches!(doc.data, YamlData::BadValue | YamlData::Value(Scalar::Null)) && is_blank_yaml(text)
    {
        return Err(vec![empty_file()]);
    }
    let mut converter = Converter {
        text,
        map: SourceMap::default(),
        problems: Vec::new(),
    };
    let value = converter.convert(doc, "", None, 0);
    if converter.problems.is_empty() {
        Ok(SourceDocument {
            value,
            map: converter.map,
        })
    } else {
        Err(converter.problems)
    }
}

fn is_blank_yaml(text: &str) -> bool {
    text.lines().all(|line| {
        let line = line.trim();
        line.is_empty() || line.starts_with('#') || line == "---" || line == "..."
    })
}

fn check_indentation(text: &str) -> Result<(), Vec<Problem>> {
    for (index, line) in text.lines().enumerate() {
        let indent = line
            .chars()
            .take_while(|c| matches!(c, ' ' | '-' | '?' | ':' | '\t'))
            .count();
        if indent > MAX_INDENT {
            return Err(vec![Problem {
                pointer: String::new(),
                position: Some(Position {
                    line: index + 1,
                    column: 1,
                }),
                expected: format!("at most {MAX_DEPTH} levels of nesting"),
                found: format!("a line indented by {indent} columns"),
                hint: None,
            }]);
        }
    }
    Ok(())
}

fn scan_problem(text: &str, error: &ScanError, syntax: &str) -> Problem {
    let info = error.info();
    let position = Some(position_of(error.marker()));
    if info.starts_with("duplicated key") {
        let key = key_at(text, error.marker().index());
        return Problem {
            pointer: String::new(),
            position,
            expected: "each key at most once in an object".to_owned(),
            found: match key {
                Some(key) => format!("the key {} a second time", quoted(&key)),
                None => "a key stated a second time".to_owned(),
            },
            hint: Some("remove or rename one of the two".to_owned()),
        };
    }
    if info.starts_with("alias expansion exceeded") {
        return Problem {
            pointer: String::new(),
            position,
            expected: "aliases that expand to a reasonable size".to_owned(),
            found: "aliases that expand beyond vow's node budget".to_owned(),
            hint: Some("write the repeated parts out, or use fewer nested aliases".to_owned()),
        };
    }
    Problem {
        pointer: String::new(),
        position,
        expected: format!("well-formed {syntax}"),
        found: format!("a syntax error: {info}"),
        hint: None,
    }
}

/// The key starting at character `index` of `text`, read leniently, to name a duplicated key.
fn key_at(text: &str, index: usize) -> Option<String> {
    let rest: String = text.chars().skip(index).take(200).collect();
    let rest = rest.lines().next()?;
    let key = match rest.chars().next()? {
        quote @ ('"' | '\'') => rest[1..].split(quote).next()?,
        _ => rest.split(": ").next()?.trim_end_matches(':').trim(),
    };
    (!key.is_empty()).then(|| key.to_owned())
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

struct Converter<'t> {
    text: &'t str,
    map: SourceMap,
    problems: Vec<Problem>,
}

impl Converter<'_> {
    fn problem(&mut self, pointer: &str, at: Position, expected: &str, found: String, hint: &str) {
        self.problems.push(Problem {
            pointer: pointer.to_owned(),
            position: Some(at),
            expected: expected.to_owned(),
            found,
            hint: (!hint.is_empty()).then(|| hint.to_owned()),
        });
    }

    fn snippet(&self, node: &MarkedYaml) -> String {
        let start = node.span.start.index();
        let end = node.span.end.index().max(start);
        let text: String = self
            .text
            .chars()
            .skip(start)
            .take((end - start).min(60))
            .collect();
        text.trim().to_owned()
    }

    fn convert(
        &mut self,
        node: &MarkedYaml,
        pointer: &str,
        key: Option<Position>,
        depth: usize,
    ) -> Value {
        let at = position_of(&node.span.start);
        self.map
            .spots
            .insert(pointer.to_owned(), Spot { value: at, key });
        if depth > MAX_DEPTH {
            self.problem(
                pointer,
                at,
                &format!("at most {MAX_DEPTH} levels of nesting"),
                "deeper nesting".to_owned(),
                "",
            );
            return Value::Null;
        }
        match &node.data {
            // YAML integers are read as i64; a larger one that fits u64 keeps its exact value, as
            // it does in JSON, instead of becoming the nearest float.
            YamlData::Value(Scalar::FloatingPoint(f)) if f.into_inner() >= 9.2e18 => {
                match self.snippet(node).trim().parse::<u64>() {
                    Ok(u) => Value::Number(u.into()),
                    Err(_) => self.scalar(&Scalar::FloatingPoint(*f), pointer, at),
                }
            }
            YamlData::Value(scalar) => self.scalar(scalar, pointer, at),
            YamlData::Representation(text, ..) => Value::String(text.to_string()),
            YamlData::Sequence(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.convert(item, &format!("{pointer}/{i}"), None, depth + 1))
                    .collect(),
            ),
            YamlData::Mapping(entries) => {
                let mut object = Map::new();
                for (k, v) in entries.iter() {
                    let key_at = position_of(&k.span.start);
                    let Some(name) = self.key_name(k, pointer, key_at) else {
                        continue;
                    };
                    let child = format!("{pointer}/{}", escape_segment(&name));
                    if object.contains_key(&name) {
                        self.problem(
                            &child,
                            key_at,
                            "each key at most once in an object",
                            format!("the key {} a second time", quoted(&name)),
                            "YAML keys such as 1 and \"1\" both become the JSON key \"1\"",
                        );
                        continue;
                    }
                    let value = self.convert(v, &child, Some(key_at), depth + 1);
                    object.insert(name, value);
                }
                Value::Object(object)
            }
            YamlData::Tagged(tag, _) => {
                self.problem(
                    pointer,
                    at,
                    "a plain YAML value",
                    format!("a value tagged {tag}"),
                    "vow contracts use plain YAML; remove the tag",
                );
                Value::Null
            }
            YamlData::Alias(_) => {
                self.problem(
                    pointer,
                    at,
                    "a value",
                    "an alias that cannot be resolved".to_owned(),
                    "define the anchor before using it",
                );
                Value::Null
            }
            YamlData::BadValue => {
                let found = format!("`{}`", self.snippet(node));
                self.problem(
                    pointer,
                    at,
                    "a value that matches its tag",
                    found,
                    "remove the tag or fix the value",
                );
                Value::Null
            }
        }
    }

    fn scalar(&mut self, scalar: &Scalar, pointer: &str, at: Position) -> Value {
        match scalar {
            Scalar::Null => Value::Null,
            Scalar::Boolean(b) => Value::Bool(*b),
            Scalar::Integer(i) => Value::Number((*i).into()),
            Scalar::FloatingPoint(f) => match Number::from_f64(f.into_inner()) {
                Some(n) => Value::Number(n),
                None => {
                    self.problem(
                        pointer,
                        at,
                        "a finite number",
                        format!("{}", f.into_inner()).to_lowercase(),
                        "JSON has no NaN or infinity; quote the value if you mean a string",
                    );
                    Value::Null
                }
            },
            Scalar::String(s) => Value::String(s.to_string()),
        }
    }

    /// Object keys become strings, as they must in JSON; keys that are lists or objects are refused.
    fn key_name(&mut self, key: &MarkedYaml, pointer: &str, at: Position) -> Option<String> {
        let name = match &key.data {
            YamlData::Value(Scalar::String(s)) => s.to_string(),
            YamlData::Value(Scalar::Integer(i)) => i.to_string(),
            YamlData::Value(Scalar::Boolean(b)) => b.to_string(),
            YamlData::Value(Scalar::Null) => "null".to_owned(),
            YamlData::Value(Scalar::FloatingPoint(f)) if f.is_finite() => f.to_string(),
            YamlData::Representation(text, ..) => text.to_string(),
            _ => {
                let found = match &key.data {
                    YamlData::Sequence(_) => "a list".to_owned(),
                    YamlData::Mapping(_) => "an object".to_owned(),
                    _ => format!("`{}`", self.snippet(key)),
                };
                self.problem(pointer, at, "a plain string key", found, "");
                return None;
            }
        };
        Some(name)
    }
}

fn read_json(text: &str) -> Result<SourceDocument, Vec<Problem>> {
    if text.trim().is_empty() {
        return Err(vec![empty_file()]);
    }
    let value = read_json_value(text).map_err(|p| vec![p])?;
    // Positions are a courtesy: if saphyr cannot read this JSON, problems are located by pointer only.
    // A duplicated key, though, is a real problem that serde_json silently resolves to the last value.
    let map = match MarkedYaml::load_from_str(text) {
        Ok(docs) => match docs.as_slice() {
            [doc] => {
                let mut converter = Converter {
                    text,
                    map: SourceMap::default(),
                    problems: Vec::new(),
                };
                converter.convert(doc, "", None, 0);
                converter.map
            }
            _ => SourceMap::default(),
        },
        Err(e) if e.info().starts_with("duplicated key") => {
            return Err(vec![scan_problem(text, &e, "JSON")]);
        }
        Err(_) => SourceMap::default(),
    };
    Ok(SourceDocument { value, map })
}

/// Reads JSON text with serde_json alone (no positions); a syntax error is located by line and
/// column.
pub fn read_json_value(text: &str) -> Result<Value, Problem> {
    serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        // serde_json appends " at line L column C"; the position has its own field.
        let message = match message.rfind(" at line ") {
            Some(cut) => message[..cut].to_owned(),
            None => message,
        };
        Problem {
            pointer: String::new(),
            position: Some(Position {
                line: e.line().max(1),
                column: e.column().max(1),
            }),
            expected: "well-formed JSON".to_owned(),
            found: format!("a syntax error: {message}"),
            hint: None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Result<SourceDocument, Vec<Problem>> {
        read_source(text, SourceFormat::Yaml)
    }

    fn first_problem(result: Result<SourceDocument, Vec<Problem>>) -> Problem {
        match result {
            Ok(doc) => panic!("expected a problem, read {:?}", doc.value),
            Err(problems) => problems[0].clone(),
        }
    }

    #[test]
    fn extensions_are_case_insensitive() {
        assert_eq!(
            SourceFormat::from_extension("YML"),
            Some(SourceFormat::Yaml)
        );
        assert_eq!(
            SourceFormat::from_extension("yaml"),
            Some(SourceFormat::Yaml)
        );
        assert_eq!(
            SourceFormat::from_extension("Json"),
            Some(SourceFormat::Json)
        );
        assert_eq!(SourceFormat::from_extension("toml"), None);
    }

    #[test]
    fn yaml_positions_point_at_values_and_keys() {
        let doc = yaml("vow: 1\nitems:\n  - a: x\n    b: [1, 2]\n").expect("reads");
        assert_eq!(
            doc.map.value("/items/0/b/1"),
            Some(Position {
                line: 4,
                column: 12
            })
        );
        assert_eq!(
            doc.map.key("/items/0/b"),
            Some(Position { line: 4, column: 5 })
        );
        assert_eq!(
            doc.map.value("/items/0/b"),
            Some(Position { line: 4, column: 8 })
        );
        assert_eq!(doc.value["items"][0]["b"][1], 2);
    }

    #[test]
    fn json_positions_are_found_best_effort() {
        let doc = read_source(
            "{\n  \"vow\": 1,\n  \"a/b\": {\"c\": true}\n}",
            SourceFormat::Json,
        )
        .expect("reads");
        assert_eq!(
            doc.map.value("/a~1b/c"),
            Some(Position {
                line: 3,
                column: 16
            })
        );
        assert_eq!(doc.map.key("/vow"), Some(Position { line: 2, column: 3 }));
    }

    #[test]
    fn empty_and_comment_only_files_are_empty() {
        for text in ["", "   \n", "# nothing here\n", "---\n"] {
            assert_eq!(first_problem(yaml(text)).found, "an empty file", "{text:?}");
        }
        let json = first_problem(read_source(" \n", SourceFormat::Json));
        assert_eq!(json.found, "an empty file");
    }

    #[test]
    fn a_second_document_is_refused_at_its_start() {
        let p = first_problem(yaml("vow: 1\n---\nvow: 1\n"));
        assert_eq!(p.expected, "exactly one YAML document");
        assert_eq!(p.position.map(|p| p.line), Some(3));
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let p = first_problem(yaml("vow: 1\nconsumer: a\nconsumer: b\n"));
        assert_eq!(p.found, "the key \"consumer\" a second time");
        assert_eq!(p.position, Some(Position { line: 3, column: 1 }));
        let p = first_problem(yaml("a:\n  1: x\n  \"1\": y\n"));
        assert_eq!(p.pointer, "/a/1");
        let p = first_problem(read_source("{\"a\": 1, \"a\": 2}", SourceFormat::Json));
        assert_eq!(p.found, "the key \"a\" a second time");
    }

    #[test]
    fn non_json_values_are_refused() {
        let p = first_problem(yaml("a: .nan\n"));
        assert_eq!(
            (p.pointer.as_str(), p.expected.as_str()),
            ("/a", "a finite number")
        );
        let p = first_problem(yaml("a: !secret x\n"));
        assert_eq!(p.found, "a value tagged !secret");
        let p = first_problem(yaml("a: !!int many\n"));
        assert_eq!(p.expected, "a value that matches its tag");
        let p = first_problem(yaml("? [a, b]\n: c\n"));
        assert_eq!(p.expected, "a plain string key");
    }

    #[test]
    fn scalar_keys_become_strings_and_aliases_resolve() {
        let doc = yaml("200: ok\ntrue: yes\nbase: &b {x: 1}\ncopy: *b\n").expect("reads");
        assert_eq!(doc.value["200"], "ok");
        assert_eq!(doc.value["true"], "yes");
        assert_eq!(doc.value["copy"]["x"], 1);
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let p = first_problem(yaml(&text));
        assert_eq!(p.expected, "aliases that expand to a reasonable size");
    }

    #[test]
    fn syntax_errors_carry_the_scanner_position() {
        let p = first_problem(yaml("vow: 1\nconsumer: [a, b\n"));
        assert!(p.found.starts_with("a syntax error: "), "{p}");
        assert!(p.position.is_some());
        let p = first_problem(read_source("{\"vow\": 1,}", SourceFormat::Json));
        assert_eq!(
            p.position,
            Some(Position {
                line: 1,
                column: 11
            })
        );
        assert!(!p.found.contains("at line"), "{p}");
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing() {
        let text = format!("{}x{}", "[".repeat(200), "]".repeat(200));
        assert!(yaml(&text).is_err());
        let text = "- ".repeat(5000) + "x";
        assert!(yaml(&text).is_err());
        let text: String = (0..300)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect();
        assert!(yaml(&text).is_err());
        assert!(read_source(&"[".repeat(10_000), SourceFormat::Json).is_err());
    }

    #[test]
    fn mangled_text_never_panics() {
        let base = "vow: 1\nconsumer: web\ninteractions:\n  - id: a\n    request: {method: GET, path: \"/x\"}\n    response:\n      status: 200\n      body: &b {example: [1, 'two', {k: *b}]}\n";
        let noise = [
            '"', '\'', '[', '{', ':', '-', '&', '*', '!', '\t', '\n', '#', '|', '>', '%', '@',
        ];
        for cut in 0..base.len() {
            if !base.is_char_boundary(cut) {
                continue;
            }
            for c in noise {
                let text = format!("{}{c}{}", &base[..cut], &base[cut..]);
                let _ = yaml(&text);
                let _ = read_source(&text, SourceFormat::Json);
            }
            let _ = yaml(&base[..cut]);
        }
    }
}
