//! JUnit XML for CI systems that show test reports: a test suite per contract, a test case per
//! interaction, and each failing interaction's findings as the failure text.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use vow_core::verification::{Outcome, VerificationReport};

pub fn render_junit(report: &VerificationReport) -> String {
    let mut junit = Report::new("vow verify");
    for contract in &report.contracts {
        let mut suite = TestSuite::new(format!("{} -> {}", contract.consumer, contract.provider));
        suite.add_property(("source", contract.source.as_str()));
        for interaction in &contract.interactions {
            let status = match interaction.outcome {
                Outcome::Passed => TestCaseStatus::success(),
                Outcome::Failed => {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    let first = interaction.findings.first().map(|f| f.message.as_str());
                    status.set_message(first.unwrap_or("failed"));
                    status.set_type(
                        interaction
                            .findings
                            .first()
                            .map(|f| f.rule.id)
                            .unwrap_or("vow"),
                    );
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
