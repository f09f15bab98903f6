//! Reads that only the web pages need: what runs where at a glance, where one service runs, the
//! specs a service published, and the webhooks with their latest deliveries. Every list is
//! bounded by a limit.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{ColumnIndex, Decode, FromRow, Row, Type};

use super::error::StoreError;
use super::pool::{Store, on_pool};
use super::record::{Placement, SpecRef};
use super::webhook::{StoredWebhook, WebhookRow};

/// Current deployments and supported releases as `Placement` columns; a macro so that `concat!`
/// can add the filter (`$1` is the limit, `$2` the service when filtered).
macro_rules! select_placements {
    ($filter:literal) => {
        concat!(
            "SELECT e.name AS environment, s.name AS service, v.number AS version, \
             'deployed' AS how, d.deployed_at AS since \
             FROM deployments d JOIN environments e ON e.id = d.environment_id \
             JOIN services s ON s.id = d.service_id JOIN versions v ON v.id = d.version_id \
             WHERE d.replaced_at IS NULL ",
            $filter,
            " UNION ALL \
             SELECT e.name, s.name, v.number, 'released', r.released_at \
             FROM releases r JOIN environments e ON e.id = r.environment_id \
             JOIN services s ON s.id = r.service_id JOIN versions v ON v.id = r.version_id \
             WHERE r.support_ended_at IS NULL ",
            $filter,
            " ORDER BY 2, 1, 3 LIMIT $1"
        )
    };
}

impl Store {
    /// What runs where: current deployments and supported releases (at most `limit`), by
    /// service, environment and version.
    pub async fn placements(&self, limit: u32) -> Result<Vec<Placement>, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_as::<_, Placement>(select_placements!(""))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?))
    }

    /// Where `service` runs: its current deployments and supported releases (at most `limit`).
    pub async fn placements_of(
        &self,
        service: &str,
        limit: u32,
    ) -> Result<Vec<Placement>, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_as::<_, Placement>(select_placements!("AND s.name = $2"))
            .bind(i64::from(limit))
            .bind(service)
            .fetch_all(pool)
            .await?))
    }

    /// The newest specs `service` published (at most `limit`), newest first.
    pub async fn specs_of(&self, service: &str, limit: u32) -> Result<Vec<SpecRef>, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_as::<_, SpecRef>(
            "SELECT v.number AS version, sp.hash, vs.created_at AS published_at \
             FROM version_specs vs JOIN versions v ON v.id = vs.version_id \
             JOIN services s ON s.id = v.service_id JOIN specs sp ON sp.id = vs.spec_id \
             WHERE s.name = $1 ORDER BY v.id DESC LIMIT $2",
        )
        .bind(service)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?))
    }
}

impl Store {
    /// The first `limit` services by name, and how many there are.
    pub async fn services_page(
        &self,
        limit: u32,
    ) -> Result<(Vec<super::record::Service>, i64), StoreError> {
        on_pool!(self, pool => {
            let services = sqlx::query_as::<_, super::record::Service>(
                "SELECT name, created_at FROM services ORDER BY name LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM services")
                .fetch_one(pool)
                .await?;
            Ok((services, total))
        })
    }
}

/// A webhook with the outcome of its newest delivery, for the list of webhooks.
#[derive(Debug, Clone)]
pub struct WebhookSummary {
    pub webhook: StoredWebhook,
    pub last_delivery: Option<LastDelivery>,
}

/// The newest delivery of a webhook: its status and its last attempt's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LastDelivery {
    pub event: String,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    /// The last attempt's response status, if the receiver answered.
    pub response_code: Option<i32>,
    pub error: Option<String>,
}

struct SummaryRow {
    webhook: WebhookRow,
    event: Option<String>,
    status: Option<String>,
    attempts: Option<i32>,
    created_at: Option<DateTime<Utc>>,
    response_code: Option<i32>,
    error: Option<String>,
}

impl<'r, R: Row> FromRow<'r, R> for SummaryRow
where
    &'r str: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    bool: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    Option<String>: Decode<'r, R::Database> + Type<R::Database>,
    Option<i32>: Decode<'r, R::Database> + Type<R::Database>,
    DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
    Option<DateTime<Utc>>: Decode<'r, R::Database> + Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(SummaryRow {
            webhook: WebhookRow::from_row(row)?,
            event: row.try_get("last_event")?,
            status: row.try_get("last_status")?,
            attempts: row.try_get("last_attempts")?,
            created_at: row.try_get("last_created_at")?,
            response_code: row.try_get("last_response_code")?,
            error: row.try_get("last_error")?,
        })
    }
}

impl Store {
    /// The first `limit` webhooks by id, each with its newest delivery (one index seek per
    /// webhook on `webhook_deliveries (webhook_id, id)`), and how many webhooks there are.
    pub async fn webhook_summaries(
        &self,
        limit: u32,
    ) -> Result<(Vec<WebhookSummary>, i64), StoreError> {
        let (rows, total) = on_pool!(self, pool => {
            let rows = sqlx::query_as::<_, SummaryRow>(
                "SELECT w.id, w.events, w.provider, w.consumer, w.url, w.method, w.headers, \
                 w.body, w.secret, w.enabled, w.created_at, w.updated_at, \
                 d.event AS last_event, d.status AS last_status, d.attempts AS last_attempts, \
                 d.created_at AS last_created_at, a.response_code AS last_response_code, \
                 a.error AS last_error \
                 FROM webhooks w \
                 LEFT JOIN webhook_deliveries d ON d.id = \
                 (SELECT MAX(x.id) FROM webhook_deliveries x WHERE x.webhook_id = w.id) \
                 LEFT JOIN webhook_attempts a ON a.delivery_id = d.id AND a.attempt = d.attempts \
                 ORDER BY w.id LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM webhooks")
                .fetch_one(pool)
                .await?;
            (rows, total)
        });
        let summaries = rows
            .into_iter()
            .map(|row| {
                let last_delivery = match (row.event, row.status, row.attempts, row.created_at) {
                    (Some(event), Some(status), Some(attempts), Some(created_at)) => {
                        Some(LastDelivery {
                            event,
                            status,
                            attempts,
                            created_at,
                            response_code: row.response_code,
                            error: row.error,
                        })
                    }
                    _ => None,
                };
                Ok(WebhookSummary {
                    webhook: row.webhook.read()?,
                    last_delivery,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok((summaries, total))
    }
}
