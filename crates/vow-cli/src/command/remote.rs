//! What the broker client commands share: the async runtime, a [`BrokerClient`] built from
//! `--broker-url` and `--broker-token`, and how broker errors map to exit codes.
//!
//! An error the broker explains with a 4xx (`{code, message}`, a 409 conflict included) is bad
//! input: exit 2. A broker that cannot be reached, answers 5xx (its database is down) or answers
//! as something other than a broker: exit 4.

use anyhow::Context;
use vow_engine::{BrokerClient, BrokerError};

use crate::cli::BrokerClientArgs;
use crate::exit::{self, Failure};

/// A current-thread runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")
        .map_err(|e| Failure::new(exit::INVALID_INPUT, e))
}

/// The client for the broker named on the command line.
pub fn client(args: BrokerClientArgs) -> Result<BrokerClient, Failure> {
    let http = vow_engine::replay::client()
        .context("failed to set up the HTTP client")
        .map_err(|e| Failure::new(exit::INVALID_INPUT, e))?;
    Ok(BrokerClient::new(http, args.broker_url, args.broker_token))
}

/// The exit code a broker error maps to.
pub fn exit_code(error: &BrokerError) -> u8 {
    match error {
        BrokerError::Api { status, .. } if *status < 500 => exit::INVALID_INPUT,
        _ => exit::UNREACHABLE,
    }
}

/// A broker error as a failure, with what was being done as context.
pub fn failure(error: BrokerError, doing: String) -> Failure {
    let code = exit_code(&error);
    Failure::new(code, anyhow::Error::new(error).context(doing))
}
