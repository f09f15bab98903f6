//! The contents the seeder stores: vow contracts (what a consumer reads from a provider) and
//! provider specs (OpenAPI 3.1 bundles), generated from names and revision numbers so the same
//! inputs always give the same bytes, and so the broker's compatibility check has real work to do.
//!
//! A provider exposes a few resources (`GET /{resource}/{id}`), each with a set of fields; a spec
//! revision adds fields over time and never removes one. A consumer's contract reads some of them;
//! a small share of contract revisions read a field no spec has, so some answers are "no".

use serde_json::{Map, Value, json};

use super::rng::mix;

/// Resource names a provider's API is made of.
const RESOURCES: [&str; 16] = [
    "orders",
    "carts",
    "prices",
    "accounts",
    "invoices",
    "shipments",
    "items",
    "users",
    "sessions",
    "tickets",
    "payments",
    "refunds",
    "products",
    "reviews",
    "coupons",
    "addresses",
];

/// Fields every resource has, with an example value and the rule a consumer would put on it.
const FIELDS: [(&str, &str); 10] = [
    ("id", "string"),
    ("status", "string"),
    ("createdAt", "datetime"),
    ("updatedAt", "datetime"),
    ("total", "decimal"),
    ("currency", "string"),
    ("quantity", "integer"),
    ("owner", "string"),
    ("reference", "string"),
    ("note", "string"),
];

/// One in this many contract revisions reads a field the provider never had.
const BROKEN_REVISION_EVERY: u64 = 29;

/// The resources of a provider's API: 3 to 6 of [`RESOURCES`], chosen by the provider's name.
pub fn resources(seed: u64, provider: &str) -> Vec<&'static str> {
    let h = mix(seed, &[hash_str(provider)]);
    let n = 3 + (h % 4) as usize;
    let start = (h >> 8) as usize % RESOURCES.len();
    let step = 1 + 2 * ((h >> 16) as usize % 7); // odd, so coprime with 16
    (0..n)
        .map(|i| RESOURCES[(start + i * step) % RESOURCES.len()])
        .collect()
}

/// A stable 64-bit hash of a name (FNV-1a), for deriving choices from names.
pub fn hash_str(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn example(kind: &str, resource: &str, field: &str) -> Value {
    match kind {
        "datetime" => json!("2026-11-02T10:00:00Z"),
        "decimal" => json!("25.00"),
        "integer" => json!(2),
        _ if field == "id" => json!(format!("{}-1001", &resource[..1])),
        _ if field == "currency" => json!("EUR"),
        _ => json!(format!("{field} of {resource}")),
    }
}

fn rule(kind: &str) -> Value {
    match kind {
        "datetime" => json!({"match": "datetime"}),
        "decimal" => json!({"match": "decimal", "places": 2}),
        "integer" => json!({"match": "integer", "min": 0}),
        _ => json!({"match": "type"}),
    }
}

/// Whether the contract revision reads a field its provider never had (so verifying it fails and
/// the compatibility check finds a shape error).
pub fn reads_missing_field(seed: u64, consumer: &str, provider: &str, revision: u64) -> bool {
    let pair = mix(seed, &[hash_str(consumer), hash_str(provider)]);
    mix(pair, &[revision]).is_multiple_of(BROKEN_REVISION_EVERY)
}

/// The contract `consumer` publishes toward `provider` at its revision `revision`: 2 to 4
/// interactions over the provider's resources, each reading a few fields. Revisions differ in the
/// fields read, the descriptions and the timeouts; every so often one reads a field the provider
/// does not have.
pub fn contract(seed: u64, consumer: &str, provider: &str, revision: u64) -> Value {
    let pair = mix(seed, &[hash_str(consumer), hash_str(provider)]);
    let resources = resources(seed, provider);
    let n = (2 + pair % 3).min(resources.len() as u64) as usize;
    let mut interactions = Vec::with_capacity(n);
    for i in 0..n {
        let resource = resources[(pair as usize / 7 + i) % resources.len()];
        let r = mix(pair, &[revision, i as u64]);
        let mut body = Map::new();
        let mut rules = Map::new();
        // `id` always, then three to five more fields, chosen by the revision.
        let wanted = 3 + (r % 3) as usize;
        for (k, &(field, kind)) in FIELDS.iter().enumerate() {
            if k == 0 || ((r >> (k + 4)) & 1 == 1 && body.len() <= wanted) {
                body.insert(field.to_owned(), example(kind, resource, field));
                rules.insert(format!("/{field}"), rule(kind));
            }
        }
        if i == 0 && reads_missing_field(seed, consumer, provider, revision) {
            body.insert("legacyCode".to_owned(), json!("L-1"));
        }
        interactions.push(json!({
            "id": format!("get-{resource}"),
            "description": format!(
                "{consumer} shows one of {provider}'s {resource} (contract revision {revision})"
            ),
            "request": {
                "method": "GET",
                "path": format!("/{resource}/{}-1001", &resource[..1]),
                "headers": {"Accept": "application/json"},
            },
            "response": {
                "status": 200,
                "headers": {"Content-Type": "application/json"},
                "body": {"example": Value::Object(body), "rules": Value::Object(rules)},
            },
            "latency": {"timeout": format!("{}ms", 200 + (r % 8) * 50)},
        }));
    }
    json!({
        "vow": 1,
        "consumer": consumer,
        "provider": provider,
        "interactions": interactions,
    })
}

/// The spec `provider` publishes at its spec revision `revision`, as the bundle the broker
/// stores (one document). Every revision has every field of [`FIELDS`] and `revision % 6` more;
/// `note` is deprecated, with a sunset in 2027 that moves with the revision.
pub fn spec(seed: u64, provider: &str, revision: u64) -> Value {
    let mut paths = Map::new();
    for resource in resources(seed, provider) {
        let mut properties = Map::new();
        for &(field, kind) in &FIELDS {
            let schema = match kind {
                "datetime" => json!({"type": "string", "format": "date-time"}),
                "decimal" => json!({"type": "string", "pattern": "^[0-9]+\\.[0-9]{2}$"}),
                "integer" => json!({"type": "integer", "minimum": 0}),
                // Deprecated, with a sunset by revision, so that the deprecation windows of
                // the consumers that read it have rows to build.
                _ if field == "note" => json!({
                    "type": "string",
                    "deprecated": true,
                    "x-sunset": format!("2027-{:02}-28", 1 + revision % 12),
                }),
                _ => json!({"type": "string"}),
            };
            properties.insert(field.to_owned(), schema);
        }
        for extra in 0..revision % 6 {
            properties.insert(format!("added{extra}"), json!({"type": "string"}));
        }
        let required: Vec<&str> = FIELDS.iter().map(|f| f.0).collect();
        paths.insert(
            format!("/{resource}/{{id}}"),
            json!({"get": {
                "operationId": format!("get-{resource}"),
                "summary": format!("One of the {resource}"),
                "parameters": [
                    {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {
                        "description": format!("The {resource} item"),
                        "content": {"application/json": {"schema": {
                            "type": "object",
                            "required": required,
                            "properties": Value::Object(properties),
                        }}},
                    },
                },
                "x-vow-latency": {"p50": "5ms", "p95": "25ms", "p99": "60ms"},
            }}),
        );
    }
    let document = json!({
        "openapi": "3.1.0",
        "info": {"title": provider, "version": format!("{revision}.0.0")},
        "paths": Value::Object(paths),
    });
    json!({"formatVersion": 1, "root": "openapi.json", "documents": {"openapi.json": document}})
}

#[cfg(test)]
mod tests {
    use super::*;
    use vow_core::contract::decode_contract;
    use vow_core::spec::Bundle;

    #[test]
    fn contracts_and_specs_read_and_revisions_differ() {
        for revision in 0..40 {
            let c = contract(7, "checkout-web", "orders-api", revision);
            decode_contract("generated", &c).expect("a valid contract");
            let bundle: Bundle = serde_json::from_value(spec(7, "orders-api", revision)).unwrap();
            bundle.spec("generated").expect("a valid spec");
        }
        assert_ne!(
            contract(7, "checkout-web", "orders-api", 1),
            contract(7, "checkout-web", "orders-api", 2)
        );
        assert_eq!(
            contract(7, "checkout-web", "orders-api", 3),
            contract(7, "checkout-web", "orders-api", 3)
        );
    }
}
