//! The broker client commands (`vow publish`, `vow record-deployment`, `vow environments`)
//! against a real `vow broker serve` on SQLite in a temp dir, on a free loopback port.

use std::process::Stdio;

use crate::support::{
    Broker, client_vow as vow, hash_redacted_transcript as snapshot_text, root, transcript,
};

const PUBLISH: [&str; 8] = [
    "publish",
    "contracts",
    "--version",
    "1a2b3c",
    "--branch",
    "main",
    "--commit",
    "1a2b3c4d",
];

#[test]
fn publishing_twice_creates_then_changes_nothing() {
    let broker = Broker::start(Stdio::null());
    let url = broker.url();
    let first = vow(&PUBLISH, &[("VOW_BROKER_URL", &url)]);
    insta::assert_snapshot!("publish_first", snapshot_text(&first));
    let second = vow(&PUBLISH, &[("VOW_BROKER_URL", &url)]);
    insta::assert_snapshot!("publish_second", snapshot_text(&second));

    let version = broker.get("/api/v1/services/checkout-web/versions/1a2b3c");
    assert_eq!(version["branch"], "main");
    assert_eq!(version["commit"], "1a2b3c4d");
}

#[test]
fn other_content_for_a_published_version_is_a_conflict() {
    let broker = Broker::start(Stdio::null());
    let url = broker.url();
    let published = vow(&PUBLISH, &[("VOW_BROKER_URL", &url)]);
    assert_eq!(
        published.status.code(),
        Some(0),
        "{}",
        transcript(&published)
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let original =
        std::fs::read_to_string(root().join("contracts/storefront-web.shop-api.json")).unwrap();
    let changed = original.replacen("\"timeout\": \"250ms\"", "\"timeout\": \"300ms\"", 1);
    assert_ne!(original, changed);
    let path = dir.path().join("storefront-web.shop-api.json");
    std::fs::write(&path, changed).unwrap();
    let path = path.to_str().unwrap();
    let output = vow(
        &[
            "publish",
            path,
            "--version",
            "1a2b3c",
            "--branch",
            "main",
            "--commit",
            "1a2b3c4d",
            "--broker-url",
            &url,
        ],
        &[],
    );
    insta::assert_snapshot!("publish_conflict", snapshot_text(&output));
}

#[test]
fn record_deployment_creates_the_environment_and_replaces_the_previous() {
    let broker = Broker::start(Stdio::null());
    let url = broker.url();
    let env = [("VOW_BROKER_URL", url.as_str())];
    assert_eq!(vow(&PUBLISH, &env).status.code(), Some(0));
    let record = |version: &str| {
        vow(
            &[
                "record-deployment",
                "--service",
                "checkout-web",
                "--version",
                version,
                "--to",
                "production",
            ],
            &env,
        )
    };
    let mut text = snapshot_text(&record("1a2b3c"));
    text.push_str(&snapshot_text(&record("1a2b3c")));
    text.push_str(&snapshot_text(&record("no-such-version")));
    text.push_str(&snapshot_text(&vow(&["environments"], &env)));
    insta::assert_snapshot!("record_deployment", text);

    let deployments = broker.get("/api/v1/environments/production/deployments");
    let deployments = deployments["deployments"].as_array().expect("a list");
    assert_eq!(deployments.len(), 1, "{deployments:?}");
    assert_eq!(deployments[0]["service"], "checkout-web");
    assert_eq!(deployments[0]["version"], "1a2b3c");
}

#[test]
fn an_unreachable_broker_is_exit_code_4() {
    // Bind a port and close it again: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let output = vow(&PUBLISH, &[("VOW_BROKER_URL", &url)]);
    assert_eq!(output.status.code(), Some(4), "{}", transcript(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot be reached"), "{stderr}");
    let output = vow(&["environments", "--broker-url", &url], &[]);
    assert_eq!(output.status.code(), Some(4), "{}", transcript(&output));
}

#[test]
fn a_missing_broker_url_is_a_usage_error() {
    let output = vow(&PUBLISH, &[]);
    insta::assert_snapshot!("publish_without_broker_url", snapshot_text(&output));
}

#[test]
fn invalid_contracts_are_refused_before_anything_is_sent() {
    let output = vow(
        &[
            "publish",
            "fixtures/contracts/invalid",
            "--version",
            "1",
            "--broker-url",
            "http://127.0.0.1:9",
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(2), "{}", transcript(&output));
}
