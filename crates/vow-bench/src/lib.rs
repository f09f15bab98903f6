//! Generates the inputs of the `vow verify` benchmark (scripts/bench-verify): N stateless GET
//! interactions over shop-api's seed catalogue, written once as a vow contract and once as an
//! equivalent Pact v3 file, so vow, a bare HTTP loop and the Pact verifier replay the same requests
//! and judge the same expectations.
//!
//! Each expectation is declared once, as a [`Check`] at a place in the body, and rendered into both
//! formats from that single declaration; that keeps the two files equivalent by construction.
//!
//! The broker benchmark's seeder (`seed-broker`, `scripts/bench-broker`) is [`seed`].

pub mod seed;

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

/// The credential set the generated contract names (configured in the repository's `vow.toml`), and
/// the environment variable that set reads: the bare loop sends the same token, so both sides do the
/// same work.
pub const CREDENTIALS: &str = "storefront-web";
pub const TOKEN_ENV: &str = "SHOP_API_STOREFRONT_TOKEN";
/// The example provider's published demo token for that set (written into the pact, which cannot
/// read the environment).
pub const DEMO_TOKEN: &str = "storefront-web-demo-token";

/// The consumer named in the generated contract and pact.
pub const CONSUMER: &str = "bench-web";
/// The provider named in the generated contract and pact: vow's example provider.
pub const PROVIDER: &str = "shop-api";
/// File name of the generated vow contract inside the output directory.
pub const CONTRACT_FILE: &str = "bench.shop-api.yaml";
/// File name of the generated Pact file inside the output directory.
pub const PACT_FILE: &str = "bench-shop-api.pact.json";

/// A product as the clean example provider serves it without provider states. Mirrors the seed
/// data in crates/vow-example-provider/src/{catalogue.rs,shop.rs}; the tests of this crate verify
/// the generated contract against that provider, so a drift fails there.
#[derive(Debug, Clone, Copy)]
pub struct Product {
    pub sku: &'static str,
    /// Unit prices in EUR, USD and GBP, in minor units.
    pub prices: [u64; 3],
    /// Units in stock at start-up; `None` for the product seeded out of stock.
    pub stock: Option<u32>,
}

pub const PRODUCTS: [Product; 5] = [
    Product {
        sku: "SKU-RED-MUG",
        prices: [1250, 1390, 1090],
        stock: Some(42),
    },
    Product {
        sku: "SKU-OAK-BOARD",
        prices: [3990, 4490, 3450],
        stock: Some(8),
    },
    Product {
        sku: "SKU-BLUE-TEE",
        prices: [2400, 2700, 2100],
        stock: Some(184),
    },
    Product {
        sku: "SKU-STEEL-BOTTLE",
        prices: [1995, 2195, 1750],
        stock: None,
    },
    Product {
        sku: "SKU-LINEN-APRON",
        prices: [2900, 3250, 2550],
        stock: Some(14),
    },
];

/// Currency codes in the order of [`Product::prices`], with their price-tag symbols.
pub const CURRENCIES: [(&str, &str); 3] = [("EUR", "€"), ("USD", "$"), ("GBP", "£")];

/// Volume tiers: minimum quantity and percentage off, the same for every product.
const VOLUME_DISCOUNTS: [(u32, u64); 3] = [(1, 0), (10, 10), (50, 20)];

/// Warehouses in the order the inventory endpoint lists them.
const WAREHOUSES: [&str; 2] = ["AMS1", "DUB1"];

/// One expectation at one place of a response body, renderable as a vow rule and as Pact
/// matching rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// A string matching the pattern in full.
    Regex(&'static str),
    /// A decimal string with two places (`"12.50"`).
    Money,
    /// A JSON integer of at least 0.
    Count,
    /// An RFC 3339 date-time string.
    DateTime,
    /// A `YYYY-MM-DD` date string.
    Date,
    /// JSON `null`.
    Null,
    /// An array of at least one element, each shaped like the example's first.
    NonEmptyList,
    /// An object whose keys are digit strings and whose values are money.
    MoneyByQuantity,
}

const SKU_PATTERN: &str = "SKU-[A-Z]+(-[A-Z]+)*";
const MONEY_PATTERN: &str = "-?[0-9]+[.][0-9]{2}";

impl Check {
    /// The rule as the value of a `rules` entry in a vow contract, in YAML flow style.
    fn vow_rule(self) -> String {
        match self {
            Check::Regex(pattern) => format!("{{match: regex, regex: {}}}", quoted(pattern)),
            Check::Money => "{match: decimal, places: 2}".into(),
            Check::Count => "{match: integer, min: 0}".into(),
            Check::DateTime => "{match: datetime}".into(),
            Check::Date => "{match: date}".into(),
            Check::Null => "{match: \"null\"}".into(),
            Check::NonEmptyList => "{match: type, min: 1}".into(),
            Check::MoneyByQuantity => format!(
                "[{{match: eachKey, rules: {{match: regex, regex: {}}}}}, \
                 {{match: eachValue, rules: {{match: decimal, places: 2}}}}]",
                quoted("[0-9]+")
            ),
        }
    }

    /// The Pact v3 matching rules for the JSON path `path`: `(path, matcher)` pairs.
    ///
    /// Pact v3 has no bounds on `integer`, no decimal matcher for strings and no way to match map
    /// keys (`eachKey` is v4), so those become the nearest v3 rule: `integer`, a money regex, and
    /// `values` with a regex on every value.
    fn pact_rules(self, path: &str) -> Vec<(String, Value)> {
        let one = |matcher: Value| vec![(path.to_owned(), matcher)];
        match self {
            Check::Regex(pattern) => one(json!({"match": "regex", "regex": anchored(pattern)})),
            Check::Money => one(json!({"match": "regex", "regex": anchored(MONEY_PATTERN)})),
            Check::Count => one(json!({"match": "integer"})),
            Check::DateTime => {
                one(json!({"match": "timestamp", "timestamp": "yyyy-MM-dd'T'HH:mm:ssXXX"}))
            }
            Check::Date => one(json!({"match": "date", "date": "yyyy-MM-dd"})),
            Check::Null => one(json!({"match": "null"})),
            Check::NonEmptyList => one(json!({"match": "type", "min": 1})),
            Check::MoneyByQuantity => vec![
                (path.to_owned(), json!({"match": "values"})),
                (
                    format!("{path}.*"),
                    json!({"match": "regex", "regex": anchored(MONEY_PATTERN)}),
                ),
            ],
        }
    }
}

/// A regex that must match in full under Pact's find-anywhere semantics.
fn anchored(pattern: &str) -> String {
    format!("^(?:{pattern})$")
}

/// A YAML double-quoted scalar; JSON string syntax is a subset of it.
fn quoted(text: &str) -> String {
    Value::from(text).to_string()
}

/// An expectation placed in the body: the vow path pattern and the Pact JSON path of one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub pointer: &'static str,
    pub json_path: &'static str,
    pub check: Check,
}

const fn at(pointer: &'static str, json_path: &'static str, check: Check) -> Placed {
    Placed {
        pointer,
        json_path,
        check,
    }
}

/// One generated interaction: a stateless GET with a 200 JSON answer.
#[derive(Debug, Clone)]
pub struct BenchInteraction {
    pub id: String,
    pub description: String,
    pub path: String,
    pub query: Vec<(&'static str, &'static str)>,
    /// The expected body; compared by equality except where `checks` say otherwise.
    pub example: Value,
    pub checks: Vec<Placed>,
}

/// The `n` benchmark interactions: the price of each product in each currency and the inventory
/// of each product (20 distinct requests), repeated in turn until there are `n`.
pub fn interactions(n: usize) -> Vec<BenchInteraction> {
    let mut variants = Vec::new();
    for product in &PRODUCTS {
        for currency in 0..CURRENCIES.len() {
            variants.push((product, Some(currency)));
        }
        variants.push((product, None));
    }
    (0..n)
        .map(|i| {
            let (product, currency) = variants[i % variants.len()];
            let seq = i + 1;
            match currency {
                Some(currency) => price(product, currency, seq),
                None => inventory(product, seq),
            }
        })
        .collect()
}

fn money(minor: u64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

fn price(product: &Product, currency: usize, seq: usize) -> BenchInteraction {
    let (code, symbol) = CURRENCIES[currency];
    let base = product.prices[currency];
    let tiers: Map<String, Value> = VOLUME_DISCOUNTS
        .iter()
        .map(|&(min_quantity, percent_off)| {
            let unit = (base * (100 - percent_off) + 50) / 100;
            (min_quantity.to_string(), Value::from(money(unit)))
        })
        .collect();
    BenchInteraction {
        id: format!(
            "price-{}-{}-{seq:04}",
            product.sku.to_ascii_lowercase(),
            code.to_ascii_lowercase()
        ),
        description: format!(
            "Show the {code} price of {} with its volume tiers (#{seq})",
            product.sku
        ),
        path: format!("/prices/{}", product.sku),
        query: vec![("currency", code)],
        example: json!({
            "sku": product.sku,
            "currency": code,
            "amount": money(base),
            "formatted": format!("{symbol}{}", money(base)),
            "validUntil": "2026-11-22T00:00:00Z",
            "tiers": tiers,
        }),
        checks: vec![
            at("/sku", "$.sku", Check::Regex(SKU_PATTERN)),
            at("/amount", "$.amount", Check::Money),
            at(
                "/formatted",
                "$.formatted",
                Check::Regex("[€$£][0-9]+[.][0-9]{2}"),
            ),
            at("/validUntil", "$.validUntil", Check::DateTime),
            at("/tiers", "$.tiers", Check::MoneyByQuantity),
        ],
    }
}

fn inventory(product: &Product, seq: usize) -> BenchInteraction {
    let available = product.stock.unwrap_or(0);
    let second = available / 2;
    let split = [available - second, second];
    let warehouses: Vec<Value> = WAREHOUSES
        .iter()
        .zip(split)
        .map(|(code, units)| json!({"code": code, "available": units}))
        .collect();
    let (restock_example, restock_check) = match product.stock {
        Some(_) => (Value::Null, Check::Null),
        None => (Value::from("2026-12-05"), Check::Date),
    };
    BenchInteraction {
        id: format!("inventory-{}-{seq:04}", product.sku.to_ascii_lowercase()),
        description: format!("Show the stock of {} per warehouse (#{seq})", product.sku),
        path: format!("/inventory/{}", product.sku),
        query: Vec::new(),
        example: json!({
            "sku": product.sku,
            "available": available,
            "warehouses": warehouses,
            "restockDate": restock_example,
        }),
        checks: vec![
            at("/sku", "$.sku", Check::Regex(SKU_PATTERN)),
            at("/available", "$.available", Check::Count),
            at("/warehouses", "$.warehouses", Check::NonEmptyList),
            at(
                "/warehouses/*/code",
                "$.warehouses[*].code",
                Check::Regex("[A-Z]{3}[0-9]"),
            ),
            at(
                "/warehouses/*/available",
                "$.warehouses[*].available",
                Check::Count,
            ),
            at("/restockDate", "$.restockDate", restock_check),
        ],
    }
}

/// The vow contract (format 1, YAML) holding `interactions`.
pub fn vow_contract(interactions: &[BenchInteraction]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Generated by `bench-contracts` (crates/vow-bench) for scripts/bench-verify: {} \
         stateless GET interactions.\n# Regenerate instead of editing.",
        interactions.len()
    );
    let _ = writeln!(
        out,
        "vow: 1\nconsumer: {CONSUMER}\nprovider: {PROVIDER}\ndefaults:\n  auth: {{scheme: bearer, \
         scopes: [catalogue:read, inventory:read], credentials: {CREDENTIALS}, probes: false}}\n\
         interactions:"
    );
    for interaction in interactions {
        let _ = writeln!(out, "  - id: {}", interaction.id);
        let _ = writeln!(out, "    description: {}", quoted(&interaction.description));
        let _ = writeln!(out, "    request:\n      method: GET");
        let _ = writeln!(out, "      path: {}", interaction.path);
        if !interaction.query.is_empty() {
            let pairs: Vec<String> = interaction
                .query
                .iter()
                .map(|(name, value)| format!("{name}: {}", quoted(value)))
                .collect();
            let _ = writeln!(out, "      query: {{{}}}", pairs.join(", "));
        }
        let _ = writeln!(out, "      headers: {{Accept: application/json}}");
        let _ = writeln!(out, "    response:\n      status: 200");
        let _ = writeln!(out, "      headers: {{Content-Type: application/json}}");
        let _ = writeln!(out, "      body:");
        let _ = writeln!(out, "        example: {}", interaction.example);
        let _ = writeln!(out, "        rules:");
        for placed in &interaction.checks {
            let _ = writeln!(
                out,
                "          {}: {}",
                placed.pointer,
                placed.check.vow_rule()
            );
        }
    }
    out
}

/// The Pact specification v3 file holding `interactions`, with the equivalent matching rules.
pub fn pact(interactions: &[BenchInteraction]) -> Value {
    let interactions: Vec<Value> = interactions
        .iter()
        .map(|interaction| {
            let mut request = json!({
                "method": "GET",
                "path": interaction.path,
                "headers": {"Accept": "application/json", "Authorization": format!("Bearer {DEMO_TOKEN}")},
            });
            if !interaction.query.is_empty() {
                let mut query = Map::new();
                for (name, value) in &interaction.query {
                    query.insert((*name).to_owned(), json!([value]));
                }
                request["query"] = Value::Object(query);
            }
            let mut body_rules = Map::new();
            for placed in &interaction.checks {
                for (path, matcher) in placed.check.pact_rules(placed.json_path) {
                    body_rules.insert(path, json!({"matchers": [matcher], "combine": "AND"}));
                }
            }
            json!({
                "description": interaction.description,
                "request": request,
                "response": {
                    "status": 200,
                    "headers": {"Content-Type": "application/json"},
                    "body": interaction.example,
                    "matchingRules": {"body": body_rules},
                },
            })
        })
        .collect();
    json!({
        "consumer": {"name": CONSUMER},
        "provider": {"name": PROVIDER},
        "interactions": interactions,
        "metadata": {
            "pactSpecification": {"version": "3.0.0"},
            "vow-bench": {"generator": "bench-contracts"},
        },
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use vow_core::contract::{SourceFormat, parse_contract};

    use super::*;

    #[test]
    fn ids_and_descriptions_are_unique() {
        let generated = interactions(1000);
        assert_eq!(generated.len(), 1000);
        let ids: HashSet<_> = generated.iter().map(|i| i.id.as_str()).collect();
        let descriptions: HashSet<_> = generated.iter().map(|i| i.description.as_str()).collect();
        assert_eq!(ids.len(), 1000);
        assert_eq!(descriptions.len(), 1000);
    }

    #[test]
    fn the_contract_parses_with_every_interaction_and_rule() {
        let generated = interactions(40);
        let contract = parse_contract(CONTRACT_FILE, &vow_contract(&generated), SourceFormat::Yaml)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(contract.consumer, CONSUMER);
        assert_eq!(contract.provider, PROVIDER);
        assert_eq!(contract.interactions.len(), 40);
        let first = &contract.interactions[0];
        assert_eq!(first.id, "price-sku-red-mug-eur-0001");
        assert_eq!(first.request.path, "/prices/SKU-RED-MUG");
        assert_eq!(first.request.query["currency"], ["EUR"]);
        assert_eq!(
            contract.interactions[3].request.path,
            "/inventory/SKU-RED-MUG"
        );
    }

    #[test]
    fn the_pact_states_the_same_requests_and_bodies() {
        let generated = interactions(20);
        let pact = pact(&generated);
        let items = pact["interactions"].as_array().unwrap();
        assert_eq!(items.len(), 20);
        for (interaction, item) in generated.iter().zip(items) {
            assert_eq!(item["request"]["path"], interaction.path.as_str());
            assert_eq!(item["response"]["body"], interaction.example);
        }
        assert_eq!(
            items[0]["response"]["matchingRules"]["body"]["$.tiers.*"]["matchers"][0]["regex"],
            "^(?:-?[0-9]+[.][0-9]{2})$"
        );
        assert_eq!(items[0]["request"]["query"], json!({"currency": ["EUR"]}));
        assert_eq!(pact["metadata"]["pactSpecification"]["version"], "3.0.0");
    }
}
