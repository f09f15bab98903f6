//! The JSON report: the verification report serialised as documented in docs/verify-report.md.

use vow_core::verification::VerificationReport;

pub fn render_json(report: &VerificationReport) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_else(|e| {
        // Serialising plain data with string keys cannot fail; say so loudly if it ever does.
        format!("{{\"error\": \"failed to serialise the report: {e}\"}}")
    });
    text.push('\n');
    text
}
