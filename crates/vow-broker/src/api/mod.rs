//! The broker's HTTP API under `/api/v1`, plus `/healthz`, `/readyz` and `/metrics`, described by
//! the OpenAPI document docs/broker-openapi.json, which it serves at `/api/v1/openapi.json`.
//! Handlers are thin: they parse names and bodies, call the store, and shape the answer.

mod contract;
mod environment;
mod error;
mod extract;
mod health;
mod observe;
mod openapi;
mod router;
mod service;

pub use error::{ApiError, ErrorBody};
pub use observe::REQUEST_ID;
pub use openapi::OPENAPI;
pub use router::{Settings, router, router_with_metrics, routes};
