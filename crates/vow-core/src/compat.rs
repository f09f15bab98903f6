//! Static compatibility (`vow check`): a consumer's contract judged against the provider's
//! OpenAPI spec in all five dimensions, with no running provider.
//!
//! Each interaction is resolved to an operation of the spec ([`Spec::lookup`]); then:
//!
//! - **shape** (`request`, `response`, `body`): the request's parameters and body against the
//!   operation's, the expected status among its responses, and every response field the consumer
//!   reads against the response schema (declared, required, not nullable, a possible value);
//! - **errors**, **latency**, **auth**, **deprecation** (`behaviour`): the contract's statements
//!   against the spec's error taxonomy (`x-vow-errors`), latency envelope (`x-vow-latency`),
//!   security requirements, and deprecation marks (`deprecated`, `x-sunset`,
//!   `x-stability-level`), read at an as-of date.
//!
//! The contract's own static checks (a retried `POST` without an idempotency key, a retry budget
//! beyond the deadline) run too, as `vow verify` runs them. Like everything in vow-core this is
//! pure: the same spec, contract and options always give the same findings, in the same order.

mod behaviour;
mod body;
mod media;
mod request;
mod response;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use serde::Serialize;

use crate::behaviour::{check_budget, check_retry_safety};
use crate::contract::{Contract, DimensionStatements, Interaction};
use crate::finding::{Dimension, Finding};
use crate::rules;
use crate::spec::validate::Validator;
use crate::spec::{Lookup, Operation, Spec};
use crate::verification::{ContractResult, InteractionResult, Summary};

/// Version of the JSON check report layout; bumped on any incompatible change.
pub const CHECK_REPORT_FORMAT_VERSION: u32 = 1;

/// The deprecation clock of a check: the date it is read at, and how many days before a sunset
/// using the element becomes a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckOptions {
    pub as_of: NaiveDate,
    pub warning_days: u32,
}

/// Checks every interaction of `contract` against `spec`. The result's `source` is left empty for
/// the caller, who knows where the contract was read from.
pub fn check_contract(spec: &Spec, contract: &Contract, options: &CheckOptions) -> ContractResult {
    let validator = Validator::new(&spec.schemas);
    let interactions = contract
        .interactions
        .iter()
        .map(|interaction| {
            let mut findings = check_interaction(spec, &validator, contract, interaction, options);
            // Grouped by dimension, as reports show them; the order within a dimension is the
            // order of the checks, which is fixed.
            findings.sort_by_key(|f| f.dimension);
            InteractionResult::of(interaction, findings, None, None)
        })
        .collect();
    ContractResult {
        consumer: contract.consumer.clone(),
        provider: contract.provider.clone(),
        source: String::new(),
        interactions,
    }
}

/// What `vow check` found: the spec it read, the clock it used, and per contract, per interaction
/// outcome and findings. Its JSON form is a stable interface (docs/check-report.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckReport {
    pub format_version: u32,
    pub spec: SpecSummary,
    /// The date the deprecation clock was read at.
    pub as_of: NaiveDate,
    /// Days before a sunset from which using the element is a warning.
    pub deprecation_window_days: u32,
    pub contracts: Vec<ContractResult>,
    pub summary: Summary,
}

/// The spec a check ran against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecSummary {
    /// Where the spec was read from (a file path).
    pub path: String,
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// The `openapi` field as written, e.g. `3.1.0`.
    pub openapi: String,
}

impl CheckReport {
    /// Builds a report and its summary from per-contract results.
    pub fn new(
        spec: &Spec,
        spec_path: impl Into<String>,
        options: &CheckOptions,
        contracts: Vec<ContractResult>,
    ) -> Self {
        CheckReport {
            format_version: CHECK_REPORT_FORMAT_VERSION,
            spec: SpecSummary {
                path: spec_path.into(),
                title: spec.title.clone(),
                version: spec.api_version.clone(),
                openapi: spec.openapi.clone(),
            },
            as_of: options.as_of,
            deprecation_window_days: options.warning_days,
            summary: Summary::of(&contracts),
            contracts,
        }
    }

    /// True when no interaction has a finding of severity error.
    pub fn passed(&self) -> bool {
        self.summary.failed == 0
    }
}

/// What every check of one interaction needs to know.
struct Cx<'a> {
    spec: &'a Spec,
    op: &'a Operation,
    validator: &'a Validator<'a>,
    interaction: &'a Interaction,
    statements: &'a DimensionStatements,
    options: &'a CheckOptions,
}

impl Cx<'_> {
    /// The operation for messages: `GET /carts/{cartId}`.
    fn label(&self) -> String {
        self.op.label()
    }

    /// Where an interaction's block of `dimension` comes from, for hints: `its own errors block`
    /// or `the contract's defaults.errors block`.
    fn block(&self, dimension: Dimension) -> String {
        let own = &self.interaction.statements;
        let stated = match dimension {
            Dimension::Errors => own.errors.is_some(),
            Dimension::Latency => own.latency.is_some(),
            Dimension::Auth => own.auth.is_some(),
            Dimension::Deprecation => own.deprecation.is_some(),
            Dimension::Shape => true,
        };
        if stated {
            format!("the interaction's {dimension} block")
        } else {
            format!("the contract's defaults.{dimension} block")
        }
    }
}

/// Every finding for one interaction, ungrouped.
fn check_interaction(
    spec: &Spec,
    validator: &Validator<'_>,
    contract: &Contract,
    interaction: &Interaction,
    options: &CheckOptions,
) -> Vec<Finding> {
    let request = &interaction.request;
    let (op, params) = match spec.lookup(request.method.as_str(), &request.path) {
        Lookup::Found { operation, params } => (&spec.operations[operation], params),
        Lookup::MethodNotAllowed { methods } => {
            return vec![
                Finding::new(
                    rules::OPERATION_UNKNOWN,
                    "/request/method",
                    format!(
                        "the spec has no {} operation on {}: the path allows {}",
                        request.method.as_str(),
                        request.path,
                        methods.join(", ")
                    ),
                )
                .expected(format!("one of {}", methods.join(", ")))
                .actual(request.method.as_str())
                .hint(
                    "use a method the path allows, or ask the provider to add the operation to \
                     the spec",
                ),
            ];
        }
        Lookup::NotFound { closest } => {
            let closest = closest_template(spec, &request.path).or(closest);
            let hint = match &closest {
                Some(path) => format!(
                    "the closest path in the spec is {path}; was the path renamed, or is the \
                     contract's path mistyped?"
                ),
                None => "check the path against the spec's paths (and its servers' base paths)"
                    .to_owned(),
            };
            let mut finding = Finding::new(
                rules::OPERATION_UNKNOWN,
                "/request/path",
                format!(
                    "no path of the spec matches {} {}",
                    request.method.as_str(),
                    request.path
                ),
            )
            .actual(request.path.clone())
            .hint(hint);
            if let Some(path) = closest {
                finding = finding.expected(format!("a path of the spec, such as {path}"));
            }
            return vec![finding];
        }
    };
    let statements = contract.effective(interaction);
    let cx = Cx {
        spec,
        op,
        validator,
        interaction,
        statements: &statements,
        options,
    };
    let mut findings = Vec::new();
    // The contract's own static checks, as `vow verify` runs them before replaying.
    findings.extend(check_retry_safety(interaction, &statements));
    if let Some(latency) = &statements.latency {
        findings.extend(check_budget(latency));
    }
    request::check(&cx, &params, &mut findings);
    response::check(&cx, &mut findings);
    behaviour::errors(&cx, &mut findings);
    behaviour::latency(&cx, &mut findings);
    behaviour::auth(&cx, &mut findings);
    behaviour::deprecation(&cx, &mut findings);
    findings
}

/// The path template most like `path`, segment by segment: a parameter matches any segment, a
/// literal its closest spelling (`/cart/c-1` is closest to `/carts/{cartId}`).
fn closest_template(spec: &Spec, path: &str) -> Option<String> {
    spec.operations
        .iter()
        .flat_map(|op| {
            // The path as given, and without each of the operation's base paths.
            let stripped = op
                .base_paths
                .iter()
                .filter(|b| !b.is_empty())
                .filter_map(|b| path.strip_prefix(b.as_str()));
            std::iter::once(path).chain(stripped).map(move |p| (op, p))
        })
        .filter_map(|(op, path)| {
            let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
            let template: Vec<&str> = op.path.trim_end_matches('/').split('/').collect();
            if template.len() != segments.len() {
                return None;
            }
            let literals: Vec<f64> = template
                .iter()
                .zip(&segments)
                .filter(|(t, _)| !t.contains('{'))
                .map(|(t, s)| strsim::jaro_winkler(t, s))
                .collect();
            let score = if literals.is_empty() {
                1.0
            } else {
                literals.iter().sum::<f64>() / literals.len() as f64
            };
            (score > 0.85).then_some((score, &op.path))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, p)| p.clone())
}

/// `the schema Cart` for a component, else `the schema at #/paths/…`.
fn schema_name(name: Option<&str>, pointer: &str) -> String {
    match name {
        Some(name) => format!("the schema {name}"),
        None => format!("the schema at #{pointer}"),
    }
}

/// The candidate closest to `name`, if any is close, as `did you mean "x"?`.
fn did_you_mean<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::jaro_winkler(&c.to_ascii_lowercase(), &name.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| format!("did you mean {c:?}?"))
}

/// `1 day`, `3 days`.
fn days(n: i64) -> String {
    if n == 1 {
        "1 day".to_owned()
    } else {
        format!("{n} days")
    }
}
