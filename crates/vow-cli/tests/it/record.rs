//! `vow record` end to end: the recording proxy between a client and a real provider, the draft
//! it writes, and `vow verify` of that draft against the same provider (the round trip); secrets
//! never reaching the disk; an upstream that is down; large bodies passing through intact; HAR
//! files, real exports and broken ones.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::routing::{get, post};
use base64::Engine;
use vow_core::contract::{BodyExpectation, SourceFormat, parse_contract};

use crate::support::{Provider, root, transcript, unreachable_url, vow, vow_with_env};

/// A running `vow record` proxy.
struct Recording {
    child: Child,
    addr: String,
    stderr: BufReader<std::process::ChildStderr>,
    first_line: String,
}

impl Recording {
    fn start(upstream: &str, out: &Path, extra: &[&str]) -> Recording {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vow"))
            .args(["record", "--upstream", upstream, "--listen", "127.0.0.1:0"])
            .args([
                "--consumer",
                "checkout-web",
                "--provider",
                "shop-api",
                "--out",
            ])
            .arg(out)
            .args(extra)
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("vow record starts");
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
        let mut first_line = String::new();
        stderr.read_line(&mut first_line).expect("reads stderr");
        let addr = first_line
            .trim()
            .strip_prefix("recording on http://")
            .unwrap_or_else(|| panic!("unexpected first line: {first_line:?}"))
            .to_owned();
        Recording {
            child,
            addr,
            stderr,
            first_line,
        }
    }

    /// Waits (at most a minute) for vow to stop on its own, and returns its exit code and stderr.
    fn wait(mut self) -> (Option<i32>, String) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("waits") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("vow record did not stop");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut rest = String::new();
        self.stderr.read_to_string(&mut rest).expect("reads stderr");
        (status.code(), format!("{}{rest}", self.first_line))
    }
}

/// One HTTP/1.1 exchange on its own connection: the status and the body.
fn http(
    addr: &str,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).expect("connects to the proxy");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("sends");
    stream.write_all(body).expect("sends the body");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("reads");
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let status = head[9..12].parse().expect("a status");
    let mut body = response[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    (status, body)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size");
        let size = usize::from_str_radix(
            std::str::from_utf8(&data[..line_end]).expect("hex").trim(),
            16,
        )
        .expect("hex");
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

const TOKEN: &str = "Bearer checkout-web-demo-token";

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temp dir")
}

/// A credentials file naming only the held token: the draft's `auth` names the consumer's
/// credential set, and the 403 probe (which needs a limited token) is the user's to add.
fn held_token_config(dir: &Path) -> PathBuf {
    let path = dir.join("vow.toml");
    std::fs::write(
        &path,
        "[credentials.checkout-web]\ntoken = { env = \"SHOP_API_CHECKOUT_TOKEN\" }\n",
    )
    .expect("writes");
    path
}

#[test]
fn a_recorded_draft_verifies_against_the_provider_it_was_recorded_from() {
    let provider = Provider::start(&[]);
    let dir = temp();
    let out = dir.path().join("checkout-web.shop-api.yaml");
    let recording = Recording::start(&provider.url, &out, &["--max-requests", "8"]);
    let json = [("Accept", "application/json"), ("Authorization", TOKEN)];
    let post = [
        ("Accept", "application/json"),
        ("Authorization", TOKEN),
        ("Content-Type", "application/json"),
        ("Idempotency-Key", "3f6c2a9e-1b7d-4c2e-9a51-0d8e7f4b2c10"),
    ];
    let addr = recording.addr.clone();
    assert_eq!(http(&addr, "GET", "/carts/c-1001", &json, b"").0, 200);
    assert_eq!(
        http(&addr, "POST", "/carts", &post, br#"{"currency":"EUR"}"#).0,
        201
    );
    assert_eq!(http(&addr, "GET", "/carts/c-1002", &json, b"").0, 200);
    assert_eq!(http(&addr, "GET", "/carts/c-9999", &json, b"").0, 404);
    assert_eq!(
        http(
            &addr,
            "POST",
            "/carts/c-1002/items",
            &post,
            br#"{"sku":"SKU-RED-MUG","quantity":1}"#
        )
        .0,
        201
    );
    assert_eq!(
        http(&addr, "GET", "/carts/c-1002/summary", &json, b"").0,
        200
    );
    assert_eq!(http(&addr, "GET", "/carts/c-1001", &json, b"").0, 200);
    assert_eq!(http(&addr, "GET", "/carts/c-1001", &json, b"").0, 200);
    let (code, stderr) = recording.wait();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("recorded 8 exchanges of 4 operations into 5 interactions"),
        "{stderr}"
    );
    assert!(
        stderr.contains("redacted: header authorization"),
        "{stderr}"
    );

    let text = std::fs::read_to_string(&out).expect("the draft is written");
    let contract = parse_contract("draft", &text, SourceFormat::Yaml)
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    let ids: Vec<&str> = contract
        .interactions
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "get-cart",
            "get-cart-404-cart-not-found",
            "post-carts",
            "post-cart-items",
            "get-cart-summary"
        ]
    );
    let get_cart = &contract.interactions[0];
    assert!(
        get_cart
            .description
            .contains("GET /carts/{cartId} answered 200: recorded 4 of 5 exchanges"),
        "{}",
        get_cart.description
    );
    let Some(BodyExpectation::Schema { schema, .. }) = &get_cart.response.body else {
        panic!("a schema body: {text}")
    };
    assert_eq!(schema["properties"]["createdAt"]["format"], "date-time");
    assert!(
        schema["required"]
            .as_array()
            .is_some_and(|r| r.contains(&"items".into()))
    );
    let summary = &contract.interactions[4];
    assert_eq!(
        summary.statements.deprecation.as_ref().map(|d| d.operation),
        Some(true)
    );
    assert!(!text.contains("checkout-web-demo-token"), "{text}");

    let config = held_token_config(dir.path());
    let out_arg = out.display().to_string();
    let config_arg = config.display().to_string();
    let verify = vow_with_env(
        &[
            "verify",
            "--provider-url",
            &provider.url,
            "--config",
            &config_arg,
            "--as-of",
            crate::support::AS_OF,
            &out_arg,
        ],
        &[("SHOP_API_CHECKOUT_TOKEN", "checkout-web-demo-token")],
    );
    assert_eq!(
        verify.status.code(),
        Some(0),
        "{}\n{text}",
        transcript(&verify)
    );
}

fn jwt(claims: &str) -> String {
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!(
        "{}.{}.c2lnbmF0dXJlLXNlY3JldA",
        b64(r#"{"alg":"RS256"}"#),
        b64(claims)
    )
}

#[test]
fn secrets_never_reach_the_disk_and_the_tokens_scopes_become_the_auth_block() {
    let app = axum::Router::new().route(
        "/accounts/{id}",
        post(|| async {
            (
                [
                    ("content-type", "application/json"),
                    ("set-cookie", "session=SETCOOKIE-SECRET"),
                ],
                r#"{"id":"a-100","apiKey":"RESPONSE-SECRET","status":"active"}"#,
            )
        }),
    );
    let provider = Provider::app(app);
    let dir = temp();
    let out = dir.path().join("draft.json");
    let recording = Recording::start(&provider.url, &out, &["--max-requests", "2"]);
    let token = jwt(
        r#"{"sub":"checkout-web","scope":"accounts:write accounts:read","nonce":"JWT-CLAIM-SECRET"}"#,
    );
    let bearer = format!("Bearer {token}");
    let headers = [
        ("Authorization", bearer.as_str()),
        ("Cookie", "session=COOKIE-SECRET"),
        ("X-Api-Key", "APIKEY-HEADER-SECRET"),
        ("X-Upstream-Signature", "SIGNATURE-SECRET"),
        ("Content-Type", "application/json"),
    ];
    let body = br#"{"email":"a@example.com","password":"PASSWORD-SECRET","card":{"number":"4111 1111 1111 1111"},"clientSecret":"CLIENT-SECRET"}"#;
    for _ in 0..2 {
        let (status, _) = http(
            &recording.addr,
            "POST",
            "/accounts/a-100?access_token=QUERY-SECRET&sig=SIG-SECRET&view=full",
            &headers,
            body,
        );
        assert_eq!(status, 200);
    }
    let (code, stderr) = recording.wait();
    assert_eq!(code, Some(0), "{stderr}");
    let bytes = std::fs::read(&out).expect("the draft");
    let on_disk = format!("{}{stderr}", String::from_utf8_lossy(&bytes));
    for secret in [
        token.as_str(),
        "c2lnbmF0dXJlLXNlY3JldA",
        "JWT-CLAIM-SECRET",
        "COOKIE-SECRET",
        "SETCOOKIE-SECRET",
        "APIKEY-HEADER-SECRET",
        "SIGNATURE-SECRET",
        "PASSWORD-SECRET",
        "4111 1111 1111 1111",
        "CLIENT-SECRET",
        "RESPONSE-SECRET",
        "QUERY-SECRET",
        "SIG-SECRET",
    ] {
        assert!(
            !on_disk.contains(secret),
            "{secret} reached the disk or the terminal:\n{on_disk}"
        );
    }
    // Nothing else was left behind beside the draft (no temp file with the secrets).
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .expect("lists")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(files, ["draft.json"]);
    let contract = parse_contract(
        "draft.json",
        &String::from_utf8_lossy(&bytes),
        SourceFormat::Json,
    )
    .expect("a contract");
    let auth = contract.interactions[0]
        .statements
        .auth
        .as_ref()
        .expect("auth");
    assert_eq!(auth.scopes, ["accounts:read", "accounts:write"]);
    assert_eq!(contract.interactions[0].request.query["view"], ["full"]);
    assert!(stderr.contains("redacted: header authorization, header cookie, header x-api-key, header x-upstream-signature, query access_token, query sig, request body /card/number, request body /clientSecret, request body /password, response body /apiKey, response header set-cookie"), "{stderr}");
}

#[test]
fn an_upstream_that_is_down_gets_the_client_a_502_and_writes_nothing() {
    let dir = temp();
    let out = dir.path().join("draft.yaml");
    let upstream = unreachable_url();
    let recording = Recording::start(&upstream, &out, &["--duration", "2s"]);
    let (status, body) = http(
        &recording.addr,
        "GET",
        "/carts/c-1001",
        &[("Authorization", TOKEN)],
        b"",
    );
    assert_eq!(status, 502);
    let problem: serde_json::Value = serde_json::from_slice(&body).expect("problem+json");
    assert_eq!(problem["code"], "upstream_unreachable");
    let (code, stderr) = recording.wait();
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("could not get an answer from"), "{stderr}");
    assert!(
        stderr.contains("nothing was recorded (0 exchanges seen), so no draft was written"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn large_bodies_pass_through_intact_in_both_directions_and_are_noted_not_parsed() {
    const SIZE: usize = 5 * 1024 * 1024;
    let app = axum::Router::new()
        .route(
            "/blobs/{id}",
            get(|| async {
                let body: Vec<u8> = (0..SIZE).map(|i| (i % 251) as u8).collect();
                ([("content-type", "application/octet-stream")], body)
            }),
        )
        .route(
            "/uploads",
            post(|body: axum::body::Bytes| async move {
                let sum: u64 = body.iter().map(|&b| u64::from(b)).sum();
                (
                    [("content-type", "application/json")],
                    format!(r#"{{"size":{},"sum":{sum}}}"#, body.len()),
                )
            }),
        )
        .layer(axum::extract::DefaultBodyLimit::disable());
    let provider = Provider::app(app);
    let dir = temp();
    let out = dir.path().join("draft.yaml");
    let recording = Recording::start(
        &provider.url,
        &out,
        &["--max-requests", "2", "--max-body-size", "64KiB"],
    );
    let (status, body) = http(&recording.addr, "GET", "/blobs/b-1001", &[], b"");
    assert_eq!(status, 200);
    assert_eq!(body.len(), SIZE);
    assert!(
        body.iter().enumerate().all(|(i, &b)| b == (i % 251) as u8),
        "the body changed on its way"
    );
    let upload: Vec<u8> = (0..3 * 1024 * 1024).map(|i| (i % 7) as u8).collect();
    let expected_sum: u64 = upload.iter().map(|&b| u64::from(b)).sum();
    let (status, answer) = http(
        &recording.addr,
        "POST",
        "/uploads",
        &[("Content-Type", "application/octet-stream")],
        &upload,
    );
    assert_eq!(status, 200);
    assert_eq!(
        String::from_utf8_lossy(&answer),
        format!(r#"{{"size":{},"sum":{expected_sum}}}"#, upload.len())
    );
    let (code, stderr) = recording.wait();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("get-blob: 1 of 1 response bodies were not inferred: larger than the capture limit (5242880 bytes)"), "{stderr}");
    assert!(stderr.contains("post-uploads: the request body (3145728 bytes) was larger than the capture limit, so the draft sends no request body"), "{stderr}");
}

#[test]
fn an_existing_draft_is_not_overwritten_without_force() {
    let dir = temp();
    let out = dir.path().join("draft.yaml");
    std::fs::write(&out, "keep me").expect("writes");
    let har = root().join("fixtures/record/har/mitmproxy-shop-api.har");
    let args = |force: bool| {
        let mut args = vec![
            "record".to_owned(),
            "--har".into(),
            har.display().to_string(),
            "--consumer".into(),
            "checkout-web".into(),
            "--provider".into(),
            "shop-api".into(),
            "--out".into(),
            out.display().to_string(),
        ];
        if force {
            args.push("--force".into());
        }
        args
    };
    let refused = vow(&args(false).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("already exists; pass --force to replace it")
    );
    assert_eq!(std::fs::read_to_string(&out).expect("reads"), "keep me");
    let forced = vow(&args(true).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(forced.status.code(), Some(0), "{}", transcript(&forced));
    assert!(
        std::fs::read_to_string(&out)
            .expect("reads")
            .starts_with("vow: 1")
    );
}

/// `vow record --har` on a committed fixture, into a temp file: the transcript and the draft.
fn record_har(fixture: &str, extra: &[&str]) -> (String, Option<String>) {
    let dir = temp();
    let out = dir.path().join("draft.yaml");
    let out_arg = out.display().to_string();
    let mut args = vec![
        "record",
        "--har",
        fixture,
        "--consumer",
        "checkout-web",
        "--provider",
        "shop-api",
        "--out",
        &out_arg,
    ];
    args.extend_from_slice(extra);
    let output = vow(&args);
    let text = transcript(&output).replace(&out_arg, "[out]");
    (text, std::fs::read_to_string(&out).ok())
}

#[test]
fn a_mitmproxy_har_export_becomes_a_draft() {
    let (transcript, draft) = record_har("fixtures/record/har/mitmproxy-shop-api.har", &[]);
    let draft = draft.unwrap_or_else(|| panic!("no draft:\n{transcript}"));
    parse_contract("draft.yaml", &draft, SourceFormat::Yaml).unwrap_or_else(|e| panic!("{e}"));
    insta::assert_snapshot!("har_mitmproxy_transcript", transcript);
    insta::assert_snapshot!("har_mitmproxy_draft", draft);
}

#[test]
fn a_chromium_har_export_becomes_a_draft_with_merged_path_templates() {
    let (transcript, draft) = record_har(
        "fixtures/record/har/chromium-shop-api.har",
        &["--upstream", "http://shop-api.test:8080"],
    );
    let draft = draft.unwrap_or_else(|| panic!("no draft:\n{transcript}"));
    let contract =
        parse_contract("draft.yaml", &draft, SourceFormat::Yaml).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = contract
        .interactions
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "get-healthz",
            "get-inventory",
            "get-inventory-404",
            "get-price"
        ],
        "{draft}"
    );
    insta::assert_snapshot!("har_chromium_transcript", transcript);
    insta::assert_snapshot!("har_chromium_draft", draft);
}

#[test]
fn with_a_spec_the_draft_uses_its_templates_and_operation_ids() {
    let (transcript, draft) = record_har(
        "fixtures/record/har/chromium-shop-api.har",
        &["--spec", "specs/shop-api.yaml"],
    );
    let draft = draft.unwrap_or_else(|| panic!("no draft:\n{transcript}"));
    let contract =
        parse_contract("draft.yaml", &draft, SourceFormat::Yaml).unwrap_or_else(|e| panic!("{e}"));
    let descriptions: Vec<&str> = contract
        .interactions
        .iter()
        .map(|i| i.description.split(':').next().unwrap_or_default())
        .collect();
    insta::assert_debug_snapshot!(
        "har_chromium_with_spec",
        (
            contract
                .interactions
                .iter()
                .map(|i| i.id.as_str())
                .collect::<Vec<_>>(),
            descriptions
        )
    );
}

#[test]
fn an_origin_filter_that_matches_nothing_writes_nothing() {
    let (transcript, draft) = record_har(
        "fixtures/record/har/mitmproxy-shop-api.har",
        &["--upstream", "https://elsewhere.test"],
    );
    assert!(draft.is_none());
    insta::assert_snapshot!("har_other_origin", transcript);
}

#[test]
fn malformed_har_files_are_reported_with_file_line_and_pointer() {
    let (truncated, draft) = record_har("fixtures/record/har/invalid/truncated.har", &[]);
    assert!(draft.is_none());
    insta::assert_snapshot!("har_truncated", truncated);
    let (wrong, draft) = record_har("fixtures/record/har/invalid/wrong-types.har", &[]);
    assert!(draft.is_none());
    insta::assert_snapshot!("har_wrong_types", wrong);
}
