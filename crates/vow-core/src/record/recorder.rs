//! Folding exchanges into bounded per-operation state, one at a time. The state holds, per
//! operation and observed outcome (each success status, each error status and code), the first
//! exchange as an example, the inferred body schema, a latency histogram, whether `Retry-After`
//! came, and the credentials' scheme and scopes; never the exchanges themselves. Its size depends
//! on the caps in [`RecordLimits`], not on how many exchanges were folded in.

use std::collections::BTreeSet;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde_json::Value;

use super::exchange::{Body, Exchange, essence};
use super::infer::{InferLimits, Inference};
use super::template::{MERGE_AT, Segment, Template, split_path};
use crate::contract::{AuthScheme, Contract};
use crate::spec::{Lookup, Spec};

/// The caps that bound a recorder's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordLimits {
    /// Distinct operations; exchanges of further operations are counted, not recorded.
    pub max_operations: usize,
    /// Distinct outcomes (status and error code) per operation.
    pub max_outcomes: usize,
    /// Largest request or response body kept as an example (serialized JSON bytes).
    pub max_example_bytes: usize,
    /// Distinct names of redacted things listed in the summary.
    pub max_redacted_names: usize,
    pub infer: InferLimits,
}

impl Default for RecordLimits {
    fn default() -> Self {
        RecordLimits {
            max_operations: 256,
            max_outcomes: 8,
            max_example_bytes: 64 * 1024,
            max_redacted_names: 256,
            infer: InferLimits::default(),
        }
    }
}

/// Something a person should look at before committing the draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// The interaction it is about; `None` for the whole draft.
    pub interaction: Option<String>,
    pub message: String,
}

/// The result of a recording: the contract and what to review.
#[derive(Debug, Clone)]
pub struct Draft {
    pub contract: Contract,
    pub review: Vec<Review>,
    /// Exchanges folded in.
    pub exchanges: u64,
    /// Exchanges not recorded because a cap was reached.
    pub unrecorded: u64,
    /// Operations recorded.
    pub operations: usize,
    /// What was redacted, by name only (`header Authorization`, `query access_token`, …).
    pub redacted: Vec<String>,
}

/// The request of an outcome's first exchange, as the draft's interaction sends it.
#[derive(Debug, Clone)]
pub(crate) struct Example {
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
    /// Why the request body is not in the example, when it is not.
    pub body_left_out: Option<String>,
    /// The first JSON response body, when small enough.
    pub response: Option<Value>,
}

/// One outcome of one operation.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub status: u16,
    pub code: Option<String>,
    pub count: u64,
    pub example: Example,
    pub inference: Inference,
    /// Response bodies that were not JSON or too large, with the first reason.
    pub bodies_not_inferred: u64,
    pub not_inferred_reason: Option<String>,
    /// The response media type (without parameters) when every response had the same one.
    pub media_type: Option<String>,
    pub media_type_varies: bool,
    pub with_body: u64,
    pub retry_after: u64,
    pub deprecated: u64,
    pub sunset: Option<chrono::NaiveDate>,
    pub latency: Histogram<u32>,
    pub scheme: Option<AuthScheme>,
    pub with_credentials: u64,
    pub scopes: BTreeSet<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct OperationState {
    pub method: String,
    pub template: Template,
    pub operation_id: Option<String>,
    /// The spec operation it was resolved to, if any.
    pub spec_index: Option<usize>,
    pub exchanges: u64,
    pub outcomes: Vec<Outcome>,
    /// Exchanges whose outcome was over the cap.
    pub unrecorded: u64,
}

/// Folds exchanges into a draft contract.
#[derive(Debug)]
pub struct Recorder {
    pub(crate) consumer: String,
    pub(crate) provider: String,
    pub(crate) limits: RecordLimits,
    spec: Option<Spec>,
    pub(crate) operations: Vec<OperationState>,
    pub(crate) exchanges: u64,
    pub(crate) unrecorded: u64,
    pub(crate) redacted: BTreeSet<String>,
}

/// Latency is recorded in microseconds up to an hour; slower exchanges count as an hour.
const LATENCY_MAX_MICROS: u64 = 3_600_000_000;

impl Recorder {
    /// A recorder for `consumer`'s exchanges with `provider`; with a spec, paths are resolved to
    /// its operations (templates and operation ids) before any inference.
    pub fn new(
        consumer: &str,
        provider: &str,
        spec: Option<Spec>,
        limits: RecordLimits,
    ) -> Recorder {
        Recorder {
            consumer: consumer.to_owned(),
            provider: provider.to_owned(),
            limits,
            spec,
            operations: Vec::new(),
            exchanges: 0,
            unrecorded: 0,
            redacted: BTreeSet::new(),
        }
    }

    /// Exchanges folded in so far.
    pub fn exchanges(&self) -> u64 {
        self.exchanges
    }

    /// Operations recorded so far.
    pub fn operations(&self) -> usize {
        self.operations.len()
    }

    /// Folds one exchange in.
    pub fn observe(&mut self, exchange: Exchange) {
        self.exchanges += 1;
        for name in &exchange.redacted {
            if self.redacted.len() >= self.limits.max_redacted_names {
                break;
            }
            self.redacted.insert(redacted_name(name));
        }
        let Some(index) = self.operation_for(&exchange) else {
            self.unrecorded += 1;
            return;
        };
        let limits = self.limits;
        let operation = &mut self.operations[index];
        operation.exchanges += 1;
        if !fold(operation, &exchange, &limits) {
            operation.unrecorded += 1;
            self.unrecorded += 1;
        }
    }

    /// The index of the operation `exchange` belongs to, created (or merged from siblings) when
    /// new; `None` when the operation cap is reached.
    fn operation_for(&mut self, exchange: &Exchange) -> Option<usize> {
        if let Some(spec) = &self.spec
            && let Lookup::Found { operation, .. } = spec.lookup(&exchange.method, &exchange.path)
        {
            if let Some(i) = self
                .operations
                .iter()
                .position(|o| o.spec_index == Some(operation))
            {
                return Some(i);
            }
            if self.operations.len() >= self.limits.max_operations {
                return None;
            }
            let op = &spec.operations[operation];
            self.operations.push(OperationState::new(
                &exchange.method,
                Template::parse(&op.path),
                op.operation_id.clone(),
                Some(operation),
            ));
            return Some(self.operations.len() - 1);
        }

        let segments = split_path(&exchange.path);
        if let Some(i) = self.operations.iter().position(|o| {
            o.spec_index.is_none() && o.method == exchange.method && o.template.matches(&segments)
        }) {
            return Some(i);
        }
        let inferred = Template::infer(&exchange.path);
        if let Some(i) = self.merge_siblings(&exchange.method, &inferred) {
            return Some(i);
        }
        if self.operations.len() >= self.limits.max_operations {
            return None;
        }
        self.operations
            .push(OperationState::new(&exchange.method, inferred, None, None));
        Some(self.operations.len() - 1)
    }

    /// When `template` and existing operations differ only in the literal at one position after
    /// a literal, and that position now holds [`MERGE_AT`] distinct values, they become one operation with a
    /// parameter there.
    fn merge_siblings(&mut self, method: &str, template: &Template) -> Option<usize> {
        for position in 0..template.segments.len() {
            let Segment::Literal(value) = &template.segments[position] else {
                continue;
            };
            // A collection name before it (`/inventory/…`): top-level literals are resources.
            if !matches!(
                position.checked_sub(1).map(|p| &template.segments[p]),
                Some(Segment::Literal(_))
            ) {
                continue;
            }
            let siblings: Vec<usize> = self
                .operations
                .iter()
                .enumerate()
                .filter(|(_, o)| {
                    o.spec_index.is_none()
                        && o.method == method
                        && differs_only_at(&o.template, template, position)
                })
                .map(|(i, _)| i)
                .collect();
            let mut values: BTreeSet<&str> = siblings
                .iter()
                .filter_map(|&i| match &self.operations[i].template.segments[position] {
                    Segment::Literal(v) => Some(v.as_str()),
                    Segment::Param(_) => None,
                })
                .collect();
            values.insert(value);
            if values.len() < MERGE_AT {
                continue;
            }
            let mut merged_template = template.clone();
            let name = merged_template.param_name(position);
            merged_template.segments[position] = Segment::Param(name);
            let mut merged = OperationState::new(method, merged_template, None, None);
            // Remove from the back so indices stay valid; fold in first-seen order.
            let mut taken: Vec<OperationState> = siblings
                .iter()
                .rev()
                .map(|&i| self.operations.remove(i))
                .collect();
            taken.reverse();
            for sibling in taken {
                merged.absorb(sibling, &self.limits);
            }
            self.operations.push(merged);
            return Some(self.operations.len() - 1);
        }
        None
    }

    /// The draft: one interaction per operation and outcome.
    pub fn finish(self) -> Draft {
        super::draft::build(self)
    }
}

/// `header Authorization` stays, `request body /items/0/password` becomes
/// `request body /items/*/password`, so the list of names stays short.
fn redacted_name(name: &str) -> String {
    name.split('/')
        .map(|s| {
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                "*"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn differs_only_at(a: &Template, b: &Template, position: usize) -> bool {
    a.segments.len() == b.segments.len()
        && a.segments
            .iter()
            .zip(&b.segments)
            .enumerate()
            .all(|(i, (x, y))| {
                if i == position {
                    matches!((x, y), (Segment::Literal(_), Segment::Literal(_)))
                } else {
                    x == y
                }
            })
}

impl OperationState {
    fn new(
        method: &str,
        template: Template,
        operation_id: Option<String>,
        spec_index: Option<usize>,
    ) -> Self {
        OperationState {
            method: method.to_owned(),
            template,
            operation_id,
            spec_index,
            exchanges: 0,
            outcomes: Vec::new(),
            unrecorded: 0,
        }
    }

    /// Takes in another operation's state (its template merged into this one's).
    fn absorb(&mut self, other: OperationState, limits: &RecordLimits) {
        self.exchanges += other.exchanges;
        self.unrecorded += other.unrecorded;
        for outcome in other.outcomes {
            let mine = self
                .outcomes
                .iter()
                .position(|o| o.status == outcome.status && o.code == outcome.code);
            match mine {
                Some(i) => self.outcomes[i].absorb(outcome),
                None if self.outcomes.len() < limits.max_outcomes => self.outcomes.push(outcome),
                None => self.unrecorded += outcome.count,
            }
        }
    }
}

/// The error code of an error response: the string (or number) at `/code` of its JSON body.
fn error_code(exchange: &Exchange) -> Option<String> {
    if exchange.status < 400 {
        return None;
    }
    let Body::Json(body) = &exchange.response_body else {
        return None;
    };
    match body.pointer("/code")? {
        Value::String(s) if !s.is_empty() && s != super::redact::PLACEHOLDER => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Folds `exchange` into its outcome; false when the outcome cap left it out.
fn fold(operation: &mut OperationState, exchange: &Exchange, limits: &RecordLimits) -> bool {
    let code = error_code(exchange);
    let index = match operation
        .outcomes
        .iter()
        .position(|o| o.status == exchange.status && o.code == code)
    {
        Some(i) => i,
        None if operation.outcomes.len() < limits.max_outcomes => {
            operation
                .outcomes
                .push(Outcome::first(exchange, code, limits));
            operation.outcomes.len() - 1
        }
        None => return false,
    };
    operation.outcomes[index].observe(exchange);
    true
}

fn json_size(value: &Value) -> usize {
    serde_json::to_vec(value).map_or(usize::MAX, |v| v.len())
}

impl Outcome {
    /// An empty outcome whose example is `exchange`'s request.
    fn first(exchange: &Exchange, code: Option<String>, limits: &RecordLimits) -> Outcome {
        let (body, body_left_out) = match &exchange.request_body {
            Body::Empty => (None, None),
            Body::Json(v) if json_size(v) <= limits.max_example_bytes => (Some(v.clone()), None),
            Body::Json(_) => (
                None,
                Some(format!(
                    "the request body is larger than {} bytes",
                    limits.max_example_bytes
                )),
            ),
            Body::NotJson { media_type } => (
                None,
                Some(format!(
                    "the request body is not JSON ({})",
                    media_type.as_deref().unwrap_or("no Content-Type")
                )),
            ),
            Body::TooLarge { size } => (
                None,
                Some(format!(
                    "the request body ({size} bytes) was larger than the capture limit"
                )),
            ),
        };
        let response = match &exchange.response_body {
            Body::Json(v) if json_size(v) <= limits.max_example_bytes / 4 => Some(v.clone()),
            _ => None,
        };
        Outcome {
            status: exchange.status,
            code,
            count: 0,
            example: Example {
                path: exchange.path.clone(),
                query: exchange.query.clone(),
                headers: exchange.request_headers.clone(),
                body,
                body_left_out,
                response,
            },
            inference: Inference::new(limits.infer),
            bodies_not_inferred: 0,
            not_inferred_reason: None,
            media_type: None,
            media_type_varies: false,
            with_body: 0,
            retry_after: 0,
            deprecated: 0,
            sunset: None,
            // Two significant digits keep one histogram near 13 KiB.
            latency: Histogram::new_with_bounds(1, LATENCY_MAX_MICROS, 2)
                .expect("static histogram bounds are valid"),
            scheme: None,
            with_credentials: 0,
            scopes: BTreeSet::new(),
        }
    }

    fn observe(&mut self, exchange: &Exchange) {
        self.count += 1;
        match &exchange.response_body {
            Body::Empty => {}
            Body::Json(value) => {
                self.with_body += 1;
                self.inference.observe(value);
            }
            Body::NotJson { media_type } => {
                self.with_body += 1;
                self.bodies_not_inferred += 1;
                self.not_inferred_reason.get_or_insert_with(|| {
                    format!(
                        "not JSON ({})",
                        media_type.as_deref().unwrap_or("no Content-Type")
                    )
                });
            }
            Body::TooLarge { size } => {
                self.with_body += 1;
                self.bodies_not_inferred += 1;
                self.not_inferred_reason
                    .get_or_insert_with(|| format!("larger than the capture limit ({size} bytes)"));
            }
        }
        if let Some(content_type) = &exchange.content_type {
            let media = essence(content_type);
            match &self.media_type {
                None if !self.media_type_varies => self.media_type = Some(media),
                Some(seen) if *seen != media => {
                    self.media_type = None;
                    self.media_type_varies = true;
                }
                _ => {}
            }
        } else if !matches!(exchange.response_body, Body::Empty) {
            self.media_type = None;
            self.media_type_varies = true;
        }
        if exchange.retry_after {
            self.retry_after += 1;
        }
        if exchange.deprecated {
            self.deprecated += 1;
            if self.sunset.is_none() {
                self.sunset = exchange.sunset;
            }
        }
        if let Some(latency) = exchange.latency {
            let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
            self.latency
                .saturating_record(micros.clamp(1, LATENCY_MAX_MICROS));
        }
        if let Some(credentials) = &exchange.credentials {
            self.with_credentials += 1;
            self.scheme.get_or_insert(credentials.scheme);
            for scope in &credentials.scopes {
                if self.scopes.len() < 64 {
                    self.scopes.insert(scope.clone());
                }
            }
        }
    }

    fn absorb(&mut self, other: Outcome) {
        self.count += other.count;
        self.inference.merge(&other.inference);
        self.bodies_not_inferred += other.bodies_not_inferred;
        if self.not_inferred_reason.is_none() {
            self.not_inferred_reason = other.not_inferred_reason;
        }
        if other.media_type_varies
            || (other.media_type.is_some()
                && self.media_type.is_some()
                && other.media_type != self.media_type)
        {
            self.media_type = None;
            self.media_type_varies = true;
        } else if self.media_type.is_none() && !self.media_type_varies {
            self.media_type = other.media_type;
        }
        self.with_body += other.with_body;
        self.retry_after += other.retry_after;
        self.deprecated += other.deprecated;
        if self.sunset.is_none() {
            self.sunset = other.sunset;
        }
        let _ = self.latency.add(&other.latency);
        self.with_credentials += other.with_credentials;
        if self.scheme.is_none() {
            self.scheme = other.scheme;
        }
        self.scopes.extend(other.scopes);
    }

    /// A latency percentile (0–100) observed, if any latency was.
    pub(crate) fn percentile(&self, p: f64) -> Option<Duration> {
        (!self.latency.is_empty())
            .then(|| Duration::from_micros(self.latency.value_at_quantile(p / 100.0)))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::json;

    use super::*;
    use crate::contract::{SourceFormat, parse_contract, to_yaml};
    use crate::record::{RawBody, RawExchange};

    fn exchange(method: &str, path: &str, status: u16, body: Value, ms: u64) -> Exchange {
        let token = format!(
            "e30.{}.sig",
            URL_SAFE_NO_PAD.encode(r#"{"scope":"cart:read cart:write"}"#)
        );
        let content_type = if status >= 400 {
            "application/problem+json"
        } else {
            "application/json"
        };
        Exchange::capture(RawExchange {
            method: method.into(),
            path: path.into(),
            query: vec![],
            request_headers: vec![
                ("Authorization".into(), format!("Bearer {token}")),
                ("Accept".into(), "application/json".into()),
            ],
            request_body: RawBody::default(),
            status,
            response_headers: vec![("Content-Type".into(), content_type.into())],
            response_body: RawBody::whole(serde_json::to_vec(&body).unwrap()),
            latency: Some(Duration::from_millis(ms)),
        })
    }

    fn recorder() -> Recorder {
        Recorder::new("checkout-web", "shop-api", None, RecordLimits::default())
    }

    #[test]
    fn a_draft_has_one_interaction_per_operation_and_outcome_and_is_a_valid_contract() {
        let mut recorder = recorder();
        for i in 0..10 {
            recorder.observe(exchange(
                "GET",
                &format!("/carts/c-{}", 1000 + i),
                200,
                json!({"id": format!("c-{i}"), "status": "open"}),
                2 + i,
            ));
        }
        recorder.observe(exchange(
            "GET",
            "/carts/c-9999",
            404,
            json!({"type": "about:blank", "code": "cart_not_found"}),
            1,
        ));
        recorder.observe(exchange(
            "GET",
            "/carts/c-9998",
            404,
            json!({"type": "about:blank", "code": "cart_not_found"}),
            1,
        ));
        let draft = recorder.finish();
        assert_eq!(draft.exchanges, 12);
        assert_eq!(draft.operations, 1);
        let ids: Vec<_> = draft
            .contract
            .interactions
            .iter()
            .map(|i| i.id.as_str())
            .collect();
        assert_eq!(ids, ["get-cart", "get-cart-404-cart-not-found"]);
        let ok = &draft.contract.interactions[0];
        assert_eq!(ok.request.path, "/carts/c-1000");
        assert!(ok.description.starts_with("GET /carts/{cartId} answered 200: recorded 10 of 12 exchanges; observed latency p50"), "{}", ok.description);
        let auth = ok.statements.auth.as_ref().expect("auth");
        assert_eq!(auth.scopes, ["cart:read", "cart:write"]);
        assert_eq!(
            ok.statements.latency.as_ref().map(|l| l.timeout),
            Some(Duration::from_millis(100))
        );
        let error = &draft.contract.interactions[1];
        assert_eq!(error.response.error.as_deref(), Some("cart_not_found"));
        let handles = &error.statements.errors.as_ref().expect("errors").handles;
        assert_eq!(
            (handles[0].status, handles[0].retry, handles[0].problem_json),
            (404, false, true)
        );
        assert_eq!(draft.redacted, ["header authorization"]);

        let text = to_yaml(&draft.contract);
        let back = parse_contract("draft.yaml", &text, SourceFormat::Yaml)
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(back.interactions.len(), 2);
        assert!(!text.contains("sig"), "{text}");
    }

    #[test]
    fn literals_that_vary_at_one_position_merge_into_a_parameter() {
        let mut recorder = recorder();
        for sku in ["SKU-RED-MUG", "SKU-BLUE-TEE"] {
            recorder.observe(exchange(
                "GET",
                &format!("/inventory/{sku}"),
                200,
                json!({"sku": sku, "available": 3}),
                1,
            ));
        }
        assert_eq!(recorder.operations(), 2);
        recorder.observe(exchange(
            "GET",
            "/inventory/SKU-GREEN-CAP",
            200,
            json!({"sku": "x", "available": 1.5}),
            1,
        ));
        assert_eq!(recorder.operations(), 1);
        recorder.observe(exchange(
            "GET",
            "/inventory/SKU-FOURTH",
            200,
            json!({"sku": "y", "available": 2}),
            1,
        ));
        let draft = recorder.finish();
        let [only] = draft.contract.interactions.as_slice() else {
            panic!("{:?}", draft.contract.interactions)
        };
        assert!(
            only.description
                .starts_with("GET /inventory/{inventoryId} answered 200: recorded 4 of 4"),
            "{}",
            only.description
        );
        assert_eq!(only.request.path, "/inventory/SKU-RED-MUG");
        let Some(BodyExpectationRef::Schema(schema)) = body_schema(only) else {
            panic!("schema")
        };
        assert_eq!(schema["properties"]["available"]["type"], "number");
    }

    enum BodyExpectationRef<'a> {
        Schema(&'a Value),
    }

    fn body_schema(interaction: &crate::contract::Interaction) -> Option<BodyExpectationRef<'_>> {
        match &interaction.response.body {
            Some(crate::contract::BodyExpectation::Schema { schema, .. }) => {
                Some(BodyExpectationRef::Schema(schema))
            }
            _ => None,
        }
    }

    #[test]
    fn caps_bound_operations_and_outcomes() {
        let limits = RecordLimits {
            max_operations: 2,
            max_outcomes: 2,
            ..RecordLimits::default()
        };
        let mut recorder = Recorder::new("a", "b", None, limits);
        for path in ["/a", "/b", "/c", "/d"] {
            recorder.observe(exchange("GET", path, 200, json!({}), 1));
        }
        for status in [201, 202, 203] {
            recorder.observe(exchange("GET", "/a", status, json!({}), 1));
        }
        assert_eq!(recorder.operations(), 2);
        let draft = recorder.finish();
        assert_eq!(draft.unrecorded, 4);
        assert_eq!(draft.contract.interactions.len(), 3);
        assert!(
            draft
                .review
                .iter()
                .any(|r| r.message.contains("operations beyond the first 2"))
        );
    }

    #[test]
    fn retry_is_stated_only_for_429_and_503_that_always_carried_retry_after() {
        let mut recorder = recorder();
        let mut limited = exchange("POST", "/carts", 429, json!({"code": "rate_limited"}), 1);
        limited.retry_after = true;
        recorder.observe(limited.clone());
        recorder.observe(limited);
        let mut unavailable = exchange(
            "POST",
            "/payments",
            503,
            json!({"code": "processor_unavailable"}),
            1,
        );
        recorder.observe(unavailable.clone());
        unavailable.retry_after = true;
        recorder.observe(unavailable);
        let draft = recorder.finish();
        let retry: Vec<bool> = draft
            .contract
            .interactions
            .iter()
            .map(|i| i.statements.errors.as_ref().expect("errors").handles[0].retry)
            .collect();
        assert_eq!(retry, [true, false]);
        assert!(
            draft
                .review
                .iter()
                .any(|r| r.message.contains("Idempotency-Key"))
        );
    }
}
