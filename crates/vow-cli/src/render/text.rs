//! Small text helpers shared by the report formats: plurals, Markdown table cells, GitHub workflow
//! command escaping and the SARIF envelope.

use serde_json::{Value, json};
use vow_core::Severity;
use vow_core::finding::Rule;

pub fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// Text safe inside a Markdown table cell: pipes escaped, line breaks flattened, HTML neutralised.
pub fn md_cell(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

/// The message part of a GitHub workflow command (`::error …::message`).
pub fn annotation_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value of a GitHub workflow command (`file=…,title=…`).
pub fn annotation_property(text: &str) -> String {
    annotation_data(text)
        .replace(':', "%3A")
        .replace(',', "%2C")
}

pub fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A SARIF `reportingDescriptor` for a rule, linking to its row in docs/rules.md.
pub fn sarif_rule(rule: &Rule) -> Value {
    json!({
        "id": rule.id,
        "shortDescription": {"text": rule.summary},
        "defaultConfiguration": {"level": sarif_level(rule.severity)},
        "helpUri": format!("{}/blob/main/docs/rules.md", env!("CARGO_PKG_REPOSITORY")),
        "properties": {"dimension": rule.dimension},
    })
}

/// A SARIF 2.1.0 log with one run of vow.
pub fn sarif_document(rules: Vec<Value>, results: Vec<Value>) -> String {
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "vow",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": rules,
            }},
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_escape_their_delimiters() {
        assert_eq!(annotation_data("50% off\nnow"), "50%25 off%0Anow");
        assert_eq!(annotation_property("a:b,c"), "a%3Ab%2Cc");
    }

    #[test]
    fn markdown_cells_cannot_break_the_table_or_inject_html() {
        assert_eq!(md_cell("a|b\n<script>"), "a\\|b &lt;script&gt;");
    }
}
