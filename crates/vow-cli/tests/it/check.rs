//! `vow check`: contracts against a provider spec, statically, in every output format — a small spec
//! the contract keeps, one the contract breaks in every dimension, the example contracts against
//! the example provider's spec, and bad input (located errors, exit 2).

use std::fs;
use std::process::Output;

use crate::support::{AS_OF, transcript, vow};

const PASS_SPEC: &str = "fixtures/specs/check/pass/orders-api.yaml";
const PASS_CONTRACT: &str = "fixtures/specs/check/pass/shipping-web.orders-api.yaml";
const FAIL_SPEC: &str = "fixtures/specs/check/fail/payments-api.yaml";
const FAIL_CONTRACT: &str = "fixtures/specs/check/fail/checkout-app.payments-api.yaml";
const BROKEN: &str = "fixtures/specs/check/broken";

fn check(spec: &str, contracts: &[&str], extra: &[&str]) -> Output {
    let mut args = vec!["check", "--spec", spec, "--as-of", AS_OF];
    args.extend_from_slice(extra);
    args.extend_from_slice(contracts);
    vow(&args)
}

fn report(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not a JSON report ({e}):\n{}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

fn findings(report: &serde_json::Value) -> Vec<&serde_json::Value> {
    report["contracts"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["interactions"].as_array().into_iter().flatten())
        .flat_map(|i| i["findings"].as_array().into_iter().flatten())
        .collect()
}

#[test]
fn a_contract_that_keeps_the_spec_passes() {
    let output = check(PASS_SPEC, &[PASS_CONTRACT], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    insta::assert_snapshot!(transcript(&output));
    let json = report(&check(PASS_SPEC, &[PASS_CONTRACT], &["--format", "json"]));
    assert!(findings(&json).is_empty(), "{json:#}");
}

#[test]
fn a_contract_that_breaks_the_spec_fails_in_every_dimension() {
    let output = check(FAIL_SPEC, &[FAIL_CONTRACT], &[]);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    insta::assert_snapshot!(transcript(&output));

    let json = report(&check(FAIL_SPEC, &[FAIL_CONTRACT], &["--format", "json"]));
    let all = findings(&json);
    for dimension in ["shape", "errors", "latency", "auth", "deprecation"] {
        assert!(
            all.iter()
                .any(|f| f["dimension"] == dimension && f["severity"] == "error"),
            "no error in the {dimension} dimension: {json:#}"
        );
    }
}

#[test]
fn every_format_of_the_failing_check() {
    for format in ["json", "markdown", "github", "junit", "sarif"] {
        let output = check(FAIL_SPEC, &[FAIL_CONTRACT], &["--format", format]);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{format}: {}",
            transcript(&output)
        );
        assert!(
            output.stderr.is_empty(),
            "{format}: {}",
            transcript(&output)
        );
        insta::assert_snapshot!(
            format!("format_{format}"),
            String::from_utf8_lossy(&output.stdout)
        );
    }
}

#[test]
fn the_json_report_matches_its_committed_schema() {
    let validator = crate::support::report_schema("check-report.schema.json");
    let runs: [(&str, &[&str]); 3] = [
        (PASS_SPEC, &[PASS_CONTRACT]),
        (FAIL_SPEC, &[FAIL_CONTRACT]),
        ("specs/shop-api.yaml", &["contracts/"]),
    ];
    for (spec, contracts) in runs {
        let json = report(&check(spec, contracts, &["--format", "json"]));
        let errors = crate::support::violations(&validator, &json);
        assert!(
            errors.is_empty(),
            "{spec}: the report violates docs/check-report.schema.json: {errors:#?}"
        );
    }
}

#[test]
fn annotations_and_sarif_results_point_at_contract_lines() {
    let github = check(FAIL_SPEC, &[FAIL_CONTRACT], &["--format", "github"]);
    let text = String::from_utf8_lossy(&github.stdout);
    // The retried terminal code is on line 31 of the contract, its `retry` key in column 46.
    let line = text
        .lines()
        .find(|l| l.contains("errors.retryability-mismatch"))
        .unwrap_or_else(|| panic!("no retryability annotation:\n{text}"));
    assert!(
        line.starts_with(&format!("::error file={FAIL_CONTRACT},line=31,col=46,")),
        "{line}"
    );

    let sarif = report(&check(FAIL_SPEC, &[FAIL_CONTRACT], &["--format", "sarif"]));
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for r in results {
        let id = r["ruleId"].as_str().expect("ruleId");
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules.get(index), Some(&id), "{r:#}");
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap_or("")));
        let location = &r["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], FAIL_CONTRACT);
        assert!(
            location["region"]["startLine"].as_u64().unwrap_or(0) > 0,
            "{r:#}"
        );
    }
    for rule in run["tool"]["driver"]["rules"].as_array().expect("rules") {
        let uri = rule["helpUri"].as_str().expect("helpUri");
        assert!(uri.contains("docs/rules.md#"), "{uri}");
        assert!(rule["shortDescription"]["text"].as_str().is_some());
    }
}

#[test]
fn the_example_contracts_keep_the_example_providers_spec() {
    let output = check(
        "specs/shop-api.yaml",
        &["contracts/"],
        &["--format", "json"],
    );
    let json = report(&output);
    let errors: Vec<&serde_json::Value> = findings(&json)
        .into_iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(json["summary"]["contracts"], 3);
    assert_eq!(json["spec"]["title"], "shop-api");
    // Human output exits the same way.
    let human = check("specs/shop-api.yaml", &["contracts/"], &[]);
    assert_eq!(human.status.code(), Some(0), "{}", transcript(&human));
}

#[test]
fn a_path_no_operation_matches_is_a_finding_not_bad_input() {
    let output = check(
        PASS_SPEC,
        &[&format!("{BROKEN}/unknown-path.orders-api.yaml")],
        &[],
    );
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn broken_specs_exit_2_with_every_problem_located() {
    for (name, place) in [
        ("syntax-error", "syntax-error.yaml:7:3"),
        (
            "bad-sunset",
            "bad-sunset.yaml:7:7 /paths/~1orders/get/x-sunset",
        ),
        ("unresolvable-ref", "unresolvable-ref.yaml:11:24"),
        ("remote-ref", "remote-ref.yaml:11:24"),
    ] {
        let spec = format!("{BROKEN}/{name}.yaml");
        let output = check(&spec, &[PASS_CONTRACT], &[]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{name}: {}",
            transcript(&output)
        );
        assert!(output.stdout.is_empty(), "{name}: {}", transcript(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(place), "{name}: {stderr}");
        insta::assert_snapshot!(format!("broken_{name}"), transcript(&output));
    }
}

#[test]
fn a_missing_spec_file_exits_2() {
    let output = check(
        &format!("{BROKEN}/no-such-spec.yaml"),
        &[PASS_CONTRACT],
        &[],
    );
    assert_eq!(output.status.code(), Some(2), "{}", transcript(&output));
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn spec_and_contract_problems_are_reported_together() {
    let dir = tempfile::tempdir().expect("temp dir");
    let contract = dir.path().join("typo.yaml");
    fs::write(
        &contract,
        "vow: 1\nconsumer: web\nprovider: orders-api\ninteractions:\n  - id: a\n    descripton: x\n    request: {method: GET, path: /x}\n    response: {status: 200}\n",
    )
    .expect("write");
    let contract = contract.to_string_lossy().into_owned();
    let output = check(&format!("{BROKEN}/bad-sunset.yaml"), &[&contract], &[]);
    assert_eq!(output.status.code(), Some(2), "{}", transcript(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad-sunset.yaml:7:7"), "{stderr}");
    assert!(stderr.contains("typo.yaml:6:5"), "{stderr}");
}

#[test]
fn consumers_are_selected_and_other_providers_are_flagged() {
    let none = check(PASS_SPEC, &[PASS_CONTRACT], &["--consumer", "mobile-*"]);
    assert_eq!(none.status.code(), Some(2), "{}", transcript(&none));
    assert!(String::from_utf8_lossy(&none.stderr).contains("shipping-web"));

    let selected = check(PASS_SPEC, &[PASS_CONTRACT], &["--consumer", "shipping-*"]);
    assert_eq!(selected.status.code(), Some(0), "{}", transcript(&selected));

    // A contract with another provider is checked all the same, with a warning.
    let other = check(FAIL_SPEC, &[PASS_CONTRACT], &["--format", "json"]);
    let stderr = String::from_utf8_lossy(&other.stderr);
    assert!(
        stderr.contains("warning:") && stderr.contains("\"orders-api\""),
        "{stderr}"
    );
    assert_eq!(report(&other)["summary"]["contracts"], 1);
}

#[test]
fn the_same_input_gives_the_same_output() {
    for format in ["human", "json", "sarif"] {
        let first = check(FAIL_SPEC, &[FAIL_CONTRACT], &["--format", format]);
        let second = check(FAIL_SPEC, &[FAIL_CONTRACT], &["--format", format]);
        assert_eq!(first.stdout, second.stdout, "{format}");
    }
}
