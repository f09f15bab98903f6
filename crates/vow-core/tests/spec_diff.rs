//! Spec diff: composition by meaning, the breaking-change rules, the deprecation clock and consumer
//! scoping, each pinned by a small pair of specs.

use chrono::NaiveDate;
use vow_core::contract::{SourceFormat, parse_contract};
use vow_core::diff::{DiffOptions, DiffReport, SourcedContract, diff};
use vow_core::spec::{Spec, parse_spec};

fn spec(text: &str) -> Spec {
    parse_spec("spec.yaml", text, SourceFormat::Yaml).unwrap_or_else(|e| panic!("{e}"))
}

fn options() -> DiffOptions {
    DiffOptions {
        as_of: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
        deprecation_days: 90,
    }
}

fn run(old: &str, new: &str) -> DiffReport {
    let (old, new) = (spec(old), spec(new));
    diff(("old.yaml", &old), ("new.yaml", &new), &[], &options())
}

fn rules(report: &DiffReport) -> Vec<String> {
    report
        .changes
        .iter()
        .map(|c| format!("{} {}", c.rule.id, element_path(c)))
        .collect()
}

fn element_path(c: &vow_core::diff::Change) -> String {
    serde_json::to_value(&c.element).unwrap()["path"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A spec with one `GET /carts/{id}` whose 200 body is `schema` (YAML, indented for the slot) and
/// `components` as the schemas section.
fn cart_spec(openapi: &str, schema: &str, components: &str) -> String {
    format!(
        r#"openapi: {openapi}
info: {{title: shop, version: "1"}}
paths:
  /carts/{{id}}:
    get:
      parameters:
        - {{name: id, in: path, required: true, schema: {{type: string}}}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
{schema}
components:
  schemas:
{components}
"#
    )
}

const CART: &str = r#"    Cart:
      type: object
      required: [id, total]
      properties:
        id: {type: string}
        total: {type: number}
        note: {type: string}
"#;

fn indent(text: &str, by: usize) -> String {
    text.lines()
        .map(|l| format!("{}{l}", " ".repeat(by)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn body(schema: &str) -> String {
    indent(schema, 16)
}

#[test]
fn wrapping_in_a_one_branch_one_of_is_not_breaking() {
    let old = cart_spec("3.1.0", &body("$ref: '#/components/schemas/Cart'"), CART);
    let new = cart_spec(
        "3.1.0",
        &body("oneOf:\n  - $ref: '#/components/schemas/Cart'"),
        CART,
    );
    assert_eq!(rules(&run(&old, &new)), Vec::<String>::new());
}

#[test]
fn renaming_a_ref_target_is_not_breaking() {
    let old = cart_spec("3.1.0", &body("$ref: '#/components/schemas/Cart'"), CART);
    let renamed = CART.replace("    Cart:", "    Basket:");
    let new = cart_spec(
        "3.1.0",
        &body("$ref: '#/components/schemas/Basket'"),
        &renamed,
    );
    assert_eq!(rules(&run(&old, &new)), Vec::<String>::new());
}

#[test]
fn splitting_into_all_of_parts_and_reordering_them_is_not_breaking() {
    let old = cart_spec("3.1.0", &body("$ref: '#/components/schemas/Cart'"), CART);
    let parts = r#"    Identified:
      type: object
      required: [id]
      properties:
        id: {type: string}
    Priced:
      type: object
      required: [total]
      properties:
        total: {type: number}
        note: {type: string}
"#;
    let split = cart_spec(
        "3.1.0",
        &body(
            "allOf:\n  - $ref: '#/components/schemas/Identified'\n  - $ref: '#/components/schemas/Priced'",
        ),
        parts,
    );
    let reordered = cart_spec(
        "3.1.0",
        &body(
            "allOf:\n  - $ref: '#/components/schemas/Priced'\n  - $ref: '#/components/schemas/Identified'",
        ),
        parts,
    );
    assert_eq!(rules(&run(&old, &split)), Vec::<String>::new());
    assert_eq!(rules(&run(&split, &reordered)), Vec::<String>::new());
    assert_eq!(rules(&run(&split, &old)), Vec::<String>::new());
}

#[test]
fn adding_a_one_of_branch_to_a_response_is_breaking() {
    let old = cart_spec("3.1.0", &body("$ref: '#/components/schemas/Cart'"), CART);
    let with_error = format!(
        "{CART}    Pending:\n      type: object\n      required: [state]\n      properties:\n        state: {{const: pending}}\n"
    );
    let new = cart_spec(
        "3.1.0",
        &body(
            "oneOf:\n  - $ref: '#/components/schemas/Cart'\n  - $ref: '#/components/schemas/Pending'",
        ),
        &with_error,
    );
    let report = run(&old, &new);
    assert_eq!(rules(&report), vec!["shape.response.one-of-branch-added "]);
    assert_eq!(report.changes[0].after.as_deref(), Some("Pending (object)"));
    assert!(!report.passed());
    // The reverse (a branch removed from a response) narrows what consumers receive: not breaking.
    assert_eq!(rules(&run(&new, &old)), Vec::<String>::new());
}

#[test]
fn response_fields_removed_optional_nullable_retyped_and_enum_widened() {
    let old = cart_spec(
        "3.1.0",
        &body("$ref: '#/components/schemas/Cart'"),
        r#"    Cart:
      type: object
      required: [id, total, state, note]
      properties:
        id: {type: string}
        total: {type: number}
        state: {enum: [open, paid]}
        note: {type: string}
        gone: {type: string}
"#,
    );
    let new = cart_spec(
        "3.1.0",
        &body("$ref: '#/components/schemas/Cart'"),
        r#"    Cart:
      type: object
      required: [id, state, note]
      properties:
        id: {type: [string, integer]}
        total: {type: number}
        state: {enum: [open, paid, refunded]}
        note: {type: [string, "null"]}
"#,
    );
    let mut got = rules(&run(&old, &new));
    got.sort();
    assert_eq!(
        got,
        vec![
            "shape.response.became-nullable /note",
            "shape.response.enum-widened /state",
            "shape.response.field-became-optional /total",
            "shape.response.field-removed /gone",
            "shape.response.type-changed /id",
        ]
    );
}

#[test]
fn openapi_30_nullable_means_the_same_as_a_31_null_type() {
    let old = cart_spec(
        "3.0.3",
        &body("$ref: '#/components/schemas/Cart'"),
        "    Cart:\n      type: object\n      properties:\n        note: {type: string, nullable: true}\n        n: {type: number, minimum: 0, exclusiveMinimum: true}\n",
    );
    let new = cart_spec(
        "3.1.0",
        &body("$ref: '#/components/schemas/Cart'"),
        "    Cart:\n      type: object\n      properties:\n        note: {type: [string, \"null\"]}\n        n: {type: number, exclusiveMinimum: 0}\n",
    );
    assert_eq!(rules(&run(&old, &new)), Vec::<String>::new());
    // Dropping nullability from a 3.0 response is safe; adding it is not.
    let strict = cart_spec(
        "3.0.3",
        &body("$ref: '#/components/schemas/Cart'"),
        "    Cart:\n      type: object\n      properties:\n        note: {type: string}\n",
    );
    assert_eq!(
        rules(&run(&strict, &old)),
        vec!["shape.response.became-nullable /note"]
    );
}

#[test]
fn cyclic_schemas_compare_without_hanging() {
    let tree = r#"    Node:
      type: object
      required: [children]
      properties:
        name: {type: string}
        children:
          type: array
          items: {$ref: '#/components/schemas/Node'}
"#;
    let old = cart_spec("3.1.0", &body("$ref: '#/components/schemas/Node'"), tree);
    assert_eq!(rules(&run(&old, &old)), Vec::<String>::new());
    let changed = tree.replace("name: {type: string}", "name: {type: integer}");
    let new = cart_spec(
        "3.1.0",
        &body("$ref: '#/components/schemas/Node'"),
        &changed,
    );
    assert_eq!(
        rules(&run(&old, &new)),
        vec!["shape.response.type-changed /name"]
    );
}

const SEARCH: &str = r#"openapi: 3.1.0
info: {title: shop, version: "1"}
paths:
  /search:
    post:
      parameters:
        - {name: limit, in: query, schema: {type: integer, maximum: 100}}
        - {name: sort, in: query, schema: {enum: [price, name]}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                q: {type: string}
                tags: {type: array, items: {type: string}}
      responses:
        "200": {description: ok}
"#;

/// SEARCH with a maximum lowered, an enum value removed, a new required parameter and two body
/// fields made required.
fn search_tightened() -> String {
    SEARCH
        .replace("maximum: 100", "maximum: 50")
        .replace("enum: [price, name]", "enum: [price]")
        .replace(
            "        - {name: sort",
            "        - {name: region, in: query, required: true, schema: {type: string}}\n        - {name: sort",
        )
        .replace(
            "              properties:\n                q:",
            "              required: [q, page]\n              properties:\n                q:",
        )
}

#[test]
fn request_side_tightening() {
    let new = search_tightened();
    let mut got = rules(&run(SEARCH, &new));
    got.sort();
    assert_eq!(
        got,
        vec![
            "shape.request.constraint-tightened ",
            "shape.request.enum-value-removed ",
            "shape.request.field-added-required /page",
            "shape.request.field-became-required /q",
            "shape.request.parameter-added-required ",
        ]
    );
    // Loosening the same things is never breaking.
    assert_eq!(rules(&run(&new, SEARCH)), Vec::<String>::new());
}

const CONTRACT: &str = r#"vow: 1
consumer: web
provider: shop
interactions:
  - id: search-cheap
    description: searches by price
    request:
      method: POST
      path: /search
      query: {limit: "20", sort: price}
      body: {q: socks}
    response:
      status: 200
"#;

#[test]
fn changes_are_graded_by_the_consumers_that_use_them() {
    let new = SEARCH
        .replace("maximum: 100", "maximum: 10")
        .replace("enum: [price, name]", "enum: [price]");
    let contract = parse_contract("web.yaml", CONTRACT, SourceFormat::Yaml).unwrap();
    let (old, new) = (spec(SEARCH), spec(&new));
    let report = diff(
        ("old.yaml", &old),
        ("new.yaml", &new),
        &[SourcedContract {
            source: "web.yaml",
            contract: &contract,
        }],
        &options(),
    );
    let graded: Vec<(String, String, usize)> = report
        .changes
        .iter()
        .map(|c| {
            (
                c.rule.id.to_owned(),
                c.severity.to_string(),
                c.affected.len(),
            )
        })
        .collect();
    // limit=20 breaks the new maximum of 10; sort=price is still accepted, so removing `name` from
    // the enum concerns no consumer.
    assert_eq!(
        graded,
        vec![
            (
                "shape.request.constraint-tightened".to_owned(),
                "error".to_owned(),
                1
            ),
            (
                "shape.request.enum-value-removed".to_owned(),
                "info".to_owned(),
                0
            ),
        ]
    );
    let affected = &report.changes[0].affected[0];
    assert_eq!(affected.consumer, "web");
    assert_eq!(affected.interaction, "search-cheap");
    assert!(affected.reason.contains("limit=20"), "{}", affected.reason);
    assert_eq!(report.summary.affected_consumers, vec!["web"]);
    assert_eq!(report.summary.unused_breaking, 1);
    assert!(!report.passed());
}

const CLOCK: &str = r#"openapi: 3.1.0
info: {title: shop, version: "1"}
paths:
  /old:
    get:
      deprecated: true
      x-sunset: "2026-10-01"
      responses: {"200": {description: ok}}
  /soon:
    get:
      deprecated: true
      x-sunset: "2027-06-30"
      x-stability-level: stable
      responses: {"200": {description: ok}}
  /plain:
    get:
      x-stability-level: stable
      responses: {"200": {description: ok}}
  /kept:
    get:
      responses: {"200": {description: ok}}
"#;

/// CLOCK's next version: only /kept is left, newly deprecated with a near sunset.
const CLOCK_NEXT: &str = r#"openapi: 3.1.0
info: {title: shop, version: "2"}
paths:
  /kept:
    get:
      deprecated: true
      x-sunset: "2026-12-01"
      responses: {"200": {description: ok}}
"#;

#[test]
fn the_deprecation_clock_reads_the_as_of_date() {
    let new = CLOCK_NEXT;
    let mut got: Vec<String> = run(CLOCK, new)
        .changes
        .iter()
        .map(|c| format!("{} {} {}", c.rule.id, c.operation, c.severity))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            "deprecation.newly-deprecated GET /kept info",
            "deprecation.removed-after-sunset GET /old info",
            "deprecation.removed-before-sunset GET /soon error",
            "deprecation.removed-without-deprecation GET /plain error",
            "deprecation.sunset-too-close GET /kept error",
        ]
    );
    // A year later, /soon's sunset has passed and removing it is as announced.
    let later = DiffOptions {
        as_of: NaiveDate::from_ymd_opt(2027, 7, 1).unwrap(),
        deprecation_days: 90,
    };
    let report = diff(("o", &spec(CLOCK)), ("n", &spec(new)), &[], &later);
    let soon = report
        .changes
        .iter()
        .find(|c| c.operation == "GET /soon")
        .unwrap();
    assert_eq!(soon.rule.id, "deprecation.removed-after-sunset");
}

/// CLOCK with /soon's sunset moved earlier and its stability lowered, and /old's sunset deleted.
fn clock_rescheduled() -> String {
    CLOCK
        .replace(
            "x-sunset: \"2027-06-30\"\n      x-stability-level: stable",
            "x-sunset: \"2027-05-01\"\n      x-stability-level: beta",
        )
        .replace(
            "      deprecated: true\n      x-sunset: \"2026-10-01\"\n",
            "      deprecated: true\n",
        )
}

#[test]
fn sunset_moved_earlier_removed_and_stability_decreased() {
    let new = clock_rescheduled();
    let mut got = rules(&run(CLOCK, &new));
    got.sort();
    assert_eq!(
        got,
        vec![
            "deprecation.stability-decreased ",
            "deprecation.sunset-moved-earlier ",
            "deprecation.sunset-removed ",
        ]
    );
}

const ERRORS: &str = r#"openapi: 3.1.0
info: {title: shop, version: "1"}
x-vow-errors:
  rate_limited: {status: 429, kind: retryable, retryAfter: true}
  card_declined: {status: 402, kind: terminal}
  gone_code: {status: 410, kind: terminal}
paths:
  /pay:
    post:
      security: [{oauth: [payments:write]}]
      x-vow-errors: [rate_limited, card_declined, gone_code]
      x-vow-latency: {p50: 20ms, p95: 80ms, p99: 150ms}
      responses: {"201": {description: ok}}
  /open:
    get:
      security: []
      responses: {"200": {description: ok}}
components:
  securitySchemes:
    oauth: {type: oauth2, flows: {clientCredentials: {tokenUrl: "https://a/t", scopes: {payments:write: w, payments:admin: a}}}}
"#;

/// ERRORS with a code remapped, flipped and replaced, a scope added, p99 loosened and /open secured.
fn errors_changed() -> String {
    ERRORS
        .replace("rate_limited: {status: 429, kind: retryable, retryAfter: true}", "rate_limited: {status: 503, kind: terminal}\n  new_code: {status: 409, kind: terminal}")
        .replace("[rate_limited, card_declined, gone_code]", "[rate_limited, card_declined, new_code]")
        .replace("[{oauth: [payments:write]}]", "[{oauth: [payments:write, payments:admin]}]")
        .replace("p99: 150ms", "p99: 400ms")
        .replace("      security: []\n", "      security: [{oauth: [payments:write]}]\n")
}

#[test]
fn errors_auth_and_latency_changes() {
    let new = errors_changed();
    let mut got: Vec<String> = run(ERRORS, &new)
        .changes
        .iter()
        .map(|c| format!("{} {}", c.rule.id, c.operation))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            "auth.scope-added POST /pay",
            "auth.security-added GET /open",
            "errors.code-added POST /pay",
            "errors.code-removed POST /pay",
            "errors.code-status-changed POST /pay",
            "errors.retryability-flipped POST /pay",
            "latency.envelope-loosened POST /pay",
        ]
    );
}

#[test]
fn identical_specs_have_no_changes() {
    for text in [SEARCH, CLOCK, ERRORS] {
        let report = run(text, text);
        assert_eq!(rules(&report), Vec::<String>::new());
        assert!(report.passed());
    }
}

const SHOP: &str = r#"openapi: 3.1.0
info: {title: shop, version: "1"}
x-vow-errors:
  rate_limited: {status: 429, kind: retryable, retryAfter: true}
paths:
  /items:
    post:
      security: [{oauth: [items:write]}, {key: []}]
      x-vow-errors: [rate_limited]
      parameters:
        - {name: tag, in: query, schema: {type: array, items: {type: string}}}
        - {name: trace, in: header, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema:
              oneOf:
                - {type: object, required: [sku], properties: {sku: {type: string}, n: {type: [integer, string]}}}
                - {type: object, required: [bundle], properties: {bundle: {type: string}}}
          application/xml: {}
      responses:
        "201":
          description: created
          headers:
            Location: {required: true, schema: {type: string}}
          content:
            application/json: {schema: {type: object}}
            text/csv: {}
        "202": {description: accepted}
components:
  securitySchemes:
    oauth: {type: oauth2, flows: {clientCredentials: {tokenUrl: "https://a/t", scopes: {items:write: w}}}}
    key: {type: apiKey, in: header, name: X-Key}
"#;

/// SHOP with serialisation, requiredness, media types, statuses, a header, a branch, Retry-After
/// and a security alternative changed.
fn shop_restructured() -> String {
    SHOP
        .replace(
            "{name: tag, in: query, schema",
            "{name: tag, in: query, style: spaceDelimited, schema",
        )
        .replace(
            "{name: trace, in: header, schema",
            "{name: trace, in: header, required: true, schema",
        )
        .replace("      requestBody:\n", "      requestBody:\n        required: true\n")
        .replace("n: {type: [integer, string]}", "n: {type: integer}")
        .replace(
            "                - {type: object, required: [bundle], properties: {bundle: {type: string}}}\n",
            "",
        )
        .replace("          application/xml: {}\n", "")
        .replace("            Location: {required: true, schema: {type: string}}", "            Location: {schema: {type: string}}")
        .replace("            text/csv: {}\n", "")
        .replace("        \"202\": {description: accepted}\n", "")
        .replace("rate_limited: {status: 429, kind: retryable, retryAfter: true}", "rate_limited: {status: 429, kind: retryable}")
        .replace(", {key: []}]", "]")
}

#[test]
fn request_and_response_structure_changes() {
    let new = shop_restructured();
    let mut got = rules(&run(SHOP, &new));
    got.sort();
    assert_eq!(
        got,
        vec![
            "auth.alternative-removed ",
            "errors.retry-after-dropped ",
            "shape.request.body-became-required ",
            "shape.request.media-type-removed ",
            "shape.request.one-of-branch-removed ",
            "shape.request.parameter-became-required ",
            "shape.request.style-changed ",
            "shape.request.type-changed /n",
            "shape.response.header-removed ",
            "shape.response.media-type-removed ",
            "shape.response.status-removed ",
        ]
    );
}

/// Every diff rule is pinned by a case in this file (the cases are replayed here and their rules
/// collected), so a rule cannot exist without a test that produces it.
#[test]
fn every_diff_rule_is_produced_by_some_case() {
    let mut seen = std::collections::BTreeSet::new();
    let mut note = |report: DiffReport| {
        for c in report.changes {
            seen.insert(c.rule.id);
        }
    };
    let cart = |schema: &str, components: &str| cart_spec("3.1.0", &body(schema), components);
    note(run(
        &cart("$ref: '#/components/schemas/Cart'", CART),
        &cart(
            "oneOf:\n  - $ref: '#/components/schemas/Cart'\n  - {type: string}",
            &CART
                .replace("required: [id, total]", "required: [id]")
                .replace("id: {type: string}", "id: {type: [string, integer]}")
                .replace(
                    "note: {type: string}",
                    "note: {type: [string, \"null\"], enum: [a, null]}",
                ),
        ),
    ));
    note(run(
        &cart("$ref: '#/components/schemas/Cart'", CART),
        &cart(
            "$ref: '#/components/schemas/Cart'",
            &CART.replace("        note: {type: string}\n", ""),
        ),
    ));
    note(run(
        &cart(
            "$ref: '#/components/schemas/Cart'",
            "    Cart: {type: object, properties: {s: {enum: [a]}}}\n",
        ),
        &cart(
            "$ref: '#/components/schemas/Cart'",
            "    Cart: {type: object, properties: {s: {enum: [a, b]}}}\n",
        ),
    ));
    note(run(SEARCH, &search_tightened()));
    note(run(ERRORS, &errors_changed()));
    note(run(CLOCK, CLOCK_NEXT));
    note(run(CLOCK, &clock_rescheduled()));
    note(run(SHOP, &shop_restructured()));
    let missing: Vec<&str> = vow_core::rules::DIFF
        .iter()
        .map(|r| r.id)
        .filter(|id| !seen.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "diff rules no case produces: {missing:?}"
    );
}
