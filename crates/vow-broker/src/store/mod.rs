//! The broker's storage: every SQL statement vow has lives in this module tree, run against SQLite
//! (the zero-setup default) or PostgreSQL, chosen when the store is opened.

mod contract;
mod environment;
mod error;
mod migration;
mod pool;
mod record;
mod service;

pub use contract::NewContract;
pub use error::StoreError;
pub use pool::{Database, PoolStats, Store, StoreSettings};
pub use record::{
    Deployment, Environment, Publication, Put, Service, StoredContract, Version, VersionAttributes,
};
