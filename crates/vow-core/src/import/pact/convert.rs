//! The import itself: a Pact file's text to a vow contract plus notes.

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::interaction;
use super::note::{Note, NoteKind};
use super::version::{self, Detected, PactVersion};
use crate::contract::source::{SourceFormat, SourceMap, escape_segment, read_source};
use crate::contract::{Contract, ContractError, Problem, decode_contract};

/// A converted Pact file.
#[derive(Debug, Clone)]
pub struct PactImport {
    pub contract: Contract,
    /// The specification the file follows.
    pub version: PactVersion,
    /// Everything not carried over, or carried over changed, in file order.
    pub notes: Vec<Note>,
}

/// The summary of a conversion, for JSON output.
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary<'a> {
    pub version: PactVersion,
    pub consumer: &'a str,
    pub provider: &'a str,
    pub interactions: usize,
    pub notes: &'a [Note],
}

impl PactImport {
    /// Whether anything in the pact was not carried over.
    pub fn dropped_anything(&self) -> bool {
        self.notes.iter().any(|n| n.kind == NoteKind::Dropped)
    }

    pub fn summary(&self) -> ImportSummary<'_> {
        ImportSummary {
            version: self.version,
            consumer: &self.contract.consumer,
            provider: &self.contract.provider,
            interactions: self.contract.interactions.len(),
            notes: &self.notes,
        }
    }
}

/// Converts the text of a Pact file (specification v2, v3 or v4; v1 reads as v2). `origin` names
/// the file in errors. A file vow cannot read as a pact is an error listing every problem with its
/// location; anything it reads but cannot carry over is a note.
pub fn import_pact(origin: &str, text: &str) -> Result<PactImport, ContractError> {
    let fail = |problems: Vec<Problem>| ContractError {
        origin: origin.to_owned(),
        problems,
    };
    if text.trim().is_empty() {
        return Err(fail(vec![Problem {
            pointer: String::new(),
            position: None,
            expected: "a Pact file (a JSON object with consumer, provider and interactions)"
                .to_owned(),
            found: "an empty file".to_owned(),
            hint: None,
        }]));
    }
    let document = read_source(text, SourceFormat::Json).map_err(fail)?;
    let mut importer = Importer::new(&document.map);
    let converted = importer.pact(&document.value);
    if !importer.problems.is_empty() {
        return Err(fail(importer.problems));
    }
    let Some((version, mut value)) = converted else {
        return Err(fail(vec![Problem {
            pointer: String::new(),
            position: None,
            expected: "a Pact file".to_owned(),
            found: "a document vow could not convert".to_owned(),
            hint: None,
        }]));
    };
    importer.scrub_secrets(&mut value);
    let contract = decode_contract(origin, &value).map_err(|e| {
        // The importer writes only what the format accepts; a problem here is a bug in it, reported
        // rather than hidden.
        fail(
            e.problems
                .into_iter()
                .map(|p| Problem {
                    expected: format!("(in the converted contract) {}", p.expected),
                    position: None,
                    ..p
                })
                .collect(),
        )
    })?;
    let mut notes = importer.notes;
    notes.sort_by_key(|n| n.position.map(|p| (p.line, p.column)));
    Ok(PactImport {
        contract,
        version,
        notes,
    })
}

/// The state of one conversion: positions to locate notes, and what was found.
pub(crate) struct Importer<'m> {
    map: &'m SourceMap,
    pub notes: Vec<Note>,
    pub problems: Vec<Problem>,
    /// Credential values seen in the pact, which must not reach the contract.
    pub secrets: Vec<String>,
    pub consumer: String,
}

/// `base/key` with the key escaped.
pub(crate) fn child(base: &str, key: &str) -> String {
    format!("{base}/{}", escape_segment(key))
}

/// A value as error messages show it.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

impl<'m> Importer<'m> {
    fn new(map: &'m SourceMap) -> Self {
        Importer {
            map,
            notes: Vec::new(),
            problems: Vec::new(),
            secrets: Vec::new(),
            consumer: String::new(),
        }
    }

    /// Where the value at `pointer` starts, or its nearest enclosing value when it is missing.
    fn position(&self, pointer: &str) -> Option<crate::contract::Position> {
        let mut at = pointer;
        loop {
            if let Some(p) = self.map.key(at) {
                return Some(p);
            }
            at = &at[..at.rfind('/')?];
        }
    }

    pub fn note(&mut self, pointer: &str, kind: NoteKind, message: String, hint: Option<String>) {
        self.notes.push(Note {
            pointer: pointer.to_owned(),
            position: self.position(pointer),
            kind,
            message,
            hint,
        });
    }

    pub fn dropped(&mut self, pointer: &str, message: impl Into<String>, hint: impl Into<String>) {
        self.note(
            pointer,
            NoteKind::Dropped,
            message.into(),
            Some(hint.into()),
        );
    }

    pub fn changed(&mut self, pointer: &str, message: impl Into<String>) {
        self.note(pointer, NoteKind::Changed, message.into(), None);
    }

    pub fn problem(&mut self, pointer: &str, expected: &str, found: String, hint: Option<&str>) {
        self.problems.push(Problem {
            pointer: pointer.to_owned(),
            position: self.position(pointer),
            expected: expected.to_owned(),
            found,
            hint: hint.map(str::to_owned),
        });
    }

    /// A value of the wrong kind, or a missing one (`None`).
    pub fn mismatch(&mut self, pointer: &str, expected: &str, found: Option<&Value>) {
        let found = found.map_or_else(|| "nothing".to_owned(), describe);
        self.problem(pointer, expected, found, None);
    }

    fn pact(&mut self, root: &Value) -> Option<(PactVersion, Value)> {
        let Value::Object(top) = root else {
            self.mismatch(
                "",
                "a Pact file (a JSON object with consumer, provider and interactions)",
                Some(root),
            );
            return None;
        };
        let version = match version::detect(root) {
            Detected::Stated(v) => v,
            Detected::Inferred(v) => {
                self.changed(
                    "",
                    format!(
                        "the file states no Pact specification version; read as {} from its layout",
                        v.as_str()
                    ),
                );
                v
            }
            Detected::Unknown { pointer, value } => {
                self.problem(
                    &pointer,
                    "a Pact specification version vow imports: 2.0.0, 3.0.0 or 4.0 (1.x reads as 2)",
                    describe(&value),
                    Some("vow imports HTTP pacts of the Pact specification v2, v3 and v4"),
                );
                return None;
            }
        };
        let consumer = self.service(top, "consumer");
        let provider = self.service(top, "provider");
        self.consumer = consumer.clone().unwrap_or_default();
        let interactions = match top.get("interactions") {
            Some(Value::Array(items)) => interaction::convert_all(self, items, version),
            Some(other) => {
                self.mismatch("/interactions", "a list of interactions", Some(other));
                None
            }
            None if top.contains_key("messages") => {
                self.problem(
                    "/messages",
                    "HTTP interactions under `interactions`",
                    "a message pact".to_owned(),
                    Some("vow contracts describe HTTP interactions; message pacts have none"),
                );
                None
            }
            None => {
                self.mismatch("/interactions", "a list of interactions", None);
                None
            }
        };
        let (consumer, provider, interactions) = (consumer?, provider?, interactions?);
        if interactions.is_empty() {
            self.problem(
                "/interactions",
                "at least one HTTP interaction vow can import",
                "none".to_owned(),
                Some("the notes say why each interaction was skipped"),
            );
            return None;
        }
        let mut contract = Map::new();
        contract.insert("vow".to_owned(), json!(1));
        contract.insert("consumer".to_owned(), json!(consumer));
        contract.insert("provider".to_owned(), json!(provider));
        contract.insert("interactions".to_owned(), Value::Array(interactions));
        Some((version, Value::Object(contract)))
    }

    /// `consumer.name` or `provider.name`, normalised to a vow service name.
    fn service(&mut self, top: &Map<String, Value>, key: &str) -> Option<String> {
        let pointer = format!("/{key}/name");
        let expected = format!("the {key}'s name, a non-empty string");
        let Some(name) = top.get(key).and_then(|s| s.get("name")) else {
            self.mismatch(&pointer, &expected, None);
            return None;
        };
        let Some(text) = name.as_str().filter(|t| !t.trim().is_empty()) else {
            self.mismatch(&pointer, &expected, Some(name));
            return None;
        };
        let normal = normalise(text, "");
        if normal.is_empty() {
            self.problem(
                &pointer,
                "a name with at least one letter or digit",
                describe(name),
                Some("vow service names use lowercase letters, digits, '.', '_' and '-'"),
            );
            return None;
        }
        if normal != text {
            self.changed(
                &pointer,
                format!(
                    "the {key} {text:?} became {normal:?} (vow service names match \
                     ^[a-z0-9][a-z0-9._-]*$)"
                ),
            );
        }
        Some(normal)
    }

    /// Replaces any credential value that reached the contract (in a body, a state parameter, a
    /// query) and notes it: the contract file must never hold a secret.
    fn scrub_secrets(&mut self, value: &mut Value) {
        let secrets: Vec<String> = self
            .secrets
            .iter()
            .filter(|s| s.len() >= 6)
            .cloned()
            .collect();
        if secrets.is_empty() {
            return;
        }
        let mut found = Vec::new();
        scrub(value, &secrets, "", &mut found);
        for pointer in found {
            self.note(
                "",
                NoteKind::Dropped,
                format!(
                    "replaced a credential value at {pointer} of the contract with \"[redacted]\""
                ),
                Some(
                    "the value also appears in a credential header of the pact; contract files \
                     never hold secrets"
                        .to_owned(),
                ),
            );
        }
    }
}

fn scrub(value: &mut Value, secrets: &[String], pointer: &str, found: &mut Vec<String>) {
    match value {
        Value::String(s) if secrets.iter().any(|secret| s.contains(secret.as_str())) => {
            *s = "[redacted]".to_owned();
            found.push(pointer.to_owned());
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                scrub(item, secrets, &format!("{pointer}/{i}"), found);
            }
        }
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                scrub(v, secrets, &child(pointer, k), found);
            }
        }
        _ => {}
    }
}

/// Lowercase letters, digits, `.`, `_` and `-`; every other run of characters becomes one `-`;
/// leading and trailing separators go. `fallback` when nothing is left.
pub(crate) fn normalise(text: &str, fallback: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_') {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    let trimmed = out.trim_matches(|c: char| matches!(c, '.' | '_' | '-'));
    if trimmed.is_empty() {
        fallback.to_owned()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_vow_names() {
        assert_eq!(normalise("Checkout Web", ""), "checkout-web");
        assert_eq!(normalise("shop-api", ""), "shop-api");
        assert_eq!(normalise("  Über/Service v2 ", ""), "ber-service-v2");
        assert_eq!(normalise("__x__", ""), "x");
        assert_eq!(normalise("!!!", "fallback"), "fallback");
    }
}
