//! vow's broker: stores services, versions, content-addressed contracts, environments and
//! deployments, and serves them over HTTP. Later, it answers can-I-deploy by calling vow-core.
//!
//! `store` holds all of vow's SQL (SQLite or PostgreSQL); `api` holds the axum routes over it;
//! `metrics` the Prometheus counters they keep; `serve` runs them on a listener until told to stop.

pub mod api;
mod content;
pub mod metrics;
pub mod name;
mod server;
pub mod store;

pub use api::{OPENAPI, Settings, router, router_with_metrics, routes};
pub use content::Canonical;
pub use metrics::Metrics;
pub use server::serve;
pub use store::{Database, PoolStats, Store, StoreError, StoreSettings};
