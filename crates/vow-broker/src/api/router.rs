//! The routes with who may call each, the state they share, and the answers for requests no route
//! takes: problem+json under `/api/`, an HTML page elsewhere.

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::http::{Method, Uri};
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, delete, get, post, put};

use super::auth::{self, Access};
use super::error::ApiError;
use super::{
    contract, deploy, environment, health, observe, openapi, service, spec, token, verification,
    webhook,
};
use crate::metrics::Metrics;
use crate::store::Store;
use crate::webhook::WebhookSettings;

/// Settings of the HTTP API.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The largest request body accepted, in bytes; larger ones get 413.
    pub max_body_bytes: usize,
    /// Whether requests without a token may call `Read` routes once tokens exist.
    pub public_read: bool,
    /// How long a client may take to send a request's headers (and how long a kept-alive
    /// connection may sit idle) before the server closes the connection.
    pub header_timeout: Duration,
    /// How long a client may take to send a request's body; slower ones get 408.
    pub body_timeout: Duration,
    /// How webhooks are checked, sealed and delivered.
    pub webhooks: WebhookSettings,
    /// The URL people reach the broker at; an `https` one makes the pages' cookies `Secure`.
    pub public_url: Option<String>,
    /// Whether a proxy in front sets `X-Forwarded-Proto` (and strips it from clients): then
    /// `X-Forwarded-Proto: https` makes the pages' cookies `Secure`.
    pub trust_forwarded_proto: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_body_bytes: 8 << 20,
            public_read: false,
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(60),
            webhooks: WebhookSettings::default(),
            public_url: None,
            trust_forwarded_proto: false,
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

/// Every route of the broker, as (method, path with `{param}` segments, who may call it), in the
/// order of docs/broker.md. The router is built from this list and nothing else, so it is the
/// route table: a test compares it with the OpenAPI document (docs/broker-openapi.json) both ways,
/// and another sends every entry every kind of caller (tests/it/auth.rs).
pub fn routes() -> &'static [(Method, &'static str, Access)] {
    ROUTES
}

static ROUTES: &[(Method, &str, Access)] = &[
    (Method::GET, "/healthz", Access::Public),
    (Method::GET, "/readyz", Access::Public),
    (Method::GET, "/metrics", Access::Public),
    (Method::GET, "/api/v1/openapi.json", Access::Public),
    (Method::GET, "/api/v1/services", Access::Read),
    (Method::GET, "/api/v1/services/{service}", Access::Read),
    (
        Method::GET,
        "/api/v1/services/{service}/versions",
        Access::Read,
    ),
    (
        Method::PUT,
        "/api/v1/services/{service}/versions/{version}",
        Access::Publish,
    ),
    (
        Method::GET,
        "/api/v1/services/{service}/versions/{version}",
        Access::Read,
    ),
    (
        Method::PUT,
        "/api/v1/services/{service}/versions/{version}/contracts/{provider}",
        Access::Publish,
    ),
    (
        Method::GET,
        "/api/v1/services/{service}/versions/{version}/contracts/{provider}",
        Access::Read,
    ),
    (
        Method::GET,
        "/api/v1/services/{service}/versions/{version}/contracts",
        Access::Read,
    ),
    (Method::GET, "/api/v1/environments", Access::Read),
    (
        Method::PUT,
        "/api/v1/environments/{environment}",
        Access::Publish,
    ),
    (
        Method::GET,
        "/api/v1/environments/{environment}",
        Access::Read,
    ),
    (
        Method::PUT,
        "/api/v1/services/{service}/versions/{version}/spec",
        Access::Publish,
    ),
    (
        Method::GET,
        "/api/v1/services/{service}/versions/{version}/spec",
        Access::Read,
    ),
    (
        Method::POST,
        "/api/v1/services/{service}/versions/{version}/verifications",
        Access::Publish,
    ),
    (
        Method::GET,
        "/api/v1/services/{service}/versions/{version}/verifications",
        Access::Read,
    ),
    (
        Method::GET,
        "/api/v1/services/{service}/contracts-to-verify",
        Access::Read,
    ),
    (
        Method::GET,
        "/api/v1/services/{service}/versions/{version}/compatibility/{consumer}/{consumer_version}",
        Access::Read,
    ),
    (
        Method::POST,
        "/api/v1/environments/{environment}/deployments",
        Access::Publish,
    ),
    (
        Method::GET,
        "/api/v1/environments/{environment}/deployments",
        Access::Read,
    ),
    (
        Method::POST,
        "/api/v1/environments/{environment}/undeployments",
        Access::Publish,
    ),
    (
        Method::POST,
        "/api/v1/environments/{environment}/releases",
        Access::Publish,
    ),
    (
        Method::GET,
        "/api/v1/environments/{environment}/releases",
        Access::Read,
    ),
    (
        Method::POST,
        "/api/v1/environments/{environment}/support-ended",
        Access::Publish,
    ),
    (Method::GET, "/api/v1/can-i-deploy", Access::Read),
    (Method::GET, "/api/v1/can-i-merge", Access::Read),
    (Method::GET, "/api/v1/deprecations", Access::Read),
    (Method::POST, "/api/v1/tokens", Access::Admin),
    (Method::GET, "/api/v1/tokens", Access::Admin),
    (Method::DELETE, "/api/v1/tokens/{name}", Access::Admin),
    (Method::POST, "/api/v1/webhooks", Access::Admin),
    (Method::GET, "/api/v1/webhooks", Access::Admin),
    (Method::GET, "/api/v1/webhooks/{id}", Access::Admin),
    (Method::PUT, "/api/v1/webhooks/{id}", Access::Admin),
    (Method::DELETE, "/api/v1/webhooks/{id}", Access::Admin),
    (
        Method::GET,
        "/api/v1/webhooks/{id}/deliveries",
        Access::Admin,
    ),
    (Method::POST, "/api/v1/webhooks/{id}/test", Access::Admin),
];

/// Who may call the route a request matched (its method and matched path), if the table has it.
/// `HEAD` is answered by the `GET` handler, so it has the `GET` entry's access.
pub(crate) fn access_of(method: &Method, path: &str) -> Option<Access> {
    let method = if method == Method::HEAD {
        &Method::GET
    } else {
        method
    };
    ROUTES
        .iter()
        .find(|(m, p, _)| m == method && *p == path)
        .map(|(_, _, access)| *access)
}

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
        ("PUT", "/api/v1/services/{service}/versions/{version}/spec") => put(spec::publish),
        ("GET", "/api/v1/services/{service}/versions/{version}/spec") => get(spec::get),
        ("POST", "/api/v1/services/{service}/versions/{version}/verifications") => {
            post(verification::record)
        }
        ("GET", "/api/v1/services/{service}/versions/{version}/verifications") => {
            get(verification::list)
        }
        ("GET", "/api/v1/services/{service}/contracts-to-verify") => {
            get(deploy::contracts_to_verify)
        }
        (
            "GET",
            "/api/v1/services/{service}/versions/{version}/compatibility/{consumer}/{consumer_version}",
        ) => get(deploy::compatibility),
        ("GET", "/api/v1/environments") => get(environment::list),
        ("PUT", "/api/v1/environments/{environment}") => put(environment::put),
        ("GET", "/api/v1/environments/{environment}") => get(environment::get),
        ("POST", "/api/v1/environments/{environment}/deployments") => {
            post(environment::record_deployment)
        }
        ("GET", "/api/v1/environments/{environment}/deployments") => get(environment::deployments),
        ("POST", "/api/v1/environments/{environment}/undeployments") => {
            post(environment::record_undeployment)
        }
        ("POST", "/api/v1/environments/{environment}/releases") => {
            post(environment::record_release)
        }
        ("GET", "/api/v1/environments/{environment}/releases") => get(environment::releases),
        ("POST", "/api/v1/environments/{environment}/support-ended") => {
            post(environment::record_support_ended)
        }
        ("GET", "/api/v1/can-i-deploy") => get(deploy::can_i_deploy),
        ("GET", "/api/v1/can-i-merge") => get(deploy::can_i_merge),
        ("GET", "/api/v1/deprecations") => get(deploy::deprecations),
        ("POST", "/api/v1/tokens") => post(token::create),
        ("GET", "/api/v1/tokens") => get(token::list),
        ("DELETE", "/api/v1/tokens/{name}") => delete(token::revoke),
        ("POST", "/api/v1/webhooks") => post(webhook::create),
        ("GET", "/api/v1/webhooks") => get(webhook::list),
        ("GET", "/api/v1/webhooks/{id}") => get(webhook::get),
        ("PUT", "/api/v1/webhooks/{id}") => put(webhook::replace),
        ("DELETE", "/api/v1/webhooks/{id}") => delete(webhook::delete),
        ("GET", "/api/v1/webhooks/{id}/deliveries") => get(webhook::deliveries),
        ("POST", "/api/v1/webhooks/{id}/test") => post(webhook::test),
        _ => panic!("the route table lists {method} {path}, which has no handler"),
    }
}

/// Whether a request no route takes gets the API's problem+json answer rather than an HTML page:
/// everything under `/api/`, and the health and metrics routes, which machines call.
fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/") || ROUTES.iter().any(|(_, route, _)| *route == path)
}

/// The broker's routes over a store, with fresh metrics, each behind the access check of its
/// table entry.
pub fn router(store: Store, settings: Settings) -> Router {
    router_with_metrics(store, settings, Metrics::new())
}

/// The broker's routes over a store, counting into `metrics`.
pub fn router_with_metrics(store: Store, settings: Settings, metrics: Metrics) -> Router {
    let limit = settings.max_body_bytes;
    let state = AppState {
        store,
        settings,
        metrics: metrics.clone(),
    };
    let routes = ROUTES
        .iter()
        .fold(Router::<AppState>::new(), |router, (method, path, _)| {
            // A second method on a path merges into the first one's method router.
            router.route(path, handler(method, path))
        })
        // Only matched routes: an unknown path is a 404 whoever asks.
        .route_layer(from_fn_with_state(state.clone(), auth::authenticate))
        // The web pages, with their own route table and session check (see `crate::web`).
        .merge(crate::web::router(state.clone()))
        .fallback(|uri: Uri| async move {
            if is_api(uri.path()) {
                ApiError::NotFound {
                    code: "route_not_found",
                    message: "no such route; the API is under /api/v1 (see docs/broker.md)"
                        .to_owned(),
                }
                .into_response()
            } else {
                crate::web::not_found(uri.path())
            }
        })
        .method_not_allowed_fallback(|uri: Uri| async move {
            if is_api(uri.path()) {
                ApiError::MethodNotAllowed.into_response()
            } else {
                crate::web::method_not_allowed()
            }
        })
        .layer(DefaultBodyLimit::max(limit));
    // Outside the access check, so refusals get request ids and are counted too.
    observe::observe(routes, metrics).with_state(state)
}
