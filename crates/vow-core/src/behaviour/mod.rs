//! Judging the four behavioural dimensions (errors, latency, auth, deprecation): pure functions
//! from the consumer's statements and what a provider answered to findings.
//!
//! Each dimension has its own module; the header grammars they read (HTTP-dates, structured-field
//! dates, `Link`, `WWW-Authenticate`) have theirs. Nothing here reads the clock: dates are
//! parameters.

pub mod auth;
pub mod deprecation;
pub mod errors;
pub mod latency;
pub mod promises;

mod challenge;
mod field_value;
mod http_date;
mod link;
mod structured_date;
pub(crate) mod wording;

pub use auth::{check_insufficient_scope, check_unauthenticated};
pub use deprecation::{DeprecationPolicy, check_deprecation};
pub use errors::{check_error_response, check_retry_safety};
pub use latency::{LatencySummary, check_budget, check_samples, summarize};
pub use promises::{check_error_promises, check_latency_envelope, operation_not_in_spec};
