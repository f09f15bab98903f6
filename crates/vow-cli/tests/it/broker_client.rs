//! The broker client commands (`vow publish`, `vow publish-spec`, `vow record-deployment`,
//! `vow environments`, `vow can-i-deploy`) against a real `vow broker serve` on SQLite in a temp
//! dir, on a free loopback port.

use std::process::{Output, Stdio};

use crate::support::{
    Broker, client_vow as vow, hash_redacted_transcript as snapshot_text, root, transcript,
    unreachable_url,
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
    let url = unreachable_url();
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

/// Publishes the example spec as shop-api 1.0.0 and the mobile app's contract as 7.0.0, and
/// deploys shop-api to production.
fn shop_in_production(url: &str) {
    let env = [("VOW_BROKER_URL", url)];
    for args in [
        &[
            "publish-spec",
            "specs/shop-api.yaml",
            "--provider",
            "shop-api",
            "--version",
            "1.0.0",
        ][..],
        &[
            "publish",
            "contracts/mobile-app.shop-api.yaml",
            "--version",
            "7.0.0",
        ],
        &[
            "record-deployment",
            "--service",
            "shop-api",
            "--version",
            "1.0.0",
            "--to",
            "production",
        ],
    ] {
        let output = vow(args, &env);
        assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    }
}

fn can_i_deploy(url: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "can-i-deploy",
        "--service",
        "mobile-app",
        "--version",
        "7.0.0",
        "--to",
        "production",
    ];
    args.extend_from_slice(extra);
    vow(&args, &[("VOW_BROKER_URL", url)])
}

#[test]
fn publishing_a_spec_twice_creates_then_changes_nothing() {
    let broker = Broker::start(Stdio::null());
    let url = broker.url();
    let args = [
        "publish-spec",
        "specs/shop-api.yaml",
        "--provider",
        "shop-api",
        "--version",
        "1.0.0",
        "--branch",
        "main",
        "--commit",
        "abc123",
    ];
    let first = vow(&args, &[("VOW_BROKER_URL", &url)]);
    insta::assert_snapshot!("publish_spec_first", snapshot_text(&first));
    let second = vow(&args, &[("VOW_BROKER_URL", &url)]);
    insta::assert_snapshot!("publish_spec_second", snapshot_text(&second));
    let version = broker.get("/api/v1/services/shop-api/versions/1.0.0");
    assert_eq!(version["branch"], "main");
    let spec = broker.get("/api/v1/services/shop-api/versions/1.0.0/spec");
    assert_eq!(spec["root"], "shop-api.yaml");
    assert_eq!(
        spec["documents"]["shop-api.yaml"]["info"]["title"],
        "shop-api"
    );
}

#[test]
fn a_broken_spec_is_not_published() {
    let broker = Broker::start(Stdio::null());
    let output = vow(
        &[
            "publish-spec",
            "fixtures/specs/check/broken/bad-sunset.yaml",
            "--provider",
            "shop-api",
            "--version",
            "1.0.0",
        ],
        &[("VOW_BROKER_URL", &broker.url())],
    );
    assert_eq!(output.status.code(), Some(2), "{}", transcript(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad-sunset.yaml:"), "{stderr}");
    assert!(
        broker
            .raw_get("/api/v1/services/shop-api/versions/1.0.0/spec")
            .contains("not_found"),
        "nothing reached the broker"
    );
}

#[test]
fn can_i_deploy_exits_by_verdict_in_every_format() {
    let broker = Broker::start(Stdio::null());
    let url = broker.url();
    shop_in_production(&url);

    let yes = can_i_deploy(&url, &["--as-of", "2026-11-21"]);
    assert_eq!(yes.status.code(), Some(0), "{}", transcript(&yes));
    insta::assert_snapshot!("can_i_deploy_yes", snapshot_text(&yes));

    // Past the summary endpoint's sunset the app may not ship while it still calls it.
    let no = can_i_deploy(&url, &["--as-of", "2027-07-01"]);
    assert_eq!(no.status.code(), Some(1), "{}", transcript(&no));
    insta::assert_snapshot!("can_i_deploy_no", snapshot_text(&no));

    let json = can_i_deploy(&url, &["--as-of", "2027-07-01", "--format", "json"]);
    assert_eq!(json.status.code(), Some(1));
    let answer: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON answer");
    assert_eq!(answer["verdict"], "no");
    assert_eq!(answer["rows"][0]["reason"], "sunset-passed");

    let markdown = can_i_deploy(&url, &["--as-of", "2027-07-01", "--format", "markdown"]);
    assert_eq!(markdown.status.code(), Some(1));
    insta::assert_snapshot!("can_i_deploy_markdown", snapshot_text(&markdown));

    let junit = can_i_deploy(&url, &["--as-of", "2027-07-01", "--format", "junit"]);
    assert_eq!(junit.status.code(), Some(1));
    let xml = String::from_utf8_lossy(&junit.stdout);
    assert!(
        xml.contains("<failure") && xml.contains("type=\"sunset-passed\""),
        "{xml}"
    );
}

#[test]
fn can_i_deploy_is_unknown_without_evidence_and_can_wait_for_it() {
    let broker = Broker::start(Stdio::null());
    let url = broker.url();
    let env = [("VOW_BROKER_URL", url.as_str())];
    let published = vow(
        &[
            "publish",
            "contracts/mobile-app.shop-api.yaml",
            "--version",
            "7.0.0",
        ],
        &env,
    );
    assert_eq!(
        published.status.code(),
        Some(0),
        "{}",
        transcript(&published)
    );
    vow(&["environments"], &env);
    let created = broker.raw_get("/api/v1/environments");
    assert!(created.contains("[]"), "{created}");
    // No environment yet: a question the broker refuses is a usage error.
    let refused = can_i_deploy(&url, &[]);
    assert_eq!(refused.status.code(), Some(2), "{}", transcript(&refused));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("environment_not_found"));

    let deployed = vow(
        &[
            "record-deployment",
            "--service",
            "batch",
            "--version",
            "1",
            "--to",
            "production",
        ],
        &env,
    );
    // batch 1 was never published: the broker says so, and the environment exists now.
    assert_eq!(deployed.status.code(), Some(2), "{}", transcript(&deployed));

    let waited = can_i_deploy(
        &url,
        &["--retry-while-unknown", "2", "--retry-interval", "0"],
    );
    assert_eq!(waited.status.code(), Some(3), "{}", transcript(&waited));
    let stderr = String::from_utf8_lossy(&waited.stderr);
    assert_eq!(stderr.matches("asking again").count(), 2, "{stderr}");
    let stdout = String::from_utf8_lossy(&waited.stdout);
    assert!(stdout.contains("provider-not-deployed"), "{stdout}");
}

#[test]
fn can_i_deploy_usage_and_unreachable_broker() {
    let unknown_version = {
        let broker = Broker::start(Stdio::null());
        shop_in_production(&broker.url());
        vow(
            &[
                "can-i-deploy",
                "--service",
                "mobile-app",
                "--version",
                "9.9.9",
                "--to",
                "production",
            ],
            &[("VOW_BROKER_URL", &broker.url())],
        )
    };
    assert_eq!(unknown_version.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown_version.stderr).contains("version_not_found"));

    let no_target = vow(
        &["can-i-deploy", "--service", "a", "--version", "1"],
        &[("VOW_BROKER_URL", "http://127.0.0.1:9")],
    );
    assert_eq!(
        no_target.status.code(),
        Some(2),
        "{}",
        transcript(&no_target)
    );

    let unreachable = vow(
        &[
            "can-i-deploy",
            "--service",
            "a",
            "--version",
            "1",
            "--to",
            "production",
        ],
        &[("VOW_BROKER_URL", "http://127.0.0.1:9")],
    );
    assert_eq!(
        unreachable.status.code(),
        Some(4),
        "{}",
        transcript(&unreachable)
    );
}
