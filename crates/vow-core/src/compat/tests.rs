//! Unit tests of `vow check`'s rules, each with a tiny inline spec and contract: every rule is
//! shown firing where it must and staying quiet where it must not.

use chrono::NaiveDate;

use super::*;
use crate::contract::{SourceFormat, parse_contract};
use crate::finding::Severity;
use crate::spec::parse_spec;
use crate::verification::Outcome;

fn options() -> CheckOptions {
    CheckOptions {
        as_of: NaiveDate::from_ymd_opt(2026, 11, 21).expect("date"),
        warning_days: 90,
    }
}

fn spec(yaml: &str) -> Spec {
    parse_spec("spec.yaml", yaml, SourceFormat::Yaml).unwrap_or_else(|e| panic!("{e}"))
}

/// A contract with one interaction (`it`), given as YAML lines, and optional `defaults`.
fn contract(defaults: &str, interaction: &str) -> Contract {
    let indent = |text: &str, by: usize| {
        text.lines()
            .map(|l| format!("{}{l}\n", " ".repeat(by)))
            .collect::<String>()
    };
    let mut text = "vow: 1\nconsumer: web\nprovider: shop\n".to_owned();
    if !defaults.is_empty() {
        text.push_str("defaults:\n");
        text.push_str(&indent(defaults, 2));
    }
    text.push_str("interactions:\n  - id: it\n    description: test\n");
    text.push_str(&indent(interaction, 4));
    parse_contract("contract.yaml", &text, SourceFormat::Yaml)
        .unwrap_or_else(|e| panic!("{text}\n{:#?}", e.problems))
}

fn findings(spec_yaml: &str, defaults: &str, interaction: &str) -> Vec<Finding> {
    let result = check_contract(
        &spec(spec_yaml),
        &contract(defaults, interaction),
        &options(),
    );
    result
        .interactions
        .into_iter()
        .flat_map(|i| i.findings)
        .collect()
}

/// `rule pointer` per finding, in order.
fn ids(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| format!("{} {}", f.rule.id, f.location.pointer))
        .collect()
}

fn only(findings: &[Finding], rule: &str) -> Vec<Finding> {
    findings
        .iter()
        .filter(|f| f.rule.id == rule)
        .cloned()
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Shape: the operation and the request.

const SHAPE: &str = r##"
openapi: 3.1.0
info: {title: shop, version: "1"}
paths:
  /carts/{cartId}:
    get:
      parameters:
        - {name: cartId, in: path, required: true, schema: {type: string, pattern: "^c-[0-9]+$"}}
        - {name: limit, in: query, schema: {type: integer, minimum: 1}}
        - {name: tags, in: query, schema: {type: array, items: {type: integer}}}
        - {name: ids, in: query, explode: false, schema: {type: array, items: {type: integer}}}
        - {name: X-Tenant, in: header, required: true, schema: {type: string}}
        - {name: Accept, in: header, required: true, schema: {type: string}}
        - {name: legacy, in: query, deprecated: true, schema: {type: string}}
      responses:
        "200":
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Cart"}
        "4XX":
          content:
            application/problem+json:
              schema: {type: object, required: [code], properties: {code: {type: string}}}
    delete:
      responses:
        default: {description: anything}
  /carts/{cartId}/items:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [sku, quantity]
              properties:
                sku: {type: string}
                quantity: {type: integer, minimum: 1}
          application/*+json:
            schema: {type: object}
      responses:
        "201": {description: added}
  /carts:
    get:
      responses:
        "204": {description: no content}
components:
  schemas:
    Cart:
      allOf:
        - type: object
          required: [id]
          properties:
            id: {type: string}
            total: {type: string}
        - type: object
          required: [total, items]
          properties:
            status: {type: string, enum: [open, closed]}
            note: {type: [string, "null"]}
            items:
              type: array
              items:
                type: object
                required: [sku]
                properties:
                  sku: {type: string}
                  quantity: {type: integer}
            tiers:
              type: object
              additionalProperties: {type: string}
"##;

#[test]
fn an_unknown_path_names_the_closest_one_and_nothing_else_is_checked() {
    let f = findings(
        SHAPE,
        "",
        "request: {method: GET, path: /cart/c-1}\nresponse: {status: 299}\nauth: {scheme: basic}",
    );
    assert_eq!(ids(&f), ["shape.operation-unknown /request/path"]);
    assert!(
        f[0].hint.as_deref().is_some_and(|h| h.contains("/carts")),
        "{:?}",
        f[0].hint
    );
}

#[test]
fn a_method_the_path_lacks_lists_the_methods_it_has() {
    let f = findings(
        SHAPE,
        "",
        "request: {method: PUT, path: /carts/c-1}\nresponse: {status: 200}",
    );
    assert_eq!(ids(&f), ["shape.operation-unknown /request/method"]);
    assert_eq!(f[0].expected.as_deref(), Some("one of DELETE, GET"));
}

#[test]
fn required_parameters_must_be_sent_but_accept_is_governed_by_media_types() {
    let f = findings(
        SHAPE,
        "",
        "request: {method: GET, path: /carts/c-1}\nresponse: {status: 200}",
    );
    assert_eq!(
        ids(&only(&f, "shape.request.parameter-missing")),
        ["shape.request.parameter-missing /request/headers/X-Tenant"]
    );
    let f = findings(
        SHAPE,
        "",
        "request: {method: GET, path: /carts/c-1, headers: {x-tenant: t1}}\nresponse: {status: 200}",
    );
    assert!(
        only(&f, "shape.request.parameter-missing").is_empty(),
        "{:?}",
        ids(&f)
    );
}

#[test]
fn undeclared_parameters_are_warnings_with_a_close_name() {
    let f = findings(
        SHAPE,
        "",
        "request:\n  method: GET\n  path: /carts/c-1\n  query: {limt: 5}\n  headers: {X-Tenant: t, X-Trace: x, Accept: application/json, Content-Type: application/json}\nresponse: {status: 200}",
    );
    let undeclared = only(&f, "shape.request.parameter-undeclared");
    assert_eq!(
        ids(&undeclared),
        [
            "shape.request.parameter-undeclared /request/query/limt",
            "shape.request.parameter-undeclared /request/headers/X-Trace"
        ]
    );
    assert_eq!(undeclared[0].severity, Severity::Warning);
    assert_eq!(
        undeclared[0].hint.as_deref(),
        Some("did you mean \"limit\"?")
    );
}

#[test]
fn parameter_values_are_read_as_their_schema_types() {
    let base = "request:\n  method: GET\n  path: /carts/c-1\n  headers: {X-Tenant: t}\n";
    let ok = findings(
        SHAPE,
        "",
        &format!(
            "{base}  query: {{limit: 10, tags: [1, 2], ids: \"1,2\"}}\nresponse: {{status: 200}}"
        ),
    );
    assert!(
        only(&ok, "shape.request.parameter-invalid").is_empty(),
        "{:?}",
        ids(&ok)
    );

    let bad = findings(
        SHAPE,
        "",
        &format!(
            "{base}  query: {{limit: ten, tags: [1, x], ids: \"1,y\"}}\nresponse: {{status: 200}}"
        ),
    );
    assert_eq!(
        ids(&only(&bad, "shape.request.parameter-invalid")),
        [
            "shape.request.parameter-invalid /request/query/ids",
            "shape.request.parameter-invalid /request/query/limit",
            "shape.request.parameter-invalid /request/query/tags"
        ]
    );
    let twice = findings(
        SHAPE,
        "",
        &format!("{base}  query: {{limit: [1, 2]}}\nresponse: {{status: 200}}"),
    );
    assert_eq!(
        only(&twice, "shape.request.parameter-invalid")[0]
            .actual
            .as_deref(),
        Some("2 values")
    );
}

#[test]
fn path_parameters_are_validated() {
    let f = findings(
        SHAPE,
        "",
        "request: {method: GET, path: /carts/CART-1, headers: {X-Tenant: t}}\nresponse: {status: 200}",
    );
    let invalid = only(&f, "shape.request.parameter-invalid");
    assert_eq!(
        ids(&invalid),
        ["shape.request.parameter-invalid /request/path"]
    );
    assert!(
        invalid[0].message.contains("\"cartId\""),
        "{}",
        invalid[0].message
    );
}

#[test]
fn a_required_body_must_be_sent_and_valid() {
    let missing = findings(
        SHAPE,
        "",
        "request: {method: POST, path: /carts/c-1/items}\nresponse: {status: 201}",
    );
    assert_eq!(ids(&missing), ["shape.request.body-missing /request/body"]);

    let invalid = findings(
        SHAPE,
        "",
        "request: {method: POST, path: /carts/c-1/items, body: {sku: 7, quantity: 0}}\nresponse: {status: 201}",
    );
    assert_eq!(
        ids(&invalid),
        [
            "shape.request.body-invalid /request/body/quantity",
            "shape.request.body-invalid /request/body/sku"
        ]
    );

    let absent_field = findings(
        SHAPE,
        "",
        "request: {method: POST, path: /carts/c-1/items, body: {sku: a}}\nresponse: {status: 201}",
    );
    assert_eq!(
        ids(&absent_field),
        ["shape.request.body-invalid /request/body/quantity"]
    );
}

#[test]
fn read_only_properties_need_not_be_sent() {
    let spec_text = r##"
openapi: 3.1.0
info: {title: shop, version: "1"}
paths:
  /carts:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Cart"}
      responses:
        "201": {description: created}
components:
  schemas:
    Cart:
      type: object
      required: [id, currency]
      properties:
        id: {type: string, readOnly: true}
        currency: {type: string}
"##;
    let ok = findings(
        spec_text,
        "",
        "request: {method: POST, path: /carts, body: {currency: EUR}}\nresponse: {status: 201}",
    );
    assert!(ok.is_empty(), "{:?}", ids(&ok));
    let missing = findings(
        spec_text,
        "",
        "request: {method: POST, path: /carts, body: {}}\nresponse: {status: 201}",
    );
    assert_eq!(
        ids(&missing),
        ["shape.request.body-invalid /request/body/currency"]
    );
}

#[test]
fn the_body_media_type_must_be_accepted_with_ranges_and_suffixes() {
    let text = findings(
        SHAPE,
        "",
        "request:\n  method: POST\n  path: /carts/c-1/items\n  headers: {Content-Type: text/plain}\n  body: {sku: a, quantity: 1}\nresponse: {status: 201}",
    );
    assert_eq!(
        ids(&text),
        ["shape.request.media-type-undeclared /request/headers/Content-Type"]
    );
    // `application/*+json` covers a +json type, whose schema then applies (any object).
    let merge = findings(
        SHAPE,
        "",
        "request:\n  method: POST\n  path: /carts/c-1/items\n  headers: {Content-Type: application/merge-patch+json; charset=utf-8}\n  body: {quantity: 0}\nresponse: {status: 201}",
    );
    assert!(merge.is_empty(), "{:?}", ids(&merge));
    let unexpected = findings(
        SHAPE,
        "",
        "request: {method: GET, path: /carts, body: {a: 1}}\nresponse: {status: 204}",
    );
    assert_eq!(
        ids(&unexpected),
        ["shape.request.media-type-undeclared /request/body"]
    );
}

// ---------------------------------------------------------------------------------------------
// Shape: the response.

fn get_cart(response: &str) -> String {
    format!(
        "request: {{method: GET, path: /carts/c-1, headers: {{X-Tenant: t}}}}\nresponse:\n{response}"
    )
}

#[test]
fn the_status_must_be_declared_exactly_by_range_or_by_default() {
    let f = findings(SHAPE, "", &get_cart("  status: 201"));
    assert_eq!(
        ids(&f),
        ["shape.response.status-undeclared /response/status"]
    );
    assert_eq!(f[0].actual.as_deref(), Some("200, 4XX"));
    assert!(findings(SHAPE, "", &get_cart("  status: 404")).is_empty());
    let default = findings(
        SHAPE,
        "",
        "request: {method: DELETE, path: /carts/c-1}\nresponse: {status: 418}",
    );
    assert!(default.is_empty(), "{:?}", ids(&default));
}

#[test]
fn fields_read_must_be_declared_with_a_close_name_as_hint() {
    let f = findings(
        SHAPE,
        "",
        &get_cart("  status: 200\n  body:\n    example: {id: c-1, totl: \"1.00\"}"),
    );
    assert_eq!(
        ids(&f),
        ["shape.response.field-undeclared /response/body/totl"]
    );
    assert!(
        f[0].hint
            .as_deref()
            .is_some_and(|h| h.starts_with("did you mean \"total\"?")),
        "{:?}",
        f[0].hint
    );
}

#[test]
fn an_allof_split_schema_is_read_as_one() {
    // `id` and `total` are declared in the first part; `total` is required by the second.
    let f = findings(
        SHAPE,
        "",
        &get_cart("  status: 200\n  body:\n    example: {id: c-1, total: \"1.00\", items: []}"),
    );
    assert!(f.is_empty(), "{:?}", ids(&f));
    let optional = findings(
        SHAPE,
        "",
        &get_cart("  status: 200\n  body:\n    example: {status: open}"),
    );
    assert_eq!(
        ids(&optional),
        ["shape.response.field-optional /response/body/status"]
    );
    assert_eq!(optional[0].severity, Severity::Warning);
}

#[test]
fn write_only_fields_are_never_in_a_response() {
    let spec_text = r#"
openapi: 3.1.0
info: {title: accounts, version: "1"}
paths:
  /accounts/{id}:
    get:
      responses:
        "200":
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties:
                  id: {type: string}
                  password: {type: string, writeOnly: true}
"#;
    let f = findings(
        spec_text,
        "",
        "request: {method: GET, path: /accounts/a1}\nresponse:\n  status: 200\n  body: {example: {id: a1, password: x}}",
    );
    assert_eq!(
        ids(&f),
        ["shape.response.field-undeclared /response/body/password"]
    );
    assert!(f[0].message.contains("writeOnly"), "{}", f[0].message);
}

#[test]
fn nullable_fields_read_as_values_are_warnings() {
    let f = findings(
        SHAPE,
        "",
        &get_cart("  status: 200\n  body:\n    example: {total: \"1\", note: hi}"),
    );
    assert_eq!(
        ids(&f),
        [
            "shape.response.field-optional /response/body/note",
            "shape.response.field-nullable /response/body/note"
        ]
    );
    // A consumer that takes null there is fine.
    let null = findings(
        SHAPE,
        "",
        &get_cart("  status: 200\n  body:\n    example: {total: \"1\", note: null}"),
    );
    assert_eq!(
        ids(&null),
        ["shape.response.field-optional /response/body/note"]
    );
}

#[test]
fn openapi_3_0_nullable_counts_as_null() {
    let spec30 = r#"
openapi: 3.0.3
info: {title: shop, version: "1"}
paths:
  /x:
    get:
      responses:
        "200":
          content:
            application/json:
              schema:
                type: object
                required: [name]
                properties:
                  name: {type: string, nullable: true}
"#;
    let f = findings(
        spec30,
        "",
        "request: {method: GET, path: /x}\nresponse:\n  status: 200\n  body: {example: {name: a}}",
    );
    assert_eq!(
        ids(&f),
        ["shape.response.field-nullable /response/body/name"]
    );
}

#[test]
fn values_that_cannot_be_valid_conflict() {
    // By equality, the example's value must be possible: an enum rules "pending" out.
    let f = findings(
        SHAPE,
        "",
        &get_cart("  status: 200\n  body:\n    example: {total: 12, status: pending}"),
    );
    assert_eq!(
        ids(&only(&f, "shape.response.value-conflict")),
        [
            "shape.response.value-conflict /response/body/status",
            "shape.response.value-conflict /response/body/total"
        ]
    );
    // A `type` rule checks only the JSON type; a `decimal` rule takes strings.
    let typed = findings(
        SHAPE,
        "",
        &get_cart(
            "  status: 200\n  body:\n    example: {total: \"1.00\", status: pending}\n    rules:\n      /status: {match: type}\n      /total: {match: decimal, places: 2}",
        ),
    );
    assert!(
        only(&typed, "shape.response.value-conflict").is_empty(),
        "{:?}",
        ids(&typed)
    );
    // A `regex` rule implies a string; an `integer` rule on a string field conflicts.
    let integer = findings(
        SHAPE,
        "",
        &get_cart(
            "  status: 200\n  body:\n    example: {total: \"1\"}\n    rules:\n      /total: {match: integer}",
        ),
    );
    assert_eq!(
        ids(&integer),
        ["shape.response.value-conflict /response/body/total"]
    );
    assert_eq!(
        integer[0].expected.as_deref(),
        Some("an integer (a `integer` rule)")
    );
}

#[test]
fn array_elements_and_wildcard_rule_paths_walk_into_the_item_schema() {
    let f = findings(
        SHAPE,
        "",
        &get_cart(
            "  status: 200\n  body:\n    example:\n      total: \"1\"\n      items: [{sku: a, qty: 1}, {sku: b, qty: 2}]",
        ),
    );
    // Both elements share the schema: the gap is reported once.
    assert_eq!(
        ids(&f),
        ["shape.response.field-undeclared /response/body/items/0/qty"]
    );

    let rules_only = findings(
        SHAPE,
        "",
        &get_cart(
            "  status: 200\n  body:\n    example: {total: \"1\", items: []}\n    rules:\n      /items/*/quantity: {match: integer}\n      /items/*/colour: {match: type}",
        ),
    );
    assert_eq!(
        ids(&rules_only),
        [
            "shape.response.field-optional /response/body/items/*/quantity",
            "shape.response.field-undeclared /response/body/items/*/colour"
        ]
    );
}

#[test]
fn maps_read_with_each_value_do_not_require_their_sample_keys() {
    let f = findings(
        SHAPE,
        "",
        &get_cart(
            "  status: 200\n  body:\n    example: {total: \"1\", tiers: {\"1\": a, \"10\": b}}\n    rules:\n      /tiers: {match: eachValue, rules: {match: type}}",
        ),
    );
    assert_eq!(
        ids(&f),
        ["shape.response.field-optional /response/body/tiers"]
    );
    let conflict = findings(
        SHAPE,
        "",
        &get_cart(
            "  status: 200\n  body:\n    example: {total: \"1\", tiers: {\"1\": 5}}\n    rules:\n      /tiers: {match: eachValue, rules: {match: integer}}",
        ),
    );
    assert_eq!(
        ids(&only(&conflict, "shape.response.value-conflict")),
        ["shape.response.value-conflict /response/body/tiers/1"]
    );
}

const ONE_OF: &str = r#"
openapi: 3.1.0
info: {title: pay, version: "1"}
paths:
  /payments/{id}:
    get:
      responses:
        "200":
          content:
            application/json:
              schema:
                oneOf:
                  - type: object
                    required: [kind, last4]
                    properties:
                      kind: {const: card}
                      last4: {type: string}
                  - type: object
                    required: [kind]
                    properties:
                      kind: {const: paypal}
                      last4: {type: string}
                      email: {type: string}
"#;

#[test]
fn a_field_required_in_one_one_of_branch_only_is_optional() {
    let f = findings(
        ONE_OF,
        "",
        "request: {method: GET, path: /payments/p1}\nresponse:\n  status: 200\n  body:\n    example: {last4: \"4242\"}",
    );
    assert_eq!(
        ids(&f),
        ["shape.response.field-optional /response/body/last4"]
    );
    assert!(
        f[0].message.contains("1 of the 2 alternatives"),
        "{}",
        f[0].message
    );
    // An example that names its branch is judged by that branch alone.
    let card = findings(
        ONE_OF,
        "",
        "request: {method: GET, path: /payments/p1}\nresponse:\n  status: 200\n  body:\n    example: {kind: card, last4: \"4242\"}",
    );
    assert!(card.is_empty(), "{:?}", ids(&card));
    let undeclared = findings(
        ONE_OF,
        "",
        "request: {method: GET, path: /payments/p1}\nresponse:\n  status: 200\n  body:\n    example: {kind: card, email: a@b}",
    );
    assert_eq!(
        ids(&undeclared),
        ["shape.response.field-undeclared /response/body/email"]
    );
}

#[test]
fn schema_bodies_need_their_required_properties_required() {
    let f = findings(
        SHAPE,
        "",
        &get_cart(
            "  status: 200\n  body:\n    schema:\n      type: object\n      required: [id, status, colour]\n      properties:\n        id: {type: integer}\n        status: {const: open}\n        items:\n          type: array\n          items: {type: object, required: [sku, size]}",
        ),
    );
    assert_eq!(
        ids(&f),
        [
            "shape.response.value-conflict /response/body/id",
            "shape.response.field-undeclared /response/body/items/*/size",
            "shape.response.field-optional /response/body/status",
            "shape.response.field-undeclared /response/body/colour"
        ]
    );
}

#[test]
fn response_media_types_and_headers_must_be_declared() {
    let f = findings(
        SHAPE,
        "",
        &get_cart("  status: 200\n  headers: {Content-Type: text/csv, ETag: {match: type}}"),
    );
    assert_eq!(
        ids(&f),
        [
            "shape.response.header-undeclared /response/headers/etag",
            "shape.response.media-type-undeclared /response/headers/content-type"
        ]
    );
    let no_body = findings(
        SHAPE,
        "",
        "request: {method: GET, path: /carts}\nresponse:\n  status: 204\n  body: {example: {a: 1}}",
    );
    assert_eq!(
        ids(&no_body),
        ["shape.response.media-type-undeclared /response/body"]
    );
    // An error without a stated media type is read as problem details.
    let problem = findings(
        SHAPE,
        "",
        &get_cart("  status: 404\n  body: {example: {code: 7}}"),
    );
    assert_eq!(
        ids(&problem),
        ["shape.response.value-conflict /response/body/code"]
    );
}

// ---------------------------------------------------------------------------------------------
// The behavioural dimensions.

const BEHAVIOUR: &str = r#"
openapi: 3.1.0
info: {title: shop, version: "1"}
x-vow-errors:
  cart_not_found: {status: 404, kind: terminal}
  rate_limited: {status: 429, kind: retryable, retryAfter: true}
  busy: {status: 503, kind: retryable}
  quota_exceeded: {status: 429, kind: operator-action}
  card_declined: {status: 402, kind: terminal}
components:
  securitySchemes:
    oauth: {type: oauth2, flows: {clientCredentials: {tokenUrl: "https://a/t", scopes: {}}}}
    basicAuth: {type: http, scheme: basic}
    key: {type: apiKey, in: header, name: X-Key}
security:
  - oauth: [cart:read]
paths:
  /carts/{id}:
    get:
      x-vow-errors: [cart_not_found, rate_limited, busy, quota_exceeded]
      x-vow-latency: {p50: 20ms, p99: 300ms}
      responses:
        "200": {description: ok}
        "404": {description: gone}
  /open:
    get:
      security: []
      responses: {"200": {description: ok}}
  /either:
    get:
      security:
        - oauth: [a, b]
        - oauth: [c]
        - key: []
      responses: {"200": {description: ok}}
  /maybe:
    get:
      security:
        - {}
        - oauth: [admin]
      responses: {"200": {description: ok}}
  /untyped:
    get:
      responses: {"200": {description: ok}}
  /old:
    get:
      deprecated: true
      x-sunset: "2026-12-01"
      x-stability-level: beta
      parameters:
        - {name: v, in: query, deprecated: true, schema: {type: string}}
      responses:
        "200":
          content:
            application/json:
              schema:
                type: object
                properties:
                  total: {type: string, deprecated: true, x-sunset: "2026-10-01"}
  /gone:
    get:
      deprecated: true
      x-sunset: "2026-11-01"
      responses: {"200": {description: ok}}
"#;

const AUTH: &str = "auth: {scheme: oauth2, scopes: [cart:read]}";

#[test]
fn handled_codes_are_checked_against_the_operation_and_the_catalogue() {
    let f = findings(
        BEHAVIOUR,
        "",
        &format!(
            "request: {{method: GET, path: /carts/c-1}}\nresponse: {{status: 200}}\n{AUTH}\nerrors:\n  handles:\n    - {{code: cart_not_fund, status: 404, retry: false}}\n    - {{code: card_declined, status: 402, retry: false}}\n    - {{code: cart_not_found, status: 410, retry: true}}\n    - {{code: rate_limited, status: 429, retry: false}}\n    - {{code: busy, status: 503, retry: true}}\n    - {{code: quota_exceeded, status: 429, retry: true}}"
        ),
    );
    assert_eq!(
        ids(&f),
        [
            "errors.code-undeclared /errors/handles/0",
            "errors.code-undeclared /errors/handles/1",
            "errors.status-remapped /errors/handles/2/status",
            "errors.retryability-mismatch /errors/handles/2/retry",
            "errors.retryable-not-retried /errors/handles/3/retry",
            "errors.retry-after-missing /errors/handles/4/retry",
            "errors.retryability-mismatch /errors/handles/5/retry",
        ]
    );
    let severities: Vec<Severity> = f.iter().map(|f| f.severity).collect();
    assert_eq!(severities[..2], [Severity::Error, Severity::Info]);
    assert_eq!(f[4].severity, Severity::Info);
    assert!(
        f[0].hint
            .as_deref()
            .is_some_and(|h| h.starts_with("did you mean \"cart_not_found\"?")),
        "{:?}",
        f[0].hint
    );
}

#[test]
fn codes_from_shared_defaults_the_operation_never_answers_are_not_news() {
    let f = findings(
        BEHAVIOUR,
        &format!(
            "{AUTH}\nerrors:\n  handles:\n    - {{code: card_declined, status: 402, retry: false}}"
        ),
        "request: {method: GET, path: /carts/c-1}\nresponse: {status: 200}",
    );
    assert!(f.is_empty(), "{:?}", ids(&f));
}

#[test]
fn the_expected_error_code_must_be_one_the_operation_answers() {
    let f = findings(
        BEHAVIOUR,
        "",
        &format!(
            "request: {{method: GET, path: /carts/c-1}}\nresponse: {{status: 402, error: card_declined}}\n{AUTH}\nerrors:\n  handles:\n    - {{code: card_declined, status: 402, retry: false}}"
        ),
    );
    assert_eq!(
        ids(&f),
        [
            "shape.response.status-undeclared /response/status",
            "errors.code-undeclared /response/error"
        ]
    );
}

#[test]
fn an_operation_without_codes_gets_one_note_and_the_code_pointer_must_agree() {
    let f = findings(
        BEHAVIOUR,
        "",
        &format!(
            "request: {{method: GET, path: /untyped}}\nresponse: {{status: 200}}\n{AUTH}\nerrors:\n  codePointer: /error/code\n  handles:\n    - {{code: whatever, status: 400, retry: false}}\n    - {{code: other, status: 409, retry: false}}"
        ),
    );
    assert_eq!(
        ids(&f),
        [
            "errors.taxonomy-missing /errors",
            "errors.code-missing /errors/codePointer"
        ]
    );
    assert_eq!(f[0].severity, Severity::Info);
}

#[test]
fn the_timeout_must_cover_the_envelope_at_the_stated_percentile() {
    let latency = |block: &str| {
        findings(
            BEHAVIOUR,
            "",
            &format!(
                "request: {{method: GET, path: /carts/c-1}}\nresponse: {{status: 200}}\n{AUTH}\nlatency: {block}"
            ),
        )
    };
    let f = latency("{timeout: 250ms}");
    assert_eq!(ids(&f), ["latency.timeout-below-envelope /latency/timeout"]);
    assert!(
        f[0].message.contains("300 ms") && f[0].message.contains("250 ms"),
        "{}",
        f[0].message
    );
    assert_eq!(f[0].severity, Severity::Error);
    assert!(latency("{timeout: 300ms}").is_empty());
    // p95 is bounded by the envelope's p99, which is only an upper bound: a warning.
    let p95 = latency("{timeout: 250ms, percentile: 95}");
    assert_eq!(
        ids(&p95),
        ["latency.timeout-below-envelope /latency/timeout"]
    );
    assert_eq!(p95[0].severity, Severity::Warning);
    assert!(latency("{timeout: 50ms, percentile: 50}").is_empty());
    // 3 attempts × 300 ms + 100 ms + 200 ms of backoff = 1.2 s > 1 s.
    let retries = latency(
        "{timeout: 400ms, retries: {attempts: 2, backoff: 100ms, multiplier: 2}, deadline: 1s}",
    );
    assert_eq!(
        ids(&retries),
        [
            "latency.budget-exceeds-deadline /latency",
            "latency.retries-exceed-deadline /latency/deadline"
        ]
    );
    assert_eq!(
        retries[1].actual.as_deref(),
        Some("1.2 s (3 attempts × p99 300 ms + 300 ms of backoff)")
    );
    let missing = latency("{timeout: 1s, percentile: 99.9}");
    assert_eq!(ids(&missing), ["latency.envelope-missing /latency"]);
}

#[test]
fn an_operation_without_an_envelope_is_noted() {
    let f = findings(
        BEHAVIOUR,
        "",
        &format!(
            "request: {{method: GET, path: /untyped}}\nresponse: {{status: 200}}\n{AUTH}\nlatency: {{timeout: 1s}}"
        ),
    );
    assert_eq!(ids(&f), ["latency.envelope-missing /latency"]);
    assert_eq!(f[0].severity, Severity::Info);
}

#[test]
fn credentials_scopes_and_schemes_are_checked_against_the_security_alternatives() {
    let auth = |path: &str, block: &str| {
        findings(
            BEHAVIOUR,
            "",
            &format!("request: {{method: GET, path: {path}}}\nresponse: {{status: 200}}\n{block}"),
        )
    };
    assert_eq!(
        ids(&auth("/untyped", "")),
        ["auth.credentials-missing /auth"]
    );
    assert!(auth("/open", "").is_empty());
    assert!(
        auth("/maybe", "").is_empty(),
        "an empty alternative admits anonymous requests"
    );
    assert!(auth("/untyped", "auth: {scheme: bearer, scopes: [cart:read]}").is_empty());

    let short = auth("/either", "auth: {scheme: oauth2, scopes: [a]}");
    assert_eq!(ids(&short), ["auth.scopes-insufficient /auth/scopes"]);
    assert!(short[0].message.contains("lack b"), "{}", short[0].message);
    assert!(auth("/either", "auth: {scheme: oauth2, scopes: [c]}").is_empty());
    assert!(auth("/either", "auth: {scheme: apiKey}").is_empty());

    let basic = auth("/either", "auth: {scheme: basic}");
    assert_eq!(ids(&basic), ["auth.scheme-mismatch /auth/scheme"]);
    assert_eq!(basic[0].severity, Severity::Warning);
}

#[test]
fn deprecated_operations_their_sunset_and_stability_are_read_at_the_as_of_date() {
    let old = |block: &str| {
        findings(
            BEHAVIOUR,
            "",
            &format!(
                "request: {{method: GET, path: /old}}\nresponse: {{status: 200}}\n{AUTH}\n{block}"
            ),
        )
    };
    let f = old("");
    assert_eq!(
        ids(&f),
        [
            "deprecation.unacknowledged /deprecation/operation",
            "deprecation.sunset-near /request",
            "deprecation.unstable-operation /request"
        ]
    );
    assert!(f[1].message.contains("in 10 days"), "{}", f[1].message);
    let planned = old("deprecation: {operation: true, sunset: 2027-01-31}");
    assert_eq!(
        ids(&planned),
        [
            "deprecation.sunset-near /request",
            "deprecation.sunset-before-plan /deprecation/sunset",
            "deprecation.unstable-operation /request"
        ]
    );
    let gone = findings(
        BEHAVIOUR,
        "",
        &format!(
            "request: {{method: GET, path: /gone}}\nresponse: {{status: 200}}\n{AUTH}\ndeprecation: {{operation: true}}"
        ),
    );
    assert_eq!(ids(&gone), ["deprecation.sunset-passed /request"]);
    assert!(
        gone[0].message.contains("20 days ago"),
        "{}",
        gone[0].message
    );
}

#[test]
fn deprecated_fields_and_parameters_are_warnings_unless_acknowledged() {
    let old = |block: &str| {
        findings(
            BEHAVIOUR,
            "",
            &format!(
                "request: {{method: GET, path: /old, query: {{v: \"1\"}}}}\nresponse:\n  status: 200\n  body: {{example: {{total: \"1\"}}}}\n{AUTH}\n{block}"
            ),
        )
    };
    let f = old("deprecation: {operation: true}");
    let deprecations: Vec<(String, Severity)> = f
        .iter()
        .filter(|f| f.rule.id.ends_with("-deprecated") || f.location.pointer.contains("total"))
        .map(|f| (format!("{} {}", f.rule.id, f.location.pointer), f.severity))
        .collect();
    assert_eq!(
        deprecations,
        [
            (
                "shape.response.field-optional /response/body/total".to_owned(),
                Severity::Warning
            ),
            (
                "deprecation.parameter-deprecated /request/query/v".to_owned(),
                Severity::Warning
            ),
            (
                "deprecation.field-deprecated /response/body/total".to_owned(),
                Severity::Warning
            ),
            (
                "deprecation.sunset-passed /response/body/total".to_owned(),
                Severity::Error
            ),
        ]
    );
    let acknowledged = old("deprecation: {operation: true, fields: [/total], parameters: [v]}");
    for rule in [
        "deprecation.parameter-deprecated",
        "deprecation.field-deprecated",
    ] {
        let found = only(&acknowledged, rule);
        assert_eq!(found.len(), 1, "{rule}");
        assert_eq!(found[0].severity, Severity::Info, "{rule}");
    }
}

// ---------------------------------------------------------------------------------------------
// Results and the report.

#[test]
fn the_contracts_own_static_checks_run_too() {
    let f = findings(
        BEHAVIOUR,
        "",
        "request: {method: GET, path: /open}\nresponse: {status: 200}\nlatency: {timeout: 1s, retries: {attempts: 3, backoff: 1s}, deadline: 2s}",
    );
    assert_eq!(
        ids(&f),
        [
            "latency.budget-exceeds-deadline /latency",
            "latency.envelope-missing /latency"
        ]
    );
}

#[test]
fn results_are_grouped_by_dimension_and_located_in_their_interaction() {
    let spec = spec(BEHAVIOUR);
    let contract = contract(
        "",
        "request: {method: GET, path: /old, query: {w: x}}\nresponse: {status: 200}\nlatency: {timeout: 1s}",
    );
    let result = check_contract(&spec, &contract, &options());
    let interaction = &result.interactions[0];
    let dimensions: Vec<Dimension> = interaction.findings.iter().map(|f| f.dimension).collect();
    let mut sorted = dimensions.clone();
    sorted.sort();
    assert_eq!(dimensions, sorted);
    assert!(
        interaction
            .findings
            .iter()
            .all(|f| f.location.interaction.as_deref() == Some("it"))
    );
    assert_eq!(
        interaction.outcome,
        Outcome::Failed,
        "credentials are missing"
    );
    assert_eq!(interaction.elapsed_ms, None);
    // The same inputs give the same result.
    assert_eq!(check_contract(&spec, &contract, &options()), result);
}

#[test]
fn the_report_carries_the_spec_the_clock_and_the_summary() {
    let spec = spec(BEHAVIOUR);
    let contract = contract(
        "",
        &format!("request: {{method: GET, path: /open}}\nresponse: {{status: 200}}\n{AUTH}"),
    );
    let mut result = check_contract(&spec, &contract, &options());
    result.source = "c.yaml".to_owned();
    let report = CheckReport::new(&spec, "spec.yaml", &options(), vec![result]);
    assert!(report.passed());
    let json = serde_json::to_value(&report).expect("serialises");
    assert_eq!(json["formatVersion"], 1);
    assert_eq!(json["spec"]["title"], "shop");
    assert_eq!(json["spec"]["openapi"], "3.1.0");
    assert_eq!(json["asOf"], "2026-11-21");
    assert_eq!(json["deprecationWindowDays"], 90);
    assert_eq!(json["summary"]["interactions"], 1);
    assert_eq!(json["contracts"][0]["source"], "c.yaml");
}
