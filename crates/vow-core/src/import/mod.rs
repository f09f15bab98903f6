//! Importing contracts written for other tools into vow contracts.
//!
//! Every importer is a pure conversion from parsed text to a [`crate::contract::Contract`] plus
//! notes on what could not be carried over; the CLI reads and writes the files.

pub mod pact;
