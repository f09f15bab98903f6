//! What matching needs to know about JSON values: their kind, equality with numbers compared by
//! value (`1 == 1.0`), and object keys read from the stream without copying.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Visitor};
use serde_json::{Map, Number, Value};

/// The JSON type of a value, as people name it. Integers and fractions are both numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Null,
    Boolean,
    Number,
    String,
    Array,
    Object,
}

impl Kind {
    pub(crate) fn of(value: &Value) -> Kind {
        match value {
            Value::Null => Kind::Null,
            Value::Bool(_) => Kind::Boolean,
            Value::Number(_) => Kind::Number,
            Value::String(_) => Kind::String,
            Value::Array(_) => Kind::Array,
            Value::Object(_) => Kind::Object,
        }
    }

    /// The kind with its article: `a string`, `an object`, `null`.
    pub(crate) fn described(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Boolean => "a boolean",
            Kind::Number => "a number",
            Kind::String => "a string",
            Kind::Array => "an array",
            Kind::Object => "an object",
        }
    }
}

/// Numbers compared by value: integers exactly, anything with a fraction as `f64`.
pub(crate) fn numbers_equal(a: &Number, b: &Number) -> bool {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return x == y;
    }
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Deep equality where numbers compare by value.
pub(crate) fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => numbers_equal(x, y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| values_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| values_equal(v, w)))
        }
        _ => a == b,
    }
}

/// A JSON value as matching sees it: scalars borrowed from the body text where possible, containers
/// borrowed from a materialised tree.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum JsonRef<'a> {
    Null,
    Boolean(bool),
    Number(Number),
    String(&'a str),
    Array(&'a [Value]),
    Object(&'a Map<String, Value>),
}

impl<'a> JsonRef<'a> {
    pub(crate) fn of(value: &'a Value) -> JsonRef<'a> {
        match value {
            Value::Null => JsonRef::Null,
            Value::Bool(b) => JsonRef::Boolean(*b),
            Value::Number(n) => JsonRef::Number(n.clone()),
            Value::String(s) => JsonRef::String(s),
            Value::Array(items) => JsonRef::Array(items),
            Value::Object(members) => JsonRef::Object(members),
        }
    }

    pub(crate) fn kind(&self) -> Kind {
        match self {
            JsonRef::Null => Kind::Null,
            JsonRef::Boolean(_) => Kind::Boolean,
            JsonRef::Number(_) => Kind::Number,
            JsonRef::String(_) => Kind::String,
            JsonRef::Array(_) => Kind::Array,
            JsonRef::Object(_) => Kind::Object,
        }
    }

    /// Deep equality with an expected value (numbers by value).
    pub(crate) fn equals(&self, expected: &Value) -> bool {
        match (self, expected) {
            (JsonRef::Null, Value::Null) => true,
            (JsonRef::Boolean(a), Value::Bool(b)) => a == b,
            (JsonRef::Number(a), Value::Number(b)) => numbers_equal(a, b),
            (JsonRef::String(a), Value::String(b)) => *a == b,
            (JsonRef::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(p, q)| values_equal(p, q))
            }
            (JsonRef::Object(a), Value::Object(b)) => maps_equal(a, b),
            _ => false,
        }
    }

    /// Compact JSON for people, cut to a readable length.
    pub(crate) fn render(&self) -> String {
        match self {
            JsonRef::Null => "null".to_owned(),
            JsonRef::Boolean(b) => b.to_string(),
            JsonRef::Number(n) => n.to_string(),
            JsonRef::String(s) => super::render::quoted(s),
            JsonRef::Array(items) => super::render::compact(items),
            JsonRef::Object(members) => super::render::compact(members),
        }
    }
}

fn maps_equal(a: &Map<String, Value>, b: &Map<String, Value>) -> bool {
    a.len() == b.len()
        && a.iter()
            .all(|(k, v)| b.get(k).is_some_and(|w| values_equal(v, w)))
}

/// Reads an object key, borrowing it from the body unless it contains escapes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integers_and_fractions_compare_by_value() {
        assert!(values_equal(&json!(1), &json!(1.0)));
        assert!(values_equal(
            &json!({"a": [1, 2.50]}),
            &json!({"a": [1.0, 2.5]})
        ));
        assert!(!values_equal(&json!(1), &json!(1.5)));
        assert!(!values_equal(&json!(-1), &json!(u64::MAX)));
        assert!(!values_equal(&json!("1"), &json!(1)));
    }

    #[test]
    fn large_integers_compare_exactly() {
        assert!(!values_equal(
            &json!(9_007_199_254_740_993_u64),
            &json!(9_007_199_254_740_992_u64)
        ));
    }
}
