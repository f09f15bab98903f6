//! Judging a whole observed response against an interaction: status, then headers, then body.

use super::body::{body_start, match_body};
use super::header::match_headers;
use crate::contract::Interaction;
use crate::exchange::ObservedResponse;
use crate::finding::Finding;
use crate::rules;

/// Judges `observed` against what `interaction` expects of the response. Every finding names the
/// interaction and points into the exchange (`/response/status`, `/response/headers/<name>`,
/// `/response/body…`).
///
/// - A status other than the expected one is `shape.status-mismatch`, and nothing else is judged:
///   headers and body of another outcome would only add noise. The hint quotes the start of the body,
///   which usually says what went wrong.
/// - Otherwise headers are judged (see [`match_headers`]), then the body (see [`match_body`]); when
///   the body is not JSON, the hint names the `Content-Type` the response declared.
pub fn match_response(interaction: &Interaction, observed: &ObservedResponse) -> Vec<Finding> {
    let expected = &interaction.response;
    let mut findings = Vec::new();
    if observed.status != expected.status {
        let hint = if observed.body.is_empty() {
            "the response has no body".to_owned()
        } else {
            format!("the body starts with: {}", body_start(&observed.body))
        };
        findings.push(
            Finding::new(
                rules::STATUS_MISMATCH,
                "/response/status",
                format!(
                    "the response status is {}, not {}",
                    observed.status, expected.status
                ),
            )
            .expected(expected.status.to_string())
            .actual(observed.status.to_string())
            .hint(hint),
        );
    } else {
        findings.extend(match_headers(&expected.headers, observed));
        if let Some(body) = &expected.body {
            findings.extend(match_body(body, &observed.body).into_iter().map(|f| {
                if f.rule != rules::BODY_NOT_JSON {
                    return f;
                }
                let declared = match observed.header("content-type") {
                    Some(ct) => format!("the response's Content-Type is {ct}"),
                    None => "the response has no Content-Type header".to_owned(),
                };
                let hint = match &f.hint {
                    Some(h) => format!("{declared}; {h}"),
                    None => declared,
                };
                f.hint(hint)
            }));
        }
    }
    findings
        .into_iter()
        .map(|f| f.in_interaction(interaction.id.clone()))
        .collect()
}
