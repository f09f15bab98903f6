//! The auth dimension: judging the provider's answers to the two auth probes, a request sent
//! without credentials and one whose credentials lack a needed scope. An operation that answers
//! either with success leaks data or accepts writes it should refuse; one that refuses with the
//! wrong status leaves clients unable to tell "log in again" from "ask for more access".

use super::challenge::{self, Challenge};
use super::wording::quoted;
use crate::exchange::ObservedResponse;
use crate::finding::Finding;
use crate::rules;

const UNAUTHENTICATED: &str = "/probes/unauthenticated";
const INSUFFICIENT_SCOPE: &str = "/probes/insufficient-scope";

/// Live: the response to the request sent without credentials must be `401` with a
/// `WWW-Authenticate` challenge (RFC 9110 §15.5.2, §11.6.1).
pub fn check_unauthenticated(observed: &ObservedResponse) -> Vec<Finding> {
    let status_at = format!("{UNAUTHENTICATED}/response/status");
    let status = observed.status;
    if (200..400).contains(&status) {
        return vec![
            Finding::new(
                rules::UNAUTHENTICATED_ACCEPTED,
                status_at,
                format!("a request without credentials was answered {status}"),
            )
            .expected("401")
            .actual(status.to_string())
            .hint("the operation must authenticate every request; anyone can call it now"),
        ];
    }
    if status != 401 {
        let hint = if status == 403 {
            "403 says the credentials are known but not enough; with no credentials at all, \
             clients need 401 to know they must authenticate"
        } else {
            "refuse requests without credentials with 401 and a WWW-Authenticate challenge"
        };
        return vec![
            Finding::new(
                rules::UNAUTHENTICATED_STATUS,
                status_at,
                format!("a request without credentials was refused with {status}, not 401"),
            )
            .expected("401")
            .actual(status.to_string())
            .hint(hint),
        ];
    }
    let challenge = observed
        .header_values("www-authenticate")
        .filter(|v| !v.trim().is_empty())
        .collect::<Vec<_>>();
    if challenge.is_empty() {
        return vec![
            Finding::new(
                rules::WWW_AUTHENTICATE_MISSING,
                format!("{UNAUTHENTICATED}/response/headers/www-authenticate"),
                "the 401 carries no WWW-Authenticate challenge",
            )
            .expected("a WWW-Authenticate header, e.g. Bearer realm=\"api\"")
            .actual("no WWW-Authenticate header")
            .hint("RFC 9110 §11.6.1 requires a 401 to say how to authenticate"),
        ];
    }
    Vec::new()
}

/// Live: the response to the request sent with a credential lacking a needed scope must be `403`
/// with `error="insufficient_scope"` in a `WWW-Authenticate` challenge (RFC 6750 §3.1).
pub fn check_insufficient_scope(observed: &ObservedResponse) -> Vec<Finding> {
    let status_at = format!("{INSUFFICIENT_SCOPE}/response/status");
    let status = observed.status;
    if (200..400).contains(&status) {
        return vec![
            Finding::new(
                rules::SCOPE_NOT_ENFORCED,
                status_at,
                format!("a request whose credentials lack a needed scope was answered {status}"),
            )
            .expected("403")
            .actual(status.to_string())
            .hint("the operation must check the token's scopes, not only that it is valid"),
        ];
    }
    if status != 403 {
        let hint = if status == 401 {
            "401 tells the client its credentials are missing or invalid, so it logs in again \
             and fails the same way; a valid token lacking a scope gets 403"
        } else {
            "refuse a valid token that lacks a scope with 403 and error=\"insufficient_scope\""
        };
        return vec![
            Finding::new(
                rules::INSUFFICIENT_SCOPE_STATUS,
                status_at,
                format!(
                    "a request whose credentials lack a needed scope was refused with {status}, \
                     not 403"
                ),
            )
            .expected("403")
            .actual(status.to_string())
            .hint(hint),
        ];
    }
    let values: Vec<&str> = observed.header_values("www-authenticate").collect();
    let mut unreadable = None;
    let mut challenges: Vec<Challenge> = Vec::new();
    for value in &values {
        match challenge::parse(value) {
            Ok(parsed) => challenges.extend(parsed),
            Err(reason) => unreadable = unreadable.or(Some((*value, reason))),
        }
    }
    let says_insufficient_scope = challenges
        .iter()
        .any(|c| c.param("error") == Some("insufficient_scope"));
    if says_insufficient_scope {
        return Vec::new();
    }
    let (message, actual) = match (values.is_empty(), unreadable) {
        (true, _) => (
            "the 403 carries no WWW-Authenticate challenge naming the missing scope".to_owned(),
            "no WWW-Authenticate header".to_owned(),
        ),
        (false, Some((value, reason))) => (
            format!("the 403's WWW-Authenticate header {reason}"),
            quoted(value),
        ),
        (false, None) => (
            "the 403's WWW-Authenticate challenge does not say error=\"insufficient_scope\""
                .to_owned(),
            quoted(&values.join(", ")),
        ),
    };
    vec![
        Finding::new(
            rules::INSUFFICIENT_SCOPE_MISSING,
            format!("{INSUFFICIENT_SCOPE}/response/headers/www-authenticate"),
            message,
        )
        .expected("a challenge with error=\"insufficient_scope\", e.g. Bearer error=\"insufficient_scope\", scope=\"cart:write\"")
        .actual(actual)
        .hint(
            "RFC 6750 §3.1: the error tells a client to ask for more scope instead of retrying \
             or logging in again",
        ),
    ]
}
