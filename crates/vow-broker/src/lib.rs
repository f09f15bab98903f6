//! vow's broker: stores services, versions, content-addressed contracts and provider specs,
//! verification results, environments, deployments and releases, serves them over HTTP, and
//! answers can-I-deploy and can-I-merge with vow-core's decision.
//!
//! `store` holds all of vow's SQL (SQLite or PostgreSQL); `deploy` loads a question from it and
//! computes the compatibility evidence it lacks; `api` holds the axum routes and who may call
//! each; `token` is what a bearer token is and how one is issued; `metrics` the Prometheus
//! counters the routes keep; `serve` runs the routes on a listener until told to stop; `web` the
//! server-rendered pages for people, with sign-in sessions.

pub mod api;
mod content;
pub mod deploy;
pub mod metrics;
pub mod name;
mod server;
pub mod store;
pub mod token;
mod web;
pub mod webhook;

pub use api::{Access, OPENAPI, Principal, Settings, router, router_with_metrics, routes};
pub use content::Canonical;
pub use metrics::Metrics;
pub use server::serve;
pub use store::{Database, PoolStats, Store, StoreError, StoreSettings};
pub use web::pages;
