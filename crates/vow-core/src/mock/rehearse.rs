//! Rehearsing degraded states: a share of the requests to each interaction is answered with an
//! error the consumer states it handles (or the provider's spec declares for the operation), or
//! after a delay at the provider's p99 or beyond the consumer's timeout, so consumer teams see their
//! retries and timeouts work before production tests them.
//!
//! Which requests are degraded is deterministic: of the requests an interaction receives, the n-th
//! is degraded when `floor(n × share)` grows at n, so with share 0.25 the 4th, 8th, 12th, … are,
//! and N requests see exactly `floor(N × share)` degraded ones. The degraded requests of an
//! interaction take its degradations in turn ([`RehearsalPlan::degradation`]).

use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value};

use super::response::{MockResponse, put_code};
use crate::contract::{Contract, Interaction};
use crate::spec::{ErrorKind, Operation, Spec};

/// What a rehearsal degrades.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RehearsalMode {
    Off,
    Errors,
    Latency,
    All,
}

impl RehearsalMode {
    pub const NAMES: [&'static str; 4] = ["off", "errors", "latency", "all"];

    pub fn from_name(name: &str) -> Option<RehearsalMode> {
        match name {
            "off" => Some(RehearsalMode::Off),
            "errors" => Some(RehearsalMode::Errors),
            "latency" => Some(RehearsalMode::Latency),
            "all" => Some(RehearsalMode::All),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// The share of requests degraded, in millionths, so that which requests are degraded is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share(u32);

const MILLION: u64 = 1_000_000;

impl Share {
    /// A share from 0 to 1.
    pub fn new(share: f64) -> Option<Share> {
        (0.0..=1.0)
            .contains(&share)
            .then(|| Share((share * MILLION as f64).round() as u32))
    }

    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / MILLION as f64
    }

    /// Whether the `n`-th request (from 1) is degraded.
    pub fn degrades(self, n: u64) -> bool {
        n > 0 && (n * u64::from(self.0)) / MILLION > ((n - 1) * u64::from(self.0)) / MILLION
    }
}

impl Serialize for Share {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.as_f64())
    }
}

/// An error a rehearsal answers with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RehearsedError {
    pub code: String,
    pub status: u16,
    /// Sent with `Retry-After`: the consumer retries it, or the provider's spec sends it.
    pub retry_after: bool,
    pub problem_json: bool,
    pub code_pointer: String,
}

/// One degraded answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Degradation {
    /// Answer with the plan's error at this index.
    Error(usize),
    /// Answer normally after waiting.
    Delay {
        wait: Duration,
        beyond_timeout: bool,
    },
}

/// What the `Retry-After` header of a rehearsed error says, in seconds: short, so retrying
/// consumer tests stay quick.
pub const RETRY_AFTER_SECONDS: u32 = 1;

/// How long past the consumer's timeout a delay beyond it lasts: a tenth of the timeout, and at
/// least this.
const MIN_MARGIN: Duration = Duration::from_millis(100);

/// The degradations one interaction can be rehearsed with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RehearsalPlan {
    /// From the interaction's effective `errors` block, else the spec's codes for the operation.
    pub errors: Vec<RehearsedError>,
    /// The operation's p99 in the provider's latency envelope.
    pub p99: Option<Duration>,
    /// The consumer's `latency.timeout` plus a margin.
    pub beyond_timeout: Option<Duration>,
}

impl RehearsalPlan {
    /// The plan for `interaction`, with the provider's spec and the interaction's operation in
    /// it when known.
    pub fn new(
        contract: &Contract,
        interaction: &Interaction,
        spec: Option<(&Spec, &Operation)>,
    ) -> RehearsalPlan {
        let statements = contract.effective(interaction);
        let catalogue = |code: &str| spec.and_then(|(s, _)| s.errors.get(code));
        let errors = match &statements.errors {
            Some(block) => block
                .handles
                .iter()
                .map(|h| RehearsedError {
                    code: h.code.clone(),
                    status: h.status,
                    retry_after: h.retry || catalogue(&h.code).is_some_and(|e| e.retry_after),
                    problem_json: h.problem_json,
                    code_pointer: block.code_pointer.clone(),
                })
                .collect(),
            None => match spec {
                Some((spec, operation)) => operation
                    .errors
                    .iter()
                    .filter_map(|code| spec.errors.get(code))
                    .map(|e| RehearsedError {
                        code: e.code.clone(),
                        status: e.status,
                        retry_after: e.retry_after || e.kind == ErrorKind::Retryable,
                        problem_json: true,
                        code_pointer: spec.error_code_pointer.clone(),
                    })
                    .collect(),
                None => Vec::new(),
            },
        };
        RehearsalPlan {
            errors,
            p99: spec
                .and_then(|(_, op)| op.latency)
                .and_then(|l| l.at(99.0))
                .map(|(_, d)| d),
            beyond_timeout: statements
                .latency
                .map(|l| l.timeout + (l.timeout / 10).max(MIN_MARGIN)),
        }
    }

    /// The degradation of the `j`-th degraded request (from 1) of the interaction. They go round
    /// in turn: with `errors` through the errors, with `latency` through the p99 delay and the
    /// delay beyond the timeout, with `all` through both interleaved (first error, first delay,
    /// second error, second delay, …, then what is left of the longer list). `None` when the
    /// interaction has nothing of that kind to rehearse.
    pub fn degradation(&self, mode: RehearsalMode, j: u64) -> Option<Degradation> {
        let errors = (0..self.errors.len()).map(Degradation::Error);
        let delays = [(self.p99, false), (self.beyond_timeout, true)]
            .into_iter()
            .filter_map(|(wait, beyond_timeout)| {
                wait.map(|wait| Degradation::Delay {
                    wait,
                    beyond_timeout,
                })
            });
        let cycle: Vec<Degradation> = match mode {
            RehearsalMode::Off => Vec::new(),
            RehearsalMode::Errors => errors.collect(),
            RehearsalMode::Latency => delays.collect(),
            RehearsalMode::All => {
                let (mut errors, mut delays) = (errors.peekable(), delays.peekable());
                let mut cycle = Vec::new();
                while errors.peek().is_some() || delays.peek().is_some() {
                    cycle.extend(errors.next());
                    cycle.extend(delays.next());
                }
                cycle
            }
        };
        let len = cycle.len() as u64;
        (len > 0 && j > 0).then(|| cycle[((j - 1) % len) as usize].clone())
    }

    /// The response of the plan's error at `index`: RFC 9457 problem details (or plain JSON) with
    /// the code at the code pointer, the stated status and, for retried errors, `Retry-After`.
    pub fn error_response(&self, index: usize) -> Option<MockResponse> {
        let e = self.errors.get(index)?;
        let mut body = Map::new();
        body.insert("type".into(), Value::from("about:blank"));
        body.insert(
            "title".into(),
            Value::from(format!("Rehearsed error {}", e.code)),
        );
        body.insert("status".into(), Value::from(e.status));
        body.insert(
            "detail".into(),
            Value::from("vow mock answers this declared error to rehearse it"),
        );
        let mut body = Value::Object(body);
        put_code(&mut body, &e.code_pointer, &e.code);
        let mut headers = vec![(
            "Content-Type".to_owned(),
            if e.problem_json {
                "application/problem+json"
            } else {
                "application/json"
            }
            .to_owned(),
        )];
        if e.retry_after {
            headers.push(("Retry-After".to_owned(), RETRY_AFTER_SECONDS.to_string()));
        }
        Some(MockResponse {
            status: e.status,
            headers,
            body: serde_json::to_vec(&body).unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{SourceFormat, parse_contract};

    #[test]
    fn shares_degrade_exactly_their_part() {
        let quarter = Share::new(0.25).expect("share");
        let degraded: Vec<u64> = (1..=12).filter(|n| quarter.degrades(*n)).collect();
        assert_eq!(degraded, vec![4, 8, 12]);
        for share in [0.0, 0.01, 0.1, 0.29, 1.0 / 3.0, 0.5, 0.7, 1.0] {
            let s = Share::new(share).expect("share");
            let count = (1..=1000).filter(|n| s.degrades(*n)).count() as u64;
            assert_eq!(count, 1000 * u64::from(s.0) / MILLION, "share {share}");
        }
        assert_eq!(Share::new(1.5), None);
        assert_eq!(Share::new(-0.1), None);
    }

    const PAYMENTS: &str = r#"
vow: 1
consumer: web
provider: shop
interactions:
  - id: pay
    description: d
    request: {method: POST, path: /payments, headers: {Idempotency-Key: k}}
    response: {status: 201}
    errors:
      codePointer: /error/code
      handles:
        - {code: card_declined, status: 402, retry: false}
        - {code: processor_unavailable, status: 503, retry: true}
    latency: {timeout: 2s}
"#;

    fn plan() -> RehearsalPlan {
        let contract = parse_contract("c.yaml", PAYMENTS, SourceFormat::Yaml).expect("contract");
        let mut plan = RehearsalPlan::new(&contract, &contract.interactions[0], None);
        plan.p99 = Some(Duration::from_millis(150));
        plan
    }

    #[test]
    fn modes_take_their_degradations_in_turn() {
        let plan = plan();
        assert_eq!(plan.beyond_timeout, Some(Duration::from_millis(2200)));
        let p99 = Degradation::Delay {
            wait: Duration::from_millis(150),
            beyond_timeout: false,
        };
        let beyond = Degradation::Delay {
            wait: Duration::from_millis(2200),
            beyond_timeout: true,
        };
        let seq = |mode| {
            (1..=5)
                .map(|j| plan.degradation(mode, j).expect("some"))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            seq(RehearsalMode::Errors),
            vec![
                Degradation::Error(0),
                Degradation::Error(1),
                Degradation::Error(0),
                Degradation::Error(1),
                Degradation::Error(0)
            ]
        );
        assert_eq!(
            seq(RehearsalMode::Latency),
            vec![
                p99.clone(),
                beyond.clone(),
                p99.clone(),
                beyond.clone(),
                p99.clone()
            ]
        );
        assert_eq!(
            seq(RehearsalMode::All),
            vec![
                Degradation::Error(0),
                p99.clone(),
                Degradation::Error(1),
                beyond,
                Degradation::Error(0)
            ]
        );
        assert_eq!(plan.degradation(RehearsalMode::Off, 1), None);
        assert_eq!(
            RehearsalPlan::default().degradation(RehearsalMode::All, 1),
            None
        );
    }

    #[test]
    fn errors_are_problem_details_with_retry_after_when_retried() {
        let plan = plan();
        let declined = plan.error_response(0).expect("error");
        assert_eq!(declined.status, 402);
        assert_eq!(
            declined.headers,
            vec![("Content-Type".into(), "application/problem+json".into())]
        );
        let body: Value = serde_json::from_slice(&declined.body).expect("JSON");
        assert_eq!(body["error"]["code"], "card_declined");
        assert_eq!(body["status"], 402);
        let unavailable = plan.error_response(1).expect("error");
        assert_eq!(unavailable.status, 503);
        assert!(
            unavailable
                .headers
                .contains(&("Retry-After".into(), "1".into()))
        );
    }
}
