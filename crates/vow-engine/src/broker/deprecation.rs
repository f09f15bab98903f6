//! The deprecated elements of a provider's specs that consumers still use, as the broker reports
//! them (`GET /api/v1/deprecations`), most urgent first. They serialise back to the same JSON.

use serde::{Deserialize, Serialize};

/// The broker's report: the provider, the date the clock was read at, the warning window, and the
/// rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deprecations {
    pub provider: String,
    pub as_of: String,
    pub warning_days: u32,
    pub deprecations: Vec<DeprecationInUse>,
}

/// A deprecated (or removed) element of a provider version's spec that a consumer version present
/// in the same environment still uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeprecationInUse {
    pub environment: String,
    pub provider: String,
    pub provider_version: String,
    pub consumer: String,
    pub consumer_version: String,
    pub interaction: String,
    pub element: String,
    pub status: DeprecationStatus,
    /// The sunset, for an element still there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sunset: Option<String>,
    /// Days from the as-of date to the sunset, negative once it passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_left: Option<i64>,
    /// The `x-stability-level` of the element's operation (`draft` … `stable`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stability: Option<String>,
    /// The first provider version whose spec the broker holds that marks the element deprecated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated_in: Option<String>,
    /// The date that spec was published to the broker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated_since: Option<String>,
}

/// Where an element in use stands on the deprecation clock, most urgent first (the order `Ord`
/// gives).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeprecationStatus {
    /// The provider version no longer has it.
    Removed,
    /// The sunset is on or before the as-of date.
    Overdue,
    /// The sunset is within the warning window.
    Near,
    /// The sunset is further away.
    Scheduled,
}

impl DeprecationStatus {
    /// The word the broker uses.
    pub fn as_str(self) -> &'static str {
        match self {
            DeprecationStatus::Removed => "removed",
            DeprecationStatus::Overdue => "overdue",
            DeprecationStatus::Near => "near",
            DeprecationStatus::Scheduled => "scheduled",
        }
    }
}
