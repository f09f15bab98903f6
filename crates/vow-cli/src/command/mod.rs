//! One module per `vow` subcommand.

pub mod broker;
pub mod can_i_deploy;
pub mod check;
pub mod deprecation;
pub mod diff;
pub mod environment;
pub mod import;
pub mod mock;
pub mod publish;
pub mod publish_spec;
pub mod record;
pub mod remote;
pub mod token;
pub mod verify;
