//! Running the API on a listener until a shutdown signal, then draining requests in flight.

use std::future::Future;

use tokio::net::TcpListener;

use crate::api::{Settings, router};
use crate::store::Store;

/// Serves the broker on `listener` until `shutdown` completes; requests in flight then finish
/// before this returns.
pub async fn serve(
    listener: TcpListener,
    store: Store,
    settings: Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(store, settings))
        .with_graceful_shutdown(shutdown)
        .await
}
