//! Running the API on a listener until a shutdown signal, then draining requests in flight.
//!
//! The accept loop is ours rather than `axum::serve`'s because that one gives hyper no timer, and
//! without a timer hyper cannot time out a client that sends its headers slowly (or holds a
//! kept-alive connection open without sending anything): here every connection gets
//! [`Settings::header_timeout`], and the API itself bounds the body with
//! [`Settings::body_timeout`], so no client holds a connection, or a shutdown, forever. The webhook
//! delivery worker runs beside it and stops with it.

use std::future::Future;
use std::io;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::api::{Settings, router};
use crate::store::Store;
use crate::webhook::Deliverer;

/// Serves the broker on `listener` until `shutdown` completes. Then it stops accepting
/// connections (the listener is closed, so new ones are refused), closes idle connections, lets
/// requests in flight finish, and returns once every connection is closed.
pub async fn serve(
    listener: TcpListener,
    store: Store,
    settings: Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let app = router(store.clone(), settings.clone());
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, "listening");
    }
    // The webhook worker stops when the server stops accepting, and the server returns only
    // once it has given back the deliveries it held.
    let deliverer = Deliverer::new(store, settings.webhooks.clone()).map_err(io::Error::other)?;
    let (stop_worker, worker_stopped) = watch::channel(());
    let worker = tokio::spawn(deliverer.run(async move {
        let mut worker_stopped = worker_stopped;
        let _ = worker_stopped.changed().await;
    }));
    // Dropping the sender tells every connection to finish what it is doing and close.
    let (stopping, stop) = watch::channel(());
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    wait_after_accept_error(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(app.clone());
        let stop = stop.clone();
        let header_timeout = settings.header_timeout;
        connections.spawn(async move {
            serve_connection(stream, service, header_timeout, stop).await;
        });
        // Reap finished connections so that the set holds only live ones.
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    drop(stopping);
    drop(stop_worker);
    while connections.try_join_next().is_some() {}
    tracing::info!(
        connections = connections.len(),
        "shutting down: no new connections, finishing requests in flight"
    );
    while connections.join_next().await.is_some() {}
    let _ = worker.await;
    Ok(())
}

/// Serves one connection until the client closes it, a timeout closes it, or, once shutdown has
/// begun, its request in flight is answered.
async fn serve_connection(
    stream: TcpStream,
    service: TowerToHyperService<axum::Router>,
    header_timeout: Duration,
    mut stop: watch::Receiver<()>,
) {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        _ = stop.changed() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(e) = result {
        // Clients that time out, reset or send garbage are the client's problem, not the broker's.
        tracing::debug!(error = %e, "connection ended with an error");
    }
}

/// After a failed accept: nothing to wait for when one client gave up, a second when the process
/// is out of file descriptors or memory, so the loop does not spin while it is.
async fn wait_after_accept_error(e: io::Error) {
    if matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "failed to accept a connection; retrying in 1 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
