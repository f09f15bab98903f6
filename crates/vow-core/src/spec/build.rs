//! Building a [`Spec`] from OpenAPI documents: operations with their parameters, bodies and
//! responses, security, the `x-vow-*` extensions and the deprecation clock. Every problem found is
//! collected and reported at once, located by document and pointer.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::document::{DocId, Documents, SpecProblem, Target, escape};
use super::model::*;
use super::schema::{SchemaBuilder, SchemaId, describe};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Why a spec could not be built: every problem in every document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub problems: Vec<SpecProblem>,
}

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "{n} problem{} in the provider spec",
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            write!(
                f,
                "\n  {} {}: expected {}, found {}",
                p.problem.place(&p.origin),
                p.problem.pointer_text(),
                p.problem.expected,
                p.problem.found
            )?;
            if let Some(hint) = &p.problem.hint {
                write!(f, "\n    hint: {hint}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for SpecError {}

/// Builds the spec from `docs` (root first). Fails with every problem found.
pub fn build_spec(docs: &Documents) -> Result<Spec, SpecError> {
    let Some(root) = docs.root() else {
        return Err(SpecError {
            problems: Vec::new(),
        });
    };
    let mut problems = Vec::new();
    let Some(map) = root.value.as_object() else {
        return Err(SpecError {
            problems: vec![docs.problem(
                0,
                "",
                "an OpenAPI document (an object with `openapi: 3.0.x` or `3.1.x`)",
                describe(&root.value),
                None,
            )],
        });
    };
    let (openapi, version) = match (map.get("openapi"), map.get("swagger")) {
        (Some(Value::String(v)), _) if v.starts_with("3.0") => (v.clone(), OpenApiVersion::V30),
        (Some(Value::String(v)), _) if v.starts_with("3.1") => (v.clone(), OpenApiVersion::V31),
        (_, Some(v)) => {
            return Err(SpecError {
                problems: vec![
                    docs.problem(
                        0,
                        "/swagger",
                        "an OpenAPI 3.0 or 3.1 document",
                        format!("a Swagger {} document", plain(v)),
                        Some(
                            "convert it to OpenAPI 3 first, e.g. with swagger2openapi \
                         (npm) or the Swagger Editor"
                                .to_owned(),
                        ),
                    ),
                ],
            });
        }
        (Some(v), _) => {
            return Err(SpecError {
                problems: vec![docs.problem(
                    0,
                    "/openapi",
                    "the version 3.0.x or 3.1.x",
                    describe(v),
                    None,
                )],
            });
        }
        (None, None) => {
            return Err(SpecError {
                problems: vec![docs.problem(
                    0,
                    "",
                    "an OpenAPI document with an `openapi` field (3.0.x or 3.1.x)",
                    "a document without one".to_owned(),
                    None,
                )],
            });
        }
    };
    let mut builder = Builder {
        docs,
        schemas: SchemaBuilder::new(docs, version == OpenApiVersion::V30),
        problems: &mut problems,
        catalogue: BTreeMap::new(),
        broken_codes: BTreeSet::new(),
        scheme_names: BTreeSet::new(),
    };
    let info = map.get("info");
    let text_at = |key: &str| {
        info.and_then(|i| i.get(key))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let (title, api_version) = (text_at("title"), text_at("version"));
    let root_servers = base_paths(map.get("servers")).unwrap_or_else(|| vec![String::new()]);
    let security_schemes = builder.security_schemes(map);
    builder.scheme_names = security_schemes.keys().cloned().collect();
    let root_security = match map.get("security") {
        Some(v) => builder.security(0, "/security", v),
        None => Vec::new(),
    };
    let (errors, error_code_pointer) = builder.catalogue(map);
    builder.catalogue = errors.clone();
    let mut operations = Vec::new();
    match map.get("paths") {
        None => {}
        Some(Value::Object(paths)) => {
            for (path, item) in paths {
                let pointer = format!("/paths/{}", escape(path));
                if !path.starts_with('/') {
                    builder.problems.push(docs.problem(
                        0,
                        &pointer,
                        "a path starting with /",
                        format!("the path {path:?}"),
                        None,
                    ));
                    continue;
                }
                builder.path_item(
                    path,
                    Target { doc: 0, pointer },
                    item,
                    &root_servers,
                    &root_security,
                    &mut operations,
                );
            }
        }
        Some(other) => builder.problems.push(docs.problem(
            0,
            "/paths",
            "an object of paths",
            describe(other),
            None,
        )),
    }
    let schema_builder = builder.schemas;
    let (schemas, schema_problems) = schema_builder.finish();
    problems.extend(schema_problems);
    if !problems.is_empty() {
        problems.sort_by(|a, b| {
            (
                &a.origin,
                a.problem.position.map(|p| (p.line, p.column)),
                &a.problem.pointer,
            )
                .cmp(&(
                    &b.origin,
                    b.problem.position.map(|p| (p.line, p.column)),
                    &b.problem.pointer,
                ))
        });
        problems.dedup();
        return Err(SpecError { problems });
    }
    Ok(Spec {
        openapi,
        version,
        title,
        api_version,
        operations,
        errors,
        error_code_pointer,
        security_schemes,
        schemas,
    })
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

struct Builder<'a, 'p> {
    docs: &'a Documents,
    schemas: SchemaBuilder<'a>,
    problems: &'p mut Vec<SpecProblem>,
    catalogue: BTreeMap<String, ErrorEntry>,
    /// Catalogue codes whose entries have problems (already reported).
    broken_codes: BTreeSet<String>,
    /// Names of the declared security schemes.
    scheme_names: BTreeSet<String>,
}

impl<'a> Builder<'a, '_> {
    fn problem(&mut self, doc: DocId, pointer: &str, expected: &str, found: String) {
        self.problems
            .push(self.docs.problem(doc, pointer, expected, found, None));
    }

    /// Follows a reference object (`$ref`) to what it names; other values are returned as they are.
    fn follow(&mut self, target: Target, value: &'a Value) -> Option<(Target, &'a Value)> {
        let mut target = target;
        let mut value = value;
        for _ in 0..32 {
            let Some(Value::String(reference)) = value.get("$ref") else {
                return Some((target, value));
            };
            match self.docs.resolve(target.doc, reference) {
                Ok(next) => {
                    value = self.docs.value(&next)?;
                    target = next;
                }
                Err(e) => {
                    self.problems
                        .push(self.docs.ref_problem(target.doc, &target.pointer, e));
                    return None;
                }
            }
        }
        self.problem(
            target.doc,
            &target.pointer,
            "a reference that leads to a value",
            "a chain of more than 32 references (a cycle?)".to_owned(),
        );
        None
    }

    fn security_schemes(
        &mut self,
        root: &'a Map<String, Value>,
    ) -> BTreeMap<String, SecurityScheme> {
        let mut out = BTreeMap::new();
        let Some(Value::Object(schemes)) = root
            .get("components")
            .and_then(|c| c.get("securitySchemes"))
        else {
            return out;
        };
        for (name, value) in schemes {
            let target = Target {
                doc: 0,
                pointer: format!("/components/securitySchemes/{}", escape(name)),
            };
            let Some((_, value)) = self.follow(target, value) else {
                continue;
            };
            let kind = value
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or_default();
            out.insert(
                name.clone(),
                SecurityScheme {
                    kind: kind.to_owned(),
                    http_scheme: value
                        .get("scheme")
                        .and_then(Value::as_str)
                        .map(str::to_ascii_lowercase),
                },
            );
        }
        out
    }

    fn security(&mut self, doc: DocId, pointer: &str, value: &Value) -> Vec<SecurityRequirement> {
        let Value::Array(items) = value else {
            self.problem(
                doc,
                pointer,
                "a list of security requirements",
                describe(value),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let Value::Object(map) = item else {
                self.problem(
                    doc,
                    &format!("{pointer}/{i}"),
                    "a security requirement (scheme name → scopes)",
                    describe(item),
                );
                continue;
            };
            for scheme in map.keys() {
                if self.scheme_names.contains(scheme) {
                    continue;
                }
                let hint = self
                    .scheme_names
                    .iter()
                    .map(|k| (strsim::jaro_winkler(k, scheme), k))
                    .filter(|(score, _)| *score > 0.8)
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, k)| format!("did you mean {k:?}?"))
                    .or_else(|| Some("declare it under components.securitySchemes".to_owned()));
                self.problems.push(self.docs.problem(
                    doc,
                    &format!("{pointer}/{i}/{}", escape(scheme)),
                    "the name of a security scheme declared in components.securitySchemes",
                    format!("the undeclared scheme {scheme:?}"),
                    hint,
                ));
            }
            let requirement: SecurityRequirement = map
                .iter()
                .map(|(scheme, scopes)| {
                    let scopes: BTreeSet<String> = scopes
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|s| s.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default();
                    (scheme.clone(), scopes)
                })
                .collect();
            out.push(requirement);
        }
        out
    }

    fn catalogue(&mut self, root: &Map<String, Value>) -> (BTreeMap<String, ErrorEntry>, String) {
        let mut out = BTreeMap::new();
        let code_pointer = match root.get("x-vow-error-code-pointer") {
            None => "/code".to_owned(),
            Some(Value::String(p)) if p.is_empty() || p.starts_with('/') => p.clone(),
            Some(other) => {
                self.problem(
                    0,
                    "/x-vow-error-code-pointer",
                    "a JSON pointer such as /code",
                    describe(other),
                );
                "/code".to_owned()
            }
        };
        let Some(value) = root.get("x-vow-errors") else {
            return (out, code_pointer);
        };
        let Value::Object(entries) = value else {
            self.problem(
                0,
                "/x-vow-errors",
                "an object of error codes (code → {status, kind, retryAfter})",
                describe(value),
            );
            return (out, code_pointer);
        };
        for (code, entry) in entries {
            let pointer = format!("/x-vow-errors/{}", escape(code));
            // Operations may list the code whatever is wrong with its entry: report the entry once.
            self.broken_codes.insert(code.clone());
            let Value::Object(fields) = entry else {
                self.problem(
                    0,
                    &pointer,
                    "an object {status, kind, retryAfter}",
                    describe(entry),
                );
                continue;
            };
            for key in fields.keys() {
                const KNOWN: [&str; 5] = ["status", "kind", "retryAfter", "description", "title"];
                if KNOWN.contains(&key.as_str()) || key.starts_with("x-") {
                    continue;
                }
                let hint = KNOWN
                    .iter()
                    .map(|k| {
                        (
                            strsim::jaro_winkler(
                                &k.to_ascii_lowercase(),
                                &key.to_ascii_lowercase().replace('_', ""),
                            ),
                            k,
                        )
                    })
                    .filter(|(score, _)| *score > 0.8)
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, k)| format!("did you mean {k:?}?"));
                self.problems.push(self.docs.problem(
                    0,
                    &format!("{pointer}/{}", escape(key)),
                    "one of status, kind, retryAfter, description, title (or an x- extension)",
                    format!("the key {key:?}"),
                    hint,
                ));
            }
            let status = match fields.get("status").and_then(Value::as_u64) {
                Some(s @ 400..=599) => s as u16,
                _ => {
                    self.problem(
                        0,
                        &format!("{pointer}/status"),
                        "an error status from 400 to 599",
                        fields.get("status").map_or("nothing".to_owned(), describe),
                    );
                    continue;
                }
            };
            let kind = match fields.get("kind").and_then(Value::as_str) {
                Some(name) => match ErrorKind::from_name(name) {
                    Some(kind) => kind,
                    None => {
                        self.problem(
                            0,
                            &format!("{pointer}/kind"),
                            "retryable, terminal or operator-action",
                            format!("the string {name:?}"),
                        );
                        continue;
                    }
                },
                None => {
                    self.problem(
                        0,
                        &format!("{pointer}/kind"),
                        "retryable, terminal or operator-action",
                        fields.get("kind").map_or("nothing".to_owned(), describe),
                    );
                    continue;
                }
            };
            let retry_after = match fields.get("retryAfter") {
                None => false,
                Some(Value::Bool(b)) => *b,
                Some(other) => {
                    self.problem(
                        0,
                        &format!("{pointer}/retryAfter"),
                        "true or false",
                        describe(other),
                    );
                    false
                }
            };
            self.broken_codes.remove(code);
            out.insert(
                code.clone(),
                ErrorEntry {
                    code: code.clone(),
                    status,
                    kind,
                    retry_after,
                    pointer,
                },
            );
        }
        (out, code_pointer)
    }

    fn path_item(
        &mut self,
        path: &str,
        target: Target,
        item: &'a Value,
        root_servers: &[String],
        root_security: &[SecurityRequirement],
        out: &mut Vec<Operation>,
    ) {
        let Some((target, item)) = self.follow(target, item) else {
            return;
        };
        let Value::Object(map) = item else {
            self.problem(
                target.doc,
                &target.pointer,
                "a path item object",
                describe(item),
            );
            return;
        };
        let servers = base_paths(map.get("servers")).unwrap_or_else(|| root_servers.to_vec());
        let shared = self.parameters(&target, map.get("parameters"));
        for method in METHODS {
            let Some(op) = map.get(method) else { continue };
            let op_target = Target {
                doc: target.doc,
                pointer: format!("{}/{method}", target.pointer),
            };
            let Value::Object(op_map) = op else {
                self.problem(
                    target.doc,
                    &op_target.pointer,
                    "an operation object",
                    describe(op),
                );
                continue;
            };
            let mut parameters = shared.clone();
            for p in self.parameters(&op_target, op_map.get("parameters")) {
                parameters.retain(|q| !(q.name == p.name && q.location == p.location));
                parameters.push(p);
            }
            let security = match op_map.get("security") {
                Some(v) => {
                    self.security(op_target.doc, &format!("{}/security", op_target.pointer), v)
                }
                None => root_security.to_vec(),
            };
            let request_body = op_map
                .get("requestBody")
                .and_then(|b| self.request_body(&op_target, b));
            let responses = self.responses(&op_target, op_map.get("responses"));
            let sunset = op_map.get("x-sunset").and_then(|v| match read_sunset(v) {
                Ok(d) => Some(d),
                Err((expected, found)) => {
                    self.problem(
                        op_target.doc,
                        &format!("{}/x-sunset", op_target.pointer),
                        &expected,
                        found,
                    );
                    None
                }
            });
            let stability = op_map.get("x-stability-level").and_then(|v| {
                match v.as_str().and_then(Stability::from_name) {
                    Some(s) => Some(s),
                    None => {
                        self.problem(
                            op_target.doc,
                            &format!("{}/x-stability-level", op_target.pointer),
                            "draft, alpha, beta or stable",
                            describe(v),
                        );
                        None
                    }
                }
            });
            let errors = self.operation_errors(&op_target, op_map.get("x-vow-errors"));
            let latency = op_map
                .get("x-vow-latency")
                .and_then(|v| self.latency(&op_target, v));
            let servers = base_paths(op_map.get("servers")).unwrap_or_else(|| servers.clone());
            out.push(Operation {
                method: method.to_ascii_uppercase(),
                path: path.to_owned(),
                base_paths: servers,
                operation_id: op_map
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                pointer: op_target.pointer.clone(),
                parameters,
                request_body,
                responses,
                security,
                deprecated: op_map.get("deprecated").and_then(Value::as_bool) == Some(true),
                sunset,
                stability,
                errors,
                latency,
            });
        }
    }

    fn parameters(&mut self, owner: &Target, value: Option<&'a Value>) -> Vec<Parameter> {
        let Some(value) = value else {
            return Vec::new();
        };
        let pointer = format!("{}/parameters", owner.pointer);
        let Value::Array(items) = value else {
            self.problem(owner.doc, &pointer, "a list of parameters", describe(value));
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let target = Target {
                doc: owner.doc,
                pointer: format!("{pointer}/{i}"),
            };
            let Some((target, item)) = self.follow(target, item) else {
                continue;
            };
            let name = item.get("name").and_then(Value::as_str);
            let location = match item.get("in").and_then(Value::as_str) {
                Some("path") => Some(ParameterIn::Path),
                Some("query") => Some(ParameterIn::Query),
                Some("header") => Some(ParameterIn::Header),
                Some("cookie") => Some(ParameterIn::Cookie),
                _ => None,
            };
            let (Some(name), Some(location)) = (name, location) else {
                self.problem(
                    target.doc,
                    &target.pointer,
                    "a parameter with a `name` and `in` (path, query, header or cookie)",
                    describe(item),
                );
                continue;
            };
            let schema = if item.get("schema").is_some() {
                Some(self.schemas.intern(Target {
                    doc: target.doc,
                    pointer: format!("{}/schema", target.pointer),
                }))
            } else {
                // `content` form: the schema of its single media type.
                self.first_content_schema(&target, item.get("content"))
            };
            let style = item
                .get("style")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| {
                    match location {
                        ParameterIn::Query | ParameterIn::Cookie => "form",
                        ParameterIn::Path | ParameterIn::Header => "simple",
                    }
                    .to_owned()
                });
            let explode = item
                .get("explode")
                .and_then(Value::as_bool)
                .unwrap_or(style == "form");
            out.push(Parameter {
                name: name.to_owned(),
                location,
                required: location == ParameterIn::Path
                    || item.get("required").and_then(Value::as_bool) == Some(true),
                deprecated: item.get("deprecated").and_then(Value::as_bool) == Some(true),
                schema,
                style,
                explode,
                pointer: target.pointer,
            });
        }
        out
    }

    fn first_content_schema(
        &mut self,
        owner: &Target,
        content: Option<&Value>,
    ) -> Option<SchemaId> {
        let (media, value) = content?.as_object()?.iter().next()?;
        value.get("schema")?;
        Some(self.schemas.intern(Target {
            doc: owner.doc,
            pointer: format!("{}/content/{}/schema", owner.pointer, escape(media)),
        }))
    }

    fn content(
        &mut self,
        owner: &Target,
        value: Option<&Value>,
    ) -> BTreeMap<String, Option<SchemaId>> {
        let mut out = BTreeMap::new();
        let Some(Value::Object(content)) = value else {
            return out;
        };
        for (media, entry) in content {
            let schema = entry.get("schema").map(|_| {
                self.schemas.intern(Target {
                    doc: owner.doc,
                    pointer: format!("{}/content/{}/schema", owner.pointer, escape(media)),
                })
            });
            out.insert(media.to_ascii_lowercase(), schema);
        }
        out
    }

    fn request_body(&mut self, op: &Target, value: &'a Value) -> Option<RequestBody> {
        let target = Target {
            doc: op.doc,
            pointer: format!("{}/requestBody", op.pointer),
        };
        let (target, value) = self.follow(target, value)?;
        let content = self.content(&target, value.get("content"));
        Some(RequestBody {
            required: value.get("required").and_then(Value::as_bool) == Some(true),
            content,
            pointer: target.pointer,
        })
    }

    fn responses(&mut self, op: &Target, value: Option<&'a Value>) -> BTreeMap<String, Response> {
        let mut out = BTreeMap::new();
        let pointer = format!("{}/responses", op.pointer);
        let Some(value) = value else {
            return out;
        };
        let Value::Object(map) = value else {
            self.problem(
                op.doc,
                &pointer,
                "an object of responses by status",
                describe(value),
            );
            return out;
        };
        for (status, response) in map {
            if status.starts_with("x-") {
                continue;
            }
            let target = Target {
                doc: op.doc,
                pointer: format!("{pointer}/{}", escape(status)),
            };
            let valid_status = status == "default"
                || (status.len() == 3
                    && status.as_bytes()[0].is_ascii_digit()
                    && (status[1..].bytes().all(|b| b.is_ascii_digit())
                        || status[1..].eq_ignore_ascii_case("XX")));
            if !valid_status {
                self.problem(
                    target.doc,
                    &target.pointer,
                    "a status code (200), a range (2XX) or default",
                    format!("the key {status:?}"),
                );
                continue;
            }
            let Some((target, response)) = self.follow(target, response) else {
                continue;
            };
            let content = self.content(&target, response.get("content"));
            let mut headers = BTreeMap::new();
            if let Some(Value::Object(hs)) = response.get("headers") {
                for (name, header) in hs {
                    let ht = Target {
                        doc: target.doc,
                        pointer: format!("{}/headers/{}", target.pointer, escape(name)),
                    };
                    let Some((ht, header)) = self.follow(ht, header) else {
                        continue;
                    };
                    let schema = header.get("schema").map(|_| {
                        self.schemas.intern(Target {
                            doc: ht.doc,
                            pointer: format!("{}/schema", ht.pointer),
                        })
                    });
                    headers.insert(
                        name.to_ascii_lowercase(),
                        ResponseHeader {
                            required: header.get("required").and_then(Value::as_bool) == Some(true),
                            deprecated: header.get("deprecated").and_then(Value::as_bool)
                                == Some(true),
                            schema,
                        },
                    );
                }
            }
            out.insert(
                status.to_ascii_uppercase(),
                Response {
                    content,
                    headers,
                    pointer: target.pointer,
                },
            );
        }
        out
    }

    fn operation_errors(&mut self, op: &Target, value: Option<&Value>) -> Vec<String> {
        let Some(value) = value else {
            return Vec::new();
        };
        let pointer = format!("{}/x-vow-errors", op.pointer);
        let Value::Array(codes) = value else {
            self.problem(
                op.doc,
                &pointer,
                "a list of error codes from the catalogue",
                describe(value),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, code) in codes.iter().enumerate() {
            let Some(code) = code.as_str() else {
                self.problem(
                    op.doc,
                    &format!("{pointer}/{i}"),
                    "an error code",
                    describe(code),
                );
                continue;
            };
            if self.broken_codes.contains(code) {
                continue;
            }
            if !self.catalogue.contains_key(code) {
                let hint = self
                    .catalogue
                    .keys()
                    .map(|k| (strsim::jaro_winkler(k, code), k))
                    .filter(|(s, _)| *s > 0.8)
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, k)| format!("did you mean {k:?}?"))
                    .or_else(|| {
                        Some("declare it in the top-level x-vow-errors catalogue".to_owned())
                    });
                self.problems.push(self.docs.problem(
                    op.doc,
                    &format!("{pointer}/{i}"),
                    "a code declared in the top-level x-vow-errors catalogue",
                    format!("the undeclared code {code:?}"),
                    hint,
                ));
                continue;
            }
            out.push(code.to_owned());
        }
        out
    }

    fn latency(&mut self, op: &Target, value: &Value) -> Option<LatencyEnvelope> {
        let pointer = format!("{}/x-vow-latency", op.pointer);
        let Value::Object(map) = value else {
            self.problem(
                op.doc,
                &pointer,
                "an object {p50, p95, p99}",
                describe(value),
            );
            return None;
        };
        let mut envelope = LatencyEnvelope::default();
        for (key, value) in map {
            let slot = match key.as_str() {
                "p50" => &mut envelope.p50,
                "p95" => &mut envelope.p95,
                "p99" => &mut envelope.p99,
                _ => {
                    self.problem(
                        op.doc,
                        &format!("{pointer}/{}", escape(key)),
                        "p50, p95 or p99",
                        format!("the key {key:?}"),
                    );
                    continue;
                }
            };
            match read_duration(value) {
                Some(d) => *slot = Some(d),
                None => self.problem(
                    op.doc,
                    &format!("{pointer}/{key}"),
                    "a duration such as \"250ms\" or \"1.5s\", or a number of milliseconds",
                    describe(value),
                ),
            }
        }
        let stated: Vec<Duration> = [envelope.p50, envelope.p95, envelope.p99]
            .into_iter()
            .flatten()
            .collect();
        if stated.windows(2).any(|w| w[0] > w[1]) {
            self.problem(
                op.doc,
                &pointer,
                "percentiles that do not decrease (p50 ≤ p95 ≤ p99)",
                "a higher percentile below a lower one".to_owned(),
            );
        }
        Some(envelope)
    }
}

/// A duration: humantime text (`250ms`, `1.5s`) or a number of milliseconds.
fn read_duration(value: &Value) -> Option<Duration> {
    match value {
        Value::Number(n) => n
            .as_f64()
            .filter(|f| f.is_finite() && *f >= 0.0)
            .map(|ms| Duration::from_secs_f64(ms / 1000.0)),
        Value::String(s) => {
            let s = s.trim();
            if let Some(secs) = s.strip_suffix('s').filter(|r| !r.ends_with('m'))
                && let Ok(f) = secs.parse::<f64>()
                && f.is_finite()
                && f >= 0.0
            {
                return Some(Duration::from_secs_f64(f));
            }
            humantime::parse_duration(s).ok()
        }
        _ => None,
    }
}

/// `x-sunset`: a date (`2027-06-30`) or an RFC 3339 date-time (its UTC date counts).
pub fn read_sunset(value: &Value) -> Result<NaiveDate, (String, String)> {
    let expected = "a date such as 2027-06-30, or an RFC 3339 date-time".to_owned();
    let Value::String(text) = value else {
        return Err((expected, describe(value)));
    };
    let text = text.trim();
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date);
    }
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(dt.with_timezone(&chrono::Utc).date_naive());
    }
    Err((expected, format!("the string {text:?}")))
}

/// The base paths of a `servers` list: the path of each URL, with variables at their defaults.
/// `None` when there is no list (the caller uses the enclosing level's).
fn base_paths(servers: Option<&Value>) -> Option<Vec<String>> {
    let Value::Array(list) = servers? else {
        return None;
    };
    if list.is_empty() {
        return None;
    }
    let mut out: Vec<String> = list
        .iter()
        .filter_map(|server| {
            let mut url = server.get("url")?.as_str()?.to_owned();
            if let Some(Value::Object(vars)) = server.get("variables") {
                for (name, var) in vars {
                    let default = var
                        .get("default")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    url = url.replace(&format!("{{{name}}}"), default);
                }
            }
            let path = match url.find("://") {
                Some(i) => url[i + 3..].find('/').map_or("", |j| &url[i + 3 + j..]),
                None => url.as_str(),
            };
            let path = path.split(['?', '#']).next().unwrap_or_default();
            Some(path.trim_end_matches('/').to_owned())
        })
        .collect();
    out.sort();
    out.dedup();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sunset_accepts_dates_and_datetimes() {
        assert_eq!(
            read_sunset(&Value::from("2027-06-30")),
            Ok(NaiveDate::from_ymd_opt(2027, 6, 30).unwrap())
        );
        assert_eq!(
            read_sunset(&Value::from("2027-06-30T23:30:00-02:00")),
            Ok(NaiveDate::from_ymd_opt(2027, 7, 1).unwrap())
        );
        assert!(read_sunset(&Value::from("next summer")).is_err());
        assert!(read_sunset(&Value::from(20270630)).is_err());
    }

    #[test]
    fn durations_read_text_and_milliseconds() {
        assert_eq!(
            read_duration(&Value::from("250ms")),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            read_duration(&Value::from("1.5s")),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            read_duration(&Value::from(40)),
            Some(Duration::from_millis(40))
        );
        assert_eq!(read_duration(&Value::from("soon")), None);
    }

    #[test]
    fn base_paths_come_from_server_urls() {
        let servers = serde_json::json!([
            {"url": "https://api.example.com/v1/"},
            {"url": "/v1"},
            {"url": "{scheme}://h/{base}", "variables": {"scheme": {"default": "https"}, "base": {"default": "api"}}}
        ]);
        assert_eq!(
            base_paths(Some(&servers)),
            Some(vec!["/api".to_owned(), "/v1".to_owned()])
        );
        assert_eq!(
            base_paths(Some(&serde_json::json!([{"url": "https://h"}]))),
            Some(vec![String::new()])
        );
    }
}
