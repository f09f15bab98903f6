//! Spec diff: the changes between two versions of a provider spec that can break a consumer, in all
//! five dimensions, graded by which consumers' contracts use what changed.
//!
//! [`diff_specs`] finds the changes ([`changes`]); [`grade`] decides, for each, which interactions of
//! the given contracts depend on it ([`usage`]). The verdict depends only on the two specs, the
//! contracts and the as-of date.

mod changes;
mod usage;

use chrono::NaiveDate;
use serde::Serialize;

use crate::contract::Contract;
use crate::finding::{Dimension, Rule, Severity};
use crate::spec::{ParameterIn, Spec};

pub use changes::diff_specs;

/// The report format version of `vow diff --format json`.
pub const REPORT_VERSION: u32 = 1;

/// What the deprecation clock needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiffOptions {
    /// The date the clock is read at.
    pub as_of: NaiveDate,
    /// The notice a sunset must give, in days after `as_of`.
    pub deprecation_days: u32,
}

/// The spec element a change is about; what consumer scoping compares interactions against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Element {
    /// The operation as a whole (removed, deprecated, stability).
    Operation,
    /// A parameter, and a path inside its value (`""` for the value itself).
    Parameter {
        #[serde(rename = "in")]
        location: ParameterIn,
        name: String,
        path: String,
    },
    /// The request body (of a media type), and a field path inside it.
    RequestBody {
        #[serde(skip_serializing_if = "Option::is_none")]
        media: Option<String>,
        path: String,
    },
    /// A response (status key as written: `200`, `2XX`, `default`), and a field path in its body.
    Response {
        status: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        media: Option<String>,
        path: String,
    },
    ResponseHeader {
        status: String,
        name: String,
    },
    ErrorCode {
        code: String,
    },
    Security,
    Latency,
}

/// Where a change is in the documents: a JSON pointer in the old or the new spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecLocation {
    pub side: Side,
    /// The document the pointer is in (0: the root document).
    #[serde(skip)]
    pub doc: usize,
    pub pointer: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Old,
    New,
}

/// One interaction that depends on a change, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Affected {
    pub consumer: String,
    /// Where the contract came from (usually its path), as given to [`grade`].
    pub contract: String,
    pub interaction: String,
    pub reason: String,
}

/// One change between the two specs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub rule: Rule,
    pub dimension: Dimension,
    /// The graded severity (the rule's default without contracts; info when contracts were given
    /// and none depends on the change).
    pub severity: Severity,
    /// Whether the change can break a consumer at all (the rule's default severity is error).
    pub breaking: bool,
    /// The operation, e.g. `GET /carts/{cartId}`.
    pub operation: String,
    pub element: Element,
    pub location: SpecLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The interactions that depend on the change (empty without contracts).
    pub affected: Vec<Affected>,
    /// Operation indexes in the old and new specs, for scoping.
    #[serde(skip)]
    pub(crate) old_op: Option<usize>,
    #[serde(skip)]
    pub(crate) new_op: Option<usize>,
}

/// Title and version of one side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecInfo {
    pub path: String,
    pub title: String,
    pub version: String,
    pub openapi: String,
}

impl SpecInfo {
    pub fn of(path: impl Into<String>, spec: &Spec) -> SpecInfo {
        SpecInfo {
            path: path.into(),
            title: spec.title.clone(),
            version: spec.api_version.clone(),
            openapi: spec.openapi.clone(),
        }
    }
}

/// Counts for the headline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct DiffSummary {
    pub changes: usize,
    /// Changes graded error: these fail the diff.
    pub breaking: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Consumers with at least one interaction affected by an error or warning, sorted.
    pub affected_consumers: Vec<String>,
    /// Breaking changes no contract uses (only when contracts were given).
    pub unused_breaking: usize,
}

/// The whole diff.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiffReport {
    pub format_version: u32,
    pub old: SpecInfo,
    pub new: SpecInfo,
    pub as_of: NaiveDate,
    pub deprecation_days: u32,
    /// The contracts the changes were graded against (their sources), empty when none were given.
    pub contracts: Vec<String>,
    pub changes: Vec<Change>,
    pub summary: DiffSummary,
}

impl DiffReport {
    /// Whether the diff passes: nothing graded error.
    pub fn passed(&self) -> bool {
        self.summary.errors == 0
    }
}

/// A contract and where it came from.
#[derive(Debug, Clone, Copy)]
pub struct SourcedContract<'a> {
    pub source: &'a str,
    pub contract: &'a Contract,
}

/// Diffs `old` → `new` and grades every change against `contracts` (none: every change keeps its
/// rule's severity).
pub fn diff(
    old: (&str, &Spec),
    new: (&str, &Spec),
    contracts: &[SourcedContract<'_>],
    options: &DiffOptions,
) -> DiffReport {
    let mut changes = diff_specs(old.1, new.1, options);
    grade(&mut changes, old.1, new.1, contracts);
    let mut summary = DiffSummary {
        changes: changes.len(),
        ..DiffSummary::default()
    };
    let mut consumers = std::collections::BTreeSet::new();
    for c in &changes {
        match c.severity {
            Severity::Error => summary.errors += 1,
            Severity::Warning => summary.warnings += 1,
            Severity::Info => summary.infos += 1,
        }
        if c.severity >= Severity::Warning {
            consumers.extend(c.affected.iter().map(|a| a.consumer.clone()));
        }
        if !contracts.is_empty() && c.breaking && c.affected.is_empty() {
            summary.unused_breaking += 1;
        }
    }
    summary.breaking = summary.errors;
    summary.affected_consumers = consumers.into_iter().collect();
    DiffReport {
        format_version: REPORT_VERSION,
        old: SpecInfo::of(old.0, old.1),
        new: SpecInfo::of(new.0, new.1),
        as_of: options.as_of,
        deprecation_days: options.deprecation_days,
        contracts: contracts.iter().map(|c| c.source.to_owned()).collect(),
        changes,
        summary,
    }
}

/// Fills in `affected` and grades `severity` for every change.
pub fn grade(changes: &mut [Change], old: &Spec, new: &Spec, contracts: &[SourcedContract<'_>]) {
    if contracts.is_empty() {
        return;
    }
    let scope = usage::Scope::new(old, new, contracts);
    for change in changes.iter_mut() {
        change.affected = scope.affected(change);
        // A slower envelope is a warning in general, and breaks the consumers whose timeout it now
        // exceeds (the only ones counted as affected).
        if change.rule == crate::rules::ENVELOPE_LOOSENED && !change.affected.is_empty() {
            change.severity = Severity::Error;
        }
        if change.rule.severity > Severity::Info && change.affected.is_empty() {
            change.severity = Severity::Info;
            change
                .message
                .push_str(" No consumer contract given uses it.");
        }
    }
}

pub(crate) fn new_change(
    rule: Rule,
    operation: String,
    element: Element,
    location: SpecLocation,
    message: String,
) -> Change {
    Change {
        rule,
        dimension: rule.dimension,
        severity: rule.severity,
        breaking: rule.severity == Severity::Error,
        operation,
        element,
        location,
        before: None,
        after: None,
        message,
        hint: None,
        affected: Vec::new(),
        old_op: None,
        new_op: None,
    }
}
