//! JUnit XML for CI systems that show test reports: a test suite per contract, a test case per
//! interaction, and each failing interaction's findings as the failure text.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use vow_core::Severity;
use vow_core::verification::{ContractResult, Outcome, VerificationReport};

pub fn render_junit(report: &VerificationReport) -> String {
    render_junit_results("vow verify", &report.contracts)
}

/// JUnit XML for any per-contract results (`vow verify`, `vow check`): the report is named `name`.
pub fn render_junit_results(name: &str, contracts: &[ContractResult]) -> String {
    let mut junit = Report::new(name);
    for contract in contracts {
        let mut suite = TestSuite::new(format!("{} -> {}", contract.consumer, contract.provider));
        suite.add_property(("source", contract.source.as_str()));
        for interaction in &contract.interactions {
            let status = match interaction.outcome {
                Outcome::Passed => TestCaseStatus::success(),
                Outcome::Failed => {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    // The failure is named after its first error, not a warning before it.
                    let first = interaction
                        .findings
                        .iter()
                        .find(|f| f.severity == Severity::Error)
                        .or(interaction.findings.first());
                    status.set_message(first.map_or("failed", |f| f.message.as_str()));
                    status.set_type(first.map_or("vow", |f| f.rule.id));
                    status.set_description(findings_text(interaction));
                    status
                }
            };
            let mut case = TestCase::new(interaction.id.as_str(), status);
            case.set_classname(format!("{}.{}", contract.consumer, contract.provider));
            if let Some(ms) = interaction.elapsed_ms {
                case.set_time(Duration::from_secs_f64(ms / 1000.0));
            }
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    junit
        .to_string()
        .unwrap_or_else(|e| format!("<!-- failed to write JUnit XML: {e} -->\n"))
}

fn findings_text(interaction: &vow_core::verification::InteractionResult) -> String {
    let mut text = String::new();
    for f in &interaction.findings {
        text.push_str(&format!(
            "{} [{}] {} at {}: {}\n",
            f.severity, f.dimension, f.rule.id, f.location.pointer, f.message
        ));
        if let Some(e) = &f.expected {
            text.push_str(&format!("  expected: {e}\n"));
        }
        if let Some(a) = &f.actual {
            text.push_str(&format!("  actual:   {a}\n"));
        }
        if let Some(h) = &f.hint {
            text.push_str(&format!("  hint: {h}\n"));
        }
    }
    text
}
