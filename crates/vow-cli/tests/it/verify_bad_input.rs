//! `vow verify` with bad input: unreadable or invalid contracts, unreachable or misbehaving
//! providers. Each ends in a clear error or finding and the documented exit code, never a hang.

use std::fs;

use vow_example_provider::Fault;

use crate::support::{Provider, json_report, root, rule_ids, transcript, verify, vow};

fn fault(name: &str) -> Fault {
    name.parse()
        .unwrap_or_else(|_| panic!("the example provider has no fault {name}"))
}

#[test]
fn unreachable_provider_exits_4_naming_the_url() {
    // Bind then drop a listener to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let url = format!("http://127.0.0.1:{port}");
    let output = vow(&["verify", "--provider-url", &url, "contracts/"]);
    assert_eq!(output.status.code(), Some(4), "{}", transcript(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&url), "{stderr}");
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn invalid_contracts_exit_2_with_every_problem_located() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(
        dir.path().join("typos.yaml"),
        "vow: 1\nconsumer: checkout-web\nprovider: shop-api\ninteractions:\n  - id: get-cart\n    descripton: Fetch a cart\n    request: {method: GET, path: /carts/1}\n    response:\n      status: two hundred\n",
    )
    .expect("write");
    fs::write(
        dir.path().join("broken.json"),
        "{\"vow\": 1, \"consumer\": \"a\",\n  \"provider\": }\n",
    )
    .expect("write");
    let dir_arg = dir.path().to_string_lossy().into_owned();
    let output = vow(&["verify", "--provider-url", "http://127.0.0.1:9", &dir_arg]);
    assert_eq!(output.status.code(), Some(2), "{}", transcript(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("typos.yaml:6:5"),
        "the unknown key is located: {stderr}"
    );
    assert!(stderr.contains("did you mean \"description\"?"), "{stderr}");
    assert!(
        stderr.contains("typos.yaml:9:15"),
        "the bad status is located: {stderr}"
    );
    assert!(
        stderr.contains("broken.json:2"),
        "the JSON syntax error is located: {stderr}"
    );
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn missing_paths_and_unsupported_files_exit_2() {
    let missing = vow(&[
        "verify",
        "--provider-url",
        "http://127.0.0.1:9",
        "no/such/dir",
    ]);
    assert_eq!(missing.status.code(), Some(2), "{}", transcript(&missing));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no/such/dir"));

    let readme = vow(&[
        "verify",
        "--provider-url",
        "http://127.0.0.1:9",
        "README.md",
    ]);
    assert_eq!(readme.status.code(), Some(2), "{}", transcript(&readme));
    assert!(String::from_utf8_lossy(&readme.stderr).contains("not a contract file"));
}

#[test]
fn bad_flags_exit_2() {
    let output = vow(&["verify", "--provider-url", "ftp://x", "contracts/"]);
    assert_eq!(output.status.code(), Some(2), "{}", transcript(&output));
    let output = vow(&[
        "verify",
        "--provider-url",
        "http://127.0.0.1:9",
        "--timeout",
        "soon",
        "contracts/",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", transcript(&output));
}

#[test]
fn a_hanging_provider_is_cut_off_by_the_deadline() {
    let provider = Provider::start(&[fault("hang")]);
    let output = verify(
        &provider,
        &["contracts/"],
        &["--format", "json", "--timeout", "30s", "--deadline", "1s"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    let ids = rule_ids(&json_report(&output));
    assert!(
        ids.iter()
            .any(|id| id == "verify.request-timeout" || id == "verify.deadline-exceeded"),
        "{ids:?}"
    );
}

#[test]
fn a_body_over_the_size_limit_is_a_finding_not_a_crash() {
    let provider = Provider::start(&[]);
    let output = verify(
        &provider,
        &["contracts/"],
        &["--format", "json", "--max-body-size", "16B"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    assert!(
        rule_ids(&json_report(&output))
            .iter()
            .any(|id| id == "verify.body-too-large")
    );
}

#[test]
fn the_json_report_matches_its_committed_schema() {
    let schema_text =
        fs::read_to_string(root().join("docs/verify-report.schema.json")).expect("schema");
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for faults in [vec![], vec![fault("missing-field"), fault("wrong-status")]] {
        let provider = Provider::start(&faults);
        let output = verify(&provider, &["contracts/"], &["--format", "json"]);
        let report = json_report(&output);
        let errors: Vec<String> = validator
            .iter_errors(&report)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "report violates docs/verify-report.schema.json: {errors:#?}"
        );
    }
}

#[test]
fn without_a_states_url_interactions_with_states_are_replayed_with_a_warning() {
    let provider = Provider::start(&[]);
    let output = vow(&[
        "verify",
        "--provider-url",
        &provider.url,
        "--format",
        "json",
        "contracts/",
    ]);
    let report = json_report(&output);
    let mut with_states = 0;
    for contract in report["contracts"].as_array().into_iter().flatten() {
        for interaction in contract["interactions"].as_array().into_iter().flatten() {
            let skipped = interaction["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|f| f["rule"] == "verify.provider-state-skipped")
                .inspect(|f| assert_eq!(f["severity"], "warning"))
                .count();
            with_states += skipped;
            assert!(skipped <= 1, "one warning per interaction: {interaction}");
        }
    }
    // The example contracts name provider states on 11 of their 14 interactions.
    assert_eq!(with_states, 11, "{}", transcript(&output));
    assert_eq!(report["summary"]["warnings"], 11);
    // The seed data differs from what the states would set up, so some interactions honestly fail.
    assert_eq!(output.status.code(), Some(1));
}
