//! Recording: turning observed exchanges (from the recording proxy or a HAR file) into a contract
//! draft. Pure: the engine captures, this module redacts, folds and drafts.
//!
//! An [`Exchange`] is made from a [`RawExchange`] by [`Exchange::capture`], which reads the bearer
//! token's scopes and then drops or masks every secret; nothing else builds one. The [`Recorder`]
//! folds exchanges one by one into bounded per-operation state and [`Recorder::finish`] writes the
//! [`Draft`].

pub mod exchange;
pub mod har;
pub mod infer;
pub mod recorder;
pub mod redact;
pub mod template;
pub mod token;

mod draft;

pub use exchange::{Body, Exchange, RawBody, RawExchange};
pub use har::{HarError, HarRead, read_har};
pub use infer::{InferLimits, Inference};
pub use recorder::{Draft, RecordLimits, Recorder, Review};
pub use redact::PLACEHOLDER;
