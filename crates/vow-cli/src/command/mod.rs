//! One module per `vow` subcommand.

pub mod verify;
