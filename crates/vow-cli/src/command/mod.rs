//! One module per `vow` subcommand.

pub mod check;
pub mod diff;
pub mod verify;
