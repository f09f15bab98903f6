//! The events a webhook can subscribe to, and the template variables each one carries.

use serde::{Deserialize, Serialize};

/// Something the broker recorded that a webhook can hear about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A consumer version published a contract with a provider whose content differs from the
    /// contract of the consumer's previous version with that provider (or is its first).
    ContractContentChanged,
    /// A verification result was recorded, passed or failed.
    VerificationPublished,
    /// A failed verification result was recorded (also raised as `verification_published`).
    VerificationFailed,
    /// A deployment of a version to an environment was recorded.
    DeploymentRecorded,
    /// A deprecated element a consumer version in an environment uses is within a threshold of
    /// its sunset.
    DeprecationSunsetNear,
    /// Queued by `POST /api/v1/webhooks/{id}/test`; not subscribable.
    Test,
}

/// Variables every event has.
pub const COMMON_VARIABLES: &[&str] = &[
    "event",
    "occurred_at",
    "broker_url",
    "webhook_id",
    "delivery_id",
];

impl EventKind {
    /// The variables of a `test` event: an example of every variable any event carries, so a
    /// test delivery exercises every template.
    pub fn test_payload() -> serde_json::Value {
        serde_json::json!({
            "consumer": "checkout-web",
            "consumer_version": "1.0.0",
            "consumers": [{"consumer": "checkout-web", "version": "1.0.0"}],
            "provider": "payments-gateway",
            "provider_version": "2.0.0",
            "contract_hash": "sha256:0000000000000000000000000000000000000000000000000000000000000000",
            "previous_contract_hash": null,
            "success": true,
            "failed_dimensions": [],
            "build_url": null,
            "environment": "production",
            "service": "checkout-web",
            "version": "1.0.0",
            "application_instance": null,
            "interaction": "authorize",
            "element": "POST /payments",
            "sunset": "2030-01-01",
            "days_left": 7,
            "threshold_days": 7,
        })
    }

    /// The events a webhook may subscribe to.
    pub const SUBSCRIBABLE: [EventKind; 5] = [
        EventKind::ContractContentChanged,
        EventKind::VerificationPublished,
        EventKind::VerificationFailed,
        EventKind::DeploymentRecorded,
        EventKind::DeprecationSunsetNear,
    ];

    /// The name used in the API, the database and templates.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ContractContentChanged => "contract_content_changed",
            EventKind::VerificationPublished => "verification_published",
            EventKind::VerificationFailed => "verification_failed",
            EventKind::DeploymentRecorded => "deployment_recorded",
            EventKind::DeprecationSunsetNear => "deprecation_sunset_near",
            EventKind::Test => "test",
        }
    }

    /// The event named `name`, if it is one.
    pub fn parse(name: &str) -> Option<EventKind> {
        EventKind::SUBSCRIBABLE
            .into_iter()
            .chain([EventKind::Test])
            .find(|e| e.as_str() == name)
    }

    /// The variables this event has beyond [`COMMON_VARIABLES`] (docs/broker.md lists them).
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            EventKind::ContractContentChanged => &[
                "consumer",
                "consumer_version",
                "provider",
                "contract_hash",
                "previous_contract_hash",
            ],
            EventKind::VerificationPublished | EventKind::VerificationFailed => &[
                "consumer",
                "consumer_version",
                "consumers",
                "provider",
                "provider_version",
                "contract_hash",
                "success",
                "failed_dimensions",
                "build_url",
            ],
            EventKind::DeploymentRecorded => {
                &["environment", "service", "version", "application_instance"]
            }
            EventKind::DeprecationSunsetNear => &[
                "environment",
                "provider",
                "provider_version",
                "consumer",
                "consumer_version",
                "interaction",
                "element",
                "sunset",
                "days_left",
                "threshold_days",
            ],
            // A test event carries an example of every variable, so any template renders.
            EventKind::Test => &[
                "consumer",
                "consumer_version",
                "consumers",
                "provider",
                "provider_version",
                "contract_hash",
                "previous_contract_hash",
                "success",
                "failed_dimensions",
                "build_url",
                "environment",
                "service",
                "version",
                "application_instance",
                "interaction",
                "element",
                "sunset",
                "days_left",
                "threshold_days",
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back() {
        for kind in EventKind::SUBSCRIBABLE.into_iter().chain([EventKind::Test]) {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
            assert_eq!(
                serde_json::to_value(kind).expect("serializes"),
                serde_json::Value::from(kind.as_str())
            );
        }
        assert_eq!(EventKind::parse("contract_published"), None);
    }

    #[test]
    fn the_test_event_has_every_variable_of_every_event() {
        for kind in EventKind::SUBSCRIBABLE {
            for variable in kind.variables() {
                assert!(
                    EventKind::Test.variables().contains(variable),
                    "{variable} of {}",
                    kind.as_str()
                );
            }
        }
    }
}
