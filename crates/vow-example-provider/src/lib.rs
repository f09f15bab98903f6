//! `shop-api`, a small commerce API (carts, pricing, inventory, payments) that vow's example
//! contracts describe. It can be started with named faults, each breaking those contracts in one
//! known way, so vow's end-to-end tests can prove every kind of breakage is caught.

mod auth;
mod cart;
mod catalogue;
mod clock;
mod deprecation;
mod fault;
mod injection;
mod inventory;
mod money;
mod operation;
mod payment;
mod pricing;
mod problem;
mod provider_state;
mod rate_limit;
mod request_body;
mod shop;
mod shutdown;

#[cfg(test)]
mod test_client;

use std::future::Future;
use std::io;

use axum::Router;
use axum::http::Uri;
use axum::middleware;
use axum::routing::{delete, get, post};
use tokio::net::TcpListener;

pub use auth::{DEMO_TOKENS, DemoToken, Scope};
pub use fault::{Fault, FaultSet, UnknownFault};
pub use provider_state::STATE_NAMES;

use crate::injection::FaultContext;
use crate::problem::ApiError;
use crate::shop::{SharedShop, Shop};
use crate::shutdown::ShutdownSignal;

/// The API with its seed data and the given faults, ready for `oneshot` calls or a server.
///
/// Responses held by the `hang` fault only end early when served through [`serve`].
pub fn app(faults: FaultSet) -> Router {
    router(faults, ShutdownSignal::never())
}

/// Serves the API on `listener` until `shutdown` completes, then finishes the requests in flight
/// (ending any held by the `hang` fault) and returns.
pub async fn serve(
    listener: TcpListener,
    faults: FaultSet,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let (trigger, signal) = ShutdownSignal::channel();
    axum::serve(listener, router(faults, signal))
        .with_graceful_shutdown(async move {
            shutdown.await;
            trigger.fire();
        })
        .await
}

fn router(faults: FaultSet, shutdown: ShutdownSignal) -> Router {
    let shop = SharedShop::new(Shop::seeded(clock::now()));
    Router::new()
        .route(operation::CARTS, post(cart::create))
        .route(operation::CART, get(cart::get))
        .route(
            operation::CART_SUMMARY,
            get(cart::summary).layer(middleware::map_response(deprecation::cart_summary)),
        )
        .route(operation::CART_ITEMS, post(cart::add_item))
        .route(operation::CART_ITEM, delete(cart::remove_item))
        .route(operation::PRICE, get(pricing::get))
        .route(operation::INVENTORY, get(inventory::get))
        .route(operation::PAYMENTS, post(payment::authorize))
        .route(operation::PROVIDER_STATES, post(provider_state::change))
        .route(operation::HEALTH, get(health))
        .fallback(route_not_found)
        .with_state(shop.clone())
        // Layers run outside in: faults first, then auth, then the rate limit, then the handler.
        .layer(middleware::from_fn_with_state(shop, rate_limit::throttle))
        .layer(middleware::from_fn(auth::authorize))
        .layer(middleware::from_fn_with_state(
            FaultContext { faults, shutdown },
            injection::inject,
        ))
}

async fn health() -> &'static str {
    "ok"
}

async fn route_not_found(uri: Uri) -> ApiError {
    ApiError::RouteNotFound {
        path: uri.path().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    use tokio::sync::oneshot;

    use super::*;

    /// Sends one HTTP/1.1 request and reads the whole response.
    async fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
        let mut stream = TcpStream::connect(addr).await.expect("connects");
        let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.expect("sends");
        let mut response = String::new();
        stream.read_to_string(&mut response).await.expect("reads");
        response
    }

    #[tokio::test]
    async fn serve_answers_on_a_real_socket_and_shutdown_ends_a_hanging_request() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let addr = listener.local_addr().expect("has an address");
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, Fault::Hang.into(), async {
            let _ = stopped.await;
        }));

        let health = http_get(addr, "/healthz").await;
        assert!(health.starts_with("HTTP/1.1 200 OK\r\n"), "{health}");
        assert!(health.ends_with("\r\n\r\nok"), "{health}");

        let hanging = tokio::spawn(http_get(addr, "/carts/c-1001"));
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!hanging.is_finished(), "the hang fault answered at once");

        stop.send(()).expect("server is waiting");
        let answer = tokio::time::timeout(Duration::from_secs(5), hanging)
            .await
            .expect("shutdown ends the hanging request")
            .expect("request task ran");
        assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
        tokio::time::timeout(Duration::from_secs(5), server)
            .await
            .expect("serve returns after shutdown")
            .expect("server task ran")
            .expect("serve succeeded");
    }
}
