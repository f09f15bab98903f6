//! The contract file format has three descriptions that must agree: the parser, the committed JSON
//! Schema (docs/contract-format.schema.json) and the guide (docs/contract-format.md). These tests fail
//! when one of them drifts from the others, and pin the error messages users see.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use vow_core::contract::decode::known_keys;
use vow_core::contract::source::read_source;
use vow_core::contract::{
    BodyExpectation, Generator, Matcher, PathSegment, SourceFormat, decode_contract,
    parse_contract, to_json, to_yaml,
};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn schema() -> Value {
    let text = read(&repo_root().join("docs/contract-format.schema.json"));
    serde_json::from_str(&text).expect("the committed schema is JSON")
}

fn validator() -> jsonschema::Validator {
    jsonschema::options()
        .offline()
        .build(&schema())
        .expect("the committed schema compiles")
}

/// The path shown in messages and snapshots: relative to the repository, with `/` separators.
fn display_path(path: &Path) -> String {
    let relative = path.strip_prefix(repo_root()).unwrap_or(path);
    relative.to_string_lossy().replace('\\', "/")
}

fn format_of(path: &Path) -> SourceFormat {
    path.extension()
        .and_then(|e| e.to_str())
        .and_then(SourceFormat::from_extension)
        .unwrap_or_else(|| panic!("{} has no contract extension", path.display()))
}

/// Contract files under `dir`, recursively, in a stable order. A missing directory has none.
fn contract_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(contract_files(&path));
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .and_then(SourceFormat::from_extension)
            .is_some()
        {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// Checks that `text` is a valid contract for both the parser and the schema.
fn assert_valid(origin: &str, text: &str, format: SourceFormat, validator: &jsonschema::Validator) {
    if let Err(e) = parse_contract(origin, text, format) {
        panic!("the parser rejects a valid contract:\n{e}");
    }
    let value = read_source(text, format).expect("readable").value;
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "the schema rejects {origin}:\n{}",
        errors.join("\n")
    );
}

/// Fenced ```yaml and ```json blocks of a Markdown file, with the line each starts on.
fn fenced_blocks(markdown: &str) -> Vec<(usize, SourceFormat, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, SourceFormat, String)> = None;
    for (index, line) in markdown.lines().enumerate() {
        match current.take() {
            Some(block) if line.trim_start().starts_with("```") => blocks.push(block),
            Some((start, format, mut text)) => {
                text.push_str(line);
                text.push('\n');
                current = Some((start, format, text));
            }
            None => {
                let fence = line.trim_start();
                current = match fence {
                    "```yaml" | "```yml" => Some((index + 1, SourceFormat::Yaml, String::new())),
                    "```json" => Some((index + 1, SourceFormat::Json, String::new())),
                    _ => None,
                };
            }
        }
    }
    blocks
}

#[test]
fn every_full_contract_in_the_guide_parses_and_fits_the_schema() {
    let validator = validator();
    let guide = read(&repo_root().join("docs/contract-format.md"));
    let mut checked = 0;
    let mut formats = BTreeSet::new();
    for (line, format, text) in fenced_blocks(&guide) {
        // Fragments (a single block or rule) are explained in context; only full contracts are checked.
        let Ok(document) = read_source(&text, format) else {
            continue;
        };
        if document.value.get("vow").is_none() {
            continue;
        }
        let origin = format!("docs/contract-format.md:{line}");
        assert_valid(&origin, &text, format, &validator);
        checked += 1;
        formats.insert(format!("{format:?}"));
    }
    assert!(
        checked >= 3,
        "the guide should hold several full contracts, found {checked}"
    );
    assert_eq!(
        formats.len(),
        2,
        "the guide should show YAML and JSON contracts"
    );
}

#[test]
fn every_committed_and_valid_fixture_contract_parses_and_fits_the_schema() {
    let validator = validator();
    let root = repo_root();
    let valid_fixtures = contract_files(&root.join("fixtures/contracts/valid"));
    assert!(
        valid_fixtures.len() >= 3,
        "expected valid fixtures, found {}",
        valid_fixtures.len()
    );
    for path in valid_fixtures
        .iter()
        .chain(&contract_files(&root.join("contracts")))
    {
        assert_valid(
            &display_path(path),
            &read(path),
            format_of(path),
            &validator,
        );
    }
}

#[test]
fn every_invalid_fixture_is_rejected_with_a_located_message() {
    let validator = validator();
    let dir = repo_root().join("fixtures/contracts/invalid");
    let files = contract_files(&dir);
    assert!(
        files.len() >= 15,
        "expected at least 15 invalid fixtures, found {}",
        files.len()
    );
    for path in files {
        let origin = display_path(&path);
        let text = read(&path);
        let format = format_of(&path);
        let error = match parse_contract(&origin, &text, format) {
            Ok(_) => panic!("the parser accepts the invalid fixture {origin}"),
            Err(e) => e,
        };
        assert!(
            !error.problems.is_empty(),
            "{origin}: an error without problems"
        );

        // A `# semantic` fixture breaks a rule the schema cannot express (a regex that does not
        // compile, a duplicate id); every other one must be rejected by the schema too.
        let semantic = text
            .lines()
            .next()
            .is_some_and(|l| l.starts_with("# semantic"));
        if let Ok(document) = read_source(&text, format) {
            let schema_accepts = validator.is_valid(&document.value);
            if semantic {
                assert!(
                    schema_accepts,
                    "{origin} is marked semantic but the schema rejects it"
                );
            } else {
                assert!(
                    !schema_accepts,
                    "the schema accepts the invalid fixture {origin}"
                );
            }
        }

        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .replace('.', "_");
        insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(format!("invalid__{name}"), error.to_string());
        });
    }
}

#[test]
fn the_decoders_known_keys_equal_the_schemas_properties() {
    let schema = schema();
    let defs = schema["$defs"].as_object().expect("$defs");
    let mut covered = BTreeSet::new();
    for (kind, keys) in known_keys() {
        let properties: BTreeSet<&str> = defs
            .get(kind)
            .and_then(|d| d["properties"].as_object())
            .unwrap_or_else(|| panic!("the schema has no $defs/{kind}/properties"))
            .keys()
            .map(String::as_str)
            .collect();
        let decoder: BTreeSet<&str> = keys.iter().copied().collect();
        assert_eq!(
            decoder, properties,
            "known keys of {kind} differ between decoder and schema"
        );
        covered.insert(kind.to_owned());
    }
    // Every closed object kind in the schema is one the decoder knows.
    let closed: BTreeSet<String> = defs
        .iter()
        .filter(|(_, d)| d["additionalProperties"] == Value::Bool(false))
        .map(|(name, _)| name.clone())
        .collect();
    assert_eq!(
        closed, covered,
        "closed object kinds differ between decoder and schema"
    );
}

#[test]
fn a_full_contract_decodes_into_the_model() {
    let path = repo_root().join("fixtures/contracts/valid/checkout-web-shop-api.yaml");
    let contract = parse_contract("checkout", &read(&path), SourceFormat::Yaml).expect("valid");
    assert_eq!(contract.consumer, "checkout-web");
    let get_cart = contract
        .interactions
        .iter()
        .find(|i| i.id == "get-cart")
        .expect("get-cart");
    assert_eq!(get_cart.request.query.get("include").map(Vec::len), Some(2));
    assert_eq!(get_cart.given[0].params["cartId"], "c-1001");
    let content_type = &get_cart.response.headers[0];
    assert_eq!(content_type.name, "Content-Type");
    assert!(
        matches!(&content_type.rules[0].matcher, Matcher::Equals { value } if value == "application/json")
    );
    let Some(BodyExpectation::Example { rules, .. }) = &get_cart.response.body else {
        panic!("get-cart judges its body by example");
    };
    let id_rule = rules
        .iter()
        .find(|r| r.path.text == "/id")
        .expect("a rule for /id");
    let Matcher::Regex { compiled, .. } = &id_rule.rules[0].matcher else {
        panic!("regex")
    };
    // Regexes match in full: a prefix of a valid id is not enough.
    assert!(compiled.0.is_match("c-1001"));
    assert!(!compiled.0.is_match("xc-1001"));
    let quantity = rules
        .iter()
        .find(|r| r.path.text == "/items/*/quantity")
        .expect("quantity");
    assert_eq!(quantity.path.segments[1], PathSegment::Any);
    // Interactions without their own block fall back to the contract's defaults.
    let effective = contract.effective(get_cart);
    assert_eq!(effective.latency.map(|l| l.timeout.as_millis()), Some(800));
}

#[test]
fn decoding_an_embedded_value_reports_pointers_without_positions() {
    let value = serde_json::json!({
        "vow": 1,
        "consumer": "checkout-web",
        "provider": "shop-api",
        "interactions": [{
            "id": "get-cart",
            "description": "Fetch a cart",
            "request": {"method": "get", "path": "/carts/c-1"},
            "response": {"status": 200}
        }]
    });
    let error = decode_contract("fixture.yaml#/contract", &value).expect_err("lowercase method");
    assert_eq!(error.problems.len(), 1);
    let problem = &error.problems[0];
    assert_eq!(problem.pointer, "/interactions/0/request/method");
    assert_eq!(problem.position, None);
    assert_eq!(problem.hint.as_deref(), Some("write it in uppercase: GET"));
}

#[test]
fn path_patterns_unescape_and_regexes_anchor_alternations() {
    let text = r#"
vow: 1
consumer: checkout-web
provider: shop-api
interactions:
  - id: get-prices
    description: Read unit prices
    request: {method: GET, path: /prices, query: {page: 2, all: true}}
    response:
      status: 200
      body:
        rules:
          /: {match: type}
          /unit~1price/*/a~0b: {match: number}
          /currency: {match: regex, regex: "EUR|USD"}
"#;
    let contract = parse_contract("prices.yaml", text, SourceFormat::Yaml).expect("valid");
    let interaction = &contract.interactions[0];
    assert_eq!(interaction.request.query["page"], ["2"]);
    assert_eq!(interaction.request.query["all"], ["true"]);
    let Some(BodyExpectation::Example { rules, .. }) = &interaction.response.body else {
        panic!("rules");
    };
    assert!(rules[0].path.segments.is_empty(), "/ is the whole body");
    assert_eq!(
        rules[1].path.segments,
        [
            PathSegment::Key("unit/price".to_owned()),
            PathSegment::Any,
            PathSegment::Key("a~b".to_owned()),
        ]
    );
    let Matcher::Regex { pattern, compiled } = &rules[2].rules[0].matcher else {
        panic!("regex")
    };
    assert_eq!(pattern, "EUR|USD");
    assert!(compiled.0.is_match("USD"));
    assert!(
        !compiled.0.is_match("EURO"),
        "the anchor covers both alternatives"
    );
}

/// Damaged contracts must produce problems, never a panic: every line of every valid fixture is
/// dropped or has its value replaced by something of another type.
#[test]
fn damaged_contracts_never_panic() {
    const REPLACEMENTS: [&str; 7] = [
        "[]",
        "{}",
        "null",
        "-1",
        "\"x\"",
        "1.5e400",
        "[{match: regex}]",
    ];
    for path in contract_files(&repo_root().join("fixtures/contracts/valid")) {
        let text = read(&path);
        let format = format_of(&path);
        let lines: Vec<&str> = text.lines().collect();
        for index in 0..lines.len() {
            let mut variants = Vec::new();
            let without: Vec<&str> = lines
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != index)
                .map(|(_, l)| *l)
                .collect();
            variants.push(without.join("\n"));
            if let Some((key, _)) = lines[index].split_once(": ") {
                for replacement in REPLACEMENTS {
                    let mut changed = lines.clone();
                    let line = format!("{key}: {replacement}");
                    changed[index] = &line;
                    variants.push(changed.join("\n"));
                }
            }
            for variant in variants {
                let _ = parse_contract("damaged", &variant, format);
            }
        }
    }
}

#[test]
fn rules_with_the_same_pattern_share_one_compiled_regex() {
    let text = "vow: 1\nconsumer: a\nprovider: b\ninteractions:\n  - id: one\n    description: d\n    request: {method: GET, path: /x}\n    response:\n      status: 200\n      body:\n        rules:\n          /a: {match: regex, regex: \"[a-z]+\"}\n          /b: {match: regex, regex: \"[a-z]+\"}\n          /c: {match: regex, regex: \"[0-9]+\"}\n";
    let contract = parse_contract("shared.yaml", text, SourceFormat::Yaml).expect("valid contract");
    let BodyExpectation::Example { rules, .. } = contract.interactions[0]
        .response
        .body
        .as_ref()
        .expect("a body")
    else {
        panic!("an example body");
    };
    let compiled: Vec<&std::sync::Arc<regex::Regex>> = rules
        .iter()
        .map(|r| match &r.rules[0].matcher {
            Matcher::Regex { compiled, .. } => &compiled.0,
            other => panic!("a regex rule, found {other:?}"),
        })
        .collect();
    assert!(
        std::sync::Arc::ptr_eq(compiled[0], compiled[1]),
        "same pattern, one regex"
    );
    assert!(
        !std::sync::Arc::ptr_eq(compiled[0], compiled[2]),
        "another pattern, another regex"
    );
}

/// Every full contract the repository holds (the guide's, the valid fixtures, the example contracts),
/// with where it comes from.
fn every_committed_contract() -> Vec<(String, String, SourceFormat)> {
    let root = repo_root();
    let mut contracts: Vec<(String, String, SourceFormat)> =
        contract_files(&root.join("contracts"))
            .into_iter()
            .chain(contract_files(&root.join("fixtures/contracts/valid")))
            .map(|path| (display_path(&path), read(&path), format_of(&path)))
            .collect();
    let guide = read(&root.join("docs/contract-format.md"));
    for (line, format, text) in fenced_blocks(&guide) {
        let is_contract = read_source(&text, format).is_ok_and(|d| d.value.get("vow").is_some());
        if is_contract {
            contracts.push((format!("docs/contract-format.md:{line}"), text, format));
        }
    }
    contracts
}

#[test]
fn every_committed_contract_survives_encoding_as_yaml_and_as_json() {
    let validator = validator();
    let contracts = every_committed_contract();
    assert!(contracts.len() >= 10, "found {} contracts", contracts.len());
    for (origin, text, format) in contracts {
        let contract = parse_contract(&origin, &text, format).expect("valid");
        for (encoded, format) in [
            (to_yaml(&contract), SourceFormat::Yaml),
            (to_json(&contract), SourceFormat::Json),
        ] {
            assert!(
                encoded.starts_with(if format == SourceFormat::Yaml {
                    "vow: 1\n"
                } else {
                    "{\n  \"vow\": 1,"
                }),
                "{origin} encoded as {format:?} does not lead with the format version:\n{encoded}"
            );
            assert_valid(&origin, &encoded, format, &validator);
            let again = parse_contract(&origin, &encoded, format).unwrap_or_else(|e| {
                panic!("{origin} encoded as {format:?} is invalid:\n{e}\n{encoded}")
            });
            assert_eq!(
                again, contract,
                "{origin} changed through {format:?}:\n{encoded}"
            );
        }
    }
}

/// Values a YAML writer easily gets wrong: strings that read as other scalars, keys that need
/// quoting, text over several lines, big and fractional numbers, empty containers.
#[test]
fn awkward_values_survive_encoding() {
    let text = r##"{
      "vow": 1, "consumer": "c", "provider": "p",
      "interactions": [{
        "id": "awkward",
        "description": "line one\nline two: with a colon\n  indented # not a comment\n",
        "given": [{"state": "yes", "params": {"null": null, "~": "~", "n": "007", "f": "1e3"}}],
        "request": {
          "method": "POST", "path": "/a b/ü/%2F",
          "query": {"on": "off", "list": ["true", "", " padded "], "-dash": "*star"},
          "headers": {"X-Number": "12", "X-Hash": "#tag", "X-Quote": "it's \"quoted\""},
          "body": {"big": 18446744073709551615, "neg": -9223372036854775808, "f": 0.1, "e": 1e300,
                   "whole": 2.0, "empty": {}, "none": [], "nested": [[1, [2]], {"": ""}],
                   "tab\tkey": "tab\tvalue", "unicode": "→ ✓ \u0007"}
        },
        "response": {
          "status": 200,
          "headers": {"ETag": "\"v1\"", "X-Rule": {"match": "equals", "value": "7"}},
          "body": {
            "example": {"id": "123", "when": "2026-11-21", "yes": "no"},
            "rules": {"": {"match": "type"}, "/~1slash/~0tilde": [{"match": "integer", "min": -1.0, "max": 2}],
                      "/n": {"match": "number", "min": 0.5}, "/*": {"match": "oneOf", "values": [null, "null", 1.5]}},
            "generators": {"/id": {"generate": "uuid"}, "/n": {"generate": "integer", "min": -5, "max": 5},
                           "/d": {"generate": "decimal", "digits": 6}, "/h": {"generate": "hex"},
                           "/s": {"generate": "string", "size": 12}, "/r": {"generate": "regex", "regex": "c-[0-9]{4}"},
                           "/b": {"generate": "boolean"}, "/when": {"generate": "date", "format": "%d/%m/%Y"},
                           "/t": {"generate": "time"}, "/at": {"generate": "datetime"}}
          }
        },
        "latency": {"timeout": "1s 500ms", "percentile": 99.9,
                    "retries": {"attempts": 2, "backoff": "100ms", "multiplier": 1.5, "maxBackoff": "1s"},
                    "deadline": "1m 30s", "repeatable": true},
        "auth": {"scheme": "apiKey", "probes": false},
        "deprecation": {"operation": true, "parameters": ["on"], "sunset": "2027-03-31"}
      }]
    }"##;
    let contract = parse_contract("awkward.json", text, SourceFormat::Json).expect("valid");
    let yaml = to_yaml(&contract);
    let again = parse_contract("awkward.yaml", &yaml, SourceFormat::Yaml)
        .unwrap_or_else(|e| panic!("{e}\n{yaml}"));
    assert_eq!(again, contract, "through YAML:\n{yaml}");
    let json = to_json(&contract);
    let again = parse_contract("awkward.json", &json, SourceFormat::Json)
        .unwrap_or_else(|e| panic!("{e}\n{json}"));
    assert_eq!(again, contract, "through JSON:\n{json}");
    insta::assert_snapshot!("awkward_values_as_yaml", yaml);
}

#[test]
fn generators_are_read_with_their_parameters_and_refused_when_wrong() {
    let text = "vow: 1\nconsumer: c\nprovider: p\ninteractions:\n  - id: g\n    description: d\n    \
                request: {method: GET, path: /}\n    response:\n      status: 200\n      body:\n        \
                example: {id: x}\n        generators:\n          /id: {generate: uuid}\n          \
                /n: {generate: integer, min: 1, max: 9}\n";
    let contract = parse_contract("g.yaml", text, SourceFormat::Yaml).expect("valid");
    let Some(BodyExpectation::Example { generators, .. }) = &contract.interactions[0].response.body
    else {
        panic!("an example body");
    };
    assert_eq!(
        generators
            .iter()
            .map(|g| (g.path.text.as_str(), g.generator.clone()))
            .collect::<Vec<_>>(),
        vec![
            ("/id", Generator::Uuid),
            (
                "/n",
                Generator::Integer {
                    min: Some(1),
                    max: Some(9)
                }
            ),
        ]
    );
    let bad = text
        .replace("{generate: uuid}", "{generate: uuidv4}")
        .replace("min: 1, max: 9", "min: 9, max: 1, places: 2");
    let error = parse_contract("g.yaml", &bad, SourceFormat::Yaml).expect_err("invalid");
    insta::assert_snapshot!("generator_problems", error.to_string());
    let with_schema = text.replace("example: {id: x}", "schema: {type: object}");
    let error = parse_contract("g.yaml", &with_schema, SourceFormat::Yaml).expect_err("invalid");
    assert!(
        error
            .to_string()
            .contains("either example and rules, or schema"),
        "{error}"
    );
}
