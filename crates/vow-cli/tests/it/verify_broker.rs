//! `vow verify --broker`: the contracts a real `vow broker serve` selects for shop-api, verified
//! against the example provider (clean and with a fault), and with `--publish` the results the
//! broker then holds. Also the usage errors of the mode and a broker that is not there.

use std::process::{Output, Stdio};

use serde_json::Value;
use vow_example_provider::Fault;

use crate::support::{
    AS_OF, Broker, CREDENTIAL_ENV, Provider, client_vow, hash_redacted_transcript, report_schema,
    transcript, unreachable_url, violations,
};

/// The example contracts published as version 1a2b3c of each consumer, on main; checkout-web
/// deployed to production.
fn broker_with_consumers() -> Broker {
    let broker = Broker::start(Stdio::null());
    let url = broker.url();
    let env = [("VOW_BROKER_URL", url.as_str())];
    for step in [
        &[
            "publish",
            "contracts",
            "--version",
            "1a2b3c",
            "--branch",
            "main",
        ][..],
        &[
            "record-deployment",
            "--service",
            "checkout-web",
            "--version",
            "1a2b3c",
            "--to",
            "production",
        ],
    ] {
        let output = client_vow(step, &env);
        assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    }
    broker
}

/// `vow verify --broker` for shop-api against `provider`, with the example's credentials, its
/// states endpoint and a fixed as-of date.
fn verify_broker(broker: &Broker, provider: &Provider, extra: &[&str]) -> Output {
    let url = broker.url();
    let states = provider.states_url();
    let mut args = vec![
        "verify",
        "--broker",
        "--broker-url",
        &url,
        "--provider",
        "shop-api",
        "--provider-url",
        &provider.url,
        "--provider-states-url",
        &states,
        "--as-of",
        AS_OF,
        "--no-progress",
    ];
    args.extend_from_slice(extra);
    client_vow(&args, &CREDENTIAL_ENV)
}

/// The content hash of the contract the consumer's version 1a2b3c published with shop-api.
fn published_hash(broker: &Broker, consumer: &str) -> String {
    let list = broker.get(&format!(
        "/api/v1/services/{consumer}/versions/1a2b3c/contracts"
    ));
    list["contracts"]
        .as_array()
        .and_then(|all| all.iter().find(|c| c["provider"] == "shop-api"))
        .and_then(|c| c["hash"].as_str())
        .unwrap_or_else(|| panic!("no contract with shop-api in {list}"))
        .to_owned()
}

const PUBLISH_2_0_0: [&str; 10] = [
    "--publish",
    "--provider-version",
    "2.0.0",
    "--provider-branch",
    "main",
    "--provider-commit",
    "c0ffee",
    "--build-url",
    "https://ci.example/builds/9",
    // Only the deployed contract: no consumer has a version on this branch.
    "--branches=release",
];

#[test]
fn the_deployed_contract_is_verified_and_its_passing_result_published() {
    let broker = broker_with_consumers();
    let provider = Provider::start(&[]);
    let output = verify_broker(&broker, &provider, &PUBLISH_2_0_0);
    insta::assert_snapshot!("publish_passed", hash_redacted_transcript(&output));
    assert_eq!(output.status.code(), Some(0));

    let version = broker.get("/api/v1/services/shop-api/versions/2.0.0");
    assert_eq!(version["branch"], "main", "{version}");
    assert_eq!(version["commit"], "c0ffee", "{version}");
    assert_eq!(
        version["build_url"], "https://ci.example/builds/9",
        "{version}"
    );
    let results = broker.get("/api/v1/services/shop-api/versions/2.0.0/verifications");
    let results = results["verifications"].as_array().expect("a list");
    assert_eq!(results.len(), 1, "{results:?}");
    let result = &results[0];
    assert_eq!(
        result["contract_hash"],
        published_hash(&broker, "checkout-web").as_str()
    );
    assert_eq!(result["passed"], true, "{result}");
    assert_eq!(result["failed_dimensions"], serde_json::json!([]));
    assert_eq!(result["build_url"], "https://ci.example/builds/9");
    assert_eq!(result["summary"]["interactions"], 9, "{result}");
    assert_eq!(result["summary"]["passed"], 9, "{result}");
    assert_eq!(result["summary"]["failed"], 0, "{result}");
}

#[test]
fn a_failing_verification_is_published_too_naming_the_failed_dimension() {
    let broker = broker_with_consumers();
    let provider = Provider::start(&[Fault::MissingRetryAfter]);
    let output = verify_broker(&broker, &provider, &PUBLISH_2_0_0);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("errors.retry-after-missing"), "{stdout}");
    assert!(
        stdout.contains("(checkout-web): failed (errors)"),
        "{stdout}"
    );

    let results = broker.get("/api/v1/services/shop-api/versions/2.0.0/verifications");
    let result = &results["verifications"][0];
    assert_eq!(
        result["contract_hash"],
        published_hash(&broker, "checkout-web").as_str()
    );
    assert_eq!(result["passed"], false, "{result}");
    assert_eq!(result["failed_dimensions"], serde_json::json!(["errors"]));
    // The published counts are the report's: its failed interactions and error findings.
    let failed = stdout
        .lines()
        .filter(|l| l.trim_start().starts_with('✗'))
        .count();
    let errors = stdout.matches("error   errors.").count();
    assert!(failed > 0 && errors >= failed, "{stdout}");
    assert_eq!(result["summary"]["interactions"], 9, "{result}");
    assert_eq!(result["summary"]["failed"], failed, "{result}");
    assert_eq!(
        result["summary"]["findings"],
        serde_json::json!({
            "errors": {"errors": errors, "warnings": 0, "infos": 0},
        }),
        "{result}"
    );
}

#[test]
fn every_distinct_contract_on_main_is_verified_once_in_any_format() {
    let broker = broker_with_consumers();
    let provider = Provider::start(&[]);
    // The same contracts again as a newer version on main: the heads of main now hold the
    // contracts the deployed checkout-web 1a2b3c holds too.
    let url = broker.url();
    let again = client_vow(
        &[
            "publish",
            "contracts",
            "--version",
            "2b3c4d",
            "--branch",
            "main",
        ],
        &[("VOW_BROKER_URL", &url)],
    );
    assert_eq!(again.status.code(), Some(0), "{}", transcript(&again));
    let output = verify_broker(&broker, &provider, &["--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    let report: Value = serde_json::from_slice(&output.stdout).expect("stdout is the JSON report");
    let errors = violations(&report_schema("verify-report.schema.json"), &report);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let mut sources: Vec<(String, String)> = report["contracts"]
        .as_array()
        .expect("contracts")
        .iter()
        .map(|c| {
            (
                c["consumer"].as_str().unwrap_or_default().to_owned(),
                c["source"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    sources.sort();
    let expected: Vec<(String, String)> = ["checkout-web", "mobile-app", "storefront-web"]
        .iter()
        .map(|c| ((*c).to_owned(), published_hash(&broker, c)))
        .collect();
    assert_eq!(sources, expected);
    assert_eq!(report["summary"]["interactions"], 19, "{report}");
    // What the broker selected is said on stderr, so stdout stays JSON.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "checkout-web 1a2b3c: deployed in production\n    checkout-web 2b3c4d: head of main"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("mobile-app 2b3c4d: head of main"),
        "{stderr}"
    );
    assert!(!stderr.contains("mobile-app 1a2b3c"), "{stderr}");
}

#[test]
fn nothing_selected_is_said_and_passes() {
    let broker = broker_with_consumers();
    let provider = Provider::start(&[]);
    let url = broker.url();
    let output = client_vow(
        &[
            "record-undeployment",
            "--service",
            "checkout-web",
            "--environment",
            "production",
            "--broker-url",
            &url,
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    let output = verify_broker(&broker, &provider, &PUBLISH_2_0_0);
    insta::assert_snapshot!("nothing_to_verify", hash_redacted_transcript(&output));
    // Nothing verified, nothing published.
    let answer = broker.raw_get("/api/v1/services/shop-api/versions/2.0.0/verifications");
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    // A provider the broker has never heard of is more likely a typo: refused, exit code 2.
    let unknown = client_vow(
        &[
            "verify",
            "--broker",
            "--provider",
            "shop-apii",
            "--provider-url",
            &provider.url,
        ],
        &[("VOW_BROKER_URL", &url)],
    );
    assert_eq!(unknown.status.code(), Some(2), "{}", transcript(&unknown));
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(stderr.contains("service_not_found"), "{stderr}");
}

#[test]
fn mixing_modes_or_half_publishing_is_a_usage_error() {
    let broker = "http://127.0.0.1:9";
    let provider = "http://127.0.0.1:9";
    let base = [
        "verify",
        "--provider-url",
        provider,
        "--broker-url",
        broker,
        "--provider",
        "shop-api",
    ];
    let cases: [(&str, &[&str]); 10] = [
        ("contract paths with --broker", &["--broker", "contracts"]),
        (
            "--publish without --provider-version",
            &["--broker", "--publish"],
        ),
        (
            "--publish without --broker",
            &["contracts", "--publish", "--provider-version", "1"],
        ),
        (
            "--provider-version without --publish",
            &["--broker", "--provider-version", "1"],
        ),
        (
            "--provider-version with paths",
            &["contracts", "--provider-version", "1"],
        ),
        (
            "--branches without --broker",
            &["contracts", "--branches", "main"],
        ),
        (
            "--publish with --interaction",
            &[
                "--broker",
                "--publish",
                "--provider-version",
                "1",
                "--interaction",
                "get-cart",
            ],
        ),
        (
            "--publish with --dimensions",
            &[
                "--broker",
                "--publish",
                "--provider-version",
                "1",
                "--dimensions",
                "shape",
            ],
        ),
        ("a second provider", &["--broker", "--provider", "billing"]),
        ("neither paths nor --broker", &[]),
    ];
    for (case, extra) in cases {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let output = client_vow(&args, &[]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{case}: {}",
            transcript(&output)
        );
    }
    let pattern = client_vow(
        &[
            "verify",
            "--broker",
            "--broker-url",
            broker,
            "--provider",
            "shop-*",
            "--provider-url",
            provider,
        ],
        &[],
    );
    assert_eq!(pattern.status.code(), Some(2), "{}", transcript(&pattern));
    let no_broker_url = client_vow(
        &[
            "verify",
            "--broker",
            "--provider",
            "shop-api",
            "--provider-url",
            provider,
        ],
        &[],
    );
    assert_eq!(
        no_broker_url.status.code(),
        Some(2),
        "{}",
        transcript(&no_broker_url)
    );
}

#[test]
fn a_broker_url_in_the_environment_leaves_file_mode_alone() {
    // Without --broker, VOW_BROKER_URL is not read: the contract files are verified (and the
    // provider, not running here, is what is unreachable).
    let output = client_vow(
        &[
            "verify",
            "contracts",
            "--provider-url",
            "http://127.0.0.1:9",
        ],
        &[("VOW_BROKER_URL", "http://127.0.0.1:9")],
    );
    assert_eq!(output.status.code(), Some(4), "{}", transcript(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("the provider at"), "{stderr}");
}

#[test]
fn an_unreachable_broker_is_exit_code_4() {
    let url = unreachable_url();
    let output = client_vow(
        &[
            "verify",
            "--broker",
            "--provider",
            "shop-api",
            "--provider-url",
            "http://127.0.0.1:9",
        ],
        &[("VOW_BROKER_URL", &url)],
    );
    assert_eq!(output.status.code(), Some(4), "{}", transcript(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot be reached"), "{stderr}");
}
