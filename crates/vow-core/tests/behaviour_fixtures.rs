//! Runs every case in fixtures/behaviour/: a contract with one interaction, one behavioural check
//! (`check`), what it judges (an observed response, or latency samples), and the findings expected
//! (rule, pointer, and severity when not the rule's default). The full findings (and, for samples,
//! the latency summary) are snapshotted so that messages, hints and rendered values are reviewed
//! too.
//!
//! `observed.body` is written as YAML and sent as JSON text; `bodyText` gives the body verbatim.
//! Deprecation cases give `asOf` (YYYY-MM-DD) and `warningDays`. The checks of the provider's own
//! promises (`spec-errors`, `spec-envelope`) give the provider's OpenAPI document as `spec`, and
//! judge against the operation the interaction's method and path resolve to.

mod fixture;

use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use serde_json::{Value, json};
use vow_core::behaviour::{self, DeprecationPolicy};
use vow_core::contract::{DimensionStatements, SourceFormat};
use vow_core::spec::{Lookup, Operation, Spec, parse_spec};
use vow_core::{Finding, Interaction, ObservedResponse, rules};

/// What a case judges.
enum Input {
    Observed(ObservedResponse),
    Samples(Vec<Duration>),
    Nothing,
}

struct Case {
    name: String,
    description: String,
    check: String,
    interaction: Interaction,
    statements: DimensionStatements,
    input: Input,
    policy: Option<DeprecationPolicy>,
    spec: Option<Spec>,
    expected: Vec<fixture::Expected>,
}

/// The checks a fixture may name, and what each needs.
const CHECKS: [&str; 9] = [
    "error-response",
    "retry-safety",
    "budget",
    "samples",
    "unauthenticated",
    "insufficient-scope",
    "deprecation",
    "spec-errors",
    "spec-envelope",
];

fn load(path: &Path) -> Case {
    let file = fixture::load(path);
    let (name, value, contract) = (file.name, file.value, file.contract);
    let interaction = contract.interactions[0].clone();
    let statements = contract.effective(&interaction);

    let check = value["check"]
        .as_str()
        .unwrap_or_else(|| panic!("{name}: check"))
        .to_owned();
    assert!(
        CHECKS.contains(&check.as_str()),
        "{name}: unknown check {check}"
    );
    let input = match (&value["observed"], &value["samplesMs"]) {
        (Value::Null, Value::Array(samples)) => Input::Samples(
            samples
                .iter()
                .map(|s| {
                    let ms = s
                        .as_f64()
                        .unwrap_or_else(|| panic!("{name}: samplesMs holds numbers"));
                    Duration::from_secs_f64(ms / 1000.0)
                })
                .collect(),
        ),
        (Value::Null, Value::Null) => Input::Nothing,
        (observed, Value::Null) => Input::Observed(fixture::observed_response(
            &name,
            observed,
            Value::to_string,
        )),
        _ => panic!("{name}: give observed or samplesMs, not both"),
    };
    let policy = value["asOf"].as_str().map(|as_of| DeprecationPolicy {
        as_of: NaiveDate::parse_from_str(as_of, "%Y-%m-%d")
            .unwrap_or_else(|e| panic!("{name}: asOf: {e}")),
        warning_days: value["warningDays"]
            .as_u64()
            .and_then(|d| u32::try_from(d).ok())
            .unwrap_or_else(|| panic!("{name}: warningDays")),
    });

    let spec = match &value["spec"] {
        Value::Null => None,
        document => Some(
            parse_spec(&name, &document.to_string(), SourceFormat::Json)
                .unwrap_or_else(|e| panic!("{name}: the spec does not build: {e}")),
        ),
    };

    let expected = fixture::expected(&name, &value);

    Case {
        name,
        description: value["description"].as_str().unwrap_or_default().to_owned(),
        check,
        interaction,
        statements,
        input,
        policy,
        spec,
        expected,
    }
}

fn run(case: &Case) -> (Vec<Finding>, Value) {
    let name = &case.name;
    let observed = || match &case.input {
        Input::Observed(o) => o,
        _ => panic!("{name}: {} needs observed", case.check),
    };
    let findings = match case.check.as_str() {
        "error-response" => {
            let errors = case
                .statements
                .errors
                .as_ref()
                .unwrap_or_else(|| panic!("{name}: error-response needs an errors block"));
            behaviour::check_error_response(&case.interaction, errors, observed())
        }
        "retry-safety" => behaviour::check_retry_safety(&case.interaction, &case.statements),
        "budget" => behaviour::check_budget(latency(case)),
        "samples" => {
            let Input::Samples(samples) = &case.input else {
                panic!("{name}: samples needs samplesMs");
            };
            let (summary, findings) = behaviour::check_samples(latency(case), samples);
            let snapshot = json!({"summary": summary, "findings": findings});
            return (findings, snapshot);
        }
        "unauthenticated" => behaviour::check_unauthenticated(observed()),
        "insufficient-scope" => behaviour::check_insufficient_scope(observed()),
        "deprecation" => behaviour::check_deprecation(
            case.statements.deprecation.as_ref(),
            observed(),
            case.policy
                .unwrap_or_else(|| panic!("{name}: deprecation needs asOf and warningDays")),
        ),
        "spec-errors" => {
            let (spec, operation) = spec_operation(case);
            behaviour::check_error_promises(spec, operation, observed())
        }
        "spec-envelope" => {
            let Input::Samples(samples) = &case.input else {
                panic!("{name}: spec-envelope needs samplesMs");
            };
            let (_, operation) = spec_operation(case);
            let summary = behaviour::summarize(samples);
            let findings = summary
                .as_ref()
                .map(|s| behaviour::check_latency_envelope(operation, s))
                .unwrap_or_default();
            let snapshot = json!({"summary": summary, "findings": findings});
            return (findings, snapshot);
        }
        other => panic!("{name}: unknown check {other}"),
    };
    let snapshot = json!(findings);
    (findings, snapshot)
}

/// The fixture's spec and the operation its interaction resolves to.
fn spec_operation(case: &Case) -> (&Spec, &Operation) {
    let name = &case.name;
    let spec = case
        .spec
        .as_ref()
        .unwrap_or_else(|| panic!("{name}: {} needs a spec", case.check));
    let request = &case.interaction.request;
    match spec.lookup(request.method.as_str(), &request.path) {
        Lookup::Found { operation, .. } => (spec, &spec.operations[operation]),
        other => panic!("{name}: the spec has no operation for the request: {other:?}"),
    }
}

fn latency(case: &Case) -> &vow_core::contract::LatencyStatement {
    case.statements
        .latency
        .as_ref()
        .unwrap_or_else(|| panic!("{}: {} needs a latency block", case.name, case.check))
}

#[test]
fn every_behaviour_fixture_yields_its_findings() {
    let paths = fixture::paths("behaviour");
    assert!(
        paths.len() >= 25,
        "expected at least 25 fixtures, found {}",
        paths.len()
    );
    let cases: Vec<Case> = paths.iter().map(|p| load(p)).collect();

    let mut failures = Vec::new();
    for case in &cases {
        let (findings, _) = run(case);
        for f in &findings {
            assert_eq!(
                f.location.interaction, None,
                "{}: the engine names the interaction, not the check",
                case.name
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
        let (_, snapshot) = run(case);
        insta::with_settings!({ description => case.description.clone(), omit_expression => true }, {
            insta::assert_json_snapshot!(case.name.clone(), snapshot);
        });
    }
}

/// Every behavioural rule is exercised by some fixture, failing, and every check passes in some.
#[test]
fn the_fixtures_cover_every_behavioural_rule_and_a_passing_case_of_every_check() {
    let cases: Vec<Case> = fixture::paths("behaviour")
        .iter()
        .map(|p| load(p))
        .collect();
    let exercised: std::collections::BTreeSet<&str> = cases
        .iter()
        .flat_map(|c| c.expected.iter().map(|(rule, _, _)| rule.as_str()))
        .collect();
    // Static rules (`vow check`, `vow diff`) are covered by their own tests.
    let uncovered: Vec<&str> = rules::VERIFY
        .iter()
        .chain(rules::VERIFY_SPEC)
        .filter(|r| r.dimension != vow_core::Dimension::Shape)
        .map(|r| r.id)
        .filter(|id| !exercised.contains(id))
        .collect();
    assert!(
        uncovered.is_empty(),
        "rules without a fixture: {uncovered:?}"
    );
    for check in CHECKS {
        assert!(
            cases
                .iter()
                .any(|c| c.check == check && c.expected.is_empty()),
            "no passing fixture for {check}"
        );
    }
}

/// Damaged headers and bodies must produce findings, never a panic: every prefix of every header
/// value and body in the fixtures, and every value with one character dropped, goes through the
/// fixture's check.
#[test]
fn damaged_responses_never_panic() {
    for path in fixture::paths("behaviour") {
        let mut case = load(&path);
        let Input::Observed(original) = &case.input else {
            continue;
        };
        let original = original.clone();
        let mut variants = Vec::new();
        for (index, (_, value)) in original.headers.iter().enumerate() {
            for damaged in damaged(value) {
                let mut observed = original.clone();
                observed.headers[index].1 = damaged;
                variants.push(observed);
            }
        }
        for damaged in damaged(&String::from_utf8_lossy(&original.body)) {
            let mut observed = original.clone();
            observed.body = damaged.into_bytes();
            variants.push(observed);
        }
        for observed in variants {
            case.input = Input::Observed(observed);
            let _ = run(&case);
        }
    }
}

/// Every prefix of `text`, and `text` without each one of its characters.
fn damaged(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    for cut in 0..chars.len() {
        out.push(chars[..cut].iter().collect());
        out.push(
            chars
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != cut)
                .map(|(_, c)| *c)
                .collect(),
        );
    }
    out
}
