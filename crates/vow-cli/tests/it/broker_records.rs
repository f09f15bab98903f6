//! `vow record-release`, `vow record-support-ended` and `vow record-undeployment` against a real
//! `vow broker serve`: what they print, what the broker holds afterwards, and the exit codes of
//! refusals, bad usage and a broker that is not there.

use std::process::Stdio;

use crate::support::{
    Broker, client_vow as vow, hash_redacted_transcript, transcript, unreachable_url,
};

/// Publishes the example contracts as version 1a2b3c of each consumer.
fn publish(url: &str) {
    let output = vow(
        &[
            "publish",
            "contracts",
            "--version",
            "1a2b3c",
            "--branch",
            "main",
        ],
        &[("VOW_BROKER_URL", url)],
    );
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
}

fn code(output: &std::process::Output) -> Option<i32> {
    output.status.code()
}

#[test]
fn a_release_creates_its_environment_and_ends_with_its_support() {
    let broker = Broker::start(Stdio::null());
    let url = broker.url();
    publish(&url);
    let env = [("VOW_BROKER_URL", url.as_str())];
    let release = [
        "record-release",
        "--service",
        "checkout-web",
        "--version",
        "1a2b3c",
        "--environment",
        "mobile-store",
    ];
    let support_ended = [
        "record-support-ended",
        "--service",
        "checkout-web",
        "--version",
        "1a2b3c",
        "--environment",
        "mobile-store",
    ];

    let first = vow(&release, &env);
    assert_eq!(code(&first), Some(0), "{}", transcript(&first));
    let again = vow(&release, &env);
    assert_eq!(code(&again), Some(0), "{}", transcript(&again));
    let releases = broker.get("/api/v1/environments/mobile-store/releases");
    assert_eq!(
        releases["releases"].as_array().map(Vec::len),
        Some(1),
        "{releases}"
    );
    assert_eq!(releases["releases"][0]["version"], "1a2b3c");

    let ended = vow(&support_ended, &env);
    assert_eq!(code(&ended), Some(0), "{}", transcript(&ended));
    let releases = broker.get("/api/v1/environments/mobile-store/releases");
    assert_eq!(releases["releases"], serde_json::json!([]), "{releases}");
    // Ending it twice, or releasing a version never recorded, is refused: exit code 2.
    let twice = vow(&support_ended, &env);
    let unknown = vow(
        &[
            "record-release",
            "--service",
            "checkout-web",
            "--version",
            "no-such-version",
            "--environment",
            "mobile-store",
        ],
        &env,
    );

    let mut text = String::new();
    for output in [&first, &again, &ended, &twice, &unknown] {
        text.push_str(&hash_redacted_transcript(output));
    }
    insta::assert_snapshot!("release_and_support_ended", text);
}

#[test]
fn an_undeployment_ends_the_current_deployment_and_a_second_finds_nothing() {
    let broker = Broker::start(Stdio::null());
    let url = broker.url();
    publish(&url);
    let env = [("VOW_BROKER_URL", url.as_str())];
    for instance in ["eu-1", "us-1"] {
        let deployed = vow(
            &[
                "record-deployment",
                "--service",
                "checkout-web",
                "--version",
                "1a2b3c",
                "--to",
                "production",
                "--instance",
                instance,
            ],
            &env,
        );
        assert_eq!(code(&deployed), Some(0), "{}", transcript(&deployed));
    }
    let undeploy = [
        "record-undeployment",
        "--service",
        "checkout-web",
        "--environment",
        "production",
        "--instance",
        "eu-1",
    ];
    let first = vow(&undeploy, &env);
    assert_eq!(code(&first), Some(0), "{}", transcript(&first));
    // Only the eu-1 instance stopped.
    let current = broker.get("/api/v1/environments/production/deployments");
    let current = current["deployments"].as_array().expect("a list");
    assert_eq!(current.len(), 1, "{current:?}");
    assert_eq!(current[0]["application_instance"], "us-1");

    let again = vow(&undeploy, &env);
    assert_eq!(code(&again), Some(2), "{}", transcript(&again));
    let nowhere = vow(
        &[
            "record-undeployment",
            "--service",
            "checkout-web",
            "--environment",
            "staging",
        ],
        &env,
    );
    assert_eq!(code(&nowhere), Some(2), "{}", transcript(&nowhere));

    let mut text = String::new();
    for output in [&first, &again, &nowhere] {
        text.push_str(&hash_redacted_transcript(output));
    }
    insta::assert_snapshot!("undeployment", text);
}

#[test]
fn missing_flags_are_usage_errors() {
    for args in [
        // No environment.
        &[
            "record-undeployment",
            "--service",
            "web",
            "--broker-url",
            "http://127.0.0.1:9",
        ][..],
        // No version.
        &[
            "record-release",
            "--service",
            "web",
            "--environment",
            "production",
            "--broker-url",
            "http://127.0.0.1:9",
        ],
        // No broker URL.
        &[
            "record-support-ended",
            "--service",
            "web",
            "--version",
            "1",
            "--environment",
            "production",
        ],
    ] {
        let output = vow(args, &[]);
        assert_eq!(code(&output), Some(2), "{args:?}: {}", transcript(&output));
    }
}

#[test]
fn an_unreachable_broker_is_exit_code_4() {
    let url = unreachable_url();
    let env = [("VOW_BROKER_URL", url.as_str())];
    let service = ["--service", "web", "--environment", "production"];
    for command in [
        "record-undeployment",
        "record-release",
        "record-support-ended",
    ] {
        let mut args = vec![command];
        args.extend(service);
        if command != "record-undeployment" {
            args.extend(["--version", "1"]);
        }
        let output = vow(&args, &env);
        assert_eq!(code(&output), Some(4), "{command}: {}", transcript(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("cannot be reached"), "{stderr}");
    }
}
