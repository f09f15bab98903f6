//! Runs every case in fixtures/matching/: a contract with one interaction, an observed response and
//! the findings expected (rule, pointer, and severity when not the rule's default), then snapshots the
//! full findings so that messages, hints and rendered values are reviewed too.
//!
//! The observed `body` is written as YAML and sent as JSON text with its members in the order they
//! are written, so fixtures can pin document order; `bodyText` gives the body verbatim instead.

mod fixture;

use std::path::Path;

use saphyr::{LoadableYamlNode, Scalar, Yaml};
use serde_json::Value;
use vow_core::matching::match_response;
use vow_core::{Interaction, ObservedResponse};

struct Case {
    name: String,
    description: String,
    interaction: Interaction,
    observed: ObservedResponse,
    expected: Vec<fixture::Expected>,
}

fn load(path: &Path) -> Case {
    let file = fixture::load(path);
    let name = file.name;
    let observed = fixture::observed_response(&name, &file.value["observed"], |_| {
        ordered_body_json(&file.text, &name)
    });
    Case {
        expected: fixture::expected(&name, &file.value),
        description: file.value["description"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        interaction: file.contract.interactions.into_iter().next().unwrap(),
        observed,
        name,
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

#[test]
fn every_matching_fixture_yields_its_findings() {
    let paths = fixture::paths("matching");
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
        failures.extend(fixture::mismatch(
            &case.name,
            &case.description,
            &case.expected,
            &findings,
        ));
    }
    fixture::assert_all_passed(&failures);

    for case in &cases {
        let findings = match_response(&case.interaction, &case.observed);
        insta::with_settings!({ description => case.description.clone(), omit_expression => true }, {
            insta::assert_json_snapshot!(case.name.clone(), findings);
        });
    }
}
