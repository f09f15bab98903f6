//! One module per `vow` subcommand.

pub mod broker;
pub mod check;
pub mod deprecation;
pub mod diff;
pub mod environment;
pub mod publish;
pub mod remote;
pub mod verify;
