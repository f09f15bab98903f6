//! Webhooks on the broker (admin only): the client's side of `/api/v1/webhooks`. A webhook is
//! read back as the broker shows it, secrets as `"***"`.

use std::collections::BTreeMap;

use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{BrokerClient, BrokerError, read};

/// A webhook as the broker shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: i64,
    pub events: Vec<String>,
    pub provider: Option<String>,
    pub consumer: Option<String>,
    pub url: String,
    pub method: String,
    pub headers: BTreeMap<String, WebhookHeader>,
    pub body: Option<String>,
    /// `"***"` when deliveries are signed.
    pub secret: Option<String>,
    pub enabled: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// A header of a webhook: its template, or `"***"` for a secret value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookHeader {
    pub value: String,
    pub secret: bool,
}

/// One delivery of one event, with its attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: i64,
    pub event: String,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<String>,
    pub created_at: String,
    pub finished_at: Option<String>,
    pub log: Vec<Attempt>,
}

/// One attempt of a delivery: what the receiver answered, or why there was no answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub attempt: i32,
    pub started_at: String,
    pub duration_ms: i64,
    pub response_code: Option<i32>,
    pub error: Option<String>,
}

/// A page of the delivery log: `next` is the `before` of the next (older) page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deliveries {
    pub deliveries: Vec<Delivery>,
    pub next: Option<i64>,
}

impl BrokerClient {
    /// `POST /api/v1/webhooks` with `body` (see docs/broker.md, "Webhooks"): the new webhook.
    pub async fn create_webhook(&self, body: &Value) -> Result<Webhook, BrokerError> {
        let url = self.url(&["webhooks"]);
        Ok(self.put(Method::POST, url, body).await?.value)
    }

    /// `GET /api/v1/webhooks`.
    pub async fn webhooks(&self) -> Result<Vec<Webhook>, BrokerError> {
        #[derive(Deserialize)]
        struct List {
            webhooks: Vec<Webhook>,
        }
        let url = self.url(&["webhooks"]);
        let response = self
            .send(self.request(Method::GET, url.clone()), &url)
            .await?;
        Ok(read::<List>(response, &url).await?.webhooks)
    }

    /// `GET /api/v1/webhooks/{id}`.
    pub async fn webhook(&self, id: i64) -> Result<Webhook, BrokerError> {
        let url = self.url(&["webhooks", &id.to_string()]);
        let response = self
            .send(self.request(Method::GET, url.clone()), &url)
            .await?;
        read(response, &url).await
    }

    /// `DELETE /api/v1/webhooks/{id}`: the webhook and its delivery log are gone.
    pub async fn delete_webhook(&self, id: i64) -> Result<(), BrokerError> {
        let url = self.url(&["webhooks", &id.to_string()]);
        let response = self
            .send(self.request(Method::DELETE, url.clone()), &url)
            .await?;
        if response.status() == StatusCode::NO_CONTENT {
            return Ok(());
        }
        // Any other answer is an error (or not the broker's); `read` says which.
        read::<Value>(response, &url).await.map(|_| ())
    }

    /// `POST /api/v1/webhooks/{id}/test`: queues a test event; the new delivery's id.
    pub async fn test_webhook(&self, id: i64) -> Result<i64, BrokerError> {
        #[derive(Deserialize)]
        struct Queued {
            delivery: i64,
        }
        let url = self.url(&["webhooks", &id.to_string(), "test"]);
        let request = self
            .request(Method::POST, url.clone())
            .header(CONTENT_TYPE, "application/json")
            .body("{}");
        let response = self.send(request, &url).await?;
        Ok(read::<Queued>(response, &url).await?.delivery)
    }

    /// `GET /api/v1/webhooks/{id}/deliveries`: up to `limit` deliveries (the broker's default
    /// when `None`) older than delivery `before`, newest first.
    pub async fn webhook_deliveries(
        &self,
        id: i64,
        before: Option<i64>,
        limit: Option<u32>,
    ) -> Result<Deliveries, BrokerError> {
        let mut url = self.url(&["webhooks", &id.to_string(), "deliveries"]);
        {
            let mut query = url.query_pairs_mut();
            if let Some(before) = before {
                query.append_pair("before", &before.to_string());
            }
            if let Some(limit) = limit {
                query.append_pair("limit", &limit.to_string());
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }
        let response = self
            .send(self.request(Method::GET, url.clone()), &url)
            .await?;
        read(response, &url).await
    }
}
