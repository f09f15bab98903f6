//! The `vow` binary: parses the command line, runs one command, and turns its outcome into a
//! documented exit code. This is the only place that prints.

mod cli;
mod command;
mod config;
mod exit;
mod progress;
mod render;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::exit::Failure;
use crate::render::Style;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = cli.color;
    let outcome = match cli.command {
        Command::Verify(args) => command::verify::run(args, color),
        Command::Check(args) => command::check::run(args, color),
        Command::Diff(args) => command::diff::run(args, color),
        Command::Broker(args) => command::broker::run(args, color),
        Command::Publish(args) => command::publish::run(args, color),
        Command::RecordDeployment(args) => command::environment::record_deployment(args),
        Command::Environments(args) => command::environment::list(args),
        Command::PublishSpec(args) => command::publish_spec::run(args, color),
        Command::CanIDeploy(args) => command::can_i_deploy::run(args, color),
        Command::RecordUndeployment(args) => command::environment::record_undeployment(args),
        Command::RecordRelease(args) => command::environment::record_release(args),
        Command::RecordSupportEnded(args) => command::environment::record_support_ended(args),
        Command::Deprecations(args) => command::deprecation::run(args, color),
        Command::Import(args) => command::import::run(args),
        Command::Mock(args) => command::mock::run(args, color),
        Command::Record(args) => command::record::run(args, color),
        Command::Webhook(args) => command::webhook::run(args),
    };
    match outcome {
        Ok(code) => exit::code(code),
        Err(Failure { code, error }) => {
            if let Some(error) = error {
                let style = Style::for_stderr(color);
                let mut text = format!("{} {error}", style.bad("error:"));
                for cause in error.chain().skip(1) {
                    text.push_str(&format!(": {cause}"));
                }
                let _ = writeln!(std::io::stderr(), "{text}");
            }
            exit::code(code)
        }
    }
}

/// Writes to stdout; a closed pipe (`vow verify … | head`) is not an error.
pub fn write_stdout(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::new(
            exit::INVALID_INPUT,
            anyhow::Error::new(e).context("failed to write the report"),
        )),
    }
}
