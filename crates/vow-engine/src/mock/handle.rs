//! Answering one request: the control API under `/_vow/`, else the interaction the request
//! matches (degraded when a rehearsal says so), else a 404 that names the closest interactions.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::SystemTime;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Body as _, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};
use vow_core::Finding;
use vow_core::mock::generate::Generation;
use vow_core::mock::{
    Degradation, MockMatch, MockRequest, Pin, RehearsalMode, Share, match_request,
};
use vow_core::rules;

use super::state::{Mock, Wire};

/// The prefix of the control API; requests under it are never matched against interactions.
pub const CONTROL_PREFIX: &str = "/_vow/";

/// How long a client may take to send a request body.
const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A body announced (by `Content-Length`) larger than the limit.
#[derive(Debug, thiserror::Error)]
#[error("the announced body is larger than the limit")]
struct TooLarge;

/// Largest control API request body.
const MAX_CONTROL_BODY: usize = 64 * 1024;

/// The current time, for generated dates. The mock's only clock reading besides waits.
pub(super) fn now() -> DateTime<Utc> {
    DateTime::<Utc>::from(SystemTime::now())
}

pub(super) async fn handle(mock: Arc<Mock>, request: Request<Incoming>) -> Response<Full<Bytes>> {
    if request.uri().path().starts_with(CONTROL_PREFIX) {
        return control(&mock, request).await;
    }
    mock.requests.fetch_add(1, Ordering::Relaxed);
    let (parts, body) = request.into_parts();
    // A body announced larger than the limit is refused before it is read; one that turns out
    // larger, or that the client sends too slowly, is refused when that shows.
    let announced_too_large = usize::try_from(body.size_hint().lower()).unwrap_or(usize::MAX)
        > mock.options.max_body_bytes;
    let read = async {
        if announced_too_large {
            return Err(Box::new(TooLarge) as BoxError);
        }
        match tokio::time::timeout(
            BODY_TIMEOUT,
            Limited::new(body, mock.options.max_body_bytes).collect(),
        )
        .await
        {
            Ok(collected) => collected.map(|c| c.to_bytes()),
            Err(elapsed) => Err(Box::new(elapsed) as BoxError),
        }
    };
    let body = match read.await {
        Ok(bytes) => bytes,
        Err(e) => {
            let too_large = e.is::<http_body_util::LengthLimitError>() || e.is::<TooLarge>();
            let (rule, status, message) = if too_large {
                (
                    rules::MOCK_REQUEST_BODY_TOO_LARGE,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!(
                        "the request body of {} {} is larger than {} bytes",
                        parts.method,
                        parts.uri.path(),
                        mock.options.max_body_bytes
                    ),
                )
            } else {
                (
                    rules::MOCK_UNMATCHED_REQUEST,
                    StatusCode::BAD_REQUEST,
                    format!(
                        "the request body of {} {} could not be read: {e}",
                        parts.method,
                        parts.uri.path()
                    ),
                )
            };
            lock(&mock.record).findings(vec![Finding::new(rule, "/request/body", message.clone())]);
            return problem(status, "vow_mock_bad_request", &message, Value::Null);
        }
    };
    let request = MockRequest {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: body.to_vec(),
    };
    let (pin, mode, share) = {
        let control = mock.control.read().unwrap_or_else(|e| e.into_inner());
        (control.pin.clone(), control.mode, control.share)
    };
    match match_request(&mock.index, &request, &pin) {
        MockMatch::Matched {
            interaction,
            findings,
        } => {
            if !findings.is_empty() {
                lock(&mock.record).findings(findings);
            }
            let Some(position) = mock.index.position(interaction) else {
                return problem(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "vow_mock_internal",
                    "the matched interaction is not prepared",
                    Value::Null,
                );
            };
            let prepared = &mock.prepared[position];
            let n = prepared.counters.requests.fetch_add(1, Ordering::Relaxed) + 1;
            if mode != RehearsalMode::Off && share.degrades(n) {
                let j = prepared.counters.degraded.fetch_add(1, Ordering::Relaxed) + 1;
                match prepared.plan.degradation(mode, j) {
                    Some(Degradation::Error(index)) => {
                        if let Some(error) = prepared.plan.error_response(index) {
                            prepared.counters.errors.fetch_add(1, Ordering::Relaxed);
                            return wire(Wire::of(error));
                        }
                    }
                    Some(Degradation::Delay {
                        wait,
                        beyond_timeout,
                    }) => {
                        let counter = if beyond_timeout {
                            &prepared.counters.beyond_timeout
                        } else {
                            &prepared.counters.delays
                        };
                        counter.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(wait).await;
                    }
                    None => {}
                }
            }
            match &prepared.fixed {
                Some(fixed) => wire(fixed.clone()),
                None => {
                    let response = {
                        let mut rng = lock(&mock.rng);
                        prepared.template.render(&mut Generation {
                            rng: &mut *rng,
                            now: now(),
                        })
                    };
                    wire(Wire::of(response))
                }
            }
        }
        MockMatch::Unmatched { closest } => {
            let message = format!("no interaction matches {} {}", request.method, request.path);
            let detail = json!(closest);
            lock(&mock.record).unmatched(
                &request.method,
                &request.path,
                request.query.as_deref(),
                closest,
            );
            problem(
                StatusCode::NOT_FOUND,
                "vow_mock_unmatched",
                &message,
                detail,
            )
        }
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn wire(w: Wire) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(w.body));
    *response.status_mut() = w.status;
    *response.headers_mut() = w.headers;
    response
}

/// The mock's own answers (unmatched requests, control API errors): problem details with a
/// stable `code`.
fn problem(status: StatusCode, code: &str, message: &str, closest: Value) -> Response<Full<Bytes>> {
    let mut body = json!({
        "type": "about:blank",
        "title": message,
        "status": status.as_u16(),
        "code": code,
    });
    if !closest.is_null() {
        body["closest"] = closest;
    }
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

fn json_response(status: StatusCode, body: &Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// The control API (docs/cli.md, "Control API").
async fn control(mock: &Mock, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let body = match Limited::new(request.into_body(), MAX_CONTROL_BODY)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "control API bodies are at most 64 KiB",
                Value::Null,
            );
        }
    };
    // Boxed: a response is large, and these are the rare, bad requests.
    let read = |body: &Bytes| -> Result<Value, Box<Response<Full<Bytes>>>> {
        if body.is_empty() {
            return Ok(Value::Object(serde_json::Map::new()));
        }
        serde_json::from_slice(body).map_err(|e| {
            Box::new(problem(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                &format!("the body is not JSON: {e}"),
                Value::Null,
            ))
        })
    };
    match (&method, path.trim_start_matches(CONTROL_PREFIX)) {
        (&Method::GET, "report") => json_response(
            StatusCode::OK,
            &serde_json::to_value(mock.report()).unwrap_or_default(),
        ),
        (&Method::GET, "rehearsal") => json_response(StatusCode::OK, &rehearsal_json(mock)),
        (&Method::PUT, "rehearsal") => {
            let body = match read(&body) {
                Ok(b) => b,
                Err(r) => return *r,
            };
            let mode = match body.get("mode") {
                None => None,
                Some(Value::String(m)) => match RehearsalMode::from_name(m) {
                    Some(m) => Some(m),
                    None => return bad("/mode", "one of off, errors, latency, all", &body["mode"]),
                },
                Some(other) => return bad("/mode", "one of off, errors, latency, all", other),
            };
            let share = match body.get("share") {
                None => None,
                Some(v) => match v.as_f64().and_then(Share::new) {
                    Some(s) => Some(s),
                    None => return bad("/share", "a number from 0 to 1", v),
                },
            };
            {
                let mut control = mock.control.write().unwrap_or_else(|e| e.into_inner());
                if let Some(mode) = mode {
                    control.mode = mode;
                }
                if let Some(share) = share {
                    control.share = share;
                }
            }
            json_response(StatusCode::OK, &rehearsal_json(mock))
        }
        (&Method::GET, "pin") => json_response(StatusCode::OK, &pin_json(mock)),
        (&Method::PUT, "pin") => {
            let body = match read(&body) {
                Ok(b) => b,
                Err(r) => return *r,
            };
            let text = |key: &str| -> Result<Option<String>, Box<Response<Full<Bytes>>>> {
                match body.get(key) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::String(s)) => Ok(Some(s.clone())),
                    Some(other) => Err(Box::new(bad(&format!("/{key}"), "a string", other))),
                }
            };
            let pin = match (text("interaction"), text("state")) {
                (Ok(interaction), Ok(state)) => Pin { interaction, state },
                (Err(r), _) | (_, Err(r)) => return *r,
            };
            if let Some(name) = &pin.interaction
                && mock.index.named(name).next().is_none()
            {
                return problem(
                    StatusCode::NOT_FOUND,
                    "interaction_not_found",
                    &format!("no contract of this mock has the interaction {name:?}"),
                    Value::Null,
                );
            }
            mock.control.write().unwrap_or_else(|e| e.into_inner()).pin = pin;
            json_response(StatusCode::OK, &pin_json(mock))
        }
        (&Method::DELETE, "pin") => {
            mock.control.write().unwrap_or_else(|e| e.into_inner()).pin = Pin::default();
            json_response(StatusCode::OK, &pin_json(mock))
        }
        (&Method::POST, "reset") => {
            mock.reset();
            json_response(StatusCode::OK, &json!({"reset": true}))
        }
        (&Method::POST, "stop") => {
            mock.stop.send_replace(true);
            json_response(StatusCode::ACCEPTED, &json!({"stopping": true}))
        }
        (_, "report" | "rehearsal" | "pin" | "reset" | "stop") => problem(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            &format!("{method} is not allowed on {path}"),
            Value::Null,
        ),
        _ => problem(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("the control API has no {path}; see `vow mock --help`"),
            Value::Null,
        ),
    }
}

fn bad(pointer: &str, expected: &str, found: &Value) -> Response<Full<Bytes>> {
    problem(
        StatusCode::BAD_REQUEST,
        "invalid_field",
        &format!("{pointer}: expected {expected}, found {found}"),
        Value::Null,
    )
}

fn rehearsal_json(mock: &Mock) -> Value {
    let control = mock.control.read().unwrap_or_else(|e| e.into_inner());
    json!({"mode": control.mode, "share": control.share})
}

fn pin_json(mock: &Mock) -> Value {
    let control = mock.control.read().unwrap_or_else(|e| e.into_inner());
    serde_json::to_value(&control.pin).unwrap_or_default()
}
