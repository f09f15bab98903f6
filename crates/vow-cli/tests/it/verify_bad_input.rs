//! `vow verify` with bad input: unreadable or invalid contracts, unreachable or misbehaving
//! providers. Each ends in a clear error or finding and the documented exit code, never a hang.

use std::fs;

use vow_example_provider::Fault;

use crate::support::{
    Provider, json_report, root, rule_ids, transcript, unreachable_url, verify, vow,
};

/// How many interactions of the example contracts name provider states.
fn interactions_with_states() -> usize {
    let contracts =
        vow_engine::load_contracts(&[root().join("contracts")]).expect("example contracts load");
    contracts
        .iter()
        .flat_map(|c| &c.contract.interactions)
        .filter(|i| !i.given.is_empty())
        .count()
}

fn fault(name: &str) -> Fault {
    name.parse()
        .unwrap_or_else(|_| panic!("the example provider has no fault {name}"))
}

#[test]
fn unreachable_provider_exits_4_naming_the_url() {
    let url = unreachable_url();
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
    let validator = crate::support::report_schema("verify-report.schema.json");
    for faults in [vec![], vec![fault("missing-field"), fault("wrong-status")]] {
        let provider = Provider::start(&faults);
        let output = verify(&provider, &["contracts/"], &["--format", "json"]);
        let report = json_report(&output);
        let errors = crate::support::violations(&validator, &report);
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
    let stateful = interactions_with_states();
    assert!(stateful > 0);
    assert_eq!(with_states, stateful, "{}", transcript(&output));
    // The seed data differs from what the states would set up, so some interactions honestly fail.
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn dimensions_select_which_checks_run() {
    let provider = Provider::start(&[fault("wrong-error-code")]);
    let all = rule_ids(&json_report(&verify(
        &provider,
        &["contracts/"],
        &["--format", "json"],
    )));
    assert!(all.iter().any(|id| id.starts_with("errors.")), "{all:?}");
    let shape_only = verify(
        &provider,
        &["contracts/"],
        &["--format", "json", "--dimensions", "shape"],
    );
    let ids = rule_ids(&json_report(&shape_only));
    assert!(
        !ids.is_empty(),
        "the shape check still sees the changed code"
    );
    assert!(
        ids.iter()
            .all(|id| id.starts_with("shape.") || id.starts_with("verify.")),
        "{ids:?}"
    );
    let unknown = verify(&provider, &["contracts/"], &["--dimensions", "shape,speed"]);
    assert_eq!(unknown.status.code(), Some(2), "{}", transcript(&unknown));
}

#[test]
fn sampling_reports_percentiles_with_their_sample_count() {
    let provider = Provider::start(&[]);
    let output = verify(
        &provider,
        &["contracts/"],
        &[
            "--format",
            "json",
            "--samples",
            "25",
            "--interaction",
            "get-price",
        ],
    );
    let report = json_report(&output);
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    let latency = &report["contracts"][0]["interactions"][0]["latency"];
    assert_eq!(latency["samples"], 25, "{report}");
    let p50 = latency["p50Ms"].as_f64().unwrap_or(-1.0);
    let p99 = latency["p99Ms"].as_f64().unwrap_or(-1.0);
    let max = latency["maxMs"].as_f64().unwrap_or(-1.0);
    assert!(0.0 <= p50 && p50 <= p99 && p99 <= max, "{latency}");
    // 25 samples are enough for the contract's p95 but the run says when they would not be.
    let ids = rule_ids(&report);
    assert!(
        !ids.iter().any(|id| id == "latency.too-few-samples"),
        "{ids:?}"
    );
    let few = verify(
        &provider,
        &["contracts/"],
        &[
            "--format",
            "json",
            "--samples",
            "5",
            "--interaction",
            "get-price",
        ],
    );
    assert!(
        rule_ids(&json_report(&few))
            .iter()
            .any(|id| id == "latency.too-few-samples")
    );
}

#[test]
fn a_slow_endpoint_is_caught_when_sampled() {
    let provider = Provider::start(&[fault("slow-endpoint")]);
    let output = verify(
        &provider,
        &["contracts/"],
        &[
            "--format",
            "json",
            "--samples",
            "3",
            "--warmup",
            "0",
            "--interaction",
            "get-price",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    let ids = rule_ids(&json_report(&output));
    assert!(
        ids.iter()
            .any(|id| id == "latency.percentile-exceeds-timeout"),
        "{ids:?}"
    );
}

#[test]
fn missing_credentials_stop_the_run_naming_the_variable() {
    let provider = Provider::start(&[]);
    let states = provider.states_url();
    let output = crate::support::vow_with_env(
        &[
            "verify",
            "--provider-url",
            &provider.url,
            "--provider-states-url",
            &states,
            "contracts/",
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(2), "{}", transcript(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("SHOP_API_CHECKOUT_TOKEN"), "{stderr}");
}

#[test]
fn a_failing_credential_command_is_reported_without_its_output() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("vow.toml");
    fs::write(
        &config,
        "[credentials.checkout-web]\ntoken = { command = \"echo super-secret-token; exit 7\" }\n",
    )
    .expect("write");
    let provider = Provider::start(&[]);
    let config_arg = config.to_string_lossy().into_owned();
    let output = verify(
        &provider,
        &["contracts/checkout-web.shop-api.yaml"],
        &["--config", &config_arg],
    );
    assert_eq!(output.status.code(), Some(2), "{}", transcript(&output));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(all.contains("exit status: 7"), "{all}");
    assert!(!all.contains("super-secret-token"), "{all}");
}

/// A provider that answers every request with 500 and echoes the request's Authorization header
/// in its body, as a careless error page might.
fn echo_provider() -> Provider {
    use axum::http::{HeaderMap, StatusCode};
    Provider::app(
        axum::Router::new().fallback(|headers: HeaderMap| async move {
            let auth = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("none")
                .to_owned();
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("failed for {auth}"),
            )
        }),
    )
}

#[test]
fn credentials_never_appear_in_any_report_format() {
    let provider = echo_provider();
    let url = provider.url.clone();
    for format in ["human", "json", "junit"] {
        let output = vow(&[
            "verify",
            "--provider-url",
            &url,
            "--format",
            format,
            "--dimensions",
            "shape",
            "contracts/checkout-web.shop-api.yaml",
        ]);
        assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            all.contains("[redacted]"),
            "the echoed token shows as [redacted] ({format}): {all}"
        );
        for (_, token) in crate::support::CREDENTIAL_ENV {
            assert!(
                !all.contains(token),
                "{token} leaked in the {format} report: {all}"
            );
        }
    }
}

#[test]
fn limited_tokens_are_only_needed_when_a_probe_uses_them() {
    let provider = Provider::start(&[]);
    let states = provider.states_url();
    let held: Vec<(&str, &str)> = crate::support::CREDENTIAL_ENV
        .into_iter()
        .filter(|(var, _)| !var.contains("LIMITED"))
        .collect();
    let args = |dimensions: &'static str| {
        vec![
            "verify",
            "--provider-url",
            provider.url.as_str(),
            "--provider-states-url",
            states.as_str(),
            "--as-of",
            crate::support::AS_OF,
            "--dimensions",
            dimensions,
            "contracts/",
        ]
    };
    let shape = crate::support::vow_with_env(&args("shape"), &held);
    assert_eq!(shape.status.code(), Some(0), "{}", transcript(&shape));
    let auth = crate::support::vow_with_env(&args("shape,auth"), &held);
    assert_eq!(auth.status.code(), Some(2), "{}", transcript(&auth));
    assert!(String::from_utf8_lossy(&auth.stderr).contains("LIMITED_TOKEN"));
}
