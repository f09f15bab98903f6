//! Judging a response body against a body expectation: presence, JSON syntax, then the example walk
//! or the schema.

use serde_json::Value;

use super::render::clip;
use super::schema::check_schema;
use super::walk::{BODY_POINTER, walk_example};
use crate::contract::BodyExpectation;
use crate::finding::Finding;
use crate::rules;

/// Judges `body` against `expectation`. Pointers start with `/response/body`.
///
/// - An empty body (or one of only whitespace) is `shape.body-missing`.
/// - A body that is not JSON is `shape.body-not-json`, with the parser's message (line and column) as
///   the actual value; no other body finding is reported then. A UTF-8 byte order mark is ignored.
/// - [`BodyExpectation::Example`] is judged in one streaming pass; see the `walk` module for the
///   semantics. [`BodyExpectation::Schema`] materialises the body and validates it with `jsonschema`.
/// - At most 50 findings are reported per body, in document order; when there are more, a final
///   `shape.body.findings-truncated` (info) says how many were left out.
pub fn match_body(expectation: &BodyExpectation, body: &[u8]) -> Vec<Finding> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    if body.iter().all(u8::is_ascii_whitespace) {
        return vec![
            Finding::new(
                rules::BODY_MISSING,
                BODY_POINTER,
                "the response has no body",
            )
            .expected("a JSON body")
            .actual("an empty body"),
        ];
    }
    let judged = match expectation {
        BodyExpectation::Example { example, rules, .. } => {
            walk_example(example.as_ref(), rules, body)
        }
        BodyExpectation::Schema { compiled, .. } => {
            serde_json::from_slice::<Value>(body).map(|value| check_schema(&compiled.0, &value))
        }
    };
    judged.unwrap_or_else(|e| vec![not_json(&e, body)])
}

/// The first 200 characters of a body, on one line, for hints.
pub(crate) fn body_start(body: &[u8]) -> String {
    // 800 bytes hold at least 200 characters of UTF-8.
    let text = String::from_utf8_lossy(&body[..body.len().min(800)]);
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    clip(&one_line, 200)
}

fn not_json(error: &serde_json::Error, body: &[u8]) -> Finding {
    Finding::new(
        rules::BODY_NOT_JSON,
        BODY_POINTER,
        "the response body is not valid JSON",
    )
    .expected("a JSON document")
    .actual(error.to_string())
    .hint(format!("the body starts with: {}", body_start(body)))
}
