//! Webhooks, their outbox of deliveries and the log of attempts, and the sunset notices already
//! raised. Events are raised with [`raise_event!`] inside the transaction that records what they
//! are about: one delivery row per enabled webhook that subscribes to the event and whose filters
//! match, so an event nobody listens to costs one indexed-free insert of nothing.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::{AssertSqlSafe, ColumnIndex, Decode, FromRow, Row, Type};

use super::error::StoreError;
use super::pool::{BeginWrite, Store, on_pool, placeholders};
use crate::webhook::EventKind;

/// Queues `$event` (an [`EventKind`]) with `$payload` (its variables, a JSON value) for every
/// enabled webhook subscribed to it whose provider and consumer filters match `$provider` and
/// `$consumer` (`Option<&str>`), inside the write transaction `$tx`.
macro_rules! raise_event {
    ($tx:expr, $event:expr, $payload:expr, $provider:expr, $consumer:expr, $now:expr) => {{
        let event: $crate::webhook::EventKind = $event;
        let provider: Option<&str> = $provider;
        let consumer: Option<&str> = $consumer;
        sqlx::query(
            "INSERT INTO webhook_deliveries (webhook_id, event, payload, status, attempts, \
             next_attempt_at, created_at) \
             SELECT id, $1, $2, 'pending', 0, $3, $3 FROM webhooks \
             WHERE enabled = $4 AND events LIKE $5 ESCAPE '\\' \
             AND (provider IS NULL OR provider = $6) AND (consumer IS NULL OR consumer = $7)",
        )
        .bind(event.as_str())
        .bind(($payload).to_string())
        .bind($now)
        .bind(true)
        // The quoted name inside the JSON array, `_` matched literally.
        .bind(format!("%\"{}\"%", event.as_str().replace('_', "\\_")))
        .bind(provider)
        .bind(consumer)
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use raise_event;

/// A webhook to store: everything already checked, its secrets already sealed.
#[derive(Debug, Clone)]
pub struct NewWebhook<'a> {
    pub events: &'a [EventKind],
    pub provider: Option<&'a str>,
    pub consumer: Option<&'a str>,
    pub url: &'a str,
    pub method: &'a str,
    /// JSON object: header name to `{"template": …}` or `{"sealed": …}`.
    pub headers: &'a str,
    pub body: Option<&'a str>,
    /// The sealed signing secret.
    pub secret: Option<&'a str>,
    pub enabled: bool,
}

/// A webhook as stored (secrets sealed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredWebhook {
    pub id: i64,
    pub events: Vec<EventKind>,
    pub provider: Option<String>,
    pub consumer: Option<String>,
    pub url: String,
    pub method: String,
    pub headers: String,
    pub body: Option<String>,
    pub secret: Option<String>,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One delivery of one event to one webhook, with its attempts: the delivery log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryRecord {
    pub id: i64,
    pub webhook_id: i64,
    pub event: String,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    pub attempts: i32,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Every attempt, first first.
    pub log: Vec<AttemptRecord>,
}

/// One attempt: what the receiver answered, or why there was no answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttemptRecord {
    pub attempt: i32,
    pub started_at: DateTime<Utc>,
    pub duration_ms: i64,
    pub response_code: Option<i32>,
    pub error: Option<String>,
}

/// A delivery a worker holds the lease of, with its webhook.
#[derive(Debug, Clone)]
pub struct ClaimedDelivery {
    pub id: i64,
    pub event: String,
    /// JSON object: the event's variables.
    pub payload: String,
    /// Attempts made before this one.
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub webhook: StoredWebhook,
}

/// What became of an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    Succeeded,
    /// Failed; try again at this time.
    Retry(DateTime<Utc>),
    /// Failed for the last time.
    Failed,
}

/// A deprecated element used by a consumer version, as a sunset notice is keyed.
#[derive(Debug, Clone, Copy)]
pub struct SunsetNotice<'a> {
    pub provider: &'a str,
    pub element: &'a str,
    pub consumer: &'a str,
    pub consumer_version: &'a str,
}

const SELECT_WEBHOOK: &str = "SELECT id, events, provider, consumer, url, method, headers, body, \
     secret, enabled, created_at, updated_at FROM webhooks ";

/// A webhook row, before its events are read.
pub(super) struct WebhookRow {
    id: i64,
    events: String,
    provider: Option<String>,
    consumer: Option<String>,
    url: String,
    method: String,
    headers: String,
    body: Option<String>,
    secret: Option<String>,
    enabled: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl<'r, R: Row> FromRow<'r, R> for WebhookRow
where
    &'r str: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    bool: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    Option<String>: Decode<'r, R::Database> + Type<R::Database>,
    DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(WebhookRow {
            id: row.try_get("id")?,
            events: row.try_get("events")?,
            provider: row.try_get("provider")?,
            consumer: row.try_get("consumer")?,
            url: row.try_get("url")?,
            method: row.try_get("method")?,
            headers: row.try_get("headers")?,
            body: row.try_get("body")?,
            secret: row.try_get("secret")?,
            enabled: row.try_get("enabled")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

impl WebhookRow {
    pub(super) fn read(self) -> Result<StoredWebhook, StoreError> {
        let names: Vec<String> = serde_json::from_str(&self.events)
            .map_err(|e| StoreError::Corrupt(format!("webhook {} events: {e}", self.id)))?;
        let events = names
            .iter()
            .map(|n| {
                EventKind::parse(n).ok_or_else(|| {
                    StoreError::Corrupt(format!("webhook {} has the unknown event {n:?}", self.id))
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(StoredWebhook {
            id: self.id,
            events,
            provider: self.provider,
            consumer: self.consumer,
            url: self.url,
            method: self.method,
            headers: self.headers,
            body: self.body,
            secret: self.secret,
            enabled: self.enabled,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

fn events_json(events: &[EventKind]) -> String {
    serde_json::to_string(&events.iter().map(|e| e.as_str()).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".to_owned())
}

/// A delivery row, without its log.
struct DeliveryRow {
    id: i64,
    webhook_id: i64,
    event: String,
    status: String,
    attempts: i32,
    next_attempt_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
}

impl<'r, R: Row> FromRow<'r, R> for DeliveryRow
where
    &'r str: ColumnIndex<R>,
    i32: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
    Option<DateTime<Utc>>: Decode<'r, R::Database> + Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(DeliveryRow {
            id: row.try_get("id")?,
            webhook_id: row.try_get("webhook_id")?,
            event: row.try_get("event")?,
            status: row.try_get("status")?,
            attempts: row.try_get("attempts")?,
            next_attempt_at: row.try_get("next_attempt_at")?,
            created_at: row.try_get("created_at")?,
            finished_at: row.try_get("finished_at")?,
        })
    }
}

/// An attempt row with the delivery it belongs to.
struct AttemptRow {
    delivery_id: i64,
    record: AttemptRecord,
}

impl<'r, R: Row> FromRow<'r, R> for AttemptRow
where
    &'r str: ColumnIndex<R>,
    i32: Decode<'r, R::Database> + Type<R::Database>,
    Option<i32>: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    Option<String>: Decode<'r, R::Database> + Type<R::Database>,
    DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(AttemptRow {
            delivery_id: row.try_get("delivery_id")?,
            record: AttemptRecord {
                attempt: row.try_get("attempt")?,
                started_at: row.try_get("started_at")?,
                duration_ms: row.try_get("duration_ms")?,
                response_code: row.try_get("response_code")?,
                error: row.try_get("error")?,
            },
        })
    }
}

impl Store {
    /// Stores a new webhook.
    pub async fn create_webhook(
        &self,
        new: &NewWebhook<'_>,
        now: DateTime<Utc>,
    ) -> Result<StoredWebhook, StoreError> {
        let id = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id = sqlx::query_scalar::<_, i64>(
                "INSERT INTO webhooks (events, provider, consumer, url, method, headers, body, \
                 secret, enabled, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
            )
            .bind(events_json(new.events))
            .bind(new.provider)
            .bind(new.consumer)
            .bind(new.url)
            .bind(new.method)
            .bind(new.headers)
            .bind(new.body)
            .bind(new.secret)
            .bind(new.enabled)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            id
        });
        self.webhook(id)
            .await?
            .ok_or(StoreError::WebhookNotFound { id })
    }

    /// Replaces a webhook's settings; [`StoreError::WebhookNotFound`] when there is none.
    pub async fn update_webhook(
        &self,
        id: i64,
        new: &NewWebhook<'_>,
        now: DateTime<Utc>,
    ) -> Result<StoredWebhook, StoreError> {
        let updated = on_pool!(self, pool => {
            sqlx::query(
                "UPDATE webhooks SET events = $2, provider = $3, consumer = $4, url = $5, \
                 method = $6, headers = $7, body = $8, secret = $9, enabled = $10, \
                 updated_at = $11 WHERE id = $1",
            )
            .bind(id)
            .bind(events_json(new.events))
            .bind(new.provider)
            .bind(new.consumer)
            .bind(new.url)
            .bind(new.method)
            .bind(new.headers)
            .bind(new.body)
            .bind(new.secret)
            .bind(new.enabled)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if updated == 0 {
            return Err(StoreError::WebhookNotFound { id });
        }
        self.webhook(id)
            .await?
            .ok_or(StoreError::WebhookNotFound { id })
    }

    /// The webhook with this id, if any.
    pub async fn webhook(&self, id: i64) -> Result<Option<StoredWebhook>, StoreError> {
        let row = on_pool!(self, pool => sqlx::query_as::<_, WebhookRow>(
            AssertSqlSafe(format!("{SELECT_WEBHOOK} WHERE id = $1")),
        )
        .bind(id)
        .fetch_optional(pool)
        .await?);
        row.map(WebhookRow::read).transpose()
    }

    /// Every webhook, by id.
    pub async fn webhooks(&self) -> Result<Vec<StoredWebhook>, StoreError> {
        let rows = on_pool!(self, pool => sqlx::query_as::<_, WebhookRow>(
            AssertSqlSafe(format!("{SELECT_WEBHOOK} ORDER BY id")),
        )
        .fetch_all(pool)
        .await?);
        rows.into_iter().map(WebhookRow::read).collect()
    }

    /// Deletes a webhook with its deliveries and their log.
    pub async fn delete_webhook(&self, id: i64) -> Result<(), StoreError> {
        let deleted = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            // Explicitly, rather than trusting that foreign keys are enforced on the connection.
            sqlx::query(
                "DELETE FROM webhook_attempts WHERE delivery_id IN \
                 (SELECT id FROM webhook_deliveries WHERE webhook_id = $1)",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM webhook_deliveries WHERE webhook_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let deleted = sqlx::query("DELETE FROM webhooks WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            deleted
        });
        if deleted == 0 {
            return Err(StoreError::WebhookNotFound { id });
        }
        Ok(())
    }

    /// Queues a delivery of `event` to one webhook, whatever it subscribes to; the delivery's id.
    pub async fn queue_delivery(
        &self,
        webhook_id: i64,
        event: EventKind,
        payload: &Value,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id = sqlx::query_scalar::<_, i64>(
                "INSERT INTO webhook_deliveries (webhook_id, event, payload, status, attempts, \
                 next_attempt_at, created_at) \
                 SELECT id, $2, $3, 'pending', 0, $4, $4 FROM webhooks WHERE id = $1 RETURNING id",
            )
            .bind(webhook_id)
            .bind(event.as_str())
            .bind(payload.to_string())
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::WebhookNotFound { id: webhook_id })?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// The delivery log of a webhook, newest first: up to `limit` deliveries older than the one
    /// with id `before` (all when `None`), each with its attempts.
    /// [`StoreError::WebhookNotFound`] when there is no such webhook.
    pub async fn deliveries(
        &self,
        webhook_id: i64,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        if self.webhook(webhook_id).await?.is_none() {
            return Err(StoreError::WebhookNotFound { id: webhook_id });
        }
        on_pool!(self, pool => {
            let rows = sqlx::query_as::<_, DeliveryRow>(
                "SELECT id, webhook_id, event, status, attempts, next_attempt_at, created_at, \
                 finished_at FROM webhook_deliveries WHERE webhook_id = $1 AND id < $2 \
                 ORDER BY id DESC LIMIT $3",
            )
            .bind(webhook_id)
            .bind(before.unwrap_or(i64::MAX))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?;
            let mut attempts: Vec<AttemptRow> = Vec::new();
            if !rows.is_empty() {
                let sql = format!(
                    "SELECT delivery_id, attempt, started_at, duration_ms, response_code, error \
                     FROM webhook_attempts WHERE delivery_id IN ({}) \
                     ORDER BY delivery_id, attempt",
                    placeholders(1, rows.len())
                );
                let mut query = sqlx::query_as::<_, AttemptRow>(AssertSqlSafe(sql));
                for row in &rows {
                    query = query.bind(row.id);
                }
                attempts = query.fetch_all(pool).await?;
            }
            Ok(rows
                .into_iter()
                .map(|row| DeliveryRecord {
                    log: attempts
                        .iter()
                        .filter(|a| a.delivery_id == row.id)
                        .map(|a| a.record.clone())
                        .collect(),
                    next_attempt_at: (row.status == "pending").then_some(row.next_attempt_at),
                    id: row.id,
                    webhook_id: row.webhook_id,
                    event: row.event,
                    status: row.status,
                    attempts: row.attempts,
                    created_at: row.created_at,
                    finished_at: row.finished_at,
                })
                .collect())
        })
    }

    /// Leases up to `limit` due deliveries until `lease_until` and returns them with their
    /// webhooks. A delivery leased by another worker whose lease has not run out is skipped, so
    /// brokers sharing a database never send the same attempt twice.
    pub async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            // The outer condition is checked again against the row as it is when the update
            // reaches it (PostgreSQL re-reads a row another transaction just changed), so a
            // delivery two brokers both selected is leased by one only.
            let ids = sqlx::query_scalar::<_, i64>(
                "UPDATE webhook_deliveries SET lease_until = $1 WHERE id IN \
                 (SELECT id FROM webhook_deliveries WHERE status = 'pending' \
                 AND next_attempt_at <= $2 AND (lease_until IS NULL OR lease_until <= $2) \
                 ORDER BY next_attempt_at, id LIMIT $3) \
                 AND status = 'pending' AND (lease_until IS NULL OR lease_until <= $2) \
                 RETURNING id",
            )
            .bind(lease_until)
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            let mut claimed = Vec::with_capacity(ids.len());
            for id in ids {
                let row = sqlx::query(
                    "SELECT webhook_id, event, payload, attempts, created_at \
                     FROM webhook_deliveries WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(pool)
                .await?;
                let Some(row) = row else { continue };
                let webhook_id: i64 = row.try_get("webhook_id")?;
                let Some(webhook) = self.webhook(webhook_id).await? else { continue };
                claimed.push(ClaimedDelivery {
                    id,
                    event: row.try_get("event")?,
                    payload: row.try_get("payload")?,
                    attempts: row.try_get("attempts")?,
                    created_at: row.try_get("created_at")?,
                    webhook,
                });
            }
            Ok(claimed)
        })
    }

    /// Logs an attempt of a leased delivery and releases it as `outcome` says.
    pub async fn finish_attempt(
        &self,
        delivery_id: i64,
        attempt: &AttemptRecord,
        outcome: AttemptOutcome,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (status, next, finished) = match outcome {
            AttemptOutcome::Succeeded => ("succeeded", now, Some(now)),
            AttemptOutcome::Retry(at) => ("pending", at, None),
            AttemptOutcome::Failed => ("failed", now, Some(now)),
        };
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let updated = sqlx::query(
                "UPDATE webhook_deliveries SET attempts = $2, status = $3, next_attempt_at = $4, \
                 finished_at = $5, lease_until = NULL WHERE id = $1 AND status = 'pending'",
            )
            .bind(delivery_id)
            .bind(attempt.attempt)
            .bind(status)
            .bind(next)
            .bind(finished)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            // None when the webhook was deleted while the attempt was under way.
            if updated == 1 {
                sqlx::query(
                    "INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, \
                     response_code, error) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (delivery_id, attempt) DO NOTHING",
                )
                .bind(delivery_id)
                .bind(attempt.attempt)
                .bind(attempt.started_at)
                .bind(attempt.duration_ms)
                .bind(attempt.response_code)
                .bind(attempt.error.as_deref())
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Gives back leases a stopping worker holds, so the deliveries are due at the next start
    /// (or at once for another broker) instead of when the lease would have run out.
    pub async fn release_deliveries(
        &self,
        ids: &[i64],
        lease_until: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "UPDATE webhook_deliveries SET lease_until = NULL \
             WHERE lease_until = $1 AND status = 'pending' AND id IN ({})",
            placeholders(2, ids.len())
        );
        on_pool!(self, pool => {
            let mut query = sqlx::query(AssertSqlSafe(sql)).bind(lease_until);
            for id in ids {
                query = query.bind(*id);
            }
            query.execute(pool).await?;
        });
        Ok(())
    }

    /// Records that the sunset of `notice` crossed the thresholds `crossed` (days, any order)
    /// and, when the nearest of them was not recorded before, raises
    /// [`EventKind::DeprecationSunsetNear`] with `payload`. True when it raised the event.
    pub async fn raise_sunset_notice(
        &self,
        notice: SunsetNotice<'_>,
        crossed: &[i64],
        payload: &Value,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let Some(nearest) = crossed.iter().copied().min() else {
            return Ok(false);
        };
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let mut raise = false;
            for threshold in crossed {
                let inserted = sqlx::query(
                    "INSERT INTO webhook_sunset_notices (provider, element, consumer, \
                     consumer_version, threshold_days, raised_at) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(notice.provider)
                .bind(notice.element)
                .bind(notice.consumer)
                .bind(notice.consumer_version)
                .bind(i32::try_from(*threshold).unwrap_or(i32::MAX))
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    == 1;
                raise |= inserted && *threshold == nearest;
            }
            if raise {
                raise_event!(
                    tx,
                    EventKind::DeprecationSunsetNear,
                    payload,
                    Some(notice.provider),
                    Some(notice.consumer),
                    now
                );
            }
            tx.commit().await?;
            Ok(raise)
        })
    }
}
