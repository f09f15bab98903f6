//! `vow verify --spec`: live responses of the example provider judged against its own spec
//! (`specs/shop-api.yaml`) as well as the contracts — the clean provider keeps every promise, the
//! faults that break the spec's error taxonomy or latency envelope are caught by the spec rules,
//! the dimensions decide which spec checks run, and a spec that cannot be read stops the run.

use std::fs;
use std::path::PathBuf;

use vow_example_provider::Fault;

use crate::support::{Provider, json_report, root, rule_ids, transcript, verify, vow};

const SPEC: &str = "specs/shop-api.yaml";

/// One finding of a JSON report: interaction, rule, pointer and severity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Seen {
    interaction: String,
    rule: String,
    pointer: String,
    severity: String,
}

fn seen(report: &serde_json::Value) -> Vec<Seen> {
    let mut out = Vec::new();
    for contract in report["contracts"].as_array().into_iter().flatten() {
        for interaction in contract["interactions"].as_array().into_iter().flatten() {
            for finding in interaction["findings"].as_array().into_iter().flatten() {
                let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
                out.push(Seen {
                    interaction: format!(
                        "{}/{}",
                        text(&contract["consumer"]),
                        text(&interaction["id"])
                    ),
                    rule: text(&finding["rule"]),
                    pointer: text(&finding["location"]["pointer"]),
                    severity: text(&finding["severity"]),
                });
            }
        }
    }
    out.sort();
    out
}

/// Where a finding was reported, and how severe it is: (interaction, pointer, severity).
type Place = (String, String, String);

/// The findings of `rule`, by place.
fn of_rule(findings: &[Seen], rule: &str) -> Vec<Place> {
    findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| (f.interaction.clone(), f.pointer.clone(), f.severity.clone()))
        .collect()
}

fn triple(interaction: &str, pointer: &str, severity: &str) -> Place {
    (
        interaction.to_owned(),
        pointer.to_owned(),
        severity.to_owned(),
    )
}

/// A copy of the example spec with `edit` applied, in a temporary directory.
fn edited_spec(edit: impl FnOnce(&str) -> String) -> (tempfile::TempDir, PathBuf) {
    let original = fs::read_to_string(root().join(SPEC)).expect("the example spec");
    let edited = edit(&original);
    assert_ne!(edited, original, "the edit changed nothing");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("shop-api.yaml");
    fs::write(&path, edited).expect("write the edited spec");
    (dir, path)
}

#[test]
fn clean_provider_keeps_every_promise_of_its_spec() {
    let provider = Provider::start(&[]);
    let output = verify(
        &provider,
        &["contracts/"],
        &["--spec", SPEC, "--format", "json"],
    );
    let report = json_report(&output);
    assert_eq!(
        rule_ids(&report),
        Vec::<String>::new(),
        "{}",
        transcript(&output)
    );
    assert_eq!(output.status.code(), Some(0));
    assert!(report["summary"]["interactions"].as_u64().unwrap_or(0) >= 10);
}

/// The faults that break the spec's promises, the extra flags that expose them, and where each
/// must be caught. Every rule here is new with `--spec`: the same run without it does not report it.
#[test]
fn faults_that_break_the_spec_are_caught_by_the_spec_rules() {
    let cases: [(Fault, &[&str], &str, Vec<Place>); 4] = [
        (
            Fault::WrongErrorCode,
            &[],
            "errors.code-not-in-spec",
            vec![triple(
                "checkout-web/authorize-payment-declined",
                "/response/body/code",
                "error",
            )],
        ),
        (
            Fault::ErrorStatusRemapped,
            &[],
            "errors.status-not-in-spec",
            vec![triple(
                "checkout-web/authorize-payment-declined",
                "/response/status",
                "error",
            )],
        ),
        (
            Fault::MissingRetryAfter,
            &[],
            "errors.spec-retry-after-missing",
            [
                "checkout-web/add-item-rate-limited",
                "checkout-web/authorize-payment-processor-unavailable",
                "mobile-app/create-cart-rate-limited",
                "storefront-web/get-price-rate-limited",
            ]
            .into_iter()
            .map(|i| triple(i, "/response/headers/retry-after", "error"))
            .collect(),
        ),
        (
            // The price takes 400 ms; its envelope is p50 5 ms, p95 20 ms.
            Fault::SlowEndpoint,
            &["--samples", "20", "--interaction", "get-price"],
            "latency.envelope-exceeded",
            vec![triple("storefront-web/get-price", "/latency", "warning")],
        ),
    ];
    let validator = crate::support::report_schema("verify-report.schema.json");
    for (fault, extra, rule, expected) in cases {
        let provider = Provider::start(&[fault]);
        let mut args = vec!["--format", "json", "--timeout", "2s"];
        args.extend_from_slice(extra);
        let without = verify(&provider, &["contracts/"], &args);
        assert!(
            !rule_ids(&json_report(&without)).iter().any(|id| id == rule),
            "fault {fault}: {rule} without --spec:\n{}",
            transcript(&without)
        );
        args.extend_from_slice(&["--spec", SPEC]);
        let output = verify(&provider, &["contracts/"], &args);
        let report = json_report(&output);
        let violations: Vec<String> = validator
            .iter_errors(&report)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(violations.is_empty(), "fault {fault}: {violations:#?}");
        let findings = seen(&report);
        assert_eq!(
            of_rule(&findings, rule),
            expected,
            "fault {fault}:\n{}",
            transcript(&output)
        );
        // Each of these faults also breaks a contract, so the run fails either way.
        assert_eq!(output.status.code(), Some(1), "fault {fault}");
        // Only the spec rules meant for the fault appear, besides the contract's own findings.
        let spec_rules = [
            "errors.code-not-in-spec",
            "errors.spec-code-missing",
            "errors.status-not-in-spec",
            "errors.spec-retry-after-missing",
            "latency.envelope-exceeded",
            "verify.operation-not-in-spec",
        ];
        let others: Vec<&Seen> = findings
            .iter()
            .filter(|f| spec_rules.contains(&f.rule.as_str()) && f.rule != rule)
            .collect();
        assert!(others.is_empty(), "fault {fault}: {others:?}");
    }
}

#[test]
fn transcripts_of_spec_findings() {
    let provider = Provider::start(&[Fault::WrongErrorCode]);
    let output = verify(
        &provider,
        &["contracts/"],
        &[
            "--spec",
            SPEC,
            "--interaction",
            "authorize-payment-declined",
        ],
    );
    insta::assert_snapshot!("wrong_error_code", transcript(&output));

    let provider = Provider::start(&[Fault::SlowEndpoint]);
    let output = verify(
        &provider,
        &["contracts/"],
        &[
            "--spec",
            SPEC,
            "--samples",
            "20",
            "--interaction",
            "get-price",
        ],
    );
    // The transcript redacts every duration; the bounds judged are the spec's.
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("expected: p50 ≤ 5 ms, p95 ≤ 20 ms\n"),
        "{stdout}"
    );
    insta::assert_snapshot!("slow_endpoint", transcript(&output));
}

#[test]
fn refusals_of_the_auth_probes_are_held_to_the_spec_too() {
    // A spec in which POST /carts does not list `unauthenticated`, which the provider answers the
    // probe without credentials with.
    let (_dir, spec) = edited_spec(|text| {
        let listed = "      x-vow-errors:\n        - invalid_body\n        - unauthenticated\n";
        assert!(
            text.contains(listed),
            "the example spec's POST /carts errors moved"
        );
        text.replacen(listed, "      x-vow-errors:\n        - invalid_body\n", 1)
    });
    let provider = Provider::start(&[]);
    let output = verify(
        &provider,
        &["contracts/"],
        &[
            "--spec",
            spec.to_str().expect("UTF-8 path"),
            "--format",
            "json",
        ],
    );
    let findings = seen(&json_report(&output));
    let pointer = "/probes/unauthenticated/response/body/code";
    assert_eq!(
        of_rule(&findings, "errors.code-not-in-spec"),
        vec![
            triple("checkout-web/create-cart", pointer, "error"),
            triple("mobile-app/create-cart", pointer, "error"),
            triple("mobile-app/create-cart-rate-limited", pointer, "error"),
        ],
        "{}",
        transcript(&output)
    );
    assert_eq!(findings.len(), 3, "{findings:?}");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn a_spec_without_an_operation_the_contract_uses_warns_once_per_interaction() {
    let (_dir, spec) = edited_spec(|text| {
        let start = text
            .find("\n  /payments:\n")
            .expect("the spec has /payments");
        let end = text.find("\n  /healthz:\n").expect("the spec has /healthz");
        assert!(start < end, "/payments comes before /healthz");
        format!("{}{}", &text[..start], &text[end..])
    });
    let spec = spec.to_str().expect("UTF-8 path");
    let provider = Provider::start(&[]);
    let output = verify(
        &provider,
        &["contracts/"],
        &["--spec", spec, "--format", "json"],
    );
    let findings = seen(&json_report(&output));
    assert_eq!(
        of_rule(&findings, "verify.operation-not-in-spec"),
        [
            "authorize-payment",
            "authorize-payment-declined",
            "authorize-payment-processor-unavailable",
        ]
        .into_iter()
        .map(|i| triple(&format!("checkout-web/{i}"), "/request/path", "warning"))
        .collect::<Vec<_>>(),
        "{}",
        transcript(&output)
    );
    assert_eq!(findings.len(), 3, "{findings:?}");
    assert_eq!(
        output.status.code(),
        Some(0),
        "warnings do not fail the run"
    );

    // Without the errors and latency dimensions nothing is checked against the spec, so nothing
    // is missed either.
    let output = verify(
        &provider,
        &["contracts/"],
        &[
            "--spec",
            spec,
            "--format",
            "json",
            "--dimensions",
            "shape,auth,deprecation",
        ],
    );
    assert_eq!(rule_ids(&json_report(&output)), Vec::<String>::new());
}

#[test]
fn the_dimensions_decide_which_spec_checks_run() {
    let provider = Provider::start(&[Fault::WrongErrorCode, Fault::SlowEndpoint]);
    let run = |dimensions: &str| {
        let output = verify(
            &provider,
            &["contracts/"],
            &[
                "--spec",
                SPEC,
                "--format",
                "json",
                "--samples",
                "20",
                "--interaction",
                "get-price",
                "--interaction",
                "authorize-payment-declined",
                "--dimensions",
                dimensions,
            ],
        );
        rule_ids(&json_report(&output))
    };
    let ids = run("errors,latency");
    assert!(
        ids.iter().any(|id| id == "errors.code-not-in-spec"),
        "{ids:?}"
    );
    assert!(
        ids.iter().any(|id| id == "latency.envelope-exceeded"),
        "{ids:?}"
    );
    let ids = run("errors");
    assert!(
        ids.iter().any(|id| id == "errors.code-not-in-spec"),
        "{ids:?}"
    );
    assert!(ids.iter().all(|id| !id.starts_with("latency.")), "{ids:?}");
    let ids = run("shape,latency");
    assert!(ids.iter().all(|id| !id.starts_with("errors.")), "{ids:?}");
    assert!(
        ids.iter().any(|id| id == "latency.envelope-exceeded"),
        "{ids:?}"
    );
}

#[test]
fn a_spec_that_cannot_be_read_stops_the_run_before_anything_is_sent() {
    let (_dir, broken) = edited_spec(|text| {
        let kind = "  card_declined:\n    status: 402\n    kind: terminal\n";
        assert!(
            text.contains(kind),
            "the example spec's card_declined moved"
        );
        text.replacen(
            kind,
            "  card_declined:\n    status: 402\n    kind: permanent\n",
            1,
        )
    });
    // Nothing listens on port 9: a spec problem must be found before the provider is contacted.
    let unreachable = "http://127.0.0.1:9";
    for (name, spec) in [
        ("broken_spec", broken.to_str().expect("UTF-8 path")),
        ("missing_spec", "specs/no-such-spec.yaml"),
    ] {
        let output = vow(&[
            "verify",
            "--provider-url",
            unreachable,
            "--spec",
            spec,
            "contracts/",
        ]);
        assert_eq!(output.status.code(), Some(2), "{}", transcript(&output));
        assert!(output.stdout.is_empty());
        insta::assert_snapshot!(name, transcript(&output));
    }
}

#[test]
fn an_envelope_alone_is_reason_to_sample() {
    // A consumer that states no latency budget of its own.
    let dir = tempfile::tempdir().expect("temp dir");
    let contract = dir.path().join("price-badge.shop-api.yaml");
    fs::write(
        &contract,
        "vow: 1\n\
         consumer: price-badge\n\
         provider: shop-api\n\
         interactions:\n\
         \x20 - id: get-price\n\
         \x20   description: Show a product's price on a badge\n\
         \x20   request: {method: GET, path: /prices/SKU-RED-MUG}\n\
         \x20   response: {status: 200}\n\
         \x20   auth: {scheme: bearer, scopes: [\"catalogue:read\"], credentials: storefront-web, probes: false}\n",
    )
    .expect("write the contract");
    let contract = contract.to_str().expect("UTF-8 path");
    let provider = Provider::start(&[Fault::SlowEndpoint]);
    let run = |extra: &[&str]| {
        let mut args = vec!["--format", "json", "--samples", "20"];
        args.extend_from_slice(extra);
        let output = verify(&provider, &[contract], &args);
        let report = json_report(&output);
        let interaction = report["contracts"][0]["interactions"][0].clone();
        (output, interaction)
    };

    let (output, interaction) = run(&["--spec", SPEC]);
    assert_eq!(
        interaction["latency"]["samples"],
        20,
        "{}",
        transcript(&output)
    );
    assert_eq!(
        rule_ids(&json_report(&output)),
        ["latency.envelope-exceeded"],
        "{}",
        transcript(&output)
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "a warning does not fail the run"
    );

    // Without the spec nothing asks for samples.
    let (output, interaction) = run(&[]);
    assert!(interaction["latency"].is_null(), "{}", transcript(&output));
    assert_eq!(rule_ids(&json_report(&output)), Vec::<String>::new());
}
