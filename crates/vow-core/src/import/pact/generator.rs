//! Pact generators to vow generators: what a mock answers in place of the example value.

use serde_json::{Value, json};

use super::datetime::to_strftime;
use super::matcher::Unsupported;

fn unsupported(message: impl Into<String>, hint: impl Into<String>) -> Unsupported {
    Unsupported {
        message: message.into(),
        hint: hint.into(),
    }
}

/// Converts one Pact generator (`{"type": "RandomInt", "min": 0, "max": 10}`) to a vow generator
/// (`{generate: integer, min: 0, max: 10}`).
pub(crate) fn convert(g: &Value) -> Result<Value, Unsupported> {
    let Some(kind) = g.get("type").and_then(Value::as_str) else {
        return Err(unsupported(
            "dropped a generator without a `type`",
            "a Pact generator is an object such as {\"type\": \"Uuid\"}",
        ));
    };
    let int = |key: &str| g.get(key).and_then(Value::as_i64);
    let count = |key: &str| g.get(key).and_then(Value::as_u64);
    let mut out = serde_json::Map::new();
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            out.insert(key.to_owned(), value);
        }
    };
    match kind {
        "RandomInt" => {
            put("generate", Some(json!("integer")));
            put("min", int("min").map(Value::from));
            put("max", int("max").map(Value::from));
        }
        "RandomDecimal" => {
            put("generate", Some(json!("decimal")));
            put("digits", count("digits").map(Value::from));
        }
        "RandomHexadecimal" => {
            put("generate", Some(json!("hex")));
            put("digits", count("digits").map(Value::from));
        }
        "RandomString" => {
            put("generate", Some(json!("string")));
            put("size", count("size").map(Value::from));
        }
        "Regex" => {
            let Some(regex) = g.get("regex").and_then(Value::as_str) else {
                return Err(unsupported(
                    "dropped a Regex generator without a `regex`",
                    "give the pattern as {\"type\": \"Regex\", \"regex\": \"...\"}",
                ));
            };
            if regex::Regex::new(regex).is_err() {
                return Err(unsupported(
                    format!("dropped the Regex generator {regex:?}, which vow cannot compile"),
                    "vow uses Rust's regex syntax, without look-around or back-references",
                ));
            }
            put("generate", Some(json!("regex")));
            put("regex", Some(json!(regex)));
        }
        "Uuid" => {
            let format = g.get("format").and_then(Value::as_str);
            if !matches!(format, None | Some("lower-case-hyphenated")) {
                return Err(unsupported(
                    format!(
                        "dropped a Uuid generator with the format {:?}",
                        format.unwrap_or("")
                    ),
                    "vow generates lowercase hyphenated UUIDs only",
                ));
            }
            put("generate", Some(json!("uuid")));
        }
        "RandomBoolean" => put("generate", Some(json!("boolean"))),
        "Date" | "Time" | "DateTime" => {
            if let Some(expression) = g.get("expression").and_then(Value::as_str) {
                return Err(unsupported(
                    format!("dropped a {kind} generator with the expression {expression:?}"),
                    "vow generates the current date or time; it has no date expressions",
                ));
            }
            let format = match g.get("format").and_then(Value::as_str) {
                Some(f) => Some(to_strftime(f).map_err(|letters| {
                    unsupported(
                        format!("dropped a {kind} generator with the format {f:?}"),
                        format!("vow cannot read {letters} of a Java date pattern the same way"),
                    )
                })?),
                None => None,
            };
            let name = match kind {
                "Date" => "date",
                "Time" => "time",
                _ => "datetime",
            };
            put("generate", Some(json!(name)));
            put("format", format.map(Value::from));
        }
        "ProviderState" => {
            return Err(unsupported(
                "dropped a ProviderState generator",
                "it fills the value from the provider state's result during verification; vow \
                 verifies against the example and its rules, and the state's params stay in `given`",
            ));
        }
        "MockServerURL" => {
            return Err(unsupported(
                "dropped a MockServerURL generator",
                "it rewrites URLs to the mock server's address; a vow mock answers the example",
            ));
        }
        other => {
            return Err(unsupported(
                format!("dropped the unknown generator type {other:?}"),
                "vow knows the generators of the Pact specification v3 and v4",
            ));
        }
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_each_kind_with_its_parameters() {
        let cases = [
            (
                json!({"type": "RandomInt", "min": 1, "max": 9}),
                json!({"generate": "integer", "min": 1, "max": 9}),
            ),
            (
                json!({"type": "RandomDecimal", "digits": 5}),
                json!({"generate": "decimal", "digits": 5}),
            ),
            (
                json!({"type": "RandomHexadecimal", "digits": 8}),
                json!({"generate": "hex", "digits": 8}),
            ),
            (
                json!({"type": "RandomString", "size": 12}),
                json!({"generate": "string", "size": 12}),
            ),
            (
                json!({"type": "Regex", "regex": "o-[0-9]{4}"}),
                json!({"generate": "regex", "regex": "o-[0-9]{4}"}),
            ),
            (json!({"type": "Uuid"}), json!({"generate": "uuid"})),
            (
                json!({"type": "RandomBoolean"}),
                json!({"generate": "boolean"}),
            ),
            (
                json!({"type": "Date", "format": "yyyy-MM-dd"}),
                json!({"generate": "date", "format": "%Y-%m-%d"}),
            ),
            (json!({"type": "DateTime"}), json!({"generate": "datetime"})),
        ];
        for (pact, vow) in cases {
            assert_eq!(convert(&pact).unwrap(), vow, "{pact}");
        }
    }

    #[test]
    fn notes_what_has_no_vow_counterpart() {
        for g in [
            json!({"type": "ProviderState", "expression": "${id}"}),
            json!({"type": "MockServerURL", "regex": ".*", "example": "http://x"}),
            json!({"type": "Date", "expression": "+1 day"}),
            json!({"type": "Uuid", "format": "URN"}),
            json!({"type": "Regex", "regex": "(?=a)"}),
            json!({"type": "Unheard"}),
        ] {
            assert!(convert(&g).is_err(), "{g}");
        }
    }
}
