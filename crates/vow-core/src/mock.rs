//! The stub provider's judgement (`vow mock`): which interaction a request is, what the consumer
//! sent that its contract does not state, the response to answer with, which requests a rehearsal
//! degrades and how, and the coverage report. Pure: the engine's server hands requests in as plain
//! data, with the randomness and the current time generated values need.
//!
//! - [`index`]: interactions by method and path, built once from the loaded contracts.
//! - [`request`]: [`MockRequest`], and [`match_request`]: the interaction chosen (with findings) or
//!   none (with the closest candidates and why).
//! - [`response`]: the response of an interaction (status, stated headers, example body with its
//!   generators applied, or an instance of its schema).
//! - [`generate`]: values for generators and header rules.
//! - [`rehearse`]: degraded states (declared errors, latency at the envelope's p99 and beyond the
//!   consumer's timeout) for a deterministic share of requests.
//! - [`report`]: what a run observed, as the versioned JSON report and its verdict.

pub mod generate;
pub mod index;
pub mod rehearse;
pub mod report;
pub mod request;
pub mod response;

pub use index::{InteractionRef, MockIndex};
pub use rehearse::{Degradation, RehearsalMode, RehearsalPlan, Share};
pub use report::{MockReport, Verdict};
pub use request::{Closest, MockMatch, MockRequest, Pin, match_request};
pub use response::{MockResponse, ResponseTemplate, build_response};
