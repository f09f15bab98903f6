//! The example provider spec (`specs/shop-api.yaml`) against the example contracts in `contracts/`:
//! both spec versions load without problems; every interaction resolves to an operation that
//! declares its status, its handled errors are in the catalogue with the same status and a
//! compatible kind, its scopes satisfy a security alternative, its timeout covers the latency
//! envelope, its deprecations are the spec's, and the fields it reads are always sent. Recorded
//! answers of the example provider validate against the spec. `specs/shop-api.v2.yaml` must break
//! exactly the interactions its header comment lists.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use vow_core::contract::source::read_source;
use vow_core::contract::{
    BodyExpectation, Contract, Interaction, PathSegment, SourceFormat, parse_contract,
};
use vow_core::spec::{
    ErrorKind, Lookup, Operation, ParameterIn, SchemaId, Spec, Stability, TypeSet, parse_spec,
};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(relative: &str) -> String {
    let path = repo_root().join(relative);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn load_spec(relative: &str) -> Spec {
    parse_spec(relative, &read(relative), SourceFormat::Yaml)
        .unwrap_or_else(|e| panic!("{relative} does not load:\n{e}"))
}

fn spec_v1() -> Spec {
    load_spec("specs/shop-api.yaml")
}

fn spec_v2() -> Spec {
    load_spec("specs/shop-api.v2.yaml")
}

/// Every contract in `contracts/`, by file name, in name order.
fn contracts() -> Vec<(String, Contract)> {
    let mut names: Vec<String> = fs::read_dir(repo_root().join("contracts"))
        .expect("contracts/ exists")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml") || n.ends_with(".json"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 3, "the example contracts changed: {names:?}");
    names
        .into_iter()
        .map(|name| {
            let origin = format!("contracts/{name}");
            let ext = name.rsplit('.').next().unwrap_or_default();
            let format = SourceFormat::from_extension(ext).expect("a contract extension");
            let contract = parse_contract(&origin, &read(&origin), format)
                .unwrap_or_else(|e| panic!("{origin} does not load: {e:?}"));
            (origin, contract)
        })
        .collect()
}

fn operation<'s>(spec: &'s Spec, interaction: &Interaction) -> Option<&'s Operation> {
    match spec.lookup(
        interaction.request.method.as_str(),
        &interaction.request.path,
    ) {
        Lookup::Found { operation, .. } => Some(&spec.operations[operation]),
        _ => None,
    }
}

fn operation_by_id<'s>(spec: &'s Spec, id: &str) -> &'s Operation {
    spec.operations
        .iter()
        .find(|op| op.operation_id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no operation {id}"))
}

/// The JSON schema of the response to `status`: `application/json` or `application/problem+json`.
fn json_schema_of(op: &Operation, status: u16) -> Option<SchemaId> {
    let (_, response) = op.response_for(status)?;
    ["application/json", "application/problem+json"]
        .iter()
        .find_map(|media| response.content.get(*media).copied().flatten())
}

// ---------------------------------------------------------------------------------------------
// Walking the spec's schema model
// ---------------------------------------------------------------------------------------------

/// `id` and every schema its `allOf` reaches (all of them apply).
fn all_of_closure(spec: &Spec, id: SchemaId) -> Vec<SchemaId> {
    let mut out = Vec::new();
    let mut stack = vec![id];
    while let Some(next) = stack.pop() {
        if out.contains(&next) {
            continue;
        }
        out.push(next);
        stack.extend(spec.schemas.get(next).all_of.iter().copied());
    }
    out
}

/// Where a member of an object schema is found.
#[derive(Debug)]
enum Member {
    /// A declared property: its schemas (from every `allOf` branch that declares it) and whether
    /// it is always sent.
    Property {
        schemas: Vec<SchemaId>,
        required: bool,
    },
    /// A value of a map (`additionalProperties`): its key is data, not a field.
    MapValue,
    Missing,
}

fn member(spec: &Spec, id: SchemaId, name: &str) -> Member {
    let closure = all_of_closure(spec, id);
    let mut schemas = Vec::new();
    let mut required = false;
    let mut map_value = None;
    for &s in &closure {
        let node = spec.schemas.get(s);
        if let Some(&p) = node.properties.get(name) {
            schemas.push(p);
        }
        required |= node.required.contains(name);
        if map_value.is_none() {
            map_value = node.additional.filter(|a| !spec.schemas.get(*a).never);
        }
    }
    // A `oneOf` / `anyOf` member is sent only if every branch has it.
    for &s in &closure {
        let node = spec.schemas.get(s);
        for branches in [&node.one_of, &node.any_of] {
            if branches.is_empty() {
                continue;
            }
            let found: Vec<Member> = branches.iter().map(|b| member(spec, *b, name)).collect();
            if found.iter().all(|m| matches!(m, Member::Property { .. })) {
                let mut all_required = true;
                for m in found {
                    if let Member::Property {
                        schemas: s,
                        required: r,
                    } = m
                    {
                        schemas.extend(s);
                        all_required &= r;
                    }
                }
                required |= all_required;
            }
        }
    }
    if !schemas.is_empty() {
        Member::Property { schemas, required }
    } else if map_value.is_some() {
        Member::MapValue
    } else {
        Member::Missing
    }
}

/// The schema of an array's elements.
fn element(spec: &Spec, id: SchemaId) -> Option<SchemaId> {
    all_of_closure(spec, id).into_iter().find_map(|s| {
        let node = spec.schemas.get(s);
        node.items.or_else(|| {
            // A one-branch oneOf/anyOf around an array.
            match (node.one_of.as_slice(), node.any_of.as_slice()) {
                ([only], _) | (_, [only]) => element(spec, *only),
                _ => None,
            }
        })
    })
}

/// The JSON types a schema allows (`None`: any).
fn types_of(spec: &Spec, id: SchemaId) -> Option<TypeSet> {
    let mut types: Option<TypeSet> = None;
    let mut narrow = |t: TypeSet| {
        types = Some(match types {
            Some(prev) => prev.intersect(t),
            None => t,
        });
    };
    for s in all_of_closure(spec, id) {
        let node = spec.schemas.get(s);
        if let Some(t) = node.types {
            narrow(t);
        }
        for branches in [&node.one_of, &node.any_of] {
            if branches.is_empty() {
                continue;
            }
            let union = branches.iter().try_fold(TypeSet::default(), |acc, b| {
                types_of(spec, *b).map(|t| acc.union(t))
            });
            if let Some(t) = union {
                narrow(t);
            }
        }
    }
    types
}

/// Whether any schema that applies marks the member deprecated.
fn deprecated(spec: &Spec, schemas: &[SchemaId]) -> bool {
    schemas
        .iter()
        .flat_map(|s| all_of_closure(spec, *s))
        .any(|s| spec.schemas.get(s).deprecated)
}

/// What a consumer reads at one body location, and what the spec says about it there.
enum Read {
    Field {
        schemas: Vec<SchemaId>,
        deprecated: bool,
    },
    MapValue,
}

/// Follows `path` (member names; `*` for array elements) from `root`. `Err` says why the spec does
/// not promise the location is always sent.
fn follow(spec: &Spec, root: SchemaId, path: &[String]) -> Result<Read, String> {
    let mut current = vec![root];
    let mut last = Read::Field {
        schemas: vec![root],
        deprecated: false,
    };
    for (depth, segment) in path.iter().enumerate() {
        let at = format!("/{}", path[..=depth].join("/"));
        let Some(&here) = current.first() else {
            return Err(format!("{at}: nothing to read"));
        };
        if segment == "*" {
            match element(spec, here) {
                Some(e) => current = vec![e],
                None => return Err(format!("{at}: not an array in the spec")),
            }
            last = Read::Field {
                schemas: current.clone(),
                deprecated: false,
            };
            continue;
        }
        match member(spec, here, segment) {
            Member::Property { schemas, required } => {
                if !required {
                    return Err(format!("{at}: not always sent (not required in the spec)"));
                }
                last = Read::Field {
                    deprecated: deprecated(spec, &schemas),
                    schemas: schemas.clone(),
                };
                current = schemas;
            }
            // The keys of a map are data: nothing below is promised field by field.
            Member::MapValue => return Ok(Read::MapValue),
            Member::Missing => return Err(format!("{at}: not in the spec's response schema")),
        }
    }
    Ok(last)
}

// ---------------------------------------------------------------------------------------------
// What a consumer reads from a response body
// ---------------------------------------------------------------------------------------------

/// The body locations an interaction reads, each with the example value there (if any).
fn read_locations(interaction: &Interaction) -> BTreeMap<Vec<String>, Option<Value>> {
    let mut out = BTreeMap::new();
    match &interaction.response.body {
        None => {}
        Some(BodyExpectation::Example { example, rules, .. }) => {
            if let Some(example) = example {
                collect_example(example, &mut Vec::new(), &mut out);
            }
            for rule in rules {
                let path: Vec<String> = rule
                    .path
                    .segments
                    .iter()
                    .map(|s| match s {
                        PathSegment::Any => "*".to_owned(),
                        PathSegment::Key(k) => k.clone(),
                    })
                    .collect();
                if !path.is_empty() {
                    out.entry(path).or_insert(None);
                }
            }
        }
        Some(BodyExpectation::Schema { schema, .. }) => {
            collect_required(schema, &mut Vec::new(), &mut out);
        }
    }
    out
}

fn collect_example(
    value: &Value,
    at: &mut Vec<String>,
    out: &mut BTreeMap<Vec<String>, Option<Value>>,
) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                at.push(k.clone());
                out.insert(at.clone(), Some(v.clone()));
                collect_example(v, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for v in items {
                at.push("*".to_owned());
                collect_example(v, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

/// The members a consumer's own JSON Schema requires: those it relies on being sent.
fn collect_required(
    schema: &Value,
    at: &mut Vec<String>,
    out: &mut BTreeMap<Vec<String>, Option<Value>>,
) {
    let required = schema.get("required").and_then(Value::as_array);
    let properties = schema.get("properties").and_then(Value::as_object);
    if let (Some(required), Some(properties)) = (required, properties) {
        for name in required.iter().filter_map(Value::as_str) {
            at.push(name.to_owned());
            out.insert(at.clone(), None);
            if let Some(sub) = properties.get(name) {
                collect_required(sub, at, out);
            }
            at.pop();
        }
    }
    if let Some(items) = schema.get("items").filter(|i| i.is_object()) {
        at.push("*".to_owned());
        collect_required(items, at, out);
        at.pop();
    }
}

// ---------------------------------------------------------------------------------------------
// Judging one interaction against a spec
// ---------------------------------------------------------------------------------------------

/// Why a spec does not serve an interaction: a kind (stable, for comparing sets) and a detail.
type Breaks = Vec<(&'static str, String)>;

fn judge(spec: &Spec, contract: &Contract, interaction: &Interaction) -> Breaks {
    let mut breaks: Breaks = Vec::new();
    let request = &interaction.request;
    let Some(op) = operation(spec, interaction) else {
        let found = spec.lookup(request.method.as_str(), &request.path);
        breaks.push((
            "unresolved",
            format!("{} {}: {found:?}", request.method.as_str(), request.path),
        ));
        return breaks;
    };
    let statements = contract.effective(interaction);
    let status = interaction.response.status;

    // Request: query parameters sent are declared; required ones are sent; a required body is sent.
    for name in request.query.keys() {
        if op.parameter(ParameterIn::Query, name).is_none() {
            breaks.push(("query-undeclared", name.clone()));
        }
    }
    for p in &op.parameters {
        if p.required && p.location == ParameterIn::Query && !request.query.contains_key(&p.name) {
            breaks.push(("query-required", p.name.clone()));
        }
    }
    if op.request_body.as_ref().is_some_and(|b| b.required) && request.body.is_none() {
        breaks.push(("body-required", op.label()));
    }

    // Status and the expected error.
    match op.response_for(status) {
        Some((key, _)) if key == status.to_string() => {}
        Some((key, _)) => breaks.push(("status-not-exact", format!("{status} only as {key}"))),
        None => breaks.push(("status-undeclared", status.to_string())),
    }
    if let Some(code) = &interaction.response.error
        && !op.errors.contains(code)
    {
        breaks.push(("error-not-listed", code.clone()));
    }

    // Errors the consumer handles.
    if let Some(errors) = &statements.errors {
        if errors.code_pointer != spec.error_code_pointer {
            breaks.push(("code-pointer", errors.code_pointer.clone()));
        }
        for handled in &errors.handles {
            let Some(entry) = spec.errors.get(&handled.code) else {
                breaks.push(("error-unknown", handled.code.clone()));
                continue;
            };
            if entry.status != handled.status {
                breaks.push((
                    "error-status",
                    format!(
                        "{}: {} in the spec, {} in the contract",
                        handled.code, entry.status, handled.status
                    ),
                ));
            }
            if handled.retry && (entry.kind != ErrorKind::Retryable || !entry.retry_after) {
                breaks.push((
                    "error-retried",
                    format!(
                        "{} is {} (Retry-After: {})",
                        handled.code, entry.kind, entry.retry_after
                    ),
                ));
            }
            // Where the operation can answer the code, it says so with the right media type.
            if op.errors.contains(&handled.code) && handled.problem_json {
                let problem = op
                    .response_for(entry.status)
                    .is_some_and(|(_, r)| r.content.contains_key("application/problem+json"));
                if !problem {
                    breaks.push(("error-not-problem-json", handled.code.clone()));
                }
            }
        }
    }

    // Auth: the held scopes satisfy one alternative; probes need an operation that refuses.
    if let Some(auth) = &statements.auth {
        let held: BTreeSet<&str> = auth.scopes.iter().map(String::as_str).collect();
        let satisfied = op.security.is_empty()
            || op.security.iter().any(|requirement| {
                requirement.iter().all(|(scheme, scopes)| {
                    spec.security_schemes.contains_key(scheme)
                        && scopes.iter().all(|s| held.contains(s.as_str()))
                })
            });
        if !satisfied {
            breaks.push((
                "scopes",
                format!("holds {held:?}, needs one of {:?}", op.security),
            ));
        }
        let open = op.security.is_empty() || op.security.iter().any(|r| r.is_empty());
        if auth.probes && open {
            breaks.push(("probes-on-open-operation", op.label()));
        }
    }

    // Latency: the envelope fits in one attempt's timeout, at the stated percentile and at p99.
    if let Some(latency) = &statements.latency {
        match op.latency {
            None => breaks.push(("latency-unstated", op.label())),
            Some(envelope) => {
                let p99 = envelope.p99.unwrap_or(Duration::MAX);
                if p99 >= latency.timeout {
                    breaks.push((
                        "latency",
                        format!("p99 {p99:?} ≥ timeout {:?}", latency.timeout),
                    ));
                }
                if let Some((p, bound)) = envelope.at(latency.percentile)
                    && bound >= latency.timeout
                {
                    breaks.push((
                        "latency",
                        format!("p{p} {bound:?} ≥ timeout {:?}", latency.timeout),
                    ));
                }
            }
        }
    }

    // Deprecation: the operation's.
    let stated = statements.deprecation.as_ref();
    if op.deprecated && !stated.is_some_and(|d| d.operation) {
        breaks.push(("deprecation-unacknowledged", op.label()));
    }
    if let (Some(sunset), Some(plan)) = (op.sunset, stated.and_then(|d| d.sunset))
        && stated.is_some_and(|d| d.operation)
        && sunset < plan
    {
        breaks.push(("sunset-before-plan", format!("{sunset} < {plan}")));
    }

    // Body: every location read is always sent, with a type the example agrees with; deprecated
    // fields are the ones the consumer knows about.
    let locations = read_locations(interaction);
    if locations.is_empty() {
        return breaks;
    }
    let Some(root) = json_schema_of(op, status) else {
        breaks.push(("body-undeclared", format!("{} {status}", op.label())));
        return breaks;
    };
    let known: BTreeSet<&str> = stated
        .map(|d| d.fields.iter().map(String::as_str).collect())
        .unwrap_or_default();
    for (path, example) in &locations {
        let pointer = format!("/{}", path.join("/"));
        match follow(spec, root, path) {
            Err(why) => breaks.push(("field", why)),
            Ok(Read::MapValue) => {}
            Ok(Read::Field {
                schemas,
                deprecated,
            }) => {
                if deprecated && !known.contains(pointer.as_str()) {
                    breaks.push(("field-deprecated-unacknowledged", pointer.clone()));
                }
                if !deprecated && known.contains(pointer.as_str()) {
                    breaks.push(("field-not-deprecated", pointer.clone()));
                }
                let Some(example) = example else { continue };
                if example.is_object() || example.is_array() {
                    continue;
                }
                for s in &schemas {
                    if let Some(types) = types_of(spec, *s)
                        && !types.admits(example)
                    {
                        breaks.push((
                            "field-type",
                            format!("{pointer}: {example} is not {}", types.describe()),
                        ));
                    }
                    for c in all_of_closure(spec, *s) {
                        if let Some(values) = &spec.schemas.get(c).enumeration
                            && !values.contains(example)
                        {
                            breaks.push((
                                "field-value",
                                format!("{pointer}: {example} not in {values:?}"),
                            ));
                        }
                    }
                }
            }
        }
    }
    // A deprecated field the consumer says it reads must exist.
    for field in &known {
        let path: Vec<String> = field
            .trim_start_matches('/')
            .split('/')
            .map(str::to_owned)
            .collect();
        if !locations.contains_key(&path) && follow(spec, root, &path).is_err() {
            breaks.push(("deprecated-field-missing", (*field).to_owned()));
        }
    }
    breaks
}

/// Every break of every interaction, as `consumer interaction kind`.
fn all_breaks(spec: &Spec) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (_, contract) in contracts() {
        for interaction in &contract.interactions {
            for (kind, detail) in judge(spec, &contract, interaction) {
                out.entry(format!("{} {} {kind}", contract.consumer, interaction.id))
                    .or_default()
                    .push(detail);
            }
        }
    }
    out
}

fn assert_no_breaks(spec: &Spec, kinds: &[&str]) {
    let breaks: Vec<String> = all_breaks(spec)
        .into_iter()
        .filter(|(key, _)| kinds.iter().any(|k| key.ends_with(&format!(" {k}"))))
        .map(|(key, details)| format!("{key}: {}", details.join("; ")))
        .collect();
    assert!(
        breaks.is_empty(),
        "specs/shop-api.yaml does not serve the contracts:\n{}",
        breaks.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// shop-api.yaml 1.0.0
// ---------------------------------------------------------------------------------------------

#[test]
fn both_specs_load_without_problems() {
    for (spec, version, operations) in [(spec_v1(), "1.0.0", 9), (spec_v2(), "2.0.0", 8)] {
        assert_eq!(spec.openapi, "3.1.0");
        assert_eq!(
            (spec.title.as_str(), spec.api_version.as_str()),
            ("shop-api", version)
        );
        assert_eq!(spec.operations.len(), operations, "{version}");
        assert_eq!(spec.error_code_pointer, "/code");
        assert_eq!(spec.errors.len(), 20, "{version}");
        assert_eq!(spec.security_schemes["shopAuth"].kind, "oauth2");
        for op in &spec.operations {
            assert_eq!(op.base_paths, [""], "{}", op.label());
            assert_eq!(op.stability, Some(Stability::Stable), "{}", op.label());
            let latency = op
                .latency
                .unwrap_or_else(|| panic!("{} states no latency", op.label()));
            assert!(latency.p50.is_some() && latency.p95.is_some() && latency.p99.is_some());
        }
    }
}

#[test]
fn the_spec_lists_every_operation_of_the_provider_with_its_one_scope() {
    // Read off crates/vow-example-provider/src/operation.rs (routes and `required_scope`).
    let expected = [
        ("POST", "/carts", "createCart", Some("cart:write")),
        ("GET", "/carts/{cartId}", "getCart", Some("cart:read")),
        (
            "GET",
            "/carts/{cartId}/summary",
            "getCartSummary",
            Some("cart:read"),
        ),
        (
            "POST",
            "/carts/{cartId}/items",
            "addCartItem",
            Some("cart:write"),
        ),
        (
            "DELETE",
            "/carts/{cartId}/items/{sku}",
            "removeCartItem",
            Some("cart:write"),
        ),
        ("GET", "/prices/{sku}", "getPrice", Some("catalogue:read")),
        (
            "GET",
            "/inventory/{sku}",
            "getInventory",
            Some("inventory:read"),
        ),
        (
            "POST",
            "/payments",
            "authorizePayment",
            Some("payments:create"),
        ),
        ("GET", "/healthz", "getHealth", None),
    ];
    let spec = spec_v1();
    let actual: BTreeSet<(String, String)> = spec
        .operations
        .iter()
        .map(|op| (op.method.clone(), op.path.clone()))
        .collect();
    let wanted: BTreeSet<(String, String)> = expected
        .iter()
        .map(|(m, p, ..)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(actual, wanted);
    for (method, path, id, scope) in expected {
        let op = operation_by_id(&spec, id);
        assert_eq!((op.method.as_str(), op.path.as_str()), (method, path));
        match scope {
            None => assert!(op.security.is_empty(), "{id} is open"),
            Some(scope) => {
                assert_eq!(op.security.len(), 1, "{id}: one requirement");
                let scopes: Vec<&str> = op.security[0]["shopAuth"]
                    .iter()
                    .map(String::as_str)
                    .collect();
                assert_eq!(scopes, [scope], "{id}");
                // Every operation that needs a token answers the four access errors.
                for code in [
                    "unauthenticated",
                    "invalid_token",
                    "insufficient_scope",
                    "rate_limited",
                ] {
                    assert!(op.errors.iter().any(|c| c == code), "{id} lacks {code}");
                }
                for status in [401, 403, 429] {
                    let (key, response) = op.response_for(status).expect("declared");
                    assert_eq!(key, status.to_string(), "{id}");
                    assert!(
                        response.content.contains_key("application/problem+json"),
                        "{id} {status}"
                    );
                }
                assert!(op.response_for(429).unwrap().1.headers["retry-after"].required);
                assert!(op.response_for(401).unwrap().1.headers["www-authenticate"].required);
            }
        }
        // Every listed code's status is a declared response of the operation.
        for code in &op.errors {
            let status = spec.errors[code].status;
            assert!(
                op.response_for(status)
                    .is_some_and(|(k, _)| k == status.to_string()),
                "{id} {code}"
            );
        }
    }
}

#[test]
fn the_error_catalogue_classifies_every_provider_code() {
    // crates/vow-example-provider/src/problem.rs: code → status, and whether Retry-After is sent.
    let expected: [(&str, u16, ErrorKind, bool); 20] = [
        ("invalid_body", 400, ErrorKind::Terminal, false),
        ("unauthenticated", 401, ErrorKind::Terminal, false),
        ("invalid_token", 401, ErrorKind::OperatorAction, false),
        ("card_declined", 402, ErrorKind::Terminal, false),
        ("insufficient_scope", 403, ErrorKind::OperatorAction, false),
        ("cart_not_found", 404, ErrorKind::Terminal, false),
        ("item_not_found", 404, ErrorKind::Terminal, false),
        ("sku_not_found", 404, ErrorKind::Terminal, false),
        ("price_not_found", 404, ErrorKind::Terminal, false),
        ("not_found", 404, ErrorKind::Terminal, false),
        ("insufficient_stock", 409, ErrorKind::Terminal, false),
        ("cart_checked_out", 409, ErrorKind::Terminal, false),
        ("cart_empty", 409, ErrorKind::Terminal, false),
        ("unsupported_currency", 422, ErrorKind::Terminal, false),
        ("invalid_quantity", 422, ErrorKind::Terminal, false),
        ("amount_mismatch", 422, ErrorKind::Terminal, false),
        (
            "unsupported_payment_method",
            422,
            ErrorKind::Terminal,
            false,
        ),
        ("rate_limited", 429, ErrorKind::Retryable, true),
        ("processor_unavailable", 503, ErrorKind::Retryable, true),
        ("shutting_down", 503, ErrorKind::Retryable, false),
    ];
    let spec = spec_v1();
    let codes: BTreeSet<&str> = spec.errors.keys().map(String::as_str).collect();
    assert_eq!(codes, expected.iter().map(|e| e.0).collect());
    for (code, status, kind, retry_after) in expected {
        let entry = &spec.errors[code];
        assert_eq!(
            (entry.status, entry.kind, entry.retry_after),
            (status, kind, retry_after),
            "{code}"
        );
    }
}

#[test]
fn every_interaction_resolves_to_an_operation_that_declares_its_status() {
    let spec = spec_v1();
    let mut resolved = 0;
    for (origin, contract) in contracts() {
        for interaction in &contract.interactions {
            let request = &interaction.request;
            let Lookup::Found { operation, params } =
                spec.lookup(request.method.as_str(), &request.path)
            else {
                panic!(
                    "{origin} {}: {} {} resolves to no operation",
                    interaction.id,
                    request.method.as_str(),
                    request.path
                );
            };
            let op = &spec.operations[operation];
            let status = interaction.response.status;
            let (key, _) = op.response_for(status).unwrap_or_else(|| {
                panic!(
                    "{origin} {}: {} declares no {status}",
                    interaction.id,
                    op.label()
                )
            });
            assert_eq!(
                key,
                status.to_string(),
                "{origin} {}: {status} only as {key}",
                interaction.id
            );
            // Path parameters are the operation's, with the values the contract sends.
            for (name, value) in &params {
                let p = op
                    .parameter(ParameterIn::Path, name)
                    .expect("a declared path parameter");
                assert!(
                    p.required && !value.is_empty(),
                    "{origin} {}",
                    interaction.id
                );
            }
            if let Some(code) = &interaction.response.error {
                assert!(
                    op.errors.contains(code),
                    "{origin} {}: {} does not list {code}",
                    interaction.id,
                    op.label()
                );
                assert_eq!(
                    spec.errors[code].status, status,
                    "{origin} {}",
                    interaction.id
                );
            }
            resolved += 1;
        }
    }
    assert_eq!(resolved, 19, "the example contracts hold 19 interactions");
    assert_no_breaks(
        &spec,
        &[
            "unresolved",
            "status-not-exact",
            "status-undeclared",
            "error-not-listed",
            "query-undeclared",
            "query-required",
            "body-required",
        ],
    );
}

#[test]
fn handled_errors_are_in_the_catalogue_with_the_same_status_and_retried_ones_are_retryable() {
    let spec = spec_v1();
    let mut handled = 0;
    for (origin, contract) in contracts() {
        for interaction in &contract.interactions {
            let Some(errors) = contract.effective(interaction).errors else {
                continue;
            };
            for h in &errors.handles {
                let entry = spec.errors.get(&h.code).unwrap_or_else(|| {
                    panic!(
                        "{origin} {}: {} is not in the catalogue",
                        interaction.id, h.code
                    )
                });
                assert_eq!(
                    entry.status, h.status,
                    "{origin} {}: {}",
                    interaction.id, h.code
                );
                handled += 1;
            }
        }
    }
    assert!(handled > 40, "only {handled} handled errors seen");
    assert_no_breaks(
        &spec,
        &[
            "code-pointer",
            "error-unknown",
            "error-status",
            "error-retried",
            "error-not-problem-json",
        ],
    );
}

#[test]
fn held_scopes_satisfy_one_security_alternative() {
    let spec = spec_v1();
    for (origin, contract) in contracts() {
        for interaction in &contract.interactions {
            let auth = contract
                .effective(interaction)
                .auth
                .unwrap_or_else(|| panic!("{origin} {}: no auth block", interaction.id));
            let op = operation(&spec, interaction).expect("resolves");
            assert!(
                !op.security.is_empty(),
                "{origin} {}: {} is open",
                interaction.id,
                op.label()
            );
            let ok = op.security.iter().any(|alternative| {
                alternative.iter().all(|(scheme, scopes)| {
                    spec.security_schemes.contains_key(scheme)
                        && scopes.iter().all(|s| auth.scopes.contains(s))
                })
            });
            assert!(
                ok,
                "{origin} {}: scopes {:?} satisfy none of {:?}",
                interaction.id, auth.scopes, op.security
            );
        }
    }
    assert_no_breaks(&spec, &["scopes", "probes-on-open-operation"]);
}

#[test]
fn timeouts_cover_the_latency_envelopes_and_deprecations_agree() {
    let spec = spec_v1();
    assert_no_breaks(
        &spec,
        &[
            "latency",
            "latency-unstated",
            "deprecation-unacknowledged",
            "sunset-before-plan",
        ],
    );
    let summary = operation_by_id(&spec, "getCartSummary");
    assert!(summary.deprecated);
    assert_eq!(summary.sunset, chrono::NaiveDate::from_ymd_opt(2027, 6, 30));
    let deprecated: Vec<&str> = spec
        .operations
        .iter()
        .filter(|op| op.deprecated)
        .filter_map(|op| op.operation_id.as_deref())
        .collect();
    assert_eq!(deprecated, ["getCartSummary"]);
    for status in [200, 404] {
        let headers = &summary.response_for(status).unwrap().1.headers;
        for name in ["deprecation", "sunset", "link"] {
            assert!(
                headers.get(name).is_some_and(|h| h.required),
                "{status} {name}"
            );
        }
    }
}

#[test]
fn fields_consumers_read_are_always_sent_with_their_types_and_deprecations() {
    let spec = spec_v1();
    assert_no_breaks(
        &spec,
        &[
            "field",
            "field-type",
            "field-value",
            "field-deprecated-unacknowledged",
            "field-not-deprecated",
            "deprecated-field-missing",
            "body-undeclared",
        ],
    );
    // The deprecated fields are exactly the two the provider keeps for old clients.
    let cart = json_schema_of(operation_by_id(&spec, "getCart"), 200).unwrap();
    let price = json_schema_of(operation_by_id(&spec, "getPrice"), 200).unwrap();
    let summary = json_schema_of(operation_by_id(&spec, "getCartSummary"), 200).unwrap();
    let is_deprecated = |root, field: &str| match follow(&spec, root, &[field.to_owned()]) {
        Ok(Read::Field { deprecated, .. }) => deprecated,
        _ => panic!("{field} is not always sent"),
    };
    assert!(is_deprecated(cart, "itemCount"));
    assert!(is_deprecated(price, "formatted"));
    assert!(
        !is_deprecated(summary, "itemCount"),
        "a $ref's deprecated sibling stays local"
    );
    assert!(!is_deprecated(cart, "total"));
}

#[test]
fn nothing_at_all_breaks_against_shop_api_1() {
    let breaks = all_breaks(&spec_v1());
    assert!(breaks.is_empty(), "{breaks:#?}");
}

// ---------------------------------------------------------------------------------------------
// Recorded answers of the example provider
// ---------------------------------------------------------------------------------------------

fn problem(code: &str, status: u16, title: &str, detail: &str) -> Value {
    json!({
        "type": format!("https://docs.shop-api.example/problems/{}", code.replace('_', "-")),
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    })
}

/// Answers recorded from `vow-example-provider` (seed data, no faults): operation, status, body.
fn recorded() -> Vec<(&'static str, u16, Value)> {
    vec![
        (
            "getCart",
            200,
            json!({
                "id": "c-1001", "status": "open", "currency": "EUR",
                "items": [
                    {"sku": "SKU-RED-MUG", "name": "Red enamel mug", "quantity": 2, "unitPrice": "12.50"},
                    {"sku": "SKU-OAK-BOARD", "name": "Oak chopping board", "quantity": 1, "unitPrice": "39.90"}
                ],
                "itemCount": 3, "total": "64.90", "createdAt": "2026-11-02T10:00:00Z"
            }),
        ),
        (
            "createCart",
            201,
            json!({
                "id": "c-1002", "status": "open", "currency": "EUR", "items": [], "itemCount": 0,
                "total": "0.00", "createdAt": "2026-11-21T08:22:14Z"
            }),
        ),
        (
            "getCartSummary",
            200,
            json!({"id": "c-1001", "currency": "EUR", "itemCount": 3, "total": "64.90"}),
        ),
        (
            "getPrice",
            200,
            json!({
                "sku": "SKU-RED-MUG", "currency": "GBP", "amount": "10.90", "formatted": "£10.90",
                "validUntil": "2026-11-22T00:00:00Z", "tiers": {"1": "10.90", "10": "9.81", "50": "8.72"}
            }),
        ),
        (
            "getInventory",
            200,
            json!({
                "sku": "SKU-LINEN-APRON", "available": 7,
                "warehouses": [{"code": "AMS1", "available": 4}, {"code": "DUB1", "available": 3}],
                "restockDate": null
            }),
        ),
        (
            "getInventory",
            200,
            json!({
                "sku": "SKU-STEEL-BOTTLE", "available": 0,
                "warehouses": [{"code": "AMS1", "available": 0}, {"code": "DUB1", "available": 0}],
                "restockDate": "2026-12-05"
            }),
        ),
        (
            "authorizePayment",
            201,
            json!({
                "id": "pay_9e3779b97f4a7c15", "status": "authorized", "cartId": "c-1001",
                "amount": "64.90", "currency": "EUR", "authorizedAt": "2026-11-21T08:22:14Z"
            }),
        ),
        (
            "getCart",
            401,
            problem(
                "unauthenticated",
                401,
                "Authentication required",
                "Send a bearer token in the Authorization header.",
            ),
        ),
        (
            "getCart",
            401,
            problem(
                "invalid_token",
                401,
                "Invalid access token",
                "The bearer token is not one shop-api issued.",
            ),
        ),
        (
            "createCart",
            403,
            problem(
                "insufficient_scope",
                403,
                "Insufficient scope",
                "This operation needs the scope cart:write, which the token does not hold.",
            ),
        ),
        (
            "getCartSummary",
            404,
            problem(
                "cart_not_found",
                404,
                "Cart not found",
                "No cart with id c-9.",
            ),
        ),
        (
            "getCartSummary",
            429,
            problem(
                "rate_limited",
                429,
                "Too many requests",
                "This client sent too many requests; retry after the seconds in Retry-After.",
            ),
        ),
        (
            "createCart",
            400,
            problem(
                "invalid_body",
                400,
                "Invalid request body",
                "The body is not the expected JSON: invalid type: integer `5`, expected a string at line 1 column 13.",
            ),
        ),
        (
            "addCartItem",
            409,
            problem(
                "cart_checked_out",
                409,
                "Cart already checked out",
                "Cart c-1000 is checked out and can no longer change.",
            ),
        ),
        (
            "addCartItem",
            422,
            problem(
                "invalid_quantity",
                422,
                "Invalid quantity",
                "Quantity must be between 1 and 999, got -1.",
            ),
        ),
        (
            "authorizePayment",
            402,
            problem(
                "card_declined",
                402,
                "Card declined",
                "The issuing bank declined the card. Ask the customer for another payment method.",
            ),
        ),
        (
            "authorizePayment",
            503,
            problem(
                "processor_unavailable",
                503,
                "Payment processor unavailable",
                "The card processor did not answer and nothing was charged. Retry after the seconds in Retry-After, with the same Idempotency-Key.",
            ),
        ),
    ]
}

/// A validator for the schema at `pointer` of the spec document.
fn validator_at(document: &Value, pointer: &str) -> jsonschema::Validator {
    let wrapper = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#{pointer}"),
        "components": document["components"],
    });
    jsonschema::options()
        .offline()
        .should_validate_formats(true)
        .build(&wrapper)
        .unwrap_or_else(|e| panic!("the schema at {pointer} does not compile: {e}"))
}

#[test]
fn recorded_provider_answers_validate_against_the_spec_and_faulty_ones_do_not() {
    let spec = spec_v1();
    let document = read_source(&read("specs/shop-api.yaml"), SourceFormat::Yaml)
        .expect("the spec is YAML")
        .value;
    let validator = |op: &str, status: u16| {
        let id = json_schema_of(operation_by_id(&spec, op), status)
            .unwrap_or_else(|| panic!("{op} {status} has no JSON body"));
        let node = spec.schemas.get(id);
        assert!(
            node.pointer.starts_with("/components/schemas/"),
            "{op} {status}: {}",
            node.pointer
        );
        validator_at(&document, &node.pointer)
    };
    for (op, status, body) in recorded() {
        let errors: Vec<String> = validator(op, status)
            .iter_errors(&body)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{op} {status}: {errors:?}\n{body}");
    }
    // The provider's shape faults (crates/vow-example-provider/src/injection.rs) are outside it.
    let (_, _, clean) = recorded().remove(0);
    let mut faulty = Vec::new();
    let mut renamed = clean.clone();
    let total = renamed.as_object_mut().unwrap().remove("total").unwrap();
    renamed["totalAmount"] = total;
    faulty.push(("renamed-field", renamed));
    let mut wrong_type = clean.clone();
    wrong_type["items"][0]["quantity"] = json!("2");
    faulty.push(("wrong-type", wrong_type));
    let mut bad_id = clean.clone();
    bad_id["id"] = json!("CART-1001");
    faulty.push(("bad-id-format", bad_id));
    let mut bad_date = clean.clone();
    bad_date["createdAt"] = json!("02/11/2026 10:00");
    faulty.push(("bad-date", bad_date));
    let mut unknown_status = clean.clone();
    unknown_status["status"] = json!("OPEN");
    faulty.push(("unknown-status", unknown_status));
    let cart = validator("getCart", 200);
    for (fault, body) in faulty {
        assert!(!cart.is_valid(&body), "{fault} passes the spec");
    }
    let stock = validator("getInventory", 200);
    let (_, _, mut negative) = recorded().remove(4);
    negative["available"] = json!(-3);
    assert!(!stock.is_valid(&negative), "negative-stock passes the spec");
}

// ---------------------------------------------------------------------------------------------
// shop-api.v2.yaml 2.0.0
// ---------------------------------------------------------------------------------------------

#[test]
fn the_next_version_breaks_exactly_the_interactions_its_comment_lists() {
    let breaks: BTreeSet<String> = all_breaks(&spec_v2()).into_keys().collect();
    let expected: BTreeSet<String> = [
        // 1. Cart.createdAt no longer required.
        "checkout-web create-cart field",
        "checkout-web get-cart field",
        "mobile-app create-cart field",
        "mobile-app get-cart field",
        // 2. The deprecated summary removed before its sunset.
        "mobile-app get-cart-summary unresolved",
        // 3. processor_unavailable now terminal, without Retry-After.
        "checkout-web authorize-payment error-retried",
        "checkout-web authorize-payment-processor-unavailable error-retried",
        // 4. GET /inventory/{sku} also needs catalogue:read.
        "mobile-app check-stock scopes",
        // 5. POST /carts/{cartId}/items p99 900ms.
        "checkout-web add-item latency",
        "checkout-web add-item-rate-limited latency",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    let details = all_breaks(&spec_v2());
    assert_eq!(breaks, expected, "{details:#?}");
}

#[test]
fn the_next_version_holds_its_non_breaking_changes() {
    let (v1, v2) = (spec_v1(), spec_v2());
    // 6. GET /inventory/{sku}: p99 loosened, still within every consumer's timeout.
    let p99 = |spec: &Spec, id: &str| operation_by_id(spec, id).latency.unwrap().p99.unwrap();
    assert_eq!(p99(&v1, "getInventory"), Duration::from_millis(50));
    assert_eq!(p99(&v2, "getInventory"), Duration::from_millis(200));
    // 7. GET /healthz gains a required query parameter.
    assert!(operation_by_id(&v1, "getHealth").parameters.is_empty());
    let probe = operation_by_id(&v2, "getHealth")
        .parameter(ParameterIn::Query, "probe")
        .expect("probe");
    assert!(probe.required);
    // 8. Payment.cartId renamed cartRef.
    let payment =
        |spec: &Spec| json_schema_of(operation_by_id(spec, "authorizePayment"), 201).unwrap();
    assert!(matches!(
        member(&v1, payment(&v1), "cartId"),
        Member::Property { required: true, .. }
    ));
    assert!(matches!(
        member(&v2, payment(&v2), "cartId"),
        Member::Missing
    ));
    assert!(matches!(
        member(&v2, payment(&v2), "cartRef"),
        Member::Property { required: true, .. }
    ));
    // 9. The price wrapped in a one-branch oneOf.
    let price = json_schema_of(operation_by_id(&v2, "getPrice"), 200).unwrap();
    assert_eq!(v2.schemas.get(price).one_of.len(), 1);
    // 10. Cart's allOf reordered; 11. an optional promotionCode.
    let cart = |spec: &Spec| json_schema_of(operation_by_id(spec, "getCart"), 200).unwrap();
    let first_branch_name = |spec: &Spec| {
        let first = spec.schemas.get(cart(spec)).all_of[0];
        spec.schemas.get(first).name.clone()
    };
    assert_eq!(first_branch_name(&v1).as_deref(), Some("CartCore"));
    assert_eq!(first_branch_name(&v2), None);
    assert!(matches!(
        member(&v2, cart(&v2), "promotionCode"),
        Member::Property {
            required: false,
            ..
        }
    ));
    assert!(matches!(
        member(&v1, cart(&v1), "promotionCode"),
        Member::Missing
    ));
}

// ---------------------------------------------------------------------------------------------
// docs/provider-spec.md
// ---------------------------------------------------------------------------------------------

/// The fenced YAML blocks of `docs/provider-spec.md`, in order.
fn doc_yaml_blocks() -> Vec<String> {
    let doc = read("docs/provider-spec.md");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```yaml") => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn the_complete_spec_in_the_docs_loads_and_is_an_excerpt_of_shop_api() {
    let full: Vec<String> = doc_yaml_blocks()
        .into_iter()
        .filter(|b| b.starts_with("openapi:"))
        .collect();
    assert_eq!(full.len(), 1, "one complete spec in docs/provider-spec.md");
    let excerpt = parse_spec("docs/provider-spec.md", &full[0], SourceFormat::Yaml)
        .unwrap_or_else(|e| panic!("the example in docs/provider-spec.md does not load:\n{e}"));
    let shop = spec_v1();
    for (code, entry) in &excerpt.errors {
        let real = &shop.errors[code];
        assert_eq!(
            (entry.status, entry.kind, entry.retry_after),
            (real.status, real.kind, real.retry_after),
            "{code}"
        );
    }
    let (ours, real) = (
        operation_by_id(&excerpt, "getCart"),
        operation_by_id(&shop, "getCart"),
    );
    assert_eq!(ours.errors, real.errors);
    assert_eq!(ours.security, real.security);
    assert_eq!(ours.latency, real.latency);
    assert_eq!(ours.stability, real.stability);
    // The condensed Cart promises the same fields, as always sent, with the same deprecation.
    let (ours_cart, real_cart) = (
        json_schema_of(ours, 200).unwrap(),
        json_schema_of(real, 200).unwrap(),
    );
    for field in [
        "id",
        "status",
        "currency",
        "items",
        "itemCount",
        "total",
        "createdAt",
    ] {
        let path = [field.to_owned()];
        let (Ok(Read::Field { deprecated: a, .. }), Ok(Read::Field { deprecated: b, .. })) = (
            follow(&excerpt, ours_cart, &path),
            follow(&shop, real_cart, &path),
        ) else {
            panic!("{field} is not always sent in both");
        };
        assert_eq!(a, b, "{field}");
    }
}

#[test]
fn the_snippets_in_the_docs_load_inside_a_spec() {
    let blocks = doc_yaml_blocks();
    let snippet = |needle: &str| {
        blocks
            .iter()
            .find(|b| b.contains(needle))
            .unwrap_or_else(|| panic!("no snippet with {needle}"))
            .clone()
    };
    // The cyclic schema: one schema, its own items.
    let cyclic = format!(
        "openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\npaths:\n  /categories:\n    get:\n      \
         responses:\n        '200':\n          description: ok\n          content:\n            \
         application/json:\n              schema: {{$ref: '#/components/schemas/Category'}}\n{}",
        snippet("Category:")
    );
    let spec =
        parse_spec("cyclic.yaml", &cyclic, SourceFormat::Yaml).unwrap_or_else(|e| panic!("{e}"));
    let root = json_schema_of(&spec.operations[0], 200).unwrap();
    let children = match member(&spec, root, "children") {
        Member::Property { schemas, .. } => schemas[0],
        other => panic!("{other:?}"),
    };
    assert_eq!(
        element(&spec, children),
        Some(root),
        "the cycle closes on itself"
    );
    // The error catalogue and deprecation snippets.
    let catalogue = format!(
        "openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\npaths:\n  {}\n{}",
        snippet("/carts/{cartId}/summary:")
            .trim_end()
            .replace('\n', "\n  "),
        snippet("x-vow-errors:\n  card_declined:")
    );
    let spec = parse_spec("snippets.yaml", &catalogue, SourceFormat::Yaml)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(spec.errors.len(), 3);
    assert_eq!(
        spec.errors["insufficient_scope"].kind,
        ErrorKind::OperatorAction
    );
    assert!(
        !spec.errors["insufficient_scope"].retry_after,
        "retryAfter defaults to false"
    );
    assert!(spec.operations[0].deprecated);
    assert_eq!(
        spec.operations[0].sunset,
        chrono::NaiveDate::from_ymd_opt(2027, 6, 30)
    );
}
