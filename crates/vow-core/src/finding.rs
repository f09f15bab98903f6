//! The finding model: every check in vow, static or live, reports what it saw as findings.
//!
//! A mismatch is a value, not an error: a check that ran returns findings; only problems that stopped
//! a check from running are errors.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The five dimensions a vow contract covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dimension {
    Shape,
    Errors,
    Latency,
    Auth,
    Deprecation,
}

impl Dimension {
    pub const ALL: [Dimension; 5] = [
        Dimension::Shape,
        Dimension::Errors,
        Dimension::Latency,
        Dimension::Auth,
        Dimension::Deprecation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Shape => "shape",
            Dimension::Errors => "errors",
            Dimension::Latency => "latency",
            Dimension::Auth => "auth",
            Dimension::Deprecation => "deprecation",
        }
    }
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much a finding matters. Ordered from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule: a stable identifier (e.g. `shape.body.type-mismatch`), the dimension it belongs to, its
/// default severity and a one-line summary. Every rule vow can report is listed in
/// [`crate::rules::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rule {
    pub id: &'static str,
    pub dimension: Dimension,
    pub severity: Severity,
    pub summary: &'static str,
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id)
    }
}

/// Where a finding was observed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Location {
    /// The interaction the finding is about, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interaction: Option<String>,
    /// A JSON pointer into the exchange, e.g. `/response/body/items/0/sku`,
    /// `/response/headers/content-type` or `/response/status`.
    pub pointer: String,
}

/// One observation from a check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule: Rule,
    pub dimension: Dimension,
    pub severity: Severity,
    pub location: Location,
    /// What the contract expected, rendered for people (e.g. `a string matching ^c-[0-9]+$`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// What was observed, rendered for people (JSON values as compact JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Finding {
    /// A finding of `rule` at `pointer`, with the rule's dimension and default severity.
    pub fn new(rule: Rule, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            rule,
            dimension: rule.dimension,
            severity: rule.severity,
            location: Location {
                interaction: None,
                pointer: pointer.into(),
            },
            expected: None,
            actual: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    pub fn actual(mut self, actual: impl Into<String>) -> Self {
        self.actual = Some(actual.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Moves the finding under `prefix`, e.g. a probe's `/response/status` to
    /// `/probes/unauthenticated/response/status`.
    pub fn under(mut self, prefix: &str) -> Self {
        self.location.pointer = format!("{prefix}{}", self.location.pointer);
        self
    }

    pub fn in_interaction(mut self, id: impl Into<String>) -> Self {
        self.location.interaction = Some(id.into());
        self
    }
}
