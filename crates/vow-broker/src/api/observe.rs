//! What the broker tells its operators about every request: a request id (the client's
//! `x-request-id` when it is sane, a fresh UUID otherwise) returned in `x-request-id`, a span
//! carrying it so that every log event of the request names it, one log event per answered
//! request, and the request metrics.

use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Response};
use axum::middleware::{Next, from_fn_with_state, map_request};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::Span;

use super::router::AppState;
use crate::metrics::{Metrics, UNMATCHED_ROUTE};

/// The header that carries the request id both ways.
pub const REQUEST_ID: &str = "x-request-id";

/// The longest request id taken from a client.
const MAX_REQUEST_ID: usize = 128;

/// Wraps every route (and the fallback) of `router` in the request id, the span, the request log
/// and the metrics. Outermost first: a client's insane id is dropped, an id is made if none is
/// left, it is copied to the answer, the span opens, and the metrics time the rest.
pub(super) fn observe(router: Router<AppState>, metrics: Metrics) -> Router<AppState> {
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request| {
            let id = request
                .headers()
                .get(REQUEST_ID)
                .and_then(|id| id.to_str().ok())
                .unwrap_or_default();
            // At error level so that the span, and with it the request id, is there whenever any
            // event of the request is logged, whatever the filter.
            tracing::error_span!(
                "request",
                request_id = %id,
                method = %request.method(),
                route = %route(request).unwrap_or(UNMATCHED_ROUTE),
            )
        })
        .on_request(())
        .on_response(
            |response: &Response<axum::body::Body>, latency: Duration, _: &Span| {
                let status = response.status().as_u16();
                // Milliseconds with microsecond precision.
                let latency_ms = (latency.as_secs_f64() * 1e6).round() / 1e3;
                if response.status().is_server_error() {
                    tracing::warn!(status, latency_ms, "answered");
                } else {
                    tracing::info!(status, latency_ms, "answered");
                }
            },
        )
        .on_body_chunk(())
        .on_eos(())
        // A 5xx is already logged by `on_response` (and its cause where it arose).
        .on_failure(());
    router
        .layer(from_fn_with_state(metrics, record))
        .layer(trace)
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(map_request(drop_insane_request_id))
}

/// The matched route template, such as `/api/v1/services/{service}`.
fn route(request: &Request) -> Option<&str> {
    request
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
}

/// Counts the request and times it, by route template.
async fn record(
    State(metrics): State<Metrics>,
    request: Request,
    next: Next,
) -> Response<axum::body::Body> {
    let started = Instant::now();
    let method = request.method().clone();
    let route = route(&request).map(str::to_owned);
    let response = next.run(request).await;
    metrics.request(
        &method,
        route.as_deref(),
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// Removes a client's request id that is empty, too long or not visible ASCII, so that a fresh
/// one is made: ids end up in logs and headers, where control characters and unbounded lengths
/// do not belong.
async fn drop_insane_request_id(mut request: Request) -> Request {
    let mut ids = request.headers().get_all(REQUEST_ID).iter();
    // Exactly one, and sane; two ids would be ambiguous.
    let keep = matches!((ids.next(), ids.next()), (Some(id), None) if is_sane(id));
    if !keep {
        request.headers_mut().remove(REQUEST_ID);
    }
    request
}

fn is_sane(id: &HeaderValue) -> bool {
    let bytes = id.as_bytes();
    (1..=MAX_REQUEST_ID).contains(&bytes.len()) && bytes.iter().all(u8::is_ascii_graphic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sane_ids_are_short_visible_ascii() {
        let sane = |id: &[u8]| is_sane(&HeaderValue::from_bytes(id).unwrap());
        assert!(sane(b"3f2c9e1a-build-7"));
        assert!(sane(&[b'a'; MAX_REQUEST_ID]));
        assert!(!sane(&[b'a'; MAX_REQUEST_ID + 1]));
        assert!(!sane(b""));
        assert!(!sane(b"two words"));
        assert!(!sane(b"tab\there"));
        assert!(!sane("caf\u{e9}".as_bytes()));
    }
}
