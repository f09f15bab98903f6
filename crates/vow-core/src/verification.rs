//! The result of replaying contracts against a provider, as plain data.
//!
//! The engine produces it, the CLI renders it and the broker will store it; none of them needs to
//! know how the others work. Its JSON form is a stable interface (docs/verify-report.md).

use serde::Serialize;

use crate::behaviour::latency::LatencySummary;
use crate::finding::{Finding, Severity};

/// Version of the JSON report layout; bumped on any incompatible change.
pub const REPORT_FORMAT_VERSION: u32 = 1;

/// Everything one verification run found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationReport {
    pub format_version: u32,
    /// The provider base URL that was verified.
    pub provider_url: String,
    pub contracts: Vec<ContractResult>,
    pub summary: Summary,
}

/// The results for one contract file.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractResult {
    pub consumer: String,
    pub provider: String,
    /// Where the contract was read from (a file path).
    pub source: String,
    pub interactions: Vec<InteractionResult>,
}

/// The result of replaying one interaction.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InteractionResult {
    pub id: String,
    pub description: String,
    pub method: String,
    pub path: String,
    pub outcome: Outcome,
    pub findings: Vec<Finding>,
    /// Time from sending the request to the end of the response body, when a response came.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<f64>,
    /// Latency percentiles of the timed requests, when the latency dimension was checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency: Option<LatencySummary>,
}

impl InteractionResult {
    /// The result of `interaction` with `findings` (placed in the interaction), timing and latency.
    pub fn of(
        interaction: &crate::Interaction,
        findings: Vec<Finding>,
        elapsed_ms: Option<f64>,
        latency: Option<LatencySummary>,
    ) -> InteractionResult {
        let findings: Vec<Finding> = findings
            .into_iter()
            .map(|f| f.in_interaction(interaction.id.clone()))
            .collect();
        InteractionResult {
            id: interaction.id.clone(),
            description: interaction.description.clone(),
            method: interaction.request.method.as_str().to_owned(),
            path: interaction.request.path.clone(),
            outcome: Outcome::of(&findings),
            findings,
            elapsed_ms,
            latency,
        }
    }
}

/// How an interaction ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Replayed, with no finding of severity error.
    Passed,
    /// Replayed (or attempted), with at least one finding of severity error.
    Failed,
}

impl Outcome {
    /// The outcome that `findings` amount to.
    pub fn of(findings: &[Finding]) -> Outcome {
        if findings.iter().any(|f| f.severity == Severity::Error) {
            Outcome::Failed
        } else {
            Outcome::Passed
        }
    }
}

/// Counts over the whole run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub contracts: usize,
    pub interactions: usize,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    /// The counts over `contracts`' interactions and findings.
    pub fn of(contracts: &[ContractResult]) -> Summary {
        let mut summary = Summary {
            contracts: contracts.len(),
            ..Summary::default()
        };
        for interaction in contracts.iter().flat_map(|c| &c.interactions) {
            summary.interactions += 1;
            match interaction.outcome {
                Outcome::Passed => summary.passed += 1,
                Outcome::Failed => summary.failed += 1,
            }
            for finding in &interaction.findings {
                match finding.severity {
                    Severity::Error => summary.errors += 1,
                    Severity::Warning => summary.warnings += 1,
                    Severity::Info => summary.infos += 1,
                }
            }
        }
        summary
    }
}

impl VerificationReport {
    /// Builds a report and its summary from per-contract results.
    pub fn new(provider_url: impl Into<String>, contracts: Vec<ContractResult>) -> Self {
        let summary = Summary::of(&contracts);
        VerificationReport {
            format_version: REPORT_FORMAT_VERSION,
            provider_url: provider_url.into(),
            contracts,
            summary,
        }
    }

    /// True when no interaction failed.
    pub fn passed(&self) -> bool {
        self.summary.failed == 0
    }
}
