//! Matching: judging an observed response against an interaction's expectations.
//!
//! Pure and synchronous: it judges bytes already received. The body is judged in one streaming pass
//! guided by the expectation, so large bodies cost little more memory than their text.

mod body;
mod decimal;
mod header;
mod matcher;
pub(crate) mod media_type;
pub(crate) mod pattern;
mod rename;
pub(crate) mod render;
mod response;
mod schema;
mod sink;
mod value;
mod walk;

pub use body::match_body;
pub use response::match_response;
pub use sink::BODY_FINDINGS_CAP;
