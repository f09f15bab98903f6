//! `vow mock`: load contracts like `vow verify` does, serve them as a stub provider until Ctrl-C,
//! `--duration`, `POST /_vow/stop` or the end of the wrapped command, then print the report and
//! map it (and the command's outcome) to an exit code.

mod report;

use std::io::Write;
use std::sync::Arc;

use anyhow::anyhow;
use vow_core::mock::{RehearsalMode, Share, Verdict};
use vow_engine::mock::{Mock, MockOptions, select_contracts, serve};
use vow_engine::{Filters, load_contracts};

use crate::cli::{ColorChoice, MockArgs, MockReportFormat, RehearseArg};
use crate::exit::{self, Failure};
use crate::render::Style;

pub fn run(args: MockArgs, color: ColorChoice) -> Result<u8, Failure> {
    let contracts = load_contracts(&args.paths);
    let (contracts, spec) = super::contracts_and_spec(contracts, args.spec.as_deref(), color)?;
    let filters = Filters {
        consumers: args.consumer.clone(),
        providers: args.provider.clone(),
        interactions: args.interaction.clone(),
    };
    let invalid = |e: anyhow::Error| Failure::new(exit::INVALID_INPUT, e);
    let selected = select_contracts(&contracts, &filters).map_err(|e| invalid(anyhow!(e)))?;
    let options = MockOptions {
        spec: spec.map(|loaded| Arc::new(loaded.spec)),
        rehearsal: match args.rehearse {
            RehearseArg::Off => RehearsalMode::Off,
            RehearseArg::Errors => RehearsalMode::Errors,
            RehearseArg::Latency => RehearsalMode::Latency,
            RehearseArg::All => RehearsalMode::All,
        },
        share: Share::new(args.rehearse_share)
            .ok_or_else(|| invalid(anyhow!("--rehearse-share must be from 0 to 1")))?,
        allow_unexercised: args.allow_unexercised,
        seed: args.seed,
        max_body_bytes: usize::try_from(args.max_body_size).unwrap_or(usize::MAX),
    };
    let mock = Arc::new(Mock::new(selected, options).map_err(|e| invalid(anyhow!(e)))?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| invalid(anyhow!(e).context("failed to start the async runtime")))?;
    let command = runtime.block_on(serve_until_done(&args, mock.clone()))?;

    let report = mock.report();
    let text = match args.format {
        MockReportFormat::Human => report::human(&report, Style::for_stdout(color)),
        MockReportFormat::Json => report::json(&report),
        MockReportFormat::Junit => report::junit(&report),
    };
    crate::write_stdout(&text)?;
    let command_failed = match command {
        Some(status) if !status.success() => {
            let said = match status.code() {
                Some(code) => format!("exited with code {code}"),
                None => "was ended by a signal".to_owned(),
            };
            let style = Style::for_stderr(color);
            let _ = writeln!(
                std::io::stderr(),
                "{} the command `{}` {said}",
                style.bad("failed:"),
                args.command.join(" ")
            );
            true
        }
        _ => false,
    };
    Ok(if command_failed || report.verdict() == Verdict::Failed {
        exit::FINDINGS
    } else {
        exit::SUCCESS
    })
}

/// Serves until the run ends; the wrapped command's exit status, if there is a command.
async fn serve_until_done(
    args: &MockArgs,
    mock: Arc<Mock>,
) -> Result<Option<std::process::ExitStatus>, Failure> {
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| {
            Failure::new(
                exit::INVALID_INPUT,
                anyhow!(e).context(format!("failed to listen on {}", args.listen)),
            )
        })?;
    let url = match listener.local_addr() {
        Ok(address) => format!("http://{address}"),
        Err(e) => return Err(Failure::new(exit::INVALID_INPUT, anyhow!(e))),
    };
    let _ = writeln!(std::io::stderr(), "listening on {url}");
    let (done, finished) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, mock.clone(), async move {
        let _ = finished.await;
    }));
    let duration = args.duration;
    let elapsed = async move {
        match duration {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    let interrupted = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let outcome = match args.command.split_first() {
        None => {
            tokio::select! {
                () = elapsed => {}
                () = interrupted => {}
                () = mock.stop_requested() => {}
            }
            Ok(None)
        }
        Some((program, rest)) => {
            match tokio::process::Command::new(program)
                .args(rest)
                .env("VOW_MOCK_URL", &url)
                .kill_on_drop(true)
                .spawn()
            {
                Err(e) => Err(Failure::new(
                    exit::INVALID_INPUT,
                    anyhow!(e).context(format!("failed to run `{}`", args.command.join(" "))),
                )),
                Ok(mut child) => {
                    let status = tokio::select! {
                        status = child.wait() => status,
                        () = elapsed => { let _ = child.start_kill(); child.wait().await }
                        () = interrupted => { let _ = child.start_kill(); child.wait().await }
                        () = mock.stop_requested() => { let _ = child.start_kill(); child.wait().await }
                    };
                    status.map(Some).map_err(|e| {
                        Failure::new(
                            exit::INVALID_INPUT,
                            anyhow!(e).context("failed to wait for the command"),
                        )
                    })
                }
            }
        }
    };
    let _ = done.send(());
    match server.await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            return Err(Failure::new(
                exit::INVALID_INPUT,
                anyhow!(e).context("the mock server failed"),
            ));
        }
        Err(e) => {
            return Err(Failure::new(
                exit::INVALID_INPUT,
                anyhow!(e).context("the mock server stopped unexpectedly"),
            ));
        }
    }
    outcome
}
