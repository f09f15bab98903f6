//! `vow verify` of the example contracts against the example provider: the clean provider passes
//! with zero findings, and every fault the provider can inject is caught by the rule meant for it.

use vow_example_provider::Fault;

use crate::support::{Provider, json_report, rule_ids, transcript, verify};

/// How a fault must show: the rule that catches it, and whether that fails the run (a rule whose
/// severity is warning reports without failing). `None` for faults the contracts must tolerate.
fn expected_rule(fault: Fault) -> Option<(&'static str, bool)> {
    let rule = match fault.name() {
        "missing-field" => "shape.body.field-missing",
        "wrong-type" => "shape.body.type-mismatch",
        "wrong-status" => "shape.status-mismatch",
        "renamed-header" => "shape.header-missing",
        "wrong-content-type" => "shape.header-mismatch",
        "bad-id-format" => "shape.body.regex-mismatch",
        "bad-date" => "shape.body.format-mismatch",
        "unknown-status" => "shape.body.not-one-of",
        "negative-stock" => "shape.body.out-of-range",
        "empty-items" => "shape.body.length-out-of-bounds",
        "not-json" => "shape.body-not-json",
        "renamed-field" => "shape.body.field-missing",
        "extra-fields" => return None,
        "hang" => "verify.request-timeout",
        "huge-body" => "verify.body-too-large",
        "state-setup-fails" => "verify.provider-state-failed",
        "wrong-error-code" => "errors.code-mismatch",
        "error-status-remapped" => "errors.status-remapped",
        "missing-retry-after" => "errors.retry-after-missing",
        "bad-retry-after" => "errors.retry-after-invalid",
        "not-problem-json" => "errors.not-problem-json",
        "slow-endpoint" => "latency.percentile-exceeds-timeout",
        "auth-not-required" => "auth.unauthenticated-accepted",
        "scope-ignored" => "auth.scope-not-enforced",
        "www-authenticate-missing" => "auth.www-authenticate-missing",
        "sunset-missing" => return Some(("deprecation.signal-missing", false)),
        "sunset-passed" => "deprecation.sunset-passed",
        "sunset-malformed" => "deprecation.header-malformed",
        other => panic!("fault {other} has no expected rule: add it to this table"),
    };
    Some((rule, true))
}

#[test]
fn the_credentials_the_tests_use_are_the_example_providers_demo_tokens() {
    for (var, token) in crate::support::CREDENTIAL_ENV {
        assert!(
            vow_example_provider::DEMO_TOKENS
                .iter()
                .any(|t| t.token == token),
            "{var} holds {token}, which the example provider does not accept"
        );
    }
}

#[test]
fn clean_provider_passes_every_example_contract_with_no_findings() {
    let provider = Provider::start(&[]);
    let output = verify(&provider, &["contracts/"], &["--format", "json"]);
    let report = json_report(&output);
    assert_eq!(
        rule_ids(&report),
        Vec::<String>::new(),
        "{}",
        transcript(&output)
    );
    assert_eq!(output.status.code(), Some(0));
    assert!(report["summary"]["interactions"].as_u64().unwrap_or(0) >= 10);
    assert_eq!(report["summary"]["failed"], 0);

    let human = verify(&provider, &["contracts/"], &[]);
    insta::assert_snapshot!("clean_provider", transcript(&human));
}

#[test]
fn every_fault_is_caught_by_its_rule() {
    for &fault in Fault::ALL {
        let provider = Provider::start(&[fault]);
        let output = verify(
            &provider,
            &["contracts/"],
            &["--format", "json", "--timeout", "1s"],
        );
        let report = json_report(&output);
        let ids = rule_ids(&report);
        match expected_rule(fault) {
            Some((rule, fails)) => {
                assert_eq!(
                    output.status.code(),
                    Some(if fails { 1 } else { 0 }),
                    "fault {}: {}",
                    fault.name(),
                    transcript(&output)
                );
                assert!(
                    ids.iter().any(|id| id == rule),
                    "fault {} should be caught by {rule}, found {ids:?}",
                    fault.name()
                );
            }
            None => {
                assert_eq!(
                    output.status.code(),
                    Some(0),
                    "fault {}: {}",
                    fault.name(),
                    transcript(&output)
                );
                assert!(
                    ids.is_empty(),
                    "fault {} should pass, found {ids:?}",
                    fault.name()
                );
            }
        }
        let human = verify(&provider, &["contracts/"], &["--timeout", "1s"]);
        insta::assert_snapshot!(format!("fault_{}", fault.name()), transcript(&human));
    }
}

#[test]
fn junit_report_has_a_case_per_interaction_and_a_failure_per_broken_one() {
    let provider = Provider::start(&[Fault::ALL[0]]);
    let output = verify(&provider, &["contracts/"], &["--format", "junit"]);
    let xml = String::from_utf8_lossy(&output.stdout);
    let json = json_report(&verify(&provider, &["contracts/"], &["--format", "json"]));
    let interactions = json["summary"]["interactions"].as_u64().unwrap_or(0) as usize;
    let failed = json["summary"]["failed"].as_u64().unwrap_or(0) as usize;
    assert!(failed > 0);
    assert_eq!(xml.matches("<testcase ").count(), interactions, "{xml}");
    assert_eq!(xml.matches("<failure ").count(), failed, "{xml}");
    // Each failure names the dimension and rule of every finding.
    assert!(
        xml.contains("[shape] shape.body.field-missing at /response/body/total"),
        "{xml}"
    );
    assert!(xml.contains("type=\"shape.body.field-missing\""), "{xml}");
}

#[test]
fn filters_select_interactions_by_consumer_and_id() {
    let provider = Provider::start(&[]);
    let all = json_report(&verify(&provider, &["contracts/"], &["--format", "json"]));
    let consumer = all["contracts"][0]["consumer"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let first_id = all["contracts"][0]["interactions"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let by_consumer = json_report(&verify(
        &provider,
        &["contracts/"],
        &["--format", "json", "--consumer", &consumer],
    ));
    assert_eq!(by_consumer["summary"]["contracts"], 1);

    let by_id = json_report(&verify(
        &provider,
        &["contracts/"],
        &[
            "--format",
            "json",
            "--consumer",
            &consumer,
            "--interaction",
            &first_id,
        ],
    ));
    assert_eq!(by_id["summary"]["interactions"], 1);
    assert_eq!(
        by_id["contracts"][0]["interactions"][0]["id"],
        first_id.as_str()
    );

    let none = verify(
        &provider,
        &["contracts/"],
        &["--interaction", "no-such-interaction"],
    );
    assert_eq!(none.status.code(), Some(2), "{}", transcript(&none));
}

#[test]
fn pull_request_formats_locate_findings_in_the_contract_files() {
    let provider = Provider::start(&["renamed-field".parse().expect("fault")]);
    for format in ["markdown", "github", "sarif"] {
        let output = verify(
            &provider,
            &["contracts/checkout-web.shop-api.yaml"],
            &["--format", format, "--interaction", "get-cart"],
        );
        assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
        let stdout = crate::support::redact(&String::from_utf8_lossy(&output.stdout));
        assert!(
            stdout.contains("shape.body.field-missing"),
            "{format}: {stdout}"
        );
        if format != "markdown" {
            // Annotations point into the contract file, at a line.
            assert!(
                stdout.contains("contracts/checkout-web.shop-api.yaml"),
                "{format}: {stdout}"
            );
        }
        insta::assert_snapshot!(format!("pr_format_{format}"), stdout);
    }
}
