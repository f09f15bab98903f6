//! Test support: the example provider (or any axum app) and the broker on free loopback ports, running the real `vow` binary, and
//! transcripts with run-specific details (ports, timings, temp paths) redacted for snapshots.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use vow_example_provider::{Fault, FaultSet};

/// The example provider, serving until dropped.
pub struct Provider {
    pub url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Provider {
    /// The example provider with `faults` switched on.
    pub fn start(faults: &[Fault]) -> Provider {
        let faults: FaultSet = faults.iter().copied().collect();
        Provider::serve_with(move |listener, shutdown| async move {
            let shutdown = async move {
                let _ = shutdown.await;
            };
            vow_example_provider::serve(listener, faults, shutdown)
                .await
                .expect("serve");
        })
    }

    /// Any axum app, for providers the example cannot imitate.
    pub fn app(app: axum::Router) -> Provider {
        Provider::serve_with(move |listener, shutdown| async move {
            let shutdown = async move {
                let _ = shutdown.await;
            };
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
                .expect("serve");
        })
    }

    /// Runs `serve` on its own thread and runtime with a listener on a free loopback port.
    fn serve_with<F, Fut>(serve: F) -> Provider
    where
        F: FnOnce(tokio::net::TcpListener, tokio::sync::oneshot::Receiver<()>) -> Fut
            + Send
            + 'static,
        Fut: Future<Output = ()>,
    {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel::<SocketAddr>();
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                addr_tx
                    .send(listener.local_addr().expect("addr"))
                    .expect("send addr");
                serve(listener, shutdown_rx).await;
            });
        });
        let addr = addr_rx.recv().expect("the server reports its address");
        Provider {
            url: format!("http://{addr}"),
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        }
    }

    pub fn states_url(&self) -> String {
        format!("{}/_vow/provider-states", self.url)
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        // A provider stuck in a hanging handler is abandoned rather than joined.
        if let Some(thread) = self.thread.take()
            && thread.is_finished()
        {
            let _ = thread.join();
        }
    }
}

/// The repository root.
/// A loopback URL nobody listens on: a port bound, then closed again.
pub fn unreachable_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    format!("http://127.0.0.1:{port}")
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

/// The environment variables `vow.toml` reads the example's credentials from, with the example
/// provider's published demo tokens (held, then limited) for each consumer.
pub const CREDENTIAL_ENV: [(&str, &str); 6] = [
    ("SHOP_API_CHECKOUT_TOKEN", "checkout-web-demo-token"),
    (
        "SHOP_API_CHECKOUT_LIMITED_TOKEN",
        "checkout-web-limited-token",
    ),
    ("SHOP_API_STOREFRONT_TOKEN", "storefront-web-demo-token"),
    (
        "SHOP_API_STOREFRONT_LIMITED_TOKEN",
        "storefront-web-limited-token",
    ),
    ("SHOP_API_MOBILE_TOKEN", "mobile-app-demo-token"),
    ("SHOP_API_MOBILE_LIMITED_TOKEN", "mobile-app-limited-token"),
];

/// The as-of date end-to-end runs read the deprecation clock at, so verdicts do not depend on
/// the day the tests run.
pub const AS_OF: &str = "2026-11-21";

/// Runs `vow` with `args` from the repository root, without colour, with the example's
/// credentials in the environment.
pub fn vow(args: &[&str]) -> Output {
    vow_with_env(args, &CREDENTIAL_ENV)
}

/// Runs `vow` with `args` and, of the credential variables, exactly those in `env`.
pub fn vow_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vow"));
    command
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("VOW_PROVIDER_URL")
        .env_remove("VOW_PROVIDER_STATES_URL")
        .env_remove("VOW_CONFIG");
    for (name, _) in CREDENTIAL_ENV {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    command.output().expect("run vow")
}

/// Runs `vow verify` on `paths` against `provider`, with its states endpoint and a fixed as-of
/// date.
pub fn verify(provider: &Provider, paths: &[&str], extra: &[&str]) -> Output {
    let states = provider.states_url();
    let mut args = vec![
        "verify",
        "--provider-url",
        &provider.url,
        "--provider-states-url",
        &states,
        "--as-of",
        AS_OF,
    ];
    args.extend_from_slice(extra);
    args.extend_from_slice(paths);
    vow(&args)
}

/// Exit code, stdout and stderr in one text, with ports, timings and temp paths redacted.
pub fn transcript(output: &Output) -> String {
    redact(&raw_transcript(output))
}

/// Exit code, stdout and stderr in one text, as they are.
pub fn raw_transcript(output: &Output) -> String {
    format!(
        "exit code: {}\n--- stdout\n{}--- stderr\n{}",
        output
            .status
            .code()
            .map_or("signal".to_owned(), |c| c.to_string()),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

pub fn redact(text: &str) -> String {
    let rules: [(&str, &str); 6] = [
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
        (
            r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})",
            "[timestamp]",
        ),
        // The bad-date fault writes the current time in a day-first format.
        (r"\b\d{2}/\d{2}/\d{4} \d{2}:\d{2}\b", "[day-first time]"),
        (r"\b\d+(\.\d+)? ms\b", "[n] ms"),
        (r"/tmp/\.tmp[A-Za-z0-9_]+", "[tmp]"),
        (r"(?m)[ \t]+$", ""),
    ];
    let mut text = text.to_owned();
    for (pattern, replacement) in rules {
        text = regex_replace(pattern, &text, replacement);
    }
    text
}

fn regex_replace(pattern: &str, text: &str, replacement: &str) -> String {
    regex::Regex::new(pattern)
        .expect("redaction pattern")
        .replace_all(text, replacement)
        .into_owned()
}

/// The parsed JSON report from a `--format json` run.
pub fn json_report(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not a JSON report ({e}):\n{}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// Every rule id reported in a JSON report.
pub fn rule_ids(report: &serde_json::Value) -> Vec<String> {
    let mut ids = Vec::new();
    for contract in report["contracts"].as_array().into_iter().flatten() {
        for interaction in contract["interactions"].as_array().into_iter().flatten() {
            for finding in interaction["findings"].as_array().into_iter().flatten() {
                if let Some(id) = finding["rule"].as_str() {
                    ids.push(id.to_owned());
                }
            }
        }
    }
    ids
}

/// A validator for one of the committed report schemas under `docs/`.
pub fn report_schema(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("docs").join(name)).expect("schema");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

/// Every violation of `validator` by `report`, located, for an assertion message.
pub fn violations(validator: &jsonschema::Validator, report: &serde_json::Value) -> Vec<String> {
    validator
        .iter_errors(report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// `vow broker serve` on a free port, killed when dropped.
pub struct Broker {
    pub child: Child,
    pub address: String,
    /// The temporary data directory, removed when the broker is dropped.
    dir: Option<tempfile::TempDir>,
}

impl Broker {
    /// Starts the broker on SQLite in a temporary data directory; its stderr goes to `stderr`.
    pub fn start(stderr: Stdio) -> Broker {
        Broker::start_with(&[], stderr)
    }

    /// Starts the broker as [`Broker::start`] does, with more flags.
    pub fn start_with(flags: &[&str], stderr: Stdio) -> Broker {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut broker = Broker::serve(dir.path(), flags, stderr);
        broker.dir = Some(dir);
        broker
    }

    /// Starts the broker on SQLite in `data_dir`, with `args` added to `vow broker serve`.
    pub fn serve(data_dir: &Path, args: &[&str], stderr: Stdio) -> Broker {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vow"))
            .args(["broker", "serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(args)
            .env_remove("VOW_DATABASE_URL")
            .env_remove("VOW_BROKER_PUBLIC_READ")
            .env_remove("VOW_DATABASE_TIMEOUT")
            .env_remove("VOW_LOG")
            .env_remove("VOW_LOG_FORMAT")
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start vow broker serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read stdout");
        let address = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Broker {
            child,
            address,
            dir: None,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// A GET on the broker, the whole HTTP answer as text.
    pub fn raw_get(&self, path: &str) -> String {
        self.raw_get_with(path, "")
    }

    /// A GET with extra header lines (each ending in `\r\n`), the whole HTTP answer as text.
    pub fn raw_get_with(&self, path: &str, headers: &str) -> String {
        let mut stream = TcpStream::connect(&self.address).expect("connect");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: broker\r\n{headers}Connection: close\r\n\r\n"
        )
        .expect("write");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read");
        answer
    }

    /// A GET on the API that must answer 200, its JSON body.
    pub fn get(&self, path: &str) -> serde_json::Value {
        let answer = self.raw_get(path);
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        let body = answer.split_once("\r\n\r\n").expect("a body").1;
        serde_json::from_str(body).expect("JSON")
    }

    /// A request with a JSON body that must succeed (2xx), for what no `vow` command sends; its
    /// JSON answer.
    pub fn send(&self, method: &str, path: &str, body: &serde_json::Value) -> serde_json::Value {
        let body = body.to_string();
        let mut stream = TcpStream::connect(&self.address).expect("connect");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: broker\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .expect("write");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read");
        assert!(answer.starts_with("HTTP/1.1 20"), "{answer}");
        let body = answer.split_once("\r\n\r\n").expect("a body").1;
        serde_json::from_str(body).expect("JSON")
    }
}

/// Runs `vow` from the repository root as a broker client: none of the broker, provider,
/// credential or CI variables (which the version detection reads), plus `env`.
pub fn client_vow(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vow"));
    command.args(args).current_dir(root()).env("NO_COLOR", "1");
    for name in [
        "VOW_BROKER_URL",
        "VOW_BROKER_TOKEN",
        "VOW_PROVIDER_URL",
        "VOW_PROVIDER_STATES_URL",
        "VOW_CONFIG",
        "GITHUB_SHA",
        "GITHUB_HEAD_REF",
        "GITHUB_REF_NAME",
        "GITHUB_SERVER_URL",
        "GITHUB_REPOSITORY",
        "GITHUB_RUN_ID",
        "CI_COMMIT_SHA",
        "CI_COMMIT_REF_NAME",
        "CI_JOB_URL",
    ] {
        command.env_remove(name);
    }
    for (name, _) in CREDENTIAL_ENV {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    command.output().expect("run vow")
}

/// A transcript with content hashes redacted too.
pub fn hash_redacted_transcript(output: &Output) -> String {
    regex::Regex::new("sha256:[0-9a-f]{64}")
        .expect("pattern")
        .replace_all(&redact(&transcript(output)), "sha256:[hash]")
        .into_owned()
}

impl Broker {
    /// Sends SIGTERM and waits (with a generous deadline) for the broker to exit; answers whether
    /// it exited successfully and its stderr, when that was piped.
    pub fn terminate(&mut self) -> (std::process::ExitStatus, String) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let exit = loop {
            if let Some(exit) = self.child.try_wait().expect("wait") {
                break exit;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "vow broker serve did not stop on SIGTERM"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            pipe.read_to_string(&mut stderr).expect("stderr");
        }
        (exit, stderr)
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
