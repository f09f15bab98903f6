//! Webhooks, for admins: create, list, read, replace and delete them, read their delivery log,
//! and queue a test event. Templates are checked and the target is checked against the address
//! guard when a webhook is saved; secrets are sealed then and never shown again (`"***"`).

use std::collections::{BTreeMap, BTreeSet};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::error::ApiError;
use super::extract::{JsonBody, PathParams, QueryParams};
use super::router::Settings;
use crate::name::ServiceName;
use crate::store::{NewWebhook, Store, StoredWebhook};
use crate::webhook::{COMMON_VARIABLES, EventKind, WebhookSettings, check_template};

/// What the API shows in place of a secret.
pub const REDACTED: &str = "***";
/// Headers whose values are secret whether or not the request says so.
const SECRET_HEADERS: &[&str] = &["authorization", "proxy-authorization", "cookie"];
/// The methods a webhook may use.
const METHODS: &[&str] = &["POST", "PUT", "PATCH", "GET", "DELETE"];
/// The longest URL, template or secret kept.
const MAX_FIELD: usize = 64 << 10;
/// The most deliveries one page of the log holds.
const MAX_PAGE: u32 = 200;

/// The body of `POST /api/v1/webhooks` and `PUT /api/v1/webhooks/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookBody {
    events: Vec<String>,
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    consumer: Option<String>,
    url: String,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, HeaderBody>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    secret: Option<String>,
    #[serde(default = "enabled_by_default")]
    enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

/// A header: a template, or `{"value", "secret"}` for a value to seal.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum HeaderBody {
    Template(String),
    Marked(MarkedHeader),
}

/// A header value with its secrecy; a misspelt `secret` is refused rather than read as false.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkedHeader {
    value: String,
    #[serde(default)]
    secret: bool,
}

/// A webhook as the API shows it.
#[derive(Debug, Serialize)]
pub struct WebhookView {
    id: i64,
    events: Vec<EventKind>,
    provider: Option<String>,
    consumer: Option<String>,
    url: String,
    method: String,
    headers: BTreeMap<String, HeaderView>,
    body: Option<String>,
    /// `"***"` when deliveries are signed.
    secret: Option<&'static str>,
    enabled: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
struct HeaderView {
    value: String,
    secret: bool,
}

pub(crate) fn view(webhook: StoredWebhook) -> WebhookView {
    let stored: Map<String, Value> = serde_json::from_str(&webhook.headers).unwrap_or_default();
    let headers = stored
        .into_iter()
        .map(|(name, value)| {
            let header = match value.get("template").and_then(Value::as_str) {
                Some(template) => HeaderView {
                    value: template.to_owned(),
                    secret: false,
                },
                None => HeaderView {
                    value: REDACTED.to_owned(),
                    secret: true,
                },
            };
            (name, header)
        })
        .collect();
    WebhookView {
        id: webhook.id,
        events: webhook.events,
        provider: webhook.provider,
        consumer: webhook.consumer,
        url: webhook.url,
        method: webhook.method,
        headers,
        body: webhook.body,
        secret: webhook.secret.map(|_| REDACTED),
        enabled: webhook.enabled,
        created_at: webhook.created_at,
        updated_at: webhook.updated_at,
    }
}

fn invalid(pointer: impl Into<String>, message: impl Into<String>) -> ApiError {
    let pointer = pointer.into();
    ApiError::InvalidWebhook {
        message: format!("{pointer}: {}", message.into()),
        pointer,
    }
}

/// A checked webhook body, secrets sealed, ready to store.
struct Checked {
    events: Vec<EventKind>,
    provider: Option<String>,
    consumer: Option<String>,
    url: String,
    method: String,
    headers: String,
    body: Option<String>,
    secret: Option<String>,
    enabled: bool,
}

impl Checked {
    fn as_new(&self) -> NewWebhook<'_> {
        NewWebhook {
            events: &self.events,
            provider: self.provider.as_deref(),
            consumer: self.consumer.as_deref(),
            url: &self.url,
            method: &self.method,
            headers: &self.headers,
            body: self.body.as_deref(),
            secret: self.secret.as_deref(),
            enabled: self.enabled,
        }
    }
}

/// Checks a body; `existing` is the webhook it replaces, whose secrets a `"***"` keeps.
fn check(
    body: WebhookBody,
    settings: &WebhookSettings,
    existing: Option<&StoredWebhook>,
) -> Result<Checked, ApiError> {
    if body.events.is_empty() {
        return Err(invalid("/events", "name at least one event"));
    }
    let mut events = Vec::new();
    for (i, name) in body.events.iter().enumerate() {
        let event = EventKind::parse(name)
            .filter(|e| EventKind::SUBSCRIBABLE.contains(e))
            .ok_or_else(|| {
                let known: Vec<&str> = EventKind::SUBSCRIBABLE.iter().map(|e| e.as_str()).collect();
                invalid(
                    format!("/events/{i}"),
                    format!(
                        "unknown event {name:?}; the events are {}",
                        known.join(", ")
                    ),
                )
            })?;
        if !events.contains(&event) {
            events.push(event);
        }
    }
    events.sort();
    let provider = body
        .provider
        .map(|p| ServiceName::parse(&p).map(|n| n.as_str().to_owned()))
        .transpose()?;
    let consumer = body
        .consumer
        .map(|c| ServiceName::parse(&c).map(|n| n.as_str().to_owned()))
        .transpose()?;
    if body.url.len() > MAX_FIELD {
        return Err(invalid("/url", "the URL is too long"));
    }
    let url =
        reqwest::Url::parse(&body.url).map_err(|e| invalid("/url", format!("not a URL: {e}")))?;
    settings
        .guard
        .check_url(&url)
        .map_err(|refusal| invalid("/url", refusal.to_string()))?;
    let method = body
        .method
        .unwrap_or_else(|| "POST".to_owned())
        .to_ascii_uppercase();
    if !METHODS.contains(&method.as_str()) {
        return Err(invalid(
            "/method",
            format!("the method must be one of {}", METHODS.join(", ")),
        ));
    }
    let known: BTreeSet<&str> = COMMON_VARIABLES
        .iter()
        .copied()
        .chain(events.iter().flat_map(|e| e.variables().iter().copied()))
        .collect();
    let template = |pointer: &str, source: &str| -> Result<(), ApiError> {
        if source.len() > MAX_FIELD {
            return Err(invalid(pointer, "the template is too long"));
        }
        check_template(source, &known).map_err(|e| invalid(pointer, e.to_string()))
    };
    if let Some(body) = &body.body {
        template("/body", body)?;
    }
    let previous_headers: Map<String, Value> = existing
        .and_then(|w| serde_json::from_str(&w.headers).ok())
        .unwrap_or_default();
    let mut headers = Map::new();
    for (name, header) in body.headers {
        let pointer = format!("/headers/{}", name.replace('~', "~0").replace('/', "~1"));
        let lower = name.to_ascii_lowercase();
        if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(invalid(pointer, "not a valid header name"));
        }
        if matches!(
            lower.as_str(),
            "host" | "content-length" | "transfer-encoding"
        ) || lower.starts_with("x-vow-")
        {
            return Err(invalid(pointer, "the broker sets this header itself"));
        }
        let (value, secret) = match header {
            HeaderBody::Template(value) => (value, false),
            HeaderBody::Marked(MarkedHeader { value, secret }) => (value, secret),
        };
        let secret = secret || SECRET_HEADERS.contains(&lower.as_str());
        let stored = if secret {
            if value == REDACTED {
                match previous_headers.get(&name).and_then(|v| v.get("sealed")) {
                    Some(sealed) => json!({ "sealed": sealed }),
                    None => {
                        return Err(invalid(
                            pointer,
                            "\"***\" keeps a stored secret, but this header has none",
                        ));
                    }
                }
            } else {
                if value.len() > MAX_FIELD
                    || reqwest::header::HeaderValue::from_str(&value).is_err()
                {
                    return Err(invalid(pointer, "not a valid header value"));
                }
                json!({ "sealed": settings.key.seal(&value) })
            }
        } else {
            template(&pointer, &value)?;
            json!({ "template": value })
        };
        headers.insert(name, stored);
    }
    let secret = match body.secret {
        None => None,
        Some(s) if s == REDACTED => match existing.and_then(|w| w.secret.clone()) {
            Some(sealed) => Some(sealed),
            None => {
                return Err(invalid(
                    "/secret",
                    "\"***\" keeps the stored secret, but this webhook has none",
                ));
            }
        },
        Some(s) if s.is_empty() || s.len() > MAX_FIELD => {
            return Err(invalid("/secret", "the secret must be 1 to 65536 bytes"));
        }
        Some(s) => Some(settings.key.seal(&s)),
    };
    Ok(Checked {
        events,
        provider,
        consumer,
        url: url.to_string(),
        method,
        headers: Value::Object(headers).to_string(),
        body: body.body,
        secret,
        enabled: body.enabled,
    })
}

pub(crate) fn webhook_id(text: &str) -> Result<i64, ApiError> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::InvalidPath(format!("{text:?} is not a webhook id")))
}

/// Creates a webhook: 201 with it, secrets redacted.
pub async fn create(
    State(store): State<Store>,
    State(settings): State<Settings>,
    JsonBody(body): JsonBody<WebhookBody>,
) -> Result<(StatusCode, Json<WebhookView>), ApiError> {
    let checked = check(body, &settings.webhooks, None)?;
    let webhook = store.create_webhook(&checked.as_new(), Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(view(webhook))))
}

/// Every webhook.
pub async fn list(State(store): State<Store>) -> Result<Json<Value>, ApiError> {
    let webhooks: Vec<WebhookView> = store.webhooks().await?.into_iter().map(view).collect();
    Ok(Json(json!({ "webhooks": webhooks })))
}

/// One webhook.
pub async fn get(
    State(store): State<Store>,
    PathParams(id): PathParams<String>,
) -> Result<Json<WebhookView>, ApiError> {
    let id = webhook_id(&id)?;
    let webhook = store
        .webhook(id)
        .await?
        .ok_or(crate::store::StoreError::WebhookNotFound { id })?;
    Ok(Json(view(webhook)))
}

/// Replaces a webhook's settings; `"***"` for a secret keeps the stored one.
pub async fn replace(
    State(store): State<Store>,
    State(settings): State<Settings>,
    PathParams(id): PathParams<String>,
    JsonBody(body): JsonBody<WebhookBody>,
) -> Result<Json<WebhookView>, ApiError> {
    let id = webhook_id(&id)?;
    let existing = store
        .webhook(id)
        .await?
        .ok_or(crate::store::StoreError::WebhookNotFound { id })?;
    let checked = check(body, &settings.webhooks, Some(&existing))?;
    let webhook = store
        .update_webhook(id, &checked.as_new(), Utc::now())
        .await?;
    Ok(Json(view(webhook)))
}

/// Deletes a webhook with its delivery log: 204.
pub async fn delete(
    State(store): State<Store>,
    PathParams(id): PathParams<String>,
) -> Result<StatusCode, ApiError> {
    store.delete_webhook(webhook_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The query of the delivery log.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    limit: Option<u32>,
    before: Option<i64>,
}

/// The delivery log, newest first, a page at a time: `next` is the `before` of the next page.
pub async fn deliveries(
    State(store): State<Store>,
    PathParams(id): PathParams<String>,
    QueryParams(query): QueryParams<DeliveriesQuery>,
) -> Result<Json<Value>, ApiError> {
    let id = webhook_id(&id)?;
    let limit = query.limit.unwrap_or(50);
    if limit == 0 || limit > MAX_PAGE {
        return Err(ApiError::InvalidQuery(format!(
            "limit must be between 1 and {MAX_PAGE}"
        )));
    }
    let deliveries = store.deliveries(id, query.before, limit).await?;
    let next = (deliveries.len() == limit as usize)
        .then(|| deliveries.last().map(|d| d.id))
        .flatten();
    Ok(Json(json!({ "deliveries": deliveries, "next": next })))
}

/// Queues a `test` event for the webhook, with an example of every variable: 202.
pub async fn test(
    State(store): State<Store>,
    PathParams(id): PathParams<String>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id = webhook_id(&id)?;
    let payload = EventKind::test_payload();
    let delivery = store
        .queue_delivery(id, EventKind::Test, &payload, Utc::now())
        .await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "delivery": delivery }))))
}
