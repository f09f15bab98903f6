//! The mock's accept loop: HTTP/1 with keep-alive, a header read timeout per connection, and
//! graceful shutdown (listener closed, requests in flight answered).

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::handle::handle;
use super::state::Mock;

/// Serves `mock` on `listener` until `shutdown` completes or the control API asks to stop.
pub async fn serve(
    listener: TcpListener,
    mock: Arc<Mock>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    if let Ok(address) = listener.local_addr() {
        mock.set_url(format!("http://{address}"));
    }
    let (stopping, stop) = watch::channel(());
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    let stop_requested = mock.clone();
    let mut stop_requested = std::pin::pin!(stop_requested.stop_requested());
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    if !matches!(e.kind(), io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionRefused) {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    continue;
                }
            },
            () = &mut shutdown => break,
            () = &mut stop_requested => break,
        };
        let _ = stream.set_nodelay(true);
        let mock = mock.clone();
        let stop = stop.clone();
        connections.spawn(async move {
            let answer = move |request| handle(mock.clone(), request);
            // Clients that reset, time out or send garbage end their own connection, nothing more.
            let _ = crate::http1::serve_connection(stream, answer, stop).await;
        });
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    drop(stopping);
    while connections.join_next().await.is_some() {}
    Ok(())
}
