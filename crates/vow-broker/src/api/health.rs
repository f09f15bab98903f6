//! `/healthz` (the process answers) and `/readyz` (it can reach its database), for load balancers
//! and orchestrators.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::error::ApiError;
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
