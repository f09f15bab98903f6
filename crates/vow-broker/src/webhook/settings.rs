//! How webhooks are delivered: the key that seals their secrets, the address guard, retries and
//! timeouts, and how often the worker looks for work.

use std::sync::Arc;
use std::time::Duration;

use super::address::AddressGuard;
use super::secret::WebhookKey;

/// Settings of webhook delivery, shared by the API (which checks and seals) and the worker (which
/// opens and sends).
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Seals and opens webhook secrets. Every broker sharing a database needs the same key.
    pub key: WebhookKey,
    /// Which targets deliveries may reach.
    pub guard: Arc<AddressGuard>,
    /// The broker's own URL as receivers should see it (the `broker_url` variable).
    pub broker_url: String,
    /// How long one attempt may take, from connecting to the response headers.
    pub attempt_timeout: Duration,
    /// Attempts before a delivery is marked failed.
    pub max_attempts: u32,
    /// The backoff before the second attempt; each later one doubles it, up to `max_delay`, and
    /// the actual wait is drawn uniformly below it (full jitter).
    pub base_delay: Duration,
    /// The longest backoff.
    pub max_delay: Duration,
    /// How often the worker looks for due deliveries.
    pub poll_interval: Duration,
    /// How many deliveries one broker sends at once.
    pub batch: u32,
    /// How often the deprecation sunset sweep runs.
    pub sunset_sweep_interval: Duration,
    /// Days before a sunset at which a `deprecation_sunset_near` event is raised, each once.
    pub sunset_thresholds: Vec<i64>,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            key: WebhookKey::generate(),
            guard: Arc::new(AddressGuard::default()),
            broker_url: "http://127.0.0.1:8080".to_owned(),
            attempt_timeout: Duration::from_secs(10),
            max_attempts: 8,
            base_delay: Duration::from_secs(5),
            max_delay: Duration::from_secs(3600),
            poll_interval: Duration::from_secs(1),
            batch: 16,
            sunset_sweep_interval: Duration::from_secs(3600),
            sunset_thresholds: vec![30, 7, 1],
        }
    }
}

impl WebhookSettings {
    /// The longest a worker may hold a delivery before another broker may take it over: well
    /// beyond one attempt, so a slow attempt is not sent twice.
    pub(crate) fn lease(&self) -> Duration {
        self.attempt_timeout * 2 + Duration::from_secs(30)
    }

    /// The wait before attempt `next` (2 or more): uniform in [0, min(max, base × 2^(next-2))].
    pub(crate) fn backoff(&self, next: u32, unit_random: f64) -> Duration {
        let exponent = next.saturating_sub(2).min(30);
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        ceiling.mul_f64(unit_random.clamp(0.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_max_and_jitters_below_it() {
        let settings = WebhookSettings {
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(10),
            ..WebhookSettings::default()
        };
        assert_eq!(settings.backoff(2, 1.0), Duration::from_secs(1));
        assert_eq!(settings.backoff(3, 1.0), Duration::from_secs(2));
        assert_eq!(settings.backoff(5, 1.0), Duration::from_secs(8));
        assert_eq!(settings.backoff(6, 1.0), Duration::from_secs(10));
        assert_eq!(settings.backoff(40, 1.0), Duration::from_secs(10));
        assert_eq!(settings.backoff(5, 0.0), Duration::ZERO);
        assert_eq!(settings.backoff(5, 0.5), Duration::from_secs(4));
    }
}
