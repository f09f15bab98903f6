//! Webhooks end to end, against a receiver on 127.0.0.1 that fails, stalls, redirects and
//! recovers on cue: retries with backoff, timeouts, redirects never followed, each event raised
//! exactly when it should be, templates and signatures as received, secrets never shown, the
//! address guard, and the outbox surviving a restart.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use vow_broker::webhook::{AddressGuard, Deliverer, WebhookSettings, sweep_sunsets};
use vow_broker::{Settings, router};

use crate::can_i_deploy::{deploy, publish_contract, publish_spec};
use crate::support::{JsonAnswer, TestApp, changed_contract, contract, on_both_backends, send_as};

on_both_backends!(
    a_failing_receiver_is_retried_with_backoff_until_it_recovers,
    a_failed_attempt_waits_for_its_backoff,
    a_delivery_that_never_succeeds_is_marked_failed,
    a_stalling_receiver_times_out_and_the_next_attempt_recovers,
    redirects_are_logged_and_never_followed,
    events_are_raised_exactly_when_they_should_be,
    filters_pick_the_webhooks_an_event_reaches,
    the_sunset_sweep_raises_each_threshold_once,
    templated_bodies_and_headers_arrive_exactly_and_signed,
    secrets_never_appear_in_answers_or_the_log,
    bad_webhooks_are_refused_naming_the_field,
    private_targets_are_refused_literally_and_when_resolved,
    the_outbox_survives_a_restart_and_shutdown_gives_deliveries_back,
    the_delivery_log_is_paged,
    two_workers_never_send_the_same_delivery,
);

/// A generous bound on anything that should happen "soon": only a hang reaches it.
const DEADLINE: Duration = Duration::from_secs(30);

/// What the receiver does with one request.
#[derive(Debug, Clone)]
enum Reply {
    Status(u16),
    /// Answers 200, after this long.
    Stall(Duration),
    /// Answers this 3xx with this `Location`.
    Redirect(u16, String),
}

/// A request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    headers: HeaderMap,
    body: String,
}

#[derive(Debug, Clone, Default)]
struct Script {
    replies: Arc<Mutex<VecDeque<Reply>>>,
    received: Arc<Mutex<Vec<Received>>>,
}

/// A webhook receiver on a free loopback port, answering from a script (then 200).
struct Receiver {
    url: String,
    script: Script,
    task: JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn receive(
    State(script): State<Script>,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> Response {
    script.received.lock().unwrap().push(Received {
        path: uri.path().to_owned(),
        headers,
        body,
    });
    let reply = script.replies.lock().unwrap().pop_front();
    match reply.unwrap_or(Reply::Status(200)) {
        Reply::Status(code) => StatusCode::from_u16(code).unwrap().into_response(),
        Reply::Stall(wait) => {
            tokio::time::sleep(wait).await;
            StatusCode::OK.into_response()
        }
        Reply::Redirect(code, location) => {
            (StatusCode::from_u16(code).unwrap(), [(LOCATION, location)]).into_response()
        }
    }
}

impl Receiver {
    async fn start(replies: Vec<Reply>) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let script = Script::default();
        script.replies.lock().unwrap().extend(replies);
        let app = Router::new().fallback(receive).with_state(script.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("receiver");
        });
        Receiver {
            url: format!("http://{address}/hook"),
            script,
            task,
        }
    }

    fn received(&self) -> Vec<Received> {
        self.script.received.lock().unwrap().clone()
    }
}

/// Settings for tests: loopback allowed (the receiver is there), short delays and timeouts.
fn settings() -> Settings {
    settings_with(AddressGuard {
        allow_private: true,
        allowed_hosts: Vec::new(),
    })
}

fn settings_with(guard: AddressGuard) -> Settings {
    Settings {
        webhooks: WebhookSettings {
            guard: Arc::new(guard),
            broker_url: "https://broker.example".to_owned(),
            attempt_timeout: Duration::from_secs(5),
            max_attempts: 4,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(80),
            poll_interval: Duration::from_millis(20),
            ..WebhookSettings::default()
        },
        ..Settings::default()
    }
}

/// The broker as the tests use it: its API with `settings`, and a deliverer.
struct Broker<'a> {
    app: &'a TestApp,
    settings: Settings,
}

impl Broker<'_> {
    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> JsonAnswer {
        send_as(
            router(self.app.store.clone(), self.settings.clone()),
            None,
            method,
            path,
            body,
        )
        .await
    }

    /// Creates a webhook; its id.
    async fn create(&self, body: Value) -> i64 {
        let answer = self
            .call(Method::POST, "/api/v1/webhooks", Some(&body))
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        answer.body["id"].as_i64().expect("an id")
    }

    async fn test_event(&self, id: i64) {
        let answer = self
            .call(Method::POST, &format!("/api/v1/webhooks/{id}/test"), None)
            .await;
        assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.body);
    }

    /// The delivery log of webhook `id`, newest first.
    async fn log(&self, id: i64) -> Vec<Value> {
        let answer = self
            .call(
                Method::GET,
                &format!("/api/v1/webhooks/{id}/deliveries"),
                None,
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        answer.body["deliveries"]
            .as_array()
            .expect("deliveries")
            .clone()
    }

    /// The events delivered or queued for webhook `id`, oldest first.
    async fn events(&self, id: i64) -> Vec<String> {
        let mut events: Vec<String> = self
            .log(id)
            .await
            .iter()
            .map(|d| d["event"].as_str().unwrap().to_owned())
            .collect();
        events.reverse();
        events
    }

    fn deliverer(&self) -> Deliverer {
        Deliverer::new(self.app.store.clone(), self.settings.webhooks.clone()).expect("client")
    }

    /// Delivers what is due until no delivery of webhook `id` is pending; its log.
    async fn deliver_all(&self, id: i64) -> Vec<Value> {
        let deliverer = self.deliverer();
        let start = Instant::now();
        loop {
            deliverer.deliver_due().await.expect("deliver");
            let log = self.log(id).await;
            if log.iter().all(|d| d["status"] != "pending") {
                return log;
            }
            assert!(start.elapsed() < DEADLINE, "still pending: {log:#?}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

fn hook(url: &str) -> Value {
    json!({ "events": ["deployment_recorded"], "url": url })
}

/// The response codes and errors of a delivery's attempts.
fn attempts(delivery: &Value) -> Vec<(Option<i64>, Option<String>)> {
    delivery["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["response_code"].as_i64(),
                a["error"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

async fn a_failing_receiver_is_retried_with_backoff_until_it_recovers(app: TestApp) {
    let receiver = Receiver::start(vec![
        Reply::Status(500),
        Reply::Status(503),
        Reply::Status(429),
    ])
    .await;
    let broker = Broker {
        app: &app,
        settings: settings(),
    };
    let id = broker.create(hook(&receiver.url)).await;
    broker.test_event(id).await;
    let log = broker.deliver_all(id).await;
    assert_eq!(log.len(), 1);
    let delivery = &log[0];
    assert_eq!(delivery["status"], "succeeded", "{delivery:#}");
    assert_eq!(delivery["attempts"], 4);
    let codes: Vec<Option<i64>> = attempts(delivery).into_iter().map(|(c, _)| c).collect();
    assert_eq!(codes, [Some(500), Some(503), Some(429), Some(200)]);
    for (_, error) in &attempts(delivery)[..3] {
        assert!(
            error
                .as_deref()
                .is_some_and(|e| e.contains("the receiver answered")),
            "{error:?}"
        );
    }
    assert_eq!(attempts(delivery)[3].1, None);
    // The same delivery each time, so a receiver can tell a retry from a new event.
    let received = receiver.received();
    assert_eq!(received.len(), 4);
    let ids: Vec<&str> = received
        .iter()
        .map(|r| r.headers["x-vow-delivery"].to_str().unwrap())
        .collect();
    let expected = delivery["id"].to_string();
    assert!(ids.iter().all(|i| *i == expected), "{ids:?}");
}

async fn a_failed_attempt_waits_for_its_backoff(app: TestApp) {
    let receiver = Receiver::start(vec![Reply::Status(500)]).await;
    let mut settings = settings();
    settings.webhooks.base_delay = Duration::from_secs(3600);
    settings.webhooks.max_delay = Duration::from_secs(3600);
    let broker = Broker {
        app: &app,
        settings,
    };
    let id = broker.create(hook(&receiver.url)).await;
    broker.test_event(id).await;
    let deliverer = broker.deliverer();
    assert_eq!(deliverer.deliver_due().await.unwrap(), 1);
    // Not due again until its backoff (up to an hour, jittered) has passed.
    assert_eq!(deliverer.deliver_due().await.unwrap(), 0);
    assert_eq!(receiver.received().len(), 1);
    let log = broker.log(id).await;
    assert_eq!(log[0]["status"], "pending");
    assert_eq!(log[0]["attempts"], 1);
    let started: chrono::DateTime<chrono::Utc> = log[0]["log"][0]["started_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let next: chrono::DateTime<chrono::Utc> =
        log[0]["next_attempt_at"].as_str().unwrap().parse().unwrap();
    assert!(next > started, "{next} after {started}");
    assert!(
        next <= chrono::Utc::now() + chrono::Duration::seconds(3600),
        "{next}: never beyond the max delay"
    );
}

async fn a_delivery_that_never_succeeds_is_marked_failed(app: TestApp) {
    let receiver = Receiver::start(vec![Reply::Status(500); 10]).await;
    let mut settings = settings();
    settings.webhooks.max_attempts = 3;
    let broker = Broker {
        app: &app,
        settings,
    };
    let id = broker.create(hook(&receiver.url)).await;
    broker.test_event(id).await;
    let log = broker.deliver_all(id).await;
    assert_eq!(log[0]["status"], "failed", "{:#}", log[0]);
    assert_eq!(log[0]["attempts"], 3);
    assert!(log[0]["finished_at"].is_string());
    assert!(log[0]["next_attempt_at"].is_null());
    assert_eq!(receiver.received().len(), 3, "no attempt after the last");
}

async fn a_stalling_receiver_times_out_and_the_next_attempt_recovers(app: TestApp) {
    let receiver = Receiver::start(vec![Reply::Stall(Duration::from_secs(60))]).await;
    let mut settings = settings();
    settings.webhooks.attempt_timeout = Duration::from_millis(300);
    let broker = Broker {
        app: &app,
        settings,
    };
    let id = broker.create(hook(&receiver.url)).await;
    broker.test_event(id).await;
    let started = Instant::now();
    let log = broker.deliver_all(id).await;
    // A receiver that stalls for a minute does not hold the worker for a minute.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    let delivery = &log[0];
    assert_eq!(delivery["status"], "succeeded", "{delivery:#}");
    let tries = attempts(delivery);
    assert_eq!(tries.len(), 2);
    assert_eq!(tries[0].0, None);
    assert!(
        tries[0]
            .1
            .as_deref()
            .is_some_and(|e| e.contains("did not answer within 300 ms")),
        "{tries:?}"
    );
    assert_eq!(tries[1], (Some(200), None));
}

async fn redirects_are_logged_and_never_followed(app: TestApp) {
    let receiver = Receiver::start(Vec::new()).await;
    let elsewhere = receiver.url.replace("/hook", "/elsewhere");
    receiver.script.replies.lock().unwrap().extend([
        Reply::Redirect(302, "http://169.254.169.254/latest/meta-data/".to_owned()),
        Reply::Redirect(307, elsewhere.clone()),
    ]);
    let mut settings = settings();
    settings.webhooks.max_attempts = 2;
    let broker = Broker {
        app: &app,
        settings,
    };
    let id = broker.create(hook(&receiver.url)).await;
    broker.test_event(id).await;
    let log = broker.deliver_all(id).await;
    assert_eq!(log[0]["status"], "failed", "{:#}", log[0]);
    let tries = attempts(&log[0]);
    assert_eq!(tries[0].0, Some(302));
    assert_eq!(tries[1].0, Some(307));
    let first = tries[0].1.clone().unwrap();
    assert!(
        first.contains("http://169.254.169.254/latest/meta-data/"),
        "{first}"
    );
    assert!(first.contains("never follow redirects"), "{first}");
    assert!(
        tries[1].1.as_deref().unwrap().contains(&elsewhere),
        "{tries:?}"
    );
    let paths: Vec<String> = receiver.received().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        paths,
        ["/hook", "/hook"],
        "the redirect target was never asked"
    );
}

async fn events_are_raised_exactly_when_they_should_be(app: TestApp) {
    let broker = Broker {
        app: &app,
        settings: settings(),
    };
    let all = json!({
        "events": ["contract_content_changed", "verification_published", "verification_failed",
                   "deployment_recorded"],
        "url": "http://127.0.0.1:9/never-delivered",
    });
    let id = broker.create(all).await;
    let publish = |version: &'static str, body: Value| {
        let broker = &broker;
        async move {
            let path = format!(
                "/api/v1/services/checkout-web/versions/{version}/contracts/payments-gateway"
            );
            let answer = broker.call(Method::PUT, &path, Some(&body)).await;
            assert!(answer.status.is_success(), "{}", answer.body);
            answer.body["hash"].as_str().unwrap().to_owned()
        }
    };
    // The first contract of the pair is new content.
    let first = publish("1.0.0", contract()).await;
    assert_eq!(broker.events(id).await, ["contract_content_changed"]);
    // The same content under a new version, and the same publication again: no change.
    publish("1.0.1", contract()).await;
    publish("1.0.1", contract()).await;
    assert_eq!(broker.events(id).await, ["contract_content_changed"]);
    // Other content: a change, carrying both hashes.
    let second = publish("1.1.0", changed_contract()).await;
    assert_eq!(broker.events(id).await.len(), 2);
    let stored = app
        .store
        .claim_deliveries(chrono::Utc::now(), chrono::Utc::now(), 100)
        .await
        .unwrap();
    let changed = stored
        .iter()
        .map(|d| serde_json::from_str::<Value>(&d.payload).unwrap())
        .find(|p| p["consumer_version"] == "1.1.0")
        .expect("the change of 1.1.0");
    assert_eq!(
        changed,
        json!({
            "consumer": "checkout-web",
            "consumer_version": "1.1.0",
            "provider": "payments-gateway",
            "contract_hash": second,
            "previous_contract_hash": first,
        })
    );
    // Verification results: every one is published, only failures are failed.
    let verify = |passed: bool| {
        let broker = &broker;
        let hash = second.clone();
        async move {
            let mut body = json!({ "contract_hash": hash, "passed": passed });
            if !passed {
                body["failed_dimensions"] = json!(["errors"]);
            }
            let answer = broker
                .call(
                    Method::POST,
                    "/api/v1/services/payments-gateway/versions/2.0.0/verifications",
                    Some(&body),
                )
                .await;
            assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        }
    };
    verify(true).await;
    assert_eq!(broker.events(id).await[2..], ["verification_published"]);
    verify(false).await;
    assert_eq!(
        broker.events(id).await[3..],
        ["verification_published", "verification_failed"]
    );
    // A deployment, and the same deployment again (no change, no event).
    broker
        .call(
            Method::PUT,
            "/api/v1/environments/production",
            Some(&json!({})),
        )
        .await;
    let deployment = json!({ "service": "checkout-web", "version": "1.1.0" });
    for _ in 0..2 {
        let answer = broker
            .call(
                Method::POST,
                "/api/v1/environments/production/deployments",
                Some(&deployment),
            )
            .await;
        assert!(answer.status.is_success(), "{}", answer.body);
    }
    assert_eq!(broker.events(id).await[5..], ["deployment_recorded"]);
    assert_eq!(broker.events(id).await.len(), 6);
}

async fn filters_pick_the_webhooks_an_event_reaches(app: TestApp) {
    let broker = Broker {
        app: &app,
        settings: settings(),
    };
    let url = "http://127.0.0.1:9/x";
    let events = json!(["contract_content_changed"]);
    let ours = broker
        .create(json!({ "events": events, "url": url, "provider": "payments-gateway", "consumer": "checkout-web" }))
        .await;
    let other_provider = broker
        .create(json!({ "events": events, "url": url, "provider": "inventory" }))
        .await;
    let other_event = broker
        .create(json!({ "events": ["deployment_recorded"], "url": url }))
        .await;
    let disabled = broker
        .create(json!({ "events": events, "url": url, "enabled": false }))
        .await;
    let answer = broker
        .call(
            Method::PUT,
            "/api/v1/services/checkout-web/versions/1.0.0/contracts/payments-gateway",
            Some(&contract()),
        )
        .await;
    assert!(answer.status.is_success(), "{}", answer.body);
    assert_eq!(broker.events(ours).await, ["contract_content_changed"]);
    for id in [other_provider, other_event, disabled] {
        assert!(broker.events(id).await.is_empty(), "webhook {id}");
    }
}

async fn the_sunset_sweep_raises_each_threshold_once(app: TestApp) {
    let broker = Broker {
        app: &app,
        settings: settings(),
    };
    publish_contract(&app, "7.0.0", None).await;
    publish_spec(&app, "1.0.0", "shop-api.yaml").await;
    deploy(&app, "shop-api", "1.0.0").await;
    deploy(&app, "mobile-app", "7.0.0").await;
    let webhooks = &broker.settings.webhooks;
    let at = |date: &str| -> chrono::NaiveDate { date.parse().unwrap() };
    // One sweep of the sunset thresholds on `day`, with the number of events it raised.
    let sweep = |day: &str| sweep_sunsets(&app.store, webhooks, at(day));
    // Nobody listens yet: nothing is raised, and nothing is remembered as raised.
    assert_eq!(sweep("2027-06-10").await.unwrap(), 0);
    let id = broker
        .create(json!({ "events": ["deprecation_sunset_near"], "url": "http://127.0.0.1:9/x" }))
        .await;
    // The summary endpoint's sunset is 2027-06-30: 40 days before, no threshold is crossed.
    assert_eq!(sweep("2027-05-21").await.unwrap(), 0);
    // 20 days before: the 30-day threshold, once however often the sweep runs.
    assert_eq!(sweep("2027-06-10").await.unwrap(), 1);
    assert_eq!(sweep("2027-06-10").await.unwrap(), 0);
    assert_eq!(sweep("2027-06-12").await.unwrap(), 0);
    // 5 days before: the 7-day threshold.
    assert_eq!(sweep("2027-06-25").await.unwrap(), 1);
    assert_eq!(sweep("2027-06-26").await.unwrap(), 0);
    assert_eq!(
        broker.events(id).await,
        ["deprecation_sunset_near", "deprecation_sunset_near"]
    );
    let claimed = app
        .store
        .claim_deliveries(chrono::Utc::now(), chrono::Utc::now(), 10)
        .await
        .unwrap();
    let mut payloads: Vec<Value> = claimed
        .iter()
        .map(|d| serde_json::from_str(&d.payload).unwrap())
        .collect();
    payloads.sort_by_key(|p| p["days_left"].as_i64());
    assert_eq!(
        payloads[1],
        json!({
            "environment": "production",
            "provider": "shop-api",
            "provider_version": "1.0.0",
            "consumer": "mobile-app",
            "consumer_version": "7.0.0",
            "interaction": "get-cart-summary",
            "element": "GET /carts/{cartId}/summary",
            "sunset": "2027-06-30",
            "days_left": 20,
            "threshold_days": 30,
        })
    );
    assert_eq!(payloads[0]["days_left"], 5);
    assert_eq!(payloads[0]["threshold_days"], 7);
}

async fn templated_bodies_and_headers_arrive_exactly_and_signed(app: TestApp) {
    let receiver = Receiver::start(Vec::new()).await;
    let broker = Broker {
        app: &app,
        settings: settings(),
    };
    let id = broker
        .create(json!({
            "events": ["deployment_recorded"],
            "url": receiver.url,
            "method": "put",
            "headers": {
                "X-Service": "{{ service }}@{{ version }}",
                "Authorization": "Bearer tok-123",
                "X-Api-Key": { "value": "key-456", "secret": true },
            },
            "body": "{\"text\": {{ (service ~ ' \"' ~ version ~ '\" reached ' ~ environment)|tojson }}, \"link\": {{ (broker_url ~ '/api/v1/environments/' ~ environment)|tojson }}}",
            "secret": "signing-secret",
        }))
        .await;
    broker
        .call(
            Method::PUT,
            "/api/v1/services/checkout-web/versions/1.0.0",
            Some(&json!({})),
        )
        .await;
    broker
        .call(
            Method::PUT,
            "/api/v1/environments/production",
            Some(&json!({})),
        )
        .await;
    let answer = broker
        .call(
            Method::POST,
            "/api/v1/environments/production/deployments",
            Some(&json!({ "service": "checkout-web", "version": "1.0.0" })),
        )
        .await;
    assert!(answer.status.is_success(), "{}", answer.body);
    let log = broker.deliver_all(id).await;
    assert_eq!(log[0]["status"], "succeeded", "{:#}", log[0]);
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(
        request.body,
        r#"{"text": "checkout-web \"1.0.0\" reached production", "link": "https://broker.example/api/v1/environments/production"}"#
    );
    let parsed: Value = serde_json::from_str(&request.body).expect("the body is JSON");
    assert_eq!(parsed["text"], "checkout-web \"1.0.0\" reached production");
    let header = |name: &str| request.headers[name].to_str().unwrap().to_owned();
    assert_eq!(header("x-service"), "checkout-web@1.0.0");
    assert_eq!(header("authorization"), "Bearer tok-123");
    assert_eq!(header("x-api-key"), "key-456");
    assert_eq!(header("content-type"), "application/json");
    assert_eq!(header("x-vow-event"), "deployment_recorded");
    // The signature is the HMAC-SHA256 of the exact body under the secret.
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"signing-secret");
    let signature = header("x-vow-signature");
    let hex = signature.strip_prefix("sha256=").expect("sha256=");
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    ring::hmac::verify(&key, request.body.as_bytes(), &bytes).expect("the signature verifies");
    assert!(ring::hmac::verify(&key, b"another body", &bytes).is_err());
}

async fn secrets_never_appear_in_answers_or_the_log(app: TestApp) {
    let receiver = Receiver::start(vec![Reply::Status(500)]).await;
    let broker = Broker {
        app: &app,
        settings: settings(),
    };
    let created = broker
        .call(
            Method::POST,
            "/api/v1/webhooks",
            Some(&json!({
                "events": ["deployment_recorded"],
                "url": receiver.url,
                "headers": { "Authorization": "Bearer hunter2", "X-Plain": "visible" },
                "secret": "s3cr3t-signing",
            })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(created.body["secret"], "***");
    assert_eq!(
        created.body["headers"],
        json!({
            "Authorization": { "value": "***", "secret": true },
            "X-Plain": { "value": "visible", "secret": false },
        })
    );
    // Replacing with "***" keeps the stored secrets.
    let replaced = broker
        .call(
            Method::PUT,
            &format!("/api/v1/webhooks/{id}"),
            Some(&json!({
                "events": ["deployment_recorded"],
                "url": receiver.url,
                "headers": { "Authorization": "***", "X-Plain": "visible" },
                "secret": "***",
            })),
        )
        .await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.body);
    broker.test_event(id).await;
    let log = broker.deliver_all(id).await;
    let received = receiver.received();
    assert_eq!(received[0].headers["authorization"], "Bearer hunter2");
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"s3cr3t-signing");
    let hex = received[0].headers["x-vow-signature"].to_str().unwrap()[7..].to_owned();
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    ring::hmac::verify(&key, received[0].body.as_bytes(), &bytes).expect("still signed");
    let answers = [
        created.body.to_string(),
        replaced.body.to_string(),
        broker
            .call(Method::GET, "/api/v1/webhooks", None)
            .await
            .body
            .to_string(),
        broker
            .call(Method::GET, &format!("/api/v1/webhooks/{id}"), None)
            .await
            .body
            .to_string(),
        serde_json::to_string(&log).unwrap(),
    ];
    for text in &answers {
        for secret in ["hunter2", "s3cr3t-signing"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
    // Nor in the database, which holds them sealed.
    let stored = app.store.webhook(id).await.unwrap().unwrap();
    let row = format!("{stored:?}");
    assert!(
        !row.contains("hunter2") && !row.contains("s3cr3t-signing"),
        "{row}"
    );
}

async fn bad_webhooks_are_refused_naming_the_field(app: TestApp) {
    let broker = Broker {
        app: &app,
        settings: settings(),
    };
    let url = "https://hooks.example.com/x";
    let cases = [
        (json!({ "events": [], "url": url }), "/events"),
        (
            json!({ "events": ["contract_published"], "url": url }),
            "/events/0",
        ),
        (json!({ "events": ["test"], "url": url }), "/events/0"),
        (
            json!({ "events": ["deployment_recorded"], "url": "not a url" }),
            "/url",
        ),
        (
            json!({ "events": ["deployment_recorded"], "url": "ftp://example.com/" }),
            "/url",
        ),
        (
            json!({ "events": ["deployment_recorded"], "url": url, "method": "TRACE" }),
            "/method",
        ),
        (
            json!({ "events": ["deployment_recorded"], "url": url, "body": "{{ service " }),
            "/body",
        ),
        // A variable of another event than the subscribed one.
        (
            json!({ "events": ["deployment_recorded"], "url": url, "body": "{{ contract_hash }}" }),
            "/body",
        ),
        (
            json!({ "events": ["deployment_recorded"], "url": url, "headers": { "X-A": "{{ nope }}" } }),
            "/headers/X-A",
        ),
        (
            json!({ "events": ["deployment_recorded"], "url": url, "headers": { "X-Vow-Event": "x" } }),
            "/headers/X-Vow-Event",
        ),
        (
            json!({ "events": ["deployment_recorded"], "url": url, "secret": "***" }),
            "/secret",
        ),
    ];
    for (body, pointer) in cases {
        let answer = broker
            .call(Method::POST, "/api/v1/webhooks", Some(&body))
            .await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            answer.body
        );
        assert_eq!(answer.body["code"], "invalid_webhook", "{}", answer.body);
        assert_eq!(answer.body["pointer"], pointer, "{body}: {}", answer.body);
    }
    let message = broker
        .call(
            Method::POST,
            "/api/v1/webhooks",
            Some(&json!({ "events": ["deployment_recorded"], "url": url, "body": "{{ contract_hash }}" })),
        )
        .await;
    assert!(
        message.body["message"]
            .as_str()
            .unwrap()
            .contains("contract_hash"),
        "{}",
        message.body
    );
    // A misspelt `secret` would store the value in clear: refused.
    let answer = broker
        .call(
            Method::POST,
            "/api/v1/webhooks",
            Some(&json!({ "events": ["deployment_recorded"], "url": url,
                          "headers": { "X-Key": { "value": "k", "secrte": true } } })),
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    assert_eq!(answer.body["pointer"], "/headers/X-Key", "{}", answer.body);
    // The body's JSON shape is a 400, as everywhere in the API.
    let answer = broker
        .call(
            Method::POST,
            "/api/v1/webhooks",
            Some(&json!({ "events": "all", "url": url })),
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    assert_eq!(answer.body["pointer"], "/events");
    // Unknown webhooks and ids that are not ids.
    assert_eq!(
        broker
            .call(Method::GET, "/api/v1/webhooks/999", None)
            .await
            .body["code"],
        "webhook_not_found"
    );
    assert_eq!(
        broker
            .call(Method::DELETE, "/api/v1/webhooks/abc", None)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert!(
        broker
            .call(Method::GET, "/api/v1/webhooks", None)
            .await
            .body["webhooks"]
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing was stored"
    );
}

async fn private_targets_are_refused_literally_and_when_resolved(app: TestApp) {
    let receiver = Receiver::start(Vec::new()).await;
    let guarded = Broker {
        app: &app,
        settings: settings_with(AddressGuard::default()),
    };
    for url in [
        "http://127.0.0.1:8080/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/x",
        "http://[::1]/x",
        "http://[::ffff:192.168.0.1]/x",
        "http://[fd00::1]/x",
        "http://100.64.0.1/x",
    ] {
        let answer = guarded
            .call(Method::POST, "/api/v1/webhooks", Some(&hook(url)))
            .await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url}: {}",
            answer.body
        );
        assert_eq!(answer.body["pointer"], "/url", "{}", answer.body);
        assert!(
            answer.body["message"]
                .as_str()
                .unwrap()
                .contains("--webhook-allow-private"),
            "{}",
            answer.body
        );
    }
    // A name is resolved at delivery: localhost is loopback, refused, logged, not retried.
    let by_name = receiver.url.replace("127.0.0.1", "localhost");
    let id = guarded.create(hook(&by_name)).await;
    guarded.test_event(id).await;
    let log = guarded.deliver_all(id).await;
    assert_eq!(log[0]["status"], "failed", "{:#}", log[0]);
    assert_eq!(log[0]["attempts"], 1, "a refusal is not retried");
    let error = attempts(&log[0])[0].1.clone().unwrap();
    assert!(error.starts_with("refused: localhost is "), "{error}");
    assert!(error.contains("loopback"), "{error}");
    assert!(
        receiver.received().is_empty(),
        "nothing reached the receiver"
    );
    // With an allowlist, only the listed hosts.
    let listed = Broker {
        app: &app,
        settings: settings_with(AddressGuard {
            allow_private: true,
            allowed_hosts: vec!["hooks.example.com".to_owned()],
        }),
    };
    let answer = listed
        .call(Method::POST, "/api/v1/webhooks", Some(&hook(&receiver.url)))
        .await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    assert!(
        answer.body["message"]
            .as_str()
            .unwrap()
            .contains("allowlist"),
        "{}",
        answer.body
    );
    listed.create(hook("https://hooks.example.com/vow")).await;
}

async fn the_outbox_survives_a_restart_and_shutdown_gives_deliveries_back(app: TestApp) {
    let receiver = Receiver::start(vec![Reply::Stall(Duration::from_secs(60))]).await;
    let broker = Broker {
        app: &app,
        settings: settings(),
    };
    let id = broker.create(hook(&receiver.url)).await;
    broker.test_event(id).await;
    // A broker starts, begins the delivery, and is stopped while the receiver stalls.
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = tokio::spawn(vow_broker::serve(
        listener,
        app.store.clone(),
        broker.settings.clone(),
        async {
            stopped.await.ok();
        },
    ));
    let start = Instant::now();
    while receiver.received().is_empty() {
        assert!(
            start.elapsed() < DEADLINE,
            "the worker never sent the delivery"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.send(()).unwrap();
    tokio::time::timeout(DEADLINE, server)
        .await
        .expect("serve returns without waiting for the stalled receiver")
        .unwrap()
        .unwrap();
    // The delivery is still there, unattempted, and due at once.
    let restarted = app.reopen().await;
    let broker = Broker {
        app: &restarted,
        settings: settings(),
    };
    let log = broker.log(id).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["status"], "pending");
    assert_eq!(log[0]["attempts"], 0);
    let log = broker.deliver_all(id).await;
    assert_eq!(log[0]["status"], "succeeded", "{:#}", log[0]);
    assert_eq!(receiver.received().len(), 2);
}

async fn the_delivery_log_is_paged(app: TestApp) {
    let broker = Broker {
        app: &app,
        settings: settings(),
    };
    let id = broker.create(hook("http://127.0.0.1:9/x")).await;
    for _ in 0..5 {
        broker.test_event(id).await;
    }
    let page = |query: String| {
        let broker = &broker;
        async move {
            let answer = broker
                .call(
                    Method::GET,
                    &format!("/api/v1/webhooks/{id}/deliveries{query}"),
                    None,
                )
                .await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
            answer.body
        }
    };
    let first = page("?limit=2".to_owned()).await;
    let next = first["next"].as_i64().expect("a next page");
    let second = page(format!("?limit=2&before={next}")).await;
    let third = page(format!("?limit=2&before={}", second["next"])).await;
    let ids: Vec<i64> = [&first, &second, &third]
        .iter()
        .flat_map(|p| {
            p["deliveries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["id"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(ids.len(), 5);
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    assert!(third["next"].is_null());
    let bad = broker
        .call(
            Method::GET,
            &format!("/api/v1/webhooks/{id}/deliveries?limit=0"),
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

async fn two_workers_never_send_the_same_delivery(app: TestApp) {
    let receiver = Receiver::start(Vec::new()).await;
    let mut settings = settings();
    settings.webhooks.batch = 3;
    let broker = Broker {
        app: &app,
        settings,
    };
    let id = broker.create(hook(&receiver.url)).await;
    for _ in 0..20 {
        broker.test_event(id).await;
    }
    // Two brokers on one database, each with its own worker, drain the outbox together.
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let deliverer = broker.deliverer();
            tokio::spawn(async move {
                let mut sent = 0;
                loop {
                    let n = deliverer.deliver_due().await.expect("deliver");
                    if n == 0 {
                        return sent;
                    }
                    sent += n;
                }
            })
        })
        .collect();
    let mut sent = 0;
    for worker in workers {
        sent += tokio::time::timeout(DEADLINE, worker)
            .await
            .unwrap()
            .unwrap();
    }
    assert_eq!(sent, 20);
    let mut ids: Vec<String> = receiver
        .received()
        .iter()
        .map(|r| r.headers["x-vow-delivery"].to_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 20);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20, "each delivery was sent once");
    assert!(
        broker
            .log(id)
            .await
            .iter()
            .all(|d| d["status"] == "succeeded" && d["attempts"] == 1)
    );
}
