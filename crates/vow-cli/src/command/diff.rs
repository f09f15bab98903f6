//! `vow diff OLD NEW`: load both specs (and contracts, if given), find the changes, grade them by
//! the consumers that use them, print the report, and exit 1 when something breaks.

use std::io::Write;

use vow_core::diff::{DiffOptions, SourcedContract, diff};
use vow_engine::{load_contracts, load_spec};

use crate::cli::{ColorChoice, DiffArgs, SpecReportFormat};
use crate::exit::{self, Failure};
use crate::render::{self, Style};

pub fn run(args: DiffArgs, color: ColorChoice) -> Result<u8, Failure> {
    let stderr_style = Style::for_stderr(color);
    let fail = |text: String| {
        let _ = std::io::stderr().write_all(text.as_bytes());
        Failure::reported(exit::INVALID_INPUT)
    };
    let old = load_spec(&args.old);
    let new = load_spec(&args.new);
    let (old, new) = match (old, new) {
        (Ok(old), Ok(new)) => (old, new),
        (old, new) => {
            let mut text = String::new();
            for e in [old.err(), new.err()].into_iter().flatten() {
                text.push_str(&render::render_spec_error(&e, stderr_style));
            }
            return Err(fail(text));
        }
    };
    let contracts = if args.contracts.is_empty() {
        Vec::new()
    } else {
        load_contracts(&args.contracts)
            .map_err(|errors| fail(render::render_load_errors(&errors, stderr_style)))?
    };
    let sources: Vec<String> = contracts
        .iter()
        .map(|c| c.path.display().to_string())
        .collect();
    let sourced: Vec<SourcedContract<'_>> = contracts
        .iter()
        .zip(&sources)
        .map(|(c, source)| SourcedContract {
            source,
            contract: &c.contract,
        })
        .collect();
    let options = DiffOptions {
        as_of: args.as_of.unwrap_or_else(super::verify::today),
        deprecation_days: args.deprecation_days,
    };
    let report = diff(
        (&args.old.display().to_string(), &old.spec),
        (&args.new.display().to_string(), &new.spec),
        &sourced,
        &options,
    );
    let docs = render::DiffDocuments {
        old: &old.documents,
        new: &new.documents,
    };
    let text = match args.format {
        SpecReportFormat::Human => render::diff::human(&report, &docs, Style::for_stdout(color)),
        SpecReportFormat::Json => render::diff::json(&report),
        SpecReportFormat::Markdown => render::diff::markdown(&report, &docs),
        SpecReportFormat::Github => render::diff::github(&report, &docs),
        SpecReportFormat::Junit => render::diff::junit(&report),
        SpecReportFormat::Sarif => render::diff::sarif(&report, &docs),
    };
    crate::write_stdout(&text)?;
    Ok(if report.passed() {
        exit::SUCCESS
    } else {
        exit::FINDINGS
    })
}
