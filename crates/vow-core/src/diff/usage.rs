//! Consumer scoping: which interactions of the given contracts depend on a change.
//!
//! An interaction depends on a change when it calls the changed operation and uses the changed
//! element: it reads the removed field (or something under it), sends a value the new schema
//! rejects, handles the error code, holds only the scopes that no longer suffice, has a timeout the
//! new envelope exceeds. What it does not touch cannot break it.

use serde_json::Value;

use crate::contract::{BodyExpectation, Contract, DimensionStatements, Interaction, PathSegment};
use crate::rules;
use crate::spec::validate::{Validator, coerce_text};
use crate::spec::{Lookup, Operation, ParameterIn, SecurityRequirement, Spec};

use super::changes::satisfies;
use super::{Affected, Change, Element, SourcedContract};

/// One interaction resolved against both specs.
struct Use<'a> {
    source: &'a str,
    contract: &'a Contract,
    interaction: &'a Interaction,
    statements: DimensionStatements,
    old_op: Option<usize>,
    new_op: Option<usize>,
}

pub(super) struct Scope<'a> {
    old: &'a Spec,
    new: &'a Spec,
    uses: Vec<Use<'a>>,
    validator: Validator<'a>,
}

fn found(lookup: Lookup) -> Option<usize> {
    match lookup {
        Lookup::Found { operation, .. } => Some(operation),
        _ => None,
    }
}

impl<'a> Scope<'a> {
    pub(super) fn new(old: &'a Spec, new: &'a Spec, contracts: &[SourcedContract<'a>]) -> Self {
        let mut uses = Vec::new();
        for c in contracts {
            for interaction in &c.contract.interactions {
                let method = interaction.request.method.as_str();
                let path = &interaction.request.path;
                uses.push(Use {
                    source: c.source,
                    contract: c.contract,
                    interaction,
                    statements: c.contract.effective(interaction),
                    old_op: found(old.lookup(method, path)),
                    new_op: found(new.lookup(method, path)),
                });
            }
        }
        Scope {
            old,
            new,
            uses,
            validator: Validator::new(&new.schemas),
        }
    }

    pub(super) fn affected(&self, change: &Change) -> Vec<Affected> {
        let mut out = Vec::new();
        for u in &self.uses {
            let calls = match (change.old_op, change.new_op) {
                (Some(o), _) if u.old_op == Some(o) => true,
                (None, Some(n)) => u.new_op == Some(n),
                (Some(_), Some(n)) => u.old_op.is_none() && u.new_op == Some(n),
                _ => false,
            };
            if !calls {
                continue;
            }
            if let Some(reason) = self.reason(change, u) {
                out.push(Affected {
                    consumer: u.contract.consumer.clone(),
                    contract: u.source.to_owned(),
                    interaction: u.interaction.id.clone(),
                    reason,
                });
            }
        }
        out
    }

    fn old_op(&self, change: &Change) -> Option<&Operation> {
        change.old_op.map(|i| &self.old.operations[i])
    }

    fn new_op(&self, change: &Change) -> Option<&Operation> {
        change.new_op.map(|i| &self.new.operations[i])
    }

    /// Why `u` depends on `change`, or `None` when it does not.
    fn reason(&self, change: &Change, u: &Use<'_>) -> Option<String> {
        let request = &u.interaction.request;
        let label = &change.operation;
        match &change.element {
            Element::Operation => Some(format!(
                "calls {} {}",
                request.method.as_str(),
                request.path
            )),
            Element::Parameter { location, name, .. } => {
                let sent = sent_parameter(self.old_op(change), u.interaction, *location, name);
                let rule = change.rule;
                if rule == rules::PARAMETER_ADDED_REQUIRED
                    || rule == rules::PARAMETER_BECAME_REQUIRED
                {
                    return match sent {
                        None => Some(format!(
                            "does not send the {} parameter `{name}`",
                            location.as_str()
                        )),
                        Some(_) => None,
                    };
                }
                let value = sent?;
                if rule == rules::PARAMETER_STYLE_CHANGED {
                    return Some(format!(
                        "sends `{name}={value}`, which the new style may read differently"
                    ));
                }
                let schema = self
                    .new_op(change)?
                    .parameter(*location, name)
                    .and_then(|p| p.schema)?;
                let typed = coerce_text(&value, self.new.schemas.get(schema).types);
                let violations = self.validator.validate(schema, &typed);
                let first = violations.first()?;
                Some(format!(
                    "sends `{name}={value}`, which the new schema rejects: expected {}",
                    first.expected
                ))
            }
            Element::RequestBody { media, path } => {
                let body = request.body.as_ref();
                if change.rule == rules::REQUEST_BODY_BECAME_REQUIRED {
                    return body.is_none().then(|| "sends no request body".to_owned());
                }
                let body = body?;
                let sent_media = request_media(u.interaction);
                if let Some(media) = media
                    && !media.eq_ignore_ascii_case(&sent_media)
                {
                    return None;
                }
                if change.rule == rules::REQUEST_MEDIA_TYPE_REMOVED {
                    return Some(format!("sends a {sent_media} body"));
                }
                let schema = self
                    .new_op(change)?
                    .request_body
                    .as_ref()?
                    .content
                    .get(&sent_media)
                    .copied()
                    .flatten()?;
                let violations = self.validator.validate(schema, body);
                let related = violations.iter().find(|v| overlaps(&v.pointer, path))?;
                let at = if related.pointer.is_empty() {
                    "the body".to_owned()
                } else {
                    related.pointer.clone()
                };
                Some(format!(
                    "sends a body the new schema rejects at {at}: expected {}, found {}",
                    related.expected, related.found
                ))
            }
            Element::Response { status, path, .. } => {
                let expected = u.interaction.response.status;
                let (key, _) = self.old_op(change)?.response_for(expected)?;
                if key != status {
                    return None;
                }
                if change.rule == rules::RESPONSE_STATUS_REMOVED {
                    return Some(format!("expects status {expected}"));
                }
                let body = u.interaction.response.body.as_ref()?;
                match reads(body) {
                    None => Some(format!(
                        "judges the {expected} body with a JSON Schema, so it may rely on {}",
                        shown(path)
                    )),
                    Some(paths) => {
                        let hit = paths.iter().find(|p| overlaps(p, path))?;
                        Some(if hit == path {
                            format!("reads {}", shown(hit))
                        } else {
                            format!(
                                "reads {} (affected by the change at {})",
                                shown(hit),
                                shown(path)
                            )
                        })
                    }
                }
            }
            Element::ResponseHeader { status, name } => {
                let expected = u.interaction.response.status;
                let (key, _) = self.old_op(change)?.response_for(expected)?;
                (key == status
                    && u.interaction
                        .response
                        .headers
                        .iter()
                        .any(|h| h.name.eq_ignore_ascii_case(name)))
                .then(|| format!("expects the header {name}"))
            }
            Element::ErrorCode { code } => {
                let errors = u.statements.errors.as_ref();
                let handled = errors.and_then(|e| e.handles.iter().find(|h| &h.code == code));
                let expects = u.interaction.response.error.as_deref() == Some(code.as_str());
                if change.rule == rules::ERROR_CODE_ADDED {
                    return (errors.is_some() && handled.is_none()).then(|| {
                        format!("states the errors it handles, and {code} is not one of them")
                    });
                }
                if change.rule == rules::RETRY_AFTER_DROPPED {
                    return handled
                        .filter(|h| h.retry)
                        .map(|_| format!("retries {code} and waits for Retry-After"));
                }
                if expects {
                    return Some(format!("expects the error {code}"));
                }
                handled.map(|h| {
                    format!(
                        "handles {code} ({}, {})",
                        h.status,
                        if h.retry {
                            "retries it"
                        } else {
                            "does not retry it"
                        }
                    )
                })
            }
            Element::Security => {
                let auth = u.statements.auth.as_ref();
                let new_op = self.new_op(change)?;
                let Some(auth) = auth else {
                    return Some("states no credentials for this provider".to_owned());
                };
                let held: SecurityRequirement = new_op
                    .security
                    .iter()
                    .flat_map(|alt| alt.keys())
                    .chain(
                        self.old_op(change)
                            .into_iter()
                            .flat_map(|o| o.security.iter().flat_map(|a| a.keys())),
                    )
                    .map(|scheme| (scheme.clone(), auth.scopes.iter().cloned().collect()))
                    .collect();
                if new_op.security.iter().any(|alt| satisfies(&held, alt)) {
                    return None;
                }
                Some(format!(
                    "holds the scopes [{}], which satisfy none of {label}'s new requirements",
                    auth.scopes.join(", ")
                ))
            }
            Element::Latency => {
                let latency = u.statements.latency.as_ref()?;
                let envelope = self.new_op(change)?.latency?;
                let (p, bound) = envelope.at(latency.percentile)?;
                (bound > latency.timeout).then(|| {
                    format!(
                        "times out after {} ms, below the new p{p} of {} ms",
                        latency.timeout.as_millis(),
                        bound.as_millis()
                    )
                })
            }
        }
    }
}

fn shown(path: &str) -> String {
    if path.is_empty() {
        "the whole body".to_owned()
    } else {
        path.to_owned()
    }
}

/// The media type of the interaction's request body (its Content-Type, default application/json).
fn request_media(interaction: &Interaction) -> String {
    interaction
        .request
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_else(|| "application/json".to_owned())
}

/// The value the interaction sends for a parameter, if it sends one. Path parameters are read from
/// the path against the old operation's template.
fn sent_parameter(
    op: Option<&Operation>,
    interaction: &Interaction,
    location: ParameterIn,
    name: &str,
) -> Option<String> {
    let request = &interaction.request;
    match location {
        ParameterIn::Query => request.query.get(name).map(|values| values.join(",")),
        ParameterIn::Header => request
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone()),
        ParameterIn::Cookie => request
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("cookie"))
            .flat_map(|(_, v)| v.split(';'))
            .find_map(|pair| {
                let (k, v) = pair.trim().split_once('=')?;
                (k == name).then(|| v.to_owned())
            }),
        ParameterIn::Path => {
            let op = op?;
            let t: Vec<&str> = op.path.split('/').collect();
            let p: Vec<&str> = request.path.split('/').collect();
            let offset = p.len().checked_sub(t.len())?;
            t.iter()
                .position(|seg| *seg == format!("{{{name}}}"))
                .and_then(|i| p.get(i + offset))
                .map(|s| (*s).to_owned())
        }
    }
}

/// The field paths a body expectation reads (`/items/*/sku`), or `None` for a schema-judged body
/// (it may read anything).
fn reads(body: &BodyExpectation) -> Option<Vec<String>> {
    match body {
        BodyExpectation::Schema { .. } => None,
        BodyExpectation::Example { example, rules, .. } => {
            let mut out = Vec::new();
            if let Some(example) = example {
                if !example.is_object() && !example.is_array() {
                    out.push(String::new());
                }
                let mut stack: Vec<(String, &Value)> = vec![(String::new(), example)];
                while let Some((path, value)) = stack.pop() {
                    match value {
                        Value::Object(map) => {
                            for (k, v) in map {
                                let p = format!("{path}/{}", crate::spec::document::escape(k));
                                out.push(p.clone());
                                stack.push((p, v));
                            }
                        }
                        Value::Array(items) => {
                            let p = format!("{path}/*");
                            out.push(p.clone());
                            for v in items {
                                stack.push((p.clone(), v));
                            }
                        }
                        _ => {}
                    }
                }
            }
            for r in rules {
                let p: String = r
                    .path
                    .segments
                    .iter()
                    .map(|s| match s {
                        PathSegment::Any => "/*".to_owned(),
                        PathSegment::Key(k) => format!("/{}", crate::spec::document::escape(k)),
                    })
                    .collect();
                if !p.is_empty() {
                    out.push(p);
                }
            }
            out.sort();
            out.dedup();
            Some(out)
        }
    }
}

/// Whether two field paths are the same or one lies under the other; `*` and array indexes match
/// any segment.
fn overlaps(a: &str, b: &str) -> bool {
    let sa: Vec<&str> = a.split('/').skip(1).collect();
    let sb: Vec<&str> = b.split('/').skip(1).collect();
    sa.iter().zip(&sb).all(|(x, y)| {
        x == y
            || *x == "*"
            || *y == "*"
            || (x.parse::<usize>().is_ok() && y.parse::<usize>().is_ok())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_overlap_by_prefix_and_wildcard() {
        assert!(overlaps("/items/*/sku", "/items/*/sku"));
        assert!(overlaps("/items", "/items/*/sku"));
        assert!(overlaps("/items/0/sku", "/items/*"));
        assert!(overlaps("", "/total"));
        assert!(!overlaps("/items/*/sku", "/items/*/price"));
        assert!(!overlaps("/total", "/currency"));
    }
}
