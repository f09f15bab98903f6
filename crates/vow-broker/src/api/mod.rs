//! The broker's HTTP API under `/api/v1`, plus `/healthz` and `/readyz`. Handlers are thin: they
//! parse names and bodies, call the store, and shape the answer.

mod contract;
mod environment;
mod error;
mod extract;
mod health;
mod router;
mod service;

pub use error::{ApiError, ErrorBody};
pub use router::{Settings, router};
