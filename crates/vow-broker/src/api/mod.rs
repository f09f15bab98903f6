//! The broker's HTTP API under `/api/v1`, plus `/healthz`, `/readyz` and `/metrics`, described by
//! the OpenAPI document docs/broker-openapi.json, which it serves at `/api/v1/openapi.json`.
//! Handlers are thin: they parse names and bodies, check that the caller may write for the service
//! (see `auth`), call the store, and shape the answer.

mod auth;
mod contract;
mod deploy;
mod environment;
mod error;
mod extract;
mod health;
mod observe;
mod openapi;
pub(crate) mod router;
mod service;
mod spec;
mod token;
mod verification;
pub(crate) mod webhook;

pub use auth::{Access, Principal};
pub(crate) use error::causes;
pub use error::{ApiError, ErrorBody};
pub use observe::REQUEST_ID;
pub use openapi::OPENAPI;
pub use router::{Settings, router, router_with_metrics, routes};
