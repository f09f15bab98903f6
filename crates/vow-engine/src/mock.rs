//! `vow mock`'s server: contracts served as a stub provider over HTTP/1, with a control API under
//! `/_vow/`. Which interaction answers, with what, and which requests a rehearsal degrades is
//! decided by `vow_core::mock`; this module receives requests, keeps a bounded record of what
//! happened, and answers.
//!
//! - [`state`]: [`Mock`], the prepared interactions, the counters and the control settings.
//! - [`record`]: the bounded record (counts per interaction, the first unmatched requests, the
//!   findings deduplicated with counts).
//! - [`handle`]: answering one request, and the control API.
//! - [`server`]: the accept loop and graceful shutdown.

mod handle;
mod record;
mod server;
mod state;

pub use server::serve;
pub use state::{Mock, MockError, MockOptions, select_contracts};
