//! Findings as GitHub Actions workflow commands (`::error file=…,line=…,title=…::message`), which
//! GitHub shows as annotations on the contract files of a pull request. Works for any per-contract
//! results (`vow check`, and `vow verify` later).

use std::fmt::Write;

use vow_core::Severity;
use vow_core::verification::{ContractResult, Summary};

use super::locate::Locate;
use super::text::{annotation_data, annotation_property, plural};

/// One workflow command per finding (`error`, `warning`, `notice` by severity), then a plain
/// summary line headed by `title` (`vow check`).
pub fn render_github(title: &str, contracts: &[ContractResult], locate: &dyn Locate) -> String {
    let mut out = String::new();
    for contract in contracts {
        for interaction in &contract.interactions {
            for f in &interaction.findings {
                let command = match f.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Info => "notice",
                };
                let mut properties =
                    vec![format!("file={}", annotation_property(&contract.source))];
                if let Some(p) = locate.locate(contract, interaction, f) {
                    properties.push(format!("line={}", p.line));
                    properties.push(format!("col={}", p.column));
                }
                properties.push(format!(
                    "title={}",
                    annotation_property(&format!(
                        "{} ({} › {})",
                        f.rule.id, contract.consumer, interaction.id
                    ))
                ));
                let mut message = format!("{}: {}", pointer(&f.location.pointer), f.message);
                if let Some(e) = &f.expected {
                    let _ = write!(message, "\nexpected: {e}");
                }
                if let Some(a) = &f.actual {
                    let _ = write!(message, "\nactual:   {a}");
                }
                if let Some(h) = &f.hint {
                    let _ = write!(message, "\nhint: {h}");
                }
                let _ = writeln!(
                    out,
                    "::{command} {}::{}",
                    properties.join(","),
                    annotation_data(&message)
                );
            }
        }
    }
    let s = Summary::of(contracts);
    let _ = writeln!(
        out,
        "{title} {}: {} {}, {} {} ({} passed, {} failed); {} {}, {} {}, {} {}",
        if s.failed == 0 { "passed" } else { "failed" },
        s.contracts,
        plural(s.contracts, "contract", "contracts"),
        s.interactions,
        plural(s.interactions, "interaction", "interactions"),
        s.passed,
        s.failed,
        s.errors,
        plural(s.errors, "error", "errors"),
        s.warnings,
        plural(s.warnings, "warning", "warnings"),
        s.infos,
        plural(s.infos, "info", "infos"),
    );
    out
}

fn pointer(p: &str) -> &str {
    if p.is_empty() { "/" } else { p }
}
