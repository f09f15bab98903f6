//! The JSON reports: a report serialised as its documentation describes it
//! (docs/verify-report.md, docs/check-report.md).

use serde::Serialize;

pub fn render_json<T: Serialize>(report: &T) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_else(|e| {
        // Serialising plain data with string keys cannot fail; say so loudly if it ever does.
        format!("{{\"error\": \"failed to serialise the report: {e}\"}}")
    });
    text.push('\n');
    text
}
