//! The four behavioural dimensions, statically: the contract's `errors`, `latency`, `auth` and
//! `deprecation` statements (its own, else the contract's defaults) against what the operation
//! declares — its error codes and the spec's error catalogue (`x-vow-errors`), its latency envelope
//! (`x-vow-latency`), its security requirements, and its deprecation marks (`deprecated`,
//! `x-sunset`, `x-stability-level`) read at the as-of date.

use std::collections::BTreeSet;

use super::{Cx, days, did_you_mean};
use crate::behaviour::latency::{attempts, backoff_total};
use crate::behaviour::wording::duration;
use crate::contract::AuthScheme;
use crate::finding::{Dimension, Finding, Severity};
use crate::rules;
use crate::spec::{ErrorKind, SecurityRequirement, SecurityScheme, Stability};

/// The errors dimension: each handled code against the operation's codes and the catalogue's
/// status and retry classification, and the expected code (`response.error`) against the
/// operation's codes.
///
/// A handled code the operation does not list is an error when the provider's catalogue does not
/// know it at all (a renamed or mistyped code, most likely), and a note when the catalogue knows it
/// but this operation never answers with it — and nothing when the code comes from
/// `defaults.errors`, which is shared by every interaction and so lists more codes than each
/// operation has. Without any codes on the operation, one
/// `errors.taxonomy-missing` note is all, though catalogue entries still judge status and retries.
pub(super) fn errors(cx: &Cx<'_>, out: &mut Vec<Finding>) {
    let Some(statement) = &cx.statements.errors else {
        return;
    };
    let spec = cx.spec;
    let op = cx.op;
    let block = cx.block(Dimension::Errors);
    let has_taxonomy = !op.errors.is_empty();
    if !has_taxonomy {
        out.push(
            Finding::new(
                rules::TAXONOMY_MISSING,
                "/errors",
                format!(
                    "{} (#{}) lists no error codes (x-vow-errors), so the codes the consumer \
                     handles cannot be checked against the operation",
                    cx.label(),
                    op.pointer
                ),
            )
            .hint(
                "ask the provider to list the operation's error codes under x-vow-errors, each \
                 declared in the top-level catalogue",
            ),
        );
    }
    if !spec.errors.is_empty() && statement.code_pointer != spec.error_code_pointer {
        out.push(
            Finding::new(
                rules::ERROR_CODE_MISSING,
                "/errors/codePointer",
                format!(
                    "the consumer reads error codes at {}, and the spec puts them at {} \
                     (x-vow-error-code-pointer)",
                    pointer_text(&statement.code_pointer),
                    pointer_text(&spec.error_code_pointer)
                ),
            )
            .expected(pointer_text(&statement.code_pointer))
            .actual(pointer_text(&spec.error_code_pointer))
            .hint(format!(
                "set codePointer: {} in {block}",
                pointer_text(&spec.error_code_pointer)
            )),
        );
    }
    let expected_code = cx.interaction.response.error.as_deref();
    for (i, handled) in statement.handles.iter().enumerate() {
        let at = format!("/errors/handles/{i}");
        let code = handled.code.as_str();
        let entry = spec.errors.get(code);
        if has_taxonomy && !op.errors.iter().any(|c| c == code) {
            if Some(code) == expected_code {
                // Reported once, where the interaction expects it.
                continue;
            }
            match entry {
                None => out.push(
                    Finding::new(
                        rules::ERROR_CODE_UNDECLARED,
                        at.as_str(),
                        format!(
                            "the consumer handles the error code {code:?}, which the spec's error \
                             catalogue (x-vow-errors) does not have, so {} never answers with it",
                            cx.label()
                        ),
                    )
                    .expected(format!("a code {} answers with", cx.label()))
                    .actual(format!("{code:?}"))
                    .hint(
                        did_you_mean(code, op.errors.iter().map(String::as_str))
                            .map(|d| format!("{d} The provider may have renamed the code"))
                            .unwrap_or_else(|| {
                                format!(
                                    "the codes {} answers with: {}",
                                    cx.label(),
                                    op.errors.join(", ")
                                )
                            }),
                    ),
                ),
                // A shared `defaults.errors` block lists the codes of every operation; that this
                // one never answers some of them is no news.
                Some(_) if cx.interaction.statements.errors.is_none() => {}
                Some(entry) => out.push(
                    Finding::new(
                        rules::ERROR_CODE_UNDECLARED,
                        at.as_str(),
                        format!(
                            "the consumer handles {code:?}, which {} never answers with: the code \
                             is in the catalogue (#{}) but not in the operation's x-vow-errors",
                            cx.label(),
                            entry.pointer
                        ),
                    )
                    .severity(Severity::Info)
                    .hint(
                        "handling a code the operation never sends is harmless; drop it from the \
                         interaction's errors block, or check that the interaction calls the \
                         operation you meant",
                    ),
                ),
            }
            continue;
        }
        let Some(entry) = entry else {
            continue;
        };
        if handled.status != entry.status {
            out.push(
                Finding::new(
                    rules::ERROR_STATUS_REMAPPED,
                    format!("{at}/status"),
                    format!(
                        "the consumer handles {code:?} with status {}, and the spec's catalogue \
                         gives it status {} (#{})",
                        handled.status, entry.status, entry.pointer
                    ),
                )
                .expected(handled.status.to_string())
                .actual(entry.status.to_string())
                .hint(format!(
                    "consumers branch on the status: write status: {} for {code:?} in {block}, or \
                     ask the provider why the status differs",
                    entry.status
                )),
            );
        }
        match (handled.retry, entry.kind) {
            (true, ErrorKind::Terminal | ErrorKind::OperatorAction) => out.push(
                Finding::new(
                    rules::RETRYABILITY_MISMATCH,
                    format!("{at}/retry"),
                    format!(
                        "the consumer retries {code:?}, which the provider classifies as {} \
                         (#{}): {}",
                        entry.kind,
                        entry.pointer,
                        if entry.kind == ErrorKind::Terminal {
                            "a retry cannot succeed"
                        } else {
                            "a retry cannot succeed until someone acts"
                        }
                    ),
                )
                .expected("retry: true (the consumer retries)")
                .actual(format!("kind: {}", entry.kind))
                .hint(format!(
                    "set retry: false for {code:?} in {block}: retrying it only adds load (and, \
                     for a non-idempotent request, risks a duplicate)"
                )),
            ),
            (false, ErrorKind::Retryable) => out.push(
                Finding::new(
                    rules::RETRYABLE_NOT_RETRIED,
                    format!("{at}/retry"),
                    format!(
                        "the consumer gives up on {code:?}, which the provider classifies as \
                         retryable (#{})",
                        entry.pointer
                    ),
                )
                .expected("retry: false (the consumer gives up)")
                .actual("kind: retryable")
                .hint("a retry with backoff may succeed; consider retrying it"),
            ),
            (true, ErrorKind::Retryable) if !entry.retry_after => out.push(
                Finding::new(
                    rules::RETRY_AFTER_MISSING,
                    format!("{at}/retry"),
                    format!(
                        "the consumer retries {code:?}, and the spec's catalogue says it comes \
                         without Retry-After (retryAfter is not true at #{})",
                        entry.pointer
                    ),
                )
                .expected("a Retry-After header with the error")
                .actual("retryAfter: false")
                .hint(
                    "without Retry-After every client retries on its own schedule; back off \
                     exponentially with jitter, and ask the provider to send Retry-After",
                ),
            ),
            _ => {}
        }
    }
    if let Some(code) = expected_code
        && has_taxonomy
        && !op.errors.iter().any(|c| c == code)
    {
        out.push(
            Finding::new(
                rules::ERROR_CODE_UNDECLARED,
                "/response/error",
                format!(
                    "the interaction expects the error code {code:?}, and {} (#{}) does not list \
                     it in x-vow-errors{}",
                    cx.label(),
                    op.pointer,
                    if spec.errors.contains_key(code) {
                        ""
                    } else {
                        "; the spec's catalogue does not have it either"
                    }
                ),
            )
            .expected(format!("{code:?} among the operation's codes"))
            .actual(op.errors.join(", "))
            .hint(
                did_you_mean(code, op.errors.iter().map(String::as_str))
                    .map(|d| format!("{d} The provider may have renamed the code"))
                    .unwrap_or_else(|| {
                        "the provider never answers this operation with that code: check the \
                         provider state the interaction relies on"
                            .to_owned()
                    }),
            ),
        );
    }
}

/// The latency dimension: the envelope at the contract's percentile against the timeout, and with
/// retries, every attempt at that latency plus the waits against the deadline.
pub(super) fn latency(cx: &Cx<'_>, out: &mut Vec<Finding>) {
    let Some(statement) = &cx.statements.latency else {
        return;
    };
    let stated = format!("p{}", statement.percentile);
    let envelope = cx.op.latency.and_then(|e| e.at(statement.percentile));
    let Some((percentile, bound)) = envelope else {
        let message = if cx.op.latency.is_some() {
            format!(
                "the latency envelope of {} (#{}/x-vow-latency) states no percentile at or above \
                 the consumer's {stated}, so its timeout cannot be checked",
                cx.label(),
                cx.op.pointer
            )
        } else {
            format!(
                "{} (#{}) declares no latency envelope (x-vow-latency), so the consumer's timeout \
                 cannot be checked",
                cx.label(),
                cx.op.pointer
            )
        };
        out.push(
            Finding::new(rules::ENVELOPE_MISSING, "/latency", message).hint(
                "ask the provider to publish x-vow-latency (p50, p95, p99) for the operation; \
                 until then only vow verify --samples can check the timeout",
            ),
        );
        return;
    };
    let label = format!("p{percentile}");
    let (which, certain) = if (percentile - statement.percentile).abs() < f64::EPSILON {
        (label.clone(), true)
    } else {
        (
            format!(
                "{label} (the next percentile the envelope states above the consumer's {stated})"
            ),
            false,
        )
    };
    if bound > statement.timeout {
        let finding = Finding::new(
            rules::TIMEOUT_BELOW_ENVELOPE,
            "/latency/timeout",
            format!(
                "the latency envelope of {} puts {which} at {}, above the consumer's {} timeout: {}",
                cx.label(),
                duration(bound),
                duration(statement.timeout),
                if certain {
                    format!(
                        "more than {} of attempts may time out",
                        tail(statement.percentile)
                    )
                } else {
                    format!("{stated} may reach the timeout")
                }
            ),
        )
        .expected(format!("{stated} within {}", duration(statement.timeout)))
        .actual(format!("{label} up to {} (x-vow-latency)", duration(bound)))
        .hint(format!(
            "raise the timeout to at least {} (and the deadline with it), or ask the provider to \
             get faster at {label}",
            duration(bound)
        ));
        out.push(if certain {
            finding
        } else {
            finding.severity(Severity::Warning)
        });
    }
    if let (Some(retries), Some(deadline)) = (&statement.retries, statement.deadline)
        && retries.attempts > 0
    {
        let n = attempts(statement);
        let waits = backoff_total(Some(retries));
        let total = bound.saturating_mul(n).saturating_add(waits);
        if total > deadline {
            let breakdown = if waits.is_zero() {
                format!("{n} attempts × {label} {}", duration(bound))
            } else {
                format!(
                    "{n} attempts × {label} {} + {} of backoff",
                    duration(bound),
                    duration(waits)
                )
            };
            out.push(
                Finding::new(
                    rules::RETRIES_EXCEED_DEADLINE,
                    "/latency/deadline",
                    format!(
                        "at the envelope {label} of {} ({}), {n} attempts and the waits between \
                         them take {}, beyond the {} deadline: a call that needs its retries runs \
                         out of time",
                        cx.label(),
                        duration(bound),
                        duration(total),
                        duration(deadline)
                    ),
                )
                .expected(format!("at most {}", duration(deadline)))
                .actual(format!("{} ({breakdown})", duration(total)))
                .hint("allow fewer retries or shorter waits, or raise the deadline"),
            );
        }
    }
}

/// `1%` for p99, `0.1%` for p99.9.
fn tail(percentile: f64) -> String {
    let rest = ((100.0 - percentile) * 10.0).round() / 10.0;
    format!("{rest}%")
}

/// The auth dimension: credentials stated when the operation needs them, a scheme it accepts, and
/// scopes that satisfy one of its security alternatives (alternatives are OR, the scopes of one
/// alternative AND; an empty alternative `{}` admits anonymous requests).
pub(super) fn auth(cx: &Cx<'_>, out: &mut Vec<Finding>) {
    let security = &cx.op.security;
    if security.is_empty() || security.iter().any(|r| r.is_empty()) {
        return;
    }
    let Some(statement) = &cx.statements.auth else {
        out.push(
            Finding::new(
                rules::CREDENTIALS_MISSING,
                "/auth",
                format!(
                    "{} requires credentials ({}), and the contract states no auth block",
                    cx.label(),
                    alternatives(cx, security)
                ),
            )
            .expected("an auth block")
            .actual("none")
            .hint(
                "add an auth block (to the interaction, or under defaults) with the scheme and \
                 the scopes the consumer's credentials hold",
            ),
        );
        return;
    };
    let fitting: Vec<&SecurityRequirement> = security
        .iter()
        .filter(|r| {
            r.keys()
                .all(|name| fits(cx.spec.security_schemes.get(name), statement.scheme))
        })
        .collect();
    let scheme = scheme_name(statement.scheme);
    if fitting.is_empty() {
        out.push(
            Finding::new(
                rules::SCHEME_MISMATCH,
                "/auth/scheme",
                format!(
                    "the consumer authenticates with {scheme}, and {} accepts {}",
                    cx.label(),
                    alternatives(cx, security)
                ),
            )
            .expected(scheme.to_owned())
            .actual(alternatives(cx, security))
            .hint(format!(
                "state the scheme the consumer really uses in {}; bearer and oauth2 fit oauth2, \
                 openIdConnect and http bearer schemes, basic fits http basic, apiKey fits apiKey",
                cx.block(Dimension::Auth)
            )),
        );
        return;
    }
    let held: BTreeSet<&str> = statement.scopes.iter().map(String::as_str).collect();
    let needs: Vec<(BTreeSet<&str>, Vec<&str>)> = fitting
        .iter()
        .map(|r| {
            let all: BTreeSet<&str> = r.values().flatten().map(String::as_str).collect();
            let missing = all.iter().copied().filter(|s| !held.contains(s)).collect();
            (all, missing)
        })
        .collect();
    if needs.iter().any(|(_, missing)| missing.is_empty()) {
        return;
    }
    let Some((all, missing)) = needs.iter().min_by_key(|(_, missing)| missing.len()) else {
        return;
    };
    let list = |s: &mut dyn Iterator<Item = &str>| s.collect::<Vec<_>>().join(", ");
    let held_text = if held.is_empty() {
        "no scopes".to_owned()
    } else {
        list(&mut held.iter().copied())
    };
    let alternatives_note = if fitting.len() > 1 {
        format!(" (the closest of {} alternatives)", fitting.len())
    } else {
        String::new()
    };
    out.push(
        Finding::new(
            rules::SCOPES_INSUFFICIENT,
            "/auth/scopes",
            format!(
                "{} needs the scopes {}{alternatives_note}, and the consumer's credentials lack {}",
                cx.label(),
                list(&mut all.iter().copied()),
                list(&mut missing.iter().copied())
            ),
        )
        .expected(list(&mut all.iter().copied()))
        .actual(held_text)
        .hint(format!(
            "have the consumer's credentials granted {} and list them in auth.scopes in {}",
            list(&mut missing.iter().copied()),
            cx.block(Dimension::Auth)
        )),
    );
}

/// Whether a consumer's scheme can satisfy a spec security scheme.
fn fits(scheme: Option<&SecurityScheme>, consumer: AuthScheme) -> bool {
    let Some(scheme) = scheme else {
        return false;
    };
    let http = scheme.http_scheme.as_deref();
    match consumer {
        AuthScheme::Bearer | AuthScheme::Oauth2 => {
            matches!(scheme.kind.as_str(), "oauth2" | "openIdConnect")
                || (scheme.kind == "http" && http == Some("bearer"))
        }
        AuthScheme::Basic => scheme.kind == "http" && http == Some("basic"),
        AuthScheme::ApiKey => scheme.kind == "apiKey",
    }
}

fn scheme_name(scheme: AuthScheme) -> &'static str {
    match scheme {
        AuthScheme::Bearer => "bearer",
        AuthScheme::Oauth2 => "oauth2",
        AuthScheme::ApiKey => "apiKey",
        AuthScheme::Basic => "basic",
    }
}

/// The security alternatives for messages: `shopAuth (oauth2) with cart:read, or apiKey (apiKey)`.
fn alternatives(cx: &Cx<'_>, security: &[SecurityRequirement]) -> String {
    let text: Vec<String> = security
        .iter()
        .map(|r| {
            let parts: Vec<String> = r
                .iter()
                .map(|(name, scopes)| {
                    let kind = match cx.spec.security_schemes.get(name) {
                        Some(s) => match &s.http_scheme {
                            Some(h) if s.kind == "http" => format!("http {h}"),
                            _ => s.kind.clone(),
                        },
                        None => "undeclared scheme".to_owned(),
                    };
                    if scopes.is_empty() {
                        format!("{name} ({kind})")
                    } else {
                        let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
                        format!("{name} ({kind}) with {}", scopes.join(", "))
                    }
                })
                .collect();
            parts.join(" and ")
        })
        .collect();
    text.join(", or ")
}

/// The deprecation dimension: a deprecated operation the contract does not acknowledge, its sunset
/// at the as-of date (passed on the sunset day itself, as a date-only `Sunset` is live), a sunset
/// before the date the consumer plans against, and a stability level below stable.
pub(super) fn deprecation(cx: &Cx<'_>, out: &mut Vec<Finding>) {
    let op = cx.op;
    let statement = cx.statements.deprecation.as_ref();
    if op.deprecated && !statement.is_some_and(|d| d.operation) {
        out.push(
            Finding::new(
                rules::DEPRECATION_UNACKNOWLEDGED,
                "/deprecation/operation",
                format!(
                    "{} is deprecated (#{}), and the contract does not mark the operation \
                     deprecated: the consumer relies on something going away without knowing it",
                    cx.label(),
                    op.pointer
                ),
            )
            .expected("an operation that is not deprecated (the contract does not mark it)")
            .actual("deprecated: true")
            .hint(
                "add deprecation: {operation: true} (and the sunset you plan against) so \
                 can-i-deploy tracks the use, and plan the move off the operation",
            ),
        );
    }
    if let Some(sunset) = op.sunset {
        let left = (sunset - cx.options.as_of).num_days();
        if left <= 0 {
            let ago = if left == 0 {
                "today".to_owned()
            } else {
                format!("{} ago", days(-left))
            };
            out.push(
                Finding::new(
                    rules::SUNSET_PASSED,
                    "/request",
                    format!(
                        "the sunset of {} passed {ago} ({sunset}, #{}/x-sunset): the provider \
                         may remove it at any time",
                        cx.label(),
                        op.pointer
                    ),
                )
                .expected(format!("a sunset after {}", cx.options.as_of))
                .actual(sunset.to_string())
                .hint("move off this operation now"),
            );
        } else if left <= i64::from(cx.options.warning_days) {
            out.push(
                Finding::new(
                    rules::SUNSET_NEAR,
                    "/request",
                    format!(
                        "the sunset of {} is in {} ({sunset}, #{}/x-sunset)",
                        cx.label(),
                        days(left),
                        op.pointer
                    ),
                )
                .expected(format!(
                    "a sunset more than {} days after {}",
                    cx.options.warning_days, cx.options.as_of
                ))
                .actual(sunset.to_string())
                .hint("plan the move off this operation before the sunset"),
            );
        }
        if let Some(plan) = statement.and_then(|d| d.sunset)
            && plan > sunset
        {
            out.push(
                Finding::new(
                    rules::SUNSET_BEFORE_PLAN,
                    "/deprecation/sunset",
                    format!(
                        "the sunset of {} ({sunset}) comes before the {plan} the consumer plans \
                         against",
                        cx.label()
                    ),
                )
                .expected(format!("a sunset on or after {plan}"))
                .actual(sunset.to_string())
                .hint(format!(
                    "set deprecation.sunset to {sunset} in {} and move off sooner",
                    cx.block(Dimension::Deprecation)
                )),
            );
        }
    }
    if let Some(level) = op.stability
        && level < Stability::Stable
    {
        out.push(
            Finding::new(
                rules::UNSTABLE_OPERATION,
                "/request",
                format!(
                    "{} is {} (x-stability-level at #{}): the provider may still change it \
                     incompatibly",
                    cx.label(),
                    level.as_str(),
                    op.pointer
                ),
            )
            .actual(level.as_str())
            .hint("expect changes; re-run vow check against each new version of the spec"),
        );
    }
}

fn pointer_text(pointer: &str) -> String {
    if pointer.is_empty() {
        "the whole body (\"\")".to_owned()
    } else {
        pointer.to_owned()
    }
}
