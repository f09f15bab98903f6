//! The deprecation sunset sweep: for every deprecated element a consumer version in an
//! environment still uses (the deprecations query of `deploy`), raise one
//! `deprecation_sunset_near` event per element × consumer version × threshold crossed, never
//! twice (the store remembers the notices raised).

use chrono::{NaiveDate, Utc};
use serde_json::json;

use super::event::EventKind;
use super::settings::WebhookSettings;
use crate::deploy::deprecations_in_use;
use crate::store::{Store, StoreError, SunsetNotice};

/// Sweeps once, counting the days left to each sunset from `today`: how many events it raised.
pub async fn sweep_sunsets(
    store: &Store,
    settings: &WebhookSettings,
    today: NaiveDate,
) -> Result<usize, StoreError> {
    let Some(widest) = settings.sunset_thresholds.iter().copied().max() else {
        return Ok(0);
    };
    // Nobody listens: skip the work. Notices are not recorded either, so a webhook added later
    // hears about the thresholds already crossed at its first sweep.
    let listening = store
        .webhooks()
        .await?
        .iter()
        .any(|w| w.enabled && w.events.contains(&EventKind::DeprecationSunsetNear));
    if !listening {
        return Ok(0);
    }
    let mut raised = 0;
    for service in store.services().await? {
        for used in deprecations_in_use(store, &service.name, None, today, widest).await? {
            let (Some(sunset), Some(days_left)) = (used.sunset, used.days_left) else {
                continue;
            };
            let crossed: Vec<i64> = settings
                .sunset_thresholds
                .iter()
                .copied()
                .filter(|t| days_left <= *t)
                .collect();
            let Some(nearest) = crossed.iter().copied().min() else {
                continue;
            };
            let payload = json!({
                "environment": used.environment,
                "provider": used.provider,
                "provider_version": used.provider_version,
                "consumer": used.consumer,
                "consumer_version": used.consumer_version,
                "interaction": used.interaction,
                "element": used.element,
                "sunset": sunset.to_string(),
                "days_left": days_left,
                "threshold_days": nearest,
            });
            let notice = SunsetNotice {
                provider: &used.provider,
                element: &used.element,
                consumer: &used.consumer,
                consumer_version: &used.consumer_version,
            };
            if store
                .raise_sunset_notice(notice, &crossed, &payload, Utc::now())
                .await?
            {
                raised += 1;
            }
        }
    }
    Ok(raised)
}
