//! Runs the real `vow-example-provider` binary the way scripts and vow's end-to-end tests do:
//! read the `listening on` line, talk HTTP, stop it with a signal.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use vow_example_provider::{DEMO_TOKENS, Fault};

fn provider() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vow-example-provider"))
}

/// Starts the provider on a free port and returns it with the base URL it announced.
fn start(args: &[&str]) -> (Child, String) {
    let mut child = provider()
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout is piped"))
        .read_line(&mut line)
        .expect("reads the first line");
    let url = line
        .strip_prefix("listening on ")
        .and_then(|rest| rest.strip_suffix('\n'))
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    (child, url)
}

/// Sends a GET, with `Authorization: Bearer {token}` when a token is given.
fn get(url: &str, path: &str, token: Option<&str>) -> String {
    let host = url.strip_prefix("http://").expect("an http URL");
    let mut stream = TcpStream::connect(host).expect("connects");
    let authorization = token
        .map(|token| format!("Authorization: Bearer {token}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\n{authorization}Connection: close\r\n\r\n"
    )
    .expect("sends");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("reads");
    response
}

#[test]
fn announces_the_bound_port_serves_and_stops_cleanly_on_sigterm() {
    let (mut child, url) = start(&["--fault", "unknown-status"]);
    let port: u16 = url
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a port");
    assert!(url.starts_with("http://127.0.0.1:") && port != 0, "{url}");
    assert!(get(&url, "/healthz", None).starts_with("HTTP/1.1 200 OK"));
    assert!(get(&url, "/carts/c-1001", None).starts_with("HTTP/1.1 401"));
    let token = DEMO_TOKENS[0].token;
    assert!(get(&url, "/carts/c-1001", Some(token)).contains(r#""status":"OPEN""#));

    if cfg!(unix) {
        let kill = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(kill.success());
        let status = child.wait().expect("the provider exits");
        assert_eq!(status.code(), Some(0));
    } else {
        child.kill().expect("the provider is killed");
        child.wait().expect("the provider exits");
    }
}

#[test]
fn an_unknown_fault_exits_2_and_lists_the_valid_names() {
    let output = provider()
        .args(["--fault", "slow-ish"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for fault in Fault::ALL {
        assert!(
            stderr.contains(fault.name()),
            "{} missing from {stderr}",
            fault.name()
        );
    }
}

#[test]
fn list_faults_prints_every_fault_with_its_description() {
    let output = provider().arg("--list-faults").output().expect("runs");
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.lines().count(), Fault::ALL.len());
    for (line, fault) in stdout.lines().zip(Fault::ALL) {
        assert!(
            line.starts_with(fault.name()) && line.ends_with(fault.description()),
            "{line}"
        );
    }
}
