//! Measures body matching on a 5 MB JSON array of order lines: time, and peak heap through divan's
//! counting allocator (`max alloc` = the most bytes live at once during one run, on top of the body).
//!
//! Target: well under 100 ms in release, and body + peak heap under 5× the body size.
//! Run: `cargo bench -p vow-core --bench matching`

use std::hint::black_box;
use std::sync::LazyLock;

use divan::counter::BytesCount;
use divan::{AllocProfiler, Bencher};
use serde_json::{Value, json};
use vow_core::contract::{BodyExpectation, Interaction, decode_contract};
use vow_core::matching::match_body;

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

fn main() {
    divan::main();
}

/// How many bytes the generated body holds, at least.
const BODY_BYTES: usize = 5 * 1024 * 1024;

/// `{"orderId": …, "lines": [ … ]}` with order lines of about 180 bytes each until the body reaches
/// 5 MiB (29,063 lines). Every line satisfies the expectations below, so the benchmark measures a
/// full walk rather than an early exit, and findings do not dominate.
static BODY: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let mut body = Vec::with_capacity(BODY_BYTES + 4096);
    body.extend_from_slice(br#"{"orderId":"o-1","currency":"EUR","lines":["#);
    let mut i = 0u32;
    while body.len() < BODY_BYTES {
        if i > 0 {
            body.push(b',');
        }
        let line = format!(
            r#"{{"id":"l-{i:07}","sku":"SKU-{:06}","name":"Widget {i} in blue, size M","quantity":{},"price":"{}.{:02}","createdAt":"2024-05-{:02}T{:02}:{:02}:00Z","warehouse":"berlin-{}","tags":["a","b"]}}"#,
            i % 999_983,
            1 + i % 9,
            i % 500,
            i % 100,
            1 + i % 28,
            i % 24,
            i % 60,
            i % 7,
        );
        body.extend_from_slice(line.as_bytes());
        i += 1;
    }
    body.extend_from_slice(b"]}");
    body
});

fn interaction(body: Value) -> Interaction {
    let contract = json!({
        "vow": 1,
        "consumer": "checkout-web",
        "provider": "shop-api",
        "interactions": [{
            "id": "get-order",
            "description": "Fetch an order",
            "request": {"method": "GET", "path": "/orders/o-1"},
            "response": {"status": 200, "body": body}
        }]
    });
    match decode_contract("bench", &contract) {
        Ok(c) => c.interactions.into_iter().next().expect("one interaction"),
        Err(e) => panic!("the benchmark contract does not decode: {e}"),
    }
}

fn expectation(body: Value) -> BodyExpectation {
    interaction(body).response.body.expect("a body expectation")
}

/// The realistic case: an example plus matchers on every line's fields.
static EXAMPLE_AND_RULES: LazyLock<BodyExpectation> = LazyLock::new(|| {
    expectation(json!({
        "example": {
            "orderId": "o-1",
            "lines": [{"id": "l-0000001", "sku": "SKU-000001", "quantity": 1, "price": "9.99",
                       "createdAt": "2024-05-01T10:00:00Z"}]
        },
        "rules": {
            "/lines": {"match": "eachElement", "min": 1, "rules": [{"match": "type"}]},
            "/lines/*/id": {"match": "regex", "regex": "l-[0-9]{7}"},
            "/lines/*/sku": {"match": "regex", "regex": "SKU-[0-9]{6}"},
            "/lines/*/quantity": {"match": "integer", "min": 1},
            "/lines/*/price": {"match": "decimal", "places": 2},
            "/lines/*/createdAt": {"match": "datetime"}
        }
    }))
});

/// Type matching from the example alone, no leaf matchers.
static TYPE_ONLY: LazyLock<BodyExpectation> = LazyLock::new(|| {
    expectation(json!({
        "example": {
            "orderId": "o-1",
            "lines": [{"id": "l-0000001", "sku": "SKU-000001", "quantity": 1, "price": "9.99",
                       "createdAt": "2024-05-01T10:00:00Z"}]
        },
        "rules": {"/": {"match": "type"}}
    }))
});

/// The same constraints as a JSON Schema (materialises the body, for comparison).
static SCHEMA: LazyLock<BodyExpectation> = LazyLock::new(|| {
    expectation(json!({
        "schema": {
            "type": "object",
            "required": ["orderId", "lines"],
            "properties": {
                "orderId": {"type": "string"},
                "lines": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["id", "sku", "quantity", "price", "createdAt"],
                        "properties": {
                            "id": {"type": "string", "pattern": "^l-[0-9]{7}$"},
                            "sku": {"type": "string", "pattern": "^SKU-[0-9]{6}$"},
                            "quantity": {"type": "integer", "minimum": 1},
                            "price": {"type": "string", "pattern": "^-?[0-9]+\\.[0-9]{2}$"},
                            "createdAt": {"type": "string"}
                        }
                    }
                }
            }
        }
    }))
});

fn run(bencher: Bencher, expectation: &BodyExpectation) {
    let body: &[u8] = &BODY;
    let findings = match_body(expectation, body);
    assert!(
        findings.is_empty(),
        "the benchmark body should match: {findings:#?}"
    );
    bencher
        .counter(BytesCount::new(body.len()))
        .bench(|| match_body(black_box(expectation), black_box(body)));
}

#[divan::bench(sample_count = 30)]
fn example_and_rules_5mb(bencher: Bencher) {
    run(bencher, &EXAMPLE_AND_RULES);
}

#[divan::bench(sample_count = 30)]
fn type_only_5mb(bencher: Bencher) {
    run(bencher, &TYPE_ONLY);
}

#[divan::bench(sample_count = 10)]
fn schema_5mb(bencher: Bencher) {
    run(bencher, &SCHEMA);
}

/// Every line breaks a rule: 25k findings found, 50 kept; memory must stay flat all the same.
static ALL_FAILING: LazyLock<BodyExpectation> = LazyLock::new(|| {
    expectation(json!({
        "rules": {"/lines/*/sku": {"match": "regex", "regex": "ART-[0-9]{6}"}}
    }))
});

#[divan::bench(sample_count = 30)]
fn all_lines_failing_5mb(bencher: Bencher) {
    let body: &[u8] = &BODY;
    let findings = match_body(&ALL_FAILING, body);
    assert_eq!(findings.len(), 51, "50 findings and the truncation notice");
    bencher
        .counter(BytesCount::new(body.len()))
        .bench(|| match_body(black_box(&ALL_FAILING), black_box(body)));
}

/// Reference point: parsing the body into a `serde_json::Value` tree, which the streaming walk avoids.
#[divan::bench(sample_count = 10)]
fn value_tree_5mb(bencher: Bencher) {
    let body: &[u8] = &BODY;
    bencher
        .counter(BytesCount::new(body.len()))
        .bench(|| serde_json::from_slice::<Value>(black_box(body)).map(|v| v.is_object()));
}
