//! Which interaction a request to the mock is, and what the consumer sent that the interaction does
//! not state.
//!
//! A request **matches** an interaction when it has the interaction's method and path, every query
//! parameter the interaction states with the stated values (in order), and, when the interaction
//! states a request body, a JSON body holding every stated member with the stated value (numbers
//! compare by value). What the request sends beyond that — a query parameter, a body member or a
//! whole body the interaction does not state — does not stop the match but is a finding, and so is
//! a stated header that is absent or has another value, and a body that is not JSON. Headers the
//! interaction does not state are never findings: clients and their HTTP stacks add many
//! (`Host`, `User-Agent`, `Accept-Encoding`, `Traceparent`, credentials, …).
//!
//! When several interactions match, the choice is, in order:
//! 1. the interaction the request's `X-Vow-Interaction` header names (`id` or `consumer/id`);
//! 2. the interaction pinned through the control API ([`Pin::interaction`]);
//! 3. among those whose `given` names the pinned provider state ([`Pin::state`]), if any do;
//! 4. the one with the fewest findings, then the first in load order (contract files by name,
//!    interactions in file order). A tie at this step is reported as `mock.ambiguous-request`.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

use super::index::{InteractionRef, MockIndex, decode_path};
use crate::finding::Finding;
use crate::matching::media_type;
use crate::matching::pattern::push_escaped;
use crate::matching::render::{compact, quoted};
use crate::rules;

/// The request header that names the interaction to answer with.
pub const INTERACTION_HEADER: &str = "x-vow-interaction";

/// A request as the mock received it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MockRequest {
    pub method: String,
    /// The path as received, percent-escapes and all, without the query string.
    pub path: String,
    /// The query string as received, without the `?`.
    pub query: Option<String>,
    /// Header names in lowercase, values as received (non-UTF-8 values lossily decoded).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl MockRequest {
    /// The first value of a header, by its lowercase name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A choice made for the requests to come through the control API.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Pin {
    /// Answer with this interaction (`id` or `consumer/id`) whenever it matches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interaction: Option<String>,
    /// Prefer interactions whose `given` names this provider state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// The outcome of matching one request.
#[derive(Debug, Clone, PartialEq)]
pub enum MockMatch {
    /// The interaction to answer with, and what the request sent that it does not state.
    Matched {
        interaction: InteractionRef,
        findings: Vec<Finding>,
    },
    /// No interaction matches; the closest candidates and why each does not.
    Unmatched { closest: Vec<Closest> },
}

/// An interaction close to an unmatched request, and why it does not match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Closest {
    /// `consumer/id`.
    pub interaction: String,
    pub why: Vec<String>,
}

/// How many candidates an unmatched request is shown with, and how many reasons each.
const CLOSEST_SHOWN: usize = 3;
const REASONS_SHOWN: usize = 3;

/// Matches `request` against the interactions of `index`.
pub fn match_request(index: &MockIndex, request: &MockRequest, pin: &Pin) -> MockMatch {
    let path = decode_path(&request.path);
    let query: Vec<(String, String)> = request
        .query
        .as_deref()
        .map(|q| {
            form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    let body = Body::parse(&request.body);

    let evaluations: Vec<Evaluation> = index
        .candidates(&request.method, &path)
        .map(|r| evaluate(index, r, request, &query, &body))
        .collect();
    if evaluations.is_empty() {
        return MockMatch::Unmatched {
            closest: other_routes(index, &request.method, &path),
        };
    }

    let named = request
        .header(INTERACTION_HEADER)
        .map(|n| (n.trim(), "the X-Vow-Interaction header"))
        .or_else(|| {
            pin.interaction
                .as_deref()
                .map(|n| (n, "the interaction pinned through the control API"))
        });
    if let Some((name, source)) = named {
        let wanted: BTreeSet<InteractionRef> = index.named(name).collect();
        if let Some(e) = evaluations
            .iter()
            .find(|e| e.rejections.is_empty() && wanted.contains(&e.interaction))
        {
            return matched(e.clone());
        }
        let mut closest: Vec<Closest> = evaluations
            .iter()
            .filter(|e| wanted.contains(&e.interaction))
            .map(|e| e.closest(index))
            .collect();
        if closest.is_empty() {
            closest = wanted
                .iter()
                .take(CLOSEST_SHOWN)
                .map(|r| Closest {
                    interaction: index.qualified_id(*r),
                    why: vec![format!(
                        "{source} names it, and it is {} {}",
                        index.interaction(*r).request.method.as_str(),
                        index.interaction(*r).request.path
                    )],
                })
                .collect();
            if closest.is_empty() {
                closest.push(Closest {
                    interaction: name.to_owned(),
                    why: vec![format!("{source} names it, and no contract has it")],
                });
            }
        }
        return MockMatch::Unmatched { closest };
    }

    let mut matching: Vec<&Evaluation> = evaluations
        .iter()
        .filter(|e| e.rejections.is_empty())
        .collect();
    if matching.is_empty() {
        return MockMatch::Unmatched {
            closest: evaluations
                .iter()
                .take(CLOSEST_SHOWN)
                .map(|e| e.closest(index))
                .collect(),
        };
    }
    if let Some(state) = pin.state.as_deref() {
        let in_state: Vec<&Evaluation> = matching
            .iter()
            .copied()
            .filter(|e| {
                index
                    .interaction(e.interaction)
                    .given
                    .iter()
                    .any(|g| g.state == state)
            })
            .collect();
        if !in_state.is_empty() {
            matching = in_state;
        }
    }
    // Candidates come in load order and `min_by_key` keeps the first of equals.
    let fewest = matching
        .iter()
        .map(|e| e.findings.len())
        .min()
        .unwrap_or_default();
    let tied: Vec<&Evaluation> = matching
        .into_iter()
        .filter(|e| e.findings.len() == fewest)
        .collect();
    let mut chosen = tied[0].clone();
    if tied.len() > 1 {
        let others: Vec<String> = tied[1..]
            .iter()
            .map(|e| index.qualified_id(e.interaction))
            .collect();
        chosen.findings.push(
            Finding::new(
                rules::MOCK_AMBIGUOUS_REQUEST,
                "/request",
                format!(
                    "{} other interaction(s) match this request as well: {}; the first in load \
                     order answered",
                    others.len(),
                    others.join(", ")
                ),
            )
            .hint(
                "send X-Vow-Interaction: ID, or pin the interaction or provider state through \
                 the control API, to choose",
            ),
        );
    }
    matched(chosen)
}

fn matched(mut e: Evaluation) -> MockMatch {
    for f in &mut e.findings {
        f.location.interaction = Some(e.name.clone());
    }
    MockMatch::Matched {
        interaction: e.interaction,
        findings: e.findings,
    }
}

/// The request body, parsed once for every candidate.
enum Body {
    Empty,
    Json(Value),
    NotJson(String),
}

impl Body {
    fn parse(bytes: &[u8]) -> Body {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Body::Empty;
        }
        match serde_json::from_slice(bytes) {
            Ok(v) => Body::Json(v),
            Err(e) => Body::NotJson(e.to_string()),
        }
    }
}

/// One candidate judged against the request.
#[derive(Debug, Clone)]
struct Evaluation {
    interaction: InteractionRef,
    name: String,
    /// Why the request is not this interaction; empty when it matches.
    rejections: Vec<String>,
    /// What the request sends that the interaction does not state.
    findings: Vec<Finding>,
}

impl Evaluation {
    fn closest(&self, index: &MockIndex) -> Closest {
        let mut why: Vec<String> = self
            .rejections
            .iter()
            .take(REASONS_SHOWN)
            .cloned()
            .collect();
        if self.rejections.len() > REASONS_SHOWN {
            why.push(format!(
                "and {} more difference(s)",
                self.rejections.len() - REASONS_SHOWN
            ));
        }
        Closest {
            interaction: index.qualified_id(self.interaction),
            why,
        }
    }
}

fn evaluate(
    index: &MockIndex,
    r: InteractionRef,
    request: &MockRequest,
    query: &[(String, String)],
    body: &Body,
) -> Evaluation {
    let stated = &index.interaction(r).request;
    let mut e = Evaluation {
        interaction: r,
        name: index.qualified_id(r),
        rejections: Vec::new(),
        findings: Vec::new(),
    };

    for (name, values) in &stated.query {
        let sent: Vec<&str> = query
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect();
        if sent != values.iter().map(String::as_str).collect::<Vec<_>>() {
            e.rejections.push(format!(
                "query parameter {name}: expected {}, found {}",
                compact(values),
                if sent.is_empty() {
                    "none".to_owned()
                } else {
                    compact(&sent)
                }
            ));
        }
    }
    let mut unexpected = BTreeSet::new();
    for (name, value) in query {
        if !stated.query.contains_key(name) && unexpected.insert(name.as_str()) {
            let mut pointer = "/request/query/".to_owned();
            push_escaped(&mut pointer, name);
            e.findings.push(
                Finding::new(
                    rules::MOCK_UNEXPECTED_QUERY_PARAMETER,
                    pointer,
                    format!("the request sends the query parameter {name}, which the interaction does not state"),
                )
                .actual(quoted(value))
                .hint("state it under request.query in the contract, or stop sending it"),
            );
        }
    }

    for (name, value) in &stated.headers {
        let lower = name.to_ascii_lowercase();
        let sent: Vec<&str> = request
            .headers
            .iter()
            .filter(|(n, _)| *n == lower)
            .map(|(_, v)| v.as_str())
            .collect();
        let mut pointer = "/request/headers/".to_owned();
        push_escaped(&mut pointer, &lower);
        if sent.is_empty() {
            e.findings.push(
                Finding::new(
                    rules::MOCK_REQUEST_HEADER_MISSING,
                    pointer,
                    format!("the request lacks the header {name}, which the interaction states"),
                )
                .expected(quoted(value)),
            );
        } else if !sent.iter().any(|s| header_equals(&lower, s, value)) {
            e.findings.push(
                Finding::new(
                    rules::MOCK_REQUEST_HEADER_MISMATCH,
                    pointer,
                    format!("the request's {name} header differs from the interaction's"),
                )
                .expected(quoted(value))
                .actual(quoted(&sent.join(", "))),
            );
        }
    }

    match (&stated.body, body) {
        (None, Body::Empty) => {}
        (None, _) => e.findings.push(
            Finding::new(
                rules::MOCK_UNEXPECTED_BODY,
                "/request/body",
                "the request has a body and the interaction states none",
            )
            .actual(format!("{} bytes", request.body.len())),
        ),
        (Some(_), Body::Empty) => e
            .rejections
            .push("the interaction states a request body and the request has none".to_owned()),
        (Some(_), Body::NotJson(error)) => e.findings.push(
            Finding::new(
                rules::MOCK_REQUEST_BODY_NOT_JSON,
                "/request/body",
                "the request body is not JSON, and the interaction states a JSON body",
            )
            .actual(error.clone())
            .hint("send the body as JSON, as the contract states it"),
        ),
        (Some(expected), Body::Json(actual)) => {
            let mut pointer = String::new();
            compare(expected, actual, &mut pointer, &mut e);
        }
    }
    e
}

/// Compares a stated body with the sent one: differences reject the candidate, members the stated
/// body does not have are findings.
fn compare(expected: &Value, actual: &Value, pointer: &mut String, e: &mut Evaluation) {
    match (expected, actual) {
        (Value::Object(want), Value::Object(got)) => {
            for (key, w) in want {
                let len = pointer.len();
                pointer.push('/');
                push_escaped(pointer, key);
                match got.get(key) {
                    Some(g) => compare(w, g, pointer, e),
                    None => e.rejections.push(format!(
                        "body {pointer}: expected {}, found nothing",
                        compact(w)
                    )),
                }
                pointer.truncate(len);
            }
            for (key, g) in got {
                if !want.contains_key(key) {
                    let mut at = format!("/request/body{pointer}/");
                    push_escaped(&mut at, key);
                    e.findings.push(
                        Finding::new(
                            rules::MOCK_UNEXPECTED_BODY_MEMBER,
                            at,
                            format!("the request body has the member {key:?}, which the interaction's request body does not state"),
                        )
                        .actual(compact(g))
                        .hint("add it to request.body in the contract, or stop sending it"),
                    );
                }
            }
        }
        (Value::Array(want), Value::Array(got)) if want.len() == got.len() => {
            for (i, (w, g)) in want.iter().zip(got).enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                compare(w, g, pointer, e);
                pointer.truncate(len);
            }
        }
        (Value::Number(w), Value::Number(g)) if w.as_f64() == g.as_f64() => {}
        (w, g) if w == g => {}
        (w, g) => e.rejections.push(format!(
            "body {}: expected {}, found {}",
            if pointer.is_empty() { "/" } else { pointer },
            compact(w),
            compact(g)
        )),
    }
}

/// Header values compare exactly (surrounding whitespace aside), but a `Content-Type` compares
/// media types, ignoring parameters the contract does not state.
fn header_equals(lower_name: &str, sent: &str, stated: &str) -> bool {
    if lower_name == "content-type" {
        media_type::satisfies(sent, stated)
    } else {
        sent.trim() == stated.trim()
    }
}

/// For a request whose method and path no interaction has: interactions on the same path with
/// another method, else those with the same method and a similar path.
fn other_routes(index: &MockIndex, method: &str, path: &str) -> Vec<Closest> {
    let mut same_path: Vec<(usize, String)> = Vec::new();
    let mut similar: Vec<(f64, usize, String)> = Vec::new();
    for (m, p, positions) in index.routes() {
        if p == path {
            for pos in positions {
                same_path.push((*pos, format!("it is {m} {p}, not {method}")));
            }
        } else if m == method {
            let score = strsim::normalized_levenshtein(p, path);
            if score >= 0.6 {
                for pos in positions {
                    similar.push((score, *pos, format!("path: expected {p}, found {path}")));
                }
            }
        }
    }
    let picked: Vec<(usize, String)> = if same_path.is_empty() {
        similar.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        similar.into_iter().map(|(_, p, w)| (p, w)).collect()
    } else {
        same_path.sort();
        same_path
    };
    picked
        .into_iter()
        .take(CLOSEST_SHOWN)
        .map(|(pos, why)| Closest {
            interaction: index.qualified_id(index.at(pos)),
            why: vec![why],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{SourceFormat, parse_contract};

    fn index(yaml: &str) -> MockIndex {
        let contract = parse_contract("c.yaml", yaml, SourceFormat::Yaml).expect("contract");
        MockIndex::new(vec![contract])
    }

    const CARTS: &str = r#"
vow: 1
consumer: web
provider: shop
interactions:
  - id: create-cart
    description: d
    request:
      method: POST
      path: /carts
      query: {dryRun: "false"}
      headers: {Content-Type: application/json, Idempotency-Key: k-1}
      body: {currency: EUR, lines: [{sku: A, quantity: 2}]}
    response: {status: 201}
  - id: create-cart-throttled
    description: d
    given: [the client is rate limited]
    request:
      method: POST
      path: /carts
      query: {dryRun: "false"}
      headers: {Content-Type: application/json, Idempotency-Key: k-2}
      body: {currency: EUR, lines: [{sku: A, quantity: 2}]}
    response: {status: 429}
  - id: get-cart
    description: d
    request: {method: GET, path: /carts/c 1}
    response: {status: 200}
"#;

    fn post(query: &str, key: &str, body: &str) -> MockRequest {
        MockRequest {
            method: "POST".into(),
            path: "/carts".into(),
            query: Some(query.into()),
            headers: vec![
                ("host".into(), "localhost".into()),
                ("user-agent".into(), "test".into()),
                (
                    "content-type".into(),
                    "application/json; charset=utf-8".into(),
                ),
                ("idempotency-key".into(), key.into()),
            ],
            body: body.as_bytes().to_vec(),
        }
    }

    fn chosen(m: &MockMatch, index: &MockIndex) -> (String, Vec<&'static str>) {
        match m {
            MockMatch::Matched {
                interaction,
                findings,
            } => (
                index.interaction(*interaction).id.clone(),
                findings.iter().map(|f| f.rule.id).collect(),
            ),
            MockMatch::Unmatched { closest } => panic!("unmatched: {closest:?}"),
        }
    }

    const BODY: &str = r#"{"currency": "EUR", "lines": [{"sku": "A", "quantity": 2.0}]}"#;

    #[test]
    fn the_stated_request_matches_without_findings() {
        let index = index(CARTS);
        let m = match_request(&index, &post("dryRun=false", "k-1", BODY), &Pin::default());
        assert_eq!(chosen(&m, &index), ("create-cart".to_owned(), vec![]));
    }

    #[test]
    fn fewest_findings_choose_between_equal_requests() {
        let index = index(CARTS);
        let m = match_request(&index, &post("dryRun=false", "k-2", BODY), &Pin::default());
        assert_eq!(
            chosen(&m, &index),
            ("create-cart-throttled".to_owned(), vec![])
        );
    }

    #[test]
    fn a_tie_answers_the_first_and_says_so() {
        let index = index(CARTS);
        let m = match_request(&index, &post("dryRun=false", "k-9", BODY), &Pin::default());
        let (id, rules) = chosen(&m, &index);
        assert_eq!(id, "create-cart");
        assert_eq!(
            rules,
            vec!["mock.request-header-mismatch", "mock.ambiguous-request"]
        );
    }

    #[test]
    fn the_header_and_the_pins_choose() {
        let index = index(CARTS);
        let mut request = post("dryRun=false", "k-1", BODY);
        request.headers.push((
            "x-vow-interaction".into(),
            "web/create-cart-throttled".into(),
        ));
        let m = match_request(&index, &request, &Pin::default());
        assert_eq!(chosen(&m, &index).0, "create-cart-throttled");

        let request = post("dryRun=false", "k-1", BODY);
        let pin = Pin {
            interaction: Some("create-cart-throttled".into()),
            state: None,
        };
        assert_eq!(
            chosen(&match_request(&index, &request, &pin), &index).0,
            "create-cart-throttled"
        );
        let pin = Pin {
            interaction: None,
            state: Some("the client is rate limited".into()),
        };
        assert_eq!(
            chosen(&match_request(&index, &request, &pin), &index).0,
            "create-cart-throttled"
        );
    }

    #[test]
    fn unexpected_query_parameters_and_body_members_are_findings() {
        let index = index(CARTS);
        let body = r#"{"currency": "EUR", "coupon": "X", "lines": [{"sku": "A", "quantity": 2, "gift": true}]}"#;
        let m = match_request(
            &index,
            &post("dryRun=false&debug=1&debug=2", "k-1", body),
            &Pin::default(),
        );
        let MockMatch::Matched { findings, .. } = m else {
            panic!("{m:?}")
        };
        let seen: Vec<(&str, &str, Option<&str>)> = findings
            .iter()
            .map(|f| {
                (
                    f.rule.id,
                    f.location.pointer.as_str(),
                    f.location.interaction.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (
                    "mock.unexpected-query-parameter",
                    "/request/query/debug",
                    Some("web/create-cart")
                ),
                (
                    "mock.unexpected-body-member",
                    "/request/body/lines/0/gift",
                    Some("web/create-cart")
                ),
                (
                    "mock.unexpected-body-member",
                    "/request/body/coupon",
                    Some("web/create-cart")
                ),
            ]
        );
    }

    #[test]
    fn a_body_that_is_not_json_is_a_finding_not_a_panic() {
        let index = index(CARTS);
        for garbage in ["{\"currency\":", "\u{0}\u{1}binary", "[1,2", "nul"] {
            let m = match_request(
                &index,
                &post("dryRun=false", "k-1", garbage),
                &Pin::default(),
            );
            let (_, rules) = chosen(&m, &index);
            assert!(
                rules.contains(&"mock.request-body-not-json"),
                "{garbage}: {rules:?}"
            );
        }
    }

    #[test]
    fn differing_values_do_not_match_and_say_why() {
        let index = index(CARTS);
        let body = r#"{"currency": "USD", "lines": [{"sku": "A", "quantity": 3}]}"#;
        let m = match_request(&index, &post("dryRun=true", "k-1", body), &Pin::default());
        let MockMatch::Unmatched { closest } = m else {
            panic!("{m:?}")
        };
        assert_eq!(closest.len(), 2);
        assert_eq!(closest[0].interaction, "web/create-cart");
        assert_eq!(
            closest[0].why,
            vec![
                r#"query parameter dryRun: expected ["false"], found ["true"]"#,
                r#"body /currency: expected "EUR", found "USD""#,
                "body /lines/0/quantity: expected 2, found 3",
            ]
        );
    }

    #[test]
    fn unknown_routes_name_the_closest() {
        let index = index(CARTS);
        let get = |path: &str| MockRequest {
            method: "GET".into(),
            path: path.into(),
            ..MockRequest::default()
        };
        let MockMatch::Unmatched { closest } =
            match_request(&index, &get("/carts"), &Pin::default())
        else {
            panic!()
        };
        assert_eq!(closest[0].why, vec!["it is POST /carts, not GET"]);
        let MockMatch::Unmatched { closest } =
            match_request(&index, &get("/carts/c%201x"), &Pin::default())
        else {
            panic!()
        };
        assert_eq!(closest[0].interaction, "web/get-cart");
        // Percent-escapes are decoded before comparing.
        assert!(matches!(
            match_request(&index, &get("/carts/c%201"), &Pin::default()),
            MockMatch::Matched { .. }
        ));
    }

    #[test]
    fn a_header_naming_an_interaction_of_another_route_is_unmatched_with_the_reason() {
        let index = index(CARTS);
        let mut request = post("dryRun=false", "k-1", BODY);
        request
            .headers
            .push(("x-vow-interaction".into(), "get-cart".into()));
        let MockMatch::Unmatched { closest } = match_request(&index, &request, &Pin::default())
        else {
            panic!()
        };
        assert_eq!(
            closest[0].why,
            vec!["the X-Vow-Interaction header names it, and it is GET /carts/c 1"]
        );
    }
}
