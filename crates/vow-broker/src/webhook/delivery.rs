//! The delivery worker: leases due rows of the outbox, sends each (never following a redirect,
//! through the address guard's resolver, within the attempt timeout), logs the attempt, and
//! schedules the next one with exponential backoff and full jitter until the delivery succeeds or
//! runs out of attempts. Stopping gives back the leases of unfinished deliveries, so they are due
//! at the next start; a broker that dies holding them loses only the lease time.

use std::future::Future;
use std::sync::{Arc, Once};
use std::time::Instant;

use chrono::Utc;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, LOCATION};
use reqwest::{Client, Method, Url};
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{Map, Value};
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::address::{GuardedResolver, Refusal};
use super::settings::WebhookSettings;
use super::sunset::sweep_sunsets;
use super::template::render_template;
use crate::store::{AttemptOutcome, AttemptRecord, ClaimedDelivery, Store, StoreError};

/// The header naming the event.
pub const EVENT_HEADER: &str = "x-vow-event";
/// The header carrying the delivery id (the same for every attempt of a delivery).
pub const DELIVERY_HEADER: &str = "x-vow-delivery";
/// The header with `sha256=` and the hex HMAC-SHA256 of the body under the webhook's secret.
pub const SIGNATURE_HEADER: &str = "x-vow-signature";

/// Sends the outbox's deliveries. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Deliverer {
    store: Store,
    settings: WebhookSettings,
    client: Client,
}

/// What one attempt came to.
struct Attempted {
    response_code: Option<u16>,
    error: Option<String>,
    /// True when trying again cannot help (a refused target, a broken template or secret).
    last: bool,
}

impl Attempted {
    fn refused(error: impl Into<String>) -> Attempted {
        Attempted {
            response_code: None,
            error: Some(error.into()),
            last: true,
        }
    }
}

impl Deliverer {
    /// A deliverer over `store`, with its own HTTP client.
    pub fn new(store: Store, settings: WebhookSettings) -> Result<Deliverer, reqwest::Error> {
        static CRYPTO: Once = Once::new();
        // reqwest is built without a bundled crypto provider (one TLS stack: rustls with ring);
        // installing it when another part of the program already did is harmless.
        CRYPTO.call_once(|| {
            let _ = rustls::crypto::ring::default_provider().install_default();
        });
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver {
                guard: settings.guard.clone(),
            }))
            .timeout(settings.attempt_timeout)
            .connect_timeout(settings.attempt_timeout)
            .user_agent(concat!("vow-broker/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Deliverer {
            store,
            settings,
            client,
        })
    }

    /// Sends the deliveries due now (one batch) and waits for them: how many were sent.
    pub async fn deliver_due(&self) -> Result<usize, StoreError> {
        let now = Utc::now();
        let lease_until = now + self.settings.lease();
        let claimed = self
            .store
            .claim_deliveries(now, lease_until, self.settings.batch)
            .await?;
        let count = claimed.len();
        self.send_all(claimed).await;
        Ok(count)
    }

    /// Runs until `shutdown` completes: delivers what is due every poll interval and, beside
    /// that (a long sweep never delays a delivery), sweeps the deprecation sunsets every sweep
    /// interval.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let (stop, stopped) = watch::channel(false);
        let signal = async move {
            shutdown.await;
            let _ = stop.send(true);
        };
        tokio::join!(
            signal,
            self.deliver_until(stopped.clone()),
            self.sweep_until(stopped)
        );
    }

    /// Delivers until `stopped` turns true, then gives back the deliveries in flight.
    async fn deliver_until(&self, mut stopped: watch::Receiver<bool>) {
        loop {
            let now = Utc::now();
            let lease_until = now + self.settings.lease();
            let mut full = false;
            match self
                .store
                .claim_deliveries(now, lease_until, self.settings.batch)
                .await
            {
                Ok(claimed) => {
                    full = claimed.len() >= self.settings.batch as usize;
                    let ids: Vec<i64> = claimed.iter().map(|d| d.id).collect();
                    tokio::select! {
                        () = self.send_all(claimed) => {}
                        () = until_stopped(&mut stopped) => {
                            if let Err(e) = self.store.release_deliveries(&ids, lease_until).await {
                                tracing::warn!(error = %crate::api::causes(&e), "failed to give back webhook deliveries; they are due again when their lease runs out");
                            }
                            return;
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %crate::api::causes(&e), "failed to read due webhook deliveries");
                }
            }
            if *stopped.borrow() {
                return;
            }
            if !full {
                tokio::select! {
                    () = tokio::time::sleep(self.settings.poll_interval) => {}
                    () = until_stopped(&mut stopped) => return,
                }
            }
        }
    }

    /// Sweeps the deprecation sunsets at once and then every sweep interval, until `stopped`.
    async fn sweep_until(&self, mut stopped: watch::Receiver<bool>) {
        loop {
            let sweep = sweep_sunsets(&self.store, &self.settings, Utc::now().date_naive());
            tokio::select! {
                result = sweep => if let Err(e) = result {
                    tracing::warn!(error = %crate::api::causes(&e), "the deprecation sunset sweep failed");
                },
                () = until_stopped(&mut stopped) => return,
            }
            tokio::select! {
                () = tokio::time::sleep(self.settings.sunset_sweep_interval) => {}
                () = until_stopped(&mut stopped) => return,
            }
        }
    }

    /// Sends each delivery at once and waits for all; dropping this future cancels them.
    async fn send_all(&self, claimed: Vec<ClaimedDelivery>) {
        let mut tasks = JoinSet::new();
        for delivery in claimed {
            let deliverer = self.clone();
            tasks.spawn(async move { deliverer.attempt(delivery).await });
        }
        while tasks.join_next().await.is_some() {}
    }

    /// One attempt of one delivery, logged.
    async fn attempt(&self, delivery: ClaimedDelivery) {
        let number = delivery.attempts + 1;
        let started_at = Utc::now();
        let clock = Instant::now();
        let attempted = self.send(&delivery).await;
        let duration_ms = i64::try_from(clock.elapsed().as_millis()).unwrap_or(i64::MAX);
        let now = Utc::now();
        let succeeded = attempted.error.is_none();
        let outcome = if succeeded {
            AttemptOutcome::Succeeded
        } else if attempted.last
            || number >= i32::try_from(self.settings.max_attempts).unwrap_or(i32::MAX)
        {
            AttemptOutcome::Failed
        } else {
            let wait = self
                .settings
                .backoff(u32::try_from(number + 1).unwrap_or(u32::MAX), unit_random());
            AttemptOutcome::Retry(
                now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX),
            )
        };
        tracing::info!(
            webhook = delivery.webhook.id,
            delivery = delivery.id,
            event = %delivery.event,
            attempt = number,
            response_code = attempted.response_code,
            error = attempted.error.as_deref(),
            duration_ms,
            "webhook delivery attempted"
        );
        let record = AttemptRecord {
            attempt: number,
            started_at,
            duration_ms,
            response_code: attempted.response_code.map(i32::from),
            error: attempted.error,
        };
        if let Err(e) = self
            .store
            .finish_attempt(delivery.id, &record, outcome, now)
            .await
        {
            tracing::warn!(error = %crate::api::causes(&e), delivery = delivery.id, "failed to log a webhook attempt; it is due again when its lease runs out");
        }
    }

    /// Renders and sends one delivery.
    async fn send(&self, delivery: &ClaimedDelivery) -> Attempted {
        let webhook = &delivery.webhook;
        let url = match Url::parse(&webhook.url) {
            Ok(url) => url,
            Err(e) => return Attempted::refused(format!("the URL is invalid: {e}")),
        };
        if let Err(refusal) = self.settings.guard.check_url(&url) {
            return Attempted::refused(format!("refused: {refusal}"));
        }
        let context = self.context(delivery);
        let body = match &webhook.body {
            Some(template) => match render_template(template, &context) {
                Ok(body) => body,
                Err(e) => return Attempted::refused(format!("the body: {e}")),
            },
            None => context.to_string(),
        };
        let headers = match self.headers(delivery, &context, &body) {
            Ok(headers) => headers,
            Err(message) => return Attempted::refused(message),
        };
        let Ok(method) = Method::from_bytes(webhook.method.as_bytes()) else {
            return Attempted::refused(format!("the method {:?} is invalid", webhook.method));
        };
        match self
            .client
            .request(method, url)
            .headers(headers)
            .body(body)
            .send()
            .await
        {
            Ok(response) => {
                let status = response.status();
                let code = Some(status.as_u16());
                if status.is_success() {
                    Attempted {
                        response_code: code,
                        error: None,
                        last: false,
                    }
                } else if status.is_redirection() {
                    let location = response
                        .headers()
                        .get(LOCATION)
                        .map(|l| String::from_utf8_lossy(l.as_bytes()).into_owned())
                        .unwrap_or_else(|| "nowhere".to_owned());
                    Attempted {
                        response_code: code,
                        error: Some(format!(
                            "the receiver answered {status} redirecting to {location:?}; webhooks never follow redirects"
                        )),
                        last: false,
                    }
                } else {
                    Attempted {
                        response_code: code,
                        error: Some(format!("the receiver answered {status}")),
                        last: false,
                    }
                }
            }
            Err(e) => describe_failure(&e, self.settings.attempt_timeout),
        }
    }

    /// The template variables: the event's own, and the common ones.
    fn context(&self, delivery: &ClaimedDelivery) -> Value {
        let mut context: Map<String, Value> = serde_json::from_str(&delivery.payload)
            .ok()
            .and_then(|v: Value| v.as_object().cloned())
            .unwrap_or_default();
        context.insert("event".to_owned(), Value::from(delivery.event.clone()));
        context.insert(
            "occurred_at".to_owned(),
            Value::from(
                delivery
                    .created_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ),
        );
        context.insert(
            "broker_url".to_owned(),
            Value::from(self.settings.broker_url.clone()),
        );
        context.insert("webhook_id".to_owned(), Value::from(delivery.webhook.id));
        context.insert("delivery_id".to_owned(), Value::from(delivery.id));
        Value::Object(context)
    }

    /// The headers to send: the webhook's (rendered or opened), a JSON content type unless one
    /// is set, the event, the delivery id, and the signature.
    fn headers(
        &self,
        delivery: &ClaimedDelivery,
        context: &Value,
        body: &str,
    ) -> Result<HeaderMap, String> {
        let webhook = &delivery.webhook;
        let stored: Map<String, Value> = serde_json::from_str(&webhook.headers)
            .map_err(|_| "the stored headers are unreadable".to_owned())?;
        let mut headers = HeaderMap::new();
        for (name, value) in &stored {
            let text = if let Some(template) = value.get("template").and_then(Value::as_str) {
                render_template(template, context).map_err(|e| format!("header {name}: {e}"))?
            } else if let Some(sealed) = value.get("sealed").and_then(Value::as_str) {
                self.settings
                    .key
                    .open(sealed)
                    .map_err(|e| format!("header {name}: {e}"))?
            } else {
                return Err(format!("header {name}: the stored value is unreadable"));
            };
            let header_name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("header {name}: not a valid header name"))?;
            let header_value = HeaderValue::from_str(&text).map_err(|_| {
                format!("header {name}: the rendered value is not a valid header value")
            })?;
            headers.insert(header_name, header_value);
        }
        if !headers.contains_key(CONTENT_TYPE) {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        headers.insert(
            EVENT_HEADER,
            HeaderValue::from_str(&delivery.event).map_err(|_| "the event name".to_owned())?,
        );
        headers.insert(DELIVERY_HEADER, HeaderValue::from(delivery.id));
        if let Some(sealed) = &webhook.secret {
            let secret = self
                .settings
                .key
                .open(sealed)
                .map_err(|e| format!("the signing secret: {e}"))?;
            let value = format!("sha256={}", sign(secret.as_bytes(), body.as_bytes()));
            headers.insert(
                SIGNATURE_HEADER,
                HeaderValue::from_str(&value).map_err(|_| "the signature".to_owned())?,
            );
        }
        Ok(headers)
    }
}

/// Completes once `stopped` is true (or its sender is gone).
async fn until_stopped(stopped: &mut watch::Receiver<bool>) {
    let _ = stopped.wait_for(|s| *s).await;
}

/// The lowercase hex HMAC-SHA256 of `body` under `secret`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    ring::hmac::sign(&key, body)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A failed send, for the delivery log: a refusal by the address guard (final), a timeout, or
/// what the connection said.
fn describe_failure(error: &reqwest::Error, timeout: std::time::Duration) -> Attempted {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(refusal) = e.downcast_ref::<Refusal>() {
            return Attempted::refused(format!("refused: {refusal}"));
        }
        source = e.source();
    }
    let message = if error.is_timeout() {
        format!(
            "the receiver did not answer within {} ms",
            timeout.as_millis()
        )
    } else if error.is_connect() {
        format!("failed to connect: {}", crate::api::causes(error))
    } else {
        format!("the request failed: {}", crate::api::causes(error))
    };
    Attempted {
        response_code: None,
        error: Some(message),
        last: false,
    }
}

/// A uniform random number in [0, 1].
fn unit_random() -> f64 {
    let mut bytes = [0u8; 8];
    if SystemRandom::new().fill(&mut bytes).is_err() {
        return 1.0;
    }
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}
