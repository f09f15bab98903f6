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
pub mod webhook;

use std::io::Write;
use std::path::Path;

use vow_engine::{LoadError, LoadedContract, LoadedSpec, load_spec};

use crate::cli::ColorChoice;
use crate::exit::{self, Failure};
use crate::render::{self, Style};

/// The contracts a command read and, with `--spec`, the provider's spec: both are read before
/// anything runs, and every problem in either is printed at once (exit code 2).
pub(crate) fn contracts_and_spec(
    contracts: Result<Vec<LoadedContract>, Vec<LoadError>>,
    spec: Option<&Path>,
    color: ColorChoice,
) -> Result<(Vec<LoadedContract>, Option<LoadedSpec>), Failure> {
    let spec = spec.map(load_spec).transpose();
    match (contracts, spec) {
        (Ok(contracts), Ok(spec)) => Ok((contracts, spec)),
        (contracts, spec) => {
            let style = Style::for_stderr(color);
            let mut text = String::new();
            if let Err(errors) = contracts {
                text.push_str(&render::render_load_errors(&errors, style));
            }
            if let Err(error) = spec {
                text.push_str(&render::render_spec_error(&error, style));
            }
            let _ = std::io::stderr().write_all(text.as_bytes());
            Err(Failure::reported(exit::INVALID_INPUT))
        }
    }
}

/// Completes on Ctrl-C or, on Unix, SIGTERM (what container runtimes send to stop a service).
/// A signal that cannot be listened for never fires.
pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
