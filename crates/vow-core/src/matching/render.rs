//! Rendering observed and expected values for people: compact JSON, cut to a readable length.
//!
//! Bodies can be megabytes, so rendering never holds more than the shown prefix: values in hand are
//! serialised through a writer that stops keeping bytes, and values still in the stream are previewed
//! while they are skipped.

use std::fmt;
use std::io;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::value::KeySeed;

/// How many characters of a value a finding shows.
pub(crate) const SHOWN_CHARS: usize = 120;

/// Compact JSON of `value`, cut to [`SHOWN_CHARS`] characters with `…`.
pub(crate) fn compact<T: serde::Serialize + ?Sized>(value: &T) -> String {
    let mut out = Bounded {
        bytes: Vec::new(),
        limit: SHOWN_CHARS * 4 + 4,
    };
    // Serialising JSON values into a writer that never fails cannot fail.
    let _ = serde_json::to_writer(&mut out, value);
    clip(&String::from_utf8_lossy(&out.bytes), SHOWN_CHARS)
}

/// Compact JSON of a string.
pub(crate) fn quoted(text: &str) -> String {
    compact(&Value::String(clip(text, SHOWN_CHARS)))
}

/// `text` cut to `max` characters, with `…` when something was cut.
pub(crate) fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((cut, _)) => {
            let mut s = text[..cut].to_owned();
            s.push('…');
            s
        }
    }
}

/// A writer that keeps its first `limit` bytes and silently drops the rest.
struct Bounded {
    bytes: Vec<u8>,
    limit: usize,
}

impl io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = self.limit.saturating_sub(self.bytes.len());
        self.bytes.extend_from_slice(&buf[..buf.len().min(room)]);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Consumes one value from a deserializer, writing its compact JSON into `out` until `out` holds
/// [`SHOWN_CHARS`]; the rest of the value is skipped without being kept.
pub(crate) struct Preview<'o> {
    pub out: &'o mut String,
}

/// Nesting deeper than this is shown as `…`: serde_json refuses to recurse much deeper, and nobody
/// reads that far into a preview.
const PREVIEW_DEPTH: usize = 16;

/// A [`Preview`] at some depth.
struct Nested<'o> {
    out: &'o mut String,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Preview<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(Nested {
            out: self.out,
            depth: 0,
        })
    }
}

impl Preview<'_> {
    pub(crate) fn visit_seq<'de, A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        Nested {
            out: self.out,
            depth: 0,
        }
        .visit_seq(seq)
    }

    pub(crate) fn visit_map<'de, A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        Nested {
            out: self.out,
            depth: 0,
        }
        .visit_map(map)
    }
}

impl<'de> DeserializeSeed<'de> for Nested<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        if self.depth >= PREVIEW_DEPTH {
            // Skipping is iterative in serde_json, so any depth is fine here.
            IgnoredAny::deserialize(d)?;
            self.out.push('…');
            return Ok(());
        }
        d.deserialize_any(self)
    }
}

impl Nested<'_> {
    fn full(&self) -> bool {
        self.out.len() > SHOWN_CHARS * 4
    }
}

impl<'de> Visitor<'de> for Nested<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.out.push_str(&v.to_string());
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.out.push_str(&v.to_string());
        Ok(())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.out.push_str(&Value::from(v).to_string());
        Ok(())
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.out.push_str(&quoted(v));
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.out.push_str("null");
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.out.push('[');
        let mut first = true;
        loop {
            if self.full() {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                break;
            }
            let mark = self.out.len();
            if !first {
                self.out.push(',');
            }
            let inner = Nested {
                out: &mut *self.out,
                depth: self.depth + 1,
            };
            if seq.next_element_seed(inner)?.is_none() {
                self.out.truncate(mark);
                break;
            }
            first = false;
        }
        self.out.push(']');
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.out.push('{');
        let mut first = true;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if self.full() {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            if !first {
                self.out.push(',');
            }
            first = false;
            self.out.push_str(&quoted(&key));
            self.out.push(':');
            map.next_value_seed(Nested {
                out: &mut *self.out,
                depth: self.depth + 1,
            })?;
        }
        self.out.push('}');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn long_values_are_cut_with_an_ellipsis() {
        let long = "x".repeat(500);
        let shown = compact(&json!({ "note": long }));
        assert_eq!(shown.chars().count(), SHOWN_CHARS + 1);
        assert!(shown.ends_with('…'));
    }

    #[test]
    fn short_values_are_shown_whole() {
        assert_eq!(
            compact(&json!({"a": [1, 2.5, null]})),
            r#"{"a":[1,2.5,null]}"#
        );
    }

    #[test]
    fn clip_respects_character_boundaries() {
        assert_eq!(clip("ééé", 2), "éé…");
        assert_eq!(clip("ab", 2), "ab");
    }

    #[test]
    fn preview_of_a_stream_matches_compact_json() {
        let text = r#"{"a": [1, 2.5, null, true], "b": {"c": "d"}}"#;
        let mut out = String::new();
        let mut de = serde_json::Deserializer::from_str(text);
        Preview { out: &mut out }.deserialize(&mut de).unwrap();
        assert_eq!(out, r#"{"a":[1,2.5,null,true],"b":{"c":"d"}}"#);
    }

    #[test]
    fn preview_of_a_huge_array_stays_small() {
        let text = format!("[{}1]", "1234567890,".repeat(10_000));
        let mut out = String::new();
        let mut de = serde_json::Deserializer::from_str(&text);
        Preview { out: &mut out }.deserialize(&mut de).unwrap();
        assert!(out.len() < SHOWN_CHARS * 5, "{}", out.len());
    }
}
