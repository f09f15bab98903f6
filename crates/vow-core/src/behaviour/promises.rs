//! The provider's own promises, checked live (`vow verify --spec`): what a provider answered,
//! judged against its spec rather than against one consumer's contract.
//!
//! Two promises can be observed on the wire: the error taxonomy (the codes an operation lists in
//! `x-vow-errors`, and the catalogue's status and `Retry-After` for each code) and the latency
//! envelope (`x-vow-latency`). Consumers that code against the spec rely on both, whether or not
//! their contract states them.

use std::collections::BTreeSet;

use super::errors::read_code;
use super::latency::{LatencySummary, Percentile};
use super::wording::{count, duration, millis, quoted};
use crate::exchange::ObservedResponse;
use crate::finding::Finding;
use crate::rules;
use crate::spec::{Lookup, Operation, Spec};

/// Where latency findings point: the interaction's latency result.
const LATENCY_POINTER: &str = "/latency";

/// Live: judges a response of `operation` against the spec's error taxonomy.
///
/// Responses below 400 are not errors. A spec without an error catalogue promises nothing about
/// errors, so nothing is judged. Otherwise the code is read at the spec's
/// `x-vow-error-code-pointer`:
///
/// - A code the catalogue does not declare, or that the operation does not list (when it lists any
///   codes), is `errors.code-not-in-spec`.
/// - For a code the catalogue declares: another status than the catalogue's is
///   `errors.status-not-in-spec`, and a missing `Retry-After` where the catalogue says it is sent
///   is `errors.spec-retry-after-missing`.
/// - Without a code, at a status some listed code comes with: `errors.spec-code-missing`. At a
///   status none of the listed codes comes with, and that the operation's `responses` do not
///   describe either (by exact status or range, not `default`): `errors.code-not-in-spec`. An
///   operation that lists no codes leaves codeless errors unjudged.
pub fn check_error_promises(
    spec: &Spec,
    operation: &Operation,
    observed: &ObservedResponse,
) -> Vec<Finding> {
    if observed.status < 400 || spec.errors.is_empty() {
        return Vec::new();
    }
    let code_pointer = spec.error_code_pointer.as_str();
    let code_at = format!("/response/body{code_pointer}");
    let mut findings = Vec::new();
    match read_code(&observed.body, code_pointer) {
        Ok(code) => {
            let entry = spec.errors.get(&code);
            let listed = operation.errors.is_empty() || operation.errors.contains(&code);
            if entry.is_none() || !listed {
                findings.push(code_not_in_spec(
                    spec,
                    operation,
                    observed,
                    &code,
                    entry.is_some(),
                    &code_at,
                ));
            }
            if let Some(entry) = entry {
                let code = quoted(&code);
                if entry.status != observed.status {
                    findings.push(
                        Finding::new(
                            rules::STATUS_NOT_IN_SPEC,
                            "/response/status",
                            format!(
                                "the error {code} came with status {}; the spec's error \
                                 catalogue gives it {}",
                                observed.status, entry.status
                            ),
                        )
                        .expected(entry.status.to_string())
                        .actual(observed.status.to_string())
                        .hint(
                            "clients branch on the status before they read the code; answer \
                             with the status the catalogue declares, or correct the catalogue \
                             (x-vow-errors) if the status changed on purpose",
                        ),
                    );
                }
                if entry.retry_after && observed.header_values("retry-after").next().is_none() {
                    findings.push(
                        Finding::new(
                            rules::SPEC_RETRY_AFTER_MISSING,
                            "/response/headers/retry-after",
                            format!(
                                "the error {code} came without Retry-After, which the spec's \
                                 error catalogue says is sent with it"
                            ),
                        )
                        .expected("a Retry-After header (the catalogue says retryAfter: true)")
                        .actual("no Retry-After header")
                        .hint(
                            "clients that follow the spec wait as long as Retry-After says \
                             before they retry; send it, or set retryAfter: false for the code",
                        ),
                    );
                }
            }
        }
        Err(absence) => {
            if operation.errors.is_empty() {
                return findings;
            }
            let at_status: Vec<&str> = operation
                .errors
                .iter()
                .filter(|c| {
                    spec.errors
                        .get(*c)
                        .is_some_and(|e| e.status == observed.status)
                })
                .map(String::as_str)
                .collect();
            if !at_status.is_empty() {
                findings.push(
                    Finding::new(
                        rules::SPEC_CODE_MISSING,
                        code_at,
                        format!(
                            "the error response has no code at {code_pointer}, where the spec \
                             puts error codes; for status {}, {} lists {}",
                            observed.status,
                            operation.label(),
                            quoted_list(&at_status)
                        ),
                    )
                    .expected(one_of(&at_status))
                    .actual(absence)
                    .hint(format!(
                        "clients that follow the spec tell errors apart by the code at \
                         {code_pointer} (x-vow-error-code-pointer); send it there"
                    )),
                );
            } else if !describes_status(operation, observed.status) {
                let statuses: BTreeSet<u16> = operation
                    .errors
                    .iter()
                    .filter_map(|c| spec.errors.get(c))
                    .map(|e| e.status)
                    .collect();
                let statuses: Vec<String> = statuses.iter().map(u16::to_string).collect();
                findings.push(
                    Finding::new(
                        rules::CODE_NOT_IN_SPEC,
                        "/response/status",
                        format!(
                            "the error status {} is not in the spec: the response has no code \
                             at {code_pointer}, none of the codes {} lists comes with {}, and \
                             its responses do not describe it",
                            observed.status,
                            operation.label(),
                            observed.status
                        ),
                    )
                    .expected(format!(
                        "the status of a listed code ({}), with the code at {code_pointer}",
                        statuses.join(", ")
                    ))
                    .actual(format!("{} with {absence}", observed.status))
                    .hint(
                        "answer with an error the spec describes, or describe this one: a code \
                         with this status in x-vow-errors, listed on the operation",
                    ),
                );
            }
        }
    }
    findings
}

/// `errors.code-not-in-spec` for a code the catalogue lacks (`in_catalogue` false), or one the
/// catalogue declares and the operation does not list. The expectation names the codes the
/// operation lists for the observed status when there are any (a renamed code most likely kept its
/// status), else every code it lists.
fn code_not_in_spec(
    spec: &Spec,
    operation: &Operation,
    observed: &ObservedResponse,
    code: &str,
    in_catalogue: bool,
    pointer: &str,
) -> Finding {
    let label = operation.label();
    let (candidates, whose): (Vec<&str>, String) = if operation.errors.is_empty() {
        (
            spec.errors.keys().map(String::as_str).collect(),
            "the spec's error catalogue has".to_owned(),
        )
    } else {
        (
            operation.errors.iter().map(String::as_str).collect(),
            format!("{label} lists"),
        )
    };
    let at_status: Vec<&str> = candidates
        .iter()
        .copied()
        .filter(|c| {
            spec.errors
                .get(*c)
                .is_some_and(|e| e.status == observed.status)
        })
        .collect();
    let expected = if at_status.is_empty() {
        format!("a code {whose}: {}", quoted_list(&candidates))
    } else {
        format!(
            "a code {whose} for status {}: {}",
            observed.status,
            quoted_list(&at_status)
        )
    };
    let (message, hint) = if in_catalogue {
        (
            format!(
                "the provider answered with the error code {}, which the spec's error catalogue \
                 declares but {label} does not list",
                quoted(code)
            ),
            format!(
                "list {} in the x-vow-errors of {label}, so consumers that follow the spec know \
                 to handle it",
                quoted(code)
            ),
        )
    } else {
        let renamed = closest(code, &candidates)
            .map(|close| vec![close])
            .unwrap_or(at_status);
        let hint = if renamed.is_empty() {
            format!(
                "answer with a declared code, or declare {} in the spec's x-vow-errors catalogue \
                 (status, kind) and list it on {label}",
                quoted(code)
            )
        } else {
            format!(
                "the spec has {} for {label}; did the provider rename the code? Consumers that \
                 follow the spec branch on the declared one",
                one_of(&renamed)
            )
        };
        (
            format!(
                "the provider answered with the error code {}, which its spec does not declare",
                quoted(code)
            ),
            hint,
        )
    };
    Finding::new(rules::CODE_NOT_IN_SPEC, pointer, message)
        .expected(expected)
        .actual(quoted(code))
        .hint(hint)
}

/// Whether the operation's `responses` describe `status` itself: by its exact code or its range
/// (`4XX`), not by `default`.
fn describes_status(operation: &Operation, status: u16) -> bool {
    let exact = status.to_string();
    let range = format!("{}XX", status / 100);
    operation
        .responses
        .keys()
        .any(|key| *key == exact || key.eq_ignore_ascii_case(&range))
}

/// The candidate closest to `code`, if one is close (as the contract check judges renames).
fn closest<'c>(code: &str, candidates: &[&'c str]) -> Option<&'c str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(c, code), *c))
        .filter(|(distance, c)| *distance <= (c.chars().count() / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// `"a", "b"`.
fn quoted_list(codes: &[&str]) -> String {
    codes
        .iter()
        .map(|c| quoted(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `"a"`, or `one of "a", "b"`.
fn one_of(codes: &[&str]) -> String {
    match codes {
        [one] => quoted(one),
        _ => format!("one of {}", quoted_list(codes)),
    }
}

/// Live: judges sampled latency against the operation's latency envelope (`x-vow-latency`).
///
/// Each percentile the envelope states is judged when the sample count can estimate it (p50: 2
/// samples, p95: 20, p99: 100, as for the consumer's percentile); an estimate above the bound is
/// `latency.envelope-exceeded`, one finding naming every percentile over. Fewer samples judge
/// fewer percentiles, and none is judged from a single request. A warning by default: vow times
/// requests from the client side, in whatever environment it runs in, while the envelope is the
/// provider's promise about itself.
pub fn check_latency_envelope(operation: &Operation, summary: &LatencySummary) -> Vec<Finding> {
    let Some(envelope) = &operation.latency else {
        return Vec::new();
    };
    let n = summary.samples;
    let stated = [
        (50.0, envelope.p50, summary.p50_ms),
        (95.0, envelope.p95, summary.p95_ms),
        (99.0, envelope.p99, summary.p99_ms),
    ];
    let mut judged = Vec::new();
    let mut exceeded = Vec::new();
    let mut unjudged = Vec::new();
    for (percentile, bound, estimate_ms) in stated {
        let Some(bound) = bound else {
            continue;
        };
        let percentile = Percentile::of(percentile);
        let label = percentile.label();
        if n < percentile.samples_needed() {
            unjudged.push(format!(
                "{label} needs --samples {}",
                percentile.samples_needed()
            ));
            continue;
        }
        judged.push(format!("{label} ≤ {}", duration(bound)));
        if estimate_ms > bound.as_secs_f64() * 1000.0 {
            exceeded.push((label, estimate_ms, bound));
        }
    }
    if exceeded.is_empty() {
        return Vec::new();
    }
    let over: Vec<String> = exceeded
        .iter()
        .map(|(label, ms, bound)| format!("{label} {} against {}", millis(*ms), duration(*bound)))
        .collect();
    let actual: Vec<String> = exceeded
        .iter()
        .map(|(label, ms, _)| format!("{label} = {}", millis(*ms)))
        .collect();
    let mut hint = format!(
        "the provider must get faster, or its spec must promise what it delivers (x-vow-latency of \
         {}); vow times requests from the client side, so a slow network or a loaded machine adds \
         to what it measures",
        operation.label()
    );
    if !unjudged.is_empty() {
        hint.push_str(&format!("; not judged: {}", unjudged.join(", ")));
    }
    vec![
        Finding::new(
            rules::ENVELOPE_EXCEEDED,
            LATENCY_POINTER,
            format!(
                "over {}, {} answered slower than its spec's latency envelope: {}",
                count(n, "sample"),
                operation.label(),
                over.join(", ")
            ),
        )
        .expected(judged.join(", "))
        .actual(format!("{} over {}", actual.join(", "), count(n, "sample")))
        .hint(hint),
    ]
}

/// `verify.operation-not-in-spec` when `lookup` found no operation for the interaction's
/// `method` and `path`; `None` when it found one.
pub fn operation_not_in_spec(method: &str, path: &str, lookup: &Lookup) -> Option<Finding> {
    const NOT_CHECKED: &str =
        "so its responses were not checked against the spec's error taxonomy and latency envelope";
    match lookup {
        Lookup::Found { .. } => None,
        Lookup::MethodNotAllowed { methods } => Some(
            Finding::new(
                rules::OPERATION_NOT_IN_SPEC,
                "/request/method",
                format!(
                    "the spec has no {method} operation on {path} (the path allows {}), \
                     {NOT_CHECKED}",
                    methods.join(", ")
                ),
            )
            .expected(format!("one of {}", methods.join(", ")))
            .actual(method)
            .hint("check that --spec is this provider's spec, and that it describes the operation"),
        ),
        Lookup::NotFound { closest } => {
            let mut finding = Finding::new(
                rules::OPERATION_NOT_IN_SPEC,
                "/request/path",
                format!("no path of the spec matches {method} {path}, {NOT_CHECKED}"),
            )
            .actual(path);
            finding = match closest {
                Some(close) => finding
                    .expected(format!("a path of the spec, such as {close}"))
                    .hint(format!(
                        "the closest path in the spec is {close}; was the path renamed, or is \
                         the contract's path mistyped?"
                    )),
                None => finding.hint(
                    "check that --spec is this provider's spec, and that it describes the \
                     operation (with its servers' base paths)",
                ),
            };
            Some(finding)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::contract::SourceFormat;
    use crate::spec::parse_spec;

    const SPEC: &str = r#"
openapi: 3.1.0
info: {title: shop, version: "1"}
x-vow-error-code-pointer: /error/code
x-vow-errors:
  card_declined: {status: 402, kind: terminal}
  cart_not_found: {status: 404, kind: terminal}
  rate_limited: {status: 429, kind: retryable, retryAfter: true}
  processor_unavailable: {status: 503, kind: retryable, retryAfter: true}
  internal: {status: 500, kind: retryable}
paths:
  /payments:
    post:
      responses:
        "201": {description: paid}
        "400":
          description: an unreadable body, as plain text
          content: {text/plain: {schema: {type: string}}}
      x-vow-errors: [card_declined, cart_not_found, rate_limited, processor_unavailable]
      x-vow-latency: {p50: 10ms, p95: 50ms, p99: 150ms}
  /healthz:
    get:
      responses:
        "200": {description: up}
      x-vow-latency: {p95: 5ms}
"#;

    fn spec() -> Spec {
        parse_spec("shop.yaml", SPEC, SourceFormat::Yaml).expect("the test spec is valid")
    }

    fn operation<'s>(spec: &'s Spec, method: &str, path: &str) -> &'s Operation {
        match spec.lookup(method, path) {
            Lookup::Found { operation, .. } => &spec.operations[operation],
            other => panic!("{method} {path}: {other:?}"),
        }
    }

    fn error(status: u16, body: &str, headers: &[(&str, &str)]) -> ObservedResponse {
        ObservedResponse {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.as_bytes().to_vec(),
            elapsed: Duration::from_millis(3),
        }
    }

    fn rules_of(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.rule.id).collect()
    }

    fn judge(status: u16, body: &str, headers: &[(&str, &str)]) -> Vec<Finding> {
        let spec = spec();
        let op = operation(&spec, "POST", "/payments");
        check_error_promises(&spec, op, &error(status, body, headers))
    }

    #[test]
    fn a_declared_code_at_its_status_keeps_the_promise() {
        assert!(judge(402, r#"{"error": {"code": "card_declined"}}"#, &[]).is_empty());
        assert!(
            judge(
                429,
                r#"{"error": {"code": "rate_limited"}}"#,
                &[("retry-after", "1")]
            )
            .is_empty()
        );
        assert!(
            judge(201, r#"{"error": {"code": "nonsense"}}"#, &[]).is_empty(),
            "not an error"
        );
    }

    #[test]
    fn an_undeclared_code_is_not_in_the_spec_and_a_close_one_is_named() {
        let findings = judge(402, r#"{"error": {"code": "card_decline"}}"#, &[]);
        assert_eq!(rules_of(&findings), ["errors.code-not-in-spec"]);
        let finding = &findings[0];
        assert_eq!(finding.location.pointer, "/response/body/error/code");
        assert_eq!(finding.actual.as_deref(), Some(r#""card_decline""#));
        assert!(
            finding.message.contains("does not declare"),
            "{}",
            finding.message
        );
        assert!(
            finding
                .hint
                .as_deref()
                .unwrap_or_default()
                .contains(r#""card_declined""#),
            "{:?}",
            finding.hint
        );
        assert_eq!(
            finding.expected.as_deref(),
            Some(r#"a code POST /payments lists for status 402: "card_declined""#)
        );
        // A code unlike any declared one, at a declared code's status: that code is named.
        let findings = judge(402, r#"{"error": {"code": "payment_failed"}}"#, &[]);
        assert_eq!(
            findings[0].hint.as_deref(),
            Some(
                "the spec has \"card_declined\" for POST /payments; did the provider rename the \
                 code? Consumers that follow the spec branch on the declared one"
            )
        );
        // At a status no listed code has, every listed code is expected.
        let findings = judge(418, r#"{"error": {"code": "teapot"}}"#, &[]);
        assert_eq!(
            findings[0].expected.as_deref(),
            Some(
                r#"a code POST /payments lists: "card_declined", "cart_not_found", "rate_limited", "processor_unavailable""#
            )
        );
        assert!(
            findings[0]
                .hint
                .as_deref()
                .unwrap_or_default()
                .starts_with("answer with a declared code, or declare \"teapot\""),
            "{:?}",
            findings[0].hint
        );
    }

    #[test]
    fn a_catalogued_code_the_operation_does_not_list_is_not_in_the_spec() {
        let findings = judge(500, r#"{"error": {"code": "internal"}}"#, &[]);
        assert_eq!(rules_of(&findings), ["errors.code-not-in-spec"]);
        assert!(
            findings[0]
                .message
                .contains("declares but POST /payments does not list"),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn a_declared_code_at_another_status_is_remapped() {
        let findings = judge(400, r#"{"error": {"code": "card_declined"}}"#, &[]);
        assert_eq!(rules_of(&findings), ["errors.status-not-in-spec"]);
        assert_eq!(findings[0].expected.as_deref(), Some("402"));
        assert_eq!(findings[0].actual.as_deref(), Some("400"));
        assert_eq!(findings[0].location.pointer, "/response/status");
    }

    #[test]
    fn retry_after_must_come_where_the_catalogue_says_it_does() {
        let findings = judge(503, r#"{"error": {"code": "processor_unavailable"}}"#, &[]);
        assert_eq!(rules_of(&findings), ["errors.spec-retry-after-missing"]);
        assert_eq!(
            findings[0].location.pointer,
            "/response/headers/retry-after"
        );
        let findings = judge(
            503,
            r#"{"error": {"code": "processor_unavailable"}}"#,
            &[("Retry-After", "2")],
        );
        assert!(findings.is_empty(), "names compare case-insensitively");
        // A code the catalogue does not send Retry-After with needs none.
        assert!(judge(404, r#"{"error": {"code": "cart_not_found"}}"#, &[]).is_empty());
    }

    #[test]
    fn an_error_without_a_code_is_judged_by_its_status() {
        // 404 is cart_not_found's status: the code is missing.
        let findings = judge(404, r#"{"code": "cart_not_found"}"#, &[]);
        assert_eq!(rules_of(&findings), ["errors.spec-code-missing"]);
        assert_eq!(
            findings[0].actual.as_deref(),
            Some("nothing at /error/code")
        );
        assert_eq!(findings[0].expected.as_deref(), Some(r#""cart_not_found""#));
        // 500 is no listed code's status and no described response: not in the spec.
        let findings = judge(500, "", &[]);
        assert_eq!(rules_of(&findings), ["errors.code-not-in-spec"]);
        assert_eq!(
            findings[0].actual.as_deref(),
            Some("500 with an empty body")
        );
        assert_eq!(
            findings[0].expected.as_deref(),
            Some("the status of a listed code (402, 404, 429, 503), with the code at /error/code")
        );
        // 400 as plain text is described by the operation's responses.
        assert!(judge(400, "bad query", &[]).is_empty());
    }

    #[test]
    fn without_listed_codes_only_the_catalogue_judges() {
        let spec = spec();
        let op = operation(&spec, "GET", "/healthz");
        let judge = |status, body: &str| check_error_promises(&spec, op, &error(status, body, &[]));
        assert!(judge(500, r#"{"error": {"code": "internal"}}"#).is_empty());
        assert!(
            judge(503, "down").is_empty(),
            "codeless errors are not judged"
        );
        assert_eq!(
            rules_of(&judge(503, r#"{"error": {"code": "internal"}}"#)),
            ["errors.status-not-in-spec"]
        );
        let findings = judge(418, r#"{"error": {"code": "teapot"}}"#);
        assert_eq!(rules_of(&findings), ["errors.code-not-in-spec"]);
        assert!(
            findings[0]
                .expected
                .as_deref()
                .unwrap_or_default()
                .starts_with("a code the spec's error catalogue has: \"card_declined\""),
            "{:?}",
            findings[0].expected
        );
    }

    #[test]
    fn a_spec_without_a_catalogue_promises_nothing_about_errors() {
        let spec = parse_spec(
            "bare.yaml",
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      responses:\n        '200': {description: ok}\n",
            SourceFormat::Yaml,
        )
        .expect("valid");
        let op = &spec.operations[0];
        assert!(check_error_promises(&spec, op, &error(500, "{\"code\": \"x\"}", &[])).is_empty());
    }

    fn summary(samples: usize, p50: f64, p95: f64, p99: f64) -> LatencySummary {
        LatencySummary {
            samples,
            p50_ms: p50,
            p95_ms: p95,
            p99_ms: p99,
            max_ms: p99,
        }
    }

    #[test]
    fn the_envelope_is_judged_at_the_percentiles_the_samples_support() {
        let spec = spec();
        let op = operation(&spec, "POST", "/payments");
        // Within the envelope at every percentile.
        assert!(check_latency_envelope(op, &summary(100, 10.0, 50.0, 150.0)).is_empty());
        // 20 samples judge p50 and p95, not p99.
        let findings = check_latency_envelope(op, &summary(20, 403.0, 408.0, 411.0));
        assert_eq!(rules_of(&findings), ["latency.envelope-exceeded"]);
        let finding = &findings[0];
        assert_eq!(finding.severity, crate::Severity::Warning);
        assert_eq!(finding.location.pointer, "/latency");
        assert_eq!(
            finding.expected.as_deref(),
            Some("p50 ≤ 10 ms, p95 ≤ 50 ms")
        );
        assert_eq!(
            finding.actual.as_deref(),
            Some("p50 = 403 ms, p95 = 408 ms over 20 samples")
        );
        assert!(
            finding
                .hint
                .as_deref()
                .unwrap_or_default()
                .contains("p99 needs --samples 100"),
            "{:?}",
            finding.hint
        );
        // Only p99 over, with enough samples for it.
        let findings = check_latency_envelope(op, &summary(100, 9.0, 40.0, 151.0));
        assert_eq!(
            findings[0].actual.as_deref(),
            Some("p99 = 151 ms over 100 samples")
        );
        // One request judges nothing, however slow.
        assert!(check_latency_envelope(op, &summary(1, 5000.0, 5000.0, 5000.0)).is_empty());
        // 19 samples cannot judge p95, the only bound /healthz states.
        let health = operation(&spec, "GET", "/healthz");
        assert!(check_latency_envelope(health, &summary(19, 90.0, 90.0, 90.0)).is_empty());
        assert_eq!(
            check_latency_envelope(health, &summary(20, 1.0, 6.0, 6.0)).len(),
            1
        );
    }

    #[test]
    fn an_operation_without_an_envelope_promises_no_latency() {
        let spec = parse_spec(
            "bare.yaml",
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      responses:\n        '200': {description: ok}\n",
            SourceFormat::Yaml,
        )
        .expect("valid");
        assert!(
            check_latency_envelope(&spec.operations[0], &summary(1000, 1e6, 1e6, 1e6)).is_empty()
        );
    }

    #[test]
    fn an_interaction_without_an_operation_is_named_with_what_the_spec_has() {
        let spec = spec();
        assert!(
            operation_not_in_spec("POST", "/payments", &spec.lookup("POST", "/payments")).is_none()
        );
        let finding = operation_not_in_spec("GET", "/payments", &spec.lookup("GET", "/payments"))
            .expect("no GET /payments");
        assert_eq!(finding.rule.id, "verify.operation-not-in-spec");
        assert_eq!(finding.location.pointer, "/request/method");
        assert_eq!(finding.expected.as_deref(), Some("one of POST"));
        let finding = operation_not_in_spec("POST", "/payment", &spec.lookup("POST", "/payment"))
            .expect("no /payment");
        assert_eq!(finding.location.pointer, "/request/path");
        assert!(
            finding
                .hint
                .as_deref()
                .unwrap_or_default()
                .contains("/payments"),
            "{:?}",
            finding.hint
        );
    }
}
