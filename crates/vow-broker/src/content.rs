//! Content addressing: a contract's identity is the SHA-256 of its canonical JSON, so the same
//! contract published twice, with keys in another order or other whitespace, has one hash.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// A JSON document in canonical form, with its content hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canonical {
    /// `sha256:` and the lowercase hex digest of `text`.
    pub hash: String,
    /// The document with object keys sorted and no insignificant whitespace.
    pub text: String,
}

impl Canonical {
    pub fn of(value: &Value) -> Canonical {
        let mut text = String::new();
        write(value, &mut text);
        let digest = Sha256::digest(text.as_bytes());
        let mut hash = String::with_capacity(7 + 64);
        hash.push_str("sha256:");
        for byte in digest {
            hash.push_str(&format!("{byte:02x}"));
        }
        Canonical { hash, text }
    }
}

fn write(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            // Sorted here rather than trusting the map's order, which a serde_json feature
            // elsewhere in the build could change to insertion order.
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write(value, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_and_whitespace_do_not_change_the_hash() {
        let a: Value =
            serde_json::from_str(r#"{"b": [1, {"y": 2, "x": "é"}], "a": null}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":null,"b":[1,{"x":"é","y":2}]}"#).unwrap();
        assert_eq!(Canonical::of(&a), Canonical::of(&b));
        assert_eq!(
            Canonical::of(&a).text,
            r#"{"a":null,"b":[1,{"x":"é","y":2}]}"#
        );
    }

    #[test]
    fn different_content_has_a_different_hash() {
        let a = Canonical::of(&json!({"a": [1, 2]}));
        let b = Canonical::of(&json!({"a": [2, 1]}));
        assert_ne!(a.hash, b.hash);
        assert!(a.hash.starts_with("sha256:") && a.hash.len() == 71);
    }
}
