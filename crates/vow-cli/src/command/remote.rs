//! What the broker client commands share: the async runtime, a [`BrokerClient`] built from
//! `--broker-url` and `--broker-token`, and how broker errors map to exit codes.
//!
//! An error the broker explains with a 4xx (`{code, message}`, a 409 conflict included) is bad
//! input: exit 2. A broker that cannot be reached, answers 5xx (its database is down) or answers
//! as something other than a broker: exit 4. A 401 or 403 also says what to do about the token.

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
    let error = match hint(&error) {
        Some(hint) => anyhow::anyhow!("{doing}: {error}\nhint: {hint}"),
        None => anyhow::Error::new(error).context(doing),
    };
    Failure::new(code, error)
}

/// A broker error for an error line, with what to do when it is about the token.
pub fn describe(error: &BrokerError) -> String {
    match hint(error) {
        Some(hint) => format!("{error}\nhint: {hint}"),
        None => error.to_string(),
    }
}

/// What to do about the broker refusing the token (or its absence), by the refusal's code.
fn hint(error: &BrokerError) -> Option<&'static str> {
    let BrokerError::Api { code, .. } = error else {
        return None;
    };
    Some(match code.as_str() {
        "token_missing" => {
            "this broker requires a token: pass --broker-token TOKEN or set VOW_BROKER_TOKEN \
             (an admin creates one with `vow broker token create`)"
        }
        "token_invalid" => {
            "the broker does not know the token in --broker-token or VOW_BROKER_TOKEN: check \
             that it was copied whole"
        }
        "token_revoked" | "token_expired" => {
            "ask an admin for a new token (`vow broker token create`) and pass it with \
             --broker-token or VOW_BROKER_TOKEN"
        }
        "role_forbidden" => {
            "use a token with the role the broker names; an admin creates one with \
             `vow broker token create --role ROLE`"
        }
        "service_forbidden" => {
            "use a token limited to this service, or one without a service limit"
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: &str) -> BrokerError {
        BrokerError::Api {
            status,
            code: code.to_owned(),
            message: "refused".to_owned(),
            pointer: None,
        }
    }

    #[test]
    fn auth_refusals_are_bad_input_and_say_what_to_do() {
        for (status, code) in [
            (401, "token_missing"),
            (401, "token_invalid"),
            (401, "token_revoked"),
            (401, "token_expired"),
            (403, "role_forbidden"),
            (403, "service_forbidden"),
        ] {
            let error = api(status, code);
            assert_eq!(exit_code(&error), exit::INVALID_INPUT, "{code}");
            let text = describe(&error);
            assert!(text.contains(code) && text.contains("\nhint: "), "{text}");
        }
        assert_eq!(
            describe(&api(409, "contract_conflict")),
            api(409, "contract_conflict").to_string()
        );
    }
}
