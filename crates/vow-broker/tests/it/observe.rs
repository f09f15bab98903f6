//! What operators see: request ids both ways, `/metrics` counting by route template (never a raw
//! path), can-I-deploy verdicts, and one log event per request that, like the cause of a 5xx,
//! carries the request id.

use std::cell::RefCell;
use std::io::Write;
use std::sync::{Arc, Mutex, Once};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use vow_broker::{Metrics, Settings};
use vow_core::deploy::Verdict;

use crate::support::{TestApp, exchange};

fn get(path: &str, request_id: Option<&[u8]>) -> Request<Body> {
    let mut request = Request::get(path);
    if let Some(id) = request_id {
        request = request.header("x-request-id", id);
    }
    request.body(Body::empty()).expect("request")
}

/// The value of one series in a scrape, if it is there.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|value| value.parse().expect("a number"))
}

#[tokio::test]
async fn every_answer_carries_a_request_id_the_clients_when_it_is_sane() {
    let app = TestApp::sqlite().await;
    let router = app.router();
    let id = |answer: &crate::support::Answer| {
        answer
            .header("x-request-id")
            .expect("x-request-id")
            .to_owned()
    };

    let given = exchange(router.clone(), get("/healthz", Some(b"build-7/step-3"))).await;
    assert_eq!(id(&given), "build-7/step-3");

    // Errors and unknown routes get one too.
    let made = exchange(router.clone(), get("/api/v1/services/nobody", None)).await;
    assert_eq!(made.status, StatusCode::NOT_FOUND);
    let other = exchange(router.clone(), get("/nowhere", None)).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    for answer in [&made, &other] {
        let id = id(answer);
        assert_eq!(id.len(), 36, "a UUID: {id}");
        assert!(
            id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'),
            "{id}"
        );
    }
    assert_ne!(id(&made), id(&other));

    let long = vec![b'a'; 129];
    for insane in [&b"two words"[..], b"", &long, b"caf\xc3\xa9"] {
        let answer = exchange(router.clone(), get("/healthz", Some(insane))).await;
        let id = id(&answer);
        assert_ne!(id.as_bytes(), insane);
        assert_eq!(id.len(), 36, "a fresh UUID instead of {insane:?}: {id}");
    }
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_status() {
    let app = TestApp::sqlite().await;
    let router = app.router();
    for path in [
        "/api/v1/services/alpha",
        "/api/v1/services/beta",
        "/api/v1/services/gamma/versions",
        "/no/such/route/42",
        "/healthz",
    ] {
        exchange(router.clone(), get(path, None)).await;
    }
    let scrape = exchange(router.clone(), get("/metrics", None)).await;
    assert_eq!(scrape.status, StatusCode::OK);
    assert!(
        scrape
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/openmetrics-text")),
        "{:?}",
        scrape.headers
    );
    let text = scrape.text();
    assert_eq!(
        sample(
            &text,
            r#"vow_http_requests_total{method="GET",route="/api/v1/services/{service}",status="404"}"#
        ),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"vow_http_requests_total{method="GET",route="/api/v1/services/{service}/versions",status="404"}"#
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"vow_http_requests_total{method="GET",route="unmatched",status="404"}"#
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"vow_http_requests_total{method="GET",route="/healthz",status="200"}"#
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"vow_http_request_duration_seconds_count{route="/api/v1/services/{service}"}"#
        ),
        Some(2.0),
        "{text}"
    );
    for raw in ["alpha", "beta", "gamma", "/no/such"] {
        assert!(
            !text.contains(raw),
            "a raw path leaked into a label: {raw}\n{text}"
        );
    }
    assert!(
        sample(&text, r#"vow_db_pool_max_connections"#).is_some_and(|max| max >= 1.0),
        "{text}"
    );
    assert!(
        sample(&text, r#"vow_db_pool_connections{state="idle"}"#).is_some(),
        "{text}"
    );
    assert!(text.ends_with("# EOF\n"), "{text}");
}

#[tokio::test]
async fn can_i_deploy_verdicts_are_scraped_and_brokers_count_apart() {
    let app = TestApp::sqlite().await;
    let metrics = Metrics::new();
    let router =
        vow_broker::router_with_metrics(app.store.clone(), Settings::default(), metrics.clone());
    let other = app.router();
    metrics.can_i_deploy(Verdict::No);
    metrics.can_i_deploy(Verdict::No);
    metrics.can_i_deploy(Verdict::Yes);

    let text = exchange(router, get("/metrics", None)).await.text();
    assert_eq!(
        sample(&text, r#"vow_can_i_deploy_total{verdict="no"}"#),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, r#"vow_can_i_deploy_total{verdict="yes"}"#),
        Some(1.0),
        "{text}"
    );
    let text = exchange(other, get("/metrics", None)).await.text();
    assert_eq!(
        sample(&text, r#"vow_can_i_deploy_total{verdict="no"}"#),
        None,
        "another broker's counts leaked in:\n{text}"
    );
}

#[tokio::test]
async fn answering_can_i_deploy_counts_its_verdict() {
    let app = TestApp::sqlite().await;
    let metrics = Metrics::new();
    let router =
        || vow_broker::router_with_metrics(app.store.clone(), Settings::default(), metrics.clone());
    app.put("/api/v1/services/batch/versions/1", &serde_json::json!({}))
        .await;
    app.put("/api/v1/environments/production", &serde_json::json!({}))
        .await;
    let answer = exchange(
        router(),
        get(
            "/api/v1/can-i-deploy?service=batch&version=1&environment=production",
            None,
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let text = exchange(router(), get("/metrics", None)).await.text();
    assert_eq!(
        sample(&text, r#"vow_can_i_deploy_total{verdict="yes"}"#),
        Some(1.0),
        "{text}"
    );
}

/// Log lines captured in memory, for the threads that ask.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Every JSON line logged so far.
    fn events(&self) -> Vec<Value> {
        let bytes = self.0.lock().expect("lock").clone();
        String::from_utf8(bytes)
            .expect("UTF-8 logs")
            .lines()
            .map(|line| serde_json::from_str(line).expect("a JSON log line"))
            .collect()
    }
}

thread_local! {
    static CAPTURE: RefCell<Option<Captured>> = const { RefCell::new(None) };
}

/// Writes to this thread's capture, if it has one; elsewhere, nowhere.
struct ThisThread;

impl Write for ThisThread {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        CAPTURE.with(|capture| {
            if let Some(captured) = &*capture.borrow() {
                captured.0.lock().expect("lock").extend_from_slice(bytes);
            }
        });
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs, once for the test binary, the subscriber `vow broker serve --log-format json` does,
/// writing to the capture of the thread that logs. Global rather than scoped: a scoped
/// subscriber misses events whose call sites other tests' threads registered first (tracing
/// caches each call site's interest process-wide).
fn capture_logs_on_this_thread() -> Captured {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .with_writer(|| ThisThread)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
    });
    let captured = Captured::default();
    CAPTURE.with(|capture| *capture.borrow_mut() = Some(captured.clone()));
    captured
}

#[test]
fn each_request_logs_one_event_and_a_5xx_logs_its_cause_with_the_request_id() {
    let captured = capture_logs_on_this_thread();
    // A current-thread runtime runs every request on this thread, whose logs are captured.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let ids = runtime.block_on(async {
        let app = TestApp::sqlite().await;
        let router = app.router();
        let healthy = exchange(router.clone(), get("/healthz", Some(b"healthy-1"))).await;
        let missing = exchange(router.clone(), get("/api/v1/services/nobody", None)).await;
        app.store.close().await;
        let outage = exchange(router.clone(), get("/api/v1/services", Some(b"outage-7"))).await;
        assert_eq!(outage.status, StatusCode::SERVICE_UNAVAILABLE);
        [healthy, missing, outage].map(|answer| {
            answer
                .header("x-request-id")
                .expect("x-request-id")
                .to_owned()
        })
    });
    let events = captured.events();
    let answered: Vec<&Value> = events
        .iter()
        .filter(|e| e["message"] == "answered")
        .collect();
    assert_eq!(answered.len(), 3, "one event per request: {events:#?}");
    let expected = [
        (&ids[0], "/healthz", 200),
        (&ids[1], "/api/v1/services/{service}", 404),
        (&ids[2], "/api/v1/services", 503),
    ];
    for (event, (id, route, status)) in answered.iter().zip(expected) {
        assert_eq!(event["span"]["request_id"], id.as_str(), "{event}");
        assert_eq!(event["span"]["method"], "GET", "{event}");
        assert_eq!(event["span"]["route"], route, "{event}");
        assert_eq!(event["status"], status, "{event}");
        assert!(
            event["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0),
            "{event}"
        );
    }
    assert_eq!(answered[2]["level"], "WARN", "a 5xx is a warning");
    let cause = events
        .iter()
        .find(|e| e["message"] == "database unavailable")
        .unwrap_or_else(|| panic!("the 503's cause is not logged: {events:#?}"));
    assert_eq!(cause["span"]["request_id"], "outage-7", "{cause}");
    assert!(
        cause["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{cause}"
    );
}
