//! vow's exit codes, in one place, and the error type that carries one out of `run`.
//!
//! Scripts and CI gates branch on these, so their meanings never change: see docs/cli.md.

use std::process::ExitCode;

/// Success: every check passed (or, for can-i-deploy, the answer is yes).
pub const SUCCESS: u8 = 0;
/// A contract is violated (findings of severity error), or the answer is no.
pub const FINDINGS: u8 = 1;
/// Invalid input or usage: bad flags, unreadable or invalid contract files.
pub const INVALID_INPUT: u8 = 2;
/// can-i-deploy: the answer is unknown (evidence is missing, a provider is not deployed).
pub const UNKNOWN: u8 = 3;

/// The provider or the broker could not be reached.
pub const UNREACHABLE: u8 = 4;

/// An error that ends a command, with the exit code it maps to. The message has already been
/// printed when `printed` is true.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub error: Option<anyhow::Error>,
}

impl Failure {
    pub fn new(code: u8, error: anyhow::Error) -> Self {
        Failure {
            code,
            error: Some(error),
        }
    }

    /// A failure whose explanation has already been written to the terminal.
    pub fn reported(code: u8) -> Self {
        Failure { code, error: None }
    }
}

pub fn code(value: u8) -> ExitCode {
    ExitCode::from(value)
}
