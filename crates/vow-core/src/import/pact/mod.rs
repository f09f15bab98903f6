//! `vow import pact`: Pact files (specification v2, v3 and v4, HTTP interactions) to vow
//! contracts, with a note for everything that could not be carried over with the same meaning.
//!
//! The conversion writes the contract in the file format's JSON form and decodes it with the
//! contract decoder, so an import can only produce what a hand-written file could say, with the
//! same checks and compiled rules.

mod convert;
mod datetime;
mod generator;
mod interaction;
mod jsonpath;
mod matcher;
mod note;
mod version;

pub use convert::{ImportSummary, PactImport, import_pact};
pub use note::{Note, NoteKind};
pub use version::PactVersion;
