//! Runs every case in fixtures/matching/: a contract with one interaction, an observed response and
//! the findings expected (rule, pointer, and severity when not the rule's default), then snapshots the
//! full findings so that messages, hints and rendered values are reviewed too.
//!
//! The observed `body` is written as YAML and sent as JSON text with its members in the order they
//! are written, so fixtures can pin document order; `bodyText` gives the body verbatim instead.

use std::fs;
use std::path::{Path, PathBuf};

use saphyr::{LoadableYamlNode, Scalar, Yaml};
use serde_json::Value;
use vow_core::contract::SourceFormat;
use vow_core::contract::decode_contract;
use vow_core::contract::source::read_source;
use vow_core::matching::match_response;
use vow_core::{Finding, Interaction, ObservedResponse, rules};

/// One expected finding: rule id, pointer, severity.
type Expected = (String, String, String);

struct Case {
    name: String,
    description: String,
    interaction: Interaction,
    observed: ObservedResponse,
    expected: Vec<Expected>,
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/matching")
}

fn fixture_paths() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(fixture_dir())
        .expect("fixtures/matching exists")
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths
}

fn load(path: &Path) -> Case {
    let name = path.file_stem().unwrap().to_string_lossy().into_owned();
    let text = fs::read_to_string(path).unwrap();
    let doc = read_source(&text, SourceFormat::Yaml)
        .unwrap_or_else(|p| panic!("{name}: not YAML: {p:?}"));
    let value = doc.value;
    let contract = decode_contract(&name, &value["contract"])
        .unwrap_or_else(|e| panic!("{name}: the contract does not decode: {e}"));
    assert_eq!(
        contract.interactions.len(),
        1,
        "{name}: a fixture has exactly one interaction"
    );
    let interaction = contract.interactions.into_iter().next().unwrap();

    let observed = &value["observed"];
    let status = observed["status"]
        .as_u64()
        .unwrap_or_else(|| panic!("{name}: observed.status"));
    let mut headers = Vec::new();
    if let Some(map) = observed["headers"].as_object() {
        for (header, v) in map {
            let values = match v {
                Value::Array(items) => items.iter().map(scalar_text).collect(),
                other => vec![scalar_text(other)],
            };
            headers.extend(values.into_iter().map(|v| (header.to_ascii_lowercase(), v)));
        }
    }
    let body = match (&observed["body"], &observed["bodyText"]) {
        (Value::Null, Value::String(text)) => text.clone().into_bytes(),
        (Value::Null, Value::Null) => Vec::new(),
        (_, Value::Null) => ordered_body_json(&text, &name).into_bytes(),
        _ => panic!("{name}: observed has both body and bodyText"),
    };

    let expected = value["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("{name}: findings must be a list"))
        .iter()
        .map(|f| {
            let rule = f["rule"]
                .as_str()
                .unwrap_or_else(|| panic!("{name}: finding without rule"));
            let default =
                rules::by_id(rule).unwrap_or_else(|| panic!("{name}: unknown rule {rule}"));
            let severity = f["severity"].as_str().unwrap_or(default.severity.as_str());
            (
                rule.to_owned(),
                f["pointer"].as_str().unwrap_or_default().to_owned(),
                severity.to_owned(),
            )
        })
        .collect();

    Case {
        name,
        description: value["description"].as_str().unwrap_or_default().to_owned(),
        interaction,
        observed: ObservedResponse {
            status: u16::try_from(status).unwrap(),
            headers,
            body,
            elapsed: std::time::Duration::ZERO,
        },
        expected,
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `observed.body` as JSON text, members in the order the fixture writes them.
fn ordered_body_json(text: &str, name: &str) -> String {
    let docs = Yaml::load_from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let body = member(member(&docs[0], "observed"), "body");
    let mut out = String::new();
    write_json(body, &mut out);
    out
}

fn member<'a, 'y>(node: &'a Yaml<'y>, key: &str) -> &'a Yaml<'y> {
    match node {
        Yaml::Mapping(map) => map
            .iter()
            .find(|(k, _)| matches!(k, Yaml::Value(Scalar::String(s)) if s == key))
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("no member {key}")),
        _ => panic!("not a mapping where {key} was expected"),
    }
}

fn write_json(node: &Yaml<'_>, out: &mut String) {
    match node {
        Yaml::Value(Scalar::Null) => out.push_str("null"),
        Yaml::Value(Scalar::Boolean(b)) => out.push_str(&b.to_string()),
        Yaml::Value(Scalar::Integer(i)) => out.push_str(&i.to_string()),
        Yaml::Value(Scalar::FloatingPoint(f)) => {
            out.push_str(&Value::from(f.into_inner()).to_string())
        }
        Yaml::Value(Scalar::String(s)) => out.push_str(&Value::String(s.to_string()).to_string()),
        Yaml::Sequence(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Yaml::Mapping(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let key = match k {
                    Yaml::Value(Scalar::String(s)) => s.to_string(),
                    Yaml::Value(Scalar::Integer(n)) => n.to_string(),
                    other => panic!("unsupported key {other:?}"),
                };
                out.push_str(&Value::String(key).to_string());
                out.push(':');
                write_json(v, out);
            }
            out.push('}');
        }
        other => panic!("unsupported YAML in a fixture body: {other:?}"),
    }
}

fn summary(findings: &[Finding]) -> Vec<Expected> {
    findings
        .iter()
        .map(|f| {
            (
                f.rule.id.to_owned(),
                f.location.pointer.clone(),
                f.severity.as_str().to_owned(),
            )
        })
        .collect()
}

#[test]
fn every_matching_fixture_yields_its_findings() {
    let paths = fixture_paths();
    assert!(
        paths.len() >= 30,
        "expected at least 30 fixtures, found {}",
        paths.len()
    );
    let cases: Vec<Case> = paths.iter().map(|p| load(p)).collect();

    let mut failures = Vec::new();
    for case in &cases {
        let findings = match_response(&case.interaction, &case.observed);
        for f in &findings {
            assert_eq!(
                f.location.interaction.as_deref(),
                Some(case.interaction.id.as_str())
            );
        }
        let got = summary(&findings);
        if got != case.expected {
            failures.push(format!(
                "{} ({})\n  expected: {:#?}\n  got:      {:#?}",
                case.name, case.description, case.expected, got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );

    for case in &cases {
        let findings = match_response(&case.interaction, &case.observed);
        insta::with_settings!({ description => case.description.clone(), omit_expression => true }, {
            insta::assert_json_snapshot!(case.name.clone(), findings);
        });
    }
}
