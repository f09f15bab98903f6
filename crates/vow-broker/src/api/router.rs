//! The routes, the state they share, and the answers for requests no route takes.

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::http::Method;
use axum::routing::{MethodRouter, get, post, put};

use super::error::ApiError;
use super::{contract, environment, health, observe, openapi, service};
use crate::metrics::Metrics;
use crate::store::Store;

/// Settings of the HTTP API.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The largest request body accepted, in bytes; larger ones get 413.
    pub max_body_bytes: usize,
    /// How long a client may take to send a request's headers (and how long a kept-alive
    /// connection may sit idle) before the server closes the connection.
    pub header_timeout: Duration,
    /// How long a client may take to send a request's body; slower ones get 408.
    pub body_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_body_bytes: 8 << 20,
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(60),
        }
    }
}

/// What every handler can reach. Nothing here is per-process state a second replica would lack.
#[derive(Debug, Clone)]
pub(crate) struct AppState {
    pub store: Store,
    pub settings: Settings,
    /// This broker's own counters: they describe this process, which is what a scrape of it asks.
    pub metrics: Metrics,
}

impl FromRef<AppState> for Store {
    fn from_ref(state: &AppState) -> Store {
        state.store.clone()
    }
}

impl FromRef<AppState> for Metrics {
    fn from_ref(state: &AppState) -> Metrics {
        state.metrics.clone()
    }
}

impl FromRef<AppState> for Settings {
    fn from_ref(state: &AppState) -> Settings {
        state.settings.clone()
    }
}

/// Every route of the broker, as (method, path) with `{param}` segments, in the order of
/// docs/broker.md. The router is built from this list and nothing else, so it is the route table:
/// a test compares it with the OpenAPI document (docs/broker-openapi.json) both ways.
pub fn routes() -> &'static [(Method, &'static str)] {
    ROUTES
}

static ROUTES: &[(Method, &str)] = &[
    (Method::GET, "/healthz"),
    (Method::GET, "/readyz"),
    (Method::GET, "/metrics"),
    (Method::GET, "/api/v1/openapi.json"),
    (Method::GET, "/api/v1/services"),
    (Method::GET, "/api/v1/services/{service}"),
    (Method::GET, "/api/v1/services/{service}/versions"),
    (Method::PUT, "/api/v1/services/{service}/versions/{version}"),
    (Method::GET, "/api/v1/services/{service}/versions/{version}"),
    (
        Method::PUT,
        "/api/v1/services/{service}/versions/{version}/contracts/{provider}",
    ),
    (
        Method::GET,
        "/api/v1/services/{service}/versions/{version}/contracts/{provider}",
    ),
    (
        Method::GET,
        "/api/v1/services/{service}/versions/{version}/contracts",
    ),
    (Method::GET, "/api/v1/environments"),
    (Method::PUT, "/api/v1/environments/{environment}"),
    (Method::GET, "/api/v1/environments/{environment}"),
    (
        Method::POST,
        "/api/v1/environments/{environment}/deployments",
    ),
    (
        Method::GET,
        "/api/v1/environments/{environment}/deployments",
    ),
];

/// The handler of one entry of [`ROUTES`]. A handler missing here for an entry fails every
/// router build (and so every test); one here without an entry is never mounted.
fn handler(method: &Method, path: &str) -> MethodRouter<AppState> {
    match (method.as_str(), path) {
        ("GET", "/healthz") => get(health::healthz),
        ("GET", "/readyz") => get(health::readyz),
        ("GET", "/metrics") => get(health::metrics),
        ("GET", "/api/v1/openapi.json") => get(openapi::document),
        ("GET", "/api/v1/services") => get(service::list),
        ("GET", "/api/v1/services/{service}") => get(service::get),
        ("GET", "/api/v1/services/{service}/versions") => get(service::versions),
        ("PUT", "/api/v1/services/{service}/versions/{version}") => put(service::put_version),
        ("GET", "/api/v1/services/{service}/versions/{version}") => get(service::get_version),
        ("PUT", "/api/v1/services/{service}/versions/{version}/contracts/{provider}") => {
            put(contract::publish)
        }
        ("GET", "/api/v1/services/{service}/versions/{version}/contracts/{provider}") => {
            get(contract::get)
        }
        ("GET", "/api/v1/services/{service}/versions/{version}/contracts") => get(contract::list),
        ("GET", "/api/v1/environments") => get(environment::list),
        ("PUT", "/api/v1/environments/{environment}") => put(environment::put),
        ("GET", "/api/v1/environments/{environment}") => get(environment::get),
        ("POST", "/api/v1/environments/{environment}/deployments") => {
            post(environment::record_deployment)
        }
        ("GET", "/api/v1/environments/{environment}/deployments") => get(environment::deployments),
        _ => panic!("the route table lists {method} {path}, which has no handler"),
    }
}

/// The broker's routes over a store, with fresh metrics.
pub fn router(store: Store, settings: Settings) -> Router {
    router_with_metrics(store, settings, Metrics::new())
}

/// The broker's routes over a store, counting into `metrics`.
pub fn router_with_metrics(store: Store, settings: Settings, metrics: Metrics) -> Router {
    let limit = settings.max_body_bytes;
    let routes = ROUTES
        .iter()
        .fold(Router::<AppState>::new(), |router, (method, path)| {
            // A second method on a path merges into the first one's method router.
            router.route(path, handler(method, path))
        })
        .fallback(|| async {
            ApiError::NotFound {
                code: "route_not_found",
                message: "no such route; the API is under /api/v1 (see docs/broker.md)".to_owned(),
            }
        })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(limit));
    observe::observe(routes, metrics.clone()).with_state(AppState {
        store,
        settings,
        metrics,
    })
}
