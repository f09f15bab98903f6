//! `vow broker serve` and `vow broker migrate` as a user runs them: the embedded SQLite default
//! under a data directory, a real socket, and a clean stop on SIGTERM.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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
    let child = &mut broker.child;

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = child.try_wait().expect("wait") {
            break exit;
        }
        assert!(
            Instant::now() < deadline,
            "vow broker serve did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    assert!(exit.success(), "{exit:?}: {stderr}");
    assert!(stderr.contains("database: SQLite at "), "{stderr}");
}
