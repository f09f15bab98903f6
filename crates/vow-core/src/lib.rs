//! vow-core: the contract model and file format, the finding model, and all of vow's judgement.
//!
//! This crate is pure: no async runtime, no network, no file system, no clock. The same inputs always
//! give the same findings.

pub mod behaviour;
pub mod compat;
pub mod contract;
pub mod deploy;
pub mod diff;
pub mod exchange;
pub mod finding;
pub mod import;
pub mod matching;
pub mod mock;
pub mod record;
pub mod rules;
pub mod spec;
pub mod verification;

pub use contract::{Contract, Interaction};
pub use exchange::ObservedResponse;
pub use finding::{Dimension, Finding, Location, Severity};
