//! Serving one HTTP/1 connection, as `vow mock` and `vow record`'s proxy both do: keep-alive, a
//! header read timeout, and a graceful end when the server stops (requests in flight answered).

use std::convert::Infallible;
use std::error::Error;
use std::future::Future;
use std::time::Duration;

use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tokio::sync::watch;

/// A client that sends its request headers slower than this is disconnected.
const HEADER_TIMEOUT: Duration = Duration::from_secs(30);

/// Answers the requests of one connection with `answer` until the client ends it, or until
/// `stop` changes: then the request in flight is answered and the connection closed. Clients that
/// reset, time out or send garbage (hyper answers 400 to a malformed request) end their own
/// connection; that is the `Err`.
pub(crate) async fn serve_connection<A, F, B>(
    stream: TcpStream,
    answer: A,
    mut stop: watch::Receiver<()>,
) -> Result<(), hyper::Error>
where
    A: Fn(Request<Incoming>) -> F + Send + 'static,
    F: Future<Output = Response<B>> + Send + 'static,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn Error + Send + Sync>>,
{
    let service = service_fn(move |request| {
        let response = answer(request);
        async move { Ok::<_, Infallible>(response.await) }
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => result,
        _ = stop.changed() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    }
}
