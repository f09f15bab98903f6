//! `vow mock` end to end: the real binary serving the example contracts, a real HTTP client
//! (reqwest) sending what consumers send, and the report and exit code at the end.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use vow_core::contract::{SourceFormat, parse_contract};

use crate::support::{redact, root, transcript};

const CHECKOUT: &str = "contracts/checkout-web.shop-api.yaml";

/// `vow mock` on a free port, killed when dropped.
struct Mock {
    child: Option<Child>,
    url: String,
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
}

impl Mock {
    fn start(args: &[&str]) -> Mock {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vow"))
            .arg("mock")
            .args(args)
            .current_dir(root())
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start vow mock");
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
        let mut line = String::new();
        stderr.read_line(&mut line).expect("read stderr");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        // The rest of stderr is read at the end; put the reader back.
        child.stderr = None;
        std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = stderr.read_to_string(&mut rest);
        });
        Mock {
            child: Some(child),
            url,
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime"),
            client: vow_engine::replay::client().expect("client"),
        }
    }

    /// Sends a request; the status, headers (lowercase names) and body text.
    fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Answer {
        self.send_with_timeout(method, path, headers, body, Duration::from_secs(10))
            .expect("an answer")
    }

    fn send_with_timeout(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
        timeout: Duration,
    ) -> Result<Answer, reqwest::Error> {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.url))
            .timeout(timeout);
        for (n, v) in headers {
            request = request.header(*n, *v);
        }
        if let Some(body) = body {
            request = request.body(body.to_owned());
        }
        self.runtime.block_on(async {
            let response = request.send().await?;
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
                .collect();
            let body = response.text().await?;
            Ok(Answer {
                status,
                headers,
                body,
            })
        })
    }

    fn json(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let text = body.map(|b| b.to_string());
        let answer = self.send(method, path, &[], text.as_deref());
        (
            answer.status,
            serde_json::from_str(&answer.body).expect("JSON"),
        )
    }

    /// Sends an interaction's request exactly as the contract states it.
    fn send_interaction(&self, file: &str, id: &str) -> Answer {
        let text = std::fs::read_to_string(root().join(file)).expect("contract");
        let contract = parse_contract(file, &text, SourceFormat::Yaml).expect("valid contract");
        let interaction = contract
            .interactions
            .iter()
            .find(|i| i.id == id)
            .expect("interaction");
        let r = &interaction.request;
        let query: Vec<String> = r
            .query
            .iter()
            .flat_map(|(k, vs)| vs.iter().map(move |v| format!("{k}={v}")))
            .collect();
        let path = if query.is_empty() {
            r.path.clone()
        } else {
            format!("{}?{}", r.path, query.join("&"))
        };
        let headers: Vec<(&str, &str)> = r
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let body = r.body.as_ref().map(Value::to_string);
        self.send(r.method.as_str(), &path, &headers, body.as_deref())
    }

    /// Stops the mock through the control API and waits for its report.
    fn stop(mut self) -> Output {
        let (status, _) = self.json("POST", "/_vow/stop", None);
        assert_eq!(status, 202);
        let mut child = self.child.take().expect("running");
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            if child.try_wait().expect("wait").is_some() {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "vow mock did not stop"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        child.wait_with_output().expect("output")
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("JSON body")
    }
}

fn report(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not a JSON report ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

fn rules_with_counts(report: &Value) -> Vec<(String, String, u64)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["location"]["interaction"]
                    .as_str()
                    .unwrap_or("-")
                    .to_owned(),
                f["count"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

const ALL_CHECKOUT: [&str; 9] = [
    "create-cart",
    "get-cart",
    "add-item",
    "add-item-rate-limited",
    "remove-item",
    "get-unknown-cart",
    "authorize-payment",
    "authorize-payment-processor-unavailable",
    "authorize-payment-declined",
];

#[test]
fn every_interaction_exercised_as_stated_passes() {
    let mock = Mock::start(&[CHECKOUT, "--format", "json", "--seed", "7"]);
    for id in ALL_CHECKOUT {
        let answer = mock.send_interaction(CHECKOUT, id);
        let expected_status = match id {
            "create-cart" | "add-item" | "authorize-payment" => 201,
            "get-cart" => 200,
            "remove-item" => 204,
            "add-item-rate-limited" => 429,
            "get-unknown-cart" => 404,
            "authorize-payment-processor-unavailable" => 503,
            "authorize-payment-declined" => 402,
            other => panic!("{other}"),
        };
        assert_eq!(answer.status, expected_status, "{id}: {answer:?}");
    }
    let get_cart = mock.send_interaction(CHECKOUT, "get-cart");
    assert_eq!(get_cart.header("content-type"), Some("application/json"));
    assert_eq!(get_cart.json()["items"][0]["sku"], "SKU-RED-MUG");
    let created = mock.send_interaction(CHECKOUT, "create-cart");
    let location = created.header("location").expect("a generated Location");
    assert!(
        regex::Regex::new("^/carts/c-[0-9]+$")
            .expect("re")
            .is_match(location),
        "{location}"
    );
    let declined = mock.send_interaction(CHECKOUT, "authorize-payment-declined");
    assert_eq!(
        declined.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(declined.json()["code"], "card_declined");

    let output = mock.stop();
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    let report = report(&output);
    assert_eq!(report["findings"], json!([]));
    assert_eq!(report["summary"]["exercised"], 9);
    assert_eq!(report["summary"]["requests"], 12);
    let counts: Vec<u64> = report["interactions"]
        .as_array()
        .expect("interactions")
        .iter()
        .map(|i| i["requests"].as_u64().expect("count"))
        .collect();
    assert_eq!(counts, vec![2, 2, 1, 1, 1, 1, 1, 1, 2]);
    let schema = crate::support::report_schema("mock-report.schema.json");
    let violations = crate::support::violations(&schema, &report);
    assert!(violations.is_empty(), "{violations:#?}");
}

/// A consumer test run with mistakes: an unknown path, unstated query parameters and body
/// members, a wrong header, garbage bodies and interactions it never exercises.
fn run_with_mistakes(format: &str) -> Output {
    let mock = Mock::start(&[CHECKOUT, "--format", format, "--seed", "7"]);
    assert_eq!(mock.send("GET", "/carts/c-42", &[], None).status, 404);
    assert_eq!(mock.send("GET", "/carts/c-42", &[], None).status, 404);
    let unmatched = mock.send("DELETE", "/carts/c-1001", &[], None);
    assert_eq!(unmatched.status, 404);
    assert_eq!(
        unmatched.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(unmatched.json()["code"], "vow_mock_unmatched");
    assert_eq!(
        unmatched.json()["closest"][0]["why"][0],
        "it is GET /carts/c-1001, not DELETE"
    );
    let headers = [
        ("Accept", "application/json"),
        ("Content-Type", "application/json"),
        ("Idempotency-Key", "3f6c2a9e-1b7d-4c2e-9a51-0d8e7f4b2c10"),
    ];
    for _ in 0..3 {
        let answer = mock.send(
            "POST",
            "/carts?debug=1",
            &headers,
            Some(r#"{"currency": "EUR", "coupon": "SPRING"}"#),
        );
        assert_eq!(answer.status, 201);
    }
    let answer = mock.send("GET", "/carts/c-1001", &[("Accept", "text/html")], None);
    assert_eq!(answer.status, 200);
    // Garbage never breaks the mock: a body that is not JSON is a finding, and the mock answers.
    for garbage in [
        "{\"sku\": ",
        "\u{0}\u{ff}binary",
        "[[[[[[[[[[[[[[[[[[[[[[[[",
    ] {
        let answer = mock.send(
            "POST",
            "/carts/c-1001/items",
            &[
                ("Accept", "application/json"),
                ("Content-Type", "application/json"),
                ("Idempotency-Key", "8d2b7e41-5a0c-4f93-b6d8-2c1e9a7f5b34"),
            ],
            Some(garbage),
        );
        assert_eq!(answer.status, 201, "{garbage:?}");
    }
    mock.stop()
}

#[test]
fn mistakes_are_reported_with_counts_and_fail_the_run() {
    let output = run_with_mistakes("json");
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    let report = report(&output);
    let c = |rule: &str, interaction: &str, count: u64| {
        (rule.to_owned(), interaction.to_owned(), count)
    };
    assert_eq!(
        rules_with_counts(&report),
        vec![
            c(
                "mock.unexpected-query-parameter",
                "checkout-web/create-cart",
                3
            ),
            c("mock.unexpected-body-member", "checkout-web/create-cart", 3),
            c("mock.request-header-mismatch", "checkout-web/get-cart", 1),
            c("mock.request-body-not-json", "checkout-web/add-item", 3),
            c("mock.unmatched-request", "-", 2),
            c("mock.unmatched-request", "-", 1),
            c(
                "mock.unexercised-interaction",
                "checkout-web/add-item-rate-limited",
                0
            ),
            c(
                "mock.unexercised-interaction",
                "checkout-web/remove-item",
                0
            ),
            c(
                "mock.unexercised-interaction",
                "checkout-web/get-unknown-cart",
                0
            ),
            c(
                "mock.unexercised-interaction",
                "checkout-web/authorize-payment",
                0
            ),
            c(
                "mock.unexercised-interaction",
                "checkout-web/authorize-payment-processor-unavailable",
                0
            ),
            c(
                "mock.unexercised-interaction",
                "checkout-web/authorize-payment-declined",
                0
            ),
        ]
    );
    assert_eq!(report["summary"]["unmatched"], 3);
    assert_eq!(report["unmatched"][0]["count"], 2);
    let schema = crate::support::report_schema("mock-report.schema.json");
    let violations = crate::support::violations(&schema, &report);
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn the_human_report_shows_coverage_unmatched_requests_and_findings() {
    let output = run_with_mistakes("human");
    insta::assert_snapshot!(transcript_without_listening(&output));
}

/// The transcript; "listening on" is on stderr before everything else and redacted anyway.
fn transcript_without_listening(output: &Output) -> String {
    redact(&transcript(output))
}

#[test]
fn the_json_report_of_a_partial_run() {
    let mock = Mock::start(&[CHECKOUT, "--format", "json", "--interaction", "get-*"]);
    mock.send_interaction(CHECKOUT, "get-cart");
    mock.send(
        "GET",
        "/carts/c-1001?expand=items",
        &[("Accept", "application/json")],
        None,
    );
    let output = mock.stop();
    let mut report = report(&output);
    report["url"] = json!("http://127.0.0.1:[port]");
    insta::assert_json_snapshot!(report);
}

#[test]
fn several_matching_interactions_are_chosen_by_header_pin_or_the_documented_default() {
    let mock = Mock::start(&[CHECKOUT, "--format", "json"]);
    let body = r#"{"cartId": "c-1001", "amount": "25.00", "currency": "EUR", "method": "card"}"#;
    let plain = [
        ("Accept", "application/json"),
        ("Content-Type", "application/json"),
    ];
    // No Idempotency-Key: all three payment interactions match equally; the first answers.
    let answer = mock.send("POST", "/payments", &plain, Some(body));
    assert_eq!(answer.status, 201);
    // The header chooses.
    let mut named = plain.to_vec();
    named.push(("X-Vow-Interaction", "authorize-payment-declined"));
    assert_eq!(
        mock.send("POST", "/payments", &named, Some(body)).status,
        402
    );
    // A pinned provider state chooses.
    let (status, pin) = mock.json(
        "PUT",
        "/_vow/pin",
        Some(json!({"state": "the payment processor is unavailable"})),
    );
    assert_eq!(
        (status, pin),
        (
            200,
            json!({"state": "the payment processor is unavailable"})
        )
    );
    assert_eq!(
        mock.send("POST", "/payments", &plain, Some(body)).status,
        503
    );
    // A pinned interaction chooses, and unpinning restores the default.
    let (status, _) = mock.json(
        "PUT",
        "/_vow/pin",
        Some(json!({"interaction": "checkout-web/authorize-payment-declined"})),
    );
    assert_eq!(status, 200);
    assert_eq!(
        mock.send("POST", "/payments", &plain, Some(body)).status,
        402
    );
    assert_eq!(mock.json("DELETE", "/_vow/pin", None), (200, json!({})));
    assert_eq!(
        mock.send("POST", "/payments", &plain, Some(body)).status,
        201
    );
    // Pinning what no contract has is refused.
    let (status, refusal) = mock.json("PUT", "/_vow/pin", Some(json!({"interaction": "nope"})));
    assert_eq!(
        (status, refusal["code"].as_str()),
        (404, Some("interaction_not_found"))
    );

    let output = mock.stop();
    let report = report(&output);
    let ambiguous: Vec<_> = rules_with_counts(&report)
        .into_iter()
        .filter(|(rule, _, _)| rule == "mock.ambiguous-request")
        .collect();
    assert_eq!(
        ambiguous,
        vec![(
            "mock.ambiguous-request".to_owned(),
            "checkout-web/authorize-payment".to_owned(),
            2
        )]
    );
}

#[test]
fn rehearsing_errors_answers_declared_errors_for_the_exact_share() {
    let mock = Mock::start(&[
        CHECKOUT,
        "--format",
        "json",
        "--rehearse",
        "errors",
        "--rehearse-share",
        "0.5",
        "--interaction",
        "get-cart",
    ]);
    let answers: Vec<Answer> = (0..6)
        .map(|_| mock.send_interaction(CHECKOUT, "get-cart"))
        .collect();
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    // The 2nd, 4th and 6th requests, through the defaults' handled errors in turn.
    assert_eq!(statuses, vec![200, 404, 200, 429, 200, 404]);
    assert_eq!(answers[1].json()["code"], "cart_not_found");
    assert_eq!(answers[1].header("retry-after"), None);
    assert_eq!(answers[3].json()["code"], "rate_limited");
    assert_eq!(answers[3].header("retry-after"), Some("1"));
    assert_eq!(
        answers[3].header("content-type"),
        Some("application/problem+json")
    );
    let output = mock.stop();
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    let report = report(&output);
    assert_eq!(
        report["rehearsal"],
        json!({"mode": "errors", "share": 0.5, "errors": 3, "delays": 0, "beyondTimeout": 0})
    );
    assert_eq!(report["interactions"][0]["rehearsed"]["errors"], 3);
}

#[test]
fn rehearsing_latency_waits_the_p99_then_beyond_the_consumers_timeout() {
    let mock = Mock::start(&[
        CHECKOUT,
        "--format",
        "json",
        "--spec",
        "specs/shop-api.yaml",
        "--rehearse",
        "latency",
        "--rehearse-share",
        "0.5",
        "--interaction",
        "get-cart",
    ]);
    // The consumer's own timeout for get-cart is 800ms.
    let timeout = Duration::from_millis(800);
    let send = || {
        let text = mock.send_with_timeout(
            "GET",
            "/carts/c-1001",
            &[("Accept", "application/json")],
            None,
            timeout,
        );
        text.map(|a| a.status).map_err(|e| e.is_timeout())
    };
    let outcomes: Vec<Result<u16, bool>> = (0..4).map(|_| send()).collect();
    // The 2nd waits the spec's p99 (50ms) and succeeds; the 4th waits past the timeout.
    assert_eq!(outcomes, vec![Ok(200), Ok(200), Ok(200), Err(true)]);
    let output = mock.stop();
    let report = report(&output);
    assert_eq!(
        report["rehearsal"],
        json!({"mode": "latency", "share": 0.5, "errors": 0, "delays": 1, "beyondTimeout": 1})
    );
}

#[test]
fn rehearsing_all_interleaves_errors_and_delays() {
    let mock = Mock::start(&[
        CHECKOUT,
        "--format",
        "json",
        "--rehearse",
        "all",
        "--rehearse-share",
        "1",
        "--interaction",
        "get-unknown-cart",
    ]);
    // Without a spec there is no p99: the delays are beyond the consumer's timeout (800ms + 100ms).
    let statuses: Vec<Result<u16, bool>> = (0..3)
        .map(|_| {
            mock.send_with_timeout(
                "GET",
                "/carts/c-9999",
                &[("Accept", "application/json")],
                None,
                Duration::from_millis(800),
            )
            .map(|a| a.status)
            .map_err(|e| e.is_timeout())
        })
        .collect();
    assert_eq!(statuses, vec![Ok(404), Err(true), Ok(429)]);
    let output = mock.stop();
    assert_eq!(
        report(&output)["rehearsal"],
        json!({"mode": "all", "share": 1.0, "errors": 2, "delays": 0, "beyondTimeout": 1})
    );
}

#[test]
fn the_control_api_switches_rehearsal_resets_and_reports() {
    let mock = Mock::start(&[CHECKOUT, "--format", "json", "--interaction", "get-cart"]);
    assert_eq!(mock.send_interaction(CHECKOUT, "get-cart").status, 200);
    let (status, rehearsal) = mock.json(
        "PUT",
        "/_vow/rehearsal",
        Some(json!({"mode": "errors", "share": 1})),
    );
    assert_eq!(
        (status, rehearsal),
        (200, json!({"mode": "errors", "share": 1.0}))
    );
    assert_eq!(mock.send_interaction(CHECKOUT, "get-cart").status, 404);
    let (status, report) = mock.json("GET", "/_vow/report", None);
    assert_eq!(status, 200);
    assert_eq!(report["interactions"][0]["requests"], 2);
    assert_eq!(report["rehearsal"]["errors"], 1);

    for (body, pointer) in [
        (json!({"mode": "sometimes"}), "/mode"),
        (json!({"share": 2}), "/share"),
        (json!({"share": "half"}), "/share"),
    ] {
        let (status, refusal) = mock.json("PUT", "/_vow/rehearsal", Some(body));
        assert_eq!(status, 400);
        assert!(
            refusal["title"]
                .as_str()
                .unwrap_or_default()
                .starts_with(pointer),
            "{refusal}"
        );
    }
    let garbage = mock.send("PUT", "/_vow/rehearsal", &[], Some("{not json"));
    assert_eq!(
        (garbage.status, garbage.json()["code"].as_str()),
        (400, Some("invalid_json"))
    );
    assert_eq!(mock.send("GET", "/_vow/nothing", &[], None).status, 404);
    assert_eq!(mock.send("DELETE", "/_vow/report", &[], None).status, 405);

    assert_eq!(mock.json("POST", "/_vow/reset", None).0, 200);
    let (_, report) = mock.json("GET", "/_vow/report", None);
    assert_eq!(report["interactions"][0]["requests"], 0);
    assert_eq!(report["summary"]["requests"], 0);
    let output = mock.stop();
    // Reset left get-cart unexercised.
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
}

#[test]
fn garbage_on_the_wire_gets_a_clean_400_and_the_mock_keeps_serving() {
    let mock = Mock::start(&[CHECKOUT, "--interaction", "get-cart", "--allow-unexercised"]);
    let address = mock.url.trim_start_matches("http://").to_owned();
    for garbage in [
        &b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"[..],
        b"GET /carts/c-1001 HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
        b"NOT-HTTP\r\n\r\n",
    ] {
        let mut stream = TcpStream::connect(&address).expect("connect");
        stream.write_all(garbage).expect("write");
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let text = String::from_utf8_lossy(&answer);
        assert!(
            text.is_empty() || text.starts_with("HTTP/1.1 400"),
            "{text}"
        );
    }
    // A body announced larger than the limit is refused with 413 and a finding, before it is
    // read.
    let mut stream = TcpStream::connect(&address).expect("connect");
    stream
        .write_all(
            b"POST /carts/c-1001 HTTP/1.1\r\nHost: x\r\nContent-Length: 2097152\r\nConnection: close\r\n\r\n",
        )
        .expect("write");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert_eq!(mock.send_interaction(CHECKOUT, "get-cart").status, 200);
    let output = mock.stop();
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("mock.request-body-too-large"),
        "{}",
        transcript(&output)
    );
}

fn wrapped(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vow"))
        .arg("mock")
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run vow mock")
}

#[test]
fn a_wrapped_command_gets_the_url_and_decides_the_exit_code_with_the_report() {
    // The command sees VOW_MOCK_URL; nothing else fails with --allow-unexercised.
    let ok = wrapped(&[
        CHECKOUT,
        "--allow-unexercised",
        "--",
        "sh",
        "-c",
        "case \"$VOW_MOCK_URL\" in http://127.0.0.1:*) exit 0;; *) exit 9;; esac",
    ]);
    assert_eq!(ok.status.code(), Some(0), "{}", transcript(&ok));
    // A failing command fails the run, and says so.
    let failing = wrapped(&[CHECKOUT, "--allow-unexercised", "--", "sh", "-c", "exit 3"]);
    assert_eq!(failing.status.code(), Some(1), "{}", transcript(&failing));
    assert!(
        String::from_utf8_lossy(&failing.stderr)
            .contains("the command `sh -c exit 3` exited with code 3"),
        "{}",
        transcript(&failing)
    );
    // A passing command still fails the run when interactions went unexercised.
    let partial = wrapped(&[CHECKOUT, "--", "true"]);
    assert_eq!(partial.status.code(), Some(1), "{}", transcript(&partial));
    // A command that cannot start is a usage error.
    let missing = wrapped(&[CHECKOUT, "--", "/nonexistent/vow-test-command"]);
    assert_eq!(missing.status.code(), Some(2), "{}", transcript(&missing));
}

#[test]
fn duration_stops_the_mock_and_bad_input_is_exit_code_2() {
    let timed = wrapped(&[CHECKOUT, "--duration", "200ms", "--allow-unexercised"]);
    assert_eq!(timed.status.code(), Some(0), "{}", transcript(&timed));
    let invalid = wrapped(&["fixtures/contracts/invalid/unknown-keys.yaml"]);
    assert_eq!(invalid.status.code(), Some(2), "{}", transcript(&invalid));
    let nothing = wrapped(&[CHECKOUT, "--interaction", "nope"]);
    assert_eq!(nothing.status.code(), Some(2), "{}", transcript(&nothing));
    let share = wrapped(&[CHECKOUT, "--rehearse-share", "1.5"]);
    assert_eq!(share.status.code(), Some(2), "{}", transcript(&share));
}
