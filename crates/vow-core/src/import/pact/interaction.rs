//! Pact interactions to vow interactions: ids, provider states, the request as sent, and the
//! response with its matching rules and generators.

use std::collections::BTreeSet;

use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::convert::{Importer, child, normalise};
use super::generator;
use super::jsonpath::{self, Step};
use super::matcher::{self, Place, RuleList};
use super::version::PactVersion;

/// Methods a vow request may use.
const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// Request headers vow refuses in contract files, because they carry credentials.
const CREDENTIAL_HEADERS: &[&str] = &["authorization", "proxy-authorization", "cookie"];

/// Interaction ids are cut to this many characters, so they stay readable in reports.
const ID_LENGTH: usize = 60;

/// Converts every interaction vow can import; `None` when one is malformed (reported).
pub(crate) fn convert_all(
    im: &mut Importer<'_>,
    items: &[Value],
    version: PactVersion,
) -> Option<Vec<Value>> {
    let mut ids: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::new();
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let pointer = format!("/interactions/{i}");
        match interaction(im, item, &pointer, version, &mut ids) {
            Outcome::Converted(value) => out.push(value),
            Outcome::Skipped => {}
            Outcome::Malformed => ok = false,
        }
    }
    ok.then_some(out)
}

enum Outcome {
    Converted(Value),
    Skipped,
    Malformed,
}

fn interaction(
    im: &mut Importer<'_>,
    item: &Value,
    pointer: &str,
    version: PactVersion,
    ids: &mut BTreeSet<String>,
) -> Outcome {
    let Value::Object(fields) = item else {
        im.mismatch(pointer, "an interaction (an object)", Some(item));
        return Outcome::Malformed;
    };
    if version == PactVersion::V4 {
        match fields.get("type").and_then(Value::as_str) {
            Some("Synchronous/HTTP") => {}
            Some(other) => {
                im.dropped(
                    &child(pointer, "type"),
                    format!("skipped the {other} interaction"),
                    "vow contracts hold HTTP request/response interactions only",
                );
                return Outcome::Skipped;
            }
            None => {
                im.mismatch(
                    &child(pointer, "type"),
                    "an interaction type such as \"Synchronous/HTTP\"",
                    None,
                );
                return Outcome::Malformed;
            }
        }
        v4_extras(im, fields, pointer);
    }
    let description = match fields.get("description") {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        other => {
            im.mismatch(
                &child(pointer, "description"),
                "a non-empty description",
                other,
            );
            None
        }
    };
    let given = provider_states(im, fields, pointer);
    let request = match fields.get("request") {
        Some(Value::Object(r)) => request(im, r, &child(pointer, "request"), version),
        other => {
            im.mismatch(&child(pointer, "request"), "a request (an object)", other);
            Err(true)
        }
    };
    let response = match fields.get("response") {
        Some(Value::Object(r)) => response(im, r, &child(pointer, "response"), version),
        other => {
            im.mismatch(&child(pointer, "response"), "a response (an object)", other);
            None
        }
    };
    let (Some(description), Some(given), Some(response)) = (description, given, response) else {
        return Outcome::Malformed;
    };
    let (request, auth) = match request {
        Ok(converted) => converted,
        Err(true) => return Outcome::Malformed,
        Err(false) => return Outcome::Skipped,
    };
    let id = unique_id(&description, ids);
    let mut out = Map::new();
    out.insert("id".to_owned(), json!(id));
    out.insert("description".to_owned(), json!(description));
    if !given.is_empty() {
        out.insert("given".to_owned(), Value::Array(given));
    }
    out.insert("request".to_owned(), request);
    out.insert("response".to_owned(), response);
    if let Some(auth) = auth {
        out.insert("auth".to_owned(), auth);
    }
    Outcome::Converted(Value::Object(out))
}

/// v4 fields that have no place in a vow contract.
fn v4_extras(im: &mut Importer<'_>, fields: &Map<String, Value>, pointer: &str) {
    if fields.get("pending") == Some(&Value::Bool(true)) {
        im.dropped(
            &child(pointer, "pending"),
            "dropped `pending: true`",
            "vow has no pending interactions: a failing verification of this one fails the run",
        );
    }
    if fields
        .get("comments")
        .is_some_and(|c| c.as_object().is_some_and(|m| !m.is_empty()))
    {
        im.dropped(
            &child(pointer, "comments"),
            "dropped the interaction's comments",
            "vow contracts hold the description only; copy what matters into it",
        );
    }
    if fields
        .get("interactionMarkup")
        .is_some_and(|m| m.as_object().is_some_and(|m| !m.is_empty()))
    {
        im.dropped(
            &child(pointer, "interactionMarkup"),
            "dropped the interaction markup",
            "it renders the interaction for people; vow has no equivalent",
        );
    }
    for key in ["pluginConfiguration", "transport"] {
        if fields
            .get(key)
            .is_some_and(|v| !matches!(v, Value::Null) && v != &json!({}))
        {
            im.dropped(
                &child(pointer, key),
                format!("dropped `{key}`"),
                "vow has no plugins; the interaction is read as plain HTTP",
            );
        }
    }
}

/// An id from the description: lowercase words joined by `-`, made unique by a suffix.
fn unique_id(description: &str, ids: &mut BTreeSet<String>) -> String {
    let mut base = normalise(description, "interaction");
    if base.len() > ID_LENGTH {
        base.truncate(ID_LENGTH);
        base = base.trim_end_matches(['-', '.', '_']).to_owned();
    }
    let mut id = base.clone();
    let mut n = 2;
    while ids.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    ids.insert(id.clone());
    id
}

/// `providerState` (v2) or `providerStates` with params (v3, v4), as vow `given`.
fn provider_states(
    im: &mut Importer<'_>,
    fields: &Map<String, Value>,
    pointer: &str,
) -> Option<Vec<Value>> {
    let mut given = Vec::new();
    for key in ["providerState", "provider_state"] {
        match fields.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => given.push(json!(s)),
            None | Some(Value::Null) => {}
            Some(Value::String(_)) => {}
            Some(other) => {
                im.mismatch(
                    &child(pointer, key),
                    "a provider state (a string)",
                    Some(other),
                );
                return None;
            }
        }
    }
    match fields.get("providerStates") {
        None | Some(Value::Null) => {}
        Some(Value::Array(states)) => {
            let base = child(pointer, "providerStates");
            for (i, state) in states.iter().enumerate() {
                let at = format!("{base}/{i}");
                let name = state.get("name").and_then(Value::as_str);
                let Some(name) = name.filter(|n| !n.trim().is_empty()) else {
                    im.mismatch(
                        &child(&at, "name"),
                        "the provider state's name, a non-empty string",
                        state.get("name"),
                    );
                    return None;
                };
                match state.get("params") {
                    None | Some(Value::Null) => given.push(json!(name)),
                    Some(Value::Object(params)) if params.is_empty() => given.push(json!(name)),
                    Some(Value::Object(params)) => {
                        given.push(json!({"state": name, "params": params}));
                    }
                    Some(other) => {
                        im.mismatch(
                            &child(&at, "params"),
                            "an object of parameters",
                            Some(other),
                        );
                        return None;
                    }
                }
            }
        }
        Some(other) => {
            im.mismatch(
                &child(pointer, "providerStates"),
                "a list of provider states",
                Some(other),
            );
            return None;
        }
    }
    Some(given)
}

/// The request as vow sends it, and the auth block its credential headers imply.
/// `Err(true)`: malformed (reported); `Err(false)`: skipped (noted).
fn request(
    im: &mut Importer<'_>,
    r: &Map<String, Value>,
    pointer: &str,
    version: PactVersion,
) -> Result<(Value, Option<Value>), bool> {
    let mut out = Map::new();
    let method = match r.get("method") {
        Some(Value::String(m)) => m.to_ascii_uppercase(),
        other => {
            im.mismatch(&child(pointer, "method"), "an HTTP method", other);
            return Err(true);
        }
    };
    let mut path = match r.get("path") {
        Some(Value::String(p)) => p.clone(),
        other => {
            im.mismatch(&child(pointer, "path"), "a path (a string)", other);
            return Err(true);
        }
    };
    if !METHODS.contains(&method.as_str()) {
        im.dropped(
            &child(pointer, "method"),
            format!("skipped an interaction with the method {method}"),
            "vow requests use GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS",
        );
        return Err(false);
    }
    let mut query: Map<String, Value> = Map::new();
    if let Some(at) = path.find('?') {
        let (p, q) = path.split_at(at);
        add_query_string(&mut query, &q[1..]);
        im.changed(
            &child(pointer, "path"),
            "the query string in the path moved to `query`",
        );
        path = p.to_owned();
    }
    if !path.starts_with('/') {
        im.changed(
            &child(pointer, "path"),
            format!("the path {path:?} became \"/{path}\""),
        );
        path = format!("/{path}");
    }
    out.insert("method".to_owned(), json!(method));
    out.insert("path".to_owned(), json!(path));
    match r.get("query") {
        None | Some(Value::Null) => {}
        Some(Value::String(q)) => add_query_string(&mut query, q),
        Some(Value::Object(map)) => {
            for (name, values) in map {
                let texts: Vec<Value> = match values {
                    Value::Array(items) => {
                        items.iter().filter_map(text_of).map(Value::from).collect()
                    }
                    other => text_of(other).map(Value::from).into_iter().collect(),
                };
                if let Some(list) = query
                    .entry(name.clone())
                    .or_insert_with(|| json!([]))
                    .as_array_mut()
                {
                    list.extend(texts);
                }
            }
        }
        Some(other) => {
            im.mismatch(
                &child(pointer, "query"),
                "a query string or an object of parameter lists",
                Some(other),
            );
            return Err(true);
        }
    }
    if !query.is_empty() {
        out.insert("query".to_owned(), Value::Object(query));
    }
    let headers = headers(im, r.get("headers"), &child(pointer, "headers"))?;
    let mut kept = Map::new();
    let mut auth = None;
    for (name, value) in headers {
        let lower = name.to_ascii_lowercase();
        if !CREDENTIAL_HEADERS.contains(&lower.as_str()) {
            kept.insert(name, json!(value));
            continue;
        }
        let scheme = credential_scheme(&lower, &value);
        im.secrets.push(value.clone());
        if let Some((_, token)) = value.split_once(' ') {
            im.secrets.push(token.trim().to_owned());
        }
        let credentials = im.consumer.clone();
        im.dropped(
            &child(&child(pointer, "headers"), &name),
            format!(
                "dropped the request header {name:?}; the interaction states `auth: {{scheme: {scheme}}}` instead"
            ),
            format!(
                "contract files never hold credentials: configure a credential set named \
                 {credentials:?} in vow.toml so vow verify can authenticate (auth probes are off, \
                 as Pact has none)"
            ),
        );
        auth = Some(json!({"scheme": scheme, "credentials": credentials, "probes": false}));
    }
    if !kept.is_empty() {
        out.insert("headers".to_owned(), Value::Object(kept));
    }
    let content_type = header_value(r.get("headers"), "content-type");
    if let Some(body) = body(
        im,
        r.get("body"),
        &child(pointer, "body"),
        content_type.as_deref(),
        version,
    ) {
        out.insert("body".to_owned(), body);
    }
    request_rules(im, r, pointer, version);
    if let Some(generators) = r.get("generators").and_then(Value::as_object) {
        for category in generators.keys() {
            im.dropped(
                &child(&child(pointer, "generators"), category),
                format!("dropped the request's {category} generators"),
                "a vow request is sent as written; the example values are kept",
            );
        }
    }
    Ok((Value::Object(out), auth))
}

/// The scheme an `auth` block states for a credential header.
fn credential_scheme(header: &str, value: &str) -> &'static str {
    if header == "cookie" {
        return "apiKey";
    }
    let scheme = value.split_whitespace().next().unwrap_or_default();
    if scheme.eq_ignore_ascii_case("bearer") {
        "bearer"
    } else if scheme.eq_ignore_ascii_case("basic") {
        "basic"
    } else {
        "apiKey"
    }
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn add_query_string(query: &mut Map<String, Value>, text: &str) {
    for (name, value) in form_urlencoded::parse(text.as_bytes()) {
        if let Some(list) = query
            .entry(name.into_owned())
            .or_insert_with(|| json!([]))
            .as_array_mut()
        {
            list.push(json!(value.into_owned()));
        }
    }
}

/// Header names to values; v4 lists of values join with `, `.
fn headers(
    im: &mut Importer<'_>,
    headers: Option<&Value>,
    pointer: &str,
) -> Result<Vec<(String, String)>, bool> {
    let mut out = Vec::new();
    match headers {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (name, value) in map {
                let text = match value {
                    Value::Array(items) => {
                        let parts: Vec<String> = items.iter().filter_map(text_of).collect();
                        Some(parts.join(", "))
                    }
                    other => text_of(other),
                };
                match text {
                    Some(text) => out.push((name.clone(), text)),
                    None => {
                        im.mismatch(
                            &child(pointer, name),
                            "a header value (a string)",
                            Some(value),
                        );
                        return Err(true);
                    }
                }
            }
        }
        Some(other) => {
            im.mismatch(pointer, "an object of headers", Some(other));
            return Err(true);
        }
    }
    Ok(out)
}

fn header_value(headers: Option<&Value>, name: &str) -> Option<String> {
    let (_, value) = headers?
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))?;
    match value {
        Value::Array(items) => items.first().and_then(text_of),
        other => text_of(other),
    }
}

fn is_json_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json")
}

/// A body as JSON; anything else becomes a note.
fn body(
    im: &mut Importer<'_>,
    body: Option<&Value>,
    pointer: &str,
    content_type: Option<&str>,
    version: PactVersion,
) -> Option<Value> {
    let body = body?;
    if version == PactVersion::V4
        && let Value::Object(map) = body
        && map.contains_key("content")
    {
        return v4_body(im, map, pointer, content_type);
    }
    match (body, content_type) {
        (Value::Null, _) => None,
        (Value::String(_), Some(ct)) if !is_json_type(ct) => {
            im.dropped(
                pointer,
                format!("dropped the {ct} body"),
                "vow bodies are JSON; state the text body's meaning in the description",
            );
            None
        }
        (value, _) => Some(value.clone()),
    }
}

fn v4_body(
    im: &mut Importer<'_>,
    map: &Map<String, Value>,
    pointer: &str,
    header_type: Option<&str>,
) -> Option<Value> {
    let content = map.get("content")?;
    let content_type = map
        .get("contentType")
        .and_then(Value::as_str)
        .or(header_type)
        .unwrap_or("application/json")
        .to_owned();
    let encoded = match map.get("encoded") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => !s.is_empty() && s != "false",
        _ => false,
    };
    let text = match (content, encoded) {
        (Value::String(s), true) => {
            match base64::engine::general_purpose::STANDARD.decode(s.trim()) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => Some(text),
                    Err(_) => {
                        im.dropped(
                            &child(pointer, "content"),
                            format!("dropped the binary {content_type} body"),
                            "vow bodies are JSON",
                        );
                        return None;
                    }
                },
                Err(e) => {
                    im.problem(
                        &child(pointer, "content"),
                        "base64 content, as `encoded` says",
                        format!("text that is not base64 ({e})"),
                        Some("set `encoded: false` if the content is plain"),
                    );
                    return None;
                }
            }
        }
        // A JSON body stored as a value; a JSON string stays a string.
        (Value::String(_), false) if is_json_type(&content_type) => return Some(content.clone()),
        (Value::String(s), false) => Some(s.clone()),
        (value, _) => return Some(value.clone()),
    };
    let text = text?;
    if !is_json_type(&content_type) {
        im.dropped(
            pointer,
            format!("dropped the {content_type} body"),
            "vow bodies are JSON; state the body's meaning in the description",
        );
        return None;
    }
    match serde_json::from_str::<Value>(&text) {
        Ok(value) => {
            im.changed(
                &child(pointer, "content"),
                "the base64 JSON body was decoded",
            );
            Some(value)
        }
        Err(e) => {
            im.problem(
                &child(pointer, "content"),
                "JSON content, as its content type says",
                format!("text that is not JSON ({e})"),
                None,
            );
            None
        }
    }
}

/// Request matching rules cannot be carried over: each is noted.
fn request_rules(
    im: &mut Importer<'_>,
    r: &Map<String, Value>,
    pointer: &str,
    version: PactVersion,
) {
    let Some(Value::Object(rules)) = r.get("matchingRules") else {
        return;
    };
    let base = child(pointer, "matchingRules");
    let hint = "vow sends the request as written and the provider is judged on its response; \
                the example value is kept";
    for (key, value) in rules {
        let at = child(&base, key);
        match (version, value) {
            (PactVersion::V2, _) => {
                im.dropped(
                    &at,
                    format!("dropped the request matching rule at {key}"),
                    hint,
                );
            }
            (_, Value::Object(entries)) if key == "path" || entries.contains_key("matchers") => {
                im.dropped(
                    &at,
                    format!("dropped the request's {key} matching rule"),
                    hint,
                );
            }
            (_, Value::Object(entries)) => {
                for name in entries.keys() {
                    im.dropped(
                        &child(&at, name),
                        format!("dropped the request {key} matching rule at {name}"),
                        hint,
                    );
                }
            }
            _ => im.dropped(
                &at,
                format!("dropped the request matching rules under {key}"),
                hint,
            ),
        }
    }
}

/// The matching rules of a response, by category, read from either layout.
struct ResponseRules<'v> {
    /// Body rules by JSONPath (without the v2 `$.body` prefix).
    body: Vec<(String, RuleList<'v>)>,
    header: Vec<(String, RuleList<'v>)>,
    /// Rules on anything else (status, or categories a response does not have).
    other: Vec<(String, String)>,
}

fn rule_list<'v>(im: &mut Importer<'_>, value: &'v Value, pointer: &str) -> Option<RuleList<'v>> {
    match value {
        Value::Object(map) if map.contains_key("matchers") => {
            let Some(Value::Array(items)) = map.get("matchers") else {
                im.mismatch(
                    &child(pointer, "matchers"),
                    "a list of matchers",
                    map.get("matchers"),
                );
                return None;
            };
            let or = map
                .get("combine")
                .and_then(Value::as_str)
                .is_some_and(|c| c.eq_ignore_ascii_case("or"));
            Some(RuleList {
                matchers: items
                    .iter()
                    .enumerate()
                    .map(|(i, m)| (format!("{pointer}/matchers/{i}"), m))
                    .collect(),
                or,
                pointer: pointer.to_owned(),
            })
        }
        Value::Object(_) => Some(RuleList {
            matchers: vec![(pointer.to_owned(), value)],
            or: false,
            pointer: pointer.to_owned(),
        }),
        Value::Array(items) => Some(RuleList {
            matchers: items
                .iter()
                .enumerate()
                .map(|(i, m)| (format!("{pointer}/{i}"), m))
                .collect(),
            or: false,
            pointer: pointer.to_owned(),
        }),
        other => {
            im.mismatch(pointer, "a matching rule (an object)", Some(other));
            None
        }
    }
}

fn response_rules<'v>(
    im: &mut Importer<'_>,
    rules: &'v Map<String, Value>,
    base: &str,
    version: PactVersion,
) -> Option<ResponseRules<'v>> {
    let mut out = ResponseRules {
        body: Vec::new(),
        header: Vec::new(),
        other: Vec::new(),
    };
    let mut ok = true;
    for (key, value) in rules {
        let at = child(base, key);
        if version == PactVersion::V2 || key.starts_with('$') {
            // v2: one flat map keyed by paths from the response root.
            let list = rule_list(im, value, &at);
            let Some(list) = list else {
                ok = false;
                continue;
            };
            if key == "$.body" {
                out.body.push(("$".to_owned(), list));
            } else if let Some(rest) = key.strip_prefix("$.body") {
                out.body.push((format!("${rest}"), list));
            } else if let Some(name) = key
                .strip_prefix("$.headers.")
                .or_else(|| key.strip_prefix("$.header."))
            {
                out.header.push((name.to_owned(), list));
            } else if let Some(name) = key
                .strip_prefix("$.headers['")
                .and_then(|n| n.strip_suffix("']"))
            {
                out.header.push((name.to_owned(), list));
            } else {
                out.other.push((at, key.clone()));
            }
            continue;
        }
        match (key.as_str(), value) {
            ("body" | "header" | "headers", Value::Object(entries)) => {
                for (path, list) in entries {
                    let Some(list) = rule_list(im, list, &child(&at, path)) else {
                        ok = false;
                        continue;
                    };
                    if key == "body" {
                        out.body.push((path.clone(), list));
                    } else {
                        let name = jsonpath::parse(path)
                            .ok()
                            .and_then(|steps| match steps.as_slice() {
                                [Step::Key(k)] => Some(k.clone()),
                                _ => None,
                            })
                            .unwrap_or_else(|| path.clone());
                        out.header.push((name, list));
                    }
                }
            }
            _ => out.other.push((at, key.clone())),
        }
    }
    ok.then_some(out)
}

fn response(
    im: &mut Importer<'_>,
    r: &Map<String, Value>,
    pointer: &str,
    version: PactVersion,
) -> Option<Value> {
    let status = match r.get("status") {
        Some(Value::Number(n)) if n.as_u64().is_some_and(|s| (100..=599).contains(&s)) => {
            n.as_u64()
        }
        other => {
            im.mismatch(&child(pointer, "status"), "a status from 100 to 599", other);
            None
        }
    };
    let rules_base = child(pointer, "matchingRules");
    let rules = match r.get("matchingRules") {
        None | Some(Value::Null) => Some(ResponseRules {
            body: Vec::new(),
            header: Vec::new(),
            other: Vec::new(),
        }),
        Some(Value::Object(map)) => response_rules(im, map, &rules_base, version),
        Some(other) => {
            im.mismatch(&rules_base, "an object of matching rules", Some(other));
            None
        }
    };
    let headers = headers(im, r.get("headers"), &child(pointer, "headers")).ok();
    let content_type = header_value(r.get("headers"), "content-type");
    let example = body(
        im,
        r.get("body"),
        &child(pointer, "body"),
        content_type.as_deref(),
        version,
    );
    let (status, rules, headers) = (status?, rules?, headers?);
    for (at, key) in &rules.other {
        let hint = if key == "status" {
            "a vow response states one exact status; the example status is kept"
        } else {
            "vow has no rules for this part of a response"
        };
        im.dropped(
            at,
            format!("dropped the response matching rule on {key}"),
            hint,
        );
    }
    let mut out = Map::new();
    out.insert("status".to_owned(), json!(status));
    let header_rules = response_headers(im, headers, &rules.header);
    if !header_rules.is_empty() {
        out.insert("headers".to_owned(), Value::Object(header_rules));
    }
    let body_rules = body_rules(im, example.as_ref(), &rules.body);
    let body_generators = generators(im, r.get("generators"), &child(pointer, "generators"));
    if example.is_some() || !body_rules.is_empty() || !body_generators.is_empty() {
        let mut b = Map::new();
        if let Some(example) = example {
            b.insert("example".to_owned(), example);
        }
        if !body_rules.is_empty() {
            b.insert("rules".to_owned(), Value::Object(body_rules));
        }
        if !body_generators.is_empty() {
            b.insert("generators".to_owned(), Value::Object(body_generators));
        }
        out.insert("body".to_owned(), Value::Object(b));
    }
    Some(Value::Object(out))
}

/// Response headers: the example value (equality), or the converted rules where the pact has some.
fn response_headers(
    im: &mut Importer<'_>,
    headers: Vec<(String, String)>,
    rules: &[(String, RuleList<'_>)],
) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, value) in headers {
        out.insert(name, json!(value));
    }
    for (name, list) in rules {
        let (converted, outcomes) = matcher::convert_list(list, Place::Header, &[]);
        report(im, &outcomes, &format!("the response header {name:?}"));
        if converted.is_empty() {
            continue;
        }
        let existing = out
            .keys()
            .find(|k| k.eq_ignore_ascii_case(name))
            .cloned()
            .unwrap_or_else(|| name.clone());
        out.insert(existing, Value::Array(converted));
    }
    out
}

/// Notes for each matcher that was not carried over or was changed.
fn report(im: &mut Importer<'_>, outcomes: &[matcher::Outcome], place: &str) {
    for (pointer, outcome) in outcomes {
        match outcome {
            Ok(None) => {}
            Ok(Some(change)) => im.changed(pointer, format!("{place}: {change}")),
            Err(e) => im.dropped(pointer, format!("{place}: {}", e.message), e.hint.clone()),
        }
    }
}

fn body_rules(
    im: &mut Importer<'_>,
    example: Option<&Value>,
    rules: &[(String, RuleList<'_>)],
) -> Map<String, Value> {
    let mut out: Map<String, Value> = Map::new();
    for (path, list) in rules {
        let steps = match jsonpath::parse(path) {
            Ok(steps) => steps,
            Err(why) => {
                im.dropped(
                    &list.pointer,
                    format!("dropped the body rule at {path:?}"),
                    format!("vow path patterns cannot express {why}"),
                );
                continue;
            }
        };
        let pattern = match jsonpath::to_pattern(&steps) {
            Ok(p) => p,
            Err(why) => {
                im.dropped(
                    &list.pointer,
                    format!("dropped the body rule at {path:?}"),
                    format!("vow path patterns cannot express {why}"),
                );
                continue;
            }
        };
        let examples = example
            .map(|e| jsonpath::examples_at(e, &steps))
            .unwrap_or_default();
        let (converted, outcomes) = matcher::convert_list(list, Place::Body, &examples);
        let shown = if pattern.is_empty() {
            "/"
        } else {
            pattern.as_str()
        };
        report(im, &outcomes, &format!("body {shown}"));
        if converted.is_empty() {
            continue;
        }
        match out.get_mut(&pattern) {
            Some(Value::Array(existing)) => existing.extend(converted),
            _ => {
                out.insert(pattern, Value::Array(converted));
            }
        }
    }
    // One rule reads better as an object than as a list of one.
    for value in out.values_mut() {
        if let Value::Array(items) = value
            && items.len() == 1
        {
            *value = items.remove(0);
        }
    }
    out
}

/// Response generators: body ones become vow generators, the rest notes.
fn generators(
    im: &mut Importer<'_>,
    generators: Option<&Value>,
    pointer: &str,
) -> Map<String, Value> {
    let mut out = Map::new();
    let Some(Value::Object(categories)) = generators else {
        return out;
    };
    for (category, entries) in categories {
        let at = child(pointer, category);
        if category != "body" {
            im.dropped(
                &at,
                format!("dropped the response's {category} generators"),
                "vow generators replace body values only; the example value is kept",
            );
            continue;
        }
        let Value::Object(entries) = entries else {
            im.mismatch(&at, "an object of generators by path", Some(entries));
            continue;
        };
        for (path, g) in entries {
            let gat = child(&at, path);
            let pattern = jsonpath::parse(path).and_then(|steps| jsonpath::to_pattern(&steps));
            let pattern = match pattern {
                Ok(p) if !p.is_empty() => p,
                Ok(_) => {
                    im.dropped(
                        &gat,
                        "dropped a generator for the whole body",
                        "vow generators replace values inside the body",
                    );
                    continue;
                }
                Err(why) => {
                    im.dropped(
                        &gat,
                        format!("dropped the generator at {path:?}"),
                        format!("vow path patterns cannot express {why}"),
                    );
                    continue;
                }
            };
            match generator::convert(g) {
                Ok(vow) => {
                    out.insert(pattern, vow);
                }
                Err(e) => im.dropped(&gat, e.message, e.hint),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_unique() {
        let mut ids = BTreeSet::new();
        assert_eq!(
            unique_id("A request for the cart", &mut ids),
            "a-request-for-the-cart"
        );
        assert_eq!(
            unique_id("a request for THE cart!", &mut ids),
            "a-request-for-the-cart-2"
        );
        assert_eq!(unique_id("???", &mut ids), "interaction");
        let long = "word ".repeat(30);
        assert!(unique_id(&long, &mut ids).len() <= ID_LENGTH);
    }

    #[test]
    fn credential_schemes_come_from_the_header() {
        assert_eq!(credential_scheme("authorization", "Bearer abc"), "bearer");
        assert_eq!(
            credential_scheme("authorization", "basic dXNlcjpw"),
            "basic"
        );
        assert_eq!(credential_scheme("authorization", "Token abc"), "apiKey");
        assert_eq!(credential_scheme("cookie", "session=abc"), "apiKey");
    }
}
