//! One module per `vow` subcommand.

pub mod broker;
pub mod check;
pub mod diff;
pub mod verify;
