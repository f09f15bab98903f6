//! The routes, the state they share, and the answers for requests no route takes.

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::routing::get;

use super::error::ApiError;
use super::{contract, environment, health, service};
use crate::store::Store;

/// Settings of the HTTP API.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The largest request body accepted, in bytes; larger ones get 413.
    pub max_body_bytes: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_body_bytes: 8 << 20,
        }
    }
}

/// What every handler can reach. Nothing here is per-process state a second replica would lack.
#[derive(Debug, Clone)]
pub(crate) struct AppState {
    pub store: Store,
    pub settings: Settings,
}

impl FromRef<AppState> for Store {
    fn from_ref(state: &AppState) -> Store {
        state.store.clone()
    }
}

impl FromRef<AppState> for Settings {
    fn from_ref(state: &AppState) -> Settings {
        state.settings.clone()
    }
}

/// The broker's routes over a store.
pub fn router(store: Store, settings: Settings) -> Router {
    let limit = settings.max_body_bytes;
    let api = Router::<AppState>::new()
        .route("/services", get(service::list))
        .route("/services/{service}", get(service::get))
        .route("/services/{service}/versions", get(service::versions))
        .route(
            "/services/{service}/versions/{version}",
            get(service::get_version).put(service::put_version),
        )
        .route(
            "/services/{service}/versions/{version}/contracts",
            get(contract::list),
        )
        .route(
            "/services/{service}/versions/{version}/contracts/{provider}",
            get(contract::get).put(contract::publish),
        )
        .route("/environments", get(environment::list))
        .route(
            "/environments/{environment}",
            get(environment::get).put(environment::put),
        )
        .route(
            "/environments/{environment}/deployments",
            get(environment::deployments).post(environment::record_deployment),
        );
    Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .fallback(|| async {
            ApiError::NotFound {
                code: "route_not_found",
                message: "no such route; the API is under /api/v1 (see docs/broker.md)".to_owned(),
            }
        })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(limit))
        .with_state(AppState { store, settings })
}
