//! `vow deprecations` against a real `vow broker serve`: the example spec (`specs/shop-api.yaml`,
//! which sets a sunset on the cart summary) published for shop-api 1.0.0, the mobile app that
//! still reads the summary deployed beside it, and the report at dates before and after the
//! sunset.

use std::process::{Output, Stdio};

use serde_json::{Value, json};
use vow_core::contract::SourceFormat;
use vow_core::contract::source::read_source;

use crate::support::{Broker, client_vow as vow, root, transcript, unreachable_url};

/// A one-document spec bundle of `specs/shop-api.yaml`, as the broker takes it.
fn spec_bundle() -> Value {
    let text = std::fs::read_to_string(root().join("specs/shop-api.yaml")).expect("spec");
    let document = read_source(&text, SourceFormat::Yaml)
        .expect("the example spec is YAML")
        .value;
    json!({
        "formatVersion": 1,
        "root": "shop-api.yaml",
        "documents": { "shop-api.yaml": document },
    })
}

/// shop-api 1.0.0 with its spec deployed to production; the mobile app's contract published as
/// 7.0.0, deployed too when `with_consumer`.
fn broker_with_shop_api(with_consumer: bool) -> Broker {
    let broker = Broker::start(Stdio::null());
    let url = broker.url();
    let env = [("VOW_BROKER_URL", url.as_str())];
    broker.send(
        "PUT",
        "/api/v1/services/shop-api/versions/1.0.0/spec",
        &spec_bundle(),
    );
    let mut steps = vec![
        vec![
            "publish",
            "contracts/mobile-app.shop-api.yaml",
            "--version",
            "7.0.0",
            "--branch",
            "main",
        ],
        vec![
            "record-deployment",
            "--service",
            "shop-api",
            "--version",
            "1.0.0",
            "--to",
            "production",
        ],
    ];
    if with_consumer {
        steps.push(vec![
            "record-deployment",
            "--service",
            "mobile-app",
            "--version",
            "7.0.0",
            "--to",
            "production",
        ]);
    }
    for step in steps {
        let output = vow(&step, &env);
        assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    }
    broker
}

fn deprecations(broker: &Broker, extra: &[&str]) -> Output {
    let url = broker.url();
    let mut args = vec![
        "deprecations",
        "--provider",
        "shop-api",
        "--broker-url",
        &url,
    ];
    args.extend_from_slice(extra);
    vow(&args, &[])
}

#[test]
fn the_table_shows_the_summary_near_then_overdue() {
    let broker = broker_with_shop_api(true);
    let near = deprecations(&broker, &["--as-of", "2027-06-10"]);
    let overdue = deprecations(
        &broker,
        &["--as-of", "2027-07-01", "--environment", "production"],
    );
    let mut text = transcript(&near);
    text.push_str(&transcript(&overdue));
    insta::assert_snapshot!("near_then_overdue", text);
    assert_eq!(near.status.code(), Some(0));
    assert_eq!(overdue.status.code(), Some(0), "a report exits 0");
}

#[test]
fn fail_on_fails_only_at_or_past_its_urgency() {
    let broker = broker_with_shop_api(true);
    let exit = |as_of: &str, fail_on: &str| {
        let output = deprecations(&broker, &["--as-of", as_of, "--fail-on", fail_on]);
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    // 20 days before the sunset: near, not overdue.
    let (code, stderr) = exit("2027-06-10", "near");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("--fail-on near"), "{stderr}");
    assert_eq!(exit("2027-06-10", "overdue").0, Some(0));
    // A year before: scheduled, which fails neither.
    assert_eq!(exit("2026-06-30", "near").0, Some(0));
    // After the sunset: overdue fails both.
    assert_eq!(exit("2027-07-01", "overdue").0, Some(1));
    assert_eq!(exit("2027-07-01", "near").0, Some(1));
}

#[test]
fn json_is_the_brokers_answer() {
    let broker = broker_with_shop_api(true);
    let output = deprecations(&broker, &["--as-of", "2027-06-10", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    let printed: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    let answer =
        broker.get("/api/v1/deprecations?provider=shop-api&as_of=2027-06-10&warning_days=30");
    assert_eq!(printed, answer);
    assert!(
        printed["deprecations"]
            .as_array()
            .is_some_and(|rows| !rows.is_empty()),
        "{printed}"
    );
}

#[test]
fn nothing_in_use_is_said_plainly_and_passes_any_gate() {
    let broker = broker_with_shop_api(false);
    let output = deprecations(&broker, &["--as-of", "2027-07-01", "--fail-on", "near"]);
    insta::assert_snapshot!("nothing_in_use", transcript(&output));
}

#[test]
fn an_unknown_provider_or_a_bad_date_is_exit_code_2() {
    let broker = broker_with_shop_api(false);
    let url = broker.url();
    let unknown = vow(
        &[
            "deprecations",
            "--provider",
            "shop-apii",
            "--broker-url",
            &url,
        ],
        &[],
    );
    assert_eq!(unknown.status.code(), Some(2), "{}", transcript(&unknown));
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("service_not_found"),
        "{}",
        transcript(&unknown)
    );
    let bad_date = deprecations(&broker, &["--as-of", "10/06/2027"]);
    assert_eq!(bad_date.status.code(), Some(2), "{}", transcript(&bad_date));
    let bad_gate = deprecations(&broker, &["--fail-on", "removed"]);
    assert_eq!(bad_gate.status.code(), Some(2), "{}", transcript(&bad_gate));
}

#[test]
fn an_unreachable_broker_is_exit_code_4() {
    let url = unreachable_url();
    let output = vow(
        &[
            "deprecations",
            "--provider",
            "shop-api",
            "--broker-url",
            &url,
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(4), "{}", transcript(&output));
}
