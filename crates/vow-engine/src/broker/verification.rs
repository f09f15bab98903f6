//! The provider's side of the broker: the contracts it must verify (`GET …/contracts-to-verify`),
//! each with the consumer versions it stands for and why they are selected, and the verification
//! result recorded for each one (`POST …/verifications`), made from a contract's part of a
//! verification report.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use vow_core::verification::{ContractResult, Outcome};
use vow_core::{Dimension, Severity};

/// One distinct contract to verify, with every consumer version that holds it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ContractToVerify {
    /// The content hash, `sha256:…`.
    pub hash: String,
    pub consumers: Vec<SelectedConsumer>,
    /// The contract as published (JSON in vow's format).
    pub contract: Value,
}

/// A consumer version whose contract is selected, and why.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SelectedConsumer {
    pub consumer: String,
    pub version: String,
    pub reasons: Vec<SelectedBecause>,
}

/// Why a consumer version's contract is selected.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum SelectedBecause {
    /// Deployed in the environment.
    Deployed { environment: String },
    /// Released and supported in the environment.
    Released { environment: String },
    /// The latest version of the consumer on the branch.
    BranchHead { branch: String },
    /// A reason this client does not know (from a newer broker).
    #[serde(other)]
    Other,
}

impl fmt::Display for SelectedBecause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SelectedBecause::Deployed { environment } => write!(f, "deployed in {environment}"),
            SelectedBecause::Released { environment } => write!(f, "released in {environment}"),
            SelectedBecause::BranchHead { branch } => write!(f, "head of {branch}"),
            SelectedBecause::Other => f.write_str("selected"),
        }
    }
}

/// A verification result to record: a provider version verified against one contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewVerification {
    pub contract_hash: String,
    pub passed: bool,
    /// The dimensions with at least one finding of severity error; empty when passed.
    pub failed_dimensions: Vec<Dimension>,
    pub summary: VerificationSummary,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_url: Option<String>,
}

/// What a verification result records of the run: interactions passed and failed, and the
/// findings per dimension by severity (dimensions without findings left out).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VerificationSummary {
    pub interactions: usize,
    pub passed: usize,
    pub failed: usize,
    pub findings: BTreeMap<Dimension, FindingCounts>,
}

/// Findings of one dimension, by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FindingCounts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl NewVerification {
    /// The result of verifying the contract with hash `contract_hash`, from its part of a report.
    pub fn of(
        contract_hash: &str,
        result: &ContractResult,
        build_url: Option<String>,
    ) -> NewVerification {
        let mut summary = VerificationSummary::default();
        let mut failed_dimensions = BTreeSet::new();
        for interaction in &result.interactions {
            summary.interactions += 1;
            match interaction.outcome {
                Outcome::Passed => summary.passed += 1,
                Outcome::Failed => summary.failed += 1,
            }
            for finding in &interaction.findings {
                let counts = summary.findings.entry(finding.dimension).or_default();
                match finding.severity {
                    Severity::Error => {
                        counts.errors += 1;
                        failed_dimensions.insert(finding.dimension);
                    }
                    Severity::Warning => counts.warnings += 1,
                    Severity::Info => counts.infos += 1,
                }
            }
        }
        NewVerification {
            contract_hash: contract_hash.to_owned(),
            // vow-core's outcomes decide; a failed interaction always has an error finding, so
            // a failed result always names a dimension.
            passed: summary.failed == 0,
            failed_dimensions: failed_dimensions.into_iter().collect(),
            summary,
            build_url,
        }
    }
}

/// A verification result as the broker recorded it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct VerificationRecord {
    pub provider: String,
    pub provider_version: String,
    pub contract_hash: String,
    pub passed: bool,
    pub failed_dimensions: Vec<Dimension>,
    pub summary: Value,
    pub build_url: Option<String>,
    pub verified_at: String,
}

#[cfg(test)]
mod tests {
    use vow_core::Finding;
    use vow_core::rules;
    use vow_core::verification::InteractionResult;

    use super::*;

    fn interaction(id: &str, findings: Vec<Finding>) -> InteractionResult {
        InteractionResult {
            id: id.to_owned(),
            description: String::new(),
            method: "GET".to_owned(),
            path: "/".to_owned(),
            outcome: Outcome::of(&findings),
            findings,
            elapsed_ms: None,
            latency: None,
        }
    }

    fn contract(interactions: Vec<InteractionResult>) -> ContractResult {
        ContractResult {
            consumer: "web".to_owned(),
            provider: "api".to_owned(),
            source: "sha256:00".to_owned(),
            interactions,
        }
    }

    #[test]
    fn a_clean_contract_passes_and_counts_its_interactions() {
        let result = contract(vec![interaction("a", vec![]), interaction("b", vec![])]);
        let new = NewVerification::of("sha256:00", &result, None);
        assert!(new.passed);
        assert!(new.failed_dimensions.is_empty());
        assert_eq!(
            serde_json::to_value(&new).unwrap(),
            serde_json::json!({
                "contract_hash": "sha256:00",
                "passed": true,
                "failed_dimensions": [],
                "summary": {"interactions": 2, "passed": 2, "failed": 0, "findings": {}},
            })
        );
    }

    #[test]
    fn only_error_findings_name_a_failed_dimension() {
        let missing = Finding::new(rules::FIELD_MISSING, "/response/body/total", "missing");
        let warned = Finding::new(rules::FIELD_MISSING, "/response/body/x", "warned")
            .severity(Severity::Warning);
        let latency =
            Finding::new(rules::FIELD_MISSING, "/latency", "slow").severity(Severity::Info);
        let latency = Finding {
            dimension: Dimension::Latency,
            ..latency
        };
        let result = contract(vec![
            interaction("a", vec![missing.clone(), missing, warned]),
            interaction("b", vec![latency]),
        ]);
        let new = NewVerification::of("sha256:00", &result, Some("https://ci/1".to_owned()));
        assert!(!new.passed);
        assert_eq!(new.failed_dimensions, [Dimension::Shape]);
        assert_eq!(
            serde_json::to_value(&new).unwrap(),
            serde_json::json!({
                "contract_hash": "sha256:00",
                "passed": false,
                "failed_dimensions": ["shape"],
                "summary": {
                    "interactions": 2, "passed": 1, "failed": 1,
                    "findings": {
                        "shape": {"errors": 2, "warnings": 1, "infos": 0},
                        "latency": {"errors": 0, "warnings": 0, "infos": 1},
                    },
                },
                "build_url": "https://ci/1",
            })
        );
    }

    #[test]
    fn selection_reasons_read_and_unknown_ones_do_not_break() {
        let consumer: SelectedConsumer = serde_json::from_value(serde_json::json!({
            "consumer": "web", "version": "1", "reasons": [
                {"kind": "deployed", "environment": "production"},
                {"kind": "branch-head", "branch": "main"},
                {"kind": "pinned-by-hand", "note": "x"},
            ],
        }))
        .unwrap();
        let shown: Vec<String> = consumer.reasons.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            ["deployed in production", "head of main", "selected"]
        );
    }
}
