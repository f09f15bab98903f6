//! Judging a body against an embedded JSON Schema.
//!
//! `jsonschema` validates a `serde_json::Value`, so unlike the example walk this materialises the
//! whole body; schema expectations cost memory in proportion to the body's tree.

use serde_json::Value;

use super::render::compact;
use super::sink::FindingSink;
use super::walk::BODY_POINTER;
use crate::finding::Finding;
use crate::rules;

/// One `shape.body.schema-violation` per validation error, at its instance location, ordered by
/// location (array indices by number, object members by name; the tree does not keep the document's
/// member order) and capped like every body's findings.
pub(crate) fn check_schema(validator: &jsonschema::Validator, body: &Value) -> Vec<Finding> {
    let mut errors: Vec<(Vec<Segment>, Finding)> = validator
        .iter_errors(body)
        .map(|e| {
            let location = e.instance_path().as_str().to_owned();
            let pointer = format!("{BODY_POINTER}{location}");
            let subject = if location.is_empty() {
                "the body".to_owned()
            } else {
                format!("body field {location}")
            };
            let finding = Finding::new(
                rules::SCHEMA_VIOLATION,
                pointer,
                format!("{subject} violates the schema: {e}"),
            )
            .expected(format!(
                "what the schema states at {}",
                display_schema_path(e.schema_path().as_str())
            ))
            .actual(compact(e.instance()));
            (segments(&location), finding)
        })
        .collect();
    errors.sort_by(|a, b| a.0.cmp(&b.0));
    let mut sink = FindingSink::new();
    for (_, f) in errors {
        sink.push(f);
    }
    sink.finish(BODY_POINTER)
}

fn display_schema_path(path: &str) -> &str {
    if path.is_empty() { "/" } else { path }
}

/// A pointer segment ordered the way people read a document: indices by number before names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Segment {
    Index(u64),
    Name(String),
}

fn segments(pointer: &str) -> Vec<Segment> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| {
            s.parse()
                .map_or_else(|_| Segment::Name(s.to_owned()), Segment::Index)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn violations_are_reported_at_their_instance_location_in_index_order() {
        let schema = json!({
            "type": "array",
            "items": {"type": "object", "properties": {"qty": {"type": "integer"}}}
        });
        let body = json!([{"qty": 1}, {"qty": "2"}, {"qty": 3}, {"qty": 4}, {"qty": 5}, {"qty": 6},
            {"qty": 7}, {"qty": 8}, {"qty": 9}, {"qty": 10}, {"qty": "x"}]);
        let pointers: Vec<_> = check_schema(&jsonschema::validator_for(&schema).unwrap(), &body)
            .into_iter()
            .map(|f| f.location.pointer)
            .collect();
        assert_eq!(pointers, ["/response/body/1/qty", "/response/body/10/qty"]);
    }
}
