//! Reading provider specs: OpenAPI 3.0 normalised to 3.1 meaning, references across documents,
//! cycles, and every kind of problem reported once, located by line and pointer.

use vow_core::contract::SourceFormat;
use vow_core::spec::{Documents, SpecError, TypeSet, build_spec, parse_spec};

fn problems(text: &str, format: SourceFormat) -> Vec<String> {
    match parse_spec("spec", text, format) {
        Ok(_) => panic!("expected problems"),
        Err(SpecError { problems }) => problems
            .iter()
            .map(|p| {
                let at = p
                    .problem
                    .position
                    .map_or("-".to_owned(), |pos| format!("{}:{}", pos.line, pos.column));
                format!(
                    "{at} {} | {} | {}",
                    p.problem.pointer,
                    p.problem.found,
                    p.problem.hint.clone().unwrap_or_default()
                )
            })
            .collect(),
    }
}

#[test]
fn openapi_30_nullable_and_boolean_exclusive_bounds_are_normalised() {
    let spec = parse_spec(
        "spec",
        r#"openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /x:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  note: {type: string, nullable: true}
                  state: {type: string, nullable: true, enum: [a, b]}
                  price: {type: number, minimum: 0, exclusiveMinimum: true, maximum: 10}
                  ref: {$ref: '#/components/schemas/Id', description: ignored in 3.0, nullable: true}
components:
  schemas:
    Id: {type: string}
"#,
        SourceFormat::Yaml,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let op = &spec.operations[0];
    let body = op.responses["200"].content["application/json"].expect("schema");
    let root = spec.schemas.get(body);
    let prop = |name: &str| spec.schemas.get(root.properties[name]);
    assert_eq!(
        prop("note").types,
        Some(TypeSet::STRING.union(TypeSet::NULL))
    );
    // 3.0.3: an enum without null keeps null out.
    assert_eq!(prop("state").types, Some(TypeSet::STRING));
    let price = prop("price");
    assert_eq!(
        price.minimum.map(|b| (b.value, b.exclusive)),
        Some((0.0, true))
    );
    assert_eq!(
        price.maximum.map(|b| (b.value, b.exclusive)),
        Some((10.0, false))
    );
    // In 3.0 a reference's siblings are ignored: the property is the Id schema itself.
    assert_eq!(prop("ref").types, Some(TypeSet::STRING));
    assert_eq!(prop("ref").name.as_deref(), Some("Id"));
}

#[test]
fn openapi_31_reference_siblings_apply() {
    let spec = parse_spec(
        "spec",
        r##"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
  "paths": {"/x": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema":
    {"$ref": "#/components/schemas/Id", "maxLength": 5}}}}}}}},
  "components": {"schemas": {"Id": {"type": "string"}}}}"##,
        SourceFormat::Json,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let body = spec.operations[0].responses["200"].content["application/json"].expect("schema");
    let node = spec.schemas.get(body);
    assert_eq!(node.max_length, Some(5));
    assert_eq!(node.all_of.len(), 1, "the target is a conjunct");
    assert_eq!(
        spec.schemas.get(node.all_of[0]).types,
        Some(TypeSet::STRING)
    );
}

#[test]
fn documents_reached_by_relative_references_are_asked_for_and_cycles_are_finite() {
    let mut docs = Documents::default();
    docs.add(
        "api/openapi.yaml",
        "api/openapi.yaml",
        r#"openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /nodes:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: '../shared/node.yaml#/Node'}
"#
        .to_owned(),
        SourceFormat::Yaml,
    )
    .expect("root reads");
    let missing = docs.missing();
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].key, "shared/node.yaml");
    docs.add(
        "shared/node.yaml",
        "shared/node.yaml",
        "Node:\n  type: object\n  properties:\n    children: {type: array, items: {$ref: '#/Node'}}\n"
            .to_owned(),
        SourceFormat::Yaml,
    )
    .expect("second reads");
    assert!(docs.missing().is_empty());
    let spec = build_spec(&docs).unwrap_or_else(|e| panic!("{e}"));
    let body = spec.operations[0].responses["200"].content["application/json"].expect("schema");
    let node = spec.schemas.get(body);
    let children = spec.schemas.get(node.properties["children"]);
    assert_eq!(
        children.items,
        Some(body),
        "the cycle closes on the same schema"
    );
}

#[test]
fn catalogue_problems_are_reported_once_with_hints() {
    let found = problems(
        r#"openapi: 3.1.0
info: {title: t, version: "1"}
x-vow-errors:
  item_not_found: {status: 404, kind: fatal}
  rate_limited: {status: 429, kind: retryable, retry_after: true}
paths:
  /x:
    get:
      x-vow-errors: [item_not_found, rate_limited, nope]
      responses: {"200": {description: ok}}
"#,
        SourceFormat::Yaml,
    );
    assert_eq!(
        found,
        vec![
            "4:33 /x-vow-errors/item_not_found/kind | the string \"fatal\" | ",
            "5:48 /x-vow-errors/rate_limited/retry_after | the key \"retry_after\" | did you mean \"retryAfter\"?",
            "9:52 /paths/~1x/get/x-vow-errors/2 | the undeclared code \"nope\" | declare it in the top-level x-vow-errors catalogue",
        ]
    );
}

#[test]
fn undeclared_security_schemes_bad_dates_and_bad_latency_are_located() {
    let found = problems(
        r#"openapi: 3.1.0
info: {title: t, version: "1"}
components:
  securitySchemes:
    shopAuth: {type: http, scheme: bearer}
paths:
  /x:
    get:
      security: [{shopAuht: []}]
      x-sunset: 30 June
      x-stability-level: gold
      x-vow-latency: {p50: 90ms, p99: 20ms, p75: 1s}
      responses: {"200": {description: ok}}
"#,
        SourceFormat::Yaml,
    );
    assert_eq!(
        found,
        vec![
            "9:19 /paths/~1x/get/security/0/shopAuht | the undeclared scheme \"shopAuht\" | did you mean \"shopAuth\"?",
            "10:7 /paths/~1x/get/x-sunset | the string \"30 June\" | ",
            "11:7 /paths/~1x/get/x-stability-level | the string \"gold\" | ",
            "12:7 /paths/~1x/get/x-vow-latency | a higher percentile below a lower one | ",
            "12:45 /paths/~1x/get/x-vow-latency/p75 | the key \"p75\" | ",
        ]
    );
}

#[test]
fn json_problems_are_located_on_demand() {
    let found = problems(
        "{\n  \"openapi\": \"3.1.0\",\n  \"info\": {\"title\": \"t\", \"version\": \"1\"},\n  \"paths\": {\"carts\": {}}\n}",
        SourceFormat::Json,
    );
    assert_eq!(found, vec!["4:13 /paths/carts | the path \"carts\" | "]);
}

#[test]
fn unsupported_versions_are_refused_clearly() {
    assert_eq!(
        problems(
            "openapi: 2.5.0\ninfo: {title: t, version: '1'}\n",
            SourceFormat::Yaml
        ),
        vec!["1:1 /openapi | the string \"2.5.0\" | "]
    );
    assert_eq!(
        problems("[]", SourceFormat::Json),
        vec!["1:1  | an array | "]
    );
}
