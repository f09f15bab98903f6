//! `vow broker serve` and `vow broker migrate` as a user runs them: the embedded SQLite default
//! under a data directory, a real socket, a clean stop on SIGTERM, and its logs on stderr.

use std::process::{Command, Stdio};

use crate::support::Broker;

fn vow() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vow"))
}

#[test]
fn migrate_creates_the_sqlite_database_under_the_data_dir() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data_dir = dir.path().join("data");
    let output = vow()
        .args(["broker", "migrate", "--data-dir"])
        .arg(&data_dir)
        .env_remove("VOW_DATABASE_URL")
        .output()
        .expect("run vow");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "migrations applied\n"
    );
    assert!(data_dir.join("vow.sqlite3").is_file());
}

#[test]
fn serve_answers_on_its_address_and_stops_on_sigterm() {
    let mut broker = Broker::start(Stdio::piped());
    let answer = broker.raw_get("/readyz");
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    let (exit, stderr) = broker.terminate();
    assert!(exit.success(), "{exit:?}: {stderr}");
    assert!(stderr.contains("database: SQLite at "), "{stderr}");
}

/// The JSON log lines of a broker's stderr (the `database: …` line is not one).
fn json_lines(stderr: &str) -> Vec<serde_json::Value> {
    stderr
        .lines()
        .filter(|line| line.starts_with('{'))
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

#[test]
fn serve_logs_one_json_line_per_request_naming_its_request_id() {
    // stdout is a pipe here, so JSON is the default.
    let mut broker = Broker::start(Stdio::piped());
    let answer = broker.raw_get_with("/api/v1/services/nobody", "X-Request-Id: deploy-42\r\n");
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("\r\nx-request-id: deploy-42\r\n"),
        "{answer}"
    );
    let answer = broker.raw_get("/healthz");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let (exit, stderr) = broker.terminate();
    assert!(exit.success(), "{exit:?}: {stderr}");

    let events = json_lines(&stderr);
    assert!(
        events.iter().any(|e| e["message"] == "listening"),
        "{stderr}"
    );
    let answered: Vec<_> = events
        .iter()
        .filter(|e| e["message"] == "answered")
        .collect();
    assert_eq!(answered.len(), 2, "one line per request: {stderr}");
    let missing = answered[0];
    assert_eq!(missing["level"], "INFO", "{missing}");
    assert_eq!(missing["status"], 404, "{missing}");
    assert!(missing["latency_ms"].is_number(), "{missing}");
    assert_eq!(missing["span"]["request_id"], "deploy-42", "{missing}");
    assert_eq!(missing["span"]["method"], "GET", "{missing}");
    assert_eq!(
        missing["span"]["route"], "/api/v1/services/{service}",
        "{missing}"
    );
    let health = answered[1];
    assert_eq!(health["span"]["route"], "/healthz", "{health}");
    assert!(
        health["span"]["request_id"]
            .as_str()
            .is_some_and(|id| id.len() == 36),
        "a generated id: {health}"
    );
}

#[test]
fn serve_logs_text_when_asked_and_honours_the_filter() {
    let mut broker = Broker::start_with(&["--log-format", "text"], Stdio::piped());
    let answer = broker.raw_get_with("/healthz", "x-request-id: text-1\r\n");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let (exit, stderr) = broker.terminate();
    assert!(exit.success(), "{exit:?}: {stderr}");
    let line = stderr
        .lines()
        .find(|line| line.contains("request_id=text-1"))
        .unwrap_or_else(|| panic!("no line for the request: {stderr}"));
    assert!(line.contains(" INFO "), "{line}");
    assert!(line.contains("route=/healthz"), "{line}");
    assert!(line.contains("answered status=200 latency_ms="), "{line}");
    assert!(!line.contains('\u{1b}'), "no colours on a pipe: {line:?}");
    assert!(json_lines(&stderr).is_empty(), "{stderr}");

    let mut broker = Broker::start_with(&["--log-level", "warn"], Stdio::piped());
    let answer = broker.raw_get("/healthz");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let (exit, stderr) = broker.terminate();
    assert!(exit.success(), "{exit:?}: {stderr}");
    assert!(
        json_lines(&stderr).is_empty(),
        "info is filtered out: {stderr}"
    );
}

#[test]
fn a_bad_log_filter_is_a_usage_error() {
    let output = vow()
        .args(["broker", "serve", "--log-level", "vow_broker=loud"])
        .env_remove("VOW_LOG")
        .output()
        .expect("run vow");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--log-level"), "{stderr}");
}
