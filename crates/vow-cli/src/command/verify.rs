//! `vow verify`: load contracts, replay them against the provider, print the report, and map the
//! outcome to an exit code. With `--broker`, the contracts are those the broker selects for the
//! provider ([`selection`]), and with `--publish` the results go back to it ([`publication`]).

mod publication;
mod selection;

use std::io::Write;
use std::sync::Arc;

use anyhow::anyhow;
use vow_core::behaviour::deprecation::DeprecationPolicy;
use vow_core::verification::VerificationReport;
use vow_engine::{Filters, VerifyError, VerifyOptions, load_contracts, verify};

use self::publication::Publication;
use self::selection::FromBroker;
use crate::cli::{ColorChoice, ReportFormat, VerifyArgs};
use crate::exit::{self, Failure};
use crate::progress::Progress;
use crate::render::locate::ContractLines;
use crate::render::{self, Style};

pub fn run(args: VerifyArgs, color: ColorChoice) -> Result<u8, Failure> {
    let from_broker = FromBroker::of(&args)?;
    let publication = Publication::of(&args.from_broker)?;
    // Beside a machine-readable report, what is said about the broker goes to stderr.
    let channel = if args.format == ReportFormat::Human {
        Channel::Stdout
    } else {
        Channel::Stderr
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| {
            Failure::new(
                exit::UNREACHABLE,
                anyhow!(e).context("failed to start the async runtime"),
            )
        })?;

    // Contracts and spec are both read before anything is sent, and the problems of both are
    // reported at once.
    let (contracts, selected) = match &from_broker {
        None => (load_contracts(&args.paths), Vec::new()),
        Some(from) => {
            let selected = runtime.block_on(from.fetch())?;
            (selection::decode(&selected), selected)
        }
    };
    let (contracts, spec) = super::contracts_and_spec(contracts, args.spec.as_deref(), color)?;

    if let Some(from) = &from_broker {
        if selected.is_empty() {
            return nothing_to_verify(from, &args, channel, color);
        }
        channel.write(&from.describe(&selected, channel.style(color)))?;
    }

    let config = crate::config::load(args.config.as_deref())
        .map_err(|e| Failure::new(exit::INVALID_INPUT, e))?;
    let samples = args.samples as usize;
    let options = VerifyOptions {
        provider_url: args.provider_url,
        states_url: args.provider_states_url,
        jobs: usize::from(args.jobs),
        request_timeout: args.timeout,
        deadline: args.deadline,
        max_body_bytes: args.max_body_size,
        filters: Filters {
            consumers: args.consumer,
            providers: args.provider,
            interactions: args.interaction,
        },
        dimensions: args.dimensions.iter().map(|d| (*d).into()).collect(),
        samples,
        warmup: args.warmup.map_or(usize::from(samples > 1), |w| w as usize),
        deprecation: DeprecationPolicy {
            as_of: args.as_of.unwrap_or_else(today),
            warning_days: args.deprecation_window,
        },
        credentials: config.credentials,
        spec: spec.map(|loaded| Arc::new(loaded.spec)),
    };

    if let (Some(from), Some(publication)) = (&from_broker, &publication) {
        runtime.block_on(publication.record_version(from))?;
    }

    let progress = Progress::new(!args.no_progress && args.format == ReportFormat::Human);
    let outcome = runtime.block_on(verify(&contracts, &options, &progress));
    progress.finish();

    let report = outcome.map_err(|e| {
        let code = match e {
            VerifyError::NothingSelected { .. } | VerifyError::Credentials(_) => {
                exit::INVALID_INPUT
            }
            VerifyError::ProviderUnreachable { .. }
            | VerifyError::StatesUnreachable { .. }
            | VerifyError::Client(_) => exit::UNREACHABLE,
        };
        Failure::new(code, anyhow!(e))
    })?;

    let text = render_report(&report, &contracts, args.format, color);
    crate::write_stdout(&text)?;
    // Publishing follows the report, so the report is shown even when the broker fails; a broker
    // failure decides the exit code over the verdict.
    if let (Some(from), Some(publication)) = (&from_broker, &publication) {
        runtime.block_on(publication.record_results(from, &report, channel, color))?;
    }
    Ok(if report.passed() {
        exit::SUCCESS
    } else {
        exit::FINDINGS
    })
}

/// The report in the format asked for.
fn render_report(
    report: &VerificationReport,
    contracts: &[vow_engine::LoadedContract],
    format: ReportFormat,
    color: ColorChoice,
) -> String {
    match format {
        ReportFormat::Human => render::render_report(report, Style::for_stdout(color)),
        ReportFormat::Json => render::render_json(report),
        ReportFormat::Junit => render::render_junit(report),
        ReportFormat::Markdown => render::render_markdown(
            "vow verify",
            &format!("against {}", report.provider_url),
            &report.contracts,
        ),
        ReportFormat::Github => render::render_github(
            "vow verify",
            &report.contracts,
            &ContractLines::read(contracts),
        ),
        ReportFormat::Sarif => {
            render::render_sarif(&report.contracts, &ContractLines::read(contracts))
        }
    }
}

/// The broker selects no contract: that is said, and a machine-readable format gets its empty
/// report. Not a failure: a provider nobody depends on yet breaks no one.
fn nothing_to_verify(
    from: &FromBroker,
    args: &VerifyArgs,
    channel: Channel,
    color: ColorChoice,
) -> Result<u8, Failure> {
    channel.write(&from.nothing_to_verify())?;
    if args.format != ReportFormat::Human {
        let report = VerificationReport::new(args.provider_url.as_str(), Vec::new());
        crate::write_stdout(&render_report(&report, &[], args.format, color))?;
    }
    Ok(exit::SUCCESS)
}

/// Where what is said around a report goes: stdout beside a report for people, stderr beside a
/// machine-readable one, so that stdout stays parseable.
#[derive(Debug, Clone, Copy)]
enum Channel {
    Stdout,
    Stderr,
}

impl Channel {
    fn style(self, color: ColorChoice) -> Style {
        match self {
            Channel::Stdout => Style::for_stdout(color),
            Channel::Stderr => Style::for_stderr(color),
        }
    }

    fn write(self, text: &str) -> Result<(), Failure> {
        match self {
            Channel::Stdout => crate::write_stdout(text),
            Channel::Stderr => {
                let _ = std::io::stderr().write_all(text.as_bytes());
                Ok(())
            }
        }
    }
}

/// Today's date in UTC, the default of `--as-of`. The only place vow reads the clock for judgement.
pub(crate) fn today() -> chrono::NaiveDate {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    chrono::DateTime::from_timestamp(i64::try_from(now).unwrap_or(0), 0)
        .map(|t| t.date_naive())
        .unwrap_or_default()
}
