//! The real thing: the broker on a loopback socket, answering and then shutting down gracefully.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::support::{TestApp, on_both_backends};

on_both_backends!(serves_on_a_socket_and_stops_when_told);

async fn serves_on_a_socket_and_stops_when_told(app: TestApp) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(vow_broker::serve(
        listener,
        app.store.clone(),
        vow_broker::Settings::default(),
        async {
            stopped.await.ok();
        },
    ));
    let mut stream = TcpStream::connect(address).await.expect("connect");
    stream
        .write_all(b"GET /readyz HTTP/1.1\r\nHost: broker\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.ends_with(r#"{"status":"ready"}"#), "{answer}");
    stop.send(()).expect("stop");
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("shuts down")
        .expect("task")
        .expect("serve");
}
