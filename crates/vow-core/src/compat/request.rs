//! The request half of the shape dimension: what the contract sends against what the operation
//! accepts — path, query, header and cookie parameters, and the body with its media type.
//!
//! Parameter values are read as the type their schema claims (`?limit=10` is the integer 10;
//! see [`coerce_text`]); array parameters are split by their style (`form` with `explode` repeats
//! the name, otherwise values are comma-separated). Header parameters named `Accept`,
//! `Content-Type` or `Authorization` are ignored, as OpenAPI says: media types and security
//! schemes govern those.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Cx, did_you_mean, media};
use crate::contract::source::escape_segment;
use crate::finding::{Finding, Severity};
use crate::rules;
use crate::spec::flat::{alternatives, flatten};
use crate::spec::validate::{Violation, coerce_text};
use crate::spec::{Parameter, ParameterIn, SchemaId, Schemas, TypeSet};

/// Header names OpenAPI says header parameters must not describe.
const IGNORED_HEADERS: [&str; 3] = ["accept", "content-type", "authorization"];

/// Checks the request of `cx`'s interaction; `params` are the path parameters' values.
pub(super) fn check(cx: &Cx<'_>, params: &BTreeMap<String, String>, out: &mut Vec<Finding>) {
    let request = &cx.interaction.request;
    for p in cx
        .op
        .parameters
        .iter()
        .filter(|p| p.location == ParameterIn::Path)
    {
        if let Some(text) = params.get(&p.name) {
            let text = crate::spec::document::percent_decode(text);
            validate(cx, p, std::slice::from_ref(&text), "/request/path", out);
        }
    }
    missing(cx, out);
    for (name, values) in &request.query {
        let pointer = format!("/request/query/{}", escape_segment(name));
        match cx.op.parameter(ParameterIn::Query, name) {
            Some(p) => {
                deprecated(cx, p, name, &pointer, out);
                validate(cx, p, values, &pointer, out);
            }
            None => out.push(undeclared(cx, ParameterIn::Query, name, &pointer)),
        }
    }
    for (name, value) in &request.headers {
        if IGNORED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            continue;
        }
        let pointer = format!("/request/headers/{}", escape_segment(name));
        match cx.op.parameter(ParameterIn::Header, name) {
            Some(p) => {
                deprecated(cx, p, name, &pointer, out);
                validate(cx, p, std::slice::from_ref(value), &pointer, out);
            }
            None => out.push(undeclared(cx, ParameterIn::Header, name, &pointer)),
        }
    }
    body(cx, out);
}

/// Required query, header and cookie parameters the request does not send.
fn missing(cx: &Cx<'_>, out: &mut Vec<Finding>) {
    let request = &cx.interaction.request;
    for p in &cx.op.parameters {
        if !p.required {
            continue;
        }
        let (absent, pointer) = match p.location {
            ParameterIn::Path => continue,
            ParameterIn::Query => (
                !request.query.contains_key(&p.name),
                format!("/request/query/{}", escape_segment(&p.name)),
            ),
            ParameterIn::Header => {
                if IGNORED_HEADERS.contains(&p.name.to_ascii_lowercase().as_str()) {
                    continue;
                }
                (
                    !request
                        .headers
                        .iter()
                        .any(|(n, _)| n.eq_ignore_ascii_case(&p.name)),
                    format!("/request/headers/{}", escape_segment(&p.name)),
                )
            }
            ParameterIn::Cookie => (true, "/request/headers/Cookie".to_owned()),
        };
        if !absent {
            continue;
        }
        let kind = p.location.as_str();
        let mut finding = Finding::new(
            rules::PARAMETER_MISSING,
            pointer,
            format!(
                "{} requires the {kind} parameter {:?} (#{}), and the request does not send it",
                cx.label(),
                p.name,
                p.pointer
            ),
        )
        .expected(format!("the {kind} parameter {:?}", p.name))
        .actual("no such parameter");
        finding = if p.location == ParameterIn::Cookie {
            // Contracts cannot state cookies (they carry credentials), so this is only a reminder.
            finding.severity(Severity::Warning).hint(
                "contracts cannot state cookies, which usually carry credentials; make sure the \
                 consumer sends it, or ask the provider whether it is really required",
            )
        } else {
            finding.hint(format!(
                "send {:?} in the request's {kind}, or ask the provider whether it is really \
                 required",
                p.name
            ))
        };
        out.push(finding);
    }
}

fn undeclared(cx: &Cx<'_>, location: ParameterIn, name: &str, pointer: &str) -> Finding {
    let kind = location.as_str();
    let declared: Vec<&str> = cx
        .op
        .parameters
        .iter()
        .filter(|p| p.location == location)
        .map(|p| p.name.as_str())
        .collect();
    let hint = did_you_mean(name, declared.iter().copied()).unwrap_or_else(|| {
        format!(
            "the provider may ignore or refuse it; drop it from the request, or ask the provider \
             to declare it{}",
            if declared.is_empty() {
                String::new()
            } else {
                format!(" (declared {kind} parameters: {})", declared.join(", "))
            }
        )
    });
    Finding::new(
        rules::PARAMETER_UNDECLARED,
        pointer,
        format!(
            "the request sends the {kind} parameter {name:?}, which {} does not declare",
            cx.label()
        ),
    )
    .hint(hint)
}

/// A deprecated parameter the request sends; a note (info) when the contract's deprecation block
/// acknowledges it, a warning otherwise.
fn deprecated(cx: &Cx<'_>, p: &Parameter, name: &str, pointer: &str, out: &mut Vec<Finding>) {
    if !p.deprecated {
        return;
    }
    let kind = p.location.as_str();
    let acknowledged = cx.statements.deprecation.as_ref().is_some_and(|d| {
        d.parameters.iter().any(|a| {
            if p.location == ParameterIn::Header {
                a.eq_ignore_ascii_case(name)
            } else {
                a == name
            }
        })
    });
    let finding = Finding::new(
        rules::PARAMETER_DEPRECATED,
        pointer,
        format!(
            "the request sends the {kind} parameter {name:?}, which {} marks deprecated (#{}){}",
            cx.label(),
            p.pointer,
            if acknowledged {
                "; the contract acknowledges it"
            } else {
                ""
            }
        ),
    );
    out.push(if acknowledged {
        finding
            .severity(Severity::Info)
            .hint("plan to stop sending it before the provider removes it")
    } else {
        finding.hint(format!(
            "stop sending it, or list {name:?} under deprecation.parameters so the use is tracked"
        ))
    });
}

/// Validates a parameter's values (as sent) against its schema.
fn validate(cx: &Cx<'_>, p: &Parameter, values: &[String], pointer: &str, out: &mut Vec<Finding>) {
    let Some(schema) = p.schema else {
        return;
    };
    let schemas = &cx.spec.schemas;
    let flat = flatten(schemas, &[schema]);
    let kind = p.location.as_str();
    let types = flat.types;
    let array = types.is_some_and(|t| t.contains(TypeSet::ARRAY) && !t.contains(TypeSet::STRING));
    let value = if array {
        let item_types = if flat.items.is_empty() {
            None
        } else {
            flatten(schemas, &flat.items).types
        };
        let separator = match p.style.as_str() {
            "spaceDelimited" => ' ',
            "pipeDelimited" => '|',
            _ => ',',
        };
        let texts: Vec<&str> = if p.explode && p.location == ParameterIn::Query {
            values.iter().map(String::as_str).collect()
        } else {
            values.iter().flat_map(|v| v.split(separator)).collect()
        };
        Value::Array(
            texts
                .into_iter()
                .map(|t| coerce_text(t, item_types))
                .collect(),
        )
    } else if types.is_some_and(|t| t.contains(TypeSet::OBJECT) && !t.contains(TypeSet::STRING)) {
        // Object parameters (deepObject, exploded forms) cannot be rebuilt from a contract's
        // plain values; they are left unchecked.
        return;
    } else {
        match values {
            [one] => coerce_text(one, types),
            [] => return,
            many => {
                out.push(
                    Finding::new(
                        rules::PARAMETER_INVALID,
                        pointer,
                        format!(
                            "the request sends the {kind} parameter {:?} {} times, and its schema \
                             (#{}) takes a single value",
                            p.name,
                            many.len(),
                            p.pointer
                        ),
                    )
                    .expected("one value")
                    .actual(format!("{} values", many.len()))
                    .hint("send it once, or ask the provider to declare it as an array"),
                );
                return;
            }
        }
    };
    let violations = cx.validator.validate(schema, &value);
    let Some(first) = violations.first() else {
        return;
    };
    let more = match violations.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    let at = if first.pointer.is_empty() {
        String::new()
    } else {
        format!(" at {}", first.pointer)
    };
    out.push(
        Finding::new(
            rules::PARAMETER_INVALID,
            pointer,
            format!(
                "the {kind} parameter {:?} is {}, which breaks its schema in {} (#{}){at}{more}",
                p.name,
                serde_json::to_string(&value).unwrap_or_default(),
                cx.label(),
                p.pointer
            ),
        )
        .expected(first.expected.clone())
        .actual(first.found.clone())
        .hint("send a value the provider accepts, or ask the provider to widen the schema"),
    );
}

/// The request body: present when required, in a media type the operation accepts, and valid
/// against that media type's schema.
fn body(cx: &Cx<'_>, out: &mut Vec<Finding>) {
    let request = &cx.interaction.request;
    let content_type = request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(n, v)| (n.as_str(), v.as_str()));
    match (&cx.op.request_body, &request.body) {
        (None, None) => {}
        (None, Some(_)) => out.push(
            Finding::new(
                rules::REQUEST_MEDIA_TYPE_UNDECLARED,
                "/request/body",
                format!(
                    "the request sends a body, and {} (#{}) declares no request body",
                    cx.label(),
                    cx.op.pointer
                ),
            )
            .expected("no body")
            .actual("a JSON body")
            .hint("drop the body, or ask the provider to declare the request body it reads"),
        ),
        (Some(rb), None) => {
            if rb.required {
                out.push(
                    Finding::new(
                        rules::REQUEST_BODY_MISSING,
                        "/request/body",
                        format!(
                            "{} requires a request body (#{}), and the request has none",
                            cx.label(),
                            rb.pointer
                        ),
                    )
                    .expected(format!("a body of {}", media::listed(&rb.content)))
                    .actual("no body")
                    .hint("add the body the consumer sends to the contract's request"),
                );
            }
        }
        (Some(rb), Some(sent)) => {
            if rb.content.is_empty() {
                return;
            }
            let sent_type = content_type.map_or("application/json", |(_, v)| v);
            let Some((declared, schema)) = media::best(&rb.content, sent_type) else {
                let pointer = match content_type {
                    Some((name, _)) => format!("/request/headers/{}", escape_segment(name)),
                    None => "/request/body".to_owned(),
                };
                out.push(
                    Finding::new(
                        rules::REQUEST_MEDIA_TYPE_UNDECLARED,
                        pointer,
                        format!(
                            "the request body is {}{}, which {} does not accept (#{})",
                            media::essence(sent_type),
                            if content_type.is_none() {
                                " (the default without a Content-Type header)"
                            } else {
                                ""
                            },
                            cx.label(),
                            rb.pointer
                        ),
                    )
                    .expected(format!("one of {}", media::listed(&rb.content)))
                    .actual(media::essence(sent_type))
                    .hint(
                        "send the body in a media type the operation declares (Content-Type \
                         header), or ask the provider to accept this one",
                    ),
                );
                return;
            };
            let Some(schema) = schema else {
                return;
            };
            if !media::is_json(sent_type) {
                return;
            }
            let node = cx.spec.schemas.get(*schema);
            let name = match &node.name {
                Some(name) => format!(
                    "the schema {name} ({declared} request body of {}, #{})",
                    cx.label(),
                    rb.pointer
                ),
                None => format!(
                    "the {declared} request body schema of {} (#{})",
                    cx.label(),
                    rb.pointer
                ),
            };
            for v in cx.validator.validate(*schema, sent) {
                // A `readOnly` property is required of responses only (OpenAPI 3): a request
                // need not send it.
                if v.found == "nothing" && read_only(&cx.spec.schemas, *schema, &v.pointer) {
                    continue;
                }
                out.push(body_violation(&v, &name));
            }
        }
    }
}

fn body_violation(v: &Violation, schema: &str) -> Finding {
    let subject = if v.pointer.is_empty() {
        "the request body".to_owned()
    } else {
        format!("request body field {}", v.pointer)
    };
    let message = if v.found == "nothing" {
        format!("{subject} is missing, and {schema} requires it")
    } else {
        format!("{subject} is {}, which {schema} rejects", v.found)
    };
    Finding::new(
        rules::REQUEST_BODY_INVALID,
        format!("/request/body{}", v.pointer),
        message,
    )
    .expected(v.expected.clone())
    .actual(v.found.clone())
    .hint("send a body the operation accepts, or ask the provider to relax the schema")
}

/// Whether the property at `pointer` (within a value of `schema`) is `readOnly` in some schema
/// that declares it, directly or through the `allOf` parts of its declaration.
fn read_only(schemas: &Schemas, schema: SchemaId, pointer: &str) -> bool {
    let segments: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    let mut position: Vec<Vec<SchemaId>> = vec![vec![schema]];
    for segment in parents {
        let mut next = Vec::new();
        for conj in &position {
            for alt in alternatives(schemas, conj) {
                let flat = flatten(schemas, &alt);
                if segment.parse::<usize>().is_ok() && !flat.items.is_empty() {
                    next.push(flat.items.clone());
                }
                if let Some(ids) = flat.properties.get(segment) {
                    next.push(ids.clone());
                }
            }
        }
        position = next;
    }
    position.iter().any(|conj| {
        alternatives(schemas, conj).iter().any(|alt| {
            flatten(schemas, alt)
                .properties
                .get(last)
                .is_some_and(|ids| {
                    ids.iter().any(|&id| {
                        let node = schemas.get(id);
                        node.read_only || node.all_of.iter().any(|&p| schemas.get(p).read_only)
                    })
                })
        })
    })
}
