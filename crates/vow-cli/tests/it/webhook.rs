//! `vow webhook` against a real `vow broker serve` on SQLite on a free loopback port: create,
//! list, show, test, deliveries and delete, and the broker's refusals as exit code 2 with its
//! message. Receivers are under `.invalid`, which never resolves, so nothing is delivered.

use std::process::{Output, Stdio};

use crate::support::{Broker, client_vow, transcript, unreachable_url};

const TARGET: &str = "https://hooks.example.invalid/vow?channel=payments";
const SIGNING_SECRET: &str = "signing-secret-never-shown";
const HEADER_SECRET: &str = "Bearer header-secret-never-shown";

fn vow(broker: &Broker, args: &[&str], env: &[(&str, &str)]) -> Output {
    let url = broker.url();
    let mut all: Vec<(&str, &str)> = vec![("VOW_BROKER_URL", url.as_str())];
    all.extend_from_slice(env);
    client_vow(args, &all)
}

fn json(output: &Output) -> serde_json::Value {
    assert_eq!(output.status.code(), Some(0), "{}", transcript(output));
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

#[test]
fn webhooks_are_created_listed_shown_tested_and_deleted() {
    let broker = Broker::start(Stdio::null());
    let dir = tempfile::tempdir().expect("temp dir");
    let body_file = dir.path().join("body.json");
    std::fs::write(
        &body_file,
        "{\"text\": \"{{ consumer }} changed its contract\"}\n",
    )
    .unwrap();
    let secrets = [
        ("HOOK_SIGNING", SIGNING_SECRET),
        ("HOOK_AUTH", HEADER_SECRET),
    ];
    let created = vow(
        &broker,
        &[
            "webhook",
            "create",
            "--url",
            TARGET,
            "--event",
            "contract_content_changed",
            "--event",
            "verification_failed",
            "--provider",
            "payments-gateway",
            "--header",
            "X-Team: {{ provider }}",
            "--secret-header",
            "Authorization:HOOK_AUTH",
            "--secret-env",
            "HOOK_SIGNING",
            "--body-file",
            body_file.to_str().unwrap(),
        ],
        &secrets,
    );
    insta::assert_snapshot!("webhook_create", transcript(&created));
    let listed = vow(&broker, &["webhook", "list"], &[]);
    insta::assert_snapshot!("webhook_list", transcript(&listed));

    let shown = json(&vow(
        &broker,
        &["webhook", "show", "1", "--format", "json"],
        &[],
    ));
    assert_eq!(shown["url"], TARGET);
    assert_eq!(shown["secret"], "***");
    assert_eq!(shown["headers"]["Authorization"]["value"], "***");
    assert_eq!(shown["headers"]["X-Team"]["value"], "{{ provider }}");
    assert_eq!(
        shown["body"],
        "{\"text\": \"{{ consumer }} changed its contract\"}\n"
    );
    // The broker's own answer says the same.
    assert_eq!(broker.get("/api/v1/webhooks/1")["secret"], "***");

    let queued = json(&vow(
        &broker,
        &["webhook", "test", "1", "--format", "json"],
        &[],
    ));
    let delivery = queued["delivery"].as_i64().expect("a delivery id");
    let test = vow(&broker, &["webhook", "test", "1"], &[]);
    assert_eq!(test.status.code(), Some(0), "{}", transcript(&test));
    assert!(
        String::from_utf8_lossy(&test.stdout).contains("queued test delivery"),
        "{}",
        transcript(&test)
    );
    let log = json(&vow(
        &broker,
        &[
            "webhook",
            "deliveries",
            "1",
            "--limit",
            "1",
            "--format",
            "json",
        ],
        &[],
    ));
    let deliveries = log["deliveries"].as_array().expect("deliveries");
    assert_eq!(deliveries.len(), 1, "{log}");
    assert_eq!(deliveries[0]["event"], "test");
    // One per page, newest first: the second test event, then the first on the next page.
    let next = log["next"].as_i64().expect("a next page");
    let older = json(&vow(
        &broker,
        &[
            "webhook",
            "deliveries",
            "1",
            "--before",
            &next.to_string(),
            "--format",
            "json",
        ],
        &[],
    ));
    assert_eq!(older["deliveries"][0]["id"], delivery, "{older}");
    let human = vow(&broker, &["webhook", "deliveries", "1"], &[]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.starts_with("DELIVERY") && text.contains(" test "),
        "{}",
        transcript(&human)
    );

    for output in [&created, &listed, &test, &human] {
        let all = transcript(output);
        assert!(!all.contains("never-shown"), "{all}");
    }

    let deleted = vow(&broker, &["webhook", "delete", "1"], &[]);
    insta::assert_snapshot!("webhook_delete", transcript(&deleted));
    let gone = vow(&broker, &["webhook", "show", "1"], &[]);
    assert_eq!(gone.status.code(), Some(2), "{}", transcript(&gone));
    assert!(
        String::from_utf8_lossy(&gone.stderr).contains("webhook_not_found"),
        "{}",
        transcript(&gone)
    );
    let empty = vow(&broker, &["webhook", "list"], &[]);
    assert_eq!(String::from_utf8_lossy(&empty.stdout), "no webhooks\n");
}

/// `vow webhook create --url URL --event deployment_recorded EXTRA...`.
fn create_deployment_hook(broker: &Broker, url: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "webhook",
        "create",
        "--url",
        url,
        "--event",
        "deployment_recorded",
    ];
    args.extend_from_slice(extra);
    vow(broker, &args, &[])
}

#[test]
fn refusals_name_what_was_wrong_with_exit_code_2() {
    let broker = Broker::start(Stdio::null());
    let bad_template =
        create_deployment_hook(&broker, TARGET, &["--body", "{{ no_such_variable }}"]);
    insta::assert_snapshot!("webhook_bad_template", transcript(&bad_template));
    let private = create_deployment_hook(&broker, "http://127.0.0.1:9/hook", &[]);
    insta::assert_snapshot!("webhook_private_target", transcript(&private));
    // A secret is read from the environment or not at all: nothing is sent without it.
    let unset = create_deployment_hook(&broker, TARGET, &["--secret-env", "VOW_TEST_UNSET_SECRET"]);
    insta::assert_snapshot!("webhook_secret_unset", transcript(&unset));
    let bad_header = create_deployment_hook(&broker, TARGET, &["--header", "no-colon"]);
    assert_eq!(
        bad_header.status.code(),
        Some(2),
        "{}",
        transcript(&bad_header)
    );
    assert_eq!(
        broker.get("/api/v1/webhooks")["webhooks"],
        serde_json::json!([])
    );
    let unreachable = client_vow(
        &["webhook", "list", "--broker-url", &unreachable_url()],
        &[],
    );
    assert_eq!(
        unreachable.status.code(),
        Some(4),
        "{}",
        transcript(&unreachable)
    );
}
