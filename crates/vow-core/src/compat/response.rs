//! The response half of the shape dimension: the expected status among the operation's
//! responses (an exact code, a range such as `4XX`, or `default`), the headers the consumer reads,
//! the media type, and then the body (see `body`).

use super::body::{self, BodyCheck};
use super::{Cx, media};
use crate::contract::{BodyExpectation, Matcher};
use crate::finding::Finding;
use crate::rules;
use crate::spec::SchemaId;

pub(super) fn check(cx: &Cx<'_>, out: &mut Vec<Finding>) {
    let expectation = &cx.interaction.response;
    let status = expectation.status;
    let Some((key, response)) = cx.op.response_for(status) else {
        let declared: Vec<&str> = cx.op.responses.keys().map(String::as_str).collect();
        out.push(
            Finding::new(
                rules::STATUS_UNDECLARED,
                "/response/status",
                format!(
                    "{} (#{}) declares no response with status {status}{}",
                    cx.label(),
                    cx.op.pointer,
                    if declared.is_empty() {
                        String::new()
                    } else {
                        format!(" (it declares {})", declared.join(", "))
                    }
                ),
            )
            .expected(status.to_string())
            .actual(if declared.is_empty() {
                "no responses".to_owned()
            } else {
                declared.join(", ")
            })
            .hint(
                "check the status with the provider: either the spec is missing a response, or \
                 the consumer relies on one the provider does not promise",
            ),
        );
        return;
    };
    let what_status = if key == status.to_string() {
        format!("the {status} response")
    } else {
        format!("the {key} response")
    };

    for header in &expectation.headers {
        let name = header.name.to_ascii_lowercase();
        if name == "content-type" || response.headers.contains_key(&name) {
            continue;
        }
        out.push(
            Finding::new(
                rules::RESPONSE_HEADER_UNDECLARED,
                format!("/response/headers/{name}"),
                format!(
                    "the consumer reads the header {}, which {what_status} of {} (#{}) does not \
                     declare",
                    header.name,
                    cx.label(),
                    response.pointer
                ),
            )
            .expected(format!("a declared {} header", header.name))
            .actual("no such header")
            .hint("ask the provider to declare the header, or stop relying on it"),
        );
    }

    let stated = expectation
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-type"))
        .and_then(|h| {
            h.rules.iter().find_map(|r| match &r.matcher {
                Matcher::Equals { value } => value.as_str(),
                _ => None,
            })
        });
    let body = expectation.body.as_ref().filter(|b| match b {
        BodyExpectation::Example { example, rules, .. } => example.is_some() || !rules.is_empty(),
        BodyExpectation::Schema { .. } => true,
    });
    if stated.is_none() && body.is_none() {
        return;
    }
    let undeclared = |pointer: &str, message: String, actual: String| {
        Finding::new(rules::RESPONSE_MEDIA_TYPE_UNDECLARED, pointer, message)
            .expected(stated.map_or("a JSON body".to_owned(), media::essence))
            .actual(actual)
            .hint(
                "check the media type with the provider: the consumer reads a body the spec does \
                 not describe",
            )
    };
    if response.content.is_empty() {
        let pointer = if stated.is_some() {
            "/response/headers/content-type"
        } else {
            "/response/body"
        };
        out.push(undeclared(
            pointer,
            format!(
                "the consumer reads a body, and {what_status} of {} (#{}) declares none",
                cx.label(),
                response.pointer
            ),
            "no body".to_owned(),
        ));
        return;
    }
    let chosen: Option<(&str, &Option<SchemaId>)> = match stated {
        Some(s) => media::best(&response.content, s),
        None => media::preferred_json(&response.content, status >= 400),
    };
    let Some((declared, schema)) = chosen else {
        let (pointer, message) = match stated {
            Some(s) => (
                "/response/headers/content-type",
                format!(
                    "the consumer expects {}, and {what_status} of {} (#{}) declares {}",
                    media::essence(s),
                    cx.label(),
                    response.pointer,
                    media::listed(&response.content)
                ),
            ),
            None => (
                "/response/body",
                format!(
                    "the consumer reads a JSON body, and {what_status} of {} (#{}) declares only \
                     {}",
                    cx.label(),
                    response.pointer,
                    media::listed(&response.content)
                ),
            ),
        };
        out.push(undeclared(
            pointer,
            message,
            media::listed(&response.content),
        ));
        return;
    };
    let (Some(body), Some(schema)) = (body, schema) else {
        return;
    };
    // Only JSON bodies are read field by field.
    if !(media::is_json(declared) || stated.is_some_and(media::is_json)) {
        return;
    }
    let acknowledged: &[String] = cx
        .statements
        .deprecation
        .as_ref()
        .map_or(&[], |d| d.fields.as_slice());
    let check = BodyCheck {
        schemas: &cx.spec.schemas,
        what: format!("{what_status} ({declared}) of {}", cx.label()),
        acknowledged,
        as_of: cx.options.as_of,
        warning_days: cx.options.warning_days,
    };
    body::check(&check, *schema, body, out);
}
