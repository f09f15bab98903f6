//! Webhooks, for admins: every webhook with the outcome of its newest delivery, and one webhook
//! with its delivery log (a page at a time) and a form that queues a test event. Webhooks are
//! shown exactly as the API shows them: secrets as `***`, header templates unrendered.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::render::{PageError, html};
use super::session::Viewer;
use super::sign_in::forbidden_form;
use crate::api::webhook::{WebhookView, view, webhook_id};
use crate::store::{DeliveryRecord, LastDelivery, Store};
use crate::webhook::EventKind;

/// The most webhooks the list shows.
const WEBHOOKS_SHOWN: u32 = 200;
/// The deliveries one page of the log shows.
const DELIVERIES_SHOWN: u32 = 50;

#[derive(Debug, Serialize)]
struct WebhooksPage {
    webhooks: Vec<Row>,
    total: i64,
}

#[derive(Debug, Serialize)]
struct Row {
    webhook: WebhookView,
    last_delivery: Option<LastShown>,
}

/// The newest delivery of a webhook, as the list shows it.
#[derive(Debug, Serialize)]
struct LastShown {
    event: String,
    status: Status,
    queued: String,
    response_code: Option<i32>,
    error: Option<String>,
}

impl LastShown {
    fn of(last: LastDelivery) -> LastShown {
        LastShown {
            status: Status::of(&last.status, last.attempts),
            queued: when(last.created_at),
            event: last.event,
            response_code: last.response_code,
            error: last.error,
        }
    }
}

/// A delivery's status in words, and the badge it wears: a pending delivery that has failed an
/// attempt is `retrying`.
#[derive(Debug, Serialize)]
struct Status {
    word: &'static str,
    badge: &'static str,
}

impl Status {
    fn of(status: &str, attempts: i32) -> Status {
        let (word, badge) = match status {
            "succeeded" => ("succeeded", "pass"),
            "failed" => ("failed", "fail"),
            _ if attempts > 0 => ("retrying", "near"),
            _ => ("pending", "unknown"),
        };
        Status { word, badge }
    }
}

/// One row of the delivery log.
#[derive(Debug, Serialize)]
struct DeliveryRow {
    id: i64,
    event: String,
    status: Status,
    attempts: i32,
    /// The last attempt's response status and error.
    response_code: Option<i32>,
    error: Option<String>,
    next_attempt: Option<String>,
    queued: String,
    finished: Option<String>,
}

impl DeliveryRow {
    fn of(delivery: DeliveryRecord) -> DeliveryRow {
        let last = delivery.log.last();
        DeliveryRow {
            id: delivery.id,
            status: Status::of(&delivery.status, delivery.attempts),
            attempts: delivery.attempts,
            response_code: last.and_then(|a| a.response_code),
            error: last.and_then(|a| a.error.clone()),
            next_attempt: delivery.next_attempt_at.map(when),
            queued: when(delivery.created_at),
            finished: delivery.finished_at.map(when),
            event: delivery.event,
        }
    }
}

/// A time to the second, in UTC.
fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// Every webhook (bounded), each with its newest delivery.
pub async fn list(viewer: Viewer, State(store): State<Store>) -> Response {
    match store.webhook_summaries(WEBHOOKS_SHOWN).await {
        Ok((summaries, total)) => {
            let webhooks = summaries
                .into_iter()
                .map(|s| Row {
                    webhook: view(s.webhook),
                    last_delivery: s.last_delivery.map(LastShown::of),
                })
                .collect();
            html(
                StatusCode::OK,
                "webhooks.html",
                &viewer.chrome(),
                WebhooksPage { webhooks, total },
            )
        }
        Err(e) => PageError::from(e).render(&viewer.chrome()),
    }
}

#[derive(Debug, Deserialize)]
pub struct LogQuery {
    before: Option<String>,
}

#[derive(Debug, Serialize)]
struct WebhookPage {
    webhook: WebhookView,
    created: String,
    updated: String,
    deliveries: Vec<DeliveryRow>,
    /// The `before` this page was asked for: not the newest page.
    before: Option<i64>,
    /// The `before` of the next (older) page, if there may be one.
    next: Option<i64>,
}

/// One webhook and a page of its delivery log, newest first.
pub async fn show(
    viewer: Viewer,
    State(store): State<Store>,
    Path(id): Path<String>,
    query: Result<Query<LogQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    match webhook_page(&store, &id, query).await {
        Ok(page) => html(StatusCode::OK, "webhook.html", &viewer.chrome(), page),
        Err(e) => e.render(&viewer.chrome()),
    }
}

async fn webhook_page(
    store: &Store,
    id: &str,
    query: Result<Query<LogQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<WebhookPage, PageError> {
    let id = webhook_id(id)?;
    let Query(query) = query.map_err(|e| PageError::bad_request(e.body_text()))?;
    let before = query
        .before
        .map(|text| {
            text.parse::<i64>().ok().filter(|b| *b > 0).ok_or_else(|| {
                PageError::bad_request(format!(
                    "before must be a delivery id (a positive whole number), not {text:?}"
                ))
            })
        })
        .transpose()?;
    let webhook = store
        .webhook(id)
        .await?
        .ok_or(crate::store::StoreError::WebhookNotFound { id })?;
    let deliveries = store.deliveries(id, before, DELIVERIES_SHOWN).await?;
    let next = (deliveries.len() == DELIVERIES_SHOWN as usize)
        .then(|| deliveries.last().map(|d| d.id))
        .flatten();
    Ok(WebhookPage {
        created: when(webhook.created_at),
        updated: when(webhook.updated_at),
        webhook: view(webhook),
        deliveries: deliveries.into_iter().map(DeliveryRow::of).collect(),
        before,
        next,
    })
}

#[derive(Debug, Deserialize)]
pub struct TestForm {
    #[serde(default)]
    csrf: String,
}

/// Queues a test event for the webhook, as `POST /api/v1/webhooks/{id}/test` does, and goes back
/// to its page, where the new delivery heads the log.
pub async fn test(
    viewer: Viewer,
    State(store): State<Store>,
    Path(id): Path<String>,
    form: Result<Form<TestForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let csrf = form.map(|Form(f)| f.csrf).unwrap_or_default();
    if !viewer.csrf_matches(&csrf) {
        return forbidden_form(&viewer);
    }
    let queued = async {
        let id = webhook_id(&id)?;
        store
            .queue_delivery(id, EventKind::Test, &EventKind::test_payload(), Utc::now())
            .await?;
        Ok::<i64, PageError>(id)
    };
    match queued.await {
        Ok(id) => (
            StatusCode::SEE_OTHER,
            [(LOCATION, format!("/webhooks/{id}"))],
        )
            .into_response(),
        Err(e) => e.render(&viewer.chrome()),
    }
}
