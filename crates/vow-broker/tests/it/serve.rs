//! The real thing: the broker on a loopback socket, answering, shutting down gracefully (a
//! request in flight is answered, new connections are refused), and closing connections of
//! clients that send too slowly.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use vow_broker::Settings;

use crate::support::{TestApp, on_both_backends};

on_both_backends!(
    serves_on_a_socket_and_stops_when_told,
    a_request_in_flight_when_shutdown_begins_is_answered_and_stored,
);

/// A generous bound on anything that should happen "soon": only a hang reaches it.
const DEADLINE: Duration = Duration::from_secs(30);

/// A broker serving `app`'s store on a free loopback port.
struct Running {
    address: SocketAddr,
    stop: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
}

async fn start(app: &TestApp, settings: Settings) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(vow_broker::serve(
        listener,
        app.store.clone(),
        settings,
        async {
            stopped.await.ok();
        },
    ));
    Running {
        address,
        stop,
        server,
    }
}

impl Running {
    /// Tells the broker to stop and waits until `serve` has returned.
    async fn stopped(self) {
        self.stop.send(()).expect("stop");
        finished(self.server).await;
    }
}

/// Waits until `serve` has returned, successfully.
async fn finished(server: JoinHandle<std::io::Result<()>>) {
    tokio::time::timeout(DEADLINE, server)
        .await
        .expect("serve returns after shutdown")
        .expect("task")
        .expect("serve");
}

async fn serves_on_a_socket_and_stops_when_told(app: TestApp) {
    let running = start(&app, Settings::default()).await;
    let mut stream = TcpStream::connect(running.address).await.expect("connect");
    stream
        .write_all(b"GET /readyz HTTP/1.1\r\nHost: broker\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.ends_with(r#"{"status":"ready"}"#), "{answer}");
    running.stopped().await;
}

async fn a_request_in_flight_when_shutdown_begins_is_answered_and_stored(app: TestApp) {
    let running = start(&app, Settings::default()).await;
    let body = br#"{"branch": "main", "commit": "3f2c9e1"}"#;
    let (first, second) = body.split_at(body.len() / 2);
    let stream = TcpStream::connect(running.address).await.expect("connect");
    let mut stream = BufReader::new(stream);
    let head = format!(
        "PUT /api/v1/services/shop-api/versions/1.0.0 HTTP/1.1\r\nHost: broker\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        body.len()
    );
    stream
        .get_mut()
        .write_all(head.as_bytes())
        .await
        .expect("write the head");
    // The broker asks for the body once its handler reads it: from then on the request is in
    // flight.
    let mut line = String::new();
    tokio::time::timeout(DEADLINE, stream.read_line(&mut line))
        .await
        .expect("100 Continue in time")
        .expect("read");
    assert_eq!(line, "HTTP/1.1 100 Continue\r\n");
    line.clear();
    stream.read_line(&mut line).await.expect("read");
    assert_eq!(line, "\r\n");
    stream.get_mut().write_all(first).await.expect("write");

    running.stop.send(()).expect("stop");
    // Shutdown closes the listener: new connections are refused while the request waits.
    let deadline = Instant::now() + DEADLINE;
    loop {
        match TcpStream::connect(running.address).await {
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => break,
            // Connected before the listener closed (and perhaps reset when it did): try again.
            Ok(_) | Err(_) => {
                assert!(
                    Instant::now() < deadline,
                    "the broker still accepts connections after shutdown began"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }

    stream
        .get_mut()
        .write_all(second)
        .await
        .expect("write the rest");
    let mut answer = String::new();
    tokio::time::timeout(DEADLINE, stream.read_to_string(&mut answer))
        .await
        .expect("the answer, then the connection closes")
        .expect("read");
    assert!(answer.starts_with("HTTP/1.1 201 Created\r\n"), "{answer}");
    finished(running.server).await;

    let (status, version) = app.get("/api/v1/services/shop-api/versions/1.0.0").await;
    assert_eq!(status, StatusCode::OK, "{version}");
    assert_eq!(version["branch"], "main");
    assert_eq!(version["commit"], "3f2c9e1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_client_sending_headers_too_slowly_is_disconnected() {
    let app = TestApp::sqlite().await;
    let settings = Settings {
        header_timeout: Duration::from_millis(500),
        ..Settings::default()
    };
    let running = start(&app, settings).await;
    let mut slow = TcpStream::connect(running.address).await.expect("connect");
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: bro")
        .await
        .expect("write");
    let mut idle = TcpStream::connect(running.address).await.expect("connect");
    for stream in [&mut slow, &mut idle] {
        let mut answer = Vec::new();
        // Without a header timeout this read waits for ever, and the deadline fails the test.
        tokio::time::timeout(DEADLINE, stream.read_to_end(&mut answer))
            .await
            .expect("the broker closes the connection")
            .ok();
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
            "{answer}"
        );
    }
    // The broker still serves clients that are not slow.
    let mut stream = TcpStream::connect(running.address).await.expect("connect");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: broker\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    running.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_body_that_does_not_arrive_in_time_gets_408() {
    let app = TestApp::sqlite().await;
    let settings = Settings {
        body_timeout: Duration::from_millis(500),
        ..Settings::default()
    };
    let running = start(&app, settings).await;
    let mut stream = TcpStream::connect(running.address).await.expect("connect");
    stream
        .write_all(
            b"PUT /api/v1/services/shop-api/versions/1.0.0 HTTP/1.1\r\nHost: broker\r\n\
              Content-Type: application/json\r\nContent-Length: 40\r\n\r\n{\"branch\":",
        )
        .await
        .expect("write");
    let mut answer = String::new();
    tokio::time::timeout(DEADLINE, stream.read_to_string(&mut answer))
        .await
        .expect("an answer, then the connection closes")
        .expect("read");
    assert!(
        answer.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
        "{answer}"
    );
    assert!(answer.contains(r#""code":"request_timeout""#), "{answer}");
    assert_eq!(
        app.get("/api/v1/services").await.1["services"],
        serde_json::json!([])
    );
    running.stopped().await;
}
