//! What operators' tools ask: `/healthz` (the process answers) and `/readyz` (it can reach its
//! database) for load balancers and orchestrators, `/metrics` for Prometheus.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::error::ApiError;
use crate::metrics::{self, Metrics};
use crate::store::Store;

/// How long `/readyz` waits for the database before calling the broker not ready.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

pub async fn readyz(State(store): State<Store>) -> Result<Json<Value>, ApiError> {
    match tokio::time::timeout(READY_TIMEOUT, store.ping()).await {
        Ok(Ok(())) => Ok(Json(json!({"status": "ready"}))),
        Ok(Err(e)) => {
            tracing::warn!(error = %super::error::causes(&e), "not ready");
            Err(ApiError::Unavailable)
        }
        Err(_) => {
            tracing::warn!("not ready: the database did not answer within 2 s");
            Err(ApiError::Unavailable)
        }
    }
}

/// The metrics in Prometheus' text format, the pool gauges read as of now.
pub async fn metrics(
    State(metrics): State<Metrics>,
    State(store): State<Store>,
) -> impl IntoResponse {
    (
        [(CONTENT_TYPE, metrics::CONTENT_TYPE)],
        metrics.render(store.pool_stats()),
    )
}
