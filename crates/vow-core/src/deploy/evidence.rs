//! Compatibility evidence for the broker: a provider spec checked against a contract once, with
//! the result kept apart from the clock, so it can be cached by the two content hashes and read at
//! any as-of date later.
//!
//! [`assess`] runs the static check ([`check_contract`]) with a clock set before any sunset and a
//! window wider than any, so every used element that has a sunset is reported; those findings
//! become [`DeprecationFact`]s (the element and its sunset date) and are dropped from the result.
//! What remains depends only on the spec and the contract. [`decide`](super::decide) later reads
//! the facts at the question's as-of date.
//!
//! An element the contract acknowledges as deprecated (`deprecation.operation`, or a pointer under
//! `deprecation.fields`) that the spec no longer has becomes a [`DeprecationKind::Removed`] fact:
//! the consumer knew it was going away, and this provider version has taken it away.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::element::{field_name, generic_pointer, parameter_name, response_key};
use super::{Compatibility, DeprecationFact, DeprecationKind};
use crate::compat::{CheckOptions, check_contract};
use crate::contract::{Contract, Interaction};
use crate::finding::{Finding, Severity};
use crate::rules;
use crate::spec::{Lookup, Spec, Stability};
use crate::verification::{ContractResult, InteractionResult};

/// The clock-free outcome of checking one contract against one spec.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// Passed or not, with the dimensions that failed and the counts.
    pub compatibility: Compatibility,
    /// The deprecated elements with a sunset the contract uses, and acknowledged elements the
    /// spec removed.
    pub deprecations: Vec<DeprecationFact>,
    /// Per interaction, the findings without the clock-dependent ones.
    pub result: ContractResult,
}

/// Checks `contract` against `spec` without a clock; see the module documentation.
pub fn assess(
    spec: &Spec,
    spec_hash: &str,
    contract: &Contract,
    contract_hash: &str,
) -> Assessment {
    let clockless = CheckOptions {
        as_of: NaiveDate::MIN,
        warning_days: u32::MAX,
    };
    let checked = check_contract(spec, contract, &clockless);
    let mut deprecations = Vec::new();
    let mut interactions = Vec::with_capacity(checked.interactions.len());
    let mut failed = BTreeSet::new();
    let (mut errors, mut warnings) = (0u32, 0u32);
    for (interaction, result) in contract.interactions.iter().zip(checked.interactions) {
        let mut kept: Vec<Finding> = Vec::with_capacity(result.findings.len());
        for finding in result.findings {
            let fact = |kind| {
                let (element, stability) = element(spec, interaction, &finding.location.pointer);
                DeprecationFact {
                    spec_hash: spec_hash.to_owned(),
                    contract_hash: contract_hash.to_owned(),
                    interaction: interaction.id.clone(),
                    element,
                    kind,
                    stability,
                }
            };
            if finding.rule == rules::SUNSET_NEAR || finding.rule == rules::SUNSET_PASSED {
                if let Some(sunset) = finding.actual.as_deref().and_then(|d| d.parse().ok()) {
                    deprecations.push(fact(DeprecationKind::Sunset { sunset }));
                }
                continue;
            }
            if removes_acknowledged(contract, interaction, &finding) {
                deprecations.push(fact(DeprecationKind::Removed));
            }
            match finding.severity {
                Severity::Error => {
                    errors += 1;
                    failed.insert(finding.dimension);
                }
                Severity::Warning => warnings += 1,
                Severity::Info => {}
            }
            kept.push(finding);
        }
        interactions.push(InteractionResult::of(interaction, kept, None, None));
    }
    deprecations.sort_by(|a, b| {
        (&a.interaction, &a.element, a.kind).cmp(&(&b.interaction, &b.element, b.kind))
    });
    deprecations.dedup();
    Assessment {
        compatibility: Compatibility {
            spec_hash: spec_hash.to_owned(),
            contract_hash: contract_hash.to_owned(),
            passed: errors == 0,
            failed_dimensions: failed.into_iter().collect(),
            errors,
            warnings,
        },
        deprecations,
        result: ContractResult {
            consumer: checked.consumer,
            provider: checked.provider,
            source: checked.source,
            interactions,
        },
    }
}

/// Whether `finding` says the spec lacks an element the interaction marks as deprecated: the
/// operation itself, or a response field listed under `deprecation.fields`.
fn removes_acknowledged(contract: &Contract, interaction: &Interaction, finding: &Finding) -> bool {
    let Some(statement) = contract.effective(interaction).deprecation else {
        return false;
    };
    if finding.rule == rules::OPERATION_UNKNOWN {
        return statement.operation;
    }
    if finding.rule == rules::FIELD_UNDECLARED {
        let field = finding
            .location
            .pointer
            .strip_prefix("/response/body")
            .unwrap_or_default();
        return statement
            .fields
            .iter()
            .any(|listed| same_field(listed, field));
    }
    false
}

/// Whether a `deprecation.fields` pointer (where `*` is any array element) names `field`, a
/// pointer into the response body with concrete array indices.
fn same_field(listed: &str, field: &str) -> bool {
    let listed: Vec<&str> = listed.split('/').collect();
    let field: Vec<&str> = field.split('/').collect();
    listed.len() == field.len()
        && listed
            .iter()
            .zip(&field)
            .all(|(l, f)| l == f || (*l == "*" && (f.parse::<usize>().is_ok() || *f == "*")))
}

/// How reports name the element a finding is about (see [`super::element`]): the operation
/// (`GET /carts/{cartId}`, as the spec writes it when the request resolves), for a body field the
/// response key and the pointer with `*` for array elements (`GET /carts/{cartId} 200 /total`),
/// for a parameter its place and name; with the stability level of the operation when the spec
/// has it.
fn element(spec: &Spec, interaction: &Interaction, pointer: &str) -> (String, Option<Stability>) {
    let request = &interaction.request;
    let found = match spec.lookup(&request.method.0, &request.path) {
        Lookup::Found { operation, .. } => Some(&spec.operations[operation]),
        _ => None,
    };
    let operation = found.map_or_else(
        || format!("{} {}", request.method.0, request.path),
        |op| op.label(),
    );
    let element = match pointer.strip_prefix("/response/body") {
        Some(field) => {
            let status = interaction.response.status;
            let key = found.map_or_else(|| status.to_string(), |op| response_key(op, status));
            field_name(&operation, &key, &generic_pointer(field))
        }
        None => match pointer.strip_prefix("/request/") {
            // `/request/query/limit` → `GET /items query limit`.
            Some(rest) if !matches!(rest, "" | "path" | "method") => match rest.split_once('/') {
                Some((place, name)) if !name.contains('/') => {
                    parameter_name(&operation, place, name)
                }
                _ => format!("{operation} {}", rest.replace('/', " ")),
            },
            _ => operation,
        },
    };
    (element, found.and_then(|op| op.stability))
}
