//! What the broker answers about releases and undeployments: the records the client reads back
//! from `POST …/releases`, `…/support-ended` and `…/undeployments`.

use serde::Deserialize;

/// A version released into an environment, supported until `support_ended_at`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Release {
    pub environment: String,
    pub service: String,
    pub version: String,
    pub released_at: String,
    pub support_ended_at: Option<String>,
}

/// A service (or one application instance of it) that stopped running in an environment, with
/// the version that stopped.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Undeployment {
    pub environment: String,
    pub service: String,
    pub version: String,
    pub application_instance: Option<String>,
}
