//! `vow record`: a contract draft from live traffic (`--upstream` + `--listen`, a recording
//! reverse proxy) or from HAR files (`--har`). The draft is checked by decoding it again, written
//! atomically (a temporary file beside `--out`, renamed), never over an existing file without
//! `--force`; a summary of what was recorded, redacted and needs review goes to stderr.

use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, anyhow};
use vow_core::contract::{SourceFormat, parse_contract, to_json, to_yaml};
use vow_core::record::{Draft, RecordLimits, Recorder};
use vow_engine::record::{ProxyOptions, RecordObserver, StopWhen, record_har, record_proxy};

use crate::cli::{ColorChoice, DraftFormat, RecordArgs};
use crate::exit::{self, Failure};
use crate::render::{self, Style};

pub fn run(args: RecordArgs, color: ColorChoice) -> Result<u8, Failure> {
    let style = Style::for_stderr(color);
    for (flag, name) in [
        ("--consumer", &args.consumer),
        ("--provider", &args.provider),
    ] {
        if !is_service_name(name) {
            return Err(invalid(anyhow!(
                "{flag} {name:?} is not a service name: use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit"
            )));
        }
    }
    if args.out.exists() && !args.force {
        return Err(invalid(anyhow!(
            "{} already exists; pass --force to replace it",
            args.out.display()
        )));
    }
    let format = args.format.unwrap_or_else(|| format_of(&args.out));
    let spec = match &args.spec {
        Some(path) => match vow_engine::load_spec(path) {
            Ok(loaded) => Some(loaded.spec),
            Err(e) => {
                let _ =
                    std::io::stderr().write_all(render::render_spec_error(&e, style).as_bytes());
                return Err(Failure::reported(exit::INVALID_INPUT));
            }
        },
        None => None,
    };
    let max_body_bytes = usize::try_from(args.max_body_size).unwrap_or(usize::MAX);
    let limits = RecordLimits::default();
    let mut recorder = Recorder::new(&args.consumer, &args.provider, spec, limits);

    let mut notes = Vec::new();
    if !args.har.is_empty() {
        let origin = args
            .upstream
            .as_ref()
            .map(|u| u.origin().ascii_serialization());
        let summary = record_har(&args.har, origin.as_deref(), &mut recorder)
            .map_err(|e| invalid(anyhow!(e)))?;
        if summary.other_origin > 0 {
            notes.push(format!(
                "{} entries for other origins were left out",
                summary.other_origin
            ));
        }
        if summary.unanswered > 0 {
            notes.push(format!(
                "{} entries had no response (status 0) and were left out",
                summary.unanswered
            ));
        }
        if summary.bodies_not_exported > 0 {
            notes.push(format!(
                "{} responses had a body the export did not include; their schemas are not inferred",
                summary.bodies_not_exported
            ));
        }
        write_draft(&args, format, recorder.finish(), notes, style)
    } else {
        let upstream = args
            .upstream
            .clone()
            .ok_or_else(|| invalid(anyhow!("--upstream or --har is required")))?;
        let options = ProxyOptions {
            upstream,
            listen: args.listen,
            max_body_bytes,
            upstream_timeout: args.upstream_timeout,
            drain_timeout: std::time::Duration::from_secs(10),
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .context("failed to start the async runtime")
            .map_err(invalid)?;
        let duration = args.duration;
        let stop = async move {
            match duration {
                Some(d) => {
                    tokio::select! {
                        () = tokio::time::sleep(d) => {}
                        () = super::shutdown_signal() => {}
                    }
                }
                None => super::shutdown_signal().await,
            }
        };
        let observer = Arc::new(StderrObserver {
            style,
            failures: AtomicU64::new(0),
        });
        let when = StopWhen {
            max_requests: args.max_requests,
        };
        let report = runtime
            .block_on(record_proxy(options, recorder, when, stop, observer))
            .map_err(|e| invalid(anyhow!(e)))?;
        if report.upstream_failures > 0 {
            notes.push(format!(
                "{} requests got no answer from the upstream (the client got 502 or 504); they are not in the draft",
                report.upstream_failures
            ));
        }
        if report.abandoned > 0 {
            notes.push(format!(
                "{} exchanges ended before their response did and are not in the draft",
                report.abandoned
            ));
        }
        if report.dropped > 0 {
            notes.push(format!(
                "{} exchanges came faster than the recorder folded them and are not in the draft",
                report.dropped
            ));
        }
        write_draft(&args, format, report.draft, notes, style)
    }
}

fn invalid(error: anyhow::Error) -> Failure {
    Failure::new(exit::INVALID_INPUT, error)
}

fn is_service_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

fn format_of(path: &Path) -> DraftFormat {
    match path.extension().and_then(|e| e.to_str()) {
        Some(ext) if ext.eq_ignore_ascii_case("json") => DraftFormat::Json,
        _ => DraftFormat::Yaml,
    }
}

fn write_draft(
    args: &RecordArgs,
    format: DraftFormat,
    draft: Draft,
    notes: Vec<String>,
    style: Style,
) -> Result<u8, Failure> {
    let mut summary = String::new();
    for note in &notes {
        summary.push_str(&format!("{} {note}\n", style.warn("note:")));
    }
    if draft.contract.interactions.is_empty() {
        let _ = std::io::stderr().write_all(summary.as_bytes());
        return Err(invalid(anyhow!(
            "nothing was recorded ({} exchanges seen), so no draft was written to {}",
            draft.exchanges,
            args.out.display()
        )));
    }
    let (text, source_format) = match format {
        DraftFormat::Yaml => (to_yaml(&draft.contract), SourceFormat::Yaml),
        DraftFormat::Json => (to_json(&draft.contract), SourceFormat::Json),
    };
    // The draft must be a contract vow reads; a draft that is not is vow's bug, not the user's.
    if let Err(e) = parse_contract(&args.out.display().to_string(), &text, source_format) {
        return Err(Failure::new(
            exit::INVALID_INPUT,
            anyhow!("the draft vow made is not a valid contract, so it was not written:\n{e}"),
        ));
    }
    write_atomically(&args.out, text.as_bytes(), args.force)
        .map_err(|e| Failure::new(exit::INVALID_INPUT, e))?;

    summary.push_str(&format!(
        "recorded {} exchanges of {} operations into {} interactions: {}\n",
        draft.exchanges,
        draft.operations,
        draft.contract.interactions.len(),
        args.out.display()
    ));
    if draft.unrecorded > 0 {
        summary.push_str(&format!(
            "{} {} exchanges were over a cap and not recorded\n",
            style.warn("note:"),
            draft.unrecorded
        ));
    }
    if draft.redacted.is_empty() {
        summary.push_str("redacted: nothing\n");
    } else {
        summary.push_str(&format!("redacted: {}\n", draft.redacted.join(", ")));
    }
    if !draft.review.is_empty() {
        summary.push_str("review before committing:\n");
        for item in &draft.review {
            match &item.interaction {
                Some(id) => summary.push_str(&format!("  - {id}: {}\n", item.message)),
                None => summary.push_str(&format!("  - {}\n", item.message)),
            }
        }
    }
    let _ = std::io::stderr().write_all(summary.as_bytes());
    Ok(exit::SUCCESS)
}

/// Writes `bytes` to a temporary file beside `path`, then renames it to `path` (refusing to
/// replace an existing file unless `force`), so `path` is never half written.
fn write_atomically(path: &Path, bytes: &[u8], force: bool) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut file = tempfile::Builder::new()
        .prefix(".vow-record-")
        .tempfile_in(dir)
        .with_context(|| format!("failed to create a temporary file in {}", dir.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.as_file().sync_all())
        .with_context(|| format!("failed to write the draft beside {}", path.display()))?;
    if force {
        file.persist(path)
            .map_err(|e| anyhow!(e.error))
            .with_context(|| format!("failed to write {}", path.display()))?;
    } else {
        file.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                anyhow!(
                    "{} appeared while recording; pass --force to replace it",
                    path.display()
                )
            } else {
                anyhow!(e.error).context(format!("failed to write {}", path.display()))
            }
        })?;
    }
    Ok(())
}

/// Progress and upstream failures on stderr.
struct StderrObserver {
    style: Style,
    failures: AtomicU64,
}

/// Upstream failures printed one by one before they are only counted.
const FAILURES_SHOWN: u64 = 3;

impl RecordObserver for StderrObserver {
    fn listening(&self, addr: SocketAddr) {
        // Scripts and tests wait for this line to learn the address (port 0 picks one).
        let _ = writeln!(std::io::stderr(), "recording on http://{addr}");
    }

    fn progress(&self, exchanges: u64, operations: usize) {
        let _ = writeln!(
            std::io::stderr(),
            "recorded {exchanges} exchanges, {operations} operations"
        );
    }

    fn upstream_failed(&self, message: &str) {
        let n = self.failures.fetch_add(1, Ordering::Relaxed) + 1;
        if n <= FAILURES_SHOWN {
            let _ = writeln!(
                std::io::stderr(),
                "{} {message}",
                self.style.warn("warning:")
            );
            if n == FAILURES_SHOWN {
                let _ = writeln!(
                    std::io::stderr(),
                    "(further upstream failures are counted in the summary)"
                );
            }
        }
    }
}
