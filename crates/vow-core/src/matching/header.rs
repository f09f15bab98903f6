//! Judging response headers against an interaction's header expectations.

use super::matcher::check_header;
use super::pattern::push_escaped;
use super::rename::likely_rename;
use crate::contract::HeaderExpectation;
use crate::exchange::ObservedResponse;
use crate::finding::Finding;
use crate::rules;

/// Judges the observed headers against `expected`, in the contract's order.
///
/// - Names compare case-insensitively; a missing header is `shape.header-missing`, with a hint when
///   a similarly named one is present (`x-location` for `location`).
/// - Several values of one name are joined with `, ` and judged as one value.
/// - Every rule must hold; a violation is `shape.header-mismatch` at
///   `/response/headers/<lowercased name>`. See [`check_header`] for how each matcher reads a
///   header's text (notably `Content-Type`, compared by media type).
pub(crate) fn match_headers(
    expected: &[HeaderExpectation],
    observed: &ObservedResponse,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for header in expected {
        let name = header.name.to_ascii_lowercase();
        let mut pointer = String::from("/response/headers/");
        push_escaped(&mut pointer, &name);
        let values: Vec<&str> = observed.header_values(&name).collect();
        if values.is_empty() {
            let mut f = Finding::new(
                rules::HEADER_MISSING,
                pointer,
                format!("the response has no {} header", header.name),
            );
            if let Some(first) = header.rules.first() {
                f = f.expected(super::matcher::describe(&first.matcher));
            }
            if let Some(other) =
                likely_rename(&name, observed.headers.iter().map(|(n, _)| n.as_str()))
            {
                f = f.hint(format!(
                    "the response has \"{other}\"; was the header renamed?"
                ));
            }
            findings.push(f);
            continue;
        }
        let value = values.join(", ");
        for rule in &header.rules {
            if let Err(v) = check_header(&name, &rule.matcher, &value) {
                findings.push(
                    Finding::new(
                        v.rule,
                        pointer.clone(),
                        format!("header {} {}", header.name, v.problem),
                    )
                    .expected(v.expected)
                    .actual(v.actual),
                );
            }
        }
    }
    findings
}
