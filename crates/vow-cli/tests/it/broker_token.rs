//! `vow broker token create | list | revoke` on a data directory, and the tokens they make against
//! a real `vow broker serve` on that directory: what the broker says about auth when it starts,
//! the client commands with and without a token, revocation on the next request, public read.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::support::{Broker, redact, root, transcript};

/// Runs `vow` from the repository root with no broker, database or CI variables but `env`.
fn vow(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vow"));
    command.args(args).current_dir(root()).env("NO_COLOR", "1");
    for name in [
        "VOW_BROKER_URL",
        "VOW_BROKER_TOKEN",
        "VOW_DATABASE_URL",
        "VOW_DATA_DIR",
        "GITHUB_SHA",
        "GITHUB_HEAD_REF",
        "GITHUB_REF_NAME",
        "CI_COMMIT_SHA",
        "CI_COMMIT_REF_NAME",
    ] {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    command.output().expect("run vow")
}

/// `vow broker token ARGS --data-dir DIR`.
fn token(dir: &Path, args: &[&str]) -> Output {
    let dir = dir.to_str().expect("a UTF-8 temp dir");
    let mut all = vec!["broker", "token"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--data-dir", dir]);
    vow(&all, &[])
}

/// Creates a token and answers it, checking that it is all stdout says.
fn create(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["create"];
    all.extend_from_slice(args);
    let output = token(dir, &all);
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    let token = stdout.strip_suffix('\n').expect("one line");
    assert!(
        token.starts_with("vow_") && token.len() == 47 && !token.contains('\n'),
        "{stdout:?}"
    );
    token.to_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A transcript with tokens, their prefixes and times redacted.
fn snapshot_text(output: &Output) -> String {
    let text = redact(&transcript(output));
    let text = regex::Regex::new("vow_[A-Za-z0-9_-]{43}")
        .expect("pattern")
        .replace_all(&text, "[token]");
    let text = regex::Regex::new("vow_[A-Za-z0-9_-]{6}…")
        .expect("pattern")
        .replace_all(&text, "[prefix]…");
    regex::Regex::new(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")
        .expect("pattern")
        .replace_all(&text, "[time]")
        .into_owned()
}

#[test]
fn tokens_are_created_shown_once_listed_and_revoked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let empty = token(dir.path(), &["list"]);
    assert_eq!(empty.status.code(), Some(0), "{}", transcript(&empty));
    assert!(stdout(&empty).contains("no tokens"), "{}", stdout(&empty));

    let output = token(
        dir.path(),
        &[
            "create",
            "--name",
            "ci-checkout-web",
            "--role",
            "publish",
            "--service",
            "checkout-web",
            "--expires-in",
            "90",
        ],
    );
    insta::assert_snapshot!("token_create", snapshot_text(&output));
    let ci = stdout(&output).trim().to_owned();
    let admin = create(dir.path(), &["--name", "admin", "--role", "admin"]);

    let list = token(dir.path(), &["list"]);
    assert_eq!(list.status.code(), Some(0), "{}", transcript(&list));
    for secret in [&ci, &admin] {
        assert!(!stdout(&list).contains(&secret[10..]), "{}", stdout(&list));
    }
    insta::assert_snapshot!("token_list", snapshot_text(&list));

    let revoke = token(dir.path(), &["revoke", "ci-checkout-web"]);
    assert_eq!(revoke.status.code(), Some(0), "{}", transcript(&revoke));
    assert_eq!(stdout(&revoke), "revoked token ci-checkout-web\n");
    let again = token(dir.path(), &["revoke", "ci-checkout-web"]);
    assert_eq!(again.status.code(), Some(0), "{}", transcript(&again));
    assert!(
        stdout(&again).contains("was already revoked at"),
        "{}",
        stdout(&again)
    );

    let json = token(dir.path(), &["list", "--format", "json"]);
    assert_eq!(json.status.code(), Some(0), "{}", transcript(&json));
    let listed: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let tokens = listed["tokens"].as_array().expect("tokens");
    assert_eq!(tokens.len(), 2);
    assert_eq!(tokens[0]["name"], "admin");
    assert_eq!(tokens[0]["revoked_at"], serde_json::Value::Null);
    assert_eq!(tokens[1]["name"], "ci-checkout-web");
    assert_eq!(tokens[1]["role"], "publish");
    assert_eq!(tokens[1]["services"], serde_json::json!(["checkout-web"]));
    assert_eq!(tokens[1]["prefix"], &ci[..10]);
    assert!(tokens[1]["revoked_at"].is_string(), "{listed}");
    assert!(tokens[1]["expires_at"].is_string(), "{listed}");
    assert!(!stdout(&json).contains(&ci[10..]));
}

#[test]
fn bad_token_requests_are_usage_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    create(dir.path(), &["--name", "ci", "--role", "read"]);
    for (args, says) in [
        (
            &["create", "--name", "ci", "--role", "read"][..],
            "there is already a token named \"ci\"",
        ),
        (
            &[
                "create",
                "--name",
                "r",
                "--role",
                "read",
                "--service",
                "web",
            ],
            "only publish tokens can be limited to services",
        ),
        (
            &[
                "create",
                "--name",
                "r",
                "--role",
                "read",
                "--expires-in",
                "0",
            ],
            "1 to 3650 days",
        ),
        (
            &["create", "--name", "no spaces", "--role", "read"],
            "the token name \"no spaces\" is not valid",
        ),
        (&["revoke", "nobody"], "there is no token named \"nobody\""),
    ] {
        let output = token(dir.path(), args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            transcript(&output)
        );
        assert!(
            stderr(&output).contains(says),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            output.stdout.is_empty(),
            "{args:?}: {}",
            transcript(&output)
        );
    }
}

/// The lines `vow broker serve` wrote on stderr before it started listening.
fn startup_lines(broker: &mut Broker) -> String {
    let mut reader = BufReader::new(broker.child.stderr.take().expect("stderr"));
    let mut text = String::new();
    for _ in 0..2 {
        reader.read_line(&mut text).expect("stderr");
    }
    text
}

#[test]
fn a_token_made_by_the_cli_works_against_a_running_broker() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut broker = Broker::serve(dir.path(), &[], Stdio::piped());
    let said = startup_lines(&mut broker);
    assert!(said.contains("warning: auth is off"), "{said}");
    let url = broker.url();
    let publish = [
        "publish",
        "contracts/checkout-web.shop-api.yaml",
        "--version",
        "1a2b3c",
        "--branch",
        "main",
        "--commit",
        "1a2b3c4d",
    ];
    // Open: no token needed yet.
    let open = vow(&publish, &[("VOW_BROKER_URL", &url)]);
    assert_eq!(open.status.code(), Some(0), "{}", transcript(&open));

    // The first token, made on the database while the broker runs, switches auth on.
    let ci = create(
        dir.path(),
        &[
            "--name",
            "ci-checkout-web",
            "--role",
            "publish",
            "--service",
            "checkout-web",
        ],
    );
    let missing = vow(&publish, &[("VOW_BROKER_URL", &url)]);
    insta::assert_snapshot!("publish_without_a_token", snapshot_text(&missing));

    let with = vow(
        &publish,
        &[("VOW_BROKER_URL", &url), ("VOW_BROKER_TOKEN", &ci)],
    );
    assert_eq!(with.status.code(), Some(0), "{}", transcript(&with));
    assert!(stdout(&with).contains("checkout-web 1a2b3c → shop-api: unchanged"));

    // Limited to checkout-web: another consumer's contract is refused, and says why.
    let elsewhere = vow(
        &[
            "publish",
            "contracts/mobile-app.shop-api.yaml",
            "--version",
            "1a2b3c",
            "--broker-url",
            &url,
            "--broker-token",
            &ci,
        ],
        &[],
    );
    insta::assert_snapshot!("publish_for_another_service", snapshot_text(&elsewhere));

    // Revoked on the database: the running broker refuses it on the next request.
    let revoked = token(dir.path(), &["revoke", "ci-checkout-web"]);
    assert_eq!(revoked.status.code(), Some(0), "{}", transcript(&revoked));
    let refused = vow(
        &["environments"],
        &[("VOW_BROKER_URL", &url), ("VOW_BROKER_TOKEN", &ci)],
    );
    assert_eq!(refused.status.code(), Some(2), "{}", transcript(&refused));
    let said = stderr(&refused);
    assert!(said.contains("401 token_revoked"), "{said}");
    assert!(
        said.contains("hint: ask an admin for a new token"),
        "{said}"
    );
    assert!(
        !said.contains(&ci[10..]),
        "the token is never echoed: {said}"
    );
    let listed = token(dir.path(), &["list", "--format", "json"]);
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("JSON");
    assert!(
        listed["tokens"][0]["last_used_at"].is_string(),
        "the token's last use is recorded: {listed}"
    );
}

#[test]
fn public_read_lets_anyone_read_but_not_write() {
    let dir = tempfile::tempdir().expect("temp dir");
    let read = create(dir.path(), &["--name", "reader", "--role", "read"]);
    let mut broker = Broker::serve(dir.path(), &["--public-read"], Stdio::piped());
    let said = startup_lines(&mut broker);
    assert!(
        said.contains("auth: writes need a bearer token; reads are public"),
        "{said}"
    );
    let url = broker.url();
    let list = vow(&["environments"], &[("VOW_BROKER_URL", &url)]);
    assert_eq!(list.status.code(), Some(0), "{}", transcript(&list));

    let record = [
        "record-deployment",
        "--service",
        "checkout-web",
        "--version",
        "1",
        "--to",
        "production",
    ];
    let anonymous = vow(&record, &[("VOW_BROKER_URL", &url)]);
    assert_eq!(
        anonymous.status.code(),
        Some(2),
        "{}",
        transcript(&anonymous)
    );
    assert!(
        stderr(&anonymous).contains("401 token_missing"),
        "{}",
        stderr(&anonymous)
    );
    let reader = vow(
        &record,
        &[("VOW_BROKER_URL", &url), ("VOW_BROKER_TOKEN", &read)],
    );
    assert_eq!(reader.status.code(), Some(2), "{}", transcript(&reader));
    let said = stderr(&reader);
    assert!(said.contains("403 role_forbidden"), "{said}");
    assert!(
        said.contains("needs a token with the publish role"),
        "{said}"
    );
    assert!(
        said.contains("token \"reader\" has the read role"),
        "{said}"
    );
}

#[test]
fn serve_says_when_every_request_needs_a_token() {
    let dir = tempfile::tempdir().expect("temp dir");
    create(dir.path(), &["--name", "admin", "--role", "admin"]);
    let mut broker = Broker::serve(dir.path(), &[], Stdio::piped());
    let said = startup_lines(&mut broker);
    assert!(
        said.contains("auth: every request needs a bearer token"),
        "{said}"
    );
    let answer = broker.raw_get("/api/v1/environments");
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(answer.contains("www-authenticate: Bearer"), "{answer}");
    assert!(broker.raw_get("/readyz").starts_with("HTTP/1.1 200"));
}
