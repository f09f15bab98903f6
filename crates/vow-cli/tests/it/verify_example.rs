//! `vow verify` of the example contracts against the example provider: the clean provider passes
//! with zero findings, and every fault the provider can inject is caught by the rule meant for it.

use vow_example_provider::Fault;

use crate::support::{Provider, json_report, rule_ids, transcript, verify};

/// The rule that must catch each fault; `None` for faults the contracts must tolerate.
fn expected_rule(fault: Fault) -> Option<&'static str> {
    match fault.name() {
        "missing-field" => Some("shape.body.field-missing"),
        "wrong-type" => Some("shape.body.type-mismatch"),
        "wrong-status" => Some("shape.status-mismatch"),
        "renamed-header" => Some("shape.header-missing"),
        "wrong-content-type" => Some("shape.header-mismatch"),
        "bad-id-format" => Some("shape.body.regex-mismatch"),
        "bad-date" => Some("shape.body.format-mismatch"),
        "unknown-status" => Some("shape.body.not-one-of"),
        "negative-stock" => Some("shape.body.out-of-range"),
        "empty-items" => Some("shape.body.length-out-of-bounds"),
        "not-json" => Some("shape.body-not-json"),
        "renamed-field" => Some("shape.body.field-missing"),
        "extra-fields" => None,
        "hang" => Some("verify.request-timeout"),
        "huge-body" => Some("verify.body-too-large"),
        "state-setup-fails" => Some("verify.provider-state-failed"),
        other => panic!("fault {other} has no expected rule: add it to this table"),
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
            Some(rule) => {
                assert_eq!(
                    output.status.code(),
                    Some(1),
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
