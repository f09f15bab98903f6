//! The broker's Prometheus metrics: requests by method, route template and status, latency by
//! route, can-I-deploy verdicts, and the database pool. Each broker holds its own [`Metrics`] in
//! its state (no process-global registry), so several brokers in one process never mix counts.
//!
//! Every label has a bounded set of values: methods outside the standard ones are `other`, routes
//! are the router's templates (`/api/v1/services/{service}`, never a raw path) or `unmatched`, and
//! statuses are three-digit codes.

use std::sync::Arc;

use axum::http::Method;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use vow_core::deploy::Verdict;

use crate::store::PoolStats;

/// The content type of [`Metrics::render`]'s text (OpenMetrics, which Prometheus reads).
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The route label of requests no route matched.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// Upper bounds of the latency buckets, in seconds: a broker answers most requests from one
/// indexed query in well under a millisecond to a few milliseconds, and a request that waits for
/// an unreachable database gives up after the pool's acquire timeout (5 s by default).
const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VerdictLabels {
    verdict: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: &'static str,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The broker's metrics. Cheap to clone: clones share one registry.
#[derive(Debug, Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    can_i_deploy: Family<VerdictLabels, Counter>,
    pool_connections: Family<PoolLabels, Gauge>,
    pool_max_connections: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// A fresh registry with every metric at zero.
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "vow_http_requests",
            "HTTP requests answered, by method, route template and status",
            requests.clone(),
        );
        let latency: LatencyFamily =
            Family::new_with_constructor(|| Histogram::new(LATENCY_BUCKETS));
        registry.register_with_unit(
            "vow_http_request_duration",
            "Time from a request's arrival to its answer, by route template",
            Unit::Seconds,
            latency.clone(),
        );
        let can_i_deploy = Family::<VerdictLabels, Counter>::default();
        registry.register(
            "vow_can_i_deploy",
            "can-I-deploy questions answered, by verdict (yes, no, unknown)",
            can_i_deploy.clone(),
        );
        let pool_connections = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "vow_db_pool_connections",
            "Open database connections of the pool, by state (idle, in_use)",
            pool_connections.clone(),
        );
        let pool_max_connections = Gauge::default();
        registry.register(
            "vow_db_pool_max_connections",
            "The most database connections the pool opens",
            pool_max_connections.clone(),
        );
        Metrics {
            inner: Arc::new(Inner {
                registry,
                requests,
                latency,
                can_i_deploy,
                pool_connections,
                pool_max_connections,
            }),
        }
    }

    /// Counts one answered request and its latency. `route` is the matched route template, or
    /// `None` when no route matched.
    pub fn request(&self, method: &Method, route: Option<&str>, status: u16, seconds: f64) {
        let route = route.unwrap_or(UNMATCHED_ROUTE).to_owned();
        self.inner
            .requests
            .get_or_create(&RequestLabels {
                method: method_label(method),
                route: route.clone(),
                status,
            })
            .inc();
        self.inner
            .latency
            .get_or_create(&RouteLabels { route })
            .observe(seconds);
    }

    /// Counts one can-I-deploy answer: `vow_can_i_deploy_total{verdict="yes|no|unknown"}`.
    pub fn can_i_deploy(&self, verdict: Verdict) {
        let verdict = match verdict {
            Verdict::Yes => "yes",
            Verdict::No => "no",
            Verdict::Unknown => "unknown",
        };
        self.inner
            .can_i_deploy
            .get_or_create(&VerdictLabels { verdict })
            .inc();
    }

    /// The OpenMetrics text of every metric, with the pool gauges read from `pool` now.
    pub fn render(&self, pool: PoolStats) -> String {
        let inner = &self.inner;
        let gauge = |state| inner.pool_connections.get_or_create(&PoolLabels { state });
        gauge("idle").set(i64::from(pool.idle));
        gauge("in_use").set(i64::from(pool.size.saturating_sub(pool.idle)));
        inner.pool_max_connections.set(i64::from(pool.max));
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &inner.registry)
            .expect("writing to a String does not fail");
        text
    }
}

/// The method label: the standard methods by name, anything else as `other`, so that a client
/// inventing methods cannot grow the label set.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of one series in the text, if it is there.
    fn sample(text: &str, series: &str) -> Option<f64> {
        text.lines()
            .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
            .and_then(|value| value.parse().ok())
    }

    fn idle_pool() -> PoolStats {
        PoolStats {
            size: 3,
            idle: 2,
            max: 4,
        }
    }

    #[test]
    fn requests_are_counted_by_method_route_template_and_status() {
        let metrics = Metrics::new();
        let route = Some("/api/v1/services/{service}");
        metrics.request(&Method::GET, route, 200, 0.002);
        metrics.request(&Method::GET, route, 200, 0.003);
        metrics.request(&Method::GET, route, 404, 0.001);
        metrics.request(&Method::from_bytes(b"BREW").unwrap(), None, 404, 0.0001);
        let text = metrics.render(idle_pool());
        let count = |series: &str| sample(&text, series);
        assert_eq!(
            count(
                r#"vow_http_requests_total{method="GET",route="/api/v1/services/{service}",status="200"}"#
            ),
            Some(2.0),
            "{text}"
        );
        assert_eq!(
            count(
                r#"vow_http_requests_total{method="GET",route="/api/v1/services/{service}",status="404"}"#
            ),
            Some(1.0),
            "{text}"
        );
        assert_eq!(
            count(r#"vow_http_requests_total{method="other",route="unmatched",status="404"}"#),
            Some(1.0),
            "{text}"
        );
        assert_eq!(
            count(r#"vow_http_request_duration_seconds_count{route="/api/v1/services/{service}"}"#),
            Some(3.0),
            "{text}"
        );
        assert_eq!(
            count(
                r#"vow_http_request_duration_seconds_bucket{le="0.0025",route="/api/v1/services/{service}"}"#
            ),
            Some(2.0),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"), "{text}");
    }

    #[test]
    fn verdicts_and_the_pool_are_reported() {
        let metrics = Metrics::new();
        metrics.can_i_deploy(Verdict::Yes);
        metrics.can_i_deploy(Verdict::Yes);
        metrics.can_i_deploy(Verdict::Unknown);
        let text = metrics.render(idle_pool());
        assert_eq!(
            sample(&text, r#"vow_can_i_deploy_total{verdict="yes"}"#),
            Some(2.0)
        );
        assert_eq!(
            sample(&text, r#"vow_can_i_deploy_total{verdict="unknown"}"#),
            Some(1.0)
        );
        assert_eq!(
            sample(&text, r#"vow_can_i_deploy_total{verdict="no"}"#),
            None
        );
        assert_eq!(
            sample(&text, r#"vow_db_pool_connections{state="idle"}"#),
            Some(2.0)
        );
        assert_eq!(
            sample(&text, r#"vow_db_pool_connections{state="in_use"}"#),
            Some(1.0)
        );
        assert_eq!(sample(&text, "vow_db_pool_max_connections"), Some(4.0));
    }

    #[test]
    fn two_brokers_keep_separate_counts() {
        let one = Metrics::new();
        let two = Metrics::new();
        one.can_i_deploy(Verdict::No);
        assert_eq!(
            sample(
                &two.render(idle_pool()),
                r#"vow_can_i_deploy_total{verdict="no"}"#
            ),
            None
        );
        assert_eq!(
            sample(
                &one.render(idle_pool()),
                r#"vow_can_i_deploy_total{verdict="no"}"#
            ),
            Some(1.0)
        );
    }
}
