//! `vow check --spec SPEC CONTRACT...`: load the provider's OpenAPI spec and the contracts, check
//! every contract against the spec in all five dimensions (no provider runs), print the report, and
//! map the verdict to an exit code.
//!
//! Every contract given is checked, whatever provider it names: the spec is what the caller says
//! the provider is. A contract whose `provider` does not match the spec's `info.title` (compared as
//! service names: lowercase, runs of other characters as `-`) gets a warning on stderr, since it is
//! most likely a contract for another provider.

use std::io::Write;

use anyhow::anyhow;
use vow_core::compat::{CheckOptions, CheckReport, check_contract};
use vow_engine::{LoadedContract, load_contracts, load_spec};

use crate::cli::{CheckArgs, ColorChoice, SpecReportFormat};
use crate::exit::{self, Failure};
use crate::render::locate::{ContractLines, source_name};
use crate::render::{self, Style};

pub fn run(args: CheckArgs, color: ColorChoice) -> Result<u8, Failure> {
    let stderr_style = Style::for_stderr(color);
    // Both are read before anything is reported, so one run lists every problem in every file.
    let spec = load_spec(&args.spec);
    let contracts = load_contracts(&args.paths);
    let mut problems = String::new();
    if let Err(e) = &spec {
        problems.push_str(&render::render_spec_error(e, stderr_style));
    }
    if let Err(errors) = &contracts {
        problems.push_str(&render::render_load_errors(errors, stderr_style));
    }
    let (Ok(spec), Ok(contracts)) = (spec, contracts) else {
        let _ = std::io::stderr().write_all(problems.as_bytes());
        return Err(Failure::reported(exit::INVALID_INPUT));
    };

    let selected: Vec<&LoadedContract> = contracts
        .iter()
        .filter(|c| matches_any(&args.consumer, &c.contract.consumer))
        .collect();
    if selected.is_empty() {
        return Err(Failure::new(
            exit::INVALID_INPUT,
            anyhow!(
                "no contract is of the consumers {} (the contracts given are of {})",
                args.consumer.join(", "),
                consumers(&contracts)
            ),
        ));
    }
    let mut notes = String::new();
    if !spec.spec.title.is_empty() {
        let title = service_name(&spec.spec.title);
        for c in &selected {
            if service_name(&c.contract.provider) != title {
                notes.push_str(&format!(
                    "{} {} is a contract with the provider {:?}, and the spec is {:?} (info.title): \
                     checking it all the same\n",
                    stderr_style.warn("warning:"),
                    source_name(&c.path),
                    c.contract.provider,
                    spec.spec.title
                ));
            }
        }
    }
    let _ = std::io::stderr().write_all(notes.as_bytes());

    let options = CheckOptions {
        as_of: args.as_of.unwrap_or_else(super::verify::today),
        warning_days: args.deprecation_window,
    };
    let results = selected
        .iter()
        .map(|c| {
            let mut result = check_contract(&spec.spec, &c.contract, &options);
            result.source = source_name(&c.path);
            result
        })
        .collect();
    let spec_path = args.spec.display().to_string();
    let report = CheckReport::new(&spec.spec, spec_path.as_str(), &options, results);
    let title = "vow check";
    let text = match args.format {
        SpecReportFormat::Human => render::render_check_report(&report, Style::for_stdout(color)),
        SpecReportFormat::Json => render::render_json(&report),
        SpecReportFormat::Markdown => {
            render::render_markdown(title, &context(&report), &report.contracts)
        }
        SpecReportFormat::Github => render::render_github(
            title,
            &report.contracts,
            &ContractLines::read(selected.iter().copied()),
        ),
        SpecReportFormat::Junit => render::render_junit_results(title, &report.contracts),
        SpecReportFormat::Sarif => render::render_sarif(
            &report.contracts,
            &ContractLines::read(selected.iter().copied()),
        ),
    };
    crate::write_stdout(&text)?;
    Ok(if report.passed() {
        exit::SUCCESS
    } else {
        exit::FINDINGS
    })
}

/// `against specs/shop-api.yaml (shop-api 1.0.0, OpenAPI 3.1.0) as of 2026-11-21`.
fn context(report: &CheckReport) -> String {
    let spec = &report.spec;
    let mut about = format!("OpenAPI {}", spec.openapi);
    if !spec.title.is_empty() {
        about = format!("{} {}, {about}", spec.title, spec.version);
    }
    format!(
        "against {} ({about}) as of {}, deprecation window {} days",
        spec.path, report.as_of, report.deprecation_window_days
    )
}

/// Whether `value` matches one of `patterns` (all when there are none); a trailing `*` matches any
/// suffix.
fn matches_any(patterns: &[String], value: &str) -> bool {
    patterns.is_empty()
        || patterns.iter().any(|p| match p.strip_suffix('*') {
            Some(prefix) => value.starts_with(prefix),
            None => p == value,
        })
}

/// A name as a service name: lowercase, runs of other characters than letters and digits as `-`.
fn service_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

fn consumers(contracts: &[LoadedContract]) -> String {
    let mut names: Vec<&str> = contracts
        .iter()
        .map(|c| c.contract.consumer.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_compare_as_service_names() {
        assert_eq!(service_name("Shop API"), "shop-api");
        assert_eq!(service_name("shop-api"), "shop-api");
        assert_eq!(
            service_name("  Payments / Gateway v2 "),
            "payments-gateway-v2"
        );
    }

    #[test]
    fn consumer_filters_take_a_trailing_star() {
        let some = ["mobile-*".to_owned()];
        assert!(matches_any(&some, "mobile-app"));
        assert!(!matches_any(&some, "checkout-web"));
        assert!(matches_any(&[], "anything"));
    }
}
